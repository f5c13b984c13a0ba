//! Ministry code -> local code mapping (to be written).
