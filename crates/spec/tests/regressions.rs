//! Regressions of the spec layer, one each.

use ironclad_spec::analyze;

const BASE: &str = r#"
[framework]
id = "t"
title = "t"
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
id = "c"
by = ["UK"]
to = ["UA"]
kind = "defend"
domains = ["land"]
trigger = "armed_attack where target == UA"
modality = "automatic"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"
"#;

fn exception(id: &str, when: &str, effect: &str, overrides: &[&str]) -> String {
    let overrides: Vec<String> = overrides.iter().map(|o| format!("\"{o}\"")).collect();
    format!(
        "\n[[exception]]\nid = \"{id}\"\ncommitments = [\"c\"]\nwhen = \"{when}\"\neffect = \"{effect}\"\noverrides = [{}]\n\n[[exception.evidence]]\nsource = \"s\"\nquote = \"q\"\n",
        overrides.join(", ")
    )
}

fn codes(text: &str) -> Vec<String> {
    analyze(text).diagnostics.iter().map(|d| d.code.to_string()).collect()
}

/// Regression: the precedence-cycle check compared an exception id with a position that skips
/// exceptions whose `when` failed to parse, so E0605 was reported for no cycle.
#[test]
fn no_spurious_precedence_cycle_next_to_an_exception_that_failed_to_parse() {
    let text = format!(
        "{BASE}{}{}",
        exception("broken", "attacked(", "suspend", &[]),
        exception("b", "requested(UA)", "apply", &["broken"])
    );
    let codes = codes(&text);
    assert!(!codes.iter().any(|c| c == "E0605"), "{codes:?}");
    assert!(codes.iter().any(|c| c.starts_with('E')), "the broken `when` is still an error: {codes:?}");
}

/// Regression: the same mix-up missed an exception that overrides itself, behind an exception that failed to parse.
#[test]
fn a_precedence_cycle_is_found_next_to_an_exception_that_failed_to_parse() {
    let text = format!(
        "{BASE}{}{}",
        exception("broken", "attacked(", "suspend", &[]),
        exception("x", "attacked(UA)", "suspend", &["x"])
    );
    let codes = codes(&text);
    assert!(codes.iter().any(|c| c == "E0605"), "{codes:?}");
}

/// `when` may be left out of an `excuse` only; a `suspend` or `apply` without it is E0610.
#[test]
fn when_is_required_except_for_an_excuse() {
    let without_when = |effect: &str, acts: &str| {
        format!(
            "{BASE}\n[[exception]]\nid = \"x\"\ncommitments = [\"c\"]\neffect = \"{effect}\"\n{acts}\n[[exception.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
        )
    };
    assert_eq!(codes(&without_when("suspend", "")), ["E0610"]);
    assert_eq!(codes(&without_when("apply", "")), ["E0610"]);
    // `c` is a `defend`: an excuse on it is E0611, not E0610 (its `when` defaults to true).
    assert_eq!(codes(&without_when("excuse", "acts = \"armed_attack\"")), ["E0611"]);
    // An excuse of acts that never breach (a request) would excuse nothing.
    assert_eq!(codes(&without_when("excuse", "acts = \"request\"")), ["E0611", "E0610"]);
}

/// A `threat_lifted` event needs the attacker and the target whose threat it ends.
#[test]
fn a_lifted_threat_names_attacker_and_target() {
    let spec = analyze(BASE).spec.expect("valid");
    let scenario = |fields: &str| {
        format!("[scenario]\nid = \"s\"\nframework = \"t\"\n\n[[event]]\nday = 1\nkind = \"threat_lifted\"\n{fields}\n")
    };
    let (ok, diagnostics) =
        ironclad_spec::scenario::lower_scenario(&scenario("attacker = \"RU\"\ntarget = \"UA\""), &spec);
    assert!(ok.is_some(), "{diagnostics:?}");
    let (missing, diagnostics) = ironclad_spec::scenario::lower_scenario(&scenario("attacker = \"RU\""), &spec);
    assert!(missing.is_none());
    assert!(diagnostics.iter().any(|d| d.code == "E0802"), "{diagnostics:?}");
    let (extra, diagnostics) =
        ironclad_spec::scenario::lower_scenario(&scenario("attacker = \"RU\"\ntarget = \"UA\"\nnuclear = true"), &spec);
    assert!(extra.is_none());
    assert!(diagnostics.iter().any(|d| d.code == "E0802"), "{diagnostics:?}");
}

