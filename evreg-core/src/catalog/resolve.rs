//! `$ref` resolution: every payload schema becomes self-contained, with the
//! shared definitions it reaches copied into its `$defs` and its references
//! rewritten to point there. Reference cycles are reported.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::json::{self, Part, escape_pointer_token, pointer_tokens};
use super::{DocId, Loader};
use crate::diagnostic::Diagnostic;
use crate::naming::type_name;
use crate::schema::dialect::Draft;
use crate::schema::uri;

/// A location in a document: the target of a `$ref`.
type Node = (DocId, String);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Visiting,
    Done,
}

/// One shared definition copied into a bundle.
#[derive(Debug, Clone)]
pub(crate) struct Bundled {
    pub node: Node,
    pub value: Value,
}

/// How many `$ref`s evreg follows inside one another from a payload
/// schema (a chain `A → B → C`, or references nested in the properties of
/// referenced definitions): every reader of a bundled schema walks it that
/// deep, so the bound keeps their work and stacks bounded. A reference back
/// to a schema being read (a recursive schema) does not count.
pub const MAX_REF_DEPTH: usize = 128;

impl Loader {
    /// Resolves where a `$ref` found in `doc` points, loading other files as needed.
    fn resolve_ref(&mut self, doc: DocId, reference: &str, ref_pointer: &str) -> Option<Node> {
        let at = |l: &Loader| l.locate(doc, ref_pointer, Part::Value);
        let (path, fragment) = match reference.split_once('#') {
            Some((p, f)) => (p, f),
            None => (reference, ""),
        };
        let target_doc = if path.is_empty() {
            doc
        } else {
            let target = self.ref_target(doc, path, reference, ref_pointer)?;
            if target != doc {
                self.shared_files.insert(self.docs[target].path.clone());
            }
            self.check_schema_doc(target);
            target
        };
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            // A plain name: the anchor a schema of the document declares.
            let draft = self.docs[target_doc].draft;
            return match draft.anchor(&self.docs[target_doc].value, &fragment) {
                Some(pointer) => Some((target_doc, pointer)),
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            "unresolved-ref",
                            format!("`$ref` \"{reference}\" names the anchor `{fragment}`, which the document does not declare"),
                        )
                        .at(at(self), "no such anchor")
                        .with_help(if draft >= Draft::Draft201909 {
                            format!("declare it with `\"$anchor\": \"{fragment}\"` in the schema it names")
                        } else {
                            format!("declare it with `\"{}\": \"#{fragment}\"` in the schema it names", draft.id_keyword())
                        }),
                    );
                    None
                }
            };
        }
        if json::get(&self.docs[target_doc].value, &fragment).is_none() {
            let mut d = Diagnostic::error(
                "unresolved-ref",
                format!("`$ref` \"{reference}\" points at nothing"),
            )
            .at(at(self), "no such location");
            let parent = fragment.rsplit_once('/').map_or("", |(p, _)| p);
            if let Some(Value::Object(siblings)) = json::get(&self.docs[target_doc].value, parent) {
                let last = pointer_tokens(&fragment).pop().unwrap_or_default();
                if let Some(close) =
                    crate::naming::did_you_mean(&last, siblings.keys().map(String::as_str))
                {
                    d = d.with_help(format!("did you mean `{parent}/{close}`?"));
                }
            }
            self.diags.push(d);
            return None;
        }
        Some((target_doc, fragment))
    }

    /// The document a reference's non-fragment part names. Against the
    /// referring document's `$id` when it has one (or when the reference is
    /// an absolute URI): the schema file declaring the target as its `$id`
    /// (see [`Loader::find_by_id`]). Else a file path, relative to the
    /// referring file's folder.
    fn ref_target(
        &mut self,
        doc: DocId,
        path: &str,
        reference: &str,
        ref_pointer: &str,
    ) -> Option<DocId> {
        let at = |l: &Loader| l.locate(doc, ref_pointer, Part::Value);
        let absolute = path.contains(':');
        let target = match &self.docs[doc].base {
            Some(base) => uri::resolve(base, path),
            None if absolute => uri::id_uri(path),
            None => {
                let full = self.docs[doc].dir.join(Path::new(path));
                return self.json_file(&full, (doc, ref_pointer));
            }
        };
        let Some(target) = target else {
            self.diags.push(
                Diagnostic::error(
                    "unresolved-ref",
                    format!("`$ref` \"{reference}\" is not a URI reference"),
                )
                .at(at(self), ""),
            );
            return None;
        };
        if let Some(&found) = self.ids.get(&target) {
            return Some(found);
        }
        if let Some(found) = self.find_by_id(doc, &target, ref_pointer) {
            return Some(found);
        }
        if let Some(path) = self.indexed_id(&target) {
            let found = self.json_file(&path, (doc, ref_pointer))?;
            self.ids.entry(target).or_insert(found);
            return Some(found);
        }
        let help = if absolute && self.docs[doc].base.is_none() {
            "evreg never fetches schemas: put the schema in a file whose `$id` is this URI, and name that file in `[definitions] files` of catalog.toml"
        } else {
            "no schema file evreg read declares this `$id`: none where the URI points (next to this file, or in the folders above it), and no `.json` file under the catalog folder"
        };
        self.diags.push(
            Diagnostic::error(
                "unresolved-ref",
                format!("`$ref` \"{reference}\" names `{target}`, which no schema file of the catalog declares"),
            )
            .at(at(self), "")
            .with_help(help),
        );
        None
    }

    /// The schema file that declares `target` as its `$id`, looked for where
    /// the URI points: next to the referring file (the path of `target`
    /// relative to the referring document's `$id`), then, for a relative
    /// `$id` (under [`uri::ROOT`]), at its path in the referring file's
    /// folder and each folder above. A file found next to the referring one
    /// that declares no `$id` of its own is taken as `target` too (a schema
    /// set whose ids follow its folders); elsewhere only a file declaring
    /// exactly `target` is.
    fn find_by_id(&mut self, doc: DocId, target: &str, ref_pointer: &str) -> Option<DocId> {
        const MAX_FOLDERS_UP: usize = 16;
        let dir = self.docs[doc].dir.clone();
        let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
        if let Some(base) = &self.docs[doc].base
            && let Some(relative) = uri::relative_path(base, target)
        {
            candidates.push((dir.join(relative), true));
        }
        if let Some(path) = uri::path_in_root(target) {
            for folder in dir.ancestors().take(MAX_FOLDERS_UP) {
                candidates.push((folder.join(path), false));
            }
        }
        for (path, lenient) in candidates {
            let path = super::normalize(&path);
            if !path.is_file() {
                continue;
            }
            let found = self.json_file(&path, (doc, ref_pointer))?;
            let declared = declared_id(&self.docs[found].value, self.rules.keywords.default_draft);
            let matches = match &declared {
                Some(id) => id == target,
                None => lenient,
            };
            if matches {
                self.ids.entry(target.to_owned()).or_insert(found);
                return Some(found);
            }
        }
        None
    }

    /// The file under the catalog folder whose root `$id` is `target`, from
    /// an index of every `.json` file there (built on first use): for ids
    /// that are absolute URLs, or names without `.json`, whose files do not
    /// sit where the URI's path points.
    fn indexed_id(&mut self, target: &str) -> Option<PathBuf> {
        const MAX_FILES: usize = 50_000;
        const MAX_BYTES: u64 = 16 << 20;
        let default = self.rules.keywords.default_draft;
        let root = self.root.clone();
        let index = self.id_index.get_or_insert_with(|| {
            let mut index = HashMap::new();
            let files = super::discover::files_under(&root, usize::MAX)
                .filter(|e| {
                    e.path().extension().is_some_and(|x| x == "json")
                        && e.metadata().is_ok_and(|m| m.len() <= MAX_BYTES)
                })
                .take(MAX_FILES);
            for entry in files {
                let Ok(text) = std::fs::read(entry.path()) else {
                    continue;
                };
                let Ok(value) = serde_json::from_slice::<Value>(&text) else {
                    continue;
                };
                if let Some(id) = declared_id(&value, default) {
                    index
                        .entry(id)
                        .or_insert_with(|| super::normalize(entry.path()));
                }
            }
            index
        });
        index.get(target).cloned()
    }

    /// Checks the schema files the references of `doc` reach, and the
    /// files theirs reach: for a document that is not bundled (its own
    /// schema has errors), so that every problem is found at once.
    pub(crate) fn check_reached(&mut self, doc: DocId) {
        let mut seen = std::collections::HashSet::from([doc]);
        let mut queue = vec![doc];
        while let Some(current) = queue.pop() {
            let refs = self.doc_refs(current).to_vec();
            for (pointer, reference) in refs {
                let ref_pointer = format!("{pointer}/$ref");
                if let Some((target, _)) = self.resolve_ref(current, &reference, &ref_pointer)
                    && seen.insert(target)
                {
                    queue.push(target);
                }
            }
        }
    }

    /// The references found under `node`, resolved; `None` entries failed.
    fn refs_under(
        &mut self,
        node: &Node,
        cache: &mut HashMap<Node, Vec<(Node, String)>>,
    ) -> Vec<(Node, String)> {
        if let Some(found) = cache.get(node) {
            return found.clone();
        }
        if !self.sorted_refs.contains_key(&node.0) {
            let mut sorted = self.doc_refs(node.0).to_vec();
            sorted.sort();
            self.sorted_refs.insert(node.0, sorted);
        }
        let sorted = &self.sorted_refs[&node.0];
        let first = sorted.partition_point(|(p, _)| p.as_str() < node.1.as_str());
        let raw: Vec<(String, String)> = sorted[first..]
            .iter()
            .take_while(|(p, _)| p.starts_with(node.1.as_str()))
            .filter(|(p, _)| is_under(p, &node.1))
            .cloned()
            .collect();
        let mut out = Vec::new();
        for (pointer, reference) in raw {
            let ref_pointer = format!("{pointer}/$ref");
            if let Some(target) = self.resolve_ref(node.0, &reference, &ref_pointer) {
                out.push((target, ref_pointer));
            }
        }
        cache.insert(node.clone(), out.clone());
        out
    }

    /// Reports reference cycles reachable from `start` that never go into
    /// the value (a schema that is itself, through `$ref`s and `allOf`/
    /// `anyOf`/`oneOf`/`not` alone); true when there is none. A cycle that
    /// goes into a property or an item is a recursive schema (a tree):
    /// every value is finite, so it is read like any other.
    fn acyclic(&mut self, start: &Node, cache: &mut HashMap<Node, Vec<(Node, String)>>) -> bool {
        let mut marks: HashMap<Node, Mark> = HashMap::new();
        let mut stack: Vec<(Node, bool)> = Vec::new();
        let errors_before = self.diags.error_count();
        self.too_deep = false;
        let ok = self.visit(start.clone(), false, &mut marks, &mut stack, cache);
        ok && self.diags.error_count() == errors_before
    }

    /// Visits `node`, reached by an edge that goes into the value or not;
    /// at most [`MAX_REF_DEPTH`] deep.
    fn visit(
        &mut self,
        node: Node,
        descends: bool,
        marks: &mut HashMap<Node, Mark>,
        stack: &mut Vec<(Node, bool)>,
        cache: &mut HashMap<Node, Vec<(Node, String)>>,
    ) -> bool {
        match marks.get(&node) {
            Some(Mark::Done) => return true,
            Some(Mark::Visiting) => return false,
            None => {}
        }
        marks.insert(node.clone(), Mark::Visiting);
        stack.push((node.clone(), descends));
        let mut ok = true;
        for (target, ref_pointer) in self.refs_under(&node, cache) {
            let edge = goes_into_value(&ref_pointer[node.1.len()..]);
            if stack.len() >= MAX_REF_DEPTH && marks.get(&target) != Some(&Mark::Visiting) {
                self.too_deep = true;
                let at = self.locate(node.0, &ref_pointer, Part::Value);
                let start = self.node_name(&stack[0].0);
                self.diags.push(
                    Diagnostic::error(
                        "ref-too-deep",
                        format!("`$ref`s nest more than {MAX_REF_DEPTH} deep from {start}"),
                    )
                    .at(at, "the reference one step too deep")
                    .with_note(format!(
                        "evreg follows at most {MAX_REF_DEPTH} references inside one another (docs/catalog-format.md, \"Limits\"); \
                         a recursive schema (a reference back to a schema being read) does not count"
                    )),
                );
                ok = false;
                break;
            }
            // One report is enough: the walk stops everywhere.
            if self.too_deep {
                ok = false;
                break;
            }
            if marks.get(&target) == Some(&Mark::Visiting) {
                let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                // The edges of the cycle: into each node after `target`, and this one.
                if edge || stack[from + 1..].iter().any(|(_, d)| *d) {
                    continue;
                }
                let chain: Vec<String> = stack[from..]
                    .iter()
                    .map(|(n, _)| n)
                    .chain(std::iter::once(&target))
                    .map(|n| self.node_name(n))
                    .collect();
                let at = self.locate(node.0, &ref_pointer, Part::Value);
                self.diags.push(
                    Diagnostic::error("cyclic-ref", "`$ref` cycle: a schema is defined as itself")
                        .at(at, "this reference closes the cycle")
                        .with_note(format!("cycle: {}", chain.join(" → ")))
                        .with_note("no step of the cycle goes into a property or an item, so no value can end it"),
                );
                ok = false;
            } else if !self.visit(target, edge, marks, stack, cache) {
                ok = false;
            }
        }
        stack.pop();
        marks.insert(node, Mark::Done);
        ok
    }

    fn node_name(&self, (doc, pointer): &Node) -> String {
        let path = self.docs[*doc]
            .path
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        format!("{path}#{pointer}")
    }

    /// Bundles the schema at `root` (a whole document): a copy whose references
    /// to other documents point into `$defs`. `None` when a reference is broken
    /// or cyclic (already reported).
    pub(crate) fn bundle(
        &mut self,
        root: DocId,
        shared: &mut BTreeMap<String, Bundled>,
    ) -> Option<Value> {
        let start: Node = (root, String::new());
        let mut cache = HashMap::new();
        let errors_before = self.diags.error_count();
        if !self.acyclic(&start, &mut cache) || self.diags.error_count() > errors_before {
            return None;
        }
        let mut defs: BTreeMap<String, Bundled> = BTreeMap::new();
        let value = self.docs[root].value.clone();
        let mut value = value;
        self.rewrite(root, Some(root), &mut value, "", &mut defs)?;
        self.recursive_targets(root, &mut defs)?;
        self.translate(root, "", &mut value);
        self.root_in_2020_12(root, &mut value)?;
        if !defs.is_empty() {
            let Value::Object(map) = &mut value else {
                return Some(value);
            };
            let own = map
                .entry("$defs")
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(own) = own else {
                return Some(value);
            };
            for (name, bundled) in defs {
                if own.contains_key(&name) {
                    let at = self.locate(
                        root,
                        &format!("/$defs/{}", escape_pointer_token(&name)),
                        Part::Key,
                    );
                    self.diags.push(
                        Diagnostic::error(
                            "definition-collision",
                            format!("local definition `{name}` has the name of a shared definition it also uses"),
                        )
                        .at(at, "")
                        .with_note(format!("shared: {}", self.node_name(&bundled.node))),
                    );
                    return None;
                }
                own.insert(name.clone(), bundled.value.clone());
                shared.entry(name).or_insert(bundled);
            }
        }
        Some(value)
    }

    /// Where the `$recursiveRef`s of 2019-09 documents in the bundle of
    /// `root` lead. Each became a `$ref` to its own document's root
    /// (`dialect::recursive_to_ref`), which is 2019-09's meaning unless that
    /// document says `"$recursiveAnchor": true`: then it leads to the
    /// outermost anchored resource of the evaluation. When the payload schema
    /// itself is anchored, that is always the payload: those references are
    /// retargeted to `#`. When it is not, and one anchored document is
    /// reached, it is that document (as translated); with two or more, the
    /// target would depend on the path, which a bundle cannot say: an error.
    fn recursive_targets(
        &mut self,
        root: DocId,
        defs: &mut BTreeMap<String, Bundled>,
    ) -> Option<()> {
        let anchored =
            |l: &Loader, doc: DocId| l.docs[doc].recursive.as_ref().is_some_and(|r| r.anchored);
        let with_refs = |l: &Loader, doc: DocId| {
            l.docs[doc]
                .recursive
                .as_ref()
                .is_some_and(|r| r.anchored && !r.refs.is_empty())
        };
        let mut others: Vec<DocId> = defs
            .values()
            .map(|b| b.node.0)
            .filter(|d| *d != root && anchored(self, *d))
            .collect();
        others.sort_unstable();
        others.dedup();
        if anchored(self, root) {
            for bundled in defs.values_mut() {
                let (doc, at) = &bundled.node;
                if *doc == root || !with_refs(self, *doc) {
                    continue;
                }
                let refs = &self.docs[*doc].recursive.as_ref().expect("anchored").refs;
                for pointer in refs {
                    let Some(rest) = pointer.strip_prefix(at.as_str()) else {
                        continue;
                    };
                    if !(rest.is_empty() || rest.starts_with('/')) {
                        continue;
                    }
                    if let Some(Value::Object(map)) = bundled.value.pointer_mut(rest) {
                        map.insert("$ref".to_owned(), Value::from("#"));
                    }
                }
            }
            return Some(());
        }
        if others.len() >= 2
            && let Some(doc) = others.iter().copied().find(|d| with_refs(self, *d))
        {
            let first = self.docs[doc].recursive.as_ref().expect("anchored").refs[0].clone();
            let at = self.locate(doc, &first, Part::Value);
            let names: Vec<String> = others
                .iter()
                .map(|d| self.sources.display_name(&self.docs[*d].path))
                .collect();
            self.diags.push(
                Diagnostic::error(
                    "unsupported-keyword",
                    format!(
                        "`$recursiveRef` here leads to the outermost of {} (each says `\"$recursiveAnchor\": true`), which depends on the path the evaluation took: evreg cannot bundle it",
                        names.join(", ")
                    ),
                )
                .at(at, "")
                .with_help("say `\"$recursiveAnchor\": true` in the payload schema itself (then every such reference leads to it), or use `$ref`"),
            );
            return None;
        }
        Some(())
    }

    /// Says in 2020-12 what `value` (found at `pointer` in `doc`) says in the
    /// draft of `doc`; what that draft ignores is dropped, with a warning.
    fn translate(&mut self, doc: DocId, pointer: &str, value: &mut Value) {
        // Keywords of the team's own validate nothing: the bundle leaves
        // them out, as it means the same without them.
        let keywords = &self.rules.keywords;
        if !keywords.annotations.is_empty() || keywords.unknown_is_warning {
            crate::schema::dialect::for_each_schema_mut(value, &mut |map, _| {
                map.retain(|k, _| !keywords.ignores(k));
            });
        }
        let draft = self.docs[doc].draft;
        for dropped in draft.translate(value) {
            let at = format!("{pointer}{dropped}");
            let keyword = pointer_tokens(&at).pop().unwrap_or_default();
            let d = Diagnostic::warning(
                "ignored-keyword",
                format!("`{keyword}` beside `$ref` is ignored in {}", draft.name()),
            )
            .at(self.locate(doc, &at, Part::Key), "ignored")
            .with_help("move it into an `allOf` with the `$ref`, or use draft 2019-09 or later, where it applies");
            self.diags.push(d);
        }
    }

    /// The root of a bundle, in 2020-12: its definitions container is
    /// `$defs` (references into `definitions` follow it), and its `$schema`
    /// names 2020-12.
    fn root_in_2020_12(&mut self, root: DocId, value: &mut Value) -> Option<()> {
        let draft = self.docs[root].draft;
        let Value::Object(map) = value else {
            return Some(());
        };
        if draft < crate::schema::dialect::Draft::Draft202012
            && let Some(Value::Object(old)) = map.remove("definitions")
        {
            let defs = map
                .entry("$defs")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(defs) = defs {
                for (name, schema) in old {
                    if defs.contains_key(&name) {
                        let at = self.locate(
                            root,
                            &format!("/definitions/{}", escape_pointer_token(&name)),
                            Part::Key,
                        );
                        self.diags.push(
                            Diagnostic::error(
                                "definition-collision",
                                format!("`{name}` is both in `definitions` and in `$defs`"),
                            )
                            .at(at, "")
                            .with_help("keep one of them"),
                        );
                        return None;
                    }
                    defs.insert(name, schema);
                }
            }
            retarget_refs(value, "#/definitions/", "#/$defs/");
        }
        if let Value::Object(map) = value {
            // The bundle is a document of its own; its references point
            // into it.
            map.remove("$id");
        }
        if let Value::Object(map) = value
            && map.contains_key("$schema")
        {
            map.insert(
                "$schema".to_owned(),
                Value::String(crate::schema::dialect::Draft::Draft202012.uri().to_owned()),
            );
        }
        Some(())
    }

    /// Bundles one shared definition (a `$defs` entry of a definitions file).
    pub(crate) fn bundle_definition(&mut self, node: Node, shared: &mut BTreeMap<String, Bundled>) {
        let mut cache = HashMap::new();
        let errors_before = self.diags.error_count();
        if !self.acyclic(&node, &mut cache) || self.diags.error_count() > errors_before {
            return;
        }
        let mut defs = BTreeMap::new();
        let Some(mut value) = json::get(&self.docs[node.0].value, &node.1).cloned() else {
            return;
        };
        if self
            .rewrite(node.0, None, &mut value, &node.1, &mut defs)
            .is_some()
        {
            self.translate(node.0, &node.1, &mut value);
            let name = def_name(&self.docs[node.0].path, &node.1);
            defs.insert(name, Bundled { node, value });
        }
        for (name, bundled) in defs {
            shared.entry(name).or_insert(bundled);
        }
    }

    /// Copies `value` (found at `pointer` in `doc`), rewriting references that
    /// leave `root` to `#/$defs/<Name>` and adding their targets to `defs`.
    /// Rewrites the `$ref`s of `value`, the subtree at `prefix` in `doc`, in place.
    fn rewrite(
        &mut self,
        doc: DocId,
        root: Option<DocId>,
        value: &mut Value,
        prefix: &str,
        defs: &mut BTreeMap<String, Bundled>,
    ) -> Option<()> {
        let refs: Vec<(String, String)> = self
            .doc_refs(doc)
            .iter()
            .filter(|(p, _)| is_under(p, prefix))
            .cloned()
            .collect();
        for (pointer, reference) in refs {
            let ref_pointer = format!("{pointer}/$ref");
            let rewritten = self.rewrite_ref(doc, root, &reference, &ref_pointer, defs)?;
            if let Some(Value::Object(object)) = json::get_mut(value, &pointer[prefix.len()..]) {
                object.insert("$ref".to_owned(), Value::String(rewritten));
            }
        }
        Some(())
    }

    /// Every `$ref` of a document: the pointer of the object holding it, and the
    /// reference. Computed once (in the prefetch workers for schema files).
    pub(crate) fn doc_refs(&mut self, doc: DocId) -> &[(String, String)] {
        let d = &mut self.docs[doc];
        d.refs.get_or_insert_with(|| refs_of(&d.value))
    }

    fn rewrite_ref(
        &mut self,
        doc: DocId,
        root: Option<DocId>,
        reference: &str,
        pointer: &str,
        defs: &mut BTreeMap<String, Bundled>,
    ) -> Option<String> {
        let target = self.resolve_ref(doc, reference, pointer)?;
        if Some(target.0) == root {
            // Same document: a pointer as written (it is already
            // URI-encoded); an anchor as the pointer it names.
            let fragment = reference.split_once('#').map_or("", |(_, f)| f);
            if fragment.is_empty() || fragment.starts_with('/') {
                return Some(format!("#{fragment}"));
            }
            return Some(uri::pointer_fragment(&target.1));
        }
        if self.docs[target.0].schema_errors {
            return None;
        }
        let name = def_name(&self.docs[target.0].path, &target.1);
        if let Some(existing) = defs.get(&name) {
            if existing.node != target {
                let at = self.locate(doc, pointer, Part::Value);
                self.diags.push(
                    Diagnostic::error(
                        "definition-collision",
                        format!("two different shared definitions are named `{name}`"),
                    )
                    .at(at, "this one")
                    .with_note(format!("the other: {}", self.node_name(&existing.node)))
                    .with_help("rename one of them: shared definitions become one Rust type each"),
                );
                return None;
            }
            return Some(format!("#/$defs/{}", escape_pointer_token(&name)));
        }
        // Reserve the name first: a recursive definition reaches itself, and
        // finds its name taken by itself.
        let value = json::get(&self.docs[target.0].value, &target.1)
            .cloned()
            .unwrap_or(Value::Null);
        defs.insert(
            name.clone(),
            Bundled {
                node: target.clone(),
                value: Value::Null,
            },
        );
        let mut value = value;
        self.rewrite(target.0, root, &mut value, &target.1, defs)?;
        self.translate(target.0, &target.1, &mut value);
        if let Value::Object(map) = &mut value {
            // A definition copied out of its document is no resource root:
            // its references were rewritten to point into the bundle.
            map.remove("$schema");
            map.remove("$id");
        }
        defs.insert(
            name.clone(),
            Bundled {
                node: target,
                value,
            },
        );
        Some(format!("#/$defs/{}", escape_pointer_token(&name)))
    }
}

