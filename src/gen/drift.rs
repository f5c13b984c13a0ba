//! Controlled drift between a SIDI export and the school's local export, and
//! the exact sync outcome (FORMATS.md section 3) each drift implies.
//!
//! The local export starts as the perfect image of SIDI after a sync (every
//! lockable field locked, `ID_ALUNNO_SIDI` set, local codes = ministry codes)
//! and then drifts. Every pupil takes at most one drift kind and every class
//! at most one, and the generator keeps (cognome, nome, data di nascita)
//! unique in a school, so no drift can turn into another case of the table.
//! `docs/gen.md` lists the operations each drift implies.

use super::rng::Rng;
use super::school::{add_days, omocodia, Registry};
use super::tables::{province_of, tables};
use crate::error::{Error, Message, Result};
use crate::model::{
    ClassKey, Field, FieldSet, LocalClass, LocalExport, LocalPupil, Ordine, Origin, Pupil,
    SidiExport,
};
use crate::util::fold_accents;
use crate::validate::cf;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Drift rates. Pupil rates are fractions of the pupils of each school
/// (their sum must not exceed 1: one drift kind per pupil); `extra` is local
/// pupils added per SIDI pupil; `classes` is split evenly between missing,
/// changed and extra local classes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Drift {
    pub fields: f64,
    pub moves: f64,
    pub missing: f64,
    pub extra: f64,
    pub cf: f64,
    pub locks: f64,
    pub links: f64,
    pub classes: f64,
    pub faulty: f64,
}

impl Default for Drift {
    fn default() -> Drift {
        Drift {
            fields: 0.05,
            moves: 0.03,
            missing: 0.02,
            extra: 0.01,
            cf: 0.01,
            locks: 0.3,
            links: 0.01,
            classes: 0.05,
            faulty: 0.002,
        }
    }
}

impl Drift {
    /// No drift at all: the local export is the exact image of SIDI.
    pub fn none() -> Drift {
        Drift {
            fields: 0.0,
            moves: 0.0,
            missing: 0.0,
            extra: 0.0,
            cf: 0.0,
            locks: 0.0,
            links: 0.0,
            classes: 0.0,
            faulty: 0.0,
        }
    }

    /// Parses `fields=0.05,moves=0.03,…` (keys not given keep their default),
    /// or `none` (all zero) optionally followed by overrides: `none,locks=0.5`.
    pub fn parse(s: &str) -> Result<Drift> {
        let mut d = Drift::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("none") {
                d = Drift::none();
                continue;
            }
            if part.eq_ignore_ascii_case("default") {
                d = Drift::default();
                continue;
            }
            let (k, v) = part.split_once('=').ok_or_else(|| {
                Error::Usage(Message::new(
                    format!("--drift: atteso CHIAVE=TASSO, trovato {part:?}"),
                    format!("--drift: expected KEY=RATE, got {part:?}"),
                ))
            })?;
            let v: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && (0.0..=1.0).contains(x))
                .ok_or_else(|| {
                    Error::Usage(Message::new(
                        format!("--drift: {k} vuole un tasso tra 0 e 1, trovato {v:?}"),
                        format!("--drift: {k} needs a rate between 0 and 1, got {v:?}"),
                    ))
                })?;
            let slot = match k.trim().to_ascii_lowercase().as_str() {
                "fields" => &mut d.fields,
                "moves" => &mut d.moves,
                "missing" => &mut d.missing,
                "extra" => &mut d.extra,
                "cf" => &mut d.cf,
                "locks" => &mut d.locks,
                "links" => &mut d.links,
                "classes" => &mut d.classes,
                "faulty" => &mut d.faulty,
                other => {
                    return Err(Error::Usage(Message::new(
                        format!(
                            "--drift: chiave {other:?} sconosciuta (fields, moves, missing, extra, cf, locks, links, classes, faulty)"
                        ),
                        format!(
                            "--drift: unknown key {other:?} (fields, moves, missing, extra, cf, locks, links, classes, faulty)"
                        ),
                    )))
                }
            };
            *slot = v;
        }
        d.check()?;
        Ok(d)
    }

    /// Refuses pupil rates that add up to more than 1.
    pub fn check(&self) -> Result<()> {
        let sum = self.pupil_sum();
        if sum > 1.0 + 1e-9 {
            return Err(Error::Usage(Message::new(
                format!(
                    "--drift: i tassi per alunno (fields, moves, missing, cf, locks, links, faulty) sommano a {sum:.3}, più di 1"
                ),
                format!(
                    "--drift: the pupil rates (fields, moves, missing, cf, locks, links, faulty) add up to {sum:.3}, more than 1"
                ),
            )));
        }
        Ok(())
    }

    fn pupil_sum(&self) -> f64 {
        self.fields + self.moves + self.missing + self.cf + self.locks + self.links + self.faulty
    }
}

