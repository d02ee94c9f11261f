//! The root of the OpenAPI document: info, security scheme, shared schemas and tags. Paths and
//! their schemas are collected from the handlers by utoipa-actix-web when `app` registers them.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hokensha",
        description = "Back office of a Japanese public health insurer (国民健康保険 / 協会けんぽ): households and members, monthly claims (レセプト), the high-cost medical expense benefit (高額療養費), receivables (債権) and insurer-to-insurer adjustment (保険者間調整).\n\nAuth: `Authorization: Bearer <JWT>` (HS256). The `insurer` claim is the tenant; `scope` lists the scopes (each operation names the one it needs; `admin` grants all).\n\nErrors: `application/problem+json` (RFC 9457) with a stable `code`.\n\nLists: `?limit=` (1..500, default 50) and `?cursor=`; answers are `{items, next_cursor}`. Creating POSTs accept `Idempotency-Key`. Resources carry `version`, sent as `ETag`; a PATCH with a stale `If-Match` is 412.",
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError, crate::http::statistics::OutputFormat)),
    tags(
        (name = "households", description = "Households (世帯), members (被保険者) and tax arrears"),
        (name = "claims", description = "Monthly claims (レセプト)"),
        (name = "benefits", description = "High-cost medical expense benefit (高額療養費)"),
        (name = "payments", description = "Automatic payment after a one-time registration (自動償還): registrations, payment runs, 全銀 transfer files, notices and application forms"),
        (name = "receivables", description = "Receivables (債権): ledger, actions, collections, write-off, late charges and limitation"),
        (name = "adjustments", description = "保険者間調整: requests to the new insurer, worked by the insurer or an outsourced agency"),
        (name = "statistics", description = "Figures computed from the records at query time; JSON, or CSV with Accept: text/csv"),
        (name = "events", description = "The feed of what changed (イベント), by cursor, and signed webhook deliveries of it"),
        (name = "operations", description = "Health, readiness, metrics and audit"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some("HS256 JWT with claims sub, insurer, scope, exp, iat and optional agency".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// The document's root before paths are added.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Where the resource a creating operation answers with is read: (creating path, read path).
/// The answer's `id` fills the read path's `{id}`. It gives the `Location` header of a 201 or
/// 202 and the document's links from each create to its read.
pub const READ_AFTER_CREATE: &[(&str, &str)] = &[
    ("/v1/households", "/v1/households/{id}"),
    ("/v1/households/{id}/members", "/v1/members/{id}"),
    ("/v1/claims", "/v1/claims/{id}"),
    ("/v1/benefit-calculations", "/v1/benefit-calculations/{id}"),
    ("/v1/benefit-runs", "/v1/benefit-runs/{id}"),
    ("/v1/payment-registrations", "/v1/payment-registrations/{id}"),
    ("/v1/benefit-applications", "/v1/benefit-applications/{id}"),
    ("/v1/payment-runs", "/v1/payment-runs/{id}"),
    ("/v1/receivables", "/v1/receivables/{id}"),
    ("/v1/receivables/{id}/actions", "/v1/receivables/{id}"),
    ("/v1/receivables/{id}/collections", "/v1/receivables/{id}"),
    ("/v1/receivables/{id}/write-off", "/v1/receivables/{id}"),
    ("/v1/receivables/{id}/installment-plans", "/v1/receivables/{id}"),
    ("/v1/receivables/{id}/legal-actions", "/v1/receivables/{id}"),
    ("/v1/adjustment-requests", "/v1/adjustment-requests/{id}"),
    ("/v1/webhook-subscriptions", "/v1/webhook-subscriptions/{id}"),
];

/// The `Location` of a created resource: the read path of `create_path` (a route pattern) with
/// the answer's id.
pub fn location_of(create_path: &str, id: &str) -> Option<String> {
    READ_AFTER_CREATE
        .iter()
        .find(|(create, _)| *create == create_path)
        .map(|(_, read)| read.replace("{id}", id))
}

/// What every operation shares, added once the paths are collected: the `servers` entry, the
/// statuses any request can meet (400 unreadable query, path or body; 413 and 415 on bodies), the
/// headers the server sends (`X-Request-Id` always, `WWW-Authenticate` on 401, `ETag` with a
/// version, `Location` and `Idempotent-Replayed` on creates) and links from each create to its
/// read.
pub fn finish(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut v) = serde_json::to_value(&doc) else {
        return doc;
    };
    finish_value(&mut v);
    serde_json::from_value(v).unwrap_or(doc)
}

fn problem_response(description: &str) -> serde_json::Value {
    serde_json::json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn header(description: &str) -> serde_json::Value {
    serde_json::json!({"description": description, "schema": {"type": "string"}})
}

/// The resource kind of each event type, from the table that makes events of audited actions.
fn kind_of(t: crate::domain::event::EventType) -> Option<&'static str> {
    use crate::domain::event::{Becomes, FROM_AUDIT};
    FROM_AUDIT.iter().find_map(|(kind, _, b)| {
        let hit = match b {
            Becomes::Always(x) => *x == t,
            Becomes::ByStatus(pairs, fallback) => *fallback == t || pairs.iter().any(|(_, x)| *x == t),
        };
        hit.then_some(*kind)
    })
}

/// The event as a `oneOf` by type: one schema per event type (`ClaimCreatedEvent`, ...), each the
/// feed's event with its `type` and its resource's `kind` fixed, and a discriminator on `type`.
fn events_by_type(v: &mut serde_json::Value) {
    use crate::domain::event::EventType;
    use serde_json::json;
    let schemas = &mut v["components"]["schemas"];
    let Some(base) = schemas.get("EventView").cloned() else {
        return;
    };
    if base.get("oneOf").is_some() {
        return;
    }
    let mut refs = Vec::new();
    let mut mapping = serde_json::Map::new();
    for t in EventType::ALL {
        let name: String = t
            .as_str()
            .split(['.', '_'])
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
            })
            .collect::<String>()
            + "Event";
        let mut variant = base.clone();
        variant["description"] = json!(format!("A `{}` event.", t.as_str()));
        variant["properties"]["type"] = json!({"type": "string", "enum": [t.as_str()]});
        let mut kind = json!({"type": "string"});
        if let Some(k) = kind_of(*t) {
            kind["enum"] = json!([k]);
        }
        variant["properties"]["resource"] = json!({
            "type": "object",
            "description": "The resource the event is about.",
            "required": ["kind", "id"],
            "properties": {"kind": kind, "id": {"type": "string", "format": "uuid"}}
        });
        let reference = format!("#/components/schemas/{name}");
        refs.push(json!({"$ref": reference}));
        mapping.insert(t.as_str().to_string(), json!(reference));
        schemas[name.as_str()] = variant;
    }
    schemas["EventView"] = json!({
        "description": "One change: a `oneOf` by `type`.",
        "oneOf": refs,
        "discriminator": {"propertyName": "type", "mapping": mapping}
    });
}

