//! `evreg_cli::simulate`: every payload it emits validates (by the
//! registry and by the generated types), every invalid one fails for exactly
//! its labelled keyword (both ways too), every version of the shipped catalog
//! and of the fixtures can be simulated, and a seed fixes the output.

use evreg::Catalog;
use evreg_cli::simulate::Simulator;

macro_rules! simulate {
    ($test:ident, $module:path, $dir:expr) => {
        #[test]
        fn $test() {
            use $module as generated;
            let catalog = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut valid = 0;
            let mut invalid = 0;
            for seed in 0..4 {
                let mut sim = Simulator::new(&catalog, seed);
                for (_, v) in catalog.versions() {
                    let payload = sim.valid(v).unwrap_or_else(|e| panic!("{e}"));
                    generated::Event::from_value(&v.schema_ref, payload.clone()).unwrap_or_else(
                        |e| {
                            panic!(
                                "{}: simulated payload refused by the types: {e}\n{payload}",
                                v.schema_ref
                            )
                        },
                    );
                    valid += 1;
                    for bad in sim.invalid(v, usize::MAX).unwrap() {
                        let errors =
                            match generated::registry().validate(&v.schema_ref, &bad.payload) {
                                Err(evreg::RegistryError::Invalid(e)) => e.errors,
                                other => {
                                    panic!("{}: {} accepted ({other:?})", v.schema_ref, bad.reason)
                                }
                            };
                        assert_eq!(errors.len(), 1, "{}: {}", v.schema_ref, bad.reason);
                        assert_eq!(
                            errors[0].keyword, bad.keyword,
                            "{}: {}",
                            v.schema_ref, bad.reason
                        );
                        assert_eq!(errors[0].instance_path, bad.pointer);
                        assert!(
                            generated::Event::from_value(&v.schema_ref, bad.payload.clone())
                                .is_err(),
                            "{}: the types accept a payload that breaks `{}`: {}",
                            v.schema_ref,
                            bad.keyword,
                            bad.payload
                        );
                        invalid += 1;
                    }
                }
            }
            assert!(valid > 0 && invalid > 0, "{valid} valid, {invalid} invalid");
        }
    };
}

simulate!(shipped_catalog, evreg_tests::acme, "../catalog");
simulate!(
    minimal,
    evreg_tests::fixtures::minimal,
    "fixtures/codegen/minimal"
);
simulate!(
    enums,
    evreg_tests::fixtures::enums,
    "fixtures/codegen/enums"
);
simulate!(
    nested,
    evreg_tests::fixtures::nested,
    "fixtures/codegen/nested"
);
simulate!(
    combinators,
    evreg_tests::fixtures::combinators,
    "fixtures/codegen/combinators"
);
simulate!(
    constraints,
    evreg_tests::fixtures::constraints,
    "fixtures/codegen/constraints"
);
simulate!(
    strings,
    evreg_tests::fixtures::strings,
    "fixtures/codegen/strings"
);
simulate!(
    recursive,
    evreg_tests::fixtures::recursive,
    "fixtures/codegen/recursive"
);
simulate!(
    conditionals,
    evreg_tests::fixtures::conditionals,
    "fixtures/codegen/conditionals"
);

/// The JSON-Schema-Test-Suite's schemas, read as a catalog: every payload
/// the simulator emits is accepted by the generated types (it checked it
/// with the registry), and every invalid one it labels is refused by both.
/// Some suite schemas accept no value, or almost none (`false`, `not: {}`,
/// `const` of a deep object): those may yield no payload, but most do.
#[test]
fn conformance_catalog() {
    use evreg_tests::conformance as generated;
    let catalog = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/conformance"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulator::new(&catalog, 7);
    let (mut versions, mut simulated, mut invalid) = (0, 0, 0);
    for (_, v) in catalog.versions() {
        versions += 1;
        let Ok(payload) = sim.valid(v) else { continue };
        simulated += 1;
        if let Err(e) = generated::Event::from_value(&v.schema_ref, payload.clone()) {
            panic!(
                "{}: simulated payload refused by the types: {e}\n{payload}",
                v.schema_ref
            );
        }
        for bad in sim.invalid(v, usize::MAX).unwrap_or_default() {
            assert!(
                generated::registry()
                    .validate(&v.schema_ref, &bad.payload)
                    .is_err(),
                "{}: {} accepted",
                v.schema_ref,
                bad.reason
            );
            assert!(
                generated::Event::from_value(&v.schema_ref, bad.payload.clone()).is_err(),
                "{}: the types accept a payload that breaks `{}`: {}",
                v.schema_ref,
                bad.keyword,
                bad.payload
            );
            invalid += 1;
        }
    }
    eprintln!("{simulated} of {versions} suite schemas simulated, {invalid} invalid payloads");
    assert!(simulated * 10 >= versions * 8, "{simulated} of {versions}");
    assert!(invalid > 100, "{invalid}");
}

#[test]
fn a_seed_fixes_the_output() {
    let catalog = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog")).unwrap();
    let draw = |seed| {
        let mut sim = Simulator::new(&catalog, seed);
        sim.tenant("9d1afc45-a247-4e74-819e-15227f93e95d");
        catalog
            .versions()
            .map(|(_, v)| sim.valid(v).unwrap())
            .collect::<Vec<_>>()
    };
    let first = draw(7);
    assert_eq!(first, draw(7));
    assert_ne!(first, draw(8));
    assert!(
        first
            .iter()
            .all(|p| p["tenantId"] == "9d1afc45-a247-4e74-819e-15227f93e95d")
    );
}

/// `evreg simulate | evreg validate -`: valid streams pass, invalid ones fail
/// line by line.
#[test]
fn simulate_piped_into_validate() {
    use assert_cmd::cargo::CommandCargoExt;
    use std::process::Command;
    let run = |args: &[&str], stdin: Option<Vec<u8>>| {
        let mut cmd = Command::cargo_bin("evreg").unwrap();
        cmd.env_remove("EVREG_CATALOG")
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .args(args);
        match stdin {
            None => cmd.output().unwrap(),
            Some(input) => {
                use std::io::Write;
                let mut child = cmd
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                child.stdin.take().unwrap().write_all(&input).unwrap();
                child.wait_with_output().unwrap()
            }
        }
    };
    let valid = run(&["simulate", "--all", "--count", "3", "--seed", "5"], None);
    assert!(valid.status.success());
    let lines = valid.stdout.iter().filter(|b| **b == b'\n').count();
    let checked = run(&["validate", "-", "--format", "json"], Some(valid.stdout));
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(report["summary"]["valid"], lines);

    let invalid = run(&["simulate", "--all", "--invalid", "--seed", "5"], None);
    assert!(invalid.status.success());
    let lines = invalid.stdout.iter().filter(|b| **b == b'\n').count();
    assert!(lines >= 100, "{lines}");
    let checked = run(&["validate", "-", "--format", "json"], Some(invalid.stdout));
    assert_eq!(checked.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(report["summary"]["invalid"], lines);
    assert_eq!(report["summary"]["valid"], 0);
}
