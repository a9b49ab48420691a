//! A schema as people read it: a table of its properties, each with its
//! type, whether it is required, its constraints and its description.
//!
//! Constraints are said through [`Rule`], matched exhaustively: a keyword
//! added to evreg is a compile error here until the site says what it makes
//! of it.

use evreg_core::schema::keywords::Rule;
use maud::{Markup, html};
use serde_json::{Map, Value};

/// How far nested inline objects are unfolded into rows (`a.b.c…`); deeper
/// ones are read in the schema itself.
const MAX_DEPTH: usize = 6;

/// Where a `$ref` to `#/$defs/NAME` leads.
pub trait Links {
    /// The link to the definition `name`, if it has a page or a table.
    fn definition(&self, name: &str) -> Option<String>;
}

/// One row of a property table.
pub struct Row {
    /// `customer.email`, `lines[].sku`; `(value)` for a schema without
    /// properties.
    pub path: String,
    /// How deep it is nested (0 for a top-level property).
    pub depth: usize,
    /// Whether it must be present (in its object).
    pub required: bool,
    /// Its type, with links to definitions.
    pub kind: Markup,
    /// What its value must be, one phrase each.
    pub constraints: Vec<Markup>,
    /// Its description.
    pub description: Option<String>,
}

/// The rows of `schema`: its properties (and those of the inline objects
/// they hold), or one row for the value itself.
pub fn rows(schema: &Value, links: &dyn Links) -> Vec<Row> {
    let mut out = Vec::new();
    if has_properties(schema) {
        properties(schema, "", 0, links, &mut out);
    } else {
        out.push(row("(value)".to_owned(), 0, true, schema, links));
    }
    out
}

fn has_properties(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
        || all_of(schema).any(|s| s.get("properties").is_some_and(Value::is_object))
}

fn all_of(schema: &Value) -> impl Iterator<Item = &Value> {
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The rows of an object schema's properties, its `allOf` members' too.
fn properties(schema: &Value, prefix: &str, depth: usize, links: &dyn Links, out: &mut Vec<Row>) {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            let path = format!("{prefix}{name}");
            out.push(row(
                path.clone(),
                depth,
                required.contains(&name.as_str()),
                prop,
                links,
            ));
            if depth + 1 >= MAX_DEPTH {
                continue;
            }
            if has_properties(prop) {
                properties(prop, &format!("{path}."), depth + 1, links, out);
            } else if let Some(items) = prop.get("items").filter(|i| has_properties(i)) {
                properties(items, &format!("{path}[]."), depth + 1, links, out);
            }
        }
    }
    for member in all_of(schema) {
        properties(member, prefix, depth, links, out);
    }
}

fn row(path: String, depth: usize, required: bool, schema: &Value, links: &dyn Links) -> Row {
    Row {
        path,
        depth,
        required,
        kind: kind(schema, links),
        constraints: constraints(schema, links),
        description: description(schema).map(str::to_owned),
    }
}

/// The description of a schema, or of the title it has instead.
pub fn description(schema: &Value) -> Option<&str> {
    schema
        .get("description")
        .or_else(|| schema.get("title"))
        .and_then(Value::as_str)
}

/// The definition a `$ref` names, when it is one of the document's `$defs`.
pub fn definition_name(reference: &str) -> Option<String> {
    let name = reference.strip_prefix("#/$defs/")?;
    (!name.contains('/')).then(|| name.replace("~1", "/").replace("~0", "~"))
}

