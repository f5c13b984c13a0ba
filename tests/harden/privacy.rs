//! Privacy: codici fiscali and names appear only in the outputs the user
//! asked for; `--redact` removes them from the report and the terminal.

use crate::harness::{self, run, sample, stderr, stdout};
use sidisync::read::local::read_local;
use sidisync::read::profile::Profile;
use sidisync::read::{read_sidi, ReadOptions};
use std::path::Path;

/// Every codice fiscale, surname and first name of the sample inputs
/// (SIDI and local), upper case.
fn personal_values() -> Vec<String> {
    let sidi = read_sidi(&sample("frequenze.xml"), &ReadOptions::default()).unwrap();
    let local = read_local(
        &sample("alunni_locali.csv"),
        Some(&sample("classi_locali.csv")),
        &Profile::default().local,
    )
    .unwrap();
    let mut v: Vec<String> = Vec::new();
    for p in &sidi.export.pupils {
        v.extend([
            p.codice_fiscale.to_string(),
            p.cognome.to_string(),
            p.nome.to_string(),
        ]);
    }
    for p in &local.export.pupils {
        v.extend([
            p.codice_fiscale.to_string(),
            p.cognome.to_string(),
            p.nome.to_string(),
        ]);
    }
    let mut v: Vec<String> = v
        .into_iter()
        .map(|s| s.trim().to_uppercase())
        .filter(|s| s.len() >= 3)
        .collect();
    v.sort();
    v.dedup();
    assert!(v.len() > 300, "{}", v.len());
    v
}

