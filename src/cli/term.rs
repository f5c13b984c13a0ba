//! Terminal output: colour only on a terminal and never with `NO_COLOR`.

use sidisync::messages::{self, Lang};
use std::io::IsTerminal;

/// Whether standard output may carry colour.
pub fn color_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
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

/// The short summary `sync` prints: counts first, the package path last.
pub fn sync_summary(o: &sidisync::sync::SyncOutcome, lang: Lang) -> String {
    let mut s = String::new();
    fn line(s: &mut String, label: &str, n: usize) {
        s.push_str(&format!("  {n:>6}  {label}\n"));
    }
    s.push_str(lang.pick("Operazioni automatiche:\n", "Automatic operations:\n"));
    for (k, n) in &o.ops {
        if *n > 0 {
            let (it, en) = messages::op_label(k.name());
            line(&mut s, &format!("{} ({})", lang.pick(it, en), k.name()), *n);
        }
    }
    if o.total_ops() == 0 {
        line(
            &mut s,
            lang.pick("nessuna: già allineato", "none: already aligned"),
            0,
        );
    }
    s.push_str(lang.pick("Da decidere (review.csv):\n", "To decide (review.csv):\n"));
    let mut any = false;
    for (k, n) in &o.review {
        if *n > 0 {
            any = true;
            let (it, en) = messages::review_label(k.name());
            line(&mut s, &format!("{} ({})", lang.pick(it, en), k.name()), *n);
        }
    }
    if !any {
        line(&mut s, lang.pick("nessuna decisione", "no decision"), 0);
    }
    s.push_str(&format!(
        "{}: {}   {}: {}   {}: {}\n",
        lang.pick("Errori", "Errors"),
        o.errors,
        lang.pick("Avvisi", "Warnings"),
        o.warnings,
        lang.pick("Record esclusi", "Excluded records"),
        o.excluded
    ));
    if o.stale_decisions > 0 {
        s.push_str(&format!(
            "{}: {}\n",
            lang.pick(
                "Decisioni non più valide (non applicate)",
                "Stale decisions (not applied)"
            ),
            o.stale_decisions
        ));
    }
    s.push_str(&format!(
        "{}: {}\n",
        lang.pick("Pacchetto", "Package"),
        o.out.display()
    ));
    if let Some(z) = &o.zip {
        s.push_str(&format!("{}: {}\n", lang.pick("Zip", "Zip"), z.display()));
    }
    s
}

/// The short summary `apply` prints.
pub fn apply_summary(o: &sidisync::apply::ApplyOutcome, lang: Lang) -> String {
    let mut s = String::new();
    let applied: usize = o.applied.iter().map(|(_, n)| n).sum();
    s.push_str(&format!(
        "{}: {applied}   {}: {}   {}: {}\n",
        lang.pick("Operazioni applicate", "Operations applied"),
        lang.pick("già applicate", "already applied"),
        o.already_applied,
        lang.pick("in conflitto (non applicate)", "conflicts (not applied)"),
        o.conflicts.len()
    ));
    s.push_str(&format!(
        "{}: {}\n",
        lang.pick("Cartella", "Folder"),
        o.out.display()
    ));
    s
}
