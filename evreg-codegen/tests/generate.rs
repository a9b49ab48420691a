//! Code generation on the fixture catalogs: one snapshot per catalog (each
//! mapping rule visible), deterministic output, and clear errors for what
//! cannot be generated. The snapshots' code is compiled and exercised by the
//! `evreg-tests` crate (`tests/src/lib.rs`).

use std::path::{Path, PathBuf};

fn fixture(group: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(group)
        .join(name)
}

fn generate(name: &str) -> String {
    let catalog =
        evreg_core::Catalog::load(fixture("codegen", name)).unwrap_or_else(|e| panic!("{e}"));
    evreg_codegen::generate(&catalog).unwrap_or_else(|d| panic!("{d:?}"))
}

macro_rules! snapshot {
    ($($name:ident => $dir:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), generate($dir));
        }
    )*};
}

snapshot! {
    minimal => "minimal",
    enums => "enums",
    nested => "nested",
    combinators => "combinators",
    constraints => "constraints",
    strings => "strings",
    recursive => "recursive",
    conditionals => "conditionals",
}

#[test]
fn every_fixture_has_a_snapshot() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixture("codegen", ""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(
        dirs,
        [
            "combinators",
            "conditionals",
            "constraints",
            "enums",
            "minimal",
            "nested",
            "recursive",
            "strings"
        ]
    );
}

#[test]
fn output_is_deterministic_and_independent_of_the_catalog_location() {
    let first = generate("nested");
    assert_eq!(first, generate("nested"));
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&fixture("codegen", "nested"), copy.path());
    let catalog = evreg_core::Catalog::load(copy.path()).unwrap();
    assert_eq!(evreg_codegen::generate(&catalog).unwrap(), first);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn rust_keywords_become_raw_identifiers_with_their_wire_names() {
    let code = generate("minimal");
    assert!(code.contains("pub r#type: ::std::string::String"), "{code}");
    assert!(code.contains("pub r#ref: ::std::option::Option<"), "{code}");
    assert!(code.contains("rename = \"self\""), "{code}");
    assert!(code.contains("pub self_: ::std::option::Option<"), "{code}");
}

/// Every keyword of Rust (strict, reserved and weak, in every edition) as a
/// property, as a string enum value, and as a shared and a local definition
/// (once `Self` became an enum variant or a type and the module did not
/// parse, an unlocated `codegen-bug`). `check` raises nothing and
/// `generate` succeeds, which includes parsing the module.
#[test]
fn every_rust_keyword_is_a_name_the_module_can_hold() {
    const KEYWORDS: &[&str] = &[
        "as",
        "break",
        "const",
        "continue",
        "crate",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "unsafe",
        "use",
        "where",
        "while",
        "async",
        "await",
        "dyn",
        "abstract",
        "become",
        "box",
        "do",
        "final",
        "macro",
        "override",
        "priv",
        "typeof",
        "unsized",
        "virtual",
        "yield",
        "try",
        "gen",
        "union",
        "macro_rules",
        "raw",
        "safe",
        "_",
    ];
    let object = |name: &str| serde_json::json!({"type": "object", "properties": {name: {"type": "string"}}});
    // `self` and `Self` are one field and one variant apart from case:
    // `Self` gets a struct and an enum of its own.
    let lower: Vec<&str> = KEYWORDS.iter().copied().filter(|k| *k != "Self").collect();
    let properties: serde_json::Map<String, serde_json::Value> = lower
        .iter()
        .map(|k| (k.to_string(), serde_json::json!({"type": "string"})))
        .chain([
            (
                "kind".to_owned(),
                serde_json::json!({"type": "string", "enum": lower}),
            ),
            (
                "kinds".to_owned(),
                serde_json::json!({"type": "string", "enum": ["Self", "x"]}),
            ),
            (
                "shared".to_owned(),
                serde_json::json!({"$ref": "shared.json#/$defs/Self"}),
            ),
            (
                "local".to_owned(),
                serde_json::json!({"$ref": "#/$defs/Self"}),
            ),
            (
                "other".to_owned(),
                serde_json::json!({"$ref": "#/$defs/crate"}),
            ),
        ])
        .collect();
    let schema = serde_json::json!({
        "type": "object",
        "properties": properties,
        "$defs": {"Self": object("self"), "crate": object("Self")},
    });
    let shared = serde_json::json!({"$defs": {"Self": object("super")}});
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("events")).unwrap();
    std::fs::write(
        dir.path().join("catalog.toml"),
        "name = \"keywords\"\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("payload.json"), schema.to_string()).unwrap();
    std::fs::write(dir.path().join("shared.json"), shared.to_string()).unwrap();
    std::fs::write(
        dir.path().join("events/e.toml"),
        "[[events]]\ntype = \"KEYWORDS_SEEN\"\nname = \"n\"\ndescription = \"d\"\n\
         category = \"c\"\n\n[[events.versions]]\nversion = 1\nschema = \"../payload.json\"\n",
    )
    .unwrap();
    let catalog = evreg_core::Catalog::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let problems = evreg_codegen::rust::check(&catalog);
    assert!(problems.is_empty(), "{problems:#?}");
    let code = evreg_codegen::generate(&catalog).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(code.contains("pub struct Self_ {"), "{code}");
    assert!(code.contains("pub struct KeywordsSeenV1Self {"), "{code}");
    assert!(code.contains("    Self_,"), "{code}");
}

