//! Every keyword of JSON Schema drafts 04 to 2020-12: its vocabulary, its
//! role, and whether evreg supports it. The loader's checks, compatibility
//! and code generation ask this table; none keeps a list of its own.
//!
//! Adding a keyword: give it a row here; a supported one that has a say in
//! a verdict is also a [`Rule`], and `cargo build` then points at every
//! reader's exhaustive `match` on [`Rule`] that must say what it makes of it
//! (docs/architecture.md, "Adding a keyword").

/// The vocabulary a keyword belongs to (2020-12's names; keywords that
/// 2020-12 dropped or renamed are [`Vocabulary::Legacy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vocabulary {
    /// `$id`, `$ref`, `$defs`, …
    Core,
    /// `properties`, `items`, `allOf`, …
    Applicator,
    /// `unevaluatedProperties`, `unevaluatedItems`.
    Unevaluated,
    /// `type`, `enum`, `minLength`, …
    Validation,
    /// `title`, `description`, `default`, …
    MetaData,
    /// `format`.
    Format,
    /// `contentEncoding`, `contentMediaType`, `contentSchema`.
    Content,
    /// Keywords of drafts before 2020-12 (`definitions`, `dependencies`,
    /// `additionalItems`, `$recursiveRef`, …).
    Legacy,
    /// Annotations of OpenAPI's schema objects that published JSON Schemas
    /// carry out of habit (`example`).
    OpenApi,
}

/// What a keyword does to validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Identifies or references schemas (`$id`, `$ref`, `$anchor`, …).
    Identifier,
    /// Holds schemas to reach by reference, validating nothing itself
    /// (`$defs`, `definitions`).
    Definitions,
    /// Applies subschemas to the instance or its parts.
    Applicator,
    /// Asserts something of the instance.
    Assertion,
    /// Describes, never validates: a change to it changes no verdict.
    Annotation,
}

/// Whether evreg validates and generates code for a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Support {
    /// Validated by the registry and by generated code.
    Supported,
    /// A keyword of drafts up to this one, read in documents of those
    /// drafts and said in 2020-12's words when bundled
    /// ([`Draft::translate`](super::dialect::Draft::translate)).
    Until(super::dialect::Draft),
    /// A keyword of this draft only, read in its documents and said in
    /// 2020-12's words when they are loaded (`$recursiveRef`:
    /// [`recursive_to_ref`](super::dialect::recursive_to_ref)).
    In(super::dialect::Draft),
    /// A schema using it is an error naming the keyword.
    Unsupported,
}

/// One keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyword {
    /// As it is spelled in a schema.
    pub name: &'static str,
    /// Its vocabulary.
    pub vocabulary: Vocabulary,
    /// What it does.
    pub role: Role,
    /// Whether evreg supports it.
    pub support: Support,
}

const fn kw(name: &'static str, vocabulary: Vocabulary, role: Role, support: Support) -> Keyword {
    Keyword {
        name,
        vocabulary,
        role,
        support,
    }
}

use super::dialect::Draft::{Draft7, Draft201909};
use Role::*;
use Support::*;
use Vocabulary as V;

