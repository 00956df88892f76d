//! The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no
//! font and no link that reaches the network, a print style sheet with page breaks, so that a
//! browser prints it to PDF cleanly.
//!
//! Every text from a spec, scenario or source goes through [`esc`] (text) or [`attr`]
//! (attribute values), from the `html-escape` crate; the SVG text is escaped by plotters.

use std::fmt::Write;

use super::figures::{self, Figure, days, est, signed};
use crate::report::{Report, ScenarioSection};
use crate::show::{By, ShowCommitment, ShowReport};

/// Escapes text content.
pub fn esc(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// Escapes a double-quoted attribute value.
pub fn attr(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

const STYLE: &str = r#"
:root { --ink: #222; --muted: #555; --rule: #ccc; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); max-width: 62rem; margin: 0 auto; padding: 1.5rem; line-height: 1.45; }
h1 { font-size: 1.8rem; margin: 0 0 .3rem; }
h2 { font-size: 1.4rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
h4, .clause h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
p.meta, .muted { color: var(--muted); }
figure { margin: 1rem 0; }
figure svg { display: block; width: 100%; max-width: 60rem; height: auto; border: 1px solid #eee; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .2rem; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .6rem 0 1rem; }
th, td { border: 1px solid var(--rule); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
table.kv td:first-child { width: 12rem; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
blockquote { margin: .4rem 0 .4rem 0; padding: .3rem .8rem; border-left: 4px solid #56B4E9; background: #f7fbfe; }
blockquote footer { font-size: .82rem; color: var(--muted); }
.clause { border: 1px solid var(--rule); border-radius: 4px; padding: .5rem .8rem; margin: .8rem 0; }
.clause h3 { margin-top: 0; }
.tag { display: inline-block; border: 1px solid var(--rule); border-radius: 3px; padding: 0 .35rem;
       font-size: .8rem; margin-right: .25rem; }
.note { border-left: 4px solid #E69F00; background: #fff8ea; padding: .3rem .8rem; }
nav ol { columns: 2; font-size: .9rem; }
code { font-size: .9em; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  figure, blockquote, .clause, tr { break-inside: avoid; }
  nav { break-after: page; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The charts of a `simulate` report, as inline SVG (for notebooks: the report's own figures).
pub fn simulate_charts(r: &crate::simulate::SimulateReport) -> String {
    inline_svg(&figures::adequate_chart(&r.summary, &r.summary.scenario, "simulate-adequate".into()))
}

/// The chart of an `attribute` report, as inline SVG.
pub fn attribute_charts(r: &crate::attribute::AttributeReport) -> String {
    inline_svg(&figures::shapley_chart(r, &r.scenario, "attribute-shapley".into()))
}

/// The chart of a `sensitivity` report, as inline SVG.
pub fn sensitivity_charts(r: &crate::sensitivity::SensitivityReport) -> String {
    inline_svg(&figures::sensitivity_chart(r, &r.scenario, "sensitivity".into()))
}

/// An SVG for inline use: without the XML namespace (HTML gives it), as an image with its title
/// for screen readers.
fn inline_svg(f: &Figure) -> String {
    match &f.svg {
        Ok(svg) => {
            let id = format!("fig-{}", f.slug);
            let body = match svg.find("<svg").and_then(|s| svg[s..].find('>').map(|e| s + e + 1)) {
                Some(end) => {
                    let open = svg[..end].replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
                    let open = open.trim_end_matches('>').trim_end_matches('/');
                    format!(
                        "{open} role=\"img\" aria-labelledby=\"{}-title\"><title id=\"{}-title\">{}</title>{}",
                        attr(&id),
                        attr(&id),
                        esc(&f.title),
                        &svg[end..]
                    )
                }
                None => svg.clone(),
            };
            format!("<figure id=\"{}\" class=\"chart\">\n{body}\n</figure>\n", attr(&id))
        }
        Err(why) => format!("<p class=\"note\">The chart “{}” could not be drawn: {}</p>\n", esc(&f.title), esc(why)),
    }
}

struct Page {
    out: String,
}

impl Page {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn table(&mut self, head: &[&str], rows: &[Vec<Cell>]) {
        // A table of names and values has no header row.
        let kv = head.iter().all(|h| h.is_empty());
        self.out.push_str(if kv { "<table class=\"kv\">\n" } else { "<table>\n" });
        if !kv {
            self.out.push_str("<thead><tr>");
            for h in head {
                let _ = write!(self.out, "<th>{}</th>", esc(h));
            }
            self.out.push_str("</tr></thead>\n");
        }
        self.out.push_str("<tbody>\n");
        for row in rows {
            self.out.push_str("<tr>");
            for c in row {
                match c {
                    Cell::Text(t) => {
                        let _ = write!(self.out, "<td>{}</td>", esc(t));
                    }
                    Cell::Num(t) => {
                        let _ = write!(self.out, "<td class=\"num\">{}</td>", esc(t));
                    }
                    Cell::Html(h) => {
                        let _ = write!(self.out, "<td>{h}</td>");
                    }
                }
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n");
    }
}

enum Cell {
    Text(String),
    Num(String),
    Html(String),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(s: impl Into<String>) -> Cell {
    Cell::Num(s.into())
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "—".into() } else { items.join(", ") }
}

fn by(b: &By) -> String {
    match b {
        By::Parties(ps) => ps.join(", "),
        By::Body { body } => format!("body {body}"),
    }
}

/// The report as HTML.
pub fn report(r: &Report) -> String {
    let s = &r.show;
    let mut p = Page { out: String::new() };
    p.line("<!DOCTYPE html>");
    p.line("<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    p.line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = writeln!(p.out, "<title>{} — ironclad report</title>", esc(&s.title));
    let _ = writeln!(p.out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(p.out, "<header>\n<h1>{}</h1>", esc(&s.title));
    let _ = writeln!(
        p.out,
        "<p class=\"meta\">Framework <code>{}</code> from <code>{}</code>. Seed {}; runs: {} per simulation, {} per \
         pinned variant option, {} for the attribution, {} per design point × {} rows for the sensitivity run{}. The \
         same seed gives the same report.</p>\n</header>",
        esc(&s.id),
        esc(&r.spec_file),
        r.seed,
        r.runs.simulate,
        r.runs.per_option,
        r.runs.attribute,
        r.runs.sensitivity_runs_per_point,
        r.runs.sensitivity_samples,
        if r.compare.is_some() { format!(", {} for the comparison", r.runs.compare) } else { String::new() }
    );
    // Contents.
    p.line("<nav>\n<h2 style=\"break-before:auto\">Contents</h2>\n<ol>");
    p.line("<li><a href=\"#glance\">The framework at a glance</a></li>");
    for (i, sc) in r.scenarios.iter().enumerate() {
        let _ = writeln!(p.out, "<li><a href=\"#scenario-{i}\">Scenario: {}</a></li>", esc(&sc.title));
    }
    if r.compare.is_some() {
        p.line("<li><a href=\"#compare\">Comparison with other frameworks</a></li>");
    }
    p.line("<li><a href=\"#clauses\">Every clause and its evidence</a></li>");
    p.line("</ol>\n</nav>\n<main>");
    for note in &r.notes {
        let _ = writeln!(p.out, "<p class=\"note\">{}</p>", esc(note));
    }
    glance(&mut p, s);
    for (i, sc) in r.scenarios.iter().enumerate() {
        scenario(&mut p, sc, i);
    }
    compare(&mut p, r);
    clauses(&mut p, s);
    p.line("</main>");
    p.line(
        "<footer class=\"muted\"><p>Written by <code>ironclad report</code>. Figures are estimates from the \
            simulation model described in the project's docs/model.md; every interval is 95 %.</p></footer>",
    );
    p.line("</body>\n</html>");
    p.out
}

fn glance(p: &mut Page, s: &ShowReport) {
    p.line("<section id=\"glance\">\n<h2>The framework at a glance</h2>");
    p.table(
        &["", ""],
        &[
            vec![t("protects"), t(list(&s.protects))],
            vec![t("threat"), t(s.threat.clone().unwrap_or_else(|| "—".into()))],
            vec![t("signed"), t(s.signed.clone().unwrap_or_else(|| "—".into()))],
            vec![t("in force"), t(s.in_force.clone().unwrap_or_else(|| "—".into()))],
            vec![t("expires"), t(s.expires.clone().unwrap_or_else(|| "—".into()))],
            vec![t("claimed domains"), t(list(&s.claimed_domains))],
            vec![t("entry conditions"), t(list(&s.entry))],
            vec![t("continuing conditions"), t(list(&s.continuing))],
            vec![
                t("counts"),
                t(format!(
                    "{} parties, {} commitments, {} red lines, {} variants, {} sources",
                    s.counts.parties, s.counts.commitments, s.counts.red_lines, s.counts.variants, s.counts.sources
                )),
            ],
        ],
    );
    p.out.push_str(&inline_svg(&figures::coverage(s)));
    p.line("<h3>Gaps</h3>");
    p.table(
        &["gap", "domains"],
        &[
            vec![t("claimed, covered by no commitment"), t(list(&s.gaps.uncovered))],
            vec![t("covered only by statements or remarks"), t(list(&s.gaps.unbound))],
            vec![t("covered only in a variant option"), t(list(&s.gaps.variant_only))],
        ],
    );
    if !s.red_lines.is_empty() {
        p.line("<h3>Red lines</h3>");
        let rows: Vec<Vec<Cell>> = s
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
        p.table(&["red line", "party", "kind", "strength", "statement", "touches"], &rows);
    }
    if !s.variants.is_empty() {
        p.line("<h3>Variants: the open questions</h3>");
        let rows: Vec<Vec<Cell>> = s
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
        p.table(&["variant", "question", "option", "weight", "summary"], &rows);
    }
    p.line("</section>");
}

fn scenario(p: &mut Page, sc: &ScenarioSection, i: usize) {
    let _ = writeln!(p.out, "<section id=\"scenario-{i}\">\n<h2>Scenario: {}</h2>", esc(&sc.title));
    let _ =
        writeln!(p.out, "<p class=\"meta\">File <code>{}</code>, id <code>{}</code>.</p>", esc(&sc.file), esc(&sc.id));
    for note in &sc.notes {
        let _ = writeln!(p.out, "<p class=\"note\">{}</p>", esc(note));
    }
    p.line("<h3>Events</h3>");
    let rows: Vec<Vec<Cell>> = sc
        .events
        .iter()
        .map(|e| vec![n(e.day.to_string()), n(e.date.clone().unwrap_or_default()), t(&e.kind), t(&e.detail)])
        .collect();
    p.table(&["day", "date", "event", "detail"], &rows);
    p.line("<h3>Obligations</h3>");
    p.out.push_str(&inline_svg(&figures::timeline(sc, i)));
    let o = &sc.obligations;
    let _ = writeln!(
        p.out,
        "<p>At {} ({} of {} events applied); variants at: {}.</p>",
        esc(&o.at_text),
        o.events_applied,
        o.events,
        esc(&list(&o.variants.iter().map(|v| format!("{} = {}", v.variant, v.option)).collect::<Vec<_>>()))
    );
    let rows: Vec<Vec<Cell>> = o
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
    p.table(&["party", "commitment", "kind (domains)", "strength / status", "status", "why"], &rows);
    if !o.decisions.is_empty() {
        p.line("<h4>Decisions</h4>");
        let rows: Vec<Vec<Cell>> = o
            .decisions
            .iter()
            .map(|d| vec![t(&d.body), t(if d.passed { "passed" } else { "failed" }), t(&d.text)])
            .collect();
        p.table(&["body", "outcome", "how"], &rows);
    }
    let Some(sim) = &sc.simulation else {
        p.line("</section>");
        return;
    };
    let m = &sim.summary;
    p.line("<h3>Credibility: the simulation</h3>");
    let _ = writeln!(
        p.out,
        "<p>{} runs, seed {}. Needs of the scenario: {}.</p>",
        m.runs,
        m.seed,
        esc(&list(&m.needs.iter().map(|n| format!("{} {} {}", n.domain, n.required, n.unit)).collect::<Vec<_>>()))
    );
    if let Some(f) = figures::adequate(sc, i) {
        p.out.push_str(&inline_svg(&f));
    }
    for f in figures::delivered(sc, i) {
        p.out.push_str(&inline_svg(&f));
    }
    let mut rows = Vec::new();
    for (h, hd) in m.horizons.iter().enumerate() {
        rows.push(vec![t("every need"), n(days(*hd)), n(est(&m.adequate[h])), t(""), t("")]);
        for (d, need) in m.needs.iter().enumerate() {
            rows.push(vec![
                t(&need.domain),
                n(days(*hd)),
                n(est(&m.adequate_by_need[h][d])),
                n(format!(
                    "{:.1} [{:.1}, {:.1}]",
                    m.delivered[h][d].value, m.delivered[h][d].low, m.delivered[h][d].high
                )),
                n(format!("{} {}", need.required, need.unit)),
            ]);
        }
    }
    p.table(&["need", "horizon", "P(adequate), 95 % CI", "delivered (mean, 95 % CI)", "required"], &rows);
    if let Some(f) = figures::deterrence(sc, i) {
        p.out.push_str(&inline_svg(&f));
    }
    p.table(
        &["figure", "value, 95 % CI"],
        &[
            vec![t("P(deterred)"), n(est(&m.deterred))],
            vec![t("P(escalation)"), n(est(&m.escalation))],
            vec![t(format!("credibility (mean adequacy at {})", days(m.deterrence.horizon))), n(est(&m.credibility))],
        ],
    );
    p.line("<h4>Commitments in the simulation</h4>");
    let rows: Vec<Vec<Cell>> = m
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
    p.table(&["commitment", "P(obliges anyone)", "honour rate (clustered by run)", "obliged pairs"], &rows);
    if !sc.options.is_empty() {
        p.line("<h3>Variants: what each option changes</h3>");
        if let Some(f) = figures::options(sc, i) {
            p.out.push_str(&inline_svg(&f));
        }
        let rows: Vec<Vec<Cell>> = sc
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
        p.table(
            &[
                "option",
                "weight",
                "summary",
                "takes effect only here",
                &format!("P(adequate) by {}", days(sc.headline_horizon)),
                "P(deterred)",
                "P(escalation)",
            ],
            &rows,
        );
    }
    if let Some(a) = &sc.attribution {
        p.line("<h3>Who it rests on: attribution</h3>");
        let _ = writeln!(
            p.out,
            "<p>{} by {}: v(everyone) = {}, v(nobody) = {}; Σφ = {:+.3}. {} runs, {} method; {}</p>",
            esc(&a.metric_text),
            days(a.horizon_days),
            est(&a.v_all),
            est(&a.v_none),
            a.sum,
            a.runs,
            esc(&a.method),
            esc(&a.interval)
        );
        if let Some(f) = figures::shapley(sc, i) {
            p.out.push_str(&inline_svg(&f));
        }
        let null: Vec<String> = a.values.iter().filter(|v| v.null).map(|v| v.party.clone()).collect();
        if !null.is_empty() {
            let _ = writeln!(
                p.out,
                "<p class=\"muted\">Null players (no obliged pair, φ = 0): {}.</p>",
                esc(&null.join(", "))
            );
        }
        let rows: Vec<Vec<Cell>> = a
            .leave_one_out
            .iter()
            .map(|l| {
                let phi = a.values.iter().find(|v| v.party == l.party).map(|v| signed(&v.shapley)).unwrap_or_default();
                vec![t(&l.party), n(signed(&l.loss)), n(phi)]
            })
            .collect();
        p.table(&["if this party withdraws", "loss v(N) − v(N∖{X}), 95 % CI", "Shapley φ, 95 % CI"], &rows);
        if !a.interactions.is_empty() {
            let rows: Vec<Vec<Cell>> =
                a.interactions.iter().map(|x| vec![t(format!("{} & {}", x.a, x.b)), n(signed(&x.value))]).collect();
            p.table(&["pair", "interaction index (+ complements, − substitutes)"], &rows);
        }
    }
    if let Some(sr) = &sc.sensitivity {
        p.line("<h3>Which assumption matters: sensitivity</h3>");
        let _ = writeln!(
            p.out,
            "<p>{} by {}: {} at the nominal parameters. {}; {} points × {} runs.</p>",
            esc(&sr.metric_text),
            days(sr.horizon_days),
            format_args!("{:.3}", sr.nominal),
            esc(&sr.design),
            sr.points,
            sr.runs_per_point
        );
        if let Some(f) = figures::sensitivity(sc, i) {
            p.out.push_str(&inline_svg(&f));
        }
        let rows: Vec<Vec<Cell>> = sr
            .parameters
            .iter()
            .map(|q| {
                vec![
                    t(&q.param),
                    t(&q.distribution),
                    n(format!("{}", q.nominal)),
                    n(q.total.as_ref().map(est).unwrap_or_default()),
                    n(q.first_order.as_ref().map(est).unwrap_or_default()),
                    t(format!("{}{}", if q.default { "library default: " } else { "" }, q.reason)),
                ]
            })
            .collect();
        p.table(&["parameter", "distribution", "nominal", "total S_T", "first-order S_1", "why uncertain"], &rows);
    }
    p.line("</section>");
}

fn compare(p: &mut Page, r: &Report) {
    let Some(c) = &r.compare else { return };
    p.line("<section id=\"compare\">\n<h2>Comparison with other frameworks</h2>");
    let _ = writeln!(
        p.out,
        "<p>{} runs, seed {}, the same random numbers for every framework; reference {}. {}</p>",
        c.runs,
        c.seed,
        esc(&c.reference),
        esc(&c.interval)
    );
    let figs = figures::compare(r);
    for (i, sc) in c.scenarios.iter().enumerate() {
        let _ = writeln!(p.out, "<h3>On {} <span class=\"muted\">({})</span></h3>", esc(&sc.id), esc(&sc.scenario));
        if let Some(f) = figs.iter().find(|f| f.slug == format!("compare-{i}")) {
            p.out.push_str(&inline_svg(f));
        }
        let head_h = c.headline_horizon;
        let rows: Vec<Vec<Cell>> = sc
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
                    "not_covered" => format!("not covered: lacks {}", row.missing.join(", ")),
                    other => format!("{other}: {}", row.reason.clone().unwrap_or_default()),
                };
                let pivotal = row
                    .pivotal
                    .as_ref()
                    .map(|pv| {
                        format!("{} (without it {:.3}; change {})", pv.commitment, pv.without, signed(&pv.change))
                    })
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
        p.table(
            &[
                "framework",
                "status",
                &format!("P(adequate) by {}", days(head_h)),
                "Δ vs reference (paired)",
                "P(deterred)",
                "Δ vs reference",
                "pivotal clause",
            ],
            &rows,
        );
    }
    p.line("</section>");
}

fn clause(p: &mut Page, c: &ShowCommitment) {
    let _ = writeln!(p.out, "<div class=\"clause\" id=\"clause-{}\">", attr(&c.id));
    let article = c.article.as_ref().map(|a| format!(" <span class=\"muted\">({})</span>", esc(a))).unwrap_or_default();
    // Under the section's h2: an h3, so heading levels go down by one.
    let _ = writeln!(p.out, "<h3><code>{}</code>{article}</h3>", esc(&c.id));
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
    p.out.push_str("<p>");
    for tag in &tags {
        let _ = write!(p.out, "<span class=\"tag\">{}</span>", esc(tag));
    }
    p.out.push_str("</p>\n");
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
        rows.push(vec![t("trigger"), Cell::Html(format!("<code>{}</code>", esc(tr)))]);
    }
    if let Some(v) = &c.void_if {
        rows.push(vec![t("void once"), Cell::Html(format!("<code>{}</code>", esc(v)))]);
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
    p.table(&["", ""], &rows);
    for e in &c.evidence {
        let speaker = e.speaker.as_ref().map(|s| format!("{}, ", esc(s))).unwrap_or_default();
        let _ = writeln!(
            p.out,
            "<blockquote><p>“{}”</p><footer>— {speaker}source <code>{}</code> ({})</footer></blockquote>",
            esc(&e.quote),
            esc(&e.source_id),
            esc(&e.source)
        );
    }
    p.line("</div>");
}

fn clauses(p: &mut Page, s: &ShowReport) {
    p.line("<section id=\"clauses\">\n<h2>Every clause and its evidence</h2>");
    let _ = writeln!(
        p.out,
        "<p>{} commitments, each with its strength, status and the verbatim quotes it rests on (checked against the \
         sources by <code>ironclad sources verify</code>).</p>",
        s.commitments.len()
    );
    for c in &s.commitments {
        clause(p, c);
    }
    p.line("</section>");
}

#[cfg(test)]
mod notebook_tests {
    use super::*;

    /// The standalone reports' charts (what the Python module shows in a notebook) are the
    /// report's SVG figures, titled, for simulate, attribute and both sensitivity methods.
    #[test]
    fn standalone_reports_draw_the_reports_charts() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = crate::Files::new();
        let spec_id = files.read(&root.join("frameworks/coalition-2025.toml"));
        let scenario_id = files.read(&root.join("scenarios/ceasefire-then-offensive.toml"));
        let loaded = files.spec(spec_id);
        let spec = loaded.valid().expect("valid");
        let scenario = files.scenario(scenario_id, spec).expect("valid");
        let structure = ironclad_sim::Structure::build(spec, &scenario).expect("a structure");
        let request = crate::simulate::Request { runs: Some(2000), ..Default::default() };
        let model = crate::simulate::model(&structure, spec, &request).expect("a model");
        let part = crate::simulate::participation(spec, &model, &request).expect("participation");
        let (_, summary) = crate::simulate::run(&model, &part, &request, &|_, _| {}, None, None).expect("runs");
        let sim = simulate_charts(&crate::simulate::report(summary, &request, None));
        let areq = crate::attribute::Request { runs: Some(500), ..Default::default() };
        let amodel = crate::attribute::model(&structure, spec, &areq).expect("a model");
        let attr = attribute_charts(&crate::attribute::attribute(spec, &amodel, &areq).expect("runs"));
        let mut sens = Vec::new();
        for method in [crate::sensitivity::Method::Sobol, crate::sensitivity::Method::Morris] {
            let sreq = crate::sensitivity::Request { method, samples: Some(4), runs: Some(48), ..Default::default() };
            sens.push(sensitivity_charts(&crate::sensitivity::sensitivity(&structure, spec, &sreq).expect("runs")));
        }
        for (html, title) in [
            (&sim, "P(adequate response) by domain and horizon"),
            (&attr, "Shapley values"),
            (&sens[0], "Sobol' indices"),
            (&sens[1], "Morris screening"),
        ] {
            assert!(html.starts_with("<svg") || html.contains("<svg "), "no SVG: {html:.200}");
            assert!(html.contains("<title id=") && html.contains(title), "no `{title}` in {html:.300}");
            assert!(html.contains("<rect"), "no bars drawn");
        }
    }
}
