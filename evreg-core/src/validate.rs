//! The checks of generated `validate()` methods: where a value is (a lazily
//! rendered JSON pointer), and [`Cx`], with one method per JSON Schema keyword
//! that a Rust type cannot hold.
//!
//! Keywords whose exact semantics belong to JSON Schema (`pattern` with its
//! ECMA-262 dialect, `format`, `multipleOf` on decimals, and any schema that
//! has no natural Rust type) are checked by a [`SchemaCheck`]: a one-keyword
//! schema compiled once by the same `jsonschema` validator the [`Registry`]
//! uses, so that typed and untyped validation agree by construction.
//!
//! [`Registry`]: crate::Registry

use std::fmt::Write;
use std::sync::OnceLock;

use serde_json::Value;

use crate::error::ValidationError;
use crate::registry::{PatternCache, Validator, compile};

/// Where a value is in a payload: a JSON pointer built on the stack and
/// rendered only when an error is reported.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The payload itself.
    Root,
    /// A property of the value at the parent path.
    Key(&'a Path<'a>, &'a str),
    /// An item of the array at the parent path.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of property `key` under this one.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// The path of item `index` under this one.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// The JSON pointer (`/items/0/sku`; `""` for the root).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write(out);
                out.push('/');
                for c in key.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
            Path::Index(parent, index) => {
                parent.write(out);
                let _ = write!(out, "/{index}");
            }
        }
    }
}

/// A schema fragment compiled once, on first use, by the `jsonschema`
/// validator (formats asserted), for keywords whose semantics are JSON
/// Schema's own.
#[derive(Debug)]
pub struct SchemaCheck {
    schema: &'static str,
    validator: OnceLock<Validator>,
}

impl SchemaCheck {
    /// A check of the schema in `schema` (JSON text, self-contained).
    pub const fn new(schema: &'static str) -> SchemaCheck {
        SchemaCheck {
            schema,
            validator: OnceLock::new(),
        }
    }

    fn validator(&self) -> &Validator {
        self.validator.get_or_init(|| {
            let schema: Value = serde_json::from_str(self.schema)
                .unwrap_or_else(|e| panic!("generated schema check is not JSON: {e}"));
            compile(&schema, &PatternCache::default())
                .unwrap_or_else(|e| panic!("generated schema check does not compile: {e}"))
        })
    }

    /// Whether `value` passes.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator().is_valid(value)
    }

    /// Reports the failures of `value` in `cx`; `schema_path` is where the
    /// checked schema sits in the payload schema.
    pub fn check(&self, cx: &mut Cx<'_>, schema_path: &str, value: &Value) {
        let validator = self.validator();
        if validator.is_valid(value) {
            return;
        }
        let base = cx.path.pointer();
        for e in crate::registry::errors(validator, value) {
            cx.errors.push(ValidationError {
                instance_path: format!("{base}{}", e.instance_path),
                schema_path: format!("{schema_path}{}", e.schema_path),
                keyword: e.keyword,
                message: e.message,
            });
        }
    }
}

/// A `pattern` keyword: an ECMA-262 regular expression, unanchored.
///
/// Patterns in the common subset where ECMA-262 and the `regex` crate agree
/// (ASCII literals, classes, groups, alternation, quantifiers, `^`/`$`, `\d`,
/// escaped punctuation) run on a `regex::Regex` directly; any other pattern
/// (`.`, `\w`, `\s`, lookarounds, …) is matched by `jsonschema`, which
/// translates ECMA-262 semantics. Either way the answer is `jsonschema`'s.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    matcher: OnceLock<Matcher>,
}

#[derive(Debug)]
enum Matcher {
    Regex(regex::Regex),
    Schema(Validator),
}

impl Pattern {
    /// The pattern `source`, compiled on first use.
    pub const fn new(source: &'static str) -> Pattern {
        Pattern {
            source,
            matcher: OnceLock::new(),
        }
    }

