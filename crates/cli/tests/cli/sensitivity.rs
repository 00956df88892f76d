//! `ironclad sensitivity`: formats, JSON against its schema, same seed same bytes, and bad input
//! (unknown metric, zero samples, no uncertain parameters) as clear errors with non-zero exits.

use serde_json::Value;

use super::{run, workspace_root};

const COALITION: &str = "frameworks/coalition-2025.toml";

fn small(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> =
        ["sensitivity", COALITION, "--samples", "8", "--runs", "64"].iter().map(|s| s.to_string()).collect();
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
    assert_eq!(value["method"], "sobol");
    let schema = run(&["schema", "--output", "sensitivity"]);
    assert_eq!(schema.code, 0, "{}", schema.stderr);
    let schema: Value = serde_json::from_str(&schema.stdout).expect("a schema");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let again = run_owned(&small(&["--format", "json", "--threads", "2"]));
    assert_eq!(again.stdout, out.stdout, "the same seed gives the same bytes on 1 and 2 threads");
}

#[test]
fn text_csv_and_morris() {
    let text = run_owned(&small(&[]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("SOBOL' INDICES") && text.stdout.contains("honour.treaty"), "{}", text.stdout);
    let csv = run_owned(&small(&["--format", "csv", "--metric", "deterred"]));
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(csv.stdout.starts_with("param,distribution,default,nominal,index,value,low,high,metric\n"));
    assert!(csv.stdout.contains(",total,") && csv.stdout.contains(",deterred\n"), "{}", csv.stdout);
    let morris = run_owned(&small(&["--method", "morris", "--metric", "credibility"]));
    assert_eq!(morris.code, 0, "{}", morris.stderr);
    assert!(morris.stdout.contains("MORRIS"), "{}", morris.stdout);
}

#[test]
fn bad_input_is_a_clear_error() {
    let out = run_owned(&small(&["--metric", "nonsense"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("unknown metric `nonsense`") && out.stderr.contains("deterred"), "{}", out.stderr);
    let out = run(&["sensitivity", COALITION, "--samples", "0"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--samples"), "{}", out.stderr);
    let out = run_owned(&small(&["--method", "fast"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    // A spec that turns the defaults off and declares nothing.
    let dir = std::env::temp_dir().join(format!("ironclad-sensitivity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(workspace_root().join("frameworks/budapest-1994.toml")).unwrap();
    let spec = dir.join("none.toml");
    std::fs::write(&spec, format!("{text}\n[model]\nuncertain_defaults = false\n")).unwrap();
    let scenario = workspace_root().join("scenarios/crimea-2014.toml");
    let out = run(&["sensitivity", spec.to_str().unwrap(), "--scenario", scenario.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("no uncertain parameters"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
