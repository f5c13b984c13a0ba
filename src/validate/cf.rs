//! The codice fiscale engine: parse, validate, decode and explain personal
//! codes (16 characters) and temporary codes (11 digits).
//!
//! [`validate`] is a plain function over bytes returning a `Copy` outcome: no
//! allocation, suitable for millions of codes. [`record_findings`] compares a
//! code with a pupil record and emits findings; [`explain`] and
//! [`render_text`] serve the `sidisync cf` command.
//!
//! Omocodia: any subset of the seven substitutable positions is accepted (the
//! decree fills from the right, but Agenzia delle Entrate has issued other
//! subsets).

use crate::date::Date;
use crate::findings::{Finding, FindingCode};
use crate::messages::Lang;
use crate::model::Origin;
use crate::model::Trimmed;
use crate::validate::places::{self, Place, PlaceKind};
use serde::Serialize;
use std::sync::OnceLock;

/// Month letters, January first.
pub const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

/// Check character of the first 15 characters of a personal code.
pub fn check_char(first15: &[u8]) -> u8 {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let mut sum = 0u32;
    for (i, &c) in first15.iter().take(15).enumerate() {
        let v = if c.is_ascii_digit() {
            c - b'0'
        } else {
            c.wrapping_sub(b'A')
        } as usize;
        sum += if i % 2 == 0 { ODD[v.min(25)] } else { v as u32 };
    }
    b'A' + (sum % 26) as u8
}

/// The first letters of a name that a codice fiscale can take: up to four
/// consonants (and how many there are in all) and up to three vowels, after
/// [`crate::util::fold_accents`]; other characters are skipped.
struct Letters {
    cons: [u8; 4],
    n_cons: usize,
    vows: [u8; 3],
    n_vows: usize,
}

impl Letters {
    fn of(s: &str) -> Letters {
        let mut l = Letters {
            cons: [0; 4],
            n_cons: 0,
            vows: [0; 3],
            n_vows: 0,
        };
        let upper = s.chars().map(crate::util::fold_char);
        for b in upper.filter(char::is_ascii_uppercase).map(|c| c as u8) {
            if b"AEIOU".contains(&b) {
                if let Some(v) = l.vows.get_mut(l.n_vows) {
                    *v = b;
                }
                l.n_vows += 1;
            } else {
                if let Some(c) = l.cons.get_mut(l.n_cons) {
                    *c = b;
                }
                l.n_cons += 1;
            }
        }
        l
    }

    /// Consonants, then vowels, then `X`s: the first three.
    fn first_three(&self) -> [u8; 3] {
        let cons = &self.cons[..self.n_cons.min(4)];
        let vows = &self.vows[..self.n_vows.min(3)];
        let mut it = cons
            .iter()
            .chain(vows)
            .copied()
            .chain(std::iter::repeat(b'X'));
        [
            it.next().unwrap_or(b'X'),
            it.next().unwrap_or(b'X'),
            it.next().unwrap_or(b'X'),
        ]
    }
}

/// The three surname letters.
pub fn surname_part(cognome: &str) -> [u8; 3] {
    Letters::of(cognome).first_three()
}

/// The three name letters (1st, 3rd, 4th consonant when there are 4 or more).
pub fn name_part(nome: &str) -> [u8; 3] {
    let l = Letters::of(nome);
    if l.n_cons >= 4 {
        return [l.cons[0], l.cons[2], l.cons[3]];
    }
    l.first_three()
}

/// Computes the personal codice fiscale (no omocodia). `sex` is `'M'` or `'F'`;
/// `place` is a Belfiore code or a foreign state's Z-code.
pub fn encode(cognome: &str, nome: &str, birth: Date, sex: char, place: &str) -> String {
    let mut code = [0u8; 16];
    code[0..3].copy_from_slice(&surname_part(cognome));
    code[3..6].copy_from_slice(&name_part(nome));
    let yy = birth.year() % 100;
    code[6] = b'0' + (yy / 10) as u8;
    code[7] = b'0' + (yy % 10) as u8;
    code[8] = MONTHS[(birth.month() - 1) as usize];
    let day = birth.day() + if sex == 'F' { 40 } else { 0 };
    code[9] = b'0' + (day / 10) as u8;
    code[10] = b'0' + (day % 10) as u8;
    let p = place.as_bytes();
    for i in 0..4 {
        code[11 + i] = p.get(i).copied().unwrap_or(b'0').to_ascii_uppercase();
    }
    code[15] = check_char(&code[..15]);
    String::from_utf8_lossy(&code).into_owned()
}

// ---------------------------------------------------------------------------
// Validation engine
// ---------------------------------------------------------------------------

/// The seven positions (0-based) where omocodia may put a letter for a digit.
pub const OMOCODIA_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Substitution letters for the digits 0-9.
pub const OMOCODIA_LETTERS: &[u8; 10] = b"LMNPQRSTUV";

