//! The catalog: loading, checking and resolving a folder of event declarations.
//!
//! Loading runs in stages (parse → resolve → check) and collects every problem in
//! a [`Diagnostics`] sink, so one run reports everything wrong with a catalog.
//!
//! ```no_run
//! let catalog = evreg_core::Catalog::load("catalog")?;
//! for event in catalog.events() {
//!     println!("{} ({} versions)", event.event_type, event.versions.len());
//! }
//! # Ok::<(), evreg_core::LoadError>(())
//! ```

mod check;
mod compatibility;
pub(crate) mod discover;
mod event_file;
mod json;
pub mod keys;
pub mod lock;
mod manifest;
mod model;
mod prefetch;
mod resolve;
mod schema;
mod toml_read;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

pub use discover::{MAX_FILE_BYTES, files_under, relative_path};
pub use json::{escape_pointer_token, from_str_unique};
pub use keys::{EVENT_FILE_TABLES, MANIFEST_TABLES};
pub use model::*;
pub use prefetch::par_map;
pub use resolve::{MAX_REF_DEPTH, percent_decode};
pub use toml_read::Located;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use json::{Origin, Part};

/// JSON and TOML nested deeper than this is refused with an error.
pub const MAX_DEPTH: usize = 128;

/// The result of loading a catalog: the model when it has no errors, and every
/// problem found either way.
#[derive(Debug)]
pub struct Report {
    /// The catalog, when loading found no error.
    pub catalog: Option<Catalog>,
    /// Every error and warning, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, for showing diagnostics.
    pub sources: Arc<SourceMap>,
    /// The shared schema files: those a `$ref` of another file reaches,
    /// and the manifest's `[definitions] files` (what `evreg import` tells
    /// from payload schemas). Known also when loading found errors.
    pub shared_files: Vec<PathBuf>,
}

impl Report {
    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// A catalog that failed to load, with every problem found.
///
/// It displays as a summary line followed by every problem with its source
/// snippet; its `Debug` form is the same text, so that `fn main() -> Result<…>`,
/// `?` into `Box<dyn Error>` and `.unwrap()` all print something readable.
/// [`render::emit`](crate::diagnostic::render::emit) shows it in color.
#[derive(thiserror::Error)]
#[error("{}", render_plain(.diagnostics, .sources))]
pub struct LoadError {
    /// Every error and warning.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read.
    pub sources: Arc<SourceMap>,
}

impl From<LoadError> for Report {
    fn from(e: LoadError) -> Report {
        Report {
            catalog: None,
            diagnostics: e.diagnostics,
            sources: e.sources,
            shared_files: Vec::new(),
        }
    }
}

impl fmt::Debug for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn render_plain(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    format!(
        "the catalog has {}:\n\n{}",
        crate::naming::count(errors, "error", "errors"),
        crate::diagnostic::render::plain(diagnostics, sources)
    )
}

impl Catalog {
    /// Loads, checks and resolves the catalog in the folder `root` (which holds
    /// `catalog.toml`).
    ///
    /// Fails with every problem found; warnings of a successful load are in
    /// [`Catalog::warnings`].
    pub fn load(root: impl AsRef<Path>) -> Result<Catalog, LoadError> {
        let report = Catalog::check(root);
        match report.catalog {
            Some(catalog) => Ok(catalog),
            None => Err(LoadError {
                diagnostics: report.diagnostics,
                sources: report.sources,
            }),
        }
    }

    /// Loads the catalog in `root` and reports every problem, as `evreg check` does.
    pub fn check(root: impl AsRef<Path>) -> Report {
        Loader::new(root.as_ref()).run()
    }

    /// [`Catalog::check`] without the checks of the catalog's history: the
    /// comparison with `catalog.lock` and the compatibility modes between
    /// versions. What `evreg lock` and `evreg diff` load, to report those
    /// themselves.
    pub fn check_ignoring_history(root: impl AsRef<Path>) -> Report {
        let mut loader = Loader::new(root.as_ref());
        loader.check_history = false;
        loader.run()
    }

