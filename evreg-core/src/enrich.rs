//! Enrichment: filling a payload's base fields (tenant, time, actor,
//! idempotency key) from the publishing context, the way the manifest's
//! `[base]` declares them.
//!
//! ```
//! use serde_json::json;
//! use evreg_core::enrich::{Actor, Enricher, FixedClock, PublishContext};
//!
//! let catalog = evreg_core::Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog"))?;
//! let enricher = Enricher::from_manifest(catalog.manifest());
//! let ctx = PublishContext::new("9d1afc45-a247-4e74-819e-15227f93e95d")
//!     .actor(Actor::User("206ce413-f471-495a-bd28-eb06f84d7891".into()))
//!     .idempotency_key("import-42")
//!     .clock(FixedClock::new("2026-07-19T20:11:20Z"));
//!
//! let mut payload = json!({ "ticketId": "5bdc7ecd-3d9f-4093-823c-eb01bf43cd0e" });
//! enricher.enrich(&ctx, &mut payload);
//! assert_eq!(payload["tenantId"], "9d1afc45-a247-4e74-819e-15227f93e95d");
//! assert_eq!(payload["occurredAt"], "2026-07-19T20:11:20Z");
//! assert_eq!(payload["actorType"], "user");
//! assert_eq!(payload["actorUserId"], "206ce413-f471-495a-bd28-eb06f84d7891");
//! assert_eq!(payload["idempotencyKey"], "import-42");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::catalog::Manifest;
use crate::payload::AnyPayload;

mod probe;

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A user, by id.
    User(String),
    /// A contact (a customer's person), by id.
    Contact(String),
    /// The system itself (a scheduler, an integration).
    System,
}

/// The current time, as RFC 3339.
pub trait Clock: Send + Sync {
    /// Now, e.g. `2026-07-19T20:11:20.123Z`.
    fn now_rfc3339(&self) -> String;
}

/// The system clock (UTC).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_rfc3339(&self) -> String {
        humantime::format_rfc3339_millis(SystemTime::now()).to_string()
    }
}

/// A clock that always says the same time (tests, simulations, replays).
#[derive(Debug, Clone)]
pub struct FixedClock(String);

impl FixedClock {
    /// A clock stopped at `rfc3339`.
    pub fn new(rfc3339: impl Into<String>) -> Self {
        FixedClock(rfc3339.into())
    }
}

impl Clock for FixedClock {
    fn now_rfc3339(&self) -> String {
        self.0.clone()
    }
}

/// What a publisher knows about the event it publishes.
#[derive(Clone)]
pub struct PublishContext {
    tenant_id: String,
    actor: Option<Actor>,
    idempotency_key: Option<String>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for PublishContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishContext")
            .field("tenant_id", &self.tenant_id)
            .field("actor", &self.actor)
            .field("idempotency_key", &self.idempotency_key)
            .finish_non_exhaustive()
    }
}

impl PublishContext {
    /// A context for `tenant_id`, with the system clock and no actor.
    pub fn new(tenant_id: impl Into<String>) -> Self {
        PublishContext {
            tenant_id: tenant_id.into(),
            actor: None,
            idempotency_key: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets who caused the event.
    pub fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }

    /// Sets the key that deduplicates retried publishes.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets the clock `occurredAt` is read from.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The tenant.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The idempotency key, if set.
    pub fn key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// Who caused the event, if set.
    pub fn who(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }
}

/// The base fields an enricher can fill, by their conventional (camelCase) name.
const TENANT: &str = "tenantId";
const OCCURRED_AT: &str = "occurredAt";
const ACTOR_USER: &str = "actorUserId";
const ACTOR_CONTACT: &str = "actorContactId";
const ACTOR_TYPE: &str = "actorType";
const IDEMPOTENCY_KEY: &str = "idempotencyKey";

/// The value of a field an enricher fills, made only when it is missing.
enum Fill<'a> {
    Text(&'a str),
    Now(&'a dyn Clock),
}

impl Fill<'_> {
    fn value(&self) -> String {
        match self {
            Fill::Text(text) => (*text).to_owned(),
            Fill::Now(clock) => clock.now_rfc3339(),
        }
    }
}

/// Fills base fields of payloads; built once from the manifest.
#[derive(Debug, Clone, Default)]
pub struct Enricher {
    /// Conventional name → the name the catalog declares (per its key case).
    names: Vec<(&'static str, String)>,
    /// The catalog's spelling of `user` / `contact` / `system` for `actorType`.
    actor_types: [Option<String>; 3],
}

impl Enricher {
    /// An enricher for the base fields `manifest` declares. Fields the manifest
    /// does not declare are never added.
    pub fn from_manifest(manifest: &Manifest) -> Self {
        Enricher::from_base(manifest.key_case, &manifest.base.properties)
    }

