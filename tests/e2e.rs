//! End to end through the command line on `samples/`: the counts the
//! sample's drift implies, the same patch from every form of the export,
//! apply + re-sync converging, decisions, and refusals that write nothing.

use crate::harness::*;
use std::path::{Path, PathBuf};

fn s(p: PathBuf) -> String {
    p.display().to_string()
}

/// Runs `sync` on the sample with `sidi` as SIDI export into `out`.
fn sync_sample(sidi: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sync".to_string(),
        "--sidi".into(),
        s(sample(sidi)),
        "--local".into(),
        s(sample("alunni_locali.csv")),
        "--local-classes".into(),
        s(sample("classi_locali.csv")),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    run(args)
}

fn manifest_counts(out: &Path) -> serde_json::Value {
    let m: serde_json::Value = serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    m["counts"].clone()
}

/// Non-zero entries of a `{KIND: N}` object.
fn nonzero(v: &serde_json::Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = v
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, n)| n.as_u64().unwrap() > 0)
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn sample_sync_gives_the_counts_its_drift_implies() {
    let d = tempdir();
    let out = d.path().join("pacchetto");
    let o = sync_sample("frequenze.xml", &out, &[]);
    expect_code(&o, 0);
    let c = manifest_counts(&out);
    // The sample's documented drift (docs/gen.md): two field changes, one
    // move, one new pupil, one missing lock, one class with another tempo
    // scuola; one wrong codice fiscale, one pupil who left, one local class.
    assert_eq!(
        nonzero(&c["ops"]),
        [
            ("insert_student".to_string(), 1),
            ("lock_fields".to_string(), 1),
            ("move_student".to_string(), 1),
            ("update_class".to_string(), 1),
            ("update_field".to_string(), 2),
        ]
    );
    assert_eq!(
        nonzero(&c["review"]),
        [
            ("cf_mismatch".to_string(), 1),
            ("class_local_only".to_string(), 1),
            ("local_only".to_string(), 1),
        ]
    );
    assert_eq!(c["excluded_records"], 0);
    assert_eq!(c["findings"]["error"], 0);
    // and the generator's own expectation agrees
    let exp: serde_json::Value = serde_json::from_slice(&read(&sample("expected.json"))).unwrap();
    assert_eq!(nonzero(&exp["counts"]["ops"]), nonzero(&c["ops"]));
    assert_eq!(nonzero(&exp["counts"]["review"]), nonzero(&c["review"]));
    let summary = stdout(&o);
    assert!(summary.contains("alunni da inserire"), "{summary}");
    assert!(
        summary.contains(&out.display().to_string()),
        "paths last: {summary}"
    );
}

#[test]
fn every_form_of_the_export_gives_the_same_patch() {
    let d = tempdir();
    let mut patches = Vec::new();
    for (i, f) in ["frequenze.xml", "frequenze_xml.zip", "frequenze_csv.zip"]
        .iter()
        .enumerate()
    {
        let out = d.path().join(format!("p{i}"));
        expect_code(&sync_sample(f, &out, &[]), 0);
        patches.push((
            read(&out.join("patch.jsonl")),
            read(&out.join("review.csv")),
        ));
    }
    assert!(!patches[0].0.is_empty());
    assert_eq!(patches[0], patches[1], "XML and zipped XML");
    assert_eq!(patches[0], patches[2], "XML and CSV forms");
}

#[test]
fn same_inputs_give_a_byte_identical_package() {
    let d = tempdir();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    expect_code(&sync_sample("frequenze.xml", &a, &["--zip"]), 0);
    expect_code(&sync_sample("frequenze.xml", &b, &["--zip"]), 0);
    let names = |p: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&a), names(&b));
    for n in names(&a) {
        assert_eq!(read(&a.join(&n)), read(&b.join(&n)), "{n}");
    }
    for want in [
        "patch.jsonl",
        "patch.csv",
        "patch.xml",
        "review.csv",
        "report.html",
        "manifest.json",
    ] {
        assert!(names(&a).iter().any(|n| n == want), "{want} in the package");
    }
}

#[test]
fn apply_then_sync_again_converges() {
    let d = tempdir();
    let first = d.path().join("primo");
    expect_code(&sync_sample("frequenze.xml", &first, &[]), 0);
    let applied = d.path().join("locale");
    let o = run([
        "apply".to_string(),
        "--local".into(),
        s(sample("alunni_locali.csv")),
        "--local-classes".into(),
        s(sample("classi_locali.csv")),
        "--patch".into(),
        s(first.join("patch.jsonl")),
        "--out".into(),
        s(applied.clone()),
    ]);
    expect_code(&o, 0);
    let second = d.path().join("secondo");
    let o = run([
        "sync".to_string(),
        "--sidi".into(),
        s(sample("frequenze.xml")),
        "--local".into(),
        s(applied.join("alunni_locali.csv")),
        "--local-classes".into(),
        s(applied.join("classi_locali.csv")),
        "--out".into(),
        s(second.clone()),
    ]);
    expect_code(&o, 0);
    let c1 = manifest_counts(&first);
    let c2 = manifest_counts(&second);
    assert_eq!(
        nonzero(&c2["ops"]),
        Vec::<(String, u64)>::new(),
        "no automatic operation left"
    );
    assert_eq!(c1["review"], c2["review"], "review items stay as they were");
    // applying the same patch again changes nothing
    let again = d.path().join("ancora");
    let o = run([
        "apply".to_string(),
        "--local".into(),
        s(applied.join("alunni_locali.csv")),
        "--local-classes".into(),
        s(applied.join("classi_locali.csv")),
        "--patch".into(),
        s(first.join("patch.jsonl")),
        "--out".into(),
        s(again.clone()),
    ]);
    expect_code(&o, 0);
    assert_eq!(
        read(&again.join("alunni_locali.csv")),
        read(&applied.join("alunni_locali.csv"))
    );
    assert_eq!(
        read(&again.join("classi_locali.csv")),
        read(&applied.join("classi_locali.csv"))
    );
}

