//! Reading the SIDI export in every form: the same export as XML, zipped
//! XML, zipped CSV and a CSV folder must give the same model.

use sidisync::error::Error;
use sidisync::findings::FindingCode;
use sidisync::model::{ExportForm, SidiExport};
use sidisync::read::{peek_school_code, read_sidi, read_sidi_bytes, ReadOptions};
use std::io::Write;
use std::path::Path;

/// One pupil of the fixture: (id, cf, cognome, nome, sesso, nascita ISO, luogo, frequenze).
struct P {
    id: &'static str,
    cf: &'static str,
    cognome: &'static str,
    nome: &'static str,
    sesso: &'static str,
    nascita: &'static str,
    /// (sede, anno, sezione, dal ISO, stato)
    freq: Vec<(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )>,
}

fn pupils() -> Vec<P> {
    vec![
        P {
            id: "4810332217",
            cf: "RSSMRA14E52H501X",
            cognome: "D'AMICO",
            nome: "NICOLÒ",
            sesso: "M",
            nascita: "2014-05-12",
            freq: vec![
                ("RMEE8A1016", "1", "A", "2025-09-15", "TRASFERITO"),
                ("RMEE8A1016", "1", "B", "2025-10-01", "FREQUENTANTE"),
            ],
        },
        P {
            id: "4810332218",
            cf: "DLLZOE14A41H501Y",
            cognome: "DELL'ORTO",
            nome: "ZOÈ",
            sesso: "F",
            nascita: "2014-01-01",
            freq: vec![("RMEE8A1016", "1", "A", "2025-09-15", "FREQUENTANTE")],
        },
        P {
            id: "",
            cf: "BNCLCU11C03H501Z",
            cognome: "BIANCHI & FIGLI",
            nome: "LUCA <JR>",
            sesso: "M",
            nascita: "2011-03-03",
            freq: vec![("RMMM8A1017", "3", "BL", "2025-09-15", "FREQUENTANTE")],
        },
    ]
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

fn iso_to_it(d: &str) -> String {
    format!("{}/{}/{}", &d[8..10], &d[5..7], &d[0..4])
}

fn xml_text(encoding: &str) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<FlussoFrequenze versione=\"1.0\">\n  <Intestazione>\n    <CodiceScuola>RMIC8A1005</CodiceScuola>\n    <AnnoScolastico>2025/26</AnnoScolastico>\n    <DataEstrazione>2025-10-15T09:30:00</DataEstrazione>\n  </Intestazione>\n  <Codifiche>\n    <TempoScuola codice=\"10\" ordine=\"EE\">24 ORE SETTIMANALI</TempoScuola>\n    <TempoScuola codice=\"30\" ordine=\"MM\">30 ORE</TempoScuola>\n    <Indirizzo codice=\"LI02\" ordine=\"SS\">SCIENTIFICO</Indirizzo>\n  </Codifiche>\n  <Sedi>\n    <Sede codice=\"RMEE8A1016\" ordine=\"EE\" comune=\"H501\">PLESSO VIA ROMA</Sede>\n    <Sede codice=\"RMMM8A1017\" ordine=\"MM\" comune=\"H501\">SCUOLA MEDIA «ZOÈ»</Sede>\n  </Sedi>\n  <Classi>\n    <Classe sede=\"RMEE8A1016\" anno=\"1\" sezione=\"A\" tempoScuola=\"10\"/>\n    <Classe sede=\"RMEE8A1016\" anno=\"1\" sezione=\"B\" tempoScuola=\"10\"/>\n    <Classe sede=\"RMMM8A1017\" anno=\"3\" sezione=\"BL\" tempoScuola=\"30\"/>\n  </Classi>\n  <Alunni>\n"
    );
    for p in pupils() {
        if p.id.is_empty() {
            s.push_str("    <Alunno>\n");
        } else {
            s.push_str(&format!("    <Alunno idSidi=\"{}\">\n", p.id));
        }
        s.push_str(&format!(
            "      <CodiceFiscale stato=\"V\">{}</CodiceFiscale>\n      <Cognome>{}</Cognome>\n      <Nome>{}</Nome>\n      <Sesso>{}</Sesso>\n      <DataNascita>{}</DataNascita>\n      <LuogoNascita>H501</LuogoNascita>\n      <Cittadinanza>Z000</Cittadinanza>\n",
            p.cf, esc(p.cognome), esc(p.nome), p.sesso, p.nascita
        ));
        for (sede, anno, sez, dal, stato) in &p.freq {
            s.push_str(&format!(
                "      <Frequenza sede=\"{sede}\" anno=\"{anno}\" sezione=\"{sez}\" dal=\"{dal}\" stato=\"{stato}\"/>\n"
            ));
        }
        s.push_str("    </Alunno>\n");
    }
    s.push_str("  </Alunni>\n</FlussoFrequenze>\n");
    s
}

