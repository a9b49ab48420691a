//! Command-line options.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// evreg keeps domain events honest: one catalog of versioned payload schemas,
/// checked and turned into everything that must agree with it.
#[derive(Debug, Parser)]
#[command(name = "evreg", version)]
pub struct Opt {
    /// The catalog folder (holding catalog.toml) [default: catalog, or . inside a catalog folder]
    #[arg(long, global = true, env = "EVREG_CATALOG", value_name = "DIR")]
    pub catalog: Option<PathBuf>,

    /// When to color output
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a catalog: a manifest, one event with a v1 schema and example, and a CI workflow
    Init(InitArgs),
    /// Add an event (`new event TYPE`) or a version of one (`new version TYPE`) to a catalog
    #[command(subcommand)]
    New(NewCommand),
    /// Make a catalog of the events a team has (`import jsonschema DIR`, `import db URL`, `import asyncapi FILE`)
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check a catalog and report every problem, with file, line and column
    Check(CheckArgs),
    /// Generate the catalog's Rust module (payload structs, validators, bus types, registry), or TypeScript types and Zod schemas
    Generate(GenerateArgs),
    /// Serve the catalog as a schema registry over HTTP (Confluent's API, read-only) and as a site to browse
    Serve(ServeArgs),
    /// Write the catalog site (an index with search, a page per event and per shared definition) as static files
    Docs(DocsArgs),
    /// Write the catalog for other tools (`export jsonschema -o DIR`: one bundled schema per payload version)
    #[command(subcommand)]
    Export(ExportCommand),
    /// Write the SQL that creates and upserts the catalog's tables (PostgreSQL or SQLite)
    Migrate(MigrateArgs),
    /// Lock the released payload versions in catalog.lock (new versions only)
    Lock(LockArgs),
    /// Compare two catalogs (folders or git:REF[:path]); exit 1 on a breaking change
    Diff(DiffArgs),
    /// List the catalog's events
    List(ListArgs),
    /// Show one event in full
    Show(ShowArgs),
    /// Print synthetic payloads as NDJSON envelopes: schema-valid, or breaking one rule each
    Simulate(SimulateArgs),
    /// Validate payloads (JSON files, NDJSON files or standard input) against the catalog
    Validate(ValidateArgs),
    /// Read the bus's audit trail and manage its deliveries (list, show, failed, retry, replay), watch events live (tail), relay them to NATS (relay)
    Events(EventsArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people
    Text,
    /// For machines (stable field names, see docs/cli.md)
    Json,
}

/// Color choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Color when writing to a terminal
    Auto,
    /// Always color
    Always,
    /// Never color
    Never,
}

/// The catalog as the first positional argument.
#[derive(Debug, Args)]
pub struct CatalogArg {
    /// The catalog folder (same as --catalog)
    #[arg(value_name = "CATALOG")]
    pub path: Option<PathBuf>,
}

/// `evreg init`
#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The catalog's name [default: the folder's name]
    #[arg(long)]
    pub name: Option<String>,
    /// Write no CI workflow (.github/workflows/evreg.yml beside the catalog folder)
    #[arg(long)]
    pub no_workflow: bool,
}

/// `evreg new`
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A new event: its entry, a v1 schema file and an example with the base fields
    Event(NewEventArgs),
    /// The next version of an event: the last version's schema and example, copied
    Version(NewVersionArgs),
}

/// `evreg new event`
#[derive(Debug, Args)]
pub struct NewEventArgs {
    /// The event type (`ORDER_PLACED`, `order.placed`)
    #[arg(value_name = "TYPE")]
    pub event_type: String,
    /// Its category [default: the type's first part (`orders.placed` → `orders`) or word (`ORDER_PLACED` → `order`)]
    #[arg(long)]
    pub category: Option<String>,
    /// The event file to add it to [default: a new events/<type>.toml]
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `evreg new version`
#[derive(Debug, Args)]
pub struct NewVersionArgs {
    /// The event type
    #[arg(value_name = "TYPE")]
    pub event_type: String,
}

/// `evreg import`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A folder of JSON Schemas, one per event version; the files stay where they are
    Jsonschema(ImportJsonSchemaArgs),
    /// The catalog tables `evreg migrate` writes, read back from a live database
    Db(ImportDbArgs),
    /// The messages of an AsyncAPI 2.x or 3.0 document (YAML or JSON) and their payload schemas
    Asyncapi(ImportAsyncApiArgs),
}

