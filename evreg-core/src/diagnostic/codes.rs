//! Every diagnostic code evreg emits. A code is a stable name that tools
//! match on (`evreg check --format json`), so the list is closed: the
//! constructors of [`Diagnostic`](super::Diagnostic) refuse an unlisted code
//! in debug builds, a test finds every code the sources spell, and another
//! checks that docs/catalog-format.md ("Diagnostic codes") explains each.

/// The codes, in the order docs/catalog-format.md groups them.
pub const CODES: &[&str] = &[
    "toml-syntax",
    "json-syntax",
    "too-deep",
    "not-utf8",
    "io",
    "missing-file",
    "missing-manifest",
    "unknown-key",
    "missing-key",
    "wrong-type",
    "invalid-value",
    "empty",
    "event-type",
    "duplicate-type",
    "duplicate-ref",
    "duplicate-alias",
    "duplicate-id",
    "no-versions",
    "version-number",
    "duplicate-version",
    "version-gap",
    "deprecated-without-replacement",
    "unknown-replacement",
    "replacement-not-live",
    "replaced-by-not-deprecated",
    "invalid-schema",
    "schema-dialect",
    "payload-not-object",
    "unsupported-keyword",
    "unknown-keyword",
    "unsupported-format",
    "format-not-asserted",
    "ignored-keyword",
    "unresolved-ref",
    "cyclic-ref",
    "ref-too-deep",
    "outside-catalog",
    "definition-collision",
    "no-definitions",
    "base-field",
    "key-case",
    "rust-name-collision",
    "invalid-rust-name",
    "undeclared-required",
    "missing-example",
    "example-invalid",
    "invalid-example-passes",
    "sql-name",
    "not-storable",
    "incompatible-change",
    "released-version-changed",
    "released-version-removed",
    "lock-syntax",
    "no-events",
    "codegen-bug",
    "export-draft",
    "typescript-unsupported",
];

/// Whether `code` is one of [`CODES`].
pub fn is_known(code: &str) -> bool {
    CODES.contains(&code)
}
