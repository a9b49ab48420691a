//! Enrichment fills the manifest's base fields, never overwriting the caller's.

use std::path::Path;

use evreg_core::enrich::{Actor, Enricher, FixedClock, PublishContext, SystemClock};
use evreg_core::{Catalog, Registry};
use serde_json::json;

const TENANT: &str = "9d1afc45-a247-4e74-819e-15227f93e95d";
const USER: &str = "206ce413-f471-495a-bd28-eb06f84d7891";

fn shipped() -> Catalog {
    Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog")).unwrap()
}

fn catalog_with(manifest: &str) -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog.toml"), manifest).unwrap();
    let catalog = Catalog::load(dir.path()).unwrap();
    (dir, catalog)
}

#[test]
fn an_enriched_payload_validates_against_the_shipped_catalog() {
    let catalog = shipped();
    let registry = Registry::from_catalog(&catalog);
    let enricher = Enricher::from_manifest(catalog.manifest());
    let ctx = PublishContext::new(TENANT)
        .actor(Actor::User(USER.into()))
        .idempotency_key("k-1");
    let mut payload = json!({"ticketId": USER, "resolution": "resolved"});
    enricher.enrich(&ctx, &mut payload);
    registry
        .validate("payload.TicketClosed.v1", &payload)
        .unwrap();
    assert_eq!(payload["actorType"], "user");
    assert_eq!(payload["actorUserId"], USER);
    assert_eq!(payload["idempotencyKey"], "k-1");
    assert!(payload.get("actorContactId").is_none());
    // The system clock gives an RFC 3339 time the registry accepts as date-time.
    assert!(payload["occurredAt"].as_str().unwrap().ends_with('Z'));
    let _ = SystemClock;
}

#[test]
fn never_overwrites_what_the_caller_set() {
    let catalog = shipped();
    let enricher = Enricher::from_manifest(catalog.manifest());
    let ctx = PublishContext::new(TENANT)
        .actor(Actor::Contact(USER.into()))
        .clock(FixedClock::new("2026-01-01T00:00:00Z"));
    let mut payload =
        json!({"tenantId": "other", "occurredAt": "2025-12-31T23:59:59Z", "actorType": "system"});
    enricher.enrich(&ctx, &mut payload);
    assert_eq!(payload["tenantId"], "other");
    assert_eq!(payload["occurredAt"], "2025-12-31T23:59:59Z");
    assert_eq!(payload["actorType"], "system");
    assert_eq!(
        payload["actorContactId"], USER,
        "missing fields are still filled"
    );
    assert!(
        payload.get("idempotencyKey").is_none(),
        "no key in the context"
    );
}

#[test]
fn only_declared_base_fields_are_filled_in_the_catalogs_spelling() {
    let (_dir, none) = catalog_with("name = \"bare\"\n");
    let mut payload = json!({"x": 1});
    Enricher::from_manifest(none.manifest()).enrich(&PublishContext::new(TENANT), &mut payload);
    assert_eq!(payload, json!({"x": 1}));

    let (_dir, snake) = catalog_with(
        "name = \"snake\"\nkey_case = \"snake_case\"\n[base]\n[base.properties]\ntenant_id = { type = \"string\" }\nactor_type = { type = \"string\", enum = [\"USER\", \"CONTACT\", \"SYSTEM\"] }\n",
    );
    let mut payload = json!({});
    let ctx = PublishContext::new(TENANT)
        .actor(Actor::System)
        .clock(FixedClock::new("2026-01-01T00:00:00Z"));
    Enricher::from_manifest(snake.manifest()).enrich(&ctx, &mut payload);
    assert_eq!(
        payload,
        json!({"tenant_id": TENANT, "actor_type": "SYSTEM"})
    );
}
