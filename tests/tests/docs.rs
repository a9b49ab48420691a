//! The documentation's examples are real: the catalog in docs/catalog-format.md
//! loads cleanly, and every `evreg` command in docs/cli.md runs with the exit code
//! the page gives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evreg::Catalog;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// Fenced blocks whose info string names a file: ```toml file=catalog.toml
fn file_blocks(markdown: &str) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match &mut current {
            Some((name, body)) => {
                if line.trim_start().starts_with("```") {
                    files.insert(std::mem::take(name), std::mem::take(body));
                    current = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
            None => {
                if let Some(info) = line.strip_prefix("```")
                    && let Some(name) = info
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("file="))
                {
                    current = Some((name.to_owned(), String::new()));
                }
            }
        }
    }
    files
}

#[test]
fn catalog_format_example_loads_without_diagnostics() {
    let markdown = std::fs::read_to_string(repo().join("docs/catalog-format.md")).unwrap();
    let files = file_blocks(&markdown);
    assert!(
        files.contains_key("catalog.toml") && files.len() >= 6,
        "{:?}",
        files.keys()
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in &files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let report = Catalog::check(dir.path());
    let shown: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.display(&report.sources).to_string())
        .collect();
    assert!(report.diagnostics.is_empty(), "{shown:#?}");
    let catalog = report.catalog.unwrap();
    assert_eq!(catalog.events().len(), 4);
    let (_, v1) = catalog.version_by_ref("payload.TicketCreated.v1").unwrap();
    assert_eq!(v1.examples.len(), 2);
    assert_eq!(v1.invalid_examples.len(), 1);
    // The shared definition was bundled into the payload schema.
    assert!(v1.schema["$defs"]["Money"].is_object());
    assert_eq!(v1.schema["properties"]["estimate"]["$ref"], "#/$defs/Money");
    // Base fields were merged.
    assert_eq!(v1.schema["required"][0], "tenantId");
    let (_, message) = catalog
        .version_by_ref("payload.TicketMessageAdded.v1")
        .unwrap();
    assert!(
        message.schema["$defs"]["FieldChange"].is_object(),
        "definitions reached through definitions are bundled"
    );
}
