//! Typos a new user makes first. A `required` name its object's `properties`
//! do not declare (`usrId` for `userId`) once passed `check` with 0 errors
//! and became a `serde_json::Value` field: it is an error where
//! `additionalProperties: false` makes the schema unsatisfiable, a warning
//! elsewhere, each with did-you-mean, and silence where another keyword or
//! the base may declare it. A file named where it is not, and properties that
//! differ only in case, say what was probably meant.

use evreg_core::Catalog;

mod support;

/// The diagnostics of a catalog whose payload schema is `schema`.
fn check(schema: &str) -> Vec<evreg_core::Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    support::one_event(
        dir.path(),
        "name = \"req\"\n[checks]\nrequire_examples = false\n[base]\nrequired = [\"tenantId\"]\n[base.properties]\ntenantId = { type = \"string\" }\n",
        "USER_SEEN",
        "schema = \"../schemas/user.json\"",
        &[("schemas/user.json", schema.to_owned())],
    );
    Catalog::check(dir.path())
        .diagnostics
        .into_iter()
        .filter(|d| d.code == "undeclared-required")
        .collect()
}

#[test]
fn a_typo_in_required_is_found_and_named() {
    // Closed: no payload can be valid.
    let found = check(
        r#"{"type": "object", "required": ["usrId"], "properties": {"userId": {"type": "string"}}, "additionalProperties": false}"#,
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].is_error());
    assert_eq!(found[0].help.as_deref(), Some("did you mean `userId`?"));
    assert!(found[0].primary.is_some());

    // Open: a warning, in a nested object too.
    let found = check(
        r#"{"type": "object", "properties": {"user": {"type": "object", "required": ["usrId"], "properties": {"userId": {"type": "string"}}}}}"#,
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(!found[0].is_error());
    assert!(found[0].message.contains("`usrId`"));
}

#[test]
fn names_declared_elsewhere_are_left_alone() {
    for schema in [
        // A base field, merged into the payload's root.
        r#"{"type": "object", "required": ["tenantId", "a"], "properties": {"a": {"type": "string"}}}"#,
        // ... and into each branch of a root union.
        r#"{"oneOf": [{"type": "object", "required": ["tenantId", "a"], "properties": {"a": {"const": 1}}}, {"type": "object", "required": ["b"], "properties": {"b": {"const": 2}}}]}"#,
        // Declared by a sibling `allOf`, or matched by `patternProperties`.
        r#"{"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}}, "allOf": [{"properties": {"b": {"type": "string"}}}]}"#,
        r#"{"type": "object", "required": ["x1"], "properties": {"a": {"type": "string"}}, "patternProperties": {"^x": {"type": "string"}}}"#,
    ] {
        assert_eq!(check(schema), Vec::new(), "{schema}");
    }
    // A base field away from the root is a property like another.
    let found = check(
        r#"{"type": "object", "properties": {"inner": {"type": "object", "required": ["tenantId"], "properties": {"a": {"type": "string"}}}}}"#,
    );
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// A file named where it is not (a wrong `../`, a folder missed) is
/// `missing-file` with the path that file would have from the referencing
/// one, when one file of that name is in the catalog folder.
#[test]
fn a_missing_file_suggests_the_one_meant() {
    let dir = tempfile::tempdir().unwrap();
    support::one_event(
        dir.path(),
        "name = \"req\"\n[checks]\nrequire_examples = false\n",
        "USER_SEEN",
        "schema = \"../schema/user.json\"",
        &[
            (
                "schemas/user.json",
                r#"{"type": "object", "properties": {"m": {"$ref": "money.json"}}}"#.to_owned(),
            ),
            (
                "schemas/shared/money.json",
                r#"{"type": "integer"}"#.to_owned(),
            ),
        ],
    );
    let helps = |report: evreg_core::Report| -> Vec<String> {
        report
            .diagnostics
            .into_iter()
            .filter(|d| d.code == "missing-file")
            .map(|d| d.help.unwrap_or_default())
            .collect()
    };
    assert_eq!(
        helps(Catalog::check(dir.path())),
        ["did you mean `../schemas/user.json`?"]
    );
    let events = dir.path().join("events/events.toml");
    let text = std::fs::read_to_string(&events).unwrap();
    std::fs::write(&events, text.replace("../schema/", "../schemas/")).unwrap();
    assert_eq!(
        helps(Catalog::check(dir.path())),
        ["did you mean `shared/money.json`?"]
    );
}

/// `userId` beside `userID`: the collision says they differ only in case.
#[test]
fn properties_that_differ_only_in_case_say_so() {
    let dir = tempfile::tempdir().unwrap();
    support::one_event(
        dir.path(),
        "name = \"req\"\n[checks]\nrequire_examples = false\n",
        "USER_SEEN",
        r#"schema = { type = "object", properties = { userId = { type = "string" }, userID = { type = "string" } } }"#,
        &[],
    );
    let report = Catalog::check(dir.path());
    let collision = report
        .diagnostics
        .iter()
        .find(|d| d.code == "rust-name-collision")
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert!(
        collision
            .notes
            .iter()
            .any(|n| n.contains("differ only in letter case")),
        "{collision:#?}"
    );
}
