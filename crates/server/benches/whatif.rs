//! What-if latency, server side: `POST /api/simulate` of the flagship at 100 000 runs through
//! the real router, the structure cached after the first request, a different parameter value
//! each time (so every answer is computed, not cached). Prints the median and the worst of the
//! timed requests against issue 12's target (< 50 ms on 2 cores); the target is not asserted.
//!
//! cargo bench -p ironclad-server --bench whatif [-- --runs N --requests K]

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use ironclad_server::{AppState, Library, Limits, router};
use tower::ServiceExt;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let runs = arg("--runs", 100_000);
    let requests = arg("--requests", 20) as usize;
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let library = Library::load(&root.join("frameworks"), &root.join("scenarios")).expect("the library loads");
    let spec = std::fs::read_to_string(root.join("frameworks/coalition-2025.toml")).expect("the flagship");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let state = Arc::new(AppState::new(Limits { threads, ..Limits::default() }, library).expect("a pool"));
    let app = router(state, None).expect("the router");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let call = |honour: f64| {
        let body =
            serde_json::json!({ "spec": spec, "runs": runs, "seed": 1, "params": { "honour.agreement": honour } });
        let req = Request::builder()
            .method("POST")
            .uri("/api/simulate")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("a request");
        let app = app.clone();
        let started = Instant::now();
        let (status, bytes) = rt.block_on(async move {
            let res = app.oneshot(req).await.expect("an answer");
            (res.status(), res.into_body().collect().await.expect("a body").to_bytes())
        });
        assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&bytes));
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        (started.elapsed().as_secs_f64() * 1e3, v["elapsed_ms"].as_f64().unwrap_or(f64::NAN))
    };
    let (first, _) = call(0.5);
    let mut times: Vec<(f64, f64)> = (0..requests).map(|i| call(0.3 + 0.4 * i as f64 / requests as f64)).collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    println!("what-if, flagship, {runs} runs, {threads} threads, {requests} requests after the first:");
    println!("  first request (builds the structure): {first:.1} ms");
    println!(
        "  cached what-if: median {:.1} ms (of which simulation {:.1} ms), worst {:.1} ms; target < 50 ms: {}",
        median.0,
        median.1,
        worst.0,
        if median.0 < 50.0 { "met" } else { "not met" }
    );
    println!("  ratio first / cached median: {:.1}", first / median.0);
}
