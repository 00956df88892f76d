//! Reading spec files and reporting diagnostics about them.

use std::path::Path;

use ironclad_spec::diagnostic::line_col;
use ironclad_spec::{Analysis, Diagnostic, RenderOptions, analyze};
use serde_json::{Value, json};

use crate::Format;

/// A spec file read from disk and analysed.
pub struct Loaded {
    pub name: String,
    pub text: String,
    pub analysis: Analysis,
}

/// Reads and analyses a file. An unreadable file becomes an E0003 diagnostic.
pub fn load(path: &Path) -> Loaded {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                let analysis = analyze(&text);
                Loaded { name, text, analysis }
            }
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let before = std::str::from_utf8(&err.as_bytes()[..valid]).unwrap_or_default();
                let (line, column) = ironclad_spec::diagnostic::line_col(before, valid);
                unreadable(name, format!("the file is not UTF-8: invalid byte at line {line}, column {column}"))
            }
        },
        Err(err) => unreadable(name, format!("cannot read the file: {err}")),
    }
}

fn unreadable(name: String, message: String) -> Loaded {
    let diagnostic = Diagnostic::new("E0003", message).help("check the path; spec files are UTF-8 TOML");
    Loaded { name, text: String::new(), analysis: Analysis { spec: None, diagnostics: vec![diagnostic] } }
}

/// Renders diagnostics for a human (rustc style) or as short lines.
pub fn render(name: &str, text: &str, diagnostics: &[Diagnostic], format: Format, color: bool) -> String {
    if diagnostics.iter().any(|d| d.code == "E0003") {
        // No text to point into: say it on one line.
        return diagnostics.iter().map(|d| format!("error[{}]: {}: {}\n", d.code, name, d.message)).collect();
    }
    ironclad_spec::diagnostic::render(name, text, diagnostics, RenderOptions { color, short: format == Format::Short })
}

/// One diagnostic as JSON, with 1-based line and column.
pub fn diagnostic_json(name: &str, text: &str, d: &Diagnostic) -> Value {
    let position = |offset: usize| {
        let (line, column) = line_col(text, offset);
        json!({ "line": line, "column": column, "offset": offset })
    };
    let primary = d.primary_span().cloned();
    json!({
        "file": name,
        "severity": d.severity.as_str(),
        "code": d.code,
        "lint": d.lint(),
        "message": d.message,
        "start": primary.as_ref().map(|s| position(s.start)),
        "end": primary.as_ref().map(|s| position(s.end)),
        "labels": d.labels.iter().map(|l| json!({
            "message": l.message,
            "primary": l.primary,
            "start": position(l.span.start),
            "end": position(l.span.end),
        })).collect::<Vec<_>>(),
        "help": d.help,
        "notes": d.notes,
    })
}
