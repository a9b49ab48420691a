//! `evreg lock`: records every payload version of the catalog in
//! `catalog.lock` as released. Versions already locked keep their entry; one
//! whose schema changed is refused unless named with `--force`.

use std::process::ExitCode;

use evreg_core::Catalog;
use evreg_core::catalog::lock::{LOCK_FILE, Lock, LockEntry};

use crate::opt::{LockArgs, Opt};

pub fn run(opt: &Opt, args: &LockArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::loaded(opt, &dir, Catalog::check_ignoring_history(&dir)) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let old = match Lock::read(&dir) {
        Ok(lock) => lock.unwrap_or_default(),
        Err(e) => {
            eprintln!("error: {e}; remove it and run `evreg lock` to write it again");
            return Ok(ExitCode::from(1));
        }
    };
    for r in &args.force {
        if catalog.version_by_ref(r).is_none() {
            eprintln!("error: --force {r}: the catalog has no payload version `{r}`");
            return Ok(ExitCode::from(2));
        }
    }
    let mut new = old.clone();
    let (mut added, mut forced, mut refused) = (0, 0, 0);
    for (_, version) in catalog.versions() {
        let mut entry = LockEntry::of(&version.schema);
        let r = &version.schema_ref;
        match old.versions.get(r) {
            None => added += 1,
            Some(locked) if locked.fingerprint == entry.fingerprint => {
                // Same schema: the same id; refresh the descriptive digests.
                entry.id = locked.id;
            }
            Some(locked) if args.force.contains(r) => {
                forced += 1;
                eprintln!(
                    "re-locked `{r}`: {}",
                    locked.changes(&version.schema).join("; ")
                );
            }
            Some(locked) => {
                refused += 1;
                eprintln!(
                    "error: `{r}` is released and its schema changed: {}",
                    locked.changes(&version.schema).join("; ")
                );
                continue;
            }
        }
        new.versions.insert(r.clone(), entry);
    }
    let gone: Vec<&String> = old
        .versions
        .keys()
        .filter(|r| catalog.version_by_ref(r).is_none())
        .collect();
    for r in &gone {
        eprintln!("warning: `{r}` is locked but no longer in the catalog; its entry stays");
    }
    if refused > 0 {
        eprintln!(
            "error: {} changed; publish new versions, or name a \
             version nobody consumed yet with --force REF",
            evreg_core::naming::count(refused, "released version", "released versions")
        );
        return Ok(ExitCode::from(1));
    }
    // A new schema (a new version, or one re-locked with --force) gets a
    // new id, as a schema registry gives one to each schema it learns.
    new.assign_ids(
        catalog.versions().map(|(_, v)| v.schema_ref.as_str()),
        old.last_id(),
    );
    let path = dir.join(LOCK_FILE);
    let text = new.render();
    let unchanged = std::fs::read_to_string(&path).is_ok_and(|t| t == text);
    if args.check {
        // Every version locked with its fingerprint: up to date, whatever
        // the descriptive digests (which `evreg lock` refreshes).
        if unchanged || added == 0 {
            eprintln!(
                "{} is up to date ({}){}",
                path.display(),
                evreg_core::naming::count(new.versions.len(), "version", "versions"),
                if unchanged {
                    ""
                } else {
                    "; `evreg lock` would refresh the digests that describe changes"
                }
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "error: {} is out of date ({} not locked); run `evreg lock`",
            path.display(),
            evreg_core::naming::count(added, "version", "versions")
        );
        return Ok(ExitCode::from(1));
    }
    if !unchanged {
        evreg_codegen::output::write_if_changed(&path, &text)?;
    }
    eprintln!(
        "locked `{}`: {added} new, {forced} forced, {} versions in {LOCK_FILE}",
        dir.display(),
        new.versions.len()
    );
    Ok(ExitCode::SUCCESS)
}
