//! `evreg events`: the bus's audit trail and deliveries, from the command
//! line — list and show events, list failed deliveries, retry a dead letter,
//! replay a consumer — and watching events live (`tail`) and relaying them
//! from the database to NATS (`relay`).

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use evreg_bus::nats::{NatsConfig, NatsStream, TailFilter};
use evreg_bus::store::{Delivery, StoredEvent, wait_for_change};
use evreg_bus::{DeliveryQuery, EventQuery, Relay, Relayed, Store, Timestamp};
use serde_json::{Value, json};

use crate::opt::{EventsArgs, EventsCommand, Format, NatsArgs, Opt, TailTransport};

pub fn run(opt: &Opt, args: &EventsArgs) -> Result<ExitCode, super::CliError> {
    // Several workers: `relay` and `tail` run for long, and the NATS client's
    // connection task then runs beside them.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        match &args.command {
            EventsCommand::Tail {
                transport: TailTransport::Nats,
                tenant,
                event_type,
                since,
                limit,
                nats,
            } => {
                let filter = TailFilter {
                    tenant: tenant.clone(),
                    event_type: event_type.clone(),
                    since: since.as_deref().map(when).transpose()?,
                };
                tail_nats(nats, filter, *limit, args.format).await
            }
            EventsCommand::Relay { once, batch, nats } => {
                let dir = opt.catalog_dir(None).map_err(Failure::Usage)?;
                let catalog = match super::load(opt, &dir) {
                    Ok(c) => c,
                    Err(code) => return Ok(code),
                };
                let refs: Vec<String> = catalog
                    .events()
                    .iter()
                    .flat_map(|e| e.versions.iter().map(|v| v.schema_ref.clone()))
                    .collect();
                let store = connect(args).await?;
                relay(store, nats, &refs, *batch, *once).await
            }
            _ => command(connect(args).await?.as_ref(), args).await,
        }
    });
    match result {
        Ok(code) => Ok(code),
        Err(Failure::Usage(m)) => Err(m.into()),
        Err(Failure::Store(e)) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        Err(Failure::Connect(e)) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(2))
        }
        Err(Failure::Io(e)) => Err(e.into()),
    }
}

async fn connect(args: &EventsArgs) -> Result<Box<dyn Store>, Failure> {
    let Some(url) = args.database_url.as_deref() else {
        return Err(Failure::Usage(
            "this command needs --database-url (or DATABASE_URL)".to_owned(),
        ));
    };
    evreg_bus::connect(url).await.map_err(Failure::Connect)
}

/// The stream's configuration: the environment (`EVREG_NATS_*`), then the
/// flags.
fn nats_config(args: &NatsArgs) -> Result<NatsConfig, Failure> {
    let mut config = NatsConfig::from_env()?;
    if let Some(url) = &args.nats_url {
        config.url = url.clone();
    }
    if let Some(stream) = &args.stream {
        config.stream = stream.clone();
    }
    if let Some(prefix) = &args.subject_prefix {
        config.subject_prefix = prefix.clone();
    }
    Ok(config)
}

async fn tail_nats(
    args: &NatsArgs,
    filter: TailFilter,
    limit: Option<usize>,
    format: Format,
) -> Result<ExitCode, Failure> {
    use futures_util::StreamExt;
    let config = nats_config(args)?;
    let (url, name) = (config.url.clone(), config.stream.clone());
    let stream = NatsStream::connect(config)
        .await
        .map_err(Failure::Connect)?;
    eprintln!(
        "watching NATS stream `{name}` at {url} for {} events{} (Ctrl-C stops; \
         --transport database reads a tenant's audit trail instead)",
        if filter.since.is_some() {
            "recorded and new"
        } else {
            "new"
        },
        limit.map(|n| format!(", until {n}")).unwrap_or_default(),
    );
    let mut events = stream.tail(filter).await?;
    let mut seen = 0;
    while limit.is_none_or(|n| seen < n) {
        let Some(event) = events.next().await else {
            break;
        };
        print_live(&event?, format)?;
        seen += 1;
    }
    Ok(ExitCode::SUCCESS)
}

