//! Sync engine (to be written).
