//! Reading inputs: the SIDI export in any of its forms, and the local export.
//!
//! [`read_sidi`] opens a SIDI export whatever its form: one XML document or a
//! set of CSV files, plain, in a directory or inside a `.zip`. The form and
//! the role of each file are told from the content (XML root element, CSV
//! header columns), never from file names. Everything is streamed: memory is
//! bounded by the model being built, and [`Limits`] bound what one file,
//! token, line or archive may cost.
//!
//! Problems that make the input unusable are [`Error`]s naming the file and
//! line (and column for XML); problems of single records (a date that does
//! not parse, an empty mandatory field) are [`Finding`]s and the raw text is
//! kept in the model.

pub mod encoding;
pub mod local;
pub mod profile;
pub mod sidi_csv;
pub mod source;
pub mod xml;

use crate::error::{Error, Message, Result};
use crate::findings::{Finding, FindingCode};
use crate::messages::Lang;
use crate::model::{Classe, ExportForm, Origin, Pupil, SidiExport};
use profile::{EncodingChoice, Profile};
use source::{CsvKind, Kind, Member, Store};
use std::path::Path;

/// Hardening limits. Each violation is an [`Error`] naming the file (and the
/// line, for XML and CSV). The defaults are generous for real exports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Entries in one archive (directories included).
    pub zip_max_entries: usize,
    /// Total bytes once every read archive member is inflated.
    pub zip_max_total_uncompressed: u64,
    /// Inflated bytes per compressed byte, checked while inflating (the
    /// first 64 KiB of every member are always allowed).
    pub zip_max_ratio: u64,
    /// Nesting depth of XML elements.
    pub xml_max_depth: usize,
    /// Attributes on one XML element.
    pub xml_max_attributes: usize,
    /// Bytes of one XML token (tag, text run, comment…) before it is parsed.
    pub xml_max_token: u64,
    /// Characters of one field: XML text or attribute value, CSV field.
    pub max_field_len: usize,
    /// Bytes of one CSV line.
    pub csv_max_line: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            zip_max_entries: 64,
            zip_max_total_uncompressed: 2 << 30,
            zip_max_ratio: 200,
            xml_max_depth: 32,
            xml_max_attributes: 32,
            xml_max_token: 1 << 20,
            max_field_len: 64 << 10,
            csv_max_line: 1 << 20,
        }
    }
}

/// How to read a SIDI export.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Layout names, CSV delimiter, date format and encoding.
    pub profile: Profile,
    /// Encoding override (`--encoding`). For CSV it wins over the profile
    /// and over detection; for XML it only applies to documents without an
    /// encoding declaration (a declaration is part of the document).
    pub encoding: Option<EncodingChoice>,
    pub limits: Limits,
}

impl ReadOptions {
    /// The encoding choice for CSV files: the override, else the profile's.
    pub fn csv_encoding(&self) -> EncodingChoice {
        self.encoding.unwrap_or(self.profile.sidi_csv.encoding)
    }
}

/// A SIDI export read into the model, with the record-level findings of
/// reading (unparseable dates, empty mandatory fields, conflicting rows).
#[derive(Clone, Debug, Default)]
pub struct SidiRead {
    pub export: SidiExport,
    pub findings: Vec<Finding>,
}

/// Reads the SIDI export at `path`: an XML file, a CSV file (`alunni.csv`
/// alone), a directory holding the CSV files (or one XML), or a `.zip` of
/// either form.
pub fn read_sidi(path: &Path, opts: &ReadOptions) -> Result<SidiRead> {
    let mut store = Store::open_path(path, &opts.profile, &opts.limits)?;
    read_store(&mut store, opts)
}

/// Reads a SIDI export held in memory (`name` is used in origins and
/// messages); same forms as [`read_sidi`] except directories.
pub fn read_sidi_bytes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<SidiRead> {
    let mut store = Store::open_bytes(name, bytes, &opts.profile, &opts.limits)?;
    read_store(&mut store, opts)
}

