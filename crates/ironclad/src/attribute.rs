//! `attribute`: Shapley values of the guarantors for a metric of the simulation — who a
//! guarantee rests on — with leave-one-out losses and pairwise interactions
//! (`docs/analysis.md`).
//!
//! v(S) is the metric when only the parties of S take part ([`ironclad_sim::Participation`]:
//! the others stay obliged but do not act), every coalition scored on the same draws: each run
//! is drawn once ([`Runner::draw`]), each party's own delivery computed once
//! ([`Runner::party_delivery`]), and every coalition's delivery is the sum of its parties'.
//!
//! - **Exact** (≤ [`MAX_EXACT_PLAYERS`] players): per run, the game restricted to the parties
//!   that deliver anything in that run (the others are null in it) is scored on all its
//!   coalitions, and its Shapley vector, leave-one-out losses and interaction indices computed
//!   exactly. All are linear in v, so the figures are the means over runs of the per-run
//!   figures, and each 95 % interval is mean ± 1.96·sd/√runs over runs (the independent unit).
//! - **Sampled** (more players): antithetic permutation sampling
//!   ([`sample_shapley_par_indexed`]) where each unit (a permutation and its reverse) is scored
//!   on a fresh block of [`RUNS_PER_UNIT`] runs of its own; units are i.i.d. and their mean is
//!   unbiased for φ, so the Student-t interval over units covers both the permutation and the
//!   run sampling. It stops when every half-width is at most the requested precision.

use std::sync::atomic::{AtomicBool, Ordering};

use ironclad_analysis::shapley::{
    SamplingOptions, sample_blocks, sample_shapley_blocks, sample_shapley_from_blocks, sample_shapley_par_indexed,
};
use ironclad_analysis::stats::Moments;
use ironclad_analysis::stats::{IntervalMethod, constant_sample};
use ironclad_sim::stats::Estimate;
use ironclad_sim::{Draws, Runner, SimModel, Structure};
use ironclad_spec::Spec;
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;
use crate::files::pinned_variants;

/// Most players for exact values (all 2ⁿ coalitions).
pub const MAX_EXACT_PLAYERS: usize = 20;
/// Default runs.
pub const DEFAULT_RUNS: u64 = 10_000;
/// Default horizon, days.
pub const DEFAULT_HORIZON: f64 = 30.0;
/// Default half-width of the sampled values.
pub const DEFAULT_PRECISION: f64 = 0.005;
/// Most sampling units by default: the precision is reached long before on every spec so far.
pub const DEFAULT_MAX_UNITS: usize = 2_000_000;
/// Most runs: the per-run figures are summed in fixed point (`ONE`), exactly, in `i128`,
/// which holds 2³⁹ runs of figures up to 2²⁰ in size (and their squares).
pub const MAX_RUNS: u64 = 1 << 39;
/// 1 in the fixed point of the per-run sums (2⁴⁸: a figure is rounded to 3.6·10⁻¹⁵, far below
/// any interval, and the sums are integers, so they add up exactly in any order or shard).
const ONE: f64 = (1u64 << 48) as f64;
/// Runs per sampling unit (a permutation and its reverse).
pub const RUNS_PER_UNIT: u64 = 4;
/// Pairs listed in the interaction table.
pub const TOP_INTERACTIONS: usize = 10;
/// Runs per chunk of the exact pass (fixed, so results do not depend on threads).
const CHUNK_RUNS: u64 = 512;
/// z of a two-sided 95 % normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// What to attribute.
#[derive(Debug, Clone)]
pub struct Request {
    /// `adequate`, `adequate:DOMAIN`, `credibility`, `deterred` or `delivered:DOMAIN`.
    pub metric: String,
    /// Horizon in days of the `adequate` and `delivered` metrics.
    pub horizon: Option<f64>,
    /// Insist on exact values (an error above [`MAX_EXACT_PLAYERS`] players).
    pub exact: bool,
    /// Half-width of sampled values; giving one asks for sampling even with few players.
    pub precision: Option<f64>,
    pub runs: Option<u64>,
    pub seed: u64,
    /// `VARIANT=OPTION` pins.
    pub variants: Vec<String>,
    /// Most sampling units of the sampled method (default [`DEFAULT_MAX_UNITS`]); a sharded
    /// sampled attribution computes all of them (`docs/cluster.md`).
    pub max_units: Option<usize>,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            metric: "adequate".into(),
            horizon: None,
            exact: false,
            precision: None,
            runs: None,
            seed: 1,
            variants: Vec::new(),
            max_units: None,
        }
    }
}

/// The metric a coalition is scored on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// P(adequate response in every need) at the horizon.
    Adequate,
    /// P(adequate response in need `n`) at the horizon.
    AdequateNeed(usize),
    /// Mean adequacy over needs at the deterrence horizon.
    Credibility,
    /// P(deterred) = Φ((cost · C̄ − gain) / noise) of the mean credibility C̄ of the coalition:
    /// not a mean over runs, so computed exactly over all coalitions ([`deterred_exact`]).
    Deterred,
    /// Mean amount delivered toward need `n` by the horizon, in the need's unit (uncapped: an
    /// additive game, so φ is each party's own mean delivery).
    Delivered(usize),
}

