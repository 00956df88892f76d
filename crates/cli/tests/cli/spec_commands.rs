//! `ironclad sources verify`, `show` and `schema` end to end.

use std::fs;

use serde_json::Value;

use crate::{ironclad, run, workspace_root};

/// A spec citing `report.txt` with the given quote, in a fresh directory beside that file.
fn fixture(quote: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    fs::write(
        dir.path().join("report.txt"),
        "The leaders said:\n\u{201C}Europe will provide them significant\n   security guarantees\u{201D} \u{2014} and Washington\u{2019}s role is backup.\n",
    )
    .expect("writable");
    let spec = format!(
        r#"[framework]
id = "fixture"
title = "Fixture"
protects = ["UA"]

[[source]]
id = "r"
file = "report.txt"

[[party]]
id = "UA"

[[party]]
id = "UK"

[[commitment]]
id = "c"
by = ["UK"]
to = ["UA"]
kind = "assist"
modality = "automatic"
strength = "statement"

[[commitment.evidence]]
source = "r"
quote = '''{quote}'''
"#
    );
    fs::write(dir.path().join("spec.toml"), spec).expect("writable");
    dir
}

fn verify(dir: &tempfile::TempDir, sources: &str) -> crate::Run {
    let spec = dir.path().join("spec.toml");
    let sources = dir.path().join(sources);
    run(&["sources", "verify", "--color", "never", spec.to_str().unwrap(), "--sources", sources.to_str().unwrap()])
}

#[test]
fn quotes_are_verified_after_folding_whitespace_and_typographic_quotes() {
    let dir = fixture(r#""Europe will provide them significant security guarantees" — and Washington's role"#);
    let out = verify(&dir, ".");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("ok: 1 quote verified"), "{}", out.stderr);
}

#[test]
fn a_misquote_fails_and_shows_the_closest_passage() {
    let dir = fixture("Europe will provide them substantial security guarantees");
    let out = verify(&dir, ".");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("error[E0701]: quote not found in `report.txt`"), "{}", out.stderr);
    assert!(out.stderr.contains("closest passage"), "{}", out.stderr);
    assert!(out.stderr.contains("Europe will provide them significant"), "{}", out.stderr);
    assert!(out.stderr.contains("spec.toml:26:"), "the quote's line is named: {}", out.stderr);
}

#[test]
fn a_quote_starting_or_ending_inside_a_word_is_not_found() {
    // "ashington's role" and "is back" occur only as parts of "Washington's role" and "is backup".
    for quote in ["ashington's role is backup", "Washington's role is back"] {
        let dir = fixture(quote);
        let out = verify(&dir, ".");
        assert_eq!(out.code, 1, "{quote}: {}", out.stderr);
        assert!(out.stderr.contains("error[E0701]: quote not found in `report.txt`"), "{}", out.stderr);
        assert!(out.stderr.contains("only starting or ending inside a longer word"), "{}", out.stderr);
        assert!(out.stderr.contains("quote whole words"), "{}", out.stderr);
    }
}

#[test]
fn a_missing_source_file_is_reported_once() {
    let dir = fixture("Europe");
    fs::create_dir(dir.path().join("empty")).expect("writable");
    let out = verify(&dir, "empty");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr.matches("error[E0702]").count(), 1, "{}", out.stderr);
}

#[test]
fn sources_default_to_the_environment() {
    let dir = fixture("Europe will provide them");
    let out = ironclad()
        .args(["sources", "verify", dir.path().join("spec.toml").to_str().unwrap()])
        .env("IRONCLAD_SOURCES", dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let without = run(&["sources", "verify", dir.path().join("spec.toml").to_str().unwrap()]);
    assert_eq!(without.code, 2, "no --sources and no IRONCLAD_SOURCES is a usage error");
}

/// With the seed reports at hand (CI sets `IRONCLAD_SOURCES`), the flagship's quotes all verify
/// and every commitment carries evidence.
#[test]
fn the_flagship_quotes_the_seed_reports_verbatim() {
    let Some(sources) = std::env::var_os("IRONCLAD_SOURCES") else {
        // Without the seed reports the fixtures above exercise the same code.
        return;
    };
    let out = ironclad()
        .args(["sources", "verify", "frameworks/coalition-2025.toml", "--format", "json"])
        .env("IRONCLAD_SOURCES", {
            // The flagship cites the project's compilation (../shared/treaties) for the force size.
            let mut dirs = std::env::split_paths(&sources).collect::<Vec<_>>();
            if let Some(treaties) = dirs.first().and_then(|d| d.parent()).map(|p| p.join("treaties")) {
                dirs.push(treaties);
            }
            std::env::join_paths(dirs).expect("joinable paths")
        })
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["problems"], 0);
    assert!(report["quotes_checked"].as_u64().unwrap() >= 40);
    let show = run(&["show", "frameworks/coalition-2025.toml", "--json"]);
    let summary: Value = serde_json::from_str(&show.stdout).expect("JSON");
    for c in summary["commitments"].as_array().unwrap() {
        assert!(!c["evidence"].as_array().unwrap().is_empty(), "{} has no evidence", c["id"]);
    }
}

