//! Synthetic payloads for CI: valid ones with realistic values, and invalid
//! ones that break exactly one rule each, labelled with it.
//!
//! Values are drawn from each payload's (bundled) JSON Schema: formats get
//! realistic text (uuids, RFC 3339 date-times, emails, URIs), enums and
//! consts their values, strings and numbers their bounds, patterns a matching
//! string (`rand_regex`), arrays their sizes and uniqueness. Every valid
//! payload is checked against the registry before it is returned, and every
//! invalid one must fail with exactly the labelled keyword: what `simulate`
//! emits is true by construction. The same seed gives the same payloads.

use evreg_core::schema::keywords::{Rule, Subschemas};
use evreg_core::schema::local_target;
use evreg_core::validate::Format;
use evreg_core::{Catalog, Event, PayloadVersion, Registry};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

/// How many draws a payload gets before simulation gives up on it.
const ATTEMPTS: usize = 50;

/// The longest string the simulator makes, in characters.
pub const MAX_LENGTH: u64 = 4096;

/// The most items (of an array) or properties (of an object) it makes.
pub const MAX_ITEMS: u64 = 1000;

/// How a draw meets a rule of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// The draw makes values that keep it (`type`, `minLength`, `format`…).
    Built,
    /// Values are drawn without it, and the payload is validated: a draw
    /// that misses it is drawn again, up to 50 times (`not`, `if`,
    /// `patternProperties`…). A schema that rarely lets a free draw pass
    /// cannot be simulated; the error names these rules and where they are.
    Retried,
}

/// How the simulator meets each rule. Every rule is here, so a new keyword
/// of the schema layer does not compile until it is said how payloads meet
/// it (docs/architecture.md lists the other places).
pub const fn drawn(rule: Rule) -> Drawn {
    match rule {
        Rule::Ref
        | Rule::Type
        | Rule::Enum
        | Rule::Const
        | Rule::MultipleOf
        | Rule::Maximum
        | Rule::ExclusiveMaximum
        | Rule::Minimum
        | Rule::ExclusiveMinimum
        | Rule::MaxLength
        | Rule::MinLength
        | Rule::Pattern
        | Rule::Format
        | Rule::MaxItems
        | Rule::MinItems
        | Rule::UniqueItems
        | Rule::Items
        | Rule::Required
        | Rule::Properties
        | Rule::AdditionalProperties
        | Rule::AllOf
        | Rule::AnyOf
        | Rule::OneOf => Drawn::Built,
        Rule::Not
        | Rule::If
        | Rule::Then
        | Rule::Else
        | Rule::DependentSchemas
        | Rule::PrefixItems
        | Rule::Contains
        | Rule::PatternProperties
        | Rule::PropertyNames
        | Rule::UnevaluatedItems
        | Rule::UnevaluatedProperties
        | Rule::MaxContains
        | Rule::MinContains
        | Rule::MaxProperties
        | Rule::MinProperties
        | Rule::DependentRequired => Drawn::Retried,
    }
}

/// Where `schema` has rules the draw does not build ([`Drawn::Retried`]),
/// as `keyword at /pointer`, the first `limit` of them.
fn retried_rules(schema: &Value, pointer: &str, limit: usize, out: &mut Vec<String>) {
    let Value::Object(map) = schema else { return };
    for (key, value) in map {
        if out.len() >= limit {
            return;
        }
        let Some(rule) = Rule::of(key) else { continue };
        let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        if drawn(rule) == Drawn::Retried {
            out.push(format!(
                "`{key}` at `{}`",
                if pointer.is_empty() { "/" } else { pointer }
            ));
        }
        match (rule.subschemas(), value) {
            (Subschemas::One, v) => retried_rules(v, &here, limit, out),
            (Subschemas::List, Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    retried_rules(v, &format!("{here}/{i}"), limit, out);
                }
            }
            (Subschemas::Map, Value::Object(members)) => {
                for (k, v) in members {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    retried_rules(v, &format!("{here}/{k}"), limit, out);
                }
            }
            _ => {}
        }
    }
    if let Some(Value::Object(defs)) = map.get("$defs") {
        for (k, v) in defs {
            retried_rules(v, &format!("{pointer}/$defs/{k}"), limit, out);
        }
    }
}

/// Why a payload could not be simulated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot simulate {schema_ref}: {reason}")]
pub struct SimulateError {
    /// The payload version.
    pub schema_ref: String,
    /// What went wrong.
    pub reason: String,
}

