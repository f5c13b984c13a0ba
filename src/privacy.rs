//! Redaction of personal data (`--redact`).
//!
//! A package or a `check` output may have to be sent to a vendor's support.
//! With redaction on, every codice fiscale and every name of the inputs is
//! replaced by a stable pseudonym in the human outputs (report, terminal
//! output): `CF-1a2b3c4d`, `COGNOME-…`, `NOME-…`, and `ALUNNO-…` for a
//! person as a whole. The same value always gets the same pseudonym within
//! one run's inputs, so the report still tells which rows concern the same
//! pupil; another set of inputs gives other pseudonyms, so two redacted
//! packages cannot be linked.
//!
//! The pseudonym is the first 8 hex digits of SHA-256 over a salt and the
//! value. The salt is derived from the personal data of the inputs
//! themselves (every codice fiscale and name read, in order), never from
//! what a package shows (the manifest's file hashes): whoever holds only a
//! redacted package cannot recompute the salt and test guesses.
//!
//! Patch files (`patch.jsonl`, `patch.csv`, `patch.xml`) and `review.csv`
//! are meant to be imported or filled in by the school: they always keep the
//! real data. docs/privacy.md says what is redacted where.

use crate::model::{LocalExport, SidiExport};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The kind of a personal value, which prefixes its pseudonym.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PersonalKind {
    CodiceFiscale,
    Cognome,
    Nome,
}

impl PersonalKind {
    fn prefix(self) -> &'static str {
        match self {
            PersonalKind::CodiceFiscale => "CF",
            PersonalKind::Cognome => "COGNOME",
            PersonalKind::Nome => "NOME",
        }
    }
}

/// Replaces personal data by stable pseudonyms; a no-op when off.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    on: bool,
    salt: [u8; 32],
    /// Known values (upper case, words joined by one space) by their first
    /// word: (all words, kind). Longest first.
    known: HashMap<String, Vec<(Vec<String>, PersonalKind)>>,
}

/// Splits text into words (maximal runs of letters, digits and apostrophes
/// inside a name such as D'AMICO count as separators) with their byte spans.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(b) = start.take() {
            out.push((b, i));
        }
    }
    if let Some(b) = start {
        out.push((b, s.len()));
    }
    out
}

/// Whether `w` has the shape of a codice fiscale (16 characters, omocodia
/// letters allowed in the digit positions), case-insensitively.
fn cf_shaped(w: &str) -> bool {
    let b = w.as_bytes();
    if b.len() != 16 {
        return false;
    }
    const OMO: &[u8] = b"LMNPQRSTUV";
    b.iter().enumerate().all(|(i, &c)| {
        let c = c.to_ascii_uppercase();
        match i {
            0..=5 | 8 | 11 | 15 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit() || OMO.contains(&c),
        }
    })
}

impl Redactor {
    /// Redaction off: every method returns its input unchanged.
    pub fn off() -> Redactor {
        Redactor::default()
    }

    /// Redaction on, with no known values yet and a fixed salt; add the
    /// personal data with [`Redactor::learn`] (which also salts).
    pub fn on() -> Redactor {
        Redactor {
            on: true,
            salt: Sha256::digest(b"sidisync-redact-v1").into(),
            known: HashMap::new(),
        }
    }

    /// A redactor that knows the personal data of both exports (either may
    /// be absent), salted by them.
    pub fn for_inputs(sidi: Option<&SidiExport>, local: Option<&LocalExport>) -> Redactor {
        let mut r = Redactor::on();
        if let Some(e) = sidi {
            for p in &e.pupils {
                r.learn(&p.codice_fiscale, &p.cognome, &p.nome);
            }
        }
        if let Some(l) = local {
            for p in &l.pupils {
                r.learn(&p.codice_fiscale, &p.cognome, &p.nome);
            }
        }
        r
    }

    /// Whether redaction is on.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Registers a person's codice fiscale and names (empty ones are
    /// skipped) and mixes them into the salt.
    pub fn learn(&mut self, cf: &str, cognome: &str, nome: &str) {
        if !self.on {
            return;
        }
        let mut h = Sha256::new();
        h.update(self.salt);
        for (v, kind) in [
            (cf, PersonalKind::CodiceFiscale),
            (cognome, PersonalKind::Cognome),
            (nome, PersonalKind::Nome),
        ] {
            h.update(v.as_bytes());
            h.update([0]);
            let ws: Vec<String> = words(v)
                .into_iter()
                .map(|(a, b)| v[a..b].to_uppercase())
                .collect();
            if ws.is_empty() {
                continue;
            }
            let list = self.known.entry(ws[0].clone()).or_default();
            if !list.iter().any(|(w, _)| *w == ws) {
                list.push((ws, kind));
                list.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
            }
        }
        self.salt = h.finalize().into();
    }

    /// The pseudonym of `value` of `kind` (the value itself when off).
    pub fn pseudonym(&self, kind: PersonalKind, value: &str) -> String {
        if !self.on {
            return value.to_string();
        }
        let norm: Vec<String> = words(value)
            .into_iter()
            .map(|(a, b)| value[a..b].to_uppercase())
            .collect();
        format!(
            "{}-{}",
            kind.prefix(),
            self.tag(kind.prefix(), &norm.join(" "))
        )
    }

