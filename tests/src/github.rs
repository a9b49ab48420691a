//! GitHub's webhook payload schemas as published
//! (`../shared/corpora/github-webhooks`), as a catalog whose event files name
//! them unchanged: what the tests on that corpus share.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The corpus folder, or `None` (said loudly) where `../shared` is missing;
/// in CI it must be there.
pub fn corpus() -> Option<PathBuf> {
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
pub fn events(corpus: &Path) -> Vec<(String, PathBuf, Vec<PathBuf>)> {
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

/// A catalog in `dir` with one event per payload schema, naming the
/// corpus's files and examples where they are (its manifest names the
/// corpus folder, outside the catalog's).
pub fn write_catalog(dir: &Path, events: &[(String, PathBuf, Vec<PathBuf>)]) {
    fs::create_dir_all(dir.join("events")).unwrap();
    let corpus = corpus().expect("the corpus is there");
    fs::write(
        dir.join("catalog.toml"),
        format!(
            "name = \"github\"\n\n[checks]\nrequire_examples = false\n\n[schema]\nannotations = [\"tsAdditionalProperties\"]\nfolders = [{:?}]\n",
            corpus.display().to_string()
        ),
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

/// `events` without the two examples that are not valid data (their
/// date-times are not RFC 3339), so that the catalog loads.
pub fn without_bad_examples(
    events: Vec<(String, PathBuf, Vec<PathBuf>)>,
) -> Vec<(String, PathBuf, Vec<PathBuf>)> {
    events
        .into_iter()
        .map(|(t, s, ex)| {
            let ex = if t == "check_run.rerequested" {
                Vec::new()
            } else {
                ex
            };
            (t, s, ex)
        })
        .collect()
}

/// Mutants of a payload where it hurts: each top-level property removed,
/// set to `null`, to a string, to a number; an unknown property added.
pub fn mutants(payload: &Value) -> Vec<Value> {
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

/// Every `.json` file under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
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
