//! The documentation's examples are real: the catalog in docs/catalog-format.md
//! loads cleanly, and every `evreg` command in docs/cli.md runs with the exit code
//! the page gives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evreg::Catalog;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// Fenced blocks whose info string names a file: ```toml file=catalog.toml
fn file_blocks(markdown: &str) -> BTreeMap<String, String> {
    blocks(markdown, "file=")
}

/// Fenced blocks whose info string holds `KEY…` (`file=`, `written=`,
/// `run`), by what follows the key.
fn blocks(markdown: &str, key: &str) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match &mut current {
            Some((name, body)) => {
                if line.trim_start().starts_with("```") {
                    files.insert(std::mem::take(name), std::mem::take(body));
                    current = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
            None => {
                if let Some(info) = line.strip_prefix("```")
                    && let Some(name) = info.split_whitespace().find_map(|w| w.strip_prefix(key))
                {
                    current = Some((name.to_owned(), String::new()));
                }
            }
        }
    }
    files
}

#[test]
fn catalog_format_example_loads_without_diagnostics() {
    let markdown = std::fs::read_to_string(repo().join("docs/catalog-format.md")).unwrap();
    let files = file_blocks(&markdown);
    assert!(
        files.contains_key("catalog.toml") && files.len() >= 6,
        "{:?}",
        files.keys()
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in &files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let report = Catalog::check(dir.path());
    let shown: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.display(&report.sources).to_string())
        .collect();
    assert!(report.diagnostics.is_empty(), "{shown:#?}");
    let catalog = report.catalog.unwrap();
    assert_eq!(catalog.events().len(), 4);
    let (_, v1) = catalog.version_by_ref("payload.TicketCreated.v1").unwrap();
    assert_eq!(v1.examples.len(), 2);
    assert_eq!(v1.invalid_examples.len(), 1);
    // The shared definition was bundled into the payload schema.
    assert!(v1.schema["$defs"]["Money"].is_object());
    assert_eq!(v1.schema["properties"]["estimate"]["$ref"], "#/$defs/Money");
    // Base fields were merged.
    assert_eq!(v1.schema["required"][0], "tenantId");
    let (_, message) = catalog
        .version_by_ref("payload.TicketMessageAdded.v1")
        .unwrap();
    assert!(
        message.schema["$defs"]["FieldChange"].is_object(),
        "definitions reached through definitions are bundled"
    );
}

/// Every excerpt of generated code in docs/codegen.md (a fenced block after
/// `<!-- excerpt: FIXTURE -->`) is verbatim in what evreg generates for
/// `tests/fixtures/codegen/FIXTURE`, and the JSON schema shown is the
/// minimal fixture's.
#[test]
fn codegen_md_shows_what_evreg_generates() {
    let page = std::fs::read_to_string(repo().join("docs/codegen.md")).unwrap();
    let mut excerpts = 0;
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let Some(fixture) = line
            .strip_prefix("<!-- excerpt: ")
            .and_then(|l| l.strip_suffix(" -->"))
        else {
            continue;
        };
        assert!(lines.next().unwrap().starts_with("```rust"));
        let mut block = String::new();
        for l in lines.by_ref().take_while(|l| !l.starts_with("```")) {
            block.push_str(l);
            block.push('\n');
        }
        let catalog = Catalog::load(repo().join("tests/fixtures/codegen").join(fixture)).unwrap();
        let code = evreg_codegen::generate(&catalog).unwrap();
        assert!(
            code.contains(&block),
            "docs/codegen.md excerpt of `{fixture}` is not in the generated code:\n{block}"
        );
        excerpts += 1;
    }
    assert_eq!(excerpts, 5);

    // The schema shown is the fixture's (annotations aside).
    let json_block = page
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap();
    let shown: serde_json::Value = serde_json::from_str(json_block).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo().join("tests/fixtures/codegen/minimal/schemas/note-added.v1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    file.as_object_mut().unwrap().remove("$schema");
    assert_eq!(shown, file);
}

