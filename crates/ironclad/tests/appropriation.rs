//! Appropriation in the library: the US-Ukraine agreement's funding is "subject to the
//! availability of funds", encoded as `continuing = ["appropriated(funding)"]`
//! (`frameworks/us-ukraine-2024.toml`). Replayed through the front door's engine.

use std::path::Path;

use ironclad::engine::Compiled;
use ironclad::engine::timeline::{Status, default_selection, replay};

/// The status of each US `funding` obligation at the end of `events` (2024-07-01 is day 0).
fn funding(events: &str) -> Vec<Status> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks/us-ukraine-2024.toml");
    let analysis = ironclad::spec::analyze(&std::fs::read_to_string(path).expect("readable"));
    let spec = analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics));
    let text = format!("[scenario]\nid = \"t\"\nframework = \"us-ukraine-2024\"\nstart = 2024-07-01\n{events}");
    let (scenario, diagnostics) = ironclad::spec::scenario::lower_scenario(&text, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let compiled = Compiled::new(&spec).expect("small");
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), None);
    r.obligations.iter().filter(|o| spec.commitment(o.commitment).id == "funding").map(|o| o.status).collect()
}

const ATTACK: &str =
    "\n[[event]]\nday = 0\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\n";

fn funds(day: i64, kind: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"{kind}\"\nparty = \"US\"\ncommitment = \"funding\"\n")
}

#[test]
fn us_funding_waits_for_an_appropriation_and_lapses_with_a_rescission() {
    assert_eq!(funding(ATTACK), [], "no funds appropriated: no money is owed");
    assert_eq!(funding(&format!("{ATTACK}{}", funds(10, "appropriation"))), [Status::Pending]);
    assert_eq!(
        funding(&format!("{ATTACK}{}{}", funds(10, "appropriation"), funds(100, "rescission"))),
        [Status::Lapsed]
    );
    // Funds appropriated before the scenario starts (the 2024 appropriation).
    assert_eq!(funding(&format!("\n[initial]\nappropriated = [\"funding\"]\n{ATTACK}")), [Status::Pending]);
}
