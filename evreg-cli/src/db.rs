//! A live database's copy of the catalog: applying the migration script and
//! checking the tables for drift, on PostgreSQL (`postgres://…`) or SQLite
//! (`sqlite://path` or `sqlite:path`).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use evreg_core::Catalog;
use evreg_core::fingerprint::canonical_json;
use serde_json::Value;
use sha2::{Digest, Sha256};

use evreg_codegen::sql::{self, Dialect, EventRow, SchemaRow};

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no database evreg knows.
    #[error("`{0}` is not a database URL: use postgres://… or sqlite://path")]
    Url(String),
    /// PostgreSQL refused: the server's message with its SQLSTATE, or why
    /// it could not be reached.
    #[error("PostgreSQL{}: {}", at_text(at), postgres_text(source))]
    Postgres {
        /// Where the server is ([`endpoint`]), once known.
        at: String,
        /// What the client said.
        source: postgres::Error,
    },
    /// SQLite refused.
    #[error("SQLite{}: {}", at_text(at), sqlite_text(source))]
    Sqlite {
        /// The database file, once known.
        at: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The catalog cannot be written as SQL.
    #[error(transparent)]
    Sql(#[from] sql::SqlError),
    /// Rows the catalog would write belong to another catalog.
    #[error(
        "{} of the `{catalog}` catalog already belong{} to another catalog in this database: {}; \
         evreg never changes another catalog's rows (nothing was written). Give the event another \
         type, or give each catalog its own tables (`[sql] table` and `schema_table`)",
        if foreign.len() == 1 { "a key" } else { "keys" },
        if foreign.len() == 1 { "s" } else { "" },
        foreign.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", ")
    )]
    OtherCatalog {
        /// The catalog being applied.
        catalog: String,
        /// Its keys that another catalog's rows hold.
        foreign: Vec<Foreign>,
    },
    /// A SQLite database that does not exist, or one that lives in memory.
    #[error("{0}")]
    NoDatabase(String),
    /// A table to read does not exist.
    #[error("the database has no table `{0}` (name the tables with --table and --schema-table)")]
    NoTable(String),
    /// A row holds what evreg never writes there.
    #[error("{0}")]
    BadRow(String),
}

impl From<postgres::Error> for DbError {
    fn from(source: postgres::Error) -> Self {
        DbError::Postgres {
            at: String::new(),
            source,
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(source: rusqlite::Error) -> Self {
        DbError::Sqlite {
            at: String::new(),
            source,
        }
    }
}

impl DbError {
    /// The error, naming the database at `url` ([`endpoint`]: its host,
    /// port, database and user, never its password).
    pub fn at(mut self, url: &str) -> Self {
        if let DbError::Postgres { at, .. } | DbError::Sqlite { at, .. } = &mut self {
            *at = endpoint(url);
        }
        self
    }
}

/// Where the database of `url` is, fit to print: `user@host:port/database`
/// for PostgreSQL (every host of a list, a socket folder as it is), the
/// file's path for SQLite. The password is never part of it.
pub fn endpoint(url: &str) -> String {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return path.to_owned();
    }
    let Ok(config) = url.parse::<postgres::Config>() else {
        return "(an unreadable URL)".to_owned();
    };
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let host = match host {
                postgres::config::Host::Tcp(h) => h.clone(),
                postgres::config::Host::Unix(p) => p.display().to_string(),
            };
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_owned()
    } else {
        hosts.join(",")
    };
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("{user}{hosts}/{db}")
}

fn at_text(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!(" at `{at}`")
    }
}

/// The server's own words: severity, message, SQLSTATE, and its detail and
/// hint where it gave them; else why there was no answer.
fn postgres_text(e: &postgres::Error) -> String {
    let Some(db) = e.as_db_error() else {
        // The client's words, then each cause ("connection refused").
        let mut text = e.to_string();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            let c_text = c.to_string();
            if !text.contains(&c_text) {
                let _ = write!(text, ": {c_text}");
            }
            cause = c.source();
        }
        return text;
    };
    let mut text = format!(
        "{}: {} (SQLSTATE {})",
        db.severity(),
        db.message(),
        db.code().code()
    );
    if let Some(detail) = db.detail() {
        let _ = write!(text, "; detail: {detail}");
    }
    if let Some(hint) = db.hint() {
        let _ = write!(text, "; hint: {hint}");
    }
    text
}

