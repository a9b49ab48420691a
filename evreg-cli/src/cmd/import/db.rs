//! `evreg import db URL`: the catalog tables `evreg migrate` writes (one
//! row per event type, one per payload version), read back from a live
//! PostgreSQL or SQLite database into a catalog folder, so that `evreg
//! migrate --check` on it finds no drift.
//!
//! Each version's stored schema (bundled, base fields merged) becomes its
//! schema file, its stored examples example files. Events that left their
//! catalog (deprecated with no replacement, as `evreg migrate` leaves them)
//! are not imported, and are counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use evreg_core::catalog::SqlOptions;
use evreg_core::naming::{count, pascal_name};
use heck::ToKebabCase;

use super::{Entry, Imported, VersionEntry, new_catalog_dir, pretty};
use crate::cmd::CliError;
use crate::db::Database;
use crate::opt::{ImportDbArgs, Opt};

pub fn run(opt: &Opt, args: &ImportDbArgs) -> Result<ExitCode, CliError> {
    for table in [&args.table, &args.schema_table] {
        if !evreg_core::sql::is_identifier(table) {
            return Err(CliError::Usage(format!(
                "`{table}` is not a table name: ASCII letters, digits and `_`, as `table` or `schema.table`"
            )));
        }
    }
    let shown = opt.catalog_dir(Some(&args.catalog))?;
    if shown.join("catalog.toml").exists() {
        new_catalog_dir(&shown)?;
    }
    let url = &args.url;
    let read = Database::connect(url)
        .and_then(|mut db| db.stored(&args.table, &args.schema_table))
        .map_err(|e| e.at(url));
    let (events, schemas) = match read {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let catalogs: BTreeSet<&str> = events.iter().map(|e| e.catalog.as_str()).collect();
    let name = match (&args.name, catalogs.len()) {
        (Some(name), _) if catalogs.contains(name.as_str()) => name.clone(),
        (None, 1) => catalogs
            .first()
            .map(|n| (*n).to_owned())
            .unwrap_or_default(),
        (_, 0) => {
            return Err(CliError::Usage(format!("`{}` holds no event", args.table)));
        }
        (given, _) => {
            let list: Vec<String> = catalogs.iter().map(|c| format!("`{c}`")).collect();
            return Err(CliError::Usage(
                format!(
                    "{} `{}` holds the rows of {}: name one with --name",
                    if given.is_some() {
                        "no such catalog;"
                    } else {
                        ""
                    },
                    args.table,
                    list.join(", ")
                )
                .trim_start()
                .to_owned(),
            ));
        }
    };
    let dir = new_catalog_dir(&shown)?;

    let mut versions: BTreeMap<&str, Vec<&crate::db::StoredSchema>> = BTreeMap::new();
    for schema in schemas.iter().filter(|s| s.catalog == name) {
        versions.entry(&schema.event_type).or_default().push(schema);
    }
    let mut imported = Imported {
        source: format!("Imported by `evreg import db` from `{}`.", args.table),
        name: name.clone(),
        sql: (SqlOptions::default()
            != SqlOptions {
                table: args.table.clone(),
                schema_table: args.schema_table.clone(),
            })
        .then(|| (args.table.clone(), args.schema_table.clone())),
        ..Imported::default()
    };
    let mut left = 0;
    let mut problems = Vec::new();
    let mut rows: Vec<_> = events.iter().filter(|e| e.catalog == name).collect();
    rows.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    for row in rows {
        if row.status == "deprecated" && row.replaced_by.is_none() {
            left += 1;
            continue;
        }
        let Some(stored) = versions.remove(row.event_type.as_str()) else {
            problems.push(format!(
                "`{}` has no row in `{}`: not imported",
                row.event_type, args.schema_table
            ));
            continue;
        };
        let stem = pascal_name(&row.event_type).to_kebab_case();
        let mut entry = Entry {
            event_type: row.event_type.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            category: row.category.clone(),
            owner: row.owner.clone(),
            status: (row.status != "active").then(|| row.status.clone()),
            replaced_by: row.replaced_by.clone(),
            aliases: serde_json::from_value(row.aliases.clone()).unwrap_or_default(),
            versions: Vec::new(),
        };
        for schema in stored {
            let n = schema.version;
            let file = PathBuf::from(format!("schemas/{stem}.v{n}.json"));
            imported.files.insert(file.clone(), pretty(&schema.schema));
            let mut examples = Vec::new();
            for (i, example) in schema.examples.iter().enumerate() {
                let name = match i {
                    0 => format!("examples/{stem}.v{n}.json"),
                    i => format!("examples/{stem}.v{n}.{}.json", i + 1),
                };
                imported.files.insert(PathBuf::from(&name), pretty(example));
                examples.push(dir.join(name));
            }
            entry.versions.push(VersionEntry {
                version: n,
                schema: dir.join(file),
                examples,
            });
        }
        imported.events.push(entry);
    }
    let orphans: usize = versions
        .into_iter()
        .filter(|(ty, _)| {
            !events
                .iter()
                .any(|e| e.catalog == name && e.event_type == *ty)
        })
        .map(|(_, v)| v.len())
        .sum();
    let mut written = Vec::new();
    imported.write(&dir, &mut written)?;

    let version_count: usize = imported.events.iter().map(|e| e.versions.len()).sum();
    eprintln!(
        "read `{name}` from `{}` and `{}`: {}, {}",
        args.table,
        args.schema_table,
        count(imported.events.len(), "event", "events"),
        count(version_count, "version", "versions"),
    );
    if left > 0 {
        eprintln!(
            "{} that left the catalog (deprecated, with no replacement) not imported",
            count(left, "event", "events")
        );
    }
    if orphans > 0 {
        problems.push(format!(
            "{} of `{}` belong to no event of `{}`: not imported",
            count(orphans, "row", "rows"),
            args.schema_table,
            args.table
        ));
    }
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    Ok(super::report(opt, &dir, &shown))
}
