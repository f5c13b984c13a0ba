//! The in-memory path of the XML reader.
//!
//! A member of up to [`WHOLE_MAX`] bytes (any real school: a 60,000-pupil
//! export is 26 MB) is read whole. Hashing and decoding run side by side, the
//! document is parsed from memory with borrowed events (no copy of each
//! token into a buffer), and a large `Alunni` element is cut at `<Alunno`
//! tags into chunks that are parsed in parallel and joined in document order.
//!
//! The result is the streaming path's, record for record, with the same
//! lines and columns (tests compare both on every sample and on forced small
//! chunks). Anything unexpected — an error, a limit, a cut that does not fall
//! between two `Alunno` elements of the `Alunni` element — gives `None`, and
//! the caller streams the same bytes through the streaming path, which gives
//! the canonical result or error with its position. Well-formed exports never
//! take that detour; broken ones pay one extra parse.

use super::{Parser, Tag};
use crate::error::Result;
use crate::model::SourceFile;
use crate::read::source::count_newlines;
use crate::read::{ReadOptions, SidiRead};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use memchr::memmem;
use quick_xml::Reader;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

/// Members up to this size are read whole; larger ones are streamed.
pub(super) const WHOLE_MAX: u64 = 256 << 20;
/// Stack depth inside the `Alunni` element (`Root`, `Alunni`): where chunks
/// start and end.
pub(super) const CHUNK_DEPTH: usize = 2;
/// Target size of one chunk of the `Alunni` element. Documents under two
/// chunks are parsed in one piece.
pub(super) const CHUNK_BYTES: usize = 1 << 20;
/// At most this many chunks, whatever the size.
const MAX_CHUNKS: usize = 64;
/// windows-1252 is decoded in parts of this size, in parallel.
const DECODE_PART: usize = 4 << 20;

/// Parses the whole member `raw` named `file`: the export and, when `hash`,
/// the member's source record (size and SHA-256 of `raw`). `None`: read it
/// with the streaming path instead.
pub(super) fn parse(
    file: &Arc<str>,
    raw: &[u8],
    hash: bool,
    opts: &ReadOptions,
    chunk_bytes: usize,
) -> Option<(SidiRead, Option<SourceFile>)> {
    let head = &raw[..raw.len().min(super::SNIFF_LEN)];
    let enc = super::choose_encoding(head, file, opts.encoding).ok()?;
    let (sha, doc) = rayon::join(
        || hash.then(|| crate::util::sha256_hex(raw)),
        || decode(raw, enc),
    );
    let doc = doc?;
    let mut out = SidiRead::default();
    Parser::new(file, opts, &mut out, false)
        .run_whole(&doc, chunk_bytes)
        .ok()?;
    let src = sha.map(|sha256| SourceFile {
        name: file.to_string(),
        size: raw.len() as u64,
        sha256,
    });
    Some((out, src))
}

/// `raw` as UTF-8 text, decoded as the streaming path would (UTF-8 without
/// its byte order mark, windows-1252); `None` for malformed UTF-8 and for
/// other encodings (the streaming path reads those).
fn decode<'r>(raw: &'r [u8], enc: &'static Encoding) -> Option<Cow<'r, str>> {
    if enc == UTF_8 {
        let body = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
        return std::str::from_utf8(body).ok().map(Cow::Borrowed);
    }
    if enc != WINDOWS_1252 {
        return None;
    }
    if raw.len() <= DECODE_PART {
        return Some(WINDOWS_1252.decode_without_bom_handling(raw).0);
    }
    // A single-byte encoding: every cut is a character boundary.
    let parts: Vec<Cow<str>> = raw
        .par_chunks(DECODE_PART)
        .map(|c| WINDOWS_1252.decode_without_bom_handling(c).0)
        .collect();
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in &parts {
        s.push_str(p);
    }
    Some(Cow::Owned(s))
}

