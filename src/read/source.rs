//! Opening a SIDI export: plain file, directory of CSV files or `.zip`;
//! content sniffing; hardening limits; a position-tracking, hashing reader.
//!
//! Nothing is ever extracted to disk: archive members are inflated as
//! streams, through [`RatioGuard`] (compression ratio and total size checked
//! while inflating, headers are not trusted) into a [`Tracked`] reader that
//! counts lines, enforces per-token and per-line limits, computes SHA-256 of
//! the bytes read and, for XML, transcodes the declared encoding to UTF-8.

use super::profile::Profile;
use super::Limits;
use crate::error::{Error, Message, Result};
use crate::model::SourceFile;
use encoding_rs::{DecoderResult, Encoding, UTF_8};
use sha2::{Digest, Sha256};
use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// How many leading bytes content sniffing looks at.
pub const SNIFF_LEN: usize = 8 * 1024;
const BUF_LEN: usize = 64 * 1024;

/// A problem found by the I/O layer, carried inside an [`io::Error`] so that
/// it crosses the XML and CSV parsers and can be turned back into a typed
/// [`Error`] with the position where it happened.
#[derive(Debug)]
pub enum Fault {
    /// A hardening limit was exceeded.
    Limit(Message),
    /// Bytes that are not valid in the document's encoding.
    Encoding {
        encoding: &'static str,
        bytes: Vec<u8>,
        offset: u64,
    },
}

impl Fault {
    /// What went wrong, in both languages.
    pub fn message(&self) -> Message {
        match self {
            Fault::Limit(m) => m.clone(),
            Fault::Encoding {
                encoding,
                bytes,
                offset,
            } => {
                let hex: String = bytes.iter().map(|b| format!(" 0x{b:02X}")).collect();
                Message::new(
                    format!(
                        "byte non validi nella codifica dichiarata {encoding}:{hex} (posizione {offset})"
                    ),
                    format!(
                        "bytes not valid in the declared encoding {encoding}:{hex} (byte offset {offset})"
                    ),
                )
            }
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message().en())
    }
}

impl std::error::Error for Fault {}

/// The [`Fault`] inside an I/O error, if it is one of ours.
pub fn fault_of(e: &io::Error) -> Option<&Fault> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Fault>())
}

fn fault(f: Fault) -> io::Error {
    io::Error::other(f)
}

/// A buffered reader that tracks the line and column of what its consumer
/// has consumed, hashes the raw bytes it reads, optionally transcodes to
/// UTF-8 (validating UTF-8 on the way), and enforces two limits: bytes since
/// a [`Tracked::mark`] (one XML token) and bytes since the last line break
/// (one CSV line).
pub struct Tracked<R> {
    inner: R,
    hasher: Option<Sha256>,
    raw_total: u64,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_len: usize,
    eof: bool,
    done: bool,
    pending: Option<Fault>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    consumed: u64,
    line: u32,
    line_start: u64,
    run_start: u64,
    mark: u64,
    token_limit: u64,
    line_limit: u64,
    line_over: bool,
}

impl<R: Read> Tracked<R> {
    pub fn new(inner: R, hash: bool) -> Tracked<R> {
        Tracked {
            inner,
            hasher: hash.then(Sha256::new),
            raw_total: 0,
            decoder: None,
            raw: Vec::new(),
            raw_pos: 0,
            raw_len: 0,
            eof: false,
            done: false,
            pending: None,
            buf: vec![0; BUF_LEN],
            pos: 0,
            len: 0,
            consumed: 0,
            line: 1,
            line_start: 0,
            run_start: 0,
            mark: 0,
            token_limit: u64::MAX,
            line_limit: u64::MAX,
            line_over: false,
        }
    }

    /// Limits the bytes of one token (counted from the last [`Tracked::mark`]).
    pub fn set_token_limit(&mut self, n: u64) {
        self.token_limit = n;
    }
    /// Limits the bytes of one line (between `\n` or `\r`).
    pub fn set_line_limit(&mut self, n: u64) {
        self.line_limit = n;
    }
    /// Starts a new token: the token limit counts from here.
    #[inline]
    pub fn mark(&mut self) {
        self.mark = self.consumed;
    }
    /// 1-based line of the next byte to be consumed.
    #[inline]
    pub fn line(&self) -> u32 {
        self.line
    }
    /// 1-based column (bytes of UTF-8 text) of the next byte to be consumed.
    #[inline]
    pub fn column(&self) -> u32 {
        (self.consumed - self.line_start + 1).min(u64::from(u32::MAX)) as u32
    }

