//! `evreg validate`: payload files and streams checked against the catalog.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn evreg(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_evreg"))
        .current_dir(repo())
        .env_remove("EVREG_CATALOG")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.map(<[u8]>::to_vec);
    let writer = std::thread::spawn(move || {
        if let Some(data) = data {
            input.write_all(&data).unwrap();
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn json_report(args: &[&str], stdin: Option<&[u8]>) -> (Option<i32>, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = evreg(&all, stdin);
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

const TENANT: &str = "9d1afc45-a247-4e74-819e-15227f93e95d";

fn ticket_closed(ticket: &str) -> Value {
    json!({"tenantId": TENANT, "occurredAt": "2026-07-19T20:11:20Z", "ticketId": ticket, "resolution": "resolved"})
}

#[test]
fn every_kind_of_problem_is_reported_with_its_line() {
    let (code, report) = json_report(
        &["validate", "tests/fixtures/payloads/simulated.ndjson"],
        None,
    );
    assert_eq!(code, Some(1));
    let problems: Vec<(u64, &str, &str)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["severity"].as_str().unwrap(),
                p["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (4, "error", "invalid"),
            (5, "warning", "deprecated"),
            (6, "error", "unknown-schema"),
            (7, "error", "json-syntax"),
            (8, "error", "not-an-envelope"),
        ]
    );
    let invalid = &report["problems"][0];
    assert_eq!(
        invalid["ref"], "payload.TicketCreated.v2",
        "no version: the latest"
    );
    let pointers: Vec<&str> = invalid["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["instance_path"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/occurredAt", "/ticketId"]);
    assert_eq!(report["summary"]["checked"], 4);
    assert_eq!(report["summary"]["valid"], 3);
    assert_eq!(report["summary"]["invalid"], 1);
    assert_eq!(report["summary"]["errors"], 3);
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(
        report["summary"]["by_ref"]["payload.TicketCreated.v2"],
        json!({"valid": 1, "invalid": 1})
    );
}

#[test]
fn valid_input_exits_0_and_deprecated_is_an_error_only_when_denied() {
    assert_eq!(
        evreg(&["validate", "tests/fixtures/payloads/valid.ndjson"], None)
            .status
            .code(),
        Some(0)
    );
    let deprecated = json!({"type": "TICKET_NOTE_ADDED", "payload": {
        "tenantId": TENANT, "occurredAt": "2026-07-19T20:11:20Z",
        "ticketId": TENANT, "commentId": TENANT, "isInternal": true
    }})
    .to_string();
    let (code, report) = json_report(&["validate", "-"], Some(deprecated.as_bytes()));
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["problems"][0]["kind"], "deprecated");
    assert_eq!(
        report["problems"][0]["ref"], "payload.TicketCommentAdded.v1",
        "aliases resolve"
    );
    let (code, _) = json_report(
        &["validate", "--deny-deprecated"],
        Some(deprecated.as_bytes()),
    );
    assert_eq!(code, Some(1));
}

#[test]
fn bare_payloads_with_ref_or_type() {
    let good = ticket_closed(TENANT).to_string();
    let bad = ticket_closed("nope").to_string();
    let input = format!("{good}\n{bad}\n");
    for args in [
        ["--ref", "payload.TicketClosed.v1"],
        ["--type", "TICKET_CLOSED"],
    ] {
        let mut all = vec!["validate"];
        all.extend(args);
        let (code, report) = json_report(&all, Some(input.as_bytes()));
        assert_eq!(code, Some(1), "{args:?}");
        assert_eq!(report["summary"]["valid"], 1);
        assert_eq!(report["problems"][0]["line"], 2);
        assert_eq!(report["problems"][0]["errors"][0]["keyword"], "format");
    }
    let unknown = evreg(&["validate", "--ref", "payload.TicketClosd.v1"], Some(b""));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("did you mean `payload.TicketClosed.v1`?")
    );
    let version = evreg(
        &["validate", "--type", "TICKET_CLOSED", "--version", "9"],
        Some(b""),
    );
    assert_eq!(version.status.code(), Some(2));
}

