//! The `format` vocabulary: every format of JSON Schema 2020-12, which of
//! them evreg asserts, and what a format it does not know is.

/// What evreg makes of a `format` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatKind {
    /// Asserted: a value not in the format fails validation, in the
    /// registry and in generated code alike.
    Asserted(crate::validate::Format),
    /// A format of the specification that evreg cannot assert: accepted,
    /// and reported as a warning naming it, so nobody believes it checked.
    NotAsserted,
    /// Not a format of the specification.
    Unknown,
}

/// The formats of JSON Schema 2020-12 (section 7.3 of the validation
/// specification), with what evreg makes of each.
pub const FORMATS: &[(&str, FormatKind)] = {
    use crate::validate::Format as F;
    use FormatKind::*;
    &[
        ("date-time", Asserted(F::DateTime)),
        ("date", Asserted(F::Date)),
        ("time", Asserted(F::Time)),
        ("duration", Asserted(F::Duration)),
        ("email", Asserted(F::Email)),
        // Internationalized addresses and host names need IDNA tables that
        // evreg does not build in (docs/catalog-format.md, "Formats").
        ("idn-email", NotAsserted),
        ("hostname", Asserted(F::Hostname)),
        ("idn-hostname", NotAsserted),
        ("ipv4", Asserted(F::Ipv4)),
        ("ipv6", Asserted(F::Ipv6)),
        ("uri", Asserted(F::Uri)),
        ("uri-reference", Asserted(F::UriReference)),
        ("iri", Asserted(F::Iri)),
        ("iri-reference", Asserted(F::IriReference)),
        ("uuid", Asserted(F::Uuid)),
        ("uri-template", Asserted(F::UriTemplate)),
        ("json-pointer", Asserted(F::JsonPointer)),
        ("relative-json-pointer", Asserted(F::RelativeJsonPointer)),
        ("regex", Asserted(F::Regex)),
    ]
};

/// What evreg makes of the format `name`.
pub fn format_kind(name: &str) -> FormatKind {
    FORMATS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(FormatKind::Unknown, |(_, kind)| *kind)
}

/// The names of the formats evreg asserts.
pub fn asserted() -> impl Iterator<Item = &'static str> {
    FORMATS
        .iter()
        .filter(|(_, kind)| matches!(kind, FormatKind::Asserted(_)))
        .map(|(name, _)| *name)
}

/// The names of every format of the specification.
pub fn names() -> impl Iterator<Item = &'static str> {
    FORMATS.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Format;

    #[test]
    fn every_asserted_format_names_its_own_check() {
        for (name, kind) in FORMATS {
            if let FormatKind::Asserted(format) = kind {
                assert_eq!(Format::from_name(name), Some(*format), "{name}");
                assert_eq!(format.name(), *name);
            }
        }
        assert_eq!(format_kind("phone"), FormatKind::Unknown);
        assert_eq!(format_kind("idn-email"), FormatKind::NotAsserted);
    }

    #[test]
    fn the_new_formats_are_asserted_as_jsonschema_asserts_them() {
        let cases: &[(Format, &str, &str)] = &[
            (
                Format::UriTemplate,
                "https://api.github.com/repos{/owner}",
                "https://api.github.com/repos{/owner",
            ),
            (Format::Iri, "https://example.org/ü", "not an iri"),
            (Format::IriReference, "/relative/ü", "\\\\bad"),
            (Format::JsonPointer, "/a/b~1c", "a/b"),
            (Format::RelativeJsonPointer, "1/a", "/a"),
            (Format::Regex, "^[a-z]+$", "(unclosed"),
        ];
        for (format, good, bad) in cases {
            assert!(format.is_valid(good), "{format:?} refuses {good}");
            assert!(!format.is_valid(bad), "{format:?} accepts {bad}");
        }
    }
}