    /// Reads raw bytes, retrying on interruption, hashing what is read.
    fn read_raw(&mut self, into_raw: bool) -> io::Result<usize> {
        loop {
            let dst = if into_raw {
                &mut self.raw[self.raw_len..]
            } else {
                &mut self.buf[self.len..]
            };
            match self.inner.read(dst) {
                Ok(n) => {
                    let got = if into_raw {
                        &self.raw[self.raw_len..self.raw_len + n]
                    } else {
                        &self.buf[self.len..self.len + n]
                    };
                    if let Some(h) = self.hasher.as_mut() {
                        h.update(got);
                    }
                    self.raw_total += n as u64;
                    if n == 0 {
                        self.eof = true;
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes at least `n` bytes available (fewer at end of input) without
    /// consuming them; only before a decoder is set. Returns them.
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        debug_assert!(self.decoder.is_none());
        let n = n.min(self.buf.len());
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        while self.len < n && !self.eof {
            let got = self.read_raw(false)?;
            self.len += got;
        }
        Ok(&self.buf[self.pos..self.len])
    }

    /// From now on, the bytes are decoded from `enc` to UTF-8 (a UTF-8 BOM
    /// is removed); malformed input becomes an error at its position.
    pub fn set_decoder(&mut self, enc: &'static Encoding) {
        // Bytes already buffered are raw: move them to the raw side.
        let rest = &self.buf[self.pos..self.len];
        let mut raw = vec![0; BUF_LEN.max(rest.len())];
        raw[..rest.len()].copy_from_slice(rest);
        self.raw_pos = 0;
        self.raw_len = rest.len();
        self.raw = raw;
        self.pos = 0;
        self.len = 0;
        self.decoder = Some(if enc == UTF_8 {
            enc.new_decoder_with_bom_removal()
        } else {
            enc.new_decoder_without_bom_handling()
        });
    }

    fn refill(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.len = 0;
        if self.decoder.is_none() {
            if !self.eof {
                self.len = self.read_raw(false)?;
            }
            return Ok(());
        }
        loop {
            if let Some(f) = self.pending.take() {
                return Err(fault(f));
            }
            if self.done {
                return Ok(());
            }
            if self.raw_pos == self.raw_len && !self.eof {
                self.raw_pos = 0;
                self.raw_len = 0;
                let n = self.read_raw(true)?;
                self.raw_len = n;
            }
            let last = self.eof;
            let dec = self.decoder.as_mut().expect("decoder set");
            let (res, read, written) = dec.decode_to_utf8_without_replacement(
                &self.raw[self.raw_pos..self.raw_len],
                &mut self.buf,
                last,
            );
            self.raw_pos += read;
            self.len = written;
            if let DecoderResult::Malformed(bad, after) = res {
                let end = self.raw_pos - after as usize;
                let start = end.saturating_sub(bad as usize);
                let pending_raw = (self.raw_len - self.raw_pos) as u64 + u64::from(after);
                self.pending = Some(Fault::Encoding {
                    encoding: dec.encoding().name(),
                    bytes: self.raw[start..end].to_vec(),
                    offset: self.raw_total - pending_raw - u64::from(bad),
                });
            }
            if last && self.raw_pos == self.raw_len && matches!(res, DecoderResult::InputEmpty) {
                self.done = true;
            }
            if written > 0 || (self.done && self.pending.is_none()) {
                return Ok(());
            }
            if matches!(res, DecoderResult::OutputFull) {
                // Cannot happen with an empty output of 64 KiB, but do not spin.
                return Ok(());
            }
        }
    }

    fn check_limits(&self) -> io::Result<()> {
        if self.consumed - self.mark > self.token_limit {
            return Err(fault(Fault::Limit(Message::new(
                format!(
                    "un singolo token XML (tag, testo, attributo) è più lungo di {} byte",
                    self.token_limit
                ),
                format!(
                    "a single XML token is longer than {} bytes",
                    self.token_limit
                ),
            ))));
        }
        if self.line_over || self.consumed - self.run_start > self.line_limit {
            return Err(fault(Fault::Limit(Message::new(
                format!("una riga è più lunga di {} byte", self.line_limit),
                format!("a line is longer than {} bytes", self.line_limit),
            ))));
        }
        Ok(())
    }

    /// Reads everything left (so that the hash covers the whole input).
    pub fn drain(&mut self) -> io::Result<()> {
        self.token_limit = u64::MAX;
        self.line_limit = u64::MAX;
        self.line_over = false;
        loop {
            let n = self.fill_buf()?.len();
            if n == 0 {
                return Ok(());
            }
            self.consume(n);
        }
    }

    /// The SHA-256 and size of the raw bytes read so far (when hashing).
    pub fn source_file(&mut self, name: &str) -> Option<SourceFile> {
        let h = self.hasher.take()?;
        Some(SourceFile {
            name: name.to_string(),
            size: self.raw_total,
            sha256: crate::util::hex(&h.finalize()),
        })
    }
}

impl<R: Read> BufRead for Tracked<R> {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.len {
            self.check_limits()?;
            self.refill()?;
        } else if self.consumed - self.mark > self.token_limit {
            self.check_limits()?;
        }
        Ok(&self.buf[self.pos..self.len])
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        let n = n.min(self.len - self.pos);
        let s = &self.buf[self.pos..self.pos + n];
        let nl = count_newlines(s);
        if nl > 0 {
            self.line = self.line.saturating_add(nl as u32);
            let last = s.iter().rposition(|&b| b == b'\n').unwrap_or(0);
            self.line_start = self.consumed + last as u64 + 1;
        }
        if self.line_limit != u64::MAX {
            let mut off = 0u64;
            for seg in s.split(|&b| b == b'\n' || b == b'\r') {
                let start = if off == 0 {
                    self.run_start
                } else {
                    self.consumed + off
                };
                if self.consumed + off + seg.len() as u64 - start > self.line_limit {
                    self.line_over = true;
                }
                off += seg.len() as u64 + 1;
            }
            if let Some(last) = s.iter().rposition(|&b| b == b'\n' || b == b'\r') {
                self.run_start = self.consumed + last as u64 + 1;
            }
        }
        self.consumed += n as u64;
        self.pos += n;
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        if self.line_over {
            self.check_limits()?;
        }
        Ok(n)
    }
}

/// Number of `\n` in `s`. The text before the first one is skipped with a
/// search: most texts counted (the stretch between two start tags, a CSV
/// record) hold one line end or none, and the search answers those alone.
/// Past it, a long text (a whole export) goes 64 bytes at a time into
/// sixty-four one-byte counters, summed every 255 blocks before one could
/// overflow: the compiler turns that loop into vector compares, several
/// times faster than eight bytes at a time. A short one goes eight bytes
/// at a time, which costs less to start.
#[inline]
pub(crate) fn count_newlines(s: &[u8]) -> usize {
    match memchr::memchr(b'\n', s) {
        None => 0,
        Some(i) => 1 + scan_newlines(&s[i + 1..]),
    }
}

/// Number of `\n` in `s`, every byte looked at (see [`count_newlines`]).
fn scan_newlines(s: &[u8]) -> usize {
    const LANES: usize = 64;
    if s.len() < 4 * LANES {
        return count_newlines_by_8(s);
    }
    let mut n = 0usize;
    for round in s.chunks(255 * LANES) {
        let mut blocks = round.chunks_exact(LANES);
        let mut acc = [0u8; LANES];
        for b in &mut blocks {
            for (a, &c) in acc.iter_mut().zip(b) {
                *a += u8::from(c == b'\n');
            }
        }
        n += acc.iter().map(|&a| usize::from(a)).sum::<usize>();
        n += count_newlines_by_8(blocks.remainder());
    }
    n
}

/// [`count_newlines`] eight bytes at a time.
#[inline]
fn count_newlines_by_8(s: &[u8]) -> usize {
    const LO: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const NL: u64 = 0x0A0A_0A0A_0A0A_0A0A;
    let mut chunks = s.chunks_exact(8);
    let mut n = 0usize;
    for c in &mut chunks {
        let x = u64::from_ne_bytes(c.try_into().unwrap_or([0; 8])) ^ NL;
        // High bit set in every byte of `x` that is zero (a newline).
        let t = !(((x & LO) + LO) | x | LO);
        n += t.count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Turns the byte offsets of CSV records (as the csv crate gives them,
/// increasing) into 1-based line numbers in O(n) total.
/// (The csv crate's own line count is one short after a CRLF: a record's
/// position points at the `\n` of the previous line end.)
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    /// A counter over `text`, at line 1.
    pub(crate) fn new(text: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The line of the CSV record that the reader places at `byte`.
    pub(crate) fn line_at(&mut self, byte: u64) -> u32 {
        // a record after blank lines starts, for the CSV reader, where the
        // first of them does: its line is past them (`\r\n` or `\n` each)
        let mut byte = (byte as usize).min(self.text.len());
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += count_newlines(&self.text[self.pos..byte]) as u32;
        self.pos = byte;
        self.line
    }
}

/// Inflated bytes of one archive member, checked against the compression
/// ratio and the archive's total uncompressed size while they are produced.
pub struct RatioGuard<R> {
    inner: R,
    entry: Arc<str>,
    out: u64,
    allowed: u64,
    ratio: u64,
    total: Rc<Cell<u64>>,
    max_total: u64,
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        self.total.set(self.total.get() + n as u64);
        if self.out > self.allowed {
            return Err(fault(Fault::Limit(Message::new(
                format!(
                    "{}: rapporto di compressione oltre {}:1 (una zip bomb?)",
                    self.entry, self.ratio
                ),
                format!(
                    "{}: compression ratio above {}:1 (a zip bomb?)",
                    self.entry, self.ratio
                ),
            ))));
        }
        if self.total.get() > self.max_total {
            return Err(fault(Fault::Limit(Message::new(
                format!("più di {} byte una volta decompresso", self.max_total),
                format!("more than {} bytes once uncompressed", self.max_total),
            ))));
        }
        Ok(n)
    }
}

/// What a file or member holds, by content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A `.zip` (nested, when inside an archive).
    Zip,
    /// An XML document; `sidi` when its root is the export's root element
    /// (or could not be told because of a DOCTYPE, which the reader refuses).
    Xml {
        sidi: bool,
        root: String,
    },
    Csv(CsvKind),
    /// Nothing the readers take; why, for the user.
    Unknown(Message),
}

/// The four CSV files of the CSV form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CsvKind {
    Codifiche,
    Sedi,
    Classi,
    Alunni,
}

impl CsvKind {
    pub fn file_name(self) -> &'static str {
        match self {
            CsvKind::Codifiche => "codifiche.csv",
            CsvKind::Sedi => "sedi.csv",
            CsvKind::Classi => "classi.csv",
            CsvKind::Alunni => "alunni.csv",
        }
    }
    /// The columns that tell this file apart from the other three.
    fn distinctive(self) -> &'static [&'static str] {
        match self {
            CsvKind::Codifiche => &["TIPO", "CODICE", "DESCRIZIONE"],
            CsvKind::Sedi => &["CODICE_COMUNE", "DENOMINAZIONE"],
            CsvKind::Classi => &["CODICE_TEMPO_SCUOLA", "CODICE_INDIRIZZO"],
            CsvKind::Alunni => &[
                "CODICE_SCUOLA",
                "ID_ALUNNO_SIDI",
                "CODICE_FISCALE",
                "COGNOME",
                "NOME",
                "DATA_NASCITA",
                "STATO_FREQUENZA",
            ],
        }
    }
}

impl Kind {
    /// What the file is, for the user.
    pub fn describe(&self) -> Message {
        match self {
            Kind::Zip => Message::new("archivio annidato (ignorato)", "nested archive (ignored)"),
            Kind::Xml { sidi: true, .. } => Message::new("export SIDI XML", "SIDI XML export"),
            Kind::Xml { root, .. } => Message::new(
                format!("XML con radice <{root}>, non un export SIDI"),
                format!("XML with root <{root}>, not a SIDI export"),
            ),
            Kind::Csv(k) => Message::new(
                format!("CSV come {}", k.file_name()),
                format!("CSV like {}", k.file_name()),
            ),
            Kind::Unknown(why) => why.clone(),
        }
    }

