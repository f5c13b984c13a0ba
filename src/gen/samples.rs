//! The shipped samples (`samples/`): one small, realistic istituto
//! comprensivo in every SIDI form, its local export with a few typical
//! differences, the counts a sync must report, and a profile example.
//!
//! Regenerate with `cargo run --release --example make_samples -- samples`.

use super::drift::{self, ClassDrift, Plan, PupilDrift};
use super::rng::Rng;
use super::school::{self, Registry, SchoolSpec};
use super::sidi_out::{self, TextEncoding};
use super::tables::tables;
use crate::error::{Error, Result};
use crate::model::{CompactString, Field, LocalExport, Pupil};
use crate::read::profile::Profile;
use crate::validate::cf;
use std::path::Path;

/// The real istituzione the sample is modelled on (Bologna: infanzia,
/// primaria and secondaria I grado plessi with their real classes), scaled
/// to about 150 pupils.
pub const SAMPLE_SCHOOL: &str = "BOIC83500N";
const SAMPLE_SCALE: f64 = 0.38;
const SAMPLE_SEED: u64 = 2025;

/// The example profile shipped as `samples/profilo_esempio.toml`.
pub const PROFILE_EXAMPLE: &str = r#"# Esempio di profilo sidisync: il gestionale locale chiama alcune colonne
# in modo diverso e usa codici propri per il tempo scuola.
name = "esempio"

[local]
delimiter = ";"
date_format = "dd/mm/yyyy"
encoding = "auto"

[local.columns]          # nome standard = nome nel file del gestionale
ID_LOCALE = "MATRICOLA"
CODICE_FISCALE = "COD_FISCALE"
BLOCCATI = "CAMPI_BLOCCATI"

[mapping.tempo_scuola]   # codice ministeriale = codice locale
"01" = "INF25"
"02" = "INF40"
"03" = "INF50"
"10" = "P24"
"11" = "P27"
"12" = "P30"
"13" = "TP40"
"20" = "S30"
"21" = "S36"
"22" = "S40"
"#;

/// Gives a pupil a new name and recomputes its codice fiscale.
fn rename(p: &mut Pupil, cognome: Option<&str>, nome: Option<&str>, reg: &mut Registry) {
    if let Some(c) = cognome {
        p.cognome = c.into();
    }
    if let Some(n) = nome {
        p.nome = n.into();
    }
    let d = p.data_nascita.expect("generated pupils have a birth date");
    let sex = p.sesso.chars().next().unwrap_or('M');
    let code = cf::encode(&p.cognome, &p.nome, d, sex, &p.luogo_nascita);
    reg.cfs.insert(code.clone());
    reg.people
        .insert((p.cognome.to_string(), p.nome.to_string(), d));
    p.codice_fiscale = code.into();
}

fn find(pupils: &[Pupil], used: &mut Vec<usize>, from: usize, sex: Option<&str>) -> usize {
    let i = (from..pupils.len())
        .chain(0..from)
        .find(|i| {
            !used.contains(i)
                && sex.is_none_or(|s| pupils[*i].sesso == s)
                && pupils[*i].frequenze.len() == 1
        })
        .expect("the sample school has enough pupils");
    used.push(i);
    i
}