/// A payload that breaks one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// The payload.
    pub payload: Value,
    /// The JSON Schema keyword it breaks (`required`, `enum`, `maxLength`…).
    pub keyword: String,
    /// Where, as a JSON pointer into the payload.
    pub pointer: String,
    /// The rule, for people.
    pub reason: String,
}

/// One rule broken in a payload: `name` set to `value`, or removed.
struct Edit {
    name: String,
    value: Option<Value>,
    keyword: String,
    pointer: String,
    reason: String,
}

/// Draws payloads for a catalog, deterministically for a seed.
pub struct Simulator<'c> {
    catalog: &'c Catalog,
    registry: Registry,
    rng: ChaCha8Rng,
    tenant: Option<String>,
}

impl<'c> Simulator<'c> {
    /// A simulator for `catalog`, seeded with `seed`.
    pub fn new(catalog: &'c Catalog, seed: u64) -> Self {
        Simulator {
            catalog,
            registry: Registry::from_catalog(catalog),
            rng: ChaCha8Rng::seed_from_u64(seed),
            tenant: None,
        }
    }

    /// A value drawn from `schema` (a self-contained schema), not checked:
    /// what `evreg new` fills an example's base fields with.
    pub fn value(&mut self, schema: &Value) -> Value {
        self.draw(schema, schema, 0)
    }

