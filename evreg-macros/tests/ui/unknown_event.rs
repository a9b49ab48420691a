// An event the catalog does not have: with the nearest name.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", event = "NOTE_ADDDED", version = 1)]
struct NoteAdded {
    body: String,
}

fn main() {}
