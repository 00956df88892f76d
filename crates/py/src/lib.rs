//! `ironclad._native`: the front door's commands for Python. Glue only, like the CLI's
//! `commands.rs`: it puts texts into [`Files`], calls the same front-door functions with the
//! same requests, and hands back each report as the JSON the CLI's `--format json` prints
//! (`render::json`), so a figure in Python is the CLI's figure. The pure-Python package
//! (`python/ironclad/`) turns that JSON into objects, tables and HTML.
//!
//! Long calls run on a worker thread while the calling thread waits with the GIL released,
//! waking every [`POLL`] to report progress and to run Python's signal handlers
//! (`check_signals`): a KeyboardInterrupt sets the run's cancellation token.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use ironclad::check::DiagnosticReport;
use ironclad::render::json;
use ironclad::sim::Record;
use ironclad::spec::Spec;
use ironclad::spec::scenario::Scenario;
use ironclad::{Error, FileId, Files, Session};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// How often a waiting call wakes to report progress and check for Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

/// A source as Python gives it: a name, and its text — or `None` to read the name as a path.
type Source = (String, Option<String>);

fn add(files: &mut Files, (name, text): Source) -> FileId {
    match text {
        Some(text) => files.add(name, text),
        None => files.read(Path::new(&name)),
    }
}

/// A front-door error as the Python exception the package defines (`ironclad._errors`).
fn py_err(py: Python<'_>, files: &Files, err: Error) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let errors = py.import("ironclad._errors")?;
        let value = match err {
            Error::Invalid(diagnostics) => {
                let reports: Vec<DiagnosticReport> =
                    diagnostics.iter().map(|d| DiagnosticReport::new(files, d)).collect();
                let message = Error::Invalid(diagnostics).to_string();
                let reports = serde_json::to_string(&reports).unwrap_or_else(|_| "[]".into());
                errors.getattr("SpecError")?.call1((message, reports))?
            }
            Error::Usage(message) => errors.getattr("UsageError")?.call1((message,))?,
            Error::Unservable(message) => errors.getattr("UnservableError")?.call1((message,))?,
            Error::Cancelled => return Ok(PyKeyboardInterrupt::new_err("the run was cancelled")),
        };
        Ok(PyErr::from_value(value))
    };
    raise().unwrap_or_else(|e| e)
}

/// What a worker shares with the waiting thread.
#[derive(Default, Clone)]
struct Watch {
    done: Arc<AtomicU64>,
    planned: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
}

/// Runs `work` on a worker thread with the GIL released. Every [`POLL`] the calling thread
/// reports `(done, planned)` to `progress` (when they changed) and runs the signal handlers: on
/// KeyboardInterrupt (or a failing callback) it sets the cancellation token, waits for the
/// worker (a simulation stops at its next chunk, an analysis at its next run, unit or point), and
/// raises; so no work is left running.
fn run_watched<T: Send + 'static>(
    py: Python<'_>,
    watch: &Watch,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("ironclad-run".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    let mut rx = rx;
    let mut last = None;
    loop {
        let (got, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
        rx = back;
        let now = (watch.done.load(Ordering::Relaxed), watch.planned.load(Ordering::Relaxed));
        let mut failed = None;
        if let Some(callback) = progress
            && last != Some(now)
            && now.1 > 0
        {
            last = Some(now);
            if let Err(err) = callback.call1(now) {
                failed = Some(err);
            }
        }
        match got {
            Ok(value) => return failed.map_or(Ok(value), Err),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err("the ironclad worker thread panicked"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if failed.is_none()
            && let Err(err) = py.check_signals()
        {
            failed = Some(err);
        }
        if let Some(err) = failed {
            watch.cancel.store(true, Ordering::Relaxed);
            let _ = py.detach(move || rx.recv());
            return Err(err);
        }
    }
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Unservable(format!("cannot start threads: {e}")))
}

/// The inputs of a run: the files (the spec's, and the scenario's added), the spec and the scenario.
struct Inputs {
    files: Files,
    spec_id: FileId,
    scenario_id: FileId,
    spec: Spec,
    scenario: Scenario,
}

/// A framework spec, loaded once: its text, its analysis, and a [`Session`] that caches its
/// compiled engine and simulation structures between calls.
#[pyclass(module = "ironclad._native", frozen)]
struct Framework {
    files: Files,
    spec_id: FileId,
    spec: Option<Spec>,
    /// Where a scenario the spec names (`scenario` in [framework]) is found.
    base: PathBuf,
    session: Arc<Session>,
}

impl Framework {
    fn spec(&self) -> Result<&Spec, Error> {
        match &self.spec {
            Some(spec) => Ok(spec),
            None => Err(Error::Invalid(self.files.spec(self.spec_id).diagnostics())),
        }
    }

    /// Like the CLI's `load_inputs`: the scenario given, or the spec's own, both valid.
    fn inputs(&self, scenario: Option<Source>) -> Result<Inputs, (Files, Error)> {
        let mut files = self.files.clone();
        let spec = self.spec().map_err(|e| (files.clone(), e))?.clone();
        let source = match (scenario, &spec.framework.scenario) {
            (Some(source), _) => source,
            (None, Some(relative)) => (self.base.join(relative).display().to_string(), None),
            (None, None) => {
                let message = format!(
                    "{} names no default scenario; give one with scenario=PATH_OR_TEXT",
                    files.name(self.spec_id)
                );
                return Err((files, Error::Usage(message)));
            }
        };
        let scenario_id = add(&mut files, source);
        match files.scenario(scenario_id, &spec) {
            Ok(scenario) => Ok(Inputs { files, spec_id: self.spec_id, scenario_id, spec, scenario }),
            Err(err) => Err((files, err)),
        }
    }
}

/// Per-run records as columns, for `simulate(samples=True)`: the CLI's Parquet layout.
#[derive(Default)]
struct Columns {
    horizons: Vec<f64>,
    domains: Vec<String>,
    run: Vec<u8>,
    combination: Vec<u8>,
    honoured: Vec<u8>,
    credibility: Vec<u8>,
    escalation: Bits,
    adequate: Vec<Bits>,
    adequacy: Vec<Vec<u8>>,
    rows: usize,
}

/// A bit-packed boolean column (Arrow's layout: least significant bit first).
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, bit: bool) {
        if self.len % 8 == 0 {
            self.bytes.push(0);
        }
        if bit {
            let last = self.bytes.len() - 1;
            self.bytes[last] |= 1 << (self.len % 8);
        }
        self.len += 1;
    }
}

