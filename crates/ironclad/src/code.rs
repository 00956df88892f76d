//! `code --scheme atop`: a framework coded into the alliance-level and member-level variables of
//! the ATOP dataset (Leeds et al. 2002) and into Benson's (2012) typology, **derived from the
//! spec's semantics** — commitment kinds, triggers, conditions, scopes, bodies, parties,
//! modalities and amounts — never copied from published rows.
//!
//! Every code carries the rule that produced it, why it came out so, and the clauses it rests
//! on. A variable the language cannot express is `not_derivable`, with what the language would
//! need; one whose higher values it cannot express is a `lower_bound`. The rules are in
//! `docs/coding.md`.
//!
//! What is coded is one reading of the spec: the base framework plus, for each variant, its
//! heaviest option (the default of `obligations`). The codes speak for the spec, not for the
//! treaty: an article the spec does not encode codes as absent.

use std::collections::BTreeSet;

use ironclad_spec::Spec;
use ironclad_spec::expr::{EventKind, Field, Node, StateFn, Typed, Value};
use ironclad_spec::model::{Commitment, CommitmentId, Obligor, PartyId};
use ironclad_spec::vocab::{Kind, Modality};
use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;

/// The coding schemes `code` knows.
pub const SCHEMES: [&str; 1] = ["atop"];

/// The codes of one or more frameworks.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CodeReport {
    pub schema_version: u32,
    /// The scheme: `atop`.
    pub scheme: String,
    pub frameworks: Vec<FrameworkCodes>,
}

/// One framework's codes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FrameworkCodes {
    /// The spec file, as named on the command line.
    pub file: String,
    pub framework: String,
    pub title: String,
    /// The reading coded: the variant options taken (`variant=option`), empty without variants.
    pub reading: Vec<String>,
    /// The alliance members: parties obliged by, or beneficiaries of, a coded clause, and the
    /// protected parties (a body's seats are not members by that alone).
    pub members: Vec<String>,
    /// Alliance-level variables, in the order of `docs/coding.md`.
    pub alliance: Vec<Code>,
    /// Member-level variables, one entry per member.
    pub members_codes: Vec<MemberCodes>,
    /// Benson's typology of the alliance (the most binding of its members' types).
    pub benson: Typology,
}

/// One member's codes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MemberCodes {
    pub party: String,
    pub codes: Vec<Code>,
    pub benson: Typology,
}

/// How far a code could be derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The spec's semantics determine the code.
    Derived,
    /// The code is what the spec shows; the language cannot express the higher values, so the
    /// true code may be higher.
    LowerBound,
    /// The language has no semantics for this variable; `needs` says what it would need.
    NotDerivable,
}

/// One variable's code, with its derivation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Code {
    /// The ATOP variable name, e.g. `DEFENSE`.
    pub variable: String,
    /// The code; absent when not derivable.
    pub code: Option<u8>,
    pub status: Status,
    /// What the code means (the codebook's value label).
    pub meaning: String,
    /// The rule that produced it (its name in `docs/coding.md`).
    pub rule: String,
    /// Why it came out so, for this spec.
    pub why: String,
    /// The commitment (or body) ids it rests on.
    pub clauses: Vec<String>,
    /// For a variable the language cannot express: what it would need.
    pub needs: Option<String>,
}

/// Benson's type of a commitment: deterrent (conditional on an attack on a partner) or
/// compellent (not), and for deterrents whether the ally keeps discretion.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Typology {
    /// `probabilistic_deterrent`, `conditional_deterrent`, `conditional_compellent`,
    /// `unconditional_compellent` or `none`.
    pub kind: String,
    pub why: String,
    pub clauses: Vec<String>,
}

/// Codes frameworks. `specs` are (file name, spec). An unknown scheme is a usage error.
pub fn code(specs: &[(String, &Spec)], scheme: &str) -> Result<CodeReport, Error> {
    if scheme != "atop" {
        return Err(Error::Usage(format!("unknown coding scheme `{scheme}`; schemes: {}", SCHEMES.join(", "))));
    }
    let frameworks = specs.iter().map(|(file, spec)| atop(file, spec)).collect();
    Ok(CodeReport { schema_version: crate::SCHEMA_VERSION, scheme: scheme.to_string(), frameworks })
}

// ---------------------------------------------------------------------------------------------
// What a clause is, in ATOP's terms.

/// The ATOP obligation types (and support kinds) a clause carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Obligation {
    Defense,
    Offense,
    Neutral,
    Nonagg,
    Consul,
}

/// The conditions of a clause in the sense of the ATOP condition list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Conditions {
    /// Only attacks (events) in some location count: the filter bounds `region`, or a `scope`.
    location: bool,
    /// Only some adversaries count: every triggering alternative bounds `attacker`.
    adversary: bool,
    /// Tied to a specific conflict: a ceasefire or peace agreement is required.
    conflict: bool,
    /// Void or not due if the partner provoked the attack.
    non_provocation: bool,
    /// Only on a partner's request.
    request: bool,
}

impl Conditions {
    fn any(self) -> bool {
        self.location || self.adversary || self.conflict || self.non_provocation || self.request
    }
}

/// Every field a typed expression reads.
fn fields(expr: &Typed) -> BTreeSet<Field> {
    let mut out = BTreeSet::new();
    expr.walk(&mut |node| {
        if let Node::Field(f) = node.node {
            out.insert(f);
        }
    });
    out
}

/// Every state predicate an expression uses.
fn predicates(expr: &Typed) -> BTreeSet<StateFn> {
    let mut out = BTreeSet::new();
    expr.walk(&mut |node| {
        if let Node::State(f, _) = &node.node {
            out.insert(*f);
        }
    });
    out
}

/// The parties an expression compares `attacker` against (`attacker == P`, `attacker in S`).
fn attacker_values(expr: &Typed, out: &mut BTreeSet<PartyId>) {
    expr.walk(&mut |node| {
        let (a, b) = match &node.node {
            Node::Compare(_, a, b) | Node::In(a, b) => (a, b),
            _ => return,
        };
        let is_attacker = |t: &Typed| matches!(t.node, Node::Field(Field::Attacker));
        let other = if is_attacker(a) {
            b
        } else if is_attacker(b) {
            a
        } else {
            return;
        };
        match &other.node {
            Node::Const(Value::Party(p)) => {
                out.insert(*p);
            }
            Node::Const(Value::Parties(ps)) => out.extend(ps.iter().copied()),
            _ => {}
        }
    });
}

const ATTACKS: [EventKind; 3] = [EventKind::ArmedAttack, EventKind::StrikeOnForces, EventKind::Threat];

/// Whether a clause answers a crisis: its trigger has an attack, strike or threat alternative,
/// or a condition asks `attacked(P)`.
fn crisis_triggered(spec: &Spec, c: &Commitment) -> bool {
    let by_trigger =
        c.trigger.as_ref().is_some_and(|t| t.trigger.alternatives.iter().any(|(k, _)| ATTACKS.contains(k)));
    by_trigger || spec.conditions_of(c).any(|cond| predicates(&cond.expr).contains(&StateFn::Attacked))
}

