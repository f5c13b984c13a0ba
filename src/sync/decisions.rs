//! Reading back a filled-in `review.csv` (`--decisions`).
//!
//! The sheet may have been re-saved by a spreadsheet: any encoding
//! (UTF-8 with or without BOM, windows-1252), `;` `,` or tab as delimiter
//! (taken from the header line), columns in any order, names compared
//! case-insensitively. Columns `ID` and `DECISIONE` are required, `TIPO` is
//! checked when present. `DECISIONE` is `ACCETTA` or `RIFIUTA` (also
//! `ACCEPT` / `REJECT`), any case; empty means "not decided yet". Any other
//! value, a row with a decision but no ID, or two rows giving the same ID
//! different decisions make the file unusable: an [`Error`] with its line.

use crate::error::{Error, Message, Result};
use crate::read::encoding;
use crate::read::profile::EncodingChoice;
use std::collections::HashMap;
use std::path::Path;

/// A person's answer to a review item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
    Undecided,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim().to_uppercase().as_str() {
            "" => Some(Decision::Undecided),
            "ACCETTA" | "ACCEPT" => Some(Decision::Accept),
            "RIFIUTA" | "REJECT" => Some(Decision::Reject),
            _ => None,
        }
    }
}

/// One row of the decisions file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: String,
    /// `TIPO` as written (empty when the column is absent).
    pub kind: String,
    pub decision: Decision,
    pub line: u32,
}

/// A decisions file read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    /// The file as named by the user.
    pub file: String,
    pub rows: Vec<DecisionRow>,
    /// Size and SHA-256 of the bytes, for the manifest.
    pub size: u64,
    pub sha256: String,
}

/// Reads a decisions file.
pub fn read_decisions(path: &Path) -> Result<Decisions> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_decisions(&path.display().to_string(), &bytes)
}

/// Parses decisions from bytes; `file` names it in errors.
pub fn parse_decisions(file: &str, bytes: &[u8]) -> Result<Decisions> {
    let text = encoding::decode(bytes, EncodingChoice::Auto);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(Error::Empty {
            file: file.to_string(),
        })?;
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| Error::csv(file, 1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_uppercase())
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let id_col = col(&["ID"]).ok_or_else(|| Error::MissingColumn {
        file: file.to_string(),
        column: "ID".into(),
    })?;
    let dec_col = col(&["DECISIONE", "DECISION"]).ok_or_else(|| Error::MissingColumn {
        file: file.to_string(),
        column: "DECISIONE".into(),
    })?;
    let kind_col = col(&["TIPO", "KIND"]);
    let mut rows = Vec::new();
    let mut seen: HashMap<String, (Decision, u32)> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    let mut line = 1u32;
    let mut lines = crate::read::source::LineCounter::new(text.as_bytes());
    loop {
        match r.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(Error::csv(file, line + 1, e.to_string())),
        }
        if let Some(p) = rec.position() {
            line = lines.line_at(p.byte());
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| rec.get(i).map(str::trim).unwrap_or("");
        let raw = get(dec_col);
        let decision = Decision::parse(raw).ok_or_else(|| {
            Error::csv(
                file,
                line,
                Message::new(
                    format!("DECISIONE {raw:?}: atteso ACCETTA, RIFIUTA o vuoto"),
                    format!("DECISIONE {raw:?}: expected ACCETTA, RIFIUTA or empty"),
                ),
            )
        })?;
        let id = get(id_col).to_string();
        if id.is_empty() {
            if decision == Decision::Undecided {
                continue;
            }
            return Err(Error::csv(
                file,
                line,
                Message::new("una decisione senza ID", "a decision without an ID"),
            ));
        }
        if let Some((d, l)) = seen.get(&id) {
            if *d != decision {
                return Err(Error::csv(
                    file,
                    line,
                    Message::new(
                        format!("l'ID {id} ha un'altra decisione alla riga {l}"),
                        format!("ID {id} has another decision on line {l}"),
                    ),
                ));
            }
            continue;
        }
        seen.insert(id.clone(), (decision, line));
        rows.push(DecisionRow {
            id,
            kind: kind_col.map(|c| get(c).to_string()).unwrap_or_default(),
            decision,
            line,
        });
    }
    Ok(Decisions {
        file: file.to_string(),
        rows,
        size: bytes.len() as u64,
        sha256: crate::util::sha256_hex(bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_excel_resaved_sheet() {
        // windows-1252, no BOM, `;`, lower-case decision, extra column.
        let b = b"ID;TIPO;CODICE_FISCALE;ID_LOCALE;DETTAGLIO;DECISIONE;NOTE\r\nRAB;local_only;X;L1;\"uscito; trasferito\";accetta;ok \xE8\r\nRCD;cf_mismatch;;;;;\r\nRXY;local_only;;;;Rifiuta;\r\n";
        let d = parse_decisions("review.csv", b).unwrap();
        assert_eq!(d.rows.len(), 3);
        assert_eq!(d.rows[0].decision, Decision::Accept);
        assert_eq!(d.rows[1].decision, Decision::Undecided);
        assert_eq!(d.rows[2].decision, Decision::Reject);
        assert_eq!(d.rows[2].line, 4);
        assert_eq!(d.rows[0].kind, "local_only");
    }

    #[test]
    fn comma_sheet_and_errors() {
        let d = parse_decisions("r.csv", b"\xEF\xBB\xBFid,decisione\nR1,RIFIUTA\n").unwrap();
        assert_eq!(d.rows[0].decision, Decision::Reject);
        let e = parse_decisions("r.csv", b"ID;DECISIONE\nR1;FORSE\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:2: DECISIONE \"FORSE\": expected ACCETTA, RIFIUTA or empty"
        );
        let e = parse_decisions("r.csv", b"ID;TIPO\nR1;x\n").unwrap_err();
        assert!(matches!(e, Error::MissingColumn { .. }));
        let e = parse_decisions("r.csv", b"").unwrap_err();
        assert!(matches!(e, Error::Empty { .. }));
        let e = parse_decisions("r.csv", b"ID;DECISIONE\nR1;ACCETTA\nR1;RIFIUTA\n").unwrap_err();
        assert!(e.to_string().starts_with("r.csv:3:"), "{e}");
        let e = parse_decisions("r.csv", b"ID;DECISIONE\n;ACCETTA\n").unwrap_err();
        assert!(e.to_string().starts_with("r.csv:2:"), "{e}");
        // after blank lines (CRLF), the row's own line
        let e = parse_decisions(
            "r.csv",
            b"ID;DECISIONE\r\nR1;ACCETTA\r\n\r\n\r\nR2;FORSE\r\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("r.csv:5:"), "{e}");
    }
}
