//! `evreg serve`: the catalog over HTTP as a Confluent-compatible schema
//! registry, read-only (docs/serve.md).

pub mod model;

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use model::{Registry, Version, candidate, confluent_mode, incompatibilities, same};

/// The media type of Confluent's API.
const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// The registry being served: the catalog as last loaded without errors,
/// replaced whole on reload (`--watch`) while requests read the one they got.
pub struct Served {
    current: RwLock<Arc<Registry>>,
}

impl Served {
    /// Serves `registry`.
    pub fn new(registry: Registry) -> Served {
        Served {
            current: RwLock::new(Arc::new(registry)),
        }
    }

    /// The registry requests are answered from now.
    pub fn current(&self) -> Arc<Registry> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Answers from `registry` from now on.
    pub fn replace(&self, registry: Registry) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(registry);
    }

    /// Builds the current registry's payload validators on a blocking
    /// thread, so that the first `/v1/validate` finds them ready; the rest
    /// of the API answers meanwhile.
    pub fn warm(&self) {
        let registry = self.current();
        tokio::task::spawn_blocking(move || {
            registry.payloads();
        });
    }
}

/// The registry of the request: [`Served::current`] when it came in.
struct Current(Arc<Registry>);

impl FromRequestParts<Arc<Served>> for Current {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        _: &mut axum::http::request::Parts,
        served: &Arc<Served>,
    ) -> Result<Current, Self::Rejection> {
        Ok(Current(served.current()))
    }
}

/// The router of the registry API and the catalog site over `served`;
/// `log` writes a line per request to standard error. Bodies are gzipped
/// for clients that accept it.
pub fn router(served: Arc<Served>, log: bool) -> Router {
    let router = api(served)
        .layer(axum::middleware::from_fn(etags))
        .layer(tower_http::compression::CompressionLayer::new());
    if log {
        router.layer(axum::middleware::from_fn(request_log))
    } else {
        router
    }
}

/// One line per request on standard error: method, path, status, time.
async fn request_log(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let response = next.run(request).await;
    eprintln!(
        "{method} {target} {} {:.1} ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// An `ETag` on every successful `GET` (a digest of the body), and `304 Not
/// Modified` when the client already holds it; `Cache-Control: no-cache`,
/// so that clients ask again, cheaply, after the catalog changed. The tag
/// is weak (`W/"…"`): the body may travel gzipped or not, the same content
/// either way.
async fn etags(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use sha2::Digest;
    let get = request.method() == axum::http::Method::GET;
    let held = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if !get || response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let digest = sha2::Sha256::digest(&bytes);
    let tag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let opaque = format!("\"{tag}\"");
    let value = header::HeaderValue::from_str(&format!("W/{opaque}"))
        .expect("hex digits are a header value");
    parts.headers.insert(header::ETAG, value);
    parts.headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    // Weak comparison (RFC 9110, 13.1.2): the tags without their `W/`.
    if held.is_some_and(|h| {
        h.as_bytes().split(|b| *b == b',').any(|t| {
            let t = t.trim_ascii();
            t == b"*" || t.strip_prefix(b"W/").unwrap_or(t) == opaque.as_bytes()
        })
    }) {
        parts.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn api(served: Arc<Served>) -> Router {
    Router::new()
        .route("/", get(site_index))
        .route("/index.html", get(site_index))
        .route("/{folder}/{file}", get(site_page))
        .route("/subjects", get(subjects))
        .route("/subjects/{subject}", post(lookup).delete(read_only))
        .route(
            "/subjects/{subject}/versions",
            get(versions).post(read_only),
        )
        .route(
            "/subjects/{subject}/versions/{version}",
            get(version).delete(read_only),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(raw_schema),
        )
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route("/schemas/ids/{id}/versions", get(id_versions))
        .route("/schemas/ids/{id}/subjects", get(id_subjects))
        .route("/schemas/types", get(|| async { ok(json!(["JSON"])) }))
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(compatibility_with),
        )
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(compatibility_with_all),
        )
        .route("/config", get(config).put(read_only))
        .route("/config/{subject}", get(subject_config).put(read_only))
        .route(
            "/mode",
            get(|| async { ok(json!({"mode": "READONLY"})) }).put(read_only),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/v1/events", get(events))
        .route("/v1/events/{event}", get(event))
        .route("/v1/refs/{schema_ref}", get(schema_ref))
        .route("/v1/validate", post(validate))
        .with_state(served)
}

/// A reply in Confluent's media type.
fn ok(body: Value) -> Response {
    reply(StatusCode::OK, body)
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, MEDIA_TYPE)],
        body.to_string(),
    )
        .into_response()
}

/// An answer in Confluent's error form: `{"error_code", "message"}`, with
/// its HTTP status.
struct ApiError {
    status: StatusCode,
    code: u32,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        reply(
            self.status,
            json!({"error_code": self.code, "message": self.message}),
        )
    }
}

fn error(status: StatusCode, code: u32, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code,
        message: message.into(),
    }
}

