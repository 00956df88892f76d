//! `discover`: on a tiny framework whose failure condition is known by construction PRIM's first
//! box restricts the variant that removes the guarantor; on the flagship the boxes name real
//! inputs, figures are shares, held-out figures are there, and the seed fixes the result.

use ironclad::Files;
use ironclad::discover::{DiscoverReport, Request, discover, model};
use ironclad::sim::Structure;
use ironclad::spec::Spec;
use ironclad::spec::scenario::Scenario;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One guarantor of 100 troops against a need of 50, honour certain; a variant `guarantor`
/// whose option `withdrawn` (weight 0.3) adopts no commitment, so the response fails exactly
/// in the runs that chose it. A second variant `noise` changes nothing.
fn tiny() -> (Spec, Scenario) {
    let text = "[framework]\nid = \"tiny\"\ntitle = \"Tiny\"\nprotects = [\"UA\"]\nthreat = \"RU\"\n\n\
         [[source]]\nid = \"s\"\nfile = \"s.txt\"\n\n[[region]]\nid = \"UA\"\n\n\
         [[party]]\nid = \"UA\"\nterritory = [\"UA\"]\n\n[[party]]\nid = \"RU\"\n\n\
         [[party]]\nid = \"G\"\ncapacity = { land = \"100 troops\" }\n\n\
         [[commitment]]\nid = \"c\"\nby = [\"G\"]\nto = [\"UA\"]\nkind = \"defend\"\ndomains = [\"land\"]\n\
         trigger = \"armed_attack where attacker == RU and target == UA\"\nmodality = \"automatic\"\nstrength = \"treaty\"\n\
         status = \"proposed\"\n\n\
         [[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n\n\
         [[variant]]\nid = \"guarantor\"\nquestion = \"Does G stay?\"\n\n\
         [[variant.option]]\nid = \"stays\"\nsummary = \"G stays\"\nweight = 0.7\ncommitments = [\"c\"]\n\n[[variant.option.evidence]]\nsource = \"s\"\nquote = \"q\"\n\n\
         [[variant.option]]\nid = \"withdrawn\"\nsummary = \"G leaves\"\nweight = 0.3\ncommitments = []\n\n[[variant.option.evidence]]\nsource = \"s\"\nquote = \"q\"\n\n\
         [[variant]]\nid = \"noise\"\nquestion = \"Irrelevant\"\n\n\
         [[variant.option]]\nid = \"a\"\nsummary = \"a\"\nweight = 0.5\ncommitments = []\n\n[[variant.option.evidence]]\nsource = \"s\"\nquote = \"q\"\n\n\
         [[variant.option]]\nid = \"b\"\nsummary = \"b\"\nweight = 0.5\ncommitments = []\n\n[[variant.option.evidence]]\nsource = \"s\"\nquote = \"q\"\n\n\
         [model]\nhonour = { treaty = 1.0 }\nuncertain_defaults = false\ncapacity = { mean = 0.999, concentration = 1000 }\n";
    let scenario = "[scenario]\nid = \"attack\"\ntitle = \"One attack\"\nframework = \"tiny\"\n\n\
                    [[event]]\nday = 0\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\ndomains = [\"land\"]\n\n\
                    [[requirement]]\ndomain = \"land\"\namount = \"50 troops\"\n";
    let mut files = Files::new();
    let spec_id = files.add("tiny.toml", text.to_string());
    let loaded = files.spec(spec_id);
    let spec = loaded.valid().unwrap_or_else(|e| panic!("the tiny spec is valid: {e:?}")).clone();
    let scenario_id = files.add("attack.toml", scenario.to_string());
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (spec, scenario)
}

fn run(spec: &Spec, scenario: &Scenario, request: &Request, threads: usize) -> DiscoverReport {
    let structure = Structure::build(spec, scenario).expect("the structure builds");
    let m = model(&structure, spec, request).expect("the model");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
    pool.install(|| discover(&structure, spec, &m, request)).expect("the discovery runs")
}

