//! Rust against a vectorised NumPy reference (`bench/reference_numpy.py`) on the flagship
//! model: coalition-2025 on ceasefire-then-offensive, horizons 7, 30 and 90 days.
//!
//! Prints runs per second (Rust on all threads and on one, NumPy, the RNG bound
//! `Runner::generation_bound` — only generating the random numbers the runs strictly need,
//! under the addressed scheme of `run.rs` — and the draw stage alone), the ratios against the targets (one thread ≥ 8× NumPy, all threads
//! ≥ 15×, one thread ≥ 70 % of the RNG-bound limit), whether the two implementations' 95% intervals of every P(adequate)
//! overlap, and the peak RSS. Targets are reported, never asserted.
//!
//! ```text
//! cargo bench -p ironclad-sim --bench vs_numpy                          # 10^6 runs each
//! cargo bench -p ironclad-sim --bench vs_numpy -- --runs 200000 --numpy-runs 200000
//! cargo bench -p ironclad-sim --bench vs_numpy -- --memory-runs 100000000   # peak RSS only
//! ```
//!
//! Options (or environment): `--runs N` (IRONCLAD_BENCH_RUNS, default 1 000 000),
//! `--numpy-runs N` (IRONCLAD_NUMPY_RUNS, default: the Rust count), `--seed S`
//! (IRONCLAD_BENCH_SEED, default 1), `--batch B` (IRONCLAD_NUMPY_BATCH, the NumPy batch),
//! `--python EXE` (IRONCLAD_PYTHON, default python3), `--memory-runs N`
//! (IRONCLAD_MEMORY_RUNS: only run N Rust runs, without per-run output, and print peak RSS).
//! Needs python3 with NumPy (`python3 -m pip install numpy`) except in the memory mode.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use ironclad_sim::run::Runner;
use ironclad_sim::stats::Estimate;
use ironclad_sim::{Acc, CHUNK, RunOptions, SimModel, simulate, summarise};
use ironclad_spec::scenario::lower_scenario;

const FRAMEWORK: &str = "frameworks/coalition-2025.toml";
const SCENARIO: &str = "scenarios/ceasefire-then-offensive.toml";
const HORIZONS: [f64; 3] = [7.0, 30.0, 90.0];
const SCRIPT: &str = "bench/reference_numpy.py";
/// The memory target for 10^8 runs.
const MEMORY_TARGET_MB: f64 = 64.0;

struct Config {
    runs: u64,
    numpy_runs: u64,
    seed: u64,
    batch: Option<u64>,
    memory_runs: Option<u64>,
    python: String,
}

/// A count: `1000000`, `1_000_000` or `1e6`.
fn count(text: &str) -> Result<u64, String> {
    let clean = text.replace('_', "");
    clean
        .parse::<u64>()
        .ok()
        .or_else(|| {
            clean.parse::<f64>().ok().filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 1.8e19).map(|x| x as u64)
        })
        .ok_or_else(|| format!("not a count: `{text}`"))
}

