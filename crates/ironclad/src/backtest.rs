//! `backtest`: the model's honour priors held against recorded outcomes of tested guarantees
//! (`history/*/case.toml`), scored against two published baselines.
//!
//! For each recorded outcome (one guarantor in one case) the prediction comes from the model,
//! never from the recording: the case's scenario is replayed on its framework (the default
//! variant selection, each variant's heaviest option, as `ironclad obligations` does), and if a
//! tested commitment obliges the party the predicted P(honoured) is the prior of that
//! (commitment, party) pair, `honour[strength] × modality[modality]` from the spec's `[model]`
//! table ([`ModelParams::prior`], what `Structure::parameterise` uses). With several tested
//! commitments, the strongest obliging one (highest prior; the first listed on a tie) is the
//! one scored. If none obliges the party the model predicts non-action (P(honoured) = 0).
//!
//! Scores (lower is better): the Brier score on a binary outcome where `partly` counts 0.5, the
//! log loss on the same outcome with probabilities clipped to [0.01, 0.99], and a three-class
//! Brier score where the model's delay law for the commitment's kind splits P(honoured) into
//! in time (delay ≤ the spec's deterrence horizon, default 30 days) and late (= `partly`).
//! Baselines: a flat 74.5 % (Leeds, Long & Mitchell 2000), and Berkemeier & Fuhrmann's (2018)
//! fulfilment rate by the case's `alliance_type` (consultation pacts have no published rate:
//! their 50 % overall rate is used). Nothing is fitted to the cases. Outcomes within a case are
//! not independent, so scores are given per outcome and with cases weighted equally, with
//! percentile intervals from a seeded bootstrap over cases.

use std::path::{Path, PathBuf};

use ironclad_engine::Compiled;
use ironclad_engine::timeline::{self, Status};
use ironclad_spec::Spec;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::{Error, Files};

/// Flat base rate: alliance commitments honoured when invoked, 1816–1944.
pub const LEEDS_2000: f64 = 0.745;
/// Probabilities are clipped to this range in the log score.
pub const CLIP: (f64, f64) = (0.01, 0.99);
/// Default number of bootstrap resamples.
pub const DEFAULT_RESAMPLES: u64 = 2000;
/// Most bootstrap resamples.
pub const MAX_RESAMPLES: u64 = 1_000_000;
/// The fewest bootstrap resamples: a 2.5th percentile needs some to stand on.
pub const MIN_RESAMPLES: u64 = 100;
/// Width of a reliability bin of predicted probability.
pub const BIN_WIDTH: f64 = 0.1;

// ---------------------------------------------------------------------------------------------
// The case file

/// A `case.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub case: CaseHeader,
    #[serde(default)]
    pub source: Vec<CaseSource>,
    #[serde(default)]
    pub outcome: Vec<CaseOutcome>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseHeader {
    pub id: String,
    pub title: String,
    pub tested: toml::value::Datetime,
    /// The framework spec, relative to the case folder.
    pub framework: String,
    /// The scenario, relative to the case folder.
    pub scenario: String,
    pub alliance_type: AllianceType,
    pub summary: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSource {
    pub id: String,
    pub file: String,
    pub title: String,
    pub citation: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseOutcome {
    pub party: String,
    pub commitments: Vec<String>,
    pub recorded: Recorded,
    pub delay_days: Option<u32>,
    pub delivered: Option<String>,
    pub basis: String,
    #[serde(default)]
    pub evidence: Vec<CaseEvidence>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseEvidence {
    pub source: String,
    pub quote: String,
}

/// The ATOP obligation type of the tested commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AllianceType {
    Defense,
    Offense,
    Neutrality,
    Nonaggression,
    Consultation,
}

impl AllianceType {
    pub fn as_str(self) -> &'static str {
        match self {
            AllianceType::Defense => "defense",
            AllianceType::Offense => "offense",
            AllianceType::Neutrality => "neutrality",
            AllianceType::Nonaggression => "nonaggression",
            AllianceType::Consultation => "consultation",
        }
    }

    /// Berkemeier & Fuhrmann (2018): fulfilment by alliance type, 1816–2003. Consultation pacts
    /// have no published rate: their overall 50 % is used.
    pub fn base_rate(self) -> f64 {
        match self {
            AllianceType::Defense => 0.41,
            AllianceType::Offense => 0.74,
            AllianceType::Neutrality => 0.78,
            AllianceType::Nonaggression => 0.37,
            AllianceType::Consultation => 0.50,
        }
    }
}

/// What a guarantor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    Honoured,
    Partly,
    NotHonoured,
}

