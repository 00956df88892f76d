//! The chunk loop of the simulation (blocks of runs of one combination of variant options,
//! drawn and scored across runs: `src/run/block.rs`) against the run-by-run path that per-run
//! records take (`Runner::draw` then the score, run after run): the same accumulator, bit for
//! bit, for every framework × scenario of the library, several sets of horizons (up to 63, the
//! most a model takes) and participation masks (everyone, each party alone left out, and
//! pseudo-random coalitions). The library has few models with pairs and none with honour 0 or
//! 1, will without an idiosyncratic part or an amount need that is a power of two, so small
//! frameworks built here reach those edges, and the library's and these models are also run
//! with pseudo-random extreme values in every field the runs read. The numbers drawn are
//! counted alike by `Runner::draw_only`, `Runner::generation_bound` and `Draws::drawn`.

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

/// Chunk `chunk` of `total` runs run by run through the public stages, `Runner::draw` then
/// `Runner::evaluate` (the path without records, which counts runs in which nobody delivers at
/// the fold), then folded.
fn evaluated(runner: &Runner<'_>, model: &SimModel, seed: u64, chunk: u64, total: u64, part: &Participation) -> Acc {
    let mut acc = Acc::new(model);
    let (mut d, mut s) = (runner.draws(), runner.scratch());
    for run in chunk * CHUNK..((chunk + 1) * CHUNK).min(total) {
        runner.draw(seed, run, &mut d);
        runner.evaluate(&d, part, &mut s, &mut acc);
    }
    runner.fold(&mut s, &mut acc);
    acc
}

/// Chunk `chunk` of `total` runs gives one accumulator three ways for each participation of
/// `parts`: the chunk loop (blocks), run by run with records, and `Runner::draw` then
/// `Runner::evaluate` run by run.
fn assert_paths_agree(
    runner: &Runner<'_>,
    model: &SimModel,
    seed: u64,
    chunk: u64,
    total: u64,
    parts: &[Participation],
    what: &str,
) {
    for (k, part) in parts.iter().enumerate() {
        let (blocks, runs) = both(runner, model, seed, chunk, total, part);
        assert_eq!(blocks, runs, "{what}, participation {k}: blocks against records");
        let plain = evaluated(runner, model, seed, chunk, total, part);
        assert_eq!(plain, runs, "{what}, participation {k}: draw + evaluate against records");
    }
}

/// `Runner::draw_only`, `Runner::generation_bound` and the sum of `Draws::drawn` count the
/// same numbers for the first `runs` runs.
fn assert_draw_counts_agree(runner: &Runner<'_>, seed: u64, runs: u64, what: &str) {
    let mut d = runner.draws();
    let drawn: u64 = (0..runs)
        .map(|run| {
            runner.draw(seed, run, &mut d);
            u64::from(d.drawn())
        })
        .sum();
    assert_eq!(runner.draw_only(seed, runs), drawn, "{what}: draw_only against Σ Draws::drawn");
    assert_eq!(runner.generation_bound(seed, runs).0, drawn, "{what}: generation_bound against Σ Draws::drawn");
}

/// A pseudo-random element of `options`.
fn pick<T: Copy>(state: &mut u64, options: &[T]) -> T {
    options[(next(state) % options.len() as u64) as usize]
}

/// True with probability 1 / `n`.
fn one_in(state: &mut u64, n: u64) -> bool {
    next(state) % n == 0
}

