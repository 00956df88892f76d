//! Estimates with confidence intervals, from the exact accumulators.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::model::SimModel;
use crate::run::Acc;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

const SCALE: f64 = 4_294_967_296.0;

/// A point estimate with a 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    // At 0 or n successes the bound is exactly 0 or 1; rounding would leave a hair off.
    let low = if successes == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if successes == n { 1.0 } else { (centre + half).min(1.0) };
    Estimate { value: p, low, high }
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

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentStat {
    pub id: String,
    /// Share of runs in which it obliged someone to act.
    pub activation: Estimate,
    /// Share of obliged (party, run) pairs that honoured it; `None` when it never obliged anyone.
    pub honour: Option<Estimate>,
    pub obliged_pairs: u64,
}

/// What a simulation found.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub framework: String,
    pub scenario: String,
    pub runs: u64,
    pub seed: u64,
    pub horizons: Vec<f64>,
    pub needs: Vec<crate::model::Need>,
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
    let mut commitments = Vec::new();
    for (c, id) in model.commitments.iter().enumerate() {
        let pairs: Vec<usize> = (0..model.pairs.len()).filter(|i| model.pair_commitment[*i] == c).collect();
        if pairs.is_empty() {
            continue;
        }
        let active: u64 = pairs.iter().map(|i| acc.pair_active[*i]).sum();
        let honoured: u64 = pairs.iter().map(|i| acc.pair_honoured[*i]).sum();
        commitments.push(CommitmentStat {
            id: id.clone(),
            activation: wilson(acc.commitment_active[c], acc.runs),
            honour: (active > 0).then(|| wilson(honoured, active)),
            obliged_pairs: active,
        });
    }
    let widest_half_width =
        adequate.iter().chain(adequate_by_need.iter().flatten()).map(Estimate::half_width).fold(0.0, f64::max);
    Summary {
        framework: model.framework.clone(),
        scenario: model.scenario.clone(),
        runs: acc.runs,
        seed,
        horizons: model.horizons.clone(),
        needs: model.needs.clone(),
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
