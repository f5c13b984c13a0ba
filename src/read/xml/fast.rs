//! A chunk's pupils a pupil at a time: each `Alunno` element read in one
//! pass over its text, without an event per tag.
//!
//! An export's `Alunni` element is almost all of it, and its pupils all
//! have the same shape: `<Alunno idSidi="…">`, the fields as elements with
//! text (`<Cognome>ROSSI</Cognome>`), the frequenze as empty elements with
//! attributes, white space between. [`Parser::fast_pupil`] reads an
//! element of that shape directly from the chunk's text. The pupil it
//! makes, its findings and every position are those of the event by event
//! parse ([`Parser::start`], [`Parser::end`]): both build the pupil with
//! the same pieces (`new_pupil`, `Names::pupil_field`, `PField::set`,
//! `FrequenzaAttrs`, `frequenza`, `finish_pupil`), read tags as the lexer
//! does (`lex::close`, `lex::name_len`, `lex::end_name`) and apply the same
//! limits. Anything else (a reference, a child it does not know, an empty
//! field element, a frequenza with content, attributes that are not plain,
//! text between the children, a limit reached, a wrong end tag) makes it
//! answer "not here", having changed nothing the parse depends on, and the
//! element goes through the events as before, which read it or name what
//! is wrong. A test compares the two on random pupils of every such kind.
//!
//! The tags themselves are first matched as SIDI writes them
//! ([`usual_start`]: `<Alunno idSidi="…">`, `<Cognome>`, `<Frequenza
//! sede="…" anno="…" sezione="…" dal="…" stato="…"/>`), which the lexer and
//! [`plain_attributes`] would read the same way; only a tag written
//! otherwise is found by its `>` and its attributes read after.
//!
//! The events cost some 600 instructions each, about twenty-five a pupil:
//! reading the 60,000-pupil export took 1,027 M instructions event by
//! event, 773 M a pupil at a time, 426 M with the tags matched as written
//! (BENCHMARKS.md, "Fourteenth pass", "Fifteenth pass").

use super::lex::{close, end_name, first, first_in, is_space, SPACE};
use super::whole::{Loc, CHUNK_ATTRIBUTES, CHUNK_DEPTH};
use super::{
    all_differ, local_name, plain_attributes, same, same_bytes, take_trimmed, value_end,
    FrequenzaAttrs, Names, PField, Parser, ATTRIBUTE_BYTES, NAME,
};
use crate::error::Result;
use crate::model::{Pupil, Trimmed};
use crate::read::Limits;
use compact_str::CompactString;
use std::borrow::Cow;

/// A start tag of a chunk's text, as the lexer reads it.
struct StartTag<'d> {
    /// The name as written (with its prefix, if any; never a quote).
    qname: &'d str,
    /// What follows the name: the attributes as written.
    attrs: &'d str,
    /// Whether it is an empty element (`/>`).
    empty: bool,
    /// The offset after its `>`.
    after: usize,
}

/// The start tag at offset `at` of `doc`; `None` when there is none there
/// (an end tag, other markup, text, no closing `>`) or its name holds a
/// quote.
fn start_tag(doc: &str, at: usize) -> Option<StartTag<'_>> {
    let b = doc.as_bytes();
    if b.get(at) != Some(&b'<') || matches!(b.get(at + 1), None | Some(b'/' | b'!' | b'?')) {
        return None;
    }
    let gt = close(b, at + 1)?;
    let content = &doc[at + 1..gt];
    let (inner, empty) = match content.strip_suffix('/') {
        Some(inner) => (inner, true),
        None => (content, false),
    };
    // the name runs to white space (`lex::name_len`), looked for sixteen
    // bytes at a time; a quote before it is left to the events
    let end = at + 1 + inner.len();
    let n = first_in(b, at + 1, end, [b' ', b'\t', b'\r', b'\n', b'"', b'\'']);
    if n < end && matches!(b[n], b'"' | b'\'') {
        return None;
    }
    let n = n - (at + 1);
    Some(StartTag {
        qname: &inner[..n],
        attrs: &inner[n..],
        empty,
        after: gt + 1,
    })
}

