//! # evreg-codegen
//!
//! Everything evreg produces from a catalog, and the `evreg` command-line program
//! (a binary of this crate, behind the default `cli` feature).
//!
//! Generators take the resolved [`evreg::Catalog`], never raw files. Today the
//! crate renders catalog diagnostics for terminals and machines; the code, SQL
//! and documentation generators build on the same model.

pub mod builder;
#[cfg(feature = "db")]
pub mod db;
pub mod derive;
pub mod macros;
pub mod output;
pub mod render;
pub mod rust;
#[cfg(feature = "simulate")]
pub mod simulate;
pub mod sql;

pub use builder::{BuildError, Builder, Generated, generate_dir};

pub use rust::generate;
