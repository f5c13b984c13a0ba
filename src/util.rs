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
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        let [hi, lo] = hex_byte(b);
        s.push(hi as char);
        s.push(lo as char);
    }
    s
}

/// The two lower-case hex digits of `b`.
pub fn hex_byte(b: u8) -> [u8; 2] {
    const H: &[u8; 16] = b"0123456789abcdef";
    [H[(b >> 4) as usize], H[(b & 15) as usize]]
}

/// A fast hasher for the hash maps of the hot paths (matching, validation,
/// the local reader): keys are short strings (codici fiscali, ids, class
/// keys) for which SipHash costs more than the lookups themselves.
///
/// Words of 8 bytes are folded with a multiply-rotate step (as FxHash does)
/// and the result goes through a full 64-bit finaliser, so every bit of the
/// key reaches the bits hashbrown uses. The initial state is random per
/// process (taken from std's `RandomState`), so bucket layouts cannot be
/// predicted from outside; iteration order is not stable across runs (as
/// with std's default hasher), and nothing relies on it.
#[derive(Clone, Copy, Debug)]
pub struct FastState(u64);

/// A `HashMap` with [`FastState`]: build with `default()` or
/// `with_capacity_and_hasher(n, Default::default())`.
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastState>;
/// A `HashSet` with [`FastState`].
pub type FastSet<K> = std::collections::HashSet<K, FastState>;

impl Default for FastState {
    fn default() -> FastState {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::OnceLock;
        static SEED: OnceLock<u64> = OnceLock::new();
        FastState(*SEED.get_or_init(|| {
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        }))
    }
}

impl std::hash::BuildHasher for FastState {
    type Hasher = FastHasher;
    #[inline]
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// The hasher of [`FastState`].
#[derive(Clone, Copy, Debug)]
pub struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // the length keeps "a" and "a\0" apart
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's fmix64
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

/// A hash table of positions into a list of records that hold the keys:
/// 4 bytes a key instead of a copy of it (or a borrowed string), so that
/// the tables of the hot paths (the local pupils by codice fiscale, the
/// duplicate checks, the report's key slots) stay small in the cache. Every
/// call is given `key_of`, the key of the record at a position; the table
/// is only used with the list it was filled from.
#[derive(Clone, Debug, Default)]
pub struct Positions {
    table: hashbrown::HashTable<u32>,
    state: FastState,
}

impl Positions {
    /// An empty table with room for `n` positions.
    pub fn with_capacity(n: usize) -> Positions {
        Positions {
            table: hashbrown::HashTable::with_capacity(n),
            state: FastState::default(),
        }
    }

    /// Records position `at` under `key` unless an earlier position has the
    /// same key: that position, if any (one probe either way).
    pub fn first<K: AsRef<str>>(
        &mut self,
        key: &str,
        at: usize,
        key_of: impl Fn(usize) -> K,
    ) -> Option<usize> {
        use std::hash::BuildHasher;
        let s = self.state;
        let entry = self.table.entry(
            s.hash_one(key),
            |&i| key_of(i as usize).as_ref() == key,
            |&i| s.hash_one(key_of(i as usize).as_ref()),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => Some(*e.get() as usize),
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(at as u32);
                None
            }
        }
    }

    /// The position recorded under `key`.
    pub fn find<K: AsRef<str>>(&self, key: &str, key_of: impl Fn(usize) -> K) -> Option<usize> {
        use std::hash::BuildHasher;
        self.table
            .find(self.state.hash_one(key), |&i| {
                key_of(i as usize).as_ref() == key
            })
            .map(|&i| i as usize)
    }
}

/// Appends the items of `parts` to `dst`, in order, moving each part on
/// its own rayon task into its place: the chunks of a large export join
/// into one list on every core (on one thread, moving 60,000 pupils into
/// fresh memory is a noticeable single-core stretch at the end of a read).
pub fn append_parts<T: Send>(dst: &mut Vec<T>, parts: Vec<Vec<T>>) {
    use rayon::prelude::*;
    let start = dst.len();
    let places = spare_places(dst, parts.iter().map(Vec::len));
    let total: usize = places.iter().map(|p| p.len()).sum();
    places.into_par_iter().zip(parts).for_each(|(place, part)| {
        for (slot, item) in place.iter_mut().zip(part) {
            slot.write(item);
        }
    });
    // SAFETY: the places cover the first `total` spare slots of `dst`
    // exactly, each as long as its part, and every slot was written above.
    // A panic there propagates before this line: what was moved leaks, no
    // unwritten slot is ever exposed.
    unsafe { dst.set_len(start + total) };
}

