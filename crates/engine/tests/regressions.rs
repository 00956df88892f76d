//! Regressions of the replay semantics, one scenario each.

mod common;

use ironclad_engine::Compiled;
use ironclad_engine::timeline::{Status, default_selection, replay};

const BASE: &str = r#"
[framework]
id = "r"
title = "Regressions"
protects = ["UA"]
threat = "RU"
in_force = 2025-01-01

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "UA"
[[party]]
id = "RU"
[[party]]
id = "UK"
[[party]]
id = "FR"

[[region]]
id = "UA"

[[body]]
id = "council"
members = ["UK", "FR"]
rule = "consensus"
"#;

fn commitment(id: &str, fields: &str) -> String {
    format!(
        "\n[[commitment]]\nid = \"{id}\"\nto = [\"UA\"]\nmodality = \"automatic\"\nstrength = \"treaty\"\n{fields}\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
    )
}

/// (commitment, party, status) of every obligation after replaying `scenario` on `spec`.
fn obligations(spec: &str, scenario: &str) -> Vec<(String, String, Status)> {
    let (spec, r) = replayed(spec, scenario);
    common::statuses(&spec, &r)
}

fn attack(day: i64) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\n")
}

const DEFEND: &str = "by = [\"UK\"]\nkind = \"defend\"\ntrigger = \"armed_attack where target == UA\"";

#[test]
fn nothing_is_owed_before_the_framework_enters_into_force() {
    let spec = format!("{BASE}{}", commitment("d", DEFEND));
    // Day 10 is 2024-12-11, before 2025-01-01; day 40 is 2025-01-10.
    assert_eq!(obligations(&spec, &attack(10)), []);
    assert_eq!(obligations(&spec, &attack(40)), [("d".into(), "UK".into(), Status::Pending)]);
}

#[test]
fn a_void_after_the_trigger_ends_the_wait_for_a_decision() {
    let spec = format!(
        "{BASE}{}",
        commitment("d", &format!("{DEFEND}\ncontinuing = [\"decided(council)\"]\nvoid_if = \"ceasefire_signed\""))
    );
    let decide = "\n[[event]]\nday = 50\nkind = \"decision\"\nbody = \"council\"\ndefault = \"yes\"\n";
    assert_eq!(obligations(&spec, &format!("{}{decide}", attack(40))), [("d".into(), "UK".into(), Status::Pending)]);
    let void = "\n[[event]]\nday = 45\nkind = \"ceasefire_signed\"\n";
    assert_eq!(obligations(&spec, &format!("{}{void}{decide}", attack(40))), []);
}

#[test]
fn only_a_passed_decision_activates_a_waiting_trigger() {
    let spec = format!("{BASE}{}", commitment("d", &format!("{DEFEND}\ncontinuing = [\"decided(council)\"]")));
    let objection = "\n[[event]]\nday = 50\nkind = \"decision\"\nbody = \"council\"\nvotes = { FR = \"no\" }\n";
    assert_eq!(obligations(&spec, &format!("{}{objection}", attack(40))), []);
}

#[test]
fn withdrawal_by_a_non_obligor_does_not_fail_a_commitment() {
    let backstop = "by = [\"FR\"]\nkind = \"backstop\"\nbacks = \"d\"";
    let spec = format!("{BASE}{}{}", commitment("d", DEFEND), commitment("b", backstop));
    let withdraw = |party: &str| {
        format!(
            "\n[[event]]\nday = 50\nkind = \"position_change\"\nparty = \"{party}\"\nwithdraws = true\ncommitment = \"d\"\n"
        )
    };
    assert_eq!(
        obligations(&spec, &format!("{}{}", attack(40), withdraw("FR"))),
        [("d".into(), "UK".into(), Status::Pending)]
    );
    let by_obligor = obligations(&spec, &format!("{}{}", attack(40), withdraw("UK")));
    assert_eq!(by_obligor, [("d".into(), "UK".into(), Status::Lapsed), ("b".into(), "FR".into(), Status::Pending)]);
}

#[test]
fn seeking_action_is_done_only_in_a_body_the_party_sits_in() {
    let seek = "by = [\"UK\", \"UA\"]\nkind = \"seek\"\ntrigger = \"armed_attack where target == UA\"";
    let spec = format!("{BASE}{}", commitment("s", seek));
    let vote = "\n[[event]]\nday = 41\nkind = \"decision\"\nbody = \"council\"\ndefault = \"yes\"\n";
    let got = obligations(&spec, &format!("{}{vote}", attack(40)));
    assert_eq!(got, [("s".into(), "UA".into(), Status::Pending), ("s".into(), "UK".into(), Status::Fulfilled)]);
}