impl Recorded {
    pub fn as_str(self) -> &'static str {
        match self {
            Recorded::Honoured => "honoured",
            Recorded::Partly => "partly",
            Recorded::NotHonoured => "not_honoured",
        }
    }
    /// The binary outcome: honoured 1, partly 0.5, not honoured 0.
    pub fn value(self) -> f64 {
        match self {
            Recorded::Honoured => 1.0,
            Recorded::Partly => 0.5,
            Recorded::NotHonoured => 0.0,
        }
    }
    /// The observed class of the three-class score, judged by the forecast's own rule:
    /// honoured within `horizon` days (or with no delay recorded) is "in time" (0); honoured
    /// later, or partly honoured whatever its delay, is the middle class, "late or partly" (1);
    /// not honoured is 2.
    pub fn class(self, delay_days: Option<u32>, horizon: f64) -> usize {
        match self {
            Recorded::Honoured if delay_days.is_some_and(|d| f64::from(d) > horizon) => 1,
            Recorded::Honoured => 0,
            Recorded::Partly => 1,
            Recorded::NotHonoured => 2,
        }
    }
}

/// Parses a `case.toml`; the error names the file, and the field and line it is about.
pub fn parse_case(name: &str, text: &str) -> Result<CaseFile, String> {
    let case: CaseFile = toml::from_str(text).map_err(|e| format!("{name}: {}", e.to_string().trim_end()))?;
    if case.outcome.is_empty() {
        return Err(format!("{name}: the case has no [[outcome]]"));
    }
    for (i, o) in case.outcome.iter().enumerate() {
        if o.commitments.is_empty() {
            return Err(format!("{name}: [[outcome]] {} (party `{}`): `commitments` is empty", i + 1, o.party));
        }
        for e in &o.evidence {
            if !case.source.iter().any(|s| s.id == e.source) {
                let known: Vec<&str> = case.source.iter().map(|s| s.id.as_str()).collect();
                return Err(format!(
                    "{name}: [[outcome]] {} (party `{}`): evidence names source `{}`, which no [[source]] declares (sources: {})",
                    i + 1,
                    o.party,
                    e.source,
                    known.join(", ")
                ));
            }
        }
    }
    Ok(case)
}

// ---------------------------------------------------------------------------------------------
// Scores

/// Brier score of a binary forecast `p` against an outcome `y` in [0, 1].
pub fn brier(p: f64, y: f64) -> f64 {
    (p - y) * (p - y)
}

/// Log loss of `p` against `y` in [0, 1] (`partly` = 0.5 gives the cross-entropy), with `p`
/// clipped to [`CLIP`]. Lower is better.
pub fn log_loss(p: f64, y: f64) -> f64 {
    let p = p.clamp(CLIP.0, CLIP.1);
    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
}

/// Three-class Brier score: Σ (p_k − o_k)² over (honoured in time, late or partly, not
/// honoured), `class` the observed one ([`Recorded::class`]).
pub fn brier3(p: [f64; 3], class: usize) -> f64 {
    p.iter().enumerate().map(|(k, pk)| brier(*pk, if k == class { 1.0 } else { 0.0 })).sum()
}

// ---------------------------------------------------------------------------------------------
// The report

/// What to run.
#[derive(Debug, Clone)]
pub struct Request {
    /// The seed of the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples (default [`DEFAULT_RESAMPLES`]).
    pub resamples: Option<u64>,
}

impl Default for Request {
    fn default() -> Request {
        Request { seed: 1, resamples: None }
    }
}

/// The backtest: per outcome the predictions and the recording, and the scores.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BacktestReport {
    pub schema_version: u32,
    pub directory: String,
    /// How predictions and scores are made, one rule a line.
    pub method: Vec<String>,
    pub cases: Vec<CaseReport>,
    pub outcomes: usize,
    /// Outcomes for which the engine derives no obligation (the model predicts non-action).
    pub not_obliged: usize,
    pub scores: Vec<ScoreRow>,
    pub reliability: Vec<Bin>,
    /// The outcomes the model gets most wrong (largest Brier score), worst first.
    pub worst: Vec<Worst>,
    pub bootstrap: Bootstrap,
    /// Whether any parameter was fitted to these cases (never: the spec's own priors are used).
    pub fitted: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseReport {
    pub id: String,
    pub title: String,
    pub tested: String,
    pub alliance_type: AllianceType,
    pub framework: String,
    pub outcomes: Vec<OutcomeReport>,
    /// Mean Brier score of the model over this case's outcomes.
    pub brier_model: f64,
}

