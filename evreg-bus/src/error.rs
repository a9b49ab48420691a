//! [`BusError`], at the bottom of the crate: every other module imports it,
//! and it imports none of them.

use std::error::Error as StdError;

use evreg_core::PayloadError;

/// Why the bus refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The payload is not valid for its schema: nothing was stored.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The payload names another tenant than the publishing context.
    #[error("the payload's tenant `{payload}` is not the publishing context's tenant `{context}`")]
    TenantMismatch {
        /// The payload's tenant field.
        payload: String,
        /// The context's tenant.
        context: String,
    },
    /// The payload type did not serialize to a JSON object.
    #[error("the payload does not serialize to a JSON object: {0}")]
    Serialize(String),
    /// A query asked for something the store cannot answer.
    #[error("invalid query: {0}")]
    Query(String),
    /// The same consumer name was subscribed twice in one bus.
    #[error("consumer `{0}` is already subscribed on this bus")]
    DuplicateConsumer(String),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[source] Box<dyn StdError + Send + Sync>),
    /// The transport (NATS) failed or is configured differently.
    #[error("transport: {0}")]
    Transport(String),
    /// The transport cannot do this (the NATS transport keeps no delivery
    /// table to query, for one).
    #[error("the {transport} transport does not support {what}")]
    Unsupported {
        /// The transport's name.
        transport: &'static str,
        /// What was asked.
        what: &'static str,
    },
    /// The bus was shut down.
    #[error("the bus is shut down")]
    Closed,
}

impl BusError {
    /// A database error.
    pub fn store(e: impl StdError + Send + Sync + 'static) -> BusError {
        BusError::Store(Box::new(e))
    }
}