    fn empty() -> Kind {
        Kind::Unknown(Message::new("vuoto", "empty"))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe().en())
    }
}

/// Tells what `head` (the first bytes of a file) is.
pub fn sniff(head: &[u8], profile: &Profile) -> Kind {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Kind::Unknown(Message::new(
            "testo UTF-16 (non supportato: salvatelo come UTF-8 o windows-1252)",
            "UTF-16 text (not supported: save as UTF-8 or windows-1252)",
        ));
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if body.is_empty() {
        return Kind::empty();
    }
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    if body.get(start) == Some(&b'<') {
        return sniff_xml(&body[start..], profile);
    }
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
    if first_line.contains(&0) {
        return Kind::Unknown(Message::new("file binario", "binary file"));
    }
    match sniff_csv(body, profile) {
        Some(k) => Kind::Csv(k),
        None => Kind::Unknown(Message::new("non riconosciuto", "not recognised")),
    }
}

fn sniff_xml(mut s: &[u8], profile: &Profile) -> Kind {
    let root_name = profile.xml_name("FlussoFrequenze");
    loop {
        let t = s
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(s.len());
        s = &s[t..];
        if s.starts_with(b"<?") {
            match find(s, b"?>") {
                Some(i) => s = &s[i + 2..],
                None => break,
            }
        } else if s.starts_with(b"<!--") {
            match find(s, b"-->") {
                Some(i) => s = &s[i + 3..],
                None => break,
            }
        } else if s.starts_with(b"<!") {
            // DOCTYPE: the reader refuses it with its position.
            return Kind::Xml {
                sidi: true,
                root: String::new(),
            };
        } else if s.starts_with(b"<") {
            let name_end = s[1..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                .map(|i| i + 1)
                .unwrap_or(s.len());
            let full = String::from_utf8_lossy(&s[1..name_end]).into_owned();
            let local = full.rsplit(':').next().unwrap_or(&full).to_string();
            return Kind::Xml {
                sidi: local == root_name,
                root: full,
            };
        } else {
            break;
        }
    }
    // A prolog longer than the sniffed bytes, or text: let the reader judge.
    Kind::Xml {
        sidi: true,
        root: String::new(),
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// Splits a header line into upper-cased, trimmed column names.
pub fn header_columns(line: &str, delimiter: u8) -> Vec<String> {
    line.split(delimiter as char)
        .map(|c| c.trim().trim_matches('"').trim().to_uppercase())
        .collect()
}

fn sniff_csv(body: &[u8], profile: &Profile) -> Option<CsvKind> {
    let end = body
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(body.len());
    let line = super::encoding::decode(&body[..end], profile.sidi_csv.encoding);
    let cols = header_columns(&line, profile.sidi_csv.delimiter);
    let has = |default: &str| {
        let want = profile.sidi_csv.column(default).to_uppercase();
        cols.contains(&want)
    };
    let mut best: Option<(usize, CsvKind)> = None;
    let mut tie = false;
    for k in [
        CsvKind::Alunni,
        CsvKind::Classi,
        CsvKind::Sedi,
        CsvKind::Codifiche,
    ] {
        let score = k.distinctive().iter().filter(|c| has(c)).count();
        match best {
            _ if score == 0 => {}
            Some((b, _)) if b > score => {}
            Some((b, _)) if b == score => tie = true,
            _ => {
                best = Some((score, k));
                tie = false;
            }
        }
    }
    if tie {
        return None;
    }
    best.map(|(_, k)| k)
}

/// A readable member of the input: a file of a directory, an archive entry, or the input itself.
#[derive(Clone, Debug)]
pub struct Member {
    pub index: usize,
    /// Name for origins: `path`, `dir/file`, `archive.zip!entry`.
    pub name: Arc<str>,
    pub kind: Kind,
}

enum ZipSrc<'b> {
    File(BufReader<File>),
    Bytes(Cursor<&'b [u8]>),
}

impl Read for ZipSrc<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ZipSrc::File(f) => f.read(buf),
            ZipSrc::Bytes(c) => c.read(buf),
        }
    }
}

