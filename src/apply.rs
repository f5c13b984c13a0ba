//! Applying a patch to a local export: the reference importer.
//!
//! Every operation checks its precondition (`from`) against the local
//! export: when it holds the operation is applied; when the target state
//! (`to`) already holds it is "already applied" (so applying a patch twice
//! changes nothing the second time); otherwise it is a [`Conflict`],
//! reported and not applied. Nothing else stops the run.
//!
//! Semantics per kind (see docs/sync.md):
//! - `insert_student`: a new row with the `id_locale` of the key (the engine
//!   derives `SIDI-<id SIDI>`), every SIDI field locked; its class is added
//!   to the local classes if missing.
//! - `update_field`: sets the field; `lock: true` adds it to `BLOCCATI`.
//! - `link_student`: sets `ID_ALUNNO_SIDI`.
//! - `move_student`: sets the class and takes the class's local codes.
//! - `lock_fields`: precondition "the fields in `from` are still locked";
//!   adds the fields of `to`.
//! - `create_class` / `update_class`: add / change a class (an update also
//!   rewrites the codes on the class's pupils).
//! - `withdraw_student`: removes the row (the local package imports the
//!   missing row as a withdrawal); a row already gone is "already applied".
//! - `remove_class`: removes the class; a conflict while pupils remain in it.
//!
//! A patch for another school is refused ([`Error`], nothing written): the
//! `manifest.json` next to `patch.jsonl`, when present, must list the
//! patch's SHA-256, and its sedi must overlap the local export's; without
//! a manifest the sedi named by the patch's class operations are used.
//! Every line's `id` must match its content.

use crate::error::{Error, Message, Result};
use crate::model::{
    ClassKey, CompactString, Field, FieldSet, LocalClass, LocalExport, LocalPupil, Origin,
};
use crate::read::profile::{EncodingChoice, Profile};
use crate::sync::engine::local_value;
use crate::sync::ops::{Entity, OpKey, OpKind, Operation, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An operation whose precondition did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub id: String,
    pub op: OpKind,
    /// `id_locale` or class key.
    pub record: String,
    /// Why, as a key of the message catalogue
    /// ([`crate::messages::conflict_template`]).
    pub reason: &'static str,
    /// The values of the reason's placeholders (`field`, `from`, `found`):
    /// what was expected and what was found (no personal data beyond the
    /// values the patch itself carries).
    pub params: Vec<(&'static str, String)>,
}

impl Conflict {
    /// What was expected and what was found, in `lang`.
    pub fn message(&self, lang: crate::messages::Lang) -> String {
        let (it, en) = crate::messages::conflict_template(self.reason);
        let params: Vec<(&str, &str)> = self.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::messages::fill(lang.pick(it, en), &params)
    }
}

/// The result of applying operations.
#[derive(Clone, Debug, Default)]
pub struct ApplyResult {
    pub export: LocalExport,
    pub applied: Vec<(OpKind, usize)>,
    pub already_applied: usize,
    pub conflicts: Vec<Conflict>,
}

impl ApplyResult {
    pub fn applied_total(&self) -> usize {
        self.applied.iter().map(|(_, n)| n).sum()
    }
}

/// A patch read from disk.
#[derive(Clone, Debug, Default)]
pub struct Patch {
    pub file: String,
    pub ops: Vec<Operation>,
    /// `school.sedi` of the manifest next to the patch, when there is one.
    pub manifest_sedi: Option<Vec<String>>,
    pub codice_scuola: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: CompactString,
    op: String,
    entity: String,
    key: OpKeyIn,
    field: Option<CompactString>,
    from: Option<Value>,
    to: Option<Value>,
    lock: bool,
    reason: CompactString,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OpKeyIn {
    codice_fiscale: Option<CompactString>,
    id_sidi: Option<CompactString>,
    id_locale: Option<CompactString>,
    sede: Option<CompactString>,
    anno: Option<CompactString>,
    sezione: Option<CompactString>,
}

/// Parses one `patch.jsonl` line; its `id` must match its content.
pub fn parse_op(file: &str, line: u32, text: &str) -> Result<Operation> {
    let bad = |it: &str, en: &str| Error::input(file, line, Message::new(it, en));
    let l: Line =
        serde_json::from_str(text).map_err(|e| Error::input(file, line, e.to_string()))?;
    let op = OpKind::from_name(&l.op).ok_or_else(|| bad("\"op\" sconosciuto", "unknown \"op\""))?;
    if Entity::from_name(&l.entity) != Some(op.entity()) {
        return Err(bad(
            "\"entity\" non corrisponde a \"op\"",
            "\"entity\" does not fit \"op\"",
        ));
    }
    let k = l.key;
    let key = OpKey {
        codice_fiscale: k.codice_fiscale,
        id_sidi: k.id_sidi,
        id_locale: k.id_locale,
        sede: k.sede,
        anno: k.anno,
        sezione: k.sezione,
    };
    match op.entity() {
        Entity::Student if key.id_locale.is_none() => {
            return Err(bad(
                "un'operazione su un alunno richiede key.id_locale",
                "a student operation needs key.id_locale",
            ))
        }
        Entity::Class if key.sede.is_none() || key.sezione.is_none() => {
            return Err(bad(
                "un'operazione su una classe richiede key.sede, key.anno, key.sezione",
                "a class operation needs key.sede, key.anno, key.sezione",
            ))
        }
        _ => {}
    }
    let op = Operation {
        id: l.id,
        op,
        key,
        field: l.field,
        from: l.from,
        to: l.to,
        lock: l.lock,
        reason: l.reason,
    };
    if op.derive_id() != op.id {
        return Err(bad(
            "\"id\" non corrisponde all'operazione (patch modificata?)",
            "\"id\" does not match the operation (edited patch?)",
        ));
    }
    Ok(op)
}

/// Parses `patch.jsonl` text (empty lines skipped).
pub fn parse_patch(file: &str, text: &str) -> Result<Vec<Operation>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| parse_op(file, n as u32 + 1, l))
        .collect()
}

