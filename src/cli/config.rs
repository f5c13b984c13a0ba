//! Turns raw [`Cli`] arguments into validated library configurations, the
//! ripgrep way: every check of the user's words happens here, once, and the
//! library receives plain structs.

use super::args::{Cli, Command, InputArgs, LangArg};
use sidisync::apply::ApplyConfig;
use sidisync::bulk::BulkConfig;
use sidisync::gen::{Drift, GenConfig};
use sidisync::messages::{Lang, Ui};
use sidisync::read::profile::{EncodingChoice, Profile};
use sidisync::read::ReadOptions;
use sidisync::sync::SyncConfig;
use sidisync::{Error, Message, Result};

/// Resolved settings shared by every command.
pub struct Global {
    pub lang: Lang,
    pub quiet: bool,
    pub redact: bool,
}

pub fn global(cli: &Cli) -> Global {
    Global {
        lang: match cli.lang {
            LangArg::It => Lang::It,
            LangArg::En => Lang::En,
        },
        quiet: cli.quiet,
        redact: cli.redact,
    }
}

/// Loads the profile and the encoding override.
pub fn read_options(input: &InputArgs) -> Result<ReadOptions> {
    let profile = match &input.profile {
        Some(p) => Profile::load(p)?,
        None => Profile::default(),
    };
    let encoding = input
        .encoding
        .as_deref()
        .map(EncodingChoice::parse)
        .transpose()?;
    Ok(ReadOptions {
        profile,
        encoding,
        ..ReadOptions::default()
    })
}

/// Refuses early, with a plain message, an input file that is missing or
/// is not a regular file.
pub fn existing_file(path: &std::path::Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        // a pipe (`<(…)`), a device: the readers map or seek their input
        Ok(_) => Err(Error::input(
            path.display().to_string(),
            0,
            Message::new(
                "non è un file (una pipe o un dispositivo?): salvatene il contenuto in un file e indicate quello",
                "not a regular file (a pipe or a device?): save its content to a file and name that",
            ),
        )),
        Err(e) => Err(Error::io(path, e)),
    }
}

pub fn command(cli: &Cli) -> &Command {
    &cli.command
}

/// `sync` arguments -> [`SyncConfig`].
pub fn sync_config(a: &super::args::SyncArgs, g: &Global) -> Result<SyncConfig> {
    let opts = read_options(&a.input)?;
    existing_file_or_dir(&a.sidi)?;
    existing_file(&a.local)?;
    if let Some(c) = &a.local_classes {
        existing_file(c)?;
    }
    if let Some(d) = &a.decisions {
        existing_file(d)?;
    }
    let mut cfg = SyncConfig::new(&a.sidi, &a.local, &a.out);
    cfg.local_classes = a.local_classes.clone();
    cfg.profile = opts.profile;
    cfg.encoding = opts.encoding;
    cfg.decisions = a.decisions.clone();
    cfg.zip = a.zip;
    cfg.lang = g.lang;
    cfg.redact = g.redact;
    // the command ends with this sync: leave its memory to the OS
    cfg.exit_after = true;
    Ok(cfg)
}

/// `apply` arguments -> [`ApplyConfig`].
pub fn apply_config(a: &super::args::ApplyArgs) -> Result<ApplyConfig> {
    let opts = read_options(&a.input)?;
    existing_file(&a.local)?;
    existing_file(&a.patch)?;
    if let Some(c) = &a.local_classes {
        existing_file(c)?;
    }
    Ok(ApplyConfig {
        local: a.local.clone(),
        local_classes: a.local_classes.clone(),
        patch: a.patch.clone(),
        out: a.out.clone(),
        profile: opts.profile,
        encoding: opts.encoding,
    })
}

/// `bulk` arguments -> [`BulkConfig`].
pub fn bulk_config(a: &super::args::BulkArgs, g: &Global) -> Result<BulkConfig> {
    let opts = read_options(&a.input)?;
    for d in [&a.sidi_dir, &a.local_dir] {
        if !d.is_dir() {
            return Err(Error::io(
                d,
                std::io::Error::new(std::io::ErrorKind::NotFound, "folder not found"),
            ));
        }
    }
    if a.jobs == Some(0) {
        return Err(Error::Usage(ui_message(Ui::JobsAtLeastOne)));
    }
    let mut cfg = BulkConfig::new(&a.sidi_dir, &a.local_dir, &a.out);
    cfg.jobs = a.jobs;
    cfg.profile = opts.profile;
    cfg.encoding = opts.encoding;
    cfg.lang = g.lang;
    cfg.zip = a.zip;
    Ok(cfg)
}

/// `gen` arguments -> [`GenConfig`].
pub fn gen_config(a: &super::args::GenArgs) -> Result<GenConfig> {
    // --scale is checked by the generator (above 0, at most 10)
    let scale = a.scale.unwrap_or(1.0);
    if a.jobs == Some(0) || a.schools == Some(0) {
        return Err(Error::Usage(ui_message(Ui::JobsSchoolsAtLeastOne)));
    }
    Ok(GenConfig {
        out: a.out.clone(),
        schools: a.schools,
        national: a.national,
        scale,
        seed: a.seed,
        drift: match &a.drift {
            Some(d) => Drift::parse(d)?,
            None => Drift::default(),
        },
        jobs: a.jobs,
    })
}

/// A usage message of the terminal's catalogue, in both languages.
fn ui_message(ui: Ui) -> Message {
    Message::new(ui.text(Lang::It), ui.text(Lang::En))
}

/// A SIDI export may be a file or a folder of CSV files.
pub fn existing_file_or_dir(path: &std::path::Path) -> Result<()> {
    if path.is_dir() {
        Ok(())
    } else {
        existing_file(path)
    }
}
