//! TypeScript generation on the fixture catalogs: one snapshot of the
//! types and one of the Zod schemas per catalog (each mapping rule visible,
//! docs/typescript.md's table), the same bytes on every run, and a clear
//! error for what has no form. tests/tests/typescript.rs compiles the output
//! with tsc and runs it in Node.

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/codegen")
        .join(name)
}

fn generate(name: &str) -> Vec<evreg_codegen::output::File> {
    let catalog = evreg_core::Catalog::load(fixture(name)).unwrap_or_else(|e| panic!("{e}"));
    evreg_codegen::typescript::generate(&catalog).unwrap_or_else(|d| panic!("{d:?}"))
}

macro_rules! snapshot {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let files = generate(stringify!($name));
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, ["events.ts", "schemas.ts", "runtime.ts"]);
            insta::assert_snapshot!(concat!(stringify!($name), "_events"), files[0].contents);
            insta::assert_snapshot!(concat!(stringify!($name), "_schemas"), files[1].contents);
            assert!(files[2].contents.ends_with(evreg_codegen::typescript::RUNTIME));
            assert_eq!(files, generate(stringify!($name)), "the same bytes on every run");
        }
    )*};
}

snapshot!(
    minimal,
    enums,
    nested,
    combinators,
    constraints,
    strings,
    recursive,
    conditionals
);

#[test]
fn what_has_no_form_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog.toml"),
        "name = \"u\"\n\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("events.toml"),
        "[[events]]\ntype = \"A_HAPPENED\"\nname = \"A\"\ndescription = \"d\"\ncategory = \"c\"\n\n\
         [[events.versions]]\nversion = 1\nschema = { type = \"object\", properties = { tags = { type = \"object\", unevaluatedProperties = false } } }\n",
    )
    .unwrap();
    let catalog = evreg_core::Catalog::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let errors = evreg_codegen::typescript::generate(&catalog).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "typescript-unsupported");
    assert_eq!(
        errors[0].message,
        "`payload.AHappened.v1` uses `unevaluatedProperties` (at `/properties/tags`), which evreg cannot say in TypeScript and Zod yet"
    );
}
