//! The bus types: `EventType`, `Event` and the embedded `registry()`.

use evreg_core::{Catalog, Status};
use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{doc_text, ident};
use super::plan::Payload;

/// Names the bus types take; a catalog type of the same name is a collision.
pub(crate) const RESERVED: &[&str] = &["Event", "EventType", "registry"];

pub(crate) fn event_type(catalog: &Catalog) -> TokenStream {
    let events = catalog.events();
    let variants = events.iter().map(|e| {
        let v = ident(&e.pascal_name());
        let mut lines = vec![format!(" `{}`: {}", e.event_type, doc_text(&e.name))];
        if !e.description.is_empty() {
            lines.push(String::new());
            lines.extend(e.description.lines().map(|l| format!(" {}", doc_text(l))));
        }
        if e.status == Status::Deprecated {
            let by = e
                .replaced_by
                .as_deref()
                .map(|r| format!("; use `{r}`"))
                .unwrap_or_default();
            lines.push(String::new());
            lines.push(format!(" Deprecated{by}."));
        }
        quote!(#(#[doc = #lines])* #v,)
    });
    let all = events.iter().map(|e| {
        let v = ident(&e.pascal_name());
        quote!(EventType::#v)
    });
    let as_str = events.iter().map(|e| {
        let (v, t) = (ident(&e.pascal_name()), &e.event_type);
        quote!(EventType::#v => #t,)
    });
    let status = events.iter().map(|e| {
        let v = ident(&e.pascal_name());
        let s = match e.status {
            Status::Active => quote!(Active),
            Status::CatalogOnly => quote!(CatalogOnly),
            Status::Deprecated => quote!(Deprecated),
        };
        quote!(EventType::#v => ::evreg::Status::#s,)
    });
    let versions = events.iter().map(|e| {
        let v = ident(&e.pascal_name());
        let vs = e.versions.iter().map(|v| v.version);
        quote!(EventType::#v => &[#(#vs),*],)
    });
    let aliases = events.iter().map(|e| {
        let v = ident(&e.pascal_name());
        let a = &e.aliases;
        quote!(EventType::#v => &[#(#a),*],)
    });
    // Names (types and aliases) sorted, for a binary search.
    let mut by_name: Vec<(&str, String)> = events
        .iter()
        .flat_map(|e| {
            std::iter::once(e.event_type.as_str())
                .chain(e.aliases.iter().map(String::as_str))
                .map(move |n| (n, e.pascal_name()))
        })
        .collect();
    by_name.sort_unstable();
    let names = by_name.iter().map(|(n, _)| n);
    let by_name = by_name.iter().map(|(n, v)| {
        let v = ident(v);
        quote!((#n, EventType::#v))
    });
    let catalog_name = catalog.name();
    let doc = format!(" Every event type of the `{catalog_name}` catalog.");
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            #(#variants)*
        }

        impl EventType {
            /// Every event type, sorted by name.
            pub const ALL: &'static [EventType] = &[#(#all),*];

            /// Every name `from_name` accepts (types and aliases), sorted.
            pub const NAMES: &'static [&'static str] = &[#(#names),*];

            /// The type as written in the catalog: `TICKET_CREATED`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#as_str)*
                }
            }

            /// The lifecycle status declared in the catalog.
            pub const fn status(self) -> ::evreg::Status {
                match self {
                    #(#status)*
                }
            }

            /// The payload versions, ascending.
            pub const fn versions(self) -> &'static [u32] {
                match self {
                    #(#versions)*
                }
            }

            /// The highest payload version.
            pub const fn latest_version(self) -> u32 {
                let versions = self.versions();
                versions[versions.len() - 1]
            }

            /// Former names of the type, which still parse to it.
            pub const fn aliases(self) -> &'static [&'static str] {
                match self {
                    #(#aliases)*
                }
            }

            /// The type named `name` (or one of its aliases).
            pub fn from_name(name: &str) -> ::std::option::Option<EventType> {
                const BY_NAME: &[(&str, EventType)] = &[#(#by_name),*];
                BY_NAME
                    .binary_search_by(|(n, _)| (*n).cmp(name))
                    .ok()
                    .map(|i| BY_NAME[i].1)
            }
        }

        impl ::std::fmt::Display for EventType {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for EventType {
            type Err = ::evreg::UnknownEvent;

            fn from_str(name: &str) -> ::std::result::Result<EventType, ::evreg::UnknownEvent> {
                EventType::from_name(name).ok_or_else(|| ::evreg::UnknownEvent::new(name, EventType::NAMES.iter().copied()))
            }
        }

        impl ::evreg::__private::serde::Serialize for EventType {
            fn serialize<S: ::evreg::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::evreg::__private::serde::Deserialize<'de> for EventType {
            fn deserialize<D: ::evreg::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<EventType, D::Error> {
                let name = <::std::borrow::Cow<'de, str> as ::evreg::__private::serde::Deserialize>::deserialize(deserializer)?;
                name.parse().map_err(<D::Error as ::evreg::__private::serde::de::Error>::custom)
            }
        }
    }
}

pub(crate) fn event(catalog: &Catalog, payloads: &[Payload]) -> Vec<TokenStream> {
    let variants = payloads.iter().map(|p| {
        let n = ident(&p.type_name);
        let d = format!(" `{}` version {}", p.event_type, p.version);
        quote!(#[doc = #d] #n(#n),)
    });
    let arms = |f: &dyn Fn(&Payload) -> TokenStream| -> Vec<TokenStream> {
        payloads
            .iter()
            .map(|p| {
                let n = ident(&p.type_name);
                let body = f(p);
                quote!(Event::#n(payload) => #body,)
            })
            .collect()
    };
    let event_type = arms(&|p| {
        let v = ident(&evreg_core::naming::pascal_name(&p.event_type));
        quote!({ let _ = payload; EventType::#v })
    });
    let schema_ref = arms(&|p| {
        let r = &p.schema_ref;
        quote!({ let _ = payload; #r })
    });
    let version = arms(&|p| {
        let v = p.version;
        quote!({ let _ = payload; #v })
    });
    let validate = arms(&|_| quote!(::evreg::EventPayload::validate(payload)));
    let to_value = arms(&|_| quote!(::evreg::__private::serde_json::to_value(payload)));
    let check_json = arms(&|_| quote!(::evreg::AnyPayload::check_json(payload, value)));
    let serialize = arms(&|_| {
        quote!(::evreg::__private::serde::Serialize::serialize(
            payload, serializer
        ))
    });
    // `from_value`/`from_slice` and `from_version`/`from_version_slice`: the
    // same dispatch, reading a `Value` or bytes.
    // Refs sorted, so that a binary search finds a payload's index in them;
    // the dispatch then matches on the index (a jump table, not 187 string
    // comparisons).
    let mut sorted: Vec<&Payload> = payloads.iter().collect();
    sorted.sort_by(|a, b| a.schema_ref.cmp(&b.schema_ref));
    let sorted_refs = sorted.iter().map(|p| &p.schema_ref);
    let by_ref = |read: TokenStream| -> Vec<TokenStream> {
        sorted
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = ident(&p.type_name);
                quote!(::std::option::Option::Some(#i) => <#n as ::evreg::EventPayload>::#read(payload).map(Event::#n),)
            })
            .collect()
    };
    let by_version = |read: TokenStream| -> Vec<TokenStream> {
        payloads
            .iter()
            .map(|p| {
                let (n, v) = (ident(&p.type_name), p.version);
                let t = ident(&evreg_core::naming::pascal_name(&p.event_type));
                quote!((EventType::#t, #v) => <#n as ::evreg::EventPayload>::#read(payload).map(Event::#n),)
            })
            .collect()
    };
    let (value_by_ref, slice_by_ref) = (by_ref(quote!(from_value)), by_ref(quote!(from_slice)));
    let unvalidated_by_ref: Vec<TokenStream> = sorted
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (n, r) = (ident(&p.type_name), &p.schema_ref);
            quote! {
                ::std::option::Option::Some(#i) => ::evreg::__private::serde_json::from_slice::<#n>(payload)
                    .map(Event::#n)
                    .map_err(|e| ::evreg::PayloadError::Deserialize {
                        schema_ref: #r.to_owned(),
                        message: e.to_string(),
                    }),
            }
        })
        .collect();
    let (value_by_version, slice_by_version) = (
        by_version(quote!(from_value)),
        by_version(quote!(from_slice)),
    );
    let froms = payloads.iter().map(|p| {
        let n = ident(&p.type_name);
        quote! {
            impl ::std::convert::From<#n> for Event {
                fn from(payload: #n) -> Event {
                    Event::#n(payload)
                }
            }
        }
    });
    let refs = payloads.iter().map(|p| &p.schema_ref);
    let doc = format!(
        " A payload of any event version of the `{}` catalog.",
        catalog.name()
    );
    // Separate items (the enum, its impl blocks, the `From`s in groups), so
    // that the printer handles them in parallel.
    let mut out = vec![quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum Event {
            #(#variants)*
        }
    }];
    out.push(quote! {
        impl ::evreg::AnyPayload for Event {
            fn event_type(&self) -> &'static str {
                Event::event_type(self).as_str()
            }
            fn schema_ref(&self) -> &'static str {
                Event::schema_ref(self)
            }
            fn version(&self) -> u32 {
                Event::version(self)
            }
            fn to_json(&self) -> ::std::result::Result<::evreg::__private::serde_json::Value, ::evreg::__private::serde_json::Error> {
                Event::to_value(self)
            }
            fn check_json(&self, value: &::evreg::__private::serde_json::Value) -> ::std::result::Result<(), ::evreg::PayloadError> {
                match self {
                    #(#check_json)*
                }
            }
            fn serialize_payload<S: ::evreg::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize)*
                }
            }
            fn check(&self) -> ::std::result::Result<(), ::evreg::PayloadError> {
                ::std::result::Result::Ok(Event::validate(self)?)
            }
        }
    });
    out.push(quote! {
        impl Event {
            /// Every schema ref, in catalog order.
            pub const SCHEMA_REFS: &'static [&'static str] = &[#(#refs),*];

            /// The event type.
            pub fn event_type(&self) -> EventType {
                match self {
                    #(#event_type)*
                }
            }

            /// The schema ref: `payload.TicketCreated.v1`.
            pub fn schema_ref(&self) -> &'static str {
                match self {
                    #(#schema_ref)*
                }
            }

            /// The payload version.
            pub fn version(&self) -> u32 {
                match self {
                    #(#version)*
                }
            }
        }
    });
    out.push(quote! {
        impl Event {
            /// Every way the payload fails its schema.
            pub fn validate(&self) -> ::std::result::Result<(), ::evreg::ValidationErrors> {
                match self {
                    #(#validate)*
                }
            }

            /// The payload as JSON.
            pub fn to_value(&self) -> ::std::result::Result<::evreg::__private::serde_json::Value, ::evreg::__private::serde_json::Error> {
                match self {
                    #(#to_value)*
                }
            }
        }
    });
    out.push(quote! {
        impl Event {
            /// Reads and validates a payload named by schema ref
            /// (`payload.TicketCreated.v1`), or by event type or alias (its
            /// latest version).
            pub fn from_value(name: &str, payload: ::evreg::__private::serde_json::Value) -> ::std::result::Result<Event, ::evreg::PayloadError> {
                match Event::ref_index(name) {
                    #(#value_by_ref)*
                    _ => match EventType::from_name(name) {
                        ::std::option::Option::Some(t) => Event::from_version(t, t.latest_version(), payload),
                        ::std::option::Option::None => {
                            let known = EventType::NAMES.iter().chain(Event::SCHEMA_REFS).copied();
                            ::std::result::Result::Err(::evreg::PayloadError::Unknown(::evreg::UnknownEvent::new(name, known)))
                        }
                    },
                }
            }

            /// Reads and validates a payload of an event type at a version.
            pub fn from_version(event_type: EventType, version: u32, payload: ::evreg::__private::serde_json::Value) -> ::std::result::Result<Event, ::evreg::PayloadError> {
                match (event_type, version) {
                    #(#value_by_version)*
                    _ => ::std::result::Result::Err(Event::unknown_version(event_type, version)),
                }
            }
        }
    });
    out.push(quote! {
        impl Event {
            /// [`Event::from_value`] from JSON bytes, parsed straight into the typed payload.
            pub fn from_slice(name: &str, payload: &[u8]) -> ::std::result::Result<Event, ::evreg::PayloadError> {
                match Event::ref_index(name) {
                    #(#slice_by_ref)*
                    _ => match EventType::from_name(name) {
                        ::std::option::Option::Some(t) => Event::from_version_slice(t, t.latest_version(), payload),
                        ::std::option::Option::None => {
                            let known = EventType::NAMES.iter().chain(Event::SCHEMA_REFS).copied();
                            ::std::result::Result::Err(::evreg::PayloadError::Unknown(::evreg::UnknownEvent::new(name, known)))
                        }
                    },
                }
            }

            /// [`Event::from_version`] from JSON bytes.
            pub fn from_version_slice(event_type: EventType, version: u32, payload: &[u8]) -> ::std::result::Result<Event, ::evreg::PayloadError> {
                match (event_type, version) {
                    #(#slice_by_version)*
                    _ => ::std::result::Result::Err(Event::unknown_version(event_type, version)),
                }
            }
        }
    });
    out.push(quote! {
        impl Event {
            /// Reads a payload named by schema ref without `validate()`: for
            /// payloads validated before (an audit trail's own rows). The shape
            /// (required properties, types, enums) is still checked.
            pub fn from_slice_unvalidated(schema_ref: &str, payload: &[u8]) -> ::std::result::Result<Event, ::evreg::PayloadError> {
                match Event::ref_index(schema_ref) {
                    #(#unvalidated_by_ref)*
                    _ => ::std::result::Result::Err(::evreg::PayloadError::Unknown(::evreg::UnknownEvent::new(
                        schema_ref,
                        Event::SCHEMA_REFS.iter().copied(),
                    ))),
                }
            }

            /// The position of `name` among the sorted schema refs.
            fn ref_index(name: &str) -> ::std::option::Option<usize> {
                const SORTED_REFS: &[&str] = &[#(#sorted_refs),*];
                SORTED_REFS.binary_search(&name).ok()
            }

            fn unknown_version(event_type: EventType, version: u32) -> ::evreg::PayloadError {
                let versions = event_type.versions().iter().map(|v| ::std::format!("{event_type} v{v}")).collect::<::std::vec::Vec<_>>();
                ::evreg::PayloadError::Unknown(::evreg::UnknownEvent::new(
                    &::std::format!("{event_type} v{version}"),
                    versions.iter().map(::std::string::String::as_str),
                ))
            }
        }
    });
    let froms: Vec<TokenStream> = froms.collect();
    out.extend(froms.chunks(64).map(|c| quote!(#(#c)*)));
    out
}

pub(crate) fn registry(catalog: &Catalog, payloads: &[Payload]) -> TokenStream {
    let schemas = payloads.iter().map(|p| {
        let (n, t, v) = (ident(&p.type_name), &p.event_type, p.version);
        quote!(.embedded_schema(#t, #v, #n::SCHEMA_JSON))
    });
    let aliases = catalog.events().iter().flat_map(|e| {
        e.aliases.iter().map(move |a| {
            let t = &e.event_type;
            quote!(.alias(#a, #t))
        })
    });
    use evreg_core::naming::KeyCase;
    let key_case = match catalog.manifest().key_case {
        Some(k) => {
            let v = match k {
                KeyCase::CamelCase => quote!(CamelCase),
                KeyCase::SnakeCase => quote!(SnakeCase),
                KeyCase::PascalCase => quote!(PascalCase),
                KeyCase::KebabCase => quote!(KebabCase),
            };
            quote!(::std::option::Option::Some(::evreg::naming::KeyCase::#v))
        }
        None => quote!(::std::option::Option::None),
    };
    let base = serde_json::Value::Object(catalog.manifest().base.properties.clone()).to_string();
    quote! {
        /// Fills the base fields the catalog's manifest declares (tenant,
        /// time, actor, idempotency key) from a publishing context: give it
        /// to the bus (`BusOptions::enricher`). No file is read at run time.
        pub fn enricher() -> ::evreg::enrich::Enricher {
            static BASE: &str = #base;
            let properties: ::evreg::__private::serde_json::Map<::std::string::String, ::evreg::__private::serde_json::Value> =
                ::evreg::__private::serde_json::from_str(BASE).unwrap_or_default();
            ::evreg::enrich::Enricher::from_base(#key_case, &properties)
        }

        /// The schema registry of the catalog, every schema embedded (no file
        /// is read at run time). Built once; clones share it.
        pub fn registry() -> ::evreg::Registry {
            static REGISTRY: ::std::sync::OnceLock<::evreg::Registry> = ::std::sync::OnceLock::new();
            REGISTRY
                .get_or_init(|| {
                    ::evreg::Registry::builder()
                        #(#schemas)*
                        #(#aliases)*
                        .build()
                })
                .clone()
        }
    }
}
