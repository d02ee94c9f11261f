//! Webhooks: signed deliveries to a local receiver, retried until it answers 2xx, in order, kept
//! across restarts, given up after a day; and the SSRF guard.

use std::collections::VecDeque;
use std::sync::Mutex;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::common::*;
use hokensha::service::webhooks::{self as worker, Settings};

/// What the receiver saw: headers of interest and the body.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Receiver {
    seen: Mutex<Vec<Received>>,
    /// Statuses to answer, in turn; 200 once empty.
    answers: Mutex<VecDeque<u16>>,
}

async fn hook(req: HttpRequest, body: web::Bytes, r: web::Data<Receiver>) -> HttpResponse {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    r.seen.lock().unwrap().push(Received {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body: body.to_vec(),
    });
    let status = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

/// A receiver on a loopback port answering `answers` in turn; gives its URL and its state.
fn receiver(answers: &[u16]) -> (String, web::Data<Receiver>) {
    let state = web::Data::new(Receiver::default());
    state.answers.lock().unwrap().extend(answers.iter().copied());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let data = state.clone();
    let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/hook", web::post().to(hook)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}/hook"), state)
}

fn settings() -> Settings {
    Settings {
        allow_hosts: vec!["127.0.0.1".into()],
        retry_base_seconds: 0,
    }
}

/// One round of the delivery worker at `now`.
async fn round(app: &TestApp, now: chrono::DateTime<chrono::Utc>) -> usize {
    let client = worker::client().unwrap();
    worker::deliver_once(&app.db, &client, &settings(), hokensha::http::events::payload, now)
        .await
        .unwrap()
}

/// Checks a Standard Webhooks signature independently of the server's code.
fn verifies(secret: &str, r: &Received) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.body);
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    r.signature.split(' ').any(|s| s == expected)
}

async fn subscribe(app: &TestApp, url: &str, types: Value) -> Value {
    expect_status(
        app.post(
            "/v1/webhook-subscriptions",
            &app.token("webhooks:write"),
            &json!({"url": url, "types": types, "secret": "whsec-test-secret-0001"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

#[actix_web::test]
async fn a_signed_delivery_is_retried_until_it_is_taken_then_never_again() {
    let app = TestApp::spawn().await;
    let (url, seen) = receiver(&[500, 500]);
    let s = subscribe(&app, &url, json!(["household.created"])).await;
    assert!(s.get("secret").is_none(), "the secret is never shown");
    app.household("W-1").await;
    let h2 = app.household("W-2").await;

    let now = chrono::Utc::now();
    // 500: kept, and the second event waits behind the first.
    assert_eq!(round(&app, now).await, 1);
    assert_eq!(round(&app, now).await, 1);
    // 200 for the first, then the second goes out in the same round.
    assert_eq!(round(&app, now).await, 2);
    assert_eq!(round(&app, now).await, 0);
    let got = seen.seen.lock().unwrap().clone();
    assert_eq!(got.len(), 4, "three tries of the first event, one of the second");
    assert!(got.iter().all(|r| verifies("whsec-test-secret-0001", r)));
    assert!(!verifies("another-secret-0000", &got[0]));
    assert_eq!(got[0].id, got[2].id, "a retry carries the same webhook-id");
    let body: Value = serde_json::from_slice(&got[3].body).unwrap();
    assert_eq!(body["type"], "household.created");
    assert_eq!(body["resource"]["id"], h2["id"]);

    let log = expect_status(
        app.get(
            &format!("/v1/webhook-subscriptions/{}/deliveries", s["id"].as_str().unwrap()),
            &app.token("webhooks:write"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["status"].as_str(), items[0]["attempts"].as_i64()),
        (Some("delivered"), Some(3))
    );
    assert_eq!(items[0]["last_status_code"], 200);
    // Only admin lists subscriptions.
    expect_problem(
        app.get("/v1/webhook-subscriptions", &app.token("webhooks:write")).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let all = expect_status(app.get("/v1/webhook-subscriptions", &app.admin()).await, StatusCode::OK).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn pending_deliveries_survive_a_restart_and_a_day_of_failures_disables_the_subscription() {
    let app = TestApp::spawn().await;
    let (url, seen) = receiver(&[503]);
    let s = subscribe(&app, &url, json!([])).await;
    app.household("X-1").await;
    let now = chrono::Utc::now();
    assert_eq!(round(&app, now).await, 1);
    // A new worker (as after a restart) has only the database: it sends what is pending.
    assert_eq!(round(&app, now).await, 1);
    assert_eq!(seen.seen.lock().unwrap().len(), 2);

    // A receiver that fails for more than a day: the delivery is given up and the subscription
    // disabled, with an event saying so.
    let (down, _) = receiver(&[500, 500, 500, 500]);
    let id = s["id"].as_str().unwrap();
    let patched = expect_status(
        app.patch(
            &format!("/v1/webhook-subscriptions/{id}"),
            &app.token("webhooks:write"),
            &json!({"url": down}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["url"], down.as_str());
    app.household("X-2").await;
    assert_eq!(round(&app, now).await, 1);
    assert_eq!(round(&app, now + chrono::Duration::hours(25)).await, 1);
    let s = expect_status(
        app.get(&format!("/v1/webhook-subscriptions/{id}"), &app.token("webhooks:write"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["active"], false);
    assert!(s["disabled_reason"].as_str().unwrap().contains("failed"));
    let feed = expect_status(
        app.get("/v1/events?types=webhook.disabled", &app.token("events:read"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(feed["items"][0]["resource"]["id"], id);
    // Nothing more goes out while it is disabled.
    assert_eq!(round(&app, now + chrono::Duration::hours(26)).await, 0);
}

#[actix_web::test]
async fn loopback_and_private_receivers_are_refused_unless_allowed() {
    let app = TestApp::spawn().await;
    let token = app.token("webhooks:write");
    for url in [
        "http://localhost:9/hook",
        "http://10.0.0.1/hook",
        "http://[::1]:9/",
        "http://169.254.169.254/latest",
        "ftp://example.com/",
    ] {
        let p = expect_problem(
            app.post(
                "/v1/webhook-subscriptions",
                &token,
                &json!({"url": url, "secret": "whsec-test-secret-0001"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&p), ["url"], "{url}");
    }
    // 127.0.0.1 is on the test server's allow-list.
    let (url, _) = receiver(&[]);
    subscribe(&app, &url, json!([])).await;
    expect_problem(
        app.post(
            "/v1/webhook-subscriptions",
            &token,
            &json!({"url": url, "types": ["claim.exploded"], "secret": "whsec-test-secret-0001"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
