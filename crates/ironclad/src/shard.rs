//! Sharded runs that merge exactly: a shard runs a contiguous range of chunks and writes its
//! exact accumulators to a state file; `merge` checks that the shards belong together and tile
//! the runs, and gives the report of the unsharded run, bit for bit.
//!
//! **The state format (version 1)** is text: a first line `ironclad-state 1`, a second line
//! `fnv1a64 HEX` (the FNV-1a hash of everything after that line), then one JSON object: the
//! spec's and scenario's names and texts (so a merge needs no other file, and their hashes
//! prove which inputs a shard ran), the seed, the request, the shard's run range and the total,
//! and the accumulator. Any truncation or altered byte fails the checksum.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use ironclad_analysis::stats::Moments;
use ironclad_sim::{Acc, CHUNK};

use crate::simulate::{Request, text_key};
use crate::{Error, Files};

/// The first line of a state file.
pub const MAGIC: &str = "ironclad-state 1";

/// Shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` with 1 ≤ K ≤ N (1-based on the command line, as Slurm's array indices).
    pub fn parse(text: &str) -> Result<Shard, Error> {
        let bad = || Error::Usage(format!("--shard takes K/N with 1 <= K <= N, not `{text}`"));
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { index: k - 1, count: n })
    }

    /// The chunks of a run of `runs` runs that this shard runs: a contiguous range
    /// (`ironclad_sim::shard_chunks`, the same split as `RunOptions::shard`).
    pub fn chunks(&self, runs: u64) -> std::ops::Range<u64> {
        ironclad_sim::shard_chunks(runs, self.index, self.count)
    }

    /// The runs of those chunks.
    pub fn runs(&self, runs: u64) -> std::ops::Range<u64> {
        let c = self.chunks(runs);
        (c.start * CHUNK).min(runs)..(c.end * CHUNK).min(runs)
    }
}

/// What a shard ran and found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub spec_name: String,
    pub spec_text: String,
    pub scenario_name: String,
    pub scenario_text: String,
    /// Hash of both texts (FNV-1a), as `simulate::text_key`.
    pub inputs_key: u64,
    pub seed: u64,
    pub runs: u64,
    pub horizons: Vec<f64>,
    pub variants: Vec<String>,
    pub absent: Vec<String>,
    /// Commitments that did not take part (absent from states written before the field).
    #[serde(default)]
    pub off: Vec<String>,
    /// The runs this shard ran: `[start, end)`.
    pub start: u64,
    pub end: u64,
    pub acc: Acc,
}

impl State {
    /// The state file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        to_bytes(self)
    }

    /// Reads a state file's bytes; `name` is for messages.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<State, Error> {
        let body = body(name, bytes)?;
        serde_json::from_str(body).map_err(|e| Error::Unservable(format!("{name}: unreadable content: {e}")))
    }
}

/// The checked content of a state file: its magic line and checksum verified.
fn body<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, Error> {
    let bad = |why: &str| Error::Unservable(format!("{name}: {why}"));
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not an ironclad state file (not UTF-8)"))?;
    let mut lines = text.splitn(3, '\n');
    let magic = lines.next().unwrap_or_default();
    if magic != MAGIC {
        return Err(if magic.starts_with("ironclad-state ") {
            bad(&format!("state format `{magic}` is not `{MAGIC}`: written by another version of ironclad"))
        } else {
            bad("not an ironclad state file")
        });
    }
    let sum = lines.next().and_then(|l| l.strip_prefix("fnv1a64 ")).ok_or_else(|| bad("no checksum line"))?;
    let body = lines.next().ok_or_else(|| bad("truncated: no content"))?;
    if format!("{:016x}", fnv(body.as_bytes())) != sum {
        return Err(bad("checksum mismatch: the file is truncated or corrupted"));
    }
    Ok(body)
}

fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let body = serde_json::to_string(value).unwrap_or_default();
    format!("{MAGIC}\nfnv1a64 {:016x}\n{body}", fnv(body.as_bytes())).into_bytes()
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The state of a finished shard.
pub fn state(
    files: &Files,
    spec: crate::FileId,
    scenario: crate::FileId,
    request: &Request,
    runs: u64,
    shard: Shard,
    acc: Acc,
) -> State {
    let r = shard.runs(runs);
    State {
        spec_name: files.name(spec).to_string(),
        spec_text: files.text(spec).to_string(),
        scenario_name: files.name(scenario).to_string(),
        scenario_text: files.text(scenario).to_string(),
        inputs_key: text_key(&[files.text(spec), files.text(scenario)]),
        seed: request.seed,
        runs,
        horizons: request.horizons.clone(),
        variants: request.variants.clone(),
        absent: request.absent.clone(),
        off: request.off.clone(),
        start: r.start,
        end: r.end,
        acc,
    }
}