fn finish_value(v: &mut serde_json::Value) {
    use serde_json::json;
    events_by_type(v);
    // What a subscription's receiver gets (OpenAPI 3.1 `webhooks`): the event as the feed shows
    // it, with the Standard Webhooks headers.
    if v["components"]["schemas"]["EventView"].is_object() {
        let header =
            |d: &str| json!({"in": "header", "required": true, "schema": {"type": "string"}, "description": d});
        let mut webhook_id = header("The event id; the same on every retry of it");
        webhook_id["name"] = json!("webhook-id");
        let mut timestamp = header("Unix seconds of this attempt");
        timestamp["name"] = json!("webhook-timestamp");
        let mut signature = header(
            "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with the subscription secret's UTF-8 bytes",
        );
        signature["name"] = json!("webhook-signature");
        v["webhooks"] = json!({
            "event": {"post": {
                "operationId": "receiveEvent",
                "summary": "A delivery to a subscription's URL",
                "description": "At least once, in order per subscription; any 2xx takes it, anything else is retried (doubling from HOKENSHA_WEBHOOK_RETRY_BASE_SECONDS, with jitter) for a day.",
                "parameters": [webhook_id, timestamp, signature],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventView"}}}},
                "responses": {"2XX": {"description": "Taken"}}
            }}
        });
    }
    v["servers"] = json!([{
        "url": "http://127.0.0.1:8080",
        "description": "The default listen address (HOKENSHA_LISTEN); a deployment serves the same paths at its own origin"
    }]);
    let versioned: std::collections::BTreeSet<String> = v["components"]["schemas"]
        .as_object()
        .map(|schemas| {
            schemas
                .iter()
                .filter(|(_, s)| s["properties"]["version"].is_object())
                .map(|(name, _)| format!("#/components/schemas/{name}"))
                .collect()
        })
        .unwrap_or_default();
    let operation_ids: std::collections::BTreeMap<String, String> = v["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .filter_map(|(p, item)| Some((p.clone(), item["get"]["operationId"].as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let Some(paths) = v["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            let has_body = op.get("requestBody").is_some();
            let idempotent = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            let read = READ_AFTER_CREATE
                .iter()
                .find(|(create, _)| method == "post" && create == path)
                .map(|(_, read)| *read);
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            if path.starts_with("/v1/") {
                responses
                    .entry("400")
                    .or_insert_with(|| problem_response("The query, path or body cannot be read"));
                if has_body {
                    responses
                        .entry("413")
                        .or_insert_with(|| problem_response("The body is larger than the server accepts"));
                    responses
                        .entry("415")
                        .or_insert_with(|| problem_response("The body is not of the declared content type"));
                }
            }
            for (status, response) in responses.iter_mut() {
                let success = status.starts_with('2');
                let schema_ref = response["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .map(str::to_owned);
                let Some(response) = response.as_object_mut() else {
                    continue;
                };
                let headers = response.entry("headers").or_insert_with(|| json!({}));
                headers["X-Request-Id"] =
                    header("The request's id (the caller's X-Request-Id, or a new one), as logged");
                if status == "401" {
                    headers["WWW-Authenticate"] =
                        header("`Bearer realm=\"hokensha\"`, with the error where the token was refused");
                }
                if success && schema_ref.is_some_and(|r| versioned.contains(&r)) {
                    headers["ETag"] = header("The resource's version, quoted; send it as If-Match on PATCH");
                }
                if success && idempotent {
                    headers["Idempotent-Replayed"] = header(
                        "`true` when this answer is the replay of an earlier request with the same Idempotency-Key",
                    );
                }
                if let Some(read) = read.filter(|_| success) {
                    headers["Location"] = header("Where the resource is read");
                    if let Some(op_id) = operation_ids.get(read) {
                        response.insert(
                            "links".into(),
                            json!({ "read": {
                                "operationId": op_id,
                                "parameters": {"id": "$response.body#/id"},
                                "description": "Read what this answer created or moved"
                            }}),
                        );
                    }
                }
            }
        }
    }
}
