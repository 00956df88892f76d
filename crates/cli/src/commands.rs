//! One function per subcommand: read the files, call the front door, render, return the exit code.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ironclad::render::{csv, json, text};
use ironclad::sim::Record;
use ironclad::simulate::Request;
use ironclad::{Error, FileId, Files, Session};

use crate::Format;
use crate::output::atomic;
use crate::output::parquet::RecordWriter;

/// Exit codes, as documented in the README and `ironclad --help`.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Most `--threads`: far more than any machine's cores, few enough that starting them is quick
/// (each is a stack of its own).
pub const MAX_THREADS: usize = 1024;

/// `--threads N`: 1 to [`MAX_THREADS`], checked by clap (a usage error, exit 2).
pub fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Ok(_) => Err(format!("takes 1 to {MAX_THREADS} threads")),
        Err(err) => Err(err.to_string()),
    }
}

/// The worker pool of `--threads` (default: one per core).
fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, u8> {
    rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build().map_err(|err| {
        eprintln!("error: cannot start threads: {err}");
        EXIT_ERRORS
    })
}

/// Checks every output path of a command (flag, path) before the work; on failure prints why
/// and returns the exit code.
fn check_targets(targets: &[(&str, Option<&Path>)]) -> Result<(), u8> {
    for (flag, path) in targets {
        if let Some(path) = path {
            match crate::output::check_target(flag, path) {
                Ok(()) => {}
                Err(crate::output::BadTarget::NotAFile(msg)) => {
                    eprintln!("error: {msg}");
                    return Err(EXIT_USAGE);
                }
                Err(crate::output::BadTarget::Unwritable(msg)) => {
                    eprintln!("error: {msg}");
                    return Err(EXIT_ERRORS);
                }
            }
        }
    }
    Ok(())
}

fn style(format: Format, color: bool) -> text::DiagnosticStyle {
    text::DiagnosticStyle { color, short: format == Format::Short }
}

/// A report in `format`: JSON through serde, CSV and text through the report's renderers.
fn render<T: ironclad::render::Serialize>(
    format: Format,
    report: &T,
    csv: fn(&T) -> String,
    text: fn(&T) -> String,
) -> String {
    match format {
        Format::Json => json::to_string(report),
        Format::Csv => csv(report),
        Format::Text | Format::Short => text(report),
    }
}

/// The scenario to run: the one given, or the framework's own (`scenario` in [framework],
/// relative to the spec file).
fn scenario_path(spec_path: &Path, given: Option<&Path>, spec: &ironclad::spec::Spec) -> Option<PathBuf> {
    match (given, &spec.framework.scenario) {
        (Some(path), _) => Some(path.to_path_buf()),
        (None, Some(relative)) => Some(spec_path.parent().unwrap_or(Path::new(".")).join(relative)),
        (None, None) => None,
    }
}

/// A spec and the scenario to run it on (`--scenario`, or the spec's default), both valid.
pub(crate) struct Inputs {
    pub(crate) spec_id: ironclad::FileId,
    pub(crate) scenario_id: ironclad::FileId,
    pub(crate) spec: ironclad::spec::Spec,
    pub(crate) scenario: ironclad::spec::scenario::Scenario,
}

/// Reads and checks a spec and its scenario into `files`; on failure, prints why and returns
/// the exit code.
pub(crate) fn load_inputs(
    files: &mut Files,
    spec_path: &Path,
    given: Option<&Path>,
    command: &str,
    color: bool,
) -> Result<Inputs, u8> {
    let spec_id = files.read(spec_path);
    let spec = match files.spec(spec_id).valid() {
        Ok(spec) => spec.clone(),
        Err(err) => return Err(fail(files, err, command, files.name(spec_id), color)),
    };
    let Some(scenario_path) = scenario_path(spec_path, given, &spec) else {
        eprintln!("error: {} names no default scenario; give one with --scenario FILE", files.name(spec_id));
        return Err(EXIT_USAGE);
    };
    let scenario_id = files.read(&scenario_path);
    let scenario = match files.scenario_with_warnings(scenario_id, &spec) {
        Ok((s, warnings)) => {
            warn(files, &warnings, color);
            s
        }
        Err(err) => return Err(fail(files, err, command, "the scenario", color)),
    };
    Ok(Inputs { spec_id, scenario_id, spec, scenario })
}

/// Prints a scenario's warnings (the run goes on).
fn warn(files: &Files, warnings: &[ironclad::FileDiagnostic], color: bool) {
    if !warnings.is_empty() {
        eprint!("{}", text::diagnostics(files, warnings, style(Format::Text, color)));
    }
}