/// The clause's conditions in ATOP's sense, read as an obligation of type `o`.
fn conditions(spec: &Spec, c: &Commitment, o: Obligation) -> Conditions {
    let mut out = Conditions { location: !c.scope.is_empty(), ..Conditions::default() };
    let conds: Vec<&Typed> = spec.conditions_of(c).map(|x| &x.expr).chain(c.unless.iter().map(|x| &x.expr)).collect();
    let preds: BTreeSet<StateFn> = conds.iter().flat_map(|e| predicates(e)).collect();
    out.conflict = preds.contains(&StateFn::Ceasefire) || preds.contains(&StateFn::PeaceAgreement);
    out.request = preds.contains(&StateFn::Requested);
    if let Some(t) = &c.trigger {
        let alternatives = &t.trigger.alternatives;
        let crisis: Vec<_> = alternatives.iter().filter(|(k, _)| ATTACKS.contains(k)).collect();
        let bounded = |field: Field, kinds: &[EventKind]| {
            let relevant: Vec<_> = crisis.iter().filter(|(k, _)| kinds.contains(k)).collect();
            !relevant.is_empty() && relevant.iter().all(|(_, f)| f.as_ref().is_some_and(|f| fields(f).contains(&field)))
        };
        out.location |= bounded(Field::Region, &[EventKind::ArmedAttack, EventKind::StrikeOnForces])
            && crisis.iter().all(|(k, _)| *k != EventKind::Threat);
        out.adversary = bounded(Field::Attacker, &ATTACKS);
        out.non_provocation =
            crisis.iter().any(|(_, f)| f.as_ref().is_some_and(|f| fields(f).contains(&Field::Provoked)));
        // Only on request: every alternative is a request event, or reads `requested(..)` in its filter.
        out.request |= !alternatives.is_empty()
            && alternatives.iter().all(|(k, f)| {
                *k == EventKind::Request || f.as_ref().is_some_and(|f| predicates(f).contains(&StateFn::Requested))
            });
        if alternatives.iter().any(|(k, _)| *k == EventKind::CeasefireBroken) {
            out.conflict = true;
        }
    }
    if let Some(v) = &c.void_if
        && v.trigger.alternatives.iter().any(|(_, f)| f.as_ref().is_some_and(|f| fields(f).contains(&Field::Provoked)))
    {
        out.non_provocation = true;
    }
    // A defence clause's location condition is a limit on where an attack on a protected party
    // counts: it holds when some party it protects at home is covered only in part. A region or
    // scope that takes in the whole territory of every protected party is no condition (the US
    // pledge to Japan in 1960 covers all the territories under Japan's administration).
    if o == Obligation::Defense {
        out.location = !protected(spec, c).1.is_empty();
    }
    out
}

const FORCE_DOMAINS: [ironclad_spec::vocab::Domain; 4] = {
    use ironclad_spec::vocab::Domain::*;
    [Land, Air, Maritime, Nuclear]
};

/// The ATOP obligation type of a clause, if it has one.
fn obligation(spec: &Spec, c: &Commitment, members: &BTreeSet<PartyId>) -> Option<Obligation> {
    match c.kind {
        Kind::Defend | Kind::Backstop => {
            let mut attackers = BTreeSet::new();
            if let Some(t) = &c.trigger {
                for (_, f) in &t.trigger.alternatives {
                    if let Some(f) = f {
                        attacker_values(f, &mut attackers);
                    }
                }
            }
            // Use of force when a member is the attacker: an offensive pledge.
            if !attackers.is_empty() && attackers.iter().all(|p| members.contains(p)) {
                Some(Obligation::Offense)
            } else {
                Some(Obligation::Defense)
            }
        }
        Kind::Refrain => {
            let force = c.domains.is_empty() || c.domains.iter().any(|d| FORCE_DOMAINS.contains(d));
            if crisis_triggered(spec, c) {
                Some(Obligation::Neutral)
            } else if force {
                Some(Obligation::Nonagg)
            } else {
                None
            }
        }
        Kind::Assist if attack_triggered(spec, c) && force_named(c) => Some(Obligation::Defense),
        Kind::Consult if crisis_triggered(spec, c) => Some(Obligation::Consul),
        _ => None,
    }
}

/// Whether a clause answers an attack: its trigger has an `armed_attack` or `strike_on_forces`
/// alternative, or a condition asks `attacked(P)` (a threat alone is not an attack).
fn attack_triggered(spec: &Spec, c: &Commitment) -> bool {
    let by_trigger = c.trigger.as_ref().is_some_and(|t| {
        t.trigger.alternatives.iter().any(|(k, _)| matches!(k, EventKind::ArmedAttack | EventKind::StrikeOnForces))
    });
    by_trigger || spec.conditions_of(c).any(|cond| predicates(&cond.expr).contains(&StateFn::Attacked))
}

/// Whether a clause names a use-of-force domain (`land`, `air`, `maritime`, `nuclear`): an `assist`
/// clause that does ("such action as it deems necessary, including the use of armed force") is a
/// promise of active military support; one with no domains ("security assistance", "measures to
/// restore peace") or only aid domains (weapons, money, training) is not.
fn force_named(c: &Commitment) -> bool {
    c.domains.iter().any(|d| FORCE_DOMAINS.contains(d))
}

/// The regions an expression bounds `region` to (`region within R`, `region within [R, S]`);
/// `None` when it does not bound `region` that way.
fn region_bounds(expr: &Typed) -> Option<Vec<ironclad_spec::model::RegionId>> {
    let mut out = Vec::new();
    let mut bounded = false;
    expr.walk(&mut |node| {
        if let Node::Within(a, b) = &node.node
            && matches!(a.node, Node::Field(Field::Region))
        {
            bounded = true;
            match &b.node {
                Node::Const(Value::Region(r)) => out.push(*r),
                Node::Const(Value::Regions(rs)) => out.extend(rs.iter().copied()),
                _ => {}
            }
        }
    });
    bounded.then_some(out)
}

/// Whether an attack on territory region `t` can make the clause due: an `armed_attack` (or
/// `threat`) alternative of its trigger accepts that region, and its `scope`, if any, contains it.
/// A clause without such an alternative (no trigger, or only requests or strikes on forces)
/// says nothing of territory and covers it all, within its scope.
fn covers(spec: &Spec, c: &Commitment, t: ironclad_spec::model::RegionId) -> bool {
    if !c.scope.is_empty() && !c.scope.iter().any(|s| spec.region_within(t, *s)) {
        return false;
    }
    let Some(trigger) = &c.trigger else { return true };
    let territorial: Vec<_> = trigger
        .trigger
        .alternatives
        .iter()
        .filter(|(k, _)| matches!(k, EventKind::ArmedAttack | EventKind::Threat))
        .collect();
    if territorial.is_empty() {
        return true;
    }
    territorial.iter().any(|(_, f)| match f.as_ref().and_then(region_bounds) {
        None => true,
        Some(regions) => regions.iter().any(|r| spec.region_within(t, *r)),
    })
}

