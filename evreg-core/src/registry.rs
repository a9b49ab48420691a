//! The runtime schema registry: ref → schema → compiled validator.
//!
//! ```
//! use serde_json::json;
//!
//! let registry = evreg_core::Registry::builder()
//!     .schema(
//!         "TICKET_CREATED",
//!         1,
//!         json!({
//!             "type": "object",
//!             "required": ["ticketId"],
//!             "properties": { "ticketId": { "type": "string", "format": "uuid" } }
//!         }),
//!     )
//!     .build();
//!
//! let ok = json!({ "ticketId": "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10" });
//! assert!(registry.validate("payload.TicketCreated.v1", &ok).is_ok());
//!
//! let bad = json!({ "ticketId": "not-a-uuid" });
//! let err = registry.validate("payload.TicketCreated.v1", &bad).unwrap_err();
//! let evreg_core::RegistryError::Invalid(errors) = err else { unreachable!() };
//! assert_eq!(errors.errors[0].instance_path, "/ticketId");
//! assert_eq!(errors.errors[0].keyword, "format");
//! ```

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::{RegistryError, ValidationError, ValidationErrors};
use crate::naming::{did_you_mean, schema_ref};

/// A compiled JSON Schema validator (formats asserted, draft 2020-12).
pub type Validator = jsonschema::Validator;

/// Compiled `pattern` regexes shared between the validators of one registry.
pub type PatternCache = jsonschema::PatternCache;

/// Compiles a self-contained draft 2020-12 schema with format assertion on,
/// sharing compiled patterns through `patterns`.
pub fn compile(schema: &Value, patterns: &PatternCache) -> Result<Validator, String> {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_pattern_cache(patterns.clone())
        .build(schema)
        .map_err(|e| e.masked().to_string())
}

/// Every error of `instance` against `validator` (none when it is valid; the
/// common case takes the validator's fast path).
pub fn errors(validator: &Validator, instance: &Value) -> Vec<ValidationError> {
    if validator.is_valid(instance) {
        return Vec::new();
    }
    validator
        .iter_errors(instance)
        .map(|e| ValidationError {
            instance_path: e.instance_path().as_str().to_owned(),
            schema_path: e.schema_path().as_str().to_owned(),
            keyword: keyword_of(e.schema_path().as_str()),
            message: e.masked().to_string(),
        })
        .collect()
}

fn keyword_of(schema_path: &str) -> String {
    schema_path
        .rsplit('/')
        .find(|t| !t.is_empty() && !t.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("")
        .to_owned()
}

/// One payload schema of a registry.
#[derive(Debug)]
pub struct SchemaEntry {
    schema_ref: String,
    event_type: String,
    version: u32,
    schema: Value,
    validator: OnceLock<Result<Validator, String>>,
    patterns: PatternCache,
}

impl SchemaEntry {
    /// `payload.TicketCreated.v1`
    pub fn schema_ref(&self) -> &str {
        &self.schema_ref
    }

    /// `TICKET_CREATED`
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The payload version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The self-contained JSON Schema.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// The compiled validator, compiled on first use and kept.
    pub fn validator(&self) -> Result<&Validator, RegistryError> {
        self.validator
            .get_or_init(|| compile(&self.schema, &self.patterns))
            .as_ref()
            .map_err(|message| RegistryError::InvalidSchema {
                schema_ref: self.schema_ref.clone(),
                message: message.clone(),
            })
    }

    /// Validates a payload, returning every error.
    pub fn validate(&self, payload: &Value) -> Result<(), RegistryError> {
        let errors = errors(self.validator()?, payload);
        if errors.is_empty() {
            return Ok(());
        }
        Err(RegistryError::Invalid(ValidationErrors {
            schema_ref: self.schema_ref.clone(),
            errors,
        }))
    }
}

/// Payload schemas by ref, by event type and version, and by alias; each
/// compiled once on first use. Cloning is cheap (shared), and it is `Send + Sync`.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: Vec<SchemaEntry>,
    by_ref: HashMap<String, usize>,
    /// Event type or alias → entries, ascending by version.
    by_type: HashMap<String, Vec<usize>>,
}

impl Registry {
    /// A registry of every payload version of a loaded catalog.
    pub fn from_catalog(catalog: &Catalog) -> Registry {
        let mut builder = Registry::builder();
        for event in catalog.events() {
            for v in &event.versions {
                builder = builder.schema(&event.event_type, v.version, v.schema.clone());
            }
            for alias in &event.aliases {
                builder = builder.alias(alias, &event.event_type);
            }
        }
        builder.build()
    }

    /// A builder, for registries assembled in code (generated code embeds one).
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The schema with this ref.
    pub fn get(&self, schema_ref: &str) -> Option<&SchemaEntry> {
        self.inner
            .by_ref
            .get(schema_ref)
            .map(|&i| &self.inner.entries[i])
    }

    /// The schema of an event type (or alias) at a version.
    pub fn find(&self, event_type: &str, version: u32) -> Option<&SchemaEntry> {
        self.inner
            .by_type
            .get(event_type)?
            .iter()
            .map(|&i| &self.inner.entries[i])
            .find(|e| e.version == version)
    }

    /// The highest version of an event type (or alias).
    pub fn latest(&self, event_type: &str) -> Option<&SchemaEntry> {
        let ids = self.inner.by_type.get(event_type)?;
        ids.last().map(|&i| &self.inner.entries[i])
    }

    /// Every schema, in the order added.
    pub fn entries(&self) -> impl Iterator<Item = &SchemaEntry> {
        self.inner.entries.iter()
    }

    /// The number of schemas.
    pub fn len(&self) -> usize {
        self.inner.entries.len()
    }

    /// Whether the registry holds no schema.
    pub fn is_empty(&self) -> bool {
        self.inner.entries.is_empty()
    }

