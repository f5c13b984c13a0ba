//! A plain calendar date, the only date type sidisync needs.
//!
//! SIDI XML carries ISO dates (`yyyy-mm-dd`), CSV files and local exports
//! carry `dd/mm/yyyy` (or whatever a profile says). [`Date`] parses both and
//! rejects dates that do not exist (31 April, 29 February of a common year).

use crate::model::Trimmed;
use std::fmt;

/// A date of the proleptic Gregorian calendar, years 1000..=9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// How a date is written in a text field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `yyyy-mm-dd`
    Iso,
    /// `dd/mm/yyyy` (also accepts `d/m/yyyy`)
    Italian,
    /// A pattern made of `dd`, `mm`, `yyyy` and literal separators, e.g. `dd.mm.yyyy`.
    Pattern(String),
}

impl DateFormat {
    /// Parses a profile's date format: `iso`, `it`, or a `dd/mm/yyyy`-style pattern.
    pub fn from_profile(s: &str) -> Option<DateFormat> {
        match s.trim() {
            "iso" | "yyyy-mm-dd" => Some(DateFormat::Iso),
            "it" | "dd/mm/yyyy" => Some(DateFormat::Italian),
            p if p.contains("dd") && p.contains("mm") && p.contains("yyyy") => {
                Some(DateFormat::Pattern(p.to_string()))
            }
            _ => None,
        }
    }

    /// Parses `s` with this format.
    pub fn parse(&self, s: &str) -> Option<Date> {
        match self {
            DateFormat::Iso => Date::parse_iso(s),
            DateFormat::Italian => Date::parse_it(s),
            DateFormat::Pattern(p) => Date::parse_pattern(s, p),
        }
    }

    /// Writes `d` with this format.
    pub fn format(&self, d: Date) -> String {
        match self {
            DateFormat::Iso => d.to_string(),
            DateFormat::Italian => d.to_italian(),
            DateFormat::Pattern(p) => p
                .replace("yyyy", &format!("{:04}", d.year))
                .replace("mm", &format!("{:02}", d.month))
                .replace("dd", &format!("{:02}", d.day)),
        }
    }
}

#[path = "calendar.rs"]
mod calendar;
pub use calendar::{days_in_month, is_leap};
use calendar::{digits, is_date};

impl Date {
    /// Builds a date, or `None` when it does not exist.
    pub fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        if !is_date(year, month, day) {
            return None;
        }
        Some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Builds a date in a constant context, for the tables `build.rs`
    /// generates (whose dates it already validated like [`Date::parse_iso`]).
    /// Not for other uses: a date that does not exist panics, which in a
    /// `static` is a compile error rather than a wrong table.
    pub(crate) const fn from_ymd_const(year: u16, month: u8, day: u8) -> Date {
        assert!(is_date(year as u32, month as u32, day as u32), "not a date");
        Date { year, month, day }
    }

