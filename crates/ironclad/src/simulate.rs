//! `simulate`: Monte Carlo credibility, with the expensive parts cached in a [`Session`].

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use ironclad_sim::stats::Summary;
use ironclad_sim::{Acc, CHUNK, Control, Participation, Record, SimModel, Structure, simulate_chunks, summarise};
use ironclad_spec::Spec;
use ironclad_spec::params::ModelParams;
use ironclad_spec::scenario::Scenario;
use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;
use crate::files::pinned_variants;

/// Default number of runs.
pub const DEFAULT_RUNS: u64 = 100_000;
/// Most runs `until_ci` goes to.
pub const MAX_UNTIL_CI_RUNS: u64 = 1 << 32;
/// The default horizons, in days: a week, a month, a quarter (`docs/model.md`, "Horizons").
pub const DEFAULT_HORIZONS: [f64; 3] = [7.0, 30.0, 90.0];

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Request {
    /// Runs (default [`DEFAULT_RUNS`]; with `until_ci`, the most runs).
    pub runs: Option<u64>,
    /// Run until every P(adequate) interval has at most this half-width.
    pub until_ci: Option<f64>,
    pub seed: u64,
    /// Horizons in days; empty: [`DEFAULT_HORIZONS`].
    pub horizons: Vec<f64>,
    /// `VARIANT=OPTION` pins; the other variants are sampled by weight.
    pub variants: Vec<String>,
    /// Parameters to use instead of the spec's own `[model]` table.
    pub params: Option<ModelParams>,
    /// Party ids that do not take part (their pairs do not act; see `docs/model.md`).
    pub absent: Vec<String>,
    /// Commitment ids that do not take part (their pairs do not act): "what if this clause
    /// were struck".
    pub off: Vec<String>,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            runs: None,
            until_ci: None,
            seed: 1,
            horizons: Vec::new(),
            variants: Vec::new(),
            params: None,
            absent: Vec::new(),
            off: Vec::new(),
        }
    }
}

/// What a simulation found: the summary with its intervals, and how it was run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SimulateReport {
    pub schema_version: u32,
    /// The parties that did not take part.
    pub absent: Vec<String>,
    /// The commitments that did not take part.
    pub off: Vec<String>,
    /// Wall-clock seconds of the runs, when they ran here (not for merged shards); not part of
    /// the JSON, since it differs between runs.
    #[serde(skip)]
    #[schemars(skip)]
    pub seconds: Option<f64>,
    /// With `--until-ci`: the half-width asked for and whether every P(adequate) interval
    /// reached it before the run cap (`--runs`, or [`MAX_UNTIL_CI_RUNS`]) stopped the runs.
    /// Absent without `--until-ci`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_ci: Option<UntilCi>,
    #[serde(flatten)]
    pub summary: Summary,
}

/// The target of `--until-ci` and whether it was reached.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UntilCi {
    /// The half-width asked for.
    pub target_half_width: f64,
    /// Whether `widest_half_width` is at most the target; `false` when the run cap stopped the
    /// runs first.
    pub reached: bool,
    /// The most runs it could take (`--runs`, or [`MAX_UNTIL_CI_RUNS`]).
    pub run_cap: u64,
}

/// Caches what is expensive to build: per spec text, the compiled engine; per (spec,
/// scenario), the simulation structure. Thread-safe, so a server can share one session between
/// requests.
///
/// Entries are keyed by a hash of the texts *and* keep the texts, which are compared on every
/// hit, so a hash collision rebuilds instead of serving another input's structure. At most
/// [`Session::CAPACITY`] entries of each kind are kept; past that the cache is cleared.
#[derive(Default)]
pub struct Session {
    structures: Mutex<HashMap<u64, (String, Arc<Structure>)>>,
    compiled: Mutex<HashMap<u64, (String, Arc<ironclad_engine::Compiled>)>>,
}

fn cached<T>(map: &Mutex<HashMap<u64, (String, Arc<T>)>>, key: u64, texts: &str) -> Option<Arc<T>> {
    map.lock().ok().and_then(|m| m.get(&key).filter(|(t, _)| t == texts).map(|(_, v)| v.clone()))
}

