//! `sources verify`: every evidence quote must occur verbatim in its source file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ironclad_spec::Diagnostic;
use ironclad_spec::evidence::{hedge_around, verify_quote};
use ironclad_spec::vocab::Status;
use schemars::JsonSchema;
use serde::Serialize;

use crate::check::DiagnosticReport;
use crate::files::{FileDiagnostic, FileId, Files};

/// The verification of one spec file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourcesFile {
    pub file: String,
    /// Quotes looked for in a source that could be read (found or not).
    pub quotes_checked: usize,
    /// Of those, the quotes not found verbatim (E0701).
    pub quotes_not_found: usize,
    /// Sources that could not be read (E0702, one per source).
    pub unreadable_sources: usize,
    /// Quotes not checked because their source could not be read.
    pub quotes_not_checked: usize,
    /// Errors of the spec itself (it must be valid before its quotes are checked).
    pub spec_errors: usize,
    pub diagnostics: Vec<DiagnosticReport>,
    #[serde(skip)]
    #[schemars(skip)]
    pub raw: Vec<FileDiagnostic>,
}

/// What `sources verify` found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourcesReport {
    pub schema_version: u32,
    pub ok: bool,
    /// The sums over the files of theirs.
    pub quotes_checked: usize,
    pub quotes_not_found: usize,
    pub unreadable_sources: usize,
    pub quotes_not_checked: usize,
    pub spec_errors: usize,
    /// Every error: quotes not found, unreadable sources, W0013 aside (a warning), and the
    /// errors of specs that are not valid.
    pub problems: usize,
    pub files: Vec<SourcesFile>,
}

/// Verifies the quotes of spec files against source files found in `dirs` (only there: a
/// source is named relative to a directory, without `..`).
pub fn verify(files: &Files, ids: &[FileId], dirs: &[PathBuf]) -> SourcesReport {
    let mut failed = false;
    let mut out = Vec::new();
    let (mut total_checked, mut total_missed) = (0, 0);
    for &id in ids {
        let loaded = files.spec(id);
        let Some(spec) = loaded.spec() else {
            // The spec must be valid before its quotes can be checked: show why it is not.
            let raw = loaded.errors();
            failed = true;
            let errors = raw.iter().filter(|d| d.diagnostic.severity == ironclad_spec::Severity::Error).count();
            total_missed += errors;
            out.push(SourcesFile {
                file: files.name(id).to_string(),
                quotes_checked: 0,
                quotes_not_found: 0,
                unreadable_sources: 0,
                quotes_not_checked: 0,
                spec_errors: errors,
                diagnostics: raw.iter().map(|d| DiagnosticReport::new(files, d)).collect(),
                raw,
            });
            continue;
        };
        let mut texts: HashMap<String, Result<String, String>> = HashMap::new();
        let mut diagnostics = Vec::new();
        let (mut checked, mut not_checked) = (0, 0);
        for (owner, evidence) in spec.all_evidence() {
            let source = &spec.sources[evidence.source.index()];
            let text = texts.entry(source.file.clone()).or_insert_with(|| read_source(&source.file, dirs));
            match text {
                Err(why) => {
                    not_checked += 1;
                    diagnostics.push(
                        Diagnostic::new(
                            "E0702",
                            format!("source `{}` ({}) cannot be read: {why}", source.id, source.file),
                        )
                        .primary(evidence.quote_span.clone(), format!("quoted in {owner}"))
                        .secondary(source.span.clone(), "declared here")
                        .help("pass the directory holding it with --sources DIR (repeatable), or set IRONCLAD_SOURCES"),
                    )
                }
                Ok(text) => {
                    checked += 1;
                    if let Err(miss) = verify_quote(&evidence.quote, text) {
                        let d = Diagnostic::new("E0701", format!("quote not found in `{}`", source.file))
                            .primary(evidence.quote_span.clone(), format!("quoted in {owner}"));
                        let d = if miss.inside_word {
                            d.note("these characters occur only starting or ending inside a longer word of the source")
                                .help("quote whole words: a quote starts and ends at word boundaries")
                        } else {
                            d.note(format!(
                                "closest passage ({:.0}% alike): \"{}\"",
                                miss.similarity * 100.0,
                                miss.closest
                            ))
                            .help("quote the source's exact words; only whitespace and typographic quotes are folded")
                        };
                        diagnostics.push(d);
                    }
                }
            }
        }
        // W0013: a clause said to be agreed or more whose quote sits in a source sentence that
        // proposes or hedges it, outside the quoted words ("He additionally suggested ...").
        for c in &spec.commitments {
            if c.status < Status::Agreed || spec.allows(Some(c), "hedged-quote") {
                continue;
            }
            for e in &c.evidence {
                let source = &spec.sources[e.source.index()];
                let Some(Ok(text)) = texts.get(&source.file) else { continue };
                if verify_quote(&e.quote, text).is_err() {
                    continue;
                }
                if let Some(hedge) = hedge_around(&e.quote, text) {
                    diagnostics.push(
                        Diagnostic::new(
                            "W0013",
                            format!("`{}` says `{}`, but its quote's sentence says \"{}\"", c.id, c.status, hedge.word),
                        )
                        .primary(e.quote_span.clone(), format!("the sentence in `{}` around these words", source.file))
                        .secondary(c.status_span.clone().unwrap_or_else(|| c.span.clone()), "")
                        .note(format!("the sentence: \"{}\"", hedge.sentence))
                        .help("quote the whole sentence and set the status it supports (`proposed`, in a variant option), or `allow = [\"hedged-quote\"]` on the clause with the reason the words outside the quote do not bear on it"),
                    );
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
        let missed = diagnostics.iter().filter(|d| d.severity == ironclad_spec::Severity::Error).count();
        let count = |code: &str| diagnostics.iter().filter(|d| d.code == code).count();
        let (not_found, unreadable) = (count("E0701"), count("E0702"));
        total_checked += checked;
        total_missed += missed;
        failed |= missed > 0;
        let raw: Vec<FileDiagnostic> =
            diagnostics.into_iter().map(|diagnostic| FileDiagnostic { file: id, diagnostic }).collect();
        out.push(SourcesFile {
            file: files.name(id).to_string(),
            quotes_checked: checked,
            quotes_not_found: not_found,
            unreadable_sources: unreadable,
            quotes_not_checked: not_checked,
            spec_errors: 0,
            diagnostics: raw.iter().map(|d| DiagnosticReport::new(files, d)).collect(),
            raw,
        });
    }
    SourcesReport {
        schema_version: crate::SCHEMA_VERSION,
        ok: !failed,
        quotes_checked: total_checked,
        quotes_not_found: out.iter().map(|f| f.quotes_not_found).sum(),
        unreadable_sources: out.iter().map(|f| f.unreadable_sources).sum(),
        quotes_not_checked: out.iter().map(|f| f.quotes_not_checked).sum(),
        spec_errors: out.iter().map(|f| f.spec_errors).sum(),
        problems: total_missed,
        files: out,
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