/// `evreg import asyncapi`
#[derive(Debug, Args)]
pub struct ImportAsyncApiArgs {
    /// The AsyncAPI document (`.yaml`, `.yml` or `.json`)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The catalog folder to write; it must hold no catalog yet [default: catalog]
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The catalog's name [default: the document's `info.title`]
    #[arg(long)]
    pub name: Option<String>,
}

/// `evreg import db`
#[derive(Debug, Args)]
pub struct ImportDbArgs {
    /// postgres://… or sqlite://path
    #[arg(value_name = "URL")]
    pub url: String,
    /// The catalog folder to write; it must hold no catalog yet [default: catalog]
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The catalog whose rows to read, when the tables hold several's [default: the only one]
    #[arg(long)]
    pub name: Option<String>,
    /// The event catalog table
    #[arg(long, default_value = "system_event_catalog")]
    pub table: String,
    /// The payload schema table
    #[arg(long, default_value = "system_event_schemas")]
    pub schema_table: String,
}

/// How `evreg import jsonschema` names the events (docs/import.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypesFrom {
    /// The file's path under DIR: `check_run/completed.schema.json` → `check_run.completed`
    Path,
    /// The schema's `title`: `Ticket created` → `TICKET_CREATED`
    Title,
    /// The schema's `$id`, less what every `$id` starts with: `…/orders/placed.json` → `orders.placed`
    Id,
}

/// `evreg import jsonschema`
#[derive(Debug, Args)]
pub struct ImportJsonSchemaArgs {
    /// The folder of schema files (`*.json`, any depth)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The catalog folder to write; it must hold no catalog yet [default: catalog]
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The catalog's name [default: the schema folder's name]
    #[arg(long)]
    pub name: Option<String>,
    /// Where event types come from
    #[arg(long, value_enum, default_value_t = TypesFrom::Path)]
    pub types: TypesFrom,
    /// A folder of example payloads, each matched to the schema of its folder and name, else to the one it validates against
    #[arg(long, value_name = "DIR")]
    pub examples: Option<PathBuf>,
}

/// `evreg check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Treat warnings as errors (exit 1 when there is any)
    #[arg(long)]
    pub deny_warnings: bool,
}

/// `evreg generate`
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The language: a Rust module, or TypeScript types with Zod schemas (a folder of three files)
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    pub lang: Lang,
    /// Write the module to this file, or with --lang typescript the files to this folder (only what changed) [default: standard output]
    #[arg(short, long, value_name = "PATH", required_if_eq("lang", "typescript"))]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 1 with a unified diff when PATH is not what the catalog generates
    #[arg(long, requires = "output")]
    pub check: bool,
}

/// A language `evreg generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// A Rust module (payload structs, validators, bus types, registry)
    Rust,
    /// TypeScript types and Zod schemas (events.ts, schemas.ts, runtime.ts)
    Typescript,
}

/// `evreg serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The address to listen on (port 0: any free port, printed at start)
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "HOST:PORT")]
    pub addr: String,
    /// How an event type names its subject: `type` (TICKET_CREATED) or `type-value` (TICKET_CREATED-value, Confluent's TopicNameStrategy for a topic named after the type)
    #[arg(long, value_enum, default_value_t = crate::serve::model::SubjectNames::Type)]
    pub subjects: crate::serve::model::SubjectNames,
    /// No line per request on standard error
    #[arg(long)]
    pub quiet: bool,
    /// Reload when a file of the catalog changes; a catalog with errors leaves the last good one served
    #[arg(long)]
    pub watch: bool,
}

/// `evreg docs`
#[derive(Debug, Args)]
pub struct DocsArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The folder to write (files only when they changed; pages of events and definitions that left the catalog are removed)
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Write nothing; exit 1 with a unified diff when DIR is not the catalog's site
    #[arg(long)]
    pub check: bool,
}

/// `evreg export`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// One self-contained JSON Schema per payload version (`payload.TicketCreated.v1.json`) and an index.json
    Jsonschema(ExportJsonschemaArgs),
}

/// `evreg export jsonschema`
#[derive(Debug, Args)]
pub struct ExportJsonschemaArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The folder to write (files only when they changed; schemas that left the catalog are removed)
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// The draft of the schemas: `source` (each in its file's draft), or draft-04, draft-06, draft-07, 2019-09, 2020-12
    #[arg(long, default_value = "source", value_parser = parse_export_draft)]
    pub draft: evreg_codegen::export::ExportDraft,
    /// Write nothing; exit 1 with a unified diff when DIR is not what the catalog exports
    #[arg(long)]
    pub check: bool,
}

