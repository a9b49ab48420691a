// An unsigned integer where the schema allows negative values (no minimum).
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::CatalogType)]
#[evreg(catalog = "fixtures/codegen/nested", definition = "Money")]
#[serde(rename_all = "camelCase")]
struct Money {
    #[serde(with = "evreg::wire::required")]
    amount_minor: u64,
    currency: String,
}

fn main() {}
