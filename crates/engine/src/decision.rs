//! Decision rules: whether a vote of a body passes, and why.
//!
//! A [`Body`] is compiled once into a [`CompiledBody`]; [`CompiledBody::decide`] then evaluates
//! a vote without allocating and returns a [`Decision`] whose [`DecisionReason`] names the seat
//! that blocked it (map a seat to its party with [`CompiledBody::party`]). Bodies of at most 64
//! seats also have a bit-set form, [`MaskBody`] (from [`CompiledBody::mask`]), for Monte Carlo
//! sampling and power indices, and bodies of at most [`MAX_COALITION_SEATS`] seats can list
//! their minimal winning coalitions.
//!
//! # Seats
//!
//! A body has `members.len() + other_seats` seats, in this order: seat `i < members.len()` is
//! held by `members[i]`, and the seats after them are the *other seats* (states not modelled
//! as parties, such as the ten elected members of the UN Security Council). A vote has one
//! [`Vote`] per seat in that order; a bit set has bit `i` for seat `i`.
//!
//! # Semantics
//!
//! Every seat votes [`Vote::Yes`], [`Vote::No`], [`Vote::Abstain`] or is [`Vote::Absent`]
//! (silent, did not vote). Under every rule below, `Abstain` and `Absent` have the same effect;
//! they differ only in explanations.
//!
//! 1. **Vetoes come first, under every rule.** If a veto player votes `No`, the decision fails
//!    ([`DecisionReason::Vetoed`], naming the lowest such seat), whatever the rule. A veto
//!    player who abstains or is absent does not veto (as in the practice of the UN Security
//!    Council). A veto party listed several times in `members` vetoes from each of its seats;
//!    veto parties that are not members are ignored (lowering already rejects them).
//! 2. **Unanimity**: every seat votes `Yes`. An abstention, an absence or a `No` fails it
//!    ([`DecisionReason::NotUnanimous`], naming the lowest such seat and its vote).
//! 3. **Consensus**: no seat votes `No`; abstention and silence count as assent. Even a vote in
//!    which every seat is silent passes. The lowest objecting seat is named
//!    ([`DecisionReason::Objection`]).
//! 4. **Majority**: the number of `Yes` seats is more than half of **all** seats (not of the
//!    votes cast): at least `⌊seats / 2⌋ + 1`.
//! 5. **Qualified**: the number of `Yes` seats is at least `threshold × seats`, again counted
//!    against **all** seats: at least `⌈threshold × seats⌉`. Note that `threshold = 0.6667`
//!    of 15 seats needs 11 votes (10.0005 rounded up), while `2.0 / 3.0` needs 10.
//! 6. **Quota**: the sum of the weights of the `Yes` seats is at least `quota`. Member seat `i`
//!    weighs `weights[i]` (a missing weight counts 1), every other seat weighs 1. Weights are
//!    expected to be zero or more (lowering guarantees it).
//!
//! Majority, qualified and quota rules report [`DecisionReason::Passed`] or
//! [`DecisionReason::ShortOfThreshold`] with the yes weight and the weight needed.
//!
//! A body with no seat at all decides nothing: every vote fails with
//! [`DecisionReason::NoSeats`] (matching [`Body::can_decide`]).
//!
//! **Rounding.** Thresholds and quotas are compared with a relative tolerance of
//! [`TOLERANCE`] (`yes ≥ needed − 1e-9 · max(1, |needed|)`), so that a quota or threshold
//! written as a decimal is not lost to binary rounding: weights 0.1 + 0.2 reach a quota of 0.3.
//! All evaluation paths sum the yes weights in the same order (member seats in index order,
//! then the other seats as a count), so [`CompiledBody::decide`] and
//! [`MaskBody::passes_mask`] agree exactly.
//!
//! # Coalitions
//!
//! Power indices need a *coalition* view: a yes-set `S` **wins** iff the vote in which the seats
//! of `S` vote `Yes` and **every other seat votes `No`** passes ([`MaskBody::is_winning`]).
//! So under consensus a yes-set wins iff nobody outside it objects, and since everybody
//! outside it votes `No`, only the full body wins; likewise a winning set always contains
//! every veto player. A *minimal* winning coalition is a winning set from which the removal of
//! any one seat loses ([`MaskBody::winning_coalitions`]).
//!
//! # Bit sets
//!
//! [`MaskBody::passes_mask`] takes a `yes` and a `no` set; seats in neither abstain. Bits at or
//! above the seat count are ignored, and a seat in both sets counts as `No` (an ambiguous
//! ballot never helps a decision pass).

use std::fmt;

