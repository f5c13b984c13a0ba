//! The events of one chunk of the `Alunni` element, without quick-xml's
//! reader.
//!
//! [`Lexer`] gives, event for event and byte for byte, what
//! `Reader::from_str` configured by `super::configure` gives on the same
//! text (start, empty and end tags, text, general references, the end), and
//! fails where that reader fails; the property test
//! `lexer_agrees_with_the_reader` holds it to that. What it saves is the
//! reader's UTF-8 check of every event (the text is a `&str` already) and
//! its general machinery, and it finds the ends of tags and text sixteen
//! bytes at a time: reading the 60,000-pupil export took 1,435 M
//! instructions with the reader, 1,042 M with the lexer.
//!
//! Chunks hold no comments, CDATA sections, processing instructions or
//! DOCTYPE (`find_cuts` does not cut a document that has any between its
//! `<Alunno` tags); the lexer refuses them, and the document is then read
//! by the streaming path like any other error.

#[cfg(target_arch = "x86_64")]
use crate::util::mask16;
use quick_xml::events::{BytesEnd, BytesRef, BytesStart, BytesText, Event};

/// Where the lexer stands: as quick-xml's reader states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before text or markup.
    Text,
    /// At the `<` of markup.
    Markup,
    /// At the `&` of a general reference.
    Ref,
    /// At the end, or after an error.
    Done,
}

/// A tokenizer over a decoded chunk (see the module documentation).
pub(super) struct Lexer<'d> {
    doc: &'d str,
    pos: usize,
    state: State,
    /// Whether white space before text is skipped (quick-xml's
    /// `trim_text_start`), set before each event.
    pub(super) trim_text_start: bool,
    /// The names of the open elements, innermost last (end names are
    /// checked against them, as `check_end_names` does).
    open: Vec<&'d str>,
}

impl<'d> Lexer<'d> {
    /// A lexer at the start of `doc`. A UTF-8 byte order mark is skipped,
    /// and positions count from after it, as the reader's do.
    pub(super) fn new(doc: &'d str) -> Lexer<'d> {
        Lexer {
            doc: doc.strip_prefix('\u{feff}').unwrap_or(doc),
            pos: 0,
            state: State::Text,
            trim_text_start: false,
            open: Vec::with_capacity(8),
        }
    }

    /// The text and the offset the next event starts from, when that is
    /// text or markup (not inside a reference, not at the end): where a
    /// caller may read on by itself ([`Lexer::resume_at`]).
    pub(super) fn at(&self) -> Option<(&'d str, usize)> {
        matches!(self.state, State::Text | State::Markup).then_some((self.doc, self.pos))
    }

    /// Goes on from `pos`, the end of an element the caller read by itself
    /// from where [`Lexer::at`] stood: the open elements are as they were.
    pub(super) fn resume_at(&mut self, pos: usize) {
        self.pos = pos;
        self.state = State::Text;
    }

    /// Bytes of the text consumed so far (the reader's `buffer_position`).
    #[inline]
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    /// The next event; an error (with what went wrong) ends the lexer.
    pub(super) fn next_event(&mut self) -> Result<Event<'d>, String> {
        let r = self.step();
        if r.is_err() {
            self.state = State::Done;
        }
        r
    }

