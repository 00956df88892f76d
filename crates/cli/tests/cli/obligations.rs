//! `ironclad obligations` on the bundled scenarios of `scenarios/`.
//!
//! The golden tests assert the EXACT multiset of `(party, commitment, status)` triples that
//! `--format json` reports, written by hand from the framework and the replay semantics
//! (`crates/engine/src/timeline.rs`), not copied from the program's output. Then: the text and
//! JSON outputs agree, `--explain` and `--why-not` name their reasons, `--at` cuts the timeline,
//! and the exit codes of bad invocations.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

use super::{Run, run, workspace_root};

const COALITION: &str = "frameworks/coalition-2025.toml";
const NATO: &str = "frameworks/nato-1949.toml";
const BUDAPEST: &str = "frameworks/budapest-1994.toml";
const UK_UKRAINE: &str = "frameworks/uk-ukraine-2024.toml";

const CEASEFIRE_THEN_OFFENSIVE: &str = "scenarios/ceasefire-then-offensive.toml";
const ATTACK_WITHOUT_CEASEFIRE: &str = "scenarios/attack-without-ceasefire.toml";
const STRIKE_ON_REASSURANCE_FORCE: &str = "scenarios/strike-on-reassurance-force.toml";
const CRIMEA_2014: &str = "scenarios/crimea-2014.toml";
const ATTACK_ON_ESTONIA: &str = "scenarios/attack-on-estonia.toml";
const RUSSIAN_ATTACK_ON_UKRAINE: &str = "scenarios/russian-attack-on-ukraine.toml";

/// Every bundled scenario with the framework it is written for.
const SCENARIOS: &[(&str, &str)] = &[
    (COALITION, CEASEFIRE_THEN_OFFENSIVE),
    (COALITION, ATTACK_WITHOUT_CEASEFIRE),
    (NATO, STRIKE_ON_REASSURANCE_FORCE),
    (BUDAPEST, CRIMEA_2014),
    (NATO, ATTACK_ON_ESTONIA),
    (UK_UKRAINE, RUSSIAN_ATTACK_ON_UKRAINE),
];

/// The 32 members of 2025 in nato-1949 (tag `nato`; the members of the `nac` body).
const NATO_MEMBERS: &[&str] = &[
    "AL", "BE", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IT", "LV", "LT", "LU", "ME",
    "NL", "MK", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "TR", "UK", "US",
];

type Triple = (String, String, String);

/// Expected obligations, built up clause by clause.
#[derive(Default)]
struct Expected(Vec<Triple>);

impl Expected {
    /// `commitment` is an obligation of each of `parties`, with `status`.
    fn each(mut self, parties: &[&str], commitment: &str, status: &str) -> Self {
        for party in parties {
            self.0.push((party.to_string(), commitment.to_string(), status.to_string()));
        }
        self
    }

    fn sorted(mut self) -> Vec<Triple> {
        self.0.sort();
        self.0
    }
}

fn json(out: &Run) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("--format json printed invalid JSON ({e}):\n{}\n{}", out.stdout, out.stderr))
}

/// `ironclad obligations SPEC --scenario SCENARIO --format json [extra...]`, which must succeed.
fn report(spec: &str, scenario: &str, extra: &[&str]) -> Value {
    let mut args = vec!["obligations", spec, "--scenario", scenario, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 0, "ironclad {}:\n{}", args.join(" "), out.stderr);
    assert!(out.stderr.is_empty(), "ironclad {}: stderr should be empty:\n{}", args.join(" "), out.stderr);
    json(&out)
}

/// The sorted (party, commitment, status) triples of a JSON report, duplicates kept.
fn triples(report: &Value) -> Vec<Triple> {
    let field =
        |o: &Value, k: &str| o[k].as_str().unwrap_or_else(|| panic!("`{k}` is not a string in {o:#}")).to_string();
    let mut out: Vec<Triple> = report["obligations"]
        .as_array()
        .expect("`obligations` is an array")
        .iter()
        .map(|o| (field(o, "party"), field(o, "commitment"), field(o, "status")))
        .collect();
    out.sort();
    out
}

