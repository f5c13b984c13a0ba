//! Writes a [`LocalExport`] in the local layout (FORMATS.md section 2):
//! `alunni_locali.csv` and `classi_locali.csv`, `;`, header, `dd/mm/yyyy`,
//! columns renamed and encoding chosen by the profile's `[local]` layout.

use crate::error::{Error, Result};
use crate::model::{LocalExport, LocalPupil};
use crate::read::profile::{CsvLayout, EncodingChoice};
use std::io::Write;

/// Default column names of `alunni_locali.csv`, in order.
pub const PUPIL_COLUMNS: [&str; 15] = [
    "ID_LOCALE",
    "ID_ALUNNO_SIDI",
    "CODICE_FISCALE",
    "COGNOME",
    "NOME",
    "SESSO",
    "DATA_NASCITA",
    "LUOGO_NASCITA",
    "CITTADINANZA",
    "CODICE_SEDE",
    "ANNO_CORSO",
    "SEZIONE",
    "TEMPO_SCUOLA",
    "INDIRIZZO",
    "BLOCCATI",
];

/// Default column names of `classi_locali.csv`, in order.
pub const CLASS_COLUMNS: [&str; 5] = [
    "CODICE_SEDE",
    "ANNO_CORSO",
    "SEZIONE",
    "TEMPO_SCUOLA",
    "INDIRIZZO",
];

fn pupil_row(p: &LocalPupil, layout: &CsvLayout) -> [String; 15] {
    let date = match p.data_nascita {
        Some(d) => layout.date_format.format(d),
        None => p.data_nascita_raw.to_string(),
    };
    [
        p.id_locale.to_string(),
        p.id_sidi.to_string(),
        p.codice_fiscale.to_string(),
        p.cognome.to_string(),
        p.nome.to_string(),
        p.sesso.to_string(),
        date,
        p.luogo_nascita.to_string(),
        p.cittadinanza.to_string(),
        p.class.sede.to_string(),
        p.class.anno.to_string(),
        p.class.sezione.to_string(),
        p.tempo_scuola.to_string(),
        p.indirizzo.to_string(),
        p.bloccati.to_bloccati(),
    ]
}

/// Writes CSV records to bytes in the layout's encoding (CRLF line ends,
/// what Windows programs expect; quoting only where needed).
fn csv_bytes<I>(header: &[&str], rows: I, layout: &CsvLayout) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let mut w = csv::WriterBuilder::new()
        .delimiter(layout.delimiter)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let head: Vec<&str> = header.iter().map(|c| layout.column(c)).collect();
    let err = |e: csv::Error| Error::csv("<output>", 0, e.to_string());
    w.write_record(&head).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    let utf8 = w
        .into_inner()
        .map_err(|e| Error::csv("<output>", 0, e.to_string()))?;
    Ok(match layout.encoding {
        EncodingChoice::Fixed(enc) if enc != encoding_rs::UTF_8 => {
            let text = String::from_utf8(utf8).expect("csv writer output is UTF-8");
            enc.encode(&text).0.into_owned()
        }
        _ => utf8,
    })
}

/// `alunni_locali.csv` bytes for `export`, pupils in the order given.
pub fn pupils_csv(export: &LocalExport, layout: &CsvLayout) -> Result<Vec<u8>> {
    csv_bytes(
        &PUPIL_COLUMNS,
        export.pupils.iter().map(|p| pupil_row(p, layout).to_vec()),
        layout,
    )
}

/// `classi_locali.csv` bytes for `export`, classes in the order given.
pub fn classes_csv(export: &LocalExport, layout: &CsvLayout) -> Result<Vec<u8>> {
    csv_bytes(
        &CLASS_COLUMNS,
        export.classes.iter().map(|c| {
            vec![
                c.key.sede.to_string(),
                c.key.anno.to_string(),
                c.key.sezione.to_string(),
                c.tempo_scuola.to_string(),
                c.indirizzo.to_string(),
            ]
        }),
        layout,
    )
}

/// Writes both files to writers.
pub fn write_local(
    export: &LocalExport,
    layout: &CsvLayout,
    alunni: &mut dyn Write,
    classi: &mut dyn Write,
) -> Result<()> {
    alunni
        .write_all(&pupils_csv(export, layout)?)
        .map_err(|e| Error::io("alunni_locali.csv", e))?;
    classi
        .write_all(&classes_csv(export, layout)?)
        .map_err(|e| Error::io("classi_locali.csv", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::model::{ClassKey, Field, FieldSet, LocalClass, Origin};
    use std::sync::Arc;

    #[test]
    fn writes_default_layout() {
        let o = Origin::new(&Arc::from("x"), 2, 0);
        let mut locks = FieldSet::default();
        locks.insert(Field::Nome);
        locks.insert(Field::Cognome);
        let p = LocalPupil {
            id_locale: "L1".into(),
            id_sidi: "".into(),
            codice_fiscale: "RSSMRA14E52H501X".into(),
            cognome: "D'AMICO; JR".into(),
            nome: "ZOÈ".into(),
            sesso: "F".into(),
            data_nascita_raw: "".into(),
            data_nascita: Date::new(2014, 5, 12),
            luogo_nascita: "H501".into(),
            cittadinanza: "Z000".into(),
            class: ClassKey::new("RMEE8A1016", "1", "A"),
            tempo_scuola: "T24".into(),
            indirizzo: "".into(),
            bloccati: locks,
            origin: o.clone(),
        };
        let e = LocalExport {
            pupils: vec![p],
            classes: vec![LocalClass {
                key: ClassKey::new("RMEE8A1016", "1", "A"),
                tempo_scuola: "T24".into(),
                indirizzo: "".into(),
                origin: o,
            }],
            classes_declared: true,
            sources: vec![],
        };
        let mut layout = crate::read::profile::Profile::default().local;
        let s = String::from_utf8(pupils_csv(&e, &layout).unwrap()).unwrap();
        assert_eq!(s.lines().nth(1).unwrap(), "L1;;RSSMRA14E52H501X;\"D'AMICO; JR\";ZOÈ;F;12/05/2014;H501;Z000;RMEE8A1016;1;A;T24;;COGNOME|NOME");
        assert!(s.contains("\r\n"));
        layout.encoding = EncodingChoice::Fixed(encoding_rs::WINDOWS_1252);
        let b = pupils_csv(&e, &layout).unwrap();
        assert!(b.windows(3).any(|w| w == b"ZO\xC8"));
        let c = String::from_utf8(classes_csv(&e, &Profile::default().local).unwrap()).unwrap();
        assert_eq!(
            c,
            "CODICE_SEDE;ANNO_CORSO;SEZIONE;TEMPO_SCUOLA;INDIRIZZO\r\nRMEE8A1016;1;A;T24;\r\n"
        );
    }
    use crate::read::profile::Profile;
}
