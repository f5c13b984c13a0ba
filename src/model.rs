//! The typed model of one school's SIDI export and of its local export.
//!
//! A [`SidiExport`] is what every reader produces, whatever the form (XML or
//! CSV, plain or zipped, any encoding or profile). A [`LocalExport`] is what
//! the school's local package exported. Every record keeps its [`Origin`] so
//! that a finding can name the file and line a secretary must look at.
//!
//! Text fields are kept as read (trimmed); values that do not parse are kept
//! raw next to the parsed form so a finding can quote them and nothing is lost.
//! The short fields of pupils, frequenze and classes are [`CompactString`]s:
//! up to 24 bytes (a codice fiscale, a name, a date, a code) are held inline,
//! so a school's model is not hundreds of thousands of tiny allocations. It
//! derefs to `&str`, compares with `&str` and `String`, and converts with
//! `.into()` / `.to_string()`.

use crate::date::Date;
pub use compact_str::CompactString;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Where a record came from: file (as the user named it, with `zip!entry`
/// for archive members), 1-based line and, for XML, column (0 when unknown).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Origin {
    pub fn new(file: &Arc<str>, line: u32, column: u32) -> Origin {
        Origin {
            file: Arc::clone(file),
            line,
            column,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (l, 0) => write!(f, "{}:{}", self.file, l),
            (l, c) => write!(f, "{}:{}:{}", self.file, l, c),
        }
    }
}

/// School order (`ordine`): infanzia, primaria, secondaria I and II grado.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ordine {
    /// `AA` scuola dell'infanzia
    Infanzia,
    /// `EE` scuola primaria
    Primaria,
    /// `MM` secondaria di I grado
    SecondariaPrimo,
    /// `SS` secondaria di II grado
    SecondariaSecondo,
}

impl Ordine {
    /// Parses the SIDI code `AA`, `EE`, `MM`, `SS`.
    pub fn from_code(s: &str) -> Option<Ordine> {
        match s.trim() {
            "AA" => Some(Ordine::Infanzia),
            "EE" => Some(Ordine::Primaria),
            "MM" => Some(Ordine::SecondariaPrimo),
            "SS" => Some(Ordine::SecondariaSecondo),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Ordine::Infanzia => "AA",
            Ordine::Primaria => "EE",
            Ordine::SecondariaPrimo => "MM",
            Ordine::SecondariaSecondo => "SS",
        }
    }
    /// The valid range of anno di corso; infanzia may have none (0 stands for "none").
    pub fn anno_range(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Ordine::Infanzia => 0..=3,
            Ordine::Primaria => 1..=5,
            Ordine::SecondariaPrimo => 1..=3,
            Ordine::SecondariaSecondo => 1..=6,
        }
    }
    /// Usual age (turned during the calendar year the school year starts in)
    /// for anno 1; infanzia counts anno 1 as the 3-year-olds.
    pub fn first_year_age(self) -> i32 {
        match self {
            Ordine::Infanzia => 3,
            Ordine::Primaria => 6,
            Ordine::SecondariaPrimo => 11,
            Ordine::SecondariaSecondo => 14,
        }
    }
}

/// The kind of ministry code a school declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeKind {
    TempoScuola,
    Indirizzo,
}

impl CodeKind {
    /// The `TIPO` value of `codifiche.csv`.
    pub fn from_tipo(s: &str) -> Option<CodeKind> {
        match s.trim().to_ascii_uppercase().as_str() {
            "TEMPO_SCUOLA" => Some(CodeKind::TempoScuola),
            "INDIRIZZO" => Some(CodeKind::Indirizzo),
            _ => None,
        }
    }
    pub fn tipo(self) -> &'static str {
        match self {
            CodeKind::TempoScuola => "TEMPO_SCUOLA",
            CodeKind::Indirizzo => "INDIRIZZO",
        }
    }
}

/// The export's header (`Intestazione`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    /// Codice meccanografico of the istituzione principale.
    pub codice_scuola: String,
    /// `2025/26`
    pub anno_scolastico: String,
    /// Extraction time as written (ISO date-time in the XML form).
    pub data_estrazione: String,
    pub origin: Option<Origin>,
}

/// A code declared in `Codifiche` / `codifiche.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeclaredCode {
    pub kind: CodeKind,
    pub codice: String,
    /// Raw ordine as written (`EE`…); parsed with [`Ordine::from_code`].
    pub ordine: String,
    pub descrizione: String,
    pub origin: Origin,
}

