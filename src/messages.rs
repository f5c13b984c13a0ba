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

/// What a secretary should do about a finding: (short title, action), each
/// as (Italian, English). The title names the problem in plain words; the
/// action says where to fix it ("correggere su SIDI", "verificare il codice
/// fiscale"…).
pub fn finding_guide(code: FindingCode) -> [&'static str; 4] {
    use FindingCode::*;
    const FIX_SIDI: (&str, &str) = ("Correggere su SIDI.", "Fix it on SIDI.");
    const CHECK_CF: (&str, &str) = (
        "Verificare il codice fiscale su SIDI (tessera sanitaria o certificato dell'Agenzia delle Entrate).",
        "Check the codice fiscale on SIDI (health card or Agenzia delle Entrate certificate).",
    );
    const NOTHING: (&str, &str) = (
        "Nessuna azione necessaria: solo per informazione.",
        "Nothing to do: for information only.",
    );
    const PROFILE: (&str, &str) = (
        "Aggiungere la corrispondenza dei codici nel profilo (file .toml) e ripetere la sincronizzazione.",
        "Add the code mapping to the profile (.toml file) and run the sync again.",
    );
    const LOCAL: (&str, &str) = (
        "Correggere la riga nel gestionale locale e riesportare.",
        "Fix the row in the local software and export again.",
    );
    let (title, action): ((&str, &str), (&str, &str)) = match code {
        RequiredMissing => (("Dato obbligatorio mancante", "Mandatory data missing"), FIX_SIDI),
        DateInvalid => (("Data non valida", "Invalid date"), FIX_SIDI),
        SessoInvalid => (("Sesso non valido", "Invalid sex"), FIX_SIDI),
        IdSidiDuplicate => (("Identificativo SIDI ripetuto", "Repeated SIDI id"), FIX_SIDI),
        NoCurrentFrequenza => (
            ("Alunno senza frequenza in corso", "Pupil with no current frequenza"),
            (
                "Nessuna azione se l'alunno è trasferito o ritirato; altrimenti aggiornare la frequenza su SIDI.",
                "Nothing to do if the pupil left; otherwise update the frequenza on SIDI.",
            ),
        ),
        FrequenzaStatoInvalid => (("Stato di frequenza sconosciuto", "Unknown frequenza state"), FIX_SIDI),
        OrdineInvalid => (("Ordine di scuola sconosciuto", "Unknown school order"), FIX_SIDI),
        AnnoRange => (("Anno di corso fuori intervallo", "Anno di corso out of range"), FIX_SIDI),
        SezioneLength => (("Sezione non valida", "Invalid sezione"), FIX_SIDI),
        ClassUndeclared => (("Classe non dichiarata", "Undeclared class"), FIX_SIDI),
        ClassDuplicate => (("Classe dichiarata due volte", "Class declared twice"), FIX_SIDI),
        SedeUndeclared => (("Sede non dichiarata", "Undeclared sede"), FIX_SIDI),
        CodeUndeclared => (("Codice non dichiarato", "Undeclared code"), FIX_SIDI),
        CodeOrdine => (("Codice di un altro ordine di scuola", "Code of another school order"), FIX_SIDI),
        AgeAnno => (
            ("Età insolita per la classe", "Unusual age for the class"),
            (
                "Verificare data di nascita e classe su SIDI; se corrette, nessuna azione.",
                "Check birth date and class on SIDI; if right, nothing to do.",
            ),
        ),
        CfFormat => (("Codice fiscale malformato", "Malformed codice fiscale"), CHECK_CF),
        CfCheck => (("Codice fiscale con controllo errato", "Codice fiscale with wrong check character"), CHECK_CF),
        CfMonth => (("Mese del codice fiscale inesistente", "Codice fiscale month does not exist"), CHECK_CF),
        CfDay => (("Giorno del codice fiscale non valido", "Codice fiscale day not valid"), CHECK_CF),
        CfPlaceUnknown => (("Luogo del codice fiscale sconosciuto", "Unknown codice fiscale place"), CHECK_CF),
        CfPlaceValidity => (("Comune di nascita non ancora/più esistente", "Birthplace not existing at birth"), NOTHING),
        CfNormalized => (("Codice fiscale scritto in modo irregolare", "Codice fiscale written irregularly"), NOTHING),
        CfTemporary => (
            ("Codice fiscale provvisorio", "Temporary codice fiscale"),
            (
                "Richiedere il codice definitivo e aggiornarlo su SIDI appena disponibile.",
                "Ask for the final code and update it on SIDI as soon as available.",
            ),
        ),
        CfTemporaryCheck => (("Codice provvisorio con controllo errato", "Temporary code with wrong check digit"), CHECK_CF),
        CfMismatchCognome => (("Cognome diverso dal codice fiscale", "Surname differs from the codice fiscale"), CHECK_CF),
        CfMismatchNome => (("Nome diverso dal codice fiscale", "Name differs from the codice fiscale"), CHECK_CF),
        CfMismatchData => (("Data di nascita diversa dal codice fiscale", "Birth date differs from the codice fiscale"), CHECK_CF),
        CfMismatchSesso => (("Sesso diverso dal codice fiscale", "Sex differs from the codice fiscale"), CHECK_CF),
        CfMismatchLuogo => (("Luogo di nascita diverso dal codice fiscale", "Birthplace differs from the codice fiscale"), CHECK_CF),
        CfDuplicate => (("Stesso codice fiscale su più alunni", "Same codice fiscale on several pupils"), FIX_SIDI),
        CfStateNonValidato => (
            ("Codice fiscale non validato", "Codice fiscale not validated"),
            (
                "Attendere la validazione dell'Agenzia delle Entrate; se persiste, verificare su SIDI.",
                "Wait for Agenzia delle Entrate to validate it; if it persists, check on SIDI.",
            ),
        ),
        CfStateProvvisorio => (
            ("Codice fiscale provvisorio", "Provisional codice fiscale"),
            (
                "Aggiornare su SIDI appena arriva il codice definitivo.",
                "Update on SIDI once the final code arrives.",
            ),
        ),
        CfStateInvalid => (("Stato del codice fiscale sconosciuto", "Unknown codice fiscale state"), FIX_SIDI),
        PlaceUnknown => (("Comune o stato sconosciuto", "Unknown comune or state"), FIX_SIDI),
        SchoolCodeFormat => (("Codice meccanografico malformato", "Malformed school code"), FIX_SIDI),
        SchoolCodeType => (("Tipo di codice meccanografico incoerente", "School code type does not fit"), FIX_SIDI),
        SchoolCodeCheck => (("Codice meccanografico sospetto", "Suspicious school code"), FIX_SIDI),
        SchoolCodeUnknown => (("Codice meccanografico non in elenco", "School code not in the registry"), NOTHING),
        CodeUnmapped => (("Codice ministeriale senza corrispondenza locale", "Ministry code with no local mapping"), PROFILE),
        LocalRecord => (("Riga del gestionale locale irregolare", "Irregular local row"), LOCAL),
        DecisionStale => (
            ("Decisione non più valida", "Decision no longer valid"),
            (
                "Ripetere la decisione sulla nuova riga di review.csv.",
                "Decide again on the new row of review.csv.",
            ),
        ),
        LocalCfInvalid => (("Codice fiscale locale non valido", "Invalid local codice fiscale"), LOCAL),
        RowConflict => (("Righe dello stesso alunno discordanti", "Rows of the same pupil disagree"), FIX_SIDI),
        HeaderInconsistent => (("Scuola o anno diversi dall'intestazione", "School or year differ from the header"), FIX_SIDI),
        CodeKindInvalid => (("Tipo di codifica sconosciuto", "Unknown code type"), NOTHING),
    };
    [title.0, title.1, action.0, action.1]
}

