//! Fault tests against a `nats-server` this test starts on a port of its
//! own, with file storage in a temporary folder: the server is killed
//! (SIGKILL) while events are being published and started again on the same
//! store. No publish the server acknowledged may be lost.
//!
//! Needs the `nats-server` binary (required in CI; skipped loudly
//! elsewhere when missing).

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evreg::bus::NewEvent;
use evreg::bus::nats::{ConsumerConfig, NatsConfig, NatsStream};
use evreg::uuid::Uuid;
use tokio::sync::watch;

/// Starts `nats-server` with JetStream on `port`, storing in `dir`, and
/// waits until it accepts connections.
fn start(port: u16, dir: &Path) -> Child {
    let mut child = Command::new("nats-server")
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server starts");
    for _ in 0..500 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("nats-server did not listen on {port}");
}

fn server_available() -> bool {
    let found = Command::new("nats-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        evreg_tests::services::skip(
            "nats-server is not installed; the NATS fault tests did not run",
        );
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn event(n: u64) -> NewEvent {
    NewEvent {
        id: Uuid::now_v7(),
        tenant_id: "tenant-a".into(),
        event_type: "course.graduated".into(),
        schema_ref: "payload.CourseGraduated.v2".into(),
        version: 2,
        payload: serde_json::value::to_raw_value(&serde_json::json!({ "n": n })).unwrap(),
        idempotency_key: None,
        recorded_at: evreg::bus::Timestamp::UNIX_EPOCH,
    }
}

/// Waits (bounded) until `acked` holds at least `n` ids.
async fn until_acked(acked: &watch::Receiver<usize>, n: usize) {
    let mut acked = acked.clone();
    tokio::time::timeout(Duration::from_secs(60), acked.wait_for(|&c| c >= n))
        .await
        .expect("publishing made progress")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_stream_loses_no_acknowledged_publish() {
    if !server_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(port, dir.path());
    let config = NatsConfig {
        url: format!("nats://127.0.0.1:{port}"),
        ..NatsConfig::default()
    };
    let stream = NatsStream::connect(config.clone()).await.unwrap();

    // One publisher, batches of 10, recording what the server acknowledged;
    // a batch that fails (server down) is not acknowledged as a whole.
    let acked_ids = Arc::new(Mutex::new(BTreeSet::new()));
    let (count, acked) = watch::channel(0usize);
    let (stop, stopped) = watch::channel(false);
    let publisher = {
        let (stream, acked_ids) = (stream.clone(), acked_ids.clone());
        tokio::spawn(async move {
            let mut n = 0;
            let mut failed = 0;
            while !*stopped.borrow() {
                let batch: Vec<NewEvent> = (0..10).map(|i| event(n + i)).collect();
                n += 10;
                match stream.publish(&batch).await {
                    Ok(sent) => {
                        let mut ids = acked_ids.lock().unwrap();
                        ids.extend(sent.iter().map(|s| s.id));
                        count.send_replace(ids.len());
                    }
                    Err(_) => failed += 1,
                }
            }
            failed
        })
    };

    until_acked(&acked, 300).await;
    server.kill().unwrap();
    server.wait().unwrap();
    let before = acked_ids.lock().unwrap().len();
    let mut server = start(port, dir.path());
    // The client reconnects by itself; publishing resumes.
    until_acked(&acked, before + 300).await;
    stop.send_replace(true);
    let failed = publisher.await.unwrap();

    let acked_ids = acked_ids.lock().unwrap().clone();
    let consumer = stream.consumer(ConsumerConfig::new("check")).await.unwrap();
    let mut stored = BTreeSet::new();
    loop {
        let got = consumer.fetch(500, Duration::from_secs(2)).await.unwrap();
        if got.is_empty() {
            break;
        }
        for d in got {
            stored.insert(d.event.id);
            d.ack().await.unwrap();
        }
    }
    let lost: Vec<_> = acked_ids.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged events lost ({failed} batches failed while the server was down)",
        lost.len(),
        acked_ids.len()
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
