//! `evreg import`: a catalog made of the events a team already has. Each
//! source is read into [`Imported`] (events naming schema files where they
//! are), written as a manifest and one event file per category, and the
//! result is checked as `evreg check` would, so that what could not be
//! mapped is said with file, line and column.

mod asyncapi;
mod db;
mod jsonschema;
mod naming;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evreg_core::Catalog;
use evreg_core::catalog::relative_path;
use evreg_core::naming::count;

use super::{toml_string, write_new};
use crate::opt::{ImportCommand, Opt};
pub use naming::category_of;

pub fn run(opt: &Opt, command: &ImportCommand) -> Result<ExitCode, super::CliError> {
    match command {
        ImportCommand::Jsonschema(args) => jsonschema::run(opt, args),
        ImportCommand::Db(args) => db::run(opt, args),
        ImportCommand::Asyncapi(args) => asyncapi::run(opt, args),
    }
}

/// A catalog to write: its manifest's keys and its events.
#[derive(Debug, Default)]
struct Imported {
    name: String,
    /// Where it came from, for the manifest's first comment.
    source: String,
    /// Words of the schemas that are no JSON Schema keyword (`[schema] annotations`).
    annotations: Vec<String>,
    /// Folders outside the catalog's that its files name (canonical).
    folders: Vec<PathBuf>,
    /// `[sql] table` and `schema_table`, when not the default ones.
    sql: Option<(String, String)>,
    events: Vec<Entry>,
    /// Files the import writes besides the manifest and event files
    /// (schemas and examples read from elsewhere), by path under the catalog.
    files: BTreeMap<PathBuf, String>,
}

/// One event.
#[derive(Debug, Clone)]
struct Entry {
    event_type: String,
    name: String,
    description: String,
    category: String,
    owner: Option<String>,
    /// `catalog-only` or `deprecated` (`active` is left unsaid).
    status: Option<String>,
    replaced_by: Option<String>,
    aliases: Vec<String>,
    versions: Vec<VersionEntry>,
}

/// One payload version: its schema file and example files (canonical paths).
#[derive(Debug, Clone)]
struct VersionEntry {
    version: u32,
    schema: PathBuf,
    examples: Vec<PathBuf>,
}

impl Imported {
    /// Whether every version has an example (else `require_examples` is off).
    fn every_version_has_examples(&self) -> bool {
        self.events
            .iter()
            .flat_map(|e| &e.versions)
            .all(|v| !v.examples.is_empty())
    }

    /// The files of the catalog in `dir` (canonical, existing): the manifest
    /// and one event file per category, as text by path.
    fn files(&self, dir: &Path) -> BTreeMap<PathBuf, String> {
        let mut manifest = format!("# {}\nname = {}\n", self.source, toml_string(&self.name));
        if !self.every_version_has_examples() {
            manifest.push_str(
                "\n[checks]\n# Not every imported version has an example yet: their absence is a warning.\nrequire_examples = false\n",
            );
        }
        if !self.annotations.is_empty() || !self.folders.is_empty() {
            manifest.push_str("\n[schema]\n");
        }
        if !self.annotations.is_empty() {
            let words: Vec<String> = self.annotations.iter().map(|a| toml_string(a)).collect();
            manifest.push_str(&format!(
                "# Words of the schemas that are no JSON Schema keyword: read as annotations.\nannotations = [{}]\n",
                words.join(", ")
            ));
        }
        if !self.folders.is_empty() {
            let folders: Vec<String> = self
                .folders
                .iter()
                .map(|f| toml_string(&relative_path(dir, f)))
                .collect();
            manifest.push_str(&format!(
                "# The schema files, where they are.\nfolders = [{}]\n",
                folders.join(", ")
            ));
        }
        if let Some((table, schema_table)) = &self.sql {
            manifest.push_str(&format!(
                "\n[sql]\ntable = {}\nschema_table = {}\n",
                toml_string(table),
                toml_string(schema_table)
            ));
        }
        let mut files: BTreeMap<PathBuf, String> = self
            .files
            .iter()
            .map(|(path, text)| (dir.join(path), text.clone()))
            .chain(
                super::EDITOR_SCHEMAS
                    .iter()
                    .map(|(path, text)| (dir.join(path), (*text).to_owned())),
            )
            .collect();
        let [(manifest_schema, _), (events_schema, _)] = super::EDITOR_SCHEMAS;
        let manifest_line = super::schema_line(dir, &dir.join(manifest_schema));
        files.insert(dir.join("catalog.toml"), manifest_line + &manifest);
        let events_dir = dir.join("events");
        let events_line = super::schema_line(&events_dir, &dir.join(events_schema));
        let mut by_category: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
        for event in &self.events {
            by_category
                .entry(naming::file_stem(&event.category))
                .or_default()
                .push(event);
        }
        for (stem, events) in by_category {
            let mut text = events_line.clone();
            for (i, event) in events.into_iter().enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                entry_toml(&mut text, event, &events_dir);
            }
            files.insert(events_dir.join(format!("{stem}.toml")), text);
        }
        files
    }

    /// Writes the catalog's files into `dir`, replacing those an earlier
    /// pass of this import wrote (`written`); returns the paths.
    fn write(&self, dir: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for old in written.drain(..) {
            std::fs::remove_file(&old)?;
        }
        for (path, text) in self.files(dir) {
            write_new(&path, &text)?;
            written.push(path);
        }
        Ok(())
    }
}