/// (Italian, English) one-line description of what an operation kind does
/// to the local database.
pub fn op_description(name: &str) -> (&'static str, &'static str) {
    match name {
        "create_class" => (
            "La classe esiste su SIDI ma non nel gestionale: viene creata.",
            "The class exists on SIDI but not locally: it is created.",
        ),
        "update_class" => (
            "Tempo scuola o indirizzo della classe sono diversi da SIDI: vengono aggiornati.",
            "The class's tempo scuola or indirizzo differ from SIDI: they are updated.",
        ),
        "insert_student" => (
            "L'alunno è su SIDI ma non nel gestionale: viene inserito con i dati SIDI.",
            "The pupil is on SIDI but not locally: inserted with SIDI's data.",
        ),
        "update_field" => (
            "Un dato anagrafico è diverso da SIDI: vale quello di SIDI.",
            "A personal field differs from SIDI: SIDI's value wins.",
        ),
        "link_student" => (
            "L'alunno viene collegato al suo identificativo SIDI.",
            "The pupil is linked to its SIDI id.",
        ),
        "move_student" => (
            "Su SIDI l'alunno frequenta un'altra classe: viene spostato.",
            "On SIDI the pupil attends another class: moved.",
        ),
        "lock_fields" => (
            "I dati anagrafici gestiti da SIDI vengono bloccati nel gestionale.",
            "The personal fields SIDI manages are locked locally.",
        ),
        "withdraw_student" => (
            "Decisione presa in review.csv: l'alunno viene ritirato dal gestionale.",
            "Decided in review.csv: the pupil is withdrawn locally.",
        ),
        "remove_class" => (
            "Decisione presa in review.csv: la classe viene rimossa dal gestionale.",
            "Decided in review.csv: the class is removed locally.",
        ),
        _ => ("", ""),
    }
}