/// Asserts two sorted multisets of triples are equal, listing the differences.
fn assert_same(what: &str, actual: &[Triple], expected: &[Triple]) {
    if actual == expected {
        return;
    }
    let missing: Vec<&Triple> = expected.iter().filter(|t| !actual.contains(t)).collect();
    let extra: Vec<&Triple> = actual.iter().filter(|t| !expected.contains(t)).collect();
    panic!(
        "{what}: the obligations differ ({} expected, {} reported)\n  expected but missing: {missing:?}\n  reported but not expected: {extra:?}",
        expected.len(),
        actual.len()
    );
}

fn obligations(spec: &str, scenario: &str, extra: &[&str]) -> Vec<Triple> {
    triples(&report(spec, scenario, extra))
}

// ---------------------------------------------------------------------------------------------
// Golden sets.

/// coalition-2025, default variants (military, after-ceasefire, no-tripwire, coalition-decides).
/// - finance/arm/train are standing and unconditional: pending from the start.
/// - The ceasefire (day 0) brings reassurance-force (UK, FR), coalition-presence (the 8), us-help and
///   us-intel-air-defence (US); UK and FR deploy in Kyiv on day 30, which fulfils both of their
///   deploy obligations.
/// - The day-183 attacks are tested on the state before them (ceasefire still in force):
///   article5-like (the 8) and bilateral-commitments (the 8 and the US) arise; designated-land
///   (land attack) and designated-air-defence (air attack) wait for the coalition's decision.
/// - ceasefire_broken: the still-open coalition-presence (DE, IT, PL, FI, CA, others) and
///   us-intel-air-defence lapse; fulfilled obligations stay fulfilled.
/// - The coalition decides on day 184: designated-land and designated-air-defence arise for its
///   8 members. No maritime attack, so designated-maritime never does. No strike on forces, so
///   the US air backstop is never tested.
fn ceasefire_then_offensive_expected() -> Vec<Triple> {
    // At the default readings (no proposal adopted, the US support from the ceasefire on): the
    // force deployed, the other states' support and the US support still owed after the
    // ceasefire broke on day 183 (entry conditions do not lapse); and the US president's
    // content-free "we'll help" (us-help, an assist clause with no domains) from the ceasefire on.
    Expected::default()
        .each(&["UK", "FR"], "reassurance-force", "fulfilled")
        .each(&["coalition-others"], "coalition-support", "pending")
        .each(&["US"], "us-air-support", "pending")
        .each(&["US"], "us-intel-air-defence", "pending")
        .each(&["US"], "us-help", "pending")
        .sorted()
}

#[test]
fn golden_ceasefire_then_offensive() {
    let expected = ceasefire_then_offensive_expected();
    assert_eq!(expected.len(), 6);
    assert_same(CEASEFIRE_THEN_OFFENSIVE, &obligations(COALITION, CEASEFIRE_THEN_OFFENSIVE, &[]), &expected);
}

/// No ceasefire ever: every clause of the package starts only after a ceasefire (or, for the
/// reported US clauses, a peace deal), so nothing arises, even with Ukraine's consent and a
/// passed coalition decision; with every proposal adopted, still nothing.
#[test]
fn golden_attack_without_ceasefire() {
    let report = report(COALITION, ATTACK_WITHOUT_CEASEFIRE, &[]);
    assert_same(ATTACK_WITHOUT_CEASEFIRE, &triples(&report), &[]);
    // The coalition did decide: it is the ceasefire, not the decision, that is missing.
    assert_eq!(report["decisions"][0]["body"], "coalition");
    assert_eq!(report["decisions"][0]["passed"], true);
    let adopted = obligations(
        COALITION,
        ATTACK_WITHOUT_CEASEFIRE,
        &[
            "--variant",
            "proposals-adopted=adopted",
            "--variant",
            "summit-commitments=made",
            "--variant",
            "trump-call-package=as-described",
        ],
    );
    assert_same("every proposal adopted", &adopted, &[]);
}

/// A strike on members' forces in Ukraine: Art. 4 (no geographic limit) for all 32, fulfilled
/// by the NAC consultation; neither Art. 5 commitment, because Ukraine is outside the Art. 6 area.
#[test]
fn golden_strike_on_reassurance_force() {
    let expected = Expected::default().each(NATO_MEMBERS, "art4-consult", "fulfilled").sorted();
    assert_eq!(expected.len(), 32);
    assert_same(STRIKE_ON_REASSURANCE_FORCE, &obligations(NATO, STRIKE_ON_REASSURANCE_FORCE, &[]), &expected);
}

