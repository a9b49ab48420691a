//! Workspace integration tests live in `tests/`. This library holds the code
//! generated from the shipped catalog and from the code-generation fixture
//! catalogs (through `include_catalog!`), so the tests can use it, and the
//! helpers several tests share.

use serde_json::Value;

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

/// JSON equality as JSON Schema defines it: numbers compare by value
/// (`3` and `3.0` are one number), objects ignore key order.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The compiled examples of docs/codegen.md (the derive example; the
/// excerpts of generated code are `ignore`d here and compared with
/// generated code by tests/docs.rs).
#[doc = include_str!("../../docs/codegen.md")]
#[cfg(doctest)]
pub struct CodegenDoctests;

/// The examples of docs/event-system.md, compiled and run.
#[doc = include_str!("../../docs/event-system.md")]
#[cfg(doctest)]
pub struct EventSystemDoctests;

/// The examples of docs/transports.md, compiled and run (against the NATS
/// server of `EVREG_TEST_NATS_URL`).
#[doc = include_str!("../../docs/transports.md")]
#[cfg(doctest)]
pub struct TransportsDoctests;

/// A valid `TICKET_CREATED` v1 payload of `tenant`, titled `title`: the
/// shipped catalog's example with those two fields replaced (the bus tests'
/// payload).
pub fn ticket_created(tenant: &str, title: &str) -> acme::TicketCreatedV1 {
    use evreg::EventPayload;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../catalog/examples/tickets/ticket-created.v1.json"
    );
    let text = std::fs::read_to_string(path).expect("the shipped example");
    let mut v: Value = serde_json::from_str(&text).expect("JSON");
    v["tenantId"] = tenant.into();
    v["title"] = title.into();
    acme::TicketCreatedV1::from_value(v).expect("a valid payload")
}
