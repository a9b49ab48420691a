//! `evreg export jsonschema`: one self-contained schema per payload version
//! and an index, in each file's own draft or the one asked for; `--check`
//! finds drift; a new export removes only the files an earlier one listed.
//! (Real validators read the exports in tests/tests/typescript.rs.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::evreg;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_version_is_one_file_listed_in_the_index() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().to_str().unwrap();
    let run = evreg(&repo(), &["export", "jsonschema", "catalog", "-o", out]);
    assert!(run.status.success(), "{}", stderr(&run));
    let catalog = evreg_core::Catalog::load(repo().join("catalog")).unwrap();
    let index = json(&out_dir.path().join("index.json"));
    assert_eq!(index["catalog"], "acme");
    let listed = index["schemas"].as_array().unwrap();
    assert_eq!(listed.len(), catalog.versions().count());
    for ((event, version), entry) in catalog.versions().zip(listed) {
        assert_eq!(entry["type"], event.event_type.as_str());
        assert_eq!(entry["version"], version.version);
        assert_eq!(entry["ref"], version.schema_ref.as_str());
        assert_eq!(entry["status"], event.status.as_str());
        assert_eq!(entry["replaced_by"].as_str(), event.replaced_by.as_deref());
        // The fingerprint catalog.lock records for the version.
        assert_eq!(
            entry["fingerprint"],
            evreg_core::fingerprint::fingerprint(&version.schema)
        );
        let file = entry["file"].as_str().unwrap();
        assert_eq!(file, format!("{}.json", version.schema_ref));
        let schema = json(&out_dir.path().join(file));
        // The shipped catalog is 2020-12 throughout: the bundle as it is.
        assert_eq!(schema, version.schema, "{file}");
        assert_eq!(
            schema.as_object().unwrap().keys().next().unwrap(),
            "$schema",
            "{file}"
        );
    }
    assert!(
        stderr(&run).contains(&format!(
            "exported {} schemas to `{out}`: {} written, 0 unchanged",
            listed.len(),
            listed.len() + 1
        )),
        "{}",
        stderr(&run)
    );
    // The same catalog, the same bytes.
    let again = tempfile::tempdir().unwrap();
    let run = evreg(
        &repo(),
        &[
            "export",
            "jsonschema",
            "catalog",
            "-o",
            again.path().to_str().unwrap(),
        ],
    );
    assert!(run.status.success());
    for entry in fs::read_dir(out_dir.path()).unwrap() {
        let entry = entry.unwrap();
        assert_eq!(
            fs::read(entry.path()).unwrap(),
            fs::read(again.path().join(entry.file_name())).unwrap()
        );
    }
}

