//! The event feed: written with the change, read by cursor in commit order, scoped by agency,
//! limited by retention.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// One read of the feed with `query`, as `token`.
async fn read(app: &TestApp, token: &str, query: &str) -> Value {
    expect_status(app.get(&format!("/v1/events{query}"), token).await, StatusCode::OK).await
}

/// Every event after the start, read `limit` at a time; checks that each page resumes exactly
/// where the last stopped.
async fn read_all(app: &TestApp, token: &str, types: &str, limit: u32) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = format!("?limit={limit}&types={types}");
        if let Some(a) = &after {
            q.push_str(&format!("&after={a}"));
        }
        let page = read(app, token, &q).await;
        let items = page["items"].as_array().unwrap().clone();
        let next = page["next_cursor"].as_str().unwrap().to_string();
        if items.is_empty() {
            return all;
        }
        // Right after the last event read; past events the filter passed over when not full.
        let last = items.last().unwrap()["sequence"].as_i64().unwrap();
        let next_n: i64 = next.parse().unwrap();
        assert!(next_n == last || (items.len() < limit as usize && next_n > last));
        all.extend(items);
        after = Some(next);
    }
}

fn claim(number: &str, member_id: &str, copay: i64) -> Value {
    json!({"claim_number": number, "member_id": member_id, "service_month": "2025-09",
           "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "inpatient",
           "total_cost": 1_000_000, "copayment": copay})
}

#[actix_web::test]
async fn a_corrected_claim_is_claim_updated_then_benefit_superseded() {
    let app = TestApp::spawn().await;
    let token = app.token("events:read");
    let h = app.household("E-1").await;
    let hid = h["id"].as_str().unwrap();
    let m = app.member(hid, "701", "head").await;
    let mid = m["id"].as_str().unwrap();
    app.import(&[claim("E-C1", mid, 300_000)]).await;
    let d = expect_status(
        app.post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": "2025-09"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.import(&[claim("E-C1", mid, 320_000)]).await;

    let all = read_all(&app, &token, "", 500).await;
    let types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "household.created",
            "member.created",
            "claim.created",
            "benefit.determined",
            "claim.updated",
            "benefit.superseded",
            "benefit.determined",
        ]
    );
    // Numbered one by one from 1, each naming its resource and household.
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e["sequence"], i as i64 + 1);
        assert_eq!(e["data"]["household_id"], hid);
    }
    assert_eq!(
        all[5]["resource"],
        json!({"kind": "benefit_determination", "id": d["id"]})
    );
    // A filter by type keeps the order.
    let picked = read_all(&app, &token, "claim.updated,benefit.superseded", 1).await;
    let picked: Vec<&str> = picked.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(picked, ["claim.updated", "benefit.superseded"]);
    expect_problem(
        app.get("/v1/events?types=claim.exploded", &token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.get("/v1/events", &app.token("claims:read")).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
}

#[actix_web::test]
async fn a_cursor_resumes_exactly_and_a_rolled_back_write_leaves_no_event() {
    let app = TestApp::spawn().await;
    let token = app.token("events:read");
    for i in 0..7 {
        app.household(&format!("R-{i}")).await;
    }
    let all = read_all(&app, &token, "", 3).await;
    let seqs: Vec<i64> = all.iter().map(|e| e["sequence"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<_>>());

    // A write whose transaction rolls back, audit row and all.
    let actor = hokensha::store::Actor {
        insurer: INSURER.into(),
        sub: "test".into(),
        request_id: "r".into(),
    };
    let hid = all[0]["resource"]["id"].as_str().unwrap();
    {
        use sea_orm::TransactionTrait;
        let txn = app.db.begin().await.unwrap();
        hokensha::store::audit::record(&txn, &actor, "household.updated", "household", hid)
            .await
            .unwrap();
        txn.rollback().await.unwrap();
    }
    // The cursor of the last page: nothing new, and it stays where it was.
    let page = read(&app, &token, "?after=7").await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next_cursor"], "7");
    // The next change is number 8, right after.
    app.household("R-7").await;
    let page = read(&app, &token, "?after=7").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["sequence"], 8);
    // Another insurer's feed is its own.
    let other = read(&app, &app.token_for(OTHER_INSURER, "events:read"), "").await;
    assert_eq!(other["items"], json!([]));
    // A bad cursor is refused.
    expect_problem(
        app.get("/v1/events?after=-1", &token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[actix_web::test]
async fn an_agency_sees_only_the_events_of_its_requests() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (i, agency) in ["a1", "a2"].iter().enumerate() {
        let r = expect_status(
            app.post(
                "/v1/receivables",
                &app.admin(),
                &json!({"kind": "overpayment_refund", "reason": "ineligible_visit",
                        "debtor": {"kind": "person", "name": format!("債務者{i}")},
                        "assessed_on": "2025-10-01", "amount": 10_000, "due_on": "2025-10-31"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let q = expect_status(
            app.post(
                "/v1/adjustment-requests",
                &app.admin(),
                &json!({"receivable_id": r["id"], "new_insurer": {"number": "06130012", "name": "千代田区国民健康保険"},
                        "consent_on": "2025-12-01", "agency": agency}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(q["id"].as_str().unwrap().to_string());
    }
    let a1 = read_all(&app, &app.agent_token("a1", "events:read"), "", 500).await;
    assert_eq!(a1.len(), 1);
    assert_eq!(a1[0]["type"], "adjustment.moved");
    assert_eq!(a1[0]["resource"]["id"], ids[0].as_str());
    assert_eq!(a1[0]["data"]["agency"], "a1");
    // The insurer sees both, and the receivables.
    let all = read_all(&app, &app.token("events:read"), "", 500).await;
    let types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "receivable.assessed",
            "adjustment.moved",
            "receivable.assessed",
            "adjustment.moved"
        ]
    );
}

#[actix_web::test]
async fn a_cursor_past_retention_is_410_and_an_empty_read_can_wait() {
    let app = TestApp::spawn().await;
    let token = app.token("events:read");
    app.household("T-1").await;
    app.household("T-2").await;
    let all = read_all(&app, &token, "", 500).await;
    assert_eq!(all.len(), 2);
    // Retention as it would run 31 days from now.
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    assert_eq!(hokensha::service::events::purge(&app.db, later, 30).await.unwrap(), 1);
    let gone = expect_problem(
        app.get("/v1/events?after=1", &token).await,
        StatusCode::GONE,
        "cursor_expired",
    )
    .await;
    assert!(gone["detail"].as_str().unwrap().contains("retention"));
    // From the start: nothing kept, and the cursor to wait on is past what was deleted.
    let page = read(&app, &token, "").await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next_cursor"], "2");
    // An empty read waits (here one second) and answers empty.
    let started = std::time::Instant::now();
    let page = read(&app, &token, "?after=2&wait=1").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(page["items"], json!([]));
    expect_problem(
        app.get("/v1/events?wait=31", &token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
