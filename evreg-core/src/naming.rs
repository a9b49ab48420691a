//! Names derived from the catalog: schema refs, Rust type and field names.
//!
//! Every generator and every check uses these functions, so a name is derived
//! the same way everywhere.

use heck::{ToPascalCase, ToSnakeCase};

/// Rust keywords (all editions), which become raw identifiers (`r#type`).
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers and get a trailing underscore instead.
const NON_RAW_KEYWORDS: &[&str] = &["crate", "self", "Self", "super", "_"];

/// The PascalCase name of an event type: `TICKET_CREATED` and `ticket.created`
/// both give `TicketCreated`.
///
/// ```
/// assert_eq!(evreg_core::naming::pascal_name("INBOUND_EMAIL_RECEIVED"), "InboundEmailReceived");
/// assert_eq!(evreg_core::naming::pascal_name("course.graduated"), "CourseGraduated");
/// ```
pub fn pascal_name(event_type: &str) -> String {
    event_type.to_pascal_case()
}

/// The schema ref of a payload version: `payload.<PascalCase(type)>.v<N>`.
///
/// ```
/// assert_eq!(evreg_core::naming::schema_ref("TICKET_CREATED", 2), "payload.TicketCreated.v2");
/// ```
pub fn schema_ref(event_type: &str, version: u32) -> String {
    format!("payload.{}.v{version}", pascal_name(event_type))
}

/// The Rust struct name of a payload version: `TicketCreatedV1`.
pub fn payload_type_name(event_type: &str, version: u32) -> String {
    format!("{}V{version}", pascal_name(event_type))
}

/// The Rust field name of a JSON property: snake_case, keywords as raw
/// identifiers, a leading digit prefixed with `_`, and symbols that begin
/// the name spelled out (see [`spell_leading_symbols`]).
///
/// ```
/// use evreg_core::naming::field_name;
/// assert_eq!(field_name("ticketId"), "ticket_id");
/// assert_eq!(field_name("type"), "r#type");
/// assert_eq!(field_name("2fa"), "_2fa");
/// assert_eq!(field_name("+1"), "plus_1");
/// assert_eq!(field_name("-1"), "minus_1");
/// assert_eq!(field_name("@type"), "at_type");
/// ```
pub fn field_name(property: &str) -> String {
    sanitize(&spell_leading_symbols(property).to_snake_case())
}

/// The words for symbols that begin a name, which case conversion would
/// otherwise drop (`+1` and `-1` would both be `1`).
const SYMBOL_WORDS: &[(char, &str)] = &[
    ('+', "plus"),
    ('-', "minus"),
    ('@', "at"),
    ('$', "dollar"),
    ('#', "hash"),
    ('%', "percent"),
    ('&', "and"),
    ('*', "star"),
    ('!', "not"),
    ('~', "tilde"),
    ('=', "equals"),
    ('<', "lt"),
    ('>', "gt"),
    ('.', "dot"),
    ('/', "slash"),
];

/// `name` with the symbols it begins with spelled out as words (`+1` →
/// `plus 1`, `@type` → `at type`, `$ref` → `dollar ref`); a name that
/// begins with a letter, a digit or `_` is returned as it is. The rule
/// behind every Rust name evreg derives from a JSON name
/// (docs/catalog-format.md, "Names derived from the catalog").
pub fn spell_leading_symbols(name: &str) -> std::borrow::Cow<'_, str> {
    let symbols = name
        .char_indices()
        .take_while(|(_, c)| SYMBOL_WORDS.iter().any(|(s, _)| s == c))
        .count();
    if symbols == 0 {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::new();
    for c in name.chars().take(symbols) {
        if let Some((_, word)) = SYMBOL_WORDS.iter().find(|(s, _)| *s == c) {
            out.push_str(word);
            out.push(' ');
        }
    }
    out.push_str(
        &name[name
            .char_indices()
            .nth(symbols)
            .map_or(name.len(), |(i, _)| i)..],
    );
    std::borrow::Cow::Owned(out)
}

