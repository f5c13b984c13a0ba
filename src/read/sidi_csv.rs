//! The CSV form of the SIDI export: `codifiche.csv`, `sedi.csv`,
//! `classi.csv` and `alunni.csv` (only `alunni.csv` is mandatory).
//!
//! Files are header-driven: columns are found by name (after the profile's
//! renames, case-insensitive, any order; extra columns are ignored). Every
//! column listed in `schemas/sidi-csv.md` for a file is mandatory in that
//! file ([`Error::MissingColumn`]). Quoted fields may hold the delimiter and
//! doubled quotes; CRLF and LF both end lines.
//!
//! Encoding: an override (`--encoding`, else the profile) wins; otherwise a
//! UTF-8 BOM means UTF-8, valid UTF-8 means UTF-8 and anything else is
//! windows-1252. Detection is lazy (fields are decoded as they come); if a
//! file turns out not to be UTF-8 after non-ASCII UTF-8 was already seen, it
//! is read again as windows-1252, so the rule holds for the whole file.
//!
//! Rows are strict: a row with another number of fields than the header is
//! an error naming its line (a `;` typed inside an unquoted name would shift
//! every later column otherwise); so are NUL bytes, fields longer than the
//! limit and quoted values spanning lines (an unbalanced quote). Lines whose
//! fields are all empty are skipped.
//!
//! `alunni.csv` has one row per pupil and frequenza: rows with the same
//! `ID_ALUNNO_SIDI` (or, when it is empty, the same codice fiscale) make one
//! pupil, in first-seen order, whether or not they are adjacent.

use super::source::{fault_of, Member, Store, Tracked};
use super::{check_class, check_pupil, date_format_label, ReadOptions, RecordNames, SidiRead};
use crate::error::{Error, Message, Result};
use crate::findings::{Finding, FindingCode};
use crate::model::{
    ClassKey, Classe, CodeKind, DeclaredCode, Frequenza, Header, Origin, Pupil, Sede, SourceFile,
};
use crate::read::profile::EncodingChoice;
use crate::read::source::CsvKind;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

/// The columns of each file, by default name, in FORMATS.md order. All are mandatory.
pub fn columns(kind: CsvKind) -> &'static [&'static str] {
    match kind {
        CsvKind::Codifiche => &["TIPO", "CODICE", "ORDINE", "DESCRIZIONE"],
        CsvKind::Sedi => &["CODICE_SEDE", "ORDINE", "CODICE_COMUNE", "DENOMINAZIONE"],
        CsvKind::Classi => &[
            "CODICE_SEDE",
            "ANNO_CORSO",
            "SEZIONE",
            "CODICE_TEMPO_SCUOLA",
            "CODICE_INDIRIZZO",
        ],
        CsvKind::Alunni => &ALUNNI,
    }
}

const ALUNNI: [&str; 16] = [
    "CODICE_SCUOLA",
    "ANNO_SCOLASTICO",
    "ID_ALUNNO_SIDI",
    "CODICE_FISCALE",
    "STATO_CF",
    "COGNOME",
    "NOME",
    "SESSO",
    "DATA_NASCITA",
    "LUOGO_NASCITA",
    "CITTADINANZA",
    "CODICE_SEDE",
    "ANNO_CORSO",
    "SEZIONE",
    "DATA_INIZIO",
    "STATO_FREQUENZA",
];

// Indexes into ALUNNI.
const A_SCUOLA: usize = 0;
const A_ANNO_SC: usize = 1;
const A_ID: usize = 2;
const A_CF: usize = 3;
const A_STATO_CF: usize = 4;
const A_COGNOME: usize = 5;
const A_NOME: usize = 6;
const A_SESSO: usize = 7;
const A_NASCITA: usize = 8;
const A_LUOGO: usize = 9;
const A_CITT: usize = 10;
const A_SEDE: usize = 11;
const A_ANNO: usize = 12;
const A_SEZIONE: usize = 13;
const A_DAL: usize = 14;
const A_STATO: usize = 15;

