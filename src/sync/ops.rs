//! The vocabulary of a plan: operations, review items, excluded records.

use crate::model::{ClassKey, Field, FieldSet, Origin};
use compact_str::CompactString;
use sha2::{Digest, Sha256};

/// What an operation acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Student,
    Class,
}

impl Entity {
    pub fn name(self) -> &'static str {
        match self {
            Entity::Student => "student",
            Entity::Class => "class",
        }
    }
    pub fn from_name(s: &str) -> Option<Entity> {
        match s {
            "student" => Some(Entity::Student),
            "class" => Some(Entity::Class),
            _ => None,
        }
    }
}

/// The kinds of operation, in the order a patch lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    /// A SIDI class absent locally.
    CreateClass,
    /// A class whose mapped tempo scuola / indirizzo differs (one op per field).
    UpdateClass,
    /// A SIDI pupil with no local counterpart and no probable match.
    InsertStudent,
    /// A SIDI-managed field (or the codice fiscale) differs.
    UpdateField,
    /// The local `ID_ALUNNO_SIDI` is empty or different.
    LinkStudent,
    /// The pupil's class (sede, anno, sezione) differs.
    MoveStudent,
    /// Some SIDI-managed fields are not yet in `BLOCCATI`.
    LockFields,
    /// A `local_only` review item accepted by a person.
    WithdrawStudent,
    /// A `class_local_only` review item accepted by a person.
    RemoveClass,
}

impl OpKind {
    pub const ALL: [OpKind; 9] = [
        OpKind::CreateClass,
        OpKind::UpdateClass,
        OpKind::InsertStudent,
        OpKind::UpdateField,
        OpKind::LinkStudent,
        OpKind::MoveStudent,
        OpKind::LockFields,
        OpKind::WithdrawStudent,
        OpKind::RemoveClass,
    ];
    /// Snake case name used in every patch format.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::CreateClass => "create_class",
            OpKind::UpdateClass => "update_class",
            OpKind::InsertStudent => "insert_student",
            OpKind::UpdateField => "update_field",
            OpKind::LinkStudent => "link_student",
            OpKind::MoveStudent => "move_student",
            OpKind::LockFields => "lock_fields",
            OpKind::WithdrawStudent => "withdraw_student",
            OpKind::RemoveClass => "remove_class",
        }
    }
    pub fn from_name(s: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.name() == s)
    }
    pub fn entity(self) -> Entity {
        match self {
            OpKind::CreateClass | OpKind::UpdateClass | OpKind::RemoveClass => Entity::Class,
            _ => Entity::Student,
        }
    }
}

/// The key of an operation: whatever is known of the record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpKey {
    pub codice_fiscale: Option<CompactString>,
    pub id_sidi: Option<CompactString>,
    pub id_locale: Option<CompactString>,
    pub sede: Option<CompactString>,
    pub anno: Option<CompactString>,
    pub sezione: Option<CompactString>,
}

impl OpKey {
    /// The key of a class operation.
    pub fn class(k: &ClassKey) -> OpKey {
        OpKey {
            sede: Some(k.sede.clone()),
            anno: Some(k.anno.clone()),
            sezione: Some(k.sezione.clone()),
            ..OpKey::default()
        }
    }
    /// The class a class operation names (empty parts when absent).
    pub fn class_key(&self) -> ClassKey {
        ClassKey::new(
            self.sede.as_deref().unwrap_or(""),
            self.anno.as_deref().unwrap_or(""),
            self.sezione.as_deref().unwrap_or(""),
        )
    }
    /// `(name, value)` pairs of the known parts, in schema order.
    pub fn parts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("codice_fiscale", &self.codice_fiscale),
            ("id_sidi", &self.id_sidi),
            ("id_locale", &self.id_locale),
            ("sede", &self.sede),
            ("anno", &self.anno),
            ("sezione", &self.sezione),
        ]
        .into_iter()
        .filter_map(|(n, v)| v.as_deref().map(|v| (n, v)))
    }
}

/// A `from` / `to` value. JSON: string, array of strings, object of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(CompactString),
    List(Vec<CompactString>),
    Map(Vec<(CompactString, CompactString)>),
}

