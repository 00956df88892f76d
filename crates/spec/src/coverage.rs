//! Who commits what where: the parties × domains coverage of a framework, and its gaps.

use crate::display::display;
use crate::model::{Obligor, PartyId, Spec};
use crate::select::{exclusions, selector_matches};
use crate::vocab::{Domain, Kind, Status, Strength};

/// One cell: the strongest commitment a row makes in a domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub strength: Strength,
    /// The furthest status among the commitments behind the cell.
    pub status: Status,
    /// True when every commitment behind the cell exists only in a variant option, or is
    /// removed from the party in this domain by an exclusion red line of some option (so it
    /// covers the domain only in some readings).
    pub variant_only: bool,
    /// The commitments behind the cell.
    pub commitments: Vec<String>,
}

/// A row: a party, or a body that commits as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub who: String,
    pub cells: Vec<Option<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub domains: Vec<Domain>,
    pub rows: Vec<Row>,
    /// Claimed domains that no commitment covers.
    pub uncovered: Vec<Domain>,
    /// Claimed domains covered only by statements or remarks (nothing binding).
    pub unbound: Vec<Domain>,
    /// Claimed domains covered only in variant options.
    pub variant_only: Vec<Domain>,
}

/// Whether a commitment of this kind acts in the domains it names.
pub fn acts(kind: Kind) -> bool {
    !matches!(kind, Kind::Consult | Kind::Refrain | Kind::Seek)
}

