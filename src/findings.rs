//! Findings: what validation says about records, with stable codes.
//!
//! A [`Finding`] names its [`FindingCode`] (stable, documented in the README),
//! its [`Severity`], where the record is ([`Origin`]), which record (id SIDI or
//! codice fiscale) and field, and the offending and expected values. The
//! human message is rendered from the catalogue in [`crate::messages`], in
//! Italian or English.

use crate::messages::{self, Lang};
use crate::model::Origin;
use serde::Serialize;

/// How serious a finding is. Errors exclude the record from the sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! finding_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident; )*) => {
        /// Stable finding codes. The string form (`code()`) never changes meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FindingCode {
            $( $(#[$doc])* $variant, )*
        }

        impl FindingCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            /// The stable string code, e.g. `CF_CHECK`.
            pub fn code(self) -> &'static str {
                match self { $(FindingCode::$variant => $code,)* }
            }

            /// The default severity of this code.
            pub fn severity(self) -> Severity {
                match self { $(FindingCode::$variant => Severity::$sev,)* }
            }

            /// Looks a code up by its string form.
            pub fn from_code(s: &str) -> Option<FindingCode> {
                match s { $($code => Some(FindingCode::$variant),)* _ => None }
            }
        }
    };
}

finding_codes! {
    // --- structure of the records ---
    /// A mandatory field is empty.
    RequiredMissing = "REQUIRED_MISSING", Error;
    /// A date that does not parse or does not exist.
    DateInvalid = "DATE_INVALID", Error;
    /// Sesso is not M or F.
    SessoInvalid = "SESSO_INVALID", Error;
    /// The same id SIDI on more than one pupil.
    IdSidiDuplicate = "ID_SIDI_DUPLICATE", Error;
    /// A pupil with no attending frequenza (transferred, withdrawn…).
    NoCurrentFrequenza = "FREQUENZA_NOT_CURRENT", Warning;
    /// A frequenza stato outside FREQUENTANTE/TRASFERITO/RITIRATO/INTERROTTO.
    FrequenzaStatoInvalid = "FREQUENZA_STATO_INVALID", Warning;
    /// A school order other than AA, EE, MM, SS.
    OrdineInvalid = "ORDINE_INVALID", Error;
    /// Anno di corso outside the range of the ordine.
    AnnoRange = "ANNO_RANGE", Error;
    /// Sezione empty or longer than 4 characters.
    SezioneLength = "SEZIONE_LENGTH", Error;
    /// A class referenced by a pupil is not declared.
    ClassUndeclared = "CLASS_UNDECLARED", Error;
    /// A class declared twice.
    ClassDuplicate = "CLASS_DUPLICATE", Warning;
    /// A class on a sede that is not declared.
    SedeUndeclared = "SEDE_UNDECLARED", Warning;
    /// A tempo scuola or indirizzo code used but not declared.
    CodeUndeclared = "CODE_UNDECLARED", Error;
    /// A code declared for another ordine than the class's.
    CodeOrdine = "CODE_ORDINE", Warning;
    /// Birth date unusual for the anno di corso (SIDI's "incongruenze anno nascita/anno corso").
    AgeAnno = "AGE_ANNO", Warning;
    // --- codice fiscale ---
    /// Not 16 alphanumeric characters in the right places (nor 11 digits).
    CfFormat = "CF_FORMAT", Error;
    /// The check character does not match.
    CfCheck = "CF_CHECK", Error;
    /// The month letter is not one of ABCDEHLMPRST.
    CfMonth = "CF_MONTH", Error;
    /// The day is not 01-31 or 41-71, or the date does not exist.
    CfDay = "CF_DAY", Error;
    /// The birthplace code is not a known comune or foreign state.
    CfPlaceUnknown = "CF_PLACE_UNKNOWN", Error;
    /// The birthplace code existed, but not on the birth date.
    CfPlaceValidity = "CF_PLACE_VALIDITY", Warning;
    /// Written in lower case or with blanks: normalised.
    CfNormalized = "CF_NORMALIZED", Warning;
    /// An 11-digit temporary code: valid, but never a stable key.
    CfTemporary = "CF_TEMPORARY", Warning;
    /// A temporary 11-digit code with a wrong check digit.
    CfTemporaryCheck = "CF_TEMPORARY_CHECK", Error;
    /// Surname letters do not match the cognome.
    CfMismatchCognome = "CF_MISMATCH_COGNOME", Warning;
    /// Name letters do not match the nome.
    CfMismatchNome = "CF_MISMATCH_NOME", Warning;
    /// Birth date in the code differs from the record's.
    CfMismatchData = "CF_MISMATCH_DATA", Warning;
    /// Sex in the code differs from the record's.
    CfMismatchSesso = "CF_MISMATCH_SESSO", Warning;
    /// Birthplace in the code differs from the record's.
    CfMismatchLuogo = "CF_MISMATCH_LUOGO", Warning;
    /// The same codice fiscale on more than one pupil.
    CfDuplicate = "CF_DUPLICATE", Error;
    /// AdE state N: not validated.
    CfStateNonValidato = "CF_STATE_N", Warning;
    /// AdE state P: provisional code.
    CfStateProvvisorio = "CF_STATE_P", Warning;
    /// AdE state missing or not V/N/P.
    CfStateInvalid = "CF_STATE_INVALID", Warning;
    // --- places ---
    /// Luogo di nascita / cittadinanza not a known code.
    PlaceUnknown = "PLACE_UNKNOWN", Warning;
    // --- school codes ---
    /// A codice meccanografico that is not 2 letters, 2 type characters, 5 and 1.
    SchoolCodeFormat = "SCHOOL_CODE_FORMAT", Error;
    /// The type part of a codice meccanografico does not fit the ordine.
    SchoolCodeType = "SCHOOL_CODE_TYPE", Warning;
    /// The check character of a codice meccanografico does not match.
    SchoolCodeCheck = "SCHOOL_CODE_CHECK", Warning;
    /// The codice meccanografico is not in the embedded registry.
    SchoolCodeUnknown = "SCHOOL_CODE_UNKNOWN", Warning;
    // --- mapping and sync ---
    /// A ministry code with no local mapping.
    CodeUnmapped = "CODE_UNMAPPED", Error;
    /// A local pupil row with a problem (kept, reported).
    LocalRecord = "LOCAL_RECORD", Warning;
    /// A row of the decisions file that no longer matches the inputs.
    DecisionStale = "DECISION_STALE", Warning;
    // --- local export (validation helper) ---
    /// A local pupil row whose codice fiscale does not validate.
    LocalCfInvalid = "LOCAL_CF_INVALID", Warning;
    // --- reading the SIDI export ---
    /// Two rows of the same pupil (CSV form) disagree on a personal field: the first is kept.
    RowConflict = "ROW_CONFLICT", Warning;
    /// A row names another school or school year than the export's header.
    HeaderInconsistent = "HEADER_INCONSISTENT", Warning;
    /// A `codifiche.csv` row whose TIPO is neither TEMPO_SCUOLA nor INDIRIZZO (row skipped).
    CodeKindInvalid = "CODE_KIND_INVALID", Warning;
}

