//! Simulation parameters: the optional `[model]` table of a spec, validated, with defaults.
//!
//! Every default names its source (see `docs/model.md`): figures from
//! `../shared/facts/calibration.md` are cited; the rest are labelled assumptions.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::model::PartyId;
use crate::span::{Sp, Span};
use crate::uncertain::{RawUncertain, Uncertain};
use crate::vocab::{Kind, Modality, Strength};

/// The `[model]` table.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Probability that an activated commitment is honoured, by strength (overrides defaults).
    #[serde(default)]
    pub honour: BTreeMap<Sp<Strength>, Sp<f64>>,
    /// Multiplier on that probability by modality (overrides defaults).
    #[serde(default)]
    pub modality: BTreeMap<Sp<Modality>, Sp<f64>>,
    /// Loading of every party on its own domestic-politics factor (default 0.5).
    pub domestic: Option<Sp<f64>>,
    /// Shared factors (common shocks) and the parties that load on them.
    #[serde(default)]
    pub factor: Vec<RawFactor>,
    /// Response delay per commitment kind: log-normal with `median` days and `spread` (σ of ln).
    #[serde(default)]
    pub delay: BTreeMap<Sp<Kind>, RawDelay>,
    /// Realised capacity as a fraction of the pledge: Beta with this `mean` and `concentration`.
    pub capacity: Option<RawCapacity>,
    /// The adversary's calculus.
    pub deterrence: Option<RawDeterrence>,
    /// Uncertain parameters and their distributions, for `ironclad sensitivity`
    /// (`[[model.uncertain]]`; see `docs/spec-format.md`).
    #[serde(default)]
    pub uncertain: Vec<Sp<RawUncertain>>,
    /// Whether the library's default uncertainties apply to the parameters not declared
    /// uncertain and left at their default value (default true).
    pub uncertain_defaults: Option<Sp<bool>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFactor {
    pub id: Sp<String>,
    /// Party ids or `#tag`s.
    pub parties: Vec<Sp<String>>,
    /// The loading λ: the latent will of each listed party is λ·F + … (−1 ≤ λ ≤ 1).
    pub loading: Sp<f64>,
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDelay {
    pub median: Sp<f64>,
    pub spread: Sp<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    pub mean: Sp<f64>,
    pub concentration: Sp<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeterrence {
    /// The adversary's gain from attacking, in units of its cost of facing a full response.
    pub gain: Option<Sp<f64>>,
    /// The cost of facing a fully adequate response (default 1).
    pub cost: Option<Sp<f64>>,
    /// Standard deviation of the adversary's noisy perception and calculus.
    pub noise: Option<Sp<f64>>,
    /// The horizon (days) at which the adversary judges the response.
    pub horizon: Option<Sp<f64>>,
}

/// A shared factor, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub id: String,
    pub parties: Vec<PartyId>,
    pub loading: f64,
}

/// A log-normal delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delay {
    pub median: f64,
    pub spread: f64,
}

/// Validated simulation parameters, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams {
    /// Honour probability per strength, indexed by `Strength as usize`.
    pub honour: [f64; 5],
    /// Multiplier per modality, indexed by `Modality as usize`.
    pub modality: [f64; 3],
    pub domestic: f64,
    pub factors: Vec<Factor>,
    /// Delay per kind, indexed by `Kind as usize`.
    pub delay: Vec<Delay>,
    pub capacity_mean: f64,
    pub capacity_concentration: f64,
    pub gain: f64,
    pub cost: f64,
    pub noise: f64,
    pub deterrence_horizon: f64,
    /// The uncertain parameters: those the spec declares, then the library defaults that apply
    /// (`crate::uncertain::DEFAULTS`).
    pub uncertain: Vec<Uncertain>,
}

/// A default and where it comes from, for `docs/model.md` and `ironclad simulate --explain-model`.
pub struct Default {
    pub name: &'static str,
    pub value: f64,
    pub source: &'static str,
}

const LLM2000: &str = "Leeds, Long & Mitchell (2000), JCR 44(5):686-699: 74.5% of alliance commitments honoured when invoked, 1816-1944 (calibration.md). A pre-1945 rate: the same question over 1945-2003 gives 22% for all alliance commitments (Berkemeier & Fuhrmann 2018), so for a post-1945 treaty the value is an upper reading; its default uncertainty, triangular(0.22, 0.745, 0.78) (docs/analysis.md), spans both periods";

