//! Reads a SIDI export and prints the pupils read and the elapsed time, or
//! writes a large generated one (for `benches/xmllint_compare.sh`).
//!
//! ```text
//! cargo run --release --example read_bench -- gen-xml 50000 /tmp/frequenze.xml [encoding]
//! cargo run --release --example read_bench -- gen-csv 50000 /tmp/alunni.csv
//! cargo run --release --example read_bench -- read /tmp/frequenze.xml
//! cargo run --release --example read_bench -- read-one-core /tmp/frequenze.xml
//! ```
//!
//! `read` uses every core (the XML reader parses large documents in
//! parallel chunks); `read-one-core` runs the same read in a one-thread pool.
//! Both use the `sidisync` binary's allocator.

use sidisync::read::{read_sidi, ReadOptions};
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/support/gen_export.rs"]
mod gen_export;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen-xml") if args.len() >= 3 => {
            let n: usize = args[1].parse()?;
            let enc = args.get(3).map(String::as_str).unwrap_or("UTF-8");
            let text = gen_export::xml(n, enc);
            let bytes = if enc.eq_ignore_ascii_case("UTF-8") {
                text.into_bytes()
            } else {
                gen_export::cp1252(&text)
            };
            std::fs::write(&args[2], bytes)?;
        }
        Some("gen-csv") if args.len() >= 3 => {
            let n: usize = args[1].parse()?;
            std::fs::write(&args[2], gen_export::cp1252(&gen_export::alunni_csv(n)))?;
        }
        Some(mode @ ("read" | "read-one-core")) if args.len() >= 2 => {
            let path = Path::new(&args[1]);
            let size = std::fs::metadata(path)?.len();
            let threads = if mode == "read" { 0 } else { 1 };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            let start = Instant::now();
            let r = pool.install(|| read_sidi(path, &ReadOptions::default()))?;
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{mode}: pupils={} findings={} bytes={} elapsed={:.3}s MB/s={:.1} pupils/s={:.0}",
                r.export.pupils.len(),
                r.findings.len(),
                size,
                secs,
                size as f64 / 1e6 / secs,
                r.export.pupils.len() as f64 / secs
            );
        }
        _ => {
            eprintln!("usage: read_bench gen-xml N FILE [ENCODING] | gen-csv N FILE | read FILE | read-one-core FILE");
            std::process::exit(2);
        }
    }
    Ok(())
}
