//! `evreg diff` in a temporary git repository: the working tree against
//! `git:HEAD` (path taken from NEW) and `git:REF:path`, and two folders;
//! every kind of change, text and JSON output, exit codes.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn run(dir: &Path, program: &str, args: &[&str]) -> (i32, String) {
    let out = if program == "evreg" {
        Command::cargo_bin("evreg")
            .unwrap()
            .env_remove("EVREG_CATALOG")
            .args(args)
            .current_dir(dir)
            .output()
    } else {
        Command::new(program).args(args).current_dir(dir).output()
    }
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn git(dir: &Path, args: &[&str]) {
    let mut all = vec![
        "-c",
        "user.email=ci@example.com",
        "-c",
        "user.name=CI",
        "-c",
        "commit.gpgsign=false",
    ];
    all.extend_from_slice(args);
    let (code, text) = run(dir, "git", &all);
    assert_eq!(code, 0, "git {args:?}: {text}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn diff_against_the_last_commit() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/check");
    copy_dir(&fixture.join("valid"), &root.join("cat"));
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "release"]);

    let (code, text) = run(root, "evreg", &["diff", "git:HEAD", "cat"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("0 changes from `git:HEAD` to `cat`; 0 break the rules"),
        "{text}"
    );

    // The working tree: a v2 that adds a required property (the fixture of
    // `incompatible-change`), a new event.
    copy_dir(&fixture.join("incompatible-change"), &root.join("cat"));
    let events = root.join("cat/events/tickets.toml");
    let text = std::fs::read_to_string(&events).unwrap()
        + "\n[[events]]\ntype = \"TICKET_CLOSED\"\nname = \"Ticket closed\"\ndescription = \"d\"\ncategory = \"tickets\"\n\n\
           [[events.versions]]\nversion = 1\nschema = \"../schemas/ticket-created.v1.json\"\n\
           examples = [{ tenantId = \"5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10\", ticketId = \"5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10\", title = \"Printer offline\" }]\n";
    std::fs::write(&events, text).unwrap();

    let (code, text) = run(root, "evreg", &["diff", "git:HEAD", "cat"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("info[version-added]: `payload.TicketCreated.v2` added"),
        "{text}"
    );
    assert!(
        text.contains("info[event-added]: `TICKET_CLOSED` added"),
        "{text}"
    );
    assert!(
        text.contains("cat/events/tickets.toml:12:1: error[incompatible-change]: `payload.TicketCreated.v2` is not backward compatible with v1: `boardId` added as required [PROPERTY_ADDED_REQUIRED at `/properties/boardId`]"),
        "{text}"
    );
    // The same, naming the path, from another folder, as JSON.
    let (code, json) = run(
        &root.join("cat"),
        "evreg",
        &["diff", "git:HEAD:cat", ".", "--format", "json"],
    );
    assert_eq!(code, 1, "{json}");
    let doc: serde_json::Value =
        serde_json::from_str(json.split("\n3 changes").next().unwrap()).unwrap();
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["changes"].as_array().unwrap().len(), 3);
    let broken = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["error"] == true)
        .unwrap();
    assert_eq!(
        (broken["line"].as_u64(), broken["column"].as_u64()),
        (Some(12), Some(1)),
        "{broken}"
    );
    assert_eq!(broken["rule"], "PROPERTY_ADDED_REQUIRED");

    // Commit it; then change the released v1 and remove an event without
    // deprecating it first.
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v2"]);
    let schema = root.join("cat/schemas/ticket-created.v1.json");
    let text = std::fs::read_to_string(&schema)
        .unwrap()
        .replace("\"maxLength\": 200", "\"maxLength\": 100");
    std::fs::write(&schema, text).unwrap();
    let toml = std::fs::read_to_string(&events).unwrap();
    let cut = toml.find("\n[[events]]\ntype = \"TICKET_CLOSED\"").unwrap();
    std::fs::write(&events, &toml[..cut]).unwrap();
    let (code, text) = run(root, "evreg", &["diff", "git:HEAD", "cat"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[version-changed]: released `payload.TicketCreated.v1` changed: property `title` changed"), "{text}");
    assert!(
        text.contains(
            "error[event-removed]: `TICKET_CLOSED` removed without being deprecated first"
        ),
        "{text}"
    );

    // Two folders; a commit that does not exist.
    let (code, text) = run(root, "evreg", &["diff", "cat", "cat"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = run(root, "evreg", &["diff", "git:no-such-ref", "cat"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("`no-such-ref` is not a commit"), "{text}");
}
