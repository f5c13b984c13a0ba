//! `check`: read one SIDI export, validate it, and summarise what was read.
//!
//! [`CheckReport`] is what `sidisync check --format json` prints (FORMATS.md
//! section 5): a `summary` with at least `pupils`, `classes`, `errors`,
//! `warnings`, and the `findings` as `{code, severity, file, line, record,
//! field, message}`.

use crate::error::Result;
use crate::findings::Finding;
use crate::messages::Lang;
use crate::read::{read_sidi, ReadOptions};
use crate::validate::{validate_export, ValidateOptions};
use serde::Serialize;
use std::path::Path;

/// One finding in the serialised form of FORMATS.md section 5.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FindingOut {
    pub code: &'static str,
    pub severity: &'static str,
    pub file: String,
    pub line: u32,
    pub record: String,
    pub field: String,
    pub message: String,
}

impl FindingOut {
    pub fn new(f: &Finding, lang: Lang) -> FindingOut {
        FindingOut {
            code: f.code.code(),
            severity: f.severity.as_str(),
            file: f
                .origin
                .as_ref()
                .map(|o| o.file.to_string())
                .unwrap_or_default(),
            line: f.origin.as_ref().map(|o| o.line).unwrap_or(0),
            record: f.record.clone(),
            field: f.field.clone(),
            message: f.message(lang),
        }
    }
}

/// Counts of what was read.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Default)]
pub struct CheckSummary {
    /// Pupil records read, duplicates and faulty ones included.
    pub pupils: usize,
    pub classes: usize,
    pub sedi: usize,
    pub codes: usize,
    pub frequenze: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// The result of `check`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CheckReport {
    pub file: String,
    /// `xml` or `csv`.
    pub form: &'static str,
    pub school: String,
    pub anno_scolastico: String,
    pub data_estrazione: String,
    pub summary: CheckSummary,
    pub findings: Vec<FindingOut>,
}

impl CheckReport {
    /// Whether any error finding was reported (exit status 1).
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}

/// Reads and validates `path`.
pub fn check(
    path: &Path,
    read: &ReadOptions,
    validate: &ValidateOptions,
    lang: Lang,
) -> Result<CheckReport> {
    check_with(path, read, validate, lang, false)
}

/// [`check`], with codici fiscali and names of the export replaced by
/// pseudonyms in the findings when `redact` (see [`crate::privacy`]).
pub fn check_with(
    path: &Path,
    read: &ReadOptions,
    validate: &ValidateOptions,
    lang: Lang,
    redact: bool,
) -> Result<CheckReport> {
    let r = read_sidi(path, read)?;
    let v = validate_export(&r.export, &validate.for_read_export());
    let mut findings: Vec<Finding> = r.findings;
    findings.extend(v.findings);
    findings.sort_by(|a, b| (&a.origin, a.code).cmp(&(&b.origin, b.code)));
    findings.dedup();
    let (errors, warnings) = crate::findings::count(&findings);
    let e = &r.export;
    let mut report = CheckReport {
        file: path.display().to_string(),
        form: match e.form {
            crate::model::ExportForm::Xml => "xml",
            crate::model::ExportForm::Csv => "csv",
        },
        school: e.header.codice_scuola.clone(),
        anno_scolastico: e.header.anno_scolastico.clone(),
        data_estrazione: e.header.data_estrazione.clone(),
        summary: CheckSummary {
            pupils: e.pupils.len(),
            classes: e.classes.len(),
            sedi: e.sedi.len(),
            codes: e.codes.len(),
            frequenze: e.pupils.iter().map(|p| p.frequenze.len()).sum(),
            errors,
            warnings,
        },
        findings: findings.iter().map(|f| FindingOut::new(f, lang)).collect(),
    };
    if redact {
        crate::privacy::Redactor::for_inputs(Some(e), None).check_report(&mut report);
    }
    Ok(report)
}

/// How many located finding lines `check` prints before summarising.
pub const TEXT_FINDING_LINES: usize = 20;

/// Plain-text rendering for the terminal, in `lang`: the school, counts
/// (aligned), findings per code with the action to take, the first
/// [`TEXT_FINDING_LINES`] findings located, and the file last.
pub fn render_text(r: &CheckReport, lang: Lang) -> String {
    use crate::messages::{fill, finding_guide, Ui};
    use std::fmt::Write;
    let t = |u: Ui| u.text(lang);
    let mut s = String::new();
    let s_ = &mut s;
    let form = r.form.to_uppercase();
    let _ = writeln!(
        s_,
        "{}",
        fill(
            t(Ui::CheckHead),
            &[
                ("school", &r.school),
                ("form", &form),
                ("year", &r.anno_scolastico)
            ]
        )
    );
    let rows = [
        (t(Ui::CountPupils), r.summary.pupils),
        (t(Ui::CountClasses), r.summary.classes),
        (t(Ui::CountSedi), r.summary.sedi),
        (t(Ui::CountCodes), r.summary.codes),
        (t(Ui::TermErrors), r.summary.errors),
        (t(Ui::TermWarnings), r.summary.warnings),
    ];
    for (label, n) in rows {
        let _ = writeln!(s_, "  {label:<12}{n:>7}");
    }
    // per code: count, title, action (errors first, in code order)
    let mut groups: Vec<(&FindingOut, usize)> = Vec::new();
    let mut sorted: Vec<&FindingOut> = r.findings.iter().collect();
    sorted.sort_by_key(|f| {
        (
            f.severity != "error",
            crate::findings::FindingCode::from_code(f.code),
        )
    });
    for f in sorted {
        match groups.last_mut() {
            Some((g, n)) if g.code == f.code => *n += 1,
            _ => groups.push((f, 1)),
        }
    }
    for (f, n) in &groups {
        let sev = match f.severity {
            "error" => t(Ui::TermSevError),
            _ => t(Ui::TermSevWarning),
        };
        let (title, action) = match crate::findings::FindingCode::from_code(f.code) {
            Some(c) => {
                let g = finding_guide(c);
                (lang.pick(g[0], g[1]), lang.pick(g[2], g[3]))
            }
            None => ("", ""),
        };
        let _ = writeln!(s_, "{n:>7} {sev} {:<24} {title}: {action}", f.code);
    }
    for f in r.findings.iter().take(TEXT_FINDING_LINES) {
        let sev = match f.severity {
            "error" => t(Ui::TermSevError),
            _ => t(Ui::TermSevWarning),
        };
        let loc = if f.line > 0 {
            format!("{}:{}", f.file, f.line)
        } else {
            f.file.clone()
        };
        let _ = writeln!(s_, "{loc}: {sev} {} [{}] {}", f.code, f.record, f.message);
    }
    if r.findings.len() > TEXT_FINDING_LINES {
        let more = (r.findings.len() - TEXT_FINDING_LINES).to_string();
        let _ = writeln!(s_, "{}", fill(t(Ui::TermMore), &[("n", &more)]));
    }
    let _ = writeln!(s_, "{}: {}", t(Ui::TermFile), r.file);
    s
}
