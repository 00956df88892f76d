//! Scope on standing commitments: only acts within the scope fulfil them.

mod common;

use ironclad_engine::timeline::{Replay, Status};
use ironclad_spec::model::Spec;

const SPEC: &str = r#"
[framework]
id = "s"
title = "Scope"
protects = ["UA"]

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "UA"
[[party]]
id = "UK"

[[region]]
id = "UA"
[[region]]
id = "UA-west"
within = "UA"
[[region]]
id = "Lviv"
within = "UA-west"
[[region]]
id = "front"
within = "UA"
[[region]]
id = "PL"

[[commitment]]
id = "reassure"
by = ["UK"]
to = ["UA"]
kind = "deploy"
domains = ["land"]
scope = ["UA"]
scope_except = ["front"]
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "train"
by = ["UK"]
to = ["UA"]
kind = "train"
domains = ["land"]
scope = ["UA-west"]
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;

fn replayed(scenario: &str) -> (Spec, Replay) {
    common::replayed(SPEC, "id = \"x\"\nframework = \"s\"", scenario)
}

fn of<'a>(spec: &Spec, r: &'a Replay, id: &str) -> &'a ironclad_engine::timeline::Obligation {
    r.obligations.iter().find(|o| spec.commitment(o.commitment).id == id).expect("an obligation")
}

fn deployed(day: i64, region: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"force_deployed\"\nparty = \"UK\"\nregion = \"{region}\"\n")
}

fn action(day: i64, fields: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"action\"\nparty = \"UK\"\n{fields}\n")
}

/// A standing `deploy` is fulfilled by a deployment in scope only: not on the carved-out front
/// line, not outside the scope; the acts that missed are recorded.
#[test]
fn a_standing_deploy_is_fulfilled_only_in_scope() {
    let (s, r) = replayed(&format!("{}{}{}", deployed(1, "front"), deployed(2, "PL"), deployed(3, "Lviv")));
    let o = of(&s, &r, "reassure");
    assert_eq!((o.status, o.closed_by), (Status::Fulfilled, Some(2)));
    assert_eq!(o.out_of_scope, [0, 1]);
    let (s, r) = replayed(&deployed(1, "front"));
    assert_eq!(of(&s, &r, "reassure").status, Status::Pending);
}

/// A standing clause fulfilled by `action`s: an action outside the scope, or with no region,
/// fulfils nothing; one within it does.
#[test]
fn an_action_fulfils_a_scoped_standing_clause_only_in_scope() {
    let outside = action(1, "domains = [\"land\"]\nregion = \"front\"");
    let nowhere = action(2, "domains = [\"land\"]");
    let inside = action(3, "commitment = \"train\"\nregion = \"Lviv\"");
    let (s, r) = replayed(&format!("{outside}{nowhere}"));
    let o = of(&s, &r, "train");
    assert_eq!(o.status, Status::Pending);
    assert_eq!(o.out_of_scope, [0, 1]);
    let (s, r) = replayed(&format!("{outside}{nowhere}{inside}"));
    let o = of(&s, &r, "train");
    assert_eq!((o.status, o.closed_by), (Status::Fulfilled, Some(2)));
}

/// An action naming a scoped commitment must say where it happened (E0614).
#[test]
fn an_action_for_a_scoped_clause_needs_a_region() {
    let spec = ironclad_spec::analyze(SPEC).spec.expect("valid");
    let text = format!("[scenario]\nid = \"x\"\nframework = \"s\"\n{}", action(1, "commitment = \"train\""));
    let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(&text, &spec);
    assert!(scenario.is_none());
    assert_eq!(diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), ["E0614"]);
}
