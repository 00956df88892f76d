//! The report's tables and the sentences beside them, as rows of plain-text cells: built once
//! here from a [`crate::report::Report`]'s sections, and formatted by [`super::html`] and
//! [`super::markdown`], so both carry the same rows, columns and figures.

use ironclad_sim::stats::Summary;

use super::figures::{days, est, signed};
use crate::attribute::AttributeReport;
use crate::compare::{CompareReport, ScenarioComparison};
use crate::report::ScenarioSection;
use crate::sensitivity::SensitivityReport;
use crate::show::{By, ShowCommitment, ShowReport};

/// A cell: plain text; each renderer escapes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A figure (right-aligned in HTML).
    Num(String),
    /// An expression of the spec language, set as code.
    Code(String),
}

/// A table: its header (all empty for a table of names and values) and its rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(head: &[&str], rows: Vec<Vec<Cell>>) -> Table {
        Table { head: head.iter().map(|h| h.to_string()).collect(), rows }
    }

    /// A table of names and values, with no header row.
    pub fn is_kv(&self) -> bool {
        self.head.iter().all(|h| h.is_empty())
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(s: impl Into<String>) -> Cell {
    Cell::Num(s.into())
}

/// `a, b, c`, or `—` for none.
pub fn list(items: &[String]) -> String {
    if items.is_empty() { "—".into() } else { items.join(", ") }
}

fn by(b: &By) -> String {
    match b {
        By::Parties(ps) => ps.join(", "),
        By::Body { body } => format!("body {body}"),
    }
}

/// The framework at a glance.
pub fn glance(s: &ShowReport) -> Table {
    let or_dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "—".into());
    Table::new(
        &["", ""],
        vec![
            vec![t("protects"), t(list(&s.protects))],
            vec![t("threat"), t(or_dash(&s.threat))],
            vec![t("signed"), t(or_dash(&s.signed))],
            vec![t("in force"), t(or_dash(&s.in_force))],
            vec![t("expires"), t(or_dash(&s.expires))],
            vec![t("claimed domains"), t(list(&s.claimed_domains))],
            vec![t("entry conditions"), t(list(&s.entry))],
            vec![t("continuing conditions"), t(list(&s.continuing))],
            vec![
                t("counts"),
                t(format!(
                    "{} parties, {} commitments, {} exceptions, {} red lines, {} variants, {} sources",
                    s.counts.parties,
                    s.counts.commitments,
                    s.counts.exceptions,
                    s.counts.red_lines,
                    s.counts.variants,
                    s.counts.sources
                )),
            ],
        ],
    )
}

/// The coverage gaps.
pub fn gaps(s: &ShowReport) -> Table {
    Table::new(
        &["gap", "domains"],
        vec![
            vec![t("claimed, covered by no commitment"), t(list(&s.gaps.uncovered))],
            vec![t("covered only by statements or remarks"), t(list(&s.gaps.unbound))],
            vec![t("covered only in a variant option"), t(list(&s.gaps.variant_only))],
        ],
    )
}

/// The named exceptions; `None` when the framework has none.
pub fn exceptions(s: &ShowReport) -> Option<Table> {
    if s.exceptions.is_empty() {
        return None;
    }
    let code = |o: &Option<String>| o.clone().map_or_else(|| t("—"), Cell::Code);
    let rows = s
        .exceptions
        .iter()
        .map(|x| {
            vec![
                t(&x.id),
                t(&x.effect),
                t(list(&x.commitments)),
                x.when.clone().map_or_else(|| t("always"), Cell::Code),
                code(&x.acts),
                t(list(&x.overrides)),
            ]
        })
        .collect();
    Some(Table::new(&["exception", "effect", "commitments", "when", "acts", "overrides"], rows))
}

/// The red lines; `None` when the framework has none.
pub fn red_lines(s: &ShowReport) -> Option<Table> {
    if s.red_lines.is_empty() {
        return None;
    }
    let rows = s
        .red_lines
        .iter()
        .map(|l| {
            vec![
                t(&l.id),
                t(&l.party),
                t(&l.kind),
                t(&l.strength),
                t(l.statement.clone().unwrap_or_default()),
                t(list(&l.touches)),
            ]
        })
        .collect();
    Some(Table::new(&["red line", "party", "kind", "strength", "statement", "touches"], rows))
}

