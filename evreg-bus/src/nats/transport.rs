//! JetStream under the bus: [`NatsTransport`] publishes the bus's prepared
//! events to the stream and gives each subscriber a durable pull consumer.
//!
//! A subscription `name` of payload `T` is the durable consumer `name`,
//! filtered to `<prefix>.*.<T's event type>.v<T's version>`, with explicit
//! acknowledgement and an acknowledgement wait equal to the bus's lease. The
//! bus's worker runs the handler as on any transport; then a processed or
//! skipped delivery is acknowledged (and confirmed by the server), a failed
//! one is `nak`ed with the retry policy's delay, and the last failure is
//! stored on the dead-letter subject and terminated. The server does not
//! count deliveries for the consumer (`max_deliver` unlimited): the retry
//! policy decides, and a delivery handed out past its last attempt (the
//! processes handling it died) is dead-lettered without running it.
//! Cooldowns live in a key-value bucket, `<stream>-cooldowns`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::sync::{OnceCell, mpsc};

use super::{ConsumerConfig, NatsConfig, NatsConsumer, NatsDelivery, NatsStream, Sent};
use crate::error::BusError;
use crate::store::{Appended, Claimed, Delivery, DeliveryStatus, NewEvent, Outcome, Settlement};
use crate::time::Timestamp;
use crate::transport::{Events, Feed, FeedOptions, Topic, Transport};

/// NATS JetStream as the bus's transport (feature `nats`).
///
/// ```no_run
/// # async fn run() -> Result<(), evreg_bus::BusError> {
/// use evreg_bus::nats::{NatsConfig, NatsTransport};
/// use evreg_bus::{Bus, BusOptions};
///
/// let transport = NatsTransport::connect(NatsConfig::from_env()?).await?;
/// let bus = Bus::with_transport(transport, BusOptions::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct NatsTransport {
    stream: NatsStream,
    cooldowns: Arc<OnceCell<kv::Store>>,
}

impl NatsTransport {
    /// Connects and creates or checks the stream ([`NatsStream::connect`]).
    pub async fn connect(config: NatsConfig) -> Result<NatsTransport, BusError> {
        Ok(NatsTransport::new(NatsStream::connect(config).await?))
    }

    /// The transport over a connected stream.
    pub fn new(stream: NatsStream) -> NatsTransport {
        NatsTransport {
            stream,
            cooldowns: Arc::new(OnceCell::new()),
        }
    }

    /// The stream.
    pub fn stream(&self) -> &NatsStream {
        &self.stream
    }
}

#[async_trait]
impl Transport for NatsTransport {
    fn name(&self) -> &'static str {
        "nats"
    }

    async fn prepare(&self) -> Result<(), BusError> {
        // The stream was created or checked when connecting.
        Ok(())
    }

    async fn publish(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, BusError> {
        Ok(appended(self.stream.publish(&events).await?))
    }

    async fn publish_each(&self, events: Events<'_>) -> Result<Vec<Appended>, BusError> {
        Ok(appended(self.stream.publish_each(events).await?))
    }

    async fn dead_letters(&self, tenant_id: &str) -> Result<Vec<Delivery>, BusError> {
        Ok(self
            .stream
            .tenant_dead_letters(tenant_id, usize::MAX)
            .await?
            .into_iter()
            .map(|d| Delivery {
                consumer: d.consumer,
                seq: d.event.seq,
                event_id: d.event.id,
                event_type: d.event.event_type,
                tenant_id: d.event.tenant_id,
                status: DeliveryStatus::Dead,
                attempts: d.attempts,
                last_error: Some(d.error),
                next_attempt_at: d.at,
                updated_at: d.at,
            })
            .collect())
    }

    async fn subscribe(
        &self,
        consumer: &str,
        topic: &Topic,
        options: FeedOptions,
    ) -> Result<Box<dyn Feed>, BusError> {
        let config = ConsumerConfig {
            tenant: topic.tenant.clone(),
            event_type: Some(topic.event_type.clone()),
            version: Some(topic.version),
            max_deliver: None,
            ack_wait: options.lease,
            from_now: true,
            ..ConsumerConfig::new(consumer)
        };
        let consumer = self.stream.consumer(config).await?;
        // The handler's batch, and as many more on the way.
        let (tx, rx) = mpsc::channel(options.batch.max(1));
        let pump = tokio::spawn(pump(
            consumer.consumer.clone(),
            tx,
            options.batch.max(1),
            options.lease,
        ));
        Ok(Box::new(NatsFeed {
            consumer,
            cooldowns: self.cooldowns.clone(),
            lease: options.lease,
            rx,
            stash: VecDeque::new(),
            inflight: HashMap::new(),
            naks: HashMap::new(),
            pump,
        }))
    }
}

