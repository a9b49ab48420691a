//! TypeScript and Zod from the catalog, proven with the real tools: the
//! generated files compile with `tsc --strict`, and for random and mutated
//! payloads of every payload schema of the shipped catalog, the codegen
//! fixtures, the JSON-Schema-Test-Suite and GitHub's webhook corpus, the Zod
//! schema's verdict (run by Node) is the registry's. Exported JSON Schemas
//! give the same verdicts in `ajv`.
//!
//! The tools come from `tests/npm` (installed by `.ci/run` with `npm ci`);
//! `EVREG_TEST_NODE_MODULES` names its `node_modules`.

use std::path::{Path, PathBuf};
use std::process::Command;

use evreg::{Catalog, Registry};
use evreg_codegen::export::ExportDraft;
use evreg_tests::mutate::{Case, arb_input, cases_of, mutate};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `tests/npm/node_modules`, or `None` (said loudly) where it is not
/// installed; CI installs it.
fn node_modules() -> Option<PathBuf> {
    evreg_tests::services::path(
        "EVREG_TEST_NODE_MODULES",
        "the TypeScript tests (npm ci --prefix tests/npm installs the tools)",
    )
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("the tool runs");
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The Node script that reads `{ref, payload}` lines and prints one verdict
/// per line: the Zod schema's, or ajv's on the exported schema.
const CHECK: &str = r#"
import { readFileSync } from "node:fs";
const [mode, input, dir] = process.argv.slice(2);
const lines = readFileSync(input, "utf8").split("\n").filter((l) => l.length > 0);
let check;
if (mode === "zod") {
  const { payloadSchemas } = await import("./out/schemas.js");
  check = (ref, payload) => {
    const result = payloadSchemas[ref].safeParse(payload);
    return result.success ? null : result.error.issues.slice(0, 3).map((i) => `${i.path.join("/")}: ${i.message}`);
  };
} else {
  const { default: Ajv2020 } = await import("ajv/dist/2020.js");
  const { default: Ajv } = await import("ajv");
  // The formats as the registry asserts them (ajv-formats' differ: its
  // `uuid` takes `urn:uuid:…`), from the generated runtime.
  const rt = await import("./out/runtime.js");
  const formats = {
    "date-time": rt.dateTime, date: rt.date, time: rt.time, duration: rt.duration, email: rt.email,
    hostname: rt.hostname, ipv4: rt.ipv4, ipv6: rt.ipv6, uri: rt.uri, "uri-reference": rt.uriReference,
    iri: rt.iri, "iri-reference": rt.iriReference, uuid: rt.uuid, "uri-template": rt.uriTemplate,
    "json-pointer": rt.jsonPointer, "relative-json-pointer": rt.relativeJsonPointer, regex: rt.regex,
  };
  const validators = new Map();
  for (const entry of JSON.parse(readFileSync(`${dir}/index.json`, "utf8")).schemas) {
    const schema = JSON.parse(readFileSync(`${dir}/${entry.file}`, "utf8"));
    const ajv = schema.$schema.includes("2020-12") ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
    for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);
    validators.set(entry.ref, ajv.compile(schema));
  }
  check = (ref, payload) => {
    const validate = validators.get(ref);
    return validate(payload) ? null : validate.errors.slice(0, 3).map((e) => `${e.instancePath}: ${e.message}`);
  };
}
const out = lines.map((line) => {
  const { ref, payload } = JSON.parse(line);
  return JSON.stringify(check(ref, payload));
});
process.stdout.write(out.join("\n") + "\n");
"#;

