//! Reads the school's local export (FORMATS.md section 2): `alunni_locali.csv`
//! and, optionally, `classi_locali.csv`.
//!
//! The reader is header-driven: columns may come in any order, names are
//! compared case-insensitively after trimming, extra columns are ignored,
//! and a profile's `[local]` layout may rename any column, change the
//! delimiter, the date format and the encoding (`auto`: UTF-8 BOM or valid
//! UTF-8 -> UTF-8, anything else windows-1252).
//!
//! Mandatory columns of `alunni_locali.csv`: `ID_LOCALE`, `CODICE_FISCALE`,
//! `COGNOME`, `NOME`, `DATA_NASCITA`, `CODICE_SEDE`, `ANNO_CORSO`, `SEZIONE`.
//! The others (`ID_ALUNNO_SIDI`, `SESSO`, `LUOGO_NASCITA`, `CITTADINANZA`,
//! `TEMPO_SCUOLA`, `INDIRIZZO`, `BLOCCATI`) are read as empty when absent.
//! Mandatory columns of `classi_locali.csv`: `CODICE_SEDE`, `ANNO_CORSO`,
//! `SEZIONE`.
//!
//! Unusable input is an [`Error`] naming file and line: an empty file, a
//! missing mandatory column, malformed CSV (unequal field counts, bad
//! quoting), an empty or duplicated `ID_LOCALE`. Row-level oddities are
//! warnings ([`FindingCode::LocalRecord`]) and the row is kept: a date that
//! does not parse, an unknown name in `BLOCCATI`, a codice fiscale shared by
//! two local pupils, a class declared twice.

use crate::error::{Error, Result};
use crate::findings::{Finding, FindingCode};
use crate::model::{
    ClassKey, Field, FieldSet, LocalClass, LocalExport, LocalPupil, Origin, SourceFile,
};
use crate::read::encoding;
use crate::read::profile::CsvLayout;
use crate::util::{FastMap as HashMap, FastSet as HashSet};
use std::path::Path;
use std::sync::Arc;

/// The local export read, with the warnings about its rows.
#[derive(Clone, Debug, Default)]
pub struct LocalRead {
    pub export: LocalExport,
    pub findings: Vec<Finding>,
}

/// Columns of `alunni_locali.csv` that must be present.
pub const MANDATORY_PUPIL_COLUMNS: [&str; 8] = [
    "ID_LOCALE",
    "CODICE_FISCALE",
    "COGNOME",
    "NOME",
    "DATA_NASCITA",
    "CODICE_SEDE",
    "ANNO_CORSO",
    "SEZIONE",
];

/// Columns of `classi_locali.csv` that must be present.
pub const MANDATORY_CLASS_COLUMNS: [&str; 3] = ["CODICE_SEDE", "ANNO_CORSO", "SEZIONE"];

/// Reads `alunni_locali.csv` at `pupils` and, when given, `classi_locali.csv`.
pub fn read_local(pupils: &Path, classes: Option<&Path>, layout: &CsvLayout) -> Result<LocalRead> {
    let pb = std::fs::read(pupils).map_err(|e| Error::io(pupils, e))?;
    let cb = match classes {
        Some(p) => Some((p, std::fs::read(p).map_err(|e| Error::io(p, e))?)),
        None => None,
    };
    read_local_bytes(
        &pupils.display().to_string(),
        &pb,
        cb.as_ref()
            .map(|(p, b)| (p.display().to_string(), b.as_slice()))
            .as_ref()
            .map(|(n, b)| (n.as_str(), *b)),
        layout,
    )
}

/// Reads the local export from bytes; `pupils_name` / the class file's name
/// are used in errors, findings and the manifest.
pub fn read_local_bytes(
    pupils_name: &str,
    pupils: &[u8],
    classes: Option<(&str, &[u8])>,
    layout: &CsvLayout,
) -> Result<LocalRead> {
    let mut findings = Vec::new();
    let mut export = LocalExport {
        pupils: read_pupils(pupils_name, pupils, layout, &mut findings)?,
        ..LocalExport::default()
    };
    export.sources.push(source_file(pupils_name, pupils));
    match classes {
        Some((name, bytes)) => {
            export.classes = read_classes(name, bytes, layout, &mut findings)?;
            export.classes_declared = true;
            export.sources.push(source_file(name, bytes));
        }
        None => {
            export.classes = derive_classes(&export.pupils);
            export.classes_declared = false;
        }
    }
    Ok(LocalRead { export, findings })
}

fn source_file(name: &str, bytes: &[u8]) -> SourceFile {
    let base = Path::new(name)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    SourceFile {
        name: base,
        size: bytes.len() as u64,
        sha256: crate::util::sha256_hex(bytes),
    }
}