#[test]
fn json_files_hold_one_item_or_an_array() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    std::fs::write(
        &one,
        json!({"type": "TICKET_CLOSED", "version": 1, "payload": ticket_closed(TENANT)})
            .to_string(),
    )
    .unwrap();
    let (code, report) = json_report(&["validate", one.to_str().unwrap()], None);
    assert_eq!((code, &report["summary"]["valid"]), (Some(0), &json!(1)));

    let (code, report) = json_report(
        &[
            "validate",
            "--ref",
            "payload.InvoiceCreated.v1",
            "tests/fixtures/payloads/invoice.json",
        ],
        None,
    );
    assert_eq!(code, Some(1));
    assert_eq!(report["problems"][0]["index"], 1);
    assert_eq!(
        report["problems"][0]["errors"][0]["instance_path"],
        "/total/currency"
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"type\": \n").unwrap();
    let (code, report) = json_report(&["validate", broken.to_str().unwrap()], None);
    assert_eq!(code, Some(1));
    assert_eq!(report["problems"][0]["kind"], "json-syntax");
    assert_eq!(report["problems"][0]["line"], 3);

    let missing = evreg(&["validate", "no/such/file.ndjson"], None);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn github_annotations() {
    let out = evreg(
        &[
            "validate",
            "--format",
            "github",
            "tests/fixtures/payloads/simulated.ndjson",
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=tests/fixtures/payloads/simulated.ndjson,line=4::payload.TicketCreated.v2: \
         /occurredAt: value is not a \"date-time\" [format] (and 1 more)"
    );
    assert!(
        lines[1].starts_with("::warning file=tests/fixtures/payloads/simulated.ndjson,line=5::"),
        "{}",
        lines[1]
    );
    assert_eq!(lines.len(), 5);
}

/// More lines than one batch: every line is checked, and problems come out in
/// input order with the right line numbers.
#[test]
fn large_streams_keep_order_across_batches() {
    let mut input = String::new();
    let mut bad_lines = Vec::new();
    for n in 1..=10_000u32 {
        let ticket = if n % 997 == 0 {
            bad_lines.push(u64::from(n));
            "bad".to_owned()
        } else {
            format!("00000000-0000-4000-8000-{n:012}")
        };
        input.push_str(
            &json!({"type": "TICKET_CLOSED", "payload": ticket_closed(&ticket)}).to_string(),
        );
        input.push('\n');
    }
    let (code, report) = json_report(&["validate"], Some(input.as_bytes()));
    assert_eq!(code, Some(1));
    assert_eq!(report["summary"]["checked"], 10_000);
    assert_eq!(report["summary"]["invalid"], bad_lines.len());
    let lines: Vec<u64> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, bad_lines);
}

/// A line that is not UTF-8 or that is too long is a problem of its own, at
/// its line; the stream goes on (one bad line once stopped it with "stream
/// did not contain valid UTF-8", no file, no line, no summary).
#[test]
fn unreadable_lines_are_reported_and_the_stream_goes_on() {
    let good = json!({"type": "TICKET_CLOSED", "version": 1, "payload": ticket_closed("5e3c2f4a-6b1d-4c8e-9f7a-1b2c3d4e5f60")}).to_string();
    let mut input = Vec::new();
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\n{\"type\": \"TICKET_CLOSED\", \"x\": \"\xff\xfe\"}\n");
    input.extend_from_slice(&vec![b' '; (16 << 20) + 10]);
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\r\n");
    let (code, report) = json_report(&["validate", "-"], Some(&input));
    assert_eq!(code, Some(1), "{report:#}");
    let problems: Vec<(u64, &str)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(problems, [(2, "not-utf8"), (3, "too-long")]);
    assert_eq!(
        report["summary"]["valid"], 2,
        "the lines after them were read"
    );
    assert_eq!(report["ok"], false);
}

/// Empty input (a crashed `evreg simulate | evreg validate`) is an error,
/// unless `--allow-empty` says none is expected.
#[test]
fn empty_input_fails_unless_allowed() {
    for input in [&b""[..], b"\n\n  \n"] {
        let out = evreg(&["validate", "-"], Some(input));
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no payload was read"),
            "{out:?}"
        );
        let out = evreg(&["validate", "--allow-empty", "-"], Some(input));
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let (code, report) = json_report(&["validate", "-"], Some(input));
        assert_eq!((code, &report["ok"]), (Some(1), &json!(false)));
        assert_eq!(report["problems"], json!([]));
    }
}

/// An envelope that says two things is refused: a key twice (which value
/// counts?), or `type`/`version` that contradict `payloadSchemaRef`.
#[test]
fn contradicting_envelopes_are_refused() {
    let payload = ticket_closed("5e3c2f4a-6b1d-4c8e-9f7a-1b2c3d4e5f60").to_string();
    let lines = [
        format!(
            r#"{{"type": "TICKET_CLOSED", "type": "TICKET_CREATED", "version": 1, "payload": {payload}}}"#
        ),
        format!(
            r#"{{"payloadSchemaRef": "payload.TicketClosed.v1", "type": "TICKET_CREATED", "payload": {payload}}}"#
        ),
        format!(
            r#"{{"payloadSchemaRef": "payload.TicketClosed.v1", "version": 2, "payload": {payload}}}"#
        ),
        format!(
            r#"{{"type": "TICKET_CLOSED", "eventType": "TICKET_CREATED", "payload": {payload}}}"#
        ),
        format!(
            r#"{{"payloadSchemaRef": "payload.TicketClosed.v1", "type": "TICKET_CLOSED", "version": 1, "payload": {payload}}}"#
        ),
    ];
    let input = lines.join("\n");
    let (code, report) = json_report(&["validate", "-"], Some(input.as_bytes()));
    assert_eq!(code, Some(1));
    let kinds: Vec<(u64, &str)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            (1, "json-syntax"),
            (2, "contradiction"),
            (3, "contradiction"),
            (4, "contradiction")
        ],
        "{report:#}"
    );
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key \"type\"")
    );
    assert_eq!(report["summary"]["valid"], 1);
}
