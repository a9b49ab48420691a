//! Event types, versions, categories and names made of what imported files
//! call their events (paths, titles, `$id`s): the mapping docs/import.md
//! documents.

use evreg_core::naming::is_valid_event_type;
use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase};

/// A name's trailing version: `ticket-created.v2`, `TicketCreated_v2`,
/// `Ticket created v2` → (`ticket-created`, 2); `v3` alone → (``, 3).
pub fn split_version(name: &str) -> (&str, Option<u32>) {
    let Some(at) = name.rfind(['v', 'V']) else {
        return (name, None);
    };
    let digits = &name[at + 1..];
    let before = &name[..at];
    let separated = before.is_empty() || before.ends_with(['.', '_', '-', ' ', '/', '$']);
    match digits.parse::<u32>() {
        Ok(n) if n > 0 && separated && digits.bytes().all(|b| b.is_ascii_digit()) => (
            before.trim_end_matches(['.', '_', '-', ' ', '/', '$']),
            Some(n),
        ),
        _ => (name, None),
    }
}

/// An event type and version from path-like segments (folders then the
/// file's stem, or the parts of an `$id`): a version found in any segment
/// (the last one wins), each segment in snake case, joined with `.`:
/// `["check_run", "completed"]` → `check_run.completed` v1,
/// `["orders", "v2", "OrderPlaced"]` → `orders.order_placed` v2.
pub fn type_from_segments<S: AsRef<str>>(segments: &[S]) -> Result<(String, u32), String> {
    let mut version = None;
    let mut words = Vec::new();
    for segment in segments {
        let (rest, v) = split_version(segment.as_ref());
        version = v.or(version);
        let word = rest.to_snake_case();
        if !word.is_empty() {
            words.push(word);
        }
    }
    let event_type = words.join(".");
    if is_valid_event_type(&event_type) {
        Ok((event_type, version.unwrap_or(1)))
    } else {
        Err(invalid(&event_type))
    }
}

/// An event type and version from a `title`: `Ticket created v2` →
/// `TICKET_CREATED` v2.
pub fn type_from_title(title: &str) -> Result<(String, u32), String> {
    let (rest, version) = split_version(title.trim());
    let event_type = rest.to_shouty_snake_case();
    if is_valid_event_type(&event_type) {
        Ok((event_type, version.unwrap_or(1)))
    } else {
        Err(invalid(&event_type))
    }
}

fn invalid(event_type: &str) -> String {
    if event_type.is_empty() {
        "it gives an empty event type".to_owned()
    } else {
        format!(
            "`{event_type}` is no event type (each word must start with a letter); choose another --types"
        )
    }
}

/// The path-like segments of an `$id`: scheme, authority, query and
/// fragment dropped, `.schema.json` / `.json` too; `/` and `$` separate
/// (`check_run$completed` → `check_run`, `completed`), and `:` after a
/// scheme without authority (`urn:acme:orders` → `acme`, `orders`).
pub fn id_segments(id: &str) -> Vec<String> {
    let id = id.split(['#', '?']).next().unwrap_or_default();
    // `https://host/path`: the path; `urn:acme:orders`: what follows the scheme.
    let (path, scheme) = match id.split_once("://") {
        Some((_, rest)) => (rest.split_once('/').map_or("", |(_, path)| path), false),
        None => (id, id.contains(':')),
    };
    strip_json(path)
        .split(['/', '$', ':'])
        .skip(usize::from(scheme))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A file name without `.schema.json`, `.json` (any case).
pub fn strip_json(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for suffix in [".schema.json", ".json"] {
        if lower.ends_with(suffix) {
            return &name[..name.len() - suffix.len()];
        }
    }
    name
}

/// The category of an event type: its first part (`check_run.completed` →
/// `check_run`), or its first word (`ORDER_PLACED` → `order`).
pub fn category_of(event_type: &str) -> String {
    match event_type.split_once('.') {
        Some((first, _)) => first.to_owned(),
        None => event_type
            .split('_')
            .next()
            .unwrap_or(event_type)
            .to_lowercase(),
    }
}

/// A human name: `check_run.completed` → `Check run completed`.
pub fn human_name(event_type: &str) -> String {
    let words = event_type.replace(['.', '_', '-'], " ").to_lowercase();
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// The stem of a category's event file: `check_run` → `check-run`.
pub fn file_stem(category: &str) -> String {
    let stem = category.to_kebab_case();
    if stem.is_empty() {
        "events".to_owned()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_found_where_teams_put_them() {
        assert_eq!(
            split_version("ticket-created.v2"),
            ("ticket-created", Some(2))
        );
        assert_eq!(
            split_version("TicketCreated_v3"),
            ("TicketCreated", Some(3))
        );
        assert_eq!(
            split_version("Ticket created V4"),
            ("Ticket created", Some(4))
        );
        assert_eq!(split_version("v5"), ("", Some(5)));
        assert_eq!(split_version("preview"), ("preview", None));
        assert_eq!(split_version("dev2"), ("dev2", None));
        assert_eq!(split_version("x.v0"), ("x.v0", None));
        assert_eq!(split_version("x.v2a"), ("x.v2a", None));
    }

    #[test]
    fn types_from_paths_titles_and_ids() {
        assert_eq!(
            type_from_segments(&["check_run", "completed"]),
            Ok(("check_run.completed".to_owned(), 1))
        );
        assert_eq!(
            type_from_segments(&["orders", "v2", "OrderPlaced"]),
            Ok(("orders.order_placed".to_owned(), 2))
        );
        assert_eq!(
            type_from_segments(&["code_scanning_alert", "closed-by-user"]),
            Ok(("code_scanning_alert.closed_by_user".to_owned(), 1))
        );
        assert!(type_from_segments(&["2fa", "enabled"]).is_err());
        assert_eq!(
            type_from_title("Ticket created v2"),
            Ok(("TICKET_CREATED".to_owned(), 2))
        );
        assert_eq!(
            id_segments("https://example.org/schemas/orders/placed.v1.json#"),
            ["schemas", "orders", "placed.v1"]
        );
        assert_eq!(
            id_segments("check_run$completed"),
            ["check_run", "completed"]
        );
        assert_eq!(
            id_segments("urn:acme:orders/placed"),
            ["acme", "orders", "placed"]
        );
    }

    #[test]
    fn categories_and_names() {
        assert_eq!(category_of("check_run.completed"), "check_run");
        assert_eq!(category_of("ORDER_PLACED"), "order");
        assert_eq!(human_name("check_run.completed"), "Check run completed");
        assert_eq!(file_stem("check_run"), "check-run");
    }
}
