//! `cargo bench -p evreg-core`: loading the shipped catalog, and validating payloads
//! through the registry against the obvious alternative (compiling the schema
//! for every payload with `jsonschema::validate`).

use std::path::PathBuf;
use std::sync::LazyLock;

use evreg_core::{Catalog, Registry};
use serde_json::Value;

fn main() {
    divan::main();
}

fn catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog")
}

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::load(catalog_dir()).expect("shipped catalog loads"));

/// Every example payload of the shipped catalog, with its schema ref and schema.
static EXAMPLES: LazyLock<Vec<(String, Value, Value)>> = LazyLock::new(|| {
    CATALOG
        .versions()
        .flat_map(|(_, v)| {
            v.examples
                .iter()
                .map(|e| (v.schema_ref.clone(), v.schema.clone(), e.payload.clone()))
        })
        .collect()
});

/// Load, check and resolve the whole shipped catalog (170 events), examples included.
#[divan::bench(sample_count = 20)]
fn load_shipped_catalog() -> Catalog {
    Catalog::load(catalog_dir()).unwrap()
}

/// Validate every example through a registry (validators compiled once, reused).
#[divan::bench]
fn validate_examples_registry(bencher: divan::Bencher) {
    let registry = Registry::from_catalog(&CATALOG);
    for (r, _, p) in EXAMPLES.iter() {
        registry.validate(r, p).unwrap(); // warm: compile once
    }
    bencher.bench_local(|| {
        for (r, _, p) in EXAMPLES.iter() {
            registry.validate(r, divan::black_box(p)).unwrap();
        }
    });
}

/// The alternative: `jsonschema::validate` compiles the schema for every payload.
#[divan::bench]
fn validate_examples_compile_each_time(bencher: divan::Bencher) {
    bencher.bench_local(|| {
        for (_, schema, p) in EXAMPLES.iter() {
            jsonschema::validate(schema, divan::black_box(p)).unwrap();
        }
    });
}