/// Shapley attribution of a metric to the parties.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttributeReport {
    pub schema_version: u32,
    pub framework: String,
    pub scenario: String,
    /// The metric's name as asked (`adequate`, `adequate:air`, `credibility`, `deterred`, `delivered:land`).
    pub metric: String,
    /// What the metric is, in words, with its unit.
    pub metric_text: String,
    /// The horizon the metric is judged at, in days.
    pub horizon_days: f64,
    pub seed: u64,
    /// The variants pinned to one option (`--variant`), in the spec's order; the others are
    /// drawn in each run by their weights.
    pub variants_pinned: Vec<crate::files::Pin>,
    /// `exact` (all coalitions, intervals over runs) or `sampled` (permutation units on fresh runs).
    pub method: String,
    /// How the intervals were computed.
    pub interval: String,
    /// Runs behind v(N), v(∅), the leave-one-out table (and, when exact, every figure).
    pub runs: u64,
    /// The players: parties with at least one obliged pair in the model.
    pub players: Vec<String>,
    /// v(N): the metric with every party taking part, 95 % CI.
    pub v_all: Estimate,
    /// v(∅): the metric with nobody taking part, 95 % CI.
    pub v_none: Estimate,
    /// Σφ: equals v(N) − v(∅) (efficiency).
    pub sum: f64,
    /// Σφ − (v(N) − v(∅)): rounding only when exact; sampling error when sampled (other runs).
    pub efficiency_gap: f64,
    /// One row per party of the spec, in spec order; parties without pairs are null players (0).
    pub values: Vec<ShapleyRow>,
    /// "What if X withdraws": v(N) − v(N∖{X}), 95 % CI.
    pub leave_one_out: Vec<LeaveOneOut>,
    /// The largest pairwise Shapley interaction indices |I_ij| (exact method only): positive,
    /// the two matter together (complements); negative, either will do (substitutes).
    pub interactions: Vec<InteractionRow>,
    /// Sampling details (sampled method only).
    pub sampling: Option<Sampling>,
    /// Wall-clock seconds, when it ran here (not for merged shards); not part of the JSON.
    #[serde(skip)]
    #[schemars(skip)]
    pub seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShapleyRow {
    pub party: String,
    /// φ, in the metric's unit, 95 % CI; exactly 0 for a null player.
    pub shapley: Estimate,
    /// Whether the party has no pair in the model (so φ = 0 exactly).
    pub null: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LeaveOneOut {
    pub party: String,
    /// v(N) − v(N∖{party}), in the metric's unit, 95 % CI.
    pub loss: Estimate,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InteractionRow {
    pub a: String,
    pub b: String,
    /// Shapley interaction index I_ab (Grabisch 1997), 95 % CI over runs.
    pub value: Estimate,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Sampling {
    /// Independent units: each an antithetic pair of permutations on its own runs.
    pub units: usize,
    pub permutations: usize,
    pub runs_per_unit: u64,
    /// The half-width asked for, and whether every value reached it.
    pub precision: f64,
    pub precision_reached: bool,
}

/// Parses a metric name against the model's needs.
pub fn metric(model: &SimModel, name: &str) -> Result<Metric, Error> {
    let need = |d: &str| -> Result<usize, Error> {
        if let Some(n) = model.needs.iter().position(|n| n.domain == d) {
            return Ok(n);
        }
        let needs: Vec<&str> = model.needs.iter().map(|n| n.domain.as_str()).collect();
        Err(Error::Usage(format!("no need in domain `{d}`; the scenario's needs: {}", needs.join(", "))))
    };
    match name {
        "adequate" => Ok(Metric::Adequate),
        "credibility" => Ok(Metric::Credibility),
        "deterred" => Ok(Metric::Deterred),
        _ => {
            if let Some(d) = name.strip_prefix("adequate:") {
                return need(d).map(Metric::AdequateNeed);
            }
            if let Some(d) = name.strip_prefix("delivered:") {
                return need(d).map(Metric::Delivered);
            }
            Err(Error::Usage(format!(
                "unknown metric `{name}`; metrics: adequate, adequate:DOMAIN, credibility, deterred, delivered:DOMAIN"
            )))
        }
    }
}

/// Scores coalitions of one run from the parties' deliveries.
struct Scorer<'a> {
    model: &'a SimModel,
    metric: Metric,
}

impl Scorer<'_> {
    /// The metric of each coalition of the `k` parties `delivering` (party indices, ascending),
    /// into `val` (length 2ᵏ): deliveries summed in ascending party order, as a run does.
    fn table(&self, best: &[f64], delivering: &[usize], sums: &mut Vec<f64>, val: &mut Vec<f64>) {
        let needs = self.model.needs.len();
        let len = 1usize << delivering.len();
        sums.clear();
        sums.resize(len, 0.0);
        val.clear();
        let (start, only) = match self.metric {
            Metric::Adequate => (1.0, None),
            Metric::AdequateNeed(n) => (1.0, Some(n)),
            // The deterred game is built from the coalitions' mean credibility.
            Metric::Credibility | Metric::Deterred => (0.0, None),
            Metric::Delivered(n) => (0.0, Some(n)),
        };
        val.resize(len, start);
        for (n, need) in self.model.needs.iter().enumerate() {
            if only.is_some_and(|o| o != n) {
                continue;
            }
            for m in 1..len {
                let high = usize::BITS - 1 - m.leading_zeros();
                sums[m] = sums[m & !(1 << high)] + best[delivering[high as usize] * needs + n];
            }
            for m in 0..len {
                let delivered = sums[m];
                match self.metric {
                    Metric::Credibility | Metric::Deterred => val[m] += (delivered / need.required).min(1.0),
                    Metric::Delivered(_) => val[m] = delivered,
                    Metric::Adequate | Metric::AdequateNeed(_) => {
                        if delivered < need.required {
                            val[m] = 0.0;
                        }
                    }
                }
            }
        }
        if matches!(self.metric, Metric::Credibility | Metric::Deterred) {
            val.iter_mut().for_each(|v| *v /= needs as f64);
        }
    }

    /// The metric of one coalition given by party flags, summing in `order`.
    fn value(&self, best: &[f64], order: &[usize], sums: &mut [f64]) -> f64 {
        let needs = self.model.needs.len();
        sums.iter_mut().for_each(|s| *s = 0.0);
        for &p in order {
            for (n, s) in sums.iter_mut().enumerate() {
                *s += best[p * needs + n];
            }
        }
        self.of_sums(sums)
    }

    fn of_sums(&self, sums: &[f64]) -> f64 {
        let needs = &self.model.needs;
        match self.metric {
            Metric::Adequate => f64::from(u8::from(sums.iter().zip(needs).all(|(s, n)| *s >= n.required))),
            Metric::AdequateNeed(k) => f64::from(u8::from(sums[k] >= needs[k].required)),
            // Deterred: the run's credibility (the game is Φ of its mean, see `deterred_exact`).
            Metric::Credibility | Metric::Deterred => {
                sums.iter().zip(needs).map(|(s, n)| (s / n.required).min(1.0)).sum::<f64>() / needs.len() as f64
            }
            Metric::Delivered(k) => sums[k],
        }
    }
}

/// `1 / (m · C(m−1, s))`: the Shapley weights of coalitions of size `s` among `m` players.
fn weights(m: usize) -> Vec<f64> {
    let mut w = Vec::with_capacity(m);
    let mut binom = 1.0_f64;
    for s in 0..m {
        w.push(1.0 / (m as f64 * binom));
        binom = binom * (m - 1 - s) as f64 / (s + 1) as f64;
    }
    w
}

/// Per-run figures accumulated: Σx and Σx² of each, in fixed point (`ONE`), so that sums of
/// any chunks or shards are exact and the same in any order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sums {
    pub sum: Vec<i128>,
    pub sq: Vec<i128>,
}