/// `PATH` with the `evreg` under test first.
fn path_with_evreg() -> String {
    let bin = assert_cmd::cargo::cargo_bin("evreg");
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Every `run:` step of the workflow in docs/ci.md (except `# setup` ones)
/// succeeds here, with the workflow's `env:` and the `evreg` under test on
/// the PATH.
#[test]
fn ci_md_workflow_runs() {
    let page = std::fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    let yaml = page
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap();
    let mut env = Vec::new();
    let mut steps = Vec::new();
    let mut in_env = false;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if trimmed == "env:" {
            in_env = true;
            continue;
        }
        if in_env {
            match trimmed.split_once(": ") {
                Some((k, v))
                    if !trimmed.starts_with('-')
                        && k.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
                {
                    env.push((k.to_owned(), v.to_owned()));
                    continue;
                }
                _ => in_env = false,
            }
        }
        if let Some(run) = trimmed.strip_prefix("- run: ") {
            if run.contains("# setup") {
                continue;
            }
            let run = run
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or(run);
            steps.push(run.to_owned());
        }
    }
    assert!(steps.len() >= 4, "{steps:?}");
    assert_eq!(env.len(), 3);
    let path = path_with_evreg();
    let work = tempfile::tempdir().unwrap();
    for step in &steps {
        let out = std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", step])
            .current_dir(repo())
            .env("PATH", &path)
            .env("TMPDIR", work.path())
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "docs/ci.md step failed: {step}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The ```` ```console ```` blocks of a page, each as its commands (`$ …`)
/// with the output lines that follow each.
fn console_blocks(page: &str) -> Vec<Vec<(String, String)>> {
    page.split("```console\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .map(|block| {
            let mut commands: Vec<(String, String)> = Vec::new();
            for line in block.lines() {
                match (line.strip_prefix("$ "), commands.last_mut()) {
                    (Some(command), _) => commands.push((command.to_owned(), String::new())),
                    (None, Some((_, output))) => {
                        output.push_str(line);
                        output.push('\n');
                    }
                    (None, None) => panic!("output before a command: {line}"),
                }
            }
            commands
        })
        .collect()
}

/// Runs `commands` in `dir` with bash, `evreg` on the PATH and `env` set:
/// each must succeed unless its output shows an `error:`, and print (stdout
/// and stderr) what the page shows after it.
fn run_console(page: &str, commands: &[(String, String)], dir: &Path, env: &[(&str, &str)]) {
    let path = path_with_evreg();
    for (command, expected) in commands {
        let out = std::process::Command::new("bash")
            .args(["-o", "pipefail", "-c", &format!("{command} 2>&1")])
            .current_dir(dir)
            .env("PATH", &path)
            .env_remove("EVREG_CATALOG")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        let expect_failure = expected.lines().any(|l| l.starts_with("error:"));
        assert_eq!(
            out.status.success(),
            !expect_failure,
            "{page}: `{command}` exited {:?}\n{shown}",
            out.status.code()
        );
        if !expected.is_empty() {
            assert_eq!(&shown, expected, "{page}: `{command}`");
        }
    }
}

/// The console block of docs/site.md runs as shown, in a folder holding the
/// shipped catalog.
#[test]
fn site_md_console_runs() {
    let page = std::fs::read_to_string(repo().join("docs/site.md")).unwrap();
    let blocks = console_blocks(&page);
    assert_eq!(blocks.len(), 1, "console blocks of docs/site.md");
    let work = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("catalog"), work.path().join("catalog")).unwrap();
    run_console("docs/site.md", &blocks[0], work.path(), &[]);
}

/// The console blocks of docs/migrations.md run as they are, in order, in
/// one folder holding the shipped catalog; each block gets a fresh
/// PostgreSQL schema as `$DATABASE_URL`. Lines after a `$` command are its
/// output (stdout and stderr), which must match.
#[test]
fn migrations_md_console_runs() {
    let Some(url) = evreg_tests::services::url("EVREG_TEST_POSTGRES_URL", "docs/migrations.md")
    else {
        return;
    };
    let page = std::fs::read_to_string(repo().join("docs/migrations.md")).unwrap();
    let blocks = console_blocks(&page);
    assert!(blocks.len() >= 2, "console blocks of docs/migrations.md");

    let work = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("catalog"), work.path().join("catalog")).unwrap();
    let psql = |sql: &str| {
        let out = std::process::Command::new("psql")
            .args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", sql])
            .output()
            .expect("psql runs (install postgresql-client)");
        assert!(out.status.success(), "{out:?}");
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    for (i, block) in blocks.iter().enumerate() {
        let schema = format!("evreg_docs_{}_{i}", std::process::id());
        psql(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ));
        let database_url = format!("{url}{sep}options=-csearch_path%3D{schema}");
        run_console(
            "docs/migrations.md",
            block,
            work.path(),
            &[("DATABASE_URL", &database_url)],
        );
        psql(&format!("DROP SCHEMA {schema} CASCADE"));
    }
}

