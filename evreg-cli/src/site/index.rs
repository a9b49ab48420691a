//! `index.html`: every event, searchable and filtered by category, owner
//! and status (assets/site.js; without it, the whole list), and every shared
//! definition.

use std::collections::BTreeSet;

use evreg_core::naming::count;
use maud::{Markup, html};

use super::{Site, definition_path, event_path, layout};

pub fn page(site: &Site) -> Markup {
    let catalog = site.catalog;
    let events = catalog.events();
    let categories: BTreeSet<&str> = events.iter().map(|e| e.category.as_str()).collect();
    let owners: BTreeSet<&str> = events.iter().filter_map(|e| e.owner.as_deref()).collect();
    let statuses: BTreeSet<&str> = events.iter().map(|e| e.status.as_str()).collect();
    let versions: usize = events.iter().map(|e| e.versions.len()).sum();
    let body = html! {
        h1 { "Events of " (catalog.name()) }
        p.summary {
            (count(events.len(), "event", "events")) ", "
            (count(versions, "payload version", "payload versions")) ", "
            (count(catalog.definitions().len(), "shared definition", "shared definitions")) "."
        }
        form #filters action="index.html" method="get" role="search" {
            label {
                "Search "
                input #q type="search" name="q" placeholder="type, name or description";
            }
            (select("category", "Category", &categories))
            (select("owner", "Owner", &owners))
            (select("status", "Status", &statuses))
            button type="submit" { "Filter" }
            output #shown for="q category owner status" {
                (count(events.len(), "event", "events"))
            }
        }
        table #events {
            thead {
                tr {
                    th scope="col" { "Type" }
                    th scope="col" { "Name" }
                    th scope="col" { "Versions" }
                    th scope="col" { "Status" }
                    th scope="col" { "Category" }
                    th scope="col" { "Owner" }
                    th scope="col" { "Description" }
                }
            }
            tbody {
                @for e in events {
                    tr data-category=(e.category)
                        data-owner=(e.owner.as_deref().unwrap_or(""))
                        data-status=(e.status.as_str())
                        data-text=(search_text(e)) {
                        th scope="row" { a href=(event_path(&e.event_type)) { (e.event_type) } }
                        td { (e.name) }
                        td {
                            @for (i, v) in e.versions.iter().enumerate() {
                                @if i > 0 { " " }
                                a href={ (event_path(&e.event_type)) "#v" (v.version) } { "v" (v.version) }
                            }
                        }
                        td { span class={ "status " (e.status.as_str()) } { (e.status.as_str()) } }
                        td { (e.category) }
                        td { (e.owner.as_deref().unwrap_or("")) }
                        td { (layout::markdown(&e.description)) }
                    }
                }
            }
        }
        @if !catalog.definitions().is_empty() {
            h2 #definitions { "Shared definitions" }
            table {
                thead {
                    tr {
                        th scope="col" { "Definition" }
                        th scope="col" { "Used by" }
                        th scope="col" { "Description" }
                    }
                }
                tbody {
                    @for (name, schema) in catalog.definitions() {
                        tr {
                            th scope="row" { a href=(definition_path(name)) { (name) } }
                            td { (count(site.usage_count(name), "payload version", "payload versions")) }
                            td {
                                @if let Some(d) = super::schema::description(schema) {
                                    (layout::markdown(d))
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(catalog.name(), "Events", "", true, body)
}

fn select(name: &str, label: &str, values: &BTreeSet<&str>) -> Markup {
    html! {
        label {
            (label) " "
            select #(name) name=(name) {
                option value="" { "any" }
                @for v in values {
                    option value=(v) { (v) }
                }
            }
        }
    }
}

/// What the search box matches: type, aliases, name and description, in
/// lower case.
fn search_text(e: &evreg_core::Event) -> String {
    let mut text = format!("{} {} {}", e.event_type, e.name, e.description);
    for alias in &e.aliases {
        text.push(' ');
        text.push_str(alias);
    }
    text.to_lowercase()
}
