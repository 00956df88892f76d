//! `attribute`: Shapley axioms on the flagship and on tiny frameworks, exact against sampled,
//! reproducibility across threads, and the per-party delivery against full evaluation.

use ironclad::Files;
use ironclad::attribute::{AttributeReport, Request, attribute, model};
use ironclad::sim::{Acc, Participation, Runner, SimModel, Structure};
use ironclad::spec::Spec;
use ironclad::spec::scenario::Scenario;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn flagship() -> (Spec, Scenario) {
    let mut files = Files::new();
    let spec_id = files.read(&root().join("frameworks/coalition-2025.toml"));
    let spec = files.spec(spec_id).valid().expect("the flagship is valid").clone();
    let scenario_path = root().join("frameworks").join(spec.framework.scenario.clone().expect("a default scenario"));
    let scenario_id = files.read(&scenario_path);
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (spec, scenario)
}

/// UA protected, RU the threat; `guarantors` G1, G2, … defend UA on land (treaty), G0 has
/// capacity but no commitment; the need is one honoured pledge on land.
fn tiny(guarantors: usize, model: &str) -> (Spec, Scenario) {
    let mut text = String::from(
        r#"
[framework]
id = "tiny"
title = "Tiny"
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
id = "G0"
capacity = { land = "100 troops" }
"#,
    );
    for g in 1..=guarantors {
        text += &format!("\n[[party]]\nid = \"G{g}\"\ncapacity = {{ land = \"100 troops\" }}\n");
    }
    for g in 1..=guarantors {
        text += &format!(
            r#"
[[commitment]]
id = "c{g}"
by = ["G{g}"]
to = ["UA"]
kind = "defend"
domains = ["land"]
trigger = "armed_attack where attacker == RU and target == UA"
modality = "automatic"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"
"#
        );
    }
    text += &format!("\n[model]\n{model}\n");
    let scenario = r#"
[scenario]
id = "attack"
title = "One attack"
framework = "tiny"

[[event]]
day = 0
kind = "armed_attack"
attacker = "RU"
target = "UA"
region = "UA"
domains = ["land"]
"#;
    let mut files = Files::new();
    let spec_id = files.add("tiny.toml", text);
    let spec = files.spec(spec_id).valid().expect("the tiny spec is valid").clone();
    let scenario_id = files.add("attack.toml", scenario);
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (spec, scenario)
}

fn run(spec: &Spec, scenario: &Scenario, request: &Request, threads: usize) -> AttributeReport {
    let structure = Structure::build(spec, scenario).expect("the structure builds");
    let m = model(&structure, spec, request).expect("the model builds");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| attribute(spec, &m, request)).expect("the attribution runs")
}

fn value(r: &AttributeReport, party: &str) -> ironclad::sim::Estimate {
    r.values.iter().find(|v| v.party == party).expect("the party is listed").shapley
}

#[test]
fn efficiency_holds_on_the_flagship_for_every_metric() {
    let (spec, scenario) = flagship();
    for metric in ["adequate", "credibility", "deterred", "delivered:land"] {
        let request = Request { metric: metric.into(), runs: Some(2000), ..Request::default() };
        let r = run(&spec, &scenario, &request, 2);
        assert_eq!(r.method, "exact");
        assert!(r.efficiency_gap.abs() < 1e-9, "{metric}: gap {}", r.efficiency_gap);
        let sum: f64 = r.values.iter().map(|v| v.shapley.value).sum();
        assert!((sum - (r.v_all.value - r.v_none.value)).abs() < 1e-9);
        for v in r.values.iter().filter(|v| v.null) {
            assert_eq!(v.shapley.value, 0.0, "{}", v.party);
        }
    }
}

