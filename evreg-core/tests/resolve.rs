//! `$ref` resolution and bundling: every payload schema becomes self-contained.

use std::fs;
use std::path::Path;

use evreg_core::Catalog;
use serde_json::{Value, json};

const MANIFEST: &str = "name = \"refs\"\n[checks]\nrequire_examples = false\n";

fn catalog(files: &[(&str, Value)], schema: &str) -> (tempfile::TempDir, evreg_core::Report) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("catalog.toml"), MANIFEST).unwrap();
    for (path, value) in files {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, serde_json::to_string_pretty(value).unwrap()).unwrap();
    }
    fs::write(
        root.join("events.toml"),
        format!(
            "[[events]]\ntype = \"THING_HAPPENED\"\nname = \"n\"\ndescription = \"d\"\ncategory = \"c\"\n\n[[events.versions]]\nversion = 1\nschema = \"{schema}\"\n"
        ),
    )
    .unwrap();
    let report = Catalog::check(root);
    (dir, report)
}

fn schema_of(report: &evreg_core::Report) -> Value {
    let shown: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.display(&report.sources).to_string())
        .collect();
    let catalog = report
        .catalog
        .as_ref()
        .unwrap_or_else(|| panic!("{shown:#?}"));
    catalog
        .version_by_ref("payload.ThingHappened.v1")
        .unwrap()
        .1
        .schema
        .clone()
}

fn codes(report: &evreg_core::Report) -> Vec<&'static str> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn chains_across_files_are_bundled_under_their_names() {
    let (_dir, report) = catalog(
        &[
            (
                "schemas/payload.json",
                json!({"type": "object", "properties": {"price": {"$ref": "common/money.json#/$defs/Money"}}}),
            ),
            (
                "schemas/common/money.json",
                json!({"$defs": {"Money": {"type": "object", "properties": {"currency": {"$ref": "../currency.json"}}}}}),
            ),
            (
                "schemas/currency.json",
                json!({"type": "string", "pattern": "^[A-Z]{3}$"}),
            ),
        ],
        "schemas/payload.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["properties"]["price"]["$ref"], "#/$defs/Money");
    assert_eq!(
        schema["$defs"]["Money"]["properties"]["currency"]["$ref"],
        "#/$defs/Currency"
    );
    assert_eq!(schema["$defs"]["Currency"]["pattern"], "^[A-Z]{3}$");
    // Self-contained: a plain validator needs no resolver.
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json!({"price": {"currency": "EUR"}})));
    assert!(!validator.is_valid(&json!({"price": {"currency": "euro"}})));
}

#[test]
fn local_references_are_kept_and_encoded_pointers_resolve() {
    let (_dir, report) = catalog(
        &[(
            "payload.json",
            json!({
                "type": "object",
                "properties": {"a": {"$ref": "#/$defs/A~1B"}, "b": {"$ref": "#/$defs/With%20Space"}},
                "$defs": {"A/B": {"type": "integer"}, "With Space": {"type": "string"}}
            }),
        )],
        "payload.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["properties"]["a"]["$ref"], "#/$defs/A~1B");
    assert_eq!(schema["properties"]["b"]["$ref"], "#/$defs/With%20Space");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json!({"a": 1, "b": "x"})));
    assert!(!validator.is_valid(&json!({"a": "1"})));
    assert!(!validator.is_valid(&json!({"b": 2})));
}

#[test]
fn the_same_definition_reached_twice_is_bundled_once() {
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({"type": "object", "properties": {
                    "a": {"$ref": "defs.json#/$defs/Id"},
                    "b": {"type": "array", "items": {"$ref": "defs.json#/$defs/Id"}}
                }}),
            ),
            (
                "defs.json",
                json!({"$defs": {"Id": {"type": "string", "format": "uuid"}}}),
            ),
        ],
        "payload.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["$defs"].as_object().unwrap().len(), 1);
    assert_eq!(schema["properties"]["b"]["items"]["$ref"], "#/$defs/Id");
}

