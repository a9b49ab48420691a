//! How events travel from publishers to consumers: the [`Transport`] under
//! the bus, and the [`Feed`] of deliveries it opens for each consumer.
//!
//! The bus does the typed work — enriching, validating, decoding into the
//! handler's type, filters, cooldowns, the retry policy, catching panics —
//! and a transport only moves prepared events and settles deliveries. Two
//! come with evreg:
//!
//! - [`StoreTransport`]: the database is the transport. Events and their
//!   deliveries are rows of one SQLite file or one PostgreSQL database
//!   (services sharing it see each other's events), claimed under a lease.
//!   [`Bus::new`](super::Bus::new) uses it.
//! - `NatsTransport` (feature `nats`): a JetStream stream, one durable pull
//!   consumer per subscriber.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::BusError;
use crate::store::{
    Appended, Claimed, Delivery, DeliveryQuery, NewEvent, Settlement, Store, wait_for_change,
};
use crate::time::Timestamp;

/// The events a consumer receives: one payload type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic {
    /// `TICKET_CREATED`.
    pub event_type: String,
    /// `payload.TicketCreated.v1`.
    pub schema_ref: String,
    /// The payload version.
    pub version: u32,
    /// Only this tenant's events (`None`: every tenant's).
    pub tenant: Option<String>,
}

impl Topic {
    /// The topic of payload type `T`, every tenant.
    pub fn of<T: evreg_core::EventPayload>() -> Topic {
        Topic {
            event_type: T::EVENT_TYPE.to_owned(),
            schema_ref: T::SCHEMA_REF.to_owned(),
            version: T::VERSION,
            tenant: None,
        }
    }
}

/// Events written one at a time, as a transport takes them
/// ([`Transport::publish_each`]).
pub type Events<'a> = Box<dyn Iterator<Item = Result<NewEvent, BusError>> + Send + 'a>;

/// How a consumer's deliveries are handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedOptions {
    /// How long a delivery handed to a handler is the consumer's: when the
    /// process dies, it is handed out again after this.
    pub lease: Duration,
    /// Deliveries taken at a time.
    pub batch: usize,
}

/// Moves prepared events from publishers to consumers.
///
/// Implementations keep three promises, checked for each by one
/// conformance suite (`tests/tests/transports.rs`): every consumer of a
/// topic receives every event published on it at least once until it
/// settles it; events of one tenant and topic arrive in publishing order;
/// a repeated idempotency key in a tenant is not published again.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// A short name for messages (`sqlite`, `postgres`, `nats`).
    fn name(&self) -> &'static str;

    /// Gets ready to carry events (creates tables, a stream): called once
    /// when a bus is built on it.
    async fn prepare(&self) -> Result<(), BusError>;

    /// Publishes events, in order. An event whose idempotency key was used
    /// before in its tenant is not published again: it reports the first.
    async fn publish(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, BusError>;

    /// Publishes events as `events` writes them, in order: a transport that
    /// sends events one at a time sends each as soon as it is written, so
    /// writing the next overlaps with sending the ones before. The bus
    /// checked every event before; when writing one fails, the ones before
    /// may have been published. By default: all written, then
    /// [`publish`](Self::publish) (a store appends them all or none).
    async fn publish_each(&self, events: Events<'_>) -> Result<Vec<Appended>, BusError> {
        self.publish(events.collect::<Result<_, _>>()?).await
    }

    /// Registers `consumer` for `topic` (durable: events published from now
    /// on wait for it while it is away) and opens its feed.
    async fn subscribe(
        &self,
        consumer: &str,
        topic: &Topic,
        options: FeedOptions,
    ) -> Result<Box<dyn Feed>, BusError>;

    /// The audit trail, when the transport keeps one.
    fn store(&self) -> Option<&dyn Store> {
        None
    }

    /// The dead letters of one tenant, oldest first.
    async fn dead_letters(&self, tenant_id: &str) -> Result<Vec<Delivery>, BusError> {
        match self.store() {
            Some(store) => {
                store
                    .deliveries(&DeliveryQuery::tenant(tenant_id).dead().limit(usize::MAX))
                    .await
            }
            None => Err(BusError::Unsupported {
                transport: self.name(),
                what: "dead letters",
            }),
        }
    }
}

