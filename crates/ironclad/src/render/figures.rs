//! The report's figures: which chart shows what, with its title, unit and uncertainty — built
//! from a [`Report`]'s sections and drawn by [`super::charts`]. The HTML and Markdown renderers
//! place the same figures, so both say the same thing.

use ironclad_sim::stats::Estimate;

use super::charts::{
    self, BLACK, BLUE, Bar, BarChart, BarRow, Cell, GREEN, Heatmap, ORANGE, PURPLE, SKY, Span, Timeline, VERMILLION,
    YELLOW,
};
use crate::report::{Report, ScenarioSection};
use crate::show::ShowReport;

/// A drawn chart.
#[derive(Debug, Clone)]
pub struct Figure {
    /// A file-name-safe name, unique in a report.
    pub slug: String,
    pub title: String,
    /// The SVG, or why it could not be drawn.
    pub svg: Result<String, String>,
}

fn figure(slug: String, title: &str, svg: Result<String, Box<dyn std::error::Error>>) -> Figure {
    Figure { slug, title: title.to_string(), svg: svg.map_err(|e| e.to_string()) }
}

/// `0.621 [0.614, 0.628]`.
pub fn est(e: &Estimate) -> String {
    // Four decimals where three would write a small interval as [0.000, 0.000].
    if e.high.abs().max(e.low.abs()) < 0.01 && e.high != e.low {
        format!("{:.4} [{:.4}, {:.4}]", e.value, e.low, e.high)
    } else {
        format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
    }
}

/// A signed estimate, `+0.021 [+0.014, +0.028]`.
pub fn signed(e: &Estimate) -> String {
    format!("{:+.3} [{:+.3}, {:+.3}]", e.value, e.low, e.high)
}

/// The upper end of a probability axis: a tenth above the highest interval, at most 1.
fn prob_axis(rows: &[BarRow]) -> (f64, f64) {
    let top = rows.iter().flat_map(|r| &r.bars).map(|b| b.interval.map_or(b.value, |i| i.1)).fold(0.0, f64::max);
    (0.0, ((top * 1.15 * 10.0).ceil() / 10.0).clamp(0.1, 1.0))
}

fn bar(e: &Estimate, colour: usize, hollow: bool, text: String) -> Bar {
    Bar { value: e.value, interval: Some((e.low, e.high)), colour, hollow, text }
}

/// Days as text: `30 d`.
pub fn days(h: f64) -> String {
    if h.fract() == 0.0 { format!("{h:.0} d") } else { format!("{h} d") }
}