    pub fn year(self) -> u32 {
        u32::from(self.year)
    }
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Parses `yyyy-mm-dd`; a time part after `T` or a blank is ignored.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let (y, m, d) = calendar::iso_parts(s)?;
        Date::new(y, m, d)
    }

    /// Parses `dd/mm/yyyy` (one-digit day and month accepted).
    pub fn parse_it(s: &str) -> Option<Date> {
        let t = s.trimmed().as_bytes();
        // the usual `dd/mm/yyyy`, read in place (what the split gives it,
        // for a fifth of the work: one date per local pupil)
        if let [d1, d2, b'/', m1, m2, b'/', y1, y2, y3, y4] = *t {
            if [d1, d2, m1, m2, y1, y2, y3, y4]
                .iter()
                .all(u8::is_ascii_digit)
            {
                let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
                return Date::new(n(y1, y2) * 100 + n(y3, y4), n(m1, m2), n(d1, d2));
            }
        }
        Date::parse_it_split(t)
    }

    /// [`Date::parse_it`] of the trimmed `t`, split at its slashes: any
    /// `d/m/yyyy` form. It splits on the byte: `str::split('/')` compares
    /// each match through `memcmp`, a noticeable cost over a school's dates.
    fn parse_it_split(t: &[u8]) -> Option<Date> {
        let mut it = t.split(|&b| b == b'/');
        let d = digits(it.next()?)?;
        let m = digits(it.next()?)?;
        let y = it.next()?;
        if it.next().is_some() || y.len() != 4 {
            return None;
        }
        Date::new(digits(y)?, m, d)
    }

    /// Parses with a pattern of `dd`, `mm`, `yyyy` and literal characters.
    pub fn parse_pattern(s: &str, pattern: &str) -> Option<Date> {
        let s = s.trim().as_bytes();
        let p = pattern.as_bytes();
        let (mut i, mut j) = (0, 0);
        let (mut y, mut m, mut d) = (None, None, None);
        while j < p.len() {
            let rest = &p[j..];
            let (slot, width) = if rest.starts_with(b"yyyy") {
                (&mut y, 4)
            } else if rest.starts_with(b"mm") {
                (&mut m, 2)
            } else if rest.starts_with(b"dd") {
                (&mut d, 2)
            } else {
                if s.get(i) != Some(&p[j]) {
                    return None;
                }
                i += 1;
                j += 1;
                continue;
            };
            *slot = Some(digits(s.get(i..i + width)?)?);
            i += width;
            j += width;
        }
        if i != s.len() {
            return None;
        }
        Date::new(y?, m?, d?)
    }

    /// `dd/mm/yyyy`
    pub fn to_italian(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// Whole years from `self` to `on` (age on a given day).
    pub fn years_until(self, on: Date) -> i32 {
        let mut y = on.year as i32 - self.year as i32;
        if (on.month, on.day) < (self.month, self.day) {
            y -= 1;
        }
        y
    }

    /// Today's date in UTC (from the system clock, or `SOURCE_DATE_EPOCH`).
    pub fn today() -> Date {
        let secs = crate::util::now_epoch_seconds();
        Date::from_epoch_days((secs / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_epoch_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = if m <= 2 { y + 1 } else { y };
        Date {
            year: y.clamp(1000, 9999) as u16,
            month: m as u8,
            day: d as u8,
        }
    }
}

impl fmt::Display for Date {
    /// ISO `yyyy-mm-dd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The `dd/mm/yyyy` fast path answers as the split alone does.
        #[test]
        fn parse_it_fast_path_agrees(s in "[ 0-9/a]{0,3}[0-3][0-9]/[01][0-9]/[0-9]{4}[ 0-9/]{0,2}|[0-9/]{8,12}") {
            proptest::prop_assert_eq!(
                Date::parse_it(&s),
                Date::parse_it_split(s.trimmed().as_bytes())
            );
        }
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Date::parse_iso("2014-05-12"), Date::new(2014, 5, 12));
        assert_eq!(
            Date::parse_iso("2025-10-15T09:30:00"),
            Date::new(2025, 10, 15)
        );
        assert_eq!(Date::parse_it("12/05/2014"), Date::new(2014, 5, 12));
        assert_eq!(Date::parse_it("1/5/2014"), Date::new(2014, 5, 1));
        assert_eq!(Date::parse_it("29/02/2023"), None);
        assert_eq!(Date::parse_it("29/02/2024"), Date::new(2024, 2, 29));
        assert_eq!(Date::parse_it("31/04/2024"), None);
        assert_eq!(Date::parse_iso("2024-13-01"), None);
        assert_eq!(Date::parse_it("12/05/14"), None);
        assert_eq!(
            Date::parse_pattern("12.05.2014", "dd.mm.yyyy"),
            Date::new(2014, 5, 12)
        );
        assert_eq!(
            Date::parse_pattern("20140512", "yyyymmdd"),
            Date::new(2014, 5, 12)
        );
        assert_eq!(Date::parse_pattern("2014051", "yyyymmdd"), None);
    }

    #[test]
    fn epoch_days_and_age() {
        assert_eq!(Date::from_epoch_days(0), Date::new(1970, 1, 1).unwrap());
        assert_eq!(
            Date::from_epoch_days(20_000),
            Date::new(2024, 10, 4).unwrap()
        );
        let b = Date::new(2014, 5, 12).unwrap();
        assert_eq!(b.years_until(Date::new(2025, 5, 11).unwrap()), 10);
        assert_eq!(b.years_until(Date::new(2025, 5, 12).unwrap()), 11);
    }
}