impl Sums {
    fn new(len: usize) -> Sums {
        Sums { sum: vec![0; len], sq: vec![0; len] }
    }
    fn push(&mut self, k: usize, x: f64) {
        self.sum[k] += (x * ONE).round() as i128;
        self.sq[k] += (x * x * ONE).round() as i128;
    }
    /// Adds `o`'s sums (exact).
    pub fn merge(&mut self, o: &Sums) {
        self.sum.iter_mut().zip(&o.sum).for_each(|(a, b)| *a += b);
        self.sq.iter_mut().zip(&o.sq).for_each(|(a, b)| *a += b);
    }
    /// Figure `k`'s mean over runs with its 95 % interval: normal, or, when every run gave the
    /// same value and the figure could have varied (`range` is where a run's figure lies),
    /// the bound for a constant sample ([`constant_sample`]). `None`: the figure is the same in
    /// every run by construction (v(∅); anything of a player that never delivers), so its
    /// interval has no width.
    fn estimate(&self, k: usize, runs: u64, range: Option<(f64, f64)>) -> Estimate {
        let mean = self.sum[k] as f64 / ONE / runs as f64;
        match range {
            Some(range) if self.constant(k, runs, range) => {
                let (low, high) = constant_sample(mean, runs, range);
                Estimate { value: mean, low, high }
            }
            // The normal interval, kept inside the figure's range (a probability's below 0 is
            // no information the range does not already give).
            Some((lo, hi)) => {
                let h = self.half_width(k, runs);
                Estimate { value: mean, low: (mean - h).max(lo), high: (mean + h).min(hi) }
            }
            None => {
                let h = self.half_width(k, runs);
                Estimate { value: mean, low: mean - h, high: mean + h }
            }
        }
    }
    /// Whether every run gave figure `k` the same value, up to the rounding of the fixed point
    /// and of the variance's computation (which leave at most 2⁻⁴⁸ + |x|·2⁻⁴⁷ of spurious
    /// variance, plus ~2⁻⁵⁰·x²). The threshold, 2⁻⁴⁰ on a `range` of half-width 1, scales with
    /// a narrower range down to the fixed point's floor (2⁻⁴⁶), so that a figure that varies on
    /// a small scale (`delivered:NEED` in a large unit) is not taken for a constant one.
    fn constant(&self, k: usize, runs: u64, range: (f64, f64)) -> bool {
        let n = runs as f64;
        let mean = self.sum[k] as f64 / ONE / n;
        let var = (self.sq[k] as f64 / ONE - n * mean * mean) / (n - 1.0).max(1.0);
        let half = ((range.1 - range.0) / 2.0).min(1.0);
        var <= (2f64.powi(-40) * half * half).max(2f64.powi(-46)) + 1e-12 * mean * mean
    }
    /// 1.96 · sd / √runs of the per-run figure `k`.
    fn half_width(&self, k: usize, runs: u64) -> f64 {
        let n = runs as f64;
        let mean = self.sum[k] as f64 / ONE / n;
        let sq = self.sq[k] as f64 / ONE;
        let var = if runs > 1 { ((sq - n * mean * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
        Z95 * (var / n).sqrt()
    }
}

/// The layout of the per-run figures: v(N), v(∅), φ per player, loss per player, I per pair.
struct Layout {
    n: usize,
}

impl Layout {
    fn len(&self) -> usize {
        2 + 2 * self.n + self.n * (self.n.saturating_sub(1)) / 2
    }
    fn phi(&self, i: usize) -> usize {
        2 + i
    }
    fn loss(&self, i: usize) -> usize {
        2 + self.n + i
    }
    fn pair(&self, i: usize, j: usize) -> usize {
        // i < j: pairs in order (0,1), (0,2), …, (1,2), …
        2 + 2 * self.n + i * (2 * self.n - i - 1) / 2 + (j - i - 1)
    }
}

/// The players: parties with at least one pair, ascending.
pub fn players(model: &SimModel) -> Vec<usize> {
    let mut p: Vec<usize> = model.pairs.iter().map(|p| p.party_index).collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// The model of an attribution: one horizon (the metric's), the spec's parameters.
pub fn model(structure: &Structure, spec: &Spec, request: &Request) -> Result<SimModel, Error> {
    crate::sensitivity::horizon_applies(&request.metric, request.horizon)?;
    let horizon = request.horizon.unwrap_or(DEFAULT_HORIZON);
    if !(horizon.is_finite() && horizon > 0.0) {
        return Err(Error::Usage("--horizon takes a positive number of days".into()));
    }
    let pins = pinned_variants(spec, &request.variants)?;
    structure.parameterise(&spec.params, &[horizon], &pins).map_err(|e| Error::Unservable(e.to_string()))
}

/// An attribution ready to run: its inputs checked.
struct Setup<'a> {
    spec: &'a Spec,
    model: &'a SimModel,
    request: &'a Request,
    metric: Metric,
    runs: u64,
    precision: f64,
    max_units: usize,
    players: Vec<usize>,
    exact: bool,
    h: usize,
    /// The width of the range of one run's v(S): 1 for a probability or adequacy, the most the
    /// parties can deliver for `delivered:NEED`.
    span: f64,
    /// Per player: whether it can deliver anything the metric counts (it has an active pair
    /// that pledges to a counted need and may honour). A player that cannot has φ, losses and
    /// interactions 0 in every run by construction.
    can_deliver: Vec<bool>,
    /// The variants pinned by the request.
    pins: Vec<crate::files::Pin>,
}

fn setup<'a>(spec: &'a Spec, model: &'a SimModel, request: &'a Request) -> Result<Setup<'a>, Error> {
    crate::sensitivity::horizon_applies(&request.metric, request.horizon)?;
    let metric = metric(model, &request.metric)?;
    let runs = request.runs.unwrap_or(DEFAULT_RUNS);
    if runs < 2 {
        return Err(Error::Usage("--runs must be at least 2 (intervals are over runs)".into()));
    }
    if runs > MAX_RUNS {
        return Err(Error::Usage(format!("--runs is at most {MAX_RUNS} (2^39) for an attribution")));
    }
    let precision = request.precision.unwrap_or(DEFAULT_PRECISION);
    if !(precision.is_finite() && precision > 0.0) {
        return Err(Error::Usage("--precision takes a positive half-width, e.g. 0.005".into()));
    }
    let max_units = request.max_units.unwrap_or(DEFAULT_MAX_UNITS);
    if max_units < 100 {
        return Err(Error::Usage(
            "--max-units must be at least 100 (the fewest units before the precision is tested)".into(),
        ));
    }
    let players = players(model);
    let n = players.len();
    if request.exact && n > MAX_EXACT_PLAYERS {
        return Err(Error::Usage(format!(
            "{n} players: exact values need at most {MAX_EXACT_PLAYERS}; drop --exact to sample"
        )));
    }
    let h = usize::from(matches!(metric, Metric::Credibility | Metric::Deterred));
    if metric == Metric::Deterred {
        if request.precision.is_some() {
            return Err(Error::Usage(
                "--precision asks for sampled values, which metric `deterred` does not have: its values are exact \
                 over all coalitions, with delta-method intervals over runs"
                    .into(),
            ));
        }
        if n > MAX_EXACT_PLAYERS {
            return Err(Error::Unservable(format!(
                "metric `deterred` is computed over all 2ⁿ coalitions, for at most {MAX_EXACT_PLAYERS} players; \
                 this model has {n}. P(deterred) is Φ of the mean credibility over runs, so a permutation scored on \
                 a few runs has no unbiased value of it: attribute `credibility` instead, or pin variants / switch \
                 commitments off to reduce the players"
            )));
        }
    }
    // Exact unless there are too many players or a precision asks for sampling.
    let exact = request.exact || (n <= MAX_EXACT_PLAYERS && request.precision.is_none());
    // `--exact` with `--max-units` asks for two things at once; without `--exact`, a bound on
    // sampling that this model does not need (exact values for at most 20 players) is no error:
    // a script may pass it for small and large frameworks alike, and `method` says "exact".
    if request.exact && request.max_units.is_some() {
        return Err(Error::Usage(
            "--max-units bounds the sampling of Shapley values, and --exact asks for exact values: give one of them"
                .into(),
        ));
    }
    let counted = |need: usize| match metric {
        Metric::AdequateNeed(k) | Metric::Delivered(k) => need == k,
        _ => true,
    };
    let active: Vec<bool> =
        (0..model.pairs.len()).map(|i| model.outcomes.iter().any(|o| o.active.contains(&i))).collect();
    let pledges = |i: usize| model.pairs[i].pledge.iter().enumerate().any(|(d, x)| *x > 0.0 && counted(d));
    let may = |i: usize| active[i] && pledges(i) && model.pairs[i].threshold > f64::NEG_INFINITY;
    let can_deliver: Vec<bool> =
        players.iter().map(|&p| (0..model.pairs.len()).any(|i| model.pairs[i].party_index == p && may(i))).collect();
    let span = match metric {
        // The most a run can deliver: each party's largest pledge to the need, summed.
        Metric::Delivered(k) => players
            .iter()
            .map(|&p| {
                let pledge = |i: usize| if model.pairs[i].party_index == p { model.pairs[i].pledge[k] } else { 0.0 };
                (0..model.pairs.len()).map(pledge).fold(0.0, f64::max)
            })
            .sum(),
        _ => 1.0,
    };
    let pins = crate::files::pins(spec, &request.variants)?;
    Ok(Setup { spec, model, request, metric, runs, precision, max_units, players, exact, h, span, can_deliver, pins })
}

/// Runs the attribution on the current rayon pool.
pub fn attribute(spec: &Spec, model: &SimModel, request: &Request) -> Result<AttributeReport, Error> {
    attribute_cancellable(spec, model, request, None)
}

/// [`attribute`] with a cancellation token, read before every run of the exact pass and every
/// sampling unit: once it is set the work stops and the answer is [`Error::Cancelled`]. Until
/// then the figures are those of [`attribute`], bit for bit.
pub fn attribute_cancellable(
    spec: &Spec,
    model: &SimModel,
    request: &Request,
    cancel: Option<&AtomicBool>,
) -> Result<AttributeReport, Error> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let started = std::time::Instant::now();
    let s = setup(spec, model, request)?;
    if s.metric == Metric::Deterred {
        let runner = Runner::new(model);
        let figures = deterred_exact(&runner, model, &s.players, request.seed, s.runs, &cancelled)?;
        return Ok(assemble(&s, figures, Some(started.elapsed().as_secs_f64())));
    }
    let total = run_sums(&s, 0..s.runs, &cancelled);
    if cancelled() {
        return Err(Error::Cancelled);
    }
    let sampled = if s.exact { None } else { Some(sampled(&s, Units::Adaptive, &cancelled)?) };
    report(&s, &total, sampled, Some(started.elapsed().as_secs_f64()))
}

