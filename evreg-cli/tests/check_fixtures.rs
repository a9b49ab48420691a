//! Every check has a fixture catalog with one fault; each must be reported with
//! its code, message and exact location, by the library and by `evreg check`.

use evreg_core::Catalog;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/check")
        .canonicalize()
        .unwrap()
}

/// (fixture, code, (file under the fixture, line, column), message start).
type Expectation = (
    &'static str,
    &'static str,
    Option<(&'static str, usize, usize)>,
    &'static str,
);

const EXPECTED: &[Expectation] = &[
    (
        "base-field",
        "base-field",
        Some(("schemas/ticket-created.v1.json", 24, 5)),
        "payload redefines base field `tenantId` with a different schema",
    ),
    (
        "cyclic-ref",
        "cyclic-ref",
        Some(("schemas/ticket-created.v1.json", 34, 19)),
        "`$ref` cycle: a schema is defined as itself",
    ),
    (
        "definition-collision",
        "definition-collision",
        Some(("schemas/ticket-created.v1.json", 28, 15)),
        "two different shared definitions are named `Money`",
    ),
    (
        "deprecated-without-replacement",
        "deprecated-without-replacement",
        Some(("events/tickets.toml", 6, 10)),
        "deprecated event `TICKET_CREATED` has no `replaced_by`",
    ),
    (
        "duplicate-alias",
        "duplicate-alias",
        Some(("events/tickets.toml", 17, 12)),
        "alias `TICKET_OPENED` collides with event type or alias `TICKET_OPENED`",
    ),
    (
        "duplicate-ref",
        "duplicate-ref",
        Some(("events/tickets.toml", 2, 8)),
        "event types `ticket.created` and `TICKET_CREATED` both derive the ref `payload.TicketCreated.v<N>`",
    ),
    (
        "duplicate-type",
        "duplicate-type",
        Some(("events/tickets.toml", 2, 8)),
        "event type `TICKET_CREATED` is declared twice",
    ),
    (
        "duplicate-version",
        "duplicate-version",
        Some(("events/tickets.toml", 13, 11)),
        "`TICKET_CREATED` declares version 1 twice",
    ),
    (
        "event-type",
        "event-type",
        Some(("events/tickets.toml", 2, 8)),
        "event type `Ticket-Created` is not well formed",
    ),
    (
        "example-file-invalid",
        "example-invalid",
        Some(("examples/ticket-created.json", 5, 15)),
        "example does not match payload.TicketCreated.v1: value is not one of",
    ),
    (
        "example-invalid",
        "example-invalid",
        Some(("events/tickets.toml", 10, 77)),
        "example does not match payload.TicketCreated.v1: value is not a \"uuid\"",
    ),
    (
        "incompatible-change",
        "incompatible-change",
        Some(("events/tickets.toml", 12, 1)),
        "`payload.TicketCreated.v2` is not backward compatible with v1: PROPERTY_ADDED_REQUIRED at `/properties/boardId`",
    ),
    (
        "invalid-example-passes",
        "invalid-example-passes",
        Some(("events/tickets.toml", 14, 11)),
        "invalid example of payload.TicketCreated.v1 passes its schema",
    ),
    (
        "invalid-schema",
        "invalid-schema",
        Some(("schemas/ticket-created.v1.json", 13, 15)),
        "\"strnig\" is not a JSON Schema type",
    ),
    (
        "invalid-value",
        "invalid-value",
        Some(("events/tickets.toml", 6, 10)),
        "`status` must be one of `active`, `catalog-only`, `deprecated`, found `retired`",
    ),
    (
        "json-syntax",
        "json-syntax",
        Some(("schemas/ticket-created.v1.json", 14, 22)),
        "JSON syntax: key must be a string",
    ),
    (
        "key-case",
        "key-case",
        Some(("schemas/ticket-created.v1.json", 24, 5)),
        "property `created_by` does not follow the catalog's key_case `camelCase`",
    ),
    (
        "lock-syntax",
        "lock-syntax",
        Some(("catalog.lock", 8, 8)),
        "catalog.lock is not a lock file: string values must be quoted",
    ),
    (
        "meta-schema",
        "invalid-schema",
        Some(("schemas/ticket-created.v1.json", 14, 20)),
        "invalid JSON Schema: value is less than the minimum of 0",
    ),
    (
        "missing-example",
        "missing-example",
        Some(("events/tickets.toml", 8, 11)),
        "payload.TicketCreated.v1 has no example",
    ),
    (
        "missing-file",
        "missing-file",
        Some(("events/tickets.toml", 9, 10)),
        "`",
    ),
    (
        "missing-key",
        "missing-key",
        Some(("events/tickets.toml", 1, 1)),
        "[[events]] is missing the required key `category`",
    ),
    ("missing-manifest", "missing-manifest", None, "`"),
    (
        "no-versions",
        "no-versions",
        Some(("events/tickets.toml", 2, 8)),
        "event declares no payload version",
    ),
    (
        "not-utf8",
        "not-utf8",
        Some(("events/tickets.toml", 4, 36)),
        "file is not valid UTF-8",
    ),
    (
        "payload-not-object",
        "payload-not-object",
        Some(("schemas/ticket-created.v1.json", 2, 11)),
        "a payload schema must declare `\"type\": \"object\"`",
    ),
    (
        "released-version-changed",
        "released-version-changed",
        Some(("events/tickets.toml", 7, 1)),
        "`payload.TicketCreated.v1` is released (catalog.lock) and its schema changed",
    ),
    (
        "released-version-removed",
        "released-version-removed",
        Some(("catalog.lock", 11, 1)),
        "`payload.TicketCreated.v2` is released but no longer in the catalog",
    ),
    (
        "replacement-not-live",
        "replacement-not-live",
        Some(("events/tickets.toml", 7, 15)),
        "`TICKET_CREATED` is replaced by `TICKET_OPENED`, which is itself deprecated",
    ),
    (
        "schema-dialect",
        "schema-dialect",
        Some(("schemas/ticket-created.v1.json", 26, 14)),
        "this document declares the dialect \"https://example.org/dialects/ours/schema\", which evreg does not read",
    ),
    (
        "toml-syntax",
        "toml-syntax",
        Some(("events/tickets.toml", 5, 20)),
        "TOML syntax: invalid basic string",
    ),
    (
        "too-deep",
        "too-deep",
        Some(("schemas/ticket-created.v1.json", 1, 156)),
        "JSON syntax: recursion limit exceeded",
    ),
    (
        "unknown-key",
        "unknown-key",
        Some(("events/tickets.toml", 6, 1)),
        "unknown key `categroy` in [[events]]",
    ),
    (
        "unknown-keyword",
        "unknown-keyword",
        Some(("schemas/ticket-created.v1.json", 14, 7)),
        "`maxLenght` is not a JSON Schema keyword",
    ),
    (
        "unknown-manifest-key",
        "unknown-key",
        Some(("catalog.toml", 2, 1)),
        "unknown key `keycase` in catalog.toml",
    ),
    (
        "unknown-replacement",
        "unknown-replacement",
        Some(("events/tickets.toml", 7, 15)),
        "`replaced_by` names `TICKET_OPENNED`, which is not an event of this catalog",
    ),
    (
        "unresolved-ref",
        "unresolved-ref",
        Some(("schemas/ticket-created.v1.json", 25, 15)),
        "`$ref` \"common.json#/$defs/Mony\" points at nothing",
    ),
    (
        "unsupported-format",
        "unsupported-format",
        Some(("schemas/ticket-created.v1.json", 14, 17)),
        "format `emial` is not a JSON Schema format",
    ),
    (
        "unsupported-keyword",
        "unsupported-keyword",
        Some(("schemas/ticket-created.v1.json", 14, 7)),
        "JSON Schema keyword `$dynamicRef` is not supported by evreg",
    ),
    (
        "version-number",
        "version-number",
        Some(("events/tickets.toml", 8, 11)),
        "version must be a positive integer, found 0",
    ),
    (
        "wrong-type",
        "wrong-type",
        Some(("events/tickets.toml", 8, 11)),
        "`version` in [[events.versions]] must be an integer, found a string",
    ),
];

/// Faults of the generated code's Rust names, not of the catalog's data:
/// warnings of `evreg check` at their location (`evreg generate` refuses them).
/// (fixture, code, (file, line, column), message)
type Warned = (
    &'static str,
    &'static str,
    (&'static str, usize, usize),
    &'static str,
);

const WARNED: &[Warned] = &[
    (
        "rust-field-collision",
        "rust-name-collision",
        ("schemas/ticket-created.v1.json", 24, 5),
        "properties `ticketId` and `ticket_id` both become the Rust field `ticket_id`",
    ),
    (
        "rust-variant-collision",
        "rust-name-collision",
        ("schemas/ticket-created.v1.json", 19, 15),
        "enum values `in-progress` and `in_progress` both become the Rust variant `InProgress`",
    ),
];

#[test]
fn rust_naming_problems_are_warnings_at_their_location() {
    for &(name, code, (file, line, col), message) in WARNED {
        let dir = fixtures().join(name);
        let report = Catalog::check(&dir);
        assert!(report.catalog.is_some(), "{name}: the catalog loads");
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{name}: no {code}"));
        assert!(!d.is_error(), "{name}");
        assert!(d.message.starts_with(message), "{name}: {}", d.message);
        let out = Command::new(env!("CARGO_BIN_EXE_evreg"))
            .env_remove("EVREG_CATALOG")
            .args(["check", "--color", "never"])
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("warning[{code}]")),
            "{name}: {stderr}"
        );
        let needle = format!("{name}/{file}:{line}:{col}");
        assert!(
            stderr.contains(&needle),
            "{name}: missing {needle} in\n{stderr}"
        );
    }
}

