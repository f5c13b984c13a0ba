//! The patch in its three forms: `patch.jsonl` (the reference, read back by
//! `apply`), `patch.csv` and `patch.xml` (same operations, same order).
//! Layouts: schemas/patch.schema.json, schemas/patch-csv.md, schemas/patch.xsd.

use crate::error::{Error, Result};
use crate::sync::engine::SchoolInfo;
use crate::sync::ops::{OpKey, Operation, Value};
use crate::write::pieces::write_in_pieces;
use compact_str::CompactString;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::io::Write;

/// Version of the patch layouts (all three forms and the manifest).
pub const SCHEMA_VERSION: u32 = 1;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Value::Text(t) => s.serialize_str(t),
            Value::List(l) => {
                let mut q = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    q.serialize_element(v)?;
                }
                q.end()
            }
            Value::Map(m) => {
                let mut q = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    q.serialize_entry(k, v)?;
                }
                q.end()
            }
        }
    }
}

impl Serialize for OpKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut q = s.serialize_map(None)?;
        for (k, v) in self.parts() {
            q.serialize_entry(k, v)?;
        }
        q.end()
    }
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    op: &'a str,
    entity: &'a str,
    key: &'a OpKey,
    field: Option<&'a str>,
    from: Option<&'a Value>,
    to: Option<&'a Value>,
    lock: bool,
    reason: &'a str,
}

fn line(o: &Operation) -> Line<'_> {
    Line {
        id: &o.id,
        op: o.op.name(),
        entity: o.entity().name(),
        key: &o.key,
        field: o.field.as_deref(),
        from: o.from.as_ref(),
        to: o.to.as_ref(),
        lock: o.lock,
        reason: &o.reason,
    }
}

/// One `patch.jsonl` line (without the newline).
pub fn op_json(o: &Operation) -> String {
    serde_json::to_string(&line(o)).expect("operations serialise")
}

/// Writes `patch.jsonl`: one object per line, `\n` line ends.
pub fn write_jsonl(ops: &[Operation], w: &mut (dyn Write + Send)) -> Result<()> {
    write_in_pieces(ops, OPS_PER_RUN, w, |ops| {
        let mut buf: Vec<u8> = Vec::with_capacity(ops.len() * 320);
        for o in ops {
            serde_json::to_writer(&mut buf, &line(o)).expect("operations serialise");
            buf.push(b'\n');
        }
        buf
    })
    .map_err(|e| Error::io("patch.jsonl", e))
}

/// Operations rendered as one run of a patch file (see [`write_in_pieces`]).
const OPS_PER_RUN: usize = 1024;

/// Columns of `patch.csv`.
pub const CSV_COLUMNS: [&str; 14] = [
    "ID",
    "OP",
    "ENTITY",
    "KEY_CODICE_FISCALE",
    "KEY_ID_SIDI",
    "KEY_ID_LOCALE",
    "KEY_SEDE",
    "KEY_ANNO",
    "KEY_SEZIONE",
    "FIELD",
    "FROM",
    "TO",
    "LOCK",
    "REASON",
];

