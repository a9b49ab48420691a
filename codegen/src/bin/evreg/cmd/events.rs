//! `evreg events`: the bus's audit trail and deliveries, from the command
//! line — list and show events, list failed deliveries, retry a dead letter,
//! replay a consumer.

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use evreg::bus::store::{Delivery, StoredEvent, micros};
use evreg::bus::{DeliveryQuery, EventQuery, Store};
use serde_json::{Value, json};

use crate::opt::{EventsArgs, EventsCommand, Format, Opt};

pub fn run(_opt: &Opt, args: &EventsArgs) -> Result<ExitCode, super::CliError> {
    let Some(url) = args.database_url.as_deref() else {
        return Err("`evreg events` needs --database-url (or DATABASE_URL)"
            .to_owned()
            .into());
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = match evreg::bus::connect(url).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        match command(store.as_ref(), args).await {
            Ok(code) => Ok(code),
            Err(Failure::Usage(m)) => Err(m.into()),
            Err(Failure::Store(e)) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(1))
            }
            Err(Failure::Io(e)) => Err(e.into()),
        }
    })
}

enum Failure {
    Usage(String),
    Store(evreg::bus::BusError),
    Io(std::io::Error),
}

impl From<evreg::bus::BusError> for Failure {
    fn from(e: evreg::bus::BusError) -> Self {
        Failure::Store(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

/// RFC 3339, or a duration before now (`30d`, `2h 30m`).
fn when(text: &str) -> Result<SystemTime, Failure> {
    if let Ok(t) = humantime::parse_rfc3339_weak(text) {
        return Ok(t);
    }
    match humantime::parse_duration(text) {
        Ok(d) => Ok(SystemTime::now()
            .checked_sub(d)
            .unwrap_or(SystemTime::UNIX_EPOCH)),
        Err(_) => Err(Failure::Usage(format!(
            "`{text}` is neither an RFC 3339 time (2026-11-01T00:00:00Z) nor a duration (30d, 2h)"
        ))),
    }
}

fn id(text: &str) -> Result<uuid::Uuid, Failure> {
    text.parse()
        .map_err(|_| Failure::Usage(format!("`{text}` is not an event id (a UUID)")))
}

fn time(t: SystemTime) -> String {
    humantime::format_rfc3339_micros(t).to_string()
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
            eprintln!("{} event(s)", events.len());
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
                    serde_json::to_string_pretty(&e.payload).map_err(std::io::Error::from)?
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
            eprintln!("{} failed deliver(ies)", deliveries.len());
        }
        EventsCommand::Retry {
            tenant,
            consumer,
            id: text,
        } => {
            let event_id = id(text)?;
            if !store
                .retry(tenant, event_id, consumer, micros(SystemTime::now()))
                .await?
            {
                eprintln!(
                    "error: tenant `{tenant}` has no failed delivery of {event_id} to `{consumer}`"
                );
                return Ok(ExitCode::from(1));
            }
            eprintln!("{event_id} is due again for `{consumer}`");
        }
        EventsCommand::Replay {
            consumer,
            since,
            tenant,
        } => {
            let since = when(since)?;
            let n = store
                .replay(
                    consumer,
                    tenant.as_deref(),
                    micros(since),
                    micros(SystemTime::now()),
                )
                .await?;
            eprintln!(
                "{n} deliver(ies) to `{consumer}` queued again (events since {})",
                time(since)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
