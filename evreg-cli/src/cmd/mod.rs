//! One module per subcommand.

pub mod check;
pub mod diff;
pub mod docs;
pub mod events;
pub mod export;
pub mod generate;
pub mod import;
pub mod init;
pub mod list;
pub mod lock;
pub mod migrate;
pub mod new;
pub mod serve;
pub mod show;
pub mod simulate;
pub mod validate;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use evreg_core::{Catalog, Diagnostic, Report, SourceMap};

use crate::opt::{ColorWhen, Opt};

/// Why a command could not run (exit code 2).
#[derive(Debug)]
pub enum CliError {
    /// Contradictory or invalid arguments.
    Usage(String),
    /// Writing output or reading input failed.
    Io(std::io::Error),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(m) => f.write_str(m),
            CliError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        CliError::Io(e.into())
    }
}

impl From<String> for CliError {
    fn from(e: String) -> Self {
        CliError::Usage(e)
    }
}

/// Standard error, colored as asked.
pub fn stderr(opt: &Opt) -> StandardStream {
    let choice = match opt.color {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto
            if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            ColorChoice::Auto
        }
        ColorWhen::Auto => ColorChoice::Never,
    };
    StandardStream::stderr(choice)
}

/// Whether the catalog folder itself is unusable (a usage or I/O error: exit 2).
pub fn unusable(report: &Report) -> bool {
    report.catalog.is_none() && unusable_parts(&report.sources, &report.diagnostics)
}

fn unusable_parts(sources: &SourceMap, diagnostics: &[Diagnostic]) -> bool {
    sources.is_empty()
        && diagnostics
            .iter()
            .any(|d| d.code == "io" || d.code == "missing-manifest")
}

/// Loads the catalog for a command that needs a clean one; on problems, prints
/// them and returns the exit code.
pub fn load(opt: &Opt, dir: &Path) -> Result<Catalog, ExitCode> {
    loaded(opt, dir, Catalog::check(dir))
}

/// The catalog of `report`, or its problems printed and the exit code.
pub fn loaded(opt: &Opt, dir: &Path, report: Report) -> Result<Catalog, ExitCode> {
    match report.catalog {
        Some(c) => Ok(c),
        None => Err(failed(opt, dir, &report.diagnostics, &report.sources)),
    }
}

/// Prints the problems of a catalog that cannot be used, and returns the
/// exit code: 2 when the folder itself is unusable, else 1.
pub fn failed(opt: &Opt, dir: &Path, diagnostics: &[Diagnostic], sources: &SourceMap) -> ExitCode {
    let mut err = stderr(opt);
    let _ = evreg_core::diagnostic::render::emit(&mut err, diagnostics, sources);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "error: the catalog in `{}` has {}; run `evreg check` for details",
        dir.display(),
        evreg_core::naming::count(errors, "error", "errors"),
    );
    ExitCode::from(if unusable_parts(sources, diagnostics) {
        2
    } else {
        1
    })
}

/// `text` as a TOML basic string, quotes included: JSON's escapes, which
/// TOML reads the same (serde_json never writes `\/`, TOML's one omission).
pub fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Writes a file that must not exist yet (its folders are made): what
/// `init` and `new` write, never over a file.
pub fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let at = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(at)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(at)?;
    file.write_all(text.as_bytes()).map_err(at)
}

/// The editor schemas of catalog.toml and of event files (docs/editors.md),
/// as a catalog keeps them: `.evreg/` in its folder, which the loader skips.
pub const EDITOR_SCHEMAS: [(&str, &str); 2] = [
    (
        ".evreg/catalog.schema.json",
        include_str!("../../editor/catalog.schema.json"),
    ),
    (
        ".evreg/events.schema.json",
        include_str!("../../editor/events.schema.json"),
    ),
];

/// The `#:schema` line (with a blank line after it) that points an editor
/// at the schema of `file` (the manifest's, or an event file's), when the
/// catalog in `dir` keeps the editor schemas; else nothing.
pub fn schema_directive(dir: &Path, file: &Path) -> String {
    let which = if file.file_name().is_some_and(|n| n == "catalog.toml") {
        EDITOR_SCHEMAS[0].0
    } else {
        EDITOR_SCHEMAS[1].0
    };
    let Ok(canonical) = dir.canonicalize() else {
        return String::new();
    };
    if file.extension().is_none_or(|e| e != "toml") || !canonical.join(which).is_file() {
        return String::new();
    }
    // The file's folder, made or not yet.
    let parent = file.parent().unwrap_or(dir);
    let from = match parent.strip_prefix(dir) {
        Ok(rel) => canonical.join(rel),
        Err(_) => parent.canonicalize().unwrap_or_else(|_| canonical.clone()),
    };
    schema_line(&from, &canonical.join(which))
}

/// `#:schema PATH` and a blank line: the editor schema `schema` as a file
/// in the folder `from` names it (both canonical).
pub fn schema_line(from: &Path, schema: &Path) -> String {
    let path = evreg_core::catalog::relative_path(from, schema);
    let path = if path.starts_with("..") {
        path
    } else {
        format!("./{path}")
    };
    format!("#:schema {path}\n\n")
}
