//! The index of a place code in the embedded places table. Shared, as the
//! same file, by the library (`validate::places`) and `build.rs`, which
//! builds the table: plain `core`, nothing from the crate.

/// Number of slots: 26 letters times 1000 numbers.
pub const SLOTS: usize = 26 * 1000;

/// Slot of a 4-byte code (`A000`..`Z999`), upper case only.
#[inline]
pub fn slot(code: &[u8]) -> Option<usize> {
    if code.len() != 4 || !code[0].is_ascii_uppercase() {
        return None;
    }
    let mut n = 0usize;
    for &b in &code[1..] {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
    }
    Some(usize::from(code[0] - b'A') * 1000 + n)
}
