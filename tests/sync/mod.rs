//! Sync engine, package writers and apply: one test per rule of FORMATS.md
//! section 3, convergence, determinism, atomicity and bad input.

use sidisync::apply::{apply_ops, parse_patch, run_apply, ApplyConfig};
use sidisync::date::Date;
use sidisync::error::Error;
use sidisync::findings::{Finding, FindingCode};
use sidisync::map::CodeMap;
use sidisync::messages::Lang;
use sidisync::model::*;
use sidisync::read::profile::Profile;
use sidisync::sync::decisions::parse_decisions;
use sidisync::sync::ops::{OpKind, Operation, ReviewKind, Value};
use sidisync::sync::{plan, run_sync_with, Plan, SyncConfig};
use sidisync::validate::Validation;
use sidisync::write::package::{render_package, PackageOptions};
use std::path::Path;
use std::sync::Arc;

mod jsonschema_lite;

// ---------------------------------------------------------------- fixtures

fn origin(line: u32) -> Origin {
    Origin::new(&Arc::from("alunni.csv"), line, 0)
}

fn class(sede: &str, anno: &str, sez: &str) -> ClassKey {
    ClassKey::new(sede, anno, sez)
}

fn sidi_class(k: &ClassKey, tempo: &str) -> Classe {
    Classe {
        key: k.clone(),
        tempo_scuola: tempo.into(),
        indirizzo: Default::default(),
        origin: origin(1),
    }
}

/// The fixture's code with its check character made right, so that real
/// validation accepts it (16-character codes only; others are kept).
fn valid_cf(cf: &str) -> String {
    if cf.len() == 16 && cf.is_ascii() {
        let mut b = cf.as_bytes().to_vec();
        b[15] = sidisync::validate::cf::check_char(&b[..15]);
        String::from_utf8(b).unwrap()
    } else {
        cf.to_string()
    }
}

fn pupil(
    id: &str,
    cf: &str,
    cognome: &str,
    nome: &str,
    birth: (u32, u32, u32),
    k: &ClassKey,
) -> Pupil {
    let d = Date::new(birth.0, birth.1, birth.2).unwrap();
    Pupil {
        id_sidi: id.into(),
        codice_fiscale: valid_cf(cf).into(),
        stato_cf: "V".into(),
        cognome: cognome.into(),
        nome: nome.into(),
        sesso: "F".into(),
        data_nascita_raw: d.to_string().into(),
        data_nascita: Some(d),
        luogo_nascita: "H501".into(),
        cittadinanza: "Z000".into(),
        frequenze: vec![Frequenza {
            class: k.clone(),
            dal_raw: "2025-09-15".into(),
            dal: Date::new(2025, 9, 15),
            stato: "FREQUENTANTE".into(),
            origin: origin(2),
        }],
        origin: origin(2),
    }
}

/// The local row a converged sync leaves for `p`.
fn mirror(p: &Pupil, id_locale: &str) -> LocalPupil {
    LocalPupil {
        id_locale: id_locale.into(),
        id_sidi: p.id_sidi.clone(),
        codice_fiscale: p.codice_fiscale.clone(),
        cognome: p.cognome.clone(),
        nome: p.nome.clone(),
        sesso: p.sesso.clone(),
        data_nascita_raw: p.data_nascita.unwrap().to_italian().into(),
        data_nascita: p.data_nascita,
        luogo_nascita: p.luogo_nascita.clone(),
        cittadinanza: p.cittadinanza.clone(),
        class: p.current_frequenza().unwrap().class.clone(),
        tempo_scuola: "10".into(),
        indirizzo: Default::default(),
        bloccati: FieldSet::all_lockable(),
        origin: origin(5),
    }
}

fn sidi(classes: Vec<Classe>, pupils: Vec<Pupil>) -> SidiExport {
    SidiExport {
        header: Header {
            codice_scuola: "RMIC8A1005".into(),
            anno_scolastico: "2025/26".into(),
            ..Header::default()
        },
        codes: vec![sidisync::model::DeclaredCode {
            kind: sidisync::model::CodeKind::TempoScuola,
            codice: "10".into(),
            ordine: "EE".into(),
            descrizione: "24 ORE SETTIMANALI".into(),
            origin: origin(1),
        }],
        sedi: vec![Sede {
            codice: "RMEE8A1016".into(),
            ordine: "EE".into(),
            comune: "H501".into(),
            denominazione: "PLESSO".into(),
            origin: origin(1),
        }],
        classes,
        pupils,
        ..SidiExport::default()
    }
}

fn local(pupils: Vec<LocalPupil>, classes: &[(&ClassKey, &str)]) -> LocalExport {
    LocalExport {
        pupils,
        classes: classes
            .iter()
            .map(|(k, t)| LocalClass {
                key: (*k).clone(),
                tempo_scuola: t.to_string().into(),
                indirizzo: Default::default(),
                origin: origin(1),
            })
            .collect(),
        classes_declared: true,
        sources: vec![],
    }
}

fn clean(s: &SidiExport) -> Validation {
    Validation {
        findings: vec![],
        pupil_errors: vec![false; s.pupils.len()],
        class_errors: vec![false; s.classes.len()],
        // empty: the engine counts duplicates itself
        duplicates: vec![],
    }
}

fn run(s: &SidiExport, l: &LocalExport) -> Plan {
    plan(s, &clean(s), l, &CodeMap::identity(), None).unwrap()
}

fn ops_of(p: &Plan, k: OpKind) -> Vec<&Operation> {
    p.ops.iter().filter(|o| o.op == k).collect()
}

fn a() -> ClassKey {
    class("RMEE8A1016", "1", "A")
}
fn b() -> ClassKey {
    class("RMEE8A1016", "2", "B")
}

