//! Stable fingerprints of JSON documents: SHA-256 of the canonical JSON text
//! (object keys sorted, no insignificant whitespace). Two schemas have the same
//! fingerprint exactly when they are the same JSON value, whatever the key
//! order or layout of their files.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical JSON text of `value`: compact, object keys sorted by code point.
///
/// ```
/// let v = serde_json::json!({"b": [1, {"d": true, "c": null}], "a": "x"});
/// assert_eq!(evreg_core::fingerprint::canonical_json(&v), r#"{"a":"x","b":[1,{"c":null,"d":true}]}"#);
/// ```
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// `sha256:<hex>` of the canonical JSON of `value`.
///
/// ```
/// use serde_json::json;
/// let a = evreg_core::fingerprint::fingerprint(&json!({"type": "object", "required": ["a"]}));
/// let b = evreg_core::fingerprint::fingerprint(&json!({"required": ["a"], "type": "object"}));
/// assert_eq!(a, b);
/// assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
/// ```
pub fn fingerprint(value: &Value) -> String {
    let digest = Sha256::digest(canonical_json(value).as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}
