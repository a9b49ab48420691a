//! Type planning: each payload schema (bundled, self-contained) becomes Rust
//! types. The planner decides names, shapes and the checks `validate()` must
//! run; the emitter only prints what it decided.
//!
//! Every schema maps to a typed shape when its JSON Schema meaning and the
//! Rust type (with its serde attributes and generated checks) accept exactly
//! the same values. Where no Rust type can say it (a `oneOf` without a
//! discriminating `const`, a `type` list, an object schema without `type`),
//! the value stays a `serde_json::Value` checked against its schema by the
//! same `jsonschema` validator the registry uses: nothing is ever ignored.

use std::collections::{BTreeMap, HashMap, HashSet};

use evreg_core::catalog::{CodegenOptions, DateTimeRepr, UuidRepr};
use evreg_core::catalog::{escape_pointer_token as escape, percent_decode};
use evreg_core::naming::{field_name, is_identifier, payload_type_name, type_name, variant_name};
use evreg_core::schema::keywords::{Rule, validates_nothing};
use evreg_core::schema::{local_target, member, member_of as kw, merge_all_of};
use evreg_core::validate::Format;
use evreg_core::{Catalog, Diagnostic, Span};
use serde_json::{Map, Value};

/// What a schema becomes in Rust, with the checks of its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    pub kind: Kind,
    pub checks: Vec<Check>,
    /// Where the schema sits in the payload schema (a JSON pointer).
    pub pointer: String,
}

/// A Rust type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// `serde_json::Value`
    Any,
    /// `()`: the schema allows only `null`.
    Null,
    /// `serde_json::Map<String, Value>`
    Object,
    Bool,
    /// `i64`
    Int,
    /// `f64`
    Num,
    String,
    Uuid,
    DateTime(DateTimeRepr),
    Vec(Box<Shape>),
    /// `BTreeMap<String, T>`
    Map(Box<Shape>),
    /// A generated type.
    Named(String),
    /// `Option<T>`: the schema also allows `null`.
    Nullable(Box<Shape>),
    /// `Box<T>`: a reference back to a type still being planned (a
    /// recursive schema), which Rust holds through a pointer.
    Boxed(Box<Shape>),
}

impl Kind {
    /// Whether the value is read and written through `evreg::wire::Wire`
    /// (integers, uuids and date-times, alone or in options, arrays and maps).
    pub fn is_wire(&self) -> bool {
        match self {
            Kind::Int | Kind::Uuid | Kind::DateTime(_) => true,
            Kind::Vec(s) | Kind::Map(s) | Kind::Nullable(s) | Kind::Boxed(s) => s.kind.is_wire(),
            _ => false,
        }
    }
}

/// A keyword `validate()` checks because the type cannot hold it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Check {
    MinLength(u64),
    MaxLength(u64),
    /// The regular expression.
    Pattern(String),
    /// An asserted format (formats evreg does not assert check nothing).
    Format(Format),
    Const(String),
    Minimum(serde_json::Number),
    Maximum(serde_json::Number),
    ExclusiveMinimum(serde_json::Number),
    ExclusiveMaximum(serde_json::Number),
    /// The schema of a one-keyword check (`{"multipleOf": …}`).
    MultipleOf(String),
    MinItems(u64),
    MaxItems(u64),
    UniqueItems,
    /// A whole (self-contained) schema, for values typed `serde_json::Value`.
    Schema(String),
}

/// A generated type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Struct(Struct),
    Enum(StrEnum),
    Tagged(Tagged),
    Untagged(Untagged),
    /// `pub struct Name(pub T)` (serde transparent), for shared definitions
    /// that are not objects or string enums, and for payloads that are not objects.
    Newtype(Newtype),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Struct {
    pub name: String,
    pub doc: Vec<String>,
    pub fields: Vec<Field>,
    /// `additionalProperties: false`
    pub deny_unknown: bool,
    /// Checks of the whole object, as it is written (schema pointer, JSON
    /// of the check): the keywords its type does not say (`minProperties`,
    /// `if`, `not`, …).
    pub checks: Vec<(String, String)>,
    /// Other properties, kept (never dropped on a round trip), with the
    /// check of `additionalProperties` when it is a schema.
    pub extra: Option<Extra>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Extra {
    pub rust: String,
    pub check: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub wire: String,
    pub rust: String,
    pub doc: Vec<String>,
    pub required: bool,
    pub deprecated: bool,
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StrEnum {
    pub name: String,
    pub doc: Vec<String>,
    /// (Rust variant, wire value)
    pub variants: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tagged {
    pub name: String,
    pub doc: Vec<String>,
    pub tag: String,
    /// (Rust variant, tag value, struct of the other properties)
    pub variants: Vec<(String, String, String)>,
}

/// `oneOf`/`anyOf` whose branches no value can be read as two of: an
/// untagged enum, where serde's first match is the only branch that can hold
/// the value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Untagged {
    pub name: String,
    pub doc: Vec<String>,
    /// (Rust variant, the branch's shape)
    pub variants: Vec<(String, Shape)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Newtype {
    pub name: String,
    pub doc: Vec<String>,
    pub shape: Shape,
}

/// One payload version: its root type.
#[derive(Debug, Clone)]
pub(crate) struct Payload {
    pub event_type: String,
    pub version: u32,
    pub schema_ref: String,
    pub type_name: String,
    /// The bundled schema, compact JSON (embedded in the registry).
    pub schema_json: String,
}

/// Every type of a catalog.
#[derive(Debug, Default)]
pub(crate) struct TypeSpace {
    /// Generated types by name, each with the key of the schema it came from.
    pub items: BTreeMap<String, (String, Item)>,
    pub payloads: Vec<Payload>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where a schema stays `serde_json::Value`, in the order planned.
    pub untyped: Vec<Untyped>,
}

/// A schema no Rust type holds exactly (a union whose branches a value can
/// match two of, a `type` list, keywords beside a `$ref`…): generated code
/// keeps it as `serde_json::Value`, checked against the schema by `validate()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untyped {
    /// The payload version where it was first met (`payload.Name.v1`).
    pub schema_ref: String,
    /// Where it sits in that version's bundled schema (a JSON pointer).
    pub pointer: String,
}

impl std::fmt::Display for Untyped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at `{}`",
            self.schema_ref,
            display_pointer(&self.pointer)
        )
    }
}

/// The payload being planned.
struct Ctx<'a> {
    root: &'a Value,
    schema_ref: &'a str,
    type_name: String,
    span: Span,
}

/// Keywords that do not validate where they stand: annotations, `x-…`
/// extensions and `$defs`.
fn is_annotation(key: &str) -> bool {
    validates_nothing(key)
}

