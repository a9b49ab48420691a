//! Where the bus keeps events and deliveries: the [`Store`] trait, and the
//! rows it reads and writes. [`SqliteStore`](super::SqliteStore) and
//! [`PostgresStore`](super::PostgresStore) implement it over the tables of
//! [`evreg_core::sql::bus_ddl`].

use std::borrow::Cow;
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::BusError;
pub use crate::time::Timestamp;

/// A new event's id for an event recorded at `recorded_at`: a UUID v7 whose
/// 48-bit Unix-millisecond timestamp and 12-bit `rand_a` (the sub-millisecond
/// precision of RFC 9562, section 6.2, method 3: here the microseconds
/// 0–999) carry `recorded_at`; the other 62 bits are random.
/// [`recorded_at_of`] reads the time back, so an envelope that carries the
/// id needs no separate field for the time. A time before 1970 or past the
/// year 10889 does not fit: the id is then a plain UUID v7 of now.
pub fn event_id(recorded_at: Timestamp) -> Uuid {
    match u64::try_from(recorded_at.as_micros()) {
        Ok(m) if m / 1000 < 1 << 48 => Uuid::new_v7(uuid::Timestamp::from_unix_time(
            m / 1_000_000,
            u32::try_from(m % 1_000_000 / 1000 * 1_000_000).unwrap_or(0),
            u128::from(m % 1000),
            12,
        )),
        _ => Uuid::now_v7(),
    }
}

/// The recording time an [`event_id`] carries. Any other UUID v7 whose
/// `rand_a` is below 1000 reads as a time too, a wrong one: rely on it only
/// where that cannot happen, or where the true time was compared first (the
/// NATS envelope leaves its time header out only when this gives exactly the
/// event's time). `None` when the UUID is not v7 or its `rand_a` is 1000 or
/// more.
pub fn recorded_at_of(id: Uuid) -> Option<Timestamp> {
    let b = id.as_bytes();
    if id.get_version_num() != 7 {
        return None;
    }
    let millis = b[..6].iter().fold(0i64, |m, &x| m << 8 | i64::from(x));
    let sub = i64::from(b[6] & 0x0f) << 8 | i64::from(b[7]);
    (sub < 1000).then_some(Timestamp::from_micros(millis * 1000 + sub))
}

/// Waits `max`, or less when `changes` (from [`Store::changes`]) moves
/// first. A closed channel leaves the full wait.
pub async fn wait_for_change(
    changes: Option<&mut tokio::sync::watch::Receiver<u64>>,
    max: Duration,
) {
    match changes {
        Some(changes) => {
            tokio::select! {
                _ = tokio::time::sleep(max) => {}
                Ok(()) = changes.changed() => {}
            }
        }
        None => tokio::time::sleep(max).await,
    }
}

/// An event to append to the audit trail.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Its id (a UUID v7: ordered by time).
    pub id: Uuid,
    /// The tenant it belongs to.
    pub tenant_id: String,
    /// `TICKET_CREATED` (borrowed from the payload type when the bus
    /// prepares the event).
    pub event_type: Cow<'static, str>,
    /// `payload.TicketCreated.v1`.
    pub schema_ref: Cow<'static, str>,
    /// The payload version.
    pub version: u32,
    /// The payload, enriched and valid, as JSON text: serialized once, by
    /// [`Bus::prepare`](super::Bus::prepare), and written as it is by every
    /// store and transport (`serde_json::value::to_raw_value` makes one
    /// from a `Value`).
    pub payload: Box<RawValue>,
    /// Deduplicates publishes within the tenant.
    pub idempotency_key: Option<String>,
    /// When the bus recorded it.
    pub recorded_at: Timestamp,
}

/// What appending an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Stored, with its position in the audit trail.
    New {
        /// The audit trail's sequence number.
        seq: i64,
    },
    /// Its idempotency key was already used in its tenant: nothing stored;
    /// the id of the first event.
    Duplicate {
        /// The event stored first.
        id: Uuid,
    },
}

