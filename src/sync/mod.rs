//! Sync engine: match SIDI pupils to local pupils, plan operations and
//! review items (FORMATS.md section 3), and write the patch package.
//!
//! - [`engine::plan`] is the pure core: SIDI export + validation + local
//!   export + code map + decisions -> [`engine::Plan`];
//!   [`engine::plan_indexed`] takes the local reader's index of the local
//!   pupils instead of building one.
//! - [`run_sync`] is the library entry point the CLI calls: it reads the
//!   inputs, validates, plans and writes the package atomically.
//!
//! See docs/sync.md for the rules and the semantics decided where
//! FORMATS.md is silent.

pub mod decisions;
pub mod engine;
pub mod ops;

pub use engine::{plan, plan_indexed, Plan, SchoolInfo};
pub use ops::{OpKind, Operation, ReviewItem, ReviewKind};

use crate::error::Result;
use crate::findings::Finding;
use crate::map::CodeMap;
use crate::messages::Lang;
use crate::model::SidiExport;
use crate::read::profile::{EncodingChoice, Profile};
use crate::validate::{validate_export, ValidateOptions};
use crate::write::manifest::FileEntry;
use crate::write::package::{write_package_with, PackageOptions};
use crate::write::report::ReportContext;
use std::path::{Path, PathBuf};

/// Everything `sidisync sync` needs.
#[derive(Clone, Debug)]
pub struct SyncConfig {
    /// The SIDI export (XML, CSV folder or zip).
    pub sidi: PathBuf,
    /// `alunni_locali.csv`
    pub local: PathBuf,
    /// `classi_locali.csv`, optional.
    pub local_classes: Option<PathBuf>,
    pub profile: Profile,
    /// A filled-in `review.csv` from an earlier run.
    pub decisions: Option<PathBuf>,
    /// The package folder.
    pub out: PathBuf,
    /// Also write `package.zip` inside the folder.
    pub zip: bool,
    pub lang: Lang,
    /// Overrides the profile's encoding for every CSV input (SIDI and local).
    pub encoding: Option<EncodingChoice>,
    /// Generation time (epoch seconds) for the manifest and report; `None`:
    /// `SOURCE_DATE_EPOCH` or the clock.
    pub generated_at: Option<u64>,
    /// Replace codici fiscali and names by pseudonyms in report.html
    /// (`--redact`, see [`crate::privacy`]); patch files keep real data.
    pub redact: bool,
    /// Fsync every file of the package (default). `bulk` turns it off and
    /// syncs its whole output once at the end.
    pub durable: bool,
    /// The process ends right after this sync (the `sync` command): the
    /// model and the plan are then left to the operating system instead of
    /// being freed one small string at a time, which costs a large school
    /// a tenth of its run. Off by default (a library caller, `bulk`).
    pub exit_after: bool,
}

impl SyncConfig {
    /// A config with the default profile, Italian, no zip.
    pub fn new(
        sidi: impl Into<PathBuf>,
        local: impl Into<PathBuf>,
        out: impl Into<PathBuf>,
    ) -> Self {
        SyncConfig {
            sidi: sidi.into(),
            local: local.into(),
            local_classes: None,
            profile: Profile::default(),
            decisions: None,
            out: out.into(),
            zip: false,
            lang: Lang::It,
            encoding: None,
            generated_at: None,
            redact: false,
            durable: true,
            exit_after: false,
        }
    }
}

/// What a sync produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Operations per kind (every kind, zeros included).
    pub ops: Vec<(OpKind, usize)>,
    /// Review items per kind (every kind, zeros included).
    pub review: Vec<(ReviewKind, usize)>,
    pub errors: usize,
    pub warnings: usize,
    pub excluded: usize,
    /// Decision rows that no longer match (reported, not applied).
    pub stale_decisions: usize,
    pub out: PathBuf,
    /// `out/package.zip` when asked for.
    pub zip: Option<PathBuf>,
    /// SIDI pupil records read (duplicates and faulty ones included).
    pub pupils_sidi: usize,
    /// Local pupil records read.
    pub pupils_local: usize,
}