/// `oneOf`/`anyOf` whose branches all say the same scalar `type` (two
/// kinds of string: a `uri` or `""`), or are all arrays of one scalar
/// `type` (a list of event names, or `["*"]`): that type, which holds every
/// value of every branch as it came, and the union checked by `validate()`.
fn one_scalar_type(
    combinator: &str,
    branches: &[Value],
    root: &Value,
    pointer: &str,
) -> Option<Shape> {
    fn ty<'a>(schema: &'a Value, root: &'a Value) -> Option<&'a str> {
        resolve(schema, root)?.get("type")?.as_str()
    }
    fn scalar(ty: &str) -> Option<Kind> {
        Some(match ty {
            "string" => Kind::String,
            "integer" => Kind::Int,
            "number" => Kind::Num,
            "boolean" => Kind::Bool,
            _ => return None,
        })
    }
    let first = ty(branches.first()?, root)?;
    if !branches.iter().all(|b| ty(b, root) == Some(first)) {
        return None;
    }
    let kind = if first == "array" {
        fn item<'a>(branch: &'a Value, root: &'a Value) -> Option<&'a str> {
            ty(resolve(branch, root)?.get("items")?, root)
        }
        let item_ty = item(&branches[0], root)?;
        if !branches.iter().all(|b| item(b, root) == Some(item_ty)) {
            return None;
        }
        Kind::Vec(Box::new(Shape {
            kind: scalar(item_ty)?,
            checks: Vec::new(),
            pointer: format!("{pointer}/{combinator}/0/items"),
        }))
    } else {
        scalar(first)?
    };
    let union = Value::Object(
        [(combinator.to_owned(), Value::Array(branches.to_vec()))]
            .into_iter()
            .collect(),
    );
    Some(Shape {
        kind,
        checks: vec![Check::Schema(check_schema(&union, root))],
        pointer: pointer.to_owned(),
    })
}

/// The values a rule constrains, as the planner reads a schema: a rule of
/// one JSON type passes every value of another (`minLength` passes `3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applies {
    /// Every value: planned before any type is chosen (`$ref`, `enum`,
    /// `allOf`, `not`, …).
    Any,
    /// Strings: checks of `Planner::string`.
    Strings,
    /// Numbers: checks of `number`.
    Numbers,
    /// Arrays: `Planner::array`.
    Arrays,
    /// Objects: `Planner::object`.
    Objects,
    /// Any value, checked beside the type the other keywords give
    /// (`Planner::checked`).
    Checked,
}

/// What each rule applies to. Every rule is here: a new one does not
/// compile until it is said where the planner handles it.
const fn applies(rule: Rule) -> Applies {
    match rule {
        Rule::Ref
        | Rule::Type
        | Rule::Enum
        | Rule::Const
        | Rule::AllOf
        | Rule::AnyOf
        | Rule::OneOf => Applies::Any,
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
        | Rule::DependentRequired => Applies::Checked,
        Rule::MaxLength | Rule::MinLength | Rule::Pattern | Rule::Format => Applies::Strings,
        Rule::MultipleOf
        | Rule::Maximum
        | Rule::ExclusiveMaximum
        | Rule::Minimum
        | Rule::ExclusiveMinimum => Applies::Numbers,
        Rule::MaxItems | Rule::MinItems | Rule::UniqueItems | Rule::Items => Applies::Arrays,
        Rule::Required | Rule::Properties | Rule::AdditionalProperties => Applies::Objects,
    }
}

/// Whether `key` is a rule that applies to one of `to` only.
fn applies_to(key: &str, to: &[Applies]) -> bool {
    Rule::of(key).is_some_and(|r| to.contains(&applies(r)))
}

pub(crate) fn plan(catalog: &Catalog) -> TypeSpace {
    let mut planner = Planner {
        space: TypeSpace::default(),
        sites: Default::default(),
        inserted: Vec::new(),
        type_names: BTreeMap::new(),
        planning: Vec::new(),
        options: &catalog.manifest().codegen,
        base: &catalog.manifest().base.properties,
        shared: catalog.definitions(),
    };
    for (event, version) in catalog.versions() {
        let name = payload_type_name(&event.event_type, version.version);
        let ctx = Ctx {
            root: &version.schema,
            schema_ref: &version.schema_ref,
            type_name: name.clone(),
            span: version.span,
        };
        planner.payload(&ctx, event, version);
        planner.space.payloads.push(Payload {
            event_type: event.event_type.clone(),
            version: version.version,
            schema_ref: version.schema_ref.clone(),
            type_name: name,
            schema_json: serde_json::to_string(&version.schema).unwrap_or_default(),
        });
    }
    let chosen = super::rename::Chosen {
        schema: &planner.type_names,
        manifest: &planner.options.rename,
        sites: &planner.sites,
    };
    super::rename::apply(&mut planner.space, &chosen);
    planner.space
}

/// The lengths of the planner's lists, to undo what was planned since.
type Mark = (usize, usize, usize);

struct Planner<'c> {
    space: TypeSpace,
    /// Where each generated type was first planned, for collision messages.
    sites: HashMap<String, (String, Span)>,
    /// Generated types in the order they were planned.
    inserted: Vec<String>,
    /// `x-rust-type-name`, by the name the type was planned under.
    type_names: BTreeMap<String, String>,
    /// The keys of the definitions being planned, outermost first (a short
    /// stack): a reference to one of them is recursive.
    planning: Vec<String>,
    options: &'c CodegenOptions,
    base: &'c Map<String, Value>,
    shared: &'c BTreeMap<String, Value>,
}

