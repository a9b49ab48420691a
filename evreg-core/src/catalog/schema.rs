//! JSON Schema documents: the supported keyword subset, property-name rules and
//! meta-schema validation.

use std::collections::BTreeMap;

use serde_json::Value;

use super::json::{Part, escape_pointer_token};
use super::{DocId, Loader};
use crate::diagnostic::Diagnostic;
use crate::naming::{KeyCase, did_you_mean, field_name, variant_name};
use crate::schema::dialect::Draft;
use crate::schema::formats::{self, FormatKind, format_kind};
use crate::schema::keywords::{self, Rule, Subschemas, TYPES};
use crate::schema::uri;

impl Loader {
    /// Checks a schema document once: meta-schema, supported keywords, formats,
    /// property names (key case, Rust collisions), enum values.
    pub(crate) fn check_schema_doc(&mut self, doc: DocId) {
        if self.docs[doc].schema_checked {
            return;
        }
        self.docs[doc].schema_checked = true;
        let errors_before = self.diags.error_count();
        let value = std::mem::take(&mut self.docs[doc].value);
        match Draft::of(&value, self.rules.keywords.default_draft) {
            Some(draft) => {
                self.docs[doc].draft = draft;
                let meta_valid = self.docs[doc].meta_valid;
                self.report_meta_errors(doc, &value, "", draft, meta_valid);
                self.register_id(doc, &value, draft);
            }
            None => {
                let declared = value.get("$schema").cloned().unwrap_or(Value::Null);
                self.diags.push(
                    Diagnostic::error(
                        "schema-dialect",
                        format!("this document declares the dialect {declared}, which evreg does not read"),
                    )
                    .at(self.locate(doc, "/$schema", Part::Value), "")
                    .with_note(format!(
                        "evreg reads: {}",
                        Draft::ALL.map(Draft::uri).join(", ")
                    ))
                    .with_help("name one of these drafts, or leave `$schema` out (2020-12)"),
                );
            }
        }
        let findings = match self.docs[doc].findings.take() {
            Some(found) => found,
            None => walk_schema(&value, &self.rules),
        };
        self.report_findings(doc, findings);
        let mut value = value;
        if self.docs[doc].draft == Draft::Draft201909 {
            self.recursive_refs(doc, &mut value);
        }
        self.docs[doc].value = value;
        self.docs[doc].schema_errors = self.diags.error_count() > errors_before;
    }

    /// Says a 2019-09 document's `$recursiveRef`s as `$ref`s (before any
    /// reader follows its references), and reports those that cannot be.
    fn recursive_refs(&mut self, doc: DocId, value: &mut Value) {
        let recursive = crate::schema::dialect::recursive_to_ref(value);
        for pointer in &recursive.refused {
            let at = self.locate(doc, &format!("{pointer}/$recursiveRef"), Part::Key);
            self.diags.push(
                Diagnostic::error(
                    "unsupported-keyword",
                    "`$recursiveRef` beside a `$ref`, or with a value other than \"#\", is not supported by evreg",
                )
                .at(at, "")
                .with_help("2019-09 allows only \"#\"; put a `$ref` beside it into an `allOf`"),
            );
        }
        if !recursive.refs.is_empty() {
            // Collected before the translation (prefetch): again, with them.
            self.docs[doc].refs = None;
        }
        self.docs[doc].recursive = Some(recursive);
    }

