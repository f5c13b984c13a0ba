//! `report.html`: the self-contained page a school secretary reads after a
//! sync (Italian by default, English with `--lang en`).
//!
//! Two steps on purpose: [`gather_with`] collects everything the report
//! shows into a [`ReportData`] (plain data, texts already in the chosen
//! language, from the catalogue in [`crate::messages`]), and [`render_html`]
//! turns it into one HTML page: inline CSS, a small inline script (filter
//! box), inline SVG charts, no external resource of any kind (a Content
//! Security Policy forbids network access), printable on A4.
//!
//! Names and codici fiscali enter `ReportData` only through [`People`]
//! (`People::name`, `People::cf`): pseudonymising the report is a change
//! there and nowhere else.
//!
//! Deterministic: the same plan, inputs and time give the same bytes.

use crate::findings::{Finding, FindingCode, Severity};
use crate::messages::{self, count_phrase, phrase, thousands, Lang, Ui};
use crate::model::Trimmed;
use crate::model::{
    class_parts, ClassKey, CompactString, Field, FieldSet, LocalExport, SidiExport,
};
use crate::privacy::{PersonalKind, Redactor};
use crate::sync::engine::Plan;
use crate::sync::ops::{OpKey, OpKind, Operation, ReviewDetail, ReviewItem, Value};
use crate::util::{FastMap as HashMap, FastSet as HashSet};
use crate::write::patch::xml_escape;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the report may look up besides the plan: the exports it was made
/// from (names, sedi, pupils per class). Both optional: without them the
/// report shows identifiers instead of names and no per-class table.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportContext<'a> {
    pub sidi: Option<&'a SidiExport>,
    pub local: Option<&'a LocalExport>,
    /// `--redact`: names and codici fiscali become stable pseudonyms.
    pub redactor: Option<&'a Redactor>,
    /// The class counts of `local` and `sidi`, when counted beforehand
    /// ([`PupilTally::of`], which a sync runs beside the plan); else the
    /// report counts them itself.
    pub tally: Option<&'a PupilTally<'a>>,
}

/// The report's per-class pupil counts (local before, SIDI), which need
/// only the two exports: a sync counts them while it plans.
#[derive(Debug)]
pub struct PupilTally<'a>(Tally<'a>);

impl<'a> PupilTally<'a> {
    /// Counts the pupils of `local` and `sidi` per class.
    pub fn of(local: &'a LocalExport, sidi: Option<&'a SidiExport>) -> PupilTally<'a> {
        PupilTally(Tally::of_pupils(local, sidi))
    }
}

/// Headline numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Automatic operations (all kinds).
    pub auto: usize,
    pub inserts: usize,
    pub decisions: usize,
    pub errors: usize,
    pub warnings: usize,
    pub excluded: usize,
}

/// One class of a sede: pupils before and after the patch, and on SIDI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassRow {
    pub key: ClassKey,
    /// `1A`, `A` (infanzia without anno)…
    pub label: String,
    /// Pupils in the local database now (`None`: class not there).
    pub before: Option<usize>,
    /// Pupils once the patch is applied (`None`: class removed / not there).
    pub after: Option<usize>,
    /// Attending pupils on SIDI (`None`: class not on SIDI).
    pub sidi: Option<usize>,
    /// Operations touching the class or its pupils.
    pub changes: usize,
    pub anchor: String,
}

/// One sede with its classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SedeBlock {
    pub code: String,
    /// Denominazione from the SIDI export (empty when unknown).
    pub name: String,
    pub classes: Vec<ClassRow>,
}

/// One operation as a person reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRow {
    pub id: CompactString,
    /// Anchor of the record (first row of a record only).
    pub anchor: Option<String>,
    /// Pupil name or class, as shown.
    pub who: String,
    /// Codice fiscale (pupils) or empty.
    pub cf: String,
    pub class: String,
    pub field: String,
    pub old: String,
    pub new: String,
    pub locked: bool,
}

/// Operations of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpGroup {
    pub kind: OpKind,
    pub label: String,
    pub description: String,
    pub rows: Vec<OpRow>,
}

/// The `lock_fields` operations (one per pupil whose SIDI-managed fields
/// are not all locked yet), summed up instead of listed: a lock changes no
/// value, and a school's first sync has one for every pupil. The list pupil
/// by pupil is in the patch files; the report names no pupil here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockSummary {
    /// The group's heading (the kind's label).
    pub label: String,
    /// What a lock does, one line.
    pub description: String,
    /// `lock_fields` operations, one per pupil.
    pub pupils: usize,
    /// The fields some operation locks (patch names: `cognome`…), in the
    /// patches' order (codice_fiscale, cognome, nome, sesso, data_nascita,
    /// luogo_nascita, cittadinanza), then any other name, sorted.
    pub fields: Vec<String>,
    /// The group in one sentence: "18.291 alunni: vengono bloccati i campi
    /// cognome, nome, … L'elenco alunno per alunno è nel pacchetto …".
    pub text: String,
    /// One row per local class of the pupils, in the order of the classes'
    /// tables; the pupils with no known local class last, in one row.
    pub classes: Vec<LockClassRow>,
}

/// The locks of the pupils of one class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockClassRow {
    /// The pupils' local class; `None` for the pupils with no known one.
    pub class: Option<ClassKey>,
    /// `1A · BOEE83501Q`; `—` without a class.
    pub label: String,
    /// `lock_fields` operations of the class's pupils.
    pub pupils: usize,
    /// The fields locked in the class, as [`LockSummary::fields`].
    pub fields: Vec<String>,
}

/// One review item as a person reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: String,
    pub anchor: Option<String>,
    pub who: String,
    pub cf: String,
    pub detail: String,
}

/// Review items of one kind, with what each answer does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewGroup {
    pub kind: &'static str,
    pub label: String,
    pub accept: String,
    pub reject: String,
    pub rows: Vec<ReviewRow>,
}

/// One finding line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRow {
    pub location: String,
    /// Who or what: pupil name, class, or the record identity.
    pub who: String,
    pub message: String,
    /// `#anchor` of the record elsewhere in the report, when it has one.
    pub link: Option<String>,
}

/// Findings of one code, with the action to take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingGroup {
    pub code: &'static str,
    pub error: bool,
    pub title: String,
    pub action: String,
    pub rows: Vec<FindingRow>,
}

/// A SIDI record kept out of the sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExcludedRow {
    pub anchor: Option<String>,
    pub who: String,
    pub location: String,
    /// Problem titles, `; `-joined.
    pub problems: String,
}

/// Everything the report shows, texts in `lang`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportData {
    pub lang: Lang,
    pub codice_scuola: String,
    pub anno_scolastico: String,
    /// `dd/mm/yyyy hh:mm`, or as written in the export; empty when unknown.
    pub data_estrazione: String,
    /// `dd/mm/yyyy hh:mm UTC`.
    pub generated_at: String,
    /// One sentence: "124 alunni da inserire, 12 decisioni da prendere, …".
    pub verdict: String,
    pub counts: Counts,
    /// (kind, label, count) for every kind with operations.
    pub op_counts: Vec<(OpKind, String, usize)>,
    pub sedi: Vec<SedeBlock>,
    pub review: Vec<ReviewGroup>,
    pub findings: Vec<FindingGroup>,
    /// The operations of every kind but `lock_fields`, a group per kind.
    pub ops: Vec<OpGroup>,
    /// The `lock_fields` operations, summed up (`None`: there are none);
    /// shown among [`ReportData::ops`] where their kind comes.
    pub locks: Option<LockSummary>,
    pub excluded: Vec<ExcludedRow>,
    /// (operation, who, class, reason)
    pub held_back: Vec<[String; 4]>,
    /// (id, kind, line)
    pub rejected: Vec<[String; 3]>,
}

/// No slot: an operation's key that is missing or empty.
const NO_SLOT: u32 = u32::MAX;

/// The one place names and codici fiscali pass through on their way into
/// the report (a redacting variant changes [`People::name`] and
/// [`People::cf`]), plus the look-ups from keys to people.
pub struct People<'a> {
    /// cf / id SIDI / id locale -> its slot in `names` and `classes`, for
    /// the keys the report asks for
    slot: KeySlots<'a>,
    /// (cognome, nome) of the key of each slot (`None`: no pupil has it)
    names: Vec<Option<(&'a str, &'a str)>>,
    /// the local class of the pupil whose id locale is the key of each slot
    classes: Vec<Option<&'a ClassKey>>,
    /// per operation of the plan: the slots of its id SIDI, codice fiscale
    /// and id locale ([`NO_SLOT`] for a missing or empty one), so that the
    /// operations' rows find their pupil without hashing the keys again
    op_slots: Vec<[u32; 3]>,
    /// sede code -> denominazione
    sede_names: HashMap<&'a str, &'a str>,
    /// Present and on with `--redact`.
    redactor: Option<&'a Redactor>,
}

/// Keys and their slots (in the order first asked for): a table of slot
/// numbers, the keys kept once, in slot order.
struct KeySlots<'a> {
    slots: crate::util::Positions,
    keys: Vec<&'a str>,
}

impl<'a> KeySlots<'a> {
    fn with_capacity(n: usize) -> KeySlots<'a> {
        KeySlots {
            slots: crate::util::Positions::with_capacity(n),
            keys: Vec::with_capacity(n),
        }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    /// The slot of `k`, a new one when it has none yet.
    fn want(&mut self, k: &'a str) -> u32 {
        let n = self.keys.len();
        match self.slots.first(k, n, |i| self.keys[i]) {
            Some(i) => i as u32,
            None => {
                self.keys.push(k);
                n as u32
            }
        }
    }

    fn get(&self, k: &str) -> Option<usize> {
        self.slots.find(k, |i| self.keys[i])
    }
}