/// The drift of one SIDI pupil.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PupilDrift {
    /// One lockable field differs locally -> one `update_field`.
    Field(Field),
    /// Local class differs -> `move_student`.
    Move,
    /// Absent locally -> `insert_student`.
    Missing,
    /// Local CF wrong, same cognome/nome/data, no local id -> `cf_mismatch`.
    CfMismatch,
    /// Local CF and birth date wrong, id kept -> `update_field` of
    /// codice_fiscale and of data_nascita.
    CfUpdate,
    /// Some lockable fields not in BLOCCATI -> `lock_fields`.
    Lock,
    /// Never synced locally: no id, nothing locked -> `link_student` + `lock_fields`.
    Link,
    /// SIDI CF with a wrong check character -> excluded, nothing else.
    BadCheck,
    /// SIDI record carrying the CF of pupil `usize` (both excluded); absent
    /// locally (only the other one is there): nothing else.
    DuplicateOf(usize),
    /// The pupil whose CF another one carries (excluded), nothing else.
    DuplicateSource,
}

/// The drift of one SIDI class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassDrift {
    /// Absent locally with all its pupils -> `create_class` + one
    /// `insert_student` per attending pupil.
    Missing,
    /// Local tempo scuola (or indirizzo) differs -> `update_class`.
    Changed,
}

/// Which record takes which drift.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub pupils: Vec<(usize, PupilDrift)>,
    pub classes: Vec<(usize, ClassDrift)>,
    /// Local pupils absent from SIDI.
    pub extra_pupils: usize,
    /// Local classes absent from SIDI.
    pub extra_classes: usize,
}

fn current_class(p: &Pupil) -> Option<&ClassKey> {
    p.current_frequenza().map(|f| &f.class)
}

