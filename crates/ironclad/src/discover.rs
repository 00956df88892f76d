//! `discover`: scenario discovery — under which conditions does the guarantee fail? PRIM boxes
//! (Friedman & Fisher 1999; Bryant & Lempert 2010) over the simulation's runs
//! (`docs/analysis.md`).
//!
//! Each run is one row. Its **inputs** are what the run drew: the option of each variant whose
//! choice is random (categorical, by option id) and the political will of each latent factor
//! some pair loads (numeric, in standard deviations: `will = −F`, so below 0 is weaker will
//! than usual — a pair honours when its latent `Z = Σλ·F + …` is below its threshold). Its
//! **outcome** is whether the metric fails in that run: not adequate (in every need, or in one)
//! at the horizon, or credibility below a threshold.
//!
//! The runs are split in two halves: PRIM is fitted on the first (runs `0..R/2`), and each box
//! is counted again on the second (held out). Choosing a box on the runs that score it biases
//! its density upward; the held-out figures do not have that bias. Boxes are found by
//! **covering**: after a box is chosen, its runs are removed and PRIM runs again on the rest,
//! up to [`DEFAULT_BOXES`] boxes. Every interval is a Wilson interval with the run as the
//! independent unit (runs are independent draws).

use ironclad_analysis::prim::{PrimData, PrimOptions, Restriction, box_counts, box_membership, prim};
use ironclad_sim::stats::{Estimate, wilson};
use ironclad_sim::{Draws, Runner, SimModel, Structure};
use ironclad_spec::Spec;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;
use crate::files::pinned_variants;

/// Default runs (half fitted, half held out).
pub const DEFAULT_RUNS: u64 = 20_000;
/// Most runs: every run's outcome and inputs are held in memory (and copied into PRIM's data).
pub const MAX_RUNS: u64 = 10_000_000;
/// Most values held, runs × (inputs + 1): about 8 bytes each, a few times over, so a few GiB.
pub const MAX_CELLS: u64 = 200_000_000;
/// Default horizon of the `adequate` metrics, days.
pub const DEFAULT_HORIZON: f64 = 30.0;
/// Default credibility below which a run counts as a failure (`--metric credibility`).
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// Default number of boxes (covering).
pub const DEFAULT_BOXES: usize = 3;
/// Fewest failures among the remaining fitted runs for PRIM to look for another box.
pub const MIN_FAILURES: usize = 10;
/// Runs per chunk (fixed, so results do not depend on threads).
const CHUNK_RUNS: u64 = 1024;
/// Default number of parameter points with `--uncertain`.
pub const DEFAULT_POINTS: usize = 64;

/// What to discover.
#[derive(Debug, Clone)]
pub struct Request {
    /// `adequate`, `adequate:DOMAIN` or `credibility`.
    pub metric: String,
    /// Horizon in days of the `adequate` metrics.
    pub horizon: Option<f64>,
    /// Credibility below which a run fails (`credibility` only).
    pub threshold: Option<f64>,
    pub runs: Option<u64>,
    pub seed: u64,
    /// Most boxes to find.
    pub boxes: Option<usize>,
    /// `VARIANT=OPTION` pins (a pinned variant is no input).
    pub variants: Vec<String>,
    /// Also vary the spec's uncertain `[model]` parameters: the runs are split into
    /// [`Request::points`] blocks, each at one point of a scrambled Sobol' design over them.
    pub uncertain: bool,
    /// Parameter points with `uncertain` (even, at least 4); default [`DEFAULT_POINTS`].
    pub points: Option<usize>,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            metric: "adequate".into(),
            horizon: None,
            threshold: None,
            runs: None,
            seed: 1,
            boxes: None,
            variants: Vec::new(),
            uncertain: false,
            points: None,
        }
    }
}

/// The failure a run is scored on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Not adequate in every need at the horizon.
    Adequate,
    /// Not adequate in need `n` at the horizon.
    AdequateNeed(usize),
    /// Credibility (mean adequacy over needs at the deterrence horizon) below the threshold.
    Credibility(f64),
}

