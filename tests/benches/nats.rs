//! `EVREG_TEST_NATS_URL=nats://127.0.0.1:4222 cargo bench -p evreg-tests
//! --bench nats [-- EVENTS]`: publishing to JetStream through evreg's
//! stream (`NatsStream::publish`: subject per tenant and type, envelope
//! headers, `Nats-Msg-Id`, pipelined acknowledgements) side by side with raw
//! `async-nats` publishing the same payload bytes with async acks, in the
//! same run, each into a fresh file-backed stream; and consuming them back
//! (fetch + ack).

use std::time::{Duration, Instant};

use evreg::bus::NewEvent;
use evreg::bus::nats::async_nats::{self, jetstream};
use evreg::bus::nats::{ConsumerConfig, NatsConfig, NatsStream};
use evreg::uuid::Uuid;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";

fn events(n: usize) -> Vec<NewEvent> {
    let payload = serde_json::to_value(evreg_tests::ticket_created(TENANT, "bench")).unwrap();
    (0..n)
        .map(|_| NewEvent {
            id: Uuid::now_v7(),
            tenant_id: TENANT.into(),
            event_type: "TICKET_CREATED".into(),
            schema_ref: "payload.TicketCreated.v1".into(),
            version: 1,
            payload: payload.clone(),
            idempotency_key: None,
            recorded_at: 0,
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

/// Raw async-nats: the same bodies, one subject, `Nats-Msg-Id`, async acks
/// (all sent, then all awaited, in windows of the same size as evreg's).
async fn raw(url: &str, events: &[NewEvent]) -> f64 {
    let c = config(url, "RAW");
    let client = async_nats::connect(url).await.unwrap();
    let js = jetstream::ContextBuilder::new()
        .max_ack_inflight(c.ack_window)
        .backpressure_on_inflight(true)
        .build(client);
    let stream = js
        .create_stream(jetstream::stream::Config {
            name: c.stream.clone(),
            subjects: vec![c.subjects()],
            duplicate_window: c.duplicate_window,
            ..Default::default()
        })
        .await
        .unwrap();
    let subject = format!("{}.raw", c.subject_prefix);
    let start = Instant::now();
    for chunk in events.chunks(1000) {
        let mut acks = Vec::with_capacity(chunk.len());
        for e in chunk {
            let body = serde_json::to_vec(&e.payload).unwrap();
            let msg = jetstream::message::PublishMessage::build()
                .payload(body.into())
                .message_id(e.id.to_string());
            acks.push(js.send_publish(subject.clone(), msg).await.unwrap());
        }
        for a in acks {
            a.await.unwrap();
        }
    }
    let rate = events.len() as f64 / start.elapsed().as_secs_f64();
    drop(stream);
    js.delete_stream(&c.stream).await.unwrap();
    rate
}

/// evreg's stream: publish in batches of 1 000, then consume all back.
async fn evreg(url: &str, events: &[NewEvent]) -> (f64, f64) {
    let stream = NatsStream::connect(config(url, "EVREG")).await.unwrap();
    let start = Instant::now();
    for chunk in events.chunks(1000) {
        stream.publish(chunk).await.unwrap();
    }
    let publish = events.len() as f64 / start.elapsed().as_secs_f64();
    let consumer = stream.consumer(ConsumerConfig::new("bench")).await.unwrap();
    let start = Instant::now();
    let mut seen = 0;
    while seen < events.len() {
        for d in consumer.fetch(1000, Duration::from_secs(5)).await.unwrap() {
            seen += 1;
            d.ack().await.unwrap();
        }
    }
    let consume = seen as f64 / start.elapsed().as_secs_f64();
    let name = stream.config().stream.clone();
    stream.jetstream().delete_stream(&name).await.unwrap();
    (publish, consume)
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
    let raw = raw(&url, &events).await;
    println!("raw async-nats publish, async acks   {raw:>9.0} ev/s  1.00x");
    let (publish, consume) = evreg(&url, &events).await;
    println!(
        "evreg NatsStream::publish            {publish:>9.0} ev/s  {:.2}x",
        publish / raw
    );
    println!("evreg consumer fetch + ack           {consume:>9.0} ev/s");
}