    /// What `evreg diff` reads of a catalog: [`Catalog::check_ignoring_history`]
    /// without compiling the schemas to validate the examples (they are kept,
    /// unchecked: `evreg check` is where examples are checked). Everything a
    /// comparison of schemas needs is checked as usual.
    pub fn check_schemas(root: impl AsRef<Path>) -> Report {
        let mut loader = Loader::new(root.as_ref());
        loader.check_history = false;
        loader.validate_examples = false;
        loader.run()
    }

    /// [`Catalog::check_schemas`] of only the given event files (paths under
    /// `root`): the events of the other files are left out, and checks that
    /// span events may report what the left-out files would have settled.
    pub(crate) fn check_event_files(root: &Path, only: HashSet<PathBuf>) -> Report {
        let mut loader = Loader::new(root);
        loader.check_history = false;
        loader.validate_examples = false;
        loader.only_event_files = Some(only.into_iter().map(|p| normalize(&p)).collect());
        loader.run()
    }
}

/// One JSON document (a file, or an inline TOML table) of the catalog.
#[derive(Debug)]
pub(crate) struct Doc {
    /// The value.
    pub value: Value,
    /// Where it came from, to locate pointers.
    pub origin: Origin,
    /// The folder relative `$ref`s resolve against.
    pub dir: PathBuf,
    /// The file holding it.
    pub file: FileId,
    /// A name for messages (the file path, or `inline schema`).
    pub path: PathBuf,
    /// Whether the document was already checked as a schema.
    pub schema_checked: bool,
    /// Whether checking it as a schema found errors.
    pub schema_errors: bool,
    /// Whether it passes the meta-schema, when already known.
    pub meta_valid: Option<bool>,
    /// Problems of its keywords, when already walked (see `schema::walk_schema`).
    pub findings: Option<Vec<schema::Finding>>,
    /// Its `$ref`s, once collected (see `Loader::doc_refs`).
    pub refs: Option<Vec<(String, String)>>,
    /// The draft it is written in (its `$schema`; 2020-12 until checked).
    pub draft: crate::schema::dialect::Draft,
    /// A 2019-09 document's `$recursiveRef`s, once checked as a schema.
    pub recursive: Option<crate::schema::dialect::Recursive>,
    /// The URI its root `$id` gives it, once checked as a schema: its
    /// references resolve against it instead of its folder.
    pub base: Option<String>,
}

pub(crate) type DocId = usize;

/// An example or invalid payload as declared.
#[derive(Debug)]
pub(crate) struct PayloadDecl {
    pub doc: DocId,
    pub span: Span,
}

/// A version as declared.
#[derive(Debug)]
pub(crate) struct VersionDecl {
    pub version: Located<i64>,
    pub schema: Option<DocId>,
    pub description: Option<String>,
    pub examples: Vec<PayloadDecl>,
    pub invalid: Vec<(Located<String>, PayloadDecl)>,
    pub span: Span,
}

/// An event as declared.
#[derive(Debug)]
pub(crate) struct EventDecl {
    pub event_type: Located<String>,
    pub name: String,
    pub description: String,
    pub category: String,
    pub owner: Option<String>,
    pub status: Located<Status>,
    pub replaced_by: Option<Located<String>>,
    pub aliases: Vec<Located<String>>,
    pub compatibility: Option<Located<crate::compat::Mode>>,
    pub versions: Vec<VersionDecl>,
    pub span: Span,
}

/// Where a file was named.
pub(crate) enum RefSite {
    /// A span in a TOML file.
    Span(Span),
    /// A `$ref` in a JSON document.
    Pointer(DocId, String),
}

impl From<Span> for RefSite {
    fn from(span: Span) -> Self {
        RefSite::Span(span)
    }
}

impl From<(DocId, &str)> for RefSite {
    fn from((doc, pointer): (DocId, &str)) -> Self {
        RefSite::Pointer(doc, pointer.to_owned())
    }
}

/// The loading state: files read, documents parsed, problems found.
pub(crate) struct Loader {
    pub root: PathBuf,
    pub sources: SourceMap,
    pub diags: Diagnostics,
    pub docs: Vec<Doc>,
    /// The manifest's `[base.properties]`, as a document of property schemas.
    pub base_doc: Option<DocId>,
    /// The manifest's `[definitions] files`, with where each was named.
    pub definition_refs: Vec<(PathBuf, Span)>,
    /// Inline payloads and schemas of the event file being walked, already
    /// converted to JSON, by the byte range of their TOML value.
    inline: HashMap<std::ops::Range<usize>, Value>,
    /// JSON files read ahead of the walk, by normalized path.
    prefetched: HashMap<PathBuf, prefetch::Fetched>,
    /// What the manifest says of schemas (`key_case`, `[schema]`), once read.
    pub rules: schema::SchemaRules,
    doc_by_path: HashMap<PathBuf, Option<DocId>>,
    /// Schema documents by the URI of their root `$id`.
    pub(crate) ids: HashMap<String, DocId>,
    /// Every `.json` file under the catalog folder, by the URI of its root
    /// `$id`: read once, the first time a `$id` is not found where its URI
    /// points.
    pub(crate) id_index: Option<HashMap<String, PathBuf>>,
    /// Every file under the catalog folder by its name, built the first time
    /// a named file is missing (to suggest the one meant).
    pub(crate) by_name: Option<HashMap<std::ffi::OsString, Vec<PathBuf>>>,
    /// Whether to compare the catalog with `catalog.lock` and check the
    /// compatibility modes between versions.
    check_history: bool,
    /// When set, only these event files are read (a partial load: the old
    /// side of a diff, where the rest is known to equal the new side).
    only_event_files: Option<HashSet<PathBuf>>,
    /// Whether to compile every schema and validate the examples with it.
    validate_examples: bool,
    /// Files whose content reaches more than the file that names them: the
    /// targets of `$ref`s from other files, and the definitions files.
    shared_files: BTreeSet<PathBuf>,
    /// The `$ref`s of each document sorted by pointer, so that those under
    /// one schema are found by binary search.
    sorted_refs: HashMap<DocId, Vec<(String, String)>>,
    /// The folders whose files the catalog may read, canonical: its own and
    /// those the manifest names (`[schema] folders`).
    inside: Vec<PathBuf>,
    /// Whether the walk for cycles met a reference nested deeper than
    /// `MAX_REF_DEPTH` (reported once, then the walk stops).
    too_deep: bool,
}

impl Loader {
    fn new(root: &Path) -> Self {
        let root = &normalize(root);
        let display_root = root
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf);
        Loader {
            root: root.to_path_buf(),
            sources: SourceMap::new(display_root),
            diags: Diagnostics::new(),
            docs: Vec::new(),
            base_doc: None,
            definition_refs: Vec::new(),
            rules: schema::SchemaRules::default(),
            prefetched: HashMap::new(),
            inline: HashMap::new(),
            doc_by_path: HashMap::new(),
            ids: HashMap::new(),
            id_index: None,
            by_name: None,
            check_history: true,
            only_event_files: None,
            validate_examples: true,
            shared_files: BTreeSet::new(),
            sorted_refs: HashMap::new(),
            inside: Vec::new(),
            too_deep: false,
        }
    }

