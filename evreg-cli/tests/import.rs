//! `evreg import jsonschema`: a folder of schemas as a team keeps them
//! becomes a catalog naming those files, named by path, title or `$id`,
//! with examples matched; what cannot be mapped is said; nothing outside
//! the new catalog folder changes. (GitHub's published folders are imported
//! in `tests/tests/corpus_github.rs`.)

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::evreg;

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
        r#"#:schema ../.evreg/events.schema.json

[[events]]
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

/// The shipped catalog, copied, writing into tables of its own (`PREFIX_catalog`,
/// `PREFIX_schemas`) and without its lock (the test removes events).
fn shipped_catalog(dest: &Path, prefix: &str) {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                fs::copy(&path, &target).unwrap();
            }
        }
    }
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog"),
        dest,
    );
    fs::remove_file(dest.join("catalog.lock")).unwrap();
    let manifest = fs::read_to_string(dest.join("catalog.toml")).unwrap();
    let manifest = manifest
        .replace("\"system_event_catalog\"", &format!("\"{prefix}_catalog\""))
        .replace("\"system_event_schemas\"", &format!("\"{prefix}_schemas\""));
    fs::write(dest.join("catalog.toml"), manifest).unwrap();
}

/// migrate → import db → `migrate --check` finds no drift, and applying the
/// imported catalog changes no row; events that left the catalog stay out.
fn round_trip(url: &str, prefix: &str) {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    shipped_catalog(&w.join("source"), prefix);
    let migrate = |catalog: &str, extra: &[&str]| {
        let mut args = vec!["migrate", catalog, "--database-url", url];
        args.extend_from_slice(extra);
        evreg(w, &args)
    };
    let out = migrate("source", &["--apply", "--create"]);
    assert!(out.status.success(), "{out:?}");
    // Six events leave the catalog: deprecated in the table, not imported.
    fs::remove_file(w.join("source/events/academy.toml")).unwrap();
    let out = migrate("source", &["--apply"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("6 deprecated"),
        "{out:?}"
    );

    let tables = [
        "--table",
        &format!("{prefix}_catalog"),
        "--schema-table",
        &format!("{prefix}_schemas"),
    ];
    let mut args = vec!["import", "db", url, "back"];
    args.extend_from_slice(&tables);
    let out = evreg(w, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("read `acme` from"), "{stderr}");
    assert!(
        stderr.contains(
            "6 events that left the catalog (deprecated, with no replacement) not imported"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("it checks clean"), "{stderr}");

    let out = migrate("back", &["--check"]);
    assert!(out.status.success(), "{out:?}");
    let out = migrate("back", &["--apply"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(": 0 inserted, 0 updated, 0 deprecated,"),
        "{stderr}"
    );

    // The imported catalog has the source's events, their versions and examples.
    let source = evreg_core::Catalog::load(w.join("source")).unwrap();
    let back = evreg_core::Catalog::load(w.join("back")).unwrap();
    assert_eq!(source.events().len(), back.events().len());
    for (a, b) in source.events().iter().zip(back.events()) {
        assert_eq!(
            (
                &a.event_type,
                &a.name,
                &a.category,
                &a.owner,
                &a.status,
                &a.aliases
            ),
            (
                &b.event_type,
                &b.name,
                &b.category,
                &b.owner,
                &b.status,
                &b.aliases
            )
        );
        for (x, y) in a.versions.iter().zip(&b.versions) {
            assert_eq!(x.schema, y.schema, "{}", x.schema_ref);
            assert_eq!(x.examples.len(), y.examples.len(), "{}", x.schema_ref);
        }
    }
}

#[test]
fn import_db_round_trips_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.db").display());
    round_trip(&url, "rt");
}

#[test]
fn import_db_round_trips_on_postgres() {
    let Ok(url) = std::env::var("EVREG_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI sets EVREG_TEST_POSTGRES_URL"
        );
        eprintln!("SKIPPED: EVREG_TEST_POSTGRES_URL is not set");
        return;
    };
    let prefix = "evreg_import_rt";
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let drop = format!("DROP TABLE IF EXISTS {prefix}_catalog, {prefix}_schemas");
    client.batch_execute(&drop).unwrap();
    round_trip(&url, prefix);
    client.batch_execute(&drop).unwrap();
}

#[test]
fn import_db_says_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = format!("sqlite://{}", d.join("nope.db").display());
    let out = evreg(d, &["import", "db", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));

    let out = evreg(d, &["import", "db", &missing, "--table", "x; DROP TABLE y"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a table name"));

    // Two catalogs in one table: which one is asked.
    let url = format!("sqlite://{}", d.join("two.db").display());
    shipped_catalog(&d.join("one"), "two");
    assert!(
        evreg(
            d,
            &[
                "migrate",
                "one",
                "--apply",
                "--create",
                "--database-url",
                &url
            ]
        )
        .status
        .success()
    );
    assert!(evreg(d, &["init", "other"]).status.success());
    let manifest = fs::read_to_string(d.join("other/catalog.toml")).unwrap();
    fs::write(
        d.join("other/catalog.toml"),
        manifest + "\n[sql]\ntable = \"two_catalog\"\nschema_table = \"two_schemas\"\n",
    )
    .unwrap();
    let out = evreg(d, &["migrate", "other", "--apply", "--database-url", &url]);
    assert!(out.status.success(), "{out:?}");
    let tables = ["--table", "two_catalog", "--schema-table", "two_schemas"];
    let mut args = vec!["import", "db", &url, "back"];
    args.extend_from_slice(&tables);
    let out = evreg(d, &args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("holds the rows of `acme`, `other`: name one with --name"),
        "{stderr}"
    );
    assert!(!d.join("back").exists());
    args.extend_from_slice(&["--name", "other"]);
    let out = evreg(d, &args);
    assert!(out.status.success(), "{out:?}");
    let out = evreg(d, &["migrate", "back", "--check", "--database-url", &url]);
    assert!(out.status.success(), "{out:?}");
}
