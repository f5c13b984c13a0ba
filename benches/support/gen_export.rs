//! A simple deterministic writer of large SIDI exports, for benchmarks
//! (shared by `benches/read.rs` and `examples/read_bench.rs`).

#![allow(dead_code)]

const COGNOMI: &[&str] = &[
    "ROSSI",
    "RUSSO",
    "FERRARI",
    "ESPOSITO",
    "BIANCHI",
    "ROMANO",
    "COLOMBO",
    "D'AMICO",
    "DELL'ORTO",
    "DE LUCA",
    "NICOLÒ",
    "SANTORO",
    "MARINO",
    "GRECO",
    "BRUNO",
    "GALLO",
];
const NOMI: &[&str] = &[
    "MARIA",
    "LUCA",
    "GIULIA",
    "MATTEO",
    "ZOÈ",
    "NICOLÒ",
    "SOFIA",
    "ANDREA",
    "AURORA",
    "FRANCESCO",
    "GIORGIA",
    "LORENZO",
    "ALICE",
    "LEONARDO",
    "GRETA",
    "TOMMASO",
];

fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

struct Row {
    id: u64,
    cf: String,
    cognome: &'static str,
    nome: &'static str,
    sesso: char,
    nascita: (u32, u32, u32),
    sede: &'static str,
    anno: u32,
    sezione: char,
}

fn rows(pupils: usize) -> impl Iterator<Item = Row> {
    let mut s = 0x5EED_u64;
    (0..pupils).map(move |i| {
        let cognome = COGNOMI[(lcg(&mut s) % COGNOMI.len() as u64) as usize];
        let nome = NOMI[(lcg(&mut s) % NOMI.len() as u64) as usize];
        let anno = (lcg(&mut s) % 5) as u32 + 1;
        let sezione = (b'A' + (lcg(&mut s) % 6) as u8) as char;
        let day = (lcg(&mut s) % 28) as u32 + 1;
        let month = (lcg(&mut s) % 12) as u32 + 1;
        Row {
            id: 4_000_000_000 + i as u64,
            cf: format!(
                "RSSMRA{:02}A{:02}H501{}",
                10 + anno,
                day,
                (b'A' + (i % 26) as u8) as char
            ),
            cognome,
            nome,
            sesso: if i % 2 == 0 { 'F' } else { 'M' },
            nascita: (2020 - anno - 5, month, day),
            sede: if i % 3 == 0 {
                "RMEE8A1016"
            } else {
                "RMEE8A1027"
            },
            anno,
            sezione,
        }
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('\'', "&apos;")
}

/// The XML form with `pupils` pupils (one frequenza each), as text.
pub fn xml(pupils: usize, encoding: &str) -> String {
    let mut out = String::with_capacity(pupils * 620 + 4096);
    out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<FlussoFrequenze versione=\"1.0\">\n  <Intestazione>\n    <CodiceScuola>RMIC8A1005</CodiceScuola>\n    <AnnoScolastico>2025/26</AnnoScolastico>\n    <DataEstrazione>2025-10-15T09:30:00</DataEstrazione>\n  </Intestazione>\n  <Codifiche>\n    <TempoScuola codice=\"10\" ordine=\"EE\">24 ORE SETTIMANALI</TempoScuola>\n  </Codifiche>\n  <Sedi>\n    <Sede codice=\"RMEE8A1016\" ordine=\"EE\" comune=\"H501\">PLESSO VIA ROMA</Sede>\n    <Sede codice=\"RMEE8A1027\" ordine=\"EE\" comune=\"H501\">PLESSO SAN NICOLÒ</Sede>\n  </Sedi>\n  <Classi>\n"
    ));
    for sede in ["RMEE8A1016", "RMEE8A1027"] {
        for anno in 1..=5 {
            for sez in 'A'..='F' {
                out.push_str(&format!(
                    "    <Classe sede=\"{sede}\" anno=\"{anno}\" sezione=\"{sez}\" tempoScuola=\"10\"/>\n"
                ));
            }
        }
    }
    out.push_str("  </Classi>\n  <Alunni>\n");
    for r in rows(pupils) {
        out.push_str(&format!(
            "    <Alunno idSidi=\"{}\">\n      <CodiceFiscale stato=\"V\">{}</CodiceFiscale>\n      <Cognome>{}</Cognome>\n      <Nome>{}</Nome>\n      <Sesso>{}</Sesso>\n      <DataNascita>{:04}-{:02}-{:02}</DataNascita>\n      <LuogoNascita>H501</LuogoNascita>\n      <Cittadinanza>Z000</Cittadinanza>\n      <Frequenza sede=\"{}\" anno=\"{}\" sezione=\"{}\" dal=\"2025-09-15\" stato=\"FREQUENTANTE\"/>\n    </Alunno>\n",
            r.id, r.cf, esc(r.cognome), esc(r.nome), r.sesso, r.nascita.0, r.nascita.1, r.nascita.2, r.sede, r.anno, r.sezione
        ));
    }
    out.push_str("  </Alunni>\n</FlussoFrequenze>\n");
    out
}

/// `alunni.csv` with `pupils` pupils, as text (CRLF).
pub fn alunni_csv(pupils: usize) -> String {
    let mut out = String::with_capacity(pupils * 160 + 512);
    out.push_str("CODICE_SCUOLA;ANNO_SCOLASTICO;ID_ALUNNO_SIDI;CODICE_FISCALE;STATO_CF;COGNOME;NOME;SESSO;DATA_NASCITA;LUOGO_NASCITA;CITTADINANZA;CODICE_SEDE;ANNO_CORSO;SEZIONE;DATA_INIZIO;STATO_FREQUENZA\r\n");
    for r in rows(pupils) {
        out.push_str(&format!(
            "RMIC8A1005;2025/26;{};{};V;{};{};{};{:02}/{:02}/{:04};H501;Z000;{};{};{};15/09/2025;FREQUENTANTE\r\n",
            r.id, r.cf, r.cognome, r.nome, r.sesso, r.nascita.2, r.nascita.1, r.nascita.0, r.sede, r.anno, r.sezione
        ));
    }
    out
}

/// Encodes text as windows-1252 (every name above is representable).
pub fn cp1252(s: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252.encode(s).0.into_owned()
}
