//! Generic estimators behind ironclad's analyses: who and what a guarantee rests on.
//!
//! This crate depends on no other ironclad crate. Every estimator is a pure function over
//! closures and plain data, so that the simulation can later be wired in as
//!
//! * `v(S)`, the value of a coalition bitmask `S` evaluated on shared random numbers
//!   ([`shapley`]);
//! * a decision body's voting rule as weighted quota constraints and vetoes ([`power`]);
//! * `f(x)`, a simulation at a parameter point `x` ([`sobol`], [`morris`]);
//! * rows of run inputs with a boolean outcome ([`prim`]).
//!
//! # Design decisions
//!
//! * **Generic over closures.** Callers evaluate; the estimators design, aggregate and stop.
//!   Batch closures (`Fn(&[Vec<f64>]) -> Vec<f64>`) let a caller vectorise or share random
//!   numbers across points.
//! * **The independent unit of every interval is explicit**: an antithetic *pair* of
//!   permutations for sampled Shapley values, a *row* of the Saltelli design for the Sobol'
//!   bootstrap, a *trajectory* for Morris, a *run* (row) for PRIM. Intervals are computed over
//!   those units only; nothing inside a unit is treated as independent.
//! * **Randomness is explicit**: every randomised function takes a `u64` seed and is
//!   bit-identical for the same seed and inputs; parallel code maps fixed blocks of work to
//!   fixed seeds and merges in block order, so results do not depend on the thread count.
//! * **Exact where exact is possible**: full-table Shapley values, voting-power indices by
//!   enumeration or generating-function dynamic programming (with exact rationals when the
//!   counts fit in `u128`).
//! * **No panics on bad input**: every fallible function returns
//!   [`Result`]`<_, `[`AnalysisError`]`>`.
//!
//! All result types derive `serde::Serialize`, `Debug` and `Clone`.
//!
//! # Example
//!
//! ```
//! use ironclad_analysis::power::{PowerMethod, VotingGame, power_indices};
//! use ironclad_analysis::shapley::exact_shapley;
//!
//! // The glove game: players 0 and 1 hold left gloves, player 2 the right one.
//! let v: Vec<f64> = (0..8usize)
//!     .map(|s| ((s & 1) + (s >> 1 & 1)).min(s >> 2 & 1) as f64)
//!     .collect();
//! let phi = exact_shapley(&v)?.values;
//! assert!((phi[2] - 2.0 / 3.0).abs() < 1e-12);
//!
//! // [3; 2, 1, 1]: Shapley–Shubik (2/3, 1/6, 1/6).
//! let game = VotingGame::weighted(vec![2, 1, 1], 3)?;
//! let p = power_indices(&game, PowerMethod::Auto)?;
//! assert_eq!(p.shapley_shubik_exact.unwrap()[0].to_string(), "2/3");
//! # Ok::<(), ironclad_analysis::AnalysisError>(())
//! ```
#![deny(missing_docs)]

mod error;
pub mod marginal;
pub mod morris;
pub mod power;
pub mod prim;
mod rng;
pub mod shapley;
pub mod sobol;
pub mod stats;

pub use error::AnalysisError;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, AnalysisError>;