/// One bit per byte of the sixteen at `i` (`i + 16 <= b.len()`): whether
/// it is one of `set`. SSE2, part of every x86-64 processor: sixteen
/// bytes in a handful of instructions, for the readers' byte searches.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn mask16<const N: usize>(b: &[u8], i: usize, set: [u8; N]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    assert!(i + 16 <= b.len());
    // SAFETY: SSE2 is part of x86-64; the load reads the 16 bytes at `i`,
    // inside `b` (asserted above).
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
        let mut hits = _mm_setzero_si128();
        for c in set {
            hits = _mm_or_si128(hits, _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
        }
        _mm_movemask_epi8(hits) as u32
    }
}

/// One bit per byte of the sixteen at `i` (`i + 16 <= b.len()`): whether
/// it is below `below` (unsigned). SSE2, as [`mask16`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn mask16_below(b: &[u8], i: usize, below: u8) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_set1_epi8,
    };
    assert!(i + 16 <= b.len());
    // SAFETY: SSE2 is part of x86-64; the load reads the 16 bytes at `i`,
    // inside `b` (asserted above).
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
        // a byte is at least `below` where the larger of the two is itself
        let at_least = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(below as i8)), v);
        !(_mm_movemask_epi8(at_least) as u32) & 0xFFFF
    }
}

/// Room in `v` for pieces of the given lengths, after its items: the first
/// spare places of `v` (reserved here), cut into consecutive slices, one
/// per length, to be written side by side before `set_len` takes them in.
pub fn spare_places<T>(
    v: &mut Vec<T>,
    lens: impl ExactSizeIterator<Item = usize> + Clone,
) -> Vec<&mut [std::mem::MaybeUninit<T>]> {
    let total: usize = lens.clone().sum();
    v.reserve(total);
    let mut rest = &mut v.spare_capacity_mut()[..total];
    let mut places = Vec::with_capacity(lens.len());
    for n in lens {
        let (here, after) = std::mem::take(&mut rest).split_at_mut(n);
        places.push(here);
        rest = after;
    }
    places
}

/// Drops `v` on a short-lived thread, so that freeing a large structure
/// (a school's model: hundreds of thousands of small strings) does not
/// delay the caller. Falls back to dropping here when no thread can be
/// started. A process that exits first simply leaves the freeing to the OS.
///
/// Inside a rayon pool (`bulk`, many schools at once) it drops in place:
/// there the other workers keep the cores busy anyway, and freeing inline
/// keeps memory bounded by the schools in flight.
pub fn drop_in_background<T: Send + 'static>(v: T) {
    if rayon::current_thread_index().is_some() {
        drop(v);
        return;
    }
    // When the thread cannot be started, the closure (and `v` with it) is
    // dropped right here.
    let _ = std::thread::Builder::new()
        .name("sidisync-drop".into())
        .spawn(move || drop(v));
}

/// A set of bytes a writer must escape or quote for (every byte below
/// `below` and some others), as a table built at compile time:
/// `const S: ByteSet = ByteSet::new(0x20, b"\"\\");`. Most texts a writer
/// escapes are a few bytes long: a table look-up per byte beats both
/// comparing with each byte of the set and testing eight bytes at a time
/// (measured on the patch writers: a word-at-a-time test cost 10-15 %
/// more instructions on their short strings).
pub struct ByteSet {
    table: [bool; 256],
}

impl ByteSet {
    pub const fn new(below: u8, others: &[u8]) -> ByteSet {
        let mut table = [false; 256];
        let mut b = 0;
        while b < below as usize {
            table[b] = true;
            b += 1;
        }
        let mut i = 0;
        while i < others.len() {
            table[others[i] as usize] = true;
            i += 1;
        }
        ByteSet { table }
    }

    /// Whether byte `b` is in the set.
    #[inline]
    pub fn has(&self, b: u8) -> bool {
        self.table[b as usize]
    }

    /// The position of the first byte of `b` in the set.
    #[inline]
    pub fn first_in(&self, b: &[u8]) -> Option<usize> {
        b.iter().position(|&c| self.has(c))
    }
}

