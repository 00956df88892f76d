//! `power`: the voting power of a decision body's seats — Shapley–Shubik and normalised
//! Banzhaf indices, blockers and dummies — from its compiled rule (`docs/analysis.md`).
//!
//! A body's rule ([`CompiledBody`]) is mapped to a simple game ([`VotingGame`]) whose players
//! are the body's seats (members, then the other seats): a yes-set wins exactly when
//! [`MaskBody::is_winning`] says it does (every other seat votes no). Unanimity and consensus
//! become unanimity games (under the coalition view only the whole body wins), majorities and
//! qualified majorities a count quota, weighted quotas a weighted quota with the weights scaled
//! to integers; vetoes become veto players. For bodies of at most [`VERIFY_SEATS`] seats the
//! mapping is checked against `is_winning` on every coalition before any index is computed.

use ironclad_analysis::power::{PowerIndices, PowerMethod, QuotaConstraint, VotingGame, power_indices};
use ironclad_engine::{CompiledBody, MaskBody};
use ironclad_spec::Spec;
use ironclad_spec::vocab::RuleKind;
use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;

/// Bodies of at most this many seats have their game checked against
/// [`MaskBody::is_winning`] on all 2^seats coalitions.
pub const VERIFY_SEATS: usize = 20;

/// The voting power of a body.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PowerReport {
    pub schema_version: u32,
    pub framework: String,
    pub body: String,
    pub body_name: String,
    /// The rule kind: unanimity, consensus, majority, qualified or quota.
    pub rule: String,
    /// The rule as a simple game, in words (e.g. "quota 9 of weight 15, vetoes: 5 seats").
    pub game: String,
    pub seats: usize,
    /// How the indices were computed: enumeration, exact DP, or floating-point generating
    /// functions (the only inexact one).
    pub method: String,
    /// Whether every index is exact (then the fractions are given where they fit).
    pub exact: bool,
    /// One row per member seat, then one row for the other seats (all alike, by symmetry).
    pub rows: Vec<PowerRow>,
    /// Seats that can block alone (in every winning coalition), by label.
    pub blockers: Vec<String>,
    /// Seats that are never pivotal (zero power), by label.
    pub dummies: Vec<String>,
}

/// The power of one seat (or of each of a group of alike seats).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PowerRow {
    /// The party holding the seat, or "other seats".
    pub label: String,
    /// How many seats this row stands for (1 for a member; the other seats as one row).
    pub seats: usize,
    pub veto: bool,
    /// Shapley–Shubik index of one seat of the row: the share of seat orderings in which it is
    /// pivotal (dimensionless, the seats' indices sum to 1).
    pub shapley_shubik: f64,
    /// The same as an exact fraction ("421/2145"), when available.
    pub shapley_shubik_exact: Option<String>,
    /// Normalised Banzhaf index of one seat: its swings over all seats' swings (sums to 1).
    pub banzhaf: f64,
    pub banzhaf_exact: Option<String>,
    /// Raw Banzhaf index: P(pivotal) when every other seat votes yes with probability ½.
    pub banzhaf_raw: f64,
    /// Swing coalitions of one seat, when exact.
    pub swings: Option<String>,
}

/// The ids of a spec's bodies, for error messages.
pub fn body_ids(spec: &Spec) -> Vec<String> {
    spec.bodies.iter().map(|b| b.id.clone()).collect()
}

/// The simple game of a compiled body: players are its seats.
pub fn game(body: &CompiledBody) -> Result<(VotingGame, String), Error> {
    let seats = body.seats();
    if seats == 0 {
        return Err(Error::Unservable("the body has no seats: it decides nothing".into()));
    }
    let vetoes: Vec<usize> = body.veto_seats().to_vec();
    let unservable = |e: ironclad_analysis::AnalysisError| Error::Unservable(e.to_string());
    let (constraint, words) = match body.rule_kind() {
        RuleKind::Unanimity | RuleKind::Consensus => (
            QuotaConstraint { weights: vec![1; seats], quota: seats as u64 },
            format!("all {seats} seats (only the whole body wins when every other seat votes no)"),
        ),
        RuleKind::Majority | RuleKind::Qualified => {
            let needed = body.needed().unwrap_or(f64::NAN);
            if !(needed.is_finite() && needed <= seats as f64) {
                return Err(Error::Unservable(format!(
                    "the body's rule needs {needed} of {seats} seats: it can never decide"
                )));
            }
            let q = needed.max(0.0) as u64;
            (QuotaConstraint { weights: vec![1; seats], quota: q }, format!("{q} of {seats} seats"))
        }
        RuleKind::Quota => {
            let quota = body.needed().unwrap_or(f64::NAN);
            let weights: Vec<f64> = (0..seats).map(|s| body.weight(s)).collect();
            let (w, q, scale) = integer_quota(&weights, quota).ok_or_else(|| {
                Error::Unservable("the body's weights cannot be scaled to integers (at most 9 decimals)".into())
            })?;
            let total: u64 = w.iter().sum();
            let scaled = if scale > 1 { format!(" (weights ×{scale})") } else { String::new() };
            (QuotaConstraint { weights: w, quota: q }, format!("quota {q} of weight {total}{scaled}"))
        }
    };
    let words = if vetoes.is_empty() { words } else { format!("{words}, vetoes: {} seat(s)", vetoes.len()) };
    let game = VotingGame::new(seats, vec![constraint], vetoes).map_err(unservable)?;
    Ok((game, words))
}

