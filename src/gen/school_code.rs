//! Check character of a codice meccanografico for generated codes: the rule
//! of [`crate::validate::school_code::expected_check`] (REFERENCE.md).

/// The check character for the first nine characters of a school code, or
/// `None` when they hold characters outside the scheme.
pub fn school_check_char(first9: &str) -> Option<char> {
    let b = first9.as_bytes();
    if b.len() < 9
        || !b[..9]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return None;
    }
    // The rule lives in validation; any tenth character will do there.
    crate::validate::school_code::expected_check(&format!("{}0", &first9[..9]))
}

/// `first9` followed by its check character.
pub fn with_check(first9: &str) -> String {
    let c = school_check_char(first9).unwrap_or('X');
    format!("{first9}{c}")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn real_codes() {
        for code in [
            "AG1A00400N",
            "RMEE804019",
            "RMMM804018",
            "RMAA804014",
            "TBIC82900P",
            "TNTD00301L",
            "IBEE816079",
        ] {
            assert_eq!(school_check_char(&code[..9]), code.chars().nth(9), "{code}");
        }
        assert_eq!(school_check_char("RM!C80400"), None);
        assert_eq!(school_check_char("RM"), None);
    }
}
