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

use std::time::Duration;

pub use async_nats;
use async_nats::jetstream::consumer::{self, pull};
use async_nats::jetstream::{self, context, stream};
use async_nats::{HeaderMap, HeaderName};
use uuid::Uuid;

mod transport;

pub use transport::NatsTransport;

use super::BusError;
use super::store::{self, NewEvent, StoredEvent, from_micros};

/// How long the stream keeps events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Until the stream's limits (age) are reached: replayable by any
    /// consumer, including ones created later. The default.
    Limits,
    /// Until every consumer that existed when it was published acknowledged
    /// it.
    Interest,
}

impl Retention {
    fn policy(self) -> stream::RetentionPolicy {
        match self {
            Retention::Limits => stream::RetentionPolicy::Limits,
            Retention::Interest => stream::RetentionPolicy::Interest,
        }
    }
}

/// Where the stream lives and how it is shaped. [`NatsConfig::from_env`]
/// reads the same from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct NatsConfig {
    /// The server(s), `nats://127.0.0.1:4222` (comma-separated for a
    /// cluster).
    pub url: String,
    /// The stream's name (`EVREG_EVENTS`).
    pub stream: String,
    /// The first subject token (`evreg`).
    pub subject_prefix: String,
    /// Copies of the stream in a cluster (1 on a single server).
    pub replicas: usize,
    /// How long events are kept.
    pub retention: Retention,
    /// The longest an event is kept (zero: no limit).
    pub max_age: Duration,
    /// How long the server remembers a `Nats-Msg-Id` to drop repeats.
    pub duplicate_window: Duration,
    /// Publishes awaiting the server's acknowledgement at once; a publisher
    /// past it waits.
    pub ack_window: usize,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".into(),
            stream: "EVREG_EVENTS".into(),
            subject_prefix: "evreg".into(),
            replicas: 1,
            retention: Retention::Limits,
            max_age: Duration::ZERO,
            duplicate_window: Duration::from_secs(120),
            ack_window: 4096,
        }
    }
}

impl NatsConfig {
    /// The defaults, overridden by `EVREG_NATS_URL`, `EVREG_NATS_STREAM`,
    /// `EVREG_NATS_PREFIX`, `EVREG_NATS_REPLICAS`, `EVREG_NATS_RETENTION`
    /// (`limits` or `interest`), `EVREG_NATS_MAX_AGE` and
    /// `EVREG_NATS_DUPLICATE_WINDOW` (durations such as `7d`, `2m`).
    pub fn from_env() -> Result<NatsConfig, BusError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<NatsConfig, BusError> {
        let mut c = NatsConfig::default();
        let bad = |name: &str, value: &str, why: &str| {
            BusError::Transport(format!("{name}=`{value}`: {why}"))
        };
        let duration = |name: &str, value: &str| {
            humantime::parse_duration(value).map_err(|e| bad(name, value, &e.to_string()))
        };
        if let Some(v) = var("EVREG_NATS_URL") {
            c.url = v;
        }
        if let Some(v) = var("EVREG_NATS_STREAM") {
            c.stream = v;
        }
        if let Some(v) = var("EVREG_NATS_PREFIX") {
            c.subject_prefix = v;
        }
        if let Some(v) = var("EVREG_NATS_REPLICAS") {
            c.replicas = v
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| bad("EVREG_NATS_REPLICAS", &v, "expected 1 to 5"))?;
        }
        if let Some(v) = var("EVREG_NATS_RETENTION") {
            c.retention = match v.as_str() {
                "limits" => Retention::Limits,
                "interest" => Retention::Interest,
                _ => {
                    return Err(bad(
                        "EVREG_NATS_RETENTION",
                        &v,
                        "expected `limits` or `interest`",
                    ));
                }
            };
        }
        if let Some(v) = var("EVREG_NATS_MAX_AGE") {
            c.max_age = duration("EVREG_NATS_MAX_AGE", &v)?;
        }
        if let Some(v) = var("EVREG_NATS_DUPLICATE_WINDOW") {
            c.duplicate_window = duration("EVREG_NATS_DUPLICATE_WINDOW", &v)?;
        }
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<(), BusError> {
        if self.stream.is_empty()
            || self
                .stream
                .chars()
                .any(|c| matches!(c, '.' | '*' | '>' | '/' | '\\') || c.is_whitespace())
        {
            return Err(BusError::Transport(format!(
                "stream name `{}` must be non-empty, without `.`, `*`, `>`, slashes or spaces",
                self.stream
            )));
        }
        if self.subject_prefix.is_empty()
            || self
                .subject_prefix
                .split('.')
                .any(|t| t.is_empty() || t.contains(['*', '>']) || t.contains(char::is_whitespace))
        {
            return Err(BusError::Transport(format!(
                "subject prefix `{}` must be non-empty tokens separated by `.`, without wildcards or spaces",
                self.subject_prefix
            )));
        }
        Ok(())
    }

