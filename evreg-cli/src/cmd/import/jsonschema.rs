//! `evreg import jsonschema DIR`: a folder of JSON Schemas, one per event
//! version, becomes a catalog whose event files name the files where they
//! are (they are never copied or changed).
//!
//! Which files are payloads is what the catalog loader says: a file that a
//! `$ref` of another file reaches is a shared schema, every other one is an
//! event's payload. So the import loads the folder three times through
//! [`Catalog`]: with every file as an event (to learn the shared files and
//! the words that are no keyword), with the payloads only (to validate the
//! examples against), and once written, as `evreg check` does.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evreg_core::catalog::files_under;
use evreg_core::naming::count;
use evreg_core::schema::dialect::Draft;
use evreg_core::{Catalog, Registry};
use heck::ToSnakeCase;
use serde_json::Value;

use super::naming::{self, category_of, human_name, strip_json};
use super::{Entry, Imported, VersionEntry, new_catalog_dir, read_document, unknown_words};
use crate::cmd::CliError;
use crate::opt::{ImportJsonSchemaArgs, Opt, TypesFrom};

/// More files than this under one folder is refused (the loader's own bound).
const MAX_FILES: usize = 100_000;

pub fn run(opt: &Opt, args: &ImportJsonSchemaArgs) -> Result<ExitCode, CliError> {
    let shown = opt.catalog_dir(Some(&args.catalog))?;
    let source = folder(&args.dir)?;
    let examples = args.examples.as_deref().map(folder).transpose()?;
    let dir = new_catalog_dir(&shown)?;
    let schemas = json_files(&source, &[&dir, examples.as_deref().unwrap_or(&dir)])?;
    if schemas.is_empty() {
        return Err(CliError::Usage(format!(
            "`{}` holds no `.json` file",
            args.dir.display()
        )));
    }
    let mut skipped: Vec<(PathBuf, String)> = Vec::new();
    let mut docs: Vec<(PathBuf, Value)> = Vec::new();
    for path in schemas {
        match read_document(&path) {
            Ok(value @ Value::Object(_)) => docs.push((path, value)),
            Ok(_) => skipped.push((path, "not a schema: its root is no JSON object".into())),
            Err(why) => skipped.push((path, why)),
        }
    }
    let mut imported = Imported {
        name: args.name.clone().unwrap_or_else(|| {
            source
                .file_name()
                .map_or_else(|| "events".to_owned(), |n| n.to_string_lossy().into_owned())
        }),
        source: format!(
            "Imported by `evreg import jsonschema {}`: the schema files stay where they are.",
            args.dir.display()
        ),
        folders: [Some(&source), examples.as_ref()]
            .into_iter()
            .flatten()
            .filter(|f| !f.starts_with(&dir))
            .filter(|f| *f == &source || !f.starts_with(&source))
            .cloned()
            .collect(),
        ..Imported::default()
    };

    // Pass 1: every file an event, to learn what the loader finds shared.
    imported.events = docs
        .iter()
        .enumerate()
        .map(|(i, (path, _))| Entry {
            event_type: format!("IMPORTED_{}", i + 1),
            name: "imported".into(),
            description: "imported".into(),
            category: "imported".into(),
            owner: None,
            status: None,
            replaced_by: None,
            aliases: Vec::new(),
            versions: vec![VersionEntry {
                version: 1,
                schema: path.clone(),
                examples: Vec::new(),
            }],
        })
        .collect();
    let mut written = Vec::new();
    imported.write(&dir, &mut written)?;
    let trial = Catalog::check_schemas(&dir);
    let shared: HashSet<&Path> = trial.shared_files.iter().map(PathBuf::as_path).collect();
    imported.annotations = unknown_words(&trial);

    // Pass 2: the payloads, named.
    let payloads: Vec<&(PathBuf, Value)> = docs
        .iter()
        .filter(|(path, _)| !shared.contains(path.as_path()))
        .collect();
    let (events, unmapped) = name_events(&source, &payloads, args.types);
    skipped.extend(unmapped);
    imported.events = events;
    imported.write(&dir, &mut written)?;

    let mut unmatched = Vec::new();
    let mut matched = 0;
    if let Some(examples) = &examples {
        let files = json_files(examples, &[&dir])?;
        // Breaks between imported versions are the final check's to report.
        let loaded = Catalog::check_ignoring_history(&dir).catalog;
        let registry = loaded.as_ref().map(|c| (c, Registry::from_catalog(c)));
        for file in files {
            match match_example(
                &source,
                examples,
                &file,
                &imported.events,
                registry.as_ref(),
            ) {
                Ok((event, version)) => {
                    imported.events[event].versions[version].examples.push(file);
                    matched += 1;
                }
                Err(why) => unmatched.push((file, why)),
            }
        }
        imported.write(&dir, &mut written)?;
    }

    // What the import did, then the check of its result.
    let versions: usize = imported.events.iter().map(|e| e.versions.len()).sum();
    eprintln!(
        "read {} under `{}`: {} ({}), {} (reached by `$ref`)",
        count(docs.len(), "schema file", "schema files"),
        args.dir.display(),
        count(versions, "payload schema", "payload schemas"),
        count(imported.events.len(), "event", "events"),
        count(shared.len(), "shared schema", "shared schemas"),
    );
    if !imported.annotations.is_empty() {
        eprintln!(
            "declared as annotations (words that are no JSON Schema keyword): {}",
            imported.annotations.join(", ")
        );
    }
    if examples.is_some() {
        eprintln!(
            "matched {} to schemas",
            count(matched, "example", "examples")
        );
    }
    for (path, why) in &skipped {
        eprintln!("warning: not imported: {}: {why}", path.display());
    }
    for (path, why) in &unmatched {
        eprintln!("warning: example not matched: {}: {why}", path.display());
    }
    let code = super::report(opt, &dir, &shown);
    if code == ExitCode::SUCCESS && !(skipped.is_empty() && unmatched.is_empty()) {
        eprintln!(
            "{} could not be mapped (warnings above)",
            count(skipped.len() + unmatched.len(), "file", "files")
        );
    }
    Ok(code)
}

