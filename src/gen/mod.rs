//! Synthetic workload generator (to be written).