impl<'a> People<'a> {
    /// The look-ups the report of `plan` needs. Only the keys the report
    /// asks for are kept (the identities of the plan's operations, excluded
    /// and held-back records and findings), each with the first pupil that
    /// has it, SIDI's before the local export's: the same answers as a map
    /// of every pupil's keys, without building one (300,000 entries and
    /// 25 MB for a 60,000-pupil school).
    pub fn new(ctx: &ReportContext<'a>, plan: &'a Plan) -> People<'a> {
        let mut slot =
            KeySlots::with_capacity(3 * plan.ops.len() + plan.excluded.len() + plan.findings.len());
        let mut want = |k: &'a str| -> u32 { slot.want(k) };
        let mut op_slots: Vec<[u32; 3]> = Vec::with_capacity(plan.ops.len());
        // the previous operation's key, and whether its slots are all there
        let mut last: Option<(&OpKey, bool)> = None;
        for o in &plan.ops {
            let k = &o.key;
            // A lock has no row, only its pupil's local class: it wants the
            // local id alone (18,000 of a 60,000-pupil school's 26,000
            // operations are locks, most of them the pupil's only one).
            let full = o.op != OpKind::LockFields;
            // a pupil's operations come one after the other, with one key
            if let (Some((l, l_full)), Some(&prev)) = (last, op_slots.last()) {
                if (l_full || !full)
                    && (&l.id_sidi, &l.codice_fiscale, &l.id_locale)
                        == (&k.id_sidi, &k.codice_fiscale, &k.id_locale)
                {
                    op_slots.push(prev);
                    continue;
                }
            }
            last = Some((k, full));
            let mut slots = [NO_SLOT; 3];
            for (n, (s, id)) in slots
                .iter_mut()
                .zip([&k.id_sidi, &k.codice_fiscale, &k.id_locale])
                .enumerate()
            {
                if !full && n < 2 {
                    continue;
                }
                if let Some(id) = id.as_deref().filter(|id| !id.is_empty()) {
                    *s = want(id);
                }
            }
            op_slots.push(slots);
        }
        let records = plan.excluded.iter().map(|e| e.record.as_str());
        let records = records.chain(plan.held_back.iter().map(|h| h.record.as_str()));
        // (an empty record, a header's finding, names nobody)
        for r in records.chain(plan.findings.iter().map(|f| f.record.as_str())) {
            if !r.is_empty() {
                want(r);
            }
        }
        // SIDI's pupils and the local ones are scanned side by side; the
        // key map is only read, each side fills its own slots (the first
        // pupil with a key gives its name) and SIDI's answer comes first.
        let n = slot.len();
        let slot_of = |k: &str| slot.get(k);
        let (from_sidi, (from_local, classes)) = rayon::join(
            || {
                let mut names = vec![None; n];
                for p in ctx.sidi.iter().flat_map(|s| &s.pupils) {
                    let who = (p.cognome.trimmed(), p.nome.trimmed());
                    for k in [p.codice_fiscale.trimmed(), p.id_sidi.trimmed()] {
                        if let Some(i) = slot_of(k) {
                            names[i].get_or_insert(who);
                        }
                    }
                }
                names
            },
            || {
                let (mut names, mut classes) = (vec![None; n], vec![None; n]);
                for p in ctx.local.iter().flat_map(|l| &l.pupils) {
                    let who = (p.cognome.trimmed(), p.nome.trimmed());
                    for k in [p.codice_fiscale.trimmed(), p.id_sidi.trimmed()] {
                        if let Some(i) = slot_of(k) {
                            names[i].get_or_insert(who);
                        }
                    }
                    if let Some(i) = slot_of(p.id_locale.as_str()) {
                        names[i].get_or_insert(who);
                        // the last local pupil with an id wins, as in a plain map
                        classes[i] = Some(&p.class);
                    }
                }
                (names, classes)
            },
        );
        let names = from_sidi
            .into_iter()
            .zip(from_local)
            .map(|(s, l)| s.or(l))
            .collect();
        let mut sede_names = HashMap::default();
        for sd in ctx.sidi.iter().flat_map(|s| &s.sedi) {
            sede_names.insert(sd.codice.trimmed(), sd.denominazione.trimmed());
        }
        People {
            slot,
            names,
            classes,
            op_slots,
            sede_names,
            redactor: ctx.redactor.filter(|r| r.is_on()),
        }
    }

    /// A person's name as the report shows it (redaction hook).
    pub fn name(&self, cognome: &str, nome: &str) -> String {
        match self.redactor {
            Some(r) => full_name(
                &r.pseudonym(PersonalKind::Cognome, cognome.trimmed()),
                &r.pseudonym(PersonalKind::Nome, nome.trimmed()),
            ),
            None => full_name(cognome.trimmed(), nome.trimmed()),
        }
    }

    /// A codice fiscale as the report shows it (redaction hook).
    pub fn cf(&self, cf: &str) -> String {
        match self.redactor {
            Some(r) if !cf.trimmed().is_empty() => {
                r.pseudonym(PersonalKind::CodiceFiscale, cf.trimmed())
            }
            _ => cf.trimmed().to_string(),
        }
    }

    /// Free text (a finding message) with every known name and code
    /// replaced (redaction hook).
    pub fn text(&self, text: String) -> String {
        match self.redactor {
            Some(r) => r.text(&text),
            None => text,
        }
    }

    /// The name behind any of the keys, else the first key (an identifier).
    fn who(&self, keys: &[&str]) -> String {
        for k in keys.iter().filter(|k| !k.is_empty()) {
            if let Some((c, n)) = self.slot.get(k).and_then(|i| self.names[i]) {
                return self.name(c, n);
            }
        }
        self.unnamed(keys.iter().copied())
    }

    /// What stands for a pupil nobody has a name for: the first non-empty
    /// key (an identifier, through the codice fiscale hook).
    fn unnamed<'k>(&self, mut keys: impl Iterator<Item = &'k str>) -> String {
        keys.find(|k| !k.is_empty())
            .map(|k| self.cf(k))
            .unwrap_or_default()
    }

    /// The name of the pupil of operation `i` of the plan (key `k`), as
    /// [`People::who`] finds it from the key: SIDI's spelling first, the
    /// report shows the name the pupil will have. Not for a `lock_fields`
    /// operation: its slots hold its local id alone.
    fn who_op(&self, i: usize, k: &OpKey) -> String {
        let named = self.op_slots[i]
            .iter()
            .filter(|&&s| s != NO_SLOT)
            .find_map(|&s| self.names[s as usize]);
        match named {
            Some((c, n)) => self.name(c, n),
            None => self.unnamed(
                [&k.id_sidi, &k.codice_fiscale, &k.id_locale]
                    .into_iter()
                    .flatten()
                    .map(|id| id.as_str()),
            ),
        }
    }

    /// The local class of the pupil of operation `i` of the plan (by its
    /// id locale).
    fn local_class_op(&self, i: usize) -> Option<&'a ClassKey> {
        match self.op_slots[i][2] {
            NO_SLOT => None,
            s => self.classes[s as usize],
        }
    }

    /// A finding with personal values passed through the hooks.
    fn finding(&self, f: &Finding) -> Finding {
        let mut f = f.clone();
        let personal = f.field.contains("CODICE_FISCALE") || f.code.code().starts_with("CF_");
        if personal {
            f.value = self.cf(&f.value);
            f.expected = self.cf(&f.expected);
        }
        f
    }

    /// A review item with names and codes passed through the hooks.
    fn review_item(&self, it: &ReviewItem) -> ReviewItem {
        let mut it = it.clone();
        it.codice_fiscale = self.cf(&it.codice_fiscale);
        match &mut it.detail {
            ReviewDetail::CfMismatch {
                sidi_cf,
                local_cf,
                cognome,
                nome,
                ..
            } => {
                *sidi_cf = self.cf(sidi_cf);
                *local_cf = self.cf(local_cf);
                let n = self.name(cognome, nome);
                *cognome = n;
                nome.clear();
            }
            ReviewDetail::LocalOnly { cognome, nome, .. } => {
                let n = self.name(cognome, nome);
                *cognome = n;
                nome.clear();
            }
            ReviewDetail::ClassLocalOnly { .. } => {}
        }
        it
    }

    /// The local class of the pupil with id locale `id` (an operation's).
    #[cfg(test)]
    fn local_class(&self, id: &str) -> Option<&'a ClassKey> {
        self.slot.get(id).and_then(|i| self.classes[i])
    }

    fn sede_name(&self, code: &str) -> &str {
        self.sede_names.get(code).copied().unwrap_or("")
    }
}

/// `cognome nome`, either alone when the other is empty (both trimmed).
fn full_name(cognome: &str, nome: &str) -> String {
    let mut s = String::with_capacity(cognome.len() + 1 + nome.len());
    s.push_str(cognome);
    if !cognome.is_empty() && !nome.is_empty() {
        s.push(' ');
    }
    s.push_str(nome);
    s
}

/// A class row of the report while it is being counted (pupils before and
/// after the patch, on SIDI, operations touching it).
#[derive(Clone, Debug)]
struct C {
    key: ClassKey,
    before: Option<usize>,
    after: Option<i64>,
    sidi: Option<usize>,
    changes: usize,
}
/// The report's class rows: one per class, found by its (sede, anno,
/// sezione) borrowed from the exports and the plan (200,000 look-ups for a
/// large school, one owned key per class).
#[derive(Clone, Debug, Default)]
struct Tally<'a> {
    index: HashMap<ClassParts<'a>, usize>,
    rows: Vec<C>,
}
impl<'a> Tally<'a> {
    /// The first pass: local classes and pupils (before and after), SIDI
    /// classes and pupils.
    fn of_pupils(local: &'a LocalExport, sidi: Option<&'a SidiExport>) -> Tally<'a> {
        let mut cl = Tally::default();
        for c in &local.classes {
            let e = cl.key(&c.key);
            e.before.get_or_insert(0);
            e.after.get_or_insert(0);
        }
        // exports list pupils class by class: the class of the previous
        // pupil is remembered, which spares most look-ups
        let mut last: Option<(&ClassKey, usize)> = None;
        for p in &local.pupils {
            let i = cl.index_after(&mut last, &p.class);
            let e = &mut cl.rows[i];
            *e.before.get_or_insert(0) += 1;
            *e.after.get_or_insert(0) += 1;
        }
        if let Some(s) = sidi {
            for c in &s.classes {
                cl.key(&c.key).sidi.get_or_insert(0);
            }
            let mut last = None;
            for p in &s.pupils {
                if let Some(f) = p.current_frequenza() {
                    let i = cl.index_after(&mut last, &f.class);
                    *cl.rows[i].sidi.get_or_insert(0) += 1;
                }
            }
        }
        cl
    }
    /// The row of class `k`, found again without a look-up when `k` is the
    /// class of `last` (which it then becomes).
    fn index_after(&mut self, last: &mut Option<(&'a ClassKey, usize)>, k: &'a ClassKey) -> usize {
        match *last {
            Some((l, i)) if l == k => i,
            _ => {
                let i = self.row_of(&k.sede, &k.anno, &k.sezione);
                *last = Some((k, i));
                i
            }
        }
    }
    fn entry(&mut self, sede: &'a str, anno: &'a str, sezione: &'a str) -> &mut C {
        let i = self.row_of(sede, anno, sezione);
        &mut self.rows[i]
    }
    /// The row of a class, added (with no counts) the first time.
    fn row_of(&mut self, sede: &'a str, anno: &'a str, sezione: &'a str) -> usize {
        let parts = class_parts(sede, anno, sezione);
        let rows = &mut self.rows;
        *self.index.entry(parts).or_insert_with_key(|(s, a, z)| {
            rows.push(C {
                key: ClassKey {
                    sede: CompactString::new(s),
                    anno: CompactString::new(a),
                    sezione: CompactString::new(z),
                },
                before: None,
                after: None,
                sidi: None,
                changes: 0,
            });
            rows.len() - 1
        })
    }
    fn key(&mut self, k: &'a ClassKey) -> &mut C {
        self.entry(&k.sede, &k.anno, &k.sezione)
    }
    fn op(&mut self, k: &'a OpKey) -> &mut C {
        let part = |p: &'a Option<CompactString>| p.as_deref().unwrap_or("");
        self.entry(part(&k.sede), part(&k.anno), part(&k.sezione))
    }
    fn value(&mut self, v: &'a Option<Value>) -> Option<&mut C> {
        let v = v.as_ref()?;
        Some(self.entry(v.get("sede")?, v.get("anno")?, v.get("sezione")?))
    }
}

/// A class identity as [`crate::model::class_parts`] gives it.
type ClassParts<'a> = (Cow<'a, str>, Cow<'a, str>, Cow<'a, str>);

/// `1A`; `A` when there is no anno.
pub fn class_short(k: &ClassKey) -> String {
    let mut s = String::with_capacity(k.anno.len() + k.sezione.len());
    s.push_str(&k.anno);
    s.push_str(&k.sezione);
    s
}

/// `1A · RMIS99001C`.
fn class_long(k: &ClassKey) -> String {
    const DOT: &str = " · ";
    let mut s = String::with_capacity(k.anno.len() + k.sezione.len() + DOT.len() + k.sede.len());
    s.push_str(&k.anno);
    s.push_str(&k.sezione);
    s.push_str(DOT);
    s.push_str(&k.sede);
    s
}

/// An anchor id for a record identity.
fn anchor_of(record: &str) -> String {
    // each character becomes one ASCII character
    let mut s = String::with_capacity(2 + record.len());
    s.push_str("r-");
    for c in record.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            s.push(c);
        } else {
            s.push('_');
        }
    }
    s
}

/// `dd/mm/yyyy hh:mm` from `yyyy-mm-ddThh:mm[:ss][Z]` (as written otherwise).
pub fn human_time(s: &str, utc: bool) -> String {
    let b = s.trimmed();
    let date = b.get(..10).and_then(crate::date::Date::parse_iso);
    match date {
        Some(d) => {
            let time = b
                .get(11..16)
                .filter(|t| t.as_bytes().get(2) == Some(&b':'))
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            let z = if utc && !time.is_empty() { " UTC" } else { "" };
            format!("{}{time}{z}", d.to_italian())
        }
        None => b.to_string(),
    }
}

fn pick(p: (&'static str, &'static str), l: Lang) -> String {
    l.pick(p.0, p.1).to_string()
}

fn field_text(name: &str, l: Lang) -> String {
    let (it, en) = messages::field_label(name);
    l.pick(it, en).to_string()
}

/// A field value as a person reads it: dates in Italian, places named.
fn value_text(field: &str, v: &str, people: &People) -> String {
    match field {
        "data_nascita" => crate::date::Date::parse_iso(v)
            .map(|d| d.to_italian())
            .unwrap_or_else(|| v.to_string()),
        "luogo_nascita" | "cittadinanza" => {
            match crate::validate::places::name_on(v.trimmed(), None) {
                Some(n) if !v.trimmed().is_empty() => format!("{v} ({n})"),
                _ => v.to_string(),
            }
        }
        "codice_fiscale" => people.cf(v),
        "cognome" | "nome" => people.text(v.to_string()),
        _ => v.to_string(),
    }
}

/// Field names (patch names) as a person reads them, `, `-joined; `—` for
/// none.
fn field_list(names: &[String], l: Lang) -> String {
    if names.is_empty() {
        return "—".to_string();
    }
    let mut s = String::with_capacity(16 * names.len());
    for (i, f) in names.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let (it, en) = messages::field_label(f);
        s.push_str(l.pick(it, en));
    }
    s
}

/// The identity a finding names for a pupil: id SIDI, else codice fiscale.
fn op_identity(k: &OpKey) -> &str {
    k.id_sidi
        .as_deref()
        .or(k.codice_fiscale.as_deref())
        .or(k.id_locale.as_deref())
        .unwrap_or_default()
}

