//! `evreg migrate`: the SQL script of the catalog's tables; applying it to a
//! live database; checking a live database for drift.

use std::io::Write;
use std::process::ExitCode;

use crate::db::Database;
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
        let mut db = match Database::open(url, args.create) {
            Ok(db) => db,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        if args.apply {
            if args.bus
                && let Err(e) = db.apply_bus()
            {
                eprintln!("error: the bus's tables: {e}");
                return Ok(ExitCode::from(1));
            }
            return Ok(match db.apply(&catalog) {
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
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            });
        }
        return Ok(match db.check(&catalog) {
            Ok(drift) if drift.is_empty() => {
                eprintln!("the database matches `{}`", dir.display());
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                for d in &drift {
                    println!("drift: {d}");
                }
                eprintln!(
                    "error: the database drifted from `{}` ({} difference(s)); run `evreg migrate --apply`",
                    dir.display(),
                    drift.len()
                );
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
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
