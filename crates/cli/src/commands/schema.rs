//! `ironclad schema`: the JSON Schema of spec files.

use super::EXIT_OK;

pub fn run() -> u8 {
    let schema = ironclad_spec::schema::json_schema();
    println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    EXIT_OK
}
