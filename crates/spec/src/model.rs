//! The resolved model of a framework: every name interned to a dense id, every expression
//! typed, every amount parsed. Built by `lower` from the raw file; read by lints, `show`, and
//! the engine.
//!
//! Invariant: every id stored in a `Spec` indexes the matching vector of that same `Spec`
//! (`PartyId(i)` → `spec.parties[i]`), so lookups never fail.

use std::collections::BTreeMap;

use crate::expr::{Trigger, Typed};
use crate::quantity::{Duration, Quantity};
use crate::span::Span;
use crate::vocab::{Date, Domain, Kind, Modality, RedLineKind, RuleKind, Status, Strength};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u16);
        impl $name {
            pub fn index(self) -> usize { usize::from(self.0) }
        }
    )+};
}

id_type!(
    /// Index into `Spec::parties`.
    PartyId,
    /// Index into `Spec::regions`.
    RegionId,
    /// Index into `Spec::bodies`.
    BodyId,
    /// Index into `Spec::commitments`.
    CommitmentId,
    /// Index into `Spec::red_lines`.
    RedLineId,
    /// Index into `Spec::sources`.
    SourceId,
    /// Index into `Spec::variants`.
    VariantId,
    /// Index into `Spec::exceptions`.
    ExceptionId,
);

/// A framework, resolved.
#[derive(Debug, Clone)]
pub struct Spec {
    pub framework: Framework,
    pub sources: Vec<Source>,
    pub parties: Vec<Party>,
    pub regions: Vec<Region>,
    pub bodies: Vec<Body>,
    pub commitments: Vec<Commitment>,
    pub red_lines: Vec<RedLine>,
    pub exceptions: Vec<Exception>,
    pub variants: Vec<Variant>,
    /// Each tag and the parties that carry it, in declaration order.
    pub tags: BTreeMap<String, Vec<PartyId>>,
    /// Simulation parameters, defaults filled in.
    pub params: crate::params::ModelParams,
}

#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub protects: Vec<PartyId>,
    pub threat: Option<PartyId>,
    pub domains: Vec<(Domain, Span)>,
    pub signed: Option<Date>,
    pub in_force: Option<Date>,
    pub expires: Option<Date>,
    pub duration: Option<Duration>,
    pub notice: Option<Duration>,
    /// Continuing conditions on every commitment (`continuing`, then the unqualified `condition`).
    pub condition: Vec<Condition>,
    /// Entry conditions on every commitment.
    pub entry: Vec<Condition>,
    /// Span of an unqualified `condition` (read as continuing; linted).
    pub unqualified_condition: Option<Span>,
    /// Lints allowed for the whole framework.
    pub allow: Vec<String>,
    /// The default scenario's path, relative to the spec file.
    pub scenario: Option<String>,
    pub summary: Option<String>,
    /// `[[framework.evidence]]`: quotes about the framework as a whole.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub file: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub date: Option<Date>,
    /// Through whom all its quotes are second hand, if the whole source is (already applied to
    /// each of its quotes' `via` at lowering).
    pub via: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Evidence {
    pub source: SourceId,
    pub quote: String,
    /// Span of the quote string in the spec file.
    pub quote_span: Span,
    pub speaker: Option<String>,
    /// Through whom the source has the speaker's words (second hand).
    pub via: Option<String>,
    pub date: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub tags: Vec<String>,
    pub territory: Vec<RegionId>,
    pub capacity: Vec<(Domain, Quantity)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub id: String,
    pub name: String,
    pub parent: Option<RegionId>,
    pub span: Span,
}

/// A decision rule with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Unanimity,
    Consensus,
    Majority,
    /// Yes votes ≥ `threshold` × seats.
    Qualified {
        threshold: f64,
    },
    /// Sum of yes weights ≥ `quota`; `weights[i]` belongs to `members[i]`, other seats weigh 1.
    Quota {
        quota: f64,
        weights: Vec<f64>,
    },
}