/// One guarantor in one case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OutcomeReport {
    pub party: String,
    /// The tested commitments, as the case lists them.
    pub commitments: Vec<String>,
    /// Whether the replay obliges the party under any tested commitment.
    pub obliged: bool,
    /// The commitment scored (the strongest obliging one); `None` when not obliged.
    pub scored_commitment: Option<String>,
    pub strength: Option<String>,
    pub modality: Option<String>,
    /// The obligation's status at the end of the replay.
    pub status: Option<String>,
    /// The model's P(honoured): the pair's prior, or 0 when not obliged.
    pub p_honoured: f64,
    /// The model's three-class forecast: honoured in time, late (partly), not honoured.
    pub p_in_time: f64,
    pub p_late: f64,
    pub p_not: f64,
    /// The horizon (days) that splits in time from late.
    pub horizon_days: f64,
    /// The model's P(delay <= horizon) for the scored (or first tested) commitment's kind.
    pub p_within_horizon: f64,
    pub recorded: Recorded,
    pub delay_days: Option<u32>,
    pub baseline_flat: f64,
    pub baseline_by_type: f64,
    pub brier_model: f64,
    pub log_model: f64,
}

/// A figure with its 95 % bootstrap interval (percentiles over resampled cases).
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct Est {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// One score under one weighting, for the model and both baselines. Lower is better; a
/// negative difference means the model beats the baseline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScoreRow {
    /// `brier`, `log` (clipped log loss) or `brier3` (three-class Brier).
    pub score: String,
    /// `outcome` (every outcome counts once) or `case` (every case counts once).
    pub weighting: String,
    pub model: Est,
    pub flat: Est,
    pub by_type: Est,
    pub model_minus_flat: Est,
    pub model_minus_by_type: Est,
}

/// A bin of the reliability diagram (per outcome).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Bin {
    pub low: f64,
    pub high: f64,
    pub count: usize,
    pub mean_predicted: f64,
    /// Mean recorded value (honoured 1, partly 0.5, not honoured 0).
    pub observed: f64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Worst {
    pub case: String,
    pub party: String,
    pub p_honoured: f64,
    pub recorded: Recorded,
    pub brier: f64,
    pub obliged: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Bootstrap {
    pub seed: u64,
    pub resamples: u64,
    /// Cases resampled. With one, every interval has zero width (there is nothing to resample):
    /// the text output shows none, and a reader of the JSON should take none.
    pub cases: usize,
}

/// The case folders under `dir` (those with a `case.toml`), sorted by name.
pub fn case_dirs(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::Unservable(format!("cannot read {}: {e}", dir.display())))?;
    let mut dirs: Vec<PathBuf> =
        entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.join("case.toml").is_file()).collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(Error::Usage(format!("no case folders (with a case.toml) in {}", dir.display())));
    }
    Ok(dirs)
}

/// Runs the backtest over every case folder of `dir`. Frameworks and scenarios are read into
/// `files`, so that their diagnostics can be rendered when they have errors.
pub fn backtest(files: &mut Files, dir: &Path, request: &Request) -> Result<BacktestReport, Error> {
    let resamples = request.resamples.unwrap_or(DEFAULT_RESAMPLES);
    if !(MIN_RESAMPLES..=MAX_RESAMPLES).contains(&resamples) {
        return Err(Error::Usage(format!(
            "--runs takes {MIN_RESAMPLES} to {MAX_RESAMPLES} bootstrap resamples (a 95 % percentile interval from \
             fewer has no meaning)"
        )));
    }
    let mut cases = Vec::new();
    for case_dir in case_dirs(dir)? {
        cases.push(run_case(files, &case_dir)?);
    }
    let metrics: Vec<Vec<[f64; METRICS]>> = cases.iter().map(|c| c.outcomes.iter().map(metrics).collect()).collect();
    let scores = score_rows(&metrics, resamples, request.seed);
    let all: Vec<&OutcomeReport> = cases.iter().flat_map(|c| c.outcomes.iter()).collect();
    let mut worst: Vec<Worst> = cases
        .iter()
        .flat_map(|c| {
            c.outcomes.iter().map(|o| Worst {
                case: c.id.clone(),
                party: o.party.clone(),
                p_honoured: o.p_honoured,
                recorded: o.recorded,
                brier: o.brier_model,
                obliged: o.obliged,
            })
        })
        .collect();
    worst.sort_by(|a, b| b.brier.total_cmp(&a.brier).then_with(|| a.case.cmp(&b.case)));
    worst.truncate(10);
    Ok(BacktestReport {
        schema_version: crate::SCHEMA_VERSION,
        directory: dir.display().to_string(),
        method: method_lines(),
        outcomes: all.len(),
        not_obliged: all.iter().filter(|o| !o.obliged).count(),
        reliability: reliability(&all),
        worst,
        bootstrap: Bootstrap { seed: request.seed, resamples, cases: cases.len() },
        scores,
        cases,
        fitted: false,
    })
}