/// Giuseppe Verdi (id SIDI 300), in class `k`: a pupil the local export of
/// [`aligned`] does not have.
fn verdi(k: &ClassKey) -> Pupil {
    pupil(
        "300",
        "VRDGPP15C03H501Z",
        "VERDI",
        "GIUSEPPE",
        (2015, 3, 3),
        k,
    )
}

fn maria() -> Pupil {
    pupil(
        "100",
        "RSSMRA14E52H501X",
        "ROSSI",
        "MARIA",
        (2014, 5, 12),
        &a(),
    )
}
fn luca() -> Pupil {
    pupil(
        "200",
        "BNCLCU14A01H501Y",
        "BIANCHI",
        "LUCA",
        (2014, 1, 1),
        &a(),
    )
}

/// SIDI with classes A and B, local aligned with it.
fn aligned() -> (SidiExport, LocalExport) {
    let s = sidi(
        vec![sidi_class(&a(), "10"), sidi_class(&b(), "10")],
        vec![maria(), luca()],
    );
    let l = local(
        vec![mirror(&maria(), "L1"), mirror(&luca(), "L2")],
        &[(&a(), "10"), (&b(), "10")],
    );
    (s, l)
}

// ---------------------------------------------------------------- rules

#[test]
fn aligned_inputs_give_nothing() {
    let (s, l) = aligned();
    let p = run(&s, &l);
    assert!(p.ops.is_empty(), "{:?}", p.ops);
    assert!(p.review.is_empty());
    assert!(p.findings.is_empty());
}

#[test]
fn a_new_id_locale_taken_locally_gets_a_number() {
    // two local pupils (not on SIDI) already hold SIDI-300 and SIDI-300-2
    let (mut s, mut l) = aligned();
    for (n, id) in [(1, "SIDI-300"), (2, "SIDI-300-2")] {
        let other = pupil(
            "",
            &format!("LCLPPL1{n}A01H501X"),
            "LOCALE",
            "PUPILLO",
            (2011, 1, n),
            &b(),
        );
        l.pupils.push(mirror(&other, id));
    }
    s.pupils.push(verdi(&b()));
    let p = run(&s, &l);
    let inserted: Vec<_> = p
        .ops
        .iter()
        .filter(|o| o.op == OpKind::InsertStudent)
        .map(|o| o.key.id_locale.as_deref())
        .collect();
    assert_eq!(inserted, [Some("SIDI-300-3")], "{:?}", p.ops);
}

#[test]
fn insert_student_with_all_fields_locked() {
    let (mut s, l) = aligned();
    let mut n = verdi(&b());
    n.sesso = "M".into();
    s.pupils.push(n);
    let p = run(&s, &l);
    assert_eq!(p.ops.len(), 1, "{:?}", p.ops);
    let o = &p.ops[0];
    assert_eq!(o.op, OpKind::InsertStudent);
    assert!(o.lock);
    assert_eq!(o.key.id_locale.as_deref(), Some("SIDI-300"));
    assert_eq!(o.key.codice_fiscale.as_deref(), Some("VRDGPP15C03H501R"));
    let to = o.to.as_ref().unwrap();
    assert_eq!(to.get("cognome"), Some("VERDI"));
    assert_eq!(to.get("data_nascita"), Some("2015-03-03"));
    assert_eq!(to.get("sezione"), Some("B"));
    assert_eq!(to.get("tempo_scuola"), Some("10"));
}

#[test]
fn update_field_per_field_with_old_value_and_sidi_spelling_wins() {
    let (s, mut l) = aligned();
    l.pupils[0].cognome = "Rossi".into();
    l.pupils[0].luogo_nascita = " F205 ".into();
    // same date written differently is not a difference
    l.pupils[0].data_nascita_raw = "12/5/2014".into();
    let p = run(&s, &l);
    let u = ops_of(&p, OpKind::UpdateField);
    assert_eq!(p.ops.len(), 2, "{:?}", p.ops);
    assert_eq!(u[0].field.as_deref(), Some("cognome"));
    assert_eq!(u[0].from, Some(Value::text("Rossi")));
    assert_eq!(u[0].to, Some(Value::text("ROSSI")));
    assert!(u[0].lock);
    assert_eq!(u[1].field.as_deref(), Some("luogo_nascita"));
    assert_eq!(u[1].from, Some(Value::text("F205")));
    assert_eq!(u[1].key.id_locale.as_deref(), Some("L1"));
}

#[test]
fn dates_compared_as_dates() {
    let (s, mut l) = aligned();
    l.pupils[1].data_nascita = Date::new(2014, 1, 2);
    let p = run(&s, &l);
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].from, Some(Value::text("2014-01-02")));
    assert_eq!(p.ops[0].to, Some(Value::text("2014-01-01")));
}

#[test]
fn matched_by_id_sidi_updates_codice_fiscale() {
    let (s, mut l) = aligned();
    l.pupils[0].codice_fiscale = "RSSMRA14E52H501Q".into();
    let p = run(&s, &l);
    assert_eq!(p.ops.len(), 1, "{:?}", p.ops);
    let o = &p.ops[0];
    assert_eq!(
        (o.op, o.field.as_deref()),
        (OpKind::UpdateField, Some("codice_fiscale"))
    );
    assert_eq!(o.from, Some(Value::text("RSSMRA14E52H501Q")));
    assert_eq!(o.to, Some(Value::text("RSSMRA14E52H501X")));
    assert_eq!(o.reason, "matched_by_id_sidi");
    assert!(p.review.is_empty());
}

#[test]
fn link_student_when_id_sidi_empty_or_different() {
    let (s, mut l) = aligned();
    l.pupils[0].id_sidi = Default::default();
    l.pupils[1].id_sidi = "999".into();
    let p = run(&s, &l);
    let k = ops_of(&p, OpKind::LinkStudent);
    assert_eq!(p.ops.len(), 2);
    assert_eq!(k[0].from, Some(Value::text("")));
    assert_eq!(k[0].to, Some(Value::text("100")));
    assert_eq!(k[1].from, Some(Value::text("999")));
    assert!(!k[1].lock);
}

