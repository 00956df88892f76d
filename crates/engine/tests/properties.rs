//! Property tests of the obligation engine on random small frameworks and scenarios.
//!
//! A framework is generated as a small model ([`Fw`]: four parties, a containment tree of five
//! regions, one body, one to six commitments with random kinds, triggers, conditions,
//! exceptions, `void_if`, scopes and deadlines, random red lines and an optional variant), then
//! written out as TOML and read with `ironclad_spec::analyze`, exactly as a user's file would
//! be; scenarios ([`Sc`]) likewise. Inputs that do not analyze cleanly are skipped. Shrinking
//! works on the models, so a failure is reported as the smallest framework and scenario text.
//!
//! The properties:
//! - (a) **red lines only remove**: adding an exclusion red line never adds an obligation: the
//!   set of (commitment, party) pairs ever obliged in the replay (whatever their final status)
//!   with the red line is a subset of the set without it;
//! - (b) **conditions only restrict**: removing one condition from a *triggered* commitment
//!   never removes a party that commitment obliged at some point of the replay; (b′) likewise
//!   for a *standing* commitment, comparing only the parties ever obliged — without the
//!   condition its obligations may arise earlier, lapse at other moments and arise a different
//!   number of times, so their count, days and statuses are not compared. Backstops are not
//!   compared;
//! - (c) **one evaluation = the verdicts**: `Compiled::evaluate` obliges exactly the parties for
//!   which `Compiled::verdict` is `Obliged`, for every commitment, on random states and events;
//! - (d) **replay is deterministic**: analysing, compiling and replaying the same texts twice
//!   gives the same replay (obligations, state, provenance, decisions).
//!
//! (a) and (b) are monotonicity properties, and the language has non-monotone atoms: a condition
//! `not active(C)` or `unless = ["failed(C)"]` turns *fewer* obligations of C into *more*
//! elsewhere. The generator therefore reads `active(..)` and `failed(..)` only positively, in
//! `conditions`; everything else (ceasefire, consent, decisions, ...) does not depend on
//! obligations and may appear negated.
//!
//! Runs are reproducible (a fixed seed, see [`config`]). (b) fails on rare inputs, which the
//! fixed seed does not draw; the smallest one found is the deterministic test
//! `removing_a_condition_that_reads_a_decision_keeps_the_obligation` at the end of this file,
//! which fails until the engine's "awaiting decision" rule treats exceptions consistently.

use std::collections::BTreeSet;
use std::fmt::Write;

use ironclad_engine::Compiled;
use ironclad_engine::eval::{CEvent, NONE, State, Verdict};
use ironclad_engine::timeline::{self, Replay};
use ironclad_spec::Spec;
use ironclad_spec::expr::EventKind;
use ironclad_spec::scenario::{Scenario, lower_scenario};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

// ----- vocabulary of the generated frameworks ---------------------------------------------

const PARTIES: [&str; 4] = ["A", "B", "C", "D"];
/// Regions with their parent: R ⊃ R1 ⊃ R11, R ⊃ R2, and X apart.
const REGIONS: [(&str, Option<&str>); 5] =
    [("R", None), ("R1", Some("R")), ("R2", Some("R")), ("R11", Some("R1")), ("X", None)];
/// The body `b` has the members A, B and C.
const MEMBERS: [&str; 3] = ["A", "B", "C"];
const RULES: [&str; 3] = ["consensus", "majority", "unanimity"];
const KINDS: [&str; 11] =
    ["consult", "assist", "supply", "finance", "train", "deploy", "defend", "monitor", "backstop", "refrain", "seek"];
const DOMAINS: [&str; 4] = ["land", "air", "maritime", "nuclear"];
const DEADLINES: [&str; 4] = ["12h", "1d", "3d", "10d"];
const VOTES: [&str; 4] = ["yes", "no", "abstain", "absent"];
const RED_LINE_KINDS: [&str; 4] = ["exclusion", "threat", "opposition", "demand"];

/// Conditions; `{c}` stands for a commitment id. `active`/`failed` appear only positively.
const CONDITIONS: [&str; 18] = [
    "ceasefire",
    "not ceasefire",
    "peace_agreement",
    "consent(A)",
    "not consent(A)",
    "decided(b)",
    "not decided(b)",
    "requested(A)",
    "attacked(A)",
    "threatened(A)",
    "not threatened(A)",
    "deployed(B)",
    "deployed(B, R1)",
    "not deployed(C, R)",
    "ceasefire or decided(b)",
    "consent(A) and not peace_agreement",
    "active({c})",
    "failed({c})",
];
/// Exceptions: none reads obligations (`active`, `failed`).
const EXCEPTIONS: [&str; 8] = [
    "ceasefire",
    "peace_agreement",
    "consent(C)",
    "decided(b)",
    "not decided(b)",
    "requested(B)",
    "attacked(B)",
    "deployed(D)",
];
const TRIGGERS: [&str; 17] = [
    "armed_attack",
    "armed_attack where target == A",
    "armed_attack where attacker == D and target == A",
    "armed_attack where region within R1",
    "armed_attack where land in domains",
    "armed_attack where scale >= significant and not provoked",
    "armed_attack where target == A and ceasefire",
    "armed_attack | threat where target == A",
    "strike_on_forces where owner == B",
    "threat where nuclear",
    "decision where body == b and passed",
    "decision",
    "ceasefire_broken",
    "request where party == A",
    "consultation",
    "force_deployed where party == B and region within R1",
    "position_change where party == C",
];
const VOIDS: [&str; 4] = [
    "peace_signed",
    "armed_attack where attacker == A and not provoked",
    "threat where attacker == A",
    "ceasefire_signed",
];