/// A sede (plesso / punto di erogazione).
#[derive(Clone, Debug, PartialEq)]
pub struct Sede {
    pub codice: String,
    pub ordine: String,
    pub comune: String,
    pub denominazione: String,
    pub origin: Origin,
}

/// The identity of a class inside one school: (sede, anno di corso, sezione).
/// `anno` is kept as written, trimmed, with leading zeros removed; empty
/// for infanzia sections without an anno.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassKey {
    pub sede: CompactString,
    pub anno: CompactString,
    pub sezione: CompactString,
}

impl ClassKey {
    pub fn new(sede: &str, anno: &str, sezione: &str) -> ClassKey {
        let (sede, anno, sezione) = class_parts(sede, anno, sezione);
        ClassKey {
            sede: CompactString::new(sede),
            anno: CompactString::new(anno),
            sezione: CompactString::new(sezione),
        }
    }
    /// Anno di corso as a number, `None` when empty or not a number.
    pub fn anno_num(&self) -> Option<u8> {
        self.anno.parse().ok()
    }
}

impl fmt::Display for ClassKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}{}", self.sede, self.anno, self.sezione)
    }
}

/// The parts of a class identity in [`ClassKey::new`]'s normal form (sede
/// trimmed and in ASCII upper case, anno see [`normalize_anno`], sezione
/// trimmed and in upper case), borrowed where a part already is in it (every
/// key the readers and the engine make): look-ups by parts need no copies.
pub fn class_parts<'a>(
    sede: &'a str,
    anno: &'a str,
    sezione: &'a str,
) -> (Cow<'a, str>, Cow<'a, str>, Cow<'a, str>) {
    let sezione = sezione.trimmed();
    let sezione = if sezione
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_lowercase())
    {
        Cow::Owned(sezione.to_uppercase())
    } else {
        Cow::Borrowed(sezione)
    };
    (
        matching_key(sede),
        Cow::Borrowed(normalize_anno(anno)),
        sezione,
    )
}

/// Trims an anno di corso and drops leading zeros (`"01"` -> `"1"`).
pub fn normalize_anno(s: &str) -> &str {
    let t = s.trimmed();
    // (a byte loop: `trim_start_matches('0')` goes through the general
    // character searcher, a noticeable cost on every local row)
    let zeros = t.bytes().take_while(|&b| b == b'0').count();
    let z = &t[zeros..];
    if z.is_empty() && !t.is_empty() {
        "0"
    } else {
        z
    }
}

/// A class declared by the SIDI export.
#[derive(Clone, Debug, PartialEq)]
pub struct Classe {
    pub key: ClassKey,
    /// Ministry tempo scuola code (may be empty).
    pub tempo_scuola: CompactString,
    /// Ministry indirizzo code (secondaria II grado; may be empty).
    pub indirizzo: CompactString,
    pub origin: Origin,
}

/// AdE state of a codice fiscale on SIDI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CfState {
    /// `V` validato by Agenzia delle Entrate
    Validato,
    /// `N` non validato
    NonValidato,
    /// `P` provvisorio
    Provvisorio,
}

impl CfState {
    pub fn from_code(s: &str) -> Option<CfState> {
        match s.trim() {
            "V" | "v" => Some(CfState::Validato),
            "N" | "n" => Some(CfState::NonValidato),
            "P" | "p" => Some(CfState::Provvisorio),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            CfState::Validato => "V",
            CfState::NonValidato => "N",
            CfState::Provvisorio => "P",
        }
    }
}

/// A frequenza: the pupil's attendance of one class from a date.
#[derive(Clone, Debug, PartialEq)]
pub struct Frequenza {
    pub class: ClassKey,
    /// `dal` as written.
    pub dal_raw: CompactString,
    pub dal: Option<Date>,
    /// `FREQUENTANTE`, `TRASFERITO`, `RITIRATO`, `INTERROTTO`.
    pub stato: CompactString,
    pub origin: Origin,
}

impl Frequenza {
    pub fn is_attending(&self) -> bool {
        // SIDI writes it in capitals: compared in one piece first, letter
        // by letter only otherwise (asked for each pupil several times:
        // plan, validation, report)
        let s = self.stato.as_bytes();
        s == b"FREQUENTANTE" || s.eq_ignore_ascii_case(b"FREQUENTANTE")
    }
}

