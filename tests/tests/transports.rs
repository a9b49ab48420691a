//! One conformance suite, run on every transport under the bus: the SQLite
//! store, the PostgreSQL store (`EVREG_TEST_POSTGRES_URL`) and NATS
//! JetStream (`EVREG_TEST_NATS_URL`) — both required in CI, skipped loudly
//! elsewhere. Each test goes through the bus's API only: fan-out, order per
//! tenant and event type, a batch refused whole for one invalid payload,
//! redelivery after a failure with the retry policy's backoff, dead
//! letters, repeated idempotency keys, and subscriptions scoped to one
//! tenant. Every test is bounded in time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use evreg::bus::nats::{NatsStream, NatsTransport};
use evreg::bus::{Bus, BusError, BusOptions, Envelope, RetryPolicy};
use evreg::enrich::{Enricher, PublishContext};
use evreg_tests::acme::TicketCreatedV1;
use evreg_tests::ticket_created as ticket;

const TENANT_A: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";
const TENANT_B: &str = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";

/// The longest any test of the suite may take.
const BOUND: Duration = Duration::from_secs(60);

fn options() -> BusOptions {
    let catalog = evreg::Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog")).unwrap();
    BusOptions::default()
        .enricher(Enricher::from_manifest(catalog.manifest()))
        .retry(RetryPolicy::immediate(3))
}

fn ctx(tenant: &str) -> PublishContext {
    PublishContext::new(tenant)
}

/// A bus on one transport, and what to clean up after it.
struct Under {
    bus: Bus,
    nats: Option<NatsStream>,
}

impl Under {
    async fn finish(self) {
        self.bus.shutdown().await;
        if let Some(stream) = self.nats {
            let name = stream.config().stream.clone();
            let js = stream.jetstream();
            js.delete_stream(&name).await.unwrap();
            // Only the cooldown test makes the bucket.
            let _ = js.delete_key_value(format!("{name}-cooldowns")).await;
        }
    }
}

async fn sqlite() -> Option<Under> {
    // The folder lives as long as the test process; the file is small.
    let dir = tempfile::tempdir().unwrap().keep();
    let store = evreg::bus::SqliteStore::open(dir.join("events.db")).unwrap();
    let bus = Bus::new(store, options()).await.unwrap();
    Some(Under { bus, nats: None })
}

async fn postgres() -> Option<Under> {
    let url = evreg_tests::services::postgres_schema("the PostgreSQL transport suite").await?;
    let store = evreg::bus::PostgresStore::connect(&url).await.unwrap();
    let bus = Bus::new(store, options()).await.unwrap();
    Some(Under { bus, nats: None })
}

async fn nats() -> Option<Under> {
    let config = evreg_tests::services::nats_config("the NATS transport suite")?;
    let transport = NatsTransport::connect(config).await.unwrap();
    let stream = transport.stream().clone();
    let bus = Bus::with_transport(transport, options()).await.unwrap();
    Some(Under {
        bus,
        nats: Some(stream),
    })
}

/// One call of a handler.
struct Call {
    tenant: String,
    title: String,
    attempt: u32,
    at: Instant,
}

/// What a consumer handled.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Call>>>);

impl Seen {
    fn record(&self, e: &Envelope<TicketCreatedV1>) {
        self.0.lock().unwrap().push(Call {
            tenant: e.tenant_id.clone(),
            title: e.payload.title.clone(),
            attempt: e.attempt,
            at: Instant::now(),
        });
    }

    fn titles(&self, tenant: &str) -> Vec<String> {
        let seen = self.0.lock().unwrap();
        seen.iter()
            .filter(|c| c.tenant == tenant)
            .map(|c| c.title.clone())
            .collect()
    }

    fn attempts(&self) -> Vec<(u32, Instant)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|c| (c.attempt, c.at))
            .collect()
    }
}

fn recorder(
    seen: &Seen,
) -> impl Fn(Envelope<TicketCreatedV1>) -> std::future::Ready<Result<(), BusError>> + Send + Sync + 'static
{
    let seen = seen.clone();
    move |e| {
        seen.record(&e);
        std::future::ready(Ok(()))
    }
}

fn titles(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:03}")).collect()
}

async fn every_consumer_gets_every_event(bus: &Bus) {
    let seen: Vec<Seen> = (0..3).map(|_| Seen::default()).collect();
    for (i, s) in seen.iter().enumerate() {
        bus.subscribe(&format!("fan-{i}"), recorder(s))
            .start()
            .await
            .unwrap();
    }
    let all = titles("t", 10);
    for t in &all[..9] {
        bus.publish(&ctx(TENANT_A), ticket(TENANT_A, t))
            .await
            .unwrap();
    }
    // The generated `Event` enum publishes as the payload it holds.
    let event = evreg_tests::acme::Event::from(ticket(TENANT_A, &all[9]));
    bus.publish(&ctx(TENANT_A), event).await.unwrap();
    bus.drain().await.unwrap();
    for (i, s) in seen.iter().enumerate() {
        let mut got = s.titles(TENANT_A);
        got.sort();
        assert_eq!(got, all, "consumer fan-{i}");
    }
}