impl Seek for ZipSrc<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            ZipSrc::File(f) => f.seek(pos),
            ZipSrc::Bytes(c) => c.seek(pos),
        }
    }
}

enum StoreKind<'b> {
    File(PathBuf),
    Bytes(&'b [u8]),
    Dir(Vec<PathBuf>),
    Zip {
        archive: Box<zip::ZipArchive<ZipSrc<'b>>>,
        compressed: Vec<u64>,
        total: Rc<Cell<u64>>,
    },
}

/// An opened input: the members it holds and how to read them.
pub struct Store<'b> {
    kind: StoreKind<'b>,
    /// Display name of the input.
    pub name: Arc<str>,
    pub members: Vec<Member>,
    /// Sources already hashed (a zip, in-memory bytes); others are hashed while read.
    pub presourced: Vec<SourceFile>,
    limits: Limits,
}

fn zip_err(name: &str, message: impl Into<Message>) -> Error {
    Error::Zip {
        file: name.to_string(),
        message: message.into(),
    }
}

fn not_a_zip(e: zip::result::ZipError) -> Message {
    Message::new(
        format!("non è un archivio zip leggibile: {e}"),
        format!("not a readable zip archive: {e}"),
    )
}

/// Maps an I/O error of the storage layer to an [`Error`] naming `file`.
pub fn io_error(file: &str, e: io::Error) -> Error {
    match fault_of(&e) {
        Some(Fault::Limit(m)) => zip_err(file, m.clone()),
        _ => Error::io(file, e),
    }
}

