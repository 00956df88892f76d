//! The simulation model: everything a run needs, precomputed from a spec and a scenario.
//!
//! The obligation engine replays the scenario once per combination of variant options; the
//! (commitment, party) pairs that are obliged to act at the end of each replay are the
//! response that runs then sample. A `SimModel` is plain data and serialises to JSON
//! (`ironclad simulate --export-model`), so another implementation can run the same model.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use ironclad_engine::Compiled;
use ironclad_engine::timeline::{self, Status};
use ironclad_spec::coverage::acts;
use ironclad_spec::expr::EventKind;
use ironclad_spec::model::{PartyId, Spec};
use ironclad_spec::params::ModelParams;
use ironclad_spec::scenario::Scenario;
use ironclad_spec::vocab::{Domain, Kind, RedLineKind};

/// Most variant combinations the model enumerates (each costs one replay).
pub const MAX_COMBINATIONS: usize = 4096;

/// Most horizons a simulation reports: a run keeps one bit per horizon (these, plus the
/// deterrence horizon) in a `u64`.
pub const MAX_HORIZONS: usize = 63;

/// Why a model cannot be built.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    TooLarge(String),
    NoAttack,
    TooManyCombinations(usize),
    NoHorizon,
    TooManyHorizons(usize),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::TooLarge(what) => write!(f, "{what}"),
            ModelError::NoAttack => {
                write!(f, "the scenario has no `armed_attack` event: there is nothing to respond to")
            }
            ModelError::TooManyCombinations(n) => {
                write!(f, "{n} combinations of variant options (at most {MAX_COMBINATIONS}); fix some with --variant")
            }
            ModelError::NoHorizon => write!(f, "at least one horizon is needed"),
            ModelError::TooManyHorizons(n) => write!(f, "{n} horizons (at most {MAX_HORIZONS})"),
        }
    }
}
impl std::error::Error for ModelError {}

/// A domain the response is judged in, and what it needs.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Need {
    pub domain: String,
    pub required: f64,
    /// The unit of `required` and of every pledge in this domain (`pledges` counts honoured pledges).
    pub unit: String,
    /// Whether the need counts pledges (each honoured pledge counts 1, whatever the capacity delivered).
    pub count: bool,
}

/// One (commitment, party) pair that some combination obliges to act.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub commitment: String,
    pub party: String,
    /// Index of the party (for per-party aggregation).
    pub party_index: usize,
    /// Prior probability of honouring.
    pub honour: f64,
    /// Φ⁻¹(honour): the pair honours when its latent will is below this.
    pub threshold: f64,
    /// (factor index, loading): the latent will is Σ λ·F + idio·ε.
    pub loadings: Vec<(usize, f64)>,
    pub idio: f64,
    /// ln of the median delay, and the σ of the log-normal.
    pub delay_mu: f64,
    pub delay_sigma: f64,
    /// Pledge per need (index into `needs`), in the need's unit.
    pub pledge: Vec<f64>,
    /// For an amount range (`"5000..15000 troops"`): its lower end over its upper end, the
    /// pledge then being `pledge × U(floor, 1)` per run; 1 for an exact amount.
    pub pledge_floor: f64,
}

/// What one combination of variant options obliges.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The option chosen for each variant.
    pub selection: Vec<u16>,
    /// Indices into `pairs` of the pairs obliged to act.
    pub active: Vec<usize>,
    /// Of those, the ones already in place (a fulfilled deployment): no delay.
    pub in_place: Vec<usize>,
    /// Indices into `pairs` whose delivery crosses a threat red line of the adversary.
    pub escalating: Vec<usize>,
    /// Per pair: whether it is in place (derived from `in_place`, for constant-time lookups).
    #[serde(skip)]
    pub placed: Vec<bool>,
    /// The commitments with an active pair, each once (derived from `active`).
    #[serde(skip)]
    pub commitments: Vec<usize>,
}

/// A Kumaraswamy(a, b) distribution of realised capacity (a Beta-like law on [0, 1] with a
/// closed-form quantile, so that one uniform draws it).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Capacity {
    pub a: f64,
    pub b: f64,
    pub mean: f64,
}

