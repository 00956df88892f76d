//! The typed, name-resolved form of expressions, which the engine compiles.

use crate::model::{BodyId, CommitmentId, PartyId, RegionId};
use crate::span::Span;
use crate::vocab::Domain;

/// Types of the expression language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    Num,
    Scale,
    Party,
    Region,
    Domain,
    Body,
    Commitment,
    PartySet,
    RegionSet,
    DomainSet,
    /// An organisation, written `#tag`: the parties carrying the tag are its members at the
    /// start; `accession` and `departure` events change who is a member (`member(P, #tag)`).
    Organisation,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Num => "number",
            Ty::Scale => "scale",
            Ty::Party => "party",
            Ty::Region => "region",
            Ty::Domain => "domain",
            Ty::Body => "body",
            Ty::Commitment => "commitment",
            Ty::PartySet => "set of parties",
            Ty::RegionSet => "set of regions",
            Ty::DomainSet => "set of domains",
            Ty::Organisation => "organisation",
        }
    }

    /// The set type whose elements have this type.
    pub fn set_of(self) -> Option<Ty> {
        match self {
            Ty::Party => Some(Ty::PartySet),
            Ty::Region => Some(Ty::RegionSet),
            Ty::Domain => Some(Ty::DomainSet),
            _ => None,
        }
    }

    /// The element type of a set type.
    pub fn element(self) -> Option<Ty> {
        match self {
            Ty::PartySet => Some(Ty::Party),
            Ty::RegionSet => Some(Ty::Region),
            Ty::DomainSet => Some(Ty::Domain),
            _ => None,
        }
    }
}

/// How large an attack is, ordered: `incident < limited < significant < major`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scale {
    Incident,
    Limited,
    Significant,
    Major,
}

impl Scale {
    pub const ALL: [Scale; 4] = [Scale::Incident, Scale::Limited, Scale::Significant, Scale::Major];
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Incident => "incident",
            Scale::Limited => "limited",
            Scale::Significant => "significant",
            Scale::Major => "major",
        }
    }
    pub fn parse(text: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn parse(text: &str) -> Option<$name> { match text { $($text => Some($name::$variant),)+ _ => None } }
        }
    };
}

named! {
    /// The kinds of events a scenario timeline holds and a trigger matches.
    EventKind {
        ArmedAttack = "armed_attack",
        StrikeOnForces = "strike_on_forces",
        Threat = "threat",
        ThreatLifted = "threat_lifted",
        CeasefireSigned = "ceasefire_signed",
        CeasefireBroken = "ceasefire_broken",
        PeaceSigned = "peace_signed",
        ForceDeployed = "force_deployed",
        ForceWithdrawn = "force_withdrawn",
        Decision = "decision",
        Request = "request",
        PositionChange = "position_change",
        Consultation = "consultation",
        Action = "action",
        Accession = "accession",
        Departure = "departure",
        Appropriation = "appropriation",
        Rescission = "rescission",
    }
}

named! {
    /// Fields of events, visible in a trigger's `where` clause.
    Field {
        Attacker = "attacker",
        Target = "target",
        Owner = "owner",
        Party = "party",
        Region = "region",
        Domains = "domains",
        Scale = "scale",
        Deliberate = "deliberate",
        Sustained = "sustained",
        Provoked = "provoked",
        Nuclear = "nuclear",
        Body = "body",
        Passed = "passed",
        Commitment = "commitment",
        Violator = "violator",
        Organisation = "organisation",
    }
}

impl EventKind {
    /// The fields an event of this kind carries, with their types.
    pub fn fields(self) -> &'static [(Field, Ty)] {
        use Field as F;
        match self {
            EventKind::ArmedAttack => &[
                (F::Attacker, Ty::Party),
                (F::Target, Ty::Party),
                (F::Region, Ty::Region),
                (F::Domains, Ty::DomainSet),
                (F::Scale, Ty::Scale),
                (F::Deliberate, Ty::Bool),
                (F::Sustained, Ty::Bool),
                (F::Provoked, Ty::Bool),
                (F::Nuclear, Ty::Bool),
            ],
            EventKind::StrikeOnForces => &[
                (F::Attacker, Ty::Party),
                (F::Owner, Ty::Party),
                (F::Region, Ty::Region),
                (F::Domains, Ty::DomainSet),
                (F::Scale, Ty::Scale),
            ],
            EventKind::Threat => &[(F::Attacker, Ty::Party), (F::Target, Ty::Party), (F::Nuclear, Ty::Bool)],
            EventKind::ThreatLifted => &[(F::Attacker, Ty::Party), (F::Target, Ty::Party)],
            EventKind::CeasefireSigned | EventKind::PeaceSigned => &[],
            EventKind::CeasefireBroken => &[(F::Violator, Ty::Party)],
            EventKind::ForceDeployed | EventKind::ForceWithdrawn => &[(F::Party, Ty::Party), (F::Region, Ty::Region)],
            EventKind::Decision => &[(F::Body, Ty::Body), (F::Passed, Ty::Bool)],
            EventKind::Request | EventKind::Consultation => &[(F::Party, Ty::Party)],
            EventKind::Action => &[
                (F::Party, Ty::Party),
                (F::Commitment, Ty::Commitment),
                (F::Domains, Ty::DomainSet),
                (F::Region, Ty::Region),
            ],
            EventKind::PositionChange => &[(F::Party, Ty::Party), (F::Commitment, Ty::Commitment)],
            EventKind::Accession | EventKind::Departure => {
                &[(F::Party, Ty::Party), (F::Organisation, Ty::Organisation)]
            }
            EventKind::Appropriation | EventKind::Rescission => {
                &[(F::Party, Ty::Party), (F::Commitment, Ty::Commitment)]
            }
        }
    }
}

