//! The event bus on the shipped catalog, end to end:
//!
//! ```sh
//! cargo run -p evreg-example-service --example event_bus
//! ```
//!
//! A learner graduates (`course.graduated` v2): four subscribers react — one
//! grants a role, one generates a certificate (it fails twice, then
//! succeeds), one assigns the learner to a pod, one notifies a chat channel
//! (it always fails and ends dead-lettered). A sales opportunity changes
//! stage in a database mutation, and the `OPPORTUNITY_STAGE_CHANGED` event
//! is published in the same transaction. Then the audit trail is printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use evreg::bus::{
    Bus, BusError, BusOptions, DeliveryQuery, Envelope, EventQuery, RetryPolicy, SqliteStore,
};
use evreg::enrich::{Actor, PublishContext};
use evreg_example_service::events::{
    self, CourseGraduatedV2, OpportunityStageChangedV2,
    OpportunityStageChangedV2NewStage as NewStage,
    OpportunityStageChangedV2PreviousStage as PreviousStage,
};

const TENANT: &str = "9d1afc45-a247-4e74-819e-15227f93e95d";

// The bus runs on either tokio runtime; one thread is plenty for this demo.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = std::env::temp_dir().join(format!("evreg-event-bus-{}.db", std::process::id()));
    let result = run(&db).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    result
}

async fn run(db: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let options = BusOptions::default()
        // The base fields (tenant, time, actor, idempotency key) the manifest
        // declares, as generated: no catalog file is read at run time.
        .enricher(events::enricher())
        // Quick retries, so that the example ends at once; the default backs
        // off from 1 s to 5 min over 8 attempts, with jitter.
        .retry(RetryPolicy::immediate(3));
    let bus = Bus::new(SqliteStore::open(db)?, options).await?;

    // Four consumers of course.graduated v2, each durable and independent.
    bus.subscribe(
        "grant-alumni-role",
        |e: Envelope<CourseGraduatedV2>| async move {
            println!(
                "  grant-alumni-role: learner {} is now an alumnus",
                e.payload.learner_id
            );
            Ok::<(), BusError>(())
        },
    )
    .start()
    .await?;
    let tries = Arc::new(AtomicU32::new(0));
    bus.subscribe(
        "generate-certificate",
        move |e: Envelope<CourseGraduatedV2>| {
            let n = tries.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                if n < 3 {
                    println!(
                        "  generate-certificate: attempt {} failed (renderer busy)",
                        e.attempt
                    );
                    return Err(format!("renderer busy (attempt {})", e.attempt));
                }
                println!(
                    "  generate-certificate: attempt {}: certificate for course {}",
                    e.attempt, e.payload.course_id
                );
                Ok(())
            }
        },
    )
    .start()
    .await?;
    bus.subscribe("assign-pod", |e: Envelope<CourseGraduatedV2>| async move {
        let pod = if e.payload.honors == Some(true) {
            "mentors"
        } else {
            "alumni"
        };
        println!(
            "  assign-pod: learner {} joins the {pod} pod",
            e.payload.learner_id
        );
        Ok::<(), BusError>(())
    })
    .start()
    .await?;
    bus.subscribe("notify-chat", |e: Envelope<CourseGraduatedV2>| async move {
        println!("  notify-chat: attempt {} failed", e.attempt);
        Err::<(), _>("chat webhook answered 503")
    })
    .start()
    .await?;
    // A workflow trigger: won opportunities only, at most once per hour per
    // opportunity.
    bus.subscribe(
        "forecast",
        |e: Envelope<OpportunityStageChangedV2>| async move {
            println!(
                "  forecast: opportunity {} moved {:?} -> {:?}",
                e.payload.opportunity_id, e.payload.previous_stage, e.payload.new_stage
            );
            Ok::<(), BusError>(())
        },
    )
    .filter(|e| e.payload.new_stage == NewStage::Won)
    .cooldown(Duration::from_secs(3600), |e| {
        e.payload.opportunity_id.to_string()
    })
    .start()
    .await?;

    // Publish: enriched from the context, validated, stored, delivered.
    let ctx = PublishContext::new(TENANT)
        .actor(Actor::User("b9ee62b3-4911-4768-a7a1-f80202311821".into()))
        .idempotency_key("graduation-d5632453");
    let graduated = CourseGraduatedV2 {
        tenant_id: TENANT.parse()?,
        occurred_at: "2026-11-24T09:00:00Z".parse()?,
        actor_user_id: None,
        actor_contact_id: None,
        actor_type: None,
        idempotency_key: None,
        learner_id: "d5632453-ffe3-4c9b-9e05-752a28d1c95a".parse()?,
        course_id: "6ea932ff-4cf5-4840-ba8a-c4c79672657f".parse()?,
        graduated_at: "2026-11-24T08:55:00Z".parse()?,
        final_score_percent: 91.5,
        certificate_id: None,
        honors: Some(true),
    };
    println!("publish course.graduated v2");
    let first = bus.publish(&ctx, graduated.clone()).await?;
    let again = bus.publish(&ctx, graduated).await?;
    println!(
        "  stored as {}; the retried publish was a duplicate: {}",
        first.id, again.duplicate
    );
    bus.drain().await?;

    // A mutation and its event in one transaction: both or neither.
    println!("move an opportunity to `won` (one transaction)");
    let mut conn = evreg::bus::rusqlite::Connection::open(db)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS opportunities (id TEXT PRIMARY KEY, stage TEXT NOT NULL);
         INSERT OR IGNORE INTO opportunities VALUES ('d2b32af8-72db-4f69-850c-01d5b6f12e3f', 'negotiation');",
    )?;
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE opportunities SET stage = 'won' WHERE id = 'd2b32af8-72db-4f69-850c-01d5b6f12e3f'",
        [],
    )?;
    let moved = OpportunityStageChangedV2 {
        tenant_id: TENANT.parse()?,
        occurred_at: "2026-11-24T09:05:00Z".parse()?,
        actor_user_id: None,
        actor_contact_id: None,
        actor_type: None,
        idempotency_key: None,
        opportunity_id: "d2b32af8-72db-4f69-850c-01d5b6f12e3f".parse()?,
        previous_stage: PreviousStage::Negotiation,
        new_stage: NewStage::Won,
        probability_percent: Some(100),
        pipeline_id: None,
    };
    bus.publish_in(&tx, &PublishContext::new(TENANT), moved)
        .await?;
    tx.commit()?;
    bus.wake(&[]);
    bus.drain().await?;

    println!("\naudit trail of tenant {TENANT}:");
    for e in bus.events(&EventQuery::tenant(TENANT)).await? {
        println!(
            "  #{} {} ({}) id {}",
            e.seq, e.event_type, e.schema_ref, e.id
        );
    }
    println!("deliveries:");
    for d in bus
        .deliveries(&DeliveryQuery::tenant(TENANT).limit(100))
        .await?
    {
        println!(
            "  #{} {:<22} {:<10} attempts {}{}",
            d.seq,
            d.consumer,
            d.status.as_str(),
            d.attempts,
            d.last_error
                .map(|e| format!(", last error: {e}"))
                .unwrap_or_default()
        );
    }
    let dead = bus.dead_letters(TENANT).await?;
    println!("dead letters: {}", dead.len());
    bus.shutdown().await;
    Ok(())
}
