//! Amount ranges (`"50..100 troops"`): the pledge is sampled uniformly in the range, so the mean
//! delivered is the exact amount's times (1 + floor) / 2, and a spec without ranges is unchanged.

use ironclad::Files;
use ironclad::simulate::{Request, SimulateReport, simulate};

/// One treaty guarantor pledging `amount` against a need of 1000 troops (never met, so
/// delivered is not capped).
fn run(amount: &str, seed: u64) -> SimulateReport {
    let spec = format!(
        "[framework]\nid = \"tiny\"\ntitle = \"Tiny\"\nprotects = [\"UA\"]\nthreat = \"RU\"\n\n\
         [[source]]\nid = \"s\"\nfile = \"s.txt\"\n\n[[region]]\nid = \"UA\"\n\n\
         [[party]]\nid = \"UA\"\nterritory = [\"UA\"]\n\n[[party]]\nid = \"RU\"\n\n[[party]]\nid = \"G\"\n\n\
         [[commitment]]\nid = \"c\"\nby = [\"G\"]\nto = [\"UA\"]\nkind = \"defend\"\ndomains = [\"land\"]\namount = \"{amount}\"\n\
         trigger = \"armed_attack where attacker == RU and target == UA\"\nmodality = \"automatic\"\nstrength = \"treaty\"\n\n\
         [[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
    );
    let scenario = "[scenario]\nid = \"attack\"\ntitle = \"One attack\"\nframework = \"tiny\"\n\n\
                    [[event]]\nday = 0\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\ndomains = [\"land\"]\n\n\
                    [[requirement]]\ndomain = \"land\"\namount = \"1000 troops\"\n";
    let mut files = Files::new();
    let spec_id = files.add("tiny.toml", spec.clone());
    let parsed = files.spec(spec_id).valid().unwrap_or_else(|e| panic!("{e:?}")).clone();
    let scenario_id = files.add("attack.toml", scenario.to_string());
    let sc = files.scenario(scenario_id, &parsed).expect("the scenario is valid");
    let request = Request { runs: Some(200_000), seed, horizons: vec![3650.0], ..Request::default() };
    simulate(&ironclad::Session::new(), &spec, scenario, &parsed, &sc, &request, &|_, _| {}, None).expect("runs")
}

#[test]
fn a_range_scales_the_mean_delivered_by_the_middle_of_the_range() {
    let exact = run("100 troops", 1).summary.delivered[0][0];
    let ranged = run("50..100 troops", 1).summary.delivered[0][0];
    let ratio = ranged.value / exact.value;
    // E[U(0.5, 1)] = 0.75; the two runs share their numbers, so the ratio is tight.
    assert!((ratio - 0.75).abs() < 0.01, "ratio {ratio}");
    // Honouring is drawn before the amount: the same runs honour either way.
    let (a, b) = (run("100 troops", 1), run("50..100 troops", 1));
    assert_eq!(
        a.summary.commitments[0].honour.as_ref().unwrap().value,
        b.summary.commitments[0].honour.as_ref().unwrap().value
    );
}

#[test]
fn a_range_whose_ends_meet_is_the_exact_amount_bit_for_bit() {
    let exact = serde_json::to_string(&run("100 troops", 3).summary).unwrap();
    let same = serde_json::to_string(&run("100..100 troops", 3).summary).unwrap();
    assert_eq!(exact, same);
}