/// Prints why a command failed and returns its exit code.
pub(crate) fn fail(files: &Files, err: Error, command: &str, what: &str, color: bool) -> u8 {
    match err {
        Error::Invalid(diagnostics) => {
            eprint!("{}", text::diagnostics(files, &diagnostics, style(Format::Text, color)));
            if what == "the scenario" {
                eprintln!("{command}: the scenario has errors");
            } else {
                eprintln!("{command}: {what} has errors; run `ironclad check` on it");
            }
            EXIT_ERRORS
        }
        Error::Usage(msg) => {
            eprintln!("error: {msg}");
            EXIT_USAGE
        }
        Error::Unservable(msg) => {
            eprintln!("error: {msg}");
            EXIT_ERRORS
        }
        Error::Cancelled => {
            eprintln!(
                "{command}: interrupted; no results were written (the files of --samples-out and --state-out are as they were)"
            );
            EXIT_ERRORS
        }
    }
}

pub fn check(paths: &[PathBuf], format: Format, deny_warnings: bool, color: bool) -> u8 {
    let mut files = Files::new();
    let ids: Vec<FileId> = paths.iter().map(|p| files.read(p)).collect();
    let report = ironclad::check::check(&files, &ids, deny_warnings);
    match format {
        Format::Json => print!("{}", json::to_string(&report)),
        Format::Csv => print!("{}", csv::check(&report)),
        Format::Text | Format::Short => {
            let all: Vec<_> = report.files.iter().flat_map(|f| f.raw.iter().cloned()).collect();
            eprint!("{}", text::diagnostics(&files, &all, style(format, color)));
            eprint!("{}", text::check_summary(&report));
        }
    }
    if report.ok { EXIT_OK } else { EXIT_ERRORS }
}

pub fn show(path: &Path, format: Format, color: bool) -> u8 {
    let mut files = Files::new();
    let id = files.read(path);
    let loaded = files.spec(id);
    let spec = match loaded.valid() {
        Ok(spec) => spec,
        Err(err) => return fail(&files, err, "show", files.name(id), color),
    };
    let report = ironclad::show::show(spec);
    print!("{}", render(format, &report, csv::show, text::show));
    EXIT_OK
}

pub fn obligations(
    spec_path: &Path,
    scenario_path: &Path,
    request: &ironclad::obligations::Request,
    format: Format,
    color: bool,
) -> u8 {
    let mut files = Files::new();
    let spec_id = files.read(spec_path);
    let loaded = files.spec(spec_id);
    let spec = match loaded.valid() {
        Ok(spec) => spec,
        Err(err) => return fail(&files, err, "obligations", files.name(spec_id), color),
    };
    let scenario_id = files.read(scenario_path);
    let scenario = match files.scenario_with_warnings(scenario_id, spec) {
        Ok((s, warnings)) => {
            warn(&files, &warnings, color);
            s
        }
        Err(err) => return fail(&files, err, "obligations", "the scenario", color),
    };
    let report = ironclad::obligations::obligations(
        spec,
        files.name(spec_id),
        files.text(spec_id),
        &scenario,
        files.name(scenario_id),
        request,
    );
    match report {
        Ok(report) => {
            print!("{}", render(format, &report, csv::obligations, text::obligations));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "obligations", "the input", color),
    }
}

