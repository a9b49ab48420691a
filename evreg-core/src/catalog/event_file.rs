//! Event files (`events/*.toml`) → event declarations.

use std::path::{Path, PathBuf};

use serde_json::Value;
use toml::Spanned;
use toml::de::DeValue;

use super::json::Origin;
use super::keys::*;
use super::manifest::one_of_error;
use super::toml_read::{Located, TableReader, to_json, type_name};
use super::{Doc, DocId, EventDecl, Loader, PayloadDecl, Status, VersionDecl};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

impl Loader {
    /// Reads every event declared in one event file.
    pub(crate) fn event_file_decls(
        &mut self,
        file: FileId,
        path: &Path,
        doc: &toml::Spanned<toml::de::DeTable<'_>>,
    ) -> Vec<EventDecl> {
        let top = TableReader::new(
            file,
            doc.get_ref(),
            doc.span(),
            "an event file",
            EVENT_FILE_KEYS,
            &mut self.diags,
        );
        let Some(events) = top.table_array(EVENTS, &mut self.diags) else {
            if top.value(EVENTS).is_none() {
                self.diags.push(
                    Diagnostic::warning("no-events", "event file declares no `[[events]]`")
                        .at(Span::new(file, 0..0), ""),
                );
            }
            return Vec::new();
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        events
            .into_iter()
            .filter_map(|(table, span)| {
                let r =
                    TableReader::new(file, table, span, "[[events]]", EVENT_KEYS, &mut self.diags);
                self.read_event(&r, &dir)
            })
            .collect()
    }

    fn read_event(&mut self, r: &TableReader<'_, '_>, dir: &Path) -> Option<EventDecl> {
        let diags = &mut self.diags;
        let event_type = r.required_string(TYPE, diags);
        let name = r.required_string(NAME, diags);
        let description = r.required_string(DESCRIPTION, diags);
        let category = r.required_string(CATEGORY, diags);
        let owner = r.string(OWNER, diags);
        let status = match r.string(STATUS, diags) {
            Some(v) => match Status::ALL.iter().find(|(s, _)| *s == v.value) {
                Some((_, s)) => Located::new(*s, v.span),
                None => {
                    diags.push(one_of_error(
                        STATUS,
                        &v,
                        Status::ALL.iter().map(|(s, _)| *s),
                    ));
                    Located::new(Status::Active, v.span)
                }
            },
            None => Located::new(Status::Active, r.span()),
        };
        let replaced_by = r.string(REPLACED_BY, diags);
        let aliases = r.string_array(ALIASES, diags).unwrap_or_default();
        let compatibility = super::manifest::compatibility(r, diags);
        for (key, v) in [
            (NAME, &name),
            (DESCRIPTION, &description),
            (CATEGORY, &category),
            (OWNER, &owner),
        ] {
            if let Some(v) = v
                && v.trim().is_empty()
            {
                diags.push(
                    Diagnostic::error("empty", format!("`{key}` is empty"))
                        .at(v.span, "write something here"),
                );
            }
        }
        let versions = match r.table_array(VERSIONS, diags) {
            Some(v) => v,
            None => {
                if r.value(VERSIONS).is_none() {
                    diags.push(
                        Diagnostic::error("no-versions", "event declares no payload version")
                            .at(event_type.as_ref().map_or(r.span(), |t| t.span), "")
                            .with_help("add a `[[events.versions]]` table with `version = 1` and a `schema`"),
                    );
                }
                Vec::new()
            }
        };
        let versions = versions
            .into_iter()
            .filter_map(|(table, span)| {
                let vr = TableReader::new(
                    r.file(),
                    table,
                    span,
                    "[[events.versions]]",
                    VERSION_KEYS,
                    &mut self.diags,
                );
                self.read_version(&vr, dir)
            })
            .collect();
        Some(EventDecl {
            event_type: event_type?,
            name: name?.value,
            description: description?.value,
            category: category?.value,
            owner: owner.map(|o| o.value),
            status,
            replaced_by,
            aliases,
            compatibility,
            versions,
            span: r.span(),
        })
    }

    fn read_version(&mut self, r: &TableReader<'_, '_>, dir: &Path) -> Option<VersionDecl> {
        let file = r.file();
        let version = r.integer(VERSION, &mut self.diags);
        if r.value(VERSION).is_none() {
            r.missing(VERSION, &mut self.diags);
        }
        let description = r.string(DESCRIPTION, &mut self.diags).map(|d| d.value);
        let schema = match r.value(SCHEMA) {
            None => {
                r.missing(SCHEMA, &mut self.diags);
                None
            }
            Some(v) => self.payload_value(file, v, dir, "schema"),
        };
        let mut examples = Vec::new();
        if let Some(v) = r.value(EXAMPLES) {
            match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let Some(doc) = self.payload_value(file, item, dir, "example") {
                            examples.push(PayloadDecl {
                                doc,
                                span: Span::new(file, item.span()),
                            });
                        }
                    }
                }
                other => self.diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        format!(
                            "`examples` must be an array of tables or JSON file paths, found {}",
                            type_name(other)
                        ),
                    )
                    .at(Span::new(file, v.span()), "expected an array"),
                ),
            }
        }
        let mut invalid = Vec::new();
        if let Some(tables) = r.table_array(INVALID, &mut self.diags) {
            for (table, span) in tables {
                let ir = TableReader::new(
                    file,
                    table,
                    span,
                    "[[events.versions.invalid]]",
                    INVALID_KEYS,
                    &mut self.diags,
                );
                let reason = ir.required_string(REASON, &mut self.diags);
                let payload = match ir.value(PAYLOAD) {
                    Some(v) => self.payload_value(file, v, dir, "invalid payload"),
                    None => {
                        ir.missing(PAYLOAD, &mut self.diags);
                        None
                    }
                };
                if let (Some(reason), Some(doc)) = (reason, payload) {
                    let span = ir
                        .value(PAYLOAD)
                        .map_or(ir.span(), |v| Span::new(file, v.span()));
                    invalid.push((reason, PayloadDecl { doc, span }));
                }
            }
        }
        Some(VersionDecl {
            version: version?,
            schema,
            description,
            examples,
            invalid,
            span: r.span(),
        })
    }

    /// A schema or payload given inline (a TOML table) or as a JSON file's path.
    fn payload_value(
        &mut self,
        file: FileId,
        value: &Spanned<DeValue<'_>>,
        dir: &Path,
        what: &str,
    ) -> Option<DocId> {
        let span = Span::new(file, value.span());
        match value.get_ref() {
            DeValue::String(path) => {
                let path: PathBuf = dir.join(path.as_ref());
                self.json_file(&path, span)
            }
            DeValue::Table(_) => {
                let json: Value = match self.inline.remove(&value.span()) {
                    Some(json) => json,
                    None => to_json(file, value, &mut self.diags),
                };
                let path = self.sources.get(file).path().to_path_buf();
                Some(self.add_doc(Doc {
                    value: json,
                    origin: Origin::Toml(file, value.span()),
                    dir: dir.to_path_buf(),
                    file,
                    path,
                    schema_checked: false,
                    schema_errors: false,
                    meta_valid: None,
                    draft: crate::schema::dialect::Draft::Draft202012,
                    recursive: None,
                    base: None,
                    findings: None,
                    refs: None,
                }))
            }
            other => {
                self.diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        format!(
                            "a {what} must be an inline table or a JSON file's path, found {}",
                            type_name(other)
                        ),
                    )
                    .at(span, "expected a table or a path"),
                );
                None
            }
        }
    }
}
