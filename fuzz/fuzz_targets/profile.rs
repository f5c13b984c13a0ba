//! The profile loader on arbitrary text: a profile or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sidisync::read::profile::Profile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = Profile::parse(text, "fuzz.toml", None) {
            // A loaded profile is usable by the readers.
            let opts = sidisync::read::ReadOptions {
                profile: p,
                ..Default::default()
            };
            let _ = sidisync::read::read_sidi_bytes(
                "alunni.csv",
                b"CODICE_SCUOLA;CODICE_FISCALE;COGNOME;NOME\nRMIC8A1005;X;Y;Z\n",
                &opts,
            );
        }
    }
});
