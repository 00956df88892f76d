//! Small statistical helpers shared by the estimators: interval types, running moments and
//! quantiles.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// How a confidence interval on a mean of independent units is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum IntervalMethod {
    /// Normal approximation: `mean ± z₀.₉₇₅ · s / √m` with `z₀.₉₇₅ ≈ 1.959964`.
    Normal,
    /// Student-t on `m − 1` degrees of freedom: `mean ± t₀.₉₇₅,ₘ₋₁ · s / √m` (the default; it
    /// is exact for normal units and slightly wider than [`IntervalMethod::Normal`]).
    #[default]
    StudentT,
}

/// A two-sided interval `[lo, hi]` with the confidence level it was built for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Nominal coverage, e.g. 0.95.
    pub confidence: f64,
}

impl Interval {
    /// Half the width, `(hi − lo) / 2`.
    pub fn half_width(&self) -> f64 {
        0.5 * (self.hi - self.lo)
    }

    /// Whether `x` lies in `[lo, hi]`.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// The two-sided 95 % critical value of `method` for `m` units (`m ≥ 2`).
pub fn critical_value_95(method: IntervalMethod, m: usize) -> f64 {
    match method {
        IntervalMethod::Normal => Normal::standard().inverse_cdf(0.975),
        IntervalMethod::StudentT => {
            let df = (m.max(2) - 1) as f64;
            StudentsT::new(0.0, 1.0, df).map(|t| t.inverse_cdf(0.975)).unwrap_or(f64::NAN)
        }
    }
}

/// Running mean and sum of squared deviations (Welford 1962), mergeable (Chan et al. 1979).
/// Public so that a block's moments can be stored and merged later in the same order
/// ([`crate::shapley::sample_shapley_blocks`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Values pushed.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Their sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Adds the values behind `o` (the result depends on the order of merges, in the last bits).
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n as f64 / n as f64;
        self.m2 += o.m2 + d * d * (self.n as f64 * o.n as f64 / n as f64);
        self.n = n;
    }

    /// Sample variance (divisor n − 1); 0 for fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 { 0.0 } else { (self.m2 / (self.n - 1) as f64).max(0.0) }
    }
}

/// The empirical `p`-quantile of sorted data (linear interpolation between order statistics,
/// Hyndman & Fan 1996 type 7). `sorted` must be non-empty and ascending.
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
