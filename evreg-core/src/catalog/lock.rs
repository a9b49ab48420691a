//! `catalog.lock`: the released payload versions, each with the fingerprint
//! of its resolved schema. A released version never changes: `evreg check`
//! fails when one did (naming what changed) or when one left the catalog.
//! `evreg lock` adds the versions that are not locked yet.
//!
//! Next to the fingerprint, an entry keeps a short digest of each top-level
//! property's schema, the `required` list, a digest of each shared
//! definition the schema bundles (and of each of its properties) and a
//! digest of every other keyword, so that a changed version can be
//! described ("property `title` changed, `channel` added, now requires
//! `boardId`, definition `LineItem`: property `sku` changed") without
//! storing whole schemas.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fingerprint::{canonical_json, fingerprint};

/// The lock file's name, next to `catalog.toml`.
pub const LOCK_FILE: &str = "catalog.lock";

/// What is locked of one payload version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    /// `sha256:` of the canonical JSON of the resolved schema.
    pub fingerprint: String,
    /// The schema's id in a schema registry (`evreg serve`): given by
    /// `evreg lock`, one above the highest of the lock, and never reused.
    /// `None` in entries locked before evreg gave ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// Top-level property → a short digest of its schema.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// The `required` list.
    #[serde(default)]
    pub required: Vec<String>,
    /// A short digest of every other keyword of the schema (`$defs` left
    /// out when [`definitions`](LockEntry::definitions) holds them).
    #[serde(default)]
    pub rest: String,
    /// Each shared definition the schema bundles (`$defs`) → a short digest
    /// of it without its properties, and `Name.property` → a short digest
    /// of each of its properties. Empty in entries locked before evreg kept
    /// it; their `rest` covers `$defs`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub definitions: BTreeMap<String, String>,
}

/// A short digest of a schema: the first 12 hex digits of its fingerprint.
fn short(v: &Value) -> String {
    fingerprint(v)["sha256:".len().."sha256:".len() + 12].to_owned()
}

/// `schema` without `keys`.
fn without(schema: &Value, keys: &[&str]) -> Value {
    let mut rest = schema.clone();
    if let Value::Object(map) = &mut rest {
        for key in keys {
            map.remove(*key);
        }
    }
    rest
}

impl LockEntry {
    /// The entry of a resolved schema.
    pub fn of(schema: &Value) -> LockEntry {
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), short(v))).collect())
            .unwrap_or_default();
        let mut required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        required.sort();
        let mut definitions = BTreeMap::new();
        if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
            for (name, def) in defs {
                definitions.insert(name.clone(), short(&without(def, &["properties"])));
                let props = def.get("properties").and_then(Value::as_object);
                for (property, sub) in props.into_iter().flatten() {
                    definitions.insert(format!("{name}.{property}"), short(sub));
                }
            }
        }
        LockEntry {
            fingerprint: fingerprint(schema),
            id: None,
            properties,
            required,
            rest: short(&without(schema, &["properties", "required", "$defs"])),
            definitions,
        }
    }

    /// What changed from `self` (released) to the schema `now`, one phrase
    /// per change.
    pub fn changes(&self, now: &Value) -> Vec<String> {
        let schema = now;
        let now = &LockEntry::of(schema);
        let mut out = Vec::new();
        for (name, digest) in &self.properties {
            match now.properties.get(name) {
                None => out.push(format!("property `{name}` removed")),
                Some(d) if d != digest => out.push(format!("property `{name}` changed")),
                Some(_) => {}
            }
        }
        for name in now.properties.keys() {
            if !self.properties.contains_key(name) {
                out.push(format!("property `{name}` added"));
            }
        }
        for name in &now.required {
            if !self.required.contains(name) {
                out.push(format!("now requires `{name}`"));
            }
        }
        for name in &self.required {
            if !now.required.contains(name) {
                out.push(format!("no longer requires `{name}`"));
            }
        }
        if self.definitions.is_empty() && !now.definitions.is_empty() {
            // Locked before definitions had digests of their own: `rest`
            // covers `$defs`.
            if self.rest != short(&without(schema, &["properties", "required"])) {
                out.push(
                    "a keyword outside `properties` and `required` changed \
                     (`additionalProperties`, `type`, a definition, …)"
                        .to_owned(),
                );
            }
            return finish(out);
        }
        let definition = |key: &str| match key.split_once('.') {
            Some((name, property)) => format!("definition `{name}`: property `{property}`"),
            None => format!("definition `{key}`"),
        };
        for (key, digest) in &self.definitions {
            match now.definitions.get(key) {
                None => out.push(format!("{} removed", definition(key))),
                Some(d) if d != digest => out.push(format!("{} changed", definition(key))),
                Some(_) => {}
            }
        }
        for key in now.definitions.keys() {
            if !self.definitions.contains_key(key) {
                out.push(format!("{} added", definition(key)));
            }
        }
        if self.rest != now.rest {
            out.push(
                "a keyword outside `properties`, `required` and `$defs` changed \
                 (`additionalProperties`, `type`, …)"
                    .to_owned(),
            );
        }
        finish(out)
    }
}

/// The phrases, or one saying that only the text changed.
fn finish(mut out: Vec<String>) -> Vec<String> {
    if out.is_empty() {
        out.push("the schema's text changed".to_owned());
    }
    out
}

/// The content of a lock file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Schema ref → its locked entry.
    #[serde(default)]
    pub versions: BTreeMap<String, LockEntry>,
}

/// Why a lock file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Reading it failed.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a lock file.
    #[error("{}: {message}", .path.display())]
    Syntax {
        /// The file.
        path: std::path::PathBuf,
        /// The parser's message.
        message: String,
        /// Where, in bytes.
        span: Option<std::ops::Range<usize>>,
    },
}