fn escape_flat(s: &str, out: &mut String) {
    if !s.contains(['\\', '|', '=']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if matches!(c, '\\' | '|' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A value flattened into one CSV cell: text as is; a list as `a|b`; a map
/// as `k=v|k=v`; `\`, `|` and `=` inside items escaped with `\`.
pub fn flatten(v: &Value) -> String {
    let mut out = String::new();
    flatten_into(v, &mut out);
    out
}

/// [`flatten`], appended to `out`.
fn flatten_into(v: &Value, out: &mut String) {
    match v {
        Value::Text(t) => out.push_str(t),
        Value::List(l) => {
            for (n, s) in l.iter().enumerate() {
                if n > 0 {
                    out.push('|');
                }
                escape_flat(s, out);
            }
        }
        Value::Map(m) => {
            for (n, (k, s)) in m.iter().enumerate() {
                if n > 0 {
                    out.push('|');
                }
                out.push_str(k);
                out.push('=');
                escape_flat(s, out);
            }
        }
    }
}

fn opt(v: &Option<CompactString>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Writes `patch.csv`: UTF-8 (no BOM), `;`, CRLF, header row.
pub fn write_csv(ops: &[Operation], w: &mut (dyn Write + Send)) -> Result<()> {
    let io = |e| Error::io("patch.csv", e);
    w.write_all(&csv_rows(&[], true)).map_err(io)?;
    write_in_pieces(ops, OPS_PER_RUN, w, |ops| csv_rows(ops, false)).map_err(io)
}

/// The `patch.csv` rows of `ops`, after the header row when `header`.
fn csv_rows(ops: &[Operation], header: bool) -> Vec<u8> {
    let mut c = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(ops.len() * 180));
    const MEMORY: &str = "writing CSV to memory does not fail";
    if header {
        c.write_record(CSV_COLUMNS).expect(MEMORY);
    }
    let (mut from, mut to) = (String::new(), String::new());
    for o in ops {
        let k = &o.key;
        from.clear();
        if let Some(v) = &o.from {
            flatten_into(v, &mut from);
        }
        to.clear();
        if let Some(v) = &o.to {
            flatten_into(v, &mut to);
        }
        c.write_record([
            o.id.as_str(),
            o.op.name(),
            o.entity().name(),
            opt(&k.codice_fiscale),
            opt(&k.id_sidi),
            opt(&k.id_locale),
            opt(&k.sede),
            opt(&k.anno),
            opt(&k.sezione),
            o.field.as_deref().unwrap_or(""),
            &from,
            &to,
            if o.lock { "true" } else { "false" },
            &o.reason,
        ])
        .expect(MEMORY);
    }
    c.into_inner().expect(MEMORY)
}

/// XML-escapes text for content and attribute values; characters XML 1.0
/// does not allow become U+FFFD.
pub fn xml_escape(s: &str, out: &mut String) {
    // most text needs no escaping: no markup character, no control
    // character, no U+FFFE / U+FFFF (whose UTF-8 starts with 0xEF)
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = true;
            b += 1;
        }
        t[b'&' as usize] = true;
        t[b'<' as usize] = true;
        t[b'>' as usize] = true;
        t[b'"' as usize] = true;
        t[0xEF] = true;
        t
    };
    if !s.bytes().any(|b| SPECIAL[b as usize]) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn xml_value(tag: &str, v: &Value, out: &mut String) {
    out.push_str("    <");
    out.push_str(tag);
    out.push('>');
    match v {
        Value::Text(t) => xml_escape(t, out),
        Value::List(l) => {
            for s in l {
                out.push_str("<item>");
                xml_escape(s, out);
                out.push_str("</item>");
            }
        }
        Value::Map(m) => {
            for (k, s) in m {
                out.push_str("<item name=\"");
                xml_escape(k, out);
                out.push_str("\">");
                xml_escape(s, out);
                out.push_str("</item>");
            }
        }
    }
    out.push_str("</");
    out.push_str(tag);
    out.push_str(">\n");
}

/// Writes `patch.xml` (UTF-8; schemas/patch.xsd).
pub fn write_xml(school: &SchoolInfo, ops: &[Operation], w: &mut (dyn Write + Send)) -> Result<()> {
    let io = |e| Error::io("patch.xml", e);
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<patch schema=\"{SCHEMA_VERSION}\" codiceScuola=\""
    ));
    xml_escape(&school.codice_scuola, &mut out);
    out.push_str("\" annoScolastico=\"");
    xml_escape(&school.anno_scolastico, &mut out);
    out.push_str("\">\n");
    w.write_all(out.as_bytes()).map_err(io)?;
    write_in_pieces(ops, OPS_PER_RUN, w, |ops| {
        let mut out = String::with_capacity(ops.len() * 400);
        for o in ops {
            xml_op(o, &mut out);
        }
        out
    })
    .map_err(io)?;
    w.write_all(b"</patch>\n").map_err(io)
}

