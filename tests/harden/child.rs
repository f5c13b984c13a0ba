//! Running a test body in a child process, to measure its peak memory alone
//! (tests of the integration binary share one process).

use std::process::Command;

/// Environment variable telling a child test to do its work.
pub const CHILD_ENV: &str = "SIDISYNC_HARDEN_CHILD";

/// Whether this process is a child started by [`run_child`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Runs the ignored test `path` (e.g. `harden::limits::child_xml_2gb`) of
/// this binary in a child process and returns its standard output.
pub fn run_child(path: &str) -> String {
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args([
            path,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run child test");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "child {path} failed\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Peak resident memory of this process in KiB (`VmHWM`).
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Prints a `KEY=value` line for the parent to pick up.
pub fn report(key: &str, value: impl std::fmt::Display) {
    println!("\n{key}={value}");
}

/// The value of `KEY=` in a child's output.
pub fn value(out: &str, key: &str) -> String {
    let prefix = format!("{key}=");
    out.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{key} not reported by the child:\n{out}"))
        .to_string()
}
