//! The binary's side: raw arguments ([`args`]), their resolution into
//! validated library configurations ([`config`]), and terminal output
//! ([`term`]). The library knows nothing of any of this.

pub mod args;
pub mod config;
pub mod progress;
pub mod term;
