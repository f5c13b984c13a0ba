//! The patch in its three forms: `patch.jsonl` (the reference, read back by
//! `apply`), `patch.csv` and `patch.xml` (same operations, same order).
//! Layouts: schemas/patch.schema.json, schemas/patch-csv.md, schemas/patch.xsd.

use crate::error::{Error, Result};
use crate::sync::engine::SchoolInfo;
use crate::sync::ops::{OpKey, Operation, Value};
use crate::util::ByteSet;
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

/// One `patch.jsonl` line (without the newline).
pub fn op_json(o: &Operation) -> String {
    let mut b = Vec::with_capacity(320);
    json_line(o, &mut b);
    // only whole `&str`s and ASCII go into the line
    String::from_utf8(b).expect("a JSON line is UTF-8")
}

/// Writes `patch.jsonl`: one object per line, `\n` line ends.
pub fn write_jsonl(ops: &[Operation], w: &mut (dyn Write + Send)) -> Result<()> {
    write_in_pieces(ops, OPS_PER_RUN, w, |ops| {
        let mut buf: Vec<u8> = Vec::with_capacity(ops.len() * 320);
        for o in ops {
            json_line(o, &mut buf);
            buf.push(b'\n');
        }
        buf
    })
    .map_err(|e| Error::io("patch.jsonl", e))
}

/// Appends operation `o` as one compact JSON object (no newline): fields
/// `id, op, entity, key, field, from, to, lock, reason` in this order, the
/// bytes `serde_json` makes of them with the `Serialize` impls above,
/// written straight into `out` (through serde, every string went through
/// `io::Write` calls of a byte or two: a quarter of the package's writing
/// instructions). The test `json_line_is_serde_json` checks the two agree.
fn json_line(o: &Operation, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"id\":");
    json_str(&o.id, out);
    out.extend_from_slice(b",\"op\":");
    json_str(o.op.name(), out);
    out.extend_from_slice(b",\"entity\":");
    json_str(o.entity().name(), out);
    out.extend_from_slice(b",\"key\":");
    json_map(o.key.parts(), out);
    out.extend_from_slice(b",\"field\":");
    match o.field.as_deref() {
        Some(f) => json_str(f, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"from\":");
    json_value(o.from.as_ref(), out);
    out.extend_from_slice(b",\"to\":");
    json_value(o.to.as_ref(), out);
    out.extend_from_slice(if o.lock {
        b",\"lock\":true,\"reason\":"
    } else {
        b",\"lock\":false,\"reason\":"
    });
    json_str(&o.reason, out);
    out.push(b'}');
}

/// A `from` / `to` value as JSON (`null` when absent).
fn json_value(v: Option<&Value>, out: &mut Vec<u8>) {
    match v {
        None => out.extend_from_slice(b"null"),
        Some(Value::Text(t)) => json_str(t, out),
        Some(Value::List(l)) => {
            out.push(b'[');
            for (i, v) in l.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_str(v, out);
            }
            out.push(b']');
        }
        Some(Value::Map(m)) => json_map(m.iter().map(|(k, v)| (k.as_str(), v.as_str())), out),
    }
}

/// An object of strings, in the given order.
fn json_map<'k, 'v>(pairs: impl Iterator<Item = (&'k str, &'v str)>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (k, v)) in pairs.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(k, out);
        out.push(b':');
        json_str(v, out);
    }
    out.push(b'}');
}

/// `s` as a JSON string, escaped as `serde_json` escapes: `"` and `\`,
/// the control characters below U+0020 (`\b \t \n \f \r` by name, the
/// others as `\u00xx`, lower-case hex); everything else as it is.
fn json_str(s: &str, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut from = 0;
    loop {
        let i = from + json_plain(&b[from..]);
        out.extend_from_slice(&b[from..i]);
        let Some(&c) = b.get(i) else { break };
        let e = JSON_ESCAPE[c as usize];
        if e == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        } else {
            out.push(b'\\');
            out.push(e);
        }
        from = i + 1;
    }
    out.push(b'"');
}

