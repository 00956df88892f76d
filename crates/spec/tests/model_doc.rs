//! `docs/model.md` lists every default of `[model]` with its value and source exactly as
//! `params::DEFAULTS` and `params::default_delay` have them, and nothing else: docs and code
//! stay in step.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ironclad_spec::params::{DEFAULTS, default_delay};
use ironclad_spec::vocab::Kind;

fn doc() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/model.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The table rows (cells, trimmed) of the section under `heading`, up to the next heading.
fn table(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let start = doc.find(heading).unwrap_or_else(|| panic!("docs/model.md has no {heading:?}"));
    doc[start + heading.len()..]
        .lines()
        .take_while(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.trim().trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
        .collect()
}

fn number(cell: &str, what: &str) -> f64 {
    cell.parse().unwrap_or_else(|_| panic!("{what}: `{cell}` is not a number"))
}

#[test]
fn every_default_is_documented_with_its_value_and_source() {
    let doc = doc();
    let rows = table(&doc, "### Defaults of `[model]`");
    for d in DEFAULTS {
        let name = format!("`{}`", d.name);
        let row = rows.iter().find(|r| r[0] == name).unwrap_or_else(|| panic!("docs/model.md has no row for {name}"));
        assert_eq!(row.len(), 3, "{row:?}");
        assert_eq!(number(&row[1], d.name), d.value, "the value of {name} in docs/model.md");
        assert_eq!(row[2], d.source, "the source of {name} in docs/model.md");
        assert!(doc.contains(d.name), "{}", d.name);
    }
    let known: BTreeSet<String> = DEFAULTS.iter().map(|d| format!("`{}`", d.name)).collect();
    for row in &rows {
        assert!(known.contains(&row[0]), "docs/model.md documents {}, which is not in DEFAULTS", row[0]);
    }
    assert_eq!(rows.len(), DEFAULTS.len(), "one row per default");
}

#[test]
fn every_default_delay_is_documented() {
    let rows = table(&doc(), "### Default delays");
    for kind in Kind::ALL {
        let name = format!("`delay.{kind}`");
        let row = rows.iter().find(|r| r[0] == name).unwrap_or_else(|| panic!("docs/model.md has no row for {name}"));
        assert_eq!(row.len(), 4, "{row:?}");
        let delay = default_delay(*kind);
        assert_eq!(number(&row[1], &name), delay.median, "the median delay of {kind}");
        assert_eq!(number(&row[2], &name), delay.spread, "the delay spread of {kind}");
        assert!(row[3].contains("assumption"), "{row:?}");
    }
    assert_eq!(rows.len(), Kind::ALL.len(), "one row per kind");
}
