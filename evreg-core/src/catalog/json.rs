//! JSON documents of a catalog: parsing with located syntax errors, and mapping a
//! JSON pointer back to a line and column.
//!
//! `serde_json` keeps no positions, so values are parsed with it (fast, strict)
//! and a position is looked up only when a diagnostic needs one: the text is then
//! parsed again into a ranged syntax tree (`jsonc-parser`) and the pointer walked.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;

use serde_json::Value;

use crate::source::{FileId, SourceMap, Span};

/// Escapes one JSON pointer reference token (RFC 6901).
pub fn escape_pointer_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

/// Splits a JSON pointer into unescaped tokens.
pub(crate) fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Where a JSON value came from, so a pointer into it can be located.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A whole JSON file.
    File(FileId),
    /// A TOML value at this byte range of a TOML file; pointers are located by
    /// parsing the file again, only when a diagnostic needs a position.
    Toml(FileId, std::ops::Range<usize>),
}

/// Which part of an object member a location should cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The member's value.
    Value,
    /// The member's key.
    Key,
}

impl Origin {
    /// The span of the deepest existing prefix of `pointer`.
    pub(crate) fn locate(&self, sources: &SourceMap, pointer: &str, part: Part) -> Option<Span> {
        match self {
            Origin::File(file) => locate_in_text(sources, *file, pointer, part),
            Origin::Toml(file, range) => {
                locate_in_toml(sources, *file, range.clone(), pointer, part)
            }
        }
    }
}

fn locate_in_text(sources: &SourceMap, file: FileId, pointer: &str, part: Part) -> Option<Span> {
    let text = sources.get(file).text();
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    let mut node = parsed.value.as_ref()?;
    let mut range = node.range();
    let tokens = pointer_tokens(pointer);
    let last = tokens.len().saturating_sub(1);
    for (i, token) in tokens.iter().enumerate() {
        match node {
            ast::Value::Object(obj) => {
                let Some(prop) = obj.properties.iter().find(|p| p.name.as_str() == token) else {
                    break;
                };
                node = &prop.value;
                range = if i == last && part == Part::Key {
                    prop.name.range()
                } else {
                    prop.value.range()
                };
            }
            ast::Value::Array(arr) => {
                let Some(item) = token
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| arr.elements.get(n))
                else {
                    break;
                };
                node = item;
                range = item.range();
            }
            _ => break,
        }
    }
    Some(Span::new(file, range.start..range.end))
}

fn locate_in_toml(
    sources: &SourceMap,
    file: FileId,
    range: std::ops::Range<usize>,
    pointer: &str,
    part: Part,
) -> Option<Span> {
    use toml::de::{DeTable, DeValue};
    type Node<'a, 'i> = &'a toml::Spanned<DeValue<'i>>;
    fn find<'a, 'i>(v: Node<'a, 'i>, range: &std::ops::Range<usize>) -> Option<Node<'a, 'i>> {
        if v.span() == *range {
            return Some(v);
        }
        match v.get_ref() {
            DeValue::Table(t) => t.iter().find_map(|(_, v)| find(v, range)),
            DeValue::Array(a) => a.iter().find_map(|v| find(v, range)),
            _ => None,
        }
    }
    let text = sources.get(file).text();
    let (doc, _) = DeTable::parse_recoverable(text);
    let mut node = doc.get_ref().iter().find_map(|(_, v)| find(v, &range))?;
    let mut found = node.span();
    let tokens = pointer_tokens(pointer);
    let last = tokens.len().saturating_sub(1);
    for (i, token) in tokens.iter().enumerate() {
        match node.get_ref() {
            DeValue::Table(t) => {
                let Some((k, v)) = t.iter().find(|(k, _)| k.get_ref() == token) else {
                    break;
                };
                node = v;
                found = if i == last && part == Part::Key {
                    k.span()
                } else {
                    v.span()
                };
            }
            DeValue::Array(a) => {
                let Some(v) = token.parse::<usize>().ok().and_then(|n| a.get(n)) else {
                    break;
                };
                node = v;
                found = v.span();
            }
            _ => break,
        }
    }
    Some(Span::new(file, found))
}

/// Parses JSON text as [`serde_json::from_str`] does, except that an object
/// with a key twice is an error (`duplicate key "a"`) where serde_json keeps
/// the last value without a word.
pub fn from_str_unique(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str::<Unique>(text).map(|u| u.0)
}

/// A JSON value read with [`UniqueVisitor`].
struct Unique(Value);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

/// `serde_json::Value`'s visitor, refusing a key an object already has
/// (the check is the map insert's own result: it costs nothing more).
struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(Unique(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Unique(value) = map.next_value()?;
            if out.insert(key.clone(), value).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key {}",
                    Value::String(key)
                )));
            }
        }
        Ok(Value::Object(out))
    }
}

/// The first key that one object of `text` holds twice: the byte ranges of
/// its first and second occurrence.
pub(crate) fn duplicate_key(text: &str) -> Option<(Range<usize>, Range<usize>)> {
    fn walk(v: &ast::Value<'_>) -> Option<(Range<usize>, Range<usize>)> {
        match v {
            ast::Value::Object(obj) => {
                let mut seen: std::collections::HashMap<&str, Range<usize>> = Default::default();
                for p in &obj.properties {
                    let r = p.name.range();
                    if let Some(first) = seen.insert(p.name.as_str(), r.start..r.end) {
                        return Some((first, r.start..r.end));
                    }
                }
                obj.properties.iter().find_map(|p| walk(&p.value))
            }
            ast::Value::Array(arr) => arr.elements.iter().find_map(walk),
            _ => None,
        }
    }
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    walk(parsed.value.as_ref()?)
}

/// Parses JSON text, returning the byte offset of a syntax error (a key
/// twice in one object is one: [`from_str_unique`]).
pub(crate) fn parse(text: &str) -> Result<Value, (String, usize)> {
    from_str_unique(text).map_err(|e| {
        let offset = offset_of(text, e.line(), e.column());
        let message = e.to_string();
        // serde_json appends " at line L column C"; the location is shown separately.
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_string(),
            None => message,
        };
        (message, offset)
    })
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            // serde_json's column counts bytes, one-based; 0 means "before the line".
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

/// Looks up a JSON pointer in a value, mutably.
pub(crate) fn get_mut<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if pointer.is_empty() {
        Some(value)
    } else {
        value.pointer_mut(pointer)
    }
}

/// Looks up a JSON pointer in a value.
pub(crate) fn get<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        Some(value)
    } else {
        value.pointer(pointer)
    }
}