/// The flags of `simulate`.
#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The framework spec file.
    pub spec: PathBuf,
    /// The scenario; default: the framework's own (`scenario` in [framework]).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Number of runs (default 100000; with --until-ci, the most runs).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Run until every P(adequate) interval has at most this half-width (e.g. 0.005).
    #[arg(long, value_name = "HALFWIDTH")]
    pub until_ci: Option<f64>,
    /// The seed: the same seed gives bit-identical results for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// A horizon in days (repeatable, at most 63; default 7, 30, 90).
    #[arg(long = "horizon", value_name = "DAYS")]
    pub horizons: Vec<f64>,
    /// Pin a variant option, as VARIANT=OPTION (repeatable, once per variant); others are sampled by weight.
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// A party that does not take part: its obligations stand but it does not act (repeatable).
    #[arg(long = "without", value_name = "PARTY")]
    pub without: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Stream one row per run to this Parquet file (written whole or not at all).
    #[arg(long, value_name = "FILE.parquet")]
    pub samples_out: Option<PathBuf>,
    /// Run only shard K of N (1-based) of the runs, and write its exact state with --state-out.
    #[arg(long, value_name = "K/N", requires = "state_out")]
    pub shard: Option<String>,
    /// Where a shard writes its state (for `ironclad merge`).
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub state_out: Option<PathBuf>,
    /// Write the compiled model as JSON (for bench/reference_numpy.py).
    #[arg(long, value_name = "FILE.json")]
    pub export_model: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn simulate(o: &SimulateArgs, color: bool) -> u8 {
    let request = Request {
        runs: o.runs,
        until_ci: o.until_ci,
        seed: o.seed,
        horizons: o.horizons.clone(),
        variants: o.variants.clone(),
        params: None,
        absent: o.without.clone(),
        off: Vec::new(),
    };
    // Flags are checked before any file is read: a wrong command line is exit 2 whatever the files.
    if let Err(err) = ironclad::simulate::validate(&request) {
        return fail(&Files::new(), err, "simulate", "the input", color);
    }
    let shard = match o.shard.as_deref().map(ironclad::shard::Shard::parse).transpose() {
        Ok(s) => s,
        Err(err) => return fail(&Files::new(), err, "simulate", "the input", color),
    };
    if shard.is_some() && o.samples_out.is_some() {
        eprintln!("error: --samples-out cannot be combined with --shard");
        return EXIT_USAGE;
    }
    if let Some(shard) = shard
        && let Err(err) = ironclad::simulate::validate_shard(&request, shard)
    {
        return fail(&Files::new(), err, "simulate", "the input", color);
    }
    if let Err(code) = check_targets(&[
        ("--samples-out", o.samples_out.as_deref()),
        ("--state-out", o.state_out.as_deref()),
        ("--export-model", o.export_model.as_deref()),
    ]) {
        return code;
    }
    let mut files = Files::new();
    let Inputs { spec_id, scenario_id, spec, scenario } =
        match load_inputs(&mut files, &o.spec, o.scenario.as_deref(), "simulate", color) {
            Ok(inputs) => inputs,
            Err(code) => return code,
        };
    let spec = &spec;
    let session = Session::new();
    let prepared =
        session.structure(files.text(spec_id), files.text(scenario_id), spec, &scenario).and_then(|structure| {
            let model = ironclad::simulate::model(&structure, spec, &request)?;
            let part = ironclad::simulate::participation(spec, &model, &request)?;
            Ok((model, part))
        });
    let (model, part) = match prepared {
        Ok(x) => x,
        Err(err) => return fail(&files, err, "simulate", "the input", color),
    };
    let pool = match pool(o.threads) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::Relaxed));
    }
    // Written only once every flag has been checked: a wrong command line writes nothing.
    if let Some(path) = &o.export_model {
        let text = serde_json::to_string_pretty(&model).unwrap_or_default();
        if let Err(err) = atomic::write(path, text.as_bytes()) {
            eprintln!("error: cannot write {}: {err}", path.display());
            return EXIT_ERRORS;
        }
    }
    if let (Some(shard), Some(state_out)) = (shard, &o.state_out) {
        let result =
            pool.install(|| ironclad::simulate::run_shard(&model, &part, &request, shard, &|_| {}, Some(&cancel)));
        let (acc, runs) = match result {
            Ok(x) => x,
            Err(err) => return fail(&files, err, "simulate", "the input", color),
        };
        let state = ironclad::shard::state(&files, spec_id, scenario_id, &request, runs, shard, acc);
        if let Err(err) = atomic::write(state_out, &state.to_bytes()) {
            eprintln!("error: cannot write {}: {err}", state_out.display());
            return EXIT_ERRORS;
        }
        eprintln!(
            "shard {}/{}: runs {}..{} of {}, state in {}",
            shard.index + 1,
            shard.count,
            state.start,
            state.end,
            runs,
            state_out.display()
        );
        return EXIT_OK;
    }
    let mut writer = match &o.samples_out {
        Some(path) => match RecordWriter::create(path, &model) {
            Ok(w) => Some(w),
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                return EXIT_ERRORS;
            }
        },
        None => None,
    };
    // Ctrl-C (or SIGTERM) cancels between chunks (`cancel`, above), so output files are never
    // left half-written.
    let show_progress = !o.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = show_progress.then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bar:40} {human_pos}/{human_len} runs  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: u64, planned: u64| {
        if let Some(bar) = &bar {
            bar.set_length(planned);
            bar.set_position(done);
        }
    };
    let started = std::time::Instant::now();
    let recording = o.samples_out.is_some();
    let result = pool.install(|| {
        let mut sink = |records: Vec<Record>| {
            if let Some(w) = writer.as_mut() {
                w.write(&records);
            }
        };
        let sink_ref: Option<&mut dyn FnMut(Vec<Record>)> = if recording { Some(&mut sink) } else { None };
        ironclad::simulate::run(&model, &part, &request, &progress, Some(&cancel), sink_ref)
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok((_, summary)) => summary,
        // The writer is dropped unfinished: its temporary file goes, the target stays as it was.
        Err(err) => return fail(&files, err, "simulate", "the input", color),
    };
    if let Some(w) = writer
        && let Err(err) = w.finish()
    {
        eprintln!("error: writing the samples failed: {err}");
        return EXIT_ERRORS;
    }
    let report = ironclad::simulate::report(summary, &request, Some(started.elapsed().as_secs_f64()));
    print!("{}", render(o.format, &report, csv::simulate, text::simulate));
    EXIT_OK
}

