//! Replaying a scenario: events in order, the state after each, and the obligations that
//! arise, with their status at a chosen day and what caused them.
//!
//! The rules (also in `docs/semantics.md`):
//! - A *triggered* commitment is tested against each event on the state **before** the event
//!   takes effect (so the attack that breaks a ceasefire still meets "ceasefire in force").
//! - A *standing* commitment (no trigger, not a backstop) is tested at the start and after every
//!   event; its obligations arise when its tests start to pass and lapse when they stop.
//! - A *backstop* is tested when the commitment it backs is struck (a strike on the forces of
//!   one of its obligors within its scope) or fails (an obligation of it is overdue, or a party
//!   withdraws from it).
//! - An obligation is *fulfilled* by the matching act (a consultation for `consult`, a
//!   deployment in scope for `deploy`, an `action` naming the commitment or sharing a domain, a
//!   decision of a body for `seek`); a `refrain` obligation is *breached* by an armed attack or
//!   threat of the obliged party on a beneficiary. Open obligations with a deadline are *due*
//!   until the deadline passes and *overdue* after.
//! - Entry into force and expiry are moments of their own, as deadlines and notices are: on
//!   entry into force the standing commitments are tested; from the first day out of force a
//!   commitment's open obligations are *expired*.

use ironclad_spec::expr::EventKind;
use ironclad_spec::model::{BodyId, CommitmentId, PartyId, Spec};
use ironclad_spec::scenario::{Event, Scenario, VoteValue};
use ironclad_spec::vocab::Kind;

use crate::compile::{CExpr, Compiled, StateAtom, bit};
use crate::decision::{Decision, Vote};
use crate::eval::{CEvent, State, Verdict};

/// What an obligation's status is at the day asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In force, no deadline, not yet acted on.
    Pending,
    /// In force with a deadline still ahead.
    Due,
    /// The deadline passed without the act.
    Overdue,
    /// A soft deadline passed without the act: late, but the commitment has not failed.
    Late,
    /// The act was done.
    Fulfilled,
    /// A `refrain` obligation broken by the obliged party.
    Breached,
    /// A standing commitment's tests stopped passing.
    Lapsed,
    /// A `void_if` event ended the commitment.
    Voided,
    /// The commitment went out of force while it was open: the framework expired, or the
    /// clause's own `duration` ran out (`Obligation::closed_on`: the first day out of force).
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Due => "due",
            Status::Overdue => "overdue",
            Status::Late => "late",
            Status::Fulfilled => "fulfilled",
            Status::Breached => "breached",
            Status::Lapsed => "lapsed",
            Status::Voided => "voided",
            Status::Expired => "expired",
        }
    }
    /// Whether the obligation still binds at the day asked about.
    pub fn open(self) -> bool {
        matches!(self, Status::Pending | Status::Due | Status::Overdue | Status::Late)
    }
}

/// Where a fact of the state came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Witness {
    /// Never set: the default (false, no consent, no decision).
    Default,
    /// The scenario's `[initial]` state.
    Initial,
    /// A `[[policy]]` of default votes.
    Policy,
    /// Event `i` (index into `Scenario::events`).
    Event(usize),
    /// A deadline that passed on this day.
    Deadline(i64),
    /// The framework entered into force on this day.
    InForce(i64),
}

/// Why an obligation arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A standing commitment whose tests passed from the start.
    Initial,
    /// Event `i` triggered it, or (standing commitments) made its tests pass.
    Event(usize),
    /// A standing commitment whose tests passed when the framework entered into force (on the
    /// obligation's `since` day).
    InForce,
    /// The backed commitment was struck or failed; `event` is the strike or the event after
    /// which the failure was seen.
    Backstop { backed: CommitmentId, event: Option<usize> },
}

/// A decision of a body, with its votes.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    pub body: BodyId,
    /// The decision event, or `None` when a `[[policy]]` decided.
    pub event: Option<usize>,
    /// One vote per seat: members in order, then other seats.
    pub votes: Vec<Vote>,
    pub decision: Decision,
}

/// One party's obligation under one commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct Obligation {
    pub commitment: CommitmentId,
    pub party: PartyId,
    pub since: i64,
    pub cause: Cause,
    /// The last day to act, if the commitment has a deadline.
    pub due: Option<f64>,
    pub status: Status,
    /// The event that fulfilled, breached, lapsed or voided it (none for an expiry).
    pub closed_by: Option<usize>,
    /// The day it closed, when that is not the day of `closed_by`: a withdrawal given with the
    /// framework's `notice` takes effect that many days after the withdrawing event; an
    /// `expired` obligation closed on the first day out of force.
    pub closed_on: Option<i64>,
    /// The state facts its conditions read, as they were when it arose.
    pub facts: Vec<(StateAtom, bool, Witness)>,
    /// The decision event that activated it, when the decision came after the trigger.
    pub activated_by: Option<usize>,
    /// A named exception (index into `Spec::exceptions`) that made it apply notwithstanding its conditions.
    pub applied_by_exception: Option<u16>,
    /// Acts that would have breached it (a `refrain`) but were excused: (event, the `excuse`
    /// exception, index into `Spec::exceptions`).
    pub excused: Vec<(usize, u16)>,
    /// Acts of the party that would have fulfilled it but happened outside its scope (events).
    pub out_of_scope: Vec<usize>,
}

/// A trigger that matched while a decision it needs was still missing: conditions are judged
/// on the state at the trigger, decisions on the latest ones.
#[derive(Debug, Clone)]
struct Awaiting {
    commitment: usize,
    party: usize,
    /// The event the commitment's trigger matched (none for a backstop without a trigger).
    event: Option<usize>,
    /// The cause the obligation gets when the decision comes.
    cause: Cause,
    state: State,
    provenance: Provenance,
}