/// Value of a character at an odd (1st, 3rd…) position, or 0xff when the byte
/// is not an upper-case letter or digit.
const ODD_TABLE: [u8; 256] = {
    const ODD: [u8; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = ODD[i];
        if i < 10 {
            t[b'0' as usize + i] = ODD[i];
        }
        i += 1;
    }
    t
};

/// Value at an even position (digits 0-9, letters A=0…Z=25), 0xff otherwise.
const EVEN_TABLE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        if i < 10 {
            t[b'0' as usize + i] = i as u8;
        }
        i += 1;
    }
    t
};

/// Digit value of an omocodia letter (`L`=0 … `V`=9), 0xff otherwise.
const OMO_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[OMOCODIA_LETTERS[i] as usize] = i as u8;
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    t
};

/// Month number (1-12) of a month letter, 0 otherwise.
const MONTH_OF: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 12 {
        t[MONTHS[i] as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

/// Check character of 15 upper-case alphanumeric bytes (table driven; the
/// sum is kept in `u32`, it can exceed 255).
#[inline]
fn check_fast(c: &[u8; 16]) -> u8 {
    let mut sum = 0u32;
    let mut i = 0;
    while i < 15 {
        sum += u32::from(ODD_TABLE[c[i] as usize]);
        if i + 1 < 15 {
            sum += u32::from(EVEN_TABLE[c[i + 1] as usize]);
        }
        i += 2;
    }
    b'A' + (sum % 26) as u8
}

/// Check digit of the first 10 digits of an 11-digit temporary code (as for
/// the partita IVA: digits in even positions doubled, minus 9 above 9).
pub fn temporary_check_digit(first10: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &b) in first10.iter().take(10).enumerate() {
        let d = u32::from(b.wrapping_sub(b'0')).min(9);
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// Personal (16 characters) or temporary (11 digits) code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CfKind {
    Personal,
    Temporary,
}

impl CfKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CfKind::Personal => "personal",
            CfKind::Temporary => "temporary",
        }
    }
}

/// Sex encoded in a personal code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    M,
    F,
}

impl Sex {
    pub fn as_char(self) -> char {
        match self {
            Sex::M => 'M',
            Sex::F => 'F',
        }
    }
    pub fn from_str_opt(s: &str) -> Option<Sex> {
        match s.trimmed() {
            "M" | "m" => Some(Sex::M),
            "F" | "f" => Some(Sex::F),
            _ => None,
        }
    }
}

/// One problem (or notice) about a code. Each maps to a [`FindingCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CfIssue {
    Format = 0,
    Check,
    Month,
    Day,
    PlaceUnknown,
    TemporaryCheck,
    PlaceValidity,
    Normalized,
    Temporary,
}

impl CfIssue {
    const ALL: [CfIssue; 9] = [
        CfIssue::Format,
        CfIssue::Check,
        CfIssue::Month,
        CfIssue::Day,
        CfIssue::PlaceUnknown,
        CfIssue::TemporaryCheck,
        CfIssue::PlaceValidity,
        CfIssue::Normalized,
        CfIssue::Temporary,
    ];
    /// The finding code of this issue.
    pub fn finding_code(self) -> FindingCode {
        match self {
            CfIssue::Format => FindingCode::CfFormat,
            CfIssue::Check => FindingCode::CfCheck,
            CfIssue::Month => FindingCode::CfMonth,
            CfIssue::Day => FindingCode::CfDay,
            CfIssue::PlaceUnknown => FindingCode::CfPlaceUnknown,
            CfIssue::TemporaryCheck => FindingCode::CfTemporaryCheck,
            CfIssue::PlaceValidity => FindingCode::CfPlaceValidity,
            CfIssue::Normalized => FindingCode::CfNormalized,
            CfIssue::Temporary => FindingCode::CfTemporary,
        }
    }
    pub fn is_error(self) -> bool {
        self.finding_code().severity() == crate::findings::Severity::Error
    }
}

/// A set of [`CfIssue`]s (bit set, `Copy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CfIssues(u16);

impl CfIssues {
    const ERRORS: u16 = 0b11_1111;
    #[inline]
    pub fn insert(&mut self, i: CfIssue) {
        self.0 |= 1 << i as u8;
    }
    #[inline]
    pub fn contains(self, i: CfIssue) -> bool {
        self.0 & (1 << i as u8) != 0
    }
    #[inline]
    pub fn has_error(self) -> bool {
        self.0 & Self::ERRORS != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The issues, errors first, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = CfIssue> {
        CfIssue::ALL.into_iter().filter(move |i| self.contains(*i))
    }
}

/// The outcome of validating one code: `Copy`, built without allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CfOutcome {
    /// Personal or temporary; `None` when the input has neither shape.
    pub kind: Option<CfKind>,
    pub issues: CfIssues,
    code: [u8; 16],
    len: u8,
    base: [u8; 16],
    /// Bit `i` set: position `OMOCODIA_POSITIONS[i]` carries a letter.
    pub omocodia_mask: u8,
    /// The check character the first 15 characters call for (personal codes
    /// of valid shape), or the check digit (temporary codes); 0 otherwise.
    pub expected_check: u8,
    /// Decoded birth date (personal codes with a valid month and day).
    pub birth: Option<Date>,
    pub sex: Option<Sex>,
    /// Month letter as found (personal codes of valid shape).
    pub month_letter: u8,
    /// Day digits as decoded (1-31 or 41-71 when valid).
    pub day_number: u8,
    /// The record of the birthplace (the one valid on the birth date, else
    /// the latest one); `None` when unknown.
    pub place: Option<&'static Place>,
}

