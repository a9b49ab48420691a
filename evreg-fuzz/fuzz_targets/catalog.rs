//! The catalog loader, as `evreg check`, `generate` and `simulate` meet it.
//!
//! An input is an event file, a payload schema and a shared schema, cut
//! apart by the byte 0x1E (the first two are required; see `seeds/catalog`).
//! The event file names the schemas as `../schemas/payload.json` and
//! `../schemas/shared.json`. Each subcommand must end with exit 0, 1 or 2:
//! a panic, a hang (libFuzzer's `-timeout`) or memory over `-rss_limit_mb`
//! is a finding.
#![no_main]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// One folder for the whole run; each input rewrites its files.
static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("events")).unwrap();
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    std::fs::write(
        dir.path().join("catalog.toml"),
        "name = \"fuzz\"\n[checks]\nrequire_examples = false\n",
    )
    .unwrap();
    dir
});

fn evreg(args: &[&str]) -> ExitCode {
    let code = evreg_cli::run_from(std::iter::once("evreg").chain(args.iter().copied()));
    assert!(
        [ExitCode::SUCCESS, ExitCode::from(1), ExitCode::from(2)].contains(&code),
        "evreg {args:?} ended with {code:?}"
    );
    code
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0x1e);
    let (Some(events), Some(payload)) = (parts.next(), parts.next()) else {
        return;
    };
    let shared = parts.next().unwrap_or(b"{}");
    let dir = DIR.path();
    std::fs::write(dir.join("events/events.toml"), events).unwrap();
    std::fs::write(dir.join("schemas/payload.json"), payload).unwrap();
    std::fs::write(dir.join("schemas/shared.json"), shared).unwrap();
    let catalog = dir.to_str().unwrap();
    if evreg(&["check", catalog]) != ExitCode::SUCCESS {
        return;
    }
    let out: PathBuf = dir.join("generated.rs");
    evreg(&["generate", catalog, "-o", out.to_str().unwrap()]);
    evreg(&["--catalog", catalog, "simulate", "--all", "--count", "2"]);
    evreg(&["--catalog", catalog, "simulate", "--all", "--invalid"]);
});
