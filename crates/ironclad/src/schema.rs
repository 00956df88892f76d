//! JSON Schemas: of spec files, and of every report's JSON output.

use schemars::schema_for;

/// The reports whose JSON output has a published schema.
pub const OUTPUTS: [&str; 12] = [
    "check",
    "show",
    "obligations",
    "simulate",
    "sources",
    "backtest",
    "power",
    "attribute",
    "sensitivity",
    "discover",
    "code",
    "compare",
];

/// The JSON Schema of a command's `--format json` output, or `None` for an unknown name.
pub fn output(name: &str) -> Option<serde_json::Value> {
    let schema = match name {
        "check" => schema_for!(crate::check::CheckReport),
        "show" => schema_for!(crate::show::ShowReport),
        "obligations" => schema_for!(crate::obligations::ObligationsReport),
        "simulate" => schema_for!(crate::simulate::SimulateReport),
        "sources" => schema_for!(crate::sources::SourcesReport),
        "backtest" => schema_for!(crate::backtest::BacktestReport),
        "power" => schema_for!(crate::power::PowerReport),
        "attribute" => schema_for!(crate::attribute::AttributeReport),
        "sensitivity" => schema_for!(crate::sensitivity::SensitivityReport),
        "discover" => schema_for!(crate::discover::DiscoverReport),
        "code" => schema_for!(crate::code::CodeReport),
        "compare" => schema_for!(crate::compare::CompareReport),
        _ => return None,
    };
    serde_json::to_value(schema).ok()
}

/// The JSON Schema of spec files (for Taplo / Even Better TOML).
pub fn spec() -> serde_json::Value {
    ironclad_spec::schema::json_schema()
}
