//! Reads the school's local export (FORMATS.md section 2): `alunni_locali.csv`
//! and, optionally, `classi_locali.csv`.
//!
//! The reader is header-driven: columns may come in any order, names are
//! compared case-insensitively after trimming, extra columns are ignored,
//! and a profile's `[local]` layout may rename any column, change the
//! delimiter, the date format and the encoding (`auto`: UTF-8 BOM or valid
//! UTF-8 -> UTF-8, anything else windows-1252).
//!
//! Mandatory columns of `alunni_locali.csv`: `ID_LOCALE`, `CODICE_FISCALE`,
//! `COGNOME`, `NOME`, `DATA_NASCITA`, `CODICE_SEDE`, `ANNO_CORSO`, `SEZIONE`.
//! The others (`ID_ALUNNO_SIDI`, `SESSO`, `LUOGO_NASCITA`, `CITTADINANZA`,
//! `TEMPO_SCUOLA`, `INDIRIZZO`, `BLOCCATI`) are read as empty when absent.
//! Mandatory columns of `classi_locali.csv`: `CODICE_SEDE`, `ANNO_CORSO`,
//! `SEZIONE`.
//!
//! Unusable input is an [`Error`] naming file and line: an empty file, a
//! missing mandatory column, malformed CSV (unequal field counts, bad
//! quoting), an empty or duplicated `ID_LOCALE`. Row-level oddities are
//! warnings ([`FindingCode::LocalRecord`]) and the row is kept: a date that
//! does not parse, an unknown name in `BLOCCATI`, a codice fiscale shared by
//! two local pupils, a class declared twice.

use crate::error::{Error, Message, Result};
use crate::findings::{Finding, FindingCode};
use crate::model::Trimmed;
use crate::model::{
    ClassKey, CompactString, Field, FieldSet, LocalClass, LocalExport, LocalIndex, LocalPupil,
    Origin, SourceFile,
};
use crate::read::encoding;
use crate::read::profile::{CsvLayout, EncodingChoice};
use crate::util::{FastMap as HashMap, FastSet as HashSet};
use encoding_rs::WINDOWS_1252;
use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

/// The local export read, with the warnings about its rows.
#[derive(Clone, Debug, Default)]
pub struct LocalRead {
    pub export: LocalExport,
    pub findings: Vec<Finding>,
    /// The pupils by codice fiscale and id SIDI, built on the way (the sync
    /// engine's look-ups: see [`crate::sync::engine::plan_indexed`]).
    pub index: LocalIndex,
}

/// Columns of `alunni_locali.csv` that must be present.
pub const MANDATORY_PUPIL_COLUMNS: [&str; 8] = [
    "ID_LOCALE",
    "CODICE_FISCALE",
    "COGNOME",
    "NOME",
    "DATA_NASCITA",
    "CODICE_SEDE",
    "ANNO_CORSO",
    "SEZIONE",
];

/// Columns of `classi_locali.csv` that must be present.
pub const MANDATORY_CLASS_COLUMNS: [&str; 3] = ["CODICE_SEDE", "ANNO_CORSO", "SEZIONE"];

/// Reads `alunni_locali.csv` at `pupils` and, when given, `classi_locali.csv`.
pub fn read_local(pupils: &Path, classes: Option<&Path>, layout: &CsvLayout) -> Result<LocalRead> {
    let pb = load(pupils)?;
    let cb = match classes {
        Some(p) => Some((p, load(p)?)),
        None => None,
    };
    read_local_bytes(
        &pupils.display().to_string(),
        &pb,
        cb.as_ref()
            .map(|(p, b)| (p.display().to_string(), &**b))
            .as_ref()
            .map(|(n, b)| (n.as_str(), *b)),
        layout,
    )
}

/// A file's bytes: mapped when that pays (large plain files), read otherwise.
fn load(path: &Path) -> Result<crate::read::source::FileBytes> {
    crate::read::source::FileBytes::load(path).map_err(|e| Error::io(path, e))
}

/// Reads the local export from bytes; `pupils_name` / the class file's name
/// are used in errors, findings and the manifest.
pub fn read_local_bytes(
    pupils_name: &str,
    pupils: &[u8],
    classes: Option<(&str, &[u8])>,
    layout: &CsvLayout,
) -> Result<LocalRead> {
    let mut findings = Vec::new();
    // the file's SHA-256 is offered to another thread while this one reads
    // the rows (beside a sync's SIDI read, the rows are the longest stretch
    // on one core)
    let (read, source) = rayon::join(
        || read_pupils(pupils_name, pupils, layout, &mut findings),
        || source_file(pupils_name, pupils),
    );
    let (pupils_read, index) = read?;
    let mut export = LocalExport {
        pupils: pupils_read,
        ..LocalExport::default()
    };
    export.sources.push(source);
    match classes {
        Some((name, bytes)) => {
            export.classes = read_classes(name, bytes, layout, &mut findings)?;
            export.classes_declared = true;
            export.sources.push(source_file(name, bytes));
        }
        None => {
            export.classes = derive_classes(&export.pupils);
            export.classes_declared = false;
        }
    }
    Ok(LocalRead {
        export,
        findings,
        index,
    })
}

fn source_file(name: &str, bytes: &[u8]) -> SourceFile {
    let base = Path::new(name)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    SourceFile {
        name: base,
        size: bytes.len() as u64,
        sha256: crate::util::sha256_hex(bytes),
    }
}

/// Local classes when no `classi_locali.csv` is given: the distinct classes
/// of the pupils, in order of first appearance, codes from the first pupil.
pub fn derive_classes(pupils: &[LocalPupil]) -> Vec<LocalClass> {
    let mut seen = HashSet::default();
    let mut out = Vec::new();
    for p in pupils {
        if p.class.sede.is_empty() && p.class.sezione.is_empty() {
            continue;
        }
        if seen.insert(&p.class) {
            out.push(LocalClass {
                key: p.class.clone(),
                tempo_scuola: p.tempo_scuola.clone(),
                indirizzo: p.indirizzo.clone(),
                origin: p.origin.clone(),
            });
        }
    }
    out
}

/// The text of a CSV file as the reader sees it.
enum Text<'a> {
    /// UTF-8 (decoded first when the file is in another encoding): every
    /// record is checked as UTF-8, as `csv::StringRecord` would.
    Utf8(Cow<'a, str>),
    /// windows-1252 bytes, decoded field by field (only fields with bytes
    /// above 0x7F need it). This is the text decoding the whole file first
    /// would give: every byte is one character, ASCII bytes (delimiter,
    /// quote, line ends) stay themselves and no other byte becomes ASCII.
    Windows1252(&'a [u8]),
}

/// Whether windows-1252 byte `b` decodes to a character `str::trim` removes
/// (ASCII white space and U+00A0; byte 0x85 is `…`, not U+0085).
fn is_1252_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0xA0)
}

impl<'a> Text<'a> {
    /// The text of `bytes` under `layout.encoding` (BOM rules of
    /// [`encoding::decode`]).
    fn of(bytes: &'a [u8], layout: &CsvLayout) -> Text<'a> {
        let ascii_delimiter = layout.delimiter.is_ascii();
        match layout.encoding {
            EncodingChoice::Auto => {
                let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                if let Ok(s) = std::str::from_utf8(body) {
                    return Text::Utf8(Cow::Borrowed(s));
                }
                if ascii_delimiter {
                    return Text::Windows1252(body);
                }
            }
            EncodingChoice::Fixed(e) if e == WINDOWS_1252 && ascii_delimiter => {
                return Text::Windows1252(bytes);
            }
            EncodingChoice::Fixed(_) => {}
        }
        Text::Utf8(encoding::decode(bytes, layout.encoding))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Text::Utf8(s) => s.as_bytes(),
            Text::Windows1252(b) => b,
        }
    }

    /// Whether the whole text is white space (`str::trim` empty).
    fn is_blank(&self) -> bool {
        match self {
            Text::Utf8(s) => s.trim().is_empty(),
            Text::Windows1252(b) => b.iter().all(|&c| is_1252_space(c)),
        }
    }

