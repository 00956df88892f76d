//! Precedence between exceptions: which of two exceptions to the same clause prevails.

use crate::model::{ExceptionId, Spec};

/// Whether exception `a` takes precedence over `b`, directly or through others.
pub fn overrides(spec: &Spec, a: ExceptionId, b: ExceptionId) -> bool {
    let mut stack = vec![a];
    let mut seen = vec![false; spec.exceptions.len()];
    while let Some(x) = stack.pop() {
        for next in &spec.exceptions[x.index()].overrides {
            if *next == b {
                return true;
            }
            if !std::mem::replace(&mut seen[next.index()], true) {
                stack.push(*next);
            }
        }
    }
    false
}
