//! Text encoding detection and decoding.
//!
//! School offices run Windows: CSV files come as UTF-8 (with or without BOM)
//! or windows-1252. [`detect`] applies the rule: valid UTF-8 (after an
//! optional BOM, which is removed) -> UTF-8; anything else -> windows-1252 (a superset of ISO-8859-1
//! for printable text, which is why ISO-8859-1 labels decode as windows-1252,
//! as every browser does).

use super::profile::EncodingChoice;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// The encoding of `bytes` under `choice`.
pub fn detect(bytes: &[u8], choice: EncodingChoice) -> &'static Encoding {
    match choice {
        EncodingChoice::Fixed(e) => e,
        EncodingChoice::Auto => {
            // A BOM says UTF-8, but only the bytes can prove it: a file saved
            // with a BOM and later given windows-1252 text (found by fuzzing)
            // would otherwise lose its accented letters to U+FFFD.
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            if std::str::from_utf8(body).is_ok() {
                UTF_8
            } else {
                WINDOWS_1252
            }
        }
    }
}

/// Decodes `bytes` to text (BOM removed), borrowing when it is already UTF-8.
pub fn decode(bytes: &[u8], choice: EncodingChoice) -> Cow<'_, str> {
    let enc = detect(bytes, choice);
    let bytes = if enc == UTF_8 || choice == EncodingChoice::Auto {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    };
    if enc == UTF_8 {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(s);
        }
    }
    let (text, _) = enc.decode_without_bom_handling(bytes);
    text
}

/// Resolves an XML prolog's encoding label. `None` for labels we refuse
/// (UTF-16 and other non-ASCII-compatible encodings, unknown labels).
pub fn xml_encoding(label: &str) -> Option<&'static Encoding> {
    let e = Encoding::for_label(label.trim().as_bytes())?;
    if e.is_ascii_compatible() {
        Some(e)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_then_windows_1252_keeps_letters() {
        // Regression (fuzz target `encoding`): BOM, then windows-1252 bytes.
        let bytes = b"\xEF\xBB\xBFCOGNOME;NOME\nNICOL\xD2;ZO\xC8\n";
        assert_eq!(detect(bytes, EncodingChoice::Auto), WINDOWS_1252);
        assert_eq!(
            decode(bytes, EncodingChoice::Auto),
            "COGNOME;NOME\nNICOLÒ;ZOÈ\n"
        );
        let utf8 = "\u{feff}COGNOME\nNICOLÒ\n".as_bytes();
        assert_eq!(decode(utf8, EncodingChoice::Auto), "COGNOME\nNICOLÒ\n");
    }

    #[test]
    fn detects_windows_1252_names() {
        // NICOLÒ;D'AMICO;ZOÈ in windows-1252
        let bytes = b"NICOL\xD2;D'AMICO;DELL'ORTO;ZO\xC8";
        assert_eq!(detect(bytes, EncodingChoice::Auto), WINDOWS_1252);
        assert_eq!(
            decode(bytes, EncodingChoice::Auto),
            "NICOLÒ;D'AMICO;DELL'ORTO;ZOÈ"
        );
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("ZOÈ".as_bytes(), EncodingChoice::Auto), "ZOÈ");
        assert_eq!(
            decode(b"\xEF\xBB\xBFZO\xC3\x88", EncodingChoice::Auto),
            "ZOÈ"
        );
    }

    #[test]
    fn iso_8859_1_is_windows_1252() {
        let c = EncodingChoice::parse("ISO-8859-1").unwrap();
        assert_eq!(detect(b"x", c), WINDOWS_1252);
        assert_eq!(decode(b"\x80", c), "€");
        assert!(EncodingChoice::parse("nope").is_err());
        assert!(xml_encoding("UTF-16").is_none());
        assert_eq!(xml_encoding("windows-1252"), Some(WINDOWS_1252));
    }
}
