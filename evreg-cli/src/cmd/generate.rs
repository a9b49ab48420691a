//! `evreg generate`: the catalog's Rust module, written or checked for drift.

use std::io::Write;
use std::process::ExitCode;

use evreg_codegen::BuildError;
use evreg_codegen::output::{self, Drift};

use crate::opt::{GenerateArgs, Opt};

pub fn run(opt: &Opt, args: &GenerateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    // The route of `Builder` in build.rs and of `include_catalog!`: the same
    // code, and the same diagnostics, here rendered in color.
    let code = match evreg_codegen::generate_dir(&dir) {
        Ok(generated) => generated.code,
        Err(BuildError::Catalog {
            dir,
            diagnostics,
            sources,
        }) => return Ok(super::failed(opt, &dir, &diagnostics, &sources)),
        Err(BuildError::Io { path, source }) => {
            return Err(std::io::Error::new(
                source.kind(),
                format!("{}: {source}", path.display()),
            )
            .into());
        }
        Err(e @ BuildError::NoOutDir) => return Err(e.to_string().into()),
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
