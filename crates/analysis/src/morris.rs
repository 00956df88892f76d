//! Elementary-effects screening (Morris 1991), with the `μ*` of Campolongo, Cariboni &
//! Saltelli (2007).
//!
//! Inputs live in the unit cube on a grid of `p` levels `{0, 1/(p−1), …, 1}` (`p` even) and are
//! mapped through their [`Marginal`] quantile functions. A **trajectory** starts at a random
//! grid point `x⁽⁰⁾` whose coordinates are drawn from the `p/2` lowest levels, and moves one
//! input at a time, in a random order, by `Δ = p / (2(p − 1))` up or down (each direction with
//! probability ½; a downward move starts `Δ` higher), giving `d + 1` points. The elementary
//! effect of input `i` on a trajectory is
//!
//! `EE_i = (f(x⁽ᵐ⁺¹⁾) − f(x⁽ᵐ⁾)) / (±Δ)`, the change of `f` per unit of the unit-cube coordinate
//! `u_i` (for a uniform input on `[lo, hi]` and a linear `f = Σ c_k x_k`, `EE_i = c_i (hi − lo)`).
//!
//! Over `r` trajectories: `μ_i = mean EE_i`, `μ*_i = mean |EE_i|`, `σ_i = sd EE_i` (divisor
//! `r − 1`). Trajectories are the independent unit: the reported half-width of `μ*_i` is the
//! Student-t 95 % half-width `t₀.₉₇₅,ᵣ₋₁ · sd|EE_i| / √r`.

use serde::Serialize;

use crate::Result;
use crate::error::{AnalysisError, check_finite, invalid};
use crate::marginal::{Marginal, map_point, validate_all};
use crate::rng::{below, shuffle, stream_rng};
use crate::stats::{IntervalMethod, Moments, critical_value_95};

/// A Morris design: `r` trajectories of `d + 1` points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MorrisDesign {
    /// Trajectories `r`.
    pub r: usize,
    /// Inputs `d`.
    pub d: usize,
    /// Grid levels `p`.
    pub levels: usize,
    /// Step `Δ = p / (2(p − 1))` in unit-cube coordinates.
    pub delta: f64,
    /// The seed.
    pub seed: u64,
    /// All `r (d + 1)` points, trajectory by trajectory, mapped through the marginals.
    pub points: Vec<Vec<f64>>,
    /// For each trajectory, the `d` moves in order: (input moved, `+Δ` or `−Δ`).
    pub moves: Vec<Vec<(usize, f64)>>,
}

impl MorrisDesign {
    /// Builds `r` trajectories on a `levels`-level grid; trajectory `t` is drawn from stream `t`
    /// of `seed`.
    ///
    /// # Errors
    /// If there are no inputs, `r < 2`, `levels` is odd or below 2, or a marginal is invalid or
    /// infinite at a grid level (e.g. a log-normal at `u = 0`: use a bounded marginal).
    pub fn new(marginals: &[Marginal], r: usize, levels: usize, seed: u64) -> Result<Self> {
        validate_all(marginals)?;
        if r < 2 {
            return Err(invalid("r", "at least 2 trajectories are needed"));
        }
        if levels < 2 || levels % 2 != 0 {
            return Err(invalid("levels", "the grid needs an even number of levels ≥ 2"));
        }
        let d = marginals.len();
        let step = 1.0 / (levels - 1) as f64;
        let delta = levels as f64 / (2.0 * (levels - 1) as f64);
        let mut points = Vec::with_capacity(r * (d + 1));
        let mut moves = Vec::with_capacity(r);
        for t in 0..r {
            let mut rng = stream_rng(seed, t as u64);
            let mut u: Vec<f64> = (0..d).map(|_| below(&mut rng, (levels / 2) as u64) as f64 * step).collect();
            let mut dirs = vec![0.0; d];
            for (k, dir) in dirs.iter_mut().enumerate() {
                if below(&mut rng, 2) == 0 {
                    *dir = delta;
                } else {
                    *dir = -delta;
                    u[k] += delta;
                }
            }
            let mut order: Vec<usize> = (0..d).collect();
            shuffle(&mut rng, &mut order);
            points.push(map_point(marginals, &clamp01(&u))?);
            let mut mv = Vec::with_capacity(d);
            for &k in &order {
                u[k] += dirs[k];
                points.push(map_point(marginals, &clamp01(&u))?);
                mv.push((k, dirs[k]));
            }
            moves.push(mv);
        }
        Ok(Self { r, d, levels, delta, seed, points, moves })
    }

    /// `μ`, `μ*`, `σ` from outputs `y` in the order of [`MorrisDesign::points`].
    ///
    /// # Errors
    /// If `y` has the wrong length or a non-finite value.
    pub fn analyze(&self, y: &[f64]) -> Result<MorrisIndices> {
        if y.len() != self.points.len() {
            return Err(AnalysisError::LengthMismatch { what: "outputs", expected: self.points.len(), got: y.len() });
        }
        check_finite("output", y)?;
        let mut ee = vec![Moments::default(); self.d];
        let mut abs = vec![Moments::default(); self.d];
        for (t, mv) in self.moves.iter().enumerate() {
            let base = t * (self.d + 1);
            for (m, &(k, dir)) in mv.iter().enumerate() {
                let e = (y[base + m + 1] - y[base + m]) / dir;
                ee[k].push(e);
                abs[k].push(e.abs());
            }
        }
        let c = critical_value_95(IntervalMethod::StudentT, self.r);
        Ok(MorrisIndices {
            r: self.r,
            d: self.d,
            levels: self.levels,
            evaluations: y.len(),
            mu: ee.iter().map(|m| m.mean).collect(),
            mu_star: abs.iter().map(|m| m.mean).collect(),
            sigma: ee.iter().map(|m| m.variance().sqrt()).collect(),
            mu_star_half_width: abs.iter().map(|m| c * (m.variance() / self.r as f64).sqrt()).collect(),
        })
    }
}

fn clamp01(u: &[f64]) -> Vec<f64> {
    // Levels are k/(p−1); rounding can leave 1 + 1e-16.
    u.iter().map(|x| x.clamp(0.0, 1.0)).collect()
}

/// Morris screening measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MorrisIndices {
    /// Trajectories `r`.
    pub r: usize,
    /// Inputs `d`.
    pub d: usize,
    /// Grid levels `p`.
    pub levels: usize,
    /// Model evaluations, `r (d + 1)`.
    pub evaluations: usize,
    /// `μ_i`, mean elementary effect (per unit of the unit-cube coordinate).
    pub mu: Vec<f64>,
    /// `μ*_i`, mean absolute elementary effect (Campolongo et al. 2007).
    pub mu_star: Vec<f64>,
    /// `σ_i`, standard deviation of the elementary effects (non-linearity or interactions).
    pub sigma: Vec<f64>,
    /// Student-t 95 % half-width of each `μ*_i` over the `r` trajectories.
    pub mu_star_half_width: Vec<f64>,
}

/// Builds a Morris design, evaluates it with the batch closure `f` (all points at once, in
/// design order) and returns `μ`, `μ*`, `σ`.
///
/// # Errors
/// As [`MorrisDesign::new`] and [`MorrisDesign::analyze`].
pub fn morris<F>(marginals: &[Marginal], r: usize, levels: usize, seed: u64, f: F) -> Result<MorrisIndices>
where
    F: FnOnce(&[Vec<f64>]) -> Vec<f64>,
{
    let design = MorrisDesign::new(marginals, r, levels, seed)?;
    let y = f(&design.points);
    design.analyze(&y)
}
