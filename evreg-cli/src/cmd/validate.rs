//! `evreg validate`: check payloads (simulated, recorded, fixtures) against the
//! catalog, streaming, on every core.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evreg_core::{Catalog, Registry, RegistryError, SchemaEntry, Status};
use serde::Serialize;
use serde_json::{Value, json};

use crate::opt::{Opt, ValidateArgs, ValidateFormat};

/// NDJSON lines validated together (memory stays bounded by one batch).
const BATCH: usize = 4096;

/// The longest NDJSON line read; a longer one is a problem of its own, its
/// bytes skipped (so memory is bounded by bytes, not only by lines).
const MAX_LINE_BYTES: usize = 16 << 20;

/// Where an item came from.
#[derive(Debug, Clone, Serialize)]
struct Origin {
    file: String,
    /// One-based line, for NDJSON and for JSON syntax errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    /// Index in a JSON file holding an array of items.
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(index) = self.index {
            write!(f, "[{index}]")?;
        }
        Ok(())
    }
}

/// One item to check: already parsed (JSON files), or an NDJSON line parsed by
/// the worker that checks it.
enum Input {
    Parsed(serde_json::Result<Value>),
    Line(String),
    /// A line that could not be read as text: the kind and why.
    Unreadable(&'static str, String),
}

/// One problem, as printed and as in `--format json`.
#[derive(Debug, Serialize)]
struct Problem {
    severity: &'static str,
    /// `invalid`, `unknown-schema`, `not-an-envelope`, `json-syntax`, `deprecated`
    kind: &'static str,
    #[serde(flatten)]
    origin: Origin,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    schema_ref: Option<String>,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<evreg_core::ValidationError>,
}

/// What happened to one item.
struct Outcome {
    schema_ref: Option<String>,
    valid: bool,
    problems: Vec<Problem>,
}

#[derive(Default)]
struct Summary {
    checked: usize,
    valid: usize,
    invalid: usize,
    errors: usize,
    warnings: usize,
    by_ref: BTreeMap<String, (usize, usize)>,
}

/// What fixes the schema of every item, and how deprecated events count:
/// the options of `evreg validate` that `evreg serve` shares.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Every item is a bare payload of this ref (`--ref`).
    pub schema_ref: Option<String>,
    /// Every item is a bare payload of this event type (`--type`).
    pub event_type: Option<String>,
    /// With `event_type`, this version (`--version`).
    pub version: Option<u32>,
    /// A deprecated event is an error, not a warning (`--deny-deprecated`).
    pub deny_deprecated: bool,
}

pub(crate) struct Validator<'a> {
    catalog: &'a Catalog,
    registry: Registry,
    args: Options,
}

