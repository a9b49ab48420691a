//! Printing the planned types: structs, enums and their `validate()`.

use std::collections::HashMap;

use evreg_core::catalog::DateTimeRepr;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::plan::{
    Check, Field, Item, Kind, Newtype, Payload, Shape, StrEnum, Struct, Tagged, TypeSpace, Untagged,
};

/// An identifier from a generated name (`r#type` stays raw).
pub(crate) fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}

/// `#[doc = "…"]` lines.
pub(crate) fn doc(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {}", doc_text(l))
        };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// Text fit for a doc comment: control characters (a bare CR is an error in
/// doc comments) written as escapes.
pub(crate) fn doc_text(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

const SERDE: &str = "::evreg::__private::serde";

/// The derives of a struct or tagged enum: serde's derive as inherent
/// functions (`remote = "Self"`), wrapped by [`object_impls`].
fn derives() -> TokenStream {
    quote! {
        #[derive(Debug, Clone, PartialEq, ::evreg::__private::serde::Serialize, ::evreg::__private::serde::Deserialize)]
        #[serde(crate = #SERDE, remote = "Self")]
    }
}

/// `Serialize` as derived; `Deserialize` as derived but from objects only
/// (serde's derive also takes arrays, which `"type": "object"` refuses).
fn object_impls(name: &str) -> TokenStream {
    let name = ident(name);
    quote! {
        impl ::evreg::__private::serde::Serialize for #name {
            fn serialize<S: ::evreg::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #name::serialize(self, serializer)
            }
        }
        impl<'de> ::evreg::wire::Object<'de> for #name {
            fn from_map<D: ::evreg::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #name::deserialize(deserializer)
            }
        }
        impl<'de> ::evreg::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::evreg::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::evreg::wire::object(deserializer)
            }
        }
    }
}