#[test]
fn the_first_box_is_the_option_that_removes_the_only_guarantor() {
    let (spec, scenario) = tiny();
    let request = Request { runs: Some(4000), horizon: Some(100_000.0), ..Request::default() };
    let r = run(&spec, &scenario, &request, 2);
    assert!((r.failure_rate.value - 0.3).abs() < 0.03, "{:?}", r.failure_rate);
    let b = &r.boxes[0];
    assert_eq!(b.restrictions.len(), 1, "{}", b.description);
    assert_eq!(b.restrictions[0].feature, "variant:guarantor");
    assert_eq!(b.restrictions[0].levels, ["withdrawn"]);
    assert_eq!(b.description, "variant guarantor is withdrawn");
    for f in [&b.fit, &b.held_out] {
        assert_eq!(f.density.value, 1.0);
        assert_eq!(f.coverage.value, 1.0);
        assert!(f.density.low > 0.99 && f.density.high == 1.0, "{:?}", f.density);
        assert_eq!(f.runs_in_box, f.failures);
    }
    assert_eq!(r.fit_runs + r.held_out_runs, 4000);
    // Every failure is in the first box: nothing is left to explain.
    assert_eq!(r.boxes.len(), 1);
    assert!(r.note.is_some());
    assert_eq!(b.trajectory[0].runs_in_box, 2000);
    assert_eq!(b.trajectory[0].coverage, 1.0);
}

#[test]
fn the_flagship_boxes_name_real_inputs_with_shares_and_held_out_figures() {
    let text = std::fs::read_to_string(root().join("frameworks/coalition-2025.toml")).unwrap();
    let scen = std::fs::read_to_string(root().join("scenarios/ceasefire-then-offensive.toml")).unwrap();
    let mut files = Files::new();
    let id = files.add("coalition-2025.toml", text);
    let spec = files.spec(id).valid().expect("valid").clone();
    let sid = files.add("ceasefire-then-offensive.toml", scen);
    let scenario = files.scenario(sid, &spec).expect("valid");
    let request = Request { metric: "credibility".into(), runs: Some(6000), ..Request::default() };
    let r = run(&spec, &scenario, &request, 1);
    assert_eq!(r.runs, 6000);
    assert!(!r.boxes.is_empty());
    let variants: Vec<String> = spec.variants.iter().map(|v| format!("variant:{}", v.id)).collect();
    let factors: Vec<String> = spec.params.factors.iter().map(|f| format!("will:{}", f.id)).collect();
    let parties: Vec<String> = spec.parties.iter().map(|p| format!("will:domestic:{}", p.id)).collect();
    for b in &r.boxes {
        assert!(!b.restrictions.is_empty());
        for x in &b.restrictions {
            assert!(
                variants.contains(&x.feature) || factors.contains(&x.feature) || parties.contains(&x.feature),
                "{}",
                x.feature
            );
            assert!(r.features.iter().any(|f| f.id == x.feature));
        }
        for f in [&b.fit, &b.held_out] {
            for e in [&f.coverage, &f.density] {
                assert!((0.0..=1.0).contains(&e.value) && e.low <= e.value && e.value <= e.high, "{e:?}");
                assert!(e.low >= 0.0 && e.high <= 1.0);
            }
            assert!(f.runs_in_box > 0 && f.failures_in_box <= f.runs_in_box);
        }
        assert_eq!(b.held_out.runs, 3000);
        assert!(b.trajectory.len() > b.chosen_step);
    }
    // The same seed gives the same report on 1 and 2 threads.
    let again = run(&spec, &scenario, &request, 2);
    let json = |r: &DiscoverReport| serde_json::to_string(r).unwrap();
    assert_eq!(json(&r), json(&again));
}

#[test]
fn bad_requests_are_usage_errors() {
    let (spec, scenario) = tiny();
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m = model(&structure, &spec, &Request::default()).unwrap();
    for request in [
        Request { metric: "nonsense".into(), ..Request::default() },
        Request { metric: "deterred".into(), ..Request::default() },
        Request { metric: "adequate:air".into(), ..Request::default() },
        Request { threshold: Some(0.5), ..Request::default() },
        Request { runs: Some(3), ..Request::default() },
        Request { boxes: Some(0), ..Request::default() },
    ] {
        assert!(matches!(discover(&structure, &spec, &m, &request), Err(ironclad::Error::Usage(_))), "{request:?}");
    }
}

