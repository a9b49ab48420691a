//! Finding and reading a catalog's files.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};

use super::keys::MANIFEST_FILE;

/// Files larger than this are refused (a catalog file is hand-written text).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Every event file (`*.toml` other than the manifest) under `root`, sorted.
///
/// Hidden entries (`.git`, `.cache`) and `target` folders are skipped. Symbolic
/// links are followed while they stay inside `inside` (the catalog folder
/// and the folders its manifest names, canonical); one that leads elsewhere
/// (a link to `/`) is reported and not followed, and so are a link loop and
/// an unreadable folder.
pub(crate) fn event_files(
    root: &Path,
    inside: &[PathBuf],
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let manifest = root.join(MANIFEST_FILE);
    let mut leaving = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if name.starts_with('.') || (name == "target" && e.file_type().is_dir()) {
                return false;
            }
            if e.path_is_symlink()
                && let Ok(real) = e.path().canonicalize()
                && !inside.iter().any(|f| real.starts_with(f))
            {
                leaving.push((e.path().to_path_buf(), real));
                return false;
            }
            true
        });
    let mut files = Vec::new();
    for entry in walker {
        match entry {
            Ok(e) => {
                let path = e.path();
                if e.file_type().is_file()
                    && path.extension().is_some_and(|x| x == "toml")
                    && path != manifest
                {
                    files.push(path.to_path_buf());
                }
            }
            Err(err) => {
                let path = err
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                let message = if let Some(ancestor) = err.loop_ancestor() {
                    format!(
                        "symbolic link loop: `{path}` leads back to `{}`",
                        ancestor.display()
                    )
                } else {
                    format!("cannot read `{path}`: {}", io_message(&err))
                };
                let at = err.path().unwrap_or(root);
                diags.push(Diagnostic::error("io", message).with_note(at_path(root, at)));
            }
        }
    }
    for (link, real) in leaving {
        diags.push(
            Diagnostic::error(
                "outside-catalog",
                format!(
                    "symbolic link `{}` leads outside the catalog folder, to `{}`; evreg does not follow it",
                    link.display(),
                    real.display()
                ),
            )
            .with_note(at_path(root, &link))
            .with_help("remove the link, or name its target in the manifest: [schema] folders = [\"…\"]"),
        );
    }
    files
}

/// Where a problem with no line is: `at FOLDER/…`, named from the catalog
/// folder's parent as snippets name their files.
fn at_path(root: &Path, path: &Path) -> String {
    let base = root.parent().unwrap_or(root);
    format!("at {}", path.strip_prefix(base).unwrap_or(path).display())
}

/// The regular files under the catalog folder `root`, at most `max`, 16
/// folders deep, hidden entries, `target` and `node_modules` skipped: what
/// the lookups that search the folder (an unknown `$id`, a missing file's
/// namesake) read.
pub fn files_under(root: &Path, max: usize) -> impl Iterator<Item = walkdir::DirEntry> {
    walkdir::WalkDir::new(root)
        .max_depth(16)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || name == "target" || name == "node_modules")
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .take(max)
}

/// `to` as a path relative to the folder `from` (both normalized, in the
/// same form), with `/`: how a file names another.
pub fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn io_message(err: &walkdir::Error) -> String {
    err.io_error()
        .map_or_else(|| err.to_string(), |e| e.to_string())
}

/// Why a file could not be read as text.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The operating system refused.
    Io(std::io::Error),
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge(n) => write!(
                f,
                "file is {n} bytes; catalog files are limited to {MAX_FILE_BYTES} bytes"
            ),
        }
    }
}

/// A file's text with the byte offset of its first invalid UTF-8 byte, if any.
pub(crate) struct Text {
    pub text: String,
    pub invalid_utf8_at: Option<usize>,
}

/// Reads a file as text: a byte order mark is dropped; invalid UTF-8 is decoded
/// lossily and its first offset reported.
pub(crate) fn read_text(path: &Path) -> Result<Text, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Text {
            text,
            invalid_utf8_at: None,
        },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Text {
                text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                invalid_utf8_at: Some(at),
            }
        }
    })
}
