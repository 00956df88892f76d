//! The simulation against cases with a closed-form answer, and its reproducibility.
//!
//! Each case is a tiny framework written as TOML: Ukraine (`UA`) is protected, Russia (`RU`) is
//! the threat, and guarantors `G1`, `G2` promise to defend Ukraine on land. The scenario is one
//! armed attack by Russia on Ukraine, in land; with no `[[requirement]]` the need is one honoured
//! pledge on land. `[model]` sets `domestic = 0` (so guarantors are independent unless a shared
//! factor says otherwise) and the honour probability. Horizons are long (100000 days) so that
//! delays never matter, except where a case is about delays.

use ironclad_sim::run::Acc;
use ironclad_sim::{RunOptions, SimModel, Summary, simulate, summarise};
use ironclad_spec::model::Spec;
use ironclad_spec::scenario::lower_scenario;
use statrs::distribution::{ContinuousCDF, Normal};

/// A horizon long enough that every response is in time.
const LONG: f64 = 100_000.0;

/// The framework around `body` (commitments, variants, red lines) and `model` (the `[model]`
/// table's lines).
fn spec_text(body: &str, model: &str) -> String {
    format!(
        r#"
[framework]
id = "analytic"
title = "A framework with analytic answers"
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

{body}

[model]
{model}
"#
    )
}

/// A commitment `id` by `by` (a TOML list) to defend Ukraine on land when it is attacked.
fn defend(id: &str, by: &str) -> String {
    defend_when(id, by, "armed_attack where attacker == RU and target == UA")
}

fn defend_when(id: &str, by: &str, trigger: &str) -> String {
    format!(
        r#"
[[commitment]]
id = "{id}"
by = {by}
to = ["UA"]
kind = "defend"
domains = ["land"]
trigger = "{trigger}"
modality = "automatic"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"
"#
    )
}

/// One armed attack by Russia on Ukraine, in land, plus `requirements`.
fn scenario_text(requirements: &str) -> String {
    format!(
        r#"
[scenario]
id = "attack"
title = "One attack"
framework = "analytic"

[[event]]
day = 0
kind = "armed_attack"
attacker = "RU"
target = "UA"
region = "UA"
domains = ["land"]

{requirements}
"#
    )
}

fn spec(text: &str) -> Spec {
    let analysis = ironclad_spec::analyze(text);
    let errors: Vec<_> = analysis.diagnostics.iter().map(|d| format!("{d:?}")).collect();
    analysis.spec.unwrap_or_else(|| panic!("the spec has errors: {errors:#?}\n{text}"))
}

fn model_with(spec_text: &str, scenario_text: &str, horizons: &[f64]) -> SimModel {
    let spec = spec(spec_text);
    let (scenario, diagnostics) = lower_scenario(scenario_text, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("the scenario has errors: {diagnostics:#?}"));
    SimModel::build(&spec, &scenario, horizons, &vec![None; spec.variants.len()]).expect("the model builds")
}

fn model(body: &str, params: &str) -> SimModel {
    model_with(&spec_text(body, params), &scenario_text(""), &[LONG])
}

fn run(model: &SimModel, runs: u64, seed: u64) -> Acc {
    simulate(model, RunOptions { runs, seed, shard: (0, 1) }, &|_| {}, None)
}

fn summary(model: &SimModel, runs: u64, seed: u64) -> Summary {
    summarise(model, &run(model, runs, seed), seed)
}

/// Asserts that the estimated P(adequate) at the first horizon is `p` within its 95% interval
/// and within 3 standard errors.
fn assert_adequate(s: &Summary, p: f64) {
    let e = s.adequate[0];
    assert!(e.low <= p && p <= e.high, "P(adequate) = {p} is outside the interval {e:?}");
    let se = (p * (1.0 - p) / s.runs as f64).sqrt();
    assert!((e.value - p).abs() <= 3.0 * se, "P(adequate) {} is more than 3 se ({se}) from {p}", e.value);
}

const P: f64 = 0.75;
const RUNS: u64 = 200_000;