fn cp1252(s: &str) -> Vec<u8> {
    let (b, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    assert!(!unmappable);
    b.into_owned()
}

fn csv_quote(s: &str) -> String {
    if s.contains([';', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The four CSV files, CRLF, with the rows of one pupil not adjacent.
fn csv_files() -> Vec<(&'static str, String)> {
    let codifiche = "TIPO;CODICE;ORDINE;DESCRIZIONE\r\nTEMPO_SCUOLA;10;EE;24 ORE SETTIMANALI\r\nTEMPO_SCUOLA;30;MM;30 ORE\r\nINDIRIZZO;LI02;SS;SCIENTIFICO\r\n".to_string();
    // Columns in another order, lower case, plus an extra column.
    let sedi = "denominazione;CODICE_SEDE;ORDINE;CODICE_COMUNE;NOTE\r\nPLESSO VIA ROMA;RMEE8A1016;EE;H501;x\r\nSCUOLA MEDIA «ZOÈ»;RMMM8A1017;MM;H501;\r\n".to_string();
    let classi = "CODICE_SEDE;ANNO_CORSO;SEZIONE;CODICE_TEMPO_SCUOLA;CODICE_INDIRIZZO\r\nRMEE8A1016;1;A;10;\r\nRMEE8A1016;01;B;10;\r\nRMMM8A1017;3;bl;30;\r\n".to_string();
    let mut alunni = String::from("CODICE_SCUOLA;ANNO_SCOLASTICO;ID_ALUNNO_SIDI;CODICE_FISCALE;STATO_CF;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;DATA_INIZIO;STATO_FREQUENZA\r\n");
    let ps = pupils();
    let row = |p: &P, f: &(&str, &str, &str, &str, &str)| {
        format!(
            "RMIC8A1005;2025/26;{};{};V;{};{};{};{};H501;Z000;{};{};{};{};{}\r\n",
            p.id,
            p.cf,
            csv_quote(p.cognome),
            csv_quote(p.nome),
            p.sesso,
            iso_to_it(p.nascita),
            f.0,
            f.1,
            f.2,
            iso_to_it(f.3),
            f.4
        )
    };
    // pupil 0 first frequenza, pupil 1, pupil 0 second frequenza, pupil 2
    alunni.push_str(&row(&ps[0], &ps[0].freq[0]));
    alunni.push_str(&row(&ps[1], &ps[1].freq[0]));
    alunni.push_str(&row(&ps[0], &ps[0].freq[1]));
    alunni.push_str(&row(&ps[2], &ps[2].freq[0]));
    vec![
        ("codifiche.csv", codifiche),
        ("sedi.csv", sedi),
        ("classi.csv", classi),
        ("alunni.csv", alunni),
    ]
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The export without what legitimately differs between forms: origins,
/// raw date spellings, extraction time, sources and form.
fn normalized(e: &SidiExport) -> SidiExport {
    let mut e = e.clone();
    let o = sidisync::model::Origin::new(&std::sync::Arc::from("x"), 0, 0);
    e.header.origin = None;
    e.header.data_estrazione.clear();
    e.sources.clear();
    e.form = ExportForm::Xml;
    for c in &mut e.codes {
        c.origin = o.clone();
    }
    for s in &mut e.sedi {
        s.origin = o.clone();
    }
    for c in &mut e.classes {
        c.origin = o.clone();
    }
    for p in &mut e.pupils {
        p.origin = o.clone();
        p.data_nascita_raw.clear();
        for f in &mut p.frequenze {
            f.origin = o.clone();
            f.dal_raw.clear();
        }
    }
    e
}

#[test]
fn same_export_in_every_form() {
    let opts = ReadOptions::default();
    let xml_utf8 = xml_text("UTF-8").into_bytes();
    let xml_1252 = cp1252(&xml_text("windows-1252"));
    let files = csv_files();
    let csv_1252: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, t)| (*n, cp1252(t))).collect();
    // File names in the archive say nothing: content decides.
    let csv_zip = zip_of(&[
        ("a.txt", &csv_1252[3].1),
        ("b.dat", &csv_1252[2].1),
        ("c", &csv_1252[1].1),
        ("dir/d.csv", &csv_1252[0].1),
    ]);
    let xml_zip = zip_of(&[("export.bin", &xml_1252), ("LEGGIMI.txt", b"leggimi\n")]);

    let base = read_sidi_bytes("frequenze.xml", &xml_utf8, &opts).unwrap();
    assert!(base.findings.is_empty(), "{:?}", base.findings);
    let e = &base.export;
    assert_eq!(e.form, ExportForm::Xml);
    assert_eq!(e.pupils.len(), 3);
    assert_eq!(e.pupils[0].nome, "NICOLÒ");
    assert_eq!(e.pupils[0].cognome, "D'AMICO");
    assert_eq!(e.pupils[1].cognome, "DELL'ORTO");
    assert_eq!(e.pupils[1].nome, "ZOÈ");
    assert_eq!(e.pupils[2].cognome, "BIANCHI & FIGLI");
    assert_eq!(e.pupils[0].frequenze.len(), 2);
    assert_eq!(e.sedi[1].denominazione, "SCUOLA MEDIA «ZOÈ»");

    for (name, bytes) in [
        ("frequenze-1252.xml", xml_1252.clone()),
        ("FREQUENZE_RMIC8A1005.zip", xml_zip.clone()),
        ("FREQUENZE_CSV.zip", csv_zip.clone()),
        ("alunni.csv", cp1252(&files[3].1)),
    ] {
        let r = read_sidi_bytes(name, &bytes, &opts).unwrap();
        assert!(r.findings.is_empty(), "{name}: {:?}", r.findings);
        let mut want = normalized(&base.export);
        if name == "alunni.csv" {
            want.codes.clear();
            want.sedi.clear();
            want.classes.clear();
        }
        assert_eq!(normalized(&r.export), want, "{name}");
        assert_eq!(r.export.sources.len(), 1);
        assert_eq!(r.export.sources[0].size, bytes.len() as u64);
        assert_eq!(
            r.export.sources[0].sha256,
            sidisync::util::sha256_hex(&bytes)
        );
    }

    let csv = read_sidi_bytes("FREQUENZE_CSV.zip", &csv_zip, &opts).unwrap();
    assert_eq!(csv.export.form, ExportForm::Csv);
    assert_eq!(csv.export.header.data_estrazione, "");
    let o = &csv.export.pupils[0].frequenze[1].origin;
    assert_eq!((&*o.file, o.line), ("FREQUENZE_CSV.zip!a.txt", 4));
    let x = read_sidi_bytes("F.zip", &xml_zip, &opts).unwrap();
    let o = &x.export.pupils[1].origin;
    assert_eq!(&*o.file, "F.zip!export.bin");
    assert!(o.line > 0 && o.column > 0);
}

#[test]
fn paths_directories_and_peek() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let xml = cp1252(&xml_text("windows-1252"));
    std::fs::write(d.join("frequenze.xml"), &xml).unwrap();
    let files = csv_files();
    let csv_dir = d.join("csv");
    std::fs::create_dir(&csv_dir).unwrap();
    for (n, t) in &files {
        std::fs::write(csv_dir.join(n), cp1252(t)).unwrap();
    }
    let entries: Vec<(&str, Vec<u8>)> = files
        .iter()
        .map(|(n, t)| (*n, t.clone().into_bytes()))
        .collect();
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (*n, &b[..])).collect();
    let zip = zip_of(&refs);
    std::fs::write(d.join("FREQUENZE_X.zip"), &zip).unwrap();

    let opts = ReadOptions::default();
    let a = read_sidi(&d.join("frequenze.xml"), &opts).unwrap();
    let b = read_sidi(&csv_dir, &opts).unwrap();
    let c = read_sidi(&d.join("FREQUENZE_X.zip"), &opts).unwrap();
    assert_eq!(normalized(&a.export), normalized(&b.export));
    assert_eq!(normalized(&a.export), normalized(&c.export));
    // Plain files are hashed while read; a directory lists every file read.
    assert_eq!(a.export.sources[0].sha256, sidisync::util::sha256_hex(&xml));
    assert_eq!(b.export.sources.len(), 4);
    assert_eq!(c.export.sources[0].sha256, sidisync::util::sha256_hex(&zip));
    let alunni = b.export.pupils[0].origin.file.to_string();
    assert!(alunni.ends_with("alunni.csv"), "{alunni}");
    let zo = &c.export.pupils[0].origin.file;
    assert!(zo.ends_with("FREQUENZE_X.zip!alunni.csv"), "{zo}");

    for p in [
        d.join("frequenze.xml"),
        csv_dir.clone(),
        d.join("FREQUENZE_X.zip"),
    ] {
        assert_eq!(peek_school_code(&p, &opts).unwrap(), "RMIC8A1005");
    }
}

fn err(name: &str, bytes: &[u8], opts: &ReadOptions) -> Error {
    match read_sidi_bytes(name, bytes, opts) {
        Ok(_) => panic!("{name}: read without error"),
        Err(e) => e,
    }
}

#[test]
fn zip_hardening() {
    let opts = ReadOptions::default();
    let alunni = csv_files().remove(3).1.into_bytes();

    // Nothing recognisable inside.
    let z = zip_of(&[("a.txt", b"hello\n"), ("b.pdf", b"%PDF-1.4\n")]);
    let e = err("x.zip", &z, &opts);
    assert!(matches!(e, Error::NoExport { .. }), "{e}");
    assert!(e.to_string().contains("x.zip!a.txt"), "{e}");

    // Only a nested archive.
    let inner = zip_of(&[("alunni.csv", &alunni)]);
    let z = zip_of(&[("inner.zip", &inner)]);
    let e = err("x.zip", &z, &opts);
    assert!(e.to_string().contains("nested"), "{e}");

    // Path traversal names are refused.
    let z = zip_of(&[("../alunni.csv", &alunni)]);
    let e = err("x.zip", &z, &opts);
    assert!(
        matches!(e, Error::Zip { .. }) && e.to_string().contains(".."),
        "{e}"
    );

    // Too many entries.
    let mut o = ReadOptions::default();
    o.limits.zip_max_entries = 2;
    let z = zip_of(&[("a", b"1"), ("b", b"2"), ("alunni.csv", &alunni)]);
    let e = err("x.zip", &z, &o);
    assert!(e.to_string().contains("entries"), "{e}");

    // Total uncompressed size.
    let mut o = ReadOptions::default();
    o.limits.zip_max_total_uncompressed = 200;
    let z = zip_of(&[("alunni.csv", &alunni)]);
    let e = err("x.zip", &z, &o);
    assert!(e.to_string().contains("uncompressed"), "{e}");

    // A zip bomb: valid rows padded with blanks (trimmed away), ratio far above 200:1.
    let mut big = alunni.clone();
    let row = alunni.split(|&b| b == b'\r').nth(1).unwrap()[1..].to_vec();
    while big.len() < 8 << 20 {
        big.extend_from_slice(&row);
        big.extend(std::iter::repeat_n(b' ', 60_000));
        big.extend_from_slice(b"\r\n");
    }
    let z = zip_of(&[("alunni.csv", &big)]);
    assert!(z.len() * 200 < big.len());
    let e = err("bomb.zip", &z, &opts);
    assert!(e.to_string().contains("ratio"), "{e}");

    // Encrypted entries: set the encryption flag in local and central headers.
    let mut z = zip_of(&[("alunni.csv", &alunni)]);
    for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
        let i = z.windows(4).position(|w| w == sig).unwrap();
        let flag_at = if sig[2] == 3 { i + 6 } else { i + 8 };
        z[flag_at] |= 1;
    }
    let e = err("enc.zip", &z, &opts);
    assert!(e.to_string().contains("encrypted"), "{e}");

    // Two exports in one archive.
    let xml = xml_text("UTF-8").into_bytes();
    let z = zip_of(&[("a.xml", &xml), ("alunni.csv", &alunni)]);
    let e = err("two.zip", &z, &opts);
    assert!(e.to_string().contains("more than one"), "{e}");

    // Not a zip after all (truncated archive).
    let z = zip_of(&[("alunni.csv", &alunni)]);
    let e = err("cut.zip", &z[..z.len() / 2], &opts);
    assert!(matches!(e, Error::Zip { .. }), "{e}");
}