#[test]
fn identical_guarantors_get_equal_values_and_a_party_without_pairs_gets_zero() {
    // Certain honour: both deliver in every run, so the estimated game itself is symmetric.
    let (spec, scenario) = tiny(2, "domestic = 0\nhonour = { treaty = 1.0 }");
    let r = run(&spec, &scenario, &Request { horizon: Some(100_000.0), runs: Some(500), ..Request::default() }, 1);
    assert_eq!(value(&r, "G1").value, value(&r, "G2").value);
    assert!((value(&r, "G1").value - 0.5).abs() < 1e-12);
    // Random honour: equal in expectation, so within their intervals.
    let (spec, scenario) = tiny(2, "domestic = 0\nhonour = { treaty = 0.75 }");
    let r = run(&spec, &scenario, &Request { horizon: Some(100_000.0), runs: Some(20_000), ..Request::default() }, 2);
    let (a, b) = (value(&r, "G1"), value(&r, "G2"));
    assert!((a.value - b.value).abs() <= a.half_width() + b.half_width(), "{a:?} {b:?}");
    // v(S) = P(someone in S honours): v(N) = 1 − 0.25², φ = v(N)/2 each.
    let exact = (1.0 - 0.0625) / 2.0;
    assert!(a.low - 0.01 <= exact && exact <= a.high + 0.01, "{a:?}");
    for party in ["G0", "UA", "RU"] {
        let row = r.values.iter().find(|v| v.party == party).unwrap();
        assert!(row.null);
        assert_eq!(row.shapley.value, 0.0);
        assert_eq!((row.shapley.low, row.shapley.high), (0.0, 0.0));
    }
    assert_eq!(r.players, ["G1", "G2"]);
}

#[test]
fn a_player_that_never_delivered_in_the_runs_keeps_an_interval_above_zero() {
    // Honour one in a million: in 2000 runs nobody delivers, so every per-run figure is 0. The
    // truth is not 0 (each φ is about 10⁻⁶), and "not once in 2000 runs" bounds it only by the
    // rule of three: φ ≤ (1 − 0.05^(1/2000)) ≈ 3/2000 of its range.
    let (spec, scenario) = tiny(2, "domestic = 0\nhonour = { treaty = 0.000001 }");
    for precision in [None, Some(0.01)] {
        let request = Request { horizon: Some(100_000.0), runs: Some(2000), precision, ..Request::default() };
        let r = run(&spec, &scenario, &request, 2);
        let n = if precision.is_some() { r.sampling.as_ref().expect("sampled").units as f64 } else { 2000.0 };
        let u = 1.0 - 0.05f64.powf(1.0 / n);
        for g in ["G1", "G2"] {
            let e = value(&r, g);
            assert_eq!(e.value, 0.0, "{g}: {e:?}");
            assert!((e.high - u).abs() < 1e-12 && (e.low + u).abs() < 1e-12, "{g}: {e:?}, u = {u}");
        }
        assert!(r.v_all.value == 0.0 && r.v_all.high > 0.0, "{:?}", r.v_all);
        // v(∅) and the parties without pairs are 0 by construction: no width.
        assert_eq!((r.v_none.low, r.v_none.high), (0.0, 0.0));
        let g0 = r.values.iter().find(|v| v.party == "G0").unwrap();
        assert_eq!((g0.shapley.low, g0.shapley.high), (0.0, 0.0));
        if precision.is_none() {
            let loss = r.leave_one_out.iter().find(|l| l.party == "G1").unwrap().loss;
            assert!(loss.high > 0.0, "{loss:?}");
        }
    }
}

#[test]
fn exact_and_sampled_values_agree_within_their_intervals() {
    let (spec, scenario) = tiny(4, "domestic = 0.3\nhonour = { treaty = 0.6 }");
    let base = Request { horizon: Some(100_000.0), runs: Some(20_000), ..Request::default() };
    let exact = run(&spec, &scenario, &base, 2);
    let sampled = run(&spec, &scenario, &Request { precision: Some(0.01), ..base.clone() }, 2);
    assert_eq!(exact.method, "exact");
    assert_eq!(sampled.method, "sampled");
    assert!(sampled.sampling.as_ref().unwrap().precision_reached);
    for g in ["G1", "G2", "G3", "G4"] {
        let (e, s) = (value(&exact, g), value(&sampled, g));
        let tolerance = 1.5 * (e.half_width().powi(2) + s.half_width().powi(2)).sqrt();
        assert!((e.value - s.value).abs() <= tolerance, "{g}: exact {e:?} sampled {s:?}");
        assert!(s.half_width() <= 0.01 + 1e-12);
    }
}