    /// One person's label: `ALUNNO-…` from the codice fiscale, or from the
    /// names when there is none. When off: the codice fiscale, else
    /// `COGNOME NOME`.
    pub fn person(&self, cf: &str, cognome: &str, nome: &str) -> String {
        let cf = cf.trim();
        if !self.on {
            return if cf.is_empty() {
                format!("{} {}", cognome.trim(), nome.trim())
            } else {
                cf.to_string()
            };
        }
        let key = if cf.is_empty() {
            format!("{}|{}", cognome.trim(), nome.trim()).to_uppercase()
        } else {
            cf.to_uppercase()
        };
        format!("ALUNNO-{}", self.tag("ALUNNO", &key))
    }

    fn tag(&self, domain: &str, value: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(domain.as_bytes());
        h.update([0]);
        h.update(value.as_bytes());
        crate::util::hex(&h.finalize()[..4])
    }

    /// `text` with every known codice fiscale or name (whole words, any
    /// case) and every codice-fiscale-shaped word replaced by its pseudonym.
    pub fn text(&self, text: &str) -> String {
        if !self.on || text.is_empty() {
            return text.to_string();
        }
        let ws = words(text);
        let upper: Vec<String> = ws.iter().map(|&(a, b)| text[a..b].to_uppercase()).collect();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < ws.len() {
            let mut hit: Option<(usize, String)> = None;
            if cf_shaped(&upper[i]) {
                hit = Some((1, self.pseudonym(PersonalKind::CodiceFiscale, &upper[i])));
            } else if let Some(cands) = self.known.get(&upper[i]) {
                for (cw, kind) in cands {
                    if i + cw.len() <= ws.len() && upper[i..i + cw.len()] == cw[..] {
                        hit = Some((cw.len(), self.pseudonym(*kind, &cw.join(" "))));
                        break;
                    }
                }
            }
            match hit {
                Some((n, p)) => {
                    out.push_str(&text[copied..ws[i].0]);
                    out.push_str(&p);
                    copied = ws[i + n - 1].1;
                    i += n;
                }
                None => i += 1,
            }
        }
        out.push_str(&text[copied..]);
        out
    }

    /// Redacts a `check` report in place.
    pub fn check_report(&self, r: &mut crate::check::CheckReport) {
        if !self.on {
            return;
        }
        for f in &mut r.findings {
            f.record = self.text(&f.record);
            f.message = self.text(&f.message);
            f.file = self.text(&f.file);
        }
        r.file = self.text(&r.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_changes_nothing() {
        let r = Redactor::off();
        assert_eq!(r.text("RSSMRA14E52H501X ROSSI"), "RSSMRA14E52H501X ROSSI");
        assert_eq!(
            r.person("RSSMRA14E52H501X", "ROSSI", "MARIA"),
            "RSSMRA14E52H501X"
        );
        assert_eq!(r.person("", "ROSSI", "MARIA"), "ROSSI MARIA");
    }

    #[test]
    fn replaces_known_values_and_cf_shapes() {
        let mut r = Redactor::on();
        r.learn("RSSMRA14E52H501X", "DE LUCA", "ANNA MARIA");
        r.learn("", "D'AMICO", "NICOLÒ");
        let s = r.text(
            "pupil RSSMRA14E52H501X (De Luca Anna Maria), d'amico nicolò; other dllzoe14a41h50ly",
        );
        for leak in [
            "RSSMRA", "LUCA", "Luca", "ANNA", "Anna", "MARIA", "AMICO", "amico", "nicol", "dllzoe",
        ] {
            assert!(!s.contains(leak), "{leak} in {s}");
        }
        assert!(s.starts_with("pupil CF-"), "{s}");
        assert!(s.contains("COGNOME-") && s.contains("NOME-"), "{s}");
        // Stable: same value, same pseudonym; case does not matter.
        assert_eq!(
            r.pseudonym(PersonalKind::Cognome, "de luca"),
            r.pseudonym(PersonalKind::Cognome, "DE  LUCA")
        );
        assert_eq!(r.text("RSSMRA14E52H501X"), r.text("rssmra14e52h501x"));
        // Ordinary words stay.
        assert_eq!(
            r.text("campo DATA_NASCITA non valido"),
            "campo DATA_NASCITA non valido"
        );
        // Person labels.
        let p = r.person("RSSMRA14E52H501X", "X", "Y");
        assert!(p.starts_with("ALUNNO-") && p.len() == 15, "{p}");
        assert_eq!(p, r.person("rssmra14e52h501x", "other", "names"));
    }

    #[test]
    fn salt_depends_on_the_inputs() {
        let mut a = Redactor::on();
        a.learn("RSSMRA14E52H501X", "ROSSI", "MARIA");
        let mut b = Redactor::on();
        b.learn("RSSMRA14E52H501X", "ROSSI", "MARIA");
        assert_eq!(a.text("ROSSI"), b.text("ROSSI"));
        b.learn("BNCLCU14A01H501X", "BIANCHI", "LUCA");
        assert_ne!(a.text("ROSSI"), b.text("ROSSI"));
    }

    #[test]
    fn cf_shape() {
        assert!(cf_shaped("RSSMRA14E52H501X"));
        assert!(cf_shaped("rssmra14e52h50lx"));
        assert!(!cf_shaped("FREQUENTANTE0000"));
        assert!(!cf_shaped("RSSMRA14E52H501"));
    }
}
