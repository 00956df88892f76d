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
    for metric in ["adequate", "credibility"] {
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
    for metric in ["nope", "adequate:cyber", "deterred"] {
        let request = Request { metric: metric.into(), ..Request::default() };
        let m = model(&structure, &spec, &request).unwrap();
        assert!(matches!(attribute(&spec, &m, &request), Err(ironclad::Error::Usage(_))), "{metric}");
    }
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
