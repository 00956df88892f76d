//! The `ironclad` command line: parses flags, calls the front-door library, renders its typed
//! reports, and maps outcomes to exit codes.
//!
//! Exit codes: 0 success (warnings allowed unless `--deny-warnings`), 1 the input has errors
//! (or verification failed, or a run was interrupted), 2 the command line is wrong.

mod commands;
mod output;
mod serve;
mod slurm;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "ironclad", version, about = "Security guarantees as code: specify, check and compare frameworks.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour: auto (on a terminal), always or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// The output format: the same values on every command.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    /// For reading: tables, trees and rustc-style diagnostics.
    #[value(alias = "human", alias = "table")]
    Text,
    /// As text, with one line per diagnostic: `file:line:col: severity[code]: message`.
    Short,
    /// JSON for tools, with `schema_version` (schemas: `ironclad schema --output COMMAND`).
    Json,
    /// CSV, one row per figure (per diagnostic, obligation or coverage cell).
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// Check spec files: syntax, names, types, units, evidence, and lints.
    Check {
        /// Spec files to check.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when there are warnings, as when there are errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Summarise a spec: the parties × domains coverage, conditions, red lines, variants and gaps.
    Show {
        spec: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The same as `--format json` (kept for scripts written before `--format`).
        #[arg(long, hide = true)]
        json: bool,
    },
    /// Who must do what, and when, on a scenario timeline — with `--explain` and `--why-not`.
    Obligations {
        spec: PathBuf,
        /// The scenario file (a timeline of events).
        #[arg(long)]
        scenario: PathBuf,
        /// The day to report at (a day number, or a date if the scenario has a start); default: the last event.
        #[arg(long, allow_hyphen_values = true)]
        at: Option<String>,
        /// Choose a variant option, as VARIANT=OPTION (repeatable, once per variant); default: each variant's heaviest option.
        #[arg(long = "variant")]
        variants: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Print the derivation of each obligation: clause, triggering event, conditions, decision, evidence.
        #[arg(long)]
        explain: bool,
        /// For PARTY (optionally in DOMAIN), say for each commitment which test failed.
        #[arg(long, value_name = "PARTY[:DOMAIN]")]
        why_not: Option<String>,
    },
    /// Monte Carlo credibility: P(adequate response) per domain and horizon, P(deterred), escalation risk.
    Simulate(commands::SimulateArgs),
    /// Merge the state files of sharded runs (`simulate --shard K/N --state-out FILE`) into the
    /// report of the unsharded run, bit for bit.
    Merge {
        #[arg(required = true)]
        states: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the report to this file (whole or not at all) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run a simulation or an analysis as a Slurm job array of shards and a dependent merge job.
    Slurm {
        #[command(subcommand)]
        command: SlurmCommand,
    },
    /// Hold the model's honour priors against recorded outcomes of tested guarantees (history/).
    Backtest {
        /// The directory of cases: one folder per case with a case.toml.
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The seed of the bootstrap over cases.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Bootstrap resamples, 100 to 1000000 (default 2000).
        #[arg(long)]
        runs: Option<u64>,
    },
    /// Shapley values of the guarantors for a metric, leave-one-out losses and interactions.
    Attribute(commands::AttributeArgs),
    /// Which uncertain parameter moves a metric most: Sobol' indices (with bootstrap intervals) or Morris screening.
    Sensitivity(commands::SensitivityArgs),
    /// Scenario discovery: the conditions under which the guarantee fails, as PRIM boxes with coverage and density.
    Discover(commands::DiscoverArgs),
    /// Voting power of a decision body: Shapley–Shubik and Banzhaf indices, blockers, dummies.
    Power {
        spec: PathBuf,
        /// The body's id (see `ironclad show`).
        #[arg(long)]
        body: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The same metrics for several frameworks on the same attacks with the same random numbers:
    /// paired differences against the first, and each framework's pivotal clause.
    Compare(commands::CompareArgs),
    /// One self-contained HTML report (or Markdown with SVG files): coverage, obligations
    /// timelines, simulation, variant options, attribution, sensitivity, comparison and every
    /// clause with its evidence.
    Report(commands::ReportArgs),
    /// Code frameworks as political scientists do: ATOP variables and Benson's typology, each with its rule and clauses.
    /// Against the published ATOP 4.01 rows of NATO, ANZUS and US–Japan, 32 of 48 alliance-level
    /// values agree; every difference is explained in docs/coding.md.
    Code {
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// The coding scheme: atop.
        #[arg(long, default_value = "atop")]
        scheme: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Serve the JSON API and the what-if workbench page (docs/server.md).
    Serve(serve::ServeArgs),
    /// Print a JSON Schema: of spec files (default), or of a command's JSON output.
    Schema {
        /// The command whose `--format json` output to describe: check, show, obligations, simulate, sources, backtest, power, attribute, sensitivity, discover, code, compare.
        #[arg(long, value_name = "COMMAND")]
        output: Option<String>,
    },
    /// Work with the sources that evidence quotes come from.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
}

#[derive(Subcommand)]
enum SlurmCommand {
    /// Write (and, without --dry-run, submit with sbatch) the shard array and the merge job.
    Simulate(slurm::SlurmArgs),
    /// The same for `sensitivity`: `slurm sensitivity --tasks N [--dir D] -- SPEC [ARGS]`.
    Sensitivity(slurm::SlurmAnalysisArgs),
    /// The same for `attribute`: `slurm attribute --tasks N [--dir D] -- SPEC [ARGS]`.
    Attribute(slurm::SlurmAnalysisArgs),
}

#[derive(Subcommand)]
enum SourcesCommand {
    /// Check that every evidence quote occurs verbatim in its source file.
    Verify {
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Directories holding the source files (repeatable). Default: $IRONCLAD_SOURCES.
        #[arg(long = "sources", env = "IRONCLAD_SOURCES", value_delimiter = ':', required = true)]
        sources: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_on_closed_pipe();
    }
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none(),
    };
    let outcome = match cli.command {
        Command::Check { specs, format, deny_warnings } => commands::check(&specs, format, deny_warnings, color),
        Command::Show { spec, format, json } => commands::show(&spec, if json { Format::Json } else { format }, color),
        Command::Obligations { spec, scenario, at, variants, format, explain, why_not } => {
            let request = ironclad::obligations::Request { at, variants, explain, why_not };
            commands::obligations(&spec, &scenario, &request, format, color)
        }
        Command::Simulate(args) => commands::simulate(&args, color),
        Command::Merge { states, format, output } => commands::merge(&states, format, output.as_deref()),
        Command::Slurm { command: SlurmCommand::Simulate(args) } => slurm::simulate(&args, color),
        Command::Slurm { command: SlurmCommand::Sensitivity(args) } => slurm::analysis("sensitivity", &args),
        Command::Slurm { command: SlurmCommand::Attribute(args) } => slurm::analysis("attribute", &args),
        Command::Backtest { dir, format, seed, runs } => {
            commands::backtest(&dir, &ironclad::backtest::Request { seed, resamples: runs }, format, color)
        }
        Command::Attribute(args) => commands::attribute(&args, color),
        Command::Sensitivity(args) => commands::sensitivity(&args, color),
        Command::Discover(args) => commands::discover(&args, color),
        Command::Power { spec, body, format } => commands::power(&spec, &body, format, color),
        Command::Compare(args) => commands::compare(&args, color),
        Command::Report(args) => commands::report(&args, color),
        Command::Code { specs, scheme, format } => commands::code(&specs, &scheme, format, color),
        Command::Serve(args) => serve::serve(&args),
        Command::Schema { output } => commands::schema(output.as_deref()),
        Command::Sources { command: SourcesCommand::Verify { specs, sources, format } } => {
            commands::verify(&specs, &sources, format, color)
        }
    };
    ExitCode::from(outcome)
}

/// Gives SIGPIPE back its default action, as in every Unix filter: when the reader of our output
/// goes away (`ironclad code … | head -1`), the process ends at once, quietly, with the signal's
/// status (141 in a shell), instead of the Rust runtime's "failed printing to stdout" panic.
/// Not for `serve`, whose sockets must survive a client that disconnects. Files are written to a
/// temporary beside their target and renamed on success, so an ending here loses nothing.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at the start of `main`, before any thread is spawned; `signal` with
    // SIG_DFL installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
