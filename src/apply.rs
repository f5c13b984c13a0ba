//! Applying a patch to a local export (to be written).