/// SQLite's message with its extended result code.
fn sqlite_text(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => format!(
            "{} (SQLite code {})",
            message.as_deref().unwrap_or("error"),
            code.extended_code
        ),
        e => e.to_string(),
    }
}

/// A key of one catalog that a row of another catalog holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    /// The table.
    pub table: String,
    /// The row's key.
    pub key: String,
    /// The catalog whose row it is.
    pub catalog: String,
}

impl std::fmt::Display for Foreign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` ({}, of `{}`)", self.key, self.table, self.catalog)
    }
}

/// An open database.
pub enum Database {
    /// PostgreSQL.
    Postgres(Box<postgres::Client>),
    /// SQLite.
    Sqlite(rusqlite::Connection),
}

/// What an apply did, counted per table row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rows that did not exist.
    pub inserted: usize,
    /// Rows rewritten because a field changed.
    pub updated: usize,
    /// Events of this catalog that left it, now `deprecated`.
    pub deprecated: usize,
    /// Rows left as they were.
    pub unchanged: usize,
}

/// One way the database differs from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The catalog has it; the table does not.
    Missing {
        /// The table.
        table: String,
        /// The row's key.
        key: String,
    },
    /// The row differs in these fields.
    Differs {
        /// The table.
        table: String,
        /// The row's key.
        key: String,
        /// The columns that differ.
        fields: Vec<String>,
    },
    /// The table has a row of this catalog that the catalog no longer has,
    /// and it is not `deprecated`.
    Extra {
        /// The table.
        table: String,
        /// The row's key.
        key: String,
    },
    /// The catalog has it, and so does another catalog's row, which
    /// `--apply` will not change.
    Foreign(Foreign),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing { table, key } => write!(f, "{table}: `{key}` is missing"),
            Drift::Differs { table, key, fields } => {
                write!(f, "{table}: `{key}` differs in {}", fields.join(", "))
            }
            Drift::Extra { table, key } => write!(
                f,
                "{table}: `{key}` is no longer in the catalog but is not deprecated"
            ),
            Drift::Foreign(Foreign {
                table,
                key,
                catalog,
            }) => write!(
                f,
                "{table}: `{key}` is a row of the `{catalog}` catalog, which `--apply` never changes"
            ),
        }
    }
}

impl Database {
    /// Connects to `url`, an existing database.
    pub fn connect(url: &str) -> Result<Database, DbError> {
        Database::open(url, false)
    }

    /// Connects to `url`; a SQLite file that does not exist is created when
    /// `create` says so, and is an error otherwise. An in-memory SQLite
    /// database (`sqlite::memory:`, an empty path) is always an error: what
    /// evreg wrote there would be gone when it exits.
    pub fn open(url: &str, create: bool) -> Result<Database, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let client = postgres::Client::connect(url, postgres::NoTls)?;
            Ok(Database::Postgres(Box::new(client)))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            use rusqlite::OpenFlags;
            if path.is_empty() || path == ":memory:" || path.contains("mode=memory") {
                return Err(DbError::NoDatabase(format!(
                    "`{url}` is an in-memory SQLite database, gone when evreg exits: name a file (sqlite://path)"
                )));
            }
            let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if create {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
            } else if !std::path::Path::new(path).exists() {
                return Err(DbError::NoDatabase(format!(
                    "the SQLite database `{path}` does not exist; pass --create (with --apply) to make a new one there"
                )));
            }
            Ok(Database::Sqlite(rusqlite::Connection::open_with_flags(
                path, flags,
            )?))
        } else {
            Err(DbError::Url(url.to_owned()))
        }
    }

    /// The dialect of this database.
    pub fn dialect(&self) -> Dialect {
        match self {
            Database::Postgres(_) => Dialect::Postgres,
            Database::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// Applies the catalog to the tables, in one transaction: the same DDL,
    /// upserts and deprecation as the script of [`sql::render`], but only the
    /// rows that differ from the live ones are sent (the upserts keep their
    /// own "only when a field differs" guard, so the result is the same as
    /// applying the whole script). The tables are locked against concurrent
    /// writers while the live rows are compared.
    pub fn apply(&mut self, catalog: &Catalog) -> Result<Applied, DbError> {
        let dialect = self.dialect();
        let manifest = &catalog.manifest().sql;
        let (events_table, schemas_table) = (&manifest.table, &manifest.schema_table);
        let (events, schemas) = sql::rows(catalog);

        let begin = match dialect {
            Dialect::Postgres => format!(
                "BEGIN;\nSET LOCAL standard_conforming_strings = on;\n{}\
                 LOCK TABLE {events_table}, {schemas_table} IN SHARE ROW EXCLUSIVE MODE;\n",
                sql::ddl(dialect, events_table, schemas_table)
            ),
            Dialect::Sqlite => format!(
                "BEGIN IMMEDIATE;\n{}",
                sql::ddl(dialect, events_table, schemas_table)
            ),
        };
        self.batch(&begin)?;
        let result = self.apply_rows(catalog, events, schemas);
        match result {
            Ok(applied) => {
                self.batch("COMMIT;")?;
                Ok(applied)
            }
            Err(e) => {
                // The error is the one worth reporting; the rollback's own
                // failure (a broken connection) would only hide it.
                let _ = self.batch("ROLLBACK;");
                Err(e)
            }
        }
    }

    /// Creates the bus's tables and policies when they are missing
    /// ([`sql::render_bus`]), in one transaction.
    pub fn apply_bus(&mut self) -> Result<(), DbError> {
        self.batch(&sql::render_bus(self.dialect()))
    }

    /// The upserts of the rows that differ, and the deprecation, inside the
    /// transaction `apply` opened.
    fn apply_rows(
        &mut self,
        catalog: &Catalog,
        events: Vec<EventRow>,
        schemas: Vec<SchemaRow<'_>>,
    ) -> Result<Applied, DbError> {
        let dialect = self.dialect();
        let manifest = &catalog.manifest().sql;
        let (events_table, schemas_table) = (&manifest.table, &manifest.schema_table);
        let mut applied = Applied::default();

        let live = self.live_events(events_table)?;
        let live_schemas = self.schema_digests(schemas_table)?;
        let foreign: Vec<Foreign> = foreign(
            catalog.name(),
            events_table,
            events.iter().map(|e| e.event_type.as_str()),
            |k| live.get(k).map(|r| r.catalog.as_str()),
        )
        .chain(foreign(
            catalog.name(),
            schemas_table,
            schemas.iter().map(|s| s.schema_ref.as_str()),
            |k| live_schemas.get(k).map(|r| r.catalog.as_str()),
        ))
        .collect();
        if !foreign.is_empty() {
            return Err(DbError::OtherCatalog {
                catalog: catalog.name().to_owned(),
                foreign,
            });
        }
        let mut send = Vec::new();
        for want in &events {
            match live.get(&want.event_type) {
                None => applied.inserted += 1,
                Some(have) if event_differences(want, have).is_empty() => {
                    applied.unchanged += 1;
                    continue;
                }
                Some(_) => {}
            }
            send.push(want.clone());
        }
        let missing = applied.inserted;
        let written = self.execute(&sql::upsert_events(dialect, events_table, &send)?)?;
        applied.updated += written.saturating_sub(missing);
        applied.unchanged += send.len() - written.min(send.len());
        applied.deprecated = self.execute(&sql::deprecate(
            dialect,
            events_table,
            catalog.name(),
            &events,
        ))?;
        // Rows the catalog does not have (other catalogs', deprecated ones)
        // are counted too: every row of the table is in one count.
        let wanted: HashSet<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        let others = live.keys().filter(|k| !wanted.contains(k.as_str())).count();
        applied.unchanged += others - applied.deprecated.min(others);

        let live = live_schemas;
        let wanted: HashSet<&str> = schemas.iter().map(|s| s.schema_ref.as_str()).collect();
        applied.unchanged += live.keys().filter(|k| !wanted.contains(k.as_str())).count();
        // Spelling and hashing every schema is the costly part: every core.
        let same = evreg_core::catalog::par_map(&schemas, |want| {
            live.get(&want.schema_ref)
                .map(|have| have.differences(want, dialect).is_empty())
        });
        let mut send = Vec::new();
        let mut missing = 0;
        for (want, same) in schemas.into_iter().zip(same) {
            match same {
                None => missing += 1,
                Some(true) => {
                    applied.unchanged += 1;
                    continue;
                }
                Some(false) => {}
            }
            send.push(want);
        }
        let written = self.execute(&sql::upsert_schemas(dialect, schemas_table, &send)?)?;
        applied.inserted += missing;
        applied.updated += written.saturating_sub(missing);
        applied.unchanged += send.len() - written.min(send.len());
        Ok(applied)
    }

    /// Runs statements whose results are not needed.
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Database::Postgres(c) => c.batch_execute(sql)?,
            Database::Sqlite(c) => c.execute_batch(sql)?,
        }
        Ok(())
    }

    /// Runs one statement (or none, for empty text); the rows it changed.
    fn execute(&mut self, sql: &str) -> Result<usize, DbError> {
        if sql.is_empty() {
            return Ok(0);
        }
        Ok(match self {
            Database::Postgres(c) => c.execute(sql, &[])? as usize,
            Database::Sqlite(c) => c.execute(sql, [])?,
        })
    }

    /// How the tables differ from the catalog (empty when aligned).
    pub fn check(&mut self, catalog: &Catalog) -> Result<Vec<Drift>, DbError> {
        let (events, schemas) = sql::rows(catalog);
        let events_table = catalog.manifest().sql.table.clone();
        let schemas_table = catalog.manifest().sql.schema_table.clone();
        let mut drift = Vec::new();
        if !self.tables_exist(catalog)? {
            drift.extend(events.iter().map(|e| Drift::Missing {
                table: events_table.clone(),
                key: e.event_type.clone(),
            }));
            drift.extend(schemas.iter().map(|s| Drift::Missing {
                table: schemas_table.clone(),
                key: s.schema_ref.clone(),
            }));
            return Ok(drift);
        }

        let live = self.live_events(&events_table)?;
        for want in &events {
            match live.get(&want.event_type) {
                None => drift.push(Drift::Missing {
                    table: events_table.clone(),
                    key: want.event_type.clone(),
                }),
                Some(have) if have.catalog != want.catalog => drift.push(Drift::Foreign(Foreign {
                    table: events_table.clone(),
                    key: want.event_type.clone(),
                    catalog: have.catalog.clone(),
                })),
                Some(have) => {
                    let fields = event_differences(want, have);
                    if !fields.is_empty() {
                        drift.push(Drift::Differs {
                            table: events_table.clone(),
                            key: want.event_type.clone(),
                            fields,
                        });
                    }
                }
            }
        }
        for (key, have) in &live {
            let ours = have.catalog == catalog.name();
            if ours && have.status != "deprecated" && !events.iter().any(|e| &e.event_type == key) {
                drift.push(Drift::Extra {
                    table: events_table.clone(),
                    key: key.clone(),
                });
            }
        }

        let live = self.schema_digests(&schemas_table)?;
        for want in &schemas {
            let Some(have) = live.get(&want.schema_ref) else {
                drift.push(Drift::Missing {
                    table: schemas_table.clone(),
                    key: want.schema_ref.clone(),
                });
                continue;
            };
            if have.catalog != want.catalog {
                drift.push(Drift::Foreign(Foreign {
                    table: schemas_table.clone(),
                    key: want.schema_ref.clone(),
                    catalog: have.catalog.clone(),
                }));
                continue;
            }
            let mut fields = have.differences(want, self.dialect());
            if fields.iter().any(|f| f == "schema" || f == "examples") {
                // A digest differs; the values may still be equal, spelled
                // differently (a number with an exponent): compare them.
                let (schema, examples) = self.json_columns(&schemas_table, &want.schema_ref)?;
                fields.retain(|f| match f.as_str() {
                    "schema" => schema != *want.schema,
                    "examples" => examples != want.examples,
                    _ => true,
                });
            }
            if !fields.is_empty() {
                drift.push(Drift::Differs {
                    table: schemas_table.clone(),
                    key: want.schema_ref.clone(),
                    fields,
                });
            }
        }
        Ok(drift)
    }

    fn tables_exist(&mut self, catalog: &Catalog) -> Result<bool, DbError> {
        self.table_exists(&catalog.manifest().sql.table)
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        Ok(match self {
            Database::Postgres(c) => c
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
                .get(0),
            Database::Sqlite(c) => c.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )?,
        })
    }

    /// Every row of a query, each column as optional text.
    fn text_rows(
        &mut self,
        sql: &str,
        columns: usize,
    ) -> Result<Vec<Vec<Option<String>>>, DbError> {
        match self {
            Database::Postgres(c) => Ok(c
                .query(sql, &[])?
                .iter()
                .map(|row| {
                    (0..columns)
                        .map(|i| row.get::<_, Option<String>>(i))
                        .collect()
                })
                .collect()),
            Database::Sqlite(c) => {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt.query_map([], |row| {
                    (0..columns)
                        .map(|i| row.get::<_, Option<String>>(i))
                        .collect::<Result<Vec<_>, _>>()
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
        }
    }

    fn live_events(&mut self, table: &str) -> Result<BTreeMap<String, EventRow>, DbError> {
        let sql = format!(
            "SELECT event_type, catalog, name, description, category, owner, status, replaced_by, \
             CAST(aliases AS TEXT), payload_schema_ref, schema_fingerprint FROM {table}"
        );
        let rows = self.text_rows(&sql, 11)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let s = |i: usize| r[i].clone().unwrap_or_default();
                let row = EventRow {
                    event_type: s(0),
                    catalog: s(1),
                    name: s(2),
                    description: s(3),
                    category: s(4),
                    owner: r[5].clone(),
                    status: s(6),
                    replaced_by: r[7].clone(),
                    aliases: serde_json::from_str(&s(8)).unwrap_or(Value::Null),
                    payload_schema_ref: s(9),
                    schema_fingerprint: s(10),
                };
                (row.event_type.clone(), row)
            })
            .collect())
    }

    /// The schema rows with their JSON columns as digests (PostgreSQL: the
    /// SHA-256 of `jsonb`'s text) or text (SQLite), so that comparing them
    /// never moves or parses the schemas themselves.
    fn schema_digests(&mut self, table: &str) -> Result<BTreeMap<String, LiveSchema>, DbError> {
        let digest = |column: &str| match self.dialect() {
            Dialect::Postgres => {
                format!("encode(sha256(convert_to(CAST({column} AS TEXT), 'UTF8')), 'hex')")
            }
            Dialect::Sqlite => column.to_owned(),
        };
        let sql = format!(
            "SELECT schema_ref, catalog, event_type, CAST(version AS TEXT), fingerprint, {}, {} \
             FROM {table}",
            digest("schema"),
            digest("examples")
        );
        let rows = self.text_rows(&sql, 7)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut r = r.into_iter().map(Option::unwrap_or_default);
                let mut next = || r.next().unwrap_or_default();
                let key = next();
                let row = LiveSchema {
                    catalog: next(),
                    event_type: next(),
                    version: next(),
                    fingerprint: next(),
                    schema: next(),
                    examples: next(),
                };
                (key, row)
            })
            .collect())
    }

    /// Every catalog's rows of the two tables, read back: what `evreg
    /// import db` makes a catalog of. A table that does not exist is
    /// [`DbError::NoTable`].
    pub fn stored(
        &mut self,
        events_table: &str,
        schemas_table: &str,
    ) -> Result<(Vec<EventRow>, Vec<StoredSchema>), DbError> {
        for table in [events_table, schemas_table] {
            if !self.table_exists(table)? {
                return Err(DbError::NoTable(table.to_owned()));
            }
        }
        let events = self.live_events(events_table)?.into_values().collect();
        let sql = format!(
            "SELECT schema_ref, catalog, event_type, CAST(version AS TEXT), CAST(schema AS TEXT), \
             CAST(examples AS TEXT) FROM {schemas_table} ORDER BY schema_ref"
        );
        let mut schemas = Vec::new();
        for row in self.text_rows(&sql, 6)? {
            let text = |i: usize| row[i].clone().unwrap_or_default();
            let key = text(0);
            let json = |i: usize, what: &str| {
                serde_json::from_str::<Value>(&text(i)).map_err(|e| {
                    DbError::BadRow(format!(
                        "{schemas_table} `{key}`: its {what} is not JSON: {e}"
                    ))
                })
            };
            let version = text(3).parse::<u32>().map_err(|_| {
                DbError::BadRow(format!(
                    "{schemas_table} `{key}`: version `{}` is not a positive number",
                    text(3)
                ))
            })?;
            let examples = match json(5, "examples")? {
                Value::Array(items) => items,
                _ => {
                    return Err(DbError::BadRow(format!(
                        "{schemas_table} `{key}`: its examples are not a JSON array"
                    )));
                }
            };
            schemas.push(StoredSchema {
                catalog: text(1),
                event_type: text(2),
                version,
                schema: json(4, "schema")?,
                examples,
                schema_ref: key,
            });
        }
        Ok((events, schemas))
    }

    /// The schema and examples of one schema row, parsed.
    fn json_columns(&mut self, table: &str, key: &str) -> Result<(Value, Value), DbError> {
        let sql = format!(
            "SELECT CAST(schema AS TEXT), CAST(examples AS TEXT) FROM {table} WHERE schema_ref = {}",
            sql::quote(key)
        );
        let mut rows = self.text_rows(&sql, 2)?;
        let row = rows.pop().unwrap_or_default();
        let parse = |i: usize| {
            row.get(i)
                .cloned()
                .flatten()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null)
        };
        Ok((parse(0), parse(1)))
    }
}

