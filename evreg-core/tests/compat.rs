//! Compatibility rules: one old/new pair per rule, with the rule, pointer
//! and direction asserted; property tests that the checker never calls a
//! change compatible when a payload the old schema accepts is refused by the
//! new one (backward), or the other way round (forward), beside every
//! keyword; and that, over the keywords it reasons about, each finding is
//! backed by such a payload.

use evreg_core::compat::{Direction, findings};
use proptest::prelude::*;
use serde_json::{Value, json};

/// (rule, pointer, direction, old, new)
fn cases() -> Vec<(&'static str, &'static str, Direction, Value, Value)> {
    use Direction::{Backward as B, Forward as F};
    let obj = |props: Value, required: Value| json!({"type": "object", "properties": props, "required": required, "additionalProperties": false});
    vec![
        (
            "PROPERTY_ADDED_REQUIRED",
            "/properties/b",
            B,
            obj(json!({"a": {"type": "string"}}), json!(["a"])),
            obj(
                json!({"a": {"type": "string"}, "b": {"type": "string"}}),
                json!(["a", "b"]),
            ),
        ),
        (
            "PROPERTY_MADE_REQUIRED",
            "/properties/b",
            B,
            obj(
                json!({"a": {"type": "string"}, "b": {"type": "string"}}),
                json!(["a"]),
            ),
            obj(
                json!({"a": {"type": "string"}, "b": {"type": "string"}}),
                json!(["a", "b"]),
            ),
        ),
        (
            "REQUIRED_PROPERTY_REMOVED",
            "/properties/b",
            F,
            obj(
                json!({"a": {"type": "string"}, "b": {"type": "string"}}),
                json!(["a", "b"]),
            ),
            obj(json!({"a": {"type": "string"}}), json!(["a"])),
        ),
        (
            "PROPERTY_REMOVED",
            "/properties/b",
            B,
            obj(
                json!({"a": {"type": "string"}, "b": {"type": "string"}}),
                json!(["a"]),
            ),
            obj(json!({"a": {"type": "string"}}), json!(["a"])),
        ),
        (
            "PROPERTY_ADDED",
            "/properties/b",
            F,
            obj(json!({"a": {"type": "string"}}), json!(["a"])),
            obj(
                json!({"a": {"type": "string"}, "b": {"type": "string"}}),
                json!(["a"]),
            ),
        ),
        (
            "TYPE_NARROWED",
            "/properties/a",
            B,
            obj(json!({"a": {"type": "number"}}), json!([])),
            obj(json!({"a": {"type": "integer"}}), json!([])),
        ),
        (
            "TYPE_WIDENED",
            "/properties/a",
            F,
            obj(json!({"a": {"type": "integer"}}), json!([])),
            obj(json!({"a": {"type": ["integer", "null"]}}), json!([])),
        ),
        (
            "ENUM_VALUE_REMOVED",
            "/properties/a",
            B,
            obj(json!({"a": {"enum": ["x", "y"]}}), json!([])),
            obj(json!({"a": {"enum": ["x"]}}), json!([])),
        ),
        (
            "ENUM_VALUE_ADDED",
            "/properties/a",
            F,
            obj(json!({"a": {"enum": ["x"]}}), json!([])),
            obj(json!({"a": {"enum": ["x", "y"]}}), json!([])),
        ),
        (
            "CONST_CHANGED",
            "/properties/a",
            B,
            obj(json!({"a": {"const": "x"}}), json!([])),
            obj(json!({"a": {"const": "y"}}), json!([])),
        ),
        (
            "MAX_LENGTH_TIGHTENED",
            "/properties/a",
            B,
            obj(json!({"a": {"type": "string", "maxLength": 10}}), json!([])),
            obj(json!({"a": {"type": "string", "maxLength": 5}}), json!([])),
        ),
        (
            "MAX_LENGTH_LOOSENED",
            "/properties/a",
            F,
            obj(json!({"a": {"type": "string", "maxLength": 5}}), json!([])),
            obj(json!({"a": {"type": "string", "maxLength": 10}}), json!([])),
        ),
        (
            "MINIMUM_TIGHTENED",
            "/properties/a",
            B,
            obj(json!({"a": {"type": "integer"}}), json!([])),
            obj(json!({"a": {"type": "integer", "minimum": 0}}), json!([])),
        ),
        (
            "MIN_ITEMS_TIGHTENED",
            "/properties/a",
            B,
            obj(json!({"a": {"type": "array", "minItems": 0}}), json!([])),
            obj(json!({"a": {"type": "array", "minItems": 1}}), json!([])),
        ),
        (
            "PATTERN_CHANGED",
            "/properties/a",
            B,
            obj(json!({"a": {"type": "string", "pattern": "^a"}}), json!([])),
            obj(json!({"a": {"type": "string", "pattern": "^b"}}), json!([])),
        ),
        (
            "FORMAT_ADDED",
            "/properties/a",
            B,
            obj(json!({"a": {"type": "string"}}), json!([])),
            obj(
                json!({"a": {"type": "string", "format": "uuid"}}),
                json!([]),
            ),
        ),
        (
            "ADDITIONAL_PROPERTIES_TIGHTENED",
            "",
            B,
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            obj(json!({"a": {"type": "string"}}), json!([])),
        ),
        (
            "PROPERTY_ADDED_TO_OPEN_OBJECT",
            "/properties/b",
            B,
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}),
        ),
        (
            "TYPE_NARROWED",
            "/properties/m/properties/amount",
            B,
            json!({"type": "object", "properties": {"m": {"$ref": "#/$defs/Money"}},
                   "$defs": {"Money": {"type": "object", "properties": {"amount": {"type": "number"}}}}}),
            json!({"type": "object", "properties": {"m": {"$ref": "#/$defs/Money"}},
                   "$defs": {"Money": {"type": "object", "properties": {"amount": {"type": "integer"}}}}}),
        ),
        (
            "MAX_LENGTH_TIGHTENED",
            "/properties/tags/items",
            B,
            obj(
                json!({"tags": {"type": "array", "items": {"type": "string"}}}),
                json!([]),
            ),
            obj(
                json!({"tags": {"type": "array", "items": {"type": "string", "maxLength": 3}}}),
                json!([]),
            ),
        ),
    ]
}

