//! Entry into force and expiry are moments of the replay (docs/semantics.md, "In force"): a
//! standing commitment is owed from the day the framework enters into force, not from the next
//! event, and an obligation open when the framework (or the clause's own `duration`) runs out
//! is `expired` on the first day out of force, not left open or lapsed by an unrelated event.

mod common;

use ironclad_engine::Compiled;
use ironclad_engine::eval::Verdict;
use ironclad_engine::timeline::{Cause, Replay, default_selection, replay, why_not};
use ironclad_spec::model::{PartyId, Spec};

/// In force from day 10 (2026-03-11) to day 19 (2026-03-20) of a scenario starting 2026-03-01:
/// the first day out of force is day 20.
const BASE: &str = r#"
[framework]
id = "f"
title = "In force"
protects = ["UA"]
threat = "RU"
signed = 2026-02-01
in_force = 2026-03-11
expires = 2026-03-20

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
"#;

fn commitment(id: &str, fields: &str) -> String {
    format!(
        "\n[[commitment]]\nid = \"{id}\"\nby = [\"UK\"]\nto = [\"UA\"]\nmodality = \"automatic\"\nstrength = \"treaty\"\n{fields}\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
    )
}

/// A standing commitment (no trigger).
const STANDING: &str = "kind = \"assist\"\ndomains = [\"air\"]";
/// A triggered one.
const DEFEND: &str = "kind = \"defend\"\ntrigger = \"armed_attack where target == UA\"";

fn event(day: i64, kind: &str) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"{kind}\"\n")
}

fn attack(day: i64) -> String {
    format!("\n[[event]]\nday = {day}\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\n")
}

/// The scenario header of every test: day 0 is 2026-03-01.
const HEADER: &str = "id = \"t\"\nframework = \"f\"\nstart = 2026-03-01";

fn parsed(spec: &str, events: &str) -> (Spec, ironclad_spec::scenario::Scenario, Compiled) {
    common::parsed(spec, HEADER, events)
}

fn replayed(spec: &str, events: &str, at: Option<i64>) -> (Spec, Replay) {
    let (spec, scenario, compiled) = parsed(spec, events);
    let r = replay(&spec, &compiled, &scenario, default_selection(&spec), at);
    (spec, r)
}

/// (commitment, status, since, closed_by, closed_on) of one obligation.
type Row = (String, &'static str, i64, Option<usize>, Option<i64>);

/// The row of every obligation.
fn rows(spec: &Spec, r: &Replay) -> Vec<Row> {
    r.obligations
        .iter()
        .map(|o| (spec.commitment(o.commitment).id.clone(), o.status.as_str(), o.since, o.closed_by, o.closed_on))
        .collect()
}

#[test]
fn a_standing_commitment_is_owed_from_the_day_of_entry_into_force() {
    let spec = format!("{BASE}{}", commitment("air", STANDING));
    // Events only before (day 2) and after (day 15) entry into force on day 10.
    let (s, r) = replayed(&spec, &format!("{}{}", event(2, "ceasefire_signed"), event(15, "ceasefire_broken")), None);
    assert_eq!(rows(&s, &r), [("air".into(), "pending", 10, None, None)]);
    assert_eq!(r.obligations[0].cause, Cause::InForce);
    // No event after entry into force at all: owed from day 10 when the replay reaches day 12.
    let (s, r) = replayed(&spec, &event(2, "ceasefire_signed"), Some(12));
    assert_eq!(rows(&s, &r), [("air".into(), "pending", 10, None, None)]);
    // Not yet on day 9.
    let (s, r) = replayed(&spec, &event(2, "ceasefire_signed"), Some(9));
    assert_eq!(rows(&s, &r), []);
}

#[test]
fn an_obligation_open_at_expiry_expires_on_the_first_day_out_of_force() {
    // Triggered: owed from the attack on day 12, open when the framework expires (day 20).
    let spec = format!("{BASE}{}", commitment("d", DEFEND));
    let (s, r) = replayed(&spec, &format!("{}{}", attack(12), event(30, "ceasefire_signed")), None);
    assert_eq!(rows(&s, &r), [("d".into(), "expired", 12, None, Some(20))]);
    assert!(!r.obligations[0].status.open());
    // The same with no event after the expiry: the replay visits day 20 on its way to day 25.
    let (s, r) = replayed(&spec, &attack(12), Some(25));
    assert_eq!(rows(&s, &r), [("d".into(), "expired", 12, None, Some(20))]);
    // On the last day in force it is still open.
    let (s, r) = replayed(&spec, &attack(12), Some(19));
    assert_eq!(rows(&s, &r), [("d".into(), "pending", 12, None, None)]);
    // Standing: expires on day 20 too, rather than lapsing at the next event (day 30).
    let spec = format!("{BASE}{}", commitment("air", STANDING));
    let (s, r) = replayed(&spec, &format!("{}{}", event(12, "ceasefire_signed"), event(30, "ceasefire_broken")), None);
    assert_eq!(rows(&s, &r), [("air".into(), "expired", 10, None, Some(20))]);
}

#[test]
fn a_clause_s_own_duration_ends_its_obligations_on_its_own_day() {
    // In force from day 10; a "5d" duration ends the clause after day 15: out of force on day 16.
    let spec = format!("{BASE}{}", commitment("d", &format!("{DEFEND}\nduration = \"5d\"")));
    let (s, r) = replayed(&spec, &format!("{}{}", attack(12), event(18, "ceasefire_signed")), None);
    assert_eq!(rows(&s, &r), [("d".into(), "expired", 12, None, Some(16))]);
}

#[test]
fn an_overdue_obligation_expires_too_and_keeps_its_missed_deadline() {
    let backstop = "kind = \"backstop\"\nbacks = \"d\"";
    let spec =
        format!("{BASE}{}{}", commitment("d", &format!("{DEFEND}\ndeadline = \"2d\"")), commitment("b", backstop));
    // Due day 14, overdue from day 15 (the commitment fails, the backstop is owed from day 15);
    // both expire on day 20.
    let (s, r) = replayed(&spec, &attack(12), Some(25));
    assert_eq!(
        rows(&s, &r),
        [("d".into(), "expired", 12, None, Some(20)), ("b".into(), "expired", 15, None, Some(20))]
    );
    assert_eq!(r.obligations[0].due, Some(14.0));
    assert!(r.state.failed & 1 != 0, "the deadline missed while in force still failed `d`");
}

#[test]
fn an_attack_before_entry_into_force_obliges_nothing_then_either() {
    // Treaties do not bind in respect of acts before their entry into force.
    let spec = format!("{BASE}{}", commitment("d", DEFEND));
    let (s, r) = replayed(&spec, &format!("{}{}", attack(5), event(15, "ceasefire_signed")), None);
    assert_eq!(rows(&s, &r), []);
}

#[test]
fn why_not_sees_the_entry_into_force_too() {
    let spec = format!("{BASE}{}", commitment("air", STANDING));
    let (spec, scenario, compiled) = parsed(&spec, &event(2, "ceasefire_signed"));
    let uk = PartyId(2);
    let w = why_not(&spec, &compiled, &scenario, default_selection(&spec), Some(12), uk);
    assert_eq!(w[0].verdict, Verdict::Obliged, "{w:?}");
    let w = why_not(&spec, &compiled, &scenario, default_selection(&spec), Some(9), uk);
    assert_eq!(w[0].verdict, Verdict::NotInForce, "{w:?}");
}