impl Columns {
    fn new(model: &ironclad::sim::SimModel) -> Columns {
        let cells = model.horizons.len() * model.needs.len();
        Columns {
            horizons: model.horizons.clone(),
            domains: model.needs.iter().map(|n| n.domain.clone()).collect(),
            adequate: (0..model.horizons.len()).map(|_| Bits::default()).collect(),
            adequacy: vec![Vec::new(); cells],
            ..Columns::default()
        }
    }

    fn push(&mut self, records: Vec<Record>) {
        for r in records {
            self.run.extend_from_slice(&r.run.to_le_bytes());
            self.combination.extend_from_slice(&r.combination.to_le_bytes());
            self.honoured.extend_from_slice(&r.honoured.to_le_bytes());
            self.credibility.extend_from_slice(&r.credibility.to_le_bytes());
            self.escalation.push(r.escalation);
            for (h, bits) in self.adequate.iter_mut().enumerate() {
                bits.push(r.adequate_all[h]);
            }
            for (cell, column) in self.adequacy.iter_mut().enumerate() {
                column.extend_from_slice(&r.adequacy[cell].to_le_bytes());
            }
            self.rows += 1;
        }
    }

    /// `(rows, [(name, arrow type, little-endian buffer)])`, each buffer copied once into a
    /// `bytes` object, which pyarrow then wraps without copying.
    fn into_py(self, py: Python<'_>) -> SampleColumns<'_> {
        let mut out = vec![
            ("run".to_string(), "uint64", PyBytes::new(py, &self.run)),
            ("combination".to_string(), "uint32", PyBytes::new(py, &self.combination)),
            ("honoured".to_string(), "uint32", PyBytes::new(py, &self.honoured)),
            ("credibility".to_string(), "float64", PyBytes::new(py, &self.credibility)),
            ("escalation".to_string(), "bool", PyBytes::new(py, &self.escalation.bytes)),
        ];
        for (h, bits) in self.horizons.iter().zip(&self.adequate) {
            out.push((format!("adequate_{h}d"), "bool", PyBytes::new(py, &bits.bytes)));
        }
        let mut cells = self.adequacy.iter();
        for h in &self.horizons {
            for d in &self.domains {
                let column = cells.next().map(Vec::as_slice).unwrap_or_default();
                out.push((format!("adequacy_{d}_{h}d"), "float64", PyBytes::new(py, column)));
            }
        }
        (self.rows, out)
    }
}

/// Rows, and per column its name, Arrow type and buffer.
type SampleColumns<'py> = (usize, Vec<(String, &'static str, Bound<'py, PyBytes>)>);

#[pymethods]
impl Framework {
    /// Loads a spec: from the file `name` (when `text` is None) or from `text`, labelled `name`.
    /// Never fails: a spec with errors is loaded, and the commands that need a valid one raise.
    #[new]
    #[pyo3(signature = (name, text=None))]
    fn new(name: String, text: Option<String>) -> Framework {
        let base = match text {
            None => Path::new(&name).parent().unwrap_or(Path::new(".")).to_path_buf(),
            Some(_) => PathBuf::from("."),
        };
        let mut files = Files::new();
        let spec_id = add(&mut files, (name, text));
        let spec = files.spec(spec_id).analysis.spec;
        Framework { files, spec_id, spec, base, session: Arc::new(Session::new()) }
    }

