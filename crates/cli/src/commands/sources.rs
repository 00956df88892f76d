use std::path::PathBuf;
use crate::Format;
pub fn verify(_s: &[PathBuf], _d: &[PathBuf], _f: Format, _c: bool) -> u8 { 0 }