#[test]
fn move_student_when_class_differs() {
    let (s, mut l) = aligned();
    l.pupils[0].class = b();
    let p = run(&s, &l);
    assert_eq!(p.ops.len(), 1);
    let o = &p.ops[0];
    assert_eq!(o.op, OpKind::MoveStudent);
    assert_eq!(o.from.as_ref().unwrap().as_class(), Some(b()));
    assert_eq!(o.to.as_ref().unwrap().as_class(), Some(a()));
}

#[test]
fn lock_fields_lists_the_missing_ones() {
    let (s, mut l) = aligned();
    let mut partial = FieldSet::default();
    partial.insert(Field::Cognome);
    partial.insert(Field::Nome);
    l.pupils[0].bloccati = partial;
    let p = run(&s, &l);
    assert_eq!(p.ops.len(), 1);
    let o = &p.ops[0];
    assert_eq!(o.op, OpKind::LockFields);
    assert_eq!(
        o.from,
        Some(Value::List(vec!["cognome".into(), "nome".into()]))
    );
    assert_eq!(
        o.to,
        Some(Value::List(
            ["sesso", "data_nascita", "luogo_nascita", "cittadinanza"]
                .map(Into::into)
                .to_vec()
        ))
    );
}

#[test]
fn create_class_and_update_class_with_mapping() {
    let (mut s, mut l) = aligned();
    let c = class("RMEE8A1016", "3", "C");
    s.classes.push(sidi_class(&c, "11"));
    l.classes[1].tempo_scuola = "T27".into();
    let map = CodeMap::new(
        Some(
            [
                ("10".to_string(), "T24".to_string()),
                ("11".to_string(), "T40".to_string()),
            ]
            .into(),
        ),
        None,
    );
    for c in &mut l.classes {
        if c.tempo_scuola == "10" {
            c.tempo_scuola = "T24".into();
        }
    }
    let p = plan(&s, &clean(&s), &l, &map, None).unwrap();
    assert_eq!(p.ops.len(), 2, "{:?}", p.ops);
    assert_eq!(p.ops[0].op, OpKind::UpdateClass);
    assert_eq!(p.ops[0].key.class_key(), b());
    assert_eq!(p.ops[0].field.as_deref(), Some("tempo_scuola"));
    assert_eq!(p.ops[0].from, Some(Value::text("T27")));
    assert_eq!(p.ops[0].to, Some(Value::text("T24")));
    assert_eq!(p.ops[1].op, OpKind::CreateClass);
    assert_eq!(
        p.ops[1].to.as_ref().unwrap().get("tempo_scuola"),
        Some("T40")
    );
}

#[test]
fn cf_mismatch_is_guided_not_inserted_nor_local_only() {
    let (s, mut l) = aligned();
    // local Maria has another CF and no id SIDI: same names and birth date
    l.pupils[0].codice_fiscale = "RSSMRA14E52H501Z".into();
    l.pupils[0].id_sidi = Default::default();
    l.pupils[0].cognome = "Rossi".into(); // probable match ignores case
    let p = run(&s, &l);
    assert!(p.ops.is_empty(), "{:?}", p.ops);
    assert_eq!(p.review.len(), 1);
    let r = &p.review[0];
    assert_eq!(r.kind, ReviewKind::CfMismatch);
    assert_eq!(r.codice_fiscale, "RSSMRA14E52H501X");
    assert_eq!(r.id_locale, "L1");
    assert!(r.id.starts_with('R') && r.id.len() == 17);
}

#[test]
fn local_only_and_class_local_only_are_guided() {
    let (s, mut l) = aligned();
    let z = class("RMEE8A1016", "5", "Z");
    let mut extra = mirror(
        &pupil("", "NREPLA14A01H501W", "NERI", "PAOLA", (2014, 1, 1), &a()),
        "L9",
    );
    extra.class = z.clone();
    l.pupils.push(extra);
    l.classes.push(LocalClass {
        key: z.clone(),
        tempo_scuola: "10".into(),
        indirizzo: Default::default(),
        origin: origin(9),
    });
    let p = run(&s, &l);
    assert!(p.ops.is_empty());
    let kinds: Vec<_> = p
        .review
        .iter()
        .map(|r| (r.kind, r.id_locale.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ReviewKind::LocalOnly, "L9"),
            (ReviewKind::ClassLocalOnly, "")
        ]
    );
}

#[test]
fn excluded_pupil_counts_as_present() {
    let (s, mut l) = aligned();
    l.pupils[0].cognome = "Rossi".into();
    let mut v = clean(&s);
    v.pupil_errors[0] = true;
    v.findings.push(
        Finding::new(FindingCode::CfCheck, Some(origin(2)))
            .record("100")
            .field("CODICE_FISCALE"),
    );
    let p = plan(&s, &v, &l, &CodeMap::identity(), None).unwrap();
    assert!(p.ops.is_empty(), "{:?}", p.ops);
    assert!(p.review.is_empty());
    assert_eq!(p.excluded.len(), 1);
    assert_eq!(p.excluded[0].record, "100");
    assert_eq!(p.excluded[0].codes, vec!["CF_CHECK"]);
}

/// The aligned school plus a pupil who carries Luca's codice fiscale
/// (another id SIDI, another name).
fn aligned_with_cf_twin() -> (SidiExport, LocalExport) {
    let (mut s, l) = aligned();
    let mut twin = luca();
    twin.id_sidi = "201".into();
    twin.nome = "LUCIO".into();
    s.pupils.push(twin);
    (s, l)
}

