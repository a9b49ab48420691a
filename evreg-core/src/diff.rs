//! What changed between two catalogs (a release and the working tree, say):
//! events added, removed, deprecated; versions added and removed; released
//! versions whose schema changed; and every compatibility finding of a new
//! version that its event's mode forbids. The gate of `evreg diff`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::catalog::lock::LockEntry;
use crate::catalog::{discover, normalize};
use crate::compat::violations;
use crate::diagnostic::Diagnostics;
use crate::fingerprint::fingerprint;
use crate::{Catalog, Event, LoadError, PayloadVersion, Status};

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

/// The old side of a diff, read only where it differs from the new side.
///
/// A release and the working tree share nearly every file. [`Baseline::load`]
/// compares the old folder's files with the ones the new catalog was read
/// from, byte for byte, and loads only the event files that differ (or whose
/// schema files differ): the events of the other files are known to be the
/// same on both sides. When a file that reaches other files changed (the
/// manifest, a definitions file, the target of a `$ref` across files), or
/// the partial load reports a problem, the whole old catalog is loaded.
#[derive(Debug)]
pub struct Baseline {
    catalog: Catalog,
    unchanged: HashSet<String>,
    partial: bool,
}

impl Baseline {
    /// Reads the catalog in `old_root` as far as it differs from `new`.
    ///
    /// Fails with the problems of the whole old catalog when it does not load.
    pub fn load(old_root: impl AsRef<Path>, new: &Catalog) -> Result<Baseline, LoadError> {
        let old_root = normalize(old_root.as_ref());
        if let Some((only, unchanged)) = dirty_event_files(&old_root, new) {
            let report = Catalog::check_event_files(&old_root, only);
            if let Some(catalog) = report.catalog {
                return Ok(Baseline {
                    catalog,
                    unchanged,
                    partial: true,
                });
            }
        }
        let report = Catalog::check_schemas(&old_root);
        match report.catalog {
            Some(catalog) => Ok(Baseline {
                catalog,
                unchanged: HashSet::new(),
                partial: false,
            }),
            None => Err(LoadError {
                diagnostics: report.diagnostics,
                sources: report.sources,
            }),
        }
    }

    /// The whole old catalog, already loaded.
    pub fn full(catalog: Catalog) -> Baseline {
        Baseline {
            catalog,
            unchanged: HashSet::new(),
            partial: false,
        }
    }

    /// The old events read (all of them unless [`Baseline::is_partial`]).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Whether only the differing event files were read.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Event types known to be the same on both sides without being read.
    pub fn unchanged(&self) -> &HashSet<String> {
        &self.unchanged
    }
}

/// The old event files to read, and the event types known unchanged; `None`
/// when a change may reach files it does not name (read everything).
fn dirty_event_files(
    old_root: &Path,
    new: &Catalog,
) -> Option<(HashSet<PathBuf>, HashSet<String>)> {
    let new_root = new.root();
    let sources = new.sources();
    let rel = |p: &Path| p.strip_prefix(new_root).ok().map(Path::to_path_buf);
    // Every file the new catalog read, against the file at the same place.
    let files: Vec<(PathBuf, &str)> = sources
        .files()
        .map(|(_, f)| Some((rel(f.path())?, f.text())))
        .collect::<Option<_>>()?;
    let same: Vec<bool> = crate::catalog::par_map(&files, |(rel, text)| {
        discover::read_text(&old_root.join(rel))
            .is_ok_and(|t| t.invalid_utf8_at.is_none() && t.text == *text)
    });
    let changed: HashSet<&Path> = files
        .iter()
        .zip(&same)
        .filter(|(_, same)| !**same)
        .map(|((rel, _), _)| rel.as_path())
        .collect();
    let manifest = Path::new(crate::catalog::keys::MANIFEST_FILE);
    if changed.contains(manifest)
        || new
            .shared_files
            .iter()
            .any(|f| rel(f).is_none_or(|r| changed.contains(r.as_path())))
    {
        return None;
    }
    // An event's file is dirty when it changed or one of its schema files did.
    let event_file = |e: &Event| rel(sources.get(e.span.file).path());
    let mut dirty: HashSet<PathBuf> = HashSet::new();
    for event in new.events() {
        let file = event_file(event)?;
        let schema_changed = event
            .versions
            .iter()
            .any(|v| rel(&v.schema_file).is_none_or(|r| changed.contains(r.as_path())));
        if schema_changed || changed.contains(file.as_path()) {
            dirty.insert(file);
        }
    }
    // Old event files the new catalog does not have (removed, renamed).
    let new_files: HashSet<&Path> = files.iter().map(|(r, _)| r.as_path()).collect();
    let mut diags = Diagnostics::new();
    let inside: Vec<PathBuf> = old_root.canonicalize().into_iter().collect();
    for old in discover::event_files(old_root, &inside, &mut diags) {
        let r = old.strip_prefix(old_root).ok()?;
        if !new_files.contains(r) {
            dirty.insert(r.to_path_buf());
        }
    }
    let unchanged = new
        .events()
        .iter()
        .filter(|e| event_file(e).is_some_and(|f| !dirty.contains(&f)))
        .map(|e| e.event_type.clone())
        .collect();
    let only = dirty.into_iter().map(|r| old_root.join(r)).collect();
    Some((only, unchanged))
}

/// Every change from `old` to `new`, events in the new catalog's order.
pub fn diff(old: &Catalog, new: &Catalog) -> Vec<Change> {
    diff_events(old, &HashSet::new(), new)
}

/// Every change from a [`Baseline`] to `new`, events in the new catalog's
/// order: the same as [`diff`] of the whole old catalog.
pub fn diff_baseline(old: &Baseline, new: &Catalog) -> Vec<Change> {
    diff_events(&old.catalog, &old.unchanged, new)
}

fn diff_events(old: &Catalog, unchanged: &HashSet<String>, new: &Catalog) -> Vec<Change> {
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
        if unchanged.contains(t) {
            continue;
        }
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
                    let what = LockEntry::of(&was.schema).changes(&v.schema);
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
