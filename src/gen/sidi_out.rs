//! Writers of the SIDI export forms (FORMATS.md 1.1 and 1.2): the inverse of
//! the readers. Used by the generator; deterministic byte for byte.

use crate::error::{Error, Result};
use crate::model::{Pupil, SidiExport};
use crate::read::sidi_csv::columns;
use crate::read::source::CsvKind;
use std::io::{Cursor, Write};

/// Text encoding of a written export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

impl TextEncoding {
    /// The label declared in the XML prolog / reported in `expected.json`.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => "UTF-8",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
    /// Encodes text; characters windows-1252 lacks become `?` (the generator
    /// only uses Latin-1 letters, so this never happens in its output).
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            TextEncoding::Utf8 => text.as_bytes().to_vec(),
            TextEncoding::Utf8Bom => {
                let mut v = b"\xEF\xBB\xBF".to_vec();
                v.extend_from_slice(text.as_bytes());
                v
            }
            TextEncoding::Windows1252 => {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
                if !unmappable {
                    return bytes.into_owned();
                }
                let mut out = Vec::with_capacity(text.len());
                for ch in text.chars() {
                    let mut buf = [0u8; 4];
                    let (b, _, bad) = encoding_rs::WINDOWS_1252.encode(ch.encode_utf8(&mut buf));
                    if bad {
                        out.push(b'?');
                    } else {
                        out.extend_from_slice(&b);
                    }
                }
                out
            }
        }
    }
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    crate::write::patch::xml_escape(s, &mut o);
    o
}

fn pupil_xml(p: &Pupil, nl: &str, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(out, "    <Alunno idSidi=\"{}\">{nl}", esc(&p.id_sidi));
    let _ = write!(
        out,
        "      <CodiceFiscale stato=\"{}\">{}</CodiceFiscale>{nl}",
        esc(&p.stato_cf),
        esc(&p.codice_fiscale)
    );
    for (tag, v) in [
        ("Cognome", &p.cognome),
        ("Nome", &p.nome),
        ("Sesso", &p.sesso),
        ("DataNascita", &p.data_nascita_raw),
        ("LuogoNascita", &p.luogo_nascita),
        ("Cittadinanza", &p.cittadinanza),
    ] {
        let _ = write!(out, "      <{tag}>{}</{tag}>{nl}", esc(v));
    }
    for f in &p.frequenze {
        let _ = write!(
            out,
            "      <Frequenza sede=\"{}\" anno=\"{}\" sezione=\"{}\" dal=\"{}\" stato=\"{}\"/>{nl}",
            esc(&f.class.sede),
            esc(&f.class.anno),
            esc(&f.class.sezione),
            esc(&f.dal_raw),
            esc(&f.stato)
        );
    }
    let _ = write!(out, "    </Alunno>{nl}");
}

/// The XML form, encoded and declared as `enc` (CRLF line ends for
/// windows-1252, LF for UTF-8, as the two families of tools write them).
pub fn xml_bytes(e: &SidiExport, enc: TextEncoding) -> Vec<u8> {
    use std::fmt::Write as _;
    let nl = if enc == TextEncoding::Windows1252 {
        "\r\n"
    } else {
        "\n"
    };
    let mut s = String::with_capacity(1024 + e.pupils.len() * 520);
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"{}\"?>{nl}<FlussoFrequenze versione=\"1.0\">{nl}",
        enc.label()
    );
    let h = &e.header;
    let _ = write!(
        s,
        "  <Intestazione>{nl}    <CodiceScuola>{}</CodiceScuola>{nl}    <AnnoScolastico>{}</AnnoScolastico>{nl}    <DataEstrazione>{}</DataEstrazione>{nl}  </Intestazione>{nl}",
        esc(&h.codice_scuola),
        esc(&h.anno_scolastico),
        esc(&h.data_estrazione)
    );
    let _ = write!(s, "  <Codifiche>{nl}");
    for c in &e.codes {
        let tag = match c.kind {
            crate::model::CodeKind::TempoScuola => "TempoScuola",
            crate::model::CodeKind::Indirizzo => "Indirizzo",
        };
        let _ = write!(
            s,
            "    <{tag} codice=\"{}\" ordine=\"{}\">{}</{tag}>{nl}",
            esc(&c.codice),
            esc(&c.ordine),
            esc(&c.descrizione)
        );
    }
    let _ = write!(s, "  </Codifiche>{nl}  <Sedi>{nl}");
    for d in &e.sedi {
        let _ = write!(
            s,
            "    <Sede codice=\"{}\" ordine=\"{}\" comune=\"{}\">{}</Sede>{nl}",
            esc(&d.codice),
            esc(&d.ordine),
            esc(&d.comune),
            esc(&d.denominazione)
        );
    }
    let _ = write!(s, "  </Sedi>{nl}  <Classi>{nl}");
    for c in &e.classes {
        let _ = write!(
            s,
            "    <Classe sede=\"{}\" anno=\"{}\" sezione=\"{}\" tempoScuola=\"{}\"",
            esc(&c.key.sede),
            esc(&c.key.anno),
            esc(&c.key.sezione),
            esc(&c.tempo_scuola)
        );
        if !c.indirizzo.is_empty() {
            let _ = write!(s, " indirizzo=\"{}\"", esc(&c.indirizzo));
        }
        let _ = write!(s, "/>{nl}");
    }
    let _ = write!(s, "  </Classi>{nl}  <Alunni>{nl}");
    for p in &e.pupils {
        pupil_xml(p, nl, &mut s);
    }
    let _ = write!(s, "  </Alunni>{nl}</FlussoFrequenze>{nl}");
    enc.encode(&s)
}

