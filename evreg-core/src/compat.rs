//! Compatibility between two versions of a payload schema.
//!
//! A change is **backward** compatible when a consumer of the new version
//! reads every payload of the old one (everything the old schema accepts,
//! the new accepts), and **forward** compatible when a consumer of the old
//! version reads every payload of the new one. [`findings`] names every
//! place where one side refuses what the other accepts, each as a rule (Buf
//! style: `PROPERTY_ADDED_REQUIRED`, `ENUM_VALUE_REMOVED`, …) with the JSON
//! pointer in the newer schema and the direction it breaks.
//!
//! The comparison is conservative: where it cannot prove that a keyword
//! accepts at least as much (a changed `oneOf`, `if`, `patternProperties`),
//! it reports a finding. It never reports compatibility that the registry
//! then refuses; and over the keywords it reasons about (types, bounds,
//! lengths, patterns, enums, properties, items), each finding it reports is
//! a payload one version accepts and the other refuses. Property tests hold
//! it to both.

use serde_json::{Map, Value};

use crate::schema::keywords::Rule;

/// Which consumers a change must not break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Consumers of a version read the previous version's payloads (the default).
    Backward,
    /// Consumers of a version read the next version's payloads.
    Forward,
    /// Both.
    Full,
    /// Backward, against every earlier version.
    BackwardTransitive,
    /// Forward, against every earlier version.
    ForwardTransitive,
    /// Full, against every earlier version.
    FullTransitive,
    /// No rule.
    None,
}

impl Mode {
    /// Every mode's name, as written in the catalog.
    pub const NAMES: &'static [&'static str] = &[
        "backward",
        "forward",
        "full",
        "backward-transitive",
        "forward-transitive",
        "full-transitive",
        "none",
    ];

    /// The mode's name, as written in the catalog.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Backward => "backward",
            Mode::Forward => "forward",
            Mode::Full => "full",
            Mode::BackwardTransitive => "backward-transitive",
            Mode::ForwardTransitive => "forward-transitive",
            Mode::FullTransitive => "full-transitive",
            Mode::None => "none",
        }
    }

    /// The mode named `name` (`"backward-transitive"`).
    pub fn from_name(name: &str) -> Option<Mode> {
        Some(match name {
            "backward" => Mode::Backward,
            "forward" => Mode::Forward,
            "full" => Mode::Full,
            "backward-transitive" => Mode::BackwardTransitive,
            "forward-transitive" => Mode::ForwardTransitive,
            "full-transitive" => Mode::FullTransitive,
            "none" => Mode::None,
            _ => return None,
        })
    }

    /// Whether the mode forbids breaking `direction`.
    pub fn forbids(self, direction: Direction) -> bool {
        match direction {
            Direction::Backward => matches!(
                self,
                Mode::Backward | Mode::Full | Mode::BackwardTransitive | Mode::FullTransitive
            ),
            Direction::Forward => matches!(
                self,
                Mode::Forward | Mode::Full | Mode::ForwardTransitive | Mode::FullTransitive
            ),
        }
    }

    /// Whether every earlier version counts, not only the previous one.
    pub fn transitive(self) -> bool {
        matches!(
            self,
            Mode::BackwardTransitive | Mode::ForwardTransitive | Mode::FullTransitive
        )
    }
}

/// Which consumers a finding breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// The new version refuses payloads the old one accepts: consumers of
    /// the new version cannot read old data.
    Backward,
    /// The old version refuses payloads the new one accepts: consumers of
    /// the old version cannot read new data.
    Forward,
}

impl Direction {
    /// `backward` or `forward`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }
}

/// One place where one version refuses what the other accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule: `PROPERTY_ADDED_REQUIRED`.
    pub rule: String,
    /// Where, in the newer schema (a JSON pointer).
    pub pointer: String,
    /// What changed, for people.
    pub message: String,
    /// Which consumers it breaks.
    pub breaks: Direction,
}

