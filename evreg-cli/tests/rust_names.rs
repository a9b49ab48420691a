//! Rust names are a matter of the generated code, not of the catalog's data:
//! a collision is a warning of `evreg check`, never stops `validate`, and is
//! an error of `evreg generate` that names the way out; `x-rust-name`,
//! `x-rust-type-name` and the manifest's `[codegen.rename]` choose names.

use std::fs;
use std::path::Path;

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

const SCHEMA: &str = r#"{
  "type": "object",
  "required": ["ticketId", "ticket_id", "address"],
  "properties": {
    "ticketId": { "type": "string" },
    "ticket_id": { "type": "string"XRUST },
    "address": {
      "type": "object",XTYPE
      "required": ["city"],
      "properties": { "city": { "type": "string" } },
      "additionalProperties": false
    }
  },
  "additionalProperties": false
}"#;

/// A catalog of one event whose schema has `ticketId` and `ticket_id`, with
/// `x_rust` / `x_type` spliced in and `manifest` appended to catalog.toml.
fn catalog(dir: &Path, x_rust: &str, x_type: &str, manifest: &str) {
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::write(
        dir.join("catalog.toml"),
        format!("name = \"names\"\n[checks]\nrequire_examples = false\n{manifest}"),
    )
    .unwrap();
    fs::write(
        dir.join("ticket.json"),
        SCHEMA.replace("XRUST", x_rust).replace("XTYPE", x_type),
    )
    .unwrap();
    fs::write(
        dir.join("events/tickets.toml"),
        "[[events]]\ntype = \"TICKET_CREATED\"\nname = \"n\"\ndescription = \"d\"\ncategory = \"c\"\n\n[[events.versions]]\nversion = 1\nschema = \"../ticket.json\"\n",
    )
    .unwrap();
}

/// Runs `evreg`: whether it succeeded, its stdout, and both streams (where
/// diagnostics go).
fn evreg(args: &[&str]) -> (bool, String, String) {
    let out = Command::cargo_bin("evreg")
        .unwrap()
        .env_remove("EVREG_CATALOG")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), stdout, all)
}

#[test]
fn a_collision_warns_in_check_blocks_only_generate_and_names_the_override() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    catalog(dir.path(), "", "", "");

    let (ok, _, out) = evreg(&["check", root]);
    assert!(ok, "{out}");
    assert!(out.contains("warning[rust-name-collision]"), "{out}");
    assert!(out.contains("x-rust-name"), "{out}");
    // Said once, at the property in the schema file.
    assert_eq!(
        out.matches("both become the Rust field").count(),
        1,
        "{out}"
    );
    assert!(out.contains("ticket.json:"), "{out}");

    let payload = dir.path().join("p.json");
    fs::write(
        &payload,
        r#"{"ticketId": "a", "ticket_id": "b", "address": {"city": "Oslo"}}"#,
    )
    .unwrap();
    let (ok, _, err) = evreg(&[
        "--catalog",
        root,
        "validate",
        "--ref",
        "payload.TicketCreated.v1",
        payload.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");

    let (ok, _, err) = evreg(&["generate", root]);
    assert!(!ok);
    assert!(err.contains("error[rust-name-collision]"), "{err}");
    assert!(
        err.contains("[codegen.rename] \"TicketCreatedV1.ticket_id\""),
        "{err}"
    );
}

#[test]
fn names_chosen_in_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    catalog(
        dir.path(),
        r#", "x-rust-name": "legacy_ticket_id""#,
        r#" "x-rust-type-name": "PostalAddress","#,
        "",
    );
    let (ok, _, out) = evreg(&["check", root]);
    assert!(ok && !out.contains("rust-name-collision"), "{out}");
    let (ok, code, err) = evreg(&["generate", root]);
    assert!(ok, "{err}");
    assert!(
        code.contains("pub legacy_ticket_id: ::std::string::String"),
        "{code}"
    );
    assert!(code.contains("pub struct PostalAddress {"), "{code}");
    assert!(code.contains("pub address: PostalAddress,"), "{code}");
    assert!(!code.contains("TicketCreatedV1Address"), "{code}");
}

#[test]
fn names_chosen_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    catalog(
        dir.path(),
        "",
        "",
        "[codegen.rename]\n\"TicketCreatedV1.ticket_id\" = \"legacy_ticket_id\"\n\"TicketCreatedV1Address\" = \"PostalAddress\"\n",
    );
    let (ok, _, out) = evreg(&["check", root]);
    assert!(ok && !out.contains("rust-name-collision"), "{out}");
    let (ok, code, err) = evreg(&["generate", root]);
    assert!(ok, "{err}");
    assert!(
        code.contains("pub legacy_ticket_id: ::std::string::String"),
        "{code}"
    );
    assert!(code.contains("pub address: PostalAddress,"), "{code}");
}

#[test]
fn names_rust_cannot_take_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    catalog(dir.path(), r#", "x-rust-name": "fn""#, "", "");
    let (ok, _, err) = evreg(&["generate", root]);
    assert!(!ok);
    assert!(err.contains("error[invalid-rust-name]"), "{err}");

    catalog(
        dir.path(),
        "",
        "",
        "[codegen.rename]\n\"TicketCreatedV1.ticket_id\" = \"2x\"\n",
    );
    let (ok, _, out) = evreg(&["check", root]);
    assert!(!ok);
    assert!(out.contains("error[invalid-rust-name]"), "{out}");

    catalog(
        dir.path(),
        "",
        "",
        "[codegen.rename]\n\"TicketCreatedV1Adress\" = \"PostalAddress\"\n",
    );
    let (ok, _, err) = evreg(&["generate", root]);
    assert!(!ok);
    assert!(
        err.contains("did you mean `TicketCreatedV1Address`?"),
        "{err}"
    );
}