/// A schema's type in a few words: `string (uuid)`, `array of Money`,
/// `one of: string | integer`.
pub fn kind(schema: &Value, links: &dyn Links) -> Markup {
    let Value::Object(map) = schema else {
        return html! { (if schema == &Value::Bool(false) { "nothing" } else { "any" }) };
    };
    if let Some(Value::String(r)) = map.get("$ref") {
        return match definition_name(r) {
            Some(name) => match links.definition(&name) {
                Some(href) => html! { a href=(href) { (name) } },
                None => html! { (name) },
            },
            None => html! { code { (r) } },
        };
    }
    let types: Vec<&str> = match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let format = map.get("format").and_then(Value::as_str);
    let items = map.get("items").filter(|i| i.is_object());
    let choice = ["oneOf", "anyOf"]
        .into_iter()
        .find_map(|k| map.get(k).and_then(Value::as_array).map(|a| (k, a)));
    html! {
        @for (i, t) in types.iter().enumerate() {
            @if i > 0 { " | " }
            (t)
            @if *t == "array" && let Some(items) = items { " of " (kind(items, links)) }
        }
        @if let Some(f) = format { " (" (f) ")" }
        @if let Some((keyword, options)) = choice {
            @if !types.is_empty() { ", " }
            (if keyword == "oneOf" { "one of: " } else { "any of: " })
            @for (i, option) in options.iter().enumerate() {
                @if i > 0 { " | " }
                (kind(option, links))
            }
        }
        @if types.is_empty() && choice.is_none() {
            @if map.contains_key("const") { "constant" }
            @else if map.contains_key("enum") { "enum" }
            @else if has_properties(schema) { "object" }
            @else { "any" }
        }
    }
}

/// What a schema's value must be, one phrase per keyword; its type,
/// properties and items are said by [`kind`] and the rows.
pub fn constraints(schema: &Value, links: &dyn Links) -> Vec<Markup> {
    let Value::Object(map) = schema else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        if let Some(rule) = Rule::of(key)
            && let Some(phrase) = phrase(rule, value, map, links)
        {
            out.push(phrase);
        }
    }
    if let Some(default) = map.get("default") {
        out.push(html! { "default " code { (default) } });
    }
    if map.get("deprecated") == Some(&Value::Bool(true)) {
        out.push(html! { "deprecated" });
    }
    if map.get("readOnly") == Some(&Value::Bool(true)) {
        out.push(html! { "read-only" });
    }
    out
}

/// `n` of a count keyword's value: `1 item`, `3 items`.
fn count(value: &Value, one: &str, many: &str) -> String {
    match value.as_u64() {
        Some(n) => evreg_core::naming::count(n as usize, one, many),
        None => format!("{value} {many}"),
    }
}

fn values(values: &Value) -> Markup {
    html! {
        @for (i, v) in values.as_array().into_iter().flatten().enumerate() {
            @if i > 0 { ", " }
            code { (v) }
        }
    }
}

