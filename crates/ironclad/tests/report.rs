//! `report`: the HTML and Markdown of a small fixture against snapshots, determinism for a
//! seed, escaping of the spec's text, and no external reference in the HTML.

use ironclad::Files;
use ironclad::compare::Framework;
use ironclad::render::{html, markdown};
use ironclad::report::{Report, Request, ScenarioInput, report};

fn fixtures() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

/// Small run counts: the snapshot is of the layout, not of precise figures.
fn request() -> Request {
    Request {
        runs: Some(400),
        seed: 7,
        option_runs: Some(200),
        attribute_runs: Some(200),
        sensitivity_samples: Some(8),
        sensitivity_runs: Some(20),
        compare_runs: Some(200),
    }
}

fn build(compare: bool, threads: usize) -> Report {
    let mut files = Files::new();
    let spec_id = files.add("small.toml", std::fs::read_to_string(fixtures().join("small.toml")).unwrap());
    let spec = files.spec(spec_id).valid().expect("the fixture is valid").clone();
    let scenario_id = files.add("attack.toml", std::fs::read_to_string(fixtures().join("attack.toml")).unwrap());
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    let mut others = Vec::new();
    if compare {
        let id = files.add("alone.toml", std::fs::read_to_string(fixtures().join("alone.toml")).unwrap());
        let alone = files.spec(id).valid().expect("valid").clone();
        others.push(Framework::new(alone));
    }
    let inputs = [ScenarioInput { name: files.name(scenario_id), text: files.text(scenario_id), scenario: &scenario }];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| report(files.name(spec_id), files.text(spec_id), &spec, &inputs, &others, &request()))
        .expect("the report builds")
}

/// The HTML without its SVG bodies (each kept as its title and size): the structure and every
/// text of the page, stable against cosmetic changes in how plotters writes shapes.
fn outline(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</svg>").map_or(rest.len(), |e| start + e + "</svg>".len());
        let svg = &rest[start..end];
        let title = svg.split("<title").nth(1).and_then(|t| t.split('>').nth(1)).and_then(|t| t.split('<').next());
        let size = svg.split('>').next().unwrap_or("");
        let attr = |name: &str| {
            size.split(&format!(" {name}=\"")).nth(1).and_then(|v| v.split('"').next()).unwrap_or("?").to_string()
        };
        out.push_str(&format!(
            "<svg {}x{} title=\"{}\" texts={}/>",
            attr("width"),
            attr("height"),
            title.unwrap_or(""),
            svg.matches("<text").count()
        ));
        rest = &rest[end..];
    }
    out.push_str(rest);
    // The style sheet is long and says nothing about the report.
    match (out.find("<style>"), out.find("</style>")) {
        (Some(a), Some(b)) => format!("{}<style>…</style>{}", &out[..a], &out[b + "</style>".len()..]),
        _ => out,
    }
}

#[test]
fn the_html_of_a_small_framework_matches_its_snapshot() {
    let r = build(true, 2);
    let page = html::report(&r);
    insta::assert_snapshot!("small_html_outline", outline(&page));
}

#[test]
fn the_markdown_of_a_small_framework_matches_its_snapshot() {
    let r = build(true, 2);
    let md = markdown::report(&r, "report-files");
    insta::assert_snapshot!("small_markdown", md.text);
    let names: Vec<&str> = md.files.iter().map(|(n, _)| n.as_str()).collect();
    insta::assert_snapshot!("small_markdown_files", names.join("\n"));
    for (name, svg) in &md.files {
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(md.text.contains(&format!("report-files/{name}")), "{name} is linked");
    }
}

#[test]
fn the_same_seed_gives_the_same_report_whatever_the_threads() {
    let a = html::report(&build(false, 1));
    let b = html::report(&build(false, 2));
    assert!(a == b, "the report differs between 1 and 2 threads");
}

#[test]
fn the_html_is_self_contained_and_escapes_the_spec_text() {
    let page = html::report(&build(true, 2));
    assert!(!page.to_ascii_lowercase().contains("http"), "no address of any kind");
    for bad in ["src=", "<script", "<link", "@import", "url("] {
        assert!(!page.contains(bad), "the page holds `{bad}`");
    }
    // The quote `G1 shall defend UA "at once" if <anyone> attacks & so on.` and the title.
    assert!(
        page.contains("G1 shall defend UA &quot;at once&quot; if &lt;anyone&gt; attacks &amp; so on.")
            || page.contains("G1 shall defend UA \"at once\" if &lt;anyone&gt; attacks &amp; so on.")
    );
    assert!(!page.contains("<anyone>") && !page.contains("<for tests>"));
    assert!(page.contains("&lt;for tests&gt; &amp;"));
    // Every chart is an inline SVG with a title, and there is one per figure of the report.
    let charts = page.matches("<figure id=\"fig-").count();
    assert_eq!(charts, page.matches("<svg").count());
    assert_eq!(charts, page.matches("<title id=").count());
    assert!(charts >= 9, "{charts} charts");
    assert!(page.contains("@media print") && page.contains("break-inside: avoid"));
}