    /// An enricher for these base properties (name → schema) under the
    /// catalog's key convention: what generated code's `enricher()` builds,
    /// with no catalog file read at run time.
    pub fn from_base(key_case: Option<crate::naming::KeyCase>, props: &Map<String, Value>) -> Self {
        use heck::ToSnakeCase;
        let names = [
            TENANT,
            OCCURRED_AT,
            ACTOR_USER,
            ACTOR_CONTACT,
            ACTOR_TYPE,
            IDEMPOTENCY_KEY,
        ]
        .into_iter()
        .filter_map(|name| {
            let declared = match key_case {
                Some(case) => case.convert(name),
                None if props.contains_key(name) => name.to_owned(),
                None => name.to_snake_case(),
            };
            props.contains_key(&declared).then_some((name, declared))
        })
        .collect();
        let spellings: Vec<String> = props
            .values()
            .zip(props.keys())
            .find(|(_, k)| k.eq_ignore_ascii_case(ACTOR_TYPE) || k.as_str() == "actor_type")
            .and_then(|(schema, _)| schema.get("enum"))
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let spelling = |word: &str| {
            spellings
                .iter()
                .find(|s| s.eq_ignore_ascii_case(word))
                .cloned()
                .or_else(|| spellings.is_empty().then(|| word.to_owned()))
        };
        Enricher {
            names,
            actor_types: [spelling("user"), spelling("contact"), spelling("system")],
        }
    }

    /// The payload property that holds the tenant, when the catalog declares one.
    pub fn tenant_field(&self) -> Option<&str> {
        self.name(TENANT)
    }

    fn name(&self, conventional: &str) -> Option<&str> {
        self.index(conventional).map(|i| self.names[i].1.as_str())
    }

    /// Fills the declared base fields of `payload` (an object) from `ctx`,
    /// never overwriting a field the caller set. Other values are left alone.
    pub fn enrich(&self, ctx: &PublishContext, payload: &mut Value) {
        let Value::Object(map) = payload else { return };
        self.enrich_map(ctx, map);
    }

    /// The base fields it fills, by the names the catalog declares
    /// (`tenantId`, or `tenant_id` in a snake_case catalog): what generated
    /// constructors leave to it.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|(_, declared)| declared.as_str())
    }

    /// [`Enricher::enrich`] on an object's map; whether it added a field.
    pub fn enrich_map(&self, ctx: &PublishContext, map: &mut Map<String, Value>) -> bool {
        let mut added = false;
        for (index, fill) in self.fills(ctx) {
            let name = &self.names[index].1;
            if !map.contains_key(name) {
                map.insert(name.clone(), Value::String(fill.value()));
                added = true;
            }
        }
        added
    }

    /// Whether enriching `payload` would leave it as it is: it has every
    /// field `ctx` fills, and its tenant field (when the catalog declares
    /// one) holds `ctx`'s tenant. Read from the payload's `Serialize`
    /// implementation, looking at the names of its top-level fields (and
    /// at the tenant's value) only, with no JSON made.
    pub fn leaves_unchanged<T: AnyPayload>(&self, ctx: &PublishContext, payload: &T) -> bool {
        self.unchanged_by(ctx, |fields| payload.serialize_payload(fields))
    }

    /// [`Enricher::leaves_unchanged`] for what `serialize` writes.
    fn unchanged_by(
        &self,
        ctx: &PublishContext,
        serialize: impl FnOnce(&mut probe::Fields<'_>) -> Result<(), probe::Stop>,
    ) -> bool {
        let tenant = self.index(TENANT).map(|i| (i, ctx.tenant_id()));
        let mut fields = probe::Fields::new(&self.names, tenant);
        serialize(&mut fields).is_ok()
            && (tenant.is_none() || fields.tenant_matches())
            && self.fills(ctx).all(|(index, _)| fields.has(index))
    }

    /// The fields `ctx` fills where they are missing, in the order they are
    /// added: each one's index in `names`, and its value.
    fn fills<'a>(&'a self, ctx: &'a PublishContext) -> impl Iterator<Item = (usize, Fill<'a>)> {
        let (actor_type, actor_field, actor_id) = match &ctx.actor {
            None => (None, None, None),
            Some(Actor::User(id)) => (self.actor_types[0].as_deref(), Some(ACTOR_USER), Some(id)),
            Some(Actor::Contact(id)) => (
                self.actor_types[1].as_deref(),
                Some(ACTOR_CONTACT),
                Some(id),
            ),
            Some(Actor::System) => (self.actor_types[2].as_deref(), None, None),
        };
        [
            (Some(TENANT), Some(Fill::Text(&ctx.tenant_id))),
            (Some(OCCURRED_AT), Some(Fill::Now(&*ctx.clock))),
            (
                Some(IDEMPOTENCY_KEY),
                ctx.idempotency_key.as_deref().map(Fill::Text),
            ),
            (Some(ACTOR_TYPE), actor_type.map(Fill::Text)),
            (actor_field, actor_id.map(|id| Fill::Text(id))),
        ]
        .into_iter()
        .filter_map(|(field, fill)| Some((self.index(field?)?, fill?)))
    }

