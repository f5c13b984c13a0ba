//! The message catalogue: every user-facing text about findings, in Italian
//! (the default) and English, in one place.
//!
//! Templates use `{value}`, `{expected}`, `{field}` and `{record}`, filled from
//! the [`Finding`].

use crate::findings::{Finding, FindingCode};

/// The language of reports and messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Italian, the default: users are Italian school offices.
    #[default]
    It,
    En,
}

impl Lang {
    pub fn from_code(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "it" | "ita" | "italiano" => Some(Lang::It),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }
    /// Picks the text for this language.
    pub fn pick<'a>(self, it: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::It => it,
            Lang::En => en,
        }
    }
}

/// The (Italian, English) templates of a finding code.
pub fn finding_template(code: FindingCode) -> (&'static str, &'static str) {
    use FindingCode::*;
    match code {
        RequiredMissing => (
            "il campo {field} è obbligatorio ma è vuoto",
            "the mandatory field {field} is empty",
        ),
        DateInvalid => (
            "la data «{value}» in {field} non è valida (formato atteso {expected})",
            "the date \"{value}\" in {field} is not valid (expected format {expected})",
        ),
        SessoInvalid => (
            "il sesso «{value}» non è valido: deve essere M o F",
            "sex \"{value}\" is not valid: it must be M or F",
        ),
        IdSidiDuplicate => (
            "l'identificativo SIDI {value} compare su più alunni",
            "the SIDI id {value} appears on more than one pupil",
        ),
        NoCurrentFrequenza => (
            "l'alunno non ha una frequenza in corso (stato {value}): non viene spostato né inserito",
            "the pupil has no current frequenza (state {value}): not moved nor inserted",
        ),
        FrequenzaStatoInvalid => (
            "stato di frequenza «{value}» sconosciuto (attesi FREQUENTANTE, TRASFERITO, RITIRATO, INTERROTTO)",
            "unknown frequenza state \"{value}\" (expected FREQUENTANTE, TRASFERITO, RITIRATO, INTERROTTO)",
        ),
        OrdineInvalid => (
            "ordine di scuola «{value}» sconosciuto (attesi AA, EE, MM, SS)",
            "unknown school order \"{value}\" (expected AA, EE, MM, SS)",
        ),
        AnnoRange => (
            "anno di corso {value} fuori dall'intervallo dell'ordine ({expected})",
            "anno di corso {value} outside the range of the school order ({expected})",
        ),
        SezioneLength => (
            "la sezione «{value}» deve avere da 1 a 4 caratteri",
            "sezione \"{value}\" must have 1 to 4 characters",
        ),
        ClassUndeclared => (
            "la classe {value} indicata nella frequenza non è dichiarata nell'export: correggere su SIDI",
            "class {value} referenced by the frequenza is not declared in the export: fix it on SIDI",
        ),
        ClassDuplicate => (
            "la classe {value} è dichiarata più volte",
            "class {value} is declared more than once",
        ),
        SedeUndeclared => (
            "la sede {value} non è dichiarata nell'elenco delle sedi",
            "sede {value} is not declared in the list of sedi",
        ),
        CodeUndeclared => (
            "il codice {field} «{value}» è usato ma non è dichiarato nelle codifiche",
            "the {field} code \"{value}\" is used but not declared in the codes",
        ),
        CodeOrdine => (
            "il codice {field} «{value}» è dichiarato per l'ordine {expected}, non per quello della classe",
            "the {field} code \"{value}\" is declared for order {expected}, not the class's",
        ),
        AgeAnno => (
            "data di nascita {value} insolita per la classe (età attesa {expected}): verificare su SIDI",
            "birth date {value} unusual for the class (expected age {expected}): check on SIDI",
        ),
        CfFormat => (
            "il codice fiscale «{value}» non ha un formato valido",
            "the codice fiscale \"{value}\" is not well formed",
        ),
        CfCheck => (
            "il carattere di controllo del codice fiscale «{value}» è errato (atteso {expected}): verificare il codice fiscale",
            "the check character of codice fiscale \"{value}\" is wrong (expected {expected}): check the code",
        ),
        CfMonth => (
            "la lettera del mese «{value}» nel codice fiscale non esiste",
            "the month letter \"{value}\" of the codice fiscale does not exist",
        ),
        CfDay => (
            "il giorno di nascita nel codice fiscale non è valido ({value})",
            "the birth day in the codice fiscale is not valid ({value})",
        ),
        CfPlaceUnknown => (
            "il codice del luogo di nascita «{value}» nel codice fiscale non corrisponde a nessun comune o stato",
            "the birthplace code \"{value}\" in the codice fiscale matches no comune or state",
        ),
        CfPlaceValidity => (
            "il luogo di nascita {value} non risulta esistente alla data di nascita ({expected}): codice comunque accettato",
            "birthplace {value} did not exist on the birth date ({expected}): code accepted anyway",
        ),
        CfNormalized => (
            "codice fiscale «{value}» scritto in minuscolo o con spazi: normalizzato in {expected}",
            "codice fiscale \"{value}\" in lower case or with blanks: normalised to {expected}",
        ),
        CfTemporary => (
            "codice fiscale provvisorio (11 cifre) {value}: non usarlo come chiave stabile",
            "temporary 11-digit codice fiscale {value}: do not use it as a stable key",
        ),
        CfTemporaryCheck => (
            "la cifra di controllo del codice provvisorio «{value}» è errata (attesa {expected})",
            "the check digit of temporary code \"{value}\" is wrong (expected {expected})",
        ),
        CfMismatchCognome => (
            "le lettere del cognome nel codice fiscale ({value}) non corrispondono al cognome (atteso {expected})",
            "the surname letters in the codice fiscale ({value}) do not match the surname (expected {expected})",
        ),
        CfMismatchNome => (
            "le lettere del nome nel codice fiscale ({value}) non corrispondono al nome (atteso {expected})",
            "the name letters in the codice fiscale ({value}) do not match the name (expected {expected})",
        ),
        CfMismatchData => (
            "la data di nascita nel codice fiscale ({value}) differisce da quella dell'alunno ({expected})",
            "the birth date in the codice fiscale ({value}) differs from the pupil's ({expected})",
        ),
        CfMismatchSesso => (
            "il sesso nel codice fiscale ({value}) differisce da quello dell'alunno ({expected})",
            "the sex in the codice fiscale ({value}) differs from the pupil's ({expected})",
        ),
        CfMismatchLuogo => (
            "il luogo di nascita nel codice fiscale ({value}) differisce da quello dell'alunno ({expected})",
            "the birthplace in the codice fiscale ({value}) differs from the pupil's ({expected})",
        ),
        CfDuplicate => (
            "il codice fiscale {value} compare su più alunni: tutti esclusi, correggere su SIDI",
            "codice fiscale {value} appears on more than one pupil: all excluded, fix it on SIDI",
        ),
        CfStateNonValidato => (
            "codice fiscale non ancora validato dall'Agenzia delle Entrate (stato N)",
            "codice fiscale not yet validated by Agenzia delle Entrate (state N)",
        ),
        CfStateProvvisorio => (
            "codice fiscale provvisorio (stato P): in attesa del codice definitivo",
            "provisional codice fiscale (state P): waiting for the final code",
        ),
        CfStateInvalid => (
            "stato del codice fiscale «{value}» sconosciuto (attesi V, N, P)",
            "unknown codice fiscale state \"{value}\" (expected V, N, P)",
        ),
        PlaceUnknown => (
            "il codice {field} «{value}» non è un comune né uno stato conosciuto",
            "the {field} code \"{value}\" is no known comune or state",
        ),
        SchoolCodeFormat => (
            "il codice meccanografico «{value}» non ha un formato valido",
            "the school code \"{value}\" is not well formed",
        ),
        SchoolCodeType => (
            "il tipo del codice meccanografico «{value}» non corrisponde all'ordine {expected}",
            "the type of school code \"{value}\" does not fit order {expected}",
        ),
        SchoolCodeCheck => (
            "il carattere di controllo del codice meccanografico «{value}» sembra errato (atteso {expected})",
            "the check character of school code \"{value}\" looks wrong (expected {expected})",
        ),
        SchoolCodeUnknown => (
            "il codice meccanografico {value} non è nell'anagrafe delle scuole incorporata",
            "school code {value} is not in the embedded school registry",
        ),
        CodeUnmapped => (
            "il codice ministeriale {field} «{value}» non ha una corrispondenza locale nel profilo: operazioni sulla classe sospese",
            "the ministry {field} code \"{value}\" has no local mapping in the profile: class operations held back",
        ),
        LocalRecord => (
            "riga dell'export locale: {field} «{value}» {expected}",
            "local export row: {field} \"{value}\" {expected}",
        ),
        DecisionStale => (
            "la decisione {value} non corrisponde più ai dati attuali: non applicata",
            "decision {value} no longer matches the current inputs: not applied",
        ),
        LocalCfInvalid => (
            "riga dell'export locale: il codice fiscale «{value}» non è valido ({expected}); la riga resta, il confronto userà gli altri dati",
            "local export row: codice fiscale \"{value}\" is not valid ({expected}); the row is kept, matching uses the other data",
        ),
        RowConflict => (
            "le righe dello stesso alunno non concordano su {field}: tenuto «{expected}», ignorato «{value}»",
            "rows of the same pupil disagree on {field}: kept \"{expected}\", ignored \"{value}\"",
        ),
        HeaderInconsistent => (
            "{field} vale «{value}» ma l'esportazione è di «{expected}»",
            "{field} is \"{value}\" but the export is for \"{expected}\"",
        ),
        CodeKindInvalid => (
            "tipo di codifica «{value}» sconosciuto (attesi TEMPO_SCUOLA, INDIRIZZO): riga ignorata",
            "unknown code type \"{value}\" (expected TEMPO_SCUOLA, INDIRIZZO): row skipped",
        ),
    }
}

