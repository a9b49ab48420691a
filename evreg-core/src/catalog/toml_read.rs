//! Reading spanned TOML tables key by key, reporting every problem.
//!
//! The TOML parser keeps a span on every key and value; this module turns a table
//! into typed values with [`Located`] spans, and reports unknown keys (with a
//! "did you mean") and type mismatches into the diagnostics sink instead of
//! stopping at the first.

use serde_json::{Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::naming::did_you_mean;
use crate::source::{FileId, Span};

/// A value with the span it was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Located<T> {
    /// A value at a span.
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// The name of a TOML value's type, for messages.
pub(crate) fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A table being read: every key must be taken or it is reported as unknown.
pub(crate) struct TableReader<'a, 'i> {
    file: FileId,
    span: Span,
    entries: Vec<(
        &'a Spanned<std::borrow::Cow<'i, str>>,
        &'a Spanned<DeValue<'i>>,
    )>,
    context: &'static str,
}

impl<'a, 'i> TableReader<'a, 'i> {
    /// Starts reading `table`, reporting keys not in `known`.
    pub(crate) fn new(
        file: FileId,
        table: &'a DeTable<'i>,
        span: std::ops::Range<usize>,
        context: &'static str,
        known: &[&str],
        diags: &mut Diagnostics,
    ) -> Self {
        let reader = TableReader {
            file,
            span: Span::new(file, span),
            entries: table.iter().collect(),
            context,
        };
        for (key, _) in &reader.entries {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                let mut d = Diagnostic::error(
                    "unknown-key",
                    format!("unknown key `{name}` in {}", reader.context),
                )
                .at(reader.span_of(key.span()), "not a key evreg knows");
                if let Some(close) = did_you_mean(name, known.iter().copied()) {
                    d = d.with_help(format!("did you mean `{close}`?"));
                } else {
                    d = d.with_note(format!("expected one of: {}", known.join(", ")));
                }
                diags.push(d);
            }
        }
        reader
    }

    /// Starts reading a table whose keys are the user's own (names, not
    /// settings): no key is unknown.
    pub(crate) fn any_keys(
        file: FileId,
        table: &'a DeTable<'i>,
        span: std::ops::Range<usize>,
        context: &'static str,
    ) -> Self {
        TableReader {
            file,
            span: Span::new(file, span),
            entries: table.iter().collect(),
            context,
        }
    }

    /// The keys of the table, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.entries.iter().map(|(k, _)| k.get_ref().as_ref())
    }

    /// The span of the whole table.
    pub(crate) fn span(&self) -> Span {
        self.span
    }

    pub(crate) fn file(&self) -> FileId {
        self.file
    }

    fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    /// The raw value under `key`.
    pub(crate) fn value(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| *v)
    }

    fn mismatch(&self, key: &str, expected: &str, found: &Spanned<DeValue<'_>>) -> Diagnostic {
        Diagnostic::error(
            "wrong-type",
            format!(
                "`{key}` in {} must be {expected}, found {}",
                self.context,
                type_name(found.get_ref())
            ),
        )
        .at(self.span_of(found.span()), format!("expected {expected}"))
    }

    /// A missing required key.
    pub(crate) fn missing(&self, key: &str, diags: &mut Diagnostics) {
        diags.push(
            Diagnostic::error(
                "missing-key",
                format!("{} is missing the required key `{key}`", self.context),
            )
            .at(self.span, format!("`{key}` is required here")),
        );
    }

    /// An optional string.
    pub(crate) fn string(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<String>> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::String(s) if s.contains('\0') => {
                diags.push(
                    Diagnostic::error(
                        "invalid-value",
                        format!("`{key}` holds a NUL character (\\u0000), which databases cannot store"),
                    )
                    .at(self.span_of(v.span()), "here")
                    .with_note("PostgreSQL's TEXT and JSONB refuse it, so `evreg migrate` could not write this value"),
                );
                None
            }
            DeValue::String(s) => Some(Located::new(s.to_string(), self.span_of(v.span()))),
            _ => {
                diags.push(self.mismatch(key, "a string", v));
                None
            }
        }
    }

    /// A required string (reported when missing).
    pub(crate) fn required_string(
        &self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<Located<String>> {
        if self.value(key).is_none() {
            self.missing(key, diags);
            return None;
        }
        self.string(key, diags)
    }

    /// An optional boolean.
    pub(crate) fn bool(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<bool>> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Located::new(*b, self.span_of(v.span()))),
            _ => {
                diags.push(self.mismatch(key, "a boolean", v));
                None
            }
        }
    }

    /// An optional integer.
    pub(crate) fn integer(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<i64>> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Located::new(n, self.span_of(v.span()))),
                Err(_) => {
                    diags.push(
                        Diagnostic::error("wrong-type", format!("`{key}` is out of range"))
                            .at(self.span_of(v.span()), "too large"),
                    );
                    None
                }
            },
            _ => {
                diags.push(self.mismatch(key, "an integer", v));
                None
            }
        }
    }

    /// An optional array of strings.
    pub(crate) fn string_array(
        &self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<Vec<Located<String>>> {
        let v = self.value(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            diags.push(self.mismatch(key, "an array of strings", v));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.get_ref() {
                DeValue::String(s) => {
                    out.push(Located::new(s.to_string(), self.span_of(item.span())))
                }
                _ => diags.push(self.mismatch(key, "an array of strings", item)),
            }
        }
        Some(out)
    }

    /// An optional sub-table.
    pub(crate) fn table(
        &self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<(&'a DeTable<'i>, std::ops::Range<usize>)> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some((t, v.span())),
            _ => {
                diags.push(self.mismatch(key, "a table", v));
                None
            }
        }
    }

    /// An optional array of tables.
    pub(crate) fn table_array(
        &self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<Vec<(&'a DeTable<'i>, std::ops::Range<usize>)>> {
        let v = self.value(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            diags.push(self.mismatch(key, "an array of tables", v));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, item.span())),
                _ => diags.push(self.mismatch(key, "an array of tables", item)),
            }
        }
        Some(out)
    }
}

/// Converts a TOML value into JSON. Positions inside it are found again, when
/// a diagnostic needs one, by `json::Origin::Toml`.
///
/// Floats that JSON cannot hold (NaN, infinities) and integers out of range are
/// reported and become `null`.
pub(crate) fn to_json(
    file: FileId,
    value: &Spanned<DeValue<'_>>,
    diags: &mut Diagnostics,
) -> Value {
    let span = Span::new(file, value.span());
    match value.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Number(n.into()),
            Err(_) => {
                diags.push(
                    Diagnostic::error("wrong-type", "integer out of range").at(span, "too large"),
                );
                Value::Null
            }
        },
        DeValue::Float(f) => {
            let parsed = f.as_str().replace('_', "").parse::<f64>().ok();
            match parsed.and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => {
                    diags.push(
                        Diagnostic::error("wrong-type", "JSON has no NaN or infinity")
                            .at(span, "not a JSON number"),
                    );
                    Value::Null
                }
            }
        }
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| to_json(file, item, diags))
                .collect(),
        ),
        DeValue::Table(table) => Value::Object(
            table
                .iter()
                .map(|(key, item)| (key.get_ref().to_string(), to_json(file, item, diags)))
                .collect(),
        ),
    }
}
