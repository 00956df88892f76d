//! Uncertain simulation parameters: `[[model.uncertain]]` entries of a spec, validated, and the
//! library defaults that apply to the parameters a spec leaves alone (`docs/spec-format.md`,
//! `docs/analysis.md`).
//!
//! Each entry names one scalar `[model]` parameter, a distribution and a `reason`. The nominal
//! value of the parameter (what `simulate` uses) is unchanged; `ironclad sensitivity` samples
//! the uncertain parameters from their distributions.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::params::{Factor, ModelParams};
use crate::span::{Sp, Span};
use crate::suggest::did_you_mean;
use crate::vocab::{Kind, Modality, Strength};

/// One `[[model.uncertain]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUncertain {
    /// The parameter: `honour.STRENGTH`, `modality.MODALITY`, `domestic`, `factor.ID`,
    /// `delay.KIND.median`, `delay.KIND.spread`, `capacity.mean`, `capacity.concentration`,
    /// `deterrence.gain`, `deterrence.cost`, `deterrence.noise`, `deterrence.horizon`.
    pub param: Sp<String>,
    /// `uniform` (the default: a plain `low`–`high` range), `triangular`, `beta`, `lognormal`.
    pub dist: Option<Sp<DistKind>>,
    /// Lower bound (uniform, triangular; beta, default 0).
    pub low: Option<Sp<f64>>,
    /// Upper bound (uniform, triangular; beta, default 1).
    pub high: Option<Sp<f64>>,
    /// The mode (triangular).
    pub mode: Option<Sp<f64>>,
    /// Shape α (beta).
    pub alpha: Option<Sp<f64>>,
    /// Shape β (beta).
    pub beta: Option<Sp<f64>>,
    /// The median (lognormal).
    pub median: Option<Sp<f64>>,
    /// σ of the logarithm (lognormal).
    pub spread: Option<Sp<f64>>,
    /// Why the parameter is uncertain and why this distribution, with its source (required).
    pub reason: Option<Sp<String>>,
}

/// The distribution families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    Uniform,
    Triangular,
    Beta,
    #[serde(alias = "log-normal")]
    Lognormal,
}

/// A scalar `[model]` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Honour(Strength),
    Modality(Modality),
    Domestic,
    /// Index into [`ModelParams::factors`].
    Factor(usize),
    DelayMedian(Kind),
    DelaySpread(Kind),
    CapacityMean,
    CapacityConcentration,
    Gain,
    Cost,
    Noise,
    DeterrenceHorizon,
}

/// Where a parameter's values may lie: `(low, high, low end open)`.
type Range = (f64, f64, bool);

impl Param {
    /// Parses a parameter name against the spec's factors.
    pub fn parse(name: &str, factors: &[Factor]) -> Option<Param> {
        let (head, rest) = name.split_once('.').unwrap_or((name, ""));
        match (head, rest) {
            ("domestic", "") => Some(Param::Domestic),
            ("honour", s) => Strength::parse(s).map(Param::Honour),
            ("modality", m) => Modality::parse(m).map(Param::Modality),
            ("factor", id) => factors.iter().position(|f| f.id == id).map(Param::Factor),
            ("delay", r) => {
                let (kind, field) = r.split_once('.')?;
                let kind = Kind::parse(kind)?;
                match field {
                    "median" => Some(Param::DelayMedian(kind)),
                    "spread" => Some(Param::DelaySpread(kind)),
                    _ => None,
                }
            }
            ("capacity", "mean") => Some(Param::CapacityMean),
            ("capacity", "concentration") => Some(Param::CapacityConcentration),
            ("deterrence", "gain") => Some(Param::Gain),
            ("deterrence", "cost") => Some(Param::Cost),
            ("deterrence", "noise") => Some(Param::Noise),
            ("deterrence", "horizon") => Some(Param::DeterrenceHorizon),
            _ => None,
        }
    }

    /// Every parameter name of a spec with these factors (for suggestions and docs).
    pub fn names(factors: &[Factor]) -> Vec<String> {
        let mut out: Vec<String> = Strength::ALL.iter().map(|s| format!("honour.{s}")).collect();
        out.extend(Modality::ALL.iter().map(|m| format!("modality.{m}")));
        out.push("domestic".into());
        out.extend(factors.iter().map(|f| format!("factor.{}", f.id)));
        for k in Kind::ALL {
            out.push(format!("delay.{k}.median"));
            out.push(format!("delay.{k}.spread"));
        }
        out.extend(
            ["capacity.mean", "capacity.concentration"]
                .into_iter()
                .chain(["deterrence.gain", "deterrence.cost", "deterrence.noise", "deterrence.horizon"])
                .map(String::from),
        );
        out
    }

