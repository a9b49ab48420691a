//! A catalog of one event with one version, written to a folder, for the
//! integration tests of schema reading.

use std::fs;
use std::path::Path;

/// Writes `catalog.toml` (`manifest`), `events/events.toml` with the event
/// `event_type` whose version 1 says `version` (TOML lines: `schema = …`,
/// `examples = […]`), and `files` (path under `dir`, text).
pub fn one_event(
    dir: &Path,
    manifest: &str,
    event_type: &str,
    version: &str,
    files: &[(&str, String)],
) {
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::write(dir.join("catalog.toml"), manifest).unwrap();
    fs::write(
        dir.join("events/events.toml"),
        format!(
            "[[events]]\ntype = \"{event_type}\"\nname = \"{event_type}\"\ndescription = \"A test event.\"\ncategory = \"tests\"\n\n[[events.versions]]\nversion = 1\n{version}\n"
        ),
    )
    .unwrap();
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}