impl Value {
    pub fn text(s: impl Into<CompactString>) -> Value {
        Value::Text(s.into())
    }
    /// A class as `{sede, anno, sezione}`.
    pub fn class(k: &ClassKey) -> Value {
        Value::Map(vec![
            ("sede".into(), k.sede.clone()),
            ("anno".into(), k.anno.clone()),
            ("sezione".into(), k.sezione.clone()),
        ])
    }
    /// Field names (snake case) of a set.
    pub fn fields(s: FieldSet) -> Value {
        Value::List(
            s.iter()
                .map(|f| CompactString::const_new(f.name()))
                .collect(),
        )
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    /// The entry `name` of a map value.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self {
            Value::Map(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
    /// A class from a `{sede, anno, sezione}` map.
    pub fn as_class(&self) -> Option<ClassKey> {
        Some(ClassKey::new(
            self.get("sede")?,
            self.get("anno")?,
            self.get("sezione")?,
        ))
    }
    /// A field set from a list of field names.
    pub fn as_fields(&self) -> Option<FieldSet> {
        match self {
            Value::List(l) => {
                let mut s = FieldSet::default();
                for n in l {
                    s.insert(Field::from_name(n)?);
                }
                Some(s)
            }
            _ => None,
        }
    }
    /// Canonical bytes for hashing (unambiguous).
    fn hash_into(&self, h: &mut Sha256) {
        match self {
            Value::Text(s) => {
                h.update(b"T");
                h.update(s.as_bytes());
            }
            Value::List(l) => {
                h.update(b"L");
                for s in l {
                    h.update(s.as_bytes());
                    h.update(b"\x1e");
                }
            }
            Value::Map(m) => {
                h.update(b"M");
                // canonical: by key, whatever order a reader kept
                let mut m: Vec<&(CompactString, CompactString)> = m.iter().collect();
                m.sort();
                for (k, v) in m {
                    h.update(k.as_bytes());
                    h.update(b"=");
                    h.update(v.as_bytes());
                    h.update(b"\x1e");
                }
            }
        }
    }
}

/// One operation of a patch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// First 16 hex digits of the SHA-256 of op, entity, key, field and `to`.
    pub id: CompactString,
    pub op: OpKind,
    pub key: OpKey,
    pub field: Option<CompactString>,
    /// Precondition: the local value the operation expects to find.
    pub from: Option<Value>,
    pub to: Option<Value>,
    /// Whether the field(s) become locked (`BLOCCATI`).
    pub lock: bool,
    /// Stable reason code (see docs/sync.md), e.g. `sidi_value_differs`.
    pub reason: CompactString,
}

impl Operation {
    /// Builds an operation and derives its stable id.
    pub fn new(
        op: OpKind,
        key: OpKey,
        field: Option<&str>,
        from: Option<Value>,
        to: Option<Value>,
        lock: bool,
        reason: impl Into<CompactString>,
    ) -> Operation {
        let mut o = Operation {
            id: CompactString::default(),
            op,
            key,
            field: field.map(CompactString::new),
            from,
            to,
            lock,
            reason: reason.into(),
        };
        o.id = o.derive_id();
        o
    }

    pub fn entity(&self) -> Entity {
        self.op.entity()
    }

