//! `review.csv`: the guided items a person decides, one per row.
//!
//! UTF-8 with BOM, `;`, CRLF, columns
//! `ID;TIPO;CODICE_FISCALE;ID_LOCALE;DETTAGLIO;DECISIONE`: what Excel and
//! LibreOffice open cleanly on an Italian Windows machine. IDs start with a
//! letter so no spreadsheet turns them into numbers; a cell that would start
//! with `=`, `+`, `-` or `@` gets a leading `'` so it is never taken for a
//! formula. `DECISIONE` is left empty for the person to fill in.

use crate::error::{Error, Result};
use crate::messages::{self, fill, Lang};
use crate::model::ClassKey;
use crate::sync::ops::{ReviewDetail, ReviewItem};
use std::io::Write;

/// Columns of `review.csv`.
pub const COLUMNS: [&str; 6] = [
    "ID",
    "TIPO",
    "CODICE_FISCALE",
    "ID_LOCALE",
    "DETTAGLIO",
    "DECISIONE",
];

/// `COGNOME NOME`, trimmed (either part may be empty).
fn full_name(cognome: &str, nome: &str) -> String {
    format!("{} {}", cognome.trim(), nome.trim())
        .trim()
        .to_string()
}

fn class_text(k: &ClassKey) -> String {
    format!("{} {}{}", k.sede, k.anno, k.sezione)
}

/// The plain-language explanation of an item, with what each answer does
/// (texts from the catalogue: [`messages::review_detail_template`]).
pub fn detail(item: &ReviewItem, lang: Lang) -> String {
    let pick = |(it, en): (&'static str, &'static str)| lang.pick(it, en);
    match &item.detail {
        ReviewDetail::CfMismatch {
            sidi_cf,
            id_sidi,
            local_cf,
            cognome,
            nome,
            data_nascita,
            local_class,
            sidi_class,
        } => {
            let sc = sidi_class
                .as_ref()
                .map(|c| {
                    fill(
                        pick(messages::review_detail_template("sidi_class")),
                        &[("class", &class_text(c))],
                    )
                })
                .unwrap_or_default();
            let lcf = if local_cf.is_empty() {
                pick(messages::review_detail_template("empty_cf"))
            } else {
                local_cf.as_str()
            };
            fill(
                pick(messages::review_detail_template("cf_mismatch")),
                &[
                    ("who", &full_name(cognome, nome)),
                    ("data_nascita", data_nascita.as_ref()),
                    ("sidi_cf", sidi_cf),
                    ("id", if id_sidi.is_empty() { "-" } else { id_sidi }),
                    ("sc", &sc),
                    ("lcf", lcf),
                    ("lc", &class_text(local_class)),
                ],
            )
        }
        ReviewDetail::LocalOnly {
            cognome,
            nome,
            class,
        } => fill(
            pick(messages::review_detail_template("local_only")),
            &[
                ("who", &full_name(cognome, nome)),
                ("class", &class_text(class)),
            ],
        ),
        ReviewDetail::ClassLocalOnly { class, pupils } => fill(
            pick(messages::review_detail_template("class_local_only")),
            &[
                ("class", &class_text(class)),
                ("pupils", &pupils.to_string()),
            ],
        ),
    }
}

/// A cell safe from formula interpretation.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Writes `review.csv`.
pub fn write_review(items: &[ReviewItem], lang: Lang, w: &mut dyn Write) -> Result<()> {
    w.write_all(b"\xEF\xBB\xBF")
        .map_err(|e| Error::io("review.csv", e))?;
    let mut c = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w);
    let err = |e: csv::Error| Error::csv("review.csv", 0, e.to_string());
    c.write_record(COLUMNS).map_err(err)?;
    for it in items {
        c.write_record([
            it.id.as_str(),
            it.kind.name(),
            &cell(&it.codice_fiscale),
            &cell(&it.id_locale),
            &cell(&detail(it, lang)),
            "",
        ])
        .map_err(err)?;
    }
    c.flush().map_err(|e| Error::io("review.csv", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::decisions::parse_decisions;
    use crate::sync::ops::{review_id, ReviewKind};

    #[test]
    fn bom_semicolon_and_round_trip() {
        let items = vec![ReviewItem {
            id: review_id(ReviewKind::LocalOnly, &["=L1", "X"]),
            kind: ReviewKind::LocalOnly,
            codice_fiscale: "X".into(),
            id_locale: "=L1".into(),
            detail: ReviewDetail::LocalOnly {
                cognome: "D'AMICO; JR".into(),
                nome: "ZOÈ".into(),
                class: ClassKey::new("S", "1", "A"),
            },
        }];
        let mut b = Vec::new();
        write_review(&items, Lang::It, &mut b).unwrap();
        assert!(
            b.starts_with(b"\xEF\xBB\xBFID;TIPO;CODICE_FISCALE;ID_LOCALE;DETTAGLIO;DECISIONE\r\n")
        );
        let s = String::from_utf8(b.clone()).unwrap();
        assert!(s.contains(";'=L1;\"D'AMICO; JR ZOÈ"), "{s}");
        let d = parse_decisions("review.csv", &b).unwrap();
        assert_eq!(d.rows[0].id, items[0].id);
        assert_eq!(d.rows[0].kind, "local_only");
        assert!(detail(&items[0], Lang::En).contains("not on SIDI"));
    }
}
