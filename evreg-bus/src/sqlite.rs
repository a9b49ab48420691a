//! The SQLite store: one file, WAL mode, every write on one thread that
//! commits whatever is queued in one transaction (group commit).
//!
//! Writes from many tasks are queued to the writer thread; it takes what is
//! queued (up to a batch), runs each request under its own savepoint (a
//! failing request rolls back alone) and commits once, then answers each.
//! With `synchronous = NORMAL` in WAL mode a committed event survives the
//! process being killed (not a power cut before the next checkpoint).

use std::path::{Path, PathBuf};
use std::sync::{LazyLock, mpsc};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::value::RawValue;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::store::{
    Appended, Claimed, Delivery, DeliveryQuery, DeliveryStatus, EventQuery, NewEvent, Outcome,
    Settlement, Store, StoredEvent,
};
use crate::error::BusError;
use crate::time::Timestamp;
use evreg_core::sql::{
    ATTEMPTS_TABLE as ATTEMPTS, CONSUMERS_TABLE as CONSUMERS, COOLDOWNS_TABLE as COOLDOWNS,
    DELIVERIES_TABLE as DELIVERIES, Dialect, EVENTS_TABLE as EVENTS, bus_ddl,
};

/// Requests the writer thread takes in one transaction, at most.
const BATCH: usize = 1024;

/// A request to the writer thread. It may run twice: a group transaction
/// in which one request fails is rolled back and run again with each request
/// under its own savepoint.
trait Work: Send {
    /// Runs in the group transaction and keeps the result; whether it
    /// succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers with the last run's result once the transaction has ended
    /// (with its commit's outcome).
    fn answer(self: Box<Self>, commit: Result<(), String>);
    /// Answers without running (the transaction could not begin).
    fn abort(self: Box<Self>, error: String);
}

type Job = Box<dyn Work>;

struct Task<F, R> {
    f: F,
    result: Option<rusqlite::Result<R>>,
    answer: oneshot::Sender<Result<R, BusError>>,
}

impl<F, R> Work for Task<F, R>
where
    F: Fn(&Connection) -> rusqlite::Result<R> + Send,
    R: Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let result = (self.f)(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, commit: Result<(), String>) {
        let _ = self.answer.send(match (self.result, commit) {
            (None, _) => Err(BusError::Store("the request did not run".into())),
            (Some(Err(e)), _) => Err(BusError::store(e)),
            (Some(Ok(_)), Err(e)) => Err(BusError::Store(e.into())),
            (Some(Ok(r)), Ok(())) => Ok(r),
        });
    }

    fn abort(self: Box<Self>, error: String) {
        let _ = self.answer.send(Err(BusError::Store(error.into())));
    }
}

/// The SQLite store. Cloning shares the writer.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    jobs: mpsc::SyncSender<Job>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` in WAL mode and starts its
    /// writer thread. The tables are created by [`Store::migrate`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, BusError> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(BusError::store)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(BusError::store)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(BusError::store)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(BusError::store)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)
            .map_err(BusError::store)?;
        conn.pragma_update(None, "cache_size", -64 * 1024)
            .map_err(BusError::store)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(BusError::store)?;
        // Keep each statement's plan: without this, every new value bound to
        // a range condition (`next_attempt_at <= ?`) re-prepares the claim.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(BusError::store)?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_FRAMES)
            .map_err(BusError::store)?;
        let (jobs, queue) = mpsc::sync_channel::<Job>(BATCH * 4);
        let runtime = tokio::runtime::Handle::try_current().ok();
        std::thread::Builder::new()
            .name("evreg-sqlite".into())
            .spawn(move || writer(conn, queue, runtime))
            .map_err(BusError::store)?;
        Ok(SqliteStore { jobs, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the writer thread, inside the current group transaction.
    async fn run<R: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, BusError> {
        let (answer, rx) = oneshot::channel();
        let job: Job = Box::new(Task {
            f,
            result: None,
            answer,
        });
        let jobs = self.jobs.clone();
        // The queue is bounded: a full queue waits here, off the runtime.
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(job)) => {
                tokio::task::spawn_blocking(move || jobs.send(job))
                    .await
                    .map_err(|_| BusError::Closed)?
                    .map_err(|_| BusError::Closed)?;
            }
            Err(mpsc::TrySendError::Disconnected(_)) => return Err(BusError::Closed),
        }
        rx.await.map_err(|_| BusError::Closed)?
    }
}

