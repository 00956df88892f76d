//! Evidence verification.
