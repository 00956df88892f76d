//! Variance-based sensitivity: Sobol' first-order and total indices on a Saltelli design
//! (Sobol' 1993; Saltelli 2002; Saltelli et al. 2010).
//!
//! For `Y = f(X₁, …, X_d)` with independent inputs, the first-order index
//! `S_i = V[E(Y | X_i)] / V(Y)` is the share of the variance explained by `X_i` alone, and the
//! total index `S_Ti = E[V(Y | X_{~i})] / V(Y)` the share involving `X_i` at all.
//!
//! **Design** (Saltelli et al. 2010): two independent `N × d` matrices `A` and `B` — the first
//! and last `d` coordinates of an Owen-scrambled Sobol' sequence in `2d` dimensions, or of
//! plain Monte Carlo — and, for each `i`, `AB_i`: `A` with column `i` taken from `B`;
//! `N (d + 2)` evaluations in all. Coordinates are mapped from `[0, 1)` through the inputs'
//! [`Marginal`] quantile functions.
//!
//! **Estimators**, with `f₀` and `V` the mean and variance of the `2N` values `f(A)`, `f(B)`:
//!
//! * first order (Saltelli et al. 2010, table 2 (b)):
//!   `S_i = (1/N) Σ_j (f(B)_j − f₀)(f(AB_i)_j − f(A)_j) / V`
//!   (centring `f(B)` by `f₀` leaves the expectation unchanged and removes the dependence on the
//!   output's offset);
//! * total (Jansen 1999): `S_Ti = (1/2N) Σ_j (f(A)_j − f(AB_i)_j)² / V`.
//!
//! **Intervals**: percentile bootstrap over the `N` rows `j` (a row — `A_j`, `B_j` and every
//! `AB_i,j` — is the independent unit: all indices are recomputed from the same resampled
//! rows), `B` replicates, replicate `r` drawn from stream `r` of the bootstrap seed, computed in
//! parallel and bit-identical for any thread count. For plain Monte Carlo rows are i.i.d. and
//! the bootstrap is asymptotically valid; for scrambled Sobol' rows it treats the rows as
//! i.i.d. and so estimates the Monte Carlo variance, which the scrambled-net variance falls
//! below as `N` grows (it is `o(1/N)` for square-integrable summands, Owen 1997): the intervals
//! are asymptotically conservative there.
//!
//! The Sobol' points use the Joe–Kuo direction numbers and Burley's (2020) hash-based Owen
//! scrambling from the `sobol_burley` crate (MIT OR Apache-2.0): up to 256 dimensions, so
//! `d ≤ 128`, and up to `2¹⁶` points, so `N ≤ 65 536`. The 32 digits of each coordinate are
//! completed by a uniform random offset below `2⁻³²` (what full Owen scrambling does to the
//! deeper digits), so coordinates are in `(0, 1)` and quantiles are finite. `N` should be a
//! power of two for the net's balance.

use rayon::prelude::*;
use serde::Serialize;
use sobol_burley::parts::{hash, owen_scramble_rev, sobol_rev};

use crate::Result;
use crate::error::{AnalysisError, check_finite, invalid};
use crate::marginal::{Marginal, map_point, validate_all};
use crate::rng::{below, open_unit, splitmix64, stream_rng};
use crate::stats::{Interval, quantile_sorted};

/// Largest number of Sobol' points (`2¹⁶`, the depth of the direction numbers).
pub const MAX_SOBOL_POINTS: usize = 1 << 16;

/// Largest number of Sobol' dimensions.
pub const MAX_SOBOL_DIMENSIONS: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// How the unit-cube points of a design are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Sampling {
    /// Owen-scrambled Sobol' sequence (the default).
    #[default]
    ScrambledSobol,
    /// Independent uniform draws (xoshiro256++, stream = row index).
    MonteCarlo,
}

/// The first `n` points of an Owen-scrambled Sobol' sequence in `d` dimensions, seeded:
/// `points[j][k] ∈ (0, 1)`.
///
/// # Errors
/// If `n == 0`, `d == 0`, `n >` [`MAX_SOBOL_POINTS`] or `d >` [`MAX_SOBOL_DIMENSIONS`].
pub fn scrambled_sobol(n: usize, d: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
    if n == 0 || d == 0 {
        return Err(AnalysisError::Empty { what: "Sobol' points or dimensions" });
    }
    if n > MAX_SOBOL_POINTS {
        return Err(AnalysisError::TooLarge { what: "number of Sobol' points", got: n, max: MAX_SOBOL_POINTS });
    }
    if d > MAX_SOBOL_DIMENSIONS {
        return Err(AnalysisError::TooLarge { what: "number of Sobol' dimensions", got: d, max: MAX_SOBOL_DIMENSIONS });
    }
    let s = splitmix64(seed ^ 0x50B0_1A11);
    let scrambles: Vec<u32> = (0..d as u32).map(|k| hash(hash(k ^ 0x9E37_79B9) ^ (s as u32))).collect();
    let jitter_key = splitmix64(s);
    Ok((0..n as u32)
        .map(|j| {
            (0..d)
                .map(|k| {
                    let rev = sobol_rev(j.reverse_bits(), k as u32);
                    let x = owen_scramble_rev(rev, scrambles[k]).reverse_bits();
                    let h = splitmix64(jitter_key ^ (u64::from(j) << 16 | k as u64));
                    let jitter = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                    (f64::from(x) + jitter) / 4_294_967_296.0
                })
                .collect()
        })
        .collect())
}

