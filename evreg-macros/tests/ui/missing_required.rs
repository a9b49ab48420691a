// A required property with no field.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
#[serde(rename_all = "camelCase")]
struct NoteAdded {
    #[serde(with = "evreg::wire::required")]
    note_id: evreg::uuid::Uuid,
    body: String,
    r#type: String,
}

fn main() {}
