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
//! - The generated module compiles, holds typed structs where the schemas
//!   refine a shared definition (`allOf: [{$ref}, {…}]`) or choose between
//!   disjoint ones, and its typed reading agrees with the registry on every
//!   example and mutant.
//! - `evreg import jsonschema` makes the same catalog of the folders as
//!   published, with no mapping written by hand.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

use evreg::{Catalog, Registry};
use evreg_tests::github::{corpus, events, mutants, walk, without_bad_examples, write_catalog};
use serde_json::Value;

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

#[test]
fn the_registry_agrees_with_jsonschema_on_the_original_files() {
    let Some(corpus) = corpus() else { return };
    let events = events(&corpus);
    let dir = tempfile::tempdir().unwrap();
    let events = without_bad_examples(events);
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
        let schema_ref = evreg::naming::schema_ref(event_type, 1);
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

/// The generated module in a crate of its own (built with cargo, in
/// `target/scratch` beside docs/codegen.md's crates), whose program reads
/// every example and mutant through `Event::from_value` and the registry.
#[test]
fn the_generated_module_compiles_and_agrees_with_the_registry() {
    let Some(corpus) = corpus() else { return };
    let events = without_bad_examples(events(&corpus));
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog");
    write_catalog(&catalog, &events);
    let generated = evreg_codegen::generate_dir(&catalog).unwrap_or_else(|e| panic!("{e}"));
    let code = &generated.code;

    // What stays `serde_json::Value`: one object whose
    // `additionalProperties: false` leaves no property to its `oneOf`, so
    // that it admits no value at all.
    let sites: Vec<String> = generated.untyped.iter().map(|u| u.to_string()).collect();
    assert_eq!(sites.len(), 1, "{sites:#?}");
    assert!(
        sites[0].contains("/$defs/SecretScanningLocation"),
        "{sites:#?}"
    );
    // A union of two string arrays (event names, or `["*"]`) is one
    // `Vec<String>`, the union checked.
    assert!(code.contains("pub struct WebhookEvents(pub ::std::vec::Vec<::std::string::String>);"));
    // The refined main objects are typed: `issue` of issue_comment.created.
    let issue_comment = code
        .split("pub struct IssueCommentCreatedV1 {")
        .nth(1)
        .unwrap();
    let issue_comment = &issue_comment[..issue_comment.find("\n}").unwrap()];
    assert!(
        issue_comment.contains("pub issue: Issue,"),
        "{issue_comment}"
    );
    assert!(code.contains("pub enum PullRequestRequestedReviewersItem {"));
    // A `uri` or `""`: one `String`, the union checked.
    assert!(code.contains("pub environment_url: ::std::option::Option<::std::string::String>,"));

    let krate = dir.path().join("krate");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(krate.join("events.rs"), code).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"github\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nevreg = {{ path = {:?} }}\nserde_json = \"1\"\n\n\
             [profile.dev.package.\"*\"]\ndebug = \"line-tables-only\"\n\n\
             [profile.dev.package.github]\ndebug = 0\n\n[workspace]\n",
            repo.join("evreg")
        ),
    )
    .unwrap();
    std::fs::copy(repo.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    std::fs::write(krate.join("src/main.rs"), AGREEMENT).unwrap();

    let mut cases = String::new();
    for (event_type, _, examples) in &events {
        let schema_ref = evreg::naming::schema_ref(event_type, 1);
        for example in examples {
            let payload: Value =
                serde_json::from_str(&fs::read_to_string(example).unwrap()).unwrap();
            for mutant in mutants(&payload) {
                let line = serde_json::json!({ "ref": schema_ref, "payload": mutant });
                cases.push_str(&line.to_string());
                cases.push('\n');
            }
        }
    }
    std::fs::write(krate.join("cases.ndjson"), cases).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["run", "--offline", "--quiet", "--", "cases.ndjson"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", repo.join("target/scratch"))
        // Each crate here is built once: incremental state is only cost,
        // and every build of target/scratch says so alike.
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the generated module does not build or disagrees:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<usize> = stdout
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let [compared, accepted] = counts[..] else {
        panic!("{stdout}")
    };
    assert!(compared > 6_000, "{compared} payloads compared");
    assert!(
        accepted > 200 && accepted < compared / 2,
        "{accepted} accepted"
    );
}

/// The program of the crate: reads `{"ref", "payload"}` lines, compares the
/// typed reading (deserialize + `validate()`) with the registry's verdict,
/// and, for each payload it accepts, checks that the payload written again
/// by its Rust type is still valid; prints the payloads compared and accepted.
const AGREEMENT: &str = r#"
#[allow(dead_code, clippy::all)]
mod events {
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/events.rs"));
}

fn main() {
    let path = std::env::args().nth(1).expect("a file of cases");
    let registry = events::registry();
    let (mut compared, mut accepted, mut wrong) = (0, 0, 0);
    for line in std::fs::read_to_string(path).expect("the cases").lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("a case");
        let name = case["ref"].as_str().expect("a ref");
        let payload = &case["payload"];
        let typed = events::Event::from_value(name, payload.clone());
        let valid = registry.validate(name, payload).is_ok();
        compared += 1;
        if typed.is_ok() != valid {
            wrong += 1;
            eprintln!("{name}: typed {:?}, registry says valid = {valid}: {payload}", typed.err());
            continue;
        }
        if let Ok(event) = typed {
            accepted += 1;
            let written = event.to_value().expect("writes");
            if let Err(e) = registry.validate(name, &written) {
                wrong += 1;
                eprintln!("{name}: written again, it is invalid: {e}");
            }
        }
    }
    println!("{compared} {accepted}");
    if wrong > 0 {
        eprintln!("{wrong} disagreements");
        std::process::exit(1);
    }
}
"#;