/// Line and column of byte offsets of a document, moving forward: the same
/// numbers the streaming reader's position tracking gives (lines counted at
/// `\n`, columns in bytes of UTF-8 text, both 1-based).
struct Loc<'d> {
    bytes: &'d [u8],
    at: usize,
    line: u32,
    line_start: usize,
}

impl<'d> Loc<'d> {
    fn new(bytes: &'d [u8], at: usize, line: u32, line_start: usize) -> Self {
        Loc {
            bytes,
            at,
            line,
            line_start,
        }
    }

    #[inline]
    fn advance(&mut self, off: usize) -> (u32, u32) {
        if off > self.at {
            let seg = &self.bytes[self.at..off];
            if let Some(last) = memchr::memrchr(b'\n', seg) {
                self.line = self.line.saturating_add(count_newlines(seg) as u32);
                self.line_start = self.at + last + 1;
            }
            self.at = off;
        }
        let col = (off - self.line_start + 1).min(u32::MAX as usize) as u32;
        (self.line, col)
    }
}

fn new_reader(doc: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(doc);
    let c = reader.config_mut();
    c.expand_empty_elements = false;
    c.check_end_names = true;
    c.trim_text(false);
    reader
}

/// Where to cut the `Alunni` element: the offsets of `<Alunno` tags, first
/// the first one, last the `</Alunni` end tag. `None` when the document is
/// too small to gain from it or holds markup that could hide a tag
/// (comments, CDATA sections, processing instructions) between the two.
pub(super) fn find_cuts(
    doc: &str,
    alunno: &str,
    alunni: &str,
    chunk_bytes: usize,
) -> Option<Vec<usize>> {
    let b = doc.as_bytes();
    let open = format!("<{alunno}");
    let close = format!("</{alunni}");
    let finder = memmem::Finder::new(open.as_bytes());
    let is_end = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'));
    let tag_from = |from: usize| -> Option<usize> {
        let mut i = from;
        while let Some(j) = finder.find(&b[i..]) {
            let p = i + j;
            if is_end(b.get(p + open.len())) {
                return Some(p);
            }
            i = p + 1;
        }
        None
    };
    let a = tag_from(0)?;
    let z = memmem::rfind(b, close.as_bytes())?;
    if z <= a || !is_end(b.get(z + close.len())) {
        return None;
    }
    let span = &b[a..z];
    if memmem::find(span, b"<!").is_some() || memmem::find(span, b"<?").is_some() {
        return None;
    }
    let k = ((z - a) / chunk_bytes.max(1)).min(MAX_CHUNKS);
    if k < 2 {
        return None;
    }
    let mut cuts = vec![a];
    for i in 1..k {
        let target = a + (z - a) / k * i;
        if let Some(p) = tag_from(target) {
            if p < z && p > cuts[cuts.len() - 1] {
                cuts.push(p);
            }
        }
    }
    cuts.push(z);
    (cuts.len() >= 3).then_some(cuts)
}