#[test]
fn a_backstop_after_a_missed_deadline_starts_the_day_after_it() {
    let consult = "by = [\"UK\"]\nkind = \"deploy\"\ntrigger = \"armed_attack where target == UA\"\ndeadline = \"5d\"";
    let backstop = "by = [\"FR\"]\nkind = \"backstop\"\nbacks = \"d\"";
    let spec = format!("{BASE}{}{}", commitment("d", consult), commitment("b", backstop));
    let analysis = ironclad_spec::analyze(&spec);
    let spec = analysis.spec.expect("valid");
    let text = format!(
        "[scenario]\nid = \"t\"\nframework = \"r\"\nstart = 2024-12-01\n{}{}",
        attack(40),
        "\n[[event]]\nday = 60\nkind = \"threat\"\nattacker = \"RU\"\ntarget = \"UA\"\n"
    );
    let scenario = ironclad_spec::scenario::lower_scenario(&text, &spec).0.expect("valid");
    let compiled = Compiled::new(&spec).expect("small");
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), None);
    let b = r.obligations.iter().find(|o| spec.commitment(o.commitment).id == "b").expect("the backstop fires");
    assert_eq!(b.since, 46, "deadline day 45 passed, so the backstop arises on day 46");
}

/// Regression: a decision that finds the awaiting pair already open (obliged since by another
/// event) used to write itself as `activated_by` of the last obligation, overwriting its cause.
#[test]
fn a_decision_does_not_overwrite_the_cause_of_an_obligation_it_did_not_open() {
    let spec_text = format!(
        "{BASE}{}",
        commitment("d", &format!("{DEFEND}\ncontinuing = [\"decided(council) or requested(UA)\"]"))
    );
    let request = "\n[[event]]\nday = 42\nkind = \"request\"\nparty = \"UA\"\n";
    let decide = "\n[[event]]\nday = 50\nkind = \"decision\"\nbody = \"council\"\ndefault = \"yes\"\n";
    let scenario_text = format!(
        "[scenario]\nid = \"t\"\nframework = \"r\"\nstart = 2024-12-01\n{}{request}{}{decide}",
        attack(40),
        attack(44)
    );
    let analysis = ironclad_spec::analyze(&spec_text);
    let spec = analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics));
    let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(&scenario_text, &spec);
    let scenario = scenario.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let compiled = Compiled::new(&spec).expect("small");
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), None);
    assert_eq!(r.obligations.len(), 1, "{:#?}", r.obligations);
    let o = &r.obligations[0];
    // Opened by the second attack (event 2), after the request: not by the decision (event 3).
    assert_eq!(o.cause, ironclad_engine::timeline::Cause::Event(2));
    assert_eq!(o.activated_by, None);
}

/// The replay of `scenario` (events after the fixed header) on `spec`, with the spec.
fn replayed(spec: &str, scenario: &str) -> (ironclad_spec::model::Spec, ironclad_engine::timeline::Replay) {
    common::replayed(spec, "id = \"t\"\nframework = \"r\"\nstart = 2024-12-01", scenario)
}