#[test]
fn import_makes_the_hand_written_mapping_of_the_folders_as_published() {
    let Some(corpus) = corpus() else { return };
    let schemas = corpus.join("payload-schemas/api.github.com");
    let examples = corpus.join("payload-examples/api.github.com");
    let out_dir = tempfile::tempdir().unwrap();
    let catalog = out_dir.path().join("github");
    let out = Command::cargo_bin("evreg")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("import")
        .arg("jsonschema")
        .arg(&schemas)
        .arg("--examples")
        .arg(&examples)
        .arg(&catalog)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 1: the corpus's two examples whose date-times are not RFC 3339.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("224 payload schemas (224 events), 67 shared schemas"),
        "{stderr}"
    );
    assert!(stderr.contains("matched 273 examples"), "{stderr}");
    assert!(
        stderr.contains(
            "annotations (words that are no JSON Schema keyword): tsAdditionalProperties"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("not imported"), "{stderr}");

    // Its only errors are those two examples'.
    let report = Catalog::check(&catalog);
    let mut bad_files: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            assert_eq!(d.code, "example-invalid", "{d:?}");
            let span = d.primary.as_ref().unwrap().span;
            let path = report.sources.get(span.file).path().to_path_buf();
            path.strip_prefix(&examples).unwrap().display().to_string()
        })
        .collect();
    bad_files.dedup();
    assert_eq!(
        bad_files,
        [
            "check_run/rerequested.payload.json",
            "check_run/rerequested.with-organization.payload.json"
        ]
    );

    // The same events, schema files and examples as the mapping written by
    // hand for these tests (examples matched by their `action`), and one more.
    let imported = Catalog::check_schemas(&catalog)
        .catalog
        .expect("schemas load");
    let by_type: BTreeMap<&str, &evreg::Event> = imported
        .events()
        .iter()
        .map(|e| (e.event_type.as_str(), e))
        .collect();
    let expected = events(&corpus);
    assert_eq!(by_type.len(), expected.len());
    for (event_type, schema, example_files) in &expected {
        let event = by_type[event_type.as_str()];
        let [version] = event.versions.as_slice() else {
            panic!("{event_type}: one version")
        };
        assert_eq!(&version.schema_file, schema, "{event_type}");
        // The one example the hand-written mapping leaves out: its `action`
        // is the dispatcher's own word, and its folder has one schema.
        let dispatched = examples.join("repository_dispatch/payload.json");
        let extra = (event_type == "repository_dispatch.event").then_some(&dispatched);
        let mut want: Vec<Value> = example_files
            .iter()
            .chain(extra)
            .map(|f| serde_json::from_str(&fs::read_to_string(f).unwrap()).unwrap())
            .collect();
        let mut got: Vec<Value> = version.examples.iter().map(|e| e.payload.clone()).collect();
        want.sort_by_key(Value::to_string);
        got.sort_by_key(Value::to_string);
        assert!(want == got, "{event_type}: examples differ");
    }
}