/// A row of the schemas table, read back by [`Database::stored`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSchema {
    /// `payload.TicketCreated.v1`.
    pub schema_ref: String,
    /// The catalog the row belongs to.
    pub catalog: String,
    /// Its event type.
    pub event_type: String,
    /// Its version.
    pub version: u32,
    /// The payload schema as stored (bundled, base fields merged).
    pub schema: Value,
    /// The examples as stored.
    pub examples: Vec<Value>,
}

/// A live schema row, its JSON columns as [`Database::schema_digests`] reads them.
struct LiveSchema {
    catalog: String,
    event_type: String,
    version: String,
    fingerprint: String,
    schema: String,
    examples: String,
}

impl LiveSchema {
    /// The columns in which the row does not hold `want` (empty when it
    /// does). Equal text means equal values; a value the database spells
    /// differently (a number with an exponent) shows as differing here, so
    /// callers that must be exact compare the values themselves.
    fn differences(&self, want: &SchemaRow<'_>, dialect: Dialect) -> Vec<String> {
        let same = |live: &str, want: &Value| match dialect {
            Dialect::Postgres => {
                let digest = Sha256::digest(jsonb_text(want).as_bytes());
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                live == hex
            }
            Dialect::Sqlite => live == canonical_json(want),
        };
        let mut fields = Vec::new();
        let mut diff = |name: &str, differs: bool| {
            if differs {
                fields.push(name.to_owned());
            }
        };
        diff("catalog", self.catalog != want.catalog);
        diff("event_type", self.event_type != want.event_type);
        diff("version", self.version != want.version.to_string());
        diff("fingerprint", self.fingerprint != want.fingerprint);
        diff("schema", !same(&self.schema, want.schema));
        diff("examples", !same(&self.examples, &want.examples));
        fields
    }
}

