//! `evreg migrate`: the SQL script of the catalog's tables; applying it to a
//! live database; checking a live database for drift.

use std::io::Write;
use std::process::ExitCode;

use crate::db::{Database, DbError};
use evreg_codegen::sql::{self, Dialect};

use crate::opt::{DialectArg, MigrateArgs, Opt};

pub fn run(opt: &Opt, args: &MigrateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if args.apply || args.check {
        let url = args.database_url.as_deref().unwrap_or_default();
        let mut db = match Database::open(url, args.create).map_err(|e| e.at(url)) {
            Ok(db) => db,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        if args.apply {
            if args.bus
                && let Err(e) = db.apply_bus().map_err(|e| e.at(url))
            {
                eprintln!("error: the bus's tables: {e}");
                return Ok(ExitCode::from(2));
            }
            return Ok(match db.apply(&catalog).map_err(|e| e.at(url)) {
                Ok(a) => {
                    eprintln!(
                        "applied `{}`: {} inserted, {} updated, {} deprecated, {} unchanged",
                        dir.display(),
                        a.inserted,
                        a.updated,
                        a.deprecated,
                        a.unchanged
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => failed(&e),
            });
        }
        return Ok(match db.check(&catalog).map_err(|e| e.at(url)) {
            Ok(drift) if drift.is_empty() => {
                eprintln!("the database matches `{}`", dir.display());
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                for d in &drift {
                    println!("drift: {d}");
                }
                eprintln!(
                    "error: the database drifted from `{}` ({}); run `evreg migrate --apply`",
                    dir.display(),
                    evreg_core::naming::count(drift.len(), "difference", "differences")
                );
                ExitCode::from(1)
            }
            Err(e) => failed(&e),
        });
    }
    let dialect = match args.dialect {
        Some(DialectArg::Sqlite) => Dialect::Sqlite,
        _ => Dialect::Postgres,
    };
    let script = match sql::render(&catalog, dialect) {
        Ok(s) if args.bus => format!("{s}\n{}", sql::render_bus(dialect)),
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    match &args.output {
        None => std::io::stdout().lock().write_all(script.as_bytes())?,
        Some(path) => {
            let wrote = evreg_codegen::output::write_if_changed(path, &script)?;
            eprintln!(
                "{} `{}`",
                if wrote { "wrote" } else { "unchanged:" },
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reports a database error: exit 1 when the catalog's rows belong to
/// another catalog (a problem of the catalog), 2 when the database could not
/// be used (an I/O error: the server refused or could not be reached).
fn failed(e: &DbError) -> ExitCode {
    eprintln!("error: {e}");
    match e {
        DbError::OtherCatalog { .. } => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}