/// The variants and their options; `None` when the framework has none.
pub fn variants(s: &ShowReport) -> Option<Table> {
    if s.variants.is_empty() {
        return None;
    }
    let rows = s
        .variants
        .iter()
        .flat_map(|v| {
            v.options.iter().map(move |o| {
                vec![
                    t(&v.id),
                    t(&v.question),
                    t(&o.id),
                    n(format!("{:.2}", o.weight)),
                    t(o.summary.clone().unwrap_or_default()),
                ]
            })
        })
        .collect();
    Some(Table::new(&["variant", "question", "option", "weight", "summary"], rows))
}

/// The scenario's events.
pub fn events(sc: &ScenarioSection) -> Table {
    let rows = sc
        .events
        .iter()
        .map(|e| vec![n(e.day.to_string()), n(e.date.clone().unwrap_or_default()), t(&e.kind), t(&e.detail)])
        .collect();
    Table::new(&["day", "date", "event", "detail"], rows)
}

/// When the obligations are read, and at which variant options.
pub fn obligations_note(sc: &ScenarioSection) -> String {
    let o = &sc.obligations;
    format!(
        "At {} ({} of {} events applied); variants at: {}.",
        o.at_text,
        o.events_applied,
        o.events,
        list(&o.variants.iter().map(|v| format!("{} = {}", v.variant, v.option)).collect::<Vec<_>>())
    )
}

/// The obligations at the last event.
pub fn obligations(sc: &ScenarioSection) -> Table {
    let rows = sc
        .obligations
        .obligations
        .iter()
        .map(|ob| {
            vec![
                t(&ob.party),
                t(&ob.commitment),
                t(format!("{} ({})", ob.kind, list(&ob.domains))),
                t(format!("{} / {}", ob.strength, ob.clause_status.replace('_', " "))),
                t(&ob.status_text),
                t(&ob.cause_text),
            ]
        })
        .collect();
    Table::new(&["party", "commitment", "kind (domains)", "strength / status", "status", "why"], rows)
}

/// The decisions of the scenario's bodies; `None` when there are none.
pub fn decisions(sc: &ScenarioSection) -> Option<Table> {
    let o = &sc.obligations;
    if o.decisions.is_empty() {
        return None;
    }
    let rows = o
        .decisions
        .iter()
        .map(|d| vec![t(&d.body), t(if d.passed { "passed" } else { "failed" }), t(&d.text)])
        .collect();
    Some(Table::new(&["body", "outcome", "how"], rows))
}

/// The runs, the seed and the needs of the simulation.
pub fn simulation_note(m: &Summary) -> String {
    format!(
        "{} runs, seed {}. Needs of the scenario: {}.",
        m.runs,
        m.seed,
        list(&m.needs.iter().map(|n| format!("{} {} {}", n.domain, n.required, n.unit)).collect::<Vec<_>>())
    )
}

/// P(adequate) and the mean delivered, per need and horizon.
pub fn needs(m: &Summary) -> Table {
    let mut rows = Vec::new();
    for (h, hd) in m.horizons.iter().enumerate() {
        rows.push(vec![t("every need"), n(days(*hd)), n(est(&m.adequate[h])), t(""), t("")]);
        for (d, need) in m.needs.iter().enumerate() {
            let del = &m.delivered[h][d];
            rows.push(vec![
                t(&need.domain),
                n(days(*hd)),
                n(est(&m.adequate_by_need[h][d])),
                n(format!("{:.1} [{:.1}, {:.1}]", del.value, del.low, del.high)),
                n(format!("{} {}", need.required, need.unit)),
            ]);
        }
    }
    Table::new(&["need", "horizon", "P(adequate), 95 % CI", "delivered (mean, 95 % CI)", "required"], rows)
}

/// P(deterred), P(escalation) and the credibility.
pub fn headline(m: &Summary) -> Table {
    Table::new(
        &["figure", "value, 95 % CI"],
        vec![
            vec![t("P(deterred)"), n(est(&m.deterred))],
            vec![t("P(escalation)"), n(est(&m.escalation))],
            vec![t(format!("credibility (mean adequacy at {})", days(m.deterrence.horizon))), n(est(&m.credibility))],
        ],
    )
}

