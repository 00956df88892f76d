//! `ironclad slurm simulate`: a simulation as a Slurm job array of shards and a dependent merge
//! job. The scripts are plain sbatch files written to a directory; `--dry-run` prints them.

use std::path::{Path, PathBuf};
use std::process::Command;

use ironclad::{Files, Session};

use crate::commands::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, Inputs, fail, load_inputs};

/// The flags of `slurm simulate`.
#[derive(clap::Args)]
pub struct SlurmArgs {
    /// The framework spec file.
    pub spec: PathBuf,
    /// The scenario; default: the framework's own.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Runs in all.
    #[arg(long)]
    pub runs: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Horizons in days (repeatable).
    #[arg(long = "horizon", value_name = "DAYS")]
    pub horizons: Vec<f64>,
    /// Pinned variant options, VARIANT=OPTION (repeatable).
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// Parties that do not take part (repeatable).
    #[arg(long = "without", value_name = "PARTY")]
    pub without: Vec<String>,
    #[command(flatten)]
    pub job: Job,
}

/// The flags of `slurm sensitivity` and `slurm attribute`.
#[derive(clap::Args)]
pub struct SlurmAnalysisArgs {
    #[command(flatten)]
    pub job: Job,
    /// The analysis' own arguments after `--`, the spec first, as `ironclad sensitivity` or
    /// `ironclad attribute` takes them (not --shard, --state-out, --threads or --format).
    #[arg(last = true, required = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

/// How the job array runs.
#[derive(clap::Args)]
pub struct Job {
    /// Tasks of the job array: the number of shards.
    #[arg(long)]
    pub tasks: u64,
    /// The Slurm partition (default: the cluster's default).
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit per task, as sbatch takes it (e.g. 01:00:00).
    #[arg(long)]
    pub time: Option<String>,
    /// CPUs per task, 1 to 1024 (each task runs its shard on this many threads: its --threads).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub cpus: u32,
    /// Where the scripts, shard states, logs and the merged result go.
    #[arg(long, default_value = "ironclad-job")]
    pub dir: PathBuf,
    /// Print the scripts instead of submitting them.
    #[arg(long)]
    pub dry_run: bool,
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Single-quotes a word for the shell.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn scripts(a: &SlurmArgs, bin: &Path, dir: &Path) -> (String, String) {
    let shard = simulate_command(a, bin);
    let share = format!("its share of the {} runs", a.runs);
    job_scripts(&a.job, &shard.join(" "), &share, "", dir, bin)
}

fn simulate_command(a: &SlurmArgs, bin: &Path) -> Vec<String> {
    let mut shard = vec![
        quote(&bin.display().to_string()),
        "simulate".into(),
        quote(&absolute(&a.spec).display().to_string()),
        "--runs".into(),
        a.runs.to_string(),
        "--seed".into(),
        a.seed.to_string(),
        "--threads".into(),
        a.job.cpus.to_string(),
        "--quiet".into(),
    ];
    if let Some(s) = &a.scenario {
        shard.extend(["--scenario".into(), quote(&absolute(s).display().to_string())]);
    }
    for h in &a.horizons {
        shard.extend(["--horizon".into(), h.to_string()]);
    }
    for v in &a.variants {
        shard.extend(["--variant".into(), quote(v)]);
    }
    for p in &a.without {
        shard.extend(["--without".into(), quote(p)]);
    }
    shard
}

/// The array script (each task runs `cmd --shard K/N --state-out DIR/part-K.bin`, after `pre`
/// lines of the header) and the merge script.
fn job_scripts(a: &Job, cmd: &str, share: &str, pre: &str, dir: &Path, bin: &Path) -> (String, String) {
    let d = quote(&dir.display().to_string());
    let mut head = format!(
        "#!/bin/bash\n#SBATCH --job-name=ironclad-shards\n#SBATCH --array=1-{}\n#SBATCH --cpus-per-task={}\n#SBATCH --output={}/logs/shard-%A_%a.out\n{pre}",
        a.tasks,
        a.cpus,
        dir.display()
    );
    let mut merge_head = format!(
        "#!/bin/bash\n#SBATCH --job-name=ironclad-merge\n#SBATCH --output={}/logs/merge-%j.out\n",
        dir.display()
    );
    for h in [&mut head, &mut merge_head] {
        if let Some(p) = &a.partition {
            h.push_str(&format!("#SBATCH --partition={p}\n"));
        }
        if let Some(t) = &a.time {
            h.push_str(&format!("#SBATCH --time={t}\n"));
        }
    }
    let array = format!(
        "{head}# Shard K of {n} runs {share} and writes its exact state; a failed\n# task can be resubmitted alone: sbatch --array=K {dir}/array.sh\nset -euo pipefail\nexec {cmd} --shard \"$SLURM_ARRAY_TASK_ID/{n}\" --state-out {d}/part-\"$SLURM_ARRAY_TASK_ID\".bin\n",
        n = a.tasks,
        dir = dir.display(),
    );
    let merge = format!(
        "{merge_head}# Merges the shards into the unsharded result; names any missing range.\nset -euo pipefail\nexec {} merge --format json --output {d}/result.json {d}/part-*.bin\n",
        quote(&bin.display().to_string()),
    );
    (array, merge)
}

fn sbatch(args: &[&str]) -> Result<String, String> {
    let out = Command::new("sbatch").args(args).output().map_err(|e| format!("cannot run sbatch: {e}"))?;
    if !out.status.success() {
        return Err(format!("sbatch failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    // `--parsable` prints `jobid` or `jobid;cluster`.
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.trim().split(';').next().unwrap_or_default().to_string())
}

pub fn simulate(a: &SlurmArgs, color: bool) -> u8 {
    if a.job.tasks == 0 || a.runs == 0 {
        eprintln!("error: --tasks and --runs must be at least 1");
        return EXIT_USAGE;
    }
    if let Err(code) = check_inputs(a, color) {
        return code;
    }
    if a.job.tasks > a.runs.div_ceil(ironclad::sim::CHUNK) {
        eprintln!(
            "error: {} tasks for {} runs: a task runs whole chunks of {} runs, so at most {} tasks",
            a.job.tasks,
            a.runs,
            ironclad::sim::CHUNK,
            a.runs.div_ceil(ironclad::sim::CHUNK)
        );
        return EXIT_USAGE;
    }
    let bin = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("ironclad"));
    let dir = absolute(&a.job.dir);
    let (array, merge) = scripts(a, &bin, &dir);
    submit(&a.job, &dir, &array, &merge)
}

/// The checks of `ironclad simulate`, before anything is written or submitted: the flags
/// (`simulate::validate`), then the spec and scenario, the pinned variants and the absent
/// parties. On failure, prints what `simulate` prints and returns its exit code.
fn check_inputs(a: &SlurmArgs, color: bool) -> Result<(), u8> {
    let request = ironclad::simulate::Request {
        runs: Some(a.runs),
        until_ci: None,
        seed: a.seed,
        horizons: a.horizons.clone(),
        variants: a.variants.clone(),
        params: None,
        absent: a.without.clone(),
        off: Vec::new(),
    };
    if let Err(err) = ironclad::simulate::validate(&request) {
        return Err(fail(&Files::new(), err, "simulate", "the input", color));
    }
    let mut files = Files::new();
    let Inputs { spec_id, scenario_id, spec, scenario } =
        load_inputs(&mut files, &a.spec, a.scenario.as_deref(), "simulate", color)?;
    let session = Session::new();
    let prepared =
        session.structure(files.text(spec_id), files.text(scenario_id), &spec, &scenario).and_then(|structure| {
            let model = ironclad::simulate::model(&structure, &spec, &request)?;
            ironclad::simulate::participation(&spec, &model, &request).map(|_| ())
        });
    prepared.map_err(|err| fail(&files, err, "simulate", "the input", color))
}

/// `slurm sensitivity` and `slurm attribute`: the analysis' arguments passed through to every
/// task, run from the current directory (so relative paths mean what they mean here).
pub fn analysis(command: &str, a: &SlurmAnalysisArgs) -> u8 {
    if a.job.tasks == 0 {
        eprintln!("error: --tasks must be at least 1");
        return EXIT_USAGE;
    }
    if let Some(flag) = a.args.iter().find(|w| {
        ["--shard", "--state-out", "--threads", "--format"].iter().any(|f| w == f || w.starts_with(&format!("{f}=")))
    }) {
        eprintln!("error: `{flag}` is set by the job script: give the analysis' other arguments after `--`");
        return EXIT_USAGE;
    }
    let bin = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("ironclad"));
    let dir = absolute(&a.job.dir);
    let here = absolute(Path::new("."));
    let mut cmd = vec![quote(&bin.display().to_string()), command.to_string()];
    cmd.extend(a.args.iter().map(|w| quote(w)));
    cmd.extend(["--threads".into(), a.job.cpus.to_string()]);
    let share = if command == "sensitivity" {
        "its share of the evaluations (design points)"
    } else {
        "its share of the runs (and sampling units)"
    };
    let pre = format!("#SBATCH --chdir={}\n", here.display());
    let (array, merge) = job_scripts(&a.job, &cmd.join(" "), share, &pre, &dir, &bin);
    submit(&a.job, &dir, &array, &merge)
}

/// Prints (`--dry-run`) or writes and submits the two scripts.
fn submit(a: &Job, dir: &Path, array: &str, merge: &str) -> u8 {
    if a.dry_run {
        print!("# {}/array.sh\n{array}\n# {}/merge.sh\n{merge}", dir.display(), dir.display());
        return EXIT_OK;
    }
    let written = std::fs::create_dir_all(dir.join("logs"))
        .and_then(|_| crate::output::atomic::write(&dir.join("array.sh"), array.as_bytes()))
        .and_then(|_| crate::output::atomic::write(&dir.join("merge.sh"), merge.as_bytes()));
    if let Err(err) = written {
        eprintln!("error: cannot write the scripts in {}: {err}", dir.display());
        return EXIT_ERRORS;
    }
    let array_path = dir.join("array.sh").display().to_string();
    let merge_path = dir.join("merge.sh").display().to_string();
    let shards = match sbatch(&["--parsable", &array_path]) {
        Ok(id) => id,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERRORS;
        }
    };
    let dependency = format!("--dependency=afterok:{shards}");
    match sbatch(&["--parsable", &dependency, &merge_path]) {
        Ok(merge) => {
            println!("shards {shards}");
            println!("merge {merge}");
            eprintln!("result: {}/result.json once job {merge} ends", dir.display());
            EXIT_OK
        }
        Err(err) => {
            eprintln!("error: {err} (the shard array {shards} was submitted)");
            EXIT_ERRORS
        }
    }
}