#[test]
fn duplicated_codice_fiscale_excludes_every_carrier() {
    let (s, l) = aligned_with_cf_twin();
    let p = run(&s, &l); // validation did not say it: the engine enforces it
    assert!(p.ops.is_empty(), "{:?}", p.ops);
    assert!(p.review.is_empty(), "{:?}", p.review);
    assert_eq!(p.excluded.len(), 2);
    assert_eq!(
        p.findings
            .iter()
            .filter(|f| f.code == FindingCode::CfDuplicate)
            .count(),
        2
    );
}

#[test]
fn duplicates_from_validation_or_counted_give_the_same_plan() {
    let (mut s, l) = aligned_with_cf_twin();
    let mut same_id = maria();
    same_id.codice_fiscale = valid_cf("BNCMRA14E52H501X").into();
    s.pupils.push(same_id);
    let v = sidisync::validate::validate_export(&s, &Default::default());
    assert_eq!(v.duplicates.len(), s.pupils.len());
    assert!(v.duplicates.iter().any(|d| d.0) && v.duplicates.iter().any(|d| d.1));
    let given = plan(&s, &v, &l, &CodeMap::identity(), None).unwrap();
    let counted = Validation {
        duplicates: vec![],
        ..v.clone()
    };
    let counted = plan(&s, &counted, &l, &CodeMap::identity(), None).unwrap();
    assert_eq!(given.ops, counted.ops);
    assert_eq!(given.review, counted.review);
    assert_eq!(given.excluded, counted.excluded);
    assert_eq!(given.findings, counted.findings);
}

#[test]
fn the_local_readers_index_gives_the_engines_plan() {
    let dir = tempfile::tempdir().unwrap();
    sidisync::gen::generate_large_school(3000, 7, dir.path()).unwrap();
    let first = |sub: &str| {
        let mut d = std::fs::read_dir(dir.path().join(sub)).unwrap();
        d.next().unwrap().unwrap().path()
    };
    let s = sidisync::read::read_sidi(&first("sidi"), &Default::default())
        .unwrap()
        .export;
    let local = first("locale");
    let layout = Profile::default().local;
    let read =
        |name: &str| sidisync::read::local::read_local(&local.join(name), None, &layout).unwrap();
    let lr = read("alunni_locali.csv");
    let v = sidisync::validate::validate_export(&s, &Default::default());
    let map = CodeMap::identity();
    let own = plan(&s, &v, &lr.export, &map, None).unwrap();
    assert!(
        own.ops.len() > 100 && !own.review.is_empty(),
        "a drifted school"
    );
    // the reader's index, and one of another export (ignored: it does not fit)
    let mut other = lr.clone();
    other.export.pupils.pop();
    let other = LocalIndex::of(&other.export);
    for ix in [&lr.index, &other] {
        let p = sidisync::sync::plan_indexed(&s, &v, &lr.export, Some(ix), &map, None).unwrap();
        assert_eq!(p.ops, own.ops);
        assert_eq!(p.review, own.review);
        assert_eq!(p.excluded, own.excluded);
        assert_eq!(p.findings, own.findings);
    }
}

#[test]
fn unmapped_code_holds_back_class_operations_only() {
    let (mut s, mut l) = aligned();
    let c = class("RMEE8A1016", "3", "C");
    s.classes.push(sidi_class(&c, "99"));
    s.pupils[0].frequenze[0].class = c.clone(); // Maria moves into 3C
    s.pupils[0].cognome = "ROSSI BIS".into(); // and her surname changed
    s.pupils.push(verdi(&c));
    let map = CodeMap::new(Some([("10".to_string(), "10".to_string())].into()), None);
    l.classes.truncate(2);
    let p = plan(&s, &clean(&s), &l, &map, None).unwrap();
    let kinds: Vec<_> = p.ops.iter().map(|o| o.op).collect();
    assert_eq!(kinds, vec![OpKind::UpdateField], "{:?}", p.ops);
    let unmapped: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::CodeUnmapped)
        .map(|f| f.record.as_str())
        .collect();
    assert_eq!(unmapped, vec!["RMEE8A1016 3C", "100", "300"]);
    assert_eq!(p.held_back.len(), 2);
    assert_eq!(p.excluded.len(), 1); // the class
}

#[test]
fn pupil_without_current_frequenza_is_present_but_not_moved_nor_inserted() {
    let (mut s, mut l) = aligned();
    s.pupils[0].frequenze[0].stato = "TRASFERITO".into();
    s.pupils[0].cognome = "ROSSI-BIANCHI".into();
    l.pupils[0].class = b();
    let mut gone = verdi(&a());
    gone.frequenze[0].stato = "RITIRATO".into();
    s.pupils.push(gone);
    let p = run(&s, &l);
    let kinds: Vec<_> = p.ops.iter().map(|o| o.op).collect();
    assert_eq!(kinds, vec![OpKind::UpdateField]);
    assert!(p.review.is_empty());
}

#[test]
fn temporary_code_is_not_a_key_when_ids_disagree() {
    let (mut s, mut l) = aligned();
    s.pupils[1].codice_fiscale = "12345678903".into();
    s.pupils[1].stato_cf = "P".into();
    l.pupils[1].codice_fiscale = "12345678903".into();
    l.pupils[1].id_sidi = "777".into(); // another pupil's id: not the same person
    l.pupils[1].cognome = "ALTRO".into();
    let p = run(&s, &l);
    assert_eq!(ops_of(&p, OpKind::InsertStudent).len(), 1);
    assert_eq!(p.review.len(), 1);
    assert_eq!(p.review[0].kind, ReviewKind::LocalOnly);
}

// ---------------------------------------------------------------- decisions

fn sheet(rows: &[(&str, &str, &str)]) -> sidisync::sync::decisions::Decisions {
    let mut t = String::from("ID;TIPO;CODICE_FISCALE;ID_LOCALE;DETTAGLIO;DECISIONE\r\n");
    for (id, kind, d) in rows {
        t.push_str(&format!("{id};{kind};;;;{d}\r\n"));
    }
    parse_decisions("review.csv", t.as_bytes()).unwrap()
}