/// Every keyword, in the order of the specification's vocabularies.
pub const KEYWORDS: &[Keyword] = &[
    // Core.
    kw("$schema", V::Core, Annotation, Supported),
    // Supported at a document's root; an embedded resource is not.
    kw("$id", V::Core, Identifier, Supported),
    kw("$ref", V::Core, Identifier, Supported),
    kw("$anchor", V::Core, Identifier, Supported),
    kw("$dynamicRef", V::Core, Identifier, Unsupported),
    kw("$dynamicAnchor", V::Core, Identifier, Unsupported),
    kw("$vocabulary", V::Core, Annotation, Unsupported),
    kw("$comment", V::Core, Annotation, Supported),
    kw("$defs", V::Core, Definitions, Supported),
    // Applicator.
    kw("allOf", V::Applicator, Applicator, Supported),
    kw("anyOf", V::Applicator, Applicator, Supported),
    kw("oneOf", V::Applicator, Applicator, Supported),
    kw("not", V::Applicator, Applicator, Supported),
    kw("if", V::Applicator, Applicator, Supported),
    kw("then", V::Applicator, Applicator, Supported),
    kw("else", V::Applicator, Applicator, Supported),
    kw("dependentSchemas", V::Applicator, Applicator, Supported),
    kw("prefixItems", V::Applicator, Applicator, Supported),
    kw("items", V::Applicator, Applicator, Supported),
    kw("contains", V::Applicator, Applicator, Supported),
    kw("properties", V::Applicator, Applicator, Supported),
    kw("patternProperties", V::Applicator, Applicator, Supported),
    kw("additionalProperties", V::Applicator, Applicator, Supported),
    kw("propertyNames", V::Applicator, Applicator, Supported),
    // Unevaluated.
    kw("unevaluatedItems", V::Unevaluated, Applicator, Supported),
    kw(
        "unevaluatedProperties",
        V::Unevaluated,
        Applicator,
        Supported,
    ),
    // Validation.
    kw("type", V::Validation, Assertion, Supported),
    kw("enum", V::Validation, Assertion, Supported),
    kw("const", V::Validation, Assertion, Supported),
    kw("multipleOf", V::Validation, Assertion, Supported),
    kw("maximum", V::Validation, Assertion, Supported),
    kw("exclusiveMaximum", V::Validation, Assertion, Supported),
    kw("minimum", V::Validation, Assertion, Supported),
    kw("exclusiveMinimum", V::Validation, Assertion, Supported),
    kw("maxLength", V::Validation, Assertion, Supported),
    kw("minLength", V::Validation, Assertion, Supported),
    kw("pattern", V::Validation, Assertion, Supported),
    kw("maxItems", V::Validation, Assertion, Supported),
    kw("minItems", V::Validation, Assertion, Supported),
    kw("uniqueItems", V::Validation, Assertion, Supported),
    kw("maxContains", V::Validation, Assertion, Supported),
    kw("minContains", V::Validation, Assertion, Supported),
    kw("maxProperties", V::Validation, Assertion, Supported),
    kw("minProperties", V::Validation, Assertion, Supported),
    kw("required", V::Validation, Assertion, Supported),
    kw("dependentRequired", V::Validation, Assertion, Supported),
    // Meta-data.
    kw("title", V::MetaData, Annotation, Supported),
    kw("description", V::MetaData, Annotation, Supported),
    kw("default", V::MetaData, Annotation, Supported),
    kw("deprecated", V::MetaData, Annotation, Supported),
    kw("readOnly", V::MetaData, Annotation, Supported),
    kw("writeOnly", V::MetaData, Annotation, Supported),
    kw("examples", V::MetaData, Annotation, Supported),
    // Format: asserted by evreg (docs/catalog-format.md, "Formats").
    kw("format", V::Format, Assertion, Supported),
    // Content: annotations in 2020-12 (and evreg asserts none of them).
    kw("contentEncoding", V::Content, Annotation, Supported),
    kw("contentMediaType", V::Content, Annotation, Supported),
    kw("contentSchema", V::Content, Annotation, Supported),
    // Drafts before 2020-12.
    kw("definitions", V::Legacy, Definitions, Until(Draft201909)),
    kw("dependencies", V::Legacy, Applicator, Until(Draft7)),
    kw("additionalItems", V::Legacy, Applicator, Until(Draft201909)),
    kw("$recursiveRef", V::Legacy, Identifier, In(Draft201909)),
    kw("$recursiveAnchor", V::Legacy, Identifier, In(Draft201909)),
    // OpenAPI's habits.
    kw("example", V::OpenApi, Annotation, Supported),
];

