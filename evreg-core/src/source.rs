//! The files a catalog was read from, and byte spans into them.
//!
//! Every diagnostic points into a [`SourceMap`] with a [`Span`]; line and column
//! numbers are computed only when a diagnostic is shown.

use std::path::{Path, PathBuf};

/// Identifies one file of a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

impl FileId {
    /// The index of the file in its [`SourceMap`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span over `range` in `file`.
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Self {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }

    /// The span's byte range.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// One file read while loading a catalog.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    display: String,
    text: std::sync::Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// The path the file was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path as shown in diagnostics (relative to the catalog's parent folder where possible).
    pub fn name(&self) -> &str {
        &self.display
    }

    /// The file's text (lossily decoded when it was not UTF-8, byte order mark removed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The file's text, shared.
    pub fn shared_text(&self) -> std::sync::Arc<str> {
        self.text.clone()
    }

    /// Byte offsets of the start of each line.
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        };
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (line + 1, column + 1)
    }
}

/// All files read while loading a catalog.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    root: Option<PathBuf>,
}

impl SourceMap {
    /// An empty map whose file names are shown relative to `root`.
    pub fn new(root: Option<PathBuf>) -> Self {
        SourceMap {
            files: Vec::new(),
            root,
        }
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let display = self.display_name(&path);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(SourceFile {
            path,
            display,
            text: text.into(),
            line_starts,
        });
        id
    }

    /// How a path is shown in messages: relative to the catalog's parent folder
    /// when it is inside it.
    pub fn display_name(&self, path: &Path) -> String {
        let shown = self
            .root
            .as_deref()
            .and_then(|root| path.strip_prefix(root).ok())
            .unwrap_or(path);
        shown.to_string_lossy().replace('\\', "/")
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// Every file, in the order they were read.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The id of a file already read from `path`.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }
}