    /// Every subject of the stream: `<prefix>.>`.
    pub fn subjects(&self) -> String {
        format!("{}.>", self.subject_prefix)
    }

    fn stream_config(&self) -> stream::Config {
        stream::Config {
            name: self.stream.clone(),
            subjects: vec![self.subjects()],
            retention: self.retention.policy(),
            storage: stream::StorageType::File,
            num_replicas: self.replicas,
            max_age: self.max_age,
            duplicate_window: self.duplicate_window,
            // Reading dead letters by subject.
            allow_direct: true,
            ..Default::default()
        }
    }
}

/// One token of a subject: the bytes outside `[A-Za-z0-9_-]` written as
/// `%XX` (so `course.graduated` is `course%2Egraduated`), which keeps
/// tokens apart and can be read back.
pub fn subject_token(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The subject of an event: `<prefix>.<tenant>.<event type>.v<version>`,
/// tenant and event type through [`subject_token`].
pub fn subject(prefix: &str, tenant: &str, event_type: &str, version: u32) -> String {
    format!(
        "{prefix}.{}.{}.v{version}",
        subject_token(tenant),
        subject_token(event_type)
    )
}

/// What publishing one event to the stream did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The event's id: the first one's when the server dropped a repeat.
    pub id: Uuid,
    /// The stream sequence that holds it.
    pub stream_seq: u64,
    /// The server had it already (same `Nats-Msg-Id` inside the window).
    pub duplicate: bool,
}

/// An event sent, waiting for the server's acknowledgement.
type PendingAck = (Uuid, context::PublishAckFuture);

/// The subject of the last event sent: a batch is mostly one tenant's
/// events of one type, so its subject is built once and shared (a `Subject`
/// clones without copying).
#[derive(Default)]
struct Subjects {
    last: Option<(String, String, u32, async_nats::Subject)>,
}

impl Subjects {
    fn of(&mut self, prefix: &str, e: &NewEvent) -> async_nats::Subject {
        if let Some((tenant, event_type, version, subject)) = &self.last
            && *tenant == e.tenant_id
            && *event_type == e.event_type
            && *version == e.version
        {
            return subject.clone();
        }
        let subject =
            async_nats::Subject::from(subject(prefix, &e.tenant_id, &e.event_type, e.version));
        self.last = Some((
            e.tenant_id.clone(),
            e.event_type.to_string(),
            e.version,
            subject.clone(),
        ));
        subject
    }
}

/// A connection to the stream of a catalog's events.
#[derive(Clone, Debug)]
pub struct NatsStream {
    config: NatsConfig,
    js: context::Context,
    stream: stream::Stream,
}

const EVENT_ID: HeaderName = HeaderName::from_static("Evreg-Event-Id");
const SCHEMA_REF: HeaderName = HeaderName::from_static("Evreg-Schema-Ref");
const RECORDED_AT: HeaderName = HeaderName::from_static("Evreg-Recorded-At");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("Evreg-Idempotency-Key");
const ERROR: HeaderName = HeaderName::from_static("Evreg-Error");
const CONSUMER: HeaderName = HeaderName::from_static("Evreg-Consumer");
const ATTEMPTS: HeaderName = HeaderName::from_static("Evreg-Attempts");
const STREAM_SEQ: HeaderName = HeaderName::from_static("Evreg-Stream-Seq");

