//! The committed contract is the generated one; every operation documents auth and errors.
//! `UPDATE_OPENAPI=1 cargo test --test api openapi` rewrites `openapi/openapi.json`.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[test]
fn committed_document_matches_the_code() {
    let generated = hokensha::app::openapi_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code; run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[test]
fn every_operation_documents_scope_and_errors() {
    let doc: Value = serde_json::from_str(&hokensha::app::openapi_json()).unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().get(..3), Some("3.1"));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            if path.starts_with("/v1/") {
                let scopes = &op["security"][0]["bearer"];
                assert!(
                    scopes.as_array().is_some_and(|s| s.len() == 1),
                    "{method} {path} names no scope"
                );
                for status in ["401", "403"] {
                    let r = &op["responses"][status];
                    assert!(r.is_object(), "{method} {path} does not document {status}");
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// Every `$ref` names a schema of the document (a generator skips an operation that refers to a
/// missing one).
#[test]
fn every_reference_resolves() {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x.as_str()) {
                        ("$ref", Some(r)) => out.push(r.to_string()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let doc: Value = serde_json::from_str(&hokensha::app::openapi_json()).unwrap();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is not in the document"
        );
    }
}

#[test]
fn shared_statuses_headers_servers_and_links_are_documented() {
    let doc: Value = serde_json::from_str(&hokensha::app::openapi_json()).unwrap();
    assert!(doc["servers"][0]["url"].is_string());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            if path.starts_with("/v1/") {
                assert!(responses.contains_key("400"), "{method} {path} does not document 400");
                if op.get("requestBody").is_some() {
                    for status in ["413", "415"] {
                        assert!(
                            responses.contains_key(status),
                            "{method} {path} does not document {status}"
                        );
                    }
                }
                assert!(responses["401"]["headers"]["WWW-Authenticate"].is_object());
            }
            for (status, r) in responses {
                assert!(
                    r["headers"]["X-Request-Id"].is_object(),
                    "{method} {path} {status} does not document X-Request-Id"
                );
            }
        }
    }
    for (create, read) in hokensha::openapi::READ_AFTER_CREATE {
        let post = &doc["paths"][create]["post"];
        assert!(post.is_object(), "{create} is not a POST of the document");
        let read_id = doc["paths"][read]["get"]["operationId"].as_str().unwrap();
        let (_, success) = post["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(s, _)| *s == "201" || *s == "202")
            .unwrap_or_else(|| panic!("POST {create} has no 201 or 202"));
        assert_eq!(success["links"]["read"]["operationId"], read_id, "POST {create}");
        assert!(success["headers"]["Location"].is_object(), "POST {create}");
    }
    // The webhook a receiver gets: the feed's event with the signature headers.
    let hook = &doc["webhooks"]["event"]["post"];
    assert_eq!(
        hook["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/EventView"
    );
    let names: Vec<&str> = hook["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
    let household = &doc["paths"]["/v1/households/{id}"]["get"]["responses"]["200"]["headers"];
    assert!(household["ETag"].is_object());
}

#[actix_web::test]
async fn the_document_and_the_docs_are_served() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/openapi.json")).send().await.unwrap();
    let served: Value = expect_status(res, StatusCode::OK).await;
    let generated: Value = serde_json::from_str(&hokensha::app::openapi_json()).unwrap();
    assert_eq!(served, generated);
    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirect.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers().get("location").unwrap(), "/docs/");
}

/// The event is a `oneOf` by type: one schema per type the server knows, each with its type and
/// resource kind fixed, and a discriminator mapping every type to it.
#[test]
fn the_event_schema_is_one_of_by_type() {
    let doc: Value = serde_json::from_str(&hokensha::app::openapi_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let event = &schemas["EventView"];
    let variants = event["oneOf"].as_array().unwrap();
    let mapping = event["discriminator"]["mapping"].as_object().unwrap();
    assert_eq!(event["discriminator"]["propertyName"], "type");
    assert_eq!(variants.len(), hokensha::domain::event::EventType::ALL.len());
    for t in hokensha::domain::event::EventType::ALL {
        let r = mapping[t.as_str()].as_str().unwrap();
        let v = &schemas[r.trim_start_matches("#/components/schemas/")];
        assert_eq!(v["properties"]["type"]["enum"], serde_json::json!([t.as_str()]), "{r}");
    }
    let paid = &schemas["ApplicationPaidEvent"]["properties"]["resource"]["properties"]["kind"]["enum"];
    assert_eq!(paid, &serde_json::json!(["benefit_application"]));
    let superseded = &schemas["BenefitSupersededEvent"]["properties"]["resource"]["properties"]["kind"]["enum"];
    assert_eq!(superseded, &serde_json::json!(["benefit_determination"]));
}
