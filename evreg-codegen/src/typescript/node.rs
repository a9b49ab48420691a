//! One schema node as a TypeScript type and a Zod schema, side by side, so
//! that the two say the same thing: the type what TypeScript can say of it,
//! the Zod schema exactly what the node accepts (with a refinement of the
//! runtime where Zod has no check of its own with JSON Schema's meaning).

use std::collections::BTreeMap;

use evreg_core::schema::formats::{FormatKind, format_kind};
use evreg_core::schema::keywords::Rule;
use evreg_core::validate::Format;
use serde_json::{Map, Value};

/// The JSON types a node may be, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Types(u8);

impl Types {
    const STRING: u8 = 1;
    const INTEGER: u8 = 2;
    /// Numbers with a fraction.
    const FRACTION: u8 = 4;
    const BOOLEAN: u8 = 8;
    const NULL: u8 = 16;
    const ARRAY: u8 = 32;
    const OBJECT: u8 = 64;
    pub const ALL: Types = Types(127);

    fn of(name: &str) -> u8 {
        match name {
            "string" => Self::STRING,
            "integer" => Self::INTEGER,
            "number" => Self::INTEGER | Self::FRACTION,
            "boolean" => Self::BOOLEAN,
            "null" => Self::NULL,
            "array" => Self::ARRAY,
            "object" => Self::OBJECT,
            _ => 0,
        }
    }

    fn of_value(value: &Value) -> u8 {
        match value {
            Value::Null => Self::NULL,
            Value::Bool(_) => Self::BOOLEAN,
            Value::Number(n) if n.is_i64() || n.is_u64() => Self::INTEGER,
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => Self::INTEGER,
            Value::Number(_) => Self::FRACTION,
            Value::String(_) => Self::STRING,
            Value::Array(_) => Self::ARRAY,
            Value::Object(_) => Self::OBJECT,
        }
    }

    fn has(self, bits: u8) -> bool {
        self.0 & bits != 0
    }
}

/// A node in both languages.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// The TypeScript type.
    pub ts: String,
    /// The Zod schema.
    pub zod: String,
    /// Whether the Zod schema may accept `undefined` (a missing property).
    pub loose: bool,
}

impl Node {
    fn new(ts: impl Into<String>, zod: impl Into<String>, loose: bool) -> Node {
        Node {
            ts: ts.into(),
            zod: zod.into(),
            loose,
        }
    }

    fn unknown() -> Node {
        Node::new("unknown", "z.unknown()", true)
    }

    /// A check of a primitive value (a string, a number, an array's
    /// length), which Zod's output holds as the payload did.
    fn refine(mut self, check: String) -> Node {
        self.zod = format!("{}.refine({check})", self.zod);
        self
    }

    /// What every one of `parts` and `checks` accepts, each given the
    /// payload's value itself (`rt.all`): Zod's intersections let one side
    /// accept the members the other refuses, and its objects' output
    /// leaves out an own `__proto__` member.
    fn all(parts: Vec<Node>, checks: Vec<String>) -> Node {
        let parts: Vec<Node> = parts
            .into_iter()
            .filter(|n| n.zod != "z.unknown()")
            .collect();
        if checks.is_empty() && parts.len() <= 1 {
            return parts.into_iter().next().unwrap_or_else(Node::unknown);
        }
        let ts = intersection_type(&parts);
        Node::all_as(ts, parts, checks)
    }

    /// [`Node::all`] of the type `ts`, which says more than the parts' own
    /// types (a tuple of an array and its `prefixItems` check).
    fn all_as(ts: String, parts: Vec<Node>, checks: Vec<String>) -> Node {
        if checks.is_empty() && parts.len() == 1 {
            let part = parts.into_iter().next().unwrap_or_else(Node::unknown);
            return Node { ts, ..part };
        }
        let loose = parts.iter().all(|p| p.loose);
        let schemas = parts
            .iter()
            .map(|p| p.zod.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let checks = checks.join(", ");
        Node {
            zod: format!("rt.all<{ts}>([{schemas}], [{checks}])"),
            ts,
            loose,
        }
    }
}

/// A keyword that has no TypeScript or Zod form in evreg (yet): the
/// generator refuses the schema rather than accept more than it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unsupported {
    pub pointer: String,
    pub keyword: &'static str,
}

