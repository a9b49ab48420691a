//! GitHub's webhook payload schemas, as published (`../shared/corpora/
//! github-webhooks`: draft-07, relative `$id`s, `uri-template`, the vendor
//! keyword `tsAdditionalProperties`, `allOf` refinements, top-level `oneOf`,
//! properties named `+1` and `-1`), read by a catalog whose event files name
//! them unchanged.
//!
//! - `evreg check` finds only the corpus's two real data problems: the
//!   `check_run/rerequested` examples whose date-time is not RFC 3339.
//! - On every example and on mutants of each, the registry's verdict equals
//!   `jsonschema`'s on the original files, in draft-07, with formats asserted.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use evreg_core::{Catalog, Registry};
use serde_json::{Value, json};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/github-webhooks");
    if dir.is_dir() {
        return Some(dir.canonicalize().unwrap());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have ../shared/corpora/github-webhooks"
    );
    eprintln!("SKIPPED: {} is missing (CI has it)", dir.display());
    None
}

/// `(event type, schema file, examples)` of every payload schema, the
/// examples matched by folder and `action` (`event` when there is none).
fn events(corpus: &Path) -> Vec<(String, PathBuf, Vec<PathBuf>)> {
    let schemas = corpus.join("payload-schemas/api.github.com");
    let examples = corpus.join("payload-examples/api.github.com");
    let mut by_key: BTreeMap<(String, String), Vec<PathBuf>> = BTreeMap::new();
    for folder in fs::read_dir(&examples).unwrap() {
        let folder = folder.unwrap().path();
        let event = folder.file_name().unwrap().to_string_lossy().into_owned();
        for file in fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            let payload: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
            let action = payload["action"].as_str().unwrap_or("event").to_owned();
            by_key
                .entry((event.clone(), action))
                .or_default()
                .push(file);
        }
    }
    let mut out = Vec::new();
    let mut folders: Vec<PathBuf> = fs::read_dir(&schemas)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "common")
        .collect();
    folders.sort();
    for folder in folders {
        let event = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let action = file
                .file_name()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".schema.json")
                .to_owned();
            let event_type = format!("{event}.{action}").replace('-', "_");
            let mut examples = by_key.remove(&(event.clone(), action)).unwrap_or_default();
            examples.sort();
            out.push((event_type, file, examples));
        }
    }
    out
}

fn write_catalog(dir: &Path, events: &[(String, PathBuf, Vec<PathBuf>)]) {
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::write(
        dir.join("catalog.toml"),
        "name = \"github\"\n\n[checks]\nrequire_examples = false\n\n[schema]\nannotations = [\"tsAdditionalProperties\"]\n",
    )
    .unwrap();
    let mut toml = String::new();
    for (event_type, schema, examples) in events {
        let list: Vec<String> = examples
            .iter()
            .map(|e| format!("{:?}", e.display().to_string()))
            .collect();
        toml.push_str(&format!(
            "[[events]]\ntype = \"{event_type}\"\nname = \"{event_type}\"\ndescription = \"GitHub's {event_type} webhook.\"\ncategory = \"github\"\n\n[[events.versions]]\nversion = 1\nschema = {:?}\nexamples = [{}]\n\n",
            schema.display().to_string(),
            list.join(", ")
        ));
    }
    fs::write(dir.join("events/github.toml"), toml).unwrap();
}

#[test]
fn the_corpus_loads_unchanged_and_only_its_real_data_problems_are_errors() {
    let Some(corpus) = corpus() else { return };
    let events = events(&corpus);
    assert_eq!(events.len(), 224, "payload schemas");
    assert!(
        events.iter().map(|e| e.2.len()).sum::<usize>() > 250,
        "examples matched"
    );
    let dir = tempfile::tempdir().unwrap();
    write_catalog(dir.path(), &events);
    let report = Catalog::check(dir.path());
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.display(&report.sources).to_string())
        .collect();
    for e in &errors {
        assert!(
            e.contains("check_run/rerequested")
                && e.contains("example-invalid")
                && e.contains("date-time"),
            "{e}"
        );
    }
    // Both examples, each at the four date-times of its apps.
    let files: std::collections::BTreeSet<&str> =
        errors.iter().filter_map(|e| e.split(':').next()).collect();
    assert_eq!(files.len(), 2, "{errors:#?}");
    assert_eq!(errors.len(), 8, "{errors:#?}");
}

/// Mutants of a payload where it hurts: each top-level property removed,
/// set to `null`, to a string, to a number; an unknown property added.
fn mutants(payload: &Value) -> Vec<Value> {
    let mut out = vec![payload.clone()];
    let Value::Object(map) = payload else {
        return out;
    };
    let mut extra = map.clone();
    extra.insert("zzUnknown".into(), json!(1));
    out.push(Value::Object(extra));
    for key in map.keys() {
        for replacement in [None, Some(json!(null)), Some(json!("x")), Some(json!(7))] {
            let mut m = map.clone();
            match replacement {
                None => {
                    m.remove(key);
                }
                Some(v) => {
                    m.insert(key.clone(), v);
                }
            }
            out.push(Value::Object(m));
        }
    }
    out
}

#[test]
fn the_registry_agrees_with_jsonschema_on_the_original_files() {
    let Some(corpus) = corpus() else { return };
    let events = events(&corpus);
    let dir = tempfile::tempdir().unwrap();
    // Without the two examples that are not valid data, so that it loads.
    let events: Vec<_> = events
        .into_iter()
        .map(|(t, s, ex)| {
            let ex = if t == "check_run.rerequested" {
                Vec::new()
            } else {
                ex
            };
            (t, s, ex)
        })
        .collect();
    write_catalog(dir.path(), &events);
    let report = Catalog::check(dir.path());
    let catalog = report.catalog.unwrap_or_else(|| {
        panic!(
            "{:#?}",
            report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect::<Vec<_>>()
        )
    });
    let registry = Registry::from_catalog(&catalog);

    // Every original file, by its `$id` (relative ids resolve against the
    // validator's default root, as evreg reads them).
    let mut documents = Vec::new();
    for entry in walk(&corpus.join("payload-schemas/api.github.com")) {
        let value: Value = serde_json::from_str(&fs::read_to_string(&entry).unwrap()).unwrap();
        let id = value["$id"].as_str().unwrap().to_owned();
        documents.push((id, jsonschema::Resource::from_contents(value)));
    }
    let originals = jsonschema::Registry::new()
        .extend(documents)
        .unwrap()
        .prepare()
        .unwrap();

    let (mut compared, mut refused) = (0, 0);
    for (event_type, schema_file, examples) in &events {
        let schema: Value =
            serde_json::from_str(&fs::read_to_string(schema_file).unwrap()).unwrap();
        let original = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .with_registry(&originals)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{}: {e}", schema_file.display()));
        let schema_ref = evreg_core::naming::schema_ref(event_type, 1);
        for example in examples {
            let payload: Value =
                serde_json::from_str(&fs::read_to_string(example).unwrap()).unwrap();
            for mutant in mutants(&payload) {
                let theirs = original.is_valid(&mutant);
                let ours = registry.validate(&schema_ref, &mutant).is_ok();
                assert_eq!(
                    ours,
                    theirs,
                    "{schema_ref} on a mutant of {}: evreg says {ours}, jsonschema {theirs}",
                    example.display()
                );
                compared += 1;
                refused += usize::from(!ours);
            }
        }
    }
    assert!(compared > 6_000, "{compared} payloads compared");
    assert!(
        refused > compared / 2,
        "most mutants are refused: {refused} of {compared}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}
