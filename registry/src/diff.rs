//! What changed between two catalogs (a release and the working tree, say):
//! events added, removed, deprecated; versions added and removed; released
//! versions whose schema changed; and every compatibility finding of a new
//! version that its event's mode forbids. The gate of `evreg diff`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::catalog::lock::LockEntry;
use crate::compat::violations;
use crate::fingerprint::fingerprint;
use crate::{Catalog, Event, PayloadVersion, Status};

/// One difference between the old and the new catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `event-added`, `event-removed`, `event-deprecated`, `version-added`,
    /// `version-removed`, `version-changed`, `incompatible-change`.
    pub kind: &'static str,
    /// Whether it violates the rules (`evreg diff` exits 1).
    pub error: bool,
    /// The event type.
    pub event: String,
    /// The schema ref, for version changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_ref: Option<String>,
    /// The compatibility rule, for `incompatible-change`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The JSON pointer in the newer schema, for `incompatible-change`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The file of the version or event: in the new catalog, or in the old
    /// one for removals (relative to the catalog's parent folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its line (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Its column (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What happened, for people.
    pub message: String,
}

impl Change {
    fn new(kind: &'static str, error: bool, event: &str, message: String) -> Change {
        Change {
            kind,
            error,
            event: event.to_owned(),
            schema_ref: None,
            rule: None,
            pointer: None,
            file: None,
            line: None,
            column: None,
            message,
        }
    }

    fn at(mut self, schema_ref: &str) -> Change {
        self.schema_ref = Some(schema_ref.to_owned());
        self
    }

    fn located(mut self, catalog: &Catalog, span: crate::Span) -> Change {
        let file = catalog.sources().get(span.file);
        let (line, column) = file.line_col(span.start);
        self.file = Some(catalog.sources().display_name(file.path()));
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

/// Every change from `old` to `new`, events in the new catalog's order.
pub fn diff(old: &Catalog, new: &Catalog) -> Vec<Change> {
    let mut out = Vec::new();
    let old_events: HashMap<&str, &Event> = old
        .events()
        .iter()
        .map(|e| (e.event_type.as_str(), e))
        .collect();
    let mode_of = |e: &Event| {
        e.compatibility
            .unwrap_or(new.manifest().checks.compatibility)
    };
    for event in new.events() {
        let t = event.event_type.as_str();
        let Some(before) = old_events.get(t) else {
            out.push(
                Change::new("event-added", false, t, format!("`{t}` added"))
                    .located(new, event.span),
            );
            continue;
        };
        if event.status == Status::Deprecated && before.status != Status::Deprecated {
            let by = event.replaced_by.as_deref().unwrap_or("nothing");
            out.push(Change::new(
                "event-deprecated",
                false,
                t,
                format!("`{t}` deprecated, replaced by `{by}`"),
            ));
        }
        let before_versions: BTreeMap<u32, &PayloadVersion> =
            before.versions.iter().map(|v| (v.version, v)).collect();
        for v in &event.versions {
            match before_versions.get(&v.version) {
                None => out.push(
                    Change::new(
                        "version-added",
                        false,
                        t,
                        format!("`{}` added", v.schema_ref),
                    )
                    .at(&v.schema_ref)
                    .located(new, v.span),
                ),
                Some(was) if fingerprint(&was.schema) != fingerprint(&v.schema) => {
                    let what = LockEntry::of(&was.schema).changes(&LockEntry::of(&v.schema));
                    out.push(
                        Change::new(
                            "version-changed",
                            true,
                            t,
                            format!("released `{}` changed: {}", v.schema_ref, what.join("; ")),
                        )
                        .at(&v.schema_ref)
                        .located(new, v.span),
                    );
                }
                Some(_) => {}
            }
        }
        for (n, was) in &before_versions {
            if event.version(*n).is_none() {
                out.push(
                    Change::new(
                        "version-removed",
                        true,
                        t,
                        format!("released `{}` removed", was.schema_ref),
                    )
                    .at(&was.schema_ref),
                );
            }
        }
        // The new versions against the earlier ones, as the event's mode says.
        let is_new = |v: &PayloadVersion| !before_versions.contains_key(&v.version);
        for (older, newer, f) in violations(event, mode_of(event), is_new) {
            let mut c = Change::new(
                "incompatible-change",
                true,
                t,
                format!(
                    "`{}` is not {} compatible with v{}: {}",
                    newer.schema_ref,
                    f.breaks.as_str(),
                    older.version,
                    f.message
                ),
            )
            .at(&newer.schema_ref)
            .located(new, newer.span);
            c.rule = Some(f.rule);
            c.pointer = Some(f.pointer);
            out.push(c);
        }
    }
    let new_types: HashSet<&str> = new.events().iter().map(|e| e.event_type.as_str()).collect();
    for event in old.events() {
        let t = event.event_type.as_str();
        if !new_types.contains(t) {
            let deprecated = event.status == Status::Deprecated;
            let message = if deprecated {
                format!("`{t}` removed (it was deprecated)")
            } else {
                format!("`{t}` removed without being deprecated first")
            };
            out.push(
                Change::new("event-removed", !deprecated, t, message).located(old, event.span),
            );
        }
    }
    out
}
