//! Authentication (401), scopes (403) and tenant isolation (404).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

fn unsigned(claims: serde_json::Value, alg: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.")
}

fn hs256(claims: &serde_json::Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[actix_web::test]
async fn bad_tokens_are_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": "x", "insurer": INSURER, "scope": "admin", "exp": now + 600});
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("malformed", Some("Bearer not-a-jwt".into())),
        ("not bearer", Some("Basic dXNlcjpwYXNz".into())),
        (
            "bad signature",
            Some(format!(
                "Bearer {}",
                hs256(&claims, b"another-secret-another-secret-000000")
            )),
        ),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                hs256(
                    &json!({"sub": "x", "insurer": INSURER, "scope": "admin", "exp": now - 3600}),
                    b"test-secret-test-secret-test-secret-0123"
                )
            )),
        ),
        ("alg none", Some(format!("Bearer {}", unsigned(claims.clone(), "none")))),
        (
            "not valid yet",
            Some(format!(
                "Bearer {}",
                hs256(
                    &json!({"sub": "x", "insurer": INSURER, "scope": "admin", "exp": now + 7200, "nbf": now + 3600}),
                    b"test-secret-test-secret-test-secret-0123"
                )
            )),
        ),
        (
            "missing insurer",
            Some(format!(
                "Bearer {}",
                hs256(
                    &json!({"sub": "x", "scope": "admin", "exp": now + 600}),
                    b"test-secret-test-secret-test-secret-0123"
                )
            )),
        ),
        (
            "bad insurer",
            Some(format!(
                "Bearer {}",
                hs256(
                    &json!({"sub": "x", "insurer": "12", "scope": "admin", "exp": now + 600}),
                    b"test-secret-test-secret-test-secret-0123"
                )
            )),
        ),
        (
            "missing exp",
            Some(format!(
                "Bearer {}",
                hs256(
                    &json!({"sub": "x", "insurer": INSURER, "scope": "admin"}),
                    b"test-secret-test-secret-test-secret-0123"
                )
            )),
        ),
    ];
    for (name, header) in cases {
        let mut rb = app.client.get(app.url("/v1/households"));
        if let Some(h) = header {
            rb = rb.header("authorization", h);
        }
        let res = rb.send().await.unwrap();
        assert!(res.headers().get("www-authenticate").is_some(), "{name}");
        let p = expect_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
        assert!(p["detail"].is_string(), "{name}");
    }
    // The right secret works, so the cases above failed for their own reason.
    let good = hs256(&claims, b"test-secret-test-secret-test-secret-0123");
    expect_status(app.get("/v1/households", &good).await, StatusCode::OK).await;
}

#[actix_web::test]
async fn missing_scope_is_403() {
    let app = TestApp::spawn().await;
    let read_only = app.token("households:read");
    let res = app.post("/v1/households", &read_only, &household_body("H-1")).await;
    expect_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;
    expect_problem(
        app.get("/v1/claims", &read_only).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    expect_problem(
        app.get("/v1/audit", &read_only).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let writer = app.token("households:write households:read");
    expect_status(
        app.post("/v1/households", &writer, &household_body("H-1")).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(app.count("/v1/households").await, 1);
}

#[actix_web::test]
async fn another_insurers_data_is_invisible() {
    let app = TestApp::spawn().await;
    let h = app.household("H-1").await;
    let hid = h["id"].as_str().unwrap();
    let m = app.member(hid, "2001", "head").await;
    let mid = m["id"].as_str().unwrap();
    let c = expect_status(
        app.post("/v1/claims", &app.admin(), &claim_body("C-1", mid, 10_000, 3_000))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let cid = c["id"].as_str().unwrap();

    let other = app.token_for(OTHER_INSURER, "admin");
    for path in [
        format!("/v1/households/{hid}"),
        format!("/v1/members/{mid}"),
        format!("/v1/claims/{cid}"),
    ] {
        let res = app.get(&path, &other).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    expect_problem(
        app.patch(
            &format!("/v1/households/{hid}"),
            &other,
            &json!({"head_name": "乗っ取り"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "household_not_found",
    )
    .await;
    expect_problem(
        app.patch(&format!("/v1/members/{mid}"), &other, &json!({"name": "乗っ取り"}))
            .await,
        StatusCode::NOT_FOUND,
        "member_not_found",
    )
    .await;
    expect_problem(
        app.send(reqwest::Method::DELETE, &format!("/v1/claims/{cid}"), &other, None)
            .await,
        StatusCode::NOT_FOUND,
        "claim_not_found",
    )
    .await;
    expect_problem(
        app.send(
            reqwest::Method::PUT,
            &format!("/v1/households/{hid}/tax-arrears"),
            &other,
            Some(&json!({"amount": 1, "as_of": "2025-01-01"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "household_not_found",
    )
    .await;
    expect_problem(
        app.post(
            &format!("/v1/households/{hid}/members"),
            &other,
            &member_body("2002", "child"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "household_not_found",
    )
    .await;
    // A claim naming the other insurer's member is refused.
    let res = app
        .post("/v1/claims", &other, &claim_body("C-X", mid, 10_000, 3_000))
        .await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    for path in [
        "/v1/households",
        "/v1/claims",
        &format!("/v1/claims?household_id={hid}"),
        "/v1/audit",
    ] {
        let v = expect_status(app.get(path, &other).await, StatusCode::OK).await;
        assert_eq!(v["items"], json!([]), "{path}");
    }
    // The same number may exist at another insurer.
    expect_status(
        app.post("/v1/households", &other, &household_body("H-1")).await,
        StatusCode::CREATED,
    )
    .await;
    // And the owner's data is untouched.
    let mine = expect_status(
        app.get(&format!("/v1/households/{hid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["head_name"], "山田 太郎");
    let claim = expect_status(
        app.get(&format!("/v1/claims/{cid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(claim["status"], "active");
}

#[actix_web::test]
async fn a_token_is_good_from_its_not_before_time() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let token = hs256(
        &json!({"sub": "x", "insurer": INSURER, "scope": "admin", "exp": now + 600, "nbf": now - 5}),
        b"test-secret-test-secret-test-secret-0123",
    );
    expect_status(app.get("/v1/households", &token).await, StatusCode::OK).await;
}