/// The deterrence model's parameters (`docs/model.md`, "Deterrence").
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
pub struct Deterrence {
    pub gain: f64,
    pub cost: f64,
    pub noise: f64,
    pub horizon: f64,
}

/// Everything a run needs.
#[derive(Debug, Clone, Serialize)]
pub struct SimModel {
    pub framework: String,
    pub scenario: String,
    pub horizons: Vec<f64>,
    pub needs: Vec<Need>,
    /// Weights of the options of each variant.
    pub variants: Vec<Vec<f64>>,
    pub variant_names: Vec<(String, Vec<String>)>,
    /// Number of latent factors: one domestic factor per party, then the shared ones.
    pub factors: usize,
    pub factor_names: Vec<String>,
    pub pairs: Vec<Pair>,
    /// One per combination, indexed in mixed radix (variant 0 varies fastest).
    pub outcomes: Vec<Outcome>,
    pub capacity: Capacity,
    pub deterrence: Deterrence,
    pub parties: usize,
    pub commitments: Vec<String>,
    /// Per commitment: whether its kind acts, so that the simulation can count it
    /// (`ironclad_spec::coverage::acts`: not `consult`, `refrain` or `seek`).
    pub commitment_acts: Vec<bool>,
    /// Index into `commitments` of each pair's commitment.
    pub pair_commitment: Vec<usize>,
}

/// The parameter-free part of a model: the scenario replayed once per combination of variant
/// options, the obliged (commitment, party) pairs, what each pledges, and the needs. Built once
/// per (spec, scenario); [`Structure::parameterise`] then applies `[model]` parameters, horizons
/// and pinned variants cheaply, so an analysis that varies parameters (Sobol, Morris) never
/// replays the scenario again. The pair list does not depend on parameters, so random numbers
/// keyed by pair index line up across parameter points.
#[derive(Debug, Clone)]
pub struct Structure {
    pub framework: String,
    pub scenario: String,
    pub needs: Vec<Need>,
    /// The spec's weights of the options of each variant.
    pub variant_weights: Vec<Vec<f64>>,
    pub variant_names: Vec<(String, Vec<String>)>,
    pub parties: Vec<String>,
    pub commitments: Vec<String>,
    /// Per commitment: whether its kind acts (see [`SimModel::commitment_acts`]).
    pub commitment_acts: Vec<bool>,
    pub pairs: Vec<StructPair>,
    /// One per combination, indexed in mixed radix (variant 0 varies fastest).
    pub outcomes: Vec<Outcome>,
}

/// A (commitment, party) pair of a [`Structure`]: what does not depend on parameters.
#[derive(Debug, Clone)]
pub struct StructPair {
    pub commitment: usize,
    pub party: usize,
    pub kind: Kind,
    pub strength: ironclad_spec::vocab::Strength,
    pub modality: ironclad_spec::vocab::Modality,
    /// Pledge per need (index into `needs`), in the need's unit.
    pub pledge: Vec<f64>,
    /// Lower end over upper end of the commitment's amount range; 1 for an exact amount.
    pub pledge_floor: f64,
}

