//! Typed errors of the library. An [`Error`] means the input is unusable or
//! the output could not be written: the binary maps it to exit status 2.
//! Record-level problems are not errors but [`crate::findings::Finding`]s.

use std::path::PathBuf;

use crate::messages::Lang;

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
        message: Message,
    },
    /// A CSV file that cannot be read, with line (0 when none applies:
    /// then the message names the file only).
    #[error("{}: {message}", at(file, *line))]
    Csv {
        file: String,
        line: u32,
        message: Message,
    },
    #[error("{file}: mandatory column {column} is missing")]
    MissingColumn { file: String, column: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("unknown encoding label {label:?}")]
    UnknownEncoding { label: String },
    #[error("{file}: {message}")]
    Zip { file: String, message: Message },
    #[error("{file}: no SIDI export recognised inside ({found})")]
    NoExport { file: String, found: Message },
    #[error("{}: profile: {message}", at(file, *line))]
    Profile {
        file: String,
        line: u32,
        message: Message,
    },
    /// Inconsistent inputs (a patch for another school, a decisions file
    /// of another run…), with line (0 when none applies).
    #[error("{}: {message}", at(file, *line))]
    Input {
        file: String,
        line: u32,
        message: Message,
    },
    #[error("{0}")]
    Usage(Message),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub fn csv(file: impl Into<String>, line: u32, message: impl Into<Message>) -> Error {
        Error::Csv {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
    pub fn input(file: impl Into<String>, line: u32, message: impl Into<Message>) -> Error {
        Error::Input {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

/// `file:line`, or `file` alone when no line applies (0).
fn at(file: &str, line: u32) -> String {
    match line {
        0 => file.to_string(),
        _ => format!("{file}:{line}"),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The message in the user's language, naming file and line as the
    /// English `Display` does. Details coming from parsers, libraries and
    /// the operating system stay as they are (see [`Message`]).
    pub fn localized(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        let l = lang;
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
            } => format!("{file}:{line}:{column}: XML non valido: {}", message.get(l)),
            Error::Csv {
                file,
                line,
                message,
            } => format!("{}: CSV non leggibile: {}", at(file, *line), message.get(l)),
            Error::MissingColumn { file, column } => {
                format!("{file}: manca la colonna obbligatoria {column}")
            }
            Error::Empty { file } => format!("{file}: il file è vuoto"),
            Error::UnknownEncoding { label } => {
                format!("codifica dei caratteri sconosciuta: {label:?}")
            }
            Error::Zip { file, message } => {
                format!("{file}: archivio zip non utilizzabile: {}", message.get(l))
            }
            Error::NoExport { file, found } => {
                format!("{file}: nessun export SIDI riconosciuto ({})", found.get(l))
            }
            Error::Profile {
                file,
                line,
                message,
            } => format!(
                "{}: profilo non valido: {}",
                at(file, *line),
                message.get(l)
            ),
            Error::Input {
                file,
                line,
                message,
            } => format!("{}: {}", at(file, *line), message.get(l)),
            Error::Usage(m) => m.get(l).to_string(),
        }
    }
}

/// The message of an [`Error`], in the users' two languages.
///
/// The program's own messages carry both ([`Message::new`]): a school office
/// reads the Italian one, `--lang en` and `Display` give the English one.
/// A detail handed over by a parser, a library or the operating system
/// (quick-xml's syntax errors, serde_json's, an I/O error's text) is the
/// same in both ([`Message::raw`], and what `From` makes of a string).
///
/// ```
/// use sidisync::error::Message;
/// use sidisync::messages::Lang;
///
/// let t = Message::new("il file è vuoto", "the file is empty");
/// assert_eq!(t.get(Lang::It), "il file è vuoto");
/// assert_eq!(t.to_string(), "the file is empty");
/// assert_eq!(Message::raw("EOF").get(Lang::It), "EOF");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    en: String,
    /// `None` when the text is the same in both languages.
    it: Option<String>,
}

impl Message {
    /// A message of the program's own, in Italian and English.
    pub fn new(it: impl Into<String>, en: impl Into<String>) -> Message {
        Message {
            en: en.into(),
            it: Some(it.into()),
        }
    }

    /// A detail that is the same in both languages.
    pub fn raw(text: impl Into<String>) -> Message {
        Message {
            en: text.into(),
            it: None,
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.it) {
            (Lang::It, Some(it)) => it,
            _ => &self.en,
        }
    }

    /// The English text (as `Display`).
    pub fn en(&self) -> &str {
        &self.en
    }

    /// A CSV record that is not text in its encoding.
    pub(crate) fn invalid_text() -> Message {
        Message::new("testo non valido", "invalid text")
    }

    /// A NUL byte in a CSV field.
    pub(crate) fn nul_in_field() -> Message {
        Message::new(
            "byte NUL in un campo (non è un file di testo?)",
            "NUL byte in a field (not a text file?)",
        )
    }

    /// A CSV field longer than the reader's limit.
    pub(crate) fn field_too_long(max: usize) -> Message {
        Message::new(
            format!("un campo è più lungo di {max} byte"),
            format!("a field is longer than {max} bytes"),
        )
    }

    /// A mandatory value missing from a CSV row.
    pub(crate) fn column_empty(column: &str) -> Message {
        Message::new(format!("{column} è vuoto"), format!("{column} is empty"))
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message::raw(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message::raw(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_messages_follow_the_language_details_do_not() {
        let e = Error::csv("alunni_locali.csv", 7, Message::invalid_text());
        assert_eq!(e.to_string(), "alunni_locali.csv:7: invalid text");
        assert_eq!(e.localized(Lang::En), e.to_string());
        assert_eq!(
            e.localized(Lang::It),
            "alunni_locali.csv:7: CSV non leggibile: testo non valido"
        );
        // a parser's detail is the same in both
        let e = Error::input("manifest.json", 3, "EOF while parsing");
        assert_eq!(e.localized(Lang::It), "manifest.json:3: EOF while parsing");
        assert_eq!(e.localized(Lang::It), e.localized(Lang::En));
    }

    #[test]
    fn no_line_is_named_when_none_applies() {
        let e = Error::input(
            "review.csv",
            0,
            Message::new("di un'altra scuola", "another school's"),
        );
        assert_eq!(e.to_string(), "review.csv: another school's");
        assert_eq!(e.localized(Lang::It), "review.csv: di un'altra scuola");
        let e = Error::Profile {
            file: "p.toml".into(),
            line: 0,
            message: Message::raw("x"),
        };
        assert_eq!(e.localized(Lang::It), "p.toml: profilo non valido: x");
    }
}