use ironclad_spec::model::{Body, PartyId, Rule};
use ironclad_spec::vocab::RuleKind;

/// Relative tolerance of threshold and quota comparisons: `yes` reaches `needed` when
/// `yes ≥ needed − TOLERANCE · max(1, |needed|)`.
pub const TOLERANCE: f64 = 1e-9;

/// Most seats a bit set ([`MaskBody`]) can hold.
pub const MAX_MASK_SEATS: usize = 64;

/// Most seats for which [`MaskBody::winning_coalitions`] enumerates coalitions (it visits up
/// to 2^seats sets).
pub const MAX_COALITION_SEATS: usize = 25;

/// One seat's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vote {
    Yes,
    No,
    Abstain,
    /// Silence: the seat did not vote.
    Absent,
}

/// The outcome of a vote, with its explanation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub passed: bool,
    pub reason: DecisionReason,
}

impl Decision {
    fn new(reason: DecisionReason) -> Self {
        Decision { passed: reason.passed(), reason }
    }
}

/// Why a vote passed or failed. Seats are indices into the vote (see the module docs); map
/// them to parties with [`CompiledBody::party`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DecisionReason {
    /// Passed: every seat voted yes (unanimity).
    Unanimous,
    /// Passed: no seat objected (consensus).
    NoObjection,
    /// Passed: the yes weight reached the weight needed (majority, qualified, quota). For
    /// majority and qualified rules, `needed` is the number of yes votes needed.
    Passed { yes: f64, needed: f64 },
    /// Failed: the veto player at seat `by` voted no.
    Vetoed { by: usize },
    /// Failed: seat `by` objected (consensus).
    Objection { by: usize },
    /// Failed: seat `missing` did not vote yes but `vote` (unanimity).
    NotUnanimous { missing: usize, vote: Vote },
    /// Failed: the yes weight fell short of the weight needed (majority, qualified, quota).
    ShortOfThreshold { yes: f64, needed: f64 },
    /// Failed: the body has no seats.
    NoSeats,
}

impl DecisionReason {
    /// Whether this reason is that of a passed decision.
    pub fn passed(self) -> bool {
        matches!(self, Self::Unanimous | Self::NoObjection | Self::Passed { .. })
    }

    /// The single seat that blocked the decision, if one did (veto, objection, missing vote).
    pub fn blocker(self) -> Option<usize> {
        match self {
            Self::Vetoed { by } | Self::Objection { by } => Some(by),
            Self::NotUnanimous { missing, .. } => Some(missing),
            _ => None,
        }
    }
}

/// A body has more seats than an operation supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManySeats {
    /// The seats of the body.
    pub seats: usize,
    /// The most seats the operation supports.
    pub limit: usize,
}

impl fmt::Display for TooManySeats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the body has {} seats; this operation supports at most {}", self.seats, self.limit)
    }
}

impl std::error::Error for TooManySeats {}

/// A vote does not have one entry per seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongVoteCount {
    /// The seats of the body.
    pub expected: usize,
    /// The entries of the vote.
    pub got: usize,
}

impl fmt::Display for WrongVoteCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected one vote per seat ({}), got {}", self.expected, self.got)
    }
}

impl std::error::Error for WrongVoteCount {}

/// The rule with its parameters resolved against the seat count.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Compiled {
    /// No seats: nothing passes.
    Never,
    Unanimity,
    Consensus,
    /// At least `needed` (an integer, possibly above the seats or NaN) yes seats.
    Count {
        needed: f64,
    },
    /// Yes weight at least `quota`, compared as `yes >= reach` (`reach` = quota − slack).
    Quota {
        quota: f64,
        reach: f64,
    },
}

/// The tolerance allowed below `needed`.
fn slack(needed: f64) -> f64 {
    TOLERANCE * needed.abs().max(1.0)
}

/// The set of seats `0..n` (all 64 bits for `n >= 64`).
fn low_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// A body's decision rule, compiled for fast evaluation.
///
/// Building it allocates (the member list, weights and veto seats); evaluating votes does not.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledBody {
    kind: RuleKind,
    rule: Compiled,
    /// The party of each member seat.
    members: Box<[PartyId]>,
    /// Total seats: members, then other seats.
    seats: usize,
    /// The weight of each member seat under a quota rule; empty otherwise.
    weights: Box<[f64]>,
    /// The seats of veto players, ascending.
    veto_seats: Box<[usize]>,
    /// `veto_seats` below 64 as a bit set.
    veto_mask: u64,
}

