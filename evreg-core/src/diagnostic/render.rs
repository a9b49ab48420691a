//! Showing diagnostics: rustc-style source snippets (for terminals, build
//! scripts and compile errors), and a stable JSON form for machines.

use codespan_reporting::diagnostic::{Diagnostic as Cs, Label, LabelStyle, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{NoColor, WriteColor};
use codespan_reporting::term::{self, Config};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Writes every diagnostic with rustc-style source snippets, in color when
/// `out` supports it (`codespan_reporting::term::termcolor::StandardStream`
/// picks that per terminal).
pub fn emit(
    out: &mut dyn WriteColor,
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
) -> std::io::Result<()> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    // Only the files a label points into are copied (file ids are indexes).
    let shown_files: std::collections::HashSet<usize> = diagnostics
        .iter()
        .flat_map(|d| d.primary.iter().chain(&d.secondary))
        .map(|l| l.span.file.index())
        .collect();
    let mut files = SimpleFiles::new();
    for (id, f) in sources.files() {
        let text = if shown_files.contains(&id.index()) {
            shown_in_place(f.text())
        } else {
            String::new()
        };
        files.add(shown(f.name()), text);
    }
    let config = Config::default();
    for d in diagnostics {
        term::emit_to_write_style(
            &mut WriteColorRef(out),
            &config,
            &files,
            &convert(d, sources),
        )
        .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// Every diagnostic with its source snippet, as plain text (no color): what
/// a build script prints and a compile error shows.
pub fn plain(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = NoColor::new(Vec::new());
    // Writing to memory cannot fail.
    let _ = emit(&mut out, diagnostics, sources);
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}

/// One diagnostic in the stable JSON form of `evreg check --format json`.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// `"error"` or `"warning"`.
    pub severity: &'static str,
    /// The check's stable name (`unknown-key`, `example-invalid`, …).
    pub code: &'static str,
    /// What is wrong.
    pub message: &'a str,
    /// File of the main location (relative to the catalog's parent folder), if any.
    pub file: Option<&'a str>,
    /// One-based line of the main location.
    pub line: Option<usize>,
    /// One-based column (in characters) of the main location.
    pub column: Option<usize>,
    /// One-based line where the main location ends.
    pub end_line: Option<usize>,
    /// One-based column where the main location ends.
    pub end_column: Option<usize>,
    /// The main label's text.
    pub label: Option<&'a str>,
    /// Other locations.
    pub related: Vec<JsonLabel<'a>>,
    /// Further explanation.
    pub notes: &'a [String],
    /// A suggested fix.
    pub help: Option<&'a str>,
}

/// A secondary location.
#[derive(Debug, Serialize)]
pub struct JsonLabel<'a> {
    /// File.
    pub file: &'a str,
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub column: usize,
    /// What is there.
    pub message: &'a str,
}

/// The JSON form of a diagnostic.
pub fn to_json<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> JsonDiagnostic<'a> {
    let primary = d.primary.as_ref().map(|l| {
        let file = sources.get(l.span.file);
        let (line, column) = file.line_col(l.span.start);
        let (end_line, end_column) = file.line_col(l.span.end);
        (
            file.name(),
            line,
            column,
            end_line,
            end_column,
            l.message.as_str(),
        )
    });
    JsonDiagnostic {
        severity: d.severity.as_str(),
        code: d.code,
        message: &d.message,
        file: primary.map(|p| p.0),
        line: primary.map(|p| p.1),
        column: primary.map(|p| p.2),
        end_line: primary.map(|p| p.3),
        end_column: primary.map(|p| p.4),
        label: primary.map(|p| p.5).filter(|m| !m.is_empty()),
        related: d
            .secondary
            .iter()
            .map(|l| {
                let file = sources.get(l.span.file);
                let (line, column) = file.line_col(l.span.start);
                JsonLabel {
                    file: file.name(),
                    line,
                    column,
                    message: &l.message,
                }
            })
            .collect(),
        notes: &d.notes,
        help: d.help.as_deref(),
    }
}

struct WriteColorRef<'a>(&'a mut dyn WriteColor);

impl std::io::Write for WriteColorRef<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl WriteColor for WriteColorRef<'_> {
    fn supports_color(&self) -> bool {
        self.0.supports_color()
    }
    fn set_color(&mut self, spec: &term::termcolor::ColorSpec) -> std::io::Result<()> {
        self.0.set_color(spec)
    }
    fn reset(&mut self) -> std::io::Result<()> {
        self.0.reset()
    }
}

/// The longest source line shown in a snippet; a diagnostic on a longer one
/// (a minified file) names its line and column instead.
const MAX_SNIPPET_LINE: usize = 400;

/// Text from the input as a report shows it: control characters (ESC, a
/// newline in a property name) escaped, never echoed to the terminal.
fn shown(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A source file as a snippet shows it: control characters other than line
/// breaks and tabs become `?`s of the same length in bytes, so that every
/// span still points where it did.
fn shown_in_place(text: &str) -> String {
    let hidden = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    if !text.chars().any(hidden) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c.to_string(),
            c if c.is_control() => "?".repeat(c.len_utf8()),
            c => c.to_string(),
        })
        .collect()
}

/// Whether `span` lies on a line too long to show.
fn on_long_line(span: Span, sources: &SourceMap) -> bool {
    let text = sources.get(span.file).text();
    let at = span.start.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    end - start > MAX_SNIPPET_LINE
}

/// A span's range widened to character boundaries (codespan slices by it).
fn range(span: Span, sources: &SourceMap) -> std::ops::Range<usize> {
    let text = sources.get(span.file).text();
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn convert(d: &Diagnostic, sources: &SourceMap) -> Cs<usize> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
    };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    let long = d
        .primary
        .iter()
        .chain(&d.secondary)
        .any(|l| on_long_line(l.span, sources));
    if long {
        // The place, without the line: it would fill the screen.
        for l in d.primary.iter().chain(&d.secondary) {
            let file = sources.get(l.span.file);
            let (line, column) = file.line_col(l.span.start);
            let what = if l.message.is_empty() {
                String::new()
            } else {
                format!(": {}", shown(&l.message))
            };
            notes.push(format!(
                "at {}:{line}:{column}{what} (the line is too long to show)",
                shown(file.name())
            ));
        }
    }
    if let Some(l) = d.primary.as_ref().filter(|_| !long) {
        labels.push(
            Label::new(
                LabelStyle::Primary,
                l.span.file.index(),
                range(l.span, sources),
            )
            .with_message(shown(&l.message)),
        );
    }
    for l in d.secondary.iter().filter(|_| !long) {
        labels.push(
            Label::new(
                LabelStyle::Secondary,
                l.span.file.index(),
                range(l.span, sources),
            )
            .with_message(shown(&l.message)),
        );
    }
    notes.extend(d.notes.iter().map(|n| shown(n)));
    if let Some(help) = &d.help {
        notes.push(format!("help: {}", shown(help)));
    }
    Cs::new(severity)
        .with_message(shown(&d.message))
        .with_code(d.code)
        .with_labels(labels)
        .with_notes(notes)
}