/// The beneficiaries a defence clause protects at home: those whose territory it covers at least
/// in part (a party without territory counts as protected). A beneficiary whose territory it does
/// not cover at all is protected only elsewhere (its forces), which ATOP does not code as defence.
/// The second list: the protected parties whose territory it covers only in part.
fn protected(spec: &Spec, c: &Commitment) -> (Vec<PartyId>, Vec<PartyId>) {
    let mut whole_or_part = Vec::new();
    let mut part = Vec::new();
    for p in &c.to {
        let territory = &spec.party(*p).territory;
        let covered = territory.iter().filter(|t| covers(spec, c, **t)).count();
        if territory.is_empty() || covered > 0 {
            whole_or_part.push(*p);
        }
        if covered > 0 && covered < territory.len() {
            part.push(*p);
        }
    }
    (whole_or_part, part)
}

/// Whether a defence clause is a defensive obligation *of `p`*: it protects at home some party
/// other than `p`. A promise to act only against attacks on one's own territory is self-defence,
/// not a promise of support to a partner (ATOP codes Japan's Art. V obligation of 1960 so).
fn defends_a_partner(spec: &Spec, c: &Commitment, p: PartyId) -> bool {
    protected(spec, c).0.iter().any(|q| *q != p)
}

/// The clauses coded: the base framework and the heaviest option of each variant.
fn coded_clauses(spec: &Spec) -> (Vec<(CommitmentId, &Commitment)>, Vec<String>) {
    let mut chosen = Vec::new();
    let mut reading = Vec::new();
    for (v, variant) in spec.variants.iter().enumerate() {
        let mut best = 0;
        for (i, o) in variant.options.iter().enumerate() {
            if o.weight > variant.options[best].weight {
                best = i;
            }
        }
        chosen.push((v, best));
        if let Some(o) = variant.options.get(best) {
            reading.push(format!("{}={}", variant.id, o.id));
        }
    }
    let clauses = spec
        .commitments()
        .filter(|(_, c)| match c.option {
            None => true,
            Some((v, o)) => chosen.contains(&(v.index(), o)),
        })
        .collect();
    (clauses, reading)
}

/// The parties a clause obliges, as alliance members: its parties, or the seats of its body that
/// are members. A body with seats outside the framework (`other_seats`, e.g. the UN Security
/// Council) obliges no member: what it does is decided by states that made no promise, so its
/// clause is nobody's obligation in ATOP's sense.
fn obliged(spec: &Spec, c: &Commitment, members: &BTreeSet<PartyId>) -> Vec<PartyId> {
    match &c.by {
        Obligor::Parties(ps) => ps.clone(),
        Obligor::Body(b) => {
            let body = spec.body(*b);
            if body.other_seats > 0 {
                return Vec::new();
            }
            body.members.iter().copied().filter(|p| members.contains(p)).collect()
        }
    }
}

fn yes(flag: bool) -> u8 {
    u8::from(flag)
}

fn ids(spec: &Spec, clauses: &[CommitmentId]) -> Vec<String> {
    clauses.iter().map(|c| spec.commitment(*c).id.clone()).collect()
}

