//! The JSON Schema of spec files, derived from the format types in `raw`, so that editors
//! (Taplo / Even Better TOML) can validate and complete spec files.

use crate::raw::RawSpec;

/// The schema as JSON (draft-07, which Taplo understands).
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<RawSpec>().to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), "https://ironclad.invalid/spec.schema.json".into());
        object.insert(
            "description".into(),
            "A security framework for ironclad: parties, regions, decision bodies, commitments, red lines, variants and evidence. See docs/spec-format.md.".into(),
        );
    }
    schema
}

/// Converts TOML to the JSON that a JSON Schema validator sees (dates become strings), as Taplo does.
pub fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => J::Object(table.iter().map(|(k, v)| (k.clone(), toml_to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> jsonschema::Validator {
        jsonschema::validator_for(&json_schema()).expect("the schema is itself a valid JSON Schema")
    }

    fn instance(text: &str) -> serde_json::Value {
        toml_to_json(&toml::Value::Table(text.parse().expect("valid TOML")))
    }

    #[test]
    fn every_bundled_spec_is_valid_against_the_schema() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frameworks");
        let validator = validator();
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("frameworks/ exists") {
            let path = entry.expect("readable entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).expect("readable spec");
                let errors: Vec<String> =
                    validator.iter_errors(&instance(&text)).map(|e| format!("{} at {}", e, e.instance_path)).collect();
                assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 1, "no bundled spec found in {}", dir.display());
    }

    #[test]
    fn the_schema_rejects_what_the_format_rejects() {
        let validator = validator();
        let minimal = "[framework]\nid = \"x\"\ntitle = \"x\"\nprotects = [\"UA\"]\n";
        assert!(validator.is_valid(&instance(minimal)));
        assert!(!validator.is_valid(&instance(&format!("{minimal}colour = 1\n"))), "unknown field");
        assert!(!validator.is_valid(&instance("[framework]\nid = \"x\"\ntitle = \"x\"\n")), "missing protects");
        assert!(!validator.is_valid(&instance(&format!("{minimal}domains = [\"space\"]\n"))), "unknown domain");
        let commitment = "[[commitment]]\nid = \"c\"\nby = [\"UK\"]\nto = [\"UA\"]\nkind = \"defend\"\nmodality = \"sometimes\"\nstrength = \"treaty\"\n";
        assert!(!validator.is_valid(&instance(&format!("{minimal}{commitment}"))), "bad modality");
    }
}