#[test]
fn the_same_seed_gives_the_same_bits_on_one_and_two_threads() {
    let (spec, scenario) = flagship();
    let request = Request { runs: Some(1500), seed: 7, ..Request::default() };
    let one = serde_json::to_string(&run(&spec, &scenario, &request, 1)).unwrap();
    let two = serde_json::to_string(&run(&spec, &scenario, &request, 2)).unwrap();
    assert_eq!(one, two);
    let (spec, scenario) = tiny(3, "domestic = 0.3\nhonour = { treaty = 0.6 }");
    let request = Request { precision: Some(0.02), horizon: Some(100_000.0), runs: Some(1000), ..Request::default() };
    let one = serde_json::to_string(&run(&spec, &scenario, &request, 1)).unwrap();
    let two = serde_json::to_string(&run(&spec, &scenario, &request, 2)).unwrap();
    assert_eq!(one, two);
}

#[test]
fn bad_metrics_are_usage_errors() {
    let (spec, scenario) = tiny(2, "domestic = 0");
    let structure = Structure::build(&spec, &scenario).unwrap();
    for metric in ["nope", "adequate:cyber", "delivered:cyber", "delivered"] {
        let request = Request { metric: metric.into(), ..Request::default() };
        let m = model(&structure, &spec, &request).unwrap();
        assert!(matches!(attribute(&spec, &m, &request), Err(ironclad::Error::Usage(_))), "{metric}");
    }
    // `deterred` is exact only: no precision, and at most MAX_EXACT_PLAYERS players.
    let request = Request { metric: "deterred".into(), precision: Some(0.01), ..Request::default() };
    let m = model(&structure, &spec, &request).unwrap();
    assert!(matches!(attribute(&spec, &m, &request), Err(ironclad::Error::Usage(_))));
    let (spec, scenario) = tiny(ironclad::attribute::MAX_EXACT_PLAYERS + 1, "domestic = 0");
    let structure = Structure::build(&spec, &scenario).unwrap();
    let request = Request { metric: "deterred".into(), runs: Some(10), ..Request::default() };
    let m = model(&structure, &spec, &request).unwrap();
    match attribute(&spec, &m, &request) {
        Err(ironclad::Error::Unservable(e)) => assert!(e.contains("at most 20 players"), "{e}"),
        other => panic!("expected Unservable, got {other:?}"),
    }
}

/// Brute force: every coalition's mean credibility from the per-party deliveries, Φ of it, and
/// the Shapley formula over all coalitions — against `attribute --metric deterred`.
#[test]
fn deterred_values_equal_the_shapley_values_of_phi_of_each_coalitions_mean_credibility() {
    use statrs::distribution::{ContinuousCDF, Normal};
    let (spec, scenario) = tiny(3, "domestic = 0.3\nhonour = { treaty = 0.6 }");
    let request = Request { metric: "deterred".into(), runs: Some(3000), seed: 11, ..Request::default() };
    let r = run(&spec, &scenario, &request, 2);
    assert_eq!(r.method, "exact");
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m = model(&structure, &spec, &request).unwrap();
    let runner = Runner::new(&m);
    let needs = m.needs.len();
    let players = ironclad::attribute::players(&m);
    let n = players.len();
    assert_eq!(n, 3);
    let mut d = runner.draws();
    let mut best = vec![0.0; m.parties * needs];
    let mut cred = vec![0.0; 1 << n];
    for run in 0..3000 {
        runner.draw(11, run, &mut d);
        runner.party_delivery(&d, 1, &mut best);
        for (s, c) in cred.iter_mut().enumerate() {
            let mut sums = vec![0.0; needs];
            for (k, &p) in players.iter().enumerate() {
                if s & 1 << k != 0 {
                    sums.iter_mut().enumerate().for_each(|(i, x)| *x += best[p * needs + i]);
                }
            }
            *c += sums.iter().zip(&m.needs).map(|(x, need)| (x / need.required).min(1.0)).sum::<f64>() / needs as f64;
        }
    }
    let dt = m.deterrence;
    let v: Vec<f64> = cred
        .iter()
        .map(|c| Normal::standard().cdf((dt.cost * (c / 3000.0).clamp(0.0, 1.0) - dt.gain) / dt.noise))
        .collect();
    let fact = |k: usize| (1..=k).product::<usize>() as f64;
    for (k, &p) in players.iter().enumerate() {
        let phi: f64 = (0..1usize << n)
            .filter(|s| s & 1 << k == 0)
            .map(|s| {
                let size = s.count_ones() as usize;
                fact(size) * fact(n - size - 1) / fact(n) * (v[s | 1 << k] - v[s])
            })
            .sum();
        let got = value(&r, &spec.parties[p].id);
        assert!((got.value - phi).abs() < 1e-9, "{}: {} vs brute force {phi}", spec.parties[p].id, got.value);
        assert!(got.low < got.value && got.value < got.high, "{got:?}");
    }
    assert!((r.v_all.value - v[(1 << n) - 1]).abs() < 1e-12);
    assert!((r.v_none.value - v[0]).abs() < 1e-12);
    assert!(r.efficiency_gap.abs() < 1e-9);
    // Three identical guarantors: a nonlinear game, so interactions are not zero.
    assert!(r.interactions.iter().all(|i| i.value.value.abs() > 1e-6), "{:?}", r.interactions);
}