fn derived(variable: &str, code: u8, meaning: &str, rule: &str, why: String, clauses: Vec<String>) -> Code {
    Code {
        variable: variable.into(),
        code: Some(code),
        status: Status::Derived,
        meaning: meaning.into(),
        rule: rule.into(),
        why,
        clauses,
        needs: None,
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ") }
}

const YES_NO: [&str; 2] = ["no", "yes"];

/// One member's (or the alliance's) view: the clauses of each obligation type and their conditions.
struct Profile {
    by_type: Vec<(Obligation, Vec<CommitmentId>)>,
}

impl Profile {
    fn clauses(&self, o: Obligation) -> &[CommitmentId] {
        self.by_type.iter().find(|(t, _)| *t == o).map(|(_, c)| c.as_slice()).unwrap_or(&[])
    }
    fn has(&self, o: Obligation) -> bool {
        !self.clauses(o).is_empty()
    }
}

/// A condition holds of an obligation when it holds of every clause of that type (one
/// unconditional clause makes the obligation unconditional).
fn all_conditional(spec: &Spec, o: Obligation, clauses: &[CommitmentId], test: impl Fn(Conditions) -> bool) -> bool {
    !clauses.is_empty() && clauses.iter().all(|c| test(conditions(spec, spec.commitment(*c), o)))
}

fn atop(file: &str, spec: &Spec) -> FrameworkCodes {
    let (clauses, reading) = coded_clauses(spec);
    // Members: protected parties, beneficiaries, and parties obliged by a party list.
    let mut members: BTreeSet<PartyId> = spec.framework.protects.iter().copied().collect();
    for (_, c) in &clauses {
        members.extend(c.to.iter().copied());
        if let Obligor::Parties(ps) = &c.by {
            members.extend(ps.iter().copied());
        }
    }
    let typed: Vec<(CommitmentId, Option<Obligation>)> =
        clauses.iter().map(|(id, c)| (*id, obligation(spec, c, &members))).collect();
    let profile_of = |party: Option<PartyId>| -> Profile {
        let mut by_type: Vec<(Obligation, Vec<CommitmentId>)> = Vec::new();
        for (id, o) in &typed {
            let Some(o) = o else { continue };
            let c = spec.commitment(*id);
            let obligors = obliged(spec, c, &members);
            // The alliance holds an obligation when some member does.
            if obligors.is_empty() || party.is_some_and(|p| !obligors.contains(&p)) {
                continue;
            }
            // A defence clause is a defensive obligation of the members it obliges to protect a
            // partner; one that binds a member only to act against attacks on its own territory
            // is not that member's (nor, when it is nobody's, the alliance's).
            if *o == Obligation::Defense {
                let defends = |p: &PartyId| defends_a_partner(spec, c, *p);
                let counts = match party {
                    Some(p) => defends(&p),
                    None => obligors.iter().any(defends),
                };
                if !counts {
                    continue;
                }
            }
            match by_type.iter_mut().find(|(t, _)| t == o) {
                Some((_, v)) => v.push(*id),
                None => by_type.push((*o, vec![*id])),
            }
        }
        Profile { by_type }
    };
    let all = profile_of(None);
    let member_list: Vec<PartyId> = members.iter().copied().collect();
    let profiles: Vec<(PartyId, Profile)> = member_list.iter().map(|p| (*p, profile_of(Some(*p)))).collect();

    let mut alliance = Vec::new();
    // Obligation types.
    let types = [
        (
            Obligation::Defense,
            "DEFENSE",
            "defensive obligation: active military support if a partner is attacked",
            "defend/backstop clause, or assist against an attack, protecting a partner",
        ),
        (
            Obligation::Offense,
            "OFFENSE",
            "offensive obligation: military support when a member is the attacker",
            "defend clause against a member's attack",
        ),
        (
            Obligation::Neutral,
            "NEUTRAL",
            "neutrality: refrain from aiding an attacker of a partner",
            "refrain clause due in a crisis",
        ),
        (
            Obligation::Nonagg,
            "NONAGG",
            "non-aggression: refrain from using force against partners",
            "standing refrain from force",
        ),
        (
            Obligation::Consul,
            "CONSUL",
            "consultation in crises that may become militarised",
            "consult clause due in a crisis",
        ),
    ];
    for (o, name, meaning, rule) in types {
        let cl = ids(spec, all.clauses(o));
        let why = if cl.is_empty() {
            format!("no clause of the coded reading is a {rule}")
        } else {
            format!("{} {} a {rule}", list(&cl), if cl.len() == 1 { "is" } else { "are" })
        };
        alliance.push(derived(
            name,
            yes(!cl.is_empty()),
            &format!("{}: {meaning}", YES_NO[usize::from(!cl.is_empty())]),
            rule,
            why,
            cl,
        ));
    }
    // Conditions.
    let cond_of = |p: &Profile, o: Obligation| -> (bool, Vec<String>) {
        let cl = p.clauses(o);
        (all_conditional(spec, o, cl, Conditions::any), ids(spec, cl))
    };
    let any_member = |o: Obligation| -> (bool, Vec<String>, Vec<String>) {
        let mut flagged = Vec::new();
        let mut cl = BTreeSet::new();
        for (p, prof) in &profiles {
            let (c, ids) = cond_of(prof, o);
            if c {
                flagged.push(spec.party(*p).id.clone());
                cl.extend(ids);
            }
        }
        (!flagged.is_empty(), flagged, cl.into_iter().collect())
    };
    let who = |flagged: &[String]| {
        if flagged.len() == profiles.len() && flagged.len() > 2 {
            format!("all {} members", flagged.len())
        } else {
            list(flagged)
        }
    };
    let (defcon, def_members, def_clauses) = any_member(Obligation::Defense);
    let (concon, con_members, con_clauses) = any_member(Obligation::Consul);
    let (offcon, _, off_clauses) = any_member(Obligation::Offense);
    let (neucon, _, neu_clauses) = any_member(Obligation::Neutral);
    let conditio = defcon || concon || offcon || neucon;
    let mut all_cond: BTreeSet<String> = BTreeSet::new();
    all_cond.extend(def_clauses.iter().cloned());
    all_cond.extend(con_clauses.iter().cloned());
    all_cond.extend(off_clauses);
    all_cond.extend(neu_clauses);
    alliance.push(derived(
        "CONDITIO",
        yes(conditio),
        if conditio { "1: at least one obligation is conditional" } else { "0: every obligation is unconditional" },
        "any member's obligation conditional",
        if conditio {
            format!("conditional obligations in {}", list(&all_cond.iter().cloned().collect::<Vec<_>>()))
        } else {
            "no obligation carries a location, adversary, conflict, non-provocation or request condition".into()
        },
        all_cond.into_iter().collect(),
    ));
    alliance.push(derived(
        "DEFCON",
        yes(defcon),
        if defcon { "1: the defensive obligation is conditional" } else { "0: no conditional defensive obligation" },
        "every defence clause of a member conditional",
        if defcon {
            format!("conditional for {} (see DEFCOLOC, DEFCOADV per member)", who(&def_members))
        } else if all.has(Obligation::Defense) {
            "the defence clauses carry no ATOP condition".into()
        } else {
            "no defensive obligation".into()
        },
        def_clauses,
    ));
    alliance.push(derived(
        "CONCON",
        yes(concon),
        if concon {
            "1: the consultation obligation is conditional"
        } else {
            "0: no conditional consultation obligation"
        },
        "every consult clause of a member conditional",
        if concon {
            format!("conditional for {}", who(&con_members))
        } else if all.has(Obligation::Consul) {
            "the consult clauses carry no ATOP condition (a request is one way, not the only way, to trigger them)"
                .into()
        } else {
            "no consultation obligation".into()
        },
        con_clauses,
    ));

    // Member-level codes.
    let mut members_codes = Vec::new();
    for (p, prof) in &profiles {
        let mut codes = Vec::new();
        for (o, name, _, rule) in types {
            let cl = ids(spec, prof.clauses(o));
            let why = if cl.is_empty() { format!("obliged by no {rule}") } else { format!("obliged by {}", list(&cl)) };
            codes.push(derived(name, yes(!cl.is_empty()), YES_NO[usize::from(!cl.is_empty())], rule, why, cl));
        }
        let def = prof.clauses(Obligation::Defense);
        let def_ids = ids(spec, def);
        let loc = all_conditional(spec, Obligation::Defense, def, |c| c.location);
        let adv = all_conditional(spec, Obligation::Defense, def, |c| c.adversary);
        let con = all_conditional(spec, Obligation::Defense, def, |c| c.conflict);
        let npr = all_conditional(spec, Obligation::Defense, def, |c| c.non_provocation);
        let cond_code = |name: &str, flag: bool, what: &str| {
            let why = if def.is_empty() {
                "no defensive obligation".to_string()
            } else if flag {
                format!("every defence clause ({}) {what}", list(&def_ids))
            } else {
                format!("not every defence clause ({}) {what}", list(&def_ids))
            };
            derived(name, yes(flag), YES_NO[usize::from(flag)], what, why, if flag { def_ids.clone() } else { vec![] })
        };
        codes.push(cond_code(
            "DEFCOLOC",
            loc,
            "is limited to a location (a `region` bound in its trigger, or a scope)",
        ));
        codes.push(cond_code(
            "DEFCOADV",
            adv,
            "is limited to named adversaries (`attacker` bound in every alternative)",
        ));
        codes.push(cond_code(
            "DEFCOCON",
            con,
            "is tied to a specific conflict (a ceasefire or peace agreement required)",
        ));
        codes.push(cond_code("DEFCONPR", npr, "excludes a provoked attack (`provoked` in its trigger or void_if)"));
        let cons = prof.clauses(Obligation::Consul);
        let cons_ids = ids(spec, cons);
        let cadv = all_conditional(spec, Obligation::Consul, cons, |c| c.adversary);
        let cloc = all_conditional(spec, Obligation::Consul, cons, |c| c.location);
        let creq = all_conditional(spec, Obligation::Consul, cons, |c| c.request);
        for (name, flag, what) in [
            ("CONCOADV", cadv, "is limited to named adversaries"),
            ("CONCOLOC", cloc, "is limited to a location"),
            ("CONCOREQ", creq, "is due only on request (`requested(P)`, or request events only)"),
        ] {
            let why = if cons.is_empty() {
                "no consultation obligation".to_string()
            } else {
                format!("{} consult clause ({}) {what}", if flag { "every" } else { "not every" }, list(&cons_ids))
            };
            codes.push(derived(
                name,
                yes(flag),
                YES_NO[usize::from(flag)],
                what,
                why,
                if flag { cons_ids.clone() } else { vec![] },
            ));
        }
        let benson = typology(spec, prof);
        members_codes.push(MemberCodes { party: spec.party(*p).id.clone(), codes, benson });
    }

    // ASYMM: members' obligations differ.
    alliance.push(asymm(spec, &typed, &profiles, &members));
    alliance.push(milcon(spec, &clauses, &members));
    alliance.push(Code {
        variable: "INTCOM".into(),
        code: None,
        status: Status::NotDerivable,
        meaning: "integrated military command in peacetime and war".into(),
        rule: "none: no command semantics".into(),
        why: "the language says who must act and how, never under whose command forces serve".into(),
        clauses: vec![],
        needs: Some(
            "a command structure: e.g. a `[[command]]` table naming the parties whose forces it commands, in which domains, in peace or only in war"
                .into(),
        ),
    });
    alliance.push(base(spec, &clauses, &members));
    alliance.push(milaid(spec, &clauses, &members));
    let contrib: Vec<String> = clauses
        .iter()
        .filter(|(_, c)| c.amount.is_some() && obliged(spec, c, &members).iter().any(|p| members.contains(p)))
        .map(|(_, c)| c.id.clone())
        .collect();
    alliance.push(derived(
        "CONTRIB",
        yes(!contrib.is_empty()),
        if contrib.is_empty() {
            "0: no specified contributions"
        } else {
            "1: specified troop, supply or funding contributions"
        },
        "a clause with an `amount`",
        if contrib.is_empty() {
            "no coded clause states an amount".into()
        } else {
            format!("{} {} an amount", list(&contrib), if contrib.len() == 1 { "states" } else { "state" })
        },
        contrib,
    ));
    alliance.push(specthrt(spec, &clauses, &members));
    alliance.push(organ(spec, &clauses, &members));

    let mut benson = typology(spec, &all);
    // The alliance's type is the most binding of its members'.
    let rank = |k: &str| match k {
        "unconditional_compellent" => 4,
        "conditional_compellent" => 3,
        "conditional_deterrent" => 2,
        "probabilistic_deterrent" => 1,
        _ => 0,
    };
    if let Some(m) = members_codes.iter().max_by_key(|m| rank(&m.benson.kind))
        && rank(&m.benson.kind) > rank(&benson.kind)
    {
        benson = m.benson.clone();
    }
    FrameworkCodes {
        file: file.to_string(),
        framework: spec.framework.id.clone(),
        title: spec.framework.title.clone(),
        reading,
        members: member_list.iter().map(|p| spec.party(*p).id.clone()).collect(),
        alliance,
        members_codes,
        benson,
    }
}

fn typology(spec: &Spec, prof: &Profile) -> Typology {
    let off = prof.clauses(Obligation::Offense);
    if !off.is_empty() {
        let conditional = all_conditional(spec, Obligation::Offense, off, Conditions::any);
        return Typology {
            kind: if conditional { "conditional_compellent" } else { "unconditional_compellent" }.into(),
            why: format!("an offensive obligation ({})", list(&ids(spec, off))),
            clauses: ids(spec, off),
        };
    }
    let def = prof.clauses(Obligation::Defense);
    if def.is_empty() {
        return Typology { kind: "none".into(), why: "no defensive or offensive obligation".into(), clauses: vec![] };
    }
    let automatic: Vec<CommitmentId> =
        def.iter().copied().filter(|c| spec.commitment(*c).modality == Modality::Automatic).collect();
    if automatic.is_empty() {
        let modalities: BTreeSet<&str> = def.iter().map(|c| spec.commitment(*c).modality.as_str()).collect();
        Typology {
            kind: "probabilistic_deterrent".into(),
            why: format!(
                "every defence clause leaves the ally discretion (modality {})",
                modalities.into_iter().collect::<Vec<_>>().join(", ")
            ),
            clauses: ids(spec, def),
        }
    } else {
        Typology {
            kind: "conditional_deterrent".into(),
            why: "a defence clause is automatic once its casus foederis occurs".into(),
            clauses: ids(spec, &automatic),
        }
    }
}

fn asymm(
    spec: &Spec,
    typed: &[(CommitmentId, Option<Obligation>)],
    profiles: &[(PartyId, Profile)],
    members: &BTreeSet<PartyId>,
) -> Code {
    // A member's signature: the ATOP obligation types it holds, the kinds of its other clauses
    // (aid, bases, ...), and whether another member's defensive obligation protects it at home.
    let signature = |p: PartyId, prof: &Profile| -> (Vec<String>, bool) {
        let mut obligations: BTreeSet<String> =
            prof.by_type.iter().map(|(o, _)| format!("{o:?}").to_uppercase()).collect();
        for (id, o) in typed {
            let c = spec.commitment(*id);
            if o.is_none() && obliged(spec, c, members).contains(&p) {
                obligations.insert(c.kind.as_str().to_string());
            }
        }
        let protected_ = profiles
            .iter()
            .filter(|(q, _)| *q != p)
            .flat_map(|(_, prof)| prof.clauses(Obligation::Defense).iter())
            .any(|c| protected(spec, spec.commitment(*c)).0.contains(&p));
        (obligations.into_iter().collect(), protected_)
    };
    let sigs: Vec<(PartyId, (Vec<String>, bool))> =
        profiles.iter().map(|(p, prof)| (*p, signature(*p, prof))).collect();
    let first = sigs.first().map(|(_, s)| s.clone());
    let differ: Vec<String> =
        sigs.iter().filter(|(_, s)| Some(s) != first.as_ref()).map(|(p, _)| spec.party(*p).id.clone()).collect();
    let asym = !differ.is_empty();
    let describe = |p: PartyId, s: &(Vec<String>, bool)| {
        format!(
            "{} holds [{}]{}",
            spec.party(p).id,
            s.0.join(", "),
            if s.1 { ", defended by a partner" } else { ", not defended by a partner" }
        )
    };
    let why = if asym {
        let mut seen: Vec<&(Vec<String>, bool)> = Vec::new();
        let mut parts = Vec::new();
        for (p, s) in &sigs {
            if !seen.contains(&s) {
                seen.push(s);
                parts.push(describe(*p, s));
            }
        }
        format!("members' obligations differ: {}", parts.join("; "))
    } else {
        "every member holds the same obligations and the same protection".into()
    };
    let mut cl: Vec<String> = Vec::new();
    if asym {
        cl = typed.iter().map(|(id, _)| spec.commitment(*id).id.clone()).collect();
    }
    derived(
        "ASYMM",
        yes(asym),
        if asym { "1: obligations differ among members" } else { "0: symmetric obligations" },
        "members' obligations and protection compared",
        why,
        cl,
    )
}

fn milcon(spec: &Spec, clauses: &[(CommitmentId, &Commitment)], members: &BTreeSet<PartyId>) -> Code {
    // Peacetime military contact: a standing (crisis-free) consult or train clause among members.
    let standing: Vec<String> = clauses
        .iter()
        .filter(|(_, c)| {
            matches!(c.kind, Kind::Consult) && !crisis_triggered(spec, c) && c.to.iter().all(|p| members.contains(p))
        })
        .map(|(_, c)| c.id.clone())
        .collect();
    let code = if standing.is_empty() { 0 } else { 2 };
    Code {
        variable: "MILCON".into(),
        code: Some(code),
        status: Status::LowerBound,
        meaning: if code == 2 { "2: peacetime military consultation" } else { "0: no military contact shown" }.into(),
        rule: "standing consult clause among members".into(),
        why: if standing.is_empty() {
            "no standing (crisis-free) consultation among members; the language cannot express joint planning or a common defence policy (3), so this is a lower bound".into()
        } else {
            format!("standing consultation in {}; a common defence policy (3) cannot be expressed", list(&standing))
        },
        clauses: standing,
        needs: Some(
            "a kind for peacetime staff contact, joint planning, common doctrine or procurement (code 3)".into(),
        ),
    }
}

/// Whether `c` places `p`'s forces on the territory of another member.
fn basing(spec: &Spec, c: &Commitment, p: PartyId, members: &BTreeSet<PartyId>) -> Vec<PartyId> {
    c.to.iter()
        .copied()
        .filter(|q| *q != p && members.contains(q))
        .filter(|q| {
            let territory = &spec.party(*q).territory;
            c.scope.is_empty()
                || c.scope
                    .iter()
                    .any(|s| territory.iter().any(|t| spec.region_within(*s, *t) || spec.region_within(*t, *s)))
        })
        .collect()
}

fn base(spec: &Spec, clauses: &[(CommitmentId, &Commitment)], members: &BTreeSet<PartyId>) -> Code {
    let mut pairs: BTreeSet<(PartyId, PartyId)> = BTreeSet::new();
    let mut cl = Vec::new();
    for (_, c) in clauses.iter().filter(|(_, c)| c.kind == Kind::Deploy) {
        let mut any = false;
        for p in obliged(spec, c, members) {
            for q in basing(spec, c, p, members) {
                pairs.insert((p, q));
                any = true;
            }
        }
        if any {
            cl.push(c.id.clone());
        }
    }
    let mutual = pairs.iter().any(|(p, q)| pairs.contains(&(*q, *p)));
    let code = if pairs.is_empty() {
        0
    } else if mutual {
        1
    } else {
        2
    };
    let names: Vec<String> =
        pairs.iter().map(|(p, q)| format!("{} in {}", spec.party(*p).id, spec.party(*q).id)).collect();
    derived(
        "BASE",
        code,
        match code {
            0 => "0: no troop placement or bases",
            1 => "1: joint (mutual) troop placement or bases",
            _ => "2: one or more members may place forces on another's territory",
        },
        "deploy clause onto another member's territory",
        if pairs.is_empty() {
            "no deploy clause places a member's forces on another member's territory".into()
        } else {
            format!("{} ({})", names.join(", "), if mutual { "in both directions" } else { "one way" })
        },
        cl,
    )
}

fn milaid(spec: &Spec, clauses: &[(CommitmentId, &Commitment)], members: &BTreeSet<PartyId>) -> Code {
    use ironclad_spec::vocab::Domain;
    let mut grants = Vec::new();
    let mut technology = Vec::new();
    let mut general = Vec::new();
    for (_, c) in clauses {
        let from_member = obliged(spec, c, members).iter().any(|p| members.contains(p));
        if !from_member {
            continue;
        }
        let money = c.amount.as_ref().is_some_and(|a| a.dimension == ironclad_spec::quantity::Dimension::Money)
            || c.domains.contains(&Domain::Financing);
        let materiel = c.domains.iter().any(|d| matches!(d, Domain::Weapons | Domain::Training));
        // Each category on its own: an `assist` in weapons and financing is both (code 4).
        let (grant, tech) = match c.kind {
            Kind::Finance => (true, false),
            Kind::Train => (false, true),
            // A supply clause is of materiel unless it is only of money.
            Kind::Supply => (money, materiel || !money),
            Kind::Assist => (money, materiel),
            _ => (false, false),
        };
        if grant {
            grants.push(c.id.clone());
        }
        if tech {
            technology.push(c.id.clone());
        }
        if c.kind == Kind::Assist && c.domains.is_empty() && !crisis_triggered(spec, c) {
            general.push(c.id.clone());
        }
    }
    let code = match (!grants.is_empty(), !technology.is_empty(), !general.is_empty()) {
        (true, true, _) => 4,
        (false, true, _) => 3,
        (true, false, _) => 2,
        (false, false, true) => 1,
        _ => 0,
    };
    let mut cl = grants.clone();
    cl.extend(technology.iter().cloned());
    cl.extend(general.iter().cloned());
    derived(
        "MILAID",
        code,
        match code {
            0 => "0: no military aid",
            1 => "1: general, unspecified aid",
            2 => "2: grants or loans",
            3 => "3: training or provision of technology/materiel",
            _ => "4: both grants or loans and training or technology",
        },
        "finance/supply/train/assist clause by a member",
        format!(
            "grants or loans: {}; training or materiel: {}; unspecified: {}",
            list(&grants),
            list(&technology),
            list(&general)
        ),
        cl,
    )
}

fn specthrt(spec: &Spec, clauses: &[(CommitmentId, &Commitment)], members: &BTreeSet<PartyId>) -> Code {
    let mut named: BTreeSet<PartyId> = spec.framework.threat.into_iter().collect();
    let mut cl = Vec::new();
    for (_, c) in clauses {
        let mut attackers = BTreeSet::new();
        if let Some(t) = &c.trigger {
            for (_, f) in t.trigger.alternatives.iter().filter(|(k, _)| ATTACKS.contains(k)) {
                if let Some(f) = f {
                    attacker_values(f, &mut attackers);
                }
            }
        }
        // A member named as the attacker is the one an offensive pledge supports, not a threat.
        attackers.retain(|p| !members.contains(p));
        if !attackers.is_empty() {
            cl.push(c.id.clone());
            named.extend(attackers);
        }
    }
    let names: Vec<String> = named.iter().map(|p| spec.party(*p).id.clone()).collect();
    let yes_ = !names.is_empty();
    derived(
        "SPECTHRT",
        yes(yes_),
        if yes_ { "1: a specific threat is named" } else { "0: no specific threat named" },
        "`[framework] threat`, or `attacker` named in a trigger",
        if yes_ {
            format!(
                "names {}{}",
                list(&names),
                if spec.framework.threat.is_some() { " (framework threat)" } else { "" }
            )
        } else {
            "no framework threat and no trigger names an attacker outside the alliance".into()
        },
        cl,
    )
}

fn organ(spec: &Spec, clauses: &[(CommitmentId, &Commitment)], members: &BTreeSet<PartyId>) -> Code {
    // An alliance organ: a body of members only (no outside seats) that decides a coded clause.
    let mut organs = BTreeSet::new();
    for (_, c) in clauses {
        let mut bodies = Vec::new();
        if let Obligor::Body(b) = &c.by {
            bodies.push(*b);
        }
        for cond in spec.conditions_of(c) {
            cond.expr.walk(&mut |n| {
                if let Node::State(StateFn::Decided, args) = &n.node
                    && let Some(Node::Const(Value::Body(b))) = args.first().map(|a| &a.node)
                {
                    bodies.push(*b);
                }
            });
        }
        for b in bodies {
            let body = spec.body(b);
            if body.other_seats == 0 && body.members.iter().all(|p| members.contains(p)) {
                organs.insert(body.id.clone());
            }
        }
    }
    let organs: Vec<String> = organs.into_iter().collect();
    let code = u8::from(!organs.is_empty());
    Code {
        variable: "ORGAN1".into(),
        code: Some(code),
        status: Status::LowerBound,
        meaning: if code == 1 {
            "1: a formal organ of the members (regular decision-making)"
        } else {
            "0: no organ shown"
        }
        .into(),
        rule: "a body of members only that decides a coded clause".into(),
        why: if organs.is_empty() {
            "no body of members decides a coded clause; a body with outside seats (e.g. the UN Security Council) is not an alliance organ".into()
        } else {
            format!(
                "{} decides coded clauses; a permanent bureaucracy (a higher code) cannot be expressed",
                list(&organs)
            )
        },
        clauses: organs,
        needs: Some(
            "a way to say that a body has a permanent secretariat or staff, and whether it meets regularly".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        let analysis = ironclad_spec::analyze(text);
        assert_eq!(analysis.errors(), 0, "{:?}", analysis.diagnostics);
        analysis.spec.expect("a valid spec")
    }

    fn codes(text: &str) -> FrameworkCodes {
        let s = spec(text);
        code(&[("t.toml".into(), &s)], "atop").unwrap().frameworks.remove(0)
    }

    fn get<'a>(codes: &'a [Code], name: &str) -> &'a Code {
        codes.iter().find(|c| c.variable == name).unwrap_or_else(|| panic!("no {name}"))
    }

    fn member<'a>(f: &'a FrameworkCodes, party: &str) -> &'a MemberCodes {
        f.members_codes.iter().find(|m| m.party == party).unwrap()
    }

    const HEAD: &str = r#"
