//! SQL for the database's copy of the catalog: the tables and an idempotent
//! upsert of every event and payload version, for PostgreSQL and SQLite.
//!
//! The script runs in one transaction. Applying it twice changes nothing: a
//! row is rewritten only when one of its fields differs (`updated_at` moves
//! only then). It never deletes: an event of this catalog that left it
//! becomes `deprecated`; rows of other catalogs sharing the table are left
//! alone. Text is written as SQL string literals with quotes doubled, with
//! `standard_conforming_strings` on, so every character reaches the table as
//! it is (NUL, which neither database stores in text, is refused).

use std::collections::HashMap;
use std::fmt::Write as _;

use evreg_core::Catalog;
use evreg_core::fingerprint::{canonical_json, fingerprint};
use serde_json::Value;

pub use evreg_core::sql::Dialect;

/// The bus's tables (audit trail, consumers, deliveries, attempts,
/// cooldowns; on PostgreSQL with row-level-security policies), as one
/// idempotent transaction: what `evreg migrate --bus` adds to the script.
pub fn render_bus(dialect: Dialect) -> String {
    format!("BEGIN;\n{}COMMIT;\n", evreg_core::sql::bus_ddl(dialect))
}

/// Why a catalog cannot be written as SQL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} contains a NUL character, which a database cannot store in text")]
pub struct SqlError {
    /// Which value.
    pub what: String,
}

/// One row of the events table, as the catalog wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// `TICKET_CREATED` (the key).
    pub event_type: String,
    /// The managing catalog's name.
    pub catalog: String,
    /// As declared.
    pub name: String,
    /// As declared.
    pub description: String,
    /// As declared.
    pub category: String,
    /// As declared.
    pub owner: Option<String>,
    /// `active`, `catalog-only`, `deprecated`.
    pub status: String,
    /// The replacing event type.
    pub replaced_by: Option<String>,
    /// JSON array of former names.
    pub aliases: Value,
    /// The latest version's ref.
    pub payload_schema_ref: String,
    /// Fingerprint of the latest version's schema.
    pub schema_fingerprint: String,
}

/// One row of the schemas table, as the catalog wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaRow<'c> {
    /// `payload.TicketCreated.v1` (the key).
    pub schema_ref: String,
    /// The managing catalog's name.
    pub catalog: String,
    /// The event type.
    pub event_type: String,
    /// The version.
    pub version: u32,
    /// The resolved schema.
    pub schema: &'c Value,
    /// Its fingerprint.
    pub fingerprint: String,
    /// JSON array of the examples.
    pub examples: Value,
}

/// The rows the catalog wants in its two tables.
pub fn rows(catalog: &Catalog) -> (Vec<EventRow>, Vec<SchemaRow<'_>>) {
    let name = catalog.name().to_owned();
    let versions: Vec<_> = catalog.versions().collect();
    // Fingerprints hash every schema's canonical text: spread over the cores.
    let schemas: Vec<SchemaRow> = evreg_core::catalog::par_map(&versions, |(e, v)| SchemaRow {
        schema_ref: v.schema_ref.clone(),
        catalog: name.clone(),
        event_type: e.event_type.clone(),
        version: v.version,
        schema: &v.schema,
        fingerprint: fingerprint(&v.schema),
        examples: Value::from(
            v.examples
                .iter()
                .map(|x| x.payload.clone())
                .collect::<Vec<_>>(),
        ),
    });
    let fingerprints: HashMap<&str, &str> = schemas
        .iter()
        .map(|s| (s.schema_ref.as_str(), s.fingerprint.as_str()))
        .collect();
    let events = catalog
        .events()
        .iter()
        .map(|e| {
            let latest = e.latest().expect("a loaded event has a version");
            EventRow {
                event_type: e.event_type.clone(),
                catalog: name.clone(),
                name: e.name.clone(),
                description: e.description.clone(),
                category: e.category.clone(),
                owner: e.owner.clone(),
                status: e.status.as_str().to_owned(),
                replaced_by: e.replaced_by.clone(),
                aliases: Value::from(e.aliases.clone()),
                payload_schema_ref: latest.schema_ref.clone(),
                schema_fingerprint: fingerprints
                    .get(latest.schema_ref.as_str())
                    .map_or_else(|| fingerprint(&latest.schema), |f| (*f).to_owned()),
            }
        })
        .collect();
    (events, schemas)
}