/// A pupil as certified on SIDI.
#[derive(Clone, Debug, PartialEq)]
pub struct Pupil {
    pub id_sidi: CompactString,
    /// As written, trimmed (not upper-cased: validation reports lower case).
    pub codice_fiscale: CompactString,
    /// `stato` attribute / `STATO_CF` as written.
    pub stato_cf: CompactString,
    pub cognome: CompactString,
    pub nome: CompactString,
    pub sesso: CompactString,
    pub data_nascita_raw: CompactString,
    pub data_nascita: Option<Date>,
    pub luogo_nascita: CompactString,
    pub cittadinanza: CompactString,
    pub frequenze: Vec<Frequenza>,
    pub origin: Origin,
}

/// [`str::trim`], answered without decoding characters when the text
/// starts and ends with ASCII characters that are not blank, as the fields
/// the readers produce do (hundreds of thousands of trims per school).
pub trait Trimmed {
    /// The text without leading and trailing whitespace, as [`str::trim`].
    fn trimmed(&self) -> &str;
}

impl Trimmed for str {
    #[inline]
    fn trimmed(&self) -> &str {
        // ASCII whitespace (as `char::is_whitespace`) is 0x09-0x0D and 0x20;
        // a byte above 0x7F may belong to a wider blank (U+00A0, U+3000…)
        let plain = |b: u8| b > b' ' && b < 0x80;
        match self.as_bytes() {
            [] => self,
            [a, .., z] if plain(*a) && plain(*z) => self,
            [a] if plain(*a) => self,
            _ => self.trim(),
        }
    }
}

/// A code as a matching key: trimmed, ASCII upper case; borrowed when the
/// text already is one (the usual case: no allocation).
pub fn matching_key(s: &str) -> Cow<'_, str> {
    let t = s.trimmed();
    if has_ascii_lowercase(t.as_bytes()) {
        Cow::Owned(t.to_ascii_uppercase())
    } else {
        Cow::Borrowed(t)
    }
}

/// Whether `b` holds an ASCII lower-case letter: eight bytes at a time (a
/// codice fiscale is two words), the last few one by one.
fn has_ascii_lowercase(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    // Each byte's low seven bits plus a bias set its high bit from a
    // threshold on (no carry into the next byte: at most 0x7F + 0x1F);
    // a letter is at least `a`, not above `z`, and below 0x80.
    let word = |w: u64| {
        let low = w & !HIGH;
        let from_a = low + ONES * (0x80 - u64::from(b'a'));
        let past_z = low + ONES * (0x80 - u64::from(b'z') - 1);
        from_a & !past_z & !w & HIGH != 0
    };
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if word(u64::from_le_bytes(w)) {
            return true;
        }
    }
    words.remainder().iter().any(u8::is_ascii_lowercase)
}

impl Pupil {
    /// The codice fiscale used as matching key: trimmed and upper-cased
    /// (see [`matching_key`]).
    pub fn cf_key(&self) -> String {
        matching_key(&self.codice_fiscale).into_owned()
    }
    /// A short identity for messages: id SIDI, else codice fiscale.
    pub fn identity(&self) -> String {
        if !self.id_sidi.is_empty() {
            self.id_sidi.to_string()
        } else {
            self.cf_key()
        }
    }
    /// The frequenza that places the pupil in a class now: the attending one
    /// with the latest start date (the last one read on ties).
    pub fn current_frequenza(&self) -> Option<&Frequenza> {
        self.frequenze
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_attending())
            .max_by_key(|(i, f)| (f.dal, *i))
            .map(|(_, f)| f)
    }
    /// Adds a frequenza. The list grows one at a time: almost every pupil
    /// has one or two, and `Vec::push` on an empty list would reserve room
    /// for four (a 60,000-pupil school then carries 27 MB of empty slots).
    pub fn add_frequenza(&mut self, f: Frequenza) {
        self.frequenze.reserve_exact(1);
        self.frequenze.push(f);
    }
}

/// One school's SIDI export, whatever form it was read from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SidiExport {
    pub header: Header,
    pub codes: Vec<DeclaredCode>,
    pub sedi: Vec<Sede>,
    pub classes: Vec<Classe>,
    pub pupils: Vec<Pupil>,
    /// Which form it was read from (`xml`, `csv`) and the files read, for the manifest.
    pub form: ExportForm,
    pub sources: Vec<SourceFile>,
}

