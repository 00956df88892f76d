//! One module per subcommand. Each returns the process exit code.

pub mod check;
pub mod obligations;
pub mod schema;
pub mod show;
pub mod simulate;
pub mod sources;

/// Exit codes, as documented in the README and `ironclad --help`.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
