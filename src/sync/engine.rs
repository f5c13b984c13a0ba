//! Matching and planning (FORMATS.md section 3).
//!
//! [`plan`] is a pure function of the SIDI export, its validation, the local
//! export, the code map and (optionally) the decisions read back from a
//! review sheet. It runs in O(n) with hash maps. See docs/sync.md for the
//! rules, including the semantics settled here where FORMATS.md is silent.

use super::decisions::{Decision, Decisions};
use super::ops::*;
use crate::error::{Error, Message, Result};
use crate::findings::{Finding, FindingCode};
use crate::map::CodeMap;
use crate::model::Trimmed;
use crate::model::{
    matching_key, ClassKey, Field, FieldSet, LocalExport, LocalIndex, LocalPupil, Origin, Pupil,
    SidiExport,
};
use crate::util::{FastMap as HashMap, FastSet as HashSet};
use crate::validate::Validation;
use compact_str::{format_compact, CompactString, ToCompactString};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// The school a plan is for (from the SIDI export).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolInfo {
    pub codice_scuola: String,
    pub anno_scolastico: String,
    /// Every sede code of the export (declared sedi, classes, frequenze), sorted.
    pub sedi: Vec<String>,
}

/// The outcome of planning.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub school: SchoolInfo,
    /// Automatic operations (and those decided through the review sheet), in patch order.
    pub ops: Vec<Operation>,
    /// Guided items still waiting for a decision.
    pub review: Vec<ReviewItem>,
    /// Validation findings, then the engine's own (unmapped codes, duplicate
    /// keys validation did not report, stale decisions).
    pub findings: Vec<Finding>,
    /// SIDI records with an error finding: no operation.
    pub excluded: Vec<Excluded>,
    /// Class operations not emitted because their class cannot be used.
    pub held_back: Vec<HeldBack>,
    /// Decisions answered RIFIUTA (dropped; listed in the manifest).
    pub rejected: Vec<RejectedDecision>,
    /// Decision rows applied (accepted or rejected).
    pub decisions_applied: usize,
}

impl Plan {
    /// Operations per kind (every kind listed, zeros included).
    pub fn op_counts(&self) -> Vec<(OpKind, usize)> {
        // one pass: a large school's operations are tens of megabytes
        let mut n = [0usize; OpKind::ALL.len()];
        for o in &self.ops {
            n[o.op as usize] += 1;
        }
        OpKind::ALL.into_iter().zip(n).collect()
    }
    /// Review items per kind (every kind listed, zeros included).
    pub fn review_counts(&self) -> Vec<(ReviewKind, usize)> {
        let mut n = [0usize; ReviewKind::ALL.len()];
        for r in &self.review {
            n[r.kind as usize] += 1;
        }
        ReviewKind::ALL.into_iter().zip(n).collect()
    }
    /// (errors, warnings)
    pub fn finding_counts(&self) -> (usize, usize) {
        crate::findings::count(&self.findings)
    }
}

/// How a SIDI pupil found its local counterpart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Cf,
    IdSidi,
    /// An accepted `cf_mismatch` decision (index into the decision rows).
    Decision(usize),
}

/// Why a SIDI class cannot receive operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Excluded,
    Unmapped,
    Undeclared,
}

impl Block {
    fn reason(self) -> &'static str {
        match self {
            Block::Excluded => "class_excluded",
            Block::Unmapped => "code_unmapped",
            Block::Undeclared => "class_undeclared",
        }
    }
}

/// A codice fiscale that must not serve as a stable key: 11-digit temporary
/// codes and codes in state `P` (provvisorio).
fn is_temporary(p: &Pupil, cf: &str) -> bool {
    p.stato_cf.trimmed().eq_ignore_ascii_case("P")
        || (cf.len() == 11 && cf.bytes().all(|b| b.is_ascii_digit()))
}

/// `a.trimmed() == b.trimmed()`, without trimming when the texts are equal.
#[inline]
fn same_trimmed(a: &str, b: &str) -> bool {
    a == b || a.trimmed() == b.trimmed()
}

