//! `evreg events` against a bus's SQLite database: list (with its filters),
//! show, failed, retry and replay, text and JSON, exit codes.

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use evreg::bus::{
    Bus, BusError, BusOptions, DeliveryQuery, DeliveryStatus, Envelope, RetryPolicy, SqliteStore,
};
use evreg::enrich::PublishContext;
use evreg_tests::acme::TicketCreatedV1;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";

fn ticket(title: &str) -> TicketCreatedV1 {
    evreg_tests::ticket_created(TENANT, title)
}

fn evreg(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("evreg")
        .unwrap()
        .env_remove("DATABASE_URL")
        // The test streams expire (`evreg_tests::services::nats_config`).
        .env("EVREG_NATS_MAX_AGE", "10m")
        .args(["events", "--database-url", url])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_commands_read_and_manage_the_trail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let url = format!("sqlite://{}", path.display());
    let bus = Bus::new(
        SqliteStore::open(&path).unwrap(),
        BusOptions::default().retry(RetryPolicy::immediate(2)),
    )
    .await
    .unwrap();
    bus.subscribe("ok", |_: Envelope<TicketCreatedV1>| async {
        Ok::<(), BusError>(())
    })
    .start()
    .await
    .unwrap();
    bus.subscribe("broken", |_: Envelope<TicketCreatedV1>| async {
        Err::<(), _>("smtp refused")
    })
    .start()
    .await
    .unwrap();
    let ctx = PublishContext::new(TENANT);
    let first = bus
        .publish(&ctx.clone().idempotency_key("k1"), ticket("one"))
        .await
        .unwrap();
    bus.publish(&ctx, ticket("two")).await.unwrap();
    bus.drain().await.unwrap();
    bus.shutdown().await;

    // list: text, JSON, filters.
    let (code, out, err) = evreg(&url, &["list", "--tenant", TENANT]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.contains("TICKET_CREATED")
            && out.contains(&first.id.to_string())
            && out.contains("key k1"),
        "{out}"
    );
    assert!(err.contains("2 events"), "{err}");
    // No event at all, or none matching: said, not left to guess.
    let (code, _, err) = evreg(&url, &["list", "--tenant", "not-a-tenant"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("0 events")
            && err.contains("tenant `not-a-tenant` has no events in this database"),
        "{err}"
    );
    let (_, _, err) = evreg(&url, &["list", "--tenant", TENANT, "--type", "NOPE"]);
    assert!(err.contains("has events; none matches --type"), "{err}");
    let (_, out, _) = evreg(
        &url,
        &[
            "--format", "json", "list", "--tenant", TENANT, "--since", "1h",
        ],
    );
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["payload"]["title"], "one");
    let (_, out, _) = evreg(&url, &["list", "--tenant", TENANT, "--field", "title=two"]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let (_, out, _) = evreg(
        &url,
        &[
            "list",
            "--tenant",
            TENANT,
            "--until",
            "2000-01-01T00:00:00Z",
        ],
    );
    assert!(out.is_empty(), "{out}");
    let (_, out, _) = evreg(&url, &["list", "--tenant", "another-tenant"]);
    assert!(out.is_empty(), "another tenant sees nothing: {out}");
    let (code, _, err) = evreg(
        &url,
        &["list", "--tenant", TENANT, "--since", "last tuesday"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("neither an RFC 3339 time"), "{err}");

    // show: the payload and both deliveries.
    let id = first.id.to_string();
    let (code, out, err) = evreg(&url, &["show", "--tenant", TENANT, &id]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"title\": \"one\""), "{out}");
    assert!(
        out.contains("broken") && out.contains("dead") && out.contains("smtp refused"),
        "{out}"
    );
    assert!(out.contains("ok") && out.contains("processed"), "{out}");
    let (code, _, err) = evreg(&url, &["show", "--tenant", "another-tenant", &id]);
    assert_eq!(code, 1);
    assert!(err.contains("has no event"), "{err}");

    // failed, then retry one dead letter, then replay.
    let (_, out, err) = evreg(&url, &["failed", "--tenant", TENANT, "--dead"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(err.contains("2 failed"), "{err}");
    let (code, _, err) = evreg(
        &url,
        &["retry", "--tenant", TENANT, "--consumer", "broken", &id],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = evreg(
        &url,
        &["retry", "--tenant", TENANT, "--consumer", "ok", &id],
    );
    assert_eq!(code, 1, "a processed delivery is not retried");
    let (code, _, err) = evreg(
        &url,
        &[
            "replay",
            "--consumer",
            "ok",
            "--since",
            "1h",
            "--tenant",
            TENANT,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 deliveries to `ok` queued again"), "{err}");

    let bus = Bus::new(SqliteStore::open(&path).unwrap(), BusOptions::default())
        .await
        .unwrap();
    let pending = bus
        .deliveries(&DeliveryQuery::tenant(TENANT).status(DeliveryStatus::Pending))
        .await
        .unwrap();
    let mut who: Vec<(&str, u32)> = pending
        .iter()
        .map(|d| (d.consumer.as_str(), d.attempts))
        .collect();
    who.sort();
    assert_eq!(who, [("broken", 0), ("ok", 0), ("ok", 0)]);

    let (code, _, err) = evreg("mysql://x", &["list", "--tenant", TENANT]);
    assert_eq!(code, 2);
    assert!(err.contains("not a database URL"), "{err}");
}

/// `evreg events relay` carries what a PostgreSQL bus committed into the
/// NATS stream, and `evreg events tail` shows it from the stream and from
/// the database (`EVREG_TEST_POSTGRES_URL` and `EVREG_TEST_NATS_URL`,
/// required in CI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_and_tail_through_the_command() {
    let Some(url) = evreg_tests::services::postgres_schema("the relay command test").await else {
        return;
    };
    let Some(nats) = evreg_tests::services::nats_config("the relay command test") else {
        return;
    };
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog");
    let stream_flags = [
        "--nats-url",
        nats.url.as_str(),
        "--stream",
        nats.stream.as_str(),
        "--subject-prefix",
        nats.subject_prefix.as_str(),
    ];
    let relay = |args: &[&str]| {
        let mut all = vec!["--catalog", catalog, "relay", "--once"];
        all.extend(stream_flags);
        all.extend(args);
        evreg(&url, &all)
    };
    // The first run registers the relay: events from then on are relayed.
    let (code, _, err) = relay(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 events relayed"), "{err}");
    let bus = Bus::postgres(&url).await.unwrap();
    let ctx = PublishContext::new(TENANT);
    let mut ids = Vec::new();
    for title in ["one", "two", "three"] {
        ids.push(
            bus.publish(&ctx, ticket(title))
                .await
                .unwrap()
                .id
                .to_string(),
        );
    }
    let (code, _, err) = relay(&["--batch", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("3 events relayed to stream {}", nats.stream)),
        "{err}"
    );
    let (code, _, err) = relay(&[]);
    assert_eq!((code, err.contains("0 events relayed")), (0, true), "{err}");

    let ids_of = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let mut tail = vec!["tail", "--since", "1h", "--limit", "3", "--format", "json"];
    tail.extend(stream_flags);
    let (code, out, err) = evreg(&url, &tail);
    assert_eq!(code, 0, "{err}");
    assert_eq!(ids_of(&out), ids, "from the stream, in order");
    assert!(
        err.contains(&format!("watching NATS stream `{}`", nats.stream))
            && err.contains("for recorded and new events, until 3 (Ctrl-C stops"),
        "{err}"
    );
    let (code, out, err) = evreg(
        &url,
        &[
            "tail",
            "--transport",
            "database",
            "--tenant",
            TENANT,
            "--since",
            "1h",
            "--limit",
            "3",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(ids_of(&out), ids, "from the database, in order");
    // Text: one line per event with its type and payload.
    let mut tail = vec![
        "tail",
        "--since",
        "1h",
        "--limit",
        "1",
        "--type",
        "TICKET_CREATED",
    ];
    tail.extend(stream_flags);
    let (code, out, _) = evreg(&url, &tail);
    assert_eq!(code, 0);
    assert!(
        out.contains("TICKET_CREATED")
            && out.contains(&ids[0])
            && out.contains("\"title\":\"one\""),
        "{out}"
    );
    bus.shutdown().await;
    let stream = evreg::bus::nats::NatsStream::connect(nats).await.unwrap();
    let name = stream.config().stream.clone();
    stream.jetstream().delete_stream(&name).await.unwrap();
}
