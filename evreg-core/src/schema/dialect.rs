//! The drafts of JSON Schema evreg reads, and what each means where they
//! differ. A document's `$schema` picks its draft (2020-12 when it declares
//! none); it is checked against that draft's meta-schema, and the payload
//! schemas evreg bundles from it say in 2020-12 what it says in its own draft
//! ([`Draft::translate`]), so that the registry, generated code,
//! compatibility and the simulator read one dialect.

use serde_json::{Map, Value};

use super::keywords;

/// A draft of JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Draft {
    /// Draft 4 (`http://json-schema.org/draft-04/schema#`).
    Draft4,
    /// Draft 6.
    Draft6,
    /// Draft 7.
    Draft7,
    /// Draft 2019-09.
    Draft201909,
    /// Draft 2020-12, evreg's own: the default, and what bundles are written in.
    Draft202012,
}

impl Draft {
    /// Every draft, oldest first.
    pub const ALL: [Draft; 5] = [
        Draft::Draft4,
        Draft::Draft6,
        Draft::Draft7,
        Draft::Draft201909,
        Draft::Draft202012,
    ];

    /// The draft a `$schema` URI names: `http` or `https`, with or without
    /// the empty fragment (`…/draft-07/schema#`), as published.
    pub fn from_uri(uri: &str) -> Option<Draft> {
        let uri = uri.strip_suffix('#').unwrap_or(uri);
        let rest = uri
            .strip_prefix("https://")
            .or_else(|| uri.strip_prefix("http://"))?;
        Some(match rest {
            "json-schema.org/draft-04/schema" => Draft::Draft4,
            "json-schema.org/draft-06/schema" => Draft::Draft6,
            "json-schema.org/draft-07/schema" => Draft::Draft7,
            "json-schema.org/draft/2019-09/schema" => Draft::Draft201909,
            "json-schema.org/draft/2020-12/schema" => Draft::Draft202012,
            _ => return None,
        })
    }

    /// The draft a person names: `draft-07`, `07`, `2019-09`,
    /// `draft 2020-12`, … (case, spaces and dashes aside).
    pub fn from_name(name: &str) -> Option<Draft> {
        let key: String = name
            .to_ascii_lowercase()
            .replace("draft", "")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        Some(match key.as_str() {
            "4" | "04" => Draft::Draft4,
            "6" | "06" => Draft::Draft6,
            "7" | "07" => Draft::Draft7,
            "201909" => Draft::Draft201909,
            "202012" => Draft::Draft202012,
            _ => return None,
        })
    }

