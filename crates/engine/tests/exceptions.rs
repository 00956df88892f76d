//! Named exceptions: they take precedence over the clause, and `overrides` orders them.

use ironclad_engine::Compiled;
use ironclad_engine::timeline::{Status, default_selection, replay};

const SPEC: &str = r#"
[framework]
id = "x"
title = "Exceptions"
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
id = "UK"

[[region]]
id = "UA"

[[commitment]]
id = "defend"
by = ["UK"]
to = ["UA"]
kind = "defend"
trigger = "armed_attack where target == UA"
continuing = ["ceasefire"]
modality = "automatic"
strength = "treaty"
[[commitment.evidence]]
source = "s"
quote = "q"

[[exception]]
id = "nuclear-override"
commitments = ["defend"]
when = "attacked(UA)"
effect = "apply"
[[exception.evidence]]
source = "s"
quote = "q"
"#;

const SCENARIO: &str = r#"
[scenario]
id = "two-attacks"
framework = "x"

[[event]]
day = 1
kind = "armed_attack"
attacker = "RU"
target = "UA"
region = "UA"

[[event]]
day = 2
kind = "armed_attack"
attacker = "RU"
target = "UA"
region = "UA"
"#;

/// The statuses of UK's `defend` obligations after the scenario, and the exceptions that applied.
fn outcome(spec_text: &str) -> Vec<(i64, Status, Option<u16>)> {
    let analysis = ironclad_spec::analyze(spec_text);
    let spec = analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics));
    let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(SCENARIO, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let compiled = Compiled::new(&spec).expect("small");
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), None);
    r.obligations.iter().map(|o| (o.since, o.status, o.applied_by_exception)).collect()
}

#[test]
fn without_the_exception_the_condition_blocks() {
    let without = SPEC.split("[[exception]]").next().unwrap();
    assert_eq!(outcome(without), []);
}

#[test]
fn an_apply_exception_waives_the_condition_once_it_holds() {
    // The first attack is judged on the state before it: UA not yet attacked, so the
    // exception does not hold and the ceasefire condition fails. The second finds it holding.
    assert_eq!(outcome(SPEC), [(2, Status::Pending, Some(0))]);
}

#[test]
fn a_suspend_exception_that_overrides_it_prevails() {
    let suspend = "\n[[exception]]\nid = \"no-escalation\"\ncommitments = [\"defend\"]\nwhen = \"attacked(UA)\"\neffect = \"suspend\"\noverrides = [\"nuclear-override\"]\n[[exception.evidence]]\nsource = \"s\"\nquote = \"q\"\n";
    assert_eq!(outcome(&format!("{SPEC}{suspend}")), []);
    // Without precedence the two conflict; the engine takes the cautious reading (suspend).
    let unordered = suspend.replace("overrides = [\"nuclear-override\"]\n", "");
    assert_eq!(outcome(&format!("{SPEC}{unordered}")), []);
}
