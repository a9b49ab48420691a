//! Keywords of a team's own: declared in `[schema]`, accepted and left out
//! of the bundled payload schema; any other unknown word is an error, or a
//! warning when the manifest says so.

use std::path::Path;

use evreg_core::Catalog;

mod support;

fn catalog(dir: &Path, keywords: &str) {
    support::one_event(
        dir,
        &format!("name = \"own\"\n{keywords}"),
        "THING_HAPPENED",
        r#"schema = { type = "object", tsAdditionalProperties = false, properties = { a = { type = "string", uiHint = "short" } } }
examples = [{ a = "x" }]"#,
        &[],
    );
}

fn codes(dir: &Path) -> Vec<(&'static str, &'static str)> {
    Catalog::check(dir)
        .diagnostics
        .iter()
        .map(|d| (d.severity.as_str(), d.code))
        .collect()
}

#[test]
fn unknown_words_are_errors_that_name_the_way_to_declare_them() {
    let dir = tempfile::tempdir().unwrap();
    catalog(dir.path(), "");
    let report = Catalog::check(dir.path());
    let helps: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(helps.len(), 2, "{helps:#?}");
    assert!(helps.iter().all(|(c, _)| *c == "unknown-keyword"));
    assert!(
        helps
            .iter()
            .any(|(_, h)| h.contains("[schema] annotations = [\"tsAdditionalProperties\"]")),
        "{helps:#?}"
    );
}

#[test]
fn declared_annotations_load_and_leave_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        "[schema]\nannotations = [\"tsAdditionalProperties\", \"uiHint\"]\n",
    );
    let report = Catalog::check(dir.path());
    let catalog = report
        .catalog
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let schema = &catalog.versions().next().unwrap().1.schema;
    assert!(schema.get("tsAdditionalProperties").is_none(), "{schema}");
    assert!(
        schema["properties"]["a"].get("uiHint").is_none(),
        "{schema}"
    );
    assert_eq!(schema["properties"]["a"]["type"], "string");
}

#[test]
fn unknown_words_can_be_warnings_and_json_schema_keywords_cannot_be_declared() {
    let dir = tempfile::tempdir().unwrap();
    catalog(dir.path(), "[schema]\nunknown_keywords = \"warning\"\n");
    assert_eq!(
        codes(dir.path()),
        [
            ("warning", "unknown-keyword"),
            ("warning", "unknown-keyword")
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    catalog(
        dir.path(),
        "[schema]\nannotations = [\"minLength\", \"tsAdditionalProperties\", \"uiHint\"]\n",
    );
    assert_eq!(codes(dir.path()), [("error", "invalid-value")]);
}