/// The list of event types at the end of docs/event-system.md is the
/// shipped catalog's, with the generated payload type of each version.
/// `EVREG_BLESS=1` rewrites it.
#[test]
fn event_system_md_lists_the_event_types() {
    let catalog = evreg::Catalog::load(repo().join("catalog")).unwrap();
    // The names are those of the generated code (checked in, kept current by CI).
    let generated = std::fs::read_to_string(repo().join("examples/service/src/events.rs")).unwrap();
    let mut table = String::from(
        "| event type | payload types (versions) | category | description |\n|---|---|---|---|\n",
    );
    for e in catalog.events() {
        let types: Vec<String> = e
            .versions
            .iter()
            .map(|v| {
                let name = v
                    .schema_ref
                    .trim_start_matches("payload.")
                    .replace(".v", "V");
                assert!(
                    generated.contains(&format!("pub struct {name} {{")),
                    "no generated type `{name}`"
                );
                format!("`{name}`")
            })
            .collect();
        let status = match e.status {
            evreg::Status::Deprecated => " (deprecated)",
            _ => "",
        };
        table.push_str(&format!(
            "| `{}`{status} | {} | {} | {} |\n",
            e.event_type,
            types.join(", "),
            e.category,
            e.description.replace('|', "\\|").replace('\n', " ")
        ));
    }
    let path = repo().join("docs/event-system.md");
    let page = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- event-types:begin -->\n", "<!-- event-types:end -->");
    let start = page.find(begin).expect("begin marker") + begin.len();
    let stop = page.find(end).expect("end marker");
    if std::env::var_os("EVREG_BLESS").is_some() {
        let updated = format!("{}{table}{}", &page[..start], &page[stop..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &page[start..stop],
        table,
        "docs/event-system.md lists other event types than the catalog has; \
         run EVREG_BLESS=1 cargo test -p evreg-tests --test docs event_types"
    );
}

/// The codes the sources pass to `Diagnostic::error` and `Diagnostic::warning`
/// as literals (the few passed through a variable are caught at run time by
/// the constructors' check against `CODES`).
fn codes_in_sources(dir: &Path, found: &mut BTreeMap<String, PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            codes_in_sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for call in ["Diagnostic::error(", "Diagnostic::warning("] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    if let Some(rest) = rest.strip_prefix('"') {
                        let code = &rest[..rest.find('"').unwrap()];
                        found.insert(code.to_owned(), path.clone());
                    }
                }
            }
        }
    }
}

#[test]
fn every_diagnostic_code_is_listed_and_documented() {
    let known: std::collections::BTreeSet<&str> =
        evreg::diagnostic::codes::CODES.iter().copied().collect();
    let mut found = BTreeMap::new();
    for krate in ["evreg-core/src", "evreg-codegen/src"] {
        codes_in_sources(&repo().join(krate), &mut found);
    }
    assert!(found.len() > 30, "the scan found too few codes: {found:?}");
    for (code, file) in &found {
        assert!(
            known.contains(code.as_str()),
            "{}: code `{code}` is not in diagnostic::codes::CODES",
            file.display()
        );
    }

    let page = std::fs::read_to_string(repo().join("docs/catalog-format.md")).unwrap();
    let table = &page[page.find("| code | meaning |").expect("the code table")..];
    let table = &table[..table.find("\n\n").unwrap_or(table.len())];
    // The first column of each row: `code`, `code` (warning), …
    let documented: std::collections::BTreeSet<&str> = table
        .lines()
        .skip(2)
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2))
        .collect();
    let undocumented: Vec<_> = known.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "docs/catalog-format.md's code table lacks {undocumented:?} and lists unknown {unknown:?}"
    );
}

