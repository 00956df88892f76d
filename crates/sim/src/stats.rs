//! Estimates with confidence intervals, from the exact accumulators.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

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

/// The mean of a quantity bounded by `range` from its fixed-point sum and sum of squares, with
/// a 95% interval that is valid at every sample size:
/// - Student's t with n − 1 degrees of freedom on the sample variance (not z: at small n the
///   variance is itself uncertain), clamped to `range` (the mean lies in it, so clamping loses
///   no coverage);
/// - with fewer than two runs, or a sample variance of 0 (every run gave the same value), the
///   sample says nothing of the spread; the interval is then Wilson's at the mean's position in
///   `range`, since a variable bounded by `range` has at most the variance of one that only
///   takes its two ends (Bhatia & Davis 2000), and for a value at an end that Bernoulli bound is
///   what keeps "0 in every run" from reading as "certainly 0";
/// - with no runs: the whole range.
pub fn mean(sum: u128, sum_sq: u128, n: u64, range: (f64, f64)) -> Estimate {
    let (lo, hi) = range;
    if n == 0 {
        return Estimate { value: lo, low: lo, high: hi };
    }
    let n_f = n as f64;
    let m = (sum as f64 / SCALE / n_f).clamp(lo, hi);
    let variance = (sum_sq as f64 / SCALE / n_f - m * m).max(0.0) * n_f / (n_f - 1.0).max(1.0);
    bounded(m, variance, n, range)
}

/// [`mean`] from floating-point sums (what `compare` accumulates, per run and paired): the
/// same estimator and interval, so a figure of `compare` is the figure `simulate` gives (up to
/// the rounding of the sums), and a paired difference of two probabilities (`range` (−1, 1))
/// stays in it and is never of zero width when every run gave the same difference.
pub fn mean_f64(sum: f64, sum_sq: f64, n: u64, range: (f64, f64)) -> Estimate {
    let (lo, hi) = range;
    if n == 0 {
        return Estimate { value: lo, low: lo, high: hi };
    }
    let n_f = n as f64;
    let m = (sum / n_f).clamp(lo, hi);
    let variance = (sum_sq / n_f - m * m).max(0.0) * n_f / (n_f - 1.0).max(1.0);
    // Floating-point sums of a constant leave a rounding residue (~2⁻⁵²·m² per term) where the
    // fixed point of `mean` leaves 0: below 10⁻¹² of the range's square, the runs agree.
    let variance = if variance <= 1e-12 * (hi - lo) * (hi - lo) { 0.0 } else { variance };
    bounded(m, variance, n, range)
}

/// The interval of [`mean`] for a mean `m` in `range` with sample variance `variance` over `n`
/// runs.
fn bounded(m: f64, variance: f64, n: u64, range: (f64, f64)) -> Estimate {
    let (lo, hi) = range;
    let n_f = n as f64;
    let width = hi - lo;
    if n < 2 || variance <= 0.0 {
        if width <= 0.0 {
            return Estimate { value: m, low: m, high: m };
        }
        let w = wilson_at(((m - lo) / width).clamp(0.0, 1.0), n_f);
        return Estimate { value: m, low: lo + w.low * width, high: lo + w.high * width };
    }
    let t = StudentsT::new(0.0, 1.0, n_f - 1.0).map_or(Z95, |t| t.inverse_cdf(0.975));
    let half = t * (variance / n_f).sqrt();
    Estimate { value: m, low: (m - half).max(lo), high: (m + half).min(hi) }
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
    // The most a need can receive, over its requirement: every party's largest pledge to it
    // (forces are sent once), capped as the tally caps a ratio.
    let most: Vec<f64> = (0..needs)
        .map(|d| {
            let mut best = vec![0.0f64; model.pairs.iter().map(|p| p.party_index + 1).max().unwrap_or(0)];
            for p in &model.pairs {
                best[p.party_index] = best[p.party_index].max(p.pledge.get(d).copied().unwrap_or(0.0));
            }
            (best.iter().sum::<f64>() / model.needs[d].required).min(crate::run::MAX_RATIO)
        })
        .collect();
    let credibility = mean(acc.credibility, acc.credibility_sq, acc.runs, (0.0, 1.0));
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
        adequacy: grid(&|cell| mean(acc.adequacy[cell], acc.adequacy_sq[cell], acc.runs, (0.0, 1.0))),
        delivered: grid(&|cell| {
            let required = model.needs[cell % needs].required;
            let ratio = mean(acc.delivered[cell], acc.delivered_sq[cell], acc.runs, (0.0, most[cell % needs]));
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
    /// The fixed-point sums of `values`.
    fn sums(values: &[f64]) -> (u128, u128) {
        let fixed = |x: f64| (x * SCALE).round() as u128;
        (values.iter().map(|x| fixed(*x)).sum(), values.iter().map(|x| fixed(x * x)).sum())
    }

    #[test]
    fn a_mean_of_one_run_or_of_equal_runs_is_not_certain() {
        // Before: one run gave a zero-width interval, and n runs of 0 gave [0, 0].
        let (s, q) = sums(&[0.4]);
        let one = mean(s, q, 1, (0.0, 1.0));
        assert!(one.low < 0.4 && one.high > 0.4 && one.low >= 0.0 && one.high <= 1.0, "{one:?}");
        let (s, q) = sums(&[0.0; 50]);
        let zeros = mean(s, q, 50, (0.0, 1.0));
        assert_eq!(zeros.low, 0.0);
        assert!(zeros.high > 0.0 && zeros.high < 0.1, "{zeros:?}");
        assert_eq!(mean(0, 0, 0, (0.0, 1.0)), Estimate { value: 0.0, low: 0.0, high: 1.0 });
    }

    #[test]
    fn a_bounded_mean_stays_in_its_range() {
        // Before: 0.99, 1, 1 gave a high end above 1.
        let (s, q) = sums(&[0.9, 1.0, 1.0]);
        let e = mean(s, q, 3, (0.0, 1.0));
        assert!(e.high <= 1.0 && e.low < e.value, "{e:?}");
        let (s, q) = sums(&[2.0, 0.0]);
        let d = mean(s, q, 2, (0.0, 3.0));
        assert!(d.low >= 0.0 && d.high <= 3.0, "{d:?}");
    }

    #[test]
    fn the_mean_interval_covers_at_small_samples() {
        // A [0, 1] quantity like an adequacy: 0 in 60 % of runs, else uniform; its mean is 0.2.
        // 4000 samples of 30 runs: the interval covers 0.2 in 94.0 % of them (standard error
        // 0.4 %). Skew and the atom at 0 make any t interval cover less at smaller n (91.6 % at
        // 12 runs), as docs/model.md says.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        const N: usize = 30;
        let reps = 4000;
        let mut covered = 0;
        for _ in 0..reps {
            let values: Vec<f64> =
                (0..N).map(|_| if rng.random::<f64>() < 0.6 { 0.0 } else { rng.random::<f64>() }).collect();
            let (s, q) = sums(&values);
            let e = mean(s, q, N as u64, (0.0, 1.0));
            covered += usize::from(e.low <= 0.2 && 0.2 <= e.high);
        }
        let coverage = covered as f64 / reps as f64;
        assert!(coverage > 0.925, "coverage {coverage}");
    }
}
