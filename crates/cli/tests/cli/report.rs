//! `ironclad report`: the HTML file end to end (self-contained, deterministic for a seed,
//! written whole), the Markdown with its SVG files, comparison, and bad input.

use super::run;

const SMALL: &str = "crates/ironclad/tests/fixtures/report/small.toml";
const COALITION_2025: &str = "frameworks/coalition-2025.toml";

fn out(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

#[test]
fn the_flagship_report_is_one_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = out(&dir, "report.html");
    let r = run(&["report", "frameworks/coalition-2025.toml", "--out", &path, "--runs", "4000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "the report goes to the file, not stdout");
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.to_ascii_lowercase().contains("http"), "no address of any kind");
    for bad in ["src=", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(bad), "the page holds `{bad}`");
    }
    for section in [
        "The framework at a glance",
        "Scenario: Ceasefire, reassurance force, then a major offensive",
        "Variants: what each option changes",
        "Who it rests on: attribution",
        "Which assumption matters: sensitivity",
        "Every clause and its evidence",
    ] {
        assert!(html.contains(section), "missing section {section}");
    }
    assert!(html.matches("<svg").count() >= 10);
    assert!(html.contains("4000 per simulation"), "the run counts are stated");
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (out(&dir, "a.html"), out(&dir, "b.html"), out(&dir, "c.html"));
    for (path, seed, threads) in [(&a, "3", "1"), (&b, "3", "2"), (&c, "4", "2")] {
        let r = run(&["report", SMALL, "--out", path, "--runs", "800", "--seed", seed, "--threads", threads]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let read = |p: &str| std::fs::read(p).unwrap();
    assert!(read(&a) == read(&b), "same seed, different threads: same bytes");
    assert!(read(&a) != read(&c), "another seed, other figures");
}

#[test]
fn markdown_is_written_with_its_svg_files_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = out(&dir, "small.md");
    let r = run(&[
        "report",
        SMALL,
        "--format",
        "md",
        "--out",
        &path,
        "--runs",
        "800",
        "--compare",
        "crates/ironclad/tests/fixtures/report/alone.toml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.starts_with("# A small guarantee"));
    assert!(md.contains("## Comparison with other frameworks"));
    let files = dir.path().join("small-files");
    let svgs: Vec<String> =
        std::fs::read_dir(&files).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(svgs.len() >= 9, "{svgs:?}");
    for name in &svgs {
        assert!(name.ends_with(".svg"));
        assert!(md.contains(&format!("](small-files/{name})")), "{name} is linked");
        let svg = std::fs::read_to_string(files.join(name)).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}");
    }
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = out(&dir, "report.html");
    // A spec with errors: exit 1, its diagnostics.
    let r = run(&["report", "tests/bad-specs/16-unknown-party.toml", "--out", &path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error["), "{}", r.stderr);
    // A missing scenario file.
    let r = run(&["report", SMALL, "--scenario", "no/such/scenario.toml", "--out", &path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    // A wrong command line: exit 2.
    let r = run(&["report", SMALL, "--runs", "0", "--out", &path]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&["report", SMALL, "--format", "pdf", "--out", &path]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&["report", SMALL, "--out", &dir.path().display().to_string()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The same scenario twice (also as another path to the same file): exit 2, not two sections.
    let twice = ["scenarios/ceasefire-then-offensive.toml", "./scenarios/ceasefire-then-offensive.toml"];
    let r = run(&["report", COALITION_2025, "--scenario", twice[0], "--scenario", twice[1], "--out", &path]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is given twice"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "a failed report writes nothing");
    // A scenario that the spec cannot resolve (it names a party the spec lacks).
    let r = run(&["report", SMALL, "--scenario", "scenarios/crimea-2014.toml", "--out", &path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}
