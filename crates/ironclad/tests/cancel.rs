//! Cancellation of the expensive analyses: a token set before the call returns
//! `Error::Cancelled`; a token set while the flagship's analysis runs stops it promptly; a token
//! never set changes no figure.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ironclad::compare::{Framework, ScenarioText, compare, compare_cancellable};
use ironclad::sim::Structure;
use ironclad::spec::Spec;
use ironclad::spec::scenario::Scenario;
use ironclad::{Error, Files, attribute, sensitivity};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn flagship() -> (Spec, Scenario, String) {
    let mut files = Files::new();
    let spec_id = files.read(&root().join("frameworks/coalition-2025.toml"));
    let spec = files.spec(spec_id).valid().expect("the flagship is valid").clone();
    let scenario_path = root().join("frameworks").join(spec.framework.scenario.clone().expect("a default scenario"));
    let scenario_text = std::fs::read_to_string(&scenario_path).expect("the scenario");
    let scenario_id = files.read(&scenario_path);
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (spec, scenario, scenario_text)
}

/// Runs `work` with a token that another thread sets after `after`; returns the result and the
/// time from setting the token to the answer.
fn cancelled_midway<T: Send>(
    after: Duration,
    work: impl FnOnce(&AtomicBool) -> Result<T, Error> + Send,
) -> (Result<T, Error>, Duration) {
    let token = AtomicBool::new(false);
    let set_at = std::sync::Mutex::new(None);
    let done = AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        let (token, done, set_at) = (&token, &done, &set_at);
        s.spawn(move || {
            let start = Instant::now();
            while start.elapsed() < after && !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
            }
            *set_at.lock().unwrap() = Some(Instant::now());
            token.store(true, Ordering::Relaxed);
        });
        let r = work(token);
        done.store(true, Ordering::Relaxed);
        r
    });
    let latency = set_at.lock().unwrap().map_or(Duration::ZERO, |t| t.elapsed());
    (result, latency)
}

#[test]
fn attribute_stops_at_a_set_token() {
    let (spec, scenario, _) = flagship();
    let structure = Structure::build(&spec, &scenario).expect("builds");
    for request in [
        attribute::Request { runs: Some(2000), ..attribute::Request::default() },
        attribute::Request { runs: Some(2000), precision: Some(0.01), ..attribute::Request::default() },
        attribute::Request { runs: Some(2000), metric: "deterred".into(), ..attribute::Request::default() },
    ] {
        let model = attribute::model(&structure, &spec, &request).expect("a model");
        let set = AtomicBool::new(true);
        let r = attribute::attribute_cancellable(&spec, &model, &request, Some(&set));
        assert!(matches!(r, Err(Error::Cancelled)), "{:?}", r.map(|r| r.method));
        // A token never set: the same report as without one.
        let unset = AtomicBool::new(false);
        let with = attribute::attribute_cancellable(&spec, &model, &request, Some(&unset)).expect("runs");
        let without = attribute::attribute(&spec, &model, &request).expect("runs");
        assert_eq!(serde_json::to_string(&with).unwrap(), serde_json::to_string(&without).unwrap());
    }
    // Midway: exact values of many runs, and sampling to a precision it would take long to reach.
    for request in [
        attribute::Request { runs: Some(10_000_000), ..attribute::Request::default() },
        attribute::Request { runs: Some(2), precision: Some(1e-6), ..attribute::Request::default() },
        attribute::Request { runs: Some(10_000_000), metric: "deterred".into(), ..attribute::Request::default() },
    ] {
        let model = attribute::model(&structure, &spec, &request).expect("a model");
        let (r, latency) = cancelled_midway(Duration::from_millis(200), |token| {
            attribute::attribute_cancellable(&spec, &model, &request, Some(token))
        });
        assert!(matches!(r, Err(Error::Cancelled)), "{:?}", r.map(|r| r.method));
        eprintln!("attribute (precision {:?}) answered {latency:?} after the token was set", request.precision);
        assert!(latency < Duration::from_secs(2), "{latency:?}");
    }
}

#[test]
fn sensitivity_stops_at_a_set_token() {
    let (spec, scenario, _) = flagship();
    let structure = Structure::build(&spec, &scenario).expect("builds");
    let request = sensitivity::Request {
        method: sensitivity::Method::Morris,
        samples: Some(2),
        runs: Some(100),
        ..sensitivity::Request::default()
    };
    let set = AtomicBool::new(true);
    let r = sensitivity::sensitivity_cancellable(&structure, &spec, &request, Some(&set));
    assert!(matches!(r, Err(Error::Cancelled)), "{:?}", r.map(|r| r.method));
    let unset = AtomicBool::new(false);
    let with = sensitivity::sensitivity_cancellable(&structure, &spec, &request, Some(&unset)).expect("runs");
    let without = sensitivity::sensitivity(&structure, &spec, &request).expect("runs");
    assert_eq!(serde_json::to_string(&with).unwrap(), serde_json::to_string(&without).unwrap());
    let big = sensitivity::Request { samples: Some(1024), runs: Some(20_000), ..sensitivity::Request::default() };
    let (r, latency) = cancelled_midway(Duration::from_millis(200), |token| {
        sensitivity::sensitivity_cancellable(&structure, &spec, &big, Some(token))
    });
    assert!(matches!(r, Err(Error::Cancelled)), "{:?}", r.map(|r| r.method));
    eprintln!("sensitivity answered {latency:?} after the token was set");
    assert!(latency < Duration::from_secs(2), "{latency:?}");
}

#[test]
fn compare_stops_at_a_set_token() {
    let (spec, _, scenario_text) = flagship();
    let frameworks = [Framework::new(spec.clone())];
    let scenarios = [ScenarioText { name: "flagship".into(), text: scenario_text }];
    let request = ironclad::compare::Request { runs: Some(500), ..ironclad::compare::Request::default() };
    let set = AtomicBool::new(true);
    let r = compare_cancellable(&frameworks, &scenarios, &request, Some(&set));
    assert!(matches!(r, Err(Error::Cancelled)), "{:?}", r.map(|r| r.runs));
    let unset = AtomicBool::new(false);
    let with = compare_cancellable(&frameworks, &scenarios, &request, Some(&unset)).expect("runs");
    let without = compare(&frameworks, &scenarios, &request).expect("runs");
    assert_eq!(serde_json::to_string(&with).unwrap(), serde_json::to_string(&without).unwrap());
    let big = ironclad::compare::Request { runs: Some(50_000_000), ..request };
    let (r, latency) = cancelled_midway(Duration::from_millis(300), |token| {
        compare_cancellable(&frameworks, &scenarios, &big, Some(token))
    });
    assert!(matches!(r, Err(Error::Cancelled)), "{:?}", r.map(|r| r.runs));
    eprintln!("compare answered {latency:?} after the token was set");
    assert!(latency < Duration::from_secs(2), "{latency:?}");
}
