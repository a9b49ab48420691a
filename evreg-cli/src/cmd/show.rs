//! `evreg show`: one event in full.

use std::io::Write;
use std::process::ExitCode;

use evreg_core::{Catalog, Event, PayloadVersion};
use serde_json::{Value, json};

use crate::opt::{Format, Opt, ShowArgs};

pub fn run(opt: &Opt, args: &ShowArgs) -> Result<ExitCode, super::CliError> {
    let mut out = std::io::stdout().lock();
    let dir = opt.catalog_dir(None)?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let (event, only) = match find(&catalog, &args.event) {
        Some(found) => found,
        None => {
            let names = catalog.events().iter().map(|e| e.event_type.as_str());
            let hint = evreg_core::naming::did_you_mean(&args.event, names)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            eprintln!(
                "error: no event `{}` in `{}`{hint}",
                args.event,
                dir.display()
            );
            return Ok(ExitCode::from(1));
        }
    };
    // A schema ref names its version: `--version` may repeat it, not change it.
    if let (Some(by_ref), Some(asked)) = (only, args.version)
        && by_ref != asked
    {
        eprintln!(
            "error: `{}` is version {by_ref} of `{}`, and --version asks for {asked}; give one",
            args.event, event.event_type
        );
        return Ok(ExitCode::from(2));
    }
    let only = args.version.or(only);
    let versions: Vec<&PayloadVersion> = event
        .versions
        .iter()
        .filter(|v| only.is_none_or(|n| v.version == n))
        .collect();
    if let Some(n) = only
        && versions.is_empty()
    {
        eprintln!("error: `{}` has no version {n}", event.event_type);
        return Ok(ExitCode::from(1));
    }
    match args.format {
        Format::Json => {
            let doc = document(event, &versions);
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => print_text(&mut out, &catalog, event, &versions)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// An event by type, alias or schema ref (which also selects the version).
fn find<'c>(catalog: &'c Catalog, name: &str) -> Option<(&'c Event, Option<u32>)> {
    if let Some(e) = catalog.event(name) {
        return Some((e, None));
    }
    catalog
        .version_by_ref(name)
        .map(|(e, v)| (e, Some(v.version)))
}

fn print_text(
    out: &mut impl Write,
    catalog: &Catalog,
    event: &Event,
    versions: &[&PayloadVersion],
) -> std::io::Result<()> {
    writeln!(out, "{} — {}", event.event_type, event.name)?;
    writeln!(out, "  {}", event.description)?;
    writeln!(out, "  category: {}", event.category)?;
    writeln!(out, "  owner:    {}", event.owner.as_deref().unwrap_or("-"))?;
    writeln!(out, "  status:   {}", event.status)?;
    if let Some(r) = &event.replaced_by {
        writeln!(out, "  replaced by: {r}")?;
    }
    if !event.aliases.is_empty() {
        writeln!(out, "  aliases:  {}", event.aliases.join(", "))?;
    }
    for v in versions {
        let file = v
            .schema_file
            .strip_prefix(catalog.root())
            .unwrap_or(&v.schema_file)
            .display();
        writeln!(out)?;
        writeln!(out, "  v{}  {}  ({file})", v.version, v.schema_ref)?;
        if let Some(d) = &v.description {
            writeln!(out, "    {d}")?;
        }
        writeln!(
            out,
            "    {}, {}",
            evreg_core::naming::count(v.examples.len(), "example", "examples"),
            evreg_core::naming::count(
                v.invalid_examples.len(),
                "invalid example",
                "invalid examples"
            )
        )?;
        let required: Vec<&str> = v.schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(Value::Object(props)) = v.schema.get("properties") {
            writeln!(out, "    properties:")?;
            for (name, schema) in props {
                let mark = if required.contains(&name.as_str()) {
                    "*"
                } else {
                    " "
                };
                writeln!(out, "      {mark} {name}: {}", describe(schema))?;
            }
            writeln!(out, "    (* required)")?;
        }
    }
    Ok(())
}

/// A one-line summary of a property schema.
fn describe(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    let mut parts = Vec::new();
    match schema.get("type") {
        Some(Value::String(t)) => parts.push(t.clone()),
        Some(Value::Array(ts)) => parts.push(
            ts.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" | "),
        ),
        _ => {}
    }
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        parts.push(format!("format {f}"));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        parts.push(format!("one of {}", values.join(", ")));
    }
    if let Some(items) = schema.get("items") {
        parts.push(format!("of {}", describe(items)));
    }
    if parts.is_empty() {
        "any".to_owned()
    } else {
        parts.join(", ")
    }
}

/// An event in full as `evreg show --format json` (and `evreg serve`'s
/// `/v1/events/{type}`) gives it, with the versions asked for.
pub(crate) fn document(event: &Event, versions: &[&PayloadVersion]) -> Value {
    json!({
        "type": event.event_type,
        "name": event.name,
        "description": event.description,
        "category": event.category,
        "owner": event.owner,
        "status": event.status.as_str(),
        "replaced_by": event.replaced_by,
        "aliases": event.aliases,
        "versions": versions.iter().map(|v| json!({
            "version": v.version,
            "ref": v.schema_ref,
            "description": v.description,
            "schema": v.schema,
            "examples": v.examples.iter().map(|e| &e.payload).collect::<Vec<_>>(),
            "invalid_examples": v.invalid_examples.iter().map(|e| json!({"reason": e.reason, "payload": e.payload})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
