//! E0609 (`appropriated(C)` of a clause that does not act) is found wherever an expression can
//! read it: here in an `excuse` exception's `acts` pattern, which the check once skipped.

const SPEC: &str = r#"
# E0609: a condition on funds appropriated for a consultation, which spends none
[framework]
id = "test"
title = "A test framework"
protects = ["UA"]

[[source]]
id = "s1"
file = "s1.txt"

[[party]]
id = "UA"

[[party]]
id = "US"

[[commitment]]
id = "meet"
by = ["US"]
to = ["UA"]
kind = "consult"
trigger = "armed_attack where target == UA"
modality = "automatic"
strength = "agreement"

[[commitment.evidence]]
source = "s1"
quote = "The US will meet with Ukraine."

[[commitment]]
id = "fund"
by = ["US"]
to = ["UA"]
kind = "finance"
domains = ["financing"]
continuing = ["appropriated(fund)"]
modality = "constitutional"
strength = "agreement"

[[commitment.evidence]]
source = "s1"
quote = "The US will fund Ukraine, subject to the availability of funds."

[[commitment]]
id = "hold"
by = ["US"]
to = ["UA"]
kind = "refrain"
modality = "automatic"
strength = "agreement"

[[commitment.evidence]]
source = "s1"
quote = "The US will meet with Ukraine."

[[exception]]
id = "x"
commitments = ["hold"]
effect = "excuse"
acts = "armed_attack where appropriated(meet)"

[[exception.evidence]]
source = "s1"
quote = "The US will meet with Ukraine."
"#;

#[test]
fn appropriated_of_a_consultation_in_an_excuse_is_e0609() {
    let analysis = ironclad_spec::analyze(SPEC);
    let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes.iter().filter(|c| **c == "E0609").count(), 1, "{:#?}", analysis.diagnostics);
    // With the exception reading a clause that acts, the spec is valid.
    let fixed = SPEC.replace("armed_attack where appropriated(meet)", "armed_attack where appropriated(fund)");
    let analysis = ironclad_spec::analyze(&fixed);
    assert!(analysis.spec.is_some(), "{:#?}", analysis.diagnostics);
}
