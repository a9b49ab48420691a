//! Field-change helpers agree with the states they describe.

use evreg_core::changes::{diff, diff_serialize, diff_tracked};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Objects with `null` members removed: `null` and absent are the same.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

fn arb_state() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (0..5i64).prop_map(Value::from),
        "[ab]{0,2}".prop_map(Value::from),
        proptest::collection::vec((0..3i64).prop_map(Value::from), 0..3).prop_map(Value::from),
    ];
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        proptest::collection::btree_map("[abc]", inner, 0..4)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    });
    proptest::collection::btree_map("[abcd]", tree, 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    #[test]
    fn applying_the_changes_to_old_gives_new(old in arb_state(), new in arb_state()) {
        let changes = diff(&old, &new);
        prop_assert_eq!(normalize(&changes.apply(&old)), normalize(&new));
        prop_assert_eq!(changes.is_empty(), normalize(&old) == normalize(&new));
        prop_assert_eq!(changes.updated_fields().len(), changes.changes_json().as_object().unwrap().len());
    }

    #[test]
    fn no_change_is_empty(state in arb_state()) {
        prop_assert!(diff(&state, &state).is_empty());
    }

    #[test]
    fn tracked_fields_apply_on_tracked_paths(old in arb_state(), new in arb_state()) {
        let tracked = ["a", "b.c"];
        let changes = diff_tracked(&old, &new, &tracked);
        let applied = changes.apply(&old);
        for path in ["/a", "/b/c"] {
            prop_assert_eq!(
                normalize(applied.pointer(path).unwrap_or(&Value::Null)),
                normalize(new.pointer(path).unwrap_or(&Value::Null)),
                "{}", path
            );
        }
        for path in changes.updated_fields() {
            prop_assert!(path == "a" || path.starts_with("a.") || path == "b.c" || path.starts_with("b.c."), "{}", path);
        }
    }
}

#[test]
fn nested_paths_removals_and_whole_arrays() {
    let old = json!({"status": "open", "tags": ["a"], "address": {"city": "Leeds", "zip": "LS1"}, "note": "x"});
    let new =
        json!({"status": "closed", "tags": ["a", "b"], "address": {"city": "Leeds", "zip": null}});
    let changes = diff(&old, &new);
    assert_eq!(
        changes.updated_fields(),
        ["address.zip", "note", "status", "tags"]
    );
    assert_eq!(
        changes.changes_json(),
        json!({
            "address.zip": {"previous": "LS1", "new": null},
            "note": {"previous": "x", "new": null},
            "status": {"previous": "open", "new": "closed"},
            "tags": {"previous": ["a"], "new": ["a", "b"]}
        })
    );
    let mut payload = Map::new();
    changes.write_into(&mut payload);
    assert_eq!(
        payload["updatedFields"],
        json!(["address.zip", "note", "status", "tags"])
    );
}

#[test]
fn typed_values_and_tracking() {
    #[derive(serde::Serialize)]
    struct Ticket {
        title: String,
        priority: u8,
    }
    let old = Ticket {
        title: "a".into(),
        priority: 1,
    };
    let new = Ticket {
        title: "b".into(),
        priority: 2,
    };
    let changes = diff_serialize(&old, &new).unwrap();
    assert_eq!(changes.updated_fields(), ["priority", "title"]);
    let only_title = diff_tracked(
        &serde_json::to_value(&old).unwrap(),
        &serde_json::to_value(&new).unwrap(),
        &["title"],
    );
    assert_eq!(only_title.updated_fields(), ["title"]);
}

/// The helpers produce what the shipped catalog's update events accept.
#[test]
fn output_validates_against_a_shipped_update_event() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog");
    let catalog = evreg_core::Catalog::load(dir).unwrap();
    let registry = evreg_core::Registry::from_catalog(&catalog);
    let changes = diff(
        &json!({"title": "Printer", "priority": "low"}),
        &json!({"title": "Printer offline", "priority": null}),
    );
    let mut payload = json!({
        "tenantId": "9d1afc45-a247-4e74-819e-15227f93e95d",
        "occurredAt": "2026-07-19T20:11:20Z",
        "ticketId": "206ce413-f471-495a-bd28-eb06f84d7891"
    });
    changes.write_into(payload.as_object_mut().unwrap());
    registry
        .validate("payload.TicketUpdated.v1", &payload)
        .unwrap();
}
