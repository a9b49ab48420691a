//! `evreg migrate`: the SQL script of the catalog's tables.

use std::io::Write;
use std::process::ExitCode;

use evreg_codegen::sql::{self, Dialect};

use crate::opt::{DialectArg, MigrateArgs, Opt};

pub fn run(opt: &Opt, args: &MigrateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let dialect = match args.dialect {
        DialectArg::Postgres => Dialect::Postgres,
        DialectArg::Sqlite => Dialect::Sqlite,
    };
    let script = match sql::render(&catalog, dialect) {
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
