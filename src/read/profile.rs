//! Profiles: how a vendor's real layout differs from the default one.
//!
//! A [`Profile`] is read from TOML. Every name in FORMATS.md is a default that
//! a profile may rename; a profile also sets the delimiter, date format and
//! encoding of CSV files, and carries the code mapping from ministry codes to
//! the local package's codes. The built-in default ([`Profile::default`]) is
//! the FORMATS.md layout with identity mapping.
//!
//! ```toml
//! name = "esempio"
//!
//! [sidi_csv]               # the SIDI export's CSV form
//! delimiter = ";"
//! date_format = "dd/mm/yyyy"   # or "iso", or a pattern of dd, mm, yyyy
//! encoding = "auto"            # auto | utf-8 | windows-1252 | iso-8859-1 | any WHATWG label
//! [sidi_csv.columns]           # default name = name in the files
//! CODICE_FISCALE = "CF_ALUNNO"
//!
//! [sidi_xml.names]             # default element/attribute name = name in the file
//! Alunno = "Studente"
//! idSidi = "id"
//!
//! [local]                      # the local export
//! delimiter = ";"
//! date_format = "dd/mm/yyyy"
//! encoding = "auto"
//! [local.columns]
//! ID_LOCALE = "MATRICOLA"
//!
//! [mapping.tempo_scuola]       # ministry code = local code
//! "10" = "T24"
//! [mapping.indirizzo]
//! LI02 = "SCI"
//! [mapping.files]              # or CSV files CODICE_MINISTERO;CODICE_LOCALE, relative to the profile
//! tempo_scuola = "tempo_scuola.csv"
//! ```

use crate::date::DateFormat;
use crate::error::{Error, Message, Result};
use crate::messages::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Encoding choice for CSV files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingChoice {
    /// BOM -> UTF-8; valid UTF-8 -> UTF-8; else windows-1252.
    Auto,
    /// A fixed encoding (ISO-8859-1 is decoded as windows-1252, like browsers do).
    Fixed(&'static encoding_rs::Encoding),
}

impl EncodingChoice {
    /// Parses `auto` or a WHATWG encoding label.
    pub fn parse(label: &str) -> Result<EncodingChoice> {
        let l = label.trim();
        if l.is_empty() || l.eq_ignore_ascii_case("auto") {
            return Ok(EncodingChoice::Auto);
        }
        encoding_rs::Encoding::for_label(l.as_bytes())
            .map(EncodingChoice::Fixed)
            .ok_or_else(|| Error::UnknownEncoding {
                label: l.to_string(),
            })
    }
}

/// Layout of a family of CSV files.
#[derive(Clone, Debug)]
pub struct CsvLayout {
    pub delimiter: u8,
    pub date_format: DateFormat,
    pub encoding: EncodingChoice,
    /// default column name -> name in the files (upper-cased for lookup).
    pub columns: BTreeMap<String, String>,
}

impl CsvLayout {
    fn new() -> CsvLayout {
        CsvLayout {
            delimiter: b';',
            date_format: DateFormat::Italian,
            encoding: EncodingChoice::Auto,
            columns: BTreeMap::new(),
        }
    }
    /// The name a default column has in the files.
    pub fn column<'a>(&'a self, default: &'a str) -> &'a str {
        self.columns
            .get(default)
            .map(String::as_str)
            .unwrap_or(default)
    }
}

/// A resolved profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub sidi_csv: CsvLayout,
    /// default XML element/attribute name -> name in the file.
    pub xml_names: BTreeMap<String, String>,
    pub local: CsvLayout,
    /// ministry tempo scuola code -> local code; `None`: identity.
    pub tempo_scuola_map: Option<BTreeMap<String, String>>,
    /// ministry indirizzo code -> local code; `None`: identity.
    pub indirizzo_map: Option<BTreeMap<String, String>>,
    /// The profile file and its hash, for the manifest (none for the default).
    pub source: Option<PathBuf>,
}

