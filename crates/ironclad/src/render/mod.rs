//! Renderers: one module per output format, each over the typed reports.
//!
//! - [`text`]: for reading — tables and trees, and rustc-style diagnostics.
//! - [`json`]: every report as pretty JSON; the layout is the report type's (see
//!   [`crate::schema`] for the published JSON Schemas).
//! - [`csv`]: one row per figure, for reports that are tables of figures.
//! - [`html`]: the whole [`crate::report::Report`] as one self-contained HTML file, charts as
//!   inline SVG; [`markdown`]: the same as Markdown with the SVG files beside it. Both place the
//!   [`figures`] drawn by [`charts`] (plotters' SVG backend) and the [`tables`] built once for both.

pub mod charts;
pub mod csv;
pub mod figures;
pub mod html;
pub mod markdown;
pub mod tables;
pub mod text;

/// The bound of every report, for consumers that render generically.
pub use serde::Serialize;

/// JSON for tools.
pub mod json {
    /// A report as pretty-printed JSON, with a final newline.
    pub fn to_string<T: serde::Serialize>(report: &T) -> String {
        serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
    }
}
