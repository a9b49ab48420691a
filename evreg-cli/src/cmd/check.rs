//! `evreg check`: every problem of a catalog, at once.

use std::io::Write;
use std::process::ExitCode;

use evreg_core::Catalog;
use evreg_core::naming::count;
use serde_json::json;

use crate::opt::{CheckArgs, Format, Opt};

pub fn run(opt: &Opt, args: &CheckArgs) -> Result<ExitCode, super::CliError> {
    let mut out = std::io::stdout().lock();
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let mut report = Catalog::check(&dir);
    // What would stop code generation: a warning here, since the catalog's
    // data is sound (validate, migrate, diff and lock need no Rust names);
    // `evreg generate` and the derive refuse it. A problem the loader
    // already reported with its place in a file is not said twice.
    if let Some(catalog) = &report.catalog {
        for mut d in evreg_codegen::rust::check(catalog) {
            let said = report
                .diagnostics
                .iter()
                .any(|r| r.code == d.code && r.message == d.message);
            if !said {
                d.severity = evreg_core::diagnostic::Severity::Warning;
                d.notes.push(
                    "`evreg generate` and the derive refuse this until it is fixed".to_owned(),
                );
                report.diagnostics.push(d);
            }
        }
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
                    "checked `{}` ({}): {}, {}, {}; {}, {}",
                    dir.display(),
                    c.name(),
                    count(events, "event", "events"),
                    count(versions, "payload version", "payload versions"),
                    count(report.sources.len(), "file", "files"),
                    count(errors, "error", "errors"),
                    count(warnings, "warning", "warnings"),
                ),
                None => eprintln!(
                    "checked `{}`: {}, {}",
                    dir.display(),
                    count(errors, "error", "errors"),
                    count(warnings, "warning", "warnings"),
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
