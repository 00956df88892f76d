//! Lints over a resolved spec.
pub fn run(_spec: &crate::Spec) -> Vec<crate::Diagnostic> { Vec::new() }
