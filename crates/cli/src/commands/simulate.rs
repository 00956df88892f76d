//! `ironclad simulate`: Monte Carlo credibility of a framework on a scenario.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ironclad_sim::stats::{Estimate, Summary, summarise};
use ironclad_sim::{Acc, CHUNK, Record, SimModel, simulate_chunks};

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use crate::input::{load_scenario, load_valid, pinned_variants};

/// Output formats of `simulate`.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum SimFormat {
    Table,
    Json,
    Csv,
}

/// The command's options (its command-line flags).
#[derive(clap::Args)]
pub struct Options {
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
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// A horizon in days (repeatable; default 7, 30, 90).
    #[arg(long = "horizon", value_name = "DAYS")]
    pub horizons: Vec<f64>,
    /// Pin a variant option, as VARIANT=OPTION (repeatable); others are sampled by weight.
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// Output: a table for reading, JSON or CSV for tools.
    #[arg(long, value_enum, default_value_t = SimFormat::Table)]
    pub format: SimFormat,
    /// Stream one row per run to this Parquet file.
    #[arg(long, value_name = "FILE.parquet")]
    pub samples_out: Option<PathBuf>,
    /// Write the compiled model as JSON (for bench/reference_numpy.py).
    #[arg(long, value_name = "FILE.json")]
    pub export_model: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Default number of runs.
pub const DEFAULT_RUNS: u64 = 100_000;
/// Most runs `--until-ci` goes to.
pub const MAX_UNTIL_CI_RUNS: u64 = 1 << 32;

pub fn run(o: &Options, color: bool) -> u8 {
    if let Some(h) = o.until_ci
        && !(h > 0.0 && h < 0.5)
    {
        eprintln!("error: --until-ci takes a half-width in (0, 0.5), e.g. 0.005");
        return EXIT_USAGE;
    }
    if o.horizons.iter().any(|h| h.is_nan() || *h <= 0.0 || h.is_infinite()) {
        eprintln!("error: --horizon takes a positive number of days");
        return EXIT_USAGE;
    }
    if o.runs == Some(0) {
        eprintln!("error: --runs must be at least 1");
        return EXIT_USAGE;
    }
    let loaded = match load_valid(&o.spec, "simulate", color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let spec = loaded.analysis.spec.as_ref().expect("load_valid returns valid specs");
    let scenario_path = match (&o.scenario, &spec.framework.scenario) {
        (Some(path), _) => path.clone(),
        (None, Some(relative)) => o.spec.parent().unwrap_or(Path::new(".")).join(relative),
        (None, None) => {
            eprintln!("error: {} names no default scenario; give one with --scenario FILE", loaded.name);
            return EXIT_USAGE;
        }
    };
    let scenario = match load_scenario(&scenario_path, spec, "simulate", color) {
        Ok(scenario) => scenario,
        Err(code) => return code,
    };
    let fixed = match pinned_variants(spec, &o.variants) {
        Ok(fixed) => fixed,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let horizons = if o.horizons.is_empty() { vec![7.0, 30.0, 90.0] } else { o.horizons.clone() };
    let model = match SimModel::build(spec, &scenario, &horizons, &fixed) {
        Ok(model) => model,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERRORS;
        }
    };
    if let Some(path) = &o.export_model {
        let json = serde_json::to_string_pretty(&model).unwrap_or_default();
        if let Err(err) = std::fs::write(path, json) {
            eprintln!("error: cannot write {}: {err}", path.display());
            return EXIT_ERRORS;
        }
    }
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(o.threads.unwrap_or(0)).build() {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("error: cannot start threads: {err}");
            return EXIT_ERRORS;
        }
    };
    let mut writer = match &o.samples_out {
        Some(path) => match crate::output::parquet::RecordWriter::create(path, &model) {
            Ok(w) => Some(w),
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                return EXIT_ERRORS;
            }
        },
        None => None,
    };
    let show_progress = !o.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let started = std::time::Instant::now();
    let (acc, summary) = pool.install(|| run_simulation(&model, o, show_progress, writer.as_mut()));
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(w) = writer
        && let Err(err) = w.finish()
    {
        eprintln!("error: writing the samples failed: {err}");
        return EXIT_ERRORS;
    }
    let out = match o.format {
        SimFormat::Table => table(&summary, &model, elapsed),
        SimFormat::Json => serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n",
        SimFormat::Csv => csv(&summary),
    };
    print!("{out}");
    debug_assert_eq!(acc.runs, summary.runs);
    EXIT_OK
}

