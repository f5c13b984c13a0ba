//! The codice fiscale parser: validation and the explanation never panic,
//! and a code found valid validates again once normalized.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sidisync::date::Date;
use sidisync::messages::Lang;
use sidisync::validate::cf;

fuzz_target!(|data: &[u8]| {
    let out = cf::validate(data);
    if let Some(n) = out.normalized() {
        let again = cf::validate(n.as_bytes());
        assert_eq!(again.normalized(), Some(n));
    }
    let _ = out.base_code();
    let _ = out.place_code();
    if let Ok(s) = std::str::from_utf8(data) {
        let today = Date::new(2025, 11, 29).unwrap();
        let r = cf::explain(s, None, today, Lang::It);
        let _ = cf::render_text(&r, Lang::En);
    }
});
