//! Scenario files: a timeline of dated events against one framework.
//!
//! A scenario is read like a spec (TOML with spans, the same diagnostics) and lowered against
//! the resolved framework it is written for, so every party, region, body and commitment it
//! names is checked. Events are sorted by day, keeping file order within a day.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, line_col};
use crate::expr::{EventKind, Field, Scale};
use crate::model::{BodyId, CommitmentId, PartyId, RegionId, Spec};
use crate::quantity::MAX_DAY;
use crate::span::{Sp, Span};
use crate::suggest::did_you_mean;
use crate::vocab::{Date, Domain, Kind};

/// A scenario file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawScenarioMeta,
    /// The state of the world before the first event.
    #[serde(default)]
    pub initial: RawInitial,
    /// Default votes of bodies that decide without a `decision` event in the timeline.
    #[serde(default)]
    pub policy: Vec<RawPolicy>,
    #[serde(default)]
    pub event: Vec<RawEvent>,
    /// What an adequate response to the attack needs, per domain (for `ironclad simulate`).
    #[serde(default)]
    pub requirement: Vec<RawRequirement>,
}

/// An adequate response needs `amount` in `domain`, e.g. `{ domain = "land", amount = "20000 troops" }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequirement {
    pub domain: Sp<Domain>,
    pub amount: Sp<String>,
}

/// A resolved requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub domain: Domain,
    pub amount: crate::quantity::Quantity,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioMeta {
    pub id: Sp<String>,
    pub title: Option<String>,
    /// The id of the framework this scenario is written for.
    pub framework: Sp<String>,
    /// The date of day 0, so that events may give a `date` instead of a `day`.
    pub start: Option<Sp<Date>>,
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInitial {
    #[serde(default)]
    pub ceasefire: bool,
    #[serde(default)]
    pub peace_agreement: bool,
    /// Parties that consent to foreign forces on their territory from the start.
    #[serde(default)]
    pub consent: Vec<Sp<String>>,
    /// Forces already deployed: `{ party = "UK", region = "EE" }`.
    #[serde(default)]
    pub deployed: Vec<RawDeployment>,
    /// Memberships from the start beyond the tags: `{ party = "UA", organisation = "#nato" }`.
    #[serde(default)]
    pub members: Vec<RawMembership>,
    /// Commitments whose funds are appropriated from the start.
    #[serde(default)]
    pub appropriated: Vec<Sp<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMembership {
    pub party: Sp<String>,
    /// The organisation, written as its tag: `"#nato"`.
    pub organisation: Sp<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeployment {
    pub party: Sp<String>,
    pub region: Sp<String>,
}

/// How a seat votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteValue {
    Yes,
    No,
    Abstain,
    /// Silent: did not vote (assent under consensus).
    Absent,
}

/// Default votes of a body's members.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub body: Sp<String>,
    /// The vote of members not listed in `votes`.
    pub default: Sp<VoteValue>,
    #[serde(default)]
    pub votes: BTreeMap<Sp<String>, Sp<VoteValue>>,
    /// The vote of the seats not modelled as parties (default: `default`).
    pub others: Option<Sp<VoteValue>>,
}

/// One event. Which fields apply depends on `kind` (see `docs/spec-format.md`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Days after day 0 (may be negative).
    pub day: Option<Sp<i64>>,
    /// A calendar date (needs `scenario.start`).
    pub date: Option<Sp<Date>>,
    /// The event kind, e.g. `armed_attack`.
    pub kind: Sp<String>,
    pub attacker: Option<Sp<String>>,
    pub target: Option<Sp<String>>,
    pub owner: Option<Sp<String>>,
    pub party: Option<Sp<String>>,
    pub violator: Option<Sp<String>>,
    pub region: Option<Sp<String>>,
    pub domains: Option<Vec<Sp<Domain>>>,
    /// `incident`, `limited`, `significant` or `major` (default `major`).
    pub scale: Option<Sp<String>>,
    pub deliberate: Option<Sp<bool>>,
    pub sustained: Option<Sp<bool>>,
    pub provoked: Option<Sp<bool>>,
    pub nuclear: Option<Sp<bool>>,
    pub body: Option<Sp<String>>,
    /// For `decision`: votes by party id.
    pub votes: Option<BTreeMap<Sp<String>, Sp<VoteValue>>>,
    /// For `decision`: the vote of members not listed (default `absent`).
    pub default: Option<Sp<VoteValue>>,
    /// For `decision`: the vote of the seats not modelled as parties (default: `default`).
    pub others: Option<Sp<VoteValue>>,
    /// For `position_change`, `action`, `appropriation` and `rescission`: the commitment concerned.
    pub commitment: Option<Sp<String>>,
    /// For `position_change`: the party withdraws from `commitment`.
    pub withdraws: Option<Sp<bool>>,
    /// For `position_change`: the party grants (true) or withdraws (false) consent to foreign forces.
    pub consent: Option<Sp<bool>>,
    /// For `accession` and `departure`: the organisation joined or left, as its tag (`"#nato"`).
    pub organisation: Option<Sp<String>>,
    pub note: Option<String>,
}

