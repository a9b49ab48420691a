// A schema ref the catalog does not have: with the nearest ref.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, evreg::EventPayload)]
#[evreg(catalog = "fixtures/codegen/minimal", ref = "payload.NoteAdded.v2")]
struct NoteAdded {
    body: String,
}

fn main() {}
