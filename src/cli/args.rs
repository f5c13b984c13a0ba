//! Raw command-line arguments (clap derive). Nothing here is validated
//! beyond what clap parses: [`super::config`] turns these into a config.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "sidisync",
    version,
    about = "Allinea il database locale della scuola con l'Anagrafe Nazionale Studenti (SIDI).\nAligns a school's local database with the SIDI national student registry.",
    propagate_version = true
)]
pub struct Cli {
    /// Language of messages and reports: it (default) or en.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::It)]
    pub lang: LangArg,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Replace codici fiscali and names by stable pseudonyms in the report
    /// and the terminal output (to send them to a vendor's support); patch
    /// files and review.csv keep the real data.
    #[arg(long, global = true)]
    pub redact: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum LangArg {
    It,
    En,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum TextJson {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum TextJsonl {
    Text,
    Jsonl,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read a SIDI export and report what was read and what is wrong.
    Check(CheckArgs),
    /// Validate and decode codici fiscali.
    Cf(CfArgs),
    /// Compare a SIDI export with the local export and write a patch package.
    Sync(SyncArgs),
    /// Apply a patch to a local export (reference importer).
    Apply(ApplyArgs),
    /// Sync many schools in parallel.
    Bulk(BulkArgs),
    /// Generate a realistic synthetic workload.
    Gen(GenArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Profile (TOML) describing the vendor layout and code mapping.
    #[arg(long, value_name = "P")]
    pub profile: Option<PathBuf>,
    /// Encoding of CSV inputs (auto, utf-8, windows-1252, iso-8859-1…).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// SIDI export: frequenze.xml, a CSV file set zip, or a zip of the XML.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
}

#[derive(Args, Debug)]
pub struct CfArgs {
    /// Codes to check; `-` or none reads one code per line from standard input.
    pub codes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextJsonl::Text)]
    pub format: TextJsonl,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// SIDI export (XML or CSV form, plain or zipped).
    #[arg(long, value_name = "FILE")]
    pub sidi: PathBuf,
    /// Local export alunni_locali.csv.
    #[arg(long, value_name = "FILE")]
    pub local: PathBuf,
    /// Local classes classi_locali.csv (optional).
    #[arg(long, value_name = "FILE")]
    pub local_classes: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// review.csv with decisions (ACCETTA / RIFIUTA) from an earlier run.
    #[arg(long, value_name = "review.csv")]
    pub decisions: Option<PathBuf>,
    /// Output folder of the patch package.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write the package as one zip.
    #[arg(long)]
    pub zip: bool,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// Local export alunni_locali.csv.
    #[arg(long, value_name = "FILE")]
    pub local: PathBuf,
    /// Local classes classi_locali.csv (optional).
    #[arg(long, value_name = "FILE")]
    pub local_classes: Option<PathBuf>,
    /// patch.jsonl of a package.
    #[arg(long, value_name = "DIR/patch.jsonl")]
    pub patch: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder for the updated alunni_locali.csv and classi_locali.csv.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct BulkArgs {
    /// Folder with one SIDI export per school.
    #[arg(long, value_name = "DIR")]
    pub sidi_dir: PathBuf,
    /// Folder with one sub-folder per school code holding alunni_locali.csv.
    #[arg(long, value_name = "DIR")]
    pub local_dir: PathBuf,
    /// Output folder: one package per school plus summary.csv and summary.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Parallel jobs (default: number of cores).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write package.zip in every school's package.
    #[arg(long)]
    pub zip: bool,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Output folder (gets sidi/ and locale/).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of schools (a deterministic sample of the national registry).
    #[arg(long, value_name = "N", conflicts_with = "national")]
    pub schools: Option<usize>,
    /// Every school of the national registry.
    #[arg(long)]
    pub national: bool,
    /// Share of each school's pupils to keep, at least one per plesso (default 1: real sizes).
    #[arg(long, value_name = "F")]
    pub scale: Option<f64>,
    /// Random seed.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Drift rates, e.g. fields=0.05,moves=0.03,missing=0.02,extra=0.01,cf=0.01,locks=0.3,classes=0.05,faulty=0.002
    #[arg(long, value_name = "RATES")]
    pub drift: Option<String>,
    /// Parallel jobs (default: number of cores).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
}
