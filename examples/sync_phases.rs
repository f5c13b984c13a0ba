//! Where the time of one `sidisync sync` goes, phase by phase (the same
//! library calls `run_sync` makes, one after the other instead of the two
//! reading sides side by side; a phase that is parallel inside — reading a
//! large XML export, validating, rendering — still uses every core):
//!
//! `cargo run --release --example sync_phases -- SIDI LOCAL [CLASSES] [RUNS]`
//!
//! Prints, per phase, the best wall time over RUNS runs (default 3): read
//! SIDI (parse + decode + hash), read local, validate, plan (match + diff,
//! with the report's per-class counts beside it, as `run_sync` does),
//! write the package as `sync` does (each file rendered, with the report's
//! names and classes, straight into the staging folder, fsynced, put in
//! place atomically), drop.
use sidisync::map::CodeMap;
use sidisync::read::profile::Profile;
use sidisync::validate::{validate_export, ValidateOptions};
use sidisync::write::package::{write_package_with, PackageOptions};
use sidisync::write::report::{PupilTally, ReportContext};
use std::path::PathBuf;
use std::time::Instant;

// The binary's allocator, so the phases cost what they cost in `sync`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 2 {
        return Err("usage: sync_phases SIDI LOCAL [CLASSES] [RUNS]".into());
    }
    let sidi = PathBuf::from(&a[0]);
    let local = PathBuf::from(&a[1]);
    let classes = a.get(2).filter(|s| !s.is_empty()).map(PathBuf::from);
    let runs: usize = a.get(3).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let names = [
        "read SIDI (parse, decode, hash)",
        "read local",
        "validate",
        "plan (match, diff)",
        "write package (render, sha256, fsync)",
        "drop model and plan",
    ];
    let mut best = [f64::MAX; 6];
    let out = std::env::temp_dir().join(format!("sync_phases_{}", std::process::id()));
    let profile = Profile::default();
    for _ in 0..runs {
        let mut t = [0f64; 6];
        let mut clock = Instant::now();
        let mut lap = |i: usize, t: &mut [f64; 6]| {
            t[i] = clock.elapsed().as_secs_f64();
            clock = Instant::now();
        };
        let opts = sidisync::read::ReadOptions::default();
        let read = sidisync::read::read_sidi(&sidi, &opts)?;
        lap(0, &mut t);
        let lr = sidisync::read::local::read_local(&local, classes.as_deref(), &profile.local)?;
        lap(1, &mut t);
        let v = validate_export(&read.export, &ValidateOptions::default().for_read_export());
        lap(2, &mut t);
        let map = CodeMap::from_profile(&profile);
        // as `run_sync` does: the report's class counts beside the plan
        let (plan, tally) = rayon::join(
            || {
                sidisync::sync::plan_indexed(
                    &read.export,
                    &v,
                    &lr.export,
                    Some(&lr.index),
                    &map,
                    None,
                )
            },
            || PupilTally::of(&lr.export, Some(&read.export)),
        );
        let plan = plan?;
        lap(3, &mut t);
        let popts = PackageOptions {
            out: out.clone(),
            zip: false,
            lang: sidisync::messages::Lang::It,
            generated_at: 1_760_520_600,
            profile_name: profile.name.clone(),
            inputs: Vec::new(),
            durable: true,
        };
        let redactor = sidisync::privacy::Redactor::off();
        let ctx = ReportContext {
            sidi: Some(&read.export),
            local: Some(&lr.export),
            redactor: Some(&redactor),
            tally: Some(&tally),
        };
        write_package_with(&plan, &popts, &ctx)?;
        lap(4, &mut t);
        drop(tally);
        drop((read, lr, v, plan));
        lap(5, &mut t);
        for i in 0..6 {
            best[i] = best[i].min(t[i]);
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let total: f64 = best.iter().sum();
    for (n, b) in names.iter().zip(best) {
        println!("{n:<40} {:>8.1} ms {:>5.1} %", b * 1e3, b / total * 100.0);
    }
    println!("{:<40} {:>8.1} ms", "total (sum of bests)", total * 1e3);
    Ok(())
}
