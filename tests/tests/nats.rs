//! The JetStream stream against a real NATS server (`EVREG_TEST_NATS_URL`,
//! required in CI; skipped loudly elsewhere): created when missing, checked
//! when present, events read back as published, repeats dropped per tenant
//! and idempotency key.

use std::time::Duration;

use evreg::bus::BusError;
use evreg::bus::NewEvent;
use evreg::bus::nats::{ConsumerConfig, NatsConfig, NatsStream, subject};
use evreg::uuid::Uuid;

/// A stream and subject prefix of its own for one test, or `None` (and a
/// loud note) when `EVREG_TEST_NATS_URL` is not set.
fn config() -> Option<NatsConfig> {
    evreg_tests::services::nats_config("the NATS tests")
}

/// Deletes a test's stream (its messages expire anyway).
async fn drop_stream(stream: &NatsStream) {
    let name = stream.config().stream.clone();
    stream.jetstream().delete_stream(&name).await.unwrap();
}

fn event(tenant: &str, key: Option<&str>, n: u64) -> NewEvent {
    NewEvent {
        id: Uuid::now_v7(),
        tenant_id: tenant.into(),
        event_type: "course.graduated".into(),
        schema_ref: "payload.CourseGraduated.v2".into(),
        version: 2,
        payload: serde_json::value::to_raw_value(
            &serde_json::json!({ "tenantId": tenant, "n": n, "note": "quote \" and ünïcode" }),
        )
        .unwrap(),
        idempotency_key: key.map(str::to_owned),
        recorded_at: evreg::bus::Timestamp::from_micros(1_764_000_000_000_000 + n as i64),
    }
}

#[tokio::test]
async fn events_come_back_as_published_under_their_subject() {
    let Some(config) = config() else { return };
    let stream = NatsStream::connect(config.clone()).await.unwrap();
    let events: Vec<NewEvent> = (0..3).map(|n| event("tenant-a", None, n)).collect();
    let sent = stream.publish(&events).await.unwrap();
    assert_eq!(sent.len(), 3);
    for (e, s) in events.iter().zip(&sent) {
        assert_eq!((s.id, s.duplicate), (e.id, false));
        let back = stream.get(s.stream_seq).await.unwrap();
        assert_eq!(back.id, e.id);
        assert_eq!(back.tenant_id, e.tenant_id);
        assert_eq!(back.event_type, e.event_type);
        assert_eq!(back.schema_ref, e.schema_ref);
        assert_eq!(back.version, e.version);
        // The very text published: nothing parsed and written again.
        assert_eq!(back.payload.get(), e.payload.get());
        assert_eq!(back.idempotency_key, None);
        assert_eq!(back.recorded_at, e.recorded_at);
    }
    // In publishing order, on the documented subject.
    assert!(sent.windows(2).all(|w| w[0].stream_seq < w[1].stream_seq));
    let raw = stream
        .jetstream()
        .get_stream(&config.stream)
        .await
        .unwrap()
        .get_raw_message(sent[0].stream_seq)
        .await
        .unwrap();
    assert_eq!(
        raw.subject.as_str(),
        subject(&config.subject_prefix, "tenant-a", "course.graduated", 2)
    );
    drop_stream(&stream).await;
}

#[tokio::test]
async fn the_recording_time_travels_in_the_id_when_the_id_carries_it() {
    let Some(config) = config() else { return };
    let stream = NatsStream::connect(config.clone()).await.unwrap();
    // An id the bus makes (the time in it), with and without an idempotency
    // key (the id then in `Evreg-Event-Id`), and an id of the caller's own.
    let mut own = event("tenant-a", None, 3);
    let mut keyed = event("tenant-a", Some("import-9"), 2);
    let mut carried = event("tenant-a", None, 1);
    for e in [&mut carried, &mut keyed] {
        e.id = evreg::bus::store::event_id(e.recorded_at);
    }
    own.id = Uuid::now_v7();
    let events = [carried, keyed, own];
    let sent = stream.publish(&events).await.unwrap();
    let js_stream = stream.jetstream().get_stream(&config.stream).await.unwrap();
    for (e, s, header) in [
        (&events[0], &sent[0], false),
        (&events[1], &sent[1], false),
        (&events[2], &sent[2], true),
    ] {
        let back = stream.get(s.stream_seq).await.unwrap();
        assert_eq!(back.id, e.id);
        assert_eq!(back.recorded_at, e.recorded_at);
        let raw = js_stream.get_raw_message(s.stream_seq).await.unwrap();
        assert_eq!(
            raw.headers.get("Evreg-Recorded-At").is_some(),
            header,
            "{:?}",
            raw.headers
        );
    }
    drop_stream(&stream).await;
}

