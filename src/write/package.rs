//! The patch package: rendering its files (into memory, or straight into a
//! staging folder) and putting them in place atomically.
//!
//! Layout of `--out`: `patch.jsonl`, `patch.csv`, `patch.xml`, `review.csv`,
//! `report.html`, `manifest.json` and, with `zip`, `package.zip` holding
//! the six files (inside the folder, so the whole package still appears in
//! one rename; the manifest lists the six files, not the zip).
//!
//! Atomicity: files are written into a fresh temporary folder next to
//! `--out` (same file system), each fsynced, then the folder is renamed into
//! place. An existing `--out` folder is swapped with the new one in one
//! atomic step (`renameat2(RENAME_EXCHANGE)` on Linux), and only then the
//! old one removed: at every instant, even if the process is killed, `--out`
//! is the complete earlier package or the complete new one. Where the swap
//! is not available (other systems, file systems without it) the earlier
//! folder is renamed aside and the new one renamed in. On any failure the
//! earlier `--out` stays as it was and the temporary folder is removed.
//!
//! Determinism: the same plan, inputs and time give byte-identical files
//! (zip entries carry the fixed 1980-01-01 timestamp, fixed order).

use crate::error::{Error, Result};
use crate::messages::Lang;
use crate::sync::engine::Plan;
use crate::write::manifest::{manifest_json, FileEntry};
use crate::write::report::ReportContext;
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
    /// Fsync every file (the default for `sync`); `bulk` turns it off and
    /// syncs its whole output once at the end.
    pub durable: bool,
}

/// Renders every file of the package: (name, bytes), manifest last, zip
/// (when asked) after it.
///
/// The five content files are independent: they are rendered (and hashed
/// for the manifest) in parallel; the result does not depend on the order
/// in which they finish.
pub fn render_package(plan: &Plan, opts: &PackageOptions) -> Result<Vec<(String, Vec<u8>)>> {
    render_package_with(plan, opts, &ReportContext::default())
}

/// [`render_package`] with the exports the plan was made from, so the report
/// shows names, sedi and pupils per class.
pub fn render_package_with(
    plan: &Plan,
    opts: &PackageOptions,
    ctx: &ReportContext,
) -> Result<Vec<(String, Vec<u8>)>> {
    let rendered = render_each(plan, opts, ctx, |name, role, render| {
        let mut bytes = Vec::new();
        render(&mut bytes)?;
        let e = FileEntry::of_bytes(role, name, &bytes);
        Ok((bytes, e))
    })?;
    let (mut files, outputs): (Vec<_>, Vec<_>) = rendered
        .into_iter()
        .map(|(name, bytes, entry)| ((name.to_string(), bytes), entry))
        .unzip();
    files.push(("manifest.json".into(), manifest(plan, opts, &outputs)));
    if opts.zip {
        let z = zip_bytes(&files)?;
        files.push((ZIP_NAME.into(), z));
    }
    Ok(files)
}

/// A function that renders one file of the package into a sink.
type Render<'a> = Box<dyn Fn(&mut (dyn Write + Send)) -> Result<()> + Send + Sync + 'a>;