pub fn merge(paths: &[PathBuf], format: Format, output: Option<&Path>) -> u8 {
    if let Err(code) = check_targets(&[("--output", output)]) {
        return code;
    }
    let mut states = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(err) => {
                eprintln!("error: cannot read {name}: {err}");
                return EXIT_ERRORS;
            }
        };
        match ironclad::shard::read(&name, &bytes) {
            Ok(s) => states.push((name, s)),
            Err(err) => return fail(&Files::new(), err, "merge", "a state file", false),
        }
    }
    let rendered = ironclad::shard::merge_any(states).map(|merged| match merged {
        ironclad::shard::Merged::Simulate(r) => render(format, &r, csv::simulate, text::simulate),
        ironclad::shard::Merged::Sensitivity(r) => render(format, &r, csv::sensitivity, text::sensitivity),
        ironclad::shard::Merged::Attribute(r) => render(format, &r, csv::attribute, text::attribute),
    });
    match rendered {
        Ok(rendered) => {
            match output {
                None => print!("{rendered}"),
                Some(path) => {
                    if let Err(err) = atomic::write(path, rendered.as_bytes()) {
                        eprintln!("error: cannot write {}: {err}", path.display());
                        return EXIT_ERRORS;
                    }
                }
            }
            EXIT_OK
        }
        Err(err) => fail(&Files::new(), err, "merge", "a state file", false),
    }
}

/// Writes a shard's state of an analysis (whole or not at all) and says which part it ran.
fn write_state(
    files: &Files,
    state: Result<ironclad::shard::AnalysisState, ironclad::Error>,
    shard: ironclad::shard::Shard,
    path: &Path,
    command: &str,
    color: bool,
) -> u8 {
    let state = match state {
        Ok(s) => s,
        Err(err) => return fail(files, err, command, "the input", color),
    };
    if let Err(err) = atomic::write(path, &state.to_bytes()) {
        eprintln!("error: cannot write {}: {err}", path.display());
        return EXIT_ERRORS;
    }
    let spans: Vec<String> =
        state.spans.iter().map(|s| format!("{} {}..{} of {}", s.unit, s.start, s.end, s.total)).collect();
    eprintln!("shard {}/{}: {}, state in {}", shard.index + 1, shard.count, spans.join(", "), path.display());
    EXIT_OK
}

pub fn backtest(dir: &Path, request: &ironclad::backtest::Request, format: Format, color: bool) -> u8 {
    let mut files = Files::new();
    match ironclad::backtest::backtest(&mut files, dir, request) {
        Ok(report) => {
            print!("{}", render(format, &report, csv::backtest, text::backtest));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "backtest", "a case's framework or scenario", color),
    }
}

/// The flags of `attribute`.
#[derive(clap::Args)]
pub struct AttributeArgs {
    /// The framework spec file.
    pub spec: PathBuf,
    /// The scenario; default: the framework's own.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// adequate (every need), adequate:DOMAIN, credibility, deterred (exact, ≤ 20 players), or
    /// delivered:DOMAIN (mean amount delivered, in the need's unit).
    #[arg(long, default_value = "adequate")]
    pub metric: String,
    /// The horizon of the adequate and delivered metrics, in days (refused with credibility and
    /// deterred, which are read at the deterrence horizon).
    #[arg(long, value_name = "DAYS")]
    pub horizon: Option<f64>,
    /// Exact values over all coalitions (at most 20 players; the default when there are so few).
    #[arg(long, conflicts_with = "precision")]
    pub exact: bool,
    /// Sample (antithetic permutations) to this 95 % half-width; the default above 20 players, at 0.005.
    #[arg(long)]
    pub precision: Option<f64>,
    /// Runs (default 10000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// The seed: the same seed gives bit-identical results for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Pin a variant option, as VARIANT=OPTION (repeatable, once per variant).
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Most sampling units of the sampled method (default 2000000); required to shard it.
    #[arg(long, value_name = "UNITS")]
    pub max_units: Option<usize>,
    /// Run only shard K of N (1-based) of the work, and write its exact state with --state-out
    /// (`ironclad merge` gives the unsharded report).
    #[arg(long, value_name = "K/N", requires = "state_out")]
    pub shard: Option<String>,
    /// Where a shard writes its state (for `ironclad merge`).
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub state_out: Option<PathBuf>,
}

