//! The zip opener on arbitrary bytes: archives are listed, sniffed and read
//! under the limits, or refused with a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sidisync::read::{read_sidi_bytes, Limits, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        limits: Limits {
            zip_max_entries: 16,
            zip_max_total_uncompressed: 8 << 20,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let _ = read_sidi_bytes("fuzz.zip", data, &opts);
});
