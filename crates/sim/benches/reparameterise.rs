//! How long re-parameterising the flagship takes, against a full build: what an analysis that
//! varies `[model]` parameters (Sobol, Morris, a what-if slider) pays per point.
//!
//! `cargo bench -p ironclad-sim --bench reparameterise` prints the median of repeated timings
//! of `Structure::build` (one replay per variant combination), `Structure::parameterise` and
//! `Runner::new` (what a run precomputes), and the ratio; the target (< 1 ms) is reported, not
//! asserted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use ironclad_sim::{Runner, Structure};
use ironclad_spec::scenario::lower_scenario;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> f64 {
    median(
        (0..repeats)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(f());
                started.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("{p}: {e}"));
    let (spec_text, scenario_text) =
        match (read("frameworks/coalition-2025.toml"), read("scenarios/ceasefire-then-offensive.toml")) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("reparameterise: {e}");
                return ExitCode::FAILURE;
            }
        };
    let Some(spec) = ironclad_spec::analyze(&spec_text).spec else {
        eprintln!("reparameterise: the flagship has errors");
        return ExitCode::FAILURE;
    };
    let Some(scenario) = lower_scenario(&scenario_text, &spec).0 else {
        eprintln!("reparameterise: the scenario has errors");
        return ExitCode::FAILURE;
    };
    let structure = match Structure::build(&spec, &scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("reparameterise: {e}");
            return ExitCode::FAILURE;
        }
    };
    let horizons = [7.0, 30.0, 90.0];
    let mut params = spec.params.clone();
    let build = time(20, || Structure::build(&spec, &scenario));
    let mut k = 0u32;
    let reparam = time(2000, || {
        // A new point each time, as a Sobol design would give.
        k += 1;
        params.domestic = 0.2 + f64::from(k % 100) / 500.0;
        structure.parameterise(&params, &horizons, &[])
    });
    let model = structure.parameterise(&params, &horizons, &[]).expect("parameterises");
    let runner = time(2000, || Runner::new(&model).draws().drawn());
    println!("flagship: {} pairs, {} combinations of variant options", structure.pairs.len(), structure.outcomes.len());
    println!("  Structure::build (replays)        {:>10.3} ms", build * 1e3);
    println!("  Structure::parameterise           {:>10.3} ms", reparam * 1e3);
    println!("  Runner::new (run precomputation)  {:>10.3} ms", runner * 1e3);
    println!(
        "  re-parameterise + Runner::new: {:.3} ms, {:.0}x faster than a full build (target < 1 ms: {})",
        (reparam + runner) * 1e3,
        build / (reparam + runner),
        if reparam + runner < 1e-3 { "met" } else { "NOT met" }
    );
    ExitCode::SUCCESS
}
