//! `catalog.toml` → [`Manifest`].

use std::path::Path;

use serde_json::Value;

use super::keys::*;
use super::toml_read::{Located, TableReader, to_json};
use super::{Loader, Manifest};
use crate::catalog::model::{
    Base, CheckOptions, CodegenOptions, DateTimeRepr, KeywordOptions, SqlOptions, UuidRepr,
};
use crate::diagnostic::Diagnostic;
use crate::naming::{KeyCase, did_you_mean, is_identifier};
use crate::schema::dialect::Draft;

impl Loader {
    /// Reads the manifest; `None` when it cannot be used at all.
    pub(crate) fn read_manifest(&mut self, path: &Path) -> Option<Manifest> {
        let file = self.read_file(path, None)?;
        let text = self.sources.get(file).shared_text();
        let doc = self.parse_toml(file, &text)?;
        let diags = &mut self.diags;
        let top = TableReader::new(
            file,
            doc.get_ref(),
            doc.span(),
            "catalog.toml",
            MANIFEST_KEYS,
            diags,
        );
        let name = top.required_string(NAME, diags);
        if let Some(name) = &name
            && name.trim().is_empty()
        {
            diags.push(Diagnostic::error("empty", "the catalog `name` is empty").at(name.span, ""));
        }
        let key_case = top.string(KEY_CASE, diags).and_then(|v| {
            let found = KeyCase::ALL
                .iter()
                .find(|(s, _)| *s == v.value)
                .map(|(_, k)| *k);
            if found.is_none() {
                diags.push(one_of_error(
                    KEY_CASE,
                    &v,
                    KeyCase::ALL.iter().map(|(s, _)| *s),
                ));
            }
            found
        });

        let mut base = Base::default();
        if let Some((table, span)) = top.table(BASE, diags) {
            let r = TableReader::new(file, table, span, "[base]", BASE_KEYS, diags);
            let required = r.string_array(REQUIRED, diags).unwrap_or_default();
            if let Some(props) = r.value(PROPERTIES) {
                let value = to_json(file, props, diags);
                match value {
                    Value::Object(map) => base.properties = map,
                    _ => diags.push(
                        Diagnostic::error(
                            "wrong-type",
                            "`base.properties` must be a table of schemas",
                        )
                        .at(super::Span::new(file, props.span()), "expected a table"),
                    ),
                }
                let origin = super::Origin::Toml(file, props.span());
                let doc = self.add_doc(super::Doc {
                    value: Value::Object(base.properties.clone()),
                    origin,
                    dir: self.root.clone(),
                    file,
                    path: path.to_path_buf(),
                    schema_checked: false,
                    schema_errors: false,
                    meta_valid: None,
                    draft: crate::schema::dialect::Draft::Draft202012,
                    recursive: None,
                    base: None,
                    findings: None,
                    refs: None,
                });
                self.base_doc = Some(doc);
            }
            let diags = &mut self.diags;
            for req in &required {
                if !base.properties.contains_key(&req.value) {
                    let mut d = Diagnostic::error(
                        "base-field",
                        format!(
                            "base field `{}` is required but not declared in [base.properties]",
                            req.value
                        ),
                    )
                    .at(req.span, "not a base property");
                    if let Some(close) =
                        did_you_mean(&req.value, base.properties.keys().map(String::as_str))
                    {
                        d = d.with_help(format!("did you mean `{close}`?"));
                    }
                    diags.push(d);
                }
            }
            base.required = required.into_iter().map(|r| r.value).collect();
        }
        let diags = &mut self.diags;

        let mut definition_files = Vec::new();
        if let Some((table, span)) = top.table(DEFINITIONS, diags) {
            let r = TableReader::new(file, table, span, "[definitions]", DEFINITIONS_KEYS, diags);
            definition_files = r.string_array(FILES, diags).unwrap_or_default();
            self.definition_refs = definition_files
                .iter()
                .map(|f| (self.root.join(&f.value), f.span))
                .collect();
        }

        let mut codegen = CodegenOptions::default();
        if let Some((table, span)) = top.table(CODEGEN, diags) {
            let r = TableReader::new(file, table, span, "[codegen]", CODEGEN_KEYS, diags);
            if let Some(v) = r.string(UUID, diags) {
                match v.as_str() {
                    "uuid" => codegen.uuid = UuidRepr::Uuid,
                    "string" => codegen.uuid = UuidRepr::String,
                    _ => diags.push(one_of_error(UUID, &v, ["uuid", "string"])),
                }
            }
            if let Some(v) = r.string(DATE_TIME, diags) {
                match v.as_str() {
                    "chrono" => codegen.date_time = DateTimeRepr::Chrono,
                    "time" => codegen.date_time = DateTimeRepr::Time,
                    "string" => codegen.date_time = DateTimeRepr::String,
                    _ => diags.push(one_of_error(DATE_TIME, &v, ["chrono", "time", "string"])),
                }
            }
            if let Some((table, span)) = r.table(RENAME, diags) {
                let names = TableReader::any_keys(file, table, span, "[codegen.rename]");
                for key in names.keys() {
                    let Some(name) = names.string(key, diags) else {
                        continue;
                    };
                    let (ty, property) = match key.split_once('.') {
                        Some((ty, property)) => (ty, Some(property)),
                        None => (key, None),
                    };
                    if !is_identifier(ty) || property == Some("") {
                        diags.push(
                            Diagnostic::error(
                                "invalid-rust-name",
                                format!("`{key}` names no generated type or field"),
                            )
                            .at(name.span, "renamed here")
                            .with_help("write `\"Type\" = \"NewName\"` or `\"Type.property\" = \"field_name\"`, with the type's name in the generated module"),
                        );
                    } else if !is_identifier(&name.value) {
                        diags.push(invalid_rust_name(&name.value).at(name.span, ""));
                    } else {
                        codegen.rename.insert(key.to_owned(), name.value);
                    }
                }
            }
        }

        let mut sql = SqlOptions::default();
        if let Some((table, span)) = top.table(SQL, diags) {
            let r = TableReader::new(file, table, span, "[sql]", SQL_KEYS, diags);
            for (key, slot) in [
                (TABLE, &mut sql.table),
                (SCHEMA_TABLE, &mut sql.schema_table),
            ] {
                if let Some(v) = r.string(key, diags) {
                    if crate::sql::is_identifier(&v) {
                        *slot = v.value;
                    } else {
                        diags.push(
                            Diagnostic::error("sql-name", format!("`{}` is not a valid SQL table name", v.value))
                                .at(v.span, "")
                                .with_help("use letters, digits and `_`, optionally `schema.table`, starting with a letter"),
                        );
                    }
                }
            }
        }

        let mut checks = CheckOptions::default();
        if let Some((table, span)) = top.table(CHECKS, diags) {
            let r = TableReader::new(file, table, span, "[checks]", CHECKS_KEYS, diags);
            if let Some(v) = r.bool(REQUIRE_EXAMPLES, diags) {
                checks.require_examples = v.value;
            }
            if let Some(mode) = compatibility(&r, diags) {
                checks.compatibility = mode.value;
            }
        }

        let mut keywords = KeywordOptions::default();
        if let Some((table, span)) = top.table(SCHEMA_TABLE_KEY, diags) {
            let r = TableReader::new(file, table, span, "[schema]", SCHEMA_KEYS, diags);
            if let Some(v) = r.string(DRAFT, diags) {
                match Draft::from_name(&v.value) {
                    Some(draft) => keywords.default_draft = draft,
                    None => diags.push(one_of_error(
                        DRAFT,
                        &v,
                        ["draft-04", "draft-06", "draft-07", "2019-09", "2020-12"],
                    )),
                }
            }
            for name in r.string_array(ANNOTATIONS, diags).unwrap_or_default() {
                if crate::schema::keywords::keyword(&name.value).is_some() {
                    diags.push(
                        Diagnostic::error(
                            "invalid-value",
                            format!(
                                "`{}` is a JSON Schema keyword, not one of your own",
                                name.value
                            ),
                        )
                        .at(name.span, "")
                        .with_help("list only keywords of your own (vendor keywords) here"),
                    );
                } else {
                    keywords.annotations.push(name.value);
                }
            }
            for folder in r.string_array(FOLDERS, diags).unwrap_or_default() {
                let path = self.root.join(&folder.value);
                if path.is_dir() {
                    keywords.folders.push(path);
                } else {
                    diags.push(
                        Diagnostic::error(
                            "invalid-value",
                            format!("`{}` is not a folder", path.display()),
                        )
                        .at(folder.span, "named here"),
                    );
                }
            }
            if let Some(v) = r.string(UNKNOWN_KEYWORDS, diags) {
                match v.as_str() {
                    "error" => keywords.unknown_is_warning = false,
                    "warning" => keywords.unknown_is_warning = true,
                    _ => diags.push(one_of_error(UNKNOWN_KEYWORDS, &v, ["error", "warning"])),
                }
            }
        }

        let root = self.root.clone();
        Some(Manifest {
            name: name?.value,
            key_case,
            base,
            definition_files: definition_files
                .into_iter()
                .map(|f| root.join(f.value))
                .collect(),
            codegen,
            sql,
            checks,
            keywords,
        })
    }
}

