// A plain serde integer, which refuses `2.0` (a JSON Schema integer).
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 1)]
#[serde(rename_all = "camelCase")]
struct NoteAdded {
    note_id: evreg::uuid::Uuid,
    body: String,
    pinned: bool,
    r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    word_count: Option<u32>,
}

fn main() {}
