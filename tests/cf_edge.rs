//! The 17 codici fiscali on which peer libraries disagree
//! (`tests/data/cf_edge_cases.tsv`, copied from the shared reference data),
//! each with its expected verdict.

use sidisync::date::Date;
use sidisync::validate::cf::{self, CfIssue, CfKind};

const CASES: &str = include_str!("data/cf_edge_cases.tsv");

fn today() -> Date {
    Date::new(2025, 10, 15).unwrap()
}

#[test]
fn every_edge_case_gets_its_verdict() {
    let mut n = 0;
    for line in CASES.lines().skip(1) {
        let mut f = line.split('\t');
        let code = f.next().unwrap();
        let expected = f.next().unwrap();
        let why = f.next().unwrap_or("");
        let o = cf::validate_in(code.as_bytes(), None, today());
        let ctx = format!("{code}: {expected} ({why}) -> {o:?}");
        match expected {
            "valid" | "valid (warn at most)" => {
                assert!(o.is_valid(), "{ctx}");
                assert_eq!(o.kind, Some(CfKind::Personal), "{ctx}");
            }
            "valid after uppercasing" => {
                assert!(o.is_valid(), "{ctx}");
                assert!(o.issues.contains(CfIssue::Normalized), "{ctx}");
                assert_eq!(o.normalized(), Some(code.to_uppercase().as_str()));
            }
            "valid (numeric/temporary)" => {
                assert!(o.is_valid(), "{ctx}");
                assert_eq!(o.kind, Some(CfKind::Temporary), "{ctx}");
                assert!(o.issues.contains(CfIssue::Temporary), "{ctx}");
            }
            "invalid" => {
                assert!(!o.is_valid(), "{ctx}");
                assert!(o.issues.contains(CfIssue::Day), "{ctx}");
            }
            "invalid (day 79)" => {
                assert!(!o.is_valid(), "{ctx}");
                assert!(o.issues.contains(CfIssue::Day), "{ctx}");
                // The checksum (sum 293) is computed without overflow.
                assert!(!o.issues.contains(CfIssue::Check), "{ctx}");
            }
            "invalid (unknown place)" => {
                assert!(!o.is_valid(), "{ctx}");
                assert!(o.issues.contains(CfIssue::PlaceUnknown), "{ctx}");
            }
            "place known but expired -> warn" => {
                assert!(o.is_valid(), "{ctx}");
                assert!(o.issues.contains(CfIssue::PlaceValidity), "{ctx}");
            }
            other => panic!("unhandled expectation {other:?} for {code}"),
        }
        n += 1;
    }
    assert_eq!(n, 17);
}

#[test]
fn historic_comuni_warn_but_validate() {
    // Born before the comune's record begins: AdE says valid; a warning only.
    for code in ["CCCFBA30H66F991T", "DBRGRZ53R66F059C"] {
        let o = cf::validate_in(code.as_bytes(), None, today());
        assert!(o.is_valid(), "{code}");
        assert!(o.issues.contains(CfIssue::PlaceValidity), "{code}");
        assert!(!o.issues.has_error(), "{code}");
    }
}