impl Finding {
    /// How the newer version could keep what it breaks, when the rule says
    /// (`PROPERTY_ADDED_REQUIRED`: add the property as optional).
    pub fn remedy(&self) -> Option<String> {
        let last = self.pointer.rsplit('/').next().unwrap_or_default();
        let name = last.replace("~1", "/").replace("~0", "~");
        let old = match self.breaks {
            Direction::Backward => "older",
            Direction::Forward => "newer",
        };
        Some(match self.rule.as_str() {
            "PROPERTY_ADDED_REQUIRED" => format!(
                "add `{name}` without listing it in `required`: {old} payloads, which lack it, stay valid"
            ),
            "PROPERTY_MADE_REQUIRED" => {
                format!("leave `{name}` optional: {old} payloads may lack it")
            }
            "PROPERTY_ADDED_TO_OPEN_OBJECT" | "PROPERTY_REMOVED_FROM_OPEN_OBJECT" => format!(
                "the object is open, so {old} payloads may carry `{name}` with any value: \
                 declare it without constraints, or give the new property another name"
            ),
            "ENUM_VALUE_REMOVED" | "ENUM_VALUE_ADDED" => {
                format!("keep the value: {old} payloads may carry it")
            }
            "TYPE_NARROWED" | "TYPE_WIDENED" => {
                format!("keep every type the {old} version allows (a `type` array, or `anyOf`)")
            }
            "REQUIRED_PROPERTY_REMOVED" | "PROPERTY_REMOVED" => {
                format!("keep `{name}`: consumers of the {old} version read it")
            }
            rule if rule.ends_with("_TIGHTENED") || rule.ends_with("_LOOSENED") => format!(
                "keep `{}` as the {old} version has it",
                keyword_name(
                    rule.trim_end_matches("_TIGHTENED")
                        .trim_end_matches("_LOOSENED")
                )
            ),
            _ => return None,
        })
    }
}

