// A version the event does not have.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDED", version = 3)]
struct NoteAdded {
    body: String,
}

fn main() {}
