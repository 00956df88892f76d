//! `compare`: the same metrics for several frameworks on the same attacks with the same random
//! numbers, the paired difference of each against the first framework, and each framework's
//! pivotal clause.
//!
//! - **One scenario, every framework.** A scenario's `framework` is advisory here: its names
//!   are resolved against each framework ([`lower_scenario_across`]); a framework that lacks a
//!   party, region, body or commitment the scenario names gets a `not_covered` row saying
//!   which, not an error. An organisation (`#tag`) that no party of a framework carries is
//!   not a gap: no clause can read it, so the row is `ok` and its `reason` says so.
//! - **Common random numbers.** Every framework's run `r` is drawn from the addresses (seed,
//!   r, purpose, index), so the same seed gives the same draws per run. The difference between
//!   a framework and the reference is computed **per run** and its 95 % interval is
//!   mean ± 1.96·sd/√runs over runs (the independent unit): when the two figures move together
//!   across runs (a counterfactual of the same framework), it is narrower than either figure's.
//! - **Pivotal clause.** For each framework, every commitment with obliged pairs is left out in
//!   turn ([`Participation`]: its pairs stay obliged but do not act) and the headline metric —
//!   P(adequate response in every need) at the headline horizon — re-scored on the same draws;
//!   the pivotal clause is the one whose removal changes it most (paired interval per run).
//!
//! Runs are processed in chunks of [`CHUNK`] runs in parallel and their sums folded in chunk
//! order, so a seed gives bit-identical results whatever the threads.

use std::sync::atomic::{AtomicBool, Ordering};

use ironclad_analysis::stats::constant_sample;
use ironclad_sim::stats::{Estimate, mean_f64, wilson};
use ironclad_sim::{Acc, CHUNK, Participation, Record, Runner, SimModel, Structure};
use ironclad_spec::Spec;
use ironclad_spec::scenario::{Scenario, lower_scenario_across};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use crate::Error;

/// Default runs.
pub const DEFAULT_RUNS: u64 = 20_000;
/// Most runs (the per-run sums are kept in f64, exact for counts far beyond this).
pub const MAX_RUNS: u64 = 1 << 32;
/// The headline horizon when the horizons include it, in days; otherwise the last horizon.
pub const HEADLINE_HORIZON: f64 = 30.0;
const Z95: f64 = 1.959_963_984_540_054;

/// What to compare.
#[derive(Debug, Clone)]
pub struct Request {
    pub runs: Option<u64>,
    pub seed: u64,
    /// Horizons in days; empty: [`crate::simulate::DEFAULT_HORIZONS`].
    pub horizons: Vec<f64>,
    /// The headline metric, which the pivotal clauses are judged on: `adequate` (default; every
    /// need), `adequate:DOMAIN`, `credibility` or `deterred`; the `adequate` ones at
    /// [`HEADLINE_HORIZON`] days (or the last horizon, when 30 is not among them).
    pub metric: Option<String>,
}

impl Default for Request {
    fn default() -> Request {
        Request { runs: None, seed: 1, horizons: Vec::new(), metric: None }
    }
}

/// The headline metric of a comparison.
#[derive(Debug, Clone, PartialEq)]
enum Headline {
    Adequate,
    AdequateNeed(String),
    Credibility,
    Deterred,
}

impl Headline {
    fn parse(name: &str) -> Result<Headline, Error> {
        match name {
            "adequate" => Ok(Headline::Adequate),
            "credibility" => Ok(Headline::Credibility),
            "deterred" => Ok(Headline::Deterred),
            _ => match name.strip_prefix("adequate:") {
                Some(d) if !d.is_empty() => Ok(Headline::AdequateNeed(d.to_string())),
                _ => Err(Error::Usage(format!(
                    "unknown metric `{name}`; metrics: adequate, adequate:DOMAIN, credibility, deterred"
                ))),
            },
        }
    }
}

/// One framework to compare: a label (its id, or its id with the overlays applied) and its spec.
#[derive(Debug, Clone)]
pub struct Framework {
    pub label: String,
    pub spec: Spec,
    /// A note for its rows, e.g. that the overlay that made it changes nothing
    /// ([`crate::overlay::apply_to`]).
    pub note: Option<String>,
}

impl Framework {
    /// A framework as written: labelled with its id, without a note.
    pub fn new(spec: Spec) -> Framework {
        Framework { label: spec.framework.id.clone(), spec, note: None }
    }
}

/// One scenario: its file name and text.
#[derive(Debug, Clone)]
pub struct ScenarioText {
    pub name: String,
    pub text: String,
}

/// The comparison.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CompareReport {
    pub schema_version: u32,
    pub seed: u64,
    pub runs: u64,
    pub horizons: Vec<f64>,
    /// The horizon of the headline metric (and of the pivotal clauses), in days.
    pub headline_horizon: f64,
    /// The headline metric the pivotal clauses are judged on (`--metric`), as asked.
    pub headline_metric: String,
    /// The headline metric in words, with its horizon.
    pub headline_text: String,
    /// The framework every difference is taken against: the first one given.
    pub reference: String,
    /// How differences are computed.
    pub interval: String,
    pub scenarios: Vec<ScenarioComparison>,
}

/// All frameworks on one scenario.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScenarioComparison {
    /// The scenario file.
    pub scenario: String,
    /// The scenario's id.
    pub id: String,
    /// The framework the scenario names (advisory; empty when it names none).
    pub written_for: String,
    pub rows: Vec<Row>,
    /// Why no row has differences, when the reference (the first framework) does not cover
    /// the scenario: differences are paired against it.
    pub note: Option<String>,
}

