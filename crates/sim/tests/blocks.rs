//! The chunk loop of the simulation (blocks of runs of one combination of variant options,
//! drawn and scored across runs: `src/run/block.rs`) against the run-by-run path that per-run
//! records take (`Runner::draw` then the score, run after run): the same accumulator, bit for
//! bit, for every framework × scenario of the library, several sets of horizons (up to 63, the
//! most a model takes) and participation masks (everyone, each party alone left out, and
//! pseudo-random coalitions).

use std::path::Path;

use ironclad_sim::run::{Acc, Participation, Runner};
use ironclad_sim::{CHUNK, SimModel};
use ironclad_spec::scenario::lower_scenario;

fn read(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("a readable file")))
        .collect()
}

/// Every (framework, scenario) of the library that builds a model, for `horizons`; with `pin`,
/// also with every other variant pinned to its second option (pinned variants draw nothing).
fn models(horizons: &[f64], pin: bool) -> Vec<(String, SimModel)> {
    let mut out = Vec::new();
    for (fname, ftext) in read("frameworks") {
        let Some(spec) = ironclad_spec::analyze(&ftext).spec else { continue };
        for (sname, stext) in read("scenarios") {
            let (Some(scenario), _) = lower_scenario(&stext, &spec) else { continue };
            if let Ok(model) = SimModel::build(&spec, &scenario, horizons, &vec![None; spec.variants.len()]) {
                out.push((format!("{fname} × {sname}"), model));
            }
            let pins: Vec<Option<u16>> = (0..spec.variants.len()).map(|v| (pin && v % 2 == 0).then_some(1)).collect();
            if pin && pins.iter().any(Option::is_some) {
                if let Ok(model) = SimModel::build(&spec, &scenario, horizons, &pins) {
                    out.push((format!("{fname} × {sname}, pinned {pins:?}"), model));
                }
            }
        }
    }
    out
}

/// Chunk `chunk` of `total` runs, both ways: (chunk loop, run-by-run).
fn both(runner: &Runner<'_>, model: &SimModel, seed: u64, chunk: u64, total: u64, part: &Participation) -> (Acc, Acc) {
    let mut blocks = Acc::new(model);
    runner.chunk(seed, chunk, total, part, &mut blocks, None);
    let mut runs = Acc::new(model);
    let mut records = Vec::new();
    runner.chunk(seed, chunk, total, part, &mut runs, Some(&mut records));
    assert_eq!(records.len() as u64, runs.runs);
    (blocks, runs)
}

/// A SplitMix64 step, for reproducible pseudo-random masks.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn the_chunk_loop_gives_the_run_by_run_accumulator_for_every_model_and_participation() {
    let horizon_sets: [Vec<f64>; 4] = [
        vec![7.0, 30.0, 90.0],
        vec![1.0],
        vec![0.5, 3.0, 14.0, 60.0, 365.0, 3650.0],
        (1..=63).map(f64::from).collect(),
    ];
    let (mut checked, mut delivered_somewhere, mut pinned) = (0, 0, 0);
    for (h, horizons) in horizon_sets.iter().enumerate() {
        for (name, model) in models(horizons, h == 0) {
            let runner = Runner::new(&model);
            let mut state = model.pairs.len() as u64;
            let mut parts = vec![Participation::all(&model)];
            parts.extend((0..model.parties).map(|p| Participation::parties(&model, !(1u128 << p))));
            parts.extend((0..4).map(|_| Participation::parties(&model, u128::from(next(&mut state)))));
            let commitments: Vec<bool> = (0..model.commitments.len()).map(|k| k % 2 == 0).collect();
            parts.push(Participation::new(&model, &[], &commitments));
            for (k, part) in parts.iter().enumerate() {
                // A whole chunk for everyone; a partial last chunk for the masks.
                let (chunk, total) = if k == 0 { (0, CHUNK) } else { (2, 2 * CHUNK + 1000) };
                let (blocks, runs) = both(&runner, &model, 11 + k as u64, chunk, total, part);
                assert_eq!(blocks, runs, "{name}, horizons {horizons:?}, participation {k}");
                delivered_somewhere += usize::from(blocks.delivered.iter().any(|x| *x > 0));
                checked += 1;
                pinned += usize::from(name.contains("pinned"));
            }
        }
    }
    // The library must exercise the comparison: many models, most of them delivering.
    assert!(checked > 300, "only {checked} comparisons");
    assert!(pinned > 20, "only {pinned} comparisons with pinned variants");
    assert!(delivered_somewhere * 2 > checked, "only {delivered_somewhere} of {checked} delivered anything");
}