/// One event as it arrives: a line, or one JSON object per line.
fn print_live(e: &StoredEvent, format: Format) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        serde_json::to_writer(&mut out, &event_json(e)).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "#{:<6} {}  {}  {:<28} v{}  {}  {}",
            e.seq,
            time(e.recorded_at),
            e.tenant_id,
            e.event_type,
            e.version,
            e.id,
            // One line, whatever spacing the store keeps the JSON with.
            e.payload_as::<Value>()
                .and_then(|v| serde_json::to_string(&v))
                .map_err(std::io::Error::from)?
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The database's trail of one tenant, followed: new rows after a
/// notification (PostgreSQL) or every half second.
async fn tail_database(
    store: &dyn Store,
    tenant: &str,
    event_type: Option<&str>,
    since: Option<Timestamp>,
    limit: Option<usize>,
    format: Format,
) -> Result<ExitCode, Failure> {
    eprintln!(
        "watching the audit trail of tenant `{tenant}` for {} events (Ctrl-C stops)",
        if since.is_some() {
            "recorded and new"
        } else {
            "new"
        }
    );
    let mut changes = store.changes();
    let mut query = EventQuery::tenant(tenant)
        .since(since.unwrap_or_else(Timestamp::now))
        .limit(1000);
    query.event_type = event_type.map(str::to_owned);
    let mut seen = 0;
    loop {
        if let Some(c) = &mut changes {
            c.borrow_and_update();
        }
        let events = store.events(&query).await?;
        for e in &events {
            if limit.is_some_and(|n| seen >= n) {
                return Ok(ExitCode::SUCCESS);
            }
            print_live(e, format)?;
            seen += 1;
            query.after_seq = Some(e.seq);
        }
        if limit.is_some_and(|n| seen >= n) {
            return Ok(ExitCode::SUCCESS);
        }
        if events.len() == 1000 {
            continue;
        }
        wait_for_change(changes.as_mut(), std::time::Duration::from_millis(500)).await;
    }
}

