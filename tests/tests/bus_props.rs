//! Property: any interleaving of publishes, handler failures and drains ends
//! with every delivery either processed or dead-lettered — never both, never
//! neither — and the tables agree with what the handlers saw: a delivery is
//! processed exactly when one of its attempts succeeded, its attempt count is
//! the number of times its handler ran, and a dead letter failed every one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use evreg::bus::{Bus, BusError, BusOptions, DeliveryQuery, DeliveryStatus, Envelope, RetryPolicy};
use evreg::enrich::PublishContext;
use evreg_tests::acme::TicketCreatedV1;
use proptest::prelude::*;

const TENANT: &str = "0b4e2f52-7c1d-4a8e-9f3a-1d2c3b4a5e6f";
const MAX_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone)]
enum Step {
    /// Publish this many events.
    Publish(usize),
    /// Wait until every due delivery is handled.
    Drain,
}

fn payload(n: usize) -> TicketCreatedV1 {
    evreg_tests::ticket_created(TENANT, &format!("t{n}"))
}

/// Every handler call: (consumer, event seq) → outcomes in order.
type Calls = Arc<Mutex<HashMap<(usize, i64), Vec<bool>>>>;

fn run(steps: Vec<Step>, schedules: Vec<Vec<bool>>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let store = evreg::bus::SqliteStore::open(dir.path().join("events.db")).unwrap();
        let bus = Bus::new(
            store,
            BusOptions::default().retry(RetryPolicy::immediate(MAX_ATTEMPTS)),
        )
        .await
        .unwrap();
        let calls: Calls = Arc::default();
        for (c, schedule) in schedules.iter().enumerate() {
            let (calls, schedule) = (calls.clone(), schedule.clone());
            bus.subscribe(&format!("c{c}"), move |e: Envelope<TicketCreatedV1>| {
                // The schedule says, call after call, whether this consumer fails.
                let mut all = calls.lock().unwrap();
                let total: usize = all
                    .iter()
                    .filter(|((k, _), _)| *k == c)
                    .map(|(_, v)| v.len())
                    .sum();
                let ok = schedule[total % schedule.len()];
                all.entry((c, e.seq)).or_default().push(ok);
                async move {
                    if ok {
                        Ok(())
                    } else {
                        Err(BusError::Query("scheduled failure".into()))
                    }
                }
            })
            .start()
            .await
            .unwrap();
        }
        let ctx = PublishContext::new(TENANT);
        let mut published = 0;
        for step in steps {
            match step {
                Step::Publish(k) => {
                    for _ in 0..k {
                        bus.publish(&ctx, payload(published)).await.unwrap();
                        published += 1;
                    }
                }
                Step::Drain => bus.drain().await.unwrap(),
            }
        }
        bus.drain().await.unwrap();
        bus.shutdown().await;

        let calls = calls.lock().unwrap().clone();
        for c in 0..schedules.len() {
            let deliveries = bus
                .deliveries(
                    &DeliveryQuery::tenant(TENANT)
                        .consumer(format!("c{c}"))
                        .limit(usize::MAX),
                )
                .await
                .unwrap();
            prop_assert_eq!(
                deliveries.len(),
                published,
                "one delivery per event for c{}",
                c
            );
            for d in deliveries {
                let seen = calls.get(&(c, d.seq)).cloned().unwrap_or_default();
                prop_assert_eq!(d.attempts as usize, seen.len(), "attempts of {:?}", d);
                match d.status {
                    DeliveryStatus::Processed => {
                        prop_assert_eq!(seen.last(), Some(&true), "{:?}", d);
                        prop_assert!(seen[..seen.len() - 1].iter().all(|ok| !ok), "{:?}", d);
                    }
                    DeliveryStatus::Dead => {
                        prop_assert_eq!(seen.len(), MAX_ATTEMPTS as usize, "{:?}", d);
                        prop_assert!(seen.iter().all(|ok| !ok), "{:?}", d);
                    }
                    other => prop_assert!(false, "left {:?}: {:?}", other, d),
                }
            }
        }
        Ok(())
    })
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        prop_oneof![
            3 => (1usize..6).prop_map(Step::Publish),
            1 => Just(Step::Drain),
        ],
        1..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn every_delivery_ends_processed_or_dead(
        steps in steps(),
        schedules in proptest::collection::vec(proptest::collection::vec(any::<bool>(), 1..6), 1..4),
    ) {
        run(steps, schedules)?;
    }
}
