//! The simulator follows references as every reader of a bundle does: a
//! percent-encoded `$ref` (`#/$defs/Unit%20Price`) that loads and generates
//! cleanly also simulates (it used to fail: the simulator read the pointer
//! undecoded). And a schema that asks for more than it makes is refused
//! with the keyword named.

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

/// Schemas that ask for more than the simulator makes: a clear error (exit
/// 1 naming the keyword), never a panic or gigabytes (a `minLength` of
/// 2^64 - 1 once panicked, a `minItems` of 10^8 took 9 GB).
#[test]
fn oversized_schemas_are_refused_not_drawn() {
    for (keyword, value) in [
        ("minLength", "18446744073709551615"),
        ("minLength", "1e9"),
        ("minItems", "100000000"),
        ("maxLength", "18446744073709551615"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ty = if keyword.ends_with("Items") {
            "array"
        } else {
            "string"
        };
        let schema = format!(
            r#"{{"type": "object", "required": ["x"], "properties": {{"x": {{"type": "{ty}", "{keyword}": {value}}}}}}}"#
        );
        std::fs::create_dir_all(dir.path().join("events")).unwrap();
        std::fs::write(
            dir.path().join("catalog.toml"),
            "name = \"big\"\n[checks]\nrequire_examples = false\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("events/big.v1.json"), schema).unwrap();
        std::fs::write(
            dir.path().join("events/big.toml"),
            "[[events]]\ntype = \"BIG_MADE\"\nname = \"n\"\ndescription = \"d\"\ncategory = \"c\"\n\n[[events.versions]]\nversion = 1\nschema = \"big.v1.json\"\n",
        )
        .unwrap();
        for extra in [&[][..], &["--invalid"][..]] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_evreg"))
                .args(["simulate", "BIG_MADE", "--catalog"])
                .arg(dir.path())
                .args(extra)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{keyword}: {stderr}");
            if keyword == "maxLength" {
                assert_eq!(out.status.code(), Some(0), "{keyword} {extra:?}: {stderr}");
            } else {
                assert_eq!(out.status.code(), Some(1), "{keyword} {extra:?}: {stderr}");
                assert!(
                    stderr.contains(&format!("`{keyword}: "))
                        && stderr.contains("more than the simulator makes"),
                    "{keyword}: {stderr}"
                );
            }
        }
    }
}

/// A schema whose rules the simulator draws without (`not`, `if`, …: the
/// `Drawn::Retried` rules of `evreg_cli::simulate::drawn`) and that no free
/// draw keeps: the error names those rules and where they are.
#[test]
fn a_schema_no_draw_keeps_names_the_rules_drawn_without() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("events")).unwrap();
    fs::write(
        root.join("catalog.toml"),
        "name = \"never\"\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    // `a` is required, and `not` refuses every object that has it.
    fs::write(
        root.join("schema.json"),
        r#"{"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "not": {"const": "x"}}},
            "not": {"required": ["a"]}}"#,
    )
    .unwrap();
    fs::write(
        root.join("events/e.toml"),
        "[[events]]\ntype = \"NEVER_MADE\"\nname = \"n\"\ndescription = \"d\"\ncategory = \"c\"\n\n[[events.versions]]\nversion = 1\nschema = \"../schema.json\"\n",
    )
    .unwrap();
    let catalog = Catalog::load(root).unwrap_or_else(|e| panic!("{e}"));
    let (_, version) = catalog.versions().next().unwrap();
    let error = Simulator::new(&catalog, 1).valid(version).unwrap_err();
    assert!(
        error.reason.contains("`not` at `/properties/a`") && error.reason.contains("`not` at `/`"),
        "{error}"
    );
    assert!(!error.reason.contains("`required`"), "{error}");
}
