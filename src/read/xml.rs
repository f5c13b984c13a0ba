//! The XML form of the SIDI export (`FlussoFrequenze`), read with
//! quick-xml's event reader: one pass, no DOM, memory bounded by the model.
//!
//! The declared encoding (UTF-8, windows-1252, ISO-8859-1 read as
//! windows-1252, any ASCII-compatible WHATWG label) is transcoded to UTF-8
//! on the fly by [`Tracked`]; bytes that are not valid in it are an error at
//! their line and column. A DOCTYPE is refused, and so is any entity other
//! than the five predefined ones and character references. Element and
//! attribute names go through [`Profile::xml_name`]; namespace prefixes are
//! ignored; unknown elements and attributes are skipped.

use super::source::{fault_of, Fault, Member, Store, Tracked, SNIFF_LEN};
use super::{check_pupil, ReadOptions, RecordNames, SidiRead};
use crate::date::Date;
use crate::error::{Error, Message, Result};
use crate::findings::{Finding, FindingCode};
use crate::model::Trimmed;
use crate::model::{
    ClassKey, Classe, CodeKind, CompactString, DeclaredCode, Frequenza, Origin, Pupil, Sede,
    SourceFile,
};
use crate::read::encoding::xml_encoding;
use crate::read::profile::{EncodingChoice, Profile};
use encoding_rs::{Encoding, UTF_8};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

mod fast;
mod lex;
mod whole;

/// Element and attribute names of the document, after profile renames.
#[derive(Clone, Debug)]
pub struct Names {
    pub root: String,
    pub intestazione: String,
    pub codice_scuola: String,
    pub anno_scolastico: String,
    pub data_estrazione: String,
    pub codifiche: String,
    pub tempo_scuola: String,
    pub indirizzo: String,
    pub sedi: String,
    pub sede: String,
    pub classi: String,
    pub classe: String,
    pub alunni: String,
    pub alunno: String,
    pub codice_fiscale: String,
    pub cognome: String,
    pub nome: String,
    pub sesso: String,
    pub data_nascita: String,
    pub luogo_nascita: String,
    pub cittadinanza: String,
    pub frequenza: String,
    // attributes
    pub a_codice: String,
    pub a_ordine: String,
    pub a_comune: String,
    pub a_sede: String,
    pub a_anno: String,
    pub a_sezione: String,
    pub a_tempo_scuola: String,
    pub a_indirizzo: String,
    pub a_id_sidi: String,
    pub a_stato: String,
    pub a_dal: String,
}

/// Every default element name of the XML form, in document order.
pub const ELEMENTS: &[&str] = &[
    "FlussoFrequenze",
    "Intestazione",
    "CodiceScuola",
    "AnnoScolastico",
    "DataEstrazione",
    "Codifiche",
    "TempoScuola",
    "Indirizzo",
    "Sedi",
    "Sede",
    "Classi",
    "Classe",
    "Alunni",
    "Alunno",
    "CodiceFiscale",
    "Cognome",
    "Nome",
    "Sesso",
    "DataNascita",
    "LuogoNascita",
    "Cittadinanza",
    "Frequenza",
];

/// Every default attribute name of the XML form.
pub const ATTRIBUTES: &[&str] = &[
    "codice",
    "ordine",
    "comune",
    "sede",
    "anno",
    "sezione",
    "tempoScuola",
    "indirizzo",
    "idSidi",
    "stato",
    "dal",
];

