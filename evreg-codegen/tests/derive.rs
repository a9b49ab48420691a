//! The derives' comparison, run as a library (no compiler plugin): each kind
//! of disagreement with a fixture catalog gives its error, located at the
//! field or attribute; agreeing types expand to the trait impls. The same
//! errors as rustc prints them are in registry-macros/tests/ui (trybuild).

use std::path::PathBuf;

use evreg_codegen::derive::{enum_key, expand_catalog_type, expand_event_payload};
use syn::{DeriveInput, parse_quote};

fn base() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests"))
}

fn errors(result: syn::Result<proc_macro2::TokenStream>) -> Vec<String> {
    match result {
        Ok(tokens) => panic!("expected errors, expanded to {tokens}"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

fn note(fields: DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    expand_event_payload(&fields, &base())
}

#[test]
fn an_agreeing_struct_expands_to_the_impls() {
    let input: DeriveInput = parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
        #[serde(rename_all = "camelCase")]
        struct NoteAdded {
            note_id: Uuid,
            body: String,
            pinned: bool,
            r#type: String,
            #[serde(default, skip_serializing_if = "Option::is_none", with = "evreg::wire::optional")]
            word_count: Option<u64>,
            #[serde(skip)]
            local: Vec<u8>,
        }
    };
    let tokens = note(input).unwrap().to_string();
    assert!(
        tokens.contains("impl :: evreg :: EventPayload for NoteAdded"),
        "{tokens}"
    );
    assert!(tokens.contains("\"NOTE_ADDED\""), "{tokens}");
    assert!(tokens.contains("\"payload.NoteAdded.v1\""), "{tokens}");
    assert!(
        tokens.contains("impl :: evreg :: Validate for NoteAdded"),
        "{tokens}"
    );
}

#[test]
fn a_missing_required_property_is_named() {
    let e = errors(note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
        #[serde(rename_all = "camelCase")]
        struct NoteAdded { note_id: Uuid, body: String, r#type: String }
    }));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("`pinned` is required by payload.NoteAdded.v1 at `/properties/pinned`"),
        "{e:?}"
    );
}

#[test]
fn deny_unknown_fields_needs_every_property() {
    // Payloads with `score` would be refused: the struct must read it.
    let e = errors(note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct NoteAdded { note_id: Uuid, body: String, pinned: bool, r#type: String,
            #[serde(default, skip_serializing_if = "Option::is_none", with = "evreg::wire::optional")]
            word_count: Option<u64>,
            #[serde(default, skip_serializing_if = "Option::is_none")] r#ref: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none", rename = "self")] self_: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")] created_at: Option<String>,
        }
    }));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("`score` is a property of payload.NoteAdded.v1"),
        "{e:?}"
    );
    // An open object: deny_unknown_fields would refuse what the schema allows.
    let e = errors(expand_catalog_type(
        &parse_quote! {
            #[evreg(catalog = "fixtures/codegen/nested", ref = "payload.OrderPlaced.v1", pointer = "/properties/delivery")]
            #[serde(deny_unknown_fields)]
            struct Delivery { window: String }
        },
        &base(),
    ));
    assert!(e[0].ends_with("allows other properties, which #[serde(deny_unknown_fields)] would refuse; drop it (unknown properties are then ignored) or keep them in a #[serde(flatten)] map"), "{e:?}");
}

#[test]
fn a_flattened_struct_hides_which_properties_are_read() {
    // Its fields are not visible to the derive: no "missing" error.
    note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
        #[serde(rename_all = "camelCase")]
        struct NoteAdded { body: String, #[serde(flatten)] rest: Common }
    })
    .unwrap();
}

#[test]
fn renames_decide_the_wire_name() {
    // `rename` wins over `rename_all`; without camelCase `note_id` is unknown.
    note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v1")]
        struct NoteAdded {
            #[serde(rename = "noteId")] id: Uuid,
            body: String, pinned: bool, r#type: String,
        }
    })
    .unwrap();
    let e = errors(note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v1")]
        struct NoteAdded { note_id: Uuid, body: String, pinned: bool, r#type: String }
    }));
    assert!(
        e.iter()
            .any(|m| m.starts_with("`note_id` is not a property")
                && m.ends_with("did you mean `noteId`?")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|m| m.starts_with("`noteId` is required")),
        "{e:?}"
    );
}

