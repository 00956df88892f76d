//! `ironclad compare`: one scenario applied to every framework that covers it, paired
//! differences on common random numbers, counterfactual overlays, and bad input.

use serde_json::Value;

use super::run;

const ATTACK: &str = "scenarios/russian-attack-on-ukraine.toml";

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

#[test]
fn one_scenario_applies_to_every_framework_that_covers_it() {
    let out = run(&[
        "compare",
        "frameworks/budapest-1994.toml",
        "frameworks/us-ukraine-2024.toml",
        "frameworks/us-japan-1960.toml",
        "frameworks/nato-1949.toml",
        "--with",
        "member=UA@nato-1949",
        "--scenario",
        ATTACK,
        "--runs",
        "2000",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["reference"], "budapest-1994");
    let rows = report["scenarios"][0]["rows"].as_array().unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r["framework"].as_str().unwrap()).collect();
    assert_eq!(labels, ["budapest-1994", "us-ukraine-2024", "us-japan-1960", "nato-1949", "nato-1949+member:UA"]);
    assert_eq!(rows[2]["status"], "not_covered");
    assert_eq!(rows[2]["missing"], serde_json::json!(["party RU", "party UA", "region UA"]));
    for i in [0, 1, 3, 4] {
        assert_eq!(rows[i]["status"], "ok", "{}", rows[i]);
    }
    // A member is defended under Art. 5; a non-member is not: the counterfactual differs.
    let p30 = |r: &Value| {
        r["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["metric"] == "p_adequate" && f["horizon_days"] == 30.0)
            .unwrap()
            .clone()
    };
    assert!(p30(&rows[4])["value"]["value"].as_f64().unwrap() > p30(&rows[3])["value"]["value"].as_f64().unwrap());
    assert!(p30(&rows[0])["difference"].is_null(), "the reference has no difference");
    assert!(p30(&rows[4])["difference"]["value"].is_f64());
    assert_eq!(rows[4]["pivotal"]["commitment"], "art5-collective-defence");

    let schema = json(&run(&["schema", "--output", "compare"]).stdout);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_same_seed_gives_the_same_output_whatever_the_threads() {
    let args = |threads: &'static str| {
        vec![
            "compare",
            "frameworks/nato-1949.toml",
            "--with",
            "member=UA@nato-1949",
            "--scenario",
            ATTACK,
            "--runs",
            "5000",
            "--seed",
            "4",
            "--threads",
            threads,
            "--format",
            "csv",
        ]
    };
    let (a, b) = (run(&args("1")), run(&args("2")));
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.starts_with("scenario,framework,status,metric,"));
    assert!(a.stdout.contains(",pivotal:art5-collective-defence,"));
}