fn names(mask: u32, all: &[&str]) -> Vec<String> {
    all.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| format!("\"{n}\"")).collect()
}

fn list(mask: u32, all: &[&str]) -> String {
    format!("[{}]", names(mask, all).join(", "))
}

// ----- framework model ---------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Commitment {
    /// `None`: obliged by the body `b`; otherwise a non-empty mask of parties.
    by: Option<u32>,
    to: u32,
    kind: usize,
    /// For backstops: the commitment backed (modulo the number of commitments).
    backs: usize,
    domains: u32,
    trigger: Option<usize>,
    /// (index into CONDITIONS, commitment for `{c}`).
    conditions: Vec<(usize, usize)>,
    unless: Vec<usize>,
    void_if: Option<usize>,
    scope: u32,
    deadline: Option<usize>,
    framework_condition: bool,
}

#[derive(Debug, Clone)]
struct Selector {
    by: u32,
    kinds: u32,
    domains: u32,
    regions: u32,
}

#[derive(Debug, Clone)]
struct RedLine {
    party: usize,
    kind: usize,
    matches: Option<Selector>,
}

#[derive(Debug, Clone)]
struct Fw {
    rule: usize,
    veto: bool,
    /// (index into CONDITIONS, commitment for `{c}`).
    condition: Option<(usize, usize)>,
    commitments: Vec<Commitment>,
    red_lines: Vec<RedLine>,
    /// A variant `v` with options `o1` (weight given) and `o2`; per commitment and red line:
    /// 0 = base framework, 1 = only in `o1`, 2 = only in `o2`.
    variant: Option<(f64, Vec<u8>, Vec<u8>)>,
}

fn condition_text((index, c): (usize, usize), n: usize) -> String {
    CONDITIONS[index].replace("{c}", &format!("c{}", c % n))
}

fn quoted(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "))
}

impl Fw {
    fn text(&self) -> String {
        let n = self.commitments.len();
        let mut t = String::new();
        t.push_str("[framework]\nid = \"fw\"\ntitle = \"generated\"\nprotects = [\"A\"]\n");
        if let Some(c) = self.condition {
            writeln!(t, "condition = \"{}\"", condition_text(c, n)).unwrap();
        }
        t.push_str("\n[[source]]\nid = \"s\"\nfile = \"s.txt\"\n");
        for p in PARTIES {
            writeln!(t, "\n[[party]]\nid = \"{p}\"").unwrap();
        }
        for (r, parent) in REGIONS {
            writeln!(t, "\n[[region]]\nid = \"{r}\"").unwrap();
            if let Some(parent) = parent {
                writeln!(t, "within = \"{parent}\"").unwrap();
            }
        }
        writeln!(t, "\n[[body]]\nid = \"b\"\nmembers = {}\nrule = \"{}\"", list(0b111, &MEMBERS), RULES[self.rule])
            .unwrap();
        if self.veto {
            t.push_str("vetoes = [\"A\"]\n");
        }
        let evidence = "source = \"s\"\nquote = \"q\"\n";
        for (i, c) in self.commitments.iter().enumerate() {
            writeln!(t, "\n[[commitment]]\nid = \"c{i}\"").unwrap();
            match c.by {
                None => t.push_str("by = [\"b\"]\n"),
                Some(mask) => writeln!(t, "by = {}", list(mask, &PARTIES)).unwrap(),
            }
            writeln!(t, "to = {}\nkind = \"{}\"", list(c.to, &PARTIES), KINDS[c.kind]).unwrap();
            if KINDS[c.kind] == "backstop" {
                writeln!(t, "backs = \"c{}\"", c.backs % n).unwrap();
            }
            if c.domains != 0 {
                writeln!(t, "domains = {}", list(c.domains, &DOMAINS)).unwrap();
            }
            if let Some(trigger) = c.trigger {
                writeln!(t, "trigger = \"{}\"", TRIGGERS[trigger]).unwrap();
            }
            if !c.conditions.is_empty() {
                writeln!(t, "continuing = {}", quoted(c.conditions.iter().map(|k| condition_text(*k, n)))).unwrap();
            }
            if !c.unless.is_empty() {
                writeln!(t, "unless = {}", quoted(c.unless.iter().map(|k| EXCEPTIONS[*k].to_string()))).unwrap();
            }
            if let Some(v) = c.void_if {
                writeln!(t, "void_if = \"{}\"", VOIDS[v]).unwrap();
            }
            if c.scope != 0 {
                let regions: Vec<&str> = REGIONS.iter().map(|(r, _)| *r).collect();
                writeln!(t, "scope = {}", list(c.scope, &regions)).unwrap();
            }
            if let Some(d) = c.deadline {
                writeln!(t, "deadline = \"{}\"", DEADLINES[d]).unwrap();
            }
            if !c.framework_condition {
                t.push_str("framework_condition = false\n");
            }
            writeln!(t, "modality = \"discretionary\"\nstrength = \"treaty\"\n\n[[commitment.evidence]]\n{evidence}")
                .unwrap();
        }
        for (i, r) in self.red_lines.iter().enumerate() {
            writeln!(
                t,
                "\n[[red_line]]\nid = \"r{i}\"\nparty = \"{}\"\nkind = \"{}\"",
                PARTIES[r.party], RED_LINE_KINDS[r.kind]
            )
            .unwrap();
            if let Some(s) = &r.matches {
                let regions: Vec<&str> = REGIONS.iter().map(|(r, _)| *r).collect();
                let mut fields = Vec::new();
                if s.by != 0 {
                    fields.push(format!("by = {}", list(s.by, &PARTIES)));
                }
                if s.kinds != 0 {
                    fields.push(format!("kinds = {}", list(s.kinds, &KINDS)));
                }
                if s.domains != 0 {
                    fields.push(format!("domains = {}", list(s.domains, &DOMAINS)));
                }
                if s.regions != 0 {
                    fields.push(format!("regions = {}", list(s.regions, &regions)));
                }
                writeln!(t, "matches = {{ {} }}", fields.join(", ")).unwrap();
            }
            writeln!(t, "strength = \"statement\"\n\n[[red_line.evidence]]\n{evidence}").unwrap();
        }
        if let Some((weight, commitments, red_lines)) = &self.variant {
            t.push_str("\n[[variant]]\nid = \"v\"\nquestion = \"which reading?\"\n");
            for (option, w) in [(1u8, *weight), (2u8, 1.0 - weight)] {
                let cs = (0..n).filter(|i| commitments.get(*i) == Some(&option)).map(|i| format!("c{i}"));
                let rs =
                    (0..self.red_lines.len()).filter(|i| red_lines.get(*i) == Some(&option)).map(|i| format!("r{i}"));
                writeln!(
                    t,
                    "\n[[variant.option]]\nid = \"o{option}\"\nweight = {w}\ncommitments = {}\nred_lines = {}\n\n\
                     [[variant.option.evidence]]\n{evidence}",
                    quoted(cs),
                    quoted(rs)
                )
                .unwrap();
            }
        }
        t
    }
}