    fn run(mut self) -> Report {
        let catalog = self.load();
        let shared_files: Vec<PathBuf> =
            std::mem::take(&mut self.shared_files).into_iter().collect();
        let diagnostics = std::mem::take(&mut self.diags).into_sorted();
        let sources = Arc::new(self.sources);
        let has_errors = diagnostics.iter().any(Diagnostic::is_error);
        let catalog = catalog.filter(|_| !has_errors).map(|mut c| {
            c.sources = sources.clone();
            c.warnings = diagnostics.clone();
            c.shared_files = shared_files.clone();
            c
        });
        Report {
            catalog,
            diagnostics,
            sources,
            shared_files,
        }
    }

    fn load(&mut self) -> Option<Catalog> {
        let root = self.root.clone();
        if !root.is_dir() {
            let what = if root.exists() {
                "is not a folder"
            } else {
                "does not exist"
            };
            self.diags.push(
                Diagnostic::error("io", format!("catalog folder `{}` {what}", root.display()))
                    .with_help("pass the folder that holds catalog.toml (--catalog DIR)"),
            );
            return None;
        }
        let manifest_path = root.join(keys::MANIFEST_FILE);
        if !manifest_path.is_file() {
            self.diags.push(
                Diagnostic::error(
                    "missing-manifest",
                    format!(
                        "`{}` has no {} manifest",
                        root.display(),
                        keys::MANIFEST_FILE
                    ),
                )
                .with_help(
                    "create catalog.toml with at least `name = \"…\"`; see docs/catalog-format.md",
                ),
            );
            return None;
        }
        let manifest = self.read_manifest(&manifest_path);
        self.inside = std::iter::once(&root)
            .chain(manifest.iter().flat_map(|m| &m.keywords.folders))
            .filter_map(|f| f.canonicalize().ok())
            .collect();
        let mut files = discover::event_files(&root, &self.inside, &mut self.diags);
        if let Some(only) = &self.only_event_files {
            files.retain(|f| only.contains(f));
        }
        // Read event files in order (file ids stay stable), parse them on every core.
        let read: Vec<(PathBuf, Option<FileId>)> = files
            .into_iter()
            .map(|path| {
                let id = self.read_file(&path, None);
                (path, id)
            })
            .collect();
        let texts: Vec<Option<(FileId, Arc<str>)>> = read
            .iter()
            .map(|(_, id)| id.map(|id| (id, self.sources.get(id).shared_text())))
            .collect();
        // Parse, and convert inline payloads to JSON, on every core.
        let parsed = prefetch::par_map(&texts, |t| {
            t.as_ref().map(|(file, text)| {
                let parsed = parse_toml_text(text);
                let inline = match &parsed {
                    Ok(table) => prefetch::inline_payloads(*file, table.get_ref()),
                    Err(_) => Default::default(),
                };
                (parsed, inline)
            })
        });
        let mut named = Vec::new();
        for ((path, _), p) in read.iter().zip(&parsed) {
            if let Some((Ok(table), _)) = p {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                named.extend(prefetch::named_files(&dir, table.get_ref()));
            }
        }
        let rules = manifest
            .as_ref()
            .map(schema::SchemaRules::of)
            .unwrap_or_default();
        named.retain(|(path, _)| self.outside(path).is_none());
        self.prefetched = prefetch::fetch_all(named, &rules);
        let mut decls = Vec::new();
        for ((path, id), p) in read.iter().zip(parsed) {
            let Some((p, (inline, problems))) = p else {
                continue;
            };
            self.inline = inline;
            self.diags.extend(problems.into_sorted());
            if let Some(id) = id
                && let Some(table) = self.report_toml(*id, p)
            {
                decls.extend(self.event_file_decls(*id, path, &table));
            }
        }
        let manifest = manifest?;
        let (events, definitions) = self.resolve_and_check(&manifest, decls);
        if self.check_history {
            self.check_compatibility(&manifest, &events);
            self.compare_with_lock(&events);
        }
        Some(Catalog {
            root,
            manifest,
            events,
            definitions,
            sources: Arc::default(),
            warnings: Vec::new(),
            shared_files: Vec::new(),
        })
    }

