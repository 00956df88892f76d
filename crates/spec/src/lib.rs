//! The ironclad spec language: a security guarantee written as a readable, checkable file.
//!
//! The pipeline is `text → raw (serde) → model (lower) → lints`. [`analyze`] runs all of it
//! and returns the model *and* the diagnostics: parsing never aborts on the first problem
//! in a well-formed TOML file.
//!
//! This crate does no IO: callers hand it text and get values and diagnostics back.

pub mod coverage;
pub mod diagnostic;
pub mod display;
pub mod evidence;
pub mod expr;
pub mod lints;
pub mod lower;
pub mod model;
pub mod params;
pub mod precedence;
pub mod quantity;
pub mod raw;
pub mod sat;
pub mod scenario;
pub mod schema;
pub mod select;
pub mod span;
mod suggest;
pub mod uncertain;
pub mod vocab;

pub use diagnostic::{Diagnostic, RenderOptions, Severity};
pub use model::Spec;

/// The result of reading one spec file.
#[derive(Debug)]
pub struct Analysis {
    /// The model, when the file has no error (warnings allowed).
    pub spec: Option<Spec>,
    /// Errors, warnings and notes, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }
    fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }
}

/// Reads, resolves and lints one spec file.
pub fn analyze(text: &str) -> Analysis {
    let (spec, mut diagnostics) = lower::lower(text);
    if let Some(spec) = &spec {
        diagnostics.extend(lints::run(spec));
    }
    diagnostics.sort_by_key(|d| (d.primary_span().map_or(0, |s| s.start), d.severity));
    Analysis { spec, diagnostics }
}