#[test]
fn show_prints_the_coverage_matrix_and_gaps() {
    let out = run(&["show", "frameworks/coalition-2025.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for part in ["COVERAGE", "GAPS", "COMMITMENTS", "RED LINES", "VARIANTS", "us-air-support", "ru-legitimate-targets"]
    {
        assert!(out.stdout.contains(part), "missing {part}:\n{}", out.stdout);
    }
    // The US commits air support only in a variant option, so its air cell is lowercase.
    let us = out.stdout.lines().find(|l| l.trim_start().starts_with("US ")).expect("a US row");
    assert!(us.contains('r') && !us.contains('R'), "{us}");
    let json: Value =
        serde_json::from_str(&run(&["show", "frameworks/nato-1949.toml", "--json"]).stdout).expect("JSON");
    assert_eq!(json["id"], "nato-1949");
    assert!(json["coverage"]["rows"].as_array().unwrap().len() >= 32);
}

#[test]
fn show_prints_what_ends_a_commitment() {
    // The UK-Ukraine clauses end when Ukraine joins NATO (`void_if`): show says so in text,
    // JSON and the HTML report's clause table.
    let out = run(&["show", "frameworks/uk-ukraine-2024.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("void   once accession where party == UA and organisation == #nato"), "{}", out.stdout);
    let json: Value =
        serde_json::from_str(&run(&["show", "frameworks/uk-ukraine-2024.toml", "--format", "json"]).stdout)
            .expect("JSON");
    let aid = json["commitments"].as_array().unwrap().iter().find(|c| c["id"] == "military-aid-2024").expect("aid");
    assert_eq!(aid["void_if"], "accession where party == UA and organisation == #nato");
    // A clause without one has no field.
    let json: Value =
        serde_json::from_str(&run(&["show", "frameworks/nato-1949.toml", "--format", "json"]).stdout).expect("JSON");
    assert!(json["commitments"].as_array().unwrap().iter().all(|c| c.get("void_if").is_none()));
}

#[test]
fn show_lists_the_exceptions_in_text_and_json() {
    // The Budapest Memorandum's refrain points have `excuse` exceptions (self-defence).
    let out = run(&["show", "frameworks/budapest-1994.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let section = out.stdout.split("\nEXCEPTIONS\n").nth(1).unwrap_or_else(|| panic!("no EXCEPTIONS:\n{}", out.stdout));
    assert!(section.contains("p2-self-defence: excuse p2-no-force"), "{section}");
    assert!(section.contains("acts   armed_attack where provoked"), "{section}");
    assert!(section.contains("when   always"), "{section}");
    assert!(section.contains("p5-attack-in-alliance: excuse p5-no-nuclear-use"), "{section}");
    assert!(out.stdout.contains("6 parties, 7 commitments, 2 exceptions, 0 red lines"), "the counts: {}", out.stdout);
    let report = json(&run(&["show", "frameworks/budapest-1994.toml", "--format", "json"]).stdout);
    let exceptions = report["exceptions"].as_array().expect("exceptions");
    assert_eq!(exceptions.len(), 2);
    assert_eq!(report["counts"]["exceptions"], 2);
    assert_eq!(exceptions[0]["id"], "p2-self-defence");
    assert_eq!(exceptions[0]["effect"], "excuse");
    assert_eq!(exceptions[0]["commitments"], serde_json::json!(["p2-no-force"]));
    assert_eq!(exceptions[0]["acts"], "armed_attack where provoked");
    assert!(exceptions[0]["when"].is_null());
    assert_eq!(exceptions[0]["evidence"][0]["source_id"], "bm");
    let schema = json(&run(&["schema", "--output", "show"]).stdout);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // A framework without exceptions has an empty list and no section.
    let out = run(&["show", "frameworks/nato-1949.toml"]);
    assert!(!out.stdout.contains("EXCEPTIONS"), "{}", out.stdout);
    assert_eq!(
        json(&run(&["show", "frameworks/nato-1949.toml", "--format", "json"]).stdout)["exceptions"],
        serde_json::json!([])
    );
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn show_refuses_a_spec_with_errors() {
    let out = run(&["show", "tests/bad-specs/16-unknown-party.toml"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("E0101"), "{}", out.stderr);
}

#[test]
fn schema_is_json_schema_that_accepts_every_bundled_spec() {
    let out = run(&["schema"]);
    assert_eq!(out.code, 0);
    let schema: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let dir = workspace_root().join("frameworks");
    for entry in fs::read_dir(&dir).expect("frameworks/") {
        let path = entry.expect("entry").path();
        let table: toml::Table = fs::read_to_string(&path).expect("readable").parse().expect("TOML");
        let instance = ironclad::spec::schema::toml_to_json(&toml::Value::Table(table));
        let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}
