//! `gen-conformance`: the vendored JSON-Schema-Test-Suite as an evreg catalog.
//!
//! Every test group becomes one event whose payload is `{"value": <instance>}`
//! and whose schema wraps the group's schema as the `value` property (its
//! `$defs` moved to the payload's root, where `#/$defs/…` still finds them).
//! A schema without `type` mostly becomes a `serde_json::Value` checked by
//! `jsonschema`; to run the typed code (structs, strings, numbers, arrays)
//! through the suite too, such a group also gets one event per JSON type of
//! its test data, with that `type` added: for data of type `t`, the schema
//! and `type: t` accept it exactly when the schema alone does.
//!
//! A group the catalog refuses (a keyword outside evreg's subset, a `$ref` to
//! the schema's root, names that collide in Rust) is excluded, with the
//! reason, in `cases.json` and `EXCLUDED.md`.
//!
//! Draft 2020-12 goes to `tests/fixtures/conformance/`, whose generated code
//! the tests compile. Every other draft evreg reads (04, 06, 07, 2019-09)
//! goes to `tests/fixtures/conformance-drafts/<draft>/`, its schemas
//! declaring their draft in `$schema` and its `definitions` kept as that
//! draft spells them, so that the loader reads, validates and translates
//! them as published; the tests run them through the registry.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use heck::ToShoutySnakeCase;
use serde_json::{Map, Value, json};

/// One test group of the suite (or one typed variant of it).
struct Group {
    file: String,
    index: usize,
    description: String,
    event_type: String,
    schema: Value,
    /// The JSON type added to the schema, for a typed variant.
    typed: Option<&'static str>,
}

/// The JSON Schema type of a value (`1.0` is an integer).
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n)
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
        {
            "integer"
        }
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// One draft of the suite: its folder, its `$schema`, the prefix of its
/// event types and where its catalog goes.
struct Draft {
    folder: &'static str,
    uri: Option<&'static str>,
    prefix: &'static str,
    out: &'static str,
}

const DRAFTS: &[Draft] = &[
    Draft {
        folder: "draft2020-12",
        uri: None,
        prefix: "",
        out: "tests/fixtures/conformance",
    },
    Draft {
        folder: "draft2019-09",
        uri: Some("https://json-schema.org/draft/2019-09/schema"),
        prefix: "D2019_",
        out: "tests/fixtures/conformance-drafts/draft2019-09",
    },
    Draft {
        folder: "draft7",
        uri: Some("http://json-schema.org/draft-07/schema#"),
        prefix: "D7_",
        out: "tests/fixtures/conformance-drafts/draft7",
    },
    Draft {
        folder: "draft6",
        uri: Some("http://json-schema.org/draft-06/schema#"),
        prefix: "D6_",
        out: "tests/fixtures/conformance-drafts/draft6",
    },
    Draft {
        folder: "draft4",
        uri: Some("http://json-schema.org/draft-04/schema#"),
        prefix: "D4_",
        out: "tests/fixtures/conformance-drafts/draft4",
    },
];

pub fn run(root: &Path) -> Result<(), String> {
    for draft in DRAFTS {
        run_draft(root, draft)?;
    }
    Ok(())
}

fn run_draft(root: &Path, draft: &Draft) -> Result<(), String> {
    let suite = root
        .join("tests/fixtures/json-schema-test-suite")
        .join(draft.folder);
    let out = root.join(draft.out);
    let wrapped = |schema: &Value| wrap(schema, draft.uri);
    let mut files: Vec<PathBuf> = walk(&suite)?;
    files.sort();
    let mut groups = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&suite)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).map_err(|e| format!("{rel}: {e}"))?;
        let doc: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{rel}: {e}"))?;
        let stem = rel.trim_end_matches(".json").replace('/', "_");
        for (index, group) in doc.into_iter().enumerate() {
            let event_type = format!("{}{}_{index}", draft.prefix, stem.to_shouty_snake_case());
            let description = group["description"].as_str().unwrap_or_default().to_owned();
            let schema = &group["schema"];
            groups.push(Group {
                event_type: event_type.clone(),
                file: rel.clone(),
                index,
                description: description.clone(),
                schema: wrapped(schema),
                typed: None,
            });
            let untyped = schema
                .as_object()
                .is_some_and(|m| !m.contains_key("type") && !m.contains_key("$ref"));
            if untyped {
                let mut types: Vec<&'static str> = group["tests"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| json_type(&t["data"]))
                    .filter(|t| *t != "null")
                    .collect();
                types.sort();
                types.dedup();
                for t in types {
                    let mut typed = schema.clone();
                    typed
                        .as_object_mut()
                        .expect("checked above")
                        .insert("type".into(), t.into());
                    groups.push(Group {
                        event_type: format!("{event_type}_{}", t.to_shouty_snake_case()),
                        file: rel.clone(),
                        index,
                        description: description.clone(),
                        schema: wrapped(&typed),
                        typed: Some(t),
                    });
                }
            }
        }
    }

    // Each group alone first: what the catalog refuses is excluded.
    let scratch = std::env::temp_dir().join(format!(
        "evreg-conformance-{}-{}",
        draft.folder,
        std::process::id()
    ));
    let mut accepted = Vec::new();
    let mut cases = Vec::new();
    for g in &groups {
        let reason = refusal(&scratch, g)?;
        cases.push(json!({
            "file": g.file,
            "group": g.index,
            "type": g.typed,
            "description": g.description,
            "schema_ref": reason.is_none().then(|| evreg_core::naming::schema_ref(&g.event_type, 1)),
            "excluded": reason,
        }));
        if reason.is_none() {
            accepted.push(g);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| e.to_string())?;
    }
    write_catalog(&out, &accepted)?;
    let cases = Value::Array(cases);
    write(
        &out.join("cases.json"),
        &(serde_json::to_string_pretty(&cases).unwrap() + "\n"),
    )?;
    write(&out.join("EXCLUDED.md"), &excluded_md(&cases, draft.folder))?;
    // The whole catalog must load and generate.
    let catalog = evreg_core::Catalog::load(&out).map_err(|e| e.to_string())?;
    evreg_codegen::generate(&catalog).map_err(|d| format!("{d:?}"))?;
    eprintln!(
        "{}: wrote {} of {} test groups to {}",
        draft.folder,
        accepted.len(),
        groups.len(),
        out.display()
    );
    Ok(())
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(out)
}

