//! Realistic synthetic workloads: one SIDI export per school plus the
//! school's drifted local export and the sync outcome the drift implies.
//!
//! The structure is real: istituzioni, plessi and pupil counts of the
//! 2024/25 national list, class structures and the schools' own tempo scuola
//! and indirizzo wordings from the 2023/24 textbook-adoption open data,
//! comuni with their validity windows, Italian first names (tables derived by
//! `scripts/gen_workload_tables.py`, embedded). Pupils are synthetic: names
//! drawn from the tables, valid codici fiscali (omocodia where two pupils
//! collide, and a few more), ages consistent with the anno di corso.
//!
//! Output of [`run_gen`] (FORMATS.md section 5, `gen`):
//! - `DIR/sidi/FREQUENZE_<CODE>_2025-26_<yyyymmddhhmmss>.{zip,xml}`: XML
//!   (zipped or plain) or the CSV set (zipped), windows-1252 or UTF-8;
//! - `DIR/locale/<CODE>/alunni_locali.csv`, `classi_locali.csv`,
//!   `expected.json` (exact counts of operations, review items and excluded
//!   records a sync must report, see [`drift`]);
//! - `DIR/gen_summary.json`: configuration and totals.
//!
//! Every school is generated from its own random stream, derived from the
//! seed and its code only: output bytes do not depend on the thread count.

pub mod drift;
pub mod rng;
pub mod samples;
pub mod school;
pub mod school_code;
pub mod sidi_out;
pub mod tables;

pub use drift::{Counts, Drift};
pub use samples::write_samples;
pub use school_code::school_check_char;

use crate::error::{Error, Message, Result};
use crate::model::{LocalExport, Ordine, SidiExport};
use crate::read::profile::{CsvLayout, EncodingChoice, Profile};
use rng::Rng;
use school::{Registry, SchoolSpec, SedeSpec};
use serde::Serialize;
use sidi_out::TextEncoding;
use std::path::{Path, PathBuf};

/// What `sidisync gen` asks for.
#[derive(Clone, Debug)]
pub struct GenConfig {
    pub out: PathBuf,
    /// Number of real istituzioni drawn from the national list (default 10
    /// when neither this nor `national` is given).
    pub schools: Option<usize>,
    /// Every istituzione of the national list.
    pub national: bool,
    /// Fraction of each plesso's real pupils to generate (at least one pupil
    /// per plesso); 1 = the real counts.
    pub scale: f64,
    pub seed: u64,
    pub drift: Drift,
    /// Worker threads (default: rayon's, one per core).
    pub jobs: Option<usize>,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            out: PathBuf::from("gen"),
            schools: None,
            national: false,
            scale: 1.0,
            seed: 1,
            drift: Drift::default(),
            jobs: None,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GenOutcome {
    pub schools: usize,
    /// SIDI pupil records written.
    pub pupils: u64,
    pub files: usize,
    pub bytes: u64,
    /// Sum of every school's expected counts.
    pub counts: Counts,
}

/// The form a school's export is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SidiForm {
    Xml { zipped: bool },
    CsvZip,
}

/// One school's `expected.json`.
#[derive(Serialize)]
struct Expected<'a> {
    school: &'a str,
    seed: u64,
    sidi_file: &'a str,
    form: &'static str,
    zipped: bool,
    encoding: &'static str,
    local_encoding: &'static str,
    pupils_sidi: usize,
    pupils_local: usize,
    classes_sidi: usize,
    classes_local: usize,
    counts: &'a Counts,
    drift: &'a drift::Applied,
}

/// Per-school generation result.
struct Written {
    pupils: u64,
    files: usize,
    bytes: u64,
    counts: Counts,
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<u64> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))?;
    Ok(bytes.len() as u64)
}

fn local_layout(enc: TextEncoding) -> CsvLayout {
    let mut l = Profile::default().local;
    l.encoding = match enc {
        TextEncoding::Windows1252 => EncodingChoice::Fixed(encoding_rs::WINDOWS_1252),
        _ => EncodingChoice::Fixed(encoding_rs::UTF_8),
    };
    l
}