    /// Released versions (`catalog.lock`) whose schema changed, or that left
    /// the catalog.
    fn compare_with_lock(&mut self, events: &[Event]) {
        let path = self.root.join(lock::LOCK_FILE);
        if !path.is_file() {
            return;
        }
        let Some(file) = self.read_file(&path, None) else {
            return;
        };
        let text = self.sources.get(file).shared_text();
        let locked = match lock::Lock::parse(&text) {
            Ok(l) => l,
            Err(e) => {
                let at = e.span().unwrap_or(0..0);
                self.diags.push(
                    Diagnostic::error(
                        "lock-syntax",
                        format!(
                            "{} is not a lock file: {}",
                            lock::LOCK_FILE,
                            e.message().trim()
                        ),
                    )
                    .at(Span::new(file, at), "here")
                    .with_help("write it again with `evreg lock`"),
                );
                return;
            }
        };
        let by_ref: HashMap<&str, &PayloadVersion> = events
            .iter()
            .flat_map(|e| &e.versions)
            .map(|v| (v.schema_ref.as_str(), v))
            .collect();
        let entries: Vec<(&String, &lock::LockEntry)> = locked.versions.iter().collect();
        // A file that could not be read or parsed hides its versions: they
        // are not removed, and saying so for each would bury the one error
        // that matters.
        let unread = self.diags.iter().any(|d| {
            d.is_error()
                && matches!(
                    d.code,
                    "toml-syntax" | "json-syntax" | "io" | "missing-file"
                )
        });
        // Fingerprints hash every locked schema: on every core.
        let now = prefetch::par_map(&entries, |(r, _)| {
            by_ref
                .get(r.as_str())
                .map(|v| crate::fingerprint::fingerprint(&v.schema))
        });
        for ((schema_ref, entry), now) in entries.into_iter().zip(now) {
            match (by_ref.get(schema_ref.as_str()), now) {
                (Some(v), Some(now)) if now != entry.fingerprint => {
                    let mut d = Diagnostic::error(
                        "released-version-changed",
                        format!(
                            "`{schema_ref}` is released ({}) and its schema changed",
                            lock::LOCK_FILE
                        ),
                    )
                    .at(v.span, "this version");
                    for change in entry.changes(&v.schema) {
                        d = d.with_note(change);
                    }
                    self.diags.push(d.with_help(format!(
                        "publish the change as a new version; to correct a version nobody consumed \
                         yet, run `evreg lock --force {schema_ref}`"
                    )));
                }
                (None, _) if !unread => {
                    let header = format!(
                        "[versions.{}]",
                        serde_json::Value::from(schema_ref.as_str())
                    );
                    let at = text.find(&header).map_or(0..0, |i| i..i + header.len());
                    self.diags.push(
                        Diagnostic::error(
                            "released-version-removed",
                            format!("`{schema_ref}` is released but no longer in the catalog"),
                        )
                        .at(Span::new(file, at), "locked here")
                        .with_help(
                            "released versions stay: restore it, and deprecate the event \
                             (status = \"deprecated\", replaced_by) instead of removing versions",
                        ),
                    );
                }
                _ => {}
            }
        }
    }

