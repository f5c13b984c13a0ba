//! The CSV readers on arbitrary bytes: the SIDI `alunni.csv` reader (through
//! sniffing) and the local export reader (pupils and classes).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sidisync::read::{local, read_sidi_bytes, Limits, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        limits: Limits {
            max_field_len: 512,
            csv_max_line: 4096,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let _ = read_sidi_bytes("alunni.csv", data, &opts);
    let layout = sidisync::read::profile::Profile::default().local;
    let _ = local::read_local_bytes("alunni_locali.csv", data, None, &layout);
    let _ = local::read_local_bytes(
        "alunni_locali.csv",
        b"ID_ALUNNO_SIDI;CODICE_FISCALE;COGNOME;NOME;SESSO;DATA_NASCITA;CODICE_SEDE;ANNO_CORSO;SEZIONE\n",
        Some(("classi_locali.csv", data)),
        &layout,
    );
});
