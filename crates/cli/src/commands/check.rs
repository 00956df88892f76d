//! `ironclad check`: diagnostics for spec files.

use std::path::PathBuf;

use serde_json::json;

use super::{EXIT_ERRORS, EXIT_OK};
use crate::Format;
use crate::input::{diagnostic_json, load, render};

pub fn run(paths: &[PathBuf], format: Format, deny_warnings: bool, color: bool) -> u8 {
    let (mut errors, mut warnings) = (0, 0);
    let mut json_files = Vec::new();
    for path in paths {
        let loaded = load(path);
        errors += loaded.analysis.errors();
        warnings += loaded.analysis.warnings();
        let diagnostics = &loaded.analysis.diagnostics;
        match format {
            Format::Json => json_files.push(json!({
                "file": loaded.name,
                "errors": loaded.analysis.errors(),
                "warnings": loaded.analysis.warnings(),
                "diagnostics": diagnostics.iter().map(|d| diagnostic_json(&loaded.name, &loaded.text, d)).collect::<Vec<_>>(),
            })),
            _ => eprint!("{}", render(&loaded.name, &loaded.text, diagnostics, format, color)),
        }
    }
    let failed = errors > 0 || (deny_warnings && warnings > 0);
    if format == Format::Json {
        let report = json!({ "ok": !failed, "errors": errors, "warnings": warnings, "files": json_files });
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        let files = paths.len();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        eprintln!(
            "{}: {} checked, {}, {}{}",
            if failed { "failed" } else { "ok" },
            plural(files, "file"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            if deny_warnings && warnings > 0 { " (denied)" } else { "" }
        );
    }
    if failed { EXIT_ERRORS } else { EXIT_OK }
}
