//! The JSON-Schema-Test-Suite's cases as the conformance catalogs hold
//! them (`tests/fixtures/conformance*`, written by `cargo run -p xtask --
//! gen-conformance`): what tests/conformance.rs and tests/typescript.rs run.

use std::path::Path;

use serde_json::{Value, json};

/// One test case of the suite, as the catalog's event for its group reads it.
pub struct Case<'a> {
    /// The schema ref of the group's event.
    pub schema_ref: &'a str,
    /// `{"value": data}`
    pub payload: Value,
    /// The suite's verdict.
    pub expected: bool,
    /// File, group, typed variant and descriptions, for messages.
    pub name: String,
}

/// Calls `f` on every case of every group that `cases` (a catalog's
/// `cases.json`) did not exclude, from the suite's files of `draft`
/// (a typed variant only on the data of its type); returns the groups and
/// cases run.
pub fn each_case(cases: &Path, draft: &str, mut f: impl FnMut(&Case<'_>)) -> (usize, usize) {
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(cases).unwrap()).unwrap();
    let (mut groups, mut run) = (0, 0);
    for case in &cases {
        let Some(schema_ref) = case["schema_ref"].as_str() else {
            continue;
        };
        groups += 1;
        let file = case["file"].as_str().unwrap();
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/json-schema-test-suite")
            .join(draft)
            .join(file);
        let suite: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let group = &suite[case["group"].as_u64().unwrap() as usize];
        let only_type = case["type"].as_str();
        for test in group["tests"].as_array().unwrap() {
            if only_type.is_some_and(|t| t != json_type(&test["data"])) {
                continue;
            }
            f(&Case {
                schema_ref,
                payload: json!({ "value": test["data"] }),
                expected: test["valid"].as_bool().unwrap(),
                name: format!(
                    "{file} #{}{} {:?} / {:?}",
                    case["group"],
                    only_type.map(|t| format!(" as {t}")).unwrap_or_default(),
                    group["description"],
                    test["description"],
                ),
            });
            run += 1;
        }
    }
    (groups, run)
}

/// The JSON Schema type of a value (`1.0` is an integer), as `gen-conformance` names it.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n)
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
        {
            "integer"
        }
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
