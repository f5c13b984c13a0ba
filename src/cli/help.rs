//! The command line's definition in the user's language: `--help` in
//! Italian by default, clap's own English (the doc comments of
//! [`super::args`]) with `--lang en`.
//!
//! The Italian texts sit in [`help_text`] and [`about_text`], keyed by
//! command and argument; a test checks that every argument has one, so an
//! option added in `args.rs` without its Italian help fails the tests.

use super::args::Cli;
use clap::{Arg, ArgAction, Command, CommandFactory};
use sidisync::messages::Lang;

/// The command line's definition in `lang`.
pub fn command(lang: Lang) -> Command {
    let cmd = Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::It => {
            // the `help` subcommand exists once clap has built the command
            let mut cmd = italian(cmd, true);
            cmd.build();
            cmd.mut_subcommand("help", |h| {
                h.about("Mostra questo aiuto o quello del comando indicato")
            })
        }
    }
}

/// clap's default template with the usage heading in Italian.
const TEMPLATE: &str = "{before-help}{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}";

/// `cmd` and its subcommands with Italian headings and help texts. The
/// defaults and possible values clap would append in English are hidden:
/// the Italian texts state them.
fn italian(cmd: Command, root: bool) -> Command {
    let name = cmd.get_name().to_string();
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Comandi")
        .subcommand_value_name("COMANDO")
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Mostra questo aiuto"),
        )
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "Argomenti"
            } else {
                "Opzioni"
            };
            let a = a.help_heading(heading);
            // (clap refuses these settings on a flag)
            let a = match a.get_action().takes_values() {
                true => a.hide_default_value(true).hide_possible_values(true),
                false => a,
            };
            match help_text(&name, a.get_id().as_str()) {
                Some(h) => a.help(h),
                None => a,
            }
        });
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .global(true)
                .help("Mostra la versione")
                .help_heading("Opzioni"),
        );
    }
    cmd.mut_subcommands(|sc| {
        let about = about_text(sc.get_name());
        let sc = match about {
            Some(a) => sc.about(a),
            None => sc,
        };
        italian(sc, false)
    })
}

/// The Italian description of subcommand `name`.
pub fn about_text(name: &str) -> Option<&'static str> {
    Some(match name {
        "check" => "Legge un export SIDI e riporta cosa è stato letto e cosa non va",
        "cf" => "Verifica e decodifica codici fiscali",
        "sync" => {
            "Confronta un export SIDI con l'export locale e scrive un pacchetto di modifiche (patch)"
        }
        "apply" => "Applica una patch a un export locale (importatore di riferimento)",
        "bulk" => "Sincronizza molte scuole in parallelo",
        "gen" => "Genera un carico di lavoro sintetico realistico",
        _ => return None,
    })
}