impl Structure {
    /// Replays the scenario once per combination of variant options.
    pub fn build(spec: &Spec, scenario: &Scenario) -> Result<Structure, ModelError> {
        let compiled = Compiled::new(spec).map_err(|e| ModelError::TooLarge(e.to_string()))?;
        let attack = scenario
            .events
            .iter()
            .find(|e| {
                e.kind == EventKind::ArmedAttack
                    && e.attacker == spec.framework.threat
                    && spec.framework.threat.is_some()
            })
            .or_else(|| scenario.events.iter().find(|e| e.kind == EventKind::ArmedAttack))
            .ok_or(ModelError::NoAttack)?;
        let needs = needs(spec, scenario, attack);
        let radices: Vec<usize> = spec.variants.iter().map(|v| v.options.len()).collect();
        let combinations = radices.iter().try_fold(1usize, |n, r| n.checked_mul(*r)).unwrap_or(usize::MAX);
        if combinations > MAX_COMBINATIONS {
            return Err(ModelError::TooManyCombinations(combinations));
        }
        let threat_lines: Vec<usize> = spec
            .red_lines
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.kind == RedLineKind::Threat && Some(r.party) == spec.framework.threat && r.matches.is_some()
            })
            .map(|(i, _)| i)
            .collect();
        let mut pairs: Vec<StructPair> = Vec::new();
        let mut index_of = std::collections::HashMap::new();
        let mut outcomes = Vec::with_capacity(combinations);
        for combination in 0..combinations {
            let mut rest = combination;
            let selection: Vec<u16> = radices
                .iter()
                .map(|r| {
                    let option = rest % r;
                    rest /= r;
                    option as u16
                })
                .collect();
            let replay = timeline::replay(spec, &compiled, scenario, selection.clone(), None);
            let mut outcome = Outcome {
                selection: selection.clone(),
                active: Vec::new(),
                in_place: Vec::new(),
                escalating: Vec::new(),
                placed: Vec::new(),
                commitments: Vec::new(),
            };
            for o in &replay.obligations {
                let c = spec.commitment(o.commitment);
                let counts = o.status.open() || o.status == Status::Fulfilled;
                if !counts || !acts(c.kind) {
                    continue;
                }
                let key = (o.commitment.index(), o.party.index());
                let index = *index_of.entry(key).or_insert_with(|| {
                    pairs.push(StructPair {
                        commitment: o.commitment.index(),
                        party: o.party.index(),
                        kind: c.kind,
                        strength: c.strength,
                        modality: c.modality,
                        pledge: pledges(spec, o.commitment.index(), o.party, &needs),
                        pledge_floor: c.amount.as_ref().and_then(|a| a.low.map(|l| l / a.value)).unwrap_or(1.0),
                    });
                    pairs.len() - 1
                });
                if outcome.active.contains(&index) {
                    continue;
                }
                outcome.active.push(index);
                if c.kind == Kind::Deploy && o.status == Status::Fulfilled {
                    outcome.in_place.push(index);
                }
                let crosses = threat_lines.iter().any(|r| {
                    let line = &spec.red_lines[*r];
                    let in_force = line.option.is_none_or(|(v, opt)| selection[v.index()] == opt as u16);
                    in_force
                        && line.matches.as_ref().is_some_and(|m| {
                            ironclad_spec::select::selector_matches(spec, m, c)
                                && (m.by.is_empty() || m.by.contains(&o.party))
                        })
                });
                if crosses {
                    outcome.escalating.push(index);
                }
            }
            outcomes.push(outcome);
        }
        for outcome in &mut outcomes {
            outcome.placed = (0..pairs.len()).map(|i| outcome.in_place.contains(&i)).collect();
            let mut active_commitments: Vec<usize> = outcome.active.iter().map(|&i| pairs[i].commitment).collect();
            active_commitments.sort_unstable();
            active_commitments.dedup();
            outcome.commitments = active_commitments;
        }
        Ok(Structure {
            framework: spec.framework.id.clone(),
            scenario: scenario.id.clone(),
            needs,
            variant_weights: spec.variants.iter().map(|v| v.options.iter().map(|o| o.weight).collect()).collect(),
            variant_names: spec
                .variants
                .iter()
                .map(|v| (v.id.clone(), v.options.iter().map(|o| o.id.clone()).collect()))
                .collect(),
            parties: spec.parties.iter().map(|p| p.id.clone()).collect(),
            commitments: spec.commitments.iter().map(|c| c.id.clone()).collect(),
            commitment_acts: spec.commitments.iter().map(|c| acts(c.kind)).collect(),
            pairs,
            outcomes,
        })
    }

    /// Applies parameters: the honour priors, factor loadings, delays, capacity law and
    /// deterrence of `params`, the `horizons`, and the variant options pinned by `fixed`
    /// (`Some(option)`; the others are sampled by their weights). No replay: this is cheap.
    pub fn parameterise(
        &self,
        params: &ModelParams,
        horizons: &[f64],
        fixed: &[Option<u16>],
    ) -> Result<SimModel, ModelError> {
        if horizons.is_empty() {
            return Err(ModelError::NoHorizon);
        }
        if horizons.len() > MAX_HORIZONS {
            return Err(ModelError::TooManyHorizons(horizons.len()));
        }
        let variants: Vec<Vec<f64>> = self
            .variant_weights
            .iter()
            .enumerate()
            .map(|(v, weights)| match fixed.get(v).copied().flatten() {
                Some(o) => (0..weights.len()).map(|i| if i == usize::from(o) { 1.0 } else { 0.0 }).collect(),
                None => weights.clone(),
            })
            .collect();
        let normal = Normal::standard();
        let shared_start = self.parties.len();
        let factor_names: Vec<String> = self
            .parties
            .iter()
            .map(|p| format!("domestic:{p}"))
            .chain(params.factors.iter().map(|f| f.id.clone()))
            .collect();
        let pairs: Vec<Pair> = self.pairs.iter().map(|p| self.pair(p, params, &normal, shared_start)).collect();
        Ok(SimModel {
            framework: self.framework.clone(),
            scenario: self.scenario.clone(),
            horizons: horizons.to_vec(),
            needs: self.needs.clone(),
            variants,
            variant_names: self.variant_names.clone(),
            factors: factor_names.len(),
            factor_names,
            pair_commitment: self.pairs.iter().map(|p| p.commitment).collect(),
            pairs,
            outcomes: self.outcomes.clone(),
            capacity: kumaraswamy(params.capacity_mean, params.capacity_concentration),
            deterrence: Deterrence {
                gain: params.gain,
                cost: params.cost,
                noise: params.noise,
                horizon: params.deterrence_horizon,
            },
            parties: self.parties.len(),
            commitments: self.commitments.clone(),
            commitment_acts: self.commitment_acts.clone(),
        })
    }

    fn pair(&self, p: &StructPair, params: &ModelParams, normal: &Normal, shared_start: usize) -> Pair {
        let honour = params.prior(p.strength, p.modality);
        let threshold = if honour >= 1.0 {
            f64::INFINITY
        } else if honour <= 0.0 {
            f64::NEG_INFINITY
        } else {
            normal.inverse_cdf(honour)
        };
        let mut loadings = vec![(p.party, params.domestic)];
        for (i, f) in params.factors.iter().enumerate() {
            if f.parties.iter().any(|q| q.index() == p.party) {
                loadings.push((shared_start + i, f.loading));
            }
        }
        loadings.retain(|(_, l)| *l != 0.0);
        let idio = (1.0 - loadings.iter().map(|(_, l)| l * l).sum::<f64>()).max(0.0).sqrt();
        let delay = params.delay[p.kind as usize];
        Pair {
            commitment: self.commitments[p.commitment].clone(),
            party: self.parties[p.party].clone(),
            party_index: p.party,
            honour,
            threshold,
            loadings,
            idio,
            delay_mu: delay.median.ln(),
            delay_sigma: delay.spread,
            pledge: p.pledge.clone(),
            pledge_floor: p.pledge_floor,
        }
    }
}

