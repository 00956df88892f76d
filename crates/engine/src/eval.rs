//! Evaluation: the state of the world, events, and the verdict of each commitment.
//!
//! [`Compiled::verdict`] runs the tests of one commitment for one party in a fixed order and
//! returns the first that fails (or [`Verdict::Obliged`]); [`Compiled::evaluate`] runs all
//! commitments at once into a caller-provided buffer. Neither allocates: this is the inner
//! loop of the simulation.

use ironclad_spec::expr::{BinOp, EventKind, Field};
use ironclad_spec::model::RedLineId;
use ironclad_spec::scenario::Event;

use crate::compile::{CCommitment, CExpr, CTrigger, Compiled, Operand, StateAtom, bit, domain_bit};

/// Value of an absent event field: compares unequal to every id.
pub const NONE: u32 = u32::MAX;

/// The state of the world at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub day: i64,
    /// Day 0 as days since 1970-01-01, when the scenario has a start date.
    pub start: Option<i64>,
    pub ceasefire: bool,
    pub peace: bool,
    pub consent: u128,
    pub requested: u128,
    pub attacked: u128,
    /// The parties under a standing threat: `threats[P]` is not empty.
    pub threatened: u128,
    /// Per target: the parties whose threat against it stands (set by `threat`, cleared by
    /// `threat_lifted`).
    pub threats: Vec<u128>,
    /// Per party: the regions where it has forces deployed (exact regions, not ancestors).
    pub deployed: Vec<u128>,
    /// Per party: the ancestors of its deployments, for `deployed(P, R)`.
    pub deployed_within: Vec<u128>,
    pub decided: u64,
    pub active: u128,
    pub failed: u128,
    pub voided: u128,
    /// The commitments whose entry conditions have been met (all together, at some moment so
    /// far); see [`Compiled::enter`].
    pub entered: u128,
    /// Per commitment: the parties that withdrew from it.
    pub withdrawn: Vec<u128>,
    /// Per organisation (`Compiled::organisations`): its members now.
    pub members: Vec<u128>,
    /// The commitments whose funds are appropriated now.
    pub appropriated: u128,
    /// The option chosen for each variant.
    pub selection: Vec<u16>,
}

impl State {
    /// An empty state for a compiled spec, with the given variant selection.
    pub fn new(compiled: &Compiled, selection: Vec<u16>) -> Self {
        State {
            day: 0,
            start: None,
            ceasefire: false,
            peace: false,
            consent: 0,
            requested: 0,
            attacked: 0,
            threatened: 0,
            threats: vec![0; compiled.parties],
            deployed: vec![0; compiled.parties],
            deployed_within: vec![0; compiled.parties],
            decided: 0,
            active: 0,
            failed: 0,
            voided: 0,
            entered: 0,
            withdrawn: vec![0; compiled.commitments.len()],
            members: compiled.organisations.clone(),
            appropriated: 0,
            selection,
        }
    }

    /// Records a deployment (or withdrawal) and refreshes the ancestor mask.
    pub fn set_deployed(&mut self, compiled: &Compiled, party: usize, region: usize, present: bool) {
        if present {
            self.deployed[party] |= bit(region);
        } else {
            self.deployed[party] &= !bit(region);
        }
        let mut within = 0;
        let mut regions = self.deployed[party];
        while regions != 0 {
            let r = regions.trailing_zeros() as usize;
            within |= compiled.ancestors[r];
            regions &= regions - 1;
        }
        self.deployed_within[party] = within;
    }
}

/// An event in the compact form evaluation reads: ids as `u32`, [`NONE`] when absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CEvent {
    pub kind: EventKind,
    pub attacker: u32,
    pub target: u32,
    pub owner: u32,
    pub party: u32,
    pub violator: u32,
    pub region: u32,
    pub domains: u16,
    pub scale: u32,
    pub deliberate: bool,
    pub sustained: bool,
    pub provoked: bool,
    pub nuclear: bool,
    pub body: u32,
    pub passed: bool,
    pub commitment: u32,
    pub organisation: u32,
}

