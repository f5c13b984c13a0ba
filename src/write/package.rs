//! The patch package: rendering all files in memory, then writing them
//! atomically.
//!
//! Layout of `--out`: `patch.jsonl`, `patch.csv`, `patch.xml`, `review.csv`,
//! `report.html`, `manifest.json` and, with `zip`, `package.zip` holding
//! the six files (inside the folder, so the whole package still appears in
//! one rename; the manifest lists the six files, not the zip).
//!
//! Atomicity: files are written into a fresh temporary folder next to
//! `--out` (same file system), each fsynced, then the folder is renamed into
//! place. An existing `--out` folder is first renamed aside, the new one
//! renamed in, and only then the old one removed; on any failure the earlier
//! `--out` stays as it was and the temporary folder is removed.
//!
//! Determinism: the same plan, inputs and time give byte-identical files
//! (zip entries carry the fixed 1980-01-01 timestamp, fixed order).

use crate::error::{Error, Result};
use crate::messages::Lang;
use crate::sync::engine::Plan;
use crate::write::manifest::{manifest_json, FileEntry};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The name of the zip inside the package folder.
pub const ZIP_NAME: &str = "package.zip";

/// How to write a package.
#[derive(Clone, Debug)]
pub struct PackageOptions {
    pub out: PathBuf,
    pub zip: bool,
    pub lang: Lang,
    /// Seconds since the epoch (callers pass `util::now_epoch_seconds()`).
    pub generated_at: u64,
    pub profile_name: String,
    /// Input files for the manifest.
    pub inputs: Vec<FileEntry>,
}

/// Renders every file of the package: (name, bytes), manifest last, zip
/// (when asked) after it.
pub fn render_package(plan: &Plan, opts: &PackageOptions) -> Result<Vec<(String, Vec<u8>)>> {
    let when = crate::util::format_timestamp(opts.generated_at);
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(7);
    let mut b = Vec::with_capacity(plan.ops.len() * 200);
    crate::write::patch::write_jsonl(&plan.ops, &mut b)?;
    files.push(("patch.jsonl".into(), b));
    let mut b = Vec::with_capacity(plan.ops.len() * 120);
    crate::write::patch::write_csv(&plan.ops, &mut b)?;
    files.push(("patch.csv".into(), b));
    let mut b = Vec::with_capacity(plan.ops.len() * 250);
    crate::write::patch::write_xml(&plan.school, &plan.ops, &mut b)?;
    files.push(("patch.xml".into(), b));
    let mut b = Vec::new();
    crate::write::review::write_review(&plan.review, opts.lang, &mut b)?;
    files.push(("review.csv".into(), b));
    let data = crate::write::report::gather(plan, opts.lang, &when);
    files.push((
        "report.html".into(),
        crate::write::report::render_html(&data).into_bytes(),
    ));
    let roles = ["patch_jsonl", "patch_csv", "patch_xml", "review", "report"];
    let outputs: Vec<FileEntry> = files
        .iter()
        .zip(roles)
        .map(|((n, b), r)| FileEntry::of_bytes(r, n, b))
        .collect();
    let m = manifest_json(
        plan,
        &when,
        &opts.profile_name,
        opts.lang,
        &opts.inputs,
        &outputs,
    );
    files.push(("manifest.json".into(), m));
    if opts.zip {
        let z = zip_bytes(&files)?;
        files.push((ZIP_NAME.into(), z));
    }
    Ok(files)
}

/// A deterministic zip of `files` (deflate, fixed timestamps, given order).
pub fn zip_bytes(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let err = |e: zip::result::ZipError| Error::Zip {
        file: ZIP_NAME.into(),
        message: e.to_string(),
    };
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in files {
        z.start_file(name.as_str(), o).map_err(err)?;
        z.write_all(bytes).map_err(|e| Error::io(ZIP_NAME, e))?;
    }
    Ok(z.finish().map_err(err)?.into_inner())
}

/// Writes the package atomically; returns the files written.
pub fn write_package(plan: &Plan, opts: &PackageOptions) -> Result<Vec<(String, Vec<u8>)>> {
    write_package_with(plan, opts, true)
}

/// [`write_package`]; `durable: false` skips every fsync (the package
/// still appears in one rename, but a system crash soon after may leave it
/// incomplete). `bulk` uses it and makes the whole output durable once, at
/// the end (see [`sync_tree`]).
pub fn write_package_with(
    plan: &Plan,
    opts: &PackageOptions,
    durable: bool,
) -> Result<Vec<(String, Vec<u8>)>> {
    let files = render_package(plan, opts)?;
    write_files_atomically_with(&opts.out, &files, durable)?;
    Ok(files)
}

/// Fsyncs every file of the package folder `dir`, then the folder and its
/// parent: what [`write_package`] does file by file, done afterwards.
pub fn sync_tree(dir: &Path) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for e in rd {
        let p = e.map_err(|e| Error::io(dir, e))?.path();
        if p.is_file() {
            std::fs::File::open(&p)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&p, e))?;
        }
    }
    sync_dir(dir);
    Ok(())
}

fn sync_dir(p: &Path) {
    // Directory fsync is a Unix notion; elsewhere opening a directory fails.
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.sync_all();
    }
}

/// Writes `files` into a new folder at `out`, replacing an existing folder
/// only once everything is on disk. Refuses to replace a non-folder.
pub fn write_files_atomically(out: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    write_files_atomically_with(out, files, true)
}

/// [`write_files_atomically`], with or without fsync.
pub fn write_files_atomically_with(
    out: &Path,
    files: &[(String, Vec<u8>)],
    durable: bool,
) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    if out.exists() && !out.is_dir() {
        return Err(Error::io(
            out,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a folder",
            ),
        ));
    }
    let tmp = tempfile::Builder::new()
        .prefix(".sidisync-new-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    for (name, bytes) in files {
        let p = tmp.path().join(name);
        let mut f = std::fs::File::create(&p).map_err(|e| Error::io(out.join(name), e))?;
        f.write_all(bytes)
            .and_then(|_| if durable { f.sync_all() } else { Ok(()) })
            .map_err(|e| Error::io(out.join(name), e))?;
    }
    if durable {
        sync_dir(tmp.path());
    }
    if out.exists() {
        let old_holder = tempfile::Builder::new()
            .prefix(".sidisync-old-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let old = old_holder.path().join("old");
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        if let Err(e) = std::fs::rename(tmp.path(), out) {
            // put the earlier package back
            let _ = std::fs::rename(&old, out);
            return Err(Error::io(out, e));
        }
        let _ = tmp.keep();
        drop(old_holder); // removes the earlier package
    } else {
        std::fs::rename(tmp.path(), out).map_err(|e| Error::io(out, e))?;
        let _ = tmp.keep();
    }
    if durable {
        sync_dir(&parent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_atomically_and_keeps_old_on_failure() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("pkg");
        write_files_atomically(&out, &[("a.txt".into(), b"1".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"1");
        write_files_atomically(&out, &[("b.txt".into(), b"2".to_vec())]).unwrap();
        assert!(!out.join("a.txt").exists());
        assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"2");
        // a file that cannot be created: the earlier package survives
        let e = write_files_atomically(&out, &[("no/such/dir.txt".into(), b"3".to_vec())]);
        assert!(e.is_err());
        assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"2");
        let leftovers: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("pkg")]);
    }

    #[test]
    fn zip_is_deterministic() {
        let f = vec![("x.txt".to_string(), b"hello".to_vec())];
        assert_eq!(zip_bytes(&f).unwrap(), zip_bytes(&f).unwrap());
    }
}