/// Reads `patch.jsonl` and, when present, the `manifest.json` next to it
/// (whose listed SHA-256 of the patch must match).
pub fn read_patch(path: &Path) -> Result<Patch> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let file = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::input(
            &file,
            0,
            Message::new("patch.jsonl non è UTF-8", "patch.jsonl is not UTF-8"),
        )
    })?;
    let ops = parse_patch(&file, text)?;
    let mut patch = Patch {
        file: file.clone(),
        ops,
        ..Patch::default()
    };
    let mpath = path.with_file_name("manifest.json");
    if mpath.is_file() {
        let mb = std::fs::read(&mpath).map_err(|e| Error::io(&mpath, e))?;
        let mname = mpath.display().to_string();
        let m: serde_json::Value = serde_json::from_slice(&mb)
            .map_err(|e| Error::input(&mname, e.line() as u32, e.to_string()))?;
        let listed = m["outputs"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|f| f["role"] == "patch_jsonl" || f["name"] == "patch.jsonl")
            })
            .and_then(|f| f["sha256"].as_str());
        if listed != Some(crate::util::sha256_hex(&bytes).as_str()) {
            return Err(Error::input(
                &file,
                0,
                Message::new(
                    "patch.jsonl non corrisponde allo SHA-256 indicato in manifest.json (modificato, o di un altro pacchetto)",
                    "patch.jsonl does not match the SHA-256 listed in manifest.json (edited, or from another package)",
                ),
            ));
        }
        patch.manifest_sedi = m["school"]["sedi"].as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        });
        patch.codice_scuola = m["school"]["codice_scuola"].as_str().map(str::to_string);
    }
    Ok(patch)
}

