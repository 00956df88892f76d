//! The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no
//! font and no link that reaches the network, a print style sheet with page breaks, so that a
//! browser prints it to PDF cleanly.
//!
//! Every text from a spec, scenario or source goes through [`esc`] (text) or [`attr`]
//! (attribute values), from the `html-escape` crate; the SVG text is escaped by plotters.

use std::fmt::Write;

use super::figures::{self, Figure};
use super::tables::{self, Cell, Table};
use crate::report::{Report, ScenarioSection};
use crate::show::{ShowCommitment, ShowReport};

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

    fn table(&mut self, table: &Table) {
        // A table of names and values has no header row.
        let kv = table.is_kv();
        self.out.push_str(if kv { "<table class=\"kv\">\n" } else { "<table>\n" });
        if !kv {
            self.out.push_str("<thead><tr>");
            for h in &table.head {
                let _ = write!(self.out, "<th>{}</th>", esc(h));
            }
            self.out.push_str("</tr></thead>\n");
        }
        self.out.push_str("<tbody>\n");
        for row in &table.rows {
            self.out.push_str("<tr>");
            for c in row {
                match c {
                    Cell::Text(t) => {
                        let _ = write!(self.out, "<td>{}</td>", esc(t));
                    }
                    Cell::Num(t) => {
                        let _ = write!(self.out, "<td class=\"num\">{}</td>", esc(t));
                    }
                    Cell::Code(c) => {
                        let _ = write!(self.out, "<td><code>{}</code></td>", esc(c));
                    }
                }
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n");
    }

    /// A paragraph of plain text.
    fn para(&mut self, class: Option<&str>, text: &str) {
        match class {
            Some(c) => {
                let _ = writeln!(self.out, "<p class=\"{c}\">{}</p>", esc(text));
            }
            None => {
                let _ = writeln!(self.out, "<p>{}</p>", esc(text));
            }
        }
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
    p.table(&tables::glance(s));
    p.out.push_str(&inline_svg(&figures::coverage(s)));
    p.line("<h3>Gaps</h3>");
    p.table(&tables::gaps(s));
    if let Some(table) = tables::exceptions(s) {
        p.line("<h3>Exceptions</h3>");
        p.table(&table);
    }
    if let Some(table) = tables::red_lines(s) {
        p.line("<h3>Red lines</h3>");
        p.table(&table);
    }
    if let Some(table) = tables::variants(s) {
        p.line("<h3>Variants: the open questions</h3>");
        p.table(&table);
    }
    p.line("</section>");
}

fn scenario(p: &mut Page, sc: &ScenarioSection, i: usize) {
    let _ = writeln!(p.out, "<section id=\"scenario-{i}\">\n<h2>Scenario: {}</h2>", esc(&sc.title));
    let _ =
        writeln!(p.out, "<p class=\"meta\">File <code>{}</code>, id <code>{}</code>.</p>", esc(&sc.file), esc(&sc.id));
    for note in &sc.notes {
        p.para(Some("note"), note);
    }
    p.line("<h3>Events</h3>");
    p.table(&tables::events(sc));
    p.line("<h3>Obligations</h3>");
    p.out.push_str(&inline_svg(&figures::timeline(sc, i)));
    p.para(None, &tables::obligations_note(sc));
    p.table(&tables::obligations(sc));
    if let Some(table) = tables::decisions(sc) {
        p.line("<h4>Decisions</h4>");
        p.table(&table);
    }
    let Some(sim) = &sc.simulation else {
        p.line("</section>");
        return;
    };
    let m = &sim.summary;
    p.line("<h3>Credibility: the simulation</h3>");
    p.para(None, &tables::simulation_note(m));
    if let Some(f) = figures::adequate(sc, i) {
        p.out.push_str(&inline_svg(&f));
    }
    for f in figures::delivered(sc, i) {
        p.out.push_str(&inline_svg(&f));
    }
    p.table(&tables::needs(m));
    if let Some(f) = figures::deterrence(sc, i) {
        p.out.push_str(&inline_svg(&f));
    }
    p.table(&tables::headline(m));
    p.line("<h4>Commitments in the simulation</h4>");
    p.table(&tables::sim_commitments(m));
    if let Some(table) = tables::options(sc) {
        p.line("<h3>Variants: what each option changes</h3>");
        if let Some(f) = figures::options(sc, i) {
            p.out.push_str(&inline_svg(&f));
        }
        p.table(&table);
    }
    if let Some(a) = &sc.attribution {
        p.line("<h3>Who it rests on: attribution</h3>");
        p.para(None, &tables::attribution_note(a));
        if let Some(f) = figures::shapley(sc, i) {
            p.out.push_str(&inline_svg(&f));
        }
        if let Some(null) = tables::null_players(a) {
            p.para(Some("muted"), &null);
        }
        p.table(&tables::attribution(a));
        if let Some(table) = tables::interactions(a) {
            p.table(&table);
        }
    }
    if let Some(sr) = &sc.sensitivity {
        p.line("<h3>Which assumption matters: sensitivity</h3>");
        p.para(None, &tables::sensitivity_note(sr));
        if let Some(f) = figures::sensitivity(sc, i) {
            p.out.push_str(&inline_svg(&f));
        }
        p.table(&tables::sensitivity(sr));
    }
    p.line("</section>");
}

fn compare(p: &mut Page, r: &Report) {
    let Some(c) = &r.compare else { return };
    p.line("<section id=\"compare\">\n<h2>Comparison with other frameworks</h2>");
    p.para(None, &tables::compare_note(c));
    let figs = figures::compare(r);
    for (i, sc) in c.scenarios.iter().enumerate() {
        let _ = writeln!(p.out, "<h3>On {} <span class=\"muted\">({})</span></h3>", esc(&sc.id), esc(&sc.scenario));
        if let Some(f) = figs.iter().find(|f| f.slug == format!("compare-{i}")) {
            p.out.push_str(&inline_svg(f));
        }
        p.table(&tables::compare(c, sc));
    }
    p.line("</section>");
}

fn clause(p: &mut Page, c: &ShowCommitment) {
    let _ = writeln!(p.out, "<div class=\"clause\" id=\"clause-{}\">", attr(&c.id));
    let article = c.article.as_ref().map(|a| format!(" <span class=\"muted\">({})</span>", esc(a))).unwrap_or_default();
    // Under the section's h2: an h3, so heading levels go down by one.
    let _ = writeln!(p.out, "<h3><code>{}</code>{article}</h3>", esc(&c.id));
    p.out.push_str("<p>");
    for tag in &tables::clause_tags(c) {
        let _ = write!(p.out, "<span class=\"tag\">{}</span>", esc(tag));
    }
    p.out.push_str("</p>\n");
    p.table(&tables::clause(c));
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
            // Credibility (mean adequacy over the requirements), not P(every domain adequate), which
            // is about 1 % on this scenario and so 0 at every point of so small a design.
            let sreq = crate::sensitivity::Request {
                method,
                samples: Some(4),
                runs: Some(48),
                metric: "credibility".into(),
                ..Default::default()
            };
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
