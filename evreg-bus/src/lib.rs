//! The event bus: typed publish and subscribe over a durable store, with an
//! audit trail, tenant isolation, isolated failing handlers, retries with
//! backoff and dead letters.
//!
//! `publish` enriches a payload from its [`PublishContext`] (tenant, time,
//! actor, idempotency key), validates it with its generated validator,
//! appends it to the audit table with one delivery per subscribed consumer
//! (one transaction), and wakes the consumers. Each consumer is a named,
//! durable subscriber with its own delivery state: a handler that fails or
//! panics is recorded and retried with backoff, then dead-lettered, and never
//! holds up another consumer. A delivery that succeeded is marked processed
//! once and never handed to that consumer again.
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # /// A generated payload type stands here (see docs/event-system.md).
//! # #[derive(Debug, Clone, Serialize, Deserialize)]
//! # #[serde(rename_all = "camelCase")]
//! # struct TicketCreated { ticket_id: String }
//! # impl TicketCreated { fn new(id: &str) -> Self { TicketCreated { ticket_id: id.into() } } }
//! # impl evreg_core::Validate for TicketCreated {
//! #     fn validate_at(&self, _: &mut evreg_core::validate::Cx<'_>) {}
//! # }
//! # impl evreg_core::EventPayload for TicketCreated {
//! #     const EVENT_TYPE: &'static str = "TICKET_CREATED";
//! #     const SCHEMA_REF: &'static str = "payload.TicketCreated.v1";
//! #     const VERSION: u32 = 1;
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use evreg_bus::{Bus, Envelope};
//! use evreg_core::enrich::PublishContext;
//!
//! let dir = tempfile::tempdir()?;
//! let bus = Bus::sqlite(dir.path().join("events.db")).await?;
//! bus.subscribe("notify", |e: Envelope<TicketCreated>| async move {
//!     println!("ticket {} created", e.payload.ticket_id);
//!     Ok::<_, std::convert::Infallible>(())
//! })
//! .start()
//! .await?;
//!
//! let ctx = PublishContext::new("9d1afc45-a247-4e74-819e-15227f93e95d").idempotency_key("import-1");
//! let first = bus.publish(&ctx, TicketCreated::new("T-1")).await?;
//! let again = bus.publish(&ctx, TicketCreated::new("T-1")).await?;
//! assert_eq!(first.id, again.id); // stored and delivered once
//! assert!(again.duplicate);
//!
//! bus.drain().await?; // every due delivery handled
//! bus.shutdown().await;
//! # Ok(()) }
//! ```

mod consumer;
mod error;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "nats")]
pub mod relay;
mod retry;
#[cfg(feature = "sqlite")]
mod sqlite;
pub mod store;
mod time;
pub mod transport;

use std::error::Error as StdError;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use consumer::{Consumers, Handles};
use evreg_core::AnyPayload;
use evreg_core::enrich::{Enricher, PublishContext};

pub use consumer::{Envelope, Subscription};
pub use error::BusError;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "nats")]
pub use relay::{Relay, Relayed};
pub use retry::RetryPolicy;
#[cfg(feature = "sqlite")]
pub use rusqlite;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use store::{
    Delivery, DeliveryQuery, DeliveryStatus, EventQuery, NewEvent, Store, StoredEvent,
};
pub use time::Timestamp;
#[cfg(feature = "postgres")]
pub use tokio_postgres;
pub use transport::{Events, Feed, FeedOptions, StoreTransport, Topic, Transport};

/// The result of a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// The event's id (the first event's, for a duplicate).
    pub id: Uuid,
    /// Whether the idempotency key was used before in the tenant: nothing
    /// was stored or delivered.
    pub duplicate: bool,
}

/// How a bus runs its consumers.
#[derive(Debug, Clone)]
pub struct BusOptions {
    enricher: Enricher,
    retry: RetryPolicy,
    lease: Duration,
    poll: Duration,
    batch: usize,
}

impl Default for BusOptions {
    fn default() -> Self {
        BusOptions {
            enricher: Enricher::default(),
            retry: RetryPolicy::default(),
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            batch: 256,
        }
    }
}

