//! `#[derive(EventPayload)]` and `#[derive(CatalogType)]`: hand-written
//! types checked against the catalog at compile time. `evreg-macros` only
//! forwards to [`event_payload`] and [`catalog_type`]; the comparison lives
//! here and is tested without a compiler (see [`expand_event_payload`]).
//!
//! A derive plans the catalog's types exactly as `evreg generate` does, then
//! compares the struct with the type the generator would have made: every
//! field's wire name (serde's `rename`, `rename_all`, `skip`, `flatten`,
//! `default` honoured), whether it may be absent or null, and whether its
//! Rust type can hold every value the schema allows. Types that are not
//! standard (`Priority`, `Address`) must derive `CatalogType` for the same
//! schema, which a `const` assertion checks at the field. Every error points
//! at the field or attribute that disagrees and names the schema ref, JSON
//! pointer and file.

mod attrs;
mod check;
mod ty;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use evreg_core::Catalog;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::DeriveInput;

use crate::rust::plan::{self, Item, TypeSpace};

pub use check::enum_key;

/// `#[derive(EventPayload)]`, as `evreg-macros` calls it.
pub fn event_payload(input: TokenStream) -> TokenStream {
    match syn::parse2::<DeriveInput>(input) {
        Ok(input) => expand_event_payload(&input, &manifest_dir())
            .unwrap_or_else(|e| failed(e, &input, true)),
        Err(e) => e.into_compile_error(),
    }
}

/// `#[derive(CatalogType)]`, as `evreg-macros` calls it.
pub fn catalog_type(input: TokenStream) -> TokenStream {
    match syn::parse2::<DeriveInput>(input) {
        Ok(input) => expand_catalog_type(&input, &manifest_dir())
            .unwrap_or_else(|e| failed(e, &input, false)),
        Err(e) => e.into_compile_error(),
    }
}

/// The errors of a derive, with stand-in impls of its traits: the build
/// fails at the errors, and the code that uses the type (`from_value`,
/// `validate`, a field of a derived payload) adds no errors of its own.
fn failed(error: syn::Error, input: &DeriveInput, payload: bool) -> TokenStream {
    let name = &input.ident;
    let (generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let errors = error.into_compile_error();
    let catalog_type = quote! {
        impl #generics ::evreg::CatalogType for #name #ty_generics #where_clause {
            const SCHEMA_KEY: &'static str = "";
        }
    };
    if !payload {
        return quote! { #errors #catalog_type };
    }
    quote! {
        #errors
        #catalog_type
        impl #generics ::evreg::EventPayload for #name #ty_generics #where_clause {
            const EVENT_TYPE: &'static str = "";
            const SCHEMA_REF: &'static str = "";
            const VERSION: u32 = 0;
        }
        impl #generics ::evreg::Validate for #name #ty_generics #where_clause {
            fn validate_at(&self, _: &mut ::evreg::validate::Cx<'_>) {}
        }
    }
}