fn it_date(iso: &str) -> String {
    match crate::date::Date::parse_iso(iso) {
        Some(d) => d.to_italian(),
        None => iso.to_string(),
    }
}

fn csv_file(header: &[&str], rows: Vec<Vec<String>>, enc: TextEncoding) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let err = |e: csv::Error| Error::csv("<output>", 0, e.to_string());
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::csv("<output>", 0, e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| Error::csv("<output>", 0, e.to_string()))?;
    Ok(enc.encode(&text))
}

/// The CSV set: `(file name, bytes)` for codifiche, sedi, classi, alunni.
pub fn csv_files(e: &SidiExport, enc: TextEncoding) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let codifiche = csv_file(
        columns(CsvKind::Codifiche),
        e.codes
            .iter()
            .map(|c| {
                vec![
                    c.kind.tipo().to_string(),
                    c.codice.clone(),
                    c.ordine.clone(),
                    c.descrizione.clone(),
                ]
            })
            .collect(),
        enc,
    )?;
    let sedi = csv_file(
        columns(CsvKind::Sedi),
        e.sedi
            .iter()
            .map(|s| {
                vec![
                    s.codice.clone(),
                    s.ordine.clone(),
                    s.comune.clone(),
                    s.denominazione.clone(),
                ]
            })
            .collect(),
        enc,
    )?;
    let classi = csv_file(
        columns(CsvKind::Classi),
        e.classes
            .iter()
            .map(|c| {
                vec![
                    c.key.sede.to_string(),
                    c.key.anno.to_string(),
                    c.key.sezione.to_string(),
                    c.tempo_scuola.to_string(),
                    c.indirizzo.to_string(),
                ]
            })
            .collect(),
        enc,
    )?;
    let mut rows = Vec::with_capacity(e.pupils.len());
    for p in &e.pupils {
        for f in &p.frequenze {
            rows.push(vec![
                e.header.codice_scuola.clone(),
                e.header.anno_scolastico.clone(),
                p.id_sidi.to_string(),
                p.codice_fiscale.to_string(),
                p.stato_cf.to_string(),
                p.cognome.to_string(),
                p.nome.to_string(),
                p.sesso.to_string(),
                it_date(&p.data_nascita_raw),
                p.luogo_nascita.to_string(),
                p.cittadinanza.to_string(),
                f.class.sede.to_string(),
                f.class.anno.to_string(),
                f.class.sezione.to_string(),
                it_date(&f.dal_raw),
                f.stato.to_string(),
            ]);
        }
    }
    let alunni = csv_file(columns(CsvKind::Alunni), rows, enc)?;
    Ok(vec![
        ("codifiche.csv", codifiche),
        ("sedi.csv", sedi),
        ("classi.csv", classi),
        ("alunni.csv", alunni),
    ])
}

/// A deflate zip of `(name, bytes)` members with a fixed timestamp (the
/// extraction day), so the archive is reproducible.
pub fn zip_bytes(members: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let zerr = |e: zip::result::ZipError| Error::Zip {
        file: "<output>".into(),
        message: e.to_string().into(),
    };
    let time =
        zip::DateTime::from_date_and_time(2026, 1, 20, 9, 30, 0).map_err(|e| Error::Zip {
            file: "<output>".into(),
            message: e.to_string().into(),
        })?;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in members {
        let big = bytes.len() as u64 >= u64::from(u32::MAX);
        w.start_file(*name, opts.large_file(big)).map_err(zerr)?;
        w.write_all(bytes).map_err(|e| Error::io("<zip>", e))?;
    }
    Ok(w.finish().map_err(zerr)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn escapes_and_encodes() {
        assert_eq!(
            esc("D'AMICO & <C> \"x\""),
            "D'AMICO &amp; &lt;C&gt; &quot;x&quot;"
        );
        assert_eq!(
            TextEncoding::Windows1252.encode("NICOLÒ ZOÈ"),
            b"NICOL\xD2 ZO\xC8"
        );
        assert_eq!(TextEncoding::Windows1252.encode("a\u{4e2d}"), b"a?");
        assert_eq!(&TextEncoding::Utf8Bom.encode("x")[..3], b"\xEF\xBB\xBF");
        assert_eq!(it_date("2014-05-12"), "12/05/2014");
        let z = zip_bytes(&[("a.txt", b"hello")]).unwrap();
        let mut a = zip::ZipArchive::new(Cursor::new(z)).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut a.by_name("a.txt").unwrap(), &mut s).unwrap();
        assert_eq!(s, "hello");
    }
}