fn mismatch() -> (SidiExport, LocalExport) {
    let (s, mut l) = aligned();
    l.pupils[0].codice_fiscale = "RSSMRA14E52H501Z".into();
    l.pupils[0].id_sidi = Default::default();
    l.pupils[0].class = b();
    (s, l)
}

#[test]
fn accepted_cf_mismatch_updates_cf_and_what_the_match_implies() {
    let (s, l) = mismatch();
    let id = run(&s, &l).review[0].id.clone();
    let d = sheet(&[(&id, "cf_mismatch", "ACCETTA")]);
    let p = plan(&s, &clean(&s), &l, &CodeMap::identity(), Some(&d)).unwrap();
    let kinds: Vec<_> = p.ops.iter().map(|o| (o.op, o.field.as_deref())).collect();
    assert_eq!(
        kinds,
        vec![
            (OpKind::UpdateField, Some("codice_fiscale")),
            (OpKind::LinkStudent, Some("id_sidi")),
            (OpKind::MoveStudent, None)
        ]
    );
    assert_eq!(p.ops[0].reason, format!("decision:{id}"));
    assert!(p.review.is_empty());
    assert_eq!(p.decisions_applied, 1);
}

#[test]
fn rejected_cf_mismatch_inserts_and_reports_local_only() {
    let (s, l) = mismatch();
    let id = run(&s, &l).review[0].id.clone();
    let d = sheet(&[(&id, "cf_mismatch", "rifiuta")]);
    let p = plan(&s, &clean(&s), &l, &CodeMap::identity(), Some(&d)).unwrap();
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].op, OpKind::InsertStudent);
    assert_eq!(p.review.len(), 1);
    assert_eq!(p.review[0].kind, ReviewKind::LocalOnly);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].id, id);
}

#[test]
fn accepted_local_only_withdraws_and_stale_rows_are_reported() {
    let (s, mut l) = aligned();
    l.pupils.push(mirror(
        &pupil("", "NREPLA14A01H501W", "NERI", "PAOLA", (2014, 1, 1), &a()),
        "L9",
    ));
    let id = run(&s, &l).review[0].id.clone();
    let d = sheet(&[
        (&id, "local_only", "ACCETTA"),
        ("RDEADBEEFDEADBEEF", "local_only", "ACCETTA"),
    ]);
    let p = plan(&s, &clean(&s), &l, &CodeMap::identity(), Some(&d)).unwrap();
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].op, OpKind::WithdrawStudent);
    assert_eq!(p.ops[0].key.id_locale.as_deref(), Some("L9"));
    assert!(p.review.is_empty());
    let stale: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::DecisionStale)
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].origin.as_ref().unwrap().line, 3);
}

#[test]
fn decisions_of_another_run_are_refused() {
    let (s, l) = mismatch();
    let d = sheet(&[("RAAAAAAAAAAAAAAAA", "cf_mismatch", "ACCETTA")]);
    let e = plan(&s, &clean(&s), &l, &CodeMap::identity(), Some(&d)).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e}");
    assert!(e.to_string().starts_with("review.csv:"), "{e}");
}

// ---------------------------------------------------------------- apply and convergence

fn patch_roundtrip(p: &Plan) -> Vec<Operation> {
    let mut b = Vec::new();
    sidisync::write::patch::write_jsonl(&p.ops, &mut b).unwrap();
    parse_patch("patch.jsonl", std::str::from_utf8(&b).unwrap()).unwrap()
}

#[test]
fn apply_converges_and_is_idempotent() {
    let (mut s, mut l) = aligned();
    s.classes
        .push(sidi_class(&class("RMEE8A1016", "3", "C"), "10"));
    s.pupils.push(verdi(&b()));
    l.pupils[0].cognome = "Rossi".into();
    l.pupils[0].class = b();
    l.pupils[0].bloccati = FieldSet::default();
    l.pupils[1].id_sidi = Default::default();
    let p = run(&s, &l);
    let ops = patch_roundtrip(&p);
    assert_eq!(ops, p.ops);
    let r1 = apply_ops(&l, &ops);
    assert!(r1.conflicts.is_empty(), "{:?}", r1.conflicts);
    assert_eq!(r1.applied_total(), p.ops.len());
    let again = run(&s, &r1.export);
    assert!(again.ops.is_empty(), "{:?}", again.ops);
    let r2 = apply_ops(&r1.export, &ops);
    assert_eq!(r2.applied_total(), 0);
    assert_eq!(r2.already_applied, ops.len());
    assert_eq!(r2.export, r1.export);
}

#[test]
fn apply_reports_conflicts_and_does_not_apply_them() {
    let (s, mut l) = aligned();
    l.pupils[0].cognome = "Rossi".into();
    let p = run(&s, &l);
    l.pupils[0].cognome = "Rosi".into(); // someone edited it meanwhile
    let r = apply_ops(&l, &p.ops);
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.export.pupils[0].cognome, "Rosi");
    // the message comes from the catalogue, in either language
    let c = &r.conflicts[0];
    assert_eq!(c.reason, "field_changed");
    assert_eq!(
        c.message(Lang::En),
        "cognome: expected \"Rossi\", found \"Rosi\""
    );
    assert_eq!(
        c.message(Lang::It),
        "cognome: atteso \"Rossi\", trovato \"Rosi\""
    );
}

// ---------------------------------------------------------------- files

const LOCAL_HEAD: &str = "ID_LOCALE;ID_ALUNNO_SIDI;CODICE_FISCALE;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;TEMPO_SCUOLA;INDIRIZZO;BLOCCATI\r\n";

fn write_local(dir: &Path, rows: &str) -> std::path::PathBuf {
    let p = dir.join("alunni_locali.csv");
    std::fs::write(&p, format!("{LOCAL_HEAD}{rows}")).unwrap();
    p
}

