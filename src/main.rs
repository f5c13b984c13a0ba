//! The `sidisync` command: parse arguments, resolve them into a config, call
//! the library, map the outcome to an exit status (0 done, 1 done with error
//! findings, 2 unusable input or wrong usage).

mod cli;

use clap::FromArgMatches;
use cli::args::{Cli, Command, TextJson, TextJsonl};
use cli::config;
use std::io::{BufRead, Write};
use std::process::ExitCode;

// A school's model is hundreds of thousands of small strings: mimalloc
// allocates and frees them faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ignore_file_size_signal();
    let args: Vec<_> = std::env::args_os().collect();
    let lang = cli::usage::lang_of_args(&args);
    let parsed = cli::help::command(lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            match cli::usage::localized(&e, lang) {
                Some(text) => {
                    let _ = std::io::stderr().write_all(text.as_bytes());
                    std::process::exit(2)
                }
                // help and version on stdout (0), the rest on stderr (2)
                None => e.exit(),
            }
        }
    };
    let g = config::global(&cli);
    let code = match run(&cli, &g) {
        Ok(code) => code,
        Err(e) => {
            let msg = match e.downcast_ref::<sidisync::Error>() {
                Some(le) => le.localized(g.lang),
                None => format!("{e:#}"),
            };
            let _ = writeln!(
                std::io::stderr(),
                "sidisync: {}: {msg}",
                sidisync::messages::Ui::ErrorPrefix.text(g.lang)
            );
            2
        }
    };
    exit_now(code)
}

fn run(cli: &Cli, g: &config::Global) -> anyhow::Result<u8> {
    match config::command(cli) {
        Command::Check(a) => {
            let opts = config::read_options(&a.input)?;
            config::existing_file(&a.file)?;
            let report = sidisync::check::check_with(
                &a.file,
                &opts,
                &sidisync::validate::ValidateOptions::default(),
                g.lang,
                g.redact,
            )?;
            let text = match a.format {
                TextJson::Json => serde_json::to_string_pretty(&report)? + "\n",
                TextJson::Text => cli::term::paint(
                    &sidisync::check::render_text(&report, g.lang),
                    cli::term::color_stdout(),
                ),
            };
            if !g.quiet || a.format == TextJson::Json {
                print_out(&text)?;
            }
            Ok(u8::from(report.has_errors()))
        }
        Command::Cf(a) => {
            let today = sidisync::date::Date::today();
            let mut any_invalid = false;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut one = |code: &str| -> anyhow::Result<()> {
                let r = sidisync::validate::cf::explain(code, None, today, g.lang);
                any_invalid |= !r.valid;
                match a.format {
                    TextJsonl::Jsonl => writeln!(out, "{}", serde_json::to_string(&r)?)?,
                    TextJsonl::Text => {
                        write!(out, "{}", sidisync::validate::cf::render_text(&r, g.lang))?
                    }
                }
                Ok(())
            };
            if a.codes.is_empty() || a.codes.iter().any(|c| c == "-") {
                for line in std::io::stdin().lock().lines() {
                    let line = line?;
                    if !line.trim().is_empty() {
                        one(&line)?;
                    }
                }
            } else {
                for c in &a.codes {
                    one(c)?;
                }
            }
            out.flush()?;
            Ok(u8::from(any_invalid))
        }
        Command::Sync(a) => {
            let cfg = config::sync_config(a, g)?;
            let outcome = sidisync::sync::run_sync(&cfg)?;
            if !g.quiet {
                print_out(&cli::term::sync_summary(
                    &outcome,
                    g.lang,
                    cli::term::color_stdout(),
                ))?;
            }
            Ok(outcome.exit_code() as u8)
        }
        Command::Apply(a) => {
            let cfg = config::apply_config(a)?;
            let outcome = sidisync::apply::run_apply(&cfg)?;
            if !g.quiet {
                print_out(&cli::term::apply_summary(&outcome, g.lang))?;
            }
            Ok(0)
        }
        Command::Bulk(a) => {
            let cfg = config::bulk_config(a, g)?;
            let bar = cli::progress::BulkBar::new(g.quiet, g.lang);
            let outcome = match &bar {
                Some(b) => sidisync::bulk::run_bulk_with_progress(&cfg, &|p| b.update(p)),
                None => sidisync::bulk::run_bulk(&cfg),
            };
            if let Some(b) = &bar {
                b.finish();
            }
            let outcome = outcome?;
            if !g.quiet {
                print_out(&cli::term::bulk_summary(
                    &outcome,
                    g.lang,
                    cli::term::color_stdout(),
                ))?;
            }
            Ok(outcome.exit_code() as u8)
        }
        Command::Gen(a) => {
            let cfg = config::gen_config(a)?;
            let outcome = sidisync::gen::run_gen(&cfg)?;
            if !g.quiet {
                print_out(&cli::term::gen_summary(&outcome, &cfg.out, g.lang))?;
            }
            Ok(0)
        }
    }
}

fn print_out(text: &str) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|_| o.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// With a file-size limit (`ulimit -f`), writing past it raises SIGXFSZ,
/// whose default action kills the process. Ignored, the write fails with
/// EFBIG instead: the error is reported (exit 2) and the earlier output is
/// left intact, as for a full disk.
#[cfg(target_os = "linux")]
fn ignore_file_size_signal() {
    unsafe extern "C" {
        fn signal(signum: std::os::raw::c_int, handler: usize) -> usize;
    }
    const SIGXFSZ: std::os::raw::c_int = 25;
    const SIG_IGN: usize = 1;
    // SAFETY: installs the "ignore" disposition; no handler code runs.
    unsafe {
        signal(SIGXFSZ, SIG_IGN);
    }
}

#[cfg(not(target_os = "linux"))]
fn ignore_file_size_signal() {}

/// Ends the process with `code` once stdout is flushed, without the
/// allocator's exit-time collection: mimalloc walks and purges every page
/// of a sync's model (100 MB and more) in an `atexit` handler, work the
/// kernel then repeats when it unmaps the process. Everything the command
/// wrote is closed (and synced) by then; no handler of this program's own
/// needs to run. A coverage build keeps the normal exit, whose handler
/// writes the profile.
#[cfg(all(target_os = "linux", not(coverage)))]
fn exit_now(code: u8) -> ExitCode {
    unsafe extern "C" {
        fn _exit(status: std::os::raw::c_int) -> !;
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` ends the process; nothing runs after it.
    unsafe { _exit(std::os::raw::c_int::from(code)) }
}

#[cfg(not(all(target_os = "linux", not(coverage))))]
fn exit_now(code: u8) -> ExitCode {
    ExitCode::from(code)
}
