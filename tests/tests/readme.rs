//! The README's quick start for a team's own catalog, run as written: its
//! shell block, in an empty folder, with the `evreg` program on `PATH` (what
//! `cargo install --path evreg-cli` puts there).

use std::path::Path;
use std::process::Command;

#[test]
fn the_quick_start_works_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let heading = readme
        .find("## Install the program, start your own catalog")
        .expect("the README has its quick start");
    let after = &readme[heading..];
    let install = after.find("```sh\n").unwrap() + 6;
    let install_block = &after[install..install + after[install..].find("```").unwrap()];
    assert!(
        install_block.contains("cargo install --path evreg-cli"),
        "{install_block}"
    );
    let rest = &after[install..];
    let start = rest
        .find("The smallest one")
        .expect("the quick start's catalog");
    let rest = &rest[start..];
    let open = rest.find("```sh\n").unwrap() + 6;
    let script = &rest[open..open + rest[open..].find("\n```").unwrap()];

    let work = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("evreg"),
        bin.path().join("evreg"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(work.path())
        .env("PATH", path)
        .env_remove("EVREG_CATALOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the quick start fails:\n{stderr}");
    assert!(
        stderr.contains("checked `my-catalog` (shop): 1 event, 1 payload version"),
        "{stderr}"
    );
    let module = std::fs::read_to_string(work.path().join("src/events.rs")).unwrap();
    assert!(module.contains("pub struct OrderPlacedV1"), "{module}");
}