/// The Italian help of argument `id` of command `command`.
pub fn help_text(command: &str, id: &str) -> Option<&'static str> {
    Some(match (command, id) {
        (_, "lang") => "Lingua di messaggi e report: it (predefinita) o en",
        (_, "quiet") => "Non stampa nulla tranne gli errori",
        (_, "redact") => {
            "Sostituisce codici fiscali e nomi con pseudonimi stabili nel report e \
             nell'output del terminale (per inviarli all'assistenza di un fornitore); \
             i file della patch e review.csv mantengono i dati reali"
        }
        (_, "profile") => {
            "Profilo (TOML) che descrive il tracciato del fornitore e la corrispondenza dei codici"
        }
        (_, "encoding") => {
            "Codifica dei file CSV in ingresso (auto, utf-8, windows-1252, iso-8859-1…)"
        }
        ("check", "file") => "Export SIDI: frequenze.xml, lo zip dei file CSV o uno zip dell'XML",
        ("check", "format") => "Formato dell'output: text (predefinito) o json",
        ("cf", "codes") => "Codici da verificare; `-` o nessuno: uno per riga dallo standard input",
        ("cf", "format") => "Formato dell'output: text (predefinito) o jsonl",
        ("sync", "sidi") => "Export SIDI (forma XML o CSV, semplice o zippato)",
        (_, "local") => "Export locale alunni_locali.csv",
        (_, "local_classes") => "Classi locali classi_locali.csv (facoltativo)",
        ("sync", "decisions") => {
            "review.csv con le decisioni (ACCETTA / RIFIUTA) di un'esecuzione precedente"
        }
        ("sync", "out") => "Cartella di output del pacchetto di modifiche",
        ("sync", "zip") => "Scrive anche il pacchetto come un unico zip",
        ("apply", "patch") => "patch.jsonl di un pacchetto",
        ("apply", "out") => {
            "Cartella di output per alunni_locali.csv e classi_locali.csv aggiornati"
        }
        ("bulk", "sidi_dir") => "Cartella con un export SIDI per scuola",
        ("bulk", "local_dir") => {
            "Cartella con una sottocartella per codice scuola, contenente alunni_locali.csv"
        }
        ("bulk", "out") => {
            "Cartella di output: un pacchetto per scuola più summary.csv e summary.html"
        }
        ("bulk", "zip") => "Scrive anche package.zip nel pacchetto di ogni scuola",
        (_, "jobs") => "Lavori in parallelo (predefinito: numero di core)",
        ("gen", "out") => "Cartella di output (riceve sidi/ e locale/)",
        ("gen", "schools") => {
            "Numero di scuole (un campione deterministico dell'anagrafe nazionale)"
        }
        ("gen", "national") => "Tutte le scuole dell'anagrafe nazionale",
        ("gen", "scale") => {
            "Quota degli alunni di ogni scuola da tenere, almeno uno per plesso \
             (predefinito 1: dimensioni reali)"
        }
        ("gen", "seed") => "Seme casuale (predefinito 1)",
        ("gen", "drift") => {
            "Tassi di deriva, per es. fields=0.05,moves=0.03,missing=0.02,extra=0.01,\
             cf=0.01,locks=0.3,classes=0.05,faulty=0.002"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument of every command, with the command's name.
    fn arguments(cmd: &Command, out: &mut Vec<(String, String)>) {
        for a in cmd.get_arguments() {
            out.push((cmd.get_name().to_string(), a.get_id().to_string()));
        }
        for sc in cmd.get_subcommands() {
            arguments(sc, out);
        }
    }

    #[test]
    fn every_argument_and_command_has_its_italian_help() {
        let cmd = Cli::command();
        let mut all = Vec::new();
        arguments(&cmd, &mut all);
        assert!(all.len() > 30, "{all:?}");
        for (command, id) in &all {
            assert!(
                help_text(command, id).is_some(),
                "no Italian help for {command} --{id}"
            );
        }
        for sc in cmd.get_subcommands() {
            assert!(about_text(sc.get_name()).is_some(), "{}", sc.get_name());
        }
    }

    #[test]
    fn the_help_is_italian_by_default_and_english_on_request() {
        let mut it = command(Lang::It);
        it.build();
        let top = it.render_help().to_string();
        assert!(top.contains("Uso: sidisync"), "{top}");
        assert!(
            top.contains("Comandi:") && top.contains("Opzioni:"),
            "{top}"
        );
        assert!(
            top.contains("Sincronizza molte scuole in parallelo"),
            "{top}"
        );
        assert!(!top.contains("[default:"), "{top}");
        let sync = it
            .find_subcommand_mut("sync")
            .expect("sync")
            .render_help()
            .to_string();
        assert!(
            sync.contains("Cartella di output del pacchetto di modifiche"),
            "{sync}"
        );
        assert!(sync.contains("Mostra questo aiuto"), "{sync}");
        let en = command(Lang::En).render_help().to_string();
        assert!(
            en.contains("Usage: sidisync") && en.contains("Options:"),
            "{en}"
        );
    }

    #[test]
    fn the_italian_definition_parses_like_the_english_one() {
        use clap::FromArgMatches;
        let args = [
            "sidisync", "-q", "sync", "--sidi", "a", "--local", "b", "--out", "c",
        ];
        for lang in [Lang::It, Lang::En] {
            let m = command(lang).try_get_matches_from(args).expect("parses");
            let cli = Cli::from_arg_matches(&m).expect("matches");
            assert!(cli.quiet);
        }
        let e = command(Lang::It)
            .try_get_matches_from(["sidisync", "--version"])
            .expect_err("version is an early exit");
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayVersion);
    }
}
