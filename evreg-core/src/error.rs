//! Errors of the runtime registry.

use std::fmt;

/// One way a payload fails its schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ValidationError {
    /// JSON pointer to the failing value in the payload (`""` for the payload itself).
    pub instance_path: String,
    /// JSON pointer to the failing keyword in the schema.
    pub schema_path: String,
    /// The failing JSON Schema keyword (`required`, `format`, `maxLength`, …).
    pub keyword: String,
    /// What is wrong, for people.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "at {at}: {} ({})", self.message, self.keyword)
    }
}

/// Every way a payload fails its schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors {
    /// The ref of the schema the payload was checked against.
    pub schema_ref: String,
    /// The failures, in the order the validator found them (at least one).
    pub errors: Vec<ValidationError>,
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "payload does not match {}", self.schema_ref)?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// Why [`Registry::validate`](crate::Registry::validate) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No schema has this ref (or this event type and version).
    #[error("unknown schema `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// What was looked up.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// The schema itself cannot be compiled (only for schemas not loaded from a checked catalog).
    #[error("schema `{schema_ref}` cannot be compiled: {message}")]
    InvalidSchema {
        /// The schema's ref.
        schema_ref: String,
        /// The compiler's message.
        message: String,
    },
    /// The payload does not match its schema.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}