/// The school code of the export at `path`, reading only as far as the
/// XML header or the first `alunni.csv` row. Used by `bulk` to pair exports
/// with local folders.
pub fn peek_school_code(path: &Path, opts: &ReadOptions) -> Result<String> {
    let mut store = Store::open_path(path, &opts.profile, &opts.limits)?;
    match plan(&store)? {
        Plan::Xml(m) => xml::peek_school_code(&mut store, &m, opts),
        Plan::Csv(files) => {
            let alunni = files
                .into_iter()
                .find(|(k, _)| *k == CsvKind::Alunni)
                .map(|(_, m)| m)
                .ok_or_else(|| no_export(&store))?;
            sidi_csv::peek_school_code(&mut store, &alunni, opts)
        }
    }
}

/// What will be read from a store.
enum Plan {
    Xml(Member),
    Csv(Vec<(CsvKind, Member)>),
}

fn no_export(store: &Store) -> Error {
    let found = if store.members.is_empty() {
        Message::new("nessun file", "no files")
    } else {
        let list = |l: Lang| {
            store
                .members
                .iter()
                .map(|m| format!("{}: {}", m.name, m.kind.describe().get(l)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        Message::new(list(Lang::It), list(Lang::En))
    };
    let only_nested =
        !store.members.is_empty() && store.members.iter().all(|m| m.kind == Kind::Zip);
    let some_csv = store.members.iter().any(|m| matches!(m.kind, Kind::Csv(_)));
    let (it, en) = (found.get(Lang::It), found.get(Lang::En));
    Error::NoExport {
        file: store.name.to_string(),
        found: if only_nested {
            Message::new(
                format!("{it}; gli archivi annidati non vengono aperti, estraeteli prima"),
                format!("{en}; nested archives are not opened, extract them first"),
            )
        } else if some_csv {
            Message::new(
                format!("{it}; nella forma CSV alunni.csv (gli alunni) è obbligatorio"),
                format!("{en}; alunni.csv (the pupils) is mandatory in the CSV form"),
            )
        } else {
            found
        },
    }
}

fn ambiguous(store: &Store, what: (&str, &str), a: &Member, b: &Member) -> Error {
    Error::Input {
        file: store.name.to_string(),
        line: 0,
        message: Message::new(
            format!(
                "più di un {}: {} e {} (un solo export per input)",
                what.0, a.name, b.name
            ),
            format!(
                "more than one {}: {} and {} (one export per input)",
                what.1, a.name, b.name
            ),
        ),
    }
}

fn plan(store: &Store) -> Result<Plan> {
    let mut xml: Option<&Member> = None;
    let mut csv: Vec<(CsvKind, Member)> = Vec::new();
    for m in &store.members {
        match &m.kind {
            Kind::Xml { sidi: true, .. } => {
                if let Some(first) = xml {
                    return Err(ambiguous(store, ("export XML", "XML export"), first, m));
                }
                xml = Some(m);
            }
            Kind::Csv(k) => {
                if let Some((_, first)) = csv.iter().find(|(c, _)| c == k) {
                    return Err(ambiguous(store, (k.file_name(), k.file_name()), first, m));
                }
                csv.push((*k, m.clone()));
            }
            _ => {}
        }
    }
    let alunni = csv.iter().find(|(k, _)| *k == CsvKind::Alunni);
    match (xml, alunni) {
        (Some(x), Some((_, a))) => Err(ambiguous(store, ("export", "export"), x, a)),
        (Some(x), None) => Ok(Plan::Xml(x.clone())),
        (None, Some(_)) => {
            csv.sort_by_key(|(k, _)| *k);
            Ok(Plan::Csv(csv))
        }
        (None, None) => Err(no_export(store)),
    }
}

fn read_store(store: &mut Store, opts: &ReadOptions) -> Result<SidiRead> {
    let mut out = SidiRead::default();
    let mut sources = store.presourced.clone();
    match plan(store)? {
        Plan::Xml(m) => {
            out.export.form = ExportForm::Xml;
            if let Some(s) = xml::read(store, &m, opts, &mut out)? {
                sources.push(s);
            }
        }
        Plan::Csv(files) => {
            out.export.form = ExportForm::Csv;
            for (kind, m) in &files {
                if let Some(s) = sidi_csv::read(store, *kind, m, opts, &mut out)? {
                    sources.push(s);
                }
            }
        }
    }
    out.export.sources = sources;
    Ok(out)
}

/// Field names used in findings, in the user's terms for the form read
/// (element names for XML, column names for CSV).
pub(crate) struct RecordNames<'a> {
    pub codice_fiscale: &'a str,
    pub cognome: &'a str,
    pub nome: &'a str,
    pub sesso: &'a str,
    pub data_nascita: &'a str,
    pub luogo_nascita: &'a str,
    pub cittadinanza: &'a str,
    pub frequenza: &'a str,
    pub sede: &'a str,
    pub sezione: &'a str,
    pub dal: &'a str,
    pub stato: &'a str,
    /// The expected date format, for DATE_INVALID.
    pub date_format: &'a str,
}

/// Reading-level checks of a pupil: empty mandatory fields and dates that
/// do not parse (the raw text is kept in the model). Codice fiscale, sesso,
/// classes and codes are checked by `validate`.
pub(crate) fn check_pupil(p: &Pupil, n: &RecordNames, findings: &mut Vec<Finding>) {
    // the identity is built only for a finding (most pupils have none)
    let missing = |field: &str, origin: &Origin| {
        Finding::new(FindingCode::RequiredMissing, Some(origin.clone()))
            .record(p.identity())
            .field(field)
    };
    for (v, field) in [
        (&p.codice_fiscale, n.codice_fiscale),
        (&p.cognome, n.cognome),
        (&p.nome, n.nome),
        (&p.sesso, n.sesso),
        (&p.data_nascita_raw, n.data_nascita),
        (&p.luogo_nascita, n.luogo_nascita),
        (&p.cittadinanza, n.cittadinanza),
    ] {
        if v.is_empty() {
            findings.push(missing(field, &p.origin));
        }
    }
    if !p.data_nascita_raw.is_empty() && p.data_nascita.is_none() {
        findings.push(
            Finding::new(FindingCode::DateInvalid, Some(p.origin.clone()))
                .record(p.identity())
                .field(n.data_nascita)
                .value(p.data_nascita_raw.clone())
                .expected(n.date_format),
        );
    }
    if p.frequenze.is_empty() {
        findings.push(missing(n.frequenza, &p.origin));
    }
    for f in &p.frequenze {
        for (v, field) in [
            (&f.class.sede, n.sede),
            (&f.class.sezione, n.sezione),
            (&f.stato, n.stato),
        ] {
            if v.is_empty() {
                findings.push(missing(field, &f.origin));
            }
        }
        if !f.dal_raw.is_empty() && f.dal.is_none() {
            findings.push(
                Finding::new(FindingCode::DateInvalid, Some(f.origin.clone()))
                    .record(p.identity())
                    .field(n.dal)
                    .value(f.dal_raw.clone())
                    .expected(n.date_format),
            );
        }
    }
}

/// Empty sede or sezione of a declared class.
pub(crate) fn check_class(c: &Classe, sede: &str, sezione: &str, findings: &mut Vec<Finding>) {
    for (v, field) in [(&c.key.sede, sede), (&c.key.sezione, sezione)] {
        if v.is_empty() {
            findings.push(
                Finding::new(FindingCode::RequiredMissing, Some(c.origin.clone()))
                    .record(c.key.to_string())
                    .field(field),
            );
        }
    }
}

/// How a date format is written for humans (`dd/mm/yyyy`).
pub(crate) fn date_format_label(f: &crate::date::DateFormat) -> String {
    match f {
        crate::date::DateFormat::Iso => "yyyy-mm-dd".into(),
        crate::date::DateFormat::Italian => "dd/mm/yyyy".into(),
        crate::date::DateFormat::Pattern(p) => p.clone(),
    }
}
