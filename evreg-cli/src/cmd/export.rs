//! `evreg export`: the catalog in the forms other tools read.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use evreg_codegen::output::{self, Drift, File};

use crate::opt::{ExportCommand, ExportJsonschemaArgs, Opt};

pub fn run(opt: &Opt, command: &ExportCommand) -> Result<ExitCode, super::CliError> {
    match command {
        ExportCommand::Jsonschema(args) => jsonschema(opt, args),
    }
}

fn jsonschema(opt: &Opt, args: &ExportJsonschemaArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let files = match evreg_codegen::export::export(&catalog, args.draft) {
        Ok(files) => files,
        Err(diagnostics) => return Ok(super::failed(opt, &dir, &diagnostics, catalog.sources())),
    };
    let command = format!(
        "evreg export jsonschema {} -o {}",
        dir.display(),
        args.output.display()
    );
    let left = left_the_catalog(&args.output, &files);
    if args.check {
        return check(&args.output, &files, &left, &command);
    }
    let tally = write(&args.output, &files, &left)?;
    let schemas = files.len() - 1;
    eprintln!(
        "exported {} to `{}`: {tally}",
        evreg_core::naming::count(schemas, "schema", "schemas"),
        args.output.display(),
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `files` into `dir` (those that changed) and removes `left`;
/// says what it did: `3 written, 9 unchanged, 1 removed (…)`.
pub(super) fn write(dir: &Path, files: &[File], left: &[String]) -> std::io::Result<String> {
    let wrote = output::write_dir(dir, files)?.len();
    for name in left {
        let path = dir.join(name);
        std::fs::remove_file(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    let mut tally = format!("{wrote} written, {} unchanged", files.len() - wrote);
    if !left.is_empty() {
        tally.push_str(&format!(
            ", {} removed (no longer in the catalog)",
            left.len()
        ));
    }
    Ok(tally)
}

/// The schema files that the folder's index.json lists and the export no
/// longer writes: what evreg wrote there for versions that left the catalog.
/// Other files of the folder are never touched.
fn left_the_catalog(dir: &Path, files: &[File]) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("index.json")) else {
        return Vec::new();
    };
    let Ok(index) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let listed = index["schemas"].as_array().into_iter().flatten();
    let mut left: Vec<String> = listed
        .filter_map(|s| s["file"].as_str())
        // Only plain names of this folder, as evreg writes them.
        .filter(|name| {
            name.ends_with(".json") && !name.contains(['/', '\\']) && !name.starts_with('.')
        })
        .filter(|name| files.iter().all(|f| f.name != *name))
        .filter(|name| dir.join(name).is_file())
        .map(str::to_owned)
        .collect();
    left.sort();
    left.dedup();
    left
}

/// Compares the folder `dir` with `files` (and `left`, files that must be
/// gone): exit 0 when it holds them, else 1 with a diff of each difference.
pub(super) fn check(
    dir: &Path,
    files: &[File],
    left: &[String],
    command: &str,
) -> Result<ExitCode, super::CliError> {
    let drifted = output::drift_dir(dir, files)?;
    if drifted.is_empty() && left.is_empty() {
        eprintln!("`{}` is up to date with the catalog", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    for (path, drift) in &drifted {
        match drift {
            Drift::Missing => eprintln!("error: `{}` does not exist", path.display()),
            Drift::Stale(diff) => {
                out.write_all(diff.as_bytes())?;
                eprintln!("error: `{}` is stale", path.display());
            }
        }
    }
    for name in left {
        eprintln!(
            "error: `{}` is a schema that is no longer in the catalog",
            dir.join(name).display()
        );
    }
    eprintln!(
        "error: `{}` is not what the catalog gives ({}); run `{command}`",
        dir.display(),
        evreg_core::naming::count(drifted.len() + left.len(), "file differs", "files differ"),
    );
    Ok(ExitCode::from(1))
}
