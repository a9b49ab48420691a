//! Workspace integration tests live in `tests/`. This library holds the code
//! generated from the shipped catalog and from the code-generation fixture
//! catalogs (through `include_catalog!`), so the tests can use it, and the
//! helpers several tests share.

use serde_json::Value;

pub mod github;
pub mod mutate;
pub mod server;
pub mod suite;

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
    /// Recursive definitions: a tree, a chain in a shared file, `#`.
    pub mod recursive {
        evreg_macros::include_catalog!("fixtures/codegen/recursive");
    }
    /// Rules checked beside the types: `if`/`then`/`else`, `contains`,
    /// `patternProperties`, `dependentRequired`, `prefixItems`, …
    pub mod conditionals {
        evreg_macros::include_catalog!("fixtures/codegen/conditionals");
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

/// The services integration tests use (PostgreSQL, NATS), and the loud skip
/// when one is not configured: on a laptop a test without its service
/// prints `SKIPPED: …` and passes; in CI (`CI` set) it fails instead.
pub mod services {
    /// The URL in `var`, or `None` after saying loudly that `what` did not
    /// run. Fails the test in CI.
    pub fn url(var: &str, what: &str) -> Option<String> {
        match std::env::var(var) {
            Ok(url) => Some(url),
            Err(_) => {
                skip(&format!("{var} is not set; {what} did not run"));
                None
            }
        }
    }

    /// The path in `var` (a tool CI installs: `EVREG_TEST_NODE_MODULES`,
    /// `EVREG_TEST_PYTHON`), or `None` after saying loudly that `what` did
    /// not run. Fails the test in CI.
    pub fn path(var: &str, what: &str) -> Option<std::path::PathBuf> {
        url(var, what).map(std::path::PathBuf::from)
    }

    /// Says loudly that a test did not run, and why; fails the test in CI,
    /// where every test must run.
    pub fn skip(why: &str) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this test: {why}"
        );
        // Straight to the terminal: the test harness captures eprintln!.
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
    }

    /// A PostgreSQL schema of its own for one test on the server of
    /// `EVREG_TEST_POSTGRES_URL`, and the URL that uses it (`None`: skipped).
    pub async fn postgres_schema(what: &str) -> Option<String> {
        let base = url("EVREG_TEST_POSTGRES_URL", what)?;
        let (client, conn) =
            evreg::bus::tokio_postgres::connect(&base, evreg::bus::tokio_postgres::NoTls)
                .await
                .expect("EVREG_TEST_POSTGRES_URL is set but PostgreSQL is unreachable");
        let conn = tokio::spawn(conn);
        let schema = format!("evreg_test_{}", evreg::uuid::Uuid::now_v7().simple());
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        drop(client);
        let _ = conn.await;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
    }

    /// A stream and subject prefix of its own for one test on the server of
    /// `EVREG_TEST_NATS_URL` (`None`: skipped). Its events expire after ten
    /// minutes, so a failed test leaves little behind.
    pub fn nats_config(what: &str) -> Option<evreg::bus::nats::NatsConfig> {
        let url = url("EVREG_TEST_NATS_URL", what)?;
        let unique = evreg::uuid::Uuid::now_v7().simple().to_string();
        Some(evreg::bus::nats::NatsConfig {
            url,
            stream: format!("EVREG_TEST_{unique}"),
            subject_prefix: format!("evreg-test.{unique}"),
            max_age: std::time::Duration::from_secs(600),
            ..evreg::bus::nats::NatsConfig::default()
        })
    }
}

/// A copy of the folder `from` (a catalog, to edit or to run commands in)
/// at `to`, its folders made.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