fn no_subject(subject: &str) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        40401,
        format!("Subject '{subject}' not found."),
    )
}

async fn read_only() -> ApiError {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        42205,
        "This registry is read-only: the catalog in git is the source of truth. \
         Add or change a version in the catalog, and serve it again.",
    )
}

async fn subjects(Current(registry): Current) -> Response {
    ok(json!(registry.subjects.keys().collect::<Vec<_>>()))
}

async fn versions(Current(registry): Current, Path(subject): Path<String>) -> Response {
    match registry.subjects.get(&subject) {
        Some(s) => ok(json!(
            s.versions.iter().map(|v| v.version).collect::<Vec<_>>()
        )),
        None => no_subject(&subject).into_response(),
    }
}

/// The version `version` (`latest`, `-1` or a number) of `subject`.
fn find<'r>(registry: &'r Registry, subject: &str, version: &str) -> Result<&'r Version, ApiError> {
    let s = registry
        .subjects
        .get(subject)
        .ok_or_else(|| no_subject(subject))?;
    let found = match version {
        "latest" | "-1" => s.versions.last(),
        n => match n.parse::<u32>() {
            Ok(n) if n > 0 => s.versions.iter().find(|v| v.version == n),
            _ => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    42202,
                    format!(
                        "The specified version '{version}' is not a valid version id. \
                         Allowed values are between [1, 2^31-1] and the string \"latest\""
                    ),
                ));
            }
        },
    };
    found.ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            40402,
            format!("Version {version} not found."),
        )
    })
}

fn registered(subject: &str, v: &Version) -> Value {
    json!({
        "subject": subject,
        "id": v.id,
        "version": v.version,
        "schemaType": "JSON",
        "schema": v.text,
    })
}

async fn version(
    Current(registry): Current,
    Path((subject, version)): Path<(String, String)>,
) -> Response {
    match find(&registry, &subject, &version) {
        Ok(v) => ok(registered(&subject, v)),
        Err(e) => e.into_response(),
    }
}

async fn raw_schema(
    Current(registry): Current,
    Path((subject, version)): Path<(String, String)>,
) -> Response {
    match find(&registry, &subject, &version) {
        Ok(v) => ok(v.schema.clone()),
        Err(e) => e.into_response(),
    }
}

fn no_schema(id: &str) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        40403,
        format!("Schema {id} not found"),
    )
}

async fn schema_by_id(Current(registry): Current, Path(id): Path<String>) -> Response {
    match id.parse().ok().and_then(|n| registry.by_id(n)) {
        Some((_, v)) => ok(json!({"schemaType": "JSON", "schema": v.text})),
        None => no_schema(&id).into_response(),
    }
}

async fn id_versions(Current(registry): Current, Path(id): Path<String>) -> Response {
    match id.parse().ok().and_then(|n| registry.by_id(n)) {
        Some((subject, v)) => ok(json!([{"subject": subject, "version": v.version}])),
        None => no_schema(&id).into_response(),
    }
}

async fn id_subjects(Current(registry): Current, Path(id): Path<String>) -> Response {
    match id.parse().ok().and_then(|n| registry.by_id(n)) {
        Some((subject, _)) => ok(json!([subject])),
        None => no_schema(&id).into_response(),
    }
}

/// A schema as clients send it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    schema: String,
    #[serde(default)]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<Value>,
}

/// The candidate's schema, or Confluent's error for one evreg cannot read.
fn read_candidate(body: &str) -> Result<Value, ApiError> {
    let invalid = |message: String| error(StatusCode::UNPROCESSABLE_ENTITY, 42201, message);
    let c: Candidate =
        serde_json::from_str(body).map_err(|e| invalid(format!("Invalid request: {e}")))?;
    if c.schema_type.as_deref().is_some_and(|t| t != "JSON") {
        return Err(invalid(format!(
            "Invalid schema type {}: this registry holds JSON schemas",
            c.schema_type.unwrap_or_default()
        )));
    }
    if !c.references.is_empty() {
        return Err(invalid(
            "Invalid schema: references are not supported; send the schema bundled".to_owned(),
        ));
    }
    candidate(&c.schema).map_err(|m| invalid(format!("Invalid schema: {m}")))
}

/// `POST /subjects/{subject}`: the version of `subject` whose schema is the
/// candidate.
async fn lookup(Current(registry): Current, Path(subject): Path<String>, body: String) -> Response {
    let Some(s) = registry.subjects.get(&subject) else {
        return no_subject(&subject).into_response();
    };
    let schema = match read_candidate(&body) {
        Ok(schema) => schema,
        Err(e) => return e.into_response(),
    };
    match s.versions.iter().find(|v| same(&v.schema, &schema)) {
        Some(v) => ok(registered(&subject, v)),
        None => error(StatusCode::NOT_FOUND, 40403, "Schema not found").into_response(),
    }
}

/// `?verbose=…`, as clients spell it (`true`, `True`).
#[derive(Deserialize)]
struct Verbose {
    #[serde(default)]
    verbose: Option<String>,
}