    /// Reads a file into the source map, reporting why it cannot be read.
    pub(crate) fn read_file(&mut self, path: &Path, referenced_at: Option<Span>) -> Option<FileId> {
        let text = discover::read_text(path);
        self.add_text(path, text, referenced_at)
    }

    /// Adds a file's text (or reports why it could not be read).
    fn add_text(
        &mut self,
        path: &Path,
        text: Result<discover::Text, discover::ReadError>,
        referenced_at: Option<Span>,
    ) -> Option<FileId> {
        match text {
            Ok(t) => {
                let id = self.sources.add(path.to_path_buf(), t.text);
                if let Some(at) = t.invalid_utf8_at {
                    self.diags.push(
                        Diagnostic::error("not-utf8", "file is not valid UTF-8")
                            .at(Span::new(id, at..at + 1), "invalid byte here"),
                    );
                    return None;
                }
                Some(id)
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "io",
                        format!("cannot read `{}`: {e}", self.sources.display_name(path)),
                    )
                    .at_opt(referenced_at, "referenced here"),
                );
                None
            }
        }
    }

    /// Parses a TOML file, reporting syntax errors. The text is in the source map.
    pub(crate) fn parse_toml<'t>(
        &mut self,
        file: FileId,
        text: &'t str,
    ) -> Option<toml::Spanned<toml::de::DeTable<'t>>> {
        let parsed = parse_toml_text(text);
        self.report_toml(file, parsed)
    }

    /// Reports the problems of a parsed TOML file; the table when there is none.
    pub(crate) fn report_toml<'t>(
        &mut self,
        file: FileId,
        parsed: TomlParse<'t>,
    ) -> Option<toml::Spanned<toml::de::DeTable<'t>>> {
        match parsed {
            Ok(table) => Some(table),
            Err(TomlProblem::TooDeep(offset)) => {
                self.diags.push(
                    Diagnostic::error(
                        "too-deep",
                        format!("TOML nested deeper than {MAX_DEPTH} levels"),
                    )
                    .at(
                        Span::new(file, offset..offset + 1),
                        "nesting limit reached here",
                    ),
                );
                None
            }
            Err(TomlProblem::Syntax(errors)) => {
                for e in errors {
                    let range = e.span().unwrap_or(0..0);
                    self.diags.push(
                        Diagnostic::error(
                            "toml-syntax",
                            format!("TOML syntax: {}", e.message().trim()),
                        )
                        .at(Span::new(file, range), ""),
                    );
                }
                None
            }
        }
    }

    /// Loads (once) the JSON file at `path`, as a document.
    ///
    /// `referenced_at` is where the file was named: a span, or a document and
    /// the pointer of the `$ref` naming it (located only if a problem is reported).
    pub(crate) fn json_file(
        &mut self,
        path: &Path,
        referenced_at: impl Into<RefSite>,
    ) -> Option<DocId> {
        let path = &normalize(path);
        // Keyed by the lexically normalized path: no system call per reference.
        if let Some(id) = self.doc_by_path.get(path) {
            return *id;
        }
        let referenced_at = match referenced_at.into() {
            RefSite::Span(span) => span,
            RefSite::Pointer(doc, pointer) => self.locate(doc, &pointer, Part::Value),
        };
        if let Some(real) = self.outside(path) {
            self.diags.push(
                Diagnostic::error(
                    "outside-catalog",
                    format!(
                        "`{}` is outside the catalog folder; evreg does not read it",
                        real.display()
                    ),
                )
                .at(referenced_at, "named here")
                .with_help(
                    "keep the file under the catalog folder, or name its folder in the manifest: \
                     [schema] folders = [\"../vendor/schemas\"]",
                ),
            );
            self.doc_by_path.insert(path.clone(), None);
            return None;
        }
        let id = self.load_json_file(path, referenced_at);
        self.doc_by_path.insert(path.clone(), id);
        id
    }

    /// Where `path` really is (links followed), when that is outside every
    /// folder the catalog may read; `None` inside one, or when it does not
    /// exist (then reading it says so).
    fn outside(&self, path: &Path) -> Option<PathBuf> {
        let real = path.canonicalize().ok()?;
        (!self.inside.iter().any(|f| real.starts_with(f))).then_some(real)
    }

    fn load_json_file(&mut self, path: &Path, referenced_at: Span) -> Option<DocId> {
        let fetched = self
            .prefetched
            .remove(path)
            .unwrap_or_else(|| prefetch::fetch(path, false, &schema::SchemaRules::default()));
        let (Some(text), true) = (fetched.text, fetched.is_file) else {
            let what = if path.exists() {
                "is not a file"
            } else {
                "does not exist"
            };
            let mut d = Diagnostic::error(
                "missing-file",
                format!("`{}` {what}", self.sources.display_name(path)),
            )
            .at(referenced_at, "referenced here");
            if let Some(meant) = self.file_meant(path, referenced_at) {
                d = d.with_help(format!("did you mean `{meant}`?"));
            }
            self.diags.push(d);
            return None;
        };
        let file = self.add_text(path, text, Some(referenced_at))?;
        let parsed = fetched
            .json
            .unwrap_or_else(|| json::parse(self.sources.get(file).text()));
        let value = match parsed {
            Ok(v) => v,
            Err((message, offset)) => {
                let code = if message.contains("recursion limit") {
                    "too-deep"
                } else {
                    "json-syntax"
                };
                let text = self.sources.get(file).text();
                let d = match json::duplicate_key(text)
                    .filter(|_| message.starts_with("duplicate key"))
                {
                    Some((first, again)) => {
                        Diagnostic::error(code, format!("JSON syntax: {message}"))
                            .at(Span::new(file, again), "again here")
                            .with_label(Span::new(file, first), "first here")
                            .with_help(
                                "a reader keeps one of the two values without a word: remove one",
                            )
                    }
                    None => Diagnostic::error(code, format!("JSON syntax: {message}"))
                        .at(Span::new(file, offset..offset), ""),
                };
                self.diags
                    .push(d.with_label(referenced_at, "file referenced here"));
                return None;
            }
        };
        Some(self.add_doc(Doc {
            value,
            origin: Origin::File(file),
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            file,
            path: path.to_path_buf(),
            schema_checked: false,
            schema_errors: false,
            meta_valid: fetched.meta_valid,
            draft: crate::schema::dialect::Draft::Draft202012,
            recursive: None,
            base: None,
            findings: fetched.findings,
            refs: fetched.refs,
        }))
    }

    /// The file of the same name under the catalog folder that a missing
    /// `path` probably meant (a wrong `../`), as the referencing file would
    /// name it; none when there are none or several.
    fn file_meant(&mut self, path: &Path, referenced_at: Span) -> Option<String> {
        const MAX_FILES: usize = 50_000;
        let name = path.file_name()?.to_owned();
        let root = self.root.clone();
        let by_name = self.by_name.get_or_insert_with(|| {
            let mut by_name: HashMap<std::ffi::OsString, Vec<PathBuf>> = HashMap::new();
            for entry in discover::files_under(&root, MAX_FILES) {
                by_name
                    .entry(entry.file_name().to_owned())
                    .or_default()
                    .push(normalize(entry.path()));
            }
            by_name
        });
        let [only] = by_name.get(&name)?.as_slice() else {
            return None;
        };
        let from = self.sources.get(referenced_at.file).path().parent()?;
        Some(discover::relative_path(&normalize(from), only))
    }

    pub(crate) fn add_doc(&mut self, doc: Doc) -> DocId {
        self.docs.push(doc);
        self.docs.len() - 1
    }

    /// The span of `pointer` in document `doc`.
    pub(crate) fn locate(&self, doc: DocId, pointer: &str, part: Part) -> Span {
        let d = &self.docs[doc];
        d.origin
            .locate(&self.sources, pointer, part)
            .unwrap_or_else(|| Span::new(d.file, 0..0))
    }
}

