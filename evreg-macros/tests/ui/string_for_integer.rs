// A String where the schema wants an integer.
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
    word_count: Option<String>,
}

fn main() {}
