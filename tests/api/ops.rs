//! Health, readiness, metrics, request ids and the audit trail.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let h = expect_status(
        app.client.get(app.url("/healthz")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(h["status"], "ok");
    let r = expect_status(app.client.get(app.url("/readyz")).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(r["status"], "ready");
    app.household("H-1").await;
    let _ = app.get("/v1/households/unknown", &app.admin()).await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"hokensha_http_requests_total{method="POST",route="/v1/households",status="201"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/v1/households/{id}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains("hokensha_http_request_duration_seconds_bucket"));
}

#[actix_web::test]
async fn request_ids_are_echoed_or_made_and_audited() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/v1/households"))
        .bearer_auth(app.admin())
        .header("x-request-id", "vendor-req-42")
        .json(&household_body("H-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "vendor-req-42");
    let h = expect_status(res, StatusCode::CREATED).await;
    let made = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = made
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36);
    let hostile = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "a b<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(hostile.headers().get("x-request-id").unwrap(), "a b<script>");

    let hid = h["id"].as_str().unwrap();
    let audit = expect_status(
        app.get(&format!("/v1/audit?resource_id={hid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    let e = &audit["items"][0];
    assert_eq!(e["action"], "household.created");
    assert_eq!(e["actor"], "test-vendor");
    assert_eq!(e["insurer"], INSURER);
    assert_eq!(e["request_id"], "vendor-req-42");
    assert_eq!(e["resource_type"], "household");
}

#[actix_web::test]
async fn the_latest_migration_goes_down_and_up_again() {
    use migration::MigratorTrait;
    let app = TestApp::spawn().await;
    migration::Migrator::down(&app.db, Some(1)).await.expect("down");
    migration::Migrator::up(&app.db, None).await.expect("up");
    let res = app.get("/v1/statistics/recovery?fiscal_year=2025", &app.admin()).await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
}

/// Default dates come from the business clock: the date in Japan, not in UTC. At 08:30 in Tokyo
/// on 2 October it is still 1 October in UTC; a certificate case processed "today" is processed
/// on 2 October, and its first notice falls due two weeks later.
#[actix_web::test]
async fn default_dates_are_the_business_date_in_japan() {
    use chrono::{DateTime, Utc};
    let morning = DateTime::parse_from_rfc3339("2026-10-01T23:30:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let app = TestApp::spawn_at(hokensha::clock::Clock::starting_at(morning)).await;
    let h = app.household("CLK1").await;
    let m = app.member(h["id"].as_str().unwrap(), "701", "head").await;
    let mid = m["id"].as_str().unwrap();
    app.lose_eligibility(mid, "2026-10-01").await;
    let c = expect_status(
        app.post(
            "/v1/card-recoveries",
            &app.admin(),
            &json!({"member_id": mid, "valid_until": "2027-07-31"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["processed_on"], "2026-10-02");
    assert_eq!(c["next_step_due"], "2026-10-16");
    // The worklist without `on` is the worklist of the business date.
    let w = expect_status(app.get("/v1/dunning/worklist", &app.admin()).await, StatusCode::OK).await;
    assert_eq!(w["on"], "2026-10-02", "{w}");
}