#[test]
fn bad_inputs_are_typed_errors() {
    let opts = ReadOptions::default();
    assert!(matches!(err("e.xml", b"", &opts), Error::Empty { .. }));
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        read_sidi(&empty, &opts).unwrap_err(),
        Error::Empty { .. }
    ));
    assert!(matches!(
        read_sidi(&dir.path().join("missing.zip"), &opts).unwrap_err(),
        Error::Io { .. }
    ));

    // Truncated XML: position at the end.
    let xml = xml_text("UTF-8");
    let cut = &xml.as_bytes()[..xml.len() * 2 / 3];
    match err("cut.xml", cut, &opts) {
        Error::Xml { file, line, .. } => {
            assert_eq!(file, "cut.xml");
            assert!(line > 10);
        }
        e => panic!("{e}"),
    }
    // Windows-1252 bytes in a document declared UTF-8.
    let bad = cp1252(&xml_text("UTF-8"));
    match err("bad.xml", &bad, &opts) {
        Error::Xml {
            line,
            column,
            message,
            ..
        } => {
            // The first non-ASCII character: «ZOÈ» of the second Sede.
            assert_eq!(line, 15, "{message}");
            assert!(column > 1);
            assert!(message.en().contains("UTF-8"), "{message}");
        }
        e => panic!("{e}"),
    }
    // Unknown encoding label.
    let e = err("k.xml", xml_text("x-klingon").as_bytes(), &opts);
    assert!(e.to_string().contains("x-klingon"), "{e}");
    // CSV without a mandatory column.
    let alunni = csv_files().remove(3).1.replace("COGNOME", "SURNAME");
    match err("alunni.csv", alunni.as_bytes(), &opts) {
        Error::MissingColumn { file, column } => {
            assert_eq!((file.as_str(), column.as_str()), ("alunni.csv", "COGNOME"));
        }
        e => panic!("{e}"),
    }
    // classi.csv alone is not an export.
    let classi = csv_files().remove(2).1;
    let e = err("classi.csv", classi.as_bytes(), &opts);
    assert!(e.to_string().contains("alunni.csv"), "{e}");
}

