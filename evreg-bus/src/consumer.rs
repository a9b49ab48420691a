//! Subscriptions: a typed handler as a durable consumer, its filter and
//! cooldown, and the task that hands it its deliveries.

use std::error::Error as StdError;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use evreg_core::EventPayload;
use futures_util::FutureExt;
use tokio::sync::{Notify, mpsc, oneshot, watch};
use uuid::Uuid;

use crate::error::BusError;
use crate::retry::RetryPolicy;
use crate::store::{Claimed, Outcome, Settlement};
use crate::time::Timestamp;
use crate::transport::{Feed, FeedOptions, Topic, Transport};

/// What a handler receives: the typed payload and the event's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<T> {
    /// The event's id.
    pub id: Uuid,
    /// Its position in the audit trail.
    pub seq: i64,
    /// The tenant.
    pub tenant_id: String,
    /// `TICKET_CREATED`.
    pub event_type: String,
    /// `payload.TicketCreated.v1`.
    pub schema_ref: String,
    /// The payload version.
    pub version: u32,
    /// When the bus recorded it.
    pub recorded_at: Timestamp,
    /// 1 for the first delivery to this consumer, 2 for the first retry, …
    pub attempt: u32,
    /// The payload, deserialized and validated.
    pub payload: T,
}

/// What a consumer needs of the bus it runs on, handed over by
/// [`Bus::subscribe`](crate::Bus::subscribe): the consumer never reaches
/// into the bus itself.
pub(crate) struct Handles {
    /// Where its deliveries come from.
    pub(crate) transport: Arc<dyn Transport>,
    /// The bus's running consumers, which it joins when it starts.
    pub(crate) consumers: Arc<Consumers>,
    /// Turns true when the bus shuts down.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// The bus's options that a consumer uses.
    pub(crate) lease: Duration,
    pub(crate) batch: usize,
    pub(crate) poll: Duration,
    pub(crate) retry: RetryPolicy,
}

/// A running consumer, as the bus knows it.
pub(crate) struct Running {
    pub(crate) name: String,
    pub(crate) schema_refs: Vec<String>,
    pub(crate) wake: Arc<Notify>,
    pub(crate) drain: mpsc::UnboundedSender<oneshot::Sender<()>>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// The running consumers of one bus.
#[derive(Default)]
pub(crate) struct Consumers(Mutex<Vec<Running>>);

impl Consumers {
    /// The list (a handler that panicked while holding it left it whole).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Vec<Running>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn contains(&self, name: &str) -> bool {
        self.lock().iter().any(|c| c.name == name)
    }

    /// Adds a consumer, unless one of its name runs already: the check and
    /// the insertion are one step, so two starts of one name never both
    /// succeed. A refused consumer's task is stopped.
    fn insert(&self, running: Running) -> Result<(), BusError> {
        let mut list = self.lock();
        if list.iter().any(|c| c.name == running.name) {
            running.task.abort();
            return Err(BusError::DuplicateConsumer(running.name));
        }
        list.push(running);
        Ok(())
    }
}

/// How soon a worker waiting to answer a drain looks again when the
/// transport still has deliveries on their way.
const DRAIN_RECHECK: Duration = Duration::from_millis(10);

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// What to do with a claimed delivery, decided before the handler runs.
enum Prepared {
    /// The payload does not read as the handler's type.
    Fail(String),
    /// The filter passed it over.
    Skip(&'static str),
    /// Run the handler (after taking the cooldown, if any: the handler is
    /// not even called when the cooldown holds it back).
    Run {
        cooldown: Option<(String, Duration)>,
        handler: Box<dyn FnOnce() -> HandlerFuture + Send>,
    },
}

type Prepare = dyn Fn(Claimed) -> Prepared + Send + Sync;
type Filter<T> = Arc<dyn Fn(&Envelope<T>) -> bool + Send + Sync>;
type CooldownKey<T> = Arc<dyn Fn(&Envelope<T>) -> String + Send + Sync>;
type Handler<T> = Arc<dyn Fn(Envelope<T>) -> HandlerFuture + Send + Sync>;

/// A subscription being configured: [`Bus::subscribe`](crate::Bus::subscribe), then
/// [`start`](Subscription::start).
#[must_use = "a subscription does nothing until it is started"]
pub struct Subscription<T> {
    handles: Handles,
    consumer: String,
    handler: Handler<T>,
    filter: Option<Filter<T>>,
    cooldown: Option<(Duration, CooldownKey<T>)>,
    retry: Option<RetryPolicy>,
    tenant: Option<String>,
    _payload: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Subscription<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("consumer", &self.consumer)
            .field("filter", &self.filter.is_some())
            .field("cooldown", &self.cooldown.as_ref().map(|(w, _)| w))
            .field("retry", &self.retry)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl<T: EventPayload + Send + 'static> Subscription<T> {
    pub(crate) fn new<F, Fut, E>(handles: Handles, consumer: &str, handler: F) -> Self
    where
        F: Fn(Envelope<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        let handler: Handler<T> = Arc::new(move |e| {
            let fut = handler(e);
            Box::pin(async move { fut.await.map_err(|e| e.into().to_string()) })
        });
        Subscription {
            handles,
            consumer: consumer.to_owned(),
            handler,
            filter: None,
            cooldown: None,
            retry: None,
            tenant: None,
            _payload: PhantomData,
        }
    }