/// Integer weights and quota with the same winning sets as `Σ w ≥ quota − slack` (the
/// engine's comparison): weights scaled by the least power of ten that makes them integers.
fn integer_quota(weights: &[f64], quota: f64) -> Option<(Vec<u64>, u64, u64)> {
    if !quota.is_finite() || weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
        return None;
    }
    let reach = quota - ironclad_engine::decision::TOLERANCE * quota.abs().max(1.0);
    for d in 0..=9 {
        let k = 10f64.powi(d);
        let scaled: Vec<f64> = weights.iter().map(|w| w * k).collect();
        if scaled.iter().all(|x| (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0) && x.round() < 1e15) {
            let w: Vec<u64> = scaled.iter().map(|x| x.round() as u64).collect();
            // Integer sums S reach `reach` iff S ≥ ⌈k·reach⌉.
            let q = (k * reach).ceil().max(0.0);
            if q >= 1e18 {
                return None;
            }
            return Some((w, q as u64, k as u64));
        }
    }
    None
}

/// Whether `game` wins exactly the coalitions `mask` wins (all 2^seats of them).
pub fn agrees(game: &VotingGame, mask: &MaskBody<'_>) -> bool {
    let n = game.n();
    let mut members = vec![false; n];
    (0..1u64 << n).all(|s| {
        for (i, m) in members.iter_mut().enumerate() {
            *m = s >> i & 1 == 1;
        }
        game.is_winning(&members).ok() == Some(mask.is_winning(s))
    })
}

/// `ironclad power SPEC --body ID`.
pub fn power(spec: &Spec, body_id: &str) -> Result<PowerReport, Error> {
    let Some(body) = spec.bodies.iter().find(|b| b.id == body_id) else {
        let ids = body_ids(spec);
        let list =
            if ids.is_empty() { "this spec has no bodies".to_string() } else { format!("bodies: {}", ids.join(", ")) };
        return Err(Error::Usage(format!("no body `{body_id}`; {list}")));
    };
    let compiled = CompiledBody::new(body);
    let (game, words) = game(&compiled)?;
    if compiled.seats() <= VERIFY_SEATS {
        let mask = compiled.mask().map_err(|e| Error::Unservable(e.to_string()))?;
        if !agrees(&game, &mask) {
            return Err(Error::Unservable(format!("internal: the game of body `{body_id}` disagrees with its rule")));
        }
    }
    let p = power_indices(&game, PowerMethod::Auto).map_err(|e| Error::Unservable(format!("body `{body_id}`: {e}")))?;
    let label = |seat: usize| match compiled.party(seat) {
        Some(party) => spec.party(party).id.clone(),
        None => "other seats".to_string(),
    };
    let members = compiled.members();
    let mut rows: Vec<PowerRow> = (0..members).map(|s| row(&p, s, label(s), 1, compiled.is_veto(s))).collect();
    if compiled.seats() > members {
        rows.push(row(&p, members, "other seats".into(), compiled.seats() - members, false));
    }
    let labels = |seats: &[usize]| {
        let mut out: Vec<String> = seats.iter().map(|&s| label(s)).collect();
        out.dedup();
        out
    };
    Ok(PowerReport {
        schema_version: crate::SCHEMA_VERSION,
        framework: spec.framework.id.clone(),
        body: body.id.clone(),
        body_name: body.name.clone(),
        rule: compiled.rule_kind().as_str().to_string(),
        game: words,
        seats: compiled.seats(),
        method: match p.method {
            PowerMethod::Enumerate => "enumeration of all coalitions",
            PowerMethod::ExactDp => "exact dynamic programming over weights",
            _ => "floating-point generating functions (error ~1e-12)",
        }
        .into(),
        exact: p.exact,
        rows,
        blockers: labels(&p.blockers),
        dummies: labels(&p.dummies),
    })
}

fn row(p: &PowerIndices, seat: usize, label: String, seats: usize, veto: bool) -> PowerRow {
    PowerRow {
        label,
        seats,
        veto,
        shapley_shubik: p.shapley_shubik[seat],
        shapley_shubik_exact: p.shapley_shubik_exact.as_ref().map(|r| r[seat].to_string()),
        banzhaf: p.banzhaf[seat],
        banzhaf_exact: p.banzhaf_exact.as_ref().map(|r| r[seat].to_string()),
        banzhaf_raw: p.banzhaf_raw[seat],
        swings: p.swings_exact.as_ref().map(|s| s[seat].to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironclad_spec::model::{Body, PartyId, Rule};

    fn body(members: usize, other_seats: u32, rule: Rule, vetoes: &[usize]) -> Body {
        Body {
            id: "b".into(),
            name: "B".into(),
            members: (0..members).map(|i| PartyId(i as u16)).collect(),
            rule,
            vetoes: vetoes.iter().map(|&i| PartyId(i as u16)).collect(),
            other_seats,
            span: 0..0,
        }
    }

    #[test]
    fn the_game_wins_exactly_the_coalitions_the_rule_passes() {
        let rules = [
            Rule::Unanimity,
            Rule::Consensus,
            Rule::Majority,
            Rule::Qualified { threshold: 2.0 / 3.0 },
            Rule::Qualified { threshold: 0.6667 },
            Rule::Quota { quota: 0.3, weights: vec![0.1, 0.2, 0.1, 0.05] },
            Rule::Quota { quota: 9.0, weights: vec![1.0; 4] },
            Rule::Quota { quota: 7.5, weights: vec![3.0, 2.5, 1.0, 4.0] },
        ];
        for rule in rules {
            for (members, others, vetoes) in
                [(4, 0, vec![]), (4, 3, vec![0]), (4, 6, vec![1, 3]), (3, 2, vec![0, 1, 2])]
            {
                let b = body(members, others, rule.clone(), &vetoes);
                let c = CompiledBody::new(&b);
                let Ok((g, _)) = game(&c) else { continue };
                assert!(agrees(&g, &c.mask().unwrap()), "{rule:?} {members}+{others} vetoes {vetoes:?}");
            }
        }
    }
}
