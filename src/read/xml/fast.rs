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
//! The events cost some 600 instructions each, about twenty-five a pupil:
//! reading the 60,000-pupil export took 1,027 M instructions event by
//! event, 773 M a pupil at a time (BENCHMARKS.md, "Fourteenth pass").

use super::lex::{close, end_name, first, first_in, is_space, SPACE};
use super::whole::{Loc, CHUNK_ATTRIBUTES, CHUNK_DEPTH};
use super::{
    local_name, plain_attributes, same, same_bytes, take_trimmed, FrequenzaAttrs, PField, Parser,
};
use crate::error::Result;
use crate::model::{Pupil, Trimmed};
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
fn end_tag(doc: &str, at: usize, qname: &str) -> Option<usize> {
    let b = doc.as_bytes();
    if b.get(at) != Some(&b'<') || b.get(at + 1) != Some(&b'/') {
        return None;
    }
    // `</name>`: the name holds no quote, so the lexer's `>` is the one
    // right after it
    let e = at + 2 + qname.len();
    if b.get(e) == Some(&b'>') && same_bytes(&b[at + 2..e], qname.as_bytes()) {
        return Some(e + 1);
    }
    let gt = close(b, at + 2)?;
    same(qname, end_name(&doc[at + 2..gt])).then_some(gt + 1)
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
        let b = doc.as_bytes();
        let from = first(b, at, SPACE, false);
        let tag = start_tag(doc, from)?;
        if tag.empty || !same(local_name(tag.qname), &self.n.alunno) {
            return None;
        }
        let mut id = CompactString::default();
        self.plain_attrs(tag.attrs, |k, v| {
            take_trimmed(&mut id, &self.n.a_id_sidi, k, v)
        })?;
        (self.line, self.col) = loc.advance(from);
        let mut p = self.new_pupil(id);
        let mut i = tag.after;
        // the last start tag, whose position the parse goes on with (the
        // position is taken where a record needs it, and at the end)
        let mut last = from;
        // where the next field is looked for first: they come in order
        let mut next = 0;
        loop {
            let j = first(b, i, SPACE, false);
            if let Some(end) = end_tag(doc, j, tag.qname) {
                // every token of the element lies within it
                if (end - at) as u64 > limits.xml_max_token {
                    return None;
                }
                (self.line, self.col) = loc.advance(last);
                return Some((p, end));
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
                let t = child.after;
                let lt = t + memchr::memchr2(b'<', b'&', &b[t..])?;
                let text = &doc[t..lt];
                if b[lt] != b'<' || text.len() > limits.max_field_len || text.contains('\0') {
                    return None;
                }
                i = end_tag(doc, lt, child.qname)?;
                f.set(&mut p, CompactString::new(text.trimmed()));
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