impl SimModel {
    /// Builds the model in one step: [`Structure::build`], then [`Structure::parameterise`] with
    /// the spec's own `[model]` parameters. `fixed` pins variant options (`Some(option)`).
    pub fn build(
        spec: &Spec,
        scenario: &Scenario,
        horizons: &[f64],
        fixed: &[Option<u16>],
    ) -> Result<SimModel, ModelError> {
        if horizons.is_empty() {
            return Err(ModelError::NoHorizon);
        }
        Structure::build(spec, scenario)?.parameterise(&spec.params, horizons, fixed)
    }

    /// How many random numbers one run may draw at most: a uniform per variant, a normal per
    /// factor, and per pair a normal (will), a normal (delay) and a uniform (capacity). A run
    /// draws only those it needs (see `run`).
    pub fn draws_per_run(&self) -> usize {
        self.variants.len() + self.factors + 3 * self.pairs.len()
    }
}

/// The response the attack needs: the scenario's requirements, or else one honoured pledge
/// in each domain the attack strikes (all claimed military domains if it names none).
fn needs(spec: &Spec, scenario: &Scenario, attack: &ironclad_spec::scenario::Event) -> Vec<Need> {
    if !scenario.requirements.is_empty() {
        return scenario
            .requirements
            .iter()
            .map(|r| {
                let unit = r.amount.unit_text();
                Need { domain: r.domain.as_str().into(), required: r.amount.value, count: unit == "pledges", unit }
            })
            .collect();
    }
    // Every domain struck by an attack of the same attacker on a protected party.
    let mut domains: Vec<Domain> = Vec::new();
    for e in scenario.events.iter().filter(|e| e.kind == EventKind::ArmedAttack && e.attacker == attack.attacker) {
        if e.target.is_some_and(|t| spec.framework.protects.contains(&t)) || e.target == attack.target {
            for d in &e.domains {
                if !domains.contains(d) {
                    domains.push(*d);
                }
            }
        }
    }
    if domains.is_empty() {
        domains = spec
            .framework
            .domains
            .iter()
            .map(|(d, _)| *d)
            .filter(|d| matches!(d, Domain::Land | Domain::Air | Domain::AirDefence | Domain::Maritime))
            .collect();
    }
    if domains.is_empty() {
        domains.push(Domain::Land);
    }
    domains
        .into_iter()
        .map(|d| Need { domain: d.as_str().into(), required: 1.0, unit: "pledges".into(), count: true })
        .collect()
}