    /// A field as text, not trimmed.
    fn raw<'r>(&self, f: &'r [u8]) -> Cow<'r, str> {
        match self {
            // checked by `Table::next_row` (and never fails for the header,
            // which csv checks itself)
            Text::Utf8(_) => Cow::Borrowed(std::str::from_utf8(f).unwrap_or_default()),
            // (bytes above 0x7F are windows-1252 even where they would
            // also read as UTF-8)
            Text::Windows1252(_) if f.is_ascii() => {
                Cow::Borrowed(std::str::from_utf8(f).unwrap_or_default())
            }
            Text::Windows1252(_) => WINDOWS_1252.decode_without_bom_handling(f).0,
        }
    }

    /// A field as text, trimmed (as `str::trim` on the decoded field).
    fn field<'r>(&self, f: &'r [u8]) -> Cow<'r, str> {
        match self {
            Text::Utf8(_) => Cow::Borrowed(std::str::from_utf8(f).unwrap_or_default().trimmed()),
            Text::Windows1252(_) => {
                if f.first().is_some_and(|&b| !is_1252_space(b))
                    && f.last().is_some_and(|&b| !is_1252_space(b))
                {
                    return self.raw(f);
                }
                let start = f.iter().position(|&b| !is_1252_space(b));
                let t = match start {
                    None => return Cow::Borrowed(""),
                    Some(s) => {
                        let e = f.iter().rposition(|&b| !is_1252_space(b)).unwrap_or(s);
                        &f[s..=e]
                    }
                };
                self.raw(t)
            }
        }
    }

    /// Whether a field is white space only.
    fn field_is_blank(&self, f: &[u8]) -> bool {
        match self {
            Text::Utf8(_) => std::str::from_utf8(f)
                .unwrap_or_default()
                .trimmed()
                .is_empty(),
            Text::Windows1252(_) => f.iter().all(|&b| is_1252_space(b)),
        }
    }

    /// The length of a field once decoded to UTF-8.
    fn decoded_len(&self, f: &[u8]) -> usize {
        match self {
            Text::Utf8(_) => f.len(),
            Text::Windows1252(_) => {
                if f.is_ascii() {
                    f.len()
                } else {
                    self.raw(f).len()
                }
            }
        }
    }
}

/// One record of a table: its bytes, and its fields as ranges in them.
///
/// A record [`FastRows`] splits is a slice of the table's text, held as
/// its span: its fields are never copied (copying them into a
/// `csv::ByteRecord`, a call per field, was about a sixth of reading the
/// 60,000-row local export). A record of the csv reader is in `rec`.
#[derive(Default)]
struct Record {
    /// The csv reader's record (when `span` is `None`).
    rec: csv::ByteRecord,
    /// `Some((start, end))`: the record is `text[start..end]`.
    span: Option<(usize, usize)>,
    /// The fields, as ranges in the record's bytes.
    ranges: Vec<(usize, usize)>,
    /// The byte where the record's read started (the csv reader's
    /// `Position::byte`), when known.
    byte: Option<u64>,
}

impl Record {
    /// The record's bytes (`text`: the table's).
    fn bytes<'r>(&'r self, text: &'r [u8]) -> &'r [u8] {
        match self.span {
            Some((a, b)) => &text[a..b],
            None => self.rec.as_slice(),
        }
    }

    /// The fields' bytes, in order (`text`: the table's).
    fn fields<'r>(&'r self, text: &'r [u8]) -> impl Iterator<Item = &'r [u8]> {
        let all = self.bytes(text);
        self.ranges.iter().map(move |&(a, b)| &all[a..b])
    }

    /// Takes the csv reader's record in `rec` as this record.
    fn take_reader_record(&mut self) {
        self.span = None;
        self.byte = self.rec.position().map(|p| p.byte());
        self.ranges.clear();
        let rec = &self.rec;
        self.ranges
            .extend((0..rec.len()).filter_map(|i| rec.range(i).map(|r| (r.start, r.end))));
    }
}

/// A record and, when it is valid text as a whole (every record of a UTF-8
/// file, the ASCII records of a windows-1252 one), that text: its fields
/// are then slices of it, checked once per record instead of once per field.
struct Row<'r> {
    bytes: &'r [u8],
    ranges: &'r [(usize, usize)],
    text: Option<&'r str>,
}

/// A parsed CSV table: header positions by default column name.
struct Table<'a> {
    file: Arc<str>,
    text: &'a Text<'a>,
    /// The csv crate's reader, past the header; it reads the records from
    /// the first one [`FastRows`] does not take on.
    reader: csv::Reader<std::io::Cursor<&'a [u8]>>,
    /// The plain records' splitter, until the first record it does not
    /// take (then `None`, and the records come from `reader`).
    fast: Option<FastRows>,
    /// Position of each wanted column (in the order asked for), when present.
    index: Vec<Option<usize>>,
    lines: crate::read::source::LineCounter<'a>,
}

impl Table<'_> {
    /// Reads the next record into `rec`, as `csv::Reader::read_byte_record`
    /// on the table's reader would: by [`FastRows`] while it can, by the
    /// reader (moved to the record) from the first record it cannot take.
    #[inline]
    fn read_record(&mut self, rec: &mut Record) -> csv::Result<bool> {
        if let Some(fast) = &mut self.fast {
            match fast.next(self.text.bytes(), rec) {
                Some(more) => return Ok(more),
                None => return self.fall_back(rec),
            }
        }
        let more = self.reader.read_byte_record(&mut rec.rec)?;
        rec.take_reader_record();
        Ok(more)
    }

    /// Leaves the records to the reader from the one [`FastRows`] did not
    /// take on, and reads that one.
    #[cold]
    #[inline(never)]
    fn fall_back(&mut self, rec: &mut Record) -> csv::Result<bool> {
        let more = self.reader_record(&mut rec.rec)?;
        rec.take_reader_record();
        Ok(more)
    }

    /// [`Table::fall_back`]'s read into the csv reader's record.
    fn reader_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        let Some(fast) = self.fast.take() else {
            return self.reader.read_byte_record(rec);
        };
        let at = fast.pos;
        // A move starts the reader's parser afresh, and a fresh parser
        // drops a UTF-8 byte-order mark at its first byte: a record that
        // starts with those three bytes is read from the byte before it
        // instead (the `\r` or `\n` that ended the header or the previous
        // record: a blank line to the parser), and given its own position
        // back.
        if !self.text.bytes()[at..].starts_with(b"\xEF\xBB\xBF") {
            self.reader.seek(position(at))?;
            return self.reader.read_byte_record(rec);
        }
        self.reader.seek(position(at.saturating_sub(1)))?;
        let more = self.reader.read_byte_record(rec)?;
        rec.set_position(Some(position(at)));
        Ok(more)
    }

    /// The table read by the csv crate alone (the reference the fast path
    /// is tested against).
    #[cfg(test)]
    fn csv_only(mut self) -> Self {
        self.fast = None;
        self
    }

    /// Reads the next row that is not blank into `rec`, checks its fields
    /// and returns its 1-based line; `None` at the end of the file.
    fn next_row(&mut self, file: &str, rec: &mut Record) -> Result<Option<u32>> {
        loop {
            match self.read_record(rec) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(csv_error(file, &e, Some(&mut self.lines))),
            }
            let line = match rec.byte {
                Some(b) => self.lines.line_at(b),
                None => 0,
            };
            let text = self.text.bytes();
            if let Text::Utf8(_) = self.text {
                // what csv::StringRecord reports for a record that is not
                // UTF-8 (only possible with a delimiter above 0x7F)
                if !rec.bytes(text).is_ascii()
                    && rec.fields(text).any(|f| std::str::from_utf8(f).is_err())
                {
                    return Err(Error::csv(file, line, Message::invalid_text()));
                }
            }
            if rec.fields(text).all(|f| self.text.field_is_blank(f)) {
                continue;
            }
            check_fields(file, line, self.text, rec)?;
            return Ok(Some(line));
        }
    }

    /// Record `rec` with its text checked once (see [`Row`]).
    fn row<'r>(&'r self, rec: &'r Record) -> Row<'r> {
        let all = rec.bytes(self.text.bytes());
        let text = match (self.text, rec.span) {
            // a slice of the text, which is UTF-8 as a whole, from the
            // start of a line to the end of one (ASCII bytes)
            (Text::Utf8(s), Some((a, b))) => s.get(a..b),
            (Text::Utf8(_), None) => std::str::from_utf8(all).ok(),
            // an ASCII record reads the same in windows-1252
            (Text::Windows1252(_), _) if all.is_ascii() => {
                // SAFETY: ASCII (just checked) is valid UTF-8; checking
                // it again was a thirtieth of reading a windows-1252 export
                Some(unsafe { std::str::from_utf8_unchecked(all) })
            }
            (Text::Windows1252(_), _) => None,
        };
        Row {
            bytes: all,
            ranges: &rec.ranges,
            text,
        }
    }

    /// Column `k` (index into the wanted columns) of `row`, trimmed; empty
    /// when the column is absent.
    fn get<'r>(&self, row: &Row<'r>, k: usize) -> Cow<'r, str> {
        let Some(i) = self.index[k] else {
            return Cow::Borrowed("");
        };
        // a slice of the record's text when it has one (no check per field)
        let range = row.ranges.get(i).copied();
        if let Some(f) = row.text.zip(range).and_then(|(t, (a, b))| t.get(a..b)) {
            return Cow::Borrowed(f.trimmed());
        }
        match range {
            Some((a, b)) => self.text.field(&row.bytes[a..b]),
            None => Cow::Borrowed(""),
        }
    }
}