/// A resolved scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: Option<String>,
    pub framework: String,
    pub start: Option<Date>,
    pub initial: Initial,
    pub policies: Vec<Policy>,
    /// Sorted by day; file order within a day.
    pub events: Vec<Event>,
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Default)]
pub struct Initial {
    pub ceasefire: bool,
    pub peace_agreement: bool,
    pub consent: Vec<PartyId>,
    pub deployed: Vec<(PartyId, RegionId)>,
    /// Memberships from the start beyond the tags: (party, organisation index in `Spec::tags`).
    pub members: Vec<(PartyId, u16)>,
    /// Commitments whose funds are appropriated from the start.
    pub appropriated: Vec<CommitmentId>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub body: BodyId,
    pub default: VoteValue,
    pub votes: Vec<(PartyId, VoteValue)>,
    pub others: VoteValue,
}

/// A resolved event. Fields that do not apply to its kind are `None` / empty.
#[derive(Debug, Clone)]
pub struct Event {
    pub day: i64,
    /// 1-based line of the event's `kind` in the scenario file, for explanations.
    pub line: usize,
    pub span: Span,
    pub kind: EventKind,
    pub attacker: Option<PartyId>,
    pub target: Option<PartyId>,
    pub owner: Option<PartyId>,
    pub party: Option<PartyId>,
    pub violator: Option<PartyId>,
    pub region: Option<RegionId>,
    pub domains: Vec<Domain>,
    pub scale: Scale,
    pub deliberate: bool,
    pub sustained: bool,
    pub provoked: bool,
    pub nuclear: bool,
    pub body: Option<BodyId>,
    pub votes: Vec<(PartyId, VoteValue)>,
    pub default_vote: VoteValue,
    pub others_vote: VoteValue,
    pub commitment: Option<CommitmentId>,
    pub withdraws: bool,
    pub consent: Option<bool>,
    /// For `accession` and `departure`: the organisation, as an index into `Spec::tags`.
    pub organisation: Option<u16>,
    pub note: Option<String>,
}

/// Fields of events that the scenario format adds to those triggers can see.
const EXTRA_FIELDS: &[(&str, &[EventKind])] = &[
    ("votes", &[EventKind::Decision]),
    ("default", &[EventKind::Decision]),
    ("others", &[EventKind::Decision]),
    ("withdraws", &[EventKind::PositionChange]),
    ("consent", &[EventKind::PositionChange]),
];

/// Fields an event of this kind must give.
fn required(kind: EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::ArmedAttack => &["attacker", "target", "region"],
        EventKind::StrikeOnForces => &["attacker", "owner", "region"],
        EventKind::Threat | EventKind::ThreatLifted => &["attacker", "target"],
        EventKind::ForceDeployed | EventKind::ForceWithdrawn => &["party", "region"],
        EventKind::Decision => &["body"],
        EventKind::Request | EventKind::Action => &["party"],
        EventKind::PositionChange => &["party"],
        EventKind::Accession | EventKind::Departure => &["party", "organisation"],
        EventKind::Appropriation | EventKind::Rescission => &["commitment"],
        EventKind::CeasefireSigned | EventKind::CeasefireBroken | EventKind::PeaceSigned | EventKind::Consultation => {
            &[]
        }
    }
}