pub fn attribute(o: &AttributeArgs, color: bool) -> u8 {
    if let Err(code) = check_targets(&[("--state-out", o.state_out.as_deref())]) {
        return code;
    }
    let mut files = Files::new();
    let Inputs { spec_id, scenario_id, spec, scenario } =
        match load_inputs(&mut files, &o.spec, o.scenario.as_deref(), "attribute", color) {
            Ok(inputs) => inputs,
            Err(code) => return code,
        };
    let spec = &spec;
    let request = ironclad::attribute::Request {
        metric: o.metric.clone(),
        horizon: o.horizon,
        exact: o.exact,
        precision: o.precision,
        runs: o.runs,
        seed: o.seed,
        variants: o.variants.clone(),
        max_units: o.max_units,
    };
    let shard = match o.shard.as_deref().map(ironclad::shard::Shard::parse).transpose() {
        Ok(s) => s,
        Err(err) => return fail(&files, err, "attribute", "the input", color),
    };
    let pool = match pool(o.threads) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    let session = Session::new();
    let structure = session.structure(files.text(spec_id), files.text(scenario_id), spec, &scenario);
    if let (Some(shard), Some(path)) = (shard, &o.state_out) {
        let state = structure.and_then(|structure| {
            let model = ironclad::attribute::model(&structure, spec, &request)?;
            pool.install(|| {
                ironclad::shard::attribute_state(&files, spec_id, scenario_id, spec, &model, &request, shard)
            })
        });
        return write_state(&files, state, shard, path, "attribute", color);
    }
    let result = structure.and_then(|structure| {
        let model = ironclad::attribute::model(&structure, spec, &request)?;
        pool.install(|| ironclad::attribute::attribute(spec, &model, &request))
    });
    match result {
        Ok(report) => {
            print!("{}", render(o.format, &report, csv::attribute, text::attribute));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "attribute", "the input", color),
    }
}

/// `--method` of `sensitivity`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SensitivityMethod {
    Sobol,
    Morris,
}

/// The flags of `sensitivity`.
#[derive(clap::Args)]
pub struct SensitivityArgs {
    /// The framework spec file.
    pub spec: PathBuf,
    /// The scenario; default: the framework's own.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// sobol (first-order and total indices) or morris (screening: μ*, σ).
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Sobol)]
    pub method: SensitivityMethod,
    /// Rows of the Saltelli design (default 256, a power of two), or Morris trajectories (default 20).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Runs per point, the same at every point (default 1000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// adequate (every need), adequate:DOMAIN, credibility or deterred.
    #[arg(long, default_value = "adequate")]
    pub metric: String,
    /// The horizon of the adequate metrics, in days (refused with credibility and deterred, which
    /// are read at the deterrence horizon).
    #[arg(long, value_name = "DAYS")]
    pub horizon: Option<f64>,
    /// The seed: the same seed gives bit-identical results for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Pin a variant option, as VARIANT=OPTION (repeatable, once per variant).
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Run only shard K of N (1-based) of the work, and write its exact state with --state-out
    /// (`ironclad merge` gives the unsharded report).
    #[arg(long, value_name = "K/N", requires = "state_out")]
    pub shard: Option<String>,
    /// Where a shard writes its state (for `ironclad merge`).
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub state_out: Option<PathBuf>,
}

pub fn sensitivity(o: &SensitivityArgs, color: bool) -> u8 {
    if let Err(code) = check_targets(&[("--state-out", o.state_out.as_deref())]) {
        return code;
    }
    let mut files = Files::new();
    let Inputs { spec_id, scenario_id, spec, scenario } =
        match load_inputs(&mut files, &o.spec, o.scenario.as_deref(), "sensitivity", color) {
            Ok(inputs) => inputs,
            Err(code) => return code,
        };
    let spec = &spec;
    let request = ironclad::sensitivity::Request {
        method: match o.method {
            SensitivityMethod::Sobol => ironclad::sensitivity::Method::Sobol,
            SensitivityMethod::Morris => ironclad::sensitivity::Method::Morris,
        },
        samples: o.samples,
        runs: o.runs,
        metric: o.metric.clone(),
        horizon: o.horizon,
        seed: o.seed,
        variants: o.variants.clone(),
    };
    let shard = match o.shard.as_deref().map(ironclad::shard::Shard::parse).transpose() {
        Ok(s) => s,
        Err(err) => return fail(&files, err, "sensitivity", "the input", color),
    };
    let pool = match pool(o.threads) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    let session = Session::new();
    let structure = session.structure(files.text(spec_id), files.text(scenario_id), spec, &scenario);
    if let (Some(shard), Some(path)) = (shard, &o.state_out) {
        let state = structure.and_then(|structure| {
            pool.install(|| {
                ironclad::shard::sensitivity_state(&files, spec_id, scenario_id, &structure, spec, &request, shard)
            })
        });
        return write_state(&files, state, shard, path, "sensitivity", color);
    }
    let result =
        structure.and_then(|structure| pool.install(|| ironclad::sensitivity::sensitivity(&structure, spec, &request)));
    match result {
        Ok(report) => {
            print!("{}", render(o.format, &report, csv::sensitivity, text::sensitivity));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "sensitivity", "the input", color),
    }
}

