//! Stored determinations and monthly benefit runs, on the stored data.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// A household (区分ウ from 2024-04) with one under-70 head; gives (household id, member id).
async fn household(app: &TestApp, number: &str, insured: &str) -> (String, String) {
    let mut body = household_body(number);
    body["income_categories"] = json!([{"valid_from": "2024-04-01", "under70": "u", "age70to74": null}]);
    let h = expect_status(
        app.post("/v1/households", &app.admin(), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let hid = h["id"].as_str().unwrap().to_string();
    let m = app.member(&hid, insured, "head").await;
    (hid, m["id"].as_str().unwrap().to_string())
}

fn inpatient(number: &str, member_id: &str, month: &str, total: i64, copay: i64) -> Value {
    json!({
        "claim_number": number, "member_id": member_id, "service_month": month,
        "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "inpatient",
        "total_cost": total, "copayment": copay
    })
}

async fn calculate(app: &TestApp, hid: &str, month: &str) -> (StatusCode, Value) {
    let res = app
        .post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": month}),
        )
        .await;
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[actix_web::test]
async fn determinations_are_stored_superseded_and_decided() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "D1", "101").await;
    app.import(&[inpatient("R-1", &mid, "2024-09", 1_000_000, 300_000)])
        .await;

    let (status, d) = calculate(&app, &hid, "2024-09").await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    // 区分ウ: 80,100 + (1,000,000 - 267,000) x 1% = 87,430.
    assert_eq!(d["total_benefit"], 212_570);
    assert_eq!(d["status"], "calculated");
    assert_eq!(d["rule_set"], "2018-08");
    assert_eq!(d["members"], json!([{"member_id": mid, "benefit": 212_570}]));
    assert_eq!(d["lapses_on"], "2026-09-30");
    assert!(d["supersedes"].is_null());
    let first = d["id"].as_str().unwrap().to_string();

    let (status, again) = calculate(&app, &hid, "2024-09").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], first.as_str());

    // A corrected claim supersedes the determination, the difference visible.
    let r = app
        .import(&[inpatient("R-1", &mid, "2024-09", 1_000_000, 240_000)])
        .await;
    assert_eq!(r["updated"], 1);
    assert_eq!(r["recalculated"], 1, "the import recalculates the stored determination");
    let (status, d2) = calculate(&app, &hid, "2024-09").await;
    assert_eq!(status, StatusCode::OK, "already current");
    assert_eq!(d2["total_benefit"], 152_570);
    assert_eq!(d2["supersedes"], first.as_str());
    assert_eq!(d2["difference"], -60_000);
    let old = expect_status(
        app.get(&format!("/v1/benefit-calculations/{first}"), &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], d2["id"]);
    let current = app
        .count(&format!(
            "/v1/benefit-calculations?household_id={hid}&service_month=2024-09&status=calculated"
        ))
        .await;
    assert_eq!(current, 1);

    // Decide; again is a no-op; the superseded one cannot be decided.
    let id2 = d2["id"].as_str().unwrap();
    let decided = expect_status(
        app.post(
            &format!("/v1/benefit-calculations/{id2}/decide"),
            &app.admin(),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(decided["status"], "decided");
    assert!(decided["decided_at"].is_string());
    expect_status(
        app.post(
            &format!("/v1/benefit-calculations/{id2}/decide"),
            &app.admin(),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .post(
            &format!("/v1/benefit-calculations/{first}/decide"),
            &app.admin(),
            &json!({}),
        )
        .await;
    expect_problem(res, StatusCode::CONFLICT, "determination_not_calculated").await;

    // Voiding the claim: nothing is due any more.
    let claims = expect_status(
        app.get(&format!("/v1/claims?household_id={hid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    let cid = claims["items"][0]["id"].as_str().unwrap();
    expect_status(
        app.send(Method::DELETE, &format!("/v1/claims/{cid}"), &app.admin(), None)
            .await,
        StatusCode::OK,
    )
    .await;
    let (status, d3) = calculate(&app, &hid, "2024-09").await;
    assert_eq!(status, StatusCode::OK, "the void recalculated it");
    assert_eq!(d3["total_benefit"], 0);
    assert_eq!(d3["difference"], -152_570);

    // Other tenants see nothing; bad input is refused.
    let other = app.token_for(OTHER_INSURER, "admin");
    expect_problem(
        app.get(&format!("/v1/benefit-calculations/{id2}"), &other).await,
        StatusCode::NOT_FOUND,
        "determination_not_found",
    )
    .await;
    let res = app
        .post(
            "/v1/benefit-calculations",
            &other,
            &json!({"household_id": hid, "service_month": "2024-09"}),
        )
        .await;
    expect_problem(res, StatusCode::NOT_FOUND, "household_not_found").await;
    let res = app
        .post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": "2014-09"}),
        )
        .await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "no_rule_table").await;
    let res = app
        .post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": "2024-13"}),
        )
        .await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app
        .post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": "2024-03"}),
        )
        .await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "missing_income_category").await;
}

#[actix_web::test]
async fn multiple_months_follow_from_stored_history() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "D2", "201").await;
    let months = ["2024-06", "2024-08", "2024-10", "2024-12"];
    let lines: Vec<Value> = months
        .iter()
        .enumerate()
        .map(|(i, m)| inpatient(&format!("M-{i}"), &mid, m, 1_000_000, 300_000))
        .collect();
    app.import(&lines).await;
    let mut results = Vec::new();
    for m in months {
        let (status, d) = calculate(&app, &hid, m).await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        results.push(d);
    }
    for d in &results[..3] {
        assert_eq!(d["multiple_applied"], false);
        assert_eq!(d["total_benefit"], 212_570);
        assert_eq!(d["counts_toward_multiple"], true);
    }
    // The fourth month in twelve: 多数回 44,400 (区分ウ, R7).
    assert_eq!(results[3]["multiple_applied"], true);
    assert_eq!(results[3]["total_benefit"], 300_000 - 44_400);

    // Removing an earlier month's benefit changes the later month on recalculation.
    let claims = expect_status(
        app.get(
            &format!("/v1/claims?household_id={hid}&service_month=2024-08"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let cid = claims["items"][0]["id"].as_str().unwrap();
    expect_status(
        app.send(Method::DELETE, &format!("/v1/claims/{cid}"), &app.admin(), None)
            .await,
        StatusCode::OK,
    )
    .await;
    let (_, aug) = calculate(&app, &hid, "2024-08").await;
    assert_eq!(aug["counts_toward_multiple"], false);
    let (status, dec) = calculate(&app, &hid, "2024-12").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(dec["multiple_applied"], false);
    assert_eq!(dec["total_benefit"], 212_570);
}

async fn wait_run(app: &TestApp, id: &str) -> Value {
    for _ in 0..200 {
        let r = expect_status(
            app.get(&format!("/v1/benefit-runs/{id}"), &app.admin()).await,
            StatusCode::OK,
        )
        .await;
        if r["status"] != "running" {
            return r;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {id} did not finish");
}

#[actix_web::test]
async fn monthly_runs_are_jobs_and_idempotent() {
    let app = TestApp::spawn().await;
    let mut members = Vec::new();
    for (n, insured) in [("E1", "301"), ("E2", "302"), ("E3", "303")] {
        members.push(household(&app, n, insured).await);
    }
    // A household without an income category for the month fails alone.
    let mut bare = household_body("E4");
    bare["income_categories"] = json!([]);
    let h = expect_status(
        app.post("/v1/households", &app.admin(), &bare).await,
        StatusCode::CREATED,
    )
    .await;
    let bare_member = app.member(h["id"].as_str().unwrap(), "304", "head").await;
    let mut lines: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, (_, m))| inpatient(&format!("RUN-{i}"), m, "2024-09", 500_000, 150_000))
        .collect();
    lines.push(inpatient(
        "RUN-X",
        bare_member["id"].as_str().unwrap(),
        "2024-09",
        500_000,
        150_000,
    ));
    app.import(&lines).await;

    let res = app
        .post("/v1/benefit-runs", &app.admin(), &json!({"service_month": "2024-09"}))
        .await;
    let started = expect_status(res, StatusCode::ACCEPTED).await;
    assert_eq!(started["progress"]["total"], 4);
    let run = wait_run(&app, started["id"].as_str().unwrap()).await;
    assert_eq!(run["status"], "completed", "{run}");
    assert_eq!(run["progress"], json!({"done": 4, "total": 4}));
    assert_eq!(run["calculated"], 3);
    assert_eq!(run["failed"], 1);
    assert_eq!(run["failures"][0]["code"], "missing_income_category");
    assert_eq!(app.count("/v1/benefit-calculations?service_month=2024-09").await, 3);

    // Again: nothing changed, nothing recalculated.
    let res = app
        .post("/v1/benefit-runs", &app.admin(), &json!({"service_month": "2024-09"}))
        .await;
    let again = wait_run(
        &app,
        expect_status(res, StatusCode::ACCEPTED).await["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        (again["calculated"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(3))
    );

    // A corrected claim: its household is recalculated by the import itself.
    let r = app
        .import(&[inpatient("RUN-1", &members[1].1, "2024-09", 500_000, 100_000)])
        .await;
    assert_eq!(r["recalculated"], 1);
    let res = app
        .post("/v1/benefit-runs", &app.admin(), &json!({"service_month": "2024-09"}))
        .await;
    let third = wait_run(
        &app,
        expect_status(res, StatusCode::ACCEPTED).await["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        (third["calculated"].as_i64(), third["unchanged"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(
        app.count("/v1/benefit-calculations?service_month=2024-09&status=superseded")
            .await,
        1
    );
    assert_eq!(
        app.count("/v1/benefit-calculations?service_month=2024-09&status=calculated")
            .await,
        3
    );

    let res = app
        .post("/v1/benefit-runs", &app.admin(), &json!({"service_month": "2013-01"}))
        .await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "no_rule_table").await;
    expect_problem(
        app.get("/v1/benefit-runs/unknown", &app.admin()).await,
        StatusCode::NOT_FOUND,
        "benefit_run_not_found",
    )
    .await;
}

#[actix_web::test]
async fn an_interrupted_run_resumes_after_its_cursor() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (n, insured) in [("F1", "401"), ("F2", "402"), ("F3", "403")] {
        let (hid, mid) = household(&app, n, insured).await;
        app.import(&[inpatient(&format!("F-{n}"), &mid, "2024-09", 500_000, 150_000)])
            .await;
        ids.push(hid);
    }
    ids.sort();
    // A run that a stopped process left behind after its first household.
    let actor = hokensha::store::Actor {
        insurer: INSURER.into(),
        sub: "test".into(),
        request_id: "r".into(),
    };
    let mut run = hokensha::store::benefits::create_run(&app.db, &actor, "2024-09", 3)
        .await
        .unwrap();
    run.done = 1;
    run.cursor = Some(ids[0].clone());
    hokensha::store::runs::RunRecord::save(&run, &app.db).await.unwrap();

    assert_eq!(hokensha::service::benefits::resume_runs(&app.db).await.unwrap(), 1);
    let done = wait_run(&app, &run.id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["progress"], json!({"done": 3, "total": 3}));
    assert_eq!(done["calculated"], 2, "the household before the cursor is not redone");
    let first = app
        .count(&format!("/v1/benefit-calculations?household_id={}", ids[0]))
        .await;
    assert_eq!(first, 0);
    assert_eq!(app.count("/v1/benefit-calculations?service_month=2024-09").await, 2);
}

#[actix_web::test]
async fn a_second_run_of_a_month_waits_for_the_first() {
    let app = TestApp::spawn().await;
    let (_, mid) = household(&app, "G1", "411").await;
    app.import(&[inpatient("G-1", &mid, "2024-09", 500_000, 150_000)]).await;
    // A run of the month still going (its process is busy with it).
    let actor = hokensha::store::Actor {
        insurer: INSURER.into(),
        sub: "test".into(),
        request_id: "r".into(),
    };
    let running = hokensha::store::benefits::create_run(&app.db, &actor, "2024-09", 1)
        .await
        .unwrap();
    let res = app
        .post("/v1/benefit-runs", &app.admin(), &json!({"service_month": "2024-09"}))
        .await;
    let p = expect_problem(res, StatusCode::CONFLICT, "run_in_progress").await;
    assert!(p["detail"].as_str().unwrap().contains(&running.id));
    // Another month is other work.
    let res = app
        .post("/v1/benefit-runs", &app.admin(), &json!({"service_month": "2024-10"}))
        .await;
    let other = expect_status(res, StatusCode::ACCEPTED).await;
    assert_eq!(
        wait_run(&app, other["id"].as_str().unwrap()).await["status"],
        "completed"
    );
}

/// R16: claims capped at the window (the insurer paid the provider 212,570 in kind) bring no cash,
/// yet each such month counts toward 多数回, so the fourth month in twelve gets 44,400 (R7).
#[actix_web::test]
async fn window_side_months_count_toward_multiple_without_cash() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "D9", "291").await;
    let capped = |i: usize, month: &str| {
        let mut c = inpatient(&format!("W-{i}"), &mid, month, 1_000_000, 87_430);
        c["window_benefit"] = json!(212_570);
        c
    };
    let mut too_much = capped(9, "2024-05");
    too_much["window_benefit"] = json!(1_000_000);
    let p = expect_problem(
        app.post("/v1/claims", &app.admin(), &too_much).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&p), ["window_benefit"]);
    let report = app
        .import(&[capped(0, "2024-06"), capped(1, "2024-08"), capped(2, "2024-10")])
        .await;
    assert_eq!(report["created"], 3, "{report}");
    for m in ["2024-06", "2024-08", "2024-10"] {
        let (status, d) = calculate(&app, &hid, m).await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        assert_eq!(
            (d["total_benefit"].as_i64(), d["counts_toward_multiple"].as_bool()),
            (Some(0), Some(true))
        );
    }
    let claim = expect_status(
        app.post(
            "/v1/claims",
            &app.admin(),
            &inpatient("W-3", &mid, "2024-12", 1_000_000, 300_000),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(claim["window_benefit"], Value::Null);
    let (_, dec) = calculate(&app, &hid, "2024-12").await;
    assert_eq!(dec["multiple_applied"], true);
    assert_eq!(dec["total_benefit"], 300_000 - 44_400);
}