/// The name a shared definition gets in a bundle: the `$defs` key, else the
/// file's stem, as a Rust-friendly PascalCase name.
pub(crate) fn def_name(path: &Path, pointer: &str) -> String {
    let tokens = pointer_tokens(pointer);
    match tokens.last() {
        Some(last) => type_name(last),
        None => type_name(
            &path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
                .replace(".schema", ""),
        ),
    }
}

/// The URI a document's root `$id` (draft-04: `id`) gives it; `default`
/// is the draft of a document without `$schema`.
fn declared_id(document: &Value, default: Draft) -> Option<String> {
    let keyword = Draft::of(document, default).unwrap_or(default).id_keyword();
    document.get(keyword)?.as_str().and_then(uri::id_uri)
}

/// Rewrites every `$ref` of `value` that starts with `from` to start with `to`.
fn retarget_refs(value: &mut Value, from: &str, to: &str) {
    crate::schema::dialect::for_each_schema_mut(value, &mut |map, _| {
        if let Some(Value::String(r)) = map.get_mut("$ref")
            && let Some(rest) = r.strip_prefix(from)
        {
            *r = format!("{to}{rest}");
        }
    });
}

/// Keywords whose values are data, not schemas: never searched for `$ref`.
fn is_data_keyword(key: &str) -> bool {
    matches!(key, "enum" | "const" | "default" | "examples")
}

