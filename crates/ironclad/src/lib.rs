//! ironclad's front door: the one library that the command line, the web server, the Python
//! module and the analyses call.
//!
//! **The key design decision: every result is a typed value.** A command here returns a
//! report (`CheckReport`, `ShowReport`, `ObligationsReport`, `SimulateReport`, …): plain data
//! that derives `Serialize` and `JsonSchema`, carries [`SCHEMA_VERSION`] and knows nothing of
//! how it is shown. Presentation lives in [`render`], one module per format (text, JSON, CSV),
//! so a new consumer or format never copies a command's logic.
//!
//! The flow is: put files into a [`Files`] database (from disk or as text, each with a
//! [`FileId`]), [`Files::spec`] analyses one into a [`Loaded`] spec (diagnostics point into
//! their file by id), then call a command with it. [`Session`] caches what is expensive to
//! build — the compiled engine and the simulation [`sim::Structure`] (one replay per variant
//! combination) — so a server re-parameterising a model does not replay the scenario again.
//! Simulations run on a caller's thread pool with a progress callback and a cancellation token.
//!
//! The inner crates are re-exported ([`spec`], [`engine`], [`sim`]) for types a consumer needs
//! to name; consumers do not depend on them directly.

pub mod attribute;
pub mod backtest;
pub mod check;
pub mod code;
pub mod compare;
pub mod discover;
pub mod files;
pub mod obligations;
pub mod overlay;
pub mod power;
pub mod render;
pub mod report;
pub mod schema;
pub mod sensitivity;
pub mod shard;
pub mod show;
pub mod simulate;
pub mod sources;

pub use files::{FileDiagnostic, FileId, Files, Loaded};
pub use ironclad_analysis as analysis;
pub use ironclad_engine as engine;
pub use ironclad_sim as sim;
pub use ironclad_spec as spec;
pub use simulate::Session;

/// The version of every JSON report's layout. It changes when a field is removed or changes
/// meaning; adding a field does not change it.
pub const SCHEMA_VERSION: u32 = 1;

/// Why a command could not produce its report. Each carries a message for a person; the
/// command line maps [`Error::Usage`] to exit code 2 and the others to 1.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The input files have errors; their diagnostics say which.
    Invalid(Vec<FileDiagnostic>),
    /// The request is malformed (an unknown variant, party or domain; a bad option value).
    Usage(String),
    /// The request is well-formed but cannot be served (no attack to respond to, too many
    /// combinations, horizons or runs).
    Unservable(String),
    /// The run was cancelled by its token.
    Cancelled,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Invalid(d) => write!(f, "the input has {} error(s)", d.len()),
            Error::Usage(m) | Error::Unservable(m) => write!(f, "{m}"),
            Error::Cancelled => write!(f, "the simulation was cancelled"),
        }
    }
}
impl std::error::Error for Error {}

/// A number as a message shows it: plainly in the usual range, in scientific notation when
/// huge or tiny (a horizon of 1e308 days is not printed as 309 digits).
pub fn shown(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e9).contains(&x.abs()) { format!("{x:e}") } else { format!("{x}") }
}

#[cfg(test)]
mod shown_tests {
    #[test]
    fn numbers_are_shown_plainly_or_in_scientific_notation() {
        assert_eq!(super::shown(30.0), "30");
        assert_eq!(super::shown(0.005), "0.005");
        assert_eq!(super::shown(0.0), "0");
        assert_eq!(super::shown(1e308), "1e308");
        assert_eq!(super::shown(1e-300), "1e-300");
        assert_eq!(super::shown(-2.5e12), "-2.5e12");
    }
}