/// Provenance of every state fact: the last event (or initial state, or policy) that set it.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub ceasefire: Witness,
    pub peace: Witness,
    pub consent: Vec<Witness>,
    pub requested: Vec<Witness>,
    pub attacked: Vec<Witness>,
    pub threatened: Vec<Witness>,
    pub deployed: Vec<Witness>,
    pub decided: Vec<Witness>,
    pub active: Vec<Witness>,
    pub failed: Vec<Witness>,
    /// Per organisation, per party (`Default`: the spec's tags decide).
    pub members: Vec<Vec<Witness>>,
    pub appropriated: Vec<Witness>,
}

/// The result of replaying a scenario up to a day.
#[derive(Debug, Clone)]
pub struct Replay {
    pub at: i64,
    pub obligations: Vec<Obligation>,
    /// The state after the last event on or before `at`.
    pub state: State,
    pub provenance: Provenance,
    /// The latest decision of each body, if any.
    pub decisions: Vec<Option<DecisionRecord>>,
    /// How many events (from the start of the sorted timeline) were applied.
    pub applied: usize,
}

/// Converts a scenario vote.
pub fn vote(v: VoteValue) -> Vote {
    match v {
        VoteValue::Yes => Vote::Yes,
        VoteValue::No => Vote::No,
        VoteValue::Abstain => Vote::Abstain,
        VoteValue::Absent => Vote::Absent,
    }
}

/// The default variant selection: each variant's heaviest option (the first on ties).
pub fn default_selection(spec: &Spec) -> Vec<u16> {
    spec.variants
        .iter()
        .map(|v| {
            let best = v
                .options
                .iter()
                .enumerate()
                .fold(0, |best, (i, o)| if o.weight > v.options[best].weight { i } else { best });
            best as u16
        })
        .collect()
}

struct Replayer<'a> {
    spec: &'a Spec,
    compiled: &'a Compiled,
    scenario: &'a Scenario,
    state: State,
    provenance: Provenance,
    obligations: Vec<Obligation>,
    decisions: Vec<Option<DecisionRecord>>,
    awaiting: Vec<Awaiting>,
    /// Withdrawals given with notice, not yet in effect: (commitment, party, event, effective day).
    notices: Vec<(usize, usize, usize, i64)>,
    /// Entries into force and expiries still ahead, in order: (day, what changes).
    force: Vec<(i64, ForceChange)>,
}

/// A change of what is in force, on a day of the scenario (`Replayer::force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ForceChange {
    /// The framework enters into force: standing commitments are tested.
    InForce,
    /// Commitment `c` is out of force from this day: its open obligations expire.
    Expires(usize),
}

/// The day a replay up to `at` ends on: `at`, or else the last event's day.
fn last_day(scenario: &Scenario, at: Option<i64>) -> i64 {
    at.unwrap_or_else(|| scenario.events.last().map_or(0, |e| e.day))
}

/// Replays `scenario` on `spec` up to day `at` (default: the last event's day).
pub fn replay(spec: &Spec, compiled: &Compiled, scenario: &Scenario, selection: Vec<u16>, at: Option<i64>) -> Replay {
    let at = last_day(scenario, at);
    let mut r = Replayer::start(spec, compiled, scenario, selection);
    let mut applied = 0;
    for (i, event) in scenario.events.iter().enumerate() {
        if event.day > at {
            break;
        }
        r.advance(event.day);
        r.event(i, event);
        applied = i + 1;
    }
    r.advance(at);
    r.state.day = at;
    for o in &mut r.obligations {
        if o.status == Status::Pending && o.due.is_some() {
            o.status = Status::Due;
        }
    }
    Replay { at, obligations: r.obligations, state: r.state, provenance: r.provenance, decisions: r.decisions, applied }
}