impl CEvent {
    /// Converts a scenario event; `passed` is the outcome of a decision event.
    pub fn from_event(e: &Event, passed: bool) -> Self {
        let id = |x: Option<u16>| x.map_or(NONE, u32::from);
        CEvent {
            kind: e.kind,
            attacker: id(e.attacker.map(|p| p.0)),
            target: id(e.target.map(|p| p.0)),
            owner: id(e.owner.map(|p| p.0)),
            party: id(e.party.map(|p| p.0)),
            violator: id(e.violator.map(|p| p.0)),
            region: id(e.region.map(|r| r.0)),
            domains: e.domains.iter().fold(0, |m, d| m | domain_bit(*d)),
            scale: e.scale as u32,
            deliberate: e.deliberate,
            sustained: e.sustained,
            provoked: e.provoked,
            nuclear: e.nuclear,
            body: id(e.body.map(|b| b.0)),
            passed,
            commitment: id(e.commitment.map(|c| c.0)),
            organisation: id(e.organisation),
        }
    }

    fn field(&self, f: Field) -> u32 {
        match f {
            Field::Attacker => self.attacker,
            Field::Target => self.target,
            Field::Owner => self.owner,
            Field::Party => self.party,
            Field::Region => self.region,
            Field::Scale => self.scale,
            Field::Body => self.body,
            Field::Commitment => self.commitment,
            Field::Violator => self.violator,
            Field::Organisation => self.organisation,
            Field::Deliberate => u32::from(self.deliberate),
            Field::Sustained => u32::from(self.sustained),
            Field::Provoked => u32::from(self.provoked),
            Field::Nuclear => u32::from(self.nuclear),
            Field::Passed => u32::from(self.passed),
            Field::Domains => NONE,
        }
    }
}

/// Integer comparison; [`NONE`] is unequal to everything and unordered.
pub fn compare(a: u32, op: BinOp, b: u32) -> bool {
    if a == NONE || b == NONE {
        return op == BinOp::Ne && a != b;
    }
    match op {
        BinOp::Eq => a == b,
        BinOp::Ne => a != b,
        BinOp::Lt => a < b,
        BinOp::Le => a <= b,
        BinOp::Gt => a > b,
        BinOp::Ge => a >= b,
        BinOp::And | BinOp::Or | BinOp::In | BinOp::Within => false,
    }
}

/// Why a commitment does or does not oblige a party, in the order the tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The commitment belongs to a variant option that is not chosen.
    NotSelected { variant: u16, option: u16 },
    /// The party is not among those the commitment obliges.
    NotObligor,
    /// A `void_if` event has voided the commitment.
    Voided,
    /// The day lies before the framework entered into force or after it expired.
    NotInForce,
    /// A proposed or reported clause that no variant option lists: it takes no effect.
    NotAdopted,
    /// The entry conditions have never all held; condition `index` (framework's first) is false now.
    NotEntered { index: u16 },
    /// The commitment has a trigger and this event (or no event) does not match it.
    NotTriggered,
    /// The event matched but happened outside the commitment's scope.
    OutOfScope,
    /// Condition `index` (framework condition first) is false.
    ConditionFalse { index: u16 },
    /// Exception `index` (`unless`) holds.
    Excepted { index: u16 },
    /// Named exception `exception` (index into `Spec::exceptions`) suspends the clause.
    Suspended { exception: u16 },
    /// The body that owes the commitment has not decided to act.
    NoDecision { body: u16 },
    /// The party's own red line excludes the commitment.
    Excluded { red_line: RedLineId },
    /// The party withdrew from the commitment.
    Withdrawn,
    /// The party is obliged.
    Obliged,
}

