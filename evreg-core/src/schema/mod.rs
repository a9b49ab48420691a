//! JSON Schema, once: every keyword with its vocabulary and role
//! ([`keywords`]), the drafts and what each means where they differ
//! ([`dialect`]), and the `format` vocabulary ([`formats`]). Every other part
//! of evreg asks these modules what a keyword, a draft or a format is,
//! instead of keeping a list of its own.

pub mod dialect;
pub mod formats;
pub mod keywords;
pub mod uri;
