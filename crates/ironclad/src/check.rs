//! `check`: diagnostics of spec files, as a typed report.

use schemars::JsonSchema;
use serde::Serialize;

use crate::files::{FileDiagnostic, FileId, Files};

/// A position in a file, 1-based line and column, and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// A label of a diagnostic: a span of the file and what it says about it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LabelReport {
    pub message: String,
    pub primary: bool,
    pub start: Position,
    pub end: Position,
}

/// One diagnostic, with positions resolved in its file.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DiagnosticReport {
    pub file: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
    pub code: String,
    /// The lint's name, for warnings that `allow` can silence.
    pub lint: Option<String>,
    pub message: String,
    pub start: Option<Position>,
    pub end: Option<Position>,
    pub labels: Vec<LabelReport>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl DiagnosticReport {
    pub fn new(files: &Files, d: &FileDiagnostic) -> DiagnosticReport {
        let position = |offset: usize| {
            let (line, column) = files.line_col(d.file, offset);
            Position { line, column, offset }
        };
        let diagnostic = &d.diagnostic;
        let primary = diagnostic.primary_span().cloned();
        DiagnosticReport {
            file: files.name(d.file).to_string(),
            severity: diagnostic.severity.as_str().to_string(),
            code: diagnostic.code.to_string(),
            lint: diagnostic.lint().map(str::to_string),
            message: diagnostic.message.clone(),
            start: primary.as_ref().map(|s| position(s.start)),
            end: primary.as_ref().map(|s| position(s.end)),
            labels: diagnostic
                .labels
                .iter()
                .map(|l| LabelReport {
                    message: l.message.clone(),
                    primary: l.primary,
                    start: position(l.span.start),
                    end: position(l.span.end),
                })
                .collect(),
            help: diagnostic.help.clone(),
            notes: diagnostic.notes.clone(),
        }
    }
}

/// The diagnostics of one file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileCheck {
    pub file: String,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<DiagnosticReport>,
    #[serde(skip)]
    #[schemars(skip)]
    pub raw: Vec<FileDiagnostic>,
}

/// What `check` found in a set of spec files.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckReport {
    pub schema_version: u32,
    /// No error, and no warning when warnings are denied.
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    pub deny_warnings: bool,
    pub files: Vec<FileCheck>,
}

/// Checks spec files: syntax, names, types, units, evidence and lints.
pub fn check(files: &Files, ids: &[FileId], deny_warnings: bool) -> CheckReport {
    let mut out = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for &id in ids {
        let loaded = files.spec(id);
        let raw = loaded.diagnostics();
        errors += loaded.analysis.errors();
        warnings += loaded.analysis.warnings();
        out.push(FileCheck {
            file: files.name(id).to_string(),
            errors: loaded.analysis.errors(),
            warnings: loaded.analysis.warnings(),
            diagnostics: raw.iter().map(|d| DiagnosticReport::new(files, d)).collect(),
            raw,
        });
    }
    CheckReport {
        schema_version: crate::SCHEMA_VERSION,
        ok: errors == 0 && !(deny_warnings && warnings > 0),
        errors,
        warnings,
        deny_warnings,
        files: out,
    }
}