/// Frames in the write-ahead log past which the writer copies it back into
/// the database after a commit (40 MB of 4 KiB pages rather than SQLite's
/// 4 MB: a page rewritten by many commits is copied once). A checkpoint on
/// another connection would race the writer and might never catch up with
/// it, and the log restarts only once all of it has been copied.
const CHECKPOINT_FRAMES: i32 = 10_000;

/// The writer thread: group commit of whatever is queued.
///
/// A batch first runs as one plain transaction. Only when a request in it
/// fails is it rolled back and run again with each request under its own
/// savepoint, so that the failing one rolls back alone: savepoints copy every
/// page a request touches, which costs on the hot path where nothing fails.
fn writer(conn: Connection, queue: mpsc::Receiver<Job>, runtime: Option<tokio::runtime::Handle>) {
    // The transaction-control statements, prepared once (parsing them per
    // request showed in profiles).
    let run =
        |sql: &str| -> rusqlite::Result<()> { conn.prepare_cached(sql)?.execute([]).map(|_| ()) };
    let commit = || {
        let commit = run("COMMIT").map_err(|e| e.to_string());
        if commit.is_err() {
            let _ = run("ROLLBACK");
        }
        commit
    };
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = run("BEGIN IMMEDIATE") {
            for job in batch {
                job.abort(e.to_string());
            }
            continue;
        }
        let outcome = if batch.iter_mut().all(|job| job.run(&conn)) {
            commit()
        } else {
            let _ = run("ROLLBACK");
            match run("BEGIN IMMEDIATE") {
                Err(e) => Err(e.to_string()),
                Ok(()) => {
                    for job in &mut batch {
                        let _ = run("SAVEPOINT job");
                        if !job.run(&conn) {
                            let _ = run("ROLLBACK TO job");
                        }
                        let _ = run("RELEASE job");
                    }
                    commit()
                }
            }
        };
        let answers = Answers {
            jobs: batch,
            outcome,
        };
        match &runtime {
            // Waking each requester from this thread costs a system call per
            // request; one task on the runtime wakes them all from inside it.
            Some(runtime) => drop(runtime.spawn(async move { answers.send() })),
            None => answers.send(),
        }
    }
}

/// A batch's requests and its commit's outcome, to be answered. Dropped
/// unanswered (the runtime shut down before the task ran), it answers then.
struct Answers {
    jobs: Vec<Job>,
    outcome: Result<(), String>,
}

impl Answers {
    fn send(mut self) {
        self.answer_all();
    }

    fn answer_all(&mut self) {
        for job in self.jobs.drain(..) {
            job.answer(self.outcome.clone());
        }
    }
}

impl Drop for Answers {
    fn drop(&mut self) {
        self.answer_all();
    }
}

/// Appends events and their deliveries on `c`, in whatever transaction it
/// is in (the writer's group transaction, or a caller's for `publish_in`).
pub(super) fn append_on(c: &Connection, events: &[NewEvent]) -> rusqlite::Result<Vec<Appended>> {
    append_encoded(c, events, &encode(events))
}

/// The columns of an event that need formatting (its payload is JSON text
/// already): [`SqliteStore::append`] builds them on the caller's task, so
/// that the writer thread, the one serial part of the store, only binds
/// them.
struct Encoded {
    id: String,
}

fn encode(events: &[NewEvent]) -> Vec<Encoded> {
    events
        .iter()
        .map(|e| Encoded {
            id: e.id.to_string(),
        })
        .collect()
}