/// The deliveries of one consumer, as its worker takes and settles them.
#[async_trait]
pub trait Feed: Send + 'static {
    /// Takes up to `limit` deliveries that are due now, without waiting.
    async fn claim(&mut self, limit: usize) -> Result<Vec<Claimed>, BusError>;

    /// Waits until a delivery may be due, at most `max` (cancel-safe: the
    /// worker drops it when woken otherwise).
    async fn wait(&mut self, max: Duration);

    /// Records how attempts ended.
    async fn settle(&mut self, settlements: Vec<Settlement>) -> Result<(), BusError>;

    /// Whether the consumer may fire for `key` now: true (and recorded) when
    /// it did not fire for another event within `window`.
    async fn take_cooldown(
        &mut self,
        tenant_id: &str,
        key: &str,
        seq: i64,
        now: Timestamp,
        window: Duration,
    ) -> Result<bool, BusError>;

    /// Whether no delivery is due for this consumer anywhere (asked after
    /// [`claim`](Self::claim) came back empty).
    async fn drained(&mut self) -> Result<bool, BusError> {
        Ok(true)
    }

    /// Gives back deliveries taken and not settled (the worker stops).
    async fn close(&mut self) {}
}

/// The database as the transport: [`Bus::new`](super::Bus::new) on a
/// [`Store`].
#[derive(Clone)]
pub struct StoreTransport {
    store: std::sync::Arc<dyn Store>,
}

impl std::fmt::Debug for StoreTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTransport").finish_non_exhaustive()
    }
}

impl StoreTransport {
    /// Carries events through `store`.
    pub fn new(store: impl Store) -> Self {
        StoreTransport {
            store: std::sync::Arc::new(store),
        }
    }
}

#[async_trait]
impl Transport for StoreTransport {
    fn name(&self) -> &'static str {
        "store"
    }

    async fn prepare(&self) -> Result<(), BusError> {
        self.store.migrate().await
    }

    async fn publish(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, BusError> {
        self.store.append(events).await
    }

    async fn subscribe(
        &self,
        consumer: &str,
        topic: &Topic,
        options: FeedOptions,
    ) -> Result<Box<dyn Feed>, BusError> {
        self.store
            .register_consumer(consumer, std::slice::from_ref(&topic.schema_ref))
            .await?;
        Ok(Box::new(StoreFeed {
            changes: self.store.changes(),
            store: self.store.clone(),
            consumer: consumer.to_owned(),
            options,
        }))
    }

    fn store(&self) -> Option<&dyn Store> {
        Some(self.store.as_ref())
    }
}

struct StoreFeed {
    store: std::sync::Arc<dyn Store>,
    changes: Option<tokio::sync::watch::Receiver<u64>>,
    consumer: String,
    options: FeedOptions,
}

#[async_trait]
impl Feed for StoreFeed {
    async fn claim(&mut self, limit: usize) -> Result<Vec<Claimed>, BusError> {
        if let Some(changes) = &mut self.changes {
            // What is appended from here on wakes the next wait.
            changes.borrow_and_update();
        }
        let now = Timestamp::now();
        self.store
            .claim(&self.consumer, limit, now, self.options.lease)
            .await
    }

    async fn wait(&mut self, max: Duration) {
        let wait = match self.store.next_due(&self.consumer).await {
            Ok(Some(due)) => due.duration_since(Timestamp::now()).min(max),
            // Unreachable store or nothing pending: poll.
            _ => max,
        };
        if wait.is_zero() {
            tokio::task::yield_now().await;
            return;
        }
        wait_for_change(self.changes.as_mut(), wait).await;
    }

    async fn settle(&mut self, settlements: Vec<Settlement>) -> Result<(), BusError> {
        self.store.settle(settlements).await
    }

    async fn take_cooldown(
        &mut self,
        tenant_id: &str,
        key: &str,
        seq: i64,
        now: Timestamp,
        window: Duration,
    ) -> Result<bool, BusError> {
        self.store
            .take_cooldown(&self.consumer, tenant_id, key, seq, now, window)
            .await
    }
}