/// The payload schema of a group: `{"value": <schema>}`, required, nothing
/// else; in the group's draft (`$schema`) where it is not 2020-12. Its
/// definitions move to the root, where `#/$defs/…` (`#/definitions/…`)
/// still finds them.
fn wrap(schema: &Value, draft: Option<&str>) -> Value {
    let mut inner = schema.clone();
    let mut root = Map::new();
    if let Some(uri) = draft {
        root.insert("$schema".into(), uri.into());
    }
    root.insert("type".into(), "object".into());
    root.insert("required".into(), json!(["value"]));
    root.insert("additionalProperties".into(), false.into());
    if let Value::Object(m) = &mut inner {
        m.remove("$schema");
        for container in ["$defs", "definitions"] {
            if let Some(defs) = m.remove(container) {
                root.insert(container.into(), defs);
            }
        }
    }
    root.insert("properties".into(), json!({ "value": inner }));
    Value::Object(root)
}

/// Why the catalog refuses a group, if it does.
fn refusal(scratch: &Path, g: &Group) -> Result<Option<String>, String> {
    if refs_outside_defs(&g.schema) {
        return Ok(Some(
            "a `$ref` to the schema's root or outside `$defs` (wrapping the schema changes its target)".into(),
        ));
    }
    let dir = scratch.join(&g.event_type);
    write_catalog(&dir, &[g])?;
    let report = evreg_core::Catalog::check(&dir);
    let mut errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    if let Some(catalog) = &report.catalog
        && let Err(d) = evreg_codegen::generate(catalog)
    {
        errors.extend(d.iter().map(|d| format!("{}: {}", d.code, d.message)));
    }
    Ok(errors.into_iter().next())
}

/// Whether a `$ref` of the group points at its root or into it other than
/// through its definitions or an anchor: wrapping would change its target.
fn refs_outside_defs(v: &Value) -> bool {
    let kept = |r: &str| {
        r.starts_with("#/$defs/")
            || r.starts_with("#/definitions/")
            || r.strip_prefix('#')
                .is_some_and(|a| !a.is_empty() && !a.starts_with('/'))
    };
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| {
            // `$recursiveRef` (2019-09) is always `#`: the root.
            (k == "$ref" && !v.as_str().is_some_and(kept))
                || k == "$recursiveRef"
                || refs_outside_defs(v)
        }),
        Value::Array(a) => a.iter().any(refs_outside_defs),
        _ => false,
    }
}

fn write_catalog(dir: &Path, groups: &[&Group]) -> Result<(), String> {
    write(
        &dir.join("catalog.toml"),
        "# Generated by `cargo run -p xtask -- gen-conformance` from the vendored\n\
         # JSON-Schema-Test-Suite (tests/fixtures/json-schema-test-suite, MIT).\n\
         name = \"conformance\"\n\n[checks]\nrequire_examples = false\n",
    )?;
    let mut toml = String::new();
    for g in groups {
        let file = format!("{}.json", g.event_type.to_lowercase());
        let _ = write!(
            toml,
            "[[events]]\ntype = \"{}\"\nname = {}\ndescription = {}\ncategory = \"suite\"\n\n\
             [[events.versions]]\nversion = 1\nschema = \"../schemas/{file}\"\n\n",
            g.event_type,
            toml_string(&match g.typed {
                Some(t) => format!("{} #{} as {t}", g.file, g.index),
                None => format!("{} #{}", g.file, g.index),
            }),
            toml_string(&g.description),
        );
        // Compact: the catalogs of the other drafts hold some 1 500 files.
        let schema = serde_json::to_string(&g.schema).unwrap() + "\n";
        write(&dir.join("schemas").join(&file), &schema)?;
    }
    write(&dir.join("events/suite.toml"), &toml)
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn excluded_md(cases: &Value, draft: &str) -> String {
    let cases = cases.as_array().unwrap();
    let excluded: Vec<&Value> = cases.iter().filter(|c| !c["excluded"].is_null()).collect();
    let through = if draft == "draft2020-12" {
        "generated code and the registry"
    } else {
        "the registry"
    };
    let mut md = format!(
        "# Test groups the conformance catalog excludes ({draft})\n\n\
         Generated by `cargo run -p xtask -- gen-conformance`. {} of {} schemas (suite\n\
         groups and their typed variants) run through {through}; these {} cannot be an evreg\n\
         payload schema, for the reason given (a group's typed variants, `type` added,\n\
         are listed with their type).\n\n| file | group | type | description | reason |\n|---|---|---|---|---|\n",
        cases.len() - excluded.len(),
        cases.len(),
        excluded.len()
    );
    for c in excluded {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            c["file"].as_str().unwrap_or_default(),
            c["group"],
            c["type"].as_str().unwrap_or("—"),
            c["description"]
                .as_str()
                .unwrap_or_default()
                .replace('|', "\\|"),
            c["excluded"]
                .as_str()
                .unwrap_or_default()
                .replace('|', "\\|")
                .replace('\n', " "),
        );
    }
    md
}
