//! The codice fiscale engine (seed: encoding only; validation to be written).

use crate::date::Date;

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

fn letters(s: &str) -> (Vec<u8>, Vec<u8>) {
    let folded = crate::util::fold_accents(s);
    let mut cons = Vec::new();
    let mut vows = Vec::new();
    for b in folded.bytes().filter(u8::is_ascii_uppercase) {
        if b"AEIOU".contains(&b) {
            vows.push(b);
        } else {
            cons.push(b);
        }
    }
    (cons, vows)
}

/// The three surname letters.
pub fn surname_part(cognome: &str) -> [u8; 3] {
    let (c, v) = letters(cognome);
    let mut it = c.into_iter().chain(v).chain(std::iter::repeat(b'X'));
    [
        it.next().unwrap_or(b'X'),
        it.next().unwrap_or(b'X'),
        it.next().unwrap_or(b'X'),
    ]
}

/// The three name letters (1st, 3rd, 4th consonant when there are 4 or more).
pub fn name_part(nome: &str) -> [u8; 3] {
    let (c, v) = letters(nome);
    if c.len() >= 4 {
        return [c[0], c[2], c[3]];
    }
    let mut it = c.into_iter().chain(v).chain(std::iter::repeat(b'X'));
    [
        it.next().unwrap_or(b'X'),
        it.next().unwrap_or(b'X'),
        it.next().unwrap_or(b'X'),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
