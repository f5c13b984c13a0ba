//! The in-memory path of the XML reader.
//!
//! A member of up to [`WHOLE_MAX`] bytes (64 MiB: any real school; a
//! 60,000-pupil export is 26 MB) is read whole. Hashing and decoding run side by side, the
//! document is parsed from memory with borrowed events (no copy of each
//! token into a buffer), and a large `Alunni` element is cut at `<Alunno`
//! tags into chunks that are parsed in parallel and joined in document order.
//! The chunks' events come from the crate's own [`Lexer`], which gives
//! quick-xml's events without its per-event costs; the rest of the document
//! is read by quick-xml.
//!
//! The result is the streaming path's, record for record, with the same
//! lines and columns (tests compare both on every sample and on forced small
//! chunks). Anything unexpected — an error, a limit, a cut that does not fall
//! between two `Alunno` elements of the `Alunni` element — gives `None`, and
//! the caller streams the same bytes through the streaming path, which gives
//! the canonical result or error with its position. Well-formed exports never
//! take that detour; broken ones pay one extra parse.

use super::lex::Lexer;
use super::{Parser, Tag};
use crate::error::Result;
use crate::model::{Pupil, SourceFile};
use crate::read::source::count_newlines;
use crate::read::{ReadOptions, SidiRead};
use encoding_rs::{UTF_8, WINDOWS_1252};
use memchr::memmem;
use quick_xml::events::Event;
use quick_xml::Reader;
use rayon::prelude::*;
use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::sync::Arc;

/// Members up to this size are read whole; larger ones are streamed. A
/// 60,000-pupil export is 26 MB; the largest real schools have a few
/// thousand pupils. This is also what a hostile huge document can cost
/// before it is streamed.
pub(super) const WHOLE_MAX: u64 = 64 << 20;
/// Stack depth inside the `Alunni` element (`Root`, `Alunni`): where chunks
/// start and end.
pub(super) const CHUNK_DEPTH: usize = 2;
/// Target size of one chunk of the `Alunni` element. Documents under two
/// chunks are parsed in one piece.
pub(super) const CHUNK_BYTES: usize = 1 << 20;
/// Attributes an element may have in a chunk (SIDI's have up to five): the
/// chunk's own check for repeated names keeps them on the stack
/// (`Parser::attrs`); an element with more sends the document to the
/// streaming path.
pub(super) const CHUNK_ATTRIBUTES: usize = 16;
/// At most this many chunks, whatever the size.
const MAX_CHUNKS: usize = 64;

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
    parse_as(file, raw, hash, opts, chunk_bytes, true)
}

/// [`parse`], with the chunks' pupils read a pupil at a time or not
/// (`fast_pupils`, see `fast`: both give the same, which tests compare).
pub(super) fn parse_as(
    file: &Arc<str>,
    raw: &[u8],
    hash: bool,
    opts: &ReadOptions,
    chunk_bytes: usize,
    fast_pupils: bool,
) -> Option<(SidiRead, Option<SourceFile>)> {
    let head = &raw[..raw.len().min(super::SNIFF_LEN)];
    let enc = super::choose_encoding(head, file, opts.encoding).ok()?;
    let text = match enc {
        e if e == UTF_8 => Text::Utf8,
        e if e == WINDOWS_1252 => Text::Windows1252,
        _ => return None,
    };
    // what the streaming decoder yields starts after a UTF-8 byte order mark
    let body = match text {
        Text::Utf8 => raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw),
        Text::Windows1252 => raw,
    };
    // The hash first, here, and the parse offered to the other threads:
    // its chunks spread over whichever cores come free, while the hash, one
    // run over the whole file, cannot be cut. The other way round, in
    // `sync` (the other core reading the local export meanwhile), the hash
    // ran alone at the end of the read for 16 ms of a 60,000-pupil export
    // while that core, done, waited.
    let (sha, read) = rayon::join(
        || hash.then(|| crate::util::sha256_hex(raw)),
        || {
            let mut out = SidiRead::default();
            let mut p = Parser::new(file, opts, &mut out, false);
            p.fast_pupils = fast_pupils;
            p.run_whole(body, text, chunk_bytes).ok().map(|_| out)
        },
    );
    let src = sha.map(|sha256| SourceFile {
        name: file.to_string(),
        size: raw.len() as u64,
        sha256,
    });
    Some((read?, src))
}

/// The two encodings the in-memory path decodes itself; the streaming path
/// reads the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Text {
    Utf8,
    Windows1252,
}

