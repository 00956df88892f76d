//! The handlers: parse the body, call the front door, answer its typed report as JSON.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironclad::check::{CheckReport, DiagnosticReport, FileCheck};
use ironclad::obligations::ObligationsReport;
use ironclad::show::ShowReport;
use ironclad::simulate::SimulateReport;
use ironclad::{FileId, Files};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, Kind};
use crate::library::{LibraryListing, LibraryText};

/// A JSON body whose rejections (malformed, too large, wrong content type) answer in the API's
/// error shape. A body announced larger than `--max-body` is refused before any of it is read,
/// and one that has not arrived within [`AppState::body_timeout`] gets 408.
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<Arc<AppState>> for ApiJson<T>
where
    axum::Json<T>: FromRequest<Arc<AppState>, Rejection = axum::extract::rejection::JsonRejection>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let announced = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if announced.is_some_and(|n| n > state.limits.max_body as u64) {
            return Err(ApiError::too_large());
        }
        match tokio::time::timeout(state.body_timeout, axum::Json::<T>::from_request(req, state)).await {
            Ok(body) => Ok(ApiJson(body?.0)),
            Err(_) => Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                Kind::BadRequest,
                format!("the request body did not arrive within {} ms", state.body_timeout.as_millis()),
            )),
        }
    }
}

/// `POST /api/check`: a spec, and optionally a scenario to check against it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecRequest {
    /// The spec's TOML text.
    pub spec: String,
    /// A scenario's TOML text.
    #[serde(default)]
    pub scenario: Option<String>,
}

/// `POST /api/show`: a spec (a `show` report takes no scenario).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowRequest {
    /// The spec's TOML text.
    pub spec: String,
}

/// `POST /api/obligations`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationsRequest {
    pub spec: String,
    /// The scenario's TOML text; default: the spec's own scenario, from the server's library.
    #[serde(default)]
    pub scenario: Option<String>,
    /// `{"variant-id": "option-id"}` pins over the default selection.
    #[serde(default)]
    pub variants: BTreeMap<String, String>,
    /// The day to report at (a day number or a date); default: the last event.
    #[serde(default)]
    pub at: Option<String>,
    /// Add each obligation's derivation.
    #[serde(default)]
    pub explain: bool,
    /// `PARTY[:DOMAIN]`: which test each commitment stopped at.
    #[serde(default)]
    pub why_not: Option<String>,
}

/// `POST /api/simulate`: a what-if.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    pub spec: String,
    /// The scenario's TOML text; default: the spec's own scenario, from the server's library.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Runs (default: the server's default, 20 000; at least 1, at most its `--max-runs`).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub runs: Option<u64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Horizons in days; default 7, 30, 90.
    #[serde(default)]
    pub horizons: Vec<f64>,
    /// `{"variant-id": "option-id"}` pins; the other variants are sampled by weight.
    #[serde(default)]
    pub variants: BTreeMap<String, String>,
    /// Party ids that do not take part.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Commitment ids that do not take part.
    #[serde(default)]
    pub off: Vec<String>,
    /// `[model]` parameters by name (`"honour.treaty": 0.8`), over the spec's own values.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
}

fn default_seed() -> u64 {
    1
}

/// `POST /api/simulate`'s answer: the `simulate` report and how long it took here.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SimulateResponse {
    #[serde(flatten)]
    pub report: SimulateReport,
    /// Server-side wall-clock milliseconds (structure from cache or built, and the runs).
    pub elapsed_ms: f64,
}

/// `GET /api/health`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Health {
    pub status: String,
}

pub async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok".into() })
}

pub async fn library(State(state): State<Arc<AppState>>) -> axum::Json<LibraryListing> {
    axum::Json(state.library.listing())
}

pub async fn library_framework(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<axum::Json<LibraryText>, ApiError> {
    let e = state.library.frameworks.get(&id).ok_or_else(|| not_in_library("framework", &id))?;
    Ok(axum::Json(LibraryText { id: e.id.clone(), text: e.text.clone() }))
}

pub async fn library_scenario(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<axum::Json<LibraryText>, ApiError> {
    let e = state.library.scenarios.get(&id).ok_or_else(|| not_in_library("scenario", &id))?;
    Ok(axum::Json(LibraryText { id: e.id.clone(), text: e.text.clone() }))
}

fn not_in_library(what: &str, id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Kind::NotFound, format!("the library has no {what} `{id}`"))
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Kind::NotFound, "no such endpoint; see /api/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, Kind::MethodNotAllowed, "this endpoint does not take that method")
}

pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], crate::openapi::document()).into_response()
}

