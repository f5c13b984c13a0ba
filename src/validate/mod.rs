//! Validation: record rules over a SIDI export, with stable finding codes.
//!
//! - [`cf`]: the codice fiscale engine (zero-allocation `validate`, decode,
//!   record consistency, `explain` for the `cf` command);
//! - [`places`]: comuni and foreign states with validity windows;
//! - [`school_code`]: codici meccanografici and the school registry;
//! - [`rules`]: the record rules applied by [`validate_export`].

pub mod cf;
pub mod places;
pub mod rules;
pub mod school_code;

pub use rules::validate_local;

use crate::date::Date;
use crate::findings::Finding;
use crate::model::SidiExport;

/// What validation needs besides the export.
#[derive(Clone, Debug)]
pub struct ValidateOptions {
    /// Reference day for "not in the future" checks.
    pub today: Date,
    /// The export comes from [`crate::read`], whose readers already report
    /// missing required data (codice scuola, codice fiscale, cognome, nome,
    /// sesso, data di nascita) and dates that cannot be read, naming the
    /// field as the file does: validation then leaves those findings out
    /// (a pupil with one is still excluded from the sync). `false` (the
    /// default) for an export built by other means.
    pub reader_checked: bool,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            today: Date::today(),
            reader_checked: false,
        }
    }
}

impl ValidateOptions {
    /// These options for an export read by [`crate::read`] (see
    /// [`ValidateOptions::reader_checked`]).
    pub fn for_read_export(&self) -> ValidateOptions {
        ValidateOptions {
            reader_checked: true,
            ..self.clone()
        }
    }
}

/// The outcome of validating one export.
#[derive(Clone, Debug, Default)]
pub struct Validation {
    /// Every finding, in a deterministic order (file, line, code).
    pub findings: Vec<Finding>,
    /// Index-aligned with `export.pupils`: true when the pupil has an error
    /// finding and is excluded from the sync.
    pub pupil_errors: Vec<bool>,
    /// Index-aligned with `export.classes`: true when the class has an error.
    pub class_errors: Vec<bool>,
    /// Index-aligned with `export.pupils`: (codice fiscale shared with
    /// another pupil, id SIDI shared with another pupil). Empty in a
    /// hand-built `Validation`: the sync engine then counts them itself.
    pub duplicates: Vec<(bool, bool)>,
}

/// Applies every record rule to `export`.
///
/// Findings are sorted by file, line, column, then code, record and field.
pub fn validate_export(export: &SidiExport, opts: &ValidateOptions) -> Validation {
    rules::run(export, opts)
}
