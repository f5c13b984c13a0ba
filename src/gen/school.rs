//! Builds one school's SIDI export: sedi, classes with their ministry codes,
//! pupils with valid codici fiscali, ages consistent with the anno di corso
//! and frequenze.

use super::rng::Rng;
use super::tables::{province_of, tables, ClassRow};
use crate::date::{days_in_month, Date};
use crate::model::{
    ClassKey, Classe, CodeKind, DeclaredCode, ExportForm, Frequenza, Header, Ordine, Origin, Pupil,
    Sede, SidiExport,
};
use crate::validate::cf;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// The school year the generator writes (2025/26).
pub const SCHOOL_YEAR_START: i32 = 2025;
pub const ANNO_SCOLASTICO: &str = "2025/26";
/// Extraction day of the generated exports (frequenze start before it).
pub const EXTRACTION_DAY: (u32, u32, u32) = (2026, 1, 20);

/// One plesso to generate.
#[derive(Clone, Debug)]
pub struct SedeSpec {
    pub code: String,
    pub ordine: Ordine,
    /// Belfiore code; `None`: a comune of the school's province is drawn.
    pub comune: Option<String>,
    /// Real pupil count, sizes synthesised classes.
    pub real_pupils: u32,
    /// Pupils to generate (at least 1).
    pub pupils: u32,
    /// Real classes (`None`: synthesised from the pupil count).
    pub classes: Option<Vec<ClassRow>>,
}

/// One istituzione to generate.
#[derive(Clone, Debug)]
pub struct SchoolSpec {
    pub code: String,
    pub sedi: Vec<SedeSpec>,
}

impl SchoolSpec {
    /// The spec of a real istituzione with its pupils scaled by `scale`
    /// (every plesso keeps at least one pupil).
    pub fn from_table(row: &super::tables::SchoolRow, scale: f64) -> SchoolSpec {
        let t = tables();
        SchoolSpec {
            code: row.code.clone(),
            sedi: row
                .sedi
                .iter()
                .map(|s| SedeSpec {
                    code: s.code.clone(),
                    ordine: s.ordine,
                    comune: s.comune.clone(),
                    real_pupils: s.pupils,
                    pupils: scaled(s.pupils, scale),
                    classes: t.classes_of(&s.code),
                })
                .collect(),
        }
    }
    pub fn pupils(&self) -> u64 {
        self.sedi.iter().map(|s| u64::from(s.pupils)).sum()
    }
}

/// `n * scale` rounded, at least 1.
pub fn scaled(n: u32, scale: f64) -> u32 {
    ((f64::from(n) * scale).round() as u32).max(1)
}

/// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
pub fn epoch_days(d: Date) -> i64 {
    let (y, m, dd) = (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn add_days(d: Date, n: i64) -> Date {
    Date::from_epoch_days(epoch_days(d) + n)
}

pub fn ymd(d: Date) -> u32 {
    d.year() * 10_000 + d.month() * 100 + d.day()
}

/// Positions (0-based) that omocodia may turn into letters.
pub const OMOCODIA_POS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Applies the omocodia substitutions selected by `mask` (bit i = position
/// `OMOCODIA_POS[i]`) to a personal code and recomputes the check character.
pub fn omocodia(code: &str, mask: u8) -> String {
    let mut b: Vec<u8> = code.as_bytes().to_vec();
    if b.len() != 16 {
        return code.to_string();
    }
    for (i, &p) in OMOCODIA_POS.iter().enumerate() {
        if mask & (1 << i) != 0 && b[p].is_ascii_digit() {
            b[p] = b"LMNPQRSTUV"[usize::from(b[p] - b'0')];
        }
    }
    b[15] = cf::check_char(&b[..15]);
    String::from_utf8(b).unwrap_or_else(|_| code.to_string())
}

/// A generated class with its ministry codes and ordine.
#[derive(Clone, Debug)]
struct GenClass {
    key: ClassKey,
    ordine: Ordine,
    tempo: (String, String),
    indirizzo: Option<(String, String)>,
}

fn sezione_name(i: usize) -> String {
    const L: &[u8] = b"ABCDEFGHILMNOPQRSTUVZ";
    if i < L.len() {
        char::from(L[i]).to_string()
    } else {
        let j = i - L.len();
        format!(
            "{}{}",
            char::from(L[(j / L.len()) % L.len()]),
            char::from(L[j % L.len()])
        )
    }
}

fn pick<'a>(rng: &mut Rng, opts: &[(&'a str, &'a str, u32)]) -> (String, String) {
    let total: u32 = opts.iter().map(|o| o.2).sum();
    let mut x = rng.below(u64::from(total)) as u32;
    for o in opts {
        if x < o.2 {
            return (o.0.to_string(), o.1.to_string());
        }
        x -= o.2;
    }
    (opts[0].0.to_string(), opts[0].1.to_string())
}

const SS_TEMPO: (&str, &str) = ("30", "ORARIO ORDINARIO");

fn default_indirizzo(sede: &str, rng: &mut Rng) -> (String, String) {
    let t = tables();
    let ty = sede.get(2..4).unwrap_or("");
    let fixed = match ty {
        "PS" => Some(("LI02", "LICEO SCIENTIFICO")),
        "PC" => Some(("LI01", "LICEO CLASSICO")),
        "PM" => Some(("LI11", "LICEO DELLE SCIENZE UMANE")),
        "PL" => Some(("LI04", "LICEO LINGUISTICO")),
        "PQ" => Some(("LI13", "LICEO MUSICALE E COREUTICO")),
        "SD" | "SL" => Some(("LI00", "LICEO ARTISTICO - BIENNIO COMUNE")),
        _ => None,
    };
    if let Some((c, w)) = fixed {
        return (c.to_string(), w.to_string());
    }
    let pool = t.indirizzi(if ty.starts_with('R') { "IP" } else { "IT" });
    if pool.is_empty() {
        return ("IT01".into(), "AMMINISTRAZIONE, FINANZA E MARKETING".into());
    }
    let w = &t.wordings[pool[rng.index(pool.len().min(40))]];
    (w.code.clone(), w.text.clone())
}

fn synth_classes(sede: &SedeSpec, rng: &mut Rng) -> Vec<GenClass> {
    let real = sede.real_pupils.max(sede.pupils).max(1) as f64;
    let (anni, size): (&[u8], f64) = match sede.ordine {
        Ordine::Infanzia => (&[0], 22.0),
        Ordine::Primaria => (&[1, 2, 3, 4, 5], 19.0),
        Ordine::SecondariaPrimo => (&[1, 2, 3], 21.0),
        Ordine::SecondariaSecondo => (&[1, 2, 3, 4, 5], 22.0),
    };
    let per_anno = ((real / (anni.len() as f64 * size)).round() as usize).clamp(1, 400);
    let ee_ord = pick(
        rng,
        &[
            ("11", "27 ORE SETTIMANALI", 3),
            ("11", "CORSO A ORARIO ORDINARIO", 1),
            ("11", "27/30 ORE TEMPO NORMALE", 1),
        ],
    );
    let mm_ord = pick(
        rng,
        &[
            ("20", "30 ORE SETTIMANALI", 2),
            ("20", "30 ORE DI ORARIO ORDINARIO", 2),
        ],
    );
    let indirizzo = default_indirizzo(&sede.code, rng);
    let mut out = Vec::new();
    for &anno in anni {
        for s in 0..per_anno {
            let tempo = match sede.ordine {
                Ordine::Infanzia => pick(
                    rng,
                    &[
                        ("02", "40 ORE SETTIMANALI", 85),
                        ("01", "25 ORE SETTIMANALI (ORARIO RIDOTTO)", 12),
                        ("03", "50 ORE SETTIMANALI", 3),
                    ],
                ),
                Ordine::Primaria => {
                    let x = rng.below(100);
                    if x < 50 {
                        ee_ord.clone()
                    } else if x < 85 {
                        ("13".into(), "40 ORE A TEMPO PIENO".into())
                    } else if x < 95 {
                        ("12".into(), "30 ORE SETTIMANALI".into())
                    } else {
                        ("10".into(), "24 ORE SETTIMANALI".into())
                    }
                }
                Ordine::SecondariaPrimo => {
                    let x = rng.below(100);
                    if x < 80 {
                        mm_ord.clone()
                    } else if x < 98 {
                        ("21".into(), "36 ORE A TEMPO PROLUNGATO".into())
                    } else {
                        ("22".into(), "40 ORE SETTIMANALI".into())
                    }
                }
                Ordine::SecondariaSecondo => (SS_TEMPO.0.into(), SS_TEMPO.1.into()),
            };
            out.push(GenClass {
                key: ClassKey::new(
                    &sede.code,
                    &if anno == 0 {
                        String::new()
                    } else {
                        anno.to_string()
                    },
                    &sezione_name(s),
                ),
                ordine: sede.ordine,
                tempo,
                indirizzo: (sede.ordine == Ordine::SecondariaSecondo).then(|| indirizzo.clone()),
            });
        }
    }
    out
}

fn real_classes(sede: &SedeSpec, rows: &[ClassRow]) -> Vec<GenClass> {
    let t = tables();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in rows {
        let key = ClassKey::new(&sede.code, &r.anno.to_string(), &r.sezione);
        if !seen.insert(key.clone()) {
            continue;
        }
        let w = &t.wordings[usize::from(r.wording)];
        let (tempo, indirizzo) = match w.kind {
            CodeKind::TempoScuola => ((w.code.clone(), w.text.clone()), None),
            CodeKind::Indirizzo => (
                (SS_TEMPO.0.to_string(), SS_TEMPO.1.to_string()),
                Some((w.code.clone(), w.text.clone())),
            ),
        };
        out.push(GenClass {
            key,
            ordine: w.ordine,
            tempo,
            indirizzo,
        });
    }
    out
}

/// What the pupil generator needs to know about the person to make.
struct PersonCtx<'a> {
    ordine: Ordine,
    anno: u8,
    province: &'a str,
}

/// Draws a pupil's personal data (no ids, no frequenze).
struct Person {
    cognome: String,
    nome: String,
    sesso: char,
    birth: Date,
    luogo: String,
    cittadinanza: String,
    foreign_born: bool,
}

fn random_date_in_year(rng: &mut Rng, year: i32, months: std::ops::RangeInclusive<u32>) -> Date {
    let m = rng.range(i64::from(*months.start()), i64::from(*months.end())) as u32;
    let d = rng.range(1, i64::from(days_in_month(year as u32, m))) as u32;
    Date::new(year as u32, m, d).unwrap_or_else(|| Date::new(year as u32, 1, 1).expect("date"))
}

/// Birth date consistent with the anno di corso of the 2025/26 school year:
/// mostly the nominal year, a few anticipatari (born January-April of the
/// following year) and ripetenti (one or two years older).
pub fn birth_date(rng: &mut Rng, ordine: Ordine, anno: u8) -> Date {
    if ordine == Ordine::Infanzia || anno == 0 {
        if rng.chance(0.03) {
            return random_date_in_year(rng, SCHOOL_YEAR_START - 2, 1..=4);
        }
        let y = SCHOOL_YEAR_START - rng.range(3, 5) as i32;
        return random_date_in_year(rng, y, 1..=12);
    }
    let nominal = SCHOOL_YEAR_START - ordine.first_year_age() - (i32::from(anno) - 1);
    let (antic, rip) = match ordine {
        Ordine::Primaria => (if anno == 1 { 0.03 } else { 0.015 }, 0.01),
        Ordine::SecondariaPrimo => (0.015, 0.03),
        _ => (0.01, 0.07),
    };
    let x = rng.unit();
    if x < antic {
        random_date_in_year(rng, nominal + 1, 1..=4)
    } else if x < antic + rip {
        let back = if ordine == Ordine::SecondariaSecondo && anno > 2 && rng.chance(0.2) {
            2
        } else {
            1
        };
        random_date_in_year(rng, nominal - back, 1..=12)
    } else {
        random_date_in_year(rng, nominal, 1..=12)
    }
}

fn person(rng: &mut Rng, ctx: &PersonCtx<'_>) -> Person {
    let t = tables();
    let sesso = if rng.chance(0.515) { 'M' } else { 'F' };
    let nome = if sesso == 'M' {
        t.names_m.pick(rng)
    } else {
        t.names_f.pick(rng)
    }
    .to_string();
    let cognome = t.surnames.pick(rng).to_string();
    let birth = birth_date(rng, ctx.ordine, ctx.anno);
    let day = ymd(birth);
    let x = rng.unit();
    let (luogo, cittadinanza, foreign_born) = if x < 0.045 {
        let z = t.countries.pick(rng).to_string();
        let citt = if rng.chance(0.85) {
            z.clone()
        } else {
            "Z000".to_string()
        };
        (z, citt, true)
    } else {
        let luogo = if x < 0.88 {
            t.comune_on(Some(ctx.province), day, rng)
        } else {
            t.comune_on(None, day, rng)
        }
        .to_string();
        let citt = if rng.chance(0.07) {
            t.countries.pick(rng).to_string()
        } else {
            "Z000".to_string()
        };
        (luogo, citt, false)
    };
    Person {
        cognome,
        nome,
        sesso,
        birth,
        luogo,
        cittadinanza,
        foreign_born,
    }
}

/// Uniqueness bookkeeping of one school: codici fiscali, SIDI ids and
/// (cognome, nome, data di nascita) triples, so that every drift is
/// unambiguous (no accidental `cf_mismatch` candidates).
#[derive(Default)]
pub struct Registry {
    pub cfs: HashSet<String>,
    pub ids: HashSet<String>,
    pub people: HashSet<(String, String, Date)>,
}

impl Registry {
    pub fn new_id(&mut self, rng: &mut Rng) -> String {
        loop {
            let id = rng.range(1_000_000_000, 9_999_999_999).to_string();
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// A valid personal code for the person, unique in the school: a
    /// collision gets omocodia letters from the right, as Agenzia delle
    /// Entrate does; a few codes get a random omocodia subset anyway.
    fn unique_cf(&mut self, rng: &mut Rng, p: &Person) -> Option<String> {
        let base = cf::encode(&p.cognome, &p.nome, p.birth, p.sesso, &p.luogo);
        let mut candidates = vec![base.clone()];
        if rng.chance(0.002) {
            candidates.insert(0, omocodia(&base, 1 + rng.below(127) as u8));
        }
        candidates.extend((0..7).map(|k| omocodia(&base, (0x7Fu8 << (6 - k)) & 0x7F)));
        let code = candidates.into_iter().find(|c| !self.cfs.contains(c))?;
        self.cfs.insert(code.clone());
        Some(code)
    }

    /// Draws a new person unique in the school, with a valid personal code.
    fn draw(&mut self, rng: &mut Rng, ctx: &PersonCtx<'_>) -> (Person, String) {
        loop {
            let p = person(rng, ctx);
            let key = (p.cognome.clone(), p.nome.clone(), p.birth);
            if self.people.contains(&key) {
                continue;
            }
            if let Some(code) = self.unique_cf(rng, &p) {
                self.people.insert(key);
                return (p, code);
            }
        }
    }
}

/// A pupil made by [`new_pupil`]: the model record.
pub fn new_pupil(
    rng: &mut Rng,
    reg: &mut Registry,
    origin: &Origin,
    ordine: Ordine,
    anno: u8,
    province: &str,
) -> Pupil {
    let ctx = PersonCtx {
        ordine,
        anno,
        province,
    };
    let (p, code) = reg.draw(rng, &ctx);
    let stato = if p.foreign_born {
        pick(rng, &[("V", "", 70), ("N", "", 20), ("P", "", 10)]).0
    } else if rng.chance(0.015) {
        "N".to_string()
    } else {
        "V".to_string()
    };
    let id_sidi = reg.new_id(rng);
    Pupil {
        id_sidi: id_sidi.into(),
        codice_fiscale: code.into(),
        stato_cf: stato.into(),
        cognome: p.cognome.into(),
        nome: p.nome.into(),
        sesso: p.sesso.to_string().into(),
        data_nascita_raw: p.birth.to_string().into(),
        data_nascita: Some(p.birth),
        luogo_nascita: p.luogo.into(),
        cittadinanza: p.cittadinanza.into(),
        frequenze: Vec::new(),
        origin: origin.clone(),
    }
}

/// Sede name made up from the ordine and a street (registries of state
/// schools do not carry names in the open data used here).
fn denominazione(ordine: Ordine, rng: &mut Rng) -> String {
    const STREETS: &[&str] = &[
        "VIA ROMA",
        "VIA GARIBALDI",
        "VIA MAZZINI",
        "VIA DANTE ALIGHIERI",
        "PIAZZA DELLA REPUBBLICA",
        "VIA MARCONI",
        "VIA DELLE SCUOLE",
        "VIA XX SETTEMBRE",
        "VIA DON MILANI",
        "VIA GRAMSCI",
        "VIALE EUROPA",
        "VIA SAN FRANCESCO D'ASSISI",
        "VIA MONTESSORI",
        "LARGO CADUTI DI NASSIRIYA",
    ];
    let kind = match ordine {
        Ordine::Infanzia => "SCUOLA DELL'INFANZIA",
        Ordine::Primaria => "SCUOLA PRIMARIA",
        Ordine::SecondariaPrimo => "SCUOLA SECONDARIA DI I GRADO",
        Ordine::SecondariaSecondo => "ISTITUTO DI ISTRUZIONE SECONDARIA SUPERIORE",
    };
    format!("{kind} {}", STREETS[rng.index(STREETS.len())])
}

/// Builds the full SIDI export of a school.
pub fn build_export(spec: &SchoolSpec, rng: &mut Rng, reg: &mut Registry) -> SidiExport {
    let t = tables();
    let file: Arc<str> = Arc::from(format!("gen:{}", spec.code));
    let origin = Origin::new(&file, 0, 0);
    let province = province_of(&spec.code).to_string();
    let start = Date::new(2025, 9, rng.range(8, 16) as u32).expect("september date");
    let extraction =
        Date::new(EXTRACTION_DAY.0, EXTRACTION_DAY.1, EXTRACTION_DAY.2).expect("extraction date");
    let max_dal = epoch_days(extraction) - 5;

    let mut sedi = Vec::new();
    let mut classes: Vec<GenClass> = Vec::new();
    let mut per_sede_classes: Vec<std::ops::Range<usize>> = Vec::new();
    // Plessi of one istituzione are mostly in the same comune.
    let home = t.comune_on(Some(&province), 20_250_901, rng).to_string();
    for s in &spec.sedi {
        let comune = match &s.comune {
            Some(c) => c.clone(),
            None if rng.chance(0.75) => home.clone(),
            None => t.comune_on(Some(&province), 20_250_901, rng).to_string(),
        };
        sedi.push(Sede {
            codice: s.code.clone(),
            ordine: s.ordine.code().to_string(),
            comune,
            denominazione: denominazione(s.ordine, rng),
            origin: origin.clone(),
        });
        let first = classes.len();
        let mut cl = match &s.classes {
            Some(rows) => real_classes(s, rows),
            None => synth_classes(s, rng),
        };
        if cl.is_empty() {
            cl = synth_classes(s, rng);
        }
        classes.extend(cl);
        per_sede_classes.push(first..classes.len());
    }

    // Codifiche: each code once, with the wording of its first class.
    let mut codes: BTreeMap<(u8, String), DeclaredCode> = BTreeMap::new();
    for c in &classes {
        let mut declare = |kind: CodeKind, code: &str, text: &str| {
            codes
                .entry((kind as u8, code.to_string()))
                .or_insert_with(|| DeclaredCode {
                    kind,
                    codice: code.to_string(),
                    ordine: c.ordine.code().to_string(),
                    descrizione: text.to_string(),
                    origin: origin.clone(),
                });
        };
        declare(CodeKind::TempoScuola, &c.tempo.0, &c.tempo.1);
        if let Some((code, text)) = &c.indirizzo {
            declare(CodeKind::Indirizzo, code, text);
        }
    }

    // Pupils, class by class.
    let mut pupils = Vec::new();
    for (s, range) in spec.sedi.iter().zip(&per_sede_classes) {
        let k = range.len();
        let n = s.pupils as usize;
        let mut order: Vec<usize> = range.clone().collect();
        rng.shuffle(&mut order);
        let mut counts = vec![0usize; k];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = n / k + usize::from(i < n % k);
        }
        for (ci, cnt) in order.iter().zip(counts) {
            let class = &classes[*ci];
            let anno = class.key.anno_num().unwrap_or(0);
            for _ in 0..cnt {
                let mut p = new_pupil(rng, reg, &origin, class.ordine, anno, &province);
                let mut dal = start;
                if rng.chance(0.02) {
                    dal = add_days(start, rng.range(10, 110)).min(Date::from_epoch_days(max_dal));
                }
                // A few pupils changed class during the year: the old
                // frequenza is TRASFERITO, the current one FREQUENTANTE.
                let siblings: Vec<usize> = range
                    .clone()
                    .filter(|&j| j != *ci && classes[j].key.anno == class.key.anno)
                    .collect();
                if !siblings.is_empty() && rng.chance(0.015) {
                    let old = &classes[siblings[rng.index(siblings.len())]];
                    let moved =
                        add_days(dal, rng.range(20, 100)).min(Date::from_epoch_days(max_dal));
                    p.frequenze.push(Frequenza {
                        class: old.key.clone(),
                        dal_raw: dal.to_string().into(),
                        dal: Some(dal),
                        stato: "TRASFERITO".into(),
                        origin: origin.clone(),
                    });
                    dal = moved;
                }
                p.frequenze.push(Frequenza {
                    class: class.key.clone(),
                    dal_raw: dal.to_string().into(),
                    dal: Some(dal),
                    stato: "FREQUENTANTE".into(),
                    origin: origin.clone(),
                });
                pupils.push(p);
            }
        }
    }
    pupils.sort_by(|a, b| {
        let ka = &a.frequenze.last().expect("frequenza").class;
        let kb = &b.frequenze.last().expect("frequenza").class;
        (ka, &a.cognome, &a.nome, &a.codice_fiscale).cmp(&(
            kb,
            &b.cognome,
            &b.nome,
            &b.codice_fiscale,
        ))
    });

    let minute = rng.range(0, 59);
    SidiExport {
        header: Header {
            codice_scuola: spec.code.clone(),
            anno_scolastico: ANNO_SCOLASTICO.to_string(),
            data_estrazione: format!("{extraction}T09:{minute:02}:00"),
            origin: Some(origin.clone()),
        },
        codes: codes.into_values().collect(),
        sedi,
        classes: classes
            .into_iter()
            .map(|c| Classe {
                key: c.key,
                tempo_scuola: c.tempo.0.into(),
                indirizzo: c.indirizzo.map(|i| i.0).unwrap_or_default().into(),
                origin: origin.clone(),
            })
            .collect(),
        pupils,
        form: ExportForm::Xml,
        sources: Vec::new(),
    }
}