/// Refuses a patch that belongs to another school than `local`.
pub fn check_school(patch: &Patch, local: &LocalExport) -> Result<()> {
    let mut local_sedi: BTreeSet<&str> = BTreeSet::new();
    for p in &local.pupils {
        local_sedi.insert(&p.class.sede);
    }
    for c in &local.classes {
        local_sedi.insert(&c.key.sede);
    }
    local_sedi.remove("");
    let patch_sedi: BTreeSet<String> = match &patch.manifest_sedi {
        Some(s) => s.iter().cloned().collect(),
        None => patch
            .ops
            .iter()
            .flat_map(|o| {
                [
                    o.key.sede.as_ref().map(CompactString::to_string),
                    o.to.as_ref()
                        .and_then(|v| v.get("sede").map(str::to_string)),
                ]
            })
            .flatten()
            .collect(),
    };
    if !local_sedi.is_empty()
        && !patch_sedi.is_empty()
        && !local_sedi.iter().any(|s| patch_sedi.contains(*s))
    {
        let school = patch.codice_scuola.as_deref().unwrap_or("?");
        let theirs = patch_sedi.iter().cloned().collect::<Vec<_>>().join(", ");
        let ours = local_sedi.iter().copied().collect::<Vec<_>>().join(", ");
        let message = Message::new(
            format!(
                "la patch è della scuola {school} (sedi {theirs}), l'export locale ha le sedi {ours}"
            ),
            format!(
                "the patch is for school {school} (sedi {theirs}), the local export has sedi {ours}"
            ),
        );
        return Err(Error::input(&patch.file, 0, message));
    }
    // Student operations must name local pupils (inserted ones aside).
    let ids: HashSet<&str> = local.pupils.iter().map(|p| p.id_locale.as_str()).collect();
    let inserted: HashSet<&str> = patch
        .ops
        .iter()
        .filter(|o| o.op == OpKind::InsertStudent)
        .filter_map(|o| o.key.id_locale.as_deref())
        .collect();
    let mut checked = 0;
    let mut known = 0;
    for o in &patch.ops {
        if o.entity() != Entity::Student
            || matches!(o.op, OpKind::InsertStudent | OpKind::WithdrawStudent)
        {
            continue;
        }
        let id = o.key.id_locale.as_deref().unwrap_or("");
        checked += 1;
        if ids.contains(id) || inserted.contains(id) {
            known += 1;
        }
    }
    if checked > 0 && known == 0 {
        return Err(Error::input(
            &patch.file,
            0,
            Message::new(
                "nessuna operazione della patch riguarda un alunno di questo export locale: è di un'altra scuola",
                "no operation of the patch names a pupil of this local export: it belongs to another school",
            ),
        ));
    }
    Ok(())
}

fn text_of(v: &Option<Value>) -> &str {
    v.as_ref().and_then(Value::as_text).unwrap_or("")
}

fn same_field(f: Field, current: &str, expected: &str) -> bool {
    if f == Field::DataNascita {
        if let (Some(a), Some(b)) = (
            crate::date::Date::parse_iso(current),
            crate::date::Date::parse_iso(expected),
        ) {
            return a == b;
        }
    }
    current.trim() == expected.trim()
}

fn set_field(p: &mut LocalPupil, f: Field, v: &str) {
    let v = v.trim().to_string();
    match f {
        Field::CodiceFiscale => p.codice_fiscale = v.into(),
        Field::Cognome => p.cognome = v.into(),
        Field::Nome => p.nome = v.into(),
        Field::Sesso => p.sesso = v.into(),
        Field::DataNascita => {
            p.data_nascita = crate::date::Date::parse_iso(&v);
            p.data_nascita_raw = v.into();
        }
        Field::LuogoNascita => p.luogo_nascita = v.into(),
        Field::Cittadinanza => p.cittadinanza = v.into(),
    }
}

enum Outcome {
    Applied,
    Already,
    Conflict(&'static str, Vec<(&'static str, String)>),
}

/// A conflict with no detail.
fn conflict(reason: &'static str) -> Outcome {
    Outcome::Conflict(reason, Vec::new())
}

/// A conflict "`field`: expected `from`, found `found`" (no field: the
/// class value of an `update_class`).
fn changed(field: Option<&str>, from: String, found: String) -> Outcome {
    let mut params = vec![("from", from), ("found", found)];
    match field {
        Some(f) => {
            params.push(("field", f.to_string()));
            Outcome::Conflict("field_changed", params)
        }
        None => Outcome::Conflict("value_changed", params),
    }
}