impl NatsStream {
    /// Connects, then creates the stream if it is missing or checks it if
    /// it exists.
    pub async fn connect(config: NatsConfig) -> Result<NatsStream, BusError> {
        config.check()?;
        let client = async_nats::connect(&config.url)
            .await
            .map_err(|e| BusError::Transport(format!("connecting to {}: {e}", config.url)))?;
        let js = jetstream::ContextBuilder::new()
            .max_ack_inflight(config.ack_window.max(1))
            .backpressure_on_inflight(true)
            .build(client);
        let stream = ensure_stream(&js, &config).await?;
        Ok(NatsStream { config, js, stream })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &NatsConfig {
        &self.config
    }

    /// The JetStream context (for what evreg does not wrap).
    pub fn jetstream(&self) -> &context::Context {
        &self.js
    }

    /// Publishes events in order, with their acknowledgements pipelined (at
    /// most the configured window in flight), and waits for all of them.
    /// An event whose `Nats-Msg-Id` the server has seen inside the
    /// duplicate window is not stored again: its [`Sent`] names the first
    /// one.
    pub async fn publish(&self, events: &[NewEvent]) -> Result<Vec<Sent>, BusError> {
        let mut subjects = Subjects::default();
        let mut pending = Vec::with_capacity(events.len());
        for e in events {
            let message = self.message(&mut subjects, e);
            // The JSON text the bus serialized once: copied, not re-encoded.
            let body = e.payload.get().as_bytes().into();
            pending.push(self.send(e.id, message, body).await?);
        }
        self.acknowledged(pending).await
    }

    /// [`publish`](Self::publish) for events written one at a time: each
    /// is sent as soon as `events` yields it, so the server stores the ones
    /// before while the next is written. When `events` yields an error, the
    /// ones before it were sent.
    pub async fn publish_each(
        &self,
        events: impl IntoIterator<Item = Result<NewEvent, BusError>>,
    ) -> Result<Vec<Sent>, BusError> {
        let events = events.into_iter();
        let mut subjects = Subjects::default();
        let mut pending = Vec::with_capacity(events.size_hint().0);
        for e in events {
            let e = e?;
            let message = self.message(&mut subjects, &e);
            // The JSON text the bus serialized once, handed over as it is.
            let body = Box::<str>::from(e.payload).into_boxed_bytes();
            pending.push(self.send(e.id, message, body).await?);
        }
        self.acknowledged(pending).await
    }

    /// The subject and the envelope of an event, without its payload.
    fn message(
        &self,
        subjects: &mut Subjects,
        e: &NewEvent,
    ) -> (async_nats::Subject, jetstream::message::PublishMessage) {
        let subject = subjects.of(&self.config.subject_prefix, e);
        let message = jetstream::message::PublishMessage::build()
            .headers(headers(e))
            .message_id(message_id(e));
        (subject, message)
    }

    /// Sends one event with its payload's JSON text; its acknowledgement
    /// comes later.
    async fn send(
        &self,
        id: Uuid,
        (subject, message): (async_nats::Subject, jetstream::message::PublishMessage),
        body: Box<[u8]>,
    ) -> Result<PendingAck, BusError> {
        let ack = self
            .js
            .send_publish(subject, message.payload(body.into()))
            .await
            .map_err(|err| BusError::Transport(format!("publishing {id}: {err}")))?;
        Ok((id, ack))
    }

    /// Waits for the acknowledgements of sent events, in order.
    async fn acknowledged(&self, pending: Vec<PendingAck>) -> Result<Vec<Sent>, BusError> {
        let mut sent = Vec::with_capacity(pending.len());
        for (id, ack) in pending {
            let ack = ack
                .await
                .map_err(|err| BusError::Transport(format!("publishing {id}: {err}")))?;
            let id = if ack.duplicate {
                self.get(ack.sequence).await?.id
            } else {
                id
            };
            sent.push(Sent {
                id,
                stream_seq: ack.sequence,
                duplicate: ack.duplicate,
            });
        }
        Ok(sent)
    }

    /// The event at a stream sequence.
    pub async fn get(&self, stream_seq: u64) -> Result<StoredEvent, BusError> {
        let m = self
            .stream
            .get_raw_message(stream_seq)
            .await
            .map_err(|e| BusError::Transport(format!("reading message {stream_seq}: {e}")))?;
        decode(m.sequence, &m.subject, &m.headers, &m.payload)
    }
}

/// The subject of a dead letter: `<prefix>.$dead.<consumer>.<tenant>.<event
/// type>.v<version>` (tokens escaped as in [`subject`], so no tenant is
/// ever `$dead` and event filters never match a dead letter).
pub fn dead_letter_subject(prefix: &str, consumer: &str, event: &StoredEvent) -> String {
    format!(
        "{prefix}.$dead.{}.{}.{}.v{}",
        subject_token(consumer),
        subject_token(&event.tenant_id),
        subject_token(&event.event_type),
        event.version
    )
}

/// Which events a durable consumer receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// The durable name (letters, digits, `_`, `-`).
    pub name: String,
    /// One tenant (`None`: every tenant).
    pub tenant: Option<String>,
    /// One event type (`None`: every type).
    pub event_type: Option<String>,
    /// One payload version of it (`None`: every version).
    pub version: Option<u32>,
    /// Deliveries of one event before the server stops offering it; the
    /// consumer dead-letters it on the last one (`None`: no limit, the
    /// consumer decides).
    pub max_deliver: Option<u32>,
    /// How long a fetched event is the consumer's before the server offers
    /// it again (the consumer died or hangs).
    pub ack_wait: Duration,
    /// Where a consumer that does not exist yet starts: at the stream's
    /// first event (`false`, the default), or with the events published
    /// after it was created (`true`: what the bus does, so that a new
    /// subscriber is not handed the whole history).
    pub from_now: bool,
}

