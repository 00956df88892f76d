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

/// The probability, at 95 % confidence, that an observation differs from the value that all `n`
/// independent observations took: were it above u = 1 − 0.05^(1/n), n observations would all be
/// equal less than 5 % of the time (the exact, Clopper–Pearson bound for 0 of n; ≈ 3/n, the
/// "rule of three").
pub fn constant_bound(n: u64) -> f64 {
    -(0.05f64.ln() / n.max(1) as f64).exp_m1()
}

/// The 95 % interval (low, high) of the mean of a variable bounded by `range` when all `n`
/// independent observations equal `x`. The sample variance is then 0 and a normal or t interval
/// has no width, which would read "not once in n runs" as "never". The mean is x plus P(an
/// observation differs from x) times how far such an observation lies, at most to an end of
/// `range`: x − u·(x − low) to x + u·(high − x), u = [`constant_bound`]`(n)`.
pub fn constant_sample(x: f64, n: u64, range: (f64, f64)) -> (f64, f64) {
    let u = constant_bound(n);
    (x - u * (x - range.0).max(0.0), x + u * (range.1 - x).max(0.0))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_sample_gets_the_rule_of_three_toward_both_ends() {
        let (low, high) = constant_sample(0.0, 10_000, (0.0, 1.0));
        assert_eq!(low, 0.0);
        assert!((high * 10_000.0 - 2.9957).abs() < 1e-3, "{high}");
        // An interior constant opens toward both ends, in proportion to their distance.
        let (low, high) = constant_sample(0.25, 100, (-1.0, 1.0));
        let u = 1.0 - 0.05f64.powf(0.01);
        assert!((low - (0.25 - 1.25 * u)).abs() < 1e-12 && (high - (0.25 + 0.75 * u)).abs() < 1e-12);
        // Validity: were runs to differ from x with a probability above u, a sample of n runs
        // all equal to x would be seen less than 5 % of the time.
        for n in [2u64, 10, 30, 100, 10_000, 1_000_000] {
            let u = constant_sample(0.0, n, (0.0, 1.0)).1;
            assert_eq!(u, constant_bound(n));
            assert!((1.0 - u).powf(n as f64) <= 0.05 + 1e-12, "n = {n}: u = {u}");
            assert!(u > 0.0 && u < 1.0);
        }
    }
}
