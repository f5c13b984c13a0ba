//! Record rules over a SIDI export (see [`super::validate_export`]).

use super::{cf, places, school_code, ValidateOptions, Validation};
use crate::date::Date;
use crate::findings::{Finding, FindingCode};
use crate::model::Trimmed;
use crate::model::{matching_key, ClassKey, CodeKind, LocalExport, Ordine, Pupil, SidiExport};
use crate::util::{FastMap as HashMap, FastSet as HashSet};
use std::borrow::Cow;

/// Reference year of the age check: first year of `2025/26` (or `2025-2026`,
/// `2025`), else the year of `today`.
pub fn reference_year(anno_scolastico: &str, today: Date) -> u32 {
    let t = anno_scolastico.trimmed();
    let head: String = t.chars().take_while(char::is_ascii_digit).collect();
    match head.parse::<u32>() {
        Ok(y) if head.len() == 4 && (1900..=2999).contains(&y) => y,
        _ => today.year(),
    }
}

/// The usual age range (turned during the reference year) for an anno di
/// corso: the ordine's first-year age plus `anno - 1`, from one year younger
/// (early enrolment, "anticipatari") to two years older (repeated years).
pub fn usual_age_range(ordine: Ordine, anno: u8) -> (i32, i32) {
    let base = ordine.first_year_age() + i32::from(anno.max(1)) - 1;
    (base - 1, base + 2)
}

/// The ordine of a sede: as declared in the export's sedi, else read from
/// the type characters of its codice meccanografico.
fn ordine_of_sede(sede: &str, declared: &HashMap<&str, Option<Ordine>>) -> Option<Ordine> {
    if let Some(o) = declared.get(sede) {
        return *o;
    }
    let t = school_code::school_type(sede)?;
    [
        Ordine::Infanzia,
        Ordine::Primaria,
        Ordine::SecondariaPrimo,
        Ordine::SecondariaSecondo,
    ]
    .into_iter()
    .find(|o| school_code::type_fits(&t, *o))
}

struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    fn push(&mut self, f: Finding) -> bool {
        let e = f.is_error();
        self.findings.push(f);
        e
    }
}

