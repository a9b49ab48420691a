//! `events/TYPE.html`: one event, every version newest first (its
//! properties, examples and invalid examples), and what changed between
//! versions with the compatibility findings of evreg's rules.

use evreg_core::compat::{self, Mode};
use evreg_core::naming::count;
use evreg_core::{Event, PayloadVersion, Status};
use maud::{Markup, html};
use serde_json::Value;

use super::schema::Links;
use super::{Site, definition_path, event_path, layout, slug};

/// Links from a version's schema: shared definitions to their pages, the
/// version's own definitions to their tables on this page.
struct VersionLinks<'s> {
    site: &'s Site<'s>,
    version: u32,
}

impl Links for VersionLinks<'_> {
    fn definition(&self, name: &str) -> Option<String> {
        Some(if self.site.is_shared(name) {
            format!("../{}", definition_path(name))
        } else {
            local_anchor(self.version, name)
        })
    }
}

fn local_anchor(version: u32, name: &str) -> String {
    format!("#v{version}-def-{}", slug(name))
}

pub fn page(site: &Site, event: &Event) -> Markup {
    let catalog = site.catalog;
    let mode = event
        .compatibility
        .unwrap_or(catalog.manifest().checks.compatibility);
    let mut versions: Vec<&PayloadVersion> = event.versions.iter().collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    let replaces: Vec<&Event> = catalog
        .events()
        .iter()
        .filter(|e| e.replaced_by.as_deref() == Some(event.event_type.as_str()))
        .collect();
    let body = html! {
        nav.crumbs { a href="../index.html" { "All events" } " › " (event.category) }
        h1 { (event.event_type) }
        p.name { (event.name) }
        @if event.status == Status::Deprecated {
            p.deprecated role="note" {
                strong { "Deprecated." }
                @if let Some(next) = &event.replaced_by {
                    " Replaced by " a href={ "../" (event_path(next)) } { (next) } "."
                }
            }
        }
        div.description { (layout::markdown(&event.description)) }
        dl.facts {
            dt { "Category" }
            dd { a href={ "../index.html?category=" (event.category) } { (event.category) } }
            dt { "Owner" }
            dd { (event.owner.as_deref().unwrap_or("none")) }
            dt { "Status" }
            dd { span class={ "status " (event.status.as_str()) } { (event.status.as_str()) } }
            dt { "Compatibility" }
            dd { (mode.as_str()) }
            @if !event.aliases.is_empty() {
                dt { "Aliases" }
                dd { @for (i, a) in event.aliases.iter().enumerate() { @if i > 0 { ", " } code { (a) } } }
            }
            @if !replaces.is_empty() {
                dt { "Replaces" }
                dd {
                    @for (i, e) in replaces.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "../" (event_path(&e.event_type)) } { (e.event_type) }
                    }
                }
            }
            dt { "Versions" }
            dd {
                @for (i, v) in versions.iter().enumerate() {
                    @if i > 0 { " " }
                    a href={ "#v" (v.version) } { "v" (v.version) }
                }
                @if versions.len() > 1 { " · " a href="#changes" { "changes" } }
            }
        }
        @for v in &versions {
            (version(site, event, v))
        }
        @if versions.len() > 1 {
            section #changes {
                h2 { "Changes between versions" }
                p {
                    "Checked by evreg's compatibility rules; this event's mode is "
                    code { (mode.as_str()) } "."
                }
                @for pair in versions.windows(2) {
                    (changes(pair[1], pair[0], mode))
                }
            }
        }
    };
    layout::page(catalog.name(), &event.event_type, "../", false, body)
}

fn version(site: &Site, event: &Event, v: &PayloadVersion) -> Markup {
    let links = VersionLinks {
        site,
        version: v.version,
    };
    let file = v
        .schema_file
        .strip_prefix(site.catalog.root())
        .unwrap_or(&v.schema_file);
    let local: Vec<(&String, &Value)> = v
        .schema
        .get("$defs")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| !site.is_shared(name))
        .collect();
    let latest = event.latest().map(|l| l.version) == Some(v.version);
    html! {
        section.version #{ "v" (v.version) } {
            h2 {
                "Version " (v.version)
                @if latest { " " span.latest { "latest" } }
            }
            p.ref { code { (v.schema_ref) } " · " code { (file.display()) } " · " (v.draft.name()) }
            @if let Some(d) = &v.description { div.description { (layout::markdown(d)) } }
            (layout::property_table(&v.schema, &links))
            @for (name, schema) in &local {
                h3 #{ "v" (v.version) "-def-" (slug(name)) } { "Definition " code { (name) } }
                @if let Some(d) = super::schema::description(schema) {
                    div.description { (layout::markdown(d)) }
                }
                (layout::property_table(schema, &links))
            }
            h3 { (count(v.examples.len(), "example", "examples")) }
            @for example in &v.examples {
                (layout::json_block(&example.payload))
            }
            @if !v.invalid_examples.is_empty() {
                h3 { (count(v.invalid_examples.len(), "invalid example", "invalid examples")) }
                @for bad in &v.invalid_examples {
                    div.invalid {
                        p { strong { "Refused: " } (bad.reason) }
                        (layout::json_block(&bad.payload))
                    }
                }
            }
            details {
                summary { "JSON Schema of " code { (v.schema_ref) } }
                (layout::json_block(&v.schema))
            }
        }
    }
}

/// What changed from `older` to `newer`: each finding, whether `mode`
/// forbids it, and the two schemas' difference.
fn changes(older: &PayloadVersion, newer: &PayloadVersion, mode: Mode) -> Markup {
    let findings = compat::findings(&older.schema, &newer.schema);
    let breaking = findings.iter().filter(|f| mode.forbids(f.breaks)).count();
    let pretty = |v: &PayloadVersion| {
        let mut text = serde_json::to_string_pretty(&v.schema).expect("JSON values serialize");
        text.push('\n');
        text
    };
    let (old_text, new_text) = (pretty(older), pretty(newer));
    let diff = similar::TextDiff::from_lines(&old_text, &new_text)
        .unified_diff()
        .context_radius(3)
        .header(&older.schema_ref, &newer.schema_ref)
        .to_string();
    html! {
        section.change #{ "v" (older.version) "-v" (newer.version) } {
            h3 { "v" (older.version) " → v" (newer.version) }
            @if findings.is_empty() {
                p { "No change that any consumer would notice." }
            } @else {
                p class=(if breaking > 0 { "verdict breaking" } else { "verdict compatible" }) {
                    @if breaking > 0 {
                        (count(breaking, "finding breaks", "findings break"))
                        " " code { (mode.as_str()) } " compatibility."
                    } @else {
                        "Compatible under " code { (mode.as_str()) } "."
                    }
                }
                table.findings {
                    thead {
                        tr {
                            th scope="col" { "Rule" }
                            th scope="col" { "Where" }
                            th scope="col" { "What changed" }
                            th scope="col" { "Breaks" }
                            th scope="col" { "Under " (mode.as_str()) }
                        }
                    }
                    tbody {
                        @for f in &findings {
                            tr {
                                td { code { (f.rule) } }
                                td { code { (if f.pointer.is_empty() { "/" } else { &f.pointer }) } }
                                td { (f.message) }
                                td { (f.breaks.as_str()) }
                                td { (if mode.forbids(f.breaks) { "refused" } else { "allowed" }) }
                            }
                        }
                    }
                }
            }
            details {
                summary { "Schema difference" }
                pre.diff { code { (diff) } }
            }
        }
    }
}
