//! `cargo bench -p evreg-tests --bench bus [-- EVENTS]`: publish throughput
//! and publish → handler latency of the bus on SQLite and PostgreSQL, with
//! 1 and 8 concurrent publishers, side by side with the floor: plain batched
//! `INSERT`s of the same rows (1 000 per transaction) into a bare table.
//!
//! Every publish is enriched, validated (generated validator), appended with
//! one delivery for the one subscribed consumer, and handled; the handler
//! records `now - recorded_at`. PostgreSQL runs when
//! `EVREG_TEST_POSTGRES_URL` is set (in its own schema, dropped after).
//!
//! To measure a part alone: `EVREG_BENCH_STORES=postgres` (or `sqlite`) and
//! `EVREG_BENCH_PUBLISHERS=64` (a comma-separated list) narrow the runs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use evreg::bus::tokio_postgres::{self, NoTls};
use evreg::bus::{Bus, BusError, BusOptions, Envelope, PostgresStore, SqliteStore};
use evreg::enrich::{Enricher, PublishContext};
use evreg_tests::acme::TicketCreatedV1;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";

fn payload() -> TicketCreatedV1 {
    evreg_tests::ticket_created(TENANT, "bench")
}

fn options() -> BusOptions {
    let catalog = evreg::Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog")).unwrap();
    BusOptions::default()
        .enricher(Enricher::from_manifest(catalog.manifest()))
        .poll_interval(Duration::from_millis(50))
}