/// A Saltelli design: `A`, `B` and the `AB_i`, already mapped through the marginals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaltelliDesign {
    /// Rows `N`.
    pub n: usize,
    /// Inputs `d`.
    pub d: usize,
    /// How the unit-cube points were generated.
    pub sampling: Sampling,
    /// The seed.
    pub seed: u64,
    /// `A`, `N` rows of `d` inputs.
    pub a: Vec<Vec<f64>>,
    /// `B`, `N` rows of `d` inputs.
    pub b: Vec<Vec<f64>>,
    /// `AB_i` for `i = 0..d`: `A` with column `i` from `B`.
    pub ab: Vec<Vec<Vec<f64>>>,
}

impl SaltelliDesign {
    /// Builds the design for inputs with the given marginals.
    ///
    /// # Errors
    /// If there are no inputs, `n < 2`, a marginal is invalid or maps a point to a non-finite
    /// value, or (scrambled Sobol') `n > 65 536` or `d > 128`.
    pub fn new(marginals: &[Marginal], n: usize, sampling: Sampling, seed: u64) -> Result<Self> {
        validate_all(marginals)?;
        if n < 2 {
            return Err(invalid("n", "a Saltelli design needs at least 2 rows"));
        }
        let d = marginals.len();
        let unit_rows: Vec<Vec<f64>> = match sampling {
            Sampling::ScrambledSobol => scrambled_sobol(n, 2 * d, seed)?,
            Sampling::MonteCarlo => (0..n)
                .map(|j| {
                    let mut rng = stream_rng(seed, j as u64);
                    (0..2 * d).map(|_| open_unit(&mut rng)).collect()
                })
                .collect(),
        };
        let mut a = Vec::with_capacity(n);
        let mut b = Vec::with_capacity(n);
        for u in &unit_rows {
            a.push(map_point(marginals, &u[..d])?);
            b.push(map_point(marginals, &u[d..])?);
        }
        let ab = (0..d)
            .map(|i| {
                a.iter()
                    .zip(&b)
                    .map(|(ra, rb)| {
                        let mut r = ra.clone();
                        r[i] = rb[i];
                        r
                    })
                    .collect()
            })
            .collect();
        Ok(Self { n, d, sampling, seed, a, b, ab })
    }

    /// Number of model evaluations, `N (d + 2)`.
    pub fn len(&self) -> usize {
        self.n * (self.d + 2)
    }

    /// Whether the design is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All points in evaluation order: `A`, `B`, `AB_0`, …, `AB_{d−1}`, each `N` rows.
    pub fn points(&self) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(self.len());
        out.extend(self.a.iter().cloned());
        out.extend(self.b.iter().cloned());
        for m in &self.ab {
            out.extend(m.iter().cloned());
        }
        out
    }

    /// The indices from outputs `y` in the order of [`SaltelliDesign::points`].
    ///
    /// # Errors
    /// If `y` has the wrong length or a non-finite value, the bootstrap count is below 2
    /// (unless 0), or the output has zero variance.
    pub fn analyze(&self, y: &[f64], options: &SobolOptions) -> Result<SobolIndices> {
        if y.len() != self.len() {
            return Err(AnalysisError::LengthMismatch { what: "outputs", expected: self.len(), got: y.len() });
        }
        check_finite("output", y)?;
        if options.bootstrap == 1 {
            return Err(invalid("bootstrap", "use 0 (no intervals) or at least 2 replicates"));
        }
        let (n, d) = (self.n, self.d);
        let fa = &y[..n];
        let fb = &y[n..2 * n];
        let fab: Vec<&[f64]> = (0..d).map(|i| &y[(2 + i) * n..(3 + i) * n]).collect();
        let all: Vec<usize> = (0..n).collect();
        let point = estimate(fa, fb, &fab, &all)
            .ok_or_else(|| AnalysisError::Degenerate { reason: "the output has zero variance over A and B".into() })?;
        let reps: Vec<Option<Estimate>> = (0..options.bootstrap)
            .into_par_iter()
            .map(|r| {
                let mut rng = stream_rng(options.seed, r as u64);
                let rows: Vec<usize> = (0..n).map(|_| below(&mut rng, n as u64) as usize).collect();
                estimate(fa, fb, &fab, &rows)
            })
            .collect();
        let reps: Vec<Estimate> = reps.into_iter().flatten().collect();
        let interval = |get: &dyn Fn(&Estimate) -> f64| -> Option<Interval> {
            if reps.len() < 2 {
                return None;
            }
            let mut xs: Vec<f64> = reps.iter().map(get).collect();
            xs.sort_by(f64::total_cmp);
            Some(Interval { lo: quantile_sorted(&xs, 0.025), hi: quantile_sorted(&xs, 0.975), confidence: 0.95 })
        };
        let first_ci = (0..d).map(|i| interval(&|e: &Estimate| e.s1[i])).collect();
        let total_ci = (0..d).map(|i| interval(&|e: &Estimate| e.st[i])).collect();
        Ok(SobolIndices {
            n,
            d,
            evaluations: self.len(),
            sampling: self.sampling,
            mean: point.mean,
            variance: point.var,
            first_order: point.s1,
            first_order_ci: first_ci,
            total: point.st,
            total_ci,
            bootstrap: reps.len(),
        })
    }
}

