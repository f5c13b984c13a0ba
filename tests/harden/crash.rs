//! Crash safety of `sidisync sync --out`: killed at any moment (SIGKILL) or
//! out of space, `--out` is the complete earlier package or the complete new
//! one, never a mix, never missing.

use crate::harness;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The inputs of one school: (sidi export, alunni_locali.csv, classi_locali.csv).
struct School {
    sidi: PathBuf,
    local: PathBuf,
    classes: Option<PathBuf>,
}

fn only_file(dir: &Path) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v.remove(0)
}

/// A generated school of `pupils` pupils in `dir`.
fn large_school(dir: &Path, pupils: usize) -> School {
    sidisync::gen::generate_large_school(pupils, 7, dir).unwrap();
    let sidi = only_file(&dir.join("sidi"));
    let local_dir = only_file(&dir.join("locale"));
    let classes = local_dir.join("classi_locali.csv");
    School {
        sidi,
        local: local_dir.join("alunni_locali.csv"),
        classes: classes.exists().then_some(classes),
    }
}

fn sample_school() -> School {
    School {
        sidi: harness::sample("frequenze_xml.zip"),
        local: harness::sample("alunni_locali.csv"),
        classes: Some(harness::sample("classi_locali.csv")),
    }
}

fn sync_cmd(s: &School, out: &Path, zip: bool) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sidisync"));
    c.arg("sync")
        .arg("--sidi")
        .arg(&s.sidi)
        .arg("--local")
        .arg(&s.local)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1764403200")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(cl) = &s.classes {
        c.arg("--local-classes").arg(cl);
    }
    if zip {
        c.arg("--zip");
    }
    c
}

fn run_ok(mut c: Command) {
    let o = c.output().unwrap();
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The files of a package folder, name -> bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Checks that `dir` holds a complete package: every output listed in
/// manifest.json is there with its size and SHA-256, nothing else but the
/// manifest and the optional zip.
fn assert_complete(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let f = files(dir);
    let manifest: serde_json::Value = serde_json::from_slice(
        f.get("manifest.json")
            .unwrap_or_else(|| panic!("{}: no manifest.json", dir.display())),
    )
    .expect("manifest.json is complete JSON");
    let outputs = manifest["outputs"].as_array().expect("outputs");
    let mut listed = vec!["manifest.json".to_string()];
    for o in outputs {
        let name = o["name"].as_str().unwrap();
        let bytes = f
            .get(name)
            .unwrap_or_else(|| panic!("{name} listed but missing"));
        assert_eq!(o["size"].as_u64().unwrap(), bytes.len() as u64, "{name}");
        assert_eq!(
            o["sha256"].as_str().unwrap(),
            sidisync::util::sha256_hex(bytes),
            "{name}"
        );
        listed.push(name.to_string());
    }
    for name in f.keys() {
        assert!(
            listed.contains(name) || name == sidisync::write::package::ZIP_NAME,
            "unexpected file {name}"
        );
    }
    f
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (name, bytes) in files(from) {
        std::fs::write(to.join(name), bytes).unwrap();
    }
}

/// A small deterministic generator for the kill delays (the seed is printed).
fn delays(seed: u64, n: usize, max: Duration) -> Vec<Duration> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            max.mul_f64((x % 10_000) as f64 / 10_000.0)
        })
        .collect()
}

/// Kills per run of the test (each at a fresh random delay).
const KILLS: usize = 12;