fn entry_toml(out: &mut String, event: &Entry, events_dir: &Path) {
    let path = |p: &Path| toml_string(&relative_path(events_dir, p));
    let _ = write!(
        out,
        "[[events]]\ntype = {}\nname = {}\ndescription = {}\ncategory = {}\n",
        toml_string(&event.event_type),
        toml_string(&event.name),
        toml_string(&event.description),
        toml_string(&event.category),
    );
    let optional = [
        ("owner", &event.owner),
        ("status", &event.status),
        ("replaced_by", &event.replaced_by),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            let _ = writeln!(out, "{key} = {}", toml_string(value));
        }
    }
    if !event.aliases.is_empty() {
        let aliases: Vec<String> = event.aliases.iter().map(|a| toml_string(a)).collect();
        let _ = writeln!(out, "aliases = [{}]", aliases.join(", "));
    }
    for version in &event.versions {
        let _ = write!(
            out,
            "\n[[events.versions]]\nversion = {}\nschema = {}\n",
            version.version,
            path(&version.schema)
        );
        match version.examples.as_slice() {
            [] => {}
            [one] => {
                let _ = writeln!(out, "examples = [{}]", path(one));
            }
            many => {
                out.push_str("examples = [\n");
                for example in many {
                    let _ = writeln!(out, "  {},", path(example));
                }
                out.push_str("]\n");
            }
        }
    }
}

/// The catalog folder to write: made when missing, refused when it holds a
/// catalog already. Returns its canonical path.
fn new_catalog_dir(dir: &Path) -> Result<PathBuf, String> {
    if dir.join("catalog.toml").exists() {
        return Err(format!(
            "`{}` holds a catalog already; evreg import writes a new one (name another folder)",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    dir.canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))
}

/// Checks the written catalog as `evreg check` does, prints its problems and
/// a summary; exit 0 when it loads, 1 when it has errors.
fn report(opt: &Opt, dir: &Path, shown: &Path) -> ExitCode {
    let report = Catalog::check(dir);
    // Versions without examples are expected of an import: counted, not listed.
    let (missing, shown_diagnostics): (Vec<_>, Vec<_>) = report
        .diagnostics
        .iter()
        .cloned()
        .partition(|d| d.code == "missing-example" && !d.is_error());
    let mut err = super::stderr(opt);
    let _ = evreg_core::diagnostic::render::emit(&mut err, &shown_diagnostics, &report.sources);
    if !missing.is_empty() {
        eprintln!(
            "{} no example yet (`evreg check {}` lists them)",
            count(missing.len(), "version has", "versions have"),
            shown.display()
        );
    }
    let (errors, warnings) = (report.error_count(), report.warning_count());
    match &report.catalog {
        Some(catalog) => {
            let versions: usize = catalog.events().iter().map(|e| e.versions.len()).sum();
            eprintln!(
                "imported {} into `{}`: {}, {}; it checks clean{}",
                catalog.name(),
                shown.display(),
                count(catalog.events().len(), "event", "events"),
                count(versions, "version", "versions"),
                if warnings > 0 {
                    format!(" ({})", count(warnings, "warning", "warnings"))
                } else {
                    String::new()
                }
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "imported into `{}`, with {} to fix (above, and with `evreg check {}`)",
                shown.display(),
                count(errors, "error", "errors"),
                shown.display()
            );
            ExitCode::from(1)
        }
    }
}

/// The words the loader reported as no JSON Schema keyword, each once.
pub(super) fn unknown_words(report: &evreg_core::Report) -> Vec<String> {
    let mut words: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-keyword")
        .filter_map(|d| d.primary.as_ref())
        .filter_map(|label| {
            let text = report.sources.get(label.span.file).text();
            serde_json::from_str::<String>(text.get(label.span.range())?).ok()
        })
        .collect();
    words.sort();
    words.dedup();
    words
}

/// A JSON (`.json`) or YAML document as a value, or why it is none; files
/// larger than the loader reads are refused unread.
fn read_document(path: &Path) -> Result<serde_json::Value, String> {
    use evreg_core::catalog::MAX_FILE_BYTES;
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {size} bytes; at most {MAX_FILE_BYTES} are read"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
    } else {
        serde_yaml_ng::from_str(&text).map_err(|e| format!("not YAML: {e}"))
    }
}

/// A file's text for a JSON value: pretty, with a final newline.
fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// The string at `key` of a JSON object, trimmed, when it says anything.
fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    value[key]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
