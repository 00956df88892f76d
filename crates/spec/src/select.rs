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

/// An exclusion red line matched to a commitment (`docs/semantics.md`, "Red-line exclusions").
#[derive(Debug, Clone, PartialEq)]
pub struct ExclusionMatch {
    pub red_line: crate::model::RedLineId,
    pub party: crate::model::PartyId,
    /// `None`: the party is removed from the whole commitment (the red line names no
    /// `domains`, or they cover all of the commitment's). `Some(ds)`: only from the
    /// commitment's domains `ds`; it stays obliged in the others.
    pub domains: Option<Vec<crate::vocab::Domain>>,
}

/// The exclusion red lines that apply to `commitment`: of a party among its obligors, whose
/// `matches` selects it, in spec order.
pub fn exclusions(spec: &Spec, commitment: &Commitment) -> Vec<ExclusionMatch> {
    let obligors = spec.obligors(commitment);
    spec.red_lines
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == crate::vocab::RedLineKind::Exclusion && obligors.contains(&r.party))
        .filter(|(_, r)| r.matches.as_ref().is_some_and(|s| selector_matches(spec, s, commitment)))
        .map(|(i, r)| {
            let removed: Vec<_> = commitment.domains.iter().copied().filter(|d| r.domains.contains(d)).collect();
            // A clause without domains is untouched by a domain-limited exclusion.
            let whole =
                r.domains.is_empty() || (!commitment.domains.is_empty() && removed.len() == commitment.domains.len());
            ExclusionMatch {
                red_line: crate::model::RedLineId(i as u16),
                party: r.party,
                domains: (!whole).then_some(removed),
            }
        })
        .collect()
}
