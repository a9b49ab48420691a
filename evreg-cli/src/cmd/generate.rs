//! `evreg generate`: the catalog's Rust module, written or checked for drift.

use std::io::Write;
use std::process::ExitCode;

use evreg_codegen::BuildError;
use evreg_codegen::output::{self, Drift};

use crate::opt::{GenerateArgs, Lang, Opt};

pub fn run(opt: &Opt, args: &GenerateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    if args.lang == Lang::Typescript {
        return typescript(opt, args, &dir);
    }
    // The route of `Builder` in build.rs and of `include_catalog!`: the same
    // code, and the same diagnostics, here rendered in color.
    let generated = match evreg_codegen::generate_dir(&dir) {
        Ok(generated) => generated,
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
    report_untyped(&generated.untyped);
    let code = generated.code;
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

/// Says on stderr which schemas the module keeps as `serde_json::Value`.
fn report_untyped(untyped: &[evreg_codegen::rust::Untyped]) {
    const SHOWN: usize = 10;
    if untyped.is_empty() {
        return;
    }
    let count = untyped.len();
    let (noun, verb, they, allow, them) = if count == 1 {
        ("schema", "stays", "it", "allows", "it")
    } else {
        ("schemas", "stay", "they", "allow", "them")
    };
    eprintln!(
        "note: {count} {noun} {verb} `serde_json::Value` (no Rust type holds exactly what \
         {they} {allow}; validate() checks {them} against the schema):"
    );
    for u in untyped.iter().take(SHOWN) {
        eprintln!("  {u}");
    }
    if count > SHOWN {
        eprintln!("  … and {} more", count - SHOWN);
    }
}

/// `--lang typescript`: the folder of events.ts, schemas.ts and runtime.ts.
fn typescript(
    opt: &Opt,
    args: &GenerateArgs,
    dir: &std::path::Path,
) -> Result<ExitCode, super::CliError> {
    let catalog = match super::load(opt, dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let files = match evreg_codegen::typescript::generate(&catalog) {
        Ok(files) => files,
        Err(diagnostics) => return Ok(super::failed(opt, dir, &diagnostics, catalog.sources())),
    };
    let Some(out) = &args.output else {
        return Err("--lang typescript writes a folder: name it with -o DIR"
            .to_owned()
            .into());
    };
    let command = format!(
        "evreg generate {} --lang typescript -o {}",
        dir.display(),
        out.display()
    );
    if args.check {
        return super::export::check(out, &files, &[], &command);
    }
    let wrote = output::write_dir(out, &files)?;
    eprintln!(
        "wrote {} of {} files to `{}` ({} lines)",
        wrote.len(),
        files.len(),
        out.display(),
        files
            .iter()
            .map(|f| f.contents.lines().count())
            .sum::<usize>()
    );
    Ok(ExitCode::SUCCESS)
}
