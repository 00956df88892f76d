//! `ironclad check` as a user meets it: exit codes, the three formats, positions in the file.

use std::fs;

use serde_json::Value;

use super::{run, workspace_root};

const COALITION: &str = "frameworks/coalition-2025.toml";
const UNKNOWN_PARTY: &str = "tests/bad-specs/16-unknown-party.toml";
const SINGLE_EQUALS: &str = "tests/bad-specs/36-expr-single-equals.toml";
const DISCRETIONARY_DEFEND: &str = "tests/bad-specs/77-lint-discretionary-defend.toml";

/// 1-based line and column (in characters) of the first occurrence of `needle` in a file.
fn position_of(path: &str, needle: &str) -> (usize, usize) {
    let text = fs::read_to_string(workspace_root().join(path)).expect("readable");
    let offset = text.find(needle).unwrap_or_else(|| panic!("{path} does not contain {needle:?}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
    (line, column)
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("--format json printed invalid JSON ({e}):\n{stdout}"))
}

#[test]
fn the_coalition_framework_checks_without_errors() {
    let out = run(&["check", COALITION]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("error["), "{}", out.stderr);
    assert!(out.stderr.lines().last().is_some_and(|l| l.starts_with("ok: 1 file checked, 0 errors")), "{}", out.stderr);
    assert!(!out.stderr.contains('\u{1b}'), "no colour when stderr is not a terminal:\n{}", out.stderr);
}

#[test]
fn the_coalition_framework_is_ok_in_json() {
    let out = run(&["check", "--format", "json", COALITION]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["ok"], true);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["files"][0]["file"], COALITION);
    assert_eq!(report["files"][0]["errors"], 0);
}

#[test]
fn an_unknown_party_fails_with_its_position() {
    let out = run(&["check", UNKNOWN_PARTY]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (line, column) = position_of(UNKNOWN_PARTY, "\"FR\"");
    assert!(out.stderr.contains("error[E0101]: unknown party `FR`"), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("┌─ {UNKNOWN_PARTY}:{line}:{column}")),
        "expected {UNKNOWN_PARTY}:{line}:{column}:\n{}",
        out.stderr
    );
    assert!(out.stderr.trim_end().ends_with("failed: 1 file checked, 1 error, 0 warnings"), "{}", out.stderr);
}