/// docs/import.md's command, run on the page's files, reports and writes
/// what the page shows.
#[test]
fn import_md_example_runs_as_shown() {
    let page = std::fs::read_to_string(repo().join("docs/import.md")).unwrap();
    let work = tempfile::tempdir().unwrap();
    for (name, body) in file_blocks(&page) {
        let path = work.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let commands = blocks(&page, "run");
    let [script] = commands.values().collect::<Vec<_>>()[..] else {
        panic!("one ```sh run block")
    };
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(work.path())
        .env("PATH", path_with_evreg())
        .env("NO_COLOR", "1")
        .env_remove("EVREG_CATALOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let reported = page
        .split("reports\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    assert_eq!(stderr, reported);
    let written = blocks(&page, "written=");
    assert_eq!(written.len(), 2);
    for (name, body) in written {
        let file = std::fs::read_to_string(work.path().join(&name)).unwrap();
        assert_eq!(file, body, "{name}");
    }
}

/// What the docs' Rust blocks name is only what a crate that depends on
/// `evreg` can import (and `evreg_codegen` in a build script): never the
/// crates behind the facade, nor this test crate, not even on the lines
/// hidden from the rendered page (`# …`) that set up the doc test.
#[test]
fn docs_show_only_importable_names() {
    let mut pages = vec![repo().join("README.md")];
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let internal = [
        "evreg_tests",
        "evreg_core::",
        "evreg_bus::",
        "evreg_macros::",
    ];
    let mut blocks = 0;
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut in_rust = false;
        for (n, line) in text.lines().enumerate() {
            if let Some(info) = line.trim_start().strip_prefix("```") {
                in_rust = !in_rust && info.starts_with("rust");
                blocks += usize::from(in_rust);
                continue;
            }
            if in_rust {
                for name in internal {
                    assert!(
                        !line.contains(name),
                        "{}:{}: `{name}` is not importable from a crate that depends on evreg: {line}",
                        page.display(),
                        n + 1
                    );
                }
            }
        }
    }
    assert!(blocks > 20, "{blocks} Rust blocks");
}

/// Every page whose Rust blocks compile is compiled as a user's crate
/// compiles it: as doc tests of `evreg` itself (its README and helpers), or
/// of examples/service, a crate whose dependencies are `evreg` and what the
/// pages' own `[dependencies]` blocks add (serde, serde_json, tokio, and
/// tempfile for the doc tests' scratch folders).
#[test]
fn compiled_snippets_run_in_a_crate_that_depends_only_on_evreg() {
    let manifest = std::fs::read_to_string(repo().join("examples/service/Cargo.toml")).unwrap();
    let mut section = "";
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let Some((name, _)) = line.split_once(" = ") else {
            continue;
        };
        if section.ends_with("dependencies]") && !line.starts_with('#') {
            let name = name.split('.').next().unwrap();
            assert!(
                ["evreg", "serde", "serde_json", "tokio", "tempfile"].contains(&name),
                "examples/service depends on `{name}` ({section})"
            );
        }
    }
    let hosts = ["examples/service/src/lib.rs", "evreg/src/lib.rs"]
        .map(|host| std::fs::read_to_string(repo().join(host)).unwrap());
    let mut pages = vec![repo().join("README.md")];
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let mut compiled = 0;
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        let compiles = text.lines().any(|line| {
            line.strip_prefix("```rust")
                .is_some_and(|info| !info.contains("ignore"))
        });
        if !compiles {
            continue;
        }
        compiled += 1;
        let name = page.strip_prefix(repo()).unwrap().to_str().unwrap();
        let include = format!("/{name}\")]");
        assert!(
            hosts.iter().any(|host| host.contains(&include)),
            "{name} has Rust blocks that compile, but neither examples/service \
             nor evreg includes it as doc tests"
        );
    }
    assert!(compiled >= 5, "{compiled} pages with compiled Rust blocks");
}

/// docs/typescript.md's service, generated, compiled by the real `tsc` and
/// run by Node in a folder holding the shipped catalog, prints what the page
/// shows.
#[test]
fn typescript_md_service_runs_as_shown() {
    let Some(modules) =
        evreg_tests::services::path("EVREG_TEST_NODE_MODULES", "docs/typescript.md's service")
    else {
        return;
    };
    let page = std::fs::read_to_string(repo().join("docs/typescript.md")).unwrap();
    let work = tempfile::tempdir().unwrap();
    for (name, body) in file_blocks(&page) {
        std::fs::write(work.path().join(name), body).unwrap();
    }
    evreg_tests::copy_dir(&repo().join("catalog"), &work.path().join("catalog"));
    std::os::unix::fs::symlink(&modules, work.path().join("node_modules")).unwrap();
    std::fs::write(work.path().join("package.json"), r#"{"type": "module"}"#).unwrap();
    let scripts: Vec<String> = blocks(&page, "run").into_values().collect();
    let [script] = &scripts[..] else {
        panic!("one ```sh run block")
    };
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(work.path())
        .env(
            "PATH",
            format!("{}:{}", modules.join(".bin").display(), path_with_evreg()),
        )
        .env("NO_COLOR", "1")
        .env_remove("EVREG_CATALOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = page
        .split("prints\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    assert_eq!(stdout, shown);
}

/// docs/export.md's `index.json` entry is the one `evreg export jsonschema`
/// writes for `TICKET_CREATED` v1 (its fingerprint elided).
#[test]
fn export_md_shows_the_index_evreg_writes() {
    let page = std::fs::read_to_string(repo().join("docs/export.md")).unwrap();
    let shown: serde_json::Value = page
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .map(|json| serde_json::from_str(json).unwrap())
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("evreg"))
        .args(["export", "jsonschema", "catalog", "-o"])
        .arg(out.path())
        .current_dir(repo())
        .env_remove("EVREG_CATALOG")
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("index.json")).unwrap())
            .unwrap();
    assert_eq!(index["catalog"], shown["catalog"]);
    let mut entry = index["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ref"] == "payload.TicketCreated.v1")
        .unwrap()
        .clone();
    assert!(
        entry["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    entry["fingerprint"] = "sha256:…".into();
    assert_eq!(entry, shown["schemas"][0]);
}