    /// The parameter's name as written in a spec.
    pub fn name(&self, factors: &[Factor]) -> String {
        match self {
            Param::Honour(s) => format!("honour.{s}"),
            Param::Modality(m) => format!("modality.{m}"),
            Param::Domestic => "domestic".into(),
            Param::Factor(f) => format!("factor.{}", factors.get(*f).map_or("?", |f| f.id.as_str())),
            Param::DelayMedian(k) => format!("delay.{k}.median"),
            Param::DelaySpread(k) => format!("delay.{k}.spread"),
            Param::CapacityMean => "capacity.mean".into(),
            Param::CapacityConcentration => "capacity.concentration".into(),
            Param::Gain => "deterrence.gain".into(),
            Param::Cost => "deterrence.cost".into(),
            Param::Noise => "deterrence.noise".into(),
            Param::DeterrenceHorizon => "deterrence.horizon".into(),
        }
    }

    /// The values the parameter may take (as `[model]` checks them, E0402).
    pub fn range(&self) -> Range {
        match self {
            Param::Honour(_) | Param::Modality(_) => (0.0, 1.0, false),
            Param::Domestic | Param::Factor(_) => (-1.0, 1.0, false),
            Param::DelayMedian(_) | Param::DeterrenceHorizon => (0.0, 3650.0, true),
            Param::DelaySpread(_) => (0.0, 5.0, false),
            // Below 1: a Beta with mean 1 has no variance.
            Param::CapacityMean => (0.0, 0.999, true),
            Param::CapacityConcentration | Param::Noise => (0.0, 1e6, true),
            Param::Gain | Param::Cost => (0.0, 1e6, false),
        }
    }

    /// The parameter's value in `p`.
    pub fn get(&self, p: &ModelParams) -> f64 {
        match *self {
            Param::Honour(s) => p.honour[s as usize],
            Param::Modality(m) => p.modality[m as usize],
            Param::Domestic => p.domestic,
            Param::Factor(f) => p.factors.get(f).map_or(0.0, |f| f.loading),
            Param::DelayMedian(k) => p.delay[k as usize].median,
            Param::DelaySpread(k) => p.delay[k as usize].spread,
            Param::CapacityMean => p.capacity_mean,
            Param::CapacityConcentration => p.capacity_concentration,
            Param::Gain => p.gain,
            Param::Cost => p.cost,
            Param::Noise => p.noise,
            Param::DeterrenceHorizon => p.deterrence_horizon,
        }
    }

    /// Sets the parameter in `p`, clamped into its range (a log-normal's tail beyond the upper
    /// bound lands on it).
    pub fn set(&self, p: &mut ModelParams, value: f64) {
        let (low, high, _) = self.range();
        let v = value.clamp(low, high);
        match *self {
            Param::Honour(s) => p.honour[s as usize] = v,
            Param::Modality(m) => p.modality[m as usize] = v,
            Param::Domestic => p.domestic = v,
            Param::Factor(f) => {
                if let Some(f) = p.factors.get_mut(f) {
                    f.loading = v;
                }
            }
            Param::DelayMedian(k) => p.delay[k as usize].median = v,
            Param::DelaySpread(k) => p.delay[k as usize].spread = v,
            Param::CapacityMean => p.capacity_mean = v,
            Param::CapacityConcentration => p.capacity_concentration = v,
            Param::Gain => p.gain = v,
            Param::Cost => p.cost = v,
            Param::Noise => p.noise = v,
            Param::DeterrenceHorizon => p.deterrence_horizon = v,
        }
    }

    /// Whether a log-normal fits the parameter: positive, without a tight upper bound.
    fn lognormal_fits(&self) -> bool {
        let (low, high, _) = self.range();
        low == 0.0 && high >= 100.0
    }
}

