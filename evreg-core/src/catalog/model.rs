//! The resolved catalog model every generator consumes.
//!
//! Everything here has been validated: refs are derived, `$ref`s are bundled into
//! each payload schema's `$defs`, base fields are merged, and collections are
//! sorted so that output derived from the model is deterministic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::naming::KeyCase;
use crate::source::{SourceMap, Span};

/// A loaded, validated, resolved catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) root: PathBuf,
    pub(crate) manifest: Manifest,
    pub(crate) events: Vec<Event>,
    pub(crate) definitions: BTreeMap<String, Value>,
    pub(crate) sources: Arc<SourceMap>,
    pub(crate) warnings: Vec<crate::Diagnostic>,
    /// The targets of `$ref`s across files and the definitions files: a
    /// change to one of them may change the schemas of other files.
    pub(crate) shared_files: Vec<PathBuf>,
}

impl Catalog {
    /// The folder the catalog was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The manifest (`catalog.toml`).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The catalog's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// Every event, sorted by type.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The event with this type or alias.
    pub fn event(&self, type_or_alias: &str) -> Option<&Event> {
        self.events
            .binary_search_by(|e| e.event_type.as_str().cmp(type_or_alias))
            .ok()
            .map(|i| &self.events[i])
            .or_else(|| {
                self.events
                    .iter()
                    .find(|e| e.aliases.iter().any(|a| a == type_or_alias))
            })
    }

    /// Every payload version of every event, in event order then version order.
    pub fn versions(&self) -> impl Iterator<Item = (&Event, &PayloadVersion)> {
        self.events
            .iter()
            .flat_map(|e| e.versions.iter().map(move |v| (e, v)))
    }

    /// The payload version with this schema ref (`payload.TicketCreated.v1`).
    pub fn version_by_ref(&self, schema_ref: &str) -> Option<(&Event, &PayloadVersion)> {
        self.versions().find(|(_, v)| v.schema_ref == schema_ref)
    }

    /// Shared definitions reached through `$ref` from any payload (name → schema),
    /// plus every `$defs` entry of the manifest's definition files.
    pub fn definitions(&self) -> &BTreeMap<String, Value> {
        &self.definitions
    }

    /// Every file read while loading.
    pub fn sources(&self) -> &Arc<SourceMap> {
        &self.sources
    }

    /// Warnings found while loading (the catalog is usable despite them).
    pub fn warnings(&self) -> &[crate::Diagnostic] {
        &self.warnings
    }
}

/// `catalog.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The catalog's name.
    pub name: String,
    /// The convention payload property names must follow, if any.
    pub key_case: Option<KeyCase>,
    /// Fields merged into every payload schema.
    pub base: Base,
    /// Files whose `$defs` are shared definitions.
    pub definition_files: Vec<PathBuf>,
    /// Code generation options.
    pub codegen: CodegenOptions,
    /// SQL options.
    pub sql: SqlOptions,
    /// Which checks are errors.
    pub checks: CheckOptions,
    /// How schemas are read: the default draft, keywords of the team's own.
    pub keywords: KeywordOptions,
}

/// The manifest's `[schema]`: the draft of files without `$schema`, and the
/// keywords of a team's own in its schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordOptions {
    /// The draft of a schema file that declares no `$schema` (2020-12).
    pub default_draft: crate::schema::dialect::Draft,
    /// Keywords that only describe (`tsAdditionalProperties`): accepted
    /// anywhere in a schema, never validated, and left out of the payload
    /// schemas evreg bundles, as `x-…` annotations are ignored.
    pub annotations: Vec<String>,
    /// Whether any other word that is no JSON Schema keyword is only a
    /// warning (and then ignored as an annotation); an error by default.
    pub unknown_is_warning: bool,
    /// Folders outside the catalog folder whose files the catalog may read
    /// (schemas vendored beside it), as the manifest names them, resolved
    /// against the catalog folder.
    pub folders: Vec<std::path::PathBuf>,
}

impl Default for KeywordOptions {
    fn default() -> Self {
        KeywordOptions {
            default_draft: crate::schema::dialect::Draft::Draft202012,
            annotations: Vec::new(),
            unknown_is_warning: false,
            folders: Vec::new(),
        }
    }
}

impl KeywordOptions {
    /// Whether `key` is no keyword evreg validates with: a declared
    /// annotation, or, when unknown keywords are warnings, any word that is
    /// not a JSON Schema keyword.
    pub fn ignores(&self, key: &str) -> bool {
        self.annotations.iter().any(|a| a == key)
            || (self.unknown_is_warning
                && crate::schema::keywords::keyword(key).is_none()
                && !crate::schema::keywords::is_extension(key))
    }
}

/// The manifest's `[base]`: properties every payload carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Base {
    /// Property name → schema, in declaration order.
    pub properties: Map<String, Value>,
    /// Names of required base properties.
    pub required: Vec<String>,
}

