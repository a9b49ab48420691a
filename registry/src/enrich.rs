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
        self.names
            .iter()
            .find(|(c, _)| *c == conventional)
            .map(|(_, d)| d.as_str())
    }

    /// Fills the declared base fields of `payload` (an object) from `ctx`,
    /// never overwriting a field the caller set. Other values are left alone.
    pub fn enrich(&self, ctx: &PublishContext, payload: &mut Value) {
        let Value::Object(map) = payload else { return };
        self.enrich_map(ctx, map);
    }

    /// [`Enricher::enrich`] on an object's map; whether it added a field.
    pub fn enrich_map(&self, ctx: &PublishContext, map: &mut Map<String, Value>) -> bool {
        let mut added = false;
        // The value is made only for a field that is missing.
        let mut fill = |conventional: &str, value: &dyn Fn() -> String| {
            if let Some(name) = self.name(conventional)
                && !map.contains_key(name)
            {
                map.insert(name.to_owned(), Value::String(value()));
                added = true;
            }
        };
        fill(TENANT, &|| ctx.tenant_id.clone());
        fill(OCCURRED_AT, &|| ctx.clock.now_rfc3339());
        if let Some(key) = &ctx.idempotency_key {
            fill(IDEMPOTENCY_KEY, &|| key.clone());
        }
        let (kind, id_field, id) = match &ctx.actor {
            None => return added,
            Some(Actor::User(id)) => (0, Some(ACTOR_USER), Some(id)),
            Some(Actor::Contact(id)) => (1, Some(ACTOR_CONTACT), Some(id)),
            Some(Actor::System) => (2, None, None),
        };
        if let Some(spelling) = &self.actor_types[kind] {
            fill(ACTOR_TYPE, &|| spelling.clone());
        }
        if let (Some(field), Some(id)) = (id_field, id) {
            fill(field, &|| id.clone());
        }
        added
    }
}
