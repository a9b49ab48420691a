//! The comparison of a hand-written type with the type the generator plans
//! for the same schema.

use evreg_core::naming::did_you_mean;
use evreg_core::{Catalog, Event, PayloadVersion};
use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::{DataEnum, DeriveInput, Fields};

use super::Loaded;
use super::attrs::{self, Target};
use super::ty::Ty;
use crate::rust::plan::{Check, Item, Kind, Newtype, Shape, Struct, TypeSpace};

/// Where the checked schema is, for messages.
pub(crate) struct Site {
    pub schema_ref: String,
    /// The schema file, relative to the catalog.
    pub file: String,
    /// Where the checked type sits in the payload schema.
    pub pointer: String,
}

impl Site {
    fn at(&self, pointer: &str) -> String {
        let pointer = if pointer.is_empty() { "/" } else { pointer };
        format!("{} at `{pointer}` ({})", self.schema_ref, self.file)
    }
}

/// The errors found, and the `const` assertions for user types.
#[derive(Default)]
pub(crate) struct Out {
    pub errors: Vec<syn::Error>,
    pub asserts: Vec<TokenStream>,
}

impl Out {
    fn error(&mut self, span: Span, message: String) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// All errors as one (each keeps its span), or nothing.
    pub fn finish(&mut self) -> syn::Result<()> {
        let mut errors = std::mem::take(&mut self.errors).into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                errors.for_each(|e| first.combine(e));
                Err(first)
            }
        }
    }
}