/// Renders the message of a finding in `lang`.
pub fn finding_message(f: &Finding, lang: Lang) -> String {
    let (it, en) = finding_template(f.code);
    fill(
        lang.pick(it, en),
        &[
            ("value", &f.value),
            ("expected", &f.expected),
            ("field", &f.field),
            ("record", &f.record),
        ],
    )
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match params.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// (Italian, English) label of an operation kind, by its patch name
/// (`insert_student`…); the name itself for an unknown kind.
pub fn op_label(name: &str) -> (&str, &str) {
    match name {
        "create_class" => ("classi da creare", "classes to create"),
        "update_class" => ("classi da aggiornare", "classes to update"),
        "insert_student" => ("alunni da inserire", "pupils to insert"),
        "update_field" => ("dati anagrafici da aggiornare", "personal fields to update"),
        "link_student" => ("alunni da collegare a SIDI", "pupils to link to SIDI"),
        "move_student" => ("alunni da spostare di classe", "pupils to move"),
        "lock_fields" => ("alunni con campi da bloccare", "pupils with fields to lock"),
        "withdraw_student" => (
            "alunni da ritirare (decisione)",
            "pupils to withdraw (decision)",
        ),
        "remove_class" => (
            "classi da rimuovere (decisione)",
            "classes to remove (decision)",
        ),
        other => (other, other),
    }
}

/// (Italian, English) label of a review kind, by its `TIPO` name.
pub fn review_label(name: &str) -> (&str, &str) {
    match name {
        "cf_mismatch" => (
            "codice fiscale diverso per lo stesso alunno",
            "different codice fiscale for the same pupil",
        ),
        "local_only" => (
            "alunni presenti solo in locale",
            "pupils only in the local database",
        ),
        "class_local_only" => (
            "classi presenti solo in locale",
            "classes only in the local database",
        ),
        other => (other, other),
    }
}

/// Text of a per-school failure found by `bulk` itself (the others come
/// from [`crate::Error::localized`]). Placeholders: `{school}`, `{files}`,
/// `{folder}`, `{dir}`, `{detail}`.
pub fn bulk_template(key: &str, lang: Lang) -> &'static str {
    let (it, en) = match key {
        "duplicate" => (
            "più di un export SIDI per la scuola {school}: {files}; lasciarne uno solo nella cartella",
            "more than one SIDI export for school {school}: {files}; keep only one in the folder",
        ),
        "no_local" => (
            "manca la cartella locale {folder} della scuola {school}",
            "the local folder {folder} of school {school} is missing",
        ),
        "no_export" => (
            "nessun export SIDI in {dir} per la cartella locale {folder}",
            "no SIDI export in {dir} for the local folder {folder}",
        ),
        "bad_code" => (
            "il codice scuola «{school}» letto dall'export non è utilizzabile come nome di cartella",
            "the school code \"{school}\" read from the export cannot be used as a folder name",
        ),
        _ => (
            "errore interno (da segnalare agli sviluppatori): {detail}",
            "internal error (please report it): {detail}",
        ),
    };
    lang.pick(it, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_both_texts() {
        for &c in FindingCode::ALL {
            let (it, en) = finding_template(c);
            assert!(!it.is_empty() && !en.is_empty(), "{}", c.code());
            assert_eq!(FindingCode::from_code(c.code()), Some(c));
        }
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("a {x} b {y}", &[("x", "1"), ("y", "2")]), "a 1 b 2");
        assert_eq!(fill("a {z}", &[]), "a {z}");
        assert_eq!(fill("a {", &[]), "a {");
    }
}