/// A folder given on the command line, canonical.
fn folder(path: &Path) -> Result<PathBuf, CliError> {
    if !path.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is not a folder",
            path.display()
        )));
    }
    Ok(path.canonicalize()?)
}

/// The `.json` files under `dir`, sorted, those under `except` left out.
fn json_files(dir: &Path, except: &[&Path]) -> Result<Vec<PathBuf>, CliError> {
    let mut files: Vec<PathBuf> = files_under(dir, MAX_FILES + 1)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        })
        .filter(|p| !except.iter().any(|e| p.starts_with(e)))
        .collect();
    if files.len() > MAX_FILES {
        return Err(CliError::Usage(format!(
            "`{}` holds more than {MAX_FILES} files",
            dir.display()
        )));
    }
    files.sort();
    Ok(files)
}

/// The events of the payload files, named as `types` says, and the files
/// that could not be named (or name a version taken already).
fn name_events(
    source: &Path,
    payloads: &[&(PathBuf, Value)],
    types: TypesFrom,
) -> (Vec<Entry>, Vec<(PathBuf, String)>) {
    let ids: Vec<Option<Vec<String>>> = payloads
        .iter()
        .map(|(_, value)| {
            let key = Draft::of(value, Draft::Draft202012)
                .unwrap_or(Draft::Draft202012)
                .id_keyword();
            value[key].as_str().map(naming::id_segments)
        })
        .collect();
    // What every `$id` starts with (`schemas/` of `https://example.org/schemas/…`).
    let common = ids
        .iter()
        .flatten()
        .map(|s| &s[..s.len().saturating_sub(1)])
        .reduce(|a, b| {
            let n = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            &a[..n]
        })
        .map_or(0, <[String]>::len);
    let mut unmapped = Vec::new();
    let mut by_type: BTreeMap<String, BTreeMap<u32, (PathBuf, &Value)>> = BTreeMap::new();
    for ((path, value), id) in payloads.iter().zip(&ids) {
        let named = match types {
            TypesFrom::Path => {
                let rel = path.strip_prefix(source).unwrap_or(path);
                let mut segments: Vec<String> = rel
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if let Some(last) = segments.last_mut() {
                    *last = strip_json(last).to_owned();
                }
                naming::type_from_segments(&segments)
            }
            TypesFrom::Title => match value["title"].as_str() {
                Some(title) => naming::type_from_title(title),
                None => Err("it has no `title` (--types title)".to_owned()),
            },
            TypesFrom::Id => match id {
                Some(segments) => naming::type_from_segments(&segments[common..]),
                None => Err("it has no `$id` (--types id)".to_owned()),
            },
        };
        let (event_type, version) = match named {
            Ok(named) => named,
            Err(why) => {
                unmapped.push((path.clone(), why));
                continue;
            }
        };
        let versions = by_type.entry(event_type.clone()).or_default();
        if let Some((other, _)) = versions.get(&version) {
            unmapped.push((
                path.clone(),
                format!("`{event_type}` v{version} is `{}` already", other.display()),
            ));
            continue;
        }
        versions.insert(version, (path.clone(), value));
    }
    let events = by_type
        .into_iter()
        .map(|(event_type, versions)| {
            let (_, latest) = versions.values().next_back().expect("one version at least");
            let text = |key: &str| super::text(latest, key);
            let name = text("title")
                .map(|t| naming::split_version(&t).0.to_owned())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| human_name(&event_type));
            Entry {
                description: text("description").unwrap_or_else(|| format!("{name}.")),
                name,
                category: category_of(&event_type),
                owner: None,
                status: None,
                replaced_by: None,
                aliases: Vec::new(),
                versions: versions
                    .into_iter()
                    .map(|(version, (schema, _))| VersionEntry {
                        version,
                        schema,
                        examples: Vec::new(),
                    })
                    .collect(),
                event_type,
            }
        })
        .collect();
    (events, unmapped)
}

