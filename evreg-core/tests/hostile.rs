//! No input makes the loader panic: random and mutated files, deep nesting,
//! huge and non-UTF-8 files, link loops, unreadable entries, missing pieces.

use std::fs;
use std::path::Path;

use evreg_core::Catalog;
use proptest::prelude::*;

const MANIFEST: &str = r#"name = "fuzz"
key_case = "camelCase"
[base]
required = ["tenantId"]
[base.properties]
tenantId = { type = "string", format = "uuid" }
"#;

const EVENTS: &str = r#"[[events]]
type = "TICKET_CREATED"
name = "Ticket created"
description = "A ticket was opened."
category = "tickets"
aliases = ["TICKET_OPENED"]

[[events.versions]]
version = 1
schema = "../schemas/ticket.json"
examples = [{ tenantId = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10", ticketId = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10" }]

[[events.versions.invalid]]
reason = "ticketId must be a UUID"
payload = { tenantId = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10", ticketId = "x" }
"#;

const SCHEMA: &str = r##"{
  "type": "object",
  "required": ["ticketId"],
  "properties": {
    "ticketId": { "type": "string", "format": "uuid" },
    "money": { "$ref": "common.json#/$defs/Money" }
  },
  "additionalProperties": false
}"##;

const COMMON: &str = r#"{ "$defs": { "Money": { "type": "object", "properties": { "amount": { "type": "integer" } } } } }"#;

fn write_catalog(dir: &Path, manifest: &[u8], events: &[u8], schema: &[u8]) {
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::create_dir_all(dir.join("schemas")).unwrap();
    fs::write(dir.join("catalog.toml"), manifest).unwrap();
    fs::write(dir.join("events/tickets.toml"), events).unwrap();
    fs::write(dir.join("schemas/ticket.json"), schema).unwrap();
    fs::write(dir.join("schemas/common.json"), COMMON).unwrap();
}

/// Loads and checks that the outcome is consistent: a catalog exactly when no error.
fn load(dir: &Path) -> evreg_core::Report {
    let report = Catalog::check(dir);
    assert_eq!(
        report.catalog.is_some(),
        report.error_count() == 0,
        "{:?}",
        report.diagnostics
    );
    for d in &report.diagnostics {
        // Every location must be inside its file (renderers slice by it).
        if let Some(l) = &d.primary {
            let len = report.sources.get(l.span.file).text().len();
            assert!(l.span.start <= l.span.end && l.span.end <= len + 1, "{d:?}");
        }
        let _ = d.display(&report.sources).to_string();
    }
    report
}

#[test]
fn the_unmutated_catalog_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    write_catalog(
        dir.path(),
        MANIFEST.as_bytes(),
        EVENTS.as_bytes(),
        SCHEMA.as_bytes(),
    );
    let report = load(dir.path());
    assert_eq!(report.error_count(), 0, "{:#?}", report.diagnostics);
}

