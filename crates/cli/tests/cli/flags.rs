//! Flag values checked before the work (audit A): huge values are usage errors (exit 2) that
//! name the bound, a wrong command line writes nothing, output paths are checked before the
//! runs, and the same kind of error has the same exit code in every command.

use super::run;

const COALITION: &str = "frameworks/coalition-2025.toml";

/// Exit 2 with `needle` in the message, and no panic or abort.
fn usage(args: &[&str], needle: &str) {
    let out = run(args);
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn huge_flag_values_are_usage_errors_naming_the_bound() {
    let morris = ["sensitivity", COALITION, "--method", "morris", "--runs", "10", "--samples"];
    for samples in ["18446744073709551615", "1000000000", "65537"] {
        usage(&[&morris[..], &[samples]].concat(), "at most 65536 Morris trajectories");
    }
    for runs in ["18446744073709551615", "4000000000000", "10000001"] {
        usage(&["discover", COALITION, "--runs", runs], "--runs is at most 10000000");
    }
    for points in ["18446744073709551614", "1844674407370955162", "65538"] {
        usage(
            &["discover", COALITION, "--uncertain", "--runs", "2000", "--points", points],
            "--points is at most 65536",
        );
    }
    for command in ["simulate", "attribute", "sensitivity", "discover", "compare", "report"] {
        for threads in ["0", "1025", "100000"] {
            usage(&[command, COALITION, "--threads", threads], "takes 1 to 1024 threads");
        }
    }
    usage(&["serve", "--threads", "5000"], "takes 1 to 1024 threads");
    usage(&["slurm", "simulate", COALITION, "--tasks", "1", "--cpus", "2000", "--dry-run"], "1..=1024");
}

#[test]
fn a_wrong_simulate_command_line_writes_no_model() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let model = dir.path().join("model.json");
    let state = dir.path().join("s.bin");
    let (model_s, state_s) = (model.display().to_string(), state.display().to_string());
    let base = ["simulate", COALITION, "--runs", "2000", "--export-model", &model_s, "--state-out", &state_s];
    for extra in [
        &["--shard", "9/2"][..],
        &["--shard", "1/2", "--samples-out", "x.parquet"],
        &["--shard", "1/2", "--until-ci", "0.01"],
        &["--shard", "3/3"],
    ] {
        std::fs::write(&model, "precious").expect("writes");
        let out = run(&[&base[..], extra].concat());
        assert_eq!(out.code, 2, "{extra:?}: {}", out.stderr);
        assert_eq!(std::fs::read_to_string(&model).expect("still there"), "precious", "{extra:?}");
        assert!(!state.exists());
    }
}

#[test]
fn output_paths_are_checked_before_the_runs() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let adir = dir.path().display().to_string();
    let missing = dir.path().join("nodir/x.out").display().to_string();
    // Sizes that would take minutes: the error must come at once.
    let big = "100000000";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["simulate", COALITION, "--runs", big, "--samples-out"], "--samples-out"),
        (vec!["simulate", COALITION, "--runs", big, "--export-model"], "--export-model"),
        (vec!["simulate", COALITION, "--runs", big, "--shard", "1/2", "--state-out"], "--state-out"),
        (vec!["sensitivity", COALITION, "--runs", big, "--shard", "1/1", "--state-out"], "--state-out"),
        (vec!["attribute", COALITION, "--runs", big, "--shard", "1/1", "--state-out"], "--state-out"),
        (vec!["report", COALITION, "--runs", big, "--out"], "--out"),
        (vec!["merge", "no-such-state", "--output"], "--output"),
    ];
    for (args, flag) in &cases {
        let started = std::time::Instant::now();
        let out = run(&[&args[..], &[&adir]].concat());
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("{flag} takes a file name")), "{}", out.stderr);
        let out = run(&[&args[..], &[&missing]].concat());
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("no directory"), "{}", out.stderr);
        assert!(started.elapsed().as_secs() < 20, "{args:?} ran before checking its output path");
    }
}

#[test]
fn until_ci_stopped_by_the_run_cap_says_so() {
    let args = ["simulate", COALITION, "--until-ci", "0.005", "--runs", "1000"];
    let text = run(&args);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("--until-ci 0.005: target not reached (widest half-width 0.02"), "{}", text.stdout);
    let csv = run(&[&args[..], &["--format", "csv"]].concat());
    assert!(csv.stdout.contains("until_ci_target,,,0.005,,,1000\n"), "{}", csv.stdout);
    assert!(csv.stdout.contains("until_ci_reached,,,0,,,1000\n"), "{}", csv.stdout);
    let json = run(&[&args[..], &["--format", "json"]].concat());
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(value["until_ci"]["target_half_width"], 0.005);
    assert_eq!(value["until_ci"]["reached"], false);
    assert_eq!(value["until_ci"]["run_cap"], 1000);
    let schema = run(&["schema", "--output", "simulate"]);
    let schema: serde_json::Value = serde_json::from_str(&schema.stdout).expect("a schema");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    assert!(validator.is_valid(&value));
    let reached = run(&["simulate", COALITION, "--until-ci", "0.2", "--runs", "100000", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&reached.stdout).expect("JSON");
    assert_eq!(value["until_ci"]["reached"], true);
    let plain = run(&["simulate", COALITION, "--runs", "1000", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&plain.stdout).expect("JSON");
    assert!(value.get("until_ci").is_none(), "absent without --until-ci");
}

#[test]
fn the_same_kind_of_error_has_the_same_exit_code_everywhere() {
    // A missing input file: exit 1, as in `check` and `compare --scenario`.
    let out = run(&["backtest", "no-such-dir"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("cannot read no-such-dir"), "{}", out.stderr);
    let with = ["compare", "frameworks/nato-1949.toml", "--scenario", "scenarios/attack-on-estonia.toml"];
    let out = run(&[&with[..], &["--runs", "500", "--with", "no-such-overlay.toml"]].concat());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("cannot read the overlay no-such-overlay.toml"), "{}", out.stderr);
    // A flag value the command cannot take: exit 2.
    let nato = ["attribute", "frameworks/nato-1949.toml", "--scenario", "scenarios/attack-on-estonia.toml"];
    usage(&[&nato[..], &["--runs", "2000", "--exact"]].concat(), "exact values need at most 20");
    let mut args = vec!["simulate", COALITION, "--runs", "100"];
    let days: Vec<String> = (1..=64).map(|d| d.to_string()).collect();
    for d in &days {
        args.extend(["--horizon", d.as_str()]);
    }
    usage(&args, "at most 63 times");
}

#[test]
fn a_horizon_with_a_metric_read_at_the_deterrence_horizon_is_refused() {
    let needle = "--horizon applies to the adequate and delivered metrics only";
    for metric in ["credibility", "deterred"] {
        usage(&["attribute", COALITION, "--runs", "2000", "--metric", metric, "--horizon", "7"], needle);
        usage(
            &["sensitivity", COALITION, "--samples", "8", "--runs", "100", "--metric", metric, "--horizon", "7"],
            needle,
        );
    }
    usage(&["discover", COALITION, "--runs", "2000", "--metric", "credibility", "--horizon", "7"], needle);
    let ok = run(&["attribute", COALITION, "--runs", "2000", "--metric", "adequate", "--horizon", "7"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
}

/// Huge or tiny numbers in messages are in scientific notation, not hundreds of digits.
#[test]
fn huge_numbers_are_shown_in_scientific_notation() {
    let out = run(&["attribute", COALITION, "--horizon", "1e308", "--runs", "100"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("at 1e308 days"), "{}", out.stdout);
}