    /// Records the URI the document's root `$id` (draft-04: `id`) gives it.
    fn register_id(&mut self, doc: DocId, value: &Value, draft: Draft) {
        let keyword = draft.id_keyword();
        let Some(Value::String(id)) = value.get(keyword) else {
            return;
        };
        let pointer = format!("/{keyword}");
        let Some(uri) = uri::id_uri(id) else {
            self.diags.push(
                Diagnostic::error(
                    "invalid-schema",
                    format!("`{keyword}` \"{id}\" is not a URI reference"),
                )
                .at(self.locate(doc, &pointer, Part::Value), ""),
            );
            return;
        };
        match self.ids.get(&uri) {
            Some(&first) if first != doc => {
                let at = self.locate(doc, &pointer, Part::Value);
                let first_at = self.locate(first, &pointer, Part::Value);
                self.diags.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("two schema files declare the `$id` \"{id}\""),
                    )
                    .at(at, "declared again here")
                    .with_label(first_at, "first declared here")
                    .with_help("a `$id` names one schema: give one of the files another"),
                );
            }
            _ => {
                self.ids.insert(uri.clone(), doc);
                self.docs[doc].base = Some(uri);
            }
        }
    }

    /// Checks the manifest's base properties (each a schema).
    pub(crate) fn check_base_doc(&mut self, doc: DocId) {
        let value = std::mem::take(&mut self.docs[doc].value);
        if let Value::Object(props) = &value {
            let rules = self.rules.clone();
            let mut walker = Walker {
                rules: &rules,
                draft: Draft::Draft202012,
                found: Vec::new(),
            };
            walker.property_names(props, "");
            for (name, schema) in props {
                let mut pointer = format!("/{}", escape_pointer_token(name));
                walker.schema(schema, &mut pointer);
                self.report_meta_errors(doc, schema, &pointer, Draft::Draft202012, None);
            }
            self.report_findings(doc, walker.found);
        }
        self.docs[doc].value = value;
    }

    /// Reports where `schema` (at `prefix` in `doc`) breaks the meta-schema
    /// of `draft`; `known_valid` is a verdict already computed elsewhere.
    fn report_meta_errors(
        &mut self,
        doc: DocId,
        schema: &Value,
        prefix: &str,
        draft: Draft,
        known_valid: Option<bool>,
    ) {
        if known_valid.unwrap_or_else(|| draft.meta_is_valid(schema)) {
            return;
        }
        for (path, message) in draft.meta_errors(schema) {
            let pointer = format!("{prefix}{path}");
            if pointer.len() > prefix.len() && is_type_keyword(&pointer) {
                continue; // reported with a suggestion by the walker
            }
            let at = self.locate(doc, &pointer, Part::Value);
            let in_draft = if draft == Draft::Draft202012 {
                String::new()
            } else {
                format!(" ({})", draft.name())
            };
            self.diags.push(
                Diagnostic::error(
                    "invalid-schema",
                    format!("invalid JSON Schema{in_draft}: {message}"),
                )
                .at(at, "here"),
            );
        }
    }

    fn report_findings(&mut self, doc: DocId, findings: Vec<Finding>) {
        for f in findings {
            let at = self.locate(doc, &f.pointer, f.part);
            self.diags.push(f.diag.at(at, f.label));
        }
    }
}

/// Whether a pointer ends at a `type` keyword (or inside its array).
fn is_type_keyword(pointer: &str) -> bool {
    let mut tokens = pointer.rsplit('/');
    match tokens.next() {
        Some("type") => !matches!(tokens.next(), Some("properties" | "$defs")),
        Some(last) if last.chars().all(|c| c.is_ascii_digit()) => tokens.next() == Some("type"),
        _ => false,
    }
}

/// A problem found in a schema document, at a JSON pointer not yet located.
#[derive(Debug)]
pub(crate) struct Finding {
    diag: Diagnostic,
    pointer: String,
    part: Part,
    label: &'static str,
}

impl Finding {
    fn with_note(mut self, note: impl Into<String>) -> Self {
        self.diag = self.diag.with_note(note);
        self
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.diag = self.diag.with_help(help);
        self
    }
}

trait AtPointer {
    fn at_pointer(self, pointer: &str, part: Part, label: &'static str) -> Finding;
}

impl AtPointer for Diagnostic {
    fn at_pointer(self, pointer: &str, part: Part, label: &'static str) -> Finding {
        Finding {
            diag: self,
            pointer: pointer.to_owned(),
            part,
            label,
        }
    }
}

/// Checks a schema's keywords, formats, types, enum values and property names
/// (pure: runs on any thread). Problems are returned with JSON pointers.
pub(crate) fn walk_schema(value: &Value, rules: &SchemaRules) -> Vec<Finding> {
    let mut walker = Walker {
        rules,
        // A `$schema` evreg does not read is reported on its own; the
        // keywords are then read as 2020-12's.
        draft: Draft::of(value, rules.keywords.default_draft)
            .unwrap_or(rules.keywords.default_draft),
        found: Vec::new(),
    };
    walker.schema(value, &mut String::new());
    walker.found
}

/// What the manifest says of schemas: the key case of property names, and
/// the keywords of the team's own.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaRules {
    pub key_case: Option<KeyCase>,
    pub keywords: crate::catalog::KeywordOptions,
    /// Properties the manifest names a field for (`[codegen.rename]`
    /// `"Type.property"`), whose Rust names the code generator checks.
    pub renamed: std::collections::BTreeSet<String>,
    /// The base fields, which the loader merges into each payload schema's
    /// root (and into each branch of a root `oneOf`/`anyOf`).
    pub base: std::collections::BTreeSet<String>,
}

