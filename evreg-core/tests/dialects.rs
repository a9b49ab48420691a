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

/// 2019-09's `$recursiveRef`: as a `$ref` where no `$recursiveAnchor` is in
/// play, and to the outermost anchored schema where one is — a tree whose
/// children are the payload itself, and an extensible tree in a file of its
/// own that the payload extends (its children must be payloads, not only
/// trees). evreg's verdict on each payload equals `jsonschema`'s on the
/// original documents in 2019-09.
#[test]
fn recursive_references_mean_what_they_meant() {
    const D: &str = "https://json-schema.org/draft/2019-09/schema";
    let tree = json!({
        "$schema": D,
        "$id": "https://example.org/tree.json",
        "$recursiveAnchor": true,
        "type": "object",
        "properties": {
            "children": { "type": "array", "items": { "$recursiveRef": "#" } }
        }
    });
    let plain_tree = json!({
        "$schema": D,
        "$id": "https://example.org/plain.json",
        "type": "object",
        "properties": {
            "children": { "type": "array", "items": { "$recursiveRef": "#" } }
        }
    });
    let cases = [
        // The payload is the tree: each child is a payload.
        json!({
            "$schema": D,
            "$id": "https://example.org/payload.json",
            "$recursiveAnchor": true,
            "type": "object",
            "properties": {
                "name": { "type": "string", "maxLength": 3 },
                "children": { "type": "array", "items": { "$recursiveRef": "#" } }
            }
        }),
        // The payload extends an anchored tree: children are payloads.
        json!({
            "$schema": D,
            "$id": "https://example.org/payload.json",
            "$recursiveAnchor": true,
            "type": "object",
            "allOf": [{ "$ref": "tree.json" }],
            "properties": { "name": { "type": "string", "maxLength": 3 } }
        }),
        // Not anchored: the tree's children are trees.
        json!({
            "$schema": D,
            "$id": "https://example.org/payload.json",
            "type": "object",
            "allOf": [{ "$ref": "tree.json" }],
            "properties": { "name": { "type": "string", "maxLength": 3 } }
        }),
        // No anchor anywhere: a `$ref`.
        json!({
            "$schema": D,
            "$id": "https://example.org/payload.json",
            "$recursiveAnchor": true,
            "type": "object",
            "allOf": [{ "$ref": "plain.json" }],
            "properties": { "name": { "type": "string", "maxLength": 3 } }
        }),
    ];
    let payloads = [
        json!({}),
        json!({"name": "abc", "children": []}),
        json!({"name": "abc", "children": [{"name": "ab"}]}),
        json!({"name": "abc", "children": [{"name": "toolong"}]}),
        json!({"children": [{"children": [{"name": "toolong"}]}]}),
        json!({"children": [{"children": [{"name": 3}]}]}),
        json!({"children": [1]}),
        json!({"children": [{"children": "x"}]}),
    ];
    let originals = jsonschema::Registry::new()
        .extend([
            (
                "https://example.org/tree.json",
                jsonschema::Resource::from_contents(tree.clone()),
            ),
            (
                "https://example.org/plain.json",
                jsonschema::Resource::from_contents(plain_tree.clone()),
            ),
        ])
        .unwrap()
        .prepare()
        .unwrap();
    let mut told_apart = 0;
    for (i, schema) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        support::one_event(
            dir.path(),
            "name = \"recursive\"\n[checks]\nrequire_examples = false\n",
            "TREE_GROWN",
            "schema = \"../schemas/payload.json\"",
            &[
                ("schemas/payload.json", schema.to_string()),
                ("schemas/tree.json", tree.to_string()),
                ("schemas/plain.json", plain_tree.to_string()),
            ],
        );
        let report = Catalog::check(dir.path());
        let catalog = report
            .catalog
            .unwrap_or_else(|| panic!("case {i}: {:#?}", report.diagnostics));
        let registry = Registry::from_catalog(&catalog);
        let original = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft201909)
            .with_registry(&originals)
            .build(schema)
            .unwrap();
        for payload in &payloads {
            let expected = original.is_valid(payload);
            let got = registry.validate("payload.TreeGrown.v1", payload).is_ok();
            assert_eq!(got, expected, "case {i}: {payload}");
            told_apart += usize::from(!expected);
        }
    }
    assert!(told_apart >= 8, "the payloads tell too little apart");
}

/// Two anchored documents under a payload that is not: which one a
/// `$recursiveRef` leads to depends on the path, which a bundle cannot say.
#[test]
fn a_recursive_reference_with_two_possible_targets_is_an_error() {
    const D: &str = "https://json-schema.org/draft/2019-09/schema";
    let anchored = |id: &str, other: Option<&str>| {
        let mut s = json!({
            "$schema": D,
            "$id": format!("https://example.org/{id}"),
            "$recursiveAnchor": true,
            "type": "object",
            "properties": { "children": { "type": "array", "items": { "$recursiveRef": "#" } } }
        });
        if let Some(other) = other {
            s["allOf"] = json!([{ "$ref": other }]);
        }
        s
    };
    let payload = json!({
        "$schema": D,
        "$id": "https://example.org/payload.json",
        "type": "object",
        "allOf": [{ "$ref": "a.json" }]
    });
    let dir = tempfile::tempdir().unwrap();
    support::one_event(
        dir.path(),
        "name = \"recursive\"\n[checks]\nrequire_examples = false\n",
        "TREE_GROWN",
        "schema = \"../schemas/payload.json\"",
        &[
            ("schemas/payload.json", payload.to_string()),
            (
                "schemas/a.json",
                anchored("a.json", Some("b.json")).to_string(),
            ),
            ("schemas/b.json", anchored("b.json", None).to_string()),
        ],
    );
    let report = Catalog::check(dir.path());
    let error = report
        .diagnostics
        .iter()
        .find(|d| d.code == "unsupported-keyword" && d.message.contains("$recursiveRef"))
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert!(error.primary.is_some());
    assert!(report.catalog.is_none());
}
