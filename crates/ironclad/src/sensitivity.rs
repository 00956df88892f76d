//! `sensitivity`: which uncertain assumption moves a metric of the simulation most —
//! variance-based Sobol' indices (Saltelli et al. 2010) or Morris screening (Morris 1991) over
//! the spec's uncertain parameters (`[[model.uncertain]]` and the library defaults;
//! `docs/analysis.md`).
//!
//! The simulation is the function `f(x)`: at a point `x` of the uncertain parameters the shared
//! [`Structure`] is re-parameterised (no replay) and `R` runs are drawn with the **same seed** at
//! every point, so every point sees the same random numbers (common random numbers: the
//! differences between points are due to the parameters, not to fresh noise). `f(x)` is the
//! metric's estimate from those runs. The indices are those of this `f`: with `R` runs the
//! inner Monte Carlo error adds a small non-parametric component, common to all points.

use std::sync::atomic::{AtomicBool, Ordering};

use ironclad_analysis::marginal::Marginal;
use ironclad_analysis::morris::MorrisDesign;
use ironclad_analysis::sobol::{SaltelliDesign, Sampling, SobolOptions};
use ironclad_sim::stats::Estimate;
use ironclad_sim::{Acc, Participation, Runner, SimModel, Structure, summarise};
use ironclad_spec::Spec;
use ironclad_spec::params::ModelParams;
use ironclad_spec::uncertain::{Distribution, Uncertain};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;
use crate::files::pinned_variants;

/// Default rows `N` of the Saltelli design (a power of two).
pub const DEFAULT_SOBOL_SAMPLES: usize = 256;
/// Default Morris trajectories.
pub const DEFAULT_MORRIS_TRAJECTORIES: usize = 20;
/// Most Morris trajectories (`--samples`), as many as the rows of the largest Saltelli design:
/// the design, (k + 1) points of k parameters each per trajectory, is held in memory.
pub const MAX_MORRIS_TRAJECTORIES: usize = ironclad_analysis::sobol::MAX_SOBOL_POINTS;
/// Levels of the Morris grid.
pub const MORRIS_LEVELS: usize = 4;
/// Default runs per point.
pub const DEFAULT_RUNS: u64 = 1000;
/// Bootstrap replicates of the Sobol' intervals.
pub const BOOTSTRAP: usize = 1000;
/// Default horizon of the `adequate` metrics, days.
pub const DEFAULT_HORIZON: f64 = 30.0;
/// Quantiles a Morris grid's end levels map to for a log-normal (its 0 and 1 are infinite).
const MORRIS_TAIL: f64 = 0.01;

/// The method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sobol,
    Morris,
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Rows `N` of the Saltelli design, or Morris trajectories.
    pub samples: Option<usize>,
    /// Runs per point.
    pub runs: Option<u64>,
    /// `adequate`, `adequate:DOMAIN`, `credibility` or `deterred`.
    pub metric: String,
    pub horizon: Option<f64>,
    pub seed: u64,
    pub variants: Vec<String>,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            method: Method::Sobol,
            samples: None,
            runs: None,
            metric: "adequate".into(),
            horizon: None,
            seed: 1,
            variants: Vec::new(),
        }
    }
}

/// The metric of a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    Adequate,
    AdequateNeed(usize),
    Credibility,
    Deterred,
}