fn parse_export_draft(name: &str) -> Result<evreg_codegen::export::ExportDraft, String> {
    use evreg_codegen::export::ExportDraft;
    if name == "source" {
        return Ok(ExportDraft::Source);
    }
    evreg_core::schema::dialect::Draft::from_name(name)
        .map(ExportDraft::Draft)
        .ok_or_else(|| {
            format!(
                "`{name}` is no draft: source, draft-04, draft-06, draft-07, 2019-09 or 2020-12"
            )
        })
}

/// SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// PostgreSQL
    Postgres,
    /// SQLite
    Sqlite,
}

/// `evreg migrate`
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// The SQL dialect of the script (with --apply or --check, taken from the URL)
    #[arg(long, value_enum, required_unless_present_any = ["apply", "check"])]
    pub dialect: Option<DialectArg>,
    /// Write the script to this file (only when it changed) [default: standard output]
    #[arg(short, long, value_name = "FILE", conflicts_with_all = ["apply", "check"])]
    pub output: Option<PathBuf>,
    /// Also create the bus's tables: the audit trail, consumers, deliveries,
    /// attempts and cooldowns (PostgreSQL: with row-level-security policies)
    #[arg(long)]
    pub bus: bool,
    /// Apply the script to the database, in one transaction, and count the rows
    #[arg(long, requires = "database_url", conflicts_with = "check")]
    pub apply: bool,
    /// Compare the database with the catalog; exit 1 naming every drift
    #[arg(long, requires = "database_url")]
    pub check: bool,
    /// With --apply to sqlite://PATH: create the database file when it does
    /// not exist (without it, a mistyped path is an error)
    #[arg(long, requires = "apply")]
    pub create: bool,
    /// postgres://… or sqlite://path
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// `evreg events`
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// sqlite://path or postgres://…
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
    #[command(subcommand)]
    pub command: EventsCommand,
}

/// `evreg events …`
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// A tenant's events, oldest first
    List {
        /// The tenant (required: one tenant's trail at a time)
        #[arg(long)]
        tenant: String,
        /// Only this event type
        #[arg(long = "type", value_name = "TYPE")]
        event_type: Option<String>,
        /// Recorded at or after: RFC 3339, or a duration ago (`30d`, `2h`)
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        /// Recorded before: RFC 3339, or a duration ago
        #[arg(long, value_name = "WHEN")]
        until: Option<String>,
        /// Only events whose payload property has this value (`ticketId=…`)
        #[arg(long, value_name = "NAME=VALUE")]
        field: Option<String>,
        /// At most this many
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One event: its payload and its deliveries
    Show {
        /// The tenant
        #[arg(long)]
        tenant: String,
        /// The event's id
        id: String,
    },
    /// Deliveries that failed at least once (retrying, dead, or processed later)
    Failed {
        /// The tenant
        #[arg(long)]
        tenant: String,
        /// Only this consumer
        #[arg(long)]
        consumer: Option<String>,
        /// Only dead letters
        #[arg(long)]
        dead: bool,
        /// At most this many
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Hand a dead (or retrying) delivery to its consumer again, now
    Retry {
        /// The tenant
        #[arg(long)]
        tenant: String,
        /// The consumer
        #[arg(long)]
        consumer: String,
        /// The event's id
        id: String,
    },
    /// Watch events live as they are published (for debugging; Ctrl-C stops)
    Tail {
        /// Where to watch: the NATS stream, or the database's audit trail
        #[arg(long, value_enum, default_value_t = TailTransport::Nats)]
        transport: TailTransport,
        /// Only this tenant's events (required with --transport database)
        #[arg(long)]
        tenant: Option<String>,
        /// Only this event type
        #[arg(long = "type", value_name = "TYPE")]
        event_type: Option<String>,
        /// Start with the events recorded since WHEN (RFC 3339, or `10m`) [default: new ones only]
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        /// Stop after this many events
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        #[command(flatten)]
        nats: NatsArgs,
    },
    /// Carry the events committed to the database into the NATS stream
    /// (the outbox relay); runs until stopped
    Relay {
        /// Relay what is waiting, then exit
        #[arg(long)]
        once: bool,
        /// Events published at a time
        #[arg(long, default_value_t = 1000, value_name = "N")]
        batch: usize,
        #[command(flatten)]
        nats: NatsArgs,
    },
    /// Deliver every event of a consumer's types recorded since WHEN again
    Replay {
        /// The consumer
        #[arg(long)]
        consumer: String,
        /// RFC 3339, or a duration ago (`1d`)
        #[arg(long, value_name = "WHEN")]
        since: String,
        /// Only this tenant's events [default: every tenant's]
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// Where `evreg events tail` watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TailTransport {
    /// The NATS JetStream stream
    Nats,
    /// The database's audit trail (--database-url, --tenant)
    Database,
}

/// The NATS stream (the `EVREG_NATS_*` variables set the rest: docs/transports.md).
#[derive(Debug, Args)]
pub struct NatsArgs {
    /// The NATS server(s) [env: EVREG_NATS_URL; default: nats://127.0.0.1:4222]
    #[arg(long, value_name = "URL")]
    pub nats_url: Option<String>,
    /// The stream [env: EVREG_NATS_STREAM; default: EVREG_EVENTS]
    #[arg(long, value_name = "NAME")]
    pub stream: Option<String>,
    /// The first subject token [env: EVREG_NATS_PREFIX; default: evreg]
    #[arg(long, value_name = "TOKEN")]
    pub subject_prefix: Option<String>,
}

/// `evreg lock`
#[derive(Debug, Args)]
pub struct LockArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Re-lock this released version although its schema changed (only for
    /// a mistake nobody consumed yet); repeatable
    #[arg(long, value_name = "REF")]
    pub force: Vec<String>,
    /// Change nothing; exit 1 if catalog.lock lacks a version or is out of date
    #[arg(long, conflicts_with = "force")]
    pub check: bool,
}

/// `evreg diff`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old catalog: a folder, or git:REF[:path] (the path defaults to NEW's, from the repository root)
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new catalog folder [default: catalog]
    #[arg(value_name = "NEW")]
    pub new: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

/// `evreg list`
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Only events in this category
    #[arg(long)]
    pub category: Option<String>,
    /// Only events with this status (active, catalog-only, deprecated)
    #[arg(long)]
    pub status: Option<String>,
}

/// `evreg show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The event type (or an alias, or a schema ref such as payload.TicketCreated.v1)
    #[arg(value_name = "TYPE")]
    pub event: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Show only this payload version
    #[arg(long)]
    pub version: Option<u32>,
}