/// A withdrawal under a framework with `notice` takes effect when the notice has run: until
/// then the party stays bound (its obligation open, new ones still arise); then they lapse, on
/// that day, and the commitment fails, testing its backstop.
#[test]
fn a_withdrawal_takes_effect_when_the_notice_period_has_run() {
    let backstop = "by = [\"FR\"]\nkind = \"backstop\"\nbacks = \"d\"";
    let with_notice = BASE.replace("in_force = 2025-01-01", "in_force = 2025-01-01\nnotice = \"30d\"");
    let spec = format!("{with_notice}{}{}", commitment("d", DEFEND), commitment("b", backstop));
    let withdraw =
        "\n[[event]]\nday = 50\nkind = \"position_change\"\nparty = \"UK\"\nwithdraws = true\ncommitment = \"d\"\n";
    let status = |r: &ironclad_engine::timeline::Replay, spec: &ironclad_spec::model::Spec| -> Vec<(String, Status)> {
        r.obligations.iter().map(|o| (spec.commitment(o.commitment).id.clone(), o.status)).collect()
    };
    // Within the notice period (an event on day 70 < 50 + 30): UK still bound, no backstop.
    let (s, r) = replayed(
        &spec,
        &format!(
            "{}{withdraw}{}",
            attack(40),
            "\n[[event]]\nday = 70\nkind = \"threat\"\nattacker = \"RU\"\ntarget = \"UA\"\n"
        ),
    );
    assert_eq!(status(&r, &s), [("d".into(), Status::Pending)]);
    // Past it (day 90): lapsed on day 80, closed by the withdrawal; the backstop is owed from day 80.
    let (s, r) = replayed(
        &spec,
        &format!(
            "{}{withdraw}{}",
            attack(40),
            "\n[[event]]\nday = 90\nkind = \"threat\"\nattacker = \"RU\"\ntarget = \"UA\"\n"
        ),
    );
    assert_eq!(status(&r, &s), [("d".into(), Status::Lapsed), ("b".into(), Status::Pending)]);
    assert_eq!(r.obligations[0].closed_on, Some(80));
    assert_eq!(r.obligations[0].closed_by, Some(1));
    assert_eq!(r.obligations[1].since, 80);
    // A second attack during the notice period, after the first obligation was fulfilled, still
    // creates one (the party is bound until the notice has run).
    let deploy = "by = [\"UK\"]\nkind = \"consult\"\ntrigger = \"armed_attack where target == UA\"";
    let spec = format!("{with_notice}{}", commitment("d", deploy));
    let consulted = "\n[[event]]\nday = 45\nkind = \"consultation\"\nparty = \"UK\"\n";
    let (s, r) = replayed(&spec, &format!("{}{consulted}{withdraw}{}", attack(40), attack(60)));
    assert_eq!(status(&r, &s), [("d".into(), Status::Fulfilled), ("d".into(), Status::Pending)]);
    // Without notice: at once, as before.
    let spec = format!("{BASE}{}{}", commitment("d", DEFEND), commitment("b", backstop));
    let (s, r) = replayed(&spec, &format!("{}{withdraw}", attack(40)));
    assert_eq!(status(&r, &s), [("d".into(), Status::Lapsed), ("b".into(), Status::Pending)]);
    assert_eq!(r.obligations[0].closed_on, None);
    assert_eq!(r.obligations[1].since, 50);
}

/// Backstops are tested at every failure of what they back, not only the first: a backstop
/// fulfilled after a first strike on the force is owed again at the second.
#[test]
fn a_backstop_is_tested_at_every_failure_of_what_it_backs() {
    let deploy = "by = [\"UK\"]\nkind = \"deploy\"\ntrigger = \"armed_attack where target == UA\"";
    let backstop = "by = [\"FR\"]\nkind = \"backstop\"\nbacks = \"d\"";
    let spec = format!("{BASE}{}{}", commitment("d", deploy), commitment("b", backstop));
    let event = |day: i64, body: &str| format!("\n[[event]]\nday = {day}\n{body}\n");
    let strike = "kind = \"strike_on_forces\"\nattacker = \"RU\"\nowner = \"UK\"\nregion = \"UA\"";
    let scenario = [
        attack(40),
        event(41, "kind = \"force_deployed\"\nparty = \"UK\"\nregion = \"UA\""),
        event(50, strike),
        event(55, "kind = \"action\"\nparty = \"FR\"\ncommitment = \"b\""),
        event(80, strike),
    ]
    .concat();
    let (s, r) = replayed(&spec, &scenario);
    let got: Vec<(String, Status, i64)> =
        r.obligations.iter().map(|o| (s.commitment(o.commitment).id.clone(), o.status, o.since)).collect();
    assert_eq!(
        got,
        [("d".into(), Status::Fulfilled, 40), ("b".into(), Status::Fulfilled, 50), ("b".into(), Status::Pending, 80)]
    );
}