/// Each commitment in the simulation: how often it obliges anyone, and how often it is honoured.
pub fn sim_commitments(m: &Summary) -> Table {
    let rows = m
        .commitments
        .iter()
        .map(|c| {
            vec![
                t(&c.id),
                n(est(&c.activation)),
                n(c.honour.as_ref().map_or("never obliges".to_string(), est)),
                n(c.obliged_pairs.to_string()),
            ]
        })
        .collect();
    Table::new(&["commitment", "P(obliges anyone)", "honour rate (clustered by run)", "obliged pairs"], rows)
}

/// What each variant option changes; `None` when no option was pinned.
pub fn options(sc: &ScenarioSection) -> Option<Table> {
    if sc.options.is_empty() {
        return None;
    }
    let rows = sc
        .options
        .iter()
        .map(|o| {
            let mut brings = o.commitments.clone();
            brings.extend(o.red_lines.iter().map(|l| format!("red line {l}")));
            vec![
                t(format!("{} = {}", o.variant, o.option)),
                n(format!("{:.2}", o.weight)),
                t(o.summary.clone().unwrap_or_default()),
                t(list(&brings)),
                n(est(&o.adequate)),
                n(est(&o.deterred)),
                n(est(&o.escalation)),
            ]
        })
        .collect();
    let head = format!("P(adequate) by {}", days(sc.headline_horizon));
    Some(Table::new(
        &["option", "weight", "summary", "takes effect only here", &head, "P(deterred)", "P(escalation)"],
        rows,
    ))
}

/// The attribution's metric, its values for everyone and nobody, and its method.
pub fn attribution_note(a: &AttributeReport) -> String {
    format!(
        "{} by {}: v(everyone) = {}, v(nobody) = {}; Σφ = {:+.3}. {} runs, {} method; {}",
        a.metric_text,
        days(a.horizon_days),
        est(&a.v_all),
        est(&a.v_none),
        a.sum,
        a.runs,
        a.method,
        a.interval
    )
}

/// The null players; `None` when there are none.
pub fn null_players(a: &AttributeReport) -> Option<String> {
    let null: Vec<String> = a.values.iter().filter(|v| v.null).map(|v| v.party.clone()).collect();
    (!null.is_empty()).then(|| format!("Null players (no obliged pair, φ = 0): {}.", null.join(", ")))
}

/// Leave-one-out loss and Shapley value per party.
pub fn attribution(a: &AttributeReport) -> Table {
    let rows = a
        .leave_one_out
        .iter()
        .map(|l| {
            let phi = a.values.iter().find(|v| v.party == l.party).map(|v| signed(&v.shapley)).unwrap_or_default();
            vec![t(&l.party), n(signed(&l.loss)), n(phi)]
        })
        .collect();
    Table::new(&["if this party withdraws", "loss v(N) − v(N∖{X}), 95 % CI", "Shapley φ, 95 % CI"], rows)
}

/// The pair-interaction indices; `None` when the attribution has none.
pub fn interactions(a: &AttributeReport) -> Option<Table> {
    if a.interactions.is_empty() {
        return None;
    }
    let rows = a.interactions.iter().map(|x| vec![t(format!("{} & {}", x.a, x.b)), n(signed(&x.value))]).collect();
    Some(Table::new(&["pair", "interaction index (+ complements, − substitutes)"], rows))
}

/// The sensitivity run's metric, nominal value and design.
pub fn sensitivity_note(sr: &SensitivityReport) -> String {
    format!(
        "{} by {}: {:.3} at the nominal parameters. {}; {} points × {} runs.",
        sr.metric_text,
        days(sr.horizon_days),
        sr.nominal,
        sr.design,
        sr.points,
        sr.runs_per_point
    )
}

/// The sensitivity indices per parameter.
pub fn sensitivity(sr: &SensitivityReport) -> Table {
    let rows = sr
        .parameters
        .iter()
        .map(|q| {
            vec![
                t(&q.param),
                t(&q.distribution),
                n(format!("{}", q.nominal)),
                n(q.total.as_ref().map(est).unwrap_or_default()),
                n(q.first_order.as_ref().map(est).unwrap_or_default()),
                // A library default's reason already says so (`library default: SOURCE`).
                t(if q.default && !q.reason.starts_with("library default") {
                    format!("library default: {}", q.reason)
                } else {
                    q.reason.clone()
                }),
            ]
        })
        .collect();
    Table::new(&["parameter", "distribution", "nominal", "total S_T", "first-order S_1", "why uncertain"], rows)
}

