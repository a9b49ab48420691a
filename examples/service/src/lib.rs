//! The code evreg generates from the shipped catalog, as a service keeps it:
//! `src/events.rs` is checked in, written by
//! `evreg generate catalog -o examples/service/src/events.rs`, and CI runs the
//! same command with `--check` so that it never drifts from the catalog.

/// Payload structs, `EventType`, `Event` and `registry()` of the shipped catalog.
/// (Generated code is formatted by evreg, not rustfmt: `cargo fmt` skips it.)
#[rustfmt::skip]
pub mod events;