/// The sedi's names: public school addresses, which may hold words that
/// are also first names ("VIA SAN FRANCESCO D'ASSISI").
fn sede_names() -> Vec<String> {
    let sidi = read_sidi(&sample("frequenze.xml"), &ReadOptions::default()).unwrap();
    sidi.export
        .sedi
        .iter()
        .map(|s| s.denominazione.trim().to_uppercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The personal values found in `text` as whole words (case-insensitive),
/// the sedi's public names aside.
fn leaks(text: &str, values: &[String]) -> Vec<String> {
    let mut up = text.to_uppercase();
    for name in sede_names() {
        up = up.replace(&name, " ");
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    values
        .iter()
        .filter(|v| {
            up.match_indices(v.as_str()).any(|(i, _)| {
                !is_word(up[..i].chars().next_back()) && !is_word(up[i + v.len()..].chars().next())
            })
        })
        .cloned()
        .collect()
}

fn sync(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<std::ffi::OsString> = vec![
        "sync".into(),
        "--sidi".into(),
        sample("frequenze_xml.zip").into(),
        "--local".into(),
        sample("alunni_locali.csv").into(),
        "--local-classes".into(),
        sample("classi_locali.csv").into(),
        "--out".into(),
        out.into(),
    ];
    args.extend(extra.iter().map(Into::into));
    run(args)
}

#[test]
fn redact_removes_cf_and_names_from_report_and_terminal() {
    let values = personal_values();
    let dir = harness::tempdir();
    let plain = dir.path().join("plain");
    let o = sync(&plain, &[]);
    assert!(o.status.code().unwrap() < 2, "{}", stderr(&o));
    // Without --redact the report names pupils (so the check below means something).
    let report = std::fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!leaks(&report, &values).is_empty());

    let red = dir.path().join("redacted");
    let o = sync(&red, &["--redact", "--zip"]);
    assert!(o.status.code().unwrap() < 2, "{}", stderr(&o));
    let report = std::fs::read_to_string(red.join("report.html")).unwrap();
    let found = leaks(&report, &values);
    assert!(found.is_empty(), "report.html leaks {found:?}");
    assert!(report.contains("CF-"), "pseudonyms expected in the report");
    for text in [stdout(&o), stderr(&o)] {
        let found = leaks(&text, &values);
        assert!(found.is_empty(), "terminal leaks {found:?}: {text}");
    }
    // The report inside the zip is the redacted one too.
    let z = std::fs::read(red.join("package.zip")).unwrap();
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
    let mut inner = String::new();
    std::io::Read::read_to_string(&mut a.by_name("report.html").unwrap(), &mut inner).unwrap();
    assert_eq!(inner, report);
    // Patch files keep the real data: they are imported by the school.
    let patch = std::fs::read_to_string(red.join("patch.jsonl")).unwrap();
    assert_eq!(
        patch,
        std::fs::read_to_string(plain.join("patch.jsonl")).unwrap()
    );
    // Stable pseudonyms: the same inputs give the same redacted report.
    let again = dir.path().join("again");
    sync(&again, &["--redact"]);
    assert_eq!(
        std::fs::read_to_string(again.join("report.html")).unwrap(),
        report
    );
}

#[test]
fn redact_check_output() {
    let values = personal_values();
    // An export with findings naming pupils: a wrong check character and a bad date.
    // The sample is windows-1252: work on it as Latin-1 text, written back as such.
    let xml: String = std::fs::read(sample("frequenze.xml"))
        .unwrap()
        .iter()
        .map(|&b| b as char)
        .collect();
    let cf = &personal_values_of_xml(&xml)[0];
    let mut broken = cf.clone();
    let last = broken.pop().unwrap();
    broken.push(if last == 'A' { 'B' } else { 'A' });
    let xml = xml.replacen(cf.as_str(), &broken, 1);
    let dir = harness::tempdir();
    let bytes: Vec<u8> = xml.chars().map(|c| c as u32 as u8).collect();
    let f = harness::write(dir.path(), "frequenze.xml", &bytes);
    for format in ["text", "json"] {
        let plain = run(["check", "--format", format, f.to_str().unwrap()]);
        assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
        let o = run(["check", "--redact", "--format", format, f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let mut values = values.clone();
        values.push(broken.clone());
        for text in [stdout(&o), stderr(&o)] {
            let found = leaks(&text, &values);
            assert!(found.is_empty(), "check --redact leaks {found:?}: {text}");
        }
        assert!(stdout(&plain).contains(&broken) || stdout(&plain).contains("CF_"));
        assert!(stdout(&o).contains("CF_"), "{}", stdout(&o));
    }
}

fn personal_values_of_xml(xml: &str) -> Vec<String> {
    xml.split("<CodiceFiscale")
        .skip(1)
        .filter_map(|s| s.split_once('>').and_then(|(_, r)| r.split_once('<')))
        .map(|(cf, _)| cf.to_string())
        .collect()
}

/// At default verbosity, what `sync` prints carries no personal data, and
/// errors about broken rows name file and line, never values.
#[test]
fn default_output_carries_no_personal_data() {
    let values = personal_values();
    let dir = harness::tempdir();
    let o = sync(&dir.path().join("out"), &[]);
    for text in [stdout(&o), stderr(&o)] {
        let found = leaks(&text, &values);
        assert!(found.is_empty(), "sync output leaks {found:?}: {text}");
    }
    // A local export with a ragged row and one with a NUL byte.
    let local = std::fs::read_to_string(sample("alunni_locali.csv")).unwrap();
    let mut lines: Vec<&str> = local.lines().collect();
    let bad = lines[5].rsplit_once(';').unwrap().0.to_string();
    lines[5] = &bad;
    let ragged = lines.join("\n");
    let nul = local.replacen(';', ";\0", 40);
    for (name, body) in [("ragged.csv", ragged), ("nul.csv", nul)] {
        let f = harness::write(dir.path(), name, body.as_bytes());
        let o = run([
            "sync",
            "--sidi",
            sample("frequenze.xml").to_str().unwrap(),
            "--local",
            f.to_str().unwrap(),
            "--out",
            dir.path().join("o2").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("{name}:")), "{err}");
        let found = leaks(&err, &values);
        assert!(found.is_empty(), "{name}: error leaks {found:?}: {err}");
        assert!(stdout(&o).is_empty());
    }
}