    /// Handles only the events `keep` accepts; the others are recorded as
    /// skipped (`filter`).
    pub fn filter(mut self, keep: impl Fn(&Envelope<T>) -> bool + Send + Sync + 'static) -> Self {
        self.filter = Some(Arc::new(keep));
        self
    }

    /// Fires at most once per `window` for each key (per tenant): "at most
    /// once per hour per recruit". Events within the window of another event
    /// of the same key are recorded as skipped (`cooldown`); retries of the
    /// event that fired are not held back.
    pub fn cooldown(
        mut self,
        window: Duration,
        key: impl Fn(&Envelope<T>) -> String + Send + Sync + 'static,
    ) -> Self {
        self.cooldown = Some((window, Arc::new(key)));
        self
    }

    /// Receives only `tenant_id`'s events. On NATS the consumer's subject
    /// filter holds the others back; on a database store they are recorded
    /// as skipped (`tenant`).
    pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant = Some(tenant_id.into());
        self
    }

    /// Retries failed deliveries with `policy` (default: the bus's).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Registers the consumer in the store (events published from now on
    /// are delivered to it, also while it is not running) and starts
    /// handing it its deliveries, those left pending before included.
    pub async fn start(self) -> Result<(), BusError> {
        let Subscription {
            handles,
            consumer,
            handler,
            filter,
            cooldown,
            retry,
            tenant,
            _payload,
        } = self;
        if handles.consumers.contains(&consumer) {
            return Err(BusError::DuplicateConsumer(consumer));
        }
        let topic = Topic {
            tenant: tenant.clone(),
            ..Topic::of::<T>()
        };
        let feed = handles
            .transport
            .subscribe(
                &consumer,
                &topic,
                FeedOptions {
                    lease: handles.lease,
                    batch: handles.batch,
                },
            )
            .await?;
        let schema_refs = vec![topic.schema_ref];
        let prepare: Arc<Prepare> = Arc::new(move |claimed: Claimed| {
            let e = claimed.event;
            if tenant.as_ref().is_some_and(|t| *t != e.tenant_id) {
                return Prepared::Skip("tenant");
            }
            // Straight from the stored JSON text into `T`.
            let payload = match T::from_slice(e.payload.get().as_bytes()) {
                Ok(p) => p,
                Err(err) => return Prepared::Fail(err.to_string()),
            };
            let envelope = Envelope {
                id: e.id,
                seq: e.seq,
                tenant_id: e.tenant_id,
                event_type: e.event_type,
                schema_ref: e.schema_ref,
                version: e.version,
                recorded_at: e.recorded_at,
                attempt: claimed.attempt,
                payload,
            };
            if let Some(keep) = &filter
                && !keep(&envelope)
            {
                return Prepared::Skip("filter");
            }
            let cooldown = cooldown.as_ref().map(|(w, key)| (key(&envelope), *w));
            let handler = handler.clone();
            Prepared::Run {
                cooldown,
                handler: Box::new(move || handler(envelope)),
            }
        });
        let worker = Worker {
            consumer: consumer.clone(),
            retry: retry.unwrap_or(handles.retry),
            batch: handles.batch,
            poll: handles.poll,
            prepare,
        };
        let wake = Arc::new(Notify::new());
        let (drain, drains) = mpsc::unbounded_channel();
        let task = tokio::spawn(worker.run(feed, wake.clone(), drains, handles.shutdown));
        handles.consumers.insert(Running {
            name: consumer,
            schema_refs,
            wake,
            drain,
            task,
        })
    }
}

