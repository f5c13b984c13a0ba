//! The binary's side: raw arguments ([`args`]), their resolution into
//! validated library configurations ([`config`]), terminal output
//! ([`term`]), and the help ([`help`]) and clap's refusals ([`usage`]) in
//! the user's language. The library knows nothing of any of this.

pub mod args;
pub mod config;
pub mod help;
pub mod progress;
pub mod term;
pub mod usage;
