//! Scaling of sharded runs on this machine, and a projection for a cluster.
//!
//! `cargo bench -p ironclad --bench shards [-- --runs N --merge-shards M]` prints:
//! - runs/s of the flagship with 1, 2 and 4 shards running at once, each shard on its own
//!   one-thread pool (as one Slurm task per core would);
//! - the time to read, check and merge `M` (default 1000) shard state files;
//! - the projected wall time of 10¹⁰ runs on 100 nodes, from the measured per-core rate, for a
//!   stated number of cores per node, plus the measured merge cost.
//!
//! Figures are printed, never asserted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use ironclad::Files;
use ironclad::shard::{Shard, State};
use ironclad::simulate::{Request, model, participation, run_shard};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> ExitCode {
    let runs = arg("--runs", 400_000);
    let merge_shards = arg("--merge-shards", 1000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Files::new();
    let spec_id = files.read(&root.join("frameworks/coalition-2025.toml"));
    let scenario_id = files.read(&root.join("scenarios/ceasefire-then-offensive.toml"));
    let loaded = files.spec(spec_id);
    let Ok(spec) = loaded.valid() else {
        eprintln!("shards: the flagship has errors");
        return ExitCode::FAILURE;
    };
    let Ok(scenario) = files.scenario(scenario_id, spec) else {
        eprintln!("shards: the scenario has errors");
        return ExitCode::FAILURE;
    };
    let session = ironclad::Session::new();
    let request = Request { runs: Some(runs), ..Request::default() };
    let prepared = session.structure(files.text(spec_id), files.text(scenario_id), spec, &scenario).and_then(|s| {
        let m = model(&s, spec, &request)?;
        let p = participation(spec, &m, &request)?;
        Ok((m, p))
    });
    let Ok((m, part)) = prepared else {
        eprintln!("shards: the model cannot be built");
        return ExitCode::FAILURE;
    };
    println!("sharded runs of the flagship, {runs} runs in all, {} cores here", num_cores());
    let mut per_core = 0.0;
    for n in [1u64, 2, 4] {
        let started = Instant::now();
        std::thread::scope(|scope| {
            for k in 0..n {
                let (m, part, request) = (&m, &part, &request);
                scope.spawn(move || {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool");
                    pool.install(|| run_shard(m, part, request, Shard { index: k, count: n }, &|_| {}, None))
                });
            }
        });
        let rate = runs as f64 / started.elapsed().as_secs_f64();
        if n == 1 {
            per_core = rate;
        }
        println!("  {n} shard(s) at once: {:>12.0} runs/s ({:.2}x one shard)", rate, rate / per_core);
    }

    // Merge cost: M shard states of a simulation of M chunks.
    let total = merge_shards * ironclad::sim::CHUNK;
    let big = Request { runs: Some(total), ..Request::default() };
    let dir = std::env::temp_dir().join(format!("ironclad-shards-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new().build().expect("a pool");
    for k in 0..merge_shards {
        let shard = Shard { index: k, count: merge_shards };
        let Ok((acc, all)) = pool.install(|| run_shard(&m, &part, &big, shard, &|_| {}, None)) else {
            eprintln!("shards: a shard failed");
            return ExitCode::FAILURE;
        };
        let state = ironclad::shard::state(&files, spec_id, scenario_id, &big, all, shard, acc);
        if std::fs::write(dir.join(format!("part-{k}.bin")), state.to_bytes()).is_err() {
            eprintln!("shards: cannot write to {}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let made = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut states = Vec::new();
    for k in 0..merge_shards {
        let name = format!("part-{k}.bin");
        let bytes = std::fs::read(dir.join(&name)).unwrap_or_default();
        match State::from_bytes(&name, &bytes) {
            Ok(s) => states.push((name, s)),
            Err(e) => {
                eprintln!("shards: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let merged = ironclad::shard::merge(&states).and_then(|(s, _)| ironclad::simulate::merged_report(&s));
    let merge_seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    if merged.is_err() {
        eprintln!("shards: the merge failed");
        return ExitCode::FAILURE;
    }
    println!(
        "  merging {merge_shards} shard files (read, checksum, check, add, summarise): {merge_seconds:.3} s (making them took {made:.1} s)"
    );
    let cores_per_node = 32.0;
    let cores = 100.0 * cores_per_node;
    let wall = 1e10 / (per_core * cores);
    println!(
        "  projection: 10^10 runs on 100 nodes x {cores_per_node} cores at {per_core:.0} runs/s per core = {:.0} s ({:.1} min) of runs, plus about {:.1} s to merge {} shards",
        wall,
        wall / 60.0,
        merge_seconds * cores / merge_shards as f64,
        cores
    );
    ExitCode::SUCCESS
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
