//! One test per file of `tests/bad-specs/`: each file is a small spec with exactly one problem,
//! announced on its first line (`# E0101: a commitment names a party nobody declared`).
//!
//! Each test runs `ironclad check --color never tests/bad-specs/<file>` from the workspace root
//! and checks that
//! - the exit code is 1 for an error, and for a warning 0 (1 with `--deny-warnings`);
//! - the announced code is reported, and no other code (the file shows exactly one problem);
//! - the snapshot `snapshots/<file>.snap` (the file's text, then stderr and the exit code) holds.
//!
//! A lint that reads the source files (`FROM_SOURCES`) is run by `ironclad sources verify
//! --sources tests/bad-specs` instead, on a file that `check --deny-warnings` passes: the source
//! text lies beside the spec as `<file>.txt`.
//!
//! Adding a file to `tests/bad-specs/` means adding a line to the `bad_specs!` list below;
//! `every_bad_spec_has_a_test` fails until it is there.

use std::collections::BTreeSet;
use std::fs;

use ironclad::spec::Severity;
use ironclad::spec::diagnostic::{CODES, code_info};

use super::{run, workspace_root};

const DIR: &str = "tests/bad-specs";

macro_rules! bad_specs {
    ($($test:ident => $stem:literal,)+) => {
        /// Every file the tests below cover, without `.toml`.
        const STEMS: &[&str] = &[$($stem),+];
        $(
            #[test]
            fn $test() {
                check_bad_spec($stem);
            }
        )+
    };
}

