//! Membership in the library: the UK-Ukraine agreement "ends or is folded into NATO arrangements
//! if Ukraine joins NATO", encoded as `void_if` on Ukraine's `accession` to `#nato`
//! (`frameworks/uk-ukraine-2024.toml`). Replayed through the front door's engine.

use std::path::Path;

use ironclad::engine::Compiled;
use ironclad::engine::timeline::{Status, default_selection, replay};

fn uk_ukraine() -> ironclad::spec::Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks/uk-ukraine-2024.toml");
    let text = std::fs::read_to_string(path).expect("readable");
    let analysis = ironclad::spec::analyze(&text);
    analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics))
}

/// (commitment, party, status) of every obligation at the end of `events` (2024-03-01 is day 0).
fn obligations(events: &str) -> Vec<(String, String, Status)> {
    let spec = uk_ukraine();
    let text = format!("[scenario]\nid = \"t\"\nframework = \"uk-ukraine-2024\"\nstart = 2024-03-01\n{events}");
    let (scenario, diagnostics) = ironclad::spec::scenario::lower_scenario(&text, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let compiled = Compiled::new(&spec).expect("small");
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), None);
    let mut out: Vec<_> = r
        .obligations
        .iter()
        .map(|o| (spec.commitment(o.commitment).id.clone(), spec.party(o.party).id.clone(), o.status))
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

const ATTACK: &str =
    "\n[[event]]\nday = 120\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\n";

fn membership(kind: &str, party: &str) -> String {
    format!("\n[[event]]\nday = 100\nkind = \"{kind}\"\nparty = \"{party}\"\norganisation = \"#nato\"\n")
}

#[test]
fn the_uk_agreement_ends_when_ukraine_joins_nato() {
    // Without accession: the aid stands, and the attack makes the 24-hour consultation due.
    let before = obligations(ATTACK);
    let o = |c: &str, p: &str, s: Status| (c.to_string(), p.to_string(), s);
    assert_eq!(
        before,
        [
            o("consult-24h", "UA", Status::Due),
            o("consult-24h", "UK", Status::Due),
            o("military-aid-2024", "UK", Status::Pending)
        ]
    );
    // Ukraine joins on day 100: the aid is voided, and the later attack owes no consultation.
    let after = obligations(&format!("{}{ATTACK}", membership("accession", "UA")));
    assert_eq!(after, [("military-aid-2024".to_string(), "UK".to_string(), Status::Voided)]);
}

#[test]
fn another_accession_changes_nothing() {
    let other = obligations(&format!("{}{ATTACK}", membership("accession", "RU")));
    assert_eq!(other, obligations(ATTACK));
}

#[test]
fn a_membership_that_holds_from_the_start_ends_the_agreement_too() {
    // Ukraine already a member when the scenario starts: no clause obliges (review finding: the
    // `void_if` on the accession event alone missed this case).
    let initial = "\n[initial]\nmembers = [{ party = \"UA\", organisation = \"#nato\" }]\n";
    assert_eq!(obligations(&format!("{initial}{ATTACK}")), []);
    // Another party's initial membership changes nothing.
    let other = "\n[initial]\nmembers = [{ party = \"RU\", organisation = \"#nato\" }]\n";
    assert_eq!(obligations(&format!("{other}{ATTACK}")), obligations(ATTACK));
}