/// One framework on one scenario.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Row {
    pub framework: String,
    /// `ok`, `not_covered` (the framework lacks names the scenario uses: `missing`), or
    /// `unservable` (e.g. no attack to respond to: `reason`).
    pub status: String,
    /// For `not_covered`: what the framework lacks, e.g. `party UA`.
    pub missing: Vec<String>,
    /// For `unservable`: why. For `ok`: a note on how the scenario was read, if any (e.g. an
    /// organisation the framework does not know, whose events are inert), or on the framework
    /// (an overlay that changes nothing); for `not_covered`, only the latter.
    pub reason: Option<String>,
    pub metrics: Vec<Figure>,
    pub pivotal: Option<Pivotal>,
}

/// One metric of one framework, with its paired difference from the reference framework.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Figure {
    /// `p_adequate` (every need), `p_adequate_need`, `credibility` or `p_deterred`.
    pub metric: String,
    pub horizon_days: Option<f64>,
    /// The need's domain, for `p_adequate_need`.
    pub domain: Option<String>,
    /// The figure and its 95 % interval, as `simulate` gives it: Wilson for proportions;
    /// Student-t in [0, 1] for the mean credibility (Wilson's at the mean when every run
    /// agrees); P(deterred) mapped from the credibility's ends.
    pub value: Estimate,
    /// This figure minus the reference framework's, paired per run, 95 % interval; absent for
    /// the reference itself and when the reference is not served on this scenario.
    pub difference: Option<Estimate>,
}

/// The clause whose removal changes the headline metric most.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Pivotal {
    pub commitment: String,
    /// The headline metric without it.
    pub without: f64,
    /// Headline with everything minus headline without the clause, paired per run, 95 % CI
    /// (for `deterred`, Φ of the mean credibilities, delta-method interval).
    pub change: Estimate,
    /// Clauses tried (those with obliged pairs on this scenario).
    pub tried: usize,
}

/// A framework made ready for one scenario.
struct Ready {
    model: SimModel,
    /// (commitment index, its label) of the clauses tried for the pivot.
    candidates: Vec<(usize, String)>,
}

/// Per-run metric vector layout: for each horizon `adequate_all`; for each horizon and need the
/// need's adequacy (1 when adequate); then credibility.
fn values(r: &Record, horizons: usize, needs: usize, out: &mut Vec<f64>) {
    out.clear();
    out.extend(r.adequate_all.iter().take(horizons).map(|&a| f64::from(u8::from(a))));
    out.extend(r.adequacy.iter().take(horizons * needs).map(|&a| if a >= 1.0 { 1.0 } else { 0.0 }));
    out.push(r.credibility);
}

/// Sums over runs.
#[derive(Debug, Clone, Default)]
struct Sums {
    /// Per row: Σx and Σx² per metric.
    x: Vec<Vec<(f64, f64)>>,
    /// Per row: Σd and Σd² of (x − x_ref) per metric; Σ c·c_ref for the credibility.
    d: Vec<Vec<(f64, f64)>>,
    cross: Vec<f64>,
    /// Per row, per candidate, of the headline's per-run value with all (f) and without the
    /// clause (w): Σf, Σf², Σw, Σw², Σf·w.
    pivot: Vec<Vec<[f64; 5]>>,
}

impl Sums {
    fn merge(&mut self, o: &Sums) {
        let add2 = |a: &mut Vec<Vec<(f64, f64)>>, b: &Vec<Vec<(f64, f64)>>| {
            for (x, y) in a.iter_mut().zip(b) {
                for (p, q) in x.iter_mut().zip(y) {
                    p.0 += q.0;
                    p.1 += q.1;
                }
            }
        };
        add2(&mut self.x, &o.x);
        add2(&mut self.d, &o.d);
        self.cross.iter_mut().zip(&o.cross).for_each(|(a, b)| *a += b);
        for (x, y) in self.pivot.iter_mut().zip(&o.pivot) {
            for (p, q) in x.iter_mut().zip(y) {
                p.iter_mut().zip(q).for_each(|(a, b)| *a += b);
            }
        }
    }
}

/// A paired difference of two figures in [0, 1] (a probability or an adequacy), over `n` runs:
/// the estimator of `simulate`'s means ([`mean_f64`]) on the range [−1, 1] a difference lies in.
/// When every run gives the same difference the sample has no spread, and the interval is the
/// bound on the share of runs that could differ, toward the ends of the range
/// ([`constant_sample`]: ±0.015 at 200 runs for a difference of 0), not the Wilson interval at
/// the mean's position, which at 0, the middle of [−1, 1], is the widest there is.
fn difference(sum: f64, sum_sq: f64, n: f64) -> Estimate {
    let m = (sum / n).clamp(-1.0, 1.0);
    let variance = (sum_sq / n - m * m).max(0.0) * n / (n - 1.0).max(1.0);
    if variance <= 4e-12 {
        let (low, high) = constant_sample(m, n as u64, (-1.0, 1.0));
        return Estimate { value: m, low, high };
    }
    mean_f64(sum, sum_sq, n as u64, (-1.0, 1.0))
}

/// A delta-method estimate `value ± 1.96·sd` of a difference of two probabilities over `runs`,
/// kept in [−1, 1]; with no spread (the two frameworks' credibility the same in every run), the
/// constant-sample bound, as [`difference`] has it.
fn delta_difference(value: f64, variance: f64, runs: u64) -> Estimate {
    if variance <= 1e-24 {
        let (low, high) = constant_sample(value.clamp(-1.0, 1.0), runs, (-1.0, 1.0));
        return Estimate { value, low, high };
    }
    let half = Z95 * variance.sqrt();
    Estimate { value, low: (value - half).max(-1.0), high: (value + half).min(1.0) }
}

