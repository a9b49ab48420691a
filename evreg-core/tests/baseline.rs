//! The old side of a diff read only where it differs ([`Baseline`]) gives
//! exactly the changes of the whole old catalog: for random combinations of
//! edits to a copy of the shipped catalog, `diff_baseline` equals `diff`,
//! and the whole old catalog is read only when a shared file changed.

use std::path::{Path, PathBuf};

use evreg_core::Catalog;
use evreg_core::diff::{Baseline, diff, diff_baseline};
use proptest::prelude::*;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

/// Every `*.v1.json` schema of the shipped catalog, sorted.
fn v1_schemas(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("schemas")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".v1.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone)]
struct Edits {
    /// v1 schemas (by index) that gain an optional property.
    schemas: Vec<usize>,
    /// Events appended to `tickets.toml`.
    added_event: bool,
    /// The last event of `academy.toml` dropped.
    removed_event: bool,
    /// `hr.toml` renamed to `people.toml`.
    renamed_file: bool,
    /// An example file changed (not part of any schema).
    example: bool,
    /// A shared definition used by many payloads (`Money`) changed.
    definitions: bool,
    /// The manifest changed.
    manifest: bool,
}

fn apply(root: &Path, e: &Edits) {
    let schemas = v1_schemas(root);
    // Each file once: a property added twice would be a duplicate key,
    // which the loader refuses.
    let mut files: Vec<usize> = e.schemas.iter().map(|i| i % schemas.len()).collect();
    files.sort_unstable();
    files.dedup();
    for i in files {
        edit(&schemas[i], |t| {
            t.replacen(
                "\"properties\": {",
                "\"properties\": {\n    \"addedInDiff\": { \"type\": \"string\" },",
                1,
            )
        });
    }
    if e.added_event {
        edit(&root.join("events/tickets.toml"), |t| {
            t + "\n[[events]]\ntype = \"ticket.archived_in_diff\"\nname = \"Archived\"\n\
                 description = \"d\"\ncategory = \"tickets\"\nowner = \"support\"\n\n\
                 [[events.versions]]\nversion = 1\n\
                 schema = { type = \"object\", properties = { ticketId = { type = \"string\" } } }\n\
                 examples = [{ tenantId = \"2d092d56-a08b-491a-b7ee-f72fd608b510\", occurredAt = \"2026-12-27T04:00:09Z\", ticketId = \"t\" }]\n"
        });
    }
    if e.removed_event {
        edit(&root.join("events/academy.toml"), |t| {
            let last = t.rfind("[[events]]").unwrap();
            t[..last].to_owned()
        });
    }
    if e.renamed_file {
        std::fs::rename(root.join("events/hr.toml"), root.join("events/people.toml")).unwrap();
    }
    if e.example {
        edit(
            &root.join("examples/academy/academy-enrolled.v1.json"),
            |t| t.replacen('{', "{\n  \"note\": \"changed\",", 1),
        );
    }
    if e.definitions {
        edit(&root.join("schemas/common.json"), |t| {
            t.replacen("\"^[A-Z]{3}$\"", "\"^[A-Z]{3}(-[A-Z]+)?$\"", 1)
        });
    }
    if e.manifest {
        edit(&root.join("catalog.toml"), |t| t + "\n# changed\n");
    }
}

fn edits() -> impl Strategy<Value = Edits> {
    (
        proptest::collection::vec(0usize..1000, 0..4),
        any::<[bool; 6]>(),
    )
        .prop_map(|(schemas, b)| Edits {
            schemas,
            added_event: b[0],
            removed_event: b[1],
            renamed_file: b[2],
            example: b[3],
            definitions: b[4] && b[5],
            manifest: b[5] && !b[4],
        })
}

/// Loads `new`, then compares the partial and the whole old side.
fn check(old: &Path, new: &Path) -> (bool, usize) {
    let report = Catalog::check_schemas(new);
    let new = report.catalog.unwrap_or_else(|| {
        panic!(
            "the edited catalog loads: {:?}",
            report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| &d.message)
                .collect::<Vec<_>>()
        )
    });
    let whole = Catalog::check_schemas(old)
        .catalog
        .expect("the old catalog loads");
    let baseline = Baseline::load(old, &new).expect("the baseline loads");
    let expected = diff(&whole, &new);
    assert_eq!(diff_baseline(&baseline, &new), expected);
    (baseline.is_partial(), expected.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn partial_old_side_gives_the_whole_diff(e in edits()) {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
        copy_dir(&shipped(), &old);
        copy_dir(&shipped(), &new);
        apply(&new, &e);
        let (partial, _) = check(&old, &new);
        prop_assert_eq!(partial, !(e.definitions || e.manifest));
        // And the other way round: the edits undone.
        let (partial, _) = check(&new, &old);
        prop_assert_eq!(partial, !(e.definitions || e.manifest));
    }
}

#[test]
fn an_identical_copy_reads_no_event_file() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    copy_dir(&shipped(), &old);
    let new = Catalog::check_schemas(shipped()).catalog.unwrap();
    let baseline = Baseline::load(&old, &new).unwrap();
    assert!(baseline.is_partial());
    assert!(baseline.catalog().events().is_empty());
    assert_eq!(baseline.unchanged().len(), new.events().len());
    assert!(diff_baseline(&baseline, &new).is_empty());
}

#[test]
fn a_changed_schema_reads_only_its_event_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    copy_dir(&shipped(), &old);
    copy_dir(&shipped(), &new);
    apply(
        &new,
        &Edits {
            schemas: vec![0],
            added_event: false,
            removed_event: false,
            renamed_file: false,
            example: false,
            definitions: false,
            manifest: false,
        },
    );
    let catalog = Catalog::check_schemas(&new).catalog.unwrap();
    let baseline = Baseline::load(&old, &catalog).unwrap();
    let changes = diff_baseline(&baseline, &catalog);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, "version-changed");
    // The old side holds the events of that one file.
    let file = baseline.catalog().events()[0].span.file;
    assert!(
        baseline
            .catalog()
            .events()
            .iter()
            .all(|e| e.span.file == file)
    );
    assert!(baseline.catalog().events().len() < catalog.events().len() / 4);
}