#[test]
fn encoding_override() {
    // A UTF-8 file read with a windows-1252 override gives mojibake, as asked.
    let alunni = csv_files().remove(3).1;
    let opts = ReadOptions {
        encoding: Some(sidisync::read::profile::EncodingChoice::parse("windows-1252").unwrap()),
        ..Default::default()
    };
    let r = read_sidi_bytes("alunni.csv", alunni.as_bytes(), &opts).unwrap();
    assert_eq!(r.export.pupils[0].nome, "NICOLÃ’");
    let r = read_sidi_bytes("alunni.csv", alunni.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(r.export.pupils[0].nome, "NICOLÒ");
    // With a BOM.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(alunni.as_bytes());
    let r = read_sidi_bytes("alunni.csv", &bom, &ReadOptions::default()).unwrap();
    assert_eq!(r.export.pupils[1].nome, "ZOÈ");
    assert_eq!(r.export.header.codice_scuola, "RMIC8A1005");
}

#[test]
fn findings_keep_raw_values() {
    let alunni = csv_files()
        .remove(3)
        .1
        .replace("12/05/2014", "32/05/2014")
        .replace(";BNCLCU11C03H501Z;V;", ";BNCLCU11C03H501Z;V;;")
        .replace("BIANCHI & FIGLI;", "");
    let r = read_sidi_bytes("alunni.csv", alunni.as_bytes(), &ReadOptions::default()).unwrap();
    let d = r
        .findings
        .iter()
        .find(|f| f.code == FindingCode::DateInvalid)
        .unwrap();
    assert_eq!(
        (d.value.as_str(), d.expected.as_str()),
        ("32/05/2014", "dd/mm/yyyy")
    );
    assert_eq!(d.origin.as_ref().unwrap().line, 2);
    assert_eq!(r.export.pupils[0].data_nascita_raw, "32/05/2014");
    let m = r
        .findings
        .iter()
        .find(|f| f.code == FindingCode::RequiredMissing)
        .unwrap();
    assert_eq!(m.field, "COGNOME");
    assert_eq!(m.record, "BNCLCU11C03H501Z");
}

/// The XML written by the fixture is valid against schemas/frequenze.xsd.
#[test]
fn xsd_validates_the_fixture() {
    let Ok(out) = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
    else {
        eprintln!("xmllint not installed: skipped (apt-get install -y libxml2-utils)");
        return;
    };
    assert!(out.status.success() || !out.stderr.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/frequenze.xsd");
    for (name, bytes) in [
        ("utf8.xml", xml_text("UTF-8").into_bytes()),
        ("cp1252.xml", cp1252(&xml_text("windows-1252"))),
    ] {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // And it refuses a broken document.
    let f = dir.path().join("bad.xml");
    std::fs::write(
        &f,
        xml_text("UTF-8").replace("<Sesso>M</Sesso>", "<Sesso>X</Sesso>"),
    )
    .unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// A large school's files are mapped into memory when read from disk
/// (Linux): the model, findings and hashes are those of reading the same
/// bytes from memory.
#[test]
fn large_files_read_from_disk_as_from_memory() {
    let dir = tempfile::tempdir().unwrap();
    sidisync::gen::generate_large_school(9000, 5, dir.path()).unwrap();
    let sidi = std::fs::read_dir(dir.path().join("sidi"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(&sidi).unwrap();
    assert!(bytes.len() > 1 << 20, "large enough to be mapped");
    let opts = ReadOptions::default();
    let from_disk = read_sidi(&sidi, &opts).unwrap();
    let name = sidi.display().to_string();
    let from_memory = read_sidi_bytes(&name, &bytes, &opts).unwrap();
    assert_eq!(from_disk.export.pupils.len(), 9000);
    assert_eq!(
        format!("{:?}", (&from_disk.export, &from_disk.findings)),
        format!("{:?}", (&from_memory.export, &from_memory.findings))
    );

    let local = std::fs::read_dir(dir.path().join("locale"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let (pupils, classes) = (
        local.join("alunni_locali.csv"),
        local.join("classi_locali.csv"),
    );
    let layout = sidisync::read::profile::Profile::default().local;
    let from_disk = sidisync::read::local::read_local(&pupils, Some(&classes), &layout).unwrap();
    let (pb, cb) = (
        std::fs::read(&pupils).unwrap(),
        std::fs::read(&classes).unwrap(),
    );
    assert!(pb.len() > 1 << 20, "large enough to be mapped");
    let classes_name = classes.display().to_string();
    let from_memory = sidisync::read::local::read_local_bytes(
        &pupils.display().to_string(),
        &pb,
        Some((classes_name.as_str(), &cb)),
        &layout,
    )
    .unwrap();
    assert_eq!(
        format!("{:?}", (&from_disk.export, &from_disk.findings)),
        format!("{:?}", (&from_memory.export, &from_memory.findings))
    );
}