/// What each answer in `review.csv` does for a review kind:
/// `[ACCETTA it, ACCETTA en, RIFIUTA it, RIFIUTA en]`.
pub fn review_choices(name: &str) -> [&'static str; 4] {
    match name {
        "cf_mismatch" => [
            "sono la stessa persona: il codice fiscale locale viene sostituito da quello SIDI",
            "same person: the local codice fiscale is replaced by SIDI's",
            "sono persone diverse: l'alunno SIDI viene inserito come nuovo",
            "different people: the SIDI pupil is inserted as new",
        ],
        "local_only" => [
            "l'alunno viene ritirato dal gestionale locale",
            "the pupil is withdrawn from the local database",
            "l'alunno resta com'è (verificare su SIDI perché manca)",
            "the pupil stays as is (check on SIDI why it is missing)",
        ],
        "class_local_only" => [
            "la classe viene rimossa dal gestionale (solo se vuota)",
            "the class is removed locally (only when empty)",
            "la classe resta nel gestionale",
            "the class stays in the local database",
        ],
        _ => ["", "", "", ""],
    }
}

/// (Italian, English) name of a field of the local database, by its snake
/// case name in patches.
pub fn field_label(name: &str) -> (&str, &str) {
    match name {
        "codice_fiscale" => ("codice fiscale", "codice fiscale"),
        "cognome" => ("cognome", "surname"),
        "nome" => ("nome", "name"),
        "sesso" => ("sesso", "sex"),
        "data_nascita" => ("data di nascita", "birth date"),
        "luogo_nascita" => ("luogo di nascita", "birthplace"),
        "cittadinanza" => ("cittadinanza", "citizenship"),
        "id_sidi" => ("id SIDI", "SIDI id"),
        "tempo_scuola" => ("tempo scuola", "tempo scuola"),
        "indirizzo" => ("indirizzo", "indirizzo"),
        other => (other, other),
    }
}

/// (Italian, English) why an operation was held back.
pub fn held_back_reason(reason: &str) -> (&str, &str) {
    match reason {
        "class_excluded" => (
            "la classe ha errori su SIDI",
            "the class has errors on SIDI",
        ),
        "code_unmapped" => (
            "codice della classe senza corrispondenza locale",
            "class code with no local mapping",
        ),
        "class_undeclared" => (
            "classe non dichiarata su SIDI",
            "class not declared on SIDI",
        ),
        other => (other, other),
    }
}

/// A count with its noun in singular or plural: `[it one, it many, en one,
/// en many]` templates with `{n}`, the number's thousands separated
/// ([`thousands`]): `18.291 alunni`, `18,291 pupils`.
pub fn count_phrase(forms: [&str; 4], n: usize, lang: Lang) -> String {
    fill(
        count_form(forms, n, lang),
        &[("n", &thousands(n as u64, lang))],
    )
}

/// The form of `forms` (see [`count_phrase`]) for `n` in `lang`.
fn count_form(forms: [&str; 4], n: usize, lang: Lang) -> &str {
    match (lang, n == 1) {
        (Lang::It, true) => forms[0],
        (Lang::It, false) => forms[1],
        (Lang::En, true) => forms[2],
        (Lang::En, false) => forms[3],
    }
}

/// A number with its thousands separated the Italian (`18.291`) or English
/// (`18,291`) way.
pub fn thousands(n: u64, lang: Lang) -> String {
    let s = n.to_string();
    let sep = lang.pick(".", ",");
    let mut o = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            o.push_str(sep);
        }
        o.push(ch);
    }
    o
}

/// A number with one decimal, written the Italian (`1.234,5`) or English
/// (`1,234.5`) way, its whole part as [`thousands`] writes it.
pub fn one_decimal(x: f64, lang: Lang) -> String {
    let tenths = (x.max(0.0) * 10.0).round() as u64;
    format!(
        "{}{}{}",
        thousands(tenths / 10, lang),
        lang.pick(",", "."),
        tenths % 10
    )
}

/// A size in bytes for people, in decimal units with one decimal: kB
/// below a megabyte (a small workload is not `0,0 MB`), MB below a
/// gigabyte, GB above (`5,2 kB`, `25,7 MB`, `1,3 GB`).
pub fn size_text(bytes: u64, lang: Lang) -> String {
    let b = bytes as f64;
    // kB until the size rounds to 1.0 MB, then MB until it rounds to 1.0 GB
    let (v, unit) = if b < 999_950.0 {
        (b / 1e3, "kB")
    } else if b < 999_950_000.0 {
        (b / 1e6, "MB")
    } else {
        (b / 1e9, "GB")
    };
    format!("{} {unit}", one_decimal(v, lang))
}

