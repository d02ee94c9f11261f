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
