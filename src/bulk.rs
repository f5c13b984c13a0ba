//! `sidisync bulk`: many schools at once.
//!
//! 1. **Scan.** Every entry of `sidi_dir` whose name does not start with `.`
//!    is one candidate export (a file in any form [`crate::read`] accepts, or
//!    a folder holding the CSV set). Every folder of `local_dir` is one
//!    school's local export, named by its school code.
//! 2. **Pair.** Each export's school code is read from its content with
//!    [`crate::read::peek_school_code`] (XML header or first `alunni.csv`
//!    row; file names are never trusted) and paired with the local folder of
//!    that code (exact name first, then case-insensitively).
//! 3. **Sync.** Each pair goes through [`crate::sync::run_sync`], the very
//!    function `sidisync sync` calls, into `out/<CODE>/`; `jobs` workers of one
//!    rayon pool take schools largest first from a shared counter, so at most
//!    `jobs` schools are in memory at any time and a large school does not
//!    end up last.
//! 4. **Summarise.** One [`SchoolResult`] per school (a few hundred bytes,
//!    nothing of the school's data) is kept; at the end they are sorted by
//!    school code and written to `summary.csv` and `summary.html`.
//!
//! Failures stay local to their school: an unreadable export, a missing
//! local folder, two exports for one school, a local folder without export,
//! an unusable input caught by `run_sync` (even a panic) make that school
//! [`Status::Failed`] with its message, and the others complete. Only a
//! problem with the folders themselves (unreadable `sidi_dir`, `out` not
//! writable, nothing to do) is an [`Error`].
//!
//! Determinism: every package is what `sidisync sync` writes for that school
//! alone with the same generation time (one time for the whole run); the
//! order of rows never depends on `jobs`. Only the timing columns of the
//! summary (`TEMPO_MS`, the run time in the HTML) vary between runs.

use crate::error::{Error, Result};
use crate::messages::{bulk_template, fill, Lang, Ui};
use crate::read::profile::{EncodingChoice, Profile};
use crate::read::ReadOptions;
use crate::sync::{run_sync, OpKind, ReviewKind, SyncConfig, SyncOutcome};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the pupils file in a school's local folder.
pub const LOCAL_PUPILS: &str = "alunni_locali.csv";
/// Name of the (optional) classes file in a school's local folder.
pub const LOCAL_CLASSES: &str = "classi_locali.csv";
/// The summary files written into `out`.
pub const SUMMARY_CSV: &str = "summary.csv";
pub const SUMMARY_HTML: &str = "summary.html";

/// Threads of the final fsync pass (I/O bound, independent of `jobs`).
const SYNC_THREADS: usize = 32;

/// Everything `sidisync bulk` needs.
#[derive(Clone, Debug)]
pub struct BulkConfig {
    /// One SIDI export per school (file or CSV folder).
    pub sidi_dir: PathBuf,
    /// One folder per school code with `alunni_locali.csv` (and optionally
    /// `classi_locali.csv`).
    pub local_dir: PathBuf,
    /// Gets `<CODE>/` per school plus `summary.csv` and `summary.html`.
    pub out: PathBuf,
    /// Worker threads; `None`: the number of cores.
    pub jobs: Option<usize>,
    pub profile: Profile,
    /// Encoding override for every CSV input.
    pub encoding: Option<EncodingChoice>,
    pub lang: Lang,
    /// Also write `package.zip` in every package.
    pub zip: bool,
    /// Fsync every package once all are written (default); without it the
    /// packages are left to the operating system's write-back.
    pub durable: bool,
    /// Generation time of every package (epoch seconds); `None`:
    /// `SOURCE_DATE_EPOCH` or the clock, read once at the start.
    pub generated_at: Option<u64>,
    /// Pseudonyms instead of names and codici fiscali in every report
    /// (`--redact`).
    pub redact: bool,
}

impl BulkConfig {
    /// Default profile, Italian, cores as jobs, no zip.
    pub fn new(
        sidi_dir: impl Into<PathBuf>,
        local_dir: impl Into<PathBuf>,
        out: impl Into<PathBuf>,
    ) -> BulkConfig {
        BulkConfig {
            sidi_dir: sidi_dir.into(),
            local_dir: local_dir.into(),
            out: out.into(),
            jobs: None,
            profile: Profile::default(),
            encoding: None,
            lang: Lang::It,
            zip: false,
            durable: true,
            generated_at: None,
            redact: false,
        }
    }
}