/// Budapest 1994 on Crimea, the answer as it should be:
/// - points 1, 2, 3 and 5 are standing refrain obligations of the three assurers from the start;
/// - the Russian armed attack breaches Russia's points 1 (no domain: any attack) and 2 (land);
///   it does not breach point 3, which is about ECONOMIC coercion (domain `sanctions`), nor
///   point 5 (nuclear);
/// - point 4 is never triggered (the attack is not nuclear), so the Council vote obliges nobody;
/// - point 6 is triggered for the four signatories; UA, UK and US consult, Russia does not.
fn crimea_2014_expected() -> Vec<Triple> {
    Expected::default()
        .each(&["RU"], "p1-respect-borders", "breached")
        .each(&["UK", "US"], "p1-respect-borders", "pending")
        .each(&["RU"], "p2-no-force", "breached")
        .each(&["UK", "US"], "p2-no-force", "pending")
        .each(&["RU", "UK", "US"], "p3-no-coercion", "pending")
        .each(&["RU", "UK", "US"], "p5-no-nuclear-use", "pending")
        .each(&["UA", "UK", "US"], "p6-consult", "fulfilled")
        .each(&["RU"], "p6-consult", "pending")
        .sorted()
}

/// Regression: an armed attack once "breached" the sanctions-only point 3 (economic coercion).
#[test]
fn golden_crimea_2014() {
    let expected = crimea_2014_expected();
    assert_eq!(expected.len(), 16);
    assert_same(CRIMEA_2014, &obligations(BUDAPEST, CRIMEA_2014, &[]), &expected);
}

/// The Security Council vote of 15 March 2014: 13 in favour, vetoed by Russia.
#[test]
fn crimea_2014_security_council_vote() {
    let report = report(BUDAPEST, CRIMEA_2014, &[]);
    let decisions = report["decisions"].as_array().expect("`decisions` is an array");
    assert_eq!(decisions.len(), 1, "{report:#}");
    assert_eq!(decisions[0]["body"], "unsc");
    assert_eq!(decisions[0]["passed"], false);
    let text = decisions[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("vetoed by RU"), "{text}");
    assert!(text.contains("13 yes, 1 no, 1 abstain"), "{text}");
}

/// An attack on Estonia: every member owes Art. 4 consultation (held on day 1) and the Art. 5
/// response. "individually and in concert" is the manner of that one duty, which no Council
/// decision conditions (docs/fidelity/nato-1949.md): the NAC's decision on day 1 adds nothing.
#[test]
fn golden_attack_on_estonia() {
    let expected = Expected::default()
        .each(NATO_MEMBERS, "art4-consult", "fulfilled")
        .each(NATO_MEMBERS, "art5-collective-defence", "pending")
        .sorted();
    assert_eq!(expected.len(), 64);
    let report = report(NATO, ATTACK_ON_ESTONIA, &[]);
    assert_same(ATTACK_ON_ESTONIA, &triples(&report), &expected);
    for o in report["obligations"].as_array().unwrap() {
        if o["commitment"] == "art5-collective-defence" {
            assert_eq!(o["modality"], "discretionary", "{o:#}");
            assert_eq!(o["cause"]["event"]["kind"], "armed_attack", "{o:#}");
            assert!(o["activated_by"].is_null(), "no decision activates Art. 5: {o:#}");
        }
    }
}

/// The shared scenario of `compare`, on the framework it names: the Russian attack makes the
/// 24-hour consultation due for both parties (no consultation is held, so it stays due), and the
/// 2024 aid is pending from the start (no later aid is reported as firm, so none is encoded).
#[test]
fn golden_russian_attack_on_ukraine() {
    let expected = Expected::default()
        .each(&["UK", "UA"], "consult-24h", "due")
        .each(&["UK"], "military-aid-2024", "pending")
        .sorted();
    let report = report(UK_UKRAINE, RUSSIAN_ATTACK_ON_UKRAINE, &[]);
    assert_same(RUSSIAN_ATTACK_ON_UKRAINE, &triples(&report), &expected);
}