/// Signals that a file must be read again as windows-1252.
struct Restart;

enum Dec {
    /// Auto-detection, UTF-8 so far; `seen` when non-ASCII UTF-8 was decoded.
    Tentative {
        seen: bool,
    },
    Fixed(&'static Encoding),
}

impl Dec {
    fn new(choice: EncodingChoice) -> Dec {
        match choice {
            EncodingChoice::Fixed(e) => Dec::Fixed(e),
            // A BOM announces UTF-8 but only valid bytes prove it: the
            // tentative decoder falls back to windows-1252 (the BOM is
            // removed either way) rather than lose letters to U+FFFD.
            EncodingChoice::Auto => Dec::Tentative { seen: false },
        }
    }

    #[inline]
    fn decode(&mut self, b: &[u8]) -> std::result::Result<String, Restart> {
        if b.is_ascii() {
            // ASCII is the same in every supported encoding.
            return Ok(std::str::from_utf8(b).unwrap_or_default().to_string());
        }
        match self {
            Dec::Fixed(e) if *e == UTF_8 => Ok(String::from_utf8_lossy(b).into_owned()),
            Dec::Fixed(e) => Ok(e.decode_without_bom_handling(b).0.into_owned()),
            Dec::Tentative { seen } => match std::str::from_utf8(b) {
                Ok(s) => {
                    *seen = true;
                    Ok(s.to_string())
                }
                Err(_) if !*seen => {
                    *self = Dec::Fixed(WINDOWS_1252);
                    self.decode(b)
                }
                Err(_) => Err(Restart),
            },
        }
    }
}

/// One open CSV file, header read and columns located.
struct CsvFile<'s> {
    rdr: csv::Reader<Tracked<Box<dyn Read + 's>>>,
    file: Arc<str>,
    /// Column index in the file of each default column of the kind.
    idx: Vec<usize>,
    /// The names of the columns in the file (profile renames applied).
    names: Vec<String>,
    width: usize,
    dec: Dec,
    rec: csv::ByteRecord,
    max_field: usize,
}