bad_specs! {
    spec_01_toml_unquoted_string => "01-toml-unquoted-string",
    spec_02_toml_unclosed_table_header => "02-toml-unclosed-table-header",
    spec_03_toml_duplicate_key => "03-toml-duplicate-key",
    spec_04_toml_unterminated_string => "04-toml-unterminated-string",
    spec_05_toml_table_defined_twice => "05-toml-table-defined-twice",
    spec_06_format_string_for_array => "06-format-string-for-array",
    spec_07_format_number_for_string => "07-format-number-for-string",
    spec_08_format_missing_field => "08-format-missing-field",
    spec_09_format_unknown_field => "09-format-unknown-field",
    spec_10_format_bad_kind => "10-format-bad-kind",
    spec_11_format_bad_modality => "11-format-bad-modality",
    spec_12_format_impossible_date => "12-format-impossible-date",
    spec_13_format_datetime_not_date => "13-format-datetime-not-date",
    spec_14_format_invalid_id => "14-format-invalid-id",
    spec_15_not_utf8 => "15-not-utf8",
    spec_16_unknown_party => "16-unknown-party",
    spec_17_unknown_region => "17-unknown-region",
    spec_18_unknown_source => "18-unknown-source",
    spec_19_unknown_tag => "19-unknown-tag",
    spec_20_unknown_backed_commitment => "20-unknown-backed-commitment",
    spec_21_unknown_commitment_in_variant => "21-unknown-commitment-in-variant",
    spec_22_unknown_threat => "22-unknown-threat",
    spec_23_unknown_parent_region => "23-unknown-parent-region",
    spec_24_duplicate_party => "24-duplicate-party",
    spec_25_duplicate_commitment => "25-duplicate-commitment",
    spec_26_party_body_collision => "26-party-body-collision",
    spec_27_duplicate_variant_option => "27-duplicate-variant-option",
    spec_28_body_as_beneficiary => "28-body-as-beneficiary",
    spec_29_tag_as_threat => "29-tag-as-threat",
    spec_30_body_and_parties_in_by => "30-body-and-parties-in-by",
    spec_31_empty_protects => "31-empty-protects",
    spec_32_empty_by => "32-empty-by",
    spec_33_empty_to => "33-empty-to",
    spec_34_body_without_members => "34-body-without-members",
    spec_35_variant_without_options => "35-variant-without-options",
    spec_36_expr_single_equals => "36-expr-single-equals",
    spec_37_expr_double_ampersand => "37-expr-double-ampersand",
    spec_38_expr_unclosed_paren => "38-expr-unclosed-paren",
    spec_39_expr_chained_comparison => "39-expr-chained-comparison",
    spec_40_expr_empty_condition => "40-expr-empty-condition",
    spec_41_expr_event_called_like_function => "41-expr-event-called-like-function",
    spec_42_expr_where_in_condition => "42-expr-where-in-condition",
    spec_43_expr_unknown_name => "43-expr-unknown-name",
    spec_44_expr_wrong_argument_type => "44-expr-wrong-argument-type",
    spec_45_expr_field_outside_trigger => "45-expr-field-outside-trigger",
    spec_46_expr_unknown_event_kind => "46-expr-unknown-event-kind",
    spec_47_expr_unknown_event_field => "47-expr-unknown-event-field",
    spec_48_expr_compare_party_with_domain => "48-expr-compare-party-with-domain",
    spec_49_expr_predicate_without_arguments => "49-expr-predicate-without-arguments",
    spec_50_amount_unknown_unit => "50-amount-unknown-unit",
    spec_51_amount_malformed => "51-amount-malformed",
    spec_52_amount_unit_vs_kind => "52-amount-unit-vs-kind",
    spec_53_capacity_unit_vs_domain => "53-capacity-unit-vs-domain",
    spec_54_bad_deadline => "54-bad-deadline",
    spec_55_bad_notice => "55-bad-notice",
    spec_56_dates_out_of_order => "56-dates-out-of-order",
    spec_57_weights_do_not_sum_to_one => "57-weights-do-not-sum-to-one",
    spec_58_weight_out_of_range => "58-weight-out-of-range",
    spec_59_threshold_out_of_range => "59-threshold-out-of-range",
    spec_60_commitment_in_two_options => "60-commitment-in-two-options",
    spec_61_commitment_without_evidence => "61-commitment-without-evidence",
    spec_62_red_line_without_evidence => "62-red-line-without-evidence",
    spec_63_empty_quote => "63-empty-quote",
    spec_64_backstop_without_backs => "64-backstop-without-backs",
    spec_65_backs_on_non_backstop => "65-backs-on-non-backstop",
    spec_66_region_cycle => "66-region-cycle",
    spec_67_veto_not_member => "67-veto-not-member",
    spec_68_qualified_without_threshold => "68-qualified-without-threshold",
    spec_69_threshold_on_consensus => "69-threshold-on-consensus",
    spec_70_quota_weight_for_non_member => "70-quota-weight-for-non-member",
    spec_71_unknown_lint_in_allow => "71-unknown-lint-in-allow",
    spec_72_lint_red_line_conflict => "72-lint-red-line-conflict",
    spec_73_lint_uncovered_domain => "73-lint-uncovered-domain",
    spec_74_lint_contradictory_conditions => "74-lint-contradictory-conditions",
    spec_75_lint_contradictory_trigger => "75-lint-contradictory-trigger",
    spec_76_lint_backstop_cycle => "76-lint-backstop-cycle",
    spec_77_lint_discretionary_defend => "77-lint-discretionary-defend",
    spec_78_lint_threat_veto => "78-lint-threat-veto",
    spec_79_lint_unused_source => "79-lint-unused-source",
    spec_80_lint_crosses_red_line => "80-lint-crosses-red-line",
    spec_81_model_loadings_not_psd => "81-model-loadings-not-psd",
    spec_82_model_negative_delay => "82-model-negative-delay",
    spec_83_lint_conflicting_exceptions => "83-lint-conflicting-exceptions",
    spec_84_exception_precedence_cycle => "84-exception-precedence-cycle",
    spec_85_model_uncertain_unknown_parameter => "85-model-uncertain-unknown-parameter",
    spec_86_model_uncertain_bad_bounds => "86-model-uncertain-bad-bounds",
    spec_87_model_uncertain_missing_reason => "87-model-uncertain-missing-reason",
    spec_88_model_uncertain_duplicate => "88-model-uncertain-duplicate",
    spec_89_model_uncertain_lognormal_probability => "89-model-uncertain-lognormal-probability",
    spec_90_lint_condition_kind => "90-lint-condition-kind",
    spec_91_lint_tentative_clause => "91-lint-tentative-clause",
    spec_92_lint_evidence_below_status => "92-lint-evidence-below-status",
    spec_93_lint_inert_variant => "93-lint-inert-variant",
    spec_94_format_bad_status => "94-format-bad-status",
    spec_95_amount_range_downwards => "95-amount-range-downwards",
    spec_96_amount_range_capacity => "96-amount-range-capacity",
    spec_97_lint_hedged_quote => "97-lint-hedged-quote",
    spec_98_red_line_domains_not_exclusion => "98-red-line-domains-not-exclusion",
    spec_99_red_line_domains_in_variant => "99-red-line-domains-in-variant",
    spec_100_sanctions_domain => "100-sanctions-domain",
    spec_101_member_bare_organisation => "101-member-bare-organisation",
    spec_102_appropriated_consultation => "102-appropriated-consultation",
    spec_103_predicate_of_event_field => "103-predicate-of-event-field",
    spec_110_excuse_without_acts => "110-excuse-without-acts",
    spec_111_acts_on_suspend => "111-acts-on-suspend",
    spec_112_excuse_not_refrain => "112-excuse-not-refrain",
    spec_113_excuse_in_precedence => "113-excuse-in-precedence",
    spec_114_soft_and_hard_deadline => "114-soft-and-hard-deadline",
    spec_115_threatened_needs_party => "115-threatened-needs-party",
    spec_116_duration_too_long => "116-duration-too-long",
    spec_117_model_duplicate_factor => "117-model-duplicate-factor",
    spec_118_tag_with_hash => "118-tag-with-hash",
    spec_119_lint_contradictory_entry => "119-lint-contradictory-entry",
}

