//! `ironclad code --scheme atop`: the codes of the bundled treaties follow from their clauses,
//! the library codes to one CSV row per framework, the JSON matches its schema, and bad input
//! is a clear error with a non-zero exit.

use serde_json::Value;

use super::{run, workspace_root};

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

fn alliance<'a>(f: &'a Value, var: &str) -> &'a Value {
    f["alliance"].as_array().unwrap().iter().find(|c| c["variable"] == var).unwrap_or_else(|| panic!("no {var}"))
}

fn member_code(f: &Value, party: &str, var: &str) -> Value {
    let m = f["members_codes"].as_array().unwrap().iter().find(|m| m["party"] == party).expect("member");
    m["codes"].as_array().unwrap().iter().find(|c| c["variable"] == var).expect("variable")["code"].clone()
}

fn coded(spec: &str) -> Value {
    let out = run(&["code", spec, "--scheme", "atop", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out.stdout)["frameworks"][0].clone()
}

#[test]
fn the_three_treaties_code_from_their_clauses() {
    let nato = coded("frameworks/nato-1949.toml");
    assert_eq!(nato["members"].as_array().unwrap().len(), 32, "UA and RU are parties but not members");
    for (var, code) in
        [("DEFENSE", 1), ("OFFENSE", 0), ("NEUTRAL", 0), ("NONAGG", 0), ("CONSUL", 1), ("ASYMM", 0), ("SPECTHRT", 0)]
    {
        assert_eq!(alliance(&nato, var)["code"], code, "nato {var}");
    }
    assert!(
        alliance(&nato, "DEFENSE")["clauses"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("art5-collective-defence")),
        "{}",
        alliance(&nato, "DEFENSE")
    );
    assert_eq!(member_code(&nato, "EE", "DEFCOLOC"), 1, "Art. 6 bounds the region");
    assert_eq!(member_code(&nato, "EE", "DEFCOADV"), 0, "no adversary is named");
    assert_eq!(nato["benson"]["kind"], "probabilistic_deterrent", "such action as it deems necessary");

    let anzus = coded("frameworks/anzus-1951.toml");
    assert_eq!(alliance(&anzus, "DEFENSE")["code"], 1);
    assert_eq!(alliance(&anzus, "ASYMM")["code"], 0);
    assert_eq!(member_code(&anzus, "NZ", "DEFCOLOC"), 1, "the Pacific Area");
    assert_eq!(anzus["benson"]["kind"], "probabilistic_deterrent", "constitutional processes");

    let japan = coded("frameworks/us-japan-1960.toml");
    assert_eq!(alliance(&japan, "ASYMM")["code"], 1, "the US defends Japan, Japan does not defend the US");
    assert_eq!(member_code(&japan, "US", "DEFENSE"), 1);
    assert_eq!(member_code(&japan, "JP", "DEFENSE"), 0, "Art. V covers only Japan's own territories");
    assert_eq!(member_code(&japan, "US", "DEFCOLOC"), 0, "all of Japan's territories are covered");
    assert_eq!(alliance(&japan, "DEFCON")["code"], 0);
    assert_eq!(japan["benson"]["kind"], "probabilistic_deterrent");
    // Art. VI is a grant the language cannot hold (docs/fidelity/us-japan-1960.md): no base.
    assert_eq!(alliance(&japan, "BASE")["code"], 0);
}

#[test]
fn every_code_says_why_and_what_it_rests_on() {
    let f = coded("frameworks/nato-1949.toml");
    for c in f["alliance"].as_array().unwrap() {
        assert!(!c["rule"].as_str().unwrap().is_empty() && !c["why"].as_str().unwrap().is_empty(), "{c}");
        match c["status"].as_str().unwrap() {
            "not_derivable" => {
                assert!(c["code"].is_null(), "{c}");
                assert!(c["needs"].is_string(), "{c}");
            }
            "derived" | "lower_bound" => assert!(c["code"].is_u64(), "{c}"),
            other => panic!("status {other}"),
        }
        if c["code"] == 1 && c["variable"] != "ORGAN1" {
            assert!(!c["clauses"].as_array().unwrap().is_empty(), "a 1 rests on clauses: {c}");
        }
    }
    assert_eq!(alliance(&f, "INTCOM")["status"], "not_derivable");
}

#[test]
fn the_library_codes_to_one_csv_row_per_framework() {
    let mut specs: Vec<String> = std::fs::read_dir(workspace_root().join("frameworks"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| format!("frameworks/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    specs.sort();
    let mut args = vec!["code", "--scheme", "atop", "--format", "csv"];
    args.extend(specs.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), specs.len() + 1);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(&header[..4], ["file", "framework", "members", "DEFENSE"]);
    let intcom = header.iter().position(|h| *h == "INTCOM").unwrap();
    for (line, spec) in lines[1..].iter().zip(&specs) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        assert_eq!(cells[0], spec);
        assert_eq!(cells[intcom], "NA");
    }
}

#[test]
fn the_json_matches_its_schema() {
    let schema = json(&run(&["schema", "--output", "code"]).stdout);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let out = run(&["code", "frameworks/nato-1949.toml", "frameworks/budapest-1994.toml", "--format", "json"]);
    let report = json(&out.stdout);
    assert_eq!(report["schema_version"], 1);
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let out = run(&["code", "frameworks/nato-1949.toml", "--scheme", "cow"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown coding scheme `cow`") && out.stderr.contains("atop"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let out = run(&["code", "frameworks/no-such.toml"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no-such.toml"), "{}", out.stderr);
    let out = run(&["code", "tests/bad-specs/02-toml-unclosed-table-header.toml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
}