/// Collects the report's data from a plan alone (identifiers instead of names).
pub fn gather(plan: &Plan, lang: Lang, generated_at: &str) -> ReportData {
    gather_with(plan, &ReportContext::default(), lang, generated_at)
}

/// Collects the report's data from a plan and the exports it was made from.
pub fn gather_with(plan: &Plan, ctx: &ReportContext, lang: Lang, generated_at: &str) -> ReportData {
    let l = lang;
    // the look-ups and the class counts (when not counted beforehand) each
    // pass over every pupil, independently: side by side
    let (people, pupil_tally) = rayon::join(
        || People::new(ctx, plan),
        || {
            ctx.local.map(|local| match ctx.tally {
                Some(t) => t.0.clone(),
                None => Tally::of_pupils(local, ctx.sidi),
            })
        },
    );
    let (errors, warnings) = plan.finding_counts();
    let op_counts = plan.op_counts();
    let auto: usize = op_counts.iter().map(|(_, n)| n).sum();
    let inserts = op_counts
        .iter()
        .find(|(k, _)| *k == OpKind::InsertStudent)
        .map(|(_, n)| *n)
        .unwrap_or(0);
    let counts = Counts {
        auto,
        inserts,
        decisions: plan.review.len(),
        errors,
        warnings,
        excluded: plan.excluded.len(),
    };
    // A record's anchor goes to one row: the first in a fixed order
    // (classes, decisions, operations, excluded records), claimed one by
    // one after the rows themselves were built in parallel. This set holds
    // the anchors claimed by all but the operations (see below), and is
    // sized for every row that may claim one: no growth on the way.
    let mut anchors: HashSet<String> = HashSet::with_capacity_and_hasher(
        plan.review.len()
            + plan.excluded.len()
            + ctx.local.map_or(0, |l| l.classes.len())
            + ctx.sidi.map_or(0, |s| s.classes.len()),
        Default::default(),
    );
    let claim_anchor = |anchors: &mut HashSet<String>, a: Option<String>| -> Option<String> {
        let a = a?;
        anchors.insert(a.clone()).then_some(a)
    };

    // --- classes per sede (needs the local export) -----------------------
    let mut sedi: Vec<SedeBlock> = Vec::new();
    // the classes' counts and the rows of decisions, operations and
    // findings are independent: built side by side
    type Rows = (
        Vec<(ReviewRow, Option<String>)>,
        Vec<Vec<OpRow>>,
        Vec<(FindingRow, Option<String>)>,
    );
    // the operations of each kind (in plan order): their rows are built
    // straight into their group, each holding the anchor it would claim
    let mut of_kind: Vec<Vec<usize>> = op_counts
        .iter()
        .map(|(_, n)| Vec::with_capacity(*n))
        .collect();
    for (i, o) in plan.ops.iter().enumerate() {
        of_kind[o.op as usize].push(i);
    }
    // the locks get no rows: they are summed up per class
    let lock_ix = std::mem::take(&mut of_kind[OpKind::LockFields as usize]);
    // The class counts and the locks' summary are each one pass on one
    // core; the rows are built by parallel iterators. The two passes come
    // first on this core (the rows can be taken up meanwhile by any core
    // that is free), so that no single pass is left to run alone at the
    // end while the other core waits (the package's other files are
    // usually done by then).
    let ((classes, locks), (review_rows, mut grouped, finding_rows)): (
        (Option<Vec<C>>, Option<LockSummary>),
        Rows,
    ) = rayon::join(
        || {
            rayon::join(
                || pupil_tally.map(|cl| class_rows(cl, plan, &people)),
                || lock_summary(plan, &lock_ix, &people, l),
            )
        },
        || {
            use rayon::prelude::*;
            let (review, (ops, findings)) = rayon::join(
                || {
                    plan.review
                        .par_iter()
                        .map(|it| review_row(it, &people, l))
                        .collect()
                },
                || {
                    rayon::join(
                        || {
                            of_kind
                                .par_iter()
                                .map(|ix| {
                                    ix.par_iter()
                                        .map(|&i| op_row(i, &plan.ops[i], &people, l))
                                        .collect()
                                })
                                .collect()
                        },
                        || {
                            plan.findings
                                .par_iter()
                                .map(|f| finding_row(f, &people, l))
                                .collect()
                        },
                    )
                },
            );
            (review, ops, findings)
        },
    );
    if let Some(classes) = classes {
        for c in classes {
            let key = c.key;
            if sedi.last().map(|s| s.code != key.sede).unwrap_or(true) {
                sedi.push(SedeBlock {
                    code: key.sede.to_string(),
                    name: people.sede_name(&key.sede).to_string(),
                    classes: Vec::new(),
                });
            }
            let id = key.to_string();
            let anchor =
                claim_anchor(&mut anchors, anchor_candidate(&id)).unwrap_or_else(|| anchor_of(&id));
            if let Some(s) = sedi.last_mut() {
                s.classes.push(ClassRow {
                    label: class_short(&key),
                    key,
                    before: c.before,
                    after: c.after.map(|a| a.max(0) as usize),
                    sidi: c.sidi,
                    changes: c.changes,
                    anchor,
                });
            }
        }
    }

    // --- review -----------------------------------------------------------
    let mut review_by_kind: BTreeMap<crate::sync::ops::ReviewKind, ReviewGroup> = BTreeMap::new();
    for (it, (mut row, anchor)) in plan.review.iter().zip(review_rows) {
        let name = it.kind.name();
        row.anchor = claim_anchor(&mut anchors, anchor);
        review_by_kind
            .entry(it.kind)
            .or_insert_with(|| {
                let ch = messages::review_choices(name);
                ReviewGroup {
                    kind: name,
                    label: pick(messages::review_label(name), l),
                    accept: l.pick(ch[0], ch[1]).to_string(),
                    reject: l.pick(ch[2], ch[3]).to_string(),
                    rows: Vec::new(),
                }
            })
            .rows
            .push(row);
    }
    let review: Vec<ReviewGroup> = review_by_kind.into_values().collect();

    // --- operations, excluded records, findings' links -----------------------
    // The operations with a row (all but the locks) claim their anchors in
    // plan order, across the kinds; the excluded records claim theirs after
    // them, and findings link to any anchor claimed. Each operation's anchor
    // is hashed, and checked against those claimed before, on every core;
    // the pass in plan order then compares hashes (strings only when two
    // agree), and the rows that lost their anchor are told afterwards.
    let (claimed, excluded, finding_rows) = {
        use rayon::prelude::*;
        let mut taken = OpAnchors::new(&grouped, plan.ops.len() - lock_ix.len());
        let hashes: Vec<Vec<Option<u64>>> = grouped
            .par_iter()
            .map(|g| {
                g.par_iter()
                    .map(|r| {
                        let a = r.anchor.as_deref().filter(|a| !anchors.contains(*a));
                        a.map(|a| taken.hash(a))
                    })
                    .collect()
            })
            .collect();
        let mut claimed: Vec<Vec<bool>> = grouped.iter().map(|g| vec![false; g.len()]).collect();
        let mut next = vec![0usize; grouped.len()];
        for o in &plan.ops {
            if o.op == OpKind::LockFields {
                continue; // no row (its group is empty)
            }
            let k = o.op as usize;
            let n = next[k];
            next[k] += 1;
            if let Some(h) = hashes[k][n] {
                claimed[k][n] = taken.claim(h, (k, n));
            }
        }
        let excluded: Vec<ExcludedRow> = plan
            .excluded
            .iter()
            .map(|e| {
                let a = anchor_candidate(&e.record).filter(|a| !taken.contains(a));
                ExcludedRow {
                    anchor: claim_anchor(&mut anchors, a),
                    who: people.who(&[&e.record]),
                    location: e.origin.as_ref().map(|o| o.to_string()).unwrap_or_default(),
                    problems: e
                        .codes
                        .iter()
                        .map(|c| match FindingCode::from_code(c) {
                            Some(fc) => {
                                let g = messages::finding_guide(fc);
                                l.pick(g[0], g[1]).to_string()
                            }
                            None => c.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            })
            .collect();
        let finding_rows: Vec<FindingRow> = finding_rows
            .into_iter()
            .map(|(mut row, anchor)| {
                row.link = anchor
                    .filter(|a| anchors.contains(a) || taken.contains(a))
                    .map(|a| format!("#{a}"));
                row
            })
            .collect();
        (claimed, excluded, finding_rows)
    };
    for (rows, claimed) in grouped.iter_mut().zip(claimed) {
        for (row, _) in rows.iter_mut().zip(claimed).filter(|(_, c)| !c) {
            row.anchor = None;
        }
    }
    let ops: Vec<OpGroup> = OpKind::ALL
        .into_iter()
        .zip(grouped)
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(kind, rows)| OpGroup {
            kind,
            label: pick(messages::op_label(kind.name()), l),
            description: pick(messages::op_description(kind.name()), l),
            rows,
        })
        .collect();

    // --- held back, rejected -----------------------------------------------
    let held_back = plan
        .held_back
        .iter()
        .map(|h| {
            [
                pick(messages::op_label(h.op.name()), l),
                people.who(&[&h.record]),
                class_long(&h.class),
                pick(messages::held_back_reason(h.reason), l),
            ]
        })
        .collect();
    let rejected = plan
        .rejected
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                pick(messages::review_label(r.kind.name()), l),
                r.line.to_string(),
            ]
        })
        .collect();

    // --- findings, grouped by code: errors first ----------------------------
    let mut by_code: BTreeMap<(Severity, FindingCode), Vec<FindingRow>> = BTreeMap::new();
    for (f, row) in plan.findings.iter().zip(finding_rows) {
        by_code.entry((f.severity, f.code)).or_default().push(row);
    }
    let findings = by_code
        .into_iter()
        .map(|((sev, code), rows)| {
            let g = messages::finding_guide(code);
            FindingGroup {
                code: code.code(),
                error: sev == Severity::Error,
                title: l.pick(g[0], g[1]).to_string(),
                action: l.pick(g[2], g[3]).to_string(),
                rows,
            }
        })
        .collect();

    ReportData {
        lang,
        codice_scuola: plan.school.codice_scuola.clone(),
        anno_scolastico: plan.school.anno_scolastico.clone(),
        data_estrazione: ctx
            .sidi
            .map(|s| human_time(&s.header.data_estrazione, false))
            .unwrap_or_default(),
        generated_at: human_time(generated_at, true),
        verdict: verdict(&counts, l),
        op_counts: op_counts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k, pick(messages::op_label(k.name()), l), n))
            .collect(),
        counts,
        sedi,
        review,
        findings,
        ops,
        locks,
        excluded,
        held_back,
        rejected,
    }
}

/// The anchors claimed by the report's operation rows (`rows`, grouped by
/// kind), found by hash: the row of each (kind, row), plus, in `more`, the
/// rare later anchor whose hash equals an earlier one's.
struct OpAnchors<'r> {
    rows: &'r [Vec<OpRow>],
    state: crate::util::FastState,
    first: HashMap<u64, (usize, usize)>,
    more: Vec<(u64, (usize, usize))>,
}

impl<'r> OpAnchors<'r> {
    fn new(rows: &'r [Vec<OpRow>], n: usize) -> OpAnchors<'r> {
        OpAnchors {
            rows,
            state: Default::default(),
            first: HashMap::with_capacity_and_hasher(n, Default::default()),
            more: Vec::new(),
        }
    }

    fn hash(&self, a: &str) -> u64 {
        use std::hash::BuildHasher;
        self.state.hash_one(a)
    }

    fn anchor(&self, (k, n): (usize, usize)) -> &str {
        self.rows[k][n].anchor.as_deref().unwrap_or_default()
    }

    /// Whether `a`, of hash `h`, is claimed.
    fn holds(&self, h: u64, a: &str) -> bool {
        self.first.get(&h).is_some_and(|&at| self.anchor(at) == a)
            || self
                .more
                .iter()
                .any(|&(m, at)| m == h && self.anchor(at) == a)
    }

    /// Claims the anchor of row `at`, of hash `h`: false when it is claimed
    /// already.
    fn claim(&mut self, h: u64, at: (usize, usize)) -> bool {
        // one probe for a new hash, the usual case
        if let std::collections::hash_map::Entry::Vacant(e) = self.first.entry(h) {
            e.insert(at);
            return true;
        }
        if self.holds(h, self.anchor(at)) {
            return false;
        }
        self.more.push((h, at));
        true
    }

    fn contains(&self, a: &str) -> bool {
        self.holds(self.hash(a), a)
    }
}

/// The report's class rows in page order (sede, then anno di corso as a
/// number, then as written, then sezione): the pupils' tally `cl` with the
/// operations of `plan` counted in.
fn class_rows<'a>(mut cl: Tally<'a>, plan: &'a Plan, people: &People<'a>) -> Vec<C> {
    for (i, o) in plan.ops.iter().enumerate() {
        let class_of_pupil = people.local_class_op(i);
        match o.op {
            OpKind::CreateClass => {
                let e = cl.op(&o.key);
                e.after.get_or_insert(0);
                e.changes += 1;
            }
            OpKind::UpdateClass => cl.op(&o.key).changes += 1,
            OpKind::RemoveClass => {
                let e = cl.op(&o.key);
                e.after = None;
                e.changes += 1;
            }
            OpKind::InsertStudent => {
                if let Some(e) = cl.value(&o.to) {
                    *e.after.get_or_insert(0) += 1;
                    e.changes += 1;
                }
            }
            OpKind::MoveStudent => {
                if let Some(e) = cl.value(&o.from) {
                    if let Some(a) = e.after.as_mut() {
                        *a -= 1;
                    }
                    e.changes += 1;
                }
                if let Some(e) = cl.value(&o.to) {
                    *e.after.get_or_insert(0) += 1;
                    e.changes += 1;
                }
            }
            OpKind::WithdrawStudent => {
                if let Some(k) = class_of_pupil {
                    let e = cl.key(k);
                    if let Some(a) = e.after.as_mut() {
                        *a -= 1;
                    }
                    e.changes += 1;
                }
            }
            OpKind::UpdateField | OpKind::LinkStudent | OpKind::LockFields => {
                if let Some(k) = class_of_pupil {
                    cl.key(k).changes += 1;
                }
            }
        }
    }
    in_class_order(cl.rows, |c| &c.key)
}

