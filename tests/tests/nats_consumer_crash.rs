//! Crash test of a consumer on the NATS transport (`EVREG_TEST_NATS_URL`,
//! required in CI): a child process consumes with the bus and is killed
//! (SIGKILL) in the middle of its batches, several times; a last child runs
//! until the bus is drained. In the end every event was handled, the
//! durable consumer has acknowledged each one (nothing pending, nothing
//! awaiting acknowledgement) and the only repeats are events a killed child
//! handled without acknowledging — at most one batch per kill.
//!
//! The child is this test binary itself, run with `EVREG_NATS_CRASH_CHILD`
//! set (see `child`): it prints `handled <id>` as its handler runs.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use evreg::EventPayload;
use evreg::bus::nats::{ConsumerConfig, NatsConfig, NatsStream, NatsTransport};
use evreg::bus::{Bus, BusOptions, Envelope};
use evreg::enrich::PublishContext;
use evreg::uuid::Uuid;
use evreg_tests::acme::TicketCreatedV1;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";
const CONSUMER: &str = "crash-consumer";
const EVENTS: usize = 400;
const BATCH: usize = 25;
const KILLS: usize = 5;
/// A short lease: what a killed child took comes back soon.
const LEASE: Duration = Duration::from_millis(500);

fn options() -> BusOptions {
    BusOptions::default()
        .enricher(evreg_tests::acme::enricher())
        .lease(LEASE)
        .batch(BATCH)
}

fn child_config() -> NatsConfig {
    NatsConfig {
        url: std::env::var("EVREG_TEST_NATS_URL").unwrap(),
        stream: std::env::var("EVREG_NATS_CRASH_STREAM").unwrap(),
        subject_prefix: std::env::var("EVREG_NATS_CRASH_PREFIX").unwrap(),
        max_age: Duration::from_secs(600),
        ..NatsConfig::default()
    }
}

/// The child: consumes, printing each event it handles; with
/// `EVREG_NATS_CRASH_DRAIN` set it drains the bus and exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child() {
    if std::env::var_os("EVREG_NATS_CRASH_CHILD").is_none() {
        return;
    }
    let transport = NatsTransport::connect(child_config()).await.unwrap();
    let bus = Bus::with_transport(transport, options()).await.unwrap();
    bus.subscribe(CONSUMER, |e: Envelope<TicketCreatedV1>| {
        println!("handled {}", e.id);
        std::future::ready(Ok::<_, std::convert::Infallible>(()))
    })
    .start()
    .await
    .unwrap();
    if std::env::var_os("EVREG_NATS_CRASH_DRAIN").is_some() {
        bus.drain().await.unwrap();
        println!("drained");
        bus.shutdown().await;
    } else {
        std::future::pending::<()>().await;
    }
}

/// Runs a child until it printed `stop_after` handled events (then kills
/// it) or, with `None`, until it drained; the ids it handled.
fn run_child(config: &NatsConfig, stop_after: Option<usize>) -> Vec<Uuid> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("EVREG_NATS_CRASH_CHILD", "1")
        .env("EVREG_NATS_CRASH_STREAM", &config.stream)
        .env("EVREG_NATS_CRASH_PREFIX", &config.subject_prefix)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if stop_after.is_none() {
        cmd.env("EVREG_NATS_CRASH_DRAIN", "1");
    }
    let mut child = cmd.spawn().unwrap();
    // Bounded: a child still running after a minute is killed, and the
    // checks below fail.
    let pid = child.id().to_string();
    let (finished, watchdog) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watchdog.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = Command::new("kill").args(["-9", &pid]).status();
        }
    });
    let mut handled = Vec::new();
    let mut drained = false;
    let mut killed = false;
    // To the end of its output: what it printed before the kill took effect
    // was handled too. (The first line follows the harness's `test child
    // ... `.)
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some((_, id)) = line.split_once("handled ") {
            handled.push(id.parse().unwrap());
            if !killed && stop_after.is_some_and(|n| handled.len() >= n) {
                child.kill().unwrap(); // SIGKILL, mid-batch
                killed = true;
            }
        } else if line.contains("drained") {
            drained = true;
        }
    }
    let status = child.wait().unwrap();
    let _ = finished.send(());
    if stop_after.is_none() {
        assert!(drained && status.success(), "the last child drains");
    }
    handled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_consumers_lose_nothing_and_repeat_at_most_a_batch() {
    if std::env::var_os("EVREG_NATS_CRASH_CHILD").is_some() {
        return;
    }
    let Some(config) = evreg_tests::services::nats_config("the NATS consumer crash test") else {
        return;
    };
    let test = async {
        // The durable consumer exists before the events: as the bus makes it.
        let stream = NatsStream::connect(config.clone()).await.unwrap();
        let consumer = stream
            .consumer(ConsumerConfig {
                event_type: Some(TicketCreatedV1::EVENT_TYPE.into()),
                version: Some(TicketCreatedV1::VERSION),
                max_deliver: None,
                ack_wait: LEASE,
                from_now: true,
                ..ConsumerConfig::new(CONSUMER)
            })
            .await
            .unwrap();
        let publisher = Bus::with_transport(NatsTransport::new(stream.clone()), options())
            .await
            .unwrap();
        let ctx = PublishContext::new(TENANT);
        let payloads: Vec<TicketCreatedV1> = (0..EVENTS)
            .map(|n| evreg_tests::ticket_created(TENANT, &format!("crash {n}")))
            .collect();
        let published: Vec<Uuid> = publisher
            .publish_all(&ctx, payloads)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();

        let config = config.clone();
        let handled = tokio::task::spawn_blocking(move || {
            let mut handled = Vec::new();
            for _ in 0..KILLS {
                // Killed after a number of events that is not a whole batch
                // (every round finds that many: KILLS × (it + a batch of
                // repeats) < EVENTS).
                handled.extend(run_child(&config, Some(BATCH + 7)));
            }
            handled.extend(run_child(&config, None));
            handled
        })
        .await
        .unwrap();

        let mut times: HashMap<Uuid, usize> = HashMap::new();
        for id in &handled {
            *times.entry(*id).or_default() += 1;
        }
        for id in &published {
            assert!(times.contains_key(id), "{id} was never handled");
        }
        assert_eq!(times.len(), published.len(), "nothing but the published");
        let repeats = handled.len() - published.len();
        assert!(
            repeats <= KILLS * BATCH,
            "{repeats} repeats for {KILLS} kills of batches of {BATCH}"
        );
        let info = consumer.info().await.unwrap();
        assert_eq!(
            (info.num_pending, info.num_ack_pending),
            (0, 0),
            "every event acknowledged"
        );
        publisher.shutdown().await;
        stream
            .jetstream()
            .delete_stream(&stream.config().stream)
            .await
            .unwrap();
    };
    tokio::time::timeout(Duration::from_secs(120), test)
        .await
        .expect("bounded");
}
