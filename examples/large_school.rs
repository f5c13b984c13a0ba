//! One large school for benchmarks:
//! `cargo run --release --example large_school -- OUT [PUPILS] [SEED]`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let out = std::path::PathBuf::from(a.first().ok_or("usage: large_school OUT [PUPILS] [SEED]")?);
    let pupils = a.get(1).map(|s| s.parse()).transpose()?.unwrap_or(60_000);
    let seed = a.get(2).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let t = std::time::Instant::now();
    let o = sidisync::gen::generate_large_school(pupils, seed, &out)?;
    eprintln!(
        "{} pupils, {} bytes in {:.2} s",
        o.pupils,
        o.bytes,
        t.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string_pretty(&o)?);
    Ok(())
}