/// Applies `ops` in order to a copy of `local`.
pub fn apply_ops(local: &LocalExport, ops: &[Operation]) -> ApplyResult {
    let mut pupils: Vec<Option<LocalPupil>> = local.pupils.iter().cloned().map(Some).collect();
    let mut classes: Vec<Option<LocalClass>> = local.classes.iter().cloned().map(Some).collect();
    let mut by_id: HashMap<CompactString, usize> = local
        .pupils
        .iter()
        .enumerate()
        .map(|(n, p)| (p.id_locale.clone(), n))
        .collect();
    let mut by_class: HashMap<ClassKey, usize> = HashMap::new();
    for (n, c) in local.classes.iter().enumerate() {
        by_class.entry(c.key.clone()).or_insert(n);
    }
    let patch_origin = Origin::new(&Arc::from("patch.jsonl"), 0, 0);
    let mut res = ApplyResult::default();
    let mut applied: HashMap<OpKind, usize> = HashMap::new();
    for o in ops {
        let id_locale = o.key.id_locale.as_deref().unwrap_or("");
        let outcome = match o.op {
            OpKind::CreateClass => {
                let key = o.key.class_key();
                let t =
                    o.to.as_ref()
                        .and_then(|v| v.get("tempo_scuola"))
                        .unwrap_or("");
                let i = o.to.as_ref().and_then(|v| v.get("indirizzo")).unwrap_or("");
                match by_class.get(&key).and_then(|&n| classes[n].as_ref()) {
                    Some(c) if c.tempo_scuola.trim() == t && c.indirizzo.trim() == i => {
                        Outcome::Already
                    }
                    Some(_) => conflict("class_other_codes"),
                    None => {
                        by_class.insert(key.clone(), classes.len());
                        classes.push(Some(LocalClass {
                            key,
                            tempo_scuola: t.into(),
                            indirizzo: i.into(),
                            origin: patch_origin.clone(),
                        }));
                        Outcome::Applied
                    }
                }
            }
            OpKind::UpdateClass => {
                let key = o.key.class_key();
                let (from, to) = (text_of(&o.from), text_of(&o.to));
                let is_ts = o.field.as_deref() == Some("tempo_scuola");
                match by_class.get(&key).and_then(|&n| classes[n].as_mut()) {
                    None => conflict("class_missing"),
                    Some(c) => {
                        let cur = if is_ts {
                            &mut c.tempo_scuola
                        } else {
                            &mut c.indirizzo
                        };
                        if cur.trim() == from {
                            *cur = to.into();
                            for p in pupils.iter_mut().flatten().filter(|p| p.class == key) {
                                if is_ts {
                                    p.tempo_scuola = to.into();
                                } else {
                                    p.indirizzo = to.into();
                                }
                            }
                            Outcome::Applied
                        } else if cur.trim() == to {
                            Outcome::Already
                        } else {
                            changed(None, format!("{from:?}"), format!("{:?}", cur.trim()))
                        }
                    }
                }
            }
            OpKind::InsertStudent => {
                let to = o.to.as_ref();
                let g = |k: &str| to.and_then(|v| v.get(k)).unwrap_or("").trim().to_string();
                match by_id.get(id_locale).and_then(|&n| pupils[n].as_ref()) {
                    Some(p) if p.cf_key() == g("codice_fiscale") => Outcome::Already,
                    Some(_) => conflict("id_locale_taken"),
                    None => {
                        let class = ClassKey::new(&g("sede"), &g("anno"), &g("sezione"));
                        if !by_class.contains_key(&class) {
                            by_class.insert(class.clone(), classes.len());
                            classes.push(Some(LocalClass {
                                key: class.clone(),
                                tempo_scuola: g("tempo_scuola").into(),
                                indirizzo: g("indirizzo").into(),
                                origin: patch_origin.clone(),
                            }));
                        }
                        let date = g("data_nascita");
                        by_id.insert(id_locale.into(), pupils.len());
                        pupils.push(Some(LocalPupil {
                            id_locale: id_locale.into(),
                            id_sidi: g("id_sidi").into(),
                            codice_fiscale: g("codice_fiscale").into(),
                            cognome: g("cognome").into(),
                            nome: g("nome").into(),
                            sesso: g("sesso").into(),
                            data_nascita: crate::date::Date::parse_iso(&date),
                            data_nascita_raw: date.into(),
                            luogo_nascita: g("luogo_nascita").into(),
                            cittadinanza: g("cittadinanza").into(),
                            class,
                            tempo_scuola: g("tempo_scuola").into(),
                            indirizzo: g("indirizzo").into(),
                            bloccati: if o.lock {
                                FieldSet::all_lockable()
                            } else {
                                FieldSet::default()
                            },
                            origin: patch_origin.clone(),
                        }));
                        Outcome::Applied
                    }
                }
            }
            OpKind::WithdrawStudent => match by_id.get(id_locale).copied() {
                None => Outcome::Already,
                Some(n) => match &pupils[n] {
                    None => Outcome::Already,
                    Some(p)
                        if o.key
                            .codice_fiscale
                            .as_deref()
                            .is_some_and(|cf| cf != p.cf_key()) =>
                    {
                        conflict("cf_changed")
                    }
                    Some(_) => {
                        pupils[n] = None;
                        by_id.remove(id_locale);
                        Outcome::Applied
                    }
                },
            },
            OpKind::RemoveClass => {
                let key = o.key.class_key();
                match by_class.get(&key).copied() {
                    None => Outcome::Already,
                    Some(n) => {
                        if pupils.iter().flatten().any(|p| p.class == key) {
                            conflict("class_not_empty")
                        } else {
                            classes[n] = None;
                            by_class.remove(&key);
                            Outcome::Applied
                        }
                    }
                }
            }
            OpKind::UpdateField
            | OpKind::LinkStudent
            | OpKind::MoveStudent
            | OpKind::LockFields => match by_id.get(id_locale).and_then(|&n| pupils[n].as_mut()) {
                None => conflict("pupil_missing"),
                Some(p) => apply_student(o, p, &by_class, &classes),
            },
        };
        match outcome {
            Outcome::Applied => *applied.entry(o.op).or_default() += 1,
            Outcome::Already => res.already_applied += 1,
            Outcome::Conflict(reason, params) => res.conflicts.push(Conflict {
                id: o.id.to_string(),
                op: o.op,
                record: if o.entity() == Entity::Class {
                    o.key.class_key().to_string()
                } else {
                    id_locale.to_string()
                },
                reason,
                params,
            }),
        }
    }
    res.applied = OpKind::ALL
        .into_iter()
        .map(|k| (k, applied.get(&k).copied().unwrap_or(0)))
        .collect();
    res.export = LocalExport {
        pupils: pupils.into_iter().flatten().collect(),
        classes: classes.into_iter().flatten().collect(),
        classes_declared: true,
        sources: local.sources.clone(),
    };
    res
}

