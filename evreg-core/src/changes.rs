//! Field-change helpers: the `updatedFields` and `changes` that update events
//! carry, computed from the old and new state.
//!
//! Paths are dot-separated object keys (`address.city`); nested objects are
//! descended into, any other value (arrays included) changes as a whole. As in
//! JSON Merge Patch (RFC 7386), a missing member and a `null` member are the
//! same: a field that disappears changes to `null`, and applying a change to
//! `null` removes the field.
//!
//! ```
//! use serde_json::json;
//!
//! let old = json!({ "title": "Printer", "priority": "low", "address": { "city": "Leeds" } });
//! let new = json!({ "title": "Printer offline", "priority": "low", "address": { "city": "York" } });
//! let changes = evreg_core::changes::diff(&old, &new);
//! assert_eq!(changes.updated_fields(), ["address.city", "title"]);
//! assert_eq!(
//!     changes.changes_json(),
//!     json!({
//!         "address.city": { "previous": "Leeds", "new": "York" },
//!         "title": { "previous": "Printer", "new": "Printer offline" }
//!     })
//! );
//! assert_eq!(changes.apply(&old), new);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The value before (`null` when absent).
    pub previous: Value,
    /// The value after (`null` when absent).
    pub new: Value,
}

/// The changed fields between two states, by dot-path (sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldChanges {
    changes: BTreeMap<String, FieldChange>,
}

/// Every field that differs between `old` and `new`.
pub fn diff(old: &Value, new: &Value) -> FieldChanges {
    let mut out = FieldChanges::default();
    walk(old, new, &mut String::new(), &mut out.changes);
    out
}

/// The fields that differ, among `tracked` dot-paths (a tracked path covers the
/// fields below it: `address` tracks `address.city`).
pub fn diff_tracked(old: &Value, new: &Value, tracked: &[&str]) -> FieldChanges {
    let mut out = FieldChanges::default();
    for path in tracked {
        let (a, b) = (lookup(old, path), lookup(new, path));
        walk(a, b, &mut (*path).to_owned(), &mut out.changes);
    }
    out
}

/// The value at a dot-path (`null` when absent).
fn lookup<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .unwrap_or(&Value::Null)
}

/// [`diff`] of two values of any serializable type.
pub fn diff_serialize<T: Serialize + ?Sized>(
    old: &T,
    new: &T,
) -> Result<FieldChanges, serde_json::Error> {
    Ok(diff(
        &serde_json::to_value(old)?,
        &serde_json::to_value(new)?,
    ))
}

fn walk(old: &Value, new: &Value, path: &mut String, out: &mut BTreeMap<String, FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                walk(x, y, path, out);
                path.truncate(len);
            }
        }
        _ if old == new => {}
        _ => {
            out.insert(
                path.clone(),
                FieldChange {
                    previous: old.clone(),
                    new: new.clone(),
                },
            );
        }
    }
}

impl FieldChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changed dot-paths, sorted: the payload's `updatedFields`.
    pub fn updated_fields(&self) -> Vec<&str> {
        self.changes.keys().map(String::as_str).collect()
    }

    /// Each change by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldChange)> {
        self.changes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The payload's `changes`: `{ path: { "previous": …, "new": … } }`.
    pub fn changes_json(&self) -> Value {
        Value::Object(
            self.changes
                .iter()
                .map(|(k, c)| (k.clone(), json!({ "previous": c.previous, "new": c.new })))
                .collect(),
        )
    }

    /// Sets `updatedFields` and `changes` on an update payload (an object).
    pub fn write_into(&self, payload: &mut Map<String, Value>) {
        payload.insert("updatedFields".to_owned(), json!(self.updated_fields()));
        payload.insert("changes".to_owned(), self.changes_json());
    }

    /// `old` with every change applied (a change to `null` removes the field).
    pub fn apply(&self, old: &Value) -> Value {
        let mut value = old.clone();
        for (path, change) in &self.changes {
            set(&mut value, path, change.new.clone());
        }
        value
    }
}

/// Sets the dot-path `path` of `value` (`""` is the value itself); `null`
/// removes the member.
fn set(value: &mut Value, path: &str, new: Value) {
    if path.is_empty() {
        *value = new;
        return;
    }
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    let Value::Object(map) = value else { return };
    match rest {
        None if new.is_null() => {
            map.remove(head);
        }
        None => {
            map.insert(head.to_owned(), new);
        }
        Some(rest) => set(map.entry(head.to_owned()).or_insert(Value::Null), rest, new),
    }
}