/// The code a bad spec announces on its first line: `# E0101: ...`.
pub(crate) fn announced_code(stem: &str, source: &str) -> &'static str {
    let first = source.lines().next().unwrap_or_default();
    let code = first
        .strip_prefix("# ")
        .and_then(|rest| rest.split_once(':'))
        .map(|(code, _)| code.trim())
        .unwrap_or_else(|| panic!("{stem}: the first line should be `# <CODE>: what it tests`, found {first:?}"));
    code_info(code)
        .map(|info| info.code)
        .unwrap_or_else(|| panic!("{stem}: the first line names `{code}`, which is not a diagnostic code"))
}

/// The codes of the diagnostics in rendered output (`error[E0101]`, `warning[W0005]`, `note[N0001]`).
pub(crate) fn reported_codes(output: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for severity in ["error[", "warning[", "note["] {
        for (at, _) in output.match_indices(severity) {
            let rest = &output[at + severity.len()..];
            if let Some(end) = rest.find(']') {
                codes.insert(rest[..end].to_string());
            }
        }
    }
    codes
}

fn check_bad_spec(stem: &str) {
    let path = format!("{DIR}/{stem}.toml");
    let bytes = fs::read(workspace_root().join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    // One bad spec is deliberately not UTF-8; show it as well as we can.
    let source = String::from_utf8_lossy(&bytes);
    let code = announced_code(stem, &source);
    let severity = code_info(code).expect("a known code").severity;

    if FROM_SOURCES.contains(&code) {
        return check_bad_sources(stem, &path, &source, code);
    }
    let checked = run(&["check", "--color", "never", &path]);
    let context = format!("{path} (announces {code}):\n{}", checked.stderr);
    assert!(checked.stdout.is_empty(), "{context}\nhuman output goes to stderr, but stdout has:\n{}", checked.stdout);
    assert!(!checked.stderr.contains('\u{1b}'), "{context}\n`--color never` printed an escape sequence");
    assert!(!checked.stderr.contains("panicked"), "{context}\nironclad panicked");

    let tag = format!("{}[{code}]", severity.as_str());
    assert!(checked.stderr.contains(&tag), "{context}\nexpected `{tag}` in the output");
    let codes = reported_codes(&checked.stderr);
    assert_eq!(
        codes,
        BTreeSet::from([code.to_string()]),
        "{context}\nthe file should show exactly one problem, {code}"
    );

    match severity {
        Severity::Error => {
            assert_eq!(checked.code, 1, "{context}\nan error exits 1");
        }
        Severity::Warning => {
            assert_eq!(checked.code, 0, "{context}\na warning alone exits 0");
            let denied = run(&["check", "--color", "never", "--deny-warnings", &path]);
            assert_eq!(denied.code, 1, "{path}: with --deny-warnings a warning exits 1:\n{}", denied.stderr);
            assert!(
                denied.stderr.contains("(denied)"),
                "{path}: the summary should say the warnings were denied:\n{}",
                denied.stderr
            );
        }
        Severity::Note => {
            // A note is not a warning: `--deny-warnings` does not turn it into a failure.
            assert_eq!(checked.code, 0, "{context}\na note exits 0");
            let denied = run(&["check", "--color", "never", "--deny-warnings", &path]);
            assert_eq!(
                denied.code, 0,
                "{path}: a note is not a warning, so --deny-warnings still exits 0:\n{}",
                denied.stderr
            );
        }
    }

    let snapshot = format!(
        "{source}\n──── $ ironclad check --color never {path} ────\n{}\n──── exit code: {} ────\n",
        checked.stderr.trim_end(),
        checked.code
    );
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("ironclad check --color never {path}"),
    }, {
        insta::assert_snapshot!(stem, snapshot);
    });
}