/// A distribution, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    Uniform {
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// Beta(α, β) rescaled to `[low, high]`.
    Beta {
        alpha: f64,
        beta: f64,
        low: f64,
        high: f64,
    },
    /// `ln X ~ N(ln median, spread²)`.
    LogNormal {
        median: f64,
        spread: f64,
    },
}

impl Distribution {
    /// The distribution's support `(low, high)`.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. }
            | Distribution::Beta { low, high, .. } => (low, high),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
        }
    }
}

impl std::fmt::Display for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Distribution::Uniform { low, high } => write!(f, "uniform({low}, {high})"),
            Distribution::Triangular { low, mode, high } => write!(f, "triangular({low}, {mode}, {high})"),
            Distribution::Beta { alpha, beta, low, high } => write!(f, "beta({alpha}, {beta}) on [{low}, {high}]"),
            Distribution::LogNormal { median, spread } => write!(f, "lognormal(median {median}, spread {spread})"),
        }
    }
}

/// An uncertain parameter, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    pub param: Param,
    /// Its name as written in a spec.
    pub name: String,
    pub dist: Distribution,
    /// The reason and source given (or, for a library default, the default's source).
    pub reason: String,
    /// Whether this is a library default rather than declared by the spec.
    pub default: bool,
}

/// A library default: a parameter, a distribution and its source.
pub struct DefaultUncertain {
    pub name: &'static str,
    pub dist: Distribution,
    pub source: &'static str,
}

const fn tri(low: f64, mode: f64, high: f64) -> Distribution {
    Distribution::Triangular { low, mode, high }
}
const fn uni(low: f64, high: f64) -> Distribution {
    Distribution::Uniform { low, high }
}
const fn delay(median: f64) -> Distribution {
    Distribution::LogNormal { median, spread: 0.5 }
}
const DELAY_SOURCE: &str =
    "assumption: the default median (docs/model.md) with spread 0.5, so the median is within a factor e (2.7) at 2σ";

/// The library defaults, applied to every parameter a spec leaves at its default value when it
/// declares no uncertain parameter of that name (figures from `../shared/facts/calibration.md`;
/// the rest are labelled assumptions).
pub const DEFAULTS: &[DefaultUncertain] = &[
    DefaultUncertain {
        name: "honour.treaty",
        dist: tri(0.22, 0.745, 0.78),
        source: "the published spread (calibration.md): from 22% of all alliance commitments fulfilled 1945-2003 (Berkemeier & Fuhrmann 2018; 41% for defence pacts 1816-2003) to 78% for neutrality pacts (same data), mode 74.5%, a rate of 1816-1944 (Leeds, Long & Mitchell 2000)",
    },
    DefaultUncertain {
        name: "honour.agreement",
        dist: tri(0.41, 0.60, 0.745),
        source: "calibration.md: from 41% for defence pacts (Berkemeier & Fuhrmann 2018) to 74.5% (Leeds, Long & Mitchell 2000), mode the default 0.60 (assumption)",
    },
    DefaultUncertain {
        name: "honour.declaration",
        dist: tri(0.22, 0.41, 0.50),
        source: "calibration.md: from 22% fulfilment 1945-2003 to 50% overall, mode 41% for defence pacts (all Berkemeier & Fuhrmann 2018)",
    },
    DefaultUncertain {
        name: "honour.statement",
        dist: tri(0.22, 0.30, 0.41),
        source: "calibration.md: from 22% (Berkemeier & Fuhrmann 2018, 1945-2003) to 41% (their defence pacts), mode the default 0.30 (assumption; Sabrosky's ~25% measures how often allies joined, another quantity)",
    },
    DefaultUncertain {
        name: "honour.remark",
        dist: tri(0.10, 0.22, 0.30),
        source: "assumption: mode 22% (Berkemeier & Fuhrmann 2018, calibration.md); bounds from half of it to the statement default 0.30",
    },
    DefaultUncertain {
        name: "modality.constitutional",
        dist: uni(0.80, 1.0),
        source: "assumption: the domestic veto point of 'constitutional processes' (Benson, calibration.md) costs between nothing and a fifth",
    },
    DefaultUncertain {
        name: "modality.discretionary",
        dist: uni(0.70, 1.0),
        source: "assumption: full discretion costs between nothing and 30%",
    },
    DefaultUncertain {
        name: "domestic",
        dist: uni(0.3, 0.7),
        source: "assumption: between a tenth and a half of a party's will is its own politics (Leeds 2003: violations follow domestic policy shifts, calibration.md)",
    },
    DefaultUncertain {
        name: "capacity.mean",
        dist: uni(0.6, 0.95),
        source: "assumption: between three fifths and nearly all of a pledge is delivered on average",
    },
    DefaultUncertain {
        name: "capacity.concentration",
        dist: Distribution::LogNormal { median: 10.0, spread: 0.5 },
        source: "assumption: the default 10 within a factor e at 2σ",
    },
    DefaultUncertain {
        name: "deterrence.gain",
        dist: uni(0.25, 1.0),
        source: "assumption: the adversary values the gain at a quarter to all of the cost of a full response",
    },
    DefaultUncertain {
        name: "deterrence.noise",
        dist: uni(0.1, 0.5),
        source: "assumption: perception noise from sharp to blurred, around the default 0.25",
    },
    DefaultUncertain { name: "delay.deploy.median", dist: delay(14.0), source: DELAY_SOURCE },
    DefaultUncertain { name: "delay.defend.median", dist: delay(14.0), source: DELAY_SOURCE },
    DefaultUncertain { name: "delay.assist.median", dist: delay(21.0), source: DELAY_SOURCE },
    DefaultUncertain { name: "delay.supply.median", dist: delay(30.0), source: DELAY_SOURCE },
    DefaultUncertain { name: "delay.finance.median", dist: delay(60.0), source: DELAY_SOURCE },
    DefaultUncertain { name: "delay.monitor.median", dist: delay(7.0), source: DELAY_SOURCE },
];