/// A name fit for a file: lower-case letters, digits and dashes.
pub fn slug(text: &str) -> String {
    let s: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let mut out = String::new();
    for c in s.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

/// The palette index of an instrument's strength (strongest darkest).
pub fn strength_colour(strength: &str) -> usize {
    match strength {
        "treaty" => BLUE,
        "agreement" => SKY,
        "declaration" => GREEN,
        "statement" => ORANGE,
        _ => YELLOW,
    }
}

pub const STRENGTHS: [&str; 5] = ["treaty", "agreement", "declaration", "statement", "remark"];

/// The coverage heatmap of a framework.
pub fn coverage(show: &ShowReport) -> Figure {
    let title = format!("Who covers what in {}: the strongest commitment per party and domain", show.id);
    let mut legend: Vec<(usize, bool, String)> =
        STRENGTHS.iter().map(|s| (strength_colour(s), false, s.to_string())).collect();
    legend.push((BLACK, true, "inner frame: only in a variant option".into()));
    let h = Heatmap {
        title: title.clone(),
        note: "Cell colour and first line: the strongest instrument (treaty strongest, remark weakest); second line: \
               how far the clause has got (status). No uncertainty: read from the spec's text."
            .into(),
        columns: show.coverage.domains.clone(),
        rows: show
            .coverage
            .rows
            .iter()
            .map(|r| {
                let cells = r
                    .cells
                    .iter()
                    .map(|c| {
                        c.as_ref().map(|c| {
                            let mut lines = vec![c.strength.clone(), c.status.replace('_', " ")];
                            if c.variant_only {
                                lines.push("variant only".into());
                            }
                            Cell { colour: strength_colour(&c.strength), lines, marked: c.variant_only }
                        })
                    })
                    .collect();
                (r.who.clone(), cells)
            })
            .collect(),
        legend,
    };
    figure("coverage".into(), &title, charts::heatmap(&h))
}

fn status_style(status: &str) -> (usize, bool) {
    match status {
        "pending" => (SKY, false),
        "due" => (BLUE, false),
        "overdue" => (VERMILLION, true),
        "late" => (ORANGE, false),
        "fulfilled" => (GREEN, false),
        "breached" => (VERMILLION, false),
        "lapsed" => (ORANGE, true),
        "expired" => (BLUE, true),
        _ => (BLACK, true),
    }
}

const STATUSES: [&str; 9] =
    ["pending", "due", "overdue", "late", "fulfilled", "breached", "lapsed", "voided", "expired"];

/// The obligations of a scenario on its timeline.
pub fn timeline(s: &ScenarioSection, index: usize) -> Figure {
    let o = &s.obligations;
    let title = format!("Who must act, and when: obligations on \"{}\"", s.title);
    let mut lo = 0f64;
    let mut hi = o.at as f64;
    for e in &s.events {
        lo = lo.min(e.day as f64);
        hi = hi.max(e.day as f64);
    }
    let spans: Vec<Span> = o
        .obligations
        .iter()
        .map(|ob| {
            lo = lo.min(ob.since as f64);
            // An obligation closed later than its closing event (notice, expiry) ends on that day.
            let end =
                ob.closed_on.map(|d| d as f64).or(ob.closed_by.as_ref().map(|e| e.day as f64)).unwrap_or(o.at as f64);
            if let Some(d) = ob.due {
                hi = hi.max(d);
            }
            let (colour, hollow) = status_style(&ob.status);
            Span {
                label: format!("{} · {}", ob.party, ob.commitment),
                start: ob.since as f64,
                end,
                open: ob.closed_by.is_none() && matches!(ob.status.as_str(), "pending" | "due" | "overdue" | "late"),
                deadline: ob.due,
                colour,
                hollow,
                status: ob.status.clone(),
            }
        })
        .collect();
    let pad = ((hi - lo) * 0.03).max(1.0);
    // One marker per day with events.
    let mut markers: Vec<(f64, String, String)> = Vec::new();
    let mut k = 0;
    let mut i = 0;
    while i < s.events.len() {
        let day = s.events[i].day;
        let mut descs = Vec::new();
        while i < s.events.len() && s.events[i].day == day {
            let e = &s.events[i];
            descs.push(if e.detail.is_empty() { e.kind.clone() } else { format!("{} ({})", e.kind, e.detail) });
            i += 1;
        }
        k += 1;
        let when = match &s.events[i - 1].date {
            Some(d) => format!("day {day}, {d}"),
            None => format!("day {day}"),
        };
        markers.push((day as f64, format!("E{k}"), format!("{when}: {}", descs.join("; "))));
    }
    let used: Vec<&str> =
        STATUSES.iter().copied().filter(|st| o.obligations.iter().any(|ob| ob.status == *st)).collect();
    let mut legend: Vec<(usize, bool, String)> = used
        .iter()
        .map(|st| {
            let (c, h) = status_style(st);
            (c, h, st.to_string())
        })
        .collect();
    if o.obligations.iter().any(|ob| ob.due.is_some()) {
        legend.push((BLACK, false, "black tick: deadline".into()));
    }
    let t = Timeline {
        title: title.clone(),
        note: format!(
            "Bars: each obligation from the day it arose to the day it closed, or to the last event (day {}) with → \
             when still open; each variant at its heaviest option. Grey lines E1, E2, …: the scenario's events \
             (key below). Derived from the rules, no uncertainty.",
            o.at
        ),
        axis: "days since the scenario's start".into(),
        spans,
        events: markers,
        range: (lo - pad, hi + pad),
        legend,
    };
    figure(format!("s{index}-timeline"), &title, charts::timeline(&t))
}

const HORIZON_COLOURS: [usize; 4] = [ORANGE, SKY, BLUE, PURPLE];

/// P(adequate response) per need and horizon.
pub fn adequate(s: &ScenarioSection, index: usize) -> Option<Figure> {
    let sim = &s.simulation.as_ref()?.summary;
    Some(adequate_chart(sim, &s.title, format!("s{index}-adequate")))
}

/// P(adequate response) per need and horizon of a simulation on the scenario titled `scenario`.
pub fn adequate_chart(sim: &ironclad_sim::stats::Summary, scenario: &str, slug: String) -> Figure {
    let title = format!("P(adequate response) by domain and horizon on \"{scenario}\"");
    let hc = |h: usize| HORIZON_COLOURS[h % HORIZON_COLOURS.len()];
    let mut rows = Vec::new();
    for (h, hd) in sim.horizons.iter().enumerate() {
        rows.push(BarRow {
            label: format!("every need · {}", days(*hd)),
            bars: vec![bar(&sim.adequate[h], hc(h), false, est(&sim.adequate[h]))],
        });
    }
    for (d, need) in sim.needs.iter().enumerate() {
        for (h, hd) in sim.horizons.iter().enumerate() {
            let e = &sim.adequate_by_need[h][d];
            rows.push(BarRow {
                label: format!("{} · {}", need.domain, days(*hd)),
                bars: vec![bar(e, hc(h), false, est(e))],
            });
        }
    }
    let c = BarChart {
        title: title.clone(),
        note: format!(
            "Bars: share of {} runs in which what arrived by the horizon met the requirement; whiskers and \
             figures: 95 % Wilson interval over runs. Unit: probability (0–1).",
            sim.runs
        ),
        axis: "probability of an adequate response".into(),
        range: prob_axis(&rows),
        rows,
        reference: None,
        legend: sim.horizons.iter().enumerate().map(|(h, hd)| (hc(h), false, format!("by {}", days(*hd)))).collect(),
    };
    figure(slug, &title, charts::bar_chart(&c))
}

/// Delivered against required, one chart per need.
pub fn delivered(s: &ScenarioSection, index: usize) -> Vec<Figure> {
    let Some(sim) = s.simulation.as_ref().map(|r| &r.summary) else { return Vec::new() };
    let hc = |h: usize| HORIZON_COLOURS[h % HORIZON_COLOURS.len()];
    sim.needs
        .iter()
        .enumerate()
        .map(|(d, need)| {
            let title = format!("Delivered against required: {} ({})", need.domain, need.unit);
            let rows = sim
                .horizons
                .iter()
                .enumerate()
                .map(|(h, hd)| {
                    let e = &sim.delivered[h][d];
                    BarRow {
                        label: format!("by {}", days(*hd)),
                        bars: vec![bar(e, hc(h), false, format!("{:.1} [{:.1}, {:.1}]", e.value, e.low, e.high))],
                    }
                })
                .collect();
            let c = BarChart {
                title: title.clone(),
                note: format!(
                    "Bars: mean amount in place by each horizon over {} runs, in {}; whiskers: 95 % normal interval \
                     of the mean. Red line: the scenario's requirement.",
                    sim.runs, need.unit
                ),
                axis: format!("delivered ({})", need.unit),
                rows,
                range: (0.0, need.required * 1.1),
                reference: Some((need.required, format!("required: {} {}", need.required, need.unit))),
                legend: Vec::new(),
            };
            figure(format!("s{index}-delivered-{}", slug(&need.domain)), &title, charts::bar_chart(&c))
        })
        .collect()
}

/// P(deterred), P(escalation) and the credibility behind them.
pub fn deterrence(s: &ScenarioSection, index: usize) -> Option<Figure> {
    let sim = &s.simulation.as_ref()?.summary;
    let title = format!("Deterrence and escalation on \"{}\"", s.title);
    let rows = vec![
        BarRow { label: "P(deterred)".into(), bars: vec![bar(&sim.deterred, BLUE, false, est(&sim.deterred))] },
        BarRow {
            label: "P(escalation)".into(),
            bars: vec![bar(&sim.escalation, VERMILLION, false, est(&sim.escalation))],
        },
        BarRow {
            label: format!("credibility at {}", days(sim.deterrence.horizon)),
            bars: vec![bar(&sim.credibility, GREEN, true, est(&sim.credibility))],
        },
    ];
    let c = BarChart {
        title: title.clone(),
        note: format!(
            "Over {} runs. P(deterred) = Φ((cost·credibility − gain)/noise), interval mapped from the credibility's; \
             P(escalation): share of runs in which a delivered commitment crosses the adversary's red line, 95 % \
             Wilson interval; credibility: mean adequacy at {} (outlined bar), 95 % normal interval. Unit: probability \
             / share (0–1).",
            sim.runs,
            days(sim.deterrence.horizon)
        ),
        axis: "probability (0–1)".into(),
        range: prob_axis(&rows),
        rows,
        reference: None,
        legend: Vec::new(),
    };
    Some(figure(format!("s{index}-deterrence"), &title, charts::bar_chart(&c)))
}

/// Each variant option pinned in turn.
pub fn options(s: &ScenarioSection, index: usize) -> Option<Figure> {
    if s.options.is_empty() {
        return None;
    }
    let title = format!("What each variant option changes on \"{}\"", s.title);
    let rows: Vec<BarRow> = s
        .options
        .iter()
        .map(|o| BarRow {
            label: format!("{}\n= {} (weight {:.2})", o.variant, o.option, o.weight),
            bars: vec![
                bar(&o.adequate, BLUE, false, format!("adequate {}", est(&o.adequate))),
                bar(&o.deterred, ORANGE, true, format!("deterred {}", est(&o.deterred))),
            ],
        })
        .collect();
    let runs = s.options.first().map_or(0, |o| o.runs);
    let c = BarChart {
        title: title.clone(),
        note: format!(
            "Each option pinned in turn, the other variants sampled by weight, {runs} runs each on the same seed \
             (common random numbers). Filled: P(adequate response in every need) by {}, 95 % Wilson interval; \
             outlined: P(deterred), interval mapped from the credibility's. Unit: probability (0–1).",
            days(s.headline_horizon)
        ),
        axis: "probability (0–1)".into(),
        range: prob_axis(&rows),
        rows,
        reference: None,
        legend: vec![
            (BLUE, false, format!("P(adequate) by {}", days(s.headline_horizon))),
            (ORANGE, true, "P(deterred)".into()),
        ],
    };
    Some(figure(format!("s{index}-options"), &title, charts::bar_chart(&c)))
}

/// Shapley values and leave-one-out losses.
pub fn shapley(s: &ScenarioSection, index: usize) -> Option<Figure> {
    Some(shapley_chart(s.attribution.as_ref()?, &s.title, format!("s{index}-shapley")))
}

/// Shapley values and leave-one-out losses of an attribution on the scenario titled `scenario`.
pub fn shapley_chart(a: &crate::attribute::AttributeReport, scenario: &str, slug: String) -> Figure {
    let title = format!("Who the response rests on: Shapley values and leave-one-out on \"{scenario}\"");
    let rows: Vec<BarRow> = a
        .values
        .iter()
        .filter(|v| !v.null)
        .map(|v| {
            let mut bars = vec![bar(&v.shapley, BLUE, false, format!("φ {}", signed(&v.shapley)))];
            if let Some(l) = a.leave_one_out.iter().find(|l| l.party == v.party) {
                bars.push(bar(&l.loss, ORANGE, true, format!("loss {}", signed(&l.loss))));
            }
            BarRow { label: v.party.clone(), bars }
        })
        .collect();
    let c = BarChart {
        title: title.clone(),
        note: format!(
            "{}, by {}. Filled: Shapley value φ (the party's average marginal contribution over coalitions); \
             outlined: leave-one-out loss v(N) − v(N without it). Whiskers: {}. {} runs ({} method). Unit: \
             probability points.",
            a.metric_text,
            days(a.horizon_days),
            a.interval,
            a.runs,
            a.method
        ),
        axis: "change in probability".into(),
        rows,
        range: (0.0, 0.0),
        reference: None,
        legend: vec![(BLUE, false, "Shapley value φ".into()), (ORANGE, true, "leave-one-out loss".into())],
    };
    figure(slug, &title, charts::bar_chart(&c))
}

/// Sobol' indices of the uncertain parameters, largest total first.
pub fn sensitivity(s: &ScenarioSection, index: usize) -> Option<Figure> {
    Some(sensitivity_chart(s.sensitivity.as_ref()?, &s.title, format!("s{index}-sensitivity")))
}

/// Morris μ* of each uncertain parameter, largest first (the Sobol' chart's counterpart).
fn morris_chart(r: &crate::sensitivity::SensitivityReport, scenario: &str, slug: String) -> Figure {
    let title = format!("Which assumption moves the answer: Morris screening on \"{scenario}\"");
    let mut params: Vec<_> = r.parameters.iter().filter(|p| p.mu_star.is_some()).collect();
    params.sort_by(|a, b| {
        let m = |p: &crate::sensitivity::SensitivityRow| p.mu_star.map_or(0.0, |e| e.value);
        m(b).total_cmp(&m(a))
    });
    let rows: Vec<BarRow> = params
        .iter()
        .filter_map(|p| {
            let m = p.mu_star.as_ref()?;
            Some(BarRow { label: p.param.clone(), bars: vec![bar(m, BLUE, false, format!("μ* {}", est(m)))] })
        })
        .collect();
    let c = BarChart {
        title: title.clone(),
        note: format!(
            "{} by {}. Bars: μ*, the mean |elementary effect| per unit of the parameter's quantile. Whiskers: {}. \
             Design: {}; {} runs per point. Unit: the metric's, per unit of quantile.",
            r.metric_text,
            days(r.horizon_days),
            r.interval,
            r.design,
            r.runs_per_point
        ),
        axis: "μ* (mean |elementary effect|)".into(),
        rows,
        range: (0.0, 0.0),
        reference: None,
        legend: Vec::new(),
    };
    figure(slug, &title, charts::bar_chart(&c))
}

/// The chart of a sensitivity analysis on the scenario titled `scenario`: Sobol' indices, or
/// Morris μ*.
pub fn sensitivity_chart(r: &crate::sensitivity::SensitivityReport, scenario: &str, slug: String) -> Figure {
    if r.method == "morris" {
        return morris_chart(r, scenario, slug);
    }
    let title = format!("Which assumption moves the answer: Sobol' indices on \"{scenario}\"");
    // Parameters whose total index is indistinguishable from 0 are named in the note, not drawn.
    let negligible = |p: &&crate::sensitivity::SensitivityRow| p.total.is_some_and(|t| t.high < 0.01);
    let quiet: Vec<&str> = r.parameters.iter().filter(negligible).map(|p| p.param.as_str()).collect();
    let mut params: Vec<_> = r.parameters.iter().filter(|p| !negligible(p)).collect();
    params.sort_by(|a, b| {
        let t = |p: &crate::sensitivity::SensitivityRow| p.total.map_or(0.0, |e| e.value);
        t(b).total_cmp(&t(a))
    });
    let rows: Vec<BarRow> = params
        .iter()
        .map(|p| {
            let mut bars = Vec::new();
            if let Some(t) = &p.total {
                bars.push(bar(t, BLUE, false, format!("total {}", est(t))));
            }
            if let Some(f) = &p.first_order {
                bars.push(bar(f, ORANGE, true, format!("first {}", est(f))));
            }
            BarRow { label: p.param.clone(), bars }
        })
        .collect();
    let c = BarChart {
        title: title.clone(),
        note: format!(
            "{} by {}. Filled: total index S_T (the share of the output's variance the parameter is involved in); \
             outlined: first-order index S_1 (its share alone). Whiskers: {}. Design: {}; {} runs per point. Unit: \
             share of variance (0–1).{}",
            r.metric_text,
            days(r.horizon_days),
            r.interval,
            r.design,
            r.runs_per_point,
            if quiet.is_empty() {
                String::new()
            } else {
                format!(" Not drawn, total index below 0.01 with its whole interval: {}.", quiet.join(", "))
            }
        ),
        axis: "share of the output's variance".into(),
        range: prob_axis(&rows),
        rows,
        reference: None,
        legend: vec![(BLUE, false, "total S_T".into()), (ORANGE, true, "first-order S_1".into())],
    };
    figure(slug, &title, charts::bar_chart(&c))
}

/// The headline metric of each compared framework, per scenario.
pub fn compare(r: &Report) -> Vec<Figure> {
    let Some(c) = &r.compare else { return Vec::new() };
    c.scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, sc)| {
            let rows: Vec<BarRow> = sc
                .rows
                .iter()
                .filter(|row| row.status == "ok")
                .filter_map(|row| {
                    let f = row
                        .metrics
                        .iter()
                        .find(|f| f.metric == "p_adequate" && f.horizon_days == Some(c.headline_horizon))?;
                    let diff = f.difference.as_ref().map(|d| format!("\nΔ {}", signed(d))).unwrap_or_default();
                    Some(BarRow {
                        label: row.framework.clone(),
                        bars: vec![bar(&f.value, BLUE, false, format!("{}{diff}", est(&f.value)))],
                    })
                })
                .collect();
            if rows.is_empty() {
                return None;
            }
            let title = format!("Frameworks compared on \"{}\": P(adequate response) by {}", sc.id, days(c.headline_horizon));
            let chart = BarChart {
                title: title.clone(),
                note: format!(
                    "Bars: P(adequate response in every need) over {} runs, same random numbers for every framework; \
                     whiskers: 95 % Wilson interval; Δ: difference from {} paired per run, 95 % interval. Frameworks that \
                     do not cover the scenario are in the table only. Unit: probability (0–1).",
                    c.runs, c.reference
                ),
                axis: "probability (0–1)".into(),
                range: prob_axis(&rows),
                rows,
                reference: None,
                legend: Vec::new(),
            };
            Some(figure(format!("compare-{i}"), &title, charts::bar_chart(&chart)))
        })
        .collect()
}