impl ConsumerConfig {
    /// Every event, 5 deliveries, 30 s to acknowledge.
    pub fn new(name: impl Into<String>) -> Self {
        ConsumerConfig {
            name: name.into(),
            tenant: None,
            event_type: None,
            version: None,
            max_deliver: Some(5),
            ack_wait: Duration::from_secs(30),
            from_now: false,
        }
    }

    fn filter_subject(&self, prefix: &str) -> String {
        format!(
            "{prefix}.{}.{}.{}",
            self.tenant.as_deref().map_or("*".into(), subject_token),
            self.event_type.as_deref().map_or("*".into(), subject_token),
            self.version.map_or("*".into(), |v| format!("v{v}"))
        )
    }
}

/// A durable pull consumer of the stream.
#[derive(Debug)]
pub struct NatsConsumer {
    name: String,
    stream: NatsStream,
    consumer: consumer::Consumer<pull::Config>,
}

/// One event handed to a consumer, to settle with [`ack`](Self::ack),
/// [`retry`](Self::retry) or [`dead_letter`](Self::dead_letter).
#[derive(Debug)]
pub struct NatsDelivery {
    /// The event.
    pub event: StoredEvent,
    /// Which delivery of it this is (1 the first time).
    pub attempt: u32,
    message: jetstream::Message,
}

impl NatsStream {
    /// Creates the durable consumer if it is missing, or checks it (filter,
    /// explicit acknowledgement, deliveries, acknowledgement wait) if it
    /// exists. A new one starts where [`ConsumerConfig::from_now`] says.
    pub async fn consumer(&self, config: ConsumerConfig) -> Result<NatsConsumer, BusError> {
        if config.name.is_empty()
            || !config
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(BusError::Transport(format!(
                "consumer name `{}` must be letters, digits, `_` or `-`",
                config.name
            )));
        }
        let wanted = pull::Config {
            durable_name: Some(config.name.clone()),
            filter_subject: config.filter_subject(&self.config.subject_prefix),
            ack_policy: consumer::AckPolicy::Explicit,
            deliver_policy: if config.from_now {
                consumer::DeliverPolicy::New
            } else {
                consumer::DeliverPolicy::All
            },
            max_deliver: config.max_deliver.map_or(-1, |n| i64::from(n.max(1))),
            ack_wait: config.ack_wait,
            ..Default::default()
        };
        let consumer = self
            .stream
            .get_or_create_consumer(&config.name, wanted.clone())
            .await
            .map_err(|e| BusError::Transport(format!("consumer {}: {e}", config.name)))?;
        let actual = &consumer.cached_info().config;
        Differences::default()
            .check("filter", &wanted.filter_subject, &actual.filter_subject)
            .check("ack policy", wanted.ack_policy, actual.ack_policy)
            .check("max deliver", wanted.max_deliver, actual.max_deliver)
            .check("ack wait", wanted.ack_wait, actual.ack_wait)
            .into_result(&format!(
                "consumer {} of stream {}",
                config.name, self.config.stream
            ))?;
        Ok(NatsConsumer {
            name: config.name,
            stream: self.clone(),
            consumer,
        })
    }
}