/// Sensitivity of a metric to the uncertain parameters.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SensitivityReport {
    pub schema_version: u32,
    pub framework: String,
    pub scenario: String,
    /// The metric as asked (`adequate`, `adequate:air`, `credibility`, `deterred`).
    pub metric: String,
    /// What the metric is, with its unit.
    pub metric_text: String,
    pub horizon_days: f64,
    pub seed: u64,
    /// The variants pinned to one option (`--variant`), in the spec's order; the others are
    /// drawn in each run by their weights.
    pub variants_pinned: Vec<crate::files::Pin>,
    /// `sobol` or `morris`.
    pub method: String,
    /// The design, in words.
    pub design: String,
    /// How the intervals were computed, with their independent unit.
    pub interval: String,
    /// Rows `N` of the Saltelli design, or Morris trajectories `r`.
    pub samples: usize,
    /// Points of the design at which the simulation ran.
    pub points: usize,
    /// Runs per point (the same runs, seed `seed`, at every point).
    pub runs_per_point: u64,
    /// The metric at the nominal parameters (what `simulate` reports), on the same runs.
    pub nominal: f64,
    /// Mean and variance of the metric over the design's `A` and `B` points (Sobol' only).
    pub output_mean: Option<f64>,
    pub output_variance: Option<f64>,
    /// One row per uncertain parameter, in the spec's order (declared, then library defaults).
    pub parameters: Vec<SensitivityRow>,
    /// Widest 95 % half-width over the first-order and total indices (Sobol'), or over μ* (Morris).
    pub widest_half_width: f64,
    /// Wall-clock seconds, when it ran here (not for merged shards); not part of the JSON.
    #[serde(skip)]
    #[schemars(skip)]
    pub seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SensitivityRow {
    /// The parameter, as written in a spec (`honour.treaty`, `factor.us-policy`).
    pub param: String,
    /// Its distribution.
    pub distribution: String,
    /// Its nominal value.
    pub nominal: f64,
    /// Whether it is a library default rather than declared by the spec.
    pub default: bool,
    /// The reason given, or the default's source.
    pub reason: String,
    /// First-order Sobol' index S_i, 95 % bootstrap interval over design rows (Sobol').
    pub first_order: Option<Estimate>,
    /// Total Sobol' index S_Ti, 95 % bootstrap interval over design rows (Sobol').
    pub total: Option<Estimate>,
    /// Morris μ*: mean |elementary effect| per unit of the parameter's quantile, 95 %
    /// Student-t interval over trajectories (Morris).
    pub mu_star: Option<Estimate>,
    /// Morris μ: mean elementary effect (its sign is the direction).
    pub mu: Option<f64>,
    /// Morris σ: standard deviation of the elementary effects (non-linearity, interactions).
    pub sigma: Option<f64>,
}

/// Parses a metric name against the model's needs.
pub fn metric(model: &SimModel, name: &str) -> Result<Metric, Error> {
    match name {
        "adequate" => Ok(Metric::Adequate),
        "credibility" => Ok(Metric::Credibility),
        "deterred" => Ok(Metric::Deterred),
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
            Err(Error::Usage(format!(
                "unknown metric `{name}`; metrics: adequate, adequate:DOMAIN, credibility, deterred"
            )))
        }
    }
}

/// `--horizon` is for the adequate and delivered metrics: `credibility` and `deterred` are read
/// at the deterrence horizon, so a horizon given with them is refused (as `--threshold` is
/// where it does not apply), not silently ignored.
pub(crate) fn horizon_applies(metric: &str, horizon: Option<f64>) -> Result<(), Error> {
    if horizon.is_some() && matches!(metric, "credibility" | "deterred") {
        return Err(Error::Usage(format!(
            "--horizon applies to the adequate and delivered metrics only; `{metric}` is read at the deterrence horizon"
        )));
    }
    Ok(())
}

fn horizon(request: &Request) -> Result<f64, Error> {
    horizon_applies(&request.metric, request.horizon)?;
    let h = request.horizon.unwrap_or(DEFAULT_HORIZON);
    if !(h.is_finite() && h > 0.0) {
        return Err(Error::Usage("--horizon takes a positive number of days".into()));
    }
    Ok(h)
}

/// The marginal of an uncertain parameter, for Sobol' (`morris = false`) or a Morris grid
/// (whose end levels a log-normal maps to its 1st and 99th percentiles).
pub(crate) fn marginal(u: &Uncertain, morris: bool) -> Marginal {
    match u.dist {
        Distribution::Uniform { low, high } => Marginal::Uniform { lo: low, hi: high },
        Distribution::Triangular { low, mode, high } => Marginal::Triangular { lo: low, mode, hi: high },
        Distribution::Beta { alpha, beta, low, high } => Marginal::Beta { alpha, beta, lo: low, hi: high },
        Distribution::LogNormal { median, spread } if !morris => Marginal::LogNormal { mu: median.ln(), sigma: spread },
        Distribution::LogNormal { median, spread } => {
            let normal = statrs::distribution::Normal::standard();
            Marginal::Quantile {
                name: format!("LogNormal(median {median}, spread {spread}) between its 1st and 99th percentiles"),
                f: std::sync::Arc::new(move |u: f64| {
                    use statrs::distribution::ContinuousCDF;
                    let q = MORRIS_TAIL + u.clamp(0.0, 1.0) * (1.0 - 2.0 * MORRIS_TAIL);
                    median * (spread * normal.inverse_cdf(q)).exp()
                }),
            }
        }
    }
}