/// Runs the chunks, in batches when `--until-ci` asks to stop once the intervals are narrow enough.
fn run_simulation(
    model: &SimModel,
    o: &Options,
    show: bool,
    mut writer: Option<&mut crate::output::parquet::RecordWriter>,
) -> (Acc, Summary) {
    let target_runs = match o.until_ci {
        Some(_) => o.runs.unwrap_or(MAX_UNTIL_CI_RUNS),
        None => o.runs.unwrap_or(DEFAULT_RUNS),
    };
    let total_chunks = target_runs.div_ceil(CHUNK);
    let bar = show.then(|| {
        let bar = indicatif::ProgressBar::new(if o.until_ci.is_some() { 0 } else { target_runs });
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bar:40} {human_pos}/{human_len} runs  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let done = Arc::new(AtomicU64::new(0));
    let progress = |n: u64| {
        let total = done.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &bar {
            bar.set_position(total);
        }
    };
    let mut acc = Acc::new(model);
    let mut next = 0u64;
    // Batches of chunks; `--until-ci` checks the intervals between batches. The batch sizes
    // depend only on the options, so the runs done (and the result) do not depend on threads.
    let mut batch = if o.until_ci.is_some() { 16 } else { total_chunks };
    loop {
        let end = (next + batch).min(total_chunks);
        let chunks: Vec<u64> = (next..end).collect();
        let runs_so_far = (end * CHUNK).min(target_runs);
        if let Some(bar) = &bar
            && o.until_ci.is_some()
        {
            bar.set_length(runs_so_far);
        }
        let recording = writer.is_some();
        let mut sink = |records: Vec<Record>| {
            if let Some(w) = writer.as_deref_mut() {
                w.write(&records);
            }
        };
        let sink_ref: Option<&mut dyn FnMut(Vec<Record>)> = if recording { Some(&mut sink) } else { None };
        let part = simulate_chunks(
            model,
            o.seed,
            if o.until_ci.is_some() { (end * CHUNK).min(target_runs) } else { target_runs },
            &chunks,
            &progress,
            sink_ref,
        );
        acc = acc.merge(&part);
        next = end;
        let summary = summarise(model, &acc, o.seed);
        let narrow = o.until_ci.is_some_and(|h| summary.widest_half_width <= h);
        if next >= total_chunks || narrow || o.until_ci.is_none() {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return (acc, summary);
        }
        batch *= 2;
    }
}

fn est(e: &Estimate) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
}

