//! `cargo bench -p evreg-codegen`: generating the shipped catalog's module,
//! and the same with the pipeline evreg avoids (every token printed to text
//! and parsed again by `syn::parse_file` before `prettyplease` formats it).
//! `EVREG_BENCH_CATALOG=DIR` benchmarks another catalog (e.g. one written by
//! `xtask gen-catalog`).

use std::sync::LazyLock;

use evreg_core::Catalog;

fn main() {
    divan::main();
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let dir = std::env::var("EVREG_BENCH_CATALOG")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog").to_owned());
    Catalog::load(dir).expect("catalog loads")
});

#[divan::bench(sample_count = 10)]
fn generate() -> usize {
    evreg_codegen::generate(&CATALOG).unwrap().len()
}

#[divan::bench(sample_count = 10)]
fn generate_reparsing_text() -> usize {
    evreg_codegen::rust::generate_reparsing_text(&CATALOG)
        .unwrap()
        .len()
}