#[test]
fn short_format_prints_file_line_column() {
    let out = run(&["check", "--format", "short", UNKNOWN_PARTY]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (line, column) = position_of(UNKNOWN_PARTY, "\"FR\"");
    let first = out.stderr.lines().next().unwrap_or_default();
    assert_eq!(first, format!("{UNKNOWN_PARTY}:{line}:{column}: error[E0101]: unknown party `FR`"));
}

#[test]
fn expression_errors_point_inside_the_string() {
    // `armed_attack where target = UA`: the column is that of the `=`, not of the string.
    let out = run(&["check", "--format", "short", SINGLE_EQUALS]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (line, column) = position_of(SINGLE_EQUALS, "= UA\"");
    let expected = format!("{SINGLE_EQUALS}:{line}:{column}: error[E0201]");
    assert!(out.stderr.starts_with(&expected), "expected {expected}...:\n{}", out.stderr);
}

#[test]
fn json_format_has_every_field() {
    let out = run(&["check", "--format", "json", UNKNOWN_PARTY]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.is_empty(), "JSON goes to stdout only, stderr has:\n{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 0);
    let files = report["files"].as_array().expect("`files` is an array");
    assert_eq!(files.len(), 1);
    let file = &files[0];
    assert_eq!(file["file"], UNKNOWN_PARTY);
    assert_eq!(file["errors"], 1);
    assert_eq!(file["warnings"], 0);
    let diagnostics = file["diagnostics"].as_array().expect("`diagnostics` is an array");
    assert_eq!(diagnostics.len(), 1, "{report:#}");
    let d = &diagnostics[0];
    assert_eq!(d["file"], UNKNOWN_PARTY);
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "E0101");
    assert_eq!(d["lint"], Value::Null);
    assert_eq!(d["message"], "unknown party `FR`");
    let (line, column) = position_of(UNKNOWN_PARTY, "\"FR\"");
    assert_eq!(d["start"]["line"], line);
    assert_eq!(d["start"]["column"], column);
    assert_eq!(d["end"]["line"], line);
    assert_eq!(d["end"]["column"], column + "\"FR\"".len());
    assert_eq!(d["end"]["offset"].as_u64().unwrap() - d["start"]["offset"].as_u64().unwrap(), 4);
    let labels = d["labels"].as_array().expect("`labels` is an array");
    assert!(
        labels.iter().any(|l| l["primary"] == true && l["start"] == d["start"] && l["message"].is_string()),
        "{d:#}"
    );
    assert!(d["help"].is_string(), "{d:#}");
    assert!(d["notes"].is_array(), "{d:#}");
}

#[test]
fn json_format_names_the_lint_of_a_warning() {
    let out = run(&["check", "--format", "json", DISCRETIONARY_DEFEND]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = json(&out.stdout);
    assert_eq!(report["ok"], true);
    assert_eq!(report["warnings"], 1);
    let d = &report["files"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["code"], "W0005");
    assert_eq!(d["lint"], "discretionary-defend");

    let denied = run(&["check", "--format", "json", "--deny-warnings", DISCRETIONARY_DEFEND]);
    assert_eq!(denied.code, 1, "{}", denied.stdout);
    assert_eq!(json(&denied.stdout)["ok"], false);
}

#[test]
fn a_missing_file_is_an_error() {
    let out = run(&["check", "tests/bad-specs/no-such-file.toml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("error[E0003]"), "{}", out.stderr);
    assert!(out.stderr.contains("tests/bad-specs/no-such-file.toml"), "{}", out.stderr);

    let out = run(&["check", "--format", "json", "tests/bad-specs/no-such-file.toml"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report = json(&out.stdout);
    assert_eq!(report["files"][0]["diagnostics"][0]["code"], "E0003");
}

#[test]
fn every_file_is_checked_and_the_worst_wins() {
    let out = run(&["check", "--format", "short", COALITION, UNKNOWN_PARTY]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("{UNKNOWN_PARTY}:")), "{}", out.stderr);
    assert!(out.stderr.contains("failed: 2 files checked, 1 error"), "{}", out.stderr);
}

#[test]
fn a_spec_in_a_temporary_directory_is_checked() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let good = fs::read_to_string(workspace_root().join("tests/bad-specs/16-unknown-party.toml"))
        .unwrap()
        .replace("[\"FR\"]", "[\"UK\"]");
    let path = dir.path().join("fixed.toml");
    fs::write(&path, good).unwrap();
    let out = run(&["check", "--deny-warnings", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("ok: 1 file checked, 0 errors, 0 warnings"), "{}", out.stderr);
}

#[test]
fn a_wrong_command_line_exits_2() {
    for args in [
        &["check", "--frobnicate", COALITION][..],
        &["check", "--format", "xml", COALITION],
        &["check"],
        &["frobnicate"],
        &[],
    ] {
        let out = run(args);
        assert_eq!(out.code, 2, "ironclad {args:?}:\n{}", out.stderr);
        assert!(!out.stderr.is_empty(), "ironclad {args:?} should say what is wrong");
    }
}

#[test]
fn help_and_version_exit_0() {
    let out = run(&["check", "--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("--deny-warnings"), "{}", out.stdout);
    let out = run(&["--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("ironclad "), "{}", out.stdout);
}

/// A reader that stops early (`ironclad code … | head -1`) ends the command quietly by SIGPIPE,
/// the Unix filter's convention, not by the runtime's "failed printing to stdout" panic (exit
/// 101 with a backtrace). The output (400 kB) is larger than a pipe's buffer, so the write meets
/// the closed pipe whatever the timing.
#[cfg(unix)]
#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let specs: Vec<std::path::PathBuf> = fs::read_dir(workspace_root().join("frameworks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ironclad"))
        .current_dir(workspace_root())
        .args(["code", "--format", "json"])
        .args(&specs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.signal(), Some(13), "not ended by SIGPIPE (13 on Linux): {:?}", out.status);
}
