//! What a field's Rust type can hold, read from its syntax: the standard
//! types by their last path segment (`Option`, `String`, `i32`, `Vec`,
//! `BTreeMap`, `Uuid`, `DateTime`, `serde_json::Value`, …); any other path is
//! the user's own type, checked through `CatalogType`.

use syn::{GenericArgument, PathArguments, Type};

#[derive(Clone)]
pub(crate) enum Ty {
    Option(Box<Ty>),
    Str,
    /// `char`: one character only.
    Char,
    Int {
        signed: bool,
        bits: u32,
    },
    Float {
        bits: u32,
    },
    Bool,
    /// `Vec`, `VecDeque`, `[T]`; `set` for `HashSet`/`BTreeSet`.
    Seq {
        item: Box<Ty>,
        set: bool,
    },
    /// A fixed-size array.
    Array(Box<Ty>, String),
    /// `HashMap<String, T>`, `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// `serde_json::Map<String, Value>`.
    JsonMap,
    /// `serde_json::Value`.
    Value,
    /// `()`, which serde reads from `null` only.
    Unit,
    Uuid,
    DateTime,
    /// Another type, named by its path.
    User(Box<Type>),
    /// Something else (references, tuples, function pointers, …).
    Unknown(String),
}

impl Ty {
    pub fn of(ty: &Type) -> Ty {
        match ty {
            Type::Paren(p) => Ty::of(&p.elem),
            Type::Group(g) => Ty::of(&g.elem),
            Type::Array(a) => Ty::Array(
                Box::new(Ty::of(&a.elem)),
                quote::ToTokens::to_token_stream(&a.len).to_string(),
            ),
            Type::Slice(s) => Ty::Seq {
                item: Box::new(Ty::of(&s.elem)),
                set: false,
            },
            Type::Tuple(t) if t.elems.is_empty() => Ty::Unit,
            Type::Path(p) if p.qself.is_none() => {
                let Some(last) = p.path.segments.last() else {
                    return Ty::Unknown(String::new());
                };
                let args: Vec<&Type> = match &last.arguments {
                    PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let arg = |i: usize| {
                    args.get(i)
                        .map_or(Ty::Unknown(String::new()), |t| Ty::of(t))
                };
                let name = last.ident.to_string();
                match (name.as_str(), args.len()) {
                    ("Option", 1) => Ty::Option(Box::new(arg(0))),
                    ("Box" | "Arc" | "Rc", 1) => match arg(0) {
                        Ty::Unknown(s) if s == "str" => Ty::Str,
                        inner => inner,
                    },
                    ("Cow", _) => match args.last().map(|t| Ty::of(t)) {
                        Some(Ty::Unknown(s)) if s == "str" => Ty::Str,
                        Some(inner) => inner,
                        None => Ty::Unknown(name),
                    },
                    ("String" | "CompactString" | "SmolStr", 0) => Ty::Str,
                    ("str", 0) => Ty::Unknown("str".to_owned()),
                    ("char", 0) => Ty::Char,
                    ("bool", 0) => Ty::Bool,
                    ("f32", 0) => Ty::Float { bits: 32 },
                    ("f64", 0) => Ty::Float { bits: 64 },
                    ("i8" | "i16" | "i32" | "i64" | "i128", 0) => Ty::Int {
                        signed: true,
                        bits: name[1..].parse().unwrap_or(64),
                    },
                    ("u8" | "u16" | "u32" | "u64" | "u128", 0) => Ty::Int {
                        signed: false,
                        bits: name[1..].parse().unwrap_or(64),
                    },
                    ("isize", 0) => Ty::Int {
                        signed: true,
                        bits: usize::BITS,
                    },
                    ("usize", 0) => Ty::Int {
                        signed: false,
                        bits: usize::BITS,
                    },
                    ("Vec" | "VecDeque" | "LinkedList" | "SmallVec", _) if !args.is_empty() => {
                        Ty::Seq {
                            item: Box::new(arg(0)),
                            set: false,
                        }
                    }
                    ("HashSet" | "BTreeSet" | "IndexSet", _) if !args.is_empty() => Ty::Seq {
                        item: Box::new(arg(0)),
                        set: true,
                    },
                    ("HashMap" | "BTreeMap" | "IndexMap", _) if args.len() >= 2 => {
                        if matches!(arg(0), Ty::Str) {
                            Ty::Map(Box::new(arg(1)))
                        } else {
                            Ty::Unknown(format!("{name} with keys that are not strings"))
                        }
                    }
                    ("Map", 2) => Ty::JsonMap,
                    ("Value", 0) if is_json(&p.path) => Ty::Value,
                    ("Uuid", 0) => Ty::Uuid,
                    ("DateTime", _) | ("OffsetDateTime", 0) => Ty::DateTime,
                    _ => Ty::User(Box::new(ty.clone())),
                }
            }
            _ => Ty::Unknown(quote::ToTokens::to_token_stream(ty).to_string()),
        }
    }

    /// How the type reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Ty::Option(t) => format!("Option<{}>", t.describe()),
            Ty::Str => "String".to_owned(),
            Ty::Char => "char".to_owned(),
            Ty::Int { signed, bits } => format!("{}{bits}", if *signed { 'i' } else { 'u' }),
            Ty::Float { bits } => format!("f{bits}"),
            Ty::Bool => "bool".to_owned(),
            Ty::Seq { item, set: false } => format!("Vec<{}>", item.describe()),
            Ty::Seq { item, set: true } => format!("a set of {}", item.describe()),
            Ty::Array(item, n) => format!("[{}; {n}]", item.describe()),
            Ty::Map(v) => format!("a map of {}", v.describe()),
            Ty::JsonMap => "serde_json::Map".to_owned(),
            Ty::Value => "serde_json::Value".to_owned(),
            Ty::Unit => "()".to_owned(),
            Ty::Uuid => "Uuid".to_owned(),
            Ty::DateTime => "a date-time type".to_owned(),
            Ty::User(t) => quote::ToTokens::to_token_stream(t)
                .to_string()
                .replace(' ', ""),
            Ty::Unknown(s) => s.clone(),
        }
    }
}

/// `Value` alone (imported) or `serde_json::Value` / `evreg::…::serde_json::Value`.
fn is_json(path: &syn::Path) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.len() == 1 || segments.iter().any(|s| s == "serde_json")
}