impl<'a> Replayer<'a> {
    /// The replay before the first event: the initial state, and the standing commitments it
    /// activates. `replay` and `why_not` both start here.
    fn start(spec: &'a Spec, compiled: &'a Compiled, scenario: &'a Scenario, selection: Vec<u16>) -> Replayer<'a> {
        let parties = spec.parties.len();
        let witnesses = |n: usize| vec![Witness::Default; n];
        let mut r = Replayer {
            spec,
            compiled,
            scenario,
            state: State::new(compiled, selection),
            provenance: Provenance {
                ceasefire: Witness::Default,
                peace: Witness::Default,
                consent: witnesses(parties),
                requested: witnesses(parties),
                attacked: witnesses(parties),
                threatened: witnesses(parties),
                deployed: witnesses(parties),
                decided: witnesses(spec.bodies.len()),
                active: witnesses(spec.commitments.len()),
                failed: witnesses(spec.commitments.len()),
                members: vec![witnesses(parties); compiled.organisations.len()],
                appropriated: witnesses(spec.commitments.len()),
            },
            obligations: Vec::new(),
            decisions: vec![None; spec.bodies.len()],
            awaiting: Vec::new(),
            notices: Vec::new(),
            force: Vec::new(),
        };
        r.state.day = scenario.events.first().map_or(0, |e| e.day.min(0));
        r.state.start = scenario.start.map(|d| d.days_since_epoch());
        r.force = force_changes(compiled, r.state.start, r.state.day);
        r.initial();
        r.compiled.enter(&mut r.state);
        r.standing(Cause::Initial);
        r
    }

    fn initial(&mut self) {
        let init = &self.scenario.initial;
        if init.ceasefire {
            self.state.ceasefire = true;
            self.provenance.ceasefire = Witness::Initial;
        }
        if init.peace_agreement {
            self.state.peace = true;
            self.provenance.peace = Witness::Initial;
            self.state.ceasefire = true;
            self.provenance.ceasefire = Witness::Initial;
        }
        for p in &init.consent {
            self.state.consent |= bit(p.index());
            self.provenance.consent[p.index()] = Witness::Initial;
        }
        for (p, o) in &init.members {
            if let Some(m) = self.state.members.get_mut(usize::from(*o)) {
                *m |= bit(p.index());
                self.provenance.members[usize::from(*o)][p.index()] = Witness::Initial;
            }
        }
        for c in &init.appropriated {
            self.state.appropriated |= bit(c.index());
            self.provenance.appropriated[c.index()] = Witness::Initial;
        }
        for (p, region) in &init.deployed {
            self.state.set_deployed(self.compiled, p.index(), region.index(), true);
            self.provenance.deployed[p.index()] = Witness::Initial;
        }
        for policy in &self.scenario.policies {
            let body = &self.spec.bodies[policy.body.index()];
            let mut votes: Vec<Vote> = body
                .members
                .iter()
                .map(|m| vote(policy.votes.iter().find(|(p, _)| p == m).map_or(policy.default, |(_, v)| *v)))
                .collect();
            votes.extend(std::iter::repeat_n(vote(policy.others), body.other_seats as usize));
            self.record_decision(policy.body, None, votes, Witness::Policy);
        }
    }

    fn record_decision(&mut self, body: BodyId, event: Option<usize>, votes: Vec<Vote>, witness: Witness) -> bool {
        let decision = self.compiled.bodies[body.index()].decide(&votes);
        if decision.passed {
            self.state.decided |= 1 << body.index();
        } else {
            self.state.decided &= !(1 << body.index());
        }
        self.provenance.decided[body.index()] = witness;
        self.decisions[body.index()] = Some(DecisionRecord { body, event, votes, decision });
        decision.passed
    }

    fn open(&self, c: usize, p: usize) -> bool {
        self.obligations.iter().any(|o| o.commitment.index() == c && o.party.index() == p && o.status.open())
    }

    fn oblige(&mut self, c: usize, p: usize, since: i64, cause: Cause) {
        let facts = facts(self.compiled, c, &self.state, &self.provenance);
        self.oblige_with(c, p, since, cause, facts);
    }

    /// Opens an obligation of party `p` under commitment `c`, unless one is open already;
    /// returns the index of the new obligation, `None` when none was pushed.
    fn oblige_with(
        &mut self,
        c: usize,
        p: usize,
        since: i64,
        cause: Cause,
        facts: Vec<(StateAtom, bool, Witness)>,
    ) -> Option<usize> {
        if self.open(c, p) {
            return None;
        }
        let due = self.compiled.commitments[c].deadline_days.map(|d| since as f64 + d);
        let applied_by_exception = self
            .compiled
            .exception(&self.compiled.commitments[c], &self.state, None)
            .and_then(|(apply, id)| apply.then_some(id));
        self.obligations.push(Obligation {
            applied_by_exception,
            commitment: CommitmentId(c as u16),
            party: PartyId(p as u16),
            since,
            cause,
            due,
            status: Status::Pending,
            closed_by: None,
            closed_on: None,
            facts,
            activated_by: None,
            excused: Vec::new(),
            out_of_scope: Vec::new(),
        });
        if self.state.active & bit(c) == 0 {
            self.state.active |= bit(c);
            self.provenance.active[c] = match cause {
                Cause::Event(i) => Witness::Event(i),
                Cause::Backstop { event: Some(i), .. } => Witness::Event(i),
                Cause::InForce => Witness::InForce(since),
                _ => Witness::Initial,
            };
        }
        Some(self.obligations.len() - 1)
    }

    fn parties(&self, c: usize) -> impl Iterator<Item = usize> + use<> {
        let mask = self.compiled.commitments[c].obligors;
        (0..128).filter(move |p| mask & bit(*p) != 0)
    }

    /// Visits, in order of their days, the moments up to `day` (inclusive) that no event
    /// marks: deadlines passing, withdrawals whose notice has run, entry into force and
    /// expiries. What one moment does (a failure opening a backstop with a deadline, say) can
    /// add later ones. Called before each event, with its day, and at the end of the replay.
    fn advance(&mut self, day: i64) {
        while let Some(next) = self.next_moment().filter(|next| *next <= day) {
            self.state.day = next.max(self.state.day);
            self.overdue(next as f64);
            self.notices_due(next);
            self.force_due(next);
        }
    }

    /// The earliest day on which a deadline has passed, a notice has run, or what is in force changes.
    fn next_moment(&self) -> Option<i64> {
        let deadline = self
            .obligations
            .iter()
            .filter(|o| matches!(o.status, Status::Pending | Status::Due))
            .filter_map(|o| o.due)
            .map(|d| d.floor() as i64 + 1)
            .min();
        let notice = self.notices.iter().map(|n| n.3).min();
        let force = self.force.first().map(|f| f.0);
        [deadline, notice, force].into_iter().flatten().min()
    }

    /// The changes of what is in force due by `day`: on entry into force the standing
    /// commitments are tested (their obligations arise on that day); from the first day out of
    /// force a commitment's open obligations are `expired` and its waiting triggers dropped.
    fn force_due(&mut self, day: i64) {
        let n = self.force.iter().take_while(|f| f.0 <= day).count();
        let mut entered = false;
        for (on, change) in self.force.drain(..n).collect::<Vec<_>>() {
            match change {
                ForceChange::InForce => entered = true,
                ForceChange::Expires(c) => {
                    for o in self.obligations.iter_mut().filter(|o| o.commitment.index() == c && o.status.open()) {
                        o.status = Status::Expired;
                        o.closed_on = Some(on);
                    }
                    self.awaiting.retain(|w| w.commitment != c);
                }
            }
        }
        if entered {
            self.standing(Cause::InForce);
        }
    }

    /// Obligations whose deadline passed before `day` become overdue; their commitments fail.
    /// Past a soft deadline they become late instead, and nothing fails.
    fn overdue(&mut self, day: f64) {
        let mut failed = Vec::new();
        for o in &mut self.obligations {
            let past = matches!(o.status, Status::Pending | Status::Due) && o.due.is_some_and(|d| d < day);
            if !past {
                continue;
            }
            if self.compiled.commitments[o.commitment.index()].soft_deadline {
                o.status = Status::Late;
            } else {
                o.status = Status::Overdue;
                failed.push((o.commitment.index(), o.due.map_or(0, |d| (d.floor() as i64).saturating_add(1))));
            }
        }
        // The commitment fails the day after its deadline, whatever day the replay notices it.
        let today = self.state.day;
        for (c, fail_day) in failed {
            self.state.day = fail_day.max(today);
            self.fail(c, Witness::Deadline(fail_day), None);
        }
        self.state.day = today;
    }

    /// Commitment `c` was struck or failed: `failed(C)` holds from the first time (its witness
    /// is the first failure), and its backstops are tested every time.
    fn fail(&mut self, c: usize, witness: Witness, event: Option<usize>) {
        if self.state.failed & bit(c) == 0 {
            self.state.failed |= bit(c);
            self.provenance.failed[c] = witness;
        }
        self.backstops(c, event);
    }

    /// Tests the backstops of commitment `c`, which was struck or failed.
    fn backstops(&mut self, c: usize, event: Option<usize>) {
        let cevent = event.map(|i| self.cevent(i));
        for b in 0..self.compiled.commitments.len() {
            if self.compiled.commitments[b].backs != Some(c as u16) {
                continue;
            }
            let trigger_event = if self.compiled.commitments[b].trigger.is_some() { cevent.as_ref() } else { None };
            let cause = Cause::Backstop { backed: CommitmentId(c as u16), event };
            for p in self.parties(b).collect::<Vec<_>>() {
                // A backstop with a trigger needs it matched too; one without is tested on the state alone.
                match self.compiled.verdict(b, p, &self.state, trigger_event) {
                    Verdict::Obliged => self.oblige(b, p, self.state.day, cause),
                    // A backstop that needs a decision not yet taken waits for it, as a trigger does.
                    Verdict::ConditionFalse { .. } | Verdict::NoDecision { .. } if self.needs_decision(b) => {
                        let waiting = |w: &Awaiting| w.commitment == b && w.party == p && w.cause == cause;
                        if !self.awaiting.iter().any(waiting) {
                            self.awaiting.push(Awaiting {
                                commitment: b,
                                party: p,
                                event: if trigger_event.is_some() { event } else { None },
                                cause,
                                state: self.state.clone(),
                                provenance: self.provenance.clone(),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn cevent(&self, i: usize) -> CEvent {
        let e = &self.scenario.events[i];
        let passed = e.kind == EventKind::Decision
            && e.body.is_some_and(|b| {
                self.decisions[b.index()].as_ref().is_some_and(|d| d.event == Some(i) && d.decision.passed)
            });
        CEvent::from_event(e, passed)
    }

    fn event(&mut self, i: usize, e: &Event) {
        self.state.day = e.day;
        self.decide_event(i, e);
        self.after_decision(i, e);
    }

    /// A decision event's vote is taken first, so that triggers see its outcome (`passed`,
    /// `decided(B)`).
    fn decide_event(&mut self, i: usize, e: &Event) {
        if e.kind == EventKind::Decision
            && let Some(body) = e.body
        {
            let spec_body = &self.spec.bodies[body.index()];
            let mut votes: Vec<Vote> = spec_body
                .members
                .iter()
                .map(|m| vote(e.votes.iter().find(|(p, _)| p == m).map_or(e.default_vote, |(_, v)| *v)))
                .collect();
            votes.extend(std::iter::repeat_n(vote(e.others_vote), spec_body.other_seats as usize));
            self.record_decision(body, Some(i), votes, Witness::Event(i));
        }
    }

    fn after_decision(&mut self, i: usize, e: &Event) {
        let cevent = self.cevent(i);
        // Triggered commitments see the state before the event.
        for c in 0..self.compiled.commitments.len() {
            let cc = &self.compiled.commitments[c];
            if cc.trigger.is_none() || cc.kind == Kind::Backstop {
                continue;
            }
            for p in self.parties(c).collect::<Vec<_>>() {
                match self.compiled.verdict(c, p, &self.state, Some(&cevent)) {
                    Verdict::Obliged => self.oblige(c, p, e.day, Cause::Event(i)),
                    Verdict::ConditionFalse { .. } | Verdict::NoDecision { .. } if self.needs_decision(c) => {
                        self.awaiting.push(Awaiting {
                            commitment: c,
                            party: p,
                            event: Some(i),
                            cause: Cause::Event(i),
                            state: self.state.clone(),
                            provenance: self.provenance.clone(),
                        })
                    }
                    _ => {}
                }
            }
        }
        if e.kind == EventKind::Decision {
            self.activate_awaiting(i);
        }
        self.voids(i, &cevent);
        // Excuses read the act on the state before it, as triggers do.
        let excused = self.excuses(&cevent);
        self.apply(i, e);
        self.compiled.enter(&mut self.state);
        self.fulfil(i, e, &excused);
        self.strikes(i, e);
        self.standing(Cause::Event(i));
    }

    /// Whether a commitment's activation depends on a body's decision.
    fn needs_decision(&self, c: usize) -> bool {
        let cc = &self.compiled.commitments[c];
        let mut read = Vec::new();
        cc.conditions.iter().for_each(|k| atoms(k, &mut read));
        cc.body.is_some() || read.iter().any(|a| matches!(a, StateAtom::Decided(_)))
    }

    /// After decision event `i`, activates the triggers that were waiting for a decision.
    fn activate_awaiting(&mut self, i: usize) {
        // Only a decision that passed can supply a missing decision.
        let passed = self.scenario.events[i].body.is_some_and(|b| {
            self.decisions[b.index()].as_ref().is_some_and(|d| d.event == Some(i) && d.decision.passed)
        });
        if !passed {
            return;
        }
        let decided = self.state.decided;
        let waiting = std::mem::take(&mut self.awaiting);
        for w in waiting {
            let mut state = w.state.clone();
            state.decided = decided;
            // What happened since the trigger still counts: a void or a withdrawal ends the wait.
            state.voided = self.state.voided;
            state.withdrawn.clone_from(&self.state.withdrawn);
            let trigger = w.event.map(|e| self.cevent(e));
            if self.compiled.verdict(w.commitment, w.party, &state, trigger.as_ref()) == Verdict::Obliged {
                let day = self.state.day;
                // Conditions as they were at the trigger; decisions as they are now.
                let mut provenance = w.provenance.clone();
                provenance.decided.clone_from(&self.provenance.decided);
                let facts = facts(self.compiled, w.commitment, &state, &provenance);
                // Only an obligation this decision opened gets it as its cause: a pair that
                // is already open keeps the cause it has.
                if let Some(k) = self.oblige_with(w.commitment, w.party, day, w.cause, facts) {
                    self.obligations[k].activated_by = Some(i);
                }
            } else {
                self.awaiting.push(w);
            }
        }
    }

    fn voids(&mut self, i: usize, cevent: &CEvent) {
        for c in 0..self.compiled.commitments.len() {
            let Some(void_if) = &self.compiled.commitments[c].void_if else { continue };
            if self.state.voided & bit(c) == 0 && self.compiled.matches(void_if, &self.state, cevent) {
                self.state.voided |= bit(c);
                for o in self.obligations.iter_mut().filter(|o| o.commitment.index() == c && o.status.open()) {
                    o.status = Status::Voided;
                    o.closed_by = Some(i);
                }
            }
        }
    }

    /// The event's effect on the state.
    fn apply(&mut self, i: usize, e: &Event) {
        let w = Witness::Event(i);
        match e.kind {
            EventKind::CeasefireSigned => {
                self.state.ceasefire = true;
                self.provenance.ceasefire = w;
            }
            EventKind::CeasefireBroken => {
                self.state.ceasefire = false;
                self.provenance.ceasefire = w;
            }
            EventKind::PeaceSigned => {
                self.state.peace = true;
                self.provenance.peace = w;
                self.state.ceasefire = true;
                self.provenance.ceasefire = w;
            }
            EventKind::ArmedAttack => {
                if let Some(t) = e.target {
                    self.state.attacked |= bit(t.index());
                    self.provenance.attacked[t.index()] = w;
                }
            }
            EventKind::ForceDeployed | EventKind::ForceWithdrawn => {
                if let (Some(p), Some(r)) = (e.party, e.region) {
                    self.state.set_deployed(self.compiled, p.index(), r.index(), e.kind == EventKind::ForceDeployed);
                    self.provenance.deployed[p.index()] = w;
                }
            }
            EventKind::Request => {
                if let Some(p) = e.party {
                    self.state.requested |= bit(p.index());
                    self.provenance.requested[p.index()] = w;
                }
            }
            EventKind::PositionChange => {
                let Some(p) = e.party else { return };
                if let Some(consent) = e.consent {
                    if consent {
                        self.state.consent |= bit(p.index());
                    } else {
                        self.state.consent &= !bit(p.index());
                    }
                    self.provenance.consent[p.index()] = w;
                }
                if e.withdraws
                    && let Some(c) = e.commitment
                {
                    // With a notice period the party stays bound until it has run (`notices_due`).
                    let notice = self.spec.framework.notice.map_or(0.0, |d| d.days);
                    if notice > 0.0 {
                        let effective = e.day.saturating_add(notice.ceil() as i64);
                        if !self.notices.iter().any(|n| n.0 == c.index() && n.1 == p.index()) {
                            self.notices.push((c.index(), p.index(), i, effective));
                        }
                    } else {
                        self.withdraw(c.index(), p.index(), i, None);
                    }
                }
            }
            EventKind::Accession | EventKind::Departure => {
                if let (Some(p), Some(o)) = (e.party, e.organisation)
                    && let Some(m) = self.state.members.get_mut(usize::from(o))
                {
                    if e.kind == EventKind::Accession {
                        *m |= bit(p.index());
                    } else {
                        *m &= !bit(p.index());
                    }
                    self.provenance.members[usize::from(o)][p.index()] = w;
                }
            }
            EventKind::Appropriation | EventKind::Rescission => {
                if let Some(c) = e.commitment {
                    if e.kind == EventKind::Appropriation {
                        self.state.appropriated |= bit(c.index());
                    } else {
                        self.state.appropriated &= !bit(c.index());
                    }
                    self.provenance.appropriated[c.index()] = w;
                }
            }
            EventKind::Threat | EventKind::ThreatLifted => {
                if let (Some(a), Some(t)) = (e.attacker, e.target) {
                    let threats = &mut self.state.threats[t.index()];
                    if e.kind == EventKind::Threat {
                        *threats |= bit(a.index());
                    } else {
                        *threats &= !bit(a.index());
                    }
                    if *threats != 0 {
                        self.state.threatened |= bit(t.index());
                    } else {
                        self.state.threatened &= !bit(t.index());
                    }
                    self.provenance.threatened[t.index()] = w;
                }
            }
            EventKind::StrikeOnForces | EventKind::Decision | EventKind::Consultation | EventKind::Action => {}
        }
    }

    /// Party `p` leaves commitment `c` for good, by event `i` (on day `on`, when a notice period
    /// put it later than the event): its open obligations lapse, and an active commitment fails.
    fn withdraw(&mut self, c: usize, p: usize, i: usize, on: Option<i64>) {
        if self.state.withdrawn[c] & bit(p) != 0 {
            return;
        }
        self.state.withdrawn[c] |= bit(p);
        for o in self.obligations.iter_mut() {
            if o.commitment.index() == c && o.party.index() == p && o.status.open() {
                o.status = Status::Lapsed;
                o.closed_by = Some(i);
                o.closed_on = on;
            }
        }
        let obligor = self.compiled.commitments[c].obligors & bit(p) != 0;
        if obligor && self.state.active & bit(c) != 0 {
            self.fail(c, Witness::Event(i), Some(i));
        }
    }

    /// Withdrawals whose notice period has run by `day` take effect, on the day it ran.
    fn notices_due(&mut self, day: i64) {
        let today = self.state.day;
        let mut due: Vec<(usize, usize, usize, i64)> = self.notices.iter().copied().filter(|n| n.3 <= day).collect();
        due.sort_by_key(|n| (n.3, n.2));
        self.notices.retain(|n| n.3 > day);
        for (c, p, i, effective) in due {
            self.state.day = effective.max(today);
            self.withdraw(c, p, i, Some(effective));
        }
        self.state.day = today;
    }

    /// The commitments whose `excuse` exceptions excuse this act: (commitment, the first
    /// excuse in file order whose `acts` match it and whose `when` holds).
    fn excuses(&self, cevent: &CEvent) -> Vec<(usize, u16)> {
        if !matches!(cevent.kind, EventKind::ArmedAttack | EventKind::Threat) {
            return Vec::new();
        }
        let compiled = self.compiled;
        (0..compiled.commitments.len())
            .filter_map(|c| {
                compiled.commitments[c]
                    .excuses
                    .iter()
                    .find(|x| {
                        compiled.matches(&x.acts, &self.state, cevent) && compiled.eval(&x.when, &self.state, None)
                    })
                    .map(|x| (c, x.id))
            })
            .collect()
    }

    /// Closes the open obligations that this event fulfils or breaches; an excused act (see
    /// `excuses`) is recorded on the obligation instead of breaching it.
    fn fulfil(&mut self, i: usize, e: &Event, excused: &[(usize, u16)]) {
        let compiled = self.compiled;
        let ancestors = |r: usize| compiled.ancestors.get(r).copied().unwrap_or(0);
        for o in self.obligations.iter_mut().filter(|o| o.status.open()) {
            let cc = &compiled.commitments[o.commitment.index()];
            let by_party = e.party == Some(o.party);
            // Where the act happened: an act with no region is in scope only of a clause without one.
            let in_scope = match e.region {
                Some(r) => cc.in_scope(ancestors(r.index())),
                None => cc.scope == 0 && cc.scope_except == 0,
            };
            let act = match (cc.kind, e.kind) {
                (Kind::Consult, EventKind::Consultation) => e.party.is_none() || by_party,
                (Kind::Deploy, EventKind::ForceDeployed) => by_party,
                (Kind::Seek, EventKind::Decision) => {
                    e.body.is_some_and(|b| self.spec.bodies[b.index()].members.contains(&o.party))
                }
                (_, EventKind::Action) => {
                    by_party
                        && match e.commitment {
                            Some(c) => c == o.commitment,
                            None => e.domains.iter().any(|d| cc.domains & crate::compile::domain_bit(*d) != 0),
                        }
                }
                _ => false,
            };
            // Deployments and actions are done somewhere: only those within the scope fulfil.
            let placed = matches!(e.kind, EventKind::ForceDeployed | EventKind::Action);
            let done = act && (!placed || in_scope);
            if act && !done && cc.kind != Kind::Refrain {
                o.out_of_scope.push(i);
            }
            let breached = cc.kind == Kind::Refrain
                && matches!(e.kind, EventKind::ArmedAttack | EventKind::Threat)
                && e.attacker == Some(o.party)
                && e.target.is_some_and(|t| cc.to & bit(t.index()) != 0)
                && breaches_domains(cc.domains, e.nuclear)
                && e.region.is_none_or(|r| cc.in_scope(ancestors(r.index())));
            let excuse = excused.iter().find(|(c, _)| *c == o.commitment.index()).map(|(_, x)| *x);
            if let (true, Some(x)) = (breached, excuse) {
                o.excused.push((i, x));
            } else if breached {
                o.status = Status::Breached;
                o.closed_by = Some(i);
            } else if done && cc.kind != Kind::Refrain {
                o.status = Status::Fulfilled;
                o.closed_by = Some(i);
            }
        }
    }

    /// A strike on forces of an obligor of an active commitment, within its scope, strikes it.
    fn strikes(&mut self, i: usize, e: &Event) {
        if e.kind != EventKind::StrikeOnForces {
            return;
        }
        let (Some(owner), Some(region)) = (e.owner, e.region) else { return };
        let within = self.compiled.ancestors.get(region.index()).copied().unwrap_or(0);
        let struck: Vec<usize> = (0..self.compiled.commitments.len())
            .filter(|c| {
                let cc = &self.compiled.commitments[*c];
                self.state.active & bit(*c) != 0
                    && cc.obligors & bit(owner.index()) != 0
                    && matches!(cc.kind, Kind::Deploy | Kind::Defend | Kind::Monitor)
                    && cc.in_scope(within)
            })
            .collect();
        for c in struck {
            self.fail(c, Witness::Event(i), Some(i));
        }
    }

    /// Standing commitments: obligations arise when the tests pass and lapse when they stop.
    fn standing(&mut self, cause: Cause) {
        for c in 0..self.compiled.commitments.len() {
            let cc = &self.compiled.commitments[c];
            if cc.trigger.is_some() || cc.kind == Kind::Backstop {
                continue;
            }
            for p in self.parties(c).collect::<Vec<_>>() {
                let obliged = self.compiled.verdict(c, p, &self.state, None) == Verdict::Obliged;
                let open = self.open(c, p);
                if obliged && !open && !self.closed(c, p) {
                    self.oblige(c, p, self.state.day, cause);
                } else if !obliged && open {
                    let closed_by = match cause {
                        Cause::Event(i) => Some(i),
                        _ => None,
                    };
                    for o in self.obligations.iter_mut() {
                        // An overdue (or late) obligation stays so: it was not met while it bound.
                        if o.commitment.index() == c
                            && o.party.index() == p
                            && matches!(o.status, Status::Pending | Status::Due)
                        {
                            o.status = Status::Lapsed;
                            o.closed_by = closed_by;
                        }
                    }
                }
            }
        }
    }

    /// Whether (c, p) has an obligation fulfilled or breached (standing ones do not re-arise).
    fn closed(&self, c: usize, p: usize) -> bool {
        self.obligations.iter().any(|o| {
            o.commitment.index() == c
                && o.party.index() == p
                && matches!(o.status, Status::Fulfilled | Status::Breached)
        })
    }
}

/// The days of the scenario after `initial` on which the framework enters into force and on
/// which each commitment is first out of force (the day after its last day in force), in
/// order; none without a start date, which leaves the framework in force throughout.
fn force_changes(compiled: &Compiled, start: Option<i64>, initial: i64) -> Vec<(i64, ForceChange)> {
    let Some(start) = start else { return Vec::new() };
    let mut changes = Vec::new();
    for (c, cc) in compiled.commitments.iter().enumerate() {
        if let Some(from) = cc.from {
            changes.push((from - start, ForceChange::InForce));
        }
        if let Some(until) = cc.until {
            changes.push((until + 1 - start, ForceChange::Expires(c)));
        }
    }
    changes.retain(|change| change.0 > initial);
    changes.sort();
    changes.dedup();
    changes
}

/// Whether force (an armed attack or a threat of one) breaks a `refrain` commitment over these
/// domains: one with no domain, or a military one; a nuclear-only commitment only by nuclear force.
fn breaches_domains(domains: u16, nuclear: bool) -> bool {
    use crate::compile::domain_bit;
    use ironclad_spec::vocab::Domain;
    let military = [Domain::Land, Domain::Air, Domain::AirDefence, Domain::Maritime, Domain::Cyber]
        .iter()
        .fold(0, |m, d| m | domain_bit(*d));
    let nuclear_bit = domain_bit(Domain::Nuclear);
    domains == 0 || domains & military != 0 || (domains & nuclear_bit != 0 && nuclear)
}

/// The state facts a commitment's conditions, exceptions and decision read, with their
/// values and provenance in a state.
fn facts(compiled: &Compiled, c: usize, state: &State, provenance: &Provenance) -> Vec<(StateAtom, bool, Witness)> {
    let cc = &compiled.commitments[c];
    let mut read = Vec::new();
    if state.entered & bit(c) == 0 {
        cc.entry.iter().for_each(|k| atoms(k, &mut read));
    }
    cc.conditions.iter().chain(&cc.unless).for_each(|k| atoms(k, &mut read));
    cc.exceptions.iter().for_each(|x| atoms(&x.when, &mut read));
    if let Some(body) = cc.body
        && !read.contains(&StateAtom::Decided(body))
    {
        read.push(StateAtom::Decided(body));
    }
    read.into_iter()
        .map(|a| {
            let (value, witness) = atom_value(state, provenance, a);
            (a, value, witness)
        })
        .collect()
}

/// The state atoms an expression reads, in order of appearance.
pub fn atoms(e: &CExpr, out: &mut Vec<StateAtom>) {
    match e {
        CExpr::State(a) if !out.contains(a) => out.push(*a),
        CExpr::Not(a) => atoms(a, out),
        CExpr::And(items) | CExpr::Or(items) => items.iter().for_each(|i| atoms(i, out)),
        _ => {}
    }
}

impl Replay {
    /// The value of a state atom at the end of the replay, and where it came from.
    pub fn atom(&self, atom: StateAtom) -> (bool, Witness) {
        atom_value(&self.state, &self.provenance, atom)
    }
}

/// The value of a state atom in a state, and where it came from.
pub fn atom_value(s: &State, p: &Provenance, atom: StateAtom) -> (bool, Witness) {
    let idx = |i: u16| usize::from(i);
    let has = |mask: u128, i: u16| i < 128 && mask & bit(idx(i)) != 0;
    let get = |v: &Vec<Witness>, i: u16| v.get(idx(i)).copied().unwrap_or(Witness::Default);
    match atom {
        StateAtom::Ceasefire => (s.ceasefire, p.ceasefire),
        StateAtom::Peace => (s.peace, p.peace),
        StateAtom::Consent(i) => (has(s.consent, i), get(&p.consent, i)),
        StateAtom::Requested(i) => (has(s.requested, i), get(&p.requested, i)),
        StateAtom::Attacked(i) => (has(s.attacked, i), get(&p.attacked, i)),
        StateAtom::Threatened(i) => (has(s.threatened, i), get(&p.threatened, i)),
        StateAtom::Deployed(i) => (s.deployed.get(idx(i)).is_some_and(|m| *m != 0), get(&p.deployed, i)),
        StateAtom::DeployedIn(i, r) => (s.deployed_within.get(idx(i)).is_some_and(|m| has(*m, r)), get(&p.deployed, i)),
        StateAtom::Decided(b) => (b < 64 && s.decided & (1 << b) != 0, get(&p.decided, b)),
        StateAtom::Active(c) => (has(s.active, c), get(&p.active, c)),
        StateAtom::Failed(c) => (has(s.failed, c), get(&p.failed, c)),
        StateAtom::Member(i, o) => (
            s.members.get(idx(o)).is_some_and(|m| has(*m, i)),
            p.members.get(idx(o)).map_or(Witness::Default, |w| get(w, i)),
        ),
        StateAtom::Appropriated(c) => (has(s.appropriated, c), get(&p.appropriated, c)),
    }
}

/// How far a commitment got for a party: the verdict that went furthest, and the event it
/// was tested against (`None`: tested on the state alone).
#[derive(Debug, Clone, PartialEq)]
pub struct WhyNot {
    pub commitment: CommitmentId,
    pub verdict: Verdict,
    pub event: Option<usize>,
    /// The state facts its conditions read at that moment.
    pub facts: Vec<(StateAtom, bool, Witness)>,
}

/// Order of the tests (docs/semantics.md, "The tests, in order"): a verdict later in this order
/// got further. Among the verdicts of one condition list (entry, then the conditions), a false
/// condition later in the list got further: every condition before it held.
pub fn progress(v: Verdict) -> u32 {
    let (rank, index) = match v {
        Verdict::NotObligor => (0, 0),
        Verdict::NotSelected { .. } => (1, 0),
        Verdict::NotAdopted => (2, 0),
        Verdict::Voided => (3, 0),
        Verdict::NotInForce => (4, 0),
        Verdict::NotTriggered => (5, 0),
        Verdict::OutOfScope => (6, 0),
        Verdict::Suspended { .. } => (7, 0),
        Verdict::NotEntered { index } => (8, index),
        Verdict::ConditionFalse { index } => (9, index),
        Verdict::Excepted { .. } => (10, 0),
        Verdict::NoDecision { .. } => (11, 0),
        Verdict::Excluded { .. } => (12, 0),
        Verdict::Withdrawn => (13, 0),
        Verdict::Obliged => (14, 0),
    };
    (rank << 16) | u32::from(index)
}

/// For each commitment, how far it got for `party` over the replay up to `at` (default: the
/// last event's day), visiting the same moments as `replay`: tested on the initial state, on
/// the state after the moments before each event (entry into force, say), against each event,
/// after it, and after the moments up to `at`.
pub fn why_not(
    spec: &Spec,
    compiled: &Compiled,
    scenario: &Scenario,
    selection: Vec<u16>,
    at: Option<i64>,
    party: PartyId,
) -> Vec<WhyNot> {
    let mut best: Vec<Option<WhyNot>> = vec![None; compiled.commitments.len()];
    let mut consider = |c: usize, verdict: Verdict, event: Option<usize>, state: &State, provenance: &Provenance| {
        // A backstop is triggered only by the failure of what it backs.
        let verdict = match compiled.commitments[c].backs {
            Some(b)
                if state.failed & bit(usize::from(b)) == 0 && progress(verdict) > progress(Verdict::NotTriggered) =>
            {
                Verdict::NotTriggered
            }
            _ => verdict,
        };
        let better = best[c].as_ref().is_none_or(|b| progress(verdict) > progress(b.verdict));
        if better {
            let facts = facts(compiled, c, state, provenance);
            best[c] = Some(WhyNot { commitment: CommitmentId(c as u16), verdict, event, facts });
        }
    };
    // The replay again, testing every commitment before each event.
    let mut shadow = Replayer::start(spec, compiled, scenario, selection);
    let p = party.index();
    for c in 0..compiled.commitments.len() {
        consider(c, compiled.verdict(c, p, &shadow.state, None), None, &shadow.state, &shadow.provenance);
    }
    let standing = |c: usize| compiled.commitments[c].trigger.is_none();
    let last = last_day(scenario, at);
    for (i, event) in scenario.events.iter().enumerate() {
        if event.day > last {
            break;
        }
        shadow.advance(event.day);
        for c in (0..compiled.commitments.len()).filter(|c| standing(*c)) {
            consider(c, compiled.verdict(c, p, &shadow.state, None), None, &shadow.state, &shadow.provenance);
        }
        // The decision of a decision event is taken before triggers see it, as in `event`.
        shadow.state.day = event.day;
        shadow.decide_event(i, event);
        let probe = shadow.state.clone();
        let cevent = shadow.cevent(i);
        for c in 0..compiled.commitments.len() {
            if compiled.commitments[c].trigger.is_some() {
                consider(c, compiled.verdict(c, p, &probe, Some(&cevent)), Some(i), &probe, &shadow.provenance);
            }
        }
        shadow.after_decision(i, event);
        for c in (0..compiled.commitments.len()).filter(|c| standing(*c)) {
            consider(c, compiled.verdict(c, p, &shadow.state, None), Some(i), &shadow.state, &shadow.provenance);
        }
    }
    shadow.advance(last);
    shadow.state.day = last;
    for c in (0..compiled.commitments.len()).filter(|c| standing(*c)) {
        consider(c, compiled.verdict(c, p, &shadow.state, None), None, &shadow.state, &shadow.provenance);
    }
    best.into_iter().flatten().collect()
}