impl Compiled {
    /// Evaluates a compiled expression.
    pub fn eval(&self, e: &CExpr, state: &State, event: Option<&CEvent>) -> bool {
        match e {
            CExpr::Const(b) => *b,
            CExpr::Not(a) => !self.eval(a, state, event),
            CExpr::And(items) => items.iter().all(|i| self.eval(i, state, event)),
            CExpr::Or(items) => items.iter().any(|i| self.eval(i, state, event)),
            CExpr::State(atom) => self.state_atom(*atom, state),
            CExpr::Cmp(a, op, b) => compare(value(*a, event), *op, value(*b, event)),
            CExpr::InMask(a, mask) => {
                let v = value(*a, event);
                v < 128 && mask & bit(v as usize) != 0
            }
            CExpr::DomainInEvent(a) => {
                let v = value(*a, event);
                event.is_some_and(|e| v < 16 && e.domains & (1 << v) != 0)
            }
            CExpr::Within(a, mask) => {
                let v = value(*a, event) as usize;
                v < self.ancestors.len() && self.ancestors[v] & mask != 0
            }
            CExpr::Flag(f) => event.is_some_and(|e| e.field(*f) == 1),
        }
    }

    fn state_atom(&self, atom: StateAtom, s: &State) -> bool {
        let has = |mask: u128, i: u16| i < 128 && mask & bit(usize::from(i)) != 0;
        match atom {
            StateAtom::Ceasefire => s.ceasefire,
            StateAtom::Peace => s.peace,
            StateAtom::Consent(p) => has(s.consent, p),
            StateAtom::Requested(p) => has(s.requested, p),
            StateAtom::Attacked(p) => has(s.attacked, p),
            StateAtom::Threatened(p) => has(s.threatened, p),
            StateAtom::Deployed(p) => s.deployed.get(usize::from(p)).is_some_and(|m| *m != 0),
            StateAtom::DeployedIn(p, r) => s.deployed_within.get(usize::from(p)).is_some_and(|m| has(*m, r)),
            StateAtom::Decided(b) => b < 64 && s.decided & (1 << b) != 0,
            StateAtom::Active(c) => has(s.active, c),
            StateAtom::Failed(c) => has(s.failed, c),
            StateAtom::Member(p, o) => s.members.get(usize::from(o)).is_some_and(|m| has(*m, p)),
            StateAtom::Appropriated(c) => has(s.appropriated, c),
        }
    }

    /// Whether an event matches a trigger.
    pub fn matches(&self, trigger: &CTrigger, state: &State, event: &CEvent) -> bool {
        trigger.alternatives.iter().any(|(kind, filter)| *kind == event.kind && self.eval(filter, state, Some(event)))
    }

    fn selected(option: Option<(u16, u16)>, state: &State) -> bool {
        option.is_none_or(|(v, o)| state.selection.get(usize::from(v)) == Some(&o))
    }

    /// The verdict of commitment `c` for `party`, given the state and the event being
    /// considered (`None` for standing commitments, re-evaluated on every state change).
    pub fn verdict(&self, c: usize, party: usize, state: &State, event: Option<&CEvent>) -> Verdict {
        let cc = &self.commitments[c];
        // Whether the party is an obligor does not depend on the reading: asked first, so that
        // a clause of an unchosen option that could never oblige the party says so.
        if cc.obligors & bit(party) == 0 {
            return Verdict::NotObligor;
        }
        if let Some((variant, option)) = cc.option
            && !Self::selected(cc.option, state)
        {
            return Verdict::NotSelected { variant, option };
        }
        self.commitment_verdict(cc, c, state, event).unwrap_or_else(|| self.party_verdict(cc, c, party, state))
    }

