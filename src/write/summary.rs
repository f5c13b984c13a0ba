//! The summary of a `bulk` run: `summary.csv` (one row per school) and
//! `summary.html` (self-contained page built from the report's blocks:
//! charts, totals, schools to look at, every school with a link to its
//! `report.html`, the offline filter box).
//!
//! `summary.csv`: UTF-8 with BOM, `;`, CRLF (like `review.csv`), columns
//! [`columns`]: `CODICE_SCUOLA;FILE_SIDI;STATO;ALUNNI_SIDI;ALUNNI_LOCALI;`
//! one column per operation kind and per review kind (named as in
//! `patch.jsonl` and `manifest.json`), `ERRORI;AVVISI;ESCLUSI;TEMPO_MS;MESSAGGIO`.
//! `STATO` is `OK`, `ERRORI` (done, some records excluded) or `FALLITO` (no
//! package; `MESSAGGIO` says why). `TEMPO_MS` (wall time of the school's
//! sync, milliseconds) is the only column that changes from run to run;
//! every other byte depends only on the inputs. Rows are sorted by school
//! code; rows for files whose school code could not be read come last.
//!
//! [`render_summary_html`] is the one function that renders the page, so it
//! can be restyled alone.

use crate::bulk::{totals, BulkOutcome, SchoolResult, Status};
use crate::error::{Error, Result};
use crate::messages::{fill, one_decimal, op_label, review_label, thousands, Lang, Ui};
use crate::sync::{OpKind, ReviewKind};
use crate::write::patch::xml_escape;
use crate::write::report::{
    bar_chart, filter_box_with, human_time, op_bar_class, page_end, page_start,
};

/// The header of `summary.csv`.
pub fn columns() -> Vec<&'static str> {
    let mut c = vec![
        "CODICE_SCUOLA",
        "FILE_SIDI",
        "STATO",
        "ALUNNI_SIDI",
        "ALUNNI_LOCALI",
    ];
    c.extend(OpKind::ALL.iter().map(|k| k.name()));
    c.extend(ReviewKind::ALL.iter().map(|k| k.name()));
    c.extend(["ERRORI", "AVVISI", "ESCLUSI", "TEMPO_MS", "MESSAGGIO"]);
    c
}

/// A cell that a spreadsheet would take for a formula gets a leading `'`.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The files of a row, as one cell.
pub fn files_cell(r: &SchoolResult) -> String {
    r.sidi_files.join(" | ")
}

/// `summary.csv`'s bytes.
pub fn summary_csv(rows: &[SchoolResult]) -> Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut c = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        let err = |e: csv::Error| Error::csv("summary.csv", 0, e.to_string());
        c.write_record(columns()).map_err(err)?;
        for r in rows {
            let mut rec: Vec<String> = vec![
                cell(&r.school),
                cell(&files_cell(r)),
                r.status.code().to_string(),
                r.pupils_sidi.to_string(),
                r.pupils_local.to_string(),
            ];
            rec.extend(OpKind::ALL.iter().map(|k| r.op(*k).to_string()));
            rec.extend(
                ReviewKind::ALL
                    .iter()
                    .map(|k| r.review_count(*k).to_string()),
            );
            rec.extend([
                r.errors.to_string(),
                r.warnings.to_string(),
                r.excluded.to_string(),
                r.time.as_millis().to_string(),
                cell(&r.message),
            ]);
            c.write_record(&rec).map_err(err)?;
        }
        c.flush().map_err(|e| Error::io("summary.csv", e))?;
    }
    Ok(out)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    xml_escape(s, &mut o);
    o
}

/// Renders `summary.html` in memory (see [`write_summary_html`]).
pub fn render_summary_html(o: &BulkOutcome, lang: Lang, generated_at: &str) -> String {
    let mut v = Vec::new();
    write_summary_html(o, lang, generated_at, &mut v).expect("writing to memory");
    String::from_utf8(v).expect("HTML is UTF-8")
}

