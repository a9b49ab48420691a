//! Problems found in a catalog, each with its location.
//!
//! Loading collects every problem into a [`Diagnostics`] sink instead of stopping
//! at the first, so `evreg check` can report everything at once.

pub mod codes;
pub mod render;

use std::fmt;

use crate::source::{SourceMap, Span};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The catalog cannot be used until it is fixed.
    Error,
    /// Worth fixing; the catalog is still usable.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with a message, shown under the source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (may be empty).
    pub message: String,
}

/// One problem in a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, kebab-case name of the check (`unknown-key`, `example-invalid`, …).
    pub code: &'static str,
    /// One line saying what is wrong.
    pub message: String,
    /// The main location, when the problem has one.
    pub primary: Option<Label>,
    /// Other locations that explain the problem (the first definition of a duplicate, …).
    pub secondary: Vec<Label>,
    /// Further explanation, one line each.
    pub notes: Vec<String>,
    /// A suggested fix.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error. `code` is one of [`codes::CODES`].
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(
            codes::is_known(code),
            "diagnostic code `{code}` is not in diagnostic::codes::CODES"
        );
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// A new warning. `code` is one of [`codes::CODES`].
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Sets the main location.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Sets the main location when there is one.
    pub fn at_opt(self, span: Option<Span>, label: impl Into<String>) -> Self {
        match span {
            Some(span) => self.at(span, label),
            None => self,
        }
    }

    /// Adds a secondary location.
    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// File name, line and column (one-based) of the main location.
    pub fn location<'a>(&self, sources: &'a SourceMap) -> Option<(&'a str, usize, usize)> {
        let span = self.primary.as_ref()?.span;
        let file = sources.get(span.file);
        let (line, col) = file.line_col(span.start);
        Some((file.name(), line, col))
    }

    /// `file:line:col: error[code]: message`, the one-line form.
    pub fn display<'a>(&'a self, sources: &'a SourceMap) -> impl fmt::Display + 'a {
        DisplayDiagnostic {
            diagnostic: self,
            sources,
        }
    }
}

struct DisplayDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    sources: &'a SourceMap,
}

impl fmt::Display for DisplayDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        if let Some((file, line, col)) = d.location(self.sources) {
            write!(f, "{file}:{line}:{col}: ")?;
        }
        write!(f, "{}[{}]: {}", d.severity.as_str(), d.code, d.message)?;
        if let Some(label) = &d.primary
            && !label.message.is_empty()
        {
            write!(f, " ({})", label.message)?;
        }
        Ok(())
    }
}

/// A sink that collects every problem found while loading a catalog.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    errors: usize,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.errors += usize::from(diagnostic.is_error());
        self.items.push(diagnostic);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// The problems recorded so far, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// Moves every problem of `other` into this sink.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        for d in other {
            self.push(d);
        }
    }

    /// The problems, sorted by file, position, then message (a stable order).
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.primary.as_ref().map(|l| (l.span.file, l.span.start));
            key(a)
                .cmp(&key(b))
                .then_with(|| a.severity.cmp(&b.severity))
                .then_with(|| a.code.cmp(b.code))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
        self.items
    }
}