/// Which shards a merge found, and what is missing.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Coverage {
    pub runs: u64,
    /// `[start, end)` ranges of runs that no shard covers.
    pub missing: Vec<(u64, u64)>,
}

/// Checks that the states belong to one simulation and tile its runs; returns the merged
/// accumulator and the request, and the inputs to rebuild the model from.
pub fn merge(states: &[(String, State)]) -> Result<(State, Coverage), Error> {
    let Some((first_name, first)) = states.first() else {
        return Err(Error::Usage("merge needs at least one state file".into()));
    };
    for (name, s) in &states[1..] {
        let differs = |what: &str| {
            Error::Unservable(format!("{name} and {first_name} are shards of different simulations: {what} differ"))
        };
        if s.inputs_key != first.inputs_key || s.spec_text != first.spec_text || s.scenario_text != first.scenario_text
        {
            return Err(differs("the spec or scenario texts"));
        }
        if s.seed != first.seed {
            return Err(differs("the seeds"));
        }
        if s.runs != first.runs {
            return Err(differs("the total run counts"));
        }
        if s.horizons != first.horizons
            || s.variants != first.variants
            || s.absent != first.absent
            || s.off != first.off
        {
            return Err(differs("the parameters (horizons, pinned variants, absent parties or commitments)"));
        }
    }
    for (name, s) in states {
        if s.start >= s.end || s.end > s.runs || s.acc.runs != s.end - s.start {
            return Err(Error::Unservable(format!(
                "{name}: its run range {}..{} of {} does not match its {} accumulated runs",
                s.start, s.end, s.runs, s.acc.runs
            )));
        }
    }
    let ranges: Vec<(u64, u64, &str)> = states.iter().map(|(n, s)| (s.start, s.end, n.as_str())).collect();
    let missing = tile(ranges, first.runs, "runs")?;
    let coverage = Coverage { runs: first.runs, missing };
    let mut merged = first.clone();
    merged.acc = states[1..].iter().fold(first.acc.clone(), |acc, (_, s)| acc.merge(&s.acc));
    merged.start = 0;
    merged.end = first.runs;
    Ok((merged, coverage))
}

/// Checks that the ranges `[start, end)` (each named by its file) tile `0..total` of `unit`s:
/// an error naming an overlap, or every missing range.
fn tile(mut ranges: Vec<(u64, u64, &str)>, total: u64, unit: &str) -> Result<Vec<(u64, u64)>, Error> {
    ranges.sort();
    let mut missing = Vec::new();
    let mut at = 0;
    for (start, end, name) in &ranges {
        if *start < at {
            return Err(Error::Unservable(format!(
                "{name} overlaps another shard: {unit} {start}..{at} are covered twice"
            )));
        }
        if *start > at {
            missing.push((at, *start));
        }
        at = at.max(*end);
    }
    if at < total {
        missing.push((at, total));
    }
    if !missing.is_empty() {
        let text: Vec<String> = missing.iter().map(|(a, b)| format!("{a}..{b}")).collect();
        return Err(Error::Unservable(format!(
            "{unit} not covered by any shard: {} (of 0..{total}); rerun the shards that cover them",
            text.join(", ")
        )));
    }
    Ok(missing)
}

/// Part `index` of `count` contiguous, near-equal parts of `0..total` (in `u128`, so any count).
pub fn split(total: u64, shard: Shard) -> std::ops::Range<u64> {
    let (t, n) = (u128::from(total), u128::from(shard.count.max(1)));
    let at = |k: u128| (t * k / n) as u64;
    at(u128::from(shard.index).min(n))..at((u128::from(shard.index) + 1).min(n))
}

/// Which analysis a state file holds a part of (states of `simulate` carry no such field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Analysis {
    Simulate,
    Sensitivity,
    Attribute,
}

impl Analysis {
    fn name(self) -> &'static str {
        match self {
            Analysis::Simulate => "simulate",
            Analysis::Sensitivity => "sensitivity",
            Analysis::Attribute => "attribute",
        }
    }
}