/// Writes `summary.html`: one self-contained page, no external resource,
/// built from the report's blocks ([`page_start`], [`filter_box_with`],
/// [`bar_chart`], [`page_end`]): header with the run's facts and four
/// cards, charts of schools by outcome and of operations and decisions per
/// kind over all schools, the totals, the schools to look at, every school.
/// The filter box hides the school rows not containing the typed text.
/// The page is streamed (a national run has tens of thousands of rows).
pub fn write_summary_html(
    o: &BulkOutcome,
    lang: Lang,
    generated_at: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let t = |u: Ui| u.text(lang);
    let tot = totals(&o.schools);
    let secs = o.elapsed.as_secs_f64();
    let mut h = String::with_capacity(1 << 16);
    let title = t(Ui::SumTitle);
    page_start(&mut h, lang, title);

    // --- header: the run, four cards ----------------------------------------
    h.push_str("<header class=\"top\">\n");
    h.push_str(&format!(
        "<p class=\"eyebrow\">{}</p>\n<h1>{}</h1>\n<dl class=\"meta\">",
        esc(t(Ui::ReportTitle)),
        esc(title)
    ));
    for (k, v) in [
        (t(Ui::MetaGenerated), human_time(generated_at, true)),
        (t(Ui::MetaSchools), thousands(tot.schools as u64, lang)),
        (t(Ui::MetaPupils), thousands(tot.pupils_sidi, lang)),
        (t(Ui::MetaTime), format!("{} s", one_decimal(secs, lang))),
        (t(Ui::MetaJobs), o.jobs.to_string()),
    ] {
        h.push_str(&format!(
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(k),
            esc(&v)
        ));
    }
    h.push_str("</dl>\n</header>\n<div class=\"cards\">\n");
    let review: u64 = tot.review.iter().map(|(_, n)| n).sum();
    for (n, label, href, cls) in [
        (tot.ok as u64, t(Ui::SumSchoolsOk), "#scuole", "ok"),
        (
            tot.with_errors as u64,
            t(Ui::SumSchoolsErrors),
            "#da-controllare",
            "warn",
        ),
        (
            tot.failed as u64,
            t(Ui::SumSchoolsFailed),
            "#da-controllare",
            "bad",
        ),
        (review, t(Ui::CardDecisions), "#totali", "todo"),
    ] {
        let cls = if n == 0 { "zero" } else { cls };
        h.push_str(&format!(
            "<a class=\"card {cls}\" href=\"{href}\"><span class=\"n\">{}</span> <span class=\"l\">{}</span></a>\n",
            thousands(n, lang),
            esc(label)
        ));
    }
    h.push_str("</div>\n");
    filter_box_with(&mut h, lang, Ui::SumFilter, Ui::SumFilterHint);

    // --- charts -------------------------------------------------------------
    h.push_str(&format!(
        "<section id=\"riepilogo\">\n<h2>{}</h2>\n<h3>{}</h3>\n",
        esc(t(Ui::Summary)),
        esc(t(Ui::SumOutcomeChart))
    ));
    bar_chart(
        &mut h,
        t(Ui::SumOutcomeChart),
        &[
            (t(Ui::SumSchoolsOk).to_string(), tot.ok, "bar-new"),
            (
                t(Ui::SumSchoolsErrors).to_string(),
                tot.with_errors,
                "bar-decided",
            ),
            (t(Ui::SumSchoolsFailed).to_string(), tot.failed, "bar-bad"),
        ],
        lang,
    );
    let op_bars: Vec<(String, usize, &str)> = tot
        .ops
        .iter()
        .map(|(k, n)| {
            let (it, en) = op_label(k.name());
            (lang.pick(it, en).to_string(), *n as usize, op_bar_class(*k))
        })
        .collect();
    h.push_str(&format!("<h3>{}</h3>\n", esc(t(Ui::OpsPerKind))));
    bar_chart(&mut h, t(Ui::OpsPerKind), &op_bars, lang);
    let review_bars: Vec<(String, usize, &str)> = tot
        .review
        .iter()
        .map(|(k, n)| {
            let (it, en) = review_label(k.name());
            (lang.pick(it, en).to_string(), *n as usize, "bar-decided")
        })
        .collect();
    h.push_str(&format!("<h3>{}</h3>\n", esc(t(Ui::SumReviewChart))));
    bar_chart(&mut h, t(Ui::SumReviewChart), &review_bars, lang);
    h.push_str("</section>\n");

    // --- totals (not filtered) ------------------------------------------------
    h.push_str(&format!(
        "<section id=\"totali\">\n<h2>{}</h2>\n<table class=\"totals nofilter\">\n<tbody>\n",
        esc(t(Ui::SumTotals))
    ));
    let mut line = |label: String, n: u64| {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>\n",
            esc(&label),
            thousands(n, lang)
        ));
    };
    line(t(Ui::SumSchoolsOk).into(), tot.ok as u64);
    line(t(Ui::SumSchoolsErrors).into(), tot.with_errors as u64);
    line(t(Ui::SumSchoolsFailed).into(), tot.failed as u64);
    line(t(Ui::SumPupilsSidi).into(), tot.pupils_sidi);
    line(t(Ui::SumPupilsLocal).into(), tot.pupils_local);
    for (k, n) in &tot.ops {
        let (it, en) = op_label(k.name());
        line(format!("{} ({})", lang.pick(it, en), k.name()), *n);
    }
    for (k, n) in &tot.review {
        let (it, en) = review_label(k.name());
        line(
            format!(
                "{} ({})",
                fill(t(Ui::SumToDecide), &[("kind", lang.pick(it, en))]),
                k.name()
            ),
            *n,
        );
    }
    line(t(Ui::SumErrors).into(), tot.errors);
    line(t(Ui::SumWarnings).into(), tot.warnings);
    line(t(Ui::SumExcluded).into(), tot.excluded);
    if secs > 0.0 {
        line(
            t(Ui::SumRate).into(),
            (tot.pupils_sidi as f64 / secs) as u64,
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    // --- schools to look at -------------------------------------------------
    let attention: Vec<&SchoolResult> = o
        .schools
        .iter()
        .filter(|r| r.status != Status::Ok)
        .collect();
    h.push_str(&format!(
        "<section id=\"da-controllare\" class=\"group\">\n<h2>{} <span class=\"count\">{}</span></h2>\n",
        esc(t(Ui::SumAttention)),
        attention.len()
    ));
    if attention.is_empty() {
        h.push_str(&format!(
            "<p class=\"empty\">{}</p>\n",
            esc(t(Ui::SumAttentionNone))
        ));
    } else {
        h.push_str(&format!(
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            esc(t(Ui::SumColSchool)),
            esc(t(Ui::SumColFile)),
            esc(t(Ui::SumColOutcome)),
            esc(t(Ui::SumColMessage))
        ));
        for r in &attention {
            let msg = if r.status == Status::Errors {
                fill(
                    t(Ui::SumErrorsMsg),
                    &[
                        ("errors", &r.errors.to_string()),
                        ("excluded", &r.excluded.to_string()),
                    ],
                )
            } else {
                r.message.clone()
            };
            h.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                r.status.code(),
                school_cell(r),
                esc(&files_cell(r)),
                esc(r.status.label(lang)),
                esc(&msg)
            ));
            if h.len() > 60_000 {
                out.write_all(h.as_bytes())?;
                h.clear();
            }
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");

    // --- every school ---------------------------------------------------------
    h.push_str(&format!(
        "<section id=\"scuole\" class=\"group\">\n<h2>{} <span class=\"count\">{}</span></h2>\n<div class=\"wide\">\n<table class=\"schools\">\n<thead><tr>",
        esc(t(Ui::SumEvery)),
        o.schools.len()
    ));
    let mut head: Vec<(String, String)> = vec![
        (t(Ui::SumColSchool).into(), String::new()),
        (t(Ui::SumColFile).into(), String::new()),
        (t(Ui::SumColOutcome).into(), String::new()),
        (t(Ui::SumColPupilsSidi).into(), String::new()),
        (t(Ui::SumColPupilsLocal).into(), String::new()),
    ];
    for k in OpKind::ALL {
        let (it, en) = op_label(k.name());
        head.push((k.name().into(), lang.pick(it, en).into()));
    }
    for k in ReviewKind::ALL {
        let (it, en) = review_label(k.name());
        head.push((k.name().into(), lang.pick(it, en).into()));
    }
    for u in [
        Ui::SumColErrors,
        Ui::SumColWarnings,
        Ui::SumColExcluded,
        Ui::SumColMs,
    ] {
        head.push((t(u).into(), String::new()));
    }
    for (name, tip) in &head {
        if tip.is_empty() {
            h.push_str(&format!("<th>{}</th>", esc(name)));
        } else {
            h.push_str(&format!("<th title=\"{}\">{}</th>", esc(tip), esc(name)));
        }
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &o.schools {
        h.push_str(&format!(
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td>",
            r.status.code(),
            school_cell(r),
            esc(&files_cell(r)),
            esc(r.status.label(lang))
        ));
        let mut nums: Vec<u64> = vec![r.pupils_sidi as u64, r.pupils_local as u64];
        nums.extend(OpKind::ALL.iter().map(|k| r.op(*k) as u64));
        nums.extend(ReviewKind::ALL.iter().map(|k| r.review_count(*k) as u64));
        nums.extend([
            r.errors as u64,
            r.warnings as u64,
            r.excluded as u64,
            r.time.as_millis() as u64,
        ]);
        for n in nums {
            h.push_str(&format!("<td class=\"num\">{}</td>", thousands(n, lang)));
        }
        h.push_str("</tr>\n");
        if h.len() > 60_000 {
            out.write_all(h.as_bytes())?;
            h.clear();
        }
    }
    h.push_str("</tbody>\n<tfoot><tr>");
    h.push_str(&format!("<td colspan=\"3\">{}</td>", esc(t(Ui::Total))));
    let mut nums: Vec<u64> = vec![tot.pupils_sidi, tot.pupils_local];
    nums.extend(tot.ops.iter().map(|(_, n)| *n));
    nums.extend(tot.review.iter().map(|(_, n)| *n));
    nums.extend([
        tot.errors,
        tot.warnings,
        tot.excluded,
        o.elapsed.as_millis() as u64,
    ]);
    for n in nums {
        h.push_str(&format!("<td class=\"num\">{}</td>", thousands(n, lang)));
    }
    h.push_str("</tr></tfoot>\n</table>\n</div>\n</section>\n");
    page_end(&mut h, lang);
    out.write_all(h.as_bytes())
}

/// The school code, linked to its report when a package was written.
fn school_cell(r: &SchoolResult) -> String {
    if r.status == Status::Failed || r.school.is_empty() {
        esc(&r.school)
    } else {
        format!("<a href=\"{0}/report.html\">{0}</a>", esc(&r.school))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn row(code: &str, status: Status) -> SchoolResult {
        SchoolResult {
            school: code.into(),
            sidi_files: vec![format!("{code}.zip")],
            status,
            pupils_sidi: 1234,
            pupils_local: 1200,
            ops: OpKind::ALL.iter().map(|k| (*k, 1)).collect(),
            review: ReviewKind::ALL.iter().map(|k| (*k, 2)).collect(),
            errors: usize::from(status == Status::Errors),
            warnings: 3,
            excluded: 0,
            bytes: 10,
            time: Duration::from_millis(42),
            message: if status == Status::Failed {
                "-rotto <b>".into()
            } else {
                String::new()
            },
        }
    }

    #[test]
    fn csv_has_bom_header_and_guarded_cells() {
        let b = summary_csv(&[
            row("BOIC83500N", Status::Ok),
            row("RMIC80400X", Status::Failed),
        ])
        .unwrap();
        let s = String::from_utf8(b).unwrap();
        assert!(s.starts_with('\u{feff}'));
        let lines: Vec<&str> = s.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0].split(';').count(), columns().len());
        assert!(lines[0]
            .starts_with("CODICE_SCUOLA;FILE_SIDI;STATO;ALUNNI_SIDI;ALUNNI_LOCALI;create_class;"));
        assert!(lines[0].ends_with(";ERRORI;AVVISI;ESCLUSI;TEMPO_MS;MESSAGGIO"));
        assert!(lines[1].starts_with("BOIC83500N;BOIC83500N.zip;OK;1234;1200;1;"));
        assert!(lines[2].ends_with(";42;'-rotto <b>"), "{}", lines[2]);
    }

    #[test]
    fn html_is_escaped_and_links_reports() {
        let o = BulkOutcome {
            schools: vec![
                row("BOIC83500N", Status::Ok),
                row("RMIC80400X", Status::Failed),
            ],
            elapsed: Duration::from_secs(2),
            phases: Default::default(),
            jobs: 2,
            out: "out".into(),
        };
        let h = render_summary_html(&o, Lang::It, "2025-11-29T08:00:00Z");
        assert!(h.contains("<a href=\"BOIC83500N/report.html\">BOIC83500N</a>"));
        assert!(!h.contains("RMIC80400X/report.html"));
        assert!(h.contains("-rotto &lt;b&gt;"));
        assert!(h.contains("2.468")); // pupils, Italian thousands
        assert!(h.contains("<dd>2,0 s</dd>"), "{h}"); // and decimal comma
        assert!(h.contains("Scuole da controllare <span class=\"count\">1</span>"));
        // the report's blocks: CSP header, filter box, charts, footer
        assert!(h.contains("Content-Security-Policy"));
        assert!(h.contains("id=\"filtro\"") && h.contains("Cerca una scuola"));
        assert_eq!(h.matches("<svg class=\"chart\"").count(), 3);
        assert!(h.contains("aria-label=\"Scuole per esito\""));
        assert!(h.contains("<table class=\"totals nofilter\">"));
        assert!(h.contains("29/11/2025 08:00 UTC"));
        assert!(h.trim_end().ends_with("</html>"));
        let e = render_summary_html(&o, Lang::En, "x");
        assert!(
            e.contains("2,468") && e.contains("Schools to look at <span class=\"count\">1</span>")
        );
        assert!(e.contains("lang=\"en\"") && e.contains("Search a school"));
    }
}
