//! `evreg generate`: the catalog's Rust module, written or checked for drift.

use std::io::Write;
use std::process::ExitCode;

use evreg_codegen::output::{self, Drift};

use crate::opt::{GenerateArgs, Opt};

pub fn run(opt: &Opt, args: &GenerateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let code = match evreg_codegen::generate(&catalog) {
        Ok(code) => code,
        Err(diagnostics) => {
            let mut err = super::stderr(opt);
            evreg_codegen::render::term::emit(&mut err, &diagnostics, catalog.sources())?;
            eprintln!(
                "error: code cannot be generated from `{}` ({} error(s))",
                dir.display(),
                diagnostics.len()
            );
            return Ok(ExitCode::from(1));
        }
    };
    let Some(path) = &args.output else {
        std::io::stdout().lock().write_all(code.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    };
    if args.check {
        return Ok(match output::drift(path, &code)? {
            None => {
                eprintln!(
                    "`{}` is up to date with `{}`",
                    path.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Some(Drift::Missing) => {
                eprintln!(
                    "error: `{}` does not exist; run `evreg generate {} -o {}`",
                    path.display(),
                    dir.display(),
                    path.display()
                );
                ExitCode::from(1)
            }
            Some(Drift::Stale(diff)) => {
                std::io::stdout().lock().write_all(diff.as_bytes())?;
                eprintln!(
                    "error: `{}` is stale: the catalog generates different code; run `evreg generate {} -o {}`",
                    path.display(),
                    dir.display(),
                    path.display()
                );
                ExitCode::from(1)
            }
        });
    }
    let wrote = output::write_if_changed(path, &code)?;
    eprintln!(
        "{} `{}` ({} lines)",
        if wrote { "wrote" } else { "unchanged:" },
        path.display(),
        code.lines().count()
    );
    Ok(ExitCode::SUCCESS)
}
