//! Resolving declarations into the model, and the semantic checks: names,
//! duplicates, lifecycle, base fields, Rust names, examples.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::json::{Part, escape_pointer_token};
use super::model::{Event, Example, InvalidExample, Manifest, PayloadVersion, Status};
use super::resolve::Bundled;
use super::schema::SchemaRules;
use super::{DocId, EventDecl, Loader, normalize};
use crate::diagnostic::Diagnostic;
use crate::naming::{did_you_mean, is_valid_event_type, pascal_name, schema_ref};
use crate::source::Span;

impl Pending {
    /// The documents of its examples and invalid payloads.
    fn payload_docs(&self) -> impl Iterator<Item = DocId> + '_ {
        self.examples
            .iter()
            .map(|e| e.0)
            .chain(self.invalid.iter().map(|i| i.1))
    }
}

/// `(combinator, branches)` when `map` is a `oneOf` or `anyOf` (and nothing
/// else that validates) whose every branch is an object schema: inline with
/// `"type": "object"`, or a `$ref` into the bundle's `$defs` that is one.
/// The JSON pointer of the first key or string holding a NUL character in
/// `value` (`pointer` is where `value` is), and which of the two it is.
fn nul_at(value: &Value, pointer: String) -> Option<(String, Part)> {
    match value {
        Value::String(s) if s.contains('\0') => Some((pointer, Part::Value)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, format!("{pointer}/{i}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = format!("{pointer}/{}", escape_pointer_token(k));
            if k.contains('\0') {
                Some((here, Part::Key))
            } else {
                nul_at(v, here)
            }
        }),
        _ => None,
    }
}

fn object_alternatives(root: &Value) -> Option<(&'static str, usize)> {
    let map = root.as_object()?;
    let combinator = ["oneOf", "anyOf"]
        .into_iter()
        .find(|c| map.contains_key(*c))?;
    let others_validate = map
        .keys()
        .any(|k| k != combinator && !crate::schema::keywords::validates_nothing(k) && k != "$id");
    let branches = map.get(combinator)?.as_array()?;
    if others_validate || branches.is_empty() {
        return None;
    }
    let is_object = |schema: &Value| schema.get("type").and_then(Value::as_str) == Some("object");
    let all_objects = branches
        .iter()
        .all(|b| match b.get("$ref").and_then(Value::as_str) {
            Some(r) => crate::schema::local_target(root, r).is_some_and(is_object),
            None => is_object(b),
        });
    all_objects.then_some((combinator, branches.len()))
}

/// A resolved version waiting for its examples to be checked.
struct Pending {
    event: usize,
    version: PayloadVersion,
    examples: Vec<(DocId, Span)>,
    invalid: Vec<(String, DocId, Span)>,
}