fn mask(bits: usize) -> impl Strategy<Value = u32> {
    0..(1u32 << bits)
}

fn nonempty_mask(bits: usize) -> impl Strategy<Value = u32> {
    1..(1u32 << bits)
}

/// A subset of `0..bits` with at most two elements, mostly empty.
fn small_mask(bits: usize) -> impl Strategy<Value = u32> {
    prop_oneof![
        2 => Just(0u32),
        1 => (0..bits).prop_map(|i| 1u32 << i),
        1 => (0..bits, 0..bits).prop_map(|(i, j)| (1u32 << i) | (1u32 << j)),
    ]
}

fn commitment() -> impl Strategy<Value = Commitment> {
    (
        prop_oneof![1 => Just(None), 4 => nonempty_mask(PARTIES.len()).prop_map(Some)],
        nonempty_mask(PARTIES.len()),
        (0..KINDS.len(), 0..6usize, small_mask(DOMAINS.len())),
        proptest::option::weighted(0.7, 0..TRIGGERS.len()),
        prop_oneof![
            2 => Just(Vec::new()),
            3 => proptest::collection::vec((0..CONDITIONS.len(), 0..6usize), 1),
            1 => proptest::collection::vec((0..CONDITIONS.len(), 0..6usize), 2..=3),
        ],
        prop_oneof![3 => Just(Vec::new()), 1 => proptest::collection::vec(0..EXCEPTIONS.len(), 1..=2)],
        proptest::option::weighted(0.15, 0..VOIDS.len()),
        (small_mask(REGIONS.len()), proptest::option::weighted(0.4, 0..DEADLINES.len()), proptest::bool::weighted(0.8)),
    )
        .prop_map(
            |(
                by,
                to,
                (kind, backs, domains),
                trigger,
                conditions,
                unless,
                void_if,
                (scope, deadline, framework_condition),
            )| {
                Commitment {
                    by,
                    to,
                    kind,
                    backs,
                    domains,
                    trigger,
                    conditions,
                    unless,
                    void_if,
                    scope,
                    deadline,
                    framework_condition,
                }
            },
        )
}

fn selector() -> impl Strategy<Value = Selector> {
    (small_mask(PARTIES.len()), small_mask(KINDS.len()), small_mask(DOMAINS.len()), small_mask(REGIONS.len()))
        .prop_map(|(by, kinds, domains, regions)| Selector { by, kinds, domains, regions })
}