/// An error for a string value outside its allowed set.
/// A `compatibility = "…"` key of a table, checked against the modes.
pub(crate) fn compatibility(
    r: &TableReader<'_, '_>,
    diags: &mut crate::diagnostic::Diagnostics,
) -> Option<Located<crate::compat::Mode>> {
    let v = r.string(COMPATIBILITY, diags)?;
    match crate::compat::Mode::from_name(&v.value) {
        Some(mode) => Some(Located::new(mode, v.span)),
        None => {
            diags.push(one_of_error(
                COMPATIBILITY,
                &v,
                crate::compat::Mode::NAMES.iter().copied(),
            ));
            None
        }
    }
}

pub(crate) fn one_of_error<'a>(
    key: &str,
    value: &Located<String>,
    allowed: impl IntoIterator<Item = &'a str> + Clone,
) -> Diagnostic {
    let list: Vec<&str> = allowed.clone().into_iter().collect();
    let mut d = Diagnostic::error(
        "invalid-value",
        format!(
            "`{key}` must be one of {}, found `{}`",
            quote_list(&list),
            value.value
        ),
    )
    .at(value.span, "not an allowed value");
    if let Some(close) = did_you_mean(&value.value, allowed) {
        d = d.with_help(format!("did you mean `{close}`?"));
    }
    d
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name given for generated Rust code that Rust cannot take.
pub(crate) fn invalid_rust_name(name: &str) -> Diagnostic {
    Diagnostic::error(
        "invalid-rust-name",
        format!("`{name}` is not a Rust identifier"),
    )
    .with_help(
        "use ASCII letters, digits and `_`, not starting with a digit, and not a Rust keyword",
    )
}
