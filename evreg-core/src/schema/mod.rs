//! JSON Schema, once: every keyword with its vocabulary and role
//! ([`keywords`]), the drafts and what each means where they differ
//! ([`dialect`]), and the `format` vocabulary ([`formats`]). Every other part
//! of evreg asks these modules what a keyword, a draft or a format is,
//! instead of keeping a list of its own.

use serde_json::Value;

pub mod dialect;
pub mod formats;
pub mod keywords;
pub mod uri;

/// Where a local reference of a bundled payload schema points (`#/$defs/Money`,
/// `#/$defs/My%20Type`): the fragment is a JSON pointer, percent-encoded as
/// URI fragments are. Every reader of bundles follows references through
/// this; `None` for any other reference, or a pointer to nothing.
pub fn local_target<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    root.pointer(&crate::catalog::percent_decode(fragment))
}

/// The value of keyword `name` in `schema`, found by reading its keys:
/// schema objects hold a handful, and comparing them costs less than
/// hashing `name` (serde_json's ordered maps hash with SipHash). For
/// keywords readers ask every schema object about (`not`, `x-rust-name`).
pub fn member<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    match schema {
        Value::Object(map) => member_of(map, name),
        _ => None,
    }
}

/// [`member`] of a schema object already in hand.
pub fn member_of<'a>(map: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The branches of an `allOf` as one object schema ([`merge_all_of`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// `{"type": "object", "properties", "required"}`: every property and
    /// requirement of every branch (the first schema of a property kept).
    pub schema: Value,
    /// Whether `schema` accepts exactly what the `allOf` does: every branch
    /// (a local `$ref` alone is followed) is an object schema of `type`,
    /// `properties`, `required` and annotations only, and the properties
    /// they share have equal schemas.
    pub exact: bool,
}

/// The one `allOf` merge of evreg: code generation plans an exact merge as
/// one struct, and the simulator draws from any merge (the registry then
/// checks what it drew).
pub fn merge_all_of(branches: &[Value], root: &Value) -> Merged {
    use serde_json::Map;
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut exact = true;
    for branch in branches {
        let (target, alone) = match branch.get("$ref").and_then(Value::as_str) {
            Some(r) => (
                local_target(root, r),
                branch
                    .as_object()
                    .is_some_and(|m| m.keys().all(|k| k == "$ref" || keywords::is_annotation(k))),
            ),
            None => (Some(branch), true),
        };
        let Some(b) = target.and_then(Value::as_object) else {
            exact = false;
            continue;
        };
        exact &= alone
            && b.get("type") == Some(&Value::from("object"))
            && b.keys().all(|k| {
                keywords::is_annotation(k)
                    || matches!(k.as_str(), "type" | "properties" | "required")
            });
        for (name, schema) in b
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            match properties.get(name) {
                Some(existing) => exact &= existing == schema,
                None => {
                    properties.insert(name.clone(), schema.clone());
                }
            }
        }
        for r in b
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("required".into(), Value::Array(required));
    Merged {
        schema: Value::Object(schema),
        exact,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn local_targets_are_percent_decoded_pointers() {
        let root = json!({"$defs": {"My Type": {"type": "string"}, "a/b": {"type": "integer"}}});
        assert_eq!(
            super::local_target(&root, "#/$defs/My%20Type"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            super::local_target(&root, "#/$defs/a~1b"),
            Some(&json!({"type": "integer"}))
        );
        assert_eq!(super::local_target(&root, "other.json#/$defs/x"), None);
        assert_eq!(super::local_target(&root, "#/$defs/Nope"), None);
    }

    #[test]
    fn all_of_merges_exactly_only_plain_objects() {
        let root = json!({"$defs": {"Base": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}}});
        let extra = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let merged = super::merge_all_of(&[json!({"$ref": "#/$defs/Base"}), extra.clone()], &root);
        assert!(merged.exact);
        assert_eq!(
            merged.schema,
            json!({"type": "object", "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}, "required": ["id"]})
        );
        // Closed, conflicting, or not an object: a merge to draw from, not exact.
        for other in [
            json!({"type": "object", "additionalProperties": false}),
            json!({"type": "object", "properties": {"id": {"type": "integer"}}}),
            json!({"required": ["n"]}),
            json!({"$ref": "#/$defs/Base", "description": "d", "minProperties": 1}),
        ] {
            let merged =
                super::merge_all_of(&[json!({"$ref": "#/$defs/Base"}), other.clone()], &root);
            assert!(!merged.exact, "{other}");
            assert_eq!(merged.schema["properties"]["id"], json!({"type": "string"}));
        }
    }
}