#[test]
fn each_rule_is_found_where_and_as_it_breaks() {
    for (rule, pointer, direction, old, new) in cases() {
        let found = findings(&old, &new);
        assert!(
            found
                .iter()
                .any(|f| f.rule == rule && f.pointer == pointer && f.breaks == direction),
            "{rule} at {pointer} ({direction:?}) not in {found:#?}"
        );
    }
}

#[test]
fn compatible_changes_have_no_findings_in_their_direction() {
    // An optional property added to a closed object: backward compatible.
    let old = json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false});
    let new = json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "additionalProperties": false});
    let found = findings(&old, &new);
    assert!(
        found.iter().all(|f| f.breaks == Direction::Forward),
        "{found:#?}"
    );
    // Loosening a bound: backward compatible, forward incompatible.
    let old = json!({"type": "integer", "maximum": 5});
    let new = json!({"type": "integer", "maximum": 10});
    let found = findings(&old, &new);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].rule.as_str(), found[0].breaks),
        ("MAXIMUM_LOOSENED", Direction::Forward)
    );
    // Identical schemas, annotations aside.
    let old = json!({"type": "string", "description": "old words"});
    let new = json!({"type": "string", "description": "new words"});
    assert_eq!(findings(&old, &new), []);
}

#[test]
fn a_change_to_an_extension_annotation_is_no_change() {
    // docs/evolution.md: `x-…` keywords describe, never validate. They were
    // once reported as `X-OWNER_CHANGED`, an incompatible change.
    let old = json!({"type": "object", "x-owner": "billing", "properties": {"a": {"type": "string", "x-pii": false}}});
    let new = json!({"type": "object", "x-owner": "payments", "properties": {"a": {"type": "string", "x-pii": true}}});
    assert_eq!(findings(&old, &new), []);
    let added =
        json!({"type": "object", "x-since": "2026-12", "properties": {"a": {"type": "string"}}});
    let without = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    assert_eq!(findings(&without, &added), []);
    assert_eq!(findings(&added, &without), []);
}