impl CompiledBody {
    /// Compiles a body's rule (see the module docs for the semantics).
    pub fn new(body: &Body) -> Self {
        let members: Box<[PartyId]> = body.members.clone().into_boxed_slice();
        let seats = members.len().saturating_add(body.other_seats as usize);
        let veto_seats: Box<[usize]> = (0..members.len()).filter(|&i| body.vetoes.contains(&members[i])).collect();
        let veto_mask = veto_seats.iter().filter(|&&s| s < 64).fold(0u64, |m, &s| m | (1 << s));
        let mut weights = Box::default();
        let rule = match &body.rule {
            _ if seats == 0 => Compiled::Never,
            Rule::Unanimity => Compiled::Unanimity,
            Rule::Consensus => Compiled::Consensus,
            Rule::Majority => Compiled::Count { needed: (seats / 2 + 1) as f64 },
            Rule::Qualified { threshold } => {
                let raw = threshold * seats as f64;
                let needed = (raw - slack(raw)).ceil();
                Compiled::Count { needed: if needed <= 0.0 { 0.0 } else { needed } }
            }
            Rule::Quota { quota, weights: w } => {
                weights = (0..members.len()).map(|i| w.get(i).copied().unwrap_or(1.0)).collect();
                Compiled::Quota { quota: *quota, reach: quota - slack(*quota) }
            }
        };
        CompiledBody { kind: body.rule.kind(), rule, members, seats, weights, veto_seats, veto_mask }
    }

    /// The kind of rule.
    pub fn rule_kind(&self) -> RuleKind {
        self.kind
    }

    /// All seats: members, then other seats.
    pub fn seats(&self) -> usize {
        self.seats
    }

    /// The member seats (`0..members()`); the other seats follow them.
    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// The party holding a seat; `None` for other seats (and seats out of range).
    pub fn party(&self, seat: usize) -> Option<PartyId> {
        self.members.get(seat).copied()
    }

    /// Whether a seat belongs to a veto player.
    pub fn is_veto(&self, seat: usize) -> bool {
        self.veto_seats.binary_search(&seat).is_ok()
    }

    /// The seats of veto players, ascending.
    pub fn veto_seats(&self) -> &[usize] {
        &self.veto_seats
    }

    /// A seat's weight: its quota weight under a quota rule, 1 otherwise.
    pub fn weight(&self, seat: usize) -> f64 {
        self.weights.get(seat).copied().unwrap_or(1.0)
    }

    /// The yes weight needed under majority, qualified and quota rules (a number of seats for
    /// the first two); `None` for unanimity, consensus and bodies without seats.
    pub fn needed(&self) -> Option<f64> {
        match self.rule {
            Compiled::Count { needed } => Some(needed),
            Compiled::Quota { quota, .. } => Some(quota),
            _ => None,
        }
    }

    /// Decides a vote with one entry per seat (members in order, then other seats).
    ///
    /// Does not allocate. See the module docs for the semantics.
    ///
    /// # Panics
    ///
    /// If `votes.len() != self.seats()`; [`try_decide`](Self::try_decide) returns an error
    /// instead.
    pub fn decide(&self, votes: &[Vote]) -> Decision {
        match self.try_decide(votes) {
            Ok(decision) => decision,
            Err(e) => panic!("{e}"),
        }
    }

    /// Decides a vote, or reports that it does not have one entry per seat.
    pub fn try_decide(&self, votes: &[Vote]) -> Result<Decision, WrongVoteCount> {
        if votes.len() != self.seats {
            return Err(WrongVoteCount { expected: self.seats, got: votes.len() });
        }
        if let Some(&by) = self.veto_seats.iter().find(|&&s| votes[s] == Vote::No) {
            return Ok(Decision::new(DecisionReason::Vetoed { by }));
        }
        let reason = match self.rule {
            Compiled::Never => DecisionReason::NoSeats,
            Compiled::Unanimity => match votes.iter().position(|&v| v != Vote::Yes) {
                Some(missing) => DecisionReason::NotUnanimous { missing, vote: votes[missing] },
                None => DecisionReason::Unanimous,
            },
            Compiled::Consensus => match votes.iter().position(|&v| v == Vote::No) {
                Some(by) => DecisionReason::Objection { by },
                None => DecisionReason::NoObjection,
            },
            Compiled::Count { needed } => {
                let yes = votes.iter().filter(|&&v| v == Vote::Yes).count() as f64;
                threshold_reason(yes, needed, yes >= needed)
            }
            Compiled::Quota { quota, reach } => {
                let (member_votes, other_votes) = votes.split_at(self.members.len());
                let mut yes = 0.0;
                for (&vote, &weight) in member_votes.iter().zip(self.weights.iter()) {
                    if vote == Vote::Yes {
                        yes += weight;
                    }
                }
                yes += other_votes.iter().filter(|&&v| v == Vote::Yes).count() as f64;
                threshold_reason(yes, quota, yes >= reach)
            }
        };
        Ok(Decision::new(reason))
    }