/// How `format: uuid` strings are typed in generated code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UuidRepr {
    /// `uuid::Uuid`
    #[default]
    Uuid,
    /// `String`
    String,
}

/// How `format: date-time` strings are typed in generated code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateTimeRepr {
    /// `chrono::DateTime<chrono::Utc>`
    #[default]
    Chrono,
    /// `time::OffsetDateTime`
    Time,
    /// `String`
    String,
}

/// The manifest's `[codegen]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodegenOptions {
    /// `uuid = "uuid" | "string"`
    pub uuid: UuidRepr,
    /// `date_time = "chrono" | "time" | "string"`
    pub date_time: DateTimeRepr,
    /// `[codegen.rename]`: Rust names chosen by the team, for schemas it
    /// cannot edit. `"Type"` renames a generated type, `"Type.property"`
    /// names the field of a property (by its name on the wire).
    pub rename: std::collections::BTreeMap<String, String>,
}

/// The manifest's `[sql]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlOptions {
    /// The event catalog table (`system_event_catalog`).
    pub table: String,
    /// The payload schema table (`system_event_schemas`).
    pub schema_table: String,
}

impl Default for SqlOptions {
    fn default() -> Self {
        SqlOptions {
            table: "system_event_catalog".to_owned(),
            schema_table: "system_event_schemas".to_owned(),
        }
    }
}

/// The manifest's `[checks]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// A version without a valid example is an error (`true`, the default) or a warning.
    pub require_examples: bool,
    /// The compatibility every event's versions keep, unless the event says
    /// otherwise (`backward` by default).
    pub compatibility: crate::compat::Mode,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            require_examples: true,
            compatibility: crate::compat::Mode::Backward,
        }
    }
}

/// The lifecycle of an event type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Emitted by the application.
    #[default]
    Active,
    /// Known to the catalog (workflows, simulators) but not emitted by code yet.
    CatalogOnly,
    /// No longer emitted; `replaced_by` names its successor.
    Deprecated,
}

impl Status {
    /// Every status with its catalog spelling.
    pub const ALL: [(&'static str, Status); 3] = [
        ("active", Status::Active),
        ("catalog-only", Status::CatalogOnly),
        ("deprecated", Status::Deprecated),
    ];

    /// The catalog spelling (`catalog-only`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::CatalogOnly => "catalog-only",
            Status::Deprecated => "deprecated",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event type and its payload versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `TICKET_CREATED` or `course.graduated`.
    pub event_type: String,
    /// Human name.
    pub name: String,
    /// What happened, for people.
    pub description: String,
    /// Grouping (`tickets`, `billing`, …).
    pub category: String,
    /// The owning team, if declared.
    pub owner: Option<String>,
    /// Lifecycle.
    pub status: Status,
    /// The live event that replaces a deprecated one.
    pub replaced_by: Option<String>,
    /// Other type names that mean this event.
    pub aliases: Vec<String>,
    /// The event's own compatibility mode, when it sets one.
    pub compatibility: Option<crate::compat::Mode>,
    /// Payload versions, ascending.
    pub versions: Vec<PayloadVersion>,
    /// Where the `type` was declared.
    pub span: Span,
}

impl Event {
    /// `TicketCreated` for `TICKET_CREATED`.
    pub fn pascal_name(&self) -> String {
        crate::naming::pascal_name(&self.event_type)
    }

    /// The highest version.
    pub fn latest(&self) -> Option<&PayloadVersion> {
        self.versions.last()
    }

    /// The payload version with this number.
    pub fn version(&self, version: u32) -> Option<&PayloadVersion> {
        self.versions.iter().find(|v| v.version == version)
    }
}

/// One version of an event's payload.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadVersion {
    /// 1, 2, …
    pub version: u32,
    /// `payload.TicketCreated.v1`
    pub schema_ref: String,
    /// What changed in this version, if said.
    pub description: Option<String>,
    /// The resolved JSON Schema: base fields merged, every `$ref` bundled into
    /// `$defs`, self-contained.
    pub schema: Value,
    /// The file the schema was read from (the event file for inline schemas).
    pub schema_file: PathBuf,
    /// The draft that file is written in (`schema` says the same in 2020-12).
    pub draft: crate::schema::dialect::Draft,
    /// Payloads that must validate.
    pub examples: Vec<Example>,
    /// Payloads that must not validate, with the reason.
    pub invalid_examples: Vec<InvalidExample>,
    /// Where the version was declared.
    pub span: Span,
}

/// A payload that must validate against its version's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The payload.
    pub payload: Value,
    /// Where it was declared.
    pub span: Span,
}

/// A payload that must not validate, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidExample {
    /// Why the payload is invalid.
    pub reason: String,
    /// The payload.
    pub payload: Value,
    /// Where it was declared.
    pub span: Span,
}