#[test]
fn one_guarantor_honours_with_its_prior() {
    let m = model(&defend("c", r#"["G1"]"#), "domestic = 0\nhonour = { treaty = 0.75 }");
    assert_eq!(m.pairs.len(), 1);
    assert_eq!(m.pairs[0].honour, P);
    let s = summary(&m, RUNS, 7);
    assert_eq!(s.runs, RUNS);
    assert_adequate(&s, P);
    // The commitment is active in every run; its honour rate is the prior too.
    let c = &s.commitments[0];
    assert_eq!(c.activation.value, 1.0);
    let honour = c.honour.expect("obliged in every run");
    assert!(honour.low <= P && P <= honour.high, "{c:?}");
    // A counted need: adequacy is 0 or 1, so its mean is P(adequate) exactly.
    assert_eq!(s.adequacy[0][0].value, s.adequate[0].value);
}

#[test]
fn two_independent_guarantors_fail_only_together() {
    let m = model(&defend("c", r#"["G1", "G2"]"#), "domestic = 0\nhonour = { treaty = 0.75 }");
    assert_eq!(m.pairs.len(), 2);
    let s = summary(&m, RUNS, 11);
    assert_adequate(&s, 1.0 - (1.0 - P) * (1.0 - P));
}

#[test]
fn two_commitments_by_two_guarantors_are_independent_too() {
    let body = defend("c1", r#"["G1"]"#) + &defend("c2", r#"["G2"]"#);
    let m = model(&body, "domestic = 0\nhonour = { treaty = 0.75 }");
    let s = summary(&m, RUNS, 12);
    assert_adequate(&s, 1.0 - (1.0 - P) * (1.0 - P));
}

#[test]
fn perfectly_correlated_guarantors_are_one() {
    let params = r#"domestic = 0
honour = { treaty = 0.75 }

[[model.factor]]
id = "common"
parties = ["G1", "G2"]
loading = 1.0
"#;
    let m = model(&defend("c", r#"["G1", "G2"]"#), params);
    assert!(m.pairs.iter().all(|p| p.idio == 0.0), "{:?}", m.pairs);
    let acc = run(&m, RUNS, 13);
    let s = summarise(&m, &acc, 13);
    assert_adequate(&s, P);
    // Both honour or neither does.
    assert_eq!(acc.pair_honoured[0], acc.pair_honoured[1]);
}

#[test]
fn a_domestic_factor_does_not_correlate_two_parties() {
    // Each party loads on its own domestic factor: still independent.
    let m = model(&defend("c", r#"["G1", "G2"]"#), "domestic = 0.9\nhonour = { treaty = 0.75 }");
    let s = summary(&m, RUNS, 14);
    assert_adequate(&s, 1.0 - (1.0 - P) * (1.0 - P));
}

#[test]
fn a_commitment_never_triggered_never_acts() {
    // Russia attacks Ukraine; the commitment answers only an attack on G1.
    let body = defend_when("c", r#"["G1"]"#, "armed_attack where attacker == RU and target == G1");
    let m = model(&body, "domestic = 0\nhonour = { treaty = 0.75 }");
    assert!(m.pairs.is_empty(), "{:?}", m.pairs);
    let acc = run(&m, 10_000, 15);
    let s = summarise(&m, &acc, 15);
    assert_eq!(s.adequate[0].value, 0.0);
    assert_eq!(s.adequate[0].low, 0.0);
    assert!(s.adequate[0].high < 0.001, "{:?}", s.adequate[0]);
    assert_eq!(acc.commitment_active, vec![0]);
    assert!(s.commitments.iter().all(|c| c.activation.value == 0.0), "{:?}", s.commitments);
    // Regression: a commitment that obliges nobody was left out of the output; it is listed,
    // at activation 0 and with no honour rate.
    assert_eq!(s.commitments.len(), 1, "{:?}", s.commitments);
    assert_eq!(s.commitments[0].id, "c");
    assert!(s.commitments[0].honour.is_none());
    assert_eq!(s.credibility.value, 0.0);
}

/// A variant whose option `yes` (weight 0.3) has commitment `c`, and `no` (0.7) has none.
const VARIANT: &str = r#"
[[variant]]
id = "v"
question = "Does it exist?"

[[variant.option]]
id = "yes"
weight = 0.3
commitments = ["c"]

[[variant.option.evidence]]
source = "s"
quote = "q"

[[variant.option]]
id = "no"
weight = 0.7
commitments = []

[[variant.option.evidence]]
source = "s"
quote = "q"
"#;

#[test]
fn variants_are_sampled_by_weight() {
    // The commitment exists only in the `yes` reading (weight 0.3).
    let body = defend("c", r#"["G1"]"#) + VARIANT;
    let m = model(&body, "domestic = 0\nhonour = { treaty = 0.75 }");
    let s = summary(&m, RUNS, 16);
    let activation = s.commitments[0].activation;
    assert!(activation.low <= 0.3 && 0.3 <= activation.high, "{activation:?}");
    assert_adequate(&s, 0.3 * P);
}

#[test]
fn a_pinned_variant_is_always_chosen() {
    let spec = spec(&spec_text(&(defend("c", r#"["G1"]"#) + VARIANT), "domestic = 0\nhonour = { treaty = 0.75 }"));
    let (scenario, _) = lower_scenario(&scenario_text(""), &spec);
    let scenario = scenario.expect("the scenario lowers");
    let m = SimModel::build(&spec, &scenario, &[LONG], &[Some(0)]).expect("the model builds");
    assert_eq!(m.variants, vec![vec![1.0, 0.0]]);
    let s = summary(&m, 10_000, 22);
    assert_eq!(s.variants[0].1, vec![("yes".to_string(), 1.0), ("no".to_string(), 0.0)]);
    assert_eq!(s.commitments[0].activation.value, 1.0);
}

#[test]
fn the_modality_multiplies_the_honour_probability() {
    let body = defend("c", r#"["G1"]"#).replace("automatic", "constitutional");
    let m = model(&body, "domestic = 0\nhonour = { treaty = 0.75 }\nmodality = { constitutional = 0.8 }");
    assert!((m.pairs[0].honour - 0.6).abs() < 1e-12, "{:?}", m.pairs[0]);
    assert_adequate(&summary(&m, RUNS, 23), 0.6);
}

#[test]
fn certain_and_impossible_commitments() {
    for (p, expected) in [(1.0, 1.0), (0.0, 0.0)] {
        let m = model(&defend("c", r#"["G1"]"#), &format!("domestic = 0.5\nhonour = {{ treaty = {p} }}"));
        let s = summary(&m, 10_000, 24);
        assert_eq!(s.adequate[0].value, expected, "honour = {p}");
        assert_eq!(s.commitments[0].honour.expect("obliged").value, expected, "honour = {p}");
    }
}

#[test]
fn a_party_counts_once_however_many_commitments_it_has() {
    // The need is two honoured pledges. One party with two commitments never meets it (it
    // contributes its largest pledge, once); two parties meet it when both honour.
    let need = "[[requirement]]\ndomain = \"land\"\namount = \"2 pledges\"";
    let params = "domestic = 0\nhonour = { treaty = 0.75 }";
    let one = model_with(
        &spec_text(&(defend("c1", r#"["G1"]"#) + &defend("c2", r#"["G1"]"#)), params),
        &scenario_text(need),
        &[LONG],
    );
    let s = summary(&one, 10_000, 25);
    assert_eq!(s.adequate[0].value, 0.0);
    // Delivered counts G1 once: P(G1 honours c1 or c2) = 1 − (1 − p)².
    let q = 1.0 - (1.0 - P) * (1.0 - P);
    let delivered = s.delivered[0][0];
    assert!(delivered.low <= q && q <= delivered.high, "{delivered:?}");
    let two = model_with(
        &spec_text(&(defend("c1", r#"["G1"]"#) + &defend("c2", r#"["G2"]"#)), params),
        &scenario_text(need),
        &[LONG],
    );
    assert_adequate(&summary(&two, RUNS, 26), P * P);
}

#[test]
fn a_delay_at_the_median_halves_the_response() {
    // `defend` has a median delay of 14 days: at a horizon of 14 days half the responses are in time.
    let m = model_with(
        &spec_text(&defend("c", r#"["G1"]"#), "domestic = 0\nhonour = { treaty = 0.75 }"),
        &scenario_text(""),
        &[14.0, LONG],
    );
    let s = summary(&m, RUNS, 17);
    let e = s.adequate[0];
    let p = 0.5 * P;
    assert!(e.low <= p && p <= e.high, "P(adequate in 14 days) = {p} is outside {e:?}");
    assert_adequate(&s_at(&s, 1), P);
}

/// The summary with horizon `h` moved first (for `assert_adequate`).
fn s_at(s: &Summary, h: usize) -> Summary {
    let mut s = s.clone();
    s.adequate.swap(0, h);
    s
}

#[test]
fn realised_capacity_has_the_capacity_mean() {
    // A need of 100 troops; G1 pledges its capacity of 100 and delivers a Kumaraswamy share of it,
    // with mean 0.8: the mean adequacy is p · 0.8, and a full 100 is never delivered.
    let m = model_with(
        &spec_text(&defend("c", r#"["G1"]"#), "domestic = 0\nhonour = { treaty = 0.75 }"),
        &scenario_text("[[requirement]]\ndomain = \"land\"\namount = \"100 troops\""),
        &[LONG],
    );
    assert!(!m.needs[0].count);
    assert_eq!(m.pairs[0].pledge, vec![100.0]);
    let s = summary(&m, RUNS, 18);
    let adequacy = s.adequacy[0][0];
    let expected = P * m.capacity.mean;
    assert!((m.capacity.mean - 0.8).abs() < 1e-6, "{:?}", m.capacity);
    assert!(adequacy.low <= expected && expected <= adequacy.high, "mean adequacy {expected} outside {adequacy:?}");
    assert_eq!(s.adequate[0].value, 0.0);
    let delivered = s.delivered[0][0];
    assert!(delivered.low <= 100.0 * expected && 100.0 * expected <= delivered.high, "{delivered:?}");
}

#[test]
fn deterrence_follows_the_credibility() {
    // With a deterrence horizon past every delay, credibility is P(honoured) for a counted need,
    // and P(deterred) = Φ((cost · credibility − gain) / noise), its interval mapped from credibility's.
    let params =
        "domestic = 0\nhonour = { treaty = 0.75 }\ndeterrence = { gain = 0.5, cost = 1, noise = 0.25, horizon = 3650 }";
    let m = model(&defend("c", r#"["G1"]"#), params);
    let s = summary(&m, RUNS, 19);
    let c = s.credibility;
    assert!(c.low <= P && P <= c.high, "credibility {c:?}");
    let phi = |x: f64| Normal::standard().cdf((x - 0.5) / 0.25);
    assert!((s.deterred.value - phi(c.value)).abs() < 1e-12, "{:?}", s.deterred);
    assert!((s.deterred.low - phi(c.low)).abs() < 1e-12, "{:?}", s.deterred);
    assert!((s.deterred.high - phi(c.high)).abs() < 1e-12, "{:?}", s.deterred);
    assert!(s.deterred.low <= phi(P) && phi(P) <= s.deterred.high);
}

#[test]
fn escalation_is_a_delivered_commitment_crossing_a_threat_red_line() {
    let body = defend("c", r#"["G1"]"#)
        + r#"
[[red_line]]
id = "no-defenders"
party = "RU"
kind = "threat"
statement = "Defenders would be targets."
matches = { kinds = ["defend"] }
response = "strike"
strength = "statement"

[[red_line.evidence]]
source = "s"
quote = "q"
"#;
    let params = "domestic = 0\nhonour = { treaty = 0.75 }\ndeterrence = { horizon = 3650 }";
    let m = model(&body, params);
    assert_eq!(m.outcomes[0].escalating, vec![0]);
    let s = summary(&m, RUNS, 20);
    let e = s.escalation;
    assert!(e.low <= P && P <= e.high, "P(escalation) {e:?}");
}

#[test]
fn the_interval_shrinks_as_one_over_root_n() {
    let m = model(&defend("c", r#"["G1"]"#), "domestic = 0\nhonour = { treaty = 0.75 }");
    let n = 4 * ironclad_sim::CHUNK;
    let narrow = summary(&m, 4 * n, 21).adequate[0].half_width();
    let wide = summary(&m, n, 21).adequate[0].half_width();
    let ratio = wide / narrow;
    assert!((ratio - 2.0).abs() <= 0.1, "half-widths {wide} at N and {narrow} at 4N: ratio {ratio}");
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a rayon pool").install(f)
}

/// A model with every kind of randomness: a variant, correlated and independent guarantors,
/// delays that matter, capacity, and a red line.
fn busy_model() -> SimModel {
    let body = defend("c", r#"["G1", "G2"]"#)
        + r#"
[[commitment]]
id = "aid"
by = ["G2"]
to = ["UA"]
kind = "supply"
domains = ["land"]
trigger = "armed_attack where attacker == RU and target == UA"
modality = "discretionary"
strength = "statement"

[[commitment.evidence]]
source = "s"
quote = "q"

[[variant]]
id = "v"
question = "Does the aid exist?"

[[variant.option]]
id = "yes"
weight = 0.4
commitments = ["aid"]

[[variant.option.evidence]]
source = "s"
quote = "q"

[[variant.option]]
id = "no"
weight = 0.6

[[variant.option.evidence]]
source = "s"
quote = "q"
"#;
    let params = r#"domestic = 0.3
[[model.factor]]
id = "west"
parties = ["G1", "G2"]
loading = 0.6
"#;
    model_with(
        &spec_text(&body, params),
        &scenario_text("[[requirement]]\ndomain = \"land\"\namount = \"120 troops\""),
        &[7.0, 30.0, 90.0],
    )
}

/// More than three chunks, the last one partial.
const SPLIT_RUNS: u64 = 3 * ironclad_sim::CHUNK + 123;

#[test]
fn the_same_seed_gives_the_same_result_on_any_number_of_threads() {
    let m = busy_model();
    let one = in_pool(1, || run(&m, SPLIT_RUNS, 42));
    let two = in_pool(2, || run(&m, SPLIT_RUNS, 42));
    assert_eq!(one, two);
    assert_eq!(one.runs, SPLIT_RUNS);
    let json = |acc: &Acc| serde_json::to_string(&summarise(&m, acc, 42)).expect("serialises");
    assert_eq!(json(&one), json(&two));
    assert_eq!(serde_json::to_string(&one).expect("serialises"), serde_json::to_string(&two).expect("serialises"));
}

#[test]
fn shards_merge_into_the_unsplit_run() {
    let m = busy_model();
    let whole = run(&m, SPLIT_RUNS, 42);
    let shard = |k| simulate(&m, RunOptions { runs: SPLIT_RUNS, seed: 42, shard: (k, 2) }, &|_| {}, None);
    let (a, b) = (shard(0), shard(1));
    assert_eq!(a.runs + b.runs, SPLIT_RUNS);
    assert_eq!(a.clone().merge(&b), whole);
    assert_eq!(b.merge(&a), whole, "merging is order-free");
    let three: Vec<Acc> =
        (0..3).map(|k| simulate(&m, RunOptions { runs: SPLIT_RUNS, seed: 42, shard: (k, 3) }, &|_| {}, None)).collect();
    assert_eq!(three.iter().fold(Acc::new(&m), |acc, part| acc.merge(part)), whole);
}

#[test]
fn different_seeds_give_different_results() {
    let m = busy_model();
    let a = run(&m, SPLIT_RUNS, 1);
    let b = run(&m, SPLIT_RUNS, 2);
    assert_ne!(a, b);
    assert_ne!(a.adequacy, b.adequacy);
}

#[test]
fn records_match_the_accumulator() {
    let m = busy_model();
    let mut records = Vec::new();
    let mut sink = |batch: Vec<ironclad_sim::Record>| records.extend(batch);
    let acc =
        in_pool(2, || simulate(&m, RunOptions { runs: SPLIT_RUNS, seed: 5, shard: (0, 1) }, &|_| {}, Some(&mut sink)));
    assert_eq!(acc, run(&m, SPLIT_RUNS, 5), "recording does not change the draws");
    assert_eq!(records.len() as u64, SPLIT_RUNS);
    assert!(records.iter().enumerate().all(|(i, r)| r.run == i as u64), "records come in run order");
    for h in 0..m.horizons.len() {
        let adequate = records.iter().filter(|r| r.adequate_all[h]).count() as u64;
        assert_eq!(adequate, acc.adequate_all[h]);
    }
    let escalations = records.iter().filter(|r| r.escalation).count() as u64;
    assert_eq!(escalations, acc.escalation);
}

/// Regression: Σ delivered² was a u128 of raw amounts in fixed point, which one run delivering
/// 10tn nearly filled; the sums now hold delivered / required, whatever the unit.
#[test]
fn large_money_needs_do_not_overflow_the_accumulators() {
    let body = r#"
[[party]]
id = "G3"
capacity = { financing = "10tn EUR" }

[[commitment]]
id = "money"
by = ["G3"]
to = ["UA"]
kind = "finance"
domains = ["financing"]
trigger = "armed_attack where attacker == RU and target == UA"
modality = "automatic"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"
"#;
    let m = model_with(
        &spec_text(body, "honour = { treaty = 1.0 }"),
        &scenario_text("[[requirement]]\ndomain = \"financing\"\namount = \"10tn EUR\""),
        &[LONG],
    );
    let s = summary(&m, ironclad_sim::CHUNK, 27);
    let delivered = s.delivered[0][0];
    // Every run delivers a Kumaraswamy share of 10tn: the interval has a positive width.
    assert!(delivered.high > delivered.low, "{delivered:?}");
    let expected = 1e13 * m.capacity.mean;
    assert!(delivered.low <= expected && expected <= delivered.high, "{delivered:?}");
}

// ----- two stages: draws, then evaluation for a participation ----------------------------------

use ironclad_sim::{Control, Participation, Structure, simulate_chunks};

fn run_for(m: &SimModel, part: &Participation, runs: u64, seed: u64) -> Acc {
    simulate_chunks(m, seed, runs, 0..runs.div_ceil(ironclad_sim::CHUNK), part, Control::none(), None)
        .expect("no cancellation")
}

fn party_index(m: &SimModel, id: &str) -> usize {
    m.pairs.iter().find(|p| p.party == id).map(|p| p.party_index).expect("the party has pairs")
}

#[test]
fn a_mask_of_every_party_gives_the_plain_run_bit_for_bit() {
    let m = busy_model();
    let plain = run(&m, SPLIT_RUNS, 42);
    assert_eq!(run_for(&m, &Participation::all(&m), SPLIT_RUNS, 42), plain);
    assert_eq!(run_for(&m, &Participation::parties(&m, u128::MAX), SPLIT_RUNS, 42), plain);
    let everyone = vec![true; m.parties];
    assert_eq!(
        run_for(&m, &Participation::new(&m, &everyone, &vec![true; m.commitments.len()]), SPLIT_RUNS, 42),
        plain
    );
}

#[test]
fn a_party_without_pairs_changes_nothing() {
    let m = busy_model();
    // UA (index 0) and RU (index 1) oblige nobody in this framework.
    assert!(m.pairs.iter().all(|p| p.party != "UA" && p.party != "RU"));
    let without = Participation::parties(&m, !0b11u128);
    assert_eq!(run_for(&m, &without, SPLIT_RUNS, 42), run(&m, SPLIT_RUNS, 42));
}

#[test]
fn an_absent_party_does_not_act_and_shifts_no_one_elses_numbers() {
    let m = busy_model();
    let g2 = party_index(&m, "G2");
    let full = run(&m, SPLIT_RUNS, 42);
    let without = run_for(&m, &Participation::parties(&m, !(1u128 << g2)), SPLIT_RUNS, 42);
    for (i, p) in m.pairs.iter().enumerate() {
        // Obligations stand (the replay does not depend on participation)...
        assert_eq!(without.pair_active[i], full.pair_active[i], "{}", p.party);
        if p.party_index == g2 {
            // ...but the absent party never acts,
            assert_eq!(without.pair_honoured[i], 0);
        } else {
            // and every other pair draws exactly the numbers it drew before.
            assert_eq!(without.pair_honoured[i], full.pair_honoured[i], "{}", p.party);
        }
    }
    for h in 0..m.horizons.len() {
        assert!(without.adequate_all[h] <= full.adequate_all[h], "removing a guarantor cannot help");
    }
    assert!(without.adequate_all.iter().sum::<u64>() < full.adequate_all.iter().sum::<u64>());
}

#[test]
fn reparameterising_the_structure_equals_building_from_scratch() {
    let text = spec_text(&defend("d", r#"["G1", "G2"]"#), "domestic = 0.3");
    let spec = spec(&text);
    let (scenario, _) = lower_scenario(&scenario_text(""), &spec);
    let scenario = scenario.expect("valid");
    let structure = Structure::build(&spec, &scenario).expect("builds");
    let built = SimModel::build(&spec, &scenario, &[7.0, 30.0], &[]).expect("builds");
    let cheap = structure.parameterise(&spec.params, &[7.0, 30.0], &[]).expect("parameterises");
    let json = |m: &SimModel| serde_json::to_string(m).expect("serialises");
    assert_eq!(json(&cheap), json(&built));
    // Other parameters: other priors, the same pairs (so keyed random numbers line up).
    let mut params = spec.params.clone();
    params.honour = [0.5; 5];
    let other = structure.parameterise(&params, &[7.0, 30.0], &[]).expect("parameterises");
    assert_eq!(other.pairs.len(), built.pairs.len());
    assert!(other.pairs.iter().zip(&built.pairs).all(|(a, b)| a.commitment == b.commitment && a.party == b.party));
    assert!(other.pairs.iter().all(|p| p.honour == 0.5));
    // And the spec's own parameters give the documented priors: treaty 0.745, automatic 1.
    assert!(cheap.pairs.iter().all(|p| (p.honour - 0.745).abs() < 1e-12), "{:?}", cheap.pairs);
    let z = Normal::standard().inverse_cdf(0.745);
    assert!(cheap.pairs.iter().all(|p| (p.threshold - z).abs() < 1e-12));
}

/// Regression: the per-horizon mask was a `u32`, so a 33rd horizon wrapped (release) or
/// panicked (debug). Keyed draws do not depend on the horizon list, so a horizon's figures are
/// the same whether it is asked alone or as the 40th of 40.
#[test]
fn forty_horizons_are_served_and_more_than_sixty_three_are_refused() {
    let body = defend("d", r#"["G1", "G2"]"#);
    let text = spec_text(&body, "delay = { defend = { median = 30, spread = 1.0 } }");
    // 63 horizons: the deterrence horizon then takes the mask's last bit.
    let all: Vec<f64> = (1..=63).map(|k| f64::from(k) * 2.0).collect();
    assert_eq!(run(&model_with(&text, &scenario_text(""), &all), 2000, 9).adequate_all.len(), 63);
    let horizons: Vec<f64> = (1..=40).map(|k| f64::from(k) * 3.0).collect();
    let many = model_with(&text, &scenario_text(""), &horizons);
    let alone = model_with(&text, &scenario_text(""), &[120.0]);
    let (a, b) = (run(&many, 5000, 9), run(&alone, 5000, 9));
    assert_eq!(a.adequate_all[39], b.adequate_all[0]);
    assert!(a.adequate_all.windows(2).all(|w| w[0] <= w[1]), "later horizons are never worse");
    let spec = spec(&text);
    let (scenario, _) = lower_scenario(&scenario_text(""), &spec);
    let too_many: Vec<f64> = (1..=64).map(f64::from).collect();
    let err = SimModel::build(&spec, &scenario.expect("valid"), &too_many, &[]).expect_err("64 horizons");
    assert_eq!(err, ironclad_sim::model::ModelError::TooManyHorizons(64));
}

/// Two guarantors whose will is one shared factor: their pairs of one run honour together, so
/// an interval that treats (pair, run) as independent is too narrow. The run-clustered interval
/// covers the true rate about 95 % of the time; the naive one does not.
#[test]
fn honour_intervals_are_clustered_by_run() {
    let params = "domestic = 0\nhonour = { treaty = 0.6 }\n[[model.factor]]\nid = \"west\"\nparties = [\"G1\", \"G2\"]\nloading = 1.0\n";
    let m = model(&defend("d", r#"["G1", "G2"]"#), params);
    let c = m.commitments.iter().position(|c| c == "d").expect("d");
    let (mut clustered, mut naive) = (0, 0);
    let replicates = 400;
    for seed in 0..replicates {
        let acc = run(&m, 200, 1000 + seed);
        let s = summarise(&m, &acc, seed);
        let e = s.commitments[c].honour.expect("obliged");
        clustered += usize::from(e.low <= 0.6 && 0.6 <= e.high);
        let w = ironclad_sim::stats::wilson(acc.commitment_honoured[c], acc.commitment_pairs[c]);
        naive += usize::from(w.low <= 0.6 && 0.6 <= w.high);
    }
    let (clustered, naive) = (clustered as f64 / replicates as f64, naive as f64 / replicates as f64);
    assert!((0.92..=0.98).contains(&clustered), "clustered coverage {clustered}");
    assert!(naive < 0.9, "the pair-level interval should undercover here: {naive}");
}

/// One draw per run, scored for several participations, equals a full simulation of each.
#[test]
fn draws_once_scored_for_many_participations_equal_separate_runs() {
    use ironclad_sim::Runner;
    let m = busy_model();
    let g1 = party_index(&m, "G1");
    let parts = [Participation::all(&m), Participation::parties(&m, !(1u128 << g1)), Participation::parties(&m, 0)];
    let runner = Runner::new(&m);
    let mut draws = runner.draws();
    let mut scratch: Vec<_> = parts.iter().map(|_| runner.scratch()).collect();
    let mut accs: Vec<Acc> = parts.iter().map(|_| Acc::new(&m)).collect();
    for run in 0..SPLIT_RUNS {
        runner.draw(42, run, &mut draws);
        for ((part, s), acc) in parts.iter().zip(&mut scratch).zip(&mut accs) {
            runner.evaluate(&draws, part, s, acc);
        }
        if (run + 1) % ironclad_sim::CHUNK == 0 {
            for (s, acc) in scratch.iter_mut().zip(&mut accs) {
                runner.fold(s, acc);
            }
        }
    }
    for (s, acc) in scratch.iter_mut().zip(&mut accs) {
        runner.fold(s, acc);
    }
    for (part, acc) in parts.iter().zip(&accs) {
        assert_eq!(*acc, run_for(&m, part, SPLIT_RUNS, 42));
    }
    assert_eq!(accs[2].adequate_all, vec![0; m.horizons.len()], "nobody acts, nothing is adequate");
}

#[test]
fn shard_ranges_tile_the_chunks_in_order_for_any_count() {
    use ironclad_sim::shard_chunks;
    for runs in [1u64, 4096, 4097, 3 * 4096 + 5, 10_000_000] {
        let chunks = runs.div_ceil(ironclad_sim::CHUNK);
        for count in [1, 2, 3, 7, chunks, chunks + 5] {
            let mut at = 0;
            for k in 0..count {
                let r = shard_chunks(runs, k, count);
                assert_eq!(r.start, at, "runs {runs}, shard {k}/{count}");
                assert!(r.end >= r.start && r.end - r.start <= chunks.div_ceil(count));
                at = r.end;
            }
            assert_eq!(at, chunks, "runs {runs}, {count} shards");
        }
    }
    // Regression: `total * index` overflowed u64 for huge shard counts.
    let huge = u64::MAX / 3;
    let r = shard_chunks(9000, huge - 1, huge);
    assert!(r.start <= r.end && r.end <= 3, "{r:?}");
}