#[test]
fn every_section_is_there() {
    let r = build(true, 2);
    let s = &r.scenarios[0];
    assert!(s.simulation.is_some() && s.attribution.is_some() && s.sensitivity.is_some(), "{:?}", s.notes);
    assert_eq!(s.options.len(), 2);
    let yes = s.options.iter().find(|o| o.option == "yes").unwrap();
    assert_eq!(yes.commitments, vec!["g2-assists".to_string()]);
    assert!(r.compare.is_some());
    assert_eq!(r.runs.simulate, 400);
}

/// Every heading, table header and table cell of the HTML report's body is in the Markdown of
/// the same report: the two carry the same sections, tables and figures.
#[test]
fn the_markdown_has_every_section_table_and_figure_of_the_html() {
    same_sections(&build(true, 2));
}

/// The same with the flagship's glance in place of the fixture's: its red lines and clauses with
/// triggers, void conditions and scopes.
#[test]
fn red_line_sections() {
    let mut r = build(false, 2);
    let mut files = Files::new();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let id = files.read(&root.join("frameworks/coalition-2025.toml"));
    r.show = ironclad::show::show(files.spec(id).valid().expect("valid"));
    assert!(!r.show.red_lines.is_empty());
    same_sections(&r);
    let md = markdown::report(&r, "report-files").text;
    assert!(md.contains("### Red lines") && md.contains("ru-legitimate-targets"));
}

fn same_sections(r: &Report) {
    let page = html::report(r);
    let md = markdown::report(r, "report-files").text;
    // Both escape `&`, `<` and `>` as entities; Markdown also escapes its own characters with a
    // backslash and sets names in backticks.
    let plain = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
            .replace(['\\', '`'], "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let strip = |s: &str| {
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    let body = &page[page.find("<main>").expect("a main")..page.find("</main>").expect("its end")];
    let md = plain(&md);
    let mut checked = 0;
    for tag in ["h2", "h3", "h4", "th", "td"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut rest = body;
        while let Some(a) = rest.find(&open) {
            let after = &rest[a..];
            let start = after.find('>').expect("a tag ends") + 1;
            let end = after.find(&close).expect("a closing tag");
            let text = plain(&strip(&after[start..end]));
            if !text.is_empty() {
                assert!(md.contains(&text), "the HTML's <{tag}> `{text}` is not in the Markdown");
                checked += 1;
            }
            rest = &after[end..];
        }
    }
    assert!(checked > 100, "{checked} texts checked");
    // The sections the audit found missing (the fixture has no red line: `red_line_sections`).
    for section in ["Gaps", "Events", "Commitments in the simulation", "honour rate", "P(escalation)"] {
        assert!(page.contains(section) && md.contains(section), "no `{section}` in both");
    }
}

/// The at-a-glance section lists the framework's named exceptions, in HTML and Markdown alike
/// (the Budapest Memorandum excuses self-defence from its refrain points).
#[test]
fn the_report_lists_the_exceptions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let mut files = Files::new();
    let id = files.add("budapest-1994.toml", read("frameworks/budapest-1994.toml"));
    let spec = files.spec(id).valid().expect("the bundled spec is valid").clone();
    let scenario_id = files.add("crimea-2014.toml", read("scenarios/crimea-2014.toml"));
    let scenario = files.scenario(scenario_id, &spec).expect("the scenario is valid");
    let inputs = [ScenarioInput { name: files.name(scenario_id), text: files.text(scenario_id), scenario: &scenario }];
    let r = report(files.name(id), files.text(id), &spec, &inputs, &[], &request()).expect("the report builds");
    let page = html::report(&r);
    let section = page.split("<h3>Exceptions</h3>").nth(1).expect("an Exceptions table in the HTML");
    let table = &section[..section.find("</table>").expect("a table")];
    for cell in ["p2-self-defence", "excuse", "p2-no-force", "armed_attack where provoked", "p5-attack-in-alliance"] {
        assert!(table.contains(cell), "{cell} missing from {table}");
    }
    let md = markdown::report(&r, "report-files").text;
    let section = md.split("### Exceptions\n").nth(1).expect("an Exceptions table in the Markdown");
    assert!(section.contains("p2-self-defence") && section.contains("armed_attack where provoked"), "{section}");
}