impl BusOptions {
    /// Fills the base fields of payloads (default: none). Build it from the
    /// catalog's manifest: [`Enricher::from_manifest`].
    pub fn enricher(mut self, enricher: Enricher) -> Self {
        self.enricher = enricher;
        self
    }

    /// The retry policy of consumers that set none (default:
    /// [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long a delivery handed to a handler stays leased: when the process
    /// dies, it is handed out again after this (default 60 s).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How often idle consumers look for work published by other processes
    /// (default 500 ms; work published through this bus wakes them at once).
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = every;
        self
    }

    /// How many deliveries a consumer takes at a time (default 256).
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }
}

pub(crate) struct Inner {
    transport: Arc<dyn Transport>,
    options: BusOptions,
    consumers: Arc<Consumers>,
    shutdown: watch::Sender<bool>,
}

/// The event bus. Cloning shares it.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let consumers: Vec<String> = self
            .lock_consumers()
            .iter()
            .map(|c| c.name.clone())
            .collect();
        f.debug_struct("Bus")
            .field("consumers", &consumers)
            .finish_non_exhaustive()
    }
}

impl Bus {
    /// A bus on `store`, creating its tables when they are missing: the
    /// database carries the events ([`StoreTransport`]).
    pub async fn new(store: impl Store, options: BusOptions) -> Result<Bus, BusError> {
        Bus::with_transport(StoreTransport::new(store), options).await
    }

    /// A bus on any transport, after [`Transport::prepare`].
    pub async fn with_transport(
        transport: impl Transport,
        options: BusOptions,
    ) -> Result<Bus, BusError> {
        transport.prepare().await?;
        let (shutdown, _) = watch::channel(false);
        Ok(Bus {
            inner: Arc::new(Inner {
                transport: Arc::new(transport),
                options,
                consumers: Arc::default(),
                shutdown,
            }),
        })
    }

    /// A PostgreSQL database (`postgres://user@host:5432/db`) with the
    /// default options.
    #[cfg(feature = "postgres")]
    pub async fn postgres(url: &str) -> Result<Bus, BusError> {
        Bus::new(PostgresStore::connect(url).await?, BusOptions::default()).await
    }

    /// NATS JetStream as the transport ([`nats::NatsTransport`]) with the
    /// default options: the stream is created when missing, checked when
    /// present.
    #[cfg(feature = "nats")]
    pub async fn nats(config: nats::NatsConfig) -> Result<Bus, BusError> {
        Bus::with_transport(
            nats::NatsTransport::connect(config).await?,
            BusOptions::default(),
        )
        .await
    }

    /// The embedded default: a SQLite database file (created when missing,
    /// WAL mode) with the default options.
    #[cfg(feature = "sqlite")]
    pub async fn sqlite(path: impl AsRef<std::path::Path>) -> Result<Bus, BusError> {
        Bus::new(SqliteStore::open(path)?, BusOptions::default()).await
    }

    /// The transport.
    pub fn transport(&self) -> &dyn Transport {
        self.inner.transport.as_ref()
    }

    /// The store holding the audit trail, when the transport keeps one.
    pub fn store(&self) -> Option<&dyn Store> {
        self.inner.transport.store()
    }

    /// The store, or why there is none.
    fn audit(&self, what: &'static str) -> Result<&dyn Store, BusError> {
        self.store().ok_or(BusError::Unsupported {
            transport: self.inner.transport.name(),
            what,
        })
    }

    /// The options.
    pub fn options(&self) -> &BusOptions {
        &self.inner.options
    }

