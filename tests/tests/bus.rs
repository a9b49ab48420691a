//! The bus's behaviour, with the generated payloads of the shipped catalog:
//! fan-out, a failing handler isolated, retried and dead-lettered, panics,
//! idempotency keys, refused payloads, tenant isolation, `publish_in`
//! rollback, filters and cooldowns, replay. The same suite runs on every
//! store (`suite!` below).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use evreg::EventPayload;
use evreg::bus::{
    Bus, BusError, BusOptions, DeliveryQuery, DeliveryStatus, Envelope, EventQuery, RetryPolicy,
};
use evreg::enrich::{Enricher, PublishContext};
use evreg_tests::acme::{TicketClosedV1, TicketCreatedV1};

const TENANT_A: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";
const TENANT_B: &str = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";

fn enricher() -> Enricher {
    let catalog = evreg::Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog")).unwrap();
    Enricher::from_manifest(catalog.manifest())
}

fn options() -> BusOptions {
    BusOptions::default()
        .enricher(enricher())
        .retry(RetryPolicy::immediate(3))
}

fn example(file: &str) -> serde_json::Value {
    let path = format!(
        "{}/../catalog/examples/tickets/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

use evreg_tests::ticket_created as ticket;

fn closed(tenant: &str) -> TicketClosedV1 {
    let mut v = example("ticket-closed.v1.json");
    v["tenantId"] = tenant.into();
    // The ticket of the TicketCreated example.
    v["ticketId"] = "a7e7e9bb-2996-4e5a-8ee0-18f52daa28ff".into();
    TicketClosedV1::from_value(v).unwrap()
}

fn ctx(tenant: &str) -> PublishContext {
    PublishContext::new(tenant)
}

/// Records the titles a consumer handled.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn push(&self, s: String) {
        self.0.lock().unwrap().push(s);
    }
    fn sorted(&self) -> Vec<String> {
        let mut v = self.0.lock().unwrap().clone();
        v.sort();
        v
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

fn recorder(
    seen: &Seen,
) -> impl Fn(Envelope<TicketCreatedV1>) -> std::future::Ready<Result<(), BusError>> + Send + Sync + 'static
{
    let seen = seen.clone();
    move |e| {
        seen.push(e.payload.title.clone());
        std::future::ready(Ok(()))
    }
}

async fn statuses(bus: &Bus, tenant: &str, consumer: &str) -> Vec<(DeliveryStatus, u32)> {
    bus.deliveries(&DeliveryQuery::tenant(tenant).consumer(consumer).limit(1000))
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.status, d.attempts))
        .collect()
}

async fn fan_out_to_every_consumer(bus: Bus) {
    let seen: Vec<Seen> = (0..3).map(|_| Seen::default()).collect();
    for (i, s) in seen.iter().enumerate() {
        bus.subscribe(&format!("c{i}"), recorder(s))
            .start()
            .await
            .unwrap();
    }
    let titles: Vec<String> = (0..10).map(|n| format!("t{n:02}")).collect();
    for t in &titles[..9] {
        bus.publish(&ctx(TENANT_A), ticket(TENANT_A, t))
            .await
            .unwrap();
    }
    // The generated `Event` enum publishes as the payload it holds.
    let event = evreg_tests::acme::Event::from(ticket(TENANT_A, &titles[9]));
    bus.publish(&ctx(TENANT_A), event).await.unwrap();
    bus.drain().await.unwrap();
    for (i, s) in seen.iter().enumerate() {
        assert_eq!(s.sorted(), titles, "consumer c{i}");
        assert_eq!(
            statuses(&bus, TENANT_A, &format!("c{i}")).await,
            vec![(DeliveryStatus::Processed, 1); 10]
        );
    }
    bus.shutdown().await;
}

