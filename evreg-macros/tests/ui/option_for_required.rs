// A field that is `Option` where the schema requires a value.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
#[serde(rename_all = "camelCase")]
struct NoteAdded {
    note_id: evreg::uuid::Uuid,
    body: Option<String>,
    pinned: bool,
    r#type: String,
}

fn main() {}