impl Loader {
    pub(crate) fn resolve_and_check(
        &mut self,
        manifest: &Manifest,
        decls: Vec<EventDecl>,
    ) -> (Vec<Event>, BTreeMap<String, Value>) {
        self.rules = SchemaRules::of(manifest);
        if let Some(base) = self.base_doc {
            self.check_base_doc(base);
        }
        let mut shared: BTreeMap<String, Bundled> = BTreeMap::new();
        for (path, span) in self.definition_refs.clone() {
            self.shared_files.insert(normalize(&path));
            let Some(doc) = self.json_file(&path, span) else {
                continue;
            };
            self.check_schema_doc(doc);
            // `$defs`, or `definitions` in the drafts that have it.
            let container = ["$defs", "definitions"].into_iter().find(|k| {
                (*k == "$defs" || self.docs[doc].draft.is_definitions(k))
                    && self.docs[doc].value.get(*k).is_some_and(Value::is_object)
            });
            match container.and_then(|k| Some((k, self.docs[doc].value.get(k)?.as_object()?))) {
                Some((container, defs)) => {
                    let names: Vec<String> = defs.keys().cloned().collect();
                    for name in names {
                        self.bundle_definition(
                            (doc, format!("/{container}/{}", escape_pointer_token(&name))),
                            &mut shared,
                        );
                    }
                }
                _ => self.diags.push(
                    Diagnostic::warning("no-definitions", "definitions file has no `$defs`")
                        .at(span, "named here"),
                ),
            }
        }

        self.check_names(&decls);

        let mut events = Vec::with_capacity(decls.len());
        let mut pending = Vec::new();
        for decl in decls {
            let index = events.len();
            let mut versions_seen: HashMap<i64, Span> = HashMap::new();
            for v in &decl.versions {
                let n = v.version.value;
                if !(1..=i64::from(u32::MAX)).contains(&n) {
                    self.diags.push(
                        Diagnostic::error(
                            "version-number",
                            format!("version must be a positive integer, found {n}"),
                        )
                        .at(v.version.span, ""),
                    );
                    continue;
                }
                if let Some(first) = versions_seen.insert(n, v.version.span) {
                    self.diags.push(
                        Diagnostic::error(
                            "duplicate-version",
                            format!("`{}` declares version {n} twice", decl.event_type.value),
                        )
                        .at(v.version.span, "second declaration")
                        .with_label(first, "first declaration"),
                    );
                    continue;
                }
                let Some(schema_doc) = v.schema else { continue };
                self.check_schema_doc(schema_doc);
                if self.docs[schema_doc].schema_errors {
                    // Not bundled; the files it names are checked all the same.
                    self.check_reached(schema_doc);
                    continue;
                }
                let errors_before = self.diags.error_count();
                let Some(mut schema) = self.bundle(schema_doc, &mut shared) else {
                    continue;
                };
                self.merge_base(&mut schema, manifest, schema_doc);
                if self.diags.error_count() > errors_before {
                    continue;
                }
                let version = n as u32;
                if v.examples.is_empty() {
                    let message = format!(
                        "{} has no example",
                        schema_ref(&decl.event_type.value, version)
                    );
                    let d = if manifest.checks.require_examples {
                        Diagnostic::error("missing-example", message)
                            .with_note("set `[checks] require_examples = false` in catalog.toml to make this a warning")
                    } else {
                        Diagnostic::warning("missing-example", message)
                    };
                    self.diags
                        .push(d.at(v.version.span, "add `examples = [...]` to this version"));
                }
                pending.push(Pending {
                    event: index,
                    version: PayloadVersion {
                        version,
                        schema_ref: schema_ref(&decl.event_type.value, version),
                        description: v.description.clone(),
                        schema,
                        schema_file: self.docs[schema_doc].path.clone(),
                        draft: self.docs[schema_doc].draft,
                        examples: Vec::new(),
                        invalid_examples: Vec::new(),
                        span: v.span,
                    },
                    examples: v.examples.iter().map(|e| (e.doc, e.span)).collect(),
                    invalid: v
                        .invalid
                        .iter()
                        .map(|(r, e)| (r.value.clone(), e.doc, e.span))
                        .collect(),
                });
            }
            let mut numbers: Vec<i64> = versions_seen.keys().copied().collect();
            numbers.sort_unstable();
            if let Some(gap) = numbers
                .iter()
                .enumerate()
                .find(|(i, n)| **n != *i as i64 + 1)
            {
                self.diags.push(
                    Diagnostic::warning(
                        "version-gap",
                        format!(
                            "`{}` versions skip from {} to {}",
                            decl.event_type.value, gap.0, gap.1
                        ),
                    )
                    .at(decl.event_type.span, "")
                    .with_note("versions are expected to count 1, 2, 3, … without gaps"),
                );
            }
            events.push(Event {
                event_type: decl.event_type.value,
                name: decl.name,
                description: decl.description,
                category: decl.category,
                owner: decl.owner,
                status: decl.status.value,
                replaced_by: decl.replaced_by.map(|r| r.value),
                aliases: decl.aliases.into_iter().map(|a| a.value).collect(),
                compatibility: decl.compatibility.map(|c| c.value),
                versions: Vec::new(),
                span: decl.span,
            });
        }

        // Schemas are resolved: free every document but the payloads still to check.
        let payload_docs: std::collections::HashSet<DocId> =
            pending.iter().flat_map(Pending::payload_docs).collect();
        for (id, doc) in self.docs.iter_mut().enumerate() {
            if !payload_docs.contains(&id) {
                doc.value = Value::Null;
            }
        }
        self.check_examples(&mut pending);
        for p in pending {
            events[p.event].versions.push(p.version);
        }
        for e in &mut events {
            e.versions.sort_by_key(|v| v.version);
        }
        events.sort_by(|a, b| a.event_type.cmp(&b.event_type));

        let definitions: BTreeMap<String, Value> =
            shared.into_iter().map(|(k, b)| (k, b.value)).collect();
        (events, definitions)
    }