impl Plan {
    /// Draws a plan for `export` from rates.
    pub fn from_rates(export: &SidiExport, d: &Drift, rng: &mut Rng) -> Plan {
        let mut plan = Plan::default();
        let nc = export.classes.len();
        let mut cidx: Vec<usize> = (0..nc).collect();
        rng.shuffle(&mut cidx);
        let k_missing = rng.count(d.classes / 3.0, nc);
        let k_changed = rng.count(d.classes / 3.0, nc).min(nc - k_missing);
        plan.extra_classes = rng.count(d.classes / 3.0, nc);
        // keep at least one local class so moves and extra pupils have a home
        let k_missing = k_missing.min(nc.saturating_sub(1));
        let mut missing_keys = HashSet::new();
        for &c in &cidx[..k_missing] {
            plan.classes.push((c, ClassDrift::Missing));
            missing_keys.insert(export.classes[c].key.clone());
        }
        for &c in &cidx[k_missing..k_missing + k_changed.min(nc - k_missing)] {
            plan.classes.push((c, ClassDrift::Changed));
        }
        let mut eligible: Vec<usize> = (0..export.pupils.len())
            .filter(|&i| {
                current_class(&export.pupils[i]).is_some_and(|k| !missing_keys.contains(k))
            })
            .collect();
        rng.shuffle(&mut eligible);
        let n = eligible.len();
        let mut it = eligible.into_iter().peekable();
        let faulty = rng.count(d.faulty, n);
        let mut taken = 0;
        while taken < faulty && it.peek().is_some() {
            let a = it.next().expect("peeked");
            if rng.chance(0.5) && taken + 2 <= faulty.max(2) {
                if let Some(b) = it.next() {
                    plan.pupils.push((a, PupilDrift::DuplicateSource));
                    plan.pupils.push((b, PupilDrift::DuplicateOf(a)));
                    taken += 2;
                    continue;
                }
            }
            plan.pupils.push((a, PupilDrift::BadCheck));
            taken += 1;
        }
        let local_classes = nc - k_missing;
        let kinds: [(f64, u8); 6] = [
            (d.fields, 0),
            (if local_classes >= 2 { d.moves } else { 0.0 }, 1),
            (d.missing, 2),
            (d.cf, 3),
            (d.links, 4),
            (d.locks, 5),
        ];
        for (rate, kind) in kinds {
            for _ in 0..rng.count(rate, n) {
                let Some(i) = it.next() else { break };
                let drift = match kind {
                    0 => {
                        let x = rng.below(100);
                        PupilDrift::Field(match x {
                            0..=34 => Field::Cognome,
                            35..=59 => Field::Nome,
                            60..=74 => Field::DataNascita,
                            75..=86 => Field::LuogoNascita,
                            87..=94 => Field::Cittadinanza,
                            _ => Field::Sesso,
                        })
                    }
                    1 => PupilDrift::Move,
                    2 => PupilDrift::Missing,
                    3 if rng.chance(0.5) => PupilDrift::CfMismatch,
                    3 => PupilDrift::CfUpdate,
                    4 => PupilDrift::Link,
                    _ => PupilDrift::Lock,
                };
                plan.pupils.push((i, drift));
            }
        }
        plan.extra_pupils = rng.count(d.extra, export.pupils.len());
        plan
    }
}

/// Counts of one sync outcome, in the shape of the manifest's `counts`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    pub ops: BTreeMap<&'static str, u64>,
    pub review: BTreeMap<&'static str, u64>,
    pub excluded_records: u64,
}

pub const OP_KINDS: [&str; 7] = [
    "insert_student",
    "update_field",
    "link_student",
    "move_student",
    "lock_fields",
    "create_class",
    "update_class",
];
pub const REVIEW_KINDS: [&str; 3] = ["cf_mismatch", "local_only", "class_local_only"];

impl Counts {
    pub fn zero() -> Counts {
        Counts {
            ops: OP_KINDS.iter().map(|k| (*k, 0)).collect(),
            review: REVIEW_KINDS.iter().map(|k| (*k, 0)).collect(),
            excluded_records: 0,
        }
    }
    fn op(&mut self, k: &'static str, n: u64) {
        *self.ops.entry(k).or_default() += n;
    }
    fn review(&mut self, k: &'static str, n: u64) {
        *self.review.entry(k).or_default() += n;
    }
    pub fn add(&mut self, o: &Counts) {
        for (k, v) in &o.ops {
            self.op(k, *v);
        }
        for (k, v) in &o.review {
            self.review(k, *v);
        }
        self.excluded_records += o.excluded_records;
    }
}

/// How many records each drift kind touched.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Applied {
    pub fields: u64,
    pub moves: u64,
    pub missing: u64,
    pub extra: u64,
    pub cf_mismatch: u64,
    pub cf_update: u64,
    pub locks: u64,
    pub links: u64,
    pub faulty_check_char: u64,
    pub faulty_duplicate_cf: u64,
    pub classes_missing: u64,
    pub classes_changed: u64,
    pub classes_extra: u64,
}

