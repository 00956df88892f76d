//! One test per file of `tests/bad-scenarios/`: each file is a small scenario with exactly one
//! problem, announced on its first line (`# E0802: an armed attack without the region`).
//!
//! Each test runs `ironclad obligations frameworks/coalition-2025.toml --scenario
//! tests/bad-scenarios/<file> --color never` from the workspace root (another framework if the
//! file has a line `# framework: frameworks/<file>.toml`) and checks that
//! - the exit code is 1 and stdout is empty;
//! - the announced code is reported, and no other code (the file shows exactly one problem);
//! - the snapshot `snapshots/bad-scenarios/<file>.snap` (the file's text, then stderr and the
//!   exit code) holds.
//!
//! Adding a file to `tests/bad-scenarios/` means adding a line to the `bad_scenarios!` list
//! below; `every_bad_scenario_has_a_test` fails until it is there.

use std::collections::BTreeSet;
use std::fs;

use super::bad_specs::{announced_code, reported_codes};
use super::{run, workspace_root};

const DIR: &str = "tests/bad-scenarios";
const DEFAULT_FRAMEWORK: &str = "frameworks/coalition-2025.toml";

macro_rules! bad_scenarios {
    ($($test:ident => $stem:literal,)+) => {
        /// Every file the tests below cover, without `.toml`.
        pub(crate) const STEMS: &[&str] = &[$($stem),+];
        $(
            #[test]
            fn $test() {
                check_bad_scenario($stem);
            }
        )+
    };
}

bad_scenarios! {
    scenario_01_framework_mismatch => "01-framework-mismatch",
    scenario_02_unknown_event_kind => "02-unknown-event-kind",
    scenario_03_field_not_applicable => "03-field-not-applicable",
    scenario_04_missing_required_field => "04-missing-required-field",
    scenario_05_vote_by_non_member => "05-vote-by-non-member",
    scenario_06_unknown_scale => "06-unknown-scale",
    scenario_07_position_change_without_change => "07-position-change-without-change",
    scenario_08_no_day => "08-no-day",
    scenario_09_date_without_start => "09-date-without-start",
    scenario_10_day_and_date => "10-day-and-date",
    scenario_11_unknown_party => "11-unknown-party",
    scenario_12_unknown_region => "12-unknown-region",
    scenario_13_unknown_body => "13-unknown-body",
    scenario_14_unknown_commitment => "14-unknown-commitment",
    scenario_15_toml_unclosed_array => "15-toml-unclosed-array",
    scenario_16_format_unknown_field => "16-format-unknown-field",
    scenario_17_format_missing_framework => "17-format-missing-framework",
    scenario_18_format_bad_vote => "18-format-bad-vote",
    scenario_19_withdraws_without_commitment => "19-withdraws-without-commitment",
    scenario_20_requirement_range => "20-requirement-range",
    scenario_21_organisation_without_tag => "21-organisation-without-tag",
    scenario_22_day_out_of_range => "22-day-out-of-range",
    scenario_23_two_policies_for_one_body => "23-two-policies-for-one-body",
    scenario_110_action_scoped_without_region => "110-action-scoped-without-region",
}

/// The framework a bad scenario runs against: `# framework: <path>` in its header, or the default.
fn framework_of(source: &str) -> String {
    source
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# framework:"))
        .map_or_else(|| DEFAULT_FRAMEWORK.to_string(), |p| p.trim().to_string())
}

fn source_of(stem: &str) -> String {
    let path = format!("{DIR}/{stem}.toml");
    fs::read_to_string(workspace_root().join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The codes the files of `tests/bad-scenarios/` announce.
pub(crate) fn announced_codes() -> BTreeSet<&'static str> {
    STEMS.iter().map(|stem| announced_code(stem, &source_of(stem))).collect()
}

fn check_bad_scenario(stem: &str) {
    let path = format!("{DIR}/{stem}.toml");
    let source = source_of(stem);
    let code = announced_code(stem, &source);
    let framework = framework_of(&source);

    let out = run(&["obligations", &framework, "--scenario", &path, "--color", "never"]);
    let context = format!("{path} (announces {code}):\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "{context}\na bad scenario prints nothing on stdout, but it has:\n{}", out.stdout);
    assert!(!out.stderr.contains('\u{1b}'), "{context}\n`--color never` printed an escape sequence");
    assert!(!out.stderr.contains("panicked"), "{context}\nironclad panicked");
    assert_eq!(out.code, 1, "{context}\na bad scenario exits 1");

    let tag = format!("error[{code}]");
    assert!(out.stderr.contains(&tag), "{context}\nexpected `{tag}` in the output");
    assert_eq!(
        reported_codes(&out.stderr),
        BTreeSet::from([code.to_string()]),
        "{context}\nthe file should show exactly one problem, {code}"
    );
    assert!(out.stderr.contains(&format!("┌─ {path}:")), "{context}\nthe diagnostic points into the file");
    assert!(
        out.stderr.trim_end().ends_with("obligations: the scenario has errors"),
        "{context}\nthe last line says the scenario has errors"
    );

    let command = format!("ironclad obligations {framework} --scenario {path} --color never");
    let snapshot =
        format!("{source}\n──── $ {command} ────\n{}\n──── exit code: {} ────\n", out.stderr.trim_end(), out.code);
    insta::with_settings!({
        snapshot_path => "../snapshots/bad-scenarios",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => command,
    }, {
        insta::assert_snapshot!(stem, snapshot);
    });
}

#[test]
fn every_bad_scenario_has_a_test() {
    super::bad_specs::assert_all_listed(DIR, STEMS, "bad_scenarios");
}

#[test]
fn bad_scenario_names_are_numbered() {
    super::bad_specs::assert_numbered(STEMS);
}

/// The scenario codes, and the E0101 / E0001 / E0002 paths of the scenario reader, are each tested
/// by at least one file.
#[test]
fn every_scenario_code_has_a_bad_scenario() {
    let announced = announced_codes();
    for code in ["E0801", "E0802", "E0803", "E0614", "E0101", "E0001", "E0002"] {
        assert!(announced.contains(code), "no file of {DIR} tests {code}");
    }
}