fn red_line() -> impl Strategy<Value = RedLine> {
    (
        0..PARTIES.len(),
        prop_oneof![3 => Just(0usize), 1 => 1..RED_LINE_KINDS.len()],
        proptest::option::weighted(0.9, selector()),
    )
        .prop_map(|(party, kind, matches)| RedLine { party, kind, matches })
}

fn framework() -> impl Strategy<Value = Fw> {
    (
        0..RULES.len(),
        proptest::bool::weighted(0.2),
        proptest::option::weighted(0.2, (0..CONDITIONS.len(), 0..6usize)),
        proptest::collection::vec(commitment(), 1..=6),
        proptest::collection::vec(red_line(), 0..=3),
        proptest::option::weighted(
            0.3,
            (
                prop_oneof![Just(0.5), Just(0.3), Just(0.7)],
                proptest::collection::vec(0..3u8, 6),
                proptest::collection::vec(0..3u8, 4),
            ),
        ),
    )
        .prop_map(|(rule, veto, condition, commitments, red_lines, variant)| Fw {
            rule,
            veto,
            condition,
            commitments,
            red_lines,
            variant,
        })
}

// ----- scenario model ----------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Ev {
    Attack { attacker: usize, target: usize, region: usize, domains: u32, scale: usize, provoked: bool, nuclear: bool },
    Strike { attacker: usize, owner: usize, region: usize },
    Threat { attacker: usize, target: usize, nuclear: bool },
    ThreatLifted { attacker: usize, target: usize },
    CeasefireSigned,
    CeasefireBroken,
    PeaceSigned,
    Deployed { party: usize, region: usize },
    Withdrawn { party: usize, region: usize },
    Decision { default: usize, votes: Vec<Option<usize>> },
    Request { party: usize },
    Consent { party: usize, consent: bool },
    Withdraws { party: usize, commitment: usize },
    Consultation { party: Option<usize> },
    Action { party: usize, commitment: Option<usize>, domains: u32, region: Option<usize> },
}

#[derive(Debug, Clone)]
struct Sc {
    ceasefire: bool,
    peace: bool,
    consent: u32,
    deployed: Vec<(usize, usize)>,
    /// The default vote of a `[[policy]]` for `b`, if any.
    policy: Option<usize>,
    events: Vec<(i64, Ev)>,
}

impl Sc {
    fn text(&self, commitments: usize) -> String {
        let mut t = String::from("[scenario]\nid = \"sc\"\nframework = \"fw\"\n\n[initial]\n");
        writeln!(
            t,
            "ceasefire = {}\npeace_agreement = {}\nconsent = {}",
            self.ceasefire,
            self.peace,
            list(self.consent, &PARTIES)
        )
        .unwrap();
        let deployed: Vec<String> = self
            .deployed
            .iter()
            .map(|(p, r)| format!("{{ party = \"{}\", region = \"{}\" }}", PARTIES[*p], REGIONS[*r].0))
            .collect();
        writeln!(t, "deployed = [{}]", deployed.join(", ")).unwrap();
        if let Some(default) = self.policy {
            writeln!(t, "\n[[policy]]\nbody = \"b\"\ndefault = \"{}\"", VOTES[default]).unwrap();
        }
        let p = |i: &usize| PARTIES[*i];
        let r = |i: &usize| REGIONS[*i].0;
        for (day, e) in &self.events {
            writeln!(t, "\n[[event]]\nday = {day}").unwrap();
            let fields = match e {
                Ev::Attack { attacker, target, region, domains, scale, provoked, nuclear } => format!(
                    "kind = \"armed_attack\"\nattacker = \"{}\"\ntarget = \"{}\"\nregion = \"{}\"\ndomains = {}\n\
                     scale = \"{}\"\nprovoked = {provoked}\nnuclear = {nuclear}",
                    p(attacker),
                    p(target),
                    r(region),
                    list(*domains, &DOMAINS),
                    ["incident", "limited", "significant", "major"][*scale]
                ),
                Ev::Strike { attacker, owner, region } => format!(
                    "kind = \"strike_on_forces\"\nattacker = \"{}\"\nowner = \"{}\"\nregion = \"{}\"",
                    p(attacker),
                    p(owner),
                    r(region)
                ),
                Ev::Threat { attacker, target, nuclear } => {
                    format!(
                        "kind = \"threat\"\nattacker = \"{}\"\ntarget = \"{}\"\nnuclear = {nuclear}",
                        p(attacker),
                        p(target)
                    )
                }
                Ev::ThreatLifted { attacker, target } => {
                    format!("kind = \"threat_lifted\"\nattacker = \"{}\"\ntarget = \"{}\"", p(attacker), p(target))
                }
                Ev::CeasefireSigned => "kind = \"ceasefire_signed\"".into(),
                Ev::CeasefireBroken => "kind = \"ceasefire_broken\"\nviolator = \"D\"".into(),
                Ev::PeaceSigned => "kind = \"peace_signed\"".into(),
                Ev::Deployed { party, region } => {
                    format!("kind = \"force_deployed\"\nparty = \"{}\"\nregion = \"{}\"", p(party), r(region))
                }
                Ev::Withdrawn { party, region } => {
                    format!("kind = \"force_withdrawn\"\nparty = \"{}\"\nregion = \"{}\"", p(party), r(region))
                }
                Ev::Decision { default, votes } => {
                    let votes: Vec<String> = votes
                        .iter()
                        .zip(MEMBERS)
                        .filter_map(|(v, m)| v.map(|v| format!("{m} = \"{}\"", VOTES[v])))
                        .collect();
                    format!(
                        "kind = \"decision\"\nbody = \"b\"\ndefault = \"{}\"\nvotes = {{ {} }}",
                        VOTES[*default],
                        votes.join(", ")
                    )
                }
                Ev::Request { party } => format!("kind = \"request\"\nparty = \"{}\"", p(party)),
                Ev::Consent { party, consent } => {
                    format!("kind = \"position_change\"\nparty = \"{}\"\nconsent = {consent}", p(party))
                }
                Ev::Withdraws { party, commitment } => format!(
                    "kind = \"position_change\"\nparty = \"{}\"\nwithdraws = true\ncommitment = \"c{}\"",
                    p(party),
                    commitment % commitments
                ),
                Ev::Consultation { party } => match party {
                    Some(party) => format!("kind = \"consultation\"\nparty = \"{}\"", p(party)),
                    None => "kind = \"consultation\"".into(),
                },
                Ev::Action { party, commitment, domains, region } => {
                    let mut s =
                        format!("kind = \"action\"\nparty = \"{}\"\ndomains = {}", p(party), list(*domains, &DOMAINS));
                    if let Some(c) = commitment {
                        write!(s, "\ncommitment = \"c{}\"", c % commitments).unwrap();
                    }
                    // An action naming a commitment says where it happens (E0614 for a scoped one).
                    if let Some(region) = region.or(commitment.map(|_| 0)) {
                        write!(s, "\nregion = \"{}\"", r(&region)).unwrap();
                    }
                    s
                }
            };
            t.push_str(&fields);
            t.push('\n');
        }
        t
    }
}

