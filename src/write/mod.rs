//! Writers: the local export layout (used by `apply` and `gen`), and the
//! patch package formats.

pub mod local;
