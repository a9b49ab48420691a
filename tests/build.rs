//! The shipped catalog's module through `evreg_codegen::Builder`, the
//! `build.rs` front door; `tests/generate.rs` proves it is byte-identical to
//! the other two.

fn main() -> Result<(), evreg_codegen::BuildError> {
    evreg_codegen::Builder::new("../catalog")
        .file_name("acme.rs")
        .compile()?;
    Ok(())
}