/// The sample school, its drifted local export and expected counts.
pub fn sample_school() -> Result<super::GeneratedSchool> {
    let row = tables()
        .schools
        .iter()
        .find(|s| s.code == SAMPLE_SCHOOL)
        .ok_or_else(|| {
            Error::Usage(format!("{SAMPLE_SCHOOL} not in the embedded tables").into())
        })?;
    let spec = SchoolSpec::from_table(row, SAMPLE_SCALE);
    let mut rng = Rng::for_key(SAMPLE_SEED, &spec.code);
    let mut reg = Registry::default();
    let mut sidi = school::build_export(&spec, &mut rng, &mut reg);
    let n = sidi.pupils.len();
    let mut used = Vec::new();
    // Names that exercise accents and apostrophes, and a ROSSI.
    let rossi = find(&sidi.pupils, &mut used, n / 7, None);
    let nicolo = find(&sidi.pupils, &mut used, n / 3, Some("M"));
    let zoe = find(&sidi.pupils, &mut used, n / 2, Some("F"));
    let damico = find(&sidi.pupils, &mut used, 2 * n / 3, None);
    let dellorto = find(&sidi.pupils, &mut used, 5 * n / 6, None);
    rename(&mut sidi.pupils[rossi], Some("ROSSI"), None, &mut reg);
    rename(&mut sidi.pupils[nicolo], None, Some("NICOLÒ"), &mut reg);
    rename(&mut sidi.pupils[zoe], None, Some("ZOÈ"), &mut reg);
    rename(&mut sidi.pupils[damico], Some("D'AMICO"), None, &mut reg);
    rename(
        &mut sidi.pupils[dellorto],
        Some("DELL'ORTO"),
        None,
        &mut reg,
    );
    sidi.pupils.sort_by(|a, b| {
        let (ka, kb) = (&a.frequenze[0].class, &b.frequenze[0].class);
        (ka, &a.cognome, &a.nome).cmp(&(kb, &b.cognome, &b.nome))
    });
    let idx = |cf: &str, s: &[Pupil]| s.iter().position(|p| p.codice_fiscale == cf).unwrap_or(0);
    // Re-find the renamed pupils after sorting, then pick the others.
    let rossi_cf = sidi
        .pupils
        .iter()
        .find(|p| p.cognome == "ROSSI")
        .map(|p| p.codice_fiscale.clone());
    let nicolo_cf = sidi
        .pupils
        .iter()
        .find(|p| p.nome == "NICOLÒ")
        .map(|p| p.codice_fiscale.clone());
    let mut used: Vec<usize> = sidi
        .pupils
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.cognome == "ROSSI"
                || p.nome == "NICOLÒ"
                || p.nome == "ZOÈ"
                || p.cognome.contains('\'')
        })
        .map(|(i, _)| i)
        .collect();
    let moved = find(&sidi.pupils, &mut used, n / 5, None);
    let missing = find(&sidi.pupils, &mut used, n / 4, None);
    let wrong_cf = find(&sidi.pupils, &mut used, 3 * n / 5, None);
    let unlocked = find(&sidi.pupils, &mut used, 4 * n / 5, None);
    let changed_class = sidi
        .classes
        .iter()
        .position(|c| c.tempo_scuola.starts_with('1'))
        .unwrap_or(0);
    let plan = Plan {
        pupils: vec![
            (
                idx(rossi_cf.as_deref().unwrap_or(""), &sidi.pupils),
                PupilDrift::Field(Field::Cognome),
            ),
            (
                idx(nicolo_cf.as_deref().unwrap_or(""), &sidi.pupils),
                PupilDrift::Field(Field::Nome),
            ),
            (moved, PupilDrift::Move),
            (missing, PupilDrift::Missing),
            (wrong_cf, PupilDrift::CfMismatch),
            (unlocked, PupilDrift::Lock),
        ],
        classes: vec![(changed_class, ClassDrift::Changed)],
        extra_pupils: 1,
        extra_classes: 1,
    };
    let out = drift::apply(&mut sidi, &plan, &mut rng, &mut reg);
    Ok(super::GeneratedSchool {
        sidi,
        local: out.local,
        counts: out.counts,
        applied: out.applied,
    })
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let p = dir.join(name);
    std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
}

