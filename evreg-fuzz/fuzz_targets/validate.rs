//! `evreg validate`'s reader: any bytes as an NDJSON stream of envelopes
//! and payloads, against the `minimal` fixture catalog, in every output
//! format. Exit 0, 1 or 2 only; a panic, a hang (libFuzzer's `-timeout`) or
//! memory over `-rss_limit_mb` is a finding.
#![no_main]

use std::process::ExitCode;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary folder"));

const CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/codegen/minimal"
);

fuzz_target!(|data: &[u8]| {
    let input = DIR.path().join("input.ndjson");
    std::fs::write(&input, data).unwrap();
    let input = input.to_str().unwrap();
    for format in ["json", "text", "github"] {
        let args = [
            "evreg",
            "--catalog",
            CATALOG,
            "validate",
            "--format",
            format,
            input,
        ];
        let code = evreg_cli::run_from(args);
        assert!(
            [ExitCode::SUCCESS, ExitCode::from(1), ExitCode::from(2)].contains(&code),
            "evreg validate --format {format} ended with {code:?}"
        );
    }
});