impl Rule {
    pub fn kind(&self) -> RuleKind {
        match self {
            Rule::Unanimity => RuleKind::Unanimity,
            Rule::Consensus => RuleKind::Consensus,
            Rule::Majority => RuleKind::Majority,
            Rule::Qualified { .. } => RuleKind::Qualified,
            Rule::Quota { .. } => RuleKind::Quota,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Body {
    pub id: String,
    pub name: String,
    pub members: Vec<PartyId>,
    pub rule: Rule,
    /// Members whose "no" blocks any decision.
    pub vetoes: Vec<PartyId>,
    /// Seats held by states not modelled as parties.
    pub other_seats: u32,
    pub span: Span,
}

impl Body {
    /// Every member whose "no" alone blocks a decision: veto players, plus every member under
    /// unanimity or consensus.
    pub fn blockers(&self) -> Vec<PartyId> {
        match self.rule {
            Rule::Unanimity | Rule::Consensus => self.members.clone(),
            _ => self.vetoes.clone(),
        }
    }

    /// Whether the rule can be met at all, with every seat voting yes.
    pub fn can_decide(&self) -> bool {
        let seats = self.members.len() as f64 + f64::from(self.other_seats);
        match &self.rule {
            Rule::Unanimity | Rule::Consensus | Rule::Majority => seats > 0.0,
            Rule::Qualified { threshold } => seats > 0.0 && *threshold <= 1.0,
            Rule::Quota { quota, weights } => weights.iter().sum::<f64>() + f64::from(self.other_seats) >= *quota,
        }
    }
}

/// Who is obliged by a commitment.
#[derive(Debug, Clone, PartialEq)]
pub enum Obligor {
    /// Each listed party, individually.
    Parties(Vec<PartyId>),
    /// A decision body, acting by its rule.
    Body(BodyId),
}

/// A parsed and typed condition with its text.
#[derive(Debug, Clone)]
pub struct Condition {
    pub text: String,
    pub expr: Typed,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TriggerSpec {
    pub text: String,
    pub trigger: Trigger,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Commitment {
    pub id: String,
    pub title: Option<String>,
    pub article: Option<String>,
    pub by: Obligor,
    pub to: Vec<PartyId>,
    pub kind: Kind,
    pub domains: Vec<Domain>,
    pub amount: Option<Quantity>,
    pub backs: Option<CommitmentId>,
    pub trigger: Option<TriggerSpec>,
    /// Entry conditions: met once (all together), then no longer read.
    pub entry: Vec<Condition>,
    /// Continuing conditions (`continuing`, then the unqualified `conditions`).
    pub conditions: Vec<Condition>,
    /// Spans of the unqualified `conditions` (read as continuing; linted).
    pub unqualified_conditions: Vec<Span>,
    /// How far the clause has got; `implied_by(strength)` when not written.
    pub status: Status,
    /// Span of the written status, `None` when implied.
    pub status_span: Option<Span>,
    pub unless: Vec<Condition>,
    /// Events that void the commitment from then on.
    pub void_if: Option<TriggerSpec>,
    /// Whether the framework's condition applies to it.
    pub framework_condition: bool,
    pub scope: Vec<RegionId>,
    /// Regions within which it does not apply, even inside `scope` (`scope_except`).
    pub scope_except: Vec<RegionId>,
    pub modality: Modality,
    pub strength: Strength,
    pub deadline: Option<Duration>,
    /// Whether the deadline is soft (`soft_deadline`): past it the obligation is `late`, the
    /// commitment does not fail.
    pub soft_deadline: bool,
    pub duration: Option<Duration>,
    pub allow: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// The variant option this commitment belongs to; `None` for the base framework.
    pub option: Option<(VariantId, usize)>,
    pub notes: Option<String>,
    /// Span of the id.
    pub span: Span,
}

impl Commitment {
    /// Whether the clause can oblige anyone: a proposed or reported clause does so only in the
    /// variant options that list it.
    pub fn takes_effect(&self) -> bool {
        !self.status.tentative() || self.option.is_some()
    }

    /// Whether the commitment itself allows a lint (see also `Spec::allows`).
    pub fn allows(&self, lint: &str) -> bool {
        self.allow.iter().any(|a| a == lint)
    }
}

/// Which commitments a red line is about; an empty list matches everything.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub by: Vec<PartyId>,
    pub kinds: Vec<Kind>,
    pub domains: Vec<Domain>,
    pub regions: Vec<RegionId>,
}

#[derive(Debug, Clone)]
pub struct RedLine {
    pub id: String,
    pub party: PartyId,
    pub kind: RedLineKind,
    pub statement: Option<String>,
    pub matches: Option<Selector>,
    pub response: Option<String>,
    /// Exclusions only: the domains of a matched clause the party is removed from; empty: the
    /// whole clause (`crate::select::exclusions`).
    pub domains: Vec<Domain>,
    pub strength: Strength,
    pub evidence: Vec<Evidence>,
    pub option: Option<(VariantId, usize)>,
    pub span: Span,
}

/// An exception to commitments (see `raw::RawException`).
#[derive(Debug, Clone)]
pub struct Exception {
    pub id: String,
    pub commitments: Vec<CommitmentId>,
    pub when: Condition,
    pub effect: crate::vocab::ExceptionEffect,
    /// For `excuse`: the acts (an event pattern, on the state before the act) that do not breach.
    pub acts: Option<TriggerSpec>,
    pub overrides: Vec<ExceptionId>,
    pub evidence: Vec<Evidence>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct VariantOption {
    pub id: String,
    pub summary: Option<String>,
    pub weight: f64,
    pub commitments: Vec<CommitmentId>,
    pub red_lines: Vec<RedLineId>,
    pub evidence: Vec<Evidence>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub id: String,
    pub question: String,
    pub options: Vec<VariantOption>,
    pub evidence: Vec<Evidence>,
    pub span: Span,
}

impl Spec {
    /// Whether a lint is allowed on a commitment, by the commitment or by the whole framework.
    pub fn allows(&self, commitment: Option<&Commitment>, lint: &str) -> bool {
        self.framework.allow.iter().any(|a| a == lint) || commitment.is_some_and(|c| c.allows(lint))
    }

    pub fn party(&self, id: PartyId) -> &Party {
        &self.parties[id.index()]
    }
    pub fn region(&self, id: RegionId) -> &Region {
        &self.regions[id.index()]
    }
    pub fn body(&self, id: BodyId) -> &Body {
        &self.bodies[id.index()]
    }
    pub fn commitment(&self, id: CommitmentId) -> &Commitment {
        &self.commitments[id.index()]
    }

    /// Every condition a commitment needs: the framework's (unless it opts out) and its own.
    pub fn conditions_of<'a>(&'a self, commitment: &'a Commitment) -> impl Iterator<Item = &'a Condition> {
        let framework = self.framework.condition.iter().filter(|_| commitment.framework_condition);
        framework.chain(&commitment.conditions)
    }

    /// Every entry condition a commitment needs: the framework's (unless it opts out) and its own.
    pub fn entry_of<'a>(&'a self, commitment: &'a Commitment) -> impl Iterator<Item = &'a Condition> {
        let framework = self.framework.entry.iter().filter(|_| commitment.framework_condition);
        framework.chain(&commitment.entry)
    }

    /// Whether `inner` lies within `outer` in the containment tree (reflexive).
    pub fn region_within(&self, inner: RegionId, outer: RegionId) -> bool {
        let mut current = Some(inner);
        // The tree is acyclic (checked by `lower`), so this walk ends within `regions.len()` steps.
        for _ in 0..=self.regions.len() {
            match current {
                Some(r) if r == outer => return true,
                Some(r) => current = self.region(r).parent,
                None => return false,
            }
        }
        false
    }

    /// The parties obliged by a commitment: its parties, or its body's members.
    pub fn obligors(&self, commitment: &Commitment) -> Vec<PartyId> {
        match &commitment.by {
            Obligor::Parties(parties) => parties.clone(),
            Obligor::Body(body) => self.body(*body).members.clone(),
        }
    }

    /// Every commitment with its id, in file order.
    pub fn commitments(&self) -> impl Iterator<Item = (CommitmentId, &Commitment)> {
        self.commitments.iter().enumerate().map(|(i, c)| (CommitmentId(i as u16), c))
    }

    /// All evidence in the spec, with what it supports (`commitment ...`, `red line ...`, `variant ...`).
    pub fn all_evidence(&self) -> Vec<(String, &Evidence)> {
        let mut all = Vec::new();
        all.extend(self.framework.evidence.iter().map(|e| (format!("framework `{}`", self.framework.id), e)));
        for c in &self.commitments {
            all.extend(c.evidence.iter().map(|e| (format!("commitment `{}`", c.id), e)));
        }
        for r in &self.red_lines {
            all.extend(r.evidence.iter().map(|e| (format!("red line `{}`", r.id), e)));
        }
        for x in &self.exceptions {
            all.extend(x.evidence.iter().map(|e| (format!("exception `{}`", x.id), e)));
        }
        for v in &self.variants {
            all.extend(v.evidence.iter().map(|e| (format!("variant `{}`", v.id), e)));
            for o in &v.options {
                all.extend(o.evidence.iter().map(|e| (format!("variant option `{}.{}`", v.id, o.id), e)));
            }
        }
        all
    }
}