impl<'b> Store<'b> {
    /// Opens a path: a directory (its regular files), a `.zip` or a plain file.
    pub fn open_path(path: &Path, profile: &Profile, limits: &Limits) -> Result<Store<'static>> {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
                let entry = entry.map_err(|e| Error::io(path, e))?;
                let p = entry.path();
                if p.is_file() {
                    files.push(p);
                }
            }
            files.sort();
            let mut store = Store {
                kind: StoreKind::Dir(files.clone()),
                name,
                members: Vec::new(),
                presourced: Vec::new(),
                limits: limits.clone(),
            };
            for (i, p) in files.iter().enumerate() {
                let head = read_head(p)?;
                store.members.push(Member {
                    index: i,
                    name: Arc::from(p.display().to_string()),
                    kind: sniff(&head, profile),
                });
            }
            return Ok(store);
        }
        let head = read_head(path)?;
        if head.is_empty() {
            return Err(Error::Empty {
                file: name.to_string(),
            });
        }
        let kind = sniff(&head, profile);
        if kind == Kind::Zip {
            let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
            let mut h = Sha256::new();
            let size = io::copy(&mut f, &mut HashWriter(&mut h)).map_err(|e| Error::io(path, e))?;
            let src = SourceFile {
                name: name.to_string(),
                size,
                sha256: crate::util::hex(&h.finalize()),
            };
            f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
            let mut s = Store::zip(ZipSrc::File(BufReader::new(f)), name, profile, limits)?;
            s.presourced.push(src);
            return Ok(s);
        }
        Ok(Store {
            kind: StoreKind::File(path.to_path_buf()),
            members: vec![Member {
                index: 0,
                name: Arc::clone(&name),
                kind,
            }],
            name,
            presourced: Vec::new(),
            limits: limits.clone(),
        })
    }

    /// Opens in-memory bytes named `name` (a zip or a plain file).
    pub fn open_bytes(
        name: &str,
        bytes: &'b [u8],
        profile: &Profile,
        limits: &Limits,
    ) -> Result<Store<'b>> {
        let name: Arc<str> = Arc::from(name);
        if bytes.is_empty() {
            return Err(Error::Empty {
                file: name.to_string(),
            });
        }
        let src = SourceFile {
            name: name.to_string(),
            size: bytes.len() as u64,
            sha256: crate::util::sha256_hex(bytes),
        };
        let kind = sniff(&bytes[..bytes.len().min(SNIFF_LEN)], profile);
        let mut s = if kind == Kind::Zip {
            Store::zip(ZipSrc::Bytes(Cursor::new(bytes)), name, profile, limits)?
        } else {
            Store {
                kind: StoreKind::Bytes(bytes),
                members: vec![Member {
                    index: 0,
                    name: Arc::clone(&name),
                    kind,
                }],
                name,
                presourced: Vec::new(),
                limits: limits.clone(),
            }
        };
        s.presourced.push(src);
        Ok(s)
    }

    fn zip(
        src: ZipSrc<'b>,
        name: Arc<str>,
        profile: &Profile,
        limits: &Limits,
    ) -> Result<Store<'b>> {
        let archive = zip::ZipArchive::new(src).map_err(|e| zip_err(&name, not_a_zip(e)))?;
        if archive.len() > limits.zip_max_entries {
            return Err(zip_err(
                &name,
                Message::new(
                    format!(
                        "{} voci, più del limite di {}",
                        archive.len(),
                        limits.zip_max_entries
                    ),
                    format!(
                        "{} entries, more than the limit of {}",
                        archive.len(),
                        limits.zip_max_entries
                    ),
                ),
            ));
        }
        let mut archive = archive;
        // Entries sharing bytes (a central directory pointing twice at the
        // same data) multiply what a small archive inflates to.
        match archive.has_overlapping_entries() {
            Ok(false) => {}
            Ok(true) => {
                return Err(zip_err(
                    &name,
                    Message::new(
                        "voci sovrapposte (più voci condividono gli stessi byte: una zip bomb?): archivio rifiutato",
                        "overlapping entries (several entries share the same bytes: a zip bomb?): archive refused",
                    ),
                ))
            }
            Err(e) => return Err(zip_err(&name, not_a_zip(e))),
        }
        let mut store = Store {
            kind: StoreKind::Zip {
                archive: Box::new(archive),
                compressed: Vec::new(),
                total: Rc::new(Cell::new(0)),
            },
            name: Arc::clone(&name),
            members: Vec::new(),
            presourced: Vec::new(),
            limits: limits.clone(),
        };
        let StoreKind::Zip {
            archive,
            compressed,
            ..
        } = &mut store.kind
        else {
            unreachable!("just built")
        };
        let mut metas = Vec::new();
        for i in 0..archive.len() {
            let e = archive.by_index_data(i).map_err(|e| {
                zip_err(
                    &name,
                    Message::new(format!("voce {i}: {e}"), format!("entry {i}: {e}")),
                )
            })?;
            let entry_name = String::from_utf8_lossy(e.name_raw()).into_owned();
            compressed.push(e.compressed_size());
            if e.is_dir() {
                metas.push(None);
                continue;
            }
            if e.encrypted() {
                return Err(zip_err(
                    &name,
                    Message::new(
                        format!(
                            "la voce {entry_name:?} è cifrata: gli archivi cifrati sono rifiutati"
                        ),
                        format!(
                            "entry {entry_name:?} is encrypted: encrypted archives are refused"
                        ),
                    ),
                ));
            }
            if unsafe_name(&entry_name) {
                return Err(zip_err(
                    &name,
                    Message::new(
                        format!(
                            "il nome della voce {entry_name:?} è assoluto o risale con '..': archivio rifiutato"
                        ),
                        format!(
                            "entry name {entry_name:?} is absolute or climbs out with '..': archive refused"
                        ),
                    ),
                ));
            }
            metas.push(Some(entry_name));
        }
        for (i, m) in metas.into_iter().enumerate() {
            let Some(entry_name) = m else { continue };
            let member_name: Arc<str> = Arc::from(format!("{name}!{entry_name}"));
            let kind = {
                let mut r = store.open(i, &member_name)?;
                let mut head = Vec::with_capacity(SNIFF_LEN);
                (&mut r)
                    .take(SNIFF_LEN as u64)
                    .read_to_end(&mut head)
                    .map_err(|e| io_error(&member_name, e))?;
                if head.is_empty() {
                    Kind::empty()
                } else {
                    sniff(&head, profile)
                }
            };
            store.members.push(Member {
                index: i,
                name: member_name,
                kind,
            });
        }
        if let StoreKind::Zip { total, .. } = &store.kind {
            total.set(0);
        }
        Ok(store)
    }

    /// Whether members' bytes must be hashed while read (plain files).
    pub fn hash_members(&self) -> bool {
        matches!(self.kind, StoreKind::File(_) | StoreKind::Dir(_))
    }

    /// The size of member `index` when it is known without reading it
    /// (plain files and in-memory bytes), to size buffers.
    pub fn size_hint(&self, index: usize) -> Option<u64> {
        match &self.kind {
            StoreKind::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            StoreKind::Dir(files) => std::fs::metadata(files.get(index)?).ok().map(|m| m.len()),
            StoreKind::Bytes(b) => Some(b.len() as u64),
            StoreKind::Zip { .. } => None,
        }
    }

    /// Member `index` mapped into memory (see [`map_file`]) when it is a
    /// plain file of at most `max` bytes that is worth mapping.
    pub(crate) fn map_member(&self, index: usize, max: u64) -> Option<memmap2::Mmap> {
        match &self.kind {
            StoreKind::File(p) => map_file(p, max),
            StoreKind::Dir(files) => map_file(files.get(index)?, max),
            StoreKind::Bytes(_) | StoreKind::Zip { .. } => None,
        }
    }

    /// Opens member `index` as a byte stream (`name` for messages).
    pub fn open(&mut self, index: usize, name: &str) -> Result<Box<dyn Read + '_>> {
        match &mut self.kind {
            StoreKind::File(p) => Ok(Box::new(File::open(&*p).map_err(|e| Error::io(&*p, e))?)),
            StoreKind::Dir(files) => {
                let p = &files[index];
                Ok(Box::new(File::open(p).map_err(|e| Error::io(p, e))?))
            }
            StoreKind::Bytes(b) => Ok(Box::new(Cursor::new(*b))),
            StoreKind::Zip {
                archive,
                compressed,
                total,
            } => {
                let f = archive
                    .by_index(index)
                    .map_err(|e| zip_err(name, e.to_string()))?;
                let comp = compressed[index];
                let ratio = self.limits.zip_max_ratio;
                let allowed = comp.saturating_mul(ratio).max(64 * 1024);
                Ok(Box::new(RatioGuard {
                    inner: f,
                    entry: Arc::from(name),
                    out: 0,
                    allowed,
                    ratio,
                    total: Rc::clone(total),
                    max_total: self.limits.zip_max_total_uncompressed,
                }))
            }
        }
    }
}

