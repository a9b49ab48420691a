//! `evreg export jsonschema`: every payload version as one self-contained
//! JSON Schema file, and an index of them, for the tooling of any language
//! (ajv, pydantic's generator, quicktype, a Confluent serializer).

use evreg_core::schema::dialect::Draft;
use evreg_core::{Catalog, Diagnostic};

use crate::output::File;
use serde_json::{Map, Value, json};

/// The draft exported schemas are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportDraft {
    /// Each schema in the draft of the file it was read from.
    #[default]
    Source,
    /// Every schema in this draft.
    Draft(Draft),
}

/// The export of `catalog`: one file per payload version, named by its ref
/// (`payload.TicketCreated.v1.json`), in catalog order, then `index.json`.
///
/// A schema is the catalog's bundle (base fields merged, every `$ref`
/// inside it), in the draft `draft` asks for. A schema that uses a keyword
/// its draft has no words for (`unevaluatedProperties` in draft-07) is an
/// error naming it, never a schema that accepts more.
pub fn export(catalog: &Catalog, draft: ExportDraft) -> Result<Vec<File>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut index = Vec::new();
    let mut errors = Vec::new();
    for (event, version) in catalog.versions() {
        let target = match draft {
            ExportDraft::Source => version.draft,
            ExportDraft::Draft(d) => d,
        };
        let mut schema = version.schema.clone();
        if let Err(unsaid) = target.from_2020_12(&mut schema) {
            for u in unsaid {
                let at = if u.pointer.is_empty() {
                    "the root".to_owned()
                } else {
                    format!("`{}`", u.pointer)
                };
                errors.push(
                    Diagnostic::error(
                        "export-draft",
                        format!(
                            "`{}` uses `{}` (at {at}), which {} has no words for",
                            version.schema_ref,
                            u.keyword,
                            target.name()
                        ),
                    )
                    .at(version.span, "this version")
                    .with_help("export in a later draft: `--draft 2020-12`"),
                );
            }
            continue;
        }
        let name = format!("{}.json", version.schema_ref);
        index.push(json!({
            "type": event.event_type,
            "version": version.version,
            "ref": version.schema_ref,
            "status": event.status.as_str(),
            "replaced_by": event.replaced_by,
            "$schema": target.uri(),
            "fingerprint": evreg_core::fingerprint::fingerprint(&version.schema),
            "file": name,
        }));
        files.push(File {
            name,
            contents: pretty(&with_schema_first(schema)),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.push(File {
        name: "index.json".to_owned(),
        contents: pretty(&json!({
            "catalog": catalog.name(),
            "schemas": index,
        })),
    });
    Ok(files)
}

/// `$schema` as the first member, where readers look for it.
fn with_schema_first(schema: Value) -> Value {
    let Value::Object(mut map) = schema else {
        return schema;
    };
    let mut out = Map::new();
    if let Some(uri) = map.remove("$schema") {
        out.insert("$schema".to_owned(), uri);
    }
    out.extend(map);
    Value::Object(out)
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn said_in(draft: Draft, mut schema: Value) -> Result<Value, Vec<String>> {
        draft
            .from_2020_12(&mut schema)
            .map(|()| schema)
            .map_err(|u| {
                u.into_iter()
                    .map(|u| format!("{}/{}", u.pointer, u.keyword))
                    .collect()
            })
    }

    #[test]
    fn older_drafts_say_the_same_in_their_own_words() {
        let bundle = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "line": {"$ref": "#/$defs/Line", "description": "d"},
                "pair": {"prefixItems": [{"type": "string"}], "items": false},
                "n": {"exclusiveMinimum": 0, "minimum": -5, "const": 3}
            },
            "dependentRequired": {"a": ["b"]},
            "dependentSchemas": {"c": {"required": ["d"]}},
            "$defs": {"Line": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Line", "maxLength": 3}}}}
        });
        let seven = said_in(Draft::Draft7, bundle.clone()).unwrap();
        assert_eq!(
            seven,
            json!({
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {
                    "line": {"$ref": "#/definitions/Line", "description": "d"},
                    "pair": {"items": [{"type": "string"}], "additionalItems": false},
                    "n": {"exclusiveMinimum": 0, "minimum": -5, "const": 3}
                },
                "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
                "definitions": {"Line": {"type": "object", "properties": {"next": {"maxLength": 3, "allOf": [{"$ref": "#/definitions/Line"}]}}}}
            })
        );
        let four = said_in(Draft::Draft4, bundle.clone()).unwrap();
        assert_eq!(
            four["properties"]["n"],
            json!({"minimum": 0, "exclusiveMinimum": true, "enum": [3]})
        );
        let same = said_in(Draft::Draft202012, bundle.clone()).unwrap();
        assert_eq!(same, bundle);
    }

    #[test]
    fn what_a_draft_cannot_say_is_an_error_naming_it() {
        let bundle = json!({
            "properties": {"a": {"if": {"type": "string"}, "then": {"minLength": 1}}},
            "unevaluatedProperties": false
        });
        assert_eq!(
            said_in(Draft::Draft6, bundle.clone()).unwrap_err(),
            [
                "/unevaluatedProperties",
                "/properties/a/if",
                "/properties/a/then"
            ]
        );
        assert_eq!(
            said_in(Draft::Draft7, bundle.clone()).unwrap_err(),
            ["/unevaluatedProperties"]
        );
        assert!(said_in(Draft::Draft201909, bundle).is_ok());
    }

    #[test]
    fn draft_04_keeps_the_stronger_bound() {
        let cases = [
            (
                json!({"exclusiveMaximum": 10, "maximum": 3}),
                json!({"maximum": 3}),
            ),
            (
                json!({"exclusiveMaximum": 3, "maximum": 10}),
                json!({"maximum": 3, "exclusiveMaximum": true}),
            ),
            (
                json!({"exclusiveMinimum": 3, "minimum": 3}),
                json!({"minimum": 3, "exclusiveMinimum": true}),
            ),
            (
                json!({"const": "a", "enum": ["a", "b"]}),
                json!({"enum": ["a", "b"], "allOf": [{"enum": ["a"]}]}),
            ),
        ];
        for (bundle, expected) in cases {
            let mut four = said_in(Draft::Draft4, bundle).unwrap();
            four.as_object_mut().unwrap().remove("$schema");
            assert_eq!(four, expected);
        }
    }
}
