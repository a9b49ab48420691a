//! `EVREG_TEST_NATS_URL=nats://127.0.0.1:4222
//! [EVREG_TEST_POSTGRES_URL=postgres://…] cargo bench -p evreg-tests --bench
//! nats [-- EVENTS]`, each side into a fresh file-backed stream, in one run:
//!
//! - raw `async-nats` with async acks (the floor): the same typed payloads,
//!   serialized with `serde_json::to_vec`, as a service without evreg would
//!   publish them; side by side with evreg's two publish paths below, in
//!   rounds where the three take turns batch by batch (1 000 events each,
//!   the one going first rotating), with the ratio per round and its median;
//! - evreg's stream (`NatsStream::publish`: subject per tenant and type,
//!   envelope headers, `Nats-Msg-Id`, pipelined acknowledgements), and
//!   consuming the events back (fetch + ack);
//! - the bus on the NATS transport: typed payloads enriched, validated and
//!   published (`publish_all` in batches, and 64 concurrent `publish`
//!   callers with their latency), and end to end to a handler;
//! - the outbox relay from PostgreSQL into the stream (when
//!   `EVREG_TEST_POSTGRES_URL` is set).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use evreg::EventPayload;
use evreg::bus::nats::async_nats::{self, jetstream};
use evreg::bus::nats::{ConsumerConfig, NatsConfig, NatsStream, NatsTransport};
use evreg::bus::{Bus, BusOptions, Envelope, NewEvent, PostgresStore, Relay};
use evreg::enrich::PublishContext;
use evreg::uuid::Uuid;
use evreg_tests::acme::TicketCreatedV1;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";

fn events(n: usize) -> Vec<NewEvent> {
    let payload =
        serde_json::value::to_raw_value(&evreg_tests::ticket_created(TENANT, "bench")).unwrap();
    (0..n)
        .map(|_| NewEvent {
            id: Uuid::now_v7(),
            tenant_id: TENANT.into(),
            event_type: "TICKET_CREATED".into(),
            schema_ref: "payload.TicketCreated.v1".into(),
            version: 1,
            payload: payload.clone(),
            idempotency_key: None,
            recorded_at: evreg::bus::Timestamp::UNIX_EPOCH,
        })
        .collect()
}

fn config(url: &str, what: &str) -> NatsConfig {
    let unique = Uuid::now_v7().simple().to_string();
    NatsConfig {
        url: url.into(),
        stream: format!("BENCH_{what}_{unique}"),
        subject_prefix: format!("bench.{unique}"),
        ..NatsConfig::default()
    }
}

/// Raw async-nats as a service would use it without evreg: the same typed
/// payloads serialized with `serde_json::to_vec`, a fresh UUID v7 as
/// `Nats-Msg-Id`, one subject, async acks (a batch all sent, then all
/// awaited, in windows of the same size as evreg's).
struct Raw {
    js: jetstream::Context,
    stream: String,
    subject: async_nats::Subject,
}

impl Raw {
    async fn connect(url: &str, what: &str) -> Raw {
        let c = config(url, what);
        let client = async_nats::connect(url).await.unwrap();
        let js = jetstream::ContextBuilder::new()
            .max_ack_inflight(c.ack_window)
            .backpressure_on_inflight(true)
            .build(client);
        js.create_stream(jetstream::stream::Config {
            name: c.stream.clone(),
            subjects: vec![c.subjects()],
            duplicate_window: c.duplicate_window,
            ..Default::default()
        })
        .await
        .unwrap();
        let subject = async_nats::Subject::from(format!("{}.raw", c.subject_prefix));
        Raw {
            js,
            stream: c.stream,
            subject,
        }
    }

    async fn publish(&self, batch: Vec<TicketCreatedV1>) {
        let mut acks = Vec::with_capacity(batch.len());
        for p in batch {
            let body = serde_json::to_vec(&p).unwrap();
            let msg = jetstream::message::PublishMessage::build()
                .payload(body.into())
                .message_id(Uuid::now_v7().to_string());
            acks.push(
                self.js
                    .send_publish(self.subject.clone(), msg)
                    .await
                    .unwrap(),
            );
        }
        for a in acks {
            a.await.unwrap();
        }
    }

    async fn delete(self) {
        self.js.delete_stream(&self.stream).await.unwrap();
    }
}

/// Raw async-nats alone: `payloads` in batches of 1 000.
async fn raw(url: &str, payloads: &[TicketCreatedV1]) -> f64 {
    let raw = Raw::connect(url, "RAW").await;
    let start = Instant::now();
    for batch in payloads.chunks(BATCH) {
        raw.publish(batch.to_vec()).await;
    }
    let rate = payloads.len() as f64 / start.elapsed().as_secs_f64();
    raw.delete().await;
    rate
}

/// Events per batch.
const BATCH: usize = 1000;