fn method_lines() -> Vec<String> {
    [
        "prediction: the case's scenario replayed on its framework with the default variant selection (each variant's heaviest option, as `ironclad obligations`); nothing is taken from the recorded outcome",
        "P(honoured) = the prior of the (commitment, party) pair, honour[strength] x modality[modality] from the spec's [model] table; with several tested commitments, the strongest obliging one (highest prior, first listed on a tie)",
        "not obliged (no tested commitment obliges the party in the replay): the model predicts non-action, P(honoured) = 0",
        "three classes: honoured in time = P(honoured) x P(delay <= horizon), late or partly = P(honoured) x P(delay > horizon), not honoured = 1 - P(honoured); observed: honoured within the horizon (or with no delay recorded) is in time, honoured later or partly honoured is the middle class; delay: the model's log-normal for the commitment's kind; horizon: the spec's deterrence horizon (default 30 days); baselines are split by the same delay law",
        "binary scores: honoured = 1, partly = 0.5, not honoured = 0; Brier (p - y)^2; log loss -(y ln p + (1 - y) ln(1 - p)) with p clipped to [0.01, 0.99]; lower is better",
        "baselines: flat 74.5 % (Leeds, Long & Mitchell 2000, honoured when invoked, 1816-1944); by alliance type (Berkemeier & Fuhrmann 2018): defense 41 %, offense 74 %, neutrality 78 %, nonaggression 37 %, consultation 50 % (no published rate for consultation pacts: their overall rate)",
        "weightings: per outcome (every guarantor counts once) and per case (each case's mean, cases weighted equally); intervals: 95 % percentile bootstrap over cases (the case is the independent unit)",
        "nothing is fitted to these cases: the spec's own (default) priors are used",
    ]
    .map(String::from)
    .to_vec()
}

fn run_case(files: &mut Files, case_dir: &Path) -> Result<CaseReport, Error> {
    let case_path = case_dir.join("case.toml");
    let name = case_path.display().to_string();
    let text =
        std::fs::read_to_string(&case_path).map_err(|e| Error::Unservable(format!("{name}: cannot read: {e}")))?;
    let case = parse_case(&name, &text).map_err(Error::Unservable)?;
    let folder = case_dir.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    if case.case.id != folder {
        return Err(Error::Unservable(format!(
            "{name}: [case] id = \"{}\" differs from its folder name `{folder}`",
            case.case.id
        )));
    }
    for (field, file) in [("framework", &case.case.framework), ("scenario", &case.case.scenario)] {
        let path = case_dir.join(file);
        if let Err(e) = std::fs::metadata(&path) {
            return Err(Error::Unservable(format!(
                "{name}: [case] {field} = \"{file}\": cannot read {}: {e}",
                path.display()
            )));
        }
    }
    let spec_id = files.read(&case_dir.join(&case.case.framework));
    let loaded = files.spec(spec_id);
    let spec = loaded.valid()?;
    let scenario_id = files.read(&case_dir.join(&case.case.scenario));
    let scenario = files.scenario(scenario_id, spec)?;
    let compiled = Compiled::new(spec).map_err(|e| Error::Unservable(format!("{}: {e}", files.name(spec_id))))?;
    let replay = timeline::replay(spec, &compiled, &scenario, timeline::default_selection(spec), None);
    let mut outcomes = Vec::new();
    for (i, o) in case.outcome.iter().enumerate() {
        outcomes.push(predict(spec, &replay, &case, i, o, &name, files.name(spec_id))?);
    }
    let brier_model = outcomes.iter().map(|o| o.brier_model).sum::<f64>() / outcomes.len() as f64;
    Ok(CaseReport {
        id: case.case.id.clone(),
        title: case.case.title.clone(),
        tested: case.case.tested.to_string(),
        alliance_type: case.case.alliance_type,
        framework: spec.framework.id.clone(),
        outcomes,
        brier_model,
    })
}

