//! What a payload schema may be: an object schema, or a top-level `oneOf` /
//! `anyOf` of object schemas (GitHub's `pull_request/review_requested` is
//! one), with the base fields merged into each inline branch.

use std::path::Path;

use evreg_core::{Catalog, Registry};
use serde_json::{Value, json};

mod support;

fn catalog(dir: &Path, base: bool, schema: &Value) {
    let manifest = if base {
        "name = \"shapes\"\n[base]\nrequired = [\"tenantId\"]\n[base.properties]\ntenantId = { type = \"string\" }\n[checks]\nrequire_examples = false\n"
    } else {
        "name = \"shapes\"\n[checks]\nrequire_examples = false\n"
    };
    support::one_event(
        dir,
        manifest,
        "REVIEW_REQUESTED",
        "schema = \"../schema.json\"",
        &[("schema.json", schema.to_string())],
    );
}

fn one_of() -> Value {
    json!({
        "oneOf": [
            {"type": "object", "required": ["reviewer"], "properties": {"reviewer": {"type": "string"}}, "additionalProperties": false},
            {"type": "object", "required": ["team"], "properties": {"team": {"type": "string"}}, "additionalProperties": false}
        ],
        "title": "review requested"
    })
}

#[test]
fn a_one_of_of_objects_is_a_payload_with_the_base_fields_in_each_branch() {
    let dir = tempfile::tempdir().unwrap();
    catalog(dir.path(), true, &one_of());
    let report = Catalog::check(dir.path());
    let catalog = report
        .catalog
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let registry = Registry::from_catalog(&catalog);
    let ok = |p: Value| registry.validate("payload.ReviewRequested.v1", &p).is_ok();
    assert!(ok(json!({"tenantId": "t", "reviewer": "ana"})));
    assert!(ok(json!({"tenantId": "t", "team": "core"})));
    assert!(
        !ok(json!({"reviewer": "ana"})),
        "the base field is required in each branch"
    );
    assert!(!ok(
        json!({"tenantId": "t", "reviewer": "ana", "team": "core"})
    ));
}

#[test]
fn a_ref_branch_cannot_take_the_base_fields_and_a_non_object_is_no_payload() {
    let dir = tempfile::tempdir().unwrap();
    let mut schema = one_of();
    schema["oneOf"][1] = json!({"$ref": "#/$defs/Team"});
    schema["$defs"] =
        json!({"Team": {"type": "object", "properties": {"team": {"type": "string"}}}});
    catalog(dir.path(), true, &schema);
    let codes: Vec<_> = Catalog::check(dir.path())
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, ["base-field"]);
    // Without base fields the same schema is a payload.
    let dir = tempfile::tempdir().unwrap();
    catalog(dir.path(), false, &schema);
    assert!(Catalog::check(dir.path()).catalog.is_some());

    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        false,
        &json!({"oneOf": [{"type": "object"}, {"type": "string"}]}),
    );
    let codes: Vec<_> = Catalog::check(dir.path())
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, ["payload-not-object"]);
}
