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