/// One finding on one record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub origin: Option<Origin>,
    /// Record identity: id SIDI, else codice fiscale; class key for classes.
    pub record: String,
    /// Field name in the user's terms (`CODICE_FISCALE`, `DATA_NASCITA`…).
    pub field: String,
    /// The offending value, as found.
    pub value: String,
    /// What was expected, where that can be said.
    pub expected: String,
}

impl Finding {
    pub fn new(code: FindingCode, origin: Option<Origin>) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            origin,
            record: String::new(),
            field: String::new(),
            value: String::new(),
            expected: String::new(),
        }
    }
    pub fn record(mut self, r: impl Into<String>) -> Finding {
        self.record = r.into();
        self
    }
    pub fn field(mut self, f: impl Into<String>) -> Finding {
        self.field = f.into();
        self
    }
    pub fn value(mut self, v: impl Into<String>) -> Finding {
        self.value = v.into();
        self
    }
    pub fn expected(mut self, e: impl Into<String>) -> Finding {
        self.expected = e.into();
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    /// The message a secretary reads, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        messages::finding_message(self, lang)
    }
}

/// Counts of findings by severity.
pub fn count(findings: &[Finding]) -> (usize, usize) {
    let e = findings.iter().filter(|f| f.is_error()).count();
    (e, findings.len() - e)
}