    /// The pattern as written in the schema.
    pub fn source(&self) -> &str {
        self.source
    }

    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| {
            if let Some(translated) = plain_pattern(self.source)
                && let Ok(re) = regex::Regex::new(&translated)
            {
                return Matcher::Regex(re);
            }
            let schema = serde_json::json!({ "pattern": self.source });
            Matcher::Schema(
                compile(&schema, &PatternCache::default()).unwrap_or_else(|e| {
                    panic!("generated pattern {:?} does not compile: {e}", self.source)
                }),
            )
        })
    }

    /// Whether `text` matches (anywhere: patterns are not anchored).
    pub fn is_match(&self, text: &str) -> bool {
        match self.matcher() {
            Matcher::Regex(re) => re.is_match(text),
            Matcher::Schema(v) => v.is_valid(&Value::String(text.to_owned())),
        }
    }
}

/// `source` as a `regex` crate pattern with ECMA-262's meaning, when it is in
/// the subset where the two agree; `None` otherwise.
fn plain_pattern(source: &str) -> Option<String> {
    let mut out = String::with_capacity(source.len() + 8);
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'd' if !in_class => out.push_str("[0-9]"),
                'd' => out.push_str("0-9"),
                e if e.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(e);
                }
                _ => return None, // \w, \s, \b, back-references, escapes of letters
            },
            '[' if !in_class => {
                // ECMA-262's `[]` and `[^]` are an empty and a full class.
                if matches!(chars.peek(), Some(']')) {
                    return None;
                }
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push(chars.next()?);
                    if matches!(chars.peek(), Some(']')) {
                        return None;
                    }
                }
                in_class = true;
            }
            '[' => return None, // nested classes mean different things
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // `.` excludes different line terminators; `(?` opens lookarounds
            // and flags; `{,n}` is a literal in ECMA-262.
            '.' if !in_class => return None,
            '(' if chars.peek() == Some(&'?') => return None,
            '{' if chars.peek() == Some(&',') => return None,
            '&' | '~' | '-' if in_class && chars.peek() == Some(&c) => return None, // regex set operators
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => return None,
        }
    }
    (!in_class).then_some(out)
}

/// The `format`s evreg asserts, each checked exactly as `jsonschema` does
/// (the vocabulary, with the formats evreg does not assert, is
/// [`crate::schema::formats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Format {
    DateTime,
    Date,
    Time,
    Duration,
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Uri,
    UriReference,
    Uuid,
    Iri,
    IriReference,
    UriTemplate,
    JsonPointer,
    RelativeJsonPointer,
    Regex,
}

