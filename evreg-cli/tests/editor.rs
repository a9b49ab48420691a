//! The editor schemas of catalog.toml and event files (evreg-cli/editor,
//! docs/editors.md) say what the loader says: the same keys in every table,
//! the same event types; the docs' catalog and the shipped one pass them,
//! and what `evreg init` writes passes the real `taplo` when CI installed
//! it (`EVREG_TEST_TAPLO`).

use std::path::{Path, PathBuf};
use std::process::Command;

use evreg_core::catalog::{EVENT_FILE_TABLES, MANIFEST_TABLES};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema(name: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("evreg-cli/editor").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema(name))
        .unwrap()
}

/// A TOML document as the JSON an editor schema is applied to.
fn json_of(toml_text: &str) -> Value {
    let table: toml::Table = toml::from_str(toml_text).unwrap();
    serde_json::to_value(table).unwrap()
}

/// The schema of the table at `path` (`""`, `base`, `events.versions`).
fn table_schema<'a>(root: &'a Value, path: &str) -> &'a Value {
    let mut at = root;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        at = &at["properties"][part];
        if at["type"] == "array" {
            at = &at["items"];
        }
        if let Some(target) = at["$ref"].as_str() {
            at = root.pointer(&target[1..]).unwrap();
        }
    }
    at
}

#[test]
fn every_table_knows_exactly_the_loaders_keys() {
    for (file, tables) in [
        ("catalog.schema.json", MANIFEST_TABLES),
        ("events.schema.json", EVENT_FILE_TABLES),
    ] {
        let root = schema(file);
        for (path, keys) in tables {
            let at = table_schema(&root, path);
            assert_eq!(
                at["additionalProperties"], false,
                "{file} `{path}` is closed"
            );
            let mut declared: Vec<&str> = at["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{file} `{path}` has properties"))
                .keys()
                .map(String::as_str)
                .collect();
            let mut known = keys.to_vec();
            declared.sort_unstable();
            known.sort_unstable();
            assert_eq!(declared, known, "{file} `{path}`");
        }
    }
}

#[test]
fn the_docs_and_the_shipped_catalog_pass_and_unknown_keys_fail_as_in_the_loader() {
    let manifest = validator("catalog.schema.json");
    let events = validator("events.schema.json");
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    // Every file block of docs/catalog-format.md, and every TOML file of the shipped catalog.
    let page = std::fs::read_to_string(repo().join("docs/catalog-format.md")).unwrap();
    let mut block: Option<(PathBuf, String)> = None;
    for line in page.lines() {
        match &mut block {
            Some((_, body)) if !line.starts_with("```") => {
                body.push_str(line);
                body.push('\n');
            }
            Some(_) => files.extend(block.take()),
            None => {
                if let Some(name) = line
                    .strip_prefix("```toml file=")
                    .map(|n| n.split_whitespace().next().unwrap_or(n))
                {
                    block = Some((PathBuf::from(name), String::new()));
                }
            }
        }
    }
    let docs_files = files.len();
    assert!(docs_files >= 2);
    let mut stack = vec![repo().join("catalog")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml")
                && !path.ends_with("catalog.lock")
            {
                files.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    assert!(files.len() > docs_files + 10);
    for (path, text) in &files {
        let is_manifest = path.ends_with("catalog.toml");
        let validator = if is_manifest { &manifest } else { &events };
        let value = json_of(text);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }

    // A key no table knows is refused by the schema, and by `evreg check`.
    let catalog = tempfile::tempdir().unwrap();
    let init = Command::new(env!("CARGO_BIN_EXE_evreg"))
        .arg("init")
        .arg(catalog.path().join("c"))
        .output()
        .unwrap();
    assert!(init.status.success());
    let dir = catalog.path().join("c");
    let cases: [(&str, &str, &str); 6] = [
        ("catalog.toml", "name = ", "nmae = \"typo\"\nname = "),
        (
            "catalog.toml",
            "[checks]\n",
            "[checks]\nrequire_example = true\n",
        ),
        (
            "catalog.toml",
            "[checks]\n",
            "[sql]\ntables = \"x\"\n\n[checks]\n",
        ),
        (
            "events/example.toml",
            "category = ",
            "categroy = \"x\"\ncategory = ",
        ),
        (
            "events/example.toml",
            "version = 1\n",
            "version = 1\nexample = []\n",
        ),
        (
            "events/example.toml",
            "version = 1\n",
            "version = 1\ninvalid = [{ reason = \"r\", payload = {}, why = 1 }]\n",
        ),
    ];
    for (file, at, with) in cases {
        let path = dir.join(file);
        let original = std::fs::read_to_string(&path).unwrap();
        let changed = original.replacen(at, with, 1);
        assert_ne!(changed, original);
        std::fs::write(&path, &changed).unwrap();
        let validator = if file == "catalog.toml" {
            &manifest
        } else {
            &events
        };
        assert!(
            !validator.is_valid(&json_of(&changed)),
            "the schema accepts {with:?}"
        );
        let report = evreg_core::Catalog::check(&dir);
        assert!(
            report.diagnostics.iter().any(|d| d.code == "unknown-key"),
            "the loader accepts {with:?}"
        );
        std::fs::write(&path, original).unwrap();
    }
    assert!(evreg_core::Catalog::check(&dir).catalog.is_some());
}

proptest::proptest! {
    /// The schema's event-type pattern is the loader's rule.
    #[test]
    fn the_event_type_pattern_is_the_loaders(ty in "[A-Za-z0-9_.]{0,10}|[a-z_.]{1,12}|[A-Z0-9_]{1,10}") {
        let root = schema("events.schema.json");
        let pattern = table_schema(&root, "events")["properties"]["type"].clone();
        let verdict = jsonschema::is_valid(&pattern, &Value::from(ty.clone()));
        proptest::prop_assert_eq!(verdict, evreg_core::naming::is_valid_event_type(&ty), "{}", ty);
    }
}

#[test]
fn taplo_checks_what_evreg_writes() {
    let Some(bin) = std::env::var_os("EVREG_TEST_TAPLO") else {
        assert!(std::env::var_os("CI").is_none(), "CI sets EVREG_TEST_TAPLO");
        eprintln!("SKIPPED: EVREG_TEST_TAPLO is not set (.ci/run installs taplo)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let evreg = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_evreg"))
            .current_dir(work.path())
            .env_remove("EVREG_CATALOG")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    evreg(&["init", "events"]);
    evreg(&["--catalog", "events", "new", "event", "ORDER_PLACED"]);
    let taplo = |files: &[&str]| {
        Command::new(&bin)
            .current_dir(work.path())
            .arg("check")
            .args(files)
            .output()
            .unwrap()
    };
    let files = [
        "events/catalog.toml",
        "events/events/example.toml",
        "events/events/order-placed.toml",
    ];
    let out = taplo(&files);
    assert!(out.status.success(), "{out:?}");
    // The shipped catalog names the schemas where the repository keeps them.
    let mut shipped = Command::new(&bin);
    shipped.current_dir(repo().join("catalog")).arg("check");
    let mut stack = vec![repo().join("catalog")];
    let mut count = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                assert!(
                    std::fs::read_to_string(&path)
                        .unwrap()
                        .starts_with("#:schema "),
                    "{} names its editor schema",
                    path.display()
                );
                shipped.arg(&path);
                count += 1;
            }
        }
    }
    assert!(count > 10);
    let out = shipped.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    // taplo reads the `#:schema` directive: a misspelt key fails.
    let path = work.path().join("events/events/order-placed.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("category = ", "categroy = ")).unwrap();
    let out = taplo(&files);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("categroy"), "{said}");
}
