//! `ironclad backtest`: the real history/ is scored case by case; malformed cases fail clearly;
//! the bootstrap is deterministic for a seed; the JSON matches its published schema.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::{run, workspace_root};

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("--format json printed invalid JSON ({e}):\n{stdout}"))
}

#[test]
fn every_history_case_is_scored() {
    let out = run(&["backtest", "history/", "--format", "json", "--runs", "200"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["fitted"], false);
    let dir = workspace_root().join("history");
    let mut folders: Vec<String> = fs::read_dir(&dir)
        .expect("history/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("case.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert!(folders.len() >= 20, "{folders:?}");
    let cases = report["cases"].as_array().expect("cases");
    let ids: Vec<String> = cases.iter().map(|c| c["id"].as_str().expect("id").to_string()).collect();
    assert_eq!(ids, folders);
    let mut outcomes = 0;
    for (case, folder) in cases.iter().zip(&folders) {
        let text = fs::read_to_string(dir.join(folder).join("case.toml")).expect("readable");
        let recorded = text.lines().filter(|l| l.trim() == "[[outcome]]").count();
        let scored = case["outcomes"].as_array().expect("outcomes");
        assert_eq!(scored.len(), recorded, "{folder}: every recorded outcome is scored");
        for o in scored {
            let p = o["p_honoured"].as_f64().expect("p");
            assert!((0.0..=1.0).contains(&p), "{folder}: {o}");
            let total = o["p_in_time"].as_f64().unwrap() + o["p_late"].as_f64().unwrap() + o["p_not"].as_f64().unwrap();
            assert!((total - 1.0).abs() < 1e-9, "{folder}: three classes sum to 1: {o}");
        }
        outcomes += scored.len();
    }
    assert_eq!(report["outcomes"].as_u64(), Some(outcomes as u64));
    let scores = report["scores"].as_array().expect("scores");
    assert_eq!(scores.len(), 6, "brier, log, brier3 x outcome, case");
    for s in scores {
        for who in ["model", "flat", "by_type", "model_minus_flat", "model_minus_by_type"] {
            let e = &s[who];
            let (v, lo, hi) = (e["value"].as_f64().unwrap(), e["low"].as_f64().unwrap(), e["high"].as_f64().unwrap());
            assert!(v.is_finite() && lo <= hi, "{s}");
        }
    }
    let binned: u64 = report["reliability"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(binned, outcomes as u64);
}

#[test]
fn the_text_prints_the_scores_and_the_csv_every_figure() {
    let out = run(&["backtest", "history/", "--runs", "100"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for needle in ["SCORES", "brier per outcome", "log per case", "flat 74.5 %", "by type (B&F)", "RELIABILITY"] {
        assert!(out.stdout.contains(needle), "{needle}:\n{}", out.stdout);
    }
    let csv = run(&["backtest", "history/", "--runs", "100", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(csv.stdout.starts_with("row,case,party,recorded,metric,weighting,value,low,high\n"));
    assert!(csv.stdout.contains("\nscore,,,,brier:model,case,"), "{}", csv.stdout);
    assert!(csv.stdout.contains("\nprediction,nato-2001,UK,honoured,p_honoured,,"), "{}", csv.stdout);
}

#[test]
fn the_bootstrap_is_deterministic_for_a_seed() {
    let a = run(&["backtest", "history/", "--format", "json", "--seed", "7", "--runs", "300"]);
    let b = run(&["backtest", "history/", "--format", "json", "--seed", "7", "--runs", "300"]);
    let c = run(&["backtest", "history/", "--format", "json", "--seed", "8", "--runs", "300"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(json(&a.stdout)["scores"], json(&c.stdout)["scores"]);
    // The point estimates do not depend on the seed; only the intervals do.
    assert_eq!(json(&a.stdout)["scores"][0]["model"]["value"], json(&c.stdout)["scores"][0]["model"]["value"]);
}

#[test]
fn the_json_matches_its_schema() {
    let schema = json(&run(&["schema", "--output", "backtest"]).stdout);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let report = json(&run(&["backtest", "history/", "--format", "json", "--runs", "100"]).stdout);
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// A history directory in a temp dir with one case whose case.toml is `text`.
fn one_case(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let case = dir.path().join("bad-case");
    fs::create_dir(&case).expect("mkdir");
    fs::write(case.join("case.toml"), text).expect("write");
    dir
}

fn case_text(framework: &Path, scenario: &Path, outcome: &str) -> String {
    format!(
        r#"[case]
id = "bad-case"
title = "A test case"
tested = 2012-06-24
framework = "{}"
scenario = "{}"
alliance_type = "consultation"
summary = "s"

[[outcome]]
{outcome}
recorded = "honoured"
basis = "b"
"#,
        framework.display(),
        scenario.display()
    )
}

fn bad(text: &str) -> super::Run {
    let dir = one_case(text);
    let out = run(&["backtest", dir.path().to_str().expect("utf-8 path")]);
    assert_eq!(out.code, 1, "stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.stderr.contains("bad-case/case.toml") || out.stderr.contains("bad-case"), "{}", out.stderr);
    out
}

#[test]
fn malformed_cases_fail_with_the_file_and_field() {
    let root = workspace_root().canonicalize().expect("root");
    let nato = root.join("frameworks/nato-1949.toml");
    let scenario = root.join("history/nato-art4-turkey-2012/scenario.toml");
    let good_outcome = "party = \"UK\"\ncommitments = [\"art4-consult\"]";
    // The good case scores.
    let dir = one_case(&case_text(&nato, &scenario, good_outcome));
    let out = run(&["backtest", dir.path().to_str().unwrap(), "--runs", "100"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // One case: the bootstrap over cases has nothing to resample, and no interval is shown.
    assert!(out.stdout.contains("no interval: the bootstrap's unit is the case, and there is one"), "{}", out.stdout);
    assert!(out.stdout.lines().filter(|l| l.starts_with("    model ")).all(|l| !l.contains('[')), "{}", out.stdout);
    // An unknown field.
    let out = bad(&case_text(&nato, &scenario, &format!("{good_outcome}\nconfidence = 0.9")));
    assert!(out.stderr.contains("confidence"), "{}", out.stderr);
    // A bad outcome value.
    let out = bad(&case_text(&nato, &scenario, good_outcome).replace("\"honoured\"", "\"kept\""));
    assert!(out.stderr.contains("kept"), "{}", out.stderr);
    // A party the framework does not have.
    let out = bad(&case_text(&nato, &scenario, "party = \"XX\"\ncommitments = [\"art4-consult\"]"));
    assert!(out.stderr.contains("no party `XX`"), "{}", out.stderr);
    // A commitment the framework does not have.
    let out = bad(&case_text(&nato, &scenario, "party = \"UK\"\ncommitments = [\"art99\"]"));
    assert!(out.stderr.contains("no commitment `art99`"), "{}", out.stderr);
    // A framework that does not exist.
    let out = bad(&case_text(&root.join("frameworks/none.toml"), &scenario, good_outcome));
    assert!(out.stderr.contains("none.toml"), "{}", out.stderr);
    // Not TOML at all.
    let out = bad("[case\nid = ");
    assert!(out.stderr.contains("case.toml"), "{}", out.stderr);
}

#[test]
fn a_directory_without_cases_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(&["backtest", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no case folders"), "{}", out.stderr);
}

#[test]
fn too_few_resamples_are_a_usage_error() {
    for runs in ["1", "2", "99"] {
        let out = run(&["backtest", "history/", "--runs", runs]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("100 to 1000000 bootstrap resamples"), "{}", out.stderr);
    }
}

/// The three-class score judges the observation by the forecast's rule: an ally that honoured
/// after the 30-day horizon (NATO 2001: France 40 days, Germany 66) is in the middle class, and
/// the per-outcome score is the mean of exactly that.
#[test]
fn a_late_honouring_is_scored_in_the_middle_class() {
    let report = json(&run(&["backtest", "history/", "--format", "json", "--runs", "100"]).stdout);
    let outcomes: Vec<&Value> =
        report["cases"].as_array().unwrap().iter().flat_map(|c| c["outcomes"].as_array().unwrap()).collect();
    let class = |o: &Value| match o["recorded"].as_str().unwrap() {
        "honoured" if o["delay_days"].as_f64().is_some_and(|d| d > o["horizon_days"].as_f64().unwrap()) => 1,
        "honoured" => 0,
        "partly" => 1,
        _ => 2,
    };
    assert!(outcomes.iter().any(|o| o["recorded"] == "honoured" && class(o) == 1), "history/ has late honourings");
    let mean = outcomes
        .iter()
        .map(|o| {
            let p = [o["p_in_time"].as_f64().unwrap(), o["p_late"].as_f64().unwrap(), o["p_not"].as_f64().unwrap()];
            (0..3).map(|k| (p[k] - if k == class(o) { 1.0 } else { 0.0 }).powi(2)).sum::<f64>()
        })
        .sum::<f64>()
        / outcomes.len() as f64;
    let row = report["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["score"] == "brier3" && r["weighting"] == "outcome")
        .expect("brier3 per outcome");
    assert!((row["model"]["value"].as_f64().unwrap() - mean).abs() < 1e-12, "{} vs {mean}", row["model"]);
}
