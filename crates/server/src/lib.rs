//! `ironclad serve`: a JSON API over the front-door library, and the workbench page.
//!
//! **The key design decision: the server owns no domain logic and no file paths from its
//! clients.** Every endpoint parses a JSON body, calls the same front-door function the command
//! line calls, and returns the same typed report as JSON. Spec and scenario texts travel in the
//! request and are analysed in memory ([`ironclad::Files::add`]); the only files the server
//! reads are its configured library directories, once, at start ([`library::Library`]).
//!
//! Every cost a request can impose is bounded by [`Limits`]: the body size, the runs of a
//! simulation, the simulations running at once (past that a short, bounded wait, then 503:
//! never a queue that grows), and
//! a deadline after which the run's cancellation token is set and the client gets 504. The
//! simulations run on one rayon pool of [`Limits::threads`] threads, off the async runtime.
//! Errors are JSON (`docs/server.md`), never a panic.

pub mod api;
pub mod assets;
pub mod error;
pub mod library;
pub mod openapi;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

pub use error::ApiError;
pub use library::Library;

/// What a request may cost. Every bound is configurable from the command line.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes (413 past it).
    pub max_body: usize,
    /// Most runs one simulation, attribution or sensitivity design point may ask for, and a
    /// comparison in all (runs × frameworks × scenarios); 422 `too_expensive` past it.
    pub max_runs: u64,
    /// Default runs when a simulation names none.
    pub default_runs: u64,
    /// Simulations running at once.
    pub max_concurrent: usize,
    /// How long a simulation may wait for a free slot, and how many may wait at once; a
    /// request that finds the queue full, or waits longer, gets 503 `busy`.
    pub queue_wait: Duration,
    pub max_waiting: usize,
    /// Wall-clock budget of one request; past it the run is cancelled (504 `deadline`).
    pub deadline: Duration,
    /// Threads of the simulation pool.
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            max_body: 1 << 20,
            max_runs: 1_000_000,
            default_runs: 20_000,
            max_concurrent: cores,
            queue_wait: Duration::from_secs(2),
            max_waiting: 4 * cores,
            deadline: Duration::from_secs(10),
            threads: cores,
        }
    }
}

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub limits: Limits,
    /// An origin allowed to call the API from another site; none: no CORS headers at all.
    pub cors_origin: Option<String>,
}

/// What every handler shares.
pub struct AppState {
    pub limits: Limits,
    pub library: Library,
    /// Compiled engines and simulation structures, shared between requests.
    pub session: ironclad::Session,
    pub pool: rayon::ThreadPool,
    /// Permits for simulations (and the other expensive analyses).
    pub running: Arc<Semaphore>,
    /// Simulations waiting for a permit.
    pub waiting: std::sync::atomic::AtomicUsize,
    /// Permits for reading a request's spec and scenario, which happens before its slot is
    /// asked for (so bad input gets its 4xx even under load): as many as could run or wait,
    /// `--max-concurrent` + `--max-waiting`, so a flood of reads is bounded like the runs.
    pub reading: Arc<Semaphore>,
    /// How long a request's body may take to arrive ([`BODY_TIMEOUT`]); past it, 408.
    pub body_timeout: Duration,
}

/// How long a request's body may take to arrive: a client that never completes its body holds
/// its connection this long at most.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

impl AppState {
    /// A state with its own pool; fails only if the pool's threads cannot be started.
    pub fn new(limits: Limits, library: Library) -> Result<AppState, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(limits.threads.max(1))
            .thread_name(|i| format!("ironclad-sim-{i}"))
            .build()
            .map_err(|e| format!("cannot start the simulation threads: {e}"))?;
        let running = Arc::new(Semaphore::new(limits.max_concurrent.max(1)));
        let reading = Arc::new(Semaphore::new((limits.max_concurrent + limits.max_waiting).max(1)));
        Ok(AppState {
            limits,
            library,
            session: ironclad::Session::new(),
            pool,
            running,
            waiting: Default::default(),
            reading,
            body_timeout: BODY_TIMEOUT,
        })
    }
}

/// The whole application: the API under `/api`, the page everywhere else.
pub fn router(state: Arc<AppState>, cors_origin: Option<&str>) -> Result<Router, String> {
    let max_body = state.limits.max_body;
    let api = Router::new()
        .route("/health", get(api::health))
        .route("/library", get(api::library))
        .route("/library/frameworks/{id}", get(api::library_framework))
        .route("/library/scenarios/{id}", get(api::library_scenario))
        .route("/check", post(api::check))
        .route("/show", post(api::show))
        .route("/obligations", post(api::obligations))
        .route("/simulate", post(api::simulate))
        .route("/attribute", post(api::attribute))
        .route("/power", post(api::power))
        .route("/discover", post(api::discover))
        .route("/sensitivity", post(api::sensitivity))
        .route("/compare", post(api::compare))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state);
    let mut app = Router::new().nest("/api", api).fallback(assets::serve);
    if let Some(origin) = cors_origin {
        let origin = origin
            .parse::<axum::http::HeaderValue>()
            .map_err(|_| format!("--cors-origin `{origin}` is not a valid header value"))?;
        app = app.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(origin)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([axum::http::header::CONTENT_TYPE]),
        );
    }
    Ok(app)
}

/// Binds and serves until Ctrl-C (or SIGTERM). `ready` is called with the bound address.
pub async fn serve(config: Config, library: Library, ready: impl FnOnce(SocketAddr)) -> Result<(), String> {
    let state = Arc::new(AppState::new(config.limits.clone(), library)?);
    let app = router(state, config.cors_origin.as_deref())?;
    let listener =
        tokio::net::TcpListener::bind(config.addr).await.map_err(|e| format!("cannot bind {}: {e}", config.addr))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    ready(bound);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.map_err(|e| format!("server error: {e}"))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
