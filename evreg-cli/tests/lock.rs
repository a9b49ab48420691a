//! `evreg lock` and `catalog.lock` through the command: locking, the check
//! of a released version that changed (with what changed), refusing to
//! re-lock it, `--force`, new versions, `--check`.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn evreg(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("evreg")
        .unwrap()
        .env_remove("EVREG_CATALOG")
        .arg(args[0])
        .arg(dir)
        .args(&args[1..])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn copy_fixture(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/check/valid");
    for sub in ["", "events", "schemas"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, to.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn released_versions_stay_as_they_were() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_fixture(dir);

    let (code, text) = evreg(dir, &["lock", "--check"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("out of date (1 version not locked)"),
        "{text}"
    );
    let (code, text) = evreg(dir, &["lock"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("1 new, 0 forced, 1 versions in catalog.lock"),
        "{text}"
    );
    let locked = std::fs::read_to_string(dir.join("catalog.lock")).unwrap();
    // The schema's id in a schema registry (`evreg serve`).
    let id = |lock: &str, r: &str| {
        let entry = &lock[lock.find(&format!("[versions.\"{r}\"]")).unwrap()..];
        entry
            .lines()
            .find_map(|l| l.strip_prefix("id = "))
            .map(str::to_owned)
    };
    assert_eq!(
        id(&locked, "payload.TicketCreated.v1").as_deref(),
        Some("1")
    );
    assert_eq!(evreg(dir, &["lock", "--check"]).0, 0);
    assert_eq!(evreg(dir, &["check"]).0, 0);

    // Editing the released version: check names what changed.
    let schema = dir.join("schemas/ticket-created.v1.json");
    edit(&schema, "\"maxLength\": 200", "\"maxLength\": 100");
    edit(
        &schema,
        "\"priority\": {",
        "\"channel\": { \"type\": \"string\" },\n    \"priority\": {",
    );
    let (code, text) = evreg(dir, &["check"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[released-version-changed]"), "{text}");
    assert!(text.contains("property `title` changed"), "{text}");
    assert!(text.contains("property `channel` added"), "{text}");

    // Re-locking is refused, and the lock stays as it was.
    let (code, text) = evreg(dir, &["lock"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("`payload.TicketCreated.v1` is released and its schema changed"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("catalog.lock")).unwrap(),
        locked
    );

    // Unless forced, for a version nobody consumed yet.
    let (code, text) = evreg(dir, &["lock", "--force", "payload.TicketCreated.v1"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("re-locked `payload.TicketCreated.v1`"),
        "{text}"
    );
    assert_eq!(evreg(dir, &["check"]).0, 0);
    // A new schema, a new id: a registry's clients cache schemas by id.
    let forced = std::fs::read_to_string(dir.join("catalog.lock")).unwrap();
    assert_eq!(
        id(&forced, "payload.TicketCreated.v1").as_deref(),
        Some("2")
    );
    let (code, text) = evreg(dir, &["lock", "--force", "payload.Nope.v1"]);
    assert_eq!(code, 2, "{text}");

    // A new version is added to the lock; the released one keeps its entry.
    let relocked = std::fs::read_to_string(dir.join("catalog.lock")).unwrap();
    std::fs::write(
        dir.join("events/tickets.toml"),
        std::fs::read_to_string(dir.join("events/tickets.toml")).unwrap()
            + "\n[[events.versions]]\nversion = 2\nschema = \"../schemas/ticket-created.v1.json\"\n\
               examples = [{ tenantId = \"5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10\", ticketId = \"5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10\", title = \"Printer offline\" }]\n",
    )
    .unwrap();
    let (code, text) = evreg(dir, &["lock"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 new, 0 forced, 2 versions"), "{text}");
    let now = std::fs::read_to_string(dir.join("catalog.lock")).unwrap();
    assert!(now.starts_with(&relocked), "the v1 entry is unchanged");
    assert!(now.contains("[versions.\"payload.TicketCreated.v2\"]"));
    assert_eq!(id(&now, "payload.TicketCreated.v2").as_deref(), Some("3"));
}

/// A lock written before evreg gave ids gets them, in catalog order, the
/// next time `evreg lock` runs; `lock --check` passes on it meanwhile.
#[test]
fn ids_come_to_old_locks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_fixture(dir);
    assert_eq!(evreg(dir, &["lock"]).0, 0);
    let path = dir.join("catalog.lock");
    let locked = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, locked.replace("id = 1\n", "")).unwrap();
    let (code, text) = evreg(dir, &["lock", "--check"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(evreg(dir, &["lock"]).0, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), locked);
}
