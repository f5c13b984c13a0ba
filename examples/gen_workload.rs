//! Runs the workload generator without the CLI (for benchmarks):
//! `cargo run --release --example gen_workload -- OUT [national|N] [SCALE] [SEED] [JOBS]`
use sidisync::gen::{run_gen, GenConfig};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        a.first()
            .ok_or("usage: gen_workload OUT [national|N] [SCALE] [SEED] [JOBS]")?,
    );
    let which = a.get(1).map(String::as_str).unwrap_or("10");
    let mut cfg = GenConfig {
        out,
        ..GenConfig::default()
    };
    if which == "national" {
        cfg.national = true;
    } else {
        cfg.schools = Some(which.parse()?);
    }
    if let Some(s) = a.get(2) {
        cfg.scale = s.parse()?;
    }
    if let Some(s) = a.get(3) {
        cfg.seed = s.parse()?;
    }
    if let Some(s) = a.get(4) {
        cfg.jobs = Some(s.parse()?);
    }
    let t = std::time::Instant::now();
    let o = run_gen(&cfg)?;
    eprintln!(
        "{} schools, {} pupils, {} files, {} bytes in {:.1} s",
        o.schools,
        o.pupils,
        o.files,
        o.bytes,
        t.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string_pretty(&o)?);
    Ok(())
}
