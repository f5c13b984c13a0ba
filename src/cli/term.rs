//! Terminal output: colour only on a terminal and never with `NO_COLOR`.

use sidisync::messages::{self, Lang, Ui};
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

/// ANSI styles, applied only when colour is allowed.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
    pub fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
    pub fn red(self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    pub fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }
    pub fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }
}

/// Rows of `(indent, label, count, style)` aligned in two columns: labels
/// padded to the widest (counted in characters, accents included), counts
/// right-aligned.
/// One aligned row: indent, label, count, how to paint the count.
type Row = (usize, String, usize, fn(Style, &str) -> String);

fn aligned(rows: &[Row], st: Style) -> String {
    let width = rows
        .iter()
        .map(|(i, l, _, _)| i + l.chars().count())
        .max()
        .unwrap_or(0);
    let digits = rows
        .iter()
        .map(|(_, _, n, _)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let mut s = String::new();
    for (indent, label, n, paint) in rows {
        let pad = width - indent - label.chars().count();
        s.push_str(&format!(
            "{:indent$}{label}{:pad$}  {}\n",
            "",
            "",
            paint(st, &format!("{n:>digits$}")),
            indent = indent,
            pad = pad
        ));
    }
    s
}

fn plain(_: Style, s: &str) -> String {
    s.to_string()
}

/// The summary `sync` prints: the verdict, counts (aligned), then the paths.
pub fn sync_summary(o: &sidisync::sync::SyncOutcome, lang: Lang, color: bool) -> String {
    use sidisync::write::report::{verdict, Counts};
    let st = Style { color };
    let t = |u: Ui| u.text(lang);
    let total_review: usize = o.review.iter().map(|(_, n)| n).sum();
    let counts = Counts {
        auto: o.total_ops(),
        inserts: o
            .ops
            .iter()
            .filter(|(k, _)| *k == sidisync::sync::OpKind::InsertStudent)
            .map(|(_, n)| *n)
            .sum(),
        decisions: total_review,
        errors: o.errors,
        warnings: o.warnings,
        excluded: o.excluded,
    };
    let v = verdict(&counts, lang);
    let mut s = String::new();
    s.push_str(&if o.errors > 0 {
        st.red(&v)
    } else if total_review > 0 {
        st.yellow(&v)
    } else {
        st.green(&v)
    });
    s.push('\n');
    let mut rows: Vec<Row> = Vec::new();
    rows.push((0, t(Ui::TermAuto).to_string(), o.total_ops(), Style::bold));
    for (k, n) in &o.ops {
        if *n > 0 {
            let (it, en) = messages::op_label(k.name());
            rows.push((2, lang.pick(it, en).to_string(), *n, plain));
        }
    }
    rows.push((
        0,
        t(Ui::TermDecisions).to_string(),
        total_review,
        Style::bold,
    ));
    for (k, n) in &o.review {
        if *n > 0 {
            let (it, en) = messages::review_label(k.name());
            rows.push((2, lang.pick(it, en).to_string(), *n, plain));
        }
    }
    rows.push((
        0,
        t(Ui::TermFindings).to_string(),
        o.errors + o.warnings,
        Style::bold,
    ));
    rows.push((
        2,
        t(Ui::TermErrors).to_string(),
        o.errors,
        if o.errors > 0 { Style::red } else { plain },
    ));
    rows.push((
        2,
        t(Ui::TermWarnings).to_string(),
        o.warnings,
        if o.warnings > 0 { Style::yellow } else { plain },
    ));
    if o.excluded > 0 {
        rows.push((2, t(Ui::TermExcluded).to_string(), o.excluded, Style::red));
    }
    if o.stale_decisions > 0 {
        rows.push((
            2,
            t(Ui::TermStale).to_string(),
            o.stale_decisions,
            Style::yellow,
        ));
    }
    s.push_str(&aligned(&rows, st));
    let mut paths: Vec<(&str, String)> = vec![
        (
            t(Ui::TermReport),
            o.out.join("report.html").display().to_string(),
        ),
        (t(Ui::TermPackage), o.out.display().to_string()),
    ];
    if let Some(z) = &o.zip {
        paths.push((t(Ui::TermZip), z.display().to_string()));
    }
    let w = paths
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (l, p) in paths {
        let pad = w - l.chars().count();
        s.push_str(&format!("{l}{:pad$}  {}\n", "", st.dim(&p), pad = pad));
    }
    s
}

/// One school's line in a many-schools summary (`bulk`).
#[allow(dead_code)] // for `bulk`'s terminal output
pub struct SchoolLine<'a> {
    pub school: &'a str,
    pub outcome: &'a sidisync::sync::SyncOutcome,
}

