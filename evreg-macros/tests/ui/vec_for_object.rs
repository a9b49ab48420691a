// A Vec where the schema wants an object.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/nested", ref = "payload.OrderPlaced.v1")]
#[serde(rename_all = "camelCase")]
struct OrderPlaced {
    order_id: String,
    total: Vec<String>,
    lines: Vec<serde_json::Value>,
}

fn main() {}
