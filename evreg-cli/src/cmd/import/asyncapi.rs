//! `evreg import asyncapi FILE`: the messages of an AsyncAPI 2.x or 3.0
//! document become events, their payload schemas and examples files of the
//! new catalog (the document itself, YAML or JSON, is not changed).
//!
//! Messages are found where each version keeps them (2.x: the `message` of
//! each channel's `publish` and `subscribe`, a `oneOf` of them, and
//! `components.messages`; 3.0: each channel's `messages`, and
//! `components.messages`), followed through local `$ref`s, and imported once
//! each. A payload that is itself a `$ref` is copied in; references into
//! `components.schemas` become references into one shared file,
//! `schemas/components.json`, that holds them as draft-07 `definitions`
//! (AsyncAPI's schema format is a superset of draft-07).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evreg_core::Catalog;
use evreg_core::catalog::escape_pointer_token;
use evreg_core::naming::count;
use heck::{ToKebabCase, ToSnakeCase};
use serde_json::{Map, Value};

use super::naming::{self, human_name};
use super::{Entry, Imported, VersionEntry, new_catalog_dir, pretty, read_document, unknown_words};
use crate::cmd::CliError;
use crate::opt::{ImportAsyncApiArgs, Opt};

const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";
const SHARED: &str = "components.json";
/// How many `$ref`s in a row a message or payload may go through.
const MAX_HOPS: usize = 32;

pub fn run(opt: &Opt, args: &ImportAsyncApiArgs) -> Result<ExitCode, CliError> {
    let shown = opt.catalog_dir(Some(&args.catalog))?;
    let doc = read_document(&args.file)
        .map_err(|why| CliError::Usage(format!("{}: {why}", args.file.display())))?;
    let version = doc["asyncapi"].as_str().unwrap_or_default().to_owned();
    let major = match version.split('.').next() {
        Some("2") => 2,
        Some("3") => 3,
        _ => {
            return Err(CliError::Usage(format!(
                "`{}` is no AsyncAPI 2.x or 3.0 document (its `asyncapi` is {})",
                args.file.display(),
                if version.is_empty() {
                    "missing".to_owned()
                } else {
                    format!("`{version}`")
                }
            )));
        }
    };
    let dir = new_catalog_dir(&shown)?;
    let title = doc["info"]["title"]
        .as_str()
        .unwrap_or("events")
        .trim()
        .to_owned();
    let category = title.to_snake_case();
    let mut imported = Imported {
        name: args.name.clone().unwrap_or_else(|| title.clone()),
        source: format!(
            "Imported by `evreg import asyncapi {}` (AsyncAPI {version}).",
            args.file.display()
        ),
        ..Imported::default()
    };
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut uses_shared = false;
    for found in messages(&doc, major) {
        let found = match found {
            Ok(found) => found,
            Err((at, why)) => {
                skipped.push((at, why));
                continue;
            }
        };
        let at = found.pointer.clone();
        match event(&doc, &found, &category, &dir) {
            Ok(mut event) => {
                if let Some(other) = types.get(&event.entry.event_type) {
                    skipped.push((
                        at,
                        format!(
                            "its type `{}` is the message's at `{other}` already",
                            event.entry.event_type
                        ),
                    ));
                    continue;
                }
                types.insert(event.entry.event_type.clone(), at);
                uses_shared |= event.uses_shared;
                imported.files.append(&mut event.files);
                imported.events.push(event.entry);
            }
            Err(why) => skipped.push((at, why)),
        }
    }
    if uses_shared {
        let mut definitions = doc["components"]["schemas"].clone();
        rewrite_refs(&mut definitions, "#/definitions/").ok();
        let shared = serde_json::json!({ "$schema": DRAFT_07, "definitions": definitions });
        imported
            .files
            .insert(PathBuf::from("schemas").join(SHARED), pretty(&shared));
    }
    imported
        .events
        .sort_by(|a, b| a.event_type.cmp(&b.event_type));

    // Words of the schemas that are no keyword (`discriminator`, …) become annotations.
    let mut written = Vec::new();
    imported.write(&dir, &mut written)?;
    imported.annotations = unknown_words(&Catalog::check_schemas(&dir));
    if !imported.annotations.is_empty() {
        imported.write(&dir, &mut written)?;
    }

    let examples: usize = imported
        .events
        .iter()
        .flat_map(|e| &e.versions)
        .map(|v| v.examples.len())
        .sum();
    eprintln!(
        "read AsyncAPI {version} `{}`: {} imported as events, {}",
        args.file.display(),
        count(imported.events.len(), "message", "messages"),
        count(examples, "example", "examples"),
    );
    if !imported.annotations.is_empty() {
        eprintln!(
            "declared as annotations (words that are no JSON Schema keyword): {}",
            imported.annotations.join(", ")
        );
    }
    for (at, why) in &skipped {
        eprintln!("warning: message not imported: #{at}: {why}");
    }
    Ok(super::report(opt, &dir, &shown))
}

