//! Every key the catalog format knows, in one place.
//!
//! The parsers read keys only through these constants, and the lists below are
//! what "unknown key" and "unsupported keyword" diagnostics are checked against.

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
pub(crate) const MANIFEST_KEYS: &[&str] =
    &[NAME, KEY_CASE, BASE, DEFINITIONS, CODEGEN, SQL, CHECKS];

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
pub(crate) const CODEGEN_KEYS: &[&str] = &[UUID, DATE_TIME];

// [sql]
pub(crate) const TABLE: &str = "table";
pub(crate) const SCHEMA_TABLE: &str = "schema_table";
pub(crate) const SQL_KEYS: &[&str] = &[TABLE, SCHEMA_TABLE];

// [checks]
pub(crate) const REQUIRE_EXAMPLES: &str = "require_examples";
pub(crate) const COMPATIBILITY: &str = "compatibility";
pub(crate) const CHECKS_KEYS: &[&str] = &[REQUIRE_EXAMPLES, COMPATIBILITY];

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

/// Annotation keywords evreg accepts: they describe, they never validate
/// (with `x-…` extensions of your own).
pub const ANNOTATION_KEYWORDS: &[&str] = &[
    "$schema",
    "$defs",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// JSON Schema keywords that evreg supports, for validation and code
/// generation, besides the [`ANNOTATION_KEYWORDS`].
pub const VALIDATION_KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "oneOf",
    "anyOf",
    "allOf",
];

/// Every JSON Schema keyword evreg supports.
pub fn supported_keywords() -> impl Iterator<Item = &'static str> {
    ANNOTATION_KEYWORDS
        .iter()
        .chain(VALIDATION_KEYWORDS)
        .copied()
}

/// JSON Schema (2020-12 and older drafts) keywords that evreg does not support:
/// a schema using one is an error naming it, never silently ignored.
pub const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "definitions",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "minProperties",
    "maxProperties",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Values of `format` that evreg asserts (validates) and maps to types.
pub const SUPPORTED_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "uuid",
];

/// Values of `type`.
pub(crate) const JSON_TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null",
];

/// The JSON Schema dialect evreg reads.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