fn phrase(
    rule: Rule,
    value: &Value,
    map: &Map<String, Value>,
    links: &dyn Links,
) -> Option<Markup> {
    let kind = |schema: &Value| kind(schema, links);
    let object = || value.as_object().filter(|m| !m.is_empty());
    Some(match rule {
        // Said by `kind`, or by the rows of the table; `then` and `else`
        // with their `if`.
        Rule::Ref
        | Rule::Type
        | Rule::Format
        | Rule::Items
        | Rule::Required
        | Rule::Properties
        | Rule::AllOf
        | Rule::AnyOf
        | Rule::OneOf
        | Rule::Then
        | Rule::Else => return None,
        Rule::Enum => html! { "one of " (values(value)) },
        Rule::Const => html! { "always " code { (value) } },
        Rule::MultipleOf => html! { "a multiple of " (value) },
        Rule::Maximum => html! { "≤ " (value) },
        Rule::ExclusiveMaximum => html! { "< " (value) },
        Rule::Minimum => html! { "≥ " (value) },
        Rule::ExclusiveMinimum => html! { "> " (value) },
        Rule::MaxLength => html! { "at most " (count(value, "character", "characters")) },
        Rule::MinLength => html! { "at least " (count(value, "character", "characters")) },
        Rule::Pattern => html! { "matches " code { (value.as_str().unwrap_or_default()) } },
        Rule::MaxItems => html! { "at most " (count(value, "item", "items")) },
        Rule::MinItems => html! { "at least " (count(value, "item", "items")) },
        Rule::UniqueItems if value == &Value::Bool(true) => html! { "items unique" },
        Rule::UniqueItems => return None,
        Rule::MaxProperties => html! { "at most " (count(value, "property", "properties")) },
        Rule::MinProperties => html! { "at least " (count(value, "property", "properties")) },
        Rule::AdditionalProperties | Rule::UnevaluatedProperties | Rule::UnevaluatedItems => {
            let what = if rule == Rule::UnevaluatedItems {
                "items"
            } else {
                "properties"
            };
            match value {
                Value::Bool(true) => return None,
                Value::Bool(false) if rule == Rule::AdditionalProperties => {
                    html! { "no other properties" }
                }
                Value::Bool(false) => html! { "no " (what) " beyond those described" },
                other => html! { "other " (what) ": " (kind(other)) },
            }
        }
        Rule::PatternProperties => html! {
            @for (i, (pattern, schema)) in object()?.iter().enumerate() {
                @if i > 0 { "; " }
                "properties matching " code { (pattern) } ": " (kind(schema))
            }
        },
        Rule::PropertyNames => html! {
            "property names: "
            @for (i, c) in constraints(value, links).into_iter().enumerate() {
                @if i > 0 { ", " }
                (c)
            }
        },
        Rule::PrefixItems => html! {
            "starts with "
            @for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                @if i > 0 { ", " }
                (kind(item))
            }
        },
        Rule::Contains => html! { "contains " (kind(value)) },
        Rule::MinContains => html! { "contains it at least " (count(value, "time", "times")) },
        Rule::MaxContains => html! { "contains it at most " (count(value, "time", "times")) },
        Rule::Not => html! { "not " (kind(value)) },
        Rule::If => html! {
            "if " (kind(value))
            @if let Some(then) = map.get("then") { ", then " (kind(then)) }
            @if let Some(otherwise) = map.get("else") { ", else " (kind(otherwise)) }
        },
        Rule::DependentRequired => html! {
            @for (i, (name, also)) in object()?.iter().enumerate() {
                @if i > 0 { "; " }
                "with " code { (name) } ", also " (values(also))
            }
        },
        Rule::DependentSchemas => html! {
            @for (i, (name, schema)) in object()?.iter().enumerate() {
                @if i > 0 { "; " }
                "with " code { (name) } ": " (kind(schema))
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct NoLinks;
    impl Links for NoLinks {
        fn definition(&self, name: &str) -> Option<String> {
            (name == "Money").then(|| "../definitions/Money.html".to_owned())
        }
    }

    #[test]
    fn unfolds_inline_objects_and_items_and_links_definitions() {
        let schema = json!({
            "type": "object",
            "required": ["id", "lines"],
            "properties": {
                "id": {"type": "string", "format": "uuid", "description": "The id."},
                "lines": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["sku"],
                    "properties": {"sku": {"type": "string", "pattern": "^[A-Z]+$"}, "price": {"$ref": "#/$defs/Money"}}
                }},
                "note": {"type": ["string", "null"], "maxLength": 10, "default": "x"}
            },
            "additionalProperties": false
        });
        let rows = rows(&schema, &NoLinks);
        let seen: Vec<(&str, usize, bool, String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.depth,
                    r.required,
                    r.kind.clone().into_string(),
                    r.constraints
                        .iter()
                        .map(|c| c.clone().into_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("id", 0, true, "string (uuid)".to_owned(), String::new()),
                (
                    "lines",
                    0,
                    true,
                    "array of object".to_owned(),
                    "at least 1 item".to_owned()
                ),
                (
                    "lines[].sku",
                    1,
                    true,
                    "string".to_owned(),
                    "matches <code>^[A-Z]+$</code>".to_owned()
                ),
                (
                    "lines[].price",
                    1,
                    false,
                    "<a href=\"../definitions/Money.html\">Money</a>".to_owned(),
                    String::new()
                ),
                (
                    "note",
                    0,
                    false,
                    "string | null".to_owned(),
                    "at most 10 characters; default <code>&quot;x&quot;</code>".to_owned()
                ),
            ]
        );
        assert_eq!(rows[0].description.as_deref(), Some("The id."));
    }

    #[test]
    fn a_schema_without_properties_is_one_row_and_text_is_escaped() {
        let rows = rows(
            &json!({"oneOf": [{"type": "string"}, {"const": "<b>"}], "not": {"$ref": "#/$defs/X"}}),
            &NoLinks,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].path, "(value)");
        assert_eq!(
            rows[0].kind.clone().into_string(),
            "one of: string | constant"
        );
        assert_eq!(rows[0].constraints[0].clone().into_string(), "not X");
        let escaped = super::rows(&json!({"const": "<b>"}), &NoLinks);
        assert_eq!(
            escaped[0].constraints[0].clone().into_string(),
            "always <code>&quot;&lt;b&gt;&quot;</code>"
        );
    }
}