/// Applies byte edits (position, new byte; 0 deletes) to a text.
fn mutate(text: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(pos, b) in edits {
        if bytes.is_empty() {
            break;
        }
        let pos = pos % bytes.len();
        match b % 3 {
            0 => {
                bytes.remove(pos);
            }
            1 => bytes.insert(pos, b),
            _ => bytes[pos] = b,
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(
        which in 0..3usize,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (m, e, s) = match which {
            0 => (mutate(MANIFEST, &edits), EVENTS.as_bytes().to_vec(), SCHEMA.as_bytes().to_vec()),
            1 => (MANIFEST.as_bytes().to_vec(), mutate(EVENTS, &edits), SCHEMA.as_bytes().to_vec()),
            _ => (MANIFEST.as_bytes().to_vec(), EVENTS.as_bytes().to_vec(), mutate(SCHEMA, &edits)),
        };
        write_catalog(dir.path(), &m, &e, &s);
        load(dir.path());
    }

    #[test]
    fn random_bytes_never_panic(
        manifest in proptest::collection::vec(any::<u8>(), 0..200),
        events in proptest::collection::vec(any::<u8>(), 0..400),
        schema in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_catalog(dir.path(), &manifest, &events, &schema);
        load(dir.path());
    }

    #[test]
    fn random_toml_shaped_text_never_panics(events in "(\\[\\[events(\\.versions)?\\]\\]\n|[a-z_]{1,8} = (\"[^\"\n]{0,12}\"|[0-9]{1,3}|\\{ [a-z]{1,5} = [0-9] \\}|\\[\\]|\\[\"\\.\\./x\\.json\"\\])\n){0,20}") {
        let dir = tempfile::tempdir().unwrap();
        write_catalog(dir.path(), MANIFEST.as_bytes(), events.as_bytes(), SCHEMA.as_bytes());
        load(dir.path());
    }

    #[test]
    fn random_json_values_as_schemas_never_panic(schema in arb_json()) {
        let dir = tempfile::tempdir().unwrap();
        write_catalog(dir.path(), MANIFEST.as_bytes(), EVENTS.as_bytes(), schema.to_string().as_bytes());
        load(dir.path());
    }
}

/// JSON values shaped like schemas: keywords, refs and nested objects.
fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let key = prop_oneof![
        Just("type".to_owned()),
        Just("properties".to_owned()),
        Just("$ref".to_owned()),
        Just("$defs".to_owned()),
        Just("required".to_owned()),
        Just("items".to_owned()),
        Just("enum".to_owned()),
        Just("format".to_owned()),
        Just("pattern".to_owned()),
        Just("allOf".to_owned()),
        "[a-zA-Z$#/~]{0,6}",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        prop_oneof![
            Just("object".to_owned()),
            Just("#".to_owned()),
            Just("#/$defs/A".to_owned()),
            Just("common.json#/$defs/Money".to_owned()),
            Just("[".to_owned()),
            Just("uuid".to_owned()),
            "[a-z#/~%0-9]{0,8}",
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Loads a catalog with these event and schema files (and the usual manifest).
fn check_files(events: &str, schema: &str) -> evreg_core::Report {
    let dir = tempfile::tempdir().unwrap();
    write_catalog(
        dir.path(),
        MANIFEST.as_bytes(),
        events.as_bytes(),
        schema.as_bytes(),
    );
    load(dir.path())
}

fn has_code(report: &evreg_core::Report, code: &str) -> bool {
    report.diagnostics.iter().any(|d| d.code == code)
}

#[test]
fn deep_toml_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert!(has_code(&check_files(&deep, SCHEMA), "too-deep"));
    let inline = format!("x = {}{}\n", "{ a = ".repeat(50_000), " 1 }".repeat(50_000));
    assert!(has_code(&check_files(&inline, SCHEMA), "too-deep"));
}

#[test]
fn deep_json_nesting_is_an_error() {
    let deep = format!(
        "{{\"type\": \"object\", \"x-a\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(has_code(&check_files(EVENTS, &deep), "too-deep"));
}

#[test]
fn huge_files_are_refused() {
    let mut big = EVENTS.to_owned();
    big.push_str(&"# padding\n".repeat((evreg_core::catalog::MAX_FILE_BYTES as usize / 10) + 1));
    let report = check_files(&big, SCHEMA);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "io")
        .expect("an io error");
    assert!(d.message.contains("limited to"), "{}", d.message);
}

#[test]
fn byte_order_marks_and_crlf_are_accepted() {
    let events = format!("\u{feff}{}", EVENTS.replace('\n', "\r\n"));
    let report = check_files(&events, &format!("\u{feff}{SCHEMA}"));
    assert_eq!(report.error_count(), 0, "{:?}", report.diagnostics);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_catalog(
        dir.path(),
        MANIFEST.as_bytes(),
        EVENTS.as_bytes(),
        SCHEMA.as_bytes(),
    );
    std::os::unix::fs::symlink(dir.path(), dir.path().join("events/loop")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.toml"),
        dir.path().join("events/dangling.toml"),
    )
    .unwrap();
    let report = load(dir.path());
    let messages: Vec<&str> = report
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("symbolic link loop")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("dangling.toml")),
        "{messages:?}"
    );
}

#[test]
fn missing_and_empty_folders() {
    let dir = tempfile::tempdir().unwrap();
    let report = load(&dir.path().join("nope"));
    assert_eq!(report.diagnostics[0].code, "io");
    assert!(report.diagnostics[0].message.contains("does not exist"));

    let report = load(dir.path());
    assert_eq!(report.diagnostics[0].code, "missing-manifest");

    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    let report = load(&file);
    assert!(report.diagnostics[0].message.contains("is not a folder"));

    // A manifest alone is a valid, empty catalog.
    fs::write(dir.path().join("catalog.toml"), "name = \"empty\"\n").unwrap();
    let report = load(dir.path());
    let catalog = report.catalog.expect("an empty catalog is valid");
    assert!(catalog.events().is_empty());
}

#[test]
fn a_folder_named_like_an_event_file_is_skipped_and_unreadable_schema_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_catalog(
        dir.path(),
        MANIFEST.as_bytes(),
        EVENTS.as_bytes(),
        SCHEMA.as_bytes(),
    );
    fs::create_dir_all(dir.path().join("events/folder.toml")).unwrap();
    // A schema path that is a folder cannot be read.
    fs::remove_file(dir.path().join("schemas/ticket.json")).unwrap();
    fs::create_dir_all(dir.path().join("schemas/ticket.json")).unwrap();
    let report = load(dir.path());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "missing-file")
        .expect("reported");
    assert!(d.message.contains("is not a file"), "{}", d.message);
}

