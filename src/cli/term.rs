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

/// The summary `bulk` prints: schools per outcome, totals, where the
/// summary files are.
pub fn bulk_summary(o: &sidisync::bulk::BulkOutcome, lang: Lang) -> String {
    use sidisync::bulk::{totals, Status};
    let t = totals(&o.schools);
    let secs = o.elapsed.as_secs_f64().max(1e-9);
    let mut s = String::new();
    s.push_str(&format!(
        "{}: {}   {}: {}   {}: {}   {}: {}\n",
        lang.pick("Scuole", "Schools"),
        t.schools,
        lang.pick("completate", "done"),
        t.ok,
        lang.pick("con errori", "with errors"),
        t.with_errors,
        lang.pick("non riuscite", "failed"),
        t.failed
    ));
    s.push_str(&format!(
        "{}: {}   {}: {:.1} s ({} {}, {:.0} {})\n",
        lang.pick("Alunni SIDI", "SIDI pupils"),
        t.pupils_sidi,
        lang.pick("tempo", "time"),
        o.elapsed.as_secs_f64(),
        o.jobs,
        lang.pick("processi", "jobs"),
        t.pupils_sidi as f64 / secs,
        lang.pick("alunni/s", "pupils/s"),
    ));
    let ops: u64 = t.ops.iter().map(|(_, n)| n).sum();
    let review: u64 = t.review.iter().map(|(_, n)| n).sum();
    s.push_str(&format!(
        "{}: {ops}   {}: {review}   {}: {}   {}: {}   {}: {}\n",
        lang.pick("Operazioni", "Operations"),
        lang.pick("da decidere", "to decide"),
        lang.pick("Errori", "Errors"),
        t.errors,
        lang.pick("Avvisi", "Warnings"),
        t.warnings,
        lang.pick("Record esclusi", "Excluded records"),
        t.excluded
    ));
    let failed: Vec<_> = o
        .schools
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    for r in failed.iter().take(10) {
        let who = if r.school.is_empty() {
            r.sidi_files.join(", ")
        } else {
            r.school.clone()
        };
        s.push_str(&format!("  {who}: {}\n", r.message));
    }
    if failed.len() > 10 {
        s.push_str(&format!(
            "  … {} {}\n",
            failed.len() - 10,
            lang.pick("altre: vedi summary.csv", "more: see summary.csv")
        ));
    }
    s.push_str(&format!(
        "{}: {}\n{}: {}\n",
        lang.pick("Riepilogo", "Summary"),
        o.summary_html().display(),
        "CSV",
        o.summary_csv().display()
    ));
    s
}

/// The summary `gen` prints.
pub fn gen_summary(o: &sidisync::gen::GenOutcome, out: &std::path::Path, lang: Lang) -> String {
    format!(
        "{}: {}   {}: {}   {}: {}   {}: {:.1} MB\n{}: sidisync bulk --sidi-dir {} --local-dir {} --out …\n",
        lang.pick("Scuole", "Schools"),
        o.schools,
        lang.pick("Alunni SIDI", "SIDI pupils"),
        o.pupils,
        lang.pick("File", "Files"),
        o.files,
        lang.pick("Dimensione", "Size"),
        o.bytes as f64 / 1e6,
        lang.pick("Poi", "Next"),
        out.join("sidi").display(),
        out.join("locale").display()
    )
}