/// A backstop that needs a body's decision waits for it when what it backs fails, as a
/// triggered commitment does, instead of never being tested again.
#[test]
fn a_backstop_that_needs_a_decision_waits_for_it() {
    let deploy = "by = [\"UK\"]\nkind = \"deploy\"\ntrigger = \"armed_attack where target == UA\"\ndeadline = \"5d\"";
    let backstop = "by = [\"FR\"]\nkind = \"backstop\"\nbacks = \"d\"\nconditions = [\"decided(council)\"]";
    let spec = format!("{BASE}{}{}", commitment("d", deploy), commitment("b", backstop));
    let vote = "\n[[event]]\nday = 60\nkind = \"decision\"\nbody = \"council\"\ndefault = \"yes\"\n";
    let (s, r) = replayed(&spec, &format!("{}{vote}", attack(40)));
    let got: Vec<(String, Status, i64)> =
        r.obligations.iter().map(|o| (s.commitment(o.commitment).id.clone(), o.status, o.since)).collect();
    assert_eq!(got, [("d".into(), Status::Overdue, 40), ("b".into(), Status::Pending, 60)]);
    assert_eq!(r.obligations[1].activated_by, Some(1));
    assert!(matches!(r.obligations[1].cause, ironclad_engine::timeline::Cause::Backstop { .. }));
    // A decision that fails supplies nothing: no backstop.
    let no = vote.replace("default = \"yes\"", "default = \"no\"");
    let (_, r) = replayed(&spec, &format!("{}{no}", attack(40)));
    assert_eq!(r.obligations.len(), 1);
}

/// `requested(#tag)` holds once any member of the tag has requested: a request by FR (tagged
/// `eu`) opens the obligation, one by UA (untagged) does not.
#[test]
fn requested_of_a_tag_holds_when_any_member_has_requested() {
    let tagged = BASE.replace("[[party]]\nid = \"FR\"", "[[party]]\nid = \"FR\"\ntags = [\"eu\"]");
    let assist = "by = [\"UK\"]\nkind = \"assist\"\ntrigger = \"armed_attack where target == UA\"\ncontinuing = [\"requested(#eu)\"]";
    let spec = format!("{tagged}{}", commitment("a", assist));
    let request = |party: &str| format!("\n[[event]]\nday = 30\nkind = \"request\"\nparty = \"{party}\"\n");
    assert_eq!(
        obligations(&spec, &format!("{}{}", request("FR"), attack(40))),
        [("a".into(), "UK".into(), Status::Pending)]
    );
    assert_eq!(obligations(&spec, &format!("{}{}", request("UA"), attack(40))), []);
}

/// `scope_except` carves regions out of a scope ("not on the front line"): an attack there does
/// not trigger the commitment, a deployment there does not fulfil it, and a strike there does
/// not strike it (no backstop).
#[test]
fn scope_except_carves_regions_out_of_a_scope() {
    let regions = BASE.replace(
        "[[region]]\nid = \"UA\"",
        "[[region]]\nid = \"UA\"\n\n[[region]]\nid = \"front\"\nwithin = \"UA\"\n\n[[region]]\nid = \"west\"\nwithin = \"UA\"",
    );
    let attack_in = |day: i64, region: &str| {
        format!(
            "\n[[event]]\nday = {day}\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"{region}\"\n"
        )
    };
    let defend = "by = [\"UK\"]\nkind = \"defend\"\ntrigger = \"armed_attack where target == UA\"\nscope = [\"UA\"]\nscope_except = [\"front\"]";
    let spec = format!("{regions}{}", commitment("d", defend));
    assert_eq!(obligations(&spec, &attack_in(40, "front")), []);
    assert_eq!(obligations(&spec, &attack_in(40, "west")), [("d".into(), "UK".into(), Status::Pending)]);
    // Deployment: only outside the excluded region fulfils; a strike there strikes nothing.
    let deploy =
        "by = [\"UK\"]\nkind = \"deploy\"\ntrigger = \"armed_attack where target == UA\"\nscope_except = [\"front\"]";
    let backstop = "by = [\"FR\"]\nkind = \"backstop\"\nbacks = \"p\"";
    let spec = format!("{regions}{}{}", commitment("p", deploy), commitment("b", backstop));
    let deployed = |region: &str| {
        format!("\n[[event]]\nday = 41\nkind = \"force_deployed\"\nparty = \"UK\"\nregion = \"{region}\"\n")
    };
    let strike = |region: &str| {
        format!(
            "\n[[event]]\nday = 50\nkind = \"strike_on_forces\"\nattacker = \"RU\"\nowner = \"UK\"\nregion = \"{region}\"\n"
        )
    };
    assert_eq!(
        obligations(&spec, &format!("{}{}", attack_in(40, "west"), deployed("front"))),
        [("p".into(), "UK".into(), Status::Pending)]
    );
    assert_eq!(
        obligations(&spec, &format!("{}{}{}", attack_in(40, "west"), deployed("west"), strike("front"))),
        [("p".into(), "UK".into(), Status::Fulfilled)]
    );
    assert_eq!(
        obligations(&spec, &format!("{}{}{}", attack_in(40, "west"), deployed("west"), strike("west"))),
        [("p".into(), "UK".into(), Status::Fulfilled), ("b".into(), "FR".into(), Status::Pending)]
    );
}

