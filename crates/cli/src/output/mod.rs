//! File outputs of the CLI, each written atomically.

pub mod atomic;
pub mod parquet;

use std::path::Path;

/// Why an output path cannot be written, found before the work that fills it.
pub enum BadTarget {
    /// The command line names a directory (or no file name): exit 2.
    NotAFile(String),
    /// The file cannot be created there (its directory is missing): exit 1, as for a missing input.
    Unwritable(String),
}

/// Checks the target of an output flag (`--out`, `--state-out`, `--samples-out`,
/// `--export-model`, `--output`) before any computation: it must be a file name, not an existing
/// directory, in a directory that exists. Every command calls this first, so a bad path is an
/// error at once, not after hours of runs.
pub fn check_target(flag: &str, path: &Path) -> Result<(), BadTarget> {
    if path.file_name().is_none() || path.is_dir() {
        return Err(BadTarget::NotAFile(format!("{flag} takes a file name, not the directory `{}`", path.display())));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(BadTarget::Unwritable(format!(
            "cannot write {} ({flag}): no directory `{}`",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}