/// Local classes when no `classi_locali.csv` is given: the distinct classes
/// of the pupils, in order of first appearance, codes from the first pupil.
pub fn derive_classes(pupils: &[LocalPupil]) -> Vec<LocalClass> {
    let mut seen = HashSet::default();
    let mut out = Vec::new();
    for p in pupils {
        if p.class.sede.is_empty() && p.class.sezione.is_empty() {
            continue;
        }
        if seen.insert(&p.class) {
            out.push(LocalClass {
                key: p.class.clone(),
                tempo_scuola: p.tempo_scuola.clone(),
                indirizzo: p.indirizzo.clone(),
                origin: p.origin.clone(),
            });
        }
    }
    out
}

/// A parsed CSV table: header positions by default column name.
struct Table<'a> {
    file: Arc<str>,
    reader: csv::Reader<&'a [u8]>,
    index: HashMap<&'static str, usize>,
    lines: LineCounter<'a>,
}

impl Table<'_> {
    /// Reads the next row that is not blank into `rec`, checks its fields
    /// and returns its 1-based line; `None` at the end of the file.
    fn next_row(&mut self, file: &str, rec: &mut csv::StringRecord) -> Result<Option<u32>> {
        loop {
            match self.reader.read_record(rec) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(csv_error(file, &e, Some(&mut self.lines))),
            }
            let line = match rec.position() {
                Some(p) => self.lines.line_at(p.byte()),
                None => 0,
            };
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            check_fields(file, line, rec)?;
            return Ok(Some(line));
        }
    }
}

/// Turns byte offsets (increasing) into 1-based line numbers in O(n) total.
/// (The csv crate's own line count is one short after a CRLF: a record's
/// position points at the `\n` of the previous line end.)
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u32,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> u32 {
        let mut byte = (byte as usize).min(self.text.len());
        if self.text.get(byte) == Some(&b'\n') {
            byte += 1;
        }
        if byte < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.text[self.pos..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.pos = byte;
        self.line
    }
}

