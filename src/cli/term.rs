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

fn aligned(rows: &[Row], st: Style, lang: Lang) -> String {
    let n = |n: usize| messages::thousands(n as u64, lang);
    let width = rows
        .iter()
        .map(|(i, l, _, _)| i + l.chars().count())
        .max()
        .unwrap_or(0);
    let digits = rows
        .iter()
        .map(|&(_, _, c, _)| n(c).len())
        .max()
        .unwrap_or(1);
    let mut s = String::new();
    for (indent, label, c, paint) in rows {
        let pad = width - indent - label.chars().count();
        s.push_str(&format!(
            "{:indent$}{label}{:pad$}  {}\n",
            "",
            "",
            paint(st, &format!("{:>digits$}", n(*c))),
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
    s.push_str(&aligned(&rows, st, lang));
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

/// The short summary `apply` prints.
pub fn apply_summary(o: &sidisync::apply::ApplyOutcome, lang: Lang) -> String {
    let applied: usize = o.applied.iter().map(|(_, n)| n).sum();
    format!(
        "{}\n{}: {}\n",
        messages::fill(
            Ui::ApplyCounts.text(lang),
            &[
                ("applied", &messages::thousands(applied as u64, lang)),
                (
                    "already",
                    &messages::thousands(o.already_applied as u64, lang)
                ),
                (
                    "conflicts",
                    &messages::thousands(o.conflicts.len() as u64, lang)
                ),
            ]
        ),
        Ui::TermFolder.text(lang),
        o.out.display()
    )
}

/// The summary `bulk` prints: schools per outcome, totals, where the
/// summary files are. With `color`, like [`sync_summary`]: schools done in
/// green, with errors in yellow, failed in red (counts above zero only),
/// errors and excluded records in red, warnings and decisions in yellow,
/// paths dimmed.
pub fn bulk_summary(o: &sidisync::bulk::BulkOutcome, lang: Lang, color: bool) -> String {
    use sidisync::bulk::{totals, Status};
    let fill = messages::fill;
    let st = Style { color };
    // a count, painted only when above zero
    let num = |n: u64| messages::thousands(n, lang);
    let count = |n: u64, paint: fn(Style, &str) -> String| {
        if n > 0 {
            paint(st, &num(n))
        } else {
            num(n)
        }
    };
    let t = totals(&o.schools);
    let secs = o.elapsed.as_secs_f64().max(1e-9);
    let mut s = String::new();
    s.push_str(&fill(
        Ui::BulkSchools.text(lang),
        &[
            ("schools", &st.bold(&num(t.schools as u64))),
            ("ok", &count(t.ok as u64, Style::green)),
            ("errors", &count(t.with_errors as u64, Style::yellow)),
            ("failed", &count(t.failed as u64, Style::red)),
        ],
    ));
    s.push('\n');
    s.push_str(&fill(
        Ui::BulkSpeed.text(lang),
        &[
            ("pupils", &num(t.pupils_sidi)),
            (
                "secs",
                &messages::one_decimal(o.elapsed.as_secs_f64(), lang),
            ),
            ("jobs", &o.jobs.to_string()),
            ("rate", &num((t.pupils_sidi as f64 / secs).round() as u64)),
        ],
    ));
    s.push('\n');
    let ops: u64 = t.ops.iter().map(|(_, n)| n).sum();
    let review: u64 = t.review.iter().map(|(_, n)| n).sum();
    s.push_str(&fill(
        Ui::BulkCounts.text(lang),
        &[
            ("ops", &st.bold(&num(ops))),
            ("review", &count(review, Style::yellow)),
            ("errors", &count(t.errors, Style::red)),
            ("warnings", &count(t.warnings, Style::yellow)),
            ("excluded", &count(t.excluded, Style::red)),
        ],
    ));
    s.push('\n');
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
        s.push_str(&format!("  {}: {}\n", st.red(&who), r.message));
    }
    if failed.len() > 10 {
        s.push_str(&format!(
            "  {}\n",
            fill(
                Ui::BulkMoreFailed.text(lang),
                &[("n", &(failed.len() - 10).to_string())]
            )
        ));
    }
    s.push_str(&format!(
        "{}: {}\n{}: {}\n",
        Ui::TermSummary.text(lang),
        st.dim(&o.summary_html().display().to_string()),
        "CSV",
        st.dim(&o.summary_csv().display().to_string())
    ));
    s
}

/// The summary `gen` prints.
pub fn gen_summary(o: &sidisync::gen::GenOutcome, out: &std::path::Path, lang: Lang) -> String {
    messages::fill(
        Ui::GenDone.text(lang),
        &[
            ("schools", &messages::thousands(o.schools as u64, lang)),
            ("pupils", &messages::thousands(o.pupils, lang)),
            ("files", &messages::thousands(o.files as u64, lang)),
            ("size", &messages::size_text(o.bytes, lang)),
            ("sidi", &out.join("sidi").display().to_string()),
            ("local", &out.join("locale").display().to_string()),
        ],
    )
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
            pupils_sidi: 130,
            pupils_local: 127,
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
    fn sync_summary_separates_thousands_and_stays_aligned() {
        let mut o = outcome();
        for (k, n) in o.ops.iter_mut() {
            if *k == OpKind::LockFields {
                *n = 18_291;
            }
        }
        let s = sync_summary(&o, Lang::It, false);
        assert!(
            s.starts_with("124 alunni da inserire, 18.294 altre modifiche automatiche"),
            "{s}"
        );
        assert!(s.contains(" 18.418\n"), "{s}"); // the total
        assert!(s.contains(" 18.291\n"), "{s}");
        let lines: Vec<&str> = s.lines().collect();
        let ends: std::collections::HashSet<usize> = lines[1..lines.len() - 2]
            .iter()
            .map(|l| l.chars().count())
            .collect();
        assert_eq!(ends.len(), 1, "{s}");
        let en = sync_summary(&o, Lang::En, false);
        assert!(en.contains(" 18,291\n"), "{en}");
    }

    fn bulk_outcome() -> sidisync::bulk::BulkOutcome {
        use sidisync::bulk::{BulkOutcome, SchoolResult, Status};
        let row = |code: &str, status: Status| SchoolResult {
            school: code.into(),
            sidi_files: vec![format!("{code}.zip")],
            status,
            pupils_sidi: 100,
            pupils_local: 99,
            ops: OpKind::ALL.iter().map(|k| (*k, 1)).collect(),
            review: ReviewKind::ALL.iter().map(|k| (*k, 0)).collect(),
            errors: usize::from(status == Status::Errors),
            warnings: 0,
            excluded: usize::from(status == Status::Errors),
            bytes: 10,
            time: std::time::Duration::from_millis(5),
            message: if status == Status::Failed {
                "archivio zip non utilizzabile".into()
            } else {
                String::new()
            },
        };
        BulkOutcome {
            schools: vec![
                row("BOIC83500N", Status::Ok),
                row("RMIC80400X", Status::Errors),
                row("NAIC81200A", Status::Failed),
            ],
            elapsed: std::time::Duration::from_secs(2),
            phases: Default::default(),
            jobs: 2,
            out: "out".into(),
        }
    }

    #[test]
    fn bulk_summary_is_coloured_only_when_asked() {
        let plain = bulk_summary(&bulk_outcome(), Lang::It, false);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(plain.starts_with("Scuole: 3   completate: 1   con errori: 1   non riuscite: 1\n"));
        assert!(plain.contains("  NAIC81200A: archivio zip non utilizzabile\n"));
        assert!(plain.contains("da decidere: 0   Errori: 1   Avvisi: 0   Record esclusi: 1"));
        let c = bulk_summary(&bulk_outcome(), Lang::It, true);
        assert!(c.contains("completate: \x1b[32m1\x1b[0m"), "{c}");
        assert!(c.contains("con errori: \x1b[33m1\x1b[0m"), "{c}");
        assert!(c.contains("non riuscite: \x1b[1;31m1\x1b[0m"), "{c}");
        assert!(c.contains("\x1b[1;31mNAIC81200A\x1b[0m"), "{c}");
        // zero counts stay plain
        assert!(c.contains("Avvisi: 0 "), "{c}");
        // stripped of its escapes, the same text
        let mut stripped = String::new();
        let mut rest = c.as_str();
        while let Some(i) = rest.find('\x1b') {
            stripped.push_str(&rest[..i]);
            rest = &rest[i + rest[i..].find('m').unwrap() + 1..];
        }
        stripped.push_str(rest);
        assert_eq!(stripped, plain);
    }
}
