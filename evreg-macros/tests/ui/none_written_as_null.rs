// An optional, non-nullable property whose `None` would be written as null.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
#[serde(rename_all = "camelCase")]
struct NoteAdded {
    note_id: evreg::uuid::Uuid,
    body: String,
    pinned: bool,
    r#type: String,
    #[serde(default)]
    score: Option<f64>,
}

fn main() {}
