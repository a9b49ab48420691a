//! JSON Schema, once: every keyword with its vocabulary and role
//! ([`keywords`]) and the `format` vocabulary ([`formats`]). Every other part
//! of evreg asks these modules what a keyword or a format is, instead of
//! keeping a list of its own.

pub mod formats;
pub mod keywords;