/// `items` (one per class, `key` giving its class) in the order of the
/// report's class tables: sede, then anno di corso as a number, then as
/// written, then sezione (the number parsed once per class, not per
/// comparison).
fn in_class_order<T>(items: Vec<T>, key: impl Fn(&T) -> &ClassKey) -> Vec<T> {
    let mut v: Vec<(u32, T)> = items
        .into_iter()
        .map(|c| (key(&c).anno.parse().unwrap_or(0), c))
        .collect();
    v.sort_unstable_by(|(na, a), (nb, b)| {
        let (a, b) = (key(a), key(b));
        (&a.sede, na, &a.anno, &a.sezione).cmp(&(&b.sede, nb, &b.anno, &b.sezione))
    });
    v.into_iter().map(|(_, c)| c).collect()
}

/// The fields some locks lock: the known ones as a set (listed in
/// [`Field::ALL`]'s order, as the patches list them), any other name
/// apart (after them, sorted).
#[derive(Clone, Debug, Default)]
struct FieldUnion<'a> {
    known: FieldSet,
    other: Vec<&'a str>,
}

impl<'a> FieldUnion<'a> {
    fn add(&mut self, name: &'a str) {
        match Field::ALL.into_iter().find(|f| f.name() == name) {
            Some(f) => self.known.insert(f),
            None if !self.other.contains(&name) => self.other.push(name),
            None => {}
        }
    }

    fn add_all(&mut self, o: &FieldUnion<'a>) {
        self.known = self.known.union(o.known);
        for &n in &o.other {
            self.add(n);
        }
    }

    /// The names, in the order of [`Field::ALL`], then the others sorted.
    fn names(&self) -> Vec<String> {
        let mut other = self.other.clone();
        other.sort_unstable();
        self.known
            .iter()
            .map(|f| f.name())
            .chain(other)
            .map(str::to_string)
            .collect()
    }
}

/// The summary of the `lock_fields` operations of `plan` whose indices are
/// `ix` (`None` when there is none): how many, which fields, per local
/// class of their pupils (as [`People::local_class_op`] finds it).
fn lock_summary(plan: &Plan, ix: &[usize], people: &People, l: Lang) -> Option<LockSummary> {
    if ix.is_empty() {
        return None;
    }
    // (class, pupils, fields) per class, in order of first appearance; the
    // pupils with no known class apart
    let mut rows: Vec<(&ClassKey, usize, FieldUnion)> = Vec::new();
    let mut index: HashMap<&ClassKey, usize> = HashMap::default();
    let mut classless: Option<(usize, FieldUnion)> = None;
    // a plan lists a class's pupils one after the other: the previous
    // operation's class spares most look-ups
    let mut last: Option<(&ClassKey, usize)> = None;
    for &i in ix {
        let o = &plan.ops[i];
        let (n, fields) = match people.local_class_op(i) {
            Some(k) => {
                let r = match last {
                    Some((lk, r)) if lk == k => r,
                    _ => {
                        let r = *index.entry(k).or_insert_with(|| {
                            rows.push((k, 0, FieldUnion::default()));
                            rows.len() - 1
                        });
                        last = Some((k, r));
                        r
                    }
                };
                let (_, n, f) = &mut rows[r];
                (n, f)
            }
            None => {
                let (n, f) = classless.get_or_insert_with(Default::default);
                (n, f)
            }
        };
        *n += 1;
        if let Some(Value::List(names)) = &o.to {
            for name in names {
                fields.add(name.as_str());
            }
        }
    }
    let mut all = FieldUnion::default();
    let mut classes: Vec<LockClassRow> = in_class_order(rows, |r| r.0)
        .into_iter()
        .map(|(k, pupils, f)| {
            all.add_all(&f);
            LockClassRow {
                class: Some(k.clone()),
                label: class_long(k),
                pupils,
                fields: f.names(),
            }
        })
        .collect();
    if let Some((pupils, f)) = classless {
        all.add_all(&f);
        classes.push(LockClassRow {
            class: None,
            label: "—".to_string(),
            pupils,
            fields: f.names(),
        });
    }
    let fields = all.names();
    let which = if fields.len() == 1 {
        Ui::LocksOneField
    } else {
        Ui::LocksFields
    };
    let locked = messages::fill(which.text(l), &[("fields", &field_list(&fields, l))]);
    let text = messages::fill(
        Ui::LocksSummary.text(l),
        &[
            (
                "pupils",
                &messages::count_phrase(phrase::PUPILS, ix.len(), l),
            ),
            ("locked", &locked),
        ],
    );
    let kind = OpKind::LockFields.name();
    Some(LockSummary {
        label: pick(messages::op_label(kind), l),
        description: pick(messages::op_description(kind), l),
        pupils: ix.len(),
        fields,
        text,
        classes,
    })
}

/// The one-sentence verdict.
pub fn verdict(c: &Counts, l: Lang) -> String {
    let mut parts = Vec::new();
    if c.inserts > 0 {
        parts.push(count_phrase(phrase::INSERT, c.inserts, l));
    }
    if c.auto > c.inserts {
        let forms = if c.inserts > 0 {
            phrase::MORE_OPS
        } else {
            phrase::OTHER_OPS
        };
        parts.push(count_phrase(forms, c.auto - c.inserts, l));
    }
    if c.decisions > 0 {
        parts.push(count_phrase(phrase::DECISIONS, c.decisions, l));
    }
    if c.errors > 0 {
        parts.push(count_phrase(phrase::ERRORS_SIDI, c.errors, l));
    }
    if parts.is_empty() {
        return Ui::AllAligned.text(l).to_string();
    }
    let mut s = parts.join(", ");
    s.push('.');
    s
}

/// The anchor id a record would claim (`None` for an empty identity).
fn anchor_candidate(record: &str) -> Option<String> {
    (!record.is_empty()).then(|| anchor_of(record))
}

/// The report row of review item `it`, without its anchor, and the anchor
/// it would claim.
fn review_row(it: &ReviewItem, people: &People, l: Lang) -> (ReviewRow, Option<String>) {
    let shown = people.review_item(it);
    let (who, identity) = match &shown.detail {
        ReviewDetail::CfMismatch {
            cognome, id_sidi, ..
        } => (
            cognome.clone(),
            if id_sidi.is_empty() {
                it.codice_fiscale.clone()
            } else {
                id_sidi.clone()
            },
        ),
        ReviewDetail::LocalOnly { cognome, .. } => (cognome.clone(), it.id_locale.clone()),
        ReviewDetail::ClassLocalOnly { class, .. } => (class_long(class), class.to_string()),
    };
    let row = ReviewRow {
        id: it.id.clone(),
        anchor: None,
        who,
        cf: shown.codice_fiscale.clone(),
        detail: crate::write::review::detail(&shown, l),
    };
    (row, anchor_candidate(&identity))
}

/// The report row of finding `f`, without its link, and the anchor it
/// links to when some row claimed it.
fn finding_row(f: &Finding, people: &People, l: Lang) -> (FindingRow, Option<String>) {
    let shown = people.finding(f);
    let row = FindingRow {
        location: f.origin.as_ref().map(|o| o.to_string()).unwrap_or_default(),
        who: people.who(&[&f.record]),
        message: people.text(shown.message(l)),
        link: None,
    };
    (row, Some(anchor_of(&f.record)))
}