impl Planner<'_> {
    fn payload(
        &mut self,
        ctx: &Ctx<'_>,
        event: &evreg_core::Event,
        version: &evreg_core::PayloadVersion,
    ) {
        let key = format!("payload:{}", ctx.type_name);
        let shape = self.shape(ctx.root, ctx, &ctx.type_name, "", &key);
        // Title and description of the schema, else of the event; then the
        // version's note and what it is.
        let mut doc = docs(ctx.root);
        if doc.is_empty() {
            doc.push(event.name.clone());
            if !event.description.is_empty() {
                doc.push(String::new());
                doc.extend(event.description.lines().map(str::to_owned));
            }
        }
        if let Some(d) = &version.description {
            doc.push(String::new());
            doc.extend(d.lines().map(str::to_owned));
        }
        doc.push(String::new());
        doc.push(format!(
            "`{}` version {}: `{}`.",
            event.event_type, version.version, version.schema_ref
        ));
        let is_root_struct = matches!(&shape.kind, Kind::Named(n) if *n == ctx.type_name);
        if !is_root_struct {
            let item = Item::Newtype(Newtype {
                name: ctx.type_name.clone(),
                doc,
                shape,
            });
            self.insert(&ctx.type_name, &key, item, ctx, "");
        } else if let Some((_, Item::Struct(s))) = self.space.items.get_mut(&ctx.type_name) {
            s.doc = doc;
        }
    }

    /// Adds a generated type; a different type of the same name is a collision.
    fn insert(&mut self, name: &str, key: &str, mut item: Item, ctx: &Ctx<'_>, site: &str) {
        let site = format!("`{}` of {}", display_pointer(site), ctx.type_name);
        let doc = match &mut item {
            Item::Struct(s) => &mut s.doc,
            Item::Enum(e) => &mut e.doc,
            Item::Tagged(t) => &mut t.doc,
            Item::Untagged(u) => &mut u.doc,
            Item::Newtype(n) => &mut n.doc,
        };
        if doc.is_empty() {
            doc.push(format!("Generated from {}.", describe(key)));
        }
        if super::is_reserved(name) {
            self.space.diagnostics.push(
                Diagnostic::error(
                    "rust-name-collision",
                    format!("a generated type would be named `{name}`, the name of a bus type"),
                )
                .at(ctx.span, "generating this version's types")
                .with_note(format!("it comes from {site}: {}", describe(key)))
                .with_help("rename the property or definition"),
            );
            return;
        }
        match self.space.items.get(name) {
            Some((existing, _)) if existing != key => {
                let existing = existing.clone();
                let existing_site = self
                    .sites
                    .get(name)
                    .map(|(s, _)| s.clone())
                    .unwrap_or_default();
                self.space.diagnostics.push(
                    Diagnostic::error(
                        "rust-name-collision",
                        format!("two generated Rust types are named `{name}`"),
                    )
                    .at(ctx.span, "generating this version's types")
                    .with_note(format!(
                        "one comes from {existing_site}: {}",
                        describe(&existing)
                    ))
                    .with_note(format!("the other from {site}: {}", describe(key)))
                    .with_help("rename a property or a definition so the type names differ"),
                );
            }
            Some(_) => {}
            None => {
                self.inserted.push(name.to_owned());
                self.sites.insert(name.to_owned(), (site, ctx.span));
                self.space
                    .items
                    .insert(name.to_owned(), (key.to_owned(), item));
            }
        }
    }

    fn known(&self, name: &str, key: &str) -> bool {
        matches!(self.space.items.get(name), Some((k, _)) if k == key)
    }

    /// The shape of `schema`, found at `pointer` in the payload schema; a
    /// type it needs is named `hint` and identified by `key`.
    fn shape(
        &mut self,
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Shape {
        let shape = self.shape_of(schema, ctx, hint, pointer, key);
        if let Some(chosen) = member(schema, "x-rust-type-name") {
            let mut kind = &shape.kind;
            while let Kind::Nullable(inner) = kind {
                kind = &inner.kind;
            }
            match (chosen.as_str().filter(|c| is_identifier(c)), kind) {
                (Some(chosen), Kind::Named(name)) => {
                    self.type_names.insert(name.clone(), chosen.to_owned());
                }
                (Some(_), _) => {}
                (None, _) => self.invalid_name(chosen, "x-rust-type-name", ctx, pointer),
            }
        }
        shape
    }

    /// A schema with rules that its type does not say (`not`, `if`,
    /// `minProperties`, `contains`, …; [`Applies::Checked`]): the type of the
    /// schema without them, and those rules checked by `validate()` on the
    /// value as it is written. The rules only narrow what the rest accepts,
    /// except where they change what another keyword applies to (`items`
    /// after `prefixItems`, `additionalProperties` beside
    /// `patternProperties`, `unevaluated*`): those stay a checked `Value`,
    /// as do rules that read the text of strings a Rust type normalizes
    /// (uuids, date-times).
    #[allow(clippy::too_many_arguments)]
    fn checked(
        &mut self,
        schema: &Value,
        map: &Map<String, Value>,
        rules: Map<String, Value>,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Shape {
        let rescopes = rules.contains_key("unevaluatedProperties")
            || rules.contains_key("unevaluatedItems")
            || (rules.contains_key("prefixItems") && map.contains_key("items"))
            || (rules.contains_key("patternProperties")
                && map.contains_key("additionalProperties"));
        let reads_text = rules.iter().any(|(k, v)| match k.as_str() {
            // Property names are written as they came.
            "propertyNames" => false,
            "patternProperties" => !v.as_object().is_some_and(|m| m.values().all(reads_no_text)),
            _ => !reads_no_text(v),
        });
        if rescopes || reads_text {
            return self.fallback(schema, ctx, pointer);
        }
        let rest: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| !rules.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mark = self.mark();
        let mut shape = self.shape_of(&Value::Object(rest), ctx, hint, pointer, key);
        // The check is reported at `pointer`, where the shape's own checks are.
        if shape.kind == Kind::Any || shape.pointer != pointer {
            self.rollback::<()>(mark);
            return self.fallback(schema, ctx, pointer);
        }
        let check = check_schema(&Value::Object(rules), ctx.root);
        match &shape.kind {
            // The object this schema defines: the check is its own, made
            // wherever it is used.
            Kind::Named(name) if name == hint => match self.space.items.get_mut(name) {
                Some((_, Item::Struct(s))) => {
                    let check = (pointer.to_owned(), check);
                    if !s.checks.contains(&check) {
                        s.checks.push(check);
                    }
                }
                _ => {
                    self.rollback::<()>(mark);
                    return self.fallback(schema, ctx, pointer);
                }
            },
            _ => shape.checks.push(Check::Schema(check)),
        }
        shape
    }

    /// An `x-rust-name` or `x-rust-type-name` that Rust cannot take.
    fn invalid_name(&mut self, chosen: &Value, keyword: &str, ctx: &Ctx<'_>, pointer: &str) {
        self.space.diagnostics.push(
            Diagnostic::error(
                "invalid-rust-name",
                format!(
                    "`{keyword}` at `{}` of {} is {chosen}, not a Rust identifier",
                    display_pointer(pointer),
                    ctx.schema_ref
                ),
            )
            .at(ctx.span, "generating this version's types")
            .with_help("use ASCII letters, digits and `_`, not starting with a digit, and not a Rust keyword"),
        );
    }

    fn shape_of(
        &mut self,
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Shape {
        let map = match schema {
            Value::Bool(true) => return simple(Kind::Any, pointer),
            Value::Object(map) => map,
            _ => return self.fallback(schema, ctx, pointer),
        };
        if map.keys().any(|k| applies_to(k, &[Applies::Checked])) {
            let rules = map
                .iter()
                .filter(|(k, _)| applies_to(k, &[Applies::Checked]))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            return self.checked(schema, map, rules, ctx, hint, pointer, key);
        }
        let only = |allowed: &[&str]| {
            map.keys()
                .all(|k| is_annotation(k) || allowed.contains(&k.as_str()))
        };

        if let Some(Value::String(reference)) = kw(map, "$ref") {
            if !only(&["$ref"]) {
                return self.fallback(schema, ctx, pointer);
            }
            return self.reference(reference, schema, ctx, hint, pointer);
        }

        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let Some(Value::Array(branches)) = map.get(combinator) {
                if only(&[combinator]) {
                    return self.combinator(combinator, branches, schema, ctx, hint, pointer, key);
                }
                // `"type": "object"` beside it: a union that reads objects only.
                if only(&[combinator, "type"]) && kw(map, "type") == Some(&Value::from("object")) {
                    let mark = self.mark();
                    let shape =
                        self.combinator(combinator, branches, schema, ctx, hint, pointer, key);
                    if self.json_types(&shape.kind) == OBJECT {
                        return shape;
                    }
                    self.rollback::<()>(mark);
                }
                return self.fallback(schema, ctx, pointer);
            }
        }

        let (types, nullable) = match kw(map, "type") {
            None => (None, false),
            Some(Value::String(t)) => (Some(vec![t.as_str()]), t == "null"),
            Some(Value::Array(ts)) => {
                let names: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
                let nullable = names.contains(&"null");
                (Some(names), nullable)
            }
            Some(_) => return self.fallback(schema, ctx, pointer),
        };
        let mut non_null: Vec<&str> = types
            .iter()
            .flatten()
            .copied()
            .filter(|t| *t != "null")
            .collect();
        if non_null.len() == 2 && non_null.contains(&"integer") && non_null.contains(&"number") {
            non_null = vec!["number"];
        }

        if let Some(values) = kw(map, "enum") {
            return self.string_enum(values, types.as_deref(), schema, ctx, hint, pointer);
        }
        if let Some(value) = kw(map, "const") {
            return match (value, non_null.as_slice()) {
                (Value::String(s), [] | ["string"]) if !nullable => {
                    // The text itself is checked: a uuid or date-time stays a string.
                    let mut shape = self.string(map, pointer);
                    if let Some(format) = match shape.kind {
                        Kind::Uuid => Some(Format::Uuid),
                        Kind::DateTime(_) => Some(Format::DateTime),
                        _ => None,
                    } {
                        shape = Shape {
                            kind: Kind::String,
                            checks: vec![Check::Format(format)],
                            pointer: pointer.to_owned(),
                        };
                    }
                    shape.checks.push(Check::Const(s.clone()));
                    shape
                }
                (Value::Bool(_), ["boolean"]) | (Value::Number(_), ["integer" | "number"])
                    if !nullable =>
                {
                    let kind = match non_null[0] {
                        "boolean" => Kind::Bool,
                        "integer" => Kind::Int,
                        _ => Kind::Num,
                    };
                    let mut shape = match kind {
                        Kind::Bool => simple(kind, pointer),
                        _ => number(map, kind, pointer),
                    };
                    let check = serde_json::json!({ "const": value }).to_string();
                    shape.checks.push(Check::Schema(check));
                    shape
                }
                _ => self.fallback(schema, ctx, pointer),
            };
        }

        if types.is_none() {
            // Without `type`, object/array/string keywords pass every other
            // kind of value: only a schema with no constraint is `Any`.
            return if only(&[]) {
                simple(Kind::Any, pointer)
            } else {
                self.fallback(schema, ctx, pointer)
            };
        }
        let inner = match non_null.as_slice() {
            [] if nullable && only(&["type"]) => return simple(Kind::Null, pointer),
            [] => return self.fallback(schema, ctx, pointer),
            ["string"] => self.string(map, pointer),
            ["integer"] => number(map, Kind::Int, pointer),
            ["number"] => number(map, Kind::Num, pointer),
            ["boolean"] => simple(Kind::Bool, pointer),
            ["array"] => self.array(map, ctx, hint, pointer, key),
            ["object"] => self.object(map, schema, ctx, hint, pointer, key),
            _ => return self.fallback(schema, ctx, pointer),
        };
        nullable_if(nullable, inner, pointer)
    }

    /// A value typed `serde_json::Value`, checked against its whole schema.
    fn fallback(&mut self, schema: &Value, ctx: &Ctx<'_>, pointer: &str) -> Shape {
        self.space.untyped.push(Untyped {
            schema_ref: ctx.schema_ref.to_owned(),
            pointer: pointer.to_owned(),
        });
        let check = check_schema(schema, ctx.root);
        Shape {
            kind: Kind::Any,
            checks: vec![Check::Schema(check)],
            pointer: pointer.to_owned(),
        }
    }

    fn reference(
        &mut self,
        reference: &str,
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
    ) -> Shape {
        let Some(fragment) = reference.strip_prefix('#') else {
            return self.fallback(schema, ctx, pointer);
        };
        let Some(target) = local_target(ctx.root, reference) else {
            return self.fallback(schema, ctx, pointer);
        };
        let fragment = percent_decode(fragment);
        let def = fragment
            .strip_prefix("/$defs/")
            .filter(|d| !d.contains('/'))
            .map(|d| d.replace("~1", "/").replace("~0", "~"));
        let Some(def) = def else {
            if fragment.is_empty() {
                // `#`: the payload itself, which is being planned.
                return boxed(&ctx.type_name, pointer);
            }
            // A pointer into the schema itself: the same schema, planned in
            // place (a recursive one stays a checked `Value`).
            let key = format!("{}:{fragment}", ctx.type_name);
            if self.planning.contains(&key) {
                return self.fallback(schema, ctx, pointer);
            }
            self.planning.push(key.clone());
            let shape = self.shape(target, ctx, hint, &fragment, &key);
            self.planning.pop();
            return shape;
        };
        let is_shared = self.shared.get(&def) == Some(target);
        let (name, key) = if is_shared {
            (type_name(&def), format!("def:{def}"))
        } else {
            (
                format!("{}{}", ctx.type_name, name_part(&def)),
                format!("local:{}/$defs/{def}", ctx.type_name),
            )
        };
        if self.planning.contains(&key) {
            return boxed(&name, pointer);
        }
        if !self.known(&name, &key) {
            self.planning.push(key.clone());
            let inner = self.shape(target, ctx, &name, &fragment, &key);
            self.planning.pop();
            if !matches!(&inner.kind, Kind::Named(n) if *n == name) {
                let item = Item::Newtype(Newtype {
                    name: name.clone(),
                    doc: docs(target),
                    shape: inner,
                });
                self.insert(&name, &key, item, ctx, &fragment);
            }
        }
        simple(Kind::Named(name), pointer)
    }

    #[allow(clippy::too_many_arguments)]
    fn combinator(
        &mut self,
        combinator: &str,
        branches: &[Value],
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Shape {
        // `[X, {"type": "null"}]`: a nullable X.
        if combinator != "allOf" && branches.len() == 2 {
            let is_null = |b: &Value| {
                member(b, "type") == Some(&Value::from("null"))
                    && b.as_object()
                        .is_some_and(|m| m.keys().all(|k| k == "type" || is_annotation(k)))
            };
            if let Some(i) = branches.iter().position(is_null) {
                let other = &branches[1 - i];
                if !is_null(other) && !accepts_null(other, ctx.root) {
                    let inner = self.shape(
                        other,
                        ctx,
                        hint,
                        &format!("{pointer}/{combinator}/{}", 1 - i),
                        key,
                    );
                    return nullable_if(true, inner, pointer);
                }
            }
        }
        if branches.len() == 1 {
            return self.shape(
                &branches[0],
                ctx,
                hint,
                &format!("{pointer}/{combinator}/0"),
                key,
            );
        }
        if combinator != "allOf"
            && let Some(shape) = self.tagged(combinator, branches, schema, ctx, hint, pointer, key)
        {
            return shape;
        }
        if combinator != "allOf"
            && let Some(shape) =
                self.untagged(combinator, branches, schema, ctx, hint, pointer, key)
        {
            return shape;
        }
        if combinator != "allOf"
            && let Some(shape) = one_scalar_type(combinator, branches, ctx.root, pointer)
        {
            return shape;
        }
        if combinator == "allOf"
            && let merged = merge_all_of(branches, ctx.root)
            && merged.exact
        {
            let mut merged = merged.schema;
            if let (Value::Object(m), Value::Object(orig)) = (&mut merged, schema) {
                for k in ["title", "description"] {
                    if let Some(v) = orig.get(k) {
                        m.insert(k.to_owned(), v.clone());
                    }
                }
            }
            // Planned as one object; checks point at the allOf itself.
            return self.object(
                merged.as_object().expect("merged is an object"),
                &merged,
                ctx,
                hint,
                pointer,
                key,
            );
        }
        if combinator == "allOf"
            && let Some(shape) = self.refined(branches, ctx, hint, pointer, key)
        {
            return shape;
        }
        self.fallback(schema, ctx, pointer)
    }

    /// `oneOf`/`anyOf` of branches that are disjoint as Rust types (see
    /// [`Untagged`]); a `{"type": "null"}` branch makes it an `Option`.
    #[allow(clippy::too_many_arguments)]
    fn untagged(
        &mut self,
        combinator: &str,
        branches: &[Value],
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Option<Shape> {
        let mut nullable = false;
        let mut variants: Vec<(String, Shape)> = Vec::new();
        let mark = self.mark();
        for (i, branch) in branches.iter().enumerate() {
            let branch_hint = format!("{hint}{}", branch_name(branches, i));
            let shape = self.shape(
                branch,
                ctx,
                &branch_hint,
                &format!("{pointer}/{combinator}/{i}"),
                &format!("{key}/{combinator}/{i}"),
            );
            let name = match shape.kind {
                Kind::Null if !nullable => {
                    nullable = true;
                    continue;
                }
                _ => self.variant_of(&shape, hint),
            };
            match name {
                Some(name) if !variants.iter().any(|(n, _)| *n == name) => {
                    variants.push((name, shape))
                }
                _ => return self.rollback(mark),
            }
        }
        let disjoint = variants
            .iter()
            .enumerate()
            .all(|(i, (_, a))| variants[..i].iter().all(|(_, b)| self.disjoint(a, b)));
        if !disjoint || variants.len() < 2 {
            return self.rollback(mark);
        }
        let item = Item::Untagged(Untagged {
            name: hint.to_owned(),
            doc: docs(schema),
            variants,
        });
        self.insert(hint, key, item, ctx, pointer);
        Some(nullable_if(
            nullable,
            simple(Kind::Named(hint.to_owned()), pointer),
            pointer,
        ))
    }

    /// Forgets the types planned since `mark` (a union that is not typed
    /// after all leaves no types of its branches behind).
    fn rollback<T>(&mut self, (types, diagnostics, untyped): Mark) -> Option<T> {
        for name in self.inserted.drain(types..) {
            self.space.items.remove(&name);
            self.sites.remove(&name);
        }
        self.space.diagnostics.truncate(diagnostics);
        self.space.untyped.truncate(untyped);
        None
    }

    /// Where [`Planner::rollback`] goes back to.
    fn mark(&self) -> Mark {
        (
            self.inserted.len(),
            self.space.diagnostics.len(),
            self.space.untyped.len(),
        )
    }

    /// The variant of an untagged enum that holds `shape`, planned as `hint`
    /// (the union's name and the branch's): a definition's name, the
    /// branch's, or the JSON type it holds.
    fn variant_of(&self, shape: &Shape, hint: &str) -> Option<String> {
        Some(
            match &shape.kind {
                Kind::Named(n) => return Some(n.strip_prefix(hint).unwrap_or(n).to_owned()),
                Kind::Bool => "Boolean",
                Kind::Int => "Integer",
                Kind::Num => "Number",
                Kind::String => "String",
                Kind::Uuid => "Uuid",
                Kind::DateTime(_) => "DateTime",
                Kind::Vec(_) => "Array",
                Kind::Object | Kind::Map(_) => "Object",
                _ => return None,
            }
            .to_owned(),
        )
    }

    /// Whether no JSON value is read by both `a`'s and `b`'s Rust types.
    fn disjoint(&self, a: &Shape, b: &Shape) -> bool {
        let (ja, jb) = (self.json_types(&a.kind), self.json_types(&b.kind));
        if ja & jb == 0 {
            return true;
        }
        let item = |k: &Kind| match k {
            Kind::Named(n) => self.space.items.get(n).map(|(_, i)| i),
            _ => None,
        };
        match (item(&a.kind), item(&b.kind)) {
            (Some(Item::Enum(x)), Some(Item::Enum(y))) => !x
                .variants
                .iter()
                .any(|(_, w)| y.variants.iter().any(|(_, v)| v == w)),
            (Some(Item::Struct(x)), Some(Item::Struct(y))) => {
                let refuses = |x: &Struct, y: &Struct| {
                    x.deny_unknown
                        && y.fields
                            .iter()
                            .any(|f| f.required && !x.fields.iter().any(|g| g.wire == f.wire))
                };
                refuses(x, y) || refuses(y, x)
            }
            _ => false,
        }
    }

    /// The JSON types a Rust type reads, as bits: null, boolean, number,
    /// string, array, object.
    fn json_types(&self, kind: &Kind) -> u8 {
        match kind {
            Kind::Any => u8::MAX,
            Kind::Null => NULL,
            Kind::Bool => BOOL,
            Kind::Int | Kind::Num => NUMBER,
            Kind::String | Kind::Uuid | Kind::DateTime(_) => STRING,
            Kind::Vec(_) => ARRAY,
            Kind::Object | Kind::Map(_) => OBJECT,
            Kind::Nullable(s) => NULL | self.json_types(&s.kind),
            Kind::Boxed(s) => self.json_types(&s.kind),
            Kind::Named(n) => match self.space.items.get(n).map(|(_, i)| i) {
                Some(Item::Struct(_) | Item::Tagged(_)) => OBJECT,
                Some(Item::Enum(_)) => STRING,
                Some(Item::Newtype(t)) => self.json_types(&t.shape.kind),
                Some(Item::Untagged(u)) => u
                    .variants
                    .iter()
                    .fold(0, |all, (_, s)| all | self.json_types(&s.kind)),
                None => u8::MAX,
            },
        }
    }

    /// `allOf: [{"$ref": …}, {refinement}…]`: the referenced definition's
    /// type, and the refinements checked on the value as it is written.
    ///
    /// Writing a value normalizes uuids and date-times (case, offset), so
    /// refinements that read the text of strings (`pattern`, lengths, a
    /// `const` that is a uuid or a date-time) are not checked this way.
    fn refined(
        &mut self,
        branches: &[Value],
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Option<Shape> {
        let is_ref = |b: &Value| {
            b.as_object().is_some_and(|m| {
                m.contains_key("$ref") && m.keys().all(|k| k == "$ref" || is_annotation(k))
            })
        };
        let i = branches.iter().position(is_ref)?;
        let rest = branches.iter().enumerate().filter(|(j, _)| *j != i);
        if !rest.clone().all(|(_, b)| reads_no_text(b)) {
            return None;
        }
        let base = self.shape(
            &branches[i],
            ctx,
            hint,
            &format!("{pointer}/allOf/{i}"),
            &format!("{key}/allOf/{i}"),
        );
        if base.kind == Kind::Any || !base.checks.is_empty() {
            return None;
        }
        // The branch the type holds becomes `true`, so that the check's
        // schema paths keep the indexes of the `allOf`.
        let mut check = branches.to_vec();
        check[i] = Value::Bool(true);
        let check = check_schema(&serde_json::json!({ "allOf": check }), ctx.root);
        Some(Shape {
            kind: base.kind,
            checks: vec![Check::Schema(check)],
            pointer: pointer.to_owned(),
        })
    }

    /// `oneOf`/`anyOf` of objects that each require a property with a
    /// distinct string `const`: an internally tagged enum.
    #[allow(clippy::too_many_arguments)]
    fn tagged(
        &mut self,
        combinator: &str,
        branches: &[Value],
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Option<Shape> {
        let resolved: Vec<&Map<String, Value>> = branches
            .iter()
            .map(|b| resolve(b, ctx.root).and_then(Value::as_object))
            .collect::<Option<_>>()?;
        let first = resolved.first()?;
        let props = kw(first, "properties")?.as_object()?;
        let tag = props.iter().find_map(|(name, s)| {
            let tagged_everywhere = resolved.iter().all(|b| {
                kw(b, "type") == Some(&Value::from("object"))
                    && kw(b, "additionalProperties") == Some(&Value::Bool(false))
                    && required_names(b).contains(&name.as_str())
                    && const_of(kw(b, "properties").and_then(|p| p.get(name))).is_some()
                    && b.keys().all(|k| {
                        is_annotation(k) || applies_to(k, &[Applies::Objects]) || k == "type"
                    })
            });
            (tagged_everywhere && const_of(Some(s)).is_some()).then(|| name.clone())
        })?;
        let values: Vec<String> = resolved
            .iter()
            .map(|b| const_of(kw(b, "properties").and_then(|p| p.get(&tag))).unwrap_or_default())
            .collect();
        let mut distinct = values.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != values.len() {
            return None;
        }
        let mut variants = Vec::new();
        for (i, (branch, value)) in resolved.iter().zip(&values).enumerate() {
            let variant = variant_name(value);
            let name = format!("{hint}{variant}");
            let mut without_tag = (*branch).clone();
            if let Some(Value::Object(p)) = without_tag.get_mut("properties") {
                p.remove(&tag);
            }
            if let Some(Value::Array(r)) = without_tag.get_mut("required") {
                r.retain(|v| v.as_str() != Some(tag.as_str()));
            }
            let branch_pointer = format!("{pointer}/{combinator}/{i}");
            let branch_key = format!("{key}/{combinator}/{i}");
            let value = Value::Object(without_tag);
            let shape = self.object(
                value.as_object().expect("object"),
                &value,
                ctx,
                &name,
                &branch_pointer,
                &branch_key,
            );
            if !matches!(&shape.kind, Kind::Named(n) if *n == name) {
                return None;
            }
            variants.push((variant, values[i].clone(), name));
        }
        let item = Item::Tagged(Tagged {
            name: hint.to_owned(),
            doc: docs(schema),
            tag,
            variants,
        });
        self.insert(hint, key, item, ctx, pointer);
        Some(simple(Kind::Named(hint.to_owned()), pointer))
    }

    #[allow(clippy::too_many_arguments)]
    fn string_enum(
        &mut self,
        values: &Value,
        types: Option<&[&str]>,
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
    ) -> Shape {
        let Value::Array(values) = values else {
            return self.fallback(schema, ctx, pointer);
        };
        let map = schema.as_object().expect("enum schemas are objects");
        let plain = map
            .keys()
            .all(|k| is_annotation(k) || k == "enum" || k == "type");
        let has_null = values.iter().any(Value::is_null);
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let types_ok = match types {
            None => true,
            Some(ts) => {
                ts.contains(&"string")
                    && ts.iter().all(|t| *t == "string" || *t == "null")
                    && (!has_null || ts.contains(&"null"))
            }
        };
        if !plain
            || !types_ok
            || strings.is_empty()
            || strings.len() + usize::from(has_null) != values.len()
        {
            return self.fallback(schema, ctx, pointer);
        }
        let mut variants: Vec<(String, String)> = Vec::new();
        // Variant name → its value, and the values seen: one pass, however
        // many values (a 40,000-value enum once took seconds here).
        let mut by_name: HashMap<String, &str> = HashMap::with_capacity(strings.len());
        let mut seen: HashSet<&str> = HashSet::with_capacity(strings.len());
        for s in &strings {
            let v = variant_name(s);
            if by_name.get(&v).is_some_and(|wire| wire != s) {
                // Two values that case-convert alike cannot be two variants.
                return self.fallback(schema, ctx, pointer);
            }
            if seen.insert(s) {
                by_name.insert(v.clone(), s);
                variants.push((v, (*s).to_owned()));
            }
        }
        // String enums are identified by their values: two enums of the same
        // name and values (a base property and a shared definition's) are one type.
        let key = &format!(
            "enum:{}",
            serde_json::to_string(&strings).unwrap_or_default()
        );
        if !self.known(hint, key) {
            let item = Item::Enum(StrEnum {
                name: hint.to_owned(),
                doc: docs(schema),
                variants,
            });
            self.insert(hint, key, item, ctx, pointer);
        }
        nullable_if(
            has_null,
            simple(Kind::Named(hint.to_owned()), pointer),
            pointer,
        )
    }

    fn string(&mut self, map: &Map<String, Value>, pointer: &str) -> Shape {
        let format = kw(map, "format").and_then(Value::as_str);
        let only_format = map.keys().all(|k| {
            is_annotation(k)
                || k == "type"
                || k == "format"
                || applies_to(k, &[Applies::Numbers, Applies::Arrays, Applies::Objects])
        });
        let typed = match format {
            Some("uuid") if only_format && self.options.uuid == UuidRepr::Uuid => Some(Kind::Uuid),
            Some("date-time") if only_format && self.options.date_time != DateTimeRepr::String => {
                Some(Kind::DateTime(self.options.date_time))
            }
            _ => None,
        };
        if let Some(kind) = typed {
            return simple(kind, pointer);
        }
        let mut checks = Vec::new();
        if let Some(n) = kw(map, "minLength").and_then(count) {
            checks.push(Check::MinLength(n));
        }
        if let Some(n) = kw(map, "maxLength").and_then(count) {
            checks.push(Check::MaxLength(n));
        }
        if let Some(Value::String(p)) = kw(map, "pattern") {
            checks.push(Check::Pattern(p.clone()));
        }
        if let Some(f) = format.and_then(Format::from_name) {
            checks.push(Check::Format(f));
        }
        Shape {
            kind: Kind::String,
            checks,
            pointer: pointer.to_owned(),
        }
    }

    fn array(
        &mut self,
        map: &Map<String, Value>,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Shape {
        let items = match kw(map, "items") {
            Some(items) => self.shape(
                items,
                ctx,
                &format!("{hint}Item"),
                &format!("{pointer}/items"),
                &format!("{key}/items"),
            ),
            None => simple(Kind::Any, &format!("{pointer}/items")),
        };
        // A `Vec` already holds its items through a pointer.
        let items = unboxed(items);
        let mut checks = Vec::new();
        if let Some(n) = kw(map, "minItems").and_then(count) {
            checks.push(Check::MinItems(n));
        }
        if let Some(n) = kw(map, "maxItems").and_then(count) {
            checks.push(Check::MaxItems(n));
        }
        let mut items = items;
        if kw(map, "uniqueItems") == Some(&Value::Bool(true)) {
            checks.push(Check::UniqueItems);
            // Uniqueness is of the JSON text: `A…` and `a…` are two uuids on
            // the wire but one `Uuid`; such items stay strings.
            let format = match items.kind {
                Kind::Uuid => Some(Format::Uuid),
                Kind::DateTime(_) => Some(Format::DateTime),
                _ => None,
            };
            if let Some(format) = format {
                items.kind = Kind::String;
                items.checks.push(Check::Format(format));
            }
        }
        Shape {
            kind: Kind::Vec(Box::new(items)),
            checks,
            pointer: pointer.to_owned(),
        }
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        schema: &Value,
        ctx: &Ctx<'_>,
        hint: &str,
        pointer: &str,
        key: &str,
    ) -> Shape {
        let properties = kw(map, "properties").and_then(Value::as_object);
        let required = required_names(map);
        let additional = kw(map, "additionalProperties");
        let open = matches!(additional, None | Some(Value::Bool(true)))
            || additional.is_some_and(|a| a.as_object().is_some_and(Map::is_empty));
        if properties.is_none_or(Map::is_empty) && required.is_empty() {
            if open {
                return simple(Kind::Object, pointer);
            }
            if let Some(a) = additional.filter(|a| a.is_object()) {
                let value = self.shape(
                    a,
                    ctx,
                    &format!("{hint}Value"),
                    &format!("{pointer}/additionalProperties"),
                    &format!("{key}/additionalProperties"),
                );
                return simple(Kind::Map(Box::new(unboxed(value))), pointer);
            }
        }
        if self.known(hint, key) {
            return simple(Kind::Named(hint.to_owned()), pointer);
        }
        let is_root = pointer.is_empty();
        let mut fields = Vec::new();
        for (wire, sub) in properties.into_iter().flatten() {
            let from_base = is_root && self.base.get(wire) == Some(sub);
            let (sub_hint, sub_key) = if from_base {
                (type_name(wire), format!("base:{wire}"))
            } else {
                (
                    format!("{hint}{}", name_part(wire)),
                    format!("{key}/properties/{wire}"),
                )
            };
            let sub_pointer = format!("{pointer}/properties/{}", escape(wire));
            let shape = self.shape(sub, ctx, &sub_hint, &sub_pointer, &sub_key);
            let mut doc = docs(sub);
            if doc.is_empty() {
                doc.push(format!("`{wire}`"));
            }
            let rust = match member(sub, "x-rust-name") {
                Some(Value::String(chosen)) if is_identifier(chosen) => chosen.clone(),
                Some(chosen) => {
                    self.invalid_name(chosen, "x-rust-name", ctx, &sub_pointer);
                    field_name(wire)
                }
                None => field_name(wire),
            };
            fields.push(Field {
                wire: wire.clone(),
                rust,
                doc,
                required: required.contains(&wire.as_str()),
                deprecated: member(sub, "deprecated") == Some(&Value::Bool(true)),
                shape,
            });
        }
        for wire in &required {
            if !fields.iter().any(|f| f.wire == *wire) {
                fields.push(Field {
                    wire: (*wire).to_owned(),
                    rust: field_name(wire),
                    doc: vec![format!("`{wire}` (required, any value)")],
                    required: true,
                    deprecated: false,
                    shape: simple(Kind::Any, &format!("{pointer}/required")),
                });
            }
        }
        let extra = if additional == Some(&Value::Bool(false)) {
            None
        } else {
            let mut rust = "additional_properties".to_owned();
            while fields.iter().any(|f| f.rust == rust) {
                rust.push('_');
            }
            let check = additional.filter(|a| !open && a.is_object()).map(|a| {
                (
                    format!("{pointer}/additionalProperties"),
                    check_schema(a, ctx.root),
                )
            });
            Some(Extra { rust, check })
        };
        let item = Item::Struct(Struct {
            name: hint.to_owned(),
            doc: docs(schema),
            fields,
            deny_unknown: additional == Some(&Value::Bool(false)),
            extra,
            checks: Vec::new(),
        });
        self.insert(hint, key, item, ctx, pointer);
        simple(Kind::Named(hint.to_owned()), pointer)
    }
}

// JSON types, as bits of a set (see `Planner::json_types`).
const NULL: u8 = 1;
const BOOL: u8 = 2;
const NUMBER: u8 = 4;
const STRING: u8 = 8;
const ARRAY: u8 = 16;
const OBJECT: u8 = 32;

/// A non-negative integer keyword value (`2` or `2.0`, which JSON Schema
/// also calls an integer).
fn count(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64)
            .map(|f| f as u64)
    })
}

/// `inner`, or `Option<inner>` when the schema also allows `null`.
fn nullable_if(nullable: bool, inner: Shape, pointer: &str) -> Shape {
    if nullable {
        Shape {
            kind: Kind::Nullable(Box::new(inner)),
            checks: Vec::new(),
            pointer: pointer.to_owned(),
        }
    } else {
        inner
    }
}

/// `shape` without its `Box`, for a place that holds it through a pointer
/// already (the items of a `Vec`, the values of a map).
fn unboxed(shape: Shape) -> Shape {
    match shape.kind {
        Kind::Boxed(inner) if shape.checks.is_empty() => *inner,
        kind => Shape { kind, ..shape },
    }
}

/// `Box<name>`: a reference to a type still being planned.
fn boxed(name: &str, pointer: &str) -> Shape {
    simple(
        Kind::Boxed(Box::new(simple(Kind::Named(name.to_owned()), pointer))),
        pointer,
    )
}

fn simple(kind: Kind, pointer: &str) -> Shape {
    Shape {
        kind,
        checks: Vec::new(),
        pointer: pointer.to_owned(),
    }
}

fn number(map: &Map<String, Value>, kind: Kind, pointer: &str) -> Shape {
    let mut checks = Vec::new();
    let num = |k: &str| match map.get(k) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    };
    if let Some(n) = num("minimum") {
        checks.push(Check::Minimum(n));
    }
    if let Some(n) = num("maximum") {
        checks.push(Check::Maximum(n));
    }
    if let Some(n) = num("exclusiveMinimum") {
        checks.push(Check::ExclusiveMinimum(n));
    }
    if let Some(n) = num("exclusiveMaximum") {
        checks.push(Check::ExclusiveMaximum(n));
    }
    if let Some(m) = kw(map, "multipleOf") {
        checks.push(Check::MultipleOf(
            serde_json::json!({ "multipleOf": m }).to_string(),
        ));
    }
    Shape {
        kind,
        checks,
        pointer: pointer.to_owned(),
    }
}

/// Doc lines from `title` and `description`.
pub(crate) fn docs(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let text = |k: &str| {
        member(schema, k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    if let Some(title) = text("title") {
        out.push(title.to_owned());
    }
    if let Some(description) = text("description")
        && Some(description) != text("title")
    {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(description.lines().map(str::to_owned));
    }
    out
}

/// `name` as the end of a longer type name (`TicketCreatedV1Address`):
/// [`type_name`], where `Self` may stay `Self` (`ThingDoneV1Self`), since
/// only a whole name cannot be `Self`.
fn name_part(name: &str) -> String {
    let mut part = type_name(name);
    if part == "Self_" {
        part.pop();
    }
    part
}

fn required_names(map: &Map<String, Value>) -> Vec<&str> {
    let mut names: Vec<&str> = match kw(map, "required") {
        Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    names.dedup();
    names
}

/// The string a schema allows as its only value (`const` or a one-value `enum`).
fn const_of(schema: Option<&Value>) -> Option<String> {
    let schema = schema?;
    match (member(schema, "const"), member(schema, "enum")) {
        (Some(Value::String(s)), None) => Some(s.clone()),
        (None, Some(Value::Array(values))) if values.len() == 1 => {
            values[0].as_str().map(str::to_owned)
        }
        _ => None,
    }
}

/// `schema`, or what its `$ref` (into the same document) points at.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> Option<&'a Value> {
    match member(schema, "$ref").and_then(Value::as_str) {
        Some(r) => {
            let keys_ok = schema
                .as_object()?
                .keys()
                .all(|k| k == "$ref" || is_annotation(k));
            if !keys_ok {
                return None;
            }
            local_target(root, r)
        }
        None => Some(schema),
    }
}

/// Whether a schema (resolved) accepts `null`.
fn accepts_null(schema: &Value, root: &Value) -> bool {
    let Some(schema) = resolve(schema, root) else {
        return true;
    };
    match member(schema, "type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => true,
    }
}

/// The name of branch `i` of a union, for the type planned for it: its
/// `title`, else a property only it requires, else `Variant{i}`.
fn branch_name(branches: &[Value], i: usize) -> String {
    let branch = &branches[i];
    if let Some(title) = member(branch, "title").and_then(Value::as_str) {
        return type_name(title);
    }
    let required = |b: &Value| -> Vec<String> {
        member(b, "required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect()
    };
    let others: Vec<String> = branches
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .flat_map(|(_, b)| required(b))
        .collect();
    match required(branch).into_iter().find(|r| !others.contains(r)) {
        Some(own) => type_name(&own),
        None => format!("Variant{i}"),
    }
}

/// Whether a refinement's verdict is the same on a value and on that value
/// written again by its Rust type (uuids lowercased, date-times in UTC).
fn reads_no_text(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => m.iter().all(|(k, v)| match k.as_str() {
            "pattern" | "minLength" | "maxLength" | "patternProperties" | "propertyNames" => false,
            "const" | "enum" => !has_normalized_text(v),
            _ if is_annotation(k) => true,
            _ => reads_no_text(v),
        }),
        Value::Array(a) => a.iter().all(reads_no_text),
        _ => true,
    }
}

/// Whether a value holds a string that a Rust type writes differently.
fn has_normalized_text(value: &Value) -> bool {
    match value {
        Value::String(s) => Format::Uuid.is_valid(s) || Format::DateTime.is_valid(s),
        Value::Array(a) => a.iter().any(has_normalized_text),
        Value::Object(m) => m.values().any(has_normalized_text),
        _ => false,
    }
}

/// The self-contained JSON text of a check of `schema`: its annotations
/// dropped, and the definitions of `root` it reaches copied in.
fn check_schema(schema: &Value, root: &Value) -> String {
    let mut check = schema.clone();
    map_remove_annotations(&mut check);
    let mut names = Vec::new();
    collect_def_refs(schema, root, &mut names);
    let defs = member(root, "$defs");
    let elsewhere = !refs_into_defs(schema)
        || names.iter().any(|n| {
            defs.and_then(|d| d.get(n))
                .is_some_and(|d| !refs_into_defs(d))
        });
    if elsewhere {
        return rooted_check(check, root);
    }
    if let (Value::Object(map), false) = (&mut check, names.is_empty()) {
        names.sort();
        let defs: Map<String, Value> = names
            .into_iter()
            .filter_map(|n| {
                let def = member(root, "$defs")?.get(&n)?.clone();
                Some((n, def))
            })
            .collect();
        map.insert("$defs".to_owned(), Value::Object(defs));
    }
    check.to_string()
}

/// The `$id` a check gives the payload schema it embeds.
const ROOT_ID: &str = "urn:evreg:payload";

/// A check of `check` (a part of `root`, or made of parts of it) whose
/// references reach more than `$defs` (`#`, the payload itself, or a
/// pointer into its properties): the whole payload schema is embedded as a
/// resource of its own, and every local reference points into it.
fn rooted_check(mut check: Value, root: &Value) -> String {
    retarget_local_refs(&mut check);
    let mut resource = root.clone();
    if let Value::Object(m) = &mut resource {
        m.insert("$id".to_owned(), Value::from(ROOT_ID));
        m.remove("$schema");
    }
    match &mut check {
        Value::Object(map) => {
            let defs = map
                .entry("$defs")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(defs) = defs {
                defs.insert("evreg-payload".to_owned(), resource);
            }
        }
        _ => return check.to_string(),
    }
    check.to_string()
}

/// Points every local `$ref` of `value` (`#…`) into the embedded payload
/// schema (`urn:evreg:payload#…`), not into `$defs` of the embedded one.
fn retarget_local_refs(value: &mut Value) {
    evreg_core::schema::dialect::for_each_schema_mut(value, &mut |map, _| {
        if let Some(Value::String(r)) = map.get_mut("$ref")
            && r.starts_with('#')
        {
            *r = format!("{ROOT_ID}{r}");
        }
    });
}

/// The `$defs` names `value` reaches through `#/$defs/…` references.
fn collect_def_refs(value: &Value, root: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref"
                    && let Some(rest) = v.as_str().and_then(|r| r.strip_prefix("#/$defs/"))
                {
                    // The definition is the first token; the ref may point inside it.
                    let token = rest.split('/').next().unwrap_or_default();
                    let name = percent_decode(token).replace("~1", "/").replace("~0", "~");
                    if !out.contains(&name) {
                        out.push(name.clone());
                        if let Some(def) = member(root, "$defs").and_then(|d| d.get(&name)) {
                            collect_def_refs(def, root, out);
                        }
                    }
                } else {
                    collect_def_refs(v, root, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_def_refs(v, root, out)),
        _ => {}
    }
}

fn refs_into_defs(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.iter().all(|(k, v)| {
            if k == "$ref" {
                v.as_str().is_some_and(|r| r.starts_with("#/$defs/"))
            } else {
                refs_into_defs(v)
            }
        }),
        Value::Array(a) => a.iter().all(refs_into_defs),
        _ => true,
    }
}

/// Drops `title`/`description`/… at the top of a check's schema (they do
/// not validate, and keep generated checks short).
fn map_remove_annotations(value: &mut Value) {
    if let Value::Object(m) = value {
        for k in [
            "title",
            "description",
            "examples",
            "default",
            "$comment",
            "deprecated",
            "readOnly",
            "writeOnly",
            "$schema",
        ] {
            m.remove(k);
        }
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

fn describe(key: &str) -> String {
    if let Some(def) = key.strip_prefix("def:") {
        format!("the shared definition `{def}`")
    } else if let Some(base) = key.strip_prefix("base:") {
        format!("the base property `{base}`")
    } else if let Some(rest) = key.strip_prefix("payload:") {
        format!("`{rest}`")
    } else if let Some(values) = key.strip_prefix("enum:") {
        format!("a string enum of {values}")
    } else if let Some(rest) = key.strip_prefix("local:") {
        format!("the local definition `{rest}`")
    } else {
        format!("`{key}`")
    }
}
