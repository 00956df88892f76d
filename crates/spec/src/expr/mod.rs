//! The expression language of triggers and conditions: syntax (`syntax`), the typed tree
//! (`typed`) and the checker that resolves names and types (`check`).

pub mod check;
pub mod syntax;
pub mod typed;

pub use check::{Names, TypeError, check_condition, check_pattern};
pub use syntax::{BinOp, Expr, ExprError, ExprKind, parse_condition, parse_pattern};
pub use typed::{EventKind, Field, Node, Scale, StateFn, Trigger, Ty, Typed, Value};
