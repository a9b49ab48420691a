//! Project automation.
//!
//! ```text
//! cargo run -p xtask -- gen-catalog --events 10000 --out target/bench/catalog-10k
//! cargo run -p xtask -- gen-conformance
//! ```
//!
//! `gen-catalog` writes a deterministic synthetic catalog of N events (100 per
//! event file, one JSON Schema file per version, shared definitions, inline and
//! file examples, invalid examples) for benchmarks of whole-program runs.
//! `gen-conformance` turns the vendored JSON-Schema-Test-Suite into the
//! catalog `tests/fixtures/conformance/` (see `conformance.rs`).

mod conformance;
mod load;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen-catalog") => match gen_catalog(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Some("load") => match load::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Some("gen-conformance") => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            match conformance::run(&root) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!(
                "usage: xtask gen-catalog --events N --out DIR [--seed S] | xtask gen-conformance | xtask load HOST:PORT PATH…"
            );
            ExitCode::from(2)
        }
    }
}

fn gen_catalog(args: &[String]) -> Result<(), String> {
    let mut events = 1000usize;
    let mut out = None;
    let mut seed = 1u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--events" => events = value()?.parse().map_err(|e| format!("--events: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    write_catalog(&out, events, seed).map_err(|e| e.to_string())?;
    eprintln!("wrote {events} events to {}", out.display());
    Ok(())
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

const DOMAINS: &[&str] = &[
    "ticket",
    "invoice",
    "payment",
    "project",
    "task",
    "client",
    "contact",
    "asset",
    "document",
    "appointment",
    "webhook",
    "integration",
    "course",
    "recruit",
    "employee",
    "expense",
];
const ACTIONS: &[&str] = &[
    "CREATED",
    "UPDATED",
    "DELETED",
    "ASSIGNED",
    "CLOSED",
    "REOPENED",
    "ARCHIVED",
    "APPROVED",
    "REJECTED",
    "SUBMITTED",
    "ESCALATED",
    "RENEWED",
];

/// A field: name and schema, plus a valid value maker.
fn field(rng: &mut Rng, i: usize) -> (String, Value, Value) {
    match rng.below(7) {
        0 => (
            format!("ref{i}Id"),
            json!({"type": "string", "format": "uuid"}),
            json!(rng.uuid()),
        ),
        1 => (
            format!("label{i}"),
            json!({"type": "string", "minLength": 1, "maxLength": 200}),
            json!(format!("label {}", rng.below(1000))),
        ),
        2 => (
            format!("count{i}"),
            json!({"type": "integer", "minimum": 0, "maximum": 100000}),
            json!(rng.below(100_000)),
        ),
        3 => (
            format!("state{i}"),
            json!({"type": "string", "enum": ["open", "pending", "closed"]}),
            json!(["open", "pending", "closed"][rng.below(3) as usize]),
        ),
        4 => (
            format!("at{i}"),
            json!({"type": "string", "format": "date-time"}),
            json!(format!(
                "2026-0{}-1{}T10:00:00Z",
                1 + rng.below(9),
                rng.below(10)
            )),
        ),
        5 => (
            format!("amount{i}"),
            json!({"$ref": "../common.json#/$defs/Money"}),
            json!({"amountMinor": rng.below(1_000_000), "currency": "EUR"}),
        ),
        _ => (
            format!("tags{i}"),
            json!({"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "maxItems": 5}),
            json!(["alpha", "beta"]),
        ),
    }
}

fn write_catalog(root: &Path, events: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    if root.exists() {
        std::fs::remove_dir_all(root)?;
    }
    std::fs::create_dir_all(root.join("events"))?;
    std::fs::create_dir_all(root.join("schemas/generated"))?;
    std::fs::write(
        root.join("catalog.toml"),
        r#"name = "synthetic"
key_case = "camelCase"

[base]
required = ["tenantId", "occurredAt"]

[base.properties]
tenantId = { type = "string", format = "uuid" }
occurredAt = { type = "string", format = "date-time" }
actorUserId = { type = "string", format = "uuid" }

[definitions]
files = ["schemas/common.json"]
"#,
    )?;
    std::fs::write(
        root.join("schemas/common.json"),
        serde_json::to_string_pretty(&json!({"$defs": {"Money": {
            "type": "object",
            "required": ["amountMinor", "currency"],
            "properties": {
                "amountMinor": {"type": "integer"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}
            },
            "additionalProperties": false
        }}}))
        .expect("serializable"),
    )?;
    let mut file = String::new();
    for n in 0..events {
        let domain = DOMAINS[n % DOMAINS.len()];
        let action = ACTIONS[(n / DOMAINS.len()) % ACTIONS.len()];
        let event_type = format!("{}_{action}_{n}", domain.to_uppercase());
        let versions = if n % 10 == 0 { 2 } else { 1 };
        let _ = writeln!(
            file,
            "[[events]]\ntype = \"{event_type}\"\nname = \"{domain} {} {n}\"\ndescription = \"Synthetic event {n}.\"\ncategory = \"{domain}\"\nowner = \"team-{}\"\n",
            action.to_lowercase(),
            n % 7
        );
        // Version 2 keeps version 1 and adds an optional property: a
        // backward-compatible change, as the default compatibility mode wants.
        let count = 4 + rng.below(8) as usize;
        let mut fields: Vec<(String, Value, Value)> =
            (0..count).map(|i| field(&mut rng, i)).collect();
        for v in 1..=versions {
            if v > 1 {
                let (name, schema, value) = field(&mut rng, count + v as usize);
                fields.push((format!("{name}Added"), schema, value));
            }
            let mut props = serde_json::Map::new();
            let mut example = serde_json::Map::new();
            let mut required = Vec::new();
            example.insert("tenantId".into(), json!(rng.uuid()));
            example.insert("occurredAt".into(), json!("2026-05-01T12:00:00Z"));
            for (i, (name, schema, value)) in fields.iter().enumerate() {
                if i % 2 == 0 && i < count {
                    required.push(name.clone());
                }
                props.insert(name.clone(), schema.clone());
                example.insert(name.clone(), value.clone());
            }
            let schema = json!({
                "type": "object",
                "title": format!("{event_type} v{v}"),
                "required": required,
                "properties": props,
                "additionalProperties": false
            });
            let schema_path = format!("schemas/generated/{}.v{v}.json", event_type.to_lowercase());
            std::fs::write(
                root.join(&schema_path),
                serde_json::to_string_pretty(&schema).expect("json"),
            )?;
            let mut invalid = example.clone();
            invalid.insert("tenantId".into(), json!("not-a-uuid"));
            let _ = writeln!(
                file,
                "[[events.versions]]\nversion = {v}\nschema = \"../{schema_path}\"\nexamples = [{}]\n\n[[events.versions.invalid]]\nreason = \"tenantId must be a UUID\"\npayload = {}\n",
                toml_inline(&Value::Object(example)),
                toml_inline(&Value::Object(invalid)),
            );
        }
        if (n + 1) % 100 == 0 || n + 1 == events {
            std::fs::write(
                root.join(format!("events/events-{:05}.toml", n / 100)),
                &file,
            )?;
            file.clear();
        }
    }
    Ok(())
}

/// A JSON value as a TOML inline value (strings are JSON-escaped, which TOML accepts).
fn toml_inline(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k} = {}", toml_inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}