    fn index(&self, conventional: &str) -> Option<usize> {
        self.names.iter().position(|(c, _)| *c == conventional)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{Map, Value, json};

    use super::{Actor, Enricher, FixedClock, PublishContext};

    /// A payload whose base fields may be missing (skipped) or hold any
    /// kind of value.
    #[derive(Debug, Clone, Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Payload {
        #[serde(skip_serializing_if = "Option::is_none")]
        tenant_id: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        occurred_at: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        actor_type: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        actor_user_id: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        actor_contact_id: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        idempotency_key: Option<Value>,
        ticket: Value,
    }

    /// The same payload through `#[serde(flatten)]`: serialized as a map.
    #[derive(Debug, Clone, Serialize)]
    struct Flattened {
        #[serde(flatten)]
        fields: BTreeMap<String, Value>,
    }

    fn field() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            Just(Some(json!("t-1"))),
            Just(Some(json!("t-2"))),
            Just(Some(json!(7))),
            Just(Some(json!({ "tenant": "t-1" }))),
            Just(Some(json!(["t-1"]))),
        ]
    }

    fn payload() -> impl Strategy<Value = Payload> {
        (field(), field(), field(), field(), field(), field()).prop_map(
            |(tenant_id, occurred_at, actor_type, actor_user_id, actor_contact_id, key)| Payload {
                tenant_id,
                occurred_at,
                actor_type,
                actor_user_id,
                actor_contact_id,
                idempotency_key: key,
                ticket: json!({ "tenantId": "nested, not a base field" }),
            },
        )
    }

    fn enricher() -> impl Strategy<Value = Enricher> {
        proptest::sample::subsequence(
            vec![
                "tenantId",
                "occurredAt",
                "actorType",
                "actorUserId",
                "actorContactId",
                "idempotencyKey",
            ],
            0..=6,
        )
        .prop_map(|names| {
            let props: Map<String, Value> = names
                .into_iter()
                .map(|n| (n.to_owned(), json!({ "type": "string" })))
                .collect();
            Enricher::from_base(None, &props)
        })
    }

    fn context() -> impl Strategy<Value = PublishContext> {
        (
            prop_oneof![Just("t-1"), Just("t-2")],
            prop_oneof![
                Just(None),
                Just(Some(Actor::User("u-1".into()))),
                Just(Some(Actor::Contact("c-1".into()))),
                Just(Some(Actor::System)),
            ],
            proptest::option::of(Just("k-1")),
        )
            .prop_map(|(tenant, actor, key)| {
                let mut ctx =
                    PublishContext::new(tenant).clock(FixedClock::new("2026-01-01T00:00:00Z"));
                if let Some(actor) = actor {
                    ctx = ctx.actor(actor);
                }
                if let Some(key) = key {
                    ctx = ctx.idempotency_key(key);
                }
                ctx
            })
    }

    /// What the bus decided before the probe: enrich the JSON, then compare
    /// the tenant field with the context's.
    fn unchanged_by_value(enricher: &Enricher, ctx: &PublishContext, payload: &Payload) -> bool {
        let Value::Object(mut map) = serde_json::to_value(payload).unwrap() else {
            unreachable!("a struct")
        };
        let added = enricher.enrich_map(ctx, &mut map);
        let tenant_ok = enricher
            .tenant_field()
            .is_none_or(|f| map.get(f).and_then(Value::as_str) == Some(ctx.tenant_id()));
        !added && tenant_ok
    }

    proptest! {
        /// The probe and the JSON agree, for a struct and for a map.
        #[test]
        fn the_probe_agrees_with_enriching_the_json(
            enricher in enricher(),
            ctx in context(),
            payload in payload(),
        ) {
            let expected = unchanged_by_value(&enricher, &ctx, &payload);
            prop_assert_eq!(enricher.unchanged_by(&ctx, |f| payload.serialize(f)), expected);
            let Value::Object(map) = serde_json::to_value(&payload).unwrap() else { unreachable!() };
            let flattened = Flattened { fields: map.into_iter().collect() };
            prop_assert_eq!(enricher.unchanged_by(&ctx, |f| flattened.serialize(f)), expected);
        }
    }

    #[test]
    fn a_payload_that_is_not_an_object_takes_the_general_path() {
        let enricher = Enricher::default();
        let ctx = PublishContext::new("t-1");
        assert!(!enricher.unchanged_by(&ctx, |f| Value::Null.serialize(f)));
        assert!(!enricher.unchanged_by(&ctx, |f| json!([1]).serialize(f)));
        assert!(enricher.unchanged_by(&ctx, |f| json!({}).serialize(f)));
    }
}
