//! Crash test: a child process publishes and consumes, and is killed
//! (SIGKILL) at random points, then restarted; at the end every published
//! event is in the audit trail once and processed once by each consumer,
//! counted from the tables. On SQLite always, on PostgreSQL when
//! `EVREG_TEST_POSTGRES_URL` is set.
//!
//! The child is this test binary itself, run with `EVREG_CRASH_CHILD` set
//! (see `child`): it publishes events with idempotency keys `k<n>` from the
//! number it is given, printing `acked <n>` after each publish returns, while
//! two consumers handle them. The parent kills it after a random number of
//! acknowledgements, and the next child starts again from the first
//! unacknowledged number (republishing the same key is a duplicate, never a
//! second event). A last child publishes nothing and runs until every
//! delivery is settled.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use evreg::bus::{Bus, BusError, BusOptions, DeliveryQuery, DeliveryStatus, Envelope, RetryPolicy};
use evreg::enrich::PublishContext;
use evreg_tests::acme::TicketCreatedV1;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";
const CONSUMERS: [&str; 2] = ["audit-mirror", "notify"];
/// Kill rounds, and at most this many acknowledgements per round.
const ROUNDS: usize = 6;
const MAX_ACKS: usize = 60;
/// The whole test's bound.
const DEADLINE: Duration = Duration::from_secs(120);

fn payload(n: usize) -> TicketCreatedV1 {
    evreg_tests::ticket_created(TENANT, &format!("crash test {n}"))
}

async fn open(db: &str) -> Bus {
    // A short lease: a delivery whose handler died with the process is
    // handed out again soon after the restart.
    let options = BusOptions::default()
        .lease(Duration::from_millis(200))
        .poll_interval(Duration::from_millis(20))
        .retry(RetryPolicy::immediate(5));
    if db.starts_with("postgres") {
        let store = evreg::bus::PostgresStore::connect(db).await.unwrap();
        Bus::new(store, options).await.unwrap()
    } else {
        Bus::new(evreg::bus::SqliteStore::open(db).unwrap(), options)
            .await
            .unwrap()
    }
}

/// The child: `EVREG_CRASH_CHILD=<db>` and `EVREG_CRASH_FROM=<n>` publish
/// from `n` on (forever, until killed); `EVREG_CRASH_FROM=drain` publishes
/// nothing and returns once every delivery is settled.
#[test]
fn child() {
    let Ok(db) = std::env::var("EVREG_CRASH_CHILD") else {
        return;
    };
    let from = std::env::var("EVREG_CRASH_FROM").unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let bus = open(&db).await;
        for consumer in CONSUMERS {
            bus.subscribe(consumer, |e: Envelope<TicketCreatedV1>| async move {
                // Some work between claim and settlement, where a kill lands.
                for _ in 0..(e.seq % 4) {
                    tokio::task::yield_now().await;
                }
                Ok::<(), BusError>(())
            })
            .start()
            .await
            .unwrap();
        }
        if from == "drain" {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                bus.drain().await.unwrap();
                let pending = bus
                    .deliveries(
                        &DeliveryQuery::tenant(TENANT)
                            .status(DeliveryStatus::Pending)
                            .limit(1),
                    )
                    .await
                    .unwrap();
                if pending.is_empty() {
                    break;
                }
                assert!(Instant::now() < deadline, "deliveries still pending");
                // Leased by a killed process: due again when the lease ends.
                let due = bus
                    .store()
                    .expect("a store-backed bus")
                    .next_due(pending[0].consumer.as_str())
                    .await
                    .unwrap();
                let wait = due
                    .map(|t| t.duration_since(evreg::bus::Timestamp::now()))
                    .unwrap_or_default()
                    .clamp(Duration::from_millis(1), Duration::from_millis(200));
                tokio::time::sleep(wait).await;
            }
            bus.shutdown().await;
            return;
        }
        let mut n: usize = from.parse().unwrap();
        let ctx = PublishContext::new(TENANT);
        loop {
            let keyed = ctx.clone().idempotency_key(format!("k{n}"));
            bus.publish(&keyed, payload(n)).await.unwrap();
            println!("acked {n}");
            n += 1;
        }
    });
}

/// Runs the child from `from`, kills it after `acks` acknowledgements (or
/// lets it finish, for `drain`); returns the next unacknowledged number.
fn run_child(db: &str, from: &str, acks: usize) -> usize {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("EVREG_CRASH_CHILD", db)
        .env("EVREG_CRASH_FROM", from)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut next = from.parse().unwrap_or(0);
    if from != "drain" {
        let stdout = child.stdout.take().unwrap();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // The first line follows the harness's `test child ... `.
            if let Some((_, n)) = line.split_once("acked ") {
                next = n.parse::<usize>().unwrap() + 1;
                if next - from.parse::<usize>().unwrap() >= acks {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
    }
    let status = child.wait().unwrap();
    if from == "drain" {
        assert!(status.success(), "the draining child failed: {status}");
    }
    next
}

/// Kills and restarts, then checks the tables through a fresh bus.
async fn crash_and_count(db: &str) {
    let start = Instant::now();
    let mut next = 0;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..ROUNDS {
        // xorshift: a different kill point each round, the same every run.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let acks = 1 + (seed % MAX_ACKS as u64) as usize;
        next = run_child(db, &next.to_string(), acks);
        assert!(start.elapsed() < DEADLINE, "the crash test ran out of time");
    }
    run_child(db, "drain", 0);
    assert!(next > ROUNDS, "the children published");

    let bus = open(db).await;
    let events = bus
        .events(&evreg::bus::EventQuery::tenant(TENANT).limit(usize::MAX))
        .await
        .unwrap();
    // Every acknowledged publish is there, once (a republished key is a
    // duplicate); at most the one in flight at a kill beyond it.
    let mut keys: Vec<usize> = events
        .iter()
        .map(|e| e.idempotency_key.as_deref().unwrap()[1..].parse().unwrap())
        .collect();
    keys.sort_unstable();
    let expected: Vec<usize> = (0..next).collect();
    assert_eq!(
        &keys[..next],
        &expected[..],
        "acknowledged events lost or doubled"
    );
    assert!(
        keys.len() <= next + 1,
        "{} events for {next} acknowledged",
        keys.len()
    );
    println!(
        "{db}: {} events after {ROUNDS} kills, {next} acknowledged",
        keys.len()
    );
    for consumer in CONSUMERS {
        let deliveries = bus
            .deliveries(
                &DeliveryQuery::tenant(TENANT)
                    .consumer(consumer)
                    .limit(usize::MAX),
            )
            .await
            .unwrap();
        assert_eq!(
            deliveries.len(),
            events.len(),
            "{consumer}: one delivery per event"
        );
        for d in &deliveries {
            assert_eq!(d.status, DeliveryStatus::Processed, "{consumer}: {d:?}");
        }
    }
    bus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kills() {
    if std::env::var_os("EVREG_CRASH_CHILD").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.db");
    crash_and_count(db.to_str().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_kills() {
    if std::env::var_os("EVREG_CRASH_CHILD").is_some() {
        return;
    }
    let Some(base) =
        evreg_tests::services::url("EVREG_TEST_POSTGRES_URL", "the PostgreSQL crash test")
    else {
        return;
    };
    let (client, conn) =
        evreg::bus::tokio_postgres::connect(&base, evreg::bus::tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(conn);
    let schema = format!("evreg_crash_{}", std::process::id());
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    crash_and_count(&format!("{base}{sep}options=-c%20search_path%3D{schema}")).await;
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}