fn drifted_local_rows() -> String {
    format!(
        "L1;100;{};Rossi;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;2;B;10;;\r\n\
         L2;;{};BIANCHI;LUCA;F;01/01/2014;H501;Z000;RMEE8A1016;1;A;10;;COGNOME\r\n\
         L3;;{};NERI;PAOLA;F;01/01/2014;H501;Z000;RMEE8A1016;5;Z;10;;\r\n",
        valid_cf("RSSMRA14E52H501X"),
        valid_cf("BNCLCU14A01H501Y"),
        valid_cf("NREPLA14A01H501W")
    )
}

fn cfg(dir: &Path, out: &str) -> SyncConfig {
    let mut c = SyncConfig::new(
        dir.join("frequenze.xml"),
        write_local(dir, &drifted_local_rows()),
        dir.join(out),
    );
    c.generated_at = Some(1_760_520_600);
    c.zip = true;
    c
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn package_is_deterministic_and_complete() {
    let d = tempfile::tempdir().unwrap();
    let (s, _) = aligned();
    let o1 = run_sync_with(&cfg(d.path(), "out1"), &s, vec![]).unwrap();
    let o2 = run_sync_with(&cfg(d.path(), "out2"), &s, vec![]).unwrap();
    let f1 = files_of(&o1.out);
    assert_eq!(f1, files_of(&o2.out));
    let names: Vec<_> = f1.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "package.zip",
            "patch.csv",
            "patch.jsonl",
            "patch.xml",
            "report.html",
            "review.csv"
        ]
    );
    assert_eq!(o1.exit_code(), 0);
    assert!(o1.total_ops() > 0);
    // the zip holds the six files
    let z = zip::ZipArchive::new(std::io::Cursor::new(f1[1].1.clone())).unwrap();
    assert_eq!(z.len(), 6);
}

#[test]
fn manifest_counts_match_the_package() {
    let d = tempfile::tempdir().unwrap();
    let (s, _) = aligned();
    let o = run_sync_with(&cfg(d.path(), "out"), &s, vec![]).unwrap();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(o.out.join("manifest.json")).unwrap()).unwrap();
    let lines = std::fs::read_to_string(o.out.join("patch.jsonl")).unwrap();
    let total: u64 = m["counts"]["ops"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, lines.lines().count());
    assert_eq!(m["counts"]["review"]["local_only"], 1);
    assert_eq!(m["counts"]["review"]["class_local_only"], 1);
    assert_eq!(m["generated_at"], "2025-10-15T09:30:00Z");
    let patch = &m["outputs"][0];
    assert_eq!(patch["name"], "patch.jsonl");
    assert_eq!(
        patch["sha256"].as_str().unwrap(),
        sidisync::util::sha256_hex(lines.as_bytes())
    );
    assert_eq!(m["inputs"][0]["role"], "local");
}

#[test]
fn failed_run_leaves_earlier_package_untouched() {
    let d = tempfile::tempdir().unwrap();
    let (s, _) = aligned();
    let c = cfg(d.path(), "out");
    run_sync_with(&c, &s, vec![]).unwrap();
    let before = files_of(&c.out);
    // duplicated ID_LOCALE: unusable input
    write_local(
        d.path(),
        "L1;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\nL1;;B;B;C;F;01/01/2014;;;S;1;A;;;\r\n",
    );
    let mut c2 = c.clone();
    c2.local = d.path().join("alunni_locali.csv");
    let e = run_sync_with(&c2, &s, vec![]).unwrap_err();
    assert!(e.to_string().contains("alunni_locali.csv:3:"), "{e}");
    assert_eq!(files_of(&c.out), before);
    // a decisions file of another run: refused, nothing written
    let rev = d.path().join("other.csv");
    std::fs::write(
        &rev,
        "ID;TIPO;DECISIONE\r\nR0000000000000000;local_only;ACCETTA\r\n",
    )
    .unwrap();
    let mut c3 = cfg(d.path(), "out");
    c3.decisions = Some(rev);
    let e = run_sync_with(&c3, &s, vec![]).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e}");
    assert_eq!(files_of(&c.out), before);
    let entries: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        entries
            .iter()
            .all(|n| !n.to_string_lossy().starts_with(".sidisync")),
        "{entries:?}"
    );
}

#[test]
fn review_sheet_round_trip_through_decisions() {
    let d = tempfile::tempdir().unwrap();
    let (s, _) = aligned();
    let c = cfg(d.path(), "out");
    run_sync_with(&c, &s, vec![]).unwrap();
    let sheet = std::fs::read_to_string(c.out.join("review.csv")).unwrap();
    // a person accepts every row
    let filled: String = sheet
        .lines()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                format!("{l}\r\n")
            } else {
                format!("{}ACCETTA\r\n", l)
            }
        })
        .collect();
    let rev = d.path().join("review_filled.csv");
    std::fs::write(&rev, filled).unwrap();
    let mut c2 = cfg(d.path(), "out2");
    c2.decisions = Some(rev);
    let o = run_sync_with(&c2, &s, vec![]).unwrap();
    let count = |k: OpKind| o.ops.iter().find(|(x, _)| *x == k).unwrap().1;
    assert_eq!(count(OpKind::WithdrawStudent), 1);
    assert_eq!(count(OpKind::RemoveClass), 1);
    assert_eq!(o.review.iter().map(|(_, n)| n).sum::<usize>(), 0);
}