/// A bad spec whose one problem only `sources verify` sees: `check` passes it, even with
/// `--deny-warnings`, and `sources verify` reports the announced warning and exits 0.
fn check_bad_sources(stem: &str, path: &str, source: &str, code: &str) {
    let severity = code_info(code).expect("a known code").severity;
    assert_eq!(severity, Severity::Warning, "{path}: a source lint is a warning");
    let checked = run(&["check", "--color", "never", "--deny-warnings", path]);
    assert_eq!(checked.code, 0, "{path}: `check` cannot see {code}, so the file passes it:\n{}", checked.stderr);
    let args = ["sources", "verify", "--color", "never", "--sources", DIR, path];
    let verified = run(&args);
    let context = format!("{path} (announces {code}):\n{}", verified.stderr);
    assert!(!verified.stderr.contains("panicked"), "{context}\nironclad panicked");
    assert_eq!(reported_codes(&verified.stderr), BTreeSet::from([code.to_string()]), "{context}\nexactly one problem");
    assert_eq!(verified.code, 0, "{context}\na warning alone exits 0");
    let snapshot = format!(
        "{source}\n──── $ ironclad {} ────\n{}\n──── exit code: {} ────\n",
        args.join(" "),
        verified.stderr.trim_end(),
        verified.code
    );
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("ironclad {}", args.join(" ")),
    }, {
        insta::assert_snapshot!(stem, snapshot);
    });
}

/// Every `.toml` file of `dir` is one of `stems` (the files a test macro lists), and no other.
pub(crate) fn assert_all_listed(dir: &str, stems: &[&str], macro_name: &str) {
    let on_disk: BTreeSet<String> = fs::read_dir(workspace_root().join(dir))
        .unwrap_or_else(|e| panic!("{dir} exists: {e}"))
        .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".toml").map(str::to_string))
        .collect();
    let listed: BTreeSet<String> = stems.iter().map(|s| s.to_string()).collect();
    assert_eq!(on_disk, listed, "list every file of {dir} in `{macro_name}!`, and no other");
}

/// Every stem reads `NN-short-kebab-name`, with two digits or more (`100-...` after `99-...`).
pub(crate) fn assert_numbered(stems: &[&str]) {
    for stem in stems {
        let (number, name) = stem.split_once('-').unwrap_or_else(|| panic!("{stem}: expected `NN-short-name`"));
        assert!(
            number.len() >= 2 && number.bytes().all(|b| b.is_ascii_digit()),
            "{stem}: expected a number of two digits or more"
        );
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{stem}: expected a short kebab-case name"
        );
    }
}

#[test]
fn every_bad_spec_has_a_test() {
    assert_all_listed(DIR, STEMS, "bad_specs");
}

#[test]
fn bad_spec_names_are_numbered() {
    assert_numbered(STEMS);
}

/// Codes that `ironclad check` never reports: they come from `ironclad sources verify`, which
/// reads the source files the quotes come from.
const NOT_FROM_CHECK: &[&str] = &["E0701", "E0702"];

/// Lints of `ironclad sources verify`, tested by files of `tests/bad-specs/` all the same (run
/// through `sources verify`, see `check_bad_sources`).
const FROM_SOURCES: &[&str] = &["W0013"];

/// Codes that only a scenario can raise (`ironclad obligations --scenario`): the files of
/// `tests/bad-scenarios/` test them (see `bad_scenarios`), not those of `tests/bad-specs/`.
const FROM_SCENARIOS: &[&str] = &["E0801", "E0802", "E0803", "E0608", "E0614"];

/// A scenario's warnings: the run goes on (exit 0), so no file of `tests/bad-scenarios/` (which
/// exit 1) can show them; `obligations::an_action_without_a_region_warns_that_it_fulfils_no_scoped_clause`
/// tests W0014, with a snapshot, and `obligations::a_requirement_in_a_unit_no_pledge_uses_warns` W0015.
const SCENARIO_WARNINGS: &[&str] = &["W0014", "W0015"];

#[test]
fn every_code_has_a_bad_spec() {
    let announced: BTreeSet<&str> = STEMS
        .iter()
        .map(|stem| {
            let bytes = fs::read(workspace_root().join(format!("{DIR}/{stem}.toml"))).expect("readable");
            announced_code(stem, &String::from_utf8_lossy(&bytes))
        })
        .collect();
    let by_scenarios = super::bad_scenarios::announced_codes();
    let missing: Vec<&str> = CODES
        .iter()
        .map(|info| info.code)
        .filter(|code| {
            let tested =
                if FROM_SCENARIOS.contains(code) { by_scenarios.contains(code) } else { announced.contains(code) };
            !tested && !NOT_FROM_CHECK.contains(code) && !SCENARIO_WARNINGS.contains(code)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "no file of {DIR} (or of tests/bad-scenarios for {FROM_SCENARIOS:?}) tests {missing:?}"
    );
    for code in NOT_FROM_CHECK.iter().chain(FROM_SCENARIOS) {
        assert!(code_info(code).is_some(), "{code} is no longer a diagnostic code: remove it from this file's lists");
    }
}