    /// Validates `payload` against the schema with this ref, returning every error.
    pub fn validate(&self, schema_ref: &str, payload: &Value) -> Result<(), RegistryError> {
        self.entry(schema_ref)?.validate(payload)
    }

    /// Validates `payload` against an event type's (or alias's) version.
    pub fn validate_event(
        &self,
        event_type: &str,
        version: u32,
        payload: &Value,
    ) -> Result<(), RegistryError> {
        match self.find(event_type, version) {
            Some(e) => e.validate(payload),
            None => Err(RegistryError::Unknown {
                name: format!("{event_type} v{version}"),
                suggestion: did_you_mean(event_type, self.inner.by_type.keys().map(String::as_str))
                    .map(str::to_owned),
            }),
        }
    }

    fn entry(&self, schema_ref: &str) -> Result<&SchemaEntry, RegistryError> {
        self.get(schema_ref).ok_or_else(|| RegistryError::Unknown {
            name: schema_ref.to_owned(),
            suggestion: did_you_mean(schema_ref, self.inner.by_ref.keys().map(String::as_str))
                .map(str::to_owned),
        })
    }
}

/// Assembles a [`Registry`].
#[derive(Debug, Default)]
pub struct RegistryBuilder {
    inner: Inner,
    patterns: PatternCache,
    aliases: Vec<(String, String)>,
}

impl RegistryBuilder {
    /// Adds the schema of `event_type` version `version` (ref derived from both).
    /// A later schema with the same ref replaces the earlier one.
    pub fn schema(mut self, event_type: &str, version: u32, schema: Value) -> Self {
        let schema_ref = schema_ref(event_type, version);
        let entry = SchemaEntry {
            schema_ref: schema_ref.clone(),
            event_type: event_type.to_owned(),
            version,
            schema,
            validator: OnceLock::new(),
            patterns: self.patterns.clone(),
        };
        let inner = &mut self.inner;
        let index = match inner.by_ref.get(&schema_ref) {
            Some(&i) => {
                inner.entries[i] = entry;
                i
            }
            None => {
                inner.entries.push(entry);
                inner.by_ref.insert(schema_ref, inner.entries.len() - 1);
                inner.entries.len() - 1
            }
        };
        let ids = inner.by_type.entry(event_type.to_owned()).or_default();
        if !ids.contains(&index) {
            ids.push(index);
        }
        self
    }

    /// Adds a schema embedded as JSON text (generated code embeds the
    /// catalog's schemas this way).
    ///
    /// # Panics
    ///
    /// When `schema` is not JSON: generated code embeds only schemas that were
    /// parsed from the catalog.
    pub fn embedded_schema(self, event_type: &str, version: u32, schema: &str) -> Self {
        let schema = serde_json::from_str(schema).unwrap_or_else(|e| {
            panic!("embedded schema of {event_type} v{version} is not JSON: {e}")
        });
        self.schema(event_type, version, schema)
    }

    /// Makes `alias` find the schemas of `event_type`.
    pub fn alias(mut self, alias: &str, event_type: &str) -> Self {
        self.aliases.push((alias.to_owned(), event_type.to_owned()));
        self
    }

    /// The registry.
    pub fn build(mut self) -> Registry {
        let entries = &self.inner.entries;
        for ids in self.inner.by_type.values_mut() {
            ids.sort_by_key(|&i| entries[i].version);
        }
        for (alias, target) in self.aliases {
            if let Some(ids) = self.inner.by_type.get(&target).cloned() {
                self.inner.by_type.entry(alias).or_insert(ids);
            }
        }
        Registry {
            inner: Arc::new(self.inner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn registry_is_shareable() {
        assert_send_sync::<Registry>();
    }

    #[test]
    fn lookups_by_ref_type_version_alias() {
        let r = Registry::builder()
            .schema("TICKET_CREATED", 2, json!({"type": "object"}))
            .schema(
                "TICKET_CREATED",
                1,
                json!({"type": "object", "required": ["a"]}),
            )
            .alias("TICKET_OPENED", "TICKET_CREATED")
            .build();
        assert_eq!(r.len(), 2);
        assert_eq!(r.latest("TICKET_CREATED").unwrap().version(), 2);
        assert_eq!(
            r.find("TICKET_OPENED", 1).unwrap().schema_ref(),
            "payload.TicketCreated.v1"
        );
        assert!(r.validate_event("TICKET_OPENED", 1, &json!({})).is_err());
        assert!(r.validate_event("TICKET_OPENED", 2, &json!({})).is_ok());
        match r.validate("payload.TicketCreatd.v1", &json!({})) {
            Err(RegistryError::Unknown { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("payload.TicketCreated.v1"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn formats_are_asserted() {
        let r = Registry::builder()
            .schema(
                "X",
                1,
                json!({"type": "object", "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "email": {"type": "string", "format": "email"},
                    "id": {"type": "string", "format": "uuid"},
                    "site": {"type": "string", "format": "uri"}
                }}),
            )
            .build();
        let bad = json!({"at": "yesterday", "email": "nobody", "id": "1", "site": "not a uri"});
        let Err(RegistryError::Invalid(e)) = r.validate("payload.X.v1", &bad) else {
            panic!("formats must be asserted")
        };
        let mut paths: Vec<_> = e
            .errors
            .iter()
            .map(|e| (e.instance_path.as_str(), e.keyword.as_str()))
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                ("/at", "format"),
                ("/email", "format"),
                ("/id", "format"),
                ("/site", "format")
            ]
        );
        let good = json!({"at": "2026-01-02T03:04:05Z", "email": "a@b.io", "id": "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10", "site": "https://x.io/a"});
        assert!(r.validate("payload.X.v1", &good).is_ok());
    }
}