/// Why a framework does not cover a scenario: the names it lacks, from the E0101 diagnostics
/// of resolving the scenario against it. `None` when some other error is among them.
fn missing_names(diagnostics: &[ironclad_spec::Diagnostic]) -> Option<Vec<String>> {
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == ironclad_spec::Severity::Error).collect();
    if errors.iter().any(|d| d.code != "E0101") {
        return None;
    }
    let mut names: Vec<String> =
        errors.iter().map(|d| d.message.trim_start_matches("unknown ").replace('`', "")).collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// Compares frameworks on scenarios. The first framework is the reference.
pub fn compare(
    frameworks: &[Framework],
    scenarios: &[ScenarioText],
    request: &Request,
) -> Result<CompareReport, Error> {
    compare_cancellable(frameworks, scenarios, request, None)
}

/// [`compare`] with a cancellation token, read before each framework's structure is built and
/// before each chunk of runs of every participation: once it is set the work stops and the
/// answer is [`Error::Cancelled`]. Until then the figures are those of [`compare`], bit for bit.
pub fn compare_cancellable(
    frameworks: &[Framework],
    scenarios: &[ScenarioText],
    request: &Request,
    cancel: Option<&AtomicBool>,
) -> Result<CompareReport, Error> {
    if frameworks.is_empty() {
        return Err(Error::Usage("compare needs at least one framework".into()));
    }
    if scenarios.is_empty() {
        return Err(Error::Usage("compare needs at least one scenario: give --scenario FILE".into()));
    }
    // Rows are told apart by their labels: two with one label would be duplicates, or two
    // different frameworks that no reader could tell apart.
    for (i, f) in frameworks.iter().enumerate() {
        if frameworks[..i].iter().any(|g| g.label == f.label) {
            return Err(Error::Usage(format!(
                "two frameworks of the comparison are labelled `{}`: give each framework once, and each overlay its own `label`",
                f.label
            )));
        }
    }
    // The same scenario or horizon twice would print its figures twice: a slip, said as one.
    for (i, sc) in scenarios.iter().enumerate() {
        if scenarios[..i].iter().any(|o| o.name == sc.name) {
            return Err(Error::Usage(format!("scenario `{}` is given twice: give each scenario once", sc.name)));
        }
    }
    for (i, h) in request.horizons.iter().enumerate() {
        if request.horizons[..i].contains(h) {
            return Err(Error::Usage(format!("horizon {} is given twice: give each horizon once", crate::shown(*h))));
        }
    }
    let runs = request.runs.unwrap_or(DEFAULT_RUNS);
    if !(2..=MAX_RUNS).contains(&runs) {
        return Err(Error::Usage(format!("--runs must be from 2 to {MAX_RUNS}")));
    }
    let sim_request = crate::simulate::Request { horizons: request.horizons.clone(), ..Default::default() };
    crate::simulate::validate(&sim_request)?;
    let horizons =
        if request.horizons.is_empty() { crate::simulate::DEFAULT_HORIZONS.to_vec() } else { request.horizons.clone() };
    let headline = horizons.iter().position(|h| *h == HEADLINE_HORIZON).unwrap_or(horizons.len() - 1);
    let metric_name = request.metric.clone().unwrap_or_else(|| "adequate".into());
    let metric = Headline::parse(&metric_name)?;
    let mut out = Vec::new();
    for sc in scenarios {
        out.push(one_scenario(frameworks, sc, request.seed, runs, &horizons, (headline, &metric), cancel)?);
    }
    let deterrence_days = frameworks[0].spec.params.deterrence_horizon;
    let headline_text = match &metric {
        Headline::Adequate => format!("P(adequate response in every need at {} days)", horizons[headline]),
        Headline::AdequateNeed(d) => format!("P(adequate response in {d} at {} days)", horizons[headline]),
        Headline::Credibility => format!("credibility (mean adequacy over needs at {deterrence_days} days)"),
        Headline::Deterred => format!("P(deterred) (credibility judged at {deterrence_days} days)"),
    };
    Ok(CompareReport {
        schema_version: crate::SCHEMA_VERSION,
        seed: request.seed,
        runs,
        horizons: horizons.clone(),
        headline_horizon: horizons[headline],
        headline_metric: metric_name,
        headline_text,
        reference: frameworks[0].label.clone(),
        interval: "95 % Student-t interval over runs of the per-run difference, in [-1, 1] (when every run gives the same difference: the exact bound on the share of runs that could differ, about 3/runs toward each end); the difference of P(deterred) by the delta method, in [-1, 1]; common random numbers: run r of every framework uses the draws addressed by (seed, r)".into(),
        scenarios: out,
    })
}