#[test]
fn sigkill_during_sync_leaves_old_or_new_package() {
    let tmp = harness::tempdir();
    let school = large_school(&tmp.path().join("gen"), 12_000);
    let refs = tmp.path().join("refs");
    // Reference packages: the old one (the sample school) and the new one.
    let old_ref = refs.join("old");
    run_ok(sync_cmd(&sample_school(), &old_ref, false));
    let new_ref = refs.join("new");
    let t = Instant::now();
    run_ok(sync_cmd(&school, &new_ref, true));
    let full = t.elapsed();
    let old = assert_complete(&old_ref);
    let new = assert_complete(&new_ref);
    assert_ne!(old, new);

    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let out = work.join("pacchetto");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill test: full run {full:?}, seed {seed}");
    let (mut saw_old, mut saw_new) = (0, 0);
    // Half the kills anywhere in the run, half in its last quarter, where
    // the package is rendered and written.
    let mut kills = delays(seed, KILLS / 2, full.mul_f64(1.1));
    kills.extend(
        delays(seed ^ 0x9E37_79B9, KILLS - KILLS / 2, full.mul_f64(0.3))
            .into_iter()
            .map(|d| full.mul_f64(0.75) + d),
    );
    for (i, d) in kills.into_iter().enumerate() {
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        copy_dir(&old_ref, &out);
        let mut child = sync_cmd(&school, &out, true).spawn().unwrap();
        std::thread::sleep(d);
        let _ = child.kill(); // SIGKILL; an error means it had already exited
        let status = child.wait().unwrap();
        let got = assert_complete(&out);
        if got == old {
            saw_old += 1;
        } else if got == new {
            saw_new += 1;
        } else {
            panic!(
                "kill {i} after {d:?} ({status:?}): --out is neither the old nor the new package"
            );
        }
        // Never anything but --out and the temporary folders of killed runs.
        for e in std::fs::read_dir(&work).unwrap() {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                n == "pacchetto" || n.starts_with(".sidisync-"),
                "unexpected {n}"
            );
        }
    }
    eprintln!("kill test: {saw_old} old, {saw_new} new (seed {seed})");
    assert_eq!(saw_old + saw_new, KILLS);
}

/// Runs `sync` under a file-size limit of `limit` bytes (prlimit).
fn sync_with_fsize(s: &School, out: &Path, limit: u64) -> std::process::Output {
    let inner = sync_cmd(s, out, true);
    let mut c = Command::new("prlimit");
    c.arg(format!("--fsize={limit}"))
        .arg("--")
        .arg(inner.get_program())
        .args(inner.get_args())
        .env("SOURCE_DATE_EPOCH", "1764403200")
        .env("NO_COLOR", "1");
    c.output().unwrap()
}

#[test]
fn file_size_limit_exits_2_and_keeps_old_package() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("prlimit not installed (util-linux): skipped");
        return;
    }
    let tmp = harness::tempdir();
    let school = large_school(&tmp.path().join("gen"), 3_000);
    let out = tmp.path().join("pacchetto");
    run_ok(sync_cmd(&sample_school(), &out, false));
    let old = assert_complete(&out);
    let o = sync_with_fsize(&school, &out, 64 * 1024);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{:?}\n{err}", o.status);
    assert!(err.contains("pacchetto"), "{err}");
    assert!(err.contains("file troppo grande"), "{err}");
    assert_eq!(assert_complete(&out), old);
    // No temporary folder left behind.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.to_string_lossy().starts_with(".sidisync-")),
        "{names:?}"
    );
}

/// A small tmpfs mounted for the test (needs root); unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn disk_full_exits_2_and_keeps_old_package() {
    let tmp = harness::tempdir();
    let Some(fs) = Tmpfs::mount(&tmp.path().join("disk"), "512k") else {
        eprintln!("cannot mount a tmpfs (not root?): skipped; the file-size test covers EFBIG");
        return;
    };
    let school = large_school(&tmp.path().join("gen"), 3_000);
    let out = fs.0.join("pacchetto");
    run_ok(sync_cmd(&sample_school(), &out, false));
    let old = assert_complete(&out);
    let o = sync_cmd(&school, &out, true).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{:?}\n{err}", o.status);
    assert!(err.contains("disco pieno"), "{err}");
    assert_eq!(assert_complete(&out), old);
    let names: Vec<_> = std::fs::read_dir(&fs.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("pacchetto")]);
}
