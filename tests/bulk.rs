//! `sidisync gen` then `sidisync bulk`, end to end: every school's manifest
//! counts equal what the generator's drift implies (`expected.json`), the
//! packages equal what `sidisync sync` writes for each school alone, and
//! `--jobs` changes nothing but timings.

use crate::harness::{code, expect_code, read, run, stderr, stdout, tempdir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Rates high enough that 20 small schools show every kind of drift.
const DRIFT: &str =
    "fields=0.1,moves=0.05,missing=0.05,cf=0.04,links=0.04,extra=0.04,classes=0.1,faulty=0.01";

fn gen(dir: &Path) -> PathBuf {
    let g = dir.join("gen");
    let o = run([
        "gen",
        "--out",
        g.to_str().unwrap(),
        "--schools",
        "20",
        "--scale",
        "0.15",
        "--seed",
        "11",
        "--drift",
        DRIFT,
        "--quiet",
    ]);
    expect_code(&o, 0);
    g
}

fn bulk(g: &Path, out: &Path, jobs: &str) -> std::process::Output {
    bulk_with(g, out, &["--jobs", jobs])
}

/// `sidisync bulk` over the generated `g/sidi` and `g/locale` into `out`,
/// with `extra` arguments after them.
pub(crate) fn bulk_with(g: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "bulk",
        "--sidi-dir",
        g.join("sidi").to_str().unwrap(),
        "--local-dir",
        g.join("locale").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    args.extend(extra.iter().map(|s| s.to_string()));
    run(args)
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, m: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, m);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                m.insert(rel, read(&p));
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

/// summary.csv without its one timing column.
fn summary_without_time(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut rows: Vec<Vec<String>> = text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    let t = rows[0].iter().position(|c| c == "TEMPO_MS").unwrap();
    for r in &mut rows {
        r.remove(t);
    }
    rows
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn gen_then_bulk_gives_the_expected_counts_whatever_jobs() {
    let d = tempdir();
    let g = gen(d.path());
    let out1 = d.path().join("out1");
    let out2 = d.path().join("out2");
    let o1 = bulk(&g, &out1, "1");
    let o2 = bulk(&g, &out2, "2");
    // faulty records make error findings somewhere: exit 1, and no school failed
    assert!(code(&o1) <= 1, "{}", stderr(&o1));
    assert_eq!(code(&o1), code(&o2));
    assert!(stdout(&o1).contains("non riuscite: 0"), "{}", stdout(&o1));
    assert!(stderr(&o1).is_empty(), "no progress bar off a terminal");

    // every school's counts are what the drift implies
    let mut schools: Vec<String> = std::fs::read_dir(g.join("locale"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    schools.sort();
    assert_eq!(schools.len(), 20);
    let mut any_error = false;
    let mut kinds_seen = BTreeMap::new();
    for s in &schools {
        let e = json(&g.join("locale").join(s).join("expected.json"));
        let m = json(&out1.join(s).join("manifest.json"));
        for part in ["ops", "review"] {
            for (k, v) in e["counts"][part].as_object().unwrap() {
                assert_eq!(&m["counts"][part][k], v, "{s}: {part}.{k}");
                *kinds_seen.entry(k.clone()).or_insert(0u64) += v.as_u64().unwrap();
            }
        }
        assert_eq!(
            m["counts"]["excluded_records"], e["counts"]["excluded_records"],
            "{s}: excluded_records"
        );
        any_error |= m["counts"]["findings"]["error"].as_u64().unwrap() > 0;
    }
    // the workload really exercised the engine
    for k in [
        "create_class",
        "update_class",
        "insert_student",
        "update_field",
        "link_student",
        "move_student",
        "lock_fields",
        "cf_mismatch",
        "local_only",
        "class_local_only",
    ] {
        assert!(kinds_seen.get(k).copied().unwrap_or(0) > 0, "no {k} drift");
    }
    assert_eq!(code(&o1), i32::from(any_error));

    // --jobs 1 and --jobs 2: every package byte for byte, the summary but its timing
    let (t1, t2) = (tree(&out1), tree(&out2));
    assert_eq!(t1.keys().collect::<Vec<_>>(), t2.keys().collect::<Vec<_>>());
    for (k, v) in &t1 {
        match k.as_str() {
            "summary.csv" => assert_eq!(summary_without_time(v), summary_without_time(&t2[k])),
            "summary.html" => {}
            _ => assert!(v == &t2[k], "{k} differs between --jobs 1 and --jobs 2"),
        }
    }

    // summary.csv: one row per school, in code order, counts as in the manifests
    let rows = summary_without_time(&t1["summary.csv"]);
    let head = &rows[0];
    let col = |n: &str| head.iter().position(|c| c == n).unwrap();
    assert_eq!(rows.len(), 21);
    for (r, s) in rows[1..].iter().zip(&schools) {
        assert_eq!(&r[col("CODICE_SCUOLA")], s);
        let m = json(&out1.join(s).join("manifest.json"));
        for k in [
            "insert_student",
            "update_field",
            "lock_fields",
            "local_only",
        ] {
            let part = if k == "local_only" { "review" } else { "ops" };
            assert_eq!(r[col(k)], m["counts"][part][k].to_string(), "{s} {k}");
        }
        let errors = m["counts"]["findings"]["error"].as_u64().unwrap();
        assert_eq!(r[col("STATO")], if errors > 0 { "ERRORI" } else { "OK" });
        let e = json(&g.join("locale").join(s).join("expected.json"));
        assert_eq!(r[col("ALUNNI_SIDI")], e["pupils_sidi"].to_string(), "{s}");
        assert_eq!(
            r[col("ALUNNI_LOCALI")],
            e["pupils_local"].to_string(),
            "{s}"
        );
    }
    let html = String::from_utf8(t1["summary.html"].clone()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"it\""));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains(&format!("<a href=\"{0}/report.html\">{0}</a>", schools[0])));
    // the report's look: filter box over the school rows, inline SVG charts
    assert!(html.contains("<input type=\"search\" id=\"filtro\""));
    assert!(html.contains("Cerca una scuola"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
    for chart in [
        "Scuole per esito",
        "Modifiche per tipo",
        "Decisioni da prendere per tipo",
    ] {
        assert!(html.contains(&format!("aria-label=\"{chart}\"")), "{chart}");
    }
    assert!(html.contains("<table class=\"schools\">"));
    assert!(!html.contains("<link") && !html.contains("src=\""));
    if let Err(e) = crate::report::check_markup(&html) {
        panic!("summary.html is malformed: {e}");
    }

    // each package is what `sidisync sync` writes for that school alone
    for s in schools.iter().take(4) {
        let e = json(&g.join("locale").join(s).join("expected.json"));
        let sidi = g.join("sidi").join(e["sidi_file"].as_str().unwrap());
        let loc = g.join("locale").join(s);
        let alone = d.path().join("alone").join(s);
        let o = run([
            "sync",
            "--sidi",
            sidi.to_str().unwrap(),
            "--local",
            loc.join("alunni_locali.csv").to_str().unwrap(),
            "--local-classes",
            loc.join("classi_locali.csv").to_str().unwrap(),
            "--out",
            alone.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(code(&o) <= 1, "{}", stderr(&o));
        let a = tree(&alone);
        assert_eq!(a.len(), 6);
        for (k, v) in &a {
            assert!(
                v == &t1[&format!("{s}/{k}")],
                "{s}/{k} differs from sync alone"
            );
        }
    }
}

#[test]
fn a_broken_school_fails_alone_and_sets_exit_1() {
    let d = tempdir();
    let g = d.path().join("g");
    let o = run([
        "gen",
        "--out",
        g.to_str().unwrap(),
        "--schools",
        "3",
        "--scale",
        "0.05",
        "--drift",
        "none",
        "-q",
    ]);
    expect_code(&o, 0);
    std::fs::write(g.join("sidi").join("danneggiato.zip"), b"PK\x03\x04broken").unwrap();
    let out = d.path().join("out");
    let o = bulk(&g, &out, "2");
    expect_code(&o, 1);
    let summary = String::from_utf8(read(&out.join("summary.csv"))).unwrap();
    let lines: Vec<&str> = summary.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "{summary}");
    assert_eq!(lines[1..4].iter().filter(|l| l.contains(";OK;")).count(), 3);
    assert!(
        lines[4].starts_with(";danneggiato.zip;FALLITO;"),
        "{}",
        lines[4]
    );
    assert!(stdout(&o).contains("danneggiato.zip"));

    // --quiet: nothing on either stream
    let o = bulk_with(&g, &out, &["--quiet", "--lang", "en"]);
    expect_code(&o, 1);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let html = String::from_utf8(read(&out.join("summary.html"))).unwrap();
    assert!(html.contains("Schools to look at <span class=\"count\">1</span>"));
}

#[test]
fn unusable_folders_are_exit_2() {
    let d = tempdir();
    let o = run([
        "bulk",
        "--sidi-dir",
        d.path().join("nope").to_str().unwrap(),
        "--local-dir",
        d.path().to_str().unwrap(),
        "--out",
        d.path().join("out").to_str().unwrap(),
    ]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("nope"));
    std::fs::create_dir(d.path().join("vuota")).unwrap();
    let o = run([
        "bulk",
        "--sidi-dir",
        d.path().join("vuota").to_str().unwrap(),
        "--local-dir",
        d.path().to_str().unwrap(),
        "--out",
        d.path().join("out").to_str().unwrap(),
        "--jobs",
        "0",
    ]);
    expect_code(&o, 2);
}
