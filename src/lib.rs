//! # sidisync
//!
//! Keeps an Italian school's local database aligned with the Ministry's
//! national student registry (SIDI, Anagrafe Nazionale Studenti).
//!
//! The library is a pipeline, and the modules follow it:
//!
//! 1. [`read`]: open a SIDI export (XML or CSV, plain or zipped, any
//!    encoding, any vendor layout through a [`read::profile::Profile`]) into a
//!    [`model::SidiExport`]; read the local export into a [`model::LocalExport`].
//! 2. [`model`]: typed pupils, classes, sedi and codes, each with its origin.
//! 3. [`validate`]: findings with stable codes ([`findings`]), including the
//!    codice fiscale engine ([`validate::cf`]) and school codes.
//! 4. [`map`]: ministry codes -> local codes.
//! 5. [`sync`]: match, diff, plan operations and review items.
//! 6. [`write`](mod@write): patch formats, review sheet, report, manifest, atomically.
//!
//! [`apply`] applies a patch to a local export (the reference importer),
//! [`bulk`] runs many schools in parallel, [`gen`] makes realistic workloads.

pub mod apply;
pub mod bulk;
pub mod check;
pub mod date;
pub mod error;
pub mod findings;
pub mod gen;
pub mod map;
pub mod messages;
pub mod model;
pub mod privacy;
pub mod read;
pub mod sync;
pub mod util;
pub mod validate;
pub mod write;

pub use error::{Error, Message, Result};
