//! Rust code generation: the resolved catalog → one formatted module.
//!
//! Planning (`plan`) decides every type, name and check; emitting
//! (`emit`, `bus`) turns the plan into `syn` items, which `prettyplease`
//! prints. Tokens are parsed into `syn` once, item by item, never printed and
//! re-parsed.

mod bus;
mod emit;
pub(crate) mod plan;
mod rename;

pub use plan::Untyped;

use evreg_core::{Catalog, Diagnostic};
use proc_macro2::TokenStream;

/// The generated module of `catalog`, formatted, or why it cannot be generated.
///
/// The module is a sequence of parts (the bus types, then each payload's
/// impls, then every type by name); each part's tokens are parsed into `syn`
/// once and printed by `prettyplease`. Parts are independent, so chunks of
/// them are generated, parsed and printed on every core, and the texts joined
/// in order: the bytes do not depend on the number of threads.
pub fn generate(catalog: &Catalog) -> Result<String, Vec<Diagnostic>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    generate_with_threads(catalog, threads)
}

/// [`generate`] on at most `threads` threads; with 1, on the calling thread
/// only (inside a procedural macro, `proc_macro2` must stay on the
/// compiler's thread).
pub fn generate_with_threads(catalog: &Catalog, threads: usize) -> Result<String, Vec<Diagnostic>> {
    module(catalog, threads).map(|(code, _)| code)
}

/// The module's text and where it keeps schemas as `serde_json::Value`.
pub(crate) fn module(
    catalog: &Catalog,
    threads: usize,
) -> Result<(String, Vec<Untyped>), Vec<Diagnostic>> {
    let space = plan::plan(catalog);
    if !space.diagnostics.is_empty() {
        return Err(space.diagnostics);
    }
    let text = print_module(catalog, &space, threads)?;
    Ok((text, space.untyped))
}

fn print_module(
    catalog: &Catalog,
    space: &plan::TypeSpace,
    threads: usize,
) -> Result<String, Vec<Diagnostic>> {
    let needs = emit::Needs::new(space);
    let filled = filled(catalog);
    let parts = parts(catalog, space);
    const CHUNK: usize = 32;
    let chunks: Vec<&[Part<'_>]> = parts.chunks(CHUNK).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = threads.min(chunks.len()).max(1);
    if workers == 1 {
        let mut out = header(catalog);
        for chunk in &chunks {
            out.push_str(&print(
                chunk
                    .iter()
                    .map(|p| p.tokens(catalog, space, &needs, &filled)),
            )?);
        }
        return Ok(out);
    }
    let mut printed: Vec<(usize, Result<String, Vec<Diagnostic>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                // Printing a match of one arm per payload version recurses
                // deeply in syn and prettyplease: give workers a main thread's room.
                std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(chunk) = chunks.get(i) else { break };
                            let tokens = chunk
                                .iter()
                                .map(|p| p.tokens(catalog, space, &needs, &filled));
                            done.push((i, print(tokens)));
                        }
                        done
                    })
                    .expect("a code generation thread starts")
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a code generation thread panicked"))
            .collect()
    });
    printed.sort_by_key(|(i, _)| *i);
    let mut out = header(catalog);
    for (_, text) in printed {
        out.push_str(&text?);
    }
    Ok(out)
}

/// The pipeline `generate` avoids, for benchmarks: all tokens printed to one
/// string and parsed again by `syn::parse_file` before formatting, on one thread.
#[doc(hidden)]
pub fn generate_reparsing_text(catalog: &Catalog) -> Result<String, Vec<Diagnostic>> {
    let space = plan::plan(catalog);
    if !space.diagnostics.is_empty() {
        return Err(space.diagnostics);
    }
    let needs = emit::Needs::new(&space);
    let filled = filled(catalog);
    let text: String = parts(catalog, &space)
        .iter()
        .map(|p| p.tokens(catalog, &space, &needs, &filled).to_string())
        .collect();
    let file = syn::parse_file(&text)
        .map_err(|e| vec![Diagnostic::error("codegen-bug", e.to_string())])?;
    Ok(header(catalog) + &prettyplease::unparse(&file))
}

/// One independent piece of the module.
enum Part<'a> {
    EventType,
    /// Printed as text: tokens cannot cross threads.
    Event(String),
    Registry,
    Payload(&'a plan::Payload),
    Item(&'a plan::Item),
}

fn parts<'a>(catalog: &Catalog, space: &'a plan::TypeSpace) -> Vec<Part<'a>> {
    let mut parts = vec![Part::EventType];
    parts.extend(
        bus::event(catalog, &space.payloads)
            .into_iter()
            .map(|t| Part::Event(t.to_string())),
    );
    parts.push(Part::Registry);
    parts.extend(space.payloads.iter().map(Part::Payload));
    parts.extend(space.items.values().map(|(_, item)| Part::Item(item)));
    parts
}

impl Part<'_> {
    fn tokens(
        &self,
        catalog: &Catalog,
        space: &plan::TypeSpace,
        needs: &emit::Needs<'_>,
        filled: &[String],
    ) -> TokenStream {
        match self {
            Part::EventType => bus::event_type(catalog),
            Part::Event(text) => text.parse().expect("generated tokens lex"),
            Part::Registry => bus::registry(catalog, &space.payloads),
            Part::Payload(p) => emit::payload_impl(p, space, filled),
            Part::Item(item) => emit::item(item, needs),
        }
    }
}

/// The base fields the catalog's enricher fills from a publishing context.
fn filled(catalog: &Catalog) -> Vec<String> {
    evreg_core::enrich::Enricher::from_manifest(catalog.manifest())
        .fields()
        .map(str::to_owned)
        .collect()
}

/// Parses tokens into `syn` items and prints them.
fn print(tokens: impl Iterator<Item = TokenStream>) -> Result<String, Vec<Diagnostic>> {
    let mut items = Vec::new();
    for t in tokens {
        let file: syn::File = syn::parse2(t).map_err(|e| {
            vec![Diagnostic::error(
                "codegen-bug",
                format!("generated code does not parse ({e}); please report this"),
            )]
        })?;
        items.extend(file.items);
    }
    Ok(prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    }))
}

fn header(catalog: &Catalog) -> String {
    format!(
        "// @generated by evreg {} from the `{}` catalog. Do not edit: change the catalog\n\
         // and run `evreg generate` (or let build.rs / include_catalog! regenerate it).\n\n",
        env!("CARGO_PKG_VERSION"),
        catalog.name()
    )
}

/// The problems that would stop code generation (name collisions, schemas
/// code generation cannot map), for `evreg check`.
pub fn check(catalog: &Catalog) -> Vec<Diagnostic> {
    plan::plan(catalog).diagnostics
}

/// Whether a generated type named `name` would collide with a bus type.
pub(crate) fn is_reserved(name: &str) -> bool {
    bus::RESERVED.contains(&name)
}