/// How a school's sync ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Package written, no error finding.
    Ok,
    /// Package written; some records had error findings and were excluded.
    Errors,
    /// No package: the message says why.
    Failed,
}

impl Status {
    /// The value of the `STATO` column (stable, not translated).
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Errors => "ERRORI",
            Status::Failed => "FALLITO",
        }
    }
    /// A label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Ok => Ui::StatusOk.text(lang),
            Status::Errors => Ui::StatusErrors.text(lang),
            Status::Failed => Ui::StatusFailed.text(lang),
        }
    }
}

/// One row of the summary: counts only, nothing of the school's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolResult {
    /// The school code read from the export, upper-cased; the local folder's
    /// name for a folder without export; empty when the export could not be
    /// read at all.
    pub school: String,
    /// The export's file name(s) in `sidi_dir` (several when a school has
    /// more than one export, none for a local folder without export).
    pub sidi_files: Vec<String>,
    pub status: Status,
    pub pupils_sidi: usize,
    pub pupils_local: usize,
    /// Every operation kind, zeros included (empty for a failed school).
    pub ops: Vec<(OpKind, usize)>,
    /// Every review kind, zeros included (empty for a failed school).
    pub review: Vec<(ReviewKind, usize)>,
    pub errors: usize,
    pub warnings: usize,
    pub excluded: usize,
    /// Size of the export on disk.
    pub bytes: u64,
    /// Wall time of this school's sync (not deterministic).
    pub time: Duration,
    /// Why the school failed, in the run's language; empty otherwise.
    pub message: String,
}

impl SchoolResult {
    fn failed(school: &str, files: Vec<String>, bytes: u64, message: String) -> SchoolResult {
        SchoolResult {
            school: school.to_string(),
            sidi_files: files,
            status: Status::Failed,
            pupils_sidi: 0,
            pupils_local: 0,
            ops: Vec::new(),
            review: Vec::new(),
            errors: 0,
            warnings: 0,
            excluded: 0,
            bytes,
            time: Duration::ZERO,
            message,
        }
    }

    /// The count of one operation kind (0 for a failed school).
    pub fn op(&self, k: OpKind) -> usize {
        self.ops
            .iter()
            .find(|(x, _)| *x == k)
            .map_or(0, |(_, n)| *n)
    }

    /// The count of one review kind (0 for a failed school).
    pub fn review_count(&self, k: ReviewKind) -> usize {
        self.review
            .iter()
            .find(|(x, _)| *x == k)
            .map_or(0, |(_, n)| *n)
    }
}

/// What a bulk run did.
#[derive(Clone, Debug)]
pub struct BulkOutcome {
    /// One row per school, sorted by school code (rows without a code last).
    pub schools: Vec<SchoolResult>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Where the wall time went.
    pub phases: Phases,
    /// Worker threads used.
    pub jobs: usize,
    pub out: PathBuf,
}

impl BulkOutcome {
    /// Schools per status.
    pub fn count(&self, s: Status) -> usize {
        self.schools.iter().filter(|r| r.status == s).count()
    }
    /// SIDI pupil records read, over every school.
    pub fn pupils(&self) -> u64 {
        self.schools.iter().map(|r| r.pupils_sidi as u64).sum()
    }
    /// 0: every school done without error finding; 1: some school failed or
    /// had error findings.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.schools.iter().any(|r| r.status != Status::Ok))
    }
    pub fn summary_csv(&self) -> PathBuf {
        self.out.join(SUMMARY_CSV)
    }
    pub fn summary_html(&self) -> PathBuf {
        self.out.join(SUMMARY_HTML)
    }
}

/// Wall time of each phase of a run (for profiling; not deterministic).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Phases {
    /// Listing `sidi_dir` and `local_dir`.
    pub scan: Duration,
    /// Reading every export's school code and pairing.
    pub pair: Duration,
    /// Syncing every school (reading, validating, planning, writing packages).
    pub sync: Duration,
    /// Fsyncing every package at the end.
    pub durable: Duration,
    /// Writing `summary.csv` and `summary.html`.
    pub summary: Duration,
}

