//! Helpers shared by the engine's integration tests: replay a scenario text on a spec text.

use ironclad_engine::Compiled;
use ironclad_engine::timeline::{Replay, Status, default_selection, replay};
use ironclad_spec::model::Spec;
use ironclad_spec::scenario::Scenario;

/// The spec `spec` (valid, else the test fails with its diagnostics), the scenario whose
/// `[scenario]` table is `header` and whose events and `[initial]` state are `body` (valid too),
/// and the compiled spec.
pub fn parsed(spec: &str, header: &str, body: &str) -> (Spec, Scenario, Compiled) {
    let analysis = ironclad_spec::analyze(spec);
    let spec = analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics));
    let text = format!("[scenario]\n{header}\n{body}");
    let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(&text, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let compiled = Compiled::new(&spec).expect("small");
    (spec, scenario, compiled)
}

/// The spec `spec` and the replay on it, with the default variant selection, of the scenario
/// [`parsed`] from `header` and `body`.
#[allow(dead_code)] // not every test file replays to the end
pub fn replayed(spec: &str, header: &str, body: &str) -> (Spec, Replay) {
    let (spec, scenario, compiled) = parsed(spec, header, body);
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), None);
    (spec, r)
}

/// (commitment, party, status) of every obligation of `r`, in the replay's order.
#[allow(dead_code)] // not every test file reads statuses
pub fn statuses(spec: &Spec, r: &Replay) -> Vec<(String, String, Status)> {
    r.obligations
        .iter()
        .map(|o| (spec.commitment(o.commitment).id.clone(), spec.party(o.party).id.clone(), o.status))
        .collect()
}
