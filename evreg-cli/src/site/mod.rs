//! The catalog site: server-rendered HTML pages that `evreg serve` answers
//! at `/` and `evreg docs` writes as files, byte for byte the same
//! (docs/site.md).
//!
//! Every link between pages is relative, so the files work from any folder
//! of any static host, and from disk.

mod assets;
mod definition;
mod event;
mod index;
mod layout;
pub mod schema;

use std::collections::{BTreeMap, HashMap};

use evreg_codegen::output::File;
use evreg_core::{Catalog, Event, PayloadVersion};

/// What pages say of one another, worked out once per catalog: which page
/// names what, and where each shared definition is used.
#[derive(Debug, Clone)]
pub struct SiteMap {
    /// Event page names (slug) → index into the catalog's events.
    events: HashMap<String, usize>,
    /// Definition page names (slug) → definition name.
    definitions: HashMap<String, String>,
    /// Shared definition name → the payload versions that use it (indexes
    /// of the event and of its version).
    usages: BTreeMap<String, Vec<(usize, usize)>>,
}

impl SiteMap {
    /// The map of `catalog`'s site.
    pub fn new(catalog: &Catalog) -> SiteMap {
        let shared = catalog.definitions();
        let mut usages: BTreeMap<String, Vec<_>> =
            shared.keys().map(|k| (k.clone(), Vec::new())).collect();
        for (e, event) in catalog.events().iter().enumerate() {
            for (v, version) in event.versions.iter().enumerate() {
                let Some(serde_json::Value::Object(defs)) = version.schema.get("$defs") else {
                    continue;
                };
                for (name, schema) in defs {
                    if shared.get(name) == Some(schema)
                        && let Some(used) = usages.get_mut(name)
                    {
                        used.push((e, v));
                    }
                }
            }
        }
        SiteMap {
            events: catalog
                .events()
                .iter()
                .enumerate()
                .map(|(i, e)| (slug(&e.event_type), i))
                .collect(),
            definitions: shared.keys().map(|k| (slug(k), k.clone())).collect(),
            usages,
        }
    }
}

/// The pages of one catalog.
pub struct Site<'c> {
    catalog: &'c Catalog,
    map: &'c SiteMap,
}

/// One page or asset, as served and as written.
pub struct Page {
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: String,
}

/// The `<meta name="generator">` of every page: how `evreg docs` knows a
/// folder holds a site it wrote.
pub const GENERATOR: &str = "evreg docs";

const HTML: &str = "text/html; charset=utf-8";

impl<'c> Site<'c> {
    /// The site of `catalog`, whose map is `map` ([`SiteMap::new`]).
    pub fn new(catalog: &'c Catalog, map: &'c SiteMap) -> Site<'c> {
        Site { catalog, map }
    }

    /// Every page and asset: `index.html`, `events/TYPE.html`,
    /// `definitions/NAME.html`, `assets/…`.
    pub fn files(&self) -> Vec<File> {
        let mut files = vec![File {
            name: "index.html".to_owned(),
            contents: index::page(self).into_string(),
        }];
        for (name, contents) in assets::ALL {
            files.push(File {
                name: format!("assets/{name}"),
                contents: (*contents).to_owned(),
            });
        }
        for event in self.catalog.events() {
            files.push(File {
                name: event_path(&event.event_type),
                contents: event::page(self, event).into_string(),
            });
        }
        for name in self.map.usages.keys() {
            files.push(File {
                name: definition_path(name),
                contents: definition::page(self, name).into_string(),
            });
        }
        files
    }

    /// The page or asset at `path` (`events/TICKET_CREATED.html`), as
    /// [`Site::files`] holds it.
    pub fn page(&self, path: &str) -> Option<Page> {
        let html = |markup: maud::Markup| Page {
            content_type: HTML,
            body: markup.into_string(),
        };
        if path.is_empty() || path == "index.html" {
            return Some(html(index::page(self)));
        }
        let (folder, file) = path.split_once('/')?;
        match folder {
            "events" => {
                let i = self.map.events.get(file.strip_suffix(".html")?)?;
                Some(html(event::page(self, &self.catalog.events()[*i])))
            }
            "definitions" => {
                let name = self.map.definitions.get(file.strip_suffix(".html")?)?;
                Some(html(definition::page(self, name)))
            }
            "assets" => {
                assets::ALL
                    .iter()
                    .find(|(name, _)| *name == file)
                    .map(|(name, contents)| Page {
                        content_type: assets::content_type(name),
                        body: (*contents).to_owned(),
                    })
            }
            _ => None,
        }
    }

    /// How many payload versions use the shared definition `name`.
    fn usage_count(&self, name: &str) -> usize {
        self.map.usages.get(name).map_or(0, Vec::len)
    }

    /// The payload versions that use the shared definition `name`.
    fn usages(&self, name: &str) -> Vec<(&'c Event, &'c PayloadVersion)> {
        let events = self.catalog.events();
        self.map
            .usages
            .get(name)
            .into_iter()
            .flatten()
            .map(|&(e, v)| (&events[e], &events[e].versions[v]))
            .collect()
    }

    fn is_shared(&self, name: &str) -> bool {
        self.map.usages.contains_key(name)
    }
}

/// A name as a file name: letters, digits, `_`, `-` and `.` as they are
/// (not a leading `.`), every other byte as `~XX`; no two names share one,
/// and no link needs percent-encoding.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (b == b'.' && i > 0) {
            out.push(b as char);
        } else {
            out.push_str(&format!("~{b:02X}"));
        }
    }
    out
}

/// The page of an event, from the site's root.
pub fn event_path(event_type: &str) -> String {
    format!("events/{}.html", slug(event_type))
}

/// The page of a shared definition, from the site's root.
pub fn definition_path(name: &str) -> String {
    format!("definitions/{}.html", slug(name))
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_keep_plain_names_and_never_collide() {
        assert_eq!(slug("TICKET_CREATED"), "TICKET_CREATED");
        assert_eq!(slug("check_run.completed"), "check_run.completed");
        assert_eq!(slug(".hidden"), "~2Ehidden");
        assert_eq!(slug("a b/~"), "a~20b~2F~7E");
        assert_ne!(slug("a~20"), slug("a "));
        assert_eq!(slug("Zürich"), "Z~C3~BCrich");
    }
}
