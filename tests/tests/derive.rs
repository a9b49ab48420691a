//! `#[derive(EventPayload)]` and `#[derive(CatalogType)]` on hand-written
//! types that agree with the catalog: one type per mapping (string enums,
//! shared definitions, local definitions, nested objects in arrays, open
//! objects, maps, optional and nullable properties, renamed fields), each
//! round-tripping the catalog's examples and refusing its invalid ones. The
//! compile errors of types that disagree are in registry-macros/tests/ui
//! (trybuild).

#![allow(missing_docs)]

use std::collections::BTreeMap;

use evreg::chrono::{DateTime, Utc};
use evreg::uuid::Uuid;
use evreg::{Catalog, CatalogType, EventPayload, PayloadError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The shipped catalog's TICKET_CREATED v1, written by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, EventPayload)]
#[evreg(catalog = "../catalog", event = "TICKET_CREATED", version = 1)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicketCreated {
    pub tenant_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_contact_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_type: Option<ActorType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    pub ticket_id: Uuid,
    /// Renamed: the wire name is what the schema checks.
    #[serde(rename = "ticketNumber")]
    pub number: String,
    pub title: String,
    pub priority: Priority,
    pub board_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    /// A string holds an enum's values too; `validate()` checks the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Never on the wire.
    #[serde(skip)]
    pub seen_locally: bool,
}

impl TicketCreated {
    /// Hand-written types keep their own methods.
    pub fn is_urgent(&self) -> bool {
        self.priority == Priority::Urgent
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, CatalogType)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

/// An enum checked against its place as well (its variants in another order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, CatalogType)]
#[evreg(
    catalog = "../catalog",
    ref = "payload.TicketCreated.v1",
    pointer = "/properties/actorType"
)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    System,
    User,
    Contact,
}

mod order {
    //! tests/fixtures/codegen/nested: shared and local definitions, objects
    //! in arrays, open objects and maps.
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[evreg(catalog = "fixtures/codegen/nested", definition = "Money")]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Money {
        /// JSON Schema integers include `1999.0`: read as generated code does.
        #[serde(with = "evreg::wire::required")]
        pub amount_minor: i64,
        pub currency: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[evreg(catalog = "fixtures/codegen/nested", definition = "Address")]
    #[serde(deny_unknown_fields)]
    pub struct Address {
        pub line1: String,
        pub city: String,
        pub country: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[evreg(
        catalog = "fixtures/codegen/nested",
        event = "ORDER_PLACED",
        version = 1,
        pointer = "/properties/discount"
    )]
    #[serde(deny_unknown_fields)]
    pub struct Discount {
        pub code: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "evreg::wire::optional"
        )]
        pub percent: Option<u8>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[evreg(
        catalog = "fixtures/codegen/nested",
        ref = "payload.OrderPlaced.v1",
        pointer = "/properties/lines/items"
    )]
    #[serde(deny_unknown_fields)]
    pub struct Line {
        pub sku: String,
        /// `exclusiveMinimum: 0` and no maximum: every positive i64.
        #[serde(with = "evreg::wire::required")]
        pub quantity: u64,
        pub price: Money,
    }

    /// An open object: unknown properties are kept in `rest`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[evreg(
        catalog = "fixtures/codegen/nested",
        ref = "payload.OrderPlaced.v1",
        pointer = "/properties/delivery"
    )]
    pub struct Delivery {
        pub window: String,
        #[serde(flatten)]
        pub rest: Map<String, Value>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, EventPayload)]
    #[evreg(catalog = "fixtures/codegen/nested", ref = "payload.OrderPlaced.v1")]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct OrderPlaced {
        pub order_id: Uuid,
        pub total: Money,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ship_to: Option<Address>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub discount: Option<Discount>,
        pub lines: Vec<Line>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub attributes: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub metadata: Option<Map<String, Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub delivery: Option<Delivery>,
    }
}

mod task {
    //! tests/fixtures/codegen/enums: nullable and optional properties,
    //! nullable enums, `const`, sets of enum values.
    use super::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[serde(rename_all = "snake_case")]
    pub enum Status {
        Todo,
        InProgress,
        Done,
        #[serde(rename = "2fa-wait")]
        TwoFactorWait,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, CatalogType)]
    #[serde(rename_all = "snake_case")]
    pub enum PreviousStatus {
        Todo,
        InProgress,
        Done,
    }

    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, CatalogType)]
    #[serde(rename_all = "lowercase")]
    pub enum Label {
        Bug,
        Feature,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, EventPayload)]
    #[evreg(catalog = "fixtures/codegen/enums", event = "TASK_MOVED", version = 1)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskMoved {
        pub tenant_id: Uuid,
        /// A base property of the catalog: a String holds its enum.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub actor_type: Option<String>,
        pub status: Status,
        /// Required and nullable: the key must be there, `None` is null.
        pub previous_status: Option<PreviousStatus>,
        pub assignee: Option<Uuid>,
        /// Optional and nullable: absent is `None`, null is `Some(None)`.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "evreg::wire::present"
        )]
        pub note: Option<Option<String>>,
        /// `const: "task"`: a String holds it, `validate()` checks it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kind: Option<String>,
        /// `uniqueItems`: a set holds it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub labels: Option<BTreeSet<Label>>,
    }
}