#[tokio::test]
async fn a_repeated_idempotency_key_is_stored_once_per_tenant() {
    let Some(config) = config() else { return };
    let stream = NatsStream::connect(config).await.unwrap();
    let first = stream
        .publish(&[event("tenant-a", Some("import-1"), 1)])
        .await
        .unwrap()[0];
    // Again, alone and inside a batch; and the same key in another tenant.
    let again = stream
        .publish(&[event("tenant-a", Some("import-1"), 2)])
        .await
        .unwrap()[0];
    let batch = stream
        .publish(&[
            event("tenant-a", Some("import-2"), 3),
            event("tenant-a", Some("import-1"), 4),
            event("tenant-b", Some("import-1"), 5),
        ])
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert_eq!(
        (again.id, again.stream_seq, again.duplicate),
        (first.id, first.stream_seq, true)
    );
    assert!(!batch[0].duplicate);
    assert_eq!((batch[1].id, batch[1].duplicate), (first.id, true));
    assert!(!batch[2].duplicate);
    assert_ne!(batch[2].id, first.id);
    // The first publish's payload is what the stream holds.
    let kept = stream.get(first.stream_seq).await.unwrap();
    assert_eq!(kept.payload_as::<serde_json::Value>().unwrap()["n"], 1);
    assert_eq!(kept.idempotency_key.as_deref(), Some("import-1"));
    drop_stream(&stream).await;
}

#[tokio::test]
async fn an_existing_stream_is_checked_not_reconfigured() {
    let Some(config) = config() else { return };
    NatsStream::connect(config.clone()).await.unwrap();
    // The same configuration connects again.
    NatsStream::connect(config.clone()).await.unwrap();
    let other = NatsConfig {
        duplicate_window: Duration::from_secs(30),
        retention: evreg::bus::nats::Retention::Interest,
        ..config.clone()
    };
    let err = NatsStream::connect(other).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, BusError::Transport(_)), "{text}");
    assert!(text.contains(&config.stream), "{text}");
    assert!(
        text.contains("duplicate window: wanted 30s, found 120s"),
        "{text}"
    );
    assert!(
        text.contains("retention: wanted Interest, found Limits"),
        "{text}"
    );
    // Untouched: the original configuration still matches.
    let stream = NatsStream::connect(config).await.unwrap();
    drop_stream(&stream).await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    let Some(config) = config() else { return };
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = NatsStream::connect(NatsConfig {
        url: format!("nats://127.0.0.1:{port}"),
        ..config
    })
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("connecting to nats://127.0.0.1:{port}")),
        "{err}"
    );
}

/// Publishes `n` events of `event_type` in tenant `tenant-a`.
async fn publish(stream: &NatsStream, event_type: &str, n: u64) -> Vec<Uuid> {
    let events: Vec<NewEvent> = (0..n)
        .map(|i| NewEvent {
            event_type: event_type.to_owned().into(),
            ..event("tenant-a", None, i)
        })
        .collect();
    stream.publish(&events).await.unwrap();
    events.iter().map(|e| e.id).collect()
}

/// How long a fetch waits for events the stream already holds.
const WAIT: Duration = Duration::from_secs(2);
/// How long a fetch waits to show there is nothing (a bound, not a timing).
const NOTHING: Duration = Duration::from_millis(300);