impl NatsConsumer {
    /// Up to `max` events, waiting up to `wait` for the first (fewer, or
    /// none, when the stream has no more for this consumer).
    pub async fn fetch(&self, max: usize, wait: Duration) -> Result<Vec<NatsDelivery>, BusError> {
        use futures_util::StreamExt;
        let fail = |e: &dyn std::fmt::Display| {
            BusError::Transport(format!("consumer {}: fetching: {e}", self.name))
        };
        let mut messages = self
            .consumer
            .fetch()
            .max_messages(max.max(1))
            .expires(wait)
            .messages()
            .await
            .map_err(|e| fail(&e))?;
        let mut out = Vec::new();
        while let Some(message) = messages.next().await {
            let message = message.map_err(|e| fail(&e))?;
            if let Some(d) = NatsDelivery::read(message).await.map_err(|e| fail(&e))? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The server's view of it now: events not yet offered
    /// (`num_pending`), offered and not acknowledged (`num_ack_pending`), …
    pub async fn info(&self) -> Result<consumer::Info, BusError> {
        self.consumer
            .get_info()
            .await
            .map_err(|e| BusError::Transport(format!("consumer {}: {e}", self.name)))
    }

    /// Its durable name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The dead letters of this consumer, oldest first (up to `max`).
    pub async fn dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, BusError> {
        let prefix = &self.stream.config.subject_prefix;
        self.stream
            .dead_letters_under(
                &format!("{prefix}.$dead.{}.>", subject_token(&self.name)),
                max,
            )
            .await
    }
}

/// Which events [`NatsStream::tail`] follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailFilter {
    /// Only this tenant's.
    pub tenant: Option<String>,
    /// Only this event type's.
    pub event_type: Option<String>,
    /// Starting with the events recorded since then (`None`: only events
    /// published from now on).
    pub since: Option<std::time::SystemTime>,
}

/// Events as [`NatsStream::tail`] follows them.
pub type Tail =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<StoredEvent, BusError>> + Send>>;

impl NatsStream {
    /// Follows the stream live (an ordered consumer of its own, gone with
    /// the returned stream): for watching events while debugging. Nothing
    /// is acknowledged and no durable consumer is touched.
    pub async fn tail(&self, filter: TailFilter) -> Result<Tail, BusError> {
        use futures_util::StreamExt;
        let prefix = &self.config.subject_prefix;
        let token = |t: &Option<String>| t.as_deref().map_or("*".into(), subject_token);
        let config = pull::OrderedConfig {
            filter_subject: format!(
                "{prefix}.{}.{}.*",
                token(&filter.tenant),
                token(&filter.event_type)
            ),
            deliver_policy: match filter.since {
                Some(t) => consumer::DeliverPolicy::ByStartTime {
                    start_time: t.into(),
                },
                None => consumer::DeliverPolicy::New,
            },
            ..Default::default()
        };
        let fail = |e: &dyn std::fmt::Display| BusError::Transport(format!("tailing: {e}"));
        let messages = self
            .stream
            .create_consumer(config)
            .await
            .map_err(|e| fail(&e))?
            .messages()
            .await
            .map_err(|e| fail(&e))?;
        Ok(Box::pin(messages.filter_map(|m| async move {
            let m = match m {
                Ok(m) => m,
                Err(e) => return Some(Err(BusError::Transport(format!("tailing: {e}")))),
            };
            let seq = m.info().map(|i| i.stream_sequence).unwrap_or_default();
            let headers = m.headers.clone().unwrap_or_default();
            // Messages that are not evreg events are passed over.
            decode(seq, &m.subject, &headers, &m.payload).ok().map(Ok)
        })))
    }

    /// The dead letters of every consumer of one tenant's events, oldest
    /// first (up to `max`).
    pub async fn tenant_dead_letters(
        &self,
        tenant_id: &str,
        max: usize,
    ) -> Result<Vec<DeadLetter>, BusError> {
        let prefix = &self.config.subject_prefix;
        self.dead_letters_under(
            &format!("{prefix}.$dead.*.{}.>", subject_token(tenant_id)),
            max,
        )
        .await
    }

