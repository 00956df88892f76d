//! `why_not`: the furthest verdict over the replay, in the order of the tests
//! (docs/semantics.md, "Why not").

use ironclad_engine::Compiled;
use ironclad_engine::eval::Verdict;
use ironclad_engine::timeline::{default_selection, why_not};
use ironclad_spec::model::PartyId;

const SPEC: &str = r#"
[framework]
id = "w"
title = "Why not"
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
id = "US"
[[party]]
id = "UK"

[[region]]
id = "UA"

[[commitment]]
id = "air"
by = ["US"]
to = ["UA"]
kind = "assist"
domains = ["air"]
continuing = ["ceasefire", "consent(UA)"]
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "Air support."

[[commitment]]
id = "force"
by = ["UK"]
to = ["UA"]
kind = "deploy"
domains = ["land"]
entry = ["ceasefire"]
continuing = ["consent(UA)"]
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "A force after a ceasefire."

[[commitment]]
id = "uk-option"
by = ["UK"]
to = ["UA"]
kind = "assist"
domains = ["air"]
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "An option."

[[variant]]
id = "v"
question = "Which?"
[[variant.option]]
id = "without"
weight = 0.5
commitments = []
[[variant.option.evidence]]
source = "s"
quote = "Without."
[[variant.option]]
id = "with"
weight = 0.5
commitments = ["uk-option"]
[[variant.option.evidence]]
source = "s"
quote = "With."
"#;

/// The why-not verdict of each commitment for `party` after a ceasefire on day 0 (Ukraine never
/// consents).
fn verdicts(party: &str) -> Vec<(String, Verdict)> {
    let analysis = ironclad_spec::analyze(SPEC);
    let spec = analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics));
    let text = "[scenario]\nid = \"t\"\nframework = \"w\"\n[[event]]\nday = 0\nkind = \"ceasefire_signed\"\n";
    let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(text, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let compiled = Compiled::new(&spec).expect("small");
    let p = PartyId(spec.parties.iter().position(|p| p.id == party).expect("a party") as u16);
    why_not(&spec, &compiled, &scenario, default_selection(&spec), None, p)
        .into_iter()
        .map(|w| (spec.commitment(w.commitment).id.clone(), w.verdict))
        .collect()
}

#[test]
fn a_later_false_condition_is_further_than_an_earlier_one() {
    // `ceasefire` (condition 0) is false on the initial state, then holds from day 0: what
    // blocks the clause is `consent(UA)` (condition 1), not the ceasefire.
    let v = verdicts("US");
    let air = v.iter().find(|(c, _)| c == "air").expect("air");
    assert_eq!(air.1, Verdict::ConditionFalse { index: 1 });
}

#[test]
fn a_met_entry_condition_is_passed_when_a_continuing_one_fails() {
    // The entry condition (a ceasefire) is met on day 0; the continuing one (consent) never
    // holds: the answer names the continuing condition, not the entry.
    let v = verdicts("UK");
    let force = v.iter().find(|(c, _)| c == "force").expect("force");
    assert_eq!(force.1, Verdict::ConditionFalse { index: 0 });
}

#[test]
fn a_clause_that_cannot_oblige_the_party_in_any_reading_says_not_obligor() {
    // `uk-option` is only in the unchosen option `with`, and the US is not its obligor: no
    // choice of option would oblige the US, so the answer is NotObligor, not "choose `with`".
    let us = verdicts("US");
    assert_eq!(us.iter().find(|(c, _)| c == "uk-option").expect("uk-option").1, Verdict::NotObligor);
    let uk = verdicts("UK");
    assert!(matches!(uk.iter().find(|(c, _)| c == "uk-option").expect("uk-option").1, Verdict::NotSelected { .. }));
}