/// The SIDI export file of one school: `(file name, bytes)`.
pub fn sidi_file(e: &SidiExport, form: SidiForm, enc: TextEncoding) -> Result<(String, Vec<u8>)> {
    let stamp: String = e
        .header
        .data_estrazione
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let stem = format!(
        "FREQUENZE_{}_{}_{}",
        e.header.codice_scuola,
        e.header.anno_scolastico.replace('/', "-"),
        stamp
    );
    Ok(match form {
        SidiForm::Xml { zipped: false } => (format!("{stem}.xml"), sidi_out::xml_bytes(e, enc)),
        SidiForm::Xml { zipped: true } => {
            let xml = sidi_out::xml_bytes(e, enc);
            (
                format!("{stem}.zip"),
                sidi_out::zip_bytes(&[("frequenze.xml", &xml)])?,
            )
        }
        SidiForm::CsvZip => {
            let files = sidi_out::csv_files(e, enc)?;
            let members: Vec<(&str, &[u8])> =
                files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            (format!("{stem}.zip"), sidi_out::zip_bytes(&members)?)
        }
    })
}

/// A generated school, in memory: its export, local export and outcome.
pub struct GeneratedSchool {
    pub sidi: SidiExport,
    pub local: LocalExport,
    pub counts: Counts,
    pub applied: drift::Applied,
}

/// Generates one school (deterministic for `seed` and the school code).
pub fn generate_school(spec: &SchoolSpec, seed: u64, d: &Drift) -> GeneratedSchool {
    let mut rng = Rng::for_key(seed, &spec.code);
    let mut reg = Registry::default();
    let mut sidi = school::build_export(spec, &mut rng, &mut reg);
    let plan = drift::Plan::from_rates(&sidi, d, &mut rng);
    let out = drift::apply(&mut sidi, &plan, &mut rng, &mut reg);
    GeneratedSchool {
        sidi,
        local: out.local,
        counts: out.counts,
        applied: out.applied,
    }
}

fn choose_form(seed: u64, code: &str) -> (SidiForm, TextEncoding, TextEncoding) {
    let mut r = Rng::for_key(seed, &format!("{code}#form"));
    let x = r.unit();
    let form = if x < 0.45 {
        SidiForm::Xml { zipped: true }
    } else if x < 0.6 {
        SidiForm::Xml { zipped: false }
    } else {
        SidiForm::CsvZip
    };
    let enc = if r.chance(0.6) {
        TextEncoding::Windows1252
    } else if form == SidiForm::CsvZip && r.chance(0.5) {
        TextEncoding::Utf8Bom
    } else {
        TextEncoding::Utf8
    };
    let local = if r.chance(0.5) {
        TextEncoding::Windows1252
    } else {
        TextEncoding::Utf8
    };
    (form, enc, local)
}

/// Writes a generated school into `out` (`sidi/` and `locale/<CODE>/`).
fn write_school(
    g: &GeneratedSchool,
    seed: u64,
    out: &Path,
    form: SidiForm,
    enc: TextEncoding,
    local_enc: TextEncoding,
) -> Result<Written> {
    let code = &g.sidi.header.codice_scuola;
    let (name, bytes) = sidi_file(&g.sidi, form, enc)?;
    let mut total = write_file(&out.join("sidi").join(&name), &bytes)?;
    let dir = out.join("locale").join(code);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let layout = local_layout(local_enc);
    total += write_file(
        &dir.join("alunni_locali.csv"),
        &crate::write::local::pupils_csv(&g.local, &layout)?,
    )?;
    total += write_file(
        &dir.join("classi_locali.csv"),
        &crate::write::local::classes_csv(&g.local, &layout)?,
    )?;
    let exp = Expected {
        school: code,
        seed,
        sidi_file: &name,
        form: match form {
            SidiForm::Xml { .. } => "xml",
            SidiForm::CsvZip => "csv",
        },
        zipped: form != SidiForm::Xml { zipped: false },
        encoding: enc.label(),
        local_encoding: local_enc.label(),
        pupils_sidi: g.sidi.pupils.len(),
        pupils_local: g.local.pupils.len(),
        classes_sidi: g.sidi.classes.len(),
        classes_local: g.local.classes.len(),
        counts: &g.counts,
        drift: &g.applied,
    };
    let mut json = serde_json::to_vec_pretty(&exp)
        .map_err(|e| Error::input("expected.json", 0, e.to_string()))?;
    json.push(b'\n');
    total += write_file(&dir.join("expected.json"), &json)?;
    Ok(Written {
        pupils: g.sidi.pupils.len() as u64,
        files: 4,
        bytes: total,
        counts: g.counts.clone(),
    })
}