/// The five content files of the package: (name, manifest role, renderer),
/// in package order.
fn content_files<'a>(
    plan: &'a Plan,
    opts: &'a PackageOptions,
    ctx: &'a ReportContext<'a>,
) -> [(&'static str, &'static str, Render<'a>); 5] {
    [
        (
            "patch.jsonl",
            "patch_jsonl",
            Box::new(|w| crate::write::patch::write_jsonl(&plan.ops, w)),
        ),
        (
            "patch.csv",
            "patch_csv",
            Box::new(|w| crate::write::patch::write_csv(&plan.ops, w)),
        ),
        (
            "patch.xml",
            "patch_xml",
            Box::new(|w| crate::write::patch::write_xml(&plan.school, &plan.ops, w)),
        ),
        (
            "review.csv",
            "review",
            Box::new(|w| crate::write::review::write_review(&plan.review, opts.lang, w)),
        ),
        (
            "report.html",
            "report",
            Box::new(move |w| {
                let when = crate::util::format_timestamp(opts.generated_at);
                let data = crate::write::report::gather_with(plan, ctx, opts.lang, &when);
                crate::write::report::render_html_to(&data, w)
                    .map_err(|e| Error::io("report.html", e))
            }),
        ),
    ]
}

/// Renders the five content files in parallel: `emit(name, role, render)`
/// runs each renderer into a sink of its choice (memory, or a file of the
/// staging folder) and gives back what to keep and the file's manifest
/// entry. Results come back in package order; the first failure in that
/// order is the one reported.
fn render_each<T: Send>(
    plan: &Plan,
    opts: &PackageOptions,
    ctx: &ReportContext,
    emit: impl Fn(&str, &str, &Render) -> Result<(T, FileEntry)> + Sync,
) -> Result<Vec<(&'static str, T, FileEntry)>> {
    use rayon::prelude::*;
    let jobs = content_files(plan, opts, ctx);
    debug_assert_eq!(jobs[4].0, "report.html");
    let run = |i: usize| -> Result<(&'static str, T, FileEntry)> {
        let (name, role, render) = &jobs[i];
        let (kept, e) = emit(name, role, render)?;
        Ok((*name, kept, e))
    };
    // The report is about half of the work: it starts at once on one core
    // while the four other files share the rest, instead of perhaps
    // starting last (the results are put back in package order).
    let (report, mut rest) = rayon::join(
        || run(4),
        || (0..4).into_par_iter().map(run).collect::<Vec<_>>(),
    );
    rest.push(report);
    rest.into_iter().collect()
}

/// `manifest.json` for the content files `outputs`.
fn manifest(plan: &Plan, opts: &PackageOptions, outputs: &[FileEntry]) -> Vec<u8> {
    let when = crate::util::format_timestamp(opts.generated_at);
    manifest_json(
        plan,
        &when,
        &opts.profile_name,
        opts.lang,
        &opts.inputs,
        outputs,
    )
}

/// A deterministic zip of `files` (deflate, fixed timestamps, given order).
pub fn zip_bytes(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let err = |e: zip::result::ZipError| Error::Zip {
        file: ZIP_NAME.into(),
        message: e.to_string().into(),
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

/// Writes the package atomically; returns the manifest entries of the five
/// content files (the manifest and the zip are not among them).
pub fn write_package(plan: &Plan, opts: &PackageOptions) -> Result<Vec<FileEntry>> {
    write_package_with(plan, opts, &ReportContext::default())
}

/// [`write_package`] with the exports the plan was made from (see
/// [`render_package_with`]). With `opts.durable` off no file is fsynced
/// (the package still appears in one rename, but a system crash soon after
/// may leave it incomplete): `bulk` makes its whole output durable once, at
/// the end (see [`sync_tree`]).
///
/// Each content file is rendered straight into its file in the staging
/// folder (through a 64 KiB buffer, hashed on the way), and no file is held
/// in memory (for `zip` the files are read back from the staging folder).
/// A rendered file is fsynced by a thread of its own (`Syncer`) while the
/// others are still being rendered.
pub fn write_package_with(
    plan: &Plan,
    opts: &PackageOptions,
    ctx: &ReportContext,
) -> Result<Vec<FileEntry>> {
    let stage = Staging::new(&opts.out)?;
    let rendered = std::thread::scope(|scope| {
        let syncer = opts.durable.then(|| Syncer::start(scope));
        let rendered = render_each(plan, opts, ctx, |name, role, render| {
            let (e, f) = stage.write_rendered(name, role, render, opts.durable)?;
            if let Some(s) = &syncer {
                s.sync(stage.out.join(name), f);
            }
            let bytes = if opts.zip {
                Some(stage.read(name)?)
            } else {
                None
            };
            Ok((bytes, e))
        });
        // every file on disk, or the first failure (rendering's first)
        let synced = syncer.map_or(Ok(()), Syncer::finish);
        let rendered = rendered?;
        synced.map(|_| rendered)
    })?;
    let outputs: Vec<FileEntry> = rendered.iter().map(|r| r.2.clone()).collect();
    let m = manifest(plan, opts, &outputs);
    stage.write("manifest.json", &m, opts.durable)?;
    if opts.zip {
        let mut files: Vec<(String, Vec<u8>)> = rendered
            .into_iter()
            .map(|(name, bytes, _)| (name.to_string(), bytes.unwrap_or_default()))
            .collect();
        files.push(("manifest.json".into(), m));
        stage.write(ZIP_NAME, &zip_bytes(&files)?, opts.durable)?;
    }
    stage.commit(opts.durable)?;
    Ok(outputs)
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

/// Atomically swaps the folders `a` and `b`. `Ok(false)` when the system or
/// the file system cannot (the caller falls back to two renames).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::raw::{c_char, c_int, c_uint};
    use std::os::unix::ffi::OsStrExt;
    unsafe extern "C" {
        fn renameat2(
            olddirfd: c_int,
            oldpath: *const c_char,
            newdirfd: c_int,
            newpath: *const c_char,
            flags: c_uint,
        ) -> c_int;
    }
    const AT_FDCWD: c_int = -100;
    const RENAME_EXCHANGE: c_uint = 1 << 1;
    let cstr = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "NUL in path"))
    };
    let (ca, cb) = (cstr(a)?, cstr(b)?);
    // SAFETY: both pointers are valid NUL-terminated strings living across
    // the call; renameat2 reads them and keeps no reference.
    let rc = unsafe {
        renameat2(
            AT_FDCWD,
            ca.as_ptr(),
            AT_FDCWD,
            cb.as_ptr(),
            RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    // ENOSYS (old kernel), EINVAL / EOPNOTSUPP (file system without it).
    match e.raw_os_error() {
        Some(38) | Some(22) | Some(95) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
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
    let stage = Staging::new(out)?;
    // Each file is written and fsynced on its own thread: the fsyncs overlap.
    use rayon::prelude::*;
    let written: Vec<Result<()>> = files
        .par_iter()
        .map(|(name, bytes)| stage.write(name, bytes, durable))
        .collect();
    // the first failure in file order, as a sequential write would report
    for r in written {
        r?;
    }
    stage.commit(durable)
}

/// A package being written: a fresh temporary folder next to `out` (same
/// file system) that [`Staging::commit`] puts in place of `out`. Dropped
/// without a commit, it is removed and `out` is left as it was.
struct Staging {
    out: PathBuf,
    parent: PathBuf,
    tmp: tempfile::TempDir,
}

impl Staging {
    /// Creates the temporary folder. Refuses an `out` that exists and is
    /// not a folder.
    fn new(out: &Path) -> Result<Staging> {
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
        Ok(Staging {
            out: out.to_path_buf(),
            parent,
            tmp,
        })
    }

    /// Writes one file of the package (fsynced when `durable`); errors name
    /// the file as it will be in `out`.
    fn write(&self, name: &str, bytes: &[u8], durable: bool) -> Result<()> {
        let err = |e| self.error(name, e);
        let mut f = self.create(name)?;
        f.write_all(bytes)
            .and_then(|_| if durable { f.sync_all() } else { Ok(()) })
            .map_err(err)
    }

    /// Renders one file of the package into the staging folder and returns
    /// its manifest entry (size and SHA-256 of the bytes written) and the
    /// file, not yet fsynced (its writeback started on the way when
    /// `durable`); write errors name the file as it will be in `out`.
    fn write_rendered(
        &self,
        name: &str,
        role: &str,
        render: &Render,
        durable: bool,
    ) -> Result<(FileEntry, std::fs::File)> {
        let err = |e| self.error(name, e);
        let f = self.create(name)?;
        let mut sink = Hashing::new(std::io::BufWriter::with_capacity(1 << 16, f), durable);
        if let Err(e) = render(&mut sink) {
            // a failed write is reported with the file's path in `out`
            return Err(sink.failure.take().map(err).unwrap_or(e));
        }
        let (f, size, sha256) = sink.finish().map_err(err)?;
        let e = FileEntry {
            role: role.into(),
            name: name.into(),
            size,
            sha256,
        };
        Ok((e, f))
    }

    /// The bytes of a file already written into the staging folder.
    fn read(&self, name: &str) -> Result<Vec<u8>> {
        std::fs::read(self.tmp.path().join(name)).map_err(|e| self.error(name, e))
    }

    /// Creates file `name` in the staging folder.
    fn create(&self, name: &str) -> Result<std::fs::File> {
        std::fs::File::create(self.tmp.path().join(name)).map_err(|e| self.error(name, e))
    }

    /// An I/O error on file `name`, named as it will be in `out`.
    fn error(&self, name: &str, e: std::io::Error) -> Error {
        Error::io(self.out.join(name), e)
    }

    /// Puts the folder in place of `out`, replacing an existing one only
    /// now that everything is on disk.
    fn commit(self, durable: bool) -> Result<()> {
        let Staging { out, parent, tmp } = self;
        let out = out.as_path();
        if durable {
            sync_dir(tmp.path());
        }
        if out.exists() && exchange(tmp.path(), out).map_err(|e| Error::io(out, e))? {
            // `out` is now the new package and the temporary folder holds the
            // earlier one: remove it.
            remove_files(tmp.path());
            drop(tmp);
        } else if out.exists() {
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
            remove_files(&old);
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
}

/// Removes the files right inside `dir`, side by side on rayon's threads:
/// freeing an earlier package's pages is the longest step once the new
/// package is in place (about 10 ms for a 60,000-pupil school's 26 MB on
/// one core). Best effort, as the removal of the folder that follows.
fn remove_files(dir: &Path) {
    use rayon::prelude::*;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    files.par_iter().with_max_len(1).for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
}

/// Fsyncs files on a thread of its own, one after the other, as they are
/// handed to it. A renderer that fsynced its own file would hold one of
/// rayon's threads (one of the two cores of a small machine) idle while
/// the disk writes, with other files still to render; here the waiting
/// thread holds no core.
struct Syncer<'scope> {
    files: std::sync::mpsc::Sender<(PathBuf, std::fs::File)>,
    thread: std::thread::ScopedJoinHandle<'scope, Result<()>>,
}

impl<'scope> Syncer<'scope> {
    fn start<'env>(scope: &'scope std::thread::Scope<'scope, 'env>) -> Syncer<'scope> {
        let (files, rx) = std::sync::mpsc::channel::<(PathBuf, std::fs::File)>();
        let thread = scope.spawn(move || {
            let mut first = Ok(());
            for (path, f) in rx {
                if let (Ok(()), Err(e)) = (&first, f.sync_all()) {
                    first = Err(Error::io(path, e));
                }
            }
            first
        });
        Syncer { files, thread }
    }

    /// Queues `f` (named `path` in errors) for fsync.
    fn sync(&self, path: PathBuf, f: std::fs::File) {
        // fails only if the thread is gone, which `finish` reports
        let _ = self.files.send((path, f));
    }

    /// Waits for every queued fsync; the first failure, naming its file.
    fn finish(self) -> Result<()> {
        drop(self.files);
        self.thread.join().unwrap_or_else(|_| {
            Err(Error::io(
                "fsync",
                std::io::Error::other("the fsync thread stopped"),
            ))
        })
    }
}

/// Bytes of a package file after which the system is asked to start
/// writing them to disk ([`start_writeback`]).
const WRITEBACK_STEP: u64 = 1 << 20;

/// Asks the system to start writing bytes `from..to` of `f` to disk,
/// without waiting for it (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`):
/// by the time the file is fsynced most of it is on disk, so the fsync of
/// the last file rendered, which nothing overlaps, waits for little. Where
/// that call is missing or fails nothing happens: the fsync writes it all.
#[cfg(target_os = "linux")]
fn start_writeback(f: &std::fs::File, from: u64, to: u64) {
    use std::os::unix::io::AsRawFd;
    unsafe extern "C" {
        fn sync_file_range(fd: i32, offset: i64, nbytes: i64, flags: u32) -> i32;
    }
    const SYNC_FILE_RANGE_WRITE: u32 = 2;
    let (Ok(offset), Ok(n)) = (i64::try_from(from), i64::try_from(to - from)) else {
        return;
    };
    // SAFETY: the descriptor is open for as long as `f` is borrowed; the
    // call reads its plain arguments and keeps nothing. Its result is not
    // needed: a range not started now is written by the fsync.
    unsafe { sync_file_range(f.as_raw_fd(), offset, n, SYNC_FILE_RANGE_WRITE) };
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_f: &std::fs::File, _from: u64, _to: u64) {}

/// A file being written: counts and hashes (SHA-256) the bytes that pass,
/// for the manifest, and keeps the first write error (the renderers name
/// files by their bare name; the package names them by their path).
struct Hashing {
    inner: std::io::BufWriter<std::fs::File>,
    sha: sha2::Sha256,
    size: u64,
    /// With a durable package: the bytes whose writeback was started.
    written_back: Option<u64>,
    failure: Option<std::io::Error>,
}

impl Hashing {
    /// `durable`: the file will be fsynced; its writeback is started on
    /// the way ([`start_writeback`]).
    fn new(inner: std::io::BufWriter<std::fs::File>, durable: bool) -> Hashing {
        use sha2::Digest;
        Hashing {
            inner,
            sha: sha2::Sha256::new(),
            size: 0,
            written_back: durable.then_some(0),
            failure: None,
        }
    }

    /// Flushes the buffer; the file, the size and the SHA-256 (hex).
    fn finish(self) -> std::io::Result<(std::fs::File, u64, String)> {
        use sha2::Digest;
        let f = self.inner.into_inner().map_err(|e| e.into_error())?;
        Ok((f, self.size, crate::util::hex(&self.sha.finalize())))
    }
}

impl Write for Hashing {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        match self.inner.write(b) {
            Ok(n) => {
                self.sha.update(&b[..n]);
                self.size += n as u64;
                if let Some(started) = &mut self.written_back {
                    if self.size >= *started + WRITEBACK_STEP {
                        // what is still in the buffer has not reached the file
                        let in_file = self.size - self.inner.buffer().len() as u64;
                        start_writeback(self.inner.get_ref(), *started, in_file);
                        *started = in_file;
                    }
                }
                Ok(n)
            }
            Err(e) => {
                let copy = std::io::Error::new(e.kind(), e.to_string());
                self.failure.get_or_insert(e);
                Err(copy)
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_files_are_hashed_as_written() {
        let d = tempfile::tempdir().unwrap();
        let stage = Staging::new(&d.path().join("pkg")).unwrap();
        // more than the 64 KiB buffer, written in pieces, and more than the
        // writeback step: the writeback is started twice on the way
        let text: Vec<u8> = (0..2_300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let render: Render = Box::new(|w| {
            for piece in text.chunks(7_000) {
                w.write_all(piece).map_err(|e| Error::io("x.txt", e))?;
            }
            Ok(())
        });
        let (e, f) = stage
            .write_rendered("x.txt", "report", &render, true)
            .unwrap();
        f.sync_all().unwrap();
        assert_eq!(e, FileEntry::of_bytes("report", "x.txt", &text));
        assert_eq!(stage.read("x.txt").unwrap(), text);
        // a renderer's own error comes back as it is
        let failing: Render = Box::new(|_| Err(Error::io("y.txt", std::io::Error::other("no"))));
        let err = stage
            .write_rendered("y.txt", "report", &failing, false)
            .unwrap_err();
        assert!(err.to_string().contains("y.txt"), "{err}");
    }

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
    fn exchange_swaps_folders() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), b"A").unwrap();
        std::fs::write(b.join("x"), b"B").unwrap();
        match exchange(&a, &b).unwrap() {
            true => {
                assert_eq!(std::fs::read(a.join("x")).unwrap(), b"B");
                assert_eq!(std::fs::read(b.join("x")).unwrap(), b"A");
            }
            // Not supported here (another system or file system): untouched.
            false => assert_eq!(std::fs::read(a.join("x")).unwrap(), b"A"),
        }
        assert!(exchange(&a, &d.path().join("missing")).is_err());
    }

    #[test]
    fn zip_is_deterministic() {
        let f = vec![("x.txt".to_string(), b"hello".to_vec())];
        assert_eq!(zip_bytes(&f).unwrap(), zip_bytes(&f).unwrap());
    }
}
