//! `report`: what the other commands say about one framework, gathered into one typed value —
//! `show`, the obligations of each scenario, `simulate`, the variant options pinned one at a
//! time, `attribute`, `sensitivity` and (when other frameworks are given) `compare`. The HTML
//! and Markdown renderers (`render::html`, `render::markdown`) lay it out; they compute nothing.
//!
//! Everything here is a function of the inputs and the seed: no clock, no paths other than the
//! names given, so a report can be snapshot-tested. Run counts are modest by default (a report
//! of the flagship takes seconds) and are written into the report.

use ironclad_sim::stats::Estimate;
use ironclad_spec::Spec;
use ironclad_spec::scenario::Scenario;
use schemars::JsonSchema;
use serde::Serialize;

use crate::attribute::AttributeReport;
use crate::compare::{CompareReport, Framework, ScenarioText};
use crate::obligations::ObligationsReport;
use crate::sensitivity::SensitivityReport;
use crate::show::ShowReport;
use crate::simulate::SimulateReport;
use crate::{Error, Session};

/// Runs of the main simulation of each scenario by default.
pub const DEFAULT_RUNS: u64 = 20_000;

/// How much to run; every count is written into the report.
#[derive(Debug, Clone)]
pub struct Request {
    /// Runs of the main simulation (default [`DEFAULT_RUNS`]); the other counts scale with it
    /// unless given.
    pub runs: Option<u64>,
    pub seed: u64,
    /// Runs per pinned variant option (default: a quarter of the main runs).
    pub option_runs: Option<u64>,
    /// Runs of the attribution (default: a fifth of the main runs).
    pub attribute_runs: Option<u64>,
    /// Rows of the Saltelli design of the sensitivity run (default 256).
    pub sensitivity_samples: Option<usize>,
    /// Runs per design point of the sensitivity run (default: the main runs / 50).
    pub sensitivity_runs: Option<u64>,
    /// Runs of the comparison (default: half the main runs).
    pub compare_runs: Option<u64>,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            runs: None,
            seed: 1,
            option_runs: None,
            attribute_runs: None,
            sensitivity_samples: None,
            sensitivity_runs: None,
            compare_runs: None,
        }
    }
}

/// The run counts used, as written into the report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RunCounts {
    pub simulate: u64,
    pub per_option: u64,
    pub attribute: u64,
    pub sensitivity_samples: usize,
    pub sensitivity_runs_per_point: u64,
    pub compare: u64,
}

impl Request {
    /// The counts actually used.
    pub fn counts(&self) -> RunCounts {
        let main = self.runs.unwrap_or(DEFAULT_RUNS);
        RunCounts {
            simulate: main,
            per_option: self.option_runs.unwrap_or((main / 4).max(100)),
            attribute: self.attribute_runs.unwrap_or((main / 5).max(100)),
            sensitivity_samples: self.sensitivity_samples.unwrap_or(256),
            sensitivity_runs_per_point: self.sensitivity_runs.unwrap_or((main / 50).max(50)),
            compare: self.compare_runs.unwrap_or((main / 2).max(100)),
        }
    }
}

/// A scenario to report on: its name (a path or label), its text and its resolution against
/// the spec.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioInput<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub scenario: &'a Scenario,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    /// The spec's file name, as given.
    pub spec_file: String,
    pub seed: u64,
    pub runs: RunCounts,
    /// The framework at a glance (`ironclad show`).
    pub show: ShowReport,
    pub scenarios: Vec<ScenarioSection>,
    /// The comparison with the frameworks of `--compare` on the same scenarios (`ironclad
    /// compare`), the reported framework first.
    pub compare: Option<CompareReport>,
    /// Why a section is missing or limited, one sentence each.
    pub notes: Vec<String>,
}

/// One scenario: its timeline, obligations, simulation and analyses.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScenarioSection {
    pub file: String,
    pub id: String,
    pub title: String,
    pub events: Vec<TimelineEvent>,
    /// `ironclad obligations` at the last event, each variant at its heaviest option.
    pub obligations: ObligationsReport,
    /// `ironclad simulate`; `None` when the scenario cannot be simulated (see `notes`).
    pub simulation: Option<SimulateReport>,
    /// The horizon, in days, of the per-option figures.
    pub headline_horizon: f64,
    /// Each variant option pinned in turn (the other variants sampled by weight), on the same
    /// seed (common random numbers).
    pub options: Vec<OptionEffect>,
    pub attribution: Option<AttributeReport>,
    pub sensitivity: Option<SensitivityReport>,
    /// Why a part of this section is missing.
    pub notes: Vec<String>,
}

/// An event of a scenario, for the timeline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimelineEvent {
    pub day: i64,
    /// The date, when the scenario has a start.
    pub date: Option<String>,
    pub kind: String,
    /// The parties, region and note, in words.
    pub detail: String,
}

