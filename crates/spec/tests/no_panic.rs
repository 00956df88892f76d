//! No-panic property tests for the spec layer.
//!
//! (a) arbitrary bytes, read as lossy UTF-8, through `analyze`;
//! (b) random mutations of a valid framework through `analyze` and `render`, with every label
//!     span inside the text and on character boundaries;
//! (c) token soup through the expression parser (and, when it parses, the type checker), with
//!     every error span inside the input and on character boundaries.
//!
//! Case counts are chosen so that the whole file runs in well under 20 s in debug mode.

use ironclad_spec::diagnostic::{Diagnostic, RenderOptions, render};
use ironclad_spec::expr::{self, Expr, ExprKind, Names};
use ironclad_spec::model::{BodyId, CommitmentId, PartyId, RegionId};
use proptest::prelude::*;

const COALITION: &str = include_str!("../../../frameworks/coalition-2025.toml");

// ----- helpers -----------------------------------------------------------------------------

fn check_span(text: &str, span: &std::ops::Range<usize>, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(span.start <= span.end, "{what}: span {span:?} is reversed");
    prop_assert!(span.end <= text.len(), "{what}: span {span:?} ends after the text ({} bytes)", text.len());
    prop_assert!(text.is_char_boundary(span.start), "{what}: span start {} is not on a char boundary", span.start);
    prop_assert!(text.is_char_boundary(span.end), "{what}: span end {} is not on a char boundary", span.end);
    Ok(())
}

fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        for label in &d.labels {
            check_span(
                text,
                &label.span,
                &format!("{}[{}] {:?}, label {:?}", d.severity.as_str(), d.code, d.message, label.message),
            )?;
        }
    }
    Ok(())
}

/// Analyses a text and checks what comes back; used by (a) and (b).
fn analyze_and_check(text: &str) -> Result<(), TestCaseError> {
    let analysis = ironclad_spec::analyze(text);
    check_diagnostics(text, &analysis.diagnostics)?;
    let human = render("mutated.toml", text, &analysis.diagnostics, RenderOptions::default());
    let short = render("mutated.toml", text, &analysis.diagnostics, RenderOptions { color: false, short: true });
    prop_assert_eq!(human.is_empty(), analysis.diagnostics.is_empty());
    prop_assert_eq!(short.is_empty(), analysis.diagnostics.is_empty());
    prop_assert_eq!(analysis.spec.is_some(), analysis.errors() == 0);
    Ok(())
}

/// `cases` cases, without writing regression files (the tests live outside `src/`, where
/// proptest's default persistence cannot place them).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// The largest char boundary at or before `at` (clamped to the text).
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

// ----- (a) arbitrary bytes -----------------------------------------------------------------

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        analyze_and_check(&text)?;
    }

    /// Arbitrary bytes after a valid prefix get past the first line of TOML more often.
    #[test]
    fn arbitrary_tail_after_valid_prefix_never_panics(cut in 0usize..COALITION.len(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut text = COALITION[..floor_boundary(COALITION, cut)].to_string();
        text.push_str(&String::from_utf8_lossy(&bytes));
        analyze_and_check(&text)?;
    }
}

// ----- (b) mutated valid specs -------------------------------------------------------------

/// Tokens that are meaningful to TOML, to the expression language, or to byte/char handling.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    "==",
    "!=",
    "#",
    "(",
    ")",
    ",",
    ".",
    "\\",
    "\\u00e9",
    "\\n",
    "and",
    "or",
    "not",
    "in",
    "within",
    "where",
    "|",
    "||",
    "&&",
    "<",
    ">=",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "0",
    "-1",
    "1e999",
    "nan",
    "inf",
    "0.5",
    "2025-02-30",
    "2025-09-04T10:00:00Z",
    "#nato",
    "#nope",
    "UA",
    "RU",
    "UA-east",
    "nac",
    "armed_attack",
    "target",
    "scale",
    "ceasefire",
    "consent(UA)",
    "decided(coalition)",
    "é",
    "—",
    "“",
    "”",
    "’",
    "🦀",
    "\u{0}",
    "\u{feff}",
    "\u{200b}",
    "Ω",
    "true",
    "[]",
    "{}",
];