/// Upper-cases and strips accents for comparing Italian names letter by letter
/// (`NICOLÒ` -> `NICOLO`), keeping other characters.
pub fn fold_accents(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// [`fold_accents`] of one character.
#[inline]
pub fn fold_char(c: char) -> char {
    match c {
        'À' | 'Á' | 'Â' | 'Ä' | 'à' | 'á' | 'â' | 'ä' => 'A',
        'È' | 'É' | 'Ê' | 'Ë' | 'è' | 'é' | 'ê' | 'ë' => 'E',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'ì' | 'í' | 'î' | 'ï' => 'I',
        'Ò' | 'Ó' | 'Ô' | 'Ö' | 'ò' | 'ó' | 'ô' | 'ö' => 'O',
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'ù' | 'ú' | 'û' | 'ü' => 'U',
        c => c.to_ascii_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn mask16_below_marks_the_bytes_below() {
        let b: Vec<u8> = (0..=255u8).chain(0..16).collect();
        for below in [0u8, 1, 0x20, 0x7f, 0x80, 0xff] {
            for i in 0..=b.len() - 16 {
                let naive = (0..16).fold(0u32, |m, k| m | (u32::from(b[i + k] < below) << k));
                assert_eq!(mask16_below(&b, i, below), naive, "{below} at {i}");
            }
        }
    }

    #[test]
    fn append_parts_keeps_the_order() {
        let parts: Vec<Vec<String>> = (0..40)
            .map(|p| (0..(p * 37) % 11).map(|i| format!("{p}-{i}")).collect())
            .collect();
        let mut want = vec!["head".to_string()];
        want.extend(parts.iter().flatten().cloned());
        let mut got = vec!["head".to_string()];
        super::append_parts(&mut got, parts);
        assert_eq!(got, want);
        let mut none: Vec<String> = Vec::new();
        super::append_parts(&mut none, vec![Vec::new(), Vec::new()]);
        assert!(none.is_empty());
    }

    #[test]
    fn byte_set_holds_what_it_was_given() {
        const S: ByteSet = ByteSet::new(0x20, b"\"\\\xef");
        let inside: Vec<u8> = (0..=255u8).filter(|&b| S.has(b)).collect();
        let mut want: Vec<u8> = (0..0x20).collect();
        want.extend([b'"', b'\\', 0xef]);
        want.sort_unstable();
        assert_eq!(inside, want);
        assert_eq!(S.first_in(b"abc \x7f\xe9\\x\""), Some(6));
        assert_eq!(S.first_in(b"plain"), None);
        assert_eq!(ByteSet::new(0, b"").first_in(b"\0;\n"), None);
    }

    #[test]
    fn timestamp_and_hex() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_760_520_600), "2025-10-15T09:30:00Z");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(fold_accents("Nicolò Zoè"), "NICOLO ZOE");
    }

    #[test]
    fn positions_keep_the_first_of_each_key() {
        let keys: Vec<String> = (0..3000).map(|i| format!("K{}", i % 1000)).collect();
        // room for one: the table grows (and rehashes) on the way
        let mut p = Positions::with_capacity(1);
        for (i, k) in keys.iter().enumerate() {
            let want = (i >= 1000).then_some(i % 1000);
            assert_eq!(p.first(k, i, |j| &keys[j]), want, "{k}");
        }
        assert_eq!(p.find("K999", |j| &keys[j]), Some(999));
        assert_eq!(p.find("K1000", |j| &keys[j]), None);
    }

    #[test]
    fn fast_map_behaves_like_a_map() {
        use std::hash::BuildHasher;
        let s = FastState::default();
        // same key, same hash; different lengths and contents, different hashes
        assert_eq!(
            s.hash_one("RSSMRA14E52H501X"),
            s.hash_one("RSSMRA14E52H501X")
        );
        let keys = ["", "a", "a\0", "ab", "RSSMRA14E52H501X", "RSSMRA14E52H501Y"];
        let hashes: FastSet<u64> = keys.iter().map(|k| s.hash_one(k)).collect();
        assert_eq!(hashes.len(), keys.len());
        let mut m: FastMap<String, usize> = FastMap::default();
        for i in 0..10_000 {
            m.insert(format!("K{i:05}"), i);
        }
        assert_eq!(m.len(), 10_000);
        assert!((0..10_000).all(|i| m[&format!("K{i:05}")] == i));
    }
}