/// The folder catalog paths are relative to: `EVREG_MANIFEST_DIR` when set
/// (for compile-fail test harnesses such as trybuild, which build a copy of
/// the crate elsewhere), else the crate's own `CARGO_MANIFEST_DIR`.
pub(crate) fn manifest_dir() -> PathBuf {
    std::env::var_os("EVREG_MANIFEST_DIR")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The expansion of `#[derive(EventPayload)]` on `input`, the catalog path
/// taken relative to `base`; every disagreement with the catalog as one
/// combined error.
pub fn expand_event_payload(input: &DeriveInput, base: &Path) -> syn::Result<TokenStream> {
    let target = attrs::Target::parse(&input.attrs)?;
    let loaded = load(&target, input, base)?;
    let (event, version) = check::payload_of(&loaded.catalog, &target, input)?;
    let type_name = evreg_core::naming::payload_type_name(&event.event_type, version.version);
    let site = check::Site {
        schema_ref: version.schema_ref.clone(),
        file: loaded.catalog.sources().display_name(&version.schema_file),
        pointer: String::new(),
    };
    let mut out = check::Out::default();
    match loaded.space.items.get(&type_name) {
        Some((_, Item::Struct(item))) => {
            check::check_struct(input, item, &site, &loaded.space, &mut out)?;
        }
        _ => {
            return Err(syn::Error::new(
                input.ident.span(),
                format!(
                    "{} ({}) is not an object schema with properties, so no struct \
                     can stand for it; use the generated type",
                    site.schema_ref, site.file
                ),
            ));
        }
    }
    out.finish()?;

    let name = &input.ident;
    let event_type = &event.event_type;
    let schema_ref = &version.schema_ref;
    let number = version.version;
    let schema_json = serde_json::to_string(&version.schema).unwrap_or_default();
    let key = format!("payload:{type_name}");
    let asserts = &out.asserts;
    let track = loaded.track();
    let schema = quote::format_ident!("__EVREG_SCHEMA_{}", name);
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #schema: ::evreg::validate::SchemaCheck =
            ::evreg::validate::SchemaCheck::new(#schema_json);
        impl ::evreg::EventPayload for #name {
            const EVENT_TYPE: &'static str = #event_type;
            const SCHEMA_REF: &'static str = #schema_ref;
            const VERSION: u32 = #number;

            /// Checks the JSON itself against the schema, then reads it: a
            /// hand-written type accepts exactly what the schema accepts.
            fn from_value(
                mut value: ::evreg::__private::serde_json::Value,
            ) -> ::core::result::Result<Self, ::evreg::PayloadError> {
                let mut errors = ::std::vec::Vec::new();
                ::evreg::validate::Cx::new(&mut errors).schema("", &value, &#schema);
                if !errors.is_empty() {
                    return ::core::result::Result::Err(::evreg::PayloadError::Invalid(
                        ::evreg::ValidationErrors {
                            schema_ref: #schema_ref.to_owned(),
                            errors,
                        },
                    ));
                }
                // Valid: `2.0` is an integer, so plain integer fields take it.
                if ::evreg::wire::has_integral_float(&value) {
                    ::evreg::wire::integral_floats_as_integers(&mut value);
                }
                ::evreg::__private::serde_json::from_value(value).map_err(|e| {
                    ::evreg::PayloadError::Deserialize {
                        schema_ref: #schema_ref.to_owned(),
                        message: e.to_string(),
                    }
                })
            }

            fn from_slice(bytes: &[u8]) -> ::core::result::Result<Self, ::evreg::PayloadError> {
                let value = ::evreg::__private::serde_json::from_slice(bytes).map_err(|e| {
                    ::evreg::PayloadError::Deserialize {
                        schema_ref: #schema_ref.to_owned(),
                        message: e.to_string(),
                    }
                })?;
                <Self as ::evreg::EventPayload>::from_value(value)
            }
        }
        impl ::evreg::Validate for #name {
            fn validate_at(&self, cx: &mut ::evreg::validate::Cx<'_>) {
                cx.serialized("", self, &#schema);
            }
        }
        impl ::evreg::CatalogType for #name {
            const SCHEMA_KEY: &'static str = #key;
        }
        #(#asserts)*
        #track
    })
}

/// The expansion of `#[derive(CatalogType)]` on `input`: a string enum
/// (checked against a place of the catalog when it names one), or a struct
/// for the shared definition or nested object it names.
pub fn expand_catalog_type(input: &DeriveInput, base: &Path) -> syn::Result<TokenStream> {
    let target = attrs::Target::parse(&input.attrs)?;
    let name = &input.ident;
    let names_place = target.definition.is_some()
        || target.pointer.is_some()
        || target.reference.is_some()
        || target.event.is_some();
    if let syn::Data::Enum(data) = &input.data {
        let values = check::enum_values(input, data)?;
        let mut track = TokenStream::new();
        if names_place {
            let loaded = load(&target, input, base)?;
            let (site, found) = check::place(&loaded, &target, input)?;
            check::check_enum(input, data, &values, &site, found.1)?;
            track = loaded.track();
        }
        let key = enum_key(values.iter().map(String::as_str));
        return Ok(quote! {
            impl ::evreg::CatalogType for #name {
                const SCHEMA_KEY: &'static str = #key;
            }
            #track
        });
    }
    if !names_place {
        return Err(syn::Error::new(
            name.span(),
            "name the schema this struct stands for: #[evreg(definition = \"Name\")] for a \
             shared definition, or #[evreg(ref = \"payload.Name.v1\", pointer = \"/properties/field\")]",
        ));
    }
    let loaded = load(&target, input, base)?;
    let (site, found) = check::place(&loaded, &target, input)?;
    let (key, item) = found;
    let mut out = check::Out::default();
    match item {
        Item::Struct(item) => check::check_struct(input, item, &site, &loaded.space, &mut out)?,
        Item::Newtype(newtype) => {
            check::check_newtype(input, newtype, &site, &loaded.space, &mut out)?
        }
        Item::Enum(_) => {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "{} at `{}` ({}) is a string enum: derive CatalogType on an enum",
                    site.schema_ref, site.pointer, site.file
                ),
            ));
        }
        Item::Tagged(_) | Item::Untagged(_) => {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "{} at `{}` ({}) is a union (`oneOf`/`anyOf`); hand-written types \
                     for it are not checked: use serde_json::Value or the generated type",
                    site.schema_ref, site.pointer, site.file
                ),
            ));
        }
    }
    out.finish()?;
    let asserts = &out.asserts;
    let track = loaded.track();
    Ok(quote! {
        impl ::evreg::CatalogType for #name {
            const SCHEMA_KEY: &'static str = #key;
        }
        #(#asserts)*
        #track
    })
}

