//! Compiling a resolved spec into the engine's evaluation form.
//!
//! Names are already interned by the spec crate; here sets become bit masks (parties,
//! regions, commitments ≤ 128; bodies ≤ 64), region containment becomes an ancestor mask per
//! region, and typed expressions become [`CExpr`] trees over integer operands, with constant
//! sub-expressions folded. Evaluation ([`crate::eval`]) then never allocates.

use ironclad_spec::expr::{BinOp, EventKind, Field, Node, StateFn, Ty, Typed, Value};
use ironclad_spec::model::{Obligor, PartyId, RedLineId, Spec};
use ironclad_spec::vocab::{Domain, ExceptionEffect, Kind};

use crate::decision::CompiledBody;

/// Largest number of parties, regions and commitments a spec may have for the engine.
pub const MAX_ITEMS: usize = 128;
/// Largest number of bodies.
pub const MAX_BODIES: usize = 64;

/// A spec too large for the engine's bit masks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    pub what: &'static str,
    pub count: usize,
    pub limit: usize,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the framework has {} {}; the engine handles at most {}", self.count, self.what, self.limit)
    }
}
impl std::error::Error for TooLarge {}

/// A bit for index `i` (< 128).
pub(crate) fn bit(i: usize) -> u128 {
    1u128 << i
}

/// An integer operand: a constant id/ordinal, or an event field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    Const(u32),
    Field(Field),
}

/// A predicate over the state of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAtom {
    Ceasefire,
    Peace,
    Consent(u16),
    Requested(u16),
    Attacked(u16),
    Threatened(u16),
    Deployed(u16),
    DeployedIn(u16, u16),
    Decided(u16),
    Active(u16),
    Failed(u16),
    /// `member(P, #tag)`: party, organisation (index into `Spec::tags`).
    Member(u16, u16),
    Appropriated(u16),
}

/// A compiled boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum CExpr {
    Const(bool),
    Not(Box<CExpr>),
    And(Vec<CExpr>),
    Or(Vec<CExpr>),
    State(StateAtom),
    /// Integer comparison (ids compare with `==`/`!=`, scales and numbers also order).
    Cmp(Operand, BinOp, Operand),
    /// The operand's id is in the mask.
    InMask(Operand, u128),
    /// A domain is in the event's `domains`.
    DomainInEvent(Operand),
    /// The operand is a region within one of the regions in the mask (by containment).
    Within(Operand, u128),
    /// A boolean event field.
    Flag(Field),
}

/// A compiled trigger: alternatives of event kind and filter.
#[derive(Debug, Clone, PartialEq)]
pub struct CTrigger {
    pub alternatives: Vec<(EventKind, CExpr)>,
}

/// A commitment, compiled.
#[derive(Debug, Clone)]
pub struct CCommitment {
    /// Obliged parties (a body's members when `body` is set).
    pub obligors: u128,
    /// The body that must decide, for commitments owed by a body.
    pub body: Option<u16>,
    /// Beneficiaries.
    pub to: u128,
    pub kind: Kind,
    pub domains: u16,
    pub trigger: Option<CTrigger>,
    /// The entry conditions, framework's first when it applies: met once, all together, then
    /// no longer read (`State::entered` latches them).
    pub entry: Vec<CExpr>,
    /// The continuing conditions, framework's first when it applies.
    pub conditions: Vec<CExpr>,
    /// A proposed or reported clause outside every variant option: it records the proposal but
    /// takes no effect.
    pub unadopted: bool,
    pub unless: Vec<CExpr>,
    pub void_if: Option<CTrigger>,
    /// Regions (and everything within them) where it applies; 0 = anywhere.
    pub scope: u128,
    /// Regions (and everything within them) excluded from the scope; 0 = none.
    pub scope_except: u128,
    pub backs: Option<u16>,
    pub deadline_days: Option<f64>,
    /// The deadline is soft: past it an obligation is `late`, and the commitment does not fail.
    pub soft_deadline: bool,
    pub option: Option<(u16, u16)>,
    /// Exclusion red lines of obligors that match this commitment.
    pub exclusions: Vec<Exclusion>,
    /// Domain-limited exclusions (not in a variant option: `E0606`).
    pub domain_exclusions: Vec<DomainExclusion>,
    /// Named exceptions that qualify this commitment (at most 64), `excuse` ones apart.
    pub exceptions: Vec<CException>,
    /// Named `excuse` exceptions: acts that do not breach this (`refrain`) commitment.
    pub excuses: Vec<CExcuse>,
    /// In force from and until these days since 1970-01-01 (framework dates, durations).
    pub from: Option<i64>,
    pub until: Option<i64>,
}

