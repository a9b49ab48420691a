//! The PostgreSQL store: a pool of connections; appends go through batching
//! tasks that commit whatever is queued in one transaction (group commit),
//! with one multi-row statement per tenant (`unnest` of arrays); claims use
//! `FOR UPDATE SKIP LOCKED`, so several processes can consume at once.
//!
//! Row-level security: every statement that reads or writes tenant rows
//! for one tenant runs after `set_config('evreg.tenant_id', tenant, true)`
//! in its transaction, so it works under an application role subject to the
//! policies of [`evreg_core::sql::bus_ddl`]. The consumers' claims read every
//! tenant's deliveries: the bus's own role must own the tables or have
//! `BYPASSRLS`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::value::RawValue;
use tokio::sync::{Mutex, mpsc, oneshot, watch};
use tokio_postgres::types::{Json, Type};
use tokio_postgres::{GenericClient, NoTls, Row};
use uuid::Uuid;

use super::store::{
    Appended, Claimed, Delivery, DeliveryQuery, DeliveryStatus, EventQuery, NewEvent, Outcome,
    Settlement, Store, StoredEvent,
};
use crate::error::BusError;
use crate::time::Timestamp;
use evreg_core::sql::{
    ATTEMPTS_TABLE as ATTEMPTS, CONSUMERS_TABLE as CONSUMERS, COOLDOWNS_TABLE as COOLDOWNS,
    DELIVERIES_TABLE as DELIVERIES, Dialect, EVENTS_TABLE as EVENTS, TENANT_SETTING, bus_ddl,
};

/// Publish requests one batching task takes in one transaction, at most.
const BATCH: usize = 2048;

/// The channel notified after appends commit (the store's own appends
/// coalesced by one notifier; a caller's `publish_in` transaction when it
/// commits), so that consumers and relays in other processes wake at once
/// instead of at their next poll.
pub const CHANNEL: &str = "evreg_events";

type AppendRequest = (
    Vec<NewEvent>,
    oneshot::Sender<Result<Vec<Appended>, BusError>>,
);