    fn lock_consumers(&self) -> std::sync::MutexGuard<'_, Vec<consumer::Running>> {
        self.inner.consumers.lock()
    }

    /// The event `publish` would store: enriched, checked against the
    /// context's tenant, validated by the payload type.
    pub fn prepare<T: AnyPayload>(
        &self,
        ctx: &PublishContext,
        payload: &T,
    ) -> Result<NewEvent, BusError> {
        prepare(&self.inner.options.enricher, ctx, payload)
    }

    /// Publishes one payload — a generated or derived payload type, or the
    /// generated `Event` enum: enriched, validated, stored with its
    /// deliveries, then handed to the consumers. An invalid payload is
    /// refused with its validation errors and nothing is stored.
    pub async fn publish<T: AnyPayload>(
        &self,
        ctx: &PublishContext,
        payload: T,
    ) -> Result<Published, BusError> {
        let event = self.prepare(ctx, &payload)?;
        let mut out = self.append(vec![event]).await?;
        out.pop().ok_or(BusError::Closed)
    }

    /// Publishes several payloads: every one is enriched and validated
    /// first, and when one is refused nothing is published. A store appends
    /// them in one transaction (all or none); NATS sends them one after
    /// another, each written as JSON while the ones before are on their way.
    pub async fn publish_all<T: AnyPayload + Send>(
        &self,
        ctx: &PublishContext,
        payloads: impl IntoIterator<Item = T>,
    ) -> Result<Vec<Published>, BusError> {
        let enricher = &self.inner.options.enricher;
        let checked = payloads
            .into_iter()
            .map(|p| Checked::new(enricher, ctx, &p).map(|c| (c, p)))
            .collect::<Result<Vec<_>, _>>()?;
        let published: Vec<(Uuid, &'static str)> = checked
            .iter()
            .map(|(c, p)| (c.id, p.schema_ref()))
            .collect();
        let events = checked.into_iter().map(|(c, p)| c.to_event(ctx, &p));
        let appended = self.inner.transport.publish_each(Box::new(events)).await?;
        Ok(self.report(&published, appended))
    }

    /// Publishes in the caller's own database transaction (a
    /// `rusqlite::Transaction` on the bus's SQLite file, or a
    /// `tokio_postgres::Transaction` on its PostgreSQL database): the event
    /// and its deliveries commit or roll back with the caller's changes —
    /// the audit table is the outbox, nothing is lost if the process dies
    /// after the commit. Consumers see the event once it is committed: call
    /// [`Bus::wake`] after the commit, or they find it within the poll
    /// interval.
    pub fn publish_in<'a, T: AnyPayload, O: Outbox>(
        &self,
        tx: &'a O,
        ctx: &PublishContext,
        payload: T,
    ) -> impl Future<Output = Result<Published, BusError>> + Send + 'a {
        let prepared = self.prepare(ctx, &payload).map(|event| {
            let id = event.id;
            (id, tx.append_in(vec![event]))
        });
        async move {
            let (id, append) = prepared?;
            Ok(match append.await?.first() {
                Some(store::Appended::Duplicate { id }) => Published {
                    id: *id,
                    duplicate: true,
                },
                _ => Published {
                    id,
                    duplicate: false,
                },
            })
        }
    }

    /// Appends prepared events and wakes the consumers of their schemas.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Published>, BusError> {
        let published: Vec<(Uuid, std::borrow::Cow<'static, str>)> = events
            .iter()
            .map(|e| (e.id, e.schema_ref.clone()))
            .collect();
        let appended = self.inner.transport.publish(events).await?;
        Ok(self.report(&published, appended))
    }

    /// What publishing the events `(id, schema ref)` did, from what the
    /// transport says of each; wakes the consumers of the new ones.
    fn report<S: AsRef<str>>(
        &self,
        published: &[(Uuid, S)],
        appended: Vec<store::Appended>,
    ) -> Vec<Published> {
        let mut refs: Vec<&str> = Vec::new();
        let out = published
            .iter()
            .zip(appended)
            .map(|((id, schema_ref), a)| match a {
                store::Appended::New { .. } => {
                    refs.push(schema_ref.as_ref());
                    Published {
                        id: *id,
                        duplicate: false,
                    }
                }
                store::Appended::Duplicate { id } => Published {
                    id,
                    duplicate: true,
                },
            })
            .collect();
        self.wake(&refs);
        out
    }

    /// Wakes the consumers of these schema refs (all when empty): after
    /// events were committed by another path (`publish_in`, another process).
    pub fn wake(&self, schema_refs: &[&str]) {
        for c in self.lock_consumers().iter() {
            if schema_refs.is_empty()
                || c.schema_refs
                    .iter()
                    .any(|r| schema_refs.contains(&r.as_str()))
            {
                c.wake.notify_one();
            }
        }
    }

    /// Subscribes `handler` as the durable consumer `consumer` of payload
    /// type `T`. Configure the subscription, then
    /// [`start`](Subscription::start) it.
    pub fn subscribe<T, F, Fut, E>(&self, consumer: &str, handler: F) -> Subscription<T>
    where
        T: evreg_core::EventPayload + Send + 'static,
        F: Fn(Envelope<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        let options = &self.inner.options;
        let handles = Handles {
            transport: Arc::clone(&self.inner.transport),
            consumers: Arc::clone(&self.inner.consumers),
            shutdown: self.inner.shutdown.subscribe(),
            lease: options.lease,
            batch: options.batch,
            poll: options.poll,
            retry: options.retry,
        };
        Subscription::new(handles, consumer, handler)
    }

    /// Waits until every consumer has handled every delivery that is due
    /// (retries scheduled later are not waited for).
    pub async fn drain(&self) -> Result<(), BusError> {
        let waits: Vec<oneshot::Receiver<()>> = self
            .lock_consumers()
            .iter()
            .map(|c| {
                let (tx, rx) = oneshot::channel();
                let _ = c.drain.send(tx);
                c.wake.notify_one();
                rx
            })
            .collect();
        for w in waits {
            w.await.map_err(|_| BusError::Closed)?;
        }
        Ok(())
    }

    /// Stops the consumers after their current delivery; deliveries not
    /// handled stay pending in the store.
    pub async fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
        let tasks: Vec<_> = self
            .lock_consumers()
            .drain(..)
            .map(|c| {
                c.wake.notify_one();
                c.task
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Events of one tenant (the tenant is required).
    pub async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, BusError> {
        self.audit("audit queries")?.events(query).await
    }

    /// Deliveries of one tenant's events.
    pub async fn deliveries(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>, BusError> {
        self.audit("delivery queries")?.deliveries(query).await
    }

    /// Dead letters of one tenant.
    pub async fn dead_letters(&self, tenant_id: &str) -> Result<Vec<Delivery>, BusError> {
        self.inner.transport.dead_letters(tenant_id).await
    }

    /// Hands a dead (or retrying) delivery to its consumer again now, with a
    /// fresh count of attempts. Whether there was one.
    pub async fn retry(
        &self,
        tenant_id: &str,
        event_id: Uuid,
        consumer: &str,
    ) -> Result<bool, BusError> {
        let found = self
            .audit("retrying a delivery")?
            .retry(tenant_id, event_id, consumer, Timestamp::now())
            .await?;
        self.wake(&[]);
        Ok(found)
    }

    /// Delivers again to `consumer` every event of its schemas recorded since
    /// `since` (of one tenant, or of all). How many deliveries were queued.
    pub async fn replay(
        &self,
        consumer: &str,
        tenant_id: Option<&str>,
        since: impl Into<Timestamp>,
    ) -> Result<u64, BusError> {
        let n = self
            .audit("replay")?
            .replay(consumer, tenant_id, since.into(), Timestamp::now())
            .await?;
        self.wake(&[]);
        Ok(n)
    }
}

/// The store at `url`: `sqlite://path` (a file, created when missing) or
/// `postgres://user@host:port/db` (`postgresql://` too). Its tables are not
/// created: [`Store::migrate`] does that (a [`Bus`] on it does it itself).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub async fn connect(url: &str) -> Result<Box<dyn Store>, BusError> {
    #[cfg(feature = "sqlite")]
    if let Some(path) = url.strip_prefix("sqlite://") {
        return Ok(Box::new(SqliteStore::open(path)?));
    }
    #[cfg(feature = "postgres")]
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Box::new(PostgresStore::connect(url).await?));
    }
    let known: &[&str] = &[
        #[cfg(feature = "sqlite")]
        "sqlite://path",
        #[cfg(feature = "postgres")]
        "postgres://…",
    ];
    Err(BusError::Query(format!(
        "`{url}` is not a database URL this build reads (expected {})",
        known.join(" or ")
    )))
}