/// The event and version an example belongs to: among the schemas of the
/// folder mirroring the example's (all, when none does), those its name
/// names (`opened.with-label.payload.json` → `opened`), then its version
/// (`….v2.json`); when more than one is left, the one it validates against.
fn match_example(
    source: &Path,
    examples: &Path,
    file: &Path,
    events: &[Entry],
    registry: Option<&(&Catalog, Registry)>,
) -> Result<(usize, usize), String> {
    let rel = file.strip_prefix(examples).unwrap_or(file);
    let folder = rel.parent().unwrap_or(Path::new(""));
    let file_name = rel.file_name().unwrap_or_default().to_string_lossy();
    let first = file_name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_snake_case();
    let (_, own_version) = naming::split_version(strip_json(&file_name));
    let all: Vec<(usize, usize, &VersionEntry)> = events
        .iter()
        .enumerate()
        .flat_map(|(e, event)| {
            event
                .versions
                .iter()
                .enumerate()
                .map(move |(v, version)| (e, v, version))
        })
        .collect();
    let schema_folder = |v: &VersionEntry| {
        v.schema
            .strip_prefix(source)
            .ok()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    };
    let stem = |v: &VersionEntry| {
        let name = v.schema.file_name().unwrap_or_default().to_string_lossy();
        naming::split_version(strip_json(&name)).0.to_snake_case()
    };
    let mut candidates: Vec<_> = all
        .iter()
        .filter(|(_, _, v)| schema_folder(v).as_deref() == Some(folder))
        .copied()
        .collect();
    if candidates.is_empty() {
        candidates = all;
    }
    let narrow = |candidates: &mut Vec<(usize, usize, &VersionEntry)>,
                  keep: &dyn Fn(&(usize, usize, &VersionEntry)) -> bool| {
        let kept: Vec<_> = candidates.iter().filter(|c| keep(c)).copied().collect();
        if !kept.is_empty() {
            *candidates = kept;
        }
    };
    narrow(&mut candidates, &|(_, _, v)| stem(v) == first);
    if let Some(n) = own_version {
        narrow(&mut candidates, &|(_, _, v)| v.version == n);
    }
    if let [(e, v, _)] = candidates.as_slice() {
        return Ok((*e, *v));
    }
    let Some((catalog, registry)) = registry else {
        return Err(format!(
            "{} schemas could take it, and the catalog has errors, so it was not validated against them",
            candidates.len()
        ));
    };
    let payload = read_document(file)?;
    let accepting: Vec<_> = candidates
        .iter()
        .filter(|(e, v, _)| {
            let event = &events[*e];
            catalog
                .event(&event.event_type)
                .and_then(|found| found.version(event.versions[*v].version))
                .is_some_and(|found| registry.validate(&found.schema_ref, &payload).is_ok())
        })
        .collect();
    let names = |list: &mut dyn Iterator<Item = &(usize, usize, &VersionEntry)>| {
        list.map(|(e, _, v)| format!("`{}` v{}", events[*e].event_type, v.version))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match accepting.as_slice() {
        [(e, v, _)] => Ok((*e, *v)),
        [] => Err(format!(
            "it validates against none of {}",
            names(&mut candidates.iter())
        )),
        several => Err(format!(
            "it validates against {}: name it after one",
            names(&mut several.iter().copied())
        )),
    }
}