/// A TypeScript project of a catalog's generated files, compiled.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(catalog: &Catalog, modules: &Path) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files = evreg_codegen::typescript::generate(catalog).unwrap_or_else(|d| {
            panic!(
                "{}",
                d.iter()
                    .map(|d| d.message.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        evreg_codegen::output::write_dir(&root.join("src"), &files).unwrap();
        std::os::unix::fs::symlink(modules, root.join("node_modules")).unwrap();
        std::fs::write(root.join("package.json"), r#"{"type": "module"}"#).unwrap();
        std::fs::write(
            root.join("tsconfig.json"),
            json!({
                "compilerOptions": {
                    "strict": true, "module": "nodenext", "moduleResolution": "nodenext",
                    "target": "es2022", "outDir": "out", "rootDir": "src", "skipLibCheck": true
                },
                "include": ["src"]
            })
            .to_string(),
        )
        .unwrap();
        std::fs::write(root.join("check.mjs"), CHECK).unwrap();
        run(Command::new(modules.join(".bin/tsc"))
            .args(["-p", "."])
            .current_dir(root));
        Project { dir }
    }

    /// The verdict of `mode` (`zod`, or `ajv` on the export in `export`)
    /// for each input: `None` when it accepts, else its first issues.
    fn verdicts(
        mode: &str,
        dir: &Path,
        export: &Path,
        inputs: &[(String, Value)],
    ) -> Vec<Option<Vec<String>>> {
        let file = dir.join(format!("{mode}-inputs.ndjson"));
        let text: String = inputs
            .iter()
            .map(|(r, v)| format!("{}\n", json!({"ref": r, "payload": v})))
            .collect();
        std::fs::write(&file, text).unwrap();
        let out = run(Command::new("node")
            .arg(dir.join("check.mjs"))
            .args([mode, file.to_str().unwrap(), export.to_str().unwrap()])
            .current_dir(dir));
        let verdicts: Vec<_> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(verdicts.len(), inputs.len());
        verdicts
    }
}

/// A payload and the schema ref it is checked against.
type Input = (String, Value);

/// Every example and invalid example of `catalog`, and `count` mutations of
/// them, the same on every run (EVREG_PROPTEST_SEED explores others).
fn inputs(cases: &[Case], count: usize) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = cases
        .iter()
        .flat_map(|c| c.examples.iter().map(|e| (c.schema_ref.clone(), e.clone())))
        .collect();
    let seed: u64 = std::env::var("EVREG_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = arb_input(cases.len());
    while out.len() < count {
        let (case, example, ops) = strategy.new_tree(&mut runner).unwrap().current();
        let case = &cases[case];
        if case.examples.is_empty() {
            continue;
        }
        let value = mutate(
            case.examples[example % case.examples.len()].clone(),
            &ops,
            &case.vocabulary,
        );
        out.push((case.schema_ref.clone(), value));
    }
    out
}

/// Whether `value` holds an integer that JavaScript's `JSON.parse` rounds
/// (beyond ±2^53): the one documented difference (docs/typescript.md).
fn beyond_2_53(value: &Value) -> bool {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| n.as_u64().is_some(), |i| i.unsigned_abs() > 1 << 53),
        Value::Array(items) => items.iter().any(beyond_2_53),
        Value::Object(map) => map.values().any(beyond_2_53),
        _ => false,
    }
}

/// The registry and `mode` agree on every input, both verdicts are common,
/// and the disagreements (with their reasons) are listed when not.
fn agree(
    name: &str,
    registry: &[Result<(), String>],
    inputs: &[(String, Value)],
    mode: &str,
    dir: &Path,
    export: &Path,
) {
    let verdicts = Project::verdicts(mode, dir, export, inputs);
    let (mut accepted, mut rejected, mut rounded) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for (((schema_ref, value), verdict), by_registry) in inputs.iter().zip(&verdicts).zip(registry)
    {
        if by_registry.is_ok() {
            accepted += 1;
        } else {
            rejected += 1;
        }
        if by_registry.is_ok() == verdict.is_none() {
            continue;
        }
        if beyond_2_53(value) {
            rounded += 1;
            continue;
        }
        disagreements.push(format!(
            "{schema_ref}: registry {}, {mode} {}\n  {value}",
            by_registry
                .as_ref()
                .err()
                .map_or("accepts".to_owned(), |e| format!("refuses ({e})")),
            verdict.as_ref().map_or("accepts".to_owned(), |i| format!(
                "refuses ({})",
                i.join("; ")
            )),
        ));
    }
    eprintln!(
        "{name}: {} payloads, {accepted} accepted and {rejected} refused by both {mode} and the registry ({rounded} with integers beyond 2^53, which JSON.parse rounds)",
        inputs.len()
    );
    assert!(
        disagreements.is_empty(),
        "{name}: {} of {} payloads disagree:\n{}",
        disagreements.len(),
        inputs.len(),
        disagreements
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        accepted * 20 > inputs.len() && rejected * 20 > inputs.len(),
        "{name}: {accepted} accepted, {rejected} refused"
    );
}

fn zod_agrees(name: &str, catalog: &Catalog, inputs: &[(String, Value)]) {
    let Some(modules) = node_modules() else {
        return;
    };
    let project = Project::new(catalog, &modules);
    let registry = registry_verdicts(catalog, inputs);
    agree(
        name,
        &registry,
        inputs,
        "zod",
        project.dir.path(),
        project.dir.path(),
    );
}

/// The registry's verdict on each input.
fn registry_verdicts(catalog: &Catalog, inputs: &[(String, Value)]) -> Vec<Result<(), String>> {
    let registry = Registry::from_catalog(catalog);
    inputs
        .iter()
        .map(|(r, v)| registry.validate(r, v).map_err(|e| e.to_string()))
        .collect()
}