/// The names uploaded texts carry in diagnostics.
const SPEC_NAME: &str = "spec.toml";
const SCENARIO_NAME: &str = "scenario.toml";

pub async fn check(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<SpecRequest>,
) -> Result<axum::Json<CheckReport>, ApiError> {
    blocking(&state, move |_| {
        let mut files = Files::new();
        let spec_id = files.add(SPEC_NAME, req.spec);
        let mut report = ironclad::check::check(&files, &[spec_id], false);
        if let (Some(text), Some(spec)) = (req.scenario, files.spec(spec_id).spec().cloned()) {
            let scenario_id = files.add(SCENARIO_NAME, text);
            if let Err(ironclad::Error::Invalid(raw)) = files.scenario(scenario_id, &spec) {
                let diagnostics: Vec<DiagnosticReport> = raw.iter().map(|d| DiagnosticReport::new(&files, d)).collect();
                let errors = diagnostics.iter().filter(|d| d.severity == "error").count();
                let warnings = diagnostics.len() - errors;
                report.errors += errors;
                report.warnings += warnings;
                report.ok = report.ok && errors == 0;
                report.files.push(FileCheck { file: SCENARIO_NAME.into(), errors, warnings, diagnostics, raw });
            }
        }
        Ok(report)
    })
    .await
    .map(axum::Json)
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<ShowRequest>,
) -> Result<axum::Json<ShowReport>, ApiError> {
    blocking(&state, move |_| {
        let mut files = Files::new();
        let id = files.add(SPEC_NAME, req.spec);
        let loaded = files.spec(id);
        let spec = loaded.valid().map_err(|e| ApiError::from_front(e, &files))?;
        Ok(ironclad::show::show(spec))
    })
    .await
    .map(axum::Json)
}

pub async fn obligations(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<ObligationsRequest>,
) -> Result<axum::Json<ObligationsReport>, ApiError> {
    let worker = state.clone();
    blocking(&state, move |_| {
        let inputs = Inputs::load(&worker, req.spec, req.scenario)?;
        let request = ironclad::obligations::Request {
            at: req.at,
            variants: pins(&req.variants)?,
            explain: req.explain,
            why_not: req.why_not,
        };
        let compiled = worker
            .session
            .compiled(&inputs.spec_text, &inputs.spec)
            .map_err(|e| ApiError::from_front(e, &inputs.files))?;
        ironclad::obligations::obligations_with(
            &compiled,
            &inputs.spec,
            SPEC_NAME,
            &inputs.spec_text,
            &inputs.scenario,
            SCENARIO_NAME,
            &request,
        )
        .map_err(|e| ApiError::from_front(e, &inputs.files))
    })
    .await
    .map(axum::Json)
}

pub async fn simulate(
    State(state): State<Arc<AppState>>,
    ApiJson(mut req): ApiJson<SimulateRequest>,
) -> Result<axum::Json<SimulateResponse>, ApiError> {
    let runs = req.runs.unwrap_or(state.limits.default_runs);
    if runs > state.limits.max_runs {
        return Err(ApiError::too_expensive(format!(
            "{runs} runs asked for; this server runs at most {} per request",
            state.limits.max_runs
        )));
    }
    let inputs = load(&state, std::mem::take(&mut req.spec), req.scenario.take()).await?;
    let overrides: Vec<(String, f64)> = std::mem::take(&mut req.params).into_iter().collect();
    let params = if overrides.is_empty() {
        None
    } else {
        Some(
            ironclad::simulate::params_with(&inputs.spec, &overrides)
                .map_err(|e| ApiError::from_front_horizons(e, &inputs.files))?,
        )
    };
    // Taken before the work starts and released when the worker ends, even past the deadline:
    // the bound is on simulations actually running.
    let permit = acquire(&state).await?;
    let worker = state.clone();
    blocking(&state, move |cancel| {
        let _permit = permit;
        let started = Instant::now();
        let front = |e| ApiError::from_front_horizons(e, &inputs.files);
        let request = ironclad::simulate::Request {
            runs: Some(runs),
            until_ci: None,
            seed: req.seed,
            horizons: req.horizons,
            variants: pins(&req.variants)?,
            params,
            absent: req.absent,
            off: req.off,
        };
        let report = worker.pool.install(|| {
            ironclad::simulate::simulate(
                &worker.session,
                &inputs.spec_text,
                &inputs.scenario_text,
                &inputs.spec,
                &inputs.scenario,
                &request,
                &|_, _| {},
                Some(cancel),
            )
        });
        let report = report.map_err(front)?;
        Ok(SimulateResponse { report, elapsed_ms: started.elapsed().as_secs_f64() * 1e3 })
    })
    .await
    .map(axum::Json)
}

