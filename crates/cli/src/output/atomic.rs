//! Output files written whole or not at all: into a temporary file beside the target, renamed
//! over it only when complete. An interrupted or failed write leaves the previous file as it was.

use std::fs::File;
use std::path::{Path, PathBuf};

/// A file being written; [`Atomic::commit`] puts it in place, dropping it removes it.
pub struct Atomic {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Atomic {
    /// Creates the temporary file `.NAME.tmp-PID` in the target's directory.
    pub fn create(target: &Path) -> std::io::Result<(Atomic, File)> {
        let name = target.file_name().ok_or_else(|| std::io::Error::other("not a file name"))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".tmp-{}", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let file = File::create(&temp)?;
        Ok((Atomic { target: target.to_path_buf(), temp, committed: false }, file))
    }

    /// Renames the temporary file over the target.
    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Atomic {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `contents` to `path` atomically.
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let (atomic, mut file) = Atomic::create(path)?;
    file.write_all(contents)?;
    file.sync_all()?;
    drop(file);
    atomic.commit()
}