named! {
    /// Predicates over the state of the world, usable in conditions and triggers.
    StateFn {
        Ceasefire = "ceasefire",
        PeaceAgreement = "peace_agreement",
        Consent = "consent",
        Decided = "decided",
        Requested = "requested",
        Deployed = "deployed",
        Attacked = "attacked",
        Threatened = "threatened",
        Active = "active",
        Failed = "failed",
        Member = "member",
        Appropriated = "appropriated",
    }
}

impl StateFn {
    /// The accepted argument lists.
    pub fn signatures(self) -> &'static [&'static [Ty]] {
        match self {
            StateFn::Ceasefire | StateFn::PeaceAgreement => &[&[]],
            StateFn::Consent | StateFn::Attacked | StateFn::Threatened => &[&[Ty::Party]],
            // `requested(#tag)`: some member of the tag has requested.
            StateFn::Requested => &[&[Ty::Party], &[Ty::PartySet]],
            StateFn::Decided => &[&[Ty::Body]],
            StateFn::Deployed => &[&[Ty::Party], &[Ty::Party, Ty::Region]],
            StateFn::Active | StateFn::Failed | StateFn::Appropriated => &[&[Ty::Commitment]],
            StateFn::Member => &[&[Ty::Party, Ty::Organisation]],
        }
    }

    /// What it means, for help texts and `docs/spec-format.md`.
    pub fn meaning(self) -> &'static str {
        match self {
            StateFn::Ceasefire => "a ceasefire is in force",
            StateFn::PeaceAgreement => "a peace agreement has been signed",
            StateFn::Consent => "consent(P): P consents to foreign forces on its territory",
            StateFn::Decided => "decided(B): body B has decided to act",
            StateFn::Requested => {
                "requested(P): P has requested action or consultations; requested(#tag): some member of the tag has"
            }
            StateFn::Deployed => "deployed(P) / deployed(P, R): P has forces deployed (in R)",
            StateFn::Attacked => "attacked(P): P is under armed attack",
            StateFn::Threatened => {
                "threatened(P): a threat against P stands (from a `threat` until its `threat_lifted`)"
            }
            StateFn::Active => "active(C): commitment C is activated",
            StateFn::Failed => "failed(C): commitment C was struck or not honoured",
            StateFn::Appropriated => {
                "appropriated(C): funds for commitment C have been appropriated (and not rescinded)"
            }
            StateFn::Member => {
                "member(P, #tag): P is a member of the organisation #tag (its tag at the start, then accession and departure events)"
            }
        }
    }

    pub fn usage(self) -> String {
        self.signatures()
            .iter()
            .map(|sig| {
                if sig.is_empty() {
                    self.as_str().to_string()
                } else {
                    let args: Vec<_> = sig.iter().map(|t| t.name().to_uppercase()).collect();
                    format!("{}({})", self.as_str(), args.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// A constant value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Num(f64),
    Scale(Scale),
    Party(PartyId),
    Region(RegionId),
    Domain(Domain),
    Body(BodyId),
    Commitment(CommitmentId),
    /// A `#tag` or a list, expanded to its members.
    Parties(Vec<PartyId>),
    Regions(Vec<RegionId>),
    Domains(Vec<Domain>),
    /// An organisation: the index of its tag among the spec's tags (`Spec::tags`, in key order).
    Organisation(u16),
}

/// A typed expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub node: Node,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(Value),
    Field(Field),
    State(StateFn, Vec<Typed>),
    /// A list literal whose items are not all constants.
    List(Vec<Typed>),
    Not(Box<Typed>),
    And(Box<Typed>, Box<Typed>),
    Or(Box<Typed>, Box<Typed>),
    /// `==`, `!=`, `<`, `<=`, `>`, `>=` (only those `BinOp`s).
    Compare(crate::expr::BinOp, Box<Typed>, Box<Typed>),
    /// Element in set.
    In(Box<Typed>, Box<Typed>),
    /// Region within region (or within any region of a set), by containment; reflexive.
    Within(Box<Typed>, Box<Typed>),
}

impl Typed {
    /// Visits this node and every node below it, parents first.
    pub fn walk(&self, visit: &mut impl FnMut(&Typed)) {
        visit(self);
        match &self.node {
            Node::Const(_) | Node::Field(_) => {}
            Node::State(_, args) | Node::List(args) => args.iter().for_each(|a| a.walk(visit)),
            Node::Not(inner) => inner.walk(visit),
            Node::And(a, b) | Node::Or(a, b) | Node::Compare(_, a, b) | Node::In(a, b) | Node::Within(a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
        }
    }
}

/// A typed trigger: one alternative per event kind it accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub alternatives: Vec<(EventKind, Option<Typed>)>,
}