/// `model` with pseudo-random extreme values in the fields runs read: thresholds ±∞, NaN and
/// ±0, will without an idiosyncratic part (idio 0, negative or NaN), loadings ±1, ±0, NaN and
/// ∞, amount ranges (pledge floors 0, −0, below 0, NaN, above 1), delays with no spread or
/// infinite ones, pledges 0, negative, infinite, NaN or tiny, needs counting pledges or not,
/// required 0, powers of two (the exact product), subnormal, ∞ or NaN, pairs moved to other
/// parties, pairs in place, escalating subsets, no needs at all, no variants, capacity laws
/// with a = 2^k, and variant weights pinned, zero or skewed. The structure stays valid:
/// escalating pairs are active ones, and every vector keeps its length. Requirements are not
/// made negative: no scenario has one (E0402), and a negative ratio wraps the chunk's `u64`
/// fixed-point sums (an overflow panic in debug builds, on either path).
fn mutated(model: &SimModel, state: &mut u64) -> SimModel {
    const INF: f64 = f64::INFINITY;
    const NEG_INF: f64 = f64::NEG_INFINITY;
    const NAN: f64 = f64::NAN;
    let mut m = model.clone();
    let thresholds = [INF, NEG_INF, NAN, 0.0, -0.0, 0.67, -1.2, 8.0, -8.0, 1e-300];
    let idios = [0.0, -0.0, 1.0, 0.5, 1e-300, NAN, 3.0, -0.5, INF];
    let loadings = [0.0, -0.0, 1.0, -1.0, 0.5, -0.3, NAN, INF];
    let floors = [1.0, 0.5, 0.0, -0.0, -1.0, NAN, 0.999_999, 2.0, 1e-300];
    let mus = [0.0, 14f64.ln(), NEG_INF, INF, NAN, 5.0, -3.0];
    let sigmas = [0.0, 1e-300, 0.5, 1.0, 5.0, INF, NAN];
    let pledges = [0.0, -1.0, 1.0, 100.0, 0.5, INF, NAN, 1e300, 1e-300, 64.0];
    let required = [0.0, 1.0, 64.0, 100.0, 3.0, 0.1, 1e-310, 0.5f64.powi(1040), INF, NAN, 1e300, 2.0];
    let parties = m.parties as u64;
    for p in &mut m.pairs {
        if one_in(state, 2) {
            p.threshold = pick(state, &thresholds);
        }
        if one_in(state, 2) {
            p.idio = pick(state, &idios);
        }
        for (_, l) in &mut p.loadings {
            if one_in(state, 3) {
                *l = pick(state, &loadings);
            }
        }
        if one_in(state, 6) {
            p.loadings.clear();
        }
        if one_in(state, 2) {
            p.pledge_floor = pick(state, &floors);
        }
        if one_in(state, 3) {
            p.delay_mu = pick(state, &mus);
        }
        if one_in(state, 3) {
            p.delay_sigma = pick(state, &sigmas);
        }
        for x in &mut p.pledge {
            if one_in(state, 3) {
                *x = pick(state, &pledges);
            }
        }
        if parties > 0 && one_in(state, 5) {
            p.party_index = (next(state) % parties) as usize;
        }
    }
    for n in &mut m.needs {
        if one_in(state, 2) {
            n.required = pick(state, &required);
        }
        if one_in(state, 4) {
            n.count = !n.count;
        }
    }
    for o in &mut m.outcomes {
        for &i in &o.active {
            if one_in(state, 3) {
                o.placed[i] = !o.placed[i];
            }
        }
        if one_in(state, 2) {
            o.escalating = o.active.iter().copied().filter(|_| one_in(state, 2)).collect();
        }
    }
    if one_in(state, 2) {
        m.capacity.a = pick(state, &[8.0, 1.0, 2.0, 64.0, 128.0, 3.7, 0.5, 1e-3]);
        m.capacity.b = pick(state, &[3.1, 1.0, 0.5, 1e3, 1e-3]);
    }
    if one_in(state, 10) {
        // No needs at all (and so no pledges).
        m.needs.clear();
        m.pairs.iter_mut().for_each(|p| p.pledge.clear());
    }
    if one_in(state, 8) {
        // No variants: one combination.
        m.variants.clear();
        m.variant_names.clear();
        m.outcomes.truncate(1);
        m.outcomes.iter_mut().for_each(|o| o.selection.clear());
    }
    if one_in(state, 3) {
        m.deterrence.horizon = pick(state, &[0.0, 1.0, 30.0, 1e9, NAN, INF, -1.0]);
    }
    for w in &mut m.variants {
        if one_in(state, 4) {
            let len = w.len() as u64;
            let at = (next(state) % len.max(1)) as usize;
            match next(state) % 3 {
                // Pinned to one option.
                0 => w.iter_mut().enumerate().for_each(|(i, x)| *x = if i == at { 1.0 } else { 0.0 }),
                // No weight at all.
                1 => w.iter_mut().for_each(|x| *x = 0.0),
                // Skewed: almost all on one option.
                _ => w.iter_mut().enumerate().for_each(|(i, x)| *x = if i == at { 1.0 - 1e-9 } else { 1e-9 }),
            }
        }
    }
    m
}

/// Participations for `model`: everyone, nobody, each party alone, pseudo-random coalitions
/// and every other commitment.
fn participations(model: &SimModel, state: &mut u64) -> Vec<Participation> {
    let mut parts = vec![Participation::all(model), Participation::parties(model, 0)];
    parts.extend((0..model.parties.min(3)).map(|p| Participation::parties(model, 1u128 << p)));
    parts.extend((0..2).map(|_| Participation::parties(model, u128::from(next(state)))));
    let commitments: Vec<bool> = (0..model.commitments.len()).map(|k| k % 2 == 1).collect();
    parts.push(Participation::new(model, &[], &commitments));
    parts
}