#[test]
fn types_that_cannot_hold_the_values_are_refused() {
    let cases: &[(DeriveInput, &str)] = &[
        (
            parse_quote! {
                #[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v1")]
                #[serde(rename_all = "camelCase")]
                struct N { note_id: Uuid, body: i64, pinned: bool, r#type: String }
            },
            "`body`: `i64` cannot hold payload.NoteAdded.v1 at `/properties/body`",
        ),
        (
            parse_quote! {
                #[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v1")]
                #[serde(rename_all = "camelCase")]
                struct N { note_id: Uuid, body: String, pinned: bool, r#type: String,
                    #[serde(default, skip_serializing_if = "Option::is_none")] score: Option<f32> }
            },
            "f32 loses the precision",
        ),
        (
            parse_quote! {
                #[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v1")]
                #[serde(rename_all = "camelCase")]
                struct N { note_id: Uuid, body: String, pinned: bool, r#type: String,
                    #[serde(default, skip_serializing_if = "Option::is_none", with = "evreg::wire::optional")]
                    word_count: Option<i8> }
            },
            "the schema allows integers up to 9223372036854775807",
        ),
        (
            parse_quote! {
                #[evreg(catalog = "fixtures/codegen/enums", event = "TASK_MOVED", version = 1)]
                #[serde(rename_all = "camelCase")]
                struct T { #[serde(flatten)] rest: Other, #[serde(default)] labels: std::collections::HashSet<String> }
            },
            "",
        ),
        (
            parse_quote! {
                #[evreg(catalog = "fixtures/codegen/nested", ref = "payload.OrderPlaced.v1")]
                #[serde(rename_all = "camelCase")]
                struct O { #[serde(flatten)] rest: Other, lines: std::collections::BTreeSet<serde_json::Value> }
            },
            "the schema allows repeated items (no `uniqueItems`), which a set would drop",
        ),
        (
            parse_quote! {
                #[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v1")]
                #[serde(rename_all = "camelCase")]
                struct N { note_id: Uuid, body: String, pinned: bool, r#type: String, created_at: String }
            },
            "`createdAt` is optional in payload.NoteAdded.v1",
        ),
    ];
    for (input, expected) in cases {
        match note(input.clone()) {
            Ok(_) if expected.is_empty() => {}
            Ok(tokens) => panic!("{expected}: expanded to {tokens}"),
            Err(e) => {
                let all: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
                assert!(
                    !expected.is_empty() && all.iter().any(|m| m.contains(expected)),
                    "{expected}: {all:?}"
                );
            }
        }
    }
}

#[test]
fn unknown_events_versions_and_places_suggest_the_nearest() {
    let e = errors(note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADED", version = 1)]
        struct N { body: String }
    }));
    assert_eq!(
        e,
        ["the catalog has no event `NOTE_ADED`; did you mean `NOTE_ADDED`?"]
    );
    let e = errors(note(parse_quote! {
        #[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED")]
        struct N { body: String }
    }));
    assert_eq!(
        e,
        ["name the version of `NOTE_ADDED`: version = N (it has 1)"]
    );
    let e = errors(expand_catalog_type(
        &parse_quote! {
            #[evreg(catalog = "fixtures/codegen/nested", definition = "Mony")]
            struct M { amount_minor: i64 }
        },
        &base(),
    ));
    assert_eq!(
        e,
        ["the catalog has no shared definition `Mony`; did you mean `Money`?"]
    );
    let e = errors(expand_catalog_type(
        &parse_quote! {
            #[evreg(catalog = "fixtures/codegen/nested", ref = "payload.OrderPlaced.v1", pointer = "/properties/line/items")]
            struct L { sku: String }
        },
        &base(),
    ));
    assert!(
        e[0].contains("has no property `line`; did you mean `lines`?"),
        "{e:?}"
    );
    let e = errors(note(parse_quote! {
        #[evreg(catalog = "fixtures/no-such-catalog", ref = "payload.NoteAdded.v1")]
        struct N { body: String }
    }));
    assert!(
        e[0].starts_with("the catalog in `fixtures/no-such-catalog` has 1 error"),
        "{e:?}"
    );
}

#[test]
fn string_enums_are_keyed_by_their_sorted_values() {
    let tokens = expand_catalog_type(
        &parse_quote! {
            #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
            enum Status { InProgress, Done, #[serde(rename = "todo")] ToDo, #[serde(skip)] Local }
        },
        &base(),
    )
    .unwrap()
    .to_string();
    let key = enum_key(["DONE", "IN_PROGRESS", "todo"]);
    assert!(tokens.contains(&format!("{key:?}")), "{tokens}");
    let e = errors(expand_catalog_type(
        &parse_quote! { enum Shape { Circle(f64) } },
        &base(),
    ));
    assert!(
        e[0].starts_with("CatalogType enums are string enums"),
        "{e:?}"
    );
}

/// The first derive of a crate makes it depend on every catalog file (cargo
/// then rebuilds it when one changes); the others reuse the loaded catalog
/// and repeat nothing, until a file of the catalog changes.
#[test]
fn the_catalog_is_loaded_once_and_tracked_once() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("catalog");
    let fixture = base().join("fixtures/codegen/minimal");
    let mut files = Vec::new();
    for sub in ["", "events", "schemas", "examples"] {
        std::fs::create_dir_all(copy.join(sub)).unwrap();
        for entry in std::fs::read_dir(fixture.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let to = copy.join(sub).join(path.file_name().unwrap());
                std::fs::copy(&path, &to).unwrap();
                files.push(to);
            }
        }
    }
    let input: DeriveInput = parse_quote! {
        #[evreg(event = "NOTE_ADDED", version = 1)]
        #[serde(rename_all = "camelCase")]
        struct NoteAdded { note_id: Uuid, body: String, pinned: bool, r#type: String }
    };
    let includes = |tokens: &str| tokens.matches("include_bytes").count();
    let first = expand_event_payload(&input, dir.path())
        .unwrap()
        .to_string();
    assert_eq!(includes(&first), files.len(), "{first}");
    for f in &files {
        assert!(
            first.contains(&format!("{:?}", f.display().to_string())),
            "{f:?}"
        );
    }
    let second = expand_event_payload(&input, dir.path())
        .unwrap()
        .to_string();
    assert_eq!(includes(&second), 0);

    // An edit (a new modification time) reloads the catalog: an error in it
    // shows at once, not the cached model.
    let schema = copy.join("schemas/note-added.v1.json");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(&schema, text.replace("\"pinned\": {", "\"pinned2\": {")).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&schema)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let e = errors(expand_event_payload(&input, dir.path()));
    assert!(e[0].starts_with("the catalog in `catalog` has"), "{e:?}");
}
