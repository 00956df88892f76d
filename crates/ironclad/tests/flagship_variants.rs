//! Every option of every variant of the flagship changes what it says it changes, in the
//! direction its summary states (issue 10): each variant is pinned option by option, the other
//! variants at their defaults, and the obligations (or, for a red line, the escalation risk)
//! compared on a scenario where the question matters.

use ironclad::Files;
use ironclad::engine::Compiled;
use ironclad::engine::timeline::{self, Replay, Status};
use ironclad::simulate::{Request, Session, simulate};
use ironclad::spec::Spec;
use ironclad::spec::scenario::Scenario;
use ironclad::spec::vocab::Domain;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn flagship_text() -> String {
    std::fs::read_to_string(root().join("frameworks/coalition-2025.toml")).expect("the flagship is readable")
}

fn load(scenario_text: &str) -> (Spec, Scenario) {
    let mut files = Files::new();
    let spec_id = files.add("coalition-2025.toml", flagship_text());
    let spec = files.spec(spec_id).valid().expect("the flagship is valid").clone();
    let scenario_id = files.add("scenario.toml", scenario_text.to_string());
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (spec, scenario)
}

fn bundled(name: &str) -> String {
    std::fs::read_to_string(root().join("scenarios").join(name)).expect("the scenario is readable")
}

/// A ceasefire, the force in place, then a peace deal, and a strike on the force.
const DEAL_THEN_STRIKE: &str = r#"
[scenario]
id = "deal-then-strike"
title = "Ceasefire, force deployed, peace deal, then a strike on the force"
framework = "coalition-2025"

[initial]
consent = ["UA"]

[[event]]
day = 0
kind = "ceasefire_signed"

[[event]]
day = 10
kind = "force_deployed"
party = "UK"
region = "Kyiv"

[[event]]
day = 20
kind = "peace_signed"

[[event]]
day = 60
kind = "strike_on_forces"
attacker = "RU"
owner = "UK"
region = "Kyiv"
domains = ["air"]
scale = "significant"
"#;

fn replay(spec: &Spec, scenario: &Scenario, variant: &str, option: &str) -> Replay {
    let compiled = Compiled::new(spec).expect("compiles");
    let mut selection = timeline::default_selection(spec);
    let v = spec.variants.iter().position(|v| v.id == variant).unwrap_or_else(|| panic!("variant {variant}"));
    let o = spec.variants[v].options.iter().position(|o| o.id == option).unwrap_or_else(|| panic!("option {option}"));
    selection[v] = o as u16;
    timeline::replay(spec, &compiled, scenario, selection, None)
}

/// Obligations of `party` in `domain` that are open at the end of the replay.
fn open(spec: &Spec, r: &Replay, party: &str, domain: Domain) -> usize {
    r.obligations
        .iter()
        .filter(|o| spec.party(o.party).id == party && o.status.open())
        .filter(|o| spec.commitment(o.commitment).domains.contains(&domain))
        .count()
}

/// Every obligation of `party` in `domain` that ever arose.
fn arose(spec: &Spec, r: &Replay, party: &str, domain: Domain) -> usize {
    r.obligations
        .iter()
        .filter(|o| spec.party(o.party).id == party)
        .filter(|o| spec.commitment(o.commitment).domains.contains(&domain))
        .count()
}

#[test]
fn every_flagship_variant_is_tested_here() {
    let (spec, _) = load(&bundled("ceasefire-then-offensive.toml"));
    let ids: Vec<&str> = spec.variants.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "us-military-support",
            "us-backstop",
            "tripwire",
            "proposals-adopted",
            "summit-commitments",
            "trump-call-package"
        ],
        "a variant was added or renamed: give it a direction test below"
    );
}

#[test]
fn us_military_support_none_ceasefire_peace_deal() {
    // Ceasefire then offensive: a ceasefire, no peace deal.
    let (spec, e) = load(&bundled("ceasefire-then-offensive.toml"));
    let none = replay(&spec, &e, "us-military-support", "none");
    let ceasefire = replay(&spec, &e, "us-military-support", "after-ceasefire");
    let deal = replay(&spec, &e, "us-military-support", "after-peace-deal");
    for d in [Domain::Air, Domain::AirDefence, Domain::Intelligence] {
        assert_eq!(arose(&spec, &none, "US", d), 0, "{d}: `none` gives the US no military obligation");
        assert_eq!(arose(&spec, &deal, "US", d), 0, "{d}: no peace deal on this scenario");
        // An entry condition: the support stands past the ceasefire's breach on day 183.
        assert!(open(&spec, &ceasefire, "US", d) > 0, "{d}: support after the ceasefire is still owed at the end");
    }
    // With a peace deal, the peace-deal reading obliges the US too.
    let (spec, deal_scenario) = load(DEAL_THEN_STRIKE);
    let deal = replay(&spec, &deal_scenario, "us-military-support", "after-peace-deal");
    let none = replay(&spec, &deal_scenario, "us-military-support", "none");
    assert!(arose(&spec, &deal, "US", Domain::AirDefence) > 0);
    assert_eq!(arose(&spec, &none, "US", Domain::AirDefence), 0);
}