    /// The file's name (its path, or the label of a text).
    #[getter]
    fn name(&self) -> String {
        self.files.name(self.spec_id).to_string()
    }

    /// The spec's text.
    #[getter]
    fn text(&self) -> String {
        self.files.text(self.spec_id).to_string()
    }

    /// Whether the spec has no error.
    #[getter]
    fn valid(&self) -> bool {
        self.spec.is_some()
    }

    /// The `check` report (JSON) of this spec.
    #[pyo3(signature = (deny_warnings=false))]
    fn check(&self, deny_warnings: bool) -> String {
        json::to_string(&ironclad::check::check(&self.files, &[self.spec_id], deny_warnings))
    }

    /// The `show` report (JSON).
    fn show(&self, py: Python<'_>) -> PyResult<String> {
        let spec = self.spec().map_err(|e| py_err(py, &self.files, e))?;
        Ok(json::to_string(&ironclad::show::show(spec)))
    }

    /// The `obligations` report (JSON).
    #[pyo3(signature = (scenario=None, at=None, variants=Vec::new(), explain=false, why_not=None))]
    fn obligations(
        &self,
        py: Python<'_>,
        scenario: Option<Source>,
        at: Option<String>,
        variants: Vec<String>,
        explain: bool,
        why_not: Option<String>,
    ) -> PyResult<String> {
        let inputs = self.inputs(scenario).map_err(|(files, e)| py_err(py, &files, e))?;
        let request = ironclad::obligations::Request { at, variants, explain, why_not };
        let compiled = self.session.compiled(inputs.files.text(inputs.spec_id), &inputs.spec);
        let report = compiled.and_then(|compiled| {
            ironclad::obligations::obligations_with(
                &compiled,
                &inputs.spec,
                inputs.files.name(inputs.spec_id),
                inputs.files.text(inputs.spec_id),
                &inputs.scenario,
                inputs.files.name(inputs.scenario_id),
                &request,
            )
        });
        report.map(|r| json::to_string(&r)).map_err(|e| py_err(py, &inputs.files, e))
    }