/// The records of a plain CSV text split without the csv crate's parser:
/// what its reader gives for them, for a fraction of the work.
///
/// csv-core's parser runs a state machine over every byte; on the 8.2 MB,
/// 60,000-row local export of the 60k benchmark school its
/// `read_record` was 125 M of the 392 M instructions of `read_local`
/// (callgrind; about 15 instructions a byte). Real exports have no quotes,
/// so a record is a line cut at the delimiters: one pass over sixteen
/// bytes at a time ([`crate::util::mask16`]) finds the delimiters, the line
/// end and any quote, and the record is left where it is: its span in the
/// text and its fields' ranges in it ([`Record`]), the fields the reader's
/// `read_byte_record` would give. `read_local` on that school: 392 M ->
/// 349 M instructions with the fields copied into a `csv::ByteRecord`
/// (about 56 M of them the copies), then `read_pupils` 334 M -> 299 M
/// without the copies (264 M once the `BLOCCATI` texts were remembered).
///
/// It takes a record when it gives exactly the reader's answer for it:
///
/// - between records the reader skips every `\r` and `\n` (blank lines,
///   the `\n` of a `\r\n`): so does this;
/// - the record is the bytes up to the first `\r` or `\n` or the end of
///   the text, cut at every delimiter (with the reader's default
///   `Terminator::CRLF` a lone `\r` ends a record too, for both);
/// - no `"` in the record: any quote makes it fall back, although only a
///   quote at a field's start means anything to the reader;
/// - as many fields as the header: the reader (`flexible(false)`) refuses
///   any other count with its own error, so such a record falls back and
///   the reader reports it (and holds it to the header's count, not to the
///   first row's, as a reader started on the rows would);
/// - the record's position is the reader's: the byte after the previous
///   record's last byte read (its `\r` or `\n`), before any blank lines, so
///   `LineCounter::line_at` gives the same line (only that byte offset is
///   kept, in [`Record`]: the reader's line and record number are read by
///   nobody).
///
/// A record it does not take ends it: the reader is moved to that record
/// ([`Table::read_record`]) and reads it and all that follow, so that from
/// there on the records and errors are the reader's own. The same goes for
/// delimiters the splitter cannot stand for (`\r`, `\n`, `"`) and a header
/// that is no record (the reader then has no field count to hold rows to).
#[derive(Clone, Copy, Debug)]
struct FastRows {
    /// The byte where the next record's read starts (the reader's
    /// `Position::byte` once it has read the records so far).
    pos: usize,
    delimiter: u8,
    /// The header's field count, which every record must have.
    fields: usize,
}

impl FastRows {
    /// The splitter for the records after the header that `reader` has
    /// read (`headers` fields), or `None` when it cannot stand for the
    /// reader.
    fn after_header<R: std::io::Read>(
        reader: &csv::Reader<R>,
        headers: usize,
        delimiter: u8,
    ) -> Option<FastRows> {
        if headers == 0 || matches!(delimiter, b'\r' | b'\n' | b'"') {
            return None;
        }
        Some(FastRows {
            pos: usize::try_from(reader.position().byte()).ok()?,
            delimiter,
            fields: headers,
        })
    }

    /// Reads the next record of `text` into `rec`: `Some(true)` when there
    /// was one, `Some(false)` at the end of the text, `None` when the
    /// record at `self.pos` is not one for this splitter (`rec` may then
    /// hold part of it; `self.pos` is unchanged).
    #[inline]
    fn next(&mut self, text: &[u8], rec: &mut Record) -> Option<bool> {
        let start = self.pos;
        let mut from = start;
        while let Some(b'\r' | b'\n') = text.get(from) {
            from += 1;
        }
        rec.ranges.clear();
        rec.byte = Some(start as u64);
        if from >= text.len() {
            // the reader's answer at the end: an empty record, positioned
            // where the read started, then at the end of the text
            rec.span = Some((start, start));
            self.pos = text.len();
            return Some(false);
        }
        let end = self.split(text, from, &mut rec.ranges)?;
        rec.span = Some((from, end));
        // past the `\r` or `\n` that ends the record, as the reader
        self.pos = (end + 1).min(text.len());
        Some(true)
    }

    /// Pushes to `ranges` the fields of the record that starts at `from`
    /// (as ranges from `from`) and returns its end (the offset of its `\r`
    /// or `\n`, or the text's length); `None` when it holds a `"` or not
    /// as many fields as the header. A record of the export is some 140 bytes, with a delimiter
    /// every nine.
    #[inline]
    fn split(&self, text: &[u8], from: usize, ranges: &mut Vec<(usize, usize)>) -> Option<usize> {
        // the start of the field being read, and the fields still to come,
        // that one included
        let mut field = from;
        let mut left = self.fields;
        let mut push = |end: usize| {
            if left == 1 {
                return false;
            }
            ranges.push((field - from, end - from));
            field = end + 1;
            left -= 1;
            true
        };
        let mut i = from;
        #[cfg(target_arch = "x86_64")]
        while i + 16 <= text.len() {
            let stops = crate::util::mask16(text, i, [b'\r', b'\n', b'"']);
            let mut delimiters = crate::util::mask16(text, i, [self.delimiter]);
            if stops != 0 {
                // the delimiters before the first stop
                delimiters &= (stops & stops.wrapping_neg()) - 1;
            }
            while delimiters != 0 {
                if !push(i + delimiters.trailing_zeros() as usize) {
                    return None;
                }
                delimiters &= delimiters - 1;
            }
            if stops != 0 {
                i += stops.trailing_zeros() as usize;
                break;
            }
            i += 16;
        }
        while let Some(&b) = text.get(i) {
            if matches!(b, b'\r' | b'\n' | b'"') {
                break;
            }
            if b == self.delimiter && !push(i) {
                return None;
            }
            i += 1;
        }
        if left != 1 || text.get(i) == Some(&b'"') {
            return None;
        }
        ranges.push((field - from, i - from));
        Some(i)
    }
}

/// A record position at byte `byte` (line and record number left at
/// their defaults: only the byte is read, by `LineCounter::line_at`).
fn position(byte: usize) -> csv::Position {
    let mut pos = csv::Position::new();
    pos.set_byte(byte as u64);
    pos
}

