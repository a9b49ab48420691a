//! Random and mutated payloads for the tests where two parts must agree on
//! a verdict (generated Rust code and the registry in tests/agreement.rs,
//! Zod schemas and the registry in tests/typescript.rs).
//!
//! Values start from each version's examples and are mutated where it hurts:
//! properties removed, set to `null`, to another type, to strings of the
//! schema's own vocabulary (enum values, formats' near misses), numbers
//! nudged across bounds, array items duplicated, unknown properties added.

use evreg::Catalog;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// One payload version to test: its ref, examples and vocabulary.
pub struct Case {
    /// The payload version's schema ref.
    pub schema_ref: String,
    /// Its examples and invalid examples: where mutations start.
    pub examples: Vec<Value>,
    /// Enum values, consts and property names of its schema.
    pub vocabulary: Vec<String>,
}

/// The cases of the catalog in `dir` (relative to the tests crate).
pub fn cases(dir: &str) -> Vec<Case> {
    let catalog = Catalog::load(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"));
    cases_of(&catalog)
}

/// The cases of `catalog`.
pub fn cases_of(catalog: &Catalog) -> Vec<Case> {
    catalog
        .versions()
        .map(|(_, v)| {
            let mut vocabulary = Vec::new();
            strings_of(&v.schema, &mut vocabulary);
            vocabulary.sort();
            vocabulary.dedup();
            let mut examples: Vec<Value> = v.examples.iter().map(|e| e.payload.clone()).collect();
            examples.extend(v.invalid_examples.iter().map(|e| e.payload.clone()));
            Case {
                schema_ref: v.schema_ref.clone(),
                examples,
                vocabulary,
            }
        })
        .collect()
}

/// Enum values, consts and property names of a schema.
fn strings_of(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(m) => {
            for (k, v) in m {
                match k.as_str() {
                    "enum" | "const" => {
                        for s in std::iter::once(v).chain(v.as_array().into_iter().flatten()) {
                            if let Value::String(s) = s {
                                out.push(s.clone());
                            }
                        }
                    }
                    "properties" => {
                        if let Value::Object(p) = v {
                            out.extend(p.keys().cloned());
                            p.values().for_each(|s| strings_of(s, out));
                        }
                    }
                    _ => strings_of(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| strings_of(v, out)),
        _ => {}
    }
}

/// Strings near the edges of the formats and patterns evreg supports.
pub const TRICKY: &[&str] = &[
    "",
    "x",
    "é",
    "😀😀",
    "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10",
    "5F0C6F5E-8A5E-4C2B-9D6E-2F1A4B7C9D10",
    "5f0c6f5e8a5e4c2b9d6e2f1a4b7c9d10",
    "{5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10}",
    "urn:uuid:5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10",
    "2026-01-02T03:04:05Z",
    "2026-01-02T03:04:05.123+02:00",
    "2026-01-02t03:04:05z",
    "2026-01-02 03:04:05Z",
    "2026-02-30T00:00:00Z",
    "1998-12-31T23:59:60Z",
    "2026-01-02",
    "2026-13-01",
    "09:30:00Z",
    "P30D",
    "a@b.io",
    "nobody",
    "https://example.org/a?b#c",
    "not a uri",
    "10.0.0.1",
    "::1",
    "EUR",
    "eur",
    "US",
    "T-123456",
    "a123",
    "ABC-1",
];

/// One change to a JSON value.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Op {
    Remove,
    Null,
    Replace(Value),
    Vocabulary(usize),
    Tricky(usize),
    Nudge(f64),
    AddKey(usize, Value),
    DuplicateItem,
    Clear,
}

/// A small JSON value.
pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..300).prop_map(Value::from),
        prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(-1)].prop_map(Value::from),
        prop_oneof![
            Just(0.5),
            Just(1.0),
            Just(-40.5),
            Just(2.0),
            Just(1e300),
            Just(0.123)
        ]
        .prop_map(Value::from),
        "[a-zA-Z0-9 é@.:/-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One mutation, weighted toward the ones that find disagreements.
pub fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Remove),
        2 => Just(Op::Null),
        2 => arb_json().prop_map(Op::Replace),
        3 => any::<usize>().prop_map(Op::Vocabulary),
        3 => any::<usize>().prop_map(Op::Tricky),
        2 => prop_oneof![Just(1.0), Just(-1.0), Just(0.5), Just(-0.001), Just(1000.0)].prop_map(Op::Nudge),
        1 => (any::<usize>(), arb_json()).prop_map(|(k, v)| Op::AddKey(k, v)),
        1 => Just(Op::DuplicateItem),
        1 => Just(Op::Clear),
    ]
}

/// Every JSON pointer in a value (the root included).
pub fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Applies `op` to the value at `pointer` in `value`.
pub fn apply(value: &mut Value, pointer: &str, op: &Op, vocabulary: &[String]) {
    if let Op::Remove = op {
        if let Some((parent, last)) = pointer.rsplit_once('/') {
            let last = last.replace("~1", "/").replace("~0", "~");
            match value.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.shift_remove(&last);
                }
                Some(Value::Array(a)) => {
                    if let Ok(i) = last.parse::<usize>()
                        && i < a.len()
                    {
                        a.remove(i);
                    }
                }
                _ => {}
            }
        }
        return;
    }
    let Some(target) = value.pointer_mut(pointer) else {
        return;
    };
    match op {
        Op::Remove => {}
        Op::Null => *target = Value::Null,
        Op::Replace(v) => *target = v.clone(),
        Op::Vocabulary(i) if !vocabulary.is_empty() => {
            *target = Value::from(vocabulary[i % vocabulary.len()].clone())
        }
        Op::Vocabulary(_) => {}
        Op::Tricky(i) => *target = Value::from(TRICKY[i % TRICKY.len()]),
        Op::Nudge(by) => {
            if let Some(n) = target.as_f64() {
                let nudged = n + by;
                *target = if nudged.fract() == 0.0 && nudged.abs() < 1e15 {
                    json!(nudged as i64)
                } else {
                    json!(nudged)
                };
            }
        }
        Op::AddKey(i, v) => {
            if let Value::Object(m) = target {
                let key = if vocabulary.is_empty() || i % 3 == 0 {
                    "unexpected".to_owned()
                } else {
                    vocabulary[i % vocabulary.len()].clone()
                };
                m.insert(key, v.clone());
            }
        }
        Op::DuplicateItem => {
            if let Value::Array(a) = target
                && let Some(first) = a.first().cloned()
            {
                a.push(first);
            }
        }
        Op::Clear => match target {
            Value::Array(a) => a.clear(),
            Value::Object(m) => m.clear(),
            Value::String(s) => s.clear(),
            _ => {}
        },
    }
}

/// `value` after `ops`, each at the pointer its selector picks.
pub fn mutate(mut value: Value, ops: &[(usize, Op)], vocabulary: &[String]) -> Value {
    for (selector, op) in ops {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let pointer = all[selector % all.len()].clone();
        apply(&mut value, &pointer, op, vocabulary);
    }
    value
}

/// The strategy of one test input: a case, an example of it, and the
/// mutations to make.
pub fn arb_input(cases: usize) -> impl Strategy<Value = (usize, usize, Vec<(usize, Op)>)> {
    (
        0..cases,
        any::<usize>(),
        prop::collection::vec((any::<usize>(), arb_op()), 1..4),
    )
}