impl Text {
    /// A piece of the document as UTF-8 text (borrowed when it already is);
    /// `None` for malformed UTF-8. Pieces start and end at `<` or at the
    /// ends of the document, which are character boundaries in both.
    fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Text::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Text::Windows1252 => Some(Cow::Owned(decode_windows_1252(bytes))),
        }
    }

    /// Bytes of UTF-8 text that `bytes` decode to.
    fn decoded_len(self, bytes: &[u8]) -> usize {
        match self {
            Text::Utf8 => bytes.len(),
            Text::Windows1252 => {
                let high = high_1252();
                bytes.len()
                    + bytes
                        .iter()
                        .filter(|&&b| b >= 0x80)
                        .map(|&b| high[usize::from(b - 0x80)].len_utf8() - 1)
                        .sum::<usize>()
            }
        }
    }
}

/// The characters of windows-1252's bytes 0x80-0xFF, as
/// [`encoding_rs::WINDOWS_1252`] decodes them (undefined bytes to the C1
/// controls).
fn high_1252() -> &'static [char; 128] {
    static HIGH: std::sync::OnceLock<[char; 128]> = std::sync::OnceLock::new();
    HIGH.get_or_init(|| {
        let mut t = ['\u{FFFD}'; 128];
        for (i, c) in t.iter_mut().enumerate() {
            let b = [0x80 + i as u8];
            if let Some(d) = WINDOWS_1252
                .decode_without_bom_handling(&b)
                .0
                .chars()
                .next()
            {
                *c = d;
            }
        }
        t
    })
}

/// windows-1252 to UTF-8, sixteen ASCII bytes at a time: an export is
/// almost all ASCII, and this runs several times faster than the general
/// decoder on it.
pub(super) fn decode_windows_1252(raw: &[u8]) -> String {
    let mut out = String::new();
    decode_windows_1252_into(raw, &mut out);
    out
}

thread_local! {
    /// Each thread's buffer for the decoded text of the chunks it parses:
    /// reused from chunk to chunk instead of taking fresh memory for each.
    static DECODED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// [`decode_windows_1252`], appending to `out`.
fn decode_windows_1252_into(raw: &[u8], out: &mut String) {
    const HIGH_BITS: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;
    let high = high_1252();
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.reserve(raw.len() + raw.len() / 64 + 16);
    let mut chunks = raw.chunks_exact(16);
    for c in &mut chunks {
        let w = u128::from_le_bytes(c.try_into().unwrap_or([0; 16]));
        if w & HIGH_BITS == 0 {
            bytes.extend_from_slice(c);
        } else {
            push_1252(&mut bytes, c, high);
        }
    }
    push_1252(&mut bytes, chunks.remainder(), high);
    // SAFETY: `bytes` are those of a `String` followed by ASCII bytes
    // (copied where their high bit is clear) and whole UTF-8 encodings of
    // `char`s (`push_1252`), so they are valid UTF-8; checking them again
    // cost 0.4 instructions a byte.
    *out = unsafe { String::from_utf8_unchecked(bytes) };
}

fn push_1252(out: &mut Vec<u8>, bytes: &[u8], high: &[char; 128]) {
    for &b in bytes {
        if b < 0x80 {
            out.push(b);
        } else {
            let mut tmp = [0u8; 4];
            out.extend_from_slice(high[usize::from(b - 0x80)].encode_utf8(&mut tmp).as_bytes());
        }
    }
}

/// Line and column of byte offsets of one decoded piece of the document,
/// moving forward: the numbers the streaming reader's position tracking
/// gives (lines counted at `\n`, columns in bytes of UTF-8 text, 1-based).
#[derive(Clone)]
pub(super) struct Loc<'d> {
    text: &'d [u8],
    at: usize,
    line: u32,
    /// Offset in `text` where the current line starts; negative when it
    /// starts in an earlier piece.
    line_start: isize,
}

impl<'d> Loc<'d> {
    fn new(text: &'d [u8], at: usize, (line, line_start): (u32, isize)) -> Self {
        Loc {
            text,
            at,
            line,
            line_start,
        }
    }

    #[inline]
    pub(super) fn advance(&mut self, off: usize) -> (u32, u32) {
        if off > self.at {
            let seg = &self.text[self.at..off];
            if let Some(last) = memchr::memrchr(b'\n', seg) {
                let before = count_newlines(&seg[..last]) as u32;
                self.line = self.line.saturating_add(1 + before);
                self.line_start = (self.at + last + 1) as isize;
            }
            self.at = off;
        }
        let col = (off as isize - self.line_start + 1).clamp(1, u32::MAX as isize) as u32;
        (self.line, col)
    }
}