/// The defaults, with their sources. Assumptions say so.
pub const DEFAULTS: &[Default] = &[
    Default { name: "honour.treaty", value: 0.745, source: LLM2000 },
    Default {
        name: "honour.agreement",
        value: 0.60,
        source: "assumption: between a treaty (0.745) and Berkemeier & Fuhrmann's (2018) 50% overall fulfilment",
    },
    Default {
        name: "honour.declaration",
        value: 0.41,
        source: "assumption anchored on Berkemeier & Fuhrmann (2018): 41% fulfilment of defence pacts, 1816-2003 (calibration.md)",
    },
    Default {
        name: "honour.statement",
        value: 0.30,
        source: "assumption: below declarations (Sabrosky's ~25%, paraphrased in Leeds et al. 2000, calibration.md, measures how often allies joined, another quantity)",
    },
    Default {
        name: "honour.remark",
        value: 0.22,
        source: "assumption anchored on Berkemeier & Fuhrmann (2018): 22% fulfilment 1945-2003 (calibration.md)",
    },
    Default { name: "modality.automatic", value: 1.0, source: "assumption: no discount for an automatic clause" },
    Default {
        name: "modality.constitutional",
        value: 0.9,
        source: "assumption: 'constitutional processes' add a domestic veto point (Benson's probabilistic deterrent, calibration.md)",
    },
    Default {
        name: "modality.discretionary",
        value: 0.85,
        source: "assumption: 'as it deems necessary' lets a party choose the least costly act",
    },
    Default {
        name: "domestic",
        value: 0.5,
        source: "assumption: a loading of 0.5, so a quarter (0.5²) of the variance of a party's will is its own politics (Leeds 2003: violations follow domestic policy shifts, calibration.md)",
    },
    Default {
        name: "capacity.mean",
        value: 0.8,
        source: "assumption: four fifths of a pledge is delivered on average",
    },
    Default {
        name: "capacity.concentration",
        value: 10.0,
        source: "assumption: with capacity.mean 0.8, a = 8 as in Beta(8, 2); sampled as Kumaraswamy(8, 3.114), mean 0.8, sd 0.107",
    },
    Default {
        name: "deterrence.gain",
        value: 0.5,
        source: "assumption: the adversary values the gain at half the cost of facing a full response",
    },
    Default {
        name: "deterrence.cost",
        value: 1.0,
        source: "normalisation: the cost of a fully adequate response is 1",
    },
    Default {
        name: "deterrence.noise",
        value: 0.25,
        source: "assumption: perception noise; with credibility 0 the attack is near certain, with 1 it is deterred ~98%",
    },
    Default {
        name: "deterrence.horizon",
        value: 30.0,
        source: "assumption: the adversary judges the response a month in",
    },
];

/// Default response delays per commitment kind (median days, spread): assumptions.
pub fn default_delay(kind: Kind) -> Delay {
    let (median, spread) = match kind {
        Kind::Consult => (1.0, 0.5),
        Kind::Backstop => (3.0, 0.7),
        Kind::Monitor => (7.0, 0.5),
        Kind::Deploy | Kind::Defend => (14.0, 0.8),
        Kind::Assist => (21.0, 0.8),
        Kind::Supply => (30.0, 0.7),
        Kind::Finance => (60.0, 0.6),
        Kind::Train => (90.0, 0.5),
        Kind::Sanctions => (7.0, 0.7),
        Kind::Refrain | Kind::Seek => (1.0, 0.5),
    };
    Delay { median, spread }
}

fn default_value(name: &str) -> f64 {
    DEFAULTS.iter().find(|d| d.name == name).map_or(0.0, |d| d.value)
}

impl std::default::Default for ModelParams {
    /// The default parameters, with the library's default uncertainties.
    fn default() -> Self {
        let mut p = ModelParams::default_nominal();
        p.uncertain = crate::uncertain::defaults_for(&p, 0);
        p
    }
}

impl ModelParams {
    /// The default parameters without uncertain ones.
    pub fn default_nominal() -> Self {
        ModelParams {
            honour: [
                Strength::Treaty,
                Strength::Agreement,
                Strength::Declaration,
                Strength::Statement,
                Strength::Remark,
            ]
            .map(|s| default_value(&format!("honour.{s}"))),
            modality: [Modality::Automatic, Modality::Discretionary, Modality::Constitutional]
                .map(|m| default_value(&format!("modality.{m}"))),
            domestic: default_value("domestic"),
            factors: Vec::new(),
            delay: Kind::ALL.iter().map(|k| default_delay(*k)).collect(),
            capacity_mean: default_value("capacity.mean"),
            capacity_concentration: default_value("capacity.concentration"),
            gain: default_value("deterrence.gain"),
            cost: default_value("deterrence.cost"),
            noise: default_value("deterrence.noise"),
            deterrence_horizon: default_value("deterrence.horizon"),
            uncertain: Vec::new(),
        }
    }
}