async fn failing_handler_is_isolated_retried_and_dead_lettered(bus: Bus) {
    let ok = Seen::default();
    bus.subscribe("ok", recorder(&ok)).start().await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    bus.subscribe("broken", move |_: Envelope<TicketCreatedV1>| {
        c.fetch_add(1, Ordering::SeqCst);
        async { Err::<(), _>("the mail server said no") }
    })
    .start()
    .await
    .unwrap();
    let flaky_calls = Arc::new(AtomicUsize::new(0));
    let f = flaky_calls.clone();
    bus.subscribe("flaky", move |_: Envelope<TicketCreatedV1>| {
        let n = f.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < 2 {
                Err(format!("try {}", n + 1))
            } else {
                Ok(())
            }
        }
    })
    .start()
    .await
    .unwrap();

    let published = bus
        .publish(&ctx(TENANT_A), ticket(TENANT_A, "only"))
        .await
        .unwrap();
    bus.drain().await.unwrap();

    assert_eq!(ok.sorted(), ["only"]);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "three attempts, then dead");
    assert_eq!(
        statuses(&bus, TENANT_A, "broken").await,
        [(DeliveryStatus::Dead, 3)]
    );
    assert_eq!(
        statuses(&bus, TENANT_A, "flaky").await,
        [(DeliveryStatus::Processed, 3)]
    );
    assert_eq!(
        statuses(&bus, TENANT_A, "ok").await,
        [(DeliveryStatus::Processed, 1)]
    );

    let dead = bus.dead_letters(TENANT_A).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].consumer, "broken");
    assert_eq!(dead[0].event_id, published.id);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("the mail server said no")
    );
    let failed = bus
        .deliveries(&DeliveryQuery::tenant(TENANT_A).failed())
        .await
        .unwrap();
    let consumers: Vec<&str> = failed.iter().map(|d| d.consumer.as_str()).collect();
    assert_eq!(
        consumers,
        ["broken", "flaky"],
        "every delivery that failed once"
    );

    // Retrying a dead letter hands it over again with fresh attempts.
    assert!(bus.retry(TENANT_A, published.id, "broken").await.unwrap());
    assert!(
        !bus.retry(TENANT_B, published.id, "broken").await.unwrap(),
        "not another tenant's"
    );
    bus.drain().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 6);
    assert_eq!(
        statuses(&bus, TENANT_A, "broken").await,
        [(DeliveryStatus::Dead, 3)]
    );
    bus.shutdown().await;
}

async fn a_panicking_handler_is_a_failure(bus: Bus) {
    let ok = Seen::default();
    bus.subscribe("ok", recorder(&ok)).start().await.unwrap();
    bus.subscribe("panics", |_: Envelope<TicketCreatedV1>| async {
        if true {
            panic!("boom");
        }
        Ok::<(), BusError>(())
    })
    .start()
    .await
    .unwrap();
    bus.publish(&ctx(TENANT_A), ticket(TENANT_A, "p"))
        .await
        .unwrap();
    bus.drain().await.unwrap();
    assert_eq!(ok.len(), 1);
    let dead = bus.dead_letters(TENANT_A).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("handler panicked: boom")
    );
    bus.shutdown().await;
}

async fn an_idempotency_key_stores_and_delivers_once(bus: Bus) {
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();
    let keyed = ctx(TENANT_A).idempotency_key("import-7");
    let first = bus.publish(&keyed, ticket(TENANT_A, "a")).await.unwrap();
    let again = bus.publish(&keyed, ticket(TENANT_A, "b")).await.unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(first.id, again.id);
    // The same key in another tenant is another event.
    let other = bus
        .publish(
            &ctx(TENANT_B).idempotency_key("import-7"),
            ticket(TENANT_B, "c"),
        )
        .await
        .unwrap();
    assert!(!other.duplicate);
    bus.drain().await.unwrap();
    assert_eq!(seen.sorted(), ["a", "c"]);
    let events = bus.events(&EventQuery::tenant(TENANT_A)).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].idempotency_key.as_deref(), Some("import-7"));
    assert_eq!(
        events[0].payload_as::<serde_json::Value>().unwrap()["idempotencyKey"],
        "import-7",
        "enriched"
    );
    bus.shutdown().await;
}

