//! NDJSON import: good lines stored, bad lines reported, idempotent by claim number.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

async fn setup(app: &TestApp) -> (String, String) {
    let h = app.household("H-1").await;
    let hid = h["id"].as_str().unwrap().to_string();
    let m = app.member(&hid, "5001", "head").await;
    (hid, m["id"].as_str().unwrap().to_string())
}

fn by_insured_number(number: &str, total: i64, copay: i64) -> Value {
    json!({
        "claim_number": number,
        "insured_number": {"symbol": "東1", "number": "5001", "branch": "00"},
        "service_month": "2025-09",
        "provider": {"code": "1312345678", "name": "千代田病院"},
        "kind": "medical",
        "setting": "inpatient",
        "total_cost": total,
        "copayment": copay
    })
}

#[actix_web::test]
async fn good_lines_stored_bad_lines_reported_and_reimport_is_idempotent() {
    let app = TestApp::spawn().await;
    let (_, mid) = setup(&app).await;
    let body = [
        claim_body("C-1", &mid, 100_000, 30_000).to_string(),
        "{not json".to_string(),
        by_insured_number("C-2", 500_000, 150_000).to_string(),
        String::new(),
        claim_body("C-3", &mid, 1_000, 2_000).to_string(),
        claim_body("C-4", "00000000-0000-7000-8000-000000000000", 1_000, 300).to_string(),
        json!({"claim_number": "C-5", "member_id": mid, "oops": 1}).to_string(),
        claim_body("C-6", &mid, 10_000, 3_000).to_string(),
    ]
    .join("\r\n");
    let res = app
        .raw(
            Method::POST,
            "/v1/claims/import",
            &app.admin(),
            "application/x-ndjson",
            body.clone(),
        )
        .await;
    let r = expect_status(res, StatusCode::OK).await;
    assert_eq!(r["received"], 7);
    assert_eq!(r["created"], 3);
    assert_eq!(r["rejected"], 4);
    let lines: Vec<u64> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 5, 6, 7]);
    assert_eq!(r["errors"][1]["claim_number"], "C-3");
    assert!(r["errors"][1]["problem"].as_str().unwrap().contains("copayment"));
    assert!(r["errors"][2]["problem"].as_str().unwrap().contains("member"));
    assert!(r["errors"][3]["problem"].as_str().unwrap().contains("oops"));
    assert_eq!(app.count("/v1/claims").await, 3);

    let again = app
        .raw(
            Method::POST,
            "/v1/claims/import",
            &app.admin(),
            "application/x-ndjson",
            body,
        )
        .await;
    let r2 = expect_status(again, StatusCode::OK).await;
    assert_eq!(
        (r2["created"].as_u64(), r2["updated"].as_u64(), r2["unchanged"].as_u64()),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(app.count("/v1/claims").await, 3);

    // A corrected claim updates in place.
    let r3 = app
        .import(&[
            by_insured_number("C-2", 400_000, 120_000),
            claim_body("C-1", &mid, 100_000, 30_000),
        ])
        .await;
    assert_eq!(
        (r3["created"].as_u64(), r3["updated"].as_u64(), r3["unchanged"].as_u64()),
        (Some(0), Some(1), Some(1))
    );
    let list = expect_status(app.get("/v1/claims?limit=10", &app.admin()).await, StatusCode::OK).await;
    let c2 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claim_number"] == "C-2")
        .unwrap()
        .clone();
    assert_eq!(c2["total_cost"], 400_000);
    assert_eq!(c2["copayment"], 120_000);
    assert_eq!(c2["version"], 2);
    let audit = expect_status(
        app.get(
            &format!("/v1/audit?resource_id={}", c2["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["claim.created", "claim.updated"]);

    // A voided claim is not revived by an import.
    let id = c2["id"].as_str().unwrap();
    expect_status(
        app.send(Method::DELETE, &format!("/v1/claims/{id}"), &app.admin(), None)
            .await,
        StatusCode::OK,
    )
    .await;
    let r4 = app.import(&[by_insured_number("C-2", 1, 0)]).await;
    assert_eq!(r4["rejected"], 1);
    let read = expect_status(app.get(&format!("/v1/claims/{id}"), &app.admin()).await, StatusCode::OK).await;
    assert_eq!(read["total_cost"], 400_000);
    assert_eq!(read["status"], "voided");
}

#[actix_web::test]
async fn import_spans_batches_and_repeats_within_a_file() {
    let app = TestApp::spawn().await;
    let (_, mid) = setup(&app).await;
    let mut lines: Vec<Value> = (0..2_500)
        .map(|i| claim_body(&format!("B-{i:05}"), &mid, 10_000 + i, 3_000))
        .collect();
    lines.push(claim_body("B-00007", &mid, 10_007, 3_000)); // same as before: unchanged
    lines.push(claim_body("B-00008", &mid, 99_999, 3_000)); // corrected in the same file
    let r = app.import(&lines).await;
    assert_eq!(r["received"], 2_502);
    assert_eq!(r["created"], 2_500);
    assert_eq!(r["unchanged"], 1);
    assert_eq!(r["updated"], 1);
    assert_eq!(r["rejected"], 0);
    assert_eq!(app.count("/v1/claims").await, 2_500);
}

#[actix_web::test]
async fn import_refuses_other_media_types_and_overlong_lines() {
    let app = TestApp::spawn().await;
    let (_, mid) = setup(&app).await;
    let res = app
        .raw(
            Method::POST,
            "/v1/claims/import",
            &app.admin(),
            "application/json",
            "[]",
        )
        .await;
    expect_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let long = format!("{{\"claim_number\": \"{}\"}}", "x".repeat(70 * 1024));
    let body = format!("{long}\n{}\n", claim_body("L-1", &mid, 1_000, 300));
    let r = expect_status(
        app.raw(
            Method::POST,
            "/v1/claims/import",
            &app.admin(),
            "application/x-ndjson",
            body,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["created"], 1);
    assert_eq!(r["rejected"], 1);
    assert_eq!(r["errors"][0]["line"], 1);
    let res = app
        .raw(
            Method::POST,
            "/v1/claims/import",
            &app.token("claims:read"),
            "application/x-ndjson",
            "",
        )
        .await;
    expect_problem(res, StatusCode::FORBIDDEN, "insufficient_scope").await;
}