/// Small schemas over a small value space, so that random values are often valid.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "string", "maxLength": 1})),
        Just(json!({"type": "string", "enum": ["x", "y"]})),
        Just(json!({"enum": ["x"]})),
        Just(json!({"const": "y"})),
        Just(json!({"type": "integer"})),
        Just(json!({"type": "integer", "minimum": 1})),
        Just(json!({"type": "integer", "maximum": 1})),
        Just(json!({"type": "number"})),
        Just(json!({"type": ["integer", "null"]})),
        Just(json!({"type": "boolean"})),
        Just(json!({})),
        Just(json!({"type": "string", "pattern": "^x"})),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::btree_map(
                prop_oneof![Just("a"), Just("b"), Just("c")],
                inner.clone(),
                0..3
            )
            .prop_flat_map(|props| {
                let names: Vec<String> = props.keys().map(|k| k.to_string()).collect();
                (
                    Just(props),
                    proptest::sample::subsequence(names.clone(), 0..=names.len()),
                    any::<Option<bool>>(),
                )
            })
            .prop_map(|(props, required, extra)| {
                let mut m = json!({"type": "object", "properties": props, "required": required});
                if let Some(e) = extra {
                    m["additionalProperties"] = Value::Bool(e);
                }
                m
            }),
            (inner, any::<bool>(), 0..2u64).prop_map(|(items, unique, min)| {
                let mut m = json!({"type": "array", "items": items, "minItems": min});
                if unique {
                    m["uniqueItems"] = Value::Bool(true);
                }
                m
            }),
        ]
    })
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!("x")),
        Just(json!("y")),
        Just(json!("xy")),
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(1.5)),
        Just(json!(true)),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            proptest::collection::btree_map(
                prop_oneof![Just("a"), Just("b"), Just("c"), Just("d")],
                inner.clone(),
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            proptest::collection::vec(inner, 0..3).prop_map(Value::Array),
        ]
    })
}

/// [`schema`] with the keywords compatibility does not reason about
/// (`if`, `patternProperties`, `contains`, …) mixed in.
fn schema_with_checked_rules() -> impl Strategy<Value = Value> {
    let rule = prop_oneof![
        Just(json!({"minProperties": 1})),
        Just(json!({"maxProperties": 1})),
        Just(json!({"patternProperties": {"^a": {"type": "string"}}})),
        Just(json!({"patternProperties": {"^b": {"type": "integer"}}})),
        Just(json!({"propertyNames": {"maxLength": 1}})),
        Just(json!({"dependentRequired": {"a": ["b"]}})),
        Just(json!({"dependentSchemas": {"a": {"required": ["c"]}}})),
        Just(json!({"if": {"required": ["a"]}, "then": {"required": ["b"]}})),
        Just(json!({"if": {"type": "string"}, "else": {"type": "integer"}})),
        Just(json!({"contains": {"const": "x"}})),
        Just(json!({"contains": {"type": "integer"}, "maxContains": 1})),
        Just(json!({"prefixItems": [{"type": "string"}]})),
        Just(json!({"unevaluatedProperties": false})),
        Just(json!({"not": {"const": "x"}})),
    ];
    (schema(), proptest::option::of(rule)).prop_map(|(mut s, rule)| {
        if let (Value::Object(m), Some(Value::Object(r))) = (&mut s, rule) {
            m.extend(r);
        }
        s
    })
}

