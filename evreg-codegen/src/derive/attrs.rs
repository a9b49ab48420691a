//! The attributes a derive reads: `#[evreg(…)]` (which schema) and the
//! `#[serde(…)]` attributes that decide the wire form (renames, skips,
//! defaults, flatten). Every other serde attribute is skipped, not refused.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, LitInt, LitStr, Token};

/// `#[evreg(catalog = "…", event = "…", version = N, ref = "…", definition = "…", pointer = "…")]`
#[derive(Default)]
pub(crate) struct Target {
    pub catalog: Option<LitStr>,
    pub event: Option<LitStr>,
    pub version: Option<LitInt>,
    pub reference: Option<LitStr>,
    pub definition: Option<LitStr>,
    pub pointer: Option<LitStr>,
    /// The `#[evreg]` attribute, or the type's name when there is none.
    pub span: Option<Span>,
}

impl Target {
    pub fn parse(attrs: &[Attribute]) -> syn::Result<Target> {
        let mut target = Target::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("evreg")) {
            target.span = Some(attr.span());
            attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(|i| i.to_string());
                match key.as_deref() {
                    Some("catalog") => target.catalog = Some(meta.value()?.parse()?),
                    Some("event") => target.event = Some(meta.value()?.parse()?),
                    Some("version") => target.version = Some(meta.value()?.parse()?),
                    Some("ref") => target.reference = Some(meta.value()?.parse()?),
                    Some("definition") => target.definition = Some(meta.value()?.parse()?),
                    Some("pointer") => target.pointer = Some(meta.value()?.parse()?),
                    _ => {
                        return Err(meta.error(
                            "unknown evreg attribute; expected one of `catalog`, `event`, \
                             `version`, `ref`, `definition`, `pointer`",
                        ));
                    }
                }
                Ok(())
            })?;
        }
        Ok(target)
    }
}