fn append_encoded(
    c: &Connection,
    events: &[NewEvent],
    encoded: &[Encoded],
) -> rusqlite::Result<Vec<Appended>> {
    // Built once: the statement cache is keyed by the text.
    static FIND: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT id FROM {EVENTS} WHERE tenant_id = ?1 AND idempotency_key = ?2")
    });
    static INSERT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO {EVENTS} (id, tenant_id, event_type, schema_ref, version, payload, idempotency_key, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        )
    });
    static DELIVERIES_FOR: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO {DELIVERIES} (consumer, event_seq, tenant_id, status, attempts, next_attempt_at, updated_at) \
             SELECT consumer, ?1, ?2, 'pending', 0, ?3, ?3 FROM {CONSUMERS} WHERE schema_ref = ?4"
        )
    });
    let mut find = c.prepare_cached(&FIND)?;
    let mut insert = c.prepare_cached(&INSERT)?;
    let mut deliveries = c.prepare_cached(&DELIVERIES_FOR)?;
    let mut out = Vec::with_capacity(events.len());
    for (e, row) in events.iter().zip(encoded) {
        if let Some(key) = &e.idempotency_key {
            let first: Option<String> = find
                .query_row(params![e.tenant_id, key], |r| r.get(0))
                .optional()?;
            if let Some(id) = first {
                let id = Uuid::parse_str(&id).map_err(|err| bad_column(0, err))?;
                out.push(Appended::Duplicate { id });
                continue;
            }
        }
        insert.execute(params![
            row.id,
            e.tenant_id,
            e.event_type,
            e.schema_ref,
            e.version,
            e.payload.get(),
            e.idempotency_key,
            e.recorded_at,
        ])?;
        let seq = c.last_insert_rowid();
        deliveries.execute(params![seq, e.tenant_id, e.recorded_at, e.schema_ref])?;
        out.push(Appended::New { seq });
    }
    Ok(out)
}

fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    RawEvent::from_row(row)?.decode()
}

/// An event row as read, its id and payload still text: the claim reads
/// these on the writer thread and parses them on the consumer's task.
struct RawEvent {
    seq: i64,
    id: String,
    tenant_id: String,
    event_type: String,
    schema_ref: String,
    version: u32,
    payload: String,
    idempotency_key: Option<String>,
    recorded_at: Timestamp,
}

impl RawEvent {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
        Ok(RawEvent {
            seq: row.get(0)?,
            id: row.get(1)?,
            tenant_id: row.get(2)?,
            event_type: row.get(3)?,
            schema_ref: row.get(4)?,
            version: row.get(5)?,
            payload: row.get(6)?,
            idempotency_key: row.get(7)?,
            recorded_at: row.get(8)?,
        })
    }

    fn decode(self) -> rusqlite::Result<StoredEvent> {
        Ok(StoredEvent {
            seq: self.seq,
            id: Uuid::parse_str(&self.id).map_err(|e| bad_column(1, e))?,
            tenant_id: self.tenant_id,
            event_type: self.event_type,
            schema_ref: self.schema_ref,
            version: self.version,
            payload: RawValue::from_string(self.payload).map_err(|e| bad_column(6, e))?,
            idempotency_key: self.idempotency_key,
            recorded_at: self.recorded_at,
        })
    }
}