/// A caller's transaction that [`Bus::publish_in`] writes events into.
pub trait Outbox {
    /// Appends events and their deliveries in this transaction.
    fn append_in(
        &self,
        events: Vec<NewEvent>,
    ) -> impl Future<Output = Result<Vec<store::Appended>, BusError>> + Send + '_;
}

#[cfg(feature = "sqlite")]
impl Outbox for rusqlite::Transaction<'_> {
    fn append_in(
        &self,
        events: Vec<NewEvent>,
    ) -> impl Future<Output = Result<Vec<store::Appended>, BusError>> + Send + '_ {
        // SQLite is synchronous: the rows are written now.
        std::future::ready(sqlite::append_on(self, &events).map_err(BusError::store))
    }
}

#[cfg(feature = "postgres")]
impl Outbox for tokio_postgres::Transaction<'_> {
    async fn append_in(&self, events: Vec<NewEvent>) -> Result<Vec<store::Appended>, BusError> {
        postgres::append_on(self, &events).await
    }
}

/// Enriches, checks the tenant, validates, serializes.
fn prepare<T: AnyPayload>(
    enricher: &Enricher,
    ctx: &PublishContext,
    payload: &T,
) -> Result<NewEvent, BusError> {
    Checked::new(enricher, ctx, payload)?.to_event(ctx, payload)
}

