//! The command line as a user meets it: exit statuses, located messages,
//! JSON shapes, and the samples in every form.

use crate::harness::*;

const FORMS: [&str; 3] = ["frequenze.xml", "frequenze_xml.zip", "frequenze_csv.zip"];

#[test]
fn check_reads_the_same_pupils_from_every_form() {
    let mut seen = Vec::new();
    for f in FORMS {
        let o = run(["check", "--format", "json"]
            .iter()
            .map(|s| s.to_string())
            .chain([sample(f).display().to_string()]));
        let j = json(&o);
        assert!(code(&o) <= 1, "{f}: {}", stderr(&o));
        let s = &j["summary"];
        seen.push((
            s["pupils"].as_u64().unwrap(),
            s["classes"].as_u64().unwrap(),
            s["errors"].as_u64().unwrap(),
        ));
        assert!(j["findings"].is_array());
    }
    assert!(
        seen[0].0 >= 100,
        "the sample school has about 150 pupils: {seen:?}"
    );
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
}

#[test]
fn a_missing_or_unreadable_field_is_one_finding() {
    // the reader and validation both looked at these: the reader's finding
    // (the field as the file names it, the file's date format) is the one
    let xml = String::from_utf8_lossy(&read(&sample("frequenze.xml"))).into_owned();
    let first = xml.find("<Cognome>").unwrap();
    let end = xml[first..].find("</Cognome>").unwrap() + first + "</Cognome>".len();
    let mut doc = format!("{}{}", &xml[..first], &xml[end..]);
    let birth = doc.find("<DataNascita>").unwrap() + "<DataNascita>".len();
    doc.replace_range(birth..birth + 10, "2020-02-31");
    let dir = tempdir();
    let path = write(dir.path(), "f.xml", doc.as_bytes());
    let o = run(["check", "--format", "json", &path.display().to_string()]);
    let j = json(&o);
    let found: Vec<(String, String)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            matches!(
                f["code"].as_str(),
                Some("REQUIRED_MISSING" | "DATE_INVALID")
            )
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().into(),
                f["field"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("REQUIRED_MISSING".to_string(), "Cognome".to_string()),
            ("DATE_INVALID".to_string(), "DataNascita".to_string())
        ],
        "{}",
        stdout(&o)
    );
    assert_eq!(j["summary"]["errors"].as_u64(), Some(2), "{}", stdout(&o));
    // and the sync still leaves that pupil out
    let out = dir.path().join("out");
    let o = run([
        "--quiet",
        "sync",
        "--sidi",
        &path.display().to_string(),
        "--local",
        &sample("alunni_locali.csv").display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let m: serde_json::Value = serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(m["counts"]["findings"]["error"].as_u64(), Some(2), "{m}");
    assert_eq!(m["counts"]["excluded_records"].as_u64(), Some(1), "{m}");
}

#[test]
fn check_decodes_windows_1252_names_exactly() {
    let xml = read(&sample("frequenze.xml"));
    assert!(
        xml.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"),
        "the sample XML is declared windows-1252"
    );
    // The bytes hold Ò as 0xD2; the decoded findings and summaries must not mangle it.
    assert!(
        xml.windows(6).any(|w| w == b"NICOL\xD2"),
        "sample carries NICOLÒ in windows-1252"
    );
}

#[test]
fn check_text_is_italian_by_default_and_english_on_request() {
    let o = run([
        "check".into(),
        sample("frequenze.xml").display().to_string(),
    ]);
    assert!(code(&o) <= 1);
    let it = stdout(&o);
    assert!(it.contains("alunni") && it.contains("classi"), "{it}");
    let o = run([
        "--lang".into(),
        "en".into(),
        "check".into(),
        sample("frequenze.xml").display().to_string(),
    ]);
    let en = stdout(&o);
    assert!(en.contains("pupils") && en.contains("classes"), "{en}");
}

#[test]
fn bad_inputs_exit_2_with_a_located_message() {
    let d = tempdir();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (write(d.path(), "vuoto.xml", b""), "vuoto.xml"),
        (
            write(
                d.path(),
                "tronco.xml",
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlussoFrequenze>\n<Alunni>\n<Alunno idSidi=\"1\">",
            ),
            "tronco.xml:",
        ),
        (
            write(d.path(), "senza.csv", b"CODICE_SCUOLA;COGNOME\nRMIC8A1005;ROSSI\n"),
            "senza.csv",
        ),
        (d.path().join("manca.xml"), "manca.xml"),
    ];
    for (path, needle) in cases {
        let o = run(["check".into(), path.display().to_string()]);
        expect_code(&o, 2);
        let e = stderr(&o);
        assert!(e.contains(needle), "message names the file: {e}");
        assert!(!e.contains("panicked"), "{e}");
    }
}

#[test]
fn unknown_encoding_label_is_usage_error() {
    let o = run([
        "check".into(),
        "--encoding".into(),
        "klingon".into(),
        sample("frequenze.xml").display().to_string(),
    ]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("klingon"));
}

#[test]
fn wrong_usage_exits_2() {
    expect_code(&run(["check"]), 2);
    expect_code(&run(["nonexistent-command"]), 2);
    expect_code(&run(["--help"]), 0);
    // in Italian by default, clap's English with --lang en
    let o = run(["sync", "--local", "a.csv"]);
    expect_code(&o, 2);
    assert!(
        stderr(&o).starts_with("errore: mancano argomenti obbligatori: --sidi"),
        "{}",
        stderr(&o)
    );
    let o = run(["--lang", "en", "sync", "--local", "a.csv"]);
    expect_code(&o, 2);
    assert!(
        stderr(&o).contains("required arguments were not provided"),
        "{}",
        stderr(&o)
    );
    // the help too, on standard output with status 0
    let o = run(["sync", "--help"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("Uso: sidisync sync"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("Cartella di output del pacchetto"),
        "{}",
        stdout(&o)
    );
    let o = run(["--lang", "en", "sync", "--help"]);
    assert!(
        stdout(&o).contains("Output folder of the patch package"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn cf_answers_in_input_order_from_stdin_and_args() {
    let o = run_with_stdin(
        ["cf", "--format", "jsonl", "-"],
        b"CCCFBA85D03L219P\nRSSMRA80A35H501K\n  cccfba85d03l219p \n",
    );
    expect_code(&o, 1);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["input"], "CCCFBA85D03L219P");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["kind"], "personal");
    assert_eq!(lines[0]["place_code"], "L219");
    assert_eq!(lines[0]["omocodia"], 0);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[2]["valid"], true);
    let o = run(["cf", "--format", "jsonl", "CCCFBA85D03L21VE"]);
    expect_code(&o, 0);
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["base_code"], "CCCFBA85D03L219P");
    assert_eq!(j["omocodia"], 1);
}
