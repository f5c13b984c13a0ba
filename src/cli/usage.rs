//! clap's refusals of the command line (a missing `--sidi`, an unknown
//! option, a value out of its list) in the user's language: Italian unless
//! `--lang en` is on the command line, like every other message.
//!
//! clap words its errors in English. The common ones are reworded here
//! from the error's context (which argument, which value, what clap
//! suggests); the rarer ones stay clap's own. Help and version are printed
//! by clap, from the definition [`super::help::command`] gives it.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use sidisync::messages::{Lang, Ui};
use std::ffi::OsString;

/// The language asked with `--lang` on the raw command line, read before
/// clap parses it: the help and clap's errors need it first. Italian
/// unless English is asked (an unknown code is clap's error to report).
pub fn lang_of_args(args: &[OsString]) -> Lang {
    let mut asked = None;
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next().map(|v| v.into_owned()),
            Some(v) => v.strip_prefix('=').map(str::to_string),
            None => None,
        };
        if let Some(v) = value {
            asked = Lang::from_code(&v);
        }
    }
    asked.unwrap_or_default()
}

/// `e` worded in `lang`, as the whole text to print on standard error;
/// `None` when clap's own text is the one to print (help, version, English,
/// and the refusals not reworded here).
pub fn localized(e: &clap::Error, lang: Lang) -> Option<String> {
    if lang == Lang::En {
        return None;
    }
    let s = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(v)) => Some(v.clone()),
        Some(ContextValue::StyledStr(v)) => Some(v.to_string()),
        _ => None,
    };
    let list = |k: ContextKind| match e.get(k) {
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        Some(ContextValue::String(v)) => Some(v.clone()),
        _ => None,
    };
    let what = match e.kind() {
        ErrorKind::MissingRequiredArgument => {
            format!(
                "mancano argomenti obbligatori: {}",
                list(ContextKind::InvalidArg)?
            )
        }
        ErrorKind::UnknownArgument => hinted(
            format!("argomento sconosciuto '{}'", s(ContextKind::InvalidArg)?),
            s(ContextKind::SuggestedArg),
        ),
        ErrorKind::InvalidSubcommand => hinted(
            format!(
                "comando sconosciuto '{}'",
                s(ContextKind::InvalidSubcommand)?
            ),
            list(ContextKind::SuggestedSubcommand),
        ),
        // a value its parser refused (`--jobs x`); the parser's own reason
        // is English and left out
        ErrorKind::ValueValidation => format!(
            "valore '{}' non valido per '{}'",
            s(ContextKind::InvalidValue)?,
            s(ContextKind::InvalidArg)?
        ),
        ErrorKind::InvalidValue => {
            let arg = s(ContextKind::InvalidArg)?;
            let value = s(ContextKind::InvalidValue).unwrap_or_default();
            let mut m = if value.is_empty() {
                format!("manca il valore di '{arg}'")
            } else {
                format!("valore '{value}' non valido per '{arg}'")
            };
            if let Some(valid) = list(ContextKind::ValidValue) {
                m.push_str(&format!(" (valori ammessi: {valid})"));
            }
            m
        }
        ErrorKind::ArgumentConflict => format!(
            "'{}' non si può usare insieme a '{}'",
            s(ContextKind::InvalidArg)?,
            list(ContextKind::PriorArg)?
        ),
        _ => return None,
    };
    let mut out = format!("{}: {what}\n", Ui::ErrorPrefix.text(lang));
    if let Some(usage) = s(ContextKind::Usage) {
        let usage = usage.trim_end();
        let usage = usage
            .strip_prefix("Usage:")
            .map_or_else(|| usage.to_string(), |rest| format!("Uso:{rest}"));
        out.push_str(&format!("\n{usage}\n"));
    }
    out.push_str("\nPer maggiori informazioni: '--help'.\n");
    Some(out)
}

/// `message`, followed by clap's suggestion when it has one.
fn hinted(message: String, hint: Option<String>) -> String {
    match hint {
        Some(h) => format!("{message} (forse '{h}'?)"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    fn refusal(a: &[&str]) -> String {
        let lang = lang_of_args(&args(a));
        let e = crate::cli::help::command(lang)
            .try_get_matches_from(args(a))
            .expect_err("refused");
        localized(&e, lang).unwrap_or_else(|| e.to_string())
    }

    #[test]
    fn the_language_is_read_before_clap() {
        assert_eq!(lang_of_args(&args(&["sidisync", "sync"])), Lang::It);
        assert_eq!(lang_of_args(&args(&["sidisync", "--lang", "en"])), Lang::En);
        assert_eq!(
            lang_of_args(&args(&["sidisync", "--lang=en", "x"])),
            Lang::En
        );
        assert_eq!(lang_of_args(&args(&["sidisync", "--lang", "xx"])), Lang::It);
        assert_eq!(lang_of_args(&args(&["s", "--", "--lang", "en"])), Lang::It);
    }

    #[test]
    fn common_refusals_in_italian() {
        let m = refusal(&["sidisync", "sync", "--local", "a.csv"]);
        assert!(
            m.starts_with("errore: mancano argomenti obbligatori: --sidi <FILE>"),
            "{m}"
        );
        assert!(m.contains("Uso: sidisync sync"), "{m}");
        let m = refusal(&["sidisync", "sync", "--sidii", "x"]);
        assert!(
            m.contains("argomento sconosciuto '--sidii' (forse '--sidi'?)"),
            "{m}"
        );
        let m = refusal(&["sidisync", "--lang", "fr", "check", "x"]);
        assert!(
            m.contains("valore 'fr' non valido per '--lang <LANG>' (valori ammessi: it, en)"),
            "{m}"
        );
        let m = refusal(&["sidisync", "synk"]);
        assert!(
            m.contains("comando sconosciuto 'synk' (forse 'sync'?)"),
            "{m}"
        );
        let m = refusal(&["sidisync", "gen", "--jobs", "x", "--out", "o"]);
        assert!(m.contains("valore 'x' non valido per '--jobs <N>'"), "{m}");
    }

    #[test]
    fn english_on_request_is_clap_s_own() {
        let m = refusal(&["sidisync", "--lang", "en", "sync", "--local", "a.csv"]);
        assert!(
            m.contains("the following required arguments were not provided"),
            "{m}"
        );
    }
}
