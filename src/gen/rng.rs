//! A small deterministic pseudo-random generator (SplitMix64 seeding a
//! xoshiro256** state). The generator must give the same bytes for the same
//! seed on every platform and thread count, so it owns its PRNG instead of
//! depending on an external crate whose streams may change between versions.

/// Deterministic PRNG.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string, to derive per-school streams from (seed, code).
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let s = [
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
        ];
        Rng { s }
    }

    /// The stream of one school: depends on the run seed and the school code only.
    pub fn for_key(seed: u64, key: &str) -> Rng {
        Rng::new(seed ^ hash_str(key).rotate_left(17))
    }

    pub fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias worth caring about.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `n > 0`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.index(i + 1);
            v.swap(i, j);
        }
    }

    /// `rate * n` rounded stochastically (its expectation is exactly `rate * n`).
    pub fn count(&mut self, rate: f64, n: usize) -> usize {
        let x = rate * n as f64;
        let base = x.floor();
        let extra = usize::from(self.unit() < x - base);
        (base as usize + extra).min(n)
    }
}

/// A weighted list to draw from.
#[derive(Clone, Debug, Default)]
pub struct Weighted {
    pub items: Vec<String>,
    cum: Vec<u64>,
}

impl Weighted {
    pub fn push(&mut self, item: String, weight: u64) {
        let last = self.cum.last().copied().unwrap_or(0);
        self.items.push(item);
        self.cum.push(last + weight.max(1));
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn pick(&self, rng: &mut Rng) -> &str {
        let total = *self.cum.last().expect("non-empty weighted list");
        let x = rng.below(total);
        let i = self.cum.partition_point(|&c| c <= x);
        &self.items[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..5)
            .map(|_| Rng::for_key(7, "RMIC804007").next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::for_key(7, "RMIC804007").next_u64(),
            Rng::for_key(7, "RMIC805003").next_u64()
        );
        let mut r = Rng::new(1);
        let mut w = Weighted::default();
        w.push("a".into(), 1);
        w.push("b".into(), 3);
        let b = (0..4000).filter(|_| w.pick(&mut r) == "b").count();
        assert!((2700..3300).contains(&b), "{b}");
        for _ in 0..1000 {
            assert!(r.below(3) < 3);
            let x = r.range(-2, 2);
            assert!((-2..=2).contains(&x));
        }
        let c: usize = (0..1000).map(|_| r.count(0.25, 10)).sum();
        assert!((2300..2700).contains(&c), "{c}");
    }
}
