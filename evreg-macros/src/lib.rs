//! Procedural macros for [evreg](https://docs.rs/evreg).
//!
//! This crate is a thin front door over `evreg-codegen`: every macro parses its
//! input, calls the library and turns errors into `compile_error!`. It depends on
//! `evreg-codegen` without its `cli` feature, so a proc-macro build never compiles
//! the command-line program's dependencies.

use proc_macro::TokenStream;

/// The Rust module of an event catalog, generated at compile time: payload
/// structs with their `validate()`, `EventType`, `Event` and `registry()` —
/// byte for byte what `evreg generate` writes.
///
/// The path is relative to the including crate's `Cargo.toml`; the crate is
/// rebuilt when a catalog file changes.
///
/// ```ignore
/// pub mod events {
///     evreg_macros::include_catalog!("catalog");
/// }
/// ```
#[proc_macro]
pub fn include_catalog(input: TokenStream) -> TokenStream {
    evreg_codegen::macros::include_catalog(input.into()).into()
}

/// Implements `evreg::EventPayload` for a hand-written payload struct, after
/// checking at compile time that it agrees with the catalog's schema for
/// the named event version: every required property has a field, no field
/// is unknown to a closed schema, optional properties may be absent, and
/// every field's type holds every value the schema allows. `validate()`
/// checks the rest (lengths, patterns, bounds, formats), as generated code does.
///
/// ```ignore
/// #[derive(serde::Serialize, serde::Deserialize, evreg::EventPayload)]
/// #[evreg(catalog = "catalog", event = "TICKET_CREATED", version = 1)]
/// #[serde(rename_all = "camelCase")]
/// struct TicketCreated { ticket_id: uuid::Uuid, title: String }
/// ```
///
/// See docs/codegen.md, "Hand-written types".
#[proc_macro_derive(EventPayload, attributes(evreg))]
pub fn derive_event_payload(input: TokenStream) -> TokenStream {
    evreg_codegen::derive::event_payload(input.into()).into()
}

/// Implements `evreg::CatalogType` for a type a derived payload's field
/// uses: a string enum (its values, serde renames applied), or a struct for
/// a shared definition (`#[evreg(definition = "Money")]`) or a nested object
/// (`#[evreg(ref = "payload.OrderPlaced.v1", pointer = "/properties/shipping")]`),
/// checked like a payload.
#[proc_macro_derive(CatalogType, attributes(evreg))]
pub fn derive_catalog_type(input: TokenStream) -> TokenStream {
    evreg_codegen::derive::catalog_type(input.into()).into()
}
