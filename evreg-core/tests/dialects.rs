//! Schemas as published in older drafts load unchanged, and the payload
//! schema evreg bundles from them (2020-12) accepts exactly what the original
//! accepts in its own draft, as `jsonschema` validates it there.

use std::fs;
use std::path::Path;

use evreg_core::{Catalog, Registry};
use serde_json::{Value, json};

mod support;

fn catalog(dir: &Path, schema: &Value, example: &Value) {
    support::one_event(
        dir,
        "name = \"drafts\"\n",
        "THING_HAPPENED",
        "schema = \"../schemas/thing.json\"\nexamples = [\"../examples.json\"]",
        &[
            (
                "schemas/thing.json",
                serde_json::to_string_pretty(schema).unwrap(),
            ),
            ("examples.json", serde_json::to_string(example).unwrap()),
        ],
    );
}

/// The original's verdict, in its own draft.
fn original_verdict(schema: &Value, payload: &Value) -> bool {
    let draft = match schema["$schema"].as_str().unwrap_or_default() {
        s if s.contains("draft-04") => jsonschema::Draft::Draft4,
        s if s.contains("draft-06") => jsonschema::Draft::Draft6,
        s if s.contains("draft-07") => jsonschema::Draft::Draft7,
        s if s.contains("2019-09") => jsonschema::Draft::Draft201909,
        _ => jsonschema::Draft::Draft202012,
    };
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
        .is_valid(payload)
}

fn payloads() -> Vec<Value> {
    let mut out = vec![
        json!({}),
        json!({"n": 0}),
        json!({"n": 1}),
        json!({"n": 10}),
        json!({"n": 11}),
        json!({"n": -3}),
        json!({"n": "one"}),
        json!({"name": ""}),
        json!({"name": "ab"}),
        json!({"name": "abcdef"}),
        json!({"name": 3}),
        json!({"tags": ["a"]}),
        json!({"tags": ["a", "a"]}),
        json!({"tags": [1]}),
        json!({"n": 5, "name": "abc", "tags": ["x", "y"]}),
        json!({"n": 5, "other": true}),
    ];
    out.extend((0..12).map(|n| json!({"n": n, "name": "abcd"})));
    out
}

/// Each draft's way of saying "n in (0, 10], name at least 3 long (beside a
/// `$ref`, where older drafts ignore it), tags unique strings".
fn schemas() -> Vec<Value> {
    vec![
        json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "id": "thing",
            "type": "object",
            "properties": {
                "n": { "type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10 },
                "name": { "$ref": "#/definitions/Name", "minLength": 3 },
                "tags": { "$ref": "#/definitions/Tags" }
            },
            "definitions": {
                "Name": { "type": "string", "maxLength": 5 },
                "Tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true }
            }
        }),
        json!({
            "$schema": "http://json-schema.org/draft-06/schema#",
            "type": "object",
            "properties": {
                "n": { "type": "integer", "exclusiveMinimum": 0, "maximum": 10 },
                "name": { "$ref": "#/definitions/Name", "minLength": 3 },
                "tags": { "$ref": "#/definitions/Tags" }
            },
            "definitions": {
                "Name": { "type": "string", "maxLength": 5 },
                "Tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true }
            }
        }),
        json!({
            "$schema": "http://json-schema.org/draft-07/schema",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "n": { "$ref": "#/definitions/N", "description": "kept", "maximum": 3 },
                "name": { "$ref": "#/definitions/Name", "minLength": 3 },
                "tags": { "$ref": "#/definitions/Tags" }
            },
            "definitions": {
                "N": { "type": "integer", "exclusiveMinimum": 0, "maximum": 10 },
                "Name": { "type": "string", "maxLength": 5 },
                "Tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true }
            }
        }),
        json!({
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "type": "object",
            "properties": {
                "n": { "type": "integer", "exclusiveMinimum": 0, "maximum": 10 },
                "name": { "$ref": "#/$defs/Name", "minLength": 3 },
                "tags": { "$ref": "#/definitions/Tags" }
            },
            "$defs": { "Name": { "type": "string", "maxLength": 5 } },
            "definitions": {
                "Tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true }
            }
        }),
    ]
}

#[test]
fn every_draft_loads_and_means_what_it_meant() {
    for schema in schemas() {
        let draft = schema["$schema"].as_str().unwrap().to_owned();
        let dir = tempfile::tempdir().unwrap();
        let example = json!({"n": 1, "name": "abc", "tags": ["a"]});
        catalog(dir.path(), &schema, &example);
        let report = Catalog::check(dir.path());
        let catalog = report
            .catalog
            .unwrap_or_else(|| panic!("{draft}: {:#?}", report.diagnostics));
        let registry = Registry::from_catalog(&catalog);
        let bundled = &catalog.versions().next().unwrap().1.schema;
        assert_eq!(
            bundled["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{draft}"
        );
        for payload in payloads() {
            assert_eq!(
                registry
                    .validate("payload.ThingHappened.v1", &payload)
                    .is_ok(),
                original_verdict(&schema, &payload),
                "{draft}: {payload}\nbundled: {bundled:#}"
            );
        }
    }
}

#[test]
fn a_keyword_the_draft_ignores_beside_ref_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        &schemas()[2],
        &json!({"n": 1, "name": "abc", "tags": ["a"]}),
    );
    let report = Catalog::check(dir.path());
    let ignored: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "ignored-keyword")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        ignored,
        [
            "`maximum` beside `$ref` is ignored in draft-07",
            "`minLength` beside `$ref` is ignored in draft-07"
        ],
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn a_dialect_evreg_does_not_read_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        &json!({"$schema": "https://example.org/ours", "type": "object"}),
        &json!({}),
    );
    let report = Catalog::check(dir.path());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "schema-dialect")
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert!(
        d.message.contains("\"https://example.org/ours\""),
        "{}",
        d.message
    );
    assert!(d.notes[0].contains("http://json-schema.org/draft-07/schema#"));
}

#[test]
fn files_without_schema_are_in_the_manifests_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut schema = schemas()[2].clone();
    schema.as_object_mut().unwrap().remove("$schema");
    catalog(
        dir.path(),
        &schema,
        &json!({"n": 1, "name": "abc", "tags": ["a"]}),
    );
    let manifest = dir.path().join("catalog.toml");
    fs::write(
        &manifest,
        "name = \"drafts\"\n[schema]\ndraft = \"draft-07\"\n",
    )
    .unwrap();
    let report = Catalog::check(dir.path());
    let ignored = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "ignored-keyword")
        .count();
    assert_eq!(ignored, 2, "{:#?}", report.diagnostics);
    // Read as 2020-12 (the default), the siblings of `$ref` apply and the
    // definitions container is unknown: refused.
    fs::write(&manifest, "name = \"drafts\"\n").unwrap();
    assert!(Catalog::check(dir.path()).catalog.is_none());
}
