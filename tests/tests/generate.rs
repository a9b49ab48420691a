//! The three ways in give the same code for the shipped catalog:
//! `evreg generate` (checked in as examples/service/src/events.rs), the
//! `Builder` of this crate's build.rs, and `include_catalog!`. And
//! `evreg generate --check` is the drift gate CI relies on.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generated() -> String {
    let catalog = evreg::Catalog::load(root().join("catalog")).unwrap();
    evreg_codegen::generate(&catalog).unwrap()
}

fn evreg() -> Command {
    let mut cmd = Command::cargo_bin("evreg").unwrap();
    cmd.env_remove("EVREG_CATALOG").current_dir(root());
    cmd
}

#[test]
fn the_three_ways_in_give_identical_bytes() {
    let library = generated();

    let cli = evreg().args(["generate", "catalog"]).output().unwrap();
    assert!(cli.status.success());
    assert!(cli.stdout == library.as_bytes(), "evreg generate differs");

    let build_rs = include_str!(concat!(env!("OUT_DIR"), "/acme.rs"));
    assert!(build_rs == library, "Builder in build.rs differs");

    let checked_in =
        std::fs::read_to_string(root().join("examples/service/src/events.rs")).unwrap();
    assert!(
        checked_in == library,
        "examples/service/src/events.rs is stale: run `evreg generate catalog -o examples/service/src/events.rs`"
    );

    // include_catalog! expands to exactly these tokens, plus the
    // include_bytes! that make cargo rebuild on catalog changes.
    let tokens = evreg_codegen::macros::include_catalog(quote_path("../catalog")).to_string();
    let expected: proc_macro2::TokenStream = library.parse().unwrap();
    let expected = expected.to_string();
    assert!(tokens.starts_with(&expected), "include_catalog! differs");
    let tracking = &tokens[expected.len()..];
    assert!(
        tracking.contains("include_bytes !") && tracking.contains("catalog.toml"),
        "{tracking}"
    );
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    format!("{path:?}").parse().unwrap()
}

#[test]
fn generate_check_passes_on_a_fresh_file_and_fails_with_a_diff_on_drift() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.rs");
    let file_arg = file.to_str().unwrap();

    let missing = evreg()
        .args(["generate", "catalog", "--check", "-o", file_arg])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));

    let write = evreg()
        .args(["generate", "catalog", "-o", file_arg])
        .output()
        .unwrap();
    assert!(write.status.success());
    assert!(String::from_utf8_lossy(&write.stderr).starts_with("wrote"));
    let again = evreg()
        .args(["generate", "catalog", "-o", file_arg])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).starts_with("unchanged"));

    let ok = evreg()
        .args(["generate", "catalog", "--check", "-o", file_arg])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));

    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("pub ticket_number:", "pub ticket_no:", 1),
    )
    .unwrap();
    let stale = evreg()
        .args(["generate", "catalog", "--check", "-o", file_arg])
        .output()
        .unwrap();
    assert_eq!(stale.status.code(), Some(1));
    let diff = String::from_utf8(stale.stdout).unwrap();
    assert!(
        diff.contains("-    pub ticket_no:") && diff.contains("+    pub ticket_number:"),
        "{diff}"
    );
    assert!(String::from_utf8_lossy(&stale.stderr).contains("is stale"));
    // --check never writes.
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("pub ticket_no:")
    );
}

#[test]
fn check_reports_what_would_stop_generation() {
    let out = evreg()
        .args([
            "check",
            "--color",
            "never",
            "tests/fixtures/codegen-errors/type-collision",
        ])
        .output()
        .unwrap();
    // A warning: the catalog's data is sound, only its Rust names collide.
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[rust-name-collision]"), "{stderr}");
    assert!(
        stderr.contains("`evreg generate` and the derive refuse"),
        "{stderr}"
    );
    let gen_out = evreg()
        .args(["generate", "tests/fixtures/codegen-errors/type-collision"])
        .output()
        .unwrap();
    assert_eq!(gen_out.status.code(), Some(1));
    assert!(gen_out.stdout.is_empty());
}

/// A generated payload's constructor: the base fields from the publishing
/// context (tenant, clock, actor, idempotency key), the required fields as
/// given, the optional ones absent, and the result validated.
#[test]
fn constructors_fill_the_base_fields_from_the_context() {
    use evreg::enrich::{Actor, FixedClock, PublishContext};
    use evreg_tests::acme::CourseGraduatedV2;

    let tenant = "9d1afc45-a247-4e74-819e-15227f93e95d";
    let ctx = PublishContext::new(tenant)
        .actor(Actor::User("b9ee62b3-4911-4768-a7a1-f80202311821".into()))
        .idempotency_key("graduation-1")
        .clock(FixedClock::new("2026-11-24T09:00:00Z"));
    let learner = "d5632453-ffe3-4c9b-9e05-752a28d1c95a".parse().unwrap();
    let course = "6ea932ff-4cf5-4840-ba8a-c4c79672657f".parse().unwrap();
    let at = "2026-11-24T08:55:00Z".parse().unwrap();
    let graduated = CourseGraduatedV2::new(&ctx, learner, course, at, 91.5).unwrap();
    assert_eq!(graduated.tenant_id.to_string(), tenant);
    assert_eq!(
        graduated.occurred_at.to_rfc3339(),
        "2026-11-24T09:00:00+00:00"
    );
    assert_eq!(
        graduated.actor_user_id.map(|u| u.to_string()).as_deref(),
        Some("b9ee62b3-4911-4768-a7a1-f80202311821")
    );
    assert_eq!(graduated.idempotency_key.as_deref(), Some("graduation-1"));
    assert_eq!(
        (graduated.learner_id, graduated.final_score_percent),
        (learner, 91.5)
    );
    assert_eq!(graduated.honors, None);

    // Validated: a score above the maximum, a tenant that is no UUID.
    let err = CourseGraduatedV2::new(&ctx, learner, course, at, 140.0).unwrap_err();
    assert!(err.to_string().contains("/finalScorePercent"), "{err}");
    let elsewhere = PublishContext::new("not-a-tenant-uuid");
    let err = CourseGraduatedV2::new(&elsewhere, learner, course, at, 90.0).unwrap_err();
    assert!(
        err.to_string().contains("tenantId") || err.to_string().contains("uuid"),
        "{err}"
    );
}