pub(super) fn run(export: &SidiExport, opts: &ValidateOptions) -> Validation {
    let mut sink = Sink {
        findings: Vec::new(),
    };
    let mut pupil_errors = vec![false; export.pupils.len()];
    let mut class_errors = vec![false; export.classes.len()];
    let ref_year = reference_year(&export.header.anno_scolastico, opts.today);

    // --- header ---
    let h = &export.header;
    if h.codice_scuola.trimmed().is_empty() {
        if !opts.reader_checked {
            sink.push(
                Finding::new(FindingCode::RequiredMissing, h.origin.clone()).field("CODICE_SCUOLA"),
            );
        }
    } else {
        school_code::findings(
            &h.codice_scuola,
            None,
            h.origin.clone(),
            h.codice_scuola.trimmed(),
            "CODICE_SCUOLA",
            &mut sink.findings,
        );
    }

    // --- declared codes ---
    let mut code_ordini: HashMap<(CodeKind, &str), Vec<&str>> = HashMap::default();
    for c in &export.codes {
        code_ordini
            .entry((c.kind, c.codice.trimmed()))
            .or_default()
            .push(c.ordine.trimmed());
        if !c.ordine.trimmed().is_empty() && Ordine::from_code(&c.ordine).is_none() {
            sink.push(
                Finding::new(FindingCode::OrdineInvalid, Some(c.origin.clone()))
                    .record(c.codice.trimmed())
                    .field("ORDINE")
                    .value(c.ordine.trimmed()),
            );
        }
    }

    // --- sedi ---
    let mut sede_ordine: HashMap<&str, Option<Ordine>> = HashMap::default();
    for s in &export.sedi {
        let ordine = Ordine::from_code(&s.ordine);
        sede_ordine.insert(s.codice.trimmed(), ordine);
        if ordine.is_none() {
            sink.push(
                Finding::new(FindingCode::OrdineInvalid, Some(s.origin.clone()))
                    .record(s.codice.trimmed())
                    .field("ORDINE")
                    .value(s.ordine.trimmed()),
            );
        }
        if !s.comune.trimmed().is_empty() && !places::is_known(&s.comune) {
            sink.push(
                Finding::new(FindingCode::PlaceUnknown, Some(s.origin.clone()))
                    .record(s.codice.trimmed())
                    .field("CODICE_COMUNE")
                    .value(s.comune.trimmed()),
            );
        }
        school_code::findings(
            &s.codice,
            ordine,
            Some(s.origin.clone()),
            s.codice.trimmed(),
            "CODICE_SEDE",
            &mut sink.findings,
        );
    }

    // --- classes ---
    let mut declared_classes: HashSet<&ClassKey> = HashSet::default();
    for (i, c) in export.classes.iter().enumerate() {
        let record = c.key.to_string();
        let origin = Some(c.origin.clone());
        let mk = |code: FindingCode| Finding::new(code, origin.clone()).record(record.clone());
        let mut err = false;
        if !declared_classes.insert(&c.key) {
            err |= sink.push(mk(FindingCode::ClassDuplicate).value(record.clone()));
        }
        if !export.sedi.is_empty() && !sede_ordine.contains_key(c.key.sede.as_str()) {
            err |= sink.push(
                mk(FindingCode::SedeUndeclared)
                    .field("CODICE_SEDE")
                    .value(c.key.sede.clone()),
            );
        }
        let ordine = ordine_of_sede(&c.key.sede, &sede_ordine);
        if let Some(o) = ordine {
            let range = o.anno_range();
            let ok = match c.key.anno_num() {
                Some(a) => range.contains(&a) && !(a == 0 && o != Ordine::Infanzia),
                None => c.key.anno.is_empty() && o == Ordine::Infanzia,
            };
            if !ok {
                let lo = (*range.start()).max(1);
                err |= sink.push(
                    mk(FindingCode::AnnoRange)
                        .field("ANNO_CORSO")
                        .value(c.key.anno.clone())
                        .expected(format!("{}-{}", lo, range.end())),
                );
            }
        }
        let n = c.key.sezione.chars().count();
        if !(1..=4).contains(&n) {
            err |= sink.push(
                mk(FindingCode::SezioneLength)
                    .field("SEZIONE")
                    .value(c.key.sezione.clone()),
            );
        }
        for (kind, value, field) in [
            (
                CodeKind::TempoScuola,
                c.tempo_scuola.trimmed(),
                "TEMPO_SCUOLA",
            ),
            (CodeKind::Indirizzo, c.indirizzo.trimmed(), "INDIRIZZO"),
        ] {
            if value.is_empty() {
                continue;
            }
            match code_ordini.get(&(kind, value)) {
                None => {
                    err |= sink.push(mk(FindingCode::CodeUndeclared).field(field).value(value));
                }
                Some(ords) => {
                    let fits = ordine.is_none()
                        || ords
                            .iter()
                            .any(|o| o.is_empty() || Ordine::from_code(o) == ordine);
                    if !fits {
                        let mut list: Vec<&str> = ords.clone();
                        list.sort_unstable();
                        list.dedup();
                        err |= sink.push(
                            mk(FindingCode::CodeOrdine)
                                .field(field)
                                .value(value)
                                .expected(list.join(", ")),
                        );
                    }
                }
            }
        }
        class_errors[i] = err;
    }

    // --- pupils (independent of each other: checked in parallel, beside
    // the duplicate counts across pupils; every finding is sorted below,
    // so the order they are gathered in does not show) ---
    use rayon::prelude::*;
    let cf_keys: Vec<Cow<str>> = export
        .pupils
        .par_iter()
        .map(|p| matching_key(&p.codice_fiscale))
        .collect();
    let (duplicates, per_pupil): (_, Vec<(Vec<Finding>, bool)>) = rayon::join(
        || duplicate_flags(&export.pupils, &cf_keys),
        || {
            export
                .pupils
                .par_iter()
                .with_min_len(512)
                .map(|p| {
                    let mut sink = Sink {
                        findings: Vec::new(),
                    };
                    let err = pupil_rules(
                        p,
                        &sede_ordine,
                        &declared_classes,
                        ref_year,
                        opts,
                        &mut sink,
                    );
                    (sink.findings, err)
                })
                .collect()
        },
    );
    for (i, (f, mut err)) in per_pupil.into_iter().enumerate() {
        sink.findings.extend(f);
        for f in duplicate_findings(&export.pupils[i], &cf_keys[i], duplicates[i]) {
            err |= sink.push(f);
        }
        pupil_errors[i] = err;
    }

    let mut findings = sink.findings;
    sort_findings(&mut findings);
    Validation {
        findings,
        pupil_errors,
        class_errors,
        duplicates,
    }
}