#[test]
fn every_bundled_scenario_is_covered_and_documented() {
    let on_disk: BTreeSet<String> = fs::read_dir(workspace_root().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|entry| format!("scenarios/{}", entry.expect("a directory entry").file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".toml"))
        .collect();
    let covered: BTreeSet<String> = SCENARIOS.iter().map(|(_, s)| s.to_string()).collect();
    assert_eq!(on_disk, covered, "every scenario of scenarios/ needs a golden test here");
    for (spec, scenario) in SCENARIOS {
        let text = fs::read_to_string(workspace_root().join(scenario)).expect("readable");
        assert!(text.starts_with("# "), "{scenario}: start with a comment saying what it shows");
        assert!(
            text.lines().take_while(|l| l.starts_with('#')).any(|l| l.contains(&format!("--scenario {scenario}"))),
            "{scenario}: the header should say how to run it"
        );
        let report = report(spec, scenario, &[]);
        let events = text.matches("[[event]]").count() as u64;
        assert_eq!(report["events_applied"], events, "{scenario}: all events apply by default");
    }
}

// ---------------------------------------------------------------------------------------------
// Text and JSON agree.

/// The (party, commitment, status) triples of the human output: a party header `ID — name`, then
/// per obligation a line `  <commitment> <kind> ...` and a line `      <status> since ...`.
fn text_triples(text: &str, parties: &BTreeSet<String>) -> Vec<Triple> {
    let mut out = Vec::new();
    let mut party: Option<String> = None;
    let mut commitment: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("COVERAGE") {
            break;
        }
        if !line.starts_with(' ') {
            party = line.split_once(" — ").map(|(p, _)| p.to_string()).filter(|p| parties.contains(p));
            commitment = None;
        } else if let Some(rest) = line.strip_prefix("  ")
            && !rest.starts_with(' ')
            && party.is_some()
        {
            commitment = rest.split_whitespace().next().map(str::to_string);
        } else if let Some(rest) = line.strip_prefix("      ")
            && !rest.starts_with(' ')
            && let (Some(p), Some(c)) = (&party, commitment.take())
        {
            let status = rest.split_whitespace().next().unwrap_or_default().to_string();
            out.push((p.clone(), c, status));
        }
    }
    out.sort();
    out
}

