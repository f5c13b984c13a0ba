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
