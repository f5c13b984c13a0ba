//! Typed errors of the library. An [`Error`] means the input is unusable or
//! the output could not be written: the binary maps it to exit status 2.
//! Record-level problems are not errors but [`crate::findings::Finding`]s.

use std::path::PathBuf;

/// Everything that stops a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Malformed or refused XML, with position.
    #[error("{file}:{line}:{column}: {message}")]
    Xml {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    /// A CSV file that cannot be read, with line (0 when none applies).
    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u32,
        message: String,
    },
    #[error("{file}: mandatory column {column} is missing")]
    MissingColumn { file: String, column: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("unknown encoding label {label:?}")]
    UnknownEncoding { label: String },
    #[error("{file}: {message}")]
    Zip { file: String, message: String },
    #[error("{file}: no SIDI export recognised inside ({found})")]
    NoExport { file: String, found: String },
    #[error("{file}:{line}: profile: {message}")]
    Profile {
        file: String,
        line: u32,
        message: String,
    },
    /// Inconsistent inputs (a patch for another school, a decisions file of another run…).
    #[error("{file}:{line}: {message}")]
    Input {
        file: String,
        line: u32,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub fn csv(file: impl Into<String>, line: u32, message: impl Into<String>) -> Error {
        Error::Csv {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
    pub fn input(file: impl Into<String>, line: u32, message: impl Into<String>) -> Error {
        Error::Input {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The message in the user's language, naming file and line as the
    /// English `Display` does. Details coming from parsers stay as they are.
    pub fn localized(&self, lang: crate::messages::Lang) -> String {
        use crate::messages::Lang;
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Error::Io { path, source } => {
                let what = match source.kind() {
                    std::io::ErrorKind::NotFound => "file o cartella non trovati".to_string(),
                    std::io::ErrorKind::PermissionDenied => "permesso negato".to_string(),
                    std::io::ErrorKind::StorageFull => "disco pieno".to_string(),
                    std::io::ErrorKind::FileTooLarge => {
                        "file troppo grande (superato il limite di dimensione dei file)".to_string()
                    }
                    _ => source.to_string(),
                };
                format!("{}: {what}", path.display())
            }
            Error::Xml {
                file,
                line,
                column,
                message,
            } => format!("{file}:{line}:{column}: XML non valido: {message}"),
            Error::Csv {
                file,
                line,
                message,
            } => format!("{file}:{line}: CSV non leggibile: {message}"),
            Error::MissingColumn { file, column } => {
                format!("{file}: manca la colonna obbligatoria {column}")
            }
            Error::Empty { file } => format!("{file}: il file è vuoto"),
            Error::UnknownEncoding { label } => {
                format!("codifica dei caratteri sconosciuta: {label:?}")
            }
            Error::Zip { file, message } => {
                format!("{file}: archivio zip non utilizzabile: {message}")
            }
            Error::NoExport { file, found } => {
                format!("{file}: nessun export SIDI riconosciuto ({found})")
            }
            Error::Profile {
                file,
                line,
                message,
            } => format!("{file}:{line}: profilo non valido: {message}"),
            Error::Input {
                file,
                line,
                message,
            } => format!("{file}:{line}: {message}"),
            Error::Usage(m) => m.clone(),
        }
    }
}