    /// The stable id: first 16 hex of SHA-256(op, entity, key, field, to).
    pub fn derive_id(&self) -> CompactString {
        let mut h = Sha256::new();
        h.update(self.op.name().as_bytes());
        h.update(b"\x1f");
        h.update(self.entity().name().as_bytes());
        for (n, v) in self.key.parts() {
            h.update(b"\x1f");
            h.update(n.as_bytes());
            h.update(b"=");
            h.update(v.as_bytes());
        }
        h.update(b"\x1f");
        if let Some(f) = &self.field {
            h.update(f.as_bytes());
        }
        h.update(b"\x1f");
        if let Some(t) = &self.to {
            t.hash_into(&mut h);
        }
        // 16 hex digits: held inline, no allocation, made in one piece
        // (pushed one by one, they took 28 M of the 540 M instructions of
        // validating and planning the 60,000-pupil school)
        let mut hex = [0u8; 16];
        for (d, &b) in hex.chunks_exact_mut(2).zip(&h.finalize()[..8]) {
            d.copy_from_slice(&crate::util::hex_byte(b));
        }
        CompactString::from_utf8(&hex[..]).unwrap_or_default()
    }
}

/// The kinds of guided (review) items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewKind {
    CfMismatch,
    LocalOnly,
    ClassLocalOnly,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 3] = [
        ReviewKind::CfMismatch,
        ReviewKind::LocalOnly,
        ReviewKind::ClassLocalOnly,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ReviewKind::CfMismatch => "cf_mismatch",
            ReviewKind::LocalOnly => "local_only",
            ReviewKind::ClassLocalOnly => "class_local_only",
        }
    }
    pub fn from_name(s: &str) -> Option<ReviewKind> {
        let s = s.trim();
        ReviewKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
    }
}

/// What a review item is about, for the sheet and the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewDetail {
    /// A SIDI pupil unmatched by codice fiscale, and a local pupil with the
    /// same cognome, nome and data di nascita but another codice fiscale.
    CfMismatch {
        sidi_cf: String,
        id_sidi: String,
        local_cf: String,
        cognome: String,
        nome: String,
        /// `dd/mm/yyyy`
        data_nascita: String,
        local_class: ClassKey,
        sidi_class: Option<ClassKey>,
    },
    /// A local pupil absent from SIDI.
    LocalOnly {
        cognome: String,
        nome: String,
        class: ClassKey,
    },
    /// A local class absent from SIDI.
    ClassLocalOnly { class: ClassKey, pupils: usize },
}

/// One guided item (a row of `review.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewItem {
    /// `R` + 16 hex digits of a SHA-256 of the kind and the records involved
    /// (the letter keeps spreadsheets from reading it as a number).
    pub id: String,
    pub kind: ReviewKind,
    pub codice_fiscale: String,
    pub id_locale: String,
    pub detail: ReviewDetail,
}

/// A review id: `R` + 16 hex of SHA-256 over the parts.
pub fn review_id(kind: ReviewKind, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(kind.name().as_bytes());
    for p in parts {
        h.update(b"\x1f");
        h.update(p.as_bytes());
    }
    format!(
        "R{}",
        crate::util::hex(&h.finalize()[..8]).to_ascii_uppercase()
    )
}

/// A SIDI record kept out of the sync because of an error finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excluded {
    pub entity: Entity,
    /// Pupil identity (id SIDI, else codice fiscale) or class key.
    pub record: String,
    pub origin: Option<Origin>,
    /// The error codes, sorted, deduplicated.
    pub codes: Vec<&'static str>,
}

/// An operation the engine did not emit because its class is excluded,
/// unmapped or undeclared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldBack {
    pub op: OpKind,
    /// Pupil identity (id SIDI, else codice fiscale).
    pub record: String,
    pub class: ClassKey,
    /// `class_excluded`, `code_unmapped`, `class_undeclared`.
    pub reason: &'static str,
}

/// A review decision answered `RIFIUTA`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedDecision {
    pub id: String,
    pub kind: ReviewKind,
    pub line: u32,
}

impl<'de> serde::Deserialize<'de> for Value {
    /// A string, an array of strings or an object of strings (order kept).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, an array of strings or an object of strings")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Value, E> {
                Ok(Value::Text(s.into()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = a.next_element::<CompactString>()? {
                    v.push(s);
                }
                Ok(Value::List(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut v = Vec::new();
                while let Some((k, s)) = a.next_entry::<CompactString, CompactString>()? {
                    v.push((k, s));
                }
                Ok(Value::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::{OpKind, ReviewKind};

    /// `Plan::op_counts` and `review_counts` index their tallies by
    /// `kind as usize`: `ALL` must list the kinds in declaration order.
    #[test]
    fn all_lists_kinds_in_declaration_order() {
        for (i, k) in OpKind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i, "{k:?}");
        }
        for (i, k) in ReviewKind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i, "{k:?}");
        }
    }
}