/// `tiny()` with one more uncertain input: `uncertain` appended to its `[model]`.
fn tiny_with(uncertain: &str) -> (Spec, Scenario) {
    let text = std::fs::read_to_string(root().join("crates/ironclad/tests/fixtures/discover-uncertain.toml"))
        .expect("the fixture exists");
    let text = text.replace("# UNCERTAIN", uncertain);
    let scenario = "[scenario]\nid = \"attack\"\ntitle = \"One attack\"\nframework = \"tiny\"\n\n\
                    [[event]]\nday = 0\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\ndomains = [\"land\"]\n\n\
                    [[requirement]]\ndomain = \"land\"\namount = \"50 troops\"\n";
    let mut files = Files::new();
    let spec_id = files.add("tiny.toml", text);
    let spec = files.spec(spec_id).valid().unwrap_or_else(|e| panic!("the fixture is valid: {e:?}")).clone();
    let scenario_id = files.add("attack.toml", scenario.to_string());
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (spec, scenario)
}

/// The guarantor's honour rate is uncertain over [0.05, 0.95] and (its variant pinned to
/// `stays`) a run fails exactly when it does not honour: with `--uncertain` the honour rate is
/// an input, PRIM restricts it to its low end, and the intervals are clustered by parameter point.
#[test]
fn with_uncertain_parameters_a_low_honour_rate_is_found_and_intervals_are_clustered() {
    let (spec, scenario) = tiny_with(
        "[[model.uncertain]]\nparam = \"honour.treaty\"\nlow = 0.05\nhigh = 0.95\nreason = \"test: a wide range\"\n",
    );
    let request = Request {
        runs: Some(12_800),
        horizon: Some(100_000.0),
        uncertain: true,
        variants: vec!["guarantor=stays".into()],
        ..Request::default()
    };
    let r = run(&spec, &scenario, &request, 2);
    assert_eq!(r.points, 64);
    assert!((r.failure_rate.value - 0.5).abs() < 0.1, "E[1 − honour] = 0.5: {:?}", r.failure_rate);
    assert!(r.interval.contains("clustered by parameter point"), "{}", r.interval);
    assert!(r.validation.contains("parameter points 0..32"), "{}", r.validation);
    let f = r.features.iter().find(|f| f.id == "param:honour.treaty").expect("the parameter is an input");
    assert_eq!(f.kind, "numeric");
    let honour_box = r
        .boxes
        .iter()
        .find(|b| b.restrictions.iter().any(|x| x.feature == "param:honour.treaty"))
        .unwrap_or_else(|| {
            panic!("a box restricts the honour rate: {:#?}", r.boxes.iter().map(|b| &b.description).collect::<Vec<_>>())
        });
    let x = honour_box.restrictions.iter().find(|x| x.feature == "param:honour.treaty").unwrap();
    assert!(x.upper.is_some_and(|u| u < 0.7), "{x:?}");
    assert!(x.text.starts_with("honour.treaty ≤") && !x.text.contains(" sd"), "{}", x.text);
    // Held out on other parameter points, the box is still denser in failures than all runs.
    assert!(
        honour_box.held_out.density.value > r.failure_rate.value,
        "{:?} vs {:?}",
        honour_box.held_out,
        r.failure_rate
    );
    // Clustering: runs at one point share its honour rate, so the failure rate's clustered
    // interval is much wider than a Wilson interval over runs would be.
    let wilson = ironclad::sim::stats::wilson((r.failure_rate.value * r.runs as f64).round() as u64, r.runs);
    assert!(r.failure_rate.half_width() > 2.0 * wilson.half_width(), "{:?} vs {wilson:?}", r.failure_rate);
    // Same bits on one thread.
    let again = run(&spec, &scenario, &request, 1);
    assert_eq!(serde_json::to_string(&r).unwrap(), serde_json::to_string(&again).unwrap());
}

/// When the uncertain parameter does not touch the outcome, runs at one point are as good as
/// independent, and the clustered interval is about as wide as the Wilson one.
#[test]
fn an_irrelevant_uncertain_parameter_leaves_the_interval_about_wilson() {
    let (spec, scenario) = tiny_with(
        "[[model.uncertain]]\nparam = \"honour.statement\"\nlow = 0.1\nhigh = 0.9\nreason = \"test: unused\"\n",
    );
    let request = Request { runs: Some(12_800), horizon: Some(100_000.0), uncertain: true, ..Request::default() };
    let r = run(&spec, &scenario, &request, 2);
    let wilson = ironclad::sim::stats::wilson((r.failure_rate.value * r.runs as f64).round() as u64, r.runs);
    let ratio = r.failure_rate.half_width() / wilson.half_width();
    assert!((0.6..1.5).contains(&ratio), "clustered {:?} vs Wilson {wilson:?}", r.failure_rate);
}

