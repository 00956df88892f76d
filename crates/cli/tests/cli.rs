//! Integration tests of the `ironclad` binary.
//!
//! - `analysis_shards`: `sensitivity` and `attribute` sharded and merged (1, 2, 3 shards) against
//!   the unsharded bytes; bad shard sets refused by name.
//! - `backtest`: `ironclad backtest` over the real `history/`, malformed cases, seeds, schema.
//! - `bad_specs`: one test per file of `tests/bad-specs/`, each a snapshot of the file and of
//!   what `ironclad check` says about it, plus assertions on the exit code and the expected
//!   diagnostic code (taken from the file's first line, `# E0101: ...`).
//! - `bad_scenarios`: the same for `tests/bad-scenarios/` and `ironclad obligations --scenario`.
//! - `discover`: `ironclad discover`: formats, schema, seeds, bad input.
//! - `end_to_end`: the command line as a user meets it: formats, exit codes, positions.
//! - `obligations`: `ironclad obligations` on the bundled scenarios: golden obligation sets,
//!   `--explain`, `--why-not`, `--at`, `--variant`, exit codes.
//! - `flags`: flag values checked before the work: bounds, early writes, output paths, exit codes.
//! - `front_door`: what every command shares: `--format json` with `schema_version`, valid
//!   against `ironclad schema --output COMMAND`; output files written whole or not at all.
//! - `report`: `ironclad report`: the HTML file (self-contained, the same bytes for a seed),
//!   Markdown with its SVG files, bad input.
//! - `serve`: `ironclad serve` started for real on a free loopback port; bad flags.
//! - `sensitivity`: `ironclad sensitivity`: formats, schema, seeds, bad input.
//! - `spec_commands`: `sources verify` (fixtures, and the seed reports when `IRONCLAD_SOURCES`
//!   is set), `show` and `schema`.

#[path = "cli/analysis_shards.rs"]
mod analysis_shards;
#[path = "cli/backtest.rs"]
mod backtest;
#[path = "cli/bad_scenarios.rs"]
mod bad_scenarios;
#[path = "cli/bad_specs.rs"]
mod bad_specs;
#[path = "cli/code.rs"]
mod code;
#[path = "cli/compare.rs"]
mod compare;
#[path = "cli/discover.rs"]
mod discover;
#[path = "cli/end_to_end.rs"]
mod end_to_end;
#[path = "cli/flags.rs"]
mod flags;
#[path = "cli/front_door.rs"]
mod front_door;
#[path = "cli/obligations.rs"]
mod obligations;
#[path = "cli/power.rs"]
mod power;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/sensitivity.rs"]
mod sensitivity;
#[path = "cli/serve.rs"]
mod serve;
#[path = "cli/simulate.rs"]
mod simulate;
#[path = "cli/spec_commands.rs"]
mod spec_commands;

use std::path::PathBuf;

use assert_cmd::Command;

/// The workspace root: commands run there, so paths in the output are relative and stable.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `ironclad` with the workspace root as working directory, without colour.
pub fn ironclad() -> Command {
    let mut cmd = Command::cargo_bin("ironclad").expect("the ironclad binary is built");
    cmd.current_dir(workspace_root()).env_remove("IRONCLAD_SOURCES").env_remove("NO_COLOR");
    cmd
}

/// What a finished command did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    let output = ironclad().args(args).output().expect("ironclad runs");
    Run {
        code: output.status.code().expect("ironclad exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
