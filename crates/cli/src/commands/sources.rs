//! `ironclad sources verify`: every evidence quote must occur verbatim in its source file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ironclad_spec::Diagnostic;
use ironclad_spec::evidence::verify_quote;
use serde_json::json;

use super::{EXIT_ERRORS, EXIT_OK};
use crate::Format;
use crate::input::{diagnostic_json, load, render};

pub fn verify(paths: &[PathBuf], dirs: &[PathBuf], format: Format, color: bool) -> u8 {
    let mut failed = false;
    let mut reports = Vec::new();
    let (mut total_checked, mut total_missed) = (0, 0);
    for path in paths {
        let loaded = load(path);
        let Some(spec) = &loaded.analysis.spec else {
            // The spec must be valid before its quotes can be checked: show why it is not.
            let errors: Vec<Diagnostic> = loaded
                .analysis
                .diagnostics
                .iter()
                .filter(|d| d.severity == ironclad_spec::Severity::Error)
                .cloned()
                .collect();
            emit(&loaded.name, &loaded.text, &errors, format, color, &mut reports, 0);
            failed = true;
            continue;
        };
        let mut texts: HashMap<String, Result<String, String>> = HashMap::new();
        let mut diagnostics = Vec::new();
        let mut checked = 0;
        for (owner, evidence) in spec.all_evidence() {
            let source = &spec.sources[evidence.source.index()];
            let text = texts.entry(source.file.clone()).or_insert_with(|| read_source(&source.file, dirs));
            match text {
                Err(why) => diagnostics.push(
                    Diagnostic::new("E0702", format!("source `{}` ({}) cannot be read: {why}", source.id, source.file))
                        .primary(evidence.quote_span.clone(), format!("quoted in {owner}"))
                        .secondary(source.span.clone(), "declared here")
                        .help("pass the directory holding it with --sources DIR (repeatable), or set IRONCLAD_SOURCES"),
                ),
                Ok(text) => {
                    checked += 1;
                    if let Err(miss) = verify_quote(&evidence.quote, text) {
                        diagnostics.push(
                            Diagnostic::new("E0701", format!("quote not found in `{}`", source.file))
                                .primary(evidence.quote_span.clone(), format!("quoted in {owner}"))
                                .note(format!(
                                    "closest passage ({:.0}% alike): \"{}\"",
                                    miss.similarity * 100.0,
                                    miss.closest
                                ))
                                .help(
                                    "quote the source's exact words; only whitespace and typographic quotes are folded",
                                ),
                        );
                    }
                }
            }
        }
        // A missing file is reported once per quote; keep one per source.
        let mut seen_missing = Vec::new();
        diagnostics.retain(|d| {
            d.code != "E0702" || {
                let new = !seen_missing.contains(&d.message);
                seen_missing.push(d.message.clone());
                new
            }
        });
        let missed = diagnostics.len();
        total_checked += checked;
        total_missed += missed;
        failed |= missed > 0;
        emit(&loaded.name, &loaded.text, &diagnostics, format, color, &mut reports, checked);
    }
    if format == Format::Json {
        let report =
            json!({ "ok": !failed, "quotes_checked": total_checked, "problems": total_missed, "files": reports });
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        eprintln!(
            "{}: {} quote{} verified in {} file{}, {} problem{}",
            if failed { "failed" } else { "ok" },
            total_checked - total_missed.min(total_checked),
            if total_checked == 1 { "" } else { "s" },
            paths.len(),
            if paths.len() == 1 { "" } else { "s" },
            total_missed,
            if total_missed == 1 { "" } else { "s" },
        );
    }
    if failed { EXIT_ERRORS } else { EXIT_OK }
}

fn emit(
    name: &str,
    text: &str,
    diagnostics: &[Diagnostic],
    format: Format,
    color: bool,
    reports: &mut Vec<serde_json::Value>,
    checked: usize,
) {
    if format == Format::Json {
        reports.push(json!({
            "file": name,
            "quotes_checked": checked,
            "diagnostics": diagnostics.iter().map(|d| diagnostic_json(name, text, d)).collect::<Vec<_>>(),
        }));
    } else {
        eprint!("{}", render(name, text, diagnostics, format, color));
    }
}

/// Finds `file` in the first directory that has it. Only plain file names and relative paths
/// below the directory are accepted.
fn read_source(file: &str, dirs: &[PathBuf]) -> Result<String, String> {
    let relative = Path::new(file);
    if relative.is_absolute() || relative.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return Err("source files are named relative to a --sources directory, without `..`".into());
    }
    for dir in dirs {
        let path = dir.join(relative);
        if path.is_file() {
            return std::fs::read(&path)
                .map_err(|e| format!("{}: {e}", path.display()))
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(format!("not found in {}", searched.join(", ")))
}
