//! Codice fiscale throughput: validates (with birthplace lookup) every code of
//! a file, one per line, on one core, and prints codes per second.
//!
//!     cargo bench --bench cf_throughput -- generate FILE [N] [SEED]
//!     cargo bench --bench cf_throughput -- run FILE [ROUNDS]
//!
//! `generate` writes N codes (default 1,000,000): 60 % valid, 20 % omocodic
//! (random subset of the seven positions), 20 % faulty (wrong check
//! character, impossible day, unknown place, bad shape, lower case). With no
//! arguments, generates 1,000,000 codes in memory and runs on them.
//! `benches/cf_peers.sh` runs the same file through the Python peers.

use sidisync::date::Date;
use sidisync::validate::cf;
use sidisync::validate::places;
use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn generate(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    let active: Vec<&str> = places::all()
        .iter()
        .filter(|p| p.is_active())
        .map(|p| p.code)
        .collect();
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let name: String = (0..6)
            .map(|_| letters[rng.below(26) as usize] as char)
            .collect();
        let year = 1930 + rng.below(95) as u32;
        let month = 1 + rng.below(12) as u32;
        let day = 1 + rng.below(28) as u32;
        let birth = Date::new(year, month, day).unwrap();
        let sex = if rng.below(2) == 0 { 'M' } else { 'F' };
        let place = active[rng.below(active.len() as u64) as usize];
        let code = cf::encode(&name[..3], &name[3..], birth, sex, place);
        let r = rng.below(100);
        let code = match r {
            0..=59 => code,
            60..=79 => cf::omocode(&code, 1 + rng.below(127) as u8),
            80..=84 => {
                let mut b = code.into_bytes();
                b[15] = b'A' + ((b[15] - b'A' + 1 + rng.below(25) as u8) % 26);
                String::from_utf8(b).unwrap()
            }
            85..=88 => {
                let mut b = code.into_bytes();
                b[9] = b'8';
                String::from_utf8(b).unwrap()
            }
            89..=92 => {
                let mut b = code.into_bytes();
                b[11..15].copy_from_slice(b"A000");
                String::from_utf8(b).unwrap()
            }
            93..=96 => code[..15].to_string(),
            _ => code.to_lowercase(),
        };
        out.push(code);
    }
    out
}

fn run(codes: &[String], rounds: usize) {
    // Warm up (caches, and the pages of the embedded tables).
    let mut valid = 0usize;
    for c in codes {
        valid += usize::from(cf::validate(c.as_bytes()).is_valid());
    }
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut v = 0usize;
        for c in codes {
            let o = cf::validate(black_box(c.as_bytes()));
            v += usize::from(o.is_valid());
            black_box(o.place);
        }
        let s = t.elapsed().as_secs_f64();
        assert_eq!(v, valid);
        best = best.min(s);
    }
    let rate = codes.len() as f64 / best;
    println!(
        "sidisync cf::validate: {} codes, {} valid, best of {} rounds {:.3} s, {:.0} codes/s ({:.1} ns/code)",
        codes.len(),
        valid,
        rounds,
        best,
        rate,
        best * 1e9 / codes.len() as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let path = args.get(1).expect("generate FILE [N] [SEED]");
            let n = args
                .get(2)
                .and_then(|s| s.parse().ok())
                .unwrap_or(1_000_000);
            let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2025);
            let codes = generate(n, seed);
            let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
            for c in &codes {
                writeln!(f, "{c}").expect("write");
            }
            eprintln!("wrote {} codes to {path}", codes.len());
        }
        Some("run") => {
            let path = args.get(1).expect("run FILE [ROUNDS]");
            let rounds = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
            let text = std::fs::read_to_string(path).expect("read codes file");
            let codes: Vec<String> = text.lines().map(str::to_string).collect();
            run(&codes, rounds);
        }
        _ => run(&generate(1_000_000, 2025), 5),
    }
}
