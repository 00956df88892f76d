//! `ironclad discover`: formats, JSON against its schema, same seed same bytes on any threads,
//! and bad input (unknown metric: exit 2; a spec with errors: exit 1) as clear errors.

use serde_json::Value;

use super::{run, workspace_root};

const COALITION: &str = "frameworks/coalition-2025.toml";

fn small(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> =
        ["discover", COALITION, "--runs", "4000", "--metric", "credibility"].iter().map(|s| s.to_string()).collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run_owned(args: &[String]) -> super::Run {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

#[test]
fn json_validates_against_its_schema_and_the_seed_fixes_the_bytes() {
    let out = run_owned(&small(&["--format", "json", "--threads", "1"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(value["schema_version"], 1);
    assert!(value["boxes"][0]["held_out"]["density"]["value"].is_number(), "{}", out.stdout);
    let schema = run(&["schema", "--output", "discover"]);
    assert_eq!(schema.code, 0, "{}", schema.stderr);
    let schema: Value = serde_json::from_str(&schema.stdout).expect("a schema");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let again = run_owned(&small(&["--format", "json", "--threads", "2"]));
    assert_eq!(again.stdout, out.stdout, "the same seed gives the same bytes on 1 and 2 threads");
}

#[test]
fn text_and_csv() {
    let text = run_owned(&small(&[]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    for needle in ["BOX 1: ", "held out", "peeling trajectory", "INPUTS", "will:us-policy", "variant:"] {
        assert!(text.stdout.contains(needle), "{needle}: {}", text.stdout);
    }
    let csv = run_owned(&small(&["--format", "csv"]));
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(
        csv.stdout
            .starts_with("box,sample,step,figure,value,low,high,runs_in_box,failures_in_box,description,metric\n")
    );
    assert!(
        csv.stdout.contains("1,held_out,,density,") && csv.stdout.contains(",trajectory,0,coverage,1,"),
        "{}",
        csv.stdout
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let out = run(&["discover", COALITION, "--runs", "100", "--metric", "nonsense"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("unknown metric `nonsense`") && out.stderr.contains("credibility"), "{}", out.stderr);
    let out = run(&["discover", COALITION, "--metric", "deterred"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no per-run outcome"), "{}", out.stderr);
    let out = run(&["discover", COALITION, "--threshold", "0.5"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(&["discover", COALITION, "--runs", "5"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // A spec with errors: exit 1, with its diagnostics.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(workspace_root().join(COALITION)).unwrap();
    std::fs::write(&spec, text.replacen("[framework]", "[framework]\nnonsense_key = 1", 1)).unwrap();
    let scenario = workspace_root().join("scenarios/ceasefire-then-offensive.toml");
    let out = run(&["discover", spec.to_str().unwrap(), "--scenario", scenario.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("has errors"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn uncertain_parameters_become_inputs_with_intervals_clustered_by_point() {
    let out = run_owned(&small(&["--uncertain", "--points", "16", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["points"], 16);
    let features: Vec<&str> = v["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(features.contains(&"param:honour.treaty"), "{features:?}");
    assert!(v["interval"].as_str().unwrap().contains("clustered by parameter point"), "{}", v["interval"]);
    let text = run_owned(&small(&["--uncertain", "--points", "16"]));
    assert!(text.stdout.contains("param:honour.treaty"), "{}", text.stdout);
    for bad in [&["--points", "16"][..], &["--uncertain", "--points", "5"][..]] {
        let out = run_owned(&small(bad));
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
        assert!(out.stderr.contains("--points"), "{}", out.stderr);
    }
}
