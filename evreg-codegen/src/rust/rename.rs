//! Names the team chose: `x-rust-type-name` in schemas and `[codegen.rename]`
//! in the manifest, applied to the planned types once every payload is
//! planned; then the fields of every struct, checked for two of one name.

use std::collections::{BTreeMap, HashMap};

use evreg_core::naming::did_you_mean;
use evreg_core::{Diagnostic, Span};

use super::plan::{Item, Kind, Shape, TypeSpace};

/// What [`apply`] needs besides the types.
pub(super) struct Chosen<'a> {
    /// `x-rust-type-name`, by the name the type was planned under.
    pub schema: &'a BTreeMap<String, String>,
    /// `[codegen.rename]`: `"Type"` and `"Type.property"`.
    pub manifest: &'a BTreeMap<String, String>,
    /// Where each type was planned (a description, and the first payload
    /// version that needs it).
    pub sites: &'a HashMap<String, (String, Span)>,
}

/// Renames types and fields as chosen, reporting names that collide, name
/// nothing, or would rename a payload struct.
pub(super) fn apply(space: &mut TypeSpace, chosen: &Chosen<'_>) {
    let types = type_renames(space, chosen);
    if !types.is_empty() {
        let items = std::mem::take(&mut space.items);
        for (name, (key, mut item)) in items {
            rename_item(&mut item, &types);
            let name = types.get(&name).cloned().unwrap_or(name);
            space.items.insert(name, (key, item));
        }
    }
    field_renames(space, chosen, &types);
    field_collisions(space, chosen, &types);
}

/// Old name → new name, each checked.
fn type_renames(space: &mut TypeSpace, chosen: &Chosen<'_>) -> BTreeMap<String, String> {
    let mut renames: BTreeMap<String, String> = chosen
        .schema
        .iter()
        .filter(|(old, _)| space.items.contains_key(*old))
        .map(|(old, new)| (old.clone(), new.clone()))
        .collect();
    for (key, new) in chosen.manifest {
        if key.contains('.') {
            continue;
        }
        if !space.items.contains_key(key) {
            let close = did_you_mean(key, space.items.keys().map(String::as_str))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            space.diagnostics.push(Diagnostic::error(
                "rust-name-collision",
                format!("[codegen.rename] names the type `{key}`, which the module does not generate{close}"),
            ));
            continue;
        }
        renames.insert(key.clone(), new.clone());
    }
    let payloads: Vec<&str> = space
        .payloads
        .iter()
        .map(|p| p.type_name.as_str())
        .collect();
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    for (old, new) in &renames {
        let span = chosen.sites.get(old).map(|(_, span)| *span);
        let error = |message: String| {
            let d = Diagnostic::error("rust-name-collision", message);
            match span {
                Some(span) => d.at(span, "generating this version's types"),
                None => d,
            }
        };
        if payloads.contains(&old.as_str()) {
            space.diagnostics.push(error(format!(
                "`{old}` is a payload struct, whose name the bus types use; it cannot be renamed `{new}`"
            )));
        } else if super::is_reserved(new) {
            space.diagnostics.push(error(format!(
                "`{old}` cannot be renamed `{new}`, the name of a bus type"
            )));
        } else if let Some(other) = taken.insert(new, old) {
            space.diagnostics.push(error(format!(
                "`{other}` and `{old}` are both renamed `{new}`"
            )));
        } else if space.items.contains_key(new) && !renames.contains_key(new) {
            space.diagnostics.push(error(format!(
                "`{old}` cannot be renamed `{new}`: a generated type already has that name"
            )));
        }
    }
    renames
}

fn rename_item(item: &mut Item, renames: &BTreeMap<String, String>) {
    let rename = |name: &mut String| {
        if let Some(new) = renames.get(name.as_str()) {
            *name = new.clone();
        }
    };
    match item {
        Item::Struct(s) => {
            rename(&mut s.name);
            for f in &mut s.fields {
                rename_shape(&mut f.shape, renames);
            }
        }
        Item::Enum(e) => rename(&mut e.name),
        Item::Tagged(t) => {
            rename(&mut t.name);
            for (_, _, s) in &mut t.variants {
                rename(s);
            }
        }
        Item::Untagged(u) => {
            rename(&mut u.name);
            for (_, s) in &mut u.variants {
                rename_shape(s, renames);
            }
        }
        Item::Newtype(n) => {
            rename(&mut n.name);
            rename_shape(&mut n.shape, renames);
        }
    }
}

fn rename_shape(shape: &mut Shape, renames: &BTreeMap<String, String>) {
    match &mut shape.kind {
        Kind::Named(n) => {
            if let Some(new) = renames.get(n.as_str()) {
                *n = new.clone();
            }
        }
        Kind::Vec(s) | Kind::Map(s) | Kind::Nullable(s) | Kind::Boxed(s) => {
            rename_shape(s, renames)
        }
        _ => {}
    }
}

/// `"Type.property" = "field"` of the manifest; `Type` is the name the
/// type was planned under or its new name.
fn field_renames(space: &mut TypeSpace, chosen: &Chosen<'_>, types: &BTreeMap<String, String>) {
    for (key, new) in chosen.manifest {
        let Some((ty, wire)) = key.split_once('.') else {
            continue;
        };
        let ty = types.get(ty).map_or(ty, String::as_str);
        let field = match space.items.get_mut(ty) {
            Some((_, Item::Struct(s))) => s.fields.iter_mut().find(|f| f.wire == wire),
            _ => None,
        };
        match field {
            Some(field) => field.rust = new.clone(),
            None => space.diagnostics.push(Diagnostic::error(
                "rust-name-collision",
                format!(
                    "[codegen.rename] names `{key}`, but the module has no struct `{ty}` with a property `{wire}`"
                ),
            )),
        }
    }
}

/// Two fields of one struct with one Rust name.
fn field_collisions(space: &mut TypeSpace, chosen: &Chosen<'_>, types: &BTreeMap<String, String>) {
    let old_names: BTreeMap<&str, &str> = types
        .iter()
        .map(|(o, n)| (n.as_str(), o.as_str()))
        .collect();
    let mut found = Vec::new();
    for (name, (_, item)) in &space.items {
        let Item::Struct(s) = item else { continue };
        // The first field of each Rust name: one pass, however many fields
        // (a schema of 450,000 properties once took minutes here).
        let mut first = std::collections::HashMap::with_capacity(s.fields.len());
        for f in &s.fields {
            let Some(other) = first.get(f.rust.as_str()).copied() else {
                first.insert(f.rust.as_str(), f);
                continue;
            };
            let planned = old_names.get(name.as_str()).copied().unwrap_or(name);
            let mut d = Diagnostic::error(
                "rust-name-collision",
                format!(
                    "properties `{}` and `{}` both become the Rust field `{}`",
                    other.wire, f.wire, f.rust
                ),
            )
            .with_note(format!("in the struct `{name}`"));
            if let Some((_, span)) = chosen.sites.get(planned) {
                d = d.at(*span, "generating this version's types");
            }
            found.push(d.with_help(format!(
                "name one: `\"x-rust-name\": \"…\"` in its schema, or in the manifest [codegen.rename] \"{name}.{}\" = \"…\"",
                f.wire
            )));
        }
    }
    space.diagnostics.extend(found);
}
