//! Input files: a small database of named texts, each with a [`FileId`], and the analyses of
//! spec and scenario files drawn from it. A diagnostic is a [`FileDiagnostic`]: the file it
//! points into, and the neutral [`Diagnostic`] whose spans are byte ranges of that file.

use std::path::Path;

use ironclad_spec::diagnostic::line_col;
use ironclad_spec::scenario::Scenario;
use ironclad_spec::{Analysis, Diagnostic, Severity, Spec, analyze};
use serde::Serialize;

use crate::Error;

/// A file in [`Files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

/// A diagnostic and the file its spans point into.
#[derive(Debug, Clone, PartialEq)]
pub struct FileDiagnostic {
    pub file: FileId,
    pub diagnostic: Diagnostic,
}

#[derive(Debug, Clone)]
struct File {
    name: String,
    text: String,
    /// Why the file could not be read, when it could not (E0003).
    unreadable: Option<String>,
}

/// The files of one session: names and texts. Texts given directly (an editor's buffer, an
/// upload) never touch the file system.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Vec<File>,
}

/// A spec file analysed: its id, and the model with its diagnostics.
#[derive(Debug)]
pub struct Loaded {
    pub file: FileId,
    pub analysis: Analysis,
}

impl Loaded {
    /// The model, when the file has no error.
    pub fn spec(&self) -> Option<&Spec> {
        self.analysis.spec.as_ref()
    }

    /// The model, or the file's diagnostics (its errors, and its warnings beside them).
    pub fn valid(&self) -> Result<&Spec, Error> {
        self.analysis.spec.as_ref().ok_or_else(|| Error::Invalid(self.diagnostics()))
    }

    /// Only the file's errors.
    pub fn errors(&self) -> Vec<FileDiagnostic> {
        self.diagnostics().into_iter().filter(|d| d.diagnostic.severity == Severity::Error).collect()
    }

    /// Every diagnostic of the file.
    pub fn diagnostics(&self) -> Vec<FileDiagnostic> {
        self.analysis.diagnostics.iter().map(|d| FileDiagnostic { file: self.file, diagnostic: d.clone() }).collect()
    }
}

impl Files {
    pub fn new() -> Files {
        Files::default()
    }

    /// Adds a text under a name (a path or a label such as `<editor>`).
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(File { name: name.into(), text: text.into(), unreadable: None });
        FileId(self.files.len() as u32 - 1)
    }

    /// Reads a file from disk. A file that cannot be read, or is not UTF-8, is still added,
    /// empty, and analysing it gives an E0003 diagnostic.
    pub fn read(&mut self, path: &Path) -> FileId {
        let name = path.display().to_string();
        let (text, unreadable) = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => (text, None),
                Err(err) => {
                    let valid = err.utf8_error().valid_up_to();
                    let before = std::str::from_utf8(&err.as_bytes()[..valid]).unwrap_or_default();
                    let (line, column) = line_col(before, valid);
                    (
                        String::new(),
                        Some(format!("the file is not UTF-8: invalid byte at line {line}, column {column}")),
                    )
                }
            },
            Err(err) => (String::new(), Some(format!("cannot read the file: {err}"))),
        };
        self.files.push(File { name, text, unreadable });
        FileId(self.files.len() as u32 - 1)
    }

    /// The file's name (empty for an id of another `Files`).
    pub fn name(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map_or("", |f| f.name.as_str())
    }

    /// The file's text (empty for an id of another `Files`).
    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map_or("", |f| f.text.as_str())
    }

    /// 1-based line and column of a byte offset in a file.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        line_col(self.text(id), offset)
    }

    /// Analyses a spec file: the model (when free of errors) and every diagnostic.
    pub fn spec(&self, id: FileId) -> Loaded {
        let file = &self.files[id.0 as usize];
        if let Some(why) = &file.unreadable {
            let diagnostic = Diagnostic::new("E0003", why.clone()).help("check the path; spec files are UTF-8 TOML");
            return Loaded { file: id, analysis: Analysis { spec: None, diagnostics: vec![diagnostic] } };
        }
        Loaded { file: id, analysis: analyze(&file.text) }
    }

    /// Resolves a scenario file against a spec.
    pub fn scenario(&self, id: FileId, spec: &Spec) -> Result<Scenario, Error> {
        self.scenario_with_warnings(id, spec).map(|(scenario, _)| scenario)
    }

    /// Resolves a scenario file against a spec, with the warnings of a scenario free of errors
    /// (e.g. W0014), for a consumer that shows them.
    pub fn scenario_with_warnings(&self, id: FileId, spec: &Spec) -> Result<(Scenario, Vec<FileDiagnostic>), Error> {
        let file = &self.files[id.0 as usize];
        if let Some(why) = &file.unreadable {
            let diagnostic = Diagnostic::new("E0003", format!("the scenario: {why}"));
            return Err(Error::Invalid(vec![FileDiagnostic { file: id, diagnostic }]));
        }
        let (scenario, diagnostics) = ironclad_spec::scenario::lower_scenario(&file.text, spec);
        let diagnostics: Vec<FileDiagnostic> =
            diagnostics.into_iter().map(|diagnostic| FileDiagnostic { file: id, diagnostic }).collect();
        match scenario {
            Some(scenario) => Ok((scenario, diagnostics)),
            None => Err(Error::Invalid(diagnostics)),
        }
    }

    /// Whether a file could not be read (its diagnostics have no text to point into).
    pub fn unreadable(&self, id: FileId) -> bool {
        self.files.get(id.0 as usize).is_none_or(|f| f.unreadable.is_some())
    }
}