/// What [`Parser::events`] reads events from: quick-xml's reader over a
/// piece of the document, or the [`Lexer`] over a chunk.
trait Tokens<'d> {
    /// Bytes consumed so far.
    fn position(&self) -> usize;
    /// Whether white space before text is skipped from the next event on.
    fn trim_text_start(&mut self, on: bool);
    /// The next event, or what went wrong.
    fn next_event(&mut self) -> std::result::Result<Event<'d>, String>;
    /// The text and where the next event starts, where the caller may read
    /// an element by itself and then [`Tokens::resume_at`] its end (the
    /// lexer; never the reader).
    fn at(&self) -> Option<(&'d str, usize)>;
    /// Goes on after an element the caller read from [`Tokens::at`].
    fn resume_at(&mut self, pos: usize);
}

impl<'d> Tokens<'d> for Reader<&'d [u8]> {
    #[inline]
    fn position(&self) -> usize {
        self.buffer_position() as usize
    }

    #[inline]
    fn trim_text_start(&mut self, on: bool) {
        self.config_mut().trim_text_start = on;
    }

    #[inline]
    fn next_event(&mut self) -> std::result::Result<Event<'d>, String> {
        self.read_event().map_err(|e| e.to_string())
    }

    #[inline]
    fn at(&self) -> Option<(&'d str, usize)> {
        None
    }

    fn resume_at(&mut self, _: usize) {
        unreachable!("the reader never says where to read by itself")
    }
}

impl<'d> Tokens<'d> for Lexer<'d> {
    #[inline]
    fn position(&self) -> usize {
        Lexer::position(self)
    }

    #[inline]
    fn trim_text_start(&mut self, on: bool) {
        self.trim_text_start = on;
    }

    #[inline]
    fn next_event(&mut self) -> std::result::Result<Event<'d>, String> {
        Lexer::next_event(self)
    }

    #[inline]
    fn at(&self) -> Option<(&'d str, usize)> {
        Lexer::at(self)
    }

    #[inline]
    fn resume_at(&mut self, pos: usize) {
        Lexer::resume_at(self, pos)
    }
}

fn new_reader(doc: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(doc);
    super::configure(reader.config_mut());
    reader
}

