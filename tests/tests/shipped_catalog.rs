//! The shipped catalog: clean, large, and what the project promises it holds.

use std::collections::BTreeSet;
use std::path::PathBuf;

use evreg::{Catalog, Registry, RegistryError, Status};

fn catalog() -> Catalog {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog");
    match Catalog::load(&dir) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn loads_without_errors_or_warnings() {
    let c = catalog();
    assert!(c.warnings().is_empty(), "{:#?}", c.warnings());
    assert_eq!(c.name(), "acme");
}

#[test]
fn has_the_promised_shape() {
    let c = catalog();
    let events = c.events();
    assert!(events.len() >= 150, "{} events", events.len());
    let with_v2 = events.iter().filter(|e| e.versions.len() >= 2).count();
    assert!(with_v2 >= 10, "{with_v2} events with a v2");

    let deprecated: Vec<_> = events
        .iter()
        .filter(|e| e.status == Status::Deprecated)
        .collect();
    assert!(
        deprecated
            .iter()
            .any(|e| e.event_type == "TICKET_COMMENT_ADDED"
                && e.replaced_by.as_deref() == Some("TICKET_MESSAGE_ADDED"))
    );
    for e in &deprecated {
        let successor = c.event(e.replaced_by.as_deref().unwrap()).unwrap();
        assert_ne!(successor.status, Status::Deprecated);
    }
    assert!(
        events
            .iter()
            .filter(|e| e.status == Status::CatalogOnly)
            .count()
            >= 5
    );
    assert!(events.iter().any(|e| e.event_type == "course.graduated"));
    assert!(
        events.iter().any(|e| e.event_type.contains('.'))
            && events.iter().any(|e| e.event_type.contains('_'))
    );

    let categories: BTreeSet<&str> = events.iter().map(|e| e.category.as_str()).collect();
    for domain in [
        "tickets",
        "scheduling",
        "projects",
        "billing",
        "crm",
        "documents",
        "email",
        "integrations",
        "assets",
        "sales",
        "recruiting",
        "academy",
        "hr",
        "lifecycle",
    ] {
        assert!(categories.contains(domain), "no {domain} events");
    }

    let versions: Vec<_> = c.versions().collect();
    assert!(versions.iter().all(|(_, v)| !v.examples.is_empty()));
    let with_invalid = versions
        .iter()
        .filter(|(_, v)| !v.invalid_examples.is_empty())
        .count();
    assert!(
        with_invalid * 3 >= versions.len(),
        "{with_invalid} of {} versions have invalid examples",
        versions.len()
    );

    for name in ["Money", "Address", "Actor", "FieldChange"] {
        assert!(
            c.definitions().contains_key(name),
            "shared definition {name}"
        );
    }
}

#[test]
fn follows_the_payload_conventions() {
    let c = catalog();
    for (e, v) in c.versions() {
        let props = v.schema["properties"].as_object().unwrap();
        // Transitions carry previousX / newX pairs.
        for name in props.keys() {
            if let Some(rest) = name.strip_prefix("previous") {
                assert!(
                    props.contains_key(&format!("new{rest}")),
                    "{}: {name} without new{rest}",
                    v.schema_ref
                );
            }
        }
        // Updates carry updatedFields and changes.
        let is_update = e.event_type.ends_with("UPDATED") || e.event_type.ends_with(".updated");
        if is_update && props.contains_key("changes") {
            assert!(props.contains_key("updatedFields"), "{}", v.schema_ref);
        }
        // Base fields are merged everywhere.
        assert!(
            props.contains_key("tenantId") && props.contains_key("occurredAt"),
            "{}",
            v.schema_ref
        );
    }
}

#[test]
fn registry_agrees_with_every_example() {
    let c = catalog();
    let registry = Registry::from_catalog(&c);
    assert_eq!(registry.len(), c.versions().count());
    for (e, v) in c.versions() {
        for ex in &v.examples {
            registry.validate(&v.schema_ref, &ex.payload).unwrap();
        }
        for bad in &v.invalid_examples {
            match registry.validate_event(&e.event_type, v.version, &bad.payload) {
                Err(RegistryError::Invalid(errors)) => assert!(!errors.errors.is_empty()),
                other => panic!(
                    "{}: {} should fail ({}): {other:?}",
                    v.schema_ref, bad.reason, bad.reason
                ),
            }
        }
    }
    // Aliases find their event.
    assert_eq!(
        registry.find("TICKET_NOTE_ADDED", 1).unwrap().schema_ref(),
        "payload.TicketCommentAdded.v1"
    );
    assert_eq!(registry.latest("TICKET_CREATED").unwrap().version(), 2);
}

#[test]
fn loading_is_deterministic() {
    let a = catalog();
    let b = catalog();
    assert_eq!(a.events(), b.events());
    assert_eq!(a.definitions(), b.definitions());
}