fn event() -> impl Strategy<Value = Ev> {
    let party = || 0..PARTIES.len();
    let region = || 0..REGIONS.len();
    // Most attacks and threats target A, the protected party of the generated frameworks.
    let target = || prop_oneof![2 => Just(0usize), 1 => 0..PARTIES.len()];
    let attack = (
        party(),
        target(),
        region(),
        mask(DOMAINS.len()),
        0..4usize,
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(attacker, target, region, domains, scale, provoked, nuclear)| Ev::Attack {
            attacker,
            target,
            region,
            domains,
            scale,
            provoked,
            nuclear,
        });
    let decision = (0..VOTES.len(), proptest::collection::vec(proptest::option::of(0..VOTES.len()), 3))
        .prop_map(|(default, votes)| Ev::Decision { default, votes });
    let action = (party(), proptest::option::of(0..6usize), small_mask(DOMAINS.len()), proptest::option::of(region()))
        .prop_map(|(party, commitment, domains, region)| Ev::Action { party, commitment, domains, region });
    prop_oneof![
        4 => attack,
        2 => (party(), party(), region()).prop_map(|(attacker, owner, region)| Ev::Strike { attacker, owner, region }),
        1 => (party(), target(), any::<bool>())
            .prop_map(|(attacker, target, nuclear)| Ev::Threat { attacker, target, nuclear }),
        1 => (party(), target()).prop_map(|(attacker, target)| Ev::ThreatLifted { attacker, target }),
        1 => Just(Ev::CeasefireSigned),
        1 => Just(Ev::CeasefireBroken),
        1 => Just(Ev::PeaceSigned),
        2 => (party(), region()).prop_map(|(party, region)| Ev::Deployed { party, region }),
        1 => (party(), region()).prop_map(|(party, region)| Ev::Withdrawn { party, region }),
        3 => decision,
        1 => party().prop_map(|party| Ev::Request { party }),
        1 => (party(), any::<bool>()).prop_map(|(party, consent)| Ev::Consent { party, consent }),
        1 => (party(), 0..6usize).prop_map(|(party, commitment)| Ev::Withdraws { party, commitment }),
        1 => proptest::option::of(party()).prop_map(|party| Ev::Consultation { party }),
        2 => action,
    ]
}

fn scenario() -> impl Strategy<Value = Sc> {
    (
        any::<bool>(),
        proptest::bool::weighted(0.1),
        mask(PARTIES.len()),
        proptest::collection::vec((0..PARTIES.len(), 0..REGIONS.len()), 0..=2),
        proptest::option::weighted(0.2, 0..VOTES.len()),
        proptest::collection::vec((0..15i64, event()), 1..=16),
    )
        .prop_map(|(ceasefire, peace, consent, deployed, policy, events)| Sc {
            ceasefire,
            peace,
            consent,
            deployed,
            policy,
            events,
        })
}

// ----- running the engine --------------------------------------------------------------------

/// The spec and scenario, or `None` if either has an error.
fn load(fw: &Fw, sc: &Sc) -> Option<(Spec, Scenario)> {
    let spec = ironclad_spec::analyze(&fw.text()).spec?;
    let scenario = lower_scenario(&sc.text(fw.commitments.len()), &spec).0?;
    Some((spec, scenario))
}