/// `deterred` is not sharded: its values need every run's mean credibility of every coalition
/// before the second pass can start.
fn shardable(s: &Setup<'_>) -> Result<(), Error> {
    if s.metric == Metric::Deterred {
        return Err(Error::Usage(
            "metric `deterred` cannot be sharded (its two passes over the runs need the means of the first); \
             run it in one process, or shard `credibility`"
                .into(),
        ));
    }
    Ok(())
}

/// What the shards of an attribution split: its runs, and (sampled method) the blocks of
/// [`ironclad_analysis::shapley::sample_shapley_blocks`]'s units (0 when exact).
pub fn shares(spec: &Spec, model: &SimModel, request: &Request) -> Result<(u64, u64), Error> {
    let s = setup(spec, model, request)?;
    shardable(&s)?;
    Ok((s.runs, if s.exact { 0 } else { sample_blocks(&options(&s)) as u64 }))
}

/// A shard's part of an attribution: the fixed-point sums of the runs `runs`, and (sampled
/// method) the moments of the sampling-unit blocks `blocks`, computed on the current pool.
pub fn partial(
    spec: &Spec,
    model: &SimModel,
    request: &Request,
    runs: std::ops::Range<u64>,
    blocks: std::ops::Range<u64>,
) -> Result<(Sums, Vec<Vec<Moments>>), Error> {
    let s = setup(spec, model, request)?;
    shardable(&s)?;
    if runs.start > runs.end || runs.end > s.runs {
        return Err(Error::Usage(format!("runs {runs:?} are not among the {} runs", s.runs)));
    }
    let blocks = if s.exact {
        Vec::new()
    } else {
        match sampled(&s, Units::Blocks(blocks.start as usize..blocks.end as usize), &|| false)? {
            Sampled::Blocks(b) => b,
            Sampled::Done(..) => Vec::new(),
        }
    };
    Ok((run_sums(&s, runs, &|| false), blocks))
}

/// The report from the sums of every run and every block's moments (the shards' parts, the
/// sums added, the blocks in order): the unsharded report, with no wall-clock time.
pub fn merged(
    spec: &Spec,
    model: &SimModel,
    request: &Request,
    total: &Sums,
    blocks: &[Vec<Moments>],
) -> Result<AttributeReport, Error> {
    let s = setup(spec, model, request)?;
    shardable(&s)?;
    let len = Layout { n: s.players.len() }.len();
    if total.sum.len() != len || total.sq.len() != len {
        return Err(Error::Unservable("the merged sums do not fit the attribution they name".into()));
    }
    let sampled = if s.exact { None } else { Some(sampled(&s, Units::FromBlocks(blocks), &|| false)?) };
    report(&s, total, sampled, None)
}