/// Writes `samples/` into `dir`: `frequenze.xml` (windows-1252),
/// `frequenze_xml.zip` (the same file zipped), `frequenze_csv.zip` (the CSV
/// set, windows-1252), `alunni_locali.csv` and `classi_locali.csv` (UTF-8),
/// `expected.json`, `profilo_esempio.toml` with `alunni_locali_profilo.csv`
/// and `classi_locali_profilo.csv` (the same local export in that profile's
/// layout and local codes).
pub fn write_samples(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let g = sample_school()?;
    let xml = sidi_out::xml_bytes(&g.sidi, TextEncoding::Windows1252);
    write(dir, "frequenze.xml", &xml)?;
    write(
        dir,
        "frequenze_xml.zip",
        &sidi_out::zip_bytes(&[("frequenze.xml", &xml)])?,
    )?;
    let csv = sidi_out::csv_files(&g.sidi, TextEncoding::Windows1252)?;
    let members: Vec<(&str, &[u8])> = csv.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    write(dir, "frequenze_csv.zip", &sidi_out::zip_bytes(&members)?)?;
    let layout = super::local_layout(TextEncoding::Utf8);
    write(
        dir,
        "alunni_locali.csv",
        &crate::write::local::pupils_csv(&g.local, &layout)?,
    )?;
    write(
        dir,
        "classi_locali.csv",
        &crate::write::local::classes_csv(&g.local, &layout)?,
    )?;
    #[derive(serde::Serialize)]
    struct Expected<'a> {
        school: &'a str,
        sidi_files: [&'static str; 3],
        pupils_sidi: usize,
        pupils_local: usize,
        classes_sidi: usize,
        classes_local: usize,
        counts: &'a super::Counts,
        drift: &'a drift::Applied,
    }
    let mut json = serde_json::to_vec_pretty(&Expected {
        school: &g.sidi.header.codice_scuola,
        sidi_files: ["frequenze.xml", "frequenze_xml.zip", "frequenze_csv.zip"],
        pupils_sidi: g.sidi.pupils.len(),
        pupils_local: g.local.pupils.len(),
        classes_sidi: g.sidi.classes.len(),
        classes_local: g.local.classes.len(),
        counts: &g.counts,
        drift: &g.applied,
    })
    .map_err(|e| Error::input("expected.json", 0, e.to_string()))?;
    json.push(b'\n');
    write(dir, "expected.json", &json)?;

    // The profile example: same local export, renamed columns, local codes.
    write(dir, "profilo_esempio.toml", PROFILE_EXAMPLE.as_bytes())?;
    let profile = Profile::parse(PROFILE_EXAMPLE, "profilo_esempio.toml", None)?;
    let map = profile.tempo_scuola_map.clone().unwrap_or_default();
    let mut local: LocalExport = g.local.clone();
    let to_local = |c: &mut CompactString| {
        if let Some(l) = map.get(c.as_str()) {
            *c = l.into();
        }
    };
    for p in &mut local.pupils {
        to_local(&mut p.tempo_scuola);
    }
    for c in &mut local.classes {
        to_local(&mut c.tempo_scuola);
    }
    write(
        dir,
        "alunni_locali_profilo.csv",
        &crate::write::local::pupils_csv(&local, &profile.local)?,
    )?;
    write(
        dir,
        "classi_locali_profilo.csv",
        &crate::write::local::classes_csv(&local, &profile.local)?,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sample_has_every_case_once() {
        let g = sample_school().unwrap();
        let n = g.sidi.pupils.len();
        assert!((130..=170).contains(&n), "{n}");
        let c = &g.counts;
        assert_eq!(c.ops["update_field"], 2);
        assert_eq!(c.ops["move_student"], 1);
        assert_eq!(c.ops["insert_student"], 1);
        assert_eq!(c.ops["lock_fields"], 1);
        assert_eq!(c.ops["update_class"], 1);
        assert_eq!(c.ops["create_class"], 0);
        assert_eq!(c.review["cf_mismatch"], 1);
        assert_eq!(c.review["local_only"], 1);
        assert_eq!(c.review["class_local_only"], 1);
        assert_eq!(c.excluded_records, 0);
        assert_eq!(*c, super::super::tests::reference_counts(&g.sidi, &g.local));
        assert!(g.local.pupils.iter().any(|p| p.cognome == "Rossi"));
        for name in ["NICOLÒ", "ZOÈ"] {
            assert!(g.sidi.pupils.iter().any(|p| p.nome == name), "{name}");
        }
        for name in ["D'AMICO", "DELL'ORTO"] {
            assert!(g.sidi.pupils.iter().any(|p| p.cognome == name), "{name}");
        }
        let ords: std::collections::BTreeSet<_> =
            g.sidi.sedi.iter().map(|s| s.ordine.as_str()).collect();
        assert_eq!(ords.into_iter().collect::<Vec<_>>(), ["AA", "EE", "MM"]);
    }

    #[test]
    fn samples_are_reproducible() {
        let a = tempfile::tempdir().unwrap();
        write_samples(a.path()).unwrap();
        let b = tempfile::tempdir().unwrap();
        write_samples(b.path()).unwrap();
        for f in [
            "frequenze.xml",
            "frequenze_csv.zip",
            "alunni_locali_profilo.csv",
            "expected.json",
        ] {
            assert_eq!(
                std::fs::read(a.path().join(f)).unwrap(),
                std::fs::read(b.path().join(f)).unwrap(),
                "{f}"
            );
        }
        let xml = std::fs::read(a.path().join("frequenze.xml")).unwrap();
        assert!(xml.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"));
        assert!(xml.windows(7).any(|w| w == b"NICOL\xD2<"));
        assert!(xml.windows(8).any(|w| w == b"D'AMICO<"));
        let prof =
            String::from_utf8(std::fs::read(a.path().join("alunni_locali_profilo.csv")).unwrap())
                .unwrap();
        assert!(prof.starts_with("MATRICOLA;ID_ALUNNO_SIDI;COD_FISCALE;"));
    }
}