/// A `sensitivity` request as its shards carry it (floats as their bits, so they read back
/// exactly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityParams {
    pub method: String,
    pub samples: Option<usize>,
    pub runs: Option<u64>,
    pub metric: String,
    pub horizon_bits: Option<u64>,
    pub seed: u64,
    pub variants: Vec<String>,
}

impl SensitivityParams {
    fn of(r: &crate::sensitivity::Request) -> SensitivityParams {
        SensitivityParams {
            method: match r.method {
                crate::sensitivity::Method::Sobol => "sobol",
                crate::sensitivity::Method::Morris => "morris",
            }
            .into(),
            samples: r.samples,
            runs: r.runs,
            metric: r.metric.clone(),
            horizon_bits: r.horizon.map(f64::to_bits),
            seed: r.seed,
            variants: r.variants.clone(),
        }
    }

    fn request(&self) -> Result<crate::sensitivity::Request, Error> {
        let method = match self.method.as_str() {
            "sobol" => crate::sensitivity::Method::Sobol,
            "morris" => crate::sensitivity::Method::Morris,
            other => return Err(Error::Unservable(format!("unknown sensitivity method `{other}` in a state"))),
        };
        Ok(crate::sensitivity::Request {
            method,
            samples: self.samples,
            runs: self.runs,
            metric: self.metric.clone(),
            horizon: self.horizon_bits.map(f64::from_bits),
            seed: self.seed,
            variants: self.variants.clone(),
        })
    }
}

/// An `attribute` request as its shards carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeParams {
    pub metric: String,
    pub horizon_bits: Option<u64>,
    pub exact: bool,
    pub precision_bits: Option<u64>,
    pub runs: Option<u64>,
    pub seed: u64,
    pub variants: Vec<String>,
    pub max_units: Option<usize>,
}

impl AttributeParams {
    fn of(r: &crate::attribute::Request) -> AttributeParams {
        AttributeParams {
            metric: r.metric.clone(),
            horizon_bits: r.horizon.map(f64::to_bits),
            exact: r.exact,
            precision_bits: r.precision.map(f64::to_bits),
            runs: r.runs,
            seed: r.seed,
            variants: r.variants.clone(),
            max_units: r.max_units,
        }
    }

    fn request(&self) -> crate::attribute::Request {
        crate::attribute::Request {
            metric: self.metric.clone(),
            horizon: self.horizon_bits.map(f64::from_bits),
            exact: self.exact,
            precision: self.precision_bits.map(f64::from_bits),
            runs: self.runs,
            seed: self.seed,
            variants: self.variants.clone(),
            max_units: self.max_units,
        }
    }
}

/// A shard's share of one kind of work: `[start, end)` of `0..total` `unit`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// `evaluations` (sensitivity: the nominal parameters, then the design points), `runs`
    /// or `sampling-unit blocks` (attribute).
    pub unit: String,
    pub total: u64,
    pub start: u64,
    pub end: u64,
}

/// What a shard of an analysis computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The metric at each evaluation of the span, as `f64` bits.
    Sensitivity { values: Vec<u64> },
    /// The fixed-point sums of the per-run figures of the runs span, and the moments
    /// `(units, mean bits, m2 bits)` of each player in each block of the blocks span (sampled).
    Attribute { sum: Vec<i128>, sq: Vec<i128>, blocks: Vec<Vec<(u64, u64, u64)>> },
}

/// The state of a shard of `sensitivity` or `attribute`: the analysis, its inputs and request,
/// its spans of the work, and what it computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisState {
    pub analysis: Analysis,
    pub spec_name: String,
    pub spec_text: String,
    pub scenario_name: String,
    pub scenario_text: String,
    pub inputs_key: u64,
    pub sensitivity: Option<SensitivityParams>,
    pub attribute: Option<AttributeParams>,
    pub spans: Vec<Span>,
    pub part: Part,
}

impl AnalysisState {
    /// The state file's bytes (the format of [`State`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        to_bytes(self)
    }
}

/// A state file of any analysis.
#[derive(Debug, Clone)]
pub enum AnyState {
    Simulate(State),
    Analysis(AnalysisState),
}

impl AnyState {
    fn analysis(&self) -> Analysis {
        match self {
            AnyState::Simulate(_) => Analysis::Simulate,
            AnyState::Analysis(a) => a.analysis,
        }
    }
}