/// The simulation at parameter points: re-parameterises the structure and runs the same runs.
struct Evaluator<'a> {
    structure: &'a Structure,
    base: &'a ModelParams,
    uncertain: &'a [Uncertain],
    horizon: f64,
    pins: Vec<Option<u16>>,
    metric: Metric,
    runs: u64,
    seed: u64,
    /// Read before every point and every chunk of runs.
    cancel: Option<&'a AtomicBool>,
}

impl Evaluator<'_> {
    fn model(&self, x: Option<&[f64]>) -> Result<SimModel, Error> {
        let mut params = self.base.clone();
        if let Some(x) = x {
            for (u, v) in self.uncertain.iter().zip(x) {
                u.param.set(&mut params, *v);
            }
        }
        self.structure.parameterise(&params, &[self.horizon], &self.pins).map_err(|e| Error::Unservable(e.to_string()))
    }

    /// The metric at `x` (the nominal parameters for `None`), from `runs` runs on one thread.
    fn at(&self, x: Option<&[f64]>) -> Result<f64, Error> {
        let cancelled = || self.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let model = self.model(x)?;
        let runner = Runner::new(&model);
        let all = Participation::all(&model);
        let mut acc = Acc::new(&model);
        for chunk in 0..self.runs.div_ceil(ironclad_sim::CHUNK) {
            if cancelled() {
                return Err(Error::Cancelled);
            }
            runner.chunk(self.seed, chunk, self.runs, &all, &mut acc, None);
        }
        let s = summarise(&model, &acc, self.seed);
        Ok(match self.metric {
            Metric::Adequate => s.adequate[0].value,
            Metric::AdequateNeed(n) => s.adequate_by_need[0][n].value,
            Metric::Credibility => s.credibility.value,
            Metric::Deterred => s.deterred.value,
        })
    }

    /// The metric at the evaluations `range` of `points` (evaluation 0 is the nominal
    /// parameters, evaluation `k > 0` design point `k − 1`), in order, in parallel: each on one
    /// thread, so the values depend on neither the thread count nor the range.
    fn values(&self, points: &[Vec<f64>], range: std::ops::Range<u64>) -> Result<Vec<f64>, Error> {
        (range.start as usize..range.end as usize)
            .into_par_iter()
            .map(|k| if k == 0 { self.at(None) } else { self.at(Some(&points[k - 1])) })
            .collect()
    }
}

/// The design of an analysis.
enum Design {
    Sobol(SaltelliDesign),
    Morris(MorrisDesign),
}

/// An analysis ready to evaluate: its inputs checked, its design drawn.
struct Prepared<'a> {
    eval: Evaluator<'a>,
    spec: &'a Spec,
    request: &'a Request,
    nominal_model: SimModel,
    design: Design,
    points: Vec<Vec<f64>>,
}

impl Prepared<'_> {
    /// Evaluations: the nominal parameters, then every design point.
    fn evaluations(&self) -> u64 {
        1 + self.points.len() as u64
    }
}

fn prepare<'a>(
    structure: &'a Structure,
    spec: &'a Spec,
    request: &'a Request,
    cancel: Option<&'a AtomicBool>,
) -> Result<Prepared<'a>, Error> {
    let uncertain = &spec.params.uncertain;
    if uncertain.is_empty() {
        return Err(Error::Unservable(format!(
            "`{}` has no uncertain parameters: declare some with [[model.uncertain]] or drop `uncertain_defaults = false`",
            spec.framework.id
        )));
    }
    let horizon = horizon(request)?;
    let runs = request.runs.unwrap_or(DEFAULT_RUNS);
    if runs == 0 {
        return Err(Error::Usage("--runs must be at least 1".into()));
    }
    let pins = pinned_variants(spec, &request.variants)?;
    let nominal_model =
        structure.parameterise(&spec.params, &[horizon], &pins).map_err(|e| Error::Unservable(e.to_string()))?;
    let metric = metric(&nominal_model, &request.metric)?;
    let eval =
        Evaluator { structure, base: &spec.params, uncertain, horizon, pins, metric, runs, seed: request.seed, cancel };
    let analysis = |e: ironclad_analysis::AnalysisError| Error::Unservable(e.to_string());
    let (design, points) = match request.method {
        Method::Sobol => {
            let n = request.samples.unwrap_or(DEFAULT_SOBOL_SAMPLES);
            if n < 2 {
                return Err(Error::Usage("--samples must be at least 2 rows of the Saltelli design".into()));
            }
            if n > ironclad_analysis::sobol::MAX_SOBOL_POINTS {
                return Err(Error::Usage(format!(
                    "--samples is at most {} for the Sobol' sequence",
                    ironclad_analysis::sobol::MAX_SOBOL_POINTS
                )));
            }
            let marginals: Vec<Marginal> = uncertain.iter().map(|u| marginal(u, false)).collect();
            let plan = SaltelliDesign::new(&marginals, n, Sampling::ScrambledSobol, request.seed).map_err(analysis)?;
            let points = plan.points();
            (Design::Sobol(plan), points)
        }
        Method::Morris => {
            let r = request.samples.unwrap_or(DEFAULT_MORRIS_TRAJECTORIES);
            if r < 2 {
                return Err(Error::Usage("--samples must be at least 2 Morris trajectories".into()));
            }
            if r > MAX_MORRIS_TRAJECTORIES {
                return Err(Error::Usage(format!(
                    "--samples is at most {MAX_MORRIS_TRAJECTORIES} Morris trajectories"
                )));
            }
            let marginals: Vec<Marginal> = uncertain.iter().map(|u| marginal(u, true)).collect();
            let plan = MorrisDesign::new(&marginals, r, MORRIS_LEVELS, request.seed).map_err(analysis)?;
            let points = plan.points.clone();
            (Design::Morris(plan), points)
        }
    };
    Ok(Prepared { eval, spec, request, nominal_model, design, points })
}

