//! Keeps `docs/diagnostics.md` in step with `ironclad_spec::diagnostic::CODES`: every code and
//! every lint name the spec layer can emit must be documented.

use ironclad_spec::diagnostic::CODES;

fn diagnostics_md() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/diagnostics.md");
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

/// Whether `word` occurs in `text` as a whole word (not as part of a longer code or name).
fn contains_word(text: &str, word: &str) -> bool {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

#[test]
fn every_code_is_documented() {
    let doc = diagnostics_md();
    let missing: Vec<&str> = CODES.iter().map(|info| info.code).filter(|code| !contains_word(&doc, code)).collect();
    assert!(missing.is_empty(), "docs/diagnostics.md does not mention these codes: {missing:?}");
}

#[test]
fn every_lint_name_is_documented() {
    let doc = diagnostics_md();
    let missing: Vec<&str> =
        CODES.iter().filter_map(|info| info.lint).filter(|lint| !contains_word(&doc, lint)).collect();
    assert!(missing.is_empty(), "docs/diagnostics.md does not mention these lints: {missing:?}");
}

#[test]
fn every_code_has_its_own_table_row() {
    // A row starts with the code in backticks: "| `E0001` | error | ...".
    let doc = diagnostics_md();
    for info in CODES {
        let row = doc
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("| `{}`", info.code)))
            .unwrap_or_else(|| panic!("no table row for {} in docs/diagnostics.md", info.code));
        assert!(
            row.contains(info.severity.as_str()),
            "the row of {} does not give its severity `{}`: {row}",
            info.code,
            info.severity.as_str()
        );
        if let Some(lint) = info.lint {
            assert!(contains_word(row, lint), "the row of {} does not name its lint `{lint}`: {row}", info.code);
        }
    }
}

#[test]
fn the_hedge_markers_and_abbreviations_of_w0013_are_documented() {
    // The one list is `evidence::HEDGES`; the W0013 row must name every marker, and every
    // abbreviation that ends no sentence, in double quotes.
    let doc = diagnostics_md();
    let row = doc.lines().find(|line| line.trim_start().starts_with("| `W0013`")).expect("a W0013 row");
    let missing: Vec<&str> =
        ironclad_spec::evidence::HEDGES.iter().copied().filter(|w| !row.contains(&format!("\"{w}\""))).collect();
    assert!(missing.is_empty(), "the W0013 row does not list these hedges: {missing:?}");
    let missing: Vec<&str> = ironclad_spec::evidence::ABBREVIATIONS
        .iter()
        .copied()
        .filter(|a| !row.contains(&format!("\"{a}.\"")))
        .collect();
    assert!(missing.is_empty(), "the W0013 row does not list these abbreviations: {missing:?}");
}
