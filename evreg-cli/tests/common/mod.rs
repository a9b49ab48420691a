//! What the CLI's test files share (each includes it with `mod common;`).

use std::path::Path;
use std::process::{Command, Output};

/// `evreg ARGS` run in `dir`, without colors and without an
/// `EVREG_CATALOG` from the environment.
pub fn evreg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(dir)
        .env_remove("EVREG_CATALOG")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}
