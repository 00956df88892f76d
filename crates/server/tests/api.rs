//! The API end to end, in process: every request goes through the real router.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use ironclad_server::{AppState, Library, Limits, router};
use serde_json::{Value, json};
use tower::ServiceExt;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn library() -> Library {
    Library::load(&repo().join("frameworks"), &repo().join("scenarios")).expect("the bundled library loads")
}

fn flagship() -> String {
    std::fs::read_to_string(repo().join("frameworks/coalition-2025.toml")).unwrap()
}

fn app_with(limits: Limits) -> axum::Router {
    let state = Arc::new(AppState::new(limits, library()).unwrap());
    router(state, None).unwrap()
}

fn app() -> axum::Router {
    app_with(Limits { threads: 2, ..Limits::default() })
}

/// One request: method, path, optional JSON body (raw text, to send malformed bodies too).
async fn call(app: &axum::Router, method: &str, path: &str, body: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

async fn post(app: &axum::Router, path: &str, body: Value) -> (StatusCode, Value) {
    call(app, "POST", path, Some(&body.to_string())).await
}

fn kind(v: &Value) -> &str {
    v["error"]["kind"].as_str().unwrap_or("<no error kind>")
}

#[tokio::test]
async fn the_library_lists_the_bundled_frameworks_with_their_default_scenarios() {
    let app = app();
    let (status, v) = call(&app, "GET", "/api/library", None).await;
    assert_eq!(status, StatusCode::OK);
    let flagship = v["frameworks"].as_array().unwrap().iter().find(|f| f["id"] == "coalition-2025").unwrap();
    assert_eq!(flagship["scenario"], "ceasefire-then-offensive");
    assert!(flagship["title"].as_str().unwrap().contains("Coalition"));
    let (status, v) = call(&app, "GET", "/api/library/frameworks/coalition-2025", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["text"].as_str().unwrap(), flagship_text());
    let (status, v) = call(&app, "GET", "/api/library/frameworks/..%2F..%2Fetc%2Fpasswd", None).await;
    assert_eq!((status, kind(&v)), (StatusCode::NOT_FOUND, "not_found"));
}

fn flagship_text() -> String {
    flagship()
}

#[tokio::test]
async fn check_answers_the_cli_report_with_lines_and_columns() {
    let app = app();
    let (status, v) = post(&app, "/api/check", json!({ "spec": flagship() })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((v["ok"].as_bool(), v["errors"].as_u64()), (Some(true), Some(0)));
    // A typo on a known line: the diagnostic points at it.
    let broken = flagship().replacen("protects = [\"UA\"]", "protectz = [\"UA\"]", 1);
    let line = broken.lines().position(|l| l.starts_with("protectz")).unwrap() + 1;
    let (status, v) = post(&app, "/api/check", json!({ "spec": broken })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], false);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["start"]["line"].as_u64(), Some(line as u64), "{d}");
    assert_eq!(d["file"], "spec.toml");
}

