//! `evreg list`: a table of the catalog's events.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use crate::opt::{Format, ListArgs, Opt};

pub fn run(opt: &Opt, args: &ListArgs) -> Result<ExitCode, super::CliError> {
    let mut out = std::io::stdout().lock();
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if let Some(status) = &args.status
        && !evreg_core::Status::ALL.iter().any(|(s, _)| s == status)
    {
        return Err(super::CliError::Usage(format!(
            "unknown status `{status}` (active, catalog-only, deprecated)"
        )));
    }
    let events: Vec<_> = catalog
        .events()
        .iter()
        .filter(|e| args.category.as_ref().is_none_or(|c| &e.category == c))
        .filter(|e| args.status.as_ref().is_none_or(|s| e.status.as_str() == s))
        .collect();
    match args.format {
        Format::Json => {
            let rows: Vec<_> = events.iter().map(|e| row(e)).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        }
        Format::Text => {
            let rows: Vec<[String; 5]> = events
                .iter()
                .map(|e| {
                    [
                        e.event_type.clone(),
                        e.versions
                            .iter()
                            .map(|v| format!("v{}", v.version))
                            .collect::<Vec<_>>()
                            .join(","),
                        e.status.as_str().to_owned(),
                        e.category.clone(),
                        e.owner.clone().unwrap_or_else(|| "-".to_owned()),
                    ]
                })
                .collect();
            let header = ["TYPE", "VERSIONS", "STATUS", "CATEGORY", "OWNER"].map(str::to_owned);
            let mut widths = header.clone().map(|h| h.chars().count());
            for row in &rows {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let line: Vec<String> = row
                    .iter()
                    .zip(widths)
                    .map(|(cell, w)| format!("{cell:<w$}"))
                    .collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
            eprintln!("{} events", rows.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An event as `evreg list --format json` (and `evreg serve`'s
/// `/v1/events`) lists it.
pub(crate) fn row(e: &evreg_core::Event) -> serde_json::Value {
    json!({
        "type": e.event_type,
        "name": e.name,
        "versions": e.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        "latest_ref": e.latest().map(|v| v.schema_ref.as_str()),
        "status": e.status.as_str(),
        "category": e.category,
        "owner": e.owner,
    })
}