/// Name key for probable matches: accents folded, upper case, blanks collapsed.
fn name_key(s: &str) -> String {
    crate::util::fold_accents(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The classes' side of a plan, worked out from the two exports' classes
/// alone (no pupil matching needed).
struct Classes<'a> {
    /// SIDI class key -> its first declaration
    sidi_class: HashMap<&'a ClassKey, usize>,
    /// local class key -> its first row
    local_class: HashMap<&'a ClassKey, usize>,
    /// per SIDI class: the mapped (tempo scuola, indirizzo), or why the
    /// class is blocked
    class_state: Vec<std::result::Result<(String, String), Block>>,
    /// `CODE_UNMAPPED` findings of the SIDI classes, in class order
    unmapped: Vec<Finding>,
    /// the local classes SIDI does not have (first rows), in local order
    local_only: Vec<usize>,
    /// the local pupils of each class of `local_only`
    local_only_pupils: Vec<usize>,
}

impl<'a> Classes<'a> {
    fn of(
        sidi: &'a SidiExport,
        local: &'a LocalExport,
        validation: &Validation,
        map: &CodeMap,
    ) -> Classes<'a> {
        let mut unmapped: Vec<Finding> = Vec::new();
        let mut sidi_class: HashMap<&ClassKey, usize> =
            HashMap::with_capacity_and_hasher(sidi.classes.len(), Default::default());
        for (k, c) in sidi.classes.iter().enumerate() {
            sidi_class.entry(&c.key).or_insert(k);
        }
        let mut local_class: HashMap<&ClassKey, usize> =
            HashMap::with_capacity_and_hasher(local.classes.len(), Default::default());
        for (k, c) in local.classes.iter().enumerate() {
            local_class.entry(&c.key).or_insert(k);
        }
        // per SIDI class: mapped codes or why it is blocked
        let mut class_state: Vec<std::result::Result<(String, String), Block>> =
            Vec::with_capacity(sidi.classes.len());
        for (k, c) in sidi.classes.iter().enumerate() {
            if sidi_class.get(&c.key) != Some(&k) {
                class_state.push(Err(Block::Excluded)); // duplicate declaration: unused
                continue;
            }
            if validation.class_errors.get(k).copied().unwrap_or(false) {
                class_state.push(Err(Block::Excluded));
                continue;
            }
            match map.map_class(&c.tempo_scuola, &c.indirizzo) {
                Ok((t, i)) => class_state.push(Ok((t.to_string(), i.to_string()))),
                Err(bad) => {
                    for (kind, code) in bad {
                        unmapped.push(
                            Finding::new(FindingCode::CodeUnmapped, Some(c.origin.clone()))
                                .record(c.key.to_string())
                                .field(kind.tipo())
                                .value(code),
                        );
                    }
                    class_state.push(Err(Block::Unmapped));
                }
            }
        }

        let local_only: Vec<usize> = local
            .classes
            .iter()
            .enumerate()
            .filter(|(k, c)| !sidi_class.contains_key(&c.key) && local_class.get(&c.key) == Some(k))
            .map(|(k, _)| k)
            .collect();
        let wanted: Vec<&ClassKey> = local_only.iter().map(|&k| &local.classes[k].key).collect();
        let local_only_pupils = pupils_per_class(&local.pupils, &wanted);
        Classes {
            sidi_class,
            local_class,
            class_state,
            unmapped,
            local_only,
            local_only_pupils,
        }
    }
}

/// How many of `pupils` are in each class of `wanted` (distinct classes),
/// in its order. Exports list pupils class by class: a pupil in the
/// previous pupil's class is counted without a look-up (a 60,000-pupil
/// school takes a few thousand look-ups instead of 60,000).
fn pupils_per_class(pupils: &[LocalPupil], wanted: &[&ClassKey]) -> Vec<usize> {
    let mut counts = vec![0; wanted.len()];
    if wanted.is_empty() {
        return counts;
    }
    let slot: HashMap<&ClassKey, usize> = wanted.iter().enumerate().map(|(n, &k)| (k, n)).collect();
    // the previous pupil's class and its slot
    let mut last: Option<(&ClassKey, Option<usize>)> = None;
    for l in pupils {
        let n = match last {
            Some((k, n)) if *k == l.class => n,
            _ => {
                let n = slot.get(&l.class).copied();
                last = Some((&l.class, n));
                n
            }
        };
        if let Some(n) = n {
            counts[n] += 1;
        }
    }
    counts
}

/// The display of a local date for `from`: ISO when it parses, else as written.
pub(crate) fn local_date_text(p: &LocalPupil) -> CompactString {
    date_text(p.data_nascita, &p.data_nascita_raw)
}

/// [`local_date_text`] for a SIDI pupil.
fn sidi_date_text(p: &Pupil) -> CompactString {
    date_text(p.data_nascita, &p.data_nascita_raw)
}

/// A birth date as ISO text, or as written when it could not be read.
fn date_text(date: Option<crate::date::Date>, raw: &str) -> CompactString {
    match date {
        Some(d) => d.to_compact_string(),
        None => raw.trimmed().into(),
    }
}

/// SIDI's value of a lockable field (trimmed; dates ISO).
fn sidi_value(p: &Pupil, f: Field) -> CompactString {
    match f {
        Field::CodiceFiscale => p.cf_key().into(),
        Field::Cognome => p.cognome.trimmed().into(),
        Field::Nome => p.nome.trimmed().into(),
        Field::Sesso => p.sesso.trimmed().into(),
        Field::DataNascita => sidi_date_text(p),
        Field::LuogoNascita => p.luogo_nascita.trimmed().into(),
        Field::Cittadinanza => p.cittadinanza.trimmed().into(),
    }
}

/// The local value of a field (trimmed; dates ISO when they parse).
pub(crate) fn local_value(p: &LocalPupil, f: Field) -> CompactString {
    match f {
        Field::CodiceFiscale => p.codice_fiscale.trimmed().into(),
        Field::Cognome => p.cognome.trimmed().into(),
        Field::Nome => p.nome.trimmed().into(),
        Field::Sesso => p.sesso.trimmed().into(),
        Field::DataNascita => local_date_text(p),
        Field::LuogoNascita => p.luogo_nascita.trimmed().into(),
        Field::Cittadinanza => p.cittadinanza.trimmed().into(),
    }
}