/// Translates the nodes of one payload's bundle.
pub(super) struct Translator<'a> {
    /// The TypeScript name of the payload (what `#` refers to).
    pub payload: &'a str,
    /// The TypeScript name of each `#/$defs/…` reference of the bundle.
    pub defs: &'a BTreeMap<String, String>,
    /// Keywords no form could be given.
    pub unsupported: Vec<Unsupported>,
}

fn json(value: &Value) -> String {
    serde_json::to_string(value).expect("JSON values serialize")
}

/// `text` as a TypeScript string literal.
pub(super) fn quoted(text: &str) -> String {
    json(&Value::from(text))
}

/// A property name as TypeScript writes it in an object type.
pub(super) fn property_name(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain { name.to_owned() } else { quoted(name) }
}

/// A JSDoc comment of `text` at `indent`, or nothing.
pub(super) fn doc(text: Option<&str>, indent: &str) -> String {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return String::new();
    };
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 1 {
        return format!("{indent}/** {} */\n", lines[0]);
    }
    let mut out = format!("{indent}/**\n");
    for line in lines {
        out.push_str(&format!(
            "{indent} *{}{line}\n",
            if line.is_empty() { "" } else { " " }
        ));
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

/// `A | B` (a single member as it is; none: `never`).
fn union(nodes: Vec<Node>) -> Node {
    match nodes.len() {
        0 => Node::new("never", "z.never()", false),
        1 => nodes.into_iter().next().unwrap_or_else(Node::unknown),
        _ => Node {
            ts: nodes
                .iter()
                .map(|n| paren(&n.ts))
                .collect::<Vec<_>>()
                .join(" | "),
            loose: nodes.iter().any(|n| n.loose),
            zod: format!(
                "z.union([{}])",
                nodes
                    .iter()
                    .map(|n| n.zod.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

/// `A & B` of the parts' types, leaving out `unknown`.
fn intersection_type(parts: &[Node]) -> String {
    let types: Vec<String> = parts
        .iter()
        .filter(|p| p.ts != "unknown")
        .map(|p| paren(&p.ts))
        .collect();
    match types.len() {
        0 => "unknown".to_owned(),
        1 => parts
            .iter()
            .find(|p| p.ts != "unknown")
            .map_or_else(|| "unknown".to_owned(), |p| p.ts.clone()),
        _ => types.join(" & "),
    }
}

/// A type in parentheses where `|`, `&` or a function arrow would bind
/// wrongly beside others.
fn paren(ts: &str) -> String {
    let mut depth = 0i32;
    let mut quoted = false;
    let mut escaped = false;
    for c in ts.chars() {
        if quoted {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => quoted = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '{' | '[' | '(' | '<' => depth += 1,
            '}' | ']' | ')' | '>' => depth -= 1,
            '|' | '&' if depth == 0 => return format!("({ts})"),
            _ => {}
        }
    }
    ts.to_owned()
}

/// Literal types and Zod literals for JSON values.
fn literal(value: &Value) -> Node {
    match value {
        Value::Null => Node::new("null", "z.null()", false),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            let text = json(value);
            Node::new(text.clone(), format!("z.literal({text})"), false)
        }
        // JSON equality of arrays and objects, for which TypeScript has no literal.
        _ => Node::new(
            "unknown",
            format!(
                "z.unknown().refine((v) => rt.equal(v, {text}))",
                text = json(value)
            ),
            false,
        ),
    }
}

impl Translator<'_> {
    fn unsupported(&mut self, pointer: &str, keyword: &'static str) {
        self.unsupported.push(Unsupported {
            pointer: pointer.to_owned(),
            keyword,
        });
    }

    /// The node `schema` at `pointer`; `implied` is what the schema that
    /// applies it in place (`allOf`, `oneOf`, …) already requires of the value.
    pub fn node(&mut self, schema: &Value, pointer: &str, implied: Types) -> Node {
        let map = match schema {
            Value::Bool(true) => return Node::unknown(),
            Value::Bool(false) => return Node::new("never", "z.never()", false),
            Value::Object(map) => map,
            _ => return Node::unknown(),
        };
        let own = match map.get("type") {
            Some(Value::String(t)) => Types(Types::of(t)),
            Some(Value::Array(ts)) => Types(
                ts.iter()
                    .filter_map(Value::as_str)
                    .fold(0, |bits, t| bits | Types::of(t)),
            ),
            _ => Types::ALL,
        };
        let allowed = Types(own.0 & implied.0);
        let restricted = allowed != Types::ALL;
        let mut parts = Vec::new();
        let mut checks: Vec<String> = Vec::new();
        // Every rule of the node: values, the rules of one type (a new rule
        // is a compile error in `applies_to_one_type` until it says which it
        // is), and what applies in place (below).
        let mut values = None;
        let mut typed = false;
        for rule in Rule::ALL {
            if !map.contains_key(rule.name()) {
                continue;
            }
            match rule {
                Rule::Const => values = map.get("const").map(|c| vec![c.clone()]),
                Rule::Enum => {
                    let listed = map
                        .get("enum")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    values = Some(match values {
                        // Both: the `const`, if the `enum` lists it.
                        Some(one) => one.into_iter().filter(|c| listed.contains(c)).collect(),
                        None => listed,
                    });
                }
                Rule::UnevaluatedItems => self.unsupported(pointer, "unevaluatedItems"),
                Rule::UnevaluatedProperties => self.unsupported(pointer, "unevaluatedProperties"),
                &rule => typed |= rule == Rule::Type || applies_to_one_type(rule),
            }
        }
        // What the value is: listed values, or a union of what each type allows.
        if let Some(values) = &values {
            let listed: Vec<&Value> = values
                .iter()
                .filter(|v| allowed.has(Types::of_value(v)))
                .collect();
            parts.push(self.literals(&listed));
            // Rules of the types beside the listed values hold as well.
            if typed
                && map
                    .keys()
                    .any(|k| Rule::of(k).is_some_and(applies_to_one_type))
            {
                parts.push(self.by_type(map, pointer, allowed));
            }
        } else if typed || restricted {
            parts.push(self.by_type(map, pointer, allowed));
        }
        // What applies in place.
        let inner = if restricted { allowed } else { Types::ALL };
        if let Some(Value::String(reference)) = map.get("$ref") {
            parts.push(self.reference(reference, pointer));
        }
        if let Some(Value::Array(all)) = map.get("allOf") {
            for (i, branch) in all.iter().enumerate() {
                parts.push(self.node(branch, &format!("{pointer}/allOf/{i}"), inner));
            }
        }
        if let Some(Value::Array(any)) = map.get("anyOf") {
            let branches = any
                .iter()
                .enumerate()
                .map(|(i, b)| self.node(b, &format!("{pointer}/anyOf/{i}"), inner))
                .collect();
            parts.push(union(branches));
        }
        if let Some(Value::Array(one)) = map.get("oneOf") {
            let branches: Vec<Node> = one
                .iter()
                .enumerate()
                .map(|(i, b)| self.node(b, &format!("{pointer}/oneOf/{i}"), inner))
                .collect();
            let list = branches
                .iter()
                .map(|b| b.zod.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let node = union(branches);
            parts.push(Node {
                zod: format!("rt.oneOf<{}>([{list}])", node.ts),
                ..node
            });
        }
        if let Some(not) = map.get("not") {
            let node = self.node(not, &format!("{pointer}/not"), inner);
            checks.push(format!("rt.not({})", node.zod));
        }
        if let Some(condition) = map.get("if") {
            let test = self.node(condition, &format!("{pointer}/if"), inner);
            let then = map
                .get("then")
                .map(|s| self.node(s, &format!("{pointer}/then"), inner));
            let otherwise = map
                .get("else")
                .map(|s| self.node(s, &format!("{pointer}/else"), inner));
            let branch =
                |n: &Option<Node>| n.as_ref().map_or("undefined".to_owned(), |n| n.zod.clone());
            checks.push(format!(
                "rt.ifThenElse({}, {}, {})",
                test.zod,
                branch(&then),
                branch(&otherwise)
            ));
        }
        Node::all(parts, checks)
    }

    fn literals(&mut self, values: &[&Value]) -> Node {
        if !values.is_empty() && values.iter().all(|v| v.is_string()) && values.len() > 1 {
            let list = values.iter().map(|v| json(v)).collect::<Vec<_>>();
            return Node::new(
                list.join(" | "),
                format!("z.enum([{}])", list.join(", ")),
                false,
            );
        }
        union(values.iter().map(|v| literal(v)).collect())
    }

    /// `#` (the payload itself), or a definition of the bundle.
    fn reference(&mut self, reference: &str, pointer: &str) -> Node {
        if reference == "#" {
            return Node::new(
                self.payload,
                format!("z.lazy(() => {}Schema)", self.payload),
                false,
            );
        }
        match self.defs.get(reference) {
            Some(name) => Node::new(name.clone(), format!("{name}Schema"), false),
            None => {
                self.unsupported(pointer, "$ref");
                Node::unknown()
            }
        }
    }

    /// The union of what each allowed type accepts under the node's keywords.
    fn by_type(&mut self, map: &Map<String, Value>, pointer: &str, allowed: Types) -> Node {
        let mut branches = Vec::new();
        if allowed.has(Types::STRING) {
            branches.push(self.string(map));
        }
        if allowed.has(Types::INTEGER | Types::FRACTION) {
            branches.push(self.number(map, allowed.has(Types::FRACTION)));
        }
        if allowed.has(Types::BOOLEAN) {
            branches.push(Node::new("boolean", "z.boolean()", false));
        }
        if allowed.has(Types::NULL) {
            branches.push(Node::new("null", "z.null()", false));
        }
        if allowed.has(Types::ARRAY) {
            branches.push(self.array(map, pointer));
        }
        if allowed.has(Types::OBJECT) {
            branches.push(self.object(map, pointer));
        }
        union(branches)
    }

    fn string(&mut self, map: &Map<String, Value>) -> Node {
        let mut node = Node::new("string", "z.string()", false);
        if let Some(n) = count(map, "minLength") {
            node = node.refine(format!("(s) => rt.length(s) >= {n}"));
        }
        if let Some(n) = count(map, "maxLength") {
            node = node.refine(format!("(s) => rt.length(s) <= {n}"));
        }
        if let Some(Value::String(source)) = map.get("pattern") {
            node = node.refine(format!("(s) => rt.pattern({}).test(s)", quoted(source)));
        }
        if let Some(Value::String(name)) = map.get("format") {
            match format_kind(name) {
                FormatKind::Asserted(format) => {
                    node = node.refine(format!("rt.{}", format_function(format)));
                }
                FormatKind::NotAsserted | FormatKind::Unknown => {}
            }
        }
        node
    }

    fn number(&mut self, map: &Map<String, Value>, fractions: bool) -> Node {
        let mut node = Node::new("number", "z.number()", false);
        if !fractions {
            node = node.refine("Number.isInteger".to_owned());
        }
        for (keyword, op) in [
            ("minimum", ">="),
            ("maximum", "<="),
            ("exclusiveMinimum", ">"),
            ("exclusiveMaximum", "<"),
        ] {
            if let Some(limit) = map.get(keyword).filter(|v| v.is_number()) {
                node = node.refine(format!("(n) => n {op} {}", json(limit)));
            }
        }
        if let Some(by) = map.get("multipleOf").filter(|v| v.is_number()) {
            node = node.refine(format!("(n) => rt.multipleOf(n, {})", json(by)));
        }
        node
    }

    fn array(&mut self, map: &Map<String, Value>, pointer: &str) -> Node {
        let items = map
            .get("items")
            .map(|s| self.node(s, &format!("{pointer}/items"), Types::ALL));
        let mut tuple = None;
        let mut node = match map.get("prefixItems") {
            Some(Value::Array(prefix)) => {
                let prefix: Vec<Node> = prefix
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.node(s, &format!("{pointer}/prefixItems/{i}"), Types::ALL))
                    .collect();
                let required = count(map, "minItems").unwrap_or(0) as usize;
                let mut members: Vec<String> = prefix
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        if i < required {
                            n.ts.clone()
                        } else {
                            format!("{}?", paren(&n.ts))
                        }
                    })
                    .collect();
                let rest = match &items {
                    Some(n) if n.ts == "never" => None,
                    Some(n) => Some(format!("...{}[]", paren(&n.ts))),
                    None => Some("...unknown[]".to_owned()),
                };
                members.extend(rest);
                let ts = format!("[{}]", members.join(", "));
                let schemas = prefix
                    .iter()
                    .map(|n| n.zod.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let rest = items.as_ref().map_or("z.unknown()", |n| n.zod.as_str());
                tuple = Some(ts.clone());
                Node::all_as(
                    ts,
                    vec![Node::new("unknown[]", "z.array(z.unknown())", false)],
                    vec![format!("rt.prefixItems([{schemas}], {rest})")],
                )
            }
            _ => match items {
                Some(n) => Node::new(
                    format!("{}[]", paren(&n.ts)),
                    format!("z.array({})", n.zod),
                    false,
                ),
                None => Node::new("unknown[]", "z.array(z.unknown())", false),
            },
        };
        let mut checks = Vec::new();
        for (keyword, op) in [("minItems", ">="), ("maxItems", "<=")] {
            if let Some(n) = count(map, keyword) {
                let check = format!("(a) => a.length {op} {n}");
                // A refinement after a check of the runtime would run on
                // what is not an array.
                if tuple.is_some() {
                    checks.push(format!("[{}, {check}]", quoted(keyword)));
                } else {
                    node = node.refine(check);
                }
            }
        }
        if map.get("uniqueItems") == Some(&Value::Bool(true)) {
            checks.push("[\"uniqueItems\", rt.unique]".to_owned());
        }
        if let Some(contains) = map.get("contains") {
            let c = self.node(contains, &format!("{pointer}/contains"), Types::ALL);
            let min = count(map, "minContains").unwrap_or(1);
            let max = count(map, "maxContains").map_or(String::new(), |m| format!(", {m}"));
            checks.push(format!("rt.contains({}, {min}{max})", c.zod));
        }
        let ts = tuple.unwrap_or_else(|| node.ts.clone());
        Node::all_as(ts, vec![node], checks)
    }

    fn object(&mut self, map: &Map<String, Value>, pointer: &str) -> Node {
        let properties = map.get("properties").and_then(Value::as_object);
        let patterns = map.get("patternProperties").and_then(Value::as_object);
        let additional = map.get("additionalProperties");
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields: Vec<(String, Option<String>, Node, bool)> = Vec::new();
        for (name, schema) in properties.into_iter().flatten() {
            let node = self.node(
                schema,
                &format!("{pointer}/properties/{}", escape(name)),
                Types::ALL,
            );
            let description = schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            fields.push((
                name.clone(),
                description,
                node,
                required.contains(&name.as_str()),
            ));
        }
        // Names that must be present whatever their schema accepts.
        let mut present: Vec<&str> = required
            .iter()
            .copied()
            .filter(|r| {
                fields
                    .iter()
                    .find(|(n, ..)| n == r)
                    .is_none_or(|(_, _, node, _)| node.loose)
            })
            .collect();
        present.dedup();
        let additional_node = match additional {
            Some(Value::Bool(false)) | None | Some(Value::Bool(true)) => None,
            Some(schema) => Some(self.node(
                schema,
                &format!("{pointer}/additionalProperties"),
                Types::ALL,
            )),
        };
        let closed = additional == Some(&Value::Bool(false));
        let pattern_nodes: Vec<(String, Node)> = patterns
            .into_iter()
            .flatten()
            .map(|(p, s)| {
                (
                    p.clone(),
                    self.node(
                        s,
                        &format!("{pointer}/patternProperties/{}", escape(p)),
                        Types::ALL,
                    ),
                )
            })
            .collect();

        // The type.
        let mut ts = String::from("{\n");
        for (name, description, node, required) in &fields {
            ts.push_str(&doc(description.as_deref(), "  "));
            ts.push_str(&format!(
                "  {}{}: {};\n",
                property_name(name),
                if *required { "" } else { "?" },
                node.ts.replace('\n', "\n  ")
            ));
        }
        for name in &present {
            if !fields.iter().any(|(n, ..)| n == name) {
                ts.push_str(&format!("  {}: unknown;\n", property_name(name)));
            }
        }
        let map_of = fields.is_empty() && pattern_nodes.is_empty() && present.is_empty();
        match (&additional_node, closed) {
            (Some(n), _) if map_of => {
                ts = format!("{{ [key: string]: {} }}", n.ts);
            }
            (_, true) if pattern_nodes.is_empty() => ts.push('}'),
            _ => ts.push_str("  [key: string]: unknown;\n}"),
        }
        if ts == "{\n}" {
            ts = "{}".to_owned();
        }

        // The schema: Zod's object with refinements, or, where a name is
        // also a member of every JavaScript object (`toString`,
        // `__proto__`), which Zod's objects would read from the prototype,
        // a check of the object's own members.
        let known = fields
            .iter()
            .map(|(n, ..)| quoted(n))
            .collect::<Vec<_>>()
            .join(", ");
        let patterns = pattern_nodes
            .iter()
            .map(|(p, n)| format!("[rt.pattern({}), {}]", quoted(p), n.zod))
            .collect::<Vec<_>>()
            .join(", ");
        // Every member that no property names: its pattern's schemas, or
        // `additionalProperties`.
        let rest = match (&additional_node, closed) {
            (Some(n), _) => n.zod.clone(),
            (None, true) => "false".to_owned(),
            (None, false) => "true".to_owned(),
        };
        let others = format!("rt.members([{known}], [{patterns}], {rest})");
        let mut checks: Vec<String> = Vec::new();
        if !present.is_empty() {
            let list = present
                .iter()
                .map(|n| quoted(n))
                .collect::<Vec<_>>()
                .join(", ");
            checks.push(format!("rt.required([{list}])"));
        }
        let names = fields
            .iter()
            .map(|(n, ..)| n.as_str())
            .chain(required.iter().copied())
            .chain(
                ["dependentRequired", "dependentSchemas"]
                    .iter()
                    .filter_map(|k| map.get(*k).and_then(Value::as_object))
                    .flat_map(|m| m.keys().map(String::as_str)),
            );
        let proto = names.clone().any(|n| PROTOTYPE.contains(&n));
        let base = if proto {
            let own = fields
                .iter()
                .map(|(name, _, node, _)| format!("[{}, {}]", quoted(name), node.zod))
                .collect::<Vec<_>>()
                .join(", ");
            checks.push(format!("rt.properties([{own}])"));
            let required_fields: Vec<String> = fields
                .iter()
                .filter(|(.., required)| *required)
                .map(|(n, ..)| quoted(n))
                .collect();
            if !required_fields.is_empty() {
                checks.push(format!("rt.required([{}])", required_fields.join(", ")));
            }
            if !(pattern_nodes.is_empty() && rest == "true") {
                checks.push(others);
            }
            Node::new(
                ts.clone(),
                "z.custom((v) => rt.object(v) !== undefined)",
                false,
            )
        } else {
            // One member a line, nested shapes indented with theirs.
            let shape = if fields.is_empty() {
                String::new()
            } else {
                let members: String = fields
                    .iter()
                    .map(|(name, _, node, required)| {
                        format!(
                            "\n  {}: {}{},",
                            property_name(name),
                            node.zod.replace('\n', "\n  "),
                            if *required { "" } else { ".optional()" }
                        )
                    })
                    .collect();
                format!("{members}\n")
            };
            let zod = if pattern_nodes.is_empty() {
                match (&additional_node, closed) {
                    (Some(n), _) if fields.is_empty() => format!("z.record(z.string(), {})", n.zod),
                    (Some(n), _) => format!("z.looseObject({{{shape}}}).catchall({})", n.zod),
                    (None, true) => format!("z.strictObject({{{shape}}})"),
                    (None, false) => format!("z.looseObject({{{shape}}})"),
                }
            } else {
                checks.push(others);
                format!("z.looseObject({{{shape}}})")
            };
            Node::new(ts.clone(), zod, false)
        };
        if let Some(names) = map.get("propertyNames") {
            let n = self.node(names, &format!("{pointer}/propertyNames"), Types::ALL);
            checks.push(format!("rt.propertyNames({})", n.zod));
        }
        if let Some(n) = count(map, "minProperties") {
            checks.push(format!(
                "[\"minProperties\", (o) => Object.keys(o).length >= {n}]"
            ));
        }
        if let Some(n) = count(map, "maxProperties") {
            checks.push(format!(
                "[\"maxProperties\", (o) => Object.keys(o).length <= {n}]"
            ));
        }
        if let Some(Value::Object(dependencies)) = map.get("dependentRequired") {
            for (name, needs) in dependencies {
                checks.push(format!(
                    "rt.dependentRequired({}, {})",
                    quoted(name),
                    json(needs)
                ));
            }
        }
        if let Some(Value::Object(dependencies)) = map.get("dependentSchemas") {
            for (name, schema) in dependencies {
                let n = self.node(
                    schema,
                    &format!("{pointer}/dependentSchemas/{}", escape(name)),
                    Types::ALL,
                );
                checks.push(format!("rt.dependentSchema({}, {})", quoted(name), n.zod));
            }
        }
        Node::all_as(ts, vec![base], checks)
    }
}

/// The members of every JavaScript object, which Zod's objects would read
/// from the prototype when a payload lacks them.
const PROTOTYPE: &[&str] = &[
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// A count (`minLength`, `maxItems`, …): a non-negative integer, which
/// JSON Schema also writes `2.0`.
fn count(map: &Map<String, Value>, keyword: &str) -> Option<u64> {
    let n = map.get(keyword)?.as_f64()?;
    (n >= 0.0 && n.fract() == 0.0 && n < 2f64.powi(53)).then_some(n as u64)
}

/// Whether `rule` applies to values of one type (`minLength` to strings,
/// `properties` to objects): it holds in that type's branch of a node.
fn applies_to_one_type(rule: Rule) -> bool {
    match rule {
        Rule::MultipleOf
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
        | Rule::PrefixItems
        | Rule::Contains
        | Rule::MaxContains
        | Rule::MinContains
        | Rule::Required
        | Rule::Properties
        | Rule::AdditionalProperties
        | Rule::PatternProperties
        | Rule::PropertyNames
        | Rule::MaxProperties
        | Rule::MinProperties
        | Rule::DependentRequired
        | Rule::DependentSchemas => true,
        Rule::Type
        | Rule::Const
        | Rule::Enum
        | Rule::Ref
        | Rule::AllOf
        | Rule::AnyOf
        | Rule::OneOf
        | Rule::Not
        | Rule::If
        | Rule::Then
        | Rule::Else
        | Rule::UnevaluatedItems
        | Rule::UnevaluatedProperties => false,
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The runtime's check of an asserted format.
fn format_function(format: Format) -> &'static str {
    match format {
        Format::DateTime => "dateTime",
        Format::Date => "date",
        Format::Time => "time",
        Format::Duration => "duration",
        Format::Email => "email",
        Format::Hostname => "hostname",
        Format::Ipv4 => "ipv4",
        Format::Ipv6 => "ipv6",
        Format::Uri => "uri",
        Format::UriReference => "uriReference",
        Format::Iri => "iri",
        Format::IriReference => "iriReference",
        Format::Uuid => "uuid",
        Format::UriTemplate => "uriTemplate",
        Format::JsonPointer => "jsonPointer",
        Format::RelativeJsonPointer => "relativeJsonPointer",
        Format::Regex => "regex",
    }
}