/// The comparison's runs, seed, reference and interval.
pub fn compare_note(c: &CompareReport) -> String {
    format!(
        "{} runs, seed {}, the same random numbers for every framework; reference {}. {}",
        c.runs, c.seed, c.reference, c.interval
    )
}

/// One scenario of the comparison: a row per framework.
pub fn compare(c: &CompareReport, sc: &ScenarioComparison) -> Table {
    let head_h = c.headline_horizon;
    let rows = sc
        .rows
        .iter()
        .map(|row| {
            let find = |m: &str| {
                row.metrics.iter().find(|f| f.metric == m && (m == "p_deterred" || f.horizon_days == Some(head_h)))
            };
            let cell = |m: &str| find(m).map(|f| est(&f.value)).unwrap_or_default();
            let diff = |m: &str| find(m).and_then(|f| f.difference.as_ref()).map(signed).unwrap_or_default();
            let status = match row.status.as_str() {
                "ok" => row.reason.as_ref().map_or_else(|| "ok".to_string(), |note| format!("ok ({note})")),
                "not_covered" => {
                    let note = row.reason.as_ref().map(|n| format!(" (note: {n})")).unwrap_or_default();
                    format!("not covered: lacks {}{note}", row.missing.join(", "))
                }
                other => format!("{other}: {}", row.reason.clone().unwrap_or_default()),
            };
            let pivotal = row
                .pivotal
                .as_ref()
                .map(|pv| format!("{} (without it {:.3}; change {})", pv.commitment, pv.without, signed(&pv.change)))
                .unwrap_or_default();
            vec![
                t(&row.framework),
                t(status),
                n(cell("p_adequate")),
                n(diff("p_adequate")),
                n(cell("p_deterred")),
                n(diff("p_deterred")),
                t(pivotal),
            ]
        })
        .collect();
    let head = format!("P(adequate) by {}", days(head_h));
    Table::new(
        &["framework", "status", &head, "Δ vs reference (paired)", "P(deterred)", "Δ vs reference", "pivotal clause"],
        rows,
    )
}

/// A clause's tags: strength, status, kind, modality, and whether it takes effect.
pub fn clause_tags(c: &ShowCommitment) -> Vec<String> {
    let mut tags = vec![
        format!("strength: {}", c.strength),
        format!("status: {}{}", c.status.replace('_', " "), if c.status_stated { "" } else { " (implied)" }),
        format!("kind: {}", c.kind),
        format!("modality: {}", c.modality),
    ];
    if !c.takes_effect {
        tags.push("takes no effect (no variant option lists it)".into());
    }
    if let Some(v) = &c.variant {
        tags.push(format!("only in {} = {}", v.variant, v.option));
    }
    tags
}

/// A clause's terms, as names and values.
pub fn clause(c: &ShowCommitment) -> Table {
    let mut rows = vec![
        vec![t("by → to"), t(format!("{} → {}", by(&c.by), list(&c.to)))],
        vec![t("domains"), t(list(&c.domains))],
    ];
    if let Some(a) = &c.amount {
        rows.push(vec![t("amount"), t(a)]);
    }
    if let Some(d) = c.deadline_days {
        let soft = if c.deadline_soft { " (soft: late past it, not failed)" } else { "" };
        rows.push(vec![t("deadline"), t(format!("{}{soft}", days(d)))]);
    }
    if let Some(tr) = &c.trigger {
        rows.push(vec![t("trigger"), Cell::Code(tr.clone())]);
    }
    if let Some(v) = &c.void_if {
        rows.push(vec![t("void once"), Cell::Code(v.clone())]);
    }
    if !c.conditions.is_empty() {
        rows.push(vec![t("conditions"), t(c.conditions.join("; "))]);
    }
    if !c.scope.is_empty() || !c.scope_except.is_empty() {
        let scope = if c.scope.is_empty() { "anywhere".to_string() } else { list(&c.scope) };
        let except =
            if c.scope_except.is_empty() { String::new() } else { format!(" except {}", list(&c.scope_except)) };
        rows.push(vec![t("scope"), t(format!("{scope}{except}"))]);
    }
    if let Some(b) = &c.backs {
        rows.push(vec![t("backs"), t(b)]);
    }
    Table::new(&["", ""], rows)
}