/// Where to cut the `Alunni` element of the raw document `b`: the offsets
/// of `<Alunno` tags, first the first one, last the `</Alunni` end tag.
/// `None` when the document is too small to gain from it or holds markup
/// that could hide a tag (comments, CDATA sections, processing
/// instructions) between the two. The names are ASCII in real exports; a
/// profile's non-ASCII name is searched as UTF-8, which a windows-1252
/// document never matches (it is then parsed in one piece).
pub(super) fn find_cuts(
    b: &[u8],
    alunno: &str,
    alunni: &str,
    chunk_bytes: usize,
) -> Option<Vec<usize>> {
    let open = format!("<{alunno}");
    let close = format!("</{alunni}");
    let finder = memmem::Finder::new(open.as_bytes());
    let tag_from = |from: usize| -> Option<usize> {
        let mut i = from;
        while let Some(j) = finder.find(&b[i..]) {
            let p = i + j;
            if ends_name(b.get(p + open.len())) {
                return Some(p);
            }
            i = p + 1;
        }
        None
    };
    let a = tag_from(0)?;
    let z = memmem::rfind(b, close.as_bytes())?;
    if z <= a || !ends_name(b.get(z + close.len())) {
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
    if cuts.len() < 3 {
        return None;
    }
    // Markup that could hide a tag, looked for piece by piece in parallel
    // (a whole large document is scanned here). A piece ends just before
    // the `<` of a tag, so neither needle spans two pieces.
    let hides = cuts.par_windows(2).any(|w| {
        let piece = &b[w[0]..w[1]];
        memmem::find(piece, b"<!").is_some() || memmem::find(piece, b"<?").is_some()
    });
    (!hides).then_some(cuts)
}

/// Line and (piece-relative, so negative) line start at every cut of `raw`:
/// the line and column base of the piece that starts there.
fn bases(raw: &[u8], cuts: &[usize], text: Text) -> Vec<(u32, isize)> {
    let mut edges = Vec::with_capacity(cuts.len() + 1);
    edges.push(0);
    edges.extend_from_slice(cuts);
    let segs: Vec<(usize, isize)> = edges
        .par_windows(2)
        .map(|w| {
            let (lo, hi) = (w[0], w[1]);
            let n = count_newlines(&raw[lo..hi]);
            // the start of the line `hi` is on, as minus the decoded bytes before `hi`
            let from = memchr::memrchr(b'\n', &raw[..hi]).map_or(0, |i| i + 1);
            (n, -(text.decoded_len(&raw[from..hi]) as isize))
        })
        .collect();
    let mut line = 1u32;
    segs.into_iter()
        .map(|(n, start)| {
            line = line.saturating_add(n as u32);
            (line, start)
        })
        .collect()
}

impl Parser<'_> {
    /// Parses the whole document `raw` (`text`: how it decodes); an error
    /// means "stream it instead".
    fn run_whole(&mut self, raw: &[u8], text: Text, chunk_bytes: usize) -> Result<()> {
        let cuts = if raw.len() >= chunk_bytes.saturating_mul(2) {
            find_cuts(raw, &self.n.alunno, &self.n.alunni, chunk_bytes)
        } else {
            None
        };
        let Some(cuts) = cuts else {
            let doc = self.decode(text, raw)?;
            let mut reader = new_reader(&doc);
            let mut loc = Loc::new(doc.as_bytes(), 0, (1, 0));
            self.events(&mut reader, &mut loc, 0, None, false)?;
            let (line, col) = loc.advance(doc.len());
            return self.finish(line, col);
        };
        let (a, z) = (cuts[0], cuts[cuts.len() - 1]);
        let bases = bases(raw, &cuts, text);
        // The head ends with the `<` of the first `<Alunno`, so that its last
        // text stops at markup; the reader is stopped there and moved on to
        // the tail, which starts at `</Alunni`.
        let head = self.decode(text, &raw[..=a])?;
        let tail = self.decode(text, &raw[z..])?;
        let mut reader = new_reader(&head);
        let mut loc = Loc::new(head.as_bytes(), 0, (1, 0));
        self.events(&mut reader, &mut loc, 0, Some(head.len() - 1), false)?;
        if !self.at_chunk_level() {
            return Err(self.err("the first Alunno is not where a chunk can start"));
        }
        self.parse_chunks(raw, text, &cuts, &bases)?;
        *reader.get_mut() = tail.as_bytes();
        let skew = reader.buffer_position() as usize;
        let mut loc = Loc::new(tail.as_bytes(), 0, bases[bases.len() - 1]);
        self.events(&mut reader, &mut loc, skew, None, false)?;
        let (line, col) = loc.advance(tail.len());
        self.finish(line, col)
    }

    /// Feeds the reader's events to the parser until the end of its input
    /// or, with `stop`, until the next event would start at offset `stop`.
    /// `skew`: the reader's position where this piece starts. With `skip`,
    /// the reader skips the white space before markup, wherever the parser
    /// is not taking an element's text (see [`parse_chunk`]).
    fn events<'d>(
        &mut self,
        reader: &mut impl Tokens<'d>,
        loc: &mut Loc,
        skew: usize,
        stop: Option<usize>,
        skip: bool,
    ) -> Result<()> {
        let limit = self.opts.limits.xml_max_token;
        loop {
            let off = reader.position() - skew;
            if stop.is_some_and(|s| off >= s) {
                if Some(off) != stop {
                    return Err(self.err("the first Alunno is not where a chunk can start"));
                }
                return Ok(());
            }
            if skip {
                // between two pupils of a chunk: the next one, when it has
                // the usual shape, is read in one pass (see `fast`). (This
                // is `at_chunk_level` but for its check of the stack's two
                // tags, which a chunk's stack has from the start: asked
                // between any two events of a chunk, it is cheaper so.)
                if self.fast_pupils
                    && self.pupil.is_none()
                    && self.capture.is_none()
                    && self.stack.len() == CHUNK_DEPTH
                {
                    if let Some((doc, at)) = reader.at() {
                        if let Some(end) = self.fast_pupil(doc, at, loc)? {
                            reader.resume_at(end);
                            continue;
                        }
                    }
                }
                reader.trim_text_start(!self.capturing());
            }
            let ev = reader.next_event().map_err(|e| self.err(e))?;
            let end = reader.position() - skew;
            // Records and findings take their origin from start tags only;
            // an error anywhere sends the document to the streaming path,
            // which gives its own position. So only start tags are located,
            // at their `<`: the tag is its content and `<`, `>` or `/>`
            // (white space skipped before it lies between `off` and there).
            match &ev {
                Event::Start(e) => (self.line, self.col) = loc.advance(end - e.len() - 2),
                Event::Empty(e) => (self.line, self.col) = loc.advance(end - e.len() - 3),
                _ => {}
            }
            if (end - off) as u64 > limit {
                return Err(self.err("token limit"));
            }
            if self.on_event(ev)? {
                return Ok(());
            }
        }
    }

    /// A piece of the document as text; malformed UTF-8 is an error (the
    /// streaming path then locates it).
    fn decode<'r>(&self, text: Text, bytes: &'r [u8]) -> Result<Cow<'r, str>> {
        text.decode(bytes)
            .ok_or_else(|| self.err("not valid in its encoding"))
    }

    /// Whether the parser stands between two children of `Alunni`.
    fn at_chunk_level(&self) -> bool {
        self.stack.len() == CHUNK_DEPTH
            && self.stack[0].0 == Tag::Root
            && self.stack[1].0 == Tag::Alunni
            && self.capture.is_none()
            && self.pupil.is_none()
    }

    /// Parses the pieces between `cuts` of `raw` in parallel and appends
    /// their pupils and findings in document order.
    ///
    /// Each piece's pupils are written straight into their places in the
    /// export's list: the `<Alunno` tags of each piece are counted first
    /// (every pupil has one), the list is given room for all, and each
    /// piece gets the places of its tags ([`Places`]). Parsing into a list
    /// per piece and moving the lists into one afterwards wrote a large
    /// school's pupils twice (15 MB, 3,700 page faults more, and as much
    /// more peak memory). A piece that fills fewer places than it has tags
    /// (a tag that makes no pupil) has its pupils moved down; one with
    /// more pupils than tags fails, and the document is streamed instead.
    fn parse_chunks(
        &mut self,
        raw: &[u8],
        text: Text,
        cuts: &[usize],
        bases: &[(u32, isize)],
    ) -> Result<()> {
        let each = Chunks {
            file: self.file,
            opts: self.opts,
            text,
            stack: [self.stack[0], self.stack[1]],
            fast_pupils: self.fast_pupils,
        };
        let open = format!("<{}", self.n.alunno);
        let counts: Vec<usize> = cuts
            .par_windows(2)
            .with_max_len(1)
            .map(|w| count_tags(&raw[w[0]..w[1]], &open))
            .collect();
        let pupils = &mut self.out.export.pupils;
        let start = pupils.len();
        let places = crate::util::spare_places(pupils, counts.iter().copied());
        // One chunk per task (`with_max_len(1)`): rayon otherwise splits
        // the range only as far as it sees idle threads when the read
        // starts, and the local export is then being read on the other
        // core; a core freed later found no chunk left to take (a quarter
        // of the chunks were one task), and sat idle for the last 30 ms of
        // a 60,000-pupil read.
        let reads: Vec<Result<(SidiRead, usize)>> = places
            .into_par_iter()
            .with_max_len(1)
            .enumerate()
            .map(|(i, slots)| {
                let piece = &raw[cuts[i]..cuts[i + 1]];
                parse_chunk(&each, piece, bases[i], Places::new(slots))
            })
            .collect();
        // The places every piece that was read filled, moved together at
        // the front, become the list's: on a failure as well, so that the
        // list owns (and drops) every pupil made.
        let base = pupils.as_mut_ptr();
        let (mut at, mut len) = (start, start);
        for (r, &n) in reads.iter().zip(&counts) {
            if let Ok((_, filled)) = r {
                debug_assert!(*filled <= n);
                if at != len {
                    // SAFETY: `at..at + filled` are the piece's places, all
                    // written (`Places::finish`), inside the list's capacity;
                    // `len <= at`, so the copy moves them down (`copy` allows
                    // the overlap) onto places already moved out or never
                    // written.
                    unsafe { std::ptr::copy(base.add(at), base.add(len), *filled) };
                }
                len += filled;
            }
            at += n;
        }
        // SAFETY: `start..len` holds, in document order, the pupils of every
        // piece read (moved above); the places after `len` hold nothing
        // the list would own (moved down, or never written).
        unsafe { pupils.set_len(len) };
        for r in reads {
            let (r, _) = r?;
            self.out.findings.extend(r.findings);
        }
        Ok(())
    }
}

