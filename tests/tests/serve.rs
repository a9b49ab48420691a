//! `evreg serve` with clients nobody here wrote: Confluent's Python client
//! (`confluent-kafka`, from PyPI, `EVREG_TEST_PYTHON` names the interpreter
//! of the environment `.ci/run` installs it in) and its JavaScript one
//! (`@confluentinc/schemaregistry`, from npm) read subjects, versions and
//! schemas by id, looks up a schema, tests a compatible and a breaking
//! candidate, and gets Confluent's error codes; what it reads is the catalog
//! and the ids of catalog.lock.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use evreg::Catalog;
use evreg::catalog::lock::Lock;
use evreg_tests::server::Server;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `evreg serve ARGS --quiet` on a free port.
fn start(args: &[&str]) -> Server {
    let args = [args, &["--quiet"]].concat();
    Server::start(&assert_cmd::cargo::cargo_bin("evreg"), &repo(), &args)
}

fn python() -> Option<PathBuf> {
    evreg_tests::services::path(
        "EVREG_TEST_PYTHON",
        "the Python client's test (.ci/run installs tests/python/requirements.txt)",
    )
}

/// What both clients' scripts print for `TICKET_CREATED` of the shipped
/// catalog.
fn expected() -> String {
    let catalog = Catalog::load(repo().join("catalog")).unwrap();
    let lock = Lock::read(&repo().join("catalog")).unwrap().unwrap();
    let id = |r: &str| lock.versions[r].id.unwrap();
    let expected = format!(
        "subjects {} True\n\
         latest 2 {v2} JSON\n\
         same schema by id True\n\
         versions [1, 2]\n\
         version 1 1 {v1}\n\
         lookup 2 {v2}\n\
         compatible True\n\
         breaking False\n\
         compatibility level BACKWARD\n\
         unknown subject 404 40401\n\
         unknown version 404 40402\n\
         unknown id 404 40403\n\
         unknown schema 404 40403\n\
         register 422 42205\n",
        catalog.events().len(),
        v1 = id("payload.TicketCreated.v1"),
        v2 = id("payload.TicketCreated.v2"),
    );
    expected
}