/// A simulation slot: at once if one is free, else after a bounded wait in a bounded queue.
async fn acquire(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let busy = |why: &str| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Kind::Busy,
            format!(
                "{} simulations are running, the most this server runs at once, and {why}; try again shortly",
                state.limits.max_concurrent
            ),
        )
    };
    if let Ok(permit) = state.running.clone().try_acquire_owned() {
        return Ok(permit);
    }
    // Counted out by a guard, not after the wait: a client that disconnects while queued drops
    // this future at the `.await`, and its place in the queue must come free with it.
    let (_queued, ahead) = Waiting::enter(&state.waiting);
    if ahead >= state.limits.max_waiting {
        return Err(busy(&format!("{} more are waiting", state.limits.max_waiting)));
    }
    let waited = tokio::time::timeout(state.limits.queue_wait, state.running.clone().acquire_owned()).await;
    match waited {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(busy(&format!("none came free within {} ms", state.limits.queue_wait.as_millis()))),
    }
}

/// One place in the queue for a slot, counted in `waiting` for as long as it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    /// The place, and how many were waiting before it.
    fn enter(waiting: &'a AtomicUsize) -> (Waiting<'a>, usize) {
        let ahead = waiting.fetch_add(1, Ordering::SeqCst);
        (Waiting(waiting), ahead)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `POST /api/attribute`: Shapley values of the guarantors for a metric.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeRequest {
    pub spec: String,
    /// The scenario's TOML text; default: the spec's own scenario, from the server's library.
    #[serde(default)]
    pub scenario: Option<String>,
    /// `adequate` (default), `adequate:DOMAIN`, `credibility`, `deterred` (exact, at most 20
    /// players) or `delivered:DOMAIN`.
    #[serde(default)]
    pub metric: Option<String>,
    /// Horizon in days of the `adequate` and `delivered` metrics (default 30).
    #[serde(default)]
    pub horizon: Option<f64>,
    /// Insist on exact values (all coalitions).
    #[serde(default)]
    pub exact: bool,
    /// Half-width of sampled values.
    #[serde(default)]
    pub precision: Option<f64>,
    /// Runs every coalition is scored on (at least 2, at most the server's `--max-runs`).
    #[serde(default)]
    #[schemars(range(min = 2))]
    pub runs: Option<u64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub variants: BTreeMap<String, String>,
}

/// `POST /api/power`: voting power of one decision body of a spec.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerRequest {
    pub spec: String,
    /// The body's id (see `show`).
    pub body: String,
}

pub async fn power(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<PowerRequest>,
) -> Result<axum::Json<ironclad::power::PowerReport>, ApiError> {
    blocking(&state, move |_| {
        let mut files = Files::new();
        let id = files.add(SPEC_NAME, req.spec);
        let loaded = files.spec(id);
        let spec = loaded.valid().map_err(|e| ApiError::from_front(e, &files))?;
        ironclad::power::power(spec, &req.body).map_err(|e| ApiError::from_front(e, &files))
    })
    .await
    .map(axum::Json)
}