    async fn dead_letters_under(
        &self,
        filter: &str,
        max: usize,
    ) -> Result<Vec<DeadLetter>, BusError> {
        let mut out = Vec::new();
        let mut next = 1;
        while out.len() < max {
            let m = match self
                .stream
                .direct_get_next_for_subject(filter, Some(next))
                .await
            {
                Ok(m) => m,
                Err(e) if e.kind() == stream::DirectGetErrorKind::NotFound => break,
                Err(e) => {
                    return Err(BusError::Transport(format!("reading dead letters: {e}")));
                }
            };
            next = m.sequence + 1;
            let header = |name: HeaderName| m.headers.get(name).map(|v| v.as_str().to_owned());
            let mut event = decode(m.sequence, &m.subject, &m.headers, &m.payload)?;
            // The sequence of the event itself, not of its dead letter.
            if let Some(seq) = header(STREAM_SEQ).and_then(|s| s.parse().ok()) {
                event.seq = seq;
            }
            out.push(DeadLetter {
                consumer: header(CONSUMER).unwrap_or_default(),
                error: header(ERROR).unwrap_or_default(),
                attempts: header(ATTEMPTS).and_then(|s| s.parse().ok()).unwrap_or(0),
                at: m.time.into(),
                event,
            });
        }
        Ok(out)
    }
}

/// An event a consumer gave up on, with the last error.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    /// The event.
    pub event: StoredEvent,
    /// The consumer that gave up.
    pub consumer: String,
    /// The handler's last error.
    pub error: String,
    /// How many times it was handed out.
    pub attempts: u32,
    /// When it was given up.
    pub at: std::time::SystemTime,
}

impl NatsDelivery {
    /// The delivery a message of the stream is, or `None` for a message that
    /// is not an evreg event (another publisher on our subjects): nothing can
    /// handle it and offering it again changes nothing, so it is terminated.
    async fn read(message: jetstream::Message) -> Result<Option<NatsDelivery>, BusError> {
        let (stream_seq, delivered) = {
            let info = message
                .info()
                .map_err(|e| BusError::Transport(e.to_string()))?;
            (info.stream_sequence, info.delivered)
        };
        let headers = message.headers.clone().unwrap_or_default();
        match decode(stream_seq, &message.subject, &headers, &message.payload) {
            Ok(event) => Ok(Some(NatsDelivery {
                event,
                attempt: u32::try_from(delivered).unwrap_or(u32::MAX),
                message,
            })),
            Err(_) => {
                let _ = message.ack_with(jetstream::AckKind::Term).await;
                Ok(None)
            }
        }
    }

    /// Handled: the server never offers it to this consumer again.
    pub async fn ack(self) -> Result<(), BusError> {
        self.message
            .double_ack()
            .await
            .map_err(|e| BusError::Transport(format!("acknowledging {}: {e}", self.event.id)))
    }

    /// Failed: offered again after `delay`.
    pub async fn retry(self, delay: Duration) -> Result<(), BusError> {
        self.message
            .ack_with(jetstream::AckKind::Nak(Some(delay)))
            .await
            .map_err(|e| BusError::Transport(format!("retrying {}: {e}", self.event.id)))
    }

    /// Given up: the event goes to the consumer's dead-letter subject with
    /// the error (stored before the delivery ends, so it is never lost),
    /// then the server stops offering it.
    pub async fn dead_letter(self, consumer: &NatsConsumer, error: &str) -> Result<(), BusError> {
        let stream = &consumer.stream;
        let subject =
            dead_letter_subject(&stream.config.subject_prefix, &consumer.name, &self.event);
        let mut headers = self.message.headers.clone().unwrap_or_default();
        // `Nats-Msg-Id` becomes the dead letter's own.
        headers.insert(EVENT_ID, self.event.id.to_string());
        headers.insert(ERROR, error.replace(['\r', '\n'], " "));
        headers.insert(CONSUMER, consumer.name.as_str());
        headers.insert(ATTEMPTS, self.attempt.to_string());
        headers.insert(STREAM_SEQ, self.event.seq.to_string());
        let fail = |e: &dyn std::fmt::Display| {
            BusError::Transport(format!("dead-lettering {}: {e}", self.event.id))
        };
        // A repeat of this dead letter (the consumer died before `Term`) is
        // dropped by the server.
        let publish = jetstream::message::PublishMessage::build()
            .payload(self.message.payload.clone())
            .headers(headers)
            .message_id(format!("dead:{}:{}", consumer.name, self.event.id));
        stream
            .js
            .send_publish(subject, publish)
            .await
            .map_err(|e| fail(&e))?
            .await
            .map_err(|e| fail(&e))?;
        self.message
            .ack_with(jetstream::AckKind::Term)
            .await
            .map_err(|e| fail(&e))
    }
}