/// The delta-method intervals of `deterred` are valid over runs: across independent seeds, the
/// spread of the estimates matches the reported half-widths, and the intervals cover the value
/// a run count 50 times larger gives.
#[test]
fn deterred_intervals_match_the_spread_over_seeds_and_cover() {
    let (spec, scenario) = tiny(3, "domestic = 0.5\nhonour = { treaty = 0.5 }");
    let reference = run(
        &spec,
        &scenario,
        &Request { metric: "deterred".into(), runs: Some(40_000), seed: 999, ..Request::default() },
        2,
    );
    let truth = value(&reference, "G1").value;
    let seeds = 60u64;
    let (mut xs, mut halves, mut covered) = (Vec::new(), Vec::new(), 0);
    for seed in 0..seeds {
        let r = run(
            &spec,
            &scenario,
            &Request { metric: "deterred".into(), runs: Some(800), seed, ..Request::default() },
            2,
        );
        let e = value(&r, "G1");
        xs.push(e.value);
        halves.push(e.half_width());
        covered += usize::from(e.low <= truth && truth <= e.high);
    }
    let mean = xs.iter().sum::<f64>() / seeds as f64;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64).sqrt();
    let reported = halves.iter().sum::<f64>() / seeds as f64 / 1.959_963_984_540_054;
    let ratio = sd / reported;
    assert!((0.7..1.4).contains(&ratio), "spread over seeds {sd} vs reported sd {reported} (ratio {ratio})");
    assert!(covered as f64 / seeds as f64 >= 0.85, "coverage {covered} of {seeds}");
}

/// Delivered amounts are additive: φ is each party's own mean delivery (here honoured pledges,
/// the unit of the tiny need), every interaction is 0.
#[test]
fn delivered_values_are_each_partys_mean_delivery() {
    let (spec, scenario) = tiny(3, "domestic = 0.3\nhonour = { treaty = 0.6 }");
    let request =
        Request { metric: "delivered:land".into(), horizon: Some(100_000.0), runs: Some(2000), ..Request::default() };
    let r = run(&spec, &scenario, &request, 2);
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m = model(&structure, &spec, &request).unwrap();
    let runner = Runner::new(&m);
    let mut d = runner.draws();
    let mut best = vec![0.0; m.parties * m.needs.len()];
    let mut mean = vec![0.0; m.parties];
    for run in 0..2000 {
        runner.draw(request.seed, run, &mut d);
        runner.party_delivery(&d, 0, &mut best);
        mean.iter_mut().zip(&best).for_each(|(a, b)| *a += b / 2000.0);
    }
    for g in ["G1", "G2", "G3"] {
        let p = spec.parties.iter().position(|x| x.id == g).unwrap();
        assert!((value(&r, g).value - mean[p]).abs() < 1e-9, "{g}");
        // The need counts honoured pledges (honour 0.6), so the mean is near 0.6.
        assert!((0.5..0.7).contains(&mean[p]), "{g}: {}", mean[p]);
    }
    assert!(r.interactions.iter().all(|i| i.value.value.abs() < 1e-9));
    assert!(r.efficiency_gap.abs() < 1e-9);
    assert!(r.metric_text.contains(&m.needs[0].unit), "{}", r.metric_text);
}