    /// The `simulate` report (JSON), the wall-clock seconds of the runs and, with `samples`, the
    /// per-run records as columns.
    /// `progress(done, planned)` is called from the calling thread while the runs proceed.
    #[pyo3(signature = (scenario=None, runs=None, until_ci=None, seed=1, threads=None, horizons=Vec::new(),
                        variants=Vec::new(), absent=Vec::new(), progress=None, samples=false))]
    #[allow(clippy::too_many_arguments)]
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        scenario: Option<Source>,
        runs: Option<u64>,
        until_ci: Option<f64>,
        seed: u64,
        threads: Option<usize>,
        horizons: Vec<f64>,
        variants: Vec<String>,
        absent: Vec<String>,
        progress: Option<Bound<'py, PyAny>>,
        samples: bool,
    ) -> PyResult<(String, Option<f64>, Option<SampleColumns<'py>>, String)> {
        let request = ironclad::simulate::Request {
            runs,
            until_ci,
            seed,
            horizons,
            variants,
            params: None,
            absent,
            off: Vec::new(),
        };
        // As in the CLI: the request's own values are checked before any file is read.
        ironclad::simulate::validate(&request).map_err(|e| py_err(py, &Files::new(), e))?;
        let inputs = self.inputs(scenario).map_err(|(files, e)| py_err(py, &files, e))?;
        let files = &inputs.files;
        let prepared = self
            .session
            .structure(files.text(inputs.spec_id), files.text(inputs.scenario_id), &inputs.spec, &inputs.scenario)
            .and_then(|structure| {
                let model = ironclad::simulate::model(&structure, &inputs.spec, &request)?;
                let part = ironclad::simulate::participation(&inputs.spec, &model, &request)?;
                Ok((model, part))
            });
        let (model, part) = prepared.map_err(|e| py_err(py, files, e))?;
        let pool = pool(threads).map_err(|e| py_err(py, files, e))?;
        let watch = Watch::default();
        let shared = watch.clone();
        let result = run_watched(py, &watch, progress.as_ref(), move || {
            let mut columns = samples.then(|| Columns::new(&model));
            let report = |done: u64, planned: u64| {
                shared.planned.store(planned, Ordering::Relaxed);
                shared.done.store(done, Ordering::Relaxed);
            };
            let started = std::time::Instant::now();
            let result = pool.install(|| {
                let mut sink = |records: Vec<Record>| {
                    if let Some(c) = columns.as_mut() {
                        c.push(records);
                    }
                };
                let sink: Option<&mut dyn FnMut(Vec<Record>)> = if samples { Some(&mut sink) } else { None };
                ironclad::simulate::run(&model, &part, &request, &report, Some(&shared.cancel), sink)
            });
            result.map(|(_, summary)| {
                let report = ironclad::simulate::report(summary, &request, Some(started.elapsed().as_secs_f64()));
                let charts = ironclad::render::html::simulate_charts(&report);
                (json::to_string(&report), report.seconds, columns, charts)
            })
        })?;
        let (report, seconds, columns, charts) = result.map_err(|e| py_err(py, files, e))?;
        Ok((report, seconds, columns.map(|c| c.into_py(py)), charts))
    }

    /// The `attribute` report (JSON) and its chart (inline SVG, as in the HTML report).
    #[pyo3(signature = (scenario=None, metric="adequate".to_string(), horizon=None, exact=false, precision=None,
                        runs=None, seed=1, threads=None, variants=Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn attribute(
        &self,
        py: Python<'_>,
        scenario: Option<Source>,
        metric: String,
        horizon: Option<f64>,
        exact: bool,
        precision: Option<f64>,
        runs: Option<u64>,
        seed: u64,
        threads: Option<usize>,
        variants: Vec<String>,
    ) -> PyResult<(String, String)> {
        let inputs = self.inputs(scenario).map_err(|(files, e)| py_err(py, &files, e))?;
        let request = ironclad::attribute::Request {
            metric,
            horizon,
            exact,
            precision,
            runs,
            seed,
            variants,
            ..ironclad::attribute::Request::default()
        };
        let files = &inputs.files;
        let structure = self
            .session
            .structure(files.text(inputs.spec_id), files.text(inputs.scenario_id), &inputs.spec, &inputs.scenario)
            .map_err(|e| py_err(py, files, e))?;
        let pool = pool(threads).map_err(|e| py_err(py, files, e))?;
        let spec = inputs.spec.clone();
        let watch = Watch::default();
        let shared = watch.clone();
        let result = run_watched(py, &watch, None, move || {
            let model = ironclad::attribute::model(&structure, &spec, &request)?;
            pool.install(|| ironclad::attribute::attribute_cancellable(&spec, &model, &request, Some(&shared.cancel)))
                .map(|r| (json::to_string(&r), ironclad::render::html::attribute_charts(&r)))
        })?;
        result.map_err(|e| py_err(py, files, e))
    }

    /// The `sensitivity` report (JSON) and its chart (inline SVG); `method` is `sobol` or `morris`.
    #[pyo3(signature = (scenario=None, method="sobol".to_string(), samples=None, runs=None,
                        metric="adequate".to_string(), horizon=None, seed=1, threads=None, variants=Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn sensitivity(
        &self,
        py: Python<'_>,
        scenario: Option<Source>,
        method: String,
        samples: Option<usize>,
        runs: Option<u64>,
        metric: String,
        horizon: Option<f64>,
        seed: u64,
        threads: Option<usize>,
        variants: Vec<String>,
    ) -> PyResult<(String, String)> {
        let method = match method.as_str() {
            "sobol" => ironclad::sensitivity::Method::Sobol,
            "morris" => ironclad::sensitivity::Method::Morris,
            other => {
                let message = format!("unknown method `{other}`; methods: sobol, morris");
                return Err(py_err(py, &Files::new(), Error::Usage(message)));
            }
        };
        let inputs = self.inputs(scenario).map_err(|(files, e)| py_err(py, &files, e))?;
        let request = ironclad::sensitivity::Request { method, samples, runs, metric, horizon, seed, variants };
        let files = &inputs.files;
        let structure = self
            .session
            .structure(files.text(inputs.spec_id), files.text(inputs.scenario_id), &inputs.spec, &inputs.scenario)
            .map_err(|e| py_err(py, files, e))?;
        let pool = pool(threads).map_err(|e| py_err(py, files, e))?;
        let spec = inputs.spec.clone();
        let watch = Watch::default();
        let shared = watch.clone();
        let result = run_watched(py, &watch, None, move || {
            pool.install(|| {
                ironclad::sensitivity::sensitivity_cancellable(&structure, &spec, &request, Some(&shared.cancel))
            })
            .map(|r| (json::to_string(&r), ironclad::render::html::sensitivity_charts(&r)))
        })?;
        result.map_err(|e| py_err(py, files, e))
    }

    /// The `power` report (JSON) of the decision body `body`.
    fn power(&self, py: Python<'_>, body: &str) -> PyResult<String> {
        let spec = self.spec().map_err(|e| py_err(py, &self.files, e))?;
        ironclad::power::power(spec, body).map(|r| json::to_string(&r)).map_err(|e| py_err(py, &self.files, e))
    }

    /// The ids of the spec's decision bodies.
    fn bodies(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let spec = self.spec().map_err(|e| py_err(py, &self.files, e))?;
        Ok(ironclad::power::body_ids(spec))
    }
}