impl Lock {
    /// The highest id of the lock (0 when none has one).
    pub fn last_id(&self) -> u32 {
        self.versions
            .values()
            .filter_map(|e| e.id)
            .max()
            .unwrap_or(0)
    }

    /// Gives an id to every entry without one, in the order of `refs` (the
    /// catalog's order), each one above `used` and the highest id of the
    /// lock: an id is never given twice, not even that of a schema re-locked
    /// with a new one (pass the last id of the lock as it was read).
    pub fn assign_ids<'a>(&mut self, refs: impl IntoIterator<Item = &'a str>, used: u32) {
        let mut next = self.last_id().max(used) + 1;
        for r in refs {
            if let Some(entry) = self.versions.get_mut(r)
                && entry.id.is_none()
            {
                entry.id = Some(next);
                next += 1;
            }
        }
    }

    /// The lock of the catalog in `root`: `None` when it has no lock file.
    pub fn read(root: &Path) -> Result<Option<Lock>, LockError> {
        let path = root.join(LOCK_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Lock::parse(&text).map(Some).map_err(|e| LockError::Syntax {
                path,
                message: e.message().to_owned(),
                span: e.span(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(LockError::Io { path, source }),
        }
    }

    /// Parses lock file text.
    pub fn parse(text: &str) -> Result<Lock, toml::de::Error> {
        toml::from_str(text)
    }

    /// The deterministic text of the lock file.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# The released payload versions of this catalog, written by `evreg lock`.\n\
             # A released version never changes: publish a new version instead.\n\
             # `evreg check` fails when a locked schema changed or a locked version left.\n",
        );
        for (schema_ref, e) in &self.versions {
            let _ = writeln!(out, "\n[versions.{}]", quote(schema_ref));
            let _ = writeln!(out, "fingerprint = {}", quote(&e.fingerprint));
            if let Some(id) = e.id {
                let _ = writeln!(out, "id = {id}");
            }
            let required: Vec<String> = e.required.iter().map(|r| quote(r)).collect();
            let _ = writeln!(out, "required = [{}]", required.join(", "));
            let _ = writeln!(out, "rest = {}", quote(&e.rest));
            let properties: Vec<String> = e
                .properties
                .iter()
                .map(|(k, v)| format!("{} = {}", quote(k), quote(v)))
                .collect();
            let _ = writeln!(out, "properties = {{ {} }}", properties.join(", "));
            if !e.definitions.is_empty() {
                let definitions: Vec<String> = e
                    .definitions
                    .iter()
                    .map(|(k, v)| format!("{} = {}", quote(k), quote(v)))
                    .collect();
                let _ = writeln!(out, "definitions = {{ {} }}", definitions.join(", "));
            }
        }
        out
    }
}

/// A TOML basic string: JSON's escapes are TOML's, except that TOML also
/// refuses a raw DEL.
fn quote(s: &str) -> String {
    canonical_json(&Value::from(s)).replace('\u{7f}', "\\u007f")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any refs and property names (quotes, backslashes, control
        /// characters, DEL, unicode) survive rendering and parsing.
        #[test]
        fn render_then_parse_is_identity(
            versions in proptest::collection::btree_map(
                "\\PC{0,12}",
                (proptest::collection::btree_map("\\PC{0,8}|[\"\\\\\u{7f}\u{1}\t]{1,3}", "[0-9a-f]{12}", 0..4),
                 proptest::collection::vec("\\PC{0,6}", 0..3)),
                0..4,
            )
        ) {
            let lock = Lock {
                versions: versions
                    .into_iter()
                    .map(|(r, (properties, required))| {
                        (r, LockEntry { fingerprint: "sha256:00".into(), id: required.len().checked_sub(1).map(|n| n as u32), definitions: properties.clone(), properties, required, rest: "ab".into() })
                    })
                    .collect(),
            };
            let text = lock.render();
            prop_assert_eq!(Lock::parse(&text).map_err(|e| e.to_string()), Ok(lock), "{}", text);
        }
    }

    #[test]
    fn changes_name_properties_and_requirements() {
        let old = LockEntry::of(&serde_json::json!({
            "type": "object", "required": ["a"],
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}
        }));
        let new = serde_json::json!({
            "type": "object", "required": ["c"], "additionalProperties": false,
            "properties": {"a": {"type": "string", "maxLength": 3}, "c": {"type": "integer"}}
        });
        assert_eq!(
            old.changes(&new),
            [
                "property `a` changed",
                "property `b` removed",
                "property `c` added",
                "now requires `c`",
                "no longer requires `a`",
                "a keyword outside `properties`, `required` and `$defs` changed (`additionalProperties`, `type`, …)"
            ]
        );
    }

    #[test]
    fn changes_name_the_definition_and_its_property() {
        let schema = |sku: Value| {
            serde_json::json!({
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/LineItem"}}},
                "$defs": {"LineItem": {"type": "object", "properties": {"sku": sku, "qty": {"type": "integer"}}}}
            })
        };
        let old = schema(serde_json::json!({"type": "string"}));
        let new = schema(serde_json::json!({"type": "string", "pattern": "^[A-Z]+$"}));
        assert_eq!(
            LockEntry::of(&old).changes(&new),
            ["definition `LineItem`: property `sku` changed"]
        );
        // An entry locked before definitions had digests: still described.
        let mut legacy = LockEntry::of(&old);
        legacy.definitions.clear();
        legacy.rest = short(&without(&old, &["properties", "required"]));
        assert_eq!(
            legacy.changes(&new),
            [
                "a keyword outside `properties` and `required` changed (`additionalProperties`, `type`, a definition, …)"
            ]
        );
        assert_eq!(legacy.changes(&old), ["the schema's text changed"]);
    }
}
