//! `evreg init`: a new catalog that checks clean at once, whose workflow's
//! gates pass as written, and that never overwrites anything.

use std::path::Path;
use std::process::Command;

mod common;
use common::evreg;

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

/// `evreg new event` and `evreg new version` on a catalog of two events in
/// one file: each result checks clean with --deny-warnings, a version lands
/// after its own event's last version (not at the end of the file), and
/// nothing is written twice.
#[test]
fn new_events_and_versions_check_clean() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    assert!(evreg(r, &["init", "--no-workflow"]).status.success());
    assert!(!r.join(".github").exists());
    // A second event in the same file, after the first.
    let out = evreg(
        r,
        &[
            "new",
            "event",
            "order.placed",
            "--file",
            "catalog/events/example.toml",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let example: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(r.join("catalog/examples/order-placed.v1.json")).unwrap(),
    )
    .unwrap();
    assert!(
        example["tenantId"].is_string() && example["occurredAt"].is_string(),
        "{example}"
    );

    let out = evreg(r, &["new", "version", "EXAMPLE_CREATED"]);
    assert!(out.status.success(), "{out:?}");
    let events = std::fs::read_to_string(r.join("catalog/events/example.toml")).unwrap();
    let v2 = events.find("version = 2").unwrap();
    let second = events.find("type = \"order.placed\"").unwrap();
    assert!(v2 < second, "v2 belongs to EXAMPLE_CREATED:\n{events}");
    assert_eq!(
        std::fs::read(r.join("catalog/schemas/example-created.v2.json")).unwrap(),
        std::fs::read(r.join("catalog/schemas/example-created.v1.json")).unwrap(),
        "a new version starts as a copy"
    );
    let out = evreg(r, &["new", "version", "order.placed"]);
    assert!(out.status.success(), "{out:?}");
    let out = evreg(r, &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{out:?}");
    let listed = String::from_utf8_lossy(&evreg(r, &["list"]).stdout).into_owned();
    assert!(
        listed.contains("order.placed") && listed.contains("EXAMPLE_CREATED"),
        "{listed}"
    );

    // Again: refused, and nothing changes.
    let before = std::fs::read_to_string(r.join("catalog/events/example.toml")).unwrap();
    let out = evreg(
        r,
        &[
            "new",
            "event",
            "order.placed",
            "--file",
            "catalog/events/example.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = evreg(r, &["new", "event", "EXAMPLE_CREATED"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = evreg(r, &["new", "version", "EXAMPLE_CREATD"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `EXAMPLE_CREATED`?"));
    assert_eq!(
        std::fs::read_to_string(r.join("catalog/events/example.toml")).unwrap(),
        before
    );
}

/// Run from inside the catalog folder, every command finds it there (a
/// `catalog/` beside would still win, as documented).
#[test]
fn commands_run_inside_the_catalog_folder_find_it() {
    let repo = tempfile::tempdir().unwrap();
    assert!(
        evreg(repo.path(), &["init", "--no-workflow"])
            .status
            .success()
    );
    let inside = repo.path().join("catalog");
    let out = evreg(&inside, &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 event,"),
        "{out:?}"
    );
    let out = evreg(&inside, &["new", "event", "ORDER_PLACED"]);
    assert!(out.status.success(), "{out:?}");
    assert!(inside.join("events/order-placed.toml").exists());
    let listed = evreg(&inside, &["list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("ORDER_PLACED"));
    // Elsewhere, with no catalog around: the usual error, exit 2.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(evreg(empty.path(), &["check"]).status.code(), Some(2));
}