/// The event version named by `#[evreg(event = …, version = …)]` or `#[evreg(ref = …)]`.
pub(crate) fn payload_of<'c>(
    catalog: &'c Catalog,
    target: &Target,
    input: &DeriveInput,
) -> syn::Result<(&'c Event, &'c PayloadVersion)> {
    if let Some(reference) = &target.reference {
        return catalog.version_by_ref(&reference.value()).ok_or_else(|| {
            let refs: Vec<&str> = catalog
                .versions()
                .map(|(_, v)| v.schema_ref.as_str())
                .collect();
            syn::Error::new(
                reference.span(),
                format!(
                    "the catalog has no payload schema `{}`{}",
                    reference.value(),
                    suggest(&reference.value(), refs)
                ),
            )
        });
    }
    let Some(event_lit) = &target.event else {
        return Err(syn::Error::new(
            target.span.unwrap_or_else(|| input.ident.span()),
            "name the event version: #[evreg(event = \"TICKET_CREATED\", version = 1)] \
             or #[evreg(ref = \"payload.TicketCreated.v1\")]",
        ));
    };
    let name = event_lit.value();
    let Some(event) = catalog.event(&name) else {
        let names: Vec<&str> = catalog
            .events()
            .iter()
            .flat_map(|e| {
                std::iter::once(e.event_type.as_str()).chain(e.aliases.iter().map(String::as_str))
            })
            .collect();
        return Err(syn::Error::new(
            event_lit.span(),
            format!("the catalog has no event `{name}`{}", suggest(&name, names)),
        ));
    };
    let versions = event
        .versions
        .iter()
        .map(|v| v.version.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let Some(version_lit) = &target.version else {
        return Err(syn::Error::new(
            event_lit.span(),
            format!(
                "name the version of `{}`: version = N (it has {versions})",
                event.event_type
            ),
        ));
    };
    let number: u32 = version_lit.base10_parse()?;
    match event.version(number) {
        Some(v) => Ok((event, v)),
        None => Err(syn::Error::new(
            version_lit.span(),
            format!(
                "`{}` has no version {number}; its versions are {versions}",
                event.event_type
            ),
        )),
    }
}

/// The planned type at `#[evreg(definition = …)]` or `#[evreg(ref/event…, pointer = …)]`.
pub(crate) fn place<'l>(
    loaded: &'l Loaded,
    target: &Target,
    input: &DeriveInput,
) -> syn::Result<(Site, (String, &'l Item))> {
    let space = &loaded.space;
    if let Some(def) = &target.definition {
        let name = def.value();
        let key = format!("def:{name}");
        if let Some((_, (k, item))) = space.items.iter().find(|(_, (k, _))| *k == key) {
            let sources = loaded.catalog.sources();
            let files: Vec<String> = loaded
                .catalog
                .manifest()
                .definition_files
                .iter()
                .map(|f| sources.display_name(&loaded.catalog.root().join(f)))
                .collect();
            let file = files.join(", ");
            let site = Site {
                schema_ref: format!("the shared definition `{name}`"),
                file,
                pointer: String::new(),
            };
            let key = match item {
                Item::Enum(e) => enum_key(e.variants.iter().map(|(_, w)| w.as_str())),
                _ => k.clone(),
            };
            return Ok((site, (key, item)));
        }
        let defs = loaded.catalog.definitions();
        let message = if defs.contains_key(&name) {
            format!(
                "the shared definition `{name}` is not a type of its own in generated code \
                 (a string enum, which needs no #[evreg], or a definition no payload uses)"
            )
        } else {
            format!(
                "the catalog has no shared definition `{name}`{}",
                suggest(&name, defs.keys().map(String::as_str))
            )
        };
        return Err(syn::Error::new(def.span(), message));
    }
    let (event, version) = payload_of(&loaded.catalog, target, input)?;
    let Some(pointer_lit) = &target.pointer else {
        return Err(syn::Error::new(
            target.span.unwrap_or_else(|| input.ident.span()),
            "name the place in the payload schema: pointer = \"/properties/field\"",
        ));
    };
    let pointer = pointer_lit.value();
    let site = Site {
        schema_ref: version.schema_ref.clone(),
        file: loaded.catalog.sources().display_name(&version.schema_file),
        pointer: pointer.clone(),
    };
    let root = evreg_core::naming::payload_type_name(&event.event_type, version.version);
    let fail = |message: String| syn::Error::new(pointer_lit.span(), message);
    let mut shape = Shape {
        kind: Kind::Named(root),
        checks: Vec::new(),
        pointer: String::new(),
    };
    let mut tokens = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"));
    if !pointer.starts_with('/') {
        return Err(fail(format!(
            "`{pointer}` is not a JSON pointer (it starts with `/`)"
        )));
    }
    while let Some(token) = tokens.next() {
        while let Kind::Nullable(inner) = shape.kind {
            shape = *inner;
        }
        shape = match (token.as_str(), &shape.kind) {
            ("properties", Kind::Named(n)) => {
                let Some((_, Item::Struct(s))) = space.items.get(n) else {
                    return Err(fail(format!(
                        "{} has no properties",
                        site.at(&shape.pointer)
                    )));
                };
                let wire = tokens.next().unwrap_or_default();
                match s.fields.iter().find(|f| f.wire == wire) {
                    Some(f) => f.shape.clone(),
                    None => {
                        return Err(fail(format!(
                            "{} has no property `{wire}`{}",
                            site.at(&shape.pointer),
                            suggest(&wire, s.fields.iter().map(|f| f.wire.as_str()))
                        )));
                    }
                }
            }
            ("items", Kind::Vec(inner)) | ("additionalProperties", Kind::Map(inner)) => {
                (**inner).clone()
            }
            _ => {
                return Err(fail(format!(
                    "`{pointer}` leads nowhere in {}: at `{token}`",
                    site.schema_ref
                )));
            }
        };
    }
    while let Kind::Nullable(inner) = shape.kind {
        shape = *inner;
    }
    match &shape.kind {
        Kind::Named(n) => match space.items.get(n) {
            Some((k, item)) => {
                let key = match item {
                    Item::Enum(e) => enum_key(e.variants.iter().map(|(_, w)| w.as_str())),
                    _ => k.clone(),
                };
                Ok((site, (key, item)))
            }
            None => Err(fail(format!("no type is planned at `{pointer}`"))),
        },
        other => Err(fail(format!(
            "{} is {}, not an object or enum a type of its own stands for",
            site.at(&pointer),
            describe_kind(other, space)
        ))),
    }
}

/// The `SCHEMA_KEY` of a string enum: its values, sorted.
pub fn enum_key<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut values: Vec<&str> = values.into_iter().collect();
    values.sort_unstable();
    values.dedup();
    format!(
        "enum:{}",
        serde_json::to_string(&values).unwrap_or_default()
    )
}