/// Whether the local field equals SIDI's (dates compared as dates).
fn same_value(s: &Pupil, l: &LocalPupil, f: Field) -> bool {
    match f {
        Field::DataNascita => match (s.data_nascita, l.data_nascita) {
            (Some(a), Some(b)) => a == b,
            _ => sidi_date_text(s) == local_date_text(l),
        },
        Field::Cognome => same_trimmed(&s.cognome, &l.cognome),
        Field::Nome => same_trimmed(&s.nome, &l.nome),
        Field::Sesso => same_trimmed(&s.sesso, &l.sesso),
        Field::LuogoNascita => same_trimmed(&s.luogo_nascita, &l.luogo_nascita),
        Field::Cittadinanza => same_trimmed(&s.cittadinanza, &l.cittadinanza),
        Field::CodiceFiscale => matching_key(&s.codice_fiscale) == l.codice_fiscale.trimmed(),
    }
}

fn student_key(s: &Pupil, cf: &str, id_locale: &str) -> OpKey {
    let id = s.id_sidi.trimmed();
    OpKey {
        codice_fiscale: (!cf.is_empty()).then(|| cf.into()),
        id_sidi: (!id.is_empty()).then(|| id.into()),
        id_locale: Some(id_locale.into()),
        ..OpKey::default()
    }
}

fn local_key(l: &LocalPupil) -> OpKey {
    let cf = matching_key(&l.codice_fiscale);
    let id = l.id_sidi.trimmed();
    OpKey {
        codice_fiscale: (!cf.is_empty()).then(|| cf.as_ref().into()),
        id_sidi: (!id.is_empty()).then(|| id.into()),
        id_locale: Some(l.id_locale.clone()),
        ..OpKey::default()
    }
}

/// Matching keys of a side's pupils, by index.
type Keys<'a> = Vec<Cow<'a, str>>;

/// How the id locale of a pupil new on SIDI begins (`SIDI-` and its id
/// SIDI, else its codice fiscale; `-2`, `-3`… after it when taken).
const NEW_ID_PREFIX: &str = "SIDI-";

/// SIDI pupils per parallel chunk of the per-pupil pass.
const PUPIL_CHUNK: usize = 1024;

/// What the per-pupil pass produces for a run of pupils, in pupil order.
#[derive(Default)]
struct PupilOut {
    ops: Vec<Operation>,
    /// insert_student ops of `ops` (index) and the base of their new local id
    inserts: Vec<(usize, CompactString)>,
    held_back: Vec<HeldBack>,
    late_findings: Vec<Finding>,
    excluded: Vec<Excluded>,
}

/// Plans the sync of one school. Fails only when `decisions` is given, has
/// rows, and none of them names an item of this run (a sheet of another
/// school or run).
pub fn plan(
    sidi: &SidiExport,
    validation: &Validation,
    local: &LocalExport,
    map: &CodeMap,
    decisions: Option<&Decisions>,
) -> Result<Plan> {
    plan_indexed(sidi, validation, local, None, map, decisions)
}