/// The library defaults that apply to `p`: those of parameters at their default value whose
/// worst case keeps every party's loadings within 1 (E0901).
pub fn defaults_for(p: &ModelParams, party_count: usize) -> Vec<Uncertain> {
    let base = ModelParams::default_nominal();
    DEFAULTS
        .iter()
        .filter_map(|d| {
            let param = Param::parse(d.name, &p.factors)?;
            (param.get(p) == param.get(&base)).then(|| Uncertain {
                param,
                name: d.name.to_string(),
                dist: d.dist,
                reason: format!("library default: {}", d.source),
                default: true,
            })
        })
        .filter(|u| worst_loading(p, std::slice::from_ref(u), party_count).is_none())
        .collect()
}

/// The first party whose loadings, each at the largest magnitude its uncertain range allows,
/// square to more than 1: `(party index, sum)`.
pub fn worst_loading(p: &ModelParams, uncertain: &[Uncertain], party_count: usize) -> Option<(usize, f64)> {
    let widest = |param: Param, nominal: f64| -> f64 {
        uncertain.iter().find(|u| u.param == param).map_or(nominal.abs(), |u| {
            let (lo, hi) = u.dist.support();
            lo.abs().max(hi.abs())
        })
    };
    let dom = widest(Param::Domestic, p.domestic);
    (0..party_count).find_map(|i| {
        let party = crate::model::PartyId(i as u16);
        let sum = dom * dom
            + p.factors
                .iter()
                .enumerate()
                .filter(|(_, f)| f.parties.contains(&party))
                .map(|(k, f)| widest(Param::Factor(k), f.loading).powi(2))
                .sum::<f64>();
        (sum > 1.0 + 1e-9).then_some((i, sum))
    })
}

fn bad(span: &Span, message: String, label: &str, help: String) -> Diagnostic {
    Diagnostic::new("E0903", message).primary(span.clone(), label.to_string()).help(help)
}