/// An `[initial]` entry with two bad names reports both (lowering does not stop at the first
/// bad name of an entry): an unknown party and an organisation without its `#`.
#[test]
fn an_initial_entry_reports_each_bad_name() {
    let spec = analyze(&BASE.replace("id = \"UK\"", "id = \"UK\"\ntags = [\"nato\"]")).spec.expect("valid");
    let scenario = |initial: &str| format!("[scenario]\nid = \"s\"\nframework = \"t\"\n\n[initial]\n{initial}\n");
    let codes_of = |initial: &str| {
        let (lowered, diagnostics) = ironclad_spec::scenario::lower_scenario(&scenario(initial), &spec);
        assert!(lowered.is_none());
        let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
        codes.sort_unstable();
        codes
    };
    assert_eq!(codes_of("members = [{ party = \"XX\", organisation = \"nato\" }]"), ["E0101", "E0608"]);
    assert_eq!(codes_of("deployed = [{ party = \"XX\", region = \"YY\" }]"), ["E0101", "E0101"]);
}

/// A requirement in a unit no pledge of its domain uses ("10000 personnel" where the pledges
/// and capacities are in troops) is met by nothing: the simulation counts 0 delivered. W0015
/// says so, naming the requirement and the units its domain's pledges use.
#[test]
fn a_requirement_in_a_unit_no_pledge_uses_warns() {
    let text = BASE
        .replace("id = \"UK\"", "id = \"UK\"\ncapacity = { land = \"7500 troops\", air = \"12 aircraft\" }")
        .replace("domains = [\"land\"]", "domains = [\"land\", \"air\"]\namount = \"5000 troops\"");
    let spec = analyze(&text).spec.expect("valid");
    let scenario = |requirements: &str| {
        format!(
            "[scenario]\nid = \"s\"\nframework = \"t\"\n\n[[event]]\nday = 1\nkind = \"ceasefire_signed\"\n{requirements}"
        )
    };
    let requirement =
        |domain: &str, amount: &str| format!("\n[[requirement]]\ndomain = \"{domain}\"\namount = \"{amount}\"\n");
    let warnings = |requirements: &str| {
        let (lowered, diagnostics) = ironclad_spec::scenario::lower_scenario(&scenario(requirements), &spec);
        assert!(lowered.is_some(), "a warning only: {diagnostics:?}");
        diagnostics
    };
    let d = warnings(&requirement("land", "10000 personnel"));
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), ["W0015"], "{d:?}");
    assert_eq!(d[0].severity, ironclad_spec::Severity::Warning);
    assert!(d[0].message.contains("`10000 personnel`") && d[0].message.contains("`land`"), "{}", d[0].message);
    assert!(d[0].message.contains("`troops`"), "the units the pledges use: {}", d[0].message);
    // A rate is another unit: a pledge of troops meets no need of troops per year.
    assert_eq!(warnings(&requirement("land", "10000 troops/year")).len(), 1);
    // The units of the domain's pledges or capacities, or a count of pledges, are fine; so is a
    // domain nobody pledges anything in (nothing is delivered there, whatever the unit).
    for (domain, amount) in
        [("land", "10000 troops"), ("air", "24 aircraft"), ("air", "2 pledges"), ("maritime", "4 ships")]
    {
        assert_eq!(warnings(&requirement(domain, amount)), [], "{domain} {amount}");
    }
}