/// Every example of the event version reads as `T`, validates, and writes
/// back the same JSON; every invalid example is refused.
fn round_trips<T: EventPayload + std::fmt::Debug>(catalog: &str) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(catalog);
    let catalog = Catalog::load(&dir).unwrap();
    let (_, version) = catalog.version_by_ref(T::SCHEMA_REF).unwrap();
    assert!(!version.examples.is_empty());
    for example in &version.examples {
        let typed = T::from_value(example.payload.clone())
            .unwrap_or_else(|e| panic!("{} example refused: {e}", T::SCHEMA_REF));
        let back = serde_json::to_value(&typed).unwrap();
        assert!(
            evreg_tests::json_eq(&back, &example.payload),
            "{back}\n{}",
            example.payload
        );
    }
    for invalid in &version.invalid_examples {
        let refused = T::from_value(invalid.payload.clone());
        assert!(
            matches!(
                refused,
                Err(PayloadError::Deserialize { .. } | PayloadError::Invalid(_))
            ),
            "{} invalid example accepted: {:?}",
            T::SCHEMA_REF,
            invalid.payload
        );
    }
    version.examples.len() + version.invalid_examples.len()
}

#[test]
fn derived_payloads_round_trip_the_examples() {
    assert!(round_trips::<TicketCreated>("../catalog") >= 3);
    assert!(round_trips::<order::OrderPlaced>("fixtures/codegen/nested") >= 3);
    assert!(round_trips::<task::TaskMoved>("fixtures/codegen/enums") >= 3);
}

#[test]
fn derived_payloads_know_their_event() {
    assert_eq!(TicketCreated::EVENT_TYPE, "TICKET_CREATED");
    assert_eq!(TicketCreated::SCHEMA_REF, "payload.TicketCreated.v1");
    assert_eq!(TicketCreated::VERSION, 1);
    assert_eq!(order::OrderPlaced::SCHEMA_REF, "payload.OrderPlaced.v1");
}

#[test]
fn validate_checks_what_the_type_cannot_hold() {
    let mut ticket: TicketCreated = TicketCreated::from_value(serde_json::json!({
        "tenantId": "9d1afc45-a247-4e74-819e-15227f93e95d",
        "occurredAt": "2026-07-19T20:11:20Z",
        "ticketId": "206ce413-f471-495a-bd28-eb06f84d7891",
        "ticketNumber": "T-038075",
        "title": "Email quota exceeded",
        "priority": "urgent",
        "boardId": "5bdc7ecd-3d9f-4093-823c-eb01bf43cd0e"
    }))
    .unwrap();
    assert!(ticket.is_urgent());
    ticket.source = Some("carrier pigeon".to_owned());
    let errors = ticket.validate().unwrap_err();
    assert_eq!(errors.schema_ref, "payload.TicketCreated.v1");
    assert_eq!(errors.errors.len(), 1, "{errors}");
    assert_eq!(errors.errors[0].instance_path, "/source");
    assert_eq!(errors.errors[0].keyword, "enum");

    // The same errors as the registry's, on the same JSON.
    let catalog = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog")).unwrap();
    let registry = evreg::Registry::from_catalog(&catalog);
    let from_registry = registry
        .validate(
            TicketCreated::SCHEMA_REF,
            &serde_json::to_value(&ticket).unwrap(),
        )
        .unwrap_err();
    assert!(matches!(from_registry, evreg::RegistryError::Invalid(e) if e == errors));
}

#[test]
fn catalog_types_name_their_schema() {
    assert_eq!(
        Priority::SCHEMA_KEY,
        r#"enum:["high","low","medium","urgent"]"#
    );
    assert_eq!(ActorType::SCHEMA_KEY, r#"enum:["contact","system","user"]"#);
    assert_eq!(order::Money::SCHEMA_KEY, "def:Money");
}

/// A plain integer field, as a user writes it first: evreg's entry points
/// read `2.0` (a JSON Schema integer) as `2`; serde alone refuses it.
mod plain_integers {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize, EventPayload)]
    #[evreg(
        catalog = "fixtures/codegen/minimal",
        event = "NOTE_ADDED",
        version = 1
    )]
    #[serde(rename_all = "camelCase")]
    pub struct NoteAdded {
        pub note_id: Uuid,
        pub body: String,
        pub pinned: bool,
        pub r#type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub word_count: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub score: Option<f64>,
    }

    fn note(word_count: Value) -> Value {
        serde_json::json!({
            "noteId": "0b9e4a4c-4a52-4c5e-9d43-31b0f0f4d1a2",
            "body": "Called back",
            "pinned": false,
            "type": "call",
            "wordCount": word_count,
            "score": 3.0
        })
    }

    #[test]
    fn integral_floats_fill_plain_integers() {
        let read = NoteAdded::from_value(note(serde_json::json!(2.0))).unwrap();
        assert_eq!(read.word_count, Some(2));
        assert_eq!(read.score, Some(3.0));
        let bytes = serde_json::to_vec(&note(serde_json::json!(1e3))).unwrap();
        assert_eq!(
            NoteAdded::from_slice(&bytes).unwrap().word_count,
            Some(1000)
        );
        // What the schema refuses stays refused: a fraction, a negative.
        for bad in [serde_json::json!(2.5), serde_json::json!(-1.0)] {
            assert!(NoteAdded::from_value(note(bad.clone())).is_err(), "{bad}");
            let bytes = serde_json::to_vec(&note(bad.clone())).unwrap();
            assert!(NoteAdded::from_slice(&bytes).is_err(), "{bad}");
        }
        // serde alone refuses `2.0` for a u64: why docs/codegen.md points
        // code that reads the type with serde_json to `evreg::wire`.
        assert!(serde_json::from_value::<NoteAdded>(note(serde_json::json!(2.0))).is_err());
    }
}
