//! Durable pull consumers of the stream: their configuration, fetching
//! deliveries, and settling them (ack, retry after a delay, dead letter).

use std::time::Duration;

use async_nats::jetstream;
use async_nats::jetstream::consumer::{self, pull};

use super::config::Differences;
use super::stream::NatsStream;
use super::subject::{
    ATTEMPTS, CONSUMER, ERROR, EVENT_ID, STREAM_SEQ, dead_letter_subject, decode, subject_token,
};
use crate::error::BusError;
use crate::store::StoredEvent;
use crate::time::Timestamp;

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
    pub(super) name: String,
    pub(super) stream: NatsStream,
    pub(super) consumer: consumer::Consumer<pull::Config>,
}

/// One event handed to a consumer, to settle with [`ack`](Self::ack),
/// [`retry`](Self::retry) or [`dead_letter`](Self::dead_letter).
#[derive(Debug)]
pub struct NatsDelivery {
    /// The event.
    pub event: StoredEvent,
    /// Which delivery of it this is (1 the first time).
    pub attempt: u32,
    pub(super) message: jetstream::Message,
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
    pub at: Timestamp,
}

impl NatsDelivery {
    /// The delivery a message of the stream is, or `None` for a message that
    /// is not an evreg event (another publisher on our subjects): nothing can
    /// handle it and offering it again changes nothing, so it is terminated.
    pub(super) async fn read(
        message: jetstream::Message,
    ) -> Result<Option<NatsDelivery>, BusError> {
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