pub fn run(opt: &Opt, args: &ValidateArgs) -> Result<ExitCode, super::CliError> {
    let dir = opt.catalog_dir(None)?;
    let catalog = match super::load(opt, &dir) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let validator = Validator::new(
        &catalog,
        Options {
            schema_ref: args.schema_ref.clone(),
            event_type: args.event_type.clone(),
            version: args.version,
            deny_deprecated: args.deny_deprecated,
        },
    );
    if let Some(r) = &args.schema_ref {
        validator
            .registry
            .get(r)
            .ok_or_else(|| unknown(&validator.registry, r))?;
    }
    if let Some(t) = &args.event_type {
        validator.fixed_entry(t)?;
    }
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let mut out = std::io::stdout().lock();
    let mut summary = Summary::default();
    // JSON: problems are written as they are found, so that memory stays
    // bounded however many there are; the summary follows them.
    let json = args.format == ValidateFormat::Json;
    if json {
        write!(out, "{{\n  \"problems\": [")?;
    }
    let mut written = 0usize;
    let mut read = Ok(());
    for file in &files {
        let mut report = |outcomes: Vec<Outcome>| -> std::io::Result<()> {
            for o in outcomes {
                summary.add(&o);
                for p in o.problems {
                    match args.format {
                        ValidateFormat::Json => {
                            let sep = if written == 0 { "" } else { "," };
                            write!(out, "{sep}\n    {}", serde_json::to_string(&p)?)?;
                            written += 1;
                        }
                        ValidateFormat::Text => writeln!(out, "{}", text(&p))?,
                        ValidateFormat::Github => writeln!(out, "{}", github(&p))?,
                    }
                }
            }
            Ok(())
        };
        read = validator.file(file, &mut report);
        if read.is_err() {
            break;
        }
    }
    let empty = read.is_ok() && summary.checked == 0 && summary.errors == 0 && !args.allow_empty;
    match args.format {
        ValidateFormat::Json => {
            let summary_doc = summary.json();
            let ok = summary.failed(args.deny_deprecated) == 0 && !empty && read.is_ok();
            let closing = if written == 0 { "]" } else { "\n  ]" };
            let summary_text = serde_json::to_string_pretty(&summary_doc)?.replace('\n', "\n  ");
            writeln!(
                out,
                "{closing},\n  \"summary\": {summary_text},\n  \"ok\": {ok}\n}}"
            )?;
        }
        ValidateFormat::Text | ValidateFormat::Github => {
            eprintln!(
                "validated {}: {} valid, {} invalid, {}, {}",
                evreg_core::naming::count(summary.checked, "payload", "payloads"),
                summary.valid,
                summary.invalid,
                evreg_core::naming::count(summary.errors, "error", "errors"),
                evreg_core::naming::count(summary.warnings, "warning", "warnings")
            );
            for (r, (valid, invalid)) in &summary.by_ref {
                eprintln!("  {r}: {valid} valid, {invalid} invalid");
            }
        }
    }
    read?;
    if empty {
        eprintln!(
            "error: no payload was read (the input is empty: did the program writing it fail?); \
             pass --allow-empty when no payload is expected"
        );
    }
    Ok(if summary.failed(args.deny_deprecated) > 0 || empty {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

impl Summary {
    fn add(&mut self, o: &Outcome) {
        let is_item = o.schema_ref.is_some();
        if is_item {
            self.checked += 1;
            let counts = self
                .by_ref
                .entry(o.schema_ref.clone().unwrap_or_default())
                .or_default();
            if o.valid {
                self.valid += 1;
                counts.0 += 1;
            } else {
                self.invalid += 1;
                counts.1 += 1;
            }
        }
        for p in &o.problems {
            match (p.severity, p.kind) {
                (_, "invalid") => {}
                ("warning", _) => self.warnings += 1,
                _ => self.errors += 1,
            }
        }
    }

    /// The `summary` of the JSON report.
    fn json(&self) -> Value {
        let by_ref: BTreeMap<&String, Value> = self
            .by_ref
            .iter()
            .map(|(r, (v, i))| (r, json!({ "valid": v, "invalid": i })))
            .collect();
        json!({
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "errors": self.errors,
            "warnings": self.warnings,
            "by_ref": by_ref,
        })
    }

    fn failed(&self, deny_deprecated: bool) -> usize {
        self.invalid + self.errors + if deny_deprecated { self.warnings } else { 0 }
    }
}

/// Reads the next line of `reader` into `line` (without its `\n` or
/// `\r\n`), keeping at most `limit` bytes: `None` at the end of input, else
/// how many bytes past the limit were skipped.
fn next_line(
    reader: &mut dyn BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<usize>> {
    line.clear();
    let (mut skipped, mut any) = (0, false);
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = limit.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        skipped += chunk.len().saturating_sub(room);
        let used = done.unwrap_or(chunk.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(skipped))
}

fn unknown(registry: &Registry, name: &str) -> super::CliError {
    let refs = registry.entries().map(SchemaEntry::schema_ref);
    let hint = evreg_core::naming::did_you_mean(name, refs)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    super::CliError::Usage(format!("no schema `{name}` in the catalog{hint}"))
}

impl<'a> Validator<'a> {
    pub(crate) fn new(catalog: &'a Catalog, options: Options) -> Validator<'a> {
        Validator::with_registry(catalog, Registry::from_catalog(catalog), options)
    }

    /// A validator over `registry`, the registry of `catalog` already built
    /// (a clone shares its compiled schemas).
    pub(crate) fn with_registry(
        catalog: &'a Catalog,
        registry: Registry,
        options: Options,
    ) -> Validator<'a> {
        Validator {
            registry,
            catalog,
            args: options,
        }
    }

    /// The JSON report of `evreg validate --format json` on `text`, read as
    /// one JSON document (an item or an array of items) when it is one,
    /// else as NDJSON, its items named `name`.
    pub(crate) fn report(&self, name: &str, text: &str) -> Value {
        let origin = |line, index| Origin {
            file: name.to_owned(),
            line,
            index,
        };
        let items: Vec<(Origin, Input)> = match evreg_core::catalog::from_str_unique(text) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (origin(None, Some(i)), Input::Parsed(Ok(v))))
                .collect(),
            Ok(item) => vec![(origin(None, None), Input::Parsed(Ok(item)))],
            Err(_) => text
                .lines()
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .map(|(n, line)| (origin(Some(n + 1), None), Input::Line(line.to_owned())))
                .collect(),
        };
        let mut summary = Summary::default();
        let mut problems = Vec::new();
        for outcome in self.batch(items) {
            summary.add(&outcome);
            problems.extend(outcome.problems);
        }
        let ok = summary.failed(self.args.deny_deprecated) == 0 && summary.checked > 0;
        json!({"problems": problems, "summary": summary.json(), "ok": ok})
    }

    /// The schema `--type`/`--version` name.
    fn fixed_entry(&self, event_type: &str) -> Result<&SchemaEntry, super::CliError> {
        let entry = match self.args.version {
            Some(v) => self.registry.find(event_type, v),
            None => self.registry.latest(event_type),
        };
        entry.ok_or_else(|| {
            let name = self
                .args
                .version
                .map_or(event_type.to_owned(), |v| format!("{event_type} v{v}"));
            let types = self.catalog.events().iter().map(|e| e.event_type.as_str());
            let hint = evreg_core::naming::did_you_mean(event_type, types)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            super::CliError::Usage(format!("no event `{name}` in the catalog{hint}"))
        })
    }

    /// Validates one input, handing outcomes to `report` in input order.
    fn file(
        &self,
        path: &Path,
        report: &mut dyn FnMut(Vec<Outcome>) -> std::io::Result<()>,
    ) -> Result<(), super::CliError> {
        let name = path.to_string_lossy().into_owned();
        let ndjson = name == "-"
            || path
                .extension()
                .is_some_and(|e| e == "ndjson" || e == "jsonl");
        if !ndjson {
            let text = std::fs::read_to_string(path)
                .map_err(|e| super::CliError::Usage(format!("cannot read `{name}`: {e}")))?;
            let origin = |line, index| Origin {
                file: name.clone(),
                line,
                index,
            };
            let outcomes = match evreg_core::catalog::from_str_unique(&text) {
                Ok(Value::Array(items)) => {
                    let items: Vec<_> = items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (origin(None, Some(i)), Input::Parsed(Ok(v))))
                        .collect();
                    self.batch(items)
                }
                Ok(item) => self.batch(vec![(origin(None, None), Input::Parsed(Ok(item)))]),
                Err(e) => self.batch(vec![(origin(Some(e.line()), None), Input::Parsed(Err(e)))]),
            };
            report(outcomes)?;
            return Ok(());
        }
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(path)
                .map_err(|e| super::CliError::Usage(format!("cannot read `{name}`: {e}")))?;
            Box::new(std::io::BufReader::new(file))
        };
        let mut reader = reader;
        let mut batch = Vec::with_capacity(BATCH);
        let mut bytes = Vec::new();
        let mut n = 0;
        while let Some(skipped) = next_line(&mut reader, &mut bytes, MAX_LINE_BYTES)? {
            n += 1;
            let origin = Origin {
                file: name.clone(),
                line: Some(n),
                index: None,
            };
            let input = if skipped > 0 {
                Input::Unreadable(
                    "too-long",
                    format!(
                        "line of {} bytes; lines are limited to {MAX_LINE_BYTES} bytes",
                        bytes.len() + skipped
                    ),
                )
            } else {
                match std::str::from_utf8(&bytes) {
                    Ok(line) if line.trim().is_empty() => continue,
                    Ok(line) => Input::Line(line.to_owned()),
                    Err(e) => Input::Unreadable(
                        "not-utf8",
                        format!(
                            "not valid UTF-8 at byte {} of the line",
                            e.valid_up_to() + 1
                        ),
                    ),
                }
            };
            batch.push((origin, input));
            if batch.len() == BATCH {
                report(self.batch(std::mem::take(&mut batch)))?;
            }
        }
        report(self.batch(batch))?;
        Ok(())
    }

    /// Validates a batch on every core, keeping its order.
    fn batch(&self, items: Vec<(Origin, Input)>) -> Vec<Outcome> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = items.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .map(|c| {
                    s.spawn(move || c.iter().map(|(o, v)| self.item(o, v)).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    fn item(&self, origin: &Origin, input: &Input) -> Outcome {
        let problem = |kind, message: String| Outcome {
            schema_ref: None,
            valid: false,
            problems: vec![Problem {
                severity: "error",
                kind,
                origin: origin.clone(),
                schema_ref: None,
                message,
                errors: Vec::new(),
            }],
        };
        let parsed;
        let item = match input {
            Input::Parsed(item) => item,
            Input::Line(line) => {
                parsed = evreg_core::catalog::from_str_unique(line);
                &parsed
            }
            Input::Unreadable(kind, message) => return problem(kind, message.clone()),
        };
        let item = match item {
            Ok(v) => v,
            Err(e) => {
                let message = e.to_string();
                let message = message
                    .rfind(" at line ")
                    .map_or(message.as_str(), |cut| &message[..cut]);
                return problem(
                    "json-syntax",
                    format!("malformed JSON at column {}: {message}", e.column()),
                );
            }
        };
        let (entry, payload) = match self.target(item) {
            Ok(found) => found,
            Err((kind, message)) => return problem(kind, message),
        };
        let mut problems = Vec::new();
        if let Some(event) = self.catalog.event(entry.event_type())
            && event.status == Status::Deprecated
        {
            let replacement = event.replaced_by.as_deref().unwrap_or("?");
            problems.push(Problem {
                severity: if self.args.deny_deprecated {
                    "error"
                } else {
                    "warning"
                },
                kind: "deprecated",
                origin: origin.clone(),
                schema_ref: Some(entry.schema_ref().to_owned()),
                message: format!("`{}` is deprecated; use `{replacement}`", event.event_type),
                errors: Vec::new(),
            });
        }
        let valid = match entry.validate(payload) {
            Ok(()) => true,
            Err(RegistryError::Invalid(e)) => {
                let first = &e.errors[0];
                let at = if first.instance_path.is_empty() {
                    "/"
                } else {
                    &first.instance_path
                };
                let more = match e.errors.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                problems.push(Problem {
                    severity: "error",
                    kind: "invalid",
                    origin: origin.clone(),
                    schema_ref: Some(entry.schema_ref().to_owned()),
                    message: format!("{at}: {} [{}]{more}", first.message, first.keyword),
                    errors: e.errors,
                });
                false
            }
            Err(other) => {
                problems.push(Problem {
                    severity: "error",
                    kind: "unknown-schema",
                    origin: origin.clone(),
                    schema_ref: Some(entry.schema_ref().to_owned()),
                    message: other.to_string(),
                    errors: Vec::new(),
                });
                false
            }
        };
        Outcome {
            schema_ref: Some(entry.schema_ref().to_owned()),
            valid,
            problems,
        }
    }

    /// The schema an item names, and its payload.
    fn target<'v>(
        &self,
        item: &'v Value,
    ) -> Result<(&SchemaEntry, &'v Value), (&'static str, String)> {
        let unknown = |name: &str, candidates: Vec<&str>| {
            let hint = evreg_core::naming::did_you_mean(name, candidates)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            (
                "unknown-schema",
                format!("no schema `{name}` in the catalog{hint}"),
            )
        };
        if let Some(r) = &self.args.schema_ref {
            return self
                .registry
                .get(r)
                .map(|e| (e, item))
                .ok_or_else(|| unknown(r, Vec::new()));
        }
        if let Some(t) = &self.args.event_type {
            return self
                .fixed_entry(t)
                .map(|e| (e, item))
                .map_err(|e| ("unknown-schema", e.to_string()));
        }
        let payload = item.get("payload").filter(|p| p.is_object());
        let by_ref = item.get("payloadSchemaRef").and_then(Value::as_str);
        let by_type = item
            .get("type")
            .or_else(|| item.get("eventType"))
            .and_then(Value::as_str);
        let contradiction = |message: String| ("contradiction", message);
        if let (Some(a), Some(b)) = (
            item.get("type").and_then(Value::as_str),
            item.get("eventType").and_then(Value::as_str),
        ) && self.registry.latest(a).map(SchemaEntry::event_type)
            != self.registry.latest(b).map(SchemaEntry::event_type)
        {
            return Err(contradiction(format!(
                "`type` is `{a}` and `eventType` is `{b}`: which is it?"
            )));
        }
        match (payload, by_ref, by_type) {
            (Some(payload), Some(r), _) => {
                let refs = self.registry.entries().map(SchemaEntry::schema_ref).collect();
                let entry = self.registry.get(r).ok_or_else(|| unknown(r, refs))?;
                // `type` and `version` beside the ref must name the same schema.
                if let Some(t) = by_type
                    && self.registry.latest(t).map(SchemaEntry::event_type) != Some(entry.event_type())
                {
                    return Err(contradiction(format!(
                        "`payloadSchemaRef` is `{r}`, a schema of `{}`, but `type` is `{t}`",
                        entry.event_type()
                    )));
                }
                if let Some(v) = item.get("version")
                    && v.as_u64() != Some(u64::from(entry.version()))
                {
                    return Err(contradiction(format!(
                        "`payloadSchemaRef` is `{r}`, version {}, but `version` is {v}",
                        entry.version()
                    )));
                }
                Ok((entry, payload))
            }
            (Some(payload), None, Some(t)) => {
                let entry = match item.get("version") {
                    None => self.registry.latest(t),
                    Some(v) => match v.as_u64().and_then(|v| u32::try_from(v).ok()) {
                        Some(v) => self.registry.find(t, v),
                        None => return Err(("not-an-envelope", format!("`version` must be a positive integer, found {v}"))),
                    },
                };
                let name = item.get("version").map_or(t.to_owned(), |v| format!("{t} v{v}"));
                let types = self.catalog.events().iter().map(|e| e.event_type.as_str()).collect();
                entry.map(|e| (e, payload)).ok_or_else(|| unknown(&name, types))
            }
            _ => Err((
                "not-an-envelope",
                "not an envelope: expected {\"type\", \"version\", \"payload\"} or {\"payloadSchemaRef\", \"payload\"}; \
                 give --ref or --type to validate bare payloads"
                    .to_owned(),
            )),
        }
    }
}

impl Problem {
    /// `payload.X.v1: ` when the problem has a schema, else nothing.
    fn subject(&self) -> String {
        self.schema_ref
            .as_deref()
            .map(|r| format!("{r}: "))
            .unwrap_or_default()
    }
}

fn text(p: &Problem) -> String {
    format!(
        "{}: {}[{}]: {}{}",
        p.origin,
        p.severity,
        p.kind,
        p.subject(),
        p.message
    )
}

/// A GitHub Actions workflow command (`::error file=…,line=…::message`).
fn github(p: &Problem) -> String {
    let escape = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
    let mut props = format!("file={}", property(&p.origin.file));
    if let Some(line) = p.origin.line {
        props.push_str(&format!(",line={line}"));
    }
    format!(
        "::{} {props}::{}{}",
        p.severity,
        escape(&p.subject()),
        escape(&p.message)
    )
}