/// Pulls the consumer's messages continuously into `tx` (bounded: the
/// server holds the rest back).
///
/// Each pull request expires within the lease (1 to 30 s): the requests of
/// a process that died stay with the server until they expire, and every
/// event the server hands them meanwhile is lost until its acknowledgement
/// wait and counted as an attempt.
async fn pump(
    consumer: jetstream::consumer::PullConsumer,
    tx: mpsc::Sender<NatsDelivery>,
    batch: usize,
    lease: Duration,
) {
    let expires = lease.clamp(Duration::from_secs(1), Duration::from_secs(30));
    loop {
        let messages = consumer
            .stream()
            .max_messages_per_batch(batch)
            .expires(expires)
            .heartbeat(expires / 2)
            .messages()
            .await;
        let Ok(mut messages) = messages else {
            // The server is away: the client reconnects; ask again.
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        };
        while let Some(message) = messages.next().await {
            // Errors here are missed heartbeats and the like: the stream
            // goes on pulling.
            let Ok(message) = message else { continue };
            if let Ok(Some(delivery)) = NatsDelivery::read(message).await
                && tx.send(delivery).await.is_err()
            {
                return;
            }
        }
    }
}

struct NatsFeed {
    consumer: NatsConsumer,
    cooldowns: Arc<OnceCell<kv::Store>>,
    lease: Duration,
    rx: mpsc::Receiver<NatsDelivery>,
    /// Received while waiting, not yet claimed.
    stash: VecDeque<NatsDelivery>,
    /// Claimed, not yet settled, by stream sequence.
    inflight: HashMap<i64, NatsDelivery>,
    /// `nak`ed deliveries not yet offered again, and when they are due.
    naks: HashMap<i64, Timestamp>,
    pump: tokio::task::JoinHandle<()>,
}

impl Drop for NatsFeed {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

#[async_trait]
impl Feed for NatsFeed {
    async fn claim(&mut self, limit: usize) -> Result<Vec<Claimed>, BusError> {
        let mut out = Vec::new();
        while out.len() < limit {
            let Some(d) = self.stash.pop_front().or_else(|| self.rx.try_recv().ok()) else {
                break;
            };
            let seq = d.event.seq;
            self.naks.remove(&seq);
            out.push(Claimed {
                event: d.event.clone(),
                attempt: d.attempt,
            });
            self.inflight.insert(seq, d);
        }
        Ok(out)
    }

    async fn wait(&mut self, max: Duration) {
        if !self.stash.is_empty() {
            return;
        }
        tokio::select! {
            Some(d) = self.rx.recv() => self.stash.push_back(d),
            _ = tokio::time::sleep(max) => {}
        }
    }

    async fn settle(&mut self, settlements: Vec<Settlement>) -> Result<(), BusError> {
        let now = Timestamp::now();
        let mut work = Vec::with_capacity(settlements.len());
        for s in settlements {
            if let Some(d) = self.inflight.remove(&s.seq) {
                if let Outcome::Failed {
                    retry_at: Some(at), ..
                } = &s.outcome
                {
                    self.naks.insert(s.seq, *at);
                }
                work.push((d, s.outcome));
            }
        }
        let consumer = &self.consumer;
        let results =
            futures_util::future::join_all(work.into_iter().map(|(d, outcome)| async move {
                match outcome {
                    Outcome::Processed | Outcome::Skipped { .. } => d.ack().await,
                    Outcome::Failed {
                        retry_at: Some(at), ..
                    } => d.retry(at.duration_since(now)).await,
                    Outcome::Failed {
                        error,
                        retry_at: None,
                    } => d.dead_letter(consumer, &error).await,
                }
            }))
            .await;
        results.into_iter().collect()
    }

    async fn take_cooldown(
        &mut self,
        tenant_id: &str,
        key: &str,
        seq: i64,
        now: Timestamp,
        window: Duration,
    ) -> Result<bool, BusError> {
        let stream = &self.consumer.stream;
        let bucket = self
            .cooldowns
            .get_or_try_init(|| cooldown_bucket(stream))
            .await?;
        let key = format!(
            "{}.{}.{}",
            kv_token(self.consumer.name()),
            kv_token(tenant_id),
            kv_token(key)
        );
        let window = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
        let now = now.as_micros();
        let value = format!("{seq} {now}").into_bytes();
        let fail = |e: &dyn std::fmt::Display| BusError::Transport(format!("cooldown {key}: {e}"));
        // Compare and set: two processes of one consumer never both fire.
        loop {
            let entry = bucket.entry(key.as_str()).await.map_err(|e| fail(&e))?;
            match entry.filter(|e| e.operation == kv::Operation::Put) {
                Some(entry) => {
                    if let Some((fired_seq, fired_at)) = parse_cooldown(&entry.value)
                        && fired_seq != seq
                        && now.saturating_sub(fired_at) < window
                    {
                        return Ok(false);
                    }
                    match bucket
                        .update(&key, value.clone().into(), entry.revision)
                        .await
                    {
                        Ok(_) => return Ok(true),
                        Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => continue,
                        Err(e) => return Err(fail(&e)),
                    }
                }
                None => match bucket.create(&key, value.clone().into()).await {
                    Ok(_) => return Ok(true),
                    Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(fail(&e)),
                },
            }
        }
    }