/// Validates the entries against the parameters `p` (factors already resolved).
pub fn lower_uncertain(raw: &[Sp<RawUncertain>], p: &ModelParams, out: &mut Vec<Diagnostic>) -> Vec<Uncertain> {
    let mut list: Vec<Uncertain> = Vec::new();
    let mut seen: Vec<(Param, Span)> = Vec::new();
    for entry in raw {
        let u = &entry.value;
        let name = u.param.value.as_str();
        let Some(param) = Param::parse(name, &p.factors) else {
            let names = Param::names(&p.factors);
            let mut d = Diagnostic::new("E0902", format!("`{name}` is not a scalar [model] parameter"))
                .primary(u.param.span.clone(), "unknown parameter");
            d = match did_you_mean(name, names.iter().map(String::as_str)) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(
                    "parameters: honour.STRENGTH, modality.MODALITY, domestic, factor.ID, delay.KIND.median, \
                     delay.KIND.spread, capacity.mean, capacity.concentration, deterrence.gain|cost|noise|horizon",
                ),
            };
            out.push(d);
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(q, _)| *q == param) {
            out.push(
                Diagnostic::new("E0102", format!("`{name}` is declared uncertain twice"))
                    .primary(u.param.span.clone(), "declared again here")
                    .secondary(first.clone(), "first declared here")
                    .help("give each parameter one distribution"),
            );
            continue;
        }
        seen.push((param, u.param.span.clone()));
        let reason = match &u.reason {
            Some(r) if !r.value.trim().is_empty() => r.value.clone(),
            Some(r) => {
                out.push(
                    Diagnostic::new("E0904", format!("the uncertainty of `{name}` has an empty reason"))
                        .primary(r.span.clone(), "empty")
                        .help("say why the parameter is uncertain and where its distribution comes from"),
                );
                continue;
            }
            None => {
                out.push(
                    Diagnostic::new("E0904", format!("the uncertainty of `{name}` gives no reason"))
                        .primary(u.param.span.clone(), "no `reason`")
                        .help("add `reason = \"...\"`: why the parameter is uncertain, with the source of its distribution"),
                );
                continue;
            }
        };
        if let Some(dist) = distribution(u, param, name, out) {
            list.push(Uncertain { param, name: name.to_string(), dist, reason, default: false });
        }
    }
    list
}

