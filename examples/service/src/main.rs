//! A service using the code evreg generates from the shipped catalog
//! (`src/events.rs`, see the library's docs).

use evreg::EventPayload;
use serde_json::json;

use evreg_example_service::events::{
    self, Event, EventType, TicketCreatedV2, TicketCreatedV2Priority,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Build a payload in Rust: the compiler knows every field and enum.
    let created = TicketCreatedV2 {
        tenant_id: "9d1afc45-a247-4e74-819e-15227f93e95d".parse()?,
        occurred_at: "2026-07-19T20:11:20Z".parse()?,
        actor_user_id: None,
        actor_contact_id: None,
        actor_type: Some(events::ActorType::System),
        idempotency_key: None,
        ticket_id: "206ce413-f471-495a-bd28-eb06f84d7891".parse()?,
        ticket_number: "T-038075".to_owned(),
        title: "Email quota exceeded".to_owned(),
        priority: TicketCreatedV2Priority::High,
        board_id: "5bdc7ecd-3d9f-4093-823c-eb01bf43cd0e".parse()?,
        client_id: None,
        contact_id: None,
        source: None,
        channel_id: None,
        tags: Some(vec!["email".to_owned(), "quota".to_owned()]),
    };
    // What the type cannot hold (lengths, patterns, formats…) is checked here.
    created.validate()?;
    let wire = serde_json::to_string(&created)?;
    println!("{} {wire}", TicketCreatedV2::SCHEMA_REF);

    // A payload arriving as JSON: read, check and dispatch on its type.
    let incoming = json!({
        "tenantId": "9d1afc45-a247-4e74-819e-15227f93e95d",
        "occurredAt": "2026-07-19T20:15:00Z",
        "ticketId": "206ce413-f471-495a-bd28-eb06f84d7891",
        "previousStatusId": "7c694662-7d77-4717-8b50-cfd1e1beb3c9",
        "newStatusId": "049cbc42-9bb9-478d-adc8-810d177c6572"
    });
    match Event::from_value("TICKET_STATUS_CHANGED", incoming)? {
        Event::TicketStatusChangedV1(changed) => {
            println!("ticket {} changed status", changed.ticket_id)
        }
        other => println!("unexpected {}", other.schema_ref()),
    }

    // A bad payload is refused with every error and its JSON pointer.
    let mut bad = created.clone();
    bad.ticket_number = "38075".to_owned();
    if let Err(errors) = bad.validate() {
        println!("{errors}");
    }

    // Untyped payloads are checked by the embedded registry.
    let registry = events::registry();
    println!(
        "{} schemas; {} is {}",
        registry.len(),
        EventType::TicketCreated,
        EventType::TicketCreated.status()
    );
    Ok(())
}