fn errors_of(name: &str) -> Vec<evreg_core::Diagnostic> {
    let catalog = evreg_core::Catalog::load(fixture("codegen-errors", name)).unwrap();
    evreg_codegen::generate(&catalog).expect_err("generation must fail")
}

#[test]
fn colliding_type_names_are_an_error_naming_both_sources() {
    let errors = errors_of("type-collision");
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.code, "rust-name-collision");
    assert_eq!(
        e.message,
        "two generated Rust types are named `ItemShippedV1BoxSize`"
    );
    assert!(
        e.notes[0].contains("/properties/box/properties/size"),
        "{:?}",
        e.notes
    );
    assert!(e.notes[1].contains("/properties/boxSize"), "{:?}", e.notes);
    // The same error from `evreg check`, so CI catches it before generation.
    assert_eq!(
        errors,
        evreg_codegen::rust::check(
            &evreg_core::Catalog::load(fixture("codegen-errors", "type-collision")).unwrap()
        )
    );
}

#[test]
fn a_bus_type_name_is_reserved() {
    let errors = errors_of("reserved-name");
    assert_eq!(errors[0].code, "rust-name-collision");
    assert!(
        errors[0].message.contains("`EventType`"),
        "{}",
        errors[0].message
    );
}

#[test]
fn builder_writes_only_when_changed_and_reports_catalog_errors() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("events.rs");
    let mut builder = evreg_codegen::Builder::new(fixture("codegen", "minimal"));
    builder.out_file(&file).cargo_metadata(false);
    builder.compile().unwrap();
    let written = std::fs::metadata(&file).unwrap().modified().unwrap();
    builder.compile().unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        written
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), generate("minimal"));

    let err = evreg_codegen::Builder::new(fixture("codegen-errors", "type-collision"))
        .out_file(out.path().join("x.rs"))
        .cargo_metadata(false)
        .compile()
        .unwrap_err()
        .to_string();
    assert!(err.contains("rust-name-collision"), "{err}");
    assert!(err.contains("events.toml:7:1"), "{err}");
}

#[test]
fn the_benchmarked_text_pipeline_prints_the_same_code() {
    let catalog = evreg_core::Catalog::load(fixture("codegen", "nested")).unwrap();
    assert_eq!(
        evreg_codegen::rust::generate_reparsing_text(&catalog).unwrap(),
        evreg_codegen::generate(&catalog).unwrap()
    );
}