/// What every chunk of a document is parsed with: the document's name, the
/// read options, how its text decodes, the elements a chunk stands in
/// (`Root`, `Alunni`), and whether pupils are read a pupil at a time.
struct Chunks<'a> {
    file: &'a Arc<str>,
    opts: &'a ReadOptions,
    text: Text,
    stack: [(Tag, u32); 2],
    fast_pupils: bool,
}

/// Parses one piece, a run of children of `Alunni`. The white space between
/// a pupil's elements is more than half of the reader's text events: the
/// reader skips it (no event, no UTF-8 check) except inside an element
/// whose text the parser takes, where white space after a reference or a
/// CDATA section is part of the value.
fn parse_chunk(
    each: &Chunks,
    piece: &[u8],
    base: (u32, isize),
    places: Places<'_>,
) -> Result<(SidiRead, usize)> {
    // Each chunk has its own name: no reference count shared between threads.
    let name: Arc<str> = Arc::from(&**each.file);
    let mut out = SidiRead::default();
    let mut p = Parser::new(&name, each.opts, &mut out, false);
    p.chunk = true;
    p.fast_pupils = each.fast_pupils;
    p.root_seen = true;
    p.stack.extend(each.stack);
    p.places = Some(places);
    let read = DECODED.with(|cell| {
        // (a thread parses one chunk at a time; should one ever nest, it
        // decodes into a buffer of its own instead of failing)
        let mut own = String::new();
        let mut held = cell.try_borrow_mut();
        let buf: &mut String = match held.as_deref_mut() {
            Ok(b) => b,
            Err(_) => &mut own,
        };
        let doc: &str = match each.text {
            Text::Utf8 => {
                std::str::from_utf8(piece).map_err(|_| p.err("not valid in its encoding"))?
            }
            Text::Windows1252 => {
                buf.clear();
                decode_windows_1252_into(piece, buf);
                buf
            }
        };
        let mut lexer = Lexer::new(doc);
        let mut loc = Loc::new(doc.as_bytes(), 0, base);
        p.events(&mut lexer, &mut loc, 0, None, true)?;
        if !p.at_chunk_level() {
            return Err(p.err("a chunk ends inside an element"));
        }
        if buf.capacity() > 4 * CHUNK_BYTES {
            *buf = String::new();
        }
        Ok(())
    });
    let places = p.places.take();
    drop(p);
    let filled = match read {
        Ok(()) => places.map_or(0, Places::finish),
        Err(e) => {
            if let Some(places) = places {
                places.discard();
            }
            return Err(e);
        }
    };
    Ok((out, filled))
}

