//! The SQL dialects evreg writes, and the tables of the bus: the audit trail
//! of published events, the consumers, their deliveries, the failed attempts
//! and the cooldowns. `evreg migrate` writes this DDL next to the catalog
//! tables; the bus's stores create the same tables when they are missing.
//!
//! Tenant isolation on PostgreSQL: every bus table has a `tenant_id` column
//! and a row-level-security policy that shows a role only the rows of the
//! tenant named by the session setting `evreg.tenant_id` (the bus sets it per
//! transaction). Roles that own the tables or have `BYPASSRLS` (the bus's own
//! maintenance role) see everything; application roles do not.

/// The SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL (JSON as `jsonb`).
    Postgres,
    /// SQLite (JSON as canonical text).
    Sqlite,
}

/// Whether `name` is a table name evreg writes into SQL unquoted: one or
/// two (`schema.table`) parts of ASCII letters, digits and `_`, not
/// starting with a digit, 63 bytes each at most.
pub fn is_identifier(name: &str) -> bool {
    let part = |p: &str| {
        let mut chars = p.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && p.len() <= 63
    };
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() <= 2 && parts.iter().all(|p| part(p))
}

/// The audit table: one row per published event.
pub const EVENTS_TABLE: &str = "system_events";
/// Which consumer receives which payload versions.
pub const CONSUMERS_TABLE: &str = "system_event_consumers";
/// One row per (event, consumer): its delivery state.
pub const DELIVERIES_TABLE: &str = "system_event_deliveries";
/// One row per failed attempt of a delivery.
pub const ATTEMPTS_TABLE: &str = "system_event_attempts";
/// The last firing of a consumer per cooldown key.
pub const COOLDOWNS_TABLE: &str = "system_event_cooldowns";
/// The PostgreSQL session setting row-level security reads.
pub const TENANT_SETTING: &str = "evreg.tenant_id";