/// Conditions under which the guarantee fails.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DiscoverReport {
    pub schema_version: u32,
    pub framework: String,
    pub scenario: String,
    /// The metric as asked (`adequate`, `adequate:air`, `credibility`).
    pub metric: String,
    /// What counts as a failure of a run, in words.
    pub failure: String,
    /// The horizon the metric is judged at, in days.
    pub horizon_days: f64,
    /// The credibility threshold (`credibility` only).
    pub threshold: Option<f64>,
    pub seed: u64,
    /// The variants pinned to one option (`--variant`), in the spec's order; the others are
    /// inputs, sampled by weight.
    pub variants_pinned: Vec<crate::files::Pin>,
    /// Runs in all; the first half fits the boxes, the second half is held out.
    pub runs: u64,
    pub fit_runs: u64,
    pub held_out_runs: u64,
    /// Share of all runs that fail, 95 % interval: Wilson over runs; with `--uncertain`,
    /// clustered by parameter point (and never narrower than the Wilson interval over runs).
    pub failure_rate: Estimate,
    /// Failures among the fitted and the held-out runs.
    pub fit_failures: u64,
    pub held_out_failures: u64,
    /// The inputs PRIM may restrict: one per random variant, per loaded factor and (with
    /// `--uncertain`) per uncertain parameter.
    pub features: Vec<Feature>,
    /// PRIM's settings, in words.
    pub method: String,
    /// How the intervals were computed, with their independent unit.
    pub interval: String,
    /// How the boxes were validated.
    pub validation: String,
    /// Parameter points the runs were split over (`--uncertain`), else 0.
    pub points: usize,
    /// The boxes, in the order covering found them.
    pub boxes: Vec<FailureBox>,
    /// Why there are no (more) boxes, when that is worth saying.
    pub note: Option<String>,
    #[serde(skip)]
    #[schemars(skip)]
    pub seconds: f64,
}

/// An input of the runs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Feature {
    /// Its id in restrictions: `variant:ID`, `will:FACTOR` (`will:domestic:PARTY` for a
    /// party's own domestic factor) or `param:NAME` (an uncertain parameter, `--uncertain`).
    pub id: String,
    /// A short name for a reader.
    pub label: String,
    /// `categorical` (a variant's option) or `numeric` (a factor's will, in standard deviations;
    /// an uncertain parameter, in its own unit).
    pub kind: String,
    /// What it means.
    pub description: String,
    /// The options of a variant that runs can choose (categorical only).
    pub levels: Vec<String>,
}

/// One box: where the failures concentrate.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FailureBox {
    /// 1 for the first box found.
    pub rank: usize,
    /// The restrictions in words, joined by AND.
    pub description: String,
    pub restrictions: Vec<BoxRestriction>,
    /// Counted on the fitted runs (biased upward: the box was chosen on them).
    pub fit: BoxFigures,
    /// Counted on the held-out runs (unbiased).
    pub held_out: BoxFigures,
    /// The peeling trajectory on the fitted runs, from the box of all remaining runs to the last
    /// peel; coverage is of all fitted failures.
    pub trajectory: Vec<PeelStep>,
    /// The step of the trajectory that was chosen (before pasting and pruning).
    pub chosen_step: usize,
}

/// A box's figures on one half of the runs. The box's population is the half's runs outside
/// the earlier boxes (covering).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BoxFigures {
    /// Runs of the half.
    pub runs: u64,
    /// Failures of the half.
    pub failures: u64,
    /// Runs inside the box (and outside the earlier boxes).
    pub runs_in_box: u64,
    /// Failures inside the box.
    pub failures_in_box: u64,
    /// Share of the half's failures inside the box, 95 % interval (Wilson over runs; with
    /// `--uncertain`, clustered by parameter point, never narrower than Wilson over runs).
    pub coverage: Estimate,
    /// Share of the box's runs that fail, 95 % interval (as `coverage`).
    pub density: Estimate,
    /// Share of the half's runs inside the box.
    pub support: f64,
    /// Density over the failure rate of the half's runs outside the earlier boxes (for the first
    /// box, of the whole half).
    pub lift: f64,
}

/// One restriction of a box.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BoxRestriction {
    /// The feature's id.
    pub feature: String,
    /// In words: `US's domestic will ≤ -0.52 sd (weaker than usual)`, `variant us-military-support is none`.
    pub text: String,
    /// Bounds of a numeric feature (inclusive; a missing side is unrestricted).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Options kept of a categorical feature.
    pub levels: Vec<String>,
    /// Quasi-p-value on the fitted runs: P(X ≥ failures in the box) for X ~ Bin(runs in the box,
    /// density without this restriction); a screening aid, optimistic, not a test.
    pub quasi_p: f64,
}

/// One step of the peeling trajectory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PeelStep {
    pub step: usize,
    pub runs_in_box: u64,
    pub failures_in_box: u64,
    /// Of all fitted failures.
    pub coverage: f64,
    pub density: f64,
    /// Restricted features.
    pub restricted: usize,
    pub description: String,
}