impl<'s> CsvFile<'s> {
    fn open(
        store: &'s mut Store,
        kind: CsvKind,
        m: &Member,
        opts: &ReadOptions,
        choice: EncodingChoice,
        hash: bool,
    ) -> Result<CsvFile<'s>> {
        let r = store.open(m.index, &m.name)?;
        let mut t = Tracked::new(r, hash);
        t.set_line_limit(opts.limits.csv_max_line);
        let rdr = csv::ReaderBuilder::new()
            .delimiter(opts.profile.sidi_csv.delimiter)
            .has_headers(false)
            .flexible(true)
            // `\n` ends a record (a `\r` before it is trimmed with the value):
            // csv's CRLF handling would date CRLF records one line early.
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(t);
        let mut f = CsvFile {
            rdr,
            file: Arc::clone(&m.name),
            idx: Vec::new(),
            names: Vec::new(),
            width: 0,
            dec: Dec::new(choice),
            rec: csv::ByteRecord::new(),
            max_field: opts.limits.max_field_len,
        };
        if !f.next()? {
            return Err(Error::Empty {
                file: m.name.to_string(),
            });
        }
        let mut header = Vec::with_capacity(f.rec.len());
        for (i, b) in f.rec.iter().enumerate() {
            let b = if i == 0 {
                b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
            } else {
                b
            };
            let s = f
                .dec
                .decode(b)
                .unwrap_or_else(|_| String::from_utf8_lossy(b).into_owned());
            header.push(s.trim().trim_matches('"').trim().to_uppercase());
        }
        f.width = header.len();
        for default in columns(kind) {
            let want = opts.profile.sidi_csv.column(default).trim().to_string();
            let up = want.to_uppercase();
            match header.iter().position(|h| *h == up) {
                Some(i) => f.idx.push(i),
                None => {
                    return Err(Error::MissingColumn {
                        file: m.name.to_string(),
                        column: want,
                    })
                }
            }
            f.names.push(want);
        }
        Ok(f)
    }

    fn line(&self) -> u32 {
        self.rec
            .position()
            .map(|p| p.line() as u32)
            .unwrap_or_else(|| self.rdr.position().line() as u32)
    }

    fn err(&self, line: u32, message: impl Into<Message>) -> Error {
        Error::csv(&*self.file, line, message)
    }

    /// Reads the next non-blank record; `false` at end of file.
    fn next(&mut self) -> Result<bool> {
        loop {
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(false) => return Ok(false),
                Ok(true) => {}
                Err(e) => {
                    let line = e
                        .position()
                        .map(|p| p.line() as u32)
                        .unwrap_or_else(|| self.rdr.position().line() as u32);
                    let msg = match e.kind() {
                        csv::ErrorKind::Io(io) => match fault_of(io) {
                            Some(f) => f.message(),
                            None => Message::raw(io.to_string()),
                        },
                        _ => Message::raw(e.to_string()),
                    };
                    return Err(self.err(line, msg));
                }
            }
            if self
                .rec
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            if self.width > 0 && self.rec.len() != self.width {
                return Err(self.err(
                    self.line(),
                    Message::new(
                        format!(
                            "la riga ha {} campi ma l'intestazione ne ha {} (un separatore dentro un valore senza virgolette, o uno mancante?)",
                            self.rec.len(),
                            self.width
                        ),
                        format!(
                            "the row has {} fields but the header has {} (a delimiter inside an unquoted value, or a missing one?)",
                            self.rec.len(),
                            self.width
                        ),
                    ),
                ));
            }
            let last = self.rec.len().saturating_sub(1);
            for (i, f) in self.rec.iter().enumerate() {
                let f = if i == last {
                    f.strip_suffix(b"\r").unwrap_or(f)
                } else {
                    f
                };
                if f.len() > self.max_field {
                    return Err(self.err(self.line(), Message::field_too_long(self.max_field)));
                }
                if f.contains(&0) {
                    return Err(self.err(self.line(), Message::nul_in_field()));
                }
                if f.iter().any(|&b| b == b'\n' || b == b'\r') {
                    return Err(self.err(
                        self.line(),
                        Message::new(
                            "un valore tra virgolette occupa più righe (virgolette non chiuse?)",
                            "a quoted value spans several lines (unbalanced quote?)",
                        ),
                    ));
                }
            }
            return Ok(true);
        }
    }

    /// Field `i` (index into the kind's columns), decoded and trimmed.
    fn get(&mut self, i: usize) -> std::result::Result<String, Restart> {
        let b = self.rec.get(self.idx[i]).unwrap_or_default();
        let s = self.dec.decode(b)?;
        let t = s.trim();
        Ok(if t.len() == s.len() { s } else { t.to_string() })
    }

    fn finish(self, name: &str) -> Result<Option<SourceFile>> {
        let mut t = self.rdr.into_inner();
        t.drain().map_err(|e| Error::io(name, e))?;
        Ok(t.source_file(name))
    }
}

/// What one CSV file contributes.
#[derive(Default)]
struct Part {
    header: Option<Header>,
    codes: Vec<DeclaredCode>,
    sedi: Vec<Sede>,
    classes: Vec<Classe>,
    pupils: Vec<Pupil>,
    findings: Vec<Finding>,
}

/// Reads one CSV file of the export into `out`.
pub fn read(
    store: &mut Store,
    kind: CsvKind,
    m: &Member,
    opts: &ReadOptions,
    out: &mut SidiRead,
) -> Result<Option<SourceFile>> {
    let hash = store.hash_members();
    let mut choice = opts.csv_encoding();
    loop {
        let mut f = CsvFile::open(store, kind, m, opts, choice, hash)?;
        let mut part = Part::default();
        match read_rows(&mut f, kind, opts, &mut part)? {
            Ok(()) => {
                let src = f.finish(&m.name)?;
                let e = &mut out.export;
                if let Some(h) = part.header {
                    e.header = h;
                }
                e.codes.extend(part.codes);
                e.sedi.extend(part.sedi);
                e.classes.extend(part.classes);
                e.pupils.extend(part.pupils);
                out.findings.extend(part.findings);
                return Ok(src);
            }
            Err(Restart) => choice = EncodingChoice::Fixed(WINDOWS_1252),
        }
    }
}