/// A supported keyword that has a say in a verdict: what every reader of a
/// schema matches on exhaustively. Adding one is a compile error at each
/// reader that must say what it makes of it: code generation
/// (`evreg-codegen`, `plan::role_of`), compatibility (`compat::compared`),
/// and here, [`Rule::subschemas`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `$ref`
    Ref,
    /// `type`
    Type,
    /// `enum`
    Enum,
    /// `const`
    Const,
    /// `multipleOf`
    MultipleOf,
    /// `maximum`
    Maximum,
    /// `exclusiveMaximum`
    ExclusiveMaximum,
    /// `minimum`
    Minimum,
    /// `exclusiveMinimum`
    ExclusiveMinimum,
    /// `maxLength`
    MaxLength,
    /// `minLength`
    MinLength,
    /// `pattern`
    Pattern,
    /// `format`
    Format,
    /// `maxItems`
    MaxItems,
    /// `minItems`
    MinItems,
    /// `uniqueItems`
    UniqueItems,
    /// `items`
    Items,
    /// `required`
    Required,
    /// `properties`
    Properties,
    /// `additionalProperties`
    AdditionalProperties,
    /// `allOf`
    AllOf,
    /// `anyOf`
    AnyOf,
    /// `oneOf`
    OneOf,
    /// `not`
    Not,
    /// `if`
    If,
    /// `then`
    Then,
    /// `else`
    Else,
    /// `dependentSchemas`
    DependentSchemas,
    /// `prefixItems`
    PrefixItems,
    /// `contains`
    Contains,
    /// `patternProperties`
    PatternProperties,
    /// `propertyNames`
    PropertyNames,
    /// `unevaluatedItems`
    UnevaluatedItems,
    /// `unevaluatedProperties`
    UnevaluatedProperties,
    /// `maxContains`
    MaxContains,
    /// `minContains`
    MinContains,
    /// `maxProperties`
    MaxProperties,
    /// `minProperties`
    MinProperties,
    /// `dependentRequired`
    DependentRequired,
}

/// Where a rule's subschemas are in its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subschemas {
    /// None: its value is data (`enum`, `minimum`, …).
    None,
    /// The value is one schema (`items`, `not`).
    One,
    /// An array of schemas (`allOf`).
    List,
    /// An object whose values are schemas (`properties`).
    Map,
}

