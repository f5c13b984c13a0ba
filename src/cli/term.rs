//! Terminal output: colour only on a terminal and never with `NO_COLOR`.

use std::io::IsTerminal;

/// Whether standard output may carry colour.
pub fn color_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Whether standard error is a terminal (progress bars).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Colours severity words of rendered text when allowed.
pub fn paint(text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    text.replace(" ERRORE ", " \x1b[1;31mERRORE\x1b[0m ")
        .replace(" ERROR ", " \x1b[1;31mERROR\x1b[0m ")
        .replace(" avviso ", " \x1b[33mavviso\x1b[0m ")
        .replace(" warning ", " \x1b[33mwarning\x1b[0m ")
}
