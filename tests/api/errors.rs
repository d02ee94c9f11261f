//! Bad input on every write answers problem+json 4xx and leaves the database as it was.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

struct Case {
    name: &'static str,
    body: Body,
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
}

enum Body {
    Raw(&'static str, &'static str),
    Json(Value),
}

fn json_case(name: &'static str, body: Value, field: &'static str) -> Case {
    Case {
        name,
        body: Body::Json(body),
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        field: Some(field),
    }
}

fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut v = base.clone();
    v[key] = value;
    v
}

fn common_cases() -> Vec<Case> {
    vec![
        Case {
            name: "malformed",
            body: Body::Raw("application/json", "{,}"),
            status: StatusCode::BAD_REQUEST,
            code: "malformed_json",
            field: None,
        },
        Case {
            name: "empty",
            body: Body::Raw("application/json", ""),
            status: StatusCode::BAD_REQUEST,
            code: "malformed_json",
            field: None,
        },
        Case {
            name: "not json",
            body: Body::Raw("text/plain", "hello"),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            field: None,
        },
        Case {
            name: "array",
            body: Body::Json(json!([1, 2])),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            field: None,
        },
    ]
}

async fn run(app: &TestApp, method: Method, path: &str, cases: Vec<Case>) {
    for c in cases {
        let res = match &c.body {
            Body::Raw(ct, text) => app.raw(method.clone(), path, &app.admin(), ct, *text).await,
            Body::Json(v) => app.send(method.clone(), path, &app.admin(), Some(v)).await,
        };
        let got = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = res.text().await.unwrap();
        assert_eq!(got, c.status, "{} {path} [{}]: {text}", method, c.name);
        assert_eq!(ct, "application/problem+json", "{} [{}]", path, c.name);
        let p: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(p["code"], c.code, "{path} [{}]: {text}", c.name);
        if let Some(field) = c.field {
            let fields: Vec<&str> = p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(
                fields.contains(&field),
                "{path} [{}]: expected field {field} in {fields:?}",
                c.name
            );
        }
    }
}