/// Whole lines that change the meaning of a spec rather than its syntax.
const LINES: &[&str] = &[
    "weight = 2",
    "weight = -0.5",
    "weight = nan",
    "threshold = 0",
    "threshold = 1.5",
    "quota = 0",
    "quota = -inf",
    "rule = \"qualified\"",
    "rule = \"quota\"",
    "rule = \"majority\"",
    "weights = { UA = 2, nobody = 1, \"#p5\" = -1 }",
    "vetoes = [\"#p5\", \"nobody\", \"UA\"]",
    "other_seats = 10",
    "members = []",
    "within = \"UA-east\"",
    "within = \"Donetsk\"",
    "within = \"nowhere\"",
    "backs = \"nothing\"",
    "backs = \"reassurance-force\"",
    "kind = \"backstop\"",
    "kind = \"consult\"",
    "amount = \"2.5bn GBP/year\"",
    "amount = \"5 troops/decade\"",
    "amount = \"NaN troops\"",
    "deadline = \"24h\"",
    "duration = \"-1y\"",
    "expires = 2020-01-01",
    "in_force = \"2025-13-01\"",
    "by = [\"coalition\", \"UK\"]",
    "by = [\"guarantors-with-russia\"]",
    "by = []",
    "to = [\"coalition\"]",
    "party = \"#nato\"",
    "trigger = \"armed_attack where target == UA | threat where nuclear\"",
    "trigger = \"armed_atack where owner == UK\"",
    "trigger = \"strike_on_forces where region within [UA, europe] and scale >= significant\"",
    "trigger = \"\"\"\narmed_attack where target == UA\"\"\"",
    "trigger = \"armed_attack where target == \\\"UA\\\"\"",
    "trigger = 'armed_attack where (((target == UA'",
    "continuing = [\"ceasefire and consent(UA)\", \"UA\", \"\", \"deployed(UK, UA-east)\", \"failed(reassurance-force)\"]",
    "continuing = [\"target == UA\", \"consent\", \"decided(UA)\", \"UK in #natoo\", \"land in UK\", \"x in []\"]",
    "unless = [\"not ceasefire or peace_agreement\", \"é\", \"a = b\"]",
    "allow = [\"discretionary-defend\", \"discretionary-defnd\"]",
    "scope = [\"UA\", \"nowhere\"]",
    "commitments = [\"reassurance-force\", \"nothing\"]",
    "red_lines = [\"ru-consensus\", \"nothing\"]",
    "matches = { by = [\"#nato\"], kinds = [\"deploy\"], regions = [\"nowhere\"] }",
    "quote = \"   \"",
    "source = \"s999\"",
    "id = \"UA\"",
    "id = \"coalition\"",
    "id = \"#bad\"",
    "id = \"has space\"",
    "id = \"\"",
    "tags = [\"nato\", \"nato\"]",
    "capacity = { land = \"5bn USD\", financing = \"10 tanks\" }",
    "[[region]]\nid = \"loop\"\nwithin = \"loop\"",
    "[[variant]]\nid = \"empty\"\nquestion = \"?\"\noption = []",
    "[[body]]\nid = \"unsc\"\nmembers = [\"#p5\"]\nrule = \"qualified\"\nthreshold = 0.6\nvetoes = [\"#p5\"]\nother_seats = 10",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Delete `len` bytes (snapped to char boundaries) from `at`.
    Delete {
        at: usize,
        len: usize,
    },
    DuplicateLine {
        line: usize,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    Insert {
        at: usize,
        text: String,
    },
    ReplaceLine {
        line: usize,
        with: String,
    },
    /// Insert `text` (escaped for TOML) into the string value of the `line`-th `key = "..."`
    /// line, so that the file stays valid TOML and the change reaches lowering and the checker.
    EditString {
        line: usize,
        at: usize,
        text: String,
    },
    /// Insert `text` (escaped) into a `trigger`, `conditions` or `unless` line, at `at` bytes after
    /// its first quote.
    EditExpression {
        line: usize,
        at: usize,
        text: String,
    },
    /// Replace the value of the `line`-th `key = value` line, keeping the key.
    SetValue {
        line: usize,
        value: String,
    },
    /// Replace the value of the `line`-th `key = "..."` line by another string.
    SetString {
        line: usize,
        value: String,
    },
}

/// Values for `SetValue`: right types in the wrong place, wrong types, odd strings.
const VALUES: &[&str] = &[
    r#""UA""#,
    r##""#nato""##,
    r##""#nope""##,
    r#""coalition""#,
    r#""""#,
    r#"" ""#,
    "'UA-east'",
    "[]",
    r#"["UA", "UA"]"#,
    r##"["#p5", "coalition"]"##,
    "0",
    "1",
    "-1",
    "0.5",
    "1e300",
    "nan",
    "inf",
    "true",
    "2025-09-04",
    "2025-02-29",
    r#""2024-02-29""#,
    "{}",
    r#"{ land = "1 troops" }"#,
    r#""deploy""#,
    r#""backstop""#,
    r#""qualified""#,
    r#""automatic""#,
    r#""treaty""#,
    r#""land""#,
    r#""threat""#,
    r#""15000 troops""#,
    r#""2.5bn GBP/year""#,
    r#""1k""#,
    r#""24h""#,
    r#""6mo""#,
    r#""10""#,
    r#""armed_attack where attacker == RU and target == UA and region within UA""#,
    r#""armed_attack where scale >= significant and land in domains | threat where nuclear""#,
    r#""decision where body == coalition and passed""#,
    r#""position_change where commitment == article5-like""#,
    r#""ceasefire and not failed(reassurance-force) and deployed(UK, UA-east)""#,
    r#"["requested(UA)", "attacked(UA) or active(article5-like)", "UA in [UA, RU]", "RU in #p5"]"#,
    r#"["UA == UA", "europe within UA", "Kyiv within [UA, europe]", "land in [land, air]"]"#,
    "\"\"\"\nceasefire\nand consent(UA)\"\"\"",
    "'''ceasefire and\nconsent(UA)'''",
    r#""ceasefire \u0061nd consent(UA)""#,
    r#""ceasefire and \"consent\"(UA)""#,
];

/// Escapes text for the inside of a TOML basic string.
fn toml_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str(r#"\""#),
            '\\' => out.push_str(r"\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The byte range of the `n`-th (modulo their number) line that satisfies `keep`.
fn nth_line(text: &str, n: usize, keep: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let mut offset = 0;
    let mut found = Vec::new();
    for line in text.split('\n') {
        if keep(line) {
            found.push((offset, offset + line.len()));
        }
        offset += line.len() + 1;
    }
    (!found.is_empty()).then(|| found[n % found.len()])
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0usize..COALITION.len() + 64;
    let line = 0usize..1000;
    let token = prop_oneof![
        3 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => "\\PC{1,8}",
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop_oneof![
        3 => (at.clone(), 0usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (at.clone(), 64usize..2048).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => line.clone().prop_map(|line| Mutation::DuplicateLine { line }),
        2 => (line.clone(), line.clone()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        6 => (at, token).prop_map(|(at, text)| Mutation::Insert { at, text }),
        4 => (line.clone(), proptest::sample::select(LINES)).prop_map(|(line, with)| Mutation::ReplaceLine { line, with: with.to_string() }),
        8 => (line.clone(), 0usize..200, proptest::collection::vec(proptest::sample::select(EXPR_TOKENS), 1..4))
            .prop_map(|(line, at, tokens)| Mutation::EditString { line, at, text: tokens.join(" ") }),
        6 => (line, proptest::sample::select(VALUES)).prop_map(|(line, value)| Mutation::SetValue { line, value: value.to_string() }),
    ]
}

/// Mutations that keep the file valid TOML and (mostly) of the right shape, so that they reach
/// name resolution, the expression checker, units and the lints.
fn gentle_mutation() -> impl Strategy<Value = Mutation> {
    let line = 0usize..1000;
    let strings: Vec<&str> =
        VALUES.iter().copied().filter(|v| v.starts_with('"') && !v.starts_with("\"\"\"")).collect();
    prop_oneof![
        3 => (line.clone(), 0usize..200, proptest::collection::vec(proptest::sample::select(EXPR_TOKENS), 1..4))
            .prop_map(|(line, at, tokens)| Mutation::EditString { line, at, text: tokens.join(" ") }),
        3 => (line.clone(), 0usize..200, proptest::collection::vec(proptest::sample::select(EXPR_TOKENS), 1..4))
            .prop_map(|(line, at, tokens)| Mutation::EditExpression { line, at, text: tokens.join(" ") }),
        2 => (line, proptest::sample::select(strings)).prop_map(|(line, value)| Mutation::SetString { line, value: value.to_string() }),
    ]
}

fn apply(text: &mut String, mutation: &Mutation) {
    match mutation {
        Mutation::Delete { at, len } => {
            let start = floor_boundary(text, *at);
            let end = floor_boundary(text, start + len);
            text.replace_range(start..end, "");
        }
        Mutation::Insert { at, text: insert } => {
            let at = floor_boundary(text, *at);
            text.insert_str(at, insert);
        }
        Mutation::DuplicateLine { line } | Mutation::SwapLines { a: line, .. } | Mutation::ReplaceLine { line, .. } => {
            let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
            let n = lines.len();
            let i = line % n;
            match mutation {
                Mutation::DuplicateLine { .. } => {
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
                Mutation::SwapLines { b, .. } => lines.swap(i, b % n),
                Mutation::ReplaceLine { with, .. } => lines[i] = with.clone(),
                _ => unreachable!(),
            }
            *text = lines.join("\n");
        }
        Mutation::EditString { line, at, text: insert } => {
            let Some((start, end)) = nth_line(text, *line, |l| l.contains("= \"") && l.trim_end().ends_with('"'))
            else {
                return;
            };
            let value_start = start + text[start..end].find("= \"").unwrap_or(0) + 3;
            let value_end = start + text[start..end].rfind('"').unwrap_or(0);
            if value_end < value_start {
                return;
            }
            let at = floor_boundary(text, value_start + at % (value_end - value_start + 1));
            text.insert_str(at, &toml_escape(insert));
        }
        Mutation::EditExpression { line, at, text: insert } => {
            let is_expression =
                |l: &str| ["trigger =", "conditions =", "unless =", "condition ="].iter().any(|k| l.starts_with(k));
            let Some((start, end)) = nth_line(text, *line, is_expression) else {
                return;
            };
            let (Some(first), Some(last)) = (text[start..end].find('"'), text[start..end].rfind('"')) else {
                return;
            };
            let at = floor_boundary(text, start + first + 1 + at % (last - first).max(1));
            text.insert_str(at, &toml_escape(insert));
        }
        Mutation::SetValue { line, value } => {
            let Some((start, end)) = nth_line(text, *line, |l| !l.trim_start().starts_with('#') && l.contains(" = "))
            else {
                return;
            };
            let value_start = start + text[start..end].find(" = ").unwrap_or(0) + 3;
            text.replace_range(value_start..end, value);
        }
        Mutation::SetString { line, value } => {
            let Some((start, end)) = nth_line(text, *line, |l| l.contains(" = \"") && !l.contains("\"\"\"")) else {
                return;
            };
            let value_start = start + text[start..end].find(" = \"").unwrap_or(0) + 3;
            let value_end = start + text[start..end].rfind('"').map_or(end - start, |i| i + 1);
            text.replace_range(value_start..value_end.max(value_start), value);
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn mutated_specs_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut text = COALITION.to_string();
        for m in &mutations {
            apply(&mut text, m);
        }
        analyze_and_check(&text)?;
    }

    #[test]
    fn gently_mutated_specs_never_panic(mutations in proptest::collection::vec(gentle_mutation(), 1..4)) {
        let mut text = COALITION.to_string();
        for m in &mutations {
            apply(&mut text, m);
        }
        analyze_and_check(&text)?;
    }
}

#[test]
fn the_unmutated_framework_is_valid() {
    let analysis = ironclad_spec::analyze(COALITION);
    assert_eq!(analysis.errors(), 0, "{:#?}", analysis.diagnostics);
    analyze_and_check(COALITION).unwrap();
}

// ----- (c) the expression parser -----------------------------------------------------------

const EXPR_TOKENS: &[&str] = &[
    // identifiers: declared, undeclared, keywords of the vocabularies, fields, event kinds
    "a",
    "x_1",
    "UA",
    "RU",
    "UK",
    "UA-east",
    "UA-",
    "-",
    "europe",
    "nac",
    "art5",
    "target",
    "attacker",
    "region",
    "domains",
    "scale",
    "nuclear",
    "owner",
    "body",
    "passed",
    "land",
    "air_defence",
    "significant",
    "major",
    "ceasefire",
    "consent",
    "decided",
    "deployed",
    "failed",
    "peace_agreement",
    "armed_attack",
    "threat",
    "decision",
    "strike_on_forces",
    "ceasefire_signed",
    // operators and keywords
    "and",
    "or",
    "not",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "within",
    "where",
    "|",
    "=",
    "!",
    "&",
    "&&",
    "||",
    "true",
    "false",
    // punctuation
    "(",
    ")",
    "[",
    "]",
    ",",
    "#",
    "#nato",
    "#p5",
    "#",
    // numbers
    "0",
    "3",
    "0.5",
    "1_000",
    "1.2.3",
    "1.",
    "_",
    "99999999999999999999999",
    "1e5",
    // odd characters
    "é",
    "🦀",
    "$",
    "\"",
    "\t",
    "\n",
];

fn expression() -> impl Strategy<Value = String> {
    let piece = (proptest::sample::select(EXPR_TOKENS), prop_oneof![3 => Just(" "), 1 => Just("")]);
    proptest::collection::vec(piece, 0..40)
        .prop_map(|pieces| pieces.into_iter().flat_map(|(tok, sep)| [tok, sep]).collect::<String>())
}

/// A small name table, so that well-formed expressions also reach the type checker.
struct Fixture;

impl Names for Fixture {
    fn party(&self, name: &str) -> Option<PartyId> {
        ["UA", "RU", "UK", "FR"].iter().position(|p| *p == name).map(|i| PartyId(i as u16))
    }
    fn region(&self, name: &str) -> Option<RegionId> {
        ["UA", "UA-east", "europe"].iter().position(|p| *p == name).map(|i| RegionId(i as u16))
    }
    fn body(&self, name: &str) -> Option<BodyId> {
        (name == "nac").then_some(BodyId(0))
    }
    fn commitment(&self, name: &str) -> Option<CommitmentId> {
        (name == "art5").then_some(CommitmentId(0))
    }
    fn tag(&self, name: &str) -> Option<Vec<PartyId>> {
        match name {
            "nato" => Some(vec![PartyId(2), PartyId(3)]),
            "p5" => Some(vec![PartyId(1), PartyId(2), PartyId(3)]),
            _ => None,
        }
    }
    fn organisation(&self, name: &str) -> Option<u16> {
        ["nato", "p5"].iter().position(|t| *t == name).map(|i| i as u16)
    }
    fn all_names(&self) -> Vec<String> {
        ["UA", "RU", "UK", "FR", "UA-east", "europe", "nac", "art5", "#nato", "#p5"].map(String::from).to_vec()
    }
}

fn check_expr_spans(input: &str, expr: &Expr) -> Result<(), TestCaseError> {
    check_span(input, &expr.span, &format!("expression node {:?}", expr.kind))?;
    match &expr.kind {
        ExprKind::Bool(_) | ExprKind::Num(_) | ExprKind::Ident(_) | ExprKind::Tag(_) => {}
        ExprKind::List(items) => items.iter().try_for_each(|e| check_expr_spans(input, e))?,
        ExprKind::Call { name_span, args, .. } => {
            check_span(input, name_span, "call name")?;
            args.iter().try_for_each(|e| check_expr_spans(input, e))?;
        }
        ExprKind::Not(inner) => check_expr_spans(input, inner)?,
        ExprKind::Binary { lhs, rhs, .. } => {
            check_expr_spans(input, lhs)?;
            check_expr_spans(input, rhs)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn expression_parser_never_panics(input in expression()) {
        match expr::parse_condition(&input) {
            Ok(parsed) => {
                check_expr_spans(&input, &parsed)?;
                if let Err(err) = expr::check_condition(&parsed, &Fixture) {
                    check_span(&input, &err.span, &format!("condition type error {:?}", err.message))?;
                }
            }
            Err(err) => check_span(&input, &err.span, &format!("condition syntax error {:?}", err.message))?,
        }
        match expr::parse_pattern(&input) {
            Ok(pattern) => {
                for alt in &pattern.alternatives {
                    check_span(&input, &alt.event_span, "event kind")?;
                    if let Some(filter) = &alt.filter {
                        check_expr_spans(&input, filter)?;
                    }
                }
                if let Err(err) = expr::check_pattern(&pattern, &Fixture) {
                    check_span(&input, &err.span, &format!("trigger type error {:?}", err.message))?;
                }
            }
            Err(err) => check_span(&input, &err.span, &format!("trigger syntax error {:?}", err.message))?,
        }
    }

    /// Any string at all, not only token soup.
    #[test]
    fn expression_parser_never_panics_on_any_string(input in "\\PC{0,40}") {
        if let Err(err) = expr::parse_condition(&input) {
            check_span(&input, &err.span, &format!("condition syntax error {:?}", err.message))?;
        }
        if let Err(err) = expr::parse_pattern(&input) {
            check_span(&input, &err.span, &format!("trigger syntax error {:?}", err.message))?;
        }
    }
}

// ----- deep expressions ---------------------------------------------------------------------

/// Regression: long flat `and` / `or` chains nest as deeply as parentheses; they once
/// overflowed the stack in the checker and when dropped. Now the parser rejects them with a
/// diagnostic past its nesting limit.
#[test]
fn long_and_chains_do_not_overflow_the_stack() {
    let chain = vec!["ceasefire"; 1_000].join(" and ");
    let text = COALITION.replacen(r#"continuing = ["consent(UA)"]"#, &format!(r#"continuing = ["{chain}"]"#), 1);
    assert_ne!(text, COALITION);
    let analysis = ironclad_spec::analyze(&text);
    assert!(analysis.diagnostics.iter().any(|d| d.code == "E0201" && d.message.contains("nested")));
    analyze_and_check(&text).unwrap();
    assert!(expr::parse_condition(&vec!["a"; 100_000].join(" or ")).is_err());
}
