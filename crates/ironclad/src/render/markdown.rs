//! The report as Markdown, with each chart as an SVG file beside it (`report.md` and
//! `report-files/*.svg`): the same sections and figures as [`super::html`].

use std::fmt::Write;

use super::figures::{self, Figure, days, est, signed};
use crate::report::{Report, ScenarioSection};
use crate::show::{By, ShowReport};

/// The Markdown text and the SVG files it links to (file name, content).
#[derive(Debug, Clone)]
pub struct Markdown {
    pub text: String,
    pub files: Vec<(String, String)>,
}

/// Escapes text for Markdown: HTML's special characters (Markdown passes HTML through) and
/// Markdown's own, and no line breaks (table cells are one line).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

struct Doc {
    out: String,
    dir: String,
    files: Vec<(String, String)>,
}

impl Doc {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn figure(&mut self, f: &Figure) {
        match &f.svg {
            Ok(svg) => {
                let name = format!("{:02}-{}.svg", self.files.len() + 1, f.slug);
                let _ = writeln!(self.out, "![{}]({}/{})\n", esc(&f.title), self.dir, name);
                self.files.push((name, svg.clone()));
            }
            Err(why) => {
                let _ = writeln!(self.out, "> The chart “{}” could not be drawn: {}\n", esc(&f.title), esc(why));
            }
        }
    }

    fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        let cells = |r: &[String]| r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ");
        let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
        let _ = writeln!(self.out, "| {} |", cells(&head));
        let _ = writeln!(self.out, "|{}|", vec!["---"; head.len()].join("|"));
        for r in rows {
            let _ = writeln!(self.out, "| {} |", cells(r));
        }
        self.out.push('\n');
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "—".into() } else { items.join(", ") }
}

/// The report as Markdown; chart files are linked as `DIR/NAME.svg`.
pub fn report(r: &Report, dir: &str) -> Markdown {
    let s = &r.show;
    let mut d = Doc { out: String::new(), dir: dir.to_string(), files: Vec::new() };
    let _ = writeln!(d.out, "# {}\n", esc(&s.title));
    let _ = writeln!(
        d.out,
        "Framework `{}` from `{}`. Seed {}; runs: {} per simulation, {} per pinned variant option, {} for the \
         attribution, {} per design point × {} rows for the sensitivity run{}. The same seed gives the same report.\n",
        s.id.replace('`', "'"),
        r.spec_file.replace('`', "'"),
        r.seed,
        r.runs.simulate,
        r.runs.per_option,
        r.runs.attribute,
        r.runs.sensitivity_runs_per_point,
        r.runs.sensitivity_samples,
        if r.compare.is_some() { format!(", {} for the comparison", r.runs.compare) } else { String::new() }
    );
    for note in &r.notes {
        let _ = writeln!(d.out, "> {}\n", esc(note));
    }
    glance(&mut d, s);
    for (i, sc) in r.scenarios.iter().enumerate() {
        scenario(&mut d, sc, i);
    }
    compare(&mut d, r);
    clauses(&mut d, s);
    Markdown { text: d.out, files: d.files }
}

fn glance(d: &mut Doc, s: &ShowReport) {
    d.line("## The framework at a glance\n");
    d.table(
        &["", ""],
        &[
            vec!["protects".into(), list(&s.protects)],
            vec!["threat".into(), s.threat.clone().unwrap_or_else(|| "—".into())],
            vec!["signed".into(), s.signed.clone().unwrap_or_else(|| "—".into())],
            vec!["in force".into(), s.in_force.clone().unwrap_or_else(|| "—".into())],
            vec!["claimed domains".into(), list(&s.claimed_domains)],
            vec![
                "counts".into(),
                format!(
                    "{} parties, {} commitments, {} red lines, {} variants, {} sources",
                    s.counts.parties, s.counts.commitments, s.counts.red_lines, s.counts.variants, s.counts.sources
                ),
            ],
        ],
    );
    d.figure(&figures::coverage(s));
    d.table(
        &["gap", "domains"],
        &[
            vec!["claimed, covered by no commitment".into(), list(&s.gaps.uncovered)],
            vec!["covered only by statements or remarks".into(), list(&s.gaps.unbound)],
            vec!["covered only in a variant option".into(), list(&s.gaps.variant_only)],
        ],
    );
    if !s.variants.is_empty() {
        d.line("### Variants: the open questions\n");
        let rows: Vec<Vec<String>> = s
            .variants
            .iter()
            .flat_map(|v| {
                v.options.iter().map(move |o| {
                    vec![
                        v.id.clone(),
                        v.question.clone(),
                        o.id.clone(),
                        format!("{:.2}", o.weight),
                        o.summary.clone().unwrap_or_default(),
                    ]
                })
            })
            .collect();
        d.table(&["variant", "question", "option", "weight", "summary"], &rows);
    }
}