fn apply_student(
    o: &Operation,
    p: &mut LocalPupil,
    by_class: &HashMap<ClassKey, usize>,
    classes: &[Option<LocalClass>],
) -> Outcome {
    match o.op {
        OpKind::UpdateField => {
            let Some(f) = o.field.as_deref().and_then(Field::from_name) else {
                return conflict("unknown_field");
            };
            let cur = local_value(p, f);
            let (from, to) = (text_of(&o.from), text_of(&o.to));
            let lockable = f != Field::CodiceFiscale && o.lock;
            if same_field(f, &cur, to) {
                if lockable && !p.bloccati.contains(f) {
                    p.bloccati.insert(f);
                    return Outcome::Applied;
                }
                Outcome::Already
            } else if same_field(f, &cur, from) {
                set_field(p, f, to);
                if lockable {
                    p.bloccati.insert(f);
                }
                Outcome::Applied
            } else {
                changed(Some(f.name()), format!("{from:?}"), format!("{cur:?}"))
            }
        }
        OpKind::LinkStudent => {
            let (from, to) = (text_of(&o.from), text_of(&o.to));
            let cur = p.id_sidi.trim();
            if cur == to {
                Outcome::Already
            } else if cur == from {
                p.id_sidi = to.into();
                Outcome::Applied
            } else {
                changed(Some("id_sidi"), format!("{from:?}"), format!("{cur:?}"))
            }
        }
        OpKind::MoveStudent => {
            let from = o.from.as_ref().and_then(Value::as_class);
            let to = o.to.as_ref().and_then(Value::as_class);
            let (Some(from), Some(to)) = (from, to) else {
                return conflict("move_needs_classes");
            };
            if p.class == to {
                Outcome::Already
            } else if p.class == from {
                if let Some(c) = by_class.get(&to).and_then(|&n| classes[n].as_ref()) {
                    p.tempo_scuola = c.tempo_scuola.clone();
                    p.indirizzo = c.indirizzo.clone();
                }
                p.class = to;
                Outcome::Applied
            } else {
                changed(Some("class"), from.to_string(), p.class.to_string())
            }
        }
        OpKind::LockFields => {
            let from = o
                .from
                .as_ref()
                .and_then(Value::as_fields)
                .unwrap_or_default();
            let Some(to) = o.to.as_ref().and_then(Value::as_fields) else {
                return conflict("lock_needs_fields");
            };
            if p.bloccati.union(to) == p.bloccati {
                Outcome::Already
            } else if p.bloccati.union(from) == p.bloccati {
                p.bloccati = p.bloccati.union(to);
                Outcome::Applied
            } else {
                conflict("unlocked")
            }
        }
        _ => conflict("not_student_op"),
    }
}