/// Title case of an upper-case Italian name: `D'AMICO` -> `D'Amico`.
pub fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// The way people type a final accent on a keyboard without it: `NICOLÒ` -> `NICOLO'`.
fn apostrophe_accent(s: &str) -> Option<String> {
    let last = s.chars().last()?;
    let base = match last {
        'À' => 'A',
        'È' | 'É' => 'E',
        'Ì' => 'I',
        'Ò' => 'O',
        'Ù' => 'U',
        _ => return None,
    };
    let mut t: String = s.chars().take(s.chars().count() - 1).collect();
    t.push(base);
    t.push('\'');
    Some(t)
}

fn folded_key(cognome: &str, nome: &str, d: Option<crate::date::Date>) -> (String, String, String) {
    (
        fold_accents(cognome.trim()),
        fold_accents(nome.trim()),
        d.map(|d| d.to_string()).unwrap_or_default(),
    )
}

fn image(p: &Pupil, id_locale: String, class: &LocalClass, origin: &Origin) -> LocalPupil {
    LocalPupil {
        id_locale: id_locale.into(),
        id_sidi: p.id_sidi.clone(),
        codice_fiscale: p.codice_fiscale.clone(),
        cognome: p.cognome.clone(),
        nome: p.nome.clone(),
        sesso: p.sesso.clone(),
        data_nascita_raw: p
            .data_nascita
            .map(|d| d.to_italian())
            .unwrap_or_default()
            .into(),
        data_nascita: p.data_nascita,
        luogo_nascita: p.luogo_nascita.clone(),
        cittadinanza: p.cittadinanza.clone(),
        class: class.key.clone(),
        tempo_scuola: class.tempo_scuola.clone(),
        indirizzo: class.indirizzo.clone(),
        bloccati: FieldSet::all_lockable(),
        origin: origin.clone(),
    }
}

fn other_code(code: &str, indirizzo: bool, school_codes: &[String], rng: &mut Rng) -> String {
    let family: &[&str] = if indirizzo {
        &[]
    } else {
        match code.chars().next() {
            Some('0') => &["01", "02", "03"],
            Some('1') => &["10", "11", "12", "13"],
            Some('2') => &["20", "21", "22"],
            _ => &["30", "31"],
        }
    };
    let mut pool: Vec<String> = if indirizzo {
        school_codes
            .iter()
            .filter(|c| *c != code)
            .cloned()
            .collect()
    } else {
        family
            .iter()
            .filter(|c| **c != code)
            .map(|c| c.to_string())
            .collect()
    };
    if pool.is_empty() {
        pool = ["LI02", "LI03", "IT01"]
            .iter()
            .filter(|c| **c != code)
            .map(|c| c.to_string())
            .collect();
    }
    pool[rng.index(pool.len())].clone()
}

/// The outcome of applying a plan.
pub struct Drifted {
    pub local: LocalExport,
    pub counts: Counts,
    pub applied: Applied,
}