impl CfOutcome {
    fn empty() -> CfOutcome {
        CfOutcome {
            kind: None,
            issues: CfIssues::default(),
            code: [0; 16],
            len: 0,
            base: [0; 16],
            omocodia_mask: 0,
            expected_check: 0,
            birth: None,
            sex: None,
            month_letter: 0,
            day_number: 0,
            place: None,
        }
    }
    /// No error issue (warnings allowed).
    #[inline]
    pub fn is_valid(&self) -> bool {
        self.kind.is_some() && !self.issues.has_error()
    }
    /// The normalised code (trimmed, upper case) when it has 16 or 11
    /// characters; `None` otherwise.
    pub fn normalized(&self) -> Option<&str> {
        if self.len == 0 {
            return None;
        }
        std::str::from_utf8(&self.code[..self.len as usize]).ok()
    }
    /// The personal code with every substitution undone and the check
    /// character recomputed (personal codes of valid shape).
    pub fn base_code(&self) -> Option<&str> {
        if self.kind != Some(CfKind::Personal) || self.issues.contains(CfIssue::Format) {
            return None;
        }
        std::str::from_utf8(&self.base).ok()
    }
    /// Number of substituted digits.
    pub fn omocodia(&self) -> u32 {
        self.omocodia_mask.count_ones()
    }
    /// The 4-character birthplace code (digits restored).
    pub fn place_code(&self) -> Option<&str> {
        self.base_code().map(|b| &b[11..15])
    }
}

fn cached_today() -> Date {
    static TODAY: OnceLock<Date> = OnceLock::new();
    *TODAY.get_or_init(Date::today)
}

/// Validates a code (personal or temporary) without context: the century of
/// the birth year is the most recent one giving a date not in the future
/// (today as of the first call). No allocation.
#[inline]
pub fn validate(input: &[u8]) -> CfOutcome {
    validate_in(input, None, cached_today())
}

/// Validates with context: when `birth_hint` (the record's birth date) is
/// given, the century is taken from it (the year ending in the code's two
/// digits closest to the hint); else the most recent date not after `today`.
pub fn validate_in(input: &[u8], birth_hint: Option<Date>, today: Date) -> CfOutcome {
    let mut out = CfOutcome::empty();
    // Trim ASCII blanks (and NBSP-free: non-ASCII is a format error).
    let mut s = input;
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    let trimmed = s.len() != input.len();
    match s.len() {
        16 => validate_personal(s, trimmed, birth_hint, today, &mut out),
        11 if s.iter().all(u8::is_ascii_digit) => {
            out.kind = Some(CfKind::Temporary);
            out.code[..11].copy_from_slice(s);
            out.len = 11;
            if trimmed {
                out.issues.insert(CfIssue::Normalized);
            }
            out.issues.insert(CfIssue::Temporary);
            out.expected_check = temporary_check_digit(&s[..10]);
            if out.expected_check != s[10] {
                out.issues.insert(CfIssue::TemporaryCheck);
            }
        }
        _ => {
            out.issues.insert(CfIssue::Format);
        }
    }
    out
}

#[inline]
fn is_letter(b: u8) -> bool {
    b.is_ascii_uppercase()
}

