//! Excused acts (`effect = "excuse"` on a `refrain` clause) and soft deadlines.

mod common;

use ironclad_engine::timeline::{Replay, Status};
use ironclad_spec::model::Spec;

const BASE: &str = r#"
[framework]
id = "r"
title = "Breaches and deadlines"
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
[[party]]
id = "FR"

[[region]]
id = "UA"
[[region]]
id = "RU"

[[commitment]]
id = "no-force"
by = ["RU"]
to = ["UA"]
kind = "refrain"
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;

const SELF_DEFENCE: &str = r#"
[[exception]]
id = "self-defence"
commitments = ["no-force"]
effect = "excuse"
acts = "armed_attack where provoked"
[[exception.evidence]]
source = "s"
quote = "q"
"#;

fn replayed(spec: &str, scenario: &str) -> (Spec, Replay) {
    common::replayed(spec, "id = \"t\"\nframework = \"r\"", scenario)
}

use common::statuses;

fn attack(day: i64, provoked: bool) -> String {
    format!(
        "\n[[event]]\nday = {day}\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\nprovoked = {provoked}\n"
    )
}

/// An act the excuse matches leaves the refrain obligation open and records why; the next
/// act it does not match breaches it.
#[test]
fn an_excused_act_does_not_breach_and_says_why() {
    let spec = format!("{BASE}{SELF_DEFENCE}");
    let (s, r) = replayed(&spec, &attack(10, true));
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Pending)]);
    assert_eq!(r.obligations[0].excused, [(0, 0)]);
    let (s, r) = replayed(&spec, &format!("{}{}", attack(10, true), attack(20, false)));
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Breached)]);
    assert_eq!(r.obligations[0].closed_by, Some(1));
    assert_eq!(r.obligations[0].excused, [(0, 0)]);
    // Without the exception the same act breaches.
    let (s, r) = replayed(BASE, &attack(10, true));
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Breached)]);
}

/// The pattern names the excused acts: an attack is excused, a threat (another kind) is not.
#[test]
fn an_excuse_covers_only_the_acts_it_names() {
    let spec = format!("{BASE}{SELF_DEFENCE}");
    let threat = "\n[[event]]\nday = 5\nkind = \"threat\"\nattacker = \"RU\"\ntarget = \"UA\"\n";
    let (s, r) = replayed(&spec, threat);
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Breached)]);
    assert!(r.obligations[0].excused.is_empty());
}

/// `when` is read on the state before the act, as a trigger's filter is; the pattern's filter
/// may read the state too.
#[test]
fn an_excuse_reads_the_state_before_the_act() {
    let excuse = SELF_DEFENCE
        .replace("acts = \"armed_attack where provoked\"", "acts = \"armed_attack\"\nwhen = \"attacked(RU)\"");
    let spec = format!("{BASE}{excuse}");
    let first = "\n[[event]]\nday = 1\nkind = \"armed_attack\"\nattacker = \"UA\"\ntarget = \"RU\"\nregion = \"RU\"\n";
    let (s, r) = replayed(&spec, &format!("{first}{}", attack(10, false)));
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Pending)]);
    assert_eq!(r.obligations[0].excused, [(1, 0)]);
    // Unprovoked by an earlier attack on RU: a breach.
    let (s, r) = replayed(&spec, &attack(10, false));
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Breached)]);
}

/// An excuse is not a named exception of the verdict: the refrain still obliges.
#[test]
fn an_excuse_does_not_change_who_is_obliged() {
    let spec = format!("{BASE}{SELF_DEFENCE}");
    let (s, r) = replayed(&spec, "");
    assert_eq!(statuses(&s, &r), [("no-force".into(), "RU".into(), Status::Pending)]);
}

const CONSULT: &str = r#"
[[commitment]]
id = "meet"
by = ["UK"]
to = ["UA"]
kind = "consult"
trigger = "armed_attack where target == UA"
modality = "automatic"
strength = "agreement"
DEADLINE
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "backstop"
by = ["FR"]
to = ["UA"]
kind = "backstop"
backs = "meet"
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"

[[commitment]]
id = "after-failure"
by = ["FR"]
to = ["UA"]
kind = "assist"
continuing = ["failed(meet)"]
modality = "automatic"
strength = "agreement"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;

fn consult(deadline: &str) -> String {
    format!("{BASE}{}", CONSULT.replace("DEADLINE", deadline))
}

fn meeting(day: i64) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"consultation\"\nparty = \"UK\"\n")
}

/// Past a hard deadline the obligation is overdue and the commitment fails (backstop,
/// `failed(C)`); past a soft one it is late, and nothing fails.
#[test]
fn a_soft_deadline_makes_an_obligation_late_not_failed() {
    let quiet = "\n[[event]]\nday = 5\nkind = \"request\"\nparty = \"UA\"\n";
    let scenario = format!("{}{quiet}", attack(0, false));
    let (s, r) = replayed(&consult("deadline = \"24h\""), &scenario);
    let got = statuses(&s, &r);
    assert!(got.contains(&("meet".into(), "UK".into(), Status::Overdue)), "{got:?}");
    assert!(got.contains(&("backstop".into(), "FR".into(), Status::Pending)), "{got:?}");
    assert!(got.contains(&("after-failure".into(), "FR".into(), Status::Pending)), "{got:?}");
    let (s, r) = replayed(&consult("soft_deadline = \"24h\""), &scenario);
    let got = statuses(&s, &r);
    assert!(got.contains(&("meet".into(), "UK".into(), Status::Late)), "{got:?}");
    assert!(!got.iter().any(|(c, _, _)| c != "meet" && c != "no-force"), "nothing fails: {got:?}");
    assert!(Status::Late.open());
}

/// A late obligation is still fulfilled by the act; before the soft deadline it is due.
#[test]
fn a_late_obligation_can_still_be_fulfilled() {
    let spec = consult("soft_deadline = \"24h\"");
    let (s, r) = replayed(&spec, &format!("{}{}", attack(0, false), meeting(3)));
    assert!(statuses(&s, &r).contains(&("meet".into(), "UK".into(), Status::Fulfilled)));
    assert_eq!(r.obligations.iter().find(|o| s.commitment(o.commitment).id == "meet").unwrap().due, Some(1.0));
    let (s, r) = replayed(&spec, &attack(0, false));
    assert!(statuses(&s, &r).contains(&("meet".into(), "UK".into(), Status::Due)));
}

/// A standing obligation that is late stays late when its conditions stop holding, as an
/// overdue one stays overdue.
#[test]
fn a_late_standing_obligation_does_not_lapse() {
    let standing = r#"
[[commitment]]
id = "meet"
by = ["UK"]
to = ["UA"]
kind = "consult"
continuing = ["requested(UA) and not ceasefire"]
modality = "automatic"
strength = "agreement"
soft_deadline = "2d"
[[commitment.evidence]]
source = "s"
quote = "q"
"#;
    let spec = format!("{BASE}{standing}");
    let events =
        "\n[[event]]\nday = 0\nkind = \"request\"\nparty = \"UA\"\n\n[[event]]\nday = 9\nkind = \"ceasefire_signed\"\n";
    let (s, r) = replayed(&spec, events);
    assert!(statuses(&s, &r).contains(&("meet".into(), "UK".into(), Status::Late)));
}
