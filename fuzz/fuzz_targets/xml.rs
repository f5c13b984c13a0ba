//! The XML reader on arbitrary bytes: any input gives a model or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sidisync::read::{xml, Limits, ReadOptions};

fuzz_target!(|data: &[u8]| {
    // Small limits so that the limit paths are reached by small inputs too.
    let opts = ReadOptions {
        limits: Limits {
            xml_max_depth: 8,
            xml_max_attributes: 8,
            xml_max_token: 4096,
            max_field_len: 512,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let _ = xml::read_stream("fuzz.xml", data, &opts);
    // And through content sniffing, as the CLI reads a file.
    let _ = sidisync::read::read_sidi_bytes("fuzz.xml", data, &ReadOptions::default());
});