fn validate_personal(
    s: &[u8],
    trimmed: bool,
    hint: Option<Date>,
    today: Date,
    out: &mut CfOutcome,
) {
    out.kind = Some(CfKind::Personal);
    let mut lowered = false;
    for (i, &b) in s.iter().enumerate() {
        let u = b.to_ascii_uppercase();
        lowered |= u != b;
        out.code[i] = u;
    }
    out.len = 16;
    if trimmed || lowered {
        out.issues.insert(CfIssue::Normalized);
    }
    let c = out.code;
    // Shape: letters at 0-5, 8, 11, 15; digit or omocodia letter elsewhere.
    let mut shape_ok = c[..6].iter().all(|&b| is_letter(b))
        && is_letter(c[8])
        && is_letter(c[11])
        && is_letter(c[15]);
    let mut base = c;
    let mut mask = 0u8;
    for (k, &p) in OMOCODIA_POSITIONS.iter().enumerate() {
        let v = OMO_VALUE[c[p] as usize];
        if v == 0xff {
            shape_ok = false;
            break;
        }
        if !c[p].is_ascii_digit() {
            mask |= 1 << k;
        }
        base[p] = b'0' + v;
    }
    if !shape_ok {
        out.issues.insert(CfIssue::Format);
        return;
    }
    out.omocodia_mask = mask;
    out.expected_check = check_fast(&c);
    if c[15] != out.expected_check {
        out.issues.insert(CfIssue::Check);
    }
    base[15] = check_fast(&base);
    out.base = base;

    // Month and day.
    out.month_letter = c[8];
    let month = MONTH_OF[c[8] as usize];
    if month == 0 {
        out.issues.insert(CfIssue::Month);
    }
    let dd = (base[9] - b'0') * 10 + (base[10] - b'0');
    out.day_number = dd;
    let (day, sex) = match dd {
        1..=31 => (dd, Sex::M),
        41..=71 => (dd - 40, Sex::F),
        _ => {
            out.issues.insert(CfIssue::Day);
            (0, Sex::M)
        }
    };
    if day != 0 {
        out.sex = Some(sex);
    }
    let yy = u32::from(base[6] - b'0') * 10 + u32::from(base[7] - b'0');
    if month != 0 && day != 0 {
        let (m, d) = (u32::from(month), u32::from(day));
        let year = match hint {
            Some(h) => {
                let c = h.year() / 100 * 100;
                let mut best = c + yy;
                for cand in [c.saturating_sub(100) + yy, c + 100 + yy] {
                    if cand.abs_diff(h.year()) < best.abs_diff(h.year()) {
                        best = cand;
                    }
                }
                best
            }
            None => {
                let c = today.year() / 100 * 100;
                if (c + yy, m, d) <= (today.year(), today.month(), today.day()) {
                    c + yy
                } else {
                    c - 100 + yy
                }
            }
        };
        match Date::new(year, m, d) {
            Some(date) => out.birth = Some(date),
            None => out.issues.insert(CfIssue::Day),
        }
    }

    // Birthplace.
    let recs = places::lookup_bytes(&base[11..15]);
    if recs.is_empty() {
        out.issues.insert(CfIssue::PlaceUnknown);
    } else {
        let on = out
            .birth
            .and_then(|d| recs.iter().rev().find(|p| p.valid_on(d)));
        if on.is_none() && out.birth.is_some() {
            out.issues.insert(CfIssue::PlaceValidity);
        }
        out.place = on.or(recs.last());
    }
}

/// Applies omocodia to `code`: the digits at the positions selected by `mask`
/// (bit `i` = `OMOCODIA_POSITIONS[i]`) become letters, the others digits, and
/// the check character is recomputed. Works from any variant of the code;
/// input that is not a personal code of valid shape is returned upper-cased
/// and unchanged.
pub fn omocode(code: &str, mask: u8) -> String {
    let t = code.trimmed().to_ascii_uppercase();
    let b = t.as_bytes();
    if b.len() != 16
        || OMOCODIA_POSITIONS
            .iter()
            .any(|&p| OMO_VALUE[b[p] as usize] == 0xff)
    {
        return t;
    }
    let mut c = [0u8; 16];
    c.copy_from_slice(b);
    for (k, &p) in OMOCODIA_POSITIONS.iter().enumerate() {
        let v = OMO_VALUE[c[p] as usize];
        c[p] = if mask & (1 << k) != 0 {
            OMOCODIA_LETTERS[v as usize]
        } else {
            b'0' + v
        };
    }
    c[15] = check_fast(&c);
    String::from_utf8_lossy(&c).into_owned()
}

// ---------------------------------------------------------------------------
// Record consistency and findings
// ---------------------------------------------------------------------------

/// What a pupil record says, to compare with its codice fiscale.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordContext<'a> {
    pub cognome: &'a str,
    pub nome: &'a str,
    /// `M` or `F` as written (anything else is not compared).
    pub sesso: &'a str,
    pub birth: Option<Date>,
    /// Belfiore or Z-code of the birthplace as written (empty: not compared).
    pub luogo: &'a str,
}

const FIELD_CF: &str = "CODICE_FISCALE";

fn place_label(code: &str, birth: Option<Date>) -> String {
    match places::name_on(code, birth) {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    }
}

fn window_label(p: &Place) -> String {
    if !p.window_known {
        return "?".to_string();
    }
    let f = p.valid_from.map(|d| d.to_italian()).unwrap_or_default();
    let t = p.valid_to.map(|d| d.to_italian()).unwrap_or_default();
    format!("{f}-{t}")
}