/// The attribution scores every coalition on the same runs; its runs are held to a simulation's
/// (`--max-runs`) and the deadline cancels it (the token is read before every run and every
/// sampling unit), so one request stays bounded in time as a simulation is.
pub async fn attribute(
    State(state): State<Arc<AppState>>,
    ApiJson(mut req): ApiJson<AttributeRequest>,
) -> Result<axum::Json<ironclad::attribute::AttributeReport>, ApiError> {
    let max = state.limits.max_runs;
    let runs = req.runs.unwrap_or(ironclad::attribute::DEFAULT_RUNS.min(max));
    if runs > max {
        return Err(ApiError::too_expensive(format!(
            "{runs} runs asked for; this server scores an attribution on at most {max} runs"
        )));
    }
    if req.exact && req.precision.is_some() {
        return Err(ApiError::bad_request(
            "`exact` and `precision` do not go together: exact values have no sampling error; give one of them",
        ));
    }
    let inputs = load(&state, std::mem::take(&mut req.spec), req.scenario.take()).await?;
    let permit = acquire(&state).await?;
    let worker = state.clone();
    blocking(&state, move |cancel| {
        let _permit = permit;
        let front = |e| ApiError::from_front(e, &inputs.files);
        let request = ironclad::attribute::Request {
            metric: req.metric.unwrap_or_else(|| "adequate".into()),
            horizon: req.horizon,
            exact: req.exact,
            precision: req.precision,
            runs: Some(runs),
            seed: req.seed,
            variants: pins(&req.variants)?,
            ..ironclad::attribute::Request::default()
        };
        let structure = inputs.structure(&worker)?;
        let model = ironclad::attribute::model(&structure, &inputs.spec, &request).map_err(front)?;
        worker
            .pool
            .install(|| ironclad::attribute::attribute_cancellable(&inputs.spec, &model, &request, Some(cancel)))
            .map_err(front)
    })
    .await
    .map(axum::Json)
}

/// `POST /api/discover`: PRIM boxes of the runs in which the guarantee fails.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverRequest {
    pub spec: String,
    #[serde(default)]
    pub scenario: Option<String>,
    /// `adequate` (default), `adequate:DOMAIN`, `credibility`.
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub horizon: Option<f64>,
    /// For `credibility`: a run fails below this (default 0.5).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Runs (default 20 000; half fitted, half held out; at least 20, and 10 per parameter point
    /// with `uncertain`; at most the server's `--max-runs`).
    #[serde(default)]
    #[schemars(range(min = 20))]
    pub runs: Option<u64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Most boxes (default 3).
    #[serde(default)]
    pub boxes: Option<usize>,
    #[serde(default)]
    pub variants: BTreeMap<String, String>,
    /// Also vary the spec's uncertain parameters over parameter points (default false).
    #[serde(default)]
    pub uncertain: bool,
    /// Parameter points with `uncertain` (even, at least 4; default 64).
    #[serde(default)]
    pub points: Option<usize>,
}

/// `POST /api/sensitivity`: Sobol' indices or Morris screening over the spec's uncertain
/// parameters.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitivityRequest {
    pub spec: String,
    #[serde(default)]
    pub scenario: Option<String>,
    /// `sobol` (default) or `morris`.
    #[serde(default)]
    pub method: Option<String>,
    /// Sobol' base samples (default 256) or Morris trajectories (default 20).
    #[serde(default)]
    pub samples: Option<usize>,
    /// Runs per design point (default 1 000; at least 1, at most the server's `--max-runs`).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub runs: Option<u64>,
    /// `adequate` (default), `adequate:DOMAIN`, `credibility`, `deterred`.
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub horizon: Option<f64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub variants: BTreeMap<String, String>,
}