/// Applies `plan`: mutates the SIDI export (faulty records) and builds the
/// drifted local export with the counts a sync must report.
pub fn apply(export: &mut SidiExport, plan: &Plan, rng: &mut Rng, reg: &mut Registry) -> Drifted {
    let origin = export
        .header
        .origin
        .clone()
        .unwrap_or_else(|| Origin::new(&std::sync::Arc::from("gen"), 0, 0));
    let province = province_of(&export.header.codice_scuola).to_string();
    let mut counts = Counts::zero();
    let mut applied = Applied::default();

    // Classes.
    let mut local_classes: Vec<LocalClass> = export
        .classes
        .iter()
        .map(|c| LocalClass {
            key: c.key.clone(),
            tempo_scuola: c.tempo_scuola.clone(),
            indirizzo: c.indirizzo.clone(),
            origin: origin.clone(),
        })
        .collect();
    let indirizzi: Vec<String> = {
        let mut v: Vec<String> = export
            .classes
            .iter()
            .filter(|c| !c.indirizzo.is_empty())
            .map(|c| c.indirizzo.to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let mut missing_classes = HashSet::new();
    for &(ci, d) in &plan.classes {
        match d {
            ClassDrift::Missing => {
                missing_classes.insert(export.classes[ci].key.clone());
                counts.op("create_class", 1);
                applied.classes_missing += 1;
            }
            ClassDrift::Changed => {
                let lc = &mut local_classes[ci];
                if lc.indirizzo.is_empty() {
                    lc.tempo_scuola = other_code(&lc.tempo_scuola, false, &indirizzi, rng).into();
                } else {
                    lc.indirizzo = other_code(&lc.indirizzo, true, &indirizzi, rng).into();
                }
                counts.op("update_class", 1);
                applied.classes_changed += 1;
            }
        }
    }
    local_classes.retain(|c| !missing_classes.contains(&c.key));
    // Extra local classes: a new sezione next to an existing class.
    let mut keys: HashSet<ClassKey> = export.classes.iter().map(|c| c.key.clone()).collect();
    for _ in 0..plan.extra_classes {
        if export.classes.is_empty() {
            break;
        }
        let base = export.classes[rng.index(export.classes.len())].clone();
        let key = (0..100)
            .map(|k| {
                let sez = if k < 4 {
                    ["Z", "X", "W", "Y"][k].to_string()
                } else {
                    format!("Z{}", k)
                };
                ClassKey::new(&base.key.sede, &base.key.anno, &sez)
            })
            .find(|k| !keys.contains(k));
        let Some(key) = key else { continue };
        keys.insert(key.clone());
        local_classes.push(LocalClass {
            key,
            tempo_scuola: base.tempo_scuola.clone(),
            indirizzo: base.indirizzo.clone(),
            origin: origin.clone(),
        });
        counts.review("class_local_only", 1);
        applied.classes_extra += 1;
    }
    local_classes.sort_by(|a, b| a.key.cmp(&b.key));
    let class_index: HashMap<ClassKey, usize> = local_classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.clone(), i))
        .collect();
    // Classes that exist on both sides: homes for moved and extra pupils.
    let sidi_keys: HashSet<&ClassKey> = export.classes.iter().map(|c| &c.key).collect();
    let shared: Vec<usize> = local_classes
        .iter()
        .enumerate()
        .filter(|(_, c)| sidi_keys.contains(&c.key))
        .map(|(i, _)| i)
        .collect();

    // Local ids: a shuffled run of numbers.
    let total_local = export.pupils.len() + plan.extra_pupils;
    let base_id = rng.range(1000, 90_000) as usize;
    let mut ids: Vec<usize> = (base_id..base_id + total_local).collect();
    rng.shuffle(&mut ids);
    let mut ids = ids.into_iter().map(|n| format!("{n:06}"));

    let drift_of: HashMap<usize, PupilDrift> = plan.pupils.iter().copied().collect();
    // Folded identity triples of SIDI pupils, to keep local changes from
    // creating an accidental cf_mismatch candidate.
    let mut triples: HashSet<(String, String, String)> = export
        .pupils
        .iter()
        .map(|p| folded_key(&p.cognome, &p.nome, p.data_nascita))
        .collect();

    let mut local = Vec::with_capacity(total_local);
    let mut dup_sources: Vec<(usize, usize)> = Vec::new();
    for (i, p) in export.pupils.iter().enumerate() {
        let Some(ck) = current_class(p) else { continue };
        if missing_classes.contains(ck) {
            counts.op("insert_student", 1);
            continue;
        }
        let Some(&lci) = class_index.get(ck) else {
            continue;
        };
        let mut lp = image(
            p,
            ids.next().unwrap_or_default(),
            &local_classes[lci],
            &origin,
        );
        match drift_of.get(&i).copied() {
            None => {}
            Some(PupilDrift::Field(f))
                if change_field(&mut lp, p, f, &province, &mut triples, rng) =>
            {
                counts.op("update_field", 1);
                applied.fields += 1;
            }
            Some(PupilDrift::Field(_)) => {}
            Some(PupilDrift::Move) => {
                let same: Vec<usize> = shared
                    .iter()
                    .copied()
                    .filter(|&j| {
                        j != lci
                            && local_classes[j].key.sede == ck.sede
                            && local_classes[j].key.anno == ck.anno
                    })
                    .collect();
                let pool: Vec<usize> = if same.is_empty() {
                    shared.iter().copied().filter(|&j| j != lci).collect()
                } else {
                    same
                };
                if !pool.is_empty() {
                    let t = &local_classes[pool[rng.index(pool.len())]];
                    lp.class = t.key.clone();
                    lp.tempo_scuola = t.tempo_scuola.clone();
                    lp.indirizzo = t.indirizzo.clone();
                    counts.op("move_student", 1);
                    applied.moves += 1;
                }
            }
            Some(PupilDrift::Missing) => {
                counts.op("insert_student", 1);
                applied.missing += 1;
                continue;
            }
            Some(PupilDrift::CfMismatch) => {
                if let Some(code) = wrong_cf(p, p.data_nascita, &province, reg, rng) {
                    lp.codice_fiscale = code.into();
                    lp.id_sidi.clear();
                    counts.review("cf_mismatch", 1);
                    applied.cf_mismatch += 1;
                }
            }
            Some(PupilDrift::CfUpdate) => {
                if let Some(d) = p.data_nascita {
                    let wrong = [1i64, -1, 2, -2, 10, -10]
                        .iter()
                        .map(|&k| add_days(d, k))
                        .find(|nd| !triples.contains(&folded_key(&p.cognome, &p.nome, Some(*nd))));
                    if let Some(nd) = wrong {
                        if let Some(code) = wrong_cf(p, Some(nd), &province, reg, rng) {
                            triples.insert(folded_key(&p.cognome, &p.nome, Some(nd)));
                            lp.codice_fiscale = code.into();
                            lp.data_nascita = Some(nd);
                            lp.data_nascita_raw = nd.to_italian().into();
                            counts.op("update_field", 2);
                            applied.cf_update += 1;
                        }
                    }
                }
            }
            Some(PupilDrift::Lock) => {
                let mut set = FieldSet::default();
                let keep = rng.below(Field::LOCKABLE.len() as u64) as usize;
                let mut fields = Field::LOCKABLE;
                rng.shuffle(&mut fields);
                for f in &fields[..keep] {
                    set.insert(*f);
                }
                lp.bloccati = set;
                counts.op("lock_fields", 1);
                applied.locks += 1;
            }
            Some(PupilDrift::Link) => {
                lp.id_sidi.clear();
                lp.bloccati = FieldSet::default();
                counts.op("link_student", 1);
                counts.op("lock_fields", 1);
                applied.links += 1;
            }
            Some(PupilDrift::BadCheck) => {
                counts.excluded_records += 1;
                applied.faulty_check_char += 1;
            }
            Some(PupilDrift::DuplicateOf(a)) => {
                // SIDI carries a second record with the codice fiscale of
                // `a`; the local database only knows `a`.
                dup_sources.push((a, i));
                counts.excluded_records += 1;
                applied.faulty_duplicate_cf += 1;
                continue;
            }
            Some(PupilDrift::DuplicateSource) => {
                counts.excluded_records += 1;
            }
        }
        local.push(lp);
    }
    // Faulty SIDI records: a wrong check character (the local image carries
    // the same faulty code), or a codice fiscale copied from another pupil.
    let mut bad_local: HashMap<String, String> = HashMap::new();
    for &(i, d) in &plan.pupils {
        if d == PupilDrift::BadCheck {
            let p = &mut export.pupils[i];
            let mut b = p.codice_fiscale.as_bytes().to_vec();
            let good = b[15];
            b[15] = b'A' + ((good - b'A' + 1 + rng.below(24) as u8) % 26);
            let bad = String::from_utf8(b).unwrap_or_default();
            bad_local.insert(p.id_sidi.to_string(), bad.clone());
            p.codice_fiscale = bad.into();
            p.stato_cf = "N".into();
        }
    }
    for lp in &mut local {
        if let Some(bad) = bad_local.get(lp.id_sidi.as_str()) {
            lp.codice_fiscale = bad.clone().into();
        }
    }
    for (a, b) in dup_sources {
        let code = export.pupils[a].codice_fiscale.clone();
        export.pupils[b].codice_fiscale = code;
    }

    // Extra local pupils: left the school, still in the local database.
    let homes: Vec<usize> = if shared.is_empty() {
        (0..local_classes.len()).collect()
    } else {
        shared.clone()
    };
    for _ in 0..plan.extra_pupils {
        if homes.is_empty() {
            break;
        }
        let c = &local_classes[homes[rng.index(homes.len())]];
        let ord = ordine_of(export, &c.key);
        let anno = c.key.anno_num().unwrap_or(0);
        let p = super::school::new_pupil(rng, reg, &origin, ord, anno, &province);
        let stale = rng.chance(0.5);
        let mut lp = image(&p, ids.next().unwrap_or_default(), c, &origin);
        if stale {
            lp.id_sidi = reg.new_id(rng).into();
        } else {
            lp.id_sidi.clear();
            lp.bloccati = FieldSet::default();
        }
        local.push(lp);
        counts.review("local_only", 1);
        applied.extra += 1;
    }
    local.sort_by(|a, b| {
        (&a.class, &a.cognome, &a.nome, &a.id_locale).cmp(&(
            &b.class,
            &b.cognome,
            &b.nome,
            &b.id_locale,
        ))
    });
    Drifted {
        local: LocalExport {
            pupils: local,
            classes: local_classes,
            classes_declared: true,
            sources: Vec::new(),
        },
        counts,
        applied,
    }
}

