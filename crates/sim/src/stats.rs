//! Estimates with confidence intervals, from the exact accumulators.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::model::SimModel;
use crate::run::Acc;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

use crate::run::SCALE;

/// A point estimate with a 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// The Wilson score interval of a proportion. With no trials nothing is known: 0 in [0, 1].
pub fn wilson(successes: u64, n: u64) -> Estimate {
    if n == 0 {
        return Estimate { value: 0.0, low: 0.0, high: 1.0 };
    }
    wilson_at(successes as f64 / n as f64, n as f64)
}

/// The mean of a quantity from its fixed-point sum and sum of squares, with a normal-approximation interval.
pub fn mean(sum: u128, sum_sq: u128, n: u64) -> Estimate {
    if n == 0 {
        return Estimate { value: 0.0, low: 0.0, high: 0.0 };
    }
    let n_f = n as f64;
    let m = sum as f64 / SCALE / n_f;
    let variance = (sum_sq as f64 / SCALE / n_f - m * m).max(0.0) * n_f / (n_f - 1.0).max(1.0);
    let half = Z95 * (variance / n_f).sqrt();
    Estimate { value: m, low: m - half, high: m + half }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CommitmentStat {
    pub id: String,
    /// Share of runs in which it obliged someone to act.
    pub activation: Estimate,
    /// Share of obliged (party, run) pairs that honoured it, with a run-level (clustered)
    /// interval; `None` when it never obliged anyone.
    pub honour: Option<Estimate>,
    pub obliged_pairs: u64,
    /// Whether its kind acts and so is simulated: `false` for `consult`, `refrain` and `seek`,
    /// whose obligations (`ironclad obligations`) the simulation does not count, so their
    /// activation is 0 whatever the scenario (docs/model.md, "The response").
    pub simulated: bool,
}

/// The honour rate of commitment `c` with a run-level (clustered) interval: pairs of one run
/// share factors, so the run, not the (pair, run), is the independent unit. The rate is the
/// ratio estimator R = Σh_r / Σa_r over runs (h_r honoured of a_r obliged pairs in run r); its
/// variance is the linearised Σ(h_r − R·a_r)² / (n(n−1)·ā²) (Cochran 1977, §6.9). The interval
/// is Wilson's at the effective sample size R(1−R)/Var(R) (Kish's design effect), which stays
/// inside [0, 1] and is not degenerate at R = 0 or 1.
fn commitment_stat(model: &SimModel, acc: &Acc, c: usize) -> CommitmentStat {
    let a = acc.commitment_pairs[c];
    let h = acc.commitment_honoured[c];
    let honour = (a > 0).then(|| {
        let n = acc.runs as f64;
        let r = h as f64 / a as f64;
        let (sa2, sh2, sah) =
            (acc.commitment_pairs_sq[c] as f64, acc.commitment_honoured_sq[c] as f64, acc.commitment_cross[c] as f64);
        let abar = a as f64 / n;
        let residual = (sh2 - 2.0 * r * sah + r * r * sa2).max(0.0);
        let var = if n > 1.0 { residual / (n * (n - 1.0) * abar * abar) } else { f64::INFINITY };
        // Effective sample size; at R = 0 or 1 the residual is 0, and each run with an obliged
        // pair counts once (the most that independent runs can say).
        let active_runs = acc.commitment_active[c] as f64;
        let n_eff = if var > 0.0 && r > 0.0 && r < 1.0 { (r * (1.0 - r) / var).min(a as f64) } else { active_runs };
        wilson_at(r, n_eff.max(1.0))
    });
    CommitmentStat {
        id: model.commitments[c].clone(),
        activation: wilson(acc.commitment_active[c], acc.runs),
        honour,
        obliged_pairs: a,
        simulated: model.commitment_acts.get(c).copied().unwrap_or(true),
    }
}

/// The Wilson interval of a proportion `p` observed on an effective sample of `n`.
fn wilson_at(p: f64, n: f64) -> Estimate {
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    let low = if p <= 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if p >= 1.0 { 1.0 } else { (centre + half).min(1.0) };
    Estimate { value: p, low, high }
}

/// What a simulation found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub framework: String,
    pub scenario: String,
    pub runs: u64,
    pub seed: u64,
    pub horizons: Vec<f64>,
    pub needs: Vec<crate::model::Need>,
    /// The deterrence model's parameters: P(deterred) = Φ((cost·credibility − gain) / noise),
    /// credibility judged at `horizon` days.
    pub deterrence: crate::model::Deterrence,
    /// [h]: P(adequate response in every need).
    pub adequate: Vec<Estimate>,
    /// [h][d]: P(adequate response in need d).
    pub adequate_by_need: Vec<Vec<Estimate>>,
    /// [h][d]: mean adequacy min(1, delivered / required).
    pub adequacy: Vec<Vec<Estimate>>,
    /// [h][d]: mean delivered, in the need's unit.
    pub delivered: Vec<Vec<Estimate>>,
    /// Mean adequacy over needs at the deterrence horizon: the credibility the adversary perceives.
    pub credibility: Estimate,
    /// Φ((cost · credibility − gain) / noise), its interval from the credibility's.
    pub deterred: Estimate,
    /// P(a delivered commitment crosses the adversary's threat red line).
    pub escalation: Estimate,
    pub commitments: Vec<CommitmentStat>,
    /// Per variant: (id, [(option, share of runs)]).
    pub variants: Vec<(String, Vec<(String, f64)>)>,
    /// The widest half-width among the P(adequate) intervals.
    pub widest_half_width: f64,
}

