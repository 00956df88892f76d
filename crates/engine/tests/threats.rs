//! `threatened(P)`: a standing threat, set by `threat` and ended by `threat_lifted`.

mod common;

use ironclad_engine::compile::StateAtom;
use ironclad_engine::timeline::{Replay, Status, Witness};
use ironclad_spec::model::Spec;

const SPEC: &str = r#"
[framework]
id = "t"
title = "Threats"
protects = ["UA"]
threat = "RU"

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "UA"
[[party]]
id = "RU"
[[party]]
id = "BY"
[[party]]
id = "US"

[[region]]
id = "UA"

[[commitment]]
id = "meet"
by = ["US"]
to = ["UA"]
kind = "consult"
trigger = "request where party == UA and (attacked(UA) or threatened(UA))"
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "watch"
by = ["US"]
to = ["UA"]
kind = "monitor"
continuing = ["threatened(UA)"]
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;

fn replayed(scenario: &str) -> (Spec, Replay) {
    common::replayed(SPEC, "id = \"x\"\nframework = \"t\"", scenario)
}

fn statuses(spec: &Spec, r: &Replay) -> Vec<(String, Status, i64)> {
    r.obligations.iter().map(|o| (spec.commitment(o.commitment).id.clone(), o.status, o.since)).collect()
}

fn event(day: i64, kind: &str, fields: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"{kind}\"\n{fields}\n")
}

/// A threat makes `threatened(P)` true until it is lifted; a request while it stands triggers.
#[test]
fn a_threat_stands_until_it_is_lifted() {
    let threat = event(0, "threat", "attacker = \"RU\"\ntarget = \"UA\"");
    let request = |day| event(day, "request", "party = \"UA\"");
    let lifted = event(5, "threat_lifted", "attacker = \"RU\"\ntarget = \"UA\"");
    let (s, r) = replayed(&format!("{threat}{}{lifted}", request(2)));
    assert_eq!(statuses(&s, &r), [("watch".into(), Status::Lapsed, 0), ("meet".into(), Status::Pending, 2)]);
    assert_eq!(r.obligations[0].closed_by, Some(2));
    assert_eq!(r.atom(StateAtom::Threatened(0)), (false, Witness::Event(2)));
    // A request after the threat was lifted triggers nothing.
    let (s, r) = replayed(&format!("{threat}{lifted}{}", request(7)));
    assert_eq!(statuses(&s, &r), [("watch".into(), Status::Lapsed, 0)]);
}

/// Each party's threat stands on its own: lifting one leaves the other standing.
#[test]
fn threats_by_two_parties_are_lifted_one_by_one() {
    let ru = event(0, "threat", "attacker = \"RU\"\ntarget = \"UA\"");
    let by = event(1, "threat", "attacker = \"BY\"\ntarget = \"UA\"");
    let lifted = event(2, "threat_lifted", "attacker = \"RU\"\ntarget = \"UA\"");
    let (s, r) = replayed(&format!("{ru}{by}{lifted}"));
    assert_eq!(statuses(&s, &r), [("watch".into(), Status::Pending, 0)]);
    assert!(r.atom(StateAtom::Threatened(0)).0);
    let by_lifted = event(3, "threat_lifted", "attacker = \"BY\"\ntarget = \"UA\"");
    let (_, r) = replayed(&format!("{ru}{by}{lifted}{by_lifted}"));
    assert!(!r.atom(StateAtom::Threatened(0)).0);
}

/// A trigger sees the state before its event: the threat that triggers does not yet read
/// `threatened` true, an attack is not a threat.
#[test]
fn the_state_before_the_event_and_attacks_are_not_threats() {
    let attack = event(0, "armed_attack", "attacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"");
    let (s, r) = replayed(&format!("{attack}{}", event(1, "request", "party = \"UA\"")));
    assert_eq!(statuses(&s, &r), [("meet".into(), Status::Pending, 1)]);
    assert_eq!(r.atom(StateAtom::Threatened(0)), (false, Witness::Default));
}