#[test]
fn a_sanctions_obligation_is_fulfilled_by_an_action_in_sanctions_only() {
    let sanctions = "by = [\"UK\"]\nkind = \"sanctions\"\ndomains = [\"sanctions\"]\ntrigger = \"armed_attack where attacker == RU\"";
    let spec = format!("{BASE}{}", commitment("s", sanctions));
    let act =
        |domain: &str| format!("\n[[event]]\nday = 41\nkind = \"action\"\nparty = \"UK\"\ndomains = [\"{domain}\"]\n");
    // Weapons sent are not sanctions imposed; measures in the `sanctions` domain fulfil it.
    assert_eq!(
        obligations(&spec, &format!("{}{}", attack(40), act("weapons"))),
        [("s".into(), "UK".into(), Status::Pending)]
    );
    assert_eq!(
        obligations(&spec, &format!("{}{}", attack(40), act("sanctions"))),
        [("s".into(), "UK".into(), Status::Fulfilled)]
    );
    // It acts (in the simulation's response), unlike consultation.
    assert!(!ironclad_spec::coverage::acts(ironclad_spec::vocab::Kind::Consult));
    assert!(ironclad_spec::coverage::acts(ironclad_spec::vocab::Kind::Sanctions));
}

/// `BASE` with UK and FR tagged `nato`: the organisation `#nato` starts with them.
fn with_nato(commitments: &str) -> String {
    BASE.replace("[[party]]\nid = \"UK\"", "[[party]]\nid = \"UK\"\ntags = [\"nato\"]")
        .replace("[[party]]\nid = \"FR\"", "[[party]]\nid = \"FR\"\ntags = [\"nato\"]")
        + commitments
}

fn membership(day: i64, kind: &str, party: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"{kind}\"\nparty = \"{party}\"\norganisation = \"#nato\"\n")
}

#[test]
fn membership_starts_from_the_tags_and_follows_accession_and_departure() {
    // A bilateral clause that stops while Ukraine is a member, and a standing one for members.
    let spec = with_nato(&format!(
        "{}{}",
        commitment("bilateral", &format!("{DEFEND}\nunless = [\"member(UA, #nato)\"]")),
        commitment(
            "allies",
            "by = [\"UK\"]\nkind = \"consult\"\ncontinuing = [\"member(UK, #nato) and member(UA, #nato)\"]"
        ),
    ));
    // Without accession Ukraine is no member: the bilateral clause answers the attack.
    assert_eq!(obligations(&spec, &attack(40)), [("bilateral".into(), "UK".into(), Status::Pending)]);
    // After accession the bilateral clause is silent and the allies' clause arises.
    let joined = format!("{}{}", membership(30, "accession", "UA"), attack(40));
    assert_eq!(obligations(&spec, &joined), [("allies".into(), "UK".into(), Status::Pending)]);
    // A member from the start by `[initial]`, then leaving: the standing clause lapses.
    let initial = "\n[initial]\nmembers = [{ party = \"UA\", organisation = \"#nato\" }]\n";
    // (Standing clauses are tested after events; day 40 is the first event in force.)
    let left = format!("{initial}{}{}{}", attack(40), membership(45, "departure", "UA"), attack(50));
    assert_eq!(
        obligations(&spec, &left),
        [("allies".into(), "UK".into(), Status::Lapsed), ("bilateral".into(), "UK".into(), Status::Pending)]
    );
    // The UK leaving the organisation its tag puts it in: `member(UK, #nato)` is false after.
    let uk_left = format!("{initial}{}{}", attack(40), membership(45, "departure", "UK"));
    assert_eq!(obligations(&spec, &uk_left), [("allies".into(), "UK".into(), Status::Lapsed)]);
}