impl Default for Profile {
    fn default() -> Profile {
        Profile {
            name: "default".to_string(),
            sidi_csv: CsvLayout::new(),
            xml_names: BTreeMap::new(),
            local: CsvLayout::new(),
            tempo_scuola_map: None,
            indirizzo_map: None,
            source: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCsv {
    delimiter: Option<String>,
    date_format: Option<String>,
    encoding: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawXml {
    #[serde(default)]
    names: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    tempo_scuola: Option<BTreeMap<String, String>>,
    indirizzo: Option<BTreeMap<String, String>>,
    #[serde(default)]
    files: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Option<String>,
    sidi_csv: Option<RawCsv>,
    sidi_xml: Option<RawXml>,
    local: Option<RawCsv>,
    mapping: Option<RawMapping>,
}

impl Profile {
    /// Loads a TOML profile file; mapping files are resolved relative to it.
    pub fn load(path: &Path) -> Result<Profile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Profile {
            file: path.display().to_string(),
            line: 0,
            message: Message::new("non è testo UTF-8", "not UTF-8 text"),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut p = Profile::parse(&text, &path.display().to_string(), Some(base))?;
        p.source = Some(path.to_path_buf());
        Ok(p)
    }

    /// Parses profile text; `base` is where relative mapping files are looked for
    /// (`None`: mapping files are refused).
    pub fn parse(text: &str, file: &str, base: Option<&Path>) -> Result<Profile> {
        let perr = |line: u32, message: Message| Error::Profile {
            file: file.to_string(),
            line,
            message,
        };
        let raw: RawProfile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u32 + 1)
                .unwrap_or(0);
            perr(line, Message::raw(e.message()))
        })?;
        let mut p = Profile::default();
        if let Some(n) = raw.name {
            p.name = n;
        }
        if let Some(c) = raw.sidi_csv {
            apply_csv(&mut p.sidi_csv, c).map_err(|m| perr(0, in_section("[sidi_csv]", &m)))?;
        }
        if let Some(x) = raw.sidi_xml {
            p.xml_names = x.names;
        }
        if let Some(c) = raw.local {
            apply_csv(&mut p.local, c).map_err(|m| perr(0, in_section("[local]", &m)))?;
        }
        if let Some(m) = raw.mapping {
            p.tempo_scuola_map = m.tempo_scuola;
            p.indirizzo_map = m.indirizzo;
            for (kind, rel) in m.files {
                let base = base.ok_or_else(|| {
                    perr(
                        0,
                        Message::new(
                            "i file di corrispondenza richiedono il percorso del profilo",
                            "mapping files need a profile path",
                        ),
                    )
                })?;
                let table = load_mapping_file(&base.join(&rel))?;
                let slot = match kind.as_str() {
                    "tempo_scuola" => &mut p.tempo_scuola_map,
                    "indirizzo" => &mut p.indirizzo_map,
                    other => {
                        return Err(perr(
                            0,
                            Message::new(
                                format!(
                                    "[mapping.files] tabella {other:?} sconosciuta (tempo_scuola, indirizzo)"
                                ),
                                format!(
                                    "[mapping.files] unknown table {other:?} (tempo_scuola, indirizzo)"
                                ),
                            ),
                        ))
                    }
                };
                slot.get_or_insert_with(BTreeMap::new).extend(table);
            }
        }
        Ok(p)
    }

    /// The name an XML element or attribute has in the file.
    pub fn xml_name<'a>(&'a self, default: &'a str) -> &'a str {
        self.xml_names
            .get(default)
            .map(String::as_str)
            .unwrap_or(default)
    }
}

/// A message about a profile section, prefixed with its name.
fn in_section(section: &str, m: &Message) -> Message {
    Message::new(
        format!("{section} {}", m.get(Lang::It)),
        format!("{section} {}", m.get(Lang::En)),
    )
}

fn apply_csv(l: &mut CsvLayout, c: RawCsv) -> std::result::Result<(), Message> {
    if let Some(d) = c.delimiter {
        let d = if d == "\\t" || d == "tab" {
            "\t".to_string()
        } else {
            d
        };
        if d.len() != 1 {
            return Err(Message::new(
                format!("il separatore deve essere un solo carattere ASCII, trovato {d:?}"),
                format!("delimiter must be one ASCII character, got {d:?}"),
            ));
        }
        l.delimiter = d.as_bytes()[0];
    }
    if let Some(f) = c.date_format {
        l.date_format = DateFormat::from_profile(&f).ok_or_else(|| {
            Message::new(
                format!("date_format {f:?} sconosciuto"),
                format!("unknown date_format {f:?}"),
            )
        })?;
    }
    if let Some(e) = c.encoding {
        l.encoding = EncodingChoice::parse(&e)
            .map_err(|e| Message::new(e.localized(Lang::It), e.to_string()))?;
    }
    l.columns = c
        .columns
        .into_iter()
        .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_string()))
        .collect();
    Ok(())
}

/// Reads a mapping CSV: `CODICE_MINISTERO;CODICE_LOCALE` with a header row
/// (`;` or `,`), UTF-8 or windows-1252.
pub fn load_mapping_file(path: &Path) -> Result<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = crate::read::encoding::decode(&bytes, EncodingChoice::Auto);
    let name = path.display().to_string();
    let mut out = BTreeMap::new();
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or("");
    let delim = if header.contains(';') { ';' } else { ',' };
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split(delim);
        let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
            return Err(Error::csv(
                &name,
                i as u32 + 1,
                Message::new(
                    "attesi CODICE_MINISTERO;CODICE_LOCALE",
                    "expected CODICE_MINISTERO;CODICE_LOCALE",
                ),
            ));
        };
        let a = a.trim().trim_matches('"').to_string();
        let b = b.trim().trim_matches('"').to_string();
        if a.is_empty() {
            return Err(Error::csv(
                &name,
                i as u32 + 1,
                Message::new("codice ministeriale vuoto", "empty ministry code"),
            ));
        }
        out.insert(a, b);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_parse() {
        let p = Profile::parse(
            "name='x'\n[sidi_csv]\ndelimiter=','\ndate_format='iso'\n[sidi_csv.columns]\nCODICE_FISCALE='CF'\n[mapping.tempo_scuola]\n'10'='T24'\n",
            "p.toml",
            None,
        )
        .unwrap();
        assert_eq!(p.sidi_csv.delimiter, b',');
        assert_eq!(p.sidi_csv.column("CODICE_FISCALE"), "CF");
        assert_eq!(p.sidi_csv.column("NOME"), "NOME");
        assert_eq!(p.tempo_scuola_map.unwrap()["10"], "T24");
        assert!(p.indirizzo_map.is_none());
    }

    #[test]
    fn errors_are_located() {
        let e = Profile::parse("name='x'\n[oops]\n", "p.toml", None).unwrap_err();
        assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
        let e = Profile::parse("[local]\nencoding='klingon'\n", "p.toml", None).unwrap_err();
        assert!(e.to_string().contains("klingon"), "{e}");
    }
}