/// Parses a metric name against the model's needs.
pub fn metric(model: &SimModel, name: &str, threshold: Option<f64>) -> Result<Metric, Error> {
    if threshold.is_some() && name != "credibility" {
        return Err(Error::Usage("--threshold applies to --metric credibility only".into()));
    }
    match name {
        "adequate" => Ok(Metric::Adequate),
        "credibility" => {
            let t = threshold.unwrap_or(DEFAULT_THRESHOLD);
            if !(t.is_finite() && t > 0.0 && t <= 1.0) {
                return Err(Error::Usage("--threshold takes a credibility in (0, 1]".into()));
            }
            Ok(Metric::Credibility(t))
        }
        "deterred" => Err(Error::Usage(
            "metric `deterred` has no per-run outcome: P(deterred) is a function of the mean credibility; \
             discover `credibility` (with --threshold) instead"
                .into(),
        )),
        _ => {
            if let Some(d) = name.strip_prefix("adequate:") {
                if let Some(n) = model.needs.iter().position(|n| n.domain == d) {
                    return Ok(Metric::AdequateNeed(n));
                }
                let needs: Vec<&str> = model.needs.iter().map(|n| n.domain.as_str()).collect();
                return Err(Error::Usage(format!(
                    "no need in domain `{d}`; the scenario's needs: {}",
                    needs.join(", ")
                )));
            }
            Err(Error::Usage(format!("unknown metric `{name}`; metrics: adequate, adequate:DOMAIN, credibility")))
        }
    }
}

/// The model of a discovery: one horizon (the metric's), the spec's parameters.
pub fn model(structure: &Structure, spec: &Spec, request: &Request) -> Result<SimModel, Error> {
    crate::sensitivity::horizon_applies(&request.metric, request.horizon)?;
    let horizon = request.horizon.unwrap_or(DEFAULT_HORIZON);
    if !(horizon.is_finite() && horizon > 0.0) {
        return Err(Error::Usage("--horizon takes a positive number of days".into()));
    }
    let pins = pinned_variants(spec, &request.variants)?;
    structure.parameterise(&spec.params, &[horizon], &pins).map_err(|e| Error::Unservable(e.to_string()))
}

/// The inputs of the runs, by column.
enum Column {
    /// A variant: its index; the option index per run.
    Variant(usize, Vec<String>),
    /// A factor: the will (−F) per run; an uncertain parameter: its value per run.
    Factor(Vec<f64>),
}

/// A ratio Σa / Σb over clusters (parameter points) with its 95 % normal interval from the
/// linearised (ratio-estimator) variance, `C/(C−1) · Σ (a_c − R·b_c)² / (Σb)²`, clamped to [0, 1]:
/// runs at one point share its parameters, so the point is the independent unit. Never narrower
/// than the Wilson interval of Σa in Σb runs: when every point has the same share (every run in a
/// box fails, say) the ratio estimator's variance is 0, and "1473 of 1473" is not certainty.
fn clustered(cells: &[(u64, u64)]) -> Estimate {
    let (a, b): (f64, f64) = cells.iter().fold((0.0, 0.0), |(x, y), &(p, q)| (x + p as f64, y + q as f64));
    if b == 0.0 {
        return Estimate { value: 0.0, low: 0.0, high: 1.0 };
    }
    let r = a / b;
    let c = cells.iter().filter(|(_, q)| *q > 0).count() as f64;
    let ss: f64 = cells.iter().map(|&(p, q)| (p as f64 - r * q as f64).powi(2)).sum();
    let h = if c > 1.0 { 1.959_963_984_540_054 * (c / (c - 1.0) * ss).sqrt() / b } else { 1.0 };
    let runs = wilson(a as u64, b as u64);
    Estimate { value: r, low: (r - h).max(0.0).min(runs.low), high: (r + h).min(1.0).max(runs.high) }
}

/// The parameter points of `--uncertain` (scrambled Sobol' over the uncertain parameters'
/// marginals, keyed by the seed) and the point of each run: run r is at point ⌊r · P / runs⌋.
struct Points {
    values: Vec<Vec<f64>>,
    runs: u64,
}

impl Points {
    fn of(&self, run: u64) -> usize {
        (u128::from(run) * self.values.len() as u128 / u128::from(self.runs)) as usize
    }
    /// The runs of point `p`.
    fn range(&self, p: usize) -> std::ops::Range<u64> {
        let n = self.values.len() as u128;
        let r = u128::from(self.runs);
        let start = |p: u128| (p * r).div_ceil(n) as u64;
        start(p as u128)..start(p as u128 + 1)
    }
}

fn fmt_num(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".into() } else { s }
}

/// Runs the discovery on the current rayon pool.
/// `structure` is the one `model` was parameterised from ([`model`]); with `--uncertain` it is
/// re-parameterised at each parameter point.
pub fn discover(
    structure: &Structure,
    spec: &Spec,
    model: &SimModel,
    request: &Request,
) -> Result<DiscoverReport, Error> {
    discover_cancellable(structure, spec, model, request, None)
}

