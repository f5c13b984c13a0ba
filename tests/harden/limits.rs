//! Every limit of the readers, one test each, with the message the user sees.
//! The defaults are in `sidisync::read::Limits`; HARDENING.md lists them.

use super::child::{is_child, peak_rss_kib, report, run_child, value};
use sidisync::error::Error;
use sidisync::read::local::read_local_bytes;
use sidisync::read::profile::Profile;
use sidisync::read::{read_sidi, read_sidi_bytes, xml, Limits, ReadOptions};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const HEAD: &str = "CODICE_SCUOLA;ANNO_SCOLASTICO;ID_ALUNNO_SIDI;CODICE_FISCALE;STATO_CF;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;DATA_INIZIO;STATO_FREQUENZA";
pub const ROW: &str = "RMIC8A1005;2025/26;4810332217;RSSMRA14E52H501X;V;ROSSI;MARIA;F;12/05/2014;H501;Z000;RMEE8A1016;1;A;15/09/2025;FREQUENTANTE";

fn alunni() -> Vec<u8> {
    format!("{HEAD}\r\n{ROW}\r\n").into_bytes()
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

#[track_caller]
fn refused(name: &str, bytes: &[u8], opts: &ReadOptions) -> Error {
    match read_sidi_bytes(name, bytes, opts) {
        Ok(r) => panic!(
            "{name}: read without error ({} pupils)",
            r.export.pupils.len()
        ),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_msg(e: &Error, want: &str) {
    let s = e.to_string();
    assert!(s.contains(want), "message {s:?} should contain {want:?}");
}

// ---------------------------------------------------------------- zip

#[test]
fn zip_default_limits_are_generous() {
    let l = Limits::default();
    assert!(l.zip_max_entries >= 16);
    assert!(l.zip_max_total_uncompressed >= 1 << 30);
    assert!(l.zip_max_ratio >= 100);
    // The samples read under the defaults.
    for s in ["frequenze_csv.zip", "frequenze_xml.zip"] {
        read_sidi(&crate::harness::sample(s), &ReadOptions::default()).unwrap();
    }
}

#[test]
fn zip_too_many_entries() {
    let mut o = ReadOptions::default();
    o.limits.zip_max_entries = 3;
    let a = alunni();
    let z = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3"), ("alunni.csv", &a)]);
    let e = refused("x.zip", &z, &o);
    assert!(matches!(e, Error::Zip { .. }), "{e:?}");
    assert_msg(&e, "4 entries, more than the limit of 3");
    // At the limit it is read.
    o.limits.zip_max_entries = 4;
    read_sidi_bytes("x.zip", &z, &o).unwrap();
}

#[test]
fn zip_total_uncompressed_size() {
    let mut o = ReadOptions::default();
    let a = alunni();
    let z = zip_of(&[("alunni.csv", &a), ("LEGGIMI.txt", &[b'x'; 4000])]);
    o.limits.zip_max_total_uncompressed = 1000;
    let e = refused("x.zip", &z, &o);
    assert!(matches!(e, Error::Zip { .. }), "{e:?}");
    assert_msg(&e, "more than 1000 bytes once uncompressed");
    o.limits.zip_max_total_uncompressed = 1 << 20;
    read_sidi_bytes("x.zip", &z, &o).unwrap();
}

#[test]
fn zip_compression_ratio() {
    // 5 MiB of spaces after a valid row: ratio about 1000:1.
    let mut a = format!("{HEAD}\r\n{ROW}").into_bytes();
    a.extend(std::iter::repeat_n(b' ', 5 << 20));
    a.extend_from_slice(b"\r\n");
    let z = zip_of(&[("alunni.csv", &a)]);
    let e = refused("bomb.zip", &z, &ReadOptions::default());
    // Found while the CSV is read: a CSV error at the line reached.
    assert!(matches!(e, Error::Zip { .. } | Error::Csv { .. }), "{e:?}");
    assert_msg(&e, "compression ratio above 200:1 (a zip bomb?)");
    assert_msg(&e, "bomb.zip!alunni.csv");
    // A higher limit lets it through (the row is read, the blanks trimmed).
    let mut o = ReadOptions::default();
    o.limits.zip_max_ratio = 100_000;
    o.limits.csv_max_line = 8 << 20;
    o.limits.max_field_len = 8 << 20;
    let r = read_sidi_bytes("bomb.zip", &z, &o).unwrap();
    assert_eq!(r.export.pupils.len(), 1);
}

#[test]
fn zip_nested_archives_are_not_opened() {
    let a = alunni();
    let inner = zip_of(&[("alunni.csv", &a)]);
    let z = zip_of(&[("inner.zip", &inner)]);
    let e = refused("x.zip", &z, &ReadOptions::default());
    assert!(matches!(e, Error::NoExport { .. }), "{e:?}");
    assert_msg(&e, "nested archives are not opened, extract them first");
    // Beside a real export, a nested archive is listed and ignored.
    let z = zip_of(&[("inner.zip", &inner), ("alunni.csv", &a)]);
    let r = read_sidi_bytes("x.zip", &z, &ReadOptions::default()).unwrap();
    assert_eq!(r.export.pupils.len(), 1);
}

#[test]
fn zip_unsafe_names() {
    let a = alunni();
    for name in [
        "../alunni.csv",
        "dati/../../alunni.csv",
        "/etc/alunni.csv",
        "C:\\temp\\alunni.csv",
        "..\\alunni.csv",
    ] {
        let z = zip_of(&[(name, &a)]);
        let e = refused("x.zip", &z, &ReadOptions::default());
        assert!(matches!(e, Error::Zip { .. }), "{name}: {e:?}");
        assert_msg(&e, "is absolute or climbs out with '..': archive refused");
    }
    // Dots inside a name are fine; nothing is ever extracted to disk anyway.
    let z = zip_of(&[("export..2025/alunni.csv", &a)]);
    read_sidi_bytes("x.zip", &z, &ReadOptions::default()).unwrap();
}

#[test]
fn zip_encrypted_entries() {
    let mut z = zip_of(&[("alunni.csv", &alunni())]);
    for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
        let i = z.windows(4).position(|w| w == sig).unwrap();
        let flag_at = if sig[2] == 3 { i + 6 } else { i + 8 };
        z[flag_at] |= 1;
    }
    let e = refused("enc.zip", &z, &ReadOptions::default());
    assert!(matches!(e, Error::Zip { .. }), "{e:?}");
    assert_msg(
        &e,
        "\"alunni.csv\" is encrypted: encrypted archives are refused",
    );
}

/// Offsets of the central directory headers of `z`.
fn central_headers(z: &[u8]) -> Vec<usize> {
    z.windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn zip_overlapping_entries() {
    // Two entries whose central headers point at the same local header and
    // data (the overlapping-file zip bomb): refused before anything is read.
    let a = alunni();
    let mut z = zip_of(&[("alunni.csv", &a), ("alunni.txt", &a)]);
    let cd = central_headers(&z);
    assert_eq!(cd.len(), 2);
    let first_offset = z[cd[0] + 42..cd[0] + 46].to_vec();
    z[cd[1] + 42..cd[1] + 46].copy_from_slice(&first_offset);
    let e = refused("overlap.zip", &z, &ReadOptions::default());
    assert!(matches!(e, Error::Zip { .. }), "{e:?}");
    assert_msg(&e, "overlapping entries");
}

// ---------------------------------------------------------------- XML

fn xml_refused(doc: &[u8], opts: &ReadOptions) -> Error {
    let e = refused("f.xml", doc, opts);
    assert!(matches!(e, Error::Xml { .. }), "{e:?}");
    e
}

#[test]
fn xml_doctype_billion_laughs_and_external_entities() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<FlussoFrequenze><Intestazione><CodiceScuola>&lol3;</CodiceScuola></Intestazione></FlussoFrequenze>"#;
    let e = xml_refused(laughs, &ReadOptions::default());
    assert_msg(&e, "DOCTYPE declarations are refused");
    assert!(matches!(e, Error::Xml { line: 2, .. }), "{e:?}");

    let xxe = br#"<?xml version="1.0"?>
<!DOCTYPE FlussoFrequenze [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FlussoFrequenze><Intestazione><CodiceScuola>&xxe;</CodiceScuola></Intestazione></FlussoFrequenze>"#;
    let e = xml_refused(xxe, &ReadOptions::default());
    assert_msg(&e, "DOCTYPE");
    assert!(!e.to_string().contains("root:"), "{e}");

    // An entity used without a DOCTYPE is refused too, at its position.
    let e = xml_refused(
        b"<FlussoFrequenze>\n<Intestazione><CodiceScuola>&xxe;</CodiceScuola></Intestazione></FlussoFrequenze>",
        &ReadOptions::default(),
    );
    assert_msg(&e, "entity &xxe;");
    assert!(matches!(e, Error::Xml { line: 2, .. }), "{e:?}");
}

#[test]
fn xml_element_depth() {
    let d = Limits::default().xml_max_depth;
    let deep = |n: usize| {
        let mut s = String::from("<FlussoFrequenze>");
        for _ in 1..n {
            s.push_str("<x>");
        }
        for _ in 1..n {
            s.push_str("</x>");
        }
        s.push_str("</FlussoFrequenze>");
        s.into_bytes()
    };
    let e = xml_refused(&deep(d + 1), &ReadOptions::default());
    assert_msg(&e, &format!("deeper than {d}"));
    read_sidi_bytes("f.xml", &deep(d), &ReadOptions::default()).unwrap();
    // 100 000 levels: refused at the limit, no stack exhaustion.
    xml_refused(&deep(100_000), &ReadOptions::default());
}

#[test]
fn xml_attribute_count() {
    let n = Limits::default().xml_max_attributes;
    let el = |k: usize| {
        let attrs: String = (0..k).map(|i| format!(" a{i}=\"v\"")).collect();
        format!("<FlussoFrequenze><Sedi><Sede codice=\"X\"{attrs}/></Sedi></FlussoFrequenze>")
            .into_bytes()
    };
    let e = xml_refused(&el(n + 1), &ReadOptions::default());
    assert_msg(&e, &format!("more than {n} attributes"));
    read_sidi_bytes("f.xml", &el(n - 1), &ReadOptions::default()).unwrap();
}

#[test]
fn xml_text_length_per_field() {
    let n = Limits::default().max_field_len;
    let doc = |k: usize| {
        format!(
            "<FlussoFrequenze><Alunni><Alunno><Cognome>{}</Cognome></Alunno></Alunni></FlussoFrequenze>",
            "A".repeat(k)
        )
        .into_bytes()
    };
    let e = xml_refused(&doc(n + 1), &ReadOptions::default());
    assert_msg(&e, &format!("longer than {n}"));
    // An attribute value too.
    let attr = format!(
        "<FlussoFrequenze><Sedi><Sede codice=\"{}\"/></Sedi></FlussoFrequenze>",
        "B".repeat(n + 1)
    );
    let e = xml_refused(attr.as_bytes(), &ReadOptions::default());
    assert_msg(&e, &format!("longer than {n}"));
    // The refused value is never echoed back.
    assert!(!e.to_string().contains("BBBB"), "{e}");
}

/// A byte stream of `total` bytes: `head`, then `fill` repeated, then
/// `tail`, produced on the fly; `served` counts the bytes handed out.
pub struct Generated {
    head: Vec<u8>,
    fill: Vec<u8>,
    tail: Vec<u8>,
    total: u64,
    pos: u64,
    pub served: Arc<AtomicU64>,
}

impl Generated {
    pub fn new(head: &[u8], fill: &[u8], tail: &[u8], total: u64) -> Generated {
        Generated {
            head: head.to_vec(),
            fill: fill.to_vec(),
            tail: tail.to_vec(),
            total,
            pos: 0,
            served: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        let fill_end = self.total - self.tail.len() as u64;
        while n < buf.len() && self.pos < self.total {
            let p = self.pos;
            let b = if p < self.head.len() as u64 {
                self.head[p as usize]
            } else if p < fill_end {
                self.fill[((p - self.head.len() as u64) % self.fill.len() as u64) as usize]
            } else {
                self.tail[(p - fill_end) as usize]
            };
            buf[n] = b;
            n += 1;
            self.pos += 1;
        }
        self.served.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const TWO_GB: u64 = 2 << 30;

/// Single-line 2 GB documents, generated while read: each is refused after
/// at most a few MiB, with the memory of the child process staying small.
#[test]
fn xml_single_line_2gb_is_streamed() {
    let out = run_child("harden::limits::child_xml_2gb");
    let peak: u64 = value(&out, "PEAK_KIB").parse().unwrap();
    assert!(peak < 96 * 1024, "peak memory {peak} KiB\n{out}");
    for case in ["text", "attribute", "comment", "tag", "blanks", "cdata"] {
        let served: u64 = value(&out, &format!("SERVED_{case}")).parse().unwrap();
        assert!(
            served < 8 << 20,
            "{case}: read {served} bytes before refusing"
        );
        let msg = value(&out, &format!("ERROR_{case}"));
        assert!(msg.starts_with("big.xml:1:"), "{case}: {msg}");
    }
}

#[test]
#[ignore = "run by xml_single_line_2gb_is_streamed in a child process"]
fn child_xml_2gb() {
    if !is_child() {
        return;
    }
    let cases: [(&str, &[u8], &[u8]); 6] = [
        ("text", b"<FlussoFrequenze><Alunni><Alunno><Cognome>", b"A"),
        ("attribute", b"<FlussoFrequenze><Sedi><Sede codice=\"", b"B"),
        ("comment", b"<FlussoFrequenze><!--", b"C"),
        ("tag", b"<FlussoFrequenze><", b"D"),
        ("blanks", b"<FlussoFrequenze>", b" "),
        (
            "cdata",
            b"<FlussoFrequenze><Alunni><Alunno><Nome><![CDATA[",
            b"E",
        ),
    ];
    for (case, head, fill) in cases {
        let g = Generated::new(head, fill, b"\"/></FlussoFrequenze>", TWO_GB);
        let served = Arc::clone(&g.served);
        let e = xml::read_stream("big.xml", g, &ReadOptions::default())
            .expect_err("a 2 GB token must be refused");
        report(&format!("SERVED_{case}"), served.load(Ordering::Relaxed));
        report(&format!("ERROR_{case}"), e);
    }
    report("PEAK_KIB", peak_rss_kib());
}

const SMALL_TOKENS_LEN: u64 = 16 << 20;

/// A long single-line document made of small, valid, skipped elements is
/// read to the end with constant memory (16 MiB here, to keep the test quick
/// in debug builds; the memory does not depend on the length).
#[test]
fn xml_single_line_many_small_tokens() {
    let out = run_child("harden::limits::child_xml_small_tokens");
    let peak: u64 = value(&out, "PEAK_KIB").parse().unwrap();
    assert!(peak < 64 * 1024, "peak memory {peak} KiB\n{out}");
    assert_eq!(value(&out, "PUPILS"), "0");
    let served: u64 = value(&out, "SERVED").parse().unwrap();
    assert!(served > SMALL_TOKENS_LEN - 64, "{served}");
}

#[test]
#[ignore = "run by xml_single_line_many_small_tokens in a child process"]
fn child_xml_small_tokens() {
    if !is_child() {
        return;
    }
    let head: &[u8] =
        b"<FlussoFrequenze><Intestazione><CodiceScuola>RMIC8A1005</CodiceScuola></Intestazione><Note>";
    let fill: &[u8] = b"<x a=\"1\">y</x><!-- z -->";
    let tail: &[u8] = b"</Note></FlussoFrequenze>";
    let reps = (SMALL_TOKENS_LEN - (head.len() + tail.len()) as u64) / fill.len() as u64;
    let total = head.len() as u64 + reps * fill.len() as u64 + tail.len() as u64;
    let g = Generated::new(head, fill, tail, total);
    let served = Arc::clone(&g.served);
    let r = xml::read_stream("long.xml", g, &ReadOptions::default()).unwrap();
    report("PUPILS", r.export.pupils.len());
    report("SERVED", served.load(Ordering::Relaxed));
    report("PEAK_KIB", peak_rss_kib());
}

// ---------------------------------------------------------------- CSV (SIDI)

fn csv_refused(bytes: &[u8]) -> (u32, String) {
    match refused("alunni.csv", bytes, &ReadOptions::default()) {
        Error::Csv { line, message, .. } => (line, message.to_string()),
        e => panic!("not a CSV error: {e:?}"),
    }
}

#[test]
fn csv_ragged_rows() {
    let fewer = ROW.rsplit_once(';').unwrap().0;
    let (line, m) = csv_refused(format!("{HEAD}\n{ROW}\n{fewer}\n").as_bytes());
    assert_eq!(line, 3, "{m}");
    assert!(m.contains("15 fields but the header has 16"), "{m}");
    let more = format!("{ROW};EXTRA");
    let (line, m) = csv_refused(format!("{HEAD}\n{more}\n{ROW}\n").as_bytes());
    assert_eq!(line, 2, "{m}");
    assert!(m.contains("17 fields"), "{m}");
    // Values are not echoed in the message (they are personal data).
    assert!(!m.contains("ROSSI") && !m.contains("RSSMRA"), "{m}");
}

#[test]
fn csv_nul_bytes() {
    let nul = ROW.replace("MARIA", "MA\0RIA");
    let (line, m) = csv_refused(format!("{HEAD}\n{ROW}\n{nul}\n").as_bytes());
    assert_eq!(line, 3);
    assert!(m.contains("NUL byte"), "{m}");
    // A binary file named .csv.
    let mut bin = format!("{HEAD}\n").into_bytes();
    bin.extend((0u8..=255).cycle().take(4096));
    let e = refused("alunni.csv", &bin, &ReadOptions::default());
    assert!(matches!(e, Error::Csv { .. }), "{e:?}");
}

#[test]
fn csv_stray_quotes() {
    // A quote inside an unquoted value is kept as a character.
    let inner = ROW.replace(";ROSSI;", ";ROS\"SI;");
    let r = read_sidi_bytes(
        "alunni.csv",
        format!("{HEAD}\n{inner}\n").as_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(r.export.pupils[0].cognome, "ROS\"SI");
    // An opening quote never closed swallows the following lines: located error.
    let open = ROW.replace(";ROSSI;", ";\"ROSSI;");
    let (line, m) = csv_refused(format!("{HEAD}\n{ROW}\n{open}\n{ROW}\n{ROW}\n").as_bytes());
    assert_eq!(line, 3, "{m}");
    // A quote closed in the middle of a value.
    let mid = ROW.replace(";ROSSI;", ";\"ROS\"SI;");
    let r = read_sidi_bytes(
        "alunni.csv",
        format!("{HEAD}\n{mid}\n").as_bytes(),
        &ReadOptions::default(),
    );
    match r {
        Ok(r) => assert_eq!(r.export.pupils.len(), 1),
        Err(e) => assert!(matches!(e, Error::Csv { line: 2, .. }), "{e:?}"),
    }
}

#[test]
fn csv_header_only() {
    for body in [
        format!("{HEAD}\n"),
        HEAD.to_string(),
        format!("{HEAD}\r\n\r\n"),
    ] {
        let r = read_sidi_bytes("alunni.csv", body.as_bytes(), &ReadOptions::default()).unwrap();
        assert!(r.export.pupils.is_empty());
    }
    // Local export: header only gives no pupils, no panic.
    let layout = Profile::default().local;
    let head = sidisync::write::local::PUPIL_COLUMNS.join(";");
    let r = read_local_bytes("alunni_locali.csv", head.as_bytes(), None, &layout).unwrap();
    assert!(r.export.pupils.is_empty());
}

#[test]
fn csv_local_reader_broken_rows_are_located() {
    let layout = Profile::default().local;
    let head = sidisync::write::local::PUPIL_COLUMNS.join(";");
    let n = sidisync::write::local::PUPIL_COLUMNS.len();
    let row = vec!["X"; n].join(";");
    let short = vec!["X"; n - 2].join(";");
    let e = read_local_bytes(
        "alunni_locali.csv",
        format!("{head}\n{row}\n{short}\n").as_bytes(),
        None,
        &layout,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e:?}");
    let nul = row.replacen('X', "A\0B", 1);
    let e = read_local_bytes(
        "alunni_locali.csv",
        format!("{head}\n{row}\n{nul}\n").as_bytes(),
        None,
        &layout,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e:?}");
    assert_msg(&e, "NUL byte");
}

/// A 100 MB field in `alunni.csv`: refused at its line after reading about
/// the line limit, memory staying small.
#[test]
fn csv_100mb_field() {
    let out = run_child("harden::limits::child_csv_100mb");
    let peak: u64 = value(&out, "PEAK_KIB").parse().unwrap();
    assert!(peak < 64 * 1024, "peak memory {peak} KiB\n{out}");
    let msg = value(&out, "ERROR_SIDI");
    assert!(msg.contains("alunni.csv:3:"), "{msg}");
    assert!(msg.contains("longer than"), "{msg}");
    let msg = value(&out, "ERROR_LOCAL");
    assert!(msg.contains("alunni_locali.csv:3:"), "{msg}");
    assert!(msg.contains("longer than"), "{msg}");
    let local_peak: u64 = value(&out, "LOCAL_PEAK_KIB").parse().unwrap();
    assert!(
        local_peak < 400 * 1024,
        "local reader peak {local_peak} KiB"
    );
}

#[test]
#[ignore = "run by csv_100mb_field in a child process"]
fn child_csv_100mb() {
    if !is_child() {
        return;
    }
    let dir = crate::harness::tempdir();
    let path = dir.path().join("alunni.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "{HEAD}\n{ROW}").unwrap();
        let (a, b) = ROW.split_once(";ROSSI;").unwrap();
        write!(f, "{a};").unwrap();
        let chunk = vec![b'R'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        writeln!(f, ";{b}").unwrap();
    }
    let e = read_sidi(&path, &ReadOptions::default()).unwrap_err();
    report("ERROR_SIDI", e);
    report("PEAK_KIB", peak_rss_kib());

    // The local export is read whole (it is the school's own, small file):
    // memory is bounded by its size, and the field is refused at its line.
    let head = sidisync::write::local::PUPIL_COLUMNS.join(";");
    let n = sidisync::write::local::PUPIL_COLUMNS.len();
    let row = vec!["X"; n].join(";");
    let lpath = dir.path().join("alunni_locali.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&lpath).unwrap());
        writeln!(f, "{head}\n{row}").unwrap();
        let chunk = vec![b'R'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        writeln!(f, "{}", ";X".repeat(n - 1)).unwrap();
    }
    let layout = Profile::default().local;
    let e = sidisync::read::local::read_local(&lpath, None, &layout).unwrap_err();
    report("ERROR_LOCAL", e);
    report("LOCAL_PEAK_KIB", peak_rss_kib());
}