/// The flags of `discover`.
#[derive(clap::Args)]
pub struct DiscoverArgs {
    /// The framework spec file.
    pub spec: PathBuf,
    /// The scenario; default: the framework's own.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// What fails: adequate (every need), adequate:DOMAIN, or credibility (below --threshold).
    #[arg(long, default_value = "adequate")]
    pub metric: String,
    /// The horizon of the adequate metrics, in days (refused with credibility and deterred, which
    /// are read at the deterrence horizon).
    #[arg(long, value_name = "DAYS")]
    pub horizon: Option<f64>,
    /// The credibility below which a run fails (--metric credibility; default 0.5).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Runs (default 20000): the first half fits the boxes, the second half is held out.
    #[arg(long)]
    pub runs: Option<u64>,
    /// Most boxes to find (default 3).
    #[arg(long)]
    pub boxes: Option<usize>,
    /// Also vary the spec's uncertain [model] parameters: the runs are split over parameter
    /// points (a scrambled Sobol' design), each parameter is an input, intervals are clustered
    /// by point, and the held-out half is the second half of the points.
    #[arg(long)]
    pub uncertain: bool,
    /// Parameter points with --uncertain (even, at least 4; default 64).
    #[arg(long)]
    pub points: Option<usize>,
    /// The seed: the same seed gives bit-identical results for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Pin a variant option, as VARIANT=OPTION (repeatable, once per variant); a pinned variant is no input.
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn discover(o: &DiscoverArgs, color: bool) -> u8 {
    let mut files = Files::new();
    let Inputs { spec_id, scenario_id, spec, scenario } =
        match load_inputs(&mut files, &o.spec, o.scenario.as_deref(), "discover", color) {
            Ok(inputs) => inputs,
            Err(code) => return code,
        };
    let spec = &spec;
    let request = ironclad::discover::Request {
        metric: o.metric.clone(),
        horizon: o.horizon,
        threshold: o.threshold,
        runs: o.runs,
        seed: o.seed,
        boxes: o.boxes,
        variants: o.variants.clone(),
        uncertain: o.uncertain,
        points: o.points,
    };
    let pool = match pool(o.threads) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    let session = Session::new();
    let result =
        session.structure(files.text(spec_id), files.text(scenario_id), spec, &scenario).and_then(|structure| {
            let model = ironclad::discover::model(&structure, spec, &request)?;
            pool.install(|| ironclad::discover::discover(&structure, spec, &model, &request))
        });
    match result {
        Ok(report) => {
            print!("{}", render(o.format, &report, csv::discover, text::discover));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "discover", "the input", color),
    }
}

pub fn power(path: &Path, body: &str, format: Format, color: bool) -> u8 {
    let mut files = Files::new();
    let id = files.read(path);
    let loaded = files.spec(id);
    let spec = match loaded.valid() {
        Ok(spec) => spec,
        Err(err) => return fail(&files, err, "power", files.name(id), color),
    };
    match ironclad::power::power(spec, body) {
        Ok(report) => {
            print!("{}", render(format, &report, csv::power, text::power));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "power", "the input", color),
    }
}

pub fn schema(output: Option<&str>) -> u8 {
    let value = match output {
        None => ironclad::schema::spec(),
        Some(name) => match ironclad::schema::output(name) {
            Some(v) => v,
            None => {
                eprintln!("error: no output `{name}`; outputs: {}", ironclad::schema::OUTPUTS.join(", "));
                return EXIT_USAGE;
            }
        },
    };
    print!("{}", json::to_string(&value));
    EXIT_OK
}

pub fn verify(paths: &[PathBuf], dirs: &[PathBuf], format: Format, color: bool) -> u8 {
    let mut files = Files::new();
    let ids: Vec<FileId> = paths.iter().map(|p| files.read(p)).collect();
    let report = ironclad::sources::verify(&files, &ids, dirs);
    match format {
        Format::Json => print!("{}", json::to_string(&report)),
        Format::Csv => print!("{}", csv::sources(&report)),
        Format::Text | Format::Short => {
            let all: Vec<_> = report.files.iter().flat_map(|f| f.raw.iter().cloned()).collect();
            eprint!("{}", text::diagnostics(&files, &all, style(format, color)));
            eprint!("{}", text::sources_summary(&report));
        }
    }
    if report.ok { EXIT_OK } else { EXIT_ERRORS }
}

pub fn code(paths: &[PathBuf], scheme: &str, format: Format, color: bool) -> u8 {
    // The scheme is checked before any file is read: a wrong command line is exit 2.
    if !ironclad::code::SCHEMES.contains(&scheme) {
        eprintln!("error: unknown coding scheme `{scheme}`; schemes: {}", ironclad::code::SCHEMES.join(", "));
        return EXIT_USAGE;
    }
    let mut files = Files::new();
    let ids: Vec<FileId> = paths.iter().map(|p| files.read(p)).collect();
    let loaded: Vec<_> = ids.iter().map(|id| files.spec(*id)).collect();
    let mut specs = Vec::new();
    for (id, l) in ids.iter().zip(&loaded) {
        match l.valid() {
            Ok(spec) => specs.push((files.name(*id).to_string(), spec)),
            Err(err) => return fail(&files, err, "code", files.name(*id), color),
        }
    }
    match ironclad::code::code(&specs, scheme) {
        Ok(report) => {
            print!("{}", render(format, &report, csv::code, text::code));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "code", "the input", color),
    }
}

/// The flags of `compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// The framework spec files; the first is the reference of every difference.
    #[arg(required = true)]
    pub specs: Vec<PathBuf>,
    /// A scenario (repeatable): applied to every framework that covers the names it uses.
    #[arg(long = "scenario", required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Runs (default 20000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// The seed: the same seed gives the same draws per run, for every framework, and
    /// bit-identical results for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A horizon in days (repeatable; default 7, 30, 90).
    #[arg(long = "horizon", value_name = "DAYS")]
    pub horizons: Vec<f64>,
    /// The headline metric, which each framework's pivotal clause is judged on: adequate (every
    /// need, at 30 days or the last horizon), adequate:DOMAIN, credibility or deterred.
    #[arg(long, default_value = "adequate")]
    pub metric: String,
    /// A counterfactual (repeatable): `member=PARTY@FRAMEWORK` adds PARTY as a member of the
    /// framework given with that id, or an overlay file (docs/spec-format.md, "Overlays"). Each
    /// adds one framework to the comparison.
    #[arg(long = "with", value_name = "OVERLAY")]
    pub with: Vec<String>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn compare(o: &CompareArgs, color: bool) -> u8 {
    let mut files = Files::new();
    let mut frameworks = Vec::new();
    let mut texts = Vec::new();
    for path in &o.specs {
        let id = files.read(path);
        let loaded = files.spec(id);
        match loaded.valid() {
            Ok(spec) => {
                texts.push((files.text(id).to_string(), spec.framework.id.clone()));
                frameworks.push(ironclad::compare::Framework::new(spec.clone()));
            }
            Err(err) => return fail(&files, err, "compare", files.name(id), color),
        }
    }
    for with in &o.with {
        let overlay = match ironclad::overlay::Overlay::parse_arg(with) {
            Ok(ov) => ov,
            Err(err) => return fail(&files, err, "compare", "the overlay", color),
        };
        match ironclad::overlay::apply_to(&texts, &overlay) {
            Ok(f) => {
                // A no-op overlay still gets its row (with the note), but say so now.
                if let Some(note) = &f.note {
                    eprintln!("warning: {note}");
                }
                frameworks.push(f)
            }
            Err(err) => return fail(&files, err, "compare", "the overlay", color),
        }
    }
    let mut scenarios = Vec::new();
    for path in &o.scenarios {
        match std::fs::read_to_string(path) {
            Ok(text) => scenarios.push(ironclad::compare::ScenarioText { name: path.display().to_string(), text }),
            Err(err) => {
                eprintln!("error: cannot read the scenario {}: {err}", path.display());
                return EXIT_ERRORS;
            }
        }
    }
    let request = ironclad::compare::Request {
        runs: o.runs,
        seed: o.seed,
        horizons: o.horizons.clone(),
        metric: Some(o.metric.clone()),
    };
    let pool = match pool(o.threads) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    match pool.install(|| ironclad::compare::compare(&frameworks, &scenarios, &request)) {
        Ok(report) => {
            print!("{}", render(o.format, &report, csv::compare, text::compare));
            EXIT_OK
        }
        Err(err) => fail(&files, err, "compare", "the input", color),
    }
}

/// `--format` of `report`.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum ReportFormat {
    /// One self-contained HTML file, charts as inline SVG.
    Html,
    /// Markdown, with the charts as SVG files in `NAME-files/` beside it.
    Md,
}