/// The fixed-point sums of the per-run figures of the runs `range`, in parallel chunks of
/// [`CHUNK_RUNS`] (integers: the same whatever the chunks, threads or shards).
fn run_sums(s: &Setup<'_>, range: std::ops::Range<u64>, cancelled: &(dyn Fn() -> bool + Sync)) -> Sums {
    let (model, players, exact, h) = (s.model, &s.players, s.exact, s.h);
    let runner = Runner::new(model);
    let scorer = Scorer { model, metric: s.metric };
    let parties = model.parties;
    let needs = model.needs.len();
    let n = players.len();
    let layout = Layout { n };
    let chunks: Vec<u64> = (range.start / CHUNK_RUNS..range.end.div_ceil(CHUNK_RUNS)).collect();
    let per_chunk: Vec<Sums> = chunks
        .par_iter()
        .map(|&c| {
            if cancelled() {
                // Nothing is read from it: the caller answers `Cancelled`.
                return Sums::new(0);
            }
            let mut d: Draws = runner.draws();
            let mut best = vec![0.0; parties * needs];
            let mut sums = Vec::new();
            let mut val = Vec::new();
            let mut small = vec![0.0; needs];
            let mut out = Sums::new(layout.len());
            for run in (c * CHUNK_RUNS).max(range.start)..((c + 1) * CHUNK_RUNS).min(range.end) {
                if cancelled() {
                    break;
                }
                runner.draw(s.request.seed, run, &mut d);
                runner.party_delivery(&d, h, &mut best);
                if exact {
                    exact_run(&scorer, &layout, players, &best, &mut sums, &mut val, &mut out);
                } else {
                    // v(N), v(∅) and leave-one-out only.
                    let all = scorer.value(&best, players, &mut small);
                    out.push(0, all);
                    out.push(1, scorer.value(&best, &[], &mut small));
                    let mut others = Vec::with_capacity(n);
                    for i in 0..n {
                        others.clear();
                        others.extend(players.iter().copied().filter(|&p| p != players[i]));
                        out.push(layout.loss(i), all - scorer.value(&best, &others, &mut small));
                    }
                }
            }
            out
        })
        .collect();
    let mut total = Sums::new(layout.len());
    for s in &per_chunk {
        total.merge(s);
    }
    total
}

/// The report from the sums of every run and, sampled, the Shapley values.
fn report(
    s: &Setup<'_>,
    total: &Sums,
    sampled: Option<Sampled>,
    seconds: Option<f64>,
) -> Result<AttributeReport, Error> {
    let (runs, n, exact) = (s.runs, s.players.len(), s.exact);
    let layout = Layout { n };
    // Where one run's figure lies: v(S) in [0, span]; φ and losses, differences of v, in
    // [−span, span]; an interaction, a difference of two such, in [−2·span, 2·span].
    let span = s.span;
    let can = |i: usize| s.can_deliver[i];
    let of_player = |i: usize| can(i).then_some((-span, span));
    let (phi, sampling, interval): (Vec<Estimate>, Option<Sampling>, String) = if exact {
        (
            (0..n).map(|i| total.estimate(layout.phi(i), runs, of_player(i))).collect(),
            None,
            format!(
                "normal 95 % interval over {runs} runs: mean ± 1.96·sd/√runs of the per-run figures, within the \
                 figure's range; a figure equal in every run (but v(∅) and those of a party that cannot deliver) gets the rule of three toward the \
                 ends of its range"
            ),
        )
    } else {
        let Some(Sampled::Done(phi, sampling)) = sampled else {
            return Err(Error::Unservable("a sampled attribution without its sampled values".into()));
        };
        let interval = format!(
            "values: Student-t 95 % interval over {} independent units (a permutation and its reverse, on {RUNS_PER_UNIT} fresh runs each); v(N), v(∅), leave-one-out: normal interval over {runs} runs, within the figure's range; a figure equal in every unit or run (but v(∅) and those of a party that cannot deliver) gets the rule of three toward the ends of its range",
            sampling.units
        );
        (phi, Some(sampling), interval)
    };
    let mut interactions = Vec::new();
    if exact {
        for i in 0..n {
            for j in i + 1..n {
                if matches!(s.metric, Metric::Delivered(_)) {
                    // `delivered:NEED` is an additive game: every interaction is 0 by
                    // construction (what the per-run sums give is rounding), with no interval.
                    interactions.push((i, j, Estimate { value: 0.0, low: 0.0, high: 0.0 }));
                    continue;
                }
                let range = (can(i) && can(j)).then_some((-2.0 * span, 2.0 * span));
                interactions.push((i, j, total.estimate(layout.pair(i, j), runs, range)));
            }
        }
    }
    let figures = Figures {
        v_all: total.estimate(0, runs, (0..n).any(can).then_some((0.0, span))),
        v_none: total.estimate(1, runs, None),
        phi,
        loss: (0..n).map(|i| total.estimate(layout.loss(i), runs, of_player(i))).collect(),
        interactions,
        sampling,
        interval,
    };
    Ok(assemble(s, figures, seconds))
}

/// The figures of an attribution, in player order, before they are named.
struct Figures {
    v_all: Estimate,
    v_none: Estimate,
    phi: Vec<Estimate>,
    loss: Vec<Estimate>,
    /// (player a, player b, I_ab), exact methods only, not yet sorted or truncated.
    interactions: Vec<(usize, usize, Estimate)>,
    sampling: Option<Sampling>,
    interval: String,
}