/// `CODICE_SCUOLA` of the first row of `alunni.csv`.
pub fn peek_school_code(store: &mut Store, m: &Member, opts: &ReadOptions) -> Result<String> {
    let mut f = CsvFile::open(store, CsvKind::Alunni, m, opts, opts.csv_encoding(), false)?;
    if !f.next()? {
        return Err(Error::csv(
            &*m.name,
            0,
            Message::new(
                "nessuna riga: il codice della scuola non è noto",
                "no rows: the school code is unknown",
            ),
        ));
    }
    let code = f.get(A_SCUOLA).unwrap_or_default();
    if code.is_empty() {
        return Err(Error::input(
            &*f.file,
            f.line(),
            Message::column_empty(&f.names[A_SCUOLA]),
        ));
    }
    Ok(code)
}

type RowsResult = Result<std::result::Result<(), Restart>>;

fn read_rows(f: &mut CsvFile, kind: CsvKind, opts: &ReadOptions, part: &mut Part) -> RowsResult {
    let date_fmt = &opts.profile.sidi_csv.date_format;
    let date_label = date_format_label(date_fmt);
    let mut groups: HashMap<String, usize> = HashMap::new();
    // First-seen CODICE_SCUOLA / ANNO_SCOLASTICO inconsistencies are reported once each.
    let mut header_warned = [false; 2];
    macro_rules! get {
        ($i:expr) => {
            match f.get($i) {
                Ok(v) => v,
                Err(r) => return Ok(Err(r)),
            }
        };
    }
    while f.next()? {
        let origin = Origin::new(&f.file, f.line(), 0);
        match kind {
            CsvKind::Codifiche => {
                let tipo = get!(0);
                let codice = get!(1);
                let ordine = get!(2);
                let descrizione = get!(3);
                let Some(k) = CodeKind::from_tipo(&tipo) else {
                    part.findings.push(
                        Finding::new(FindingCode::CodeKindInvalid, Some(origin))
                            .record(codice)
                            .field(f.names[0].clone())
                            .value(tipo),
                    );
                    continue;
                };
                if codice.is_empty() {
                    part.findings.push(
                        Finding::new(FindingCode::RequiredMissing, Some(origin.clone()))
                            .field(f.names[1].clone()),
                    );
                }
                part.codes.push(DeclaredCode {
                    kind: k,
                    codice,
                    ordine,
                    descrizione,
                    origin,
                });
            }
            CsvKind::Sedi => {
                let s = Sede {
                    codice: get!(0),
                    ordine: get!(1),
                    comune: get!(2),
                    denominazione: get!(3),
                    origin,
                };
                if s.codice.is_empty() {
                    part.findings.push(
                        Finding::new(FindingCode::RequiredMissing, Some(s.origin.clone()))
                            .field(f.names[0].clone()),
                    );
                }
                part.sedi.push(s);
            }
            CsvKind::Classi => {
                let (sede, anno, sezione) = (get!(0), get!(1), get!(2));
                let c = Classe {
                    key: ClassKey::new(&sede, &anno, &sezione),
                    tempo_scuola: get!(3).into(),
                    indirizzo: get!(4).into(),
                    origin,
                };
                check_class(&c, &f.names[0], &f.names[2], &mut part.findings);
                part.classes.push(c);
            }
            CsvKind::Alunni => {
                let scuola = get!(A_SCUOLA);
                let anno_sc = get!(A_ANNO_SC);
                match &part.header {
                    None => {
                        part.header = Some(Header {
                            codice_scuola: scuola,
                            anno_scolastico: anno_sc,
                            data_estrazione: String::new(),
                            origin: Some(origin.clone()),
                        })
                    }
                    Some(h) => {
                        for (i, (v, kept, col)) in [
                            (scuola, &h.codice_scuola, A_SCUOLA),
                            (anno_sc, &h.anno_scolastico, A_ANNO_SC),
                        ]
                        .into_iter()
                        .enumerate()
                        {
                            if !header_warned[i] && v != *kept {
                                header_warned[i] = true;
                                part.findings.push(
                                    Finding::new(
                                        FindingCode::HeaderInconsistent,
                                        Some(origin.clone()),
                                    )
                                    .field(f.names[col].clone())
                                    .value(v)
                                    .expected(kept.clone()),
                                );
                            }
                        }
                    }
                }
                let (sede, anno, sezione) = (get!(A_SEDE), get!(A_ANNO), get!(A_SEZIONE));
                let dal_raw = get!(A_DAL);
                let fr = Frequenza {
                    class: ClassKey::new(&sede, &anno, &sezione),
                    dal: if dal_raw.is_empty() {
                        None
                    } else {
                        date_fmt.parse(&dal_raw)
                    },
                    dal_raw: dal_raw.into(),
                    stato: get!(A_STATO).into(),
                    origin: origin.clone(),
                };
                let id = get!(A_ID);
                let cf = get!(A_CF);
                let key = if !id.is_empty() {
                    Some(format!("I{id}"))
                } else if !cf.is_empty() {
                    Some(format!("C{}", cf.to_ascii_uppercase()))
                } else {
                    None
                };
                let nascita = get!(A_NASCITA);
                let row = Pupil {
                    id_sidi: id.into(),
                    codice_fiscale: cf.into(),
                    stato_cf: get!(A_STATO_CF).into(),
                    cognome: get!(A_COGNOME).into(),
                    nome: get!(A_NOME).into(),
                    sesso: get!(A_SESSO).into(),
                    data_nascita: if nascita.is_empty() {
                        None
                    } else {
                        date_fmt.parse(&nascita)
                    },
                    data_nascita_raw: nascita.into(),
                    luogo_nascita: get!(A_LUOGO).into(),
                    cittadinanza: get!(A_CITT).into(),
                    frequenze: Vec::new(),
                    origin,
                };
                let existing = key.as_ref().and_then(|k| groups.get(k)).copied();
                match existing {
                    Some(i) => {
                        let p = &mut part.pupils[i];
                        for (a, b, col) in [
                            (&p.codice_fiscale, &row.codice_fiscale, A_CF),
                            (&p.stato_cf, &row.stato_cf, A_STATO_CF),
                            (&p.cognome, &row.cognome, A_COGNOME),
                            (&p.nome, &row.nome, A_NOME),
                            (&p.sesso, &row.sesso, A_SESSO),
                            (&p.data_nascita_raw, &row.data_nascita_raw, A_NASCITA),
                            (&p.luogo_nascita, &row.luogo_nascita, A_LUOGO),
                            (&p.cittadinanza, &row.cittadinanza, A_CITT),
                        ] {
                            if a != b {
                                part.findings.push(
                                    Finding::new(
                                        FindingCode::RowConflict,
                                        Some(row.origin.clone()),
                                    )
                                    .record(p.identity())
                                    .field(f.names[col].clone())
                                    .value(b.clone())
                                    .expected(a.clone()),
                                );
                            }
                        }
                        p.add_frequenza(fr);
                    }
                    None => {
                        let mut p = row;
                        p.add_frequenza(fr);
                        if let Some(k) = key {
                            groups.insert(k, part.pupils.len());
                        }
                        part.pupils.push(p);
                    }
                }
            }
        }
    }
    if kind == CsvKind::Alunni {
        let n = &f.names;
        let names = RecordNames {
            codice_fiscale: &n[A_CF],
            cognome: &n[A_COGNOME],
            nome: &n[A_NOME],
            sesso: &n[A_SESSO],
            data_nascita: &n[A_NASCITA],
            luogo_nascita: &n[A_LUOGO],
            cittadinanza: &n[A_CITT],
            frequenza: &n[A_SEDE],
            sede: &n[A_SEDE],
            sezione: &n[A_SEZIONE],
            dal: &n[A_DAL],
            stato: &n[A_STATO],
            date_format: &date_label,
        };
        let mut pf = Vec::new();
        for p in &part.pupils {
            check_pupil(p, &names, &mut pf);
        }
        if let Some(h) = &part.header {
            if h.codice_scuola.is_empty() {
                part.findings.push(
                    Finding::new(FindingCode::RequiredMissing, h.origin.clone())
                        .field(n[A_SCUOLA].clone()),
                );
            }
        }
        part.findings.extend(pf);
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read_sidi_bytes, ReadOptions};

    const HEAD: &str = "CODICE_SCUOLA;ANNO_SCOLASTICO;ID_ALUNNO_SIDI;CODICE_FISCALE;STATO_CF;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;DATA_INIZIO;STATO_FREQUENZA";

    fn read(bytes: &[u8]) -> Result<SidiRead> {
        read_sidi_bytes("alunni.csv", bytes, &ReadOptions::default())
    }

    #[test]
    fn groups_rows_into_pupils() {
        let csv = format!(
            "{HEAD}\r\n\
             RMIC8A1005;2025/26;1;RSSMRA14E52H501X;V;ROSSI;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;1;A;15/09/2025;TRASFERITO\r\n\
             RMIC8A1005;2025/26;;BNCLCU14A01H501X;V;BIANCHI;LUCA;M;01/01/2014;H501;Z000;RMEE8A1016;1;A;15/09/2025;FREQUENTANTE\r\n\
             ;;;;;;;;;;;;;;;\r\n\
             RMIC8A1005;2025/26;1;RSSMRA14E52H501X;V;ROSSI;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;1;B;01/10/2025;FREQUENTANTE\r\n\
             RMIC8A1005;2025/26;;bnclcu14a01h501x;V;BIANCHI;LUCA;M;01/01/2014;H501;Z000;RMEE8A1016;2;A;01/10/2025;FREQUENTANTE\r\n"
        );
        let r = read(csv.as_bytes()).unwrap();
        let p = &r.export.pupils;
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].frequenze.len(), 2);
        assert_eq!(p[0].current_frequenza().unwrap().class.sezione, "B");
        assert_eq!(p[1].frequenze.len(), 2);
        let lines: Vec<u32> = p
            .iter()
            .flat_map(|p| p.frequenze.iter().map(|f| f.origin.line))
            .collect();
        assert_eq!(lines, vec![2, 5, 3, 6]);
        assert_eq!(r.export.header.codice_scuola, "RMIC8A1005");
        assert_eq!(r.export.header.data_estrazione, "");
        // Same pupil, CF written in lower case on one row: a conflict on CODICE_FISCALE.
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].code, FindingCode::RowConflict);
    }

    #[test]
    fn windows_1252_and_quotes() {
        let body = format!(
            "{HEAD}\n\"RMIC8A1005\";2025/26;7;CF1;V;\"D'AMICO; DELL'ORTO\";NICOL\u{d2};F;12/05/2014;H501;Z000;S;1;A;;FREQUENTANTE\n\
             RMIC8A1005;2025/26;8;CF2;V;\"ZO\u{c8} \"\"X\"\"\";ZO\u{c8};F;12/05/2014;H501;Z000;S;1;A;;FREQUENTANTE\n"
        );
        let (bytes, _, _) = WINDOWS_1252.encode(&body);
        let r = read(&bytes).unwrap();
        assert_eq!(r.export.pupils[0].cognome, "D'AMICO; DELL'ORTO");
        assert_eq!(r.export.pupils[0].nome, "NICOLÒ");
        assert_eq!(r.export.pupils[1].cognome, "ZOÈ \"X\"");
        // UTF-8 early, invalid later: read again as windows-1252 from the start.
        let mut mixed =
            format!("{HEAD}\nX;Y;1;CF1;V;\u{c3}\u{a9};N;F;;H;Z;S;1;A;;F\n").into_bytes();
        // "Ã©" encoded as UTF-8 (valid), then a windows-1252 Ò later
        mixed.extend_from_slice(b"X;Y;2;CF2;V;NICOL\xD2;N;F;;H;Z;S;1;A;;F\n");
        let r = read(&mixed).unwrap();
        assert_eq!(r.export.pupils[0].cognome, "ÃƒÂ©");
        assert_eq!(r.export.pupils[1].cognome, "NICOLÒ");
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = read(format!("{HEAD}\nA;B;C\n").as_bytes()).unwrap_err();
        assert!(matches!(e, Error::Csv { line: 2, .. }), "{e}");
        let e = read(b"CODICE_SCUOLA;ID_ALUNNO_SIDI;COGNOME\n").unwrap_err();
        match e {
            Error::MissingColumn { column, .. } => assert_eq!(column, "ANNO_SCOLASTICO"),
            e => panic!("{e}"),
        }
        let row = "X;Y;1;CF;V;A;B;F;;H;Z;S;1;A;;F";
        let e = read(format!("{HEAD}\n{row}\n{}\n", row.replace("A;B", "A\0;B")).as_bytes())
            .unwrap_err();
        assert!(matches!(e, Error::Csv { line: 3, .. }), "{e}");
        let e =
            read(format!("{HEAD}\n{row}\nX;Y;1;\"CF;V;A;B;F;;H;Z;S;1;A;;F\n{row}\n").as_bytes())
                .unwrap_err();
        assert!(matches!(e, Error::Csv { line: 3, .. }), "{e}");
        let mut opts = ReadOptions::default();
        opts.limits.max_field_len = 20;
        let long_row = row.replace(";A;B;", &format!(";{};B;", "A".repeat(21)));
        let e = read_sidi_bytes(
            "a.csv",
            format!("{HEAD}\n{row}\n{long_row}\n").as_bytes(),
            &opts,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Csv { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("longer than 20"), "{e}");
        opts.limits.csv_max_line = 300;
        let long = format!("{HEAD}\n{}\n", "x".repeat(5000));
        let e = read_sidi_bytes("a.csv", long.as_bytes(), &opts).unwrap_err();
        assert!(e.to_string().contains("line is longer"), "{e}");
    }

    #[test]
    fn dates_and_empty_fields_are_findings() {
        let csv = format!("{HEAD}\nX;Y;1;CF;V;;B;F;31/02/2014;H;Z;S;1;A;2025-09-15;F\n");
        let r = read(csv.as_bytes()).unwrap();
        let p = &r.export.pupils[0];
        assert_eq!(p.data_nascita_raw, "31/02/2014");
        assert!(p.data_nascita.is_none());
        let got: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.code, f.field.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (FindingCode::RequiredMissing, "COGNOME", ""),
                (FindingCode::DateInvalid, "DATA_NASCITA", "31/02/2014"),
                (FindingCode::DateInvalid, "DATA_INIZIO", "2025-09-15"),
            ]
        );
        assert_eq!(r.findings[1].expected, "dd/mm/yyyy");
    }

    #[test]
    fn profile_renames_and_delimiter() {
        let p = crate::read::profile::Profile::parse(
            "[sidi_csv]\ndelimiter=','\ndate_format='iso'\n[sidi_csv.columns]\nCOGNOME='SURNAME'\n",
            "p",
            None,
        )
        .unwrap();
        let opts = ReadOptions {
            profile: p,
            ..Default::default()
        };
        let head = HEAD.replace(';', ",").replace("COGNOME", "Surname") + ",EXTRA";
        let csv = format!("{head}\nX,Y,1,CF,V,ROSSI,B,F,2014-05-12,H,Z,S,1,A,,F,zzz\n");
        let r = read_sidi_bytes("a.csv", csv.as_bytes(), &opts).unwrap();
        assert_eq!(r.export.pupils[0].cognome, "ROSSI");
        assert!(r.export.pupils[0].data_nascita.is_some());
    }
}
