//! NATS JetStream: the stream that carries a catalog's events between
//! services, its subjects, and publishing to it with deduplication.
//!
//! One stream per catalog holds every event under
//! `<prefix>.<tenant>.<event type>.v<version>` (see [`subject`]). The
//! message body is the payload's JSON, so any NATS client can read it.
//! Tenant, event type and version are read back from the subject; the rest
//! of the envelope travels in headers: `Nats-Msg-Id` is the event id, or
//! `<tenant>:<idempotency key>` when there is a key (then `Evreg-Event-Id`
//! holds the id and `Evreg-Idempotency-Key` the key), so the server drops a
//! repeated publish inside the stream's duplicate window; `Evreg-Schema-Ref`
//! always. The recording time travels in the event id (a UUIDv7 holds its
//! milliseconds, and evreg's ids their microseconds); `Evreg-Recorded-At`
//! (microseconds since the Unix epoch) is written only for an event whose
//! id does not carry it (docs/transports.md).
//!
//! The stream is created when it is missing and checked when it exists: a
//! stream whose subjects, retention, storage, replicas or duplicate window
//! differ from the configuration is an error naming each difference, never
//! silently reconfigured.

mod config;
mod consumer;
mod stream;
mod subject;
mod transport;

pub use async_nats;
pub use config::{NatsConfig, Retention};
pub use consumer::{ConsumerConfig, DeadLetter, NatsConsumer, NatsDelivery};
pub use stream::{NatsStream, Sent, Tail, TailFilter};
pub use subject::{dead_letter_subject, subject, subject_token};
pub use transport::NatsTransport;