    /// Its canonical `$schema` URI.
    pub fn uri(self) -> &'static str {
        match self {
            Draft::Draft4 => "http://json-schema.org/draft-04/schema#",
            Draft::Draft6 => "http://json-schema.org/draft-06/schema#",
            Draft::Draft7 => "http://json-schema.org/draft-07/schema#",
            Draft::Draft201909 => "https://json-schema.org/draft/2019-09/schema",
            Draft::Draft202012 => "https://json-schema.org/draft/2020-12/schema",
        }
    }

    /// Its name in messages: `draft-07`.
    pub fn name(self) -> &'static str {
        match self {
            Draft::Draft4 => "draft-04",
            Draft::Draft6 => "draft-06",
            Draft::Draft7 => "draft-07",
            Draft::Draft201909 => "draft 2019-09",
            Draft::Draft202012 => "draft 2020-12",
        }
    }

    /// The draft of a schema document: its `$schema`, or `default` when it
    /// declares none; `None` when its `$schema` names no draft evreg reads.
    pub fn of(document: &Value, default: Draft) -> Option<Draft> {
        match document.get("$schema") {
            None => Some(default),
            Some(Value::String(uri)) => Draft::from_uri(uri),
            Some(_) => None,
        }
    }

    /// Whether `schema` is valid against this draft's meta-schema.
    pub fn meta_is_valid(self, schema: &Value) -> bool {
        match self {
            Draft::Draft4 => jsonschema::draft4::meta::is_valid(schema),
            Draft::Draft6 => jsonschema::draft6::meta::is_valid(schema),
            Draft::Draft7 => jsonschema::draft7::meta::is_valid(schema),
            Draft::Draft201909 => jsonschema::draft201909::meta::is_valid(schema),
            Draft::Draft202012 => jsonschema::draft202012::meta::is_valid(schema),
        }
    }

    /// Where `schema` breaks this draft's meta-schema: (instance pointer,
    /// message) of each error.
    pub fn meta_errors(self, schema: &Value) -> Vec<(String, String)> {
        let validator = match self {
            Draft::Draft4 => jsonschema::draft4::meta::validator(),
            Draft::Draft6 => jsonschema::draft6::meta::validator(),
            Draft::Draft7 => jsonschema::draft7::meta::validator(),
            Draft::Draft201909 => jsonschema::draft201909::meta::validator(),
            Draft::Draft202012 => jsonschema::draft202012::meta::validator(),
        };
        validator
            .iter_errors(schema)
            .map(|e| {
                (
                    e.instance_path().as_str().to_owned(),
                    e.masked().to_string(),
                )
            })
            .collect()
    }

    /// The container of reusable schemas in this draft: `definitions` before
    /// 2019-09, `$defs` since (2019-09 reads both).
    pub fn is_definitions(self, keyword: &str) -> bool {
        match keyword {
            "$defs" => self >= Draft::Draft201909,
            "definitions" => self <= Draft::Draft201909,
            _ => false,
        }
    }

    /// The keyword that gives a document its URI: `id` in draft-04, `$id` since.
    pub fn id_keyword(self) -> &'static str {
        if self == Draft::Draft4 { "id" } else { "$id" }
    }

    /// Whether keywords beside `$ref` are ignored: up to draft-07, a schema
    /// with `$ref` is only its reference.
    pub fn ref_overrides_siblings(self) -> bool {
        self <= Draft::Draft7
    }

    /// Rewrites a schema (a whole document, or a definition copied out of
    /// one) of this draft in place so that it means the same in 2020-12:
    /// keywords beside `$ref` that this draft ignores are dropped (returned,
    /// as pointers, for a warning; annotations are kept), draft-04's `id`
    /// becomes `$id`, and its boolean `exclusiveMinimum`/`exclusiveMaximum`
    /// become the numbers they qualify; up to draft-07, `dependencies` is
    /// split into `dependentRequired` and `dependentSchemas`; up to 2019-09,
    /// `items` as an array (a tuple) becomes `prefixItems` and
    /// `additionalItems` the `items` after it. The definitions container is moved by
    /// the bundler, which also rewrites the references into it.
    pub fn translate(self, schema: &mut Value) -> Vec<String> {
        let mut dropped = Vec::new();
        if self == Draft::Draft202012 {
            return dropped;
        }
        for_each_schema_mut(schema, &mut |map, pointer| {
            if self.ref_overrides_siblings() && map.contains_key("$ref") {
                let ignored: Vec<String> = map
                    .keys()
                    .filter(|k| *k != "$ref" && !keywords::validates_nothing(k))
                    .cloned()
                    .collect();
                for k in ignored {
                    map.remove(&k);
                    dropped.push(format!(
                        "{pointer}/{}",
                        crate::catalog::escape_pointer_token(&k)
                    ));
                }
            }
            if self == Draft::Draft4 {
                draft4_to_2020(map);
            }
            if self <= Draft::Draft7 {
                split_dependencies(map);
            }
            if self <= Draft::Draft201909 {
                tuple_items(map);
            }
            // Up to draft-07 an anchor is an `$id` that is a bare fragment.
            if let Some(name) = map
                .get("$id")
                .and_then(Value::as_str)
                .and_then(|id| id.strip_prefix('#'))
                .filter(|name| !name.is_empty())
            {
                let name = name.to_owned();
                map.remove("$id");
                map.insert("$anchor".to_owned(), Value::String(name));
            }
        });
        dropped
    }

    /// The anchor a schema object declares, as this draft spells it:
    /// `"$anchor": "name"` from 2019-09, `"$id": "#name"` before (draft-04:
    /// `"id"`).
    pub fn anchor_of(self, map: &Map<String, Value>) -> Option<&str> {
        if self >= Draft::Draft201909 {
            return map.get("$anchor").and_then(Value::as_str);
        }
        map.get(self.id_keyword())
            .and_then(Value::as_str)
            .and_then(|id| id.strip_prefix('#'))
            .filter(|name| !name.is_empty())
    }

    /// The JSON pointer of the schema in `document` (of this draft) that
    /// declares the anchor `name`.
    pub fn anchor(self, document: &Value, name: &str) -> Option<String> {
        let mut copy = document.clone();
        let mut found = None;
        for_each_schema_mut(&mut copy, &mut |map, pointer| {
            if found.is_none() && self.anchor_of(map) == Some(name) {
                found = Some(pointer.to_owned());
            }
        });
        found
    }
}