/// How many bytes at the start of `b` stand for themselves in a JSON
/// string ([`JSON_ESCAPE`] 0).
fn json_plain(b: &[u8]) -> usize {
    const JSON_SPECIAL: ByteSet = ByteSet::new(0x20, b"\"\\");
    JSON_SPECIAL.first_in(b).unwrap_or(b.len())
}

/// Per byte: 0 when it stands for itself in a JSON string, else the letter
/// after the backslash (`u`: a `\u00xx` escape).
const JSON_ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = b'u';
        c += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0A] = b'n';
    t[0x0C] = b'f';
    t[0x0D] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

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
    const FLAT_SPECIAL: ByteSet = ByteSet::new(0, b"\\|=");
    if FLAT_SPECIAL.first_in(s.as_bytes()).is_none() {
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

/// The `patch.csv` rows of `ops`, after the header row when `header`: the
/// bytes the csv crate's writer makes of them (`;`, CRLF, a cell quoted
/// only when it holds `;`, `"`, CR or LF, quotes doubled), built straight
/// into one buffer (through the writer, a third more instructions).
/// `csv_rows_are_the_csv_writers` checks the two agree.
fn csv_rows(ops: &[Operation], header: bool) -> Vec<u8> {
    let mut out = String::with_capacity(ops.len() * 180);
    if header {
        csv_cells(CSV_COLUMNS, &mut out);
        out.push_str("\r\n");
    }
    for o in ops {
        csv_cells(leading_cells(o), &mut out);
        // FROM and TO are flattened in place, and quoted afterwards in the
        // rare case they need it
        for v in [&o.from, &o.to] {
            out.push(';');
            let at = out.len();
            if let Some(v) = v {
                flatten_into(v, &mut out);
            }
            if csv_needs_quotes(&out[at..]) {
                let cell = out.split_off(at);
                csv_cell(&cell, &mut out);
            }
        }
        out.push_str(if o.lock { ";true;" } else { ";false;" });
        csv_cell(&o.reason, &mut out);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The cells of `patch.csv` before FROM: ID to FIELD.
fn leading_cells(o: &Operation) -> [&str; 10] {
    let k = &o.key;
    [
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
    ]
}

/// Cells separated by `;`.
fn csv_cells<'a>(cells: impl IntoIterator<Item = &'a str>, out: &mut String) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        csv_cell(c, out);
    }
}