/// The Rust variant name of a string enum value: PascalCase, prefixed with `V`
/// when it would start with a digit, `Empty` for the empty string.
///
/// ```
/// use evreg_core::naming::variant_name;
/// assert_eq!(variant_name("in_progress"), "InProgress");
/// assert_eq!(variant_name("2fa"), "V2fa");
/// ```
pub fn variant_name(value: &str) -> String {
    let name = spell_leading_symbols(value).to_pascal_case();
    if name.is_empty() {
        "Empty".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        not_self(name)
    }
}

/// `Self`, the one keyword PascalCase can spell, cannot name a type or a
/// variant, even raw: it becomes `Self_` (as `self` becomes the field
/// `self_`).
fn not_self(name: String) -> String {
    if name == "Self" {
        "Self_".to_owned()
    } else {
        name
    }
}

/// Whether `name` can be written as a Rust identifier as it is (ASCII
/// letters, digits and `_`, not starting with a digit, not a keyword): what
/// an override (`x-rust-name`, `[codegen.rename]`) must be.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !RUST_KEYWORDS.contains(&name)
        && !NON_RAW_KEYWORDS.contains(&name)
}

/// The Rust type name of a shared definition or nested object.
pub fn type_name(name: &str) -> String {
    let name = spell_leading_symbols(name).to_pascal_case();
    if name.is_empty() {
        "Unnamed".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{name}")
    } else {
        not_self(name)
    }
}

fn sanitize(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        return "_empty".to_owned();
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        return format!("{name}_");
    }
    if RUST_KEYWORDS.contains(&name.as_str()) {
        return format!("r#{name}");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{name}");
    }
    name
}

/// The closest of `candidates` to `name`, if one is close enough to suggest.
///
/// ```
/// let known = ["description", "category", "owner"];
/// assert_eq!(evreg_core::naming::did_you_mean("descripton", known), Some("description"));
/// assert_eq!(evreg_core::naming::did_you_mean("zzz", known), None);
/// ```
///
/// Time is linear in `name`'s length: a candidate less than a quarter or
/// more than four times as long cannot reach the score a suggestion needs
/// (its Jaro similarity stays under 0.75, Winkler's bonus under 0.85), so it
/// is not compared (a 10 MB event type once took 14 s here).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    candidates
        .into_iter()
        .filter(|c| {
            let n = c.chars().count();
            4 * len.min(n) >= len.max(n)
        })
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// `n` and the noun that counts it: `count(1, "error", "errors")` is
/// `1 error`, `count(2, "error", "errors")` is `2 errors`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A property-name convention declared by the manifest's `key_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCase {
    /// `ticketId`
    CamelCase,
    /// `ticket_id`
    SnakeCase,
    /// `TicketId`
    PascalCase,
    /// `ticket-id`
    KebabCase,
}

impl KeyCase {
    /// Every convention with its manifest spelling.
    pub const ALL: [(&'static str, KeyCase); 4] = [
        ("camelCase", KeyCase::CamelCase),
        ("snake_case", KeyCase::SnakeCase),
        ("PascalCase", KeyCase::PascalCase),
        ("kebab-case", KeyCase::KebabCase),
    ];

    /// The manifest spelling.
    pub fn as_str(self) -> &'static str {
        KeyCase::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(s, _)| s)
    }

    /// `name` converted to this convention.
    pub fn convert(self, name: &str) -> String {
        use heck::{ToKebabCase, ToLowerCamelCase};
        match self {
            KeyCase::CamelCase => name.to_lower_camel_case(),
            KeyCase::SnakeCase => name.to_snake_case(),
            KeyCase::PascalCase => name.to_pascal_case(),
            KeyCase::KebabCase => name.to_kebab_case(),
        }
    }

    /// Whether `name` already follows this convention.
    pub fn matches(self, name: &str) -> bool {
        self.convert(name) == name
    }
}