/// The wire values of a unit-only enum, serde renames applied.
pub(crate) fn enum_values(input: &DeriveInput, data: &DataEnum) -> syn::Result<Vec<String>> {
    let container = attrs::container(&input.attrs)?;
    if let Some((what, span)) = container.unsupported {
        return Err(syn::Error::new(
            span,
            format!(
                "`#[serde({what})]` changes the wire form; CatalogType enums are plain string enums"
            ),
        ));
    }
    let mut values = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(syn::Error::new(
                variant.span(),
                "CatalogType enums are string enums: every variant is a unit variant; \
                 use serde_json::Value for a union of objects",
            ));
        }
        let member = attrs::member(&variant.attrs)?;
        if member.skip {
            continue;
        }
        let name = variant.ident.to_string();
        values.push(member.rename.unwrap_or_else(|| {
            container
                .rename_all
                .map_or(name.clone(), |r| r.variant(&name))
        }));
    }
    Ok(values)
}

/// An enum that names its place: its values must be the schema's.
pub(crate) fn check_enum(
    input: &DeriveInput,
    data: &DataEnum,
    values: &[String],
    site: &Site,
    item: &Item,
) -> syn::Result<()> {
    let Item::Enum(planned) = item else {
        return Err(syn::Error::new(
            input.ident.span(),
            format!("{} is not a string enum", site.at(&site.pointer)),
        ));
    };
    let wanted: Vec<&str> = planned.variants.iter().map(|(_, w)| w.as_str()).collect();
    let mut out = Out::default();
    let live: Vec<&syn::Variant> = data
        .variants
        .iter()
        .filter(|v| !attrs::member(&v.attrs).map(|m| m.skip).unwrap_or(false))
        .collect();
    for (variant, value) in live.iter().zip(values) {
        if !wanted.contains(&value.as_str()) {
            out.error(
                variant.ident.span(),
                format!(
                    "`{value}` is not a value of {}{}",
                    site.at(&site.pointer),
                    suggest(value, wanted.iter().copied())
                ),
            );
        }
    }
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| !values.iter().any(|v| v == *w))
        .map(|w| format!("`{w}`"))
        .collect();
    if !missing.is_empty() {
        out.error(
            input.ident.span(),
            format!(
                "`{}` has no variant for {} of {}",
                input.ident,
                missing.join(", "),
                site.at(&site.pointer)
            ),
        );
    }
    out.finish()
}