    #[inline]
    fn step(&mut self) -> Result<Event<'d>, String> {
        let b = self.doc.as_bytes();
        loop {
            match self.state {
                State::Text => {
                    if self.trim_text_start {
                        self.pos = first(b, self.pos, SPACE, false);
                    }
                    let from = self.pos;
                    let at = first(b, from, [b'<', b'&'], true);
                    self.pos = at;
                    self.state = match b.get(at) {
                        Some(b'<') => State::Markup,
                        Some(_) => State::Ref,
                        None => State::Done,
                    };
                    if at > from {
                        let text = &self.doc[from..at];
                        return Ok(Event::Text(BytesText::from_escaped(text)));
                    }
                    if self.state == State::Done {
                        return Ok(Event::Eof);
                    }
                }
                State::Markup => return self.markup(),
                State::Ref => {
                    // `&name;`: anything else (another `&`, markup or the
                    // end before `;`) is an unclosed reference
                    let from = self.pos;
                    let rest = &b[from + 1..];
                    return match memchr::memchr3(b';', b'&', b'<', rest) {
                        Some(i) if rest[i] == b';' => {
                            self.pos = from + i + 2;
                            self.state = State::Text;
                            Ok(Event::GeneralRef(BytesRef::new(
                                &self.doc[from + 1..from + 1 + i],
                            )))
                        }
                        _ => Err("unclosed character or entity reference".into()),
                    };
                }
                State::Done => return Ok(Event::Eof),
            }
        }
    }

    /// The tag at `<` (`self.pos`).
    fn markup(&mut self) -> Result<Event<'d>, String> {
        let b = self.doc.as_bytes();
        let from = self.pos;
        self.state = State::Text;
        match b.get(from + 1) {
            None => Err("unclosed tag".into()),
            Some(b'!' | b'?') => Err(
                "comments, CDATA sections and processing instructions are not read in a chunk"
                    .into(),
            ),
            Some(b'/') => {
                let gt = close(b, from + 2).ok_or("unclosed end tag")?;
                self.pos = gt + 1;
                let name = end_name(&self.doc[from + 2..gt]);
                match self.open.pop() {
                    Some(open) if super::same(open, name) => Ok(Event::End(BytesEnd::new(name))),
                    Some(open) => Err(format!("expected </{open}>, found </{name}>")),
                    None => Err(format!("</{name}> closes no element")),
                }
            }
            Some(_) => {
                let gt = close(b, from + 1).ok_or("unclosed tag")?;
                self.pos = gt + 1;
                let content = &self.doc[from + 1..gt];
                match content.strip_suffix('/') {
                    Some(inner) => Ok(Event::Empty(BytesStart::from_content(
                        inner,
                        name_len(inner),
                    ))),
                    None => {
                        let n = name_len(content);
                        self.open.push(&content[..n]);
                        Ok(Event::Start(BytesStart::from_content(content, n)))
                    }
                }
            }
        }
    }
}

/// XML white space, as quick-xml knows it.
pub(super) const SPACE: [u8; 4] = [b' ', b'\r', b'\n', b'\t'];

#[inline(always)]
pub(super) fn is_space(b: u8) -> bool {
    SPACE.contains(&b)
}

/// The offset of the first byte at or after `from` that is (`member`) or
/// is not one of `set`; `b.len()` when there is none. Sixteen bytes at a
/// time where SSE2 is there (every x86-64 processor).
#[inline(always)]
pub(super) fn first<const N: usize>(b: &[u8], from: usize, set: [u8; N], member: bool) -> usize {
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        let m = mask16(b, i, set);
        let m = if member { m } else { !m & 0xFFFF };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i < b.len() && set.contains(&b[i]) != member {
        i += 1;
    }
    i
}

/// The offset of the first byte of `set` in `b[from..end]`, `end` when
/// there is none: [`first`] bounded by `end` (`end <= b.len()`), whose
/// sixteen-byte loads may look past `end`, never past `b`.
#[inline(always)]
pub(super) fn first_in<const N: usize>(b: &[u8], from: usize, end: usize, set: [u8; N]) -> usize {
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    while i < end && i + 16 <= b.len() {
        let m = mask16(b, i, set);
        if m != 0 {
            return (i + m.trailing_zeros() as usize).min(end);
        }
        i += 16;
    }
    while i < end && !set.contains(&b[i]) {
        i += 1;
    }
    i.min(end)
}

/// The offset of the `>` that closes the tag whose content starts at
/// `from`: the first one outside quotes (as quick-xml's element parser).
#[inline]
pub(super) fn close(b: &[u8], from: usize) -> Option<usize> {
    const STOPS: [u8; 3] = [b'>', b'"', b'\''];
    let mut quote = 0u8;
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        let mut m = mask16(b, i, STOPS);
        while m != 0 {
            let j = i + m.trailing_zeros() as usize;
            if let Some(at) = toggle(&mut quote, b[j], j) {
                return Some(at);
            }
            m &= m - 1;
        }
        i += 16;
    }
    for (j, &c) in b.get(i..)?.iter().enumerate() {
        if STOPS.contains(&c) {
            if let Some(at) = toggle(&mut quote, c, i + j) {
                return Some(at);
            }
        }
    }
    None
}

/// One `>` or quote `c` at `at` of a tag: `Some(at)` when it closes the tag,
/// else the quoting that follows.
#[inline(always)]
fn toggle(quote: &mut u8, c: u8, at: usize) -> Option<usize> {
    if *quote == 0 {
        if c == b'>' {
            return Some(at);
        }
        *quote = c;
    } else if c == *quote {
        *quote = 0;
    }
    None
}

/// The name an end tag's content (between `</` and `>`) gives: all of it
/// but the white space at its end.
#[inline]
pub(super) fn end_name(content: &str) -> &str {
    let len = content
        .as_bytes()
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(content.len(), |p| p + 1);
    &content[..len]
}