    /// Every payload gets this `tenantId` (when its schema has one).
    pub fn tenant(&mut self, tenant: impl Into<String>) -> &mut Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// The catalog.
    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// A schema-valid payload of `version`.
    pub fn valid(&mut self, version: &PayloadVersion) -> Result<Value, SimulateError> {
        if let Some(reason) = beyond_limits(&version.schema, &mut String::new()) {
            return Err(SimulateError {
                schema_ref: version.schema_ref.clone(),
                reason,
            });
        }
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let mut payload = self.draw(&version.schema, &version.schema, 0);
            if let (Some(tenant), Value::Object(map)) = (&self.tenant, &mut payload)
                && has_property(&version.schema, "tenantId")
            {
                map.insert("tenantId".to_owned(), Value::from(tenant.clone()));
            }
            match self.registry.validate(&version.schema_ref, &payload) {
                Ok(()) => return Ok(payload),
                Err(e) => last = e.to_string(),
            }
        }
        let mut retried = Vec::new();
        retried_rules(&version.schema, "", 5, &mut retried);
        let retried = if retried.is_empty() {
            String::new()
        } else {
            format!(
                " (simulate draws values without these rules and keeps a draw that keeps them: {})",
                retried.join(", ")
            )
        };
        Err(SimulateError {
            schema_ref: version.schema_ref.clone(),
            reason: format!(
                "no valid payload in {ATTEMPTS} draws; the last failed: {last}{retried}"
            ),
        })
    }

    /// Up to `limit` payloads of `version` that each break exactly one rule:
    /// one per rule the simulator knows how to break for this schema, in a
    /// shuffled order. Each candidate is made, checked and dropped in turn,
    /// so memory holds one payload per result, not one per rule (a payload
    /// of 16,000 properties once took 24 GB).
    pub fn invalid(
        &mut self,
        version: &PayloadVersion,
        limit: usize,
    ) -> Result<Vec<Invalid>, SimulateError> {
        let base = self.valid(version)?;
        let Value::Object(values) = &base else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for edit in self.mutations(&version.schema, &base) {
            if out.len() == limit {
                break;
            }
            let mut payload = values.clone();
            match edit.value {
                Some(v) => {
                    payload.insert(edit.name, v);
                }
                None => {
                    payload.shift_remove(&edit.name);
                }
            }
            let payload = Value::Object(payload);
            let errors = match self.registry.validate(&version.schema_ref, &payload) {
                Err(evreg_core::RegistryError::Invalid(e)) => e.errors,
                _ => continue,
            };
            if let [only] = errors.as_slice()
                && only.keyword == edit.keyword
                && only.instance_path == edit.pointer
            {
                out.push(Invalid {
                    payload,
                    keyword: edit.keyword,
                    pointer: edit.pointer,
                    reason: edit.reason,
                });
            }
        }
        Ok(out)
    }

    /// The active event versions, for `--all`.
    pub fn active_versions(&self) -> impl Iterator<Item = (&'c Event, &'c PayloadVersion)> + 'c {
        self.catalog
            .versions()
            .filter(|(e, _)| e.status == evreg_core::Status::Active)
    }

    fn draw(&mut self, schema: &Value, root: &Value, depth: usize) -> Value {
        // A recursive schema that keeps choosing to go deeper: give up on
        // this draw (it fails validation and is drawn again).
        const GIVE_UP: usize = 256;
        const SHALLOW: usize = 24;
        let Value::Object(map) = schema else {
            return Value::from(self.word());
        };
        if depth > GIVE_UP {
            return Value::Null;
        }
        if let Some(Value::String(r)) = map.get("$ref")
            && let Some(target) = local_target(root, r)
        {
            return self.draw(target, root, depth + 1);
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return values.choose(&mut self.rng).cloned().unwrap_or(Value::Null);
        }
        if let Some(value) = map.get("const") {
            return value.clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                // Deep in a recursive schema, a branch that ends it (no `$ref`).
                let ending: Vec<&Value> = branches
                    .iter()
                    .filter(|b| depth > SHALLOW && !evreg_core::catalog::contains_ref(b))
                    .collect();
                let branch = if ending.is_empty() {
                    branches.choose(&mut self.rng)
                } else {
                    ending.choose(&mut self.rng).copied()
                };
                if let Some(branch) = branch {
                    return self.draw(branch, root, depth + 1);
                }
            }
        }
        if let Some(Value::Array(branches)) = map.get("allOf") {
            let merged = evreg_core::schema::merge_all_of(branches, root).schema;
            return self.draw(&merged, root, depth + 1);
        }
        let ty = match map.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => {
                let non_null: Vec<&str> = ts
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                match non_null.choose(&mut self.rng) {
                    Some(t) => t,
                    None => "null",
                }
            }
            _ if map.contains_key("properties") => "object",
            _ if map.contains_key("items") => "array",
            _ => "string",
        };
        match ty {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.rng.random()),
            "integer" => self.integer(map),
            "number" => self.number(map),
            "array" => self.array(map, root, depth),
            "object" => self.object(map, root, depth),
            _ => Value::from(self.string(map)),
        }
    }

    fn string(&mut self, map: &Map<String, Value>) -> String {
        let bounded = |n: u64| n.min(MAX_LENGTH) as usize;
        let min = bounded(map.get("minLength").and_then(Value::as_u64).unwrap_or(0));
        let max = map.get("maxLength").and_then(Value::as_u64).map(bounded);
        if let Some(format) = map.get("format").and_then(Value::as_str) {
            return self.formatted(format);
        }
        if let Some(Value::String(pattern)) = map.get("pattern")
            && let Some(s) = self.matching(pattern, min, max)
        {
            return s;
        }
        let max = max.unwrap_or(min.max(8) + 16).max(min);
        let lo = min.max(3).min(max);
        let target = self.rng.random_range(lo..=max.min(lo + 20));
        // Whole words while they fit; letters only to reach the minimum.
        let mut s = String::new();
        for _ in 0..8 {
            let word = self.word();
            let extra = word.len() + usize::from(!s.is_empty());
            if s.len() + extra > target {
                break;
            }
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(word);
        }
        let floor = if s.is_empty() { lo } else { min };
        while s.len() < floor {
            s.push(char::from(b'a' + self.rng.random_range(0..26u8)));
        }
        s
    }

    /// A string matching `pattern` (ECMA-262, in the subset `rand_regex`
    /// reads), within the length bounds.
    fn matching(&mut self, pattern: &str, min: usize, max: Option<usize>) -> Option<String> {
        // A string matching the whole body matches the pattern, anchored or not.
        let body = pattern.strip_prefix('^').unwrap_or(pattern);
        let body = match body.strip_suffix('$') {
            Some(b) if !b.ends_with('\\') => b,
            _ => body,
        };
        let translated = body.replace("\\d", "[0-9]");
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .build()
            .parse(&translated)
            .ok()?;
        let generator = rand_regex::Regex::with_hir(hir, 8).ok()?;
        for _ in 0..20 {
            let s: String = self.rng.sample(&generator);
            let n = s.chars().count();
            if n >= min && max.is_none_or(|m| n <= m) {
                return Some(s);
            }
        }
        None
    }

    /// A value in `format`: valid for every format evreg asserts (the match
    /// is exhaustive, so a new one must say how it is made), a word for the
    /// others.
    fn formatted(&mut self, format: &str) -> String {
        let Some(format) = Format::from_name(format) else {
            return self.word().to_owned();
        };
        let r = &mut self.rng;
        match format {
            Format::Uuid => {
                let b: [u8; 16] = r.random();
                let mut u = uuid::Builder::from_random_bytes(b).into_uuid().to_string();
                u.make_ascii_lowercase();
                u
            }
            Format::DateTime => format!(
                "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                r.random_range(1..=12),
                r.random_range(1..=28),
                r.random_range(0..24),
                r.random_range(0..60),
                r.random_range(0..60)
            ),
            Format::Date => format!(
                "2026-{:02}-{:02}",
                r.random_range(1..=12),
                r.random_range(1..=28)
            ),
            Format::Time => format!(
                "{:02}:{:02}:{:02}Z",
                r.random_range(0..24),
                r.random_range(0..60),
                r.random_range(0..60)
            ),
            Format::Duration => format!("P{}D", r.random_range(1..90)),
            Format::Email => format!(
                "{}.{}@example.com",
                WORDS.choose(r).unwrap_or(&"ana"),
                r.random_range(1..999)
            ),
            Format::Hostname => format!(
                "{}{}.example.com",
                WORDS.choose(r).unwrap_or(&"host"),
                r.random_range(1..99)
            ),
            Format::Ipv4 => format!(
                "10.{}.{}.{}",
                r.random_range(0..256),
                r.random_range(0..256),
                r.random_range(1..255)
            ),
            Format::Ipv6 => format!("2001:db8::{:x}", r.random_range(1..0xffff)),
            Format::Uri => format!(
                "https://example.com/{}/{}",
                WORDS.choose(r).unwrap_or(&"a"),
                r.random_range(1..9999)
            ),
            Format::UriReference => format!(
                "/{}/{}",
                WORDS.choose(r).unwrap_or(&"a"),
                r.random_range(1..9999)
            ),
            Format::Iri => format!(
                "https://example.com/{}/ü{}",
                WORDS.choose(r).unwrap_or(&"a"),
                r.random_range(1..9999)
            ),
            Format::IriReference => format!(
                "/{}/ü{}",
                WORDS.choose(r).unwrap_or(&"a"),
                r.random_range(1..9999)
            ),
            Format::UriTemplate => format!(
                "https://example.com/{}{{/id}}",
                WORDS.choose(r).unwrap_or(&"a")
            ),
            Format::JsonPointer => format!(
                "/{}/{}",
                WORDS.choose(r).unwrap_or(&"a"),
                r.random_range(0..9)
            ),
            Format::RelativeJsonPointer => format!(
                "{}/{}",
                r.random_range(0..3),
                WORDS.choose(r).unwrap_or(&"a")
            ),
            Format::Regex => format!("^{}[0-9]*$", WORDS.choose(r).unwrap_or(&"a")),
        }
    }

    fn integer(&mut self, map: &Map<String, Value>) -> Value {
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        let mut lo = num("minimum").map_or(0.0, f64::ceil);
        let mut hi = num("maximum").map_or(lo.max(0.0) + 1000.0, f64::floor);
        if let Some(x) = num("exclusiveMinimum") {
            lo = lo.max(x.floor() + 1.0);
        }
        if let Some(x) = num("exclusiveMaximum") {
            hi = hi.min(x.ceil() - 1.0);
        }
        if let Some(m) = num("multipleOf").filter(|m| *m > 0.0) {
            let (first, last) = ((lo / m).ceil() as i64, (hi / m).floor() as i64);
            if first <= last {
                return Value::from((self.rng.random_range(first..=last) as f64 * m) as i64);
            }
        }
        if lo > hi {
            return Value::from(lo as i64);
        }
        Value::from(self.rng.random_range(lo as i64..=hi as i64))
    }

    fn number(&mut self, map: &Map<String, Value>) -> Value {
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        let lo = num("minimum").or(num("exclusiveMinimum")).unwrap_or(0.0);
        let hi = num("maximum")
            .or(num("exclusiveMaximum"))
            .unwrap_or(lo + 1000.0);
        if let Some(m) = num("multipleOf").filter(|m| *m > 0.0) {
            let (first, last) = ((lo / m).ceil() as i64, (hi / m).floor() as i64);
            if first <= last {
                return json!(self.rng.random_range(first..=last) as f64 * m);
            }
        }
        let x = lo + (hi - lo) * self.rng.random::<f64>();
        json!((x * 100.0).round() / 100.0)
    }

    fn array(&mut self, map: &Map<String, Value>, root: &Value, depth: usize) -> Value {
        let bounded = |n: u64| n.min(MAX_ITEMS) as usize;
        let min = bounded(map.get("minItems").and_then(Value::as_u64).unwrap_or(0));
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(min.max(1) + 2, bounded);
        let unique = map.get("uniqueItems") == Some(&Value::Bool(true));
        let target = if depth > 6 {
            min
        } else {
            self.rng
                .random_range(min.min(max)..=max.min(min.max(1) + 2))
        };
        let items = map.get("items").cloned().unwrap_or(Value::Bool(true));
        let mut out: Vec<Value> = Vec::new();
        for _ in 0..target * 4 {
            if out.len() == target {
                break;
            }
            let v = self.draw(&items, root, depth + 1);
            if !unique || !out.contains(&v) {
                out.push(v);
            }
        }
        Value::Array(out)
    }

    fn object(&mut self, map: &Map<String, Value>, root: &Value, depth: usize) -> Value {
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, schema) in props {
                let wanted =
                    required.contains(&name.as_str()) || (depth < 4 && self.rng.random_bool(0.5));
                if wanted {
                    let v = self.draw(schema, root, depth + 1);
                    out.insert(name.clone(), v);
                }
            }
        }
        for name in required {
            if !out.contains_key(name) {
                out.insert(name.to_owned(), Value::from(self.word()));
            }
        }
        if let Some(extra @ Value::Object(_)) = map.get("additionalProperties")
            && depth < 4
            && self.rng.random_bool(0.5)
        {
            let v = self.draw(extra, root, depth + 1);
            out.insert(format!("{}{}", self.word(), out.len()), v);
        }
        Value::Object(out)
    }

    fn word(&mut self) -> &'static str {
        WORDS.choose(&mut self.rng).copied().unwrap_or("event")
    }

    /// Candidate one-rule breaks of `payload` (top-level properties), as
    /// edits: the payload is copied only when an edit is tried.
    fn mutations(&mut self, schema: &Value, payload: &Value) -> Vec<Edit> {
        let mut out = Vec::new();
        let (Some(props), Value::Object(values)) = (
            resolve(schema, schema)
                .get("properties")
                .and_then(Value::as_object),
            payload,
        ) else {
            return out;
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut push = |name: &str, value: Option<Value>, keyword: &str, reason: String| {
            let pointer = if keyword == "required" || keyword == "additionalProperties" {
                String::new()
            } else {
                format!("/{}", name.replace('~', "~0").replace('/', "~1"))
            };
            out.push(Edit {
                name: name.to_owned(),
                value,
                keyword: keyword.to_owned(),
                pointer,
                reason,
            });
        };
        for name in &required {
            push(
                name,
                None,
                "required",
                format!("required property `{name}` is missing"),
            );
        }
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            push(
                "unexpectedProperty",
                Some(Value::from("x")),
                "additionalProperties",
                "unknown property `unexpectedProperty` (additionalProperties is false)".to_owned(),
            );
        }
        for (name, sub) in props {
            let sub = resolve(sub, schema);
            if sub.get("enum").is_some() {
                push(
                    name,
                    Some(Value::from("not-one-of-the-values")),
                    "enum",
                    format!("`{name}` is not one of its enum values"),
                );
            } else if let Some(Value::String(c)) = sub.get("const") {
                push(
                    name,
                    Some(Value::from(format!("{c}-not"))),
                    "const",
                    format!("`{name}` is not its const value"),
                );
            }
            let ty = sub.get("type").and_then(Value::as_str);
            match ty {
                Some("string") => {
                    push(
                        name,
                        Some(Value::from(12345)),
                        "type",
                        format!("`{name}` is not a string"),
                    );
                    if let Some(min) = sub
                        .get("minLength")
                        .and_then(Value::as_u64)
                        .filter(|m| *m > 0)
                    {
                        push(
                            name,
                            Some(Value::from("x".repeat(min as usize - 1))),
                            "minLength",
                            format!("`{name}` is shorter than {min} characters"),
                        );
                    }
                    if let Some(max) = sub
                        .get("maxLength")
                        .and_then(Value::as_u64)
                        .filter(|m| *m < MAX_LENGTH)
                    {
                        push(
                            name,
                            Some(Value::from("x".repeat(max as usize + 1))),
                            "maxLength",
                            format!("`{name}` is longer than {max} characters"),
                        );
                    }
                    if let Some(format) = sub.get("format").and_then(Value::as_str) {
                        push(
                            name,
                            Some(Value::from(format!("not-a-{format}"))),
                            "format",
                            format!("`{name}` is not a valid {format}"),
                        );
                    }
                    if sub.get("pattern").is_some() {
                        let len = sub
                            .get("minLength")
                            .and_then(Value::as_u64)
                            .unwrap_or(1)
                            .max(1) as usize;
                        push(
                            name,
                            Some(Value::from("~".repeat(len))),
                            "pattern",
                            format!("`{name}` does not match its pattern"),
                        );
                    }
                }
                Some("integer" | "number") => {
                    push(
                        name,
                        Some(Value::from("12")),
                        "type",
                        format!("`{name}` is not a number"),
                    );
                    if let Some(min) = sub.get("minimum").and_then(Value::as_f64) {
                        push(
                            name,
                            Some(json!(min - 1.0)),
                            "minimum",
                            format!("`{name}` is below its minimum {min}"),
                        );
                    }
                    if let Some(max) = sub.get("maximum").and_then(Value::as_f64) {
                        push(
                            name,
                            Some(json!(max + 1.0)),
                            "maximum",
                            format!("`{name}` is above its maximum {max}"),
                        );
                    }
                }
                Some("boolean") => push(
                    name,
                    Some(Value::from("yes")),
                    "type",
                    format!("`{name}` is not a boolean"),
                ),
                Some("array") => {
                    push(
                        name,
                        Some(Value::from("not an array")),
                        "type",
                        format!("`{name}` is not an array"),
                    );
                    if let Some(min) = sub
                        .get("minItems")
                        .and_then(Value::as_u64)
                        .filter(|m| *m > 0)
                    {
                        let item = values.get(name.as_str()).and_then(|v| v.get(0)).cloned();
                        if let (Some(item), true) = (item, min > 1) {
                            push(
                                name,
                                Some(Value::Array(vec![item; min as usize - 1])),
                                "minItems",
                                format!("`{name}` has fewer than {min} items"),
                            );
                        } else if min == 1 {
                            push(
                                name,
                                Some(json!([])),
                                "minItems",
                                format!("`{name}` has fewer than {min} items"),
                            );
                        }
                    }
                }
                Some("object") => push(
                    name,
                    Some(Value::from(1)),
                    "type",
                    format!("`{name}` is not an object"),
                ),
                _ => {}
            }
        }
        // Shuffle deterministically so that `--count` draws varied rules.
        let n = out.len();
        for i in (1..n).rev() {
            let j = self.rng.random_range(0..=i);
            out.swap(i, j);
        }
        out
    }
}