/// A catalog loaded and planned once per compilation: every derive of a
/// crate runs in the same compiler process and shares it, until a file of
/// the catalog changes.
pub(crate) struct Loaded {
    pub catalog: Catalog,
    pub space: TypeSpace,
    /// Modification times of every file and folder read.
    stamps: Vec<(PathBuf, Option<SystemTime>)>,
    files: Vec<PathBuf>,
    /// Whether an expansion already made the crate depend on the files.
    tracked: AtomicBool,
}

impl Loaded {
    fn fresh(&self) -> bool {
        self.stamps.iter().all(|(p, t)| modified(p) == *t)
    }

    /// `include_bytes!` of every catalog file, so cargo rebuilds the crate
    /// when one changes: emitted by the first derive of the crate only.
    fn track(&self) -> TokenStream {
        if self.tracked.swap(true, Ordering::Relaxed) {
            return TokenStream::new();
        }
        let files = self.files.iter().map(|f| f.to_string_lossy().into_owned());
        quote! {
            const _: () = {
                #( let _ = ::core::include_bytes!(#files); )*
            };
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn load(target: &attrs::Target, input: &DeriveInput, base: &Path) -> syn::Result<Arc<Loaded>> {
    let (relative, span) = match &target.catalog {
        Some(lit) => (lit.value(), lit.span()),
        None => (
            "catalog".to_owned(),
            target.span.unwrap_or_else(|| input.ident.span()),
        ),
    };
    let dir = base.join(&relative);
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Loaded>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(loaded) = cache.lock().ok().and_then(|c| c.get(&dir).cloned())
        && loaded.fresh()
    {
        return Ok(loaded);
    }
    let loaded = Arc::new(load_uncached(&dir, &relative, span)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(dir, loaded.clone());
    }
    Ok(loaded)
}

fn load_uncached(dir: &Path, relative: &str, span: Span) -> syn::Result<Loaded> {
    // Named as the attribute names it, not by its absolute path.
    let fail = |e: crate::BuildError| syn::Error::new(span, e.named(relative).to_string());
    let (catalog, files) = crate::builder::load_checked(dir).map_err(fail)?;
    let space = plan::plan(&catalog);
    if space.diagnostics.iter().any(|d| d.is_error()) {
        return Err(fail(crate::builder::catalog_error(
            dir,
            space.diagnostics,
            catalog.sources(),
        )));
    }
    let mut watched: Vec<PathBuf> = files.clone();
    watched.push(dir.to_path_buf());
    for f in &files {
        let mut p = f.parent();
        while let Some(parent) = p {
            if !parent.starts_with(dir) || watched.iter().any(|w| w == parent) {
                break;
            }
            watched.push(parent.to_path_buf());
            p = parent.parent();
        }
    }
    let stamps = watched
        .into_iter()
        .map(|p| {
            let t = modified(&p);
            (p, t)
        })
        .collect();
    Ok(Loaded {
        catalog,
        space,
        stamps,
        files,
        tracked: AtomicBool::new(false),
    })
}