pub async fn discover(
    State(state): State<Arc<AppState>>,
    ApiJson(mut req): ApiJson<DiscoverRequest>,
) -> Result<axum::Json<ironclad::discover::DiscoverReport>, ApiError> {
    let runs = req.runs.unwrap_or(ironclad::discover::DEFAULT_RUNS);
    if runs > state.limits.max_runs {
        return Err(ApiError::too_expensive(format!(
            "{runs} runs asked for; this server runs at most {} per request",
            state.limits.max_runs
        )));
    }
    let inputs = load(&state, std::mem::take(&mut req.spec), req.scenario.take()).await?;
    let permit = acquire(&state).await?;
    let worker = state.clone();
    blocking(&state, move |cancel| {
        let _permit = permit;
        let front = |e| ApiError::from_front(e, &inputs.files);
        let request = ironclad::discover::Request {
            metric: req.metric.unwrap_or_else(|| "adequate".into()),
            horizon: req.horizon,
            threshold: req.threshold,
            runs: Some(runs),
            seed: req.seed,
            boxes: req.boxes,
            variants: pins(&req.variants)?,
            uncertain: req.uncertain,
            points: req.points,
        };
        let structure = inputs.structure(&worker)?;
        let model = ironclad::discover::model(&structure, &inputs.spec, &request).map_err(front)?;
        worker
            .pool
            .install(|| {
                ironclad::discover::discover_cancellable(&structure, &inputs.spec, &model, &request, Some(cancel))
            })
            .map_err(front)
    })
    .await
    .map(axum::Json)
}

/// Most points of a sensitivity design a request may ask for: the design is held in memory
/// (points × parameters numbers, 10 MiB for 20 parameters), so its size is bounded even though
/// the deadline bounds the time.
pub const MAX_DESIGN_POINTS: u64 = 1 << 16;

/// A sensitivity run evaluates many design points; the deadline cancels it (the token is read
/// before every point and every chunk of its runs), so its runs per point are held to a
/// simulation's (`--max-runs`) and its points to [`MAX_DESIGN_POINTS`].
pub async fn sensitivity(
    State(state): State<Arc<AppState>>,
    ApiJson(mut req): ApiJson<SensitivityRequest>,
) -> Result<axum::Json<ironclad::sensitivity::SensitivityReport>, ApiError> {
    use ironclad::sensitivity::{DEFAULT_MORRIS_TRAJECTORIES, DEFAULT_RUNS, DEFAULT_SOBOL_SAMPLES, Method};
    let method = match req.method.as_deref().unwrap_or("sobol") {
        "sobol" => Method::Sobol,
        "morris" => Method::Morris,
        other => return Err(ApiError::bad_request(format!("no method `{other}`; methods: sobol, morris"))),
    };
    let max_runs = state.limits.max_runs;
    let runs = req.runs.unwrap_or(DEFAULT_RUNS);
    if runs > max_runs {
        return Err(ApiError::too_expensive(format!(
            "{runs} runs per point asked for; this server runs at most {max_runs} per point"
        )));
    }
    let inputs = load(&state, std::mem::take(&mut req.spec), req.scenario.take()).await?;
    let k = inputs.spec.params.uncertain.len() as u64;
    let samples = req.samples.unwrap_or(match method {
        Method::Sobol => DEFAULT_SOBOL_SAMPLES,
        Method::Morris => DEFAULT_MORRIS_TRAJECTORIES,
    }) as u64;
    // Sobol' (Saltelli): N·(k + 2) points; Morris: r trajectories of k + 1.
    let (each, unit) = match method {
        Method::Sobol => (k + 2, "samples"),
        Method::Morris => (k + 1, "trajectories"),
    };
    let points = samples.saturating_mul(each);
    if points > MAX_DESIGN_POINTS {
        return Err(ApiError::too_expensive(format!(
            "{samples} {unit} × {each} points each = {points} design points; this server evaluates at most {MAX_DESIGN_POINTS}"
        )));
    }
    let worker = state.clone();
    let permit = acquire(&state).await?;
    blocking(&state, move |cancel| {
        let _permit = permit;
        let front = |e| ApiError::from_front(e, &inputs.files);
        let request = ironclad::sensitivity::Request {
            method,
            samples: Some(samples as usize),
            runs: Some(runs),
            metric: req.metric.unwrap_or_else(|| "adequate".into()),
            horizon: req.horizon,
            seed: req.seed,
            variants: pins(&req.variants)?,
        };
        let structure = inputs.structure(&worker)?;
        worker
            .pool
            .install(|| {
                ironclad::sensitivity::sensitivity_cancellable(&structure, &inputs.spec, &request, Some(cancel))
            })
            .map_err(front)
    })
    .await
    .map(axum::Json)
}