    /// The bit-set form of this body, when it has at most 64 seats.
    pub fn mask(&self) -> Result<MaskBody<'_>, TooManySeats> {
        if self.seats > MAX_MASK_SEATS {
            return Err(TooManySeats { seats: self.seats, limit: MAX_MASK_SEATS });
        }
        Ok(MaskBody { body: self, all: low_bits(self.seats), member_mask: low_bits(self.members.len()) })
    }

    /// The minimal winning coalitions as yes-sets; see [`MaskBody::winning_coalitions`].
    pub fn winning_coalitions(&self) -> Result<Vec<u64>, TooManySeats> {
        self.mask()?.winning_coalitions()
    }
}

fn threshold_reason(yes: f64, needed: f64, reached: bool) -> DecisionReason {
    if reached { DecisionReason::Passed { yes, needed } } else { DecisionReason::ShortOfThreshold { yes, needed } }
}

/// A [`CompiledBody`] of at most 64 seats, evaluated on bit sets (bit `i` = seat `i`).
///
/// Obtained from [`CompiledBody::mask`]; copying it is free.
#[derive(Debug, Clone, Copy)]
pub struct MaskBody<'a> {
    body: &'a CompiledBody,
    /// Every seat.
    all: u64,
    /// The member seats.
    member_mask: u64,
}

