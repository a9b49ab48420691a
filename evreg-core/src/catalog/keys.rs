//! Every key the catalog format knows, in one place.
//!
//! The parsers read keys only through these constants, and the lists below are
//! what "unknown key" diagnostics are checked against. JSON Schema's own
//! keywords are in [`crate::schema::keywords`].

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "catalog.toml";

// catalog.toml
pub(crate) const NAME: &str = "name";
pub(crate) const KEY_CASE: &str = "key_case";
pub(crate) const BASE: &str = "base";
pub(crate) const DEFINITIONS: &str = "definitions";
pub(crate) const CODEGEN: &str = "codegen";
pub(crate) const SQL: &str = "sql";
pub(crate) const CHECKS: &str = "checks";
pub(crate) const SCHEMA_TABLE_KEY: &str = "schema";
pub(crate) const MANIFEST_KEYS: &[&str] = &[
    NAME,
    KEY_CASE,
    BASE,
    DEFINITIONS,
    CODEGEN,
    SQL,
    CHECKS,
    SCHEMA_TABLE_KEY,
];

// [base]
pub(crate) const REQUIRED: &str = "required";
pub(crate) const PROPERTIES: &str = "properties";
pub(crate) const BASE_KEYS: &[&str] = &[REQUIRED, PROPERTIES];

// [definitions]
pub(crate) const FILES: &str = "files";
pub(crate) const DEFINITIONS_KEYS: &[&str] = &[FILES];

// [codegen]
pub(crate) const UUID: &str = "uuid";
pub(crate) const DATE_TIME: &str = "date_time";
pub(crate) const RENAME: &str = "rename";
pub(crate) const CODEGEN_KEYS: &[&str] = &[UUID, DATE_TIME, RENAME];

// [sql]
pub(crate) const TABLE: &str = "table";
pub(crate) const SCHEMA_TABLE: &str = "schema_table";
pub(crate) const SQL_KEYS: &[&str] = &[TABLE, SCHEMA_TABLE];

// [checks]
pub(crate) const REQUIRE_EXAMPLES: &str = "require_examples";
pub(crate) const COMPATIBILITY: &str = "compatibility";
pub(crate) const CHECKS_KEYS: &[&str] = &[REQUIRE_EXAMPLES, COMPATIBILITY];

// [schema]
pub(crate) const DRAFT: &str = "draft";
pub(crate) const ANNOTATIONS: &str = "annotations";
pub(crate) const FOLDERS: &str = "folders";
pub(crate) const UNKNOWN_KEYWORDS: &str = "unknown_keywords";
pub(crate) const SCHEMA_KEYS: &[&str] = &[DRAFT, ANNOTATIONS, UNKNOWN_KEYWORDS, FOLDERS];

// event files
pub(crate) const EVENTS: &str = "events";
pub(crate) const EVENT_FILE_KEYS: &[&str] = &[EVENTS];
pub(crate) const TYPE: &str = "type";
pub(crate) const DESCRIPTION: &str = "description";
pub(crate) const CATEGORY: &str = "category";
pub(crate) const OWNER: &str = "owner";
pub(crate) const STATUS: &str = "status";
pub(crate) const REPLACED_BY: &str = "replaced_by";
pub(crate) const ALIASES: &str = "aliases";
pub(crate) const VERSIONS: &str = "versions";
pub(crate) const EVENT_KEYS: &[&str] = &[
    TYPE,
    NAME,
    DESCRIPTION,
    CATEGORY,
    OWNER,
    STATUS,
    REPLACED_BY,
    ALIASES,
    COMPATIBILITY,
    VERSIONS,
];

// [[events.versions]]
pub(crate) const VERSION: &str = "version";
pub(crate) const SCHEMA: &str = "schema";
pub(crate) const EXAMPLES: &str = "examples";
pub(crate) const INVALID: &str = "invalid";
pub(crate) const VERSION_KEYS: &[&str] = &[VERSION, SCHEMA, DESCRIPTION, EXAMPLES, INVALID];

// [[events.versions.invalid]]
pub(crate) const REASON: &str = "reason";
pub(crate) const PAYLOAD: &str = "payload";
pub(crate) const INVALID_KEYS: &[&str] = &[REASON, PAYLOAD];

/// The JSON Schema dialect evreg reads.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every table of the manifest with the keys it knows, by its path in
/// catalog.toml (`""` the top level): what editor schemas of the format
/// are checked against.
pub const MANIFEST_TABLES: &[(&str, &[&str])] = &[
    ("", MANIFEST_KEYS),
    (BASE, BASE_KEYS),
    (DEFINITIONS, DEFINITIONS_KEYS),
    (CODEGEN, CODEGEN_KEYS),
    (SQL, SQL_KEYS),
    (CHECKS, CHECKS_KEYS),
    (SCHEMA_TABLE_KEY, SCHEMA_KEYS),
];

/// Every table of an event file with the keys it knows, by its path (`""`
/// the top level, `events` an event, `events.versions` a version,
/// `events.versions.invalid` an invalid example).
pub const EVENT_FILE_TABLES: &[(&str, &[&str])] = &[
    ("", EVENT_FILE_KEYS),
    ("events", EVENT_KEYS),
    ("events.versions", VERSION_KEYS),
    ("events.versions.invalid", INVALID_KEYS),
];