/// A keyword of a 2020-12 schema that an older draft has no words for
/// ([`Draft::from_2020_12`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsaid {
    /// The JSON pointer of the schema object holding it.
    pub pointer: String,
    /// The keyword.
    pub keyword: String,
}

impl Draft {
    /// Says in this draft what the 2020-12 `schema` (a bundle) says: the
    /// reverse of [`Draft::translate`]. The definitions container is
    /// `definitions` up to draft-07 (and references into it follow), tuples
    /// are `items: [..]` with `additionalItems` up to 2019-09, `dependencies`
    /// up to draft-07, an anchor is an `$id` of a bare fragment up to
    /// draft-07, a `$ref` with siblings becomes an `allOf` where `$ref`
    /// overrides its siblings, and draft-04's `const` and exclusive bounds
    /// take its spellings. Annotations stay (validators skip keywords they do
    /// not know). A keyword that validates and that this draft lacks
    /// (`unevaluatedProperties` before 2019-09, `if` in draft-06, …) leaves
    /// `schema` half-said: the error names every one.
    pub fn from_2020_12(self, schema: &mut Value) -> Result<(), Vec<Unsaid>> {
        if let Value::Object(map) = schema {
            map.insert("$schema".to_owned(), Value::from(self.uri()));
        }
        if self == Draft::Draft202012 {
            return Ok(());
        }
        let mut unsaid = Vec::new();
        for_each_schema_mut(schema, &mut |map, pointer| {
            for key in map.keys() {
                if keywords::validates_nothing(key) {
                    continue;
                }
                let since = since(key);
                let expressible = match key.as_str() {
                    // Said in other words below.
                    "const" | "dependentRequired" | "dependentSchemas" | "prefixItems" => true,
                    "$anchor" => true,
                    _ => since <= self,
                };
                if !expressible {
                    unsaid.push(Unsaid {
                        pointer: pointer.to_owned(),
                        keyword: key.clone(),
                    });
                }
            }
            if self.ref_overrides_siblings() {
                ref_beside_siblings_in_all_of(map);
            }
            if self <= Draft::Draft201909 {
                items_as_tuple(map);
            }
            if self <= Draft::Draft7 {
                join_dependencies(map);
                if let Some(defs) = map.remove("$defs") {
                    if map.contains_key("definitions") {
                        unsaid.push(Unsaid {
                            pointer: pointer.to_owned(),
                            keyword: "definitions".to_owned(),
                        });
                    }
                    map.insert("definitions".to_owned(), defs);
                }
                if let Some(Value::String(r)) = map.get_mut("$ref")
                    && r.starts_with('#')
                {
                    *r = r
                        .split('/')
                        .map(|t| if t == "$defs" { "definitions" } else { t })
                        .collect::<Vec<_>>()
                        .join("/");
                }
                if let Some(Value::String(name)) = map.remove("$anchor") {
                    map.insert(
                        self.id_keyword().to_owned(),
                        Value::String(format!("#{name}")),
                    );
                }
            }
            if self == Draft::Draft4 {
                draft2020_to_4(map);
            }
        });
        if unsaid.is_empty() {
            Ok(())
        } else {
            Err(unsaid)
        }
    }
}

/// The first draft that has `keyword` (draft-04 for the keywords every
/// draft has, and for names that are no keyword).
fn since(keyword: &str) -> Draft {
    match keyword {
        "const" | "contains" | "propertyNames" | "examples" => Draft::Draft6,
        "if" | "then" | "else" | "$comment" | "readOnly" | "writeOnly" | "contentMediaType"
        | "contentEncoding" => Draft::Draft7,
        "$anchor"
        | "$defs"
        | "dependentRequired"
        | "dependentSchemas"
        | "minContains"
        | "maxContains"
        | "unevaluatedProperties"
        | "unevaluatedItems"
        | "deprecated"
        | "contentSchema" => Draft::Draft201909,
        "prefixItems" | "$dynamicRef" | "$dynamicAnchor" => Draft::Draft202012,
        _ => Draft::Draft4,
    }
}

