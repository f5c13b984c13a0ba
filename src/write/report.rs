//! `report.html`: a self-contained human report (Italian by default).
//!
//! Two steps on purpose: [`gather`] collects everything the report shows
//! into a [`ReportData`] (plain data, language already chosen), and
//! [`render_html`] turns it into one HTML page with inline CSS and no
//! external resources. A later, richer renderer can reuse `ReportData`.

use crate::messages::Lang;
use crate::sync::engine::Plan;
use crate::sync::ops::{Operation, Value};
use crate::write::patch::{flatten, xml_escape};

/// One finding line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRow {
    pub code: &'static str,
    pub severity: &'static str,
    pub location: String,
    pub record: String,
    pub message: String,
}

/// Everything the report shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportData {
    pub lang: Lang,
    pub title: String,
    pub codice_scuola: String,
    pub anno_scolastico: String,
    pub generated_at: String,
    pub op_counts: Vec<(&'static str, usize)>,
    pub review_counts: Vec<(&'static str, usize)>,
    pub errors: usize,
    pub warnings: usize,
    /// id, op, record (id_locale / class), field, from, to
    pub ops: Vec<[String; 6]>,
    /// id, kind, codice fiscale, id locale, detail
    pub review: Vec<[String; 5]>,
    pub findings: Vec<FindingRow>,
    /// kind, record, location, codes
    pub excluded: Vec<[String; 4]>,
    /// op, record, class, reason
    pub held_back: Vec<[String; 4]>,
    /// id, kind, line
    pub rejected: Vec<[String; 3]>,
}

fn record_of(o: &Operation) -> String {
    let k = &o.key;
    match (&k.id_locale, &k.sede) {
        (Some(id), _) => id.clone(),
        (None, Some(_)) => k.class_key().to_string(),
        _ => String::new(),
    }
}

fn val(v: &Option<Value>) -> String {
    v.as_ref().map(flatten).unwrap_or_default()
}

/// Collects the report's data from a plan.
pub fn gather(plan: &Plan, lang: Lang, generated_at: &str) -> ReportData {
    let (errors, warnings) = plan.finding_counts();
    ReportData {
        lang,
        title: lang
            .pick("Sincronizzazione con SIDI", "Synchronisation with SIDI")
            .to_string(),
        codice_scuola: plan.school.codice_scuola.clone(),
        anno_scolastico: plan.school.anno_scolastico.clone(),
        generated_at: generated_at.to_string(),
        op_counts: plan
            .op_counts()
            .into_iter()
            .map(|(k, n)| (k.name(), n))
            .collect(),
        review_counts: plan
            .review_counts()
            .into_iter()
            .map(|(k, n)| (k.name(), n))
            .collect(),
        errors,
        warnings,
        ops: plan
            .ops
            .iter()
            .map(|o| {
                [
                    o.id.clone(),
                    o.op.name().to_string(),
                    record_of(o),
                    o.field.clone().unwrap_or_default(),
                    val(&o.from),
                    val(&o.to),
                ]
            })
            .collect(),
        review: plan
            .review
            .iter()
            .map(|r| {
                [
                    r.id.clone(),
                    r.kind.name().to_string(),
                    r.codice_fiscale.clone(),
                    r.id_locale.clone(),
                    crate::write::review::detail(r, lang),
                ]
            })
            .collect(),
        findings: plan
            .findings
            .iter()
            .map(|f| FindingRow {
                code: f.code.code(),
                severity: f.severity.as_str(),
                location: f.origin.as_ref().map(|o| o.to_string()).unwrap_or_default(),
                record: f.record.clone(),
                message: f.message(lang),
            })
            .collect(),
        excluded: plan
            .excluded
            .iter()
            .map(|e| {
                [
                    e.entity.name().to_string(),
                    e.record.clone(),
                    e.origin.as_ref().map(|o| o.to_string()).unwrap_or_default(),
                    e.codes.join(", "),
                ]
            })
            .collect(),
        held_back: plan
            .held_back
            .iter()
            .map(|h| {
                [
                    h.op.name().to_string(),
                    h.record.clone(),
                    h.class.to_string(),
                    h.reason.to_string(),
                ]
            })
            .collect(),
        rejected: plan
            .rejected
            .iter()
            .map(|r| [r.id.clone(), r.kind.name().to_string(), r.line.to_string()])
            .collect(),
    }
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    xml_escape(s, &mut o);
    o
}

fn table<const N: usize>(out: &mut String, head: [&str; N], rows: &[[String; N]]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// Renders the report as one self-contained HTML page.
pub fn render_html(d: &ReportData) -> String {
    let l = d.lang;
    let t = |it: &'static str, en: &'static str| l.pick(it, en);
    let mut o = String::with_capacity(4096 + d.ops.len() * 160);
    o.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title>\n",
        l.code(),
        esc(&d.title),
        esc(&d.codice_scuola)
    ));
    o.push_str("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}th{background:#eee}.error{color:#a00}</style></head><body>\n");
    o.push_str(&format!(
        "<h1>{} – {} {}</h1>\n<p>{}: {}</p>\n",
        esc(&d.title),
        esc(&d.codice_scuola),
        esc(&d.anno_scolastico),
        t("Generato il", "Generated at"),
        esc(&d.generated_at)
    ));
    o.push_str(&format!("<h2>{}</h2>\n", t("Riepilogo", "Summary")));
    let mut counts: Vec<[String; 2]> = d
        .op_counts
        .iter()
        .map(|(k, n)| [k.to_string(), n.to_string()])
        .collect();
    counts.extend(
        d.review_counts
            .iter()
            .map(|(k, n)| [format!("review: {k}"), n.to_string()]),
    );
    counts.push([t("errori", "errors").into(), d.errors.to_string()]);
    counts.push([t("avvisi", "warnings").into(), d.warnings.to_string()]);
    counts.push([
        t("record esclusi", "excluded records").into(),
        d.excluded.len().to_string(),
    ]);
    table(&mut o, [t("voce", "item"), t("numero", "count")], &counts);
    o.push_str(&format!(
        "<h2>{} ({})</h2>\n",
        t("Da decidere (review.csv)", "To decide (review.csv)"),
        d.review.len()
    ));
    table(
        &mut o,
        [
            "ID",
            t("tipo", "kind"),
            "CODICE_FISCALE",
            "ID_LOCALE",
            t("dettaglio", "detail"),
        ],
        &d.review,
    );
    o.push_str(&format!(
        "<h2>{} ({})</h2>\n",
        t("Record esclusi", "Excluded records"),
        d.excluded.len()
    ));
    table(
        &mut o,
        [
            t("tipo", "kind"),
            t("record", "record"),
            t("posizione", "location"),
            t("codici", "codes"),
        ],
        &d.excluded,
    );
    if !d.held_back.is_empty() {
        o.push_str(&format!(
            "<h2>{} ({})</h2>\n",
            t("Operazioni sospese", "Operations held back"),
            d.held_back.len()
        ));
        table(
            &mut o,
            [
                t("operazione", "operation"),
                t("record", "record"),
                t("classe", "class"),
                t("motivo", "reason"),
            ],
            &d.held_back,
        );
    }
    if !d.rejected.is_empty() {
        o.push_str(&format!(
            "<h2>{} ({})</h2>\n",
            t("Decisioni rifiutate", "Rejected decisions"),
            d.rejected.len()
        ));
        table(
            &mut o,
            ["ID", t("tipo", "kind"), t("riga", "line")],
            &d.rejected,
        );
    }
    o.push_str(&format!(
        "<h2>{} ({})</h2>\n",
        t("Segnalazioni", "Findings"),
        d.findings.len()
    ));
    let frows: Vec<[String; 5]> = d
        .findings
        .iter()
        .map(|f| {
            [
                f.severity.to_string(),
                f.code.to_string(),
                f.location.clone(),
                f.record.clone(),
                f.message.clone(),
            ]
        })
        .collect();
    table(
        &mut o,
        [
            t("gravità", "severity"),
            t("codice", "code"),
            t("posizione", "location"),
            t("record", "record"),
            t("messaggio", "message"),
        ],
        &frows,
    );
    o.push_str(&format!(
        "<h2>{} ({})</h2>\n",
        t("Operazioni (patch.jsonl)", "Operations (patch.jsonl)"),
        d.ops.len()
    ));
    table(
        &mut o,
        [
            "ID",
            t("operazione", "operation"),
            t("record", "record"),
            t("campo", "field"),
            t("da", "from"),
            t("a", "to"),
        ],
        &d.ops,
    );
    o.push_str("</body></html>\n");
    o
}