/// Runs the analysis on the current rayon pool.
pub fn sensitivity(structure: &Structure, spec: &Spec, request: &Request) -> Result<SensitivityReport, Error> {
    sensitivity_cancellable(structure, spec, request, None)
}

/// [`sensitivity`] with a cancellation token, read before every design point and every chunk
/// of its runs: once it is set the work stops and the answer is [`Error::Cancelled`]. Until then
/// the figures are those of [`sensitivity`], bit for bit.
pub fn sensitivity_cancellable(
    structure: &Structure,
    spec: &Spec,
    request: &Request,
    cancel: Option<&AtomicBool>,
) -> Result<SensitivityReport, Error> {
    let started = std::time::Instant::now();
    let prepared = prepare(structure, spec, request, cancel)?;
    let y = prepared.eval.values(&prepared.points, 0..prepared.evaluations())?;
    report(prepared, &y, Some(started.elapsed().as_secs_f64()))
}

/// The evaluations a sharded analysis splits: the nominal parameters and every design point.
pub fn evaluations(structure: &Structure, spec: &Spec, request: &Request) -> Result<u64, Error> {
    prepare(structure, spec, request, None).map(|p| p.evaluations())
}

/// A shard's part: the metric at the evaluations `range` (of [`evaluations`]), on the current
/// rayon pool. Each value is the one the whole analysis computes there, bit for bit.
pub fn partial(
    structure: &Structure,
    spec: &Spec,
    request: &Request,
    range: std::ops::Range<u64>,
) -> Result<Vec<f64>, Error> {
    let prepared = prepare(structure, spec, request, None)?;
    if range.start > range.end || range.end > prepared.evaluations() {
        return Err(Error::Usage(format!("evaluations {range:?} are not among the {}", prepared.evaluations())));
    }
    prepared.eval.values(&prepared.points, range)
}

/// The report from every evaluation's value (the shards' parts, in order): the unsharded
/// report, with no wall-clock time.
pub fn merged(structure: &Structure, spec: &Spec, request: &Request, y: &[f64]) -> Result<SensitivityReport, Error> {
    let prepared = prepare(structure, spec, request, None)?;
    if y.len() as u64 != prepared.evaluations() {
        return Err(Error::Unservable(format!(
            "{} values for an analysis of {} evaluations",
            y.len(),
            prepared.evaluations()
        )));
    }
    report(prepared, y, None)
}