async fn ensure_stream(
    js: &context::Context,
    config: &NatsConfig,
) -> Result<stream::Stream, BusError> {
    let wanted = config.stream_config();
    match js.get_stream(&config.stream).await {
        Ok(mut s) => {
            let info = s
                .info()
                .await
                .map_err(|e| BusError::Transport(format!("stream {}: {e}", config.stream)))?;
            let actual = &info.config;
            Differences::default()
                .check("subjects", &wanted.subjects, &actual.subjects)
                .check("retention", wanted.retention, actual.retention)
                .check("storage", wanted.storage, actual.storage)
                .check("replicas", wanted.num_replicas, actual.num_replicas)
                .check("max age", wanted.max_age, actual.max_age)
                .check("direct get", wanted.allow_direct, actual.allow_direct)
                .check(
                    "duplicate window",
                    wanted.duplicate_window,
                    actual.duplicate_window,
                )
                .into_result(&format!("stream {}", config.stream))?;
            Ok(s)
        }
        Err(e)
            if matches!(e.kind(), context::GetStreamErrorKind::JetStream(ref j)
                if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
        {
            js.create_stream(wanted)
                .await
                .map_err(|e| BusError::Transport(format!("creating stream {}: {e}", config.stream)))
        }
        Err(e) => Err(BusError::Transport(format!(
            "stream {}: {e}",
            config.stream
        ))),
    }
}

/// The settings of a stream or consumer on the server that differ from the
/// configuration.
#[derive(Default)]
struct Differences(Vec<String>);

impl Differences {
    fn check(
        mut self,
        what: &str,
        wanted: impl std::fmt::Debug,
        actual: impl std::fmt::Debug,
    ) -> Self {
        let (wanted, actual) = (format!("{wanted:?}"), format!("{actual:?}"));
        if wanted != actual {
            self.0
                .push(format!("{what}: wanted {wanted}, found {actual}"));
        }
        self
    }

    /// An error naming `what` and every difference, if there is one.
    fn into_result(self, what: &str) -> Result<(), BusError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(BusError::Transport(format!(
            "{what} exists with another configuration ({}); change one side on purpose, evreg does not reconfigure it",
            self.0.join("; ")
        )))
    }
}

fn message_id(e: &NewEvent) -> String {
    match &e.idempotency_key {
        Some(key) => format!("{}:{key}", e.tenant_id),
        None => e.id.to_string(),
    }
}

/// The envelope's headers. Tenant, event type and version are in the
/// subject; the event id is `Nats-Msg-Id` unless an idempotency key holds
/// that place, and the recording time is in the id (`store::event_id`)
/// unless the event came with an id of its own. Fewer bytes per message
/// are more messages per second.
fn headers(e: &NewEvent) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(SCHEMA_REF, &*e.schema_ref);
    if store::recorded_at_of(e.id) != Some(e.recorded_at) {
        h.insert(RECORDED_AT, e.recorded_at.to_string());
    }
    if let Some(key) = &e.idempotency_key {
        h.insert(EVENT_ID, e.id.to_string());
        h.insert(IDEMPOTENCY_KEY, key.as_str());
    }
    h
}

/// Tenant, event type and version from the last three tokens of a subject
/// (an event's `<prefix>.<tenant>.<type>.v<version>`, and a dead letter's
/// `<prefix>.$dead.<consumer>.<tenant>.<type>.v<version>`).
fn from_subject(subject: &str) -> Option<(String, String, u32)> {
    let mut tokens = subject.rsplitn(4, '.');
    let version = tokens.next()?.strip_prefix('v')?.parse().ok()?;
    let event_type = unescape_token(tokens.next()?)?;
    let tenant = unescape_token(tokens.next()?)?;
    tokens.next()?;
    Some((tenant, event_type, version))
}

