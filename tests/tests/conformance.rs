//! The official JSON-Schema-Test-Suite (vendored under
//! `tests/fixtures/json-schema-test-suite/`). Draft 2020-12 through generated
//! code and the registry, drafts 04 to 2019-09 through the registry: every test
//! case of every group evreg can express runs as the payload `{"value": data}`
//! of the group's event, and "deserialize + `validate()` accepts" must be the
//! suite's `valid`, case by case. The excluded groups, and why, are listed in
//! `tests/fixtures/conformance/EXCLUDED.md`.
//!
//! A group whose schema has no `type` also has typed variants (`type` added,
//! one per JSON type of its data), so that the typed code runs the suite too:
//! each case runs against the variant of its data's type as well, with the
//! same expectation.

use std::path::{Path, PathBuf};

use evreg_tests::conformance::Event;
use evreg_tests::suite::each_case;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn generated_code_agrees_with_the_json_schema_test_suite() {
    let registry = evreg_tests::conformance::registry();
    let mut failures = Vec::new();
    let cases = fixtures().join("conformance/cases.json");
    let (groups, run) = each_case(&cases, "draft2020-12", |c| {
        let typed = Event::from_value(c.schema_ref, c.payload.clone());
        // The registry (jsonschema) is the reference the generated code follows.
        let by_schema = registry.validate(c.schema_ref, &c.payload).is_ok();
        if typed.is_ok() != c.expected || by_schema != c.expected {
            failures.push(format!(
                "{}: suite says {}, generated code {}, registry {by_schema}{}",
                c.name,
                c.expected,
                typed.is_ok(),
                typed.err().map(|e| format!(" ({e})")).unwrap_or_default(),
            ));
        }
    });
    eprintln!("{groups} schemas, {run} cases of the suite run through generated code");
    assert!(groups >= 770 && run >= 2650, "{groups} groups, {run} cases");
    assert!(
        failures.is_empty(),
        "{} of {run} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Drafts 04, 06, 07 and 2019-09 as published (`$schema` naming the draft,
/// `definitions`, draft-04's boolean `exclusiveMaximum`, draft-07's
/// `"$id": "#anchor"` …), read by the loader and translated into 2020-12
/// bundles: the registry's verdict must be the suite's on every case of
/// every group evreg reads. Generated code is planned from the same bundles
/// (draft 2020-12, above, runs it).
#[test]
fn the_registry_agrees_with_the_suite_in_every_draft() {
    let mut failures = Vec::new();
    let mut totals = Vec::new();
    for draft in ["draft2019-09", "draft7", "draft6", "draft4"] {
        let dir = fixtures().join("conformance-drafts").join(draft);
        let catalog = evreg::Catalog::load(&dir).unwrap_or_else(|e| panic!("{draft}: {e}"));
        let registry = evreg::Registry::from_catalog(&catalog);
        let (groups, run) = each_case(&dir.join("cases.json"), draft, |c| {
            let verdict = registry.validate(c.schema_ref, &c.payload).is_ok();
            if verdict != c.expected {
                failures.push(format!(
                    "{draft}/{}: suite says {}, registry {verdict}",
                    c.name, c.expected
                ));
            }
        });
        assert!(
            groups >= 350 && run >= 1200,
            "{draft}: {groups} groups, {run} cases"
        );
        totals.push(format!("{draft}: {groups} schemas, {run} cases"));
    }
    eprintln!("{}", totals.join("; "));
    assert!(
        failures.is_empty(),
        "{} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