/// Up to draft-07 a `$ref` overrides its siblings: a `$ref` beside keywords
/// that validate moves into the `allOf` (made if missing), where it applies
/// beside them as 2020-12 has it.
fn ref_beside_siblings_in_all_of(map: &mut Map<String, Value>) {
    if !map.contains_key("$ref")
        || map
            .keys()
            .all(|k| k == "$ref" || keywords::validates_nothing(k))
    {
        return;
    }
    let Some(reference) = map.remove("$ref") else {
        return;
    };
    let mut one = Map::new();
    one.insert("$ref".to_owned(), reference);
    match map.get_mut("allOf") {
        Some(Value::Array(all)) => all.push(Value::Object(one)),
        _ => {
            map.insert("allOf".to_owned(), Value::Array(vec![Value::Object(one)]));
        }
    }
}

/// [`tuple_items`] reversed: `prefixItems` is `items` as an array, and the
/// `items` after it `additionalItems`.
fn items_as_tuple(map: &mut Map<String, Value>) {
    let Some(tuple) = map.remove("prefixItems") else {
        return;
    };
    if let Some(rest) = map.remove("items") {
        map.insert("additionalItems".to_owned(), rest);
    }
    map.insert("items".to_owned(), tuple);
}

/// [`split_dependencies`] reversed.
fn join_dependencies(map: &mut Map<String, Value>) {
    let mut dependencies = Map::new();
    for keyword in ["dependentRequired", "dependentSchemas"] {
        if let Some(Value::Object(members)) = map.remove(keyword) {
            dependencies.extend(members);
        }
    }
    if !dependencies.is_empty() {
        map.insert("dependencies".to_owned(), Value::Object(dependencies));
    }
}

/// [`draft4_to_2020`] reversed, and `const` as the `enum` of one value
/// (draft-04 has no `const`).
fn draft2020_to_4(map: &mut Map<String, Value>) {
    if let Some(id) = map.remove("$id") {
        map.insert("id".to_owned(), id);
    }
    if let Some(value) = map.remove("const") {
        let mut one = Map::new();
        one.insert("enum".to_owned(), Value::Array(vec![value]));
        if map.contains_key("enum") {
            // Both hold: the `const` joins the `allOf`.
            match map.get_mut("allOf") {
                Some(Value::Array(all)) => all.push(Value::Object(one)),
                _ => {
                    map.insert("allOf".to_owned(), Value::Array(vec![Value::Object(one)]));
                }
            }
        } else {
            map.extend(one);
        }
    }
    for (exclusive, bound, stronger) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        let Some(limit) = map.get(exclusive).and_then(Value::as_f64) else {
            continue;
        };
        let exclusive_wins = map
            .get(bound)
            .and_then(Value::as_f64)
            .is_none_or(|inclusive| limit.total_cmp(&inclusive) != stronger.reverse());
        let value = map.remove(exclusive).unwrap_or_default();
        if exclusive_wins {
            map.insert(bound.to_owned(), value);
            map.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }
}

/// What a 2019-09 document's `$recursiveRef`s became ([`recursive_to_ref`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recursive {
    /// Whether the document's root says `"$recursiveAnchor": true`.
    pub anchored: bool,
    /// The pointers of the schema objects whose `"$recursiveRef": "#"`
    /// became `"$ref": "#"`.
    pub refs: Vec<String>,
    /// The pointers of `$recursiveRef`s that could not: beside a `$ref`,
    /// or not `"#"` (the only value 2019-09 allows).
    pub refused: Vec<String>,
}