fn config() -> Result<Config, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut runs = env("IRONCLAD_BENCH_RUNS").map(|v| count(&v)).transpose()?;
    let mut numpy_runs = env("IRONCLAD_NUMPY_RUNS").map(|v| count(&v)).transpose()?;
    let mut seed = env("IRONCLAD_BENCH_SEED").map(|v| count(&v)).transpose()?;
    let mut batch = env("IRONCLAD_NUMPY_BATCH").map(|v| count(&v)).transpose()?;
    let mut memory_runs = env("IRONCLAD_MEMORY_RUNS").map(|v| count(&v)).transpose()?;
    let mut python = env("IRONCLAD_PYTHON").unwrap_or_else(|| "python3".into());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} takes a value"));
        match flag.as_str() {
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "--runs" => runs = Some(count(&value()?)?),
            "--numpy-runs" => numpy_runs = Some(count(&value()?)?),
            "--seed" => seed = Some(count(&value()?)?),
            "--batch" => batch = Some(count(&value()?)?),
            "--memory-runs" => memory_runs = Some(count(&value()?)?),
            "--python" => python = value()?,
            "-h" | "--help" => {
                println!(
                    "vs_numpy [--runs N] [--numpy-runs N] [--seed S] [--batch B] [--python EXE] [--memory-runs N]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    let runs = runs.unwrap_or(1_000_000);
    let numpy_runs = numpy_runs.unwrap_or(runs);
    if runs == 0 || numpy_runs == 0 || memory_runs == Some(0) {
        return Err("run counts must be at least 1".into());
    }
    Ok(Config { runs, numpy_runs, seed: seed.unwrap_or(1), batch, memory_runs, python })
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn flagship() -> Result<SimModel, String> {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).map_err(|e| format!("cannot read {p}: {e}"));
    let analysis = ironclad_spec::analyze(&read(FRAMEWORK)?);
    let spec = analysis.spec.ok_or_else(|| format!("{FRAMEWORK} has errors; run `ironclad check` on it"))?;
    let (scenario, _) = lower_scenario(&read(SCENARIO)?, &spec);
    let scenario = scenario.ok_or_else(|| format!("{SCENARIO} has errors"))?;
    let fixed = vec![None; spec.variants.len()];
    SimModel::build(&spec, &scenario, &HORIZONS, &fixed).map_err(|e| e.to_string())
}

/// A field of /proc/self/status in MB (VmHWM: peak resident set; VmRSS: current).
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn mb(x: Option<f64>) -> String {
    x.map_or_else(|| "unknown (no /proc/self/status)".into(), |v| format!("{v:.1} MB"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn run_rust(model: &SimModel, runs: u64, seed: u64) -> (Acc, f64) {
    let started = Instant::now();
    let acc = simulate(model, RunOptions { runs, seed, shard: (0, 1) }, &|_| {}, None);
    (acc, started.elapsed().as_secs_f64())
}

/// Thousands separators, for counts and rates.
fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn memory_mode(model: &SimModel, runs: u64, seed: u64) -> ExitCode {
    let before = status_mb("VmHWM:");
    println!(
        "memory mode: {} Rust runs of {} x {} on {} threads, no per-run output",
        grouped(runs as f64),
        model.framework,
        model.scenario,
        rayon::current_num_threads()
    );
    println!("  peak RSS before the simulation (model built): {}", mb(before));
    let (acc, seconds) = run_rust(model, runs, seed);
    let peak = status_mb("VmHWM:");
    println!(
        "  {} runs in {seconds:.1} s ({} runs/s); P(adequate at {} days) = {:.4}",
        grouped(acc.runs as f64),
        grouped(acc.runs as f64 / seconds),
        HORIZONS[1],
        acc.adequate_all[1] as f64 / acc.runs as f64
    );
    println!("  peak RSS (VmHWM): {}", mb(peak));
    if let Some(peak) = peak {
        let verdict = if peak < MEMORY_TARGET_MB { "met" } else { "MISSED" };
        println!("  target < {MEMORY_TARGET_MB} MB for 10^8 runs: {verdict} at {} runs", grouped(runs as f64));
    }
    ExitCode::SUCCESS
}

fn estimate(v: &serde_json::Value) -> Option<Estimate> {
    Some(Estimate { value: v["value"].as_f64()?, low: v["low"].as_f64()?, high: v["high"].as_f64()? })
}

fn overlap(a: &Estimate, b: &Estimate) -> bool {
    a.low.max(b.low) <= a.high.min(b.high)
}

fn show(e: &Estimate) -> String {
    format!("{:.4} [{:.4}, {:.4}]", e.value, e.low, e.high)
}

fn check_numpy(python: &str) -> Result<String, String> {
    let out = Command::new(python)
        .args(["-c", "import numpy; print(numpy.__version__)"])
        .output()
        .map_err(|e| format!("cannot run `{python}` ({e}): the NumPy comparison needs python3 with NumPy"))?;
    if !out.status.success() {
        return Err(format!(
            "`{python}` has no NumPy: install it with `{python} -m pip install numpy` (or set IRONCLAD_PYTHON)"
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn run_numpy(config: &Config, model: &SimModel) -> Result<serde_json::Value, String> {
    let path = std::env::temp_dir().join(format!("ironclad-vs-numpy-{}.json", std::process::id()));
    let json = serde_json::to_string(model).map_err(|e| e.to_string())?;
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut command = Command::new(&config.python);
    command
        .arg(root().join(SCRIPT))
        .arg(&path)
        .args(["--runs", &config.numpy_runs.to_string(), "--seed", &config.seed.to_string()])
        .current_dir(root());
    if let Some(batch) = config.batch {
        command.args(["--batch", &batch.to_string()]);
    }
    let out = command.output();
    let _ = std::fs::remove_file(&path);
    let out = out.map_err(|e| format!("cannot run {SCRIPT}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{SCRIPT} failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{SCRIPT} printed no JSON object: {e}"))
}

fn main() -> ExitCode {
    let config = match config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vs_numpy: {e}");
            return ExitCode::from(2);
        }
    };
    let model = match flagship() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("vs_numpy: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(runs) = config.memory_runs {
        return memory_mode(&model, runs, config.seed);
    }
    let numpy_version = match check_numpy(&config.python) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("vs_numpy: {e}");
            return ExitCode::from(2);
        }
    };
    let threads = rayon::current_num_threads();
    println!(
        "ironclad vs NumPy: {} x {}, horizons {:?} days; {} pairs, {} factors, {} combinations, at most {} draws per run",
        model.framework,
        model.scenario,
        HORIZONS,
        model.pairs.len(),
        model.factors,
        model.outcomes.len(),
        model.draws_per_run()
    );
    println!(
        "runs: Rust {}, NumPy {}; seed {}; {} rayon threads; load average before: {}",
        grouped(config.runs as f64),
        grouped(config.numpy_runs as f64),
        config.seed,
        threads,
        load_average()
    );

    // Warm up (page faults, thread pool start-up), then time.
    let _ = run_rust(&model, 16 * CHUNK, config.seed ^ 0x5eed);
    let (acc, rust_all) = run_rust(&model, config.runs, config.seed);
    let single = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("vs_numpy: cannot build a 1-thread pool: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (acc_one, rust_one) = single.install(|| run_rust(&model, config.runs, config.seed));
    let runner = Runner::new(&model);
    let started = Instant::now();
    let drawn = std::hint::black_box(runner.draw_only(config.seed, config.runs));
    let draw_stage = started.elapsed().as_secs_f64();
    let (generated, rng_bound) = runner.generation_bound(config.seed, config.runs);
    if generated != drawn {
        eprintln!("vs_numpy: the bound generated {generated} numbers, the runs drew {drawn}");
        return ExitCode::FAILURE;
    }

    let numpy = match run_numpy(&config, &model) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("vs_numpy: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(numpy_rate) = numpy["runs_per_second"].as_f64() else {
        eprintln!("vs_numpy: {SCRIPT} reported no runs_per_second");
        return ExitCode::FAILURE;
    };
    let numpy_seconds = numpy["seconds"].as_f64().unwrap_or(f64::NAN);

    let runs = config.runs as f64;
    let (all_rate, one_rate, rng_rate) = (runs / rust_all, runs / rust_one, runs / rng_bound);
    let stage_rate = runs / draw_stage;
    println!();
    println!("{:<44}{:>14}{:>10}", "speed", "runs/s", "seconds");
    let row = |name: &str, rate: f64, seconds: f64| println!("  {name:<42}{:>14}{seconds:>10.3}", grouped(rate));
    row(&format!("Rust, all threads ({threads})"), all_rate, rust_all);
    row("Rust, 1 thread", one_rate, rust_one);
    row("RNG bound: only generating the needed numbers", rng_rate, rng_bound);
    row("draw stage alone (draw_only, 1 thread)", stage_rate, draw_stage);
    row(&format!("NumPy {numpy_version} (vectorised, batch {})", numpy["batch"]), numpy_rate, numpy_seconds);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!();
    println!(
        "  random numbers drawn per run:   {:>6.1}  (of at most {} under a fixed count per pair)",
        drawn as f64 / runs,
        model.draws_per_run()
    );
    println!(
        "  Rust (1 thread) / NumPy:        {:>6.2}x   (target >= 8x: {})",
        one_rate / numpy_rate,
        verdict(one_rate >= 8.0 * numpy_rate)
    );
    println!(
        "  Rust ({threads} threads) / NumPy:      {:>6.2}x   (target >= 15x: {})",
        all_rate / numpy_rate,
        verdict(all_rate >= 15.0 * numpy_rate)
    );
    println!(
        "  Rust (1 thread) / RNG-bound:    {:>6.1} %  (target >= 70 %: {})",
        100.0 * one_rate / rng_rate,
        verdict(one_rate >= 0.7 * rng_rate)
    );
    println!(
        "  1-thread and {threads}-thread Rust results bit-identical: {}",
        if acc == acc_one { "yes" } else { "NO" }
    );

    // Agreement: every P(adequate) interval of Rust against NumPy's.
    let summary = summarise(&model, &acc, config.seed);
    let mut pairs: Vec<(String, Estimate, Option<Estimate>)> = Vec::new();
    for (h, horizon) in HORIZONS.iter().enumerate() {
        pairs.push((format!("{horizon:>3} d  all needs"), summary.adequate[h], estimate(&numpy["adequate"][h])));
        for (d, need) in model.needs.iter().enumerate() {
            pairs.push((
                format!("{horizon:>3} d  {}", need.domain),
                summary.adequate_by_need[h][d],
                estimate(&numpy["adequate_by_need"][h][d]),
            ));
        }
    }
    println!();
    println!("agreement: P(adequate), 95% Wilson intervals");
    println!("  {:<20}{:<30}{:<30}", "horizon  need", "Rust", "NumPy");
    let mut overlapping = 0;
    for (name, rust, numpy) in &pairs {
        let (text, ok) = match numpy {
            Some(n) => (show(n), overlap(rust, n)),
            None => ("missing".to_string(), false),
        };
        overlapping += usize::from(ok);
        println!("  {name:<20}{:<30}{text:<30}{}", show(rust), if ok { "overlap" } else { "DISJOINT" });
    }
    let others =
        [("credibility", summary.credibility, "credibility"), ("escalation", summary.escalation, "escalation")];
    for (name, rust, key) in others {
        let numpy = estimate(&numpy[key]);
        let note = numpy.map_or("missing", |n| if overlap(&rust, &n) { "overlap" } else { "DISJOINT" });
        println!("  {name:<20}{:<30}{:<30}{note}", show(&rust), numpy.map_or("missing".into(), |n| show(&n)));
    }
    if overlapping == pairs.len() {
        println!("  => agree: all {} P(adequate) intervals overlap", pairs.len());
    } else {
        println!("  => DISAGREE: {} of {} P(adequate) intervals are disjoint", pairs.len() - overlapping, pairs.len());
    }

    println!();
    println!(
        "memory: peak RSS (VmHWM) of this process {}; of the NumPy process {}",
        mb(status_mb("VmHWM:")),
        numpy["peak_rss_mb"].as_f64().map_or_else(|| "unknown".into(), |v| format!("{v:.1} MB"))
    );
    println!("  (for the 10^8-run target run with --memory-runs 100000000)");
    println!("load average after: {}", load_average());
    ExitCode::SUCCESS
}
