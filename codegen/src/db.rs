//! A live database's copy of the catalog: applying the migration script and
//! checking the tables for drift, on PostgreSQL (`postgres://…`) or SQLite
//! (`sqlite://path` or `sqlite:path`).

use std::collections::BTreeMap;

use evreg::Catalog;
use serde_json::Value;

use crate::sql::{self, Dialect, EventRow, SchemaRow};

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no database evreg knows.
    #[error("`{0}` is not a database URL: use postgres://… or sqlite://path")]
    Url(String),
    /// PostgreSQL refused.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// SQLite refused.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The catalog cannot be written as SQL.
    #[error(transparent)]
    Sql(#[from] sql::SqlError),
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
        }
    }
}

impl Database {
    /// Connects to `url`.
    pub fn connect(url: &str) -> Result<Database, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let client = postgres::Client::connect(url, postgres::NoTls)?;
            Ok(Database::Postgres(Box::new(client)))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Ok(Database::Sqlite(rusqlite::Connection::open(path)?))
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

    /// Applies the catalog's migration script (one transaction).
    pub fn apply(&mut self, catalog: &Catalog) -> Result<Applied, DbError> {
        let script = sql::render(catalog, self.dialect())?;
        let tables = [
            (&catalog.manifest().sql.table, "event_type"),
            (&catalog.manifest().sql.schema_table, "schema_ref"),
        ];
        let exists = self.tables_exist(catalog)?;
        let mut before = Vec::new();
        for (table, key) in tables {
            before.push(if exists {
                self.versions(table, key)?
            } else {
                BTreeMap::new()
            });
        }
        match self {
            Database::Postgres(c) => c.batch_execute(&script)?,
            Database::Sqlite(c) => c.execute_batch(&script)?,
        }
        let mut applied = Applied::default();
        for ((table, key), before) in tables.into_iter().zip(before) {
            for (k, (updated_at, status)) in self.versions(table, key)? {
                match before.get(&k) {
                    None => applied.inserted += 1,
                    Some((old, _)) if *old == updated_at => applied.unchanged += 1,
                    Some((_, old_status))
                        if status == "deprecated" && old_status != "deprecated" =>
                    {
                        applied.deprecated += 1
                    }
                    Some(_) => applied.updated += 1,
                }
            }
        }
        Ok(applied)
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

        let live = self.live_schemas(&schemas_table)?;
        for want in &schemas {
            match live.get(&want.schema_ref) {
                None => drift.push(Drift::Missing {
                    table: schemas_table.clone(),
                    key: want.schema_ref.clone(),
                }),
                Some(have) => {
                    let mut fields = Vec::new();
                    if have.event_type != want.event_type {
                        fields.push("event_type".to_owned());
                    }
                    if have.version != want.version {
                        fields.push("version".to_owned());
                    }
                    if have.fingerprint != want.fingerprint {
                        fields.push("fingerprint".to_owned());
                    }
                    if have.schema != want.schema {
                        fields.push("schema".to_owned());
                    }
                    if have.examples != want.examples {
                        fields.push("examples".to_owned());
                    }
                    if !fields.is_empty() {
                        drift.push(Drift::Differs {
                            table: schemas_table.clone(),
                            key: want.schema_ref.clone(),
                            fields,
                        });
                    }
                }
            }
        }
        Ok(drift)
    }

    fn tables_exist(&mut self, catalog: &Catalog) -> Result<bool, DbError> {
        let table = &catalog.manifest().sql.table;
        Ok(match self {
            Database::Postgres(c) => c
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[table])?
                .get(0),
            Database::Sqlite(c) => c.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )?,
        })
    }

    /// key → (updated_at as text, status or "") of every row.
    fn versions(
        &mut self,
        table: &str,
        key: &str,
    ) -> Result<BTreeMap<String, (String, String)>, DbError> {
        let status = if key == "event_type" { "status" } else { "''" };
        let sql = format!("SELECT {key}, CAST(updated_at AS TEXT), {status} FROM {table}");
        self.text_rows(&sql, 3).map(|rows| {
            rows.into_iter()
                .map(|mut r| {
                    let status = r.pop().unwrap_or_default().unwrap_or_default();
                    let updated = r.pop().unwrap_or_default().unwrap_or_default();
                    (
                        r.pop().unwrap_or_default().unwrap_or_default(),
                        (updated, status),
                    )
                })
                .collect()
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

    fn live_schemas(&mut self, table: &str) -> Result<BTreeMap<String, SchemaRow>, DbError> {
        let sql = format!(
            "SELECT schema_ref, catalog, event_type, CAST(version AS TEXT), CAST(schema AS TEXT), \
             fingerprint, CAST(examples AS TEXT) FROM {table}"
        );
        let rows = self.text_rows(&sql, 7)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let s = |i: usize| r[i].clone().unwrap_or_default();
                let row = SchemaRow {
                    schema_ref: s(0),
                    catalog: s(1),
                    event_type: s(2),
                    version: s(3).parse().unwrap_or(0),
                    schema: serde_json::from_str(&s(4)).unwrap_or(Value::Null),
                    fingerprint: s(5),
                    examples: serde_json::from_str(&s(6)).unwrap_or(Value::Null),
                };
                (row.schema_ref.clone(), row)
            })
            .collect())
    }
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