/// Most frameworks (with the overlays of `with`) and most scenarios one comparison may name:
/// each is parsed and kept in memory before any run.
pub const MAX_COMPARED: usize = 64;

/// One framework of a comparison: a library framework by id, or a spec's text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum CompareFramework {
    /// A library framework (`GET /api/library`), by id.
    Library { id: String },
    /// A spec's TOML text; its diagnostics name it `spec-N.toml`, N its place in `frameworks`
    /// (from 1).
    Text { spec: String },
}

/// One scenario of a comparison: a library scenario by id, or a scenario's text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum CompareScenario {
    /// A library scenario (`GET /api/library`), by id.
    Library { id: String },
    /// A scenario's TOML text, reported as `name` (default `scenario-N.toml`, N its place in
    /// `scenarios`, from 1).
    Text {
        text: String,
        #[serde(default)]
        name: Option<String>,
    },
}

/// `POST /api/compare`: frameworks on the same scenarios with the same random numbers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = compare_example())]
pub struct CompareRequest {
    /// The frameworks, in order; the first is the reference of every difference.
    #[schemars(length(min = 1))]
    pub frameworks: Vec<CompareFramework>,
    /// The scenarios, each applied to every framework that has the names it uses; default: the
    /// first framework's own scenario, from the server's library.
    #[serde(default)]
    pub scenarios: Vec<CompareScenario>,
    /// Counterfactuals, each one more framework: `member=PARTY@FRAMEWORK` (PARTY made a member of
    /// the compared framework with that id), or an overlay's TOML text (`[overlay]`,
    /// docs/spec-format.md, "Overlays"). Never a file name.
    #[serde(default)]
    pub with: Vec<String>,
    /// Runs of every framework on every scenario (default 20 000); runs × frameworks × scenarios
    /// at most the server's `--max-runs`; at least 2.
    #[serde(default)]
    #[schemars(range(min = 2))]
    pub runs: Option<u64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Horizons in days; default 7, 30, 90.
    #[serde(default)]
    pub horizons: Vec<f64>,
    /// The headline metric the pivotal clauses are judged on: `adequate` (default),
    /// `adequate:DOMAIN`, `credibility` or `deterred`.
    #[serde(default)]
    pub metric: Option<String>,
}

/// The document's example of a comparison: "what if Ukraine were a NATO member", on the bundled
/// library.
fn compare_example() -> serde_json::Value {
    serde_json::json!({
        "frameworks": [{ "id": "nato-1949" }],
        "scenarios": [{ "id": "russian-attack-on-ukraine" }],
        "with": ["member=UA@nato-1949"],
        "runs": 2000,
        "seed": 1
    })
}