/// The offset after the end tag at `at` of `doc` when it closes `qname`
/// (the name of a [`StartTag`] as written, as the lexer checks it).
///
/// Inlined: asked eight times a pupil, nearly always answered by the one
/// comparison; the other forms are `end_tag_as_written`'s.
#[inline(always)]
fn end_tag(doc: &str, at: usize, qname: &str) -> Option<usize> {
    let b = doc.as_bytes();
    if b.get(at) != Some(&b'<') || b.get(at + 1) != Some(&b'/') {
        return None;
    }
    // `</name>`: the name holds no quote, so the lexer's `>` is the one
    // right after it
    let e = at + 2 + qname.len();
    if b.get(e) == Some(&b'>') && holds(b, at + 2, qname.as_bytes()) {
        return Some(e + 1);
    }
    end_tag_as_written(doc, at, qname)
}

/// [`end_tag`] for an end tag written otherwise (`</name >`, a prefix):
/// the `>` found as the lexer finds it.
#[cold]
#[inline(never)]
fn end_tag_as_written(doc: &str, at: usize, qname: &str) -> Option<usize> {
    let gt = close(doc.as_bytes(), at + 2)?;
    same(qname, end_name(&doc[at + 2..gt])).then_some(gt + 1)
}

/// Whether `b` holds the bytes `s` at offset `at`.
#[inline(always)]
fn holds(b: &[u8], at: usize, s: &[u8]) -> bool {
    b.get(at..at + s.len()).is_some_and(|x| same_bytes(x, s))
}

/// How a tag matched by [`usual_start`] ends.
#[derive(Clone, Copy)]
enum Ends {
    /// `>`: an element with content.
    Open,
    /// `/>`: an empty element.
    Empty,
}

/// The start tag at offset `at` of `doc` when it is written exactly as
/// SIDI writes it: `<qname`, then ` name="value"` for each of `names` in
/// that order (one space before each, double quotes), then `>` or `/>` as
/// `ends` says. Gives the values and the offset after the tag; `None` for
/// anything else, or a value longer than `max_len` bytes or that
/// [`plain_attributes`] would not read (a reference, `<`, a control
/// character).
///
/// Where it answers, [`start_tag`] and [`plain_attributes`] give the same
/// name, the same attributes and values in the same order, and the same
/// end, without looking for the `>` and then going over the attributes
/// again: provided the names are plain ([`usual_tags`]).
#[inline(always)]
fn usual_start<'d, const N: usize>(
    doc: &'d str,
    at: usize,
    qname: &str,
    names: [&str; N],
    ends: Ends,
    max_len: usize,
) -> Option<([&'d str; N], usize)> {
    let b = doc.as_bytes();
    if b.get(at) != Some(&b'<') || !holds(b, at + 1, qname.as_bytes()) {
        return None;
    }
    let mut i = at + 1 + qname.len();
    let mut values = [""; N];
    for (v, name) in values.iter_mut().zip(names) {
        // ` name="`
        let from = i + name.len() + 3;
        if b.get(i) != Some(&b' ')
            || !holds(b, i + 1, name.as_bytes())
            || !holds(b, from - 2, b"=\"")
        {
            return None;
        }
        let end = value_end(b, from, b'"')?;
        if end - from > max_len {
            return None;
        }
        *v = &doc[from..end];
        i = end + 1;
    }
    let after = match ends {
        Ends::Open => i + 1,
        Ends::Empty => (b.get(i) == Some(&b'/')).then_some(i + 2)?,
    };
    (b.get(after - 1) == Some(&b'>')).then_some((values, after))
}

/// Whether the tags of a usual pupil may be matched as written
/// ([`usual_start`]) with `n`'s names under `limits`:
/// - every name involved (`Alunno`, its fields, `Frequenza`, `idSidi` and
///   the attributes of a frequenza, after renames) is plain: not empty,
///   no prefix, none of the bytes that end a name or an attribute's name
///   for [`plain_attributes`] (blanks, `=`, quotes, `<`, `>`, `/`, `&`,
///   control characters), not starting as other markup (`!`, `?`). The
///   lexer then reads the same name and the same `>`;
/// - the five attribute names of a frequenza differ from one another, so
///   do the fields' names (the field looked for is the one expected next,
///   as `Parser::pupil_field` asks first), and `Frequenza` is not the name
///   of a field (it would be read as one);
/// - an element may have five attributes.
pub(super) fn usual_tags(n: &Names, limits: &Limits) -> bool {
    let plain = |name: &str| {
        let b = name.as_bytes();
        !b.is_empty()
            && !matches!(b[0], b'!' | b'?')
            && b.iter()
                .all(|&c| c != b':' && ATTRIBUTE_BYTES[usize::from(c)] == NAME)
    };
    let attrs = frequenza_attributes(n);
    let fields = n.pupil_fields().map(|f| f.0);
    let mut names = [n.alunno.as_str(), &n.frequenza, &n.a_id_sidi]
        .into_iter()
        .chain(attrs)
        .chain(fields);
    names.all(plain)
        && all_differ(&attrs)
        && all_differ(&fields)
        && !fields.contains(&n.frequenza.as_str())
        && limits.xml_max_attributes >= attrs.len()
        && CHUNK_ATTRIBUTES >= attrs.len()
}

/// The attributes of a frequenza in the order SIDI writes them.
fn frequenza_attributes(n: &Names) -> [&str; 5] {
    [&n.a_sede, &n.a_anno, &n.a_sezione, &n.a_dal, &n.a_stato]
}

/// The text of a field element whose start tag ends at `t` of `doc`, and
/// the offset after its end tag (which must close `qname`); `None` when the
/// text holds a reference, a NUL or markup, or is longer than `max_len`
/// bytes.
fn field_text<'d>(doc: &'d str, t: usize, qname: &str, max_len: usize) -> Option<(&'d str, usize)> {
    let b = doc.as_bytes();
    // a text is a few bytes: one sixteen-byte look for its end, a
    // reference or a NUL
    let lt = first(b, t, [b'<', b'&', 0], true);
    if b.get(lt) != Some(&b'<') || lt - t > max_len {
        return None;
    }
    Some((&doc[t..lt], end_tag(doc, lt, qname)?))
}