impl ModelParams {
    /// The prior probability that a commitment of this strength and modality is honoured.
    pub fn prior(&self, strength: Strength, modality: Modality) -> f64 {
        (self.honour[strength as usize] * self.modality[modality as usize]).clamp(0.0, 1.0)
    }

    /// The sum of squared loadings of a party (domestic factor included): at most 1.
    pub fn loading_square_sum(&self, party: PartyId) -> f64 {
        self.domestic * self.domestic
            + self.factors.iter().filter(|f| f.parties.contains(&party)).map(|f| f.loading * f.loading).sum::<f64>()
    }
}

/// Checks one number against a range, reporting E0402 at its span.
fn in_range(out: &mut Vec<Diagnostic>, value: &Sp<f64>, what: &str, range: (f64, f64), open_low: bool) -> f64 {
    let (low, high) = range;
    let ok =
        value.value.is_finite() && value.value <= high && if open_low { value.value > low } else { value.value >= low };
    if !ok {
        let bracket = if open_low { "(" } else { "[" };
        out.push(
            Diagnostic::new("E0402", format!("{what} {} is outside {bracket}{low}, {high}]", value.value))
                .primary(value.span.clone(), "out of range")
                .help(format!("{what} must lie in {bracket}{low}, {high}]")),
        );
    }
    value.value
}

