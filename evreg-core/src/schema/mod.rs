//! JSON Schema, once: every keyword with its vocabulary and role
//! ([`keywords`]), the drafts and what each means where they differ
//! ([`dialect`]), and the `format` vocabulary ([`formats`]). Every other part
//! of evreg asks these modules what a keyword, a draft or a format is,
//! instead of keeping a list of its own.

use serde_json::Value;

pub mod dialect;
pub mod formats;
pub mod keywords;
pub mod uri;

/// Where a local reference of a bundled payload schema points (`#/$defs/Money`,
/// `#/$defs/My%20Type`): the fragment is a JSON pointer, percent-encoded as
/// URI fragments are. Every reader of bundles follows references through
/// this; `None` for any other reference, or a pointer to nothing.
pub fn local_target<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    root.pointer(&crate::catalog::percent_decode(fragment))
}

/// The value of keyword `name` in `schema`, found by reading its keys:
/// schema objects hold a handful, and comparing them costs less than
/// hashing `name` (serde_json's ordered maps hash with SipHash). For
/// keywords readers ask every schema object about (`not`, `x-rust-name`).
pub fn member<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    match schema {
        Value::Object(map) => map.iter().find(|(k, _)| *k == name).map(|(_, v)| v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn local_targets_are_percent_decoded_pointers() {
        let root = json!({"$defs": {"My Type": {"type": "string"}, "a/b": {"type": "integer"}}});
        assert_eq!(
            super::local_target(&root, "#/$defs/My%20Type"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            super::local_target(&root, "#/$defs/a~1b"),
            Some(&json!({"type": "integer"}))
        );
        assert_eq!(super::local_target(&root, "other.json#/$defs/x"), None);
        assert_eq!(super::local_target(&root, "#/$defs/Nope"), None);
    }
}