/// A comparison runs every framework (and, for its pivotal clause, every framework without each
/// of its clauses) on the same runs; runs × frameworks × scenarios are held to a simulation's
/// (`--max-runs`) and the deadline cancels it.
pub async fn compare(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<CompareRequest>,
) -> Result<axum::Json<ironclad::compare::CompareReport>, ApiError> {
    if req.frameworks.is_empty() {
        return Err(ApiError::bad_request("`frameworks` names no framework; give at least one"));
    }
    let runs = req.runs.unwrap_or(ironclad::compare::DEFAULT_RUNS);
    let count = (req.frameworks.len() + req.with.len()) as u64;
    let scenarios = req.scenarios.len().max(1) as u64;
    let total = runs.saturating_mul(count).saturating_mul(scenarios);
    if total > state.limits.max_runs {
        return Err(ApiError::too_expensive(format!(
            "{runs} runs × {count} frameworks × {scenarios} scenarios = {total} runs; this server runs at most {} per request",
            state.limits.max_runs
        )));
    }
    if count > MAX_COMPARED as u64 || req.scenarios.len() > MAX_COMPARED {
        return Err(ApiError::too_expensive(format!(
            "{count} frameworks (with the overlays) and {} scenarios; this server compares at most {MAX_COMPARED} of each",
            req.scenarios.len()
        )));
    }
    // A library framework given twice would be refused after every spec is parsed: refused
    // here, before any is.
    let mut seen = std::collections::BTreeSet::new();
    for f in &req.frameworks {
        if let CompareFramework::Library { id } = f
            && !seen.insert(id.as_str())
        {
            return Err(ApiError::bad_request(format!(
                "two frameworks of the comparison are labelled `{id}`: give each framework once, and each overlay its own `label`"
            )));
        }
    }
    let runs_request =
        ironclad::compare::Request { runs: Some(runs), seed: req.seed, horizons: req.horizons, metric: req.metric };
    // Parsed and checked before any wait for a slot (a malformed request gets its 4xx under load).
    let worker = state.clone();
    let (files, frameworks, scenarios) = blocking(&state, move |_| {
        let mut files = Files::new();
        let mut frameworks = Vec::new();
        let mut texts = Vec::new();
        for (i, f) in req.frameworks.into_iter().enumerate() {
            let (name, text) = match f {
                CompareFramework::Library { id } => {
                    let entry = worker.library.frameworks.get(&id).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "the library has no framework `{id}`; GET /api/library lists them"
                        ))
                    })?;
                    (format!("{id}.toml"), entry.text.clone())
                }
                CompareFramework::Text { spec } => (format!("spec-{}.toml", i + 1), spec),
            };
            let id = files.add(name, text.clone());
            let spec = files.spec(id).valid().map_err(|e| ApiError::from_front(e, &files))?.clone();
            texts.push((text, spec.framework.id.clone()));
            frameworks.push(ironclad::compare::Framework::new(spec));
        }
        for with in &req.with {
            // The shorthand, or an overlay's text: `Overlay::parse_arg` would read any other
            // argument as a file name, which a client must never give.
            let overlay = if with.trim_start().starts_with("member=") {
                ironclad::overlay::Overlay::parse_arg(with.trim())
                    .map_err(|e| ApiError::from_front(e, &files))?
            } else {
                ironclad::overlay::Overlay::parse(with).map_err(|m| {
                    ApiError::bad_request(format!(
                        "`with`: write member=PARTY@FRAMEWORK or an overlay's TOML text ([overlay]): {m}"
                    ))
                })?
            };
            frameworks.push(ironclad::overlay::apply_to(&texts, &overlay).map_err(|e| ApiError::from_front(e, &files))?);
        }
        let mut scenarios = Vec::new();
        for (i, sc) in req.scenarios.into_iter().enumerate() {
            scenarios.push(match sc {
                CompareScenario::Library { id } => {
                    let entry = worker.library.scenarios.get(&id).ok_or_else(|| {
                        ApiError::bad_request(format!("the library has no scenario `{id}`; GET /api/library lists them"))
                    })?;
                    ironclad::compare::ScenarioText { name: id, text: entry.text.clone() }
                }
                CompareScenario::Text { text, name } => ironclad::compare::ScenarioText {
                    name: name.unwrap_or_else(|| format!("scenario-{}.toml", i + 1)),
                    text,
                },
            });
        }
        if scenarios.is_empty() {
            let reference = &frameworks[0].spec;
            let named = reference.framework.scenario.as_deref().ok_or_else(|| {
                ApiError::bad_request("the first framework names no default scenario; send one in `scenarios`")
            })?;
            let entry = worker.library.default_scenario(named).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "the first framework's default scenario `{named}` is not in this server's library; send it in `scenarios`"
                ))
            })?;
            scenarios.push(ironclad::compare::ScenarioText { name: entry.id.clone(), text: entry.text.clone() });
        }
        Ok((files, frameworks, scenarios))
    })
    .await?;
    let request = runs_request;
    let permit = acquire(&state).await?;
    let worker = state.clone();
    blocking(&state, move |cancel| {
        let _permit = permit;
        worker
            .pool
            .install(|| ironclad::compare::compare_cancellable(&frameworks, &scenarios, &request, Some(cancel)))
            .map_err(|e| ApiError::from_front_horizons(e, &files))
    })
    .await
    .map(axum::Json)
}