/// The report of an attribution from its figures.
fn assemble(s: &Setup<'_>, figures: Figures, seconds: Option<f64>) -> AttributeReport {
    let (spec, model, request, metric, runs, players) = (s.spec, s.model, s.request, s.metric, s.runs, &s.players);
    let n = players.len();
    let parties = model.parties;
    let name = |p: usize| spec.parties[p].id.clone();
    // Position of each party among the players.
    let mut slot = vec![usize::MAX; parties];
    for (k, &p) in players.iter().enumerate() {
        slot[p] = k;
    }
    let zero = Estimate { value: 0.0, low: 0.0, high: 0.0 };
    let sum: f64 = figures.phi.iter().map(|e| e.value).sum();
    let values = (0..parties)
        .map(|p| {
            let k = slot[p];
            ShapleyRow {
                party: name(p),
                shapley: if k == usize::MAX { zero } else { figures.phi[k] },
                null: k == usize::MAX,
            }
        })
        .collect();
    let leave_one_out = (0..n).map(|i| LeaveOneOut { party: name(players[i]), loss: figures.loss[i] }).collect();
    let mut interactions: Vec<InteractionRow> = figures
        .interactions
        .iter()
        .map(|&(i, j, value)| InteractionRow { a: name(players[i]), b: name(players[j]), value })
        .collect();
    interactions.sort_by(|x, y| y.value.value.abs().total_cmp(&x.value.value.abs()));
    interactions.truncate(TOP_INTERACTIONS);
    let deterrence_horizon = matches!(metric, Metric::Credibility | Metric::Deterred);
    let metric_text = match metric {
        Metric::Adequate => {
            format!("P(adequate response in every need at {} days): a probability", crate::shown(model.horizons[0]))
        }
        Metric::AdequateNeed(k) => {
            format!(
                "P(adequate response in {} at {} days): a probability",
                model.needs[k].domain,
                crate::shown(model.horizons[0])
            )
        }
        Metric::Credibility => format!(
            "credibility: mean adequacy over needs at the deterrence horizon ({} days), in [0, 1]",
            model.deterrence.horizon
        ),
        Metric::Deterred => format!(
            "P(deterred) = Φ((cost · C̄ − gain) / noise) with C̄ the coalition's mean credibility at the deterrence \
             horizon ({} days): a probability",
            model.deterrence.horizon
        ),
        Metric::Delivered(k) => format!(
            "mean amount delivered in {} by {} days, in {} (uncapped)",
            model.needs[k].domain,
            crate::shown(model.horizons[0]),
            model.needs[k].unit
        ),
    };
    AttributeReport {
        schema_version: crate::SCHEMA_VERSION,
        framework: model.framework.clone(),
        scenario: model.scenario.clone(),
        metric: request.metric.clone(),
        metric_text,
        horizon_days: if deterrence_horizon { model.deterrence.horizon } else { model.horizons[0] },
        seed: request.seed,
        variants_pinned: s.pins.clone(),
        method: if s.exact || metric == Metric::Deterred { "exact" } else { "sampled" }.into(),
        interval: figures.interval,
        runs,
        players: players.iter().map(|&p| name(p)).collect(),
        efficiency_gap: sum - (figures.v_all.value - figures.v_none.value),
        sum,
        v_all: figures.v_all,
        v_none: figures.v_none,
        values,
        leave_one_out,
        interactions,
        sampling: figures.sampling,
        seconds,
    }
}

/// One run's exact figures: the game on the parties that deliver in this run (the others are
/// null in it, so their φ, losses and interactions are 0 in this run).
fn exact_run(
    scorer: &Scorer<'_>,
    layout: &Layout,
    players: &[usize],
    best: &[f64],
    sums: &mut Vec<f64>,
    val: &mut Vec<f64>,
    out: &mut Sums,
) {
    let needs = scorer.model.needs.len();
    let (slots, delivering): (Vec<usize>, Vec<usize>) = players
        .iter()
        .enumerate()
        .filter(|&(_, &p)| best[p * needs..(p + 1) * needs].iter().any(|x| *x > 0.0))
        .map(|(k, &p)| (k, p))
        .unzip();
    scorer.table(best, &delivering, sums, val);
    let k = delivering.len();
    let full = (1usize << k) - 1;
    out.push(0, val[full]);
    out.push(1, val[0]);
    // Runs in which a player delivers nothing add 0 to its sums: nothing to push.
    if k == 0 {
        return;
    }
    let w = weights(k);
    let mut phi = vec![0.0; k];
    for m in 0..full {
        let ws = w[m.count_ones() as usize];
        let vm = val[m];
        for (j, f) in phi.iter_mut().enumerate() {
            if m & (1 << j) == 0 {
                *f += ws * (val[m | 1 << j] - vm);
            }
        }
    }
    for j in 0..k {
        out.push(layout.phi(slots[j]), phi[j]);
        out.push(layout.loss(slots[j]), val[full] - val[full & !(1 << j)]);
    }
    if k >= 2 {
        let w2 = weights(k - 1);
        for a in 0..k {
            for b in a + 1..k {
                let (ba, bb) = (1usize << a, 1usize << b);
                let mut x = 0.0;
                for m in 0..=full {
                    if m & (ba | bb) == 0 {
                        x += w2[m.count_ones() as usize] * (val[m | ba | bb] - val[m | ba] - val[m | bb] + val[m]);
                    }
                }
                out.push(layout.pair(slots[a], slots[b]), x);
            }
        }
    }
}

/// Which units [`sampled`] computes.
enum Units<'b> {
    /// Rounds of blocks until the precision (or the most units): the unsharded run.
    Adaptive,
    /// These blocks, with no stopping rule: a shard's part.
    Blocks(std::ops::Range<usize>),
    /// None: every block's moments are given (merged shards); the stopping rule is applied to them.
    FromBlocks(&'b [Vec<Moments>]),
}

/// What [`sampled`] found.
enum Sampled {
    Done(Vec<Estimate>, Sampling),
    Blocks(Vec<Vec<Moments>>),
}

/// The options of the sampled method.
fn options(s: &Setup<'_>) -> SamplingOptions {
    SamplingOptions {
        precision: s.precision,
        min_units: 100,
        max_units: s.max_units,
        block_units: 64,
        blocks_per_round: 16,
        seed: s.request.seed,
        interval: IntervalMethod::StudentT,
        // A unit's value is a mean of marginal contributions, each in [−span, span].
        ranges: s.can_deliver.iter().map(|&can| can.then_some((-s.span, s.span))).collect(),
    }
}

