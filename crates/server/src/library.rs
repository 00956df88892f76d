//! The frameworks and scenarios the server offers, read once at start from its configured
//! directories. Clients name entries by id (the file stem); they never name paths.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

/// One library file, held in memory.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub text: String,
    /// For a framework: the id of its default scenario, when the library has it.
    pub scenario: Option<String>,
}

/// The server's library.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub frameworks: BTreeMap<String, Entry>,
    pub scenarios: BTreeMap<String, Entry>,
}

/// `GET /api/library`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LibraryListing {
    pub frameworks: Vec<ListedFramework>,
    pub scenarios: Vec<ListedScenario>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListedFramework {
    pub id: String,
    pub title: String,
    /// The framework's default scenario (a library scenario id), if it names one the library has.
    pub scenario: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListedScenario {
    pub id: String,
    pub title: String,
}

/// `GET /api/library/{frameworks,scenarios}/{id}`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LibraryText {
    pub id: String,
    pub text: String,
}

impl Library {
    /// Reads every `*.toml` in the two directories (a missing directory is an error; an
    /// unreadable file is skipped with a warning on stderr).
    pub fn load(frameworks: &Path, scenarios: &Path) -> Result<Library, String> {
        let mut library = Library { frameworks: read_dir(frameworks)?, scenarios: read_dir(scenarios)? };
        let scenario_ids: Vec<String> = library.scenarios.keys().cloned().collect();
        for entry in library.frameworks.values_mut() {
            let table = entry.text.parse::<toml::Table>().ok();
            let framework = table.as_ref().and_then(|t| t.get("framework")).and_then(|f| f.as_table());
            if let Some(title) = framework.and_then(|f| f.get("title")).and_then(|t| t.as_str()) {
                entry.title = title.to_string();
            }
            entry.scenario = framework
                .and_then(|f| f.get("scenario"))
                .and_then(|s| s.as_str())
                .and_then(stem)
                .filter(|s| scenario_ids.contains(s));
        }
        for entry in library.scenarios.values_mut() {
            let table = entry.text.parse::<toml::Table>().ok();
            let title =
                table.as_ref().and_then(|t| t.get("scenario")).and_then(|s| s.get("title")).and_then(|t| t.as_str());
            if let Some(title) = title {
                entry.title = title.to_string();
            }
        }
        Ok(library)
    }

    pub fn listing(&self) -> LibraryListing {
        LibraryListing {
            frameworks: self
                .frameworks
                .values()
                .map(|e| ListedFramework { id: e.id.clone(), title: e.title.clone(), scenario: e.scenario.clone() })
                .collect(),
            scenarios: self
                .scenarios
                .values()
                .map(|e| ListedScenario { id: e.id.clone(), title: e.title.clone() })
                .collect(),
        }
    }

    /// The library scenario a spec's `scenario = "…/x.toml"` names, by its stem.
    pub fn default_scenario(&self, named: &str) -> Option<&Entry> {
        stem(named).and_then(|s| self.scenarios.get(&s))
    }
}

/// A path's file stem, if it is a `.toml` file name.
fn stem(path: &str) -> Option<String> {
    let p = Path::new(path);
    (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_string))?
}

fn read_dir(dir: &Path) -> Result<BTreeMap<String, Entry>, String> {
    let read =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read the library directory {}: {e}", dir.display()))?;
    let mut out = BTreeMap::new();
    for item in read.flatten() {
        let path = item.path();
        let Some(id) = path.to_str().and_then(stem) else { continue };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                out.insert(id.clone(), Entry { title: id.clone(), id, text, scenario: None });
            }
            Err(e) => eprintln!("warning: skipping {}: {e}", path.display()),
        }
    }
    Ok(out)
}
