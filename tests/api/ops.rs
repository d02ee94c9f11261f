//! Health, readiness, metrics, request ids and the audit trail.

use reqwest::StatusCode;

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
