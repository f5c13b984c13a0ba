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
///
/// The five content files are independent: they are rendered (and hashed
/// for the manifest) in parallel; the result does not depend on the order
/// in which they finish.
pub fn render_package(plan: &Plan, opts: &PackageOptions) -> Result<Vec<(String, Vec<u8>)>> {
    use rayon::prelude::*;
    let when = crate::util::format_timestamp(opts.generated_at);
    type Render<'a> = Box<dyn Fn() -> Result<Vec<u8>> + Send + Sync + 'a>;
    let jobs: [(&str, &str, Render); 5] = [
        (
            "patch.jsonl",
            "patch_jsonl",
            Box::new(|| {
                let mut b = Vec::with_capacity(plan.ops.len() * 320);
                crate::write::patch::write_jsonl(&plan.ops, &mut b)?;
                Ok(b)
            }),
        ),
        (
            "patch.csv",
            "patch_csv",
            Box::new(|| {
                let mut b = Vec::with_capacity(plan.ops.len() * 180);
                crate::write::patch::write_csv(&plan.ops, &mut b)?;
                Ok(b)
            }),
        ),
        (
            "patch.xml",
            "patch_xml",
            Box::new(|| {
                let mut b = Vec::with_capacity(plan.ops.len() * 400);
                crate::write::patch::write_xml(&plan.school, &plan.ops, &mut b)?;
                Ok(b)
            }),
        ),
        (
            "review.csv",
            "review",
            Box::new(|| {
                let mut b = Vec::new();
                crate::write::review::write_review(&plan.review, opts.lang, &mut b)?;
                Ok(b)
            }),
        ),
        (
            "report.html",
            "report",
            Box::new(|| {
                let data = crate::write::report::gather(plan, opts.lang, &when);
                Ok(crate::write::report::render_html(&data).into_bytes())
            }),
        ),
    ];
    let rendered: Vec<Result<(Vec<u8>, FileEntry)>> = jobs
        .par_iter()
        .map(|(name, role, render)| {
            let b = render()?;
            let e = FileEntry::of_bytes(role, name, &b);
            Ok((b, e))
        })
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(7);
    let mut outputs: Vec<FileEntry> = Vec::with_capacity(5);
    for ((name, _, _), r) in jobs.iter().zip(rendered) {
        let (b, e) = r?;
        files.push((name.to_string(), b));
        outputs.push(e);
    }
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
    let files = render_package(plan, opts)?;
    write_files_atomically(&opts.out, &files)?;
    Ok(files)
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
    // Each file is written and fsynced on its own thread: the fsyncs overlap.
    use rayon::prelude::*;
    let written: Vec<Result<()>> = files
        .par_iter()
        .map(|(name, bytes)| {
            let p = tmp.path().join(name);
            let mut f = std::fs::File::create(&p).map_err(|e| Error::io(out.join(name), e))?;
            f.write_all(bytes)
                .and_then(|_| f.sync_all())
                .map_err(|e| Error::io(out.join(name), e))
        })
        .collect();
    // the first failure in file order, as a sequential write would report
    for r in written {
        r?;
    }
    sync_dir(tmp.path());
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
    sync_dir(&parent);
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
