//! Writes the shipped samples: `cargo run --release --example make_samples -- samples`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "samples".into());
    sidisync::gen::write_samples(std::path::Path::new(&dir))?;
    eprintln!("samples written to {dir}");
    Ok(())
}
