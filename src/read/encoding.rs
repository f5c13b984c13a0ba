//! Text encoding detection and decoding.
//!
//! School offices run Windows: CSV files come as UTF-8 (with or without BOM)
//! or windows-1252. [`detect`] applies the rule: UTF-8 BOM -> UTF-8; valid
//! UTF-8 -> UTF-8; anything else -> windows-1252 (a superset of ISO-8859-1
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
            if bytes.starts_with(b"\xEF\xBB\xBF") || std::str::from_utf8(bytes).is_ok() {
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
    let bytes = if enc == UTF_8 {
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