fn scenario(d: &mut Doc, sc: &ScenarioSection, i: usize) {
    let _ = writeln!(d.out, "## Scenario: {}\n", esc(&sc.title));
    let _ = writeln!(d.out, "File `{}`, id `{}`.\n", sc.file.replace('`', "'"), sc.id.replace('`', "'"));
    for note in &sc.notes {
        let _ = writeln!(d.out, "> {}\n", esc(note));
    }
    let rows: Vec<Vec<String>> = sc
        .events
        .iter()
        .map(|e| vec![e.day.to_string(), e.date.clone().unwrap_or_default(), e.kind.clone(), e.detail.clone()])
        .collect();
    d.table(&["day", "date", "event", "detail"], &rows);
    d.line("### Obligations\n");
    d.figure(&figures::timeline(sc, i));
    let rows: Vec<Vec<String>> = sc
        .obligations
        .obligations
        .iter()
        .map(|o| vec![o.party.clone(), o.commitment.clone(), o.status_text.clone(), o.cause_text.clone()])
        .collect();
    d.table(&["party", "commitment", "status", "why"], &rows);
    let Some(sim) = &sc.simulation else { return };
    let m = &sim.summary;
    let _ = writeln!(d.out, "### Credibility: the simulation\n\n{} runs, seed {}.\n", m.runs, m.seed);
    if let Some(f) = figures::adequate(sc, i) {
        d.figure(&f);
    }
    for f in figures::delivered(sc, i) {
        d.figure(&f);
    }
    if let Some(f) = figures::deterrence(sc, i) {
        d.figure(&f);
    }
    d.table(
        &["figure", "value, 95 % CI"],
        &[
            vec!["P(deterred)".into(), est(&m.deterred)],
            vec!["P(escalation)".into(), est(&m.escalation)],
            vec![format!("credibility at {}", days(m.deterrence.horizon)), est(&m.credibility)],
        ],
    );
    if !sc.options.is_empty() {
        d.line("### Variants: what each option changes\n");
        if let Some(f) = figures::options(sc, i) {
            d.figure(&f);
        }
        let rows: Vec<Vec<String>> = sc
            .options
            .iter()
            .map(|o| {
                vec![
                    format!("{} = {}", o.variant, o.option),
                    format!("{:.2}", o.weight),
                    list(&o.commitments),
                    est(&o.adequate),
                    est(&o.deterred),
                ]
            })
            .collect();
        let head = format!("P(adequate) by {}", days(sc.headline_horizon));
        d.table(&["option", "weight", "takes effect only here", &head, "P(deterred)"], &rows);
    }
    if let Some(a) = &sc.attribution {
        d.line("### Who it rests on: attribution\n");
        if let Some(f) = figures::shapley(sc, i) {
            d.figure(&f);
        }
        let rows: Vec<Vec<String>> = a
            .leave_one_out
            .iter()
            .map(|l| {
                let phi = a.values.iter().find(|v| v.party == l.party).map(|v| signed(&v.shapley)).unwrap_or_default();
                vec![l.party.clone(), signed(&l.loss), phi]
            })
            .collect();
        d.table(&["if this party withdraws", "loss, 95 % CI", "Shapley φ, 95 % CI"], &rows);
    }
    if let Some(sr) = &sc.sensitivity {
        d.line("### Which assumption matters: sensitivity\n");
        if let Some(f) = figures::sensitivity(sc, i) {
            d.figure(&f);
        }
        let rows: Vec<Vec<String>> = sr
            .parameters
            .iter()
            .map(|q| {
                vec![
                    q.param.clone(),
                    q.distribution.clone(),
                    q.total.as_ref().map(est).unwrap_or_default(),
                    q.first_order.as_ref().map(est).unwrap_or_default(),
                ]
            })
            .collect();
        d.table(&["parameter", "distribution", "total S_T", "first-order S_1"], &rows);
    }
}

fn compare(d: &mut Doc, r: &Report) {
    let Some(c) = &r.compare else { return };
    let _ = writeln!(
        d.out,
        "## Comparison with other frameworks\n\n{} runs, seed {}, reference {}.\n",
        c.runs,
        c.seed,
        esc(&c.reference)
    );
    let figs = figures::compare(r);
    for (i, sc) in c.scenarios.iter().enumerate() {
        let _ = writeln!(d.out, "### On {}\n", esc(&sc.id));
        if let Some(f) = figs.iter().find(|f| f.slug == format!("compare-{i}")) {
            d.figure(f);
        }
        let rows: Vec<Vec<String>> = sc
            .rows
            .iter()
            .map(|row| {
                let f =
                    row.metrics.iter().find(|f| f.metric == "p_adequate" && f.horizon_days == Some(c.headline_horizon));
                vec![
                    row.framework.clone(),
                    match (row.status.as_str(), &row.reason) {
                        ("not_covered", _) => format!("not covered: lacks {}", row.missing.join(", ")),
                        ("ok", Some(note)) => format!("ok ({note})"),
                        _ => row.status.clone(),
                    },
                    f.map(|f| est(&f.value)).unwrap_or_default(),
                    f.and_then(|f| f.difference.as_ref()).map(signed).unwrap_or_default(),
                    row.pivotal.as_ref().map(|p| p.commitment.clone()).unwrap_or_default(),
                ]
            })
            .collect();
        let head = format!("P(adequate) by {}", days(c.headline_horizon));
        d.table(&["framework", "status", &head, "Δ vs reference (paired)", "pivotal clause"], &rows);
    }
}

fn clauses(d: &mut Doc, s: &ShowReport) {
    d.line("## Every clause and its evidence\n");
    for c in &s.commitments {
        let by = match &c.by {
            By::Parties(ps) => ps.join(", "),
            By::Body { body } => format!("body {body}"),
        };
        let _ = writeln!(
            d.out,
            "### {}\n\n{}; strength **{}**, status **{}**; {} → {}; domains {}.{}\n",
            esc(&c.id),
            esc(&format!("{} ({})", c.kind, c.modality)),
            esc(&c.strength),
            esc(&c.status.replace('_', " ")),
            esc(&by),
            esc(&list(&c.to)),
            esc(&list(&c.domains)),
            c.variant
                .as_ref()
                .map(|v| format!(" Only in {} = {}.", esc(&v.variant), esc(&v.option)))
                .unwrap_or_default()
        );
        for e in &c.evidence {
            let speaker = e.speaker.as_ref().map(|s| format!("{}, ", esc(s))).unwrap_or_default();
            let _ = writeln!(
                d.out,
                "> “{}”\n>\n> — {speaker}source {} ({})\n",
                esc(&e.quote),
                esc(&e.source_id),
                esc(&e.source)
            );
        }
    }
}
