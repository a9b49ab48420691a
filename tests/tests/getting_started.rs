//! docs/getting-started.md, done as a new user does it: in an empty
//! folder, every `sh run` block's commands in order (with the `evreg` under
//! test on the PATH) and every `file=` block written where it says, the
//! service built with cargo against this checkout's crates
//! (`[patch.crates-io]`, as tests/tests/scratch.rs does).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The page's fenced blocks in order: (info string, body).
fn blocks(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in page.lines() {
        match &mut current {
            Some((_, body)) if !line.starts_with("```") => {
                body.push_str(line);
                body.push('\n');
            }
            Some(_) => out.extend(current.take()),
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    current = Some((info.to_owned(), String::new()));
                }
            }
        }
    }
    out
}

#[test]
fn every_step_of_getting_started_md_works() {
    let page = std::fs::read_to_string(repo().join("docs/getting-started.md")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let bin = assert_cmd::cargo::cargo_bin("evreg");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (mut commands, mut files) = (0, 0);
    let mut ran = String::new();
    for (info, body) in blocks(&page) {
        if let Some(name) = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            let mut text = body.clone();
            if name == "Cargo.toml" {
                // This checkout's crates for the published ones, built offline
                // with the workspace's versions, in a target folder of their own.
                let repo = repo();
                for krate in [
                    "evreg",
                    "evreg-core",
                    "evreg-codegen",
                    "evreg-macros",
                    "evreg-bus",
                ] {
                    if !text.contains("[patch.crates-io]") {
                        text.push_str("\n[patch.crates-io]\n");
                    }
                    text.push_str(&format!("{krate} = {{ path = {:?} }}\n", repo.join(krate)));
                }
                text.push_str(
                    "\n[profile.dev.package.\"*\"]\ndebug = \"line-tables-only\"\n\n[workspace]\n",
                );
                std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
            }
            let file = dir.join(name);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, text).unwrap();
            files += 1;
            continue;
        }
        if info.trim() != "sh run" {
            continue;
        }
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let out = Command::new("bash")
                .args(["-euo", "pipefail", "-c", line])
                .current_dir(dir)
                .env("PATH", &path)
                .env_remove("EVREG_CATALOG")
                .env("NO_COLOR", "1")
                .env("CARGO_TARGET_DIR", repo().join("target/scratch"))
                // Each crate here is built once: incremental state is only cost,
                // and every build of target/scratch says so alike.
                .env("CARGO_INCREMENTAL", "0")
                .env("CARGO_NET_OFFLINE", "true")
                .env_remove("RUSTFLAGS")
                .env("GIT_AUTHOR_NAME", "New User")
                .env("GIT_AUTHOR_EMAIL", "new.user@example.org")
                .env("GIT_COMMITTER_NAME", "New User")
                .env("GIT_COMMITTER_EMAIL", "new.user@example.org")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "`{line}` failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran.push_str(&String::from_utf8_lossy(&out.stdout));
            commands += 1;
        }
    }
    assert!(
        commands >= 10 && files >= 4,
        "{commands} commands, {files} files"
    );
    // What the service printed: the typed order, and the refusal's reasons.
    assert!(
        ran.contains(
            "payload.OrderPlaced.v1 for 1299 cents (0b9e4a4c-4a52-4c5e-9d43-31b0f0f4d1a2)"
        ),
        "{ran}"
    );
    for reason in ["refused:", "/orderId", "/totalCents", "/currency"] {
        assert!(ran.contains(reason), "{reason}: {ran}");
    }
    assert!(dir.join("catalog/catalog.lock").is_file());
}