/// Coalition figures from the per-party deliveries equal a run evaluated with that
/// participation, bit for bit.
#[test]
fn party_delivery_sums_reproduce_the_evaluation_of_every_coalition() {
    let (spec, scenario) = flagship();
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m: SimModel = structure.parameterise(&spec.params, &[30.0], &vec![None; spec.variants.len()]).unwrap();
    let runner = Runner::new(&m);
    let needs = m.needs.len();
    let mut d = runner.draws();
    let mut best = vec![0.0; m.parties * needs];
    let runs = 300u64;
    let masks: Vec<u128> = vec![0, u128::MAX, 0b1010_1010_1010, 0b0101_0101_0101, 0b1100, 0b11_0000_0110];
    for mask in masks {
        let part = Participation::parties(&m, mask);
        let mut acc = Acc::new(&m);
        let mut records = Vec::new();
        runner.chunk(3, 0, runs, &part, &mut acc, Some(&mut records));
        for rec in &records {
            runner.draw(3, rec.run, &mut d);
            for (h, flag) in [(0usize, Some(rec.adequate_all[0])), (1, None)] {
                runner.party_delivery(&d, h, &mut best);
                let mut sums = vec![0.0; needs];
                for p in (0..m.parties).filter(|&p| p < 128 && mask & (1 << p) != 0) {
                    for (n, s) in sums.iter_mut().enumerate() {
                        *s += best[p * needs + n];
                    }
                }
                match flag {
                    Some(all) => {
                        assert_eq!(sums.iter().zip(&m.needs).all(|(s, n)| *s >= n.required), all);
                        for (n, need) in m.needs.iter().enumerate() {
                            assert_eq!((sums[n] / need.required).min(1.0), rec.adequacy[n], "run {} need {n}", rec.run);
                        }
                    }
                    None => {
                        let c = sums.iter().zip(&m.needs).map(|(s, n)| (s / n.required).min(1.0)).sum::<f64>()
                            / needs as f64;
                        assert_eq!(c, rec.credibility, "run {}", rec.run);
                    }
                }
            }
        }
    }
}

/// `delivered:NEED` is in the need's unit: the same runs in a unit 2²¹ times larger (every
/// pledge 2⁻²¹ of what it was) give every figure and every interval 2⁻²¹ of its size. A figure
/// that varies from run to run keeps its normal interval at that scale, though its variance
/// (≈ 0.24 · 2⁻⁴² for a φ) is below the threshold of "no variance" on a range of width 1
/// (2⁻⁴⁰); it is above the fixed point's floor (2⁻⁴⁶), below which no sum can tell.
#[test]
fn delivered_intervals_scale_with_the_unit() {
    let (spec, scenario) = tiny(3, "domestic = 0.3\nhonour = { treaty = 0.6 }");
    let request =
        Request { metric: "delivered:land".into(), horizon: Some(100_000.0), runs: Some(2000), ..Request::default() };
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m = model(&structure, &spec, &request).unwrap();
    let scale = 2f64.powi(-21);
    let mut small = m.clone();
    small.pairs.iter_mut().for_each(|p| p.pledge.iter_mut().for_each(|x| *x *= scale));
    small.needs.iter_mut().for_each(|n| n.required *= scale);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let (a, b) =
        pool.install(|| (attribute(&spec, &m, &request).unwrap(), attribute(&spec, &small, &request).unwrap()));
    let same = |x: ironclad::sim::Estimate, y: ironclad::sim::Estimate, what: &str| {
        for (p, q) in [(x.value, y.value), (x.low, y.low), (x.high, y.high)] {
            assert!((p * scale - q).abs() <= 1e-9 * scale, "{what}: {x:?} at 2⁻²¹ is {y:?}");
        }
    };
    same(a.v_all, b.v_all, "v(N)");
    for g in ["G1", "G2", "G3"] {
        assert!(value(&a, g).high - value(&a, g).low > 0.0);
        same(value(&a, g), value(&b, g), g);
    }
    for (x, y) in a.leave_one_out.iter().zip(&b.leave_one_out) {
        same(x.loss, y.loss, &x.party);
    }
}