/// `evreg simulate`
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The event type (or alias, or schema ref); with --all, every active event
    #[arg(
        value_name = "TYPE",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub event: Option<String>,
    /// Every version of every active event
    #[arg(long)]
    pub all: bool,
    /// The payload version [default: the latest, or the ref's]
    #[arg(long, conflicts_with = "all")]
    pub version: Option<u32>,
    /// Payloads per version
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// Seed: the same seed prints the same payloads
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The tenantId of every payload
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
    /// Payloads that each break exactly one rule, labelled with it
    #[arg(long)]
    pub invalid: bool,
}

/// Output format of `evreg validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    /// One line per problem, for people
    Text,
    /// One JSON document: problems and summary (see docs/cli.md)
    Json,
    /// GitHub Actions annotations (::error file=…,line=…::)
    Github,
}

/// `evreg validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files to validate: `.json` (one item or an array of items), `.ndjson`/`.jsonl`
    /// (one item per line), or `-` for NDJSON on standard input [default: -]
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Treat every item as a bare payload of this schema ref (payload.TicketCreated.v1)
    #[arg(long = "ref", value_name = "REF", conflicts_with = "event_type")]
    pub schema_ref: Option<String>,
    /// Treat every item as a bare payload of this event type (or alias)
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// With --type: the payload version [default: the latest]
    #[arg(long, requires = "event_type")]
    pub version: Option<u32>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
    /// A payload of a deprecated event is an error, not a warning
    #[arg(long)]
    pub deny_deprecated: bool,
    /// Succeed when the input holds no payload (without it, empty input is
    /// an error: a crashed `simulate | validate` must not pass)
    #[arg(long)]
    pub allow_empty: bool,
}

impl Opt {
    /// The catalog folder: the positional argument, else `--catalog` /
    /// `EVREG_CATALOG`, else `catalog`.
    pub fn catalog_dir(&self, positional: Option<&CatalogArg>) -> Result<PathBuf, String> {
        let positional = positional.and_then(|p| p.path.clone());
        match (positional, &self.catalog) {
            (Some(p), Some(c)) if p != *c => Err(format!(
                "two catalogs given: `{}` and --catalog/EVREG_CATALOG `{}`; give one",
                p.display(),
                c.display()
            )),
            (Some(p), _) => Ok(p),
            (None, Some(c)) => Ok(c.clone()),
            // Inside the catalog folder, it is the catalog.
            (None, None)
                if !Path::new("catalog/catalog.toml").exists()
                    && Path::new("catalog.toml").exists() =>
            {
                Ok(PathBuf::from("."))
            }
            (None, None) => Ok(PathBuf::from("catalog")),
        }
    }
}