impl SchemaRules {
    pub(crate) fn of(manifest: &crate::catalog::Manifest) -> SchemaRules {
        SchemaRules {
            key_case: manifest.key_case,
            keywords: manifest.keywords.clone(),
            renamed: manifest
                .codegen
                .rename
                .keys()
                .filter_map(|k| k.split_once('.').map(|(_, p)| p.to_owned()))
                .collect(),
            base: manifest.base.properties.keys().cloned().collect(),
        }
    }
}

struct Walker<'r> {
    rules: &'r SchemaRules,
    /// The draft of the document walked.
    draft: Draft,
    found: Vec<Finding>,
}

impl Walker<'_> {
    fn report(&mut self, finding: Finding) {
        self.found.push(finding);
    }

    fn schema(&mut self, value: &Value, pointer: &mut String) {
        let Value::Object(map) = value else {
            return; // booleans are schemas; anything else is a meta-schema error
        };
        self.undeclared_required(map, pointer);
        for (key, sub) in map {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_pointer_token(key));
            self.keyword(key, sub, pointer);
            pointer.truncate(len);
        }
    }

    fn keyword(&mut self, key: &str, value: &Value, pointer: &mut String) {
        match key {
            "properties" => {
                if let Value::Object(props) = value {
                    self.property_names(props, pointer);
                    self.each_member(props, pointer);
                }
            }
            "$id" | "id" if key == "$id" || self.draft == Draft::Draft4 => {
                // Up to draft-07, `"$id": "#name"` is an anchor, not a resource.
                let anchor = self.draft <= Draft::Draft7
                    && value.as_str().is_some_and(|id| id.starts_with('#'));
                if pointer.matches('/').count() > 1 && !anchor {
                    self.report(
                        Diagnostic::error(
                            "unsupported-keyword",
                            format!("`{key}` inside a schema (an embedded resource) is not supported by evreg"),
                        )
                        .at_pointer(pointer, Part::Key, "not supported")
                        .with_help("move the schema to a file of its own, with this `$id` at its root"),
                    );
                }
            }
            "$defs" | "definitions" if key == "$defs" || self.draft.is_definitions(key) => {
                if let Value::Object(defs) = value {
                    self.each_member(defs, pointer);
                }
            }
            // A tuple up to 2019-09; 2020-12 spells it `prefixItems`.
            "items" if value.is_array() => {
                if self.draft <= Draft::Draft201909 {
                    self.subschemas(Subschemas::List, value, pointer);
                } else {
                    self.report(
                        Diagnostic::error(
                            "invalid-schema",
                            "`items` as an array (a tuple) is a keyword of drafts up to 2019-09",
                        )
                        .at_pointer(pointer, Part::Key, "a tuple in draft 2020-12")
                        .with_help(
                            "write `prefixItems` for the tuple, and `items` for the items after it",
                        ),
                    );
                }
            }
            "additionalItems" if self.draft <= Draft::Draft201909 => {
                self.subschemas(Subschemas::One, value, pointer);
            }
            // Names of required properties or schemas, by property.
            "dependencies" if self.draft <= Draft::Draft7 => {
                self.subschemas(Subschemas::Map, value, pointer);
            }
            _ if Rule::of(key).is_some_and(|r| r.subschemas() != Subschemas::None) => {
                let at = Rule::of(key).map_or(Subschemas::None, Rule::subschemas);
                self.subschemas(at, value, pointer);
            }
            "format" => {
                if let Value::String(format) = value {
                    match format_kind(format) {
                        FormatKind::Asserted(_) => {}
                        FormatKind::NotAsserted => self.report(
                            Diagnostic::warning(
                                "format-not-asserted",
                                format!("format `{format}` is accepted but not asserted: evreg does not check it"),
                            )
                            .at_pointer(pointer, Part::Value, "not checked")
                            .with_note(format!(
                                "asserted formats: {}",
                                formats::asserted().collect::<Vec<_>>().join(", ")
                            )),
                        ),
                        FormatKind::Unknown => {
                            let mut d = Diagnostic::error(
                                "unsupported-format",
                                format!("format `{format}` is not a JSON Schema format"),
                            )
                            .at_pointer(pointer, Part::Value, "unknown format")
                            .with_note(format!(
                                "formats: {}",
                                formats::names().collect::<Vec<_>>().join(", ")
                            ));
                            if let Some(close) = did_you_mean(format, formats::names()) {
                                d = d.with_help(format!("did you mean `{close}`?"));
                            }
                            self.report(d);
                        }
                    }
                }
            }
            "type" => {
                let names: Vec<&Value> = match value {
                    Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for name in names {
                    let valid = name.as_str().is_some_and(|n| TYPES.contains(&n));
                    if !valid {
                        let mut d = Diagnostic::error(
                            "invalid-schema",
                            format!("{name} is not a JSON Schema type"),
                        )
                        .at_pointer(pointer, Part::Value, "unknown type")
                        .with_note(format!("types: {}", TYPES.join(", ")));
                        if let Some(close) = name
                            .as_str()
                            .and_then(|n| did_you_mean(n, TYPES.iter().copied()))
                        {
                            d = d.with_help(format!("did you mean `{close}`?"));
                        }
                        self.report(d);
                    }
                }
            }
            "enum" => {
                if let Value::Array(values) = value {
                    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
                    for v in values.iter().filter_map(Value::as_str) {
                        let name = variant_name(v);
                        if let Some(first) = seen.insert(name.clone(), v) {
                            self.report(
                                Diagnostic::warning(
                                    "rust-name-collision",
                                    format!("enum values `{first}` and `{v}` both become the Rust variant `{name}`"),
                                )
                                .at_pointer(pointer, Part::Value, "")
                                .with_note("generated code keeps this enum a string, checked by validate()"),
                            );
                        }
                    }
                }
            }
            _ if keywords::is_supported_in(key, self.draft) => {}
            _ if let Some(k) = keywords::keyword(key) => {
                let d = match k.support {
                    keywords::Support::Until(last) => Diagnostic::error(
                        "unsupported-keyword",
                        format!(
                            "`{key}` is a keyword of drafts up to {}, and this document is {}",
                            last.name(),
                            self.draft.name()
                        ),
                    )
                    .at_pointer(pointer, Part::Key, "not a keyword of this draft")
                    .with_help(match key {
                        "definitions" => "use `$defs`",
                        "dependencies" => {
                            "use `dependentRequired` (names) and `dependentSchemas` (schemas)"
                        }
                        _ => "use `prefixItems` for the tuple and `items` for the items after it",
                    }),
                    keywords::Support::In(only) => Diagnostic::error(
                        "unsupported-keyword",
                        format!(
                            "`{key}` is a keyword of draft {} only, and this document is {}",
                            only.name(),
                            self.draft.name()
                        ),
                    )
                    .at_pointer(pointer, Part::Key, "not a keyword of this draft")
                    .with_help("use `$ref`, or declare draft 2019-09 in `$schema`"),
                    _ => Diagnostic::error(
                        "unsupported-keyword",
                        format!("JSON Schema keyword `{key}` is not supported by evreg"),
                    )
                    .at_pointer(pointer, Part::Key, "not supported")
                    .with_note("docs/catalog-format.md lists the supported keywords"),
                };
                self.report(d);
            }
            _ if self.rules.keywords.annotations.iter().any(|a| a == key) => {}
            _ => {
                let warn = self.rules.keywords.unknown_is_warning;
                let message = format!("`{key}` is not a JSON Schema keyword");
                let mut d = if warn {
                    Diagnostic::warning("unknown-keyword", message)
                } else {
                    Diagnostic::error("unknown-keyword", message)
                }
                .at_pointer(pointer, Part::Key, "unknown keyword");
                if let Some(close) = did_you_mean(key, keywords::supported()) {
                    d = d.with_help(format!("did you mean `{close}`?"));
                } else if warn {
                    d = d.with_note("ignored: it validates nothing");
                } else {
                    d = d.with_help(format!(
                        "a keyword of your own: start it with `x-`, or declare it in catalog.toml: `[schema] annotations = [\"{key}\"]`"
                    ));
                }
                self.report(d);
            }
        }
    }

    /// The subschemas in a keyword's `value`, where `at` says they are.
    fn subschemas(&mut self, at: Subschemas, value: &Value, pointer: &mut String) {
        match (at, value) {
            (Subschemas::One, _) => self.schema(value, pointer),
            (Subschemas::List, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    self.schema(item, pointer);
                    pointer.truncate(len);
                }
            }
            (Subschemas::Map, Value::Object(members)) => self.each_member(members, pointer),
            _ => {}
        }
    }

    fn each_member(&mut self, map: &serde_json::Map<String, Value>, pointer: &mut String) {
        for (name, sub) in map {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_pointer_token(name));
            self.schema(sub, pointer);
            pointer.truncate(len);
        }
    }

    /// A `required` name that the same object's `properties` do not
    /// declare: a typo (`usrId` for `userId`) that no payload can satisfy
    /// when `additionalProperties` is `false` (an error), and that lets any
    /// value pass for it otherwise (a warning). Objects whose other keywords
    /// may declare it (`$ref`, `allOf`, `if`/`then`, `patternProperties` …)
    /// are left alone, and so are the base fields where the loader merges
    /// them (a payload schema's root, and the branches of a root union).
    fn undeclared_required(&mut self, map: &serde_json::Map<String, Value>, pointer: &str) {
        const MAY_DECLARE: &[&str] = &[
            "$ref",
            "$recursiveRef",
            "allOf",
            "anyOf",
            "oneOf",
            "not",
            "if",
            "then",
            "else",
            "dependentSchemas",
            "dependencies",
            "patternProperties",
            "unevaluatedProperties",
        ];
        let (Some(Value::Object(properties)), Some(Value::Array(required))) =
            (map.get("properties"), map.get("required"))
        else {
            return;
        };
        if map.keys().any(|k| MAY_DECLARE.contains(&k.as_str())) {
            return;
        }
        let at_root = pointer.is_empty()
            || ["/oneOf/", "/anyOf/"].iter().any(|u| {
                pointer
                    .strip_prefix(u)
                    .is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit()))
            });
        let closed = map.get("additionalProperties") == Some(&Value::Bool(false));
        for (i, name) in required.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            if properties.contains_key(name) || (at_root && self.rules.base.contains(name)) {
                continue;
            }
            let d = if closed {
                Diagnostic::error(
                    "undeclared-required",
                    format!(
                        "`{name}` is required, but `properties` does not declare it and `additionalProperties: false` refuses it: no payload can be valid"
                    ),
                )
            } else {
                Diagnostic::warning(
                    "undeclared-required",
                    format!(
                        "`{name}` is required, but `properties` does not declare it: any value passes for it, and generated code holds it as `serde_json::Value`"
                    ),
                )
            };
            let help = match did_you_mean(name, properties.keys().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("declare `{name}` in `properties`, or drop it from `required`"),
            };
            self.report(
                d.at_pointer(
                    &format!("{pointer}/required/{i}"),
                    Part::Value,
                    "not declared",
                )
                .with_help(help),
            );
        }
    }

    /// Key case and Rust field-name collisions of one object's property names.
    fn property_names(&mut self, schema: &serde_json::Map<String, Value>, pointer: &str) {
        let mut fields: BTreeMap<String, &str> = BTreeMap::new();
        for (name, property) in schema {
            let at = format!("{pointer}/{}", escape_pointer_token(name));
            if let Some(case) = self.rules.key_case
                && !case.matches(name)
            {
                self.report(
                    Diagnostic::error(
                        "key-case",
                        format!(
                            "property `{name}` does not follow the catalog's key_case `{}`",
                            case.as_str()
                        ),
                    )
                    .at_pointer(&at, Part::Key, "")
                    .with_help(format!("rename it `{}`", case.convert(name))),
                );
            }
            let chosen = crate::schema::member(property, "x-rust-name").and_then(Value::as_str);
            let field = chosen.map_or_else(|| field_name(name), str::to_owned);
            if self.rules.renamed.contains(name) {
                continue;
            }
            if let Some(first) = fields.insert(field.clone(), name) {
                let mut d = Diagnostic::warning(
                    "rust-name-collision",
                    format!(
                        "properties `{first}` and `{name}` both become the Rust field `{field}`"
                    ),
                )
                .at_pointer(&at, Part::Key, "");
                if first.eq_ignore_ascii_case(name) {
                    // `userId` beside `userID`: more often a typo than two fields.
                    d = d.with_note(format!(
                        "`{first}` and `{name}` differ only in letter case: if one is a typo, rename or remove it"
                    ));
                }
                self.report(
                    d.with_note("`evreg generate` and the derive refuse until one has a name of its own")
                    .with_help(format!(
                        "name its field with `\"x-rust-name\": \"…\"` in the property's schema, or in the manifest's [codegen.rename] (\"Type.{name}\" = \"…\")"
                    )),
                );
            }
        }
    }
}