impl Names {
    pub fn new(p: &Profile) -> Names {
        let n = |d: &str| p.xml_name(d).to_string();
        Names {
            root: n("FlussoFrequenze"),
            intestazione: n("Intestazione"),
            codice_scuola: n("CodiceScuola"),
            anno_scolastico: n("AnnoScolastico"),
            data_estrazione: n("DataEstrazione"),
            codifiche: n("Codifiche"),
            tempo_scuola: n("TempoScuola"),
            indirizzo: n("Indirizzo"),
            sedi: n("Sedi"),
            sede: n("Sede"),
            classi: n("Classi"),
            classe: n("Classe"),
            alunni: n("Alunni"),
            alunno: n("Alunno"),
            codice_fiscale: n("CodiceFiscale"),
            cognome: n("Cognome"),
            nome: n("Nome"),
            sesso: n("Sesso"),
            data_nascita: n("DataNascita"),
            luogo_nascita: n("LuogoNascita"),
            cittadinanza: n("Cittadinanza"),
            frequenza: n("Frequenza"),
            a_codice: n("codice"),
            a_ordine: n("ordine"),
            a_comune: n("comune"),
            a_sede: n("sede"),
            a_anno: n("anno"),
            a_sezione: n("sezione"),
            a_tempo_scuola: n("tempoScuola"),
            a_indirizzo: n("indirizzo"),
            a_id_sidi: n("idSidi"),
            a_stato: n("stato"),
            a_dal: n("dal"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HField {
    CodiceScuola,
    AnnoScolastico,
    DataEstrazione,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PField {
    Cf,
    Cognome,
    Nome,
    Sesso,
    DataNascita,
    Luogo,
    Cittadinanza,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Root,
    Header,
    HeaderField(HField),
    Codes,
    Code,
    Sedi,
    Sede,
    Classi,
    Classe,
    Alunni,
    Alunno,
    PupilField(PField),
    Frequenza,
    Other,
}

/// Reads the XML export of member `m` into `out`; returns the member's
/// source file record when the store hashes members.
///
/// A member of up to 64 MiB is read whole (a large plain file is mapped
/// into memory instead) and parsed from memory (in parallel chunks when
/// large); a larger one, or one the in-memory path declines (any error),
/// is streamed.
pub fn read(
    store: &mut Store,
    m: &Member,
    opts: &ReadOptions,
    out: &mut SidiRead,
) -> Result<Option<SourceFile>> {
    let hash = store.hash_members();
    if let Some(map) = store.map_member(m.index, whole::WHOLE_MAX) {
        let read = in_memory(&m.name, &map, hash, opts, whole::CHUNK_BYTES, out);
        // Unmapping a large export takes milliseconds (2-3 for 25 MB): a
        // rayon task does it on the first core with nothing else to do,
        // and the caller goes on at once. (Not `util::drop_in_background`,
        // which drops in place inside a pool, where this read runs: `sync`
        // reads both exports side by side in one.)
        rayon::spawn(move || drop(map));
        return read;
    }
    // (not mapped: a small file, a zip member, another platform)
    let hint = store.size_hint(m.index);
    let mut r = store.open(m.index, &m.name)?;
    if hint.is_some_and(|n| n > whole::WHOLE_MAX) {
        return stream(&m.name, r, hash, opts, out);
    }
    let mut raw = Vec::with_capacity(hint.unwrap_or(0) as usize + 1);
    let read_whole = (&mut r)
        .take(whole::WHOLE_MAX + 1)
        .read_to_end(&mut raw)
        .is_ok()
        && raw.len() as u64 <= whole::WHOLE_MAX;
    if read_whole {
        drop(r);
        in_memory(&m.name, &raw, hash, opts, whole::CHUNK_BYTES, out)
    } else {
        // What was read (up to an error or the size limit), then the rest:
        // the streaming path sees the same bytes and meets the same error.
        stream(&m.name, std::io::Cursor::new(raw).chain(r), hash, opts, out)
    }
}

/// Reads the whole member `raw` into `out` with the in-memory path, or
/// streams the same bytes when that path declines it.
fn in_memory(
    name: &Arc<str>,
    raw: &[u8],
    hash: bool,
    opts: &ReadOptions,
    chunk_bytes: usize,
    out: &mut SidiRead,
) -> Result<Option<SourceFile>> {
    match whole::parse(name, raw, hash, opts, chunk_bytes) {
        Some((read, src)) => {
            let e = read.export;
            out.export.header = e.header;
            out.export.codes = e.codes;
            out.export.sedi = e.sedi;
            out.export.classes = e.classes;
            out.export.pupils = e.pupils;
            out.findings.extend(read.findings);
            Ok(src)
        }
        None => stream(name, raw, hash, opts, out),
    }
}

/// The streaming path: reads `r` through [`Tracked`] (decoding, positions, limits).
fn stream<R: Read>(
    name: &Arc<str>,
    r: R,
    hash: bool,
    opts: &ReadOptions,
    out: &mut SidiRead,
) -> Result<Option<SourceFile>> {
    let mut tracked = Tracked::new(r, hash);
    let mut p = Parser::new(name, opts, out, false);
    p.run(&mut tracked)?;
    tracked
        .drain()
        .map_err(|e| super::source::io_error(name, e))?;
    Ok(tracked.source_file(name))
}

/// Reads a whole XML export held in memory the way [`read`] does, cutting
/// the `Alunni` element into chunks of about `chunk_bytes` (tests force
/// small chunks with it; `None`: the default). Used by tests and benches.
#[doc(hidden)]
pub fn read_whole_bytes(
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    chunk_bytes: Option<usize>,
) -> Result<SidiRead> {
    let mut out = SidiRead::default();
    let name: Arc<str> = Arc::from(name);
    let chunk = chunk_bytes.unwrap_or(whole::CHUNK_BYTES);
    let src = in_memory(&name, bytes, true, opts, chunk, &mut out)?;
    out.export.sources.extend(src);
    Ok(out)
}

/// The `CodiceScuola` of the header, reading no further.
pub fn peek_school_code(store: &mut Store, m: &Member, opts: &ReadOptions) -> Result<String> {
    let r = store.open(m.index, &m.name)?;
    let mut tracked = Tracked::new(r, false);
    let mut out = SidiRead::default();
    let mut p = Parser::new(&m.name, opts, &mut out, true);
    p.run(&mut tracked)?;
    let code = out.export.header.codice_scuola;
    if code.is_empty() {
        return Err(Error::Input {
            file: m.name.to_string(),
            line: 0,
            message: Message::new(
                "nessun codice scuola (CodiceScuola) nell'intestazione",
                "no school code (CodiceScuola) in the header",
            ),
        });
    }
    Ok(code)
}

/// Reads an XML export from any byte stream (used by tests and benches).
pub fn read_stream<R: Read>(name: &str, r: R, opts: &ReadOptions) -> Result<SidiRead> {
    let mut out = SidiRead::default();
    let name: Arc<str> = Arc::from(name);
    let mut tracked = Tracked::new(r, true);
    Parser::new(&name, opts, &mut out, false).run(&mut tracked)?;
    tracked.drain().map_err(|e| Error::io(&*name, e))?;
    out.export.sources.extend(tracked.source_file(&name));
    Ok(out)
}

struct Parser<'a> {
    file: &'a Arc<str>,
    n: Names,
    opts: &'a ReadOptions,
    out: &'a mut SidiRead,
    peek: bool,
    stack: Vec<(Tag, u32)>,
    capture: Option<usize>,
    text: String,
    root_seen: bool,
    root_done: bool,
    root_origin: Option<Origin>,
    code: Option<DeclaredCode>,
    sede: Option<Sede>,
    pupil: Option<Pupil>,
    line: u32,
    col: u32,
    /// Whether the current element's attributes went through [`Parser::attrs`].
    attrs_seen: std::cell::Cell<bool>,
    /// `Frequenza/@sede`, `@sezione`, `@dal`, `@stato` (after renames), the
    /// field names of a pupil's findings: formatted once, not per pupil.
    frequenza_attrs: [String; 4],
    /// Parsing one chunk of the `Alunni` element (see [`whole`]): the stack
    /// starts at `Root/Alunni` and may not be popped below it.
    chunk: bool,
    /// The last `Frequenza`'s class attributes as written and the key made
    /// of them, and its `dal` as written and read: pupils come class by
    /// class, so most keys and dates are the previous pupil's.
    last_class: Option<([CompactString; 3], ClassKey)>,
    last_dal: Option<(CompactString, Option<Date>)>,
    /// In a chunk: where its pupils go, straight into their places in the
    /// export's list (see [`whole::Places`]); elsewhere they are pushed
    /// onto `out`.
    places: Option<whole::Places<'a>>,
    /// Whether a chunk's pupils of the usual shape are read a pupil at a
    /// time instead of an event at a time (see [`fast`]; on, but for tests
    /// that compare the two). Chunks take it from the parser that cuts them.
    fast_pupils: bool,
    /// Whether the element names of a pupil's fields all differ (see
    /// `fast`: then any field named is the first one named).
    fields_differ: bool,
    /// Whether the names and limits allow the tags of a usual pupil to be
    /// matched as SIDI writes them (see `fast::usual_tags`).
    usual_tags: bool,
}

/// quick-xml's error in both languages: the faults of a truncated or
/// hand-edited file in Italian too, the rarer ones as quick-xml words them.
fn parser_message(e: &quick_xml::Error) -> Message {
    use quick_xml::errors::{IllFormedError as I, SyntaxError as S};
    let it = match e {
        quick_xml::Error::Syntax(s) => {
            // every syntax error but the first is met at the end of the input
            let what = match s {
                S::InvalidBangMarkup => {
                    return Message::new(
                        "errore di sintassi: simbolo sconosciuto o mancante in un markup <!…>",
                        e.to_string(),
                    )
                }
                S::UnclosedPI => "istruzione di elaborazione <?…?> non chiusa",
                S::UnclosedXmlDecl => "dichiarazione XML <?xml…?> non chiusa",
                S::UnclosedComment => "commento <!--…--> non chiuso",
                S::UnclosedDoctype => "DOCTYPE non chiuso",
                S::UnclosedCData => "sezione CDATA non chiusa",
                S::UnclosedTag => "tag non chiuso: manca `>`",
                S::UnclosedSingleQuotedAttributeValue | S::UnclosedDoubleQuotedAttributeValue => {
                    "valore di attributo non chiuso: manca la virgoletta di chiusura"
                }
            };
            format!("errore di sintassi: {what} prima della fine del file (file troncato?)")
        }
        quick_xml::Error::IllFormed(I::MissingEndTag(tag)) => format!(
            "tag di apertura non chiuso: `</{tag}>` non trovato prima della fine del file (file troncato?)"
        ),
        quick_xml::Error::IllFormed(I::UnmatchedEndTag(tag)) => {
            format!("il tag di chiusura `</{tag}>` non corrisponde a nessun tag aperto")
        }
        quick_xml::Error::IllFormed(I::MismatchedEndTag { expected, found }) => {
            format!("atteso `</{expected}>`, trovato `</{found}>`")
        }
        _ => return Message::raw(e.to_string()),
    };
    Message::new(it, e.to_string())
}

fn text_outside_root() -> Message {
    Message::new(
        "testo fuori dall'elemento radice",
        "text outside the root element",
    )
}

fn xml_err(file: &str, line: u32, column: u32, message: impl Into<Message>) -> Error {
    Error::Xml {
        file: file.to_string(),
        line,
        column,
        message: message.into(),
    }
}

/// The encoding label of an XML declaration at the start of `s`, if any.
fn declared_encoding(s: &[u8]) -> Option<String> {
    if !s.starts_with(b"<?xml") || !s.get(5).is_some_and(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let end = s.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&s[..end]).ok()?;
    let i = decl.find("encoding")?;
    let rest = decl[i + 8..].trim_start().strip_prefix('=')?.trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    let close = rest.find(q)?;
    Some(rest[..close].to_string())
}

/// The attributes `raw` of a start tag (what follows the element's name)
/// as (name, value) pairs into `out`, when every one is plain: a name, `=`,
/// a value in quotes, spaces around them as the reader allows, and no `&`,
/// `<` or control character anywhere (so that the attribute-value
/// normalization of XML 1.0, which turns tabs and line breaks into spaces,
/// leaves every value as written). `None` for anything else, or more
/// pairs than `out` holds: the reader's iteration then reads them (and
/// names what is wrong). Where it answers, the answer is the reader's:
/// the same names and values, in order (a test compares the two).
fn plain_attributes<'r>(raw: &'r str, out: &mut [(&'r str, &'r str)]) -> Option<usize> {
    let b = raw.as_bytes();
    let class = |i: usize| b.get(i).map(|&c| ATTRIBUTE_BYTES[usize::from(c)]);
    let skip_spaces = |mut i: usize| {
        while class(i) == Some(SPACE) {
            i += 1;
        }
        i
    };
    let (mut i, mut n) = (skip_spaces(0), 0);
    while i < b.len() {
        let start = i;
        while class(i) == Some(NAME) {
            i += 1;
        }
        let key_end = i;
        i = skip_spaces(i);
        if key_end == start || class(i) != Some(EQUALS) {
            return None;
        }
        i = skip_spaces(i + 1);
        if class(i) != Some(QUOTE) {
            return None;
        }
        let quote = b[i];
        let from = i + 1;
        i = value_end(b, from, quote)?;
        // (the bytes looked for are ASCII: both ends fall on characters)
        *out.get_mut(n)? = (&raw[start..key_end], &raw[from..i]);
        n += 1;
        i = skip_spaces(i + 1);
    }
    Some(n)
}

/// The offset of the `quote` that ends the attribute value starting at
/// `from` of `b`; `None` when a byte [`plain_attributes`] refuses (a
/// control character, `&`, `<`) or the end of `b` comes first. Sixteen
/// bytes at a time where SSE2 is there and `b` has them.
#[inline(always)]
pub(super) fn value_end(b: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        let m =
            crate::util::mask16(b, i, [quote, b'&', b'<']) | crate::util::mask16_below(b, i, 0x20);
        if m != 0 {
            let j = i + m.trailing_zeros() as usize;
            return (b[j] == quote).then_some(j);
        }
        i += 16;
    }
    loop {
        let c = *b.get(i)?;
        if c == quote {
            return Some(i);
        }
        if ATTRIBUTE_BYTES[usize::from(c)] == REFUSED {
            return None;
        }
        i += 1;
    }
}

/// What a byte is to [`plain_attributes`]: part of a name (or of a value)…
const NAME: u8 = 0;
/// …a blank between the parts…
const SPACE: u8 = 1;
const EQUALS: u8 = 2;
/// …either quote (inside a value, only the one that opened it ends it)…
const QUOTE: u8 = 3;
/// …markup a name would not hold (in a value, a character like any)…
const MARKUP: u8 = 4;
/// …or what only the reader's iteration handles: a reference, `<`, and
/// control characters (among them the tab and line breaks that
/// normalization turns into spaces, and NUL).
const REFUSED: u8 = 5;
static ATTRIBUTE_BYTES: [u8; 256] = {
    let mut t = [NAME; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = REFUSED;
        c += 1;
    }
    t[b'&' as usize] = REFUSED;
    t[b'<' as usize] = REFUSED;
    t[b' ' as usize] = SPACE;
    t[b'=' as usize] = EQUALS;
    t[b'"' as usize] = QUOTE;
    t[b'\'' as usize] = QUOTE;
    t[b'>' as usize] = MARKUP;
    t[b'/' as usize] = MARKUP;
    t
};

/// Whether `names` all differ from one another.
fn all_differ(names: &[&str]) -> bool {
    (0..names.len()).all(|i| !names[..i].contains(&names[i]))
}

/// The local part of an element or attribute name (after the prefix's
/// `:`), as [`quick_xml::name::QName::local_name`] gives it: a byte loop,
/// which costs names of a few letters less than the library's `memchr`.
#[inline]
fn local_name(name: &str) -> &str {
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Whether `a` and `b` are the same: names and attribute names of a few
/// letters, compared in at most four loads of each instead of a call to
/// `memcmp` (most of a chunk's elements are told apart this way, several
/// comparisons each).
#[inline(always)]
fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same`] on bytes (always inlined, as `same`: its point is to spare a
/// call).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        // the two (overlapping) ends cover every byte
        8..=16 => w8(a) == w8(b) && w8(&a[n - 8..]) == w8(&b[n - 8..]),
        4..=7 => w4(a) == w4(b) && w4(&a[n - 4..]) == w4(&b[n - 4..]),
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// The first eight bytes of `s` (at least eight).
#[inline(always)]
fn w8(s: &[u8]) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&s[..8]);
    u64::from_le_bytes(w)
}

/// The first four bytes of `s` (at least four).
#[inline(always)]
fn w4(s: &[u8]) -> u32 {
    let mut w = [0; 4];
    w.copy_from_slice(&s[..4]);
    u32::from_le_bytes(w)
}

/// The reader settings of both paths: empty elements as such, end tags
/// checked against their start tags, text kept as written (the in-memory
/// path's chunks skip the white space between elements, see
/// `whole::parse_chunk`).
fn configure(c: &mut quick_xml::reader::Config) {
    c.expand_empty_elements = false;
    c.check_end_names = true;
    c.trim_text(false);
}

/// Chooses the document encoding from the first bytes `head` (byte order
/// mark, XML declaration, `choice` for undeclared documents).
fn choose_encoding(
    head: &[u8],
    file: &str,
    choice: Option<EncodingChoice>,
) -> Result<&'static Encoding> {
    if head.is_empty() {
        return Err(Error::Empty {
            file: file.to_string(),
        });
    }
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &head[3..] } else { head };
    let declared = declared_encoding(body);
    Ok(match declared {
        Some(label) => {
            let e = xml_encoding(&label).ok_or_else(|| {
                xml_err(
                    file,
                    1,
                    1,
                    Message::new(
                        format!(
                            "codifica {label:?} sconosciuta o non supportata nella dichiarazione XML"
                        ),
                        format!(
                            "unknown or unsupported encoding label {label:?} in the XML declaration"
                        ),
                    ),
                )
            })?;
            if bom && e != UTF_8 {
                return Err(xml_err(
                    file,
                    1,
                    1,
                    Message::new(
                        format!("il BOM indica UTF-8 ma la dichiarazione indica {label:?}"),
                        format!(
                            "the byte order mark says UTF-8 but the declaration says {label:?}"
                        ),
                    ),
                ));
            }
            e
        }
        None if bom => UTF_8,
        None => match choice {
            Some(EncodingChoice::Fixed(e)) if e.is_ascii_compatible() => e,
            _ => UTF_8,
        },
    })
}

/// Chooses the document encoding and installs the decoder.
fn setup<R: Read>(t: &mut Tracked<R>, file: &str, choice: Option<EncodingChoice>) -> Result<()> {
    let head = t.peek(SNIFF_LEN).map_err(|e| Error::io(file, e))?;
    let enc = choose_encoding(head, file, choice)?;
    t.set_decoder(enc);
    Ok(())
}

impl<'a> Parser<'a> {
    fn new(file: &'a Arc<str>, opts: &'a ReadOptions, out: &'a mut SidiRead, peek: bool) -> Self {
        let n = Names::new(&opts.profile);
        let fields_differ = all_differ(&n.pupil_fields().map(|f| f.0));
        let usual_tags = fast::usual_tags(&n, &opts.limits);
        let fa = |a: &str| format!("{}/@{}", n.frequenza, a);
        let frequenza_attrs = [
            fa(&n.a_sede),
            fa(&n.a_sezione),
            fa(&n.a_dal),
            fa(&n.a_stato),
        ];
        Parser {
            file,
            frequenza_attrs,
            n,
            opts,
            out,
            peek,
            stack: Vec::with_capacity(16),
            capture: None,
            text: String::with_capacity(256),
            root_seen: false,
            root_done: false,
            root_origin: None,
            code: None,
            sede: None,
            pupil: None,
            line: 1,
            col: 1,
            attrs_seen: std::cell::Cell::new(false),
            chunk: false,
            last_class: None,
            last_dal: None,
            places: None,
            fast_pupils: true,
            fields_differ,
            usual_tags,
        }
    }

    fn err(&self, message: impl Into<Message>) -> Error {
        xml_err(self.file, self.line, self.col, message)
    }

    fn origin(&self) -> Origin {
        Origin::new(self.file, self.line, self.col)
    }

    fn run<R: Read>(&mut self, t: &mut Tracked<R>) -> Result<()> {
        setup(t, self.file, self.opts.encoding)?;
        t.set_token_limit(self.opts.limits.xml_max_token);
        let mut reader = Reader::from_reader(t);
        configure(reader.config_mut());
        let mut buf = Vec::with_capacity(4096);
        loop {
            {
                let t = reader.get_mut();
                t.mark();
                self.line = t.line();
                self.col = t.column();
            }
            buf.clear();
            let ev = match reader.read_event_into(&mut buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let t = reader.get_ref();
                    return Err(self.map_xml_error(e, t.line(), t.column()));
                }
            };
            if self.on_event(ev)? {
                break;
            }
            if self.peek && (!self.out.export.header.codice_scuola.is_empty() || self.root_done) {
                return Ok(());
            }
        }
        let t = reader.get_ref();
        self.finish(t.line(), t.column())
    }

    /// The checks at the end of the document (`line`, `column`: where it ended).
    fn finish(&self, line: u32, column: u32) -> Result<()> {
        if let Some((_, opened)) = self.stack.last() {
            return Err(xml_err(
                self.file,
                line,
                column,
                Message::new(
                    format!(
                        "fine del documento inattesa (file troncato?): l'elemento aperto alla riga {opened} non è chiuso"
                    ),
                    format!(
                        "unexpected end of the document (truncated?): the element opened at line {opened} is not closed"
                    ),
                ),
            ));
        }
        if !self.root_seen {
            return Err(Error::Empty {
                file: self.file.to_string(),
            });
        }
        Ok(())
    }

    /// Handles one event; `true` at the end of the input.
    fn on_event(&mut self, ev: Event<'_>) -> Result<bool> {
        match ev {
            Event::Start(e) => self.start(&e)?,
            Event::Empty(e) => {
                self.start(&e)?;
                self.end()?;
            }
            Event::End(_) => self.end()?,
            Event::Text(t) => self.text(&t)?,
            Event::CData(t) => {
                if !self.capturing() {
                    self.outside_text(&t)?;
                } else {
                    self.push_text(&t)?;
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => {
                            return Err(self.err(Message::new(
                                format!("riferimento a carattere non valido &{};", &*r),
                                format!("invalid character reference &{};", &*r),
                            )))
                        }
                    }
                } else {
                    match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => {
                            return Err(self.err(Message::new(
                                format!(
                                    "l'entità &{other}; non è ammessa (solo &lt; &gt; &amp; &apos; &quot; e riferimenti a caratteri)"
                                ),
                                format!(
                                    "entity &{other}; is not allowed (only &lt; &gt; &amp; &apos; &quot; and character references)"
                                ),
                            )))
                        }
                    }
                };
                if self.capturing() {
                    let mut tmp = [0u8; 4];
                    self.push_text(c.encode_utf8(&mut tmp))?;
                } else if self.stack.is_empty() {
                    return Err(self.err(text_outside_root()));
                }
            }
            Event::DocType(_) => {
                return Err(self.err(Message::new(
                    "le dichiarazioni DOCTYPE sono rifiutate (niente DTD, nessuna entità oltre a quelle predefinite)",
                    "DOCTYPE declarations are refused (no DTD, no entities other than the predefined ones)",
                )))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => return Ok(true),
        }
        Ok(false)
    }

    fn map_xml_error(&self, e: quick_xml::Error, cur_line: u32, cur_col: u32) -> Error {
        if let quick_xml::Error::Io(io) = &e {
            match fault_of(io) {
                Some(f @ Fault::Encoding { .. }) => {
                    return xml_err(self.file, cur_line, cur_col, f.message());
                }
                Some(Fault::Limit(m)) => return self.err(m.clone()),
                None => {
                    return Error::Io {
                        path: self.file.to_string().into(),
                        source: std::io::Error::new(io.kind(), io.to_string()),
                    }
                }
            }
        }
        self.err(parser_message(&e))
    }

    #[inline]
    fn capturing(&self) -> bool {
        self.capture == Some(self.stack.len())
    }

    fn outside_text(&self, s: &str) -> Result<()> {
        if (self.stack.is_empty() || self.root_done) && !s.trimmed().is_empty() {
            return Err(self.err(text_outside_root()));
        }
        Ok(())
    }

    #[inline]
    fn text(&mut self, s: &str) -> Result<()> {
        if self.capturing() {
            self.push_text(s)
        } else {
            self.outside_text(s)
        }
    }

    fn push_text(&mut self, s: &str) -> Result<()> {
        if self.text.len() + s.len() > self.opts.limits.max_field_len {
            return Err(self.err(Message::new(
                format!(
                    "un campo di testo è più lungo di {} byte",
                    self.opts.limits.max_field_len
                ),
                format!(
                    "a text field is longer than {} bytes",
                    self.opts.limits.max_field_len
                ),
            )));
        }
        if s.contains('\0') {
            return Err(self.err(Message::new(
                "carattere NUL nel testo",
                "NUL character in text",
            )));
        }
        self.text.push_str(s);
        Ok(())
    }

    /// The captured text, trimmed, as a `String` (header fields, the
    /// descriptions of codes and sedi: a few per document).
    fn take_text(&mut self) -> String {
        self.take_short().into()
    }

    /// The captured text, trimmed, as a model field (stored inline when short).
    fn take_short(&mut self) -> CompactString {
        let s = CompactString::new(self.text.trimmed());
        self.text.clear();
        s
    }

    /// Iterates the attributes of `e`, unescaped, with the limits applied.
    fn attrs<'e>(
        &self,
        e: &'e BytesStart<'e>,
        mut f: impl FnMut(&str, Cow<'e, str>),
    ) -> Result<()> {
        self.attrs_seen.set(true);
        // A chunk's attributes are read by a plain scan when they are
        // simple (see `plain_attributes`: no reference, no NUL, values as
        // written) and within the limits; anything else takes the reader's
        // own iteration below, which names what is wrong.
        if self.chunk
            && self
                .plain_attrs(e.attributes_raw(), |k, v| f(k, Cow::Borrowed(v)))
                .is_some()
        {
            return Ok(());
        }
        // A chunk checks for repeated names itself, on the stack: the
        // reader's check keeps the names in a vector allocated for every
        // element. Any error sends the document to the streaming path,
        // whose reader checks (and names the fault) as always.
        let mut names = [""; whole::CHUNK_ATTRIBUTES];
        let mut attributes = e.attributes();
        if self.chunk {
            attributes.with_checks(false);
        }
        for (i, a) in attributes.enumerate() {
            self.attribute_allowed(i)?;
            let a = a.map_err(|e| {
                self.err(Message::new(
                    format!("attributo malformato: {e}"),
                    format!("malformed attribute: {e}"),
                ))
            })?;
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| {
                    self.err(Message::new(
                        format!("valore di attributo: {e}"),
                        format!("attribute value: {e}"),
                    ))
                })?;
            self.check_attribute(i, a.key.0, &v, &mut names)?;
            if v.contains('\0') {
                return Err(self.err(Message::new(
                    "carattere NUL nel valore di un attributo",
                    "NUL character in an attribute value",
                )));
            }
            f(local_name(a.key.0), v);
        }
        Ok(())
    }

    /// Whether an element may have an attribute `i` (0-based): at most
    /// `xml_max_attributes` (both ways of reading them).
    #[inline(always)]
    fn attribute_allowed(&self, i: usize) -> Result<()> {
        let max = self.opts.limits.xml_max_attributes;
        match i < max {
            true => Ok(()),
            false => Err(self.err(Message::new(
                format!("più di {max} attributi su un elemento"),
                format!("more than {max} attributes on one element"),
            ))),
        }
    }

    /// The limits on attribute `i` (`name`, `value`) of an element, both
    /// ways of reading them: in a chunk, names not repeated (`names`, the
    /// earlier ones); values not too long. (Both run for every attribute of
    /// a large export: always inlined.)
    #[inline(always)]
    fn check_attribute<'e>(
        &self,
        i: usize,
        name: &'e str,
        value: &str,
        names: &mut [&'e str; whole::CHUNK_ATTRIBUTES],
    ) -> Result<()> {
        if self.chunk {
            if i >= whole::CHUNK_ATTRIBUTES || names[..i].iter().any(|n| same(n, name)) {
                return Err(self.err("repeated attribute, or too many for a chunk"));
            }
            names[i] = name;
        }
        if value.len() > self.opts.limits.max_field_len {
            return Err(self.err(Message::new(
                format!(
                    "il valore di un attributo è più lungo di {} byte",
                    self.opts.limits.max_field_len
                ),
                format!(
                    "an attribute value is longer than {} bytes",
                    self.opts.limits.max_field_len
                ),
            )));
        }
        Ok(())
    }

    fn start(&mut self, e: &BytesStart) -> Result<()> {
        let depth = self.stack.len();
        if depth >= self.opts.limits.xml_max_depth {
            return Err(self.err(Message::new(
                format!(
                    "elementi annidati oltre {} livelli",
                    self.opts.limits.xml_max_depth
                ),
                format!(
                    "elements nested deeper than {} levels",
                    self.opts.limits.xml_max_depth
                ),
            )));
        }
        let name = local_name(e.name().0);
        let parent = self.stack.last().map(|(t, _)| *t);
        let n = &self.n;
        let mut capture = false;
        let tag = match parent {
            None => {
                if self.root_done {
                    return Err(self.err(Message::new(
                        "un secondo elemento radice: un solo export per documento",
                        "a second root element: only one export per document",
                    )));
                }
                if name != n.root {
                    return Err(self.err(Message::new(
                        format!(
                            "l'elemento radice è <{name}>, atteso <{}>: non è un export SIDI",
                            n.root
                        ),
                        format!(
                            "the root element is <{name}>, expected <{}>: not a SIDI export",
                            n.root
                        ),
                    )));
                }
                self.root_seen = true;
                self.root_origin = Some(self.origin());
                Tag::Root
            }
            Some(Tag::Root) => {
                if same(name, &n.intestazione) {
                    self.out.export.header.origin = Some(self.origin());
                    Tag::Header
                } else if same(name, &n.codifiche) {
                    Tag::Codes
                } else if same(name, &n.sedi) {
                    Tag::Sedi
                } else if same(name, &n.classi) {
                    Tag::Classi
                } else if same(name, &n.alunni) {
                    Tag::Alunni
                } else {
                    Tag::Other
                }
            }
            Some(Tag::Header) => {
                let f = if same(name, &n.codice_scuola) {
                    Some(HField::CodiceScuola)
                } else if same(name, &n.anno_scolastico) {
                    Some(HField::AnnoScolastico)
                } else if same(name, &n.data_estrazione) {
                    Some(HField::DataEstrazione)
                } else {
                    None
                };
                match f {
                    Some(f) => {
                        capture = true;
                        Tag::HeaderField(f)
                    }
                    None => Tag::Other,
                }
            }
            Some(Tag::Codes) => {
                let kind = if same(name, &n.tempo_scuola) {
                    Some(CodeKind::TempoScuola)
                } else if same(name, &n.indirizzo) {
                    Some(CodeKind::Indirizzo)
                } else {
                    None
                };
                match kind {
                    Some(kind) => {
                        let mut c = DeclaredCode {
                            kind,
                            codice: String::new(),
                            ordine: String::new(),
                            descrizione: String::new(),
                            origin: self.origin(),
                        };
                        self.attrs(e, |k, v| {
                            if same(k, &n.a_codice) {
                                c.codice = v.trimmed().to_string();
                            } else if same(k, &n.a_ordine) {
                                c.ordine = v.trimmed().to_string();
                            }
                        })?;
                        self.code = Some(c);
                        capture = true;
                        Tag::Code
                    }
                    None => Tag::Other,
                }
            }
            Some(Tag::Sedi) if same(name, &n.sede) => {
                let mut s = Sede {
                    codice: String::new(),
                    ordine: String::new(),
                    comune: String::new(),
                    denominazione: String::new(),
                    origin: self.origin(),
                };
                self.attrs(e, |k, v| {
                    if same(k, &n.a_codice) {
                        s.codice = v.trimmed().to_string();
                    } else if same(k, &n.a_ordine) {
                        s.ordine = v.trimmed().to_string();
                    } else if same(k, &n.a_comune) {
                        s.comune = v.trimmed().to_string();
                    }
                })?;
                self.sede = Some(s);
                capture = true;
                Tag::Sede
            }
            Some(Tag::Classi) if same(name, &n.classe) => {
                let (mut sede, mut anno, mut sezione) =
                    (Cow::Borrowed(""), Cow::Borrowed(""), Cow::Borrowed(""));
                let (mut ts, mut ind) = (CompactString::default(), CompactString::default());
                self.attrs(e, |k, v| {
                    if same(k, &n.a_sede) {
                        sede = v;
                    } else if same(k, &n.a_anno) {
                        anno = v;
                    } else if same(k, &n.a_sezione) {
                        sezione = v;
                    } else if same(k, &n.a_tempo_scuola) {
                        ts = CompactString::new(v.trimmed());
                    } else if same(k, &n.a_indirizzo) {
                        ind = CompactString::new(v.trimmed());
                    }
                })?;
                let c = Classe {
                    key: ClassKey::new(&sede, &anno, &sezione),
                    tempo_scuola: ts,
                    indirizzo: ind,
                    origin: self.origin(),
                };
                super::check_class(&c, &n.a_sede, &n.a_sezione, &mut self.out.findings);
                self.out.export.classes.push(c);
                Tag::Classe
            }
            Some(Tag::Alunni) if same(name, &n.alunno) => {
                let mut id = CompactString::default();
                self.attrs(e, |k, v| take_trimmed(&mut id, &n.a_id_sidi, k, &v))?;
                self.pupil = Some(self.new_pupil(id));
                Tag::Alunno
            }
            Some(Tag::Alunno) => {
                let f = n.pupil_field(name);
                if f == Some(PField::Cf) {
                    let mut stato = CompactString::default();
                    self.attrs(e, |k, v| take_trimmed(&mut stato, &n.a_stato, k, &v))?;
                    if let Some(p) = self.pupil.as_mut() {
                        p.stato_cf = stato;
                    }
                }
                if let Some(f) = f {
                    capture = true;
                    Tag::PupilField(f)
                } else if same(name, &n.frequenza) {
                    let mut a = FrequenzaAttrs::default();
                    self.attrs(e, |k, v| a.take(n, k, v))?;
                    let fr = self.frequenza(a);
                    if let Some(p) = self.pupil.as_mut() {
                        p.add_frequenza(fr);
                    }
                    Tag::Frequenza
                } else {
                    Tag::Other
                }
            }
            Some(_) => Tag::Other,
        };
        // Elements whose attributes are not read are still bound by the
        // limits (most have none: only blanks, if anything, after the name).
        let bare = || {
            e.attributes_raw()
                .bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        };
        if !self.attrs_seen.replace(false) && !bare() {
            self.attrs(e, |_, _| {})?;
            self.attrs_seen.set(false);
        }
        self.stack.push((tag, self.line));
        if capture {
            self.text.clear();
            self.capture = Some(self.stack.len());
        }
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        if self.chunk && self.stack.len() <= whole::CHUNK_DEPTH {
            return Err(self.err("end tag above the chunk's level"));
        }
        let was_capturing = self.capturing();
        let Some((tag, _)) = self.stack.pop() else {
            return Err(self.err(Message::new(
                "tag di chiusura senza tag di apertura",
                "closing tag without an opening one",
            )));
        };
        if was_capturing {
            self.capture = None;
        }
        match tag {
            Tag::HeaderField(f) => {
                let v = self.take_text();
                let h = &mut self.out.export.header;
                match f {
                    HField::CodiceScuola => h.codice_scuola = v,
                    HField::AnnoScolastico => h.anno_scolastico = v,
                    HField::DataEstrazione => h.data_estrazione = v,
                }
            }
            Tag::Code => {
                let d = self.take_text();
                if let Some(mut c) = self.code.take() {
                    c.descrizione = d;
                    if c.codice.is_empty() {
                        self.out.findings.push(
                            Finding::new(FindingCode::RequiredMissing, Some(c.origin.clone()))
                                .field(format!(
                                    "{}/@{}",
                                    match c.kind {
                                        CodeKind::TempoScuola => &self.n.tempo_scuola,
                                        CodeKind::Indirizzo => &self.n.indirizzo,
                                    },
                                    self.n.a_codice
                                )),
                        );
                    }
                    self.out.export.codes.push(c);
                }
            }
            Tag::Sede => {
                let d = self.take_text();
                if let Some(mut s) = self.sede.take() {
                    s.denominazione = d;
                    if s.codice.is_empty() {
                        self.out.findings.push(
                            Finding::new(FindingCode::RequiredMissing, Some(s.origin.clone()))
                                .field(format!("{}/@{}", self.n.sede, self.n.a_codice)),
                        );
                    }
                    self.out.export.sedi.push(s);
                }
            }
            Tag::PupilField(f) => {
                let v = self.take_short();
                if let Some(p) = self.pupil.as_mut() {
                    f.set(p, v);
                }
            }
            Tag::Alunno => {
                if let Some(p) = self.pupil.take() {
                    self.finish_pupil(p)?;
                }
            }
            Tag::Root => {
                self.root_done = true;
                let h = &self.out.export.header;
                let origin = h.origin.clone().or_else(|| self.root_origin.clone());
                if h.codice_scuola.is_empty() {
                    self.out.findings.push(
                        Finding::new(FindingCode::RequiredMissing, origin.clone())
                            .field(self.n.codice_scuola.clone()),
                    );
                }
                if h.anno_scolastico.is_empty() {
                    self.out.findings.push(
                        Finding::new(FindingCode::RequiredMissing, origin)
                            .field(self.n.anno_scolastico.clone()),
                    );
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The pieces of a pupil both ways of reading it build alike: the
/// element by element parse ([`Parser::start`], [`Parser::end`]) and the
/// pupil at a time one of a chunk (`fast`).
impl Parser<'_> {
    /// A pupil with its id SIDI and nothing else, at the current position.
    fn new_pupil(&self, id_sidi: CompactString) -> Pupil {
        Pupil {
            id_sidi,
            codice_fiscale: CompactString::default(),
            stato_cf: CompactString::default(),
            cognome: CompactString::default(),
            nome: CompactString::default(),
            sesso: CompactString::default(),
            data_nascita_raw: CompactString::default(),
            data_nascita: None,
            luogo_nascita: CompactString::default(),
            cittadinanza: CompactString::default(),
            frequenze: Vec::new(),
            origin: self.origin(),
        }
    }

    /// The frequenza of a `Frequenza` element's attributes, at the current
    /// position.
    fn frequenza(&mut self, a: FrequenzaAttrs) -> Frequenza {
        let FrequenzaAttrs {
            class: [sede, anno, sezione],
            dal,
            stato,
        } = a;
        let class = match &self.last_class {
            Some(([s, a, z], key)) if *s == *sede && *a == *anno && *z == *sezione => key.clone(),
            _ => {
                let key = ClassKey::new(&sede, &anno, &sezione);
                let raw = [sede.into(), anno.into(), sezione.into()];
                self.last_class = Some((raw, key.clone()));
                key
            }
        };
        let dal_date = match &self.last_dal {
            Some((raw, date)) if *raw == dal => *date,
            _ => {
                let date = if dal.is_empty() {
                    None
                } else {
                    Date::parse_iso(&dal)
                };
                self.last_dal = Some((dal.clone(), date));
                date
            }
        };
        Frequenza {
            class,
            dal: dal_date,
            dal_raw: dal,
            stato,
            origin: self.origin(),
        }
    }

    /// A pupil whose element has ended: checked, then into the export.
    fn finish_pupil(&mut self, p: Pupil) -> Result<()> {
        let n = &self.n;
        let [fa_sede, fa_sezione, fa_dal, fa_stato] = &self.frequenza_attrs;
        let names = RecordNames {
            codice_fiscale: &n.codice_fiscale,
            cognome: &n.cognome,
            nome: &n.nome,
            sesso: &n.sesso,
            data_nascita: &n.data_nascita,
            luogo_nascita: &n.luogo_nascita,
            cittadinanza: &n.cittadinanza,
            frequenza: &n.frequenza,
            sede: fa_sede,
            sezione: fa_sezione,
            dal: fa_dal,
            stato: fa_stato,
            date_format: "yyyy-mm-dd",
        };
        check_pupil(&p, &names, &mut self.out.findings);
        match &mut self.places {
            None => self.out.export.pupils.push(p),
            Some(places) => {
                if !places.put(p) {
                    return Err(self.err("more pupils than Alunno tags"));
                }
            }
        }
        Ok(())
    }
}

/// Sets `slot` to the value `v`, trimmed, when attribute `k` (local name)
/// is `name`: the pupil's `idSidi` and the codice fiscale's `stato`, read
/// alike by both ways of reading a pupil.
#[inline]
fn take_trimmed(slot: &mut CompactString, name: &str, k: &str, v: &str) {
    if same(k, name) {
        *slot = CompactString::new(v.trimmed());
    }
}

/// The attributes of a `Frequenza` that make a pupil's frequenza: its
/// class (`sede`, `anno`, `sezione` as written), `dal` and `stato`.
struct FrequenzaAttrs<'v> {
    class: [Cow<'v, str>; 3],
    dal: CompactString,
    stato: CompactString,
}

impl Default for FrequenzaAttrs<'_> {
    fn default() -> Self {
        FrequenzaAttrs {
            class: [Cow::Borrowed(""), Cow::Borrowed(""), Cow::Borrowed("")],
            dal: CompactString::default(),
            stato: CompactString::default(),
        }
    }
}

impl<'v> FrequenzaAttrs<'v> {
    /// What [`FrequenzaAttrs::take`] makes of the values of `sede`, `anno`,
    /// `sezione`, `dal` and `stato` (after renames), given in that order,
    /// when the five names differ.
    fn in_order([sede, anno, sezione, dal, stato]: [&'v str; 5]) -> Self {
        FrequenzaAttrs {
            class: [
                Cow::Borrowed(sede),
                Cow::Borrowed(anno),
                Cow::Borrowed(sezione),
            ],
            dal: CompactString::new(dal.trimmed()),
            stato: CompactString::new(stato.trimmed()),
        }
    }

    /// Takes attribute `k` (local name) = `v` when it is one of them.
    fn take(&mut self, n: &Names, k: &str, v: Cow<'v, str>) {
        if same(k, &n.a_sede) {
            self.class[0] = v;
        } else if same(k, &n.a_anno) {
            self.class[1] = v;
        } else if same(k, &n.a_sezione) {
            self.class[2] = v;
        } else if same(k, &n.a_dal) {
            self.dal = CompactString::new(v.trimmed());
        } else if same(k, &n.a_stato) {
            self.stato = CompactString::new(v.trimmed());
        }
    }
}

impl PField {
    /// Sets this field of `p` to `v` (the captured text, trimmed).
    fn set(self, p: &mut Pupil, v: CompactString) {
        match self {
            PField::Cf => p.codice_fiscale = v,
            PField::Cognome => p.cognome = v,
            PField::Nome => p.nome = v,
            PField::Sesso => p.sesso = v,
            PField::DataNascita => {
                p.data_nascita = if v.is_empty() {
                    None
                } else {
                    Date::parse_iso(&v)
                };
                p.data_nascita_raw = v;
            }
            PField::Luogo => p.luogo_nascita = v,
            PField::Cittadinanza => p.cittadinanza = v,
        }
    }
}

impl Names {
    /// The pupil field a child of `Alunno` named `name` (local) holds.
    fn pupil_field(&self, name: &str) -> Option<PField> {
        self.pupil_fields()
            .into_iter()
            .find(|(n, _)| same(name, n))
            .map(|(_, f)| f)
    }

    /// The element names of a pupil's fields, in the order they are told
    /// apart (the first one named wins).
    fn pupil_fields(&self) -> [(&str, PField); 7] {
        [
            (&self.codice_fiscale, PField::Cf),
            (&self.cognome, PField::Cognome),
            (&self.nome, PField::Nome),
            (&self.sesso, PField::Sesso),
            (&self.data_nascita, PField::DataNascita),
            (&self.luogo_nascita, PField::Luogo),
            (&self.cittadinanza, PField::Cittadinanza),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(bytes: &[u8]) -> Result<SidiRead> {
        read_stream("t.xml", bytes, &ReadOptions::default())
    }

    pub(super) const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<FlussoFrequenze versione="1.0">
  <Intestazione>
    <CodiceScuola>RMIC8A1005</CodiceScuola>
    <AnnoScolastico>2025/26</AnnoScolastico>
    <DataEstrazione>2025-10-15T09:30:00</DataEstrazione>
  </Intestazione>
  <Codifiche>
    <TempoScuola codice="10" ordine="EE">24 ORE SETTIMANALI</TempoScuola>
  </Codifiche>
  <Sedi><Sede codice="RMEE8A1016" ordine="EE" comune="H501">PLESSO VIA ROMA</Sede></Sedi>
  <Classi><Classe sede="RMEE8A1016" anno="01" sezione="a" tempoScuola="10"/></Classi>
  <Alunni>
    <Alunno idSidi="4810332217">
      <CodiceFiscale stato="V">RSSMRA14E52H501X</CodiceFiscale>
      <Cognome>D&apos;AMICO &amp; C</Cognome>
      <Nome>NICOL&#210;</Nome>
      <Sesso>F</Sesso>
      <DataNascita>2014-05-12</DataNascita>
      <LuogoNascita>H501</LuogoNascita>
      <Cittadinanza>Z000</Cittadinanza>
      <Frequenza sede="RMEE8A1016" anno="1" sezione="A" dal="2025-09-15" stato="FREQUENTANTE"/>
      <Frequenza sede="RMEE8A1016" anno="1" sezione="B" dal="2025-10-01" stato="FREQUENTANTE"/>
    </Alunno>
  </Alunni>
</FlussoFrequenze>
"#;

    #[test]
    fn truncated_and_hand_edited_files_are_told_in_italian() {
        use crate::messages::Lang;
        let cut = DOC.find("sezione=").expect("a class") + "sezione=\"a".len();
        let e = read_str(&DOC.as_bytes()[..cut]).unwrap_err();
        let it = e.localized(Lang::It);
        assert!(it.starts_with("t.xml:12:"), "{it}");
        assert!(
            it.contains("valore di attributo non chiuso") && it.contains("file troncato?"),
            "{it}"
        );
        assert!(e.localized(Lang::En).contains("not closed"), "{e}");
        let wrong = DOC.replacen("</Sedi>", "</Sed>", 1);
        let it = read_str(wrong.as_bytes()).unwrap_err().localized(Lang::It);
        assert!(it.contains("atteso `</Sedi>`, trovato `</Sed>`"), "{it}");
    }

    #[test]
    fn reads_the_reference_document() {
        let r = read_str(DOC.as_bytes()).unwrap();
        let e = &r.export;
        assert_eq!(e.header.codice_scuola, "RMIC8A1005");
        assert_eq!(e.header.anno_scolastico, "2025/26");
        assert_eq!(e.codes[0].descrizione, "24 ORE SETTIMANALI");
        assert_eq!(e.sedi[0].denominazione, "PLESSO VIA ROMA");
        assert_eq!(e.classes[0].key, ClassKey::new("RMEE8A1016", "1", "A"));
        let p = &e.pupils[0];
        assert_eq!(p.cognome, "D'AMICO & C");
        assert_eq!(p.nome, "NICOLÒ");
        assert_eq!(p.stato_cf, "V");
        assert_eq!(p.data_nascita, Date::new(2014, 5, 12));
        assert_eq!(p.frequenze.len(), 2);
        assert_eq!(p.current_frequenza().unwrap().class.sezione, "B");
        assert_eq!((p.origin.line, p.origin.column), (14, 5));
        assert_eq!(p.frequenze[1].origin.line, 23);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(e.sources[0].size, DOC.len() as u64);
    }

    #[test]
    fn windows_1252_declared() {
        let doc = DOC
            .replace("UTF-8", "windows-1252")
            .replace("NICOL&#210;", "NICOLÒ")
            .replace("PLESSO VIA ROMA", "ZOÈ");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&doc);
        assert!(bytes.contains(&0xD2));
        let r = read_str(&bytes).unwrap();
        assert_eq!(r.export.pupils[0].nome, "NICOLÒ");
        assert_eq!(r.export.sedi[0].denominazione, "ZOÈ");
        let iso = doc.replace("windows-1252", "ISO-8859-1");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&iso);
        assert_eq!(read_str(&bytes).unwrap().export.pupils[0].nome, "NICOLÒ");
    }

    #[test]
    fn bad_utf8_has_a_position() {
        let doc = DOC.replace("NICOL&#210;", "NICOL\u{1}");
        let mut bytes = doc.into_bytes();
        let i = bytes.iter().position(|&b| b == 1).unwrap();
        bytes[i] = 0xD2;
        match read_str(&bytes).unwrap_err() {
            Error::Xml {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((line, column), (17, 18), "{message}");
                assert!(message.en().contains("0xD2"), "{message}");
            }
            e => panic!("{e}"),
        }
    }

    /// What the reader's own iteration gives for `raw` in a chunk (no
    /// duplicate check), normalized as `Parser::attrs` does; `None` when
    /// it reports an error.
    fn reader_attributes(raw: &str) -> Option<Vec<(String, String)>> {
        let e = BytesStart::from_content(format!("e{raw}"), 1);
        let mut it = e.attributes();
        it.with_checks(false);
        it.map(|a| {
            let a = a.ok()?;
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?;
            Some((a.key.0.to_string(), v.into_owned()))
        })
        .collect()
    }

    /// Where the plain scan answers, it answers as the reader does.
    fn check_plain(raw: &str) -> Option<usize> {
        let mut out = [("", ""); whole::CHUNK_ATTRIBUTES];
        let n = plain_attributes(raw, &mut out)?;
        let plain: Vec<(String, String)> = out[..n]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(Some(plain), reader_attributes(raw), "{raw:?}");
        Some(n)
    }

    #[test]
    fn plain_attributes_are_the_readers() {
        let sidi =
            r#" sede="RMEE90002X" anno="1" sezione="A" dal="2025-09-15" stato="FREQUENTANTE""#;
        assert_eq!(check_plain(sidi), Some(5));
        assert_eq!(check_plain(""), Some(0));
        assert_eq!(check_plain("   "), Some(0));
        assert_eq!(check_plain(" a = 'x\"y' b=\"\"c:d='è'"), Some(3));
        // left to the reader: references, tabs and line breaks anywhere,
        // NUL, malformed attributes, more than fit
        for raw in [
            " a='&amp;'",
            " a='x\ty'",
            " a='x\ny'",
            " a='x\0'",
            "\t",
            " a='x'\r\n b='y'",
            " a",
            " ='x'",
            " a=",
            " a=x",
            " a='x",
            " a b='x'",
            "/",
        ] {
            assert_eq!(check_plain(raw), None, "{raw:?}");
        }
        let many: String = (0..=whole::CHUNK_ATTRIBUTES)
            .map(|i| format!(" a{i}='v'"))
            .collect();
        assert_eq!(check_plain(&many), None);
    }

    proptest::proptest! {
        /// Attribute lists as SIDI writes them and as it might, blanks,
        /// quotes, references and stray characters included, now and then
        /// with a piece of markup dropped in.
        #[test]
        fn plain_attributes_agree_with_the_reader(
            attrs in proptest::collection::vec(
                (
                    "[ \t\r\n]{0,2}",
                    "[ab:è]{1,3}",
                    "[ \t\n]{0,1}=[ \t\n]{0,1}",
                    proptest::sample::select(vec!['"', '\'']),
                    proptest::prop_oneof!["[xè'\"<>/; ]{0,4}", "[xyè'\"; &\u{1}\u{7f}]{0,40}"],
                ),
                0..6,
            ),
            stray in proptest::option::of((0usize..60, "[ =\"'a&/<\t\n\r\0]|&amp;")),
        ) {
            let mut raw: String = attrs
                .iter()
                .map(|(blank, key, eq, q, value)| format!("{blank}{key}{eq}{q}{value}{q}"))
                .collect();
            if let Some((at, piece)) = stray {
                let at = (0..=at.min(raw.len())).rev().find(|&i| raw.is_char_boundary(i)).unwrap_or(0);
                raw.insert_str(at, &piece);
            }
            check_plain(&raw);
        }
    }

    #[test]
    fn same_is_equality() {
        let words: Vec<String> = (0..=20)
            .flat_map(|n| {
                let base = "abcdefghijklmnopqrstu"[..n].to_string();
                let mut last = base.clone().into_bytes();
                if let Some(b) = last.last_mut() {
                    *b = b'Z';
                }
                let mut first = base.clone().into_bytes();
                if let Some(b) = first.first_mut() {
                    *b = b'Z';
                }
                [
                    base,
                    String::from_utf8(last).unwrap(),
                    String::from_utf8(first).unwrap(),
                ]
            })
            .collect();
        for a in &words {
            for b in &words {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn local_names_as_the_reader_gives_them() {
        for n in ["Alunno", "sidi:Alunno", "a:b:c", ":x", "x:", "", "àè:ò"] {
            let q = quick_xml::name::QName(n);
            assert_eq!(local_name(n), q.local_name().into_inner(), "{n}");
        }
    }

    #[test]
    fn refusals() {
        let cases: &[(&str, &str)] = &[
            ("<!DOCTYPE x [<!ENTITY e \"x\">]><FlussoFrequenze/>", "DOCTYPE"),
            ("<FlussoFrequenze><Intestazione><CodiceScuola>&e;</CodiceScuola></Intestazione></FlussoFrequenze>", "entity &e;"),
            ("<FlussoFrequenze><Classi><Classe sede=\"&e;\"/></Classi></FlussoFrequenze>", "attribute"),
            ("<Other/>", "not a SIDI export"),
            ("<FlussoFrequenze><Alunni><Alunno>", "not closed"),
            ("<FlussoFrequenze><Alunni></Classi></FlussoFrequenze>", "Classi"),
            ("<FlussoFrequenze/><FlussoFrequenze/>", "second root"),
            ("<?xml version=\"1.0\" encoding=\"klingon\"?><FlussoFrequenze/>", "klingon"),
            ("<FlussoFrequenze/>trailing", "outside the root"),
        ];
        for (doc, want) in cases {
            let e = read_str(doc.as_bytes()).unwrap_err();
            assert!(e.to_string().contains(want), "{doc}: {e}");
            assert!(matches!(e, Error::Xml { .. }), "{doc}: {e:?}");
        }
        assert!(matches!(read_str(b"").unwrap_err(), Error::Empty { .. }));
        assert!(matches!(
            read_str(b"  \n ").unwrap_err(),
            Error::Empty { .. }
        ));
    }

    #[test]
    fn limits() {
        let mut opts = ReadOptions::default();
        opts.limits.xml_max_depth = 4;
        let deep = "<FlussoFrequenze><a><b><c><d/></c></b></a></FlussoFrequenze>";
        let e = read_stream("t", deep.as_bytes(), &opts).unwrap_err();
        assert!(e.to_string().contains("deeper"), "{e}");

        let mut opts = ReadOptions::default();
        opts.limits.xml_max_attributes = 2;
        let many = "<FlussoFrequenze><x a='1' b='2' c='3'/></FlussoFrequenze>";
        let e = read_stream("t", many.as_bytes(), &opts).unwrap_err();
        assert!(e.to_string().contains("attributes"), "{e}");

        let mut opts = ReadOptions::default();
        opts.limits.max_field_len = 10;
        let long = "<FlussoFrequenze><Alunni><Alunno><Cognome>ABCDEFGHIJKL</Cognome></Alunno></Alunni></FlussoFrequenze>";
        let e = read_stream("t", long.as_bytes(), &opts).unwrap_err();
        assert!(e.to_string().contains("longer than 10"), "{e}");

        let mut opts = ReadOptions::default();
        opts.limits.xml_max_token = 1000;
        let mut huge = b"<FlussoFrequenze><x>".to_vec();
        huge.extend(std::iter::repeat_n(b'a', 100_000));
        let e = read_stream("t", &huge[..], &opts).unwrap_err();
        assert!(e.to_string().contains("token"), "{e}");
    }

    #[test]
    fn bad_dates_and_missing_fields_are_findings() {
        let doc = DOC
            .replace("2014-05-12", "12/05/2014")
            .replace("<Cognome>D&apos;AMICO &amp; C</Cognome>", "");
        let r = read_str(doc.as_bytes()).unwrap();
        let p = &r.export.pupils[0];
        assert_eq!(p.data_nascita_raw, "12/05/2014");
        assert_eq!(p.data_nascita, None);
        let codes: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.code, f.field.as_str()))
            .collect();
        assert!(
            codes.contains(&(FindingCode::DateInvalid, "DataNascita")),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(FindingCode::RequiredMissing, "Cognome")),
            "{codes:?}"
        );
        let f = r
            .findings
            .iter()
            .find(|f| f.code == FindingCode::DateInvalid)
            .unwrap();
        assert_eq!(f.expected, "yyyy-mm-dd");
        assert_eq!(f.origin.as_ref().unwrap().line, 14);
    }

    #[test]
    fn renamed_names() {
        let p = Profile::parse(
            "[sidi_xml.names]\nFlussoFrequenze='Export'\nAlunno='Studente'\nidSidi='id'\n",
            "p",
            None,
        )
        .unwrap();
        let opts = ReadOptions {
            profile: p,
            ..Default::default()
        };
        let doc = DOC
            .replace("FlussoFrequenze", "ns:Export")
            .replace("Alunno ", "Studente ")
            .replace("</Alunno>", "</Studente>")
            .replace("idSidi", "id");
        let r = read_stream("t", doc.as_bytes(), &opts).unwrap();
        assert_eq!(r.export.pupils[0].id_sidi, "4810332217");
    }
}

/// The in-memory path gives what the streaming path gives, record for record.
#[cfg(test)]
mod whole_tests {
    use super::tests::DOC;
    use super::*;

    fn both(doc: &[u8], chunk: usize) -> (Result<SidiRead>, Option<SidiRead>) {
        let opts = ReadOptions::default();
        let streamed = read_stream("t.xml", doc, &opts);
        let name: Arc<str> = Arc::from("t.xml");
        let whole = whole::parse(&name, doc, true, &opts, chunk).map(|(mut r, src)| {
            r.export.sources.extend(src);
            r
        });
        (streamed, whole)
    }

    /// Asserts both paths agree; returns whether the in-memory path took it.
    fn agree(doc: &[u8], chunk: usize) -> bool {
        agree_as("", doc, chunk)
    }

    /// [`agree`], naming the case (`label`) in a failure.
    fn agree_as(label: &str, doc: &[u8], chunk: usize) -> bool {
        let (s, w) = both(doc, chunk);
        match (s, w) {
            (Ok(s), Some(w)) => {
                assert_eq!(s.export, w.export, "{label} chunk {chunk}");
                assert_eq!(s.findings, w.findings, "{label} chunk {chunk}");
                true
            }
            (Ok(_), None) => false,
            (Err(e), Some(_)) => {
                panic!(
                    "{label} chunk {chunk}: streaming failed ({e}) but the in-memory path did not"
                )
            }
            (Err(_), None) => false,
        }
    }

    fn sample() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/frequenze.xml"
        ))
        .unwrap()
    }

    #[test]
    fn sample_in_any_chunking() {
        let doc = sample();
        for chunk in [64, 300, 1000, 4096, 20_000, 1 << 20] {
            assert!(
                agree(&doc, chunk),
                "the in-memory path declined at chunk {chunk}"
            );
        }
    }

    /// `doc` with the `n`th (1-based) and every `every`-th occurrence of
    /// `from` after it replaced by `to` (`every` 0: the `n`th alone).
    fn replace_some(doc: &[u8], from: &[u8], to: &[u8], n: usize, every: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(doc.len() + 1024);
        let (mut rest, mut k) = (doc, 0);
        while let Some(i) = memchr::memmem::find(rest, from) {
            k += 1;
            let hit = k == n || (every > 0 && k > n && (k - n) % every == 0);
            out.extend_from_slice(&rest[..i]);
            out.extend_from_slice(if hit { to } else { from });
            rest = &rest[i + from.len()..];
        }
        out.extend_from_slice(rest);
        out
    }

    #[test]
    fn pupils_go_to_their_places_whatever_the_tags() {
        let doc = sample();
        // The first pupil holds an empty `Alunno` of its own: a counted tag
        // that makes no pupil, so the first chunk fills one place fewer
        // than it has tags and the pupils of every later chunk are moved
        // down. (Only there: a cut may fall on such a tag, and a chunk
        // cut inside a pupil sends the document to the streaming path.)
        let nested = replace_some(&doc, b"<Cognome>", b"<Alunno/><Cognome>", 1, 0);
        for chunk in [64, 300, 1000, 4096] {
            assert!(agree_as("nested", &nested, chunk), "chunk {chunk}");
        }
        let pupils = |doc: &[u8]| both(doc, 300).0.map(|r| r.export.pupils.len()).ok();
        assert_eq!(pupils(&nested), pupils(&doc));
        // Further on, where cuts fall, both paths still agree.
        let many = replace_some(&doc, b"<Cognome>", b"<Alunno/><Cognome>", 1, 3);
        for chunk in [64, 300, 1000, 4096] {
            agree_as("nested, many", &many, chunk);
        }
        // A pupil whose tag has a prefix is a pupil (elements go by their
        // local names) but not a counted tag: its chunk has one pupil more
        // than places, and the document is streamed instead.
        let prefixed = replace_some(&doc, b"<Alunno ", b"<s:Alunno ", 7, 0);
        let prefixed = replace_some(&prefixed, b"</Alunno>", b"</s:Alunno>", 7, 0);
        let prefixed = replace_some(
            &prefixed,
            b"<FlussoFrequenze ",
            b"<FlussoFrequenze xmlns:s=\"urn:s\" ",
            1,
            0,
        );
        assert_eq!(pupils(&prefixed), pupils(&doc));
        for chunk in [64, 300, 1000] {
            assert!(!agree_as("prefixed", &prefixed, chunk), "chunk {chunk}");
        }
    }

    #[test]
    fn cuts_fall_on_alunno_tags() {
        let raw = sample();
        let cuts = whole::find_cuts(&raw, "Alunno", "Alunni", 2000).expect("cuts");
        assert!(cuts.len() > 10);
        let (last, inner) = cuts.split_last().unwrap();
        for c in inner {
            assert!(raw[*c..].starts_with(b"<Alunno "), "cut at {c}");
        }
        assert!(raw[*last..].starts_with(b"</Alunni>"));
    }

    #[test]
    fn reference_document_and_encodings() {
        assert!(agree(DOC.as_bytes(), 64));
        let w1252 = DOC
            .replace("UTF-8", "windows-1252")
            .replace("NICOL&#210;", "NICOLÒ");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&w1252);
        assert!(agree(&bytes, 64));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(DOC.replace("NICOL&#210;", "NICOLÒ").as_bytes());
        assert!(agree(&bom, 64));
        let crlf = DOC.replace('\n', "\r\n");
        assert!(agree(crlf.as_bytes(), 64));
    }

    /// Many pupils with faults, odd spacing and unknown elements.
    fn odd_document(extra_in_alunni: &str) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlussoFrequenze>\n<Intestazione><CodiceScuola>RMIC8A1005</CodiceScuola><AnnoScolastico>2025/26</AnnoScolastico></Intestazione>\n<Alunni>",
        );
        for i in 0..60 {
            match i % 6 {
                0 => s.push_str(&format!(
                    "<Alunno idSidi=\"{i}\"><CodiceFiscale stato=\"V\">RSSMRA14E52H501X</CodiceFiscale><Cognome>D&apos;AMICO</Cognome><Nome>ZOÈ</Nome><Sesso>F</Sesso><DataNascita>2014-05-12</DataNascita><LuogoNascita>H501</LuogoNascita><Cittadinanza>Z000</Cittadinanza><Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/></Alunno>"
                )),
                1 => s.push_str(&format!(
                    "\n  <Alunno\n idSidi=\"{i}\" ><Cognome> ROSSI </Cognome><Nome>ANNA&amp; \n MARIA &#200; </Nome><DataNascita>31/02/2014</DataNascita><Frequenza sede=\"\" anno=\"01\" sezione=\"b\" dal=\"x\"/>\n</Alunno>"
                )),
                2 => s.push_str(&format!("<Alunno idSidi=\"{i}\"/>")),
                3 => s.push_str(&format!(
                    "<Alunno idSidi=\"{i}\"><Extra a=\"1\"><Cognome>NO</Cognome></Extra><Nome>AL&#200;</Nome></Alunno>"
                )),
                4 => s.push_str("<Altro>testo</Altro>"),
                _ => s.push_str(&format!("\t<Alunno idSidi=\"{i}\"><Nome>A</Nome><Nome>B</Nome></Alunno>\r\n")),
            }
            if i == 30 {
                s.push_str(extra_in_alunni);
            }
        }
        s.push_str("</Alunni>\n<Altro/>\n</FlussoFrequenze>\n");
        s
    }

    #[test]
    fn odd_documents() {
        let doc = odd_document("");
        for chunk in [32, 100, 500, 5000] {
            assert!(agree(doc.as_bytes(), chunk), "declined at {chunk}");
        }
        // windows-1252, accented letters on the lines of the cuts (columns)
        let w = doc.replace("UTF-8", "windows-1252");
        let (w, _, _) = encoding_rs::WINDOWS_1252.encode(&w);
        assert!(w.contains(&0xC8));
        for chunk in [32, 100, 500, 5000] {
            assert!(agree(&w, chunk), "windows-1252 declined at {chunk}");
        }
        // markup that could hide a tag: parsed in one piece, same result
        for extra in [
            "<!-- <Alunno idSidi=\"x\"/> -->",
            "<?pi <Alunno ?>",
            "<Alunno idSidi=\"c\"><Nome><![CDATA[<Alunno>]]></Nome></Alunno>",
        ] {
            let doc = odd_document(extra);
            for chunk in [32, 500] {
                assert!(agree(doc.as_bytes(), chunk), "declined: {extra}");
            }
            let cuts = whole::find_cuts(doc.as_bytes(), "Alunno", "Alunni", 32);
            assert_eq!(cuts, None, "cut: {extra}");
        }
        // an Alunno nested in an unknown element: declined or equal
        let doc = odd_document(
            "<Wrap><Alunno idSidi=\"w\"><Nome>W</Nome></Alunno><Alunno idSidi=\"v\"/></Wrap>",
        );
        for chunk in [32, 64, 100, 500] {
            agree(doc.as_bytes(), chunk);
        }
    }

    #[test]
    fn broken_documents_are_declined() {
        let doc = odd_document("");
        let cases = [
            doc.replace("</Alunni>", ""),
            doc.replace("<Altro>testo</Altro>", "<Altro>testo</Altra>"),
            doc.replace("<Nome>B</Nome>", "<Nome>B</Nome></Alunni><Alunni>"),
            doc.replace("idSidi=\"7\"", "idSidi=\"7\" idSidi=\"8\""),
            doc.replace("D&apos;AMICO", "D&bad;AMICO"),
            doc.replace(
                "<Alunno idSidi=\"12\">",
                "<Alunno idSidi=\"12\" x=\"<Alunno \">",
            ),
        ];
        for (i, d) in cases.iter().enumerate() {
            for chunk in [32, 100, 5000] {
                // declined (false): the public entry point streams it
                agree_as(&format!("case {i}"), d.as_bytes(), chunk);
            }
        }
        // and the public entry point gives the streaming path's error
        let opts = ReadOptions::default();
        let e1 = read_stream("t.xml", cases[0].as_bytes(), &opts)
            .unwrap_err()
            .to_string();
        let e2 = read_whole_bytes("t.xml", cases[0].as_bytes(), &opts, Some(32))
            .unwrap_err()
            .to_string();
        assert_eq!(e1, e2);
    }

    #[test]
    fn many_attributes_are_streamed() {
        let many: String = (0..=whole::CHUNK_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"{i}\""))
            .collect();
        let doc = odd_document("").replace(
            "<Alunno idSidi=\"12\">",
            &format!("<Alunno idSidi=\"12\"{many}>"),
        );
        // a chunk declines it; the public entry point reads it as the
        // streaming path does
        assert!(!agree(doc.as_bytes(), 100));
        let opts = ReadOptions::default();
        let s = read_stream("t.xml", doc.as_bytes(), &opts).unwrap();
        let w = read_whole_bytes("t.xml", doc.as_bytes(), &opts, Some(100)).unwrap();
        assert_eq!(s.export.pupils, w.export.pupils);
        assert!(s.export.pupils.iter().any(|p| p.id_sidi == "12"));
    }

    /// Random damage to a document never makes the two paths disagree: the
    /// in-memory path either gives the streaming path's result or declines.
    #[test]
    fn damaged_documents_never_disagree() {
        let base = odd_document("").into_bytes();
        let alphabet: &[u8] = b"<>/&;\"'= \n\r\tAlunoi!?[]-#x0";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for case in 0..300 {
            let mut doc = base.clone();
            for _ in 0..1 + next(3) {
                let at = next(doc.len());
                match next(3) {
                    0 => {
                        doc.remove(at);
                    }
                    1 => doc.insert(at, alphabet[next(alphabet.len())]),
                    _ => doc[at] = alphabet[next(alphabet.len())],
                }
            }
            for chunk in [40, 300] {
                agree_as(&format!("case {case}"), &doc, chunk);
            }
        }
    }

    /// The pupils of `doc` read a pupil at a time and event by event, in
    /// chunks of about `chunk` bytes, with `opts`: the same exports and
    /// findings, or both declined (and the streaming path agrees).
    fn fast_agrees(doc: &[u8], chunk: usize, opts: &ReadOptions) {
        let name: Arc<str> = Arc::from("t.xml");
        let read = |fast| {
            whole::parse_as(&name, doc, true, opts, chunk, fast).map(|(mut r, src)| {
                r.export.sources.extend(src);
                r
            })
        };
        let (fast, events) = (read(true), read(false));
        let text = String::from_utf8_lossy(doc);
        match (&fast, &events) {
            (Some(f), Some(e)) => {
                assert_eq!(f.export, e.export, "{text}");
                assert_eq!(f.findings, e.findings, "{text}");
            }
            (None, None) => {}
            _ => panic!(
                "fast {} events {}: {text}",
                fast.is_some(),
                events.is_some()
            ),
        }
        if let (Some(f), Ok(s)) = (&fast, read_stream("t.xml", doc, opts)) {
            assert_eq!(f.export, s.export, "{text}");
            assert_eq!(f.findings, s.findings, "{text}");
        }
    }

    /// Children of `Alunno` of the usual shape, read a pupil at a time.
    const USUAL: &[&str] = &[
        "<CodiceFiscale stato=\"V\">RSSMRA14E52H501X</CodiceFiscale>",
        "<Cognome>ROSSI</Cognome>",
        "<Nome>ZOÈ</Nome>",
        "<Nome>ANNA</Nome>",
        "<Sesso>F</Sesso>",
        "<DataNascita>2014-05-12</DataNascita>",
        "<LuogoNascita>H501</LuogoNascita>",
        "<Cittadinanza>Z000</Cittadinanza>",
        "<Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/>",
        "<Frequenza sede=\"RMEE8A1017\" anno=\"2\" sezione=\"B\" dal=\"2025-09-16\" stato=\"RITIRATO\" />",
    ];
    /// Children of every kind the fast path leaves to the events (or reads
    /// as they do): references, empty, unknown or nested elements,
    /// attributes where none are read or not plain, text, bad end tags.
    const ODD: &[&str] = &[
        "<CodiceFiscale>rssmra14e52h501x </CodiceFiscale>",
        "<CodiceFiscale stato='P' x=\"1\">RSSMRA14E52H50</CodiceFiscale >",
        "<CodiceFiscale stato=\"a&amp;b\">X</CodiceFiscale>",
        "<CodiceFiscale stato=\"V\" stato=\"P\">X</CodiceFiscale>",
        "<CodiceFiscale stato=\"\tV\">X</CodiceFiscale>",
        "<Cognome> DE  LUCA \r\n</Cognome>",
        "<Cognome>D&apos;AMICO</Cognome>",
        "<Cognome></Cognome>",
        "<Cognome/>",
        "<Cognome a=\"1\">X</Cognome>",
        "<Cognome a=\"1\" a=\"2\">X</Cognome>",
        "<Cognome/></Cognome>",
        "<Cognome >X</Cognome\n>",
        "<Cognome>X</Nome>",
        "<Cognome>A\u{0}B</Cognome>",
        "<Cognome>UNA STRINGA MOLTO LUNGA</Cognome>",
        concat!(
            "<Nome>",
            "UN NOME LUNGHISSIMO, PIU LUNGO DI UN TOKEN STRETTO: ",
            "UN NOME LUNGHISSIMO, PIU LUNGO DI UN TOKEN STRETTO: ",
            "UN NOME LUNGHISSIMO, PIU LUNGO DI UN TOKEN STRETTO: ",
            "UN NOME LUNGHISSIMO, PIU LUNGO DI UN TOKEN STRETTO: ",
            "UN NOME LUNGHISSIMO, PIU LUNGO DI UN TOKEN STRETTO: ",
            "UN NOME LUNGHISSIMO, PIU LUNGO DI UN TOKEN STRETTO: ",
            "</Nome>"
        ),
        "<Nome><b>X</b></Nome>",
        "<DataNascita>31/02/2014</DataNascita>",
        "<s:Cognome>PREFISSO</s:Cognome>",
        "<s:Cognome>PREFISSO</Cognome>",
        "<Frequenza sede='RMEE8A1016' anno='' sezione='a' dal='x' stato='frequentante'/>",
        "<Frequenza\n sede=\"RMEE8A1016\"\tanno=\"1\"/>",
        "<Frequenza sede=\"A&amp;B\"/>",
        "<Frequenza sede=\"A\"></Frequenza>",
        "<Frequenza/>",
        "<Frequenza sede=\"A\" sede=\"B\"/>",
        "<Frequenza a=\"1\" b=\"2\" c=\"3\" sede=\"X\"/>",
        "<Extra/>",
        "<Cog\"nome\">X</Cog\"nome\">",
        "<Frequenza'x' sede=\"A\"/>",
        "<Extra>testo</Extra>",
        "testo",
        "&amp;",
        "</Alunno>",
        // about the tags matched as SIDI writes them (`fast::usual_start`)
        "<Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A'B\" dal=\"2025>09\" stato=\"FREQUENTANTE\"/>",
        "<Frequenza sede=\"RMEE8A1016\"  anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/>",
        "<Frequenza anno=\"1\" sede=\"RMEE8A1016\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/>",
        "<Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\"/>",
        "<Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\" x=\"1\"/>",
        "<Frequenza sede=\"A&amp;B\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/>",
        "<Frequenza sede=\"\" anno=\"\" sezione=\"\" dal=\"\" stato=\"\"/>",
        "<Frequenzaa sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/>",
        "<Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\">",
        "<Frequenza sede=\"RMEE8A1016\u{a0}\" anno=\" 1\" sezione=\" A \" dal=\" 2025-09-15 \" stato=\" FREQUENTANTE \"/>",
        "<Frequenza sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"\n/>",
        "<CodiceFiscale stato=\" V \">RSSMRA14E52H501X</CodiceFiscale>",
        "<CodiceFiscale stato=\"V\" >RSSMRA14E52H501X</CodiceFiscale>",
        "<CodiceFiscale stato=\"V\">RSSMRA14E52H501X</CodiceFiscale >",
        "<Cognomee>ROSSI</Cognomee>",
        "<Cognome>ROSSI</Cognomee>",
    ];

    /// Child `i` of [`USUAL`] then [`ODD`].
    fn child(i: usize) -> &'static str {
        USUAL
            .get(i)
            .copied()
            .unwrap_or_else(|| ODD[i - USUAL.len()])
    }
    const OPENS: &[&str] = &[
        "<Alunno idSidi=\"4810332217\">",
        "<Alunno idSidi=\"4810332217\">",
        "<Alunno idSidi='1' >",
        "<Alunno\n idSidi=\"2\"\n>",
        "<Alunno>",
        "<Alunno idSidi=\"a&amp;b\">",
        "<Alunno idSidi=\"1\" idSidi=\"2\">",
        "<Alunno idSidi=\"1\" x=\"\t\">",
        "<Alunno idSidi=\"1\"/>",
        "<s:Alunno idSidi=\"3\">",
        "<Alunno idSidi=\" 12 \">",
        "<Alunno idSidi=\"1\" >",
        "<Alunno  idSidi=\"1\">",
        "<Alunno idSidi=\"1\"x=\"2\">",
        "<Alunno idSidi=\"1\" x=\"2\">",
        "<Alunnoo idSidi=\"1\">",
    ];
    const CLOSES: &[&str] = &[
        "</Alunno>",
        "</Alunno>",
        "</Alunno >",
        "</Alunno\r\n>",
        "</s:Alunno>",
        "",
    ];
    const SPACES: &[&str] = &["", "\n    ", "\n      ", " ", "\r\n\t", "\n"];

    /// A pupil of a test document: its open tag (in [`OPENS`]), children
    /// with the space before each (in [`SPACES`], and see [`child`]), the
    /// space before its end tag, its end tag (in [`CLOSES`]).
    type TestPupil = (usize, Vec<(usize, usize)>, usize, usize);

    /// A document of `pupils`.
    fn pupils_document(pupils: &[TestPupil]) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlussoFrequenze>\n<Intestazione><CodiceScuola>RMIC8A1005</CodiceScuola><AnnoScolastico>2025/26</AnnoScolastico></Intestazione>\n<Alunni>",
        );
        for (open, children, space, close) in pupils {
            s.push_str("\n  ");
            s.push_str(OPENS[*open]);
            for &(w, c) in children {
                s.push_str(SPACES[w]);
                s.push_str(child(c));
            }
            s.push_str(SPACES[*space]);
            s.push_str(CLOSES[*close]);
        }
        s.push_str("\n</Alunni>\n</FlussoFrequenze>\n");
        s
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]
        /// Random pupils, mostly of the usual shape and some of every other
        /// kind, under the default limits and tight ones: reading them a
        /// pupil at a time changes nothing.
        #[test]
        fn a_pupil_at_a_time_reads_as_the_events(
            pupils in proptest::collection::vec(
                (
                    proptest::prop_oneof![16 => 0..2usize, 1 => 0..OPENS.len()],
                    proptest::collection::vec(
                        (0..SPACES.len(), proptest::prop_oneof![
                            24 => 0..USUAL.len(),
                            1 => USUAL.len()..USUAL.len() + ODD.len(),
                        ]),
                        0..12,
                    ),
                    0..SPACES.len(),
                    proptest::prop_oneof![24 => 0..2usize, 1 => 0..CLOSES.len()],
                ),
                1..12,
            ),
            limits in 0..6usize,
            chunk in proptest::sample::select(vec![40usize, 120, 400]),
        ) {
            let doc = pupils_document(&pupils);
            let opts = tight_limits(limits);
            fast_agrees(doc.as_bytes(), chunk, &opts);
            let w = doc.replace("UTF-8", "windows-1252");
            let (w, _, _) = encoding_rs::WINDOWS_1252.encode(&w);
            fast_agrees(&w, chunk, &opts);
        }
    }

    /// Every odd child, open and end tag, in a pupil among usual ones,
    /// under each limit: what the events give.
    #[test]
    fn each_odd_piece_a_pupil_at_a_time() {
        let usual = (
            0,
            (0..USUAL.len()).map(|c| (1, c)).collect::<Vec<_>>(),
            1,
            0,
        );
        let mut docs = Vec::new();
        for odd in USUAL.len()..USUAL.len() + ODD.len() {
            let mut p = usual.clone();
            p.1.insert(3, (1, odd));
            docs.push(vec![usual.clone(), usual.clone(), p, usual.clone()]);
        }
        for open in 0..OPENS.len() {
            let p = (open, usual.1.clone(), 1, 0);
            docs.push(vec![usual.clone(), p, usual.clone()]);
        }
        for close in 0..CLOSES.len() {
            let p = (0, usual.1.clone(), 1, close);
            docs.push(vec![usual.clone(), p, usual.clone()]);
        }
        for pupils in &docs {
            let doc = pupils_document(pupils);
            for limits in 0..6 {
                fast_agrees(doc.as_bytes(), 120, &tight_limits(limits));
            }
        }
    }

    /// Usual pupils, one without a codice fiscale, under every limit on
    /// values and attributes around theirs: the tags matched as SIDI
    /// writes them keep the limits as the events do.
    #[test]
    fn usual_tags_keep_the_limits() {
        let usual = (
            0,
            (0..USUAL.len()).map(|c| (1, c)).collect::<Vec<_>>(),
            1,
            0,
        );
        // without its codice fiscale (16 bytes, the longest text), a
        // pupil's longest values are attributes
        let mut no_cf = usual.clone();
        no_cf.1.remove(0);
        let docs = [
            pupils_document(&[no_cf.clone(), no_cf.clone()]),
            pupils_document(&[usual.clone(), no_cf, usual]),
        ];
        for doc in &docs {
            for len in 0..=17 {
                for attributes in [0, 1, 4, 5, 6] {
                    let mut opts = ReadOptions::default();
                    opts.limits.max_field_len = len;
                    opts.limits.xml_max_attributes = attributes;
                    fast_agrees(doc.as_bytes(), 120, &opts);
                }
            }
        }
    }

    /// The tags are matched as SIDI writes them only with plain, distinct
    /// names and room for a frequenza's five attributes; with renamed
    /// names either way, a pupil at a time still reads as the events.
    #[test]
    fn usual_tags_only_with_plain_names() {
        let with = |renames: &[(&str, &str)]| {
            let mut opts = ReadOptions::default();
            for (from, to) in renames {
                opts.profile
                    .xml_names
                    .insert(from.to_string(), to.to_string());
            }
            opts
        };
        let usual = |o: &ReadOptions| fast::usual_tags(&Names::new(&o.profile), &o.limits);
        let plain = [
            &[][..],
            &[("Frequenza", "Iscrizione"), ("sede", "plesso")],
            &[("Alunno", "Studente"), ("idSidi", "id")],
        ];
        let odd = [
            &[("Alunno", "s:Alunno")][..],
            &[("anno", "sede")],
            &[("Frequenza", "Nome")],
            &[("Cognome", "?Cognome")],
            &[("stato", "st/ato")],
        ];
        for r in plain {
            assert!(usual(&with(r)), "{r:?}");
        }
        for r in odd {
            assert!(!usual(&with(r)), "{r:?}");
        }
        let mut few = ReadOptions::default();
        few.limits.xml_max_attributes = 4;
        assert!(!usual(&few));
        let pupils = vec![
            (
                0,
                (0..USUAL.len()).map(|c| (1, c)).collect::<Vec<_>>(),
                1,
                0
            );
            3
        ];
        let doc = pupils_document(&pupils);
        for r in plain.into_iter().chain(odd) {
            let mut renamed = doc.clone();
            for (from, to) in r {
                renamed = renamed
                    .replace(&format!("<{from} "), &format!("<{to} "))
                    .replace(&format!("<{from}>"), &format!("<{to}>"))
                    .replace(&format!("</{from}>"), &format!("</{to}>"))
                    .replace(&format!(" {from}=\""), &format!(" {to}=\""));
            }
            fast_agrees(renamed.as_bytes(), 120, &with(r));
        }
    }

    /// Read options with one limit tightened (`which` 0-4; else the
    /// defaults).
    fn tight_limits(which: usize) -> ReadOptions {
        let mut opts = ReadOptions::default();
        match which {
            0 => opts.limits.max_field_len = 8,
            1 => opts.limits.xml_max_token = 300,
            2 => opts.limits.xml_max_attributes = 2,
            3 => opts.limits.xml_max_depth = 3,
            4 => opts.limits.xml_max_depth = 4,
            _ => {}
        }
        opts
    }

    /// The usual pupils are read a pupil at a time and give what the
    /// events give (the sample, cut in many ways).
    #[test]
    fn sample_a_pupil_at_a_time() {
        let doc = sample();
        for chunk in [64, 300, 4096] {
            fast_agrees(&doc, chunk, &ReadOptions::default());
        }
    }

    #[test]
    fn windows_1252_decoder_matches_encoding_rs() {
        let mut bytes: Vec<u8> = (0u8..=255).collect();
        bytes.extend(b"NICOL\xD2 D'AMICO ZO\xC8 \x80 \x81 0123456789abcdef".iter());
        for n in 0..bytes.len() {
            let d = whole::decode_windows_1252(&bytes[..n]);
            assert_eq!(
                d,
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&bytes[..n])
                    .0
            );
        }
    }

    #[test]
    fn invalid_utf8_goes_to_the_streaming_path() {
        let mut bytes = DOC.as_bytes().to_vec();
        let i = bytes.windows(6).position(|w| w == b"NICOL&").unwrap();
        bytes[i + 2] = 0xD2;
        let (s, w) = both(&bytes, 64);
        assert!(s.is_err() && w.is_none());
    }
}