fn open_table<'a>(
    file: &str,
    text: &'a Text<'a>,
    layout: &CsvLayout,
    wanted: &[&'static str],
    mandatory: &[&'static str],
) -> Result<Table<'a>> {
    if text.is_blank() {
        return Err(Error::Empty {
            file: file.to_string(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::Cursor::new(text.bytes()));
    let headers: Vec<String> = match text {
        Text::Utf8(_) => reader
            .headers()
            .map_err(|e| csv_error(file, &e, None))?
            .iter()
            .map(|h| h.trim().to_uppercase())
            .collect(),
        Text::Windows1252(_) => reader
            .byte_headers()
            .map_err(|e| csv_error(file, &e, None))?
            .iter()
            .map(|h| text.raw(h).trim().to_uppercase())
            .collect(),
    };
    let fast = FastRows::after_header(&reader, headers.len(), layout.delimiter);
    let mut index = Vec::with_capacity(wanted.len());
    for &col in wanted {
        let name = layout.column(col).trim().to_uppercase();
        let pos = headers.iter().position(|h| *h == name);
        if pos.is_none() && mandatory.contains(&col) {
            return Err(Error::MissingColumn {
                file: file.to_string(),
                column: layout.column(col).to_string(),
            });
        }
        index.push(pos);
    }
    Ok(Table {
        file: Arc::from(file),
        text,
        reader,
        fast,
        index,
        lines: crate::read::source::LineCounter::new(text.bytes()),
    })
}

fn csv_error(
    file: &str,
    e: &csv::Error,
    lines: Option<&mut crate::read::source::LineCounter>,
) -> Error {
    let line = match (e.position(), lines) {
        (Some(p), Some(l)) => l.line_at(p.byte()),
        (Some(p), None) => p.line() as u32,
        (None, _) => 0,
    };
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Message::new(
            format!("attesi {expected_len} campi, trovati {len}"),
            format!("expected {expected_len} fields, found {len}"),
        ),
        csv::ErrorKind::Utf8 { .. } => Message::invalid_text(),
        _ => Message::raw(e.to_string()),
    };
    Error::csv(file, line, message)
}

/// Longest field of a local export, in bytes (as `Limits::max_field_len`).
pub const MAX_FIELD_LEN: usize = 64 << 10;

/// Refuses NUL bytes and over-long fields (UTF-8 bytes once decoded), naming
/// the line (never the value).
fn check_fields(file: &str, line: u32, text: &Text, rec: &Record) -> Result<()> {
    // the usual row: short, no NUL anywhere
    let all = rec.bytes(text.bytes());
    if all.len() * 3 <= MAX_FIELD_LEN && !all.contains(&0) {
        return Ok(());
    }
    for f in rec.fields(text.bytes()) {
        // decoding never shortens a field, and at most triples it
        if f.len() > MAX_FIELD_LEN
            || (f.len() * 3 > MAX_FIELD_LEN && text.decoded_len(f) > MAX_FIELD_LEN)
        {
            return Err(Error::csv(
                file,
                line,
                Message::field_too_long(MAX_FIELD_LEN),
            ));
        }
        if f.contains(&0) {
            return Err(Error::csv(file, line, Message::nul_in_field()));
        }
    }
    Ok(())
}

/// The lockable field a `BLOCCATI` name stands for (`Field::from_name`,
/// with the usual upper-case column names looked up first).
fn bloccato(name: &str) -> Option<Field> {
    match name {
        "COGNOME" => Some(Field::Cognome),
        "NOME" => Some(Field::Nome),
        "SESSO" => Some(Field::Sesso),
        "DATA_NASCITA" => Some(Field::DataNascita),
        "LUOGO_NASCITA" => Some(Field::LuogoNascita),
        "CITTADINANZA" => Some(Field::Cittadinanza),
        _ => Field::from_name(name),
    }
}

// positions in `write::local::PUPIL_COLUMNS`
const P_ID_LOCALE: usize = 0;
const P_ID_SIDI: usize = 1;
const P_CF: usize = 2;
const P_COGNOME: usize = 3;
const P_NOME: usize = 4;
const P_SESSO: usize = 5;
const P_DATA: usize = 6;
const P_LUOGO: usize = 7;
const P_CITTADINANZA: usize = 8;
const P_SEDE: usize = 9;
const P_ANNO: usize = 10;
const P_SEZIONE: usize = 11;
const P_TEMPO: usize = 12;
const P_INDIRIZZO: usize = 13;
const P_BLOCCATI: usize = 14;

fn read_pupils(
    file: &str,
    bytes: &[u8],
    layout: &CsvLayout,
    findings: &mut Vec<Finding>,
) -> Result<(Vec<LocalPupil>, LocalIndex)> {
    debug_assert_eq!(crate::write::local::PUPIL_COLUMNS[P_BLOCCATI], "BLOCCATI");
    let text = Text::of(bytes, layout);
    let mut t = open_table(
        file,
        &text,
        layout,
        &crate::write::local::PUPIL_COLUMNS,
        &MANDATORY_PUPIL_COLUMNS,
    )?;
    // a guess at the row count (rows of a local export take 100-150 bytes)
    let rows = text.bytes().len() / 128;
    let mut out: Vec<LocalPupil> = Vec::with_capacity(rows);
    // the rows' ID_LOCALE, as positions in `out` (the ids are the pupils')
    let mut ids = crate::util::Positions::with_capacity(rows);
    let mut index = LocalIndex::with_capacity(rows);
    let mut rec = Record::default();
    // the BLOCCATI texts met so far that named only known fields, and
    // their sets: an export repeats a handful of them (every lockable
    // field, or a few of them), often alternating with an empty one, and
    // splitting them at `|` row after row was a twentieth of the read
    let mut known_bloccati: HashMap<CompactString, FieldSet> = HashMap::default();
    while let Some(line) = t.next_row(file, &mut rec)? {
        let row = t.row(&rec);
        let origin = Origin::new(&t.file, line, 0);
        let id_locale: CompactString = t.get(&row, P_ID_LOCALE).into();
        if id_locale.is_empty() {
            return Err(Error::input(
                file,
                line,
                Message::column_empty(layout.column("ID_LOCALE")),
            ));
        }
        // one probe per row (entry, not get then insert)
        let id_of = |i: usize| out.get(i).map_or("", |p| p.id_locale.as_str());
        if let Some(first) = ids.first(&id_locale, out.len(), id_of) {
            return Err(Error::input(
                file,
                line,
                Message::new(
                    format!(
                        "{} {id_locale:?} già usato alla riga {}",
                        layout.column("ID_LOCALE"),
                        out[first].origin.line
                    ),
                    format!(
                        "{} {id_locale:?} already used on line {}",
                        layout.column("ID_LOCALE"),
                        out[first].origin.line
                    ),
                ),
            ));
        }
        let raw_date: CompactString = t.get(&row, P_DATA).into();
        let data_nascita = layout.date_format.parse(&raw_date);
        if data_nascita.is_none() && !raw_date.is_empty() {
            findings.push(
                Finding::new(FindingCode::LocalRecord, Some(origin.clone()))
                    .record(id_locale.as_str())
                    .field(layout.column("DATA_NASCITA"))
                    .value(raw_date.as_str())
                    .expected(date_expectation(layout)),
            );
        }
        let raw_bloccati = t.get(&row, P_BLOCCATI);
        let bloccati = if raw_bloccati.is_empty() {
            FieldSet::default()
        } else if let Some(&set) = known_bloccati.get(&*raw_bloccati) {
            set
        } else {
            let mut set = FieldSet::default();
            let mut all_known = true;
            for name in raw_bloccati.split('|') {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                match bloccato(name) {
                    Some(f) if f != Field::CodiceFiscale => set.insert(f),
                    _ => {
                        all_known = false;
                        findings.push(
                            Finding::new(FindingCode::LocalRecord, Some(origin.clone()))
                                .record(id_locale.as_str())
                                .field(layout.column("BLOCCATI"))
                                .value(name)
                                .expected(
                                    "COGNOME|NOME|SESSO|DATA_NASCITA|LUOGO_NASCITA|CITTADINANZA",
                                ),
                        )
                    }
                }
            }
            // (bounded: a hostile file cannot make it grow with every row)
            if all_known && known_bloccati.len() < KNOWN_BLOCCATI {
                known_bloccati.insert(CompactString::from(&*raw_bloccati), set);
            }
            set
        };
        let codice_fiscale = t.get(&row, P_CF);
        let id_sidi = t.get(&row, P_ID_SIDI);
        if let Some(first) = index.push(&out, &codice_fiscale, &id_sidi) {
            findings.push(
                Finding::new(FindingCode::LocalRecord, Some(origin.clone()))
                    .record(id_locale.as_str())
                    .field(layout.column("CODICE_FISCALE"))
                    .value(format!("line {}", out[first].origin.line))
                    .expected("duplicate / duplicato"),
            )
        }
        out.push(LocalPupil {
            id_locale,
            id_sidi: id_sidi.into(),
            codice_fiscale: codice_fiscale.into(),
            cognome: t.get(&row, P_COGNOME).into(),
            nome: t.get(&row, P_NOME).into(),
            sesso: t.get(&row, P_SESSO).into(),
            data_nascita_raw: raw_date,
            data_nascita,
            luogo_nascita: t.get(&row, P_LUOGO).into(),
            cittadinanza: t.get(&row, P_CITTADINANZA).into(),
            class: ClassKey::new(
                &t.get(&row, P_SEDE),
                &t.get(&row, P_ANNO),
                &t.get(&row, P_SEZIONE),
            ),
            tempo_scuola: t.get(&row, P_TEMPO).into(),
            indirizzo: t.get(&row, P_INDIRIZZO).into(),
            bloccati,
            origin,
        });
    }
    Ok((out, index))
}

/// How many distinct `BLOCCATI` texts [`read_pupils`] remembers (there are
/// 64 sets of the six lockable fields).
const KNOWN_BLOCCATI: usize = 256;

fn date_expectation(layout: &CsvLayout) -> String {
    match &layout.date_format {
        crate::date::DateFormat::Iso => "yyyy-mm-dd".to_string(),
        crate::date::DateFormat::Italian => "dd/mm/yyyy".to_string(),
        crate::date::DateFormat::Pattern(p) => p.clone(),
    }
}

fn read_classes(
    file: &str,
    bytes: &[u8],
    layout: &CsvLayout,
    findings: &mut Vec<Finding>,
) -> Result<Vec<LocalClass>> {
    // positions in `write::local::CLASS_COLUMNS`
    const SEDE: usize = 0;
    const ANNO: usize = 1;
    const SEZIONE: usize = 2;
    const TEMPO: usize = 3;
    const INDIRIZZO: usize = 4;
    let text = Text::of(bytes, layout);
    let mut t = open_table(
        file,
        &text,
        layout,
        &crate::write::local::CLASS_COLUMNS,
        &MANDATORY_CLASS_COLUMNS,
    )?;
    let mut out = Vec::new();
    let mut seen: HashSet<ClassKey> = HashSet::default();
    let mut rec = Record::default();
    while let Some(line) = t.next_row(file, &mut rec)? {
        let row = t.row(&rec);
        let origin = Origin::new(&t.file, line, 0);
        let key = ClassKey::new(
            &t.get(&row, SEDE),
            &t.get(&row, ANNO),
            &t.get(&row, SEZIONE),
        );
        if !seen.insert(key.clone()) {
            findings.push(
                Finding::new(FindingCode::LocalRecord, Some(origin))
                    .record(key.to_string())
                    .field(layout.column("SEZIONE"))
                    .value(key.to_string())
                    .expected("duplicate / duplicata"),
            );
            continue;
        }
        out.push(LocalClass {
            tempo_scuola: t.get(&row, TEMPO).into(),
            indirizzo: t.get(&row, INDIRIZZO).into(),
            key,
            origin,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::profile::Profile;

    const HEAD: &str = "ID_LOCALE;ID_ALUNNO_SIDI;CODICE_FISCALE;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;TEMPO_SCUOLA;INDIRIZZO;BLOCCATI\r\n";

    fn layout() -> CsvLayout {
        Profile::default().local
    }

    #[test]
    fn reads_default_layout_and_derives_classes() {
        let text = format!(
            "{HEAD}L1;123;RSSMRA14E52H501X;ROSSI;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;01;a;T24;;cognome|NOME\r\nL2;;BNCLCU14A01H501X;BIANCHI;LUCA;M;01/01/2014;H501;Z000;RMEE8A1016;1;A;T24;;\r\n"
        );
        let r = read_local_bytes("alunni_locali.csv", text.as_bytes(), None, &layout()).unwrap();
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let p = &r.export.pupils[0];
        assert_eq!(p.class, ClassKey::new("RMEE8A1016", "1", "A"));
        assert_eq!(p.data_nascita, crate::date::Date::new(2014, 5, 12));
        assert!(p.bloccati.contains(Field::Cognome) && p.bloccati.contains(Field::Nome));
        assert_eq!(p.origin.line, 2);
        assert_eq!(r.export.classes.len(), 1);
        assert!(!r.export.classes_declared);
        assert_eq!(r.export.sources[0].name, "alunni_locali.csv");
    }

    /// The remembered `BLOCCATI` texts give each row its own set, and an
    /// unknown name is reported on every row that has it, however the
    /// texts repeat or alternate.
    #[test]
    fn bloccati_sets_row_by_row() {
        let texts = [
            "COGNOME|NOME",
            "",
            "COGNOME|NOME",
            "COGNOME|PIPPO",
            " | ",
            "COGNOME|PIPPO",
            "nome",
            "COGNOME|NOME",
            "CODICE_FISCALE",
        ];
        let mut text = HEAD.to_string();
        for (i, b) in texts.iter().enumerate() {
            text.push_str(&format!(
                "L{i};;RSSMRA14E52H501X{i};ROSSI;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;1;A;T24;;{b}\r\n"
            ));
        }
        let r = read_local_bytes("alunni_locali.csv", text.as_bytes(), None, &layout()).unwrap();
        let sets: Vec<Vec<&str>> = r
            .export
            .pupils
            .iter()
            .map(|p| p.bloccati.iter().map(Field::name).collect())
            .collect();
        let (cn, c, none): (&[&str], &[&str], &[&str]) = (&["cognome", "nome"], &["cognome"], &[]);
        assert_eq!(sets, [cn, none, cn, c, none, c, &["nome"], cn, none]);
        let flagged: Vec<(u32, &str)> = r
            .findings
            .iter()
            .filter(|f| f.field == "BLOCCATI")
            .map(|f| (f.origin.as_ref().map_or(0, |o| o.line), f.value.as_str()))
            .collect();
        assert_eq!(
            flagged,
            [(5, "PIPPO"), (7, "PIPPO"), (10, "CODICE_FISCALE")]
        );
    }

    #[test]
    fn any_column_order_renames_and_windows_1252() {
        let mut l = layout();
        l.columns.insert("ID_LOCALE".into(), "MATRICOLA".into());
        l.delimiter = b',';
        let bytes = b"sezione,anno_corso,codice_sede,Data_Nascita,nome,cognome,codice_fiscale,matricola,EXTRA\nA,1,RMEE8A1016,12/05/2014,ZO\xC8,ROSSI,X,M7,whatever\n";
        let r = read_local_bytes("a.csv", bytes, None, &l).unwrap();
        let p = &r.export.pupils[0];
        assert_eq!(p.id_locale, "M7");
        assert_eq!(p.nome, "ZOÈ");
        assert_eq!(p.sesso, "");
    }

    /// windows-1252 read field by field gives what decoding the whole file
    /// first gave: same pupils, findings and errors.
    #[test]
    fn windows_1252_fields_match_whole_file_decoding() {
        let head = HEAD.as_bytes();
        let rows: [&[u8]; 6] = [
            // bytes that would also read as UTF-8 (C3 A8), NBSP and 0x85 around fields
            b"L1;;\xA0abc\xA0;ZO\xC3\xA8;\x85NICOL\xD2\x85; F ;12/05/2014;H501;Z000;\xA0rmee8a1016;01;a\xA0;T24;;cognome|Nome\r\n",
            // a blank row of NBSP and spaces, then quoted fields with the delimiter
            b"\xA0;\xA0; ;;;;;;;;;;;;\r\nL2;;X;\"D'AMICO; JR\";\"\xC8\";M;1/1/2014;;;S;1;A;;;PIPPO|COGNOME\r\n",
            b"L3;;x;B;C;F;01/01/2014;;;S;1;A;;;\nL4;;X;B;C;F;xx;;;S;1;A;;;\n",
            // errors: a NUL, a short row, a duplicate id
            b"L5;;A;B\x00;C;F;01/01/2014;;;S;1;A;;;\r\n",
            b"L6;;A;B;C\r\n",
            b"L7;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\nL7;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\n",
        ];
        let mut l1252 = layout();
        l1252.encoding = EncodingChoice::Fixed(WINDOWS_1252);
        let mut lutf8 = layout();
        lutf8.encoding = EncodingChoice::Fixed(encoding_rs::UTF_8);
        for n in 0..rows.len() {
            let mut bytes = head.to_vec();
            for r in &rows[..=n] {
                bytes.extend_from_slice(r);
            }
            // invalid UTF-8 somewhere, so `auto` picks windows-1252 too
            bytes.extend_from_slice(b"L9;;Z;\xD2;C;F;01/01/2014;;;S;1;A;;;\r\n");
            let decoded = WINDOWS_1252
                .decode_without_bom_handling(&bytes)
                .0
                .into_owned();
            let want = read_local_bytes("a.csv", decoded.as_bytes(), None, &lutf8);
            for l in [&layout(), &l1252] {
                let got = read_local_bytes("a.csv", &bytes, None, l);
                match (&want, &got) {
                    (Ok(w), Ok(g)) => {
                        index_as_built(w);
                        index_as_built(g);
                        assert_eq!(w.export.pupils, g.export.pupils, "rows ..={n}");
                        assert_eq!(w.export.classes, g.export.classes);
                        assert_eq!(w.findings, g.findings);
                    }
                    (Err(w), Err(g)) => assert_eq!(w.to_string(), g.to_string()),
                    _ => panic!("rows ..={n}: {want:?} vs {got:?}"),
                }
            }
        }
        let r = read_local_bytes("a.csv", &[head, rows[0]].concat(), None, &l1252).unwrap();
        let p = &r.export.pupils[0];
        assert_eq!(p.codice_fiscale, "abc");
        assert_eq!(p.cognome, "ZOÃ¨");
        assert_eq!(p.nome, "…NICOLÒ…");
        assert_eq!(p.class, ClassKey::new("RMEE8A1016", "1", "A"));
        // blank files, NBSP included, are empty
        let e = read_local_bytes("a.csv", b" \xA0\r\n", None, &l1252).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }

    /// The reader's index answers as one built from the export it read.
    fn index_as_built(r: &LocalRead) {
        let e = &r.export;
        let built = LocalIndex::of(e);
        assert!(r.index.fits(e));
        for l in &e.pupils {
            let cf = crate::model::matching_key(&l.codice_fiscale);
            let lower = cf.to_lowercase();
            for k in [&*cf, l.codice_fiscale.as_str(), &lower, "", "NOPE"] {
                assert_eq!(r.index.by_cf(e, k), built.by_cf(e, k), "{k:?}");
            }
            for k in [l.id_sidi.as_str(), l.id_sidi.trimmed(), "", "NOPE"] {
                assert_eq!(r.index.by_id_sidi(e, k), built.by_id_sidi(e, k), "{k:?}");
            }
        }
    }

    #[test]
    fn index_of_repeated_and_odd_keys() {
        let csv = format!(
            "{HEAD}L1;11;abc;B;C;F;01/01/2014;;;S;1;A;;;\r\nL2; 11 ;ABC;B;C;F;01/01/2014;;;S;1;A;;;\r\n\
             L3;;;B;C;F;01/01/2014;;;S;1;A;;;\r\nL4;22; Abc ;B;C;F;01/01/2014;;;S;1;A;;;\r\n"
        );
        let r = read_local_bytes("al.csv", csv.as_bytes(), None, &layout()).unwrap();
        index_as_built(&r);
        let e = &r.export;
        assert_eq!(r.index.by_cf(e, "ABC"), Some(0));
        assert_eq!(r.index.by_id_sidi(e, "11"), Some(0));
        assert_eq!(r.index.by_id_sidi(e, "22"), Some(3));
        // the two later pupils with the codice fiscale of line 2 are warned about
        let dups: Vec<_> = r.findings.iter().map(|f| (&f.record, &f.value)).collect();
        assert_eq!(dups.len(), 2, "{dups:?}");
        assert!(dups.iter().all(|(_, v)| *v == "line 2"), "{dups:?}");
    }

    #[test]
    fn errors_name_file_and_line() {
        let dup = format!(
            "{HEAD}L1;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\nL1;;B;B;C;F;01/01/2014;;;S;1;A;;;\r\n"
        );
        let e = read_local_bytes("al.csv", dup.as_bytes(), None, &layout()).unwrap_err();
        assert!(e.to_string().starts_with("al.csv:3:"), "{e}");
        assert!(
            e.to_string().contains("\"L1\" already used on line 2"),
            "{e}"
        );
        let e = read_local_bytes("al.csv", b"", None, &layout()).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }));
        let e =
            read_local_bytes("al.csv", b"ID_LOCALE;NOME\r\nx;y\r\n", None, &layout()).unwrap_err();
        assert!(matches!(e, Error::MissingColumn { .. }), "{e}");
        let bad = format!("{HEAD}L1;;A;B;C\r\n");
        let e = read_local_bytes("al.csv", bad.as_bytes(), None, &layout()).unwrap_err();
        assert!(e.to_string().starts_with("al.csv:2:"), "{e}");
    }

    #[test]
    fn lines_count_quoted_line_ends_and_blank_lines() {
        // row 1 on line 2; a quoted line end in row 2 (lines 3-4); a blank
        // line (5); row 3 on line 6, with a bad date so that it has a finding
        let text = format!(
            "{HEAD}L1;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\nL2;;\"A\nB\";B;C;F;01/01/2014;;;S;1;A;;;\r\n\r\nL3;;A;B;C;F;31/02/2014;;;S;1;A;;;\r\n"
        );
        let r = read_local_bytes("al.csv", text.as_bytes(), None, &layout()).unwrap();
        let lines: Vec<u32> = r.export.pupils.iter().map(|p| p.origin.line).collect();
        assert_eq!(lines, [2, 3, 6]);
        let dup = text.replace("L3;", "L1;");
        let e = read_local_bytes("al.csv", dup.as_bytes(), None, &layout()).unwrap_err();
        assert!(e.to_string().starts_with("al.csv:6:"), "{e}");
        // line feeds only, two blank lines
        let lf = text.replace("\r\n", "\n").replace("\n\nL3", "\n\n\nL3");
        let r = read_local_bytes("al.csv", lf.as_bytes(), None, &layout()).unwrap();
        let lines: Vec<u32> = r.export.pupils.iter().map(|p| p.origin.line).collect();
        assert_eq!(lines, [2, 3, 7]);
    }

    #[test]
    fn warnings_for_rows() {
        let text = format!("{HEAD}L1;;A;B;C;F;31/02/2014;;;S;1;A;;;COGNOME|PIPPO\r\nL2;;a;B;C;F;01/01/2014;;;S;1;A;;;\r\n");
        let r = read_local_bytes("al.csv", text.as_bytes(), None, &layout()).unwrap();
        assert_eq!(r.findings.len(), 3);
        assert!(r
            .findings
            .iter()
            .all(|f| f.code == FindingCode::LocalRecord));
        assert_eq!(r.export.pupils[0].data_nascita_raw, "31/02/2014");
    }

    #[test]
    fn declared_classes() {
        let text = format!("{HEAD}L1;;A;B;C;F;01/01/2014;;;S;1;A;;;\r\n");
        let classes = b"CODICE_SEDE;ANNO_CORSO;SEZIONE;TEMPO_SCUOLA;INDIRIZZO\r\nS;1;A;T;\r\nS;2;B;T;\r\nS;2;B;T;\r\n";
        let r = read_local_bytes(
            "al.csv",
            text.as_bytes(),
            Some(("classi_locali.csv", classes)),
            &layout(),
        )
        .unwrap();
        assert!(r.export.classes_declared);
        assert_eq!(r.export.classes.len(), 2);
        assert_eq!(r.findings.len(), 1);
    }

    /// What reading a table gives: each row's line, position and fields,
    /// then the error that ended it, if any (`fast`: with [`FastRows`];
    /// otherwise by the csv reader alone).
    #[allow(clippy::type_complexity)]
    fn table_rows(
        bytes: &[u8],
        layout: &CsvLayout,
        fast: bool,
    ) -> (Vec<(u32, u64, Vec<Vec<u8>>)>, Option<String>) {
        let text = Text::of(bytes, layout);
        let mut t = match open_table("t.csv", &text, layout, &[], &[]) {
            Ok(t) if fast => t,
            Ok(t) => t.csv_only(),
            Err(e) => return (Vec::new(), Some(e.to_string())),
        };
        let mut rows = Vec::new();
        let mut rec = Record::default();
        loop {
            match t.next_row("t.csv", &mut rec) {
                Ok(Some(line)) => {
                    let byte = rec.byte.unwrap_or(u64::MAX);
                    let fields = rec.fields(text.bytes()).map(<[u8]>::to_vec).collect();
                    rows.push((line, byte, fields));
                }
                Ok(None) => return (rows, None),
                Err(e) => return (rows, Some(e.to_string())),
            }
        }
    }

    /// Whether the fast path reads `bytes` as the csv reader does (rows,
    /// their lines and positions, the error).
    fn same_rows(bytes: &[u8], layout: &CsvLayout) -> Result<(), String> {
        let (want, want_err) = table_rows(bytes, layout, false);
        let (got, got_err) = table_rows(bytes, layout, true);
        if want != got || want_err != got_err {
            return Err(format!(
                "{:?}\ncsv:  {want:?} {want_err:?}\nfast: {got:?} {got_err:?}",
                String::from_utf8_lossy(bytes)
            ));
        }
        Ok(())
    }

    fn delimited(delimiter: u8, encoding: EncodingChoice) -> CsvLayout {
        let mut l = layout();
        l.delimiter = delimiter;
        l.encoding = encoding;
        l
    }

    /// The layouts the fast path is checked under: `;` and `,` (each the
    /// other's plain byte), UTF-8 and windows-1252 texts.
    fn layouts() -> Vec<CsvLayout> {
        let mut out = Vec::new();
        for d in [b';', b','] {
            for e in [
                EncodingChoice::Auto,
                EncodingChoice::Fixed(WINDOWS_1252),
                EncodingChoice::Fixed(encoding_rs::UTF_8),
            ] {
                out.push(delimited(d, e));
            }
        }
        out
    }

    fn assert_same_rows(bytes: &[u8]) {
        for l in layouts() {
            if let Err(e) = same_rows(bytes, &l) {
                panic!("delimiter {:?}, {:?}: {e}", l.delimiter as char, l.encoding);
            }
        }
    }

    #[test]
    fn fast_rows_plain_lines_blank_lines_and_line_ends() {
        let text = b"A;B;C\r\n1;2;3\r\n\r\n\r\n4;;6\n\n7;8;9\r10;11;12\r\r\n ; ;\t\n;;\r\nx;y;z";
        assert_same_rows(text);
        let l = layout();
        let (rows, err) = table_rows(text, &l, true);
        assert_eq!(err, None);
        let lines: Vec<u32> = rows.iter().map(|r| r.0).collect();
        // a lone `\r` ends a record but not a line; blank rows are skipped
        assert_eq!(lines, [2, 5, 7, 7, 10]);
        // positions: after the previous record's `\r` (at its `\n`) or `\n`
        assert_eq!(rows[0].1, 6);
        assert_eq!(rows[1].1, 13);
        assert_eq!(
            rows.last().map(|r| r.2.clone()),
            Some(vec![b"x".to_vec(), b"y".to_vec(), b"z".to_vec()])
        );
        // the header alone, with and without its line end; blank lines after it
        for t in [
            &b"A;B"[..],
            b"A;B\r\n",
            b"A;B\n\n\r\n",
            b"\r\n\nA;B\r\n1;2\r\n",
        ] {
            assert_same_rows(t);
        }
    }

    #[test]
    fn fast_rows_fall_back_on_quotes() {
        // a quoted line end in a later row; the rows after it still right
        let text =
            b"A;B;C\r\n1;2;3\r\n4;\"x\r\ny\";6\r\n7;8;9\r\n\"\";\"a\"\"b\";c\"d\r\n10;11;12\n";
        assert_same_rows(text);
        let (rows, err) = table_rows(text, &layout(), true);
        assert_eq!(err, None);
        let lines: Vec<u32> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 3, 5, 6, 7]);
        assert_eq!(rows[1].2[1], b"x\r\ny");
        assert_eq!(rows[3].2, [&b""[..], b"a\"b", b"c\"d"]);
        // a quote in the first row, right after the header's `\r`; a quote
        // that is not at a field's start; an unclosed quote at the end
        assert_same_rows(b"A;B\r\n\"1\";2\r\n3;4\r\n");
        assert_same_rows(b"A;B\r\n1;2\"\r\n3;4\r\n");
        assert_same_rows(b"A;B\r\n1;2\r\n3;\"4\r\n5;6\r\n");
    }

    #[test]
    fn fast_rows_field_counts_are_held_to_the_header() {
        // too many fields in the first row: the header's count is expected
        // (a reader started on the rows would compare with the first row)
        let (rows, err) = table_rows(b"A;B;C\r\n1;2;3;4\r\n1;2;3;4\r\n", &layout(), true);
        assert!(rows.is_empty());
        assert_eq!(err.as_deref(), Some("t.csv:2: expected 3 fields, found 4"));
        // too few after blank lines and good rows
        let text = b"A;B;C\r\n1;2;3\r\n\r\n1;2\r\n";
        let (rows, err) = table_rows(text, &layout(), true);
        assert_eq!(rows.len(), 1);
        assert_eq!(err.as_deref(), Some("t.csv:4: expected 3 fields, found 2"));
        for t in [
            &text[..],
            b"A;B;C\r\n1;2;3;4\r\n",
            b"A;B;C\r\n1;2;3\r\n;;;\r\n",
            b"A;B;C\r\n1;2;3\r\n\r\n",
            b"A;B;C\r\n1;2;3\r\n4",
            b"A\n1\n\n2\n;\n",
        ] {
            assert_same_rows(t);
        }
    }

    #[test]
    fn fast_rows_byte_order_marks() {
        // a BOM at the start (stripped by the reader or by `Text::of`), and
        // the same three bytes opening a later record: plain bytes there,
        // also when that record is the first the fast path leaves to the
        // reader (a reader moved there would drop them as a BOM), with its
        // position and, for a wrong field count, its line
        for t in [
            &b"\xEF\xBB\xBFA;B\r\n1;2\r\n"[..],
            b"\xEF\xBB\xBFA;B\r\n\xEF\xBB\xBF1;2\r\n",
            b"A;B\r\n1;2\r\n\xEF\xBB\xBF\"x\";2\r\n3;4\r\n",
            b"A;B\n1;2\n\xEF\xBB\xBF1;2;3\n",
            b"A;B\r\n\xEF\xBB\xBF\"x\";2\r\n",
            b"\xEF\xBB\xBFA;B\r\n\xEF\xBB\xBF\"x\";2\r\n",
        ] {
            assert_same_rows(t);
        }
        let mut l = layout();
        l.encoding = EncodingChoice::Fixed(WINDOWS_1252);
        let (rows, err) = table_rows(b"A;B\r\n1;2\r\n\xEF\xBB\xBF\"x\";2\r\n", &l, true);
        assert_eq!(err, None);
        assert_eq!(rows[1].2[0], b"\xEF\xBB\xBF\"x\"");
        assert_eq!(rows[1].0, 3);
    }

    #[test]
    fn fast_rows_long_records() {
        // fields across the splitter's sixteen-byte blocks; a quote, a line
        // end, a delimiter or a plain byte put at every offset of a record
        let head: Vec<String> = (0..40).map(|i| format!("H{i}")).collect();
        let row: Vec<String> = (0..40).map(|i| format!("f{i:03}xyz")).collect();
        let (head, row) = (head.join(";").into_bytes(), row.join(";").into_bytes());
        for at in 0..row.len() {
            for odd in [b'"', b'\r', b'\n', b';', b',', b'x'] {
                let mut changed = row.clone();
                changed[at] = odd;
                let text = [
                    &head,
                    &b"\r\n"[..],
                    &row,
                    b"\r\n",
                    &changed,
                    b"\r\n",
                    &row,
                    b"\n",
                ]
                .concat();
                assert_same_rows(&text);
                assert_same_rows(&text[..text.len() - 1 - row.len()]);
            }
        }
        // a field too long, and one with a NUL byte
        let long = vec![b'x'; MAX_FIELD_LEN + 1];
        let text = [&b"A;B\n1;2\n3;"[..], &long, b"\n"].concat();
        assert_same_rows(&text);
        let (_, err) = table_rows(&text, &layout(), true);
        assert_eq!(
            err.as_deref(),
            Some("t.csv:3: a field is longer than 65536 bytes")
        );
        assert_same_rows(b"A;B\n1;2\n3;\x00\n");
    }

    #[test]
    fn fast_rows_fall_back_past_the_readers_buffer() {
        // The csv reader reads its input 8 KiB at a time; the record the
        // fast path leaves to it is put before, across and after the end
        // of the reader's first buffer (which the move drops and refills).
        let mut head = b"A;B;C\r\n".to_vec();
        let mut i = 0;
        while head.len() < 8150 {
            head.extend_from_slice(format!("{i};x{};y\r\n", "z".repeat(i % 37)).as_bytes());
            i += 1;
        }
        for pad in 0..90 {
            let mut text = head.clone();
            text.extend_from_slice(format!("p;{};q\n", "w".repeat(pad)).as_bytes());
            let at = text.len();
            for odd in [
                &b"\xEF\xBB\xBF\"q\";1;2\r\n"[..],
                b"\"q\";1;2\n",
                b"1;2\r",
                b"\xEF\xBB\xBF1;2;3;4\n",
                b"\r\n\r\n\"a\r\nb\";c;d\r\n",
            ] {
                let mut t = text.clone();
                t.extend_from_slice(odd);
                for j in 0..20 {
                    t.extend_from_slice(format!("{j};x;y\n").as_bytes());
                }
                assert_same_rows(&t);
                assert_same_rows(&t[..at + odd.len()]);
            }
        }
    }

    #[test]
    fn fast_rows_delimiters_from_the_byte_order_mark() {
        // a delimiter that is one of the mark's bytes: the mark opening a
        // record is cut there as by the reader, as is the one the reader
        // drops at the start of the file
        for d in [0xEF, 0xBB, 0xBF] {
            for e in [
                EncodingChoice::Auto,
                EncodingChoice::Fixed(WINDOWS_1252),
                EncodingChoice::Fixed(encoding_rs::UTF_8),
            ] {
                let l = delimited(d, e);
                for t in [
                    &b"\xEF\xBB\xBFA\xEFB\xBBC\xBFD\r\n\xEF\xBB\xBF\r\n"[..],
                    b"A\xBBB\n\xEF\xBB\xBF\n\xEF\xBB\xBF\"x\"\n1\xBB2\n",
                    b"A\xEFB\r\xEF\xBB\xBF\r\xEF\xBB\xBF\"\xEF\"\r",
                ] {
                    if let Err(m) = same_rows(t, &l) {
                        panic!("delimiter {d:#x}, {e:?}: {m}");
                    }
                }
            }
        }
    }

    #[test]
    fn fast_rows_not_taken_for_odd_delimiters() {
        for d in [b'\r', b'\n', b'"'] {
            let l = delimited(d, EncodingChoice::Auto);
            let text = Text::of(b"A;B\r\n1;2\r\n", &l);
            let t = open_table("t.csv", &text, &l, &[], &[]).unwrap();
            assert!(t.fast.is_none());
            same_rows(b"A;B\r\n1;2\r\n", &l).unwrap();
        }
        let l = layout();
        let text = Text::of(b"A;B\r\n1;2\r\n", &l);
        assert!(open_table("t.csv", &text, &l, &[], &[])
            .unwrap()
            .fast
            .is_some());
    }

    /// Pieces of CSV text: plain fields, the delimiters, quotes, line ends,
    /// white space, non-ASCII bytes (UTF-8 or not) and a byte-order mark.
    fn csv_piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            6 => "[a-z0-9]{0,6}".prop_map(String::into_bytes),
            1 => Just(b";".to_vec()),
            1 => Just(b",".to_vec()),
            1 => Just(b"\"".to_vec()),
            1 => Just(b"\"a;b\"".to_vec()),
            1 => Just(b"\r".to_vec()),
            1 => Just(b"\n".to_vec()),
            1 => Just(b"\r\n".to_vec()),
            1 => Just(b" ".to_vec()),
            1 => Just(b"\t".to_vec()),
            1 => Just("è".as_bytes().to_vec()),
            1 => Just(b"\xE8".to_vec()),
            1 => Just(b"\xA0".to_vec()),
            1 => Just(b"\xEF\xBB\xBF".to_vec()),
            1 => Just(b"\x00".to_vec()),
        ]
    }

    /// A field: mostly plain, now and then with odd pieces.
    fn csv_field() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            12 => "[A-Za-z0-9 ]{0,8}".prop_map(String::into_bytes),
            1 => proptest::collection::vec(csv_piece(), 0..4).prop_map(|p| p.concat()),
        ]
    }

    /// A line: a row of fields (about the header's count), a blank line, or
    /// free text; then its line end (none at the end of the text).
    fn csv_line(fields: usize) -> impl Strategy<Value = Vec<u8>> {
        let count = prop_oneof![
            10 => Just(fields),
            1 => Just(fields.saturating_sub(1)),
            1 => Just(fields + 1),
        ];
        let row = (
            count.prop_flat_map(|n| proptest::collection::vec(csv_field(), n..=n)),
            prop_oneof![4 => Just(b';'), 1 => Just(b',')],
        )
            .prop_map(|(f, d)| f.join(&[d][..]));
        let body = prop_oneof![
            8 => row,
            1 => Just(Vec::new()),
            1 => proptest::collection::vec(csv_piece(), 0..8).prop_map(|p| p.concat()),
        ];
        let end = prop_oneof![
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(Vec::new()),
        ];
        (body, end).prop_map(|(b, e)| [b, e].concat())
    }

    fn csv_text() -> impl Strategy<Value = Vec<u8>> {
        (1usize..5, any::<bool>()).prop_flat_map(|(fields, bom)| {
            (
                proptest::collection::vec("[A-Z]{1,3}", fields..=fields),
                prop_oneof![Just(b"\r\n".to_vec()), Just(b"\n".to_vec())],
                proptest::collection::vec(csv_line(fields), 0..16),
            )
                .prop_map(move |(head, end, lines)| {
                    let mut t = if bom {
                        b"\xEF\xBB\xBF".to_vec()
                    } else {
                        Vec::new()
                    };
                    t.extend_from_slice(head.join(";").as_bytes());
                    t.extend_from_slice(&end);
                    for l in lines {
                        t.extend_from_slice(&l);
                    }
                    t
                })
        })
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn fast_rows_agree_with_the_csv_reader(text in csv_text()) {
            for l in layouts() {
                if let Err(e) = same_rows(&text, &l) {
                    prop_assert!(false, "delimiter {:?}, {:?}: {}", l.delimiter as char, l.encoding, e);
                }
            }
        }
    }
}