/// A variant pinned to one option by `--variant VARIANT=OPTION`: reports of analyses carry
/// their pins, so that two reports of one framework, scenario and seed under different pins
/// cannot be taken for each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Pin {
    /// The variant's id.
    pub variant: String,
    /// The option every run takes.
    pub option: String,
}

/// The pins of `pins` (checked as [`pinned_variants`] checks them), in the spec's variant order.
pub fn pins(spec: &Spec, pins: &[String]) -> Result<Vec<Pin>, Error> {
    Ok(pinned_variants(spec, pins)?
        .iter()
        .enumerate()
        .filter_map(|(v, o)| {
            o.map(|o| Pin {
                variant: spec.variants[v].id.clone(),
                option: spec.variants[v].options[usize::from(o)].id.clone(),
            })
        })
        .collect())
}

/// The text line of a report's pins: `variants pinned: a=x, b=y`, or `None` without pins.
pub fn pins_line(pins: &[Pin]) -> Option<String> {
    (!pins.is_empty()).then(|| {
        let each: Vec<String> = pins.iter().map(|p| format!("{}={}", p.variant, p.option)).collect();
        format!("variants pinned: {}", each.join(", "))
    })
}

/// `VARIANT=OPTION` pins: the option pinned for each variant, `None` where not given.
pub fn pinned_variants(spec: &Spec, pins: &[String]) -> Result<Vec<Option<u16>>, Error> {
    let mut pinned = vec![None; spec.variants.len()];
    for flag in pins {
        let (variant, option) = flag
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("--variant takes VARIANT=OPTION, not `{flag}`")))?;
        let v = spec.variants.iter().position(|v| v.id == variant).ok_or_else(|| {
            let known: Vec<&str> = spec.variants.iter().map(|v| v.id.as_str()).collect();
            Error::Usage(format!("no variant `{variant}`; variants: {}", known.join(", ")))
        })?;
        let o = spec.variants[v].options.iter().position(|o| o.id == option).ok_or_else(|| {
            let known: Vec<&str> = spec.variants[v].options.iter().map(|o| o.id.as_str()).collect();
            Error::Usage(format!("variant `{variant}` has no option `{option}`; options: {}", known.join(", ")))
        })?;
        if let Some(before) = pinned[v] {
            let before = &spec.variants[v].options[usize::from(before)].id;
            return Err(Error::Usage(format!(
                "--variant pins `{variant}` twice (`{variant}={before}`, then `{flag}`): give each variant once"
            )));
        }
        pinned[v] = Some(o as u16);
    }
    Ok(pinned)
}