/// What pinning one variant option changes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OptionEffect {
    pub variant: String,
    pub question: String,
    pub option: String,
    /// The analyst's weight of the option, in [0, 1].
    pub weight: f64,
    pub summary: Option<String>,
    /// The commitments and red lines that take effect only in this option.
    pub commitments: Vec<String>,
    pub red_lines: Vec<String>,
    /// P(adequate response in every need) at the headline horizon, 95 % Wilson interval.
    pub adequate: Estimate,
    /// P(deterred), its interval from the credibility's.
    pub deterred: Estimate,
    /// P(escalation), 95 % Wilson interval.
    pub escalation: Estimate,
    pub runs: u64,
}

fn date_text(scenario: &Scenario, day: i64) -> Option<String> {
    scenario.start.map(|s| crate::obligations::date_from_days(s.days_since_epoch().saturating_add(day)))
}

fn events(spec: &Spec, scenario: &Scenario) -> Vec<TimelineEvent> {
    scenario
        .events
        .iter()
        .map(|e| {
            let p = |x: Option<ironclad_spec::model::PartyId>| x.map(|p| spec.party(p).id.clone());
            let mut parts = Vec::new();
            for (name, value) in [
                ("attacker", p(e.attacker)),
                ("target", p(e.target)),
                ("party", p(e.party)),
                ("owner", p(e.owner)),
                ("violator", p(e.violator)),
            ] {
                if let Some(v) = value {
                    parts.push(format!("{name} {v}"));
                }
            }
            if let Some(r) = e.region {
                parts.push(format!("region {}", spec.region(r).id));
            }
            if let Some(b) = e.body {
                parts.push(format!("body {}", spec.body(b).id));
            }
            if !e.domains.is_empty() {
                let ds: Vec<&str> = e.domains.iter().map(|d| d.as_str()).collect();
                parts.push(format!("domains {}", ds.join(", ")));
            }
            if let Some(note) = &e.note {
                parts.push(note.clone());
            }
            TimelineEvent {
                day: e.day,
                date: date_text(scenario, e.day),
                kind: e.kind.as_str().to_string(),
                detail: parts.join("; "),
            }
        })
        .collect()
}

