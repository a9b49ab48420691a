// An enum checked against its place in the catalog: a variant the schema
// does not have, with the nearest value, and a value with no variant.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::CatalogType)]
#[evreg(catalog = "../catalog", ref = "payload.TicketCreated.v1", pointer = "/properties/priority")]
#[serde(rename_all = "lowercase")]
enum Priority {
    Low,
    Medium,
    Hihg,
}

fn main() {}