/// `{"v": "o"}` as the front door's `v=o` pins; a variant id holding `=` would be split at it
/// and reported as another option, so it is refused here, as no variant id holds one.
fn pins(variants: &BTreeMap<String, String>) -> Result<Vec<String>, ApiError> {
    if let Some(v) = variants.keys().find(|v| v.contains('=')) {
        return Err(ApiError::bad_request(format!(
            "`variants` takes {{\"variant-id\": \"option-id\"}}; `{v}` is no variant id (ids hold no `=`)"
        )));
    }
    Ok(variants.iter().map(|(v, o)| format!("{v}={o}")).collect())
}

/// The spec and scenario of a request, parsed and checked off the async workers and before any
/// wait for a simulation slot: a malformed request gets its 4xx even when every slot is taken.
async fn load(state: &Arc<AppState>, spec: String, scenario: Option<String>) -> Result<Inputs, ApiError> {
    // Reading is cheap (the body is at most `--max-body`) but it is CPU work: bounded like the
    // runs, by as many permits as requests could run or wait, each waited for at most
    // `--queue-wait-ms`.
    let permit = tokio::time::timeout(state.limits.queue_wait, state.reading.clone().acquire_owned()).await;
    let Ok(Ok(_reading)) = permit else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Kind::Busy,
            format!(
                "{} requests are being read, the most this server reads at once, and none finished within {} ms; \
                 try again shortly",
                state.limits.max_concurrent + state.limits.max_waiting,
                state.limits.queue_wait.as_millis()
            ),
        ));
    };
    let worker = state.clone();
    blocking(state, move |_| Inputs::load(&worker, spec, scenario)).await
}

/// A valid spec and the scenario to run it on, both analysed in memory.
struct Inputs {
    files: Files,
    spec_text: String,
    scenario_text: String,
    spec: ironclad::spec::Spec,
    scenario: ironclad::spec::scenario::Scenario,
}

impl Inputs {
    fn load(state: &AppState, spec_text: String, scenario_text: Option<String>) -> Result<Inputs, ApiError> {
        let mut files = Files::new();
        let spec_id: FileId = files.add(SPEC_NAME, spec_text.clone());
        let spec = match files.spec(spec_id).valid() {
            Ok(spec) => spec.clone(),
            Err(e) => return Err(ApiError::from_front(e, &files)),
        };
        let scenario_text = match scenario_text {
            Some(text) => text,
            None => {
                let named = spec.framework.scenario.as_deref().ok_or_else(|| {
                    ApiError::bad_request("the spec names no default scenario; send one in `scenario`")
                })?;
                let entry = state.library.default_scenario(named).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "the spec's default scenario `{named}` is not in this server's library; send it in `scenario`"
                    ))
                })?;
                entry.text.clone()
            }
        };
        let scenario_id = files.add(SCENARIO_NAME, scenario_text.clone());
        let scenario = files.scenario(scenario_id, &spec).map_err(|e| ApiError::from_front(e, &files))?;
        Ok(Inputs { files, spec_text, scenario_text, spec, scenario })
    }

    /// The simulation structure of these inputs, from the server's session cache.
    fn structure(&self, state: &AppState) -> Result<Arc<ironclad::sim::Structure>, ApiError> {
        state
            .session
            .structure(&self.spec_text, &self.scenario_text, &self.spec, &self.scenario)
            .map_err(|e| ApiError::from_front(e, &self.files))
    }
}

/// Runs `work` off the async runtime with a cancellation token, and answers 504 if it passes
/// the deadline (setting the token, so a simulation stops at its next chunk).
async fn blocking<T, F>(state: &AppState, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AtomicBool) -> Result<T, ApiError> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let token = cancel.clone();
    // A client that disconnects drops this future (and the timeout with it): the guard sets the
    // token then, so the work stops at its next check and gives its slot back.
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let task = tokio::task::spawn_blocking(move || work(&token));
    match tokio::time::timeout(state.limits.deadline, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Internal,
            format!("the request failed inside the server: {join}"),
        )),
        Err(_) => {
            cancel.store(true, Ordering::Relaxed);
            Err(ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                Kind::Deadline,
                format!(
                    "the request ran past this server's deadline of {} ms and was cancelled; ask for fewer runs",
                    state.limits.deadline.as_millis()
                ),
            ))
        }
    }
}

/// Sets its token when dropped: when the handler's future ends, however it ends (an answer, the
/// deadline, or the client going away), the work it started is told to stop.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