async fn relay(
    store: Box<dyn Store>,
    args: &NatsArgs,
    refs: &[String],
    batch: usize,
    once: bool,
) -> Result<ExitCode, Failure> {
    let stream = NatsStream::connect(nats_config(args)?)
        .await
        .map_err(Failure::Connect)?;
    let name = stream.config().stream.clone();
    let relay = Relay::shared(store.into(), stream).batch(batch);
    relay.register(refs).await?;
    if once {
        let mut total = Relayed::default();
        loop {
            let r = relay.step().await?;
            if r.published + r.repeated == 0 {
                break;
            }
            total.published += r.published;
            total.repeated += r.repeated;
        }
        eprintln!(
            "{} relayed to stream {name} ({} already there)",
            evreg_core::naming::count(total.published, "event", "events"),
            total.repeated
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "relaying {} to stream {name} as `{}`; stopping at any point is safe",
        evreg_core::naming::count(refs.len(), "schema", "schemas"),
        relay.consumer()
    );
    relay
        .run(std::future::pending(), |e| eprintln!("warning: {e}"))
        .await;
    Ok(ExitCode::SUCCESS)
}

enum Failure {
    Usage(String),
    /// The database or server could not be reached: exit 2.
    Connect(evreg_bus::BusError),
    Store(evreg_bus::BusError),
    Io(std::io::Error),
}

impl From<evreg_bus::BusError> for Failure {
    fn from(e: evreg_bus::BusError) -> Self {
        Failure::Store(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

/// RFC 3339, or a duration before now (`30d`, `2h 30m`).
fn when(text: &str) -> Result<Timestamp, Failure> {
    if let Ok(t) = humantime::parse_rfc3339_weak(text) {
        return Ok(t.into());
    }
    match humantime::parse_duration(text) {
        Ok(d) => Ok(SystemTime::now()
            .checked_sub(d)
            .unwrap_or(SystemTime::UNIX_EPOCH)
            .into()),
        Err(_) => Err(Failure::Usage(format!(
            "`{text}` is neither an RFC 3339 time (2026-11-01T00:00:00Z) nor a duration (30d, 2h)"
        ))),
    }
}

fn id(text: &str) -> Result<uuid::Uuid, Failure> {
    text.parse()
        .map_err(|_| Failure::Usage(format!("`{text}` is not an event id (a UUID)")))
}

fn time(t: Timestamp) -> String {
    humantime::format_rfc3339_micros(t.into()).to_string()
}

fn event_json(e: &StoredEvent) -> Value {
    json!({
        "seq": e.seq,
        "id": e.id.to_string(),
        "tenant_id": e.tenant_id,
        "event_type": e.event_type,
        "schema_ref": e.schema_ref,
        "version": e.version,
        "idempotency_key": e.idempotency_key,
        "recorded_at": time(e.recorded_at),
        "payload": e.payload,
    })
}

fn delivery_json(d: &Delivery) -> Value {
    json!({
        "consumer": d.consumer,
        "seq": d.seq,
        "event_id": d.event_id.to_string(),
        "event_type": d.event_type,
        "status": d.status.as_str(),
        "attempts": d.attempts,
        "last_error": d.last_error,
        "next_attempt_at": time(d.next_attempt_at),
        "updated_at": time(d.updated_at),
    })
}

fn delivery_line(d: &Delivery) -> String {
    format!(
        "#{:<6} {:<24} {:<10} attempts {:<3} {}{}",
        d.seq,
        d.consumer,
        d.status.as_str(),
        d.attempts,
        d.event_type,
        d.last_error
            .as_deref()
            .map(|e| format!("  last error: {e}"))
            .unwrap_or_default()
    )
}

async fn command(store: &dyn Store, args: &EventsArgs) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    let json = args.format == Format::Json;
    match &args.command {
        EventsCommand::List {
            tenant,
            event_type,
            since,
            until,
            field,
            limit,
        } => {
            let mut q = EventQuery::tenant(tenant).limit(*limit);
            q.event_type = event_type.clone();
            q.since = since.as_deref().map(when).transpose()?;
            q.until = until.as_deref().map(when).transpose()?;
            if let Some(f) = field {
                let (name, value) = f
                    .split_once('=')
                    .ok_or_else(|| Failure::Usage(format!("--field `{f}`: write NAME=VALUE")))?;
                q = q.payload_field(name, value);
            }
            let events = store.events(&q).await?;
            if json {
                let all: Vec<Value> = events.iter().map(event_json).collect();
                serde_json::to_writer_pretty(&mut out, &all).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                for e in &events {
                    writeln!(
                        out,
                        "#{:<6} {}  {:<28} {:<40} {}{}",
                        e.seq,
                        time(e.recorded_at),
                        e.event_type,
                        e.schema_ref,
                        e.id,
                        e.idempotency_key
                            .as_deref()
                            .map(|k| format!("  key {k}"))
                            .unwrap_or_default()
                    )?;
                }
            }
            eprintln!(
                "{}",
                evreg_core::naming::count(events.len(), "event", "events")
            );
            if events.is_empty() {
                let any = store.events(&EventQuery::tenant(tenant).limit(1)).await?;
                if any.is_empty() {
                    eprintln!(
                        "note: tenant `{tenant}` has no events in this database (tenant ids match exactly)"
                    );
                } else {
                    eprintln!(
                        "note: tenant `{tenant}` has events; none matches --type, --since, --until or --field"
                    );
                }
            }
        }
        EventsCommand::Show { tenant, id: text } => {
            let event_id = id(text)?;
            let events = store
                .events(&EventQuery::tenant(tenant).id(event_id).limit(1))
                .await?;
            let Some(e) = events.first() else {
                eprintln!("error: tenant `{tenant}` has no event {event_id}");
                return Ok(ExitCode::from(1));
            };
            let deliveries = store
                .deliveries(
                    &DeliveryQuery::tenant(tenant)
                        .event(event_id)
                        .limit(usize::MAX),
                )
                .await?;
            if json {
                let mut doc = event_json(e);
                doc["deliveries"] = deliveries.iter().map(delivery_json).collect();
                serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{} ({}) #{} {}",
                    e.event_type, e.schema_ref, e.seq, e.id
                )?;
                writeln!(
                    out,
                    "tenant {}, recorded {}",
                    e.tenant_id,
                    time(e.recorded_at)
                )?;
                if let Some(k) = &e.idempotency_key {
                    writeln!(out, "idempotency key {k}")?;
                }
                writeln!(
                    out,
                    "{}",
                    e.payload_as::<Value>()
                        .and_then(|v| serde_json::to_string_pretty(&v))
                        .map_err(std::io::Error::from)?
                )?;
                writeln!(out, "deliveries:")?;
                for d in &deliveries {
                    writeln!(out, "  {}", delivery_line(d))?;
                }
            }
        }
        EventsCommand::Failed {
            tenant,
            consumer,
            dead,
            limit,
        } => {
            let mut q = DeliveryQuery::tenant(tenant).limit(*limit);
            q = if *dead { q.dead() } else { q.failed() };
            q.consumer = consumer.clone();
            let deliveries = store.deliveries(&q).await?;
            if json {
                let all: Vec<Value> = deliveries.iter().map(delivery_json).collect();
                serde_json::to_writer_pretty(&mut out, &all).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                for d in &deliveries {
                    writeln!(out, "{}  {}", delivery_line(d), d.event_id)?;
                }
            }
            eprintln!(
                "{}",
                evreg_core::naming::count(deliveries.len(), "failed delivery", "failed deliveries")
            );
        }
        EventsCommand::Retry {
            tenant,
            consumer,
            id: text,
        } => {
            let event_id = id(text)?;
            if !store
                .retry(tenant, event_id, consumer, Timestamp::now())
                .await?
            {
                eprintln!(
                    "error: tenant `{tenant}` has no failed delivery of {event_id} to `{consumer}`"
                );
                return Ok(ExitCode::from(1));
            }
            eprintln!("{event_id} is due again for `{consumer}`");
        }
        EventsCommand::Tail {
            transport: TailTransport::Database,
            tenant,
            event_type,
            since,
            limit,
            nats: _,
        } => {
            let Some(tenant) = tenant else {
                return Err(Failure::Usage(
                    "--transport database needs --tenant: one tenant's trail at a time".into(),
                ));
            };
            let since = since.as_deref().map(when).transpose()?;
            return tail_database(
                store,
                tenant,
                event_type.as_deref(),
                since,
                *limit,
                args.format,
            )
            .await;
        }
        EventsCommand::Tail { .. } | EventsCommand::Relay { .. } => {
            unreachable!("handled before connecting to the store")
        }
        EventsCommand::Replay {
            consumer,
            since,
            tenant,
        } => {
            let since = when(since)?;
            let n = store
                .replay(consumer, tenant.as_deref(), since, Timestamp::now())
                .await?;
            eprintln!(
                "{} to `{consumer}` queued again (events since {})",
                evreg_core::naming::count(n as usize, "delivery", "deliveries"),
                time(since)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