/// `MAX_LENGTH` → `maxLength`: a bound's keyword from its rule's first part.
fn keyword_name(screaming: &str) -> String {
    let mut out = String::new();
    for (i, word) in screaming.split('_').enumerate() {
        let lower = word.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Every finding between the versions of `event` that `mode` forbids, as
/// (older, newer, finding): each version against the previous one, or
/// against every earlier one in a transitive mode. Only the newer versions
/// for which `check` is true are compared.
pub fn violations(
    event: &crate::Event,
    mode: Mode,
    check: impl Fn(&crate::PayloadVersion) -> bool,
) -> Vec<(&crate::PayloadVersion, &crate::PayloadVersion, Finding)> {
    let mut out = Vec::new();
    if mode == Mode::None {
        return out;
    }
    let mut versions: Vec<&crate::PayloadVersion> = event.versions.iter().collect();
    versions.sort_by_key(|v| v.version);
    for (i, newer) in versions.iter().enumerate().skip(1) {
        if !check(newer) {
            continue;
        }
        let earlier = if mode.transitive() {
            &versions[..i]
        } else {
            &versions[i - 1..i]
        };
        for older in earlier {
            for f in findings(&older.schema, &newer.schema) {
                if mode.forbids(f.breaks) {
                    out.push((*older, *newer, f));
                }
            }
        }
    }
    out
}

/// Every incompatibility between `old` and `new` (resolved, self-contained
/// schemas), in both directions, sorted by pointer then rule.
pub fn findings(old: &Value, new: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    // Backward: where the new refuses what the old accepts.
    Walk {
        a_root: old,
        b_root: new,
        a_is_old: true,
        out: &mut out,
        following: Default::default(),
    }
    .node(old, new, "", 0);
    // Forward: where the old refuses what the new accepts.
    Walk {
        a_root: new,
        b_root: old,
        a_is_old: false,
        out: &mut out,
        following: Default::default(),
    }
    .node(new, old, "", 0);
    out.sort_by(|x, y| (&x.pointer, &x.rule, x.breaks).cmp(&(&y.pointer, &y.rule, y.breaks)));
    out.dedup();
    out
}

/// Looks for what `b` refuses and `a` accepts.
struct Walk<'a, 'o> {
    a_root: &'a Value,
    b_root: &'a Value,
    /// Whether `a` is the old version (so the finding breaks backward).
    a_is_old: bool,
    out: &'o mut Vec<Finding>,
    /// The pairs of `$ref`s being compared (see [`Walk::node`]).
    following: std::collections::HashSet<(String, String)>,
}

/// How deep schemas are compared (recursive references stop where they
/// meet themselves; this bounds pathological nesting).
const MAX_DEPTH: usize = 64;

impl Walk<'_, '_> {
    fn push(&mut self, rule: &str, pointer: &str, message: String) {
        self.out.push(Finding {
            rule: rule.to_owned(),
            pointer: pointer.to_owned(),
            message,
            breaks: if self.a_is_old {
                Direction::Backward
            } else {
                Direction::Forward
            },
        });
    }

    /// `old → new` wording of a change seen as "b is stricter than a".
    fn change<'s>(&self, tightened: &'s str, loosened: &'s str) -> &'s str {
        if self.a_is_old { tightened } else { loosened }
    }

    /// Compares `a` and `b`; a pair of references already being compared
    /// (a recursive schema meeting itself) is taken as equal there: any
    /// difference is found where the pair was first met.
    fn node(&mut self, a: &Value, b: &Value, at: &str, depth: usize) {
        let refs = (
            a.get("$ref").and_then(Value::as_str),
            b.get("$ref").and_then(Value::as_str),
        );
        let (Some(ra), Some(rb)) = refs else {
            return self.compare(a, b, at, depth);
        };
        let pair = (ra.to_owned(), rb.to_owned());
        if !self.following.insert(pair.clone()) {
            return;
        }
        self.compare(a, b, at, depth);
        self.following.remove(&pair);
    }

    fn compare(&mut self, a: &Value, b: &Value, at: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.push("TOO_DEEP", at, "nesting too deep to compare".to_owned());
            return;
        }
        let (Some(a), Some(b)) = (resolve(a, self.a_root), resolve(b, self.b_root)) else {
            if a != b {
                self.push("REF_CHANGED", at, "a `$ref` changed".to_owned());
            }
            return;
        };
        if a == b && !crate::catalog::contains_ref(a) {
            return;
        }
        let empty = Map::new();
        let (am, bm) = match (a, b) {
            (_, Value::Bool(true)) => return,
            (Value::Bool(false), _) => return,
            (Value::Bool(true), Value::Object(bm)) => (&empty, bm),
            (Value::Object(am), Value::Object(bm)) => (am, bm),
            (_, Value::Bool(false)) | (_, _) => {
                self.push(
                    "SCHEMA_CHANGED",
                    at,
                    "the schema became stricter".to_owned(),
                );
                return;
            }
        };
        if accepts_all_of(bm, am) {
            return;
        }
        if !self.types(am, bm, at) {
            return;
        }
        self.values(am, bm, at);
        self.bounds(am, bm, at);
        self.strings(am, bm, at);
        self.object(am, bm, at, depth);
        self.array(am, bm, at, depth);
        // Keywords this walk does not reason about: any difference counts.
        for (k, bv) in bm {
            if crate::schema::keywords::validates_nothing(k) || Rule::of(k).is_some_and(compared) {
                continue;
            }
            if !am
                .get(k)
                .is_some_and(|av| same(av, bv, (self.a_root, self.b_root), &mut Default::default()))
            {
                let rule = format!("{}_CHANGED", screaming(k));
                self.push(&rule, at, format!("`{k}` changed"));
            }
        }
        // Dropping a rule only lets more through, unless the rule itself
        // let through what other keywords refuse (`prefixItems` exempts
        // the first items from `items`).
        for k in am.keys().filter(|k| !bm.contains_key(*k)) {
            if Rule::of(k).is_some_and(exempts) {
                let rule = format!("{}_CHANGED", screaming(k));
                self.push(&rule, at, format!("`{k}` removed"));
            }
        }
    }

    /// `false` when the types already differ (nothing below is compared).
    fn types(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str) -> bool {
        let Some(bt) = type_set(b) else { return true };
        let at_types = type_set(a);
        let accepted = |t: &str| bt.contains(&t) || (t == "integer" && bt.contains(&"number"));
        let lost: Vec<&str> = match &at_types {
            None => vec!["any type"],
            Some(ts) => ts.iter().copied().filter(|t| !accepted(t)).collect(),
        };
        if lost.is_empty() {
            return true;
        }
        let rule = self.change("TYPE_NARROWED", "TYPE_WIDENED");
        let a_types = at_types.map_or("any".to_owned(), |t| t.join("|"));
        let b_types = bt.join("|");
        let message = if self.a_is_old {
            format!("type {a_types} → {b_types}")
        } else {
            format!("type {b_types} → {a_types}")
        };
        self.push(rule, at, message);
        false
    }

    fn values(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str) {
        if let Some(Value::Array(bv)) = b.get("enum") {
            match a.get("enum") {
                Some(Value::Array(av)) => {
                    let missing: Vec<String> = av
                        .iter()
                        .filter(|v| !bv.contains(v))
                        .map(Value::to_string)
                        .collect();
                    if !missing.is_empty() {
                        let rule = self.change("ENUM_VALUE_REMOVED", "ENUM_VALUE_ADDED");
                        let verb = if self.a_is_old { "removed" } else { "added" };
                        self.push(
                            rule,
                            at,
                            format!("enum value {} {verb}", missing.join(", ")),
                        );
                    }
                }
                _ => {
                    let rule = self.change("ENUM_ADDED", "ENUM_REMOVED");
                    self.push(
                        rule,
                        at,
                        "the values are restricted to an `enum`".to_owned(),
                    );
                }
            }
        }
        if let Some(bc) = b.get("const")
            && a.get("const") != Some(bc)
        {
            let single_enum =
                matches!(a.get("enum"), Some(Value::Array(v)) if v.len() == 1 && &v[0] == bc);
            if !single_enum {
                self.push("CONST_CHANGED", at, format!("`const` {bc}"));
            }
        }
    }

    fn bounds(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str) {
        // Lower bounds: b is stricter when its bound is higher.
        for (k, higher_is_stricter) in [
            ("minimum", true),
            ("exclusiveMinimum", true),
            ("minLength", true),
            ("minItems", true),
            ("maximum", false),
            ("exclusiveMaximum", false),
            ("maxLength", false),
            ("maxItems", false),
        ] {
            let Some(bn) = b.get(k).and_then(Value::as_f64) else {
                continue;
            };
            let stricter = match a.get(k).and_then(Value::as_f64) {
                None => true,
                Some(an) => {
                    if higher_is_stricter {
                        bn > an
                    } else {
                        bn < an
                    }
                }
            };
            if stricter {
                let name = screaming(k);
                let rule = format!("{name}_{}", self.change("TIGHTENED", "LOOSENED"));
                let from = a.get(k).map_or("none".to_owned(), Value::to_string);
                let message = if self.a_is_old {
                    format!("`{k}` {from} → {bn}")
                } else {
                    format!("`{k}` {bn} → {from}")
                };
                self.push(&rule, at, message);
            }
        }
        if let Some(bm) = b.get("multipleOf").and_then(Value::as_f64) {
            let divides = a
                .get("multipleOf")
                .and_then(Value::as_f64)
                .is_some_and(|am| (am / bm).fract() == 0.0);
            if !divides {
                self.push("MULTIPLE_OF_CHANGED", at, format!("`multipleOf` {bm}"));
            }
        }
        if b.get("uniqueItems") == Some(&Value::Bool(true))
            && a.get("uniqueItems") != Some(&Value::Bool(true))
        {
            let rule = self.change("UNIQUE_ITEMS_ADDED", "UNIQUE_ITEMS_REMOVED");
            self.push(rule, at, "items must be unique".to_owned());
        }
    }

    fn strings(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str) {
        if let Some(bp) = b.get("pattern")
            && a.get("pattern") != Some(bp)
        {
            self.push("PATTERN_CHANGED", at, format!("`pattern` {bp}"));
        }
        if let Some(bf) = b.get("format")
            && a.get("format") != Some(bf)
        {
            let rule = match a.get("format") {
                None => self.change("FORMAT_ADDED", "FORMAT_REMOVED"),
                Some(_) => "FORMAT_CHANGED",
            };
            self.push(rule, at, format!("`format` {bf}"));
        }
    }

    fn object(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str, depth: usize) {
        let empty = Map::new();
        let ap = a
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let bp = b
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let a_extra = a.get("additionalProperties").unwrap_or(&Value::Bool(true));
        let b_extra = b.get("additionalProperties").unwrap_or(&Value::Bool(true));
        // Beside `patternProperties` or `unevaluatedProperties`, what a
        // property left out of `properties` must be is not one schema: a
        // property named on one side only is a finding of its own.
        let beside_patterns = |m: &Map<String, Value>| {
            m.contains_key("patternProperties") || m.contains_key("unevaluatedProperties")
        };
        if beside_patterns(a) || beside_patterns(b) {
            for (name, _) in bp.iter().filter(|(n, _)| !ap.contains_key(*n)) {
                let here = format!(
                    "{at}/properties/{}",
                    crate::catalog::escape_pointer_token(name)
                );
                self.push(
                    "PROPERTY_CHANGED_BESIDE_PATTERNS",
                    &here,
                    format!("`{name}` is named on one side only, beside `patternProperties` or `unevaluatedProperties`"),
                );
            }
            for (name, as_) in ap {
                let here = format!(
                    "{at}/properties/{}",
                    crate::catalog::escape_pointer_token(name)
                );
                match bp.get(name) {
                    Some(bs) => self.node(as_, bs, &here, depth + 1),
                    None => self.push(
                        "PROPERTY_CHANGED_BESIDE_PATTERNS",
                        &here,
                        format!("`{name}` is named on one side only, beside `patternProperties` or `unevaluatedProperties`"),
                    ),
                }
            }
            if a_extra != b_extra {
                self.push(
                    "ADDITIONAL_PROPERTIES_CHANGED",
                    at,
                    "`additionalProperties` changed beside `patternProperties`".to_owned(),
                );
            }
            return self.required(a, b, at);
        }
        for (name, bs) in bp {
            let here = format!(
                "{at}/properties/{}",
                crate::catalog::escape_pointer_token(name)
            );
            match ap.get(name) {
                Some(as_) => self.node(as_, bs, &here, depth + 1),
                None => match a_extra {
                    Value::Bool(false) => {}
                    Value::Bool(true) if is_true(bs) => {}
                    Value::Bool(true) => {
                        let rule = self.change(
                            "PROPERTY_ADDED_TO_OPEN_OBJECT",
                            "PROPERTY_REMOVED_FROM_OPEN_OBJECT",
                        );
                        self.push(
                            rule,
                            &here,
                            format!("`{name}` is constrained where any value was allowed"),
                        );
                    }
                    extra => self.node(extra, bs, &here, depth + 1),
                },
            }
        }
        // Properties `a` knows and `b` leaves to its additionalProperties.
        for (name, as_) in ap {
            if bp.contains_key(name) {
                continue;
            }
            let here = format!(
                "{at}/properties/{}",
                crate::catalog::escape_pointer_token(name)
            );
            match b_extra {
                Value::Bool(true) => {}
                Value::Bool(false) => {
                    let rule = self.change("PROPERTY_REMOVED", "PROPERTY_ADDED");
                    let verb = if self.a_is_old { "removed" } else { "added" };
                    self.push(
                        rule,
                        &here,
                        format!("`{name}` {verb} where no other property is allowed"),
                    );
                }
                extra => self.node(as_, extra, &here, depth + 1),
            }
        }
        match (a_extra, b_extra) {
            (_, Value::Bool(true)) | (Value::Bool(false), _) => {}
            (Value::Bool(true), _) => {
                let rule = self.change(
                    "ADDITIONAL_PROPERTIES_TIGHTENED",
                    "ADDITIONAL_PROPERTIES_LOOSENED",
                );
                self.push(rule, at, "other properties are restricted".to_owned());
            }
            (ae, be) => self.node(ae, be, &format!("{at}/additionalProperties"), depth + 1),
        }
        self.required(a, b, at);
    }

    /// Properties that became required (or no longer are).
    fn required(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str) {
        let ap = a.get("properties").and_then(Value::as_object);
        let required = |m: &Map<String, Value>| -> Vec<String> {
            m.get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let ar = required(a);
        for name in required(b) {
            if ar.contains(&name) {
                continue;
            }
            let here = format!(
                "{at}/properties/{}",
                crate::catalog::escape_pointer_token(&name)
            );
            let (rule, message) = match (ap.is_some_and(|p| p.contains_key(&name)), self.a_is_old) {
                (true, true) => (
                    "PROPERTY_MADE_REQUIRED",
                    format!("`{name}` became required"),
                ),
                (false, true) => (
                    "PROPERTY_ADDED_REQUIRED",
                    format!("`{name}` added as required"),
                ),
                (true, false) => (
                    "PROPERTY_MADE_OPTIONAL",
                    format!("`{name}` is no longer required"),
                ),
                (false, false) => (
                    "REQUIRED_PROPERTY_REMOVED",
                    format!("required `{name}` removed"),
                ),
            };
            self.push(rule, &here, message);
        }
    }

    fn array(&mut self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str, depth: usize) {
        if let Some(bi) = b.get("items") {
            let ai = a.get("items").unwrap_or(&Value::Bool(true));
            self.node(ai, bi, &format!("{at}/items"), depth + 1);
        }
    }
}

/// Whether the walk compares a rule itself; any difference in another one
/// counts as a change (`ALL_OF_CHANGED`, …).
const fn compared(rule: Rule) -> bool {
    match rule {
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
        | Rule::Items
        | Rule::Required
        | Rule::Properties
        | Rule::AdditionalProperties => true,
        Rule::AllOf
        | Rule::AnyOf
        | Rule::OneOf
        | Rule::Not
        | Rule::If
        | Rule::Then
        | Rule::Else
        | Rule::DependentSchemas
        | Rule::PrefixItems
        | Rule::Contains
        | Rule::PatternProperties
        | Rule::PropertyNames
        | Rule::UnevaluatedItems
        | Rule::UnevaluatedProperties
        | Rule::MaxContains
        | Rule::MinContains
        | Rule::MaxProperties
        | Rule::MinProperties
        | Rule::DependentRequired => false,
    }
}

/// Whether `b` accepts every value `a` can have, where `a` lists them
/// (`enum`, `const`): then nothing `a` accepts is refused by `b`, whatever
/// the keywords of either (an `enum` of one-letter words under a
/// `maxLength: 1` loses nothing).
fn accepts_all_of(b: &Map<String, Value>, a: &Map<String, Value>) -> bool {
    let values: Vec<&Value> = match (a.get("enum"), a.get("const")) {
        (_, Some(one)) => vec![one],
        (Some(Value::Array(values)), None) => values.iter().collect(),
        _ => return false,
    };
    let b = Value::Object(b.clone());
    if crate::catalog::contains_ref(&b) {
        return false;
    }
    jsonschema::validator_for(&b).is_ok_and(|v| values.iter().all(|x| v.is_valid(x)))
}

/// Whether a rule takes part of the value away from another keyword, so
/// that without it that keyword applies to more: `prefixItems` (from
/// `items`), `patternProperties` (from `additionalProperties`).
const fn exempts(rule: Rule) -> bool {
    matches!(rule, Rule::PrefixItems | Rule::PatternProperties)
}

/// Whether two schemas (of `roots`) are the same, the definitions their
/// `$ref`s reach included: a keyword the walk does not reason about is
/// unchanged only then.
fn same(
    a: &Value,
    b: &Value,
    roots: (&Value, &Value),
    seen: &mut std::collections::HashSet<(String, String)>,
) -> bool {
    match (a, b) {
        (Value::Object(am), Value::Object(bm)) => {
            let refs = (
                am.get("$ref").and_then(Value::as_str),
                bm.get("$ref").and_then(Value::as_str),
            );
            if let (Some(ra), Some(rb)) = refs
                && seen.insert((ra.to_owned(), rb.to_owned()))
            {
                let targets = (
                    crate::schema::local_target(roots.0, ra),
                    crate::schema::local_target(roots.1, rb),
                );
                let same_target = match targets {
                    (Some(ta), Some(tb)) => same(ta, tb, roots, seen),
                    _ => ra == rb,
                };
                if !same_target {
                    return false;
                }
            }
            am.len() == bm.len()
                && am.iter().all(|(k, av)| {
                    k == "$ref" && refs.0.is_some() && refs.1.is_some()
                        || bm.get(k).is_some_and(|bv| same(av, bv, roots, seen))
                })
        }
        (Value::Array(ax), Value::Array(bx)) => {
            ax.len() == bx.len() && ax.iter().zip(bx).all(|(av, bv)| same(av, bv, roots, seen))
        }
        _ => a == b,
    }
}

/// `schema`, or what its local `$ref` points at (followed through chains).
fn resolve<'v>(schema: &'v Value, root: &'v Value) -> Option<&'v Value> {
    let mut current = schema;
    for _ in 0..MAX_DEPTH {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let others = current.as_object().is_some_and(|m| {
                    m.keys()
                        .any(|k| k != "$ref" && !crate::schema::keywords::validates_nothing(k))
                });
                if others {
                    return None;
                }
                current = crate::schema::local_target(root, r)?;
            }
            None => return Some(current),
        }
    }
    None
}

fn type_set(m: &Map<String, Value>) -> Option<Vec<&str>> {
    match m.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn is_true(schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        Value::Object(m) => m
            .keys()
            .all(|k| crate::schema::keywords::validates_nothing(k)),
        _ => false,
    }
}

/// `minLength` → `MIN_LENGTH`.
fn screaming(keyword: &str) -> String {
    let mut out = String::new();
    for c in keyword.chars().filter(|c| c.is_ascii_alphanumeric()) {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}
