//! Validation (to be written).
pub mod cf;