impl Rule {
    /// Every rule, in the order of the specification's vocabularies.
    pub const ALL: &'static [Rule] = &[
        Rule::Ref,
        Rule::Type,
        Rule::Enum,
        Rule::Const,
        Rule::MultipleOf,
        Rule::Maximum,
        Rule::ExclusiveMaximum,
        Rule::Minimum,
        Rule::ExclusiveMinimum,
        Rule::MaxLength,
        Rule::MinLength,
        Rule::Pattern,
        Rule::Format,
        Rule::MaxItems,
        Rule::MinItems,
        Rule::UniqueItems,
        Rule::Items,
        Rule::Required,
        Rule::Properties,
        Rule::AdditionalProperties,
        Rule::AllOf,
        Rule::AnyOf,
        Rule::OneOf,
        Rule::Not,
        Rule::If,
        Rule::Then,
        Rule::Else,
        Rule::DependentSchemas,
        Rule::PrefixItems,
        Rule::Contains,
        Rule::PatternProperties,
        Rule::PropertyNames,
        Rule::UnevaluatedItems,
        Rule::UnevaluatedProperties,
        Rule::MaxContains,
        Rule::MinContains,
        Rule::MaxProperties,
        Rule::MinProperties,
        Rule::DependentRequired,
    ];

    /// As it is spelled in a schema.
    pub const fn name(self) -> &'static str {
        match self {
            Rule::Ref => "$ref",
            Rule::Type => "type",
            Rule::Enum => "enum",
            Rule::Const => "const",
            Rule::MultipleOf => "multipleOf",
            Rule::Maximum => "maximum",
            Rule::ExclusiveMaximum => "exclusiveMaximum",
            Rule::Minimum => "minimum",
            Rule::ExclusiveMinimum => "exclusiveMinimum",
            Rule::MaxLength => "maxLength",
            Rule::MinLength => "minLength",
            Rule::Pattern => "pattern",
            Rule::Format => "format",
            Rule::MaxItems => "maxItems",
            Rule::MinItems => "minItems",
            Rule::UniqueItems => "uniqueItems",
            Rule::Items => "items",
            Rule::Required => "required",
            Rule::Properties => "properties",
            Rule::AdditionalProperties => "additionalProperties",
            Rule::AllOf => "allOf",
            Rule::AnyOf => "anyOf",
            Rule::OneOf => "oneOf",
            Rule::Not => "not",
            Rule::If => "if",
            Rule::Then => "then",
            Rule::Else => "else",
            Rule::DependentSchemas => "dependentSchemas",
            Rule::PrefixItems => "prefixItems",
            Rule::Contains => "contains",
            Rule::PatternProperties => "patternProperties",
            Rule::PropertyNames => "propertyNames",
            Rule::UnevaluatedItems => "unevaluatedItems",
            Rule::UnevaluatedProperties => "unevaluatedProperties",
            Rule::MaxContains => "maxContains",
            Rule::MinContains => "minContains",
            Rule::MaxProperties => "maxProperties",
            Rule::MinProperties => "minProperties",
            Rule::DependentRequired => "dependentRequired",
        }
    }

    /// The rule a keyword of a (2020-12) schema is, if it has a say in its
    /// verdict and evreg supports it.
    pub fn of(name: &str) -> Option<Rule> {
        // A `match` on the text (compared by length first) costs less than
        // hashing it: the loader asks for every key of every schema.
        Some(match name {
            "$ref" => Rule::Ref,
            "type" => Rule::Type,
            "enum" => Rule::Enum,
            "const" => Rule::Const,
            "multipleOf" => Rule::MultipleOf,
            "maximum" => Rule::Maximum,
            "exclusiveMaximum" => Rule::ExclusiveMaximum,
            "minimum" => Rule::Minimum,
            "exclusiveMinimum" => Rule::ExclusiveMinimum,
            "maxLength" => Rule::MaxLength,
            "minLength" => Rule::MinLength,
            "pattern" => Rule::Pattern,
            "format" => Rule::Format,
            "maxItems" => Rule::MaxItems,
            "minItems" => Rule::MinItems,
            "uniqueItems" => Rule::UniqueItems,
            "items" => Rule::Items,
            "required" => Rule::Required,
            "properties" => Rule::Properties,
            "additionalProperties" => Rule::AdditionalProperties,
            "allOf" => Rule::AllOf,
            "anyOf" => Rule::AnyOf,
            "oneOf" => Rule::OneOf,
            "not" => Rule::Not,
            "if" => Rule::If,
            "then" => Rule::Then,
            "else" => Rule::Else,
            "dependentSchemas" => Rule::DependentSchemas,
            "prefixItems" => Rule::PrefixItems,
            "contains" => Rule::Contains,
            "patternProperties" => Rule::PatternProperties,
            "propertyNames" => Rule::PropertyNames,
            "unevaluatedItems" => Rule::UnevaluatedItems,
            "unevaluatedProperties" => Rule::UnevaluatedProperties,
            "maxContains" => Rule::MaxContains,
            "minContains" => Rule::MinContains,
            "maxProperties" => Rule::MaxProperties,
            "minProperties" => Rule::MinProperties,
            "dependentRequired" => Rule::DependentRequired,
            _ => return None,
        })
    }

    /// Where its subschemas are.
    pub const fn subschemas(self) -> Subschemas {
        match self {
            Rule::Items
            | Rule::AdditionalProperties
            | Rule::Not
            | Rule::If
            | Rule::Then
            | Rule::Else
            | Rule::Contains
            | Rule::PropertyNames
            | Rule::UnevaluatedItems
            | Rule::UnevaluatedProperties => Subschemas::One,
            Rule::AllOf | Rule::AnyOf | Rule::OneOf | Rule::PrefixItems => Subschemas::List,
            Rule::Properties | Rule::PatternProperties | Rule::DependentSchemas => Subschemas::Map,
            Rule::Ref
            | Rule::Type
            | Rule::Enum
            | Rule::Const
            | Rule::MultipleOf
            | Rule::Maximum
            | Rule::ExclusiveMaximum
            | Rule::Minimum
            | Rule::ExclusiveMinimum
            | Rule::MaxLength
            | Rule::MinLength
            | Rule::Pattern
            | Rule::Format
            | Rule::MaxItems
            | Rule::MinItems
            | Rule::UniqueItems
            | Rule::Required
            | Rule::MaxContains
            | Rule::MinContains
            | Rule::MaxProperties
            | Rule::MinProperties
            | Rule::DependentRequired => Subschemas::None,
        }
    }
}

