//! The obligation engine: given a framework and a timeline, who must do what, when, and why.
//!
//! The engine works on the resolved model of `ironclad-spec` (a [`Spec`](ironclad_spec::Spec)):
//! it does no parsing and no IO.
//!
//! # Modules
//!
//! - [`decision`]: the decision rules of bodies (unanimity, consensus, majority, qualified
//!   majority, weighted quota, with veto players). A [`Body`](ironclad_spec::model::Body) is
//!   compiled once into a [`CompiledBody`], which then answers "does this vote pass, and if
//!   not, who blocked it?" without allocating. Bodies of up to 64 seats also get a bit-set
//!   fast path ([`MaskBody`]) for Monte Carlo sampling, and bodies of up to 25 seats can list
//!   their minimal winning coalitions, the input of power indices (Banzhaf, Shapley–Shubik).
//!   The module docs state the exact voting semantics.
//! - [`compile`]: a spec compiled to bit masks and integer expression trees, once.
//! - [`eval`]: the state of the world, compact events, and the allocation-free verdict of
//!   each commitment — the inner loop of the simulation.
//! - [`timeline`]: replaying a scenario day by day into obligations with their status, and the
//!   provenance needed to explain them ("why") or their absence ("why not").
//!
//! The semantics are written down in `docs/semantics.md`.

pub mod compile;
pub mod decision;
pub mod eval;
pub mod timeline;

pub use compile::{Compiled, TooLarge};
pub use decision::{CompiledBody, Decision, DecisionReason, MaskBody, TooManySeats, Vote};
pub use eval::{CEvent, State, Verdict};