/// [`discover`] with a cancellation token, read before every chunk of runs (and every
/// parameter point) and before every box: once it is set the work stops and the answer is
/// [`Error::Cancelled`]. Until then the figures are those of [`discover`], bit for bit.
pub fn discover_cancellable(
    structure: &Structure,
    spec: &Spec,
    model: &SimModel,
    request: &Request,
    cancel: Option<&AtomicBool>,
) -> Result<DiscoverReport, Error> {
    let started = std::time::Instant::now();
    crate::sensitivity::horizon_applies(&request.metric, request.horizon)?;
    let metric = metric(model, &request.metric, request.threshold)?;
    let runs = request.runs.unwrap_or(DEFAULT_RUNS);
    if runs < 20 {
        return Err(Error::Usage("--runs must be at least 20 (half are fitted, half held out)".into()));
    }
    if runs > MAX_RUNS {
        return Err(Error::Usage(format!(
            "--runs is at most {MAX_RUNS} for a discovery (every run is kept in memory)"
        )));
    }
    let max_boxes = request.boxes.unwrap_or(DEFAULT_BOXES);
    if max_boxes == 0 {
        return Err(Error::Usage("--boxes must be at least 1".into()));
    }
    let party = |p: usize| spec.parties.get(p).map_or_else(|| format!("party {p}"), |x| x.id.clone());
    // Features: random variants, then loaded factors.
    let random: Vec<usize> =
        (0..model.variants.len()).filter(|&v| model.variants[v].iter().filter(|w| **w > 0.0).count() > 1).collect();
    let mut loaded: Vec<usize> =
        model.pairs.iter().flat_map(|p| p.loadings.iter().filter(|(_, l)| *l != 0.0).map(|(f, _)| *f)).collect();
    loaded.sort_unstable();
    loaded.dedup();
    let mut features = Vec::new();
    for &v in &random {
        let (id, options) = &model.variant_names[v];
        let levels: Vec<String> =
            options.iter().zip(&model.variants[v]).filter(|(_, w)| **w > 0.0).map(|(o, _)| o.clone()).collect();
        features.push(Feature {
            id: format!("variant:{id}"),
            label: format!("variant {id}"),
            kind: "categorical".into(),
            description: format!("the option of variant `{id}` the run chose (by the options' weights)"),
            levels,
        });
    }
    for &f in &loaded {
        let name = &model.factor_names[f];
        let mut who: Vec<usize> = model
            .pairs
            .iter()
            .filter(|p| p.loadings.iter().any(|(g, l)| *g == f && *l != 0.0))
            .map(|p| p.party_index)
            .collect();
        who.sort_unstable();
        who.dedup();
        let (label, description) = match name.strip_prefix("domestic:") {
            Some(p) => (
                format!("{p}'s domestic will"),
                format!(
                    "{p}'s own domestic political will, in standard deviations (minus its domestic factor's draw): \
                     below 0 = weaker than usual, so fewer of {p}'s commitments honoured"
                ),
            ),
            None => {
                let names: Vec<String> = who.iter().map(|&p| party(p)).collect();
                (
                    format!("will on {name}"),
                    format!(
                        "the political will of the parties loading on shared factor `{name}` ({}), in standard deviations \
                         (minus the factor's draw): below 0 = weaker than usual, for all of them at once",
                        names.join(", ")
                    ),
                )
            }
        };
        features.push(Feature {
            id: format!("will:{name}"),
            label,
            kind: "numeric".into(),
            description,
            levels: Vec::new(),
        });
    }
    // Uncertain parameters: the points, their models, a feature each.
    let uncertain = &spec.params.uncertain;
    let points = if request.uncertain {
        if uncertain.is_empty() {
            return Err(Error::Usage(format!(
                "`{}` has no uncertain parameters to discover over: declare some with [[model.uncertain]]",
                model.framework
            )));
        }
        let p = request.points.unwrap_or(DEFAULT_POINTS);
        if p < 4 || p % 2 != 0 {
            return Err(Error::Usage("--points takes an even number of parameter points, at least 4".into()));
        }
        if p > ironclad_analysis::sobol::MAX_SOBOL_POINTS {
            return Err(Error::Usage(format!(
                "--points is at most {} (a Sobol' design)",
                ironclad_analysis::sobol::MAX_SOBOL_POINTS
            )));
        }
        let least = 10 * p as u64;
        if runs < least {
            return Err(Error::Usage(format!(
                "--runs must be at least 10 per parameter point ({least} for {p} points)"
            )));
        }
        let marginals: Vec<_> = uncertain.iter().map(|u| crate::sensitivity::marginal(u, false)).collect();
        let unit = ironclad_analysis::sobol::scrambled_sobol(p, uncertain.len(), request.seed ^ 0x5052_494d_5041_5241)
            .map_err(|e| Error::Unservable(e.to_string()))?;
        let values: Vec<Vec<f64>> =
            unit.iter().map(|u| u.iter().zip(&marginals).map(|(x, m)| m.inverse_cdf(*x)).collect()).collect();
        Some(Points { values, runs })
    } else {
        if request.points.is_some() {
            return Err(Error::Usage("--points applies with --uncertain only".into()));
        }
        None
    };
    if points.is_some() {
        for u in uncertain {
            let (lo, hi) = u.dist.support();
            features.push(Feature {
                id: format!("param:{}", u.name),
                label: u.name.clone(),
                kind: "numeric".into(),
                description: format!(
                    "uncertain parameter `{}` ~ {} ({}), in its own unit, support [{}, {}]: one value per parameter point",
                    u.name,
                    u.dist,
                    u.reason,
                    fmt_num(lo),
                    fmt_num(hi)
                ),
                levels: Vec::new(),
            });
        }
    }
    let inputs = features.len() as u64;
    if runs.saturating_mul(inputs + 1) > MAX_CELLS {
        return Err(Error::Usage(format!(
            "--runs is at most {} for these {inputs} inputs (at most {MAX_CELLS} values, runs × (inputs + 1), are kept in memory)",
            MAX_CELLS / (inputs + 1)
        )));
    }
    // With parameter points, each point's model is built when its runs start and dropped when
    // they end (so at most one per thread is alive, not one per point); it is the same model
    // whenever it is built, so the runs are those of building them all first, bit for bit.
    let pins = pinned_variants(spec, &request.variants)?;
    let variants_pinned = crate::files::pins(spec, &request.variants)?;
    let point_model = |x: &[f64]| -> Result<SimModel, Error> {
        let mut params = spec.params.clone();
        for (u, v) in uncertain.iter().zip(x) {
            u.param.set(&mut params, *v);
        }
        structure.parameterise(&params, &model.horizons, &pins).map_err(|e| Error::Unservable(e.to_string()))
    };
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // The runs: outcome and inputs, in run order (fixed chunks, or the points' blocks, collected
    // in order).
    let h = match metric {
        Metric::Credibility(_) => 1,
        _ => 0,
    };
    let needs = model.needs.len();
    let parties = model.parties;
    let units: Vec<(usize, std::ops::Range<u64>)> = match &points {
        Some(pts) => (0..pts.values.len()).map(|p| (p, pts.range(p))).collect(),
        None => (0..runs.div_ceil(CHUNK_RUNS)).map(|c| (0, c * CHUNK_RUNS..((c + 1) * CHUNK_RUNS).min(runs))).collect(),
    };
    type Rows = (Vec<bool>, Vec<usize>, Vec<f64>);
    let per_chunk: Vec<Rows> = units
        .par_iter()
        .map(|(unit_model, range)| -> Result<Rows, Error> {
            if cancelled() {
                return Err(Error::Cancelled);
            }
            let at_point = match &points {
                Some(pts) => Some(point_model(&pts.values[*unit_model])?),
                None => None,
            };
            let runner = Runner::new(at_point.as_ref().unwrap_or(model));
            let mut d: Draws = runner.draws();
            let mut best = vec![0.0; parties * needs];
            let mut sums = vec![0.0; needs];
            let (mut fail, mut options, mut wills) = (Vec::new(), Vec::new(), Vec::new());
            for run in range.clone() {
                if (run - range.start) % CHUNK_RUNS == CHUNK_RUNS - 1 && cancelled() {
                    return Err(Error::Cancelled);
                }
                runner.draw(request.seed, run, &mut d);
                runner.party_delivery(&d, h, &mut best);
                // Deliveries summed in ascending party order, as a run does.
                sums.iter_mut().for_each(|s| *s = 0.0);
                for p in 0..parties {
                    for (n, s) in sums.iter_mut().enumerate() {
                        *s += best[p * needs + n];
                    }
                }
                let ns = &model.needs;
                let failed = match metric {
                    Metric::Adequate => !sums.iter().zip(ns).all(|(s, n)| *s >= n.required),
                    Metric::AdequateNeed(k) => sums[k] < ns[k].required,
                    Metric::Credibility(t) => {
                        let c = sums.iter().zip(ns).map(|(s, n)| (s / n.required).min(1.0)).sum::<f64>() / needs as f64;
                        c < t
                    }
                };
                fail.push(failed);
                let selection = &model.outcomes[d.combination()].selection;
                options.extend(random.iter().map(|&v| usize::from(selection[v])));
                wills.extend(loaded.iter().map(|&f| -d.factor(f)));
                if let Some(pts) = &points {
                    wills.extend_from_slice(&pts.values[*unit_model]);
                }
            }
            Ok((fail, options, wills))
        })
        .collect::<Result<_, Error>>()?;
    let (nv, nf) = (random.len(), loaded.len() + points.as_ref().map_or(0, |_| uncertain.len()));
    let mut outcome = Vec::with_capacity(runs as usize);
    let mut columns: Vec<Column> = random
        .iter()
        .map(|&v| Column::Variant(v, Vec::new()))
        .chain((0..nf).map(|_| Column::Factor(Vec::new())))
        .collect();
    for (fail, options, wills) in per_chunk {
        for (r, failed) in fail.iter().enumerate() {
            outcome.push(*failed);
            for (k, col) in columns.iter_mut().enumerate() {
                match col {
                    Column::Variant(v, xs) => xs.push(model.variant_names[*v].1[options[r * nv + k]].clone()),
                    Column::Factor(xs) => xs.push(wills[r * nf + (k - nv)]),
                }
            }
        }
    }
    // With parameter points, the halves are the first and the second half of the points.
    let half = match &points {
        Some(pts) => pts.range(pts.values.len() / 2).start as usize,
        None => (runs / 2) as usize,
    };
    let fit_rows: Vec<usize> = (0..half).collect();
    let held_rows: Vec<usize> = (half..runs as usize).collect();
    let total_failures = outcome.iter().filter(|&&x| x).count() as u64;
    let failures_of = |rows: &[usize]| rows.iter().filter(|&&r| outcome[r]).count() as u64;
    let (fit_failures, held_failures) = (failures_of(&fit_rows), failures_of(&held_rows));
    let data = |rows: &[usize]| -> Result<PrimData, Error> {
        let analysis = |e: ironclad_analysis::AnalysisError| Error::Unservable(e.to_string());
        let mut d = PrimData::new(rows.iter().map(|&r| outcome[r]).collect());
        for (col, feature) in columns.iter().zip(&features) {
            d = match col {
                Column::Variant(_, xs) => d
                    .categorical(feature.id.clone(), rows.iter().map(|&r| xs[r].clone()).collect())
                    .map_err(analysis)?,
                Column::Factor(xs) => {
                    d.numeric(feature.id.clone(), rows.iter().map(|&r| xs[r]).collect()).map_err(analysis)?
                }
            };
        }
        Ok(d)
    };
    let label = |id: &str| features.iter().find(|f| f.id == id).map_or(id.to_string(), |f| f.label.clone());
    let restriction_text = |r: &Restriction| -> String {
        match r {
            Restriction::Numeric { name, lower, upper } if name.starts_with("param:") => {
                let l = label(name);
                match (lower, upper) {
                    (Some(a), Some(b)) => format!("{} ≤ {l} ≤ {}", fmt_num(*a), fmt_num(*b)),
                    (Some(a), None) => format!("{l} ≥ {}", fmt_num(*a)),
                    (None, Some(b)) => format!("{l} ≤ {}", fmt_num(*b)),
                    (None, None) => format!("{l} unrestricted"),
                }
            }
            Restriction::Numeric { name, lower, upper } => {
                let l = label(name);
                let side = match (lower, upper) {
                    (Some(a), Some(b)) => format!("{} ≤ {l} ≤ {} sd", fmt_num(*a), fmt_num(*b)),
                    (Some(a), None) => format!("{l} ≥ {} sd", fmt_num(*a)),
                    (None, Some(b)) => format!("{l} ≤ {} sd", fmt_num(*b)),
                    (None, None) => format!("{l} unrestricted"),
                };
                let tone = match (lower, upper) {
                    (None, Some(b)) if *b <= 0.0 => " (weaker than usual)",
                    (Some(a), None) if *a >= 0.0 => " (stronger than usual)",
                    _ => "",
                };
                format!("{side}{tone}")
            }
            Restriction::Categorical { name, levels } => {
                let l = label(name);
                if let [one] = levels.as_slice() {
                    format!("{l} is {one}")
                } else {
                    format!("{l} is one of {}", levels.join(", "))
                }
            }
        }
    };
    let describe = |rs: &[Restriction]| -> String {
        if rs.is_empty() {
            "all runs".into()
        } else {
            rs.iter().map(&restriction_text).collect::<Vec<_>>().join(" AND ")
        }
    };
    // Per parameter point: (failures in the box, runs in the box, failures of the half).
    let cells = |rows: &[usize], inside: &[bool], half: &[usize]| -> Vec<[u64; 3]> {
        let pts = points.as_ref().expect("cells are counted with points only");
        let mut c = vec![[0u64; 3]; pts.values.len()];
        for (&r, &i) in rows.iter().zip(inside) {
            if i {
                let p = pts.of(r as u64);
                c[p][1] += 1;
                c[p][0] += u64::from(outcome[r]);
            }
        }
        for &r in half {
            c[pts.of(r as u64)][2] += u64::from(outcome[r]);
        }
        c
    };
    // `left`: the runs and failures outside the earlier boxes, the population the box is taken
    // from; `cells`: the per-point counts (with points), for clustered intervals.
    let figures = |runs: u64, failures: u64, left: (usize, usize), n: u64, t: u64, cells: Option<Vec<[u64; 3]>>| {
        let (density, coverage) = match &cells {
            Some(c) => (
                clustered(&c.iter().map(|x| (x[0], x[1])).collect::<Vec<_>>()),
                clustered(&c.iter().map(|x| (x[0], x[2])).collect::<Vec<_>>()),
            ),
            None => (wilson(t, n), wilson(t, failures)),
        };
        let rate = if left.0 == 0 { 0.0 } else { left.1 as f64 / left.0 as f64 };
        BoxFigures {
            runs,
            failures,
            runs_in_box: n,
            failures_in_box: t,
            coverage,
            density,
            support: if runs == 0 { 0.0 } else { n as f64 / runs as f64 },
            lift: if rate > 0.0 { density.value / rate } else { 0.0 },
        }
    };
    let options = PrimOptions::default();
    let mut boxes = Vec::new();
    let mut note = None;
    let (mut fit_left, mut held_left) = (fit_rows.clone(), held_rows.clone());
    let analysis = |e: ironclad_analysis::AnalysisError| Error::Unservable(e.to_string());
    if fit_failures == 0 {
        note = Some("no fitted run fails: there is nothing to discover".into());
    } else if fit_failures == fit_rows.len() as u64 {
        note = Some("every fitted run fails: no condition separates failures from successes".into());
    }
    while note.is_none() && boxes.len() < max_boxes {
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let left_failures = fit_left.iter().filter(|&&r| outcome[r]).count();
        if left_failures < MIN_FAILURES {
            note = Some(format!(
                "{left_failures} fitted failures are left outside the boxes (fewer than {MIN_FAILURES}): no further box"
            ));
            break;
        }
        if left_failures == fit_left.len() {
            note = Some("every fitted run left outside the boxes fails: no further box".into());
            break;
        }
        let fit_data = data(&fit_left)?;
        let res = prim(&fit_data, &options).map_err(analysis)?;
        let chosen = &res.chosen;
        if chosen.restrictions.is_empty() || chosen.density <= res.base_density {
            note = Some(if boxes.is_empty() {
                "PRIM found no box denser in failures than all runs: the failures are spread evenly over the inputs"
                    .into()
            } else {
                "PRIM found no further box denser in failures than the runs left outside the boxes".into()
            });
            break;
        }
        let held_data = data(&held_left)?;
        let (hn, ht) = box_counts(&held_data, &chosen.restrictions).map_err(analysis)?;
        let (fit_cells, held_cells) = if points.is_some() {
            let fit_in = box_membership(&fit_data, &chosen.restrictions).map_err(analysis)?;
            let held_in = box_membership(&held_data, &chosen.restrictions).map_err(analysis)?;
            (Some(cells(&fit_left, &fit_in, &fit_rows)), Some(cells(&held_left, &held_in, &held_rows)))
        } else {
            (None, None)
        };
        let trajectory = res
            .trajectory
            .iter()
            .enumerate()
            .map(|(step, b)| PeelStep {
                step,
                runs_in_box: b.rows as u64,
                failures_in_box: b.cases as u64,
                coverage: b.cases as f64 / fit_failures as f64,
                density: b.density,
                restricted: b.restrictions.len(),
                description: describe(&b.restrictions),
            })
            .collect();
        let restrictions = chosen
            .restrictions
            .iter()
            .zip(&chosen.quasi_p)
            .map(|(r, &p)| {
                let (lower, upper, levels) = match r {
                    Restriction::Numeric { lower, upper, .. } => (*lower, *upper, Vec::new()),
                    Restriction::Categorical { levels, .. } => (None, None, levels.clone()),
                };
                BoxRestriction {
                    feature: r.name().to_string(),
                    text: restriction_text(r),
                    lower,
                    upper,
                    levels,
                    quasi_p: p,
                }
            })
            .collect();
        boxes.push(FailureBox {
            rank: boxes.len() + 1,
            description: describe(&chosen.restrictions),
            restrictions,
            fit: figures(
                fit_rows.len() as u64,
                fit_failures,
                (fit_left.len(), left_failures),
                chosen.rows as u64,
                chosen.cases as u64,
                fit_cells,
            ),
            held_out: figures(
                held_rows.len() as u64,
                held_failures,
                (held_left.len(), held_left.iter().filter(|&&r| outcome[r]).count()),
                hn as u64,
                ht as u64,
                held_cells,
            ),
            trajectory,
            chosen_step: res.chosen_step,
        });
        // Covering: the next box is looked for among the runs outside this one.
        let outside = |rows: &[usize], d: &PrimData| -> Result<Vec<usize>, Error> {
            let inside = box_membership(d, &chosen.restrictions).map_err(analysis)?;
            Ok(rows.iter().zip(inside).filter(|(_, i)| !i).map(|(&r, _)| r).collect())
        };
        fit_left = outside(&fit_left, &fit_data)?;
        held_left = outside(&held_left, &held_data)?;
    }
    let (failure, horizon_days, threshold) = match metric {
        Metric::Adequate => (
            format!("the response is not adequate in every need at {} days", crate::shown(model.horizons[0])),
            model.horizons[0],
            None,
        ),
        Metric::AdequateNeed(k) => (
            format!(
                "the response is not adequate in {} at {} days",
                model.needs[k].domain,
                crate::shown(model.horizons[0])
            ),
            model.horizons[0],
            None,
        ),
        Metric::Credibility(t) => (
            format!(
                "credibility (mean adequacy over needs at the deterrence horizon, {} days) is below {t}",
                model.deterrence.horizon
            ),
            model.deterrence.horizon,
            Some(t),
        ),
    };
    Ok(DiscoverReport {
        schema_version: crate::SCHEMA_VERSION,
        framework: model.framework.clone(),
        scenario: model.scenario.clone(),
        metric: request.metric.clone(),
        failure,
        horizon_days,
        threshold,
        seed: request.seed,
        variants_pinned,
        runs,
        fit_runs: fit_rows.len() as u64,
        held_out_runs: held_rows.len() as u64,
        failure_rate: match &points {
            Some(pts) => clustered(
                &(0..pts.values.len())
                    .map(|p| {
                        let r = pts.range(p);
                        let f = r.clone().filter(|&x| outcome[x as usize]).count() as u64;
                        (f, r.end - r.start)
                    })
                    .collect::<Vec<_>>(),
            ),
            None => wilson(total_failures, runs),
        },
        fit_failures,
        held_out_failures: held_failures,
        features,
        method: format!(
            "PRIM (Friedman & Fisher 1999): peel α = {} of the box's runs (or one option) at a time down to a support of {}; \
             the box of largest coverage ≥ {} whose density is within 1.96 standard errors of the densest, pasted, \
             restrictions with quasi-p > {} dropped; covering: up to {max_boxes} boxes, each among the runs outside the earlier ones",
            options.alpha,
            options.min_support,
            options.min_coverage,
            options.prune_p.unwrap_or(1.0)
        ),
        interval: match &points {
            Some(pts) => format!(
                "95 % normal intervals clustered by parameter point ({} points: runs at one point share its parameters, so \
                 the point is the independent unit; ratio-estimator variance): density over the runs in the box, coverage \
                 over the failing runs of the half",
                pts.values.len()
            ),
            None => "95 % Wilson intervals with the run as the independent unit: density over the runs in the box, \
                     coverage over the failing runs of the half"
                .into(),
        },
        validation: match &points {
            Some(pts) => format!(
                "fitted on the runs of parameter points 0..{p2} (runs 0..{half}), counted again on the held-out points \
                 {p2}..{p} (runs {half}..{runs}); the fitted density is biased upward (the box was chosen on those runs), \
                 the held-out one is not",
                p2 = pts.values.len() / 2,
                p = pts.values.len()
            ),
            None => format!(
                "fitted on runs 0..{half}, counted again on the held-out runs {half}..{runs}; the fitted density is biased \
                 upward (the box was chosen on those runs), the held-out one is not"
            ),
        },
        points: points.as_ref().map_or(0, |p| p.values.len()),
        boxes,
        note,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::clustered;

    /// Audit 12 (analyses F4): every run of every point in the box fails; the ratio estimator's
    /// variance is 0, but the interval is the Wilson one over the runs, not [1, 1].
    #[test]
    fn a_clustered_interval_is_never_narrower_than_wilson_over_runs() {
        let cells: Vec<(u64, u64)> = (0..8).map(|_| (184, 184)).collect();
        let e = clustered(&cells);
        let w = ironclad_sim::stats::wilson(8 * 184, 8 * 184);
        assert_eq!(e.value, 1.0);
        assert!(e.low <= w.low && w.low < 1.0, "{e:?} vs Wilson {w:?}");
        assert_eq!(e.high, 1.0);
        // Points that differ keep their wider clustered interval.
        let e = clustered(&[(0, 100), (100, 100), (0, 100), (100, 100)]);
        let w = ironclad_sim::stats::wilson(200, 400);
        assert!(e.high - e.low > w.high - w.low, "{e:?} vs Wilson {w:?}");
    }
}