/// An event of the audit trail.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Its position in the audit trail (increasing, per store).
    pub seq: i64,
    /// Its id.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: String,
    /// `TICKET_CREATED`.
    pub event_type: String,
    /// `payload.TicketCreated.v1`.
    pub schema_ref: String,
    /// The payload version.
    pub version: u32,
    /// The payload's JSON text, as the store or the stream holds it: a
    /// consumer reads its payload type straight from it, and the relay
    /// forwards it as it is ([`payload_as`](StoredEvent::payload_as) reads
    /// it as any type, `serde_json::Value` included).
    pub payload: Box<RawValue>,
    /// The publisher's idempotency key.
    pub idempotency_key: Option<String>,
    /// When the bus recorded it.
    pub recorded_at: Timestamp,
}

impl StoredEvent {
    /// The payload read as `T` (a `serde_json::Value`, a payload type, …).
    pub fn payload_as<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.payload.get())
    }
}

/// Equal events have equal fields and the same payload text.
impl PartialEq for StoredEvent {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
            && self.id == other.id
            && self.tenant_id == other.tenant_id
            && self.event_type == other.event_type
            && self.schema_ref == other.schema_ref
            && self.version == other.version
            && self.payload.get() == other.payload.get()
            && self.idempotency_key == other.idempotency_key
            && self.recorded_at == other.recorded_at
    }
}

/// A delivery handed to a consumer: the event and which attempt this is.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// The event.
    pub event: StoredEvent,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler succeeded: never delivered to this consumer again.
    Processed,
    /// The handler failed (or panicked): retried at `retry_at`, or
    /// dead-lettered when `None`.
    Failed {
        /// The error text.
        error: String,
        /// When to try again.
        retry_at: Option<Timestamp>,
    },
    /// The subscription's filter or cooldown passed it over.
    Skipped {
        /// `filter` or `cooldown`.
        reason: String,
    },
}

/// The end of one attempt of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The consumer.
    pub consumer: String,
    /// The event's sequence number.
    pub seq: i64,
    /// The event's tenant.
    pub tenant_id: String,
    /// Which attempt.
    pub attempt: u32,
    /// How it ended.
    pub outcome: Outcome,
    /// When.
    pub at: Timestamp,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt (or being attempted).
    Pending,
    /// Handled.
    Processed,
    /// Passed over by the subscription's filter or cooldown.
    Skipped,
    /// Failed every attempt.
    Dead,
}

impl DeliveryStatus {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Processed => "processed",
            DeliveryStatus::Skipped => "skipped",
            DeliveryStatus::Dead => "dead",
        }
    }

    /// From the column value.
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => DeliveryStatus::Pending,
            "processed" => DeliveryStatus::Processed,
            "skipped" => DeliveryStatus::Skipped,
            "dead" => DeliveryStatus::Dead,
            _ => return None,
        })
    }
}

/// One delivery (event × consumer), as the delivery table holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The consumer.
    pub consumer: String,
    /// The event's sequence number.
    pub seq: i64,
    /// The event's id.
    pub event_id: Uuid,
    /// The event type.
    pub event_type: String,
    /// The tenant.
    pub tenant_id: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// The last error (the skip reason for skipped deliveries).
    pub last_error: Option<String>,
    /// When it is due, if pending.
    pub next_attempt_at: Timestamp,
    /// When its state last changed: appended, settled (processed,
    /// skipped, failed, dead), retried or replayed. A claim does not count:
    /// it only takes a lease and counts the attempt.
    pub updated_at: Timestamp,
}

