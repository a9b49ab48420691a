//! docs/codegen.md's three ways in, as a new user meets them: a new crate
//! whose `Cargo.toml` holds exactly the lines the page shows (`<!-- way: … -->`
//! blocks), whose files are the page's Rust blocks, built with cargo. The
//! published versions are replaced by this checkout's crates with
//! `[patch.crates-io]`, so the lines themselves stay as written.
//!
//! The crates share a target folder of their own (`target/scratch`): cargo
//! locks a target folder for the whole `cargo test` run, and sharing one
//! folder lets the three builds share their dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The first fenced block of `lang` after `<!-- way: {way} -->`, and the first
/// `rust,ignore` block after that.
fn way(page: &str, way: &str) -> (String, String) {
    let marker = format!("<!-- way: {way} -->");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/codegen.md has no `{marker}`"));
    let rest = &page[at..];
    let block = |text: &str, fence: &str| -> (String, usize) {
        let start = text
            .find(fence)
            .unwrap_or_else(|| panic!("no {fence} block after {marker}"))
            + fence.len();
        let end = start + text[start..].find("\n```").unwrap();
        (text[start..end].trim_start_matches('\n').to_owned(), end)
    };
    let (toml, end) = block(rest, "```toml\n");
    let (rust, _) = block(&rest[end..], "```rust,ignore\n");
    (toml, rust)
}

/// A Rust block split into files at its `// path` header lines.
fn files(rust: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in rust.lines() {
        if let Some(path) = line
            .strip_prefix("// ")
            .filter(|p| p.ends_with(".rs") && !p.contains(' '))
        {
            files.push((path.to_owned(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    assert!(!files.is_empty(), "a Rust block without a `// file` header");
    files
}

/// A new crate `shop` in `dir` with the page's lines for `way`, the files of
/// its Rust block, and a catalog.
fn scratch(dir: &Path, way_name: &str) {
    let page = std::fs::read_to_string(repo().join("docs/codegen.md")).unwrap();
    let (lines, rust) = way(&page, way_name);
    let repo = repo();
    let patch: String = [
        "evreg",
        "evreg-core",
        "evreg-codegen",
        "evreg-macros",
        "evreg-bus",
    ]
    .iter()
    .map(|c| format!("{c} = {{ path = {:?} }}\n", repo.join(c)))
    .collect();
    let manifest = format!(
        "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         {lines}\n\n[patch.crates-io]\n{patch}\n\
         # The workspace's profile, so that dependencies build the same way.\n\
         [profile.dev.package.\"*\"]\ndebug = \"line-tables-only\"\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    // The workspace's versions: no registry query, and builds shared.
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for (path, text) in files(&rust) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // What the generated code is used for: a payload type and the registry.
    let lib = dir.join("src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str(
        "\npub fn note_ref() -> &'static str {\n    \
         <events::NoteAddedV1 as evreg::EventPayload>::SCHEMA_REF\n}\n\n\
         pub fn schemas() -> usize {\n    events::registry().len()\n}\n",
    );
    std::fs::write(&lib, text).unwrap();
    evreg_tests::copy_dir(
        &repo.join("tests/fixtures/codegen/minimal"),
        &dir.join("catalog"),
    );
}

fn cargo_build(dir: &Path) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo().join("target/scratch"))
        // Each crate here is built once: incremental state is only cost,
        // and every build of target/scratch says so alike.
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

fn assert_builds(dir: &Path) {
    let out = cargo_build(dir);
    assert!(
        out.status.success(),
        "the scratch crate does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Breaks the catalog with an unknown key; returns what cargo printed.
fn build_broken(dir: &Path) -> String {
    let events = dir.join("catalog/events/events.toml");
    let text = std::fs::read_to_string(&events).unwrap();
    std::fs::write(
        &events,
        text.replacen(
            "name = \"Note added\"\n",
            "name = \"Note added\"\nsummry = \"A note.\"\n",
            1,
        ),
    )
    .unwrap();
    let out = cargo_build(dir);
    assert!(!out.status.success(), "a broken catalog builds");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The problem, shown as `evreg check` shows it: code, file:line:col and the
/// source line; not a struct, a panic or a backtrace.
fn assert_readable(stderr: &str) {
    for wanted in [
        "the catalog in `catalog` has 1 error",
        "error[unknown-key]: unknown key `summry` in [[events]]",
        "catalog/events/events.toml:4:1",
        "summry = \"A note.\"",
        "expected one of: type, name, description",
    ] {
        assert!(stderr.contains(wanted), "no `{wanted}` in:\n{stderr}");
    }
    for unwanted in ["Catalog {", "panicked", "stack backtrace", "\\n"] {
        assert!(!stderr.contains(unwanted), "`{unwanted}` in:\n{stderr}");
    }
}

#[test]
fn build_rs_from_the_documented_lines() {
    let dir = tempfile::tempdir().unwrap();
    scratch(dir.path(), "build.rs");
    assert!(
        dir.path().join("build.rs").exists(),
        "the page shows build.rs"
    );
    assert_builds(dir.path());
    assert_readable(&build_broken(dir.path()));
}

#[test]
fn include_catalog_from_the_documented_lines() {
    let dir = tempfile::tempdir().unwrap();
    scratch(dir.path(), "include_catalog");
    assert_builds(dir.path());
    let stderr = build_broken(dir.path());
    assert_readable(&stderr);
    // Pinned to the macro's argument.
    assert!(
        stderr.contains("evreg::include_catalog!(\"catalog\")"),
        "{stderr}"
    );
}

#[test]
fn a_checked_in_file_from_the_documented_lines() {
    let dir = tempfile::tempdir().unwrap();
    scratch(dir.path(), "generate");
    let page = std::fs::read_to_string(repo().join("docs/codegen.md")).unwrap();
    let command = page
        .lines()
        .find_map(|l| l.strip_prefix("$ evreg generate catalog -o src/events.rs"))
        .map(|_| ["generate", "catalog", "-o", "src/events.rs"])
        .expect("docs/codegen.md shows `evreg generate catalog -o src/events.rs`");
    let out = Command::new(assert_cmd::cargo::cargo_bin("evreg"))
        .args(command)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_builds(dir.path());
}
