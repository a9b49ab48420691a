//! Workspace integration tests live in `tests/`. This library holds the code
//! generated from the shipped catalog and from the code-generation fixture
//! catalogs (through `include_catalog!`), so the tests can use it.

/// The shipped catalog (`catalog/`).
pub mod acme {
    evreg_macros::include_catalog!("../catalog");
}

/// The JSON-Schema-Test-Suite as a catalog (`tests/fixtures/conformance/`,
/// written by `cargo run -p xtask -- gen-conformance`).
pub mod conformance {
    evreg_macros::include_catalog!("fixtures/conformance");
}

/// The code-generation fixture catalogs (`tests/fixtures/codegen/<name>/`).
pub mod fixtures {
    /// Scalars, renames, keyword property names.
    pub mod minimal {
        evreg_macros::include_catalog!("fixtures/codegen/minimal");
    }
    /// String enums, nullable and optional properties, `const`, aliases.
    pub mod enums {
        evreg_macros::include_catalog!("fixtures/codegen/enums");
    }
    /// Nested objects, arrays, maps, shared and local definitions.
    pub mod nested {
        evreg_macros::include_catalog!("fixtures/codegen/nested");
    }
    /// Tagged `oneOf`, nullable `anyOf`, merged `allOf`, JSON fallbacks.
    pub mod combinators {
        evreg_macros::include_catalog!("fixtures/codegen/combinators");
    }
    /// Formats, bounds, lengths, patterns, array sizes and uniqueness.
    pub mod constraints {
        evreg_macros::include_catalog!("fixtures/codegen/constraints");
    }
    /// `uuid = "string"`, `date_time = "string"`.
    pub mod strings {
        evreg_macros::include_catalog!("fixtures/codegen/strings");
    }
}