impl Parser<'_> {
    /// Reads the `Alunno` element that starts at offset `at` of the chunk
    /// text `doc` (after white space) in one pass, when it has the usual
    /// shape (see the module documentation). `Ok(Some(end))`: the pupil is
    /// made and in the export, `end` is the offset after its end tag;
    /// `Ok(None)`: not read here, and nothing the parse goes on from has
    /// changed (`loc` and the current position are as they were). An error
    /// is [`Parser::finish_pupil`]'s.
    pub(super) fn fast_pupil(
        &mut self,
        doc: &str,
        at: usize,
        loc: &mut Loc,
    ) -> Result<Option<usize>> {
        let (before, line, col) = (loc.clone(), self.line, self.col);
        match self.read_pupil(doc, at, loc) {
            Some((p, end)) => {
                self.finish_pupil(p)?;
                Ok(Some(end))
            }
            None => {
                *loc = before;
                (self.line, self.col) = (line, col);
                Ok(None)
            }
        }
    }

    /// The pupil of the `Alunno` element at `at` and the offset after it.
    fn read_pupil(&mut self, doc: &str, at: usize, loc: &mut Loc) -> Option<(Pupil, usize)> {
        let limits = &self.opts.limits;
        // the element opens at depth CHUNK_DEPTH, its children one deeper
        if limits.xml_max_depth <= CHUNK_DEPTH + 1 {
            return None;
        }
        let max_len = limits.max_field_len;
        let b = doc.as_bytes();
        let from = first(b, at, SPACE, false);
        // the open tag as SIDI writes it, else any form the lexer reads
        let usual = match self.usual_tags {
            true => usual_start(
                doc,
                from,
                &self.n.alunno,
                [&self.n.a_id_sidi],
                Ends::Open,
                max_len,
            ),
            false => None,
        };
        let (qname, mut i, id) = match usual {
            Some(([v], after)) => {
                let qname = &doc[from + 1..from + 1 + self.n.alunno.len()];
                (qname, after, CompactString::new(v.trimmed()))
            }
            None => {
                let tag = start_tag(doc, from)?;
                if tag.empty || !same(local_name(tag.qname), &self.n.alunno) {
                    return None;
                }
                let mut id = CompactString::default();
                self.plain_attrs(tag.attrs, |k, v| {
                    take_trimmed(&mut id, &self.n.a_id_sidi, k, v)
                })?;
                (tag.qname, tag.after, id)
            }
        };
        (self.line, self.col) = loc.advance(from);
        let mut p = self.new_pupil(id);
        // the last start tag, whose position the parse goes on with (the
        // position is taken where a record needs it, and at the end)
        let mut last = from;
        // where the next field is looked for first: they come in order
        let mut next = 0;
        loop {
            let j = first(b, i, SPACE, false);
            if let Some(end) = end_tag(doc, j, qname) {
                // every token of the element lies within it
                if (end - at) as u64 > limits.xml_max_token {
                    return None;
                }
                (self.line, self.col) = loc.advance(last);
                return Some((p, end));
            }
            // the next field or a frequenza as SIDI writes them (what the
            // lexer and `pupil_field` below would make of them), else any
            // child the lexer reads
            if self.usual_tags {
                if let Some(&(name, f)) = self.n.pupil_fields().get(next) {
                    let usual = match f {
                        PField::Cf => {
                            usual_start(doc, j, name, [&self.n.a_stato], Ends::Open, max_len)
                                .map(|([v], after)| (Some(v), after))
                        }
                        _ => usual_start(doc, j, name, [], Ends::Open, max_len)
                            .map(|([], after)| (None, after)),
                    };
                    if let Some((stato, after)) = usual {
                        last = j;
                        next += 1;
                        if let Some(v) = stato {
                            p.stato_cf = CompactString::new(v.trimmed());
                        }
                        let (text, end) = field_text(doc, after, name, max_len)?;
                        f.set(&mut p, CompactString::new(text.trimmed()));
                        i = end;
                        continue;
                    }
                }
                let names = frequenza_attributes(&self.n);
                if let Some((values, after)) =
                    usual_start(doc, j, &self.n.frequenza, names, Ends::Empty, max_len)
                {
                    last = j;
                    (self.line, self.col) = loc.advance(j);
                    let fr = self.frequenza(FrequenzaAttrs::in_order(values));
                    p.add_frequenza(fr);
                    i = after;
                    continue;
                }
            }
            let child = start_tag(doc, j)?;
            last = j;
            let name = local_name(child.qname);
            if let Some(f) = self.pupil_field(name, &mut next) {
                if child.empty {
                    return None;
                }
                if f == PField::Cf {
                    let mut stato = CompactString::default();
                    self.plain_attrs(child.attrs, |k, v| {
                        take_trimmed(&mut stato, &self.n.a_stato, k, v)
                    })?;
                    p.stato_cf = stato;
                } else if !child.attrs.bytes().all(is_space) {
                    return None;
                }
                let (text, end) = field_text(doc, child.after, child.qname, max_len)?;
                f.set(&mut p, CompactString::new(text.trimmed()));
                i = end;
            } else if child.empty && same(name, &self.n.frequenza) {
                let mut a = FrequenzaAttrs::default();
                self.plain_attrs(child.attrs, |k, v| a.take(&self.n, k, Cow::Borrowed(v)))?;
                (self.line, self.col) = loc.advance(j);
                let fr = self.frequenza(a);
                p.add_frequenza(fr);
                i = child.after;
            } else {
                return None;
            }
        }
    }

    /// [`super::Names::pupil_field`], asking first for the field at `next`
    /// of the order (the one after the last found) when the field names
    /// differ from one another, so that any one named is the first one
    /// named; else, or when it is not that one, as `pupil_field` does.
    #[inline]
    fn pupil_field(&self, name: &str, next: &mut usize) -> Option<PField> {
        let fields = self.n.pupil_fields();
        if self.fields_differ {
            if let Some(&(n, f)) = fields.get(*next) {
                if same(name, n) {
                    *next += 1;
                    return Some(f);
                }
            }
        }
        let k = fields.iter().position(|(n, _)| same(name, n))?;
        *next = k + 1;
        Some(fields[k].1)
    }

    /// Gives `f` each attribute of `raw` (local name, value) when they are
    /// plain ([`plain_attributes`]) and within the limits a chunk applies
    /// ([`Parser::attribute_allowed`], [`Parser::check_attribute`]); else
    /// `None`, before giving any.
    pub(super) fn plain_attrs<'r>(
        &self,
        raw: &'r str,
        mut f: impl FnMut(&str, &'r str),
    ) -> Option<()> {
        let mut pairs = [("", ""); CHUNK_ATTRIBUTES];
        let n = plain_attributes(raw, &mut pairs)?;
        let mut names = [""; CHUNK_ATTRIBUTES];
        for (i, &(k, v)) in pairs[..n].iter().enumerate() {
            self.attribute_allowed(i).ok()?;
            self.check_attribute(i, k, v, &mut names).ok()?;
        }
        for &(k, v) in &pairs[..n] {
            f(local_name(k), v);
        }
        Some(())
    }
}
