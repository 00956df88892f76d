//! What every command shares: one `--format` flag, JSON with `schema_version` that validates
//! against the published schema, and output files that an interrupted run leaves untouched.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{ironclad, run, workspace_root};

const COALITION: &str = "frameworks/coalition-2025.toml";
const SCENARIO: &str = "scenarios/ceasefire-then-offensive.toml";

/// Each command with `--format json`, and the name of its output schema.
fn commands() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("check", vec!["check", COALITION]),
        ("show", vec!["show", COALITION]),
        ("obligations", vec!["obligations", COALITION, "--scenario", SCENARIO, "--explain", "--why-not", "US"]),
        ("simulate", vec!["simulate", COALITION, "--runs", "3000", "--quiet"]),
        ("discover", vec!["discover", COALITION, "--runs", "2000"]),
    ]
}

#[test]
fn every_command_prints_json_with_a_schema_version_that_validates_against_its_schema() {
    for (name, mut args) in commands() {
        args.extend(["--format", "json"]);
        let out = run(&args);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let value: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(value["schema_version"], 1, "{name}");
        let schema = run(&["schema", "--output", name]);
        assert_eq!(schema.code, 0, "{}", schema.stderr);
        let schema: Value = serde_json::from_str(&schema.stdout).expect("a JSON schema");
        let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{name}: output does not match its schema: {errors:#?}");
    }
    let sources = ironclad()
        .args(["sources", "verify", COALITION, "--format", "json"])
        .env("IRONCLAD_SOURCES", workspace_root().join("tests/fixtures/none"))
        .output()
        .expect("runs");
    let value: Value = serde_json::from_slice(&sources.stdout).expect("JSON");
    assert_eq!(value["schema_version"], 1);
}

#[test]
fn every_command_takes_the_same_format_values() {
    for (name, args) in commands() {
        for format in ["text", "short", "json", "csv"] {
            let mut with = args.clone();
            with.extend(["--format", format]);
            let out = run(&with);
            assert_eq!(out.code, 0, "{name} --format {format}: {}", out.stderr);
        }
    }
    let out = run(&["schema", "--output", "nonsense"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("outputs: check, show, obligations, simulate, sources"), "{}", out.stderr);
}

#[test]
fn without_a_guarantor_the_response_is_weaker_and_an_unknown_party_is_a_usage_error() {
    let figure = |args: &[&str]| {
        let mut all = vec!["simulate", COALITION, "--runs", "8192", "--quiet", "--format", "json"];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
        (v["adequate"][1]["value"].as_f64().expect("a figure"), v["absent"].clone())
    };
    let (all, absent) = figure(&[]);
    assert_eq!(absent, serde_json::json!([]));
    let (without, absent) = figure(&["--without", "UK", "--without", "FR"]);
    assert_eq!(absent, serde_json::json!(["UK", "FR"]));
    assert!(without < all, "without UK and France: {without} vs {all}");
    let out = run(&["simulate", COALITION, "--runs", "100", "--quiet", "--without", "XX"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no party `XX`"), "{}", out.stderr);
}

#[test]
fn more_horizons_than_a_run_can_hold_are_refused() {
    let mut args = vec!["simulate", COALITION, "--runs", "100", "--quiet"];
    let days: Vec<String> = (1..=64).map(|d| d.to_string()).collect();
    for d in &days {
        args.extend(["--horizon", d.as_str()]);
    }
    let out = run(&args);
    // A flag error: the usage code (audit A finding 12).
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("64 horizons: --horizon is repeatable at most 63 times"), "{}", out.stderr);
}

/// Regression: Ctrl-C during `--samples-out runs.parquet` left `runs.parquet` overwritten by a
/// file without a footer. Now the run stops between chunks, the temporary file goes, and the
/// user's previous file is as it was.
#[test]
fn an_interrupted_simulation_leaves_the_previous_output_file_untouched() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let target = dir.path().join("runs.parquet");
    std::fs::write(&target, b"the user's previous file").expect("writable");
    let bin = assert_cmd::cargo::cargo_bin("ironclad");
    let child = std::process::Command::new(bin)
        .current_dir(workspace_root())
        .args(["simulate", COALITION, "--quiet", "--runs", "400000000", "--samples-out"])
        .arg(&target)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ironclad starts");
    // Wait until the run has started writing its temporary file, then interrupt it.
    let started = Instant::now();
    let temp_exists = || std::fs::read_dir(dir.path()).expect("listable").count() > 1;
    while !temp_exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("ironclad ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(std::fs::read(&target).expect("still there"), b"the user's previous file");
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).expect("listable").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind: {left:?}");
}

/// `simulate --shard K/N --state-out` then `merge`: the merged report is the unsharded one, byte
/// for byte; bad shard sets are refused with a message naming the problem.
#[test]
fn shards_merge_into_the_unsharded_report_and_bad_sets_are_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let part = |k: usize, seed: &str| {
        let file = dir.path().join(format!("part-{k}-{seed}.bin"));
        let shard = format!("{k}/3");
        let out = run(&[
            "simulate",
            COALITION,
            "--runs",
            "20000",
            "--seed",
            seed,
            "--shard",
            &shard,
            "--state-out",
            file.to_str().expect("UTF-8"),
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        file.to_str().expect("UTF-8").to_string()
    };
    let parts: Vec<String> = (1..=3).map(|k| part(k, "5")).collect();
    let merge = |files: &[&str]| {
        let mut args = vec!["merge", "--format", "json"];
        args.extend_from_slice(files);
        run(&args)
    };
    let merged = merge(&[&parts[2], &parts[0], &parts[1]]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let whole = run(&["simulate", COALITION, "--runs", "20000", "--seed", "5", "--quiet", "--format", "json"]);
    assert_eq!(merged.stdout, whole.stdout, "merged shards differ from the unsharded run");

    let missing = merge(&[&parts[0], &parts[2]]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("runs not covered by any shard: 4096..12288"), "{}", missing.stderr);
    let twice = merge(&[&parts[0], &parts[0], &parts[1], &parts[2]]);
    assert_eq!(twice.code, 1);
    assert!(twice.stderr.contains("covered twice"), "{}", twice.stderr);
    let other_seed = part(2, "6");
    let mixed = merge(&[&parts[0], &other_seed, &parts[2]]);
    assert_eq!(mixed.code, 1);
    assert!(mixed.stderr.contains("the seeds differ"), "{}", mixed.stderr);

    let bytes = std::fs::read(&parts[1]).expect("readable");
    let truncated = dir.path().join("truncated.bin");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("writable");
    let corrupted = dir.path().join("corrupted.bin");
    let mut flipped = bytes.clone();
    let at = flipped.len() - 10;
    flipped[at] = if flipped[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&corrupted, &flipped).expect("writable");
    for bad in [&truncated, &corrupted] {
        let out = merge(&[&parts[0], bad.to_str().expect("UTF-8"), &parts[2]]);
        assert_eq!(out.code, 1);
        assert!(out.stderr.contains("checksum mismatch"), "{}", out.stderr);
    }
    let not_state = merge(&[COALITION]);
    assert_eq!(not_state.code, 1);
    assert!(not_state.stderr.contains("not an ironclad state file"), "{}", not_state.stderr);
    let bad_shard = run(&["simulate", COALITION, "--shard", "4/3", "--state-out", "x.bin"]);
    assert_eq!(bad_shard.code, 2, "{}", bad_shard.stderr);
}

#[test]
fn slurm_dry_run_prints_an_array_of_shards_and_a_merge_job() {
    let out = run(&[
        "slurm",
        "simulate",
        COALITION,
        "--tasks",
        "4",
        "--runs",
        "50000",
        "--partition",
        "short",
        "--time",
        "00:10:00",
        "--dir",
        "/tmp/ironclad-job",
        "--dry-run",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for line in [
        "#SBATCH --array=1-4",
        "#SBATCH --partition=short",
        "#SBATCH --time=00:10:00",
        "--shard \"$SLURM_ARRAY_TASK_ID/4\" --state-out '/tmp/ironclad-job'/part-\"$SLURM_ARRAY_TASK_ID\".bin",
        "merge --format json --output '/tmp/ironclad-job'/result.json '/tmp/ironclad-job'/part-*.bin",
        "sbatch --array=K /tmp/ironclad-job/array.sh",
    ] {
        assert!(out.stdout.contains(line), "no `{line}` in:\n{}", out.stdout);
    }
    let too_many = run(&["slurm", "simulate", COALITION, "--tasks", "20", "--runs", "50000", "--dry-run"]);
    assert_eq!(too_many.code, 2);
    assert!(too_many.stderr.contains("at most 13 tasks"), "{}", too_many.stderr);
}

/// Audit A finding 4: `slurm simulate` runs `simulate`'s checks before writing or submitting
/// anything: a missing spec, an unknown variant or party, `--horizon 0` are the same error and
/// exit code as `simulate` gives, and no script is written (nor printed with `--dry-run`).
#[test]
fn slurm_simulate_refuses_what_simulate_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let job = dir.path().join("job");
    let job = job.to_str().expect("UTF-8");
    let missing = dir.path().join("nope.toml");
    let missing = missing.to_str().expect("UTF-8");
    let cases: [&[&str]; 5] = [
        &[missing],
        &[COALITION, "--variant", "nope=x"],
        &[COALITION, "--without", "XX"],
        &[COALITION, "--horizon", "0"],
        &[COALITION, "--variant", "tripwire=nope"],
    ];
    for case in cases {
        let mut sim = vec!["simulate"];
        sim.extend_from_slice(case);
        sim.extend(["--runs", "20000"]);
        let expected = run(&sim);
        assert_ne!(expected.code, 0, "simulate accepts {case:?}");
        for dry in [true, false] {
            let mut slurm = vec!["slurm", "simulate"];
            slurm.extend_from_slice(case);
            slurm.extend(["--runs", "20000", "--tasks", "2", "--dir", job]);
            if dry {
                slurm.push("--dry-run");
            }
            let out = run(&slurm);
            assert_eq!(out.code, expected.code, "{case:?}: {}", out.stderr);
            assert_eq!(out.stderr, expected.stderr, "{case:?}");
            assert!(out.stdout.is_empty(), "{case:?} printed {}", out.stdout);
            assert!(!std::path::Path::new(job).exists(), "{case:?} wrote the job directory");
        }
    }
}

/// Regression: a state file whose carried spec has errors (altered, checksum recomputed) made
/// merge index an empty file table and panic; it is now a clear error.
#[test]
fn merge_refuses_a_state_whose_spec_has_errors_without_panicking() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("part.bin");
    let out =
        run(&["simulate", COALITION, "--runs", "4096", "--shard", "1/1", "--state-out", file.to_str().expect("UTF-8")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&file).expect("readable");
    let body = text.splitn(3, '\n').nth(2).expect("a body");
    let mut state: Value = serde_json::from_str(body).expect("JSON");
    state["spec_text"] = Value::String(format!("{}\nnonsense_key = 1\n", state["spec_text"].as_str().expect("text")));
    let body = serde_json::to_string(&state).expect("serialises");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    std::fs::write(&file, format!("ironclad-state 1\nfnv1a64 {h:016x}\n{body}")).expect("writable");
    let out = run(&["merge", file.to_str().expect("UTF-8")]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("carried by the state has errors"), "{}", out.stderr);
}

/// Audit A finding 10: `sources verify`'s closing line says what its JSON says: the quotes
/// checked are the quotes verified, an unreadable source is a source problem with the number of
/// quotes it leaves unchecked, and a spec with errors counts its errors as problems.
#[test]
fn sources_verify_text_agrees_with_its_json() {
    const SMALL: &str = "crates/ironclad/tests/fixtures/report/small.toml";
    let empty = tempfile::tempdir().expect("a temporary directory");
    let empty = empty.path().to_str().expect("UTF-8");
    let cases: [(&[&str], &str); 3] = [
        (
            &[SMALL, "--sources", "crates/ironclad/tests/fixtures/report"],
            "ok: 5 quotes verified in 1 file, 0 problems\n",
        ),
        (
            &[SMALL, "--sources", empty],
            "failed: 0 quotes verified in 1 file, 1 problem: 1 source unreadable (5 quotes not checked)\n",
        ),
        (
            &["tests/bad-specs/16-unknown-party.toml", "--sources", empty],
            "failed: 0 quotes verified in 1 file, 1 problem: 1 spec with errors (1 error; quotes not checked)\n",
        ),
    ];
    for (args, line) in cases {
        let mut text = vec!["sources", "verify"];
        text.extend_from_slice(args);
        let out = run(&text);
        assert!(out.stderr.ends_with(line), "{args:?}: {}", out.stderr);
        text.extend(["--format", "json"]);
        let json = run(&text);
        assert_eq!(json.code, out.code, "{args:?}");
        let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
        let verified = report["quotes_checked"].as_u64().unwrap() - report["quotes_not_found"].as_u64().unwrap();
        assert!(line.contains(&format!(" {verified} quote")), "{args:?}: {report}");
        assert!(line.contains(&format!(" {} problem", report["problems"])), "{args:?}: {report}");
    }
}