#[tokio::test]
async fn simulate_matches_the_front_door_for_the_same_seed_and_reacts_to_what_ifs() {
    let app = app();
    let body = json!({ "spec": flagship(), "runs": 8192, "seed": 7 });
    let (status, v) = post(&app, "/api/simulate", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["runs"], 8192);
    assert!(v["elapsed_ms"].as_f64().unwrap() > 0.0);
    // Same seed, same figures (the structure now comes from the cache).
    let (_, again) = post(&app, "/api/simulate", body).await;
    assert_eq!(v["adequate"], again["adequate"]);
    assert_eq!(v["deterred"], again["deterred"]);
    // The same numbers the front door gives the command line.
    let mut files = ironclad::Files::new();
    let spec_id = files.add("spec.toml", flagship());
    let spec = files.spec(spec_id).valid().unwrap().clone();
    let scenario_text = std::fs::read_to_string(repo().join("scenarios/ceasefire-then-offensive.toml")).unwrap();
    let scenario_id = files.add("scenario.toml", scenario_text.clone());
    let scenario = files.scenario(scenario_id, &spec).unwrap();
    let request = ironclad::simulate::Request { runs: Some(8192), seed: 7, ..Default::default() };
    let session = ironclad::Session::new();
    let direct = ironclad::simulate::simulate(
        &session,
        &flagship(),
        &scenario_text,
        &spec,
        &scenario,
        &request,
        &|_, _| {},
        None,
    )
    .unwrap();
    // Through JSON text like the answer, so both floats go through the same parser.
    let direct: Value = serde_json::from_str(&serde_json::to_string(&direct).unwrap()).unwrap();
    assert_eq!(v["adequate_by_need"], direct["adequate_by_need"]);
    assert_eq!(v["delivered"], direct["delivered"]);

    // Without the US, or with its backstop struck, the flagship's response is weaker.
    let p30 = |v: &Value| v["adequate"][1]["value"].as_f64().unwrap();
    let (_, without) =
        post(&app, "/api/simulate", json!({ "spec": flagship(), "runs": 8192, "seed": 7, "absent": ["US"] })).await;
    assert!(p30(&without) < p30(&v), "{} vs {}", p30(&without), p30(&v));
    assert_eq!(without["absent"], json!(["US"]));
    let (status, off) =
        post(&app, "/api/simulate", json!({ "spec": flagship(), "runs": 8192, "seed": 7, "off": ["us-backstop-to-force", "us-air-support", "us-intel-air-defence"] })).await;
    assert_eq!(status, StatusCode::OK, "{off}");
    assert!(p30(&off) <= p30(&v));
    // Parameters by name move the figures; a higher treaty honour rate cannot lower them here.
    let (status, low) = post(
        &app,
        "/api/simulate",
        json!({ "spec": flagship(), "runs": 8192, "seed": 7, "params": { "honour.agreement": 0.05, "honour.declaration": 0.05, "honour.statement": 0.05 } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{low}");
    assert!(p30(&low) < p30(&v));
}

#[tokio::test]
async fn bad_requests_get_json_errors_and_the_server_keeps_serving() {
    let app = app_with(Limits { max_body: 4096, max_runs: 50_000, threads: 2, ..Limits::default() });
    let (status, v) = call(&app, "POST", "/api/check", Some("{\"spec\": ")).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, v) = call(&app, "POST", "/api/check", Some("{\"spek\": \"\"}")).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    let big = json!({ "spec": "#".repeat(10_000) }).to_string();
    let (status, v) = call(&app, "POST", "/api/check", Some(&big)).await;
    assert_eq!((status, kind(&v)), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"));
    let req = Request::builder().method("POST").uri("/api/check").body(Body::from("{}")).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, v) = call(&app, "GET", "/api/nothing", None).await;
    assert_eq!((status, kind(&v)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, v) = call(&app, "GET", "/api/simulate", None).await;
    assert_eq!((status, kind(&v)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    // The flagship is over 4 KiB: the rest use a small spec of their own.
    let small = small_spec();
    let (status, v) = post(&app, "/api/simulate", json!({ "spec": small, "runs": 60_000 })).await;
    assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "too_expensive"));
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": small, "scenario": small_scenario(), "absent": ["XX"] })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    assert!(v["error"]["message"].as_str().unwrap().contains("XX"));
    let (status, v) = post(
        &app,
        "/api/simulate",
        json!({ "spec": small, "scenario": small_scenario(), "params": { "honour.treaty": 1.5 } }),
    )
    .await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    let (status, v) = post(
        &app,
        "/api/simulate",
        json!({ "spec": small, "scenario": small_scenario(), "params": { "honor.treaty": 0.5 } }),
    )
    .await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    // Loadings that square past 1 would make the will no longer a standard normal.
    let flagship = flagship();
    let app_big = app_with(Limits { threads: 2, ..Limits::default() });
    let (status, v) =
        post(&app_big, "/api/simulate", json!({ "spec": flagship, "params": { "domestic": 0.95 } })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("square to"), "{v}");
    let (status, v) = post(&app, "/api/simulate", json!({ "spec": "[framework]\nid = 3" })).await;
    assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(!v["error"]["diagnostics"].as_array().unwrap().is_empty());
    // No default scenario in the library: say so, do not read the path.
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": small.replace("scenario.toml", "../../etc/passwd") })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    // A usage error names the request's field, not the CLI's flag.
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": small, "scenario": small_scenario(), "runs": 0 })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("`runs`") && !message.contains("--"), "{message}");
    // A simulation's horizons are the list `horizons`, not the front door's `horizon`.
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": small, "scenario": small_scenario(), "horizons": [-1.0] })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("`horizons`") && !message.contains("--"), "{message}");
    // And after all that, a good request still succeeds.
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": small, "scenario": small_scenario(), "runs": 4096 })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn a_run_past_the_deadline_is_cancelled_with_504_and_frees_its_slot() {
    let app = app_with(Limits {
        deadline: Duration::from_millis(300),
        max_concurrent: 1,
        queue_wait: Duration::from_millis(1),
        threads: 1,
        max_runs: 100_000_000,
        ..Limits::default()
    });
    let started = std::time::Instant::now();
    let (status, v) = post(&app, "/api/simulate", json!({ "spec": flagship(), "runs": 50_000_000 })).await;
    assert_eq!((status, kind(&v)), (StatusCode::GATEWAY_TIMEOUT, "deadline"), "{v}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The cancelled run gives its slot back (at its next chunk); then the next one is served.
    let mut served = false;
    for _ in 0..100 {
        let small = json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": 4096 });
        let (status, _) = post(&app, "/api/simulate", small).await;
        if status == StatusCode::OK {
            served = true;
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "the slot of the cancelled run was never freed");
}

#[tokio::test]
async fn more_simulations_than_slots_get_503_busy() {
    let limits = Limits {
        max_concurrent: 1,
        max_waiting: 1,
        queue_wait: Duration::from_millis(50),
        deadline: Duration::from_secs(2),
        threads: 1,
        max_runs: 100_000_000,
        ..Limits::default()
    };
    let state = Arc::new(AppState::new(limits, library()).unwrap());
    let app = router(state.clone(), None).unwrap();
    let slow = start_simulation(&app, 20_000_000);
    // Wait until the slow run holds the one slot.
    assert!(
        eventually(Duration::from_secs(5), || state.running.available_permits() == 0).await,
        "the slow run never started"
    );
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": 4096 })).await;
    assert_eq!((status, kind(&v)), (StatusCode::SERVICE_UNAVAILABLE, "busy"));
    // Lighter requests are not held up by the busy slot.
    let (status, _) = post(&app, "/api/check", json!({ "spec": small_spec() })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, v) = slow.await.unwrap();
    assert!(status == StatusCode::OK || kind(&v) == "deadline", "{status} {v}");
}

#[tokio::test]
async fn obligations_and_show_answer_the_cli_reports() {
    let app = app();
    let (status, v) = post(&app, "/api/show", json!({ "spec": flagship() })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["id"], "coalition-2025");
    assert_eq!(v["schema_version"], 1);
    let (status, v) = post(
        &app,
        "/api/obligations",
        json!({ "spec": flagship(), "variants": { "us-military-support": "after-ceasefire" }, "why_not": "US" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scenario"], "ceasefire-then-offensive");
    assert_eq!(v["why_not"]["party"], "US");
    let (status, v) =
        post(&app, "/api/obligations", json!({ "spec": flagship(), "variants": { "no-such": "x" } })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
}

#[tokio::test]
async fn attribute_and_power_answer_the_cli_reports() {
    let app = app();
    let (status, v) = post(
        &app,
        "/api/attribute",
        json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": 4096, "exact": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // Efficiency: the values sum to v(N) − v(∅).
    let sum: f64 = v["values"].as_array().unwrap().iter().map(|p| p["shapley"]["value"].as_f64().unwrap()).sum();
    let gap = v["v_all"]["value"].as_f64().unwrap() - v["v_none"]["value"].as_f64().unwrap();
    assert_eq!(v["players"], json!(["G1", "G2"]));
    assert!((sum - gap).abs() < 1e-9, "{sum} vs {gap}: {v}");
    let (status, v) =
        post(&app, "/api/attribute", json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": 10_000_000 }))
            .await;
    assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "too_expensive"));
    let budapest = std::fs::read_to_string(repo().join("frameworks/budapest-1994.toml")).unwrap();
    let (status, v) = post(&app, "/api/power", json!({ "spec": budapest, "body": "unsc" })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["rows"][0]["shapley_shubik_exact"], "421/2145");
    let (status, v) = post(&app, "/api/power", json!({ "spec": budapest, "body": "nope" })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
}

#[tokio::test]
async fn discover_and_sensitivity_answer_the_cli_reports() {
    let app = app();
    let (status, v) =
        post(&app, "/api/discover", json!({ "spec": flagship(), "runs": 4000, "metric": "credibility" })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(!v["boxes"].as_array().unwrap().is_empty(), "{v}");
    let (status, v) = post(&app, "/api/discover", json!({ "spec": flagship(), "metric": "nonsense" })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    let (status, v) =
        post(&app, "/api/sensitivity", json!({ "spec": flagship(), "method": "morris", "samples": 4, "runs": 200 }))
            .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(!v["parameters"].as_array().unwrap().is_empty(), "{v}");
    let (status, v) =
        post(&app, "/api/sensitivity", json!({ "spec": flagship(), "samples": 100_000, "runs": 100_000 })).await;
    assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "too_expensive"), "{v}");
    let (status, v) = post(&app, "/api/sensitivity", json!({ "spec": flagship(), "method": "fast" })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
}

#[tokio::test]
async fn the_openapi_document_names_every_route_and_resolves_every_reference() {
    let app = app();
    let (status, doc) = call(&app, "GET", "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/check",
        "/api/show",
        "/api/obligations",
        "/api/simulate",
        "/api/attribute",
        "/api/power",
        "/api/compare",
        "/api/library",
        "/api/health",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20);
    for r in refs {
        let name =
            r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("a reference outside components: {r}"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
    // The report's own documentation reaches the document.
    assert!(doc.to_string().contains("adequate_by_need"));
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push(v.as_str().unwrap_or_default().to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_page_or_its_build_instructions_are_served_at_the_root() {
    let app = app();
    let req = Request::builder().uri("/").body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let req = Request::builder().uri("/assets/nothing.js").body(Body::empty()).unwrap();
    assert_eq!(app.oneshot(req).await.unwrap().status(), StatusCode::NOT_FOUND);
}

/// A small framework: two treaty guarantors of 100 troops each, one land attack.
fn small_spec() -> String {
    let mut text = String::from(
        "[framework]\nid = \"tiny\"\ntitle = \"Tiny\"\nprotects = [\"UA\"]\nthreat = \"RU\"\nscenario = \"scenario.toml\"\n\n\
         [[source]]\nid = \"s\"\nfile = \"s.txt\"\n\n[[region]]\nid = \"UA\"\n\n\
         [[party]]\nid = \"UA\"\nterritory = [\"UA\"]\n\n[[party]]\nid = \"RU\"\n",
    );
    for g in 1..=2 {
        text += &format!("\n[[party]]\nid = \"G{g}\"\ncapacity = {{ land = \"100 troops\" }}\n");
    }
    for g in 1..=2 {
        text += &format!(
            "\n[[commitment]]\nid = \"c{g}\"\nby = [\"G{g}\"]\nto = [\"UA\"]\nkind = \"defend\"\ndomains = [\"land\"]\n\
             trigger = \"armed_attack where attacker == RU and target == UA\"\nmodality = \"automatic\"\nstrength = \"treaty\"\n\n\
             [[commitment.evidence]]\nsource = \"s\"\nquote = \"q\"\n"
        );
    }
    text
}

fn small_scenario() -> String {
    "[scenario]\nid = \"attack\"\ntitle = \"One attack\"\nframework = \"tiny\"\n\n\
     [[event]]\nday = 0\nkind = \"armed_attack\"\nattacker = \"RU\"\ntarget = \"UA\"\nregion = \"UA\"\ndomains = [\"land\"]\n\n\
     [[requirement]]\ndomain = \"land\"\namount = \"150 troops\"\n"
        .to_string()
}

#[tokio::test]
async fn attribute_sensitivity_and_compare_past_the_deadline_are_cancelled_with_504_and_free_their_slot() {
    let app = app_with(Limits {
        deadline: Duration::from_millis(300),
        max_concurrent: 1,
        queue_wait: Duration::from_millis(1),
        threads: 1,
        max_runs: 100_000_000,
        ..Limits::default()
    });
    let (spec, scenario) = (small_spec(), small_scenario());
    let slow = [
        ("/api/attribute", json!({ "spec": spec, "scenario": scenario, "runs": 50_000_000, "exact": true })),
        ("/api/attribute", json!({ "spec": spec, "scenario": scenario, "runs": 2, "precision": 1e-9 })),
        ("/api/sensitivity", json!({ "spec": spec, "scenario": scenario, "samples": 256, "runs": 50_000_000 })),
        (
            "/api/compare",
            json!({ "frameworks": [{ "spec": spec }], "scenarios": [{ "text": scenario }], "runs": 50_000_000 }),
        ),
    ];
    for (path, body) in slow {
        let started = std::time::Instant::now();
        let (status, v) = post(&app, path, body).await;
        assert_eq!((status, kind(&v)), (StatusCode::GATEWAY_TIMEOUT, "deadline"), "{path}: {v}");
        assert!(started.elapsed() < Duration::from_secs(5), "{path}");
        // The cancelled work gives its slot back promptly; then the next request is served.
        let mut served = None;
        for k in 0..100 {
            let small = json!({ "spec": spec, "scenario": scenario, "runs": 4096 });
            let (status, _) = post(&app, "/api/simulate", small).await;
            if status == StatusCode::OK {
                served = Some(k);
                break;
            }
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let tries = served.unwrap_or_else(|| panic!("{path}: the slot of the cancelled run was never freed"));
        // Freed well within a second of the deadline (20 ms between tries).
        assert!(tries < 50, "{path}: the slot came free only after {tries} tries");
    }
}

#[tokio::test]
async fn compare_answers_the_cli_report_for_library_ids_texts_and_overlays() {
    let app = app();
    let nato = std::fs::read_to_string(repo().join("frameworks/nato-1949.toml")).unwrap();
    let attack = std::fs::read_to_string(repo().join("scenarios/russian-attack-on-ukraine.toml")).unwrap();
    let body = json!({
        "frameworks": [{ "id": "nato-1949" }],
        "scenarios": [{ "id": "russian-attack-on-ukraine" }],
        "with": ["member=UA@nato-1949"],
        "runs": 3000,
        "seed": 5,
    });
    let (status, v) = post(&app, "/api/compare", body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let rows = v["scenarios"][0]["rows"].as_array().unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r["framework"].as_str().unwrap()).collect();
    assert_eq!(labels, ["nato-1949", "nato-1949+member:UA"]);
    assert_eq!(v["reference"], "nato-1949");
    // The front door's report for the same inputs, byte for byte.
    let spec = ironclad::spec::analyze(&nato).spec.unwrap();
    let texts = vec![(nato.clone(), "nato-1949".to_string())];
    let member =
        ironclad::overlay::apply_to(&texts, &ironclad::overlay::Overlay::parse_arg("member=UA@nato-1949").unwrap())
            .unwrap();
    let frameworks = [ironclad::compare::Framework::new(spec), member];
    let scenarios =
        [ironclad::compare::ScenarioText { name: "russian-attack-on-ukraine".into(), text: attack.clone() }];
    let request = ironclad::compare::Request { runs: Some(3000), seed: 5, horizons: vec![], metric: None };
    let direct = ironclad::compare::compare(&frameworks, &scenarios, &request).unwrap();
    // Both through JSON text (serde_json's default float parsing may differ from the value by an ulp).
    let direct: Value = serde_json::from_str(&serde_json::to_string(&direct).unwrap()).unwrap();
    assert_eq!(v, direct);
    // An uploaded text and an overlay's text give the same figures as the library id and the
    // shorthand.
    let overlay = "[overlay]\nframework = \"nato-1949\"\nmembers = [\"UA\"]\n";
    let body = json!({
        "frameworks": [{ "spec": nato }],
        "scenarios": [{ "text": attack, "name": "russian-attack-on-ukraine" }],
        "with": [overlay],
        "runs": 3000,
        "seed": 5,
    });
    let (status, again) = post(&app, "/api/compare", body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, v);
    // The default scenario is the first framework's own, from the library.
    let (status, v) =
        post(&app, "/api/compare", json!({ "frameworks": [{ "id": "coalition-2025" }], "runs": 500 })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scenarios"][0]["scenario"], "ceasefire-then-offensive");
}

#[tokio::test]
async fn bad_and_too_expensive_comparisons_get_4xx() {
    let app = app();
    let cases = [
        (json!({ "frameworks": [{ "id": "no-such-framework" }] }), StatusCode::BAD_REQUEST, "bad_request"),
        (json!({ "frameworks": [] }), StatusCode::BAD_REQUEST, "bad_request"),
        (
            json!({ "frameworks": [{ "id": "nato-1949" }], "scenarios": [{ "id": "no-such-scenario" }] }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({ "frameworks": [{ "id": "nato-1949" }], "with": ["member=XX@nato-1949"] }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        // Not the shorthand: read as an overlay's text, never as a file name.
        (
            json!({ "frameworks": [{ "id": "nato-1949" }], "with": ["/etc/passwd"] }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({ "frameworks": [{ "spec": "[framework]\nid = 3" }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (json!({ "frameworks": [{ "id": "nato-1949", "spec": "x" }] }), StatusCode::BAD_REQUEST, "bad_request"),
        // 600 000 runs × 2 frameworks is more than --max-runs (1 000 000).
        (
            json!({ "frameworks": [{ "id": "nato-1949" }], "with": ["member=UA@nato-1949"], "runs": 600_000 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_expensive",
        ),
        (json!({ "frameworks": [{ "id": "nato-1949" }], "runs": 0 }), StatusCode::BAD_REQUEST, "bad_request"),
    ];
    for (body, status, want) in cases {
        let (got, v) = post(&app, "/api/compare", body.clone()).await;
        assert_eq!((got, kind(&v)), (status, want), "{body}: {v}");
    }
}

/// A simulation of the small spec with `runs` runs, posted in the background (to hold a slot).
fn start_simulation(app: &axum::Router, runs: u64) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let app = app.clone();
    let body = json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": runs });
    tokio::spawn(async move { post(&app, "/api/simulate", body).await })
}

/// Waits (up to `limit`) until `done` holds, polling every 5 ms.
async fn eventually(limit: Duration, done: impl Fn() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    done()
}

#[tokio::test]
async fn a_client_that_disconnects_cancels_its_work_and_frees_its_slot() {
    // A deadline far away: only the disconnect can stop the run.
    let limits = Limits {
        max_concurrent: 1,
        deadline: Duration::from_secs(600),
        threads: 1,
        max_runs: 100_000_000,
        ..Limits::default()
    };
    let state = Arc::new(AppState::new(limits, library()).unwrap());
    let app = router(state.clone(), None).unwrap();
    let slow = start_simulation(&app, 50_000_000);
    assert!(
        eventually(Duration::from_secs(5), || state.running.available_permits() == 0).await,
        "the slow run never started"
    );
    // The client goes away: hyper drops the handler's future.
    slow.abort();
    assert!(
        eventually(Duration::from_secs(5), || state.running.available_permits() == 1).await,
        "the disconnected client's run kept its slot"
    );
    let (status, _) =
        post(&app, "/api/simulate", json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": 4096 })).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_disconnects_while_queued_leaves_the_queue() {
    let limits = Limits {
        max_concurrent: 1,
        max_waiting: 1,
        queue_wait: Duration::from_secs(600),
        deadline: Duration::from_secs(600),
        threads: 1,
        max_runs: 100_000_000,
        ..Limits::default()
    };
    let state = Arc::new(AppState::new(limits, library()).unwrap());
    let app = router(state.clone(), None).unwrap();
    let spawn = |runs: u64| {
        let app = app.clone();
        let body = json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": runs });
        tokio::spawn(async move { post(&app, "/api/simulate", body).await })
    };
    let slow = spawn(50_000_000);
    assert!(eventually(Duration::from_secs(5), || state.running.available_permits() == 0).await);
    let queued = spawn(4096);
    assert!(eventually(Duration::from_secs(5), || state.waiting.load(std::sync::atomic::Ordering::SeqCst) == 1).await);
    queued.abort();
    assert!(
        eventually(Duration::from_secs(2), || state.waiting.load(std::sync::atomic::Ordering::SeqCst) == 0).await,
        "the disconnected client still counts as waiting"
    );
    // Its place is free: the next request queues instead of getting 503 at once.
    let next = spawn(4096);
    assert!(eventually(Duration::from_secs(5), || state.waiting.load(std::sync::atomic::Ordering::SeqCst) == 1).await);
    slow.abort();
    let (status, v) = next.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn under_load_malformed_requests_get_their_4xx_not_503() {
    let limits = Limits {
        max_concurrent: 1,
        queue_wait: Duration::from_millis(2000),
        deadline: Duration::from_secs(600),
        threads: 1,
        max_runs: 100_000_000,
        ..Limits::default()
    };
    let state = Arc::new(AppState::new(limits, library()).unwrap());
    let app = router(state.clone(), None).unwrap();
    let slow = start_simulation(&app, 50_000_000);
    assert!(eventually(Duration::from_secs(5), || state.running.available_permits() == 0).await);
    let (spec, scenario) = (small_spec(), small_scenario());
    let cases = [
        ("/api/simulate", json!({ "spec": "x = = 1" }), "invalid_input"),
        ("/api/simulate", json!({ "spec": spec, "scenario": scenario, "params": { "nope": 1.0 } }), "bad_request"),
        ("/api/attribute", json!({ "spec": "x = = 1" }), "invalid_input"),
        ("/api/discover", json!({ "spec": spec, "scenario": "[scenario]\nid = 1\n" }), "invalid_input"),
        ("/api/sensitivity", json!({ "spec": "x = = 1" }), "invalid_input"),
        ("/api/compare", json!({ "frameworks": [{ "spec": "x = = 1" }] }), "invalid_input"),
        ("/api/compare", json!({ "frameworks": [{ "id": "nope" }] }), "bad_request"),
    ];
    for (path, body, want) in cases {
        let started = std::time::Instant::now();
        let (_, v) = post(&app, path, body).await;
        assert_eq!(kind(&v), want, "{path}: {v}");
        assert!(started.elapsed() < Duration::from_millis(1500), "{path} waited for a slot: {:?}", started.elapsed());
    }
    slow.abort();
}

#[tokio::test]
async fn refusals_caused_by_the_input_are_unservable_not_too_expensive() {
    let app = app();
    let nato = std::fs::read_to_string(repo().join("frameworks/nato-1949.toml")).unwrap();
    let strike = std::fs::read_to_string(repo().join("scenarios/strike-on-reassurance-force.toml")).unwrap();
    for path in ["/api/simulate", "/api/discover"] {
        let (status, v) = post(&app, path, json!({ "spec": nato, "scenario": strike, "runs": 100 })).await;
        assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "unservable"), "{path}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("armed_attack"), "{v}");
    }
}

#[tokio::test]
async fn compare_refuses_repeated_ids_and_too_many_frameworks_before_parsing_any() {
    let app = app();
    let started = std::time::Instant::now();
    let many: Vec<Value> = (0..6000).map(|_| json!({ "id": "nato-1949" })).collect();
    let (status, v) = post(&app, "/api/compare", json!({ "frameworks": many, "runs": 2 })).await;
    assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "too_expensive"), "{v}");
    let twice = json!({ "frameworks": [{ "id": "nato-1949" }, { "id": "nato-1949" }], "runs": 2 });
    let (status, v) = post(&app, "/api/compare", twice).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("labelled `nato-1949`"), "{v}");
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
}

#[tokio::test]
async fn morris_designs_count_k_plus_1_points_and_exact_with_precision_is_refused() {
    let app = app_with(Limits { threads: 1, deadline: Duration::from_millis(200), ..Limits::default() });
    // The flagship has 20 uncertain parameters: 2979 trajectories of 21 points are 62 559 points.
    let (status, v) =
        post(&app, "/api/sensitivity", json!({ "spec": flagship(), "method": "morris", "samples": 2979, "runs": 1 }))
            .await;
    assert_ne!(kind(&v), "too_expensive", "{status} {v}");
    let (status, v) =
        post(&app, "/api/sensitivity", json!({ "spec": flagship(), "method": "morris", "samples": 3121, "runs": 1 }))
            .await;
    assert_eq!((status, kind(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "too_expensive"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("3121 trajectories × 21 points each"), "{v}");
    let body =
        json!({ "spec": small_spec(), "scenario": small_scenario(), "runs": 100, "exact": true, "precision": 0.01 });
    let (status, v) = post(&app, "/api/attribute", body).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("`precision`"), "{v}");
}

#[tokio::test]
async fn the_openapi_document_says_what_the_server_does() {
    let app = app();
    let (_, doc) = call(&app, "GET", "/api/openapi.json", None).await;
    let schemas = &doc["components"]["schemas"];
    assert!(doc["paths"]["/api/openapi.json"]["get"].is_object(), "the document's own path");
    let attribute_runs = schemas["AttributeRequest"]["properties"]["runs"].to_string();
    assert!(!attribute_runs.contains("/ 20"), "{attribute_runs}");
    for (request, least) in [
        ("SimulateRequest", 1),
        ("AttributeRequest", 2),
        ("DiscoverRequest", 20),
        ("SensitivityRequest", 1),
        ("CompareRequest", 2),
    ] {
        let runs = &schemas[request]["properties"]["runs"];
        assert_eq!(runs["minimum"], least, "{request}: {runs}");
    }
    let simulate = &doc["paths"]["/api/simulate"]["post"]["responses"];
    assert!(simulate["500"].is_object() && simulate["default"].is_object(), "{simulate}");
    assert!(doc["components"]["schemas"].to_string().contains("unservable"));
    // `show` takes no scenario: sending one is a client mistake, not silently ignored.
    let (status, v) = post(&app, "/api/show", json!({ "spec": small_spec(), "scenario": small_scenario() })).await;
    assert_eq!((status, kind(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{v}");
}

#[tokio::test]
async fn everything_under_api_is_the_api() {
    let app = app();
    for method in ["GET", "POST"] {
        let (status, v) = call(&app, method, "/api/", None).await;
        assert_eq!((status, kind(&v)), (StatusCode::NOT_FOUND, "not_found"), "{method} /api/: {v}");
    }
}

#[tokio::test]
async fn the_page_takes_get_only() {
    let app = app();
    let (status, _) = call(&app, "DELETE", "/", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = call(&app, "GET", "/", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn small_messages_say_what_the_request_should_hold() {
    let app = app();
    let (spec, scenario) = (small_spec(), small_scenario());
    let horizons: Vec<u32> = (1..=64).collect();
    let (status, v) =
        post(&app, "/api/simulate", json!({ "spec": spec, "scenario": scenario, "runs": 100, "horizons": horizons }))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["message"], "64 horizons: `horizons` takes at most 63 values");
    let body = json!({ "spec": spec, "scenario": scenario, "runs": 100, "variants": { "tripwire=as-claimed": "x" } });
    let (status, v) = post(&app, "/api/simulate", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("`tripwire=as-claimed` is no variant id"), "{v}");
    let (status, v) = post(&app, "/api/compare", json!({ "frameworks": ["nato-1949"] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("{\"id\": LIBRARY-ID} or {\"spec\": TEXT}") && !m.contains("untagged"), "{m}");
}

/// A body that never arrives.
struct Never;

impl axum::body::HttpBody for Never {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

#[tokio::test]
async fn a_body_announced_too_large_or_never_completed_is_refused_early() {
    let mut state = AppState::new(Limits { threads: 1, ..Limits::default() }, library()).unwrap();
    state.body_timeout = Duration::from_millis(200);
    let app = router(Arc::new(state), None).unwrap();
    let started = std::time::Instant::now();
    let req = Request::builder()
        .method("POST")
        .uri("/api/check")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, "99999999999")
        .body(Body::new(Never))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let req = Request::builder()
        .method("POST")
        .uri("/api/check")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::new(Never))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}
