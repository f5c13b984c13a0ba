//! Bulk processing of many schools (to be written).