/// A payload schema whose property `a` starts a chain of `n` definitions,
/// each a `$ref` to the next (`through` puts each step in a property).
fn chain(n: usize, through: bool) -> String {
    let mut defs = serde_json::Map::new();
    for i in 0..n {
        let next = serde_json::json!({ "$ref": format!("#/$defs/D{}", i + 1) });
        let def = if through {
            serde_json::json!({ "type": "object", "properties": { "next": next } })
        } else {
            next
        };
        defs.insert(format!("D{i}"), def);
    }
    defs.insert(format!("D{n}"), serde_json::json!({ "type": "string" }));
    serde_json::json!({
        "type": "object",
        "required": ["ticketId"],
        "properties": { "ticketId": { "type": "string", "format": "uuid" }, "a": { "$ref": "#/$defs/D0" } },
        "$defs": defs
    })
    .to_string()
}

/// A chain of 10,000 `$ref`s once overflowed the stack of every command
/// (exit 134), and checking took time cubic in its length: now it is one
/// `ref-too-deep` error, found after [`MAX_REF_DEPTH`] steps.
///
/// [`MAX_REF_DEPTH`]: evreg_core::catalog::MAX_REF_DEPTH
#[test]
fn a_long_ref_chain_is_one_error_not_a_stack_overflow() {
    use evreg_core::catalog::MAX_REF_DEPTH;
    for through in [false, true] {
        let report = check_files(EVENTS, &chain(10_000, through));
        let deep: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == "ref-too-deep")
            .collect();
        assert_eq!(deep.len(), 1, "{:#?}", report.diagnostics);
        assert!(deep[0].primary.is_some(), "located");
        // Just within the limit, it loads.
        let report = check_files(EVENTS, &chain(MAX_REF_DEPTH - 4, through));
        assert!(
            !has_code(&report, "ref-too-deep"),
            "{:#?}",
            report.diagnostics
        );
        assert_eq!(report.error_count(), 0, "{:#?}", report.diagnostics);
    }
}

/// Many references side by side are no deeper than one: 5,000 properties,
/// each with a definition of its own, load.
#[test]
fn many_references_side_by_side_load() {
    let n = 5_000;
    let mut props = serde_json::Map::new();
    let mut defs = serde_json::Map::new();
    props.insert(
        "ticketId".into(),
        serde_json::json!({ "type": "string", "format": "uuid" }),
    );
    for i in 0..n {
        props.insert(
            format!("p{i}"),
            serde_json::json!({ "$ref": format!("#/$defs/W{i}") }),
        );
        defs.insert(
            format!("W{i}"),
            serde_json::json!({ "type": "integer", "maximum": i }),
        );
    }
    let schema = serde_json::json!({ "type": "object", "properties": props, "$defs": defs });
    let report = check_files(EVENTS, &schema.to_string());
    assert_eq!(report.error_count(), 0, "{:#?}", report.diagnostics);
}

