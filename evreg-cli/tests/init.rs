//! `evreg init`: a new catalog that checks clean at once, whose workflow's
//! gates pass as written, and that never overwrites anything.

use std::path::Path;
use std::process::{Command, Output};

fn evreg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(dir)
        .env_remove("EVREG_CATALOG")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_new_catalog_checks_clean_and_its_workflow_passes() {
    let repo = tempfile::tempdir().unwrap();
    let out = evreg(repo.path(), &["init", "events", "--name", "shop \"main\""]);
    assert!(out.status.success(), "{out:?}");
    let manifest = std::fs::read_to_string(repo.path().join("events/catalog.toml")).unwrap();
    assert!(manifest.contains(r#"name = "shop \"main\"""#), "{manifest}");

    let out = evreg(repo.path(), &["check", "events", "--deny-warnings"]);
    assert!(out.status.success(), "{out:?}");

    // Every `run:` step of the workflow, in a git repository holding the
    // catalog (evreg diff reads the last commit), with the binary on PATH.
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(repo.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "catalog"]);
    let workflow =
        std::fs::read_to_string(repo.path().join(".github/workflows/evreg.yml")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_evreg")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut ran = 0;
    for line in workflow.lines() {
        let Some(step) = line.trim_start().strip_prefix("- run: ") else {
            continue;
        };
        if step.starts_with("cargo install") {
            continue;
        }
        let step = step.trim_matches('"');
        let out = Command::new("bash")
            .current_dir(repo.path())
            .env("PATH", &path)
            .env("EVREG_CATALOG", "events")
            .env_remove("GITHUB_BASE_REF")
            .args(["-o", "pipefail", "-c", step])
            .output()
            .unwrap();
        assert!(out.status.success(), "{step}: {out:?}");
        ran += 1;
    }
    assert_eq!(ran, 4, "{workflow}");
}

#[test]
fn init_never_writes_over_a_file() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("catalog");
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::write(dir.join("events/example.toml"), "# mine\n").unwrap();
    std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
    std::fs::write(repo.path().join(".github/workflows/evreg.yml"), "# mine\n").unwrap();

    let out = evreg(repo.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert!(!dir.join("catalog.toml").exists(), "nothing is written");
    assert_eq!(
        std::fs::read_to_string(dir.join("events/example.toml")).unwrap(),
        "# mine\n"
    );

    std::fs::remove_file(dir.join("events/example.toml")).unwrap();
    let out = evreg(repo.path(), &["init"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is left as it is"));
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".github/workflows/evreg.yml")).unwrap(),
        "# mine\n"
    );
    let out = evreg(repo.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2), "a second init: {out:?}");
}
