//! `evreg check`: every problem of a catalog, at once.

use std::io::Write;
use std::process::ExitCode;

use evreg_core::Catalog;
use serde_json::json;

use crate::opt::{CheckArgs, Format, Opt};

pub fn run(opt: &Opt, args: &CheckArgs) -> Result<ExitCode, super::CliError> {
    let mut out = std::io::stdout().lock();
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let mut report = Catalog::check(&dir);
    // What would stop code generation is a catalog error too.
    if let Some(catalog) = &report.catalog {
        report
            .diagnostics
            .extend(evreg_codegen::rust::check(catalog));
    }
    let errors = report.error_count();
    let warnings = report.warning_count();
    let (events, versions) = report
        .catalog
        .as_ref()
        .map_or((0, 0), |c| (c.events().len(), c.versions().count()));
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    match args.format {
        Format::Json => {
            let diagnostics: Vec<_> = report
                .diagnostics
                .iter()
                .map(|d| evreg_core::diagnostic::render::to_json(d, &report.sources))
                .collect();
            let doc = json!({
                "catalog": dir.display().to_string(),
                "ok": !failed,
                "summary": {
                    "errors": errors,
                    "warnings": warnings,
                    "events": events,
                    "versions": versions,
                    "files": report.sources.len(),
                },
                "diagnostics": diagnostics,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            let mut err = super::stderr(opt);
            evreg_core::diagnostic::render::emit(&mut err, &report.diagnostics, &report.sources)?;
            match &report.catalog {
                Some(c) => eprintln!(
                    "checked `{}` ({}): {events} events, {versions} payload versions, {} files; {errors} errors, {warnings} warnings",
                    dir.display(),
                    c.name(),
                    report.sources.len(),
                ),
                None => eprintln!(
                    "checked `{}`: {errors} errors, {warnings} warnings",
                    dir.display()
                ),
            }
        }
    }
    let unusable = super::unusable(&report);
    // The process ends here: freeing a large catalog piece by piece is wasted time.
    std::mem::forget(report);
    Ok(if unusable {
        ExitCode::from(2)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