/// Each format's name and its check, in the order of [`Format`].
static FORMATS: [(&str, SchemaCheck); 17] = [
    ("date-time", SchemaCheck::new(r#"{"format":"date-time"}"#)),
    ("date", SchemaCheck::new(r#"{"format":"date"}"#)),
    ("time", SchemaCheck::new(r#"{"format":"time"}"#)),
    ("duration", SchemaCheck::new(r#"{"format":"duration"}"#)),
    ("email", SchemaCheck::new(r#"{"format":"email"}"#)),
    ("hostname", SchemaCheck::new(r#"{"format":"hostname"}"#)),
    ("ipv4", SchemaCheck::new(r#"{"format":"ipv4"}"#)),
    ("ipv6", SchemaCheck::new(r#"{"format":"ipv6"}"#)),
    ("uri", SchemaCheck::new(r#"{"format":"uri"}"#)),
    (
        "uri-reference",
        SchemaCheck::new(r#"{"format":"uri-reference"}"#),
    ),
    ("uuid", SchemaCheck::new(r#"{"format":"uuid"}"#)),
    ("iri", SchemaCheck::new(r#"{"format":"iri"}"#)),
    (
        "iri-reference",
        SchemaCheck::new(r#"{"format":"iri-reference"}"#),
    ),
    (
        "uri-template",
        SchemaCheck::new(r#"{"format":"uri-template"}"#),
    ),
    (
        "json-pointer",
        SchemaCheck::new(r#"{"format":"json-pointer"}"#),
    ),
    (
        "relative-json-pointer",
        SchemaCheck::new(r#"{"format":"relative-json-pointer"}"#),
    ),
    ("regex", SchemaCheck::new(r#"{"format":"regex"}"#)),
];

/// Every [`Format`], in its order.
const ALL_FORMATS: [Format; 17] = [
    Format::DateTime,
    Format::Date,
    Format::Time,
    Format::Duration,
    Format::Email,
    Format::Hostname,
    Format::Ipv4,
    Format::Ipv6,
    Format::Uri,
    Format::UriReference,
    Format::Uuid,
    Format::Iri,
    Format::IriReference,
    Format::UriTemplate,
    Format::JsonPointer,
    Format::RelativeJsonPointer,
    Format::Regex,
];

impl Format {
    /// The asserted format named `name` in a schema.
    pub fn from_name(name: &str) -> Option<Format> {
        ALL_FORMATS.into_iter().find(|f| f.name() == name)
    }

    /// Its name in a schema: `date-time`.
    pub fn name(self) -> &'static str {
        FORMATS[self as usize].0
    }

    fn check(self) -> &'static SchemaCheck {
        &FORMATS[self as usize].1
    }

    /// Whether `value` is valid in this format.
    pub fn is_valid(self, value: &str) -> bool {
        self.check().is_valid(&Value::String(value.to_owned()))
    }
}

/// Where generated `validate()` code is, and where it reports: the path of
/// the value being checked and the list of failures. One method per keyword;
/// each appends an error (payload pointer, schema pointer of the keyword,
/// message) when the value fails.
#[derive(Debug)]
pub struct Cx<'a> {
    path: Path<'a>,
    errors: &'a mut Vec<ValidationError>,
}

impl<'a> Cx<'a> {
    /// A context at the payload's root, reporting into `errors`.
    pub fn new(errors: &'a mut Vec<ValidationError>) -> Cx<'a> {
        Cx {
            path: Path::Root,
            errors,
        }
    }

    /// The context of property `key` of the current value.
    pub fn key<'b>(&'b mut self, key: &'b str) -> Cx<'b> {
        Cx {
            path: self.path.key(key),
            errors: self.errors,
        }
    }

    /// The context of item `index` of the current array.
    pub fn index(&mut self, index: usize) -> Cx<'_> {
        Cx {
            path: self.path.index(index),
            errors: self.errors,
        }
    }

    /// The current path.
    pub fn path(&self) -> &Path<'a> {
        &self.path
    }

    fn push(&mut self, schema_path: &str, keyword: &str, message: String) {
        self.errors.push(ValidationError {
            instance_path: self.path.pointer(),
            schema_path: schema_path.to_owned(),
            keyword: keyword.to_owned(),
            message,
        });
    }

    /// `minLength`, in characters (Unicode scalar values).
    pub fn min_length(&mut self, schema_path: &str, value: &str, limit: usize) {
        if value.len() < limit || value.chars().count() < limit {
            let unit = if limit == 1 {
                "character"
            } else {
                "characters"
            };
            let message = format!("{} is shorter than {limit} {unit}", quoted(value));
            self.push(schema_path, "minLength", message);
        }
    }

    /// `maxLength`, in characters (Unicode scalar values).
    pub fn max_length(&mut self, schema_path: &str, value: &str, limit: usize) {
        if value.len() > limit && value.chars().count() > limit {
            let unit = if limit == 1 {
                "character"
            } else {
                "characters"
            };
            let message = format!("{} is longer than {limit} {unit}", quoted(value));
            self.push(schema_path, "maxLength", message);
        }
    }

    /// `pattern` (ECMA-262 regular expression, unanchored).
    pub fn pattern(&mut self, schema_path: &str, value: &str, pattern: &Pattern) {
        if !pattern.is_match(value) {
            let message = format!(
                "{} does not match {}",
                quoted(value),
                quoted(pattern.source())
            );
            self.push(schema_path, "pattern", message);
        }
    }

    /// `format`, checked by `jsonschema`.
    pub fn format(&mut self, schema_path: &str, value: &str, format: Format) {
        let value = Value::String(value.to_owned());
        if !format.check().is_valid(&value) {
            format.check().check(self, schema_path, &value);
        }
    }

    /// `const` of a string.
    pub fn const_str(&mut self, schema_path: &str, value: &str, expected: &str) {
        if value != expected {
            self.push(
                schema_path,
                "const",
                format!("{} was expected", quoted(expected)),
            );
        }
    }

    /// `minimum`.
    pub fn minimum(&mut self, schema_path: &str, value: impl Number, limit: impl Number) {
        if compare(value, limit).is_lt() {
            let message = format!("{value} is less than the minimum of {limit}");
            self.push(schema_path, "minimum", message);
        }
    }

    /// `maximum`.
    pub fn maximum(&mut self, schema_path: &str, value: impl Number, limit: impl Number) {
        if compare(value, limit).is_gt() {
            let message = format!("{value} is greater than the maximum of {limit}");
            self.push(schema_path, "maximum", message);
        }
    }

    /// `exclusiveMinimum`.
    pub fn exclusive_minimum(&mut self, schema_path: &str, value: impl Number, limit: impl Number) {
        if compare(value, limit).is_le() {
            let message = format!("{value} is less than or equal to the minimum of {limit}");
            self.push(schema_path, "exclusiveMinimum", message);
        }
    }

    /// `exclusiveMaximum`.
    pub fn exclusive_maximum(&mut self, schema_path: &str, value: impl Number, limit: impl Number) {
        if compare(value, limit).is_ge() {
            let message = format!("{value} is greater than or equal to the maximum of {limit}");
            self.push(schema_path, "exclusiveMaximum", message);
        }
    }

    /// `multipleOf`, checked by `jsonschema` (decimal divisors follow its
    /// rules); `schema_path` is that of the schema holding it.
    pub fn multiple_of(&mut self, schema_path: &str, value: impl Number, check: &SchemaCheck) {
        check.check(self, schema_path, &value.to_value());
    }

    /// `minItems`.
    pub fn min_items(&mut self, schema_path: &str, len: usize, limit: usize) {
        if len < limit {
            let unit = if limit == 1 { "item" } else { "items" };
            let message = format!("array of {len} has less than {limit} {unit}");
            self.push(schema_path, "minItems", message);
        }
    }

    /// `maxItems`.
    pub fn max_items(&mut self, schema_path: &str, len: usize, limit: usize) {
        if len > limit {
            let unit = if limit == 1 { "item" } else { "items" };
            let message = format!("array of {len} has more than {limit} {unit}");
            self.push(schema_path, "maxItems", message);
        }
    }

    /// `uniqueItems` of items whose Rust equality is JSON equality
    /// (strings, integers, booleans, string enums).
    pub fn unique<T: Eq + std::hash::Hash>(&mut self, schema_path: &str, items: &[T]) {
        let unique = if items.len() < 16 {
            items
                .iter()
                .enumerate()
                .all(|(i, a)| items[..i].iter().all(|b| a != b))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(items.len());
            items.iter().all(|item| seen.insert(item))
        };
        if !unique {
            self.push_not_unique(schema_path);
        }
    }

    /// `uniqueItems` of any items, compared as JSON values (`1` equals `1.0`).
    pub fn unique_json<T: serde::Serialize>(&mut self, schema_path: &str, items: &[T]) {
        static UNIQUE: SchemaCheck = SchemaCheck::new(r#"{"uniqueItems":true}"#);
        if items.len() < 2 {
            return;
        }
        let value = serde_json::to_value(items).unwrap_or(Value::Null);
        if !UNIQUE.is_valid(&value) {
            self.push_not_unique(schema_path);
        }
    }

    fn push_not_unique(&mut self, schema_path: &str) {
        let message = "array has non-unique elements".to_owned();
        self.push(schema_path, "uniqueItems", message);
    }

    /// A whole schema, for values that have no natural Rust type
    /// (`serde_json::Value` fields); `schema_path` is where that schema sits.
    pub fn schema(&mut self, schema_path: &str, value: &Value, check: &SchemaCheck) {
        check.check(self, schema_path, value);
    }

    /// `check` on the JSON form of `value` (a derived payload, checked as
    /// it would be written). A value that cannot be written as JSON (a map
    /// with non-string keys) fails with keyword `type`.
    pub fn serialized<T: serde::Serialize + ?Sized>(
        &mut self,
        schema_path: &str,
        value: &T,
        check: &SchemaCheck,
    ) {
        match serde_json::to_value(value) {
            Ok(json) => check.check(self, schema_path, &json),
            Err(e) => self.errors.push(ValidationError {
                instance_path: self.path.pointer(),
                schema_path: schema_path.to_owned(),
                keyword: "type".to_owned(),
                message: format!("cannot be written as JSON: {e}"),
            }),
        }
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A number as JSON Schema compares it.
pub trait Number: Copy + std::fmt::Display {
    /// The value as `f64` (exact for integers up to 2^53).
    fn as_f64(self) -> f64;
    /// The value as `i64`, when it is an integer that fits.
    fn as_i64(self) -> Option<i64>;
    /// The value as a JSON value.
    fn to_value(self) -> Value;
}

impl Number for i64 {
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn as_i64(self) -> Option<i64> {
        Some(self)
    }
    fn to_value(self) -> Value {
        Value::from(self)
    }
}

impl Number for f64 {
    fn as_f64(self) -> f64 {
        self
    }
    fn as_i64(self) -> Option<i64> {
        None
    }
    fn to_value(self) -> Value {
        Value::from(self)
    }
}

fn compare(value: impl Number, limit: impl Number) -> std::cmp::Ordering {
    match (value.as_i64(), limit.as_i64()) {
        (Some(v), Some(l)) => v.cmp(&l),
        _ => value
            .as_f64()
            .partial_cmp(&limit.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_and_render_lazily() {
        let root = Path::Root;
        let items = root.key("line/items");
        let first = items.index(0);
        let sku = first.key("s~ku");
        assert_eq!(sku.pointer(), "/line~1items/0/s~0ku");
        assert_eq!(root.pointer(), "");
    }

    #[test]
    fn lengths_count_characters() {
        let mut e = Vec::new();
        let mut cx = Cx::new(&mut e);
        cx.max_length("/maxLength", "ééé", 3);
        cx.max_length("/maxLength", "éééé", 3);
        cx.min_length("/minLength", "😀", 2);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].keyword, "maxLength");
        assert_eq!(e[1].keyword, "minLength");
    }

    #[test]
    fn formats_and_patterns_follow_jsonschema() {
        assert!(Format::Email.is_valid("a@b.io"));
        assert!(!Format::Email.is_valid("nobody"));
        assert!(Format::Uuid.is_valid("5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10"));
        assert!(!Format::Uuid.is_valid("5f0c6f5e8a5e4c2b9d6e2f1a4b7c9d10"));
        static P: Pattern = Pattern::new("^[A-Z]{3}$");
        let mut e = Vec::new();
        let mut cx = Cx::new(&mut e);
        cx.key("c").pattern("/properties/c/pattern", "EUR", &P);
        cx.key("c").pattern("/properties/c/pattern", "eur", &P);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].instance_path, "/c");
        assert_eq!(e[0].schema_path, "/properties/c/pattern");
        assert_eq!(e[0].keyword, "pattern");
    }

    #[test]
    fn plain_patterns_run_on_regex_and_the_rest_on_jsonschema() {
        assert_eq!(plain_pattern("^T-\\d{6}$").as_deref(), Some("^T-[0-9]{6}$"));
        assert_eq!(
            plain_pattern("^[a-z0-9][a-z0-9-]{0,49}$").as_deref(),
            Some("^[a-z0-9][a-z0-9-]{0,49}$")
        );
        for ecma_only in [
            "a.b", "\\w+", "\\s", "(?=a)", "[]", "[^]", "x{,3}", "é", "[[a]]", "\\1",
        ] {
            assert_eq!(plain_pattern(ecma_only), None, "{ecma_only}");
        }
        // Both paths give jsonschema's answers.
        static DIGITS: Pattern = Pattern::new("^\\d+$");
        assert!(DIGITS.is_match("0123"));
        assert!(!DIGITS.is_match("٣")); // ECMA-262 \d is ASCII only
        static WORD: Pattern = Pattern::new("^\\w+$");
        assert!(WORD.is_match("abc_1"));
        assert!(!WORD.is_match("é"));
    }

    #[test]
    fn bounds_compare_integers_exactly() {
        let mut e = Vec::new();
        let mut cx = Cx::new(&mut e);
        cx.minimum("", i64::MAX, i64::MAX - 1);
        cx.exclusive_maximum("", 9_i64, 9.5_f64);
        cx.exclusive_minimum("", 0_i64, 0_i64);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn uniqueness_compares_json_values() {
        let mut e = Vec::new();
        let mut cx = Cx::new(&mut e);
        cx.unique("", &["a", "b"]);
        cx.unique_json("", &[1.0_f64, 1.0]);
        cx.unique("", &["a", "a"]);
        cx.index(3).key("x").unique("", &[1, 2]);
        assert_eq!(e.len(), 2);
    }
}