    async fn drained(&mut self) -> Result<bool, BusError> {
        if !self.stash.is_empty() || !self.rx.is_empty() || !self.inflight.is_empty() {
            return Ok(false);
        }
        let now = Timestamp::now();
        // Another process of this consumer may have taken a retry: forget
        // the ones long overdue.
        let lease = self.lease;
        self.naks.retain(|_, due| now.duration_since(*due) < lease);
        if self.naks.values().any(|due| *due <= now) {
            return Ok(false); // a retry is due and on its way
        }
        let info =
            self.consumer.consumer.get_info().await.map_err(|e| {
                BusError::Transport(format!("consumer {}: {e}", self.consumer.name()))
            })?;
        // Nothing left to offer, and nothing offered but the retries waiting
        // for their time.
        Ok(info.num_pending == 0 && info.num_ack_pending <= self.naks.len())
    }

    async fn close(&mut self) {
        self.pump.abort();
        // Offer what was taken and not handled to the next process now
        // rather than after the acknowledgement wait.
        let mut left: Vec<NatsDelivery> = self.stash.drain(..).collect();
        left.extend(self.inflight.drain().map(|(_, d)| d));
        while let Ok(d) = self.rx.try_recv() {
            left.push(d);
        }
        futures_util::future::join_all(left.into_iter().map(|d| d.retry(Duration::ZERO))).await;
    }
}

/// The bucket of cooldowns next to the stream, created when missing.
///
/// The bucket's stream is created here, as a key-value bucket's is
/// (`KV_<bucket>`, one value per key, roll-ups, direct reads): the
/// client's own bucket creation first asks for account information in a
/// shape that servers before 2.10 do not send.
async fn cooldown_bucket(stream: &NatsStream) -> Result<kv::Store, BusError> {
    let config: &NatsConfig = stream.config();
    let name = format!("{}-cooldowns", config.stream);
    let js = stream.jetstream();
    if let Ok(store) = js.get_key_value(name.as_str()).await {
        return Ok(store);
    }
    let created = js
        .create_stream(jetstream::stream::Config {
            name: format!("KV_{name}"),
            subjects: vec![format!("$KV.{name}.>")],
            max_messages_per_subject: 1,
            storage: jetstream::stream::StorageType::File,
            num_replicas: config.replicas.max(1),
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: jetstream::stream::DiscardPolicy::New,
            ..Default::default()
        })
        .await;
    // Another process may have created it meanwhile: read it either way.
    js.get_key_value(name.as_str()).await.map_err(|e| {
        let why = created
            .err()
            .map_or_else(|| e.to_string(), |c| c.to_string());
        BusError::Transport(format!("creating bucket {name}: {why}"))
    })
}

/// A key token: letters, digits, `-` and `_` as they are, any other byte
/// as `=XX`, and `=` alone for the empty string.
fn kv_token(s: &str) -> String {
    if s.is_empty() {
        return "=".into();
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

fn parse_cooldown(value: &[u8]) -> Option<(i64, i64)> {
    let text = std::str::from_utf8(value).ok()?;
    let (seq, at) = text.split_once(' ')?;
    Some((seq.parse().ok()?, at.parse().ok()?))
}

/// What the stream did with each event, as the bus reads it.
fn appended(sent: Vec<Sent>) -> Vec<Appended> {
    sent.into_iter()
        .map(|sent| {
            if sent.duplicate {
                Appended::Duplicate { id: sent.id }
            } else {
                Appended::New {
                    seq: i64::try_from(sent.stream_seq).unwrap_or(i64::MAX),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_tokens_are_valid_keys_and_distinct() {
        assert_eq!(kv_token("notify"), "notify");
        assert_eq!(kv_token("a.b c"), "a=2Eb=20c");
        assert_eq!(kv_token("="), "=3D");
        assert_eq!(kv_token(""), "=");
        assert_ne!(kv_token("a=2E"), kv_token("a."));
    }

    #[test]
    fn cooldown_values_read_back() {
        assert_eq!(parse_cooldown(b"12 345"), Some((12, 345)));
        assert_eq!(parse_cooldown(b"garbage"), None);
    }
}
