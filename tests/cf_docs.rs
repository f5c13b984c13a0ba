//! The documentation of findings (docs/validation.md) covers every code.

use sidisync::findings::FindingCode;

#[test]
fn every_finding_code_is_documented() {
    let doc = include_str!("../README.md");
    for c in FindingCode::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", c.code())),
            "{} missing from README.md",
            c.code()
        );
    }
}

#[test]
fn cf_text_output_in_docs_is_current() {
    use sidisync::date::Date;
    use sidisync::messages::Lang;
    use sidisync::validate::cf;
    let today = Date::new(2025, 10, 15).unwrap();
    let r = cf::explain("cccfba85d03l21ve", None, today, Lang::It);
    let text = cf::render_text(&r, Lang::It);
    let doc = include_str!("../README.md");
    assert!(
        doc.contains(text.trim_end()),
        "README.md should show:\n{text}"
    );
}