fn amount(x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("{:.2}bn", x / 1e9)
    } else if x.abs() >= 1e6 {
        format!("{:.2}m", x / 1e6)
    } else if x.abs() >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn table(s: &Summary, model: &SimModel, elapsed: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ironclad simulate — {} on `{}`", s.framework, s.scenario);
    let _ = writeln!(
        out,
        "{} runs, seed {}, {:.2} s ({:.0} runs/s)",
        s.runs,
        s.seed,
        elapsed,
        s.runs as f64 / elapsed.max(1e-9)
    );
    for (id, options) in &s.variants {
        let shares: Vec<String> = options.iter().map(|(o, share)| format!("{o} {:.0}%", share * 100.0)).collect();
        let _ = writeln!(out, "  variant {id}: {}", shares.join(", "));
    }
    let width = 32;
    let header = |out: &mut String, title: &str| {
        let _ = write!(out, "\n{title}\n  {:<width$}", "");
        for h in &s.horizons {
            let _ = write!(out, "{:<26}", format!("{h} days"));
        }
        let _ = writeln!(out);
    };
    header(&mut out, "P(ADEQUATE RESPONSE) — share of runs in which the response meets the requirement, 95% Wilson CI");
    let _ = write!(out, "  {:<width$}", "every domain");
    for e in &s.adequate {
        let _ = write!(out, "{:<26}", est(e));
    }
    let _ = writeln!(out);
    for (d, need) in s.needs.iter().enumerate() {
        let _ = write!(out, "  {:<width$}", format!("{} (≥ {} {})", need.domain, amount(need.required), need.unit));
        for h in 0..s.horizons.len() {
            let _ = write!(out, "{:<26}", est(&s.adequate_by_need[h][d]));
        }
        let _ = writeln!(out);
    }
    header(&mut out, "DELIVERED — mean amount in place by the horizon, in the requirement's unit, 95% CI");
    for (d, need) in s.needs.iter().enumerate() {
        let _ = write!(out, "  {:<width$}", format!("{} ({})", need.domain, need.unit));
        for h in 0..s.horizons.len() {
            let e = &s.delivered[h][d];
            let _ = write!(out, "{:<26}", format!("{} [{}, {}]", amount(e.value), amount(e.low), amount(e.high)));
        }
        let _ = writeln!(out);
    }
    let d = &model.deterrence;
    let _ = writeln!(out, "\nDETERRENCE AND ESCALATION");
    let _ = writeln!(
        out,
        "  P(deterred)    {}   = Φ((cost·credibility − gain) / noise); cost {}, gain {}, noise {}",
        est(&s.deterred),
        d.cost,
        d.gain,
        d.noise
    );
    let _ = writeln!(
        out,
        "  credibility    {}   mean adequacy over the requirements at {} days",
        est(&s.credibility),
        d.horizon
    );
    let _ = writeln!(
        out,
        "  P(escalation)  {}   a delivered commitment crosses the adversary's threat red line",
        est(&s.escalation)
    );
    let _ = writeln!(
        out,
        "\nCOMMITMENTS — activation: share of runs in which it obliges someone; honour: share of those obligations honoured"
    );
    for c in &s.commitments {
        let honour = c.honour.as_ref().map_or_else(|| "— (never obliged)".to_string(), est);
        let _ = writeln!(out, "  {:<26}activation {}   honour {honour}", c.id, est(&c.activation));
    }
    let _ = writeln!(out, "\nThe model, its equations and the source of every default: docs/model.md.");
    out
}

fn csv(s: &Summary) -> String {
    let mut out = String::from("metric,horizon_days,domain,value,low,high,runs\n");
    let mut row = |metric: &str, h: Option<f64>, d: &str, e: &Estimate| {
        let h = h.map(|h| h.to_string()).unwrap_or_default();
        let _ = writeln!(out, "{metric},{h},{d},{},{},{},{}", e.value, e.low, e.high, s.runs);
    };
    for (h, horizon) in s.horizons.iter().enumerate() {
        row("p_adequate", Some(*horizon), "all", &s.adequate[h]);
        for (d, need) in s.needs.iter().enumerate() {
            row("p_adequate", Some(*horizon), &need.domain, &s.adequate_by_need[h][d]);
            row("mean_adequacy", Some(*horizon), &need.domain, &s.adequacy[h][d]);
            row("delivered", Some(*horizon), &need.domain, &s.delivered[h][d]);
        }
    }
    row("p_deterred", None, "", &s.deterred);
    row("credibility", None, "", &s.credibility);
    row("p_escalation", None, "", &s.escalation);
    for c in &s.commitments {
        row(&format!("activation:{}", c.id), None, "", &c.activation);
        if let Some(honour) = &c.honour {
            row(&format!("honour:{}", c.id), None, "", honour);
        }
    }
    out
}