#[test]
fn every_fixture_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "valid")
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    listed.extend(WARNED.iter().map(|e| e.0));
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn the_baseline_fixture_is_clean() {
    let report = Catalog::check(fixtures().join("valid"));
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}

#[test]
fn each_fault_is_reported_at_its_location() {
    let mut failures = Vec::new();
    for &(name, code, location, message) in EXPECTED {
        let dir = fixtures().join(name);
        let report = Catalog::check(&dir);
        assert!(
            report.catalog.is_none(),
            "{name}: a faulty catalog must not load"
        );
        let Some(d) = report.diagnostics.iter().find(|d| d.is_error()) else {
            failures.push(format!("{name}: no error"));
            continue;
        };
        let found = d.primary.as_ref().map(|l| {
            let file = report.sources.get(l.span.file);
            let (line, col) = file.line_col(l.span.start);
            let rel = file
                .path()
                .strip_prefix(&dir)
                .unwrap_or(file.path())
                .to_string_lossy()
                .into_owned();
            (rel, line, col)
        });
        let expected = location.map(|(f, l, c)| (f.to_owned(), l, c));
        if d.code != code || found != expected || !d.message.starts_with(message) {
            failures.push(format!(
                "{name}: got {} {:?} {:?}, want {code} {expected:?} {message:?}",
                d.code, found, d.message
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn evreg_check_prints_each_location_and_exits_1() {
    for &(name, code, location, _) in EXPECTED {
        let dir = fixtures().join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_evreg"))
            .env_remove("EVREG_CATALOG")
            .args(["check", "--color", "never"])
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected_code = if name == "missing-manifest" { 2 } else { 1 };
        assert_eq!(out.status.code(), Some(expected_code), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("error[{code}]")),
            "{name}: {stderr}"
        );
        if let Some((file, line, col)) = location {
            let needle = format!("{name}/{file}:{line}:{col}");
            assert!(
                stderr.contains(&needle),
                "{name}: missing {needle} in\n{stderr}"
            );
        }
    }
}

#[test]
fn json_diagnostics_carry_the_same_locations() {
    for &(name, code, location, message) in EXPECTED {
        let out = Command::new(env!("CARGO_BIN_EXE_evreg"))
            .env_remove("EVREG_CATALOG")
            .args(["check", "--format", "json"])
            .arg(fixtures().join(name))
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["ok"], false, "{name}");
        let first = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["severity"] == "error")
            .unwrap();
        assert_eq!(first["code"], code, "{name}");
        assert!(
            first["message"].as_str().unwrap().starts_with(message),
            "{name}"
        );
        if let Some((file, line, col)) = location {
            assert_eq!(first["file"], format!("{name}/{file}"), "{name}");
            assert_eq!(first["line"], line, "{name}");
            assert_eq!(first["column"], col, "{name}");
        }
    }
}

/// What `evreg check` prints for a fixture, without colors.
fn rendered(fixture: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_evreg"))
        .env_remove("EVREG_CATALOG")
        .current_dir(fixtures())
        .args(["check", "--color", "never", fixture])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn text_rendering_of_an_invalid_example() {
    insta::assert_snapshot!(rendered("example-file-invalid"));
}

#[test]
fn text_rendering_of_an_unknown_key() {
    insta::assert_snapshot!(rendered("unknown-key"));
}