/// Whether an event type is well formed: `SCREAMING_SNAKE_CASE` or dotted lower
/// case (`course.graduated`, `billing.invoice_paid`).
pub fn is_valid_event_type(event_type: &str) -> bool {
    /// `WORD(_WORD)*`: the first word starts with a letter, later ones may be digits.
    fn words(s: &str, upper: bool) -> bool {
        let case_ok = |c: char| {
            c.is_ascii_digit()
                || if upper {
                    c.is_ascii_uppercase()
                } else {
                    c.is_ascii_lowercase()
                }
        };
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.split('_')
                .all(|w| !w.is_empty() && w.chars().all(case_ok))
    }
    if event_type.contains('.') {
        event_type.split('.').all(|part| words(part, false))
    } else {
        words(event_type, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Skipping candidates of very different lengths never changes the
        /// suggestion: the same answer as comparing every candidate.
        #[test]
        fn the_length_bound_changes_no_suggestion(
            name in "[a-cA-C_]{0,40}",
            candidates in proptest::collection::vec("[a-c_]{0,12}", 0..8),
        ) {
            let lower = name.to_lowercase();
            let every = candidates
                .iter()
                .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c.as_str()))
                .filter(|(score, _)| *score >= 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
                .map(|(_, c)| c);
            proptest::prop_assert_eq!(
                did_you_mean(&name, candidates.iter().map(String::as_str)),
                every
            );
        }
    }

    #[test]
    fn refs_agree_across_spellings() {
        assert_eq!(schema_ref("TICKET_CREATED", 1), "payload.TicketCreated.v1");
        assert_eq!(schema_ref("ticket.created", 1), "payload.TicketCreated.v1");
        assert_eq!(
            schema_ref("hr.leave_approved", 3),
            "payload.HrLeaveApproved.v3"
        );
        assert_eq!(
            payload_type_name("course.graduated", 2),
            "CourseGraduatedV2"
        );
    }

    #[test]
    fn field_names_are_valid_identifiers() {
        for (input, expected) in [
            ("ticketId", "ticket_id"),
            ("HTTPStatus", "http_status"),
            ("type", "r#type"),
            ("self", "self_"),
            ("crate", "crate_"),
            ("2fa", "_2fa"),
            ("a-b", "a_b"),
            ("", "_empty"),
            ("é", "é"),
            ("match", "r#match"),
            ("+1", "plus_1"),
            ("-1", "minus_1"),
            ("@type", "at_type"),
            ("$ref", "dollar_ref"),
            ("--", "minus_minus"),
            ("_id", "id"),
        ] {
            assert_eq!(field_name(input), expected, "{input}");
        }
    }

    #[test]
    fn variants() {
        assert_eq!(variant_name("in-progress"), "InProgress");
        assert_eq!(variant_name("in_progress"), "InProgress");
        assert_eq!(variant_name("HIGH"), "High");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("1st"), "V1st");
        assert_eq!(variant_name("+1"), "Plus1");
        assert_eq!(variant_name("-1"), "Minus1");
        assert_eq!(type_name("@context"), "AtContext");
    }

    #[test]
    fn key_cases() {
        assert!(KeyCase::CamelCase.matches("ticketId"));
        assert!(!KeyCase::CamelCase.matches("ticket_id"));
        assert!(KeyCase::SnakeCase.matches("ticket_id"));
        assert!(KeyCase::KebabCase.matches("ticket-id"));
        assert!(KeyCase::PascalCase.matches("TicketId"));
    }

    #[test]
    fn event_types() {
        for ok in [
            "TICKET_CREATED",
            "A",
            "V2_DONE",
            "course.graduated",
            "hr.leave_approved",
        ] {
            assert!(is_valid_event_type(ok), "{ok}");
        }
        for bad in [
            "",
            "Ticket_Created",
            "TICKET__CREATED",
            "course.",
            ".x",
            "a.B",
            "ticket-created",
            "_A",
        ] {
            assert!(!is_valid_event_type(bad), "{bad}");
        }
    }
}