/// The entry's distribution, or `None` after reporting why not.
fn distribution(u: &RawUncertain, param: Param, name: &str, out: &mut Vec<Diagnostic>) -> Option<Distribution> {
    let kind = u.dist.as_ref().map_or(DistKind::Uniform, |d| d.value);
    let kind_span = u.dist.as_ref().map_or(u.param.span.clone(), |d| d.span.clone());
    let kind_name = match kind {
        DistKind::Uniform => "uniform",
        DistKind::Triangular => "triangular",
        DistKind::Beta => "beta",
        DistKind::Lognormal => "lognormal",
    };
    let fields: [(&str, &Option<Sp<f64>>); 7] = [
        ("low", &u.low),
        ("high", &u.high),
        ("mode", &u.mode),
        ("alpha", &u.alpha),
        ("beta", &u.beta),
        ("median", &u.median),
        ("spread", &u.spread),
    ];
    let (needed, optional): (&[&str], &[&str]) = match kind {
        DistKind::Uniform => (&["low", "high"], &[]),
        DistKind::Triangular => (&["low", "mode", "high"], &[]),
        DistKind::Beta => (&["alpha", "beta"], &["low", "high"]),
        DistKind::Lognormal => (&["median", "spread"], &[]),
    };
    let mut ok = true;
    for (field, value) in fields {
        if let Some(v) = value {
            if !needed.contains(&field) && !optional.contains(&field) {
                out.push(bad(
                    &v.span,
                    format!("`{field}` does not apply to a {kind_name} distribution"),
                    "does not apply",
                    format!("a {kind_name} distribution takes {}", needed.join(", ")),
                ));
                ok = false;
            } else if !v.value.is_finite() {
                out.push(bad(&v.span, format!("`{field}` is not finite"), "not finite", "give a number".into()));
                ok = false;
            }
        } else if needed.contains(&field) {
            out.push(bad(
                &kind_span,
                format!("the {kind_name} distribution of `{name}` needs `{field}`"),
                "missing a field",
                format!("a {kind_name} distribution takes {}", needed.join(", ")),
            ));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let get = |v: &Option<Sp<f64>>, default: f64| v.as_ref().map_or(default, |v| v.value);
    let span_of = |v: &Option<Sp<f64>>| v.as_ref().map_or(kind_span.clone(), |v| v.span.clone());
    let dist = match kind {
        DistKind::Uniform => Distribution::Uniform { low: get(&u.low, 0.0), high: get(&u.high, 1.0) },
        DistKind::Triangular => {
            Distribution::Triangular { low: get(&u.low, 0.0), mode: get(&u.mode, 0.0), high: get(&u.high, 1.0) }
        }
        DistKind::Beta => Distribution::Beta {
            alpha: get(&u.alpha, 1.0),
            beta: get(&u.beta, 1.0),
            low: get(&u.low, 0.0),
            high: get(&u.high, 1.0),
        },
        DistKind::Lognormal => Distribution::LogNormal { median: get(&u.median, 1.0), spread: get(&u.spread, 1.0) },
    };
    let (lo, hi, open) = param.range();
    match dist {
        Distribution::LogNormal { median, spread } => {
            if !param.lognormal_fits() {
                out.push(bad(
                    &kind_span,
                    format!("`{name}` lies in [{lo}, {hi}]: a log-normal does not fit it"),
                    "unbounded distribution",
                    "use uniform, triangular or beta within the parameter's range".into(),
                ));
                return None;
            }
            if median <= 0.0 || spread <= 0.0 {
                let span = if median <= 0.0 { span_of(&u.median) } else { span_of(&u.spread) };
                out.push(bad(
                    &span,
                    "a log-normal needs a positive median and spread".into(),
                    "not positive",
                    "e.g. median = 14, spread = 0.5".into(),
                ));
                return None;
            }
        }
        _ => {
            let (low, high) = dist.support();
            if low >= high {
                out.push(bad(
                    &span_of(&u.low),
                    format!("the bounds of `{name}` are empty: low {low} is not below high {high}"),
                    "not below `high`",
                    "give low < high".into(),
                ));
                return None;
            }
            let low_ok = if open { low > lo } else { low >= lo };
            if !low_ok || high > hi {
                let span = if low_ok { span_of(&u.high) } else { span_of(&u.low) };
                let bracket = if open { "(" } else { "[" };
                out.push(bad(
                    &span,
                    format!("[{low}, {high}] leaves the range of `{name}`, {bracket}{lo}, {hi}]"),
                    "outside the parameter's range",
                    format!("bounds of `{name}` must lie in {bracket}{lo}, {hi}]"),
                ));
                return None;
            }
            if let Distribution::Triangular { mode, .. } = dist
                && !(low..=high).contains(&mode)
            {
                out.push(bad(
                    &span_of(&u.mode),
                    format!("the mode {mode} is outside [{low}, {high}]"),
                    "outside the bounds",
                    "give low ≤ mode ≤ high".into(),
                ));
                return None;
            }
            if let Distribution::Beta { alpha, beta, .. } = dist
                && (alpha <= 0.0 || beta <= 0.0)
            {
                let span = if alpha <= 0.0 { span_of(&u.alpha) } else { span_of(&u.beta) };
                out.push(bad(
                    &span,
                    "beta shapes must be positive".into(),
                    "not positive",
                    "e.g. alpha = 3, beta = 7".into(),
                ));
                return None;
            }
        }
    }
    Some(dist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_names_a_parameter_and_a_source_and_fits_its_range() {
        let p = ModelParams::default_nominal();
        for d in DEFAULTS {
            let param = Param::parse(d.name, &[]).unwrap_or_else(|| panic!("{} is no parameter", d.name));
            assert_eq!(param.name(&[]), d.name);
            assert!(d.source.contains("assumption") || d.source.contains("calibration.md"), "{}", d.name);
            let (lo, hi) = d.dist.support();
            let (plo, phi, _) = param.range();
            assert!(lo >= plo && (hi <= phi || param.lognormal_fits()), "{}", d.name);
            // The nominal value lies in the support.
            let v = param.get(&p);
            assert!(lo <= v && v <= hi, "{}: nominal {v} outside {lo}..{hi}", d.name);
        }
    }

    #[test]
    fn names_round_trip() {
        let factors = vec![Factor { id: "us".into(), parties: vec![], loading: 0.5 }];
        for name in Param::names(&factors) {
            let p = Param::parse(&name, &factors).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(p.name(&factors), name);
        }
        assert_eq!(Param::parse("honour.treatyy", &factors), None);
        assert_eq!(Param::parse("factor.eu", &factors), None);
    }

    #[test]
    fn set_then_get_and_clamp() {
        let mut p = ModelParams::default_nominal();
        Param::Honour(Strength::Remark).set(&mut p, 0.4);
        assert_eq!(Param::Honour(Strength::Remark).get(&p), 0.4);
        Param::DelayMedian(Kind::Deploy).set(&mut p, 1e9);
        assert_eq!(p.delay[Kind::Deploy as usize].median, 3650.0);
    }
}