/// A draft-07 catalog: its schemas exported in draft-07 by default (with
/// `definitions`, `dependencies` and tuples as draft-07 has them), and in
/// 2020-12 on request.
#[test]
fn schemas_keep_their_draft_unless_asked() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    fs::create_dir_all(root.join("cat/schemas")).unwrap();
    fs::write(
        root.join("cat/catalog.toml"),
        "name = \"shop\"\n\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    fs::write(
        root.join("cat/events.toml"),
        "[[events]]\ntype = \"ORDER_PLACED\"\nname = \"Order placed\"\ndescription = \"d\"\ncategory = \"orders\"\n\n\
         [[events.versions]]\nversion = 1\nschema = \"schemas/order.json\"\n",
    )
    .unwrap();
    let source = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "line": {"$ref": "#/definitions/Line"},
            "pair": {"type": "array", "items": [{"type": "string"}], "additionalItems": false},
            "coupon": {"type": "string"}
        },
        "dependencies": {"coupon": ["line"]},
        "definitions": {"Line": {"type": "object", "properties": {"sku": {"type": "string"}}}}
    });
    fs::write(root.join("cat/schemas/order.json"), source.to_string()).unwrap();
    let run = evreg(root, &["export", "jsonschema", "cat", "-o", "out"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(json(&root.join("out/payload.OrderPlaced.v1.json")), source);
    let run = evreg(
        root,
        &[
            "export",
            "jsonschema",
            "cat",
            "-o",
            "new",
            "--draft",
            "2020-12",
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let latest = json(&root.join("new/payload.OrderPlaced.v1.json"));
    assert_eq!(
        latest["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(latest["properties"]["line"]["$ref"], "#/$defs/Line");
    assert_eq!(
        latest["properties"]["pair"]["prefixItems"],
        serde_json::json!([{"type": "string"}])
    );
    assert_eq!(
        latest["dependentRequired"],
        serde_json::json!({"coupon": ["line"]})
    );
    let index = json(&root.join("new/index.json"));
    assert_eq!(
        index["schemas"][0]["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // What draft-06 cannot say is an error naming it, and nothing is written.
    fs::write(
        root.join("cat/schemas/order.json"),
        r#"{"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}}"#,
    )
    .unwrap();
    let run = evreg(
        root,
        &[
            "export",
            "jsonschema",
            "cat",
            "-o",
            "six",
            "--draft",
            "draft-06",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains(
            "error[export-draft]: `payload.OrderPlaced.v1` uses `if` (at the root), which draft-06 has no words for"
        ),
        "{err}"
    );
    assert!(
        err.contains("export in a later draft: `--draft 2020-12`"),
        "{err}"
    );
    assert!(!root.join("six").exists());
    let run = evreg(
        root,
        &[
            "export",
            "jsonschema",
            "cat",
            "-o",
            "x",
            "--draft",
            "draft-5",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("`draft-5` is no draft"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn check_finds_drift_and_an_export_removes_only_its_own_files() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("schemas");
    let out_str = out.to_str().unwrap();
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "jsonschema", "catalog", "-o", out_str];
        args.extend_from_slice(extra);
        evreg(&repo(), &args)
    };
    let run = export(&["--check"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("index.json` does not exist"),
        "{}",
        stderr(&run)
    );
    assert!(!out.exists(), "--check writes nothing");
    assert!(export(&[]).status.success());
    let run = export(&["--check"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("is up to date with the catalog"));

    // A stale file: a diff, exit 1.
    let file = out.join("payload.TicketCreated.v1.json");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("\"title\"", "\"titel\"")).unwrap();
    let run = export(&["--check"]);
    assert_eq!(run.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&run.stdout);
    assert!(diff.contains("-") && diff.contains("titel"), "{diff}");
    assert!(
        stderr(&run).contains("payload.TicketCreated.v1.json` is stale"),
        "{}",
        stderr(&run)
    );

    // A version that left the catalog (listed by the last index) goes; the
    // team's own files stay.
    let mut index = json(&out.join("index.json"));
    let gone = serde_json::json!({"ref": "payload.Gone.v1", "file": "payload.Gone.v1.json"});
    index["schemas"].as_array_mut().unwrap().push(gone);
    index["schemas"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"file": "../outside.json"}));
    fs::write(out.join("index.json"), index.to_string()).unwrap();
    fs::write(out.join("payload.Gone.v1.json"), "{}").unwrap();
    fs::write(out.join("README.md"), "ours").unwrap();
    fs::write(work.path().join("outside.json"), "{}").unwrap();
    let run = export(&["--check"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("payload.Gone.v1.json` is a schema that is no longer in the catalog"),
        "{}",
        stderr(&run)
    );
    let run = export(&[]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("1 removed (no longer in the catalog)"),
        "{}",
        stderr(&run)
    );
    assert!(!out.join("payload.Gone.v1.json").exists());
    assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "ours");
    assert!(work.path().join("outside.json").exists());
    assert!(export(&["--check"]).status.success());
}

#[test]
fn typescript_is_a_folder_written_and_checked_like_the_rust_module() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("ts");
    let out_str = out.to_str().unwrap();
    let generate = |extra: &[&str]| {
        let mut args = vec!["generate", "catalog", "--lang", "typescript"];
        args.extend_from_slice(extra);
        evreg(&repo(), &args)
    };
    let run = generate(&[]);
    assert_eq!(run.status.code(), Some(2), "a folder must be named");
    assert!(stderr(&run).contains("--output <PATH>"), "{}", stderr(&run));
    let run = generate(&["-o", out_str]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).starts_with(&format!("wrote 3 of 3 files to `{out_str}`")),
        "{}",
        stderr(&run)
    );
    let names: std::collections::BTreeSet<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["events.ts", "runtime.ts", "schemas.ts"]
    );
    let events = fs::read_to_string(out.join("events.ts")).unwrap();
    assert!(events.starts_with("// @generated by evreg from the catalog `acme`"));
    assert!(events.contains("export type TicketCreatedV1 = {"));
    let again = generate(&["-o", out_str]);
    assert!(
        stderr(&again).starts_with("wrote 0 of 3 files"),
        "{}",
        stderr(&again)
    );
    let run = generate(&["-o", out_str, "--check"]);
    assert!(run.status.success(), "{}", stderr(&run));
    fs::write(
        out.join("events.ts"),
        events.replace("title: string;", "title: number;"),
    )
    .unwrap();
    let run = generate(&["-o", out_str, "--check"]);
    assert_eq!(run.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&run.stdout);
    assert!(
        diff.contains("-  title: number;") && diff.contains("+  title: string;"),
        "{diff}"
    );
    assert!(
        stderr(&run).contains(&format!(
            "run `evreg generate catalog --lang typescript -o {out_str}`"
        )),
        "{}",
        stderr(&run)
    );
}