#[test]
fn the_flagship_compares_without_asserting_its_figures() {
    // coalition-2025 is being re-encoded: assert properties only.
    let out = run(&[
        "compare",
        "frameworks/coalition-2025.toml",
        "frameworks/coalition-2026.toml",
        "--scenario",
        ATTACK,
        "--runs",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    for row in report["scenarios"][0]["rows"].as_array().unwrap() {
        for f in row["metrics"].as_array().unwrap() {
            let (v, lo, hi) = (
                f["value"]["value"].as_f64().unwrap(),
                f["value"]["low"].as_f64().unwrap(),
                f["value"]["high"].as_f64().unwrap(),
            );
            assert!(lo <= v && v <= hi && (0.0..=1.0).contains(&v), "{f}");
        }
    }
}

#[test]
fn bad_input_is_a_clear_error() {
    let out = run(&["compare", "frameworks/nato-1949.toml", "--scenario", ATTACK, "--with", "member=UA@anzus-1951"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("anzus-1951") && out.stderr.contains("not among the frameworks"), "{}", out.stderr);
    let out = run(&["compare", "frameworks/nato-1949.toml", "--scenario", ATTACK, "--with", "member=XX@nato-1949"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no party `XX`"), "{}", out.stderr);
    let out = run(&["compare", "frameworks/nato-1949.toml"]);
    assert_eq!(out.code, 2, "--scenario is required");
    let out = run(&["compare", "frameworks/nato-1949.toml", "--scenario", "scenarios/no-such.toml"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no-such.toml"));
    let out = run(&["compare", "frameworks/nato-1949.toml", "--scenario", ATTACK, "--runs", "0"]);
    assert_eq!(out.code, 2);
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn the_metric_names_the_headline_the_pivotal_clause_is_judged_on() {
    let args = |metric: &str| {
        vec![
            "compare".to_string(),
            "frameworks/coalition-2025.toml".into(),
            "--scenario".into(),
            ATTACK.into(),
            "--runs".into(),
            "3000".into(),
            "--metric".into(),
            metric.into(),
        ]
    };
    let text = |metric: &str| {
        let a = args(metric);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = text("deterred");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("pivotal clause:") && out.stdout.contains("P(deterred)"), "{}", out.stdout);
    let mut json = args("adequate:air");
    json.extend(["--format".into(), "json".into()]);
    let out = run(&json.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["headline_metric"], "adequate:air");
    assert!(v["headline_text"].as_str().unwrap().contains("in air"), "{}", v["headline_text"]);
    let bad = text("nope");
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("unknown metric `nope`"), "{}", bad.stderr);
}

/// Rows are told apart by their labels: two frameworks with one label (an overlay given twice,
/// an overlay labelled like a framework, a spec given twice) are a usage error, not two rows
/// that no reader could tell apart.
#[test]
fn two_frameworks_with_one_label_are_a_usage_error() {
    let nato = "frameworks/nato-1949.toml";
    let twice =
        ["compare", nato, "--scenario", ATTACK, "--with", "member=UA@nato-1949", "--with", "member=UA@nato-1949"];
    let out = run(&twice);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("labelled `nato-1949+member:UA`"), "{}", out.stderr);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let overlay = dir.path().join("same-label.toml");
    std::fs::write(&overlay, "[overlay]\nframework = \"nato-1949\"\nlabel = \"nato-1949\"\nmembers = [\"UA\"]\n")
        .expect("writable");
    let out = run(&["compare", nato, "--scenario", ATTACK, "--with", overlay.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("labelled `nato-1949`"), "{}", out.stderr);
    let out = run(&["compare", nato, nato, "--scenario", ATTACK]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// An overlay that changes nothing (here: a clause's modality set to the one it has) still
/// gets its row, but with a note saying so, and a warning on standard error.
#[test]
fn an_overlay_that_changes_nothing_is_flagged() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let overlay = dir.path().join("no-op.toml");
    std::fs::write(
        &overlay,
        "[overlay]\nframework = \"nato-1949\"\nlabel = \"same\"\n[[overlay.change]]\ncommitment = \"art5-collective-defence\"\nmodality = \"discretionary\"\n",
    )
    .expect("writable");
    let args = |format: &'static str| {
        vec![
            "compare".to_string(),
            "frameworks/nato-1949.toml".into(),
            "--with".into(),
            overlay.to_str().unwrap().into(),
            "--with".into(),
            "member=UA@nato-1949".into(),
            "--scenario".into(),
            ATTACK.into(),
            "--runs".into(),
            "500".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let out = run(&args("json").iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning: the overlay `same` changes nothing in `nato-1949`"), "{}", out.stderr);
    assert_eq!(out.stderr.matches("warning:").count(), 1, "only the no-op overlay is flagged: {}", out.stderr);
    let report = json(&out.stdout);
    let rows = report["scenarios"][0]["rows"].as_array().unwrap();
    assert_eq!(rows[1]["framework"], "same");
    assert!(rows[1]["reason"].as_str().unwrap_or("").contains("changes nothing"), "{}", rows[1]);
    assert!(rows[2]["reason"].is_null(), "{}", rows[2]);
    let out = run(&args("text").iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.stdout.contains("changes nothing"), "{}", out.stdout);
}
