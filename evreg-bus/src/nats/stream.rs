//! The stream: connecting (it is created when missing and checked when it
//! exists), publishing with pipelined acknowledgements, reading events back,
//! following them live, and reading dead letters.

use async_nats::HeaderName;
use async_nats::jetstream::consumer::{self, pull};
use async_nats::jetstream::{self, context, stream};
use uuid::Uuid;

use super::config::{Differences, NatsConfig};
use super::consumer::DeadLetter;
use super::subject::{
    ATTEMPTS, CONSUMER, ERROR, STREAM_SEQ, Subjects, decode, headers, message_id, subject_token,
};
use crate::error::BusError;
use crate::store::{NewEvent, StoredEvent};
use crate::time::Timestamp;

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

/// A connection to the stream of a catalog's events.
#[derive(Clone, Debug)]
pub struct NatsStream {
    pub(super) config: NatsConfig,
    pub(super) js: context::Context,
    pub(super) stream: stream::Stream,
}

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

/// Which events [`NatsStream::tail`] follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailFilter {
    /// Only this tenant's.
    pub tenant: Option<String>,
    /// Only this event type's.
    pub event_type: Option<String>,
    /// Starting with the events recorded since then (`None`: only events
    /// published from now on).
    pub since: Option<Timestamp>,
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
                    start_time: std::time::SystemTime::from(t).into(),
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

    pub(super) async fn dead_letters_under(
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
                at: Timestamp::from(std::time::SystemTime::from(m.time)),
                event,
            });
        }
        Ok(out)
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