/// The findings of a code's own issues (no record comparison).
fn outcome_findings(
    input: &str,
    o: &CfOutcome,
    origin: &dyn Fn() -> Option<Origin>,
    record: &dyn Fn() -> String,
    out: &mut Vec<Finding>,
) {
    if o.issues.is_empty() {
        return; // the usual case: nothing to build
    }
    let norm = o.normalized().unwrap_or(input.trimmed()).to_string();
    for issue in o.issues.iter() {
        let f = Finding::new(issue.finding_code(), origin())
            .record(record())
            .field(FIELD_CF);
        let f = match issue {
            CfIssue::Format => f.value(input.trimmed()),
            CfIssue::Check | CfIssue::TemporaryCheck => f
                .value(norm.clone())
                .expected((o.expected_check as char).to_string()),
            CfIssue::Month => f
                .value((o.month_letter as char).to_string())
                .expected(std::str::from_utf8(MONTHS).unwrap_or_default()),
            CfIssue::Day => {
                let v = if o.issues.contains(CfIssue::Month)
                    || !matches!(o.day_number, 1..=31 | 41..=71)
                {
                    format!("{:02}", o.day_number)
                } else {
                    let m = MONTH_OF[o.month_letter as usize];
                    let d = o.day_number % 40;
                    let yy = &o.base[6..8];
                    format!("{d:02}/{m:02}/{}", String::from_utf8_lossy(yy))
                };
                f.value(v).expected("01-31, 41-71")
            }
            CfIssue::PlaceUnknown => f.value(o.place_code().unwrap_or_default()),
            CfIssue::PlaceValidity => {
                let v = o
                    .place
                    .map(|p| format!("{} {} [{}]", p.code, p.name, window_label(p)))
                    .unwrap_or_default();
                f.value(v)
                    .expected(o.birth.map(|d| d.to_italian()).unwrap_or_default())
            }
            CfIssue::Normalized => f.value(input).expected(norm.clone()),
            CfIssue::Temporary => f.value(norm.clone()),
        };
        out.push(f);
    }
}

/// Validates `input` as the codice fiscale of the record described by `ctx`
/// and pushes findings: the code's own errors and warnings, then (for a valid
/// personal code) one warning per part that disagrees with the record, with
/// the part found in the code as `value` and the record's as `expected`.
/// `origin` and `record` (the record's identity) are asked for only when a
/// finding is made.
pub fn record_findings(
    input: &str,
    ctx: &RecordContext,
    origin: &dyn Fn() -> Option<Origin>,
    record: &dyn Fn() -> String,
    out: &mut Vec<Finding>,
) {
    let o = validate_in(input.as_bytes(), ctx.birth, cached_today());
    consistency(input, &o, ctx, origin, record, out);
}