    /// The tests that do not depend on the party; `None` if all pass.
    fn commitment_verdict(&self, cc: &CCommitment, c: usize, state: &State, event: Option<&CEvent>) -> Option<Verdict> {
        if cc.unadopted {
            return Some(Verdict::NotAdopted);
        }
        if state.voided & bit(c) != 0 {
            return Some(Verdict::Voided);
        }
        if let Some(start) = state.start {
            let today = start.saturating_add(state.day);
            if cc.from.is_some_and(|from| today < from) || cc.until.is_some_and(|until| today > until) {
                return Some(Verdict::NotInForce);
            }
        }
        if let Some(trigger) = &cc.trigger {
            match event {
                Some(e) if self.matches(trigger, state, e) => {}
                _ => return Some(Verdict::NotTriggered),
            }
            if let Some(e) = event
                && (cc.scope != 0 || cc.scope_except != 0)
                && e.region != NONE
                && !cc.in_scope(self.ancestors.get(e.region as usize).copied().unwrap_or(0))
            {
                return Some(Verdict::OutOfScope);
            }
        }
        // Named exceptions take precedence over the clause's own conditions and `unless`.
        match self.exception(cc, state, event) {
            Some((false, id)) => return Some(Verdict::Suspended { exception: id }),
            Some((true, _)) => {}
            None => {
                if !cc.entry.is_empty() && state.entered & bit(c) == 0 {
                    let index = cc.entry.iter().position(|k| !self.eval(k, state, None)).unwrap_or(0);
                    return Some(Verdict::NotEntered { index: index as u16 });
                }
                if let Some(index) = cc.conditions.iter().position(|k| !self.eval(k, state, event)) {
                    return Some(Verdict::ConditionFalse { index: index as u16 });
                }
                if let Some(index) = cc.unless.iter().position(|k| self.eval(k, state, event)) {
                    return Some(Verdict::Excepted { index: index as u16 });
                }
            }
        }
        if let Some(body) = cc.body
            && state.decided & (1 << body) == 0
        {
            return Some(Verdict::NoDecision { body });
        }
        None
    }

    /// Latches the entry conditions that hold now: a commitment whose entry conditions all
    /// hold in `state` is entered from now on, whatever happens to them later. The replay calls
    /// this on the initial state and after every event's effect.
    pub fn enter(&self, state: &mut State) {
        for (c, cc) in self.commitments.iter().enumerate() {
            if cc.entry.is_empty() || state.entered & bit(c) != 0 {
                continue;
            }
            if cc.entry.iter().all(|k| self.eval(k, state, None)) {
                state.entered |= bit(c);
            }
        }
    }

    /// The prevailing named exception, if any holds: `(apply, id)`. Among the exceptions that
    /// hold, those overridden by another that holds give way; if what remains has both effects,
    /// `suspend` prevails (the cautious reading; the `conflicting-exceptions` lint flags it).
    pub fn exception(&self, cc: &CCommitment, state: &State, event: Option<&CEvent>) -> Option<(bool, u16)> {
        if cc.exceptions.is_empty() {
            return None;
        }
        let mut active = 0u64;
        for (i, x) in cc.exceptions.iter().enumerate() {
            if self.eval(&x.when, state, event) {
                active |= 1 << i;
            }
        }
        let mut apply = None;
        for (i, x) in cc.exceptions.iter().enumerate() {
            if active & (1 << i) == 0 || x.overridden_by & active != 0 {
                continue;
            }
            if !x.apply {
                return Some((false, x.id));
            }
            apply = apply.or(Some((true, x.id)));
        }
        apply
    }

    fn party_verdict(&self, cc: &CCommitment, c: usize, party: usize, state: &State) -> Verdict {
        let excluded = cc.exclusions.iter().find(|x| x.parties & bit(party) != 0 && Self::selected(x.option, state));
        if let Some(x) = excluded {
            return Verdict::Excluded { red_line: x.red_line };
        }
        if state.withdrawn[c] & bit(party) != 0 {
            return Verdict::Withdrawn;
        }
        Verdict::Obliged
    }

    /// Evaluates every commitment for one state and event: `out[c]` receives the mask of
    /// obliged parties. One call is one "evaluation" in the benchmark's sense.
    pub fn evaluate(&self, state: &State, event: Option<&CEvent>, out: &mut [u128]) {
        for (c, cc) in self.commitments.iter().enumerate() {
            out[c] = 0;
            if !Self::selected(cc.option, state) || self.commitment_verdict(cc, c, state, event).is_some() {
                continue;
            }
            let mut obliged = cc.obligors & !state.withdrawn[c];
            for x in &cc.exclusions {
                if Self::selected(x.option, state) {
                    obliged &= !x.parties;
                }
            }
            out[c] = obliged;
        }
    }
}

fn value(o: Operand, event: Option<&CEvent>) -> u32 {
    match o {
        Operand::Const(v) => v,
        Operand::Field(f) => event.map_or(NONE, |e| e.field(f)),
    }
}