fn store<T>(map: &Mutex<HashMap<u64, (String, Arc<T>)>>, key: u64, texts: String, value: Arc<T>) {
    if let Ok(mut m) = map.lock() {
        if m.len() >= Session::CAPACITY {
            m.clear();
        }
        m.insert(key, (texts, value));
    }
}

impl Session {
    /// Most entries of each kind kept.
    pub const CAPACITY: usize = 64;

    pub fn new() -> Session {
        Session::default()
    }

    /// The compiled engine of the spec analysed from `spec_text`.
    pub fn compiled(&self, spec_text: &str, spec: &Spec) -> Result<Arc<ironclad_engine::Compiled>, Error> {
        let key = text_key(&[spec_text]);
        if let Some(c) = cached(&self.compiled, key, spec_text) {
            return Ok(c);
        }
        let built = Arc::new(ironclad_engine::Compiled::new(spec).map_err(|e| Error::Unservable(e.to_string()))?);
        store(&self.compiled, key, spec_text.to_string(), built.clone());
        Ok(built)
    }

    /// The simulation structure of `spec` on `scenario` (analysed from `spec_text` and
    /// `scenario_text`): built on first use (one replay per combination of variant options),
    /// then shared.
    pub fn structure(
        &self,
        spec_text: &str,
        scenario_text: &str,
        spec: &Spec,
        scenario: &Scenario,
    ) -> Result<Arc<Structure>, Error> {
        let key = text_key(&[spec_text, scenario_text]);
        let texts = format!("{spec_text}\u{0}{scenario_text}");
        if let Some(s) = cached(&self.structures, key, &texts) {
            return Ok(s);
        }
        let built = Arc::new(Structure::build(spec, scenario).map_err(|e| Error::Unservable(e.to_string()))?);
        store(&self.structures, key, texts, built.clone());
        Ok(built)
    }
}

