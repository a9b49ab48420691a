//! `evreg docs`: the catalog site as static files, the pages `evreg serve`
//! answers at `/`, byte for byte.

use std::path::Path;
use std::process::ExitCode;

use evreg_codegen::output::File;

use crate::opt::{DocsArgs, Opt};
use crate::site::{GENERATOR, Site, SiteMap};

pub fn run(opt: &Opt, args: &DocsArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let map = SiteMap::new(&catalog);
    let files = Site::new(&catalog, &map).files();
    let left = left_the_catalog(&args.output, &files);
    if args.check {
        let command = format!("evreg docs {} -o {}", dir.display(), args.output.display());
        return super::export::check(&args.output, &files, &left, &command);
    }
    let tally = super::export::write(&args.output, &files, &left)?;
    eprintln!(
        "wrote the site of `{}` to `{}`: {}, {tally}",
        dir.display(),
        args.output.display(),
        evreg_core::naming::count(files.len(), "file", "files"),
    );
    Ok(ExitCode::SUCCESS)
}

/// The pages of `dir/events` and `dir/definitions` that the new site no
/// longer has, when `dir` holds a site evreg wrote (its index.html says so):
/// pages of events and definitions that left the catalog. Nothing else of
/// the folder is touched.
fn left_the_catalog(dir: &Path, files: &[File]) -> Vec<String> {
    let ours = std::fs::read_to_string(dir.join("index.html")).is_ok_and(|index| {
        index.contains(&format!(
            "<meta name=\"generator\" content=\"{GENERATOR}\">"
        ))
    });
    if !ours {
        return Vec::new();
    }
    let mut left = Vec::new();
    for folder in ["definitions", "events"] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = format!("{folder}/{}", entry.file_name().to_string_lossy());
            if name.ends_with(".html")
                && entry.file_type().is_ok_and(|t| t.is_file())
                && files.iter().all(|f| f.name != name)
            {
                left.push(name);
            }
        }
    }
    left.sort();
    left
}