async fn events_of_a_tenant_and_type_arrive_in_order(bus: &Bus) {
    let seen = Seen::default();
    bus.subscribe("ordered", recorder(&seen))
        .start()
        .await
        .unwrap();
    let (a, b) = (titles("a", 60), titles("b", 60));
    // Single publishes, interleaved tenants, then batches.
    for (x, y) in a[..30].iter().zip(&b[..30]) {
        bus.publish(&ctx(TENANT_A), ticket(TENANT_A, x))
            .await
            .unwrap();
        bus.publish(&ctx(TENANT_B), ticket(TENANT_B, y))
            .await
            .unwrap();
    }
    let batch = |tenant: &str, titles: &[String]| -> Vec<TicketCreatedV1> {
        titles.iter().map(|t| ticket(tenant, t)).collect()
    };
    bus.publish_all(&ctx(TENANT_A), batch(TENANT_A, &a[30..]))
        .await
        .unwrap();
    bus.publish_all(&ctx(TENANT_B), batch(TENANT_B, &b[30..]))
        .await
        .unwrap();
    bus.drain().await.unwrap();
    assert_eq!(seen.titles(TENANT_A), a);
    assert_eq!(seen.titles(TENANT_B), b);
}

async fn a_batch_with_an_invalid_payload_publishes_nothing(bus: &Bus) {
    let seen = Seen::default();
    bus.subscribe("batch", recorder(&seen))
        .start()
        .await
        .unwrap();
    // The third of five breaks its schema (`title` is at most 200 long):
    // the batch is refused before the first one goes out.
    let mut batch: Vec<TicketCreatedV1> =
        titles("b", 5).iter().map(|t| ticket(TENANT_A, t)).collect();
    batch[2].title = "x".repeat(201);
    let refused = bus.publish_all(&ctx(TENANT_A), batch).await;
    assert!(matches!(refused, Err(BusError::Payload(_))), "{refused:?}");
    bus.publish(&ctx(TENANT_A), ticket(TENANT_A, "after"))
        .await
        .unwrap();
    bus.drain().await.unwrap();
    assert_eq!(seen.titles(TENANT_A), ["after"]);
}

async fn a_failed_delivery_comes_back_after_its_backoff(bus: &Bus) {
    let seen = Seen::default();
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    let done = Mutex::new(Some(done));
    let record = seen.clone();
    let policy = RetryPolicy::new(4)
        .initial(Duration::from_millis(100))
        .multiplier(2.0)
        .jitter(false);
    bus.subscribe("flaky", move |e: Envelope<TicketCreatedV1>| {
        record.record(&e);
        let result = if e.attempt < 3 {
            Err(format!("attempt {} fails", e.attempt))
        } else {
            if let Some(done) = done.lock().unwrap().take() {
                let _ = done.send(());
            }
            Ok(())
        };
        std::future::ready(result)
    })
    .retry(policy)
    .start()
    .await
    .unwrap();
    bus.publish(&ctx(TENANT_A), ticket(TENANT_A, "flaky"))
        .await
        .unwrap();
    finished.await.unwrap();
    let attempts = seen.attempts();
    let numbers: Vec<u32> = attempts.iter().map(|a| a.0).collect();
    assert_eq!(numbers, [1, 2, 3]);
    // Never before the policy's delay: 100 ms after the first failure,
    // 200 ms after the second.
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].1 - w[0].1).collect();
    assert!(gaps[0] >= Duration::from_millis(99), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(199), "{gaps:?}");
    bus.drain().await.unwrap();
    assert_eq!(seen.attempts().len(), 3, "handled once it succeeded");
}

async fn the_last_failure_is_a_dead_letter(bus: &Bus) {
    let healthy = Seen::default();
    bus.subscribe("healthy", recorder(&healthy))
        .start()
        .await
        .unwrap();
    let broken = Seen::default();
    let record = broken.clone();
    bus.subscribe("broken", move |e: Envelope<TicketCreatedV1>| {
        record.record(&e);
        std::future::ready(Err::<(), _>("the mail server said no"))
    })
    .start()
    .await
    .unwrap();
    let published = bus
        .publish(&ctx(TENANT_A), ticket(TENANT_A, "doomed"))
        .await
        .unwrap();
    bus.drain().await.unwrap();
    let attempts: Vec<u32> = broken.attempts().iter().map(|a| a.0).collect();
    assert_eq!(attempts, [1, 2, 3], "the bus's policy: three attempts");
    assert_eq!(healthy.titles(TENANT_A), ["doomed"]);
    let dead = bus.dead_letters(TENANT_A).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    let d = &dead[0];
    assert_eq!(
        (d.consumer.as_str(), d.event_id, d.attempts),
        ("broken", published.id, 3)
    );
    assert!(
        d.last_error
            .as_deref()
            .is_some_and(|e| e.contains("the mail server said no")),
        "{d:?}"
    );
    assert!(bus.dead_letters(TENANT_B).await.unwrap().is_empty());
}

