//! `evreg init [DIR]`: a new catalog that `evreg check` passes at once — a
//! manifest with the usual base fields, one event with a v1 schema and an
//! example — and a CI workflow with the gates of docs/ci.md. Nothing that
//! exists is overwritten: a catalog already there is an error, and so is
//! any of the files; an existing workflow is left as it is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{EDITOR_SCHEMAS, schema_directive, toml_string, write_new};
use crate::opt::{InitArgs, Opt};

const CATALOG: &str = include_str!("templates/catalog.toml");
const EVENTS: &str = include_str!("templates/events.toml");
const SCHEMA: &str = include_str!("templates/schema.json");
const EXAMPLE: &str = include_str!("templates/example.json");
const WORKFLOW: &str = include_str!("templates/workflow.yml");
/// Editors that read `#:schema`: Even Better TOML (taplo) for VS Code.
const EXTENSIONS: &str = "{\n  \"recommendations\": [\"tamasfe.even-better-toml\"]\n}\n";

pub fn run(opt: &Opt, args: &InitArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(Some(&args.catalog))?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => dir
            .canonicalize()
            .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(&dir))
            .file_name()
            .map_or_else(|| "events".to_owned(), |n| n.to_string_lossy().into_owned()),
    };
    let files: [(&str, String); 4] = [
        (
            "catalog.toml",
            CATALOG.replace("{name}", &toml_string(&name)),
        ),
        ("events/example.toml", EVENTS.to_owned()),
        ("schemas/example-created.v1.json", SCHEMA.to_owned()),
        ("examples/example-created.v1.json", EXAMPLE.to_owned()),
    ];
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(path, _)| dir.join(path))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        let names: Vec<String> = existing
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        eprintln!(
            "error: {} already exist{}; evreg init writes nothing over a file (to start a catalog beside it, name another folder: evreg init DIR)",
            names.join(", "),
            if names.len() == 1 { "s" } else { "" }
        );
        return Ok(ExitCode::from(2));
    }
    for (path, text) in EDITOR_SCHEMAS {
        let path = dir.join(path);
        if !path.exists() {
            write_new(&path, text)?;
        }
    }
    for (path, text) in &files {
        let path = dir.join(path);
        let text = format!("{}{text}", schema_directive(&dir, &path));
        write_new(&path, &text)?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!(
        "wrote {}/.evreg/: the editor schemas its TOML files name (docs/editors.md)",
        dir.display()
    );
    // The catalog folder's parent is taken as the repository's root.
    let root = dir.parent().filter(|p| !p.as_os_str().is_empty());
    let root = root.unwrap_or(Path::new("."));
    let extensions = root.join(".vscode/extensions.json");
    if !extensions.exists() {
        write_new(&extensions, EXTENSIONS)?;
        eprintln!("wrote {}", extensions.display());
    }
    if !args.no_workflow {
        let workflow = root.join(".github/workflows/evreg.yml");
        let catalog = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if workflow.exists() {
            eprintln!(
                "note: {} exists and is left as it is; docs/ci.md lists the gates",
                workflow.display()
            );
        } else {
            write_new(&workflow, &WORKFLOW.replace("{catalog}", &catalog))?;
            eprintln!("wrote {}", workflow.display());
        }
    }
    eprintln!(
        "next: `evreg check {0}`, then replace EXAMPLE_CREATED with your events (docs/catalog-format.md)",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
