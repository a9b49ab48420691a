//! `cargo bench -p evreg-tests --bench typed`: the generated code of the
//! shipped catalog against `jsonschema`, side by side on every shipped example.
//!
//! - `validate_*`: the generated `validate()` on typed payloads against
//!   `jsonschema`'s `is_valid` on the equivalent `Value`s (validators compiled
//!   once, as in the registry);
//! - `bytes_to_*`: JSON bytes to a validated payload, typed
//!   (`from_slice::<T>` + `validate()`) against untyped (`from_slice::<Value>`
//!   + `jsonschema`);
//! - `bytes_to_typed_unvalidated`: `from_slice::<T>` alone, to show what
//!   validation costs on top of parsing;
//! - `registry_build`: a registry of every embedded schema, every validator compiled.

use std::sync::LazyLock;

use evreg::{Catalog, Registry};
use evreg_tests::acme::{self, Event};
use serde_json::Value;

fn main() {
    divan::main();
}

/// (schema ref, payload value, payload bytes) of every shipped example.
static EXAMPLES: LazyLock<Vec<(String, Value, Vec<u8>)>> = LazyLock::new(|| {
    let catalog =
        Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog")).expect("catalog loads");
    catalog
        .versions()
        .flat_map(|(_, v)| {
            v.examples.iter().map(|e| {
                (
                    v.schema_ref.clone(),
                    e.payload.clone(),
                    serde_json::to_vec(&e.payload).unwrap(),
                )
            })
        })
        .collect()
});

static TYPED: LazyLock<Vec<Event>> = LazyLock::new(|| {
    EXAMPLES
        .iter()
        .map(|(r, v, _)| Event::from_value(r, v.clone()).unwrap())
        .collect()
});

/// The compiled validator of each example's schema (compiled once, up front).
static VALIDATORS: LazyLock<Vec<&'static evreg::registry::Validator>> = LazyLock::new(|| {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(acme::registry);
    EXAMPLES
        .iter()
        .map(|(r, _, _)| REGISTRY.get(r).unwrap().validator().unwrap())
        .collect()
});

#[divan::bench]
fn validate_generated(bencher: divan::Bencher) {
    let typed = &*TYPED;
    bencher.bench_local(|| {
        for e in typed {
            divan::black_box(e).validate().unwrap();
        }
    });
}

#[divan::bench]
fn validate_jsonschema(bencher: divan::Bencher) {
    let validators = &*VALIDATORS;
    bencher.bench_local(|| {
        for ((_, value, _), v) in EXAMPLES.iter().zip(validators) {
            assert!(v.is_valid(divan::black_box(value)));
        }
    });
}

#[divan::bench]
fn bytes_to_typed_validated(bencher: divan::Bencher) {
    bencher.bench_local(|| {
        for (r, _, bytes) in EXAMPLES.iter() {
            Event::from_slice(r, divan::black_box(bytes)).unwrap();
        }
    });
}

#[divan::bench]
fn bytes_to_typed_unvalidated(bencher: divan::Bencher) {
    bencher.bench_local(|| {
        for (r, _, bytes) in EXAMPLES.iter() {
            Event::from_slice_unvalidated(r, divan::black_box(bytes)).unwrap();
        }
    });
}

#[divan::bench]
fn bytes_to_value_jsonschema(bencher: divan::Bencher) {
    let validators = &*VALIDATORS;
    bencher.bench_local(|| {
        for ((_, _, bytes), v) in EXAMPLES.iter().zip(validators) {
            let value: Value = serde_json::from_slice(divan::black_box(bytes)).unwrap();
            assert!(v.is_valid(&value));
        }
    });
}

#[divan::bench(sample_count = 10)]
fn registry_build() -> usize {
    let embedded = acme::registry();
    let mut builder = Registry::builder();
    for e in embedded.entries() {
        builder = builder.schema(e.event_type(), e.version(), e.schema().clone());
    }
    let registry = builder.build();
    registry.entries().filter(|e| e.validator().is_ok()).count()
}

/// Parsing alone: bytes → `Value`, the floor of every untyped path.
#[divan::bench]
fn bytes_to_value_only(bencher: divan::Bencher) {
    bencher.bench_local(|| {
        for (_, _, bytes) in EXAMPLES.iter() {
            divan::black_box(serde_json::from_slice::<Value>(divan::black_box(bytes)).unwrap());
        }
    });
}

/// One payload type alone (`TicketCreatedV2`, no dispatch): bytes → typed.
#[divan::bench]
fn one_type_bytes_to_typed(bencher: divan::Bencher) {
    let bytes = one_type_examples();
    bencher.bench_local(|| {
        for b in &bytes {
            divan::black_box(
                serde_json::from_slice::<acme::TicketCreatedV2>(divan::black_box(b)).unwrap(),
            );
        }
    });
}

/// One payload type alone: bytes → `Value`.
#[divan::bench]
fn one_type_bytes_to_value(bencher: divan::Bencher) {
    let bytes = one_type_examples();
    bencher.bench_local(|| {
        for b in &bytes {
            divan::black_box(serde_json::from_slice::<Value>(divan::black_box(b)).unwrap());
        }
    });
}

fn one_type_examples() -> Vec<Vec<u8>> {
    EXAMPLES
        .iter()
        .filter(|(r, _, _)| r == "payload.TicketCreated.v2")
        .map(|(_, _, b)| b.clone())
        .collect()
}