/// The form an export was read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportForm {
    #[default]
    Xml,
    Csv,
}

/// A file that was read, with the bytes' SHA-256 for the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// The SIDI-managed, lockable fields of a pupil, in FORMATS.md order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    CodiceFiscale,
    Cognome,
    Nome,
    Sesso,
    DataNascita,
    LuogoNascita,
    Cittadinanza,
}

impl Field {
    /// Every field, in canonical order: the codice fiscale, then the
    /// lockable ones (the order of patches, `BLOCCATI` and reports).
    pub const ALL: [Field; 7] = [
        Field::CodiceFiscale,
        Field::Cognome,
        Field::Nome,
        Field::Sesso,
        Field::DataNascita,
        Field::LuogoNascita,
        Field::Cittadinanza,
    ];
    /// The lockable set, in order: [`Field::ALL`] after the codice fiscale
    /// (the key, which is not lockable).
    pub const LOCKABLE: [Field; 6] = {
        let mut l = [Field::Cognome; 6];
        let mut i = 0;
        while i < l.len() {
            l[i] = Field::ALL[i + 1];
            i += 1;
        }
        l
    };
    /// Snake case name used in patches.
    pub fn name(self) -> &'static str {
        match self {
            Field::CodiceFiscale => "codice_fiscale",
            Field::Cognome => "cognome",
            Field::Nome => "nome",
            Field::Sesso => "sesso",
            Field::DataNascita => "data_nascita",
            Field::LuogoNascita => "luogo_nascita",
            Field::Cittadinanza => "cittadinanza",
        }
    }
    /// Column name of the local layout (`BLOCCATI` uses these).
    pub fn column(self) -> &'static str {
        match self {
            Field::CodiceFiscale => "CODICE_FISCALE",
            Field::Cognome => "COGNOME",
            Field::Nome => "NOME",
            Field::Sesso => "SESSO",
            Field::DataNascita => "DATA_NASCITA",
            Field::LuogoNascita => "LUOGO_NASCITA",
            Field::Cittadinanza => "CITTADINANZA",
        }
    }
    pub fn from_name(s: &str) -> Option<Field> {
        let s = s.trim();
        Field::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s) || f.column().eq_ignore_ascii_case(s))
    }
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Field`]s (the `BLOCCATI` column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldSet(u8);

impl FieldSet {
    pub fn all_lockable() -> FieldSet {
        let mut s = FieldSet::default();
        for f in Field::LOCKABLE {
            s.insert(f);
        }
        s
    }
    pub fn insert(&mut self, f: Field) {
        self.0 |= f.bit();
    }
    pub fn contains(self, f: Field) -> bool {
        self.0 & f.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn union(self, o: FieldSet) -> FieldSet {
        FieldSet(self.0 | o.0)
    }
    /// Fields in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| self.contains(*f))
    }
    /// `COGNOME|NOME|…` in canonical order (the `BLOCCATI` spelling).
    pub fn to_bloccati(self) -> String {
        self.iter().map(Field::column).collect::<Vec<_>>().join("|")
    }
}

/// A pupil of the local export (FORMATS.md section 2).
#[derive(Clone, Debug, PartialEq)]
pub struct LocalPupil {
    pub id_locale: CompactString,
    pub id_sidi: CompactString,
    pub codice_fiscale: CompactString,
    pub cognome: CompactString,
    pub nome: CompactString,
    pub sesso: CompactString,
    pub data_nascita_raw: CompactString,
    pub data_nascita: Option<Date>,
    pub luogo_nascita: CompactString,
    pub cittadinanza: CompactString,
    pub class: ClassKey,
    /// Local codes.
    pub tempo_scuola: CompactString,
    pub indirizzo: CompactString,
    pub bloccati: FieldSet,
    pub origin: Origin,
}

impl LocalPupil {
    /// The codice fiscale used as matching key (see [`matching_key`]).
    pub fn cf_key(&self) -> String {
        matching_key(&self.codice_fiscale).into_owned()
    }
}

/// A class of the local export (`classi_locali.csv`, or derived from pupils).
#[derive(Clone, Debug, PartialEq)]
pub struct LocalClass {
    pub key: ClassKey,
    pub tempo_scuola: CompactString,
    pub indirizzo: CompactString,
    pub origin: Origin,
}

/// The school's local export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LocalExport {
    pub pupils: Vec<LocalPupil>,
    pub classes: Vec<LocalClass>,
    /// Whether `classes` came from a `classi_locali.csv` (else derived from pupils).
    pub classes_declared: bool,
    pub sources: Vec<SourceFile>,
}

/// The local pupils by the keys SIDI's pupils are matched on: for each
/// codice fiscale (as [`matching_key`]) and each id SIDI (trimmed), the
/// first local pupil that has it, as an index into [`LocalExport::pupils`];
/// empty keys are left out.
///
/// The local reader builds it while it reads, with each row at hand (it
/// looks for repeated codici fiscali anyway); [`LocalIndex::of`] builds it
/// for any export. The tables hold positions only (4 bytes a pupil, the keys
/// are the pupils' own fields), so every look-up is given the export the
/// index describes; an index is only used with that export
/// ([`LocalIndex::fits`] checks its size).
#[derive(Clone, Debug, Default)]
pub struct LocalIndex {
    by_cf: crate::util::Positions,
    by_id_sidi: crate::util::Positions,
    pupils: usize,
}

/// A local pupil's key in [`LocalIndex`]'s codice fiscale table.
fn cf_key(l: &LocalPupil) -> Cow<'_, str> {
    matching_key(&l.codice_fiscale)
}

/// A local pupil's key in [`LocalIndex`]'s id SIDI table.
fn id_sidi_key(l: &LocalPupil) -> Cow<'_, str> {
    Cow::Borrowed(l.id_sidi.trimmed())
}

/// The key of position `i` of `ps` (empty past its end).
fn key_at<'p>(
    ps: &'p [LocalPupil],
    key: fn(&LocalPupil) -> Cow<'_, str>,
    i: usize,
) -> Cow<'p, str> {
    ps.get(i).map_or(Cow::Borrowed(""), key)
}

impl LocalIndex {
    /// The index of `local`'s pupils (the two tables built side by side).
    pub fn of(local: &LocalExport) -> LocalIndex {
        let ps = &local.pupils[..];
        let build = |key: fn(&LocalPupil) -> Cow<'_, str>| {
            let mut t = crate::util::Positions::with_capacity(ps.len());
            for (j, l) in ps.iter().enumerate() {
                LocalIndex::first(&mut t, ps, key, &key(l), j);
            }
            t
        };
        let (by_cf, by_id_sidi) = rayon::join(|| build(cf_key), || build(id_sidi_key));
        LocalIndex {
            by_cf,
            by_id_sidi,
            pupils: ps.len(),
        }
    }

    /// An empty index with room for `n` pupils.
    pub(crate) fn with_capacity(n: usize) -> LocalIndex {
        LocalIndex {
            by_cf: crate::util::Positions::with_capacity(n),
            by_id_sidi: crate::util::Positions::with_capacity(n),
            pupils: 0,
        }
    }

    /// Adds the pupil that follows `before` (the pupils added so far), with
    /// its codice fiscale and id SIDI as the model will hold them; gives
    /// back the earlier pupil with the same codice fiscale when there is one.
    pub(crate) fn push(
        &mut self,
        before: &[LocalPupil],
        codice_fiscale: &str,
        id_sidi: &str,
    ) -> Option<usize> {
        let j = self.pupils;
        debug_assert_eq!(j, before.len());
        self.pupils += 1;
        LocalIndex::first(
            &mut self.by_id_sidi,
            before,
            id_sidi_key,
            id_sidi.trimmed(),
            j,
        );
        LocalIndex::first(
            &mut self.by_cf,
            before,
            cf_key,
            &matching_key(codice_fiscale),
            j,
        )
    }

    /// Records `j` under `key` in table `t` unless the key is empty or an
    /// earlier pupil of `ps` has it; that pupil, if any.
    fn first(
        t: &mut crate::util::Positions,
        ps: &[LocalPupil],
        key: fn(&LocalPupil) -> Cow<'_, str>,
        k: &str,
        j: usize,
    ) -> Option<usize> {
        if k.is_empty() {
            return None;
        }
        t.first(k, j, |i| key_at(ps, key, i))
    }

    /// The first pupil of `local` (the export this index describes) with
    /// the codice fiscale `key` (a [`matching_key`]).
    pub fn by_cf(&self, local: &LocalExport, key: &str) -> Option<usize> {
        self.by_cf.find(key, |i| key_at(&local.pupils, cf_key, i))
    }

    /// The first pupil of `local` (the export this index describes) with
    /// the id SIDI `id` (trimmed).
    pub fn by_id_sidi(&self, local: &LocalExport, id: &str) -> Option<usize> {
        self.by_id_sidi
            .find(id, |i| key_at(&local.pupils, id_sidi_key, i))
    }

    /// Whether the index may describe `local` (it has as many pupils).
    pub fn fits(&self, local: &LocalExport) -> bool {
        self.pupils == local.pupils.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Trimmed;

    #[test]
    fn anno_without_leading_zeros() {
        for (raw, want) in [
            ("01", "1"),
            (" 001 ", "1"),
            ("10", "10"),
            ("0", "0"),
            ("000", "0"),
            ("", ""),
            ("  ", ""),
            ("0A", "A"),
        ] {
            assert_eq!(super::normalize_anno(raw), want, "{raw:?}");
        }
    }

    fn local_pupil(id_sidi: &str, cf: &str) -> super::LocalPupil {
        super::LocalPupil {
            id_locale: "L".into(),
            id_sidi: id_sidi.into(),
            codice_fiscale: cf.into(),
            cognome: "C".into(),
            nome: "N".into(),
            sesso: "F".into(),
            data_nascita_raw: "".into(),
            data_nascita: None,
            luogo_nascita: "".into(),
            cittadinanza: "".into(),
            class: super::ClassKey::new("S", "1", "A"),
            tempo_scuola: "".into(),
            indirizzo: "".into(),
            bloccati: super::FieldSet::default(),
            origin: super::Origin::new(&std::sync::Arc::from("l.csv"), 2, 0),
        }
    }

    #[test]
    fn local_index_gives_the_first_pupil_with_a_key() {
        use super::{LocalExport, LocalIndex};
        let pupils = vec![
            local_pupil(" 11 ", "rssmra80a01h501u"),
            local_pupil("", ""),
            local_pupil("11", "RSSMRA80A01H501U"),
            local_pupil("22", " VRDLGU80A01H501X "),
            local_pupil("", "   "),
        ];
        let local = LocalExport {
            pupils: pupils.clone(),
            ..LocalExport::default()
        };
        // built at once, or pupil by pupil as the reader does
        let mut pushed = LocalIndex::with_capacity(1);
        for (j, p) in pupils.iter().enumerate() {
            let earlier = pushed.push(&pupils[..j], &p.codice_fiscale, &p.id_sidi);
            assert_eq!(earlier, (j == 2).then_some(0), "pupil {j}");
        }
        for ix in [LocalIndex::of(&local), pushed] {
            assert!(ix.fits(&local));
            assert_eq!(ix.by_cf(&local, "RSSMRA80A01H501U"), Some(0));
            assert_eq!(ix.by_cf(&local, "VRDLGU80A01H501X"), Some(3));
            // keys are matching keys: looked up as given
            assert_eq!(ix.by_cf(&local, "rssmra80a01h501u"), None);
            assert_eq!(ix.by_cf(&local, ""), None);
            assert_eq!(ix.by_id_sidi(&local, "11"), Some(0));
            assert_eq!(ix.by_id_sidi(&local, "22"), Some(3));
            assert_eq!(ix.by_id_sidi(&local, ""), None);
            assert_eq!(ix.by_id_sidi(&local, "33"), None);
            assert!(!ix.fits(&LocalExport::default()));
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_lowercase_word_by_word(
            b in proptest::collection::vec(
                // mostly the bytes around the thresholds, so that many
                // texts have no lower-case letter
                proptest::prop_oneof![
                    8 => proptest::sample::select(
                        &[b'@', b'A', b'Z', b'[', b'`', b'a', b'z', b'{', b'0', 0x7F, 0x80, 0xE0, 0xE1, 0xFA, 0xFB, 0xFF][..]
                    ),
                    1 => proptest::num::u8::ANY,
                ],
                0..40,
            )
        ) {
            proptest::prop_assert_eq!(
                super::has_ascii_lowercase(&b),
                b.iter().any(u8::is_ascii_lowercase)
            );
        }

        #[test]
        fn trimmed_is_str_trim(s in "[ \t\n\x0B\x0C\r\u{85}\u{A0}\u{3000}a-zàÈ1\x1F]{0,8}") {
            proptest::prop_assert_eq!(s.trimmed(), s.trim());
        }
    }
}
