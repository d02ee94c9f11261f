//! 保険者間調整 requests and outsourced agents.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// A refund receivable made by detection: a member who lost eligibility, two claims after it.
async fn refund(app: &TestApp) -> Value {
    let h = app.household("AJ1").await;
    let hid = h["id"].as_str().unwrap();
    app.member(hid, "601", "head").await;
    let spouse = app.member(hid, "602", "spouse").await;
    let sid = spouse["id"].as_str().unwrap();
    app.lose_eligibility(sid, "2025-09-10").await;
    let claim = |n: &str, day: &str, total: i64, copay: i64| {
        json!({"claim_number": n, "member_id": sid, "service_month": "2025-09",
               "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "outpatient",
               "total_cost": total, "copayment": copay, "first_service_on": day})
    };
    app.import(&[
        claim("AJ-1", "2025-09-15", 100_000, 30_000),
        claim("AJ-2", "2025-09-20", 50_000, 15_000),
    ])
    .await;
    let d = app.detect("2025-09").await;
    let id = d["receivable_ids"][0].as_str().unwrap();
    expect_status(
        app.get(&format!("/v1/receivables/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await
}

fn request(receivable_id: &str, agency: Option<&str>) -> Value {
    json!({"receivable_id": receivable_id, "new_insurer": {"number": "06130012", "name": "千代田区国民健康保険"},
           "consent_on": "2025-12-01", "agency": agency})
}

#[actix_web::test]
async fn agents_see_and_move_only_their_requests_and_never_settle() {
    let app = TestApp::spawn().await;
    let r = refund(&app).await;
    let rid = r["id"].as_str().unwrap();
    assert_eq!(r["balance"], 105_000);
    let a1 = app.agent_token("a1", "adjustments:read adjustments:write");
    let a2 = app.agent_token("a2", "adjustments:read adjustments:write");

    // Only the insurer opens a request.
    expect_problem(
        app.post("/v1/adjustment-requests", &a1, &request(rid, Some("a1")))
            .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let q = expect_status(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, Some("a1")))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (q["status"].as_str(), q["amount"].as_i64()),
        (Some("requested"), Some(105_000))
    );
    assert_eq!(q["claims"].as_array().unwrap().len(), 2);
    assert_eq!(q["claims"][0]["claim_lapses_on"], "2027-09-15");
    let id = q["id"].as_str().unwrap();
    expect_problem(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, None))
            .await,
        StatusCode::CONFLICT,
        "adjustment_request_open",
    )
    .await;

    // Agency a1 sees it; a2 does not; neither reads the receivable (nor anything but requests).
    let list = expect_status(app.get("/v1/adjustment-requests", &a1).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let text = list.to_string();
    assert!(!text.contains("bank") && !text.contains("account"), "{text}");
    let list = expect_status(app.get("/v1/adjustment-requests?agency=a1", &a2).await, StatusCode::OK).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    expect_problem(
        app.get(&format!("/v1/adjustment-requests/{id}"), &a2).await,
        StatusCode::NOT_FOUND,
        "adjustment_request_not_found",
    )
    .await;
    let a1_all = app.agent_token("a1", "admin");
    expect_problem(
        app.get(&format!("/v1/receivables/{rid}"), &a1_all).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    expect_problem(
        app.get("/v1/payment-registrations", &a1_all).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;

    // The agent moves it along but cannot settle; a2 cannot touch it.
    // The refund was assessed today (by detection): the moves are dated today too.
    let today = chrono::Utc::now().date_naive().to_string();
    let mv = |to: &str, amount: Option<i64>| json!({"to": to, "on": today, "amount": amount});
    expect_problem(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &a2,
            &mv("submitted", None),
        )
        .await,
        StatusCode::NOT_FOUND,
        "adjustment_request_not_found",
    )
    .await;
    expect_status(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &a1,
            &mv("submitted", None),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &a1,
            &mv("settled", Some(100)),
        )
        .await,
        StatusCode::CONFLICT,
        "transition_not_allowed",
    )
    .await;
    expect_status(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &a1,
            &mv("accepted", None),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &a1,
            &mv("settled", Some(60_000)),
        )
        .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;

    // The insurer settles: what was paid is collected; the shortfall stays on the debtor.
    let s = expect_status(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &app.admin(),
            &mv("settled", Some(60_000)),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            s["status"].as_str(),
            s["settled_amount"].as_i64(),
            s["excess_owed"].as_i64()
        ),
        (Some("settled"), Some(60_000), Some(0))
    );
    assert_eq!(s["history"].as_array().unwrap().len(), 3);
    assert!(s["history"][0]["by"].as_str().unwrap().contains("a1"));
    let r = expect_status(
        app.get(&format!("/v1/receivables/{rid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["balance"], 45_000);
    assert_eq!(r["collections"][0]["channel"], "insurer_adjustment");

    // A second request over the rest, settled above it: the excess is owed to the insured.
    let q = expect_status(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, None))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id2 = q["id"].as_str().unwrap();
    for to in ["submitted", "accepted"] {
        expect_status(
            app.post(
                &format!("/v1/adjustment-requests/{id2}/transitions"),
                &app.admin(),
                &mv(to, None),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let s = expect_status(
        app.post(
            &format!("/v1/adjustment-requests/{id2}/transitions"),
            &app.admin(),
            &mv("settled", Some(50_000)),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["excess_owed"], 5_000);
    let r = expect_status(
        app.get(&format!("/v1/receivables/{rid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (r["balance"].as_i64(), r["status"].as_str()),
        (Some(0), Some("collected"))
    );
}

#[actix_web::test]
async fn the_registry_refuses_insurers_that_do_not_take_part_and_plans_hold_monthly_targets() {
    let app = TestApp::spawn().await;
    let r = refund(&app).await;
    let rid = r["id"].as_str().unwrap();
    let c = expect_status(
        app.send(
            reqwest::Method::PUT,
            "/v1/counterparties/06130012",
            &app.admin(),
            Some(&json!({"name": "千代田区国民健康保険", "participates": false})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["participates"], false);
    expect_problem(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, None))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "counterparty_not_participating",
    )
    .await;
    let c = expect_status(
        app.send(
            reqwest::Method::PUT,
            "/v1/counterparties/06130012",
            &app.admin(),
            Some(&json!({"name": "千代田区国民健康保険", "participates": true})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["version"], 2);
    expect_status(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, None))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let list = expect_status(app.get("/v1/counterparties", &app.admin()).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Plans: months of the year only, once each, targets not negative; stored April to March.
    let month =
        |m: &str, phone: i64| json!({"month": m, "phone": phone, "adjustment_count": 10, "adjustment_amount": 750_000});
    let bad = json!({"months": [month("2018-03", 5), month("2018-05", -1), month("2018-05", 1)]});
    let p = expect_problem(
        app.send(reqwest::Method::PUT, "/v1/plans/2018", &app.admin(), Some(&bad))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 3, "{p}");
    let good = json!({"months": [month("2019-03", 20), month("2018-04", 30)]});
    expect_status(
        app.send(reqwest::Method::PUT, "/v1/plans/2018", &app.admin(), Some(&good))
            .await,
        StatusCode::OK,
    )
    .await;
    let p = expect_status(
        app.get("/v1/plans/2018", &app.token("statistics:read")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(p["months"][0]["month"], "2018-04");
    assert_eq!(p["months"][1]["phone"], 20);
    expect_problem(
        app.get("/v1/plans/2019", &app.admin()).await,
        StatusCode::NOT_FOUND,
        "plan_not_found",
    )
    .await;
}

#[actix_web::test]
async fn a_request_warns_when_the_insureds_own_claim_has_lapsed() {
    let app = TestApp::spawn().await;
    let h = app.household("AJ2").await;
    let hid = h["id"].as_str().unwrap();
    app.member(hid, "611", "head").await;
    let spouse = app.member(hid, "612", "spouse").await;
    let sid = spouse["id"].as_str().unwrap();
    app.lose_eligibility(sid, "2024-05-01").await;
    // Care on 2024-06-03: the insured's claim at the new insurer lapsed on 2026-06-03.
    app.import(&[
        json!({"claim_number": "AJ-9", "member_id": sid, "service_month": "2024-06",
        "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "outpatient",
        "total_cost": 10_000, "copayment": 3_000, "first_service_on": "2024-06-03"}),
    ])
    .await;
    let d = app.detect("2024-06").await;
    let rid = d["receivable_ids"][0].as_str().unwrap();
    let q = expect_status(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, None))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(q["claims"][0]["claim_lapses_on"], "2026-06-03");
    let w = q["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{q}");
    assert!(w[0].as_str().unwrap().contains("lapsed on 2026-06-03"), "{w:?}");
}

/// The day's worklist items of one receivable (the worklist of the business date).
async fn due_for(app: &TestApp, receivable_id: &str) -> Vec<String> {
    let w = expect_status(
        app.get("/v1/dunning/worklist?limit=500", &app.token("receivables:read"))
            .await,
        StatusCode::OK,
    )
    .await;
    w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["receivable_id"] == receivable_id)
        .map(|i| i["rule"].as_str().unwrap().to_string())
        .collect()
}

/// While a request to the new insurer is open the debtor is not dunned: the refund will be
/// settled between insurers. Cancelled, the dunning resumes.
#[actix_web::test]
async fn an_open_request_holds_the_dunning_of_its_receivable() {
    let app = TestApp::spawn_on("2025-12-01").await;
    let r = refund(&app).await;
    let rid = r["id"].as_str().unwrap();
    assert_eq!(r["assessed_on"], "2025-12-01", "assessed on the business date");
    let before = due_for(&app, rid).await;
    assert!(!before.is_empty(), "a fresh refund is dunned: {before:?}");
    let req = expect_status(
        app.post("/v1/adjustment-requests", &app.admin(), &request(rid, None))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(due_for(&app, rid).await, Vec::<String>::new());
    let id = req["id"].as_str().unwrap();
    expect_status(
        app.post(
            &format!("/v1/adjustment-requests/{id}/transitions"),
            &app.admin(),
            &json!({"to": "cancelled", "on": "2025-12-01"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(due_for(&app, rid).await, before);
}