#[test]
fn unknown_urls_anchors_and_missing_targets_are_errors() {
    for (reference, message) in [
        (
            "https://example.com/s.json",
            "which no schema file of the catalog declares",
        ),
        (
            "#anchor",
            "names the anchor `anchor`, which the document does not declare",
        ),
        ("#/$defs/Nope", "points at nothing"),
        ("missing.json#/$defs/X", "does not exist"),
    ] {
        let (_dir, report) = catalog(
            &[(
                "payload.json",
                json!({"type": "object", "properties": {"a": {"$ref": reference}}, "$defs": {"Yes": {}}}),
            )],
            "payload.json",
        );
        assert!(report.catalog.is_none(), "{reference}");
        let d = &report.diagnostics[0];
        assert!(d.message.contains(message), "{reference}: {}", d.message);
        let (file, line, _) = d.location(&report.sources).unwrap();
        assert!(
            file.ends_with("payload.json") && line > 1,
            "{reference}: located at the $ref, got {file}:{line}"
        );
    }
}

#[test]
fn recursion_through_files_is_bundled_and_validates() {
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({"type": "object", "properties": {"a": {"$ref": "a.json"}}}),
            ),
            (
                "a.json",
                json!({"type": "object", "properties": {"b": {"$ref": "b.json"}, "n": {"type": "integer"}}}),
            ),
            (
                "b.json",
                json!({"type": "object", "properties": {"a": {"$ref": "a.json"}}}),
            ),
        ],
        "payload.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["$defs"]["A"]["properties"]["b"]["$ref"], "#/$defs/B");
    assert_eq!(schema["$defs"]["B"]["properties"]["a"]["$ref"], "#/$defs/A");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json!({"a": {"b": {"a": {"n": 1}}}})));
    assert!(!validator.is_valid(&json!({"a": {"b": {"a": {"n": "1"}}}})));
}

/// A cycle that never goes into a property or an item defines a schema as
/// itself: no value can end it.
#[test]
fn cycles_of_references_alone_are_reported_with_their_chain() {
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({"type": "object", "properties": {"a": {"$ref": "a.json"}}}),
            ),
            ("a.json", json!({"$ref": "b.json"})),
            (
                "b.json",
                json!({"allOf": [{"$ref": "a.json"}], "type": "object"}),
            ),
        ],
        "payload.json",
    );
    assert_eq!(codes(&report), ["cyclic-ref"]);
    let notes = report.diagnostics[0].notes.join("\n");
    assert!(notes.contains("a.json# → b.json# → a.json#"), "{notes}");
}

#[test]
fn base_fields_merge_first_and_conflicts_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("catalog.toml"),
        "name = \"b\"\n[checks]\nrequire_examples = false\n[base]\nrequired = [\"tenantId\"]\n[base.properties]\ntenantId = { type = \"string\" }\n",
    )
    .unwrap();
    let events = |schema: &str| {
        format!(
            "[[events]]\ntype = \"A\"\nname = \"n\"\ndescription = \"d\"\ncategory = \"c\"\n[[events.versions]]\nversion = 1\nschema = {schema}\n"
        )
    };
    fs::write(root.join("e.toml"), events("{ type = \"object\", required = [\"x\"], properties = { x = { type = \"integer\" }, tenantId = { type = \"string\" } } }")).unwrap();
    let catalog = Catalog::load(root).unwrap();
    let schema = &catalog.events()[0].versions[0].schema;
    let names: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        ["tenantId", "x"],
        "identical redeclaration is fine, base first"
    );
    assert_eq!(schema["required"], json!(["tenantId", "x"]));

    fs::write(
        root.join("e.toml"),
        events("{ type = \"object\", properties = { tenantId = { type = \"integer\" } } }"),
    )
    .unwrap();
    let report = Catalog::check(root);
    assert_eq!(codes(&report), ["base-field"]);
    assert!(
        Path::new(
            report
                .sources
                .get(report.diagnostics[0].primary.as_ref().unwrap().span.file)
                .path()
        )
        .ends_with("e.toml")
    );
}