/// Counted phrases of the report's verdict and the terminal summary.
pub mod phrase {
    pub const INSERT: [&str; 4] = [
        "{n} alunno da inserire",
        "{n} alunni da inserire",
        "{n} pupil to insert",
        "{n} pupils to insert",
    ];
    pub const OTHER_OPS: [&str; 4] = [
        "{n} modifica automatica",
        "{n} modifiche automatiche",
        "{n} automatic change",
        "{n} automatic changes",
    ];
    pub const MORE_OPS: [&str; 4] = [
        "{n} altra modifica automatica",
        "{n} altre modifiche automatiche",
        "{n} other automatic change",
        "{n} other automatic changes",
    ];
    pub const DECISIONS: [&str; 4] = [
        "{n} decisione da prendere",
        "{n} decisioni da prendere",
        "{n} decision to take",
        "{n} decisions to take",
    ];
    pub const ERRORS_SIDI: [&str; 4] = [
        "{n} errore da correggere su SIDI",
        "{n} errori da correggere su SIDI",
        "{n} error to fix on SIDI",
        "{n} errors to fix on SIDI",
    ];
    pub const WARNINGS: [&str; 4] = [
        "{n} avviso da verificare",
        "{n} avvisi da verificare",
        "{n} warning to check",
        "{n} warnings to check",
    ];
    pub const ROWS: [&str; 4] = ["{n} riga", "{n} righe", "{n} row", "{n} rows"];
    pub const PUPILS: [&str; 4] = ["{n} alunno", "{n} alunni", "{n} pupil", "{n} pupils"];
}

macro_rules! ui_texts {
    ($( $variant:ident => $it:literal, $en:literal; )*) => {
        /// Fixed texts of the report and the terminal output.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Ui { $( $variant, )* }
        impl Ui {
            pub const ALL: &'static [Ui] = &[$(Ui::$variant,)*];
            /// The text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match self { $( Ui::$variant => lang.pick($it, $en), )* }
            }
        }
    };
}