/// Sampled Shapley values: each unit a permutation and its reverse on fresh runs.
fn sampled(s: &Setup<'_>, units: Units<'_>, cancelled: &(dyn Fn() -> bool + Sync)) -> Result<Sampled, Error> {
    let (model, players, h, seed, precision) = (s.model, &s.players, s.h, s.request.seed, s.precision);
    let runner = Runner::new(model);
    let scorer = Scorer { model, metric: s.metric };
    let needs = model.needs.len();
    let parties = model.parties;
    // Another seed's runs: independent of the runs behind v(N) and v(∅).
    let unit_seed = seed ^ 0x5348_4150_4C45_5953;
    let options = options(s);
    struct State {
        d: Draws,
        unit: usize,
        best: Vec<Vec<f64>>,
        sums: Vec<f64>,
    }
    let init = || State {
        d: runner.draws(),
        unit: usize::MAX,
        best: vec![vec![0.0; parties * needs]; RUNS_PER_UNIT as usize],
        sums: vec![0.0; needs],
    };
    let marginals = |s: &mut State, unit: usize, perm: &[usize], out: &mut [f64]| {
        // A cancelled unit answers a non-finite marginal, which the sampler refuses at once
        // (every block stops at its next unit); the error is then read as the cancellation.
        if cancelled() {
            out.iter_mut().for_each(|x| *x = f64::NAN);
            return;
        }
        if s.unit != unit {
            for (k, best) in s.best.iter_mut().enumerate() {
                runner.draw(unit_seed, unit as u64 * RUNS_PER_UNIT + k as u64, &mut s.d);
                runner.party_delivery(&s.d, h, best);
            }
            s.unit = unit;
        }
        for best in &s.best {
            s.sums.iter_mut().for_each(|x| *x = 0.0);
            let mut prev = scorer.of_sums(&s.sums);
            for &i in perm {
                let p = players[i];
                for (n, x) in s.sums.iter_mut().enumerate() {
                    *x += best[p * needs + n];
                }
                let cur = scorer.of_sums(&s.sums);
                out[i] += (cur - prev) / RUNS_PER_UNIT as f64;
                prev = cur;
            }
        }
    };
    let fail = |e: ironclad_analysis::AnalysisError| {
        if cancelled() { Error::Cancelled } else { Error::Unservable(e.to_string()) }
    };
    let result = match units {
        Units::Adaptive => sample_shapley_par_indexed(players.len(), &options, init, marginals).map_err(fail)?,
        Units::Blocks(range) => {
            return sample_shapley_blocks(players.len(), &options, range, init, marginals)
                .map(Sampled::Blocks)
                .map_err(fail);
        }
        Units::FromBlocks(blocks) => sample_shapley_from_blocks(players.len(), &options, blocks).map_err(fail)?,
    };
    let phi = result
        .mean
        .iter()
        .zip(&result.half_width)
        .map(|(m, h)| Estimate { value: *m, low: m - h, high: m + h })
        .collect();
    Ok(Sampled::Done(
        phi,
        Sampling {
            units: result.units,
            permutations: result.permutations,
            runs_per_unit: RUNS_PER_UNIT,
            precision,
            precision_reached: result.precision_reached,
        },
    ))
}

/// Chunks of the exact `deterred` passes evaluated at once: each holds a 2ⁿ table, so this
/// bounds memory (8 × 8 MiB at 20 players); fixed, so the sums do not depend on threads.
const DETERRED_BATCH: usize = 8;

/// P(deterred) and its derivative at a mean credibility `c` (`docs/model.md`, "Credibility and
/// deterrence"): Φ(z) and (cost / noise)·φ(z), z = (cost · clamp(c, 0, 1) − gain) / noise.
fn deter(model: &SimModel, c: f64) -> (f64, f64) {
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};
    let d = &model.deterrence;
    let z = (d.cost * c.clamp(0.0, 1.0) - d.gain) / d.noise;
    let normal = Normal::standard();
    (normal.cdf(z), d.cost / d.noise * normal.pdf(z))
}

/// The credibility table of one run over the players that deliver in it, and the full-game
/// index of each of its coalitions (`map[t]`: the player bits of the coalition `t`).
struct RunTable {
    val: Vec<f64>,
    mobius: Vec<f64>,
    map: Vec<usize>,
    sums: Vec<f64>,
    /// Player positions (bits of the full game) of the delivering players.
    slots: Vec<usize>,
}

impl RunTable {
    fn new() -> RunTable {
        RunTable { val: Vec::new(), mobius: Vec::new(), map: Vec::new(), sums: Vec::new(), slots: Vec::new() }
    }

    fn fill(&mut self, scorer: &Scorer<'_>, players: &[usize], best: &[f64]) {
        let needs = scorer.model.needs.len();
        let (slots, delivering): (Vec<usize>, Vec<usize>) = players
            .iter()
            .enumerate()
            .filter(|&(_, &p)| best[p * needs..(p + 1) * needs].iter().any(|x| *x > 0.0))
            .map(|(k, &p)| (k, p))
            .unzip();
        scorer.table(best, &delivering, &mut self.sums, &mut self.val);
        let len = self.val.len();
        self.map.clear();
        self.map.resize(len, 0);
        for t in 1..len {
            let low = t.trailing_zeros() as usize;
            self.map[t] = self.map[t & (t - 1)] | 1 << slots[low];
        }
        // Möbius transform: val(T) = Σ_{U ⊆ T} mobius(U).
        self.mobius.clear();
        self.mobius.extend_from_slice(&self.val);
        for j in 0..slots.len() {
            let bit = 1usize << j;
            for t in 0..len {
                if t & bit != 0 {
                    self.mobius[t] -= self.mobius[t ^ bit];
                }
            }
        }
        self.slots = slots;
    }
}

/// Superset sums in place: `a[S] ← Σ_{T ⊇ S} a[T]` over `n` bits.
fn superset_sums(a: &mut [f64], n: usize) {
    for j in 0..n {
        let bit = 1usize << j;
        for s in 0..a.len() {
            if s & bit == 0 {
                a[s] += a[s | bit];
            }
        }
    }
}