/// One round of the three publishers side by side, each into its own fresh
/// stream: raw async-nats (`payloads`), evreg's stream (`events`, prepared
/// before) and the bus's `publish_all` (`payloads`), batch after batch in
/// turn, the one going first rotating, so that all three meet the same
/// server (its file store, the other core's load). Events per second of
/// each.
async fn side_by_side(url: &str, payloads: &[TicketCreatedV1], events: &[NewEvent]) -> [f64; 3] {
    let raw = Raw::connect(url, "RAW").await;
    let stream = NatsStream::connect(config(url, "EVREG")).await.unwrap();
    let (bus, bus_stream) = bus(url, "BUS").await;
    let ctx = PublishContext::new(TENANT);
    let mut spent = [Duration::ZERO; 3];
    for (i, (payloads, events)) in payloads.chunks(BATCH).zip(events.chunks(BATCH)).enumerate() {
        for side in (0..3).map(|k| (i + k) % 3) {
            // Raw and the bus take the payloads by value, as a service
            // hands over what it publishes: copied before the clock.
            let owned = payloads.to_vec();
            let start = Instant::now();
            match side {
                0 => raw.publish(owned).await,
                1 => drop(stream.publish(events).await.unwrap()),
                _ => drop(bus.publish_all(&ctx, owned).await.unwrap()),
            }
            spent[side] += start.elapsed();
        }
    }
    raw.delete().await;
    drop_stream(&stream).await;
    bus.shutdown().await;
    drop_stream(&bus_stream).await;
    spent.map(|d| payloads.len() as f64 / d.as_secs_f64())
}

/// evreg's stream: `n` events published (not timed), then fetched 1 000 at
/// a time and acked one by one.
async fn evreg_consume(url: &str, events: &[NewEvent]) -> f64 {
    let stream = NatsStream::connect(config(url, "EVREGC")).await.unwrap();
    for chunk in events.chunks(BATCH) {
        stream.publish(chunk).await.unwrap();
    }
    let consumer = stream.consumer(ConsumerConfig::new("bench")).await.unwrap();
    let start = Instant::now();
    let mut seen = 0;
    while seen < events.len() {
        for d in consumer.fetch(1000, Duration::from_secs(5)).await.unwrap() {
            seen += 1;
            d.ack().await.unwrap();
        }
    }
    let rate = seen as f64 / start.elapsed().as_secs_f64();
    drop_stream(&stream).await;
    rate
}

async fn bus(url: &str, what: &str) -> (Bus, NatsStream) {
    let transport = NatsTransport::connect(config(url, what)).await.unwrap();
    let stream = transport.stream().clone();
    let options = BusOptions::default().enricher(evreg_tests::acme::enricher());
    (
        Bus::with_transport(transport, options).await.unwrap(),
        stream,
    )
}

async fn drop_stream(stream: &NatsStream) {
    let name = stream.config().stream.clone();
    stream.jetstream().delete_stream(&name).await.unwrap();
}

fn tickets(n: usize) -> Vec<TicketCreatedV1> {
    (0..n)
        .map(|_| evreg_tests::ticket_created(TENANT, "bench"))
        .collect()
}

/// `payloads` through `publish_all`, in batches of 1 000.
async fn publish_batches(bus: &Bus, payloads: Vec<TicketCreatedV1>) {
    let ctx = PublishContext::new(TENANT);
    let mut payloads = payloads.into_iter();
    loop {
        let batch: Vec<_> = payloads.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        bus.publish_all(&ctx, batch).await.unwrap();
    }
}