/// The istituzioni a configuration selects, scaled.
pub fn select_schools(cfg: &GenConfig) -> Result<Vec<SchoolSpec>> {
    if !(cfg.scale.is_finite() && cfg.scale > 0.0 && cfg.scale <= 10.0) {
        return Err(Error::Usage(Message::new(
            format!(
                "--scale deve essere sopra 0 e al massimo 10, trovato {}",
                cfg.scale
            ),
            format!("--scale must be above 0 and at most 10, got {}", cfg.scale),
        )));
    }
    if cfg.national && cfg.schools.is_some() {
        return Err(Error::Usage(Message::new(
            "--schools e --national si escludono a vicenda",
            "--schools and --national exclude each other",
        )));
    }
    let t = tables::tables();
    let rows: Vec<&tables::SchoolRow> = if cfg.national {
        t.schools.iter().collect()
    } else {
        let n = cfg.schools.unwrap_or(10);
        if n == 0 {
            return Err(Error::Usage(Message::new(
                "--schools deve essere almeno 1",
                "--schools must be at least 1",
            )));
        }
        let mut idx: Vec<usize> = (0..t.schools.len()).collect();
        Rng::new(cfg.seed).shuffle(&mut idx);
        idx.truncate(n);
        idx.sort_unstable();
        idx.into_iter().map(|i| &t.schools[i]).collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| SchoolSpec::from_table(r, cfg.scale))
        .collect())
}

fn prepare_out(out: &Path) -> Result<()> {
    for d in [out.join("sidi"), out.join("locale")] {
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    }
    Ok(())
}

/// `sidisync gen`: writes the workload and returns what was written.
pub fn run_gen(cfg: &GenConfig) -> Result<GenOutcome> {
    cfg.drift.check()?;
    let specs = select_schools(cfg)?;
    prepare_out(&cfg.out)?;
    let work = || -> Result<Vec<Written>> {
        use rayon::prelude::*;
        specs
            .par_iter()
            .map(|spec| {
                let g = generate_school(spec, cfg.seed, &cfg.drift);
                let (form, enc, lenc) = choose_form(cfg.seed, &spec.code);
                write_school(&g, cfg.seed, &cfg.out, form, enc, lenc)
            })
            .collect()
    };
    let written = match cfg.jobs {
        Some(j) => rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build()
            .map_err(|e| Error::Usage(format!("--jobs: {e}").into()))?
            .install(work)?,
        None => work()?,
    };
    let mut o = GenOutcome {
        schools: written.len(),
        counts: Counts::zero(),
        ..GenOutcome::default()
    };
    for w in &written {
        o.pupils += w.pupils;
        o.files += w.files;
        o.bytes += w.bytes;
        o.counts.add(&w.counts);
    }
    #[derive(Serialize)]
    struct Summary<'a> {
        seed: u64,
        national: bool,
        scale: f64,
        drift: &'a Drift,
        outcome: &'a GenOutcome,
    }
    let mut json = serde_json::to_vec_pretty(&Summary {
        seed: cfg.seed,
        national: cfg.national,
        scale: cfg.scale,
        drift: &cfg.drift,
        outcome: &o,
    })
    .map_err(|e| Error::input("gen_summary.json", 0, e.to_string()))?;
    json.push(b'\n');
    o.bytes += write_file(&cfg.out.join("gen_summary.json"), &json)?;
    o.files += 1;
    Ok(o)
}

