//! Writing generated files: only when they changed, and checking a
//! checked-in file for drift.

use std::io;
use std::path::Path;

/// Writes `contents` to `path` unless the file already holds exactly that
/// (so build systems and editors see no change). Returns whether it wrote.
pub fn write_if_changed(path: &Path, contents: &str) -> io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)?;
    Ok(true)
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
}
