//! `sensitivity` and `attribute` with `--shard K/N --state-out`, then `merge`: for 1, 2 and 3
//! shards the merged report is the unsharded one, byte for byte, in every format but text
//! (whose wall-clock line says "merged from shards"); bad shard sets are refused by name.

use super::run;

const COALITION: &str = "frameworks/coalition-2025.toml";

/// The analyses: the arguments of the unsharded command.
fn analyses() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("sobol", vec!["sensitivity", COALITION, "--samples", "4", "--runs", "48", "--seed", "3"]),
        ("morris", vec!["sensitivity", COALITION, "--method", "morris", "--samples", "3", "--runs", "48"]),
        ("exact", vec!["attribute", COALITION, "--runs", "600", "--seed", "4"]),
        ("sampled", vec!["attribute", COALITION, "--runs", "600", "--precision", "0.05", "--max-units", "1200"]),
    ]
}

/// Runs shards `1..=n` of `args` into `dir`, returning the state files.
fn shards(dir: &std::path::Path, label: &str, args: &[&str], n: usize) -> Vec<String> {
    (1..=n)
        .map(|k| {
            let file = dir.join(format!("{label}-{n}-{k}.bin")).to_str().expect("UTF-8").to_string();
            let shard = format!("{k}/{n}");
            let mut a = args.to_vec();
            a.extend(["--shard", &shard, "--state-out", &file]);
            let out = run(&a);
            assert_eq!(out.code, 0, "{label} {shard}: {}", out.stderr);
            assert!(out.stderr.contains(&format!("shard {k}/{n}:")), "{}", out.stderr);
            file
        })
        .collect()
}

fn merge(files: &[String], format: &str) -> super::Run {
    let mut args = vec!["merge", "--format", format];
    args.extend(files.iter().rev().map(String::as_str));
    run(&args)
}

#[test]
fn sharded_analyses_merge_into_the_unsharded_bytes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (label, args) in analyses() {
        for n in 1..=3 {
            let parts = shards(dir.path(), label, &args, n);
            for format in ["json", "csv"] {
                let mut whole = args.clone();
                whole.extend(["--format", format]);
                let whole = run(&whole);
                assert_eq!(whole.code, 0, "{}", whole.stderr);
                let merged = merge(&parts, format);
                assert_eq!(merged.code, 0, "{label}, {n} shards: {}", merged.stderr);
                assert_eq!(merged.stdout, whole.stdout, "{label}, {n} shards, {format}");
            }
            let text = merge(&parts, "text");
            assert_eq!(text.code, 0, "{}", text.stderr);
            assert!(text.stdout.contains("merged from shards"), "{}", text.stdout);
        }
    }
}

#[test]
fn bad_sets_of_analysis_shards_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let all = analyses();
    let sobol = shards(dir.path(), "sobol", &all[0].1, 3);
    let sampled = shards(dir.path(), "sampled", &all[3].1, 3);
    let refused = |files: &[String], says: &str| {
        let out = merge(files, "json");
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(out.stderr.contains(says), "wanted `{says}` in: {}", out.stderr);
    };
    refused(&[sobol[0].clone(), sobol[2].clone()], "evaluations not covered by any shard: 29..59 (of 0..89)");
    refused(&[sampled[0].clone(), sampled[1].clone()], "runs not covered by any shard: 400..600 (of 0..600)");
    refused(&[sobol[0].clone(), sobol[0].clone(), sobol[1].clone(), sobol[2].clone()], "covered twice");
    refused(&[sobol[0].clone(), sampled[1].clone()], "shards of different analyses");
    let mut seed = all[0].1.clone();
    let last = seed.len() - 1;
    seed[last] = "9";
    let other_seed = shards(dir.path(), "seed", &seed, 3);
    refused(&[sobol[0].clone(), other_seed[1].clone(), sobol[2].clone()], "the seeds differ");
    let mut runs = all[0].1.clone();
    runs[5] = "49";
    let other_runs = shards(dir.path(), "runs", &runs, 3);
    refused(&[sobol[0].clone(), other_runs[1].clone(), sobol[2].clone()], "the parameters");
    let bytes = std::fs::read(&sobol[1]).expect("readable");
    let truncated = dir.path().join("truncated.bin");
    std::fs::write(&truncated, &bytes[..bytes.len() - 7]).expect("writable");
    let truncated = truncated.to_str().expect("UTF-8").to_string();
    refused(&[sobol[0].clone(), truncated, sobol[2].clone()], "checksum mismatch");

    // Flags: a sampled attribution needs a budget to be sharded; no more shards than work.
    let out = run(&["attribute", COALITION, "--precision", "0.05", "--shard", "1/2", "--state-out", "x.bin"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--max-units"), "{}", out.stderr);
    let out = run(&["attribute", COALITION, "--runs", "10", "--shard", "1/11", "--state-out", "x.bin"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("at most 10 shards"), "{}", out.stderr);
    let out = run(&["sensitivity", COALITION, "--shard", "0/2", "--state-out", "x.bin"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!std::path::Path::new("x.bin").exists());
}

#[test]
fn slurm_dry_run_of_an_analysis_passes_its_arguments_to_every_shard() {
    let out = run(&[
        "slurm",
        "attribute",
        "--tasks",
        "4",
        "--cpus",
        "2",
        "--dir",
        "/tmp/ironclad-attribute-job",
        "--dry-run",
        "--",
        COALITION,
        "--runs",
        "100000",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for line in [
        "#SBATCH --array=1-4",
        "#SBATCH --chdir=",
        "attribute 'frameworks/coalition-2025.toml' '--runs' '100000' --threads 2 --shard \"$SLURM_ARRAY_TASK_ID/4\" --state-out '/tmp/ironclad-attribute-job'/part-\"$SLURM_ARRAY_TASK_ID\".bin",
        "merge --format json --output '/tmp/ironclad-attribute-job'/result.json '/tmp/ironclad-attribute-job'/part-*.bin",
    ] {
        assert!(out.stdout.contains(line), "no `{line}` in:\n{}", out.stdout);
    }
    assert!(!std::path::Path::new("/tmp/ironclad-attribute-job").exists(), "a dry run writes nothing");
    let out = run(&["slurm", "sensitivity", "--tasks", "2", "--dry-run", "--", COALITION, "--shard", "1/2"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("`--shard` is set by the job script"), "{}", out.stderr);
}