ui_texts! {
    ReportTitle => "Sincronizzazione con SIDI", "Synchronisation with SIDI";
    School => "Scuola", "School";
    SchoolYear => "Anno scolastico", "School year";
    Extracted => "Estrazione SIDI del", "SIDI export of";
    RanAt => "Sincronizzazione eseguita il", "Sync run on";
    Contents => "Indice", "Contents";
    Summary => "Riepilogo", "Summary";
    Verdict => "In sintesi", "In short";
    AllAligned => "Tutto allineato: nessuna modifica, nessuna decisione, nessun errore.", "Everything aligned: no change, no decision, no error.";
    CardAuto => "modifiche automatiche", "automatic changes";
    CardDecisions => "decisioni da prendere", "decisions to take";
    CardErrors => "errori da correggere su SIDI", "errors to fix on SIDI";
    CardWarnings => "avvisi da verificare", "warnings to check";
    OpsPerKind => "Modifiche per tipo", "Changes per kind";
    Filter => "Cerca nel report", "Search the report";
    FilterHint => "cognome, codice fiscale, classe…", "surname, codice fiscale, class…";
    FilterResult => "{n} righe corrispondono a «{q}»", "{n} rows match \"{q}\"";
    FilterNone => "Nessuna riga corrisponde a «{q}»", "No row matches \"{q}\"";
    Classes => "Classi per sede", "Classes per sede";
    ClassesIntro => "Alunni nel gestionale prima e dopo l'applicazione delle modifiche, e su SIDI.", "Pupils in the local database before and after the changes, and on SIDI.";
    Class => "Classe", "Class";
    Before => "Prima", "Before";
    After => "Dopo", "After";
    OnSidi => "SIDI", "SIDI";
    Changes => "Modifiche", "Changes";
    Chart => "Grafico", "Chart";
    LegendBefore => "prima", "before";
    LegendAfter => "dopo", "after";
    NewClass => "nuova", "new";
    NotOnSidi => "non su SIDI", "not on SIDI";
    Total => "Totale", "Total";
    Decisions => "Decisioni da prendere", "Decisions to take";
    DecisionsIntro => "Aprire review.csv con Excel o LibreOffice, scrivere ACCETTA o RIFIUTA nella colonna DECISIONE, salvare e rieseguire la sincronizzazione con --decisions review.csv. Le righe lasciate vuote restano in attesa.", "Open review.csv with Excel or LibreOffice, write ACCETTA or RIFIUTA in the DECISIONE column, save, and run the sync again with --decisions review.csv. Rows left empty stay pending.";
    NoDecisions => "Nessuna decisione da prendere.", "No decision to take.";
    IfAccept => "ACCETTA:", "ACCETTA:";
    IfReject => "RIFIUTA:", "RIFIUTA:";
    Detail => "Dettaglio", "Detail";
    Pupil => "Alunno", "Pupil";
    Findings => "Da correggere o verificare", "To fix or check";
    FindingsIntro => "Gli errori escludono il record dalla sincronizzazione finché non viene corretto su SIDI; gli avvisi non bloccano nulla.", "Errors keep the record out of the sync until it is fixed on SIDI; warnings block nothing.";
    NoFindings => "Nessun problema trovato nei dati.", "No problem found in the data.";
    FindingsMore => "… e altre {n} segnalazioni di questo tipo, non mostrate (al massimo {max} per tipo; il filtro non le trova): l'elenco completo per l'export SIDI si ottiene con sidisync check --format json.", "… and {n} more findings of this kind, not shown (at most {max} per kind; the filter does not find them): for the SIDI export, sidisync check --format json gives the full list.";
    Error => "errore", "error";
    Warning => "avviso", "warning";
    WhatToDo => "Cosa fare:", "What to do:";
    Where => "Posizione", "Location";
    Record => "Record", "Record";
    Message => "Messaggio", "Message";
    Operations => "Modifiche automatiche", "Automatic changes";
    OperationsIntro => "Queste modifiche sono nel pacchetto (patch.jsonl, patch.csv, patch.xml) e vengono applicate dal gestionale senza altre domande.", "These changes are in the package (patch.jsonl, patch.csv, patch.xml) and the local software applies them without further questions.";
    LockLine => "Lucchetto: il dato arriva da SIDI e viene bloccato nel gestionale; d'ora in poi si corregge solo su SIDI.", "Lock: the value comes from SIDI and is locked locally; from now on it is corrected only on SIDI.";
    NoOperations => "Nessuna modifica: il gestionale è già allineato con SIDI.", "No change: the local database is already aligned with SIDI.";
    Field => "Dato", "Field";
    OldValue => "Valore attuale", "Current value";
    NewValue => "Nuovo valore", "New value";
    Locked => "bloccato", "locked";
    LocksSummary => "{pupils}: {locked}. L'elenco alunno per alunno è nel pacchetto (patch.jsonl, patch.csv, patch.xml).", "{pupils}: {locked}. The pupil-by-pupil list is in the package (patch.jsonl, patch.csv, patch.xml).";
    LocksOneField => "viene bloccato il campo {fields}", "the field {fields} is locked";
    LocksFields => "vengono bloccati i campi {fields}", "the fields {fields} are locked";
    LocksPupils => "Alunni", "Pupils";
    LocksFieldsCol => "Campi da bloccare", "Fields to lock";
    NewPupil => "nuovo alunno", "new pupil";
    Other => "Altre informazioni", "Other information";
    Excluded => "Record esclusi dalla sincronizzazione", "Records kept out of the sync";
    ExcludedIntro => "Questi record hanno errori: nessuna modifica finché non vengono corretti su SIDI.", "These records have errors: no change until they are fixed on SIDI.";
    HeldBack => "Modifiche sospese", "Changes held back";
    Reason => "Motivo", "Reason";
    Rejected => "Decisioni rifiutate (RIFIUTA)", "Rejected decisions (RIFIUTA)";
    Line => "riga", "line";
    Kind => "Tipo", "Kind";
    Codes => "Codici", "Codes";
    Nothing => "nessuno", "none";
    Footer => "Generato da sidisync {v}: pagina autonoma, si apre senza rete.", "Generated by sidisync {v}: a standalone page, opens with no network.";
    TermAuto => "Modifiche automatiche", "Automatic changes";
    TermDecisions => "Da decidere (review.csv)", "To decide (review.csv)";
    TermFindings => "Segnalazioni", "Findings";
    TermNone => "nessuna", "none";
    TermErrors => "errori", "errors";
    TermWarnings => "avvisi", "warnings";
    TermExcluded => "record esclusi", "excluded records";
    TermStale => "decisioni non più valide (non applicate)", "stale decisions (not applied)";
    TermReport => "Report", "Report";
    TermPackage => "Pacchetto", "Package";
    TermZip => "Zip", "Zip";
    TermMore => "… e altre {n} (elenco completo: --format json)", "… and {n} more (full list: --format json)";
    TermFile => "File", "File";
    TermSevError => "ERRORE", "ERROR";
    TermSevWarning => "avviso", "warning";
    ErrorPrefix => "errore", "error";
    // check (terminal)
    CheckHead => "Scuola {school} ({form}), anno scolastico {year}", "School {school} ({form}), school year {year}";
    CountPupils => "alunni", "pupils";
    CountClasses => "classi", "classes";
    CountSedi => "sedi", "sedi";
    CountCodes => "codifiche", "codes";
    // cf (terminal)
    CfCode => "Codice fiscale", "Codice fiscale";
    CfVerdict => "Esito", "Verdict";
    CfValid => "valido", "valid";
    CfValidTemporary => "valido (provvisorio, 11 cifre)", "valid (temporary, 11 digits)";
    CfNotValid => "NON valido", "NOT valid";
    CfNormalised => "Normalizzato", "Normalised";
    CfBirthDate => "Data di nascita", "Birth date";
    CfSex => "Sesso", "Sex";
    CfFemale => "F (femmina)", "F (female)";
    CfMale => "M (maschio)", "M (male)";
    CfBirthplace => "Luogo di nascita", "Birthplace";
    CfForeignState => "stato estero", "foreign state";
    CfOmocodia => "Omocodia (cifre sostituite)", "Omocodia (substituted digits)";
    CfBaseCode => "Codice base", "Base code";
    CfErrors => "Errori", "Errors";
    CfWarnings => "Avvisi", "Warnings";
    // apply (terminal)
    ApplyCounts => "Operazioni applicate: {applied}   già applicate: {already}   in conflitto (non applicate): {conflicts}", "Operations applied: {applied}   already applied: {already}   conflicts (not applied): {conflicts}";
    TermFolder => "Cartella", "Folder";
    // bulk (terminal)
    BulkSchools => "Scuole: {schools}   completate: {ok}   con errori: {errors}   non riuscite: {failed}", "Schools: {schools}   done: {ok}   with errors: {errors}   failed: {failed}";
    BulkSpeed => "Alunni SIDI: {pupils}   tempo: {secs} s ({jobs} processi, {rate} alunni/s)", "SIDI pupils: {pupils}   time: {secs} s ({jobs} jobs, {rate} pupils/s)";
    BulkCounts => "Operazioni: {ops}   da decidere: {review}   Errori: {errors}   Avvisi: {warnings}   Record esclusi: {excluded}", "Operations: {ops}   to decide: {review}   Errors: {errors}   Warnings: {warnings}   Excluded records: {excluded}";
    BulkMoreFailed => "… {n} altre: vedi summary.csv", "… {n} more: see summary.csv";
    TermSummary => "Riepilogo", "Summary";
    // bulk progress bar (indicatif template) and its message
    ProgressBar => "[{elapsed_precise}] {wide_bar} {msg} · mancano {eta}", "[{elapsed_precise}] {wide_bar} {msg} · {eta} left";
    ProgressSchools => "{done}/{total} scuole{failed} · {rate} alunni/s", "{done}/{total} schools{failed} · {rate} pupils/s";
    ProgressFailed => " · {n} non riuscite", " · {n} failed";
    // gen (terminal)
    GenDone => "Scuole: {schools}   Alunni SIDI: {pupils}   File: {files}   Dimensione: {size}\nPoi: sidisync bulk --sidi-dir {sidi} --local-dir {local} --out …\n", "Schools: {schools}   SIDI pupils: {pupils}   Files: {files}   Size: {size}\nNext: sidisync bulk --sidi-dir {sidi} --local-dir {local} --out …\n";
    // usage errors
    JobsAtLeastOne => "--jobs deve essere almeno 1", "--jobs must be at least 1";
    JobsSchoolsAtLeastOne => "--jobs e --schools devono essere almeno 1", "--jobs and --schools must be at least 1";
    // bulk: a school's outcome
    StatusOk => "completata", "done";
    StatusErrors => "completata con errori", "done with errors";
    StatusFailed => "non riuscita", "failed";
    // summary.html
    SumTitle => "Sincronizzazione con SIDI: riepilogo", "Synchronisation with SIDI: summary";
    MetaGenerated => "Generato il", "Generated at";
    MetaSchools => "Scuole", "Schools";
    MetaPupils => "Alunni SIDI", "SIDI pupils";
    MetaTime => "Tempo", "Time";
    MetaJobs => "Processi paralleli", "Parallel jobs";
    SumFilter => "Cerca una scuola", "Search a school";
    SumFilterHint => "codice scuola, file, esito…", "school code, file, outcome…";
    SumOutcomeChart => "Scuole per esito", "Schools by outcome";
    SumReviewChart => "Decisioni da prendere per tipo", "Decisions to take per kind";
    SumTotals => "Totali", "Totals";
    SumSchoolsOk => "scuole completate", "schools done";
    SumSchoolsErrors => "scuole completate con errori", "schools done with errors";
    SumSchoolsFailed => "scuole non riuscite", "schools failed";
    SumPupilsSidi => "alunni su SIDI", "pupils on SIDI";
    SumPupilsLocal => "alunni in locale", "local pupils";
    SumToDecide => "da decidere: {kind}", "to decide: {kind}";
    SumErrors => "errori", "errors";
    SumWarnings => "avvisi", "warnings";
    SumExcluded => "record esclusi", "excluded records";
    SumRate => "alunni al secondo", "pupils per second";
    SumAttention => "Scuole da controllare", "Schools to look at";
    SumAttentionNone => "Nessuna: tutte le scuole sono state completate senza errori.", "None: every school was done without errors.";
    SumColSchool => "scuola", "school";
    SumColFile => "file SIDI", "SIDI file";
    SumColOutcome => "esito", "outcome";
    SumColMessage => "messaggio", "message";
    SumColPupilsSidi => "alunni SIDI", "SIDI pupils";
    SumColPupilsLocal => "alunni locali", "local pupils";
    SumColErrors => "errori", "errors";
    SumColWarnings => "avvisi", "warnings";
    SumColExcluded => "esclusi", "excluded";
    SumColMs => "ms", "ms";
    SumErrorsMsg => "{errors} errori, {excluded} record esclusi (vedi report.html)", "{errors} errors, {excluded} records excluded (see report.html)";
    SumEvery => "Tutte le scuole", "Every school";
}