/// The report from the values of every evaluation (`y[0]` the nominal parameters').
fn report(prepared: Prepared<'_>, y: &[f64], seconds: Option<f64>) -> Result<SensitivityReport, Error> {
    let Prepared { eval, spec, request, nominal_model, design: drawn, points: _ } = prepared;
    let (uncertain, horizon, metric, runs) = (eval.uncertain, eval.horizon, eval.metric, eval.runs);
    let nominal = y[0];
    let y = &y[1..];
    let d = uncertain.len();
    let mut rows: Vec<SensitivityRow> = uncertain
        .iter()
        .map(|u| SensitivityRow {
            param: u.name.clone(),
            distribution: u.dist.to_string(),
            nominal: u.param.get(&spec.params),
            default: u.default,
            reason: u.reason.clone(),
            first_order: None,
            total: None,
            mu_star: None,
            mu: None,
            sigma: None,
        })
        .collect();
    let analysis = |e: ironclad_analysis::AnalysisError| Error::Unservable(e.to_string());
    let (samples, points, design, interval, mean, variance, widest);
    match drawn {
        Design::Sobol(plan) => {
            let n = plan.n;
            let options = SobolOptions { bootstrap: BOOTSTRAP, seed: request.seed };
            let idx = plan.analyze(y, &options).map_err(|e| match e {
                ironclad_analysis::AnalysisError::Degenerate { .. } => Error::Unservable(format!(
                    "the metric does not vary over the uncertain parameters ({} at every point of the design): its indices are undefined",
                    y.first().copied().unwrap_or(nominal)
                )),
                e => analysis(e),
            })?;
            let est = |v: f64, ci: Option<ironclad_analysis::stats::Interval>| {
                let (low, high) = ci.map_or((v, v), |c| (c.lo, c.hi));
                Estimate { value: v, low, high }
            };
            for (i, row) in rows.iter_mut().enumerate() {
                row.first_order = Some(est(idx.first_order[i], idx.first_order_ci[i]));
                row.total = Some(est(idx.total[i], idx.total_ci[i]));
            }
            samples = n;
            points = plan.len();
            design = format!(
                "Saltelli: A, B and the {d} matrices AB_i, {n} rows each ({} points), from an Owen-scrambled Sobol' sequence in {} dimensions mapped through the marginals",
                plan.len(),
                2 * d
            );
            interval = format!(
                "95 % percentile bootstrap over the {n} design rows ({} replicates; a row is the independent unit); S_i by Saltelli et al. (2010), S_Ti by Jansen (1999)",
                idx.bootstrap
            );
            mean = Some(idx.mean);
            variance = Some(idx.variance);
            widest = idx.max_half_width().unwrap_or(0.0);
        }
        Design::Morris(plan) => {
            let r = plan.r;
            let idx = plan.analyze(y).map_err(analysis)?;
            for (i, row) in rows.iter_mut().enumerate() {
                let (m, h) = (idx.mu_star[i], idx.mu_star_half_width[i]);
                // μ*, a mean of absolute values, is ≥ 0: the interval stops there.
                row.mu_star = Some(Estimate { value: m, low: (m - h).max(0.0), high: m + h });
                row.mu = Some(idx.mu[i]);
                row.sigma = Some(idx.sigma[i]);
            }
            samples = r;
            points = plan.points.len();
            design = format!(
                "Morris: {r} trajectories of {} points on a {MORRIS_LEVELS}-level grid, step Δ = {:.3} of the quantile (log-normals between their 1st and 99th percentiles)",
                d + 1,
                plan.delta
            );
            interval = format!(
                "μ*: 95 % Student-t interval over the {r} trajectories (the independent unit), cut at 0 (μ* ≥ 0)"
            );
            mean = None;
            variance = None;
            widest = idx.mu_star_half_width.iter().copied().fold(0.0, f64::max);
        }
    }
    let model = &nominal_model;
    let metric_text = match metric {
        Metric::Adequate => {
            format!("P(adequate response in every need at {} days): a probability", crate::shown(horizon))
        }
        Metric::AdequateNeed(k) => {
            format!(
                "P(adequate response in {} at {} days): a probability",
                model.needs[k].domain,
                crate::shown(horizon)
            )
        }
        Metric::Credibility => "credibility: mean adequacy over needs at the deterrence horizon, in [0, 1]".into(),
        Metric::Deterred => "P(deterred) = Φ((cost · credibility − gain) / noise): a probability".into(),
    };
    Ok(SensitivityReport {
        schema_version: crate::SCHEMA_VERSION,
        framework: model.framework.clone(),
        scenario: model.scenario.clone(),
        metric: request.metric.clone(),
        metric_text,
        horizon_days: match metric {
            Metric::Credibility | Metric::Deterred => model.deterrence.horizon,
            _ => horizon,
        },
        seed: request.seed,
        variants_pinned: crate::files::pins(spec, &request.variants)?,
        method: match request.method {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
        .into(),
        design,
        interval,
        samples,
        points,
        runs_per_point: runs,
        nominal,
        output_mean: mean,
        output_variance: variance,
        parameters: rows,
        widest_half_width: widest,
        seconds,
    })
}