/// The columns of the events table, after `event_type`.
const EVENT_COLUMNS: &[&str] = &[
    "catalog",
    "name",
    "description",
    "category",
    "owner",
    "status",
    "replaced_by",
    "aliases",
    "payload_schema_ref",
    "schema_fingerprint",
];

/// The columns of the schemas table, after `schema_ref`.
const SCHEMA_COLUMNS: &[&str] = &[
    "catalog",
    "event_type",
    "version",
    "schema",
    "fingerprint",
    "examples",
];

/// The migration script of `catalog`: tables, indexes, upserts, deprecations.
pub fn render(catalog: &Catalog, dialect: Dialect) -> Result<String, SqlError> {
    let sql = &catalog.manifest().sql;
    let (events_table, schemas_table) = (sql.table.as_str(), sql.schema_table.as_str());
    let name = catalog.name();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- @generated by evreg {} from the `{name}` catalog ({} events, {} payload versions).\n\
         -- Idempotent: applying it again changes no row. Never deletes: events that left\n\
         -- the catalog become `deprecated`.\n",
        env!("CARGO_PKG_VERSION"),
        catalog.events().len(),
        catalog.versions().count()
    );
    out.push_str("BEGIN;\n");
    if dialect == Dialect::Postgres {
        out.push_str("SET LOCAL standard_conforming_strings = on;\n");
    }
    out.push('\n');
    out.push_str(&ddl(dialect, events_table, schemas_table));

    let (events, schemas) = rows(catalog);
    out.push_str(&guard(
        dialect,
        (events_table, schemas_table),
        name,
        &events,
        &schemas,
    )?);
    out.push_str(&upsert_events(dialect, events_table, &events)?);
    out.push_str(&deprecate(dialect, events_table, name, &events));
    out.push('\n');
    out.push_str(&upsert_schemas(dialect, schemas_table, &schemas)?);
    out.push_str("COMMIT;\n");
    Ok(out)
}