/// Options of the Sobol' analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolOptions {
    /// Bootstrap replicates for the 95 % intervals (0 for none; default 1000).
    pub bootstrap: usize,
    /// Seed of the bootstrap resampling.
    pub seed: u64,
}

impl Default for SobolOptions {
    fn default() -> Self {
        Self { bootstrap: 1000, seed: 0 }
    }
}

/// Sobol' indices with bootstrap intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolIndices {
    /// Rows `N` of the design.
    pub n: usize,
    /// Inputs `d`.
    pub d: usize,
    /// Model evaluations, `N (d + 2)`.
    pub evaluations: usize,
    /// How the design was sampled.
    pub sampling: Sampling,
    /// `f₀`, mean output over `A` and `B`.
    pub mean: f64,
    /// `V`, output variance over `A` and `B` (divisor `2N − 1`).
    pub variance: f64,
    /// First-order indices `S_i` (Saltelli et al. 2010).
    pub first_order: Vec<f64>,
    /// 95 % percentile-bootstrap interval of each `S_i` (`None` without bootstrap).
    pub first_order_ci: Vec<Option<Interval>>,
    /// Total indices `S_Ti` (Jansen 1999).
    pub total: Vec<f64>,
    /// 95 % percentile-bootstrap interval of each `S_Ti`.
    pub total_ci: Vec<Option<Interval>>,
    /// Bootstrap replicates used (replicates whose resample had zero variance are dropped).
    pub bootstrap: usize,
}

impl SobolIndices {
    /// The largest bootstrap half-width over all first-order and total indices (`None` without
    /// bootstrap).
    pub fn max_half_width(&self) -> Option<f64> {
        self.first_order_ci
            .iter()
            .chain(&self.total_ci)
            .map(|c| c.map(|c| c.half_width()))
            .try_fold(0.0_f64, |m, h| h.map(|h| m.max(h)))
    }
}

struct Estimate {
    mean: f64,
    var: f64,
    s1: Vec<f64>,
    st: Vec<f64>,
}

fn estimate(fa: &[f64], fb: &[f64], fab: &[&[f64]], rows: &[usize]) -> Option<Estimate> {
    let m = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * m);
    let ss: f64 = rows.iter().map(|&j| (fa[j] - mean).powi(2) + (fb[j] - mean).powi(2)).sum();
    let var = ss / (2.0 * m - 1.0);
    if var.is_nan() || var <= 0.0 {
        return None;
    }
    let mut s1 = Vec::with_capacity(fab.len());
    let mut st = Vec::with_capacity(fab.len());
    for f in fab {
        let (mut a1, mut at) = (0.0, 0.0);
        for &j in rows {
            let diff = f[j] - fa[j];
            a1 += (fb[j] - mean) * diff;
            at += diff * diff;
        }
        s1.push(a1 / m / var);
        st.push(at / (2.0 * m) / var);
    }
    Some(Estimate { mean, var, s1, st })
}

/// Builds a Saltelli design, evaluates it with the batch closure `f` (called once with all
/// `N (d + 2)` points in the order of [`SaltelliDesign::points`]) and returns the indices.
///
/// # Errors
/// As [`SaltelliDesign::new`] and [`SaltelliDesign::analyze`], or if `f` returns the wrong
/// number of outputs.
pub fn sobol_indices<F>(
    marginals: &[Marginal],
    n: usize,
    sampling: Sampling,
    seed: u64,
    options: &SobolOptions,
    f: F,
) -> Result<SobolIndices>
where
    F: FnOnce(&[Vec<f64>]) -> Vec<f64>,
{
    let design = SaltelliDesign::new(marginals, n, sampling, seed)?;
    let y = f(&design.points());
    design.analyze(&y, options)
}

/// [`sobol_indices`] with a point-wise model `f(x)`, evaluated in parallel (the result does not
/// depend on the thread count: outputs are collected in design order).
///
/// # Errors
/// As [`sobol_indices`].
pub fn sobol_indices_pointwise<F>(
    marginals: &[Marginal],
    n: usize,
    sampling: Sampling,
    seed: u64,
    options: &SobolOptions,
    f: F,
) -> Result<SobolIndices>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    sobol_indices(marginals, n, sampling, seed, options, |pts| pts.par_iter().map(|x| f(x)).collect())
}