/// The keys of catalog `ours` whose live rows (`catalog_of`) are another
/// catalog's.
fn foreign<'k>(
    ours: &'k str,
    table: &'k str,
    keys: impl Iterator<Item = &'k str> + 'k,
    catalog_of: impl Fn(&str) -> Option<&'k str> + 'k,
) -> impl Iterator<Item = Foreign> + 'k {
    keys.filter_map(move |key| {
        let theirs = catalog_of(key).filter(|c| *c != ours)?;
        Some(Foreign {
            table: table.to_owned(),
            key: key.to_owned(),
            catalog: theirs.to_owned(),
        })
    })
}

fn event_differences(want: &EventRow, have: &EventRow) -> Vec<String> {
    let mut fields = Vec::new();
    let mut diff = |name: &str, differs: bool| {
        if differs {
            fields.push(name.to_owned());
        }
    };
    diff("catalog", want.catalog != have.catalog);
    diff("name", want.name != have.name);
    diff("description", want.description != have.description);
    diff("category", want.category != have.category);
    diff("owner", want.owner != have.owner);
    diff("status", want.status != have.status);
    diff("replaced_by", want.replaced_by != have.replaced_by);
    diff("aliases", want.aliases != have.aliases);
    diff(
        "payload_schema_ref",
        want.payload_schema_ref != have.payload_schema_ref,
    );
    diff(
        "schema_fingerprint",
        want.schema_fingerprint != have.schema_fingerprint,
    );
    fields
}