impl Parser<'_> {
    /// Parses the whole document `doc`; an error means "stream it instead".
    fn run_whole(&mut self, doc: &str, chunk_bytes: usize) -> Result<()> {
        let b = doc.as_bytes();
        let mut cuts = if doc.len() >= 2 * chunk_bytes {
            find_cuts(doc, &self.n.alunno, &self.n.alunni, chunk_bytes)
        } else {
            None
        };
        let limit = self.opts.limits.xml_max_token;
        let mut reader = new_reader(doc);
        let mut loc = Loc::new(b, 0, 1, 0);
        // document offset = reader position + skew (after the jump over the chunks)
        let mut skew = 0usize;
        loop {
            let off = reader.buffer_position() as usize + skew;
            if let Some(c) = cuts.as_ref().filter(|c| off >= c[0]) {
                let (a, z) = (c[0], c[c.len() - 1]);
                if off != a || !self.at_chunk_level() {
                    return Err(self.err("the first Alunno is not where a chunk can start"));
                }
                let (line, line_start) = loc_at(&mut loc, a);
                let end = self.parse_chunks(doc, c, (line, line_start))?;
                // Continue after the chunks, at `</Alunni`, with the reader's
                // state (open elements) as it was before the first `<Alunno`.
                *reader.get_mut() = &b[z..];
                skew = z - reader.buffer_position() as usize;
                loc = Loc::new(b, z, end.0, end.1);
                cuts = None;
                continue;
            }
            (self.line, self.col) = loc.advance(off);
            let ev = reader.read_event().map_err(|e| self.err(e.to_string()))?;
            if (reader.buffer_position() as usize + skew - off) as u64 > limit {
                return Err(self.err("token limit"));
            }
            if self.on_event(ev)? {
                break;
            }
        }
        let (line, col) = loc.advance(doc.len());
        self.finish(line, col)
    }

    /// Whether the parser stands between two children of `Alunni`.
    fn at_chunk_level(&self) -> bool {
        self.stack.len() == CHUNK_DEPTH
            && self.stack[0].0 == Tag::Root
            && self.stack[1].0 == Tag::Alunni
            && self.capture.is_none()
            && self.pupil.is_none()
    }

    /// Parses the chunks between `cuts` in parallel and appends their pupils
    /// and findings in document order. `start`: line and line start at the
    /// first cut. Returns the line and line start at the last cut.
    fn parse_chunks(
        &mut self,
        doc: &str,
        cuts: &[usize],
        start: (u32, usize),
    ) -> Result<(u32, usize)> {
        let b = doc.as_bytes();
        let newlines: Vec<(usize, Option<usize>)> = cuts
            .par_windows(2)
            .map(|w| {
                let seg = &b[w[0]..w[1]];
                (
                    count_newlines(seg),
                    memchr::memrchr(b'\n', seg).map(|i| w[0] + i + 1),
                )
            })
            .collect();
        let mut at = Vec::with_capacity(cuts.len());
        at.push(start);
        for (n, last) in &newlines {
            let (line, line_start) = at[at.len() - 1];
            at.push((line.saturating_add(*n as u32), last.unwrap_or(line_start)));
        }
        let (file, opts) = (&**self.file, self.opts);
        let stack = [self.stack[0], self.stack[1]];
        let reads: Vec<Result<SidiRead>> = (0..cuts.len() - 1)
            .into_par_iter()
            .map(|i| parse_chunk(file, opts, doc, (cuts[i], cuts[i + 1]), at[i], stack))
            .collect();
        for r in reads {
            let r = r?;
            self.out.export.pupils.extend(r.export.pupils);
            self.out.findings.extend(r.findings);
        }
        Ok(at[at.len() - 1])
    }
}

/// Line and line start at `off`.
fn loc_at(loc: &mut Loc, off: usize) -> (u32, usize) {
    loc.advance(off);
    (loc.line, loc.line_start)
}

/// Parses `doc[range]`, a run of children of `Alunni`.
fn parse_chunk(
    file: &str,
    opts: &ReadOptions,
    doc: &str,
    (start, end): (usize, usize),
    (line, line_start): (u32, usize),
    stack: [(Tag, u32); 2],
) -> Result<SidiRead> {
    // Each chunk has its own name: no reference count shared between threads.
    let name: Arc<str> = Arc::from(file);
    let mut out = SidiRead::default();
    let mut p = Parser::new(&name, opts, &mut out, false);
    p.chunk = true;
    p.root_seen = true;
    p.stack.extend(stack);
    let limit = opts.limits.xml_max_token;
    let mut reader = new_reader(&doc[start..end]);
    let mut loc = Loc::new(doc.as_bytes(), start, line, line_start);
    loop {
        let off = start + reader.buffer_position() as usize;
        (p.line, p.col) = loc.advance(off);
        let ev = reader.read_event().map_err(|e| p.err(e.to_string()))?;
        if (start + reader.buffer_position() as usize - off) as u64 > limit {
            return Err(p.err("token limit"));
        }
        if p.on_event(ev)? {
            break;
        }
    }
    if !p.at_chunk_level() {
        return Err(p.err("a chunk ends inside an element"));
    }
    drop(p);
    Ok(out)
}