/// One very large synthetic school with `pupils` pupils (plessi of every
/// ordine, codes with correct check characters), its SIDI export in XML
/// (windows-1252, plain) and its drifted local export, written into `dir`
/// like [`run_gen`] does (`dir/sidi/`, `dir/locale/<CODE>/`). For benchmarks.
pub fn generate_large_school(pupils: usize, seed: u64, dir: &Path) -> Result<GenOutcome> {
    if pupils == 0 {
        return Err(Error::Usage(Message::new(
            "la scuola grande richiede almeno un alunno",
            "the large school needs at least one pupil",
        )));
    }
    let per_sede = 1500usize;
    let n_sedi = pupils.div_ceil(per_sede);
    let kinds = [
        (Ordine::Infanzia, "AA"),
        (Ordine::Primaria, "EE"),
        (Ordine::SecondariaPrimo, "MM"),
        (Ordine::SecondariaSecondo, "PS"),
    ];
    let sedi = (0..n_sedi)
        .map(|i| {
            let (ordine, ty) = kinds[i % kinds.len()];
            let n = pupils / n_sedi + usize::from(i < pupils % n_sedi);
            SedeSpec {
                code: school_code::with_check(&format!("RM{ty}9{:03}{}", i / 9, i % 9 + 1)),
                ordine,
                comune: Some("H501".into()),
                real_pupils: n as u32,
                pupils: n.max(1) as u32,
                classes: None,
            }
        })
        .collect();
    let spec = SchoolSpec {
        code: school_code::with_check("RMIS99000"),
        sedi,
    };
    prepare_out(dir)?;
    let g = generate_school(&spec, seed, &Drift::default());
    let w = write_school(
        &g,
        seed,
        dir,
        SidiForm::Xml { zipped: false },
        TextEncoding::Windows1252,
        TextEncoding::Windows1252,
    )?;
    Ok(GenOutcome {
        schools: 1,
        pupils: w.pupils,
        files: w.files,
        bytes: w.bytes,
        counts: w.counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, LocalPupil, Pupil};
    use crate::validate::cf;
    use std::collections::{HashMap, HashSet};

    fn cf_ok(code: &str) -> bool {
        let b = code.as_bytes();
        b.len() == 16 && cf::check_char(&b[..15]) == b[15]
    }

    /// An independent, literal reading of FORMATS.md section 3, to check
    /// that the counts the generator promises follow from its files.
    pub(crate) fn reference_counts(s: &SidiExport, l: &LocalExport) -> Counts {
        let mut c = Counts::zero();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for p in &s.pupils {
            *seen.entry(p.cf_key()).or_default() += 1;
        }
        let excluded: Vec<bool> = s
            .pupils
            .iter()
            .map(|p| !cf_ok(&p.cf_key()) || seen[&p.cf_key()] > 1)
            .collect();
        c.excluded_records = excluded.iter().filter(|x| **x).count() as u64;
        let mut by_cf: HashMap<String, usize> = HashMap::new();
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        for (i, lp) in l.pupils.iter().enumerate() {
            by_cf.insert(lp.cf_key(), i);
            if !lp.id_sidi.is_empty() {
                by_id.insert(&lp.id_sidi, i);
            }
        }
        let mut used = vec![false; l.pupils.len()];
        let mut unmatched = Vec::new();
        for (pi, p) in s.pupils.iter().enumerate() {
            let m = by_cf
                .get(&p.cf_key())
                .or_else(|| by_id.get(p.id_sidi.as_str()))
                .copied();
            let Some(li) = m else {
                if !excluded[pi] {
                    unmatched.push(p);
                }
                continue;
            };
            used[li] = true;
            if excluded[pi] {
                continue;
            }
            let lp = &l.pupils[li];
            let pairs: [(Field, bool); 7] = [
                (Field::CodiceFiscale, lp.cf_key() != p.cf_key()),
                (Field::Cognome, lp.cognome.trim() != p.cognome.trim()),
                (Field::Nome, lp.nome.trim() != p.nome.trim()),
                (Field::Sesso, lp.sesso.trim() != p.sesso.trim()),
                (Field::DataNascita, lp.data_nascita != p.data_nascita),
                (Field::LuogoNascita, lp.luogo_nascita != p.luogo_nascita),
                (Field::Cittadinanza, lp.cittadinanza != p.cittadinanza),
            ];
            let n = pairs.iter().filter(|x| x.1).count() as u64;
            *c.ops.get_mut("update_field").unwrap() += n;
            if lp.id_sidi != p.id_sidi {
                *c.ops.get_mut("link_student").unwrap() += 1;
            }
            if Some(&lp.class) != p.current_frequenza().map(|f| &f.class) {
                *c.ops.get_mut("move_student").unwrap() += 1;
            }
            if Field::LOCKABLE.iter().any(|f| !lp.bloccati.contains(*f)) {
                *c.ops.get_mut("lock_fields").unwrap() += 1;
            }
        }
        for p in unmatched {
            let cand = l
                .pupils
                .iter()
                .enumerate()
                .find(|(i, lp): &(usize, &LocalPupil)| {
                    !used[*i]
                        && lp.cognome == p.cognome
                        && lp.nome == p.nome
                        && lp.data_nascita == p.data_nascita
                        && lp.cf_key() != p.cf_key()
                });
            if let Some((i, _)) = cand {
                used[i] = true;
                *c.review.get_mut("cf_mismatch").unwrap() += 1;
            } else {
                *c.ops.get_mut("insert_student").unwrap() += 1;
            }
        }
        *c.review.get_mut("local_only").unwrap() += used.iter().filter(|u| !**u).count() as u64;
        let local: HashMap<_, _> = l.classes.iter().map(|k| (&k.key, k)).collect();
        let sidi: HashSet<_> = s.classes.iter().map(|k| &k.key).collect();
        for k in &s.classes {
            match local.get(&k.key) {
                None => *c.ops.get_mut("create_class").unwrap() += 1,
                Some(lc) if lc.tempo_scuola != k.tempo_scuola || lc.indirizzo != k.indirizzo => {
                    *c.ops.get_mut("update_class").unwrap() += 1
                }
                _ => {}
            }
        }
        *c.review.get_mut("class_local_only").unwrap() +=
            l.classes.iter().filter(|k| !sidi.contains(&k.key)).count() as u64;
        c
    }

    fn some_specs(n: usize, scale: f64, seed: u64) -> Vec<SchoolSpec> {
        select_schools(&GenConfig {
            schools: Some(n),
            scale,
            seed,
            ..GenConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn counts_follow_from_the_files() {
        let heavy = Drift::parse("fields=0.1,moves=0.1,missing=0.1,extra=0.1,cf=0.1,locks=0.3,links=0.1,classes=0.3,faulty=0.05").unwrap();
        let mut total = Counts::zero();
        for (i, spec) in some_specs(12, 0.5, 3).iter().enumerate() {
            let d = if i % 2 == 0 { heavy } else { Drift::default() };
            let g = generate_school(spec, 3, &d);
            let want = reference_counts(&g.sidi, &g.local);
            assert_eq!(g.counts, want, "school {}", spec.code);
            total.add(&g.counts);
            // the drift kinds were exercised and add up
            let a = &g.applied;
            assert_eq!(
                g.counts.ops["update_field"],
                a.fields + 2 * a.cf_update,
                "{}",
                spec.code
            );
            assert_eq!(g.counts.review["cf_mismatch"], a.cf_mismatch);
            assert_eq!(g.counts.ops["move_student"], a.moves);
            assert_eq!(
                g.counts.excluded_records,
                a.faulty_check_char + 2 * a.faulty_duplicate_cf
            );
        }
        for k in OP_KINDS_ALL {
            assert!(
                total.ops.get(k).copied().unwrap_or(0) + total.review.get(k).copied().unwrap_or(0)
                    > 0,
                "no {k} in the test set"
            );
        }
        assert!(total.excluded_records > 0);
    }

    const OP_KINDS_ALL: [&str; 10] = [
        "insert_student",
        "update_field",
        "link_student",
        "move_student",
        "lock_fields",
        "create_class",
        "update_class",
        "cf_mismatch",
        "local_only",
        "class_local_only",
    ];

    #[test]
    fn no_drift_means_no_operation() {
        for spec in some_specs(5, 0.2, 9) {
            let g = generate_school(&spec, 9, &Drift::none());
            assert_eq!(g.counts, Counts::zero());
            assert_eq!(reference_counts(&g.sidi, &g.local), Counts::zero());
            assert_eq!(g.sidi.pupils.len(), g.local.pupils.len());
        }
    }

    #[test]
    fn pupils_are_valid_and_plausible() {
        let mut omocodia = 0;
        let mut pupils = 0;
        let mut foreign = 0;
        for spec in some_specs(20, 0.3, 11) {
            let g = generate_school(&spec, 11, &Drift::none());
            let mut cfs = HashSet::new();
            for p in &g.sidi.pupils {
                pupils += 1;
                assert!(cf_ok(&p.codice_fiscale), "{}", spec.code);
                assert!(cfs.insert(p.cf_key()));
                let b = p.codice_fiscale.as_bytes();
                if school::OMOCODIA_POS
                    .iter()
                    .any(|&i| b[i].is_ascii_uppercase())
                {
                    omocodia += 1;
                } else {
                    let d = p.data_nascita.unwrap();
                    let sex = p.sesso.chars().next().unwrap();
                    assert_eq!(
                        cf::encode(&p.cognome, &p.nome, d, sex, &p.luogo_nascita),
                        p.codice_fiscale
                    );
                }
                assert_age(p, &g.sidi);
                for place in [&p.luogo_nascita, &p.cittadinanza] {
                    let b = place.as_bytes();
                    assert!(
                        b.len() == 4
                            && b[0].is_ascii_uppercase()
                            && b[1..].iter().all(u8::is_ascii_digit),
                        "{place}"
                    );
                }
                foreign += usize::from(p.luogo_nascita.starts_with('Z'));
                if p.luogo_nascita.starts_with('Z') {
                    assert!(tables::tables()
                        .countries
                        .items
                        .contains(&p.luogo_nascita.to_string()));
                }
                assert_eq!(p.current_frequenza().unwrap().stato, "FREQUENTANTE");
            }
        }
        assert!(pupils > 1000, "{pupils}");
        assert!(omocodia < pupils / 50);
        assert!(
            foreign > pupils / 100 && foreign < pupils / 10,
            "{foreign} of {pupils}"
        );
    }

    fn assert_age(p: &Pupil, e: &SidiExport) {
        let f = p.current_frequenza().unwrap();
        let sede = e.sedi.iter().find(|s| s.codice == f.class.sede).unwrap();
        let ord = Ordine::from_code(&sede.ordine).unwrap();
        let born = p.data_nascita.unwrap().year() as i32;
        let age = school::SCHOOL_YEAR_START - born;
        let (lo, hi) = match (ord, f.class.anno_num()) {
            (Ordine::Infanzia, _) | (_, None) => (2, 5),
            (o, Some(a)) => {
                let nominal = o.first_year_age() + i32::from(a) - 1;
                (nominal - 1, nominal + 2)
            }
        };
        assert!(
            (lo..=hi).contains(&age),
            "age {age} in {:?} {}",
            ord,
            f.class
        );
    }

    #[test]
    fn same_seed_same_bytes_any_thread_count() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let cfg = |out: &Path, jobs| GenConfig {
            out: out.to_path_buf(),
            schools: Some(6),
            scale: 0.1,
            seed: 5,
            jobs: Some(jobs),
            ..GenConfig::default()
        };
        let oa = run_gen(&cfg(a.path(), 1)).unwrap();
        let ob = run_gen(&cfg(b.path(), 2)).unwrap();
        assert_eq!(oa, ob);
        assert_eq!(oa.schools, 6);
        assert_eq!(oa.files, 6 * 4 + 1);
        let list = |d: &Path| {
            let mut v = Vec::new();
            for sub in ["sidi", "locale"] {
                for e in walk(&d.join(sub)) {
                    v.push((
                        e.strip_prefix(d).unwrap().to_path_buf(),
                        std::fs::read(&e).unwrap(),
                    ));
                }
            }
            v.sort();
            v
        };
        let (la, lb) = (list(a.path()), list(b.path()));
        assert_eq!(la.len(), 6 * 4);
        assert!(la == lb, "outputs differ");
        let c = tempfile::tempdir().unwrap();
        let mut other = cfg(c.path(), 2);
        other.seed = 6;
        run_gen(&other).unwrap();
        assert!(list(c.path()) != la);
    }

    fn walk(d: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn scale_keeps_one_pupil_per_plesso() {
        let cfg = GenConfig {
            national: true,
            scale: 0.0001,
            ..GenConfig::default()
        };
        let specs = select_schools(&cfg).unwrap();
        assert!(specs.iter().flat_map(|s| &s.sedi).all(|d| d.pupils >= 1));
        assert_eq!(specs.iter().map(|s| s.sedi.len()).sum::<usize>(), 51_397);
        for spec in specs.iter().step_by(997) {
            let g = generate_school(spec, 1, &Drift::none());
            for d in &spec.sedi {
                let n = g
                    .sidi
                    .pupils
                    .iter()
                    .filter(|p| p.current_frequenza().unwrap().class.sede == d.code)
                    .count();
                assert_eq!(n, d.pupils as usize);
            }
        }
        assert_eq!(school::scaled(7_000, 0.01), 70);
        assert_eq!(school::scaled(20, 0.01), 1);
    }

    #[test]
    fn refuses_bad_configs() {
        let bad = |cfg: GenConfig| matches!(select_schools(&cfg), Err(Error::Usage(_)));
        assert!(bad(GenConfig {
            scale: 0.0,
            ..GenConfig::default()
        }));
        assert!(bad(GenConfig {
            scale: f64::NAN,
            ..GenConfig::default()
        }));
        assert!(bad(GenConfig {
            schools: Some(0),
            ..GenConfig::default()
        }));
        assert!(bad(GenConfig {
            schools: Some(2),
            national: true,
            ..GenConfig::default()
        }));
    }
}