[framework]
id = "t"
title = "t"
protects = ["A", "B"]

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "A"
territory = ["A", "A-far"]

[[party]]
id = "B"
territory = ["B"]

[[party]]
id = "X"

[[region]]
id = "area"

[[region]]
id = "A"
within = "area"

[[region]]
id = "B"
within = "area"

[[region]]
id = "A-far"
"#;

    fn with(clauses: &str) -> String {
        format!("{HEAD}\n{clauses}")
    }

    const MUTUAL_DEFENCE: &str = r#"
[[commitment]]
id = "mutual"
by = ["A", "B"]
to = ["A", "B"]
kind = "defend"
trigger = "armed_attack where target in [A, B]"
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;

    #[test]
    fn an_unconditional_mutual_defence_pact() {
        let f = codes(&with(MUTUAL_DEFENCE));
        assert_eq!(f.members, ["A", "B"]);
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(1));
        assert_eq!(get(&f.alliance, "DEFENSE").clauses, ["mutual"]);
        for v in [
            "OFFENSE", "NEUTRAL", "NONAGG", "CONSUL", "CONDITIO", "DEFCON", "ASYMM", "SPECTHRT", "BASE", "MILAID",
            "CONTRIB",
        ] {
            assert_eq!(get(&f.alliance, v).code, Some(0), "{v}");
        }
        assert_eq!(get(&member(&f, "A").codes, "DEFCOLOC").code, Some(0));
        assert_eq!(f.benson.kind, "conditional_deterrent");
        assert_eq!(get(&f.alliance, "INTCOM").status, Status::NotDerivable);
        assert!(get(&f.alliance, "INTCOM").needs.is_some());
    }

    #[test]
    fn location_adversary_and_discretion() {
        let f = codes(&with(
            &MUTUAL_DEFENCE
                .replace("target in [A, B]\"", "target in [A, B] and region within area and attacker == X\"")
                .replace("automatic", "constitutional"),
        ));
        assert_eq!(get(&f.alliance, "DEFCON").code, Some(1));
        assert_eq!(get(&f.alliance, "CONDITIO").code, Some(1));
        let a = member(&f, "A");
        assert_eq!(get(&a.codes, "DEFCOLOC").code, Some(1));
        assert_eq!(get(&a.codes, "DEFCOADV").code, Some(1));
        assert_eq!(get(&f.alliance, "SPECTHRT").code, Some(1));
        assert_eq!(f.benson.kind, "probabilistic_deterrent");
    }

    #[test]
    fn one_unconditional_alternative_makes_the_obligation_unconditional() {
        let f = codes(&with(&MUTUAL_DEFENCE.replace(
            "target in [A, B]\"",
            "target in [A, B] and region within area | armed_attack where target == A\"",
        )));
        assert_eq!(get(&member(&f, "A").codes, "DEFCOLOC").code, Some(0));
        assert_eq!(get(&f.alliance, "DEFCON").code, Some(0));
    }

    #[test]
    fn one_sided_guarantee_with_bases_aid_and_consultation_is_asymmetric() {
        let f = codes(&with(
            r#"
[[commitment]]
id = "guarantee"
by = ["A"]
to = ["B"]
kind = "defend"
trigger = "armed_attack where target == B"
modality = "discretionary"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "bases"
by = ["A"]
to = ["B"]
kind = "deploy"
scope = ["B"]
modality = "discretionary"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "money"
by = ["A"]
to = ["B"]
kind = "finance"
amount = "1bn USD"
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "talk"
by = ["A", "B"]
to = ["B"]
kind = "consult"
trigger = "threat where target == B"
conditions = ["requested(B)"]
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"
"#,
        ));
        assert_eq!(get(&f.alliance, "ASYMM").code, Some(1));
        assert_eq!(get(&f.alliance, "BASE").code, Some(2));
        assert_eq!(get(&f.alliance, "MILAID").code, Some(2));
        assert_eq!(get(&f.alliance, "CONTRIB").code, Some(1));
        assert_eq!(get(&f.alliance, "CONSUL").code, Some(1));
        assert_eq!(get(&f.alliance, "CONCON").code, Some(1));
        assert_eq!(get(&member(&f, "B").codes, "CONCOREQ").code, Some(1));
        assert_eq!(get(&member(&f, "B").codes, "DEFENSE").code, Some(0));
        assert_eq!(get(&member(&f, "A").codes, "DEFENSE").code, Some(1));
        assert_eq!(member(&f, "B").benson.kind, "none");
    }

    /// A consultation whose every trigger alternative needs a request — a request event, or a
    /// filter reading `requested(..)` — is conditional on request, as one with the condition is.
    #[test]
    fn a_request_in_every_trigger_alternative_is_a_request_condition() {
        let talk = |trigger: &str| {
            with(&format!(
                "[[commitment]]\nid = \"talk\"\nby = [\"A\", \"B\"]\nto = [\"B\"]\nkind = \"consult\"\ntrigger = \"{trigger}\"\nmodality = \"automatic\"\nstrength = \"treaty\"\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
            ))
        };
        let both = "threat where target == B and requested(B) | request where party == B and threatened(B)";
        assert_eq!(get(&codes(&talk(both)).alliance, "CONCON").code, Some(1));
        let one = "threat where target == B | request where party == B and threatened(B)";
        assert_eq!(get(&codes(&talk(one)).alliance, "CONCON").code, Some(0));
    }

    #[test]
    fn standing_refrain_is_non_aggression_and_crisis_refrain_is_neutrality() {
        let f = codes(&with(
            r#"
[[commitment]]
id = "no-force"
by = ["A", "B"]
to = ["A", "B"]
kind = "refrain"
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "stay-out"
by = ["A", "B"]
to = ["A", "B"]
kind = "refrain"
trigger = "armed_attack where target in [A, B] and not provoked"
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"
"#,
        ));
        assert_eq!(get(&f.alliance, "NONAGG").clauses, ["no-force"]);
        assert_eq!(get(&f.alliance, "NEUTRAL").clauses, ["stay-out"]);
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(0));
        assert_eq!(f.benson.kind, "none");
    }

    #[test]
    fn a_sanctions_clause_is_no_obligation_type_and_no_military_aid() {
        let f = codes(&with(
            r#"
[[commitment]]
id = "sanction-the-attacker"
by = ["A", "B"]
to = ["A", "B"]
kind = "sanctions"
domains = ["sanctions"]
trigger = "armed_attack where target in [A, B]"
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"
"#,
        ));
        for var in ["DEFENSE", "OFFENSE", "NEUTRAL", "NONAGG", "CONSUL", "MILAID"] {
            assert_eq!(get(&f.alliance, var).code, Some(0), "{var}");
        }
        assert_eq!(f.benson.kind, "none");
    }

    #[test]
    fn an_attack_by_a_member_makes_it_offensive() {
        let f = codes(&with(&MUTUAL_DEFENCE.replace("target in [A, B]\"", "attacker == A and target == X\"")));
        assert_eq!(get(&f.alliance, "OFFENSE").code, Some(1));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(0));
        assert!(f.benson.kind.ends_with("compellent"));
    }

    #[test]
    fn a_region_that_takes_in_every_protected_territory_is_no_location_condition() {
        // `region within B` covers all of B's territory; A's home is not covered at all, so the
        // clause protects B only, A's obligation is a defensive one (it defends B) and B's is
        // self-defence: no defensive obligation of B's, and no location condition on A's.
        let f = codes(&with(&MUTUAL_DEFENCE.replace("target in [A, B]\"", "target in [A, B] and region within B\"")));
        let (a, b) = (member(&f, "A"), member(&f, "B"));
        assert_eq!(get(&a.codes, "DEFENSE").code, Some(1));
        assert_eq!(get(&a.codes, "DEFCOLOC").code, Some(0));
        assert_eq!(get(&b.codes, "DEFENSE").code, Some(0), "acting only at home is not defending a partner");
        assert_eq!(get(&f.alliance, "DEFCON").code, Some(0));
        assert_eq!(get(&f.alliance, "ASYMM").code, Some(1), "A defends B, B does not defend A");
        assert_eq!(b.benson.kind, "none");
        // Bounded to the area, A's territory is covered only in part (A-far lies outside).
        let f =
            codes(&with(&MUTUAL_DEFENCE.replace("target in [A, B]\"", "target in [A, B] and region within area\"")));
        for m in ["A", "B"] {
            assert_eq!(get(&member(&f, m).codes, "DEFENSE").code, Some(1));
            assert_eq!(get(&member(&f, m).codes, "DEFCOLOC").code, Some(1), "{m}");
        }
        assert_eq!(get(&f.alliance, "ASYMM").code, Some(0));
    }

    #[test]
    fn assistance_against_an_attack_is_defence_unless_it_is_aid_only() {
        let assist = MUTUAL_DEFENCE.replace("kind = \"defend\"", "kind = \"assist\"");
        let f = codes(&with(&assist));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(0), "unspecified assistance is no promise of force");
        assert_eq!(get(&f.alliance, "MILAID").code, Some(0));
        let assist = assist.replace("kind = \"assist\"", "kind = \"assist\"\ndomains = [\"land\", \"air\"]");
        let f = codes(&with(&assist));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(1), "including the use of armed force");
        let f = codes(&with(&assist.replace("[\"land\", \"air\"]", "[\"weapons\"]")));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(0), "weapons only: aid, not military support");
        assert_eq!(get(&f.alliance, "MILAID").code, Some(3));
        // A threat alone is not an attack.
        let f = codes(&with(&assist.replace("armed_attack where", "threat where")));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(0));
    }

    #[test]
    fn a_member_named_as_attacker_is_no_specific_threat() {
        let f = codes(&with(&MUTUAL_DEFENCE.replace("target in [A, B]\"", "attacker == A and target == X\"")));
        assert_eq!(get(&f.alliance, "OFFENSE").code, Some(1));
        assert_eq!(get(&f.alliance, "SPECTHRT").code, Some(0), "A is the ally the pledge supports");
    }

    #[test]
    fn aid_in_weapons_and_money_is_both_kinds_of_military_aid() {
        let aid = r#"
[[commitment]]
id = "aid"
by = ["A"]
to = ["B"]
kind = "assist"
domains = ["weapons", "financing"]
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;
        let f = codes(&with(aid));
        assert_eq!(get(&f.alliance, "MILAID").code, Some(4), "{}", get(&f.alliance, "MILAID").why);
        let f = codes(&with(&aid.replace("\"weapons\", ", "")));
        assert_eq!(get(&f.alliance, "MILAID").code, Some(2));
        let f = codes(&with(&aid.replace("kind = \"assist\"", "kind = \"supply\"").replace(", \"financing\"", "")));
        assert_eq!(get(&f.alliance, "MILAID").code, Some(3));
    }

    #[test]
    fn a_body_with_outside_seats_obliges_no_member() {
        let council = |other_seats: u32| {
            format!(
                r#"
[[body]]
id = "council"
members = ["A", "B"]
other_seats = {other_seats}
rule = "majority"

[[commitment]]
id = "council-defends"
by = ["council"]
to = ["A", "B"]
kind = "defend"
trigger = "armed_attack where target in [A, B]"
modality = "discretionary"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"
"#
            )
        };
        let f = codes(&with(&council(0)));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(1), "a council of the members acts for them");
        assert_eq!(get(&f.alliance, "ORGAN1").code, Some(1));
        let f = codes(&with(&council(10)));
        assert_eq!(get(&f.alliance, "DEFENSE").code, Some(0), "outside seats decide: nobody's promise");
        assert_eq!(get(&f.alliance, "ORGAN1").code, Some(0));
    }

    #[test]
    fn an_unknown_scheme_is_a_usage_error() {
        let s = spec(&with(MUTUAL_DEFENCE));
        assert!(matches!(code(&[("t".into(), &s)], "cow"), Err(Error::Usage(m)) if m.contains("atop")));
    }
}
