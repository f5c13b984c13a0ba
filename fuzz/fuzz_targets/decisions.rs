//! The decisions reader on arbitrary bytes: decisions or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sidisync::sync::decisions::parse_decisions("decisioni.csv", data);
});
