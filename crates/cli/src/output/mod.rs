//! File outputs of the CLI, each written atomically.

pub mod atomic;
pub mod parquet;