/// A snapshot of the run, given to the progress callback after pairing and
/// after every school.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub schools_done: usize,
    pub schools_total: usize,
    pub failed: usize,
    /// SIDI pupil records synced so far.
    pub pupils_done: u64,
    /// Export bytes processed so far and in all (a better measure of the
    /// work left than schools, whose sizes differ by a thousand times).
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// A school's outcome as a worker leaves it: numbers only (see
/// [`run_bulk_with_progress`]).
#[derive(Clone, Debug)]
struct Done {
    status: Status,
    pupils_sidi: usize,
    pupils_local: usize,
    ops: [usize; OpKind::ALL.len()],
    review: [usize; ReviewKind::ALL.len()],
    errors: usize,
    warnings: usize,
    excluded: usize,
    time: Duration,
    message: String,
}

impl Done {
    fn failed(message: String) -> Done {
        Done {
            status: Status::Failed,
            pupils_sidi: 0,
            pupils_local: 0,
            ops: [0; OpKind::ALL.len()],
            review: [0; ReviewKind::ALL.len()],
            errors: 0,
            warnings: 0,
            excluded: 0,
            time: Duration::ZERO,
            message,
        }
    }

    fn of(o: &SyncOutcome, time: Duration) -> Done {
        let mut d = Done::failed(String::new());
        d.status = if o.errors > 0 {
            Status::Errors
        } else {
            Status::Ok
        };
        d.pupils_sidi = o.pupils_sidi;
        d.pupils_local = o.pupils_local;
        for (slot, k) in d.ops.iter_mut().zip(OpKind::ALL) {
            *slot = o.ops.iter().find(|(x, _)| *x == k).map_or(0, |(_, n)| *n);
        }
        for (slot, k) in d.review.iter_mut().zip(ReviewKind::ALL) {
            *slot = o
                .review
                .iter()
                .find(|(x, _)| *x == k)
                .map_or(0, |(_, n)| *n);
        }
        d.errors = o.errors;
        d.warnings = o.warnings;
        d.excluded = o.excluded;
        d.time = time;
        d
    }

    fn into_row(self, school: String, file: String, bytes: u64) -> SchoolResult {
        let failed = self.status == Status::Failed;
        SchoolResult {
            school,
            sidi_files: vec![file],
            status: self.status,
            pupils_sidi: self.pupils_sidi,
            pupils_local: self.pupils_local,
            ops: if failed {
                Vec::new()
            } else {
                OpKind::ALL.into_iter().zip(self.ops).collect()
            },
            review: if failed {
                Vec::new()
            } else {
                ReviewKind::ALL.into_iter().zip(self.review).collect()
            },
            errors: self.errors,
            warnings: self.warnings,
            excluded: self.excluded,
            bytes,
            time: self.time,
            message: self.message,
        }
    }
}

/// One entry of `sidi_dir`.
#[derive(Clone, Debug)]
struct Candidate {
    name: String,
    path: PathBuf,
    bytes: u64,
}

/// A school to sync.
struct Task {
    school: String,
    export: Candidate,
    local: Option<PathBuf>,
}

fn size_of(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

fn scan_exports(dir: &Path) -> Result<Vec<Candidate>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut v = Vec::new();
    for e in rd {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = e.path();
        v.push(Candidate {
            bytes: size_of(&path),
            name,
            path,
        });
    }
    v.sort_by(|a, b| a.name.cmp(&b.name));
    if v.is_empty() {
        return Err(Error::NoExport {
            file: dir.display().to_string(),
            found: "no files".into(),
        });
    }
    Ok(v)
}

/// Local folders by upper-cased name (`None` value: two folders whose names
/// differ only by case, resolved by exact match only).
fn scan_locals(dir: &Path) -> Result<BTreeMap<String, Vec<(String, PathBuf)>>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut m: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
    for e in rd {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        m.entry(name.to_uppercase()).or_default().push((name, path));
    }
    Ok(m)
}

