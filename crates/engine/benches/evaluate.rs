//! One `Compiled::evaluate` of every commitment of the flagship
//! framework (`frameworks/coalition-2025.toml`) on the main attack of
//! `scenarios/ceasefire-then-offensive.toml` (the ground offensive of day 183), with the state
//! of the world as it stands at the end of day 182.
//!
//! What this measures is the engine's batch verdict — the cost of asking "who is obliged now?"
//! once, as a replay or a what-if server does per event. It is not the simulation's hot loop:
//! the simulation replays the scenario once per combination of variant options when it builds
//! its structure, then samples runs without calling the engine (see `docs/model.md`, "Speed",
//! and `cargo bench -p ironclad-sim --bench vs_numpy` for that).
//!
//! Run with `cargo bench -p ironclad-engine --bench evaluate`. Before criterion's own report
//! (time per evaluation and, through `Throughput::Elements(1)`, evaluations per second as
//! `elem/s`), a plain timing loop prints the figure the project targets: evaluations per second
//! on one core (target ≥ 1,000,000). The target is reported, never asserted.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use ironclad_engine::Compiled;
use ironclad_engine::eval::{CEvent, State};
use ironclad_engine::timeline;
use ironclad_spec::expr::EventKind;

const FRAMEWORK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../frameworks/coalition-2025.toml");
const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/ceasefire-then-offensive.toml");

/// The compiled framework, the state just before the main attack, and the attack itself.
struct Fixture {
    compiled: Compiled,
    state: State,
    event: CEvent,
    /// The commitment ids, for the printed sanity check.
    ids: Vec<String>,
}

impl Fixture {
    fn load() -> Fixture {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        let analysis = ironclad_spec::analyze(&read(FRAMEWORK));
        let spec = analysis.spec.unwrap_or_else(|| panic!("{FRAMEWORK} has errors: {:?}", analysis.diagnostics));
        let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(&read(SCENARIO), &spec);
        let scenario = scenario.unwrap_or_else(|| panic!("{SCENARIO} has errors: {diagnostics:?}"));
        let compiled = Compiled::new(&spec).expect("the flagship framework fits the engine");
        // The main attack: the first armed attack of the scenario (the ground offensive).
        let attack = scenario
            .events
            .iter()
            .find(|e| e.kind == EventKind::ArmedAttack)
            .expect("the scenario has an armed attack");
        let selection = timeline::default_selection(&spec);
        // The state at the end of the day before the attack: every earlier event applied.
        let replay = timeline::replay(&spec, &compiled, &scenario, selection, Some(attack.day - 1));
        let mut state = replay.state;
        state.day = attack.day;
        Fixture {
            compiled,
            state,
            event: CEvent::from_event(attack, false),
            ids: spec.commitments.iter().map(|c| c.id.clone()).collect(),
        }
    }

    fn evaluate(&self, out: &mut [u128]) {
        self.compiled.evaluate(black_box(&self.state), Some(black_box(&self.event)), black_box(out));
    }
}

/// Times `evaluate` in batches until `budget` has passed; returns (evaluations, elapsed).
fn measure(fixture: &Fixture, out: &mut [u128], budget: Duration) -> (u64, Duration) {
    const BATCH: u64 = 10_000;
    let start = Instant::now();
    let mut done = 0;
    while start.elapsed() < budget {
        for _ in 0..BATCH {
            fixture.evaluate(out);
        }
        done += BATCH;
    }
    (done, start.elapsed())
}

fn main() {
    let fixture = Fixture::load();
    let mut out = vec![0u128; fixture.compiled.commitments.len()];

    // What one evaluation computes, so that the figure below is seen to measure real work.
    fixture.evaluate(&mut out);
    let obliged: Vec<String> = out
        .iter()
        .enumerate()
        .filter(|(_, mask)| **mask != 0)
        .map(|(c, mask)| {
            format!(
                "{} ({} {})",
                fixture.ids[c],
                mask.count_ones(),
                if mask.count_ones() == 1 { "party" } else { "parties" }
            )
        })
        .collect();
    println!(
        "one evaluation = {} commitments of coalition-2025 on the armed attack of day {}; obliged: {}",
        fixture.compiled.commitments.len(),
        fixture.state.day,
        if obliged.is_empty() { "none".to_string() } else { obliged.join(", ") }
    );

    // `cargo bench` passes `--bench`; `cargo test --benches` does not (a quick smoke run then).
    let benching = std::env::args().any(|a| a == "--bench");
    let budget = if benching { Duration::from_secs(2) } else { Duration::from_millis(10) };
    measure(&fixture, &mut out, budget / 4); // warm-up
    let (evaluations, elapsed) = measure(&fixture, &mut out, budget);
    let per_second = evaluations as f64 / elapsed.as_secs_f64();
    println!(
        "{}evaluations per second (one core, plain loop of {evaluations} evaluations in {:.2} s): {:.0} \
         ({:.1} ns per evaluation; target ≥ 1,000,000 per second)",
        if benching { "" } else { "smoke run, not a measurement (use `cargo bench`): " },
        elapsed.as_secs_f64(),
        per_second,
        1e9 / per_second,
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("coalition-2025");
    // One element per iteration: criterion reports `thrpt` in elem/s = evaluations per second.
    group.throughput(Throughput::Elements(1));
    group.bench_function("evaluate main attack (evaluations)", |b| b.iter(|| fixture.evaluate(&mut out)));
    group.finish();
    criterion.final_summary();
}