/// How many `<Alunno` start tags (`open`, followed by white space, `>` or
/// `/`) `piece` holds: as `find_cuts` finds them.
fn count_tags(piece: &[u8], open: &str) -> usize {
    memmem::find_iter(piece, open.as_bytes())
        .filter(|&p| ends_name(piece.get(p + open.len())))
        .count()
}

/// Whether the byte after a tag's name ends the name (white space, `>`,
/// `/`): `<Alunno ` is the tag, `<AlunnoX` another one.
fn ends_name(c: Option<&u8>) -> bool {
    matches!(c, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
}

/// A chunk's places in the export's pupil list, filled in order
/// ([`Places::put`]). The pupils put here are handed over to the list
/// ([`Places::finish`]) or dropped ([`Places::discard`], when the chunk
/// fails); a panic on the way leaks them (no `Drop`: a parser holding
/// places would then keep its borrows alive to its end of scope).
pub(super) struct Places<'a> {
    slots: &'a mut [MaybeUninit<Pupil>],
    filled: usize,
}

impl<'a> Places<'a> {
    fn new(slots: &'a mut [MaybeUninit<Pupil>]) -> Places<'a> {
        Places { slots, filled: 0 }
    }

    /// Puts `p` in the next place; `false` (and `p` dropped) when there is
    /// none left.
    pub(super) fn put(&mut self, p: Pupil) -> bool {
        match self.slots.get_mut(self.filled) {
            Some(slot) => {
                slot.write(p);
                self.filled += 1;
                true
            }
            None => false,
        }
    }

    /// How many places were filled, from the first on: from now on they
    /// are the caller's to own.
    fn finish(self) -> usize {
        self.filled
    }

    /// Drops the pupils put here.
    fn discard(self) {
        // SAFETY: the first `filled` places were written by `put`, and
        // `self` is consumed: each is dropped once, and never handed over.
        unsafe {
            std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(
                self.slots.as_mut_ptr().cast::<Pupil>(),
                self.filled,
            ))
        };
    }
}