fn open_table<'a>(
    file: &str,
    text: &'a str,
    layout: &CsvLayout,
    wanted: &[&'static str],
    mandatory: &[&'static str],
) -> Result<Table<'a>> {
    if text.trim().is_empty() {
        return Err(Error::Empty {
            file: file.to_string(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(file, &e, None))?
        .iter()
        .map(|h| h.trim().to_uppercase())
        .collect::<Vec<_>>();
    let mut index = HashMap::default();
    for &col in wanted {
        let name = layout.column(col).trim().to_uppercase();
        if let Some(pos) = headers.iter().position(|h| *h == name) {
            index.insert(col, pos);
        } else if mandatory.contains(&col) {
            return Err(Error::MissingColumn {
                file: file.to_string(),
                column: layout.column(col).to_string(),
            });
        }
    }
    Ok(Table {
        file: Arc::from(file),
        reader,
        index,
        lines: LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        },
    })
}

fn csv_error(file: &str, e: &csv::Error, lines: Option<&mut LineCounter>) -> Error {
    let line = match (e.position(), lines) {
        (Some(p), Some(l)) => l.line_at(p.byte()),
        (Some(p), None) => p.line() as u32,
        (None, _) => 0,
    };
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "invalid text".to_string(),
        _ => e.to_string(),
    };
    Error::csv(file, line, message)
}

/// Longest field of a local export, in bytes (as `Limits::max_field_len`).
pub const MAX_FIELD_LEN: usize = 64 << 10;

/// Refuses NUL bytes and over-long fields, naming the line (never the value).
fn check_fields(file: &str, line: u32, rec: &csv::StringRecord) -> Result<()> {
    for f in rec.iter() {
        if f.len() > MAX_FIELD_LEN {
            return Err(Error::csv(
                file,
                line,
                format!("a field is longer than {MAX_FIELD_LEN} bytes"),
            ));
        }
        if f.contains('\0') {
            return Err(Error::csv(
                file,
                line,
                "NUL byte in a field (not a text file?)",
            ));
        }
    }
    Ok(())
}

fn get<'r>(rec: &'r csv::StringRecord, index: &HashMap<&'static str, usize>, col: &str) -> &'r str {
    index
        .get(col)
        .and_then(|&i| rec.get(i))
        .map(str::trim)
        .unwrap_or("")
}

fn read_pupils(
    file: &str,
    bytes: &[u8],
    layout: &CsvLayout,
    findings: &mut Vec<Finding>,
) -> Result<Vec<LocalPupil>> {
    let text = encoding::decode(bytes, layout.encoding);
    let mut t = open_table(
        file,
        &text,
        layout,
        &crate::write::local::PUPIL_COLUMNS,
        &MANDATORY_PUPIL_COLUMNS,
    )?;
    let mut out = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::default();
    let mut cfs: HashMap<String, u32> = HashMap::default();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = t.next_row(file, &mut rec)? {
        let origin = Origin::new(&t.file, line, 0);
        let g = |c: &str| get(&rec, &t.index, c);
        let id_locale = g("ID_LOCALE").to_string();
        if id_locale.is_empty() {
            return Err(Error::csv(
                file,
                line,
                format!("{} is empty", layout.column("ID_LOCALE")),
            ));
        }
        if let Some(first) = ids.get(&id_locale) {
            return Err(Error::csv(
                file,
                line,
                format!(
                    "{} {id_locale:?} already used on line {first}",
                    layout.column("ID_LOCALE")
                ),
            ));
        }
        ids.insert(id_locale.clone(), line);
        let record = id_locale.clone();
        let raw_date = g("DATA_NASCITA").to_string();
        let data_nascita = layout.date_format.parse(&raw_date);
        if data_nascita.is_none() && !raw_date.is_empty() {
            findings.push(
                Finding::new(FindingCode::LocalRecord, Some(origin.clone()))
                    .record(&record)
                    .field(layout.column("DATA_NASCITA"))
                    .value(&raw_date)
                    .expected(date_expectation(layout)),
            );
        }
        let mut bloccati = FieldSet::default();
        for name in g("BLOCCATI").split('|') {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            match Field::from_name(name) {
                Some(f) if f != Field::CodiceFiscale => bloccati.insert(f),
                _ => findings.push(
                    Finding::new(FindingCode::LocalRecord, Some(origin.clone()))
                        .record(&record)
                        .field(layout.column("BLOCCATI"))
                        .value(name)
                        .expected("COGNOME|NOME|SESSO|DATA_NASCITA|LUOGO_NASCITA|CITTADINANZA"),
                ),
            }
        }
        let p = LocalPupil {
            id_locale,
            id_sidi: g("ID_ALUNNO_SIDI").to_string(),
            codice_fiscale: g("CODICE_FISCALE").to_string(),
            cognome: g("COGNOME").to_string(),
            nome: g("NOME").to_string(),
            sesso: g("SESSO").to_string(),
            data_nascita_raw: raw_date,
            data_nascita,
            luogo_nascita: g("LUOGO_NASCITA").to_string(),
            cittadinanza: g("CITTADINANZA").to_string(),
            class: ClassKey::new(g("CODICE_SEDE"), g("ANNO_CORSO"), g("SEZIONE")),
            tempo_scuola: g("TEMPO_SCUOLA").to_string(),
            indirizzo: g("INDIRIZZO").to_string(),
            bloccati,
            origin,
        };
        let cf = p.cf_key();
        if !cf.is_empty() {
            if let Some(first) = cfs.get(&cf) {
                findings.push(
                    Finding::new(FindingCode::LocalRecord, Some(p.origin.clone()))
                        .record(&record)
                        .field(layout.column("CODICE_FISCALE"))
                        .value(format!("line {first}"))
                        .expected("duplicate / duplicato"),
                );
            } else {
                cfs.insert(cf, line);
            }
        }
        out.push(p);
    }
    Ok(out)
}

fn date_expectation(layout: &CsvLayout) -> String {
    match &layout.date_format {
        crate::date::DateFormat::Iso => "yyyy-mm-dd".to_string(),
        crate::date::DateFormat::Italian => "dd/mm/yyyy".to_string(),
        crate::date::DateFormat::Pattern(p) => p.clone(),
    }
}

fn read_classes(
    file: &str,
    bytes: &[u8],
    layout: &CsvLayout,
    findings: &mut Vec<Finding>,
) -> Result<Vec<LocalClass>> {
    let text = encoding::decode(bytes, layout.encoding);
    let mut t = open_table(
        file,
        &text,
        layout,
        &crate::write::local::CLASS_COLUMNS,
        &MANDATORY_CLASS_COLUMNS,
    )?;
    let mut out = Vec::new();
    let mut seen: HashSet<ClassKey> = HashSet::default();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = t.next_row(file, &mut rec)? {
        let origin = Origin::new(&t.file, line, 0);
        let g = |c: &str| get(&rec, &t.index, c);
        let key = ClassKey::new(g("CODICE_SEDE"), g("ANNO_CORSO"), g("SEZIONE"));
        if !seen.insert(key.clone()) {
            findings.push(
                Finding::new(FindingCode::LocalRecord, Some(origin))
                    .record(key.to_string())
                    .field(layout.column("SEZIONE"))
                    .value(key.to_string())
                    .expected("duplicate / duplicata"),
            );
            continue;
        }
        out.push(LocalClass {
            tempo_scuola: g("TEMPO_SCUOLA").to_string(),
            indirizzo: g("INDIRIZZO").to_string(),
            key,
            origin,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::profile::Profile;

    const HEAD: &str = "ID_LOCALE;ID_ALUNNO_SIDI;CODICE_FISCALE;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;TEMPO_SCUOLA;INDIRIZZO;BLOCCATI\r\n";

    fn layout() -> CsvLayout {
        Profile::default().local
    }

    #[test]
    fn reads_default_layout_and_derives_classes() {
        let text = format!(
            "{HEAD}L1;123;RSSMRA14E52H501X;ROSSI;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;01;a;T24;;cognome|NOME\r\nL2;;BNCLCU14A01H501X;BIANCHI;LUCA;M;01/01/2014;H501;Z000;RMEE8A1016;1;A;T24;;\r\n"
        );
        let r = read_local_bytes("alunni_locali.csv", text.as_bytes(), None, &layout()).unwrap();
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let p = &r.export.pupils[0];
        assert_eq!(p.class, ClassKey::new("RMEE8A1016", "1", "A"));
        assert_eq!(p.data_nascita, crate::date::Date::new(2014, 5, 12));
        assert!(p.bloccati.contains(Field::Cognome) && p.bloccati.contains(Field::Nome));
        assert_eq!(p.origin.line, 2);
        assert_eq!(r.export.classes.len(), 1);
        assert!(!r.export.classes_declared);
        assert_eq!(r.export.sources[0].name, "alunni_locali.csv");
    }

    #[test]
    fn any_column_order_renames_and_windows_1252() {
        let mut l = layout();
        l.columns.insert("ID_LOCALE".into(), "MATRICOLA".into());
        l.delimiter = b',';
        let bytes = b"sezione,anno_corso,codice_sede,Data_Nascita,nome,cognome,codice_fiscale,matricola,EXTRA\nA,1,RMEE8A1016,12/05/2014,ZO\xC8,ROSSI,X,M7,whatever\n";
        let r = read_local_bytes("a.csv", bytes, None, &l).unwrap();
        let p = &r.export.pupils[0];
        assert_eq!(p.id_locale, "M7");
        assert_eq!(p.nome, "ZOÈ");
        assert_eq!(p.sesso, "");
    }

    #[test]
    fn errors_name_file_and_line() {
        let dup = format!(
            "{HEAD}L1;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\nL1;;B;B;C;F;01/01/2014;;;S;1;A;;;\r\n"
        );
        let e = read_local_bytes("al.csv", dup.as_bytes(), None, &layout()).unwrap_err();
        assert!(e.to_string().starts_with("al.csv:3:"), "{e}");
        let e = read_local_bytes("al.csv", b"", None, &layout()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }));
        let e =
            read_local_bytes("al.csv", b"ID_LOCALE;NOME\r\nx;y\r\n", None, &layout()).unwrap_err();
        assert!(matches!(e, Error::MissingColumn { .. }), "{e}");
        let bad = format!("{HEAD}L1;;A;B;C\r\n");
        let e = read_local_bytes("al.csv", bad.as_bytes(), None, &layout()).unwrap_err();
        assert!(e.to_string().starts_with("al.csv:2:"), "{e}");
    }

    #[test]
    fn warnings_for_rows() {
        let text = format!("{HEAD}L1;;A;B;C;F;31/02/2014;;;S;1;A;;;COGNOME|PIPPO\r\nL2;;a;B;C;F;01/01/2014;;;S;1;A;;;\r\n");
        let r = read_local_bytes("al.csv", text.as_bytes(), None, &layout()).unwrap();
        assert_eq!(r.findings.len(), 3);
        assert!(r
            .findings
            .iter()
            .all(|f| f.code == FindingCode::LocalRecord));
        assert_eq!(r.export.pupils[0].data_nascita_raw, "31/02/2014");
    }

    #[test]
    fn declared_classes() {
        let text = format!("{HEAD}L1;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\n");
        let classes = b"CODICE_SEDE;ANNO_CORSO;SEZIONE;TEMPO_SCUOLA;INDIRIZZO\r\nS;1;A;T;\r\nS;2;B;T;\r\nS;2;B;T;\r\n";
        let r = read_local_bytes(
            "al.csv",
            text.as_bytes(),
            Some(("classi_locali.csv", classes)),
            &layout(),
        )
        .unwrap();
        assert!(r.export.classes_declared);
        assert_eq!(r.export.classes.len(), 2);
        assert_eq!(r.findings.len(), 1);
    }
}
