//! The one integration-test binary. Each module is a test area; `harness`
//! holds the small shared helpers (running the binary, temp folders, samples).

mod harness;

mod bulk;
mod cf_docs;
mod cf_edge;
mod cf_peer;
mod cf_prop;
mod cli;
mod e2e;
mod harden;
mod read;
mod report;
mod sync;
