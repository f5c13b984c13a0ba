//! The binary's side: raw arguments ([`args`]), their resolution into
//! validated library configurations ([`config`]), terminal output
//! ([`term`]) and clap's refusals in the user's language ([`usage`]). The
//! library knows nothing of any of this.

pub mod args;
pub mod config;
pub mod progress;
pub mod term;
pub mod usage;
