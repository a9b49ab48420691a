//! `evreg import jsonschema`: a folder of schemas as a team keeps them
//! becomes a catalog naming those files, named by path, title or `$id`,
//! with examples matched; what cannot be mapped is said; nothing outside
//! the new catalog folder changes. (GitHub's published folders are imported
//! in `tests/tests/corpus_github.rs`.)

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn evreg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(dir)
        .env_remove("EVREG_CATALOG")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.insert(path.clone(), fs::read(&path).unwrap());
        }
    }
    out
}

/// A team's schema folder: two versions of one event, a draft-07 event
/// with a vendor keyword, a shared file both reach, and two files that
/// are no event; examples named after their schemas, one that only
/// validation places, and one that fits nothing.
fn team_schemas(root: &Path) {
    write(
        root,
        &[
            (
                "schemas/common/money.json",
                r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://acme.example/schemas/common/money.json",
                    "type": "object", "required": ["cents"], "properties": {"cents": {"type": "integer"}}, "additionalProperties": false}"#,
            ),
            (
                "schemas/orders/placed.v1.json",
                r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://acme.example/schemas/orders/placed.v1.json",
                    "title": "Order placed", "description": "A customer placed an order.",
                    "type": "object", "required": ["orderId", "total"], "additionalProperties": false,
                    "properties": {"orderId": {"type": "string"}, "total": {"$ref": "../common/money.json"}}}"#,
            ),
            (
                "schemas/orders/placed.v2.json",
                r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://acme.example/schemas/orders/placed.v2.json",
                    "title": "Order placed v2", "description": "A customer placed an order, through a channel.",
                    "type": "object", "required": ["orderId", "total"], "additionalProperties": false,
                    "properties": {"orderId": {"type": "string"}, "total": {"$ref": "../common/money.json"}, "channel": {"enum": ["web", "shop"]}}}"#,
            ),
            (
                "schemas/customers/signed-up.json",
                r#"{"$schema": "http://json-schema.org/draft-07/schema#", "$id": "https://acme.example/schemas/customers/signed-up.json",
                    "title": "Customer signed up", "type": "object", "required": ["email"], "tsType": "SignedUp",
                    "properties": {"email": {"type": "string", "format": "email"}, "spent": {"$ref": "../common/money.json"}}}"#,
            ),
            ("schemas/notes/README.json", "this is not JSON"),
            (
                "schemas/2fa.json",
                r#"{"$id": "https://acme.example/schemas/2fa.json", "type": "object"}"#,
            ),
            (
                "samples/orders/placed.v1.json",
                r#"{"orderId": "o-1", "total": {"cents": 1200}}"#,
            ),
            (
                "samples/orders/placed.v2.json",
                r#"{"orderId": "o-2", "total": {"cents": 900}, "channel": "web"}"#,
            ),
            (
                "samples/customers/signed-up.example.json",
                r#"{"email": "a@acme.example"}"#,
            ),
            (
                "samples/welcome.json",
                r#"{"email": "b@acme.example", "spent": {"cents": 0}}"#,
            ),
            ("samples/stray.json", r#"{"nobody": "expects me"}"#),
        ],
    );
}