#[test]
fn an_accession_event_can_void_a_commitment() {
    let spec = with_nato(&commitment(
        "bilateral",
        &format!("{DEFEND}\nvoid_if = \"accession where party == UA and organisation == #nato\""),
    ));
    let joined = format!("{}{}", membership(30, "accession", "UA"), attack(40));
    assert_eq!(obligations(&spec, &joined), []);
    // Another party joining voids nothing.
    let other = format!("{}{}", membership(30, "accession", "RU"), attack(40));
    assert_eq!(obligations(&spec, &other), [("bilateral".into(), "UK".into(), Status::Pending)]);
}

fn funds(day: i64, kind: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"{kind}\"\nparty = \"UK\"\ncommitment = \"aid\"\n")
}

#[test]
fn appropriated_holds_from_an_appropriation_until_a_rescission() {
    // Standing aid "subject to the availability of funds".
    let spec = format!(
        "{BASE}{}",
        commitment(
            "aid",
            "by = [\"UK\"]\nkind = \"finance\"\ndomains = [\"financing\"]\ncontinuing = [\"appropriated(aid)\"]"
        )
    );
    // No appropriation: nothing is owed, whatever happens.
    assert_eq!(obligations(&spec, &attack(40)), []);
    // An appropriation makes it owed (the appropriation itself pays nothing: still pending).
    let funded = format!("{}{}", attack(40), funds(41, "appropriation"));
    assert_eq!(obligations(&spec, &funded), [("aid".into(), "UK".into(), Status::Pending)]);
    // A rescission (or the funds' period of availability ending) lapses it.
    let rescinded = format!("{funded}{}", funds(50, "rescission"));
    assert_eq!(obligations(&spec, &rescinded), [("aid".into(), "UK".into(), Status::Lapsed)]);
    // Funds appropriated from the start, then a trigger on the appropriation event itself.
    let initial = "\n[initial]\nappropriated = [\"aid\"]\n";
    assert_eq!(obligations(&spec, &format!("{initial}{}", attack(40))), [("aid".into(), "UK".into(), Status::Pending)]);
    let on_event = format!(
        "{BASE}{}",
        commitment(
            "aid",
            "by = [\"UK\"]\nkind = \"finance\"\ntrigger = \"appropriation where commitment == aid and party == UK\""
        )
    );
    assert_eq!(obligations(&on_event, &funds(41, "appropriation")), [("aid".into(), "UK".into(), Status::Pending)]);
    assert_eq!(obligations(&on_event, &funds(41, "rescission")), []);
}

/// Regression: the day a replay is judged at, added to the scenario's start date, overflowed
/// near ±2^63 (a panic in debug builds). The front door bounds days to 10000 years; the engine's
/// date arithmetic saturates, so an absurd day is simply outside the framework's time in force.
#[test]
fn an_absurd_day_is_not_in_force_and_does_not_overflow() {
    let base = BASE.replacen("in_force = 2025-01-01", "in_force = 2025-01-01\nduration = \"10y\"", 1);
    let spec_text = format!("{base}{}", commitment("d", "by = [\"UK\"]\nkind = \"deploy\""));
    let analysis = ironclad_spec::analyze(&spec_text);
    let spec = analysis.spec.unwrap_or_else(|| panic!("{:#?}", analysis.diagnostics));
    let text = "[scenario]\nid = \"t\"\nframework = \"r\"\nstart = 2025-06-01\n";
    let scenario = ironclad_spec::scenario::lower_scenario(text, &spec).0.expect("valid");
    let compiled = Compiled::new(&spec).expect("small");
    for at in [i64::MAX, i64::MIN, 0] {
        let r = replay(&spec, &compiled, &scenario, default_selection(&spec), Some(at));
        assert_eq!(r.at, at);
    }
    let uk = spec.parties.iter().position(|p| p.id == "UK").expect("UK");
    let mut state = ironclad_engine::State::new(&compiled, default_selection(&spec));
    state.start = ironclad_spec::vocab::Date::parse("2025-06-01").map(|d| d.days_since_epoch());
    state.day = 0;
    assert!(matches!(compiled.verdict(0, uk, &state, None), ironclad_engine::Verdict::Obliged));
    for day in [i64::MAX, i64::MIN] {
        state.day = day;
        let verdict = compiled.verdict(0, uk, &state, None);
        assert!(matches!(verdict, ironclad_engine::Verdict::NotInForce), "day {day}: {verdict:?}");
    }
}