/// Bytes of the name at the start of a tag's content (up to white space).
#[inline]
fn name_len(content: &str) -> usize {
    content
        .as_bytes()
        .iter()
        .position(|&c| is_space(c))
        .unwrap_or(content.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use quick_xml::Reader;

    /// Every event of `doc` from quick-xml's reader configured as the XML
    /// reader configures it, and from the lexer, with the position after
    /// each, until the end or the first error; `trim`: the white space
    /// setting before each event (cycled).
    fn both(doc: &str, trim: &[bool]) -> (Vec<String>, Vec<String>) {
        let mut reader = Reader::from_str(doc);
        super::super::configure(reader.config_mut());
        let mut lexer = Lexer::new(doc);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0.. {
            let t = trim[i % trim.len()];
            reader.config_mut().trim_text_start = t;
            lexer.trim_text_start = t;
            let (x, y) = (reader.read_event(), lexer.next_event());
            let end = matches!(x, Ok(Event::Eof) | Err(_));
            a.push(match x {
                Ok(e) => format!("{e:?} @{}", reader.buffer_position()),
                Err(_) => "error".into(),
            });
            b.push(match y {
                Ok(e) => format!("{e:?} @{}", lexer.position()),
                Err(_) => "error".into(),
            });
            if end || i > 10_000 {
                break;
            }
        }
        (a, b)
    }

    #[test]
    fn lexer_reads_a_chunk_as_the_reader() {
        let doc = "<Alunno idSidi=\"1\">\n  <Cognome>D&apos;AMICO &#65;</Cognome>\n  \
                   <Frequenza sede=\"A\" anno=\"\" x='a>b' />\n</Alunno >\n<Alunno/>\r\n\t";
        for trim in [&[false][..], &[true], &[true, false]] {
            let (a, b) = both(doc, trim);
            assert_eq!(a, b);
            assert!(a.last().unwrap().starts_with("Eof"), "{a:?}");
        }
    }

    #[test]
    fn lexer_fails_where_the_reader_fails() {
        for doc in [
            "<a>x</b>",
            "</a>",
            "<a>&amp</a>",
            "<a>&x&y;</a>",
            "<a",
            "<a x='>",
            "<",
            "x &",
        ] {
            let (a, b) = both(doc, &[false, true]);
            assert_eq!(a, b, "{doc:?}");
            assert_eq!(b.last().map(String::as_str), Some("error"), "{doc:?}");
        }
    }

    #[test]
    fn first_in_is_bounded() {
        let b = b"Frequenza sede=\"A\"/> and more text after the tag, \tlong enough";
        for from in 0..b.len() {
            for end in from..=b.len() {
                let naive = (from..end).find(|&i| SPACE.contains(&b[i])).unwrap_or(end);
                assert_eq!(first_in(b, from, end, SPACE), naive, "{from}..{end}");
            }
        }
    }

    #[test]
    fn lexer_refuses_what_chunks_never_hold() {
        for doc in ["<!-- c -->", "<![CDATA[x]]>", "<?pi?>", "<!DOCTYPE a>"] {
            assert!(Lexer::new(doc).next_event().is_err(), "{doc:?}");
        }
    }

    /// Pieces of markup, text and references, well and badly formed.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("<a>".to_string()),
            Just("</a>".to_string()),
            Just("<b x=\"1\" y='2'>".to_string()),
            Just("</b >".to_string()),
            Just("<c/>".to_string()),
            Just("<c k=\"v>w\" />".to_string()),
            Just("<d\tk='\"'>".to_string()),
            Just("</d\n>".to_string()),
            Just("</b x='>'>".to_string()),
            Just("<a x=\"'\">".to_string()),
            Just("<>".to_string()),
            Just("</>".to_string()),
            Just("< a>".to_string()),
            Just("<a/".to_string()),
            Just("&amp;".to_string()),
            Just("&#x41;".to_string()),
            Just("&;".to_string()),
            Just("&".to_string()),
            Just(";".to_string()),
            Just(">".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("<".to_string()),
            Just("\u{feff}".to_string()),
            Just("\u{e8}".to_string()),
            "[ \t\r\n]{1,40}",
            "[A-Za-z0-9 ]{1,40}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn lexer_agrees_with_the_reader(
            parts in proptest::collection::vec(piece(), 0..40),
            bom in any::<bool>(),
            trim in proptest::collection::vec(any::<bool>(), 1..5),
        ) {
            let mut doc = if bom { "\u{feff}".to_string() } else { String::new() };
            doc.extend(parts);
            let (a, b) = both(&doc, &trim);
            prop_assert_eq!(a, b, "{:?}", doc);
        }
    }
}
