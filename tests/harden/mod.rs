//! Hardening: hostile and broken inputs against every documented limit,
//! crash safety of package writing, privacy of outputs, and the
//! regression inputs found by fuzzing (see HARDENING.md).

mod child;
mod crash;
mod limits;
mod privacy;
mod regressions;