/// Says a 2019-09 document's `$recursiveRef`s in 2020-12's words: each
/// `"$recursiveRef": "#"` becomes `"$ref": "#"`, its document's root, and
/// every `$recursiveAnchor` goes. That is exactly 2019-09's meaning when the
/// root has no `"$recursiveAnchor": true`, and when the document is the
/// payload schema (the outermost resource of every evaluation); where an
/// anchored document is reached from another, the bundler retargets or
/// refuses its references (`Loader::recursive_targets`, at bundling).
pub fn recursive_to_ref(document: &mut Value) -> Recursive {
    let mut out = Recursive {
        anchored: document.get("$recursiveAnchor") == Some(&Value::Bool(true)),
        ..Recursive::default()
    };
    for_each_schema_mut(document, &mut |map, pointer| {
        map.remove("$recursiveAnchor");
        let Some(target) = map.get("$recursiveRef") else {
            return;
        };
        if target != "#" || map.contains_key("$ref") {
            out.refused.push(pointer.to_owned());
            return;
        }
        map.remove("$recursiveRef");
        map.insert("$ref".to_owned(), Value::from("#"));
        out.refs.push(pointer.to_owned());
    });
    out
}

/// Calls `f` on every schema object in `schema` (itself included), with its
/// JSON pointer, parents before their subschemas; `f` may change the
/// keywords of the object it is given.
pub fn for_each_schema_mut(schema: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>, &str)) {
    visit(schema, &mut String::new(), f);
}

fn visit(
    schema: &mut Value,
    pointer: &mut String,
    f: &mut impl FnMut(&mut Map<String, Value>, &str),
) {
    let Value::Object(map) = schema else { return };
    f(map, pointer);
    for (key, sub) in map.iter_mut() {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&crate::catalog::escape_pointer_token(key));
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(members) = sub {
                    for (name, member) in members.iter_mut() {
                        let len = pointer.len();
                        pointer.push('/');
                        pointer.push_str(&crate::catalog::escape_pointer_token(name));
                        visit(member, pointer, f);
                        pointer.truncate(len);
                    }
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" | "items" if sub.is_array() => {
                if let Value::Array(items) = sub {
                    for (i, item) in items.iter_mut().enumerate() {
                        let len = pointer.len();
                        pointer.push_str(&format!("/{i}"));
                        visit(item, pointer, f);
                        pointer.truncate(len);
                    }
                }
            }
            "items"
            | "additionalProperties"
            | "additionalItems"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "contentSchema" => visit(sub, pointer, f),
            _ => {}
        }
        pointer.truncate(len);
    }
}

/// `dependencies` (up to draft-07) in 2020-12: a member whose value is an
/// array of names goes to `dependentRequired`, one whose value is a schema
/// to `dependentSchemas`.
fn split_dependencies(map: &mut Map<String, Value>) {
    let Some(Value::Object(dependencies)) = map.remove("dependencies") else {
        return;
    };
    let (mut required, mut schemas) = (Map::new(), Map::new());
    for (name, dependency) in dependencies {
        if dependency.is_array() {
            required.insert(name, dependency);
        } else {
            schemas.insert(name, dependency);
        }
    }
    for (keyword, members) in [
        ("dependentRequired", required),
        ("dependentSchemas", schemas),
    ] {
        if !members.is_empty() {
            map.insert(keyword.to_owned(), Value::Object(members));
        }
    }
}

/// Tuples up to 2019-09 in 2020-12: `items: [a, b]` is `prefixItems: [a,
/// b]`, and `additionalItems` is then `items`; beside an `items` that is
/// one schema (or none), `additionalItems` has no effect and is dropped.
fn tuple_items(map: &mut Map<String, Value>) {
    let additional = map.remove("additionalItems");
    if !map.get("items").is_some_and(Value::is_array) {
        return;
    }
    if let Some(tuple) = map.remove("items") {
        map.insert("prefixItems".to_owned(), tuple);
    }
    if let Some(rest) = additional {
        map.insert("items".to_owned(), rest);
    }
}