fn one_scenario(
    frameworks: &[Framework],
    sc: &ScenarioText,
    seed: u64,
    runs: u64,
    horizons: &[f64],
    (headline, metric): (usize, &Headline),
    cancel: Option<&AtomicBool>,
) -> Result<ScenarioComparison, Error> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let raw_meta: Option<(String, String)> = sc.text.parse::<toml::Table>().ok().and_then(|t| {
        let s = t.get("scenario")?.as_table()?;
        let written_for = s.get("framework").and_then(toml::Value::as_str).unwrap_or("").to_string();
        Some((s.get("id")?.as_str()?.to_string(), written_for))
    });
    // `framework` is optional here: a scenario without one gets a placeholder (the lowering
    // does not read it when it is advisory).
    let text = match sc.text.parse::<toml::Table>() {
        Ok(mut t) => match t.get_mut("scenario").and_then(toml::Value::as_table_mut) {
            Some(meta) if !meta.contains_key("framework") => {
                meta.insert("framework".into(), toml::Value::String(String::new()));
                toml::to_string(&t).unwrap_or_else(|_| sc.text.clone())
            }
            _ => sc.text.clone(),
        },
        Err(_) => sc.text.clone(),
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut ready: Vec<Option<Ready>> = Vec::new();
    let mut needs_of: Option<Vec<String>> = None;
    for f in frameworks {
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let empty = |status: &str, missing: Vec<String>, reason: Option<String>| Row {
            framework: f.label.clone(),
            status: status.into(),
            missing,
            reason,
            metrics: vec![],
            pivotal: None,
        };
        let (scenario, diagnostics, inert) = lower_scenario_across(&text, &f.spec);
        let scenario: Scenario = match scenario {
            Some(s) => s,
            None => match missing_names(&diagnostics) {
                Some(missing) if !missing.is_empty() => {
                    rows.push(empty("not_covered", missing, f.note.clone()));
                    ready.push(None);
                    continue;
                }
                _ => {
                    let msgs: Vec<String> = diagnostics.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
                    return Err(Error::Unservable(format!(
                        "the scenario {} has errors: {} (run `ironclad obligations` with it for positions)",
                        sc.name,
                        msgs.join("; ")
                    )));
                }
            },
        };
        let model = Structure::build(&f.spec, &scenario)
            .and_then(|st| st.parameterise(&f.spec.params, horizons, &vec![None; f.spec.variants.len()]));
        let model = match model {
            Ok(m) => m,
            Err(e) => {
                rows.push(empty("unservable", vec![], Some(e.to_string())));
                ready.push(None);
                continue;
            }
        };
        let needs: Vec<String> = model.needs.iter().map(|n| n.domain.clone()).collect();
        if let Some(prev) = &needs_of
            && *prev != needs
        {
            return Err(Error::Unservable(format!("the needs of {} differ between frameworks", sc.name)));
        }
        needs_of = Some(needs);
        let mut candidates: Vec<(usize, String)> = Vec::new();
        for (i, name) in model.commitments.iter().enumerate() {
            if model.pair_commitment.contains(&i) {
                candidates.push((i, name.clone()));
            }
        }
        let note = (!inert.is_empty()).then(|| {
            format!(
                "no party of this framework carries {}, so no clause can read it: the scenario's membership events for it change nothing here",
                inert.join(", ")
            )
        });
        let note = match (note, &f.note) {
            (Some(a), Some(b)) => Some(format!("{b}; {a}")),
            (a, b) => a.or_else(|| b.clone()),
        };
        rows.push(empty("ok", vec![], note));
        ready.push(Some(Ready { model, candidates }));
    }
    let needs = needs_of.clone().unwrap_or_default();
    let (hs, ns) = (horizons.len(), needs.len());
    let k = hs + hs * ns + 1;
    let reference = ready.first().and_then(|r| r.as_ref()).map(|_| 0usize);
    // The headline's index in the per-run metric vector (`values`).
    let head = match metric {
        Headline::Adequate => headline,
        Headline::AdequateNeed(d) => match needs.iter().position(|n| n == d) {
            Some(n) => hs + headline * ns + n,
            None if needs.is_empty() => headline,
            None => {
                return Err(Error::Usage(format!(
                    "no need in domain `{d}` on {}; its needs: {}",
                    sc.name,
                    needs.join(", ")
                )));
            }
        },
        Headline::Credibility | Headline::Deterred => k - 1,
    };

    // Participations: per ready row, everyone, then without each candidate.
    let parts: Vec<Option<Vec<Participation>>> = ready
        .iter()
        .map(|r| {
            r.as_ref().map(|r| {
                let mut v = vec![Participation::all(&r.model)];
                for (c, _) in &r.candidates {
                    let mut mask = vec![true; r.model.commitments.len()];
                    mask[*c] = false;
                    v.push(Participation::new(&r.model, &[], &mask));
                }
                v
            })
        })
        .collect();
    let chunks = runs.div_ceil(CHUNK);
    let empty_sums = || Sums {
        x: vec![vec![(0.0, 0.0); k]; rows.len()],
        d: vec![vec![(0.0, 0.0); k]; rows.len()],
        cross: vec![0.0; rows.len()],
        pivot: ready.iter().map(|r| vec![[0.0; 5]; r.as_ref().map_or(0, |r| r.candidates.len())]).collect(),
    };
    let per_chunk: Vec<Sums> = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut sums = empty_sums();
            // Per row: per run, the metric vector of the plain run.
            let mut plain: Vec<Vec<Vec<f64>>> = vec![Vec::new(); rows.len()];
            let mut buf = Vec::with_capacity(k);
            for (i, r) in ready.iter().enumerate() {
                let (Some(r), Some(ps)) = (r, &parts[i]) else { continue };
                if cancelled() {
                    return sums;
                }
                let runner = Runner::new(&r.model);
                let mut records = Vec::new();
                let mut acc = Acc::new(&r.model);
                runner.chunk(seed, chunk, runs, &ps[0], &mut acc, Some(&mut records));
                plain[i] = records
                    .iter()
                    .map(|rec| {
                        values(rec, hs, ns, &mut buf);
                        buf.clone()
                    })
                    .collect();
                for (j, p) in ps.iter().enumerate().skip(1) {
                    if cancelled() {
                        return sums;
                    }
                    let mut without = Vec::new();
                    let mut acc = Acc::new(&r.model);
                    runner.chunk(seed, chunk, runs, p, &mut acc, Some(&mut without));
                    let cell = &mut sums.pivot[i][j - 1];
                    for (full, rec) in plain[i].iter().zip(&without) {
                        values(rec, hs, ns, &mut buf);
                        let (f, w) = (full[head], buf[head]);
                        cell[0] += f;
                        cell[1] += f * f;
                        cell[2] += w;
                        cell[3] += w * w;
                        cell[4] += f * w;
                    }
                }
            }
            for i in 0..rows.len() {
                for run in &plain[i] {
                    for (m, v) in run.iter().enumerate() {
                        sums.x[i][m].0 += v;
                        sums.x[i][m].1 += v * v;
                    }
                }
                if let Some(r0) = reference
                    && i != r0
                    && !plain[i].is_empty()
                {
                    for (a, b) in plain[i].iter().zip(&plain[r0]) {
                        for m in 0..k {
                            let d = a[m] - b[m];
                            sums.d[i][m].0 += d;
                            sums.d[i][m].1 += d * d;
                        }
                        sums.cross[i] += a[k - 1] * b[k - 1];
                    }
                }
            }
            sums
        })
        .collect();
    if cancelled() {
        return Err(Error::Cancelled);
    }
    let mut total = empty_sums();
    for s in &per_chunk {
        total.merge(s);
    }
    let n = runs as f64;
    let normal = Normal::standard();
    for (i, row) in rows.iter_mut().enumerate() {
        let Some(r) = &ready[i] else { continue };
        let det = r.model.deterrence;
        let g = |c: f64| normal.cdf((det.cost * c.clamp(0.0, 1.0) - det.gain) / det.noise);
        let dg = |c: f64| normal.pdf((det.cost * c.clamp(0.0, 1.0) - det.gain) / det.noise) * det.cost / det.noise;
        let paired = reference.is_some_and(|r0| r0 != i);
        let diff = |m: usize| paired.then(|| difference(total.d[i][m].0, total.d[i][m].1, n));
        let prop = |m: usize| wilson(total.x[i][m].0.round() as u64, runs);
        for (h, horizon) in horizons.iter().enumerate() {
            row.metrics.push(Figure {
                metric: "p_adequate".into(),
                horizon_days: Some(*horizon),
                domain: None,
                value: prop(h),
                difference: diff(h),
            });
        }
        for (h, horizon) in horizons.iter().enumerate() {
            for (d, domain) in needs.iter().enumerate() {
                let m = hs + h * ns + d;
                row.metrics.push(Figure {
                    metric: "p_adequate_need".into(),
                    horizon_days: Some(*horizon),
                    domain: Some(domain.clone()),
                    value: prop(m),
                    difference: diff(m),
                });
            }
        }
        let c = k - 1;
        // simulate's estimator (Student-t in [0, 1], Wilson's at the mean when every run agrees),
        // and P(deterred) as simulate has it: Φ of the credibility interval's ends.
        let cred = mean_f64(total.x[i][c].0, total.x[i][c].1, runs, (0.0, 1.0));
        row.metrics.push(Figure {
            metric: "credibility".into(),
            horizon_days: Some(det.horizon),
            domain: None,
            value: cred,
            difference: diff(c),
        });
        let deterred = Estimate { value: g(cred.value), low: g(cred.low), high: g(cred.high) };
        let deterred_diff = reference.filter(|r0| *r0 != i).and_then(|r0| {
            let r0m = ready[r0].as_ref()?;
            let d0 = r0m.model.deterrence;
            let g0 = |c: f64| normal.cdf((d0.cost * c.clamp(0.0, 1.0) - d0.gain) / d0.noise);
            let dg0 = |c: f64| normal.pdf((d0.cost * c.clamp(0.0, 1.0) - d0.gain) / d0.noise) * d0.cost / d0.noise;
            let (si, sr) = (total.x[i][c], total.x[r0][c]);
            let (mi, mr) = (si.0 / n, sr.0 / n);
            let var = |s: (f64, f64), m: f64| (s.1 / n - m * m).max(0.0) * n / (n - 1.0);
            let cov = (total.cross[i] / n - mi * mr) * n / (n - 1.0);
            let (a, b) = (dg(mi), dg0(mr));
            let v = (a * a * var(si, mi) + b * b * var(sr, mr) - 2.0 * a * b * cov).max(0.0) / n;
            Some(delta_difference(g(mi) - g0(mr), v, runs))
        });
        row.metrics.push(Figure {
            metric: "p_deterred".into(),
            horizon_days: Some(det.horizon),
            domain: None,
            value: deterred,
            difference: deterred_diff,
        });
        // The pivotal clause: the largest |change| of the headline; ties go to the first in
        // file order. A linear headline's change is the mean paired difference; `deterred`'s
        // is Φ of the mean with all minus Φ of the mean without, its interval by the delta
        // method over runs (as the deterred difference above).
        let change_of = |cell: &[f64; 5]| -> (f64, Estimate) {
            let (mf, mw) = (cell[0] / n, cell[2] / n);
            if *metric == Headline::Deterred {
                let var = |s2: f64, m: f64| (s2 / n - m * m).max(0.0) * n / (n - 1.0);
                let cov = (cell[4] / n - mf * mw) * n / (n - 1.0);
                let (a, b) = (dg(mf), dg(mw));
                let v = (a * a * var(cell[1], mf) + b * b * var(cell[3], mw) - 2.0 * a * b * cov).max(0.0) / n;
                (g(mw), delta_difference(g(mf) - g(mw), v, runs))
            } else {
                (mw, difference(cell[0] - cell[2], cell[1] + cell[3] - 2.0 * cell[4], n))
            }
        };
        let mut best: Option<(usize, f64)> = None;
        for (j, cell) in total.pivot[i].iter().enumerate() {
            let change = change_of(cell).1.value.abs();
            if change > 0.0 && best.is_none_or(|(_, b)| change > b) {
                best = Some((j, change));
            }
        }
        row.pivotal = best.map(|(j, _)| {
            let (without, change) = change_of(&total.pivot[i][j]);
            Pivotal { commitment: r.candidates[j].1.clone(), without, change, tried: r.candidates.len() }
        });
    }
    let (id, written_for) = raw_meta.unwrap_or_default();
    let note = (rows.len() > 1 && rows[0].status != "ok").then(|| {
        format!(
            "no differences: they are paired against the reference, `{}`, which does not cover this scenario (put a framework that does first)",
            rows[0].framework
        )
    });
    Ok(ScenarioComparison { scenario: sc.name.clone(), id, written_for, rows, note })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(root().join(path)).expect("a bundled file")
    }

    fn framework(path: &str) -> Framework {
        let spec = ironclad_spec::analyze(&read(path)).spec.expect("valid");
        Framework::new(spec)
    }

    fn overlay(text: &str) -> Framework {
        let texts = vec![(read("frameworks/nato-1949.toml"), "nato-1949".to_string())];
        crate::overlay::apply_to(&texts, &crate::overlay::Overlay::parse(text).expect("overlay")).expect("applies")
    }

    fn attack() -> Vec<ScenarioText> {
        vec![ScenarioText {
            name: "russian-attack-on-ukraine".into(),
            text: read("scenarios/russian-attack-on-ukraine.toml"),
        }]
    }

    const MEMBER: &str = "[overlay]\nframework = \"nato-1949\"\nmembers = [\"UA\"]\n";
    const WEAKER: &str = "[overlay]\nframework = \"nato-1949\"\nlabel = \"weaker\"\nmembers = [\"UA\"]\n[[overlay.change]]\ncommitment = \"art5-collective-defence\"\nstrength = \"agreement\"\n";

    fn figure<'a>(row: &'a Row, metric: &str, horizon: f64) -> &'a Figure {
        row.metrics.iter().find(|f| f.metric == metric && f.horizon_days == Some(horizon)).expect("figure")
    }

    #[test]
    fn the_paired_difference_is_narrower_than_either_figure() {
        // Art. 5 as an unratified agreement instead of a treaty: a small change, so the two
        // figures move together over runs.
        let request = Request { runs: Some(8192), seed: 3, horizons: vec![4.0], metric: None };
        let report = compare(&[overlay(MEMBER), overlay(WEAKER)], &attack(), &request).expect("runs");
        let rows = &report.scenarios[0].rows;
        let (a, b) = (figure(&rows[0], "p_adequate", 4.0), figure(&rows[1], "p_adequate", 4.0));
        let d = b.difference.expect("paired");
        assert!(a.value.value > 0.2 && a.value.value < 0.98, "{a:?}: the property needs variance");
        assert!(b.value.value > 0.2 && b.value.value < 0.98, "{b:?}");
        assert!(d.half_width() < a.value.half_width() && d.half_width() < b.value.half_width(), "{d:?} {a:?} {b:?}");
        // The difference of the means is the mean of the per-run differences.
        assert!((d.value - (b.value.value - a.value.value)).abs() < 1e-12);
        assert!(d.value < 0.0, "an agreement is honoured less often than a treaty");
    }

    /// `simulate`'s credibility and P(deterred) for one framework, scenario, runs and seed.
    fn simulated(spec_path: &str, scenario_path: &str, runs: u64) -> (Estimate, Estimate) {
        let mut files = crate::Files::new();
        let spec_id = files.read(&root().join(spec_path));
        let spec = files.spec(spec_id).valid().expect("valid").clone();
        let scenario_id = files.read(&root().join(scenario_path));
        let scenario = files.scenario(scenario_id, &spec).expect("valid");
        let structure = Structure::build(&spec, &scenario).expect("a structure");
        let request = crate::simulate::Request { runs: Some(runs), seed: 1, ..Default::default() };
        let model = crate::simulate::model(&structure, &spec, &request).expect("a model");
        let part = crate::simulate::participation(&spec, &model, &request).expect("participation");
        let (_, s) = crate::simulate::run(&model, &part, &request, &|_, _| {}, None, None).expect("runs");
        (s.credibility, s.deterred)
    }

    /// compare's credibility and P(deterred) are simulate's (audit 12: compare had a normal
    /// interval, below 0 at 5 runs and of zero width when every run agreed): on 5 runs of the
    /// flagship, and on Budapest × Crimea where credibility is 0 in every run.
    #[test]
    fn credibility_and_deterred_are_the_figures_simulate_gives() {
        for (spec, scenario, runs) in [
            ("frameworks/coalition-2025.toml", "scenarios/ceasefire-then-offensive.toml", 5),
            ("frameworks/coalition-2025.toml", "scenarios/ceasefire-then-offensive.toml", 3000),
            ("frameworks/budapest-1994.toml", "scenarios/crimea-2014.toml", 2000),
        ] {
            let request = Request { runs: Some(runs), seed: 1, horizons: vec![30.0], metric: None };
            let sc = vec![ScenarioText { name: scenario.into(), text: read(scenario) }];
            let report = compare(&[framework(spec)], &sc, &request).expect("runs");
            let row = &report.scenarios[0].rows[0];
            let get = |m: &str| row.metrics.iter().find(|f| f.metric == m).expect(m).value;
            let (cred, det) = simulated(spec, scenario, runs);
            for (ours, theirs) in [(get("credibility"), cred), (get("p_deterred"), det)] {
                for (a, b) in [(ours.value, theirs.value), (ours.low, theirs.low), (ours.high, theirs.high)] {
                    assert!((a - b).abs() < 1e-9, "{spec} × {scenario}, {runs} runs: {ours:?} against {theirs:?}");
                }
                assert!(ours.low >= 0.0 && ours.high <= 1.0);
            }
            if spec.contains("budapest") {
                assert!(get("credibility").high > 0.0, "0 in every run is not certainly 0");
            }
        }
    }

    /// A paired difference of probabilities lies in [−1, 1], and one equal in every run is not
    /// certain (audit 12: 0.500 [−0.480, 1.480] at 2 runs; a change of 1.000 [1.000, 1.000]).
    #[test]
    fn differences_stay_in_minus_one_to_one_and_are_never_certain() {
        let sc = attack();
        for runs in [2, 5, 2000] {
            let request = Request { runs: Some(runs), seed: 1, horizons: vec![30.0], metric: None };
            let report = compare(
                &[framework("frameworks/coalition-2025.toml"), framework("frameworks/coalition-2026.toml")],
                &sc,
                &request,
            )
            .expect("runs");
            for row in &report.scenarios[0].rows {
                for f in &row.metrics {
                    if let Some(d) = f.difference {
                        assert!(d.low >= -1.0 && d.high <= 1.0, "{runs} runs, {}: {d:?}", f.metric);
                    }
                }
            }
        }
        let constant = difference(2000.0, 2000.0, 2000.0);
        assert_eq!(constant.value, 1.0);
        assert!(constant.low < 1.0 && constant.high == 1.0, "{constant:?}");
        // A framework against a copy of itself: every run's difference is 0, and its interval is
        // the narrow bound of 0 of 200 runs differing (second reading: it was the Wilson interval
        // at the middle of [−1, 1], ±0.137, wider than the figures'; P(deterred)'s had no width).
        let text = read("frameworks/coalition-2025.toml").replace("id = \"coalition-2025\"", "id = \"c25b\"");
        let copy = Framework::new(ironclad_spec::analyze(&text).spec.expect("valid"));
        let request = Request { runs: Some(200), seed: 1, horizons: vec![30.0], metric: None };
        let sc = vec![ScenarioText { name: "c".into(), text: read("scenarios/ceasefire-then-offensive.toml") }];
        let report = compare(&[framework("frameworks/coalition-2025.toml"), copy], &sc, &request).expect("runs");
        for f in &report.scenarios[0].rows[1].metrics {
            let d = f.difference.expect("paired");
            assert_eq!(d.value, 0.0, "{}", f.metric);
            assert!(d.low < 0.0 && d.high > 0.0 && d.high < 0.02 && d.low > -0.02, "{}: {d:?}", f.metric);
        }
    }

    /// Differences are paired against the reference: when it does not cover a scenario the
    /// report says why no row has one. The same scenario or horizon twice is a usage error.
    #[test]
    fn a_reference_that_does_not_cover_the_scenario_is_said_and_duplicates_are_refused() {
        let estonia = vec![ScenarioText {
            name: "scenarios/attack-on-estonia.toml".into(),
            text: read("scenarios/attack-on-estonia.toml"),
        }];
        let request = Request { runs: Some(200), seed: 1, horizons: vec![30.0], metric: None };
        let fws = [framework("frameworks/coalition-2025.toml"), framework("frameworks/nato-1949.toml")];
        let report = compare(&fws, &estonia, &request).expect("runs");
        let sc = &report.scenarios[0];
        assert_eq!(sc.rows[0].status, "not_covered");
        assert!(sc.note.as_deref().is_some_and(|n| n.contains("coalition-2025")), "{:?}", sc.note);
        assert!(
            crate::render::text::compare(&report).contains("no differences: they are paired against the reference")
        );
        let twice = vec![estonia[0].clone(), estonia[0].clone()];
        assert!(matches!(compare(&fws, &twice, &request), Err(Error::Usage(m)) if m.contains("given twice")));
        let h = Request { horizons: vec![30.0, 30.0], ..request };
        assert!(matches!(compare(&fws, &estonia, &h), Err(Error::Usage(m)) if m.contains("horizon 30 is given twice")));
    }

    /// The CSV's pivotal row keeps the headline's domain, as its figure rows do.
    #[test]
    fn the_csv_pivotal_row_keeps_the_headline_domain() {
        let request = Request { runs: Some(300), seed: 1, horizons: vec![30.0], metric: Some("adequate:land".into()) };
        let fws = [framework("frameworks/coalition-2025.toml"), framework("frameworks/coalition-2026.toml")];
        let report = compare(&fws, &attack(), &request).expect("runs");
        let csv = crate::render::csv::compare(&report);
        let pivots: Vec<&str> = csv.lines().filter(|l| l.contains(",pivotal:")).collect();
        assert!(!pivots.is_empty(), "{csv}");
        for line in pivots {
            assert_eq!(line.split(',').nth(5), Some("land"), "{line}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_report_whatever_the_threads() {
        let request = Request { runs: Some(9000), seed: 11, horizons: vec![3.0, 30.0], metric: None };
        let frameworks = [framework("frameworks/nato-1949.toml"), overlay(MEMBER), overlay(WEAKER)];
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let report = pool.install(|| compare(&frameworks, &attack(), &request)).unwrap();
            serde_json::to_string(&report).unwrap()
        };
        assert_eq!(run(1), run(3));
        let other = compare(&frameworks, &attack(), &Request { seed: 12, ..request.clone() }).unwrap();
        assert_ne!(serde_json::to_string(&other).unwrap(), run(2));
    }

    #[test]
    fn a_framework_that_lacks_a_name_gets_a_row_not_an_error() {
        let frameworks = [framework("frameworks/uk-ukraine-2024.toml"), framework("frameworks/us-japan-1960.toml")];
        let report = compare(&frameworks, &attack(), &Request { runs: Some(100), ..Request::default() }).unwrap();
        let rows = &report.scenarios[0].rows;
        assert_eq!(rows[0].status, "ok");
        assert_eq!(rows[1].status, "not_covered");
        assert_eq!(rows[1].missing, ["party RU", "party UA", "region UA"]);
        assert!(rows[1].metrics.is_empty());
    }

    #[test]
    fn an_organisation_the_framework_does_not_know_is_inert_not_a_gap() {
        // Ukraine joins NATO before the attack: the UK agreement knows `#nato` (its aid is
        // voided by the accession); Budapest (no party carries `#nato`) cannot read it, so it is
        // served as usual and says why, with the figures of the same scenario without it.
        let accession = "\n[[event]]\nday = 0\nkind = \"accession\"\nparty = \"UA\"\norganisation = \"#nato\"\n";
        let base =
            read("scenarios/russian-attack-on-ukraine.toml").replace("[[event]]\nday = 0\n", "[[event]]\nday = 1\n");
        let with = |text: String| vec![ScenarioText { name: "s".into(), text }];
        let frameworks = [framework("frameworks/uk-ukraine-2024.toml"), framework("frameworks/budapest-1994.toml")];
        let request = Request { runs: Some(2000), ..Request::default() };
        let joined = compare(&frameworks, &with(format!("{base}{accession}")), &request).unwrap();
        let plain = compare(&frameworks, &with(base), &request).unwrap();
        let (rows, plain_rows) = (&joined.scenarios[0].rows, &plain.scenarios[0].rows);
        assert_eq!(rows[0].status, "ok");
        assert_eq!(rows[0].reason, None, "the UK agreement knows #nato");
        assert_eq!(rows[1].status, "ok", "{:?}", rows[1]);
        assert!(rows[1].missing.is_empty());
        let note = rows[1].reason.as_deref().expect("a note");
        assert!(note.contains("#nato") && note.contains("change nothing"), "{note}");
        assert_eq!(plain_rows[1].reason, None);
        // The figures themselves (the differences are against the UK row, which moves).
        let json = |r: &Row| serde_json::to_string(&r.metrics.iter().map(|f| &f.value).collect::<Vec<_>>()).unwrap();
        assert_eq!(json(&rows[1]), json(&plain_rows[1]), "Budapest's figures do not move");
    }

    #[test]
    fn the_pivotal_clause_is_the_one_whose_removal_changes_the_headline_most() {
        let report =
            compare(&[overlay(MEMBER)], &attack(), &Request { runs: Some(2000), ..Request::default() }).unwrap();
        let row = &report.scenarios[0].rows[0];
        let p = row.pivotal.as_ref().expect("a pivot");
        // Art. 5 is the only clause with obliged pairs on this attack (Art. 4 pledges nothing in
        // land or air): without it nothing arrives.
        assert_eq!(p.commitment, "art5-collective-defence");
        assert_eq!(p.without, 0.0);
        let headline = figure(row, "p_adequate", report.headline_horizon).value.value;
        assert!((p.change.value - headline).abs() < 1e-12);
        // The plain NATO spec does not oblige anyone to defend Ukraine: no pivot.
        let plain = compare(
            &[framework("frameworks/nato-1949.toml")],
            &attack(),
            &Request { runs: Some(500), ..Request::default() },
        )
        .unwrap();
        assert!(plain.scenarios[0].rows[0].pivotal.is_none());
    }

    #[test]
    fn the_headline_metric_chooses_what_the_pivot_is_judged_on() {
        let request = |metric: &str| Request { runs: Some(2000), metric: Some(metric.into()), ..Request::default() };
        for metric in ["credibility", "deterred", "adequate:land"] {
            let report = compare(&[overlay(MEMBER)], &attack(), &request(metric)).unwrap();
            assert_eq!(report.headline_metric, metric);
            let row = &report.scenarios[0].rows[0];
            let p = row.pivotal.as_ref().expect("a pivot");
            assert_eq!(p.commitment, "art5-collective-defence", "{metric}");
            // Without the only acting clause nothing arrives: the change is the whole figure.
            let (name, h) = match metric {
                "credibility" => ("credibility", None),
                "deterred" => ("p_deterred", None),
                _ => ("p_adequate_need", Some(report.headline_horizon)),
            };
            let f = row
                .metrics
                .iter()
                .find(|f| {
                    f.metric == name
                        && (h.is_none() || f.horizon_days == h)
                        && f.domain.as_deref().is_none_or(|d| d == "land")
                })
                .expect("the figure");
            assert!((p.change.value - (f.value.value - p.without)).abs() < 1e-9, "{metric}: {p:?} {f:?}");
            assert!(p.change.low <= p.change.value && p.change.value <= p.change.high, "{metric}: {p:?}");
        }
        // Adequate metrics: the pivot's figures are those of the default run, bit for bit.
        let default =
            compare(&[overlay(MEMBER)], &attack(), &Request { runs: Some(2000), ..Request::default() }).unwrap();
        let explicit = compare(&[overlay(MEMBER)], &attack(), &request("adequate")).unwrap();
        assert_eq!(
            serde_json::to_string(&default.scenarios).unwrap(),
            serde_json::to_string(&explicit.scenarios).unwrap()
        );
        for bad in ["nope", "adequate:", "adequate:cyber"] {
            assert!(matches!(compare(&[overlay(MEMBER)], &attack(), &request(bad)), Err(Error::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn a_scenario_may_name_no_framework() {
        let text = read("scenarios/russian-attack-on-ukraine.toml").replace("framework = \"uk-ukraine-2024\"\n", "");
        assert!(!text.contains("framework ="));
        let scenarios = [ScenarioText { name: "anonymous".into(), text }];
        let request = Request { runs: Some(1000), ..Request::default() };
        let named = compare(&[overlay(MEMBER)], &attack(), &request).unwrap();
        let anonymous = compare(&[overlay(MEMBER)], &scenarios, &request).unwrap();
        assert_eq!(anonymous.scenarios[0].written_for, "");
        let figures = |r: &CompareReport| serde_json::to_string(&r.scenarios[0].rows).unwrap();
        assert_eq!(figures(&named), figures(&anonymous));
    }

    #[test]
    fn bad_requests_are_usage_errors() {
        let f = [framework("frameworks/nato-1949.toml")];
        assert!(matches!(compare(&f, &[], &Request::default()), Err(Error::Usage(_))));
        assert!(matches!(compare(&[], &attack(), &Request::default()), Err(Error::Usage(_))));
        assert!(matches!(
            compare(&f, &attack(), &Request { runs: Some(0), ..Request::default() }),
            Err(Error::Usage(_))
        ));
        let bad = Request { horizons: vec![-1.0], ..Request::default() };
        assert!(matches!(compare(&f, &attack(), &bad), Err(Error::Usage(_))));
    }
}