fn run(spec: &Spec, scenario: &Scenario) -> Replay {
    let compiled = Compiled::new(spec).expect("generated frameworks are small");
    timeline::replay(spec, &compiled, scenario, timeline::default_selection(spec), None)
}

/// Every (commitment, party) that had an obligation at some point of the replay.
fn ever_obliged(replay: &Replay) -> BTreeSet<(u16, u16)> {
    replay.obligations.iter().map(|o| (o.commitment.0, o.party.0)).collect()
}

fn texts(fw: &Fw, sc: &Sc) -> String {
    format!("--- framework ---\n{}\n--- scenario ---\n{}", fw.text(), sc.text(fw.commitments.len()))
}

/// The seed of the property tests, fixed so that CI runs are reproducible.
const SEED: u64 = 0x1c0_c1ad;

/// `cases` per property (one to three seconds each in a debug build) from the fixed [`SEED`],
/// unless `PROPTEST_CASES` or `PROPTEST_RNG_SEED` ask otherwise, e.g. for a longer hunt:
/// `PROPTEST_CASES=50000 PROPTEST_RNG_SEED=$RANDOM cargo test -p ironclad-engine --test properties`.
fn config(cases: u32) -> Config {
    let from_env = Config::default();
    let set = |var: &str| std::env::var_os(var).is_some();
    Config {
        cases: if set("PROPTEST_CASES") { from_env.cases } else { cases },
        rng_seed: if set("PROPTEST_RNG_SEED") { from_env.rng_seed } else { RngSeed::Fixed(SEED) },
        // No regression files: a failing input is printed as framework and scenario text instead.
        failure_persistence: None,
        max_global_rejects: 1 << 20,
        ..from_env
    }
}

