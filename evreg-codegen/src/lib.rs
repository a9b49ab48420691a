//! # evreg-codegen
//!
//! Everything evreg generates from a catalog: the Rust module (payload
//! structs with their validators, the bus types `EventType` and `Event`, an
//! embedded registry), the checks behind `#[derive(EventPayload)]`, and the
//! SQL text of migrations. A pure library: [`Builder`] in `build.rs`
//! compiles no command-line parser, async runtime or database client.
//!
//! Generators take the resolved [`evreg_core::Catalog`], never raw files.
//! The `evreg` program (crate `evreg-cli`) and the macros (`evreg-macros`)
//! are front doors over this crate.

pub mod builder;
pub mod derive;
pub mod export;
pub mod macros;
pub mod output;
pub mod rust;
pub mod sql;
pub mod typescript;

pub use builder::{BuildError, Builder, Generated, generate_dir};

pub use rust::generate;
