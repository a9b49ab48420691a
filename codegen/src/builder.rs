//! [`Builder`]: generate a catalog's Rust module from `build.rs`.

use std::path::{Path, PathBuf};

use evreg::Catalog;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The catalog has errors (each with its location).
    #[error("the catalog in `{}` has {} error(s):\n{}", .dir.display(), .count, .rendered)]
    Catalog {
        /// The catalog folder.
        dir: PathBuf,
        /// How many errors.
        count: usize,
        /// The errors, one per line with file:line:col.
        rendered: String,
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

/// Generates a catalog's module from `build.rs`, like `prost-build`:
///
/// ```no_run
/// // build.rs, in `fn main()`:
/// evreg_codegen::Builder::new("catalog").compile().unwrap();
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
    let code = crate::rust::generate_with_threads(&catalog, threads)
        .map_err(|d| catalog_error(dir, &d, catalog.sources()))?;
    Ok(Generated { code, files })
}

/// The catalog in `dir`, loaded and checked, with every file it read
/// (sorted); or its errors, rendered with their locations.
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
        None => Err(catalog_error(dir, &report.diagnostics, &report.sources)),
    }
}

/// [`BuildError::Catalog`] of the errors among `diagnostics`.
pub(crate) fn catalog_error(
    dir: &Path,
    diagnostics: &[evreg::Diagnostic],
    sources: &evreg::SourceMap,
) -> BuildError {
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    BuildError::Catalog {
        dir: dir.to_path_buf(),
        count: errors.len(),
        rendered: errors
            .iter()
            .map(|d| d.display(sources).to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}