#[test]
fn relative_ids_name_each_other_wherever_the_files_are() {
    // As GitHub publishes its webhook schemas: every file has a `$id`
    // relative to the set's root, payloads sit one folder down, and a payload
    // names `common/user.schema.json`, which is not next to it but at the
    // root of the set.
    let (_dir, report) = catalog(
        &[
            (
                "schemas/pull_request/opened.schema.json",
                json!({
                    "$schema": "http://json-schema.org/draft-07/schema",
                    "$id": "pull_request$opened",
                    "type": "object",
                    "properties": {"sender": {"$ref": "common/user.schema.json"}}
                }),
            ),
            (
                "schemas/common/user.schema.json",
                json!({
                    "$schema": "http://json-schema.org/draft-07/schema",
                    "$id": "common/user.schema.json",
                    "type": "object",
                    "properties": {"plan": {"$ref": "plan.schema.json"}}
                }),
            ),
            (
                "schemas/common/plan.schema.json",
                json!({"$id": "common/plan.schema.json", "type": "string"}),
            ),
            // A decoy where a plain relative path would have led.
            (
                "schemas/pull_request/common/user.schema.json",
                json!({"$id": "someone-else", "type": "integer"}),
            ),
        ],
        "schemas/pull_request/opened.schema.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["properties"]["sender"]["$ref"], "#/$defs/User");
    assert_eq!(schema["$defs"]["User"]["type"], "object");
    assert_eq!(schema["$defs"]["Plan"], json!({"type": "string"}));
    assert!(
        schema.get("$id").is_none(),
        "the bundle is a document of its own"
    );
    assert!(schema["$defs"]["User"].get("$id").is_none());
}

#[test]
fn absolute_ids_resolve_to_the_files_that_declare_them() {
    let (_dir, report) = catalog(
        &[
            (
                "spec/1-0/Run.json",
                json!({
                    "$id": "https://example.org/spec/1-0/Run.json",
                    "type": "object",
                    "properties": {
                        "job": {"$ref": "Job.json"},
                        "facet": {"$ref": "https://example.org/spec/1-0/Facet.json#/$defs/Facet"}
                    }
                }),
            ),
            // No `$id` of its own, next to the referring file: taken as Job.json.
            ("spec/1-0/Job.json", json!({"type": "string"})),
            (
                "spec/1-0/Facet.json",
                json!({"$id": "https://example.org/spec/1-0/Facet.json", "$defs": {"Facet": {"type": "integer"}}}),
            ),
        ],
        "spec/1-0/Run.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["$defs"]["Job"], json!({"type": "string"}));
    assert_eq!(schema["$defs"]["Facet"], json!({"type": "integer"}));
}

#[test]
fn two_files_with_one_id_and_an_id_nobody_declares_are_errors() {
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({"$id": "things/payload", "type": "object", "properties": {"a": {"$ref": "a.json"}, "b": {"$ref": "b.json"}}}),
            ),
            ("a.json", json!({"$id": "things/shared", "type": "string"})),
            ("b.json", json!({"$id": "things/shared", "type": "string"})),
        ],
        "payload.json",
    );
    // a.json and b.json are next to the payload but declare another `$id`:
    // neither is `things/a.json`.
    assert!(report.catalog.is_none());
    assert!(
        codes(&report).iter().all(|c| *c == "unresolved-ref"),
        "{:?}",
        codes(&report)
    );
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({"type": "object", "properties": {"a": {"$ref": "a.json"}, "b": {"$ref": "b.json"}}}),
            ),
            ("a.json", json!({"$id": "things/shared", "type": "string"})),
            ("b.json", json!({"$id": "things/shared", "type": "string"})),
        ],
        "payload.json",
    );
    assert_eq!(codes(&report), ["duplicate-id"]);
}

