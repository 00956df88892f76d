//! `ironclad power` (voting power of decision bodies) and `ironclad attribute` (Shapley values).

use super::run;

#[test]
fn the_security_council_of_budapest_reproduces_the_published_shapley_shubik_indices() {
    // Budapest encodes the UNSC as the P5 (vetoes) plus ten elected seats, quota 9. Published
    // Shapley–Shubik indices: 421/2145 per permanent member, 4/2145 per elected one.
    let r = run(&["power", "frameworks/budapest-1994.toml", "--body", "unsc", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for row in &rows[..5] {
        assert_eq!(row["shapley_shubik_exact"], "421/2145");
        assert_eq!(format!("{:.6}", row["shapley_shubik"].as_f64().unwrap()), format!("{:.6}", 421.0 / 2145.0));
        assert_eq!(row["veto"], true);
    }
    assert_eq!(rows[5]["label"], "other seats");
    assert_eq!(rows[5]["seats"], 10);
    assert_eq!(rows[5]["shapley_shubik_exact"], "4/2145");
    assert_eq!(format!("{:.6}", rows[5]["shapley_shubik"].as_f64().unwrap()), "0.001865");
    let total: f64 = rows.iter().map(|r| r["shapley_shubik"].as_f64().unwrap() * r["seats"].as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert_eq!(v["blockers"].as_array().unwrap().len(), 5);
    assert!(v["dummies"].as_array().unwrap().is_empty());
    let text = run(&["power", "frameworks/budapest-1994.toml", "--body", "unsc"]);
    assert!(text.stdout.contains("0.196270 421/2145"), "{}", text.stdout);
    assert!(text.stdout.contains("0.001865 4/2145"), "{}", text.stdout);
    let csv = run(&["power", "frameworks/budapest-1994.toml", "--body", "unsc", "--format", "csv"]);
    assert!(csv.stdout.starts_with("seat,seats,veto,shapley_shubik"), "{}", csv.stdout);
    assert_eq!(csv.stdout.lines().count(), 7);
}

#[test]
fn an_unknown_body_is_a_usage_error_listing_the_bodies() {
    let r = run(&["power", "frameworks/budapest-1994.toml", "--body", "nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no body `nope`; bodies: unsc"), "{}", r.stderr);
}

#[test]
fn attribute_reports_efficient_shapley_values_of_the_flagship_in_every_format() {
    let r = run(&["attribute", "frameworks/coalition-2025.toml", "--runs", "1000", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["method"], "exact");
    assert!(v["efficiency_gap"].as_f64().unwrap().abs() < 1e-9);
    let text = run(&["attribute", "frameworks/coalition-2025.toml", "--runs", "1000"]);
    assert!(text.stdout.contains("SHAPLEY VALUES") && text.stdout.contains("LEAVE ONE OUT"), "{}", text.stdout);
    let csv = run(&["attribute", "frameworks/coalition-2025.toml", "--runs", "1000", "--format", "csv"]);
    assert!(csv.stdout.starts_with("table,party,other,value,low,high,metric\n"), "{}", csv.stdout);
    let bad = run(&["attribute", "frameworks/coalition-2025.toml", "--metric", "nope"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("unknown metric `nope`"), "{}", bad.stderr);
}

#[test]
fn attribute_deterred_starts_from_the_p_deterred_simulate_reports_on_the_same_runs() {
    let sim = run(&["simulate", "frameworks/coalition-2025.toml", "--runs", "3000", "--seed", "5", "--format", "json"]);
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    let s: serde_json::Value = serde_json::from_str(&sim.stdout).unwrap();
    let deterred = s["deterred"]["value"].as_f64().expect("simulate reports P(deterred)");
    let r = run(&[
        "attribute",
        "frameworks/coalition-2025.toml",
        "--metric",
        "deterred",
        "--runs",
        "3000",
        "--seed",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["method"], "exact");
    assert!(v["metric_text"].as_str().unwrap().starts_with("P(deterred)"), "{}", v["metric_text"]);
    assert!((v["v_all"]["value"].as_f64().unwrap() - deterred).abs() < 1e-9, "{} vs {deterred}", v["v_all"]);
    assert!(v["efficiency_gap"].as_f64().unwrap().abs() < 1e-9);
    assert!(v["interval"].as_str().unwrap().contains("delta-method"), "{}", v["interval"]);
    let delivered =
        run(&["attribute", "frameworks/coalition-2025.toml", "--metric", "delivered:land", "--runs", "1000"]);
    assert_eq!(delivered.code, 0, "{}", delivered.stderr);
    assert!(delivered.stdout.contains("troops"), "{}", delivered.stdout);
    let sampled = run(&["attribute", "frameworks/coalition-2025.toml", "--metric", "deterred", "--precision", "0.01"]);
    assert_eq!(sampled.code, 2, "{}", sampled.stderr);
    assert!(sampled.stderr.contains("does not have"), "{}", sampled.stderr);
}

#[test]
fn attribute_deterred_is_not_sharded_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("part-1.bin");
    let r = run(&[
        "attribute",
        "frameworks/coalition-2025.toml",
        "--metric",
        "deterred",
        "--shard",
        "1/2",
        "--state-out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot be sharded"), "{}", r.stderr);
    assert!(!out.exists(), "no state is written");
}
