//! A red line that excludes its party from some domains of a clause only ("no ground troops,
//! but air support"): the party stays obliged in the clause's other domains, the obligations
//! report says which domains it does not act in, coverage leaves it out of them, and the
//! simulation counts its pledge only where it acts. Without `domains` (or with all of the
//! clause's) the party is excluded from the whole clause, as before.

use ironclad::Files;
use ironclad::obligations::{Request as ObligationsRequest, obligations};
use ironclad::simulate::{Request, Session, simulate};
use ironclad::spec::Spec;
use ironclad::spec::scenario::Scenario;

/// UK and FR deploy on land and in the air; UK's red line is `red_line_domains` (TOML).
fn spec_text(red_line_domains: &str) -> String {
    format!(
        r#"
[framework]
id = "tiny"
title = "Tiny"
protects = ["UA"]
threat = "RU"

[[source]]
id = "s"
file = "s.txt"

[[region]]
id = "UA"

[[party]]
id = "UA"
territory = ["UA"]

[[party]]
id = "RU"

[[party]]
id = "UK"
capacity = {{ land = "100 troops", air = "10 aircraft" }}

[[party]]
id = "FR"
capacity = {{ land = "100 troops", air = "10 aircraft" }}

[[commitment]]
id = "force"
by = ["UK", "FR"]
to = ["UA"]
kind = "defend"
domains = ["land", "air"]
trigger = "armed_attack where attacker == RU and target == UA"
modality = "automatic"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"

[[red_line]]
id = "uk-no-ground-troops"
party = "UK"
kind = "exclusion"
matches = {{ by = ["UK"], kinds = ["defend"] }}
{red_line_domains}
strength = "statement"

[[red_line.evidence]]
source = "s"
quote = "q"

[model]
honour = {{ treaty = 1.0 }}
uncertain_defaults = false
"#
    )
}

const SCENARIO: &str = r#"
[scenario]
id = "attack"
title = "One attack"
framework = "tiny"

[[event]]
day = 0
kind = "armed_attack"
attacker = "RU"
target = "UA"
region = "UA"
domains = ["land", "air"]

[[requirement]]
domain = "land"
amount = "150 troops"

[[requirement]]
domain = "air"
amount = "15 aircraft"
"#;

fn load(red_line_domains: &str) -> (Files, Spec, Scenario, String) {
    let mut files = Files::new();
    let text = spec_text(red_line_domains);
    let spec_id = files.add("tiny.toml", text.clone());
    let spec = files.spec(spec_id).valid().unwrap_or_else(|e| panic!("the spec is valid: {e:?}")).clone();
    let scenario_id = files.add("attack.toml", SCENARIO.to_string());
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    (files, spec, scenario, text)
}

fn obligations_json(red_line_domains: &str) -> serde_json::Value {
    let (_files, spec, scenario, text) = load(red_line_domains);
    let r = obligations(&spec, "tiny.toml", &text, &scenario, "attack.toml", &ObligationsRequest::default())
        .expect("the replay runs");
    serde_json::to_value(&r).unwrap()
}

/// Mean delivered per need (land, air) at the last horizon, over 2000 runs.
fn delivered(red_line_domains: &str) -> (f64, f64) {
    let (_files, spec, scenario, text) = load(red_line_domains);
    let request = Request { runs: Some(2000), horizons: vec![365.0], ..Request::default() };
    let r = simulate(&Session::new(), &text, SCENARIO, &spec, &scenario, &request, &|_, _| {}, None)
        .expect("the simulation runs");
    let v = serde_json::to_value(&r).unwrap();
    let d = &v["delivered"][0];
    (d[0]["value"].as_f64().unwrap(), d[1]["value"].as_f64().unwrap())
}

fn entry<'a>(v: &'a serde_json::Value, party: &str) -> Option<&'a serde_json::Value> {
    v["obligations"].as_array().unwrap().iter().find(|o| o["party"] == party)
}

#[test]
fn a_domain_limited_exclusion_keeps_the_party_obliged_in_the_other_domains() {
    let v = obligations_json("domains = [\"land\"]");
    let uk = entry(&v, "UK").expect("UK stays obliged");
    assert_eq!(uk["domains"], serde_json::json!(["air"]));
    assert_eq!(uk["excluded_domains"], serde_json::json!([{ "domains": ["land"], "red_line": "uk-no-ground-troops" }]));
    let fr = entry(&v, "FR").expect("FR is obliged");
    assert_eq!(fr["domains"], serde_json::json!(["land", "air"]));
    assert!(fr.get("excluded_domains").is_none());
    let coverage = v["coverage"].as_array().unwrap();
    let parties = |d: &str| coverage.iter().find(|c| c["domain"] == d).unwrap()["parties"].clone();
    assert_eq!(parties("land"), serde_json::json!(["FR"]));
    assert_eq!(parties("air"), serde_json::json!(["UK", "FR"]));
}

#[test]
fn without_domains_or_with_all_of_them_the_party_leaves_the_whole_clause() {
    for domains in ["", "domains = [\"land\", \"air\"]"] {
        let v = obligations_json(domains);
        assert!(entry(&v, "UK").is_none(), "{domains}: UK is excluded from the clause");
        assert!(entry(&v, "FR").is_some());
    }
    // A domain the clause does not have changes nothing.
    let v = obligations_json("domains = [\"maritime\"]");
    assert_eq!(entry(&v, "UK").unwrap()["domains"], serde_json::json!(["land", "air"]));
}

#[test]
fn the_simulation_counts_the_pledge_only_where_the_party_acts() {
    let (land_all, air_all) = delivered("domains = [\"maritime\"]");
    let (land_air_only, air_air_only) = delivered("domains = [\"land\"]");
    let (land_none, air_none) = delivered("");
    // Certain honour, a year's horizon: what arrives is each acting party's capacity draw.
    assert!(land_air_only < 0.6 * land_all, "land {land_air_only} vs {land_all}");
    // UK's troops are gone either way (the pair lists differ, so the draws do: within noise).
    assert!((land_air_only - land_none).abs() < 0.05 * land_all, "{land_air_only} vs {land_none}");
    assert_eq!(air_air_only, air_all, "UK still flies: the same draws, the same bits");
    assert!(air_none < 0.6 * air_all, "excluded from the whole clause, UK does not fly either");
}