/// Draft-04's spellings in 2020-12: `id` → `$id`; `exclusiveMinimum: true`
/// beside `minimum: n` → `exclusiveMinimum: n` (and the same for maximum).
fn draft4_to_2020(map: &mut Map<String, Value>) {
    if let Some(id) = map.remove("id") {
        if id.is_string() {
            map.insert("$id".to_owned(), id);
        } else {
            map.insert("id".to_owned(), id);
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(exclusive) {
            Some(Value::Bool(true)) => {
                map.remove(exclusive);
                if let Some(n) = map.remove(bound) {
                    map.insert(exclusive.to_owned(), n);
                }
            }
            Some(Value::Bool(false)) => {
                map.remove(exclusive);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_uris_as_published() {
        for (uri, draft) in [
            ("http://json-schema.org/draft-07/schema", Draft::Draft7),
            ("http://json-schema.org/draft-07/schema#", Draft::Draft7),
            ("https://json-schema.org/draft-07/schema#", Draft::Draft7),
            ("http://json-schema.org/draft-04/schema#", Draft::Draft4),
            (
                "https://json-schema.org/draft/2019-09/schema",
                Draft::Draft201909,
            ),
            (
                "https://json-schema.org/draft/2020-12/schema",
                Draft::Draft202012,
            ),
        ] {
            assert_eq!(Draft::from_uri(uri), Some(draft), "{uri}");
            assert_eq!(Draft::from_uri(draft.uri()), Some(draft));
        }
        assert_eq!(Draft::from_uri("https://example.org/my-dialect"), None);
        for (name, draft) in [
            ("draft-07", Draft::Draft7),
            ("Draft 7", Draft::Draft7),
            ("2019-09", Draft::Draft201909),
            ("draft 2020-12", Draft::Draft202012),
            ("draft-04", Draft::Draft4),
        ] {
            assert_eq!(Draft::from_name(name), Some(draft), "{name}");
        }
        assert_eq!(Draft::from_name("draft-08"), None);
        assert_eq!(
            Draft::of(&json!({}), Draft::Draft202012),
            Some(Draft::Draft202012)
        );
        assert_eq!(Draft::of(&json!({}), Draft::Draft7), Some(Draft::Draft7));
        assert_eq!(Draft::of(&json!({"$schema": "x"}), Draft::Draft7), None);
    }

    #[test]
    fn draft7_ref_siblings_are_dropped_but_annotations_kept() {
        let mut s = json!({
            "type": "object",
            "properties": {
                "a": { "$ref": "#/definitions/A", "type": "string", "description": "kept" },
                "b": { "allOf": [{ "$ref": "x.json", "minLength": 3 }] }
            }
        });
        let dropped = Draft::Draft7.translate(&mut s);
        assert_eq!(
            dropped,
            ["/properties/a/type", "/properties/b/allOf/0/minLength"]
        );
        assert_eq!(
            s["properties"]["a"],
            json!({ "$ref": "#/definitions/A", "description": "kept" })
        );
        // In 2019-09 and 2020-12 siblings apply: nothing changes.
        let mut same = json!({ "$ref": "x.json", "minLength": 3 });
        assert!(Draft::Draft201909.translate(&mut same).is_empty());
        assert_eq!(same["minLength"], 3);
    }

    #[test]
    fn dependencies_and_tuples_in_2020_12_words() {
        let mut s = json!({
            "dependencies": { "card": ["billing"], "vip": { "required": ["tier"] } },
            "properties": {
                "pair": { "items": [{ "type": "string" }, { "type": "integer" }], "additionalItems": false },
                "list": { "items": { "type": "string" }, "additionalItems": false }
            }
        });
        Draft::Draft7.translate(&mut s);
        assert_eq!(
            s,
            json!({
                "properties": {
                    "pair": { "prefixItems": [{ "type": "string" }, { "type": "integer" }], "items": false },
                    "list": { "items": { "type": "string" } }
                },
                "dependentRequired": { "card": ["billing"] },
                "dependentSchemas": { "vip": { "required": ["tier"] } }
            })
        );
        // 2019-09 has `dependentRequired` of its own, and tuples still.
        let mut t = json!({ "items": [true], "additionalItems": { "type": "null" } });
        Draft::Draft201909.translate(&mut t);
        assert_eq!(
            t,
            json!({ "prefixItems": [true], "items": { "type": "null" } })
        );
    }

    #[test]
    fn draft4_spellings() {
        let mut s = json!({ "id": "thing", "type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false });
        Draft::Draft4.translate(&mut s);
        assert_eq!(
            s,
            json!({ "$id": "thing", "type": "integer", "exclusiveMinimum": 0, "maximum": 9 })
        );
    }
}