/// [`subject_token`] read back.
fn unescape_token(token: &str) -> Option<String> {
    let mut out = Vec::with_capacity(token.len());
    let mut bytes = token.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// Reads an event back from a message's subject, headers and body.
pub(super) fn decode(
    stream_seq: u64,
    subject: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<StoredEvent, BusError> {
    let missing = |name: &dyn std::fmt::Display| {
        BusError::Transport(format!(
            "message {stream_seq} has no `{name}` header: not published by evreg"
        ))
    };
    let header = |name: HeaderName| {
        headers
            .get(name.clone())
            .map(|v| v.as_str().to_owned())
            .ok_or_else(|| missing(&name))
    };
    let bad = |name: &dyn std::fmt::Display| {
        BusError::Transport(format!("message {stream_seq}: bad `{name}`"))
    };
    let (tenant_id, event_type, version) = from_subject(subject).ok_or_else(|| bad(&subject))?;
    let id: Uuid = headers
        .get(EVENT_ID)
        .or_else(|| headers.get(async_nats::header::NATS_MESSAGE_ID))
        .ok_or_else(|| missing(&EVENT_ID))?
        .as_str()
        .parse()
        .map_err(|_| bad(&EVENT_ID))?;
    let recorded_at = match headers.get(RECORDED_AT) {
        Some(v) => v.as_str().parse().map_err(|_| bad(&RECORDED_AT))?,
        None => store::recorded_at_of(id).ok_or_else(|| missing(&RECORDED_AT))?,
    };
    Ok(StoredEvent {
        seq: i64::try_from(stream_seq).map_err(|_| bad(&"sequence"))?,
        id,
        tenant_id,
        event_type,
        schema_ref: header(SCHEMA_REF)?,
        version,
        payload: serde_json::from_slice(body)
            .map_err(|e| BusError::Transport(format!("message {stream_seq}: body: {e}")))?,
        idempotency_key: headers.get(IDEMPOTENCY_KEY).map(|v| v.as_str().to_owned()),
        recorded_at: from_micros(recorded_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_keep_tokens_apart_and_read_back() {
        assert_eq!(
            subject("evreg", "acme", "course.graduated", 2),
            "evreg.acme.course%2Egraduated.v2"
        );
        assert_eq!(
            subject("a.b", "9d1afc45-a247", "TICKET_CREATED", 1),
            "a.b.9d1afc45-a247.TICKET_CREATED.v1"
        );
        // Distinct inputs, distinct tokens (the escape itself is escaped).
        assert_ne!(subject_token("a.b"), subject_token("a%2Eb"));
        assert_eq!(subject_token("x y*>"), "x%20y%2A%3E");
    }

    #[test]
    fn the_envelope_reads_back_from_event_and_dead_letter_subjects() {
        for (tenant, event_type, version) in [
            ("acme", "course.graduated", 2),
            ("9d1afc45-a247", "TICKET_CREATED", 1),
            ("a%2Eb x", "é.*>", 40),
        ] {
            let want = Some((tenant.to_owned(), event_type.to_owned(), version));
            let event = subject("evreg.prod", tenant, event_type, version);
            assert_eq!(from_subject(&event), want, "{event}");
            let dead = format!(
                "evreg.prod.$dead.{}",
                event.strip_prefix("evreg.prod.").unwrap()
            );
            assert_eq!(from_subject(&dead), want, "{dead}");
        }
        for bad in [
            "",
            "x.TICKET.v1",
            "p.t.TICKET.1",
            "p.t.TICKET.vx",
            "p.%4.T.v1",
            "p.%FF.T.v1",
        ] {
            assert_eq!(from_subject(bad), None, "{bad}");
        }
    }

    #[test]
    fn configuration_from_the_environment() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            NatsConfig::from_vars(vars(&[])).unwrap(),
            NatsConfig::default()
        );
        let c = NatsConfig::from_vars(vars(&[
            ("EVREG_NATS_URL", "nats://n1:4222,nats://n2:4222"),
            ("EVREG_NATS_STREAM", "ACME"),
            ("EVREG_NATS_PREFIX", "acme.events"),
            ("EVREG_NATS_REPLICAS", "3"),
            ("EVREG_NATS_RETENTION", "interest"),
            ("EVREG_NATS_MAX_AGE", "7d"),
            ("EVREG_NATS_DUPLICATE_WINDOW", "10m"),
        ]))
        .unwrap();
        assert_eq!(c.stream, "ACME");
        assert_eq!(c.subjects(), "acme.events.>");
        assert_eq!(c.replicas, 3);
        assert_eq!(c.retention, Retention::Interest);
        assert_eq!(c.max_age, Duration::from_secs(7 * 86_400));
        assert_eq!(c.duplicate_window, Duration::from_secs(600));
        for (name, value, says) in [
            ("EVREG_NATS_REPLICAS", "0", "expected 1 to 5"),
            (
                "EVREG_NATS_RETENTION",
                "forever",
                "expected `limits` or `interest`",
            ),
            ("EVREG_NATS_MAX_AGE", "soon", "EVREG_NATS_MAX_AGE=`soon`"),
            ("EVREG_NATS_STREAM", "a.b", "stream name `a.b`"),
            ("EVREG_NATS_PREFIX", "a.*", "subject prefix `a.*`"),
        ] {
            let err = NatsConfig::from_vars(|n| (n == name).then(|| value.to_string()))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{name}={value}: {err}");
        }
    }
}