/// "a" or "an" before a word.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// Reads a scenario and resolves it against `spec`. Returns the scenario only without errors.
pub fn lower_scenario(text: &str, spec: &Spec) -> (Option<Scenario>, Vec<Diagnostic>) {
    lower_scenario_with(text, spec, true)
}

/// As [`lower_scenario`]; with `strict_framework = false` the scenario's `framework` is
/// advisory (no E0801 when it names another framework) and its names are resolved against
/// `spec` alone — for `compare`, which applies one scenario to every framework that covers it.
pub fn lower_scenario_with(text: &str, spec: &Spec, strict_framework: bool) -> (Option<Scenario>, Vec<Diagnostic>) {
    let (scenario, diagnostics, _) = lower(text, spec, strict_framework, false);
    (scenario, diagnostics)
}

/// Lowers a scenario for a framework it need not be written for (`compare`): the scenario's
/// `framework` is advisory, and an organisation (`#tag`) that no party of this framework
/// carries is inert rather than an error — no clause of the framework can read it, so its
/// accession and departure events and `[initial] members` entries change nothing. Returns
/// the organisations found inert (as written, with the `#`), sorted and without repeats.
pub fn lower_scenario_across(text: &str, spec: &Spec) -> (Option<Scenario>, Vec<Diagnostic>, Vec<String>) {
    lower(text, spec, false, true)
}

fn lower(
    text: &str,
    spec: &Spec,
    strict_framework: bool,
    inert_organisations: bool,
) -> (Option<Scenario>, Vec<Diagnostic>, Vec<String>) {
    if let Err(err) = text.parse::<toml::Table>() {
        let d = Diagnostic::new("E0001", format!("invalid TOML: {}", err.message().trim_end()))
            .primary(err.span().unwrap_or(0..0), "here");
        return (None, vec![d], vec![]);
    }
    let raw = match toml::from_str::<RawScenario>(text) {
        Ok(raw) => raw,
        Err(err) => {
            let d = Diagnostic::new("E0002", err.message().trim_end().to_string())
                .primary(err.span().unwrap_or(0..0), "here")
                .help("docs/spec-format.md (section Scenarios) gives every field of a scenario");
            return (None, vec![d], vec![]);
        }
    };
    let inert = inert_organisations.then(Vec::new);
    let mut l = ScenarioLowerer { text, spec, strict_framework, diagnostics: Vec::new(), inert };
    let scenario = l.lower(&raw);
    let ok = !l.diagnostics.iter().any(|d| d.severity == crate::Severity::Error);
    let mut inert = l.inert.unwrap_or_default();
    inert.sort();
    inert.dedup();
    (ok.then_some(scenario), l.diagnostics, inert)
}

struct ScenarioLowerer<'a> {
    text: &'a str,
    spec: &'a Spec,
    strict_framework: bool,
    diagnostics: Vec<Diagnostic>,
    /// `Some`: organisations no party carries are inert, and listed here (not E0101).
    inert: Option<Vec<String>>,
}