/// Files smaller than this are read into a buffer: mapping one costs more
/// than copying it.
const MAP_MIN: u64 = 1 << 20;

/// The bytes of the plain file at `path` mapped into memory (read-only,
/// private, every page asked for at once), when it holds `MAP_MIN` to `max`
/// bytes. `None`: read it instead (a small or a special file, or one the
/// system would not map; reading reports its errors). Mapping spares the
/// copy into a fresh buffer and that buffer's page faults: for a 25 MB
/// export, 13-17 ms against 1-2 ms on the benchmark machine.
pub(crate) fn map_file(path: &Path, max: u64) -> Option<memmap2::Mmap> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let f = File::open(path).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() < MAP_MIN || meta.len() > max {
        return None;
    }
    // SAFETY: the map is private and read-only, and nothing reads it after
    // the read that uses it (it may be unmapped a moment later, by a rayon
    // task). Another process changing the file meanwhile
    // may change the bytes seen, or end the process (SIGBUS) if it cuts
    // the file short; the README asks not to change input files during a
    // run, as ripgrep does for the files it maps.
    unsafe { memmap2::MmapOptions::new().populate().map(&f) }.ok()
}

/// A whole file's bytes, mapped ([`map_file`]) or read.
pub(crate) enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FileBytes {
    /// The file at `path`: mapped when [`map_file`] maps it, read whole
    /// otherwise.
    pub(crate) fn load(path: &Path) -> io::Result<FileBytes> {
        match map_file(path, u64::MAX) {
            Some(m) => Ok(FileBytes::Mapped(m)),
            None => std::fs::read(path).map(FileBytes::Read),
        }
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

struct HashWriter<'a>(&'a mut Sha256);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn read_head(path: &Path) -> Result<Vec<u8>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    f.take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    Ok(head)
}