/// The PostgreSQL store. Cloning shares the pool and the batching tasks.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    appends: mpsc::UnboundedSender<AppendRequest>,
    config: tokio_postgres::Config,
    changes: Arc<std::sync::OnceLock<watch::Receiver<u64>>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:5432/db`) with a pool of up
    /// to 16 connections and two batching tasks for appends. Must be called
    /// inside a tokio runtime.
    pub async fn connect(url: &str) -> Result<PostgresStore, BusError> {
        PostgresStore::with_pool_size(url, 16, 2).await
    }

    /// [`PostgresStore::connect`] with `size` connections and `writers`
    /// batching tasks (each holds a connection while it commits).
    pub async fn with_pool_size(
        url: &str,
        size: usize,
        writers: usize,
    ) -> Result<PostgresStore, BusError> {
        let config: tokio_postgres::Config = url.parse().map_err(BusError::store)?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size.max(writers + 2))
            .build()
            .map_err(BusError::store)?;
        // Fail now, not at the first publish, when the server is unreachable.
        drop(pool.get().await.map_err(BusError::store)?);
        let (appends, queue) = mpsc::unbounded_channel::<AppendRequest>();
        let queue = Arc::new(Mutex::new(queue));
        let (committed, notify) = mpsc::channel(1);
        for _ in 0..writers.max(1) {
            tokio::spawn(batcher(pool.clone(), queue.clone(), committed.clone()));
        }
        tokio::spawn(notifier(pool.clone(), notify));
        Ok(PostgresStore {
            pool,
            appends,
            config,
            changes: Arc::default(),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, BusError> {
        self.pool.get().await.map_err(BusError::store)
    }
}

/// Listens on [`CHANNEL`] and counts the notifications in `changes`; a
/// lost connection is made again (and counted: what was missed meanwhile
/// is looked for).
async fn listen(config: tokio_postgres::Config, changes: watch::Sender<u64>) {
    use futures_util::StreamExt;
    loop {
        if let Ok((client, mut conn)) = config.connect(NoTls).await {
            let mut messages = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
            let statement = format!("LISTEN {CHANNEL}");
            let listen = client.batch_execute(&statement);
            let mut listen = std::pin::pin!(listen);
            let mut listening = false;
            loop {
                tokio::select! {
                    r = &mut listen, if !listening => {
                        if r.is_err() { break }
                        listening = true;
                        changes.send_modify(|n| *n += 1);
                    }
                    m = messages.next() => match m {
                        Some(Ok(tokio_postgres::AsyncMessage::Notification(_))) => {
                            changes.send_modify(|n| *n += 1);
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break,
                    },
                    _ = changes.closed() => return,
                }
            }
        }
        if changes.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Takes what is queued, appends it in one transaction, answers each.
async fn batcher(
    pool: Pool,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<AppendRequest>>>,
    committed: mpsc::Sender<()>,
) {
    loop {
        let mut batch = Vec::new();
        {
            let mut q = queue.lock().await;
            let Some(first) = q.recv().await else { return };
            // Group commit: the publishers the last commit answered were
            // woken on this runtime and are about to queue their next
            // events. Letting them run first (yielding while the queue
            // grows, a few times at most) puts those events in this batch
            // instead of leaving them a whole commit behind (64 publishers:
            // one yield alone took batches from 17 rows to 29).
            let mut queued = q.len();
            for _ in 0..8 {
                tokio::task::yield_now().await;
                if q.len() == queued {
                    break;
                }
                queued = q.len();
            }
            let mut rows = first.0.len();
            batch.push(first);
            while rows < BATCH {
                match q.try_recv() {
                    Ok(r) => {
                        rows += r.0.len();
                        batch.push(r);
                    }
                    Err(_) => break,
                }
            }
        }
        let events: Vec<NewEvent> = batch.iter().flat_map(|(e, _)| e.iter().cloned()).collect();
        let result = async {
            let client = pool.get().await.map_err(BusError::store)?;
            let insert = client
                .prepare_cached(&insert_sql(false))
                .await
                .map_err(BusError::store)?;
            // One statement: atomic on its own, one round trip per batch.
            append_with(&**client, &insert, &events).await
        }
        .await;
        match result {
            Ok(mut appended) => {
                // Full: a notification is on its way and covers this batch.
                let _ = committed.try_send(());
                for (events, reply) in batch {
                    let rest = appended.split_off(events.len().min(appended.len()));
                    let _ = reply.send(Ok(std::mem::replace(&mut appended, rest)));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(BusError::Store(message.clone().into())));
                }
            }
        }
    }
}

/// Notifies [`CHANNEL`] after the batching tasks' commits, one
/// notification at a time for however many commits happened meanwhile.
///
/// A `NOTIFY` inside the append would serialize every append's commit:
/// PostgreSQL holds a database-wide lock from queueing the notification
/// until the commit is on disk (64 publishers' appends waited on it most of
/// the time). Here only this small transaction takes it, without waiting
/// for the disk: the notification is a wake-up, not data.
async fn notifier(pool: Pool, mut committed: mpsc::Receiver<()>) {
    let statement = format!(
        "BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT pg_notify('{CHANNEL}', ''); COMMIT"
    );
    while committed.recv().await.is_some() {
        // A failure only delays the wake-up to the consumers' next poll.
        if let Ok(client) = pool.get().await {
            let _ = client.batch_execute(&statement).await;
        }
    }
}

/// The statement that appends events (arrays of their columns) and a
/// delivery for each consumer of each event's schema; an idempotency key
/// already used in the tenant (or earlier in the same arrays) skips the row.
/// With `notify`, the transaction notifies [`CHANNEL`] when it commits (for
/// a caller's transaction, whose commit the store does not see).
fn insert_sql(notify: bool) -> String {
    let notify = if notify {
        format!(", pg_notify('{CHANNEL}', '')")
    } else {
        String::new()
    };
    format!(
        "WITH input AS ( \
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::jsonb[], $7::text[], $8::timestamptz[]) \
             WITH ORDINALITY AS t(id, tenant_id, event_type, schema_ref, version, payload, idempotency_key, recorded_at, ord) \
         ), ins AS ( \
           INSERT INTO {EVENTS} (id, tenant_id, event_type, schema_ref, version, payload, idempotency_key, recorded_at) \
           SELECT id, tenant_id, event_type, schema_ref, version, payload, idempotency_key, recorded_at FROM input ORDER BY ord \
           ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING \
           RETURNING seq, id, tenant_id, schema_ref, recorded_at \
         ), deliveries AS ( \
           INSERT INTO {DELIVERIES} (consumer, event_seq, tenant_id, status, attempts, next_attempt_at, updated_at) \
           SELECT c.consumer, ins.seq, ins.tenant_id, 'pending', 0, ins.recorded_at, ins.recorded_at \
           FROM ins JOIN {CONSUMERS} c ON c.schema_ref = ins.schema_ref \
         ) SELECT id, seq{notify} FROM ins"
    )
}

/// Appends events with the prepared [`insert_sql`] statement, then looks up
/// the first events of the idempotency keys that were already used.
async fn append_with(
    client: &impl GenericClient,
    insert: &tokio_postgres::Statement,
    events: &[NewEvent],
) -> Result<Vec<Appended>, BusError> {
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let tenants: Vec<&str> = events.iter().map(|e| e.tenant_id.as_str()).collect();
    let types: Vec<&str> = events.iter().map(|e| &*e.event_type).collect();
    let refs: Vec<&str> = events.iter().map(|e| &*e.schema_ref).collect();
    let versions: Vec<i32> = events
        .iter()
        .map(|e| i32::try_from(e.version).unwrap_or(i32::MAX))
        .collect();
    // The JSON text as it is (`jsonb` parses it once, on the server).
    let payloads: Vec<Json<&RawValue>> = events.iter().map(|e| Json(&*e.payload)).collect();
    let keys: Vec<Option<&str>> = events
        .iter()
        .map(|e| e.idempotency_key.as_deref())
        .collect();
    let times: Vec<SystemTime> = events
        .iter()
        .map(|e| SystemTime::from(e.recorded_at))
        .collect();
    let rows = client
        .query(
            insert,
            &[
                &ids, &tenants, &types, &refs, &versions, &payloads, &keys, &times,
            ],
        )
        .await
        .map_err(BusError::store)?;
    let stored: HashMap<Uuid, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut out: Vec<Option<Appended>> = events
        .iter()
        .map(|e| stored.get(&e.id).map(|&seq| Appended::New { seq }))
        .collect();
    // Keys already used: one lookup per tenant, only when some were.
    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (e, a) in events.iter().zip(&out) {
        if a.is_none()
            && let Some(key) = &e.idempotency_key
        {
            missing.entry(e.tenant_id.as_str()).or_default().push(key);
        }
    }
    for (tenant, keys) in missing {
        let firsts: HashMap<String, Uuid> = client
            .query(
                &format!(
                    "SELECT idempotency_key, id FROM {EVENTS} WHERE tenant_id = $1 AND idempotency_key = ANY($2)"
                ),
                &[&tenant, &keys],
            )
            .await
            .map_err(BusError::store)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (e, a) in events.iter().zip(out.iter_mut()) {
            if a.is_none()
                && e.tenant_id == tenant
                && let Some(id) = e.idempotency_key.as_ref().and_then(|k| firsts.get(k))
            {
                *a = Some(Appended::Duplicate { id: *id });
            }
        }
    }
    out.into_iter()
        .map(|a| {
            a.ok_or_else(|| {
                BusError::Store("an appended event was neither stored nor a duplicate".into())
            })
        })
        .collect()
}

/// Appends events in the caller's transaction (`publish_in`), under each
/// tenant's setting, so that it works under an application role subject to
/// row-level security.
pub(super) async fn append_on(
    client: &impl GenericClient,
    events: &[NewEvent],
) -> Result<Vec<Appended>, BusError> {
    let insert = client
        .prepare(&insert_sql(true))
        .await
        .map_err(BusError::store)?;
    let mut tenants: Vec<&str> = events.iter().map(|e| e.tenant_id.as_str()).collect();
    tenants.sort_unstable();
    tenants.dedup();
    let mut out = vec![None; events.len()];
    for tenant in tenants {
        set_tenant(client, tenant).await?;
        let (indexes, group): (Vec<usize>, Vec<NewEvent>) = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.tenant_id == tenant)
            .map(|(i, e)| (i, e.clone()))
            .unzip();
        for (i, a) in indexes
            .into_iter()
            .zip(append_with(client, &insert, &group).await?)
        {
            out[i] = Some(a);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// Names the tenant whose rows the transaction may see (row-level security).
async fn set_tenant(client: &impl GenericClient, tenant: &str) -> Result<(), BusError> {
    client
        .execute(
            "SELECT set_config($1, $2, true)",
            &[&TENANT_SETTING, &tenant],
        )
        .await
        .map_err(BusError::store)?;
    Ok(())
}

fn event_from_row(r: &Row) -> StoredEvent {
    StoredEvent {
        seq: r.get(0),
        id: r.get(1),
        tenant_id: r.get(2),
        event_type: r.get(3),
        schema_ref: r.get(4),
        version: u32::try_from(r.get::<_, i32>(5)).unwrap_or_default(),
        payload: r.get::<_, Json<Box<RawValue>>>(6).0,
        idempotency_key: r.get(7),
        recorded_at: Timestamp::from(r.get::<_, SystemTime>(8)),
    }
}

const EVENT_COLUMNS: &str = "e.seq, e.id, e.tenant_id, e.event_type, e.schema_ref, e.version, e.payload, e.idempotency_key, e.recorded_at";

fn after(now: Timestamp, d: Duration) -> SystemTime {
    now.saturating_add(d).into()
}

#[async_trait]
impl Store for PostgresStore {
    fn changes(&self) -> Option<watch::Receiver<u64>> {
        Some(
            self.changes
                .get_or_init(|| {
                    let (tx, rx) = watch::channel(0);
                    tokio::spawn(listen(self.config.clone(), tx));
                    rx
                })
                .clone(),
        )
    }

    async fn migrate(&self) -> Result<(), BusError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(BusError::store)?;
        // One migration at a time (several processes may start together).
        tx.execute("SELECT pg_advisory_xact_lock(7262605501)", &[])
            .await
            .map_err(BusError::store)?;
        tx.batch_execute(&bus_ddl(Dialect::Postgres))
            .await
            .map_err(BusError::store)?;
        tx.commit().await.map_err(BusError::store)
    }

    async fn register_consumer(
        &self,
        consumer: &str,
        schema_refs: &[String],
    ) -> Result<(), BusError> {
        let client = self.client().await?;
        client
            .execute(
                &format!(
                    "INSERT INTO {CONSUMERS} (consumer, schema_ref) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING"
                ),
                &[&consumer, &schema_refs],
            )
            .await
            .map_err(BusError::store)?;
        Ok(())
    }

    async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, BusError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.appends
            .send((events, reply))
            .map_err(|_| BusError::Closed)?;
        answer.await.map_err(|_| BusError::Closed)?
    }

    async fn claim(
        &self,
        consumer: &str,
        limit: usize,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Vec<Claimed>, BusError> {
        static CLAIM: LazyLock<String> = LazyLock::new(|| {
            format!(
                // The rows locked are updated where they are (`ctid`, a TID
                // scan), and LATERAL reads each event by its key. No indexed
                // column changes (`updated_at` is left alone), so with the
                // table's free space the update stays on its page (HOT).
                "WITH taken AS ( \
                   UPDATE {DELIVERIES} d SET lease_until = $3, attempts = d.attempts + 1 \
                   WHERE d.ctid = ANY(ARRAY( \
                     SELECT ctid FROM {DELIVERIES} \
                     WHERE consumer = $1 AND status = 'pending' AND next_attempt_at <= $2 \
                       AND (lease_until IS NULL OR lease_until <= $2) \
                     ORDER BY event_seq LIMIT $4 FOR UPDATE SKIP LOCKED)) \
                   RETURNING d.event_seq, d.attempts \
                 ) SELECT {EVENT_COLUMNS}, taken.attempts FROM taken \
                 CROSS JOIN LATERAL (SELECT * FROM {EVENTS} WHERE seq = taken.event_seq) e \
                 ORDER BY e.seq"
            )
        });
        let client = self.client().await?;
        // Planned at every claim (an unnamed statement, in the same round
        // trip), never from a cached generic plan: a plan made while the
        // tables were small scans the whole delivery table for the locked
        // rows, and stays cached as the table grows (claims of 10 ms, then
        // 76 ms, within one benchmark run). Planned with the
        // table's current size, the TID scan wins as soon as the table is
        // more than a few pages.
        let rows = client
            .query_typed(
                &CLAIM,
                &[
                    (&consumer, Type::TEXT),
                    (&SystemTime::from(now), Type::TIMESTAMPTZ),
                    (&after(now, lease), Type::TIMESTAMPTZ),
                    (&(limit.min(i64::MAX as usize) as i64), Type::INT8),
                ],
            )
            .await
            .map_err(BusError::store)?;
        Ok(rows
            .iter()
            .map(|r| Claimed {
                event: event_from_row(r),
                attempt: u32::try_from(r.get::<_, i32>(9)).unwrap_or_default(),
            })
            .collect())
    }

    async fn settle(&self, settlements: Vec<Settlement>) -> Result<(), BusError> {
        if settlements.is_empty() {
            return Ok(());
        }
        let mut consumers = Vec::new();
        let mut seqs = Vec::new();
        let mut statuses = Vec::new();
        let mut errors: Vec<Option<String>> = Vec::new();
        let mut retry_at: Vec<Option<SystemTime>> = Vec::new();
        let mut at = Vec::new();
        let (mut a_consumer, mut a_seq, mut a_attempt, mut a_tenant, mut a_error, mut a_at) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for s in &settlements {
            consumers.push(s.consumer.as_str());
            seqs.push(s.seq);
            at.push(SystemTime::from(s.at));
            match &s.outcome {
                Outcome::Processed => {
                    statuses.push("processed");
                    errors.push(None);
                    retry_at.push(None);
                }
                Outcome::Skipped { reason } => {
                    statuses.push("skipped");
                    errors.push(Some(reason.clone()));
                    retry_at.push(None);
                }
                Outcome::Failed { error, retry_at: r } => {
                    statuses.push(if r.is_some() { "pending" } else { "dead" });
                    errors.push(Some(error.clone()));
                    retry_at.push(r.map(SystemTime::from));
                    a_consumer.push(s.consumer.as_str());
                    a_seq.push(s.seq);
                    a_attempt.push(i32::try_from(s.attempt).unwrap_or(i32::MAX));
                    a_tenant.push(s.tenant_id.as_str());
                    a_error.push(error.as_str());
                    a_at.push(SystemTime::from(s.at));
                }
            }
        }
        // One statement: the attempts and the new states commit together.
        // Each delivery is found by its key (LATERAL: an index lookup per
        // settlement, whatever the statistics say; a join could hash every
        // pending delivery) and updated where it is.
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "WITH attempts AS ( \
                   INSERT INTO {ATTEMPTS} (consumer, event_seq, attempt, tenant_id, error, failed_at) \
                   SELECT * FROM unnest($7::text[], $8::int8[], $9::int4[], $10::text[], $11::text[], $12::timestamptz[]) \
                   ON CONFLICT DO NOTHING \
                 ) UPDATE {DELIVERIES} d SET status = s.status, lease_until = NULL, \
                   last_error = COALESCE(s.err, d.last_error), \
                   next_attempt_at = COALESCE(s.retry_at, d.next_attempt_at), updated_at = s.at \
                 FROM ( \
                   SELECT x.row, u.status, u.err, u.retry_at, u.at \
                   FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[]) \
                     AS u(consumer, seq, status, err, retry_at, at) \
                   CROSS JOIN LATERAL ( \
                     SELECT ctid AS row FROM {DELIVERIES} \
                     WHERE consumer = u.consumer AND event_seq = u.seq AND status = 'pending' FOR UPDATE \
                   ) x \
                 ) s WHERE d.ctid = s.row"
            ))
            .await
            .map_err(BusError::store)?;
        client
            .execute(
                &stmt,
                &[
                    &consumers,
                    &seqs,
                    &statuses,
                    &errors,
                    &retry_at,
                    &at,
                    &a_consumer,
                    &a_seq,
                    &a_attempt,
                    &a_tenant,
                    &a_error,
                    &a_at,
                ],
            )
            .await
            .map_err(BusError::store)?;
        Ok(())
    }

    async fn next_due(&self, consumer: &str) -> Result<Option<Timestamp>, BusError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                &format!(
                    "SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_until, next_attempt_at))) \
                     FROM {DELIVERIES} WHERE consumer = $1 AND status = 'pending'"
                ),
                &[&consumer],
            )
            .await
            .map_err(BusError::store)?;
        Ok(row.get::<_, Option<SystemTime>>(0).map(Timestamp::from))
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
        let client = self.client().await?;
        let window_start = SystemTime::from(now.saturating_sub(window));
        let rows = client
            .query(
                &format!(
                    "INSERT INTO {COOLDOWNS} AS c (consumer, tenant_id, key, event_seq, fired_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (consumer, tenant_id, key) DO UPDATE \
                       SET event_seq = EXCLUDED.event_seq, fired_at = EXCLUDED.fired_at \
                       WHERE c.event_seq = EXCLUDED.event_seq OR c.fired_at <= $6 \
                     RETURNING 1"
                ),
                &[
                    &consumer,
                    &tenant_id,
                    &key,
                    &seq,
                    &SystemTime::from(now),
                    &window_start,
                ],
            )
            .await
            .map_err(BusError::store)?;
        Ok(!rows.is_empty())
    }

    async fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, BusError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(BusError::store)?;
        set_tenant(&*tx, &q.tenant_id).await?;
        let (field, value) = match &q.payload_field {
            Some((f, v)) => (Some(f.as_str()), Some(v.as_str())),
            None => (None, None),
        };
        let rows = tx
            .query(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM {EVENTS} e WHERE e.tenant_id = $1 \
                     AND ($2::text IS NULL OR e.event_type = $2) \
                     AND ($3::timestamptz IS NULL OR e.recorded_at >= $3) \
                     AND ($4::timestamptz IS NULL OR e.recorded_at < $4) \
                     AND ($5::int8 IS NULL OR e.seq > $5) \
                     AND ($6::text IS NULL OR e.payload ->> $6 = $7) \
                     AND ($9::uuid IS NULL OR e.id = $9) \
                     ORDER BY e.seq LIMIT $8"
                ),
                &[
                    &q.tenant_id,
                    &q.event_type,
                    &q.since.map(SystemTime::from),
                    &q.until.map(SystemTime::from),
                    &q.after_seq,
                    &field,
                    &value,
                    &q.max_rows(),
                    &q.id,
                ],
            )
            .await
            .map_err(BusError::store)?;
        tx.commit().await.map_err(BusError::store)?;
        Ok(rows.iter().map(event_from_row).collect())
    }

    async fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<Delivery>, BusError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(BusError::store)?;
        set_tenant(&*tx, &q.tenant_id).await?;
        let statuses: Vec<&str> = q.status.iter().map(|s| s.as_str()).collect();
        let rows = tx
            .query(
                &format!(
                    "SELECT d.consumer, d.event_seq, e.id, e.event_type, d.tenant_id, d.status, d.attempts, \
                            d.last_error, d.next_attempt_at, d.updated_at \
                     FROM {DELIVERIES} d JOIN {EVENTS} e ON e.seq = d.event_seq \
                     WHERE d.tenant_id = $1 AND ($2::text IS NULL OR d.consumer = $2) \
                       AND (cardinality($3::text[]) = 0 OR d.status = ANY($3)) \
                       AND (NOT $4 OR EXISTS (SELECT 1 FROM {ATTEMPTS} a WHERE a.consumer = d.consumer AND a.event_seq = d.event_seq)) \
                       AND ($5::uuid IS NULL OR e.id = $5) \
                     ORDER BY d.event_seq, d.consumer LIMIT $6"
                ),
                &[
                    &q.tenant_id,
                    &q.consumer,
                    &statuses,
                    &q.failed,
                    &q.event_id,
                    &q.max_rows(),
                ],
            )
            .await
            .map_err(BusError::store)?;
        tx.commit().await.map_err(BusError::store)?;
        rows.iter()
            .map(|r| {
                let status: String = r.get(5);
                Ok(Delivery {
                    consumer: r.get(0),
                    seq: r.get(1),
                    event_id: r.get(2),
                    event_type: r.get(3),
                    tenant_id: r.get(4),
                    status: DeliveryStatus::from_name(&status)
                        .ok_or_else(|| BusError::Query(format!("unknown status `{status}`")))?,
                    attempts: u32::try_from(r.get::<_, i32>(6)).unwrap_or_default(),
                    last_error: r.get(7),
                    next_attempt_at: Timestamp::from(r.get::<_, SystemTime>(8)),
                    updated_at: Timestamp::from(r.get::<_, SystemTime>(9)),
                })
            })
            .collect()
    }

    async fn retry(
        &self,
        tenant_id: &str,
        event_id: Uuid,
        consumer: &str,
        now: Timestamp,
    ) -> Result<bool, BusError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(BusError::store)?;
        set_tenant(&*tx, tenant_id).await?;
        let n = tx
            .execute(
                &format!(
                    "UPDATE {DELIVERIES} SET status = 'pending', attempts = 0, next_attempt_at = $4, \
                     lease_until = NULL, updated_at = $4 \
                     WHERE consumer = $1 AND tenant_id = $2 AND status IN ('dead', 'pending') AND last_error IS NOT NULL \
                       AND event_seq = (SELECT seq FROM {EVENTS} WHERE id = $3 AND tenant_id = $2)"
                ),
                &[&consumer, &tenant_id, &event_id, &SystemTime::from(now)],
            )
            .await
            .map_err(BusError::store)?;
        tx.commit().await.map_err(BusError::store)?;
        Ok(n > 0)
    }

    async fn replay(
        &self,
        consumer: &str,
        tenant_id: Option<&str>,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<u64, BusError> {
        let client = self.client().await?;
        client
            .execute(
                &format!(
                    "INSERT INTO {DELIVERIES} (consumer, event_seq, tenant_id, status, attempts, next_attempt_at, updated_at) \
                     SELECT $1, e.seq, e.tenant_id, 'pending', 0, $4, $4 FROM {EVENTS} e \
                     JOIN {CONSUMERS} s ON s.schema_ref = e.schema_ref AND s.consumer = $1 \
                     WHERE e.recorded_at >= $3 AND ($2::text IS NULL OR e.tenant_id = $2) \
                     ON CONFLICT (consumer, event_seq) DO UPDATE SET status = 'pending', attempts = 0, \
                       next_attempt_at = $4, lease_until = NULL, last_error = NULL, updated_at = $4"
                ),
                &[&consumer, &tenant_id, &SystemTime::from(since), &SystemTime::from(now)],
            )
            .await
            .map_err(BusError::store)
    }
}