impl SyncOutcome {
    /// 0: done, no error finding; 1: done, with error findings.
    pub fn exit_code(&self) -> i32 {
        if self.errors > 0 {
            1
        } else {
            0
        }
    }
    pub fn total_ops(&self) -> usize {
        self.ops.iter().map(|(_, n)| n).sum()
    }
}

fn base_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// A reader's source name without its directory, as the manifest wants it:
/// `/x/y/a.zip!frequenze.xml` -> `a.zip!frequenze.xml`, `/x/y/a.xml` -> `a.xml`.
fn source_base_name(name: &str) -> String {
    let (outer, member) = match name.find('!') {
        Some(i) => name.split_at(i),
        None => (name, ""),
    };
    format!("{}{member}", base_name(Path::new(outer)))
}

/// Reads every input, validates, plans and writes the package. Any
/// [`crate::Error`] means nothing was written (an earlier `--out` is left
/// as it was).
///
/// The SIDI export (read, then validated) and the local side (local export
/// and decisions) are independent and read on two threads; errors are
/// reported in the same order as a sequential run (SIDI first).
pub fn run_sync(cfg: &SyncConfig) -> Result<SyncOutcome> {
    let opts = crate::read::ReadOptions {
        profile: cfg.profile.clone(),
        encoding: cfg.encoding,
        ..crate::read::ReadOptions::default()
    };
    let (sidi, local) = rayon::join(
        || {
            crate::read::read_sidi(&cfg.sidi, &opts).map(|read| {
                let validation =
                    validate_export(&read.export, &ValidateOptions::default().for_read_export());
                (read, validation)
            })
        },
        || read_local_side(cfg),
    );
    let (read, validation) = sidi?;
    let (local, decisions) = local?;
    let outcome = finish(
        cfg,
        &read.export,
        read.findings,
        local,
        decisions,
        validation,
    );
    dispose(cfg, read.export);
    outcome
}

/// The local export and the decisions file of `cfg`.
fn read_local_side(
    cfg: &SyncConfig,
) -> Result<(crate::read::local::LocalRead, Option<decisions::Decisions>)> {
    let mut layout = cfg.profile.local.clone();
    if let Some(e) = cfg.encoding {
        layout.encoding = e;
    }
    let local = crate::read::local::read_local(&cfg.local, cfg.local_classes.as_deref(), &layout)?;
    let decisions = match &cfg.decisions {
        Some(p) => Some(decisions::read_decisions(p)?),
        None => None,
    };
    Ok((local, decisions))
}

/// [`run_sync`] with the SIDI export already read (`read_findings`: the
/// reader's findings, listed first).
pub fn run_sync_with(
    cfg: &SyncConfig,
    export: &SidiExport,
    read_findings: Vec<Finding>,
) -> Result<SyncOutcome> {
    let (validation, local) = rayon::join(
        || validate_export(export, &ValidateOptions::default().for_read_export()),
        || read_local_side(cfg),
    );
    let (local, decisions) = local?;
    finish(cfg, export, read_findings, local, decisions, validation)
}