/// A struct with named fields against a planned struct.
pub(crate) fn check_struct(
    input: &DeriveInput,
    planned: &Struct,
    site: &Site,
    space: &TypeSpace,
    out: &mut Out,
) -> syn::Result<()> {
    let syn::Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            format!(
                "{} is an object: derive on a struct with named fields",
                site.at(&site.pointer)
            ),
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            input.ident.span(),
            format!(
                "{} is an object: derive on a struct with named fields",
                site.at(&site.pointer)
            ),
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "payload types checked against the catalog cannot be generic",
        ));
    }
    let container = attrs::container(&input.attrs)?;
    if let Some((what, span)) = container.unsupported {
        return Err(syn::Error::new(
            span,
            format!(
                "`#[serde({what})]` changes the wire form beyond what evreg can check against the schema"
            ),
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut opaque_flatten = false;
    for field in &fields.named {
        let member = attrs::member(&field.attrs)?;
        if member.skip {
            continue;
        }
        let ident = field
            .ident
            .as_ref()
            .map(|i| i.to_string().trim_start_matches("r#").to_owned())
            .unwrap_or_default();
        let ty = Ty::of(&field.ty);
        if member.flatten {
            if !matches!(ty, Ty::Map(_) | Ty::JsonMap | Ty::Value) {
                opaque_flatten = true;
            }
            continue;
        }
        let wire = member.rename.clone().unwrap_or_else(|| {
            container
                .rename_all
                .map_or(ident.clone(), |r| r.field(&ident))
        });
        let span = field
            .ident
            .as_ref()
            .map_or_else(|| field.span(), |i| i.span());
        let Some(planned_field) = planned.fields.iter().find(|f| f.wire == wire) else {
            if planned.deny_unknown {
                out.error(
                    span,
                    format!(
                        "`{wire}` is not a property of {}, which allows no other properties{}",
                        site.at(&site.pointer),
                        suggest(&wire, planned.fields.iter().map(|f| f.wire.as_str()))
                    ),
                );
            }
            continue;
        };
        seen.push(&planned_field.wire);
        let shape = &planned_field.shape;
        let at = site.at(&shape.pointer);
        let cx = FieldCx {
            span: field.ty.span(),
            field: &wire,
            site,
            space,
        };
        let nullable = matches!(shape.kind, Kind::Nullable(_));
        let is_option = matches!(ty, Ty::Option(_));
        if member.custom {
            continue;
        }
        if planned_field.required {
            if is_option && !nullable {
                out.error(
                    field.ty.span(),
                    format!(
                        "`{wire}` is required and not nullable in {at}; `{}` would accept it \
                         missing or null: use the type without Option",
                        ty.describe()
                    ),
                );
                continue;
            }
            compare(&ty, shape, &cx, out);
            continue;
        }
        // An optional property.
        let Ty::Option(inner) = &ty else {
            if !(member.default || container.default) {
                out.error(
                    field.ty.span(),
                    format!(
                        "`{wire}` is optional in {at}, but a payload without it would not \
                         deserialize: use Option<{}> or #[serde(default)]",
                        ty.describe()
                    ),
                );
            } else {
                compare(&ty, shape, &cx, out);
            }
            continue;
        };
        if !nullable && !member.skip_serializing_if {
            out.error(
                field.ty.span(),
                format!(
                    "`{wire}` is optional but not nullable in {at}: `None` would be written as \
                     null, which the schema refuses; add \
                     #[serde(skip_serializing_if = \"Option::is_none\")]"
                ),
            );
            continue;
        }
        match (&shape.kind, &**inner) {
            // Option<Option<T>>: absent, null, or a value.
            (Kind::Nullable(s), Ty::Option(t)) => compare(t, s, &cx, out),
            // Option<T> for an optional, nullable property: absent and null are both None.
            (Kind::Nullable(s), t) => compare(t, s, &cx, out),
            (_, t) => compare(t, shape, &cx, out),
        }
    }
    if container.deny_unknown_fields && !planned.deny_unknown {
        out.error(
            input.ident.span(),
            format!(
                "{} allows other properties, which #[serde(deny_unknown_fields)] would refuse; \
                 drop it (unknown properties are then ignored) or keep them in a \
                 #[serde(flatten)] map",
                site.at(&site.pointer)
            ),
        );
    }
    if container.deny_unknown_fields && !opaque_flatten {
        for f in planned
            .fields
            .iter()
            .filter(|f| !f.required && !seen.contains(&f.wire.as_str()))
        {
            out.error(
                input.ident.span(),
                format!(
                    "`{}` is a property of {} with no field, so #[serde(deny_unknown_fields)] \
                     would refuse the payloads that have it: add an Option field for it",
                    f.wire,
                    site.at(&f.shape.pointer),
                ),
            );
        }
    }
    if !opaque_flatten {
        for f in planned
            .fields
            .iter()
            .filter(|f| f.required && !seen.contains(&f.wire.as_str()))
        {
            out.error(
                input.ident.span(),
                format!(
                    "`{}` is required by {}, but no field of `{}` reads it",
                    f.wire,
                    site.at(&f.shape.pointer),
                    input.ident
                ),
            );
        }
    }
    Ok(())
}

/// A one-field tuple struct for a planned newtype (a shared definition that
/// is not an object).
pub(crate) fn check_newtype(
    input: &DeriveInput,
    planned: &Newtype,
    site: &Site,
    space: &TypeSpace,
    out: &mut Out,
) -> syn::Result<()> {
    match &input.data {
        syn::Data::Struct(data)
            if data.fields.len() == 1 && matches!(data.fields, Fields::Unnamed(_)) =>
        {
            let field = data.fields.iter().next().expect("one field");
            let name = input.ident.to_string();
            let cx = FieldCx {
                span: field.ty.span(),
                field: &name,
                site,
                space,
            };
            compare(&Ty::of(&field.ty), &planned.shape, &cx, out);
            Ok(())
        }
        _ => Err(syn::Error::new(
            input.ident.span(),
            format!(
                "{} is {}: derive on a one-field tuple struct (with #[serde(transparent)] semantics)",
                site.at(&site.pointer),
                describe_kind(&planned.shape.kind, space)
            ),
        )),
    }
}

/// The field being compared.
struct FieldCx<'a> {
    span: Span,
    /// Its wire name.
    field: &'a str,
    site: &'a Site,
    space: &'a TypeSpace,
}

/// Whether `ty` holds every value `shape` allows; otherwise an error at `span`.
fn compare(ty: &Ty, shape: &Shape, cx: &FieldCx<'_>, out: &mut Out) {
    let (span, field, site, space) = (cx.span, cx.field, cx.site, cx.space);
    let at = site.at(&shape.pointer);
    let mismatch = |out: &mut Out, why: String| {
        out.error(
            span,
            format!("`{field}`: `{}` cannot hold {}: {why}", ty.describe(), at),
        );
    };
    let wants = describe_kind(&shape.kind, space);
    match (&shape.kind, ty) {
        (_, Ty::Value) => {}
        (Kind::Boxed(inner), _) => compare(ty, inner, cx, out),
        (Kind::Nullable(inner), Ty::Option(t)) => compare(t, inner, cx, out),
        (Kind::Nullable(_), _) => mismatch(
            out,
            format!("the schema allows null ({wants}); use Option<…>"),
        ),
        // Wider than the schema: `validate()` refuses the null.
        (_, Ty::Option(t)) => compare(t, shape, cx, out),
        (Kind::Any, _) => mismatch(
            out,
            "the schema has no Rust type evreg can check a field against (a union, a type \
             list, or no `type`); use serde_json::Value"
                .to_owned(),
        ),
        (Kind::Object, Ty::JsonMap) => {}
        (Kind::Object, Ty::Map(v)) if matches!(**v, Ty::Value) => {}
        (Kind::Null, Ty::Unit) => {}
        (Kind::Bool, Ty::Bool) => {}
        (Kind::Int, Ty::Int { signed, bits }) => {
            let (lo, hi) = int_bounds(&shape.checks);
            let (min, max) = int_range(*signed, *bits);
            if lo.0 < min {
                mismatch(out, format!("the schema allows integers down to {}", lo.1));
            } else if hi.0 > max {
                mismatch(out, format!("the schema allows integers up to {}", hi.1));
            }
        }
        (Kind::Num, Ty::Float { bits: 64 }) => {}
        (Kind::Num, Ty::Float { .. }) => mismatch(
            out,
            "f32 loses the precision of JSON numbers; use f64".to_owned(),
        ),
        (Kind::String, Ty::Str) => {}
        (Kind::Uuid, Ty::Uuid | Ty::Str) => {}
        (Kind::DateTime(_), Ty::DateTime | Ty::Str) => {}
        (Kind::Vec(inner), Ty::Seq { item, set }) => {
            if *set && !shape.checks.contains(&Check::UniqueItems) {
                mismatch(
                    out,
                    "the schema allows repeated items (no `uniqueItems`), which a set would drop; use Vec".to_owned(),
                );
            } else {
                compare(item, inner, cx, out);
            }
        }
        (Kind::Map(_), Ty::JsonMap) => {}
        (Kind::Map(inner), Ty::Map(v)) => compare(v, inner, cx, out),
        (Kind::Named(name), _) => named(name, ty, shape, cx, out),
        _ => mismatch(out, format!("the schema wants {wants}")),
    }
}

fn named(name: &str, ty: &Ty, shape: &Shape, cx: &FieldCx<'_>, out: &mut Out) {
    let (span, field, site, space) = (cx.span, cx.field, cx.site, cx.space);
    let Some((key, item)) = space.items.get(name) else {
        return;
    };
    let at = site.at(&shape.pointer);
    let user = |out: &mut Out, t: &syn::Type, key: &str, how: String| {
        let message = format!(
            "`{field}`: `{}` was not checked against {at}; {how}",
            Ty::User(Box::new(t.clone())).describe()
        );
        assert_key(out, span, t, key, &message);
    };
    let place_hint = || match key.strip_prefix("def:") {
        Some(def) => format!("#[evreg(definition = \"{def}\")]"),
        None => format!(
            "#[evreg(ref = \"{}\", pointer = \"{}\")]",
            site.schema_ref, shape.pointer
        ),
    };
    match (item, ty) {
        // A String holds any value; validate() checks it is one of them.
        (Item::Enum(_), Ty::Str) => {}
        (Item::Enum(e), Ty::User(t)) => {
            let values: Vec<&str> = e.variants.iter().map(|(_, w)| w.as_str()).collect();
            let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            let key = enum_key(values.iter().copied());
            let message = format!(
                "`{field}`: the values of `{}` are not those of {at}: it must be a string enum \
                 with #[derive(evreg::CatalogType)] and exactly the values {} (serde renames applied)",
                ty.describe(),
                quoted.join(", ")
            );
            assert_key(out, span, t, &key, &message);
        }
        (Item::Struct(_), Ty::JsonMap) => {}
        (Item::Struct(_), Ty::Map(v)) if matches!(**v, Ty::Value) => {}
        (Item::Struct(_) | Item::Newtype(_), Ty::User(t)) => user(
            out,
            t,
            key,
            format!(
                "declare it with #[derive(evreg::CatalogType)] {}",
                place_hint()
            ),
        ),
        (Item::Newtype(n), _) => compare(ty, &n.shape, cx, out),
        (Item::Tagged(_) | Item::Untagged(_), _) => out.error(
            span,
            format!(
                "`{field}`: {at} is a union (`oneOf`/`anyOf`); hand-written types for it \
                 are not checked: use serde_json::Value"
            ),
        ),
        _ => out.error(
            span,
            format!(
                "`{field}`: `{}` cannot hold {at}: the schema wants {}",
                ty.describe(),
                describe_kind(&shape.kind, space)
            ),
        ),
    }
}

/// A `const` assertion, spanned at the field's type, that `t` derives
/// `CatalogType` for the schema `key`; `message` is the compile error.
fn assert_key(out: &mut Out, span: Span, t: &syn::Type, key: &str, message: &str) {
    let message = message.replace('{', "{{").replace('}', "}}");
    out.asserts.push(quote_spanned! {span=>
        const _: () = ::core::assert!(
            ::evreg::__private::str_eq(<#t as ::evreg::CatalogType>::SCHEMA_KEY, #key),
            #message
        );
    });
}

/// The lowest and highest integer the schema allows (`i64` where it sets no
/// bound: the range of generated code), each with how to say it.
fn int_bounds(checks: &[Check]) -> ((i128, String), (i128, String)) {
    let mut lo = (i64::MIN as i128, format!("{} (no `minimum`)", i64::MIN));
    let mut hi = (i64::MAX as i128, format!("{} (no `maximum`)", i64::MAX));
    let value = |n: &serde_json::Number| -> f64 { n.as_f64().unwrap_or(0.0) };
    for check in checks {
        match check {
            Check::Minimum(n) => lo = (value(n).ceil() as i128, format!("{n} (`minimum`)")),
            Check::ExclusiveMinimum(n) => {
                lo = (
                    value(n).floor() as i128 + 1,
                    format!("above {n} (`exclusiveMinimum`)"),
                )
            }
            Check::Maximum(n) => hi = (value(n).floor() as i128, format!("{n} (`maximum`)")),
            Check::ExclusiveMaximum(n) => {
                hi = (
                    value(n).ceil() as i128 - 1,
                    format!("below {n} (`exclusiveMaximum`)"),
                )
            }
            _ => {}
        }
    }
    (lo, hi)
}

fn int_range(signed: bool, bits: u32) -> (i128, i128) {
    match (signed, bits) {
        (true, b) if b >= 128 => (i128::MIN, i128::MAX),
        (true, b) => (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1),
        (false, b) if b >= 127 => (0, i128::MAX),
        (false, b) => (0, (1i128 << b) - 1),
    }
}

fn describe_kind(kind: &Kind, space: &TypeSpace) -> String {
    match kind {
        Kind::Any => "any JSON value".to_owned(),
        Kind::Null => "null".to_owned(),
        Kind::Object => "an object with any properties".to_owned(),
        Kind::Bool => "a boolean".to_owned(),
        Kind::Int => "an integer".to_owned(),
        Kind::Num => "a number".to_owned(),
        Kind::String => "a string".to_owned(),
        Kind::Uuid => "a uuid string".to_owned(),
        Kind::DateTime(_) => "a date-time string".to_owned(),
        Kind::Vec(s) => format!("an array of {}", describe_kind(&s.kind, space)),
        Kind::Map(s) => format!("an object of {}", describe_kind(&s.kind, space)),
        Kind::Nullable(s) => format!("{} or null", describe_kind(&s.kind, space)),
        Kind::Boxed(s) => describe_kind(&s.kind, space),
        Kind::Named(n) => match space.items.get(n) {
            Some((_, Item::Enum(e))) => {
                let values: Vec<String> =
                    e.variants.iter().map(|(_, w)| format!("\"{w}\"")).collect();
                format!("a string enum of {}", values.join(", "))
            }
            Some((_, Item::Struct(_))) => "an object".to_owned(),
            Some((_, Item::Tagged(_))) => "a tagged union".to_owned(),
            Some((_, Item::Untagged(_))) => "a union".to_owned(),
            Some((_, Item::Newtype(t))) => describe_kind(&t.shape.kind, space),
            None => "a type".to_owned(),
        },
    }
}

/// "; did you mean `x`?" when one of `known` is close to `name`.
fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(name, known)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}
