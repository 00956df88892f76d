//! Reading spec files and reporting diagnostics about them.

use std::path::Path;

use ironclad_spec::diagnostic::line_col;
use ironclad_spec::{Analysis, Diagnostic, RenderOptions, analyze};
use serde_json::{Value, json};

use crate::Format;

/// A spec file read from disk and analysed.
pub struct Loaded {
    pub name: String,
    pub text: String,
    pub analysis: Analysis,
}

/// Reads and analyses a file. An unreadable file becomes an E0003 diagnostic.
pub fn load(path: &Path) -> Loaded {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                let analysis = analyze(&text);
                Loaded { name, text, analysis }
            }
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let before = std::str::from_utf8(&err.as_bytes()[..valid]).unwrap_or_default();
                let (line, column) = ironclad_spec::diagnostic::line_col(before, valid);
                unreadable(name, format!("the file is not UTF-8: invalid byte at line {line}, column {column}"))
            }
        },
        Err(err) => unreadable(name, format!("cannot read the file: {err}")),
    }
}

fn unreadable(name: String, message: String) -> Loaded {
    let diagnostic = Diagnostic::new("E0003", message).help("check the path; spec files are UTF-8 TOML");
    Loaded { name, text: String::new(), analysis: Analysis { spec: None, diagnostics: vec![diagnostic] } }
}

/// Renders diagnostics for a human (rustc style) or as short lines.
pub fn render(name: &str, text: &str, diagnostics: &[Diagnostic], format: Format, color: bool) -> String {
    if diagnostics.iter().any(|d| d.code == "E0003") {
        // No text to point into: say it on one line.
        return diagnostics.iter().map(|d| format!("error[{}]: {}: {}\n", d.code, name, d.message)).collect();
    }
    ironclad_spec::diagnostic::render(name, text, diagnostics, RenderOptions { color, short: format == Format::Short })
}

/// One diagnostic as JSON, with 1-based line and column.
pub fn diagnostic_json(name: &str, text: &str, d: &Diagnostic) -> Value {
    let position = |offset: usize| {
        let (line, column) = line_col(text, offset);
        json!({ "line": line, "column": column, "offset": offset })
    };
    let primary = d.primary_span().cloned();
    json!({
        "file": name,
        "severity": d.severity.as_str(),
        "code": d.code,
        "lint": d.lint(),
        "message": d.message,
        "start": primary.as_ref().map(|s| position(s.start)),
        "end": primary.as_ref().map(|s| position(s.end)),
        "labels": d.labels.iter().map(|l| json!({
            "message": l.message,
            "primary": l.primary,
            "start": position(l.span.start),
            "end": position(l.span.end),
        })).collect::<Vec<_>>(),
        "help": d.help,
        "notes": d.notes,
    })
}

/// Reads a spec that must be free of errors; otherwise prints its diagnostics and returns the
/// exit code. `command` names the subcommand in the closing message.
pub fn load_valid(path: &Path, command: &str, color: bool) -> Result<Loaded, u8> {
    let loaded = load(path);
    if loaded.analysis.spec.is_none() {
        eprint!("{}", render(&loaded.name, &loaded.text, &loaded.analysis.diagnostics, Format::Human, color));
        eprintln!("{command}: {} has errors; run `ironclad check` on it", loaded.name);
        return Err(crate::commands::EXIT_ERRORS);
    }
    Ok(loaded)
}

/// Reads a scenario and resolves it against `spec`; on failure prints why and returns the exit code.
pub fn load_scenario(
    path: &Path,
    spec: &ironclad_spec::Spec,
    command: &str,
    color: bool,
) -> Result<ironclad_spec::scenario::Scenario, u8> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| {
        eprintln!("error[E0003]: {name}: cannot read the scenario: {err}");
        crate::commands::EXIT_ERRORS
    })?;
    let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(&text, spec);
    scenario.ok_or_else(|| {
        eprint!("{}", render(&name, &text, &diagnostics, Format::Human, color));
        eprintln!("{command}: the scenario has errors");
        crate::commands::EXIT_ERRORS
    })
}

/// `--variant VARIANT=OPTION` flags: the option pinned for each variant, `None` where not given.
pub fn pinned_variants(spec: &ironclad_spec::Spec, flags: &[String]) -> Result<Vec<Option<u16>>, String> {
    let mut pinned = vec![None; spec.variants.len()];
    for flag in flags {
        let (variant, option) =
            flag.split_once('=').ok_or_else(|| format!("--variant takes VARIANT=OPTION, not `{flag}`"))?;
        let v = spec.variants.iter().position(|v| v.id == variant).ok_or_else(|| {
            let known: Vec<&str> = spec.variants.iter().map(|v| v.id.as_str()).collect();
            format!("no variant `{variant}`; variants: {}", known.join(", "))
        })?;
        let o = spec.variants[v].options.iter().position(|o| o.id == option).ok_or_else(|| {
            let known: Vec<&str> = spec.variants[v].options.iter().map(|o| o.id.as_str()).collect();
            format!("variant `{variant}` has no option `{option}`; options: {}", known.join(", "))
        })?;
        pinned[v] = Some(o as u16);
    }
    Ok(pinned)
}