impl ScenarioLowerer<'_> {
    fn lower(&mut self, raw: &RawScenario) -> Scenario {
        if self.strict_framework && raw.scenario.framework.value != self.spec.framework.id {
            self.diagnostics.push(
                Diagnostic::new(
                    "E0801",
                    format!(
                        "this scenario is written for `{}`, not `{}`",
                        raw.scenario.framework.value, self.spec.framework.id
                    ),
                )
                .primary(raw.scenario.framework.span.clone(), "the scenario's framework")
                .help("run it with the framework it names, or change `framework` if it fits this one too"),
            );
        }
        let initial = Initial {
            ceasefire: raw.initial.ceasefire,
            peace_agreement: raw.initial.peace_agreement,
            consent: raw.initial.consent.iter().filter_map(|p| self.party(p)).collect(),
            deployed: raw
                .initial
                .deployed
                .iter()
                .filter_map(|d| {
                    // Both names are checked, so that each bad one is reported.
                    let (party, region) = (self.party(&d.party), self.region(&d.region));
                    Some((party?, region?))
                })
                .collect(),
            members: raw
                .initial
                .members
                .iter()
                .filter_map(|m| {
                    let (party, organisation) = (self.party(&m.party), self.organisation(&m.organisation));
                    Some((party?, organisation?))
                })
                .collect(),
            appropriated: raw.initial.appropriated.iter().filter_map(|c| self.commitment(c)).collect(),
        };
        let mut policies: Vec<Policy> = Vec::new();
        let mut policy_spans: Vec<&Span> = Vec::new();
        for raw_policy in &raw.policy {
            let Some(policy) = self.policy(raw_policy) else { continue };
            if let Some(first) = policies.iter().position(|p| p.body == policy.body) {
                self.diagnostics.push(
                    Diagnostic::new("E0102", format!("two `[[policy]]` tables for body `{}`", raw_policy.body.value))
                        .primary(raw_policy.body.span.clone(), "a second policy for this body")
                        .secondary(policy_spans[first].clone(), "the first policy for it")
                        .help("give one `[[policy]]` per body; merge their `votes` into one table"),
                );
                continue;
            }
            policy_spans.push(&raw_policy.body.span);
            policies.push(policy);
        }
        let start = raw.scenario.start.as_ref().map(|d| d.value);
        let mut events: Vec<Event> = raw.event.iter().filter_map(|e| self.event(e, start)).collect();
        events.sort_by_key(|e| e.day);
        let mut requirements: Vec<Requirement> = Vec::new();
        for r in &raw.requirement {
            match crate::quantity::parse_quantity(&r.amount.value) {
                Ok(amount) if amount.low.is_some() => self.diagnostics.push(
                    Diagnostic::new("E0301", "a requirement takes one amount, not a range")
                        .primary(r.amount.span.clone(), "a range")
                        .help("state what the response needs; to test several needs, write one scenario each"),
                ),
                Ok(amount) if amount.value > 0.0 => {
                    if requirements.iter().any(|q| q.domain == r.domain.value) {
                        self.diagnostics.push(
                            Diagnostic::new("E0102", format!("two requirements for `{}`", r.domain.value))
                                .primary(r.domain.span.clone(), "again")
                                .help("give one requirement per domain"),
                        );
                    }
                    self.check_requirement_unit(r, &amount);
                    requirements.push(Requirement { domain: r.domain.value, amount });
                }
                Ok(_) => self.diagnostics.push(
                    Diagnostic::new("E0402", "a requirement of zero")
                        .primary(r.amount.span.clone(), "must be positive")
                        .help("drop the requirement to leave the domain out"),
                ),
                Err(err) => self.diagnostics.push(
                    Diagnostic::new("E0301", err.message).primary(r.amount.span.clone(), "bad amount").help(err.help),
                ),
            }
        }
        Scenario {
            id: raw.scenario.id.value.clone(),
            title: raw.scenario.title.clone(),
            framework: raw.scenario.framework.value.clone(),
            start,
            initial,
            policies,
            events,
            requirements,
        }
    }

    /// W0015: a requirement in a unit that no pledge of its domain uses is met by nothing (the
    /// simulation matches a pledge to a need by unit and rate, `quantity::Quantity::unit_text`:
    /// a commitment's `amount`, else its party's `capacity`). Quiet for a count of `pledges`,
    /// and for a domain in which nothing is pledged in any unit.
    fn check_requirement_unit(&mut self, r: &RawRequirement, amount: &crate::quantity::Quantity) {
        if amount.dimension == crate::quantity::Dimension::Pledges {
            return;
        }
        let domain = r.domain.value;
        let amounts =
            self.spec.commitments.iter().filter(|c| c.domains.contains(&domain)).filter_map(|c| c.amount.as_ref());
        let capacities =
            self.spec.parties.iter().flat_map(|p| p.capacity.iter()).filter(|(d, _)| *d == domain).map(|(_, q)| q);
        let mut units: Vec<String> = amounts.chain(capacities).map(|q| q.unit_text()).collect();
        units.sort();
        units.dedup();
        let unit = amount.unit_text();
        if units.is_empty() || units.contains(&unit) {
            return;
        }
        let listed = units.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ");
        self.diagnostics.push(
            Diagnostic::new(
                "W0015",
                format!(
                    "the requirement `{}` for `{domain}` is in `{unit}`, but the pledges and capacities in `{domain}` are in {listed}: nothing delivered counts toward it",
                    r.amount.value
                ),
            )
            .primary(r.amount.span.clone(), format!("no pledge in `{domain}` is in `{unit}`"))
            .help(format!(
                "state the requirement in a unit the pledges use ({listed}), or `pledges` to count honoured pledges"
            )),
        );
    }

    fn unknown(&mut self, what: &str, name: &Sp<String>, known: Vec<&str>) {
        let help = match did_you_mean(&name.value, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("the framework `{}` declares no such {what}", self.spec.framework.id),
        };
        self.diagnostics.push(
            Diagnostic::new("E0101", format!("unknown {what} `{}`", name.value))
                .primary(name.span.clone(), format!("no {what} has this id"))
                .help(help),
        );
    }

    fn party(&mut self, name: &Sp<String>) -> Option<PartyId> {
        let found = self.spec.parties.iter().position(|p| p.id == name.value).map(|i| PartyId(i as u16));
        if found.is_none() {
            let known = self.spec.parties.iter().map(|p| p.id.as_str()).collect();
            self.unknown("party", name, known);
        }
        found
    }

    fn region(&mut self, name: &Sp<String>) -> Option<RegionId> {
        let found = self.spec.regions.iter().position(|r| r.id == name.value).map(|i| RegionId(i as u16));
        if found.is_none() {
            let known = self.spec.regions.iter().map(|r| r.id.as_str()).collect();
            self.unknown("region", name, known);
        }
        found
    }

    fn body(&mut self, name: &Sp<String>) -> Option<BodyId> {
        let found = self.spec.bodies.iter().position(|b| b.id == name.value).map(|i| BodyId(i as u16));
        if found.is_none() {
            let known = self.spec.bodies.iter().map(|b| b.id.as_str()).collect();
            self.unknown("body", name, known);
        }
        found
    }

    fn commitment(&mut self, name: &Sp<String>) -> Option<CommitmentId> {
        let found = self.spec.commitments.iter().position(|c| c.id == name.value).map(|i| CommitmentId(i as u16));
        if found.is_none() {
            let known = self.spec.commitments.iter().map(|c| c.id.as_str()).collect();
            self.unknown("commitment", name, known);
        }
        found
    }

    /// An organisation, written as its tag (`"#nato"`): E0608 without the `#`, E0101 for a tag
    /// no party carries.
    fn organisation(&mut self, name: &Sp<String>) -> Option<u16> {
        let Some(tag) = name.value.strip_prefix('#') else {
            self.diagnostics.push(
                Diagnostic::new("E0608", format!("organisation `{}` is not written as a tag", name.value))
                    .primary(name.span.clone(), "no `#`")
                    .help(format!("an organisation is the tag its members carry: write `\"#{}\"`", name.value)),
            );
            return None;
        };
        let found = self.spec.tags.keys().position(|t| t == tag).map(|i| i as u16);
        if found.is_none()
            && let Some(inert) = self.inert.as_mut()
        {
            inert.push(name.value.clone());
        } else if found.is_none() {
            let known: Vec<String> = self.spec.tags.keys().map(|t| format!("#{t}")).collect();
            let known = known.iter().map(String::as_str).collect();
            self.unknown("organisation", name, known);
        }
        found
    }

    fn votes(&mut self, body: BodyId, votes: &BTreeMap<Sp<String>, Sp<VoteValue>>) -> Vec<(PartyId, VoteValue)> {
        let mut out = Vec::new();
        for (party, vote) in votes {
            let Some(p) = self.party(party) else { continue };
            if !self.spec.body(body).members.contains(&p) {
                self.diagnostics.push(
                    Diagnostic::new(
                        "E0802",
                        format!("`{}` votes but is not a member of `{}`", party.value, self.spec.body(body).id),
                    )
                    .primary(party.span.clone(), "not a member")
                    .help("only members of the body vote"),
                );
                continue;
            }
            out.push((p, vote.value));
        }
        out
    }

    fn policy(&mut self, p: &RawPolicy) -> Option<Policy> {
        let body = self.body(&p.body)?;
        let votes = self.votes(body, &p.votes);
        Some(Policy {
            body,
            default: p.default.value,
            votes,
            others: p.others.as_ref().map_or(p.default.value, |o| o.value),
        })
    }

    fn event(&mut self, e: &RawEvent, start: Option<Date>) -> Option<Event> {
        let Some(kind) = EventKind::parse(&e.kind.value) else {
            let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            let help = match did_you_mean(&e.kind.value, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? Event kinds: {}", known.join(", ")),
                None => format!("event kinds: {}", known.join(", ")),
            };
            self.diagnostics.push(
                Diagnostic::new("E0802", format!("unknown event kind `{}`", e.kind.value))
                    .primary(e.kind.span.clone(), "not an event kind")
                    .help(help),
            );
            return None;
        };
        let day = self.day(e, start)?;
        self.check_fields(e, kind);
        let opt_party = |l: &mut Self, p: &Option<Sp<String>>| p.as_ref().and_then(|p| l.party(p));
        let body = e.body.as_ref().and_then(|b| self.body(b));
        let default_vote = e.default.as_ref().map_or(VoteValue::Absent, |v| v.value);
        let votes = match (body, &e.votes) {
            (Some(b), Some(v)) => self.votes(b, v),
            _ => Vec::new(),
        };
        let scale = match &e.scale {
            None => Scale::Major,
            Some(s) => Scale::parse(&s.value).or_else(|| {
                self.diagnostics.push(
                    Diagnostic::new("E0802", format!("unknown scale `{}`", s.value))
                        .primary(s.span.clone(), "not a scale")
                        .help("scales are incident, limited, significant, major"),
                );
                None
            })?,
        };
        let flag = |f: &Option<Sp<bool>>, default: bool| f.as_ref().map_or(default, |f| f.value);
        if kind == EventKind::PositionChange && e.withdraws.is_none() && e.consent.is_none() {
            self.diagnostics.push(
                Diagnostic::new("E0802", "a position change must say what changes")
                    .primary(e.kind.span.clone(), "no `withdraws` or `consent`")
                    .help("add `withdraws = true` with `commitment = \"...\"`, or `consent = true|false`"),
            );
        }
        if flag(&e.withdraws, false) && e.commitment.is_none() {
            self.diagnostics.push(
                Diagnostic::new("E0802", "`withdraws` needs the commitment withdrawn from")
                    .primary(e.kind.span.clone(), "no `commitment`")
                    .help("add `commitment = \"<commitment id>\"`"),
            );
        }
        // An act for a commitment with a scope must say where it happens: only an act in scope fulfils it.
        if kind == EventKind::Action
            && e.region.is_none()
            && let Some(name) = &e.commitment
            && let Some(c) = self.spec.commitments.iter().find(|c| c.id == name.value)
            && (!c.scope.is_empty() || !c.scope_except.is_empty())
        {
            let regions: Vec<&str> = c.scope.iter().map(|r| self.spec.region(*r).id.as_str()).collect();
            let scope =
                if regions.is_empty() { "a scope".to_string() } else { format!("scope {}", regions.join(", ")) };
            self.diagnostics.push(
                Diagnostic::new(
                    "E0614",
                    format!("an action for `{}`, which has {scope}, does not say where it happens", c.id),
                )
                .primary(name.span.clone(), "a commitment with a scope")
                .help("add `region = \"<region id>\"`: only an act within the commitment's scope fulfils it"),
            );
        }
        // An act named only by its domains, with no region, fulfils no clause with a scope.
        if kind == EventKind::Action
            && e.region.is_none()
            && e.commitment.is_none()
            && let Some(party) = e.party.as_ref().and_then(|p| self.spec.parties.iter().position(|x| x.id == p.value))
        {
            let domains: Vec<Domain> = e.domains.iter().flatten().map(|d| d.value).collect();
            let scoped: Vec<&str> = self
                .spec
                .commitments
                .iter()
                .filter(|c| {
                    c.kind != Kind::Refrain
                        && (!c.scope.is_empty() || !c.scope_except.is_empty())
                        && c.domains.iter().any(|d| domains.contains(d))
                        && self.spec.obligors(c).contains(&PartyId(party as u16))
                })
                .map(|c| c.id.as_str())
                .collect();
            if !scoped.is_empty() {
                let party = &self.spec.parties[party].id;
                self.diagnostics.push(
                    Diagnostic::new(
                        "W0014",
                        format!(
                            "an action by `{party}` gives no region, so it fulfils none of its clauses with a scope: {}",
                            scoped.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .primary(e.kind.span.clone(), "no `region`")
                    .help("add `region = \"<region id>\"` where the act happens: only an act within a clause's scope fulfils it"),
                );
            }
        }
        let (line, _) = line_col(self.text, e.kind.span.start);
        Some(Event {
            day,
            line,
            span: e.kind.span.clone(),
            kind,
            attacker: opt_party(self, &e.attacker),
            target: opt_party(self, &e.target),
            owner: opt_party(self, &e.owner),
            party: opt_party(self, &e.party),
            violator: opt_party(self, &e.violator),
            region: e.region.as_ref().and_then(|r| self.region(r)),
            domains: e.domains.iter().flatten().map(|d| d.value).collect(),
            scale,
            deliberate: flag(&e.deliberate, true),
            sustained: flag(&e.sustained, false),
            provoked: flag(&e.provoked, false),
            nuclear: flag(&e.nuclear, false),
            body,
            votes,
            default_vote,
            others_vote: e.others.as_ref().map_or(default_vote, |v| v.value),
            commitment: e.commitment.as_ref().and_then(|c| self.commitment(c)),
            withdraws: flag(&e.withdraws, false),
            consent: e.consent.as_ref().map(|c| c.value),
            organisation: e.organisation.as_ref().and_then(|o| self.organisation(o)),
            note: e.note.clone(),
        })
    }

    fn day(&mut self, e: &RawEvent, start: Option<Date>) -> Option<i64> {
        match (&e.day, &e.date, start) {
            (Some(day), None, _) if day.value.unsigned_abs() > MAX_DAY.unsigned_abs() => {
                self.diagnostics.push(
                    Diagnostic::new("E0803", format!("day {} is more than 10000 years from day 0", day.value))
                        .primary(day.span.clone(), "out of range")
                        .help(format!("days lie within ±{MAX_DAY} (10000 years of 365.25 days) of day 0")),
                );
                None
            }
            (Some(day), None, _) => Some(day.value),
            // Four-digit years keep any two dates within 10000 years of each other.
            (None, Some(date), Some(start)) => Some(date.value.days_since_epoch() - start.days_since_epoch()),
            (None, Some(date), None) => {
                self.diagnostics.push(
                    Diagnostic::new("E0803", "a dated event needs the scenario's start date")
                        .primary(date.span.clone(), "a date")
                        .help("add `start = YYYY-MM-DD` to [scenario], or give `day = N` instead"),
                );
                None
            }
            (Some(day), Some(_), _) => {
                self.diagnostics.push(
                    Diagnostic::new("E0803", "an event has both `day` and `date`")
                        .primary(day.span.clone(), "give one of them")
                        .help("keep `day` or `date`, not both"),
                );
                None
            }
            (None, None, _) => {
                self.diagnostics.push(
                    Diagnostic::new("E0803", "an event has no `day` or `date`")
                        .primary(e.kind.span.clone(), "when?")
                        .help("add `day = N` (days after day 0) or `date = YYYY-MM-DD`"),
                );
                None
            }
        }
    }

    /// Reports fields that do not apply to the kind, and required fields that are missing.
    fn check_fields(&mut self, e: &RawEvent, kind: EventKind) {
        let given: [(&str, Option<Span>); 21] = [
            ("attacker", e.attacker.as_ref().map(|v| v.span.clone())),
            ("target", e.target.as_ref().map(|v| v.span.clone())),
            ("owner", e.owner.as_ref().map(|v| v.span.clone())),
            ("party", e.party.as_ref().map(|v| v.span.clone())),
            ("violator", e.violator.as_ref().map(|v| v.span.clone())),
            ("region", e.region.as_ref().map(|v| v.span.clone())),
            ("domains", e.domains.as_ref().and_then(|d| d.first()).map(|v| v.span.clone())),
            ("scale", e.scale.as_ref().map(|v| v.span.clone())),
            ("deliberate", e.deliberate.as_ref().map(|v| v.span.clone())),
            ("sustained", e.sustained.as_ref().map(|v| v.span.clone())),
            ("provoked", e.provoked.as_ref().map(|v| v.span.clone())),
            ("nuclear", e.nuclear.as_ref().map(|v| v.span.clone())),
            ("body", e.body.as_ref().map(|v| v.span.clone())),
            ("votes", e.votes.as_ref().and_then(|v| v.keys().next()).map(|k| k.span.clone())),
            ("default", e.default.as_ref().map(|v| v.span.clone())),
            ("others", e.others.as_ref().map(|v| v.span.clone())),
            ("commitment", e.commitment.as_ref().map(|v| v.span.clone())),
            ("withdraws", e.withdraws.as_ref().map(|v| v.span.clone())),
            ("consent", e.consent.as_ref().map(|v| v.span.clone())),
            ("organisation", e.organisation.as_ref().map(|v| v.span.clone())),
            ("passed", None),
        ];
        let own: Vec<&str> = kind.fields().iter().map(|(f, _)| f.as_str()).collect();
        let applies = |name: &str| {
            (own.contains(&name) && name != Field::Passed.as_str())
                || EXTRA_FIELDS.iter().any(|(field, kinds)| *field == name && kinds.contains(&kind))
        };
        for (name, span) in &given {
            if let Some(span) = span
                && !applies(name)
            {
                let mut fields: Vec<&str> = own.iter().copied().filter(|f| *f != "passed").collect();
                fields.extend(EXTRA_FIELDS.iter().filter(|(_, kinds)| kinds.contains(&kind)).map(|(f, _)| *f));
                self.diagnostics.push(
                    Diagnostic::new("E0802", format!("`{name}` does not apply to a `{}` event", kind.as_str()))
                        .primary(span.clone(), "not a field of this event")
                        .help(if fields.is_empty() {
                            format!("`{}` events take only `day` or `date` (and `note`)", kind.as_str())
                        } else {
                            format!("fields of `{}`: {}", kind.as_str(), fields.join(", "))
                        }),
                );
            }
        }
        for name in required(kind) {
            if given.iter().any(|(n, span)| n == name && span.is_none()) {
                self.diagnostics.push(
                    Diagnostic::new(
                        "E0802",
                        format!("{} `{}` event needs `{name}`", article(kind.as_str()), kind.as_str()),
                    )
                    .primary(e.kind.span.clone(), format!("missing `{name}`"))
                    .help(format!(
                        "required fields of `{}`: {}",
                        kind.as_str(),
                        required(kind).join(", ")
                    )),
                );
            }
        }
    }
}