/// Exact Shapley values of v(S) = P(deterred | only S takes part) = g(C̄(S)), C̄(S) the mean
/// credibility of S over the runs (`docs/analysis.md`, "Attributing P(deterred)").
///
/// Pass 1 accumulates, per run, the Möbius transform of the run's credibility table over the
/// players who deliver in it (the others are null in that run), scattered into the full game;
/// one subset-sum transform then gives C̄(S) for all 2ⁿ coalitions. Every figure F (φᵢ, a loss,
/// an interaction, v(N), v(∅)) is Σ_S a_F(S)·g(C̄(S)); its delta-method variance is that of the
/// per-run influence ψ_F(r) = Σ_S a_F(S)·g'(C̄(S))·cred_r(S) over runs, computed in pass 2 on the
/// same draws (cred_r(S) = Σ_{T ⊆ S} m_r(T), so ψ_F(r) = Σ_T m_r(T)·A_F(T) with A_F the superset
/// sums of a_F·g').
fn deterred_exact(
    runner: &Runner<'_>,
    model: &SimModel,
    players: &[usize],
    seed: u64,
    runs: u64,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<Figures, Error> {
    let n = players.len();
    let len = 1usize << n;
    let full = len - 1;
    let needs = model.needs.len();
    let scorer = Scorer { model, metric: Metric::Deterred };
    let chunks: Vec<u64> = (0..runs.div_ceil(CHUNK_RUNS)).collect();
    let chunk_runs = |c: u64| c * CHUNK_RUNS..((c + 1) * CHUNK_RUNS).min(runs);
    // Pass 1: Σ_r m_r, in the full game.
    let mut mobius = vec![0.0; len];
    for group in chunks.chunks(DETERRED_BATCH) {
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let parts: Vec<Vec<f64>> = group
            .par_iter()
            .map(|&c| {
                let mut d: Draws = runner.draws();
                let mut best = vec![0.0; model.parties * needs];
                let mut table = RunTable::new();
                let mut local = vec![0.0; len];
                for run in chunk_runs(c) {
                    runner.draw(seed, run, &mut d);
                    runner.party_delivery(&d, 1, &mut best);
                    table.fill(&scorer, players, &best);
                    for (t, m) in table.mobius.iter().enumerate() {
                        local[table.map[t]] += m;
                    }
                }
                local
            })
            .collect();
        for part in &parts {
            mobius.iter_mut().zip(part).for_each(|(a, b)| *a += b);
        }
    }
    // C̄(S) = Σ_{T ⊆ S} M(T) / runs.
    let mut mean = mobius;
    for j in 0..n {
        let bit = 1usize << j;
        for s in 0..len {
            if s & bit != 0 {
                mean[s] += mean[s ^ bit];
            }
        }
    }
    mean.iter_mut().for_each(|c| *c /= runs as f64);
    let (v, slope): (Vec<f64>, Vec<f64>) = mean.iter().map(|&c| deter(model, c)).unzip();
    let w = weights(n.max(1));
    let w2 = weights(n.saturating_sub(1).max(1));
    let size = |s: usize| s.count_ones() as usize;
    // Point values.
    let phi: Vec<f64> = (0..n)
        .map(|i| {
            let bit = 1usize << i;
            (0..len).filter(|s| s & bit == 0).map(|s| w[size(s)] * (v[s | bit] - v[s])).sum()
        })
        .collect();
    let loss: Vec<f64> = (0..n).map(|i| v[full] - v[full & !(1 << i)]).collect();
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let (bi, bj) = (1usize << i, 1usize << j);
            let x = (0..len)
                .filter(|s| s & (bi | bj) == 0)
                .map(|s| w2[size(s)] * (v[s | bi | bj] - v[s | bi] - v[s | bj] + v[s]))
                .sum();
            pairs.push((i, j, x));
        }
    }
    pairs.sort_by(|x, y| y.2.abs().total_cmp(&x.2.abs()));
    pairs.truncate(TOP_INTERACTIONS);
    // Influence coefficients A_F, interleaved [S][F]: the n values, then the top pairs.
    let functionals = n + pairs.len();
    let mut coef = vec![0.0; len * functionals];
    for f in 0..functionals {
        let mut a: Vec<f64> = (0..len)
            .map(|s| {
                let c = if f < n {
                    let bit = 1usize << f;
                    if s & bit != 0 { w[size(s) - 1] } else { -w[size(s)] }
                } else {
                    let (i, j, _) = pairs[f - n];
                    match (s >> i & 1) + (s >> j & 1) {
                        2 => w2[size(s) - 2],
                        1 => -w2[size(s) - 1],
                        _ => w2[size(s)],
                    }
                };
                c * slope[s]
            })
            .collect();
        superset_sums(&mut a, n);
        for (s, x) in a.into_iter().enumerate() {
            coef[s * functionals + f] = x;
        }
    }
    // Pass 2: Σψ and Σψ² per figure; layout v(N), v(∅), φ…, loss…, pairs….
    let layout = Layout { n };
    let slots = 2 + 2 * n + pairs.len();
    let pair_slot = |p: usize| 2 + 2 * n + p;
    let mut total = Sums::new(slots);
    for group in chunks.chunks(DETERRED_BATCH) {
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let parts: Vec<Sums> = group
            .par_iter()
            .map(|&c| {
                let mut d: Draws = runner.draws();
                let mut best = vec![0.0; model.parties * needs];
                let mut table = RunTable::new();
                let mut out = Sums::new(slots);
                let mut psi = vec![0.0; functionals];
                for run in chunk_runs(c) {
                    runner.draw(seed, run, &mut d);
                    runner.party_delivery(&d, 1, &mut best);
                    table.fill(&scorer, players, &best);
                    psi.iter_mut().for_each(|x| *x = 0.0);
                    for (t, m) in table.mobius.iter().enumerate() {
                        let row = &coef[table.map[t] * functionals..(table.map[t] + 1) * functionals];
                        psi.iter_mut().zip(row).for_each(|(x, a)| *x += m * a);
                    }
                    let k_full = table.val.len() - 1;
                    let cred_all = table.val[k_full];
                    out.push(0, slope[full] * cred_all);
                    out.push(1, slope[0] * table.val[0]);
                    for i in 0..n {
                        // cred_r(N ∖ i): drop i from the run's table if it delivers in this run.
                        let without = match table.slots.iter().position(|&s| s == i) {
                            Some(b) => table.val[k_full & !(1 << b)],
                            None => cred_all,
                        };
                        out.push(layout.loss(i), slope[full] * cred_all - slope[full & !(1 << i)] * without);
                        out.push(layout.phi(i), psi[i]);
                    }
                    for p in 0..pairs.len() {
                        out.push(pair_slot(p), psi[n + p]);
                    }
                }
                out
            })
            .collect();
        for part in &parts {
            total.merge(part);
        }
    }
    // Delta-method intervals, kept inside the range of what they estimate: P(deterred) in
    // [0, 1], a difference of two in [−1, 1].
    let at = |value: f64, k: usize, range: (f64, f64)| {
        let h = total.half_width(k, runs);
        Estimate { value, low: (value - h).max(range.0), high: (value + h).min(range.1) }
    };
    if cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(Figures {
        v_all: at(v[full], 0, (0.0, 1.0)),
        v_none: at(v[0], 1, (0.0, 1.0)),
        phi: (0..n).map(|i| at(phi[i], layout.phi(i), (-1.0, 1.0))).collect(),
        loss: (0..n).map(|i| at(loss[i], layout.loss(i), (-1.0, 1.0))).collect(),
        interactions: pairs
            .iter()
            .enumerate()
            .map(|(p, &(i, j, x))| (i, j, at(x, pair_slot(p), (-2.0, 2.0))))
            .collect(),
        sampling: None,
        interval: format!(
            "values exact over all coalitions of the {runs} runs' mean credibility; delta-method normal 95 % interval \
             over runs: ± 1.96·sd/√runs of each figure's linearised per-run influence"
        ),
    })
}