#[test]
fn us_backstop_given_obliges_the_us_when_the_force_is_struck() {
    let (spec, s) = load(DEAL_THEN_STRIKE);
    let given = replay(&spec, &s, "us-backstop", "given");
    let not_given = replay(&spec, &s, "us-backstop", "not-given");
    let backstop = |r: &Replay| {
        r.obligations.iter().filter(|o| spec.commitment(o.commitment).id == "us-backstop-to-force").count()
    };
    assert!(backstop(&given) > 0, "the strike on the force tests the backstop");
    assert_eq!(backstop(&not_given), 0);
}

#[test]
fn tripwire_as_claimed_obliges_the_us_to_defend_the_force() {
    let (spec, s) = load(DEAL_THEN_STRIKE);
    let claimed = replay(&spec, &s, "tripwire", "as-claimed");
    let none = replay(&spec, &s, "tripwire", "no-tripwire");
    let defend = |r: &Replay| {
        r.obligations
            .iter()
            .filter(|o| spec.party(o.party).id == "US" && spec.commitment(o.commitment).id == "tripwire-claim")
            .count()
    };
    assert!(defend(&claimed) > 0, "the claim survives the US land red line: it is in the air");
    assert_eq!(defend(&none), 0);
}

#[test]
fn proposals_adopted_adds_land_and_air_defence_obligations() {
    let (spec, e) = load(&bundled("ceasefire-then-offensive.toml"));
    let adopted = replay(&spec, &e, "proposals-adopted", "adopted");
    let not = replay(&spec, &e, "proposals-adopted", "not-adopted");
    for d in [Domain::Land, Domain::AirDefence] {
        let count =
            |r: &Replay| r.obligations.iter().filter(|o| spec.commitment(o.commitment).domains.contains(&d)).count();
        assert!(count(&adopted) > count(&not), "{d}: {} vs {}", count(&adopted), count(&not));
    }
    let proposals = |r: &Replay| {
        r.obligations
            .iter()
            .filter(|o| ["article5-like", "designated-land"].contains(&spec.commitment(o.commitment).id.as_str()))
            .count()
    };
    assert_eq!(proposals(&not), 0, "a proposal not adopted obliges nobody");
}

#[test]
fn summit_commitments_made_adds_weapons_and_training() {
    let (spec, e) = load(&bundled("ceasefire-then-offensive.toml"));
    let made = replay(&spec, &e, "summit-commitments", "made");
    let not = replay(&spec, &e, "summit-commitments", "not-made");
    for d in [Domain::Weapons, Domain::Logistics, Domain::Training] {
        assert!(arose(&spec, &made, "UK", d) > 0, "{d}");
        assert_eq!(arose(&spec, &not, "UK", d), 0, "{d}");
    }
}

#[test]
fn trump_call_package_as_described_obliges_the_us_to_finance_after_a_deal() {
    let (spec, s) = load(DEAL_THEN_STRIKE);
    let described = replay(&spec, &s, "trump-call-package", "as-described");
    let not = replay(&spec, &s, "trump-call-package", "not-as-described");
    assert!(arose(&spec, &described, "US", Domain::Financing) > 0);
    assert_eq!(arose(&spec, &not, "US", Domain::Financing), 0);
    // Not before a peace deal: nothing on the ceasefire-only scenario.
    let (spec, e) = load(&bundled("ceasefire-then-offensive.toml"));
    let described = replay(&spec, &e, "trump-call-package", "as-described");
    assert_eq!(arose(&spec, &described, "US", Domain::Financing), 0);
}

#[test]
fn the_russian_threat_stands_in_every_reading_so_escalation_is_possible_in_each() {
    // `ru-legitimate-targets` is in the base (a public statement; the earlier third-hand report of
    // Putin accepting Western troops is evidence against it, not an option that deletes it): the
    // UK and French force in Ukraine crosses it whatever the readings, and only the force does.
    let e_text = bundled("ceasefire-then-offensive.toml");
    let (spec, e) = load(&e_text);
    let line = spec.red_lines.iter().find(|r| r.id == "ru-legitimate-targets").expect("the red line");
    assert!(line.option.is_none(), "in the base, not in a variant option");
    let session = Session::new();
    let run = |variants: Vec<String>| {
        let request = Request { runs: Some(4000), variants, ..Request::default() };
        simulate(&session, &flagship_text(), &e_text, &spec, &e, &request, &|_, _| {}, None)
            .expect("runs")
            .summary
            .escalation
            .value
    };
    assert!(run(vec![]) > 0.05);
    assert!(run(vec!["us-military-support=none".into(), "proposals-adopted=not-adopted".into()]) > 0.05);
}

#[test]
fn an_entry_condition_outlives_the_ceasefire_a_continuing_one_does_not() {
    // The force's consent is continuing; its ceasefire is an entry condition: after the ceasefire
    // breaks on day 183 the UK is still obliged (fulfilled), and the US support, entered on day 0,
    // is still open, where it used to lapse on the day of the offensive.
    let (spec, e) = load(&bundled("ceasefire-then-offensive.toml"));
    let r = replay(&spec, &e, "us-military-support", "after-ceasefire");
    let lapsed: Vec<&str> = r
        .obligations
        .iter()
        .filter(|o| o.status == Status::Lapsed)
        .map(|o| spec.commitment(o.commitment).id.as_str())
        .collect();
    assert!(lapsed.is_empty(), "nothing lapses when the ceasefire breaks: {lapsed:?}");
}
