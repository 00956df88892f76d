//! A profiling driver for the simulation's hot loop on the flagship (coalition-2025 on
//! ceasefire-then-offensive, horizons 7, 30, 90): one thread, no NumPy, no I/O, so that
//! `valgrind --tool=cachegrind` or `perf record` see only the run loop.
//!
//! ```text
//! cargo build --release -p ironclad-sim --example profile
//! target/release/examples/profile 1000000 sim     # the whole simulation, 1 thread
//! target/release/examples/profile 1000000 draw    # the draw stage alone
//! target/release/examples/profile 1000000 bound   # the RNG bound alone
//! ```
//!
//! Prints runs per second and a digest of the accumulator (to compare two builds' results).

use std::path::Path;
use std::time::Instant;

use ironclad_sim::run::Runner;
use ironclad_sim::{RunOptions, SimModel, simulate};
use ironclad_spec::scenario::lower_scenario;

fn flagship() -> Result<SimModel, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("cannot read {p}: {e}"));
    let spec =
        ironclad_spec::analyze(&read("frameworks/coalition-2025.toml")?).spec.ok_or("the flagship has errors")?;
    let (scenario, _) = lower_scenario(&read("scenarios/ceasefire-then-offensive.toml")?, &spec);
    let scenario = scenario.ok_or("the scenario has errors")?;
    SimModel::build(&spec, &scenario, &[7.0, 30.0, 90.0], &vec![None; spec.variants.len()]).map_err(|e| e.to_string())
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let runs: u64 = args.next().map_or(Ok(1_000_000), |a| a.parse()).map_err(|e| format!("runs: {e}"))?;
    let mode = args.next().unwrap_or_else(|| "sim".into());
    let model = flagship()?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let digest = match mode.as_str() {
        "sim" => {
            let acc = pool.install(|| simulate(&model, RunOptions { runs, seed: 1, shard: (0, 1) }, &|_| {}, None));
            format!("adequate_all {:?} credibility {} escalation {}", acc.adequate_all, acc.credibility, acc.escalation)
        }
        "draw" => format!("drawn {}", Runner::new(&model).draw_only(1, runs)),
        "bound" => {
            let (count, seconds) = Runner::new(&model).generation_bound(1, runs);
            format!("generated {count} in {seconds:.3} s timed ({:.0} runs/s)", runs as f64 / seconds)
        }
        other => return Err(format!("unknown mode `{other}`: sim, draw or bound")),
    };
    let seconds = started.elapsed().as_secs_f64();
    println!("{mode}: {runs} runs in {seconds:.3} s = {:.0} runs/s; {digest}", runs as f64 / seconds);
    Ok(())
}
