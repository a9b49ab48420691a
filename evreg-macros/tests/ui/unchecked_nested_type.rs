// A nested type that was not checked against the catalog.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Money {
    amount_minor: i64,
    currency: String,
}

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/nested", ref = "payload.OrderPlaced.v1")]
#[serde(rename_all = "camelCase")]
struct OrderPlaced {
    order_id: String,
    total: Money,
    lines: Vec<serde_json::Value>,
}

fn main() {}
