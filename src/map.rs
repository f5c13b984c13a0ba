//! Ministry code -> local code mapping.
//!
//! The local package has its own codes for tempo scuola and indirizzo. A
//! profile may give a table per kind (`[mapping.tempo_scuola]`,
//! `[mapping.indirizzo]` or mapping files); when a kind has no table the
//! mapping is the identity. When a table is given, a ministry code missing
//! from it is *unmapped*: the sync engine reports
//! [`crate::findings::FindingCode::CodeUnmapped`] on the class and holds
//! back the operations that would need the local code. An empty ministry
//! code maps to an empty local code.

use crate::model::CodeKind;
use crate::read::profile::Profile;
use std::collections::BTreeMap;

/// Code tables for one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeMap {
    tempo_scuola: Option<BTreeMap<String, String>>,
    indirizzo: Option<BTreeMap<String, String>>,
}

impl CodeMap {
    /// Identity for both kinds.
    pub fn identity() -> CodeMap {
        CodeMap::default()
    }

    /// The tables of a profile (keys and values trimmed).
    pub fn from_profile(p: &Profile) -> CodeMap {
        fn clean(t: &Option<BTreeMap<String, String>>) -> Option<BTreeMap<String, String>> {
            t.as_ref().map(|m| {
                m.iter()
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect()
            })
        }
        CodeMap {
            tempo_scuola: clean(&p.tempo_scuola_map),
            indirizzo: clean(&p.indirizzo_map),
        }
    }

    /// Builds a map from explicit tables (`None`: identity).
    pub fn new(
        tempo_scuola: Option<BTreeMap<String, String>>,
        indirizzo: Option<BTreeMap<String, String>>,
    ) -> CodeMap {
        CodeMap {
            tempo_scuola,
            indirizzo,
        }
    }

    /// Whether `kind` has a table (otherwise identity).
    pub fn has_table(&self, kind: CodeKind) -> bool {
        self.table(kind).is_some()
    }

    fn table(&self, kind: CodeKind) -> Option<&BTreeMap<String, String>> {
        match kind {
            CodeKind::TempoScuola => self.tempo_scuola.as_ref(),
            CodeKind::Indirizzo => self.indirizzo.as_ref(),
        }
    }

    /// The local code for a ministry code; `None` when a table is given and
    /// the code is not in it.
    pub fn map<'a>(&'a self, kind: CodeKind, code: &'a str) -> Option<&'a str> {
        let code = code.trim();
        if code.is_empty() {
            return Some("");
        }
        match self.table(kind) {
            None => Some(code),
            Some(t) => t.get(code).map(String::as_str),
        }
    }

    /// Maps a class's (tempo scuola, indirizzo); on failure, the unmapped
    /// codes with their kind.
    pub fn map_class<'a>(
        &'a self,
        tempo_scuola: &'a str,
        indirizzo: &'a str,
    ) -> Result<(&'a str, &'a str), Vec<(CodeKind, &'a str)>> {
        let t = self.map(CodeKind::TempoScuola, tempo_scuola);
        let i = self.map(CodeKind::Indirizzo, indirizzo);
        match (t, i) {
            (Some(t), Some(i)) => Ok((t, i)),
            _ => {
                let mut bad = Vec::new();
                if t.is_none() {
                    bad.push((CodeKind::TempoScuola, tempo_scuola.trim()));
                }
                if i.is_none() {
                    bad.push((CodeKind::Indirizzo, indirizzo.trim()));
                }
                Err(bad)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_tables() {
        let id = CodeMap::identity();
        assert_eq!(id.map(CodeKind::TempoScuola, " 10 "), Some("10"));
        let m = CodeMap::new(Some([("10".to_string(), "T24".to_string())].into()), None);
        assert_eq!(m.map(CodeKind::TempoScuola, "10"), Some("T24"));
        assert_eq!(m.map(CodeKind::TempoScuola, "11"), None);
        assert_eq!(m.map(CodeKind::TempoScuola, ""), Some(""));
        assert_eq!(m.map(CodeKind::Indirizzo, "LI02"), Some("LI02"));
        assert_eq!(m.map_class("10", "LI02"), Ok(("T24", "LI02")));
        assert_eq!(
            m.map_class("12", "LI02"),
            Err(vec![(CodeKind::TempoScuola, "12")])
        );
    }

    #[test]
    fn from_profile() {
        let p = Profile::parse("[mapping.indirizzo]\nLI02 = ' SCI '\n", "p.toml", None).unwrap();
        let m = CodeMap::from_profile(&p);
        assert!(m.has_table(CodeKind::Indirizzo));
        assert!(!m.has_table(CodeKind::TempoScuola));
        assert_eq!(m.map(CodeKind::Indirizzo, "LI02"), Some("SCI"));
    }
}