/// Validates `[model]` and fills in defaults. `resolve` turns party references into ids
/// (reporting unknown ones itself).
pub fn lower_model(
    raw: &RawModel,
    mut resolve: impl FnMut(&[Sp<String>]) -> Vec<PartyId>,
    party_names: &[String],
    model_span: Span,
) -> (ModelParams, Vec<Diagnostic>) {
    let mut d = Vec::new();
    let mut p = ModelParams::default_nominal();
    for (strength, value) in &raw.honour {
        p.honour[strength.value as usize] = in_range(&mut d, value, "an honour probability", (0.0, 1.0), false);
    }
    for (modality, value) in &raw.modality {
        p.modality[modality.value as usize] = in_range(&mut d, value, "a modality multiplier", (0.0, 1.0), false);
    }
    if let Some(v) = &raw.domestic {
        p.domestic = in_range(&mut d, v, "the domestic loading", (-1.0, 1.0), false);
    }
    for (i, f) in raw.factor.iter().enumerate() {
        // A second factor with one id would shadow the first for `factor.ID` (first wins there)
        // while both load in the simulation: one id, one factor.
        if let Some(first) = raw.factor[..i].iter().find(|g| g.id.value == f.id.value) {
            d.push(
                Diagnostic::new("E0102", format!("duplicate factor id `{}`", f.id.value))
                    .primary(f.id.span.clone(), "declared again here")
                    .secondary(first.id.span.clone(), "first declared here")
                    .help(
                        "give each [[model.factor]] its own id; list all the parties of one common shock in one factor",
                    ),
            );
        }
        let loading = in_range(&mut d, &f.loading, "a factor loading", (-1.0, 1.0), false);
        p.factors.push(Factor { id: f.id.value.clone(), parties: resolve(&f.parties), loading });
    }
    for (kind, delay) in &raw.delay {
        let median = in_range(&mut d, &delay.median, "a median delay (days)", (0.0, 3650.0), true);
        let spread = in_range(&mut d, &delay.spread, "a delay spread", (0.0, 5.0), false);
        p.delay[kind.value as usize] = Delay { median, spread };
    }
    if let Some(c) = &raw.capacity {
        p.capacity_mean = in_range(&mut d, &c.mean, "the capacity mean", (0.0, 1.0), true);
        p.capacity_concentration = in_range(&mut d, &c.concentration, "the capacity concentration", (0.0, 1e6), true);
        if c.mean.value >= 1.0 && c.mean.value.is_finite() && c.mean.value <= 1.0 {
            d.push(
                Diagnostic::new("E0402", "the capacity mean must be below 1 for a Beta distribution")
                    .primary(c.mean.span.clone(), "1 leaves no variance")
                    .help("use 0.99 for nearly full delivery"),
            );
        }
    }
    if let Some(t) = &raw.deterrence {
        if let Some(v) = &t.gain {
            p.gain = in_range(&mut d, v, "the deterrence gain", (0.0, 1e6), false);
        }
        if let Some(v) = &t.cost {
            p.cost = in_range(&mut d, v, "the deterrence cost", (0.0, 1e6), false);
        }
        if let Some(v) = &t.noise {
            p.noise = in_range(&mut d, v, "the deterrence noise", (0.0, 1e6), true);
        }
        if let Some(v) = &t.horizon {
            p.deterrence_horizon = in_range(&mut d, v, "the deterrence horizon (days)", (0.0, 3650.0), true);
        }
    }
    // A party's latent will is Σλ·F + sqrt(1 − Σλ²)·ε: the implied correlation matrix is
    // positive semi-definite exactly when Σλ² ≤ 1 for every party.
    for (i, name) in party_names.iter().enumerate() {
        let party = PartyId(i as u16);
        let sum = p.loading_square_sum(party);
        if sum <= 1.0 + 1e-9 {
            continue;
        }
        let spans: Vec<Span> = p
            .factors
            .iter()
            .zip(&raw.factor)
            .filter(|(f, _)| f.parties.contains(&party))
            .map(|(_, r)| r.loading.span.clone())
            .collect();
        let mut diag = Diagnostic::new(
            "E0901",
            format!(
                "the loadings of `{name}` square to {sum:.3} > 1: the correlation matrix is not positive semi-definite"
            ),
        );
        diag = match (spans.split_first(), &raw.domestic) {
            (Some((first, rest)), _) => {
                let mut diag = diag.primary(first.clone(), format!("loads `{name}`"));
                for s in rest {
                    diag = diag.secondary(s.clone(), format!("also loads `{name}`"));
                }
                diag
            }
            (None, Some(dom)) => diag.primary(dom.span.clone(), "this loading"),
            (None, None) => diag.primary(model_span.clone(), "in [model]"),
        };
        if let Some(dom) = raw.domestic.as_ref().filter(|_| !spans.is_empty()) {
            diag = diag.secondary(dom.span.clone(), "the domestic loading");
        }
        d.push(diag.help(format!(
            "domestic² + Σ (factor loading)² must be ≤ 1 for every party; for `{name}` it is {:.3}² + the factors'",
            p.domestic
        )));
    }
    let declared = crate::uncertain::lower_uncertain(&raw.uncertain, &p, &mut d);
    if let Some((party, sum)) = crate::uncertain::worst_loading(&p, &declared, party_names.len())
        && let Some(u) = declared
            .iter()
            .find(|u| matches!(u.param, crate::uncertain::Param::Domestic | crate::uncertain::Param::Factor(_)))
        && let Some(raw_u) = raw.uncertain.iter().find(|r| r.value.param.value == u.name)
    {
        let name = party_names.get(party).map_or("?", String::as_str);
        d.push(
            Diagnostic::new(
                "E0901",
                format!(
                    "at the edge of their uncertain ranges the loadings of `{name}` square to {sum:.3} > 1: the correlation matrix is not positive semi-definite"
                ),
            )
            .primary(raw_u.value.param.span.clone(), "this range")
            .help("narrow the uncertain ranges of the domestic and factor loadings so that domestic² + Σ loading² ≤ 1 everywhere"),
        );
    }
    let defaults = raw.uncertain_defaults.as_ref().is_none_or(|b| b.value);
    p.uncertain = declared;
    if defaults {
        let extra: Vec<Uncertain> = crate::uncertain::defaults_for(&p, party_names.len())
            .into_iter()
            .filter(|u| !p.uncertain.iter().any(|v| v.param == u.param))
            .filter(|u| {
                let mut with = p.uncertain.clone();
                with.push(u.clone());
                crate::uncertain::worst_loading(&p, &with, party_names.len()).is_none()
            })
            .collect();
        p.uncertain.extend(extra);
    }
    (p, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_cited_or_labelled() {
        for d in DEFAULTS {
            assert!(
                d.source.contains("assumption")
                    || d.source.contains("calibration.md")
                    || d.source.contains("normalisation"),
                "{} has no source",
                d.name
            );
        }
        let p = ModelParams::default();
        assert_eq!(p.prior(Strength::Treaty, Modality::Automatic), 0.745);
        assert!(
            p.prior(Strength::Remark, Modality::Discretionary) < p.prior(Strength::Treaty, Modality::Discretionary)
        );
    }
}
