//! The crate's error type.

use std::fmt;

/// Why an estimator refused its input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum AnalysisError {
    /// A collection that must not be empty was empty.
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// A length did not match what the other arguments imply.
    LengthMismatch {
        /// What had the wrong length.
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A size is beyond what the method supports.
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// The value given.
        got: usize,
        /// The largest value supported.
        max: usize,
    },
    /// A number was NaN or infinite where a finite number is required.
    NonFinite {
        /// What was not finite.
        what: &'static str,
        /// Where (an index into the input).
        index: usize,
    },
    /// A parameter is outside its valid range.
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// The problem has no meaningful answer (e.g. a voting game nobody can win).
    Degenerate {
        /// Why.
        reason: String,
    },
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { what } => write!(f, "{what} is empty"),
            Self::LengthMismatch { what, expected, got } => write!(f, "{what} has length {got}, expected {expected}"),
            Self::TooLarge { what, got, max } => {
                write!(f, "{what} is {got}, more than the supported {max}")
            }
            Self::NonFinite { what, index } => write!(f, "{what} at index {index} is not finite"),
            Self::InvalidParameter { name, reason } => write!(f, "invalid {name}: {reason}"),
            Self::Degenerate { reason } => write!(f, "degenerate problem: {reason}"),
        }
    }
}

impl std::error::Error for AnalysisError {}

pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> AnalysisError {
    AnalysisError::InvalidParameter { name, reason: reason.into() }
}

pub(crate) fn check_finite(what: &'static str, xs: &[f64]) -> Result<(), AnalysisError> {
    match xs.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(AnalysisError::NonFinite { what, index }),
        None => Ok(()),
    }
}
