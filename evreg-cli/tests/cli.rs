//! The `evreg` binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn evreg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(repo())
        .env_remove("EVREG_CATALOG")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every `$ evreg …` line of docs/cli.md runs with the exit code it documents
/// (`# exit N`, else 0).
#[test]
fn commands_in_cli_md_behave_as_documented() {
    let markdown = std::fs::read_to_string(repo().join("docs/cli.md")).unwrap();
    let mut ran = 0;
    for line in markdown.lines() {
        let Some(command) = line.strip_prefix("$ ") else {
            continue;
        };
        let (command, expected) = match command.split_once("# exit ") {
            Some((c, code)) => (c.trim(), code.trim().parse::<i32>().unwrap()),
            None => (command.trim(), 0),
        };
        let mut words = command.split_whitespace().peekable();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_evreg"));
        cmd.current_dir(repo()).env_remove("EVREG_CATALOG");
        while let Some((key, value)) = words.peek().and_then(|w| w.split_once('=')) {
            cmd.env(key, value);
            words.next();
        }
        assert_eq!(words.next(), Some("evreg"), "{command}");
        let out = cmd.args(words).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "`{command}`\n{}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{command}");
        ran += 1;
    }
    assert!(ran >= 12, "only {ran} commands found");
}

#[test]
fn help_is_stable() {
    insta::assert_snapshot!("help", stdout(&evreg(&["--help"])));
    insta::assert_snapshot!("check_help", stdout(&evreg(&["check", "--help"])));
}

#[test]
fn check_on_the_shipped_catalog_succeeds_and_summarizes() {
    let out = evreg(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("checked `catalog` (acme): 170 events, 187 payload versions"),
        "{err}"
    );
    assert!(err.contains("0 errors, 0 warnings"), "{err}");

    let json: serde_json::Value =
        serde_json::from_slice(&evreg(&["check", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["summary"]["events"], 170);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn catalog_is_found_from_positional_flag_env_or_default() {
    let count = |o: &Output| stdout(o).lines().count();
    let default = evreg(&["list"]);
    assert!(default.status.success());
    assert_eq!(count(&default), 171, "header plus 170 events");
    assert_eq!(count(&evreg(&["list", "catalog"])), 171);
    assert_eq!(count(&evreg(&["--catalog", "catalog", "list"])), 171);
    let env = Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(repo().join("docs"))
        .env("EVREG_CATALOG", "../catalog")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(count(&env), 171, "{}", stderr(&env));

    let both = evreg(&["--catalog", "tests/fixtures/check/valid", "list", "catalog"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("two catalogs given"),
        "{}",
        stderr(&both)
    );
}

#[test]
fn list_filters_and_json() {
    let out = evreg(&["list", "--status", "deprecated", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.len() >= 3);
    assert!(rows.iter().all(|r| r["status"] == "deprecated"));
    assert!(rows.iter().any(|r| r["type"] == "TICKET_COMMENT_ADDED"));

    let billing = stdout(&evreg(&["list", "--category", "billing"]));
    assert!(
        billing.lines().skip(1).all(|l| l.contains(" billing ")),
        "{billing}"
    );
}

#[test]
fn show_by_type_alias_and_ref() {
    let out = evreg(&["show", "TICKET_CREATED"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("TICKET_CREATED — Ticket created"),
        "{text}"
    );
    assert!(text.contains("payload.TicketCreated.v1") && text.contains("payload.TicketCreated.v2"));
    assert!(text.contains("* ticketId: string, format uuid"), "{text}");

    let by_alias: serde_json::Value =
        serde_json::from_slice(&evreg(&["show", "TICKET_NOTE_ADDED", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(by_alias["type"], "TICKET_COMMENT_ADDED");
    assert_eq!(by_alias["replaced_by"], "TICKET_MESSAGE_ADDED");

    let by_ref: serde_json::Value = serde_json::from_slice(
        &evreg(&["show", "payload.TicketCreated.v2", "--format", "json"]).stdout,
    )
    .unwrap();
    let versions = by_ref["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["ref"], "payload.TicketCreated.v2");

    let unknown = evreg(&["show", "TICKET_CRAETED"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("did you mean `TICKET_CREATED`?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn list_on_a_broken_catalog_reports_and_exits_1() {
    let out = evreg(&["list", "tests/fixtures/check/unknown-key"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[unknown-key]"));
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(repo())
        .env_remove("EVREG_CATALOG")
        .args(["show", "TICKET_CREATED", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(matches!(out.status.code(), Some(0)), "{:?}", out.status);
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("catalog.toml"),
        "name = \"w\"\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    std::fs::write(
        root.join("events.toml"),
        r#"[[events]]
type = "THING_HAPPENED"
name = "Thing happened"
description = "Something happened."
category = "things"

[[events.versions]]
version = 1
schema = { type = "object" }

[[events.versions]]
version = 3
schema = { type = "object" }
"#,
    )
    .unwrap();
    let path = root.to_str().unwrap();
    let out = evreg(&["check", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning[missing-example]") && err.contains("warning[version-gap]"),
        "{err}"
    );
    assert!(err.contains("0 errors, 3 warnings"), "{err}");
    assert_eq!(
        evreg(&["check", "--deny-warnings", path]).status.code(),
        Some(1)
    );
    // A catalog with warnings still lists.
    assert_eq!(evreg(&["list", path]).status.code(), Some(0));
}

/// The JSON report shown in docs/cli.md is exactly what `evreg check` prints.
#[test]
fn json_report_in_cli_md_is_real() {
    let markdown = std::fs::read_to_string(repo().join("docs/cli.md")).unwrap();
    let start = markdown.find("```json\n").expect("a json block") + "```json\n".len();
    let end = start + markdown[start..].find("```").unwrap();
    let documented: serde_json::Value = serde_json::from_str(&markdown[start..end]).unwrap();
    let out = evreg(&["check", "tests/fixtures/check/key-case", "--format", "json"]);
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(documented, actual);
}