/// Per pupil: (its codice fiscale is shared with another pupil, its id
/// SIDI is). `cf_keys`: each pupil's codice fiscale as [`matching_key`]
/// gives it. The two counts are built side by side, the flags in
/// parallel. Used by validation and, for a hand-built [`Validation`], by
/// the sync engine.
pub fn duplicate_flags(pupils: &[Pupil], cf_keys: &[Cow<'_, str>]) -> Vec<(bool, bool)> {
    // One pass per key, the two side by side: a key seen before marks both
    // its first pupil and this one (one table probe per pupil and key). The
    // tables hold positions, the keys are the pupils' own (`key`).
    fn shared<'k>(n: usize, key: impl Fn(usize) -> &'k str) -> Vec<bool> {
        let mut first = crate::util::Positions::with_capacity(n);
        let mut flags = vec![false; n];
        for i in 0..n {
            let k = key(i);
            if k.is_empty() {
                continue;
            }
            if let Some(j) = first.first(k, i, &key) {
                flags[j] = true;
                flags[i] = true;
            }
        }
        flags
    }
    let n = pupils.len();
    let (by_cf, by_id) = rayon::join(
        || shared(n, |i| cf_keys.get(i).map_or("", |k| &**k)),
        || shared(n, |i| pupils[i].id_sidi.trimmed()),
    );
    by_cf.into_iter().zip(by_id).collect()
}

/// The findings of pupil `p` for its flags from [`duplicate_flags`]: its
/// codice fiscale (`cf_key`, as [`matching_key`] gives it) shared with
/// another pupil, then its id SIDI. Used by validation and by the sync
/// engine.
pub fn duplicate_findings(p: &Pupil, cf_key: &str, (dup_cf, dup_id): (bool, bool)) -> Vec<Finding> {
    // empty, without allocating, for all but a few pupils (a pair of
    // optional findings cost a copy of 260 bytes per pupil)
    let mut out = Vec::new();
    let mk = |code: FindingCode, field: &str, value: &str| {
        Finding::new(code, Some(p.origin.clone()))
            .record(p.identity())
            .field(field)
            .value(value)
    };
    if dup_cf {
        out.push(mk(FindingCode::CfDuplicate, "CODICE_FISCALE", cf_key));
    }
    if dup_id {
        out.push(mk(
            FindingCode::IdSidiDuplicate,
            "ID_ALUNNO_SIDI",
            p.id_sidi.trimmed(),
        ));
    }
    out
}

/// Deterministic order: file, line, column, then code, record, field, value.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let ka = a.origin.as_ref().map(|o| (&o.file, o.line, o.column));
        let kb = b.origin.as_ref().map(|o| (&o.file, o.line, o.column));
        ka.cmp(&kb)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.record.cmp(&b.record))
            .then_with(|| a.field.cmp(&b.field))
            .then_with(|| a.value.cmp(&b.value))
            .then_with(|| a.expected.cmp(&b.expected))
    });
}