/// Values that tell schemas of [`schema`] apart: the boundary values of
/// their leaves, objects of every subset of the properties any of them
/// names (and one unknown property), arrays of none, one and two items.
fn candidates(schemas: &[&Value], out: &mut Vec<Value>) {
    const LEAVES: [fn() -> Value; 14] = [
        || json!({}),
        || json!({"d": "x"}),
        || json!([]),
        || json!(""),
        || json!("z"),
        || json!("x"),
        || json!("y"),
        || json!("xy"),
        || json!(0),
        || json!(1),
        || json!(2),
        || json!(1.5),
        || json!(true),
        || Value::Null,
    ];
    out.extend(LEAVES.iter().map(|f| f()));
    // Property name → (index of the schema, its subschema).
    let mut props: std::collections::BTreeMap<&str, Vec<(usize, &Value)>> = Default::default();
    for (j, s) in schemas.iter().enumerate() {
        for (k, sub) in s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            props.entry(k).or_default().push((j, sub));
        }
    }
    if !props.is_empty() {
        // Each property's own candidates, and for each schema one value
        // that its subschema accepts.
        let per: Vec<(&str, Vec<Value>, Vec<Value>)> = props
            .into_iter()
            .map(|(k, subs)| {
                let mut own = Vec::new();
                let only: Vec<&Value> = subs.iter().map(|(_, s)| *s).collect();
                candidates(&only, &mut own);
                own.dedup();
                let reps = (0..schemas.len())
                    .map(|j| {
                        let sub = subs
                            .iter()
                            .find(|(i, _)| *i == j)
                            .map_or(subs[0].1, |(_, s)| *s);
                        let v = jsonschema::validator_for(sub).unwrap();
                        own.iter()
                            .find(|x| v.is_valid(x))
                            .unwrap_or(&own[0])
                            .clone()
                    })
                    .collect();
                (k, own, reps)
            })
            .collect();
        for j in 0..schemas.len() {
            for mask in 0..(1usize << per.len()) {
                let m: serde_json::Map<String, Value> = per
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, (k, _, reps))| ((*k).to_owned(), reps[j].clone()))
                    .collect();
                out.push(Value::Object(m.clone()));
                let mut extra = m.clone();
                extra.insert("d".into(), json!("x"));
                out.push(Value::Object(extra));
                // Vary one present property over its candidates.
                for (i, (k, own, _)) in per.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        for v in own {
                            let mut one = m.clone();
                            one.insert((*k).to_owned(), v.clone());
                            out.push(Value::Object(one));
                        }
                    }
                }
            }
        }
    }
    let items: Vec<&Value> = schemas.iter().filter_map(|s| s.get("items")).collect();
    if !items.is_empty() {
        let mut own = Vec::new();
        candidates(&items, &mut own);
        own.dedup();
        out.push(json!([]));
        for v in &own {
            out.push(json!([v]));
            out.push(json!([v, v]));
        }
        if let [first, .., last] = own.as_slice() {
            out.push(json!([first, last]));
        }
    }
}

/// [`schema`] and a copy with one keyword changed, the kind of step a
/// catalog's next version takes.
fn schema_and_step() -> impl Strategy<Value = (Value, Value)> {
    (schema(), schema(), any::<proptest::sample::Index>()).prop_map(|(old, other, at)| {
        // Replace one subschema of `old` (itself included) by `other`.
        let mut spots = Vec::new();
        subschema_pointers(&old, String::new(), &mut spots);
        let spot = &spots[at.index(spots.len())];
        let mut new = old.clone();
        *new.pointer_mut(spot).unwrap() = other;
        (old, new)
    })
}

