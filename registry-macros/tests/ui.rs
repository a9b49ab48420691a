//! The compile errors of `#[derive(EventPayload)]` and `#[derive(CatalogType)]`,
//! one file per kind of disagreement with the catalog (tests/ui/*.rs), each
//! with its exact message and span committed next to it (`.stderr`).
//! Regenerate with `TRYBUILD=overwrite cargo test -p evreg-tests --test ui`.

#[test]
fn derive_errors() {
    // trybuild compiles the cases in a copy of this crate under target/; the
    // derives read catalog paths relative to this folder instead.
    // SAFETY: this test binary has this one test, and nothing else reads the
    // environment while it is set.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("EVREG_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"));
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