/// One `<op>` element of `patch.xml`.
fn xml_op(o: &Operation, out: &mut String) {
    out.push_str("  <op id=\"");
    out.push_str(&o.id);
    out.push_str("\" kind=\"");
    out.push_str(o.op.name());
    out.push_str("\" entity=\"");
    out.push_str(o.entity().name());
    out.push_str("\" lock=\"");
    out.push_str(if o.lock { "true" } else { "false" });
    out.push_str("\" reason=\"");
    xml_escape(&o.reason, out);
    out.push_str("\">\n    <key");
    for (k, v) in o.key.parts() {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        xml_escape(v, out);
        out.push('"');
    }
    out.push_str("/>\n");
    if let Some(f) = &o.field {
        out.push_str("    <field>");
        xml_escape(f, out);
        out.push_str("</field>\n");
    }
    if let Some(v) = &o.from {
        xml_value("from", v, out);
    }
    if let Some(v) = &o.to {
        xml_value("to", v, out);
    }
    out.push_str("  </op>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClassKey;
    use crate::sync::ops::OpKind;

    fn ops() -> Vec<Operation> {
        vec![
            Operation::new(
                OpKind::UpdateField,
                OpKey {
                    codice_fiscale: Some("RSSMRA14E52H501X".into()),
                    id_locale: Some("L1".into()),
                    ..OpKey::default()
                },
                Some("cognome"),
                Some(Value::text("Rossi")),
                Some(Value::text("ROSSI")),
                true,
                "sidi_value_differs",
            ),
            Operation::new(
                OpKind::CreateClass,
                OpKey::class(&ClassKey::new("RMEE8A1016", "1", "A")),
                None,
                None,
                Some(Value::Map(vec![
                    ("tempo_scuola".into(), "T|24".into()),
                    ("indirizzo".into(), "".into()),
                ])),
                false,
                "new_class_on_sidi",
            ),
        ]
    }

    #[test]
    fn jsonl_line_has_exact_fields_in_order() {
        let o = &ops()[0];
        assert_eq!(
            op_json(o),
            format!(
                r#"{{"id":"{}","op":"update_field","entity":"student","key":{{"codice_fiscale":"RSSMRA14E52H501X","id_locale":"L1"}},"field":"cognome","from":"Rossi","to":"ROSSI","lock":true,"reason":"sidi_value_differs"}}"#,
                o.id
            )
        );
        assert_eq!(o.id.len(), 16);
        let c = op_json(&ops()[1]);
        assert!(
            c.contains(r#""field":null,"from":null,"to":{"tempo_scuola":"T|24","indirizzo":""}"#),
            "{c}"
        );
    }

    #[test]
    fn csv_flattens_and_xml_escapes() {
        let mut b = Vec::new();
        write_csv(&ops(), &mut b).unwrap();
        let s = String::from_utf8(b).unwrap();
        let l: Vec<&str> = s.split("\r\n").collect();
        assert_eq!(l[0], CSV_COLUMNS.join(";"));
        assert!(
            l[2].contains(";tempo_scuola=T\\|24|indirizzo=;false;"),
            "{}",
            l[2]
        );
        let mut x = Vec::new();
        let school = SchoolInfo {
            codice_scuola: "RMIC8A1005".into(),
            anno_scolastico: "2025/26".into(),
            sedi: vec![],
        };
        write_xml(&school, &ops(), &mut x).unwrap();
        let x = String::from_utf8(x).unwrap();
        assert!(x.contains("<from>Rossi</from>"));
        assert!(x.contains("<item name=\"tempo_scuola\">T|24</item>"));
        let mut e = String::new();
        xml_escape("a<&\"\u{1}", &mut e);
        assert_eq!(e, "a&lt;&amp;&quot;\u{FFFD}");
    }
}