/// `schema`, or what its `$ref` points at in `root`.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| local_target(root, r))
        .unwrap_or(schema)
}

/// Why the simulator will not make a value of `schema`: a keyword asking
/// for more than [`MAX_LENGTH`] characters or [`MAX_ITEMS`] items or
/// properties (a `minLength` of 10^19 once made it panic, a `minItems` of
/// 10^8 use 9 GB).
fn beyond_limits(schema: &Value, pointer: &mut String) -> Option<String> {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                let limit = match key.as_str() {
                    "minLength" => Some((MAX_LENGTH, "characters")),
                    "minItems" | "minProperties" | "minContains" => Some((MAX_ITEMS, "items")),
                    // Values, not schemas.
                    "enum" | "const" | "default" | "examples" | "example" => continue,
                    _ => None,
                };
                if let Some((max, what)) = limit
                    && value.as_f64().is_some_and(|n| n > max as f64)
                {
                    return Some(format!(
                        "`{key}: {value}` at `{pointer}` asks for more than the simulator makes ({max} {what})"
                    ));
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&evreg_core::catalog::escape_pointer_token(key));
                let found = beyond_limits(value, pointer);
                pointer.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = pointer.len();
            pointer.push_str(&format!("/{i}"));
            let found = beyond_limits(item, pointer);
            pointer.truncate(len);
            found
        }),
        _ => None,
    }
}

fn has_property(schema: &Value, name: &str) -> bool {
    schema.get("properties").and_then(|p| p.get(name)).is_some()
}

/// Words for readable strings.
const WORDS: &[&str] = &[
    "printer",
    "invoice",
    "onboarding",
    "network",
    "laptop",
    "renewal",
    "backup",
    "email",
    "quota",
    "meeting",
    "license",
    "router",
    "payroll",
    "migration",
    "firewall",
    "portal",
    "schedule",
    "training",
    "contract",
    "dispatch",
];
