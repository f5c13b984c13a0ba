//! Writers: the local export layout (used by `apply` and `gen`), and the
//! patch package formats.

pub mod local;
pub mod manifest;
pub mod package;
pub mod patch;
pub mod pieces;
pub mod report;
pub mod review;
pub mod summary;