fn ordine_of(e: &SidiExport, k: &ClassKey) -> Ordine {
    e.sedi
        .iter()
        .find(|s| s.codice == k.sede)
        .and_then(|s| Ordine::from_code(&s.ordine))
        .unwrap_or(Ordine::Primaria)
}

/// A valid personal code for the pupil as the local package might have
/// computed it (another birthplace, or from a wrong birth date), unique.
fn wrong_cf(
    p: &Pupil,
    birth: Option<crate::date::Date>,
    province: &str,
    reg: &mut Registry,
    rng: &mut Rng,
) -> Option<String> {
    let birth = birth?;
    let sex = p.sesso.chars().next().unwrap_or('M');
    let t = tables();
    for attempt in 0..40 {
        let place = if attempt == 0 && birth != p.data_nascita? {
            p.luogo_nascita.clone()
        } else {
            t.comune_on(Some(province), super::school::ymd(birth), rng)
                .into()
        };
        let mut code = cf::encode(&p.cognome, &p.nome, birth, sex, &place);
        if rng.chance(0.1) {
            code = omocodia(&code, 0x40);
        }
        if code != p.codice_fiscale && reg.cfs.insert(code.clone()) {
            return Some(code);
        }
    }
    None
}

/// Changes one lockable field of the local image so it differs from SIDI;
/// false when no safe change exists (then the pupil keeps no drift).
fn change_field(
    lp: &mut LocalPupil,
    p: &Pupil,
    f: Field,
    province: &str,
    triples: &mut HashSet<(String, String, String)>,
    rng: &mut Rng,
) -> bool {
    let own = folded_key(&p.cognome, &p.nome, p.data_nascita);
    let ok = |t: &HashSet<(String, String, String)>, c: &str, n: &str, d| {
        let k = folded_key(c, n, d);
        k == own || !t.contains(&k)
    };
    match f {
        Field::Cognome | Field::Nome => {
            let v = if f == Field::Cognome {
                &p.cognome
            } else {
                &p.nome
            };
            let mut opts = vec![title_case(v)];
            if let Some(a) = apostrophe_accent(v) {
                opts.push(a);
            }
            if v.contains('\'') {
                opts.push(v.replace('\'', ""));
                opts.push(v.replace('\'', " "));
            }
            let pick = opts[rng.index(opts.len())].clone();
            if pick.trim() == v.trim() {
                return false;
            }
            let (c, n) = if f == Field::Cognome {
                (pick.as_str(), p.nome.as_str())
            } else {
                (p.cognome.as_str(), pick.as_str())
            };
            if !ok(triples, c, n, p.data_nascita) {
                return false;
            }
            triples.insert(folded_key(c, n, p.data_nascita));
            if f == Field::Cognome {
                lp.cognome = pick.into();
            } else {
                lp.nome = pick.into();
            }
            true
        }
        Field::Sesso => {
            lp.sesso = if p.sesso == "M" { "F" } else { "M" }.into();
            true
        }
        Field::DataNascita => {
            let Some(d) = p.data_nascita else {
                return false;
            };
            let mut cands = Vec::new();
            if d.day() <= 12 && d.day() != d.month() {
                if let Some(sw) = crate::date::Date::new(d.year(), d.day(), d.month()) {
                    cands.push(sw);
                }
            }
            cands.extend([1i64, -1, 3].iter().map(|&k| add_days(d, k)));
            let Some(nd) = cands
                .into_iter()
                .find(|nd| ok(triples, &p.cognome, &p.nome, Some(*nd)))
            else {
                return false;
            };
            triples.insert(folded_key(&p.cognome, &p.nome, Some(nd)));
            lp.data_nascita = Some(nd);
            lp.data_nascita_raw = nd.to_italian().into();
            true
        }
        Field::LuogoNascita => {
            let t = tables();
            let day = p.data_nascita.map(super::school::ymd).unwrap_or(20_150_101);
            for _ in 0..16 {
                let c = t.comune_on(Some(province), day, rng);
                if c != p.luogo_nascita {
                    lp.luogo_nascita = c.into();
                    return true;
                }
            }
            false
        }
        Field::Cittadinanza => {
            lp.cittadinanza = if p.cittadinanza == "Z000" {
                tables().countries.pick(rng).into()
            } else {
                "Z000".into()
            };
            lp.cittadinanza != p.cittadinanza
        }
        Field::CodiceFiscale => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_drift() {
        let d = Drift::parse("fields=0.1, moves=0,locks=0.5").unwrap();
        assert_eq!(d.fields, 0.1);
        assert_eq!(d.moves, 0.0);
        assert_eq!(d.locks, 0.5);
        assert_eq!(d.cf, Drift::default().cf);
        assert_eq!(Drift::parse("none").unwrap(), Drift::none());
        assert_eq!(Drift::parse("none,links=0.2").unwrap().links, 0.2);
        assert!(matches!(Drift::parse("foo=1"), Err(Error::Usage(_))));
        assert!(matches!(Drift::parse("fields=2"), Err(Error::Usage(_))));
        assert!(matches!(Drift::parse("fields"), Err(Error::Usage(_))));
        assert!(matches!(
            Drift::parse("fields=0.5,locks=0.6"),
            Err(Error::Usage(_))
        ));
    }
    #[test]
    fn spelling_variants() {
        assert_eq!(title_case("D'AMICO"), "D'Amico");
        assert_eq!(title_case("DE LUCA"), "De Luca");
        assert_eq!(title_case("NICOLÒ"), "Nicolò");
        assert_eq!(apostrophe_accent("NICOLÒ").as_deref(), Some("NICOLO'"));
        assert_eq!(apostrophe_accent("ROSSI"), None);
    }
}
