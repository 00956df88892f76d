//! The obligation engine.
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

pub mod decision;

pub use decision::{CompiledBody, Decision, DecisionReason, MaskBody, TooManySeats, Vote};