/// Every `$ref` in a JSON document (see [`Loader::doc_refs`]).
pub(crate) fn refs_of(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect_refs(value, &mut String::new(), &mut out);
    out
}

/// Whether `pointer` is `prefix` or inside it.
/// Whether the schema at `relative` (a pointer below a schema, ending at a
/// `$ref`) applies to a part of the value (a property, an item) rather than
/// to the value itself.
fn goes_into_value(relative: &str) -> bool {
    let tokens = pointer_tokens(relative);
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].as_str() {
            "properties"
            | "patternProperties"
            | "items"
            | "additionalProperties"
            | "additionalItems"
            | "prefixItems"
            | "contains"
            | "unevaluatedItems"
            | "unevaluatedProperties" => return true,
            // A name of a definition (or of a dependent schema) follows.
            "$defs" | "definitions" | "dependentSchemas" => i += 2,
            _ => i += 1,
        }
    }
    false
}

fn is_under(pointer: &str, prefix: &str) -> bool {
    pointer
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn collect_refs(value: &Value, pointer: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((pointer.clone(), r.clone()));
            }
            for (key, sub) in map {
                if is_data_keyword(key) || key == "$ref" {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_pointer_token(key));
                collect_refs(sub, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                collect_refs(item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Decodes `%XX` escapes of a `$ref` fragment (`#/$defs/a%20b`).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