/// A school code usable as a folder name: it comes from file content, so it
/// must never name another place (`..`, `/`).
fn usable_code(code: &str) -> bool {
    (1..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}

/// Runs `bulk` without progress reports.
pub fn run_bulk(cfg: &BulkConfig) -> Result<BulkOutcome> {
    run_bulk_with_progress(cfg, &|_| {})
}

/// Runs `bulk`, calling `progress` (from worker threads) after pairing and
/// after each school.
pub fn run_bulk_with_progress(
    cfg: &BulkConfig,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<BulkOutcome> {
    let start = Instant::now();
    let lang = cfg.lang;
    let generated_at = cfg
        .generated_at
        .unwrap_or_else(crate::util::now_epoch_seconds);
    let jobs = cfg
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut phases = Phases::default();
    let exports = scan_exports(&cfg.sidi_dir)?;
    let locals = scan_locals(&cfg.local_dir)?;
    phases.scan = start.elapsed();
    std::fs::create_dir_all(&cfg.out).map_err(|e| Error::io(&cfg.out, e))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("sidisync-bulk-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("--jobs {jobs}: {e}").into()))?;

    // Pair: read every export's school code (cheap header reads), in parallel.
    let read_opts = ReadOptions {
        profile: cfg.profile.clone(),
        encoding: cfg.encoding,
        ..ReadOptions::default()
    };
    let peeked: Vec<Result<String>> = pool.install(|| {
        use rayon::prelude::*;
        exports
            .par_iter()
            .map(|c| crate::read::peek_school_code(&c.path, &read_opts))
            .collect()
    });
    let mut rows: Vec<SchoolResult> = Vec::new();
    let mut by_code: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for (c, p) in exports.into_iter().zip(peeked) {
        match p {
            Ok(code) => {
                let code = code.trim().to_uppercase();
                if usable_code(&code) {
                    by_code.entry(code).or_default().push(c);
                } else {
                    let msg = fill(bulk_template("bad_code", lang), &[("school", &code)]);
                    rows.push(SchoolResult::failed("", vec![c.name], c.bytes, msg));
                }
            }
            Err(e) => rows.push(SchoolResult::failed(
                "",
                vec![c.name],
                c.bytes,
                e.localized(lang),
            )),
        }
    }
    let mut tasks: Vec<Task> = Vec::new();
    for (code, mut cands) in by_code {
        if cands.len() > 1 {
            let names: Vec<String> = cands.iter().map(|c| c.name.clone()).collect();
            let msg = fill(
                bulk_template("duplicate", lang),
                &[("school", &code), ("files", &names.join(", "))],
            );
            let bytes = cands.iter().map(|c| c.bytes).sum();
            rows.push(SchoolResult::failed(&code, names, bytes, msg));
            continue;
        }
        let local = locals.get(&code).and_then(|v| {
            v.iter()
                .find(|(n, _)| *n == code)
                .or_else(|| (v.len() == 1).then(|| &v[0]))
                .map(|(_, p)| p.clone())
        });
        tasks.push(Task {
            export: cands.pop().expect("one candidate"),
            school: code,
            local,
        });
    }
    // Local folders no export belongs to.
    let paired: std::collections::HashSet<&str> = tasks
        .iter()
        .map(|t| t.school.as_str())
        .chain(rows.iter().map(|r| r.school.as_str()))
        .collect();
    let mut orphans = Vec::new();
    for (upper, v) in &locals {
        if paired.contains(upper.as_str()) || !usable_code(upper) {
            continue;
        }
        for (name, path) in v {
            if path.join(LOCAL_PUPILS).is_file() {
                let msg = fill(
                    bulk_template("no_export", lang),
                    &[
                        ("folder", name),
                        ("dir", &cfg.sidi_dir.display().to_string()),
                    ],
                );
                orphans.push(SchoolResult::failed(upper, Vec::new(), 0, msg));
            }
        }
    }
    drop(paired);
    rows.extend(orphans);

    drop(locals);
    phases.pair = start.elapsed() - phases.scan;

    // Largest first, so the tail of the run is short.
    tasks.sort_by(|a, b| {
        b.export
            .bytes
            .cmp(&a.export.bytes)
            .then_with(|| a.school.cmp(&b.school))
    });
    let total = tasks.len() + rows.len();
    let bytes_total: u64 = tasks.iter().map(|t| t.export.bytes).sum();
    let done = AtomicUsize::new(rows.len());
    let failed = AtomicUsize::new(rows.len());
    let pupils_done = AtomicU64::new(0);
    let bytes_done = AtomicU64::new(0);
    let snapshot = || Progress {
        schools_done: done.load(Ordering::SeqCst),
        schools_total: total,
        failed: failed.load(Ordering::SeqCst),
        pupils_done: pupils_done.load(Ordering::SeqCst),
        bytes_done: bytes_done.load(Ordering::SeqCst),
        bytes_total,
    };
    progress(&snapshot());

    let sync_start = Instant::now();
    let next = AtomicUsize::new(0);
    // Workers keep nothing on the heap per school (a `Done` is plain
    // numbers, plus a message only for a failure): the rows are built after
    // the run, from the tasks' own strings. Long-lived allocations made
    // between two schools' temporary ones fragmented the allocator's arenas
    // (peak RSS grew with the number of schools).
    let results: Mutex<Vec<Option<Done>>> = Mutex::new(vec![None; tasks.len()]);
    let one = |t: &Task| -> Done {
        let Some(local) = &t.local else {
            return Done::failed(fill(
                bulk_template("no_local", lang),
                &[
                    ("school", &t.school),
                    (
                        "folder",
                        &cfg.local_dir.join(&t.school).display().to_string(),
                    ),
                ],
            ));
        };
        let classes = local.join(LOCAL_CLASSES);
        let scfg = SyncConfig {
            sidi: t.export.path.clone(),
            local: local.join(LOCAL_PUPILS),
            local_classes: classes.is_file().then_some(classes),
            profile: cfg.profile.clone(),
            decisions: None,
            out: cfg.out.join(&t.school),
            zip: cfg.zip,
            lang,
            encoding: cfg.encoding,
            generated_at: Some(generated_at),
            durable: false,
            exit_after: false,
            redact: cfg.redact,
        };
        let t0 = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_sync(&scfg)));
        let time = t0.elapsed();
        match r {
            Ok(Ok(o)) => Done::of(&o, time),
            Ok(Err(e)) => Done::failed(e.localized(lang)),
            Err(p) => Done::failed(fill(
                bulk_template("internal", lang),
                &[("detail", &panic_text(p.as_ref()))],
            )),
        }
    };
    pool.scope(|s| {
        for _ in 0..jobs.min(tasks.len()) {
            s.spawn(|_| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(t) = tasks.get(i) else { break };
                let d = one(t);
                pupils_done.fetch_add(d.pupils_sidi as u64, Ordering::SeqCst);
                bytes_done.fetch_add(t.export.bytes, Ordering::SeqCst);
                if d.status == Status::Failed {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
                done.fetch_add(1, Ordering::SeqCst);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(d);
                progress(&snapshot());
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    rows.reserve(tasks.len());
    for (t, d) in tasks.into_iter().zip(results) {
        let d = d.unwrap_or_else(|| {
            Done::failed(fill(
                bulk_template("internal", lang),
                &[("detail", "no result")],
            ))
        });
        rows.push(d.into_row(t.school, t.export.name, t.export.bytes));
    }
    phases.sync = sync_start.elapsed();
    // Durability for the whole output at once: most files were written back
    // by the kernel meanwhile, so these fsyncs are cheap, unlike one journal
    // commit per file during the run.
    if cfg.durable {
        let sync_start = Instant::now();
        let written: Vec<PathBuf> = rows
            .iter()
            .filter(|r| r.status != Status::Failed)
            .map(|r| cfg.out.join(&r.school))
            .collect();
        // fsync waits on the disk, not the CPU: many threads let the file
        // system commit many files per journal transaction.
        let io_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(SYNC_THREADS)
            .thread_name(|i| format!("sidisync-fsync-{i}"))
            .build()
            .map_err(|e| Error::Usage(format!("fsync threads: {e}").into()))?;
        io_pool.install(|| {
            use rayon::prelude::*;
            written
                .par_iter()
                .with_max_len(1)
                .try_for_each(|d| crate::write::package::sync_tree(d))
        })?;
        if let Ok(f) = std::fs::File::open(&cfg.out) {
            let _ = f.sync_all();
        }
        phases.durable = sync_start.elapsed();
    }
    rows.sort_by(|a, b| {
        (a.school.is_empty(), &a.school, &a.sidi_files).cmp(&(
            b.school.is_empty(),
            &b.school,
            &b.sidi_files,
        ))
    });
    let mut outcome = BulkOutcome {
        schools: rows,
        elapsed: start.elapsed(),
        phases,
        jobs,
        out: cfg.out.clone(),
    };
    let summary_start = Instant::now();
    let when = crate::util::format_timestamp(generated_at);
    let csv = crate::write::summary::summary_csv(&outcome.schools)?;
    write_atomically(&outcome.summary_csv(), |w| w.write_all(&csv))?;
    drop(csv);
    write_atomically(&outcome.summary_html(), |w| {
        crate::write::summary::write_summary_html(&outcome, lang, &when, w)
    })?;
    outcome.phases.summary = summary_start.elapsed();
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

/// Writes a file through `fill` into a temporary file next to `path`, then
/// renames it.
fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let f = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    let mut w = std::io::BufWriter::new(f);
    fill(&mut w)
        .and_then(|_| w.flush())
        .map_err(|e| Error::io(path, e))?;
    let f = w
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    f.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    f.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Totals of a run, for the summary and the terminal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub schools: usize,
    pub ok: usize,
    pub with_errors: usize,
    pub failed: usize,
    pub pupils_sidi: u64,
    pub pupils_local: u64,
    pub ops: Vec<(OpKind, u64)>,
    pub review: Vec<(ReviewKind, u64)>,
    pub errors: u64,
    pub warnings: u64,
    pub excluded: u64,
}

/// Sums every row.
pub fn totals(rows: &[SchoolResult]) -> Totals {
    let mut t = Totals {
        schools: rows.len(),
        ops: OpKind::ALL.iter().map(|k| (*k, 0)).collect(),
        review: ReviewKind::ALL.iter().map(|k| (*k, 0)).collect(),
        ..Totals::default()
    };
    for r in rows {
        match r.status {
            Status::Ok => t.ok += 1,
            Status::Errors => t.with_errors += 1,
            Status::Failed => t.failed += 1,
        }
        t.pupils_sidi += r.pupils_sidi as u64;
        t.pupils_local += r.pupils_local as u64;
        for (k, n) in &mut t.ops {
            *n += r.op(*k) as u64;
        }
        for (k, n) in &mut t.review {
            *n += r.review_count(*k) as u64;
        }
        t.errors += r.errors as u64;
        t.warnings += r.warnings as u64;
        t.excluded += r.excluded as u64;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name)
    }

    /// sidi/ with the sample export in `forms`, locale/BOIC83500N/.
    fn setup(forms: &[&str]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let sidi = d.path().join("sidi");
        let loc = d.path().join("locale").join("BOIC83500N");
        std::fs::create_dir_all(&sidi).unwrap();
        std::fs::create_dir_all(&loc).unwrap();
        for f in forms {
            std::fs::copy(sample(f), sidi.join(f)).unwrap();
        }
        for f in [LOCAL_PUPILS, LOCAL_CLASSES] {
            std::fs::copy(sample(f), loc.join(f)).unwrap();
        }
        d
    }

    fn cfg(d: &Path) -> BulkConfig {
        let mut c = BulkConfig::new(d.join("sidi"), d.join("locale"), d.join("out"));
        c.generated_at = Some(1_764_403_200);
        c.jobs = Some(2);
        c
    }

    #[test]
    fn one_school_matches_a_single_sync() {
        let d = setup(&["frequenze_xml.zip"]);
        let o = run_bulk(&cfg(d.path())).unwrap();
        assert_eq!(o.schools.len(), 1);
        let r = &o.schools[0];
        assert_eq!(r.school, "BOIC83500N");
        assert_eq!(r.status, Status::Ok, "{}", r.message);
        assert_eq!(r.pupils_sidi, 150);
        // the same input files, synced alone
        let loc = d.path().join("locale/BOIC83500N");
        let mut s = SyncConfig::new(
            d.path().join("sidi/frequenze_xml.zip"),
            loc.join(LOCAL_PUPILS),
            d.path().join("alone"),
        );
        s.local_classes = Some(loc.join(LOCAL_CLASSES));
        s.generated_at = Some(1_764_403_200);
        let alone = run_sync(&s).unwrap();
        assert_eq!(alone.ops, r.ops);
        assert_eq!(alone.review, r.review);
        for f in [
            "patch.jsonl",
            "patch.csv",
            "patch.xml",
            "review.csv",
            "report.html",
            "manifest.json",
        ] {
            let a = std::fs::read(d.path().join("alone").join(f)).unwrap();
            let b = std::fs::read(d.path().join("out/BOIC83500N").join(f)).unwrap();
            assert!(a == b, "{f} differs");
        }
        assert!(o.summary_csv().is_file() && o.summary_html().is_file());
        assert_eq!(o.exit_code(), 0);
    }

    #[test]
    fn failures_stay_local() {
        let d = setup(&["frequenze_xml.zip", "frequenze_csv.zip"]);
        let sidi = d.path().join("sidi");
        std::fs::write(sidi.join("rotto.zip"), b"PK\x03\x04 not a zip").unwrap();
        std::fs::write(sidi.join(".nascosto"), b"ignored").unwrap();
        // an export of a school without local folder
        let xml = std::fs::read(sample("frequenze.xml")).unwrap();
        let other = String::from_utf8_lossy(&xml).replace("BOIC83500N", "RMIC80400X");
        std::fs::write(sidi.join("altra.xml"), other.as_bytes()).unwrap();
        // a local folder without export
        let lone = d.path().join("locale/MIIC8AB00C");
        std::fs::create_dir_all(&lone).unwrap();
        std::fs::copy(sample(LOCAL_PUPILS), lone.join(LOCAL_PUPILS)).unwrap();
        let o = run_bulk(&cfg(d.path())).unwrap();
        let by: Vec<(&str, Status)> = o
            .schools
            .iter()
            .map(|r| (r.school.as_str(), r.status))
            .collect();
        assert_eq!(
            by,
            vec![
                ("BOIC83500N", Status::Failed), // two exports
                ("MIIC8AB00C", Status::Failed), // no export
                ("RMIC80400X", Status::Failed), // no local folder
                ("", Status::Failed),           // unreadable
            ]
        );
        assert!(o.schools[0].message.contains("frequenze_csv.zip"));
        assert!(o.schools[2].message.contains("RMIC80400X"));
        assert_eq!(o.schools[3].sidi_files, vec!["rotto.zip".to_string()]);
        assert_eq!(o.exit_code(), 1);
        assert!(!d.path().join("out/BOIC83500N").exists());
    }

    #[test]
    fn a_failing_school_does_not_stop_the_others() {
        let d = setup(&["frequenze_xml.zip"]);
        let sidi = d.path().join("sidi");
        let xml = std::fs::read(sample("frequenze.xml")).unwrap();
        let other = String::from_utf8_lossy(&xml).replace("BOIC83500N", "RMIC80400X");
        std::fs::write(sidi.join("altra.xml"), other.as_bytes()).unwrap();
        // the local folder exists but holds no alunni_locali.csv
        std::fs::create_dir_all(d.path().join("locale/RMIC80400X")).unwrap();
        let o = run_bulk(&cfg(d.path())).unwrap();
        assert_eq!(o.schools[0].status, Status::Ok);
        assert_eq!(o.schools[1].status, Status::Failed);
        assert!(o.schools[1].message.contains(LOCAL_PUPILS));
        assert!(d.path().join("out/BOIC83500N/patch.jsonl").is_file());
        assert_eq!(o.exit_code(), 1);
    }

    #[test]
    fn school_codes_from_content_never_escape_out() {
        assert!(usable_code("BOIC83500N"));
        assert!(!usable_code("../x"));
        assert!(!usable_code(""));
        assert!(!usable_code("A/B"));
    }

    #[test]
    fn empty_sidi_dir_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("sidi")).unwrap();
        std::fs::create_dir_all(d.path().join("locale")).unwrap();
        assert!(matches!(
            run_bulk(&cfg(d.path())),
            Err(Error::NoExport { .. })
        ));
    }
}
