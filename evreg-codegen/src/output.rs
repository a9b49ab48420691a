//! Writing generated files: only when they changed, and checking a
//! checked-in file for drift.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `contents` to `path` unless the file already holds exactly that
/// (so build systems and editors see no change). Returns whether it wrote.
///
/// The write is atomic: the contents go to a new file in the same folder,
/// which then replaces `path` (a rename). A reader (a compiler, an editor, a
/// second `evreg` run) sees the old file or the new one, never half of one,
/// and an interrupted run leaves the old file in place.
pub fn write_if_changed(path: &Path, contents: &str) -> io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => {
            std::fs::create_dir_all(parent)?;
            parent
        }
        None => Path::new("."),
    };
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let (temp, mut file) = temporary(dir, path)?;
    let written = file
        .write_all(contents.as_bytes())
        .and_then(|()| match existing {
            Some(permissions) => file.set_permissions(permissions),
            None => Ok(()),
        })
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(true)
}

/// A new file beside `path`, named `.evreg-<name>.<pid>.<n>.tmp`, that no
/// other writer has: `create_new` fails rather than reuse one. It gets the
/// mode of a plain new file (0666 less the umask), not a private one.
fn temporary(dir: &Path, path: &Path) -> io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".evreg-{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            // Left behind by a process of the same id that was killed.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// How a checked-in file differs from what the catalog generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file does not exist.
    Missing,
    /// The file differs; a unified diff from the file to the expected contents.
    Stale(String),
}

/// `None` when `path` holds exactly `expected`, else how it drifted.
pub fn drift(path: &Path, expected: &str) -> io::Result<Option<Drift>> {
    let actual = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(Drift::Missing)),
        Err(e) => return Err(e),
    };
    if actual == expected {
        return Ok(None);
    }
    let name = path.display().to_string();
    let diff = similar::TextDiff::from_lines(actual.as_str(), expected)
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (generated)"))
        .to_string();
    Ok(Some(Drift::Stale(diff)))
}

/// One file of a generated folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name in the folder (`payload.TicketCreated.v1.json`).
    pub name: String,
    /// Its text.
    pub contents: String,
}

/// Writes each of `files` into `dir` with [`write_if_changed`]; returns
/// the names of those it wrote.
pub fn write_dir(dir: &Path, files: &[File]) -> io::Result<Vec<String>> {
    let mut wrote = Vec::new();
    for file in files {
        let path = dir.join(&file.name);
        if write_if_changed(&path, &file.contents)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?
        {
            wrote.push(file.name.clone());
        }
    }
    Ok(wrote)
}

/// The files of `dir` that are not what `files` holds, each with how it
/// drifted, in the order of `files`.
pub fn drift_dir(dir: &Path, files: &[File]) -> io::Result<Vec<(PathBuf, Drift)>> {
    let mut drifted = Vec::new();
    for file in files {
        let path = dir.join(&file.name);
        if let Some(d) = drift(&path, &file.contents)? {
            drifted.push((path, d));
        }
    }
    Ok(drifted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_changes_and_reports_drift() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/gen.rs");
        assert_eq!(drift(&file, "a\n").unwrap(), Some(Drift::Missing));
        assert!(write_if_changed(&file, "a\nb\n").unwrap());
        assert!(!write_if_changed(&file, "a\nb\n").unwrap());
        assert_eq!(drift(&file, "a\nb\n").unwrap(), None);
        let Some(Drift::Stale(diff)) = drift(&file, "a\nc\n").unwrap() else {
            panic!("expected drift")
        };
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }

    #[test]
    fn writes_atomically_with_the_modes_of_a_plain_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gen.rs");
        assert!(write_if_changed(&file, "one\n").unwrap());
        assert!(write_if_changed(&file, "two\n").unwrap());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "two\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["gen.rs"], "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let plain = dir.path().join("plain");
            std::fs::write(&plain, "").unwrap();
            assert_eq!(
                mode(&file),
                mode(&plain),
                "not the 0600 of a temporary file"
            );
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
            assert!(write_if_changed(&file, "three\n").unwrap());
            assert_eq!(mode(&file), 0o640, "the replaced file's mode is kept");
        }
    }
}