/// Whether a JSON value holds a `$ref` anywhere.
pub fn contains_ref(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.iter().any(|(k, v)| k == "$ref" || contains_ref(v)),
        Value::Array(a) => a.iter().any(contains_ref),
        _ => false,
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        // `.` and `a/..` are the current folder, not nothing.
        out.push(".");
    }
    out
}

/// Why a TOML text could not be parsed.
pub(crate) enum TomlProblem {
    /// Nested deeper than [`MAX_DEPTH`], at this offset.
    TooDeep(usize),
    /// Syntax errors.
    Syntax(Vec<toml::de::Error>),
}

pub(crate) type TomlParse<'t> = Result<toml::Spanned<toml::de::DeTable<'t>>, TomlProblem>;

/// Parses TOML text (pure; runs on any thread).
pub(crate) fn parse_toml_text(text: &str) -> TomlParse<'_> {
    if let Some(offset) = toml_too_deep(text) {
        return Err(TomlProblem::TooDeep(offset));
    }
    let (table, errors) = toml::de::DeTable::parse_recoverable(text);
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(TomlProblem::Syntax(errors))
    }
}

/// Whether TOML text nests brackets or braces deeper than [`MAX_DEPTH`]; the
/// offset where it does. Strings and comments are skipped.
fn toml_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                let triple = bytes[i..].starts_with(if q == b'"' { b"\"\"\"" } else { b"'''" });
                if triple {
                    i += 3;
                    while i < bytes.len()
                        && !bytes[i..].starts_with(if q == b'"' { b"\"\"\"" } else { b"'''" })
                    {
                        if q == b'"' && bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 2;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                        if q == b'"' && bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}