#[actix_web::test]
async fn bad_input_on_every_write_changes_nothing() {
    let app = TestApp::spawn().await;
    let h = app.household("H-1").await;
    let hid = h["id"].as_str().unwrap().to_string();
    let m = app.member(&hid, "3001", "head").await;
    let mid = m["id"].as_str().unwrap().to_string();
    let audit_before = app.count("/v1/audit").await;

    let hb = household_body("H-2");
    let mut cases = common_cases();
    cases.extend([
        json_case(
            "unknown field",
            with(&hb, "househld_number", json!("x")),
            "househld_number",
        ),
        json_case(
            "nested unknown field",
            with(
                &hb,
                "address",
                json!({"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "line": "1", "zip": 1}),
            ),
            "address.zip",
        ),
        json_case(
            "wrong type",
            with(&hb, "household_number", json!(12)),
            "household_number",
        ),
        json_case("missing field", json!({"household_number": "H-2"}), "head_name"),
        json_case(
            "bad postal code",
            with(
                &hb,
                "address",
                json!({"postal_code": "12", "prefecture": "東京都", "city": "千代田区", "line": "1"}),
            ),
            "address.postal_code",
        ),
        json_case(
            "bad category",
            with(
                &hb,
                "income_categories",
                json!([{"valid_from": "2025-08-01", "under70": "z"}]),
            ),
            "income_categories[0].under70",
        ),
        json_case(
            "bad date",
            with(
                &hb,
                "income_categories",
                json!([{"valid_from": "2025-02-30", "under70": "u"}]),
            ),
            "income_categories[0].valid_from",
        ),
        json_case(
            "overlapping periods",
            with(
                &hb,
                "income_categories",
                json!([{"valid_from": "2025-08-01", "under70": "u"}, {"valid_from": "2026-08-01", "under70": "e"}]),
            ),
            "income_categories[1]",
        ),
        json_case("blank name", with(&hb, "head_name", json!("  ")), "head_name"),
    ]);
    run(&app, Method::POST, "/v1/households", cases).await;

    let mut cases = common_cases();
    cases.extend([
        json_case("unknown field", json!({"head_nmae": "x"}), "head_nmae"),
        json_case("bad phone", json!({"phone": "12"}), "phone"),
        json_case("wrong type", json!({"income_categories": "u"}), "income_categories"),
    ]);
    run(&app, Method::PATCH, &format!("/v1/households/{hid}"), cases).await;

    let mb = member_body("3002", "child");
    let mut cases = common_cases();
    cases.extend([
        json_case(
            "kana in hiragana",
            with(&mb, "name_kana", json!("やまだ はなこ")),
            "name_kana",
        ),
        json_case("half-width kana", with(&mb, "name_kana", json!("ﾔﾏﾀﾞ")), "name_kana"),
        json_case(
            "bad insured number",
            with(
                &mb,
                "insured_number",
                json!({"symbol": "1", "number": "12a", "branch": "0"}),
            ),
            "insured_number.number",
        ),
        json_case("bad sex", with(&mb, "sex", json!("x")), "sex"),
        json_case(
            "lost before acquired",
            with(&mb, "lost_on", json!("2019-01-01")),
            "lost_on",
        ),
        json_case(
            "acquired before birth",
            with(&mb, "acquired_on", json!("1980-01-01")),
            "acquired_on",
        ),
        json_case("bad date", with(&mb, "birth_date", json!("1985-13-01")), "birth_date"),
        json_case(
            "unborn",
            with(
                &with(&mb, "birth_date", json!("2999-01-01")),
                "acquired_on",
                json!("2999-01-01"),
            ),
            "birth_date",
        ),
    ]);
    run(&app, Method::POST, &format!("/v1/households/{hid}/members"), cases).await;

    let mut cases = common_cases();
    cases.extend([
        json_case("lost before acquired", json!({"lost_on": "2000-01-01"}), "lost_on"),
        json_case("unknown", json!({"nickname": "x"}), "nickname"),
    ]);
    run(&app, Method::PATCH, &format!("/v1/members/{mid}"), cases).await;

    let mut cases = common_cases();
    cases.extend([
        json_case(
            "fractional yen",
            json!({"amount": 100.5, "as_of": "2025-10-01"}),
            "amount",
        ),
        json_case("negative", json!({"amount": -1, "as_of": "2025-10-01"}), "amount"),
        json_case("bad date", json!({"amount": 1, "as_of": "2025-10-32"}), "as_of"),
    ]);
    run(&app, Method::PUT, &format!("/v1/households/{hid}/tax-arrears"), cases).await;

    let cb = claim_body("C-1", &mid, 100_000, 30_000);
    let mut cases = common_cases();
    cases.extend([
        json_case("fractional yen", with(&cb, "total_cost", json!(100000.5)), "total_cost"),
        json_case("yen as string", with(&cb, "copayment", json!("30000")), "copayment"),
        json_case("negative", with(&cb, "copayment", json!(-1)), "copayment"),
        json_case("copayment above total", with(&cb, "copayment", json!(100_001)), "copayment"),
        json_case("bad month", with(&cb, "service_month", json!("2025-9")), "service_month"),
        json_case("service date outside month", with(&cb, "first_service_on", json!("2025-10-01")), "first_service_on"),
        json_case("provider code", with(&cb, "provider", json!({"code": "123", "name": "x"})), "provider.code"),
        json_case("pharmacy without prescriber", with(&cb, "kind", json!("pharmacy")), "prescribing_provider_code"),
        json_case("unknown kind", with(&cb, "kind", json!("surgery")), "kind"),
        json_case("unknown member", with(&cb, "member_id", json!("00000000-0000-7000-8000-000000000000")), "member_id"),
        json_case("no member", json!({"claim_number": "C-1", "service_month": "2025-09", "provider": {"code": "1312345678", "name": "x"}, "kind": "medical", "setting": "outpatient", "total_cost": 1, "copayment": 0}), "member_id"),
    ]);
    run(&app, Method::POST, "/v1/claims", cases).await;

    // Nothing was written by any of it.
    assert_eq!(app.count("/v1/households").await, 1);
    assert_eq!(app.count("/v1/claims").await, 0);
    assert_eq!(app.count("/v1/audit").await, audit_before);
    let h2 = expect_status(
        app.get(&format!("/v1/households/{hid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(h2["version"], 1);
    assert!(h2["tax_arrears"].is_null());
    assert_eq!(h2["members"].as_array().unwrap().len(), 1);
    assert_eq!(h2["members"][0]["version"], 1);
}

#[actix_web::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::spawn_with(1024).await;
    let mut big = household_body("H-1");
    big["head_name"] = json!("x".repeat(2000));
    let res = app.post("/v1/households", &app.admin(), &big).await;
    expect_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Chunked, without a Content-Length.
    let chunks: Vec<Result<String, std::io::Error>> = (0..20).map(|_| Ok("x".repeat(100))).collect();
    let res = app
        .client
        .post(app.url("/v1/households"))
        .bearer_auth(app.admin())
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(app.count("/v1/households").await, 0);
}

#[actix_web::test]
async fn routing_and_query_failures_are_problems() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    expect_problem(
        app.get("/v1/nothing-here", &admin).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    let res = app.send(Method::PUT, "/v1/households", &admin, None).await;
    assert_eq!(res.headers().get("allow").unwrap(), "GET, POST");
    expect_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let res = app.send(Method::DELETE, "/v1/households/abc", &admin, None).await;
    expect_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    expect_problem(
        app.get("/v1/households?limit=abc", &admin).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    expect_problem(
        app.get("/v1/households?househld_number=1", &admin).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    expect_problem(
        app.get("/v1/households?limit=0", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.get("/v1/households?limit=501", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.get("/v1/households?cursor=zzz", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.get("/v1/claims?service_month=2025-13", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.get("/v1/households/not-an-id", &admin).await,
        StatusCode::NOT_FOUND,
        "household_not_found",
    )
    .await;
    let bad_key = app
        .client
        .post(app.url("/v1/households"))
        .bearer_auth(&admin)
        .header("idempotency-key", "")
        .json(&household_body("H-1"))
        .send()
        .await
        .unwrap();
    expect_problem(bad_key, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
}

#[actix_web::test]
async fn ids_that_cannot_be_ids_name_no_resource() {
    let app = TestApp::spawn().await;
    let token = app.admin();
    for (path, code) in [
        ("/v1/households/not-an-id", "household_not_found"),
        ("/v1/members/0192f3a4-5b6c", "member_not_found"),
        ("/v1/claims/%27%3B%20DROP%20TABLE%20claims", "claim_not_found"),
        ("/v1/benefit-calculations/%E2%80%AE", "determination_not_found"),
        ("/v1/benefit-runs/a%2Fb", "benefit_run_not_found"),
        ("/v1/payment-runs/x/payments", "payment_run_not_found"),
        ("/v1/payments/1e400/notice", "payment_not_found"),
        ("/v1/payment-registrations/%00", "registration_not_found"),
        ("/v1/receivables/-1/late-charge", "receivable_not_found"),
        ("/v1/adjustment-requests/%7B%7D", "adjustment_request_not_found"),
    ] {
        let res = app.get(path, &token).await;
        expect_problem(res, StatusCode::NOT_FOUND, code).await;
    }
    let res = app
        .post(
            "/v1/card-recoveries/zzz/events",
            &token,
            &json!({"kind": "first_notice", "on": "2025-01-10"}),
        )
        .await;
    expect_problem(res, StatusCode::NOT_FOUND, "card_recovery_not_found").await;
}

#[actix_web::test]
async fn control_characters_are_refused_before_they_reach_the_database() {
    let app = TestApp::spawn().await;
    let token = app.admin();
    let body = json!({
        "kind": "damages", "debtor": {"kind": "person", "name": "A\u{0}B"},
        "assessed_on": "2025-04-01", "amount": 1000, "due_on": "2025-04-30"
    });
    let p = expect_problem(
        app.post("/v1/receivables", &token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "debtor.name");
    assert_eq!(app.count("/v1/receivables").await, 0, "nothing stored");
    for path in [
        "/v1/households?household_number=%00",
        "/v1/claims?service_month=2025-04%00",
        "/v1/receivables?status=open%7F",
        "/v1/audit?resource_id=%01",
    ] {
        let p = expect_problem(
            app.get(path, &token).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(
            p["errors"][0]["message"].as_str().unwrap().contains("control"),
            "{path}: {p}"
        );
    }
    // An import line with one is reported and skipped.
    let line = json!({
        "claim_number": "NUL-1", "member_id": "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506",
        "service_month": "2025-04", "provider": {"code": "1312345678", "name": "病院\u{0}"},
        "kind": "medical", "setting": "inpatient", "total_cost": 1000, "copayment": 300
    });
    let report = app.import(&[line]).await;
    assert_eq!(report["rejected"], 1);
    assert!(
        report["errors"][0]["problem"].as_str().unwrap().contains("control"),
        "{report}"
    );
    // Tabs and line ends are text, not controls.
    let mut ok = body.clone();
    ok["debtor"]["name"] = json!("A B");
    ok["note"] = json!("line one\nline two\tend");
    expect_status(app.post("/v1/receivables", &token, &ok).await, StatusCode::CREATED).await;
}
