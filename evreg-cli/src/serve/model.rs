//! What `evreg serve` answers from: the catalog as subjects, versions and
//! schema ids, read-only.

use std::collections::BTreeMap;

use evreg_core::Catalog;
use evreg_core::catalog::lock::Lock;
use evreg_core::compat::{self, Mode};
use serde_json::Value;

/// How an event type names its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SubjectNames {
    /// The event type: `TICKET_CREATED`.
    Type,
    /// The event type as a topic, with Confluent's `TopicNameStrategy` for
    /// values: `TICKET_CREATED-value`.
    TypeValue,
}

impl SubjectNames {
    fn subject(self, event_type: &str) -> String {
        match self {
            SubjectNames::Type => event_type.to_owned(),
            SubjectNames::TypeValue => format!("{event_type}-value"),
        }
    }
}

/// One payload version as a registered schema.
#[derive(Debug, Clone)]
pub struct Version {
    /// 1, 2, …
    pub version: u32,
    /// Its schema id: from `catalog.lock`, or given after the lock's last.
    pub id: u32,
    /// Whether the id is the lock's (released) or given for this run.
    pub locked: bool,
    /// The bundled schema (2020-12).
    pub schema: Value,
    /// The schema as the API sends it: its JSON text.
    pub text: String,
}

/// The versions of one event.
#[derive(Debug, Clone)]
pub struct Subject {
    /// What its versions must keep.
    pub mode: Mode,
    /// Its versions, oldest first.
    pub versions: Vec<Version>,
}

/// The catalog as a schema registry sees it.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The catalog itself (evreg's own endpoints read it).
    pub catalog: Catalog,
    /// Its payload registry, for `/v1/validate`: built on first use
    /// ([`Registry::payloads`]), as it is most of the start-up time.
    payloads: std::sync::OnceLock<evreg_core::Registry>,
    /// What the catalog site's pages say of one another.
    pub site: crate::site::SiteMap,
    /// The catalog's own compatibility mode.
    pub mode: Mode,
    /// Subject name → subject.
    pub subjects: BTreeMap<String, Subject>,
    /// Schema id → (subject, index into its versions).
    pub ids: BTreeMap<u32, (String, usize)>,
}

impl Registry {
    /// The registry of `catalog`, whose lock (if any) is `lock`.
    pub fn new(catalog: Catalog, lock: Option<&Lock>, names: SubjectNames) -> Registry {
        let mut next = lock.map_or(0, Lock::last_id) + 1;
        let mut subjects = BTreeMap::new();
        let mut ids = BTreeMap::new();
        let default = catalog.manifest().checks.compatibility;
        for event in catalog.events() {
            let subject = names.subject(&event.event_type);
            let mut versions: Vec<&evreg_core::PayloadVersion> = event.versions.iter().collect();
            versions.sort_by_key(|v| v.version);
            let versions: Vec<Version> = versions
                .into_iter()
                .map(|v| {
                    // Loading refused a catalog whose released versions
                    // changed: a locked version is the one locked.
                    let locked = lock
                        .and_then(|l| l.versions.get(&v.schema_ref))
                        .and_then(|e| e.id);
                    let id = locked.unwrap_or_else(|| {
                        next += 1;
                        next - 1
                    });
                    Version {
                        version: v.version,
                        id,
                        locked: locked.is_some(),
                        schema: v.schema.clone(),
                        text: serde_json::to_string(&v.schema).expect("JSON values serialize"),
                    }
                })
                .collect();
            for (i, v) in versions.iter().enumerate() {
                ids.insert(v.id, (subject.clone(), i));
            }
            subjects.insert(
                subject,
                Subject {
                    mode: event.compatibility.unwrap_or(default),
                    versions,
                },
            );
        }
        Registry {
            site: crate::site::SiteMap::new(&catalog),
            catalog,
            payloads: std::sync::OnceLock::new(),
            mode: default,
            subjects,
            ids,
        }
    }

    /// The catalog's payload registry (validators compiled), built by the
    /// first call; `evreg serve` makes that call beside serving, at start
    /// and after each reload.
    pub fn payloads(&self) -> &evreg_core::Registry {
        self.payloads
            .get_or_init(|| evreg_core::Registry::from_catalog(&self.catalog))
    }

    /// The version of schema id `id`, with its subject's name.
    pub fn by_id(&self, id: u32) -> Option<(&str, &Version)> {
        let (subject, i) = self.ids.get(&id)?;
        Some((subject, &self.subjects[subject].versions[*i]))
    }
}

/// Confluent's name of a compatibility mode (`BACKWARD_TRANSITIVE`).
pub fn confluent_mode(mode: Mode) -> String {
    mode.as_str().replace('-', "_").to_ascii_uppercase()
}

/// A candidate schema as a client sends it (any draft), in the words of a
/// bundle (2020-12, without `$id`), to compare with the catalog's; `Err`
/// says why it is not a schema evreg can read.
pub fn candidate(text: &str) -> Result<Value, String> {
    use evreg_core::schema::dialect::Draft;
    let mut schema: Value =
        serde_json::from_str(text).map_err(|e| format!("the schema is not JSON: {e}"))?;
    let draft = Draft::of(&schema, Draft::Draft202012)
        .ok_or_else(|| "the schema's `$schema` names no draft evreg reads".to_owned())?;
    if !draft.meta_is_valid(&schema) {
        return Err(format!("the schema is not a valid {} schema", draft.name()));
    }
    if has_outside_refs(&schema) {
        return Err(
            "the schema has a `$ref` outside itself; send it bundled (evreg serves every version self-contained)"
                .to_owned(),
        );
    }
    draft.translate(&mut schema);
    if let Value::Object(map) = &mut schema {
        map.remove("$id");
        if draft < Draft::Draft201909
            && let Some(defs) = map.remove("definitions")
        {
            map.insert("$defs".to_owned(), defs);
        }
        map.insert("$schema".to_owned(), Value::from(Draft::Draft202012.uri()));
    }
    retarget(&mut schema);
    Ok(schema)
}

/// `#/definitions/…` references as `#/$defs/…`.
fn retarget(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref"
                    && let Value::String(r) = v
                    && let Some(rest) = r.strip_prefix("#/definitions/")
                {
                    *r = format!("#/$defs/{rest}");
                } else if !matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                    retarget(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(retarget),
        _ => {}
    }
}

fn has_outside_refs(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, v)| match (key.as_str(), v) {
            ("$ref", Value::String(r)) => !r.starts_with('#'),
            ("enum" | "const" | "default" | "examples", _) => false,
            _ => has_outside_refs(v),
        }),
        Value::Array(items) => items.iter().any(has_outside_refs),
        _ => false,
    }
}

/// Whether two schemas are the same (canonical JSON, annotations kept).
pub fn same(a: &Value, b: &Value) -> bool {
    evreg_core::fingerprint::fingerprint(a) == evreg_core::fingerprint::fingerprint(b)
}

/// What `mode` forbids between `older` and `newer`, as messages.
pub fn incompatibilities(mode: Mode, older: &Value, newer: &Value) -> Vec<String> {
    compat::findings(older, newer)
        .into_iter()
        .filter(|f| mode.forbids(f.breaks))
        .map(|f| {
            format!(
                "{} at {}: {} (breaks {} compatibility)",
                f.rule,
                if f.pointer.is_empty() {
                    "/"
                } else {
                    &f.pointer
                },
                f.message,
                f.breaks.as_str()
            )
        })
        .collect()
}