/// Plans and writes the package once every input is read and validated.
fn finish(
    cfg: &SyncConfig,
    export: &SidiExport,
    read_findings: Vec<Finding>,
    local: crate::read::local::LocalRead,
    decisions: Option<decisions::Decisions>,
    validation: crate::validate::Validation,
) -> Result<SyncOutcome> {
    let map = CodeMap::from_profile(&cfg.profile);
    // the report's per-class pupil counts need only the exports: counted
    // beside the plan, which leaves a core partly idle
    let (plan, tally) = rayon::join(
        || {
            engine::plan_indexed(
                export,
                &validation,
                &local.export,
                Some(&local.index),
                &map,
                decisions.as_ref(),
            )
        },
        || crate::write::report::PupilTally::of(&local.export, Some(export)),
    );
    let mut plan = plan?;
    // reader findings first, then the local export's, then validation and engine
    let mut findings = read_findings;
    findings.extend(local.findings);
    findings.append(&mut plan.findings);
    plan.findings = findings;

    let mut inputs: Vec<FileEntry> = Vec::new();
    for s in &export.sources {
        inputs.push(FileEntry {
            role: "sidi".into(),
            name: source_base_name(&s.name),
            size: s.size,
            sha256: s.sha256.clone(),
        });
    }
    for (n, s) in local.export.sources.iter().enumerate() {
        inputs.push(FileEntry {
            role: if n == 0 { "local" } else { "local_classes" }.into(),
            name: s.name.clone(),
            size: s.size,
            sha256: s.sha256.clone(),
        });
    }
    if let Some(p) = &cfg.profile.source {
        let b = std::fs::read(p).map_err(|e| crate::Error::io(p, e))?;
        inputs.push(FileEntry::of_bytes("profile", &base_name(p), &b));
    }
    if let (Some(d), Some(p)) = (&decisions, &cfg.decisions) {
        inputs.push(FileEntry {
            role: "decisions".into(),
            name: base_name(p),
            size: d.size,
            sha256: d.sha256.clone(),
        });
    }
    let opts = PackageOptions {
        out: cfg.out.clone(),
        zip: cfg.zip,
        lang: cfg.lang,
        generated_at: cfg
            .generated_at
            .unwrap_or_else(crate::util::now_epoch_seconds),
        profile_name: cfg.profile.name.clone(),
        inputs,
        durable: cfg.durable,
    };
    let redactor = if cfg.redact {
        crate::privacy::Redactor::for_inputs(Some(export), Some(&local.export))
    } else {
        crate::privacy::Redactor::off()
    };
    let ctx = ReportContext {
        sidi: Some(export),
        local: Some(&local.export),
        redactor: Some(&redactor),
        tally: Some(&tally),
    };
    write_package_with(&plan, &opts, &ctx)?;
    let (errors, warnings) = plan.finding_counts();
    let outcome = SyncOutcome {
        ops: plan.op_counts(),
        review: plan.review_counts(),
        errors,
        warnings,
        excluded: plan.excluded.len(),
        stale_decisions: plan
            .findings
            .iter()
            .filter(|f| f.code == crate::findings::FindingCode::DecisionStale)
            .count(),
        out: cfg.out.clone(),
        zip: cfg
            .zip
            .then(|| cfg.out.join(crate::write::package::ZIP_NAME)),
        pupils_sidi: export.pupils.len(),
        pupils_local: local.export.pupils.len(),
    };
    dispose(cfg, (plan, local.export, validation));
    Ok(outcome)
}

/// Gets rid of a large value at the end of a sync. Freeing a large model
/// costs a noticeable part of a run (hundreds of thousands of small
/// strings): another thread does it, or nobody when the process is about to
/// exit ([`SyncConfig::exit_after`]).
fn dispose<T: Send + 'static>(cfg: &SyncConfig, v: T) {
    if cfg.exit_after {
        std::mem::forget(v);
    } else {
        crate::util::drop_in_background(v);
    }
}

pub use crate::apply::{run_apply, ApplyConfig, ApplyOutcome};

#[cfg(test)]
mod tests {
    #[test]
    fn manifest_names_have_no_directory() {
        assert_eq!(
            super::source_base_name("/x/y/a.zip!frequenze.xml"),
            "a.zip!frequenze.xml"
        );
        assert_eq!(super::source_base_name("/x/y/a.xml"), "a.xml");
        assert_eq!(super::source_base_name("a.xml"), "a.xml");
        assert_eq!(super::source_base_name("/x/csv/alunni.csv"), "alunni.csv");
    }
}
