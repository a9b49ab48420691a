//! `evreg migrate` scripts applied to real databases: the PostgreSQL server of
//! `EVREG_TEST_POSTGRES_URL` (each test in its own schema) and SQLite files,
//! through their own command-line clients (`psql`, `sqlite3`). Idempotency,
//! exactly-one-row changes, deprecation instead of deletion, and text stored
//! exactly are checked in the databases, not by comparing strings.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use evreg::Catalog;
use evreg_codegen::sql::{Dialect, render};
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Whether the test must skip because a database client is not installed
/// (said on the terminal; `.ci/run` requires both clients, so CI never skips).
fn missing(client: &str) -> bool {
    let found = Command::new(client)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        evreg_tests::services::skip(&format!(
            "`{client}` is not installed; this test's {client} half did not run"
        ));
    }
    !found
}

/// Runs a database client with `sql` on its standard input; its output.
fn feed(cmd: Command, sql: &str) -> String {
    let shown = format!("{cmd:?}");
    let out = run(cmd, sql);
    assert!(
        out.status.success(),
        "{shown} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a database client with `sql` on its standard input, success or not.
fn run(mut cmd: Command, sql: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A PostgreSQL schema of its own, or `None` (printed loudly) without a server.
struct Pg {
    url: String,
    schema: String,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Pg {
    fn new() -> Option<Pg> {
        if missing("psql") {
            return None;
        }
        let url = evreg_tests::services::url(
            "EVREG_TEST_POSTGRES_URL",
            "the PostgreSQL half of this test",
        )?;
        let schema = format!(
            "evreg_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let pg = Pg { url, schema };
        pg.psql_in(
            "public",
            &format!(
                "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0};",
                pg.schema
            ),
        );
        Some(pg)
    }

    /// Runs `sql` (any size, through standard input) with `search_path` set.
    fn psql_in(&self, schema: &str, sql: &str) -> String {
        let mut cmd = Command::new("psql");
        cmd.arg(&self.url)
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-At", "-f", "-"])
            .env(
                "PGOPTIONS",
                format!("-c search_path={schema} -c client_min_messages=warning"),
            );
        feed(cmd, sql)
    }

    fn query(&self, sql: &str) -> String {
        self.psql_in(&self.schema, sql)
    }

    /// The database URL with this schema as `search_path` (for `evreg`).
    fn schema_url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-csearch_path%3D{}", self.url, self.schema)
    }

    fn apply(&self, script: &str) {
        // `-c` runs a multi-statement string as one; the script has its own transaction.
        self.query(script);
    }

    /// Each row's key with its transaction id and `updated_at`: a row that
    /// was rewritten gets a new `xmin`.
    fn row_versions(&self, table: &str, key: &str) -> Vec<String> {
        self.query(&format!(
            "SELECT {key} || ' ' || xmin::text || ' ' || updated_at::text FROM {table} ORDER BY {key}"
        ))
        .lines()
        .map(str::to_owned)
        .collect()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.psql_in(
            "public",
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema),
        );
    }
}

/// A SQLite database file, through the `sqlite3` client.
struct Lite {
    _dir: tempfile::TempDir,
    file: PathBuf,
}

impl Lite {
    fn new() -> Lite {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("events.db");
        Lite { _dir: dir, file }
    }

    fn run(&self, sql: &str) -> String {
        let mut cmd = Command::new("sqlite3");
        cmd.args(["-bail", "-batch"]).arg(&self.file);
        feed(cmd, sql)
    }

    /// Applies a script and returns how many rows it changed.
    fn apply(&self, script: &str) -> u64 {
        self.run(&format!("{script}\nSELECT total_changes();\n"))
            .trim()
            .parse()
            .unwrap()
    }
}

fn script(dir: &Path, dialect: Dialect) -> String {
    render(
        &Catalog::load(dir).unwrap_or_else(|e| panic!("{e}")),
        dialect,
    )
    .unwrap()
}

/// A copy of a catalog folder, to edit.
fn copy(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    evreg_tests::copy_dir(from, dir.path());
    dir
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn postgres_apply_is_idempotent_and_changes_exactly_what_changed() {
    let Some(pg) = Pg::new() else { return };
    let catalog = copy(&repo().join("catalog"));
    pg.apply(&script(catalog.path(), Dialect::Postgres));
    assert_eq!(
        pg.query("SELECT count(*) FROM system_event_catalog").trim(),
        "170"
    );
    assert_eq!(
        pg.query("SELECT count(*) FROM system_event_schemas").trim(),
        "187"
    );

    let events = pg.row_versions("system_event_catalog", "event_type");
    let schemas = pg.row_versions("system_event_schemas", "schema_ref");
    pg.apply(&script(catalog.path(), Dialect::Postgres));
    assert_eq!(
        pg.row_versions("system_event_catalog", "event_type"),
        events,
        "a re-apply rewrote rows"
    );
    assert_eq!(
        pg.row_versions("system_event_schemas", "schema_ref"),
        schemas
    );

    edit(
        &catalog.path().join("events/tickets.toml"),
        "A ticket was opened by a user, a contact or an integration.",
        "A ticket was opened (by anyone).",
    );
    pg.apply(&script(catalog.path(), Dialect::Postgres));
    let after = pg.row_versions("system_event_catalog", "event_type");
    let changed: Vec<_> = after
        .iter()
        .zip(&events)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].starts_with("TICKET_CREATED "));
    assert_eq!(
        pg.row_versions("system_event_schemas", "schema_ref"),
        schemas
    );
    assert_eq!(
        pg.query(
            "SELECT description FROM system_event_catalog WHERE event_type = 'TICKET_CREATED'"
        )
        .trim(),
        "A ticket was opened (by anyone)."
    );
}

#[test]
fn sqlite_apply_is_idempotent_and_changes_exactly_what_changed() {
    if missing("sqlite3") {
        return;
    }
    let db = Lite::new();
    let catalog = copy(&repo().join("catalog"));
    let changes = db.apply(&script(catalog.path(), Dialect::Sqlite));
    assert_eq!(changes, 170 + 187);
    assert_eq!(
        db.apply(&script(catalog.path(), Dialect::Sqlite)),
        0,
        "a re-apply changed rows"
    );
    edit(
        &catalog.path().join("events/tickets.toml"),
        "A ticket was opened by a user, a contact or an integration.",
        "A ticket was opened (by anyone).",
    );
    assert_eq!(db.apply(&script(catalog.path(), Dialect::Sqlite)), 1);
    assert_eq!(
        db.run("SELECT description FROM system_event_catalog WHERE event_type = 'TICKET_CREATED';")
            .trim(),
        "A ticket was opened (by anyone)."
    );
}

/// Removing an event from the catalog deprecates its row; nothing is deleted,
/// and another catalog's rows in the same table are left alone.
#[test]
fn a_removed_event_is_deprecated_never_deleted() {
    if missing("sqlite3") {
        return;
    }
    let catalog = copy(&repo().join("tests/fixtures/codegen/nested"));
    let other = repo().join("tests/fixtures/codegen/minimal");
    let events = catalog.path().join("events/events.toml");
    let text = std::fs::read_to_string(&events).unwrap();
    let cut = text.find("[[events]]\ntype = \"ORDER_REFUNDED\"").unwrap();
    let before = [
        script(catalog.path(), Dialect::Sqlite),
        script(catalog.path(), Dialect::Postgres),
    ];
    std::fs::write(&events, &text[..cut]).unwrap();
    let after = [
        script(catalog.path(), Dialect::Sqlite),
        script(catalog.path(), Dialect::Postgres),
    ];
    let expected = "NOTE_ADDED|active\nORDER_PLACED|active\nORDER_REFUNDED|deprecated\n";

    let db = Lite::new();
    db.apply(&before[0]);
    db.apply(&script(&other, Dialect::Sqlite));
    db.apply(&after[0]);
    assert_eq!(
        db.run("SELECT event_type, status FROM system_event_catalog ORDER BY event_type;"),
        expected
    );
    assert_eq!(
        db.run("SELECT count(*) FROM system_event_schemas;").trim(),
        "3"
    );
    assert_eq!(db.apply(&after[0]), 0, "deprecating is idempotent too");

    if let Some(pg) = Pg::new() {
        pg.apply(&before[1]);
        pg.apply(&script(&other, Dialect::Postgres));
        pg.apply(&after[1]);
        assert_eq!(
            pg.query(
                "SELECT event_type || '|' || status FROM system_event_catalog ORDER BY event_type"
            ),
            expected
        );
        assert_eq!(
            pg.query("SELECT count(*) FROM system_event_schemas").trim(),
            "3"
        );
    }
}

/// A catalog whose event description is `text`.
fn with_description(text: &str) -> tempfile::TempDir {
    let catalog = copy(&repo().join("tests/fixtures/codegen/minimal"));
    edit(
        &catalog.path().join("events/events.toml"),
        "description = \"A note was added.\"",
        &format!("description = {}", toml_string(text)),
    );
    catalog
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn stored_hex(text: &str, pg: Option<&Pg>) -> (String, Option<String>) {
    let catalog = with_description(text);
    let db = Lite::new();
    db.apply(&script(catalog.path(), Dialect::Sqlite));
    let lite = db
        .run("SELECT hex(description) FROM system_event_catalog;")
        .trim()
        .to_lowercase();
    let pg = pg.map(|pg| {
        pg.query(
            "DROP TABLE IF EXISTS system_event_catalog; DROP TABLE IF EXISTS system_event_schemas;",
        );
        pg.apply(&script(catalog.path(), Dialect::Postgres));
        pg.query("SELECT encode(convert_to(description, 'UTF8'), 'hex') FROM system_event_catalog")
            .trim()
            .to_owned()
    });
    (lite, pg)
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn text_is_stored_exactly() {
    if missing("sqlite3") {
        return;
    }
    let pg = Pg::new();
    for text in [
        "it's \"quoted\" -- not a comment; /* nor this */ $$ nor $tag$ \\ backslash \\n",
        "emoji 🎟️ and CJK 票 and RTL עברית, tab\tand newline\nand CR\r",
        &"long text ".repeat(2000),
        "'); DROP TABLE system_event_catalog; --",
        // The sqlite3 shell drops a CR at a line end, even inside a literal.
        "\u{2060}\r\n",
        "CRLF line ends\r\nacross\r\nlines\r",
    ] {
        let (lite, pg) = stored_hex(text, pg.as_ref());
        assert_eq!(lite, hex(text), "SQLite changed {text:?}");
        if let Some(pg) = pg {
            assert_eq!(pg, hex(text), "PostgreSQL changed {text:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any NUL-free unicode text goes through the SQL into both databases
    /// and back byte-equal.
    #[test]
    fn any_text_round_trips_through_both_databases(text in "[^\u{0}\\s][^\u{0}]{0,39}") {
        if missing("sqlite3") {
            return Ok(());
        }
        let pg = Pg::new();
        let (lite, stored) = stored_hex(&text, pg.as_ref());
        prop_assert_eq!(lite, hex(&text));
        if let Some(stored) = stored {
            prop_assert_eq!(stored, hex(&text));
        }
    }
}

/// A NUL, which neither database stores, is refused by `check` already
/// (it once passed `check` and only `migrate` refused it).
#[test]
fn nul_is_refused_with_a_clear_error() {
    let catalog = with_description("a\u{0}b");
    let report = Catalog::check(catalog.path());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("NUL"))
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert!(d.is_error() && d.primary.is_some(), "{d:#?}");
}

/// The `evreg` program with `args`, free of the caller's catalog and
/// database settings.
fn evreg_output(args: &[&str]) -> std::process::Output {
    use assert_cmd::cargo::CommandCargoExt;
    Command::cargo_bin("evreg")
        .unwrap()
        .env_remove("EVREG_CATALOG")
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .unwrap()
}

/// `evreg migrate --apply` and `--check --database-url` on both databases:
/// counts, drift named by kind and field, exit codes.
#[test]
fn apply_and_check_through_the_command() {
    let evreg = |args: &[&str]| {
        let out = evreg_output(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let lite = Lite::new();
    // An empty file is an empty SQLite database (one that does not exist
    // is an error without `--create`).
    std::fs::File::create(&lite.file).unwrap();
    let mut urls = vec![format!("sqlite://{}", lite.file.display())];
    let pg = Pg::new();
    if let Some(pg) = &pg {
        urls.push(pg.schema_url());
    }
    for url in &urls {
        let catalog = copy(&repo().join("tests/fixtures/codegen/nested"));
        let dir = catalog.path().to_str().unwrap();
        let db = ["--database-url", url.as_str()];
        let run = |extra: &[&str]| evreg(&[&["migrate", dir], extra, &db].concat());

        let (code, text) = run(&["--check"]);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains("`ORDER_PLACED` is missing"), "{text}");

        let (code, text) = run(&["--apply"]);
        assert_eq!(code, Some(0), "{text}");
        assert!(
            text.contains("4 inserted, 0 updated, 0 deprecated, 0 unchanged"),
            "{text}"
        );
        let (_, text) = run(&["--apply"]);
        assert!(
            text.contains("0 inserted, 0 updated, 0 deprecated, 4 unchanged"),
            "{text}"
        );
        assert_eq!(run(&["--check"]).0, Some(0));

        let events = catalog.path().join("events/events.toml");
        edit(
            &events,
            "description = \"Money went back.\"",
            "description = \"Money was returned.\"",
        );
        let (code, text) = run(&["--check"]);
        assert_eq!(code, Some(1), "{text}");
        assert!(
            text.contains("`ORDER_REFUNDED` differs in description"),
            "{text}"
        );
        let (_, text) = run(&["--apply"]);
        assert!(
            text.contains("0 inserted, 1 updated, 0 deprecated, 3 unchanged"),
            "{text}"
        );

        // A schema change: both its row and the event's fingerprint drift.
        let refunded = catalog.path().join("schemas/order-refunded.v1.json");
        edit(
            &refunded,
            "\"additionalProperties\": false,",
            "\"additionalProperties\": false,\n  \"description\": \"A refund.\",",
        );
        let (code, text) = run(&["--check"]);
        assert_eq!(code, Some(1), "{text}");
        assert!(
            text.contains("`ORDER_REFUNDED` differs in schema_fingerprint"),
            "{text}"
        );
        assert!(
            text.contains("`payload.OrderRefunded.v1` differs in fingerprint, schema"),
            "{text}"
        );
        let (_, text) = run(&["--apply"]);
        assert!(
            text.contains("0 inserted, 2 updated, 0 deprecated, 2 unchanged"),
            "{text}"
        );

        let toml = std::fs::read_to_string(&events).unwrap();
        let cut = toml.find("[[events]]\ntype = \"ORDER_REFUNDED\"").unwrap();
        std::fs::write(&events, &toml[..cut]).unwrap();
        let (code, text) = run(&["--check"]);
        assert_eq!(code, Some(1), "{text}");
        assert!(
            text.contains("`ORDER_REFUNDED` is no longer in the catalog but is not deprecated"),
            "{text}"
        );
        let (_, text) = run(&["--apply"]);
        assert!(
            text.contains("0 inserted, 0 updated, 1 deprecated, 3 unchanged"),
            "{text}"
        );
        assert_eq!(
            run(&["--check"]).0,
            Some(0),
            "a deprecated row is not drift"
        );
    }
    let shipped = repo().join("catalog");
    let shipped = shipped.to_str().unwrap();
    let (code, text) = evreg(&["migrate", shipped, "--check", "--database-url", "mysql://x"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not a database URL"), "{text}");
}

/// `evreg migrate --bus`: the bus's tables next to the catalog's, through
/// the script (run twice: idempotent) and through `--apply` (twice), on both
/// databases; on PostgreSQL with row-level security enabled on each.
#[test]
fn the_bus_tables_come_with_bus() {
    let evreg = |args: &[&str]| {
        let out = evreg_output(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let dir = repo().join("tests/fixtures/codegen/nested");
    let dir = dir.to_str().unwrap();
    let tables = [
        "system_event_attempts",
        "system_event_consumers",
        "system_event_cooldowns",
        "system_event_deliveries",
        "system_events",
    ];

    let lite = Lite::new();
    let script = evreg(&["migrate", dir, "--dialect", "sqlite", "--bus"]);
    lite.run(&script);
    lite.run(&script);
    let listed = lite.run(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'system_event%' ORDER BY name;",
    );
    let mut want: Vec<&str> = tables.to_vec();
    want.extend(["system_event_catalog", "system_event_schemas"]);
    want.sort();
    assert_eq!(listed.lines().collect::<Vec<_>>(), want);
    let applied = Lite::new();
    let url = format!("sqlite://{}", applied.file.display());
    evreg(&[
        "migrate",
        dir,
        "--bus",
        "--apply",
        "--create",
        "--database-url",
        &url,
    ]);
    evreg(&["migrate", dir, "--bus", "--apply", "--database-url", &url]);
    assert_eq!(
        applied
            .run("SELECT count(*) FROM sqlite_master WHERE name = 'system_events';")
            .trim(),
        "1"
    );

    let Some(pg) = Pg::new() else { return };
    let script = evreg(&["migrate", dir, "--dialect", "postgres", "--bus"]);
    pg.apply(&script);
    pg.apply(&script);
    let rls = pg.query(&format!(
        "SELECT relname || ' ' || relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = '{}' AND relkind = 'r' AND relname LIKE 'system_event%' ORDER BY relname",
        pg.schema
    ));
    assert_eq!(
        rls.lines().collect::<Vec<_>>(),
        [
            "system_event_attempts true",
            "system_event_catalog false",
            "system_event_consumers false",
            "system_event_cooldowns true",
            "system_event_deliveries true",
            "system_event_schemas false",
            "system_events true",
        ]
    );
    let other = Pg::new().unwrap();
    let url = other.schema_url();
    evreg(&[
        "migrate",
        dir,
        "--bus",
        "--apply",
        "--create",
        "--database-url",
        &url,
    ]);
    evreg(&["migrate", dir, "--bus", "--apply", "--database-url", &url]);
    assert_eq!(
        other.query("SELECT count(*) FROM pg_policies WHERE policyname = 'evreg_tenant_isolation' AND schemaname = current_schema()").trim(),
        "4"
    );
}

/// Two catalogs share the tables and both declare `NOTE_ADDED`: the second
/// never changes the first one's rows. Its script stops before writing (on
/// both databases), `--apply` refuses naming the row and its catalog, and
/// `--check` reports the row as another catalog's.
#[test]
fn another_catalogs_rows_are_never_changed() {
    if missing("sqlite3") {
        return;
    }
    let theirs = repo().join("tests/fixtures/codegen/minimal");
    let ours = copy(&theirs);
    edit(
        &ours.path().join("catalog.toml"),
        "name = \"minimal\"",
        "name = \"intruder\"",
    );
    edit(
        &ours.path().join("events/events.toml"),
        "description = \"",
        "description = \"Rewritten by another team. ",
    );
    let rows = "SELECT event_type, catalog, description FROM system_event_catalog;";

    let lite = Lite::new();
    lite.apply(&script(&theirs, Dialect::Sqlite));
    let before = lite.run(rows);
    assert!(before.contains("NOTE_ADDED|minimal|"), "{before}");
    let mut cmd = Command::new("sqlite3");
    cmd.args(["-bail", "-batch"]).arg(&lite.file);
    let out = run(cmd, &script(ours.path(), Dialect::Sqlite));
    assert!(!out.status.success(), "the script stopped");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("belongs to another catalog"),
        "{out:?}"
    );
    assert_eq!(lite.run(rows), before, "their row is unchanged");

    let url = format!("sqlite://{}", lite.file.display());
    let dir = ours.path().to_str().unwrap();
    let out = evreg_output(&["migrate", dir, "--apply", "--database-url", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`NOTE_ADDED` (system_event_catalog, of `minimal`)")
            && stderr.contains("`payload.NoteAdded.v1` (system_event_schemas, of `minimal`)")
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(lite.run(rows), before, "their row is unchanged");
    let out = evreg_output(&["migrate", dir, "--check", "--database-url", &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains(
            "drift: system_event_catalog: `NOTE_ADDED` is a row of the `minimal` catalog, which `--apply` never changes"
        ),
        "{stdout}"
    );

    if let Some(pg) = Pg::new() {
        pg.apply(&script(&theirs, Dialect::Postgres));
        let rows =
            "SELECT event_type || '|' || catalog || '|' || description FROM system_event_catalog";
        let before = pg.query(rows);
        let out = evreg_output(&[
            "migrate",
            dir,
            "--apply",
            "--database-url",
            &pg.schema_url(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert_eq!(pg.query(rows), before);
        // The script as psql runs it: the guard raises, naming the row.
        let mut cmd = Command::new("psql");
        cmd.args([pg.schema_url().as_str(), "-v", "ON_ERROR_STOP=1", "-q"]);
        let out = run(cmd, &script(ours.path(), Dialect::Postgres));
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(
                "`NOTE_ADDED` belongs to the `minimal` catalog, and the `intruder` catalog never changes another catalog's rows"
            ),
            "{out:?}"
        );
        assert_eq!(pg.query(rows), before);
    }
}

/// `--apply` never writes into a database it made up: an in-memory SQLite
/// database or a file that does not exist (a mistyped path) is an error,
/// unless `--create` asks for a new file. `--check` never creates one.
#[test]
fn apply_refuses_a_database_it_would_create() {
    let catalog = repo().join("tests/fixtures/codegen/minimal");
    let dir = catalog.to_str().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("typo.db");
    let url = format!("sqlite://{}", file.display());
    for memory in ["sqlite::memory:", "sqlite://:memory:", "sqlite://"] {
        let out = evreg_output(&["migrate", dir, "--apply", "--database-url", memory]);
        assert_eq!(out.status.code(), Some(2), "{memory}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("in-memory SQLite database"));
    }
    for mode in ["--apply", "--check"] {
        let out = evreg_output(&["migrate", dir, mode, "--database-url", &url]);
        assert_eq!(out.status.code(), Some(2), "{mode}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("does not exist; pass --create"),
            "{out:?}"
        );
        assert!(!file.exists(), "{mode} created {}", file.display());
    }
    let out = evreg_output(&[
        "migrate",
        dir,
        "--apply",
        "--create",
        "--database-url",
        &url,
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(file.exists());
    let out = evreg_output(&["migrate", dir, "--check", "--database-url", &url]);
    assert!(out.status.success(), "{out:?}");
}

/// A database's refusal is shown as the server said it, with its SQLSTATE
/// (or SQLite's code) and where the server is, and never the password of
/// the URL.
#[test]
fn database_errors_name_the_server_and_its_code_never_the_password() {
    let catalog = repo().join("tests/fixtures/codegen/minimal");
    let dir = catalog.to_str().unwrap();
    let secret = "hunter2-not-shown";
    let stderr = |url: &str, code: i32| {
        let out = evreg_output(&["migrate", dir, "--check", "--database-url", url]);
        assert_eq!(out.status.code(), Some(code), "{url}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains(secret), "{stderr}");
        stderr
    };

    // Nobody listens on port 1.
    let refused = stderr(&format!("postgres://evreg:{secret}@127.0.0.1:1/test"), 2);
    assert!(
        refused.contains("PostgreSQL at `evreg@127.0.0.1:1/test`: error connecting to server: "),
        "{refused}"
    );

    let scratch = tempfile::tempdir().unwrap();
    let not_a_db = scratch.path().join("notes.txt");
    std::fs::write(
        &not_a_db,
        "not a database, but long enough to have a header".repeat(20),
    )
    .unwrap();
    let sqlite = stderr(&format!("sqlite://{}", not_a_db.display()), 2);
    assert!(
        sqlite.contains(&format!(
            "SQLite at `{}`: file is not a database (SQLite code 26)",
            not_a_db.display()
        )),
        "{sqlite}"
    );

    let Some(pg) = Pg::new() else { return };
    // The server of the test URL, asked for a database it does not have.
    let server = pg
        .url
        .split('@')
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap();
    let url = format!("postgres://postgres:{secret}@{server}/evreg_no_such_database");
    let absent = stderr(&url, 2);
    assert!(
        absent.contains(&format!(
            "PostgreSQL at `postgres@{server}/evreg_no_such_database`: FATAL: database \"evreg_no_such_database\" does not exist (SQLSTATE 3D000)"
        )),
        "{absent}"
    );
}