/// The flags of `report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The framework spec file.
    pub spec: PathBuf,
    /// A scenario (repeatable); default: the framework's own.
    #[arg(long = "scenario")]
    pub scenarios: Vec<PathBuf>,
    /// The file to write (default report.html, or report.md with --format md); written whole or
    /// not at all.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Runs of each scenario's simulation (default 20000); the analyses use fewer, in proportion
    /// (a quarter per pinned option, a fifth for the attribution, a fiftieth per design point,
    /// a half for compare), but never under 100 (50 per design point); the report says how many.
    #[arg(long)]
    pub runs: Option<u64>,
    /// The seed: the same seed gives the same report, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Another framework to compare with on the same scenarios (repeatable).
    #[arg(long = "compare", value_name = "SPEC")]
    pub compare: Vec<PathBuf>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

pub fn report(o: &ReportArgs, color: bool) -> u8 {
    if o.runs == Some(0) {
        eprintln!("error: --runs must be at least 1");
        return EXIT_USAGE;
    }
    let out = o.out.clone().unwrap_or_else(|| {
        PathBuf::from(match o.format {
            ReportFormat::Html => "report.html",
            ReportFormat::Md => "report.md",
        })
    });
    if let Err(code) = check_targets(&[("--out", Some(&out))]) {
        return code;
    }
    let mut files = Files::new();
    let spec_id = files.read(&o.spec);
    let spec = match files.spec(spec_id).valid() {
        Ok(spec) => spec.clone(),
        Err(err) => return fail(&files, err, "report", files.name(spec_id), color),
    };
    let mut paths = o.scenarios.clone();
    if paths.is_empty() {
        match scenario_path(&o.spec, None, &spec) {
            Some(p) => paths.push(p),
            None => {
                eprintln!("error: {} names no default scenario; give one with --scenario FILE", files.name(spec_id));
                return EXIT_USAGE;
            }
        }
    }
    let mut scenarios = Vec::new();
    for path in &paths {
        let id = files.read(path);
        match files.scenario(id, &spec) {
            Ok(s) => scenarios.push((id, s)),
            Err(err) => return fail(&files, err, "report", "the scenario", color),
        }
    }
    let mut others = Vec::new();
    for path in &o.compare {
        let id = files.read(path);
        match files.spec(id).valid() {
            Ok(s) => others.push(ironclad::compare::Framework::new(s.clone())),
            Err(err) => return fail(&files, err, "report", files.name(id), color),
        }
    }
    let inputs: Vec<ironclad::report::ScenarioInput<'_>> = scenarios
        .iter()
        .map(|(id, s)| ironclad::report::ScenarioInput { name: files.name(*id), text: files.text(*id), scenario: s })
        .collect();
    let request = ironclad::report::Request { runs: o.runs, seed: o.seed, ..Default::default() };
    let pool = match pool(o.threads) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    let result = pool.install(|| {
        ironclad::report::report(files.name(spec_id), files.text(spec_id), &spec, &inputs, &others, &request)
    });
    let report = match result {
        Ok(r) => r,
        Err(err) => return fail(&files, err, "report", "the input", color),
    };
    let write = |path: &Path, bytes: &[u8]| -> bool {
        match atomic::write(path, bytes) {
            Ok(()) => true,
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                false
            }
        }
    };
    match o.format {
        ReportFormat::Html => {
            if !write(&out, ironclad::render::html::report(&report).as_bytes()) {
                return EXIT_ERRORS;
            }
            eprintln!("report: wrote {}", out.display());
        }
        ReportFormat::Md => {
            let stem = out.file_stem().map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
            let dir_name = format!("{stem}-files");
            let dir = out.with_file_name(&dir_name);
            let md = ironclad::render::markdown::report(&report, &dir_name);
            if let Err(err) = std::fs::create_dir_all(&dir) {
                eprintln!("error: cannot create {}: {err}", dir.display());
                return EXIT_ERRORS;
            }
            for (name, svg) in &md.files {
                if !write(&dir.join(name), svg.as_bytes()) {
                    return EXIT_ERRORS;
                }
            }
            if !write(&out, md.text.as_bytes()) {
                return EXIT_ERRORS;
            }
            eprintln!("report: wrote {} and {} charts in {}", out.display(), md.files.len(), dir.display());
        }
    }
    EXIT_OK
}
