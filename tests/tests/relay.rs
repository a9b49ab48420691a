//! The outbox relay, PostgreSQL (`EVREG_TEST_POSTGRES_URL`) to JetStream
//! (`EVREG_TEST_NATS_URL`), both required in CI: events committed with
//! `publish_in` reach the stream once (rolled back ones never), several
//! relays share the outbox without publishing an event twice, and a relay
//! killed between publishing and marking causes no duplicate in the stream
//! nor a second handling by a consumer of the NATS bus.
//!
//! The killed relay is this test binary itself, run with
//! `EVREG_RELAY_CHILD` set (see `child`): it aborts the process right after
//! the stream acknowledged its first batch, before marking it.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evreg::EventPayload;
use evreg::bus::nats::{NatsConfig, NatsStream, NatsTransport};
use evreg::bus::{Bus, BusOptions, Envelope, PostgresStore, Relay, tokio_postgres};
use evreg::enrich::PublishContext;
use evreg::uuid::Uuid;
use evreg_tests::acme::TicketCreatedV1;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";
/// Every test's bound.
const BOUND: Duration = Duration::from_secs(90);

fn refs() -> Vec<String> {
    vec![TicketCreatedV1::SCHEMA_REF.to_owned()]
}

/// A PostgreSQL schema and a stream of the test's own, or `None`: skipped
/// loudly without the services, quietly in the child process.
async fn services() -> Option<(String, NatsConfig)> {
    if std::env::var_os("EVREG_RELAY_CHILD").is_some() {
        return None;
    }
    let url = evreg_tests::services::postgres_schema("the relay tests").await?;
    let config = evreg_tests::services::nats_config("the relay tests")?;
    Some((url, config))
}