/// Intervals stay in the range of what they estimate: on few runs the normal (or delta-method)
/// half-width exceeds the figure, and a probability's interval must not pass below 0 or above 1
/// (audit 12: v(N) of `adequate` at 100 runs was 0.020 [−0.008, 0.048]).
#[test]
fn intervals_stay_in_the_range_of_what_they_estimate() {
    let (spec, scenario) = flagship();
    for (metric, runs) in [("adequate", 100), ("credibility", 5), ("deterred", 5)] {
        let request = Request { metric: metric.into(), runs: Some(runs), ..Request::default() };
        let r = run(&spec, &scenario, &request, 1);
        for (what, e) in [("v(N)", r.v_all), ("v(∅)", r.v_none)] {
            assert!(e.low >= 0.0 && e.high <= 1.0 && e.low <= e.value && e.value <= e.high, "{metric} {what}: {e:?}");
        }
        for v in &r.values {
            assert!(v.shapley.low >= -1.0 && v.shapley.high <= 1.0, "{metric} {}: {:?}", v.party, v.shapley);
        }
    }
}

/// `delivered:NEED` is additive: its interactions are exactly 0 with no interval, not a
/// rounding residue with the constant-sample bound.
#[test]
fn delivered_interactions_are_exactly_zero() {
    let (spec, scenario) = flagship();
    let request = Request { metric: "delivered:land".into(), runs: Some(500), ..Request::default() };
    let r = run(&spec, &scenario, &request, 1);
    assert!(!r.interactions.is_empty());
    for i in &r.interactions {
        assert_eq!((i.value.value, i.value.low, i.value.high), (0.0, 0.0, 0.0), "{} × {}", i.a, i.b);
    }
}

/// `--max-units` bounds sampling: with `--exact` it is refused, as `--precision` with
/// `--exact` is, instead of being silently ignored; without `--exact` it may be passed where
/// the values are exact anyway (a script's bound for large and small frameworks alike).
#[test]
fn max_units_with_exact_is_a_usage_error() {
    let (spec, scenario) = flagship();
    let structure = Structure::build(&spec, &scenario).unwrap();
    let request = Request { exact: true, max_units: Some(500), runs: Some(100), ..Request::default() };
    let m = model(&structure, &spec, &request).unwrap();
    match attribute(&spec, &m, &request) {
        Err(ironclad::Error::Usage(msg)) => assert!(msg.contains("--max-units"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let request = Request { max_units: Some(500), runs: Some(100), ..Request::default() };
    let m = model(&structure, &spec, &request).unwrap();
    assert_eq!(attribute(&spec, &m, &request).expect("exact anyway").method, "exact");
    // With a precision the values are sampled, and --max-units applies.
    let request = Request { max_units: Some(500), precision: Some(0.05), runs: Some(100), ..Request::default() };
    let m = model(&structure, &spec, &request).unwrap();
    assert!(attribute(&spec, &m, &request).is_ok());
}

/// The report says which variants were pinned: two reports of one seed under different pins
/// cannot be taken for each other.
#[test]
fn the_report_carries_its_variant_pins() {
    let (spec, scenario) = flagship();
    let request = Request { variants: vec!["proposals-adopted=adopted".into()], runs: Some(200), ..Request::default() };
    let r = run(&spec, &scenario, &request, 1);
    assert_eq!(r.variants_pinned.len(), 1);
    assert_eq!(
        (r.variants_pinned[0].variant.as_str(), r.variants_pinned[0].option.as_str()),
        ("proposals-adopted", "adopted")
    );
    assert!(ironclad::render::text::attribute(&r).contains("variants pinned: proposals-adopted=adopted"));
    let plain = run(&spec, &scenario, &Request { runs: Some(200), ..Request::default() }, 1);
    assert!(plain.variants_pinned.is_empty());
}
