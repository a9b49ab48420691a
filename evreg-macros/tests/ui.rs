//! The compile errors of `#[derive(EventPayload)]` and `#[derive(CatalogType)]`,
//! one file per kind of disagreement with the catalog (tests/ui/*.rs), each
//! with its exact message and span committed next to it (`.stderr`).
//! Regenerate with `TRYBUILD=overwrite cargo test -p evreg-macros --test ui`.

#[test]
fn derive_errors() {
    // trybuild compiles the cases in a copy of this crate under target/; the
    // derives read catalog paths relative to the workspace's tests/ folder
    // (where the fixture catalogs are) instead.
    // SAFETY: this test binary has this one test, and nothing else reads the
    // environment while it is set.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var(
            "EVREG_MANIFEST_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../tests"),
        );
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
