//! Subscriptions: a typed handler as a durable consumer, its filter and
//! cooldown, and the task that hands it its deliveries.

use std::error::Error as StdError;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use tokio::sync::{Notify, mpsc, oneshot, watch};

use super::store::{Claimed, Outcome, Settlement, micros};
use super::transport::{Feed, FeedOptions, Topic};
use super::{Bus, BusError, Envelope, RetryPolicy, Running};
use evreg_core::EventPayload;

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

/// A subscription being configured: [`Bus::subscribe`], then
/// [`start`](Subscription::start).
#[must_use = "a subscription does nothing until it is started"]
pub struct Subscription<T> {
    bus: Bus,
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
    pub(super) fn new<F, Fut, E>(bus: Bus, consumer: &str, handler: F) -> Self
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
            bus,
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
            bus,
            consumer,
            handler,
            filter,
            cooldown,
            retry,
            tenant,
            _payload,
        } = self;
        if bus.lock_consumers().iter().any(|c| c.name == consumer) {
            return Err(BusError::DuplicateConsumer(consumer));
        }
        let topic = Topic {
            tenant: tenant.clone(),
            ..Topic::of::<T>()
        };
        let options = &bus.inner.options;
        let feed = bus
            .inner
            .transport
            .subscribe(
                &consumer,
                &topic,
                FeedOptions {
                    lease: options.lease,
                    batch: options.batch,
                },
            )
            .await?;
        let schema_refs = vec![topic.schema_ref];
        let prepare: Arc<Prepare> = Arc::new(move |claimed: Claimed| {
            let e = claimed.event;
            if tenant.as_ref().is_some_and(|t| *t != e.tenant_id) {
                return Prepared::Skip("tenant");
            }
            let payload = match T::from_value(e.payload) {
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
            bus: bus.clone(),
            consumer: consumer.clone(),
            retry: retry.unwrap_or(bus.inner.options.retry),
            prepare,
        };
        let wake = Arc::new(Notify::new());
        let (drain, drains) = mpsc::unbounded_channel();
        let shutdown = bus.shutdown_signal();
        let task = tokio::spawn(worker.run(feed, wake.clone(), drains, shutdown));
        bus.lock_consumers().push(Running {
            name: consumer,
            schema_refs,
            wake,
            drain,
            task,
        });
        Ok(())
    }
}

/// The task of one consumer.
struct Worker {
    bus: Bus,
    consumer: String,
    retry: RetryPolicy,
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
        let options = self.bus.inner.options.clone();
        let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
        loop {
            if *shutdown.borrow() {
                break;
            }
            let claimed = match feed.claim(options.batch).await {
                Ok(c) => c,
                Err(_) => {
                    // The transport is unreachable: try again after the poll
                    // interval; leases keep other processes from stepping in.
                    tokio::select! {
                        _ = tokio::time::sleep(options.poll) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            };
            if claimed.is_empty() {
                let idle = if waiting.is_empty() {
                    options.poll
                } else if feed.drained().await.unwrap_or(false) {
                    for w in waiting.drain(..) {
                        let _ = w.send(());
                    }
                    options.poll
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
            at: micros(SystemTime::now()),
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
                        feed.take_cooldown(tenant_id, &key, seq, micros(SystemTime::now()), window)
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
            .map(|d| {
                micros(SystemTime::now())
                    .saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            });
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
