//! Property: for random valid personal data, encode then validate gives a
//! valid code, decoding gives the data back, and each of the 128 omocodia
//! variants validates to the same base code.

use proptest::prelude::*;
use sidisync::date::{days_in_month, Date};
use sidisync::validate::cf::{self, CfIssue, Sex};
use sidisync::validate::places;

fn today() -> Date {
    Date::new(2025, 10, 15).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn encode_validate_decode_roundtrip(
        cognome in "[A-Za-zÀÈÌÒÙàèéìòù' ]{0,20}",
        nome in "[A-Za-zàèéìòù ]{0,20}",
        year in 1926u32..=2024,
        month in 1u32..=12,
        day_seed in 0u32..31,
        female in any::<bool>(),
        place_seed in any::<prop::sample::Index>(),
    ) {
        let day = day_seed % days_in_month(year, month) + 1;
        let birth = Date::new(year, month, day).unwrap();
        // A place valid on the birth date.
        let valid: Vec<_> = places::all().iter().filter(|p| p.valid_on(birth)).collect();
        let place = valid[place_seed.index(valid.len())];
        let sex = if female { 'F' } else { 'M' };
        let code = cf::encode(&cognome, &nome, birth, sex, place.code);

        let o = cf::validate_in(code.as_bytes(), None, today());
        prop_assert!(o.is_valid(), "{} {:?}", code, o);
        prop_assert!(!o.issues.contains(CfIssue::PlaceValidity));
        prop_assert_eq!(o.birth, Some(birth));
        prop_assert_eq!(o.sex, Some(if female { Sex::F } else { Sex::M }));
        prop_assert_eq!(o.place_code(), Some(place.code));
        prop_assert_eq!(&code.as_bytes()[0..3], &cf::surname_part(&cognome));
        prop_assert_eq!(&code.as_bytes()[3..6], &cf::name_part(&nome));
        prop_assert_eq!(o.base_code(), Some(code.as_str()));

        for mask in 0..128u8 {
            let v = cf::omocode(&code, mask);
            let ov = cf::validate_in(v.as_bytes(), None, today());
            prop_assert!(ov.is_valid(), "{} {:?}", v, ov);
            prop_assert_eq!(ov.base_code(), Some(code.as_str()));
            prop_assert_eq!(ov.omocodia(), mask.count_ones());
            prop_assert_eq!(ov.birth, Some(birth));
        }
    }
}