/// The `check` report (JSON) of several spec files at once.
#[pyfunction]
#[pyo3(signature = (sources, deny_warnings=false))]
fn check(sources: Vec<Source>, deny_warnings: bool) -> String {
    let mut files = Files::new();
    let ids: Vec<FileId> = sources.into_iter().map(|s| add(&mut files, s)).collect();
    json::to_string(&ironclad::check::check(&files, &ids, deny_warnings))
}

/// The `compare` report (JSON): frameworks (the first is the reference), scenarios given as
/// sources, and `with_` overlays (`member=PARTY@FRAMEWORK` or an overlay file).
#[pyfunction]
#[pyo3(signature = (frameworks, scenarios, with_=Vec::new(), runs=None, seed=1, horizons=Vec::new(), threads=None))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    frameworks: Vec<PyRef<'_, Framework>>,
    scenarios: Vec<Source>,
    with_: Vec<String>,
    runs: Option<u64>,
    seed: u64,
    horizons: Vec<f64>,
    threads: Option<usize>,
) -> PyResult<String> {
    let mut chosen = Vec::new();
    let mut texts = Vec::new();
    for f in &frameworks {
        let spec = f.spec().map_err(|e| py_err(py, &f.files, e))?;
        texts.push((f.files.text(f.spec_id).to_string(), spec.framework.id.clone()));
        chosen.push(ironclad::compare::Framework::new(spec.clone()));
    }
    let none = Files::new();
    for with in &with_ {
        let overlay = ironclad::overlay::Overlay::parse_arg(with).map_err(|e| py_err(py, &none, e))?;
        chosen.push(ironclad::overlay::apply_to(&texts, &overlay).map_err(|e| py_err(py, &none, e))?);
    }
    let mut texts = Vec::new();
    for (name, text) in scenarios {
        let text = match text {
            Some(text) => text,
            None => std::fs::read_to_string(&name)
                .map_err(|err| py_err(py, &none, Error::Usage(format!("cannot read the scenario {name}: {err}"))))?,
        };
        texts.push(ironclad::compare::ScenarioText { name, text });
    }
    let request = ironclad::compare::Request { runs, seed, horizons, metric: None };
    let pool = pool(threads).map_err(|e| py_err(py, &none, e))?;
    let watch = Watch::default();
    let shared = watch.clone();
    let result = run_watched(py, &watch, None, move || {
        pool.install(|| ironclad::compare::compare_cancellable(&chosen, &texts, &request, Some(&shared.cancel)))
            .map(|r| json::to_string(&r))
    })?;
    result.map_err(|e| py_err(py, &none, e))
}

/// The JSON Schema of a command's report (`check`, `show`, `obligations`, `simulate`, …), or of
/// the spec format when `output` is None.
#[pyfunction]
#[pyo3(signature = (output=None))]
fn schema(py: Python<'_>, output: Option<&str>) -> PyResult<String> {
    let value = match output {
        None => ironclad::schema::spec(),
        Some(name) => ironclad::schema::output(name).ok_or_else(|| {
            let message = format!("no output `{name}`; outputs: {}", ironclad::schema::OUTPUTS.join(", "));
            py_err(py, &Files::new(), Error::Usage(message))
        })?,
    };
    Ok(json::to_string(&value))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Framework>()?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add("SCHEMA_VERSION", ironclad::SCHEMA_VERSION)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
