//! Claims one at a time: create by id or insured number, list, read, void.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn claim_life() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let h = app.household("H-1").await;
    let hid = h["id"].as_str().unwrap();
    let m = app.member(hid, "4001", "head").await;
    let mid = m["id"].as_str().unwrap();

    let c = expect_status(
        app.post("/v1/claims", &admin, &claim_body("C-1", mid, 100_000, 30_000))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["household_id"], hid);
    assert_eq!(c["status"], "active");
    assert_eq!(c["total_cost"], 100_000);
    assert_eq!(c["provider"]["code"], "1312345678");

    // By insured number, a pharmacy claim joined to its prescriber.
    let by_number = json!({
        "claim_number": "C-2",
        "insured_number": {"symbol": "東1", "number": "4001", "branch": "00"},
        "service_month": "2025-09",
        "provider": {"code": "1398765432", "name": "駅前薬局"},
        "kind": "pharmacy",
        "setting": "outpatient",
        "prescribing_provider_code": "1312345678",
        "total_cost": 20_000,
        "copayment": 6_000
    });
    let c2 = expect_status(app.post("/v1/claims", &admin, &by_number).await, StatusCode::CREATED).await;
    assert_eq!(c2["member_id"], mid);
    assert_eq!(c2["kind"], "pharmacy");

    expect_problem(
        app.post("/v1/claims", &admin, &claim_body("C-1", mid, 1, 0)).await,
        StatusCode::CONFLICT,
        "claim_number_taken",
    )
    .await;
    let mut other_month = claim_body("C-3", mid, 50_000, 15_000);
    other_month["service_month"] = json!("2025-10");
    other_month["first_service_on"] = json!("2025-10-01");
    expect_status(app.post("/v1/claims", &admin, &other_month).await, StatusCode::CREATED).await;

    assert_eq!(app.count("/v1/claims").await, 3);
    assert_eq!(app.count("/v1/claims?service_month=2025-09").await, 2);
    assert_eq!(
        app.count(&format!("/v1/claims?member_id={mid}&service_month=2025-10"))
            .await,
        1
    );
    assert_eq!(app.count(&format!("/v1/claims?household_id={hid}")).await, 3);
    assert_eq!(
        app.count("/v1/claims?household_id=00000000-0000-7000-8000-000000000000")
            .await,
        0
    );

    let id = c["id"].as_str().unwrap();
    let voided = expect_status(
        app.send(Method::DELETE, &format!("/v1/claims/{id}"), &admin, None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(voided["status"], "voided");
    assert!(voided["voided_at"].is_string());
    assert_eq!(voided["version"], 2);
    let again = expect_status(
        app.send(Method::DELETE, &format!("/v1/claims/{id}"), &admin, None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["version"], 2);
    let read = expect_status(app.get(&format!("/v1/claims/{id}"), &admin).await, StatusCode::OK).await;
    assert_eq!(read["status"], "voided");
    expect_problem(
        app.get("/v1/claims/00000000-0000-7000-8000-000000000000", &admin).await,
        StatusCode::NOT_FOUND,
        "claim_not_found",
    )
    .await;
}
