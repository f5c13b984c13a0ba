//! The generator's reference tables, derived from public data by
//! `scripts/gen_workload_tables.py` into `data/gen/tables.zip` and embedded
//! in the binary (see `data/gen/ATTRIBUTION.md`). Parsed once, on first use.

use super::rng::{Rng, Weighted};
use crate::model::{CodeKind, Ordine};
use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

static TABLES_ZIP: &[u8] = include_bytes!("../../data/gen/tables.zip");

/// One plesso of a real istituzione.
#[derive(Clone, Debug)]
pub struct SedeRow {
    pub code: String,
    pub ordine: Ordine,
    /// Real Belfiore code when a registry gives it.
    pub comune: Option<String>,
    /// Pupils in 2024/25 (`<=3` read as 2).
    pub pupils: u32,
}

/// One istituzione (the unit of a SIDI export) with its plessi.
#[derive(Clone, Debug)]
pub struct SchoolRow {
    pub code: String,
    pub sedi: Vec<SedeRow>,
}

/// A wording of the open data: a tempo scuola (with our category code) or
/// an indirizzo (with its code).
#[derive(Clone, Debug)]
pub struct Wording {
    pub kind: CodeKind,
    pub code: String,
    pub ordine: Ordine,
    pub text: String,
}

/// One real class of a plesso: anno, sezione, index into `wordings`.
#[derive(Clone, Debug)]
pub struct ClassRow {
    pub anno: u8,
    pub sezione: String,
    pub wording: u16,
}

/// A comune with its validity window (yyyymmdd, inclusive).
#[derive(Clone, Debug)]
pub struct Comune {
    pub code: String,
    pub province: String,
    pub from: u32,
    pub to: u32,
}

pub struct Tables {
    pub schools: Vec<SchoolRow>,
    /// Raw `classes.tsv` lines by sede code (parsed on demand: most runs
    /// touch a few schools).
    classes: HashMap<String, String>,
    pub wordings: Vec<Wording>,
    pub comuni: Vec<Comune>,
    pub by_province: HashMap<String, Vec<u32>>,
    pub countries: Weighted,
    pub names_m: Weighted,
    pub names_f: Weighted,
    pub surnames: Weighted,
}

fn member(zip: &mut zip::ZipArchive<std::io::Cursor<&'static [u8]>>, name: &str) -> String {
    let mut f = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("embedded tables.zip lacks {name}"));
    let mut s = String::new();
    f.read_to_string(&mut s)
        .unwrap_or_else(|_| panic!("embedded {name} is not UTF-8"));
    s
}

fn weighted(text: &str) -> Weighted {
    let mut w = Weighted::default();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (n, item) = line.split_once('\t').unwrap_or(("1", line));
        w.push(item.to_string(), n.parse().unwrap_or(1));
    }
    w
}

fn ordine(s: &str) -> Ordine {
    Ordine::from_code(s).unwrap_or(Ordine::SecondariaSecondo)
}