/// Builds the report on the current rayon pool. Usage errors (a bad option value) fail the
/// report; a scenario that cannot be simulated (no attack to respond to) or an analysis that does
/// not apply (no uncertain parameters) leaves a note instead of its section.
pub fn report(
    spec_name: &str,
    spec_text: &str,
    spec: &Spec,
    scenarios: &[ScenarioInput<'_>],
    compare_with: &[Framework],
    request: &Request,
) -> Result<Report, Error> {
    let runs = request.counts();
    if runs.simulate == 0 {
        return Err(Error::Usage("--runs must be at least 1".into()));
    }
    if runs.attribute < 2 || runs.compare < 2 || runs.per_option == 0 || runs.sensitivity_runs_per_point == 0 {
        return Err(Error::Usage("the run counts of the analyses must be at least 2".into()));
    }
    if scenarios.is_empty() {
        return Err(Error::Usage("a report needs a scenario: give --scenario FILE".into()));
    }
    // The same scenario twice (by its text, whatever the path) would print its section twice.
    for (i, input) in scenarios.iter().enumerate() {
        if let Some(first) = scenarios[..i].iter().find(|o| o.text == input.text) {
            return Err(Error::Usage(format!(
                "scenario `{}` is given twice (the same text as `{}`): give each scenario once",
                input.name, first.name
            )));
        }
    }
    let session = Session::new();
    let compiled = session.compiled(spec_text, spec)?;
    let mut sections = Vec::new();
    for input in scenarios {
        sections.push(section(&session, &compiled, spec_name, spec_text, spec, input, request, &runs)?);
    }
    let mut notes = Vec::new();
    let compare = if compare_with.is_empty() {
        None
    } else {
        let mut frameworks = vec![Framework::new(spec.clone())];
        frameworks.extend(compare_with.iter().cloned());
        let texts: Vec<ScenarioText> =
            scenarios.iter().map(|s| ScenarioText { name: s.name.to_string(), text: s.text.to_string() }).collect();
        let creq = crate::compare::Request {
            runs: Some(runs.compare),
            seed: request.seed,
            horizons: Vec::new(),
            metric: None,
        };
        match crate::compare::compare(&frameworks, &texts, &creq) {
            Ok(c) => Some(c),
            Err(Error::Unservable(why)) => {
                notes.push(format!("The comparison could not be run: {why}."));
                None
            }
            Err(e) => return Err(e),
        }
    };
    Ok(Report {
        schema_version: crate::SCHEMA_VERSION,
        spec_file: spec_name.to_string(),
        seed: request.seed,
        runs,
        show: crate::show::show(spec),
        scenarios: sections,
        compare,
        notes,
    })
}

#[allow(clippy::too_many_arguments)]
fn section(
    session: &Session,
    compiled: &ironclad_engine::Compiled,
    spec_name: &str,
    spec_text: &str,
    spec: &Spec,
    input: &ScenarioInput<'_>,
    request: &Request,
    runs: &RunCounts,
) -> Result<ScenarioSection, Error> {
    let scenario = input.scenario;
    let obligations = crate::obligations::obligations_with(
        compiled,
        spec,
        spec_name,
        spec_text,
        scenario,
        input.name,
        &crate::obligations::Request::default(),
    )?;
    let mut notes = Vec::new();
    let horizons = crate::simulate::DEFAULT_HORIZONS.to_vec();
    let headline_horizon = crate::compare::HEADLINE_HORIZON;
    let headline = horizons.iter().position(|h| *h == headline_horizon).unwrap_or(horizons.len() - 1);
    let mut section = ScenarioSection {
        file: input.name.to_string(),
        id: scenario.id.clone(),
        title: scenario.title.clone().unwrap_or_else(|| scenario.id.clone()),
        events: events(spec, scenario),
        obligations,
        simulation: None,
        headline_horizon: horizons[headline],
        options: Vec::new(),
        attribution: None,
        sensitivity: None,
        notes: Vec::new(),
    };
    let structure = match session.structure(spec_text, input.text, spec, scenario) {
        Ok(s) => s,
        Err(Error::Unservable(why)) => {
            notes.push(format!("This scenario cannot be simulated: {why}."));
            section.notes = notes;
            return Ok(section);
        }
        Err(e) => return Err(e),
    };
    let simulate = |variants: Vec<String>, n: u64| -> Result<SimulateReport, Error> {
        let req = crate::simulate::Request {
            runs: Some(n),
            seed: request.seed,
            horizons: horizons.clone(),
            variants,
            ..crate::simulate::Request::default()
        };
        let model = crate::simulate::model(&structure, spec, &req)?;
        let part = crate::simulate::participation(spec, &model, &req)?;
        let (_, summary) = crate::simulate::run(&model, &part, &req, &|_, _| {}, None, None)?;
        Ok(crate::simulate::report(summary, &req, None))
    };
    match simulate(Vec::new(), runs.simulate) {
        Ok(r) => section.simulation = Some(r),
        Err(Error::Unservable(why)) => {
            notes.push(format!("This scenario cannot be simulated: {why}."));
            section.notes = notes;
            return Ok(section);
        }
        Err(e) => return Err(e),
    }
    for v in &spec.variants {
        for o in &v.options {
            let r = simulate(vec![format!("{}={}", v.id, o.id)], runs.per_option)?;
            let s = &r.summary;
            section.options.push(OptionEffect {
                variant: v.id.clone(),
                question: v.question.clone(),
                option: o.id.clone(),
                weight: o.weight,
                summary: o.summary.clone(),
                commitments: o.commitments.iter().map(|c| spec.commitment(*c).id.clone()).collect(),
                red_lines: o.red_lines.iter().map(|r| spec.red_lines[r.index()].id.clone()).collect(),
                adequate: s.adequate[headline],
                deterred: s.deterred,
                escalation: s.escalation,
                runs: s.runs,
            });
        }
    }
    if spec.variants.is_empty() {
        notes.push("The framework has no variants: nothing to pin.".into());
    }
    let areq = crate::attribute::Request {
        metric: "adequate".into(),
        horizon: Some(headline_horizon),
        runs: Some(runs.attribute),
        seed: request.seed,
        ..crate::attribute::Request::default()
    };
    let attribution = crate::attribute::model(&structure, spec, &areq)
        .and_then(|model| crate::attribute::attribute(spec, &model, &areq));
    match attribution {
        Ok(a) => section.attribution = Some(a),
        Err(Error::Unservable(why)) => notes.push(format!("No attribution: {why}.")),
        Err(e) => return Err(e),
    }
    if spec.params.uncertain.is_empty() {
        notes.push(
            "No sensitivity run: the spec declares no uncertain parameters and opts out of the library's defaults."
                .into(),
        );
    } else {
        let sreq = crate::sensitivity::Request {
            method: crate::sensitivity::Method::Sobol,
            samples: Some(runs.sensitivity_samples),
            runs: Some(runs.sensitivity_runs_per_point),
            metric: "adequate".into(),
            horizon: Some(headline_horizon),
            seed: request.seed,
            variants: Vec::new(),
        };
        match crate::sensitivity::sensitivity(&structure, spec, &sreq) {
            Ok(s) => section.sensitivity = Some(s),
            Err(Error::Unservable(why)) => notes.push(format!("No sensitivity run: {why}.")),
            Err(e) => return Err(e),
        }
    }
    section.notes = notes;
    Ok(section)
}
