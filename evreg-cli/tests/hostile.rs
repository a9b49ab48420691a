//! Hostile input against every subcommand, as an attacker or an unlucky user
//! would bring it: every fixture of `tests/fixtures/check` and
//! `tests/fixtures/codegen-errors` (one fault each) and catalogs made to hurt
//! (a 10,000-step `$ref` chain, a symbolic link to `/`, `$ref`s out of the
//! folder, sizes no machine can hold, deep nesting, duplicate keys, Rust's
//! own names, NUL, ESC and bytes that are not UTF-8, very many properties and
//! enum values), and streams made to hurt `validate`.
//!
//! Each run must end with exit 0, 1 or 2 — never a panic (101) or a signal
//! — print no control character of its input, and locate each diagnostic:
//! a catalog's at its file, line and column, a stream's at its file and
//! line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

/// What every run must hold to, whatever its input: one of the documented
/// exit codes, no panic, no control character, every diagnostic located.
fn assert_well_behaved(args: &[&str], out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "evreg {args:?} ended with {:?} (a signal when None)\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "evreg {args:?}:\n{stderr}");
    for text in [&stdout, &stderr] {
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            panic!("evreg {args:?} printed the control character {c:?}:\n{text}");
        }
    }
    // A catalog diagnostic is followed by its place (`┌─ file:line:col`, or
    // `= at file:line:col` where the line is too long to show).
    let lines: Vec<&str> = stderr.lines().chain(stdout.lines()).collect();
    for (i, line) in lines.iter().enumerate() {
        if !(line.starts_with("error[") || line.starts_with("warning[")) {
            continue;
        }
        let located = lines[i + 1..]
            .iter()
            .take(2)
            .map(|l| l.trim_start())
            // A snippet's header, or the place alone where the line is too
            // long to show.
            .any(|l| l.starts_with("┌─") || l.starts_with("= at "));
        assert!(
            located,
            "evreg {args:?}: a diagnostic without its place:\n{}",
            lines[i..]
                .iter()
                .take(4)
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Writes `files` (path, bytes) under `dir` with the usual manifest.
fn catalog(dir: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    std::fs::write(
        dir.join("catalog.toml"),
        "name = \"hostile\"\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    for (path, bytes) in files {
        std::fs::write(dir.join(path), bytes).unwrap();
    }
    dir.to_path_buf()
}

const EVENT: &str = "[[events]]\ntype = \"THING_DONE\"\nname = \"Thing done\"\n\
                     description = \"A thing was done.\"\ncategory = \"things\"\n\n\
                     [[events.versions]]\nversion = 1\nschema = \"../schemas/thing.json\"\n";

/// A catalog of one event whose payload schema is `schema`.
fn with_schema(dir: &Path, schema: impl Into<Vec<u8>>) -> PathBuf {
    catalog(
        dir,
        &[
            ("events/things.toml", EVENT.into()),
            ("schemas/thing.json", schema.into()),
        ],
    )
}

fn object(properties: &str) -> String {
    format!(r#"{{"type": "object", "properties": {{{properties}}}}}"#)
}

/// The catalogs made to hurt, each in a folder of `root`.
fn hostile_catalogs(root: &Path) -> Vec<PathBuf> {
    let dir = |name: &str| root.join(name);
    let mut out = Vec::new();

    // A chain of 10,000 definitions, each a `$ref` to the next.
    let defs: Vec<String> = (0..10_000)
        .map(|i| format!(r##""d{i}": {{"$ref": "#/$defs/d{}"}}"##, i + 1))
        .chain([r#""d10000": {"type": "string"}"#.to_owned()])
        .collect();
    out.push(with_schema(
        &dir("ref-chain"),
        format!(
            r##"{{"type": "object", "properties": {{"a": {{"$ref": "#/$defs/d0"}}}}, "$defs": {{{}}}}}"##,
            defs.join(",")
        ),
    ));

    // A link to `/` and a `$ref` out of the folder.
    let linked = with_schema(
        &dir("outside"),
        object(r#""a": {"$ref": "../../../../../../../etc/passwd"}"#),
    );
    std::os::unix::fs::symlink("/", linked.join("schemas/root")).unwrap();
    out.push(linked);

    // Sizes no machine can hold.
    out.push(with_schema(
        &dir("sizes"),
        object(
            r#""s": {"type": "string", "minLength": 18446744073709551615},
               "a": {"type": "array", "minItems": 100000000, "items": {"type": "integer"}},
               "u": {"type": "array", "minItems": 100000, "uniqueItems": true, "items": {"type": "boolean"}},
               "n": {"type": "number", "minimum": 1e400}"#,
        ),
    ));

    // 25 nested `allOf`s of two branches each.
    let mut nested = r#"{"type": "object", "properties": {"x": {"type": "integer"}}}"#.to_owned();
    for i in 0..25 {
        nested = format!(
            r#"{{"allOf": [{nested}, {{"type": "object", "properties": {{"p{i}": {{"type": "string"}}}}}}]}}"#
        );
    }
    out.push(with_schema(&dir("nested-all-of"), nested));

    // JSON nested 10,000 deep; a key twice in one object.
    out.push(with_schema(
        &dir("deep-json"),
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
    ));
    out.push(with_schema(
        &dir("duplicate-keys"),
        r#"{"type": "object", "type": "string", "properties": {}}"#,
    ));

    // Rust's own names as enum values, properties and definitions.
    out.push(with_schema(
        &dir("rust-names"),
        r##"{"type": "object",
            "properties": {
              "self": {"type": "string", "enum": ["self", "Self", "super", "crate", "r#type", ""]},
              "Self": {"$ref": "#/$defs/Self"},
              "type": {"$ref": "#/$defs/Option"}},
            "$defs": {
              "Self": {"type": "object", "properties": {"crate": {"type": "string"}}},
              "Option": {"type": "object", "properties": {"Some": {"type": "string"}}}}}"##,
    ));

    // NUL and ESC in text; bytes that are not UTF-8.
    out.push(catalog(
        &dir("control-characters"),
        &[
            (
                "events/things.toml",
                EVENT
                    .replace("A thing was done.", "A \\u0000 and \\u001b[31m red")
                    .into_bytes(),
            ),
            (
                "schemas/thing.json",
                object(r#""\u001b[2J": {"type": "string", "description": "\u0000"}"#).into_bytes(),
            ),
        ],
    ));
    let mut not_utf8 = EVENT.as_bytes().to_vec();
    not_utf8.extend_from_slice(b"# \xff\xfe\n");
    out.push(catalog(
        &dir("not-utf8"),
        &[
            ("events/things.toml", not_utf8),
            (
                "schemas/thing.json",
                b"{\"type\": \"object\", \"\xc3\x28\": 1}".to_vec(),
            ),
        ],
    ));

    // Very many properties and enum values (once quadratic in `check`).
    let properties: Vec<String> = (0..30_000)
        .map(|i| format!(r#""p{i}": {{"type": "string"}}"#))
        .collect();
    out.push(with_schema(
        &dir("many-properties"),
        object(&properties.join(",")),
    ));
    let values: Vec<String> = (0..20_000).map(|i| format!("\"v{i}\"")).collect();
    out.push(with_schema(
        &dir("many-enum-values"),
        object(&format!(
            r#""e": {{"type": "string", "enum": [{}]}}"#,
            values.join(",")
        )),
    ));
    out
}

/// Every subcommand that reads a catalog, on `catalog`.
fn commands(catalog: &str, scratch: &str) -> Vec<Vec<String>> {
    let out = format!("{scratch}/generated.rs");
    let sqlite = format!("sqlite://{scratch}/no-such.db");
    [
        vec!["check", catalog],
        vec!["check", catalog, "--format", "json"],
        vec!["generate", catalog, "-o", &out],
        vec!["migrate", catalog, "--dialect", "postgres"],
        vec!["migrate", catalog, "--dialect", "sqlite"],
        vec!["migrate", catalog, "--check", "--database-url", &sqlite],
        vec!["lock", catalog, "--check"],
        vec!["diff", catalog, catalog],
        vec![
            "diff",
            "tests/fixtures/check/valid",
            catalog,
            "--format",
            "github",
        ],
        vec!["list", catalog],
        vec!["--catalog", catalog, "show", "THING_DONE"],
        vec!["--catalog", catalog, "simulate", "--all", "--count", "3"],
        vec!["--catalog", catalog, "simulate", "--all", "--invalid"],
        vec![
            "--catalog",
            catalog,
            "validate",
            "--allow-empty",
            "/dev/null",
        ],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

fn run_all(catalogs: &[PathBuf], scratch: &Path) -> usize {
    let mut runs = 0;
    for catalog in catalogs {
        for args in commands(catalog.to_str().unwrap(), scratch.to_str().unwrap()) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            assert_well_behaved(&args, &evreg(&args));
            runs += 1;
        }
    }
    runs
}

#[test]
fn every_subcommand_on_every_faulty_fixture() {
    let scratch = tempfile::tempdir().unwrap();
    // One fault each: of the catalog, and of the names generated code takes.
    let mut fixtures: Vec<PathBuf> = ["check", "codegen-errors"]
        .iter()
        .flat_map(|group| std::fs::read_dir(repo().join("tests/fixtures").join(group)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("catalog.toml").exists())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 30, "{fixtures:?}");
    let runs = run_all(&fixtures, scratch.path());
    assert_eq!(runs, fixtures.len() * 14);
}

#[test]
fn every_subcommand_on_catalogs_made_to_hurt() {
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let catalogs = hostile_catalogs(root.path());
    run_all(&catalogs, scratch.path());

    // The classes each end in their own error, never in silence.
    let check = |name: &str| {
        let dir = root.path().join(name);
        let out = evreg(&["check", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(check("ref-chain").contains("error[ref-too-deep]"));
    let outside = check("outside");
    assert!(outside.contains("error[outside-catalog]"), "{outside}");
    assert!(!outside.contains("root:x:0:0"), "{outside}");
    assert!(check("deep-json").contains("error[too-deep]"));
    assert!(check("duplicate-keys").contains("error[json-syntax]"));
    assert!(check("control-characters").contains("error[invalid-value]"));
    assert!(check("not-utf8").contains("error[not-utf8]"));
}

/// Streams that `validate` reads line by line: each problem at its file and
/// line, the stream going on past it, the summary at the end.
#[test]
fn validate_on_streams_made_to_hurt() {
    let scratch = tempfile::tempdir().unwrap();
    let payload = r#"{"tenantId": "9d1afc45-a247-4e74-819e-15227f93e95d"}"#;
    let streams: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("blank-lines", b"\n\r\n   \n".to_vec()),
        ("not-utf8", b"\xff\xfe\n{\"type\": \"\xc3\x28\"}\n".to_vec()),
        ("nul-and-esc", b"\x00\x1b[2J\n{\"type\": \"\\u001b[31m\"}\n".to_vec()),
        (
            "duplicate-keys",
            format!(r#"{{"type": "TICKET_CREATED", "type": "TICKET_CLOSED", "payload": {payload}}}"#)
                .into_bytes(),
        ),
        (
            "contradiction",
            format!(r#"{{"type": "TICKET_CLOSED", "payloadSchemaRef": "payload.TicketCreated.v1", "payload": {payload}}}"#)
                .into_bytes(),
        ),
        ("deep", format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
        ("huge-number", b"{\"type\": \"TICKET_CREATED\", \"version\": 1e400}\n".to_vec()),
        (
            "long-type",
            format!(r#"{{"type": "{}", "payload": {{}}}}"#, "T".repeat(5_000_000)).into_bytes(),
        ),
        // Over the 16 MiB line limit, then a line that is read.
        (
            "too-long",
            [vec![b' '; 17 << 20], b"\n{\"type\": \"NOPE\"}\n".to_vec()].concat(),
        ),
    ];
    for (name, bytes) in &streams {
        let file = scratch.path().join(format!("{name}.ndjson"));
        std::fs::write(&file, bytes).unwrap();
        let file = file.to_str().unwrap();
        for format in ["text", "json", "github"] {
            let args = ["validate", "--format", format, file];
            let out = evreg(&args);
            assert_well_behaved(&args, &out);
            assert_eq!(out.status.code(), Some(1), "{name} {format}: {out:?}");
            let stdout = String::from_utf8_lossy(&out.stdout);
            if format == "text" {
                // Each problem at its file and line; an empty stream is one
                // error of its own on standard error.
                for line in stdout.lines() {
                    assert!(line.starts_with(&format!("{file}:")), "{name}: {line}");
                }
            }
            if format == "json" {
                let report: serde_json::Value = serde_json::from_str(&stdout)
                    .unwrap_or_else(|e| panic!("{name}: {e}\n{stdout}"));
                assert_eq!(report["ok"], false, "{name}");
                for p in report["problems"].as_array().unwrap() {
                    assert!(p["line"].as_u64().is_some(), "{name}: {p}");
                }
            }
        }
    }
}
