//! Reading inputs: the SIDI export in any of its forms, and the local export.

pub mod encoding;
pub mod local;
pub mod profile;