/// The report row of operation `i` of the plan, `o`, holding the anchor it
/// would claim (claims are made in operation order, so they are left to
/// the caller, which takes the anchor away from a row that loses it: rows
/// themselves are built in parallel). Not for `lock_fields`, which get no
/// rows ([`LockSummary`]).
fn op_row(i: usize, o: &Operation, people: &People, l: Lang) -> OpRow {
    let text = |v: &Option<Value>| -> String {
        match v {
            Some(Value::Text(t)) if !t.is_empty() => {
                value_text(o.field.as_deref().unwrap_or(""), t, people)
            }
            _ => "—".to_string(),
        }
    };
    let class_of = |v: &Option<Value>| v.as_ref().and_then(Value::as_class);
    let class_key = o.key.class_key();
    match o.op.entity() {
        crate::sync::ops::Entity::Class => {
            let (field, old, new) = match o.op {
                OpKind::CreateClass => {
                    let desc = match &o.to {
                        Some(Value::Map(m)) => m
                            .iter()
                            .filter(|(_, v)| !v.is_empty())
                            .map(|(k, v)| format!("{} {v}", field_text(k, l)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        _ => String::new(),
                    };
                    (String::new(), "—".to_string(), desc)
                }
                OpKind::UpdateClass => (
                    field_text(o.field.as_deref().unwrap_or(""), l),
                    text(&o.from),
                    text(&o.to),
                ),
                _ => (String::new(), class_short(&class_key), "—".to_string()),
            };
            OpRow {
                id: o.id.clone(),
                anchor: anchor_candidate(&class_key.to_string()),
                who: class_long(&class_key),
                cf: String::new(),
                class: class_long(&class_key),
                field,
                old,
                new,
                locked: o.lock,
            }
        }
        crate::sync::ops::Entity::Student => {
            let who = people.who_op(i, &o.key);
            let cf = people.cf(o.key.codice_fiscale.as_deref().unwrap_or(""));
            let local_class = people.local_class_op(i);
            let (class, field, old, new) = match o.op {
                OpKind::InsertStudent => {
                    let k = class_of(&o.to);
                    let born =
                        o.to.as_ref()
                            .and_then(|v| v.get("data_nascita"))
                            .map(|d| value_text("data_nascita", d, people))
                            .unwrap_or_default();
                    (
                        k.as_ref().map(class_long).unwrap_or_default(),
                        String::new(),
                        "—".to_string(),
                        format!(
                            "{} · {} {born}",
                            Ui::NewPupil.text(l),
                            field_text("data_nascita", l)
                        ),
                    )
                }
                OpKind::MoveStudent => (
                    class_of(&o.to).as_ref().map(class_long).unwrap_or_default(),
                    String::new(),
                    class_of(&o.from)
                        .as_ref()
                        .map(class_long)
                        .unwrap_or_default(),
                    class_of(&o.to).as_ref().map(class_long).unwrap_or_default(),
                ),
                OpKind::WithdrawStudent => (
                    local_class.map(class_long).unwrap_or_default(),
                    String::new(),
                    local_class.map(class_short).unwrap_or_default(),
                    "—".to_string(),
                ),
                _ => (
                    local_class.map(class_long).unwrap_or_default(),
                    field_text(o.field.as_deref().unwrap_or(""), l),
                    text(&o.from),
                    text(&o.to),
                ),
            };
            OpRow {
                id: o.id.clone(),
                anchor: anchor_candidate(op_identity(&o.key)),
                who,
                cf,
                class,
                field,
                old,
                new,
                locked: o.lock,
            }
        }
    }
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

const CSS: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");
/// Runs first: records script errors on `<html data-js-errors>` (the
/// browser test reads them from the dumped DOM).
const ERROR_HOOK: &str = "window.onerror=function(m,s,l){var h=document.documentElement;h.setAttribute('data-js-errors',(h.getAttribute('data-js-errors')||'')+m+' @'+l+';');};";

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    xml_escape(s, &mut o);
    o
}

/// The page header shared by `report.html` and bulk's `summary.html`: doctype,
/// head with CSP, inline CSS and the error hook, opening `<body>`.
pub fn page_start(o: &mut String, lang: Lang, title: &str) {
    o.push_str("<!DOCTYPE html>\n<html lang=\"");
    o.push_str(lang.code());
    o.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(o, "<title>{}</title>", esc(title));
    let _ = writeln!(o, "<style>\n{CSS}</style>");
    let _ = writeln!(o, "<script>{ERROR_HOOK}</script>");
    o.push_str("</head>\n<body>\n");
}

/// The filter box (works offline; `#filtro=TERM` in the address applies a
/// term on load).
pub fn filter_box(o: &mut String, l: Lang) {
    filter_box_with(o, l, Ui::Filter, Ui::FilterHint);
}

/// [`filter_box`] with its own label and hint. It hides every `tbody` row
/// not containing the typed text, except rows inside an element of class
/// `nofilter`, and any `.group` left with no visible row.
pub fn filter_box_with(o: &mut String, l: Lang, label: Ui, hint: Ui) {
    let _ = writeln!(o,
        "<div class=\"filter\" id=\"filtro-box\"><label for=\"filtro\">{}</label> \
         <input type=\"search\" id=\"filtro\" placeholder=\"{}\" autocomplete=\"off\" \
         data-msg-some=\"{}\" data-msg-none=\"{}\"> <output id=\"filtro-esito\" for=\"filtro\"></output></div>",
        esc(label.text(l)),
        esc(hint.text(l)),
        esc(Ui::FilterResult.text(l)),
        esc(Ui::FilterNone.text(l)),
    );
}

/// Closes the page: footer, filter script.
pub fn page_end(o: &mut String, l: Lang) {
    let _ = writeln!(
        o,
        "<footer>{}</footer>",
        esc(&messages::fill(
            Ui::Footer.text(l),
            &[("v", env!("CARGO_PKG_VERSION"))]
        ))
    );
    let _ = writeln!(o, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
}

/// A horizontal bar chart of (label, value, css class) as inline SVG.
/// The values are written with their thousands separated the way of `l`.
pub fn bar_chart(o: &mut String, title: &str, bars: &[(String, usize, &str)], l: Lang) {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let row = 22;
    // room for the longest label (about 7 px a character at 13 px)
    let longest = bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(0);
    let label_w = (longest * 7 + 12).max(250);
    let bar_w = 380;
    let h = bars.len() * row + 4;
    let _ = writeln!(o,
        "<svg class=\"chart\" viewBox=\"0 0 {} {h}\" width=\"{}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        label_w + bar_w + 60,
        label_w + bar_w + 60,
        esc(title)
    );
    for (i, (label, v, cls)) in bars.iter().enumerate() {
        let y = i * row + 2;
        let w = if *v == 0 { 0 } else { (v * bar_w / max).max(2) };
        let _ = writeln!(o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"{cls}\" x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{}\" rx=\"3\"/><text x=\"{}\" y=\"{}\" class=\"num\">{}</text>",
            label_w - 8,
            y + 15,
            esc(label),
            label_w,
            y + 3,
            row - 6,
            label_w + w + 6,
            y + 15,
            num(*v, l),
        );
    }
    o.push_str("</svg>\n");
}

/// The bar colour of an operation kind: new things green, decided ones
/// amber, changes blue.
pub fn op_bar_class(k: OpKind) -> &'static str {
    match k {
        OpKind::WithdrawStudent | OpKind::RemoveClass => "bar-decided",
        OpKind::InsertStudent | OpKind::CreateClass => "bar-new",
        _ => "bar-change",
    }
}

/// Two thin bars (before, after) for a class row, scaled to `max`.
fn class_bars(o: &mut String, before: Option<usize>, after: Option<usize>, max: usize, l: Lang) {
    let w = 140usize;
    let max = max.max(1);
    let len = |v: Option<usize>| v.map(|v| v * w / max).unwrap_or(0);
    let _ = write!(o,
        "<svg class=\"mini\" viewBox=\"0 0 {w} 16\" width=\"{w}\" height=\"16\" role=\"img\" aria-label=\"{} {} – {} {}\">\
         <rect class=\"before\" x=\"0\" y=\"1\" width=\"{}\" height=\"6\" rx=\"2\"/>\
         <rect class=\"after\" x=\"0\" y=\"9\" width=\"{}\" height=\"6\" rx=\"2\"/></svg>",
        esc(Ui::LegendBefore.text(l)),
        before.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
        esc(Ui::LegendAfter.text(l)),
        after.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
        len(before),
        len(after),
    );
}

/// A count, thousands separated the way of `l`; a dash for none.
fn opt(v: Option<usize>, l: Lang) -> String {
    v.map(|v| num(v, l)).unwrap_or_else(|| "—".into())
}

/// A count as the report writes it: thousands separated the way of `l`
/// (`18.291`, `18,291`), as the terminal summary and the bulk summary do.
fn num(n: usize, l: Lang) -> String {
    thousands(n as u64, l)
}

/// A section's opening and heading, with its count (`n`, thousands
/// separated the way of `l`) when it has one.
fn section_head(o: &mut String, id: &str, title: &str, n: Option<usize>, l: Lang) {
    match n.map(|n| num(n, l)) {
        Some(n) => o.push_str(&format!(
            "<section id=\"{id}\">\n<h2>{} <span class=\"count\">{n}</span></h2>\n",
            esc(title)
        )),
        None => o.push_str(&format!("<section id=\"{id}\">\n<h2>{}</h2>\n", esc(title))),
    }
}

fn table_head(o: &mut String, cols: &[&str]) {
    o.push_str("<table>\n<thead><tr>");
    for c in cols {
        let _ = write!(o, "<th>{}</th>", esc(c));
    }
    o.push_str("</tr></thead>\n<tbody>\n");
}

fn id_attr(a: &Option<String>) -> String {
    let mut o = String::new();
    push_id_attr(&mut o, a);
    o
}

/// ` id="…"` for an anchor, nothing without one.
fn push_id_attr(o: &mut String, a: &Option<String>) {
    if let Some(a) = a {
        o.push_str(" id=\"");
        xml_escape(a, o);
        o.push('"');
    }
}

/// At most this many rows per finding code in the report (a school with
/// thousands of warnings of one kind still gets a page that opens); the
/// group's count and a line below the table say how many are left out.
pub const FINDING_ROWS_PER_CODE: usize = 200;

/// Renders the report as one self-contained HTML page.
pub fn render_html(d: &ReportData) -> String {
    let mut v = Vec::new();
    render_html_to(d, &mut v).expect("writing to memory does not fail");
    String::from_utf8(v).expect("the page is built from text")
}

/// Writes what [`render_html`] returns to `w`, piece by piece (the page of
/// a large school is about 10 MB: it is never held whole; only its last
/// sections, the classes and the other records, are built in memory, beside
/// the first ones).
pub fn render_html_to(d: &ReportData, w: &mut (dyn std::io::Write + Send)) -> std::io::Result<()> {
    // The page's last sections (classes, other records) are built in
    // memory, on this core, while the first ones and the operations'
    // tables (rendered in parallel pieces) go to `w`, on any core free to
    // take them: the two one-core passes no longer end the package alone.
    let (tail, head) = rayon::join(|| page_tail(d), || page_head_to(d, w));
    head?;
    w.write_all(tail.as_bytes())
}

/// The page up to its operations' section, written to `w`.
fn page_head_to(d: &ReportData, w: &mut (dyn std::io::Write + Send)) -> std::io::Result<()> {
    let l = d.lang;
    let t = |u: Ui| u.text(l);
    // the page is built in `o`, which goes to `w` whenever it has grown
    let mut o = String::with_capacity(SPILL_AT + (1 << 14));
    page_start(
        &mut o,
        l,
        &format!(
            "{} – {} {}",
            t(Ui::ReportTitle),
            d.codice_scuola,
            d.anno_scolastico
        ),
    );

    // --- header -------------------------------------------------------------
    o.push_str("<header class=\"top\">\n");
    let _ = writeln!(
        o,
        "<p class=\"eyebrow\">{}</p>\n<h1>{} <span class=\"school\">{}</span></h1>",
        esc(t(Ui::ReportTitle)),
        esc(t(Ui::School)),
        esc(&d.codice_scuola)
    );
    o.push_str("<dl class=\"meta\">");
    let mut meta = vec![(t(Ui::SchoolYear), d.anno_scolastico.as_str())];
    if !d.data_estrazione.is_empty() {
        meta.push((t(Ui::Extracted), d.data_estrazione.as_str()));
    }
    meta.push((t(Ui::RanAt), d.generated_at.as_str()));
    for (k, v) in meta {
        let _ = write!(o, "<div><dt>{}</dt><dd>{}</dd></div>", esc(k), esc(v));
    }
    o.push_str("</dl>\n");
    let verdict_class = if d.counts.errors > 0 {
        "verdict bad"
    } else if d.counts.decisions > 0 {
        "verdict todo"
    } else {
        "verdict ok"
    };
    let _ = writeln!(
        o,
        "<p class=\"{verdict_class}\"><strong>{}:</strong> {}</p>\n</header>",
        esc(t(Ui::Verdict)),
        esc(&d.verdict)
    );

    // --- cards ---------------------------------------------------------------
    o.push_str("<div class=\"cards\">\n");
    for (n, label, href, cls) in [
        (d.counts.auto, t(Ui::CardAuto), "#modifiche", "auto"),
        (
            d.counts.decisions,
            t(Ui::CardDecisions),
            "#decisioni",
            "todo",
        ),
        (d.counts.errors, t(Ui::CardErrors), "#segnalazioni", "bad"),
        (
            d.counts.warnings,
            t(Ui::CardWarnings),
            "#segnalazioni",
            "warn",
        ),
    ] {
        let cls = if n == 0 { "zero" } else { cls };
        let _ = writeln!(o,
            "<a class=\"card {cls}\" href=\"{href}\"><span class=\"n\">{}</span> <span class=\"l\">{}</span></a>",
            num(n, l),
            esc(label)
        );
    }
    o.push_str("</div>\n");

    // --- table of contents ------------------------------------------------
    let mut toc: Vec<(&str, String)> = vec![
        ("riepilogo", t(Ui::Summary).to_string()),
        (
            "decisioni",
            format!("{} ({})", t(Ui::Decisions), num(d.counts.decisions, l)),
        ),
        (
            "segnalazioni",
            format!(
                "{} ({})",
                t(Ui::Findings),
                num(d.counts.errors + d.counts.warnings, l)
            ),
        ),
        (
            "modifiche",
            format!("{} ({})", t(Ui::Operations), num(d.counts.auto, l)),
        ),
    ];
    if !d.sedi.is_empty() {
        toc.push(("classi", t(Ui::Classes).to_string()));
    }
    if !d.excluded.is_empty() || !d.held_back.is_empty() || !d.rejected.is_empty() {
        toc.push(("altro", t(Ui::Other).to_string()));
    }
    let _ = write!(
        o,
        "<nav class=\"toc\"><h2>{}</h2><ol>",
        esc(t(Ui::Contents))
    );
    for (id, label) in &toc {
        let _ = write!(o, "<li><a href=\"#{id}\">{}</a></li>", esc(label));
    }
    o.push_str("</ol></nav>\n");
    filter_box(&mut o, l);

    // --- summary: operations per kind --------------------------------------
    section_head(&mut o, "riepilogo", t(Ui::Summary), None, l);
    if d.op_counts.is_empty() {
        let _ = writeln!(o, "<p class=\"empty\">{}</p>", esc(t(Ui::NoOperations)));
    } else {
        let _ = writeln!(o, "<h3>{}</h3>", esc(t(Ui::OpsPerKind)));
        let bars: Vec<(String, usize, &str)> = d
            .op_counts
            .iter()
            .map(|(k, label, n)| (label.clone(), *n, op_bar_class(*k)))
            .collect();
        bar_chart(&mut o, t(Ui::OpsPerKind), &bars, l);
    }
    o.push_str("</section>\n");

    // --- decisions ------------------------------------------------------------
    spill(&mut o, w)?;
    section_head(
        &mut o,
        "decisioni",
        t(Ui::Decisions),
        Some(d.counts.decisions),
        l,
    );
    if d.review.is_empty() {
        let _ = writeln!(o, "<p class=\"empty\">{}</p>", esc(t(Ui::NoDecisions)));
    } else {
        let _ = writeln!(o, "<p class=\"intro\">{}</p>", esc(t(Ui::DecisionsIntro)));
        for g in &d.review {
            let _ = writeln!(
                o,
                "<div class=\"group\">\n<h3>{} <span class=\"count\">{}</span></h3>",
                esc(&g.label),
                num(g.rows.len(), l)
            );
            let _ = writeln!(o,
                "<ul class=\"choices\"><li><span class=\"pill accept\">{}</span> {}</li><li><span class=\"pill reject\">{}</span> {}</li></ul>",
                esc(t(Ui::IfAccept)),
                esc(&g.accept),
                esc(t(Ui::IfReject)),
                esc(&g.reject)
            );
            let who_col = if g.kind == "class_local_only" {
                t(Ui::Class)
            } else {
                t(Ui::Pupil)
            };
            table_head(&mut o, &["ID", who_col, t(Ui::Detail)]);
            for r in &g.rows {
                let _ =
                    writeln!(o,
                    "<tr{}><td class=\"id\">{}</td><td><strong>{}</strong>{}</td><td>{}</td></tr>",
                    id_attr(&r.anchor),
                    esc(&r.id),
                    esc(&r.who),
                    if r.cf.is_empty() {
                        String::new()
                    } else {
                        format!("<br><span class=\"cf\">{}</span>", esc(&r.cf))
                    },
                    esc(&r.detail)
                );
            }
            o.push_str("</tbody>\n</table>\n</div>\n");
        }
    }
    o.push_str("</section>\n");

    // --- findings -------------------------------------------------------------
    spill(&mut o, w)?;
    section_head(
        &mut o,
        "segnalazioni",
        t(Ui::Findings),
        Some(d.counts.errors + d.counts.warnings),
        l,
    );
    if d.findings.is_empty() {
        let _ = writeln!(o, "<p class=\"empty\">{}</p>", esc(t(Ui::NoFindings)));
    } else {
        let _ = writeln!(o, "<p class=\"intro\">{}</p>", esc(t(Ui::FindingsIntro)));
        for g in &d.findings {
            let (cls, sev) = if g.error {
                ("pill error", t(Ui::Error))
            } else {
                ("pill warning", t(Ui::Warning))
            };
            let _ = writeln!(o,
                "<div class=\"group\">\n<h3><span class=\"{cls}\">{}</span> {} <span class=\"count\">{}</span> <code>{}</code></h3>",
                esc(sev),
                esc(&g.title),
                num(g.rows.len(), l),
                esc(g.code)
            );
            let _ = writeln!(
                o,
                "<p class=\"action\"><strong>{}</strong> {}</p>",
                esc(t(Ui::WhatToDo)),
                esc(&g.action)
            );
            table_head(&mut o, &[t(Ui::Record), t(Ui::Message), t(Ui::Where)]);
            for r in g.rows.iter().take(FINDING_ROWS_PER_CODE) {
                let who = match &r.link {
                    Some(href) => format!("<a href=\"{}\">{}</a>", esc(href), esc(&r.who)),
                    None => esc(&r.who),
                };
                let _ = writeln!(
                    o,
                    "<tr><td>{who}</td><td>{}</td><td class=\"loc\">{}</td></tr>",
                    esc(&r.message),
                    esc(&r.location)
                );
            }
            o.push_str("</tbody>\n</table>\n");
            if g.rows.len() > FINDING_ROWS_PER_CODE {
                let n = (g.rows.len() - FINDING_ROWS_PER_CODE).to_string();
                let max = FINDING_ROWS_PER_CODE.to_string();
                o.push_str(&format!(
                    "<p class=\"more\">{}</p>\n",
                    esc(&messages::fill(
                        t(Ui::FindingsMore),
                        &[("n", &n), ("max", &max)]
                    ))
                ));
            }
            o.push_str("</div>\n");
        }
    }
    o.push_str("</section>\n");

    // --- operations -----------------------------------------------------------
    spill(&mut o, w)?;
    section_head(
        &mut o,
        "modifiche",
        t(Ui::Operations),
        Some(d.counts.auto),
        l,
    );
    if d.ops.is_empty() && d.locks.is_none() {
        let _ = writeln!(o, "<p class=\"empty\">{}</p>", esc(t(Ui::NoOperations)));
    } else {
        let _ = writeln!(o,
            "<p class=\"intro\">{}</p>\n<p class=\"lockline\"><span class=\"lock\" aria-hidden=\"true\"></span>{}</p>",
            esc(t(Ui::OperationsIntro)),
            esc(t(Ui::LockLine))
        );
        // the locks' summary comes where their kind does among the groups
        let mut locks = d.locks.as_ref();
        for g in &d.ops {
            if g.kind > OpKind::LockFields {
                if let Some(s) = locks.take() {
                    lock_group(&mut o, s, l);
                }
            }
            let _ = writeln!(o,
                "<div class=\"group\">\n<h3>{} <span class=\"count\">{}</span></h3>\n<p class=\"desc\">{}</p>",
                esc(&g.label),
                num(g.rows.len(), l),
                esc(&g.description)
            );
            let class_op = g.kind.entity() == crate::sync::ops::Entity::Class;
            let show_class = !class_op && g.rows.iter().any(|r| !r.class.is_empty());
            let show_field = g.rows.iter().any(|r| !r.field.is_empty());
            let mut cols = vec![if class_op { t(Ui::Class) } else { t(Ui::Pupil) }];
            if show_class {
                cols.push(t(Ui::Class));
            }
            if show_field {
                cols.push(t(Ui::Field));
            }
            cols.push(t(Ui::OldValue));
            cols.push(t(Ui::NewValue));
            table_head(&mut o, &cols);
            // the lock mark, the same in every locked row
            let label = esc(Ui::Locked.text(l));
            let lock = format!(
                " <span class=\"lock\" role=\"img\" title=\"{label}\" aria-label=\"{label}\"></span>"
            );
            w.write_all(o.as_bytes())?;
            o.clear();
            crate::write::pieces::write_in_pieces(&g.rows, ROWS_PER_RUN, w, |rows| {
                let mut p = String::with_capacity(rows.len() * 300);
                for r in rows {
                    op_table_row(&mut p, r, show_class, show_field, &lock);
                }
                p
            })?;
            o.push_str("</tbody>\n</table>\n</div>\n");
        }
        if let Some(s) = locks {
            lock_group(&mut o, s, l);
        }
    }
    o.push_str("</section>\n");

    w.write_all(o.as_bytes())
}

/// The page after its operations' section (classes per sede, other
/// records) and its end.
fn page_tail(d: &ReportData) -> String {
    let l = d.lang;
    let t = |u: Ui| u.text(l);
    let mut o = String::new();
    // --- classes per sede ------------------------------------------------------
    if !d.sedi.is_empty() {
        section_head(&mut o, "classi", t(Ui::Classes), None, l);
        let _ = writeln!(o,
            "<p class=\"intro\">{} <span class=\"legend\"><span class=\"sw before\"></span>{} <span class=\"sw after\"></span>{}</span></p>",
            esc(t(Ui::ClassesIntro)),
            esc(t(Ui::LegendBefore)),
            esc(t(Ui::LegendAfter))
        );
        let max = d
            .sedi
            .iter()
            .flat_map(|s| s.classes.iter())
            .map(|c| c.before.unwrap_or(0).max(c.after.unwrap_or(0)))
            .max()
            .unwrap_or(1);
        for s in &d.sedi {
            let tb: usize = s.classes.iter().filter_map(|c| c.before).sum();
            let ta: usize = s.classes.iter().filter_map(|c| c.after).sum();
            let ts: usize = s.classes.iter().filter_map(|c| c.sidi).sum();
            let _ = writeln!(
                o,
                "<div class=\"group sede\">\n<h3>{}{}</h3>",
                esc(&s.code),
                if s.name.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"sub\">{}</span>", esc(&s.name))
                }
            );
            o.push_str("<div class=\"classes\">");
            table_head(
                &mut o,
                &[
                    t(Ui::Class),
                    t(Ui::Before),
                    t(Ui::After),
                    t(Ui::OnSidi),
                    t(Ui::Changes),
                    t(Ui::Chart),
                ],
            );
            for c in &s.classes {
                let note = match (c.before, c.sidi, c.after) {
                    (None, Some(_), _) => {
                        format!(" <span class=\"tag new\">{}</span>", esc(t(Ui::NewClass)))
                    }
                    (Some(_), None, _) => {
                        format!(" <span class=\"tag gone\">{}</span>", esc(t(Ui::NotOnSidi)))
                    }
                    _ => String::new(),
                };
                let delta = match (c.before, c.after) {
                    (Some(b), Some(a)) if a != b => " class=\"diff\"",
                    (None, Some(_)) | (Some(_), None) => " class=\"diff\"",
                    _ => "",
                };
                let _ = write!(o,
                    "<tr id=\"{}\"><td><strong>{}</strong>{note}</td><td class=\"num\">{}</td><td class=\"num\"><span{delta}>{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>",
                    esc(&c.anchor),
                    esc(&c.label),
                    opt(c.before, l),
                    opt(c.after, l),
                    opt(c.sidi, l),
                    if c.changes == 0 { "—".to_string() } else { num(c.changes, l) },
                );
                class_bars(&mut o, c.before, c.after, max, l);
                o.push_str("</td></tr>\n");
            }
            let _ = writeln!(o,
                "</tbody>\n<tfoot><tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td></td><td></td></tr></tfoot>\n</table></div>\n</div>",
                esc(t(Ui::Total)),
                num(tb, l),
                num(ta, l),
                num(ts, l)
            );
        }
        o.push_str("</section>\n");
    }

    // --- other ------------------------------------------------------------------
    if !d.excluded.is_empty() || !d.held_back.is_empty() || !d.rejected.is_empty() {
        section_head(&mut o, "altro", t(Ui::Other), None, l);
        if !d.excluded.is_empty() {
            let _ = writeln!(o,
                "<div class=\"group\">\n<h3>{} <span class=\"count\">{}</span></h3>\n<p class=\"desc\">{}</p>",
                esc(t(Ui::Excluded)),
                num(d.excluded.len(), l),
                esc(t(Ui::ExcludedIntro))
            );
            table_head(&mut o, &[t(Ui::Record), t(Ui::Message), t(Ui::Where)]);
            for e in &d.excluded {
                let _ =
                    writeln!(o,
                    "<tr{}><td><strong>{}</strong></td><td>{}</td><td class=\"loc\">{}</td></tr>",
                    id_attr(&e.anchor),
                    esc(&e.who),
                    esc(&e.problems),
                    esc(&e.location)
                );
            }
            o.push_str("</tbody>\n</table>\n</div>\n");
        }
        if !d.held_back.is_empty() {
            let _ = writeln!(
                o,
                "<div class=\"group\">\n<h3>{} <span class=\"count\">{}</span></h3>",
                esc(t(Ui::HeldBack)),
                num(d.held_back.len(), l)
            );
            table_head(
                &mut o,
                &[t(Ui::Kind), t(Ui::Pupil), t(Ui::Class), t(Ui::Reason)],
            );
            for h in &d.held_back {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&h[0]),
                    esc(&h[1]),
                    esc(&h[2]),
                    esc(&h[3])
                );
            }
            o.push_str("</tbody>\n</table>\n</div>\n");
        }
        if !d.rejected.is_empty() {
            let _ = writeln!(
                o,
                "<div class=\"group\">\n<h3>{} <span class=\"count\">{}</span></h3>",
                esc(t(Ui::Rejected)),
                num(d.rejected.len(), l)
            );
            table_head(&mut o, &["ID", t(Ui::Kind), t(Ui::Line)]);
            for r in &d.rejected {
                let _ = writeln!(
                    o,
                    "<tr><td class=\"id\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    esc(&r[0]),
                    esc(&r[1]),
                    esc(&r[2])
                );
            }
            o.push_str("</tbody>\n</table>\n</div>\n");
        }
        o.push_str("</section>\n");
    }
    page_end(&mut o, l);
    o
}