/// Turns accumulators into estimates.
pub fn summarise(model: &SimModel, acc: &Acc, seed: u64) -> Summary {
    let needs = model.needs.len();
    let grid = |f: &dyn Fn(usize) -> Estimate| -> Vec<Vec<Estimate>> {
        (0..model.horizons.len()).map(|h| (0..needs).map(|d| f(h * needs + d)).collect()).collect()
    };
    let adequate: Vec<Estimate> = acc.adequate_all.iter().map(|&k| wilson(k, acc.runs)).collect();
    let adequate_by_need = grid(&|cell| wilson(acc.adequate[cell], acc.runs));
    let credibility = mean(acc.credibility, acc.credibility_sq, acc.runs);
    let deter = |c: f64| {
        let d = &model.deterrence;
        Normal::standard().cdf((d.cost * c.clamp(0.0, 1.0) - d.gain) / d.noise)
    };
    let deterred =
        Estimate { value: deter(credibility.value), low: deter(credibility.low), high: deter(credibility.high) };
    // Every commitment of the spec is listed, those that oblige nobody at activation 0.
    let commitments = (0..model.commitments.len()).map(|c| commitment_stat(model, acc, c)).collect();
    let widest_half_width =
        adequate.iter().chain(adequate_by_need.iter().flatten()).map(Estimate::half_width).fold(0.0, f64::max);
    Summary {
        framework: model.framework.clone(),
        scenario: model.scenario.clone(),
        runs: acc.runs,
        seed,
        horizons: model.horizons.clone(),
        needs: model.needs.clone(),
        deterrence: model.deterrence,
        adequate,
        adequate_by_need,
        adequacy: grid(&|cell| mean(acc.adequacy[cell], acc.adequacy_sq[cell], acc.runs)),
        delivered: grid(&|cell| {
            let required = model.needs[cell % needs].required;
            let ratio = mean(acc.delivered[cell], acc.delivered_sq[cell], acc.runs);
            Estimate { value: ratio.value * required, low: ratio.low * required, high: ratio.high * required }
        }),
        credibility,
        deterred,
        escalation: wilson(acc.escalation, acc.runs),
        commitments,
        variants: model
            .variant_names
            .iter()
            .zip(&acc.options)
            .map(|((id, options), counts)| {
                (
                    id.clone(),
                    options.iter().zip(counts).map(|(o, k)| (o.clone(), *k as f64 / acc.runs.max(1) as f64)).collect(),
                )
            })
            .collect(),
        widest_half_width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_textbook() {
        // 8 of 10: Wilson 95% interval [0.4902, 0.9433] (Newcombe 1998, method 3).
        let e = wilson(8, 10);
        assert!((e.low - 0.4902).abs() < 1e-4 && (e.high - 0.9433).abs() < 1e-4, "{e:?}");
        let none = wilson(0, 100);
        assert_eq!(none.low, 0.0);
        assert!(none.high > 0.0 && none.high < 0.05);
    }
}
