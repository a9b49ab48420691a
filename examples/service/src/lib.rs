//! The code evreg generates from the shipped catalog, as a service keeps it:
//! `src/events.rs` is checked in, written by
//! `evreg generate catalog -o examples/service/src/events.rs`, and CI runs the
//! same command with `--check` so that it never drifts from the catalog.

/// Payload structs, `EventType`, `Event` and `registry()` of the shipped catalog.
/// (Generated code is formatted by evreg, not rustfmt: `cargo fmt` skips it.)
#[rustfmt::skip]
pub mod events;

/// The derive example of docs/codegen.md, compiled and run as a user's crate
/// runs it (the excerpts of generated code are `ignore`d here and compared
/// with generated code by tests/tests/docs.rs).
#[doc = include_str!("../../../docs/codegen.md")]
#[cfg(doctest)]
pub struct CodegenDoctests;

/// The examples of docs/event-system.md, compiled and run as a user's crate
/// runs them: this crate depends only on `evreg` (the page's `acme` is this
/// crate's `events`).
#[doc = include_str!("../../../docs/event-system.md")]
#[cfg(doctest)]
pub struct EventSystemDoctests;

/// The examples of docs/transports.md, compiled and run likewise (against
/// the NATS server of `EVREG_TEST_NATS_URL`).
#[doc = include_str!("../../../docs/transports.md")]
#[cfg(doctest)]
pub struct TransportsDoctests;