/// A payload (2020-12) naming a schema of its own by `$anchor` and one of a
/// draft-07 file by that draft's anchor (`"$id": "#place"`): both become
/// definitions of the bundle, and validate as the originals do.
#[test]
fn anchors_of_every_draft_resolve() {
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "required": ["home", "work"],
                    "properties": {
                        "home": {"$ref": "#address"},
                        "work": {"$ref": "places.json#place"}
                    },
                    "$defs": {"Address": {
                        "$anchor": "address",
                        "type": "object",
                        "required": ["city"],
                        "properties": {"city": {"type": "string"}}
                    }}
                }),
            ),
            (
                "places.json",
                json!({
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "definitions": {"Place": {
                        "$id": "#place",
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string", "minLength": 1}}
                    }}
                }),
            ),
        ],
        "payload.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["properties"]["home"]["$ref"], "#/$defs/Address");
    assert_eq!(schema["properties"]["work"]["$ref"], "#/$defs/Place");
    // Draft-07's anchor reads as 2020-12's in the bundle.
    assert_eq!(schema["$defs"]["Place"]["$anchor"], "place");
    assert!(schema["$defs"]["Place"].get("$id").is_none());
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json!({"home": {"city": "Oslo"}, "work": {"name": "HQ"}})));
    assert!(!validator.is_valid(&json!({"home": {"city": "Oslo"}, "work": {"name": ""}})));
    assert!(!validator.is_valid(&json!({"home": {}, "work": {"name": "HQ"}})));
}

/// `$id`s that are absolute URLs, or names without `.json`, in files that
/// do not sit where the URI's path points: found by the `$id` they declare
/// among the catalog's files, never "outside the catalog".
#[test]
fn ids_are_found_wherever_their_files_sit_in_the_catalog() {
    let (_dir, report) = catalog(
        &[
            (
                "schemas/run/event.json",
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$id": "https://example.org/spec/1-0/RunEvent.json",
                    "type": "object",
                    "required": ["run", "link"],
                    "properties": {
                        "run": {"$ref": "https://example.org/spec/1-0/Run.json"},
                        "link": {"$ref": "links/embedded"}
                    }
                }),
            ),
            (
                "schemas/Run.json",
                json!({
                    "$id": "https://example.org/spec/1-0/Run.json",
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "string"}}
                }),
            ),
            (
                "vendor/links/embedded.json",
                json!({
                    "$id": "https://example.org/spec/1-0/links/embedded",
                    "type": "object",
                    "required": ["href"],
                    "properties": {"href": {"type": "string"}}
                }),
            ),
        ],
        "schemas/run/event.json",
    );
    let schema = schema_of(&report);
    assert_eq!(schema["properties"]["run"]["$ref"], "#/$defs/Run");
    assert_eq!(schema["properties"]["link"]["$ref"], "#/$defs/Embedded");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json!({"run": {"id": "r1"}, "link": {"href": "h"}})));
    assert!(!validator.is_valid(&json!({"run": {"id": "r1"}, "link": {}})));
}

/// `check` finds every problem at once: a payload schema with errors of
/// its own is not bundled, but the files it names are checked all the same.
#[test]
fn files_a_broken_payload_names_are_checked_too() {
    let (_dir, report) = catalog(
        &[
            (
                "payload.json",
                json!({"type": "object", "maxLenght": 3, "properties": {
                    "x": {"$ref": "shared.json#/$defs/X"},
                    "y": {"$ref": "other.json#/$defs/Nope"}
                }}),
            ),
            ("shared.json", json!({"$defs": {"X": {"type": "strin"}}})),
            ("other.json", json!({"$defs": {"Yes": {"type": "string"}}})),
        ],
        "payload.json",
    );
    let mut found = codes(&report);
    found.sort();
    assert_eq!(
        found,
        ["invalid-schema", "unknown-keyword", "unresolved-ref"]
    );
}
