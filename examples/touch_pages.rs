//! What first touching memory costs on this machine: maps anonymous memory
//! and writes one byte per 4 KiB page, with small pages, with transparent
//! huge pages (`MADV_HUGEPAGE`, where the kernel allows them), and after
//! `MADV_POPULATE_WRITE` has faulted the whole range in one call.
//!
//! ```text
//! cargo run --release --example touch_pages -- [MIB] [ROUNDS] [PAUSE_MS]
//! ```
//!
//! MIB (default 120) is about what a sync of the 60,000-pupil school
//! touches; PAUSE_MS (default 0) sleeps before each round, which on a VM
//! with free page reporting lets the host take back memory freed by the
//! round before (BENCHMARKS.md, "Eleventh pass"). Linux only.

#[cfg(target_os = "linux")]
fn main() {
    use memmap2::{Advice, MmapMut};
    use std::time::Instant;
    let arg = |i: usize, d: u64| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(d)
    };
    let (mib, rounds, pause) = (arg(1, 120), arg(2, 4), arg(3, 0));
    let len = (mib as usize) << 20;
    let touch = |huge: bool, populate: bool| -> std::io::Result<(f64, f64)> {
        let mut m = MmapMut::map_anon(len)?;
        m.advise(if huge {
            Advice::HugePage
        } else {
            Advice::NoHugePage
        })?;
        let t = Instant::now();
        if populate {
            m.advise(Advice::PopulateWrite)?;
        }
        let p = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        for i in (0..len).step_by(4096) {
            m[i] = 1;
        }
        Ok((p, t.elapsed().as_secs_f64() * 1e3))
    };
    for r in 0..rounds {
        let mut line = format!("round {r}:");
        for (name, huge, populate) in [
            ("small", false, false),
            ("huge", true, false),
            ("populate", false, true),
        ] {
            std::thread::sleep(std::time::Duration::from_millis(pause));
            match touch(huge, populate) {
                Ok((p, t)) if populate => line += &format!("  {name} {p:.1} ms (+ touch {t:.1})"),
                Ok((_, t)) => line += &format!("  {name} {t:.1} ms"),
                Err(e) => line += &format!("  {name}: {e}"),
            }
        }
        println!("{line}   ({mib} MiB, one write per 4 KiB page)");
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("touch_pages measures Linux page faults only");
}
