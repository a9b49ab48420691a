//! The simulator follows references as every reader of a bundle does: a
//! percent-encoded `$ref` (`#/$defs/Unit%20Price`) that loads and generates
//! cleanly also simulates (it used to fail: the simulator read the pointer
//! undecoded).

use std::fs;

use evreg_cli::simulate::Simulator;
use evreg_core::{Catalog, Registry};

#[test]
fn percent_encoded_references_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("events")).unwrap();
    fs::write(
        root.join("catalog.toml"),
        "name = \"refs\"\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    fs::write(
        root.join("schema.json"),
        r##"{
  "type": "object",
  "required": ["price"],
  "properties": { "price": { "$ref": "#/$defs/Unit%20Price" } },
  "additionalProperties": false,
  "$defs": {
    "Unit Price": {
      "type": "object",
      "required": ["amount"],
      "properties": { "amount": { "type": "integer", "minimum": 1 } },
      "additionalProperties": false
    }
  }
}"##,
    )
    .unwrap();
    fs::write(
        root.join("events/orders.toml"),
        "[[events]]\ntype = \"ORDER_PRICED\"\nname = \"n\"\ndescription = \"d\"\ncategory = \"c\"\n\n[[events.versions]]\nversion = 1\nschema = \"../schema.json\"\n",
    )
    .unwrap();
    let catalog = Catalog::load(root).unwrap_or_else(|e| panic!("{e}"));
    let registry = Registry::from_catalog(&catalog);
    let (_, version) = catalog.versions().next().unwrap();
    for seed in 0..8 {
        let mut sim = Simulator::new(&catalog, seed);
        let payload = sim.valid(version).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            registry.validate(&version.schema_ref, &payload).is_ok(),
            "{payload}"
        );
        assert!(
            payload["price"]["amount"].as_i64().is_some_and(|n| n >= 1),
            "{payload}"
        );
    }
}