fn predict(
    spec: &Spec,
    replay: &timeline::Replay,
    case: &CaseFile,
    i: usize,
    o: &CaseOutcome,
    name: &str,
    spec_name: &str,
) -> Result<OutcomeReport, Error> {
    let at = || format!("{name}: [[outcome]] {} (party `{}`)", i + 1, o.party);
    let party = spec.parties.iter().position(|p| p.id == o.party).ok_or_else(|| {
        let known: Vec<&str> = spec.parties.iter().map(|p| p.id.as_str()).collect();
        Error::Unservable(format!("{}: no party `{}` in {spec_name}; parties: {}", at(), o.party, known.join(", ")))
    })?;
    let mut tested = Vec::new();
    for id in &o.commitments {
        let c = spec
            .commitments
            .iter()
            .position(|c| c.id == *id)
            .ok_or_else(|| Error::Unservable(format!("{}: no commitment `{id}` in {spec_name}", at())))?;
        tested.push(c);
    }
    let params = &spec.params;
    // The strongest tested commitment that obliges the party (an obligation that arose and was
    // not voided), with its status.
    let mut scored: Option<(usize, f64, Status)> = None;
    for &c in &tested {
        let held = replay
            .obligations
            .iter()
            .find(|x| x.commitment.index() == c && x.party.index() == party && x.status != Status::Voided);
        if let Some(x) = held {
            let commitment = &spec.commitments[c];
            let prior = params.prior(commitment.strength, commitment.modality);
            if scored.is_none_or(|(_, best, _)| prior > best) {
                scored = Some((c, prior, x.status));
            }
        }
    }
    let horizon = params.deterrence_horizon;
    // The delay law of the scored commitment (or the first tested one), for the three classes.
    let kind = spec.commitments[scored.map_or(tested[0], |(c, _, _)| c)].kind;
    let delay = params.delay[kind as usize];
    let in_time = Normal::standard().cdf((horizon.ln() - delay.median.ln()) / delay.spread.max(1e-9));
    let split = |p: f64| [p * in_time, p * (1.0 - in_time), 1.0 - p];
    let p = scored.map_or(0.0, |(_, prior, _)| prior);
    let [p_in_time, p_late, p_not] = split(p);
    let y = o.recorded.value();
    Ok(OutcomeReport {
        party: o.party.clone(),
        commitments: o.commitments.clone(),
        obliged: scored.is_some(),
        scored_commitment: scored.map(|(c, _, _)| spec.commitments[c].id.clone()),
        strength: scored.map(|(c, _, _)| spec.commitments[c].strength.to_string()),
        modality: scored.map(|(c, _, _)| spec.commitments[c].modality.to_string()),
        status: scored.map(|(_, _, s)| s.as_str().to_string()),
        p_honoured: p,
        p_in_time,
        p_late,
        p_not,
        horizon_days: horizon,
        p_within_horizon: in_time,
        recorded: o.recorded,
        delay_days: o.delay_days,
        baseline_flat: LEEDS_2000,
        baseline_by_type: case.case.alliance_type.base_rate(),
        brier_model: brier(p, y),
        log_model: log_loss(p, y),
    })
}

/// Per outcome: (Brier, log, Brier3) × (model, flat, by type).
const METRICS: usize = 9;

fn metrics(o: &OutcomeReport) -> [f64; METRICS] {
    let y = o.recorded.value();
    let in_time = o.p_within_horizon;
    let split = |p: f64| [p * in_time, p * (1.0 - in_time), 1.0 - p];
    let ps = [o.p_honoured, o.baseline_flat, o.baseline_by_type];
    let mut m = [0.0; METRICS];
    for (f, p) in ps.iter().enumerate() {
        m[f] = brier(*p, y);
        m[3 + f] = log_loss(*p, y);
        m[6 + f] = brier3(split(*p), o.recorded.class(o.delay_days, o.horizon_days));
    }
    m
}

