//! The subject codec and the envelope: where an event goes
//! (`<prefix>.<tenant>.<event type>.v<version>`), and how it is written to and
//! read back from a message's subject, headers and body.

use async_nats::{HeaderMap, HeaderName};
use uuid::Uuid;

use crate::error::BusError;
use crate::store::{self, NewEvent, StoredEvent};
use crate::time::Timestamp;

pub(super) const EVENT_ID: HeaderName = HeaderName::from_static("Evreg-Event-Id");
pub(super) const SCHEMA_REF: HeaderName = HeaderName::from_static("Evreg-Schema-Ref");
pub(super) const RECORDED_AT: HeaderName = HeaderName::from_static("Evreg-Recorded-At");
pub(super) const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("Evreg-Idempotency-Key");
pub(super) const ERROR: HeaderName = HeaderName::from_static("Evreg-Error");
pub(super) const CONSUMER: HeaderName = HeaderName::from_static("Evreg-Consumer");
pub(super) const ATTEMPTS: HeaderName = HeaderName::from_static("Evreg-Attempts");
pub(super) const STREAM_SEQ: HeaderName = HeaderName::from_static("Evreg-Stream-Seq");

/// One token of a subject: the bytes outside `[A-Za-z0-9_-]` written as
/// `%XX` (so `course.graduated` is `course%2Egraduated`), which keeps
/// tokens apart and can be read back.
pub fn subject_token(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The subject of an event: `<prefix>.<tenant>.<event type>.v<version>`,
/// tenant and event type through [`subject_token`].
pub fn subject(prefix: &str, tenant: &str, event_type: &str, version: u32) -> String {
    format!(
        "{prefix}.{}.{}.v{version}",
        subject_token(tenant),
        subject_token(event_type)
    )
}

/// The subject of the last event sent: a batch is mostly one tenant's
/// events of one type, so its subject is built once and shared (a `Subject`
/// clones without copying).
#[derive(Default)]
pub(super) struct Subjects {
    last: Option<(String, String, u32, async_nats::Subject)>,
}

impl Subjects {
    pub(super) fn of(&mut self, prefix: &str, e: &NewEvent) -> async_nats::Subject {
        if let Some((tenant, event_type, version, subject)) = &self.last
            && *tenant == e.tenant_id
            && *event_type == e.event_type
            && *version == e.version
        {
            return subject.clone();
        }
        let subject =
            async_nats::Subject::from(subject(prefix, &e.tenant_id, &e.event_type, e.version));
        self.last = Some((
            e.tenant_id.clone(),
            e.event_type.to_string(),
            e.version,
            subject.clone(),
        ));
        subject
    }
}

/// The subject of a dead letter: `<prefix>.$dead.<consumer>.<tenant>.<event
/// type>.v<version>` (tokens escaped as in [`subject`], so no tenant is
/// ever `$dead` and event filters never match a dead letter).
pub fn dead_letter_subject(prefix: &str, consumer: &str, event: &StoredEvent) -> String {
    format!(
        "{prefix}.$dead.{}.{}.{}.v{}",
        subject_token(consumer),
        subject_token(&event.tenant_id),
        subject_token(&event.event_type),
        event.version
    )
}

pub(super) fn message_id(e: &NewEvent) -> String {
    match &e.idempotency_key {
        Some(key) => format!("{}:{key}", e.tenant_id),
        None => e.id.to_string(),
    }
}

/// The envelope's headers. Tenant, event type and version are in the
/// subject; the event id is `Nats-Msg-Id` unless an idempotency key holds
/// that place, and the recording time is in the id (`store::event_id`)
/// unless the event came with an id of its own. Fewer bytes per message
/// are more messages per second.
pub(super) fn headers(e: &NewEvent) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(SCHEMA_REF, &*e.schema_ref);
    if store::recorded_at_of(e.id) != Some(e.recorded_at) {
        h.insert(RECORDED_AT, e.recorded_at.as_micros().to_string());
    }
    if let Some(key) = &e.idempotency_key {
        h.insert(EVENT_ID, e.id.to_string());
        h.insert(IDEMPOTENCY_KEY, key.as_str());
    }
    h
}