impl Tables {
    fn load() -> Tables {
        // The archive is part of the binary and checked by the tests: a
        // failure here is a build defect, not bad input.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(TABLES_ZIP))
            .expect("embedded tables.zip is a zip archive");
        let schools = member(&mut zip, "schools.tsv")
            .lines()
            .filter_map(|l| {
                let (code, sedi) = l.split_once('\t')?;
                let sedi = sedi
                    .split(',')
                    .filter_map(|s| {
                        let mut f = s.split(':');
                        let code = f.next()?.to_string();
                        let ord = ordine(f.next()?);
                        let comune = f.next().filter(|c| !c.is_empty()).map(str::to_string);
                        let pupils = f.next()?.parse().ok()?;
                        Some(SedeRow {
                            code,
                            ordine: ord,
                            comune,
                            pupils,
                        })
                    })
                    .collect();
                Some(SchoolRow {
                    code: code.to_string(),
                    sedi,
                })
            })
            .collect();
        let classes = member(&mut zip, "classes.tsv")
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once('\t')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect();
        let wordings = member(&mut zip, "wordings.tsv")
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                if f.len() < 5 {
                    return None;
                }
                Some(Wording {
                    kind: if f[1] == "I" {
                        CodeKind::Indirizzo
                    } else {
                        CodeKind::TempoScuola
                    },
                    code: f[2].to_string(),
                    ordine: ordine(f[3]),
                    text: f[4].to_string(),
                })
            })
            .collect();
        let comuni: Vec<Comune> = member(&mut zip, "comuni.tsv")
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                if f.len() < 4 {
                    return None;
                }
                Some(Comune {
                    code: f[0].to_string(),
                    province: f[1].to_string(),
                    from: f[2].parse().ok()?,
                    to: f[3].parse().ok()?,
                })
            })
            .collect();
        let mut by_province: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, c) in comuni.iter().enumerate() {
            by_province
                .entry(c.province.clone())
                .or_default()
                .push(i as u32);
        }
        Tables {
            schools,
            classes,
            wordings,
            comuni,
            by_province,
            countries: weighted(&member(&mut zip, "countries.tsv")),
            names_m: weighted(&member(&mut zip, "names_m.txt")),
            names_f: weighted(&member(&mut zip, "names_f.txt")),
            surnames: weighted(&member(&mut zip, "surnames.txt")),
        }
    }

    /// The real classes of a plesso, when the open data lists it.
    pub fn classes_of(&self, sede: &str) -> Option<Vec<ClassRow>> {
        let line = self.classes.get(sede)?;
        let v: Vec<ClassRow> = line
            .split(',')
            .filter_map(|c| {
                let mut f = c.split(' ');
                Some(ClassRow {
                    anno: f.next()?.parse().ok()?,
                    sezione: f.next()?.to_string(),
                    wording: f.next()?.parse().ok()?,
                })
            })
            .filter(|c| usize::from(c.wording) < self.wordings.len())
            .collect();
        (!v.is_empty()).then_some(v)
    }

    /// A comune valid on `date` (yyyymmdd): in `province` when it has one,
    /// else anywhere.
    pub fn comune_on(&self, province: Option<&str>, date: u32, rng: &mut Rng) -> &str {
        let list = province.and_then(|p| self.by_province.get(p));
        for _ in 0..32 {
            let c = match list {
                Some(l) => &self.comuni[l[rng.index(l.len())] as usize],
                None => &self.comuni[rng.index(self.comuni.len())],
            };
            if c.from <= date && date <= c.to {
                return &c.code;
            }
        }
        // Fall back on any comune valid on that day.
        let start = rng.index(self.comuni.len());
        let n = self.comuni.len();
        (0..n)
            .map(|k| &self.comuni[(start + k) % n])
            .find(|c| c.from <= date && date <= c.to)
            .map(|c| c.code.as_str())
            .unwrap_or("H501")
    }

    /// Indirizzo wordings whose code starts with `prefix` (`IT`, `IP`, `LI`).
    pub fn indirizzi(&self, prefix: &str) -> Vec<usize> {
        self.wordings
            .iter()
            .enumerate()
            .filter(|(_, w)| w.kind == CodeKind::Indirizzo && w.code.starts_with(prefix))
            .map(|(i, _)| i)
            .collect()
    }
}

/// The parsed tables (loaded on first use).
pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(Tables::load)
}

/// The province sigla of a school code (legacy prefixes mapped).
pub fn province_of(code: &str) -> &str {
    match code.get(..2).unwrap_or("") {
        "FO" => "FC",
        "PS" => "PU",
        "TB" | "IB" | "LB" => "BZ",
        p => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn tables_load() {
        let t = tables();
        assert!(t.schools.len() > 15_000);
        let pupils: u64 = t
            .schools
            .iter()
            .flat_map(|s| &s.sedi)
            .map(|s| u64::from(s.pupils))
            .sum();
        // 7,664,679 in the open data plus 2 for each of the 40 `<=3` schools.
        assert!((7_664_679..7_664_800).contains(&pupils), "{pupils}");
        assert_eq!(
            t.schools.iter().map(|s| s.sedi.len()).sum::<usize>(),
            51_397
        );
        assert!(t.names_m.items.iter().any(|n| n == "NICOLÒ"));
        assert!(t.names_f.items.iter().any(|n| n == "ZOÈ"));
        assert!(t.surnames.items.iter().any(|n| n == "DELL'ORTO"));
        assert!(t
            .comuni
            .iter()
            .any(|c| c.code == "H501" && c.to == 99991231));
        let cl = t.classes_of("AL1E00100P").expect("listed school");
        assert_eq!(cl.len(), 10);
        assert!(t.by_province.contains_key("RM"));
        let check =
            |c: &str| crate::gen::school_code::school_check_char(&c[..9]) == c.chars().nth(9);
        // Synthesised istituzione codes always carry a correct check character…
        for s in &t.schools {
            if !s.sedi.iter().any(|d| d.code == s.code) {
                assert!(check(&s.code), "{}", s.code);
            }
        }
        // …and the real plessi codes match the scheme outside its known exceptions.
        let all: Vec<&str> = t
            .schools
            .iter()
            .flat_map(|s| &s.sedi)
            .map(|d| d.code.as_str())
            .collect();
        let ok = all.iter().filter(|c| check(c)).count();
        assert!(ok >= 47_084, "{ok} of {}", all.len());
    }
}