proptest! {
    #![proptest_config(config(1500))]

    /// (a) An exclusion red line (added last, so other ids keep their meaning) never adds an
    /// obligation.
    #[test]
    fn an_exclusion_red_line_never_adds_obligations(
        fw in framework(),
        sc in scenario(),
        party in 0..PARTIES.len(),
        matches in selector(),
        option in 0..3u8,
    ) {
        let Some((spec, scenario)) = load(&fw, &sc) else { return Err(TestCaseError::reject("invalid input")) };
        let mut with_line = fw.clone();
        with_line.red_lines.push(RedLine { party, kind: 0, matches: Some(matches) });
        if let Some((_, _, lines)) = &mut with_line.variant {
            lines.resize(with_line.red_lines.len() - 1, 0);
            lines.push(option);
        }
        let Some((spec_rl, scenario_rl)) = load(&with_line, &sc) else {
            return Err(TestCaseError::reject("invalid input"));
        };
        let without = ever_obliged(&run(&spec, &scenario));
        let with = ever_obliged(&run(&spec_rl, &scenario_rl));
        let added: Vec<_> = with.difference(&without).collect();
        prop_assert!(added.is_empty(), "the red line added obligations {added:?}\n{}", texts(&with_line, &sc));
    }

    /// (b) Removing one condition of a triggered (non-backstop) commitment never removes a
    /// party that this commitment obliged at some point.
    #[test]
    fn removing_a_condition_never_removes_triggered_obligations(
        fw in framework(),
        sc in scenario(),
        pick in any::<proptest::sample::Index>(),
    ) {
        remove_a_condition(&fw, &sc, pick, Activation::Triggered)?;
    }

    /// (b′) The same for standing commitments, on the parties ever obliged only: how often and
    /// when their obligations arise and lapse may differ.
    #[test]
    fn removing_a_condition_never_removes_standing_obligations(
        fw in framework(),
        sc in scenario(),
        pick in any::<proptest::sample::Index>(),
    ) {
        remove_a_condition(&fw, &sc, pick, Activation::Standing)?;
    }

    /// (d) The same texts replay to the same result, analysed and compiled afresh each time.
    #[test]
    fn replay_is_deterministic(fw in framework(), sc in scenario()) {
        let Some((spec, scenario)) = load(&fw, &sc) else { return Err(TestCaseError::reject("invalid input")) };
        let Some((spec2, scenario2)) = load(&fw, &sc) else { return Err(TestCaseError::reject("invalid input")) };
        let first = run(&spec, &scenario);
        let second = run(&spec2, &scenario2);
        prop_assert_eq!(&first.obligations, &second.obligations);
        prop_assert_eq!(&first.state, &second.state);
        prop_assert_eq!(&first.decisions, &second.decisions);
        prop_assert_eq!(format!("{:?}", first.provenance), format!("{:?}", second.provenance));
        // And the same compiled spec replayed again.
        let compiled = Compiled::new(&spec).expect("small");
        let third = timeline::replay(&spec, &compiled, &scenario, timeline::default_selection(&spec), None);
        prop_assert_eq!(format!("{first:?}"), format!("{third:?}"));
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Activation {
    Triggered,
    Standing,
}

/// Property (b): removes the `pick`-th condition among those of the triggered (or standing)
/// commitments and compares the parties that commitment ever obliged.
fn remove_a_condition(
    fw: &Fw,
    sc: &Sc,
    pick: proptest::sample::Index,
    activation: Activation,
) -> Result<(), TestCaseError> {
    let candidates: Vec<(usize, usize)> = fw
        .commitments
        .iter()
        .enumerate()
        .filter(|(_, c)| KINDS[c.kind] != "backstop")
        .filter(|(_, c)| c.trigger.is_some() == (activation == Activation::Triggered))
        .flat_map(|(i, c)| (0..c.conditions.len()).map(move |k| (i, k)))
        .collect();
    if candidates.is_empty() {
        return Err(TestCaseError::reject("no commitment of that activation with a condition"));
    }
    let (c, k) = candidates[pick.index(candidates.len())];
    let Some((spec, scenario)) = load(fw, sc) else { return Err(TestCaseError::reject("invalid input")) };
    let mut looser = fw.clone();
    looser.commitments[c].conditions.remove(k);
    let Some((spec_l, scenario_l)) = load(&looser, sc) else { return Err(TestCaseError::reject("invalid input")) };
    let parties = |r: &Replay| -> BTreeSet<u16> {
        r.obligations.iter().filter(|o| o.commitment.index() == c).map(|o| o.party.0).collect()
    };
    let with = parties(&run(&spec, &scenario));
    let without = parties(&run(&spec_l, &scenario_l));
    let lost: Vec<_> = with.difference(&without).collect();
    prop_assert!(
        lost.is_empty(),
        "removing condition {k} of c{c} lost the obligations of parties {lost:?}\n{}",
        texts(fw, sc)
    );
    Ok(())
}

// ----- (c) evaluate against verdict on random states and events ------------------------------

/// Raw material for a random state and event; reduced to the spec's sizes when used.
#[derive(Debug, Clone)]
struct Draw {
    flags: [bool; 2],
    masks: [u128; 7],
    deployed: Vec<(usize, usize)>,
    decided: u64,
    withdrawn: Vec<u128>,
    selection: Vec<u16>,
    event: Option<(usize, [u32; 9], u16, [bool; 5])>,
}

fn draw() -> impl Strategy<Value = Draw> {
    (
        any::<[bool; 2]>(),
        any::<[u128; 7]>(),
        proptest::collection::vec((0..PARTIES.len(), 0..REGIONS.len()), 0..=3),
        any::<u64>(),
        proptest::collection::vec(any::<u128>(), 6),
        proptest::collection::vec(0..3u16, 1),
        proptest::option::weighted(0.8, (0..EventKind::ALL.len(), any::<[u32; 9]>(), any::<u16>(), any::<[bool; 5]>())),
    )
        .prop_map(|(flags, masks, deployed, decided, withdrawn, selection, event)| Draw {
            flags,
            masks,
            deployed,
            decided,
            withdrawn,
            selection,
            event,
        })
}

impl Draw {
    fn state(&self, compiled: &Compiled, variants: usize) -> State {
        let low = |m: u128, n: usize| m & ((1u128 << n) - 1);
        let (parties, commitments) = (compiled.parties, compiled.commitments.len());
        let selection = (0..variants).map(|v| self.selection.get(v).copied().unwrap_or(0) % 3).collect();
        let mut state = State::new(compiled, selection);
        state.day = 7;
        [state.ceasefire, state.peace] = self.flags;
        state.consent = low(self.masks[0], parties);
        state.requested = low(self.masks[1], parties);
        state.attacked = low(self.masks[2], parties);
        state.active = low(self.masks[3], commitments);
        state.failed = low(self.masks[4], commitments);
        // Voiding is rare, so that the later tests are reached.
        state.voided = low(self.masks[5] & self.masks[6], commitments);
        state.decided = self.decided & ((1 << compiled.bodies.len()) - 1);
        for (p, r) in &self.deployed {
            state.set_deployed(compiled, *p, *r, true);
        }
        for (c, w) in state.withdrawn.iter_mut().enumerate() {
            // Withdrawals are rare too: a party withdrew if two random bits say so.
            *w = low(self.withdrawn[c] & self.withdrawn[(c + 1) % 6], parties);
        }
        state
    }

    fn event(&self, compiled: &Compiled) -> Option<CEvent> {
        let (kind, ids, domains, flags) = self.event?;
        // Small ids: mostly in range, sometimes one past the last id, sometimes absent.
        let id = |x: u32, n: usize| if x % 8 == 7 { NONE } else { x % (n as u32 + 1) };
        let (parties, regions) = (compiled.parties, compiled.regions);
        Some(CEvent {
            kind: EventKind::ALL[kind],
            attacker: id(ids[0], parties),
            target: id(ids[1], parties),
            owner: id(ids[2], parties),
            party: id(ids[3], parties),
            violator: id(ids[4], parties),
            region: id(ids[5], regions),
            domains: domains & 0x0fff,
            scale: ids[6] % 4,
            deliberate: flags[0],
            sustained: flags[1],
            provoked: flags[2],
            nuclear: flags[3],
            body: id(ids[7], compiled.bodies.len()),
            passed: flags[4],
            commitment: id(ids[8], compiled.commitments.len()),
            organisation: id(ids[4], compiled.organisations.len()),
        })
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// (c) `evaluate` obliges exactly the parties whose verdict is `Obliged`.
    #[test]
    fn evaluate_agrees_with_verdict(fw in framework(), draws in proptest::collection::vec(draw(), 1..=8)) {
        let Some(spec) = ironclad_spec::analyze(&fw.text()).spec else {
            return Err(TestCaseError::reject("invalid framework"));
        };
        let compiled = Compiled::new(&spec).expect("small");
        let mut out = vec![0u128; compiled.commitments.len()];
        for d in &draws {
            let state = d.state(&compiled, spec.variants.len());
            let event = d.event(&compiled);
            compiled.evaluate(&state, event.as_ref(), &mut out);
            for (c, obliged) in out.iter().enumerate() {
                for (p, name) in PARTIES.iter().enumerate().take(compiled.parties) {
                    let verdict = compiled.verdict(c, p, &state, event.as_ref());
                    prop_assert_eq!(
                        verdict == Verdict::Obliged,
                        obliged & (1u128 << p) != 0,
                        "c{} party {}: verdict {:?}, evaluate mask {:#b}\nstate {:?}\nevent {:?}\n{}",
                        c, name, verdict, obliged, state, event, fw.text()
                    );
                }
            }
        }
    }
}

/// The generators produce valid inputs (the properties skip invalid ones, which would test
/// nothing), and replays that oblige somebody.
#[test]
fn generated_inputs_are_valid_and_not_vacuous() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut valid, mut obligations, total) = (0, 0, 200);
    for _ in 0..total {
        let fw = framework().new_tree(&mut runner).expect("tree").current();
        let sc = scenario().new_tree(&mut runner).expect("tree").current();
        let analysis = ironclad_spec::analyze(&fw.text());
        let Some(spec) = &analysis.spec else {
            panic!("a generated framework has errors: {:#?}\n{}", analysis.diagnostics, fw.text());
        };
        let (scenario, diagnostics) = lower_scenario(&sc.text(fw.commitments.len()), spec);
        let Some(scenario) = scenario else {
            panic!("a generated scenario has errors: {diagnostics:#?}\n{}", sc.text(fw.commitments.len()));
        };
        valid += 1;
        obligations += run(spec, &scenario).obligations.len();
    }
    assert_eq!(valid, total);
    // The replays are not vacuous: on average more than one obligation each.
    assert!(obligations > total, "only {obligations} obligations in {total} replays");
}

/// Parties ever obliged under commitment `c` when `framework` replays `scenario`.
fn parties_obliged(framework: &str, scenario: &str, c: usize) -> BTreeSet<u16> {
    let spec = ironclad_spec::analyze(framework).spec.expect("the framework has no error");
    let scenario = lower_scenario(scenario, &spec).0.expect("the scenario has no error");
    run(&spec, &scenario).obligations.iter().filter(|o| o.commitment.index() == c).map(|o| o.party.0).collect()
}

/// The smallest counterexample to (b) that proptest found (shrunk, then written by hand with two
/// parties). With the condition `not decided(b)`, the attack on day 0 meets a decided `b`, so the
/// trigger waits for a decision; the failed decision of day 6 then activates it, and the
/// exception `decided(b)` is judged on that latest decision too. Without the condition no
/// condition reads a decision, the trigger does not wait, and the exception, true at the
/// attack, is final. So removing a condition removed A's obligation: the "awaiting decision"
/// rule depends on whether the *conditions* read `decided(..)`, and once waiting, exceptions
/// are judged on later decisions (`Replayer::needs_decision`, `activate_awaiting` in
/// `src/timeline.rs`). This test fails until the engine resolves that inconsistency.
#[test]
fn removing_a_condition_that_reads_a_decision_keeps_the_obligation() {
    let framework = |conditions: &str| {
        format!(
            r#"
[framework]
id = "fw"
title = "regression"
protects = ["A"]

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "A"

[[party]]
id = "B"

[[region]]
id = "R"

[[body]]
id = "b"
members = ["A", "B"]
rule = "consensus"

[[commitment]]
id = "c0"
by = ["A"]
to = ["A"]
kind = "consult"
trigger = "armed_attack where target == A"
conditions = {conditions}
unless = ["decided(b)"]
modality = "discretionary"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"
"#
        )
    };
    let scenario = r#"
[scenario]
id = "sc"
framework = "fw"

[[event]]
day = 0
kind = "decision"
body = "b"
default = "abstain"

[[event]]
day = 0
kind = "armed_attack"
attacker = "B"
target = "A"
region = "R"

[[event]]
day = 6
kind = "decision"
body = "b"
default = "yes"
votes = { A = "no" }
"#;
    let with = parties_obliged(&framework(r#"["not decided(b)"]"#), scenario, 0);
    let without = parties_obliged(&framework("[]"), scenario, 0);
    assert!(
        with.is_subset(&without),
        "removing the condition `not decided(b)` removed the obligations of parties {:?} (with: {with:?}, without: {without:?})",
        with.difference(&without).collect::<Vec<_>>()
    );
}