/// The task of one consumer.
struct Worker {
    consumer: String,
    retry: RetryPolicy,
    /// Deliveries claimed at a time.
    batch: usize,
    /// How long an idle worker waits before it looks again.
    poll: Duration,
    prepare: Arc<Prepare>,
}

impl Worker {
    async fn run(
        self,
        mut feed: Box<dyn Feed>,
        wake: Arc<Notify>,
        mut drains: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let (batch, poll) = (self.batch, self.poll);
        let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
        loop {
            if *shutdown.borrow() {
                break;
            }
            let claimed = match feed.claim(batch).await {
                Ok(c) => c,
                Err(_) => {
                    // The transport is unreachable: try again after the poll
                    // interval; leases keep other processes from stepping in.
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            };
            if claimed.is_empty() {
                let idle = if waiting.is_empty() {
                    poll
                } else if feed.drained().await.unwrap_or(false) {
                    for w in waiting.drain(..) {
                        let _ = w.send(());
                    }
                    poll
                } else {
                    // Work is on its way (being redelivered, in flight): look
                    // again soon.
                    DRAIN_RECHECK
                };
                tokio::select! {
                    _ = feed.wait(idle) => {}
                    _ = wake.notified() => {}
                    Some(w) = drains.recv() => waiting.push(w),
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let mut settlements = Vec::with_capacity(claimed.len());
            for c in claimed {
                settlements.push(self.handle(feed.as_mut(), c).await);
            }
            // A failed write leaves the deliveries leased: they come back
            // when the lease runs out (at least once, never lost).
            let _ = feed.settle(settlements).await;
        }
        feed.close().await;
        for w in waiting {
            let _ = w.send(());
        }
    }

    /// Runs one delivery to its end: processed, failed (retry or dead), or
    /// skipped. Panics in the filter, key or handler are failures.
    async fn handle(&self, feed: &mut dyn Feed, claimed: Claimed) -> Settlement {
        let seq = claimed.event.seq;
        let tenant_id = claimed.event.tenant_id.clone();
        let attempt = claimed.attempt;
        let outcome = if attempt > self.retry.max_attempts() {
            // Handed out again after its lease ran out, past the last
            // attempt: the process handling it died or hung, every time.
            Outcome::Failed {
                error: format!(
                    "handed out {attempt} times without an outcome (the consumer died or hung while handling it)"
                ),
                retry_at: None,
            }
        } else {
            self.outcome(feed, claimed, &tenant_id).await
        };
        Settlement {
            consumer: self.consumer.clone(),
            seq,
            tenant_id,
            attempt,
            outcome,
            at: Timestamp::now(),
        }
    }

    async fn outcome(&self, feed: &mut dyn Feed, claimed: Claimed, tenant_id: &str) -> Outcome {
        let (seq, attempt) = (claimed.event.seq, claimed.attempt);
        let prepared = std::panic::catch_unwind(AssertUnwindSafe(|| (self.prepare)(claimed)))
            .unwrap_or_else(|p| Prepared::Fail(panic_text(p.as_ref())));
        match prepared {
            Prepared::Fail(error) => self.failed(error, attempt),
            Prepared::Skip(reason) => Outcome::Skipped {
                reason: reason.to_owned(),
            },
            Prepared::Run { cooldown, handler } => {
                let may_fire = match cooldown {
                    None => Ok(true),
                    Some((key, window)) => {
                        feed.take_cooldown(tenant_id, &key, seq, Timestamp::now(), window)
                            .await
                    }
                };
                match may_fire {
                    Ok(false) => Outcome::Skipped {
                        reason: "cooldown".to_owned(),
                    },
                    Err(e) => self.failed(e.to_string(), attempt),
                    Ok(true) => match AssertUnwindSafe(async move { handler().await })
                        .catch_unwind()
                        .await
                    {
                        Ok(Ok(())) => Outcome::Processed,
                        Ok(Err(e)) => self.failed(e, attempt),
                        Err(p) => self.failed(panic_text(p.as_ref()), attempt),
                    },
                }
            }
        }
    }

    fn failed(&self, error: String, attempt: u32) -> Outcome {
        let retry_at = self
            .retry
            .delay_after(attempt, rand::random::<f64>())
            .map(|d| Timestamp::now().saturating_add(d));
        Outcome::Failed { error, retry_at }
    }
}

/// The message of a panic payload.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    let message = p
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string payload".to_owned());
    format!("handler panicked: {message}")
}
