//! Procedural macros for [evreg](https://docs.rs/evreg).
//!
//! This crate is a thin front door over `evreg-codegen`: every macro parses its
//! input, calls the library and turns errors into `compile_error!`. It depends on
//! `evreg-codegen` without its `cli` feature, so a proc-macro build never compiles
//! the command-line program's dependencies.
//!
//! The macros themselves (`include_catalog!`, `#[derive(EventPayload)]`) arrive
//! with the code-generation release; today the crate only pins the dependency
//! shape.

// Keeps the dependency edge (and its feature selection) honest until the macros land.
use evreg_codegen as _;