fn bad_column(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

const EVENT_COLUMNS: &str =
    "seq, id, tenant_id, event_type, schema_ref, version, payload, idempotency_key, recorded_at";

/// `$."field"` for `json_extract`, for plain property names only.
fn json_path(field: &str) -> Result<String, BusError> {
    if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(BusError::Query(format!(
            "payload field `{field}` must be a property name (letters, digits, `_`)"
        )));
    }
    Ok(format!("$.\"{field}\""))
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), BusError> {
        self.run(|c| c.execute_batch(&bus_ddl(Dialect::Sqlite)))
            .await
    }

    async fn register_consumer(
        &self,
        consumer: &str,
        schema_refs: &[String],
    ) -> Result<(), BusError> {
        let consumer = consumer.to_owned();
        let refs = schema_refs.to_vec();
        self.run(move |c| {
            let mut insert = c.prepare_cached(&format!(
                "INSERT INTO {CONSUMERS} (consumer, schema_ref) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
            ))?;
            for r in &refs {
                insert.execute(params![consumer, r])?;
            }
            Ok(())
        })
        .await
    }

    async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, BusError> {
        let encoded = encode(&events);
        self.run(move |c| append_encoded(c, &events, &encoded))
            .await
    }

    async fn claim(
        &self,
        consumer: &str,
        limit: usize,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Vec<Claimed>, BusError> {
        let consumer = consumer.to_owned();
        let until = now.saturating_add(lease);
        self.run(move |c| {
            let mut take = c.prepare_cached(&format!(
                "UPDATE {DELIVERIES} SET lease_until = ?3, attempts = attempts + 1 \
                 WHERE consumer = ?1 AND event_seq IN ( \
                   SELECT event_seq FROM {DELIVERIES} INDEXED BY {DELIVERIES}_pending_idx \
                   WHERE consumer = ?1 AND status = 'pending' AND next_attempt_at <= ?2 \
                     AND (lease_until IS NULL OR lease_until <= ?2) \
                   ORDER BY event_seq LIMIT ?4) \
                 RETURNING event_seq, attempts"
            ))?;
            let mut taken: Vec<(i64, u32)> = take
                .query_map(params![consumer, now, until, limit as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            taken.sort_unstable();
            let mut event = c.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM {EVENTS} WHERE seq = ?1"
            ))?;
            taken
                .into_iter()
                .map(|(seq, attempt)| Ok((event.query_row([seq], RawEvent::from_row)?, attempt)))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?
        .into_iter()
        .map(|(raw, attempt)| {
            Ok(Claimed {
                event: raw.decode().map_err(BusError::store)?,
                attempt,
            })
        })
        .collect()
    }

    async fn settle(&self, settlements: Vec<Settlement>) -> Result<(), BusError> {
        self.run(move |c| {
            let mut done = c.prepare_cached(&format!(
                "UPDATE {DELIVERIES} SET status = ?3, lease_until = NULL, last_error = COALESCE(?4, last_error), updated_at = ?5 \
                 WHERE consumer = ?1 AND event_seq = ?2 AND status = 'pending'"
            ))?;
            let mut failed = c.prepare_cached(&format!(
                "UPDATE {DELIVERIES} SET status = CASE WHEN ?3 IS NULL THEN 'dead' ELSE 'pending' END, \
                 next_attempt_at = COALESCE(?3, next_attempt_at), lease_until = NULL, last_error = ?4, updated_at = ?5 \
                 WHERE consumer = ?1 AND event_seq = ?2 AND status = 'pending'"
            ))?;
            let mut attempt = c.prepare_cached(&format!(
                "INSERT INTO {ATTEMPTS} (consumer, event_seq, attempt, tenant_id, error, failed_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING"
            ))?;
            for s in &settlements {
                match &s.outcome {
                    Outcome::Processed => {
                        done.execute(params![s.consumer, s.seq, "processed", None::<String>, s.at])?;
                    }
                    Outcome::Skipped { reason } => {
                        done.execute(params![s.consumer, s.seq, "skipped", reason, s.at])?;
                    }
                    Outcome::Failed { error, retry_at } => {
                        attempt.execute(params![s.consumer, s.seq, s.attempt, s.tenant_id, error, s.at])?;
                        failed.execute(params![s.consumer, s.seq, retry_at, error, s.at])?;
                    }
                }
            }
            Ok(())
        })
        .await
    }

    async fn next_due(&self, consumer: &str) -> Result<Option<Timestamp>, BusError> {
        let consumer = consumer.to_owned();
        self.run(move |c| {
            c.prepare_cached(&format!(
                "SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, next_attempt_at))) \
                 FROM {DELIVERIES} INDEXED BY {DELIVERIES}_pending_idx \
                 WHERE consumer = ?1 AND status = 'pending'"
            ))?
            .query_row([&consumer], |r| r.get(0))
        })
        .await
    }

    async fn take_cooldown(
        &self,
        consumer: &str,
        tenant_id: &str,
        key: &str,
        seq: i64,
        now: Timestamp,
        window: Duration,
    ) -> Result<bool, BusError> {
        let (consumer, tenant, key) = (consumer.to_owned(), tenant_id.to_owned(), key.to_owned());
        self.run(move |c| {
            let last: Option<(i64, Timestamp)> = c
                .prepare_cached(&format!(
                    "SELECT event_seq, fired_at FROM {COOLDOWNS} WHERE consumer = ?1 AND tenant_id = ?2 AND key = ?3"
                ))?
                .query_row(params![consumer, tenant, key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((fired_seq, fired_at)) = last
                && fired_seq != seq
                && now.duration_since(fired_at) < window
            {
                return Ok(false);
            }
            c.prepare_cached(&format!(
                "INSERT INTO {COOLDOWNS} (consumer, tenant_id, key, event_seq, fired_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (consumer, tenant_id, key) DO UPDATE SET event_seq = ?4, fired_at = ?5"
            ))?
            .execute(params![consumer, tenant, key, seq, now])?;
            Ok(true)
        })
        .await
    }

    async fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, BusError> {
        let path = match &q.payload_field {
            Some((field, _)) => Some(json_path(field)?),
            None => None,
        };
        let q = q.clone();
        self.run(move |c| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM {EVENTS} WHERE tenant_id = ?1 \
                 AND (?2 IS NULL OR event_type = ?2) AND (?3 IS NULL OR recorded_at >= ?3) \
                 AND (?4 IS NULL OR recorded_at < ?4) AND (?5 IS NULL OR seq > ?5) \
                 AND (?6 IS NULL OR json_extract(payload, ?6) = ?7) \
                 AND (?9 IS NULL OR id = ?9) \
                 ORDER BY seq LIMIT ?8"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(
                params![
                    q.tenant_id,
                    q.event_type,
                    q.since,
                    q.until,
                    q.after_seq,
                    path,
                    q.payload_field.as_ref().map(|(_, v)| v.clone()),
                    q.max_rows(),
                    q.id.map(|i| i.to_string()),
                ],
                event_from_row,
            )?;
            rows.collect()
        })
        .await
    }

    async fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<Delivery>, BusError> {
        let q = q.clone();
        self.run(move |c| {
            let statuses: Vec<&str> = q.status.iter().map(|s| s.as_str()).collect();
            let statuses = serde_json::to_string(&statuses).unwrap_or_else(|_| "[]".into());
            let sql = format!(
                "SELECT d.consumer, d.event_seq, e.id, e.event_type, d.tenant_id, d.status, d.attempts, \
                        d.last_error, d.next_attempt_at, d.updated_at \
                 FROM {DELIVERIES} d JOIN {EVENTS} e ON e.seq = d.event_seq \
                 WHERE d.tenant_id = ?1 AND (?2 IS NULL OR d.consumer = ?2) \
                   AND (?3 = '[]' OR d.status IN (SELECT value FROM json_each(?3))) \
                   AND (?4 = 0 OR EXISTS (SELECT 1 FROM {ATTEMPTS} a WHERE a.consumer = d.consumer AND a.event_seq = d.event_seq)) \
                   AND (?5 IS NULL OR e.id = ?5) \
                 ORDER BY d.event_seq, d.consumer LIMIT ?6"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(
                params![
                    q.tenant_id,
                    q.consumer,
                    statuses,
                    q.failed,
                    q.event_id.map(|i| i.to_string()),
                    q.max_rows(),
                ],
                |r| {
                    let id: String = r.get(2)?;
                    let status: String = r.get(5)?;
                    Ok(Delivery {
                        consumer: r.get(0)?,
                        seq: r.get(1)?,
                        event_id: Uuid::parse_str(&id).map_err(|e| bad_column(2, e))?,
                        event_type: r.get(3)?,
                        tenant_id: r.get(4)?,
                        status: DeliveryStatus::from_name(&status).ok_or_else(|| {
                            bad_column(5, BusError::Query(format!("unknown status `{status}`")))
                        })?,
                        attempts: r.get(6)?,
                        last_error: r.get(7)?,
                        next_attempt_at: r.get(8)?,
                        updated_at: r.get(9)?,
                    })
                },
            )?;
            rows.collect()
        })
        .await
    }

    async fn retry(
        &self,
        tenant_id: &str,
        event_id: Uuid,
        consumer: &str,
        now: Timestamp,
    ) -> Result<bool, BusError> {
        let (tenant, consumer) = (tenant_id.to_owned(), consumer.to_owned());
        self.run(move |c| {
            let n = c.prepare_cached(&format!(
                "UPDATE {DELIVERIES} SET status = 'pending', attempts = 0, next_attempt_at = ?4, \
                 lease_until = NULL, updated_at = ?4 \
                 WHERE consumer = ?1 AND tenant_id = ?2 AND status IN ('dead', 'pending') AND last_error IS NOT NULL \
                   AND event_seq = (SELECT seq FROM {EVENTS} WHERE id = ?3 AND tenant_id = ?2)"
            ))?
            .execute(params![consumer, tenant, event_id.to_string(), now])?;
            Ok(n > 0)
        })
        .await
    }

    async fn replay(
        &self,
        consumer: &str,
        tenant_id: Option<&str>,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<u64, BusError> {
        let (consumer, tenant) = (consumer.to_owned(), tenant_id.map(str::to_owned));
        self.run(move |c| {
            let n = c.prepare_cached(&format!(
                "INSERT INTO {DELIVERIES} (consumer, event_seq, tenant_id, status, attempts, next_attempt_at, updated_at) \
                 SELECT ?1, e.seq, e.tenant_id, 'pending', 0, ?4, ?4 FROM {EVENTS} e \
                 JOIN {CONSUMERS} s ON s.schema_ref = e.schema_ref AND s.consumer = ?1 \
                 WHERE e.recorded_at >= ?3 AND (?2 IS NULL OR e.tenant_id = ?2) \
                 ON CONFLICT (consumer, event_seq) DO UPDATE SET status = 'pending', attempts = 0, \
                   next_attempt_at = ?4, lease_until = NULL, last_error = NULL, updated_at = ?4"
            ))?
            .execute(params![consumer, tenant, since, now])?;
            Ok(n as u64)
        })
        .await
    }
}

/// A time is an integer column: microseconds since the Unix epoch.
impl rusqlite::ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_micros().into())
    }
}

impl rusqlite::types::FromSql for Timestamp {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        i64::column_result(value).map(Timestamp::from_micros)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Queues `f` to the writer without awaiting it.
    fn submit<R: Send + 'static>(
        store: &SqliteStore,
        f: impl Fn(&Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> oneshot::Receiver<Result<R, BusError>> {
        let (answer, rx) = oneshot::channel();
        let task = Task {
            f,
            result: None,
            answer,
        };
        store.jobs.send(Box::new(task)).unwrap();
        rx
    }

    fn insert(x: i64) -> impl Fn(&Connection) -> rusqlite::Result<()> + Send + 'static {
        move |c| c.execute("INSERT INTO t (x) VALUES (?1)", [x]).map(|_| ())
    }

    /// Requests taken in one group transaction: the failing ones roll back
    /// alone, whether they fail in their first statement or after writing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_request_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        store
            .run(|c| c.execute_batch("CREATE TABLE t (x INTEGER UNIQUE)"))
            .await
            .unwrap();
        // Hold the writer until every request below is queued, so that they
        // are taken as one batch.
        let (started, wait_started) = std::sync::mpsc::channel::<()>();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let (started, gate) = (Mutex::new(started), Mutex::new(gate));
        let held = submit(&store, move |_| {
            started.lock().unwrap().send(()).unwrap();
            gate.lock().unwrap().recv().unwrap();
            Ok(())
        });
        wait_started.recv().unwrap();
        let a = submit(&store, insert(1));
        let b = submit(&store, |c| {
            insert(2)(c)?;
            c.execute("INSERT INTO missing VALUES (1)", []).map(|_| ())
        });
        let c = submit(&store, insert(3));
        let d = submit(&store, insert(1));
        let e = submit(&store, insert(4));
        open.send(()).unwrap();
        held.await.unwrap().unwrap();
        let mut ok = Vec::new();
        for r in [a, b, c, d, e] {
            ok.push(r.await.unwrap().is_ok());
        }
        assert_eq!(ok, [true, false, true, false, true]);
        let rows: Vec<i64> = store
            .run(|c| {
                c.prepare("SELECT x FROM t ORDER BY x")?
                    .query_map([], |r| r.get(0))?
                    .collect()
            })
            .await
            .unwrap();
        assert_eq!(rows, [1, 3, 4]);
    }

    /// The writer answers on the runtime the store was opened in; once that
    /// runtime is gone, requests from another one are still answered.
    #[test]
    fn requests_are_answered_after_the_opening_runtime_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .build()
                .unwrap()
        };
        let first = runtime();
        let store = first
            .block_on(async { SqliteStore::open(dir.path().join("t.db")) })
            .unwrap();
        first
            .block_on(store.run(|c| c.execute_batch("CREATE TABLE t (x INTEGER)")))
            .unwrap();
        drop(first);
        let rows: i64 = runtime()
            .block_on(async {
                store.run(insert(1)).await?;
                store
                    .run(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
                    .await
            })
            .unwrap();
        assert_eq!(rows, 1);
    }
}
