//! ironclad's Monte Carlo credibility simulation: *if the adversary attacks, how likely is an
//! adequate response, and how likely is the attack deterred at all?*
//!
//! - [`model`]: a [`Structure`] built from a spec and a scenario — the obligation engine replays
//!   the scenario once per combination of variant options, and the obliged (commitment, party)
//!   pairs become the response that runs sample — then a [`SimModel`]: the structure with
//!   parameters applied, cheaply. Plain data, exportable as JSON.
//! - [`run`]: the sampler, in two stages: draws (every random number addressed by seed, run,
//!   purpose and index, so a run draws only what it needs) and evaluation for a
//!   [`Participation`]. Correlated will (a multi-factor Gaussian copula), log-normal delays,
//!   Beta-like realised capacity; integer accumulators, so results are bit-identical for any
//!   thread count or shard split.
//! - [`stats`]: estimates with 95% intervals (Wilson for proportions).
//!
//! The equations and the source of every default are in `docs/model.md`.

pub mod model;
pub mod run;
pub mod stats;

pub use model::{MAX_COMBINATIONS, MAX_HORIZONS, Structure};
pub use model::{ModelError, SimModel};
pub use run::{
    Acc, CHUNK, Cancelled, Control, Draws, Participation, Record, RunOptions, Runner, Scratch, shard_chunks, simulate,
    simulate_chunks,
};
pub use stats::{Estimate, Summary, summarise};
