//! Marginal distributions of uncertain inputs, given by their quantile functions.
//!
//! Designs ([`crate::sobol`], [`crate::morris`]) are built in the unit cube `[0, 1)^d` and
//! mapped coordinate-wise through `x_k = F_k^{-1}(u_k)`, which makes the inputs independent
//! with the given marginals.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF, Normal};

use crate::Result;
use crate::error::invalid;

/// A caller-given quantile function `u ↦ F⁻¹(u)` on `(0, 1)`.
pub type QuantileFn = Arc<dyn Fn(f64) -> f64 + Send + Sync>;

/// The marginal distribution of one input.
#[derive(Clone)]
pub enum Marginal {
    /// Uniform on `[lo, hi]`: `F⁻¹(u) = lo + u (hi − lo)`.
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound (> `lo`).
        hi: f64,
    },
    /// Triangular on `[lo, hi]` with mode `mode`.
    Triangular {
        /// Lower bound.
        lo: f64,
        /// Mode, in `[lo, hi]`.
        mode: f64,
        /// Upper bound (> `lo`).
        hi: f64,
    },
    /// Beta(`alpha`, `beta`) rescaled to `[lo, hi]`.
    Beta {
        /// Shape α > 0.
        alpha: f64,
        /// Shape β > 0.
        beta: f64,
        /// Lower bound.
        lo: f64,
        /// Upper bound (> `lo`).
        hi: f64,
    },
    /// Log-normal: `ln X ~ N(mu, sigma²)`.
    LogNormal {
        /// Mean of `ln X`.
        mu: f64,
        /// Standard deviation of `ln X` (> 0).
        sigma: f64,
    },
    /// Any quantile function, with a name for reports.
    Quantile {
        /// A label such as `"empirical honour rates"`.
        name: String,
        /// The quantile function.
        f: QuantileFn,
    },
}

impl fmt::Debug for Marginal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uniform { lo, hi } => write!(f, "Uniform({lo}, {hi})"),
            Self::Triangular { lo, mode, hi } => write!(f, "Triangular({lo}, {mode}, {hi})"),
            Self::Beta { alpha, beta, lo, hi } => write!(f, "Beta({alpha}, {beta}) on [{lo}, {hi}]"),
            Self::LogNormal { mu, sigma } => write!(f, "LogNormal({mu}, {sigma})"),
            Self::Quantile { name, .. } => write!(f, "Quantile({name})"),
        }
    }
}

impl Serialize for Marginal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{self:?}"))
    }
}

impl Marginal {
    /// A uniform marginal on `[lo, hi]`.
    pub fn uniform(lo: f64, hi: f64) -> Self {
        Self::Uniform { lo, hi }
    }

    /// A marginal from any quantile function.
    pub fn quantile(name: impl Into<String>, f: impl Fn(f64) -> f64 + Send + Sync + 'static) -> Self {
        Self::Quantile { name: name.into(), f: Arc::new(f) }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// If a bound is not finite, `hi ≤ lo`, the mode is outside the bounds, or a shape or
    /// scale is not positive.
    pub fn validate(&self) -> Result<()> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let ok = match self {
            Self::Uniform { lo, hi } => finite(&[*lo, *hi]) && hi > lo,
            Self::Triangular { lo, mode, hi } => finite(&[*lo, *mode, *hi]) && hi > lo && (lo..=hi).contains(&mode),
            Self::Beta { alpha, beta, lo, hi } => {
                finite(&[*alpha, *beta, *lo, *hi]) && *alpha > 0.0 && *beta > 0.0 && hi > lo
            }
            Self::LogNormal { mu, sigma } => finite(&[*mu, *sigma]) && *sigma > 0.0,
            Self::Quantile { .. } => true,
        };
        if ok { Ok(()) } else { Err(invalid("marginal", format!("{self:?} has invalid parameters"))) }
    }

    /// `F⁻¹(u)` for `u ∈ (0, 1)`.
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        match self {
            Self::Uniform { lo, hi } => lo + u * (hi - lo),
            Self::Triangular { lo, mode, hi } => {
                let c = (mode - lo) / (hi - lo);
                if u < c {
                    lo + ((hi - lo) * (mode - lo) * u).sqrt()
                } else {
                    hi - ((hi - lo) * (hi - mode) * (1.0 - u)).sqrt()
                }
            }
            Self::Beta { alpha, beta, lo, hi } => match Beta::new(*alpha, *beta) {
                Ok(b) => lo + (hi - lo) * b.inverse_cdf(u),
                Err(_) => f64::NAN,
            },
            Self::LogNormal { mu, sigma } => (mu + sigma * Normal::standard().inverse_cdf(u)).exp(),
            Self::Quantile { f, .. } => f(u),
        }
    }
}

/// Maps a unit-cube point through the marginals, checking that every coordinate is finite.
pub(crate) fn map_point(marginals: &[Marginal], u: &[f64]) -> Result<Vec<f64>> {
    marginals
        .iter()
        .zip(u)
        .enumerate()
        .map(|(k, (m, &u))| {
            let x = m.inverse_cdf(u);
            if x.is_finite() {
                Ok(x)
            } else {
                Err(crate::AnalysisError::NonFinite { what: "quantile of an input's marginal", index: k })
            }
        })
        .collect()
}

pub(crate) fn validate_all(marginals: &[Marginal]) -> Result<()> {
    if marginals.is_empty() {
        return Err(crate::AnalysisError::Empty { what: "inputs" });
    }
    marginals.iter().try_for_each(Marginal::validate)
}