/// Commits `n` events with `publish_in` in one PostgreSQL transaction (or
/// rolls them back); their ids.
async fn commit(url: &str, bus: &Bus, n: usize, tag: &str, keep: bool) -> Vec<Uuid> {
    let (mut client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let tx = client.transaction().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let payload = evreg_tests::ticket_created(TENANT, &format!("{tag} {i}"));
        let published = bus
            .publish_in(&tx, &PublishContext::new(TENANT), payload)
            .await
            .unwrap();
        ids.push(published.id);
    }
    if keep {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    ids
}

/// Every event id in the stream, in stream order.
async fn stream_ids(stream: &NatsStream) -> Vec<Uuid> {
    let last = stream
        .jetstream()
        .get_stream(&stream.config().stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .last_sequence;
    let mut ids = Vec::new();
    for seq in 1..=last {
        ids.push(stream.get(seq).await.unwrap().id);
    }
    ids
}

async fn drop_stream(stream: &NatsStream) {
    let name = stream.config().stream.clone();
    stream.jetstream().delete_stream(&name).await.unwrap();
}

/// Relays until nothing is left.
async fn relay_all(relay: &Relay) -> (usize, usize) {
    let (mut published, mut repeated) = (0, 0);
    loop {
        let r = relay.step().await.unwrap();
        if r.published + r.repeated == 0 {
            return (published, repeated);
        }
        published += r.published;
        repeated += r.repeated;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_events_reach_the_stream_once_and_rolled_back_ones_never() {
    let Some((url, config)) = services().await else {
        return;
    };
    tokio::time::timeout(BOUND, async {
        let stream = NatsStream::connect(config).await.unwrap();
        let relay =
            Relay::new(PostgresStore::connect(&url).await.unwrap(), stream.clone()).batch(7);
        relay.register(&refs()).await.unwrap();
        let bus = Bus::postgres(&url).await.unwrap();
        let mut kept = commit(&url, &bus, 10, "kept", true).await;
        commit(&url, &bus, 5, "rolled back", false).await;
        kept.extend(commit(&url, &bus, 10, "kept too", true).await);
        assert_eq!(relay_all(&relay).await, (20, 0));
        assert_eq!(
            stream_ids(&stream).await,
            kept,
            "each once, in commit order"
        );
        // The events arrive as published: headers, subject, payload.
        let first = stream.get(1).await.unwrap();
        assert_eq!(first.tenant_id, TENANT);
        assert_eq!(first.schema_ref, TicketCreatedV1::SCHEMA_REF);
        assert_eq!(
            first.payload_as::<serde_json::Value>().unwrap()["title"],
            "kept 0"
        );
        assert_eq!(relay_all(&relay).await, (0, 0), "nothing twice");
        bus.shutdown().await;
        drop_stream(&stream).await;
    })
    .await
    .expect("bounded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_relays_share_the_outbox() {
    let Some((url, config)) = services().await else {
        return;
    };
    tokio::time::timeout(BOUND, async {
        let stream = NatsStream::connect(config).await.unwrap();
        let mut relays = Vec::new();
        for _ in 0..3 {
            let store = PostgresStore::connect(&url).await.unwrap();
            relays.push(Relay::new(store, stream.clone()).batch(25));
        }
        relays[0].register(&refs()).await.unwrap();
        let bus = Bus::postgres(&url).await.unwrap();
        let mut ids = Vec::new();
        for round in 0..4 {
            ids.extend(commit(&url, &bus, 100, &format!("round {round}"), true).await);
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let tasks: Vec<_> = relays
            .into_iter()
            .map(|relay| {
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    let stop = async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    };
                    relay.run(stop, |e| panic!("{e}")).await
                })
            })
            .collect();
        // Until the stream holds every event.
        let mut info = stream
            .jetstream()
            .get_stream(&stream.config().stream)
            .await
            .unwrap();
        while info.info().await.unwrap().state.messages < ids.len() as u64 {
            tokio::task::yield_now().await;
        }
        stop.send_replace(true);
        let mut published = 0;
        let mut repeated = 0;
        for t in tasks {
            let r = t.await.unwrap();
            published += r.published;
            repeated += r.repeated;
        }
        assert_eq!(
            (published, repeated),
            (ids.len(), 0),
            "no event claimed twice"
        );
        let mut in_stream = stream_ids(&stream).await;
        in_stream.sort();
        ids.sort();
        assert_eq!(in_stream, ids);
        bus.shutdown().await;
        drop_stream(&stream).await;
    })
    .await
    .expect("bounded");
}

/// The child: relays from `EVREG_RELAY_CHILD` (a database URL) into the
/// stream `EVREG_RELAY_STREAM`/`EVREG_RELAY_PREFIX`, and aborts as soon as
/// the stream acknowledged its first batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child() {
    let Ok(url) = std::env::var("EVREG_RELAY_CHILD") else {
        return;
    };
    let config = NatsConfig {
        url: std::env::var("EVREG_TEST_NATS_URL").unwrap(),
        stream: std::env::var("EVREG_RELAY_STREAM").unwrap(),
        subject_prefix: std::env::var("EVREG_RELAY_PREFIX").unwrap(),
        max_age: Duration::from_secs(600),
        ..NatsConfig::default()
    };
    let stream = NatsStream::connect(config).await.unwrap();
    // A short lease: its batch is claimed again soon after it died.
    let relay = Relay::new(PostgresStore::connect(&url).await.unwrap(), stream)
        .lease(Duration::from_millis(300))
        .batch(40)
        .after_publish(|_| std::process::abort());
    relay.step().await.unwrap();
    unreachable!("the relay aborts once its batch is published");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_between_publishing_and_marking_duplicates_nothing() {
    let Some((url, config)) = services().await else {
        return;
    };
    tokio::time::timeout(BOUND, async {
        let transport = NatsTransport::connect(config.clone()).await.unwrap();
        let stream = transport.stream().clone();
        // A consumer of the NATS bus, counting what it handles per event.
        let handled: Arc<Mutex<HashMap<Uuid, usize>>> = Arc::default();
        let nats_bus = Bus::with_transport(transport, BusOptions::default())
            .await
            .unwrap();
        let counts = handled.clone();
        nats_bus
            .subscribe("downstream", move |e: Envelope<TicketCreatedV1>| {
                *counts.lock().unwrap().entry(e.id).or_default() += 1;
                std::future::ready(Ok::<_, std::convert::Infallible>(()))
            })
            .start()
            .await
            .unwrap();
        let relay = Relay::new(PostgresStore::connect(&url).await.unwrap(), stream.clone())
            .lease(Duration::from_millis(300))
            .batch(40);
        relay.register(&refs()).await.unwrap();
        let pg_bus = Bus::postgres(&url).await.unwrap();
        let ids = commit(&url, &pg_bus, 100, "crash", true).await;

        let status = Command::new(std::env::current_exe().unwrap())
            .args(["child", "--exact", "--nocapture", "--test-threads=1"])
            .env("EVREG_RELAY_CHILD", &url)
            .env("EVREG_RELAY_STREAM", &config.stream)
            .env("EVREG_RELAY_PREFIX", &config.subject_prefix)
            .status()
            .unwrap();
        assert!(!status.success(), "the child relay aborted");
        assert_eq!(
            stream_ids(&stream).await,
            ids[..40],
            "its batch was published"
        );

        // The dead relay's lease runs out; its batch is published again and
        // the server drops it.
        let (mut published, mut repeated) = (0, 0);
        while published < 60 || repeated < 40 {
            let r = relay.step().await.unwrap();
            published += r.published;
            repeated += r.repeated;
            if r.published + r.repeated == 0 {
                tokio::task::yield_now().await;
            }
        }
        assert_eq!((published, repeated), (60, 40));
        assert_eq!(
            stream_ids(&stream).await,
            ids,
            "each event once in the stream"
        );
        nats_bus.drain().await.unwrap();
        let handled = handled.lock().unwrap().clone();
        assert_eq!(handled.len(), ids.len());
        assert!(handled.values().all(|n| *n == 1), "each handled once");
        nats_bus.shutdown().await;
        pg_bus.shutdown().await;
        drop_stream(&stream).await;
    })
    .await
    .expect("bounded");
}