#[test]
fn a_vendor_profile_gives_the_same_operations() {
    let d = tempdir();
    let plain = d.path().join("plain");
    expect_code(&sync_sample("frequenze.xml", &plain, &[]), 0);
    let prof = d.path().join("profilo");
    let o = run([
        "sync".to_string(),
        "--sidi".into(),
        s(sample("frequenze.xml")),
        "--local".into(),
        s(sample("alunni_locali_profilo.csv")),
        "--local-classes".into(),
        s(sample("classi_locali_profilo.csv")),
        "--profile".into(),
        s(sample("profilo_esempio.toml")),
        "--out".into(),
        s(prof.clone()),
    ]);
    expect_code(&o, 0);
    assert_eq!(manifest_counts(&plain), manifest_counts(&prof));
}

#[test]
fn english_summary_on_request() {
    let d = tempdir();
    let o = run([
        "--lang".to_string(),
        "en".into(),
        "sync".into(),
        "--sidi".into(),
        s(sample("frequenze.xml")),
        "--local".into(),
        s(sample("alunni_locali.csv")),
        "--out".into(),
        s(d.path().join("o")),
    ]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("pupils to insert"), "{}", stdout(&o));
}

#[test]
fn refusals_write_nothing_and_exit_2() {
    let d = tempdir();
    // duplicated ID_LOCALE
    let local = String::from_utf8(read(&sample("alunni_locali.csv"))).unwrap();
    let mut lines: Vec<&str> = local.lines().collect();
    let dup = lines[1].to_string();
    lines.push(&dup);
    let dup_path = write(d.path(), "dup.csv", lines.join("\r\n").as_bytes());
    let out = d.path().join("o1");
    let sync_dup = |global: &[&str]| {
        let mut args: Vec<String> = global.iter().map(|a| a.to_string()).collect();
        args.extend([
            "sync".into(),
            "--sidi".into(),
            s(sample("frequenze.xml")),
            "--local".into(),
            s(dup_path.clone()),
            "--out".into(),
            s(out.clone()),
        ]);
        run(args)
    };
    // in Italian by default, with file and line; in English on request
    let o = sync_dup(&[]);
    expect_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("dup.csv:") && e.contains("già usato alla riga 2"),
        "{e}"
    );
    let o_en = sync_dup(&["--lang", "en"]);
    expect_code(&o_en, 2);
    assert!(
        stderr(&o_en).contains("already used on line 2"),
        "{}",
        stderr(&o_en)
    );
    assert!(!out.exists(), "nothing written");

    // a decisions file from another run: IDs that match nothing
    let decisions = write(
        d.path(),
        "review.csv",
        "\u{feff}ID;TIPO;CODICE_FISCALE;ID_LOCALE;DETTAGLIO;DECISIONE\r\nR0123456789abcdef;local_only;;X1;altro;ACCETTA\r\n".as_bytes(),
    );
    let out = d.path().join("o2");
    let o = sync_sample("frequenze.xml", &out, &["--decisions", &s(decisions)]);
    expect_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("review.csv") && e.contains("esecuzione precedente"),
        "{e}"
    );
    assert!(!out.exists(), "nothing written");

    // a patch from another school
    let other = d.path().join("altra");
    std::fs::create_dir_all(&other).unwrap();
    sidisync::gen::run_gen(&sidisync::gen::GenConfig {
        out: other.clone(),
        schools: Some(1),
        seed: 7,
        ..Default::default()
    })
    .expect("generate another school");
    let sidi = std::fs::read_dir(other.join("sidi"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let school_dir = std::fs::read_dir(other.join("locale"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pkg = d.path().join("pkg_altra");
    let o = run([
        "sync".to_string(),
        "--sidi".into(),
        s(sidi),
        "--local".into(),
        s(school_dir.join("alunni_locali.csv")),
        "--out".into(),
        s(pkg.clone()),
    ]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let out = d.path().join("o3");
    let o = run([
        "apply".to_string(),
        "--local".into(),
        s(sample("alunni_locali.csv")),
        "--patch".into(),
        s(pkg.join("patch.jsonl")),
        "--out".into(),
        s(out.clone()),
    ]);
    expect_code(&o, 2);
    let e = stderr(&o);
    assert!(e.contains("patch.jsonl") && e.contains("scuola"), "{e}");
    assert!(!e.contains("the patch is for"), "{e}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_failed_run_leaves_the_earlier_package_untouched() {
    let d = tempdir();
    let out = d.path().join("pacchetto");
    expect_code(&sync_sample("frequenze.xml", &out, &[]), 0);
    let before = read(&out.join("manifest.json"));
    let o = run([
        "sync".to_string(),
        "--sidi".into(),
        s(write(
            d.path(),
            "rotto.xml",
            b"<?xml version=\"1.0\"?><FlussoFrequenze><Alunni>",
        )),
        "--local".into(),
        s(sample("alunni_locali.csv")),
        "--out".into(),
        s(out.clone()),
    ]);
    expect_code(&o, 2);
    // a truncated download, told in the users' words, with file and line
    let e = stderr(&o);
    assert!(
        e.contains("rotto.xml:1:") && e.contains("file troncato?"),
        "{e}"
    );
    assert_eq!(read(&out.join("manifest.json")), before);
    assert!(out.join("patch.jsonl").exists());
}