/// Keys of [`conflict_template`]: why `apply` did not apply an operation.
pub const CONFLICT_KEYS: &[&str] = &[
    "class_other_codes",
    "class_missing",
    "value_changed",
    "field_changed",
    "id_locale_taken",
    "cf_changed",
    "class_not_empty",
    "pupil_missing",
    "unknown_field",
    "move_needs_classes",
    "lock_needs_fields",
    "unlocked",
    "not_student_op",
];

/// (Italian, English) text of an `apply` conflict, by key (see
/// [`CONFLICT_KEYS`]). Placeholders: `{field}`, `{from}` (what the patch
/// expected), `{found}` (what the local export has).
pub fn conflict_template(key: &str) -> (&'static str, &'static str) {
    match key {
        "class_other_codes" => (
            "la classe esiste con altri codici",
            "the class exists with other codes",
        ),
        "class_missing" => ("la classe non esiste", "the class does not exist"),
        "value_changed" => (
            "atteso {from}, trovato {found}",
            "expected {from}, found {found}",
        ),
        "field_changed" => (
            "{field}: atteso {from}, trovato {found}",
            "{field}: expected {from}, found {found}",
        ),
        "id_locale_taken" => (
            "id_locale già usato da un altro alunno",
            "id_locale already used by another pupil",
        ),
        "cf_changed" => (
            "il codice fiscale dell'alunno è cambiato",
            "the pupil's codice fiscale changed",
        ),
        "class_not_empty" => ("la classe ha ancora alunni", "the class still has pupils"),
        "pupil_missing" => (
            "nessun alunno locale con questo id_locale",
            "no local pupil with this id_locale",
        ),
        "unknown_field" => ("campo sconosciuto", "unknown field"),
        "move_needs_classes" => (
            "move_student richiede la classe di partenza e quella di arrivo",
            "move_student needs from and to classes",
        ),
        "lock_needs_fields" => (
            "lock_fields richiede l'elenco dei campi",
            "lock_fields needs a list of fields",
        ),
        "unlocked" => (
            "campi bloccati in precedenza sono stati sbloccati",
            "fields locked earlier have been unlocked",
        ),
        "not_student_op" => (
            "non è un'operazione sui dati di un alunno",
            "not a student field operation",
        ),
        _ => ("", ""),
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

/// (Italian, English) templates of the `DETTAGLIO` text of `review.csv`
/// (and the report), by review kind, plus the small parts they use:
/// `sidi_class` (`{class}`) and `empty_cf`. Placeholders of the kinds:
/// `cf_mismatch` {who} {data_nascita} {sidi_cf} {id} {sc} {lcf} {lc};
/// `local_only` {who} {class}; `class_local_only` {class} {pupils}.
pub fn review_detail_template(key: &str) -> (&'static str, &'static str) {
    match key {
        "cf_mismatch" => (
            "Su SIDI {who}, nato/a il {data_nascita}, ha codice fiscale {sidi_cf} (id SIDI {id}{sc}); \
             nell'archivio locale un alunno con stessi cognome, nome e data di nascita ha codice fiscale {lcf} (classe {lc}). \
             ACCETTA se sono la stessa persona: il codice fiscale locale viene sostituito da quello SIDI. \
             RIFIUTA se sono persone diverse: l'alunno SIDI viene inserito come nuovo.",
            "On SIDI {who}, born {data_nascita}, has codice fiscale {sidi_cf} (SIDI id {id}{sc}); \
             locally a pupil with the same surname, name and birth date has codice fiscale {lcf} (class {lc}). \
             ACCETTA if they are the same person: the local codice fiscale is replaced by SIDI's. \
             RIFIUTA if they are different people: the SIDI pupil is inserted as new.",
        ),
        "local_only" => (
            "{who} (classe {class}) è nell'archivio locale ma non su SIDI. \
             ACCETTA per ritirarlo dall'archivio locale; RIFIUTA per lasciarlo com'è (e verificare su SIDI).",
            "{who} (class {class}) is in the local archive but not on SIDI. \
             ACCETTA to withdraw the pupil locally; RIFIUTA to leave it as it is (and check on SIDI).",
        ),
        "class_local_only" => (
            "La classe {class} ({pupils} alunni nell'archivio locale) non esiste su SIDI. \
             ACCETTA per rimuoverla dall'archivio locale (solo quando non ha più alunni); RIFIUTA per lasciarla.",
            "Class {class} ({pupils} pupils in the local archive) does not exist on SIDI. \
             ACCETTA to remove it locally (only once it has no pupils); RIFIUTA to keep it.",
        ),
        "sidi_class" => (", classe {class}", ", class {class}"),
        "empty_cf" => ("vuoto", "empty"),
        _ => ("", ""),
    }
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
    fn every_code_kind_and_text_has_both_languages() {
        for &c in FindingCode::ALL {
            assert!(
                finding_guide(c).iter().all(|t| !t.is_empty()),
                "{}",
                c.code()
            );
        }
        for k in crate::sync::ops::OpKind::ALL {
            let (it, en) = op_description(k.name());
            assert!(!it.is_empty() && !en.is_empty(), "{}", k.name());
            assert_ne!(op_label(k.name()).0, k.name());
        }
        for k in crate::sync::ops::ReviewKind::ALL {
            assert!(review_choices(k.name()).iter().all(|t| !t.is_empty()));
            assert_ne!(review_label(k.name()).0, k.name());
        }
        for u in Ui::ALL {
            assert!(!u.text(Lang::It).is_empty() && !u.text(Lang::En).is_empty());
        }
        assert_eq!(
            count_phrase(phrase::INSERT, 1, Lang::It),
            "1 alunno da inserire"
        );
        assert_eq!(
            count_phrase(phrase::INSERT, 124, Lang::It),
            "124 alunni da inserire"
        );
        assert_eq!(
            count_phrase(phrase::DECISIONS, 0, Lang::En),
            "0 decisions to take"
        );
    }

    /// The `{name}` placeholders of a template, sorted.
    fn placeholders(t: &str) -> Vec<&str> {
        let mut v: Vec<&str> = t
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n))
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn every_ui_text_and_conflict_has_both_languages_with_the_same_placeholders() {
        assert!(Ui::ALL.len() > 100);
        for u in Ui::ALL {
            let (it, en) = (u.text(Lang::It), u.text(Lang::En));
            assert!(!it.trim().is_empty() && !en.trim().is_empty(), "{u:?}");
            assert_eq!(placeholders(it), placeholders(en), "{u:?}");
        }
        for k in CONFLICT_KEYS {
            let (it, en) = conflict_template(k);
            assert!(!it.is_empty() && !en.is_empty(), "{k}");
            assert_eq!(placeholders(it), placeholders(en), "{k}");
        }
        for k in ["duplicate", "no_local", "no_export", "bad_code", "other"] {
            let (it, en) = (bulk_template(k, Lang::It), bulk_template(k, Lang::En));
            assert_eq!(placeholders(it), placeholders(en), "{k}");
        }
        assert_eq!(
            fill(
                Ui::BulkSchools.text(Lang::It),
                &[
                    ("schools", "3"),
                    ("ok", "1"),
                    ("errors", "1"),
                    ("failed", "1")
                ]
            ),
            "Scuole: 3   completate: 1   con errori: 1   non riuscite: 1"
        );
    }

    #[test]
    fn thousands_are_separated_per_language() {
        assert_eq!(thousands(0, Lang::It), "0");
        assert_eq!(thousands(999, Lang::It), "999");
        assert_eq!(thousands(18_291, Lang::It), "18.291");
        assert_eq!(thousands(1_234_567, Lang::En), "1,234,567");
        assert_eq!(
            count_phrase(phrase::PUPILS, 18_291, Lang::It),
            "18.291 alunni"
        );
        assert_eq!(count_phrase(phrase::PUPILS, 1, Lang::En), "1 pupil");
        assert_eq!(one_decimal(1.25, Lang::It), "1,3");
        assert_eq!(one_decimal(1234.5, Lang::It), "1.234,5");
        assert_eq!(one_decimal(1234.5, Lang::En), "1,234.5");
        assert_eq!(one_decimal(0.04, Lang::En), "0.0");
    }

    #[test]
    fn sizes_pick_a_unit_that_shows_them() {
        assert_eq!(size_text(0, Lang::It), "0,0 kB");
        assert_eq!(size_text(5_180, Lang::It), "5,2 kB");
        assert_eq!(size_text(999_949, Lang::It), "999,9 kB");
        // rounded up to a whole megabyte: written in megabytes
        assert_eq!(size_text(999_950, Lang::It), "1,0 MB");
        assert_eq!(size_text(25_679_224, Lang::It), "25,7 MB");
        assert_eq!(size_text(1_830_000_000, Lang::En), "1.8 GB");
        assert_eq!(size_text(999_950_000, Lang::En), "1.0 GB");
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("a {x} b {y}", &[("x", "1"), ("y", "2")]), "a 1 b 2");
        assert_eq!(fill("a {z}", &[]), "a {z}");
        assert_eq!(fill("a {", &[]), "a {");
    }
}