/// Runs a client's script against a server of the shipped catalog.
fn client_reads_the_catalog(program: &Path, script: &Path) {
    let server = start(&["catalog"]);
    let out = Command::new(program)
        .arg(script)
        .args([&server.url, "TICKET_CREATED"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, expected());
}

#[test]
fn confluents_python_client_reads_the_catalog() {
    let Some(python) = python() else { return };
    client_reads_the_catalog(&python, &repo().join("tests/python/registry_client.py"));
}

/// The same calls through `@confluentinc/schemaregistry` (npm), in Node.
#[test]
fn confluents_javascript_client_reads_the_catalog() {
    if evreg_tests::services::path("EVREG_TEST_NODE_MODULES", "the JavaScript client's test")
        .is_none()
    {
        return;
    }
    client_reads_the_catalog(
        Path::new("node"),
        &repo().join("tests/npm/registry_client.mjs"),
    );
}

/// The schema served under an id is the version's bundle, and the subjects
/// follow the naming asked for.
#[test]
fn ids_are_the_locks_and_subjects_the_naming_asked_for() {
    let Some(python) = python() else { return };
    let server = start(&["catalog", "--subjects", "type-value"]);
    let script = r#"
import json, sys
from confluent_kafka.schema_registry import SchemaRegistryClient
c = SchemaRegistryClient({"url": sys.argv[1]})
print(json.dumps({"subjects": c.get_subjects()[:2], "schema": json.loads(c.get_schema(int(sys.argv[2])).schema_str)}))
"#;
    let lock = Lock::read(&repo().join("catalog")).unwrap().unwrap();
    let id = lock.versions["payload.TicketClosed.v1"].id.unwrap();
    let out = Command::new(python)
        .args(["-c", script, &server.url, &id.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got["subjects"],
        serde_json::json!(["API_KEY_CREATED-value", "API_KEY_REVOKED-value"])
    );
    let catalog = Catalog::load(repo().join("catalog")).unwrap();
    let (_, version) = catalog.version_by_ref("payload.TicketClosed.v1").unwrap();
    assert_eq!(got["schema"], version.schema);
}

/// `GET path`: the status and the body.
fn get(server: &Server, path: &str) -> (u16, String) {
    request(server, "GET", path, "")
}

/// A request: the status and the body.
fn request(server: &Server, method: &str, path: &str, body: &str) -> (u16, String) {
    let response = server.request(method, path, &[], body);
    (response.status, response.text())
}

/// evreg's own endpoints give what `evreg list` and `evreg show` give in
/// JSON, and a version's bundle by ref.
#[test]
fn evregs_own_endpoints_give_what_list_and_show_give() {
    let server = start(&["catalog"]);
    let evreg = |args: &[&str]| {
        let out = Command::new(assert_cmd::cargo::cargo_bin("evreg"))
            .args(args)
            .current_dir(repo())
            .env_remove("EVREG_CATALOG")
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let json = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap();
    let (status, body) = get(&server, "/v1/events");
    assert_eq!(status, 200);
    assert_eq!(json(&body), evreg(&["list", "--format", "json"]));
    let (status, body) = get(&server, "/v1/events/TICKET_CREATED");
    assert_eq!(status, 200);
    assert_eq!(
        json(&body),
        evreg(&["show", "TICKET_CREATED", "--format", "json"])
    );
    let (status, body) = get(&server, "/v1/refs/payload.TicketCreated.v1");
    assert_eq!(status, 200);
    let catalog = Catalog::load(repo().join("catalog")).unwrap();
    let (_, version) = catalog.version_by_ref("payload.TicketCreated.v1").unwrap();
    assert_eq!(json(&body), version.schema);
    let (status, body) = get(&server, "/v1/events/NOPE");
    assert_eq!(status, 404);
    assert_eq!(json(&body)["error"], "no event `NOPE` in the catalog");
    assert_eq!(get(&server, "/healthz"), (200, "ok\n".to_owned()));
}

/// `POST /v1/validate` gives the report `evreg validate --format json`
/// gives on the same NDJSON, with 422 when a payload is invalid.
#[test]
fn validate_over_http_reports_as_the_command_does() {
    let server = start(&["catalog"]);
    let evreg = |args: &[&str], input: &[u8]| {
        use std::io::Write;
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("evreg"))
            .args(args)
            .current_dir(repo())
            .env_remove("EVREG_CATALOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap().stdout
    };
    let valid = evreg(&["simulate", "--all", "--count", "2", "--seed", "3"], b"");
    let invalid = evreg(&["simulate", "--all", "--invalid", "--seed", "3"], b"");
    for (input, status) in [
        (valid, 200),
        ([invalid.clone(), b"{not json\n".to_vec()].concat(), 422),
    ] {
        let cli: serde_json::Value =
            serde_json::from_slice(&evreg(&["validate", "-", "--format", "json"], &input)).unwrap();
        let (got, body) = request(
            &server,
            "POST",
            "/v1/validate",
            std::str::from_utf8(&input).unwrap(),
        );
        assert_eq!(got, status, "{body}");
        let served: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(served, cli);
        assert!(served["summary"]["checked"].as_u64().unwrap() > 100);
    }
    // The command's options, as the query.
    let payload = r#"{"tenantId": "9d1afc45-a247-4e74-819e-15227f93e95d"}"#;
    let (status, body) = request(&server, "POST", "/v1/validate?type=TICKET_CLOSED", payload);
    assert_eq!(status, 422);
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served["problems"][0]["ref"], "payload.TicketClosed.v1");
    assert_eq!(served["problems"][0]["kind"], "invalid");
}

/// `GET` answers carry an `ETag` and `Cache-Control: no-cache`; asking
/// again with `If-None-Match` gets `304` and no body.
#[test]
fn gets_carry_etags_and_answer_304_to_clients_holding_them() {
    let server = start(&["catalog"]);
    let path = "/subjects/TICKET_CREATED/versions/1";
    let first = server.get(path);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    let etag = first.header("etag").expect("an ETag");
    let again = server.request("GET", path, &[("If-None-Match", etag)], "");
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // Compared weakly: the tag without its `W/` is the same tag.
    assert!(etag.starts_with("W/\""), "{etag}");
    let strong = server.request("GET", path, &[("If-None-Match", &etag[2..])], "");
    assert_eq!(strong.status, 304);
    let other = server.request("GET", path, &[("If-None-Match", "\"0000\"")], "");
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);
}

/// Without `--quiet`, a line per request on standard error.
#[test]
fn requests_are_logged() {
    let mut server = Server::start(
        &assert_cmd::cargo::cargo_bin("evreg"),
        &repo(),
        &["catalog"],
    );
    assert_eq!(server.get("/subjects/NOPE/versions").status, 404);
    let logged = server.wait_for("/subjects/NOPE");
    assert!(
        logged.starts_with("GET /subjects/NOPE/versions 404 ")
            && logged.trim_end().ends_with(" ms"),
        "{logged}"
    );
}