/// Which events to read from the audit trail. A tenant is required: the
/// trail of one tenant is never mixed with another's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventQuery {
    /// The tenant (required).
    pub tenant_id: String,
    /// Only this event type.
    pub event_type: Option<String>,
    /// Recorded at or after.
    pub since: Option<Timestamp>,
    /// Recorded before.
    pub until: Option<Timestamp>,
    /// Only events whose payload has this top-level property with this
    /// string value (an object id: `ticketId`).
    pub payload_field: Option<(String, String)>,
    /// Only events after this sequence number (paging).
    pub after_seq: Option<i64>,
    /// Only the event with this id.
    pub id: Option<Uuid>,
    /// At most this many (default 100).
    pub limit: Option<usize>,
}

impl EventQuery {
    /// Every event of `tenant_id`, oldest first.
    pub fn tenant(tenant_id: impl Into<String>) -> Self {
        EventQuery {
            tenant_id: tenant_id.into(),
            ..EventQuery::default()
        }
    }

    /// Only `event_type`.
    pub fn event_type(mut self, event_type: impl Into<String>) -> Self {
        self.event_type = Some(event_type.into());
        self
    }

    /// Recorded in `[since, until)`.
    pub fn between(mut self, since: impl Into<Timestamp>, until: impl Into<Timestamp>) -> Self {
        self.since = Some(since.into());
        self.until = Some(until.into());
        self
    }

    /// Recorded at or after `since`.
    pub fn since(mut self, since: impl Into<Timestamp>) -> Self {
        self.since = Some(since.into());
        self
    }

    /// Whose payload's `field` is the string `value`.
    pub fn payload_field(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.payload_field = Some((field.into(), value.into()));
        self
    }

    /// Only the event `id`.
    pub fn id(mut self, id: Uuid) -> Self {
        self.id = Some(id);
        self
    }

    /// After sequence number `seq`.
    pub fn after(mut self, seq: i64) -> Self {
        self.after_seq = Some(seq);
        self
    }

    /// At most `n` events.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// The row limit: [`limit`](Self::limit), or 100.
    pub fn max_rows(&self) -> i64 {
        self.limit.unwrap_or(100).min(i64::MAX as usize) as i64
    }
}

/// Which deliveries to read. A tenant is required.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeliveryQuery {
    /// The tenant (required).
    pub tenant_id: String,
    /// Only this consumer.
    pub consumer: Option<String>,
    /// Only deliveries in these states (all when empty).
    pub status: Vec<DeliveryStatus>,
    /// Only deliveries that failed at least once.
    pub failed: bool,
    /// Only deliveries of this event.
    pub event_id: Option<Uuid>,
    /// At most this many (default 100).
    pub limit: Option<usize>,
}

impl DeliveryQuery {
    /// Every delivery of `tenant_id`'s events.
    pub fn tenant(tenant_id: impl Into<String>) -> Self {
        DeliveryQuery {
            tenant_id: tenant_id.into(),
            ..DeliveryQuery::default()
        }
    }

    /// Deliveries that failed at least once (retrying or dead).
    pub fn failed(mut self) -> Self {
        self.failed = true;
        self
    }

    /// Dead letters only.
    pub fn dead(mut self) -> Self {
        self.status = vec![DeliveryStatus::Dead];
        self
    }

    /// In `status`.
    pub fn status(mut self, status: DeliveryStatus) -> Self {
        self.status.push(status);
        self
    }

    /// Of `consumer`.
    pub fn consumer(mut self, consumer: impl Into<String>) -> Self {
        self.consumer = Some(consumer.into());
        self
    }

    /// Of event `id`.
    pub fn event(mut self, id: Uuid) -> Self {
        self.event_id = Some(id);
        self
    }

    /// At most `n`.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// The row limit: [`limit`](Self::limit), or 100.
    pub fn max_rows(&self) -> i64 {
        self.limit.unwrap_or(100).min(i64::MAX as usize) as i64
    }
}

