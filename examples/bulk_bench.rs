//! Runs `bulk` through the library and prints where the time went:
//! `cargo run --release --example bulk_bench -- GEN_DIR OUT [JOBS] [nodurable]`
//! (`GEN_DIR` as written by `sidisync gen`: `GEN_DIR/sidi`, `GEN_DIR/locale`).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bulk_bench GEN_DIR OUT [JOBS] [nodurable]";
    let gen = std::path::PathBuf::from(a.first().ok_or(usage)?);
    let out = std::path::PathBuf::from(a.get(1).ok_or(usage)?);
    let mut cfg = sidisync::bulk::BulkConfig::new(gen.join("sidi"), gen.join("locale"), out);
    cfg.jobs = a.get(2).map(|s| s.parse()).transpose()?;
    cfg.durable = a.get(3).map(String::as_str) != Some("nodurable");
    cfg.generated_at = Some(1_764_403_200);
    let o = sidisync::bulk::run_bulk(&cfg)?;
    let secs = o.elapsed.as_secs_f64();
    let p = o.phases;
    println!(
        "schools {} pupils {} jobs {} total {:.2} s ({:.0} pupils/s): scan {:.2} pair {:.2} sync {:.2} fsync {:.2} summary {:.2}; failed {}",
        o.schools.len(),
        o.pupils(),
        o.jobs,
        secs,
        o.pupils() as f64 / secs,
        p.scan.as_secs_f64(),
        p.pair.as_secs_f64(),
        p.sync.as_secs_f64(),
        p.durable.as_secs_f64(),
        p.summary.as_secs_f64(),
        o.count(sidisync::bulk::Status::Failed)
    );
    Ok(())
}
