//! The expression language of triggers and conditions: syntax (`syntax`), the typed tree
//! (`typed`) and the checker that resolves names and types (`check`).

pub mod check;
pub mod syntax;
pub mod typed;

pub use check::{check_condition, check_pattern, Names, TypeError};
pub use syntax::{parse_condition, parse_pattern, BinOp, Expr, ExprError, ExprKind};
pub use typed::{EventKind, Field, Node, Scale, StateFn, Trigger, Ty, Typed, Value};