/// Reads a state file of any analysis; `name` is for messages.
pub fn read(name: &str, bytes: &[u8]) -> Result<AnyState, Error> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        analysis: Option<Analysis>,
    }
    let body = body(name, bytes)?;
    let unreadable = |e: serde_json::Error| Error::Unservable(format!("{name}: unreadable content: {e}"));
    let probe: Probe = serde_json::from_str(body).map_err(unreadable)?;
    match probe.analysis {
        None | Some(Analysis::Simulate) => serde_json::from_str(body).map(AnyState::Simulate).map_err(unreadable),
        Some(_) => serde_json::from_str(body).map(AnyState::Analysis).map_err(unreadable),
    }
}

/// The report of merged shards of any analysis.
#[derive(Debug, Clone)]
pub enum Merged {
    Simulate(crate::simulate::SimulateReport),
    Sensitivity(crate::sensitivity::SensitivityReport),
    Attribute(crate::attribute::AttributeReport),
}

/// Merges the states of one sharded analysis into its unsharded report.
pub fn merge_any(states: Vec<(String, AnyState)>) -> Result<Merged, Error> {
    let Some((first_name, first)) = states.first() else {
        return Err(Error::Usage("merge needs at least one state file".into()));
    };
    let kind = first.analysis();
    if let Some((name, other)) = states.iter().find(|(_, s)| s.analysis() != kind) {
        return Err(Error::Unservable(format!(
            "{name} is a shard of `{}` and {first_name} of `{}`: shards of different analyses",
            other.analysis().name(),
            kind.name()
        )));
    }
    let mut sims = Vec::new();
    let mut analyses = Vec::new();
    for (name, s) in states {
        match s {
            AnyState::Simulate(s) => sims.push((name, s)),
            AnyState::Analysis(a) => analyses.push((name, a)),
        }
    }
    if !sims.is_empty() {
        let (merged, _) = merge(&sims)?;
        return crate::simulate::merged_report(&merged).map(Merged::Simulate);
    }
    merge_analysis(&analyses)
}

/// The state of a shard of `sensitivity`: its share of the evaluations, on the current pool.
pub fn sensitivity_state(
    files: &Files,
    spec_id: crate::FileId,
    scenario_id: crate::FileId,
    structure: &ironclad_sim::Structure,
    spec: &ironclad_spec::Spec,
    request: &crate::sensitivity::Request,
    shard: Shard,
) -> Result<AnalysisState, Error> {
    let total = crate::sensitivity::evaluations(structure, spec, request)?;
    if shard.count > total {
        return Err(Error::Usage(format!(
            "{} shards for {total} evaluations (the nominal parameters and {} design points): at most {total} shards",
            shard.count,
            total - 1
        )));
    }
    let range = split(total, shard);
    let values = crate::sensitivity::partial(structure, spec, request, range.clone())?;
    Ok(AnalysisState {
        analysis: Analysis::Sensitivity,
        sensitivity: Some(SensitivityParams::of(request)),
        attribute: None,
        spans: vec![Span { unit: "evaluations".into(), total, start: range.start, end: range.end }],
        part: Part::Sensitivity { values: values.into_iter().map(f64::to_bits).collect() },
        ..inputs(files, spec_id, scenario_id)
    })
}

/// The state of a shard of `attribute`: its share of the runs and (sampled method) of the
/// blocks of sampling units, on the current pool.
pub fn attribute_state(
    files: &Files,
    spec_id: crate::FileId,
    scenario_id: crate::FileId,
    spec: &ironclad_spec::Spec,
    model: &ironclad_sim::SimModel,
    request: &crate::attribute::Request,
    shard: Shard,
) -> Result<AnalysisState, Error> {
    let (runs, blocks) = crate::attribute::shares(spec, model, request)?;
    if blocks > 0 && request.max_units.is_none() {
        return Err(Error::Usage(
            "a sharded sampled attribution computes every unit up to --max-units (the stopping rule is applied by merge): \
             give --max-units, e.g. the units an unsharded run used"
                .into(),
        ));
    }
    let most = if blocks > 0 { runs.min(blocks) } else { runs };
    if shard.count > most {
        return Err(Error::Usage(format!(
            "{} shards: an attribution of {runs} runs{} has at most {most} shards",
            shard.count,
            if blocks > 0 { format!(" and {blocks} blocks of sampling units") } else { String::new() }
        )));
    }
    let r = split(runs, shard);
    let b = if blocks > 0 { split(blocks, shard) } else { 0..0 };
    let (sums, moments) = crate::attribute::partial(spec, model, request, r.clone(), b.clone())?;
    let mut spans = vec![Span { unit: "runs".into(), total: runs, start: r.start, end: r.end }];
    if blocks > 0 {
        spans.push(Span { unit: "sampling-unit blocks".into(), total: blocks, start: b.start, end: b.end });
    }
    Ok(AnalysisState {
        analysis: Analysis::Attribute,
        sensitivity: None,
        attribute: Some(AttributeParams::of(request)),
        spans,
        part: Part::Attribute {
            sum: sums.sum,
            sq: sums.sq,
            blocks: moments
                .iter()
                .map(|b| b.iter().map(|m| (m.n, m.mean.to_bits(), m.m2.to_bits())).collect())
                .collect(),
        },
        ..inputs(files, spec_id, scenario_id)
    })
}