/// The `lock_fields` group: heading, description, the sentence that sums it
/// up, and a table of the classes (one row each, filtered like any other).
fn lock_group(o: &mut String, s: &LockSummary, l: Lang) {
    let _ = writeln!(
        o,
        "<div class=\"group\">\n<h3>{} <span class=\"count\">{}</span></h3>\n<p class=\"desc\">{}</p>\n<p class=\"locks\">{}</p>",
        esc(&s.label),
        num(s.pupils, l),
        esc(&s.description),
        esc(&s.text)
    );
    o.push_str("<table class=\"locks\">\n<thead><tr>");
    for (c, num) in [
        (Ui::Class, false),
        (Ui::LocksPupils, true),
        (Ui::LocksFieldsCol, false),
    ] {
        let _ = write!(
            o,
            "<th{}>{}</th>",
            if num { " class=\"num\"" } else { "" },
            esc(c.text(l))
        );
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for r in &s.classes {
        let _ = writeln!(
            o,
            "<tr><td><strong>{}</strong></td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&r.label),
            num(r.pupils, l),
            esc(&field_list(&r.fields, l))
        );
    }
    o.push_str("</tbody>\n</table>\n</div>\n");
}

/// One row of an operation group's table (`show_class`, `show_field`: the
/// group's optional columns; `lock`: the mark a locked row ends with).
fn op_table_row(o: &mut String, r: &OpRow, show_class: bool, show_field: bool, lock: &str) {
    // pushed piece by piece: 26,000 rows for a large school, no temporary
    // strings
    o.push_str("<tr");
    push_id_attr(o, &r.anchor);
    o.push_str("><td><strong>");
    xml_escape(&r.who, o);
    o.push_str("</strong>");
    if !r.cf.is_empty() {
        o.push_str("<br><span class=\"cf\">");
        xml_escape(&r.cf, o);
        o.push_str("</span>");
    }
    o.push_str("</td>");
    for (shown, text) in [(show_class, &r.class), (show_field, &r.field)] {
        if shown {
            o.push_str("<td>");
            xml_escape(text, o);
            o.push_str("</td>");
        }
    }
    o.push_str("<td class=\"old\">");
    xml_escape(&r.old, o);
    o.push_str("</td><td class=\"new\">");
    xml_escape(&r.new, o);
    if r.locked {
        o.push_str(lock);
    }
    o.push_str("</td></tr>\n");
}

/// Operation rows rendered as one run of the page (see
/// [`crate::write::pieces`]).
const ROWS_PER_RUN: usize = 1024;

/// How large the report's buffer may grow before it goes to the writer.
const SPILL_AT: usize = 1 << 16;

/// Hands the buffer `o` to `w` once it holds [`SPILL_AT`] bytes or more.
fn spill(o: &mut String, w: &mut (dyn std::io::Write + Send)) -> std::io::Result<()> {
    if o.len() >= SPILL_AT {
        w.write_all(o.as_bytes())?;
        o.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldSet, LocalPupil, Origin, Pupil};

    #[test]
    fn people_answer_with_the_first_pupil_sidi_before_local() {
        let o = Origin::new(&std::sync::Arc::from("t"), 1, 0);
        let pupil = |id: &str, cf: &str, cognome: &str| Pupil {
            id_sidi: id.into(),
            codice_fiscale: cf.into(),
            stato_cf: "V".into(),
            cognome: cognome.into(),
            nome: "N".into(),
            sesso: "M".into(),
            data_nascita_raw: CompactString::default(),
            data_nascita: None,
            luogo_nascita: CompactString::default(),
            cittadinanza: CompactString::default(),
            frequenze: Vec::new(),
            origin: o.clone(),
        };
        let local = |idl: &str, id: &str, cf: &str, cognome: &str, sezione: &str| LocalPupil {
            id_locale: idl.into(),
            id_sidi: id.into(),
            codice_fiscale: cf.into(),
            cognome: cognome.into(),
            nome: "N".into(),
            sesso: "M".into(),
            data_nascita_raw: CompactString::default(),
            data_nascita: None,
            luogo_nascita: CompactString::default(),
            cittadinanza: CompactString::default(),
            class: ClassKey::new("RMEE00101X", "1", sezione),
            tempo_scuola: CompactString::default(),
            indirizzo: CompactString::default(),
            bloccati: FieldSet::default(),
            origin: o.clone(),
        };
        let sidi = SidiExport {
            pupils: vec![
                pupil("1", "CF1", "PRIMO"),
                pupil("2", "CF1", "DOPPIO"), // the same cf: the first pupil answers
                pupil("3", "CF3", "TERZO"),
            ],
            ..SidiExport::default()
        };
        let loc = LocalExport {
            pupils: vec![
                local("L1", "1", "CF1", "LOCALE", "A"), // SIDI's name comes first
                local("L9", "", "CF9", "SOLOLOCALE", "B"),
                local("L8", "", "CF9", "SECONDO", "C"),
            ],
            ..LocalExport::default()
        };
        let key = |id: Option<&str>, cf: Option<&str>, idl: Option<&str>| OpKey {
            id_sidi: id.map(CompactString::from),
            codice_fiscale: cf.map(CompactString::from),
            id_locale: idl.map(CompactString::from),
            ..OpKey::default()
        };
        let op = |k| Operation::new(OpKind::UpdateField, k, None, None, None, true, "t");
        let plan = Plan {
            ops: vec![
                op(key(Some("1"), Some("CF1"), Some("L1"))),
                op(key(None, Some("CF9"), Some("L8"))),
                op(key(None, Some("CF9"), Some("L8"))), // the same pupil's next operation
                op(key(Some("77"), None, None)),
                op(key(None, Some("CF3"), None)),
                // a lock wants its pupil's local class, not its name
                Operation::new(
                    OpKind::LockFields,
                    key(Some("4"), Some("CF4"), Some("L1")),
                    None,
                    None,
                    None,
                    true,
                    "t",
                ),
            ],
            // a finding without a record (a header's): "" must name nobody
            findings: vec![Finding::new(FindingCode::RequiredMissing, None)],
            ..Plan::default()
        };
        let ctx = ReportContext {
            sidi: Some(&sidi),
            local: Some(&loc),
            redactor: None,
            tally: None,
        };
        let p = People::new(&ctx, &plan);
        assert_eq!(p.who(&["1"]), "PRIMO N");
        assert_eq!(p.who(&["CF1"]), "PRIMO N");
        assert_eq!(p.who(&["L1"]), "LOCALE N");
        // only local pupils have CF9: the first of them
        assert_eq!(p.who(&["CF9"]), "SOLOLOCALE N");
        assert_eq!(p.who(&["L8"]), "SECONDO N");
        // nobody has 77: the key itself
        assert_eq!(p.who(&["77"]), "77");
        assert_eq!(p.who(&["", "77"]), "77");
        // an operation without id SIDI is named by its other keys, not by
        // the first pupil without one (local L9 here)
        assert_eq!(p.who(&["", "CF3", ""]), "TERZO N");
        assert_eq!(p.local_class("L8").map(|k| k.sezione.as_str()), Some("C"));
        assert_eq!(p.local_class("L1").map(|k| k.sezione.as_str()), Some("A"));
        let lock = plan.ops.len() - 1;
        assert_eq!(
            p.local_class_op(lock).map(|k| k.sezione.as_str()),
            Some("A")
        );
        assert_eq!((p.slot.get("4"), p.slot.get("CF4")), (None, None));
        // an operation's row finds the same pupil through its slots
        for (i, o) in plan.ops.iter().enumerate() {
            let k = &o.key;
            let keys = [&k.id_sidi, &k.codice_fiscale, &k.id_locale].map(|k| k.as_deref());
            if o.op != OpKind::LockFields {
                assert_eq!(
                    p.who_op(i, k),
                    p.who(&keys.map(|k| k.unwrap_or(""))),
                    "{k:?}"
                );
            }
            assert_eq!(
                p.local_class_op(i),
                keys[2].and_then(|id| p.local_class(id)),
                "{k:?}"
            );
        }

        // class counts made beforehand, as a sync makes them beside the
        // plan, give the page the report's own counting gives
        let page = |ctx: &ReportContext| {
            let d = gather_with(&plan, ctx, Lang::It, "2025-10-15 09:30");
            assert_eq!(d.sedi.iter().map(|s| s.classes.len()).sum::<usize>(), 3);
            let mut v = Vec::new();
            render_html_to(&d, &mut v).unwrap();
            v
        };
        let tally = PupilTally::of(&loc, Some(&sidi));
        let counted = ReportContext {
            tally: Some(&tally),
            ..ctx
        };
        assert_eq!(page(&ctx), page(&counted));
        // a key the report did not ask for is not looked up
        assert_eq!(p.local_class("L9"), None);
        assert_eq!(p.who(&["3"]), "3");
    }

    #[test]
    fn class_parts_borrow_normal_keys_and_normalise_others() {
        let k = ClassKey::new("rmee00101x ", "01", "b");
        let (s, a, z) = class_parts(&k.sede, &k.anno, &k.sezione);
        assert!(matches!(
            (&s, &a, &z),
            (Cow::Borrowed(_), Cow::Borrowed(_), Cow::Borrowed(_))
        ));
        assert_eq!(
            class_parts(" rmee00101x", "01", "b"),
            class_parts(&k.sede, &k.anno, &k.sezione)
        );
        assert_eq!(class_parts("X", "00", "è").1, "0");
        assert_eq!(class_parts("X", "", "è").2, "È");
    }

    #[test]
    fn human_times() {
        assert_eq!(human_time("2025-10-15T09:30:00", false), "15/10/2025 09:30");
        assert_eq!(
            human_time("2025-11-29T08:00:00Z", true),
            "29/11/2025 08:00 UTC"
        );
        assert_eq!(human_time("2025-10-15", false), "15/10/2025");
        assert_eq!(human_time("ieri", false), "ieri");
    }

    #[test]
    fn verdict_sentences() {
        let c = Counts {
            auto: 130,
            inserts: 124,
            decisions: 12,
            errors: 3,
            ..Counts::default()
        };
        assert_eq!(
            verdict(&c, Lang::It),
            "124 alunni da inserire, 6 altre modifiche automatiche, 12 decisioni da prendere, 3 errori da correggere su SIDI."
        );
        assert_eq!(
            verdict(&Counts::default(), Lang::En),
            Ui::AllAligned.text(Lang::En)
        );
        let one = Counts {
            decisions: 1,
            ..Counts::default()
        };
        assert_eq!(verdict(&one, Lang::It), "1 decisione da prendere.");
        // a large school's counts, thousands separated per language
        let large = Counts {
            auto: 26_459,
            inserts: 2_175,
            ..Counts::default()
        };
        assert_eq!(
            verdict(&large, Lang::It),
            "2.175 alunni da inserire, 24.284 altre modifiche automatiche."
        );
        assert_eq!(
            verdict(&large, Lang::En),
            "2,175 pupils to insert, 24,284 other automatic changes."
        );
    }

    #[test]
    fn counts_are_thousands_separated() {
        let mut o = String::new();
        section_head(&mut o, "modifiche", "Modifiche", Some(26_459), Lang::It);
        assert!(o.contains("<span class=\"count\">26.459</span>"), "{o}");
        let mut o = String::new();
        bar_chart(&mut o, "t", &[("a".into(), 18_291, "bar-new")], Lang::En);
        assert!(o.contains("class=\"num\">18,291</text>"), "{o}");
        assert_eq!(opt(Some(1_200), Lang::It), "1.200");
        assert_eq!(opt(None, Lang::It), "—");
    }

    #[test]
    fn key_slots_number_keys_in_order_of_first_request() {
        let keys: Vec<String> = (0..2000).map(|i| format!("K{:05}", i * 7 % 2000)).collect();
        // room for one: the table grows (and rehashes) on the way
        let mut slots = KeySlots::with_capacity(1);
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(slots.want(k), n as u32);
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(slots.want(k), n as u32, "asked again");
            assert_eq!(slots.get(k), Some(n));
        }
        assert_eq!(slots.len(), 2000);
        assert_eq!(slots.get("K99999"), None);
        assert_eq!(slots.get(""), None);
    }

    #[test]
    fn anchors_go_to_the_first_row_in_plan_order() {
        let key = |id: &str| OpKey {
            id_sidi: Some(id.into()),
            ..OpKey::default()
        };
        let op = |kind, id: &str| Operation::new(kind, key(id), None, None, None, true, "t");
        let plan = Plan {
            // pupil 5's link comes before its update in the plan, after it
            // on the page (operations are grouped by kind); the locks have
            // no row and claim nothing (not even pupil 7's, before its
            // excluded record, nor pupil 8's, which then has no row at all)
            ops: vec![
                op(OpKind::LockFields, "7"),
                op(OpKind::LinkStudent, "5"),
                op(OpKind::UpdateField, "5"),
                op(OpKind::LockFields, "8"),
                op(OpKind::UpdateField, "6"),
            ],
            excluded: vec![
                // already claimed by an operation; unclaimed
                crate::sync::ops::Excluded {
                    entity: crate::sync::ops::Entity::Student,
                    record: "6".into(),
                    origin: None,
                    codes: Vec::new(),
                },
                crate::sync::ops::Excluded {
                    entity: crate::sync::ops::Entity::Student,
                    record: "7".into(),
                    origin: None,
                    codes: Vec::new(),
                },
            ],
            findings: ["5", "7", "8"]
                .map(|r| Finding::new(FindingCode::RequiredMissing, None).record(r))
                .to_vec(),
            ..Plan::default()
        };
        let d = gather(&plan, Lang::It, "2026-01-01T00:00:00Z");
        let anchors = |k: OpKind| -> Vec<Option<String>> {
            let g = d.ops.iter().find(|g| g.kind == k).unwrap();
            g.rows.iter().map(|r| r.anchor.clone()).collect()
        };
        assert_eq!(anchors(OpKind::LinkStudent), [Some("r-5".to_string())]);
        assert!(d.ops.iter().all(|g| g.kind != OpKind::LockFields));
        assert_eq!(d.locks.as_ref().map(|s| s.pupils), Some(2));
        assert_eq!(
            anchors(OpKind::UpdateField),
            [None, Some("r-6".to_string())]
        );
        let excluded: Vec<_> = d.excluded.iter().map(|e| e.anchor.clone()).collect();
        assert_eq!(excluded, [None, Some("r-7".to_string())]);
        // findings link to any claimed anchor: an operation's, an excluded
        // record's, not to one nobody has
        let links: Vec<_> = d
            .findings
            .iter()
            .flat_map(|g| &g.rows)
            .map(|r| r.link.clone())
            .collect();
        assert_eq!(
            links,
            [Some("#r-5".to_string()), Some("#r-7".to_string()), None]
        );
    }

    #[test]
    fn locks_are_summed_up_per_class_with_no_names() {
        let o = Origin::new(&std::sync::Arc::from("t"), 1, 0);
        let pupil = |idl: &str, cf: &str, cognome: &str, class: &ClassKey| LocalPupil {
            id_locale: idl.into(),
            id_sidi: CompactString::default(),
            codice_fiscale: cf.into(),
            cognome: cognome.into(),
            nome: "NOMEX".into(),
            sesso: "M".into(),
            data_nascita_raw: CompactString::default(),
            data_nascita: None,
            luogo_nascita: CompactString::default(),
            cittadinanza: CompactString::default(),
            class: class.clone(),
            tempo_scuola: CompactString::default(),
            indirizzo: CompactString::default(),
            bloccati: FieldSet::default(),
            origin: o.clone(),
        };
        // in page order: C (sede BOAA…), 2B, then 10A (anno as a number)
        let a = ClassKey::new("BOEE83501Q", "10", "A");
        let b = ClassKey::new("BOEE83501Q", "2", "B");
        let c = ClassKey::new("BOAA83501E", "", "C");
        let loc = LocalExport {
            pupils: vec![
                pupil("L1", "RSSMRA14A01A944X", "ROSSI", &a),
                pupil("L2", "VRDLGU14A01A944X", "VERDI", &b),
                pupil("L3", "BNCNNA14A41A944X", "BIANCHI", &a),
                pupil("L4", "NREPLA19A01A944X", "NERI", &c),
            ],
            ..LocalExport::default()
        };
        let key = |idl: Option<&str>, cf: &str| OpKey {
            id_locale: idl.map(CompactString::from),
            codice_fiscale: Some(cf.into()),
            ..OpKey::default()
        };
        let lock = |idl: Option<&str>, cf: &str, fields: &[&str]| {
            Operation::new(
                OpKind::LockFields,
                key(idl, cf),
                None,
                Some(Value::List(Vec::new())),
                Some(Value::List(fields.iter().map(|&f| f.into()).collect())),
                true,
                "not_locked",
            )
        };
        let plan = Plan {
            ops: vec![
                lock(Some("L1"), "RSSMRA14A01A944X", &["nome"]),
                lock(Some("L2"), "VRDLGU14A01A944X", &["cittadinanza", "zeta"]),
                lock(Some("L3"), "BNCNNA14A41A944X", &["data_nascita", "cognome"]),
                // no local class: no id locale, an unknown one
                lock(None, "ZZZZZZ14A01A944X", &["codice_fiscale"]),
                lock(Some("L4"), "NREPLA19A01A944X", &["sesso"]),
                lock(Some("L99"), "YYYYYY14A01A944X", &["alfa", "nome"]),
                Operation::new(
                    OpKind::UpdateField,
                    key(Some("L2"), "VRDLGU14A01A944X"),
                    Some("nome"),
                    Some(Value::text("Luigi")),
                    Some(Value::text("LUIGI")),
                    true,
                    "t",
                ),
                Operation::new(
                    OpKind::WithdrawStudent,
                    key(Some("L4"), "NREPLA19A01A944X"),
                    None,
                    None,
                    None,
                    false,
                    "t",
                ),
            ],
            ..Plan::default()
        };
        let ctx = ReportContext {
            local: Some(&loc),
            ..ReportContext::default()
        };
        let d = gather_with(&plan, &ctx, Lang::It, "2026-01-01T00:00:00Z");
        let s = d.locks.as_ref().expect("a summary");
        assert_eq!(s.pupils, 6);
        assert_eq!(s.label, "alunni con campi da bloccare");
        let fields = [
            "codice_fiscale",
            "cognome",
            "nome",
            "sesso",
            "data_nascita",
            "cittadinanza",
            "alfa",
            "zeta",
        ];
        assert_eq!(s.fields, fields);
        let rows: Vec<(&str, usize, Vec<&str>)> = s
            .classes
            .iter()
            .map(|r| {
                let f = r.fields.iter().map(String::as_str).collect();
                (r.label.as_str(), r.pupils, f)
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("C · BOAA83501E", 1, vec!["sesso"]),
                ("2B · BOEE83501Q", 1, vec!["cittadinanza", "zeta"]),
                (
                    "10A · BOEE83501Q",
                    2,
                    vec!["cognome", "nome", "data_nascita"]
                ),
                ("—", 2, vec!["codice_fiscale", "nome", "alfa"]),
            ]
        );
        assert_eq!(s.classes[0].class.as_ref(), Some(&c));
        assert_eq!(s.classes[3].class, None);
        assert_eq!(
            s.text,
            "6 alunni: vengono bloccati i campi codice fiscale, cognome, nome, sesso, \
             data di nascita, cittadinanza, alfa, zeta. L'elenco alunno per alunno è nel \
             pacchetto (patch.jsonl, patch.csv, patch.xml)."
        );
        // no row for a lock; the other kinds keep theirs
        let kinds: Vec<OpKind> = d.ops.iter().map(|g| g.kind).collect();
        assert_eq!(kinds, [OpKind::UpdateField, OpKind::WithdrawStudent]);
        // the classes' tables still count the locks among the changes
        let changes = |k: &ClassKey| {
            let rows = d.sedi.iter().flat_map(|s| &s.classes);
            rows.filter(|r| &r.key == k)
                .map(|r| r.changes)
                .sum::<usize>()
        };
        assert_eq!((changes(&a), changes(&b), changes(&c)), (2, 2, 2));
        assert_eq!(d.counts.auto, 8);

        // the page: the group where its kind comes, no name, no code, no
        // anchor; one filterable row per class
        let html = render_html(&d);
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
        let start = at("<h3>alunni con campi da bloccare <span class=\"count\">6</span>");
        assert!(at("<h3>dati anagrafici da aggiornare") < start);
        assert!(start < at("<h3>alunni da ritirare"));
        let group = &html[start..];
        let group = &group[..group.find("</div>").unwrap()];
        for personal in [
            "ROSSI", "VERDI", "BIANCHI", "NERI", "NOMEX", "A944X", "L1", "L99",
        ] {
            assert!(!group.contains(personal), "{personal} in {group}");
        }
        assert!(!group.contains(" id="), "{group}");
        assert!(group.contains(&format!("<p class=\"locks\">{}</p>", esc(&s.text))));
        assert!(group.contains(
            "<tr><td><strong>10A · BOEE83501Q</strong></td><td class=\"num\">2</td>\
             <td>cognome, nome, data di nascita</td></tr>"
        ));
        let tbody = &group[group.find("<tbody>").unwrap()..];
        assert_eq!(tbody.matches("<tr>").count(), 4);
        assert!(tbody.trim_end().ends_with(
            "<tr><td><strong>—</strong></td><td class=\"num\">2</td>\
             <td>codice fiscale, nome, alfa</td></tr>\n</tbody>\n</table>"
        ));

        // in English
        let en = gather_with(&plan, &ctx, Lang::En, "2026-01-01T00:00:00Z");
        let s = en.locks.as_ref().unwrap();
        assert_eq!(s.label, "pupils with fields to lock");
        assert_eq!(
            s.text,
            "6 pupils: the fields codice fiscale, surname, name, sex, birth date, citizenship, \
             alfa, zeta are locked. The pupil-by-pupil list is in the package (patch.jsonl, \
             patch.csv, patch.xml)."
        );
        let html = render_html(&en);
        assert!(html.contains("<th>Class</th><th class=\"num\">Pupils</th><th>Fields to lock</th>"));
        assert!(html.contains("<td>surname, name, birth date</td>"));

        // one field, one pupil; thousands separated
        let one = Plan {
            ops: vec![lock(Some("L1"), "RSSMRA14A01A944X", &["data_nascita"])],
            ..Plan::default()
        };
        let text = |plan: &Plan, l| gather_with(plan, &ctx, l, "x").locks.unwrap().text;
        assert_eq!(
            text(&one, Lang::It),
            "1 alunno: viene bloccato il campo data di nascita. L'elenco alunno per alunno \
             è nel pacchetto (patch.jsonl, patch.csv, patch.xml)."
        );
        assert!(text(&one, Lang::En).starts_with("1 pupil: the field birth date is locked. "));
        let many = Plan {
            ops: vec![lock(Some("L1"), "RSSMRA14A01A944X", &["nome"]); 1234],
            ..Plan::default()
        };
        assert!(text(&many, Lang::It).starts_with("1.234 alunni: viene bloccato il campo nome."));
        assert!(text(&many, Lang::En).starts_with("1,234 pupils: the field name is locked."));
        // no lock, no summary
        assert_eq!(gather(&Plan::default(), Lang::It, "x").locks, None);
    }

    #[test]
    fn operation_anchors_with_equal_hashes_stay_apart() {
        let row = |a: &str| OpRow {
            id: CompactString::default(),
            anchor: Some(a.into()),
            who: String::new(),
            cf: String::new(),
            class: String::new(),
            field: String::new(),
            old: String::new(),
            new: String::new(),
            locked: false,
        };
        let rows = vec![vec![row("r-a"), row("r-b")], vec![row("r-a"), row("r-b")]];
        let mut t = OpAnchors::new(&rows, 4);
        // one hash for all: the strings decide
        assert!(t.claim(7, (0, 0)));
        assert!(t.claim(7, (0, 1)));
        assert!(!t.claim(7, (1, 0)));
        assert!(!t.claim(7, (1, 1)));
        assert!(t.holds(7, "r-a") && t.holds(7, "r-b") && !t.holds(7, "r-c"));
        assert!(!t.holds(8, "r-a"));
        // with real hashes
        let mut t = OpAnchors::new(&rows, 4);
        let h = |a: &str| t.hash(a);
        let (ha, hb) = (h("r-a"), h("r-b"));
        assert!(t.claim(ha, (1, 0)) && !t.claim(ha, (0, 0)) && t.claim(hb, (0, 1)));
        assert!(t.contains("r-a") && t.contains("r-b") && !t.contains("r-c"));
    }

    #[test]
    fn anchors_are_safe_ids() {
        assert_eq!(anchor_of("BOMM83501P 1A"), "r-BOMM83501P_1A");
        assert_eq!(anchor_of("a\"<b"), "r-a__b");
    }

    #[test]
    fn empty_plan_renders_escaped_and_closed() {
        let mut plan = Plan::default();
        plan.school.codice_scuola = "<X&Y>".into();
        let html = render_html(&gather(&plan, Lang::It, "2025-11-29T08:00:00Z"));
        assert!(html.contains("&lt;X&amp;Y&gt;"));
        assert!(!html.contains("<X&Y>"));
        assert!(html.ends_with("</html>\n"));
        assert!(html.contains(Ui::AllAligned.text(Lang::It)));
    }

    #[test]
    fn finding_rows_are_capped_per_code() {
        let mut d = gather(&Plan::default(), Lang::It, "2025-11-29T08:00:00Z");
        let row = |i: usize| FindingRow {
            location: format!("frequenze.xml:{i}"),
            who: format!("id {i}"),
            message: "m".into(),
            link: None,
        };
        for (code, n) in [
            ("SESSO_INVALID", FINDING_ROWS_PER_CODE + 37),
            ("AGE_ANNO", 3),
        ] {
            d.findings.push(FindingGroup {
                code,
                error: false,
                title: "t".into(),
                action: "a".into(),
                rows: (0..n).map(row).collect(),
            });
        }
        d.counts.warnings = FINDING_ROWS_PER_CODE + 40;
        let html = render_html(&d);
        let first = html.split("<code>AGE_ANNO</code>").next().unwrap();
        assert_eq!(
            first.matches("<td class=\"loc\">").count(),
            FINDING_ROWS_PER_CODE
        );
        assert!(first.contains(&format!(
            "<span class=\"count\">{}</span> <code>SESSO_INVALID</code>",
            FINDING_ROWS_PER_CODE + 37
        )));
        assert!(first.contains(&format!("frequenze.xml:{}<", FINDING_ROWS_PER_CODE - 1)));
        assert!(!first.contains(&format!("frequenze.xml:{}<", FINDING_ROWS_PER_CODE)));
        assert!(first.contains("<p class=\"more\">… e altre 37 segnalazioni di questo tipo"));
        // the small group is whole, with no such line
        let rest = html.split("<code>AGE_ANNO</code>").nth(1).unwrap();
        assert_eq!(rest.matches("<td class=\"loc\">").count(), 3);
        assert!(!rest.contains("class=\"more\""));
        d.lang = Lang::En;
        assert!(render_html(&d).contains("… and 37 more findings of this kind"));
    }
}