async fn an_invalid_payload_is_refused_and_nothing_stored(bus: Bus) {
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();
    let mut bad = ticket(TENANT_A, "x");
    bad.title = String::new(); // minLength 1
    // Enrichment adding nothing (the payload's validator decides) and
    // adding a field (the enriched JSON is read back and validated).
    for ctx in [ctx(TENANT_A), ctx(TENANT_A).idempotency_key("k")] {
        let err = bus.publish(&ctx, bad.clone()).await.unwrap_err();
        assert!(
            matches!(&err, BusError::Payload(evreg::PayloadError::Invalid(e)) if e.errors[0].instance_path == "/title"),
            "{err}"
        );
    }
    // A payload of another tenant than the context's.
    let err = bus
        .publish(&ctx(TENANT_B), ticket(TENANT_A, "y"))
        .await
        .unwrap_err();
    assert!(matches!(err, BusError::TenantMismatch { .. }), "{err}");
    bus.drain().await.unwrap();
    assert!(
        bus.events(&EventQuery::tenant(TENANT_A))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        bus.events(&EventQuery::tenant(TENANT_B))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(seen.len(), 0);
    bus.shutdown().await;
}

async fn tenants_never_see_each_other(bus: Bus) {
    bus.publish(&ctx(TENANT_A), ticket(TENANT_A, "a1"))
        .await
        .unwrap();
    bus.publish(&ctx(TENANT_B), ticket(TENANT_B, "b1"))
        .await
        .unwrap();
    bus.publish(&ctx(TENANT_A), closed(TENANT_A)).await.unwrap();
    let a = bus.events(&EventQuery::tenant(TENANT_A)).await.unwrap();
    let b = bus.events(&EventQuery::tenant(TENANT_B)).await.unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(b.len(), 1);
    assert!(a.iter().all(|e| e.tenant_id == TENANT_A
        && e.payload_as::<serde_json::Value>().unwrap()["tenantId"] == TENANT_A));
    assert_eq!(
        b[0].payload_as::<serde_json::Value>().unwrap()["title"],
        "b1"
    );
    // By type, by time, by a payload field.
    let created = bus
        .events(&EventQuery::tenant(TENANT_A).event_type("TICKET_CREATED"))
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    let later = SystemTime::now() + Duration::from_secs(3600);
    assert!(
        bus.events(&EventQuery::tenant(TENANT_A).since(later))
            .await
            .unwrap()
            .is_empty()
    );
    let ticket_id = created[0].payload_as::<serde_json::Value>().unwrap()["ticketId"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_object = bus
        .events(&EventQuery::tenant(TENANT_A).payload_field("ticketId", ticket_id))
        .await
        .unwrap();
    let types: Vec<&str> = by_object.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        ["TICKET_CREATED", "TICKET_CLOSED"],
        "one ticket's events"
    );
    bus.shutdown().await;
}

async fn filters_and_cooldowns_record_what_they_skip(bus: Bus) {
    let urgent = Seen::default();
    let u = urgent.clone();
    bus.subscribe("urgent-only", move |e: Envelope<TicketCreatedV1>| {
        u.push(e.payload.title.clone());
        async { Ok::<(), BusError>(()) }
    })
    .filter(|e| e.payload.title.starts_with('!'))
    .start()
    .await
    .unwrap();
    let once = Seen::default();
    let o = once.clone();
    bus.subscribe("once-per-board", move |e: Envelope<TicketCreatedV1>| {
        o.push(e.payload.title.clone());
        async { Ok::<(), BusError>(()) }
    })
    .cooldown(Duration::from_secs(3600), |e| {
        e.payload.board_id.to_string()
    })
    .start()
    .await
    .unwrap();
    for t in ["!a", "b", "!c"] {
        bus.publish(&ctx(TENANT_A), ticket(TENANT_A, t))
            .await
            .unwrap();
    }
    bus.drain().await.unwrap();
    assert_eq!(urgent.sorted(), ["!a", "!c"]);
    assert_eq!(once.sorted(), ["!a"], "one board, one firing per hour");
    let skipped = |consumer: &'static str| {
        let bus = bus.clone();
        async move {
            bus.deliveries(
                &DeliveryQuery::tenant(TENANT_A)
                    .consumer(consumer)
                    .status(DeliveryStatus::Skipped),
            )
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.last_error.unwrap_or_default())
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(skipped("urgent-only").await, ["filter"]);
    assert_eq!(skipped("once-per-board").await, ["cooldown", "cooldown"]);
    bus.shutdown().await;
}

async fn replay_hands_past_events_over_again(bus: Bus) {
    let start = SystemTime::now() - Duration::from_secs(1);
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();
    bus.publish(&ctx(TENANT_A), ticket(TENANT_A, "a"))
        .await
        .unwrap();
    bus.publish(&ctx(TENANT_B), ticket(TENANT_B, "b"))
        .await
        .unwrap();
    bus.drain().await.unwrap();
    assert_eq!(seen.sorted(), ["a", "b"]);
    assert_eq!(bus.replay("c", Some(TENANT_A), start).await.unwrap(), 1);
    bus.drain().await.unwrap();
    assert_eq!(seen.sorted(), ["a", "a", "b"]);
    assert_eq!(bus.replay("c", None, start).await.unwrap(), 2);
    bus.drain().await.unwrap();
    assert_eq!(seen.sorted(), ["a", "a", "a", "b", "b"]);
    bus.shutdown().await;
}

async fn a_consumer_gets_what_was_published_while_it_was_away(bus: Bus) {
    let seen = Seen::default();
    bus.subscribe("late", recorder(&seen))
        .start()
        .await
        .unwrap();
    bus.shutdown().await;
    // Registered before, not running now: deliveries wait in the store.
    bus.publish(&ctx(TENANT_A), ticket(TENANT_A, "while-away"))
        .await
        .unwrap();
    assert_eq!(seen.len(), 0);
    assert_eq!(
        statuses(&bus, TENANT_A, "late").await,
        [(DeliveryStatus::Pending, 0)]
    );
}

macro_rules! suite {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;

            async fn bus() -> Option<Bus> {
                $make
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fan_out_to_every_consumer() {
                let Some(bus) = bus().await else { return };
                super::fan_out_to_every_consumer(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn failing_handler_is_isolated_retried_and_dead_lettered() {
                let Some(bus) = bus().await else { return };
                super::failing_handler_is_isolated_retried_and_dead_lettered(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_panicking_handler_is_a_failure() {
                let Some(bus) = bus().await else { return };
                super::a_panicking_handler_is_a_failure(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_idempotency_key_stores_and_delivers_once() {
                let Some(bus) = bus().await else { return };
                super::an_idempotency_key_stores_and_delivers_once(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_invalid_payload_is_refused_and_nothing_stored() {
                let Some(bus) = bus().await else { return };
                super::an_invalid_payload_is_refused_and_nothing_stored(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn tenants_never_see_each_other() {
                let Some(bus) = bus().await else { return };
                super::tenants_never_see_each_other(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn filters_and_cooldowns_record_what_they_skip() {
                let Some(bus) = bus().await else { return };
                super::filters_and_cooldowns_record_what_they_skip(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn replay_hands_past_events_over_again() {
                let Some(bus) = bus().await else { return };
                super::replay_hands_past_events_over_again(bus).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_consumer_gets_what_was_published_while_it_was_away() {
                let Some(bus) = bus().await else { return };
                super::a_consumer_gets_what_was_published_while_it_was_away(bus).await;
            }
        }
    };
}

suite!(sqlite, {
    // The folder lives as long as the test process; the file is small.
    let dir = tempfile::tempdir().unwrap().keep();
    let store = evreg::bus::SqliteStore::open(dir.join("events.db")).unwrap();
    Some(Bus::new(store, options()).await.unwrap())
});

async fn pg_schema() -> Option<String> {
    evreg_tests::services::postgres_schema("the PostgreSQL bus tests").await
}

suite!(postgres, {
    let url = pg_schema().await?;
    Some(pg_bus(&url, options()).await)
});

/// A bus on the PostgreSQL store at `url`.
async fn pg_bus(url: &str, options: BusOptions) -> Bus {
    let store = evreg::bus::PostgresStore::connect(url).await.unwrap();
    Bus::new(store, options).await.unwrap()
}

/// A plain client of the database at `url`, for raw SQL.
async fn pg_client(url: &str) -> evreg::bus::tokio_postgres::Client {
    let (client, conn) =
        evreg::bus::tokio_postgres::connect(url, evreg::bus::tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(conn);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_publish_in_commits_or_rolls_back_with_the_caller() {
    let Some(url) = pg_schema().await else { return };
    let bus = pg_bus(&url, options()).await;
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();
    let mut client = pg_client(&url).await;
    client
        .batch_execute("CREATE TABLE tickets (title TEXT)")
        .await
        .unwrap();

    let tx = client.transaction().await.unwrap();
    tx.execute("INSERT INTO tickets VALUES ('gone')", &[])
        .await
        .unwrap();
    bus.publish_in(&tx, &ctx(TENANT_A), ticket(TENANT_A, "gone"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let tx = client.transaction().await.unwrap();
    tx.execute("INSERT INTO tickets VALUES ('kept')", &[])
        .await
        .unwrap();
    let p = bus
        .publish_in(&tx, &ctx(TENANT_A), ticket(TENANT_A, "kept"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    bus.wake(&[TicketCreatedV1::SCHEMA_REF]);
    bus.drain().await.unwrap();

    assert_eq!(seen.sorted(), ["kept"]);
    let events = bus.events(&EventQuery::tenant(TENANT_A)).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, p.id);
    let titles: Vec<String> = client
        .query("SELECT title FROM tickets", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(titles, ["kept"]);
    bus.shutdown().await;
}

/// Three events of tenant A published and handled by consumers `c` and `d`
/// (six deliveries), then the bus shut down.
async fn three_events_for_two_consumers(bus: Bus) -> Vec<evreg::bus::Published> {
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();
    bus.subscribe("d", recorder(&seen)).start().await.unwrap();
    let mut published = Vec::new();
    for t in ["a1", "a2", "a3"] {
        published.push(
            bus.publish(&ctx(TENANT_A), ticket(TENANT_A, t))
                .await
                .unwrap(),
        );
    }
    bus.drain().await.unwrap();
    bus.shutdown().await;
    published
}

/// A delivery belongs to its event: deleting events by hand (or truncating
/// the trail) deletes their deliveries and failed attempts, so no consumer
/// is left with a delivery of an event that is gone. On PostgreSQL triggers
/// do it, where a foreign key would check every delivery written; a table
/// made with the key loses it when the DDL runs again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deleting_events_deletes_their_deliveries() {
    let Some(url) = pg_schema().await else { return };
    let bus = pg_bus(&url, options()).await;
    let published = three_events_for_two_consumers(bus).await;

    let client = pg_client(&url).await;
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    client
        .batch_execute(&format!(
            "INSERT INTO system_event_attempts (consumer, event_seq, attempt, tenant_id, error, failed_at)              SELECT 'c', seq, 1, tenant_id, 'boom', now() FROM system_events WHERE id = '{}'",
            published[0].id
        ))
        .await
        .unwrap();
    assert_eq!(
        count("SELECT count(*) FROM system_event_deliveries").await,
        6
    );
    assert_eq!(count("SELECT count(*) FROM system_event_attempts").await, 1);

    let deleted = client
        .execute(
            "DELETE FROM system_events WHERE id = $1",
            &[&published[0].id],
        )
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(
        count("SELECT count(*) FROM system_event_deliveries").await,
        4
    );
    assert_eq!(count("SELECT count(*) FROM system_event_attempts").await, 0);
    assert_eq!(
        count(
            "SELECT count(*) FROM system_event_deliveries d \
             WHERE NOT EXISTS (SELECT 1 FROM system_events e WHERE e.seq = d.event_seq)"
        )
        .await,
        0
    );
    client
        .batch_execute("TRUNCATE system_events")
        .await
        .unwrap();
    assert_eq!(
        count("SELECT count(*) FROM system_event_deliveries").await,
        0
    );

    // A table made when deliveries had a foreign key to their event.
    client
        .batch_execute(
            "ALTER TABLE system_event_deliveries ADD CONSTRAINT system_event_deliveries_event_seq_fkey \
             FOREIGN KEY (event_seq) REFERENCES system_events (seq)",
        )
        .await
        .unwrap();
    let keys = "SELECT count(*) FROM pg_constraint \
                WHERE conrelid = 'system_event_deliveries'::regclass AND contype = 'f'";
    assert_eq!(count(keys).await, 1);
    client
        .batch_execute(&evreg::sql::bus_ddl(evreg::sql::Dialect::Postgres))
        .await
        .unwrap();
    assert_eq!(count(keys).await, 0);
}

/// The same on SQLite, from a connection of the caller's own, with
/// `foreign_keys` on (as the bus's own connections have it) and off (the
/// `sqlite3` shell's default): deleting an event deletes its deliveries and
/// failed attempts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deleting_events_deletes_their_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let bus = Bus::new(evreg::bus::SqliteStore::open(&path).unwrap(), options())
        .await
        .unwrap();
    let published = three_events_for_two_consumers(bus).await;

    let conn = evreg::bus::rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM system_event_deliveries"), 6);
    for (p, keys) in published[..2].iter().zip(["ON", "OFF"]) {
        conn.execute_batch(&format!("PRAGMA foreign_keys = {keys}"))
            .unwrap();
        conn.execute(
            "INSERT INTO system_event_attempts (consumer, event_seq, attempt, tenant_id, error, failed_at) \
             SELECT 'c', seq, 1, tenant_id, 'boom', 0 FROM system_events WHERE id = ?1",
            [p.id.to_string()],
        )
        .unwrap();
        conn.execute(
            "DELETE FROM system_events WHERE id = ?1",
            [p.id.to_string()],
        )
        .unwrap();
        assert_eq!(
            count("SELECT count(*) FROM system_event_attempts"),
            0,
            "{keys}"
        );
    }
    assert_eq!(count("SELECT count(*) FROM system_events"), 1);
    assert_eq!(count("SELECT count(*) FROM system_event_deliveries"), 2);
}

/// Row-level security: under an application role, raw SQL sees only the
/// rows of the tenant its transaction names, and cannot write another's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rls_keeps_tenants_apart_even_in_raw_sql() {
    let Some(url) = pg_schema().await else { return };
    let bus = pg_bus(&url, options()).await;
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();
    for t in ["a1", "a2"] {
        bus.publish(&ctx(TENANT_A), ticket(TENANT_A, t))
            .await
            .unwrap();
    }
    bus.publish(&ctx(TENANT_B), ticket(TENANT_B, "b1"))
        .await
        .unwrap();
    bus.drain().await.unwrap();

    let mut client = pg_client(&url).await;
    let schema: String = client
        .query_one("SELECT current_schema()", &[])
        .await
        .unwrap()
        .get(0);
    client
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE evreg_test_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             GRANT USAGE ON SCHEMA {schema} TO evreg_test_app;
             GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {schema} TO evreg_test_app;
             GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO evreg_test_app;"
        ))
        .await
        .unwrap();
    let count = |tenant: Option<&'static str>, table: &'static str| {
        let client = &client;
        async move {
            let tx_sql = match tenant {
                Some(t) => format!("SELECT set_config('evreg.tenant_id', '{t}', false)"),
                None => "RESET evreg.tenant_id".to_owned(),
            };
            client.batch_execute(&tx_sql).await.unwrap();
            client
                .batch_execute("SET ROLE evreg_test_app")
                .await
                .unwrap();
            let n: i64 = client
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await
                .unwrap()
                .get(0);
            client.batch_execute("RESET ROLE").await.unwrap();
            n
        }
    };
    assert_eq!(count(Some(TENANT_A), "system_events").await, 2);
    assert_eq!(count(Some(TENANT_B), "system_events").await, 1);
    assert_eq!(
        count(None, "system_events").await,
        0,
        "no tenant named, no rows"
    );
    assert_eq!(count(Some(TENANT_A), "system_event_deliveries").await, 2);
    assert_eq!(count(Some(TENANT_B), "system_event_deliveries").await, 1);
    // The owner (the bus's own role) sees every row.
    let all: i64 = client
        .query_one("SELECT count(*) FROM system_events", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(all, 3);

    // Writing another tenant's row is refused.
    let tx = client.transaction().await.unwrap();
    tx.batch_execute(&format!(
        "SELECT set_config('evreg.tenant_id', '{TENANT_A}', true); SET LOCAL ROLE evreg_test_app;"
    ))
    .await
    .unwrap();
    let err = tx
        .execute(
            "INSERT INTO system_events (id, tenant_id, event_type, schema_ref, version, payload, recorded_at)              VALUES (gen_random_uuid(), $1, 'X', 'payload.X.v1', 1, '{}', now())",
            &[&TENANT_B],
        )
        .await
        .unwrap_err();
    let message = err
        .as_db_error()
        .map(|e| e.message().to_owned())
        .unwrap_or_default();
    assert!(message.contains("row-level security"), "{err:?}");
    tx.rollback().await.unwrap();
    bus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_publish_in_commits_or_rolls_back_with_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let bus = Bus::new(evreg::bus::SqliteStore::open(&path).unwrap(), options())
        .await
        .unwrap();
    let seen = Seen::default();
    bus.subscribe("c", recorder(&seen)).start().await.unwrap();

    let mut conn = evreg::bus::rusqlite::Connection::open(&path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.execute_batch("CREATE TABLE IF NOT EXISTS tickets (title TEXT)")
        .unwrap();

    // Rolled back: neither the row nor the event.
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO tickets VALUES ('gone')", [])
        .unwrap();
    bus.publish_in(&tx, &ctx(TENANT_A), ticket(TENANT_A, "gone"))
        .await
        .unwrap();
    tx.rollback().unwrap();

    // Committed: both.
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO tickets VALUES ('kept')", [])
        .unwrap();
    let p = bus
        .publish_in(&tx, &ctx(TENANT_A), ticket(TENANT_A, "kept"))
        .await
        .unwrap();
    tx.commit().unwrap();
    bus.wake(&[TicketCreatedV1::SCHEMA_REF]);
    bus.drain().await.unwrap();

    assert_eq!(seen.sorted(), ["kept"]);
    let events = bus.events(&EventQuery::tenant(TENANT_A)).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, p.id);
    bus.shutdown().await;
}

/// The generated `enricher()` fills what the manifest's enricher fills.
#[test]
fn the_generated_enricher_is_the_manifests() {
    let ctx = PublishContext::new(TENANT_A)
        .actor(evreg::enrich::Actor::Contact(
            "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8c".into(),
        ))
        .idempotency_key("k")
        .clock(evreg::enrich::FixedClock::new("2026-11-24T09:00:00Z"));
    let (mut a, mut b) = (serde_json::json!({}), serde_json::json!({}));
    enricher().enrich(&ctx, &mut a);
    evreg_tests::acme::enricher().enrich(&ctx, &mut b);
    assert_eq!(a, b);
    assert_eq!(a["actorType"], "contact");
    assert_eq!(a["occurredAt"], "2026-11-24T09:00:00Z");
}

/// Services sharing one PostgreSQL database: a consumer in one process is
/// woken by `NOTIFY` when another process publishes, not at its next poll
/// (an hour here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_wakes_consumers_of_other_processes() {
    let Some(url) = pg_schema().await else { return };
    let hour = Duration::from_secs(3600);
    let consuming = pg_bus(&url, options().poll_interval(hour)).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    consuming
        .subscribe("elsewhere", move |e: Envelope<TicketCreatedV1>| {
            let _ = tx.send(e.payload.title.clone());
            std::future::ready(Ok::<_, BusError>(()))
        })
        .start()
        .await
        .unwrap();
    // The consumer has claimed nothing and waits for its poll.
    consuming.drain().await.unwrap();
    let publishing = pg_bus(&url, options()).await;
    for title in ["one", "two"] {
        publishing
            .publish(&ctx(TENANT_A), ticket(TENANT_A, title))
            .await
            .unwrap();
        let got = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("woken by the notification, long before the poll");
        assert_eq!(got.as_deref(), Some(title));
    }
    consuming.shutdown().await;
    publishing.shutdown().await;
}

/// A claim rewrites each delivery on its own page without new index entries
/// (a HOT update: it changes no indexed column and the table leaves room on
/// its pages). Read from the pages themselves (`pageinspect`): every claimed
/// row's new version is a heap-only tuple.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_claims_rewrite_deliveries_in_place() {
    use evreg::bus::{NewEvent, Store};
    let Some(url) = pg_schema().await else { return };
    let store = evreg::bus::PostgresStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let schema_ref = TicketCreatedV1::SCHEMA_REF;
    store
        .register_consumer("c", &[schema_ref.to_owned()])
        .await
        .unwrap();
    let events: Vec<NewEvent> = (0..200)
        .map(|n| NewEvent {
            id: evreg::uuid::Uuid::now_v7(),
            tenant_id: TENANT_A.into(),
            event_type: "ticket.created".into(),
            schema_ref: schema_ref.into(),
            version: 1,
            payload: serde_json::value::to_raw_value(&serde_json::json!({ "n": n })).unwrap(),
            idempotency_key: None,
            recorded_at: evreg::bus::Timestamp::from_micros(1_764_000_000_000_000 + n),
        })
        .collect();
    store.append(events).await.unwrap();
    let now = evreg::bus::Timestamp::from_micros(1_764_000_001_000_000);
    let claimed = store
        .claim("c", 500, now, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 200);

    let client = pg_client(&url).await;
    // In `public`: the test schema is dropped after the run, and the
    // extension is the database's.
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
        .await
        .expect("the pageinspect extension (PostgreSQL's contrib modules)");
    let heap_only: i64 = client
        .query_one(
            "SELECT count(*) FROM generate_series(0, pg_relation_size('system_event_deliveries') / current_setting('block_size')::int - 1) AS b, \
             public.heap_page_items(public.get_raw_page('system_event_deliveries', b::int)) AS t \
             WHERE t.t_infomask2 & 32768 <> 0", // HEAP_ONLY_TUPLE
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(heap_only, 200, "every claim a HOT update");
}