#[tokio::test]
async fn each_durable_consumer_gets_its_events_in_order_once_acknowledged() {
    let Some(config) = config() else { return };
    let stream = NatsStream::connect(config).await.unwrap();
    let graduated = publish(&stream, "course.graduated", 3).await;
    let other = publish(&stream, "TICKET_CREATED", 2).await;
    let every = stream.consumer(ConsumerConfig::new("audit")).await.unwrap();
    let only = stream
        .consumer(ConsumerConfig {
            event_type: Some("course.graduated".into()),
            version: Some(2),
            ..ConsumerConfig::new("certificates")
        })
        .await
        .unwrap();
    let got = every.fetch(10, WAIT).await.unwrap();
    let ids: Vec<Uuid> = got.iter().map(|d| d.event.id).collect();
    assert_eq!(ids, [graduated.clone(), other].concat());
    assert!(got.iter().all(|d| d.attempt == 1));
    for d in got {
        d.ack().await.unwrap();
    }
    let got = only.fetch(10, WAIT).await.unwrap();
    assert_eq!(
        got.iter().map(|d| d.event.id).collect::<Vec<_>>(),
        graduated
    );
    for d in got {
        d.ack().await.unwrap();
    }
    // Acknowledged: never offered again, also not to a reconnected consumer.
    assert!(every.fetch(10, NOTHING).await.unwrap().is_empty());
    let again = stream.consumer(ConsumerConfig::new("audit")).await.unwrap();
    assert!(again.fetch(10, NOTHING).await.unwrap().is_empty());
    drop_stream(&stream).await;
}

#[tokio::test]
async fn a_failed_event_is_offered_again_then_dead_lettered() {
    let Some(config) = config() else { return };
    let stream = NatsStream::connect(config).await.unwrap();
    let ids = publish(&stream, "course.graduated", 2).await;
    let consumer = stream
        .consumer(ConsumerConfig {
            max_deliver: Some(2),
            ..ConsumerConfig::new("chat")
        })
        .await
        .unwrap();
    let mut first = consumer.fetch(1, WAIT).await.unwrap();
    let failing = first.pop().unwrap();
    assert_eq!((failing.event.id, failing.attempt), (ids[0], 1));
    failing.retry(Duration::ZERO).await.unwrap();
    // Offered again (second attempt), ahead of or after the other event.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        for d in consumer.fetch(2, WAIT).await.unwrap() {
            seen.push((d.event.id, d.attempt));
            if d.event.id == ids[0] {
                d.dead_letter(&consumer, "chat is down\nfor good")
                    .await
                    .unwrap();
            } else {
                d.ack().await.unwrap();
            }
        }
    }
    seen.sort();
    let mut want = vec![(ids[0], 2), (ids[1], 1)];
    want.sort();
    assert_eq!(seen, want);
    assert!(consumer.fetch(10, NOTHING).await.unwrap().is_empty());
    let dead = consumer.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].event.id, ids[0]);
    assert_eq!(
        dead[0].event.payload_as::<serde_json::Value>().unwrap()["n"],
        0
    );
    assert_eq!(dead[0].error, "chat is down for good");
    // Dead letters are not events: a consumer of every event does not see them.
    let audit = stream.consumer(ConsumerConfig::new("audit")).await.unwrap();
    assert_eq!(audit.fetch(10, WAIT).await.unwrap().len(), 2);
    drop_stream(&stream).await;
}

#[tokio::test]
async fn an_existing_consumer_is_checked_not_reconfigured() {
    let Some(config) = config() else { return };
    let stream = NatsStream::connect(config).await.unwrap();
    stream.consumer(ConsumerConfig::new("role")).await.unwrap();
    let err = stream
        .consumer(ConsumerConfig {
            max_deliver: Some(9),
            event_type: Some("TICKET_CREATED".into()),
            ..ConsumerConfig::new("role")
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("consumer role"), "{err}");
    assert!(err.contains("max deliver: wanted 9, found 5"), "{err}");
    assert!(err.contains("filter: wanted"), "{err}");
    let err = stream
        .consumer(ConsumerConfig::new("no spaces"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("consumer name `no spaces`"), "{err}");
    drop_stream(&stream).await;
}
