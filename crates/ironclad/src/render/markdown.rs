//! The report as Markdown, with each chart as an SVG file beside it (`report.md` and
//! `report-files/*.svg`): the same sections and figures as [`super::html`].

use std::fmt::Write;

use super::figures::{self, Figure};
use super::tables::{self, Cell, Table};
use crate::report::{Report, ScenarioSection};
use crate::show::ShowReport;

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

    /// A table; a table of names and values gets an empty header row (Markdown tables need one).
    fn table(&mut self, table: &Table) {
        let cell = |c: &Cell| match c {
            Cell::Text(t) | Cell::Num(t) => esc(t),
            Cell::Code(c) => code(c),
        };
        let head: Vec<String> = table.head.iter().map(|h| esc(h)).collect();
        let _ = writeln!(self.out, "| {} |", head.join(" | "));
        let _ = writeln!(self.out, "|{}|", vec!["---"; table.head.len()].join("|"));
        for r in &table.rows {
            let _ = writeln!(self.out, "| {} |", r.iter().map(cell).collect::<Vec<_>>().join(" | "));
        }
        self.out.push('\n');
    }

    /// A paragraph of plain text, or a quoted note.
    fn para(&mut self, text: &str) {
        let _ = writeln!(self.out, "{}\n", esc(text));
    }

    fn note(&mut self, text: &str) {
        let _ = writeln!(self.out, "> {}\n", esc(text));
    }
}

/// Inline code; a backtick in it (which would end the span) becomes `'`, a line break a space,
/// and `|` is escaped (it would end a table cell).
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'").replace(['\n', '\r'], " ").replace('|', "\\|"))
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
    d.table(&tables::glance(s));
    d.figure(&figures::coverage(s));
    d.line("### Gaps\n");
    d.table(&tables::gaps(s));
    if let Some(table) = tables::exceptions(s) {
        d.line("### Exceptions\n");
        d.table(&table);
    }
    if let Some(table) = tables::red_lines(s) {
        d.line("### Red lines\n");
        d.table(&table);
    }
    if let Some(table) = tables::variants(s) {
        d.line("### Variants: the open questions\n");
        d.table(&table);
    }
}

fn scenario(d: &mut Doc, sc: &ScenarioSection, i: usize) {
    let _ = writeln!(d.out, "## Scenario: {}\n", esc(&sc.title));
    let _ = writeln!(d.out, "File {}, id {}.\n", code(&sc.file), code(&sc.id));
    for note in &sc.notes {
        d.note(note);
    }
    d.line("### Events\n");
    d.table(&tables::events(sc));
    d.line("### Obligations\n");
    d.figure(&figures::timeline(sc, i));
    d.para(&tables::obligations_note(sc));
    d.table(&tables::obligations(sc));
    if let Some(table) = tables::decisions(sc) {
        d.line("#### Decisions\n");
        d.table(&table);
    }
    let Some(sim) = &sc.simulation else { return };
    let m = &sim.summary;
    d.line("### Credibility: the simulation\n");
    d.para(&tables::simulation_note(m));
    if let Some(f) = figures::adequate(sc, i) {
        d.figure(&f);
    }
    for f in figures::delivered(sc, i) {
        d.figure(&f);
    }
    d.table(&tables::needs(m));
    if let Some(f) = figures::deterrence(sc, i) {
        d.figure(&f);
    }
    d.table(&tables::headline(m));
    d.line("#### Commitments in the simulation\n");
    d.table(&tables::sim_commitments(m));
    if let Some(table) = tables::options(sc) {
        d.line("### Variants: what each option changes\n");
        if let Some(f) = figures::options(sc, i) {
            d.figure(&f);
        }
        d.table(&table);
    }
    if let Some(a) = &sc.attribution {
        d.line("### Who it rests on: attribution\n");
        d.para(&tables::attribution_note(a));
        if let Some(f) = figures::shapley(sc, i) {
            d.figure(&f);
        }
        if let Some(null) = tables::null_players(a) {
            d.para(&null);
        }
        d.table(&tables::attribution(a));
        if let Some(table) = tables::interactions(a) {
            d.table(&table);
        }
    }
    if let Some(sr) = &sc.sensitivity {
        d.line("### Which assumption matters: sensitivity\n");
        d.para(&tables::sensitivity_note(sr));
        if let Some(f) = figures::sensitivity(sc, i) {
            d.figure(&f);
        }
        d.table(&tables::sensitivity(sr));
    }
}

fn compare(d: &mut Doc, r: &Report) {
    let Some(c) = &r.compare else { return };
    d.line("## Comparison with other frameworks\n");
    d.para(&tables::compare_note(c));
    let figs = figures::compare(r);
    for (i, sc) in c.scenarios.iter().enumerate() {
        let _ = writeln!(d.out, "### On {} ({})\n", esc(&sc.id), esc(&sc.scenario));
        if let Some(f) = figs.iter().find(|f| f.slug == format!("compare-{i}")) {
            d.figure(f);
        }
        d.table(&tables::compare(c, sc));
    }
}

fn clauses(d: &mut Doc, s: &ShowReport) {
    d.line("## Every clause and its evidence\n");
    let _ = writeln!(
        d.out,
        "{} commitments, each with its strength, status and the verbatim quotes it rests on (checked against the \
         sources by `ironclad sources verify`).\n",
        s.commitments.len()
    );
    for c in &s.commitments {
        let article = c.article.as_ref().map(|a| format!(" ({})", esc(a))).unwrap_or_default();
        let _ = writeln!(d.out, "### {}{article}\n", code(&c.id));
        let tags: Vec<String> = tables::clause_tags(c).iter().map(|t| esc(t)).collect();
        let _ = writeln!(d.out, "{}\n", tags.join(" · "));
        d.table(&tables::clause(c));
        for e in &c.evidence {
            let speaker = e.speaker.as_ref().map(|s| format!("{}, ", esc(s))).unwrap_or_default();
            let _ = writeln!(
                d.out,
                "> “{}”\n>\n> — {speaker}source {} ({})\n",
                esc(&e.quote),
                code(&e.source_id),
                esc(&e.source)
            );
        }
    }
}