/// A named exception as one commitment sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CException {
    /// Index into `Spec::exceptions`.
    pub id: u16,
    pub when: CExpr,
    /// `apply` (the clause applies notwithstanding its conditions) or `suspend`.
    pub apply: bool,
    /// Bits (local indices in `CCommitment::exceptions`) of the exceptions that override this one.
    pub overridden_by: u64,
}

/// A named `excuse` exception as one commitment sees it: an act matching `acts` while `when`
/// holds (both on the state before the act) does not breach the commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct CExcuse {
    /// Index into `Spec::exceptions`.
    pub id: u16,
    pub when: CExpr,
    pub acts: CTrigger,
}

impl CCommitment {
    /// Whether a region whose ancestor mask (itself included) is `ancestors` is within the
    /// commitment's scope (anywhere without one) and outside its `scope_except` regions.
    pub fn in_scope(&self, ancestors: u128) -> bool {
        (self.scope == 0 || ancestors & self.scope != 0) && ancestors & self.scope_except == 0
    }
}

/// An exclusion red line that removes some obligors from a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exclusion {
    pub red_line: RedLineId,
    /// The parties it excludes (the red line's holder).
    pub parties: u128,
    /// The variant option the red line belongs to, if any.
    pub option: Option<(u16, u16)>,
}

/// An exclusion red line that removes a party from some domains of a commitment only: the
/// party stays obliged (its verdict is unchanged) but does not act in `domains`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainExclusion {
    pub red_line: RedLineId,
    pub party: PartyId,
    /// Domain bits (`domain_bit`) removed.
    pub domains: u16,
}

/// A spec compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub parties: usize,
    pub regions: usize,
    /// `ancestors[r]`: the bits of `r` and every region containing it.
    pub ancestors: Vec<u128>,
    pub commitments: Vec<CCommitment>,
    pub bodies: Vec<CompiledBody>,
    /// Number of options per variant.
    pub variant_options: Vec<u16>,
    /// Per organisation (a tag, in `Spec::tags` order): the parties carrying the tag, its
    /// members at the start of every replay.
    pub organisations: Vec<u128>,
}

/// A domain's bit in a `u16` mask.
pub fn domain_bit(d: Domain) -> u16 {
    1 << (d as u16)
}

impl Compiled {
    pub fn new(spec: &Spec) -> Result<Self, TooLarge> {
        let most_exceptions = spec
            .commitments
            .iter()
            .map(|c| {
                spec.exceptions.iter().filter(|x| x.commitments.iter().any(|k| spec.commitment(*k).id == c.id)).count()
            })
            .max()
            .unwrap_or(0);
        if most_exceptions > 64 {
            return Err(TooLarge { what: "exceptions on one commitment", count: most_exceptions, limit: 64 });
        }
        for (what, count, limit) in [
            ("parties", spec.parties.len(), MAX_ITEMS),
            ("regions", spec.regions.len(), MAX_ITEMS),
            ("commitments", spec.commitments.len(), MAX_ITEMS),
            ("bodies", spec.bodies.len(), MAX_BODIES),
        ] {
            if count > limit {
                return Err(TooLarge { what, count, limit });
            }
        }
        let ancestors = (0..spec.regions.len())
            .map(|r| {
                let mut mask = 0u128;
                let mut current = Some(ironclad_spec::model::RegionId(r as u16));
                while let Some(id) = current {
                    if mask & bit(id.index()) != 0 {
                        break;
                    }
                    mask |= bit(id.index());
                    current = spec.region(id).parent;
                }
                mask
            })
            .collect();
        let mut compiled = Compiled {
            parties: spec.parties.len(),
            regions: spec.regions.len(),
            ancestors,
            commitments: Vec::new(),
            bodies: spec.bodies.iter().map(CompiledBody::new).collect(),
            variant_options: spec.variants.iter().map(|v| v.options.len() as u16).collect(),
            organisations: spec.tags.values().map(|ps| ps.iter().fold(0u128, |m, p| m | bit(p.index()))).collect(),
        };
        compiled.commitments = spec.commitments.iter().map(|c| compiled.commitment(spec, c)).collect();
        Ok(compiled)
    }