/// Events per second of publishing `n` events from `publishers` tasks, and
/// the p50 / p99 publish → handler latency.
async fn run(bus: Bus, n: usize, publishers: usize) -> (f64, Duration, Duration) {
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let l = latencies.clone();
    bus.subscribe("bench", move |e: Envelope<TicketCreatedV1>| {
        let lag = SystemTime::now()
            .duration_since(e.recorded_at.into())
            .unwrap_or_default();
        l.lock().unwrap().push(lag);
        async { Ok::<(), BusError>(()) }
    })
    .start()
    .await
    .unwrap();
    let p = payload();
    let ctx = PublishContext::new(TENANT);
    let start = Instant::now();
    let tasks: Vec<_> = (0..publishers)
        .map(|_| {
            let (bus, p, ctx) = (bus.clone(), p.clone(), ctx.clone());
            tokio::spawn(async move {
                for _ in 0..n / publishers {
                    bus.publish(&ctx, p.clone()).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let rate = (n / publishers * publishers) as f64 / start.elapsed().as_secs_f64();
    bus.drain().await.unwrap();
    bus.shutdown().await;
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let at = |q: f64| l[((l.len() as f64 * q) as usize).min(l.len() - 1)];
    (rate, at(0.50), at(0.99))
}

fn rows(n: usize) -> Vec<(String, serde_json::Value)> {
    let v = serde_json::to_value(payload()).unwrap();
    (0..n)
        .map(|_| (evreg::uuid::Uuid::now_v7().to_string(), v.clone()))
        .collect()
}

fn sqlite_floor(path: &std::path::Path, n: usize) -> f64 {
    let mut c = evreg::bus::rusqlite::Connection::open(path).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "NORMAL").unwrap();
    c.execute_batch(
        "CREATE TABLE plain (id TEXT, tenant_id TEXT, payload TEXT, recorded_at INTEGER)",
    )
    .unwrap();
    let rows = rows(n);
    let start = Instant::now();
    for chunk in rows.chunks(1000) {
        let tx = c.transaction().unwrap();
        {
            let mut s = tx
                .prepare_cached("INSERT INTO plain VALUES (?1, ?2, ?3, ?4)")
                .unwrap();
            for (id, v) in chunk {
                s.execute((id, TENANT, v.to_string(), 0i64)).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn pg_floor(url: &str, n: usize) -> f64 {
    let (c, conn) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(conn);
    c.batch_execute(
        "CREATE TABLE plain (id uuid, tenant_id text, payload jsonb, recorded_at timestamptz)",
    )
    .await
    .unwrap();
    let rows = rows(n);
    let stmt = c
        .prepare("INSERT INTO plain SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::timestamptz[])")
        .await
        .unwrap();
    let start = Instant::now();
    for chunk in rows.chunks(1000) {
        let ids: Vec<evreg::uuid::Uuid> = chunk.iter().map(|(i, _)| i.parse().unwrap()).collect();
        let tenants = vec![TENANT; chunk.len()];
        let payloads: Vec<&serde_json::Value> = chunk.iter().map(|(_, v)| v).collect();
        let times = vec![SystemTime::now(); chunk.len()];
        c.execute(&stmt, &[&ids, &tenants, &payloads, &times])
            .await
            .unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn line(store: &str, what: &str, rate: f64, floor: f64, lat: Option<(Duration, Duration)>) {
    let lat = lat.map_or(String::new(), |(p50, p99)| {
        format!(
            "  p50 {:>6.2} ms  p99 {:>6.2} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        )
    });
    println!(
        "{store:<10} {what:<24} {rate:>9.0} ev/s  {:>5.2}x floor{lat}",
        rate / floor
    );
}

/// The values of a comma-separated environment variable, or `all`; a
/// value not in `all` stops the bench (a typo would measure nothing).
fn chosen<T: std::str::FromStr + Clone + PartialEq>(var: &str, all: &[T]) -> Vec<T> {
    let Ok(v) = std::env::var(var) else {
        return all.to_vec();
    };
    v.split(',')
        .map(|s| {
            s.trim()
                .parse()
                .ok()
                .filter(|x| all.contains(x))
                .unwrap_or_else(|| panic!("{var}: `{s}` is not one of the bench's choices"))
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let stores = chosen(
        "EVREG_BENCH_STORES",
        &["sqlite".to_owned(), "postgres".to_owned()],
    );
    let publisher_counts = chosen("EVREG_BENCH_PUBLISHERS", &[1usize, 8, 64]);
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    println!("{n} events per run; floor = plain batched INSERTs, 1 000 rows per transaction");

    let dir = tempfile::tempdir().unwrap();
    if stores.iter().any(|s| s == "sqlite") {
        sqlite_runs(dir.path(), n, &publisher_counts).await;
    }
    if stores.iter().any(|s| s == "postgres") {
        postgres_runs(n, &publisher_counts).await;
    }
}

async fn sqlite_runs(dir: &std::path::Path, n: usize, publisher_counts: &[usize]) {
    let floor = sqlite_floor(&dir.join("floor.db"), n);
    line("sqlite", "plain INSERT (floor)", floor, floor, None);
    for &publishers in publisher_counts {
        let path = dir.join(format!("bus-{publishers}.db"));
        let bus = Bus::new(SqliteStore::open(&path).unwrap(), options())
            .await
            .unwrap();
        let (rate, p50, p99) = run(bus, n, publishers).await;
        line(
            "sqlite",
            &format!("bus, {publishers} publisher(s)"),
            rate,
            floor,
            Some((p50, p99)),
        );
    }
}

async fn postgres_runs(n: usize, publisher_counts: &[usize]) {
    let Ok(base) = std::env::var("EVREG_TEST_POSTGRES_URL") else {
        println!("postgres   (EVREG_TEST_POSTGRES_URL not set: not measured)");
        return;
    };
    let schema = format!("evreg_bench_{}", std::process::id());
    let (admin, conn) = tokio_postgres::connect(&base, NoTls).await.unwrap();
    tokio::spawn(conn);
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let floor = pg_floor(&url, n).await;
    line("postgres", "plain INSERT (floor)", floor, floor, None);
    for &publishers in publisher_counts {
        admin
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS {schema}.system_event_deliveries, {schema}.system_event_attempts, \
                 {schema}.system_event_cooldowns, {schema}.system_event_consumers, {schema}.system_events"
            ))
            .await
            .unwrap();
        let bus = Bus::new(PostgresStore::connect(&url).await.unwrap(), options())
            .await
            .unwrap();
        let (rate, p50, p99) = run(bus, n, publishers).await;
        line(
            "postgres",
            &format!("bus, {publishers} publisher(s)"),
            rate,
            floor,
            Some((p50, p99)),
        );
    }
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}
