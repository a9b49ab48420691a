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
//! Typed payloads come from the catalog in four ways: `evreg generate` (a
//! checked-in module), `evreg_codegen::Builder` in `build.rs`,
//! [`include_catalog!`] and, for hand-written types, `#[derive(EventPayload)]`
//! checked against the catalog at compile time (the last two with the
//! `derive` feature).
//!
//! The types generated code uses are re-exported with what a publisher
//! needs of them, so that a crate depending on `evreg` alone makes ids and
//! reads the clock (features `uuid` and `chrono`, on by default; `time`):
//!
//! ```
//! let id = evreg::uuid::Uuid::new_v4();          // or Uuid::now_v7(), time-ordered
//! let now = evreg::chrono::Utc::now();
//! assert_eq!(id.get_version_num(), 4);
//! assert!(now.timestamp() > 1_700_000_000);
//! ```
//!
//! The catalog format is documented in `docs/catalog-format.md`; the `evreg`
//! command-line program is the `evreg-cli` crate. Everything here is
//! re-exported from `evreg-core`, the macros from `evreg-macros` (feature
//! `derive`) and the event bus from `evreg-bus` as [`bus`] (features `bus`,
//! `sqlite`, `postgres`, `nats`).

pub use evreg_core::*;

/// The event bus (the `evreg-bus` crate): publish and subscribe, audit
/// trail, tenants, retries and dead letters; docs/event-system.md.
#[cfg(feature = "bus")]
pub use evreg_bus as bus;

#[cfg(feature = "derive")]
pub use evreg_macros::{CatalogType, EventPayload, include_catalog};

/// The examples of docs/payload-helpers.md, compiled as doc tests.
#[doc = include_str!("../../docs/payload-helpers.md")]
#[cfg(doctest)]
pub struct PayloadHelpersDoctests;

/// The README's examples, compiled as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