/// An archive entry name that is absolute or climbs out of the archive.
pub fn unsafe_name(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/')
        || n.as_bytes().get(1) == Some(&b':')
        || n.split('/').any(|c| c == "..")
        || n.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_plain_files_are_mapped_small_and_special_ones_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.xml");
        let bytes: Vec<u8> = (0..MAP_MIN as u32 + 4097)
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&big, &bytes).unwrap();
        let small = dir.path().join("small.csv");
        std::fs::write(&small, b"ID;X\r\n1;2\r\n").unwrap();
        let linux = cfg!(target_os = "linux");
        match map_file(&big, u64::MAX) {
            Some(m) => assert!(linux && m[..] == bytes[..]),
            None => assert!(!linux, "a large plain file is mapped on Linux"),
        }
        // over the caller's limit, small, a folder: not mapped
        assert!(map_file(&big, MAP_MIN).is_none());
        assert!(map_file(&small, u64::MAX).is_none());
        assert!(map_file(dir.path(), u64::MAX).is_none());
        // either way, load gives the file's bytes
        assert_eq!(&*FileBytes::load(&big).unwrap(), &bytes[..]);
        assert!(matches!(FileBytes::load(&big).unwrap(), FileBytes::Mapped(_)) == linux);
        assert_eq!(&*FileBytes::load(&small).unwrap(), b"ID;X\r\n1;2\r\n");
        let missing = FileBytes::load(&dir.path().join("none.csv"));
        assert_eq!(
            missing.err().map(|e| e.kind()),
            Some(io::ErrorKind::NotFound)
        );
    }

    #[test]
    fn tracked_counts_lines_and_columns() {
        let mut t = Tracked::new(&b"ab\ncd\r\nef"[..], true);
        let n = t.fill_buf().unwrap().len();
        assert_eq!(n, 9);
        t.consume(3);
        assert_eq!((t.line(), t.column()), (2, 1));
        t.consume(4);
        assert_eq!((t.line(), t.column()), (3, 1));
        t.consume(1);
        assert_eq!((t.line(), t.column()), (3, 2));
        t.drain().unwrap();
        let s = t.source_file("x").unwrap();
        assert_eq!(s.size, 9);
        assert_eq!(s.sha256, crate::util::sha256_hex(b"ab\ncd\r\nef"));
    }

    #[test]
    fn tracked_decodes_windows_1252_and_rejects_bad_utf8() {
        let mut t = Tracked::new(&b"NICOL\xD2\nZO\xC8"[..], false);
        t.set_decoder(encoding_rs::WINDOWS_1252);
        let mut s = String::new();
        t.read_to_string(&mut s).unwrap();
        assert_eq!(s, "NICOLÒ\nZOÈ");

        let mut t = Tracked::new(&b"ok\nNICOL\xD2 x"[..], false);
        t.peek(4).unwrap();
        t.set_decoder(UTF_8);
        let mut s = Vec::new();
        let e = t.read_to_end(&mut s).unwrap_err();
        match fault_of(&e) {
            Some(Fault::Encoding { bytes, offset, .. }) => {
                assert_eq!(bytes, &[0xD2]);
                assert_eq!(*offset, 8);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((t.line(), t.column()), (2, 6));
    }

    #[test]
    fn newline_counting() {
        for s in [
            &b""[..],
            b"\n",
            b"abc\ndef\n\n\x8A\x0B\xFF\n12345678\n\n\n\n\n\n\n\n\n",
        ] {
            let want = s.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(s), want);
        }
        // every byte a newline, over several rounds of 255 blocks (each
        // one-byte counter at its limit) and a partial block
        let all = vec![b'\n'; 255 * 64 * 2 + 77];
        assert_eq!(count_newlines(&all), all.len());
        let mixed: Vec<u8> = (0..100_003u32)
            .map(|i| [b'\n', b'a', 0x8A][(i % 3) as usize])
            .collect();
        for end in [0, 1, 63, 64, 65, 255, 256, 257, 16_320, 16_321, mixed.len()] {
            let want = mixed[..end].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&mixed[..end]), want, "{end}");
        }
    }

    #[test]
    fn tracked_line_limit() {
        let data = vec![b'x'; 5000];
        let mut t = Tracked::new(&data[..], false);
        t.set_line_limit(1000);
        let mut out = Vec::new();
        let e = t.read_to_end(&mut out).unwrap_err();
        assert!(matches!(fault_of(&e), Some(Fault::Limit(_))));
    }

    #[test]
    fn sniffing() {
        let p = Profile::default();
        assert_eq!(sniff(b"PK\x03\x04rest", &p), Kind::Zip);
        assert!(matches!(
            sniff(
                b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c --><FlussoFrequenze>",
                &p
            ),
            Kind::Xml { sidi: true, .. }
        ));
        assert!(matches!(
            sniff(b"<other/>", &p),
            Kind::Xml { sidi: false, .. }
        ));
        assert_eq!(
            sniff(b"CODICE_SCUOLA;ID_ALUNNO_SIDI;COGNOME\r\n", &p),
            Kind::Csv(CsvKind::Alunni)
        );
        assert_eq!(
            sniff(
                b"codice_sede;anno_corso;sezione;codice_tempo_scuola;codice_indirizzo\n",
                &p
            ),
            Kind::Csv(CsvKind::Classi)
        );
        assert_eq!(
            sniff(b"\"CODICE_SEDE\";ORDINE;CODICE_COMUNE;DENOMINAZIONE\n", &p),
            Kind::Csv(CsvKind::Sedi)
        );
        assert_eq!(
            sniff(b"TIPO;CODICE;ORDINE;DESCRIZIONE\n", &p),
            Kind::Csv(CsvKind::Codifiche)
        );
        assert!(matches!(sniff(b"hello world\n", &p), Kind::Unknown(_)));
        assert!(matches!(sniff(b"\x00\x01", &p), Kind::Unknown(_)));
        let p2 = Profile::parse(
            "[sidi_xml.names]\nFlussoFrequenze='Export'\n[sidi_csv.columns]\nCOGNOME='SURNAME'\nNOME='NAME'\n",
            "p",
            None,
        )
        .unwrap();
        assert!(matches!(
            sniff(b"<x:Export>", &p2),
            Kind::Xml { sidi: true, .. }
        ));
        assert_eq!(sniff(b"SURNAME;NAME\n", &p2), Kind::Csv(CsvKind::Alunni));
    }

    #[test]
    fn unsafe_names() {
        assert!(unsafe_name("../x.csv"));
        assert!(unsafe_name("/etc/passwd"));
        assert!(unsafe_name("a\\..\\b"));
        assert!(unsafe_name("C:/x"));
        assert!(!unsafe_name("dir/alunni.csv"));
        assert!(!unsafe_name("a..b.csv"));
    }
}