/// The statements that stop the script, before it writes anything, when a
/// row it would write belongs to another catalog (two catalogs sharing
/// tables and declaring one event type): a catalog never changes another
/// catalog's rows. PostgreSQL raises an exception naming the row; SQLite,
/// which has no procedural SQL, fails a named `CHECK`.
pub fn guard(
    dialect: Dialect,
    (events_table, schemas_table): (&str, &str),
    catalog: &str,
    events: &[EventRow],
    schemas: &[SchemaRow<'_>],
) -> Result<String, SqlError> {
    let list = |keys: Vec<&str>| -> Result<Option<String>, SqlError> {
        let quoted: Result<Vec<String>, SqlError> =
            keys.iter().map(|k| text(dialect, k, "a key")).collect();
        let quoted = quoted?;
        if quoted.iter().any(|q| q.contains(GUARD_TAG)) {
            return Err(SqlError {
                what: format!("a key holding `{GUARD_TAG}`"),
            });
        }
        Ok((!quoted.is_empty()).then(|| quoted.join(", ")))
    };
    let tables = [
        (
            events_table,
            "event_type",
            list(events.iter().map(|e| e.event_type.as_str()).collect())?,
        ),
        (
            schemas_table,
            "schema_ref",
            list(schemas.iter().map(|s| s.schema_ref.as_str()).collect())?,
        ),
    ];
    let name = quote(catalog);
    let mut out = String::from(
        "-- A row another catalog manages is never changed: stop here if one of
         -- this catalog's keys is already another catalog's.
",
    );
    match dialect {
        Dialect::Postgres => {
            let mut lookups = Vec::new();
            for (table, key, keys) in &tables {
                if let Some(keys) = keys {
                    lookups.push(format!(
                        "  IF other IS NULL THEN
                             SELECT {key} AS key, catalog INTO other FROM {table}
                             WHERE catalog <> {name} AND {key} IN ({keys}) LIMIT 1;
                           END IF;
"
                    ));
                }
            }
            if lookups.is_empty() {
                return Ok(String::new());
            }
            let _ = write!(
                out,
                "DO {GUARD_TAG}
DECLARE other record;
BEGIN
{}                   IF other IS NOT NULL THEN
                     RAISE EXCEPTION 'evreg: `%` belongs to the `%` catalog, and the `%` catalog never changes another catalog''s rows', other.key, other.catalog, {name};
                   END IF;
END
{GUARD_TAG};

",
                lookups.concat()
            );
        }
        Dialect::Sqlite => {
            out.push_str(
                "CREATE TEMP TABLE IF NOT EXISTS evreg_guard (
                     key TEXT CONSTRAINT \"a key of this catalog belongs to another catalog, whose rows evreg never changes\" CHECK (key IS NULL)
                 );
",
            );
            for (table, key, keys) in &tables {
                if let Some(keys) = keys {
                    let _ = writeln!(
                        out,
                        "INSERT INTO evreg_guard SELECT {key} FROM {table}
WHERE catalog <> {name} AND {key} IN ({keys});"
                    );
                }
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// The dollar quote of the PostgreSQL guard's body.
const GUARD_TAG: &str = "$evreg_guard$";

/// The upsert of these event rows (empty when there are none).
pub fn upsert_events(
    dialect: Dialect,
    table: &str,
    events: &[EventRow],
) -> Result<String, SqlError> {
    let mut values = Vec::new();
    for e in events {
        let what = |field: &str| format!("the {field} of {}", e.event_type);
        let row = [
            text(dialect, &e.event_type, "an event type")?,
            text(dialect, &e.catalog, "the catalog name")?,
            text(dialect, &e.name, &what("name"))?,
            text(dialect, &e.description, &what("description"))?,
            text(dialect, &e.category, &what("category"))?,
            optional(dialect, e.owner.as_deref(), &what("owner"))?,
            text(dialect, &e.status, "a status")?,
            optional(dialect, e.replaced_by.as_deref(), &what("replacement"))?,
            json(&e.aliases, dialect, &what("aliases"))?,
            text(dialect, &e.payload_schema_ref, "a schema ref")?,
            text(dialect, &e.schema_fingerprint, "a fingerprint")?,
        ];
        values.push(format!("    ({})", row.join(", ")));
    }
    Ok(upsert(dialect, table, "event_type", EVENT_COLUMNS, &values))
}

/// The upsert of these schema rows (empty when there are none).
pub fn upsert_schemas(
    dialect: Dialect,
    table: &str,
    schemas: &[SchemaRow<'_>],
) -> Result<String, SqlError> {
    let mut values = Vec::new();
    for v in schemas {
        let what = |field: &str| format!("the {field} of {}", v.schema_ref);
        let row = [
            text(dialect, &v.schema_ref, "a schema ref")?,
            text(dialect, &v.catalog, "the catalog name")?,
            text(dialect, &v.event_type, "an event type")?,
            v.version.to_string(),
            json(v.schema, dialect, &what("schema"))?,
            text(dialect, &v.fingerprint, "a fingerprint")?,
            json(&v.examples, dialect, &what("examples"))?,
        ];
        values.push(format!("    ({})", row.join(", ")));
    }
    Ok(upsert(
        dialect,
        table,
        "schema_ref",
        SCHEMA_COLUMNS,
        &values,
    ))
}

/// The statement deprecating this catalog's events that are not in `events`.
pub fn deprecate(dialect: Dialect, table: &str, catalog: &str, events: &[EventRow]) -> String {
    let kept = if events.is_empty() {
        String::new()
    } else {
        let types: Vec<String> = events.iter().map(|e| quote(&e.event_type)).collect();
        format!("\n  AND event_type NOT IN ({})", types.join(", "))
    };
    format!(
        "-- Events of this catalog that left it are deprecated, never deleted.\n\
         UPDATE {table} SET status = 'deprecated', updated_at = {now}\n\
         WHERE catalog = {catalog} AND status <> 'deprecated'{kept};\n",
        now = now(dialect),
        catalog = quote(catalog),
    )
}

/// The tables of the catalog (`CREATE TABLE IF NOT EXISTS`, with their indexes).
pub fn ddl(dialect: Dialect, events: &str, schemas: &str) -> String {
    let (json, time, default_now) = match dialect {
        Dialect::Postgres => ("JSONB", "TIMESTAMPTZ", "now()"),
        Dialect::Sqlite => ("TEXT", "TEXT", "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"),
    };
    let index = |table: &str, column: &str| {
        let name = format!("{}_{column}_idx", table.replace('.', "_"));
        format!("CREATE INDEX IF NOT EXISTS {name} ON {table} ({column});\n")
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {events} (\n\
         \x20   event_type TEXT PRIMARY KEY,\n\
         \x20   catalog TEXT NOT NULL,\n\
         \x20   name TEXT NOT NULL,\n\
         \x20   description TEXT NOT NULL,\n\
         \x20   category TEXT NOT NULL,\n\
         \x20   owner TEXT,\n\
         \x20   status TEXT NOT NULL,\n\
         \x20   replaced_by TEXT,\n\
         \x20   aliases {json} NOT NULL,\n\
         \x20   payload_schema_ref TEXT NOT NULL,\n\
         \x20   schema_fingerprint TEXT NOT NULL,\n\
         \x20   created_at {time} NOT NULL DEFAULT {default_now},\n\
         \x20   updated_at {time} NOT NULL DEFAULT {default_now}\n\
         );\n{}\
         CREATE TABLE IF NOT EXISTS {schemas} (\n\
         \x20   schema_ref TEXT PRIMARY KEY,\n\
         \x20   catalog TEXT NOT NULL,\n\
         \x20   event_type TEXT NOT NULL,\n\
         \x20   version INTEGER NOT NULL,\n\
         \x20   schema {json} NOT NULL,\n\
         \x20   fingerprint TEXT NOT NULL,\n\
         \x20   examples {json} NOT NULL,\n\
         \x20   created_at {time} NOT NULL DEFAULT {default_now},\n\
         \x20   updated_at {time} NOT NULL DEFAULT {default_now}\n\
         );\n{}{}\n",
        index(events, "catalog"),
        index(schemas, "catalog"),
        index(schemas, "event_type"),
    )
}

/// `INSERT … ON CONFLICT (key) DO UPDATE … WHERE <some column differs>`.
fn upsert(dialect: Dialect, table: &str, key: &str, columns: &[&str], rows: &[String]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let all: Vec<&str> = std::iter::once(key)
        .chain(columns.iter().copied())
        .collect();
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .chain(std::iter::once(format!("updated_at = {}", now(dialect))))
        .collect();
    let differs = match dialect {
        Dialect::Postgres => format!(
            "({}) IS DISTINCT FROM ({})",
            columns
                .iter()
                .map(|c| format!("t.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            columns
                .iter()
                .map(|c| format!("excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Dialect::Sqlite => columns
            .iter()
            .map(|c| format!("t.{c} IS NOT excluded.{c}"))
            .collect::<Vec<_>>()
            .join("\n   OR "),
    };
    format!(
        "INSERT INTO {table} AS t ({})\nVALUES\n{}\nON CONFLICT ({key}) DO UPDATE SET\n    {}\nWHERE t.catalog = excluded.catalog AND ({differs});\n\n",
        all.join(", "),
        rows.join(",\n"),
        set.join(",\n    "),
    )
}

fn now(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "now()",
        Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    }
}

/// A SQL string literal: single quotes doubled, nothing else escaped.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A text value as SQL. A carriage return is written as `chr(13)` /
/// `char(13)` between quoted parts: the `sqlite3` shell drops a CR that ends
/// a script line, even inside a string literal.
fn text(dialect: Dialect, s: &str, what: &str) -> Result<String, SqlError> {
    if s.contains('\0') {
        return Err(SqlError {
            what: what.to_owned(),
        });
    }
    if !s.contains('\r') {
        return Ok(quote(s));
    }
    let cr = match dialect {
        Dialect::Postgres => " || chr(13) || ",
        Dialect::Sqlite => " || char(13) || ",
    };
    let parts: Vec<String> = s.split('\r').map(quote).collect();
    Ok(format!("({})", parts.join(cr)))
}

fn optional(dialect: Dialect, s: Option<&str>, what: &str) -> Result<String, SqlError> {
    match s {
        Some(s) => text(dialect, s, what),
        None => Ok("NULL".to_owned()),
    }
}

/// JSON as a literal: canonical text (so equal values compare equal as
/// SQLite text), cast to `jsonb` on PostgreSQL.
fn json(value: &Value, dialect: Dialect, what: &str) -> Result<String, SqlError> {
    let text = canonical_json(value);
    // `\u0000` in JSON text is a NUL once parsed: jsonb refuses it.
    if text.contains("\\u0000") {
        return Err(SqlError {
            what: what.to_owned(),
        });
    }
    let literal = quote(&text);
    Ok(match dialect {
        Dialect::Postgres => format!("{literal}::jsonb"),
        Dialect::Sqlite => literal,
    })
}