/// A hash of texts, for [`Session::structure`] keys (FNV-1a: stable across runs and platforms).
pub fn text_key(texts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in texts {
        for b in t.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The model of a request: the structure with the request's parameters, horizons and pins.
pub fn model(structure: &Structure, spec: &Spec, request: &Request) -> Result<SimModel, Error> {
    validate(request)?;
    let pins = pinned_variants(spec, &request.variants)?;
    let horizons = if request.horizons.is_empty() { DEFAULT_HORIZONS.to_vec() } else { request.horizons.clone() };
    let params = request.params.as_ref().unwrap_or(&spec.params);
    structure.parameterise(params, &horizons, &pins).map_err(|e| Error::Unservable(e.to_string()))
}

/// The spec's `[model]` parameters with `overrides` (`("honour.treaty", 0.8)`, names as in
/// `[[model.uncertain]]`) put in. An unknown name or a value outside the parameter's range is a
/// [`Error::Usage`], never clamped: a what-if must run on the values it was asked for.
pub fn params_with(spec: &Spec, overrides: &[(String, f64)]) -> Result<ModelParams, Error> {
    use ironclad_spec::uncertain::Param;
    let mut params = spec.params.clone();
    for (name, value) in overrides {
        let param = Param::parse(name, &params.factors).ok_or_else(|| {
            Error::Usage(format!(
                "no model parameter `{name}`; the parameters are {}",
                Param::names(&params.factors).join(", ")
            ))
        })?;
        let (low, high, open) = param.range();
        let inside = value.is_finite() && *value <= high && if open { *value > low } else { *value >= low };
        if !inside {
            let bracket = if open { "(" } else { "[" };
            return Err(Error::Usage(format!(
                "`{name}` takes a value in {bracket}{}, {}], not {}",
                crate::shown(low),
                crate::shown(high),
                crate::shown(*value)
            )));
        }
        param.set(&mut params, *value);
    }
    // The will of each party is a standard normal only while its loadings square to at most 1
    // (`docs/model.md`); `[model]` checks this for a spec, and so must a what-if.
    if let Some((party, sum)) = ironclad_spec::uncertain::worst_loading(&params, &[], spec.parties.len()) {
        return Err(Error::Usage(format!(
            "with these values the loadings of `{}` square to {sum:.3} (domestic² + Σ factor loading²), more than 1; \
             lower `domestic` or a factor loading",
            spec.parties[party].id
        )));
    }
    Ok(params)
}

/// Checks a request's own values (before any file is read).
pub fn validate(r: &Request) -> Result<(), Error> {
    if let Some(h) = r.until_ci
        && !(h > 0.0 && h < 0.5)
    {
        return Err(Error::Usage("--until-ci takes a half-width in (0, 0.5), e.g. 0.005".into()));
    }
    if r.horizons.iter().any(|h| h.is_nan() || *h <= 0.0 || h.is_infinite()) {
        return Err(Error::Usage("--horizon takes a positive number of days".into()));
    }
    if r.runs == Some(0) {
        return Err(Error::Usage("--runs must be at least 1".into()));
    }
    if r.horizons.len() > ironclad_sim::MAX_HORIZONS {
        return Err(Error::Usage(format!(
            "{} horizons: --horizon is repeatable at most {} times",
            r.horizons.len(),
            ironclad_sim::MAX_HORIZONS
        )));
    }
    Ok(())
}

/// Who takes part, from the request's absent parties.
pub fn participation(spec: &Spec, model: &SimModel, request: &Request) -> Result<Participation, Error> {
    let mut parties = vec![true; spec.parties.len()];
    for id in &request.absent {
        let p = spec
            .parties
            .iter()
            .position(|p| p.id == *id)
            .ok_or_else(|| Error::Usage(format!("no party `{id}` to leave out")))?;
        parties[p] = false;
    }
    let mut commitments = vec![true; spec.commitments.len()];
    for id in &request.off {
        let c = spec
            .commitments
            .iter()
            .position(|c| c.id == *id)
            .ok_or_else(|| Error::Usage(format!("no commitment `{id}` to leave out")))?;
        commitments[c] = false;
    }
    Ok(Participation::new(model, &parties, &commitments))
}

/// Runs a simulation on the current rayon pool (run it inside `pool.install` to choose the
/// threads). `progress` gets the runs finished (and, with `until_ci`, the runs planned so far);
/// `cancel` stops it between chunks; `sink` receives per-run records in run order.
pub fn run(
    model: &SimModel,
    part: &Participation,
    request: &Request,
    progress: &(dyn Fn(u64, u64) + Sync),
    cancel: Option<&AtomicBool>,
    mut sink: Option<&mut dyn FnMut(Vec<Record>)>,
) -> Result<(Acc, Summary), Error> {
    validate(request)?;
    let target_runs = match request.until_ci {
        Some(_) => request.runs.unwrap_or(MAX_UNTIL_CI_RUNS),
        None => request.runs.unwrap_or(DEFAULT_RUNS),
    };
    let total_chunks = target_runs.div_ceil(CHUNK);
    let done = std::sync::atomic::AtomicU64::new(0);
    let mut acc = Acc::new(model);
    let mut next = 0u64;
    // Batches of chunks; `until_ci` checks the intervals between batches. The first batch is
    // one chunk; each next one ends where the widest half-width, falling as 1/√n, is predicted
    // to reach the target (`next_end`). Batch ends depend only on the request and on results
    // that are themselves bit-identical whatever the threads, so the runs done do not depend on
    // threads either.
    let mut planned_end = if request.until_ci.is_some() { 1 } else { total_chunks };
    loop {
        let end = planned_end.min(total_chunks);
        let planned = if request.until_ci.is_some() { (end * CHUNK).min(target_runs) } else { target_runs };
        let report = |n: u64| {
            let total = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
            progress(total, planned);
        };
        let control = Control { progress: &report, cancel };
        let recording = sink.is_some();
        let mut forward = |records: Vec<Record>| {
            if let Some(sink) = sink.as_mut() {
                sink(records);
            }
        };
        let forward: Option<&mut dyn FnMut(Vec<Record>)> = if recording { Some(&mut forward) } else { None };
        let part_acc = simulate_chunks(model, request.seed, planned, next..end, part, control, forward)
            .map_err(|_| Error::Cancelled)?;
        acc = acc.merge(&part_acc);
        next = end;
        let summary = summarise(model, &acc, request.seed);
        let narrow = request.until_ci.is_some_and(|h| summary.widest_half_width <= h);
        let Some(target) = request.until_ci.filter(|_| next < total_chunks && !narrow) else {
            return Ok((acc, summary));
        };
        planned_end = next_end(next, summary.widest_half_width, target);
    }
}

/// Where the next batch of `--until-ci` ends, in chunks, after `done` chunks gave a widest
/// half-width of `width` against `target`: a half-width falls as 1/√n, so n · (width/target)²
/// runs should reach it; 10 % more, so that a prediction a little short does not cost a batch,
/// and at least one chunk and at most 16 times the runs so far, so that a half-width that is
/// still far off (few runs) is not extrapolated too far.
fn next_end(done: u64, width: f64, target: f64) -> u64 {
    let predicted = (done as f64 * (width / target).powi(2) * 1.1).ceil();
    let predicted = if predicted.is_finite() { predicted as u64 } else { u64::MAX };
    predicted.clamp(done + 1, done.saturating_mul(16))
}

/// The whole job in one call, for consumers that need no per-run records: structure (cached in
/// `session`), model, participation, runs, report.
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    session: &Session,
    spec_text: &str,
    scenario_text: &str,
    spec: &Spec,
    scenario: &Scenario,
    request: &Request,
    progress: &(dyn Fn(u64, u64) + Sync),
    cancel: Option<&AtomicBool>,
) -> Result<SimulateReport, Error> {
    validate(request)?;
    let structure = session.structure(spec_text, scenario_text, spec, scenario)?;
    let model = model(&structure, spec, request)?;
    let part = participation(spec, &model, request)?;
    let started = std::time::Instant::now();
    let (_, summary) = run(&model, &part, request, progress, cancel, None)?;
    Ok(report(summary, request, Some(started.elapsed().as_secs_f64())))
}

/// The report of a finished run.
pub fn report(summary: Summary, request: &Request, seconds: Option<f64>) -> SimulateReport {
    SimulateReport {
        schema_version: crate::SCHEMA_VERSION,
        absent: request.absent.clone(),
        off: request.off.clone(),
        seconds,
        until_ci: request.until_ci.map(|target| UntilCi {
            target_half_width: target,
            reached: summary.widest_half_width <= target,
            run_cap: request.runs.unwrap_or(MAX_UNTIL_CI_RUNS),
        }),
        summary,
    }
}

/// Checks a request's values for one shard of it (before any file is read or written).
pub fn validate_shard(request: &Request, shard: crate::shard::Shard) -> Result<(), Error> {
    validate(request)?;
    if request.until_ci.is_some() {
        return Err(Error::Usage("--until-ci cannot be sharded: its run count depends on the results".into()));
    }
    let runs = request.runs.unwrap_or(DEFAULT_RUNS);
    if shard.count > runs.div_ceil(CHUNK) {
        return Err(Error::Usage(format!(
            "{} shards for {runs} runs: a shard runs whole chunks of {CHUNK} runs, so at most {} shards",
            shard.count,
            runs.div_ceil(CHUNK)
        )));
    }
    Ok(())
}

/// Runs one shard of a simulation of `runs` runs: the shard's contiguous chunks, on the current
/// rayon pool. Merging the accumulators of all shards ([`crate::shard::merge`]) gives the
/// unsharded run's accumulator exactly.
pub fn run_shard(
    model: &SimModel,
    part: &Participation,
    request: &Request,
    shard: crate::shard::Shard,
    progress: &(dyn Fn(u64) + Sync),
    cancel: Option<&AtomicBool>,
) -> Result<(Acc, u64), Error> {
    validate_shard(request, shard)?;
    let runs = request.runs.unwrap_or(DEFAULT_RUNS);
    let control = Control { progress, cancel };
    let acc = simulate_chunks(model, request.seed, runs, shard.chunks(runs), part, control, None)
        .map_err(|_| Error::Cancelled)?;
    Ok((acc, runs))
}

/// The report of merged shards: the model rebuilt from the texts the shards carry, the merged
/// accumulator summarised — the same report as the unsharded run's.
pub fn merged_report(state: &crate::shard::State) -> Result<SimulateReport, Error> {
    let texts = [&state.spec_name, &state.spec_text, &state.scenario_name, &state.scenario_text];
    crate::shard::rebuild_from_texts(texts, |spec, structure| {
        let request = Request {
            runs: Some(state.runs),
            seed: state.seed,
            horizons: state.horizons.clone(),
            variants: state.variants.clone(),
            absent: state.absent.clone(),
            off: state.off.clone(),
            ..Request::default()
        };
        let model = model(structure, spec, &request)?;
        if state.acc.runs != state.runs || !state.acc.fits(&model) {
            return Err(Error::Unservable("the merged accumulator does not fit the model it names".into()));
        }
        let summary = summarise(&model, &state.acc, state.seed);
        Ok(report(summary, &request, None))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_batch_ends_where_the_half_width_should_reach_the_target() {
        // Twice the target after 4 chunks: 4 · 2² · 1.1 = 17.6, so 18 chunks.
        assert_eq!(super::next_end(4, 0.02, 0.01), 18);
        // Just short: 10 % more; and at least one more chunk.
        assert_eq!(super::next_end(100, 0.01, 0.01005), 109);
        assert_eq!(super::next_end(100, 0.0095, 0.01), 101);
        // Far off after one chunk: at most 16 times the runs so far.
        assert_eq!(super::next_end(1, 0.5, 0.001), 16);
    }

    use super::*;

    fn flagship(files: &mut crate::Files) -> (crate::FileId, crate::FileId) {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        (
            files.read(&root.join("frameworks/coalition-2025.toml")),
            files.read(&root.join("scenarios/ceasefire-then-offensive.toml")),
        )
    }

    #[test]
    fn a_session_builds_each_structure_and_engine_once() {
        let mut files = crate::Files::new();
        let (spec_id, scenario_id) = flagship(&mut files);
        let loaded = files.spec(spec_id);
        let spec = loaded.valid().expect("the flagship is valid");
        let scenario = files.scenario(scenario_id, spec).expect("the scenario is valid");
        let session = Session::new();
        let (st, sc) = (files.text(spec_id), files.text(scenario_id));
        let a = session.structure(st, sc, spec, &scenario).expect("builds");
        let b = session.structure(st, sc, spec, &scenario).expect("cached");
        assert!(Arc::ptr_eq(&a, &b));
        let other = session.structure(st, &format!("{sc}\n"), spec, &scenario).expect("builds again");
        assert!(!Arc::ptr_eq(&a, &other));
        let c = session.compiled(st, spec).expect("compiles");
        assert!(Arc::ptr_eq(&c, &session.compiled(st, spec).expect("cached")));
    }

    #[test]
    fn an_out_of_range_what_if_value_is_shown_in_scientific_notation() {
        let mut files = crate::Files::new();
        let (spec_id, _) = flagship(&mut files);
        let spec = files.spec(spec_id).valid().expect("valid").clone();
        match params_with(&spec, &[("honour.treaty".into(), 1e300)]) {
            Err(Error::Usage(m)) => assert!(m.contains("not 1e300") && !m.contains("000000"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cancelled_run_returns_cancelled() {
        let mut files = crate::Files::new();
        let (spec_id, scenario_id) = flagship(&mut files);
        let loaded = files.spec(spec_id);
        let spec = loaded.valid().expect("valid");
        let scenario = files.scenario(scenario_id, spec).expect("valid");
        let cancel = AtomicBool::new(true);
        let request = Request { runs: Some(100_000), ..Request::default() };
        let (st, sc) = (files.text(spec_id), files.text(scenario_id));
        let result = simulate(&Session::new(), st, sc, spec, &scenario, &request, &|_, _| {}, Some(&cancel));
        assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
        let bad = Request { horizons: vec![-1.0], ..Request::default() };
        let result = simulate(&Session::new(), st, sc, spec, &scenario, &bad, &|_, _| {}, None);
        assert!(matches!(result, Err(Error::Usage(_))));
    }
}
