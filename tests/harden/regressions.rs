//! Inputs found by fuzzing (fuzz/run.sh) that once crashed a reader: each
//! must now give a model or a typed error. The files are the fuzzers'
//! minimized artifacts, kept in tests/data/fuzz/<target>/.

use sidisync::read::ReadOptions;
use std::path::PathBuf;

fn cases(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = crate::harness::root().join("tests/data/fuzz").join(target);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut v: Vec<(PathBuf, Vec<u8>)> = rd
        .map(|e| {
            let p = e.unwrap().path();
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

/// Every stored input of every target goes through the same calls as the
/// fuzz target, without panicking.
#[test]
fn fuzz_regressions_do_not_panic() {
    let opts = ReadOptions::default();
    let layout = sidisync::read::profile::Profile::default().local;
    for (p, b) in cases("xml") {
        let _ = sidisync::read::xml::read_stream("f.xml", &b[..], &opts);
        let _ = sidisync::read::read_sidi_bytes("f.xml", &b, &opts);
        eprintln!("ok {}", p.display());
    }
    for (_, b) in cases("csv") {
        let _ = sidisync::read::read_sidi_bytes("alunni.csv", &b, &opts);
        let _ = sidisync::read::local::read_local_bytes("a.csv", &b, None, &layout);
    }
    for (_, b) in cases("zip") {
        let _ = sidisync::read::read_sidi_bytes("f.zip", &b, &opts);
    }
    for (p, b) in cases("encoding") {
        use sidisync::read::{encoding, profile::EncodingChoice};
        let text = encoding::decode(&b, EncodingChoice::Auto);
        let body = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&b);
        if encoding::detect(&b, EncodingChoice::Auto) == encoding_rs::UTF_8 {
            assert_eq!(text.as_bytes(), body, "{}", p.display());
        } else {
            assert_eq!(text.chars().count(), body.len(), "{}", p.display());
            assert!(!text.contains('\u{fffd}'), "{}", p.display());
        }
    }
    for (_, b) in cases("cf") {
        let _ = sidisync::validate::cf::validate(&b);
    }
    for (_, b) in cases("profile") {
        if let Ok(t) = std::str::from_utf8(&b) {
            let _ = sidisync::read::profile::Profile::parse(t, "p.toml", None);
        }
    }
    for (_, b) in cases("decisions") {
        let _ = sidisync::sync::decisions::parse_decisions("d.csv", &b);
    }
}

/// The encoding finding applied to the SIDI CSV reader: a BOM followed by
/// windows-1252 text keeps its letters (it used to decode them as U+FFFD).
#[test]
fn bom_then_windows_1252_in_alunni_csv() {
    let row = super::limits::ROW.replace(";MARIA;", ";NICOL\u{d2};");
    let text = format!("{}\r\n{row}\r\n", super::limits::HEAD);
    let (body, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&body);
    let r = sidisync::read::read_sidi_bytes("alunni.csv", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(r.export.pupils[0].nome, "NICOLÒ");
    assert_eq!(r.export.header.codice_scuola, "RMIC8A1005");
    // The local reader too.
    let layout = sidisync::read::profile::Profile::default().local;
    let head = sidisync::write::local::PUPIL_COLUMNS.join(";");
    let n = sidisync::write::local::PUPIL_COLUMNS.len();
    let mut vals = vec!["X"; n];
    vals[0] = "L1";
    let cognome = sidisync::write::local::PUPIL_COLUMNS
        .iter()
        .position(|c| *c == "COGNOME")
        .unwrap();
    vals[cognome] = "ZO\u{c8}";
    let line = vals.join(";");
    let text = format!("{head}\r\n{line}\r\n");
    let (body, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&body);
    let r = sidisync::read::local::read_local_bytes("a.csv", &bytes, None, &layout).unwrap();
    assert_eq!(r.export.pupils[0].cognome, "ZOÈ");
}