/// The Rust type of a shape.
pub(crate) fn ty(shape: &Shape) -> TokenStream {
    match &shape.kind {
        Kind::Any => quote!(::evreg::__private::serde_json::Value),
        Kind::Object => {
            quote!(::evreg::__private::serde_json::Map<::std::string::String, ::evreg::__private::serde_json::Value>)
        }
        Kind::Null => quote!(()),
        Kind::Bool => quote!(bool),
        Kind::Int => quote!(i64),
        Kind::Num => quote!(f64),
        Kind::String => quote!(::std::string::String),
        Kind::Uuid => quote!(::evreg::uuid::Uuid),
        Kind::DateTime(DateTimeRepr::Time) => quote!(::evreg::time::OffsetDateTime),
        Kind::DateTime(_) => quote!(::evreg::chrono::DateTime<::evreg::chrono::Utc>),
        Kind::Vec(s) => {
            let inner = ty(s);
            quote!(::std::vec::Vec<#inner>)
        }
        Kind::Map(s) => {
            let inner = ty(s);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        Kind::Named(n) => {
            let n = ident(n);
            quote!(#n)
        }
        Kind::Nullable(s) => {
            let inner = ty(s);
            quote!(::std::option::Option<#inner>)
        }
        Kind::Boxed(s) => {
            let inner = ty(s);
            quote!(::std::boxed::Box<#inner>)
        }
    }
}

/// Which generated types have anything to check.
pub(crate) struct Needs<'a> {
    space: &'a TypeSpace,
    memo: HashMap<String, bool>,
}

impl<'a> Needs<'a> {
    /// Decides, once, which generated types have anything to check: a type
    /// needs checks of its own or holds one that does. Types may hold each
    /// other (recursive schemas), so the answer is grown until it stops
    /// changing.
    pub fn new(space: &'a TypeSpace) -> Self {
        let mut needs = Needs {
            space,
            memo: HashMap::new(),
        };
        loop {
            let mut changed = false;
            for (name, (_, item)) in &space.items {
                if !needs.item(name) && needs.decide(item) {
                    needs.memo.insert(name.clone(), true);
                    changed = true;
                }
            }
            if !changed {
                break needs;
            }
        }
    }

    fn decide(&self, item: &Item) -> bool {
        match item {
            Item::Struct(s) => {
                s.extra.as_ref().is_some_and(|e| e.check.is_some())
                    || !s.checks.is_empty()
                    || s.fields.iter().any(|f| self.shape(&f.shape))
            }
            Item::Tagged(t) => t.variants.iter().any(|(_, _, s)| self.item(s)),
            Item::Untagged(u) => u.variants.iter().any(|(_, s)| self.shape(s)),
            Item::Newtype(n) => self.shape(&n.shape),
            Item::Enum(_) => false,
        }
    }

    fn item(&self, name: &str) -> bool {
        self.memo.get(name).copied().unwrap_or(false)
    }

    fn shape(&self, shape: &Shape) -> bool {
        !shape.checks.is_empty()
            || match &shape.kind {
                Kind::Named(n) => self.item(n),
                Kind::Vec(s) | Kind::Map(s) | Kind::Nullable(s) | Kind::Boxed(s) => self.shape(s),
                _ => false,
            }
    }
}

/// One generated type.
pub(crate) fn item(item: &Item, needs: &Needs<'_>) -> TokenStream {
    match item {
        Item::Struct(s) => structure(s, needs),
        Item::Enum(e) => string_enum(e),
        Item::Tagged(t) => tagged(t, needs),
        Item::Untagged(u) => untagged(u, needs),
        Item::Newtype(n) => newtype(n, needs),
    }
}

fn validate_impl(name: &str, body: TokenStream) -> TokenStream {
    let name = ident(name);
    let cx = if body.is_empty() {
        quote!(_cx)
    } else {
        quote!(cx)
    };
    quote! {
        impl ::evreg::Validate for #name {
            fn validate_at(&self, #cx: &mut ::evreg::validate::Cx<'_>) {
                #body
            }
        }
    }
}

fn structure(s: &Struct, needs: &Needs<'_>) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc(&s.doc);
    let derive = derives();
    let impls = object_impls(&s.name);
    let deny = s
        .deny_unknown
        .then(|| quote!(#[serde(deny_unknown_fields)]));
    let fields = s.fields.iter().map(field);
    let extra = s.extra.as_ref().map(|e| {
        let rust = ident(&e.rust);
        quote! {
            /// Properties the schema does not name, kept as they came.
            #[serde(flatten)]
            pub #rust: ::evreg::__private::serde_json::Map<::std::string::String, ::evreg::__private::serde_json::Value>,
        }
    });
    let mut body = TokenStream::new();
    for f in &s.fields {
        body.extend(field_validation(f, quote!(&self.), needs));
    }
    if let Some(e) = &s.extra
        && let Some((pointer, check)) = &e.check
    {
        let rust = ident(&e.rust);
        body.extend(quote! {
            static CHECK: ::evreg::validate::SchemaCheck = ::evreg::validate::SchemaCheck::new(#check);
            for (key, value) in &self.#rust {
                CHECK.check(&mut cx.key(key), #pointer, value);
            }
        });
    }
    for (pointer, check) in &s.checks {
        body.extend(quote! {
            {
                static CHECK: ::evreg::validate::SchemaCheck = ::evreg::validate::SchemaCheck::new(#check);
                cx.serialized(#pointer, self, &CHECK);
            }
        });
    }
    let validate = validate_impl(&s.name, body);
    quote! {
        #docs
        #derive
        #deny
        pub struct #name {
            #(#fields)*
            #extra
        }
        #impls
        #validate
    }
}

fn field(f: &Field) -> TokenStream {
    let mut docs = f.doc.clone();
    if f.deprecated {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push("Deprecated.".to_owned());
    }
    let docs = doc(&docs);
    let rust = ident(&f.rust);
    let bare = f.rust.strip_prefix("r#").unwrap_or(&f.rust);
    let mut attrs: Vec<TokenStream> = Vec::new();
    if bare != f.wire {
        let wire = &f.wire;
        attrs.push(quote!(rename = #wire));
    }
    let nullable = matches!(f.shape.kind, Kind::Nullable(_));
    let wire = f.shape.kind.is_wire();
    let inner = ty(&f.shape);
    let ty = if f.required {
        match (wire, nullable) {
            (true, _) => attrs.push(quote!(with = "::evreg::wire::required")),
            (false, true) => attrs.push(quote!(deserialize_with = "::evreg::wire::nullable")),
            (false, false) => {}
        }
        inner
    } else {
        attrs.push(quote!(
            default,
            skip_serializing_if = "::std::option::Option::is_none"
        ));
        attrs.push(if wire {
            quote!(with = "::evreg::wire::optional")
        } else {
            quote!(deserialize_with = "::evreg::wire::present")
        });
        quote!(::std::option::Option<#inner>)
    };
    let attr = (!attrs.is_empty()).then(|| quote!(#[serde(#(#attrs),*)]));
    quote! {
        #docs
        #attr
        pub #rust: #ty,
    }
}

/// The checks of one field, whose value is `#receiver #field`.
fn field_validation(f: &Field, receiver: TokenStream, needs: &Needs<'_>) -> TokenStream {
    if !needs.shape(&f.shape) {
        return TokenStream::new();
    }
    let rust = ident(&f.rust);
    let wire = &f.wire;
    let inner = shape_validation(&f.shape, needs);
    if f.required {
        quote! {
            {
                let cx = &mut cx.key(#wire);
                let value = #receiver #rust;
                #inner
            }
        }
    } else {
        quote! {
            if let ::std::option::Option::Some(value) = #receiver #rust {
                let cx = &mut cx.key(#wire);
                #inner
            }
        }
    }
}

fn number(n: &serde_json::Number) -> Literal {
    match n.as_i64() {
        Some(i) => Literal::i64_suffixed(i),
        None => Literal::f64_suffixed(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// The checks of `value` (a reference bound by the caller) at `path`.
fn shape_validation(shape: &Shape, needs: &Needs<'_>) -> TokenStream {
    let mut out = TokenStream::new();
    let p = &shape.pointer;
    let at = |keyword: &str| format!("{p}/{keyword}");
    for check in &shape.checks {
        out.extend(match check {
            Check::MinLength(n) => {
                let (sp, n) = (at("minLength"), Literal::u64_unsuffixed(*n));
                quote!(cx.min_length(#sp, value, #n);)
            }
            Check::MaxLength(n) => {
                let (sp, n) = (at("maxLength"), Literal::u64_unsuffixed(*n));
                quote!(cx.max_length(#sp, value, #n);)
            }
            Check::Pattern(pattern) => {
                let sp = at("pattern");
                quote! {
                    {
                        static PATTERN: ::evreg::validate::Pattern = ::evreg::validate::Pattern::new(#pattern);
                        cx.pattern(#sp, value, &PATTERN);
                    }
                }
            }
            Check::Format(f) => {
                let sp = at("format");
                let variant = format_ident!("{f:?}");
                quote!(cx.format(#sp, value, ::evreg::validate::Format::#variant);)
            }
            Check::Const(s) => {
                let sp = at("const");
                quote!(cx.const_str(#sp, value, #s);)
            }
            Check::Minimum(n) => {
                let (sp, n) = (at("minimum"), number(n));
                quote!(cx.minimum(#sp, *value, #n);)
            }
            Check::Maximum(n) => {
                let (sp, n) = (at("maximum"), number(n));
                quote!(cx.maximum(#sp, *value, #n);)
            }
            Check::ExclusiveMinimum(n) => {
                let (sp, n) = (at("exclusiveMinimum"), number(n));
                quote!(cx.exclusive_minimum(#sp, *value, #n);)
            }
            Check::ExclusiveMaximum(n) => {
                let (sp, n) = (at("exclusiveMaximum"), number(n));
                quote!(cx.exclusive_maximum(#sp, *value, #n);)
            }
            Check::MultipleOf(json) => quote! {
                {
                    static MULTIPLE_OF: ::evreg::validate::SchemaCheck = ::evreg::validate::SchemaCheck::new(#json);
                    cx.multiple_of(#p, *value, &MULTIPLE_OF);
                }
            },
            Check::MinItems(n) => {
                let (sp, n) = (at("minItems"), Literal::u64_unsuffixed(*n));
                quote!(cx.min_items(#sp, value.len(), #n);)
            }
            Check::MaxItems(n) => {
                let (sp, n) = (at("maxItems"), Literal::u64_unsuffixed(*n));
                quote!(cx.max_items(#sp, value.len(), #n);)
            }
            Check::UniqueItems => {
                let sp = at("uniqueItems");
                let hashable = match &shape.kind {
                    Kind::Vec(items) => match &items.kind {
                        Kind::String | Kind::Int | Kind::Bool => true,
                        Kind::Named(n) => matches!(needs.space.items.get(n), Some((_, Item::Enum(_)))),
                        _ => false,
                    },
                    _ => false,
                };
                if hashable {
                    quote!(cx.unique(#sp, value);)
                } else {
                    quote!(cx.unique_json(#sp, value);)
                }
            }
            // A `Value` is checked as it is; a typed value (an `allOf`
            // refinement of a definition) as it is written.
            Check::Schema(json) if shape.kind == Kind::Any => quote! {
                {
                    static SCHEMA: ::evreg::validate::SchemaCheck = ::evreg::validate::SchemaCheck::new(#json);
                    cx.schema(#p, value, &SCHEMA);
                }
            },
            Check::Schema(json) => quote! {
                {
                    static SCHEMA: ::evreg::validate::SchemaCheck = ::evreg::validate::SchemaCheck::new(#json);
                    cx.serialized(#p, value, &SCHEMA);
                }
            },
        });
    }
    match &shape.kind {
        Kind::Named(n) if needs.item(n) => {
            out.extend(quote!(::evreg::Validate::validate_at(value, cx);));
        }
        Kind::Boxed(inner) if needs.shape(inner) => {
            let inner = shape_validation(inner, needs);
            out.extend(quote! {
                let value = &**value;
                #inner
            });
        }
        Kind::Nullable(inner) if needs.shape(inner) => {
            let inner = shape_validation(inner, needs);
            out.extend(quote! {
                if let ::std::option::Option::Some(value) = value {
                    #inner
                }
            });
        }
        Kind::Vec(inner) if needs.shape(inner) => {
            let inner = shape_validation(inner, needs);
            out.extend(quote! {
                for (index, value) in value.iter().enumerate() {
                    let cx = &mut cx.index(index);
                    #inner
                }
            });
        }
        Kind::Map(inner) if needs.shape(inner) => {
            let inner = shape_validation(inner, needs);
            out.extend(quote! {
                for (key, value) in value {
                    let cx = &mut cx.key(key);
                    #inner
                }
            });
        }
        _ => {}
    }
    out
}

fn string_enum(e: &StrEnum) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc(&e.doc);
    let derive = quote! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::evreg::__private::serde::Serialize)]
        #[serde(crate = #SERDE)]
    };
    let parse = e.variants.iter().map(|(v, wire)| {
        let v = ident(v);
        quote!(#wire => ::std::result::Result::Ok(#name::#v),)
    });
    let wires = e.variants.iter().map(|(_, wire)| wire);
    let variants = e.variants.iter().map(|(v, wire)| {
        let v = ident(v);
        let d = format!(" `{}`", doc_text(wire));
        quote! {
            #[doc = #d]
            #[serde(rename = #wire)]
            #v,
        }
    });
    let arms = e.variants.iter().map(|(v, wire)| {
        let v = ident(v);
        quote!(#name::#v => #wire,)
    });
    let all = e.variants.iter().map(|(v, _)| {
        let v = ident(v);
        quote!(#name::#v)
    });
    let validate = validate_impl(&e.name, TokenStream::new());
    quote! {
        #docs
        #derive
        pub enum #name {
            #(#variants)*
        }
        impl #name {
            /// Every value, in schema order.
            pub const ALL: &'static [#name] = &[#(#all),*];

            /// The value as it is written in JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        /// Reads the value from a JSON string only.
        impl<'de> ::evreg::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::evreg::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::evreg::__private::serde::Deserialize>::deserialize(deserializer)?;
                match &*value {
                    #(#parse)*
                    other => ::std::result::Result::Err(<D::Error as ::evreg::__private::serde::de::Error>::unknown_variant(other, &[#(#wires),*])),
                }
            }
        }
        #validate
    }
}

fn tagged(t: &Tagged, needs: &Needs<'_>) -> TokenStream {
    let name = ident(&t.name);
    let docs = doc(&t.doc);
    let derive = derives();
    let impls = object_impls(&t.name);
    let tag = &t.tag;
    let variants = t.variants.iter().map(|(v, wire, s)| {
        let (v, s) = (ident(v), ident(s));
        let d = format!(" `{}`: `{}`", doc_text(tag), doc_text(wire));
        quote! {
            #[doc = #d]
            #[serde(rename = #wire)]
            #v(#s),
        }
    });
    let arms: Vec<TokenStream> = t
        .variants
        .iter()
        .filter(|(_, _, s)| needs.item(s))
        .map(|(v, _, _)| {
            let v = ident(v);
            quote!(#name::#v(value) => ::evreg::Validate::validate_at(value, cx),)
        })
        .collect();
    let body = if arms.is_empty() {
        TokenStream::new()
    } else {
        let rest = (arms.len() < t.variants.len()).then(|| quote!(_ => {}));
        quote! {
            match self {
                #(#arms)*
                #rest
            }
        }
    };
    let validate = validate_impl(&t.name, body);
    quote! {
        #docs
        #derive
        #[serde(tag = #tag)]
        pub enum #name {
            #(#variants)*
        }
        #impls
        #validate
    }
}

fn untagged(u: &Untagged, needs: &Needs<'_>) -> TokenStream {
    let name = ident(&u.name);
    let docs = doc(&u.doc);
    let variants = u.variants.iter().map(|(v, shape)| {
        let v = ident(v);
        let d = format!(" The branch at `{}`.", doc_text(&shape.pointer));
        let inner = ty(shape);
        let wire = shape
            .kind
            .is_wire()
            .then(|| quote!(#[serde(with = "::evreg::wire::required")]));
        quote! {
            #[doc = #d]
            #v(#wire #inner),
        }
    });
    let arms: Vec<TokenStream> = u
        .variants
        .iter()
        .filter(|(_, s)| needs.shape(s))
        .map(|(v, s)| {
            let v = ident(v);
            let checks = shape_validation(s, needs);
            quote!(#name::#v(value) => { #checks })
        })
        .collect();
    let body = if arms.is_empty() {
        TokenStream::new()
    } else {
        let rest = (arms.len() < u.variants.len()).then(|| quote!(_ => {}));
        quote! {
            match self {
                #(#arms)*
                #rest
            }
        }
    };
    let validate = validate_impl(&u.name, body);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::evreg::__private::serde::Serialize, ::evreg::__private::serde::Deserialize)]
        #[serde(crate = #SERDE, untagged)]
        pub enum #name {
            #(#variants)*
        }
        #validate
    }
}

fn newtype(n: &Newtype, needs: &Needs<'_>) -> TokenStream {
    let name = ident(&n.name);
    let docs = doc(&n.doc);
    let derive = quote! {
        #[derive(Debug, Clone, PartialEq, ::evreg::__private::serde::Serialize, ::evreg::__private::serde::Deserialize)]
        #[serde(crate = #SERDE)]
    };
    let inner = ty(&n.shape);
    let wire = n
        .shape
        .kind
        .is_wire()
        .then(|| quote!(#[serde(with = "::evreg::wire::required")]));
    let body = if needs.shape(&n.shape) {
        let checks = shape_validation(&n.shape, needs);
        quote! {
            let value = &self.0;
            #checks
        }
    } else {
        TokenStream::new()
    };
    let validate = validate_impl(&n.name, body);
    quote! {
        #docs
        #derive
        #[serde(transparent)]
        pub struct #name(#wire pub #inner);
        #validate
    }
}

/// `EventPayload`, the embedded schema and the constructor of one payload
/// version (`filled`: the base fields the enricher fills).
pub(crate) fn payload_impl(p: &Payload, space: &TypeSpace, filled: &[String]) -> TokenStream {
    let name = ident(&p.type_name);
    let (event_type, schema_ref, version) = (&p.event_type, &p.schema_ref, p.version);
    let schema = Literal::string(&p.schema_json);
    let constructor = match space.items.get(&p.type_name) {
        Some((_, Item::Struct(s))) => constructor(p, s, filled),
        _ => TokenStream::new(),
    };
    quote! {
        impl #name {
            /// The payload's JSON Schema (self-contained, compact).
            pub const SCHEMA_JSON: &'static str = #schema;
            #constructor
        }
        impl ::evreg::EventPayload for #name {
            const EVENT_TYPE: &'static str = #event_type;
            const SCHEMA_REF: &'static str = #schema_ref;
            const VERSION: u32 = #version;
        }
    }
}

/// `new(ctx, …required fields)`: the payload with the base fields filled
/// from the publishing context, as the bus's enricher fills them, the other
/// required fields as given and the optional ones absent; validated.
fn constructor(p: &Payload, s: &Struct, filled: &[String]) -> TokenStream {
    let params: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.required && !filled.contains(&f.wire))
        .collect();
    let ctx = if params.iter().any(|f| f.rust == "ctx") {
        ident("context")
    } else {
        ident("ctx")
    };
    let schema_ref = &p.schema_ref;
    let args = params.iter().map(|f| {
        let rust = ident(&f.rust);
        let ty = ty(&f.shape);
        quote!(#rust: #ty)
    });
    let inserts = params.iter().map(|f| {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        let value = if f.shape.kind.is_wire() {
            quote!(::evreg::wire::required::serialize(&#rust, ::evreg::__private::serde_json::value::Serializer))
        } else {
            quote!(::evreg::__private::serde_json::to_value(#rust))
        };
        quote! {
            payload.insert(#wire.to_owned(), #value.map_err(unwritable)?);
        }
    });
    let mut docs = vec![format!(
        "Builds the `{}` v{} payload: its base fields from `{ctx}` ({}), the \
         fields the schema requires as given, the optional ones absent; \
         validated against `{schema_ref}`.",
        p.event_type,
        p.version,
        if filled.is_empty() {
            "none declared".to_owned()
        } else {
            filled
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )];
    docs.push(String::new());
    docs.push(
        "Fails with the payload's validation errors (a tenant id the schema refuses, \
         a value out of bounds)."
            .to_owned(),
    );
    let docs = doc(&docs);
    let mutable = (!params.is_empty()).then(|| quote!(mut));
    let unwritable = (!params.is_empty()).then(|| {
        quote! {
            let unwritable = |e: ::evreg::__private::serde_json::Error| ::evreg::PayloadError::Deserialize {
                schema_ref: #schema_ref.to_owned(),
                message: e.to_string(),
            };
        }
    });
    quote! {
        #docs
        #[allow(clippy::too_many_arguments)]
        pub fn new(#ctx: &::evreg::enrich::PublishContext #(, #args)*) -> ::std::result::Result<Self, ::evreg::PayloadError> {
            static ENRICHER: ::std::sync::OnceLock<::evreg::enrich::Enricher> = ::std::sync::OnceLock::new();
            #unwritable
            let #mutable payload = ::evreg::__private::serde_json::Map::new();
            #(#inserts)*
            let mut payload = ::evreg::__private::serde_json::Value::Object(payload);
            ENRICHER.get_or_init(enricher).enrich(#ctx, &mut payload);
            <Self as ::evreg::EventPayload>::from_value(payload)
        }
    }
}
