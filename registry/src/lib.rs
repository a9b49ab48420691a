//! # evreg
//!
//! A schema registry for domain events. Teams declare every event once, in a
//! **catalog** of versioned payload schemas (`payload.TicketCreated.v1`); evreg
//! loads and checks it, and validates payloads against it at run time.
//!
//! ```no_run
//! use serde_json::json;
//!
//! // Load, check and resolve the catalog (every problem is reported at once).
//! let catalog = evreg::Catalog::load("catalog")?;
//!
//! // A registry: ref → schema → compiled validator (formats asserted).
//! let registry = evreg::Registry::from_catalog(&catalog);
//! let payload = json!({ "ticketId": "not-a-uuid" });
//! if let Err(e) = registry.validate("payload.TicketCreated.v1", &payload) {
//!     eprintln!("{e}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The catalog format is documented in `docs/catalog-format.md`; the `evreg`
//! command-line program lives in the `evreg-codegen` crate.

pub mod catalog;
pub mod changes;
pub mod diagnostic;
pub mod enrich;
mod error;
pub mod fingerprint;
pub mod naming;
mod payload;
pub mod registry;
pub mod source;
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
pub use payload::{EventPayload, PayloadError, UnknownEvent, Validate};
pub use registry::{Registry, SchemaEntry};
pub use source::{SourceMap, Span};

/// What generated code refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;
}

/// The examples of docs/payload-helpers.md, compiled as doc tests.
#[doc = include_str!("../../docs/payload-helpers.md")]
#[cfg(doctest)]
pub struct PayloadHelpersDoctests;

/// The README's examples, compiled as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
