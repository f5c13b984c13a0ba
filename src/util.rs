//! Small shared helpers: clock, hashing, text.

use sha2::{Digest, Sha256};

/// Seconds since the Unix epoch: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds convention), else the system clock.
pub fn now_epoch_seconds() -> u64 {
    if let Some(s) = std::env::var_os("SOURCE_DATE_EPOCH") {
        if let Some(v) = s.to_str().and_then(|s| s.trim().parse::<u64>().ok()) {
            return v;
        }
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `yyyy-mm-ddThh:mm:ssZ` for epoch seconds.
pub fn format_timestamp(secs: u64) -> String {
    let d = crate::date::Date::from_epoch_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!("{}T{:02}:{:02}:{:02}Z", d, s / 3600, (s / 60) % 60, s % 60)
}

/// Lower-case hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// Drops `v` on a short-lived thread, so that freeing a large structure
/// (a school's model: hundreds of thousands of small strings) does not
/// delay the caller. Falls back to dropping here when no thread can be
/// started. A process that exits first simply leaves the freeing to the OS.
pub fn drop_in_background<T: Send + 'static>(v: T) {
    // When the thread cannot be started, the closure (and `v` with it) is
    // dropped right here.
    let _ = std::thread::Builder::new()
        .name("sidisync-drop".into())
        .spawn(move || drop(v));
}

/// Upper-cases and strips accents for comparing Italian names letter by letter
/// (`NICOLÒ` -> `NICOLO`), keeping other characters.
pub fn fold_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'À' | 'Á' | 'Â' | 'Ä' | 'à' | 'á' | 'â' | 'ä' => 'A',
            'È' | 'É' | 'Ê' | 'Ë' | 'è' | 'é' | 'ê' | 'ë' => 'E',
            'Ì' | 'Í' | 'Î' | 'Ï' | 'ì' | 'í' | 'î' | 'ï' => 'I',
            'Ò' | 'Ó' | 'Ô' | 'Ö' | 'ò' | 'ó' | 'ô' | 'ö' => 'O',
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'ù' | 'ú' | 'û' | 'ü' => 'U',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn timestamp_and_hex() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_760_520_600), "2025-10-15T09:30:00Z");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(fold_accents("Nicolò Zoè"), "NICOLO ZOE");
    }
}
