// An enum whose values differ from the schema's enum.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::CatalogType)]
#[serde(rename_all = "lowercase")]
enum Priority {
    Low,
    Medium,
    High,
}

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "../catalog", event = "TICKET_CREATED", version = 1)]
#[serde(rename_all = "camelCase")]
struct TicketCreated {
    tenant_id: String,
    occurred_at: String,
    ticket_id: String,
    ticket_number: String,
    title: String,
    priority: Priority,
    board_id: String,
}

fn main() {}