/// A table of many schools: one aligned line each (changes, decisions,
/// errors, warnings), a total line, nothing else. For `bulk`.
#[allow(dead_code)] // for `bulk`'s terminal output
pub fn schools_table(lines: &[SchoolLine], lang: Lang, color: bool) -> String {
    let st = Style { color };
    let t = |u: Ui| u.text(lang);
    let heads = [
        t(Ui::School),
        t(Ui::CardAuto),
        t(Ui::CardDecisions),
        t(Ui::TermErrors),
        t(Ui::TermWarnings),
    ];
    let w0 = lines
        .iter()
        .map(|l| l.school.chars().count())
        .chain([heads[0].chars().count(), t(Ui::Total).chars().count()])
        .max()
        .unwrap_or(0);
    let ws: Vec<usize> = heads[1..]
        .iter()
        .map(|h| h.chars().count().max(6))
        .collect();
    let mut s = String::new();
    let line = |s: &mut String, name: &str, v: [usize; 4], bold: bool| {
        let pad = w0 - name.chars().count();
        let name = if bold {
            st.bold(name)
        } else {
            name.to_string()
        };
        s.push_str(&format!("{name}{:pad$}", "", pad = pad));
        for (i, n) in v.iter().enumerate() {
            let cell = format!("{n:>w$}", w = ws[i]);
            let cell = match i {
                2 if *n > 0 => st.red(&cell),
                1 | 3 if *n > 0 => st.yellow(&cell),
                _ => cell,
            };
            s.push_str("  ");
            s.push_str(&cell);
        }
        s.push('\n');
    };
    s.push_str(&format!(
        "{}{:pad$}",
        heads[0],
        "",
        pad = w0 - heads[0].chars().count()
    ));
    for (i, h) in heads[1..].iter().enumerate() {
        s.push_str(&format!("  {:>w$}", st.dim(h), w = ws[i]));
    }
    s.push('\n');
    let mut tot = [0usize; 4];
    for l in lines {
        let o = l.outcome;
        let v = [
            o.total_ops(),
            o.review.iter().map(|(_, n)| n).sum(),
            o.errors,
            o.warnings,
        ];
        for i in 0..4 {
            tot[i] += v[i];
        }
        line(&mut s, l.school, v, false);
    }
    line(&mut s, t(Ui::Total), tot, true);
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

#[cfg(test)]
mod tests {
    use super::*;
    use sidisync::sync::{OpKind, ReviewKind, SyncOutcome};

    fn outcome() -> SyncOutcome {
        SyncOutcome {
            ops: OpKind::ALL
                .into_iter()
                .map(|k| {
                    (
                        k,
                        usize::from(k == OpKind::InsertStudent) * 124
                            + usize::from(k == OpKind::MoveStudent) * 3,
                    )
                })
                .collect(),
            review: ReviewKind::ALL.into_iter().map(|k| (k, 4)).collect(),
            errors: 3,
            warnings: 0,
            excluded: 3,
            stale_decisions: 1,
            out: "out/esempio".into(),
            zip: None,
        }
    }

    #[test]
    fn sync_summary_is_aligned_counts_first_paths_last() {
        let s = sync_summary(&outcome(), Lang::It, false);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(
            lines[0],
            "124 alunni da inserire, 3 altre modifiche automatiche, 12 decisioni da prendere, 3 errori da correggere su SIDI."
        );
        assert!(lines.last().unwrap().ends_with("out/esempio"));
        assert!(lines[lines.len() - 2].ends_with("out/esempio/report.html"));
        // counts end in the same column
        let count_lines: Vec<&&str> = lines[1..lines.len() - 2].iter().collect();
        let ends: std::collections::HashSet<usize> =
            count_lines.iter().map(|l| l.chars().count()).collect();
        assert_eq!(ends.len(), 1, "{s}");
        assert!(!s.contains('\x1b'));
        assert!(sync_summary(&outcome(), Lang::It, true).contains("\x1b[1;31m"));
    }

    #[test]
    fn schools_table_totals() {
        let o = outcome();
        let s = schools_table(
            &[
                SchoolLine {
                    school: "BOIC83500N",
                    outcome: &o,
                },
                SchoolLine {
                    school: "RMIC8A1005",
                    outcome: &o,
                },
            ],
            Lang::It,
            false,
        );
        let last = s.lines().last().unwrap();
        assert!(last.starts_with("Totale"), "{s}");
        assert!(last.contains(" 254 ") && last.contains("24"), "{s}");
        let widths: std::collections::HashSet<usize> =
            s.lines().map(|l| l.chars().count()).collect();
        assert_eq!(widths.len(), 1, "{s}");
    }
}