/// A party's pledge toward each need under one commitment: nothing in a domain the party's
/// domain-limited exclusion red line removes from it ("no ground troops").
fn pledges(spec: &Spec, c: usize, party: PartyId, needs: &[Need]) -> Vec<f64> {
    let commitment = &spec.commitments[c];
    let obligors = spec.obligors(commitment);
    let excluded: Vec<Domain> = ironclad_spec::select::exclusions(spec, commitment)
        .into_iter()
        .filter(|x| x.party == party)
        .flat_map(|x| x.domains.unwrap_or_default())
        .collect();
    needs
        .iter()
        .map(|need| {
            let Some(domain) = Domain::parse(&need.domain) else { return 0.0 };
            if !commitment.domains.contains(&domain) || excluded.contains(&domain) {
                return 0.0;
            }
            if need.count {
                return 1.0;
            }
            let capacity = |p: PartyId| {
                spec.party(p)
                    .capacity
                    .iter()
                    .find(|(d, q)| *d == domain && q.unit_text() == need.unit)
                    .map(|(_, q)| q.value)
            };
            match &commitment.amount {
                Some(amount) if amount.unit_text() == need.unit => {
                    let capacities: Option<Vec<f64>> = obligors.iter().map(|p| capacity(*p)).collect();
                    match capacities {
                        Some(all) if all.iter().sum::<f64>() > 0.0 => {
                            amount.value * capacity(party).unwrap_or(0.0) / all.iter().sum::<f64>()
                        }
                        _ => amount.value / obligors.len().max(1) as f64,
                    }
                }
                _ => capacity(party).unwrap_or(0.0),
            }
        })
        .collect()
}

/// The Kumaraswamy law with the given mean whose first parameter matches a Beta(mean·k, (1−mean)·k).
fn kumaraswamy(mean: f64, concentration: f64) -> Capacity {
    let a = (mean * concentration).max(1e-3);
    // Mean of Kumaraswamy(a, b) is b·B(1 + 1/a, b); it falls as b grows: solve by bisection.
    let kmean = |b: f64| b * beta_fn(1.0 + 1.0 / a, b);
    let (mut lo, mut hi): (f64, f64) = (1e-6, 1e6);
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if kmean(mid) > mean {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let b = (lo * hi).sqrt();
    Capacity { a, b, mean: kmean(b) }
}

fn beta_fn(x: f64, y: f64) -> f64 {
    (statrs::function::gamma::ln_gamma(x) + statrs::function::gamma::ln_gamma(y)
        - statrs::function::gamma::ln_gamma(x + y))
    .exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kumaraswamy_matches_the_mean() {
        for (mean, k) in [(0.8, 10.0), (0.5, 2.0), (0.95, 50.0)] {
            let c = kumaraswamy(mean, k);
            assert!((c.mean - mean).abs() < 1e-6, "{mean} {k}: {c:?}");
        }
    }
}