impl<'a> MaskBody<'a> {
    /// The compiled body.
    pub fn body(&self) -> &'a CompiledBody {
        self.body
    }

    /// The set of all seats.
    pub fn all(&self) -> u64 {
        self.all
    }

    /// The veto seats as a set.
    pub fn vetoes(&self) -> u64 {
        self.body.veto_mask
    }

    /// Whether a vote passes in which the seats of `yes` vote yes, those of `no` vote no, and the
    /// others abstain. Bits at or above the seat count are ignored; a seat in both sets votes no.
    pub fn passes_mask(&self, yes: u64, no: u64) -> bool {
        let no = no & self.all;
        let yes = yes & self.all & !no;
        if no & self.body.veto_mask != 0 {
            return false;
        }
        match self.body.rule {
            Compiled::Never => false,
            Compiled::Unanimity => yes == self.all,
            Compiled::Consensus => no == 0,
            Compiled::Count { needed } => f64::from(yes.count_ones()) >= needed,
            Compiled::Quota { reach, .. } => self.yes_weight(yes) >= reach,
        }
    }

    /// Whether the yes-set `yes` wins when every other seat votes no.
    pub fn is_winning(&self, yes: u64) -> bool {
        self.passes_mask(yes, !yes)
    }

    /// The weight of a set of seats under a quota rule, summed as in [`CompiledBody::decide`].
    fn yes_weight(&self, yes: u64) -> f64 {
        let mut sum = 0.0;
        let mut bits = yes & self.member_mask;
        while bits != 0 {
            sum += self.body.weights[bits.trailing_zeros() as usize];
            bits &= bits - 1;
        }
        sum + f64::from((yes & self.all & !self.member_mask).count_ones())
    }

    /// The minimal winning coalitions, as yes-sets in ascending numeric order: the sets that
    /// win when every other seat votes no ([`is_winning`](Self::is_winning)) and lose when any
    /// one of their seats is removed. Empty when nothing wins.
    ///
    /// Visits up to 2^seats sets, so bodies of more than [`MAX_COALITION_SEATS`] seats are
    /// refused.
    pub fn winning_coalitions(&self) -> Result<Vec<u64>, TooManySeats> {
        let seats = self.body.seats;
        if seats > MAX_COALITION_SEATS {
            return Err(TooManySeats { seats, limit: MAX_COALITION_SEATS });
        }
        match self.body.rule {
            Compiled::Never => return Ok(Vec::new()),
            // Every seat outside the yes-set votes no, which blocks both rules: only the whole
            // body can win, and removing anyone from it loses.
            Compiled::Unanimity | Compiled::Consensus => {
                return Ok(if self.is_winning(self.all) { vec![self.all] } else { Vec::new() });
            }
            Compiled::Count { .. } | Compiled::Quota { .. } => {}
        }
        // A veto player outside the yes-set votes no and blocks: every winning set holds all
        // of them, and removing one of them loses. So only the other seats are enumerated, and
        // only they are tried for removal, lightest first (the removal most likely to win).
        let vetoes = self.body.veto_mask;
        let free = self.all & !vetoes;
        let mut order = [0u8; MAX_COALITION_SEATS];
        let mut n_free = 0;
        for seat in 0..seats {
            if free & (1 << seat) != 0 {
                order[n_free] = seat as u8;
                n_free += 1;
            }
        }
        let order = &mut order[..n_free];
        order.sort_by(|&a, &b| self.body.weight(a.into()).total_cmp(&self.body.weight(b.into())));

        let mut coalitions = Vec::new();
        let mut subset = 0u64;
        loop {
            let coalition = subset | vetoes;
            if self.is_winning(coalition) {
                let minimal = order
                    .iter()
                    .filter(|&&seat| coalition & (1 << seat) != 0)
                    .all(|&seat| !self.is_winning(coalition & !(1 << seat)));
                if minimal {
                    coalitions.push(coalition);
                }
            }
            if subset == free {
                break;
            }
            // The next subset of `free` in ascending order.
            subset = subset.wrapping_sub(free) & free;
        }
        Ok(coalitions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body(members: usize, other_seats: u32, rule: Rule, vetoes: &[usize]) -> Body {
        Body {
            id: "body".into(),
            name: "Body".into(),
            members: (0..members).map(|i| PartyId(i as u16)).collect(),
            rule,
            vetoes: vetoes.iter().map(|&i| PartyId(i as u16)).collect(),
            other_seats,
            span: 0..0,
        }
    }

    /// The UN Security Council: P5 (China, France, Russia, UK, US) plus ten elected seats; nine
    /// votes needed, P5 vetoes.
    fn security_council() -> Body {
        body(5, 10, Rule::Quota { quota: 9.0, weights: vec![1.0; 5] }, &[0, 1, 2, 3, 4])
    }
    const CHINA: usize = 0;
    const RUSSIA: usize = 2;

    #[test]
    fn crimea_draft_s_2014_189_is_vetoed_by_russia() {
        // 15 March 2014: 13 in favour, Russia against, China abstaining.
        let unsc = CompiledBody::new(&security_council());
        let mut votes = [Vote::Yes; 15];
        votes[RUSSIA] = Vote::No;
        votes[CHINA] = Vote::Abstain;
        let decision = unsc.decide(&votes);
        assert_eq!(decision, Decision { passed: false, reason: DecisionReason::Vetoed { by: RUSSIA } });
        assert_eq!(unsc.party(decision.reason.blocker().unwrap()), Some(PartyId(RUSSIA as u16)));

        let mask = unsc.mask().unwrap();
        let yes = mask.all() & !(1 << RUSSIA) & !(1 << CHINA);
        assert!(!mask.passes_mask(yes, 1 << RUSSIA));

        // Had Russia abstained, 13 ≥ 9 would have carried it.
        votes[RUSSIA] = Vote::Abstain;
        let decision = unsc.decide(&votes);
        assert_eq!(decision, Decision { passed: true, reason: DecisionReason::Passed { yes: 13.0, needed: 9.0 } });
        assert!(mask.passes_mask(yes, 0));
    }

    #[test]
    fn security_council_needs_nine_and_no_permanent_no() {
        let unsc = CompiledBody::new(&security_council());
        // Eight yes votes (the P5 and three elected), the rest abstaining: short.
        let mut votes = [Vote::Abstain; 15];
        votes[..8].fill(Vote::Yes);
        assert_eq!(unsc.decide(&votes).reason, DecisionReason::ShortOfThreshold { yes: 8.0, needed: 9.0 });
        votes[8] = Vote::Yes;
        assert!(unsc.decide(&votes).passed);
        // An elected member's no is not a veto.
        votes[14] = Vote::No;
        assert!(unsc.decide(&votes).passed);
        // Minimal winning coalitions: the P5 plus any four of the ten elected members.
        let coalitions = unsc.winning_coalitions().unwrap();
        assert_eq!(coalitions.len(), 210);
        assert!(coalitions.iter().all(|&c| c & 0b11111 == 0b11111 && c.count_ones() == 9));
    }

    #[test]
    fn nac_consensus_fails_on_one_objection_and_passes_in_silence() {
        let nac = CompiledBody::new(&body(32, 0, Rule::Consensus, &[]));
        let mut votes = [Vote::Absent; 32];
        assert_eq!(nac.decide(&votes), Decision { passed: true, reason: DecisionReason::NoObjection });
        votes[17] = Vote::No;
        assert_eq!(nac.decide(&votes), Decision { passed: false, reason: DecisionReason::Objection { by: 17 } });
        let mask = nac.mask().unwrap();
        assert!(mask.passes_mask(0, 0));
        assert!(!mask.passes_mask(mask.all() & !(1 << 17), 1 << 17));
        // As a coalition, only all 32 together win.
        assert_eq!(nac.winning_coalitions(), Err(TooManySeats { seats: 32, limit: MAX_COALITION_SEATS }));
        let small = CompiledBody::new(&body(5, 0, Rule::Consensus, &[]));
        assert_eq!(small.winning_coalitions(), Ok(vec![0b11111]));
    }

    #[test]
    fn unanimity_fails_on_an_abstention() {
        let eu = CompiledBody::new(&body(27, 0, Rule::Unanimity, &[]));
        let mut votes = [Vote::Yes; 27];
        assert_eq!(eu.decide(&votes).reason, DecisionReason::Unanimous);
        votes[5] = Vote::Abstain;
        assert_eq!(
            eu.decide(&votes),
            Decision { passed: false, reason: DecisionReason::NotUnanimous { missing: 5, vote: Vote::Abstain } }
        );
        votes[5] = Vote::Absent;
        assert!(!eu.decide(&votes).passed);
    }

    #[test]
    fn qualified_two_thirds_of_fifteen() {
        let two_thirds = CompiledBody::new(&body(15, 0, Rule::Qualified { threshold: 2.0 / 3.0 }, &[]));
        assert_eq!(two_thirds.needed(), Some(10.0));
        let mut votes = [Vote::No; 15];
        votes[..10].fill(Vote::Yes);
        assert_eq!(two_thirds.decide(&votes).reason, DecisionReason::Passed { yes: 10.0, needed: 10.0 });
        votes[9] = Vote::Abstain;
        assert_eq!(two_thirds.decide(&votes).reason, DecisionReason::ShortOfThreshold { yes: 9.0, needed: 10.0 });
        // 0.6667 × 15 = 10.0005: eleven votes.
        let rounded = CompiledBody::new(&body(15, 0, Rule::Qualified { threshold: 0.6667 }, &[]));
        assert_eq!(rounded.needed(), Some(11.0));
        // 0.28 × 25 is 7.000000000000001 in binary: the tolerance keeps it at seven votes.
        let decimal = CompiledBody::new(&body(25, 0, Rule::Qualified { threshold: 0.28 }, &[]));
        assert_eq!(decimal.needed(), Some(7.0));
        // Against all seats, not the votes cast: 10 yes and 5 absent is still two thirds.
        votes[9] = Vote::Yes;
        votes[10..].fill(Vote::Absent);
        assert!(two_thirds.decide(&votes).passed);
    }

    #[test]
    fn majority_counts_all_seats() {
        let even = CompiledBody::new(&body(4, 0, Rule::Majority, &[]));
        let odd = CompiledBody::new(&body(3, 12, Rule::Majority, &[]));
        assert_eq!((even.needed(), odd.needed()), (Some(3.0), Some(8.0)));
        // Two yes, two absent: two of four is not more than half.
        let votes = [Vote::Yes, Vote::Yes, Vote::Absent, Vote::Absent];
        assert_eq!(even.decide(&votes).reason, DecisionReason::ShortOfThreshold { yes: 2.0, needed: 3.0 });
    }

    #[test]
    fn quotas_tolerate_decimal_rounding() {
        let body = CompiledBody::new(&body(3, 0, Rule::Quota { quota: 0.3, weights: vec![0.1, 0.2, 0.7] }, &[]));
        assert!(body.decide(&[Vote::Yes, Vote::Yes, Vote::No]).passed);
        assert!(!body.decide(&[Vote::Yes, Vote::No, Vote::No]).passed);
        assert!(body.mask().unwrap().is_winning(0b011));
    }

    #[test]
    fn empty_bodies_decide_nothing() {
        for rule in [Rule::Unanimity, Rule::Consensus, Rule::Majority, Rule::Qualified { threshold: 0.5 }] {
            let empty = CompiledBody::new(&body(0, 0, rule, &[]));
            assert_eq!(empty.decide(&[]).reason, DecisionReason::NoSeats);
            assert!(!empty.mask().unwrap().passes_mask(0, 0));
            assert_eq!(empty.winning_coalitions(), Ok(vec![]));
        }
    }

    #[test]
    fn size_limits_are_errors() {
        let big = CompiledBody::new(&body(65, 0, Rule::Majority, &[]));
        assert_eq!(big.mask().unwrap_err(), TooManySeats { seats: 65, limit: 64 });
        assert_eq!(big.winning_coalitions(), Err(TooManySeats { seats: 65, limit: 64 }));
        assert!(big.decide(&[Vote::Yes; 65]).passed);
        let full = CompiledBody::new(&body(64, 0, Rule::Unanimity, &[63]));
        let mask = full.mask().unwrap();
        assert!(mask.passes_mask(u64::MAX, 0));
        assert!(!mask.passes_mask(u64::MAX >> 1, 0));
        assert_eq!(full.winning_coalitions(), Err(TooManySeats { seats: 64, limit: MAX_COALITION_SEATS }));
        assert_eq!(full.try_decide(&[Vote::Yes; 3]), Err(WrongVoteCount { expected: 64, got: 3 }));
    }

    #[test]
    fn bits_above_the_seats_are_ignored_and_overlaps_vote_no() {
        let body = CompiledBody::new(&body(3, 0, Rule::Consensus, &[]));
        let mask = body.mask().unwrap();
        assert!(mask.passes_mask(0b111, 1 << 40));
        assert!(!mask.passes_mask(0b111, 0b001));
    }

    // ---- Property tests against a reference written from the rule definitions ----

    /// Whether a vote passes, straight from the definitions in `vocab::RuleKind` and the
    /// module docs.
    fn reference(body: &Body, votes: &[Vote]) -> bool {
        let seats = body.members.len() + body.other_seats as usize;
        assert_eq!(votes.len(), seats);
        if seats == 0 {
            return false;
        }
        for (i, member) in body.members.iter().enumerate() {
            if body.vetoes.contains(member) && votes[i] == Vote::No {
                return false;
            }
        }
        let reaches = |yes: f64, needed: f64| yes >= needed - 1e-9 * needed.abs().max(1.0);
        let yes_count = votes.iter().filter(|&&v| v == Vote::Yes).count();
        match &body.rule {
            Rule::Unanimity => votes.iter().all(|&v| v == Vote::Yes),
            Rule::Consensus => votes.iter().all(|&v| v != Vote::No),
            Rule::Majority => yes_count as f64 > seats as f64 / 2.0,
            Rule::Qualified { threshold } => reaches(yes_count as f64, threshold * seats as f64),
            Rule::Quota { quota, weights } => {
                let mut yes = 0.0;
                for (i, &vote) in votes.iter().enumerate() {
                    if vote == Vote::Yes {
                        yes += if i < body.members.len() { weights[i] } else { 1.0 };
                    }
                }
                reaches(yes, *quota)
            }
        }
    }

    /// Bit sets of a vote (abstentions and absences in neither).
    fn to_masks(votes: &[Vote]) -> (u64, u64) {
        let (mut yes, mut no) = (0, 0);
        for (i, &v) in votes.iter().enumerate() {
            match v {
                Vote::Yes => yes |= 1 << i,
                Vote::No => no |= 1 << i,
                Vote::Abstain | Vote::Absent => {}
            }
        }
        (yes, no)
    }

    fn coalition_votes(seats: usize, yes: u64) -> Vec<Vote> {
        (0..seats).map(|i| if yes & (1 << i) != 0 { Vote::Yes } else { Vote::No }).collect()
    }

    fn arb_rule(members: usize, seats: usize) -> impl Strategy<Value = Rule> {
        let threshold = prop_oneof![
            prop::sample::select(vec![1.0 / 3.0, 0.5, 0.6, 2.0 / 3.0, 0.6667, 0.75, 0.1, 1.0]),
            0.01f64..=1.0,
        ];
        // Weights in halves, so sums are exact; quotas around the reachable totals.
        let quota = prop_oneof![
            (1u32..=(2 * (10 * members as u32 + seats as u32) + 2)).prop_map(|q| f64::from(q) / 2.0),
            0.01f64..=60.0
        ];
        prop_oneof![
            Just(Rule::Unanimity),
            Just(Rule::Consensus),
            Just(Rule::Majority),
            threshold.prop_map(|threshold| Rule::Qualified { threshold }),
            (quota, prop::collection::vec((0u32..=20).prop_map(|w| f64::from(w) / 2.0), members))
                .prop_map(|(quota, weights)| Rule::Quota { quota, weights }),
        ]
    }

    /// Bodies of `min..=max` seats: random members/other split, rule, and veto subset.
    fn arb_body(min: usize, max: usize) -> impl Strategy<Value = Body> {
        (min..=max)
            .prop_flat_map(|seats| (Just(seats), 0..=seats))
            .prop_flat_map(|(seats, members)| {
                (
                    Just(seats),
                    Just(members),
                    arb_rule(members, seats),
                    prop::collection::vec(prop::bool::weighted(0.3), members),
                )
            })
            .prop_map(|(seats, members, rule, is_veto)| {
                let vetoes: Vec<usize> = (0..members).filter(|&i| is_veto[i]).collect();
                body(members, (seats - members) as u32, rule, &vetoes)
            })
    }

    fn arb_vote() -> impl Strategy<Value = Vote> {
        prop_oneof![Just(Vote::Yes), Just(Vote::No), Just(Vote::Abstain), Just(Vote::Absent)]
    }

    fn arb_body_and_votes(max: usize) -> impl Strategy<Value = (Body, Vec<Vote>)> {
        arb_body(0, max).prop_flat_map(|body| {
            let seats = body.members.len() + body.other_seats as usize;
            (Just(body), prop::collection::vec(arb_vote(), seats))
        })
    }

    /// Checks `decide`, `passes_mask` and the reason against the reference for one vote.
    fn check_vote(body: &Body, compiled: &CompiledBody, votes: &[Vote]) -> Result<(), TestCaseError> {
        let expected = reference(body, votes);
        let decision = compiled.decide(votes);
        prop_assert_eq!(decision.passed, expected, "decide {:?} on {:?}", votes, body);
        prop_assert_eq!(decision.passed, decision.reason.passed());
        let (yes, no) = to_masks(votes);
        prop_assert_eq!(compiled.mask().unwrap().passes_mask(yes, no), expected, "mask {:?} on {:?}", votes, body);
        match decision.reason {
            DecisionReason::Vetoed { by } => {
                prop_assert!(compiled.is_veto(by) && votes[by] == Vote::No);
                prop_assert!(body.vetoes.contains(&body.members[by]));
            }
            DecisionReason::Objection { by } => prop_assert_eq!(votes[by], Vote::No),
            DecisionReason::NotUnanimous { missing, vote } => {
                prop_assert!(vote != Vote::Yes && votes[missing] == vote);
            }
            _ => {}
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every one of the 3^n yes/no/abstain profiles (and with absences for abstentions).
        #[test]
        fn all_profiles_agree_with_the_reference(body in arb_body(0, 8)) {
            let compiled = CompiledBody::new(&body);
            let seats = compiled.seats();
            let mut votes = vec![Vote::Yes; seats];
            for code in 0..3usize.pow(seats as u32) {
                let mut c = code;
                for vote in votes.iter_mut() {
                    *vote = [Vote::Yes, Vote::No, Vote::Abstain][c % 3];
                    c /= 3;
                }
                check_vote(&body, &compiled, &votes)?;
                let silent: Vec<Vote> =
                    votes.iter().map(|&v| if v == Vote::Abstain { Vote::Absent } else { v }).collect();
                check_vote(&body, &compiled, &silent)?;
            }
            // All yes passes exactly when the body can decide at all.
            prop_assert_eq!(compiled.decide(&vec![Vote::Yes; seats]).passed, body.can_decide());
        }

        #[test]
        fn sampled_profiles_agree_with_the_reference((body, votes) in arb_body_and_votes(12)) {
            check_vote(&body, &CompiledBody::new(&body), &votes)?;
        }

        #[test]
        fn overlapping_masks_count_as_no((body, votes) in arb_body_and_votes(12), extra in any::<u64>()) {
            let compiled = CompiledBody::new(&body);
            let mask = compiled.mask().unwrap();
            let (yes, no) = to_masks(&votes);
            // Extra bits in `yes` over no-seats, and beyond the seats, change nothing.
            prop_assert_eq!(mask.passes_mask(yes | (extra & no) | (extra & !mask.all()), no), mask.passes_mask(yes, no));
        }

        #[test]
        fn adding_a_yes_never_fails_a_pass((body, votes) in arb_body_and_votes(12), seat in any::<prop::sample::Index>()) {
            let compiled = CompiledBody::new(&body);
            prop_assume!(!votes.is_empty());
            let seat = seat.index(votes.len());
            let mut more = votes.clone();
            more[seat] = Vote::Yes;
            if compiled.decide(&votes).passed {
                prop_assert!(compiled.decide(&more).passed, "{:?} → {:?} on {:?}", votes, more, body);
            }
        }

        #[test]
        fn minimal_winning_coalitions_match_brute_force(body in arb_body(0, 12)) {
            let compiled = CompiledBody::new(&body);
            let seats = compiled.seats();
            let mask = compiled.mask().unwrap();
            let wins = |set: u64| reference(&body, &coalition_votes(seats, set));
            let mut expected = Vec::new();
            for set in 0..(1u64 << seats) {
                prop_assert_eq!(mask.is_winning(set), wins(set));
                if wins(set) && (0..seats).filter(|&i| set & (1 << i) != 0).all(|i| !wins(set & !(1 << i))) {
                    expected.push(set);
                }
            }
            prop_assert_eq!(compiled.winning_coalitions().unwrap(), expected);
        }
    }
}
