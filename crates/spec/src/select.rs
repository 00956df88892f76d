//! Selectors: which commitments a red line (or an exception) speaks of.

use crate::model::{Commitment, Selector, Spec};

/// Whether a selector matches a commitment. A commitment without scope may act anywhere, so
/// it matches any region list.
pub fn selector_matches(spec: &Spec, selector: &Selector, commitment: &Commitment) -> bool {
    let obligors = spec.obligors(commitment);
    (selector.by.is_empty() || obligors.iter().any(|p| selector.by.contains(p)))
        && (selector.kinds.is_empty() || selector.kinds.contains(&commitment.kind))
        && (selector.domains.is_empty() || commitment.domains.iter().any(|d| selector.domains.contains(d)))
        && (selector.regions.is_empty()
            || commitment.scope.is_empty()
            || commitment
                .scope
                .iter()
                .any(|s| selector.regions.iter().any(|r| spec.region_within(*s, *r) || spec.region_within(*r, *s))))
}
