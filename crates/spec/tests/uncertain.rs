//! `[[model.uncertain]]`: declared entries lowered into the model, merged with the library
//! defaults; the opt-out; the errors (the bad specs under `tests/bad-specs/` snapshot them).

use ironclad_spec::analyze;
use ironclad_spec::uncertain::{DEFAULTS, Distribution, Param};
use ironclad_spec::vocab::Strength;

const BASE: &str = r#"
[framework]
id = "t"
title = "t"
protects = ["UA"]

[[source]]
id = "s"
file = "s.txt"

[[party]]
id = "UA"
[[party]]
id = "UK"

[[commitment]]
id = "c"
by = ["UK"]
to = ["UA"]
kind = "assist"
modality = "automatic"
strength = "treaty"

[[commitment.evidence]]
source = "s"
quote = "q"
"#;

fn codes(text: &str) -> Vec<String> {
    analyze(text).diagnostics.iter().map(|d| d.code.to_string()).collect()
}

#[test]
fn without_a_model_every_default_applies() {
    let a = analyze(BASE);
    let spec = a.spec.expect("valid");
    assert_eq!(spec.params.uncertain.len(), DEFAULTS.len());
    assert!(spec.params.uncertain.iter().all(|u| u.default && u.reason.contains("library default")));
}

#[test]
fn declared_entries_replace_their_default_and_set_parameters_are_held() {
    let text = format!(
        "{BASE}\n[model]\nhonour = {{ agreement = 0.5 }}\n[[model.factor]]\nid = \"f\"\nparties = [\"UK\"]\nloading = 0.5\n\n\
         [[model.uncertain]]\nparam = \"honour.treaty\"\ndist = \"beta\"\nalpha = 3\nbeta = 2\nreason = \"r\"\n\n\
         [[model.uncertain]]\nparam = \"factor.f\"\nlow = 0.2\nhigh = 0.6\nreason = \"r\"\n\n\
         [[model.uncertain]]\nparam = \"delay.deploy.median\"\ndist = \"lognormal\"\nmedian = 10\nspread = 0.4\nreason = \"r\"\n"
    );
    let a = analyze(&text);
    let spec = a.spec.unwrap_or_else(|| panic!("{:?}", a.diagnostics));
    let u = &spec.params.uncertain;
    assert_eq!(u[0].param, Param::Honour(Strength::Treaty));
    assert_eq!(u[0].dist, Distribution::Beta { alpha: 3.0, beta: 2.0, low: 0.0, high: 1.0 });
    assert!(!u[0].default);
    assert_eq!(u[1].param, Param::Factor(0));
    assert_eq!(u[2].dist, Distribution::LogNormal { median: 10.0, spread: 0.4 });
    // Each parameter once; the agreement rate the spec set is held at 0.5.
    let mut names: Vec<&str> = u.iter().map(|u| u.name.as_str()).collect();
    names.sort_unstable();
    let len = names.len();
    names.dedup();
    assert_eq!(names.len(), len);
    assert!(!names.contains(&"honour.agreement"));
    assert!(names.contains(&"honour.remark"));
    // The nominal value is untouched.
    assert_eq!(spec.params.honour[Strength::Treaty as usize], 0.745);
}

#[test]
fn defaults_can_be_turned_off() {
    let text = format!("{BASE}\n[model]\nuncertain_defaults = false\n");
    let spec = analyze(&text).spec.expect("valid");
    assert!(spec.params.uncertain.is_empty());
    let text = format!(
        "{BASE}\n[model]\nuncertain_defaults = false\n[[model.uncertain]]\nparam = \"deterrence.gain\"\nlow = 0\nhigh = 1\nreason = \"r\"\n"
    );
    let spec = analyze(&text).spec.expect("valid");
    assert_eq!(spec.params.uncertain.len(), 1);
}

#[test]
fn loadings_at_the_edge_of_their_ranges_must_stay_psd() {
    let text = format!(
        "{BASE}\n[model]\ndomestic = 0.5\n[[model.factor]]\nid = \"f\"\nparties = [\"UK\"]\nloading = 0.5\n\n\
         [[model.uncertain]]\nparam = \"factor.f\"\nlow = 0.2\nhigh = 0.95\nreason = \"r\"\n"
    );
    assert_eq!(codes(&text), ["E0901"]);
}

#[test]
fn malformed_entries_are_reported_each_with_its_code() {
    let entry = |body: &str| format!("{BASE}\n[[model.uncertain]]\n{body}\n");
    assert_eq!(codes(&entry("param = \"honour.treaty\"\nlow = 0.5\nreason = \"r\"")), ["E0903"]);
    assert_eq!(codes(&entry("param = \"honour.treaty\"\nlow = 0.5\nhigh = 1.5\nreason = \"r\"")), ["E0903"]);
    assert_eq!(
        codes(&entry("param = \"honour.treaty\"\nlow = 0.2\nhigh = 0.5\nmode = 0.3\nreason = \"r\"")),
        ["E0903"]
    );
    assert_eq!(
        codes(&entry("param = \"honour.treaty\"\ndist = \"beta\"\nalpha = -1\nbeta = 2\nreason = \"r\"")),
        ["E0903"]
    );
    assert_eq!(codes(&entry("param = \"factor.nope\"\nlow = 0\nhigh = 1\nreason = \"r\"")), ["E0902"]);
    assert_eq!(codes(&entry("param = \"domestic\"\nlow = 0\nhigh = 0.5\nreason = \"  \"")), ["E0904"]);
    assert_eq!(codes(&entry("param = \"domestic\"\ndist = \"gamma\"\nreason = \"r\"")), ["E0002"]);
}
