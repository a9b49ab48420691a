//! The never-arrows of docs/architecture.md, read off `cargo metadata`:
//! which evreg crate may depend on which, and what a build script that uses
//! `evreg-codegen` must never compile.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The workspace's resolved graph: package name → names of its normal and
/// build dependencies (dev-dependencies are not part of what a user compiles).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let mut graph = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let name = names[node["id"].as_str().unwrap()].to_owned();
        let deps: BTreeSet<String> = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].as_str() != Some("dev"))
            })
            .map(|d| names[d["pkg"].as_str().unwrap()].to_owned())
            .collect();
        graph.entry(name).or_insert_with(BTreeSet::new).extend(deps);
    }
    graph
}

/// Every package `root` compiles (itself excluded), through normal and build
/// dependencies.
fn reachable(graph: &BTreeMap<String, BTreeSet<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root.to_owned()];
    while let Some(p) = stack.pop() {
        for dep in graph.get(&p).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    seen
}

/// `(crate, what it must never reach)`, as docs/architecture.md lists them.
const NEVER: &[(&str, &[&str])] = &[
    (
        "evreg-core",
        &[
            "evreg",
            "evreg-codegen",
            "evreg-macros",
            "evreg-bus",
            "evreg-cli",
        ],
    ),
    (
        "evreg-codegen",
        &[
            "evreg",
            "evreg-macros",
            "evreg-bus",
            "evreg-cli",
            // What a build script must not compile.
            "clap",
            "tokio",
            "postgres",
            "tokio-postgres",
            "rusqlite",
            "async-nats",
            "mimalloc",
        ],
    ),
    (
        "evreg-bus",
        &["evreg", "evreg-codegen", "evreg-macros", "evreg-cli"],
    ),
    ("evreg-macros", &["evreg-cli", "evreg-bus"]),
];

#[test]
fn the_never_arrows_hold() {
    let graph = graph();
    let mut broken = Vec::new();
    for (krate, never) in NEVER {
        assert!(
            graph.contains_key(*krate),
            "no crate `{krate}` in the workspace"
        );
        let reached = reachable(&graph, krate);
        for bad in *never {
            if reached.contains(*bad) {
                broken.push(format!("{krate} reaches {bad}"));
            }
        }
    }
    assert!(broken.is_empty(), "never-arrows broken: {broken:#?}");
}

#[test]
fn each_folder_holds_the_crate_of_its_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in [
        "evreg",
        "evreg-core",
        "evreg-codegen",
        "evreg-macros",
        "evreg-bus",
        "evreg-cli",
        "evreg-fuzz",
    ] {
        let manifest = std::fs::read_to_string(root.join(krate).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{krate}/Cargo.toml: {e}"));
        assert!(
            manifest.contains(&format!("name = \"{krate}\"")),
            "{krate}/Cargo.toml does not hold package `{krate}`"
        );
        // No dependency renamed to another crate's name.
        assert!(
            !manifest.contains("package = \""),
            "{krate}/Cargo.toml imports a crate under another name"
        );
    }
}