/// A query flag as clients spell it: `true`, `True`, `1`.
fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn compatibility(
    registry: &Registry,
    subject: &str,
    against: &[&Version],
    body: &str,
    verbose: bool,
) -> Response {
    let mode = registry.subjects[subject].mode;
    let schema = match read_candidate(body) {
        Ok(schema) => schema,
        Err(e) => return e.into_response(),
    };
    let messages: Vec<String> = against
        .iter()
        .flat_map(|v| {
            incompatibilities(mode, &v.schema, &schema)
                .into_iter()
                .map(move |m| format!("version {}: {m}", v.version))
        })
        .collect();
    let mut body = json!({"is_compatible": messages.is_empty()});
    if verbose || !messages.is_empty() {
        body["messages"] = json!(messages);
    }
    ok(body)
}

async fn compatibility_with(
    Current(registry): Current,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Query<Verbose>,
    body: String,
) -> Response {
    match find(&registry, &subject, &version) {
        Ok(v) => compatibility(&registry, &subject, &[v], &body, flag(q.verbose.as_deref())),
        Err(e) => e.into_response(),
    }
}

/// Against every version a transitive mode names, or the latest.
async fn compatibility_with_all(
    Current(registry): Current,
    Path(subject): Path<String>,
    Query(q): Query<Verbose>,
    body: String,
) -> Response {
    let Some(s) = registry.subjects.get(&subject) else {
        return no_subject(&subject).into_response();
    };
    let against: Vec<&Version> = if s.mode.transitive() {
        s.versions.iter().collect()
    } else {
        s.versions.last().into_iter().collect()
    };
    compatibility(
        &registry,
        &subject,
        &against,
        &body,
        flag(q.verbose.as_deref()),
    )
}

async fn config(Current(registry): Current) -> Response {
    ok(json!({"compatibilityLevel": confluent_mode(registry.mode)}))
}

async fn subject_config(Current(registry): Current, Path(subject): Path<String>) -> Response {
    match registry.subjects.get(&subject) {
        Some(s) => ok(json!({"compatibilityLevel": confluent_mode(s.mode)})),
        None => no_subject(&subject).into_response(),
    }
}

// The catalog site: the pages `evreg docs` writes, the same bytes.

async fn site_index(Current(registry): Current) -> Response {
    site(&registry, "index.html")
}

async fn site_page(
    Current(registry): Current,
    Path((folder, file)): Path<(String, String)>,
) -> Response {
    site(&registry, &format!("{folder}/{file}"))
}

fn site(registry: &Registry, path: &str) -> Response {
    let site = crate::site::Site::new(&registry.catalog, &registry.site);
    match site.page(path) {
        Some(page) => ([(header::CONTENT_TYPE, page.content_type)], page.body).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no page `/{path}` in the catalog site\n"),
        )
            .into_response(),
    }
}

// evreg's own endpoints: the catalog as `evreg list` and `evreg show` give
// it, in JSON.

fn json_reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn events(Current(registry): Current) -> Response {
    let rows: Vec<Value> = registry
        .catalog
        .events()
        .iter()
        .map(crate::cmd::list::row)
        .collect();
    json_reply(StatusCode::OK, json!(rows))
}

/// `/v1/events/{type}`: by type or alias, every version.
async fn event(Current(registry): Current, Path(name): Path<String>) -> Response {
    match registry.catalog.event(&name) {
        Some(e) => {
            let versions: Vec<&evreg_core::PayloadVersion> = e.versions.iter().collect();
            json_reply(StatusCode::OK, crate::cmd::show::document(e, &versions))
        }
        None => json_reply(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no event `{name}` in the catalog")}),
        ),
    }
}

/// `/v1/refs/{ref}`: the bundled schema of a payload version.
async fn schema_ref(Current(registry): Current, Path(r): Path<String>) -> Response {
    match registry.catalog.version_by_ref(&r) {
        Some((_, v)) => json_reply(StatusCode::OK, v.schema.clone()),
        None => json_reply(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no payload version `{r}` in the catalog")}),
        ),
    }
}

/// `POST /v1/validate`'s query: `evreg validate`'s options.
#[derive(Deserialize)]
struct ValidateQuery {
    #[serde(rename = "ref")]
    schema_ref: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    version: Option<u32>,
    #[serde(default)]
    deny_deprecated: Option<String>,
}

/// `POST /v1/validate`: the body's items (one JSON document, or NDJSON), the
/// report of `evreg validate --format json`; 200 when `ok`, else 422.
async fn validate(
    Current(registry): Current,
    Query(q): Query<ValidateQuery>,
    body: String,
) -> Response {
    let options = crate::cmd::validate::Options {
        schema_ref: q.schema_ref,
        event_type: q.event_type,
        version: q.version,
        deny_deprecated: flag(q.deny_deprecated.as_deref()),
    };
    let validator = crate::cmd::validate::Validator::with_registry(
        &registry.catalog,
        registry.payloads().clone(),
        options,
    );
    let report = validator.report("-", &body);
    let status = if report["ok"] == Value::Bool(true) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    json_reply(status, report)
}
