// A wire name the schema does not know, in a schema that allows no other
// properties: with the nearest property.
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
    created: Option<String>,
}

fn main() {
    // Code that uses the type adds no errors of its own: only the derive's.
    use evreg::EventPayload;
    let note = NoteAdded::from_slice(b"{}").unwrap();
    let _ = note.validate();
}
