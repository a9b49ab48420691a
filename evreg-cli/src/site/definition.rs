//! `definitions/NAME.html`: a shared definition, and every payload version
//! that uses it.

use maud::{Markup, html};

use super::schema::Links;
use super::{Site, definition_path, event_path, layout};

/// Links from a shared definition: to the other shared definitions.
struct SharedLinks<'s>(&'s Site<'s>);

impl Links for SharedLinks<'_> {
    fn definition(&self, name: &str) -> Option<String> {
        self.0
            .is_shared(name)
            .then(|| format!("../{}", definition_path(name)))
    }
}

pub fn page(site: &Site, name: &str) -> Markup {
    let catalog = site.catalog;
    let schema = &catalog.definitions()[name];
    let usages = site.usages(name);
    let body = html! {
        nav.crumbs { a href="../index.html#definitions" { "Shared definitions" } }
        h1 { (name) }
        @if let Some(d) = super::schema::description(schema) {
            div.description { (layout::markdown(d)) }
        }
        (layout::property_table(schema, &SharedLinks(site)))
        h2 { "Used by" }
        @if usages.is_empty() {
            p { "No payload version uses it." }
        } @else {
            ul.usages {
                @for (event, version) in &usages {
                    li {
                        a href={ "../" (event_path(&event.event_type)) "#v" (version.version) } {
                            (event.event_type) " v" (version.version)
                        }
                        " " code { (version.schema_ref) }
                    }
                }
            }
        }
        details {
            summary { "JSON Schema of " code { (name) } }
            (layout::json_block(schema))
        }
    };
    layout::page(catalog.name(), name, "../", false, body)
}