/// Tenant, event type and version from the last three tokens of a subject
/// (an event's `<prefix>.<tenant>.<type>.v<version>`, and a dead letter's
/// `<prefix>.$dead.<consumer>.<tenant>.<type>.v<version>`).
pub(super) fn from_subject(subject: &str) -> Option<(String, String, u32)> {
    let mut tokens = subject.rsplitn(4, '.');
    let version = tokens.next()?.strip_prefix('v')?.parse().ok()?;
    let event_type = unescape_token(tokens.next()?)?;
    let tenant = unescape_token(tokens.next()?)?;
    tokens.next()?;
    Some((tenant, event_type, version))
}

/// [`subject_token`] read back.
pub(super) fn unescape_token(token: &str) -> Option<String> {
    let mut out = Vec::with_capacity(token.len());
    let mut bytes = token.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// Reads an event back from a message's subject, headers and body.
pub(super) fn decode(
    stream_seq: u64,
    subject: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<StoredEvent, BusError> {
    let missing = |name: &dyn std::fmt::Display| {
        BusError::Transport(format!(
            "message {stream_seq} has no `{name}` header: not published by evreg"
        ))
    };
    let header = |name: HeaderName| {
        headers
            .get(name.clone())
            .map(|v| v.as_str().to_owned())
            .ok_or_else(|| missing(&name))
    };
    let bad = |name: &dyn std::fmt::Display| {
        BusError::Transport(format!("message {stream_seq}: bad `{name}`"))
    };
    let (tenant_id, event_type, version) = from_subject(subject).ok_or_else(|| bad(&subject))?;
    let id: Uuid = headers
        .get(EVENT_ID)
        .or_else(|| headers.get(async_nats::header::NATS_MESSAGE_ID))
        .ok_or_else(|| missing(&EVENT_ID))?
        .as_str()
        .parse()
        .map_err(|_| bad(&EVENT_ID))?;
    let recorded_at = match headers.get(RECORDED_AT) {
        Some(v) => Timestamp::from_micros(v.as_str().parse().map_err(|_| bad(&RECORDED_AT))?),
        None => store::recorded_at_of(id).ok_or_else(|| missing(&RECORDED_AT))?,
    };
    Ok(StoredEvent {
        seq: i64::try_from(stream_seq).map_err(|_| bad(&"sequence"))?,
        id,
        tenant_id,
        event_type,
        schema_ref: header(SCHEMA_REF)?,
        version,
        payload: serde_json::from_slice::<Box<serde_json::value::RawValue>>(body)
            .map_err(|e| BusError::Transport(format!("message {stream_seq}: body: {e}")))?,
        idempotency_key: headers.get(IDEMPOTENCY_KEY).map(|v| v.as_str().to_owned()),
        recorded_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_keep_tokens_apart_and_read_back() {
        assert_eq!(
            subject("evreg", "acme", "course.graduated", 2),
            "evreg.acme.course%2Egraduated.v2"
        );
        assert_eq!(
            subject("a.b", "9d1afc45-a247", "TICKET_CREATED", 1),
            "a.b.9d1afc45-a247.TICKET_CREATED.v1"
        );
        // Distinct inputs, distinct tokens (the escape itself is escaped).
        assert_ne!(subject_token("a.b"), subject_token("a%2Eb"));
        assert_eq!(subject_token("x y*>"), "x%20y%2A%3E");
    }

    #[test]
    fn the_envelope_reads_back_from_event_and_dead_letter_subjects() {
        for (tenant, event_type, version) in [
            ("acme", "course.graduated", 2),
            ("9d1afc45-a247", "TICKET_CREATED", 1),
            ("a%2Eb x", "é.*>", 40),
        ] {
            let want = Some((tenant.to_owned(), event_type.to_owned(), version));
            let event = subject("evreg.prod", tenant, event_type, version);
            assert_eq!(from_subject(&event), want, "{event}");
            let dead = format!(
                "evreg.prod.$dead.{}",
                event.strip_prefix("evreg.prod.").unwrap()
            );
            assert_eq!(from_subject(&dead), want, "{dead}");
        }
        for bad in [
            "",
            "x.TICKET.v1",
            "p.t.TICKET.1",
            "p.t.TICKET.vx",
            "p.%4.T.v1",
            "p.%FF.T.v1",
        ] {
            assert_eq!(from_subject(bad), None, "{bad}");
        }
    }
}
