//! File outputs of the CLI.

pub mod parquet;
