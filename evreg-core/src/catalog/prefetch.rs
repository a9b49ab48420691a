//! Reading and parsing files on every core before the (sequential) walk that
//! turns them into declarations.
//!
//! The walk stays sequential so that file ids, document ids and diagnostics come
//! out in the same order on every run; only pure work (I/O, TOML and JSON
//! parsing, meta-schema validation) runs in parallel, and its results are looked
//! up by path when the walk reaches them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::discover::{self, ReadError, Text};
use super::keys::{EVENTS, EXAMPLES, INVALID, PAYLOAD, SCHEMA, VERSIONS};
use super::schema::SchemaRules;
use super::toml_read::to_json;
use super::{json, normalize};
use crate::diagnostic::Diagnostics;
use crate::schema::dialect::Draft;
use crate::source::FileId;

/// Applies `f` to every item on all cores, keeping the order.
pub fn par_map<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads <= 1 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A JSON file read ahead of time.
pub(crate) struct Fetched {
    /// Whether the path is a regular file (else nothing was read).
    pub is_file: bool,
    /// The text, or why it could not be read.
    pub text: Option<Result<Text, ReadError>>,
    /// The parsed value, or the syntax error and its byte offset.
    pub json: Option<Result<Value, (String, usize)>>,
    /// For schemas: whether the document passes its draft's meta-schema.
    pub meta_valid: Option<bool>,
    /// For schemas: the problems of its keywords.
    pub findings: Option<Vec<super::schema::Finding>>,
    /// For schemas: its `$ref`s.
    pub refs: Option<Vec<(String, String)>>,
}

/// Reads and parses one JSON file.
pub(crate) fn fetch(path: &Path, is_schema: bool, rules: &SchemaRules) -> Fetched {
    if !path.is_file() {
        return Fetched {
            is_file: false,
            text: None,
            json: None,
            meta_valid: None,
            findings: None,
            refs: None,
        };
    }
    let text = discover::read_text(path);
    let json = match &text {
        Ok(t) if t.invalid_utf8_at.is_none() => Some(json::parse(&t.text)),
        _ => None,
    };
    let (meta_valid, findings, refs) = match (&json, is_schema) {
        (Some(Ok(value)), true) => (
            Draft::of(value, rules.keywords.default_draft).map(|d| d.meta_is_valid(value)),
            Some(super::schema::walk_schema(value, rules)),
            Some(super::resolve::refs_of(value)),
        ),
        _ => (None, None, None),
    };
    Fetched {
        is_file: true,
        text: Some(text),
        json,
        meta_valid,
        findings,
        refs,
    }
}

/// Calls `f` on every value an event file gives as a schema (`true`) or as an
/// example or invalid payload (`false`): an inline table or a JSON file's path.
fn each_payload_value<'a, 'i>(
    table: &'a DeTable<'i>,
    mut f: impl FnMut(&'a Spanned<DeValue<'i>>, bool),
) {
    for event in tables(table, EVENTS) {
        for version in tables(event, VERSIONS) {
            if let Some(v) = value(version, SCHEMA) {
                f(v, true);
            }
            if let Some(DeValue::Array(items)) = value(version, EXAMPLES).map(Spanned::get_ref) {
                items.iter().for_each(|item| f(item, false));
            }
            for invalid in tables(version, INVALID) {
                if let Some(v) = value(invalid, PAYLOAD) {
                    f(v, false);
                }
            }
        }
    }
}

/// The JSON files an event file names, with whether each is a schema.
pub(crate) fn named_files(dir: &Path, table: &DeTable<'_>) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    each_payload_value(table, |v, schema| {
        if let DeValue::String(s) = v.get_ref() {
            out.push((normalize(&dir.join(s.as_ref())), schema));
        }
    });
    out
}

/// The inline tables an event file gives as schemas, examples and invalid
/// payloads, converted to JSON, by the byte range of their TOML value.
pub(crate) fn inline_payloads(
    file: FileId,
    table: &DeTable<'_>,
) -> (HashMap<std::ops::Range<usize>, Value>, Diagnostics) {
    let mut out = HashMap::new();
    let mut diags = Diagnostics::new();
    each_payload_value(table, |v, _| {
        if let DeValue::Table(_) = v.get_ref() {
            out.insert(v.span(), to_json(file, v, &mut diags));
        }
    });
    (out, diags)
}

fn value<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v)
}

fn tables<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Vec<&'a DeTable<'i>> {
    match value(table, key).map(Spanned::get_ref) {
        Some(DeValue::Array(items)) => items
            .iter()
            .filter_map(|i| match i.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads every file in `paths` on all cores.
pub(crate) fn fetch_all(
    paths: Vec<(PathBuf, bool)>,
    rules: &SchemaRules,
) -> HashMap<PathBuf, Fetched> {
    let mut seen = std::collections::HashSet::new();
    let paths: Vec<(PathBuf, bool)> = paths
        .into_iter()
        .filter(|(p, _)| seen.insert(p.clone()))
        .collect();
    let fetched = par_map(&paths, |(p, schema)| fetch(p, *schema, rules));
    paths.into_iter().map(|(p, _)| p).zip(fetched).collect()
}
