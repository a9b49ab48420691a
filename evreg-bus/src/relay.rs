//! The outbox relay: events committed to a database store (with
//! [`Bus::publish_in`](super::Bus::publish_in) in the caller's transaction,
//! or by a store-backed bus) carried into the JetStream stream, exactly once
//! per event.
//!
//! The relay is a consumer of the store like any other: registered for the
//! catalog's schemas, it gets a delivery row with every event appended from
//! then on, in the same transaction as the event — the audit table is the
//! outbox. It claims a batch under a lease (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so several relays share the work), publishes it to the
//! stream with `Nats-Msg-Id` set from the event (its id, or tenant and
//! idempotency key), waits for the server's acknowledgements, then marks
//! the batch processed. A relay that dies between publishing and marking
//! leaves its lease to run out; the next claim publishes the batch again and
//! the server drops the repeats, because the lease is shorter than the
//! stream's duplicate window. It wakes on the store's notifications
//! (`LISTEN`/`NOTIFY` on PostgreSQL) and polls besides.
//!
//! One relay keeps the order of each subject; several relays trade that
//! order (batches may overtake each other) for throughput.

use std::sync::Arc;
use std::time::Duration;

use super::nats::NatsStream;
use crate::error::BusError;
use crate::store::{Claimed, NewEvent, Outcome, Settlement, Store, wait_for_change};
use crate::time::Timestamp;

type Hook = Arc<dyn Fn(&[NewEvent]) + Send + Sync>;

/// Carries a store's events into a JetStream stream.
#[derive(Clone)]
pub struct Relay {
    store: Arc<dyn Store>,
    stream: NatsStream,
    consumer: String,
    batch: usize,
    lease: Duration,
    poll: Duration,
    published: Option<Hook>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("consumer", &self.consumer)
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("poll", &self.poll)
            .finish_non_exhaustive()
    }
}

/// What one relay step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relayed {
    /// Events stored in the stream.
    pub published: usize,
    /// Events the stream had already (a relay died before marking them).
    pub repeated: usize,
}

impl Relay {
    /// A relay from `store` into `stream`: its consumer in the store is
    /// `relay:<stream name>`; batches of 1 000; a 30 s lease; polls every
    /// second besides the store's notifications.
    pub fn new(store: impl Store, stream: NatsStream) -> Relay {
        Relay::shared(Arc::new(store), stream)
    }

    /// [`Relay::new`] on a store shared with other users.
    pub fn shared(store: Arc<dyn Store>, stream: NatsStream) -> Relay {
        let consumer = format!("relay:{}", stream.config().stream);
        Relay {
            store,
            stream,
            consumer,
            batch: 1000,
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            published: None,
        }
    }

    /// Events taken and published at a time (default 1 000).
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// How long a claimed batch is this relay's before another may publish
    /// it again (default 30 s). It must be shorter than the stream's
    /// duplicate window, or a repeat after a crash would not be dropped.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How often an idle relay looks for events without a notification
    /// (default 1 s).
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = every;
        self
    }

    /// Runs `f` after the stream acknowledged a batch and before the batch
    /// is marked relayed: the crash point the fault tests use.
    #[doc(hidden)]
    pub fn after_publish(mut self, f: impl Fn(&[NewEvent]) + Send + Sync + 'static) -> Self {
        self.published = Some(Arc::new(f));
        self
    }

    /// The relay's consumer name in the store.
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    /// Creates the store's tables when missing, checks the lease against
    /// the duplicate window, and registers the relay for `schema_refs`:
    /// events of those schemas appended from now on are relayed.
    pub async fn register(&self, schema_refs: &[String]) -> Result<(), BusError> {
        let window = self.stream.config().duplicate_window;
        if self.lease >= window {
            return Err(BusError::Transport(format!(
                "the relay's lease ({:?}) must be shorter than the stream's duplicate window ({window:?}): a batch published again after a crash would be stored twice",
                self.lease
            )));
        }
        self.store.migrate().await?;
        self.store
            .register_consumer(&self.consumer, schema_refs)
            .await
    }

    /// Claims one batch, publishes it and marks it relayed. Nothing claimed
    /// is `Relayed::default()`. When the stream refuses the batch it is
    /// offered again after a second (every relay retries; none gives up).
    pub async fn step(&self) -> Result<Relayed, BusError> {
        let now = Timestamp::now();
        let claimed = self
            .store
            .claim(&self.consumer, self.batch, now, self.lease)
            .await?;
        if claimed.is_empty() {
            return Ok(Relayed::default());
        }
        let events: Vec<NewEvent> = claimed.iter().map(new_event).collect();
        let sent = match self.stream.publish(&events).await {
            Ok(sent) => sent,
            Err(e) => {
                let retry_at = Timestamp::now().saturating_add(Duration::from_secs(1));
                let outcome = Outcome::Failed {
                    error: e.to_string(),
                    retry_at: Some(retry_at),
                };
                // If even this fails, the lease brings the batch back.
                let _ = self.store.settle(self.settlements(&claimed, outcome)).await;
                return Err(e);
            }
        };
        if let Some(hook) = &self.published {
            hook(&events);
        }
        self.store
            .settle(self.settlements(&claimed, Outcome::Processed))
            .await?;
        let repeated = sent.iter().filter(|s| s.duplicate).count();
        Ok(Relayed {
            published: sent.len() - repeated,
            repeated,
        })
    }

    /// Relays until `stop` resolves: a step after each notification of the
    /// store, each poll interval, and at once after a full batch.
    /// Failures (the server or the database away) are retried after the
    /// poll interval; `on_error` hears of them.
    pub async fn run(
        &self,
        stop: impl std::future::Future<Output = ()>,
        on_error: impl Fn(&BusError),
    ) -> Relayed {
        let mut stop = std::pin::pin!(stop);
        let mut changes = self.store.changes();
        let mut total = Relayed::default();
        loop {
            if let Some(c) = &mut changes {
                c.borrow_and_update();
            }
            let wait = match self.step().await {
                Ok(r) => {
                    total.published += r.published;
                    total.repeated += r.repeated;
                    if r.published + r.repeated >= self.batch {
                        continue;
                    }
                    self.poll
                }
                Err(e) => {
                    on_error(&e);
                    self.poll
                }
            };
            tokio::select! {
                _ = &mut stop => return total,
                _ = wait_for_change(changes.as_mut(), wait) => {}
            }
        }
    }

    fn settlements(&self, claimed: &[Claimed], outcome: Outcome) -> Vec<Settlement> {
        let at = Timestamp::now();
        claimed
            .iter()
            .map(|c| Settlement {
                consumer: self.consumer.clone(),
                seq: c.event.seq,
                tenant_id: c.event.tenant_id.clone(),
                attempt: c.attempt,
                outcome: outcome.clone(),
                at,
            })
            .collect()
    }
}

/// The claimed event as it goes to the stream: its payload's text as the
/// store holds it, never parsed.
fn new_event(c: &Claimed) -> NewEvent {
    let e = &c.event;
    NewEvent {
        id: e.id,
        tenant_id: e.tenant_id.clone(),
        event_type: e.event_type.clone().into(),
        schema_ref: e.schema_ref.clone().into(),
        version: e.version,
        payload: e.payload.clone(),
        idempotency_key: e.idempotency_key.clone(),
        recorded_at: e.recorded_at,
    }
}