#[test]
fn the_chunk_loop_gives_the_run_by_run_accumulator_for_models_with_extreme_values() {
    let horizon_sets: [Vec<f64>; 4] =
        [vec![7.0, 30.0, 90.0], (1..=63).map(f64::from).collect(), vec![0.0, 1e-9, 1e12], vec![14.0]];
    let mut pool: Vec<(String, SimModel)> = Vec::new();
    for (h, horizons) in horizon_sets.iter().enumerate() {
        pool.extend(models(horizons, h == 0).into_iter().map(|(name, m)| (format!("{name}, horizons {h}"), m)));
    }
    pool.extend(small_models().into_iter().filter(|(name, _)| name.contains("pin None")));
    let (mut checked, mut delivered_somewhere) = (0, 0);
    for (name, model) in &pool {
        let mut state = 0x1bc4_78f0 ^ model.horizons.len() as u64 ^ (model.pairs.len() as u64) << 8;
        for k in 0..6 {
            let m = mutated(model, &mut state);
            let runner = Runner::new(&m);
            let parts = participations(&m, &mut state);
            let what = format!("{name}, mutation {k}");
            // Partial last chunks (blocks of 64 runs and a remainder per combination), a short
            // one and a chunk past the end.
            let (chunk, total) = pick(&mut state, &[(0, 1500), (1, CHUNK + 777), (0, 100), (3, 2 * CHUNK)]);
            assert_paths_agree(&runner, &m, 7 + k, chunk, total, &parts, &what);
            assert_draw_counts_agree(&runner, 7 + k, 300, &what);
            let (blocks, _) = both(&runner, &m, 7 + k, 0, 256, &parts[0]);
            delivered_somewhere += usize::from(blocks.delivered.iter().any(|x| *x > 0));
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} models checked");
    assert!(delivered_somewhere * 3 > checked, "only {delivered_somewhere} of {checked} delivered anything");
}

/// A small framework: Ukraine protected, Russia the threat; G1 and G2 defend Ukraine on land
/// and in the air (their land capacity pledged, the air need counting pledges), G3 deploys
/// `0..100` troops in option `yes` of a variant, G2 deploys `40..80` troops; Russia's red
/// line makes defenders escalate. `[model]` is `params`.
fn small_spec(params: &str) -> String {
    let commitment = |id: &str, by: &str, kind: &str, domains: &str, extra: &str, strength: &str| {
        format!(
            r#"
[[commitment]]
id = "{id}"
by = {by}
to = ["UA"]
kind = "{kind}"
domains = {domains}
trigger = "armed_attack where attacker == RU and target == UA"
modality = "automatic"
strength = "{strength}"
{extra}

[[commitment.evidence]]
source = "s"
quote = "q"
"#
        )
    };
    let body = [
        commitment("d", r#"["G1", "G2"]"#, "defend", r#"["land", "air"]"#, "", "treaty"),
        commitment("r", r#"["G3"]"#, "deploy", r#"["land"]"#, r#"amount = "0..100 troops""#, "statement"),
        commitment("s", r#"["G2"]"#, "deploy", r#"["land"]"#, r#"amount = "40..80 troops""#, "statement"),
    ]
    .concat();
    format!(
        r#"
[framework]
id = "small"
title = "A small framework with extreme parameters"
protects = ["UA"]
threat = "RU"

[[source]]
id = "s"
file = "s.txt"

[[region]]
id = "UA"

[[party]]
id = "UA"
territory = ["UA"]

[[party]]
id = "RU"

[[party]]
id = "G1"
capacity = {{ land = "100 troops" }}

[[party]]
id = "G2"
capacity = {{ land = "100 troops" }}

[[party]]
id = "G3"
capacity = {{ land = "50 troops" }}
{body}
[[variant]]
id = "v"
question = "Does G3 deploy?"

[[variant.option]]
id = "yes"
weight = 0.4
commitments = ["r"]

[[variant.option.evidence]]
source = "s"
quote = "q"

[[variant.option]]
id = "no"
weight = 0.6

[[variant.option.evidence]]
source = "s"
quote = "q"

[[red_line]]
id = "no-defenders"
party = "RU"
kind = "threat"
statement = "Defenders would be targets."
matches = {{ kinds = ["defend"] }}
response = "strike"
strength = "statement"

[[red_line.evidence]]
source = "s"
quote = "q"

[model]
{params}
"#
    )
}

/// One armed attack by Russia on Ukraine on land and in the air, needing `land` on land and one
/// honoured pledge in the air.
fn small_scenario(land: &str) -> String {
    format!(
        r#"
[scenario]
id = "attack"
title = "One attack"
framework = "small"

[[event]]
day = 0
kind = "armed_attack"
attacker = "RU"
target = "UA"
region = "UA"
domains = ["land", "air"]

[[requirement]]
domain = "land"
amount = "{land}"

[[requirement]]
domain = "air"
amount = "1 pledges"
"#
    )
}

/// The small framework under `[model]` parameters that reach the edges of the draw: honour 0
/// and 1, will with no idiosyncratic part (domestic ±1, or a shared factor of loading 1),
/// delays with no spread, capacity laws with a = 2^k and not; land needs that are a power of
/// two (the exact product) and not; few and many horizons.
fn small_models() -> Vec<(String, SimModel)> {
    let params = [
        "domestic = 0\nhonour = { treaty = 0, statement = 1 }",
        "domestic = 0\nhonour = { treaty = 1, statement = 0 }",
        "domestic = 1\nhonour = { treaty = 0.5, statement = 0.5 }",
        "domestic = -1\nhonour = { treaty = 0.3, statement = 0.9 }\ncapacity = { mean = 0.5, concentration = 16 }",
        "domestic = 0\nhonour = { treaty = 0.7, statement = 0.6 }\n[[model.factor]]\nid = \"west\"\nparties = [\"G1\", \"G2\", \"G3\"]\nloading = 1.0",
        "domestic = 0.6\nhonour = { treaty = 1, statement = 1 }\ndelay = { defend = { median = 14, spread = 0 }, deploy = { median = 30, spread = 5 } }\ndeterrence = { horizon = 14 }",
        "domestic = 0.2\nhonour = { treaty = 0.8, statement = 0.5 }\ncapacity = { mean = 0.3, concentration = 1 }\ndeterrence = { horizon = 1 }",
    ];
    let horizon_sets: [Vec<f64>; 3] = [vec![100_000.0], vec![14.0], (1..=63).map(|k| f64::from(k) * 1.5).collect()];
    let mut out = Vec::new();
    for (p, params) in params.iter().enumerate() {
        let analysis = ironclad_spec::analyze(&small_spec(params));
        let spec =
            analysis.spec.unwrap_or_else(|| panic!("params {p}: the spec has errors: {:#?}", analysis.diagnostics));
        for land in ["64 troops", "100 troops"] {
            let (scenario, diagnostics) = lower_scenario(&small_scenario(land), &spec);
            let scenario = scenario.unwrap_or_else(|| panic!("the scenario has errors: {diagnostics:#?}"));
            for (h, horizons) in horizon_sets.iter().enumerate() {
                for pin in [None, Some(0)] {
                    let model = SimModel::build(&spec, &scenario, horizons, &[pin]).expect("the model builds");
                    out.push((format!("small model, params {p}, land {land}, horizons {h}, pin {pin:?}"), model));
                }
            }
        }
    }
    out
}

#[test]
fn the_chunk_loop_gives_the_run_by_run_accumulator_for_small_models_at_the_edges() {
    let mut delivered_somewhere = 0;
    let models = small_models();
    for (name, model) in &models {
        let runner = Runner::new(model);
        let mut state = 0x0c08_5f5a ^ model.horizons.len() as u64;
        let parts = participations(model, &mut state);
        // Partial chunks: one run, one block of 64 runs (pinned), 64 and one more, 129 runs
        // after a whole chunk, and a chunk past the end; then a whole chunk for everyone.
        for (chunk, total) in [(0, 1), (0, 64), (0, 65), (1, CHUNK + 129), (2, CHUNK)] {
            assert_paths_agree(&runner, model, 5 + total, chunk, total, &parts, name);
        }
        assert_paths_agree(&runner, model, 5, 0, CHUNK, &parts[..1], name);
        assert_draw_counts_agree(&runner, 3, 500, name);
        let (blocks, _) = both(&runner, model, 5, 0, CHUNK, &parts[0]);
        delivered_somewhere += usize::from(blocks.delivered.iter().any(|x| *x > 0));
    }
    assert!(delivered_somewhere * 2 > models.len(), "only {delivered_somewhere} of {} delivered", models.len());
}
