//! `ironclad serve`: flags to a [`ironclad_server::Config`], then the server until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ironclad_server::{Config, Library, Limits};

use crate::commands::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on. The default is loopback only; another address exposes the API
    /// to the network.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The library frameworks offered by `/api/library` (every *.toml, read once at start).
    #[arg(long, value_name = "DIR", default_value = "frameworks")]
    pub frameworks: PathBuf,
    /// The library scenarios, also used as the default scenarios of uploaded specs.
    #[arg(long, value_name = "DIR", default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Largest request body in bytes (413 past it).
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Most runs one simulation, attribution or sensitivity design point may ask for, and a
    /// comparison in all (runs × frameworks × scenarios); 422 past it.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_runs: u64,
    /// Runs of a simulation that names none.
    #[arg(long, default_value_t = 20_000)]
    pub default_runs: u64,
    /// Simulations running at once; default: the number of cores.
    #[arg(long)]
    pub max_concurrent: Option<usize>,
    /// How long a simulation may wait for a free slot before 503, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    pub queue_wait_ms: u64,
    /// Simulations that may wait for a slot at once (503 past it); default: 4 per core.
    #[arg(long)]
    pub max_waiting: Option<usize>,
    /// A request's deadline in milliseconds; past it the run is cancelled (504).
    #[arg(long, default_value_t = 10_000)]
    pub deadline_ms: u64,
    /// Threads of the simulation pool, 1 to 1024; default: the number of cores.
    #[arg(long, value_parser = crate::commands::parse_threads)]
    pub threads: Option<usize>,
    /// Allow this origin to call the API from another site (CORS); default: no CORS headers.
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Option<String>,
}

pub fn serve(a: &ServeArgs) -> u8 {
    let defaults = Limits::default();
    if a.max_runs == 0 || a.default_runs == 0 || a.default_runs > a.max_runs {
        eprintln!("error: --default-runs must be between 1 and --max-runs ({})", a.max_runs);
        return EXIT_USAGE;
    }
    if a.deadline_ms == 0 || a.max_body == 0 || a.max_concurrent == Some(0) || a.threads == Some(0) {
        eprintln!("error: --deadline-ms, --max-body, --max-concurrent and --threads take positive numbers");
        return EXIT_USAGE;
    }
    let limits = Limits {
        max_body: a.max_body,
        max_runs: a.max_runs,
        default_runs: a.default_runs,
        max_concurrent: a.max_concurrent.unwrap_or(defaults.max_concurrent),
        queue_wait: Duration::from_millis(a.queue_wait_ms),
        max_waiting: a.max_waiting.unwrap_or(defaults.max_waiting),
        deadline: Duration::from_millis(a.deadline_ms),
        threads: a.threads.unwrap_or(defaults.threads),
    };
    let library = match Library::load(&a.frameworks, &a.scenarios) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e} (set --frameworks and --scenarios, or start the server in the repository)");
            return EXIT_USAGE;
        }
    };
    if !a.addr.ip().is_loopback() {
        eprintln!("warning: listening on {}, not loopback: anyone who can reach it can run simulations", a.addr);
    }
    let config = Config { addr: a.addr, limits, cors_origin: a.cors_origin.clone() };
    let runtime = match tokio_runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server's runtime: {e}");
            return EXIT_ERRORS;
        }
    };
    let (frameworks, scenarios) = (library.frameworks.len(), library.scenarios.len());
    let page = if ironclad_server::assets::built() { "the workbench page" } else { "no page (web/ not built)" };
    let result = runtime.block_on(ironclad_server::serve(config, library, |bound| {
        eprintln!(
            "ironclad serve: http://{bound}/ ({frameworks} frameworks, {scenarios} scenarios, {page}); API: http://{bound}/api/openapi.json"
        );
    }));
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERRORS
        }
    }
}

fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    // Request handling is light; the simulations run on the server's own rayon pool, and the
    // blocking threads that wait on it are bounded.
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).max_blocking_threads(64).enable_all().build()
}