#[test]
fn run_apply_writes_local_files_and_refuses_other_schools() {
    let d = tempfile::tempdir().unwrap();
    let (s, _) = aligned();
    let c = cfg(d.path(), "out");
    run_sync_with(&c, &s, vec![]).unwrap();
    let ac = ApplyConfig {
        local: c.local.clone(),
        local_classes: None,
        patch: c.out.join("patch.jsonl"),
        out: d.path().join("applied"),
        profile: Profile::default(),
        encoding: None,
    };
    let r = run_apply(&ac).unwrap();
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
    assert!(ac.out.join("alunni_locali.csv").exists() && ac.out.join("classi_locali.csv").exists());
    // a second sync on the applied export converges
    let mut c2 = cfg(d.path(), "out2");
    c2.local = ac.out.join("alunni_locali.csv");
    c2.local_classes = Some(ac.out.join("classi_locali.csv"));
    let o = run_sync_with(&c2, &s, vec![]).unwrap();
    assert_eq!(o.total_ops(), 0, "{:?}", o.ops);
    // applying again changes nothing
    let mut ac2 = ac.clone();
    ac2.local = ac.out.join("alunni_locali.csv");
    ac2.local_classes = Some(ac.out.join("classi_locali.csv"));
    let before = files_of(&ac.out);
    let r2 = run_apply(&ac2).unwrap();
    assert_eq!(r2.applied.iter().map(|(_, n)| n).sum::<usize>(), 0);
    assert_eq!(files_of(&ac.out), before);
    // another school's local export
    let other = d.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let mut ac3 = ac.clone();
    ac3.local = write_local(
        &other,
        "X1;;RSSMRA14E52H501X;ROSSI;MARIA;F;12/05/2014;H501;Z000;MIEE000001;1;A;10;;\r\n",
    );
    ac3.local_classes = None;
    ac3.out = d.path().join("applied3");
    let e = run_apply(&ac3).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e}");
    assert!(!ac3.out.exists());
    // an edited patch is refused
    let p = c.out.join("patch.jsonl");
    let t = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"ROSSI\"", "\"ROSSO\"");
    std::fs::write(&p, t).unwrap();
    assert!(run_apply(&ac).is_err());
}

#[test]
fn outputs_match_their_schemas() {
    let d = tempfile::tempdir().unwrap();
    let (mut s, _) = aligned();
    s.classes
        .push(sidi_class(&class("RMEE8A1016", "3", "C"), "10"));
    s.pupils.push(verdi(&b()));
    let o = run_sync_with(&cfg(d.path(), "out"), &s, vec![]).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let ps: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("patch.schema.json")).unwrap()).unwrap();
    let ms: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.schema.json")).unwrap()).unwrap();
    let lines = std::fs::read_to_string(o.out.join("patch.jsonl")).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for l in lines.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        kinds.insert(v["op"].as_str().unwrap().to_string());
        let errs = jsonschema_lite::validate(&ps, &v);
        assert!(errs.is_empty(), "{l}: {errs:?}");
    }
    assert!(kinds.len() >= 6, "{kinds:?}");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(o.out.join("manifest.json")).unwrap()).unwrap();
    let errs = jsonschema_lite::validate(&ms, &m);
    assert!(errs.is_empty(), "{errs:?}");
    // the checker does reject what the schema forbids
    let mut bad = m.clone();
    bad["counts"]["ops"]["teleport"] = 1.into();
    assert!(!jsonschema_lite::validate(&ms, &bad).is_empty());
    // patch.csv: header and one row per operation
    let csv = std::fs::read_to_string(o.out.join("patch.csv")).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        sidisync::write::patch::CSV_COLUMNS.join(";")
    );
    assert_eq!(csv.lines().count(), lines.lines().count() + 1);
    // patch.xml against the XSD, when xmllint is installed
    if std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok()
    {
        let st = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(root.join("patch.xsd"))
            .arg(o.out.join("patch.xml"))
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    } else {
        eprintln!("xmllint not installed: patch.xml not checked against schemas/patch.xsd");
    }
}

#[test]
fn render_package_independent_of_language_for_patches() {
    let (s, l) = mismatch();
    let p = run(&s, &l);
    let opts = |lang| PackageOptions {
        out: "x".into(),
        zip: false,
        lang,
        generated_at: 0,
        profile_name: "default".into(),
        inputs: vec![],
        durable: true,
    };
    let it = render_package(&p, &opts(Lang::It)).unwrap();
    let en = render_package(&p, &opts(Lang::En)).unwrap();
    assert_eq!(it[0], en[0]); // patch.jsonl
    assert_ne!(it[3], en[3]); // review.csv
    let review = String::from_utf8(en[3].1.clone()).unwrap();
    assert!(review.contains("same person"), "{review}");
}

// ---------------------------------------------------------------- convergence property

mod convergence {
    use super::*;
    use proptest::prelude::*;

    /// One local drift of one SIDI pupil.
    #[derive(Clone, Debug)]
    enum Drift {
        Same,
        Field(u8, String),
        Date(u32),
        Moved(usize),
        Missing,
        WrongCf { keep_id: bool },
        Locks(u8),
        NoIdSidi,
        CaseOnly,
    }

    fn drift() -> impl Strategy<Value = Drift> {
        prop_oneof![
            3 => Just(Drift::Same),
            2 => (0u8..6, "[A-Za-z ]{0,6}").prop_map(|(f, v)| Drift::Field(f, v)),
            1 => (1u32..28).prop_map(Drift::Date),
            2 => (0usize..6).prop_map(Drift::Moved),
            1 => Just(Drift::Missing),
            1 => any::<bool>().prop_map(|keep_id| Drift::WrongCf { keep_id }),
            2 => any::<u8>().prop_map(Drift::Locks),
            1 => Just(Drift::NoIdSidi),
            1 => Just(Drift::CaseOnly),
        ]
    }

    #[derive(Clone, Debug)]
    struct Case {
        classes: usize,
        pupils: Vec<(usize, Drift)>,
        /// extra local pupils: (class, copies names of SIDI pupil n?)
        extra: Vec<(usize, Option<usize>)>,
        dropped_classes: Vec<bool>,
        changed_codes: Vec<bool>,
        extra_class: bool,
    }