#[test]
fn json_and_text_report_the_same_obligations() {
    for (spec, scenario) in SCENARIOS {
        for extra in [&[][..], &["--explain"][..], &["--at", "1"][..]] {
            let report = report(spec, scenario, extra);
            let from_json = triples(&report);
            let parties: BTreeSet<String> = from_json.iter().map(|t| t.0.clone()).collect();
            let mut args = vec!["obligations", spec, "--scenario", scenario];
            args.extend_from_slice(extra);
            let text = run(&args);
            assert_eq!(text.code, 0, "{}", text.stderr);
            let from_text = text_triples(&text.stdout, &parties);
            if extra.is_empty() && *scenario != ATTACK_WITHOUT_CEASEFIRE {
                assert!(!from_json.is_empty(), "{scenario}: no obligations at all?");
            } else if from_json.is_empty() {
                assert!(text.stdout.contains("no obligations arose"), "{}", text.stdout);
            }
            assert_same(&format!("{scenario} {extra:?}: text vs JSON"), &from_text, &from_json);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// --explain and --why-not.

/// 1-based line of the first line of `path` that contains `needle`.
fn line_of(path: &str, needle: &str) -> usize {
    let text = fs::read_to_string(workspace_root().join(path)).expect("readable");
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{path} does not contain {needle:?}")) + 1
}

#[test]
fn explain_names_the_clause_the_scenario_line_and_a_quote() {
    let adopted = ["--variant", "proposals-adopted=adopted"];
    let out =
        run(&["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE, "--explain", adopted[0], adopted[1]]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = &out.stdout;
    // The clause, by id and position in the framework (the span of its `id` value).
    let clause_line = line_of(COALITION, "id = \"article5-like\"");
    let clause = format!(
        "clause: `article5-like` — \"Article 5-like\" collective obligation to act if Ukraine is attacked (proposed) ({COALITION}:{clause_line}:6)"
    );
    assert!(text.contains(&clause), "expected {clause:?} in:\n{text}");
    // The triggering event, by scenario file and line of its `kind`.
    let attack_line = line_of(CEASEFIRE_THEN_OFFENSIVE, "kind = \"armed_attack\"");
    let trigger = format!(
        "triggered by armed_attack on day 183 (2026-08-31) ({CEASEFIRE_THEN_OFFENSIVE}:{attack_line}): attacker RU, target UA, region Zaporizhzhia — matches `armed_attack where attacker == RU and target == UA and region within UA`"
    );
    assert!(text.contains(&trigger), "expected {trigger:?} in:\n{text}");
    // The entry condition, met on day 0 and still met when the ceasefire broke.
    let entry = "entry condition `ceasefire`: met (an entry condition: once met, it stays met)";
    assert!(text.contains(entry), "expected {entry:?} in:\n{text}");
    // A verbatim quote of the framework's evidence, with its source file.
    let quote = "Zelensky and his Western European supporters have advocated for “Article 5-like guarantees,” which would compel nations to act collectively if Ukraine faced an attack.";
    assert!(fs::read_to_string(workspace_root().join(COALITION)).unwrap().contains(quote));
    assert!(text.contains(&format!("evidence: “{quote}” (000_c59778bccf37879d.txt)")), "{text}");
    // The JSON explanation carries the same pieces.
    let report = report(COALITION, CEASEFIRE_THEN_OFFENSIVE, &["--explain", adopted[0], adopted[1]]);
    let o = report["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["party"] == "UK" && o["commitment"] == "article5-like")
        .expect("UK holds article5-like");
    assert_eq!(o["clause"], format!("{COALITION}:{clause_line}:6"));
    assert_eq!(o["cause"]["event"]["file"], CEASEFIRE_THEN_OFFENSIVE);
    assert_eq!(o["cause"]["event"]["line"], attack_line);
    assert_eq!(o["explanation"]["entry"][0], "ceasefire");
    assert!(o["explanation"]["evidence"].as_array().unwrap().iter().any(|e| e["quote"] == quote), "{o:#}");
}

#[test]
fn explain_names_a_refrain_breach_and_its_event() {
    let out = run(&["obligations", BUDAPEST, "--scenario", CRIMEA_2014, "--explain"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let attack_line = line_of(CRIMEA_2014, "kind = \"armed_attack\"");
    let breach = format!(
        "breached since day 0 (2014-02-27) — closed by armed_attack on day 0 (2014-02-27) ({CRIMEA_2014}:{attack_line}): attacker RU, target UA, region Crimea"
    );
    assert!(out.stdout.contains(&breach), "expected {breach:?} in:\n{}", out.stdout);
    let clause_line = line_of(BUDAPEST, "id = \"p2-no-force\"");
    assert!(
        out.stdout.contains(&format!("clause: Point 2 `p2-no-force` — Refrain from the threat or use of force against Ukraine ({BUDAPEST}:{clause_line}:6)")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("evidence: “to respect the independence and sovereignty and the existing borders of Ukraine”")
    );
}

#[test]
fn why_not_uk_names_the_art6_scope_of_the_art5_trigger() {
    let out = run(&["obligations", NATO, "--scenario", STRIKE_ON_REASSURANCE_FORCE, "--why-not", "UK"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let why = out.stdout.split_once("WHY (NOT) UK").map(|(_, w)| w).unwrap_or_else(|| panic!("{}", out.stdout));
    {
        let id = "art5-collective-defence";
        let line = why
            .lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("{id} is not listed:\n{why}"));
        assert!(line.contains("not triggered"), "{line}");
        assert!(
            line.contains("strike_on_forces where owner in #nato and region within north-atlantic-area"),
            "the reason should show the Art. 6 limit of the trigger: {line}"
        );
    }
    let art4 = why.lines().find(|l| l.trim_start().starts_with("art4-consult")).expect("art4-consult is listed");
    assert!(art4.contains("obligation fulfilled"), "{art4}");
    let art5_line = line_of(NATO, "id = \"art5-collective-defence\"");
    assert!(why.contains(&format!("clause at {NATO}:{art5_line}:6")), "{why}");

    let report = report(NATO, STRIKE_ON_REASSURANCE_FORCE, &["--why-not", "UK"]);
    assert_eq!(report["why_not"]["party"], "UK");
    let art5 = report["why_not"]["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["commitment"] == "art5-collective-defence")
        .expect("art5-collective-defence in why_not");
    assert_eq!(art5["obliged"], false);
    assert_eq!(art5["test"], "NotTriggered");
    assert!(art5["reason"].as_str().unwrap().contains("region within north-atlantic-area"), "{art5:#}");
}

#[test]
fn why_not_explains_the_missing_ceasefire() {
    let out = run(&["obligations", COALITION, "--scenario", ATTACK_WITHOUT_CEASEFIRE, "--why-not", "UK:land"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let why = out.stdout.split_once("WHY (NOT) UK in land").map(|(_, w)| w).unwrap_or_else(|| panic!("{}", out.stdout));
    let line = why.lines().find(|l| l.trim_start().starts_with("reassurance-force")).unwrap_or_else(|| panic!("{why}"));
    assert!(line.contains("entry condition `ceasefire` had not been met"), "{line}");
    // A proposal that is not adopted says so before any condition is tested.
    let line = why.lines().find(|l| l.trim_start().starts_with("article5-like")).unwrap_or_else(|| panic!("{why}"));
    assert!(line.contains("only in variant option proposals-adopted=adopted"), "{line}");
    assert!(why.contains("ceasefire = false — nothing in the scenario set it"), "{why}");
}

// ---------------------------------------------------------------------------------------------
// --at.

#[test]
fn at_before_an_event_excludes_its_obligations() {
    // Day 182: the ceasefire holds, the forces are deployed, the offensive (day 183) and the
    // coalition's decision (day 184) have not happened.
    let before = ceasefire_then_offensive_expected();
    let report = report(COALITION, CEASEFIRE_THEN_OFFENSIVE, &["--at", "182"]);
    assert_eq!(report["at"], 182);
    assert_eq!(report["events_applied"], 3);
    assert_same("--at 182", &triples(&report), &before);
    // The same day given as a date.
    assert_same("--at 2026-08-30", &obligations(COALITION, CEASEFIRE_THEN_OFFENSIVE, &["--at", "2026-08-30"]), &before);

    // Day 183, with the proposals adopted: the offensive triggers the Article 5-like clause,
    // whose entry condition (the ceasefire of day 0) stays met though the ceasefire breaks.
    let adopted = ["--variant", "proposals-adopted=adopted"];
    let at_182 = obligations(COALITION, CEASEFIRE_THEN_OFFENSIVE, &[&adopted[..], &["--at", "182"]].concat());
    assert!(!at_182.iter().any(|t| t.1 == "article5-like"), "{at_182:?}");
    let at_183 = obligations(COALITION, CEASEFIRE_THEN_OFFENSIVE, &[&adopted[..], &["--at", "183"]].concat());
    assert!(at_183.iter().any(|t| t.1 == "article5-like" && t.2 == "pending"), "{at_183:?}");
    // The default is the last event's day: everything.
    assert_same(
        "--at 184",
        &obligations(COALITION, CEASEFIRE_THEN_OFFENSIVE, &["--at", "184"]),
        &ceasefire_then_offensive_expected(),
    );

    // Before the Paris meeting, no point-6 consultation is fulfilled yet.
    let crimea = triples(&report_at(BUDAPEST, CRIMEA_2014, "2014-03-04"));
    let p6: Vec<&Triple> = crimea.iter().filter(|t| t.1 == "p6-consult").collect();
    assert_eq!(p6.len(), 4, "{crimea:?}");
    assert!(p6.iter().all(|t| t.2 == "pending"), "{p6:?}");

    // Before anything happened in Estonia: no obligation at all.
    let estonia = run(&["obligations", NATO, "--scenario", ATTACK_ON_ESTONIA, "--at=-1", "--format", "json"]);
    assert_eq!(estonia.code, 0, "{}", estonia.stderr);
    let estonia = json(&estonia);
    assert_eq!(estonia["events_applied"], 0);
    assert_eq!(triples(&estonia), Vec::<Triple>::new());
}

fn report_at(spec: &str, scenario: &str, at: &str) -> Value {
    report(spec, scenario, &["--at", at])
}

// ---------------------------------------------------------------------------------------------
// Variants and bad invocations.

#[test]
fn a_variant_changes_the_obligations() {
    // With no US military support, the US owes nothing on the ceasefire-then-offensive scenario
    // but its president's content-free "we'll help" (us-help, in the base).
    let report = report(COALITION, CEASEFIRE_THEN_OFFENSIVE, &["--variant", "us-military-support=none"]);
    let variants = report["variants"].as_array().unwrap();
    assert!(variants.iter().any(|v| v["variant"] == "us-military-support" && v["option"] == "none"), "{variants:?}");
    let us = |got: Vec<Triple>| got.into_iter().filter(|t| t.0 == "US").map(|t| t.1).collect::<Vec<_>>();
    assert_eq!(us(triples(&report)), ["us-help"]);
    let plain = us(triples(&self::report(COALITION, CEASEFIRE_THEN_OFFENSIVE, &[])));
    assert!(
        plain.iter().any(|c| c == "us-air-support") && plain.iter().any(|c| c == "us-intel-air-defence"),
        "{plain:?}"
    );
}

#[test]
fn an_unknown_variant_exits_2() {
    let out =
        run(&["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE, "--variant", "no-such-variant=x"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("no variant `no-such-variant`"), "{}", out.stderr);
    assert!(out.stderr.contains("us-military-support"), "the known variants are listed:\n{}", out.stderr);

    let out = run(&["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE, "--variant", "tripwire=maybe"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("variant `tripwire` has no option `maybe`"), "{}", out.stderr);
}

#[test]
fn an_unknown_scenario_file_exits_1() {
    let missing = "scenarios/no-such-scenario.toml";
    let out = run(&["obligations", COALITION, "--scenario", missing]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("error[E0003]"), "{}", out.stderr);
    assert!(out.stderr.contains(missing), "{}", out.stderr);
}

#[test]
fn a_scenario_on_the_wrong_framework_exits_1() {
    let out = run(&["obligations", NATO, "--scenario", CEASEFIRE_THEN_OFFENSIVE, "--color", "never"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("error[E0801]"), "{}", out.stderr);
}

#[test]
fn bad_at_and_why_not_exit_2() {
    for extra in [&["--at", "soon"][..], &["--why-not", "XX"][..], &["--why-not", "UK:space"][..]] {
        let mut args = vec!["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.code, 2, "{extra:?}: {}", out.stderr);
    }
}

#[test]
fn an_absurd_at_exits_2_without_panicking() {
    // A day near ±2^63 once overflowed the date arithmetic of the report (a panic in debug
    // builds); days are bounded to 10000 years on either side of day 0.
    for at in ["9223372036854775807", "-9223372036854775808", "3652501"] {
        let out = run(&["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE, &format!("--at={at}")]);
        assert_eq!(out.code, 2, "--at {at}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "--at {at}: {}", out.stderr);
        assert!(out.stderr.contains("10000 years"), "--at {at}: {}", out.stderr);
    }
    let out = run(&["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE, "--at", "3652500"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_variant_pinned_twice_exits_2() {
    let out = run(&[
        "obligations",
        COALITION,
        "--scenario",
        CEASEFIRE_THEN_OFFENSIVE,
        "--variant",
        "us-military-support=none",
        "--variant",
        "us-military-support=after-ceasefire",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("`us-military-support`") && out.stderr.contains("twice"), "{}", out.stderr);
}

#[test]
fn a_requirement_in_a_unit_no_pledge_uses_warns() {
    // "10000 personnel" where the land pledges and capacities are in troops: nothing delivered
    // would count toward it. The run goes on (a warning, exit 0).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = fs::read_to_string(workspace_root().join(CEASEFIRE_THEN_OFFENSIVE)).expect("readable");
    assert!(text.contains("amount = \"10000 troops\""), "the scenario's land requirement");
    let path = dir.path().join("personnel.toml");
    fs::write(&path, text.replace("amount = \"10000 troops\"", "amount = \"10000 personnel\"")).expect("writable");
    let out = run(&["obligations", COALITION, "--scenario", path.to_str().unwrap(), "--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning[W0015]"), "{}", out.stderr);
    assert!(out.stderr.contains("`10000 personnel`") && out.stderr.contains("`troops`"), "{}", out.stderr);
    // The bundled scenario, in troops, is quiet.
    let out = run(&["obligations", COALITION, "--scenario", CEASEFIRE_THEN_OFFENSIVE, "--color", "never"]);
    assert!(!out.stderr.contains("W0015"), "{}", out.stderr);
}

#[test]
fn an_action_without_a_region_warns_that_it_fulfils_no_scoped_clause() {
    // The UK's air-defence act is named only by its domain: the designated air-defence clause
    // (a proposal, in force in the `adopted` option) is scoped to Ukraine, so without a region the act fulfils nothing there. The run goes on
    // (a warning, exit 0), and the obligation lists the act as out of scope.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = fs::read_to_string(workspace_root().join(CEASEFIRE_THEN_OFFENSIVE)).expect("readable");
    let act = |region: &str| {
        format!(
            "{text}\n[[event]]\nday = 200\nkind = \"action\"\nparty = \"UK\"\ndomains = [\"air_defence\"]\n{region}"
        )
    };
    let (without, with) = (dir.path().join("without.toml"), dir.path().join("with.toml"));
    fs::write(&without, act("")).expect("writable");
    fs::write(&with, act("region = \"UA\"\n")).expect("writable");
    let obligation = |out: &Run| -> Value {
        let json: Value = serde_json::from_str(&out.stdout).expect("JSON");
        json["obligations"]
            .as_array()
            .expect("obligations")
            .iter()
            .find(|o| o["commitment"] == "designated-air-defence" && o["party"] == "UK")
            .cloned()
            .expect("the UK's air-defence obligation")
    };
    let adopted = "proposals-adopted=adopted";
    let out = run(&[
        "obligations",
        COALITION,
        "--scenario",
        without.to_str().unwrap(),
        "--variant",
        adopted,
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("W0014") && out.stderr.contains("`designated-air-defence`"), "{}", out.stderr);
    let shown = out.stderr.replace(without.to_str().unwrap(), "<dir>/without.toml");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("w0014-action-without-region", shown);
    });
    let o = obligation(&out);
    assert_ne!(o["status"], "fulfilled", "{o:#}");
    assert_eq!(o["out_of_scope"].as_array().map(Vec::len), Some(1), "{o:#}");
    let out = run(&[
        "obligations",
        COALITION,
        "--scenario",
        with.to_str().unwrap(),
        "--variant",
        adopted,
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("W0014"), "{}", out.stderr);
    assert_eq!(obligation(&out)["status"], "fulfilled");
}

/// Entry into force and expiry are moments of the replay (docs/semantics.md, "In force"): a
/// standing clause is owed from the day of entry into force, and an obligation open when the
/// framework expires is `expired`, saying when and why, and whether its deadline was missed.
#[test]
fn obligations_say_when_the_framework_entered_into_force_and_expired() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let clause = |id: &str, fields: &str| {
        format!(
            "\n[[commitment]]\nid = \"{id}\"\nby = [\"UK\"]\nto = [\"UA\"]\nmodality = \"automatic\"\nstrength = \"treaty\"\n{fields}\n[[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
        )
    };
    let spec = format!(
        "[framework]\nid = \"f\"\ntitle = \"In force\"\nprotects = [\"UA\"]\nthreat = \"RU\"\nin_force = 2026-03-11\nexpires = 2026-03-20\n\n[[source]]\nid = \"s\"\nfile = \"s.txt\"\n\n[[party]]\nid = \"UA\"\n[[party]]\nid = \"RU\"\n[[party]]\nid = \"UK\"\n\n[[region]]\nid = \"UA\"\n{}{}",
        clause("air", "kind = \"assist\"\ndomains = [\"air\"]"),
        clause("d", "kind = \"defend\"\ntrigger = \"armed_attack where target == UA\"\ndeadline = \"2d\""),
    );
    let scenario = "[scenario]\nid = \"t\"\nframework = \"f\"\nstart = 2026-03-01\n\n[[event]]\nday = 2\nkind = \"ceasefire_signed\"\n\n[[event]]\nday = 12\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\n";
    std::fs::write(dir.path().join("f.toml"), spec).expect("writable");
    std::fs::write(dir.path().join("t.toml"), scenario).expect("writable");
    let (spec, scenario) = (dir.path().join("f.toml"), dir.path().join("t.toml"));
    let args = |format: &'static str| {
        vec![
            "obligations",
            spec.to_str().unwrap(),
            "--scenario",
            scenario.to_str().unwrap(),
            "--at",
            "25",
            "--format",
            format,
        ]
    };
    let out = run(&args("json"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let obligations = report["obligations"].as_array().expect("obligations");
    let air = obligations.iter().find(|o| o["commitment"] == "air").expect("air");
    assert_eq!(air["status"], "expired");
    assert_eq!(air["since"], 10);
    assert_eq!(air["closed_on"], 20);
    assert_eq!(air["cause"]["kind"], "in_force");
    assert_eq!(air["cause_text"], "the framework's entry into force on day 10 (2026-03-11)");
    let d = obligations.iter().find(|o| o["commitment"] == "d").expect("d");
    assert_eq!(
        d["status_text"],
        "expired since day 12 (2026-03-13), deadline day 14 (2026-03-15) (missed) — out of force from day 20 (2026-03-21): the framework expired"
    );
    let out = run(&args("text"));
    assert!(out.stdout.contains("out of force from day 20 (2026-03-21): the framework expired"), "{}", out.stdout);
}