/// Everything `sidisync apply` needs.
#[derive(Clone, Debug)]
pub struct ApplyConfig {
    pub local: PathBuf,
    pub local_classes: Option<PathBuf>,
    /// `DIR/patch.jsonl`
    pub patch: PathBuf,
    /// Folder that receives `alunni_locali.csv` and `classi_locali.csv`.
    pub out: PathBuf,
    pub profile: Profile,
    pub encoding: Option<EncodingChoice>,
}

/// What `apply` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOutcome {
    pub applied: Vec<(OpKind, usize)>,
    pub already_applied: usize,
    pub conflicts: Vec<Conflict>,
    pub out: PathBuf,
}

/// Reads the local export and the patch, checks they belong together,
/// applies, and writes `alunni_locali.csv` and `classi_locali.csv` into
/// `out` (each file replaced atomically; other files in `out` untouched).
pub fn run_apply(cfg: &ApplyConfig) -> Result<ApplyOutcome> {
    let mut layout = cfg.profile.local.clone();
    if let Some(e) = cfg.encoding {
        layout.encoding = e;
    }
    let local = crate::read::local::read_local(&cfg.local, cfg.local_classes.as_deref(), &layout)?;
    let patch = read_patch(&cfg.patch)?;
    check_school(&patch, &local.export)?;
    let res = apply_ops(&local.export, &patch.ops);
    let alunni = crate::write::local::pupils_csv(&res.export, &layout)?;
    let classi = crate::write::local::classes_csv(&res.export, &layout)?;
    std::fs::create_dir_all(&cfg.out).map_err(|e| Error::io(&cfg.out, e))?;
    for (name, bytes) in [("alunni_locali.csv", alunni), ("classi_locali.csv", classi)] {
        write_file_atomically(&cfg.out.join(name), &bytes)?;
    }
    Ok(ApplyOutcome {
        applied: res.applied,
        already_applied: res.already_applied,
        conflicts: res.conflicts,
        out: cfg.out.clone(),
    })
}

/// Writes one file through a temporary file in the same folder + rename.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut t = tempfile::Builder::new()
        .prefix(".sidisync-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    t.write_all(bytes)
        .and_then(|_| t.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    t.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
