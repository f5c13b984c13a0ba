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