/// The storage of a bus: the audit trail, the consumers and their deliveries.
///
/// Every write that belongs together happens in one transaction: an event
/// and its deliveries; a settlement, its attempt record and its state.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A counter that moves when events may have been appended by another
    /// process (PostgreSQL: `LISTEN`/`NOTIFY`), if the store can tell.
    /// Consumers wait on it besides polling.
    fn changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }

    /// Creates the tables when they are missing.
    async fn migrate(&self) -> Result<(), BusError>;

    /// Records that `consumer` receives payloads of `schema_refs` (events
    /// published from now on get a delivery for it).
    async fn register_consumer(
        &self,
        consumer: &str,
        schema_refs: &[String],
    ) -> Result<(), BusError>;

    /// Appends events (one transaction for all), with a pending delivery for
    /// every consumer of each event's schema; an idempotency key already used
    /// in the tenant stores nothing and reports the first event.
    async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, BusError>;

    /// Takes up to `limit` deliveries of `consumer` that are due at `now`,
    /// oldest first, leasing them until `now + lease` (a lease that runs out
    /// makes the delivery due again: the process handling it died).
    async fn claim(
        &self,
        consumer: &str,
        limit: usize,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Vec<Claimed>, BusError>;

    /// Records how attempts ended (one transaction for all).
    async fn settle(&self, settlements: Vec<Settlement>) -> Result<(), BusError>;

    /// When the next pending delivery of `consumer` is due, if any.
    async fn next_due(&self, consumer: &str) -> Result<Option<Timestamp>, BusError>;

    /// Whether `consumer` may fire for `key` now: true (and recorded) when it
    /// did not fire for another event within `window`.
    async fn take_cooldown(
        &self,
        consumer: &str,
        tenant_id: &str,
        key: &str,
        seq: i64,
        now: Timestamp,
        window: Duration,
    ) -> Result<bool, BusError>;

    /// Events of one tenant, oldest first.
    async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, BusError>;

    /// Deliveries of one tenant's events, oldest event first.
    async fn deliveries(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>, BusError>;

    /// Makes a dead or failed delivery due again now, with a fresh count of
    /// attempts. Whether there was such a delivery in the tenant.
    async fn retry(
        &self,
        tenant_id: &str,
        event_id: Uuid,
        consumer: &str,
        now: Timestamp,
    ) -> Result<bool, BusError>;

    /// Delivers again to `consumer` every event of its schemas recorded at or
    /// after `since` (of one tenant, or all): processed, skipped and dead
    /// deliveries become pending, missing ones are created. How many.
    async fn replay(
        &self,
        consumer: &str,
        tenant_id: Option<&str>,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<u64, BusError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_id_carries_its_recording_time() {
        let now = Timestamp::now().as_micros();
        for t in [
            now,
            0,
            999,
            1000,
            1_764_000_000_123_999,
            (1 << 48) * 1000 - 1,
        ] {
            let t = Timestamp::from_micros(t);
            let id = event_id(t);
            assert_eq!(id.get_version_num(), 7, "{t:?}");
            assert_eq!(recorded_at_of(id), Some(t), "{t:?}");
        }
        // The other 62 bits are random: two ids of one microsecond differ.
        let at = Timestamp::from_micros;
        assert_ne!(event_id(at(now)), event_id(at(now)));
        // Ids of later microseconds sort later.
        assert!(event_id(at(now)) < event_id(at(now + 1)));
        assert!(event_id(at(1_999)) < event_id(at(2_000)));
    }

    #[test]
    fn times_that_do_not_fit_and_other_uuids() {
        for t in [-1, (1 << 48) * 1000] {
            let t = Timestamp::from_micros(t);
            let id = event_id(t);
            assert_eq!(id.get_version_num(), 7);
            assert_ne!(recorded_at_of(id), Some(t), "{t:?}");
        }
        assert_eq!(recorded_at_of(Uuid::nil()), None);
        let v4 = Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8);
        assert_eq!(recorded_at_of(v4), None);
        // rand_a = 0xfff: no time.
        let v7 = Uuid::from_u128(0x0190_0000_0000_7fff_8000_0000_0000_0000);
        assert_eq!(recorded_at_of(v7), None);
    }
}
