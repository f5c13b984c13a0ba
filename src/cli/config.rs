//! Turns raw [`Cli`] arguments into validated library configurations, the
//! ripgrep way: every check of the user's words happens here, once, and the
//! library receives plain structs.

use super::args::{Cli, Command, InputArgs, LangArg};
use sidisync::messages::Lang;
use sidisync::read::profile::{EncodingChoice, Profile};
use sidisync::read::ReadOptions;
use sidisync::{Error, Result};

/// Resolved settings shared by every command.
pub struct Global {
    pub lang: Lang,
    pub quiet: bool,
}

pub fn global(cli: &Cli) -> Global {
    Global {
        lang: match cli.lang {
            LangArg::It => Lang::It,
            LangArg::En => Lang::En,
        },
        quiet: cli.quiet,
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
