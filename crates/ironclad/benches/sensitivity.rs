//! Prints the time of `sensitivity` against the target of issue 9 (asserts nothing): Sobol'
//! first-order and total indices of 20 uncertain parameters of the flagship, each to ±0.05
//! (95 %), in under 60 s on 2 cores. Run with `cargo bench -p ironclad --bench sensitivity`;
//! `IRONCLAD_BENCH_SAMPLES` and `IRONCLAD_BENCH_RUNS` override the design rows and runs per point.

use std::time::Instant;

use ironclad::Files;
use ironclad::sensitivity::{Request, sensitivity};
use ironclad::sim::Structure;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let threads = rayon::current_num_threads();
    println!("sensitivity benchmark on {threads} threads");
    let mut files = Files::new();
    let spec_id = files.read(&root.join("frameworks/coalition-2025.toml"));
    let spec = files.spec(spec_id).valid().expect("the flagship is valid").clone();
    let scenario_id = files.read(&root.join("frameworks").join(spec.framework.scenario.clone().unwrap()));
    let scenario = files.scenario(scenario_id, &spec).expect("its scenario is valid");
    let structure = Structure::build(&spec, &scenario).unwrap();
    let d = spec.params.uncertain.len();
    let samples = env("IRONCLAD_BENCH_SAMPLES", 4096) as usize;
    let runs = env("IRONCLAD_BENCH_RUNS", 500);
    let request = Request { samples: Some(samples), runs: Some(runs), ..Request::default() };
    let started = Instant::now();
    let r = sensitivity(&structure, &spec, &request).unwrap();
    let t = started.elapsed().as_secs_f64();
    let widest =
        |f: &dyn Fn(&ironclad::sensitivity::SensitivityRow) -> f64| r.parameters.iter().map(f).fold(0.0, f64::max);
    let s1 = widest(&|p| p.first_order.map_or(0.0, |e| e.half_width()));
    let st = widest(&|p| p.total.map_or(0.0, |e| e.half_width()));
    println!(
        "flagship coalition-2025, metric {}: {d} parameters, N = {samples} rows, {} points × {runs} runs ({:.1} M runs)",
        r.metric,
        r.points,
        r.points as f64 * runs as f64 / 1e6
    );
    println!("  widest 95% half-width: first order ±{s1:.3}, total ±{st:.3} (target ±0.05)");
    println!(
        "  time {t:.1} s (target < 60 s): {}",
        if t < 60.0 && s1.max(st) <= 0.05 && d >= 20 { "MET" } else { "MISSED" }
    );
    let mut rows: Vec<_> = r.parameters.iter().collect();
    rows.sort_by(|a, b| b.total.unwrap().value.total_cmp(&a.total.unwrap().value));
    for p in rows.iter().take(5) {
        let (a, b) = (p.first_order.unwrap(), p.total.unwrap());
        println!(
            "  {:<26} S1 {:.3} ±{:.3}  ST {:.3} ±{:.3}",
            p.param,
            a.value,
            a.half_width(),
            b.value,
            b.half_width()
        );
    }
}
