//! Turns raw [`Cli`] arguments into validated library configurations, the
//! ripgrep way: every check of the user's words happens here, once, and the
//! library receives plain structs.

use super::args::{Cli, Command, InputArgs, LangArg};
use sidisync::apply::ApplyConfig;
use sidisync::messages::Lang;
use sidisync::read::profile::{EncodingChoice, Profile};
use sidisync::read::ReadOptions;
use sidisync::sync::SyncConfig;
use sidisync::{Error, Result};

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

/// Refuses a missing input file early with a plain message.
pub fn existing_file(path: &std::path::Path) -> Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ))
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

/// A SIDI export may be a file or a folder of CSV files.
pub fn existing_file_or_dir(path: &std::path::Path) -> Result<()> {
    if path.is_dir() {
        Ok(())
    } else {
        existing_file(path)
    }
}