/// A state's inputs, with placeholders for the rest.
fn inputs(files: &Files, spec: crate::FileId, scenario: crate::FileId) -> AnalysisState {
    AnalysisState {
        analysis: Analysis::Simulate,
        spec_name: files.name(spec).to_string(),
        spec_text: files.text(spec).to_string(),
        scenario_name: files.name(scenario).to_string(),
        scenario_text: files.text(scenario).to_string(),
        inputs_key: text_key(&[files.text(spec), files.text(scenario)]),
        sensitivity: None,
        attribute: None,
        spans: Vec::new(),
        part: Part::Sensitivity { values: Vec::new() },
    }
}

fn merge_analysis(states: &[(String, AnalysisState)]) -> Result<Merged, Error> {
    let Some((first_name, first)) = states.first() else {
        return Err(Error::Usage("merge needs at least one state file".into()));
    };
    for (name, s) in &states[1..] {
        let differs = |what: &str| {
            Error::Unservable(format!(
                "{name} and {first_name} are shards of different {} analyses: {what} differ",
                first.analysis.name()
            ))
        };
        if s.inputs_key != first.inputs_key || s.spec_text != first.spec_text || s.scenario_text != first.scenario_text
        {
            return Err(differs("the spec or scenario texts"));
        }
        let seed =
            |s: &AnalysisState| s.sensitivity.as_ref().map(|p| p.seed).or_else(|| s.attribute.as_ref().map(|p| p.seed));
        if seed(s) != seed(first) {
            return Err(differs("the seeds"));
        }
        if s.sensitivity != first.sensitivity || s.attribute != first.attribute {
            return Err(differs(
                "the parameters (method, samples, runs, metric, horizon, precision, pinned variants or most units)",
            ));
        }
        let plan = |s: &AnalysisState| s.spans.iter().map(|p| (p.unit.clone(), p.total)).collect::<Vec<_>>();
        if plan(s) != plan(first) {
            return Err(differs("the divisions of the work"));
        }
    }
    // Each state's part fits its spans.
    for (name, s) in states {
        let bad = |why: &str| Error::Unservable(format!("{name}: {why}"));
        if s.spans.iter().any(|p| p.start >= p.end || p.end > p.total) {
            return Err(bad("a span of its work is empty or beyond the whole"));
        }
        let fits = match (&s.part, s.analysis, s.spans.as_slice()) {
            (Part::Sensitivity { values }, Analysis::Sensitivity, [e]) => {
                s.sensitivity.is_some() && values.len() as u64 == e.end - e.start
            }
            (Part::Attribute { sum, sq, blocks }, Analysis::Attribute, [_]) => {
                s.attribute.is_some() && sum.len() == sq.len() && blocks.is_empty()
            }
            (Part::Attribute { sum, sq, blocks }, Analysis::Attribute, [_, b]) => {
                s.attribute.is_some() && sum.len() == sq.len() && blocks.len() as u64 == b.end - b.start
            }
            _ => false,
        };
        if !fits {
            return Err(bad("what it computed does not fit the work it names"));
        }
    }
    for (k, span) in first.spans.iter().enumerate() {
        let ranges = states.iter().map(|(n, s)| (s.spans[k].start, s.spans[k].end, n.as_str())).collect();
        tile(ranges, span.total, &span.unit)?;
    }
    let mut order: Vec<&AnalysisState> = states.iter().map(|(_, s)| s).collect();
    rebuild(first, |spec, structure| match first.analysis {
        Analysis::Sensitivity => {
            order.sort_by_key(|s| s.spans[0].start);
            let mut y = Vec::new();
            for s in &order {
                if let Part::Sensitivity { values } = &s.part {
                    y.extend(values.iter().map(|b| f64::from_bits(*b)));
                }
            }
            let request = first.sensitivity.as_ref().map(SensitivityParams::request).transpose()?;
            let request = request.ok_or_else(|| Error::Unservable("a sensitivity state without its request".into()))?;
            crate::sensitivity::merged(structure, spec, &request, &y).map(Merged::Sensitivity)
        }
        Analysis::Attribute => {
            let request = first
                .attribute
                .as_ref()
                .map(AttributeParams::request)
                .ok_or_else(|| Error::Unservable("an attribute state without its request".into()))?;
            let model = crate::attribute::model(structure, spec, &request)?;
            let mut total: Option<crate::attribute::Sums> = None;
            order.sort_by_key(|s| s.spans.get(1).map_or(0, |b| b.start));
            let mut moments = Vec::new();
            for s in &order {
                if let Part::Attribute { sum, sq, blocks } = &s.part {
                    let part = crate::attribute::Sums { sum: sum.clone(), sq: sq.clone() };
                    match total.as_mut() {
                        None => total = Some(part),
                        Some(t) if t.sum.len() == part.sum.len() => t.merge(&part),
                        Some(_) => return Err(Error::Unservable("shards' sums of different lengths".into())),
                    }
                    moments.extend(blocks.iter().map(|b| {
                        b.iter()
                            .map(|&(n, mean, m2)| Moments { n, mean: f64::from_bits(mean), m2: f64::from_bits(m2) })
                            .collect::<Vec<_>>()
                    }));
                }
            }
            let total = total.ok_or_else(|| Error::Unservable("no sums".into()))?;
            crate::attribute::merged(spec, &model, &request, &total, &moments).map(Merged::Attribute)
        }
        Analysis::Simulate => Err(Error::Unservable("a simulate state read as an analysis".into())),
    })
}

