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
