//! Typed payloads: the [`EventPayload`] trait that generated (and derived)
//! payload structs implement, and [`PayloadError`], why an untyped payload did
//! not become a typed one.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ValidationErrors;
use crate::validate::Cx;

/// What a payload type must hold beyond its Rust type: lengths, patterns,
/// bounds, formats, array sizes and uniqueness. Generated for every struct and
/// enum of generated code, nested ones included.
pub trait Validate {
    /// Reports every failure of `self` in `cx` (which knows where `self` is
    /// in the payload).
    fn validate_at(&self, cx: &mut Cx<'_>);
}

/// A hand-written type checked against a place in the catalog by
/// `#[derive(CatalogType)]` (and, for whole payloads, `#[derive(EventPayload)]`):
/// a string enum, or a struct for a shared definition or a nested object.
///
/// A field of a derived payload whose type is not a standard one (`String`,
/// integers, `Vec`, `Option`, `Uuid`, …) must implement it, and its
/// [`SCHEMA_KEY`](CatalogType::SCHEMA_KEY) must be the one of the schema the
/// field has: the build fails at the field otherwise.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not checked against the event catalog",
    label = "a field of a derived payload needs a checked type here",
    note = "derive `evreg::CatalogType` on it: a string enum needs nothing more; a struct names its place with #[evreg(definition = \"Name\")] or #[evreg(ref = \"payload.Name.v1\", pointer = \"/properties/field\")]",
    note = "or use a standard type (String, i64, Vec<T>, Option<T>, serde_json::Value, …)"
)]
pub trait CatalogType {
    /// Which schema of the catalog the type stands for: a string enum's
    /// sorted values, a shared definition, or a place in a payload schema.
    const SCHEMA_KEY: &'static str;
}

/// A typed payload of one event version (`TicketCreatedV1`), generated from
/// the catalog or checked against it by `#[derive(EventPayload)]`.
///
/// Deserializing checks what the Rust type holds (required properties, types,
/// enums, unknown properties where the schema forbids them);
/// [`validate`](EventPayload::validate) checks the rest. Together they accept
/// exactly the payloads the JSON Schema accepts.
pub trait EventPayload: Validate + Serialize + DeserializeOwned {
    /// The event type: `TICKET_CREATED`.
    const EVENT_TYPE: &'static str;
    /// The schema ref: `payload.TicketCreated.v1`.
    const SCHEMA_REF: &'static str;
    /// The payload version.
    const VERSION: u32;

    /// Every way this payload fails its schema, with JSON pointers.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        self.validate_at(&mut Cx::new(&mut errors));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors {
                schema_ref: Self::SCHEMA_REF.to_owned(),
                errors,
            })
        }
    }

    /// Deserializes and validates a payload.
    ///
    /// A number with a zero fraction (`2.0`) is read as the integer it is
    /// in JSON Schema, so that plain integer fields (`u64`) of a derived
    /// type take it; `serde_json::from_value` alone refuses it.
    fn from_value(mut value: serde_json::Value) -> Result<Self, PayloadError> {
        if crate::wire::has_integral_float(&value) {
            crate::wire::integral_floats_as_integers(&mut value);
        }
        checked(serde_json::from_value(value))
    }

    /// Parses and validates a payload from JSON bytes (`2.0` read as `2`,
    /// as [`from_value`](EventPayload::from_value) does).
    fn from_slice(bytes: &[u8]) -> Result<Self, PayloadError> {
        match serde_json::from_slice(bytes) {
            Ok(payload) => checked(Ok(payload)),
            // Only a payload that fails can need its floats read again.
            Err(e) => match serde_json::from_slice::<serde_json::Value>(bytes) {
                Ok(value) if crate::wire::has_integral_float(&value) => Self::from_value(value),
                _ => checked(Err(e)),
            },
        }
    }
}

/// A payload of some event version: every [`EventPayload`] type, and the
/// generated `Event` enum (one of the catalog's payloads). What the bus
/// publishes.
pub trait AnyPayload {
    /// The event type: `TICKET_CREATED`.
    fn event_type(&self) -> &'static str;
    /// The schema ref: `payload.TicketCreated.v1`.
    fn schema_ref(&self) -> &'static str;
    /// The payload version.
    fn version(&self) -> u32;
    /// The payload as JSON.
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error>;
    /// Serializes the payload (the variant's payload, for the `Event`
    /// enum) with `serializer`: what the bus writes as JSON text without a
    /// `Value` in between.
    fn serialize_payload<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>
    where
        Self: Sized;
    /// Whether `value` is a valid payload of the same version: read with its
    /// type's deserializer and validated (exactly its JSON Schema).
    fn check_json(&self, value: &serde_json::Value) -> Result<(), PayloadError>;
    /// Whether this payload is valid: its validator. Together with its own
    /// deserializer, which read it (or built it, for a value made in Rust),
    /// exactly its JSON Schema.
    fn check(&self) -> Result<(), PayloadError>;
}

impl<T: EventPayload> AnyPayload for T {
    fn event_type(&self) -> &'static str {
        T::EVENT_TYPE
    }

    fn schema_ref(&self) -> &'static str {
        T::SCHEMA_REF
    }

    fn version(&self) -> u32 {
        T::VERSION
    }

    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    fn serialize_payload<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize(serializer)
    }

    fn check_json(&self, value: &serde_json::Value) -> Result<(), PayloadError> {
        // Read from the borrowed tree: no copy of the value.
        checked(<T as serde::Deserialize>::deserialize(value)).map(|_| ())
    }

    fn check(&self) -> Result<(), PayloadError> {
        Ok(self.validate()?)
    }
}

/// A deserialized payload, validated; or why it is not one.
fn checked<T: EventPayload>(read: Result<T, serde_json::Error>) -> Result<T, PayloadError> {
    let payload = read.map_err(|e| PayloadError::Deserialize {
        schema_ref: T::SCHEMA_REF.to_owned(),
        message: e.to_string(),
    })?;
    payload.validate()?;
    Ok(payload)
}

/// Why an untyped payload did not become a typed, valid one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// No event type, alias or schema ref of this name.
    #[error(transparent)]
    Unknown(#[from] UnknownEvent),
    /// The payload does not have the shape of the type (a missing required
    /// property, a wrong type, an unknown property, a value outside an enum).
    #[error("payload does not match {schema_ref}: {message}")]
    Deserialize {
        /// The schema the payload was read as.
        schema_ref: String,
        /// serde's message.
        message: String,
    },
    /// The payload has the shape but breaks a constraint.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

/// A name that is no event type, alias or schema ref of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event or schema `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
pub struct UnknownEvent {
    /// What was looked up.
    pub name: String,
    /// The closest known name.
    pub suggestion: Option<String>,
}

impl UnknownEvent {
    /// `name` is unknown; the closest of `known` is suggested.
    ///
    /// ```
    /// let e = evreg_core::UnknownEvent::new("TICKET_CRATED", ["TICKET_CREATED", "TICKET_CLOSED"]);
    /// assert_eq!(e.to_string(), "unknown event or schema `TICKET_CRATED`; did you mean `TICKET_CREATED`?");
    /// ```
    pub fn new<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> UnknownEvent {
        UnknownEvent {
            name: name.to_owned(),
            suggestion: crate::naming::did_you_mean(name, known).map(str::to_owned),
        }
    }
}
