//! `evreg new event TYPE` and `evreg new version TYPE`: the files of a new
//! event or version, written next to the catalog's own, never over a file.
//!
//! A new event gets an entry (in a new event file, or appended to the one
//! `--file` names), a v1 schema file of an empty closed object, and an
//! example holding the catalog's required base fields. A new version starts
//! as a copy of the last one: its schema file, byte for byte, and its first
//! example, its entry inserted after the event's last version. Either way
//! the catalog is checked afterwards, and what is left to fill is said.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evreg_core::Catalog;
use evreg_core::catalog::relative_path;
use evreg_core::naming::{is_valid_event_type, pascal_name};
use heck::ToKebabCase;
use serde_json::{Map, Value, json};

use super::toml_string;
use crate::opt::{NewCommand, NewEventArgs, NewVersionArgs, Opt};
use crate::simulate::Simulator;

pub fn run(opt: &Opt, command: &NewCommand) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(None)?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let written = match command {
        NewCommand::Event(args) => event(&dir, &catalog, args),
        NewCommand::Version(args) => version(&dir, &catalog, args),
    };
    let written = match written {
        Ok(w) => w,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    for path in &written {
        eprintln!("wrote {}", path.display());
    }
    // The catalog as it is now: what is left to fill, if anything.
    match super::load(opt, &dir) {
        Ok(_) => {
            eprintln!(
                "the catalog checks clean; describe the payload in {}",
                written[1].display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

fn event(dir: &Path, catalog: &Catalog, args: &NewEventArgs) -> Result<Vec<PathBuf>, String> {
    let ty = &args.event_type;
    if !is_valid_event_type(ty) {
        return Err(format!(
            "`{ty}` is not an event type: letters, digits, `_`, `.` and `-`, starting with a letter"
        ));
    }
    if catalog.events().iter().any(|e| &e.event_type == ty) {
        return Err(format!(
            "the catalog has `{ty}` already; `evreg new version {ty}` adds a version"
        ));
    }
    let stem = pascal_name(ty).to_kebab_case();
    let category = args
        .category
        .clone()
        .unwrap_or_else(|| super::import::category_of(ty));
    let name = stem.replace('-', " ");
    let name = name[..1].to_uppercase() + &name[1..];
    let schema = dir.join(format!("schemas/{stem}.v1.json"));
    let example = dir.join(format!("examples/{stem}.v1.json"));
    let file = args
        .file
        .clone()
        .unwrap_or_else(|| dir.join(format!("events/{stem}.toml")));
    for path in [&schema, &example] {
        if path.exists() {
            return Err(format!(
                "{} exists; evreg new writes nothing over a file",
                path.display()
            ));
        }
    }
    if args.file.is_none() && file.exists() {
        return Err(format!(
            "{} exists; name it with --file to add the event to it",
            file.display()
        ));
    }
    if args.file.is_some() && !file.exists() {
        return Err(format!("{}: no such event file", file.display()));
    }
    let from_file = |path: &Path| relative_path(file.parent().unwrap_or(dir), path);
    let entry = format!(
        "[[events]]\ntype = {}\nname = {}\ndescription = {}\ncategory = {}\n\n[[events.versions]]\nversion = 1\nschema = {}\nexamples = [{}]\n",
        toml_string(ty),
        toml_string(&name),
        toml_string(&format!("{name}.")),
        toml_string(&category),
        toml_string(&from_file(&schema)),
        toml_string(&from_file(&example)),
    );
    let schema_text = serde_json::to_string_pretty(&json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": [],
        "properties": {},
        "additionalProperties": false,
    }))
    .expect("a schema serializes")
        + "\n";
    // The required base fields, drawn from their schemas.
    let base = &catalog.manifest().base;
    let base_schema = json!({
        "type": "object",
        "properties": Value::Object(base.properties.clone()),
        "required": base.required,
    });
    let mut drawn = Simulator::new(catalog, 1).value(&base_schema);
    let mut payload = Map::new();
    if let Value::Object(values) = &mut drawn {
        for name in &base.required {
            if let Some(v) = values.remove(name) {
                payload.insert(name.clone(), v);
            }
        }
    }
    let example_text = serde_json::to_string_pretty(&Value::Object(payload)).expect("JSON") + "\n";
    write_new(&schema, &schema_text)?;
    write_new(&example, &example_text)?;
    let entry = if file.exists() {
        entry
    } else {
        super::schema_directive(dir, &file) + &entry
    };
    append(&file, &entry)?;
    Ok(vec![file, schema, example])
}

fn version(dir: &Path, catalog: &Catalog, args: &NewVersionArgs) -> Result<Vec<PathBuf>, String> {
    let ty = &args.event_type;
    let Some(event) = catalog.events().iter().find(|e| &e.event_type == ty) else {
        let close = evreg_core::naming::did_you_mean(
            ty,
            catalog.events().iter().map(|e| e.event_type.as_str()),
        )
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
        return Err(format!("the catalog has no event `{ty}`{close}"));
    };
    let last = event.versions.last().expect("an event has a version");
    let n = last.version + 1;
    let source = &last.schema_file;
    if !source.is_file() {
        return Err(format!(
            "v{} of `{ty}` has an inline schema: write v{n}'s entry by hand (docs/catalog-format.md)",
            last.version
        ));
    }
    let schema = next_name(source, last.version, n);
    let example = last.examples.first().map(|e| {
        let examples = dir.join("examples");
        let stem = pascal_name(ty).to_kebab_case();
        (
            examples.join(format!("{stem}.v{n}.json")),
            e.payload.clone(),
        )
    });
    for path in std::iter::once(&schema).chain(example.as_ref().map(|(p, _)| p)) {
        if path.exists() {
            return Err(format!(
                "{} exists; evreg new writes nothing over a file",
                path.display()
            ));
        }
    }
    let sources = catalog.sources();
    let file = sources.get(event.span.file);
    let file_path = file.path().to_path_buf();
    let text = file.text().to_owned();
    let base = file_path.parent().unwrap_or(dir);
    let mut entry = format!(
        "\n[[events.versions]]\nversion = {n}\nschema = {}\n",
        toml_string(&relative_path(base, &schema))
    );
    if let Some((path, _)) = &example {
        entry.push_str(&format!(
            "examples = [{}]\n",
            toml_string(&relative_path(base, path))
        ));
    }
    // After the event's last line: before the next `[[events]]`, or at the end.
    let start = event.span.start.min(text.len());
    let after = text[start..]
        .find("\n[[events]]")
        .map_or(text.len(), |i| start + i + 1);
    let (head, tail) = text.split_at(after);
    let head = head.trim_end_matches('\n');
    let joined = format!(
        "{head}\n{entry}{}{tail}",
        if tail.is_empty() { "" } else { "\n" }
    );
    let copied =
        std::fs::read_to_string(source).map_err(|e| format!("{}: {e}", source.display()))?;
    write_new(&schema, &copied)?;
    let mut written = vec![file_path.clone(), schema];
    if let Some((path, payload)) = example {
        write_new(
            &path,
            &serde_json::to_string_pretty(&payload).expect("JSON"),
        )?;
        written.push(path);
    }
    std::fs::write(&file_path, joined).map_err(|e| format!("{}: {e}", file_path.display()))?;
    Ok(written)
}

/// `…/name.vN.json` → `…/name.vM.json`; a name without `.vN.` gets `.vM`
/// before its extension.
fn next_name(path: &Path, n: u32, m: u32) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let renamed = if name.contains(&format!(".v{n}.")) {
        name.replacen(&format!(".v{n}."), &format!(".v{m}."), 1)
    } else {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        format!("{stem}.v{m}.json")
    };
    path.with_file_name(renamed)
}

/// Appends an entry to an event file (a new one is made).
fn append(path: &Path, entry: &str) -> Result<(), String> {
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let text = if old.trim().is_empty() {
        entry.to_owned()
    } else {
        format!("{}\n\n{entry}", old.trim_end_matches('\n'))
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    super::write_new(path, text).map_err(|e| e.to_string())
}