    fn case() -> impl Strategy<Value = Case> {
        (1usize..6)
            .prop_flat_map(|nc| {
                (
                    Just(nc),
                    proptest::collection::vec((0..nc, drift()), 0..25),
                    proptest::collection::vec((0..nc, proptest::option::of(0usize..25)), 0..4),
                    proptest::collection::vec(any::<bool>(), nc),
                    proptest::collection::vec(any::<bool>(), nc),
                    any::<bool>(),
                )
            })
            .prop_map(
                |(classes, pupils, extra, dropped_classes, changed_codes, extra_class)| Case {
                    classes,
                    pupils,
                    extra,
                    dropped_classes,
                    changed_codes,
                    extra_class,
                },
            )
    }

    fn build(c: &Case) -> (SidiExport, LocalExport) {
        let keys: Vec<ClassKey> = (0..c.classes)
            .map(|k| {
                class(
                    "RMEE8A1016",
                    &(k % 5 + 1).to_string(),
                    ["A", "B"][k / 5 % 2],
                )
            })
            .collect();
        let keys: Vec<ClassKey> = keys
            .into_iter()
            .enumerate()
            .map(|(k, key)| ClassKey::new(&key.sede, &key.anno, &format!("{}{}", key.sezione, k)))
            .collect();
        let mut s = sidi(keys.iter().map(|k| sidi_class(k, "10")).collect(), vec![]);
        let mut l = local(vec![], &[]);
        for (k, key) in keys.iter().enumerate() {
            if !c.dropped_classes[k] {
                let t = if c.changed_codes[k] { "OLD" } else { "10" };
                l.classes.push(LocalClass {
                    key: key.clone(),
                    tempo_scuola: t.into(),
                    indirizzo: Default::default(),
                    origin: origin(1),
                });
            }
        }
        if c.extra_class {
            l.classes.push(LocalClass {
                key: class("RMEE8A1016", "5", "ZZ"),
                tempo_scuola: "10".into(),
                indirizzo: Default::default(),
                origin: origin(1),
            });
        }
        for (n, (k, d)) in c.pupils.iter().enumerate() {
            let p = pupil(
                &format!("{}", 1000 + n),
                &format!("CF{n:014}"),
                &format!("COGNOME{n}"),
                &format!("NOME{n}"),
                (2014, 1 + (n as u32 % 12), 1 + (n as u32 % 28)),
                &keys[*k],
            );
            let mut m = mirror(&p, &format!("L{n}"));
            s.pupils.push(p);
            match d {
                Drift::Same => {}
                Drift::Field(f, v) => match f {
                    0 => m.cognome = v.clone().into(),
                    1 => m.nome = v.clone().into(),
                    2 => m.sesso = v.clone().into(),
                    3 => m.luogo_nascita = v.clone().into(),
                    4 => m.cittadinanza = v.clone().into(),
                    _ => {
                        m.data_nascita = None;
                        m.data_nascita_raw = v.clone().into();
                    }
                },
                Drift::Date(day) => m.data_nascita = Date::new(2013, 2, *day),
                Drift::Moved(t) => m.class = keys[t % keys.len()].clone(),
                Drift::Missing => continue,
                Drift::WrongCf { keep_id } => {
                    m.codice_fiscale = format!("XX{n:014}").into();
                    if !keep_id {
                        m.id_sidi.clear();
                    }
                }
                Drift::Locks(mask) => {
                    let mut f = FieldSet::default();
                    for (b, x) in Field::LOCKABLE.iter().enumerate() {
                        if mask & (1 << b) != 0 {
                            f.insert(*x);
                        }
                    }
                    m.bloccati = f;
                }
                Drift::NoIdSidi => m.id_sidi.clear(),
                Drift::CaseOnly => m.codice_fiscale = m.codice_fiscale.to_lowercase(),
            }
            l.pupils.push(m);
        }
        for (e, (k, copy)) in c.extra.iter().enumerate() {
            let (cognome, nome, date) = match copy.and_then(|n| s.pupils.get(n)) {
                Some(p) => (p.cognome.clone(), p.nome.clone(), p.data_nascita.unwrap()),
                None => (
                    format!("EXTRA{e}").into(),
                    "X".into(),
                    Date::new(2014, 6, 6).unwrap(),
                ),
            };
            let mut x = mirror(
                &pupil(
                    "",
                    &format!("EX{e:014}"),
                    &cognome,
                    &nome,
                    (2014, 6, 6),
                    &keys[*k],
                ),
                &format!("SIDI-{}", 1000 + e),
            );
            x.data_nascita = Some(date);
            l.pupils.push(x);
        }
        (s, l)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn plan_apply_plan_converges(c in case()) {
            let (s, l) = build(&c);
            let p1 = run(&s, &l);
            let ops = patch_roundtrip(&p1);
            let r = apply_ops(&l, &ops);
            prop_assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
            let p2 = run(&s, &r.export);
            prop_assert!(p2.ops.is_empty(), "second run: {:?}", p2.ops);
            let ids = |p: &Plan| p.review.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
            prop_assert_eq!(ids(&p1), ids(&p2));
            // applying again is a no-op
            let r2 = apply_ops(&r.export, &ops);
            prop_assert_eq!(r2.applied_total(), 0);
            prop_assert_eq!(&r2.export, &r.export);
            // the local export survives its own writer and reader
            let layout = Profile::default().local;
            let bytes = sidisync::write::local::pupils_csv(&r.export, &layout).unwrap();
            let cls = sidisync::write::local::classes_csv(&r.export, &layout).unwrap();
            let back = sidisync::read::local::read_local_bytes("a.csv", &bytes, Some(("c.csv", &cls)), &layout).unwrap();
            let p3 = run(&s, &back.export);
            prop_assert!(p3.ops.is_empty(), "after CSV round trip: {:?}", p3.ops);
        }
    }
}