/// The Zod schemas of `catalog`, and its schemas exported in each of
/// `drafts` read by ajv (with evreg's formats, from the generated runtime),
/// give the registry's verdict on every input.
fn zod_and_ajv_agree(
    name: &str,
    catalog: &Catalog,
    inputs: &[(String, Value)],
    drafts: &[ExportDraft],
) {
    let Some(modules) = node_modules() else {
        return;
    };
    let project = Project::new(catalog, &modules);
    let dir = project.dir.path();
    let registry = registry_verdicts(catalog, inputs);
    agree(name, &registry, inputs, "zod", dir, dir);
    for (i, draft) in drafts.iter().enumerate() {
        let export = dir.join(format!("schemas-{i}"));
        let files = evreg_codegen::export::export(catalog, *draft).unwrap();
        evreg_codegen::output::write_dir(&export, &files).unwrap();
        agree(
            &format!("{name}, exported ({draft:?}), in ajv"),
            &registry,
            inputs,
            "ajv",
            dir,
            &export,
        );
    }
}

fn load(dir: &str) -> Catalog {
    Catalog::load(tests_dir().join(dir)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_shipped_catalog_agrees_in_zod_and_ajv() {
    let catalog = load("../catalog");
    let inputs = inputs(&cases_of(&catalog), 3000);
    zod_and_ajv_agree("shipped catalog", &catalog, &inputs, &[ExportDraft::Source]);
}

#[test]
fn zod_agrees_with_the_registry_on_the_codegen_fixtures() {
    for fixture in [
        "minimal",
        "enums",
        "nested",
        "combinators",
        "constraints",
        "strings",
        "recursive",
        "conditionals",
    ] {
        let catalog = load(&format!("fixtures/codegen/{fixture}"));
        let inputs = inputs(&cases_of(&catalog), 800);
        zod_agrees(fixture, &catalog, &inputs);
    }
}

/// The suite's cases in drafts 04, 06 and 07 (each bundled in 2020-12's
/// words): the Zod schemas give the suite's verdict, as the registry does.
#[test]
fn zod_agrees_with_the_json_schema_test_suite() {
    let Some(modules) = node_modules() else {
        return;
    };
    for draft in ["draft7", "draft6", "draft4"] {
        let dir = format!("fixtures/conformance-drafts/{draft}");
        let catalog = load(&dir);
        let mut inputs = Vec::new();
        let mut names = Vec::new();
        evreg_tests::suite::each_case(&tests_dir().join(&dir).join("cases.json"), draft, |c| {
            inputs.push((c.schema_ref.to_owned(), c.payload.clone()));
            names.push((c.name.clone(), c.expected));
        });
        let project = Project::new(&catalog, &modules);
        let verdicts = Project::verdicts("zod", project.dir.path(), project.dir.path(), &inputs);
        let failures: Vec<String> = names
            .iter()
            .zip(&verdicts)
            .zip(&inputs)
            .filter(|(((_, expected), verdict), _)| verdict.is_none() != *expected)
            .map(|(((name, expected), verdict), (_, payload))| {
                format!("{draft}/{name}: suite says {expected}, zod {verdict:?} for {payload}")
            })
            .collect();
        eprintln!("{draft}: {} cases of the suite through Zod", inputs.len());
        assert!(
            failures.is_empty(),
            "{} of {} cases disagree:\n{}",
            failures.len(),
            inputs.len(),
            failures
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// GitHub's webhook schemas as published (draft-07, 224 events): every
/// example, and 4000 random mutations of them.
fn github() -> Option<(tempfile::TempDir, Catalog, Vec<Input>)> {
    use evreg_tests::github;
    let corpus = github::corpus()?;
    let dir = tempfile::tempdir().unwrap();
    github::write_catalog(
        dir.path(),
        &github::without_bad_examples(github::events(&corpus)),
    );
    let catalog = Catalog::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let cases = cases_of(&catalog);
    let examples: usize = cases.iter().map(|c| c.examples.len()).sum();
    Some((dir, catalog, inputs(&cases, examples + 4000)))
}

/// GitHub's schemas in Zod, and exported in their own draft-07 for ajv
/// (the shipped catalog's are 2020-12).
#[test]
fn github_webhooks_agree_in_zod_and_ajv() {
    let Some((_dir, catalog, inputs)) = github() else {
        return;
    };
    zod_and_ajv_agree("GitHub webhooks", &catalog, &inputs, &[ExportDraft::Source]);
}
