//! The `format` vocabulary as `evreg check` and the registry see it: every
//! format of JSON Schema 2020-12 is accepted, the asserted ones are checked,
//! the two it cannot assert are a warning that says so, and a word that is
//! no format is an error with a suggestion.

use std::path::Path;

use evreg_core::{Catalog, Registry, RegistryError};
use serde_json::json;

mod support;

fn catalog(dir: &Path, properties: &str, example: &str) {
    support::one_event(
        dir,
        "name = \"formats\"\n",
        "LINK_SHARED",
        &format!(
            "schema = {{ type = \"object\", properties = {{ {properties} }} }}\nexamples = [{{ {example} }}]"
        ),
        &[],
    );
}

#[test]
fn every_standard_format_loads_and_the_asserted_ones_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        r#"template = { type = "string", format = "uri-template" }, pointer = { type = "string", format = "json-pointer" }, mail = { type = "string", format = "idn-email" }"#,
        r#"template = "https://api.github.com/repos/{owner}{/repo}", pointer = "/a/b", mail = "ü@example.org""#,
    );
    let report = Catalog::check(dir.path());
    let codes: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| (d.severity.as_str(), d.code))
        .collect();
    assert_eq!(
        codes,
        [("warning", "format-not-asserted")],
        "{:#?}",
        report.diagnostics
    );
    assert!(report.diagnostics[0].message.contains("`idn-email`"));
    let catalog = report.catalog.expect("the catalog loads");
    let registry = Registry::from_catalog(&catalog);
    let refused = |payload| match registry.validate("payload.LinkShared.v1", &payload) {
        Err(RegistryError::Invalid(e)) => e.errors.iter().map(|e| e.keyword.clone()).collect(),
        Err(other) => panic!("{other}"),
        Ok(()) => Vec::new(),
    };
    assert_eq!(
        refused(json!({"template": "https://x.org/{unclosed"})),
        ["format"]
    );
    assert_eq!(refused(json!({"pointer": "a/b"})), ["format"]);
    // Not asserted: anything goes.
    assert!(refused(json!({"mail": "not an address"})).is_empty());
}

#[test]
fn a_word_that_is_no_format_is_an_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        r#"template = { type = "string", format = "uri-templat" }"#,
        r#"template = "x""#,
    );
    let report = Catalog::check(dir.path());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "unsupported-format")
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert!(d.is_error());
    assert_eq!(
        d.message,
        "format `uri-templat` is not a JSON Schema format"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `uri-template`?"));
}