fn pupil_rules(
    p: &Pupil,
    sede_ordine: &HashMap<&str, Option<Ordine>>,
    declared_classes: &HashSet<&ClassKey>,
    ref_year: u32,
    opts: &ValidateOptions,
    sink: &mut Sink,
) -> bool {
    // the identity and origin are built only for a finding (most pupils
    // have none)
    let record = || p.identity();
    let origin = || Some(p.origin.clone());
    let mk =
        |code: FindingCode, field: &str| Finding::new(code, origin()).record(record()).field(field);
    let mut err = false;
    for (field, value) in [
        ("CODICE_FISCALE", &p.codice_fiscale),
        ("COGNOME", &p.cognome),
        ("NOME", &p.nome),
        ("SESSO", &p.sesso),
        ("DATA_NASCITA", &p.data_nascita_raw),
    ] {
        if value.trimmed().is_empty() {
            // (the reader has reported it: `reader_checked`)
            err |= opts.reader_checked || sink.push(mk(FindingCode::RequiredMissing, field));
        }
    }
    let sesso = p.sesso.trimmed();
    if !sesso.is_empty() && sesso != "M" && sesso != "F" {
        err |= sink.push(mk(FindingCode::SessoInvalid, "SESSO").value(sesso));
    }
    let raw = p.data_nascita_raw.trimmed();
    match p.data_nascita {
        None if !raw.is_empty() => {
            err |= opts.reader_checked
                || sink.push(
                    mk(FindingCode::DateInvalid, "DATA_NASCITA")
                        .value(raw)
                        .expected("gg/mm/aaaa"),
                );
        }
        Some(d) if d > opts.today => {
            err |= sink.push(
                mk(FindingCode::DateInvalid, "DATA_NASCITA")
                    .value(raw)
                    .expected(format!("<= {}", opts.today.to_italian())),
            );
        }
        _ => {}
    }
    for (field, value) in [
        ("LUOGO_NASCITA", p.luogo_nascita.trimmed()),
        ("CITTADINANZA", p.cittadinanza.trimmed()),
    ] {
        let italy = field == "CITTADINANZA" && value.eq_ignore_ascii_case("Z000");
        if !value.is_empty() && !italy && !places::is_known(value) {
            err |= sink.push(mk(FindingCode::PlaceUnknown, field).value(value));
        }
    }

    // Codice fiscale: own rules and consistency with the record.
    if !p.codice_fiscale.trimmed().is_empty() {
        let ctx = cf::RecordContext {
            cognome: &p.cognome,
            nome: &p.nome,
            sesso: &p.sesso,
            birth: p.data_nascita,
            luogo: &p.luogo_nascita,
        };
        let start = sink.findings.len();
        cf::record_findings(
            &p.codice_fiscale,
            &ctx,
            &origin,
            &record,
            &mut sink.findings,
        );
        err |= sink.findings[start..].iter().any(Finding::is_error);
    }
    let stato = p.stato_cf.trimmed();
    match stato {
        "" | "V" | "v" => {}
        "N" | "n" => {
            sink.push(mk(FindingCode::CfStateNonValidato, "STATO_CF").value(stato));
        }
        "P" | "p" => {
            sink.push(mk(FindingCode::CfStateProvvisorio, "STATO_CF").value(stato));
        }
        _ => {
            sink.push(mk(FindingCode::CfStateInvalid, "STATO_CF").value(stato));
        }
    }

    // Frequenze.
    for f in &p.frequenze {
        let fo = || Some(f.origin.clone());
        let st = f.stato.trimmed();
        if !["FREQUENTANTE", "TRASFERITO", "RITIRATO", "INTERROTTO"]
            .iter()
            .any(|s| st.eq_ignore_ascii_case(s))
        {
            sink.push(
                Finding::new(FindingCode::FrequenzaStatoInvalid, fo())
                    .record(record())
                    .field("STATO_FREQUENZA")
                    .value(f.stato.trimmed()),
            );
        }
        if f.dal.is_none() && !f.dal_raw.trimmed().is_empty() {
            err |= opts.reader_checked
                || sink.push(
                    Finding::new(FindingCode::DateInvalid, fo())
                        .record(record())
                        .field("DATA_INIZIO")
                        .value(f.dal_raw.trimmed())
                        .expected("gg/mm/aaaa"),
                );
        }
    }
    let Some(cur) = p.current_frequenza() else {
        let mut states: Vec<&str> = p.frequenze.iter().map(|f| f.stato.trimmed()).collect();
        states.dedup();
        sink.push(mk(FindingCode::NoCurrentFrequenza, "STATO_FREQUENZA").value(states.join(", ")));
        return err;
    };
    let fo = || Some(cur.origin.clone());
    if !declared_classes.contains(&cur.class) {
        err |= sink.push(
            Finding::new(FindingCode::ClassUndeclared, fo())
                .record(record())
                .field("CLASSE")
                .value(cur.class.to_string()),
        );
    }
    // Age against anno di corso.
    let ordine = ordine_of_sede(&cur.class.sede, sede_ordine);
    if let (Some(o), Some(a), Some(b)) = (ordine, cur.class.anno_num(), p.data_nascita) {
        if o.anno_range().contains(&a) && a > 0 {
            let age = ref_year as i32 - b.year() as i32;
            let (lo, hi) = usual_age_range(o, a);
            if age < lo || age > hi {
                sink.push(
                    Finding::new(FindingCode::AgeAnno, fo())
                        .record(record())
                        .field("DATA_NASCITA")
                        .value(b.to_italian())
                        .expected(format!("{lo}-{hi} ({ref_year}, {} {})", o.code(), a)),
                );
            }
        }
    }
    err
}