/// The keyword named `name`, if JSON Schema has one (by hash: the loader
/// asks for every key of every schema object).
pub fn keyword(name: &str) -> Option<&'static Keyword> {
    type ByName = std::collections::HashMap<&'static str, &'static Keyword>;
    static BY_NAME: std::sync::LazyLock<ByName> =
        std::sync::LazyLock::new(|| KEYWORDS.iter().map(|k| (k.name, k)).collect());
    BY_NAME.get(name).copied()
}

/// Whether `name` is an extension of a team's own: `x-…`.
pub fn is_extension(name: &str) -> bool {
    name.starts_with("x-")
}

/// Whether a keyword only describes: the specification's annotations and
/// `x-…` extensions. A schema that differs from another only in these
/// accepts exactly the same payloads.
pub fn is_annotation(name: &str) -> bool {
    is_extension(name) || keyword(name).is_some_and(|k| k.role == Role::Annotation)
}

/// Whether a keyword has no say in a schema's verdict where it stands: an
/// annotation, or a container of definitions (`$defs`), which only matters
/// through the references that reach into it.
pub fn validates_nothing(name: &str) -> bool {
    is_annotation(name) || keyword(name).is_some_and(|k| k.role == Role::Definitions)
}

/// Whether evreg supports `name` as a keyword (extensions included: they
/// are annotations).
pub fn is_supported(name: &str) -> bool {
    is_extension(name) || keyword(name).is_some_and(|k| k.support == Support::Supported)
}

/// Whether evreg supports `name` in a document of `draft`: as
/// [`is_supported`], and the keywords of older drafts in documents of
/// those drafts (`definitions`, `dependencies`, `additionalItems`).
pub fn is_supported_in(name: &str, draft: super::dialect::Draft) -> bool {
    is_extension(name)
        || keyword(name).is_some_and(|k| match k.support {
            Support::Supported => true,
            Support::Until(last) => draft <= last,
            Support::In(only) => draft == only,
            Support::Unsupported => false,
        })
}

/// Every keyword evreg supports, for "did you mean" suggestions.
pub fn supported() -> impl Iterator<Item = &'static str> {
    KEYWORDS
        .iter()
        .filter(|k| k.support == Support::Supported)
        .map(|k| k.name)
}

/// The values of `type`.
pub const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_keyword_is_listed_once() {
        let mut names: Vec<_> = KEYWORDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a keyword is listed twice");
    }

    #[test]
    fn annotations_include_extensions_and_exclude_assertions() {
        assert!(is_annotation("title"));
        assert!(is_annotation("$comment"));
        assert!(is_annotation("x-owner"));
        assert!(!is_annotation("minLength"));
        assert!(!is_annotation("$defs"));
        assert!(!is_annotation("tsAdditionalProperties"));
        assert!(is_supported("x-anything"));
        assert!(is_supported("not"));
        assert!(is_supported("if"));
        assert!(!is_supported("$dynamicRef"));
        use super::super::dialect::Draft;
        assert!(is_supported_in("dependencies", Draft::Draft7));
        assert!(!is_supported_in("dependencies", Draft::Draft201909));
        assert!(is_supported_in("additionalItems", Draft::Draft201909));
        assert!(!is_supported_in("additionalItems", Draft::Draft202012));
        assert!(is_supported_in("definitions", Draft::Draft4));
        assert!(!is_supported("frobnicate"));
    }

    /// The rules are exactly the supported keywords that have a say in a
    /// verdict (with `$ref`), so a row added to the table without its
    /// rule fails here.
    #[test]
    fn rules_are_the_supported_keywords_with_a_say() {
        let mut from_table: Vec<&str> = KEYWORDS
            .iter()
            .filter(|k| k.support == Support::Supported)
            .filter(|k| matches!(k.role, Role::Applicator | Role::Assertion) || k.name == "$ref")
            .map(|k| k.name)
            .collect();
        let mut rules: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        from_table.sort();
        rules.sort();
        assert_eq!(from_table, rules);
        for r in Rule::ALL {
            assert_eq!(Rule::of(r.name()), Some(*r));
        }
    }
}