/// The coverage matrix: claimed domains first, then any other domain a commitment acts in.
pub fn coverage(spec: &Spec) -> Coverage {
    let mut domains: Vec<Domain> = spec.framework.domains.iter().map(|(d, _)| *d).collect();
    for c in spec.commitments.iter().filter(|c| acts(c.kind) && c.takes_effect()) {
        for d in &c.domains {
            if !domains.contains(d) {
                domains.push(*d);
            }
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for c in spec.commitments.iter().filter(|c| acts(c.kind) && c.takes_effect()) {
        let who: Vec<(String, Option<PartyId>)> = match &c.by {
            Obligor::Parties(parties) => parties.iter().map(|p| (spec.party(*p).id.clone(), Some(*p))).collect(),
            Obligor::Body(b) => vec![(format!("{} (body)", spec.body(*b).id), None)],
        };
        let exclusions = exclusions(spec, c);
        for (name, party) in who {
            // The party's own exclusion red lines remove it from the commitment (or from some of
            // its domains): always when the red line is the framework's, only in some readings
            // when it belongs to a variant option.
            let removed = |d: Domain, in_option: bool| {
                exclusions.iter().any(|x| {
                    Some(x.party) == party
                        && spec.red_lines[x.red_line.index()].option.is_some() == in_option
                        && x.domains.as_ref().is_none_or(|ds| ds.contains(&d))
                })
            };
            let whole = exclusions.iter().any(|x| {
                Some(x.party) == party && spec.red_lines[x.red_line.index()].option.is_none() && x.domains.is_none()
            });
            if whole {
                continue;
            }
            let index = match rows.iter().position(|r| r.who == name) {
                Some(i) => i,
                None => {
                    rows.push(Row { who: name, cells: vec![None; domains.len()] });
                    rows.len() - 1
                }
            };
            for d in &c.domains {
                if removed(*d, false) {
                    continue;
                }
                let column = domains.iter().position(|x| x == d).unwrap_or(0);
                let cell = &mut rows[index].cells[column];
                let variant_only = c.option.is_some() || removed(*d, true);
                match cell {
                    None => {
                        *cell = Some(Cell {
                            strength: c.strength,
                            status: c.status,
                            variant_only,
                            commitments: vec![c.id.clone()],
                        })
                    }
                    Some(cell) => {
                        cell.strength = cell.strength.min(c.strength);
                        cell.status = cell.status.max(c.status);
                        cell.variant_only &= variant_only;
                        cell.commitments.push(c.id.clone());
                    }
                }
            }
        }
    }
    let column = |d: Domain| domains.iter().position(|x| *x == d);
    let cells = |d: Domain| rows.iter().filter_map(move |r| column(d).and_then(|i| r.cells[i].as_ref()));
    let claimed: Vec<Domain> = spec.framework.domains.iter().map(|(d, _)| *d).collect();
    let uncovered = claimed.iter().copied().filter(|d| cells(*d).next().is_none()).collect();
    let unbound = claimed
        .iter()
        .copied()
        .filter(|d| cells(*d).next().is_some() && cells(*d).all(|c| c.strength >= Strength::Statement))
        .collect();
    let variant_only =
        claimed.iter().copied().filter(|d| cells(*d).next().is_some() && cells(*d).all(|c| c.variant_only)).collect();
    Coverage { domains, rows, uncovered, unbound, variant_only }
}

/// The commitments a red line is about, by id.
pub fn red_line_targets(spec: &Spec, line: &crate::model::RedLine) -> Vec<String> {
    let Some(selector) = &line.matches else { return Vec::new() };
    spec.commitments.iter().filter(|c| selector_matches(spec, selector, c)).map(|c| c.id.clone()).collect()
}

/// A commitment's conditions, one readable item each (the framework's included): entry
/// conditions as `after <condition>`, continuing ones as written, exceptions as `unless ...`.
pub fn conditions_text(spec: &Spec, commitment: &crate::model::Commitment) -> Vec<String> {
    let mut out: Vec<String> = spec.entry_of(commitment).map(|c| format!("after {}", display(spec, &c.expr))).collect();
    out.extend(spec.conditions_of(commitment).map(|c| display(spec, &c.expr)));
    out.extend(commitment.unless.iter().map(|c| format!("unless {}", display(spec, &c.expr))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_red_lines_remove_their_party_from_the_coverage() {
        // Italy and Poland "will not send troops", Germany contributes from neighbouring
        // territory: their red lines (every deployment in Ukraine) remove them from the
        // coalition's presence in all three of its domains, while a member without such a red
        // line keeps it in each.
        let text = include_str!("../../../frameworks/coalition-2026.toml");
        let spec = crate::analyze(text).spec.expect("valid");
        let cov = coverage(&spec);
        let cell_has = |party: &str, domain: Domain| {
            let row = cov.rows.iter().find(|r| r.who == party).expect("a row");
            let d = cov.domains.iter().position(|x| *x == domain).unwrap();
            row.cells[d].as_ref().is_some_and(|c| c.commitments.iter().any(|c| c == "c3-coalition-presence"))
        };
        for domain in [Domain::Land, Domain::Maritime, Domain::Air] {
            for party in ["IT", "PL", "DE"] {
                assert!(!cell_has(party, domain), "{party} still covers {domain:?}");
            }
            assert!(cell_has("FR", domain), "FR no longer covers {domain:?}");
        }
    }

    #[test]
    fn flagship_coverage() {
        let text = include_str!("../../../frameworks/coalition-2025.toml");
        let spec = crate::analyze(text).spec.expect("flagship is valid");
        let cov = coverage(&spec);
        let us = cov.rows.iter().find(|r| r.who == "US").expect("US commits something");
        let air = cov.domains.iter().position(|d| *d == Domain::Air).unwrap();
        let land = cov.domains.iter().position(|d| *d == Domain::Land).unwrap();
        // US air support exists only in variant options, offered at best, never agreed.
        let cell = us.cells[air].as_ref().unwrap();
        assert!(
            cell.variant_only && cell.strength == Strength::Statement && cell.status == Status::Offered,
            "{cell:?}"
        );
        assert!(cell.commitments.contains(&"us-air-support".to_string()));
        // A proposal that no option lists covers nothing; one in an option is variant-only.
        let land_cell = cov.rows.iter().find(|r| r.who == "coalition-others").and_then(|r| r.cells[land].as_ref());
        assert!(land_cell.is_some_and(|c| c.variant_only), "{land_cell:?}");
        // Nothing in the flagship is binding: every claimed domain rests on statements.
        assert_eq!(cov.unbound.len(), spec.framework.domains.len() - cov.uncovered.len());
        assert!(cov.rows.iter().find(|r| r.who == "UK").unwrap().cells[land].is_some());
    }
}