#[test]
fn uncertain_requests_are_checked() {
    let (spec, scenario) = tiny();
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m = model(&structure, &spec, &Request::default()).unwrap();
    let no_params = Request { uncertain: true, ..Request::default() };
    match discover(&structure, &spec, &m, &no_params) {
        Err(ironclad::Error::Usage(e)) => assert!(e.contains("no uncertain parameters"), "{e}"),
        other => panic!("{other:?}"),
    }
    let (spec, scenario) =
        tiny_with("[[model.uncertain]]\nparam = \"honour.treaty\"\nlow = 0.05\nhigh = 0.95\nreason = \"test\"\n");
    let structure = Structure::build(&spec, &scenario).unwrap();
    let m = model(&structure, &spec, &Request::default()).unwrap();
    for request in [
        Request { uncertain: true, points: Some(7), ..Request::default() },
        Request { uncertain: true, points: Some(2), ..Request::default() },
        Request { uncertain: true, points: Some(64), runs: Some(100), ..Request::default() },
        Request { points: Some(8), ..Request::default() },
    ] {
        assert!(matches!(discover(&structure, &spec, &m, &request), Err(ironclad::Error::Usage(_))), "{request:?}");
    }
}

/// A set token stops the discovery, plain and with parameter points (audit 12, F3); a token
/// never set changes no figure.
#[test]
fn a_set_token_cancels_the_discovery_and_an_unset_one_changes_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let (spec, scenario) = tiny_with(
        "[[model.uncertain]]\nparam = \"honour.treaty\"\nlow = 0.05\nhigh = 0.95\nreason = \"test: a wide range\"\n",
    );
    let structure = Structure::build(&spec, &scenario).expect("the structure builds");
    for uncertain in [false, true] {
        let request = Request { runs: Some(4000), horizon: Some(100_000.0), uncertain, ..Request::default() };
        let m = model(&structure, &spec, &request).expect("the model");
        let set = AtomicBool::new(true);
        let r = ironclad::discover::discover_cancellable(&structure, &spec, &m, &request, Some(&set));
        assert!(matches!(r, Err(ironclad::Error::Cancelled)), "{:?}", r.map(|r| r.runs));
        let unset = AtomicBool::new(false);
        let with = ironclad::discover::discover_cancellable(&structure, &spec, &m, &request, Some(&unset)).unwrap();
        let without = discover(&structure, &spec, &m, &request).unwrap();
        assert_eq!(serde_json::to_string(&with).unwrap(), serde_json::to_string(&without).unwrap());
        // Set midway: the runs stop at their next chunk.
        let big = Request { runs: Some(10_000_000), points: uncertain.then_some(64), ..request.clone() };
        let token = AtomicBool::new(false);
        let r = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(100));
                token.store(true, Ordering::Relaxed);
            });
            let started = std::time::Instant::now();
            let r = ironclad::discover::discover_cancellable(&structure, &spec, &m, &big, Some(&token));
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
            r
        });
        assert!(matches!(r, Err(ironclad::Error::Cancelled)), "{:?}", r.map(|r| r.runs));
    }
}

/// Audit 12 (analyses F19): the pins a discovery ran under are in its report and its text.
#[test]
fn the_report_records_its_variant_pins() {
    let (spec, scenario) = tiny();
    let request =
        Request { runs: Some(400), horizon: Some(100_000.0), variants: vec!["noise=a".into()], ..Request::default() };
    let r = run(&spec, &scenario, &request, 1);
    assert_eq!(
        serde_json::to_value(&r.variants_pinned).unwrap(),
        serde_json::json!([{ "variant": "noise", "option": "a" }])
    );
    assert!(ironclad::render::text::discover(&r).contains("\nvariants pinned: noise=a\n"));
    let unpinned = run(&spec, &scenario, &Request { variants: Vec::new(), ..request }, 1);
    assert!(unpinned.variants_pinned.is_empty());
    assert!(!ironclad::render::text::discover(&unpinned).contains("variants pinned"));
}