/// One cell: as it is, or quoted with its quotes doubled when it holds a
/// byte the csv writer quotes for.
fn csv_cell(s: &str, out: &mut String) {
    if !csv_needs_quotes(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for (i, part) in s.split('"').enumerate() {
        if i > 0 {
            out.push_str("\"\"");
        }
        out.push_str(part);
    }
    out.push('"');
}

/// Whether the csv writer (`;` delimiter, CRLF, necessary quotes) quotes `s`.
fn csv_needs_quotes(s: &str) -> bool {
    const CSV_SPECIAL: ByteSet = ByteSet::new(0, b";\"\r\n");
    CSV_SPECIAL.first_in(s.as_bytes()).is_some()
}

/// XML-escapes text for content and attribute values; characters XML 1.0
/// does not allow become U+FFFD.
pub fn xml_escape(s: &str, out: &mut String) {
    // most text needs no escaping: no markup character, no control
    // character, no U+FFFE / U+FFFF (whose UTF-8 starts with 0xEF)
    const XML_SPECIAL: ByteSet = ByteSet::new(0x20, b"&<>\"\xEF");
    if XML_SPECIAL.first_in(s.as_bytes()).is_none() {
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

    /// The reference for [`json_line`]: a line as serde_json writes it.
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

    /// The reference for [`csv_rows`]: the csv crate's writer.
    fn csv_rows_reference(ops: &[Operation], header: bool) -> Vec<u8> {
        let mut c = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        if header {
            c.write_record(CSV_COLUMNS).unwrap();
        }
        for o in ops {
            let flat = |v: &Option<Value>| v.as_ref().map(flatten).unwrap_or_default();
            let (from, to) = (flat(&o.from), flat(&o.to));
            let lock = if o.lock { "true" } else { "false" };
            let rest = [from.as_str(), to.as_str(), lock, o.reason.as_str()];
            c.write_record(leading_cells(o).into_iter().chain(rest))
                .unwrap();
        }
        c.into_inner().unwrap()
    }

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
        let mut e = Vec::new();
        json_str("a\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\"\\\u{7f}é/", &mut e);
        let want = r#""a\u0001\b\t\n\u000b\f\r\u001f\"\\"#.to_string() + "\u{7f}é/\"";
        assert_eq!(String::from_utf8(e).unwrap(), want);
        // each special byte found at every place of a word and after it
        for special in [0u8, 0x1f, b'"', b'\\'] {
            for at in 0..20 {
                let mut b = vec![b'x'; 20];
                b[19 - (at % 7)] = 0xe9; // bytes above 0x7f are plain
                b[at] = special;
                assert_eq!(json_plain(&b), at, "{special} at {at}");
            }
        }
        let plain = b"plain text, 0x7f: \x7f \xff";
        assert_eq!(json_plain(plain), plain.len());
        let c = op_json(&ops()[1]);
        assert!(
            c.contains(r#""field":null,"from":null,"to":{"tempo_scuola":"T|24","indirizzo":""}"#),
            "{c}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        #[test]
        fn json_line_is_serde_json(o in op()) {
            let mut got = Vec::new();
            json_line(&o, &mut got);
            proptest::prop_assert_eq!(
                String::from_utf8(got).unwrap(),
                serde_json::to_string(&line(&o)).unwrap()
            );
        }

        #[test]
        fn csv_rows_are_the_csv_writers(
            ops in proptest::collection::vec(op(), 0..4),
            header in proptest::bool::ANY,
        ) {
            proptest::prop_assert_eq!(
                String::from_utf8(csv_rows(&ops, header)).unwrap(),
                String::from_utf8(csv_rows_reference(&ops, header)).unwrap()
            );
        }
    }

    /// Any operation, its texts drawn from [`TEXT`].
    fn op() -> impl proptest::strategy::Strategy<Value = Operation> {
        use proptest::prelude::*;
        (
            0..OpKind::ALL.len(),
            proptest::collection::vec(proptest::option::of(TEXT), 6),
            proptest::option::of(TEXT),
            proptest::option::of(value()),
            proptest::option::of(value()),
            proptest::bool::ANY,
            TEXT,
        )
            .prop_map(|(kind, key, field, from, to, lock, reason)| {
                Operation::new(
                    OpKind::ALL[kind],
                    OpKey {
                        codice_fiscale: key[0].as_deref().map(Into::into),
                        id_sidi: key[1].as_deref().map(Into::into),
                        id_locale: key[2].as_deref().map(Into::into),
                        sede: key[3].as_deref().map(Into::into),
                        anno: key[4].as_deref().map(Into::into),
                        sezione: key[5].as_deref().map(Into::into),
                    },
                    field.as_deref(),
                    from,
                    to,
                    lock,
                    reason,
                )
            })
    }

    /// Text with every kind of character JSON or CSV treats apart: quotes,
    /// backslashes, each control character (CR and LF among them), DEL,
    /// `;`, the flattening's `|` and `=`, accents, wide characters.
    const TEXT: &str = "[a-zA-Z0-9 \"\\\\\u{0}-\u{1f}\u{7f}àèìòùÀ€\u{2028}\u{1F600}|=;<>&]{0,12}";

    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            TEXT.prop_map(Value::text),
            proptest::collection::vec(TEXT, 0..4)
                .prop_map(|l| Value::List(l.into_iter().map(Into::into).collect())),
            proptest::collection::vec((TEXT, TEXT), 0..4).prop_map(|m| Value::Map(
                m.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
            )),
        ]
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