    fn commitment(&self, spec: &Spec, c: &ironclad_spec::model::Commitment) -> CCommitment {
        let obligors = spec.obligors(c).iter().fold(0u128, |m, p| m | bit(p.index()));
        // Whole-clause exclusions change the verdict; domain-limited ones leave the party
        // obliged in the clause's other domains (the simulation drops the excluded domains
        // from its pledges), so they are kept apart, for reports.
        let matched = ironclad_spec::select::exclusions(spec, c);
        let exclusions = matched
            .iter()
            .filter(|x| x.domains.is_none())
            .map(|x| Exclusion {
                red_line: x.red_line,
                parties: bit(x.party.index()),
                option: spec.red_lines[x.red_line.index()].option.map(|(v, o)| (v.0, o as u16)),
            })
            .collect();
        let domain_exclusions = matched
            .iter()
            .filter_map(|x| {
                x.domains.as_ref().filter(|ds| !ds.is_empty()).map(|ds| DomainExclusion {
                    red_line: x.red_line,
                    party: x.party,
                    domains: ds.iter().fold(0, |m, d| m | domain_bit(*d)),
                })
            })
            .collect();
        // The named exceptions that qualify this commitment; excuses are not part of the
        // verdict: they are read when an act would breach the clause.
        let (excusing, local): (Vec<usize>, Vec<usize>) = (0..spec.exceptions.len())
            .filter(|&i| spec.exceptions[i].commitments.iter().any(|k| spec.commitment(*k).id == c.id))
            .partition(|&i| spec.exceptions[i].effect == ExceptionEffect::Excuse);
        let excuses = excusing
            .iter()
            .map(|&i| (i, &spec.exceptions[i]))
            .filter_map(|(i, x)| {
                x.acts.as_ref().map(|a| CExcuse {
                    id: i as u16,
                    when: self.expr(&x.when.expr),
                    acts: self.trigger(&a.trigger),
                })
            })
            .collect();
        let exceptions = local
            .iter()
            .map(|&i| {
                let x = &spec.exceptions[i];
                let overridden_by = local.iter().enumerate().fold(0u64, |mask, (bit_index, &j)| {
                    let stronger = ironclad_spec::precedence::overrides(
                        spec,
                        ironclad_spec::model::ExceptionId(j as u16),
                        ironclad_spec::model::ExceptionId(i as u16),
                    );
                    if stronger { mask | (1 << bit_index) } else { mask }
                });
                CException {
                    id: i as u16,
                    when: self.expr(&x.when.expr),
                    apply: x.effect == ExceptionEffect::Apply,
                    overridden_by,
                }
            })
            .collect();
        let f = &spec.framework;
        let from = f.in_force.or(f.signed).map(|d| d.days_since_epoch());
        let framework_until = f
            .expires
            .map(|d| d.days_since_epoch())
            .or_else(|| from.zip(f.duration).map(|(start, d)| start.saturating_add(d.days.round() as i64)));
        let own_until = from.zip(c.duration).map(|(start, d)| start.saturating_add(d.days.round() as i64));
        let until = match (framework_until, own_until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        CCommitment {
            from,
            until,
            exceptions,
            excuses,
            obligors,
            body: match c.by {
                Obligor::Body(b) => Some(b.0),
                Obligor::Parties(_) => None,
            },
            to: c.to.iter().fold(0u128, |m, p| m | bit(p.index())),
            kind: c.kind,
            domains: c.domains.iter().fold(0, |m, d| m | domain_bit(*d)),
            trigger: c.trigger.as_ref().map(|t| self.trigger(&t.trigger)),
            entry: spec.entry_of(c).map(|k| self.expr(&k.expr)).collect(),
            conditions: spec.conditions_of(c).map(|k| self.expr(&k.expr)).collect(),
            unadopted: c.status.tentative() && c.option.is_none(),
            unless: c.unless.iter().map(|k| self.expr(&k.expr)).collect(),
            void_if: c.void_if.as_ref().map(|t| self.trigger(&t.trigger)),
            scope: c.scope.iter().fold(0, |m, r| m | bit(r.index())),
            scope_except: c.scope_except.iter().fold(0, |m, r| m | bit(r.index())),
            backs: c.backs.map(|b| b.0),
            deadline_days: c.deadline.map(|d| d.days),
            soft_deadline: c.soft_deadline,
            option: c.option.map(|(v, o)| (v.0, o as u16)),
            exclusions,
            domain_exclusions,
        }
    }

    fn trigger(&self, t: &ironclad_spec::expr::Trigger) -> CTrigger {
        CTrigger {
            alternatives: t
                .alternatives
                .iter()
                .map(|(kind, filter)| (*kind, filter.as_ref().map_or(CExpr::Const(true), |f| self.expr(f))))
                .collect(),
        }
    }

    /// Compiles a typed boolean expression.
    pub fn expr(&self, e: &Typed) -> CExpr {
        fold(
            match &e.node {
                Node::Const(Value::Bool(b)) => CExpr::Const(*b),
                Node::Field(f) => CExpr::Flag(*f),
                Node::Not(a) => CExpr::Not(Box::new(self.expr(a))),
                Node::And(a, b) => CExpr::And(vec![self.expr(a), self.expr(b)]),
                Node::Or(a, b) => CExpr::Or(vec![self.expr(a), self.expr(b)]),
                Node::State(f, args) => match (f, args.first().map(|a| &a.node)) {
                    // `requested(#tag)`: any member's request.
                    (StateFn::Requested, Some(Node::Const(Value::Parties(ps)))) => {
                        CExpr::Or(ps.iter().map(|p| CExpr::State(StateAtom::Requested(p.0))).collect())
                    }
                    _ => CExpr::State(state_atom(*f, args)),
                },
                Node::Compare(op, a, b) => CExpr::Cmp(operand(a), *op, operand(b)),
                Node::In(a, b) => match (&b.node, b.ty) {
                    (Node::Field(Field::Domains), _) => CExpr::DomainInEvent(operand(a)),
                    (Node::Const(v), _) => CExpr::InMask(operand(a), mask_of(v)),
                    (Node::List(items), _) => {
                        CExpr::Or(items.iter().map(|i| CExpr::Cmp(operand(a), BinOp::Eq, operand(i))).collect())
                    }
                    (_, Ty::DomainSet) => CExpr::DomainInEvent(operand(a)),
                    _ => CExpr::Const(false),
                },
                Node::Within(a, b) => match &b.node {
                    Node::Const(Value::Region(r)) => CExpr::Within(operand(a), bit(r.index())),
                    Node::Const(Value::Regions(rs)) => {
                        CExpr::Within(operand(a), rs.iter().fold(0, |m, r| m | bit(r.index())))
                    }
                    Node::List(items) => CExpr::Or(
                        items
                            .iter()
                            .filter_map(|i| match i.node {
                                Node::Const(Value::Region(r)) => Some(CExpr::Within(operand(a), bit(r.index()))),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => CExpr::Const(false),
                },
                // The type checker only lets boolean expressions reach here.
                Node::Const(_) | Node::List(_) => CExpr::Const(false),
            },
            self,
        )
    }
}

fn state_atom(f: StateFn, args: &[Typed]) -> StateAtom {
    let id = |i: usize| -> u16 {
        match args.get(i).map(|a| &a.node) {
            Some(Node::Const(Value::Party(p))) => p.0,
            Some(Node::Const(Value::Region(r))) => r.0,
            Some(Node::Const(Value::Body(b))) => b.0,
            Some(Node::Const(Value::Commitment(c))) => c.0,
            Some(Node::Const(Value::Organisation(o))) => *o,
            _ => u16::MAX,
        }
    };
    match f {
        StateFn::Ceasefire => StateAtom::Ceasefire,
        StateFn::PeaceAgreement => StateAtom::Peace,
        StateFn::Consent => StateAtom::Consent(id(0)),
        StateFn::Requested => StateAtom::Requested(id(0)),
        StateFn::Attacked => StateAtom::Attacked(id(0)),
        StateFn::Threatened => StateAtom::Threatened(id(0)),
        StateFn::Deployed if args.len() == 2 => StateAtom::DeployedIn(id(0), id(1)),
        StateFn::Deployed => StateAtom::Deployed(id(0)),
        StateFn::Decided => StateAtom::Decided(id(0)),
        StateFn::Active => StateAtom::Active(id(0)),
        StateFn::Failed => StateAtom::Failed(id(0)),
        StateFn::Member => StateAtom::Member(id(0), id(1)),
        StateFn::Appropriated => StateAtom::Appropriated(id(0)),
    }
}

fn operand(e: &Typed) -> Operand {
    match &e.node {
        Node::Field(f) => Operand::Field(*f),
        Node::Const(v) => Operand::Const(match v {
            Value::Bool(b) => u32::from(*b),
            Value::Num(n) => *n as u32,
            Value::Scale(s) => *s as u32,
            Value::Party(p) => u32::from(p.0),
            Value::Region(r) => u32::from(r.0),
            Value::Domain(d) => *d as u32,
            Value::Body(b) => u32::from(b.0),
            Value::Commitment(c) => u32::from(c.0),
            Value::Organisation(o) => u32::from(*o),
            Value::Parties(_) | Value::Regions(_) | Value::Domains(_) => u32::MAX,
        }),
        _ => Operand::Const(u32::MAX),
    }
}

fn mask_of(v: &Value) -> u128 {
    match v {
        Value::Parties(ps) => ps.iter().fold(0, |m, p| m | bit(p.index())),
        Value::Regions(rs) => rs.iter().fold(0, |m, r| m | bit(r.index())),
        Value::Domains(ds) => ds.iter().fold(0, |m, d| m | (1u128 << (*d as u32))),
        _ => 0,
    }
}

/// Folds constant sub-expressions.
fn fold(e: CExpr, c: &Compiled) -> CExpr {
    match e {
        CExpr::Not(inner) => match *inner {
            CExpr::Const(b) => CExpr::Const(!b),
            other => CExpr::Not(Box::new(other)),
        },
        CExpr::And(items) => {
            let items: Vec<CExpr> = items.into_iter().filter(|i| *i != CExpr::Const(true)).collect();
            if items.contains(&CExpr::Const(false)) {
                CExpr::Const(false)
            } else if items.is_empty() {
                CExpr::Const(true)
            } else {
                CExpr::And(items)
            }
        }
        CExpr::Or(items) => {
            let items: Vec<CExpr> = items.into_iter().filter(|i| *i != CExpr::Const(false)).collect();
            if items.contains(&CExpr::Const(true)) {
                CExpr::Const(true)
            } else if items.is_empty() {
                CExpr::Const(false)
            } else {
                CExpr::Or(items)
            }
        }
        CExpr::Cmp(Operand::Const(a), op, Operand::Const(b)) => CExpr::Const(crate::eval::compare(a, op, b)),
        CExpr::InMask(Operand::Const(a), mask) => CExpr::Const(a < 128 && mask & bit(a as usize) != 0),
        CExpr::Within(Operand::Const(a), mask) => {
            CExpr::Const((a as usize) < c.ancestors.len() && c.ancestors[a as usize] & mask != 0)
        }
        other => other,
    }
}