async fn a_repeated_idempotency_key_is_delivered_once(bus: &Bus) {
    let seen = Seen::default();
    bus.subscribe("once", recorder(&seen))
        .start()
        .await
        .unwrap();
    let key = ctx(TENANT_A).idempotency_key("import-42");
    let first = bus.publish(&key, ticket(TENANT_A, "first")).await.unwrap();
    let again = bus.publish(&key, ticket(TENANT_A, "again")).await.unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(again.id, first.id, "the first event's id");
    // The key is the tenant's: another tenant's same key is its own event.
    let other = bus
        .publish(
            &ctx(TENANT_B).idempotency_key("import-42"),
            ticket(TENANT_B, "other"),
        )
        .await
        .unwrap();
    assert!(!other.duplicate);
    bus.drain().await.unwrap();
    assert_eq!(seen.titles(TENANT_A), ["first"]);
    assert_eq!(seen.titles(TENANT_B), ["other"]);
}

async fn a_tenant_subscription_sees_only_its_tenant(bus: &Bus) {
    let only_a = Seen::default();
    let record = only_a.clone();
    bus.subscribe("tenant-a", move |e: Envelope<TicketCreatedV1>| {
        // The payload is the envelope's tenant's, always.
        assert_eq!(e.payload.tenant_id.to_string(), e.tenant_id);
        record.record(&e);
        std::future::ready(Ok::<_, BusError>(()))
    })
    .tenant(TENANT_A)
    .start()
    .await
    .unwrap();
    let everyone = Seen::default();
    bus.subscribe("everyone", recorder(&everyone))
        .start()
        .await
        .unwrap();
    for n in 0..5 {
        for tenant in [TENANT_A, TENANT_B] {
            bus.publish(&ctx(tenant), ticket(tenant, &format!("{n}")))
                .await
                .unwrap();
        }
    }
    bus.drain().await.unwrap();
    let five: Vec<String> = (0..5).map(|n| n.to_string()).collect();
    assert_eq!(only_a.titles(TENANT_A), five);
    assert!(only_a.titles(TENANT_B).is_empty());
    assert_eq!(everyone.titles(TENANT_A).len(), 5);
    assert_eq!(everyone.titles(TENANT_B).len(), 5);
}

async fn a_cooldown_holds_back_repeats_of_a_key(bus: &Bus) {
    let seen = Seen::default();
    bus.subscribe("cooled", recorder(&seen))
        .cooldown(Duration::from_secs(3600), |e| e.payload.title.clone())
        .start()
        .await
        .unwrap();
    for title in ["x", "y", "x", "x", "y", "z"] {
        bus.publish(&ctx(TENANT_A), ticket(TENANT_A, title))
            .await
            .unwrap();
    }
    bus.drain().await.unwrap();
    assert_eq!(
        seen.titles(TENANT_A),
        ["x", "y", "z"],
        "{:?}",
        bus.dead_letters(TENANT_A).await
    );
}

/// Runs one test of the suite on one transport, bounded in time.
async fn run<F: std::future::Future<Output = ()>>(
    under: Option<Under>,
    test: impl FnOnce(Bus) -> F,
) {
    let Some(under) = under else { return };
    tokio::time::timeout(BOUND, test(under.bus.clone()))
        .await
        .expect("the test did not finish in time");
    under.finish().await;
}

macro_rules! on {
    ($transport:ident) => {
        mod $transport {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn every_consumer_gets_every_event() {
                run(super::$transport().await, |bus| async move {
                    super::every_consumer_gets_every_event(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn events_of_a_tenant_and_type_arrive_in_order() {
                run(super::$transport().await, |bus| async move {
                    super::events_of_a_tenant_and_type_arrive_in_order(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_batch_with_an_invalid_payload_publishes_nothing() {
                run(super::$transport().await, |bus| async move {
                    super::a_batch_with_an_invalid_payload_publishes_nothing(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_failed_delivery_comes_back_after_its_backoff() {
                run(super::$transport().await, |bus| async move {
                    super::a_failed_delivery_comes_back_after_its_backoff(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_last_failure_is_a_dead_letter() {
                run(super::$transport().await, |bus| async move {
                    super::the_last_failure_is_a_dead_letter(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_repeated_idempotency_key_is_delivered_once() {
                run(super::$transport().await, |bus| async move {
                    super::a_repeated_idempotency_key_is_delivered_once(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_tenant_subscription_sees_only_its_tenant() {
                run(super::$transport().await, |bus| async move {
                    super::a_tenant_subscription_sees_only_its_tenant(&bus).await
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_cooldown_holds_back_repeats_of_a_key() {
                run(super::$transport().await, |bus| async move {
                    super::a_cooldown_holds_back_repeats_of_a_key(&bus).await
                })
                .await;
            }
        }
    };
}

on!(sqlite);
on!(postgres);
on!(nats);