/// serde's `rename_all` rules, applied as serde applies them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    fn from_str(s: &str) -> Option<RenameRule> {
        Some(match s {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            _ => return None,
        })
    }

    /// A field name (snake_case in Rust) on the wire.
    pub fn field(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_owned(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Pascal | RenameRule::Camel => {
                let mut out = String::new();
                let mut capitalize = self == RenameRule::Pascal;
                for c in field.chars() {
                    if c == '_' {
                        capitalize = true;
                    } else if capitalize {
                        out.push(c.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        out.push(c);
                    }
                }
                if self == RenameRule::Camel
                    && let Some(first) = out.get(..1)
                {
                    out = first.to_ascii_lowercase() + &out[1..];
                }
                out
            }
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
        }
    }

    /// A variant name (PascalCase in Rust) on the wire.
    pub fn variant(self, variant: &str) -> String {
        let snake = || {
            let mut out = String::new();
            for (i, c) in variant.char_indices() {
                if i > 0 && c.is_uppercase() {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        };
        match self {
            RenameRule::Pascal => variant.to_owned(),
            RenameRule::Lower => variant.to_ascii_lowercase(),
            RenameRule::Upper => variant.to_ascii_uppercase(),
            RenameRule::Camel => variant[..1].to_ascii_lowercase() + &variant[1..],
            RenameRule::Snake => snake(),
            RenameRule::ScreamingSnake => snake().to_ascii_uppercase(),
            RenameRule::Kebab => snake().replace('_', "-"),
            RenameRule::ScreamingKebab => snake().to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// The container's `#[serde(…)]`.
#[derive(Default)]
pub(crate) struct Container {
    pub rename_all: Option<RenameRule>,
    pub default: bool,
    pub deny_unknown_fields: bool,
    /// `tag`, `untagged`, `content`, `transparent`, `from`, `try_from`,
    /// `into`: a wire form the derive cannot follow.
    pub unsupported: Option<(String, Span)>,
}

/// A field's or variant's `#[serde(…)]`.
#[derive(Default)]
pub(crate) struct Member {
    pub rename: Option<String>,
    /// `skip` or `skip_deserializing`: never read from the wire.
    pub skip: bool,
    pub flatten: bool,
    pub default: bool,
    pub skip_serializing_if: bool,
    /// `with` / `deserialize_with` naming a function of the user's: the wire
    /// form is the function's, not the type's.
    pub custom: bool,
}

pub(crate) fn container(attrs: &[Attribute]) -> syn::Result<Container> {
    let mut out = Container::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match key.as_str() {
                "rename_all" => {
                    let rule = rename_value(&meta)?;
                    out.rename_all =
                        Some(RenameRule::from_str(&rule.value()).ok_or_else(|| {
                            syn::Error::new(rule.span(), "unknown serde rename_all rule")
                        })?);
                }
                "default" => {
                    out.default = true;
                    skip_value(&meta)?;
                }
                "deny_unknown_fields" => out.deny_unknown_fields = true,
                "tag" | "untagged" | "content" | "transparent" | "from" | "try_from" | "into"
                | "remote" => {
                    out.unsupported = Some((key.clone(), meta.path.span()));
                    skip_value(&meta)?;
                }
                _ => skip_value(&meta)?,
            }
            Ok(())
        })?;
    }
    Ok(out)
}

pub(crate) fn member(attrs: &[Attribute]) -> syn::Result<Member> {
    let mut out = Member::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match key.as_str() {
                "rename" => out.rename = Some(rename_value(&meta)?.value()),
                "skip" | "skip_deserializing" => out.skip = true,
                "flatten" => out.flatten = true,
                "default" => {
                    out.default = true;
                    skip_value(&meta)?;
                }
                "skip_serializing_if" => {
                    out.skip_serializing_if = true;
                    skip_value(&meta)?;
                }
                "with" | "deserialize_with" => {
                    let path: LitStr = meta.value()?.parse()?;
                    let path = path.value();
                    // `evreg::wire::required` / `…::optional` read the type's
                    // own wire form (integers include `2.0`); any other
                    // function has its own.
                    if !(path.ends_with("wire::required") || path.ends_with("wire::optional")) {
                        out.custom = true;
                    }
                }
                _ => skip_value(&meta)?,
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// `= "x"`, or `(serialize = "x", deserialize = "y")`: the name read from
/// the wire (deserialize), which is the one a schema check is about.
fn rename_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    if meta.input.peek(Token![=]) {
        return meta.value()?.parse();
    }
    let mut found = None;
    let mut any = None;
    meta.parse_nested_meta(|inner| {
        let lit: LitStr = inner.value()?.parse()?;
        if inner.path.is_ident("deserialize") {
            found = Some(lit);
        } else {
            any = Some(lit);
        }
        Ok(())
    })?;
    found
        .or(any)
        .ok_or_else(|| meta.error("expected a name: rename = \"…\""))
}

/// Skips `= value` or `(…)` after a key the derive does not need.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::RenameRule;
    use serde::Serialize;

    /// Each rule renames fields and variants as serde's derive does.
    macro_rules! agrees_with_serde {
        ($($rule:literal),*) => {$({
            #[derive(Serialize)]
            #[serde(rename_all = $rule)]
            #[allow(non_snake_case, dead_code)]
            struct Fields { a: u8, ab_cd: u8, http_url2_x: u8, x_: u8 }
            #[derive(Serialize)]
            #[serde(rename_all = $rule)]
            #[allow(dead_code)]
            enum Variants { A, AbCd, HttpUrl2X, XYz }
            let rule = RenameRule::from_str($rule).expect("a serde rule");
            let json = serde_json::to_value(Fields { a: 0, ab_cd: 0, http_url2_x: 0, x_: 0 }).unwrap();
            let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
            let ours: Vec<String> = ["a", "ab_cd", "http_url2_x", "x_"].iter().map(|f| rule.field(f)).collect();
            assert_eq!(keys, ours.iter().collect::<Vec<_>>(), "fields, {}", $rule);
            for (variant, name) in [(Variants::A, "A"), (Variants::AbCd, "AbCd"), (Variants::HttpUrl2X, "HttpUrl2X"), (Variants::XYz, "XYz")] {
                assert_eq!(serde_json::to_value(variant).unwrap(), rule.variant(name), "variant {name}, {}", $rule);
            }
        })*};
    }

    #[test]
    fn rename_rules_agree_with_serde() {
        agrees_with_serde!(
            "lowercase",
            "UPPERCASE",
            "PascalCase",
            "camelCase",
            "snake_case",
            "SCREAMING_SNAKE_CASE",
            "kebab-case",
            "SCREAMING-KEBAB-CASE"
        );
    }
}
