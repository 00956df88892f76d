//! `ironclad simulate` end to end: reproducibility across thread counts, the three formats, the
//! Parquet samples and the exported model, `--until-ci`, and the exit codes of bad input.
//!
//! Run counts are small (a few chunks of 4096 runs) so that the debug binary stays fast; the
//! statistics themselves are validated in `crates/sim/tests/analytic.rs`.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::{Run, run};

const COALITION: &str = "frameworks/coalition-2025.toml";
const SCENARIO: &str = "scenarios/ceasefire-then-offensive.toml";

/// More than two chunks of runs, the last one partial.
const RUNS: &str = "10000";

fn simulate(args: &[&str]) -> Run {
    let mut all = vec!["simulate", COALITION, "--quiet"];
    all.extend_from_slice(args);
    run(&all)
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("--format json printed invalid JSON ({e}):\n{stdout}"))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn one_thread_and_two_threads_print_the_same_json() {
    let one = simulate(&["--runs", RUNS, "--seed", "7", "--threads", "1", "--format", "json"]);
    let two = simulate(&["--runs", RUNS, "--seed", "7", "--threads", "2", "--format", "json"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(two.code, 0, "{}", two.stderr);
    assert_eq!(one.stdout, two.stdout, "the same seed must give byte-identical output on any thread count");
    let other_seed = simulate(&["--runs", RUNS, "--seed", "8", "--threads", "2", "--format", "json"]);
    assert_eq!(other_seed.code, 0, "{}", other_seed.stderr);
    assert_ne!(one.stdout, other_seed.stdout, "another seed gives other draws");
}

#[test]
fn json_has_the_summary() {
    let out = simulate(&["--runs", RUNS, "--horizon", "14", "--horizon", "60", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = json(&out.stdout);
    assert_eq!(s["framework"], "coalition-2025");
    assert_eq!(s["scenario"], "ceasefire-then-offensive");
    assert_eq!(s["runs"], 10000);
    assert_eq!(s["seed"], 1);
    assert_eq!(s["horizons"], serde_json::json!([14.0, 60.0]));
    // The scenario's three requirements, in file order.
    let domains: Vec<&str> =
        s["needs"].as_array().expect("needs").iter().filter_map(|n| n["domain"].as_str()).collect();
    assert_eq!(domains, ["land", "air_defence", "air"]);
    let adequate = s["adequate"].as_array().expect("adequate");
    assert_eq!(adequate.len(), 2);
    for e in adequate.iter().chain(s["adequate_by_need"].as_array().expect("by need").iter().flat_map(|h| {
        assert_eq!(h.as_array().expect("a row per horizon").len(), 3);
        h.as_array().expect("a row").iter()
    })) {
        let (v, low, high) = (e["value"].as_f64(), e["low"].as_f64(), e["high"].as_f64());
        let (Some(v), Some(low), Some(high)) = (v, low, high) else { panic!("not an estimate: {e}") };
        assert!((0.0..=1.0).contains(&v) && low <= v && v <= high && (0.0..=1.0).contains(&high), "{e}");
    }
    // A longer horizon can only help.
    assert!(adequate[0]["value"].as_f64() <= adequate[1]["value"].as_f64(), "{adequate:?}");
    for key in ["credibility", "deterred", "escalation"] {
        assert!(s[key]["value"].is_f64(), "{key}: {}", s[key]);
    }
}

#[test]
fn csv_has_a_header_and_rows() {
    let out = simulate(&["--runs", RUNS, "--scenario", SCENARIO, "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("metric,horizon_days,domain,value,low,high,runs"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() > 10, "{}", out.stdout);
    assert!(rows.iter().all(|r| r.len() == 7), "every row has 7 fields:\n{}", out.stdout);
    assert!(rows.iter().all(|r| r[6] == "10000"), "{}", out.stdout);
    for r in &rows {
        let numbers: Result<Vec<f64>, _> = r[3..6].iter().map(|x| x.parse::<f64>()).collect();
        assert!(numbers.is_ok(), "value, low, high are numbers: {r:?}");
    }
    // Default horizons 7, 30 and 90 days, each with the "all" row and the three domains.
    for h in ["7", "30", "90"] {
        for d in ["all", "land", "air_defence", "air"] {
            assert!(
                rows.iter().any(|r| r[0] == "p_adequate" && r[1] == h && r[2] == d),
                "no p_adequate row for {h} days, {d}:\n{}",
                out.stdout
            );
        }
    }
    for metric in ["p_deterred", "credibility", "p_escalation"] {
        assert!(rows.iter().any(|r| r[0] == metric), "no {metric} row:\n{}", out.stdout);
    }
}

#[test]
fn the_table_names_its_sections() {
    let out = simulate(&["--runs", "2000"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for heading in ["P(ADEQUATE RESPONSE)", "DELIVERED", "DETERRENCE AND ESCALATION", "COMMITMENTS", "docs/model.md"] {
        assert!(out.stdout.contains(heading), "no {heading}:\n{}", out.stdout);
    }
    assert!(out.stdout.contains("2000 runs, seed 1"), "{}", out.stdout);
}

#[test]
fn samples_out_writes_one_parquet_row_per_run() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("runs.parquet");
    let out = simulate(&["--runs", RUNS, "--threads", "2", "--format", "json", "--samples-out", path(&file)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary = json(&out.stdout);

    let reader = SerializedFileReader::new(fs::File::open(&file).expect("the Parquet file exists"))
        .expect("a valid Parquet file");
    assert_eq!(reader.metadata().file_metadata().num_rows(), 10000);

    let batches: Vec<_> = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&file).expect("readable"))
        .expect("a valid Parquet file")
        .build()
        .expect("a reader")
        .collect::<Result<_, _>>()
        .expect("readable batches");
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    for column in ["run", "combination", "honoured", "credibility", "escalation", "adequate_7d", "adequacy_land_90d"] {
        assert!(names.contains(&column), "no column {column}: {names:?}");
    }
    let mut runs = Vec::new();
    let mut adequate_30 = 0u64;
    for batch in &batches {
        let column = batch.column_by_name("run").expect("a run column");
        let ids = column.as_any().downcast_ref::<arrow_array::UInt64Array>().expect("run is UInt64");
        runs.extend(ids.values().iter().copied());
        let column = batch.column_by_name("adequate_30d").expect("an adequate_30d column");
        let flags = column.as_any().downcast_ref::<arrow_array::BooleanArray>().expect("adequate is Boolean");
        adequate_30 += flags.true_count() as u64;
    }
    assert_eq!(runs, (0..10000).collect::<Vec<u64>>(), "one row per run, in run order");
    // The rows add up to the summary's estimate.
    let p = summary["adequate"][1]["value"].as_f64().expect("P(adequate) at 30 days");
    assert!((adequate_30 as f64 / 10000.0 - p).abs() < 1e-12, "{adequate_30} of 10000 rows vs {p}");
}

#[test]
fn samples_out_does_not_change_the_result() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("runs.parquet");
    let with = simulate(&["--runs", RUNS, "--format", "json", "--samples-out", path(&file)]);
    let without = simulate(&["--runs", RUNS, "--format", "json"]);
    assert_eq!(with.code, 0, "{}", with.stderr);
    assert_eq!(with.stdout, without.stdout);
}

#[test]
fn export_model_writes_the_model_as_json() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("model.json");
    let out = simulate(&["--runs", "100", "--export-model", path(&file)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let model = json(&fs::read_to_string(&file).expect("the model was written"));
    assert_eq!(model["framework"], "coalition-2025");
    assert_eq!(model["scenario"], "ceasefire-then-offensive");
    assert_eq!(model["horizons"], serde_json::json!([7.0, 30.0, 90.0]));
    let pairs = model["pairs"].as_array().expect("pairs");
    assert!(!pairs.is_empty());
    for p in pairs {
        let honour = p["honour"].as_f64().expect("an honour probability");
        assert!((0.0..=1.0).contains(&honour), "{p}");
        assert!(p["commitment"].is_string() && p["party"].is_string(), "{p}");
    }
    // One outcome per combination of variant options.
    let combinations: usize =
        model["variants"].as_array().expect("variants").iter().map(|v| v.as_array().expect("weights").len()).product();
    assert_eq!(model["outcomes"].as_array().expect("outcomes").len(), combinations);
    for key in ["needs", "capacity", "deterrence", "factor_names"] {
        assert!(!model[key].is_null(), "no {key}");
    }
}

#[test]
fn bad_model_parameters_exit_1_naming_the_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = fs::read_to_string(super::workspace_root().join(COALITION)).expect("the flagship");
    // The flagship has a [model] table: add the bad value to it.
    let spec = spec.replacen("[model]\n", "[model]\nhonour = { treaty = 1.5 }\n", 1);
    let line = spec.lines().position(|l| l.starts_with("honour = { treaty = 1.5 }")).expect("the line") + 1;
    let file = dir.path().join("bad-model.toml");
    fs::write(&file, &spec).expect("writable");
    let scenario = super::workspace_root().join(SCENARIO);
    let out = run(&["simulate", path(&file), "--scenario", path(&scenario), "--runs", "100", "--quiet"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("error[E0402]"), "{}", out.stderr);
    assert!(out.stderr.contains("an honour probability 1.5 is outside [0, 1]"), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("{}:{line}:", path(&file))),
        "expected {}:{line}:… in\n{}",
        path(&file),
        out.stderr
    );
}

#[test]
fn zero_runs_is_a_usage_error() {
    let out = simulate(&["--runs", "0"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--runs"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn other_usage_errors_exit_2() {
    for args in [
        &["--until-ci", "0"][..],
        &["--until-ci", "0.5"],
        &["--horizon", "0"],
        &["--horizon", "-3"],
        &["--variant", "no-equals-sign"],
        &["--variant", "tripwire=no-such-option"],
        &["--format", "xml"],
    ] {
        let out = simulate(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_missing_scenario_exits_1() {
    let out = simulate(&["--scenario", "scenarios/no-such-scenario.toml", "--runs", "10"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("no-such-scenario.toml"), "{}", out.stderr);
}

#[test]
fn until_ci_stops_once_every_interval_is_narrow_enough() {
    let out = simulate(&["--until-ci", "0.01", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = json(&out.stdout);
    let runs = s["runs"].as_u64().expect("runs");
    assert!(runs > 0 && runs % 4096 == 0, "--until-ci runs whole chunks: {runs}");
    let half_width = |e: &Value| (e["high"].as_f64().unwrap_or(1.0) - e["low"].as_f64().unwrap_or(0.0)) / 2.0;
    let by_need = s["adequate_by_need"].as_array().expect("by need").iter().flat_map(|h| h.as_array().expect("a row"));
    for e in s["adequate"].as_array().expect("adequate").iter().chain(by_need) {
        assert!(half_width(e) <= 0.01, "half-width {} > 0.01 after {runs} runs: {e}", half_width(e));
    }
    assert!(s["widest_half_width"].as_f64().expect("widest") <= 0.01);
}

/// Regression: the first batch of `--until-ci` was 16 chunks, so a loose target such as 0.05,
/// which one chunk (4096 runs) reaches, still ran 65 536 runs; and later batches doubled, so a
/// tight target could overshoot by more than twice the runs it needed.
#[test]
fn until_ci_runs_no_more_than_the_target_needs() {
    let loose = json(&simulate(&["--until-ci", "0.05", "--format", "json"]).stdout);
    assert_eq!(loose["runs"], 4096, "one chunk reaches ±0.05");
    let tight = json(&simulate(&["--until-ci", "0.004", "--format", "json"]).stdout);
    let runs = tight["runs"].as_u64().expect("runs");
    let widest = tight["widest_half_width"].as_f64().expect("widest");
    assert!(widest <= 0.004, "{widest}");
    // A half-width falls as 1/√n: the runs that just reach the target are about
    // runs · (widest / target)². The run should not exceed them by much more than the 10 %
    // margin and one chunk.
    let needed = runs as f64 * (widest / 0.004).powi(2);
    assert!((runs as f64) < needed * 1.3 + 4096.0, "{runs} runs for about {needed:.0} needed");
}

#[test]
fn a_pinned_variant_is_chosen_in_every_run() {
    let out = simulate(&["--runs", "5000", "--variant", "us-military-support=none", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = json(&out.stdout);
    let variant = s["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .find(|v| v[0] == "us-military-support")
        .expect("the variant");
    assert_eq!(variant[1], serde_json::json!([["none", 1.0], ["after-ceasefire", 0.0], ["after-peace-deal", 0.0]]));
}

/// Regression: `--until-ci` rounded `--runs` up to whole chunks of 4096 (`--runs 5000` did 8192).
#[test]
fn until_ci_stops_at_the_runs_given() {
    let out = simulate(&["--runs", "5000", "--until-ci", "0.001", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json(&out.stdout)["runs"], 5000);
}

/// Regression: a commitment that never obliges anyone (its variant option pinned away) had an
/// honour rate of NaN.
#[test]
fn a_commitment_never_obliged_has_no_honour_rate_and_no_nan() {
    let out = simulate(&["--runs", "5000", "--variant", "us-military-support=none", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("NaN"), "{}", out.stdout);
    let report = json(&out.stdout);
    let political = report["commitments"]
        .as_array()
        .expect("commitments")
        .iter()
        .find(|c| c["id"] == "us-air-support")
        .expect("listed: it obliges in some combination");
    assert_eq!(political["honour"], serde_json::Value::Null, "{political:#}");
    let table = simulate(&["--runs", "5000", "--variant", "us-military-support=none"]);
    assert!(!table.stdout.contains("NaN"), "{}", table.stdout);
}