/// The bus: 64 tasks calling `publish` one event at a time; the rate and
/// the p50 / p99 latency of a call.
async fn bus_concurrent(url: &str, n: usize) -> (f64, Duration, Duration) {
    let (bus, stream) = bus(url, "BUSC").await;
    let tasks = 64;
    let work: Vec<_> = (0..tasks)
        .map(|t| tickets(n / tasks + usize::from(t < n % tasks)))
        .collect();
    let start = Instant::now();
    let handles: Vec<_> = work
        .into_iter()
        .map(|payloads| {
            let bus = bus.clone();
            tokio::spawn(async move {
                let ctx = PublishContext::new(TENANT);
                let mut latencies = Vec::with_capacity(payloads.len());
                for payload in payloads {
                    let t = Instant::now();
                    bus.publish(&ctx, payload).await.unwrap();
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(n);
    for h in handles {
        latencies.extend(h.await.unwrap());
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    bus.shutdown().await;
    drop_stream(&stream).await;
    (rate, at(0.50), at(0.99))
}

/// The bus end to end: publish `n` (batches of 1 000) while a subscriber
/// handles them; from the first publish to the last handled.
async fn bus_end_to_end(url: &str, n: usize) -> f64 {
    let (bus, stream) = bus(url, "BUSE").await;
    let handled = Arc::new(AtomicUsize::new(0));
    let (done, finished) = tokio::sync::oneshot::channel();
    let done = std::sync::Mutex::new(Some(done));
    let counter = handled.clone();
    bus.subscribe("bench", move |_: Envelope<TicketCreatedV1>| {
        if counter.fetch_add(1, Ordering::Relaxed) + 1 == n
            && let Some(done) = done.lock().unwrap().take()
        {
            let _ = done.send(());
        }
        std::future::ready(Ok::<_, std::convert::Infallible>(()))
    })
    .start()
    .await
    .unwrap();
    let payloads = tickets(n);
    let start = Instant::now();
    publish_batches(&bus, payloads).await;
    finished.await.unwrap();
    let rate = n as f64 / start.elapsed().as_secs_f64();
    bus.shutdown().await;
    drop_stream(&stream).await;
    rate
}

/// The outbox relay: `n` events committed to PostgreSQL first (not
/// timed), then relayed into the stream in batches of 1 000.
async fn relay(url: &str, pg: &str, n: usize) -> f64 {
    let schema = {
        let (client, conn) =
            evreg::bus::tokio_postgres::connect(pg, evreg::bus::tokio_postgres::NoTls)
                .await
                .unwrap();
        tokio::spawn(conn);
        let schema = format!("evreg_bench_{}", Uuid::now_v7().simple());
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        schema
    };
    let sep = if pg.contains('?') { '&' } else { '?' };
    let pg_url = format!("{pg}{sep}options=-c%20search_path%3D{schema}");
    let stream = NatsStream::connect(config(url, "RELAY")).await.unwrap();
    let relay = Relay::new(
        PostgresStore::connect(&pg_url).await.unwrap(),
        stream.clone(),
    );
    relay
        .register(&[TicketCreatedV1::SCHEMA_REF.to_owned()])
        .await
        .unwrap();
    let bus = Bus::new(
        PostgresStore::connect(&pg_url).await.unwrap(),
        BusOptions::default().enricher(evreg_tests::acme::enricher()),
    )
    .await
    .unwrap();
    publish_batches(&bus, tickets(n)).await;
    let start = Instant::now();
    let mut relayed = 0;
    while relayed < n {
        relayed += relay.step().await.unwrap().published;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    bus.shutdown().await;
    drop_stream(&stream).await;
    let (client, conn) = evreg::bus::tokio_postgres::connect(pg, evreg::bus::tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
    rate
}

/// Rounds of raw / evreg publishing.
const ROUNDS: usize = 5;

fn median(ratios: &mut [f64]) -> f64 {
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(50_000);
    let Ok(url) = std::env::var("EVREG_TEST_NATS_URL") else {
        println!("nats (EVREG_TEST_NATS_URL not set: not measured)");
        return;
    };
    let events = events(n);
    println!("{n} events per run, file-backed streams on {url}");
    // The ratios are per round: within one, the three sides take turns.
    let mut stream_ratios = Vec::new();
    let mut bus_ratios = Vec::new();
    for round in 1..=ROUNDS {
        let [raw, publish, batches] = side_by_side(&url, &tickets(n), &events).await;
        println!("round {round}: raw async-nats publish, async acks    {raw:>9.0} ev/s  1.00x");
        stream_ratios.push(publish / raw);
        println!(
            "round {round}: evreg NatsStream::publish             {publish:>9.0} ev/s  {:.2}x",
            publish / raw
        );
        bus_ratios.push(batches / raw);
        println!(
            "round {round}: bus publish_all (typed, validated)    {batches:>9.0} ev/s  {:.2}x",
            batches / raw
        );
    }
    println!(
        "median of {ROUNDS}: NatsStream::publish {:.2}x raw, bus publish_all {:.2}x raw",
        median(&mut stream_ratios),
        median(&mut bus_ratios)
    );
    let consume = evreg_consume(&url, &events).await;
    println!("evreg consumer fetch + ack             {consume:>9.0} ev/s");
    let raw = raw(&url, &tickets(n)).await;
    println!("raw async-nats publish, async acks     {raw:>9.0} ev/s  1.00x");
    let (concurrent, p50, p99) = bus_concurrent(&url, n).await;
    println!(
        "bus publish, 64 concurrent callers     {concurrent:>9.0} ev/s  {:.2}x  p50 {p50:.2?}  p99 {p99:.2?}",
        concurrent / raw
    );
    let e2e = bus_end_to_end(&url, n).await;
    println!("bus end to end, publish -> handler     {e2e:>9.0} ev/s");
    match std::env::var("EVREG_TEST_POSTGRES_URL") {
        Ok(pg) => {
            let relayed = relay(&url, &pg, n).await;
            println!(
                "outbox relay, PostgreSQL -> stream     {relayed:>9.0} ev/s  {:.2}x",
                relayed / raw
            );
        }
        Err(_) => println!("outbox relay (EVREG_TEST_POSTGRES_URL not set: not measured)"),
    }
}
