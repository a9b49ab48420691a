//! Base URIs of schema documents and the targets of their references
//! (RFC 3986, by `fluent-uri`, the URI library `jsonschema` resolves with).
//!
//! A document with a root `$id` is identified by it: an absolute `$id` as
//! written, a relative one resolved against [`ROOT`] — the base `jsonschema`
//! gives documents it has no address for, so that files that name each other
//! by relative `$id`s, as published schema sets do
//! (`"$id": "common/user.schema.json"`), find each other wherever they are.
//! A document without `$id` is identified by its file, as before.

use fluent_uri::{Iri, IriRef};

/// The base of relative root `$id`s.
pub const ROOT: &str = "json-schema:///";

/// The URI a root `$id` gives its document (without fragment), or `None`
/// when it is not an IRI reference.
pub fn id_uri(id: &str) -> Option<String> {
    resolve(ROOT, id)
}

/// The target of `reference` against `base`, without fragment; `None` when
/// either is not an IRI (reference).
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    let base = Iri::parse(base).ok()?;
    let target = IriRef::parse(reference).ok()?.resolve_against(&base).ok()?;
    let target = target.normalize();
    Some(target.strip_fragment().as_str().to_owned())
}

/// The path of `target` relative to the folder of `base` (`../x/y.json`),
/// when both have the same scheme and authority: where a file holding
/// `target` would be, next to the file holding `base`.
pub fn relative_path(base: &str, target: &str) -> Option<String> {
    let (base_origin, base_path) = split_origin(base)?;
    let (target_origin, target_path) = split_origin(target)?;
    if base_origin != target_origin {
        return None;
    }
    let base_dir: Vec<&str> = match base_path.rsplit_once('/') {
        Some((dir, _)) => dir.split('/').filter(|s| !s.is_empty()).collect(),
        None => Vec::new(),
    };
    let target: Vec<&str> = target_path.split('/').filter(|s| !s.is_empty()).collect();
    let common = base_dir
        .iter()
        .zip(&target)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; base_dir.len() - common];
    out.extend(&target[common..]);
    (!out.is_empty()).then(|| out.join("/"))
}

/// The path of `target` within the namespace of relative `$id`s
/// (`json-schema:///common/user.schema.json` → `common/user.schema.json`).
pub fn path_in_root(target: &str) -> Option<&str> {
    target.strip_prefix(ROOT).filter(|p| !p.is_empty())
}

/// `scheme://authority` and the path of an IRI (query and fragment left
/// out; `None` when it has none).
fn split_origin(iri: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = iri.split_once(':')?;
    let origin_len = match rest.strip_prefix("//") {
        Some(after) => scheme.len() + 3 + after.find('/').unwrap_or(after.len()),
        None => scheme.len() + 1,
    };
    let (origin, path) = iri.split_at(origin_len);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    Some((origin, path))
}

/// A JSON pointer written as a URI fragment (`#/$defs/My%20Type`): every
/// character a fragment cannot hold is percent-encoded.
pub fn pointer_fragment(pointer: &str) -> String {
    let mut out = String::from("#");
    for byte in pointer.bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_ids_live_under_the_root() {
        assert_eq!(
            id_uri("pull_request$opened").as_deref(),
            Some("json-schema:///pull_request$opened")
        );
        let base = id_uri("common/pull-request.schema.json").unwrap();
        assert_eq!(
            resolve(&base, "user.schema.json").as_deref(),
            Some("json-schema:///common/user.schema.json")
        );
        let payload = id_uri("pull_request$opened").unwrap();
        assert_eq!(
            resolve(&payload, "common/user.schema.json#/properties").as_deref(),
            Some("json-schema:///common/user.schema.json")
        );
        assert_eq!(
            path_in_root("json-schema:///common/user.schema.json"),
            Some("common/user.schema.json")
        );
    }

    #[test]
    fn absolute_ids_and_extensionless_names() {
        let base = id_uri("https://example.org/spec/1-0/Run.json").unwrap();
        assert_eq!(base, "https://example.org/spec/1-0/Run.json");
        let target = resolve(&base, "../2-0/Job.json").unwrap();
        assert_eq!(target, "https://example.org/spec/2-0/Job.json");
        assert_eq!(
            relative_path(&base, &target).as_deref(),
            Some("../2-0/Job.json")
        );
        let links = id_uri("links/embedded").unwrap();
        assert_eq!(
            resolve(&links, "../links/href").as_deref(),
            Some("json-schema:///links/href")
        );
        assert_eq!(
            relative_path("https://a.org/x/y.json", "https://b.org/x/z.json"),
            None
        );
    }

    #[test]
    fn pointers_become_fragments() {
        assert_eq!(
            super::pointer_fragment("/$defs/My Type"),
            "#/$defs/My%20Type"
        );
        assert_eq!(super::pointer_fragment("/$defs/a~1b"), "#/$defs/a~1b");
        assert_eq!(super::pointer_fragment("/properties/%"), "#/properties/%25");
        assert_eq!(super::pointer_fragment(""), "#");
    }
}