/// Warnings for the rows of a local export: a codice fiscale that does not
/// validate (the row is kept; matching falls back on the other data).
pub fn validate_local(local: &LocalExport) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &local.pupils {
        let cfv = p.codice_fiscale.trimmed();
        if cfv.is_empty() {
            continue;
        }
        let o = cf::validate_in(cfv.as_bytes(), p.data_nascita, Date::today());
        if o.is_valid() {
            continue;
        }
        let codes: Vec<&str> = o
            .issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| i.finding_code().code())
            .collect();
        let record = if p.id_locale.trimmed().is_empty() {
            cfv.to_ascii_uppercase()
        } else {
            p.id_locale.trimmed().to_string()
        };
        out.push(
            Finding::new(FindingCode::LocalCfInvalid, Some(p.origin.clone()))
                .record(record)
                .field("CODICE_FISCALE")
                .value(cfv)
                .expected(codes.join(", ")),
        );
    }
    sort_findings(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classe, DeclaredCode, Frequenza, Header, LocalPupil, Origin, Sede};
    use std::sync::Arc;

    fn d(y: u32, m: u32, dd: u32) -> Date {
        Date::new(y, m, dd).unwrap()
    }
    fn o(line: u32) -> Origin {
        Origin::new(&Arc::from("frequenze.xml"), line, 0)
    }
    fn opts() -> ValidateOptions {
        ValidateOptions {
            today: d(2025, 10, 15),
            reader_checked: false,
        }
    }
    fn pupil(
        id: &str,
        cognome: &str,
        nome: &str,
        sex: char,
        birth: Date,
        class: &ClassKey,
        line: u32,
    ) -> Pupil {
        Pupil {
            id_sidi: id.into(),
            codice_fiscale: cf::encode(cognome, nome, birth, sex, "H501").into(),
            stato_cf: "V".into(),
            cognome: cognome.into(),
            nome: nome.into(),
            sesso: sex.to_string().into(),
            data_nascita_raw: birth.to_string().into(),
            data_nascita: Some(birth),
            luogo_nascita: "H501".into(),
            cittadinanza: "Z000".into(),
            frequenze: vec![Frequenza {
                class: class.clone(),
                dal_raw: "2025-09-15".into(),
                dal: Some(d(2025, 9, 15)),
                stato: "FREQUENTANTE".into(),
                origin: o(line + 1),
            }],
            origin: o(line),
        }
    }

    /// A clean primary school: one sede, one class, two pupils of the right age.
    fn clean() -> SidiExport {
        let key = ClassKey::new("AGEE805015", "1", "A");
        SidiExport {
            header: Header {
                codice_scuola: "IBIC80300V".into(),
                anno_scolastico: "2025/26".into(),
                data_estrazione: "2025-10-15T09:30:00".into(),
                origin: Some(o(2)),
            },
            codes: vec![DeclaredCode {
                kind: CodeKind::TempoScuola,
                codice: "10".into(),
                ordine: "EE".into(),
                descrizione: "24 ORE".into(),
                origin: o(5),
            }],
            sedi: vec![Sede {
                codice: "AGEE805015".into(),
                ordine: "EE".into(),
                comune: "A089".into(),
                denominazione: "PLESSO".into(),
                origin: o(8),
            }],
            classes: vec![Classe {
                key: key.clone(),
                tempo_scuola: "10".into(),
                indirizzo: Default::default(),
                origin: o(11),
            }],
            pupils: vec![
                pupil("1", "Rossi", "Maria", 'F', d(2019, 5, 12), &key, 20),
                pupil("2", "Bianchi", "Luca", 'M', d(2019, 2, 1), &key, 30),
            ],
            ..Default::default()
        }
    }

    fn codes(v: &Validation) -> Vec<&'static str> {
        v.findings.iter().map(|f| f.code.code()).collect()
    }

    #[test]
    fn clean_export_has_no_findings() {
        let e = clean();
        let v = validate_export_for_test(&e);
        assert!(v.findings.is_empty(), "{:?}", v.findings);
        assert_eq!(v.pupil_errors, [false, false]);
        assert_eq!(v.class_errors, [false]);
    }

    fn validate_export_for_test(e: &SidiExport) -> Validation {
        run(e, &opts())
    }

    #[test]
    fn duplicate_cf_and_id_mark_every_holder() {
        let mut e = clean();
        e.pupils[1].codice_fiscale = e.pupils[0].codice_fiscale.to_lowercase();
        e.pupils[1].id_sidi = "1".into();
        let v = validate_export_for_test(&e);
        let c = codes(&v);
        assert_eq!(c.iter().filter(|c| **c == "CF_DUPLICATE").count(), 2);
        assert_eq!(c.iter().filter(|c| **c == "ID_SIDI_DUPLICATE").count(), 2);
        assert_eq!(v.pupil_errors, [true, true]);
    }

    #[test]
    fn duplicate_flags_mark_every_holder_and_skip_empty_keys() {
        let mut e = clean();
        e.pupils.push(e.pupils[0].clone());
        e.pupils.push(e.pupils[1].clone());
        for (p, id) in e.pupils.iter_mut().zip(["7", " 7 ", "", ""]) {
            p.id_sidi = id.into();
        }
        let keys: Vec<Cow<str>> = ["A", "", "A", ""].into_iter().map(Cow::Borrowed).collect();
        let flags = duplicate_flags(&e.pupils, &keys);
        assert_eq!(
            flags,
            [(true, true), (false, true), (true, false), (false, false)]
        );
        // fewer keys than pupils: the missing ones count as empty
        let flags = duplicate_flags(&e.pupils, &keys[..1]);
        assert_eq!(
            flags,
            [(false, true), (false, true), (false, false), (false, false)]
        );
    }

    #[test]
    fn cf_errors_and_mismatches() {
        let mut e = clean();
        let mut bad = e.pupils[0].codice_fiscale.as_bytes().to_vec();
        bad[15] = if bad[15] == b'A' { b'B' } else { b'A' };
        e.pupils[0].codice_fiscale = String::from_utf8(bad).unwrap().into();
        e.pupils[1].nome = "Marco".into();
        let v = validate_export_for_test(&e);
        assert!(codes(&v).contains(&"CF_CHECK"));
        let mm = v
            .findings
            .iter()
            .find(|f| f.code == FindingCode::CfMismatchNome)
            .unwrap();
        assert_eq!((mm.value.as_str(), mm.expected.as_str()), ("LCU", "MRC"));
        assert_eq!(mm.record, "2");
        assert_eq!(v.pupil_errors, [true, false]);
    }

    #[test]
    fn cf_states() {
        let mut e = clean();
        e.pupils[0].stato_cf = "N".into();
        e.pupils[1].stato_cf = "P".into();
        let v = validate_export_for_test(&e);
        assert!(codes(&v).contains(&"CF_STATE_N"));
        assert!(codes(&v).contains(&"CF_STATE_P"));
        assert_eq!(v.pupil_errors, [false, false]);
        e.pupils[0].stato_cf = "X".into();
        assert!(codes(&validate_export_for_test(&e)).contains(&"CF_STATE_INVALID"));
    }

    #[test]
    fn required_sesso_dates_places() {
        let mut e = clean();
        e.pupils[0].nome.clear();
        e.pupils[0].sesso = "X".into();
        e.pupils[1].data_nascita_raw = "31/02/2019".into();
        e.pupils[1].data_nascita = None;
        e.pupils[1].luogo_nascita = "Q999".into();
        e.pupils[1].frequenze[0].dal_raw = "2025-13-01".into();
        e.pupils[1].frequenze[0].dal = None;
        let v = validate_export_for_test(&e);
        let c = codes(&v);
        for want in [
            "REQUIRED_MISSING",
            "SESSO_INVALID",
            "DATE_INVALID",
            "PLACE_UNKNOWN",
        ] {
            assert!(c.contains(&want), "{want} in {c:?}");
        }
        let missing = v
            .findings
            .iter()
            .find(|f| f.code == FindingCode::RequiredMissing)
            .unwrap();
        assert_eq!(missing.field, "NOME");
        assert_eq!(v.pupil_errors, [true, true]);
        // read by sidisync's readers, which reported the missing nome and
        // the unreadable dates: left out here, the pupils still excluded
        let read = run(&e, &opts().for_read_export());
        let c = codes(&read);
        assert!(!c.contains(&"REQUIRED_MISSING"), "{c:?}");
        assert!(!c.contains(&"DATE_INVALID"), "{c:?}");
        assert!(c.contains(&"SESSO_INVALID") && c.contains(&"PLACE_UNKNOWN"));
        assert_eq!(read.pupil_errors, [true, true]);
        // A birth date in the future is impossible.
        let mut e = clean();
        e.pupils[0].data_nascita = Some(d(2026, 1, 1));
        e.pupils[0].data_nascita_raw = "2026-01-01".into();
        let v = validate_export_for_test(&e);
        assert!(v
            .findings
            .iter()
            .any(|f| f.code == FindingCode::DateInvalid && f.field == "DATA_NASCITA"));
    }

    #[test]
    fn age_against_anno() {
        let mut e = clean();
        let key = e.classes[0].key.clone();
        // 2025 - 2012 = 13 in a first year of primaria (usual 5-8).
        e.pupils[0] = pupil("1", "Rossi", "Maria", 'F', d(2012, 5, 12), &key, 20);
        let v = validate_export_for_test(&e);
        let f = v
            .findings
            .iter()
            .find(|f| f.code == FindingCode::AgeAnno)
            .unwrap();
        assert_eq!(f.value, "12/05/2012");
        assert!(f.expected.starts_with("5-8 (2025"));
        assert!(!f.is_error());
        assert_eq!(reference_year("2025/26", d(2030, 1, 1)), 2025);
        assert_eq!(reference_year("", d(2030, 1, 1)), 2030);
        assert_eq!(usual_age_range(Ordine::SecondariaSecondo, 5), (17, 20));
    }

    #[test]
    fn class_rules() {
        let mut e = clean();
        let c0 = e.classes[0].clone();
        let mut c = c0.clone();
        c.key = ClassKey::new("AGEE805015", "7", "ABCDE");
        c.tempo_scuola = "99".into();
        c.origin = o(12);
        e.classes.push(c);
        let mut c = c0.clone();
        c.key = ClassKey::new("ZZEE000000", "2", "B");
        c.indirizzo = "LI02".into();
        c.origin = o(13);
        e.classes.push(c);
        e.classes.push(c0.clone());
        e.codes.push(DeclaredCode {
            kind: CodeKind::Indirizzo,
            codice: "LI02".into(),
            ordine: "SS".into(),
            descrizione: "SCIENTIFICO".into(),
            origin: o(6),
        });
        // A pupil in an undeclared class.
        e.pupils[1].frequenze[0].class = ClassKey::new("AGEE805015", "5", "Z");
        let v = validate_export_for_test(&e);
        let c = codes(&v);
        for want in [
            "ANNO_RANGE",
            "SEZIONE_LENGTH",
            "CODE_UNDECLARED",
            "SEDE_UNDECLARED",
            "CODE_ORDINE",
            "CLASS_DUPLICATE",
            "CLASS_UNDECLARED",
        ] {
            assert!(c.contains(&want), "{want} in {c:?}");
        }
        assert_eq!(v.class_errors, [false, true, false, false]);
        assert_eq!(v.pupil_errors, [false, true]);
        let ar = v
            .findings
            .iter()
            .find(|f| f.code == FindingCode::AnnoRange)
            .unwrap();
        assert_eq!((ar.value.as_str(), ar.expected.as_str()), ("7", "1-5"));
        assert_eq!(ar.record, "AGEE805015 7ABCDE");
        let co = v
            .findings
            .iter()
            .find(|f| f.code == FindingCode::CodeOrdine)
            .unwrap();
        assert_eq!(co.expected, "SS");
    }

    #[test]
    fn school_codes_and_frequenze() {
        let mut e = clean();
        e.header.codice_scuola = "IBIC8030".into();
        e.sedi[0].ordine = "MM".into();
        e.pupils[0].frequenze[0].stato = "TRASFERITO".into();
        e.pupils[1].frequenze[0].stato = "BOH".into();
        let v = validate_export_for_test(&e);
        let c = codes(&v);
        for want in [
            "SCHOOL_CODE_FORMAT",
            "SCHOOL_CODE_TYPE",
            "FREQUENZA_NOT_CURRENT",
            "FREQUENZA_STATO_INVALID",
        ] {
            assert!(c.contains(&want), "{want} in {c:?}");
        }
        let mut e = clean();
        e.sedi[0].ordine = "XX".into();
        assert!(codes(&validate_export_for_test(&e)).contains(&"ORDINE_INVALID"));
    }

    #[test]
    fn findings_are_sorted_and_deterministic() {
        let mut e = clean();
        e.pupils[1].sesso = "X".into();
        e.pupils[0].stato_cf = "N".into();
        let a = validate_export_for_test(&e);
        let b = validate_export_for_test(&e);
        assert_eq!(a.findings, b.findings);
        let lines: Vec<u32> = a
            .findings
            .iter()
            .filter_map(|f| f.origin.as_ref().map(|o| o.line))
            .collect();
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted);
    }

    #[test]
    fn local_rows_with_bad_cf() {
        let lp = |id: &str, cf: &str| LocalPupil {
            id_locale: id.into(),
            id_sidi: Default::default(),
            codice_fiscale: cf.into(),
            cognome: "Rossi".into(),
            nome: "Maria".into(),
            sesso: "F".into(),
            data_nascita_raw: Default::default(),
            data_nascita: None,
            luogo_nascita: Default::default(),
            cittadinanza: Default::default(),
            class: ClassKey::new("X", "1", "A"),
            tempo_scuola: Default::default(),
            indirizzo: Default::default(),
            bloccati: Default::default(),
            origin: o(3),
        };
        let local = LocalExport {
            pupils: vec![
                lp("7", "CCCFBA85D03L219B"),
                lp("8", "CCCFBA85D03L219P"),
                lp("9", ""),
            ],
            ..Default::default()
        };
        let f = validate_local(&local);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, FindingCode::LocalCfInvalid);
        assert_eq!(f[0].record, "7");
        assert_eq!(f[0].expected, "CF_CHECK");
    }
}