#[test]
fn a_schema_folder_becomes_a_catalog_naming_its_files() {
    let repo = tempfile::tempdir().unwrap();
    team_schemas(repo.path());
    let before = snapshot(repo.path());
    let out = evreg(
        repo.path(),
        &[
            "import",
            "jsonschema",
            "schemas",
            "--examples",
            "samples",
            "--name",
            "acme",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for said in [
        "read 5 schema files under `schemas`: 3 payload schemas (2 events), 1 shared schema",
        "annotations (words that are no JSON Schema keyword): tsType",
        "matched 4 examples",
        "warning: not imported: ",
        "README.json: not JSON",
        "2fa.json: `2fa` is no event type",
        "warning: example not matched: ",
        "stray.json: it validates against none of `customers.signed_up` v1, `orders.placed` v1, `orders.placed` v2",
        "imported acme into `catalog`: 2 events, 3 versions; it checks clean",
    ] {
        assert!(stderr.contains(said), "{said}\n---\n{stderr}");
    }
    // Nothing outside the new catalog folder changed.
    let after = snapshot(repo.path());
    let outside: BTreeMap<_, _> = after
        .iter()
        .filter(|(p, _)| !p.starts_with(repo.path().join("catalog")))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect();
    assert!(outside == before, "files outside the catalog changed");

    let orders = fs::read_to_string(repo.path().join("catalog/events/orders.toml")).unwrap();
    assert_eq!(
        orders,
        r#"[[events]]
type = "orders.placed"
name = "Order placed"
description = "A customer placed an order, through a channel."
category = "orders"

[[events.versions]]
version = 1
schema = "../../schemas/orders/placed.v1.json"
examples = ["../../samples/orders/placed.v1.json"]

[[events.versions]]
version = 2
schema = "../../schemas/orders/placed.v2.json"
examples = ["../../samples/orders/placed.v2.json"]
"#
    );
    let customers = fs::read_to_string(repo.path().join("catalog/events/customers.toml")).unwrap();
    assert!(
        customers.contains("examples = [\n  \"../../samples/customers/signed-up.example.json\",\n  \"../../samples/welcome.json\",\n]"),
        "{customers}"
    );
    let manifest = fs::read_to_string(repo.path().join("catalog/catalog.toml")).unwrap();
    assert!(manifest.contains("name = \"acme\"\n"), "{manifest}");
    assert!(
        manifest.contains("annotations = [\"tsType\"]"),
        "{manifest}"
    );
    assert!(
        manifest.contains("folders = [\"../schemas\", \"../samples\"]"),
        "{manifest}"
    );
    assert!(!manifest.contains("require_examples"), "{manifest}");

    let out = evreg(repo.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{out:?}");

    // A second import of the same folders writes the same bytes.
    let again = evreg(
        repo.path(),
        &[
            "import",
            "jsonschema",
            "schemas",
            "--examples",
            "samples",
            "--name",
            "acme",
            "again",
        ],
    );
    assert!(again.status.success());
    for file in [
        "catalog.toml",
        "events/orders.toml",
        "events/customers.toml",
    ] {
        assert_eq!(
            fs::read(repo.path().join("catalog").join(file)).unwrap(),
            fs::read(repo.path().join("again").join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn types_come_from_titles_or_ids_when_asked() {
    let repo = tempfile::tempdir().unwrap();
    team_schemas(repo.path());
    let out = evreg(
        repo.path(),
        &[
            "import",
            "jsonschema",
            "schemas",
            "--types",
            "title",
            "by-title",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("2fa.json: it has no `title` (--types title)"),
        "{stderr}"
    );
    let list = evreg(repo.path(), &["list", "by-title", "--format", "json"]);
    let list = String::from_utf8_lossy(&list.stdout);
    for ty in ["\"ORDER_PLACED\"", "\"CUSTOMER_SIGNED_UP\""] {
        assert!(list.contains(ty), "{ty}: {list}");
    }
    // Without examples, a missing example is a warning only.
    let manifest = fs::read_to_string(repo.path().join("by-title/catalog.toml")).unwrap();
    assert!(manifest.contains("require_examples = false"), "{manifest}");

    let out = evreg(
        repo.path(),
        &["import", "jsonschema", "schemas", "--types", "id", "by-id"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let list = evreg(repo.path(), &["list", "by-id", "--format", "json"]);
    let list = String::from_utf8_lossy(&list.stdout);
    for ty in ["\"orders.placed\"", "\"customers.signed_up\""] {
        assert!(list.contains(ty), "{ty}: {list}");
    }
}

#[test]
fn an_existing_catalog_or_a_missing_folder_is_refused() {
    let repo = tempfile::tempdir().unwrap();
    team_schemas(repo.path());
    assert!(evreg(repo.path(), &["init", "catalog"]).status.success());
    let before = snapshot(repo.path());
    let out = evreg(repo.path(), &["import", "jsonschema", "schemas"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("holds a catalog already"), "{stderr}");
    assert!(snapshot(repo.path()) == before, "something changed");

    let out = evreg(repo.path(), &["import", "jsonschema", "nowhere", "other"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`nowhere` is not a folder"));
    assert!(!repo.path().join("other").exists());
}