    /// Event types: well formed, unique (also after case conversion), aliases,
    /// lifecycle (`replaced_by`).
    fn check_names(&mut self, decls: &[EventDecl]) {
        let mut by_pascal: HashMap<String, (&str, Span)> = HashMap::new();
        let mut names: HashMap<&str, (Span, Status)> = HashMap::new();
        for d in decls {
            let t = &d.event_type;
            if !is_valid_event_type(t) {
                self.diags.push(
                    Diagnostic::error("event-type", format!("event type `{}` is not well formed", t.value))
                        .at(t.span, "")
                        .with_help("use SCREAMING_SNAKE_CASE (`TICKET_CREATED`) or dotted lower case (`course.graduated`)"),
                );
            }
            let pascal = pascal_name(t);
            match by_pascal.get(&pascal) {
                Some((first, span)) if *first == t.value => {
                    self.diags.push(
                        Diagnostic::error(
                            "duplicate-type",
                            format!("event type `{first}` is declared twice"),
                        )
                        .at(t.span, "second declaration")
                        .with_label(*span, "first declaration"),
                    );
                }
                Some((first, span)) => {
                    self.diags.push(
                        Diagnostic::error(
                            "duplicate-ref",
                            format!("event types `{first}` and `{}` both derive the ref `payload.{pascal}.v<N>`", t.value),
                        )
                        .at(t.span, "this type")
                        .with_label(*span, "collides with this one"),
                    );
                }
                None => {
                    by_pascal.insert(pascal, (&t.value, t.span));
                    names.insert(&t.value, (t.span, d.status.value));
                }
            }
        }
        for d in decls {
            for alias in &d.aliases {
                let pascal = pascal_name(alias);
                if let Some((other, span)) = by_pascal.get(&pascal) {
                    let message = if *other == d.event_type.value {
                        format!("alias `{}` is the event's own type", alias.value)
                    } else {
                        format!(
                            "alias `{}` collides with event type or alias `{other}`",
                            alias.value
                        )
                    };
                    self.diags.push(
                        Diagnostic::error("duplicate-alias", message)
                            .at(alias.span, "")
                            .with_label(*span, "declared here"),
                    );
                } else {
                    by_pascal.insert(pascal, (&alias.value, alias.span));
                }
            }
            match (d.status.value, &d.replaced_by) {
                (Status::Deprecated, None) => self.diags.push(
                    Diagnostic::error(
                        "deprecated-without-replacement",
                        format!(
                            "deprecated event `{}` has no `replaced_by`",
                            d.event_type.value
                        ),
                    )
                    .at(d.status.span, "deprecated here")
                    .with_help("name the live event that replaces it: `replaced_by = \"…\"`"),
                ),
                (status, Some(r)) => {
                    if status != Status::Deprecated {
                        self.diags.push(
                            Diagnostic::warning(
                                "replaced-by-not-deprecated",
                                format!(
                                    "`{}` names a replacement but is {status}",
                                    d.event_type.value
                                ),
                            )
                            .at(r.span, "")
                            .with_help("set `status = \"deprecated\"` or remove `replaced_by`"),
                        );
                    }
                    match names.get(r.value.as_str()) {
                        None => {
                            let mut diag = Diagnostic::error(
                                "unknown-replacement",
                                format!("`replaced_by` names `{}`, which is not an event of this catalog", r.value),
                            )
                            .at(r.span, "unknown event");
                            if let Some(close) = did_you_mean(r, names.keys().copied()) {
                                diag = diag.with_help(format!("did you mean `{close}`?"));
                            }
                            self.diags.push(diag);
                        }
                        Some(_) if r.value == d.event_type.value => self.diags.push(
                            Diagnostic::error(
                                "unknown-replacement",
                                "an event cannot replace itself",
                            )
                            .at(r.span, ""),
                        ),
                        Some((span, Status::Deprecated)) => self.diags.push(
                            Diagnostic::error(
                                "replacement-not-live",
                                format!(
                                    "`{}` is replaced by `{}`, which is itself deprecated",
                                    d.event_type.value, r.value
                                ),
                            )
                            .at(r.span, "")
                            .with_label(*span, "deprecated too")
                            .with_help("point `replaced_by` at the live successor"),
                        ),
                        Some(_) => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// Merges the manifest's base fields into a payload schema: an object
    /// schema, or a top-level `oneOf`/`anyOf` whose branches are object
    /// schemas (each inline branch gets the base fields).
    fn merge_base(&mut self, schema: &mut Value, manifest: &Manifest, doc: DocId) {
        let alternatives = object_alternatives(schema);
        let Value::Object(map) = schema else {
            self.diags.push(
                Diagnostic::error(
                    "payload-not-object",
                    "a payload schema must be a JSON object schema",
                )
                .at(self.locate(doc, "", Part::Value), ""),
            );
            return;
        };
        if map.get("type").and_then(Value::as_str) == Some("object") {
            self.merge_base_into(map, manifest, doc, "");
            return;
        }
        let Some((combinator, count)) = alternatives else {
            self.diags.push(
                Diagnostic::error(
                    "payload-not-object",
                    "a payload schema must declare `\"type\": \"object\"`, or be a `oneOf`/`anyOf` of object schemas",
                )
                .at(self.locate(doc, "/type", Part::Value), "")
                .with_note("payloads are JSON objects so that base fields can be merged into them"),
            );
            return;
        };
        if manifest.base.properties.is_empty() {
            return;
        }
        for i in 0..count {
            let pointer = format!("/{combinator}/{i}");
            match map
                .get_mut(combinator)
                .and_then(|b| b.get_mut(i))
                .and_then(Value::as_object_mut)
            {
                Some(branch) if !branch.contains_key("$ref") => {
                    self.merge_base_into(branch, manifest, doc, &pointer);
                }
                _ => self.diags.push(
                    Diagnostic::error(
                        "base-field",
                        format!("the base fields cannot be merged into `{combinator}` branch {i}, a `$ref`"),
                    )
                    .at(self.locate(doc, &pointer, Part::Value), "")
                    .with_help("write the branch's object schema inline, or wrap it: `{ \"allOf\": [{ \"$ref\": … }], \"type\": \"object\" }`"),
                ),
            }
        }
    }

    /// Merges the base fields into one object schema found at `pointer` in `doc`.
    fn merge_base_into(
        &mut self,
        map: &mut serde_json::Map<String, Value>,
        manifest: &Manifest,
        doc: DocId,
        pointer: &str,
    ) {
        let base = &manifest.base;
        if base.properties.is_empty() {
            return;
        }
        let props = map
            .entry("properties")
            .or_insert_with(|| Value::Object(Default::default()));
        let Value::Object(props) = props else { return };
        for (name, base_schema) in &base.properties {
            match props.get(name) {
                Some(existing) if existing != base_schema => {
                    let at = self.locate(
                        doc,
                        &format!("{pointer}/properties/{}", escape_pointer_token(name)),
                        Part::Key,
                    );
                    self.diags.push(
                        Diagnostic::error(
                            "base-field",
                            format!(
                                "payload redefines base field `{name}` with a different schema"
                            ),
                        )
                        .at(at, "differs from [base.properties]")
                        .with_note(format!("base: {base_schema}"))
                        .with_help("remove it here; base fields are merged into every payload"),
                    );
                }
                _ => {}
            }
        }
        // Base fields first, in the manifest's order, then the payload's own.
        let own = std::mem::take(props);
        props.extend(base.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        props.extend(
            own.into_iter()
                .filter(|(k, _)| !base.properties.contains_key(k)),
        );
        let mut required: Vec<Value> = base
            .required
            .iter()
            .map(|r| Value::String(r.clone()))
            .collect();
        if let Some(Value::Array(own)) = map.get("required") {
            for r in own {
                if !required.contains(r) {
                    required.push(r.clone());
                }
            }
        }
        map.insert("required".to_owned(), Value::Array(required));
    }

    /// Every valid example must validate, every invalid one must fail.
    fn check_examples(&mut self, pending: &mut [Pending]) {
        // A payload document named by several versions is cloned; others are moved.
        let mut uses: HashMap<DocId, usize> = HashMap::new();
        for doc in pending.iter().flat_map(Pending::payload_docs) {
            *uses.entry(doc).or_default() += 1;
        }
        let mut payload = |docs: &mut Vec<super::Doc>, doc: DocId| {
            let n = uses.entry(doc).or_default();
            *n = n.saturating_sub(1);
            if *n == 0 {
                std::mem::take(&mut docs[doc].value)
            } else {
                docs[doc].value.clone()
            }
        };
        struct Outcome {
            compile_error: Option<String>,
            examples: Vec<Vec<crate::ValidationError>>,
            invalid_pass: Vec<bool>,
        }
        let docs = &self.docs;
        let patterns = crate::registry::PatternCache::new();
        let validate = self.validate_examples;
        let work = |p: &Pending| -> Outcome {
            if !validate {
                return Outcome {
                    compile_error: None,
                    examples: vec![Vec::new(); p.examples.len()],
                    invalid_pass: vec![false; p.invalid.len()],
                };
            }
            let validator = match crate::registry::compile(&p.version.schema, &patterns) {
                Ok(v) => v,
                Err(e) => {
                    return Outcome {
                        compile_error: Some(e),
                        examples: Vec::new(),
                        invalid_pass: Vec::new(),
                    };
                }
            };
            Outcome {
                compile_error: None,
                examples: p
                    .examples
                    .iter()
                    .map(|(doc, _)| crate::registry::errors(&validator, &docs[*doc].value))
                    .collect(),
                invalid_pass: p
                    .invalid
                    .iter()
                    .map(|(_, doc, _)| validator.is_valid(&docs[*doc].value))
                    .collect(),
            }
        };
        let outcomes: Vec<Outcome> = super::prefetch::par_map(pending, work);
        for (p, outcome) in pending.iter_mut().zip(outcomes) {
            if let Some(message) = outcome.compile_error {
                self.diags.push(
                    Diagnostic::error(
                        "invalid-schema",
                        format!("{} cannot be compiled: {message}", p.version.schema_ref),
                    )
                    .at(p.version.span, ""),
                );
                continue;
            }
            // What `evreg migrate` cannot store, said now rather than there
            // (before the payloads move into the model).
            if let Some((pointer, _)) = nul_at(&p.version.schema, String::new()) {
                self.diags.push(
                    Diagnostic::warning(
                        "not-storable",
                        format!(
                            "the schema of {} holds a NUL character (\\u0000) at `{pointer}`, which `evreg migrate` cannot store (databases refuse it in text and JSON)",
                            p.version.schema_ref
                        ),
                    )
                    .at(p.version.span, "")
                    .with_help("JSON Schema allows it; remove it if the catalog goes to a database"),
                );
            }
            let payloads = p.examples.iter().map(|(doc, span)| (*doc, *span));
            let invalid = p.invalid.iter().map(|(_, doc, span)| (*doc, *span));
            for (doc, span) in payloads.chain(invalid) {
                let Some((pointer, part)) = nul_at(&self.docs[doc].value, String::new()) else {
                    continue;
                };
                let at = self.locate(doc, &pointer, part);
                let mut d = Diagnostic::warning(
                    "not-storable",
                    format!(
                        "this example of {} holds a NUL character (\\u0000), which `evreg migrate` cannot store (databases refuse it in text and JSON)",
                        p.version.schema_ref
                    ),
                )
                .at(at, "NUL here");
                if at.file != span.file {
                    d = d.with_label(span, "example named here");
                }
                self.diags.push(d);
            }
            for ((doc, span), errors) in p.examples.iter().zip(outcome.examples) {
                if errors.is_empty() {
                    p.version.examples.push(Example {
                        payload: payload(&mut self.docs, *doc),
                        span: *span,
                    });
                    continue;
                }
                for e in errors {
                    let at = self.locate(*doc, &e.instance_path, Part::Value);
                    let pointer = if e.instance_path.is_empty() {
                        "/"
                    } else {
                        &e.instance_path
                    };
                    let mut d = Diagnostic::error(
                        "example-invalid",
                        format!(
                            "example does not match {}: {}",
                            p.version.schema_ref, e.message
                        ),
                    )
                    .at(at, format!("{pointer} fails `{}`", e.keyword))
                    .with_note(format!("schema keyword: {}", e.schema_path));
                    if at.file != span.file {
                        d = d.with_label(*span, "example named here");
                    }
                    self.diags.push(d);
                }
            }
            for ((reason, doc, span), passes) in p.invalid.iter().zip(outcome.invalid_pass) {
                if passes {
                    self.diags.push(
                        Diagnostic::error(
                            "invalid-example-passes",
                            format!(
                                "invalid example of {} passes its schema",
                                p.version.schema_ref
                            ),
                        )
                        .at(*span, "this payload is valid")
                        .with_note(format!("declared reason: {reason}")),
                    );
                } else {
                    p.version.invalid_examples.push(InvalidExample {
                        reason: reason.clone(),
                        payload: payload(&mut self.docs, *doc),
                        span: *span,
                    });
                }
            }
        }
    }
}
