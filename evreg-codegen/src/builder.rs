//! [`Builder`]: generate a catalog's Rust module from `build.rs`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use evreg_core::diagnostic::render;
use evreg_core::{Catalog, Diagnostic, SourceMap};

/// Why generation failed.
///
/// It displays with every catalog problem's source snippet, and its `Debug`
/// form is the same text, so a build script that returns it from `main`
/// (or calls `.unwrap()`) prints the snippets and their help, not a struct.
/// Programs that want color or JSON render [`BuildError::Catalog`]'s
/// diagnostics themselves, with [`evreg_core::diagnostic::render`].
#[derive(thiserror::Error)]
pub enum BuildError {
    /// The catalog has errors, or code cannot be generated from it.
    #[error(
        "the catalog in `{}` has {}:\n\n{}",
        .dir.display(),
        evreg_core::naming::count(.diagnostics.iter().filter(|d| d.is_error()).count(), "error", "errors"),
        render::plain(.diagnostics, .sources)
    )]
    Catalog {
        /// The catalog folder.
        dir: PathBuf,
        /// Every problem, errors and warnings, each with its code, message,
        /// locations and help, sorted by file and position.
        diagnostics: Vec<Diagnostic>,
        /// The files the locations point into.
        sources: Arc<SourceMap>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// `OUT_DIR` is not set and no output file was given.
    #[error("OUT_DIR is not set: call Builder::compile from build.rs, or set an output file")]
    NoOutDir,
}

impl BuildError {
    /// The same error with the catalog folder named `dir` (as a user wrote it).
    pub(crate) fn named(self, dir: impl Into<PathBuf>) -> BuildError {
        match self {
            BuildError::Catalog {
                diagnostics,
                sources,
                ..
            } => BuildError::Catalog {
                dir: dir.into(),
                diagnostics,
                sources,
            },
            other => other,
        }
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Generates a catalog's module from `build.rs`, like `prost-build`:
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), evreg_codegen::BuildError> {
///     evreg_codegen::Builder::new("catalog").compile()?;
///     Ok(())
/// }
/// ```
///
/// ```ignore
/// // src/lib.rs
/// pub mod events {
///     include!(concat!(env!("OUT_DIR"), "/events.rs"));
/// }
/// ```
///
/// The output is byte-identical to `evreg generate` and `include_catalog!`.
#[derive(Debug, Clone)]
pub struct Builder {
    catalog: PathBuf,
    out_file: Option<PathBuf>,
    file_name: String,
    cargo_metadata: bool,
}

/// The output of [`Builder::generate`].
#[derive(Debug, Clone)]
pub struct Generated {
    /// The module's source text.
    pub code: String,
    /// Every file the catalog was read from (for rebuild tracking).
    pub files: Vec<PathBuf>,
    /// Where the module keeps a schema as `serde_json::Value` (checked by
    /// `validate()`) because no Rust type holds it exactly.
    pub untyped: Vec<crate::rust::Untyped>,
}

impl Builder {
    /// A builder for the catalog in folder `catalog` (relative paths are from
    /// the current directory, which is the package root in `build.rs`).
    pub fn new(catalog: impl Into<PathBuf>) -> Builder {
        Builder {
            catalog: catalog.into(),
            out_file: None,
            file_name: "events.rs".to_owned(),
            cargo_metadata: true,
        }
    }

    /// The file name written in `OUT_DIR` [default: `events.rs`].
    pub fn file_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.file_name = name.into();
        self
    }

    /// Writes to this path instead of `OUT_DIR`.
    pub fn out_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.out_file = Some(path.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines [default: true].
    pub fn cargo_metadata(&mut self, on: bool) -> &mut Self {
        self.cargo_metadata = on;
        self
    }

    /// Loads the catalog and generates the module (pure: writes nothing).
    pub fn generate(&self) -> Result<Generated, BuildError> {
        generate_dir(&self.catalog)
    }

    /// Generates the module and writes it (only when it changed); returns its path.
    pub fn compile(&self) -> Result<PathBuf, BuildError> {
        let generated = self.generate();
        if self.cargo_metadata {
            // Rerun when anything under the catalog changes, even after an error.
            println!("cargo:rerun-if-changed={}", self.catalog.display());
            if let Ok(g) = &generated {
                for file in &g.files {
                    println!("cargo:rerun-if-changed={}", file.display());
                }
            }
        }
        let generated = generated?;
        let path = match &self.out_file {
            Some(p) => p.clone(),
            None => Path::new(&std::env::var_os("OUT_DIR").ok_or(BuildError::NoOutDir)?)
                .join(&self.file_name),
        };
        crate::output::write_if_changed(&path, &generated.code).map_err(|source| {
            BuildError::Io {
                path: path.clone(),
                source,
            }
        })?;
        Ok(path)
    }
}

/// Loads the catalog in `dir` and generates its module.
pub fn generate_dir(dir: &Path) -> Result<Generated, BuildError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    generate_dir_with_threads(dir, threads)
}

/// [`generate_dir`] on at most `threads` threads (1: the calling thread only).
pub fn generate_dir_with_threads(dir: &Path, threads: usize) -> Result<Generated, BuildError> {
    let (catalog, files) = load_checked(dir)?;
    let (code, untyped) = crate::rust::module(&catalog, threads)
        .map_err(|d| catalog_error(dir, d, catalog.sources()))?;
    Ok(Generated {
        code,
        files,
        untyped,
    })
}

/// The catalog in `dir`, loaded and checked, with every file it read
/// (sorted); or its problems.
pub(crate) fn load_checked(dir: &Path) -> Result<(Catalog, Vec<PathBuf>), BuildError> {
    let report = Catalog::check(dir);
    let mut files: Vec<PathBuf> = report
        .sources
        .files()
        .map(|(_, f)| f.path().to_path_buf())
        .collect();
    files.sort();
    match report.catalog {
        Some(catalog) => Ok((catalog, files)),
        None => Err(BuildError::Catalog {
            dir: dir.to_path_buf(),
            diagnostics: report.diagnostics,
            sources: report.sources,
        }),
    }
}

/// [`BuildError::Catalog`] of problems found after loading (what code
/// generation cannot express).
pub(crate) fn catalog_error(
    dir: &Path,
    diagnostics: Vec<Diagnostic>,
    sources: &Arc<SourceMap>,
) -> BuildError {
    BuildError::Catalog {
        dir: dir.to_path_buf(),
        diagnostics,
        sources: Arc::clone(sources),
    }
}
