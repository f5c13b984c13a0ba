//! Encoding detection and decoding: never panics, and decoding is total.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sidisync::read::encoding;
use sidisync::read::profile::EncodingChoice;

fuzz_target!(|data: &[u8]| {
    let text = encoding::decode(data, EncodingChoice::Auto);
    let enc = encoding::detect(data, EncodingChoice::Auto);
    // The BOM is removed; nothing else is lost.
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if enc == encoding_rs_utf8() {
        assert_eq!(text.as_bytes(), body);
    } else {
        // windows-1252 maps every byte to one character, never U+FFFD.
        assert_eq!(text.chars().count(), body.len());
        assert!(!text.contains('\u{fffd}'));
    }
    if let Ok(label) = std::str::from_utf8(data) {
        let _ = encoding::xml_encoding(label);
        let _ = EncodingChoice::parse(label);
    }
});

fn encoding_rs_utf8() -> &'static encoding_rs::Encoding {
    encoding_rs::UTF_8
}