/// The tables of the bus, idempotent (`IF NOT EXISTS`), with their indexes
/// and, on PostgreSQL, the row-level-security policies.
pub fn bus_ddl(dialect: Dialect) -> String {
    // A delivery belongs to its event. SQLite says so with a foreign key;
    // PostgreSQL with triggers (below): there the key's check (a read and a
    // row lock of the event for every delivery written) cost about a tenth
    // of the publish rate (docs/performance.md, "PostgreSQL, sixth pass").
    let event_ref = match dialect {
        Dialect::Postgres => String::new(),
        Dialect::Sqlite => format!(" REFERENCES {EVENTS_TABLE} (seq)"),
    };
    let (seq, id, json, time, keyed) = match dialect {
        Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "UUID", "JSONB", "TIMESTAMPTZ", ""),
        // Keyed tables are stored in their key's B-tree (one tree, not two).
        Dialect::Sqlite => (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "TEXT",
            "TEXT",
            "INTEGER",
            " WITHOUT ROWID",
        ),
    };
    let mut out = format!(
        "-- The bus: the audit trail of published events and their deliveries.\n\
         CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} (\n\
         \x20   seq {seq},\n\
         \x20   id {id} NOT NULL UNIQUE,\n\
         \x20   tenant_id TEXT NOT NULL,\n\
         \x20   event_type TEXT NOT NULL,\n\
         \x20   schema_ref TEXT NOT NULL,\n\
         \x20   version INTEGER NOT NULL,\n\
         \x20   payload {json} NOT NULL,\n\
         \x20   idempotency_key TEXT,\n\
         \x20   recorded_at {time} NOT NULL\n\
         );\n\
         CREATE UNIQUE INDEX IF NOT EXISTS {EVENTS_TABLE}_idempotency_idx\n\
         \x20   ON {EVENTS_TABLE} (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;\n\
         CREATE INDEX IF NOT EXISTS {EVENTS_TABLE}_tenant_time_idx ON {EVENTS_TABLE} (tenant_id, recorded_at);\n\
         CREATE INDEX IF NOT EXISTS {EVENTS_TABLE}_type_time_idx ON {EVENTS_TABLE} (event_type, recorded_at);\n\
         CREATE TABLE IF NOT EXISTS {CONSUMERS_TABLE} (\n\
         \x20   consumer TEXT NOT NULL,\n\
         \x20   schema_ref TEXT NOT NULL,\n\
         \x20   PRIMARY KEY (consumer, schema_ref)\n\
         ){keyed};\n\
         CREATE INDEX IF NOT EXISTS {CONSUMERS_TABLE}_ref_idx ON {CONSUMERS_TABLE} (schema_ref);\n\
         CREATE TABLE IF NOT EXISTS {DELIVERIES_TABLE} (\n\
         \x20   consumer TEXT NOT NULL,\n\
         \x20   event_seq BIGINT NOT NULL{event_ref},\n\
         \x20   tenant_id TEXT NOT NULL,\n\
         \x20   status TEXT NOT NULL,\n\
         \x20   attempts INTEGER NOT NULL DEFAULT 0,\n\
         \x20   next_attempt_at {time} NOT NULL,\n\
         \x20   lease_until {time},\n\
         \x20   last_error TEXT,\n\
         \x20   updated_at {time} NOT NULL,\n\
         \x20   PRIMARY KEY (consumer, event_seq)\n\
         ){keyed};\n\
         CREATE INDEX IF NOT EXISTS {DELIVERIES_TABLE}_pending_idx\n\
         \x20   ON {DELIVERIES_TABLE} (consumer, event_seq) WHERE status = 'pending';\n\
         CREATE INDEX IF NOT EXISTS {DELIVERIES_TABLE}_failed_idx\n\
         \x20   ON {DELIVERIES_TABLE} (tenant_id, updated_at) WHERE last_error IS NOT NULL;\n\
         CREATE INDEX IF NOT EXISTS {DELIVERIES_TABLE}_event_idx ON {DELIVERIES_TABLE} (event_seq);\n\
         CREATE TABLE IF NOT EXISTS {ATTEMPTS_TABLE} (\n\
         \x20   consumer TEXT NOT NULL,\n\
         \x20   event_seq BIGINT NOT NULL,\n\
         \x20   attempt INTEGER NOT NULL,\n\
         \x20   tenant_id TEXT NOT NULL,\n\
         \x20   error TEXT NOT NULL,\n\
         \x20   failed_at {time} NOT NULL,\n\
         \x20   PRIMARY KEY (consumer, event_seq, attempt)\n\
         ){keyed};\n\
         CREATE TABLE IF NOT EXISTS {COOLDOWNS_TABLE} (\n\
         \x20   consumer TEXT NOT NULL,\n\
         \x20   tenant_id TEXT NOT NULL,\n\
         \x20   key TEXT NOT NULL,\n\
         \x20   event_seq BIGINT NOT NULL,\n\
         \x20   fired_at {time} NOT NULL,\n\
         \x20   PRIMARY KEY (consumer, tenant_id, key)\n\
         ){keyed};\n"
    );
    if dialect == Dialect::Sqlite {
        // Deleting events deletes their deliveries and attempts, as on
        // PostgreSQL, also from a connection without `foreign_keys` on (the
        // `sqlite3` shell's default), where the key would not refuse it.
        out.push_str(&format!(
            "-- Deleting events deletes their deliveries and attempts.\n\
             CREATE TRIGGER IF NOT EXISTS {EVENTS_TABLE}_deleted AFTER DELETE ON {EVENTS_TABLE}\n\
             BEGIN\n\
             \x20   DELETE FROM {DELIVERIES_TABLE} WHERE event_seq = OLD.seq;\n\
             \x20   DELETE FROM {ATTEMPTS_TABLE} WHERE event_seq = OLD.seq;\n\
             END;\n"
        ));
    }
    if dialect == Dialect::Postgres {
        // A delivery's row is updated twice soon after it is written: its
        // claim, then its settlement. Room left free on each page for a
        // claimed version of every row (a little larger: the lease is set)
        // lets every claim, which changes no indexed column, stay on its
        // page: a HOT update, with no new index entries (at 70 % full only
        // part of the claims were). Vacuum returns the space the old
        // versions leave. Set apart from `CREATE TABLE` so that tables made
        // before it get it too.
        out.push_str(&format!(
            "-- Room on each page for the claim's new row version (no new index entries).\n\
             ALTER TABLE {DELIVERIES_TABLE} SET (fillfactor = 45);\n"
        ));
        // In place of a foreign key from a delivery to its event, whose
        // check costs a read and a row lock of the event per delivery
        // written: deleting or truncating events deletes their deliveries
        // and failed attempts, once per statement. (The key of tables made
        // before goes.) The functions resolve table names with the
        // search_path of the migration, so they act on the tables next to
        // the trigger whatever the deleting session's path.
        out.push_str(&format!(
            "-- Deleting events deletes their deliveries and attempts.\n\
             ALTER TABLE {DELIVERIES_TABLE} DROP CONSTRAINT IF EXISTS {DELIVERIES_TABLE}_event_seq_fkey;\n\
             CREATE OR REPLACE FUNCTION {EVENTS_TABLE}_deleted() RETURNS trigger LANGUAGE plpgsql\n\
             \x20   SET search_path FROM CURRENT AS $$\n\
             BEGIN\n\
             \x20   DELETE FROM {DELIVERIES_TABLE} d USING gone WHERE d.event_seq = gone.seq;\n\
             \x20   DELETE FROM {ATTEMPTS_TABLE} a USING gone WHERE a.event_seq = gone.seq;\n\
             \x20   RETURN NULL;\n\
             END $$;\n\
             DROP TRIGGER IF EXISTS {EVENTS_TABLE}_deleted ON {EVENTS_TABLE};\n\
             CREATE TRIGGER {EVENTS_TABLE}_deleted AFTER DELETE ON {EVENTS_TABLE}\n\
             \x20   REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {EVENTS_TABLE}_deleted();\n\
             CREATE OR REPLACE FUNCTION {EVENTS_TABLE}_truncated() RETURNS trigger LANGUAGE plpgsql\n\
             \x20   SET search_path FROM CURRENT AS $$\n\
             BEGIN\n\
             \x20   TRUNCATE {DELIVERIES_TABLE}, {ATTEMPTS_TABLE};\n\
             \x20   RETURN NULL;\n\
             END $$;\n\
             DROP TRIGGER IF EXISTS {EVENTS_TABLE}_truncated ON {EVENTS_TABLE};\n\
             CREATE TRIGGER {EVENTS_TABLE}_truncated AFTER TRUNCATE ON {EVENTS_TABLE}\n\
             \x20   FOR EACH STATEMENT EXECUTE FUNCTION {EVENTS_TABLE}_truncated();\n"
        ));
        out.push_str(
            "-- Tenant isolation: a role sees the rows of the tenant its transaction names.\n",
        );
        for table in [
            EVENTS_TABLE,
            DELIVERIES_TABLE,
            ATTEMPTS_TABLE,
            COOLDOWNS_TABLE,
        ] {
            out.push_str(&format!(
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n\
                 DROP POLICY IF EXISTS evreg_tenant_isolation ON {table};\n\
                 CREATE POLICY evreg_tenant_isolation ON {table}\n\
                 \x20   USING (tenant_id = current_setting('{TENANT_SETTING}', true))\n\
                 \x20   WITH CHECK (tenant_id = current_setting('{TENANT_SETTING}', true));\n"
            ));
        }
    }
    out
}