/// Rebuilds the spec, scenario and simulation structure from the texts an analysis state
/// carries, and hands them to `f`.
fn rebuild<T>(
    state: &AnalysisState,
    f: impl FnOnce(&ironclad_spec::Spec, &ironclad_sim::Structure) -> Result<T, Error>,
) -> Result<T, Error> {
    rebuild_from_texts([&state.spec_name, &state.spec_text, &state.scenario_name, &state.scenario_text], f)
}

/// Rebuilds the spec, scenario and simulation structure from a state's texts (spec name and
/// text, scenario name and text), and hands them to `f`. A state's texts come from a file that
/// may have been altered (with a recomputed checksum) or written by another version: their
/// diagnostics are reported as text, not as spans into files the caller does not have.
pub(crate) fn rebuild_from_texts<T>(
    [spec_name, spec_text, scenario_name, scenario_text]: [&String; 4],
    f: impl FnOnce(&ironclad_spec::Spec, &ironclad_sim::Structure) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut files = Files::new();
    let spec_id = files.add(spec_name.clone(), spec_text.clone());
    let scenario_id = files.add(scenario_name.clone(), scenario_text.clone());
    let invalid = |e: Error| match e {
        Error::Invalid(d) => Error::Unservable(format!(
            "the spec or scenario carried by the state has errors: {}",
            d.iter().map(|d| d.diagnostic.message.clone()).collect::<Vec<_>>().join("; ")
        )),
        other => other,
    };
    let loaded = files.spec(spec_id);
    let spec = loaded.valid().map_err(invalid)?;
    let scenario = files.scenario(scenario_id, spec).map_err(invalid)?;
    let structure = ironclad_sim::Structure::build(spec, &scenario).map_err(|e| Error::Unservable(e.to_string()))?;
    f(spec, &structure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::json;

    const SPEC: &str = "frameworks/coalition-2025.toml";
    const SCENARIO: &str = "scenarios/ceasefire-then-offensive.toml";

    fn files() -> (Files, crate::FileId, crate::FileId) {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Files::new();
        let spec = files.read(&root.join(SPEC));
        let scenario = files.read(&root.join(SCENARIO));
        (files, spec, scenario)
    }

    /// Runs `f` with the flagship's spec and structure.
    fn with_flagship<T>(
        f: impl FnOnce(&Files, crate::FileId, crate::FileId, &ironclad_spec::Spec, &ironclad_sim::Structure) -> T,
    ) -> T {
        let (files, spec_id, scenario_id) = files();
        let loaded = files.spec(spec_id);
        let spec = loaded.valid().expect("the flagship is valid");
        let scenario = files.scenario(scenario_id, spec).expect("its scenario is valid");
        let structure = ironclad_sim::Structure::build(spec, &scenario).expect("a structure");
        f(&files, spec_id, scenario_id, spec, &structure)
    }

    /// Writes and reads back each state (as a merge does) and merges them, in reverse order.
    fn merge_states(states: &[AnalysisState]) -> Result<Merged, Error> {
        let read: Vec<(String, AnyState)> = states
            .iter()
            .enumerate()
            .rev()
            .map(|(k, s)| {
                let name = format!("part-{}.bin", k + 1);
                let any = read(&name, &s.to_bytes()).expect("a state reads back");
                (name, any)
            })
            .collect();
        merge_any(read)
    }

    fn sensitivity_request(method: crate::sensitivity::Method) -> crate::sensitivity::Request {
        crate::sensitivity::Request {
            method,
            samples: Some(4),
            runs: Some(48),
            seed: 3,
            ..crate::sensitivity::Request::default()
        }
    }

    #[test]
    fn sharded_sensitivity_merges_into_the_unsharded_bytes() {
        with_flagship(|files, spec_id, scenario_id, spec, structure| {
            for method in [crate::sensitivity::Method::Sobol, crate::sensitivity::Method::Morris] {
                let request = sensitivity_request(method);
                let whole = crate::sensitivity::sensitivity(structure, spec, &request).expect("runs");
                for n in 1..=3 {
                    let states: Vec<AnalysisState> = (0..n)
                        .map(|k| {
                            let shard = Shard { index: k, count: n };
                            sensitivity_state(files, spec_id, scenario_id, structure, spec, &request, shard)
                                .expect("a shard")
                        })
                        .collect();
                    let Ok(Merged::Sensitivity(merged)) = merge_states(&states) else { panic!("not merged") };
                    assert_eq!(json::to_string(&merged), json::to_string(&whole), "{n} shards");
                    assert_eq!(crate::render::csv::sensitivity(&merged), crate::render::csv::sensitivity(&whole));
                    assert!(merged.seconds.is_none() && whole.seconds.is_some());
                }
            }
        });
    }

    fn attribute_request(sampled: bool) -> crate::attribute::Request {
        crate::attribute::Request {
            runs: Some(700),
            seed: 5,
            precision: sampled.then_some(0.05),
            max_units: sampled.then_some(1500),
            ..crate::attribute::Request::default()
        }
    }

    fn attribute_states(sampled: bool, n: u64) -> Vec<AnalysisState> {
        with_flagship(|files, spec_id, scenario_id, spec, structure| {
            let request = attribute_request(sampled);
            let model = crate::attribute::model(structure, spec, &request).expect("a model");
            (0..n)
                .map(|k| {
                    let shard = Shard { index: k, count: n };
                    attribute_state(files, spec_id, scenario_id, spec, &model, &request, shard).expect("a shard")
                })
                .collect()
        })
    }

    #[test]
    fn sharded_attribution_merges_into_the_unsharded_bytes() {
        for sampled in [false, true] {
            let whole = with_flagship(|_, _, _, spec, structure| {
                let request = attribute_request(sampled);
                let model = crate::attribute::model(structure, spec, &request).expect("a model");
                crate::attribute::attribute(spec, &model, &request).expect("runs")
            });
            assert_eq!(whole.method, if sampled { "sampled" } else { "exact" });
            for n in 1..=3 {
                let Ok(Merged::Attribute(merged)) = merge_states(&attribute_states(sampled, n)) else {
                    panic!("not merged")
                };
                assert_eq!(json::to_string(&merged), json::to_string(&whole), "{n} shards, sampled {sampled}");
                assert_eq!(crate::render::csv::attribute(&merged), crate::render::csv::attribute(&whole));
            }
        }
    }

    fn refusal(states: Vec<(String, AnyState)>) -> String {
        match merge_any(states) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("merged a bad set"),
        }
    }

    fn named(states: &[AnalysisState]) -> Vec<(String, AnyState)> {
        states.iter().enumerate().map(|(k, s)| (format!("part-{}.bin", k + 1), AnyState::Analysis(s.clone()))).collect()
    }

    #[test]
    fn bad_sets_of_analysis_shards_are_refused() {
        let parts = attribute_states(true, 3);
        // Missing: both spans' ranges are named.
        let why = refusal(named(&[parts[0].clone(), parts[2].clone()]));
        assert!(why.contains("runs not covered by any shard: 233..466 (of 0..700)"), "{why}");
        // Overlap.
        let why = refusal(named(&[parts[0].clone(), parts[0].clone(), parts[1].clone(), parts[2].clone()]));
        assert!(why.contains("overlaps another shard: runs 0..233 are covered twice"), "{why}");
        // Another seed, other parameters, other inputs.
        let mut other = parts[1].clone();
        if let Some(p) = other.attribute.as_mut() {
            p.seed = 6;
        }
        let why = refusal(named(&[parts[0].clone(), other, parts[2].clone()]));
        assert!(why.contains("different attribute analyses: the seeds differ"), "{why}");
        let mut other = parts[1].clone();
        if let Some(p) = other.attribute.as_mut() {
            p.metric = "credibility".into();
        }
        let why = refusal(named(&[parts[0].clone(), other, parts[2].clone()]));
        assert!(why.contains("the parameters"), "{why}");
        let mut other = parts[1].clone();
        other.scenario_text.push('\n');
        let why = refusal(named(&[parts[0].clone(), other, parts[2].clone()]));
        assert!(why.contains("the spec or scenario texts differ"), "{why}");
        // Another analysis.
        let sens = with_flagship(|files, spec_id, scenario_id, spec, structure| {
            let request = sensitivity_request(crate::sensitivity::Method::Morris);
            sensitivity_state(files, spec_id, scenario_id, structure, spec, &request, Shard { index: 1, count: 2 })
                .expect("a shard")
        });
        let mut mixed = named(&[parts[0].clone()]);
        mixed.push(("s.bin".into(), AnyState::Analysis(sens.clone())));
        let why = refusal(mixed);
        assert!(why.contains("s.bin is a shard of `sensitivity` and part-1.bin of `attribute`"), "{why}");
        let why = refusal(named(&[sens]));
        assert!(why.contains("evaluations not covered by any shard: 0.."), "{why}");
        // A part that does not fit its span.
        let mut short = parts[1].clone();
        if let Part::Attribute { blocks, .. } = &mut short.part {
            blocks.pop();
        }
        let why = refusal(named(&[parts[0].clone(), short, parts[2].clone()]));
        assert!(why.contains("part-2.bin: what it computed does not fit"), "{why}");
        // Truncated, corrupted, not a state.
        let bytes = parts[0].to_bytes();
        let why = read("t.bin", &bytes[..bytes.len() - 10]).map(|_| ()).expect_err("truncated");
        assert!(why.to_string().contains("checksum mismatch"), "{why}");
        let mut flipped = bytes.clone();
        let at = flipped.len() / 2;
        flipped[at] ^= 1;
        assert!(read("c.bin", &flipped).is_err());
        assert!(
            read("x.bin", b"[framework]\n")
                .map(|_| ())
                .expect_err("not a state")
                .to_string()
                .contains("not an ironclad state file")
        );
    }

    #[test]
    fn shard_counts_and_the_sampled_budget_are_checked() {
        with_flagship(|files, spec_id, scenario_id, spec, structure| {
            let request = sensitivity_request(crate::sensitivity::Method::Sobol);
            let too_many = sensitivity_state(
                files,
                spec_id,
                scenario_id,
                structure,
                spec,
                &request,
                Shard { index: 0, count: 10_000 },
            );
            assert!(matches!(too_many, Err(Error::Usage(m)) if m.contains("at most")));
            let request = crate::attribute::Request { max_units: None, ..attribute_request(true) };
            let model = crate::attribute::model(structure, spec, &request).expect("a model");
            let unbounded =
                attribute_state(files, spec_id, scenario_id, spec, &model, &request, Shard { index: 0, count: 2 });
            assert!(matches!(unbounded, Err(Error::Usage(m)) if m.contains("--max-units")));
        });
    }

    #[test]
    fn split_tiles_the_whole() {
        for (total, n) in [(177u64, 3u64), (700, 7), (5, 5), (u64::MAX, 3)] {
            let mut at = 0;
            for k in 0..n {
                let r = split(total, Shard { index: k, count: n });
                assert_eq!(r.start, at);
                assert!(r.end > r.start);
                at = r.end;
            }
            assert_eq!(at, total);
        }
    }
}
