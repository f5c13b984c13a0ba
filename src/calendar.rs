//! Calendar rules: which dates exist and how `yyyy-mm-dd` splits. Shared,
//! as the same file, by the library (`date`) and `build.rs`, which checks
//! the dates of the tables it generates: plain `core`, nothing from the
//! crate.

/// Whether `year` is a leap year of the Gregorian calendar.
pub const fn is_leap(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days of `month` (1-12) in `year`; 0 for a month out of range.
pub const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether the day exists, in a year of 1000..=9999 (the dates sidisync
/// accepts).
pub const fn is_date(year: u32, month: u32, day: u32) -> bool {
    year >= 1000 && year <= 9999 && day >= 1 && day <= days_in_month(year, month)
}

/// One to four ASCII digits as a number.
pub fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    let mut v = 0u32;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

/// (year, month, day) of `yyyy-mm-dd`, trimmed, a time part after `T` or a
/// blank ignored; not yet checked as a date ([`is_date`]).
pub fn iso_parts(s: &str) -> Option<(u32, u32, u32)> {
    let s = s.trim();
    let s = s.split(['T', ' ']).next().unwrap_or(s);
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Some((digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?))
}
