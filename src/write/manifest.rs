//! `manifest.json`: what produced the package, from what, and what is in it.
//! Layout: schemas/manifest.schema.json.

use crate::sync::engine::Plan;
use crate::write::patch::SCHEMA_VERSION;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// An input or output file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// `sidi`, `local`, `local_classes`, `profile`, `decisions` (inputs);
    /// `patch_jsonl`, `patch_csv`, `patch_xml`, `review`, `report`, `zip` (outputs).
    pub role: String,
    /// File name (no directory, so the manifest does not depend on where
    /// the run happened; a zip member is named `archive.zip!member`).
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

impl FileEntry {
    pub fn of_bytes(role: &str, name: &str, bytes: &[u8]) -> FileEntry {
        FileEntry {
            role: role.into(),
            name: name.into(),
            size: bytes.len() as u64,
            sha256: crate::util::sha256_hex(bytes),
        }
    }
}

/// Counts serialised as an object in a fixed key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ordered(pub Vec<(&'static str, usize)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct School<'a> {
    codice_scuola: &'a str,
    anno_scolastico: &'a str,
    sedi: &'a [String],
}

#[derive(Serialize)]
struct Counts {
    ops: Ordered,
    review: Ordered,
    findings: Ordered,
    excluded_records: usize,
}

#[derive(Serialize)]
struct Rejected<'a> {
    id: &'a str,
    kind: &'static str,
    line: u32,
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: Tool,
    schema_version: u32,
    generated_at: &'a str,
    school: School<'a>,
    profile: &'a str,
    lang: &'static str,
    inputs: &'a [FileEntry],
    outputs: &'a [FileEntry],
    counts: Counts,
    decisions_applied: usize,
    rejected_decisions: Vec<Rejected<'a>>,
}

/// `"counts"` as the manifest writes them.
pub fn counts_json(plan: &Plan) -> serde_json::Value {
    serde_json::to_value(counts(plan)).expect("counts serialise")
}

fn counts(plan: &Plan) -> Counts {
    let (e, w) = plan.finding_counts();
    Counts {
        ops: Ordered(
            plan.op_counts()
                .into_iter()
                .map(|(k, n)| (k.name(), n))
                .collect(),
        ),
        review: Ordered(
            plan.review_counts()
                .into_iter()
                .map(|(k, n)| (k.name(), n))
                .collect(),
        ),
        findings: Ordered(vec![("error", e), ("warning", w)]),
        excluded_records: plan.excluded.len(),
    }
}

/// The manifest's bytes (pretty JSON, `\n` at the end).
pub fn manifest_json(
    plan: &Plan,
    generated_at: &str,
    profile: &str,
    lang: crate::messages::Lang,
    inputs: &[FileEntry],
    outputs: &[FileEntry],
) -> Vec<u8> {
    let m = Manifest {
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        schema_version: SCHEMA_VERSION,
        generated_at,
        school: School {
            codice_scuola: &plan.school.codice_scuola,
            anno_scolastico: &plan.school.anno_scolastico,
            sedi: &plan.school.sedi,
        },
        profile,
        lang: lang.code(),
        inputs,
        outputs,
        counts: counts(plan),
        decisions_applied: plan.decisions_applied,
        rejected_decisions: plan
            .rejected
            .iter()
            .map(|r| Rejected {
                id: &r.id,
                kind: r.kind.name(),
                line: r.line,
            })
            .collect(),
    };
    let mut v = serde_json::to_vec_pretty(&m).expect("manifest serialises");
    v.push(b'\n');
    v
}
