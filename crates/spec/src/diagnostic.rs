//! Diagnostics: plain data (a code, a message, labelled spans, help), rendered in one place.
//!
//! Every diagnostic the spec layer can emit has a stable code listed in [`CODES`]; warnings
//! also have a lint name that `allow = [...]` and `--deny-warnings` refer to.

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, LabelStyle, Severity as CsSeverity,
};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config, DisplayStyle};

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A span with a message. The primary label says where the problem is.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// One finding about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error or warning with the severity and lint that its code carries.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        let severity = code_info(code).map_or(Severity::Error, |info| info.severity);
        Diagnostic { severity, code, message: message.into(), labels: Vec::new(), help: None, notes: Vec::new() }
    }
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into(), primary: true });
        self
    }
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    /// The lint name, for warnings and notes.
    pub fn lint(&self) -> Option<&'static str> {
        code_info(self.code).and_then(|info| info.lint)
    }
    /// The start of the primary label, if any.
    pub fn primary_span(&self) -> Option<&Span> {
        self.labels.iter().find(|l| l.primary).map(|l| &l.span)
    }
}

/// A diagnostic code and what it is about.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    /// For warnings and notes: the name used in `allow = [...]`.
    pub lint: Option<&'static str>,
    pub summary: &'static str,
}

const fn error(code: &'static str, summary: &'static str) -> CodeInfo {
    CodeInfo { code, severity: Severity::Error, lint: None, summary }
}
const fn warning(code: &'static str, lint: &'static str, summary: &'static str) -> CodeInfo {
    CodeInfo { code, severity: Severity::Warning, lint: Some(lint), summary }
}

/// Every code the spec layer emits. `docs/diagnostics.md` lists them too; a test keeps both in step.
pub const CODES: &[CodeInfo] = &[
    error("E0001", "the file is not valid TOML"),
    error("E0002", "a field is missing, unknown or of the wrong type"),
    error("E0003", "the file cannot be read"),
    error("E0101", "a reference names no declared party, region, body, commitment, red line or source"),
    error("E0102", "two entries share an id"),
    error("E0103", "a reference names something of the wrong kind here"),
    error("E0104", "a required list is empty"),
    error("E0201", "an expression does not parse"),
    error("E0202", "an expression is ill-typed or names something unknown"),
    error("E0301", "an amount is malformed or has an unknown unit"),
    error("E0302", "an amount's unit does not fit the commitment kind or domain"),
    error("E0303", "a duration is malformed or longer than 10000 years"),
    error("E0304", "dates are out of order"),
    error("E0401", "the weights of a variant's options do not sum to 1"),
    error("E0402", "a weight or threshold is outside its range"),
    error("E0403", "a commitment or red line belongs to more than one variant option"),
    error("E0501", "a commitment, red line or variant option has no evidence"),
    error("E0502", "an evidence quote is empty"),
    error("E0601", "a backstop names no commitment to back, or a non-backstop names one"),
    error("E0602", "the regions' containment is cyclic"),
    error("E0603", "a decision rule's parameters are missing or inconsistent"),
    error("E0604", "an `allow` names an unknown lint"),
    error("E0605", "exceptions override each other in a cycle"),
    error("E0606", "a red line's own `domains` on a non-exclusion, or on an exclusion in a variant option"),
    error("E0607", "a `sanctions` commitment acts in a domain other than `sanctions`, or names none"),
    error("E0608", "a scenario names an organisation without writing it as a `#tag`"),
    error("E0609", "`appropriated(C)` names a commitment that does not act (consult, refrain, seek)"),
    error("E0610", "an exception's `when` or `acts` does not fit its effect"),
    error("E0611", "an `excuse` exception qualifies a commitment that is not a `refrain`"),
    error("E0612", "an `excuse` exception takes part in `overrides`"),
    error("E0613", "a commitment has both `deadline` and `soft_deadline`"),
    error("E0614", "a scenario's action for a commitment with a scope gives no region"),
    error("E0701", "an evidence quote does not occur in its source file"),
    error("E0702", "a source file cannot be found or read"),
    error("E0801", "a scenario is run against a framework it was not written for"),
    error("E0802", "a scenario event has an unknown kind, a field that does not apply, or misses a required one"),
    error(
        "E0803",
        "a scenario event has no day, a date without the scenario's start, or a day more than 10000 years from day 0",
    ),
    error("E0901", "simulation loadings imply a correlation matrix that is not positive semi-definite"),
    error("E0902", "an uncertain parameter names no scalar [model] parameter"),
    error("E0903", "an uncertain parameter's distribution is malformed or leaves the parameter's range"),
    error("E0904", "an uncertain parameter gives no reason"),
    warning("W0001", "red-line-conflict", "a commitment is excluded by a red line of its own party"),
    warning("W0002", "uncovered-domain", "a domain the framework claims to cover has no commitment"),
    warning("W0003", "unsatisfiable-condition", "a condition or trigger can never hold"),
    warning("W0004", "backstop-cycle", "backstops back each other in a cycle"),
    warning("W0005", "discretionary-defend", "a defend commitment leaves full discretion to the obliged party"),
    warning("W0006", "threat-veto", "the only activation path runs through a body where the threat holds a veto"),
    warning("W0007", "unused-source", "a declared source is never cited"),
    warning(
        "W0008",
        "conflicting-exceptions",
        "two exceptions of one clause can hold together with opposite effects and no precedence",
    ),
    warning("W0009", "condition-kind", "a condition does not say whether it is an entry or a continuing condition"),
    warning(
        "W0010",
        "tentative-clause",
        "a proposed or reported clause is in no variant option, so it takes no effect",
    ),
    warning(
        "W0011",
        "evidence-below-status",
        "a clause's status is higher than its evidence supports (only proposals, or only second-hand reports)",
    ),
    warning("W0012", "inert-variant", "every option of a variant gives the same obligations"),
    warning(
        "W0013",
        "hedged-quote",
        "a committed clause quotes words whose source sentence proposes or hedges them (`sources verify`)",
    ),
    // A scenario's warning: no lint name, since `allow` belongs to specs.
    CodeInfo {
        code: "W0014",
        severity: Severity::Warning,
        lint: None,
        summary: "a scenario's action names no commitment and no region, and its party's clauses in its domains have a scope",
    },
    CodeInfo {
        code: "W0015",
        severity: Severity::Warning,
        lint: None,
        summary: "a scenario's requirement is in a unit that no pledge or capacity of its domain uses, so nothing delivered counts toward it",
    },
    CodeInfo {
        code: "N0001",
        severity: Severity::Note,
        lint: Some("crosses-red-line"),
        summary: "a commitment crosses another party's threat or opposition",
    },
];

pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code == code)
}

/// The lint names, for validating `allow` lists.
pub fn lint_names() -> impl Iterator<Item = &'static str> {
    CODES.iter().filter_map(|info| info.lint)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// How to render diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// One line per diagnostic: `file:line:col: severity[code]: message`.
    pub short: bool,
}

/// Renders diagnostics about one file the way rustc does.
pub fn render(name: &str, text: &str, diagnostics: &[Diagnostic], options: RenderOptions) -> String {
    let file = SimpleFile::new(name, text);
    let mut config = Config::default();
    if options.short {
        config.display_style = DisplayStyle::Short;
    }
    let mut buffer = if options.color { term::termcolor::Buffer::ansi() } else { term::termcolor::Buffer::no_color() };
    for diagnostic in diagnostics {
        let cs = to_codespan(diagnostic, text.len());
        // Writing to an in-memory buffer only fails on a span outside the file, which
        // `to_codespan` rules out by clamping.
        let _ = term::emit_to_write_style(&mut buffer, &config, &file, &cs);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn to_codespan(diagnostic: &Diagnostic, len: usize) -> CsDiagnostic<()> {
    let severity = match diagnostic.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    let clamp = |span: &Span| span.start.min(len)..span.end.min(len).max(span.start.min(len));
    let labels = diagnostic
        .labels
        .iter()
        .map(|l| {
            let style = if l.primary { LabelStyle::Primary } else { LabelStyle::Secondary };
            CsLabel::new(style, (), clamp(&l.span)).with_message(l.message.clone())
        })
        .collect();
    let mut notes = Vec::new();
    if let Some(lint) = diagnostic.lint() {
        notes.push(format!("lint `{lint}`: allow it with `allow = [\"{lint}\"]` on the commitment or in [framework]"));
    }
    notes.extend(diagnostic.notes.iter().cloned());
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    CsDiagnostic::new(severity)
        .with_code(diagnostic.code)
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nb = \"é\" x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 9));
        assert_eq!(line_col(text, 10_000), (3, 1));
    }

    #[test]
    fn codes_are_unique_and_lints_named() {
        let mut codes: Vec<_> = CODES.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len());
        // Errors have no lint name; a spec's warnings have one (for `allow`); a scenario's
        // warnings have none, since `allow` belongs to specs.
        const SCENARIO_WARNINGS: &[&str] = &["W0014", "W0015"];
        for c in CODES {
            let unnamed = c.severity == Severity::Error || SCENARIO_WARNINGS.contains(&c.code);
            assert_eq!(unnamed, c.lint.is_none(), "{}", c.code);
        }
    }

    #[test]
    fn renders_like_rustc() {
        let text = "[framework]\nid = 3\n";
        let d = Diagnostic::new("E0002", "expected a string").primary(17..18, "a number").help("quote it");
        let out = render("x.toml", text, &[d], RenderOptions::default());
        assert!(out.contains("error[E0002]: expected a string"), "{out}");
        assert!(out.contains("x.toml:2:6"), "{out}");
        assert!(out.contains("help: quote it"), "{out}");
        let short = render(
            "x.toml",
            text,
            &[Diagnostic::new("E0002", "m").primary(17..18, "")],
            RenderOptions { short: true, color: false },
        );
        assert_eq!(short.trim(), "x.toml:2:6: error[E0002]: m");
    }
}