/// `value` as PostgreSQL prints a `jsonb` (`CAST(x AS TEXT)`): object keys
/// by length then bytes, `", "` and `": "` between items, control characters
/// escaped in lowercase `\u00xx`. Numbers are written as `serde_json` writes
/// them, which PostgreSQL prints the same except for exponents and `-0`.
fn jsonb_text(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::String(s) => string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|(a, _), (b, _)| {
                    (a.len(), a.as_bytes()).cmp(&(b.len(), b.as_bytes()))
                });
                out.push('{');
                for (i, (key, item)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    string(key, out);
                    out.push_str(": ");
                    write(item, out);
                }
                out.push('}');
            }
        }
    }
    fn string(s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The live PostgreSQL server of `EVREG_TEST_POSTGRES_URL`, or a loud skip.
    fn postgres() -> Option<postgres::Client> {
        let Ok(url) = std::env::var("EVREG_TEST_POSTGRES_URL") else {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: EVREG_TEST_POSTGRES_URL is not set; jsonb text was not compared"
            );
            return None;
        };
        Some(postgres::Client::connect(&url, postgres::NoTls).expect("connect"))
    }

    /// `jsonb_text` must spell values as PostgreSQL does, or a re-apply
    /// sends rows for nothing: compared with the server on tricky values and
    /// on every schema and example of the shipped catalog.
    #[test]
    fn jsonb_text_is_what_postgres_prints() {
        let Some(mut client) = postgres() else { return };
        let catalog = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog"))
            .expect("the shipped catalog loads");
        let (_, schemas) = sql::rows(&catalog);
        let mut values: Vec<Value> = serde_json::from_str(
            r#"[null, true, false, 0, -7, 12345678901234, 1.5, 0.1, [], {}, "",
                "quote \" backslash \\ slash / tab \t newline \n cr \r bs \b ff \f",
                "\u0001\u001f\u007f é ß 漢字 🎉 \u2028",
                {"bb": 1, "a": 2, "ccc": {"z": [1, {"y": null}], "aa": "x"}, "b": 3},
                [[], [{}], "x", 1, null]]"#,
        )
        .expect("valid JSON");
        for s in schemas {
            values.push(s.schema.clone());
            values.push(s.examples);
        }
        for value in values {
            let canonical = canonical_json(&value);
            let printed: String = client
                .query_one(
                    "SELECT CAST(CAST($1::text AS jsonb) AS TEXT)",
                    &[&canonical],
                )
                .expect("query")
                .get(0);
            assert_eq!(jsonb_text(&value), printed, "for {canonical}");
        }
    }

    /// A number PostgreSQL prints differently (`1e20` comes back as
    /// `100000000000000000000`) is sent again by a re-apply, but neither
    /// rewrites the row nor shows as drift.
    #[test]
    fn numbers_spelled_differently_are_not_drift() {
        let Some(mut client) = postgres() else { return };
        let url = std::env::var("EVREG_TEST_POSTGRES_URL").expect("checked above");
        let schema = format!("evreg_db_unit_{}", std::process::id());
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .expect("schema");
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/codegen/minimal"
        );
        for entry in walk(std::path::Path::new(fixture)) {
            let to = dir
                .path()
                .join(entry.strip_prefix(fixture).expect("inside"));
            std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            let text = std::fs::read_to_string(&entry).expect("read");
            let text = text.replace(
                "\"score\": {\n      \"type\": \"number\"",
                "\"score\": {\n      \"type\": \"number\",\n      \"maximum\": 1e20",
            );
            std::fs::write(to, text).expect("write");
        }
        let catalog = Catalog::load(dir.path()).expect("the catalog loads");
        let schema_text =
            serde_json::to_string(&catalog.versions().next().expect("a version").1.schema)
                .expect("json");
        assert!(
            schema_text.contains("1e+20"),
            "the exponent is kept: {schema_text}"
        );
        let sep = if url.contains('?') { '&' } else { '?' };
        let mut db = Database::connect(&format!("{url}{sep}options=-csearch_path%3D{schema}"))
            .expect("connect");
        let first = db.apply(&catalog).expect("apply");
        assert_eq!((first.inserted, first.unchanged), (2, 0));
        let again = db.apply(&catalog).expect("apply");
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));
        assert_eq!(db.check(&catalog).expect("check"), Vec::new());
        client
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .expect("drop");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}