/// [`plan`] with the local pupils' index the local reader built
/// ([`crate::read::local::LocalRead::index`]), which must describe `local`
/// as read: the engine then does not build its own. An index that does not
/// fit `local` ([`LocalIndex::fits`]) is ignored.
#[allow(clippy::needless_range_loop)] // parallel index vectors
pub fn plan_indexed(
    sidi: &SidiExport,
    validation: &Validation,
    local: &LocalExport,
    index: Option<&LocalIndex>,
    map: &CodeMap,
    decisions: Option<&Decisions>,
) -> Result<Plan> {
    let ns = sidi.pupils.len();
    let nl = local.pupils.len();
    let mut findings: Vec<Finding> = validation.findings.clone();

    // --- SIDI pupils: keys and exclusions -------------------------------
    // keys of both sides, then the four key indexes (SIDI counts, local
    // first positions) built two at a time: each map is filled in order
    let (school, (cf_keys, local_cfs)): (_, (Keys, Keys)) = rayon::join(
        || school_info(sidi),
        || {
            rayon::join(
                || {
                    sidi.pupils
                        .iter()
                        .map(|p| matching_key(&p.codice_fiscale))
                        .collect()
                },
                || {
                    local
                        .pupils
                        .iter()
                        .map(|l| matching_key(&l.codice_fiscale))
                        .collect()
                },
            )
        },
    );
    let mut plan = Plan {
        school,
        ..Plan::default()
    };
    // duplicates within the SIDI export: validation's, or counted here
    // beside the local index when the validation was built by hand; the
    // local index: the reader's, or built here
    let given = validation.duplicates.len() == ns;
    let given_index = index.filter(|ix| ix.fits(local));
    let (counted, built) = rayon::join(
        || {
            if given {
                return None;
            }
            Some(crate::validate::rules::duplicate_flags(
                &sidi.pupils,
                &cf_keys,
            ))
        },
        || match given_index {
            Some(_) => LocalIndex::default(),
            None => LocalIndex::of(local),
        },
    );
    let index = given_index.unwrap_or(&built);
    let mut excluded: Vec<bool> = (0..ns)
        .map(|i| validation.pupil_errors.get(i).copied().unwrap_or(false))
        .collect();
    // (pupil, code) of each duplicate, in pupil order: a few pupils at most
    let mut extra_codes: Vec<(usize, &'static str)> = Vec::new();
    {
        // (dup_cf, dup_id) per pupil; findings in order
        // (`counted` is None only when validation's list has every pupil)
        let dups: &[(bool, bool)] = match &counted {
            Some(c) => c,
            None => &validation.duplicates,
        };
        // (only the pupils with a duplicate are looked at)
        for (i, &dup) in dups.iter().enumerate().take(ns) {
            if dup == (false, false) {
                continue;
            }
            // Validation reports these; the engine enforces the exclusion
            // even if it did not, and says so once.
            let p = &sidi.pupils[i];
            for f in crate::validate::rules::duplicate_findings(p, &cf_keys[i], dup) {
                extra_codes.push((i, f.code.code()));
                if !excluded[i] {
                    findings.push(f);
                }
                excluded[i] = true;
            }
        }
    }

    // --- matching, beside the classes --------------------------------------
    // (the classes' codes and the local-only classes' pupil counts need no
    // matching: worked out on the other core meanwhile, instead of alone
    // after it)
    let (classes, (mut matched, mut claimed, candidates)) = rayon::join(
        || Classes::of(sidi, local, validation, map),
        || {
            let mut matched: Vec<Option<(usize, Via)>> = vec![None; ns];
            let mut claimed = vec![false; nl];
            // per SIDI pupil: temporary code, local pupil of the same code (looked
            // up in parallel; claimed in order below)
            let (temporary, cf_hit): (Vec<bool>, Vec<Option<usize>>) = {
                use rayon::prelude::*;
                sidi.pupils
                    .par_iter()
                    .zip(cf_keys.par_iter())
                    .map(|(p, k)| {
                        let hit = if k.is_empty() {
                            None
                        } else {
                            index.by_cf(local, k)
                        };
                        (is_temporary(p, k), hit)
                    })
                    .unzip()
            };
            // 1. codice fiscale (stable codes only)
            for i in 0..ns {
                if temporary[i] || cf_keys[i].is_empty() {
                    continue;
                }
                if let Some(j) = cf_hit[i] {
                    if !claimed[j] {
                        claimed[j] = true;
                        matched[i] = Some((j, Via::Cf));
                    }
                }
            }
            // 2. ID_ALUNNO_SIDI where both sides carry it
            for i in 0..ns {
                // (a pupil matched by its codice fiscale is not looked at)
                if matched[i].is_some() {
                    continue;
                }
                let id = sidi.pupils[i].id_sidi.trimmed();
                if id.is_empty() {
                    continue;
                }
                if let Some(j) = index.by_id_sidi(local, id) {
                    if !claimed[j] {
                        claimed[j] = true;
                        matched[i] = Some((j, Via::IdSidi));
                    }
                }
            }
            // 3. temporary codes, when the local pupil carries no other id SIDI
            for i in 0..ns {
                if matched[i].is_some() || !temporary[i] || cf_keys[i].is_empty() {
                    continue;
                }
                if let Some(j) = cf_hit[i] {
                    let lid = local.pupils[j].id_sidi.trimmed();
                    if !claimed[j] && (lid.is_empty() || lid == sidi.pupils[i].id_sidi.trimmed()) {
                        claimed[j] = true;
                        matched[i] = Some((j, Via::Cf));
                    }
                }
            }
            // 4. probable matches: same cognome, nome, data di nascita, another CF
            let mut by_name: HashMap<(String, String, crate::date::Date), Vec<usize>> =
                HashMap::default();
            for (j, l) in local.pupils.iter().enumerate() {
                if claimed[j] {
                    continue;
                }
                if let Some(d) = l.data_nascita {
                    by_name
                        .entry((name_key(&l.cognome), name_key(&l.nome), d))
                        .or_default()
                        .push(j);
                }
            }
            // cf_mismatch candidates (sidi index, local index), in SIDI order
            let mut candidates: Vec<(usize, usize)> = Vec::new();
            for i in 0..ns {
                if matched[i].is_some() {
                    continue;
                }
                let p = &sidi.pupils[i];
                let Some(d) = p.data_nascita else { continue };
                let Some(js) = by_name.get(&(name_key(&p.cognome), name_key(&p.nome), d)) else {
                    continue;
                };
                for &j in js {
                    if claimed[j] || local_cfs[j] == cf_keys[i] {
                        continue;
                    }
                    if excluded[i] {
                        // An excluded pupil still counts as present: its probable
                        // counterpart is not reported as local_only.
                        claimed[j] = true;
                        break;
                    }
                    candidates.push((i, j));
                }
            }
            (matched, claimed, candidates)
        },
    );
    let Classes {
        sidi_class,
        local_class,
        class_state,
        unmapped,
        local_only,
        local_only_pupils,
    } = classes;
    findings.extend(unmapped);

    let target = |key: &ClassKey| -> std::result::Result<(&str, &str), Block> {
        match sidi_class.get(key) {
            Some(&k) => match &class_state[k] {
                Ok((t, i)) => Ok((t.as_str(), i.as_str())),
                Err(b) => Err(*b),
            },
            None => Err(Block::Undeclared),
        }
    };

    // --- review items (before decisions) ---------------------------------
    let mut items: Vec<ReviewItem> = Vec::new();
    for &(i, j) in &candidates {
        let p = &sidi.pupils[i];
        let l = &local.pupils[j];
        items.push(ReviewItem {
            id: review_id(
                ReviewKind::CfMismatch,
                &[
                    &cf_keys[i],
                    p.id_sidi.trimmed(),
                    &l.id_locale,
                    &local_cfs[j],
                ],
            ),
            kind: ReviewKind::CfMismatch,
            codice_fiscale: cf_keys[i].to_string(),
            id_locale: l.id_locale.to_string(),
            detail: ReviewDetail::CfMismatch {
                sidi_cf: cf_keys[i].to_string(),
                id_sidi: p.id_sidi.trimmed().to_string(),
                local_cf: local_cfs[j].to_string(),
                cognome: p.cognome.trimmed().to_string(),
                nome: p.nome.trimmed().to_string(),
                data_nascita: p.data_nascita.map(|d| d.to_italian()).unwrap_or_default(),
                local_class: l.class.clone(),
                sidi_class: p.current_frequenza().map(|f| f.class.clone()),
            },
        });
    }

    // --- decisions, phase A: cf_mismatch ---------------------------------
    let rows = decisions.map(|d| d.rows.as_slice()).unwrap_or(&[]);
    let dfile = decisions.map(|d| d.file.as_str()).unwrap_or("");
    let mut row_matched = vec![false; rows.len()];
    let mut row_done = vec![false; rows.len()];
    let mut stale_rows: Vec<usize> = Vec::new();
    let mut removed_items: HashSet<usize> = HashSet::default();
    let mut rejected_pairs: HashSet<(usize, usize)> = HashSet::default();
    let item_index = |items: &[ReviewItem]| -> HashMap<String, usize> {
        items
            .iter()
            .enumerate()
            .map(|(n, it)| (it.id.clone(), n))
            .collect()
    };
    let kind_ok = |row_kind: &str, k: ReviewKind| {
        row_kind.trimmed().is_empty() || ReviewKind::from_name(row_kind) == Some(k)
    };
    {
        let idx = item_index(&items);
        for (r, row) in rows.iter().enumerate() {
            let Some(&n) = idx.get(&row.id) else { continue };
            row_matched[r] = true;
            if !kind_ok(&row.kind, items[n].kind) {
                stale_rows.push(r);
                row_done[r] = true;
                continue;
            }
            let (i, j) = candidates[n];
            match row.decision {
                Decision::Undecided => {}
                Decision::Accept => {
                    row_done[r] = true;
                    if matched[i].is_some() || claimed[j] {
                        // another accepted decision took one of the pupils
                        stale_rows.push(r);
                        continue;
                    }
                    matched[i] = Some((j, Via::Decision(r)));
                    claimed[j] = true;
                    removed_items.insert(n);
                    plan.decisions_applied += 1;
                }
                Decision::Reject => {
                    row_done[r] = true;
                    rejected_pairs.insert((i, j));
                    removed_items.insert(n);
                    plan.rejected.push(RejectedDecision {
                        id: row.id.clone(),
                        kind: ReviewKind::CfMismatch,
                        line: row.line,
                    });
                    plan.decisions_applied += 1;
                }
            }
        }
    }
    // After phase A: a local pupil stays "taken" while an open cf_mismatch
    // item names it; rejected pairs free it (it becomes local_only).
    let mut still_taken = vec![false; nl];
    let mut sidi_pending = vec![false; ns];
    for (n, &(i, j)) in candidates.iter().enumerate() {
        if removed_items.contains(&n) || matched[i].is_some() {
            continue;
        }
        still_taken[j] = true;
        sidi_pending[i] = true;
    }
    // Items whose SIDI pupil got matched by another accepted decision are dropped.
    let mut kept: Vec<ReviewItem> = Vec::new();
    for (n, it) in items.into_iter().enumerate() {
        let (i, j) = candidates[n];
        if removed_items.contains(&n) || matched[i].is_some() || claimed[j] {
            continue;
        }
        kept.push(it);
    }
    let mut items = kept;

    // local_only
    let cf_items = items.len();
    let mut local_only_of: Vec<usize> = Vec::new(); // item n - cf_items -> local index
    for (j, l) in local.pupils.iter().enumerate() {
        if claimed[j] || still_taken[j] {
            continue;
        }
        local_only_of.push(j);
        items.push(ReviewItem {
            id: review_id(ReviewKind::LocalOnly, &[&l.id_locale, &local_cfs[j]]),
            kind: ReviewKind::LocalOnly,
            codice_fiscale: local_cfs[j].to_string(),
            id_locale: l.id_locale.to_string(),
            detail: ReviewDetail::LocalOnly {
                cognome: l.cognome.trimmed().to_string(),
                nome: l.nome.trimmed().to_string(),
                class: l.class.clone(),
            },
        });
    }
    // class_local_only: the classes only the local export has, then their pupils
    let lo_end = items.len();
    let class_of_item = local_only;
    for (&k, pupils) in class_of_item.iter().zip(local_only_pupils) {
        let c = &local.classes[k].key;
        items.push(ReviewItem {
            id: review_id(ReviewKind::ClassLocalOnly, &[&c.sede, &c.anno, &c.sezione]),
            kind: ReviewKind::ClassLocalOnly,
            codice_fiscale: String::new(),
            id_locale: String::new(),
            detail: ReviewDetail::ClassLocalOnly {
                class: c.clone(),
                pupils,
            },
        });
    }

    // --- decisions, phase B: local_only, class_local_only -------------------
    let mut withdraw: Vec<(usize, usize)> = Vec::new(); // (local index, row)
    let mut remove_class: Vec<(usize, usize)> = Vec::new(); // (local class index, row)
    let mut dropped: HashSet<usize> = HashSet::default();
    {
        let idx = item_index(&items);
        for (r, row) in rows.iter().enumerate() {
            if row_done[r] {
                continue;
            }
            let Some(&n) = idx.get(&row.id) else { continue };
            if n < cf_items {
                continue; // an undecided cf_mismatch row, already seen
            }
            row_matched[r] = true;
            let kind = items[n].kind;
            if !kind_ok(&row.kind, kind) {
                stale_rows.push(r);
                continue;
            }
            match row.decision {
                Decision::Undecided => {}
                Decision::Accept => {
                    dropped.insert(n);
                    plan.decisions_applied += 1;
                    if n < lo_end {
                        withdraw.push((local_only_of[n - cf_items], r));
                    } else {
                        remove_class.push((class_of_item[n - lo_end], r));
                    }
                }
                Decision::Reject => {
                    dropped.insert(n);
                    plan.decisions_applied += 1;
                    plan.rejected.push(RejectedDecision {
                        id: row.id.clone(),
                        kind,
                        line: row.line,
                    });
                }
            }
        }
    }
    stale_rows.extend((0..rows.len()).filter(|&r| !row_matched[r]));
    if !rows.is_empty() && !row_matched.iter().any(|&m| m) {
        return Err(Error::input(
            dfile,
            0,
            Message::new(
                "nessuna riga del file delle decisioni riguarda una verifica di questa esecuzione: \
                 è di un'altra scuola o di un'esecuzione precedente",
                "no row of the decisions file names a review item of this run: \
                 it belongs to another school or to an earlier run",
            ),
        ));
    }
    stale_rows.sort_unstable();
    stale_rows.dedup();
    let dfile_arc: std::sync::Arc<str> = std::sync::Arc::from(dfile);
    for r in stale_rows {
        findings.push(
            Finding::new(
                FindingCode::DecisionStale,
                Some(Origin::new(&dfile_arc, rows[r].line, 0)),
            )
            .record(&rows[r].id)
            .field("ID")
            .value(&rows[r].id),
        );
    }
    plan.review = items
        .into_iter()
        .enumerate()
        .filter(|(n, _)| !dropped.contains(n))
        .map(|(_, it)| it)
        .collect();
    plan.rejected.sort_by_key(|r| r.line);

    // --- operations: classes ----------------------------------------------
    for (k, c) in sidi.classes.iter().enumerate() {
        if sidi_class.get(&c.key) != Some(&k) {
            continue;
        }
        let (t, ind) = match &class_state[k] {
            Ok(v) => v,
            Err(_) => continue,
        };
        match local_class.get(&c.key) {
            None => plan.ops.push(Operation::new(
                OpKind::CreateClass,
                OpKey::class(&c.key),
                None,
                None,
                Some(Value::Map(vec![
                    ("tempo_scuola".into(), t.as_str().into()),
                    ("indirizzo".into(), ind.as_str().into()),
                ])),
                false,
                "new_class_on_sidi",
            )),
            Some(&lk) => {
                let lc = &local.classes[lk];
                for (name, new, old) in [
                    ("tempo_scuola", t, lc.tempo_scuola.trimmed()),
                    ("indirizzo", ind, lc.indirizzo.trimmed()),
                ] {
                    if new != old {
                        plan.ops.push(Operation::new(
                            OpKind::UpdateClass,
                            OpKey::class(&c.key),
                            Some(name),
                            Some(Value::text(old)),
                            Some(Value::text(new.as_str())),
                            false,
                            "class_codes_differ",
                        ));
                    }
                }
            }
        }
    }
    for (k, c) in sidi.classes.iter().enumerate() {
        let is_err = validation.class_errors.get(k).copied().unwrap_or(false);
        let unmapped = matches!(class_state[k], Err(Block::Unmapped));
        if is_err || unmapped {
            let rec = c.key.to_string();
            let mut codes: Vec<&'static str> = findings
                .iter()
                .filter(|f| f.is_error() && f.record == rec)
                .map(|f| f.code.code())
                .collect();
            codes.sort_unstable();
            codes.dedup();
            plan.excluded.push(Excluded {
                entity: Entity::Class,
                record: rec,
                origin: Some(c.origin.clone()),
                codes,
            });
        }
    }

    // --- operations: pupils -------------------------------------------------
    // error codes per record, for the excluded list
    let mut error_codes: HashMap<&str, BTreeSet<&'static str>> = HashMap::default();
    for f in &findings {
        if f.is_error() {
            error_codes
                .entry(f.record.as_str())
                .or_default()
                .insert(f.code.code());
        }
    }
    // SIDI pupils with a rejected cf_mismatch pair (rejected pairs are
    // candidate pairs, so "some candidate (i, j) was rejected")
    let mut rejected_sidi = vec![false; ns];
    for &(i, _) in &rejected_pairs {
        rejected_sidi[i] = true;
    }
    // The per-pupil work runs on chunks of pupils in parallel; each chunk
    // keeps what the pupils push, in pupil order, and the chunks are then
    // concatenated in order. The only state shared across pupils, the new
    // local ids of insert_student, is resolved afterwards, in pupil order.
    let pupil = |i: usize, p: &Pupil, out: &mut PupilOut| {
        let cf: &str = &cf_keys[i];
        if excluded[i] {
            let identity = p.identity();
            let mut codes: BTreeSet<&'static str> = error_codes
                .get(identity.as_str())
                .cloned()
                .unwrap_or_default();
            let from = extra_codes.partition_point(|&(j, _)| j < i);
            codes.extend(
                extra_codes[from..]
                    .iter()
                    .take_while(|&&(j, _)| j == i)
                    .map(|&(_, c)| c),
            );
            out.excluded.push(Excluded {
                entity: Entity::Student,
                record: identity,
                origin: Some(p.origin.clone()),
                codes: codes.into_iter().collect(),
            });
            return;
        }
        let hold = |out: &mut PupilOut, op: OpKind, class: &ClassKey, b: Block| {
            out.held_back.push(HeldBack {
                op,
                record: p.identity(),
                class: class.clone(),
                reason: b.reason(),
            });
            if b == Block::Unmapped {
                out.late_findings.push(
                    Finding::new(FindingCode::CodeUnmapped, Some(p.origin.clone()))
                        .record(p.identity())
                        .field("CLASSE")
                        .value(class.to_string()),
                );
            }
        };
        match matched[i] {
            Some((j, via)) => {
                let l = &local.pupils[j];
                // built for each operation: most matched pupils need none
                let key = || student_key(p, cf, &l.id_locale);
                let decision_reason = |r: usize| format_compact!("decision:{}", rows[r].id);
                // codice fiscale
                if !cf.is_empty() && l.codice_fiscale.trimmed() != cf {
                    let reason = match via {
                        Via::IdSidi => CompactString::const_new("matched_by_id_sidi"),
                        Via::Decision(r) => decision_reason(r),
                        Via::Cf => CompactString::const_new("cf_normalized"),
                    };
                    out.ops.push(Operation::new(
                        OpKind::UpdateField,
                        key(),
                        Some(Field::CodiceFiscale.name()),
                        Some(Value::text(l.codice_fiscale.trimmed())),
                        Some(Value::text(cf)),
                        false,
                        reason,
                    ));
                }
                for f in Field::LOCKABLE {
                    if same_value(p, l, f) {
                        continue;
                    }
                    let to = sidi_value(p, f);
                    if to.is_empty() {
                        continue; // an empty SIDI value never blanks local data
                    }
                    out.ops.push(Operation::new(
                        OpKind::UpdateField,
                        key(),
                        Some(f.name()),
                        Some(Value::Text(local_value(l, f))),
                        Some(Value::Text(to)),
                        true,
                        "sidi_value_differs",
                    ));
                }
                let id = p.id_sidi.trimmed();
                if !id.is_empty() && l.id_sidi.trimmed() != id {
                    out.ops.push(Operation::new(
                        OpKind::LinkStudent,
                        key(),
                        Some("id_sidi"),
                        Some(Value::text(l.id_sidi.trimmed())),
                        Some(Value::text(id)),
                        false,
                        if l.id_sidi.trimmed().is_empty() {
                            "id_sidi_missing"
                        } else {
                            "id_sidi_differs"
                        },
                    ));
                }
                if let Some(fq) = p.current_frequenza() {
                    if fq.class != l.class {
                        match target(&fq.class) {
                            Ok(_) => out.ops.push(Operation::new(
                                OpKind::MoveStudent,
                                key(),
                                None,
                                Some(Value::class(&l.class)),
                                Some(Value::class(&fq.class)),
                                false,
                                "class_differs",
                            )),
                            Err(b) => hold(out, OpKind::MoveStudent, &fq.class, b),
                        }
                    }
                }
                let mut missing = FieldSet::default();
                for f in Field::LOCKABLE {
                    if !l.bloccati.contains(f) {
                        missing.insert(f);
                    }
                }
                if !missing.is_empty() {
                    out.ops.push(Operation::new(
                        OpKind::LockFields,
                        key(),
                        None,
                        Some(Value::fields(l.bloccati)),
                        Some(Value::fields(missing)),
                        true,
                        "not_locked",
                    ));
                }
            }
            None => {
                if sidi_pending[i] {
                    return; // waiting for a cf_mismatch decision
                }
                let Some(fq) = p.current_frequenza() else {
                    return; // transferred / withdrawn: nothing to insert
                };
                let (t, ind) = match target(&fq.class) {
                    Ok(v) => v,
                    Err(b) => {
                        hold(out, OpKind::InsertStudent, &fq.class, b);
                        return;
                    }
                };
                let base = if !p.id_sidi.trimmed().is_empty() {
                    format_compact!("{NEW_ID_PREFIX}{}", p.id_sidi.trimmed())
                } else {
                    format_compact!("{NEW_ID_PREFIX}{cf}")
                };
                // the key's id_locale (and so the op id) is settled later
                let key = student_key(p, cf, "");
                let mut rec: Vec<(CompactString, CompactString)> = vec![
                    ("id_sidi".into(), p.id_sidi.trimmed().into()),
                    ("codice_fiscale".into(), cf.into()),
                ];
                for f in Field::LOCKABLE {
                    rec.push((f.name().into(), sidi_value(p, f)));
                }
                rec.push(("sede".into(), fq.class.sede.clone()));
                rec.push(("anno".into(), fq.class.anno.clone()));
                rec.push(("sezione".into(), fq.class.sezione.clone()));
                rec.push(("tempo_scuola".into(), t.into()));
                rec.push(("indirizzo".into(), ind.into()));
                out.inserts.push((out.ops.len(), base));
                out.ops.push(Operation {
                    id: CompactString::default(),
                    op: OpKind::InsertStudent,
                    key,
                    field: None,
                    from: None,
                    to: Some(Value::Map(rec)),
                    lock: true,
                    reason: if rejected_sidi[i] {
                        "new_on_sidi_cf_mismatch_rejected"
                    } else {
                        "new_on_sidi"
                    }
                    .into(),
                });
            }
        }
    };
    // local ids a new one of insert_student could meet (only unmatched
    // pupils can need one; new ids all start with NEW_ID_PREFIX, so only
    // local ids that do are kept), collected beside the per-pupil pass
    let taken_ids = || -> HashSet<&str> {
        local
            .pupils
            .iter()
            .map(|l| l.id_locale.as_str())
            .filter(|id| id.starts_with(NEW_ID_PREFIX))
            .collect()
    };
    let (chunks, mut used_ids): (Vec<PupilOut>, Option<HashSet<&str>>) = {
        use rayon::prelude::*;
        rayon::join(
            || {
                sidi.pupils
                    .par_chunks(PUPIL_CHUNK)
                    .enumerate()
                    .map(|(c, ps)| {
                        let mut out = PupilOut::default();
                        for (n, p) in ps.iter().enumerate() {
                            pupil(c * PUPIL_CHUNK + n, p, &mut out);
                        }
                        out
                    })
                    .collect()
            },
            || matched.iter().any(Option::is_none).then(taken_ids),
        )
    };
    let mut pupil_excluded: Vec<Excluded> = Vec::new();
    let mut late_findings: Vec<Finding> = Vec::new();
    // ops from here on without an id yet: insert_student
    let pupil_ops_at = plan.ops.len();
    pupil_excluded.reserve(chunks.iter().map(|c| c.excluded.len()).sum());
    // the chunks' operations are moved into place side by side; the new
    // ids of insert_student are then given in pupil order
    let mut parts = Vec::with_capacity(chunks.len());
    let mut inserts: Vec<(usize, CompactString)> = Vec::new();
    let mut at = plan.ops.len();
    for c in chunks {
        inserts.extend(c.inserts.into_iter().map(|(k, base)| (at + k, base)));
        at += c.ops.len();
        parts.push(c.ops);
        plan.held_back.extend(c.held_back);
        late_findings.extend(c.late_findings);
        pupil_excluded.extend(c.excluded);
    }
    crate::util::append_parts(&mut plan.ops, parts);
    let mut new_ids: HashSet<CompactString> = HashSet::default();
    for (k, base) in inserts {
        let mut id_locale = base.clone();
        let mut n = 2;
        let used_ids = used_ids.get_or_insert_with(taken_ids);
        while used_ids.contains(id_locale.as_str()) || new_ids.contains(id_locale.as_str()) {
            id_locale = format_compact!("{base}-{n}");
            n += 1;
        }
        new_ids.insert(id_locale.clone());
        plan.ops[k].key.id_locale = Some(id_locale);
    }
    {
        use rayon::prelude::*;
        plan.ops[pupil_ops_at..]
            .par_iter_mut()
            .filter(|o| o.id.is_empty())
            .for_each(|o| o.id = o.derive_id());
    }
    // accepted local_only -> withdraw_student, in local order
    withdraw.sort_unstable();
    for (j, r) in withdraw {
        plan.ops.push(Operation::new(
            OpKind::WithdrawStudent,
            local_key(&local.pupils[j]),
            None,
            None,
            None,
            false,
            format_compact!("decision:{}", rows[r].id),
        ));
    }
    remove_class.sort_unstable();
    for (k, r) in remove_class {
        plan.ops.push(Operation::new(
            OpKind::RemoveClass,
            OpKey::class(&local.classes[k].key),
            None,
            None,
            None,
            false,
            format_compact!("decision:{}", rows[r].id),
        ));
    }
    findings.extend(late_findings);
    plan.excluded.splice(0..0, pupil_excluded);
    plan.findings = findings;
    Ok(plan)
}

fn school_info(sidi: &SidiExport) -> SchoolInfo {
    // distinct codes first (a school has a handful of sedi and one
    // frequenza or more per pupil), then sorted as a BTreeSet would be
    let mut seen: HashSet<Cow<str>> = HashSet::default();
    for s in &sidi.sedi {
        seen.insert(matching_key(&s.codice));
    }
    for c in &sidi.classes {
        seen.insert(Cow::Borrowed(c.key.sede.as_str()));
    }
    // the frequenze's codes, collected on chunks of pupils in parallel
    let of_pupils: HashSet<&str> = {
        use rayon::prelude::*;
        sidi.pupils
            .par_chunks(PUPIL_CHUNK)
            .map(|ps| {
                let mut seen: HashSet<&str> = HashSet::default();
                // pupils come class by class: a sede like the previous
                // one is not looked up again
                let mut last = None;
                for p in ps {
                    for f in &p.frequenze {
                        let sede = f.class.sede.as_str();
                        if last != Some(sede) {
                            seen.insert(sede);
                            last = Some(sede);
                        }
                    }
                }
                seen
            })
            .reduce(HashSet::default, |mut a, b| {
                a.extend(b);
                a
            })
    };
    seen.extend(of_pupils.into_iter().map(Cow::Borrowed));
    let mut sedi: Vec<String> = seen
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(Cow::into_owned)
        .collect();
    sedi.sort_unstable();
    SchoolInfo {
        codice_scuola: sidi.header.codice_scuola.trimmed().to_string(),
        anno_scolastico: sidi.header.anno_scolastico.trimmed().to_string(),
        sedi,
    }
}
