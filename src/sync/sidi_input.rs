//! TEMPORARY shim: the SIDI reader (`crate::read::read_sidi`) is being
//! written on another branch. This file only fixes the signature the sync
//! engine calls; the lead replaces its body (or the whole file) by a
//! re-export of `crate::read::{read_sidi, ReadOptions, SidiRead}` at merge.

use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::model::SidiExport;
use crate::read::profile::{EncodingChoice, Profile};
use std::path::Path;

/// How to read a SIDI export.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub profile: Profile,
    /// Overrides the profile's CSV encoding.
    pub encoding: Option<EncodingChoice>,
}

/// A SIDI export read, with the reader's findings.
#[derive(Clone, Debug, Default)]
pub struct SidiRead {
    pub export: SidiExport,
    pub findings: Vec<Finding>,
}

/// Reads a SIDI export (shim: refuses until the reader is merged).
pub fn read_sidi(path: &Path, _opts: &ReadOptions) -> Result<SidiRead> {
    Err(Error::Usage(format!(
        "{}: the SIDI reader is not part of this build",
        path.display()
    )))
}