/// A message of the document, reached through its `$ref`s.
struct Found<'d> {
    /// Where it is (the JSON pointer its `$ref`s lead to).
    pointer: String,
    message: &'d Value,
    /// Its name when it gives none: its key, or its operation's.
    fallback: String,
}

/// Every message of the document, once each, in the document's order;
/// a `$ref` that leads nowhere is an error at the place it was found.
fn messages(doc: &Value, major: u8) -> Vec<Result<Found<'_>, (String, String)>> {
    let mut places: Vec<(String, String)> = Vec::new();
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    for channel in keys(&doc["channels"]) {
        let at = format!("/channels/{}", escape_pointer_token(&channel));
        let item = &doc["channels"][&channel];
        if major == 2 {
            for op in ["publish", "subscribe"] {
                let message = &item[op]["message"];
                if message.is_null() {
                    continue;
                }
                let name = item[op]["operationId"]
                    .as_str()
                    .map_or_else(|| format!("{channel} {op}"), str::to_owned);
                match message["oneOf"].as_array() {
                    Some(list) => {
                        for i in 0..list.len() {
                            places.push((
                                format!("{at}/{op}/message/oneOf/{i}"),
                                format!("{name} {i}"),
                            ));
                        }
                    }
                    None => places.push((format!("{at}/{op}/message"), name)),
                }
            }
        } else {
            for key in keys(&item["messages"]) {
                places.push((format!("{at}/messages/{}", escape_pointer_token(&key)), key));
            }
        }
    }
    for key in keys(&doc["components"]["messages"]) {
        places.push((
            format!("/components/messages/{}", escape_pointer_token(&key)),
            key,
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (at, fallback) in places {
        match follow(doc, &at) {
            Ok((pointer, message)) => {
                if seen.insert(pointer.clone()) {
                    let fallback = match pointer.rsplit_once('/') {
                        Some((parent, key)) if parent.ends_with("/messages") => {
                            key.replace("~1", "/").replace("~0", "~")
                        }
                        _ => fallback,
                    };
                    out.push(Ok(Found {
                        pointer,
                        message,
                        fallback,
                    }));
                }
            }
            Err(why) => out.push(Err((at, why))),
        }
    }
    out
}

/// The value at `pointer`, through the local `$ref`s it holds: where they
/// lead, and what is there.
fn follow<'d>(doc: &'d Value, pointer: &str) -> Result<(String, &'d Value), String> {
    let mut pointer = pointer.to_owned();
    for _ in 0..MAX_HOPS {
        let value = doc
            .pointer(&pointer)
            .ok_or_else(|| format!("nothing is at `#{pointer}`"))?;
        match value.get("$ref").and_then(Value::as_str) {
            None => return Ok((pointer, value)),
            Some(target) => match target.strip_prefix('#') {
                Some(local) => pointer = evreg_core::catalog::percent_decode(local),
                None => {
                    return Err(format!(
                        "its `$ref` \"{target}\" names another document, which evreg does not fetch"
                    ));
                }
            },
        }
    }
    Err(format!("more than {MAX_HOPS} `$ref`s in a row"))
}

/// An imported message: its event, the files it needs, and whether its
/// schema reaches the shared definitions.
struct Imports {
    entry: Entry,
    files: BTreeMap<PathBuf, String>,
    uses_shared: bool,
}

fn event(doc: &Value, found: &Found<'_>, category: &str, dir: &Path) -> Result<Imports, String> {
    let message = found.message;
    let text = |key: &str| super::text(message, key);
    let name = text("messageId")
        .or_else(|| text("name"))
        .unwrap_or_else(|| found.fallback.clone());
    let (event_type, version) = naming::type_from_title(&name)?;
    // The payload, and the format it is written in.
    let (mut format, mut payload_at) = (text("schemaFormat"), format!("{}/payload", found.pointer));
    if message["payload"].get("schemaFormat").is_some()
        && message["payload"].get("schema").is_some()
    {
        format = message["payload"]["schemaFormat"]
            .as_str()
            .map(str::to_owned);
        payload_at.push_str("/schema");
    }
    if let Some(format) = &format
        && !is_json_schema(format)
    {
        return Err(format!(
            "its payload's schemaFormat is `{format}`, not JSON Schema"
        ));
    }
    if doc.pointer(&payload_at).is_none() {
        return Err("it has no payload".to_owned());
    }
    let (_, payload) = follow(doc, &payload_at)?;
    if let Some(ty) = payload["type"].as_str()
        && ty != "object"
    {
        return Err(format!(
            "its payload is of type `{ty}`, and an event's payload is an object"
        ));
    }
    let mut schema = payload.clone();
    let uses_shared = rewrite_refs(&mut schema, &format!("{SHARED}#/definitions/"))?;
    let mut root = Map::new();
    root.insert("$schema".into(), Value::from(DRAFT_07));
    if let Value::Object(map) = schema {
        root.extend(map.into_iter().filter(|(k, _)| k != "$schema"));
    }
    let stem = evreg_core::naming::pascal_name(&event_type).to_kebab_case();
    let schema_path = PathBuf::from(format!("schemas/{stem}.v{version}.json"));
    let mut files = BTreeMap::new();
    files.insert(schema_path.clone(), pretty(&Value::Object(root)));
    let mut examples = Vec::new();
    let listed = message["examples"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for example in listed.iter().filter_map(|e| e.get("payload")) {
        let path = match examples.len() {
            0 => format!("examples/{stem}.v{version}.json"),
            n => format!("examples/{stem}.v{version}.{}.json", n + 1),
        };
        files.insert(PathBuf::from(&path), pretty(example));
        examples.push(dir.join(path));
    }
    let title = text("title").unwrap_or_else(|| human_name(&event_type));
    Ok(Imports {
        entry: Entry {
            description: text("summary")
                .or_else(|| text("description"))
                .unwrap_or_else(|| format!("{title}.")),
            name: title,
            category: message["tags"][0]["name"]
                .as_str()
                .map_or_else(|| category.to_owned(), str::to_owned),
            owner: None,
            status: None,
            replaced_by: None,
            aliases: Vec::new(),
            versions: vec![VersionEntry {
                version,
                schema: dir.join(schema_path),
                examples,
            }],
            event_type,
        },
        files,
        uses_shared,
    })
}

/// Whether a `schemaFormat` is JSON Schema (AsyncAPI's own, or JSON Schema's).
fn is_json_schema(format: &str) -> bool {
    let format = format.to_ascii_lowercase();
    format.starts_with("application/vnd.aai.asyncapi")
        || format.starts_with("application/schema+json")
        || format.starts_with("application/schema+yaml")
}

/// References into `#/components/schemas/` rewritten to `to…`; any other
/// `$ref` is an error. Returns whether any was rewritten.
fn rewrite_refs(value: &mut Value, to: &str) -> Result<bool, String> {
    let mut rewrote = false;
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                match target.strip_prefix("#/components/schemas/") {
                    Some(rest) => {
                        *target = format!("{to}{rest}");
                        rewrote = true;
                    }
                    None => {
                        return Err(format!(
                            "its schema's `$ref` \"{target}\" leads outside `components.schemas`"
                        ));
                    }
                }
            }
            for (_, v) in map.iter_mut() {
                rewrote |= rewrite_refs(v, to)?;
            }
        }
        Value::Array(items) => {
            for v in items {
                rewrote |= rewrite_refs(v, to)?;
            }
        }
        _ => {}
    }
    Ok(rewrote)
}