fn consistency(
    input: &str,
    o: &CfOutcome,
    ctx: &RecordContext,
    origin: &dyn Fn() -> Option<Origin>,
    record: &dyn Fn() -> String,
    out: &mut Vec<Finding>,
) {
    outcome_findings(input, o, origin, record, out);
    if o.kind != Some(CfKind::Personal) || o.issues.has_error() {
        return;
    }
    let code = &o.code;
    let mk = |c: FindingCode, v: String, e: String| {
        Finding::new(c, origin())
            .record(record())
            .field(FIELD_CF)
            .value(v)
            .expected(e)
    };
    if !ctx.cognome.trimmed().is_empty() {
        let want = surname_part(ctx.cognome);
        if code[0..3] != want {
            out.push(mk(
                FindingCode::CfMismatchCognome,
                String::from_utf8_lossy(&code[0..3]).into_owned(),
                String::from_utf8_lossy(&want).into_owned(),
            ));
        }
    }
    if !ctx.nome.trimmed().is_empty() {
        let want = name_part(ctx.nome);
        if code[3..6] != want {
            out.push(mk(
                FindingCode::CfMismatchNome,
                String::from_utf8_lossy(&code[3..6]).into_owned(),
                String::from_utf8_lossy(&want).into_owned(),
            ));
        }
    }
    if let (Some(found), Some(want)) = (o.birth, ctx.birth) {
        if found != want {
            out.push(mk(
                FindingCode::CfMismatchData,
                found.to_italian(),
                want.to_italian(),
            ));
        }
    }
    if let (Some(found), Some(want)) = (o.sex, Sex::from_str_opt(ctx.sesso)) {
        if found != want {
            out.push(mk(
                FindingCode::CfMismatchSesso,
                found.as_char().to_string(),
                want.as_char().to_string(),
            ));
        }
    }
    let luogo = ctx.luogo.trimmed().to_ascii_uppercase();
    if let Some(pc) = o.place_code() {
        if !luogo.is_empty() && luogo != pc {
            out.push(mk(
                FindingCode::CfMismatchLuogo,
                place_label(pc, o.birth),
                place_label(&luogo, ctx.birth),
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Explanation (the `cf` command)
// ---------------------------------------------------------------------------

/// One error or warning of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CfMessage {
    pub code: &'static str,
    pub message: String,
}

/// Everything `sidisync cf` says about one code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CfReport {
    pub input: String,
    /// Trimmed and upper-cased.
    pub normalized: String,
    pub valid: bool,
    /// `personal` or `temporary`.
    pub kind: &'static str,
    pub errors: Vec<CfMessage>,
    pub warnings: Vec<CfMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_province: Option<String>,
    /// `comune` or `state`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub omocodia: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_code: Option<String>,
}

/// Validates and decodes `input`, comparing it with `ctx` when given; the
/// messages are rendered in `lang`. `today` resolves the century when no
/// context gives the birth date.
pub fn explain(input: &str, ctx: Option<&RecordContext>, today: Date, lang: Lang) -> CfReport {
    let o = validate_in(input.as_bytes(), ctx.and_then(|c| c.birth), today);
    let mut findings = Vec::new();
    match ctx {
        Some(c) => consistency(input, &o, c, &|| None, &String::new, &mut findings),
        None => outcome_findings(input, &o, &|| None, &String::new, &mut findings),
    }
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for f in &findings {
        let m = CfMessage {
            code: f.code.code(),
            message: f.message(lang),
        };
        if f.is_error() {
            errors.push(m);
        } else {
            warnings.push(m);
        }
    }
    let trimmed = input.trimmed();
    let kind = match o.kind {
        Some(k) => k,
        None if trimmed.len() == 11 && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
            CfKind::Temporary
        }
        None => CfKind::Personal,
    };
    let valid = o.is_valid();
    let personal_ok = valid && o.kind == Some(CfKind::Personal);
    let place = if personal_ok { o.place } else { None };
    CfReport {
        input: input.to_string(),
        normalized: o
            .normalized()
            .map(str::to_string)
            .unwrap_or_else(|| trimmed.to_uppercase()),
        valid,
        kind: kind.as_str(),
        errors,
        warnings,
        birth_date: o.birth.filter(|_| personal_ok).map(|d| d.to_string()),
        sex: o
            .sex
            .filter(|_| personal_ok)
            .map(|s| s.as_char().to_string()),
        place_code: place.map(|p| p.code.to_string()),
        place_name: place.map(|p| p.name.to_string()),
        place_province: place
            .filter(|p| !p.province.is_empty())
            .map(|p| p.province.to_string()),
        place_kind: place.map(|p| match p.kind {
            PlaceKind::Comune => "comune",
            PlaceKind::State => "state",
        }),
        omocodia: personal_ok.then(|| o.omocodia()),
        base_code: o.base_code().filter(|_| personal_ok).map(str::to_string),
    }
}

/// A multi-line explanation of a report for people (Italian or English).
pub fn render_text(report: &CfReport, lang: Lang) -> String {
    use crate::messages::Ui;
    use std::fmt::Write;
    let l = |u: Ui| u.text(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}", l(Ui::CfCode), report.input.trimmed());
    let verdict = match (report.valid, report.kind) {
        (true, "temporary") => l(Ui::CfValidTemporary),
        (true, _) => l(Ui::CfValid),
        (false, _) => l(Ui::CfNotValid),
    };
    let _ = writeln!(s, "  {}: {}", l(Ui::CfVerdict), verdict);
    if report.normalized != report.input {
        let _ = writeln!(s, "  {}: {}", l(Ui::CfNormalised), report.normalized);
    }
    if let Some(d) = report.birth_date.as_deref().and_then(Date::parse_iso) {
        let _ = writeln!(s, "  {}: {}", l(Ui::CfBirthDate), d.to_italian());
    }
    if let Some(x) = &report.sex {
        let sx = match x.as_str() {
            "F" => l(Ui::CfFemale),
            _ => l(Ui::CfMale),
        };
        let _ = writeln!(s, "  {}: {}", l(Ui::CfSex), sx);
    }
    if let (Some(c), Some(n)) = (&report.place_code, &report.place_name) {
        let extra = match (&report.place_province, report.place_kind) {
            (Some(p), _) => format!(" ({p})"),
            (None, Some("state")) => format!(" ({})", l(Ui::CfForeignState)),
            _ => String::new(),
        };
        let _ = writeln!(s, "  {}: {} {}{}", l(Ui::CfBirthplace), c, n, extra);
    }
    if let Some(n) = report.omocodia {
        let _ = writeln!(s, "  {}: {}", l(Ui::CfOmocodia), n);
    }
    if let (Some(b), Some(n)) = (&report.base_code, report.omocodia) {
        if n > 0 {
            let _ = writeln!(s, "  {}: {}", l(Ui::CfBaseCode), b);
        }
    }
    for (title, list) in [
        (l(Ui::CfErrors), &report.errors),
        (l(Ui::CfWarnings), &report.warnings),
    ] {
        if !list.is_empty() {
            let _ = writeln!(s, "  {title}:");
            for m in list {
                let _ = writeln!(s, "    - [{}] {}", m.code, m.message);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u32, m: u32, dd: u32) -> Date {
        Date::new(y, m, dd).unwrap()
    }
    fn today() -> Date {
        d(2025, 10, 15)
    }
    fn v(s: &str) -> CfOutcome {
        validate_in(s.as_bytes(), None, today())
    }

    #[test]
    fn encodes_reference_example() {
        let d = Date::new(2014, 5, 12).unwrap();
        assert_eq!(
            &encode("Rossi", "Maria", d, 'F', "H501")[..15],
            "RSSMRA14E52H501"
        );
        assert_eq!(name_part("Gianfranco"), *b"GFR");
        assert_eq!(surname_part("Fo"), *b"FOX");
        assert_eq!(check_char(b"CCCFBA85D03L219"), b'P');
    }

    /// The name letters as first written: fold the whole name, then split
    /// its ASCII capitals into consonants and vowels.
    fn parts_reference(s: &str, name: bool) -> [u8; 3] {
        let folded = crate::util::fold_accents(s);
        let (mut c, mut v) = (Vec::new(), Vec::new());
        for b in folded.bytes().filter(u8::is_ascii_uppercase) {
            if b"AEIOU".contains(&b) {
                v.push(b);
            } else {
                c.push(b);
            }
        }
        if name && c.len() >= 4 {
            return [c[0], c[2], c[3]];
        }
        let mut it = c.into_iter().chain(v).chain(std::iter::repeat(b'X'));
        [it.next().unwrap(), it.next().unwrap(), it.next().unwrap()]
    }

    proptest::proptest! {
        #[test]
        fn name_letters_match_the_reference(s in "[a-zA-Z' ÀÈÉÌÒÙàèéìòùßÇñ-]{0,24}") {
            proptest::prop_assert_eq!(surname_part(&s), parts_reference(&s, false));
            proptest::prop_assert_eq!(name_part(&s), parts_reference(&s, true));
        }
    }

    #[test]
    fn name_letters_of_real_names() {
        for s in [
            "D'Amico",
            "Nicolò",
            "Zoè",
            "Gianfranco",
            "Fo",
            "",
            "Ai",
            "Maria Teresa",
            "Strzelczyk",
            "Oé",
        ] {
            assert_eq!(surname_part(s), parts_reference(s, false), "{s}");
            assert_eq!(name_part(s), parts_reference(s, true), "{s}");
        }
    }

    #[test]
    fn fast_check_matches_reference_check() {
        let mut c = *b"CCCFBA85D03L219P";
        assert_eq!(check_fast(&c), check_char(&c[..15]));
        c = *b"XZXZXZ99M79Z909H";
        assert_eq!(check_fast(&c), check_char(&c[..15]));
        assert_eq!(check_fast(&c), b'H');
    }

    #[test]
    fn decodes_a_valid_code() {
        let o = v("CCCFBA85D03L219P");
        assert!(o.is_valid());
        assert!(o.issues.is_empty());
        assert_eq!(o.kind, Some(CfKind::Personal));
        assert_eq!(o.birth, Some(d(1985, 4, 3)));
        assert_eq!(o.sex, Some(Sex::M));
        assert_eq!(o.place.unwrap().name, "Torino");
        assert_eq!(o.omocodia(), 0);
        assert_eq!(o.base_code(), Some("CCCFBA85D03L219P"));
    }

    #[test]
    fn century_from_today_or_context() {
        assert_eq!(v("RSSMRA14E52H501X").birth.map(|b| b.year()), Some(2014));
        assert_eq!(v("RSSMRA30E52H501U").birth.map(|b| b.year()), Some(1930));
        let o = validate_in(b"RSSMRA14E52H501X", Some(d(1914, 1, 1)), today());
        assert_eq!(o.birth, Some(d(1914, 5, 12)));
        // A hint in another century: the closest year ending in 99.
        let o = validate_in(b"RSSMRA99E52H501V", Some(d(2001, 1, 1)), today());
        assert_eq!(o.birth.map(|b| b.year()), Some(1999));
    }

    #[test]
    fn omocodia_any_subset() {
        let base = "CCCFBA85D03L219P";
        for mask in 0..128u8 {
            let c = omocode(base, mask);
            let o = v(&c);
            assert!(o.is_valid(), "{c}");
            assert_eq!(o.base_code(), Some(base));
            assert_eq!(o.omocodia_mask, mask);
            assert_eq!(o.omocodia(), mask.count_ones());
            // From any variant back to any other.
            assert_eq!(omocode(&c, 0), base);
        }
        assert_eq!(omocode(base, 0b100_0000), "CCCFBA85D03L21VE");
        assert!(v("CNTFNC84R44H5L1E").is_valid());
        assert!(v("LMRBHM74A01Z3P0U").is_valid());
        // A non-omocodia letter in a digit position is a format error.
        assert!(v("CCCFBA85D03L21AE").issues.contains(CfIssue::Format));
    }

    #[test]
    fn errors_are_reported() {
        assert!(v("CCCFBA85D03L219B").issues.contains(CfIssue::Check));
        assert_eq!(v("CCCFBA85D03L219B").expected_check, b'P');
        assert!(v("RSSMRA80A35H501K").issues.contains(CfIssue::Day));
        assert!(v("RSSMRA80A81H501C").issues.contains(CfIssue::Day));
        assert!(v("RSSMRA81B29H501R").issues.contains(CfIssue::Day));
        assert!(v("RSSMRA80A01A000C").issues.contains(CfIssue::PlaceUnknown));
        let bad_month = omocode("RSSMRA80F01H501X", 0);
        assert!(v(&bad_month).issues.contains(CfIssue::Month));
        assert!(v("CCCFBA85D03L219").issues.contains(CfIssue::Format));
        assert!(v("CCCFBA85D03L219PP").issues.contains(CfIssue::Format));
        assert!(v("CCC FBA85D03L219P").issues.contains(CfIssue::Format));
        assert!(v("").issues.contains(CfIssue::Format));
        assert!(v("ÀCCFBA85D03L219P").issues.contains(CfIssue::Format));
        assert!(!v("XZXZXZ99M79Z909H").is_valid());
    }

    #[test]
    fn normalisation_and_temporary_codes() {
        let o = v("  cccfba85d03l219p ");
        assert!(o.is_valid());
        assert!(o.issues.contains(CfIssue::Normalized));
        assert_eq!(o.normalized(), Some("CCCFBA85D03L219P"));
        let t = v("00743110157");
        assert!(t.is_valid());
        assert_eq!(t.kind, Some(CfKind::Temporary));
        assert!(t.issues.contains(CfIssue::Temporary));
        let t = v("00743110158");
        assert!(!t.is_valid());
        assert!(t.issues.contains(CfIssue::TemporaryCheck));
        assert_eq!(t.expected_check, b'7');
    }

    #[test]
    fn place_validity_is_a_warning() {
        let o = v("CCCFBA30H66F991T");
        assert!(o.is_valid());
        assert!(o.issues.contains(CfIssue::PlaceValidity));
        assert_eq!(o.place.unwrap().name, "Nuxis");
        let o = v("DBRGRZ53R66F059C");
        assert!(o.is_valid());
        assert!(o.issues.contains(CfIssue::PlaceValidity));
    }

    #[test]
    fn record_consistency_warnings() {
        let code = encode("Rossi", "Maria", d(2014, 5, 12), 'F', "H501");
        let ctx = RecordContext {
            cognome: "Rossi",
            nome: "Maria",
            sesso: "F",
            birth: Some(d(2014, 5, 12)),
            luogo: "H501",
        };
        let mut out = Vec::new();
        record_findings(&code, &ctx, &|| None, &|| "1".into(), &mut out);
        assert!(out.is_empty(), "{out:?}");
        let ctx2 = RecordContext {
            cognome: "Bianchi",
            nome: "Marta",
            sesso: "M",
            birth: Some(d(2014, 5, 13)),
            luogo: "F205",
        };
        record_findings(&code, &ctx2, &|| None, &|| "1".into(), &mut out);
        let codes: Vec<_> = out.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                FindingCode::CfMismatchCognome,
                FindingCode::CfMismatchNome,
                FindingCode::CfMismatchData,
                FindingCode::CfMismatchSesso,
                FindingCode::CfMismatchLuogo
            ]
        );
        assert!(out.iter().all(|f| !f.is_error()));
        assert_eq!(out[0].value, "RSS");
        assert_eq!(out[0].expected, "BNC");
        assert_eq!(out[1].expected, "MRT");
        assert_eq!(out[4].value, "H501 Roma");
        assert_eq!(out[4].expected, "F205 Milano");
    }

    #[test]
    fn explain_and_render() {
        let r = explain("CCCFBA85D03L21VE", None, today(), Lang::En);
        assert!(r.valid);
        assert_eq!(r.kind, "personal");
        assert_eq!(r.birth_date.as_deref(), Some("1985-04-03"));
        assert_eq!(r.place_name.as_deref(), Some("Torino"));
        assert_eq!(r.omocodia, Some(1));
        assert_eq!(r.base_code.as_deref(), Some("CCCFBA85D03L219P"));
        let t = render_text(&r, Lang::It);
        assert!(t.contains("Torino (TO)"), "{t}");
        assert!(t.contains("03/04/1985"));
        let r = explain("RSSMRA80A35H501K", None, today(), Lang::It);
        assert!(!r.valid);
        assert_eq!(r.errors[0].code, "CF_DAY");
        assert!(r.birth_date.is_none());
        let j = serde_json::to_string(&r).unwrap();
        assert!(j.contains("\"valid\":false"));
    }
}