/// The mean of each metric under a weighting, over the cases `pick` (indices, repeats allowed).
fn means(metrics: &[Vec<[f64; METRICS]>], pick: &[usize], by_case: bool) -> [f64; METRICS] {
    let mut sum = [0.0; METRICS];
    let mut n = 0.0;
    for &c in pick {
        let outcomes = &metrics[c];
        if outcomes.is_empty() {
            continue;
        }
        let w = if by_case { 1.0 / outcomes.len() as f64 } else { 1.0 };
        for m in outcomes {
            for k in 0..METRICS {
                sum[k] += w * m[k];
            }
        }
        n += if by_case { 1.0 } else { outcomes.len() as f64 };
    }
    sum.map(|s| if n > 0.0 { s / n } else { f64::NAN })
}

/// The five figures of a score row from the metric means: model, flat, by type, differences.
fn figures(m: &[f64; METRICS], score: usize) -> [f64; 5] {
    let (model, flat, by_type) = (m[3 * score], m[3 * score + 1], m[3 * score + 2]);
    [model, flat, by_type, model - flat, model - by_type]
}

/// A small seeded generator (SplitMix64) for the bootstrap: the same seed, the same resamples.
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn score_rows(metrics: &[Vec<[f64; METRICS]>], resamples: u64, seed: u64) -> Vec<ScoreRow> {
    let n = metrics.len();
    let everyone: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix(seed ^ 0x6261_636b_7465_7374);
    // Per weighting, per score, per figure: the resampled values.
    let mut draws: Vec<Vec<Vec<Vec<f64>>>> = vec![vec![vec![Vec::new(); 5]; 3]; 2];
    let mut pick = vec![0; n];
    for _ in 0..resamples {
        for p in pick.iter_mut() {
            *p = rng.below(n);
        }
        for (w, by_case) in [false, true].into_iter().enumerate() {
            let m = means(metrics, &pick, by_case);
            for (s, score) in draws[w].iter_mut().enumerate() {
                for (f, v) in figures(&m, s).into_iter().enumerate() {
                    score[f].push(v);
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (s, score) in ["brier", "log", "brier3"].into_iter().enumerate() {
        for (w, weighting) in ["outcome", "case"].into_iter().enumerate() {
            let point = figures(&means(metrics, &everyone, w == 1), s);
            let est: Vec<Est> = (0..5)
                .map(|f| {
                    let mut v = draws[w][s][f].clone();
                    v.sort_by(f64::total_cmp);
                    Est { value: point[f], low: percentile(&v, 0.025), high: percentile(&v, 0.975) }
                })
                .collect();
            rows.push(ScoreRow {
                score: score.into(),
                weighting: weighting.into(),
                model: est[0],
                flat: est[1],
                by_type: est[2],
                model_minus_flat: est[3],
                model_minus_by_type: est[4],
            });
        }
    }
    rows
}

fn reliability(outcomes: &[&OutcomeReport]) -> Vec<Bin> {
    let bins = (1.0 / BIN_WIDTH).round() as usize;
    (0..bins)
        .filter_map(|b| {
            let low = b as f64 * BIN_WIDTH;
            let high = low + BIN_WIDTH;
            let inside: Vec<&&OutcomeReport> = outcomes
                .iter()
                .filter(|o| {
                    let bin = ((o.p_honoured / BIN_WIDTH).floor() as usize).min(bins - 1);
                    bin == b
                })
                .collect();
            (!inside.is_empty()).then(|| Bin {
                low,
                high,
                count: inside.len(),
                mean_predicted: inside.iter().map(|o| o.p_honoured).sum::<f64>() / inside.len() as f64,
                observed: inside.iter().map(|o| o.recorded.value()).sum::<f64>() / inside.len() as f64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brier_and_log_match_hand_computed_values() {
        assert!((brier(0.745, 1.0) - 0.065_025).abs() < 1e-12);
        assert!((brier(0.745, 0.0) - 0.555_025).abs() < 1e-12);
        assert!((brier(0.41, 0.5) - 0.0081).abs() < 1e-12);
        // -ln 0.745 = 0.294371...
        assert!((log_loss(0.745, 1.0) - 0.294_371_060_6).abs() < 1e-9);
        // p = 0 is clipped to 0.01: -ln 0.99 when not honoured, -ln 0.01 when honoured.
        assert!((log_loss(0.0, 0.0) - 0.010_050_335_9).abs() < 1e-9);
        assert!((log_loss(0.0, 1.0) - 4.605_170_186).abs() < 1e-9);
        // partly: -(0.5 ln 0.6 + 0.5 ln 0.4) = 0.7135582...
        assert!((log_loss(0.6, 0.5) - 0.713_558_2).abs() < 1e-6);
        // three classes: (0.5, 0.2, 0.3) against partly: 0.25 + 0.64 + 0.09.
        assert!((brier3([0.5, 0.2, 0.3], Recorded::Partly.class(Some(2), 30.0)) - 0.98).abs() < 1e-12);
        // The observed class follows the forecast's rule: honoured after the horizon is late.
        assert_eq!(Recorded::Honoured.class(Some(66), 30.0), 1);
        assert_eq!(Recorded::Honoured.class(Some(30), 30.0), 0);
        assert_eq!(Recorded::Honoured.class(None, 30.0), 0);
        assert_eq!(Recorded::NotHonoured.class(Some(66), 30.0), 2);
    }

    #[test]
    fn case_and_outcome_weightings_differ_as_computed_by_hand() {
        // Case 0: two outcomes with model Brier 0 and 1; case 1: one outcome with 0.25.
        let row = |b: f64| {
            let mut m = [0.0; METRICS];
            m[0] = b;
            m
        };
        let metrics = vec![vec![row(0.0), row(1.0)], vec![row(0.25)]];
        let per_outcome = means(&metrics, &[0, 1], false)[0];
        let per_case = means(&metrics, &[0, 1], true)[0];
        assert!((per_outcome - 1.25 / 3.0).abs() < 1e-12);
        assert!((per_case - 0.375).abs() < 1e-12);
    }

    #[test]
    fn the_bootstrap_is_deterministic_for_a_seed() {
        let row = |b: f64| {
            let mut m = [0.0; METRICS];
            m[0] = b;
            m[1] = 0.1;
            m
        };
        let metrics: Vec<Vec<[f64; METRICS]>> = (0..8).map(|i| vec![row(i as f64 / 8.0)]).collect();
        let a = score_rows(&metrics, 500, 7);
        let b = score_rows(&metrics, 500, 7);
        let c = score_rows(&metrics, 500, 8);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_ne!(format!("{a:?}"), format!("{c:?}"));
        let brier = &a[0];
        assert!(brier.model.low <= brier.model.value && brier.model.value <= brier.model.high);
    }

    fn parse_err(text: &str) -> String {
        parse_case("bad/case.toml", text).expect_err("the case is malformed")
    }

    const GOOD: &str = r#"
[case]
id = "x"
title = "X"
tested = 2001-09-12
framework = "framework.toml"
scenario = "scenario.toml"
alliance_type = "defense"
summary = "s"

[[source]]
id = "s1"
file = "../sources/x.txt"
title = "t"
citation = "c"

[[outcome]]
party = "US"
commitments = ["art5"]
recorded = "honoured"
basis = "b"

[[outcome.evidence]]
source = "s1"
quote = "q"
"#;

    #[test]
    fn a_good_case_parses() {
        let case = parse_case("ok/case.toml", GOOD).expect("parses");
        assert_eq!(case.outcome[0].recorded, Recorded::Honoured);
        assert_eq!(case.case.alliance_type, AllianceType::Defense);
    }

    #[test]
    fn malformed_cases_name_the_file_and_field() {
        let e = parse_err(&GOOD.replace("basis = \"b\"", "basis = \"b\"\ncolour = \"red\""));
        assert!(e.starts_with("bad/case.toml:") && e.contains("colour"), "{e}");
        let e = parse_err(&GOOD.replace("recorded = \"honoured\"", "recorded = \"maybe\""));
        assert!(e.contains("maybe") && e.contains("not_honoured"), "{e}");
        let e = parse_err(&GOOD.replace("alliance_type = \"defense\"\n", ""));
        assert!(e.contains("alliance_type"), "{e}");
        let e = parse_err(&GOOD.replace("tested = 2001-09-12", "tested = \"yesterday\""));
        assert!(e.contains("tested") || e.contains("line 5"), "{e}");
        let e = parse_err(&GOOD.replace("commitments = [\"art5\"]", "commitments = []"));
        assert!(e.contains("`commitments` is empty"), "{e}");
        let e = parse_err(&GOOD.replace("source = \"s1\"", "source = \"s2\""));
        assert!(e.contains("s2") && e.contains("s1"), "{e}");
    }
}