/// A payload that passed every check publishing makes, not yet written as
/// JSON text: `publish_all` checks a whole batch before it sends anything,
/// then writes each event while the transport sends the ones before.
struct Checked {
    id: Uuid,
    recorded_at: Timestamp,
    /// The enriched JSON; `None`: the payload's own serialization.
    enriched: Option<Value>,
}

impl Checked {
    /// Enriches `payload`, checks its tenant against the context's and
    /// validates it.
    fn new<T: AnyPayload>(
        enricher: &Enricher,
        ctx: &PublishContext,
        payload: &T,
    ) -> Result<Checked, BusError> {
        let enriched = if enricher.leaves_unchanged(ctx, payload) {
            // Nothing to add, and the tenant is the context's: the JSON will
            // be the payload's own serialization, whose validity its
            // validator decides.
            payload.check()?;
            None
        } else {
            let mut value = payload
                .to_json()
                .map_err(|e| BusError::Serialize(e.to_string()))?;
            let Value::Object(map) = &mut value else {
                return Err(BusError::Serialize("not an object".into()));
            };
            enricher.enrich_map(ctx, map);
            if let Some(field) = enricher.tenant_field()
                && let Some(found) = map.get(field)
                && found.as_str() != Some(ctx.tenant_id())
            {
                return Err(BusError::TenantMismatch {
                    payload: found
                        .as_str()
                        .map_or_else(|| found.to_string(), str::to_owned),
                    context: ctx.tenant_id().to_owned(),
                });
            }
            // The fields added may break it: read back (deserializing checks
            // the shape, `validate` the rest: exactly the schema).
            payload.check_json(&value)?;
            Some(value)
        };
        let recorded_at = Timestamp::now();
        Ok(Checked {
            id: store::event_id(recorded_at),
            recorded_at,
            enriched,
        })
    }

    /// The event: its payload written once as JSON text (straight from the
    /// typed value when nothing was added).
    fn to_event<T: AnyPayload>(
        &self,
        ctx: &PublishContext,
        payload: &T,
    ) -> Result<NewEvent, BusError> {
        let json = match &self.enriched {
            None => serde_json::value::to_raw_value(&Payload(payload)),
            Some(value) => serde_json::value::to_raw_value(value),
        }
        .map_err(|e| BusError::Serialize(e.to_string()))?;
        Ok(NewEvent {
            id: self.id,
            tenant_id: ctx.tenant_id().to_owned(),
            event_type: payload.event_type().into(),
            schema_ref: payload.schema_ref().into(),
            version: payload.version(),
            payload: json,
            idempotency_key: ctx.key().map(str::to_owned),
            recorded_at: self.recorded_at,
        })
    }
}

/// A payload as `Serialize` (the `Event` enum is not one itself).
struct Payload<'a, T>(&'a T);

impl<T: AnyPayload> serde::Serialize for Payload<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_payload(serializer)
    }
}