/// Reports never echo control characters of the input (an ESC would drive
/// the terminal), and a diagnostic on a minified line names the place
/// instead of printing the line.
#[test]
fn reports_escape_control_characters_and_skip_overlong_lines() {
    // A raw ESC in a file (a JSON syntax error there): the snippet shows `?`.
    let raw = SCHEMA.replace(
        "\"type\": \"object\",",
        "\"type\": \"object\", \"x-\u{1b}[2J\": 1,",
    );
    // An escaped one in a key (`\u001b`): the message shows `\u{1b}`.
    let escaped = SCHEMA.replace(
        "\"type\": \"object\",",
        "\"type\": \"object\", \"frob\\u001b[2J\": 1,",
    );
    for (schema, code, seen) in [
        (raw, "json-syntax", "\"x-?[2J\""),
        (escaped, "unknown-keyword", "frob\\u{1b}[2J"),
    ] {
        let report = check_files(EVENTS, &schema);
        let shown = evreg_core::diagnostic::render::plain(&report.diagnostics, &report.sources);
        assert!(has_code(&report, code), "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert!(shown.contains(seen), "{shown}");
    }

    let minified = format!(
        "{{\"type\": \"object\", \"x-pad\": \"{}\", \"required\": [\"ticketId\"], \"properties\": {{\"ticketId\": {{\"type\": \"strin\"}}}}}}",
        "x".repeat(5_000)
    );
    let report = check_files(EVENTS, &minified);
    let shown = evreg_core::diagnostic::render::plain(&report.diagnostics, &report.sources);
    assert!(report.error_count() > 0, "{shown}");
    assert!(shown.len() < 4_000, "the line was printed:\n{shown}");
    assert!(shown.contains("schemas/ticket.json:1:"), "{shown}");
    assert!(shown.contains("too long to show"), "{shown}");
}

/// The catalog folder is a boundary: a `$ref` out of it is an error and the
/// file is not read (nothing of it is shown), a symbolic link out of it is
/// reported and not followed (a link to `/` once walked the whole machine),
/// and a folder the manifest names is read.
#[test]
fn nothing_outside_the_catalog_folder_is_read() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("secret.json"),
        r#"{ "$defs": { "Money": { "type": "object", "x-secret": "hunter2" } } }"#,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.json");
    let schema = SCHEMA.replace("common.json", &secret.display().to_string());
    write_catalog(
        dir.path(),
        MANIFEST.as_bytes(),
        EVENTS.as_bytes(),
        schema.as_bytes(),
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink("/", dir.path().join("events/everything")).unwrap();
    let report = load(dir.path());
    let outside_errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "outside-catalog")
        .collect();
    assert_eq!(
        outside_errors.len(),
        if cfg!(unix) { 2 } else { 1 },
        "{:#?}",
        report.diagnostics
    );
    let shown = evreg_core::diagnostic::render::plain(&report.diagnostics, &report.sources);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        report
            .sources
            .files()
            .all(|(_, f)| !f.text().contains("hunter2")),
        "the file outside was read"
    );

    // Named in the manifest, the folder is read.
    let manifest = format!(
        "{MANIFEST}\n[schema]\nfolders = [{:?}]\n",
        outside.path().display().to_string()
    );
    fs::write(dir.path().join("catalog.toml"), manifest).unwrap();
    #[cfg(unix)]
    fs::remove_file(dir.path().join("events/everything")).unwrap();
    let report = load(dir.path());
    assert_eq!(report.error_count(), 0, "{:#?}", report.diagnostics);
}

/// A key twice in one object of a catalog file is an error at both places
/// (serde_json kept the last value without a word).
#[test]
fn a_duplicate_key_is_an_error_at_both_places() {
    let schema = SCHEMA.replace(
        "\"required\": [\"ticketId\"],",
        "\"required\": [\"ticketId\"], \"additionalProperties\": true,",
    );
    let report = check_files(EVENTS, &schema);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("duplicate key \"additionalProperties\""))
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert_eq!(d.code, "json-syntax");
    let text = report
        .sources
        .get(d.primary.as_ref().unwrap().span.file)
        .text()
        .to_owned();
    let spans: Vec<&str> = std::iter::once(d.primary.as_ref().unwrap())
        .chain(&d.secondary)
        .map(|l| &text[l.span.start..l.span.end])
        .filter(|s| s.contains("additionalProperties"))
        .collect();
    assert_eq!(spans.len(), 2, "{d:#?}");
    assert!(evreg_core::catalog::from_str_unique(r#"{"a": 1, "b": {"a": 2}}"#).is_ok());
    assert!(evreg_core::catalog::from_str_unique(r#"[{"a": 1, "a": 1}]"#).is_err());
}

/// A NUL character in a string value of an event file is an error of
/// `check`, located: the database columns it goes to cannot store it.
#[test]
fn a_nul_character_in_an_event_file_is_refused_where_it_is() {
    let events = EVENTS.replace("A ticket was opened.", "A ticket\\u0000 was opened.");
    let report = check_files(&events, SCHEMA);
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "invalid-value" && d.message.contains("NUL") && d.primary.is_some()),
        "{:#?}",
        report.diagnostics
    );
}

/// A NUL character in a schema or an example, which JSON allows and no
/// database stores, is the `not-storable` warning of `check`, located (it
/// was found only when `migrate` refused it).
#[test]
fn a_nul_character_that_migrate_cannot_store_is_a_located_warning() {
    // In an inline example, in an invalid example's payload, in the schema.
    let events = EVENTS
        .replace(
            r#"examples = [{ tenantId = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10", ticketId"#,
            r#"examples = [{ note = "a\u0000b", tenantId = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10", ticketId"#,
        )
        .replace(r#"ticketId = "x""#, r#"ticketId = "x\u0000""#);
    let schema = SCHEMA.replace(
        r#""ticketId": { "type": "string", "format": "uuid" },"#,
        r#""ticketId": { "type": "string", "format": "uuid" },
           "note": { "type": "string", "not": { "const": "\u0000" } },"#,
    );
    let report = check_files(&events, &schema);
    let nul: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "not-storable")
        .collect();
    assert_eq!(nul.len(), 3, "{:#?}", report.diagnostics);
    assert!(nul.iter().all(|d| d.primary.is_some()));
    assert!(
        nul[0].message.contains("/properties/note/not/const"),
        "{}",
        nul[0].message
    );
    assert!(report.catalog.is_some(), "a warning, not an error");
}
