//! `evreg import asyncapi` on the AsyncAPI specification's own example
//! documents (tests/fixtures/asyncapi, as published in 2.6.0 and 3.0.0):
//! every one imports, the two versions of one example give the same events
//! and payload schemas, what cannot be an event is said, and the only errors
//! are the published examples that break their own schemas.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::evreg;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/asyncapi")
}

/// Imports `document` into `dir/name`: the exit code, standard error, and
/// each payload version's bundled schema by ref (when it loads).
fn import(dir: &Path, document: &Path, name: &str) -> (i32, String, BTreeMap<String, Value>) {
    let out = evreg(
        dir,
        &["import", "asyncapi", document.to_str().unwrap(), name],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = evreg_core::Catalog::check_schemas(dir.join(name));
    let schemas = report
        .catalog
        .map(|c| {
            c.versions()
                .map(|(_, v)| (v.schema_ref.clone(), v.schema.clone()))
                .collect()
        })
        .unwrap_or_default();
    (out.status.code().unwrap(), stderr, schemas)
}

/// The published documents whose examples break their own schemas (checked
/// with Python's `jsonschema` too): Kraken's `subscriptionStatus` examples
/// give `pair` as a string where the schema wants an array, and a `status`
/// and `depth` outside their enums.
const INVALID_EXAMPLES: [&str; 2] = [
    "kraken-websocket-request-reply-message-filter-in-reply-asyncapi",
    "kraken-websocket-request-reply-multiple-channels-asyncapi",
];

#[test]
fn every_published_example_imports_and_both_versions_agree() {
    let work = tempfile::tempdir().unwrap();
    let mut imported = BTreeMap::new();
    let mut documents = 0;
    for version in ["2.6.0", "3.0.0"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join(version))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            let name = format!("{version}-{stem}");
            let (code, stderr, schemas) = import(work.path(), &file, &name);
            documents += 1;
            if INVALID_EXAMPLES.contains(&stem.as_str()) {
                assert_eq!(code, 1, "{name}: {stderr}");
                let report = evreg_core::Catalog::check(work.path().join(&name));
                for d in report.diagnostics.iter().filter(|d| d.is_error()) {
                    assert_eq!(d.code, "example-invalid", "{name}: {d:?}");
                    assert!(d.message.contains("payload.SubscriptionStatus.v1"), "{d:?}");
                }
            } else {
                assert_eq!(code, 0, "{name}: {stderr}");
            }
            let key = stem.trim_end_matches("-asyncapi").to_owned();
            imported.insert((key, version), schemas);
        }
    }
    assert_eq!(documents, 37);

    // An example's 2.6.0 and 3.0.0 documents give the same events and the
    // same payload schemas (3.0.0's `oneof` names its inline messages, which
    // 2.6.0's leaves anonymous).
    let mut pairs = 0;
    for ((key, version), schemas) in &imported {
        if *version != "2.6.0" || key == "oneof" {
            continue;
        }
        let Some(later) = imported.get(&(key.clone(), "3.0.0")) else {
            continue;
        };
        assert!(
            !schemas.is_empty() || key == "adeo-kafka-request-reply",
            "{key}: no event"
        );
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            later.keys().collect::<Vec<_>>(),
            "{key}"
        );
        for (schema_ref, schema) in schemas {
            assert_eq!(schema, &later[schema_ref], "{key}: {schema_ref}");
        }
        pairs += 1;
    }
    assert_eq!(pairs, 16);

    let streetlights = &imported[&("streetlights-kafka".to_owned(), "3.0.0")];
    assert_eq!(
        streetlights.keys().collect::<Vec<_>>(),
        [
            "payload.DimLight.v1",
            "payload.LightMeasured.v1",
            "payload.TurnOnOff.v1"
        ]
    );
    // `sentAt`, shared through `components.schemas`, is bundled.
    let measured = &streetlights["payload.LightMeasured.v1"];
    assert!(measured.to_string().contains("date-time"), "{measured}");
    assert_eq!(imported[&("slack-rtm".to_owned(), "3.0.0")].len(), 48);
}

#[test]
fn what_cannot_be_an_event_is_said() {
    let work = tempfile::tempdir().unwrap();
    let gitter = fixtures().join("3.0.0/gitter-streaming-asyncapi.yml");
    let (_, stderr, _) = import(work.path(), &gitter, "gitter");
    assert!(
        stderr.contains("warning: message not imported: #/components/messages/heartbeat: its payload is of type `string`, and an event's payload is an object"),
        "{stderr}"
    );
    let adeo = fixtures().join("3.0.0/adeo-kafka-request-reply-asyncapi.yml");
    let (code, stderr, _) = import(work.path(), &adeo, "adeo");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("#/components/messages/costingRequestV1: its payload's schemaFormat is `application/vnd.apache.avro;version=1.9.0`, not JSON Schema"),
        "{stderr}"
    );
    // Examples come with their messages.
    let gemini = fixtures().join("2.6.0/websocket-gemini.yml");
    let (_, stderr, _) = import(work.path(), &gemini, "gemini");
    assert!(
        stderr.contains("1 message imported as events, 2 examples"),
        "{stderr}"
    );

    // A document that is no AsyncAPI, or no YAML, is refused.
    std::fs::write(
        work.path().join("openapi.yaml"),
        "openapi: 3.1.0\ninfo: {title: x}\n",
    )
    .unwrap();
    let out = evreg(work.path(), &["import", "asyncapi", "openapi.yaml", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("is no AsyncAPI 2.x or 3.0 document (its `asyncapi` is missing)")
    );
    std::fs::write(work.path().join("broken.yaml"), "asyncapi: [\n").unwrap();
    let out = evreg(work.path(), &["import", "asyncapi", "broken.yaml", "y"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml: not YAML"));
    assert!(!work.path().join("x").exists() && !work.path().join("y").exists());
}