fn subschema_pointers(schema: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (k, s) in props {
            subschema_pointers(s, format!("{at}/properties/{k}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        subschema_pointers(items, format!("{at}/items"), out);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Over the keywords the walk does not reason about, too: no finding
    /// in a direction means no payload breaks it.
    #[test]
    fn compatible_means_no_payload_is_refused_beside_checked_rules(old in schema_with_checked_rules(), new in schema_with_checked_rules(), payloads in proptest::collection::vec(value(), 24)) {
        let found = findings(&old, &new);
        let old_v = jsonschema::validator_for(&old).unwrap();
        let new_v = jsonschema::validator_for(&new).unwrap();
        let backward_ok = !found.iter().any(|f| f.breaks == Direction::Backward);
        let forward_ok = !found.iter().any(|f| f.breaks == Direction::Forward);
        let mut tried = payloads.clone();
        candidates(&[&old, &new], &mut tried);
        for p in &tried {
            if backward_ok && old_v.is_valid(p) {
                prop_assert!(new_v.is_valid(p), "backward claimed for\nold {old}\nnew {new}\nbut new refuses {p}");
            }
            if forward_ok && new_v.is_valid(p) {
                prop_assert!(old_v.is_valid(p), "forward claimed for\nold {old}\nnew {new}\nbut old refuses {p}");
            }
        }
    }

    /// The other half, over the keywords the walk reasons about: a finding
    /// in a direction is backed by a payload that breaks it (one the old
    /// schema accepts and the new refuses, or the other way round).
    #[test]
    fn each_finding_is_a_payload_told_apart((old, new) in schema_and_step()) {
        let found = findings(&old, &new);
        let old_v = jsonschema::validator_for(&old).unwrap();
        let new_v = jsonschema::validator_for(&new).unwrap();
        let mut tried = Vec::new();
        candidates(&[&old, &new], &mut tried);
        let backward = tried.iter().any(|p| old_v.is_valid(p) && !new_v.is_valid(p));
        let forward = tried.iter().any(|p| new_v.is_valid(p) && !old_v.is_valid(p));
        for f in &found {
            let told_apart = match f.breaks {
                Direction::Backward => backward,
                Direction::Forward => forward,
            };
            prop_assert!(told_apart, "{} at {} ({:?}) but no payload tells\nold {old}\nnew {new}\napart", f.rule, f.pointer, f.breaks);
        }
    }

    /// No finding in a direction means no payload breaks it.
    #[test]
    fn compatible_means_no_payload_is_refused(old in schema(), new in schema(), payloads in proptest::collection::vec(value(), 24)) {
        let found = findings(&old, &new);
        let old_v = jsonschema::validator_for(&old).unwrap();
        let new_v = jsonschema::validator_for(&new).unwrap();
        let backward_ok = !found.iter().any(|f| f.breaks == Direction::Backward);
        let forward_ok = !found.iter().any(|f| f.breaks == Direction::Forward);
        for p in &payloads {
            if backward_ok && old_v.is_valid(p) {
                prop_assert!(new_v.is_valid(p), "backward claimed for\nold {old}\nnew {new}\nbut new refuses {p}");
            }
            if forward_ok && new_v.is_valid(p) {
                prop_assert!(old_v.is_valid(p), "forward claimed for\nold {old}\nnew {new}\nbut old refuses {p}");
            }
        }
    }
}

/// A catalog of one event whose versions have these `properties` objects
/// (closed, `a` required), with the manifest's and the event's extra lines.
fn catalog(manifest_extra: &str, event_extra: &str, versions: &[Value]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("events")).unwrap();
    std::fs::write(
        dir.path().join("catalog.toml"),
        format!("name = \"compat\"\n{manifest_extra}\n[checks]\nrequire_examples = false\n"),
    )
    .unwrap();
    let mut toml = format!(
        "[[events]]\ntype = \"THING_DONE\"\nname = \"Thing done\"\ndescription = \"d\"\ncategory = \"c\"\n{event_extra}\n"
    );
    for (i, props) in versions.iter().enumerate() {
        let schema = json!({"type": "object", "required": ["a"], "additionalProperties": false, "properties": props});
        let file = dir.path().join(format!("events/v{}.json", i + 1));
        std::fs::write(&file, schema.to_string()).unwrap();
        toml += &format!(
            "\n[[events.versions]]\nversion = {}\nschema = \"v{}.json\"\n",
            i + 1,
            i + 1
        );
    }
    std::fs::write(dir.path().join("events/things.toml"), toml).unwrap();
    dir
}

fn incompatible(dir: &tempfile::TempDir) -> Vec<String> {
    let report = evreg_core::Catalog::check(dir.path());
    let other: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code != "incompatible-change")
        .collect();
    assert!(other.is_empty(), "{other:#?}");
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == "incompatible-change")
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn the_catalog_keeps_its_modes() {
    let a = json!({"type": "string", "enum": ["x", "y"]});
    let a_narrow = json!({"type": "string", "enum": ["x"]});
    let b = json!({"type": "string"});

    // Backward by default: a required property added breaks it.
    let added_required = [json!({"a": a}), json!({"a": a, "b": b})];
    let dir = catalog("", "", &added_required);
    let mut with_b_required = std::fs::read_to_string(dir.path().join("events/v2.json")).unwrap();
    with_b_required = with_b_required.replace(r#""required":["a"]"#, r#""required":["a","b"]"#);
    std::fs::write(dir.path().join("events/v2.json"), with_b_required).unwrap();
    assert_eq!(
        incompatible(&dir),
        [
            "`payload.ThingDone.v2` is not backward compatible with v1: PROPERTY_ADDED_REQUIRED at `/properties/b`"
        ]
    );
    // Its help says how to keep the change compatible: `b` optional.
    let report = evreg_core::Catalog::check(dir.path());
    let help = report
        .diagnostics
        .iter()
        .find(|d| d.code == "incompatible-change")
        .and_then(|d| d.help.as_deref())
        .unwrap_or_default();
    assert!(
        help.starts_with("add `b` without listing it in `required`: older payloads, which lack it, stay valid; or make the change a new event type"),
        "{help}"
    );

    // An optional property added to a closed object: backward compatible,
    // but not forward.
    let added_optional = [json!({"a": a}), json!({"a": a, "b": b})];
    assert_eq!(
        incompatible(&catalog("", "", &added_optional)),
        Vec::<String>::new()
    );
    assert_eq!(
        incompatible(&catalog("", "compatibility = \"forward\"", &added_optional)),
        [
            "`payload.ThingDone.v2` is not forward compatible with v1: PROPERTY_ADDED at `/properties/b`"
        ]
    );
    assert_eq!(
        incompatible(&catalog("", "compatibility = \"full\"", &added_optional)).len(),
        1
    );

    // The event's mode wins over the catalog's.
    let removed_value = [json!({"a": a}), json!({"a": a_narrow})];
    assert_eq!(incompatible(&catalog("", "", &removed_value)).len(), 1);
    assert_eq!(
        incompatible(&catalog("", "compatibility = \"none\"", &removed_value)),
        Vec::<String>::new()
    );
    let forward_catalog = "[checks]\ncompatibility = \"forward\"\n";
    // (the manifest's [checks] table is written below the name; merge it)
    let dir = catalog("", "", &removed_value);
    std::fs::write(
        dir.path().join("catalog.toml"),
        format!("name = \"compat\"\n{forward_catalog}require_examples = false\n"),
    )
    .unwrap();
    assert_eq!(
        incompatible(&dir),
        Vec::<String>::new(),
        "removing a value is forward compatible"
    );

    // Transitive modes compare with every earlier version.
    let three = [
        json!({"a": a}),
        json!({"a": a_narrow}),
        json!({"a": a_narrow}),
    ];
    assert_eq!(
        incompatible(&catalog("", "", &three)),
        [
            "`payload.ThingDone.v2` is not backward compatible with v1: ENUM_VALUE_REMOVED at `/properties/a`"
        ]
    );
    assert_eq!(
        incompatible(&catalog(
            "",
            "compatibility = \"backward-transitive\"",
            &three
        )),
        [
            "`payload.ThingDone.v2` is not backward compatible with v1: ENUM_VALUE_REMOVED at `/properties/a`",
            "`payload.ThingDone.v3` is not backward compatible with v1: ENUM_VALUE_REMOVED at `/properties/a`",
        ]
    );
}

/// Each finding's remedy names the property or keyword at fault.
#[test]
fn remedies_name_what_to_keep() {
    use evreg_core::compat::{Direction, Finding};
    let finding = |rule: &str, pointer: &str| Finding {
        rule: rule.to_owned(),
        pointer: pointer.to_owned(),
        message: String::new(),
        breaks: Direction::Backward,
    };
    let remedy = |rule, pointer| finding(rule, pointer).remedy().unwrap_or_default();
    assert_eq!(
        remedy("PROPERTY_MADE_REQUIRED", "/properties/a~1b"),
        "leave `a/b` optional: older payloads may lack it"
    );
    assert_eq!(
        remedy("MAX_LENGTH_TIGHTENED", "/properties/title"),
        "keep `maxLength` as the older version has it"
    );
    assert!(remedy("TYPE_NARROWED", "/properties/n").contains("`type` array"));
    assert_eq!(finding("SCHEMA_CHANGED", "").remedy(), None);
}
