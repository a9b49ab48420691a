//! # evreg-core
//!
//! The core of [evreg](https://docs.rs/evreg): the catalog compiler (loader,
//! checks, located diagnostics and their rendering), evolution (lock,
//! compatibility, diff), the [`Registry`], and the runtime that generated and
//! derived code calls. Depend on the `evreg` crate, which re-exports all of
//! this (and, behind features, the macros and the bus); this crate exists so
//! that code generation and the macros, which load catalogs at compile time,
//! can depend on the loader without a cycle. It depends on no other evreg
//! crate (docs/architecture.md).

pub mod catalog;
pub mod changes;
pub mod compat;
pub mod diagnostic;
pub mod diff;
pub mod enrich;
mod error;
pub mod fingerprint;
pub mod naming;
mod payload;
pub mod registry;
pub mod schema;
pub mod source;
pub mod sql;
pub mod validate;
pub mod wire;

#[cfg(feature = "chrono")]
pub use chrono;
#[cfg(feature = "time")]
pub use time;
#[cfg(feature = "uuid")]
pub use uuid;

pub use catalog::{Catalog, Event, LoadError, Manifest, PayloadVersion, Report, Status};
pub use diagnostic::{Diagnostic, Severity};
pub use error::{RegistryError, ValidationError, ValidationErrors};
pub use payload::{AnyPayload, CatalogType, EventPayload, PayloadError, UnknownEvent, Validate};
pub use registry::{Registry, SchemaEntry};
pub use source::{SourceMap, Span};

/// What generated code refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;

    /// String equality in a `const` (the derives' compile-time checks).
    pub const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}
