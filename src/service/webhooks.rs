//! Webhooks: subscriptions, and the worker that delivers the event feed to them, signed as
//! Standard Webhooks do (`webhook-id`, `webhook-timestamp`, `webhook-signature`). At least once, in
//! order per subscription (a delivery waits for the one before it), retried with doubling delays
//! and jitter for a day, after which the subscription is disabled with a `webhook.disabled` event.
//! Deliveries are rows: what is pending at a restart is sent after it.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::domain::event::{Event, EventType};
use crate::domain::ids::Actor;
use crate::domain::page::{Page, PageRequest};
use crate::domain::webhook::{self as rules, Delivery, DeliveryStatus, GIVE_UP_AFTER, Subscription};
use crate::error::{ApiError, ErrorCode};
use crate::store::events;
use crate::store::webhooks::{self as store, Attempt};

/// What the worker and the URL check need from the settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Hosts that may resolve to loopback or private addresses.
    pub allow_hosts: Vec<String>,
    pub retry_base_seconds: u64,
}

/// The body of a delivery: the event as the feed shows it (the wire's form, given by the caller).
pub type Render = fn(&Event) -> Vec<u8>;

/// Refuses a URL that is not http(s), or whose host resolves to an address that is not public,
/// unless the host is on the allow-list (SSRF guard).
pub async fn check_url(url: &str, settings: &Settings) -> Result<reqwest::Url, ApiError> {
    let bad = |m: &str| ApiError::validation("url", m);
    let parsed = reqwest::Url::parse(url).map_err(|_| bad("must be an absolute http or https URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must be an http or https URL without credentials"));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| bad("must name a host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if settings.allow_hosts.contains(&host) {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| bad("the host does not resolve"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() || !addrs.into_iter().all(rules::public_address) {
        return Err(bad(
            "resolves to a loopback, private or link-local address (name the host in HOKENSHA_WEBHOOK_ALLOW_HOSTS to allow it)",
        ));
    }
    Ok(parsed)
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::WebhookSubscriptionNotFound)
}

pub async fn create(
    db: &DatabaseConnection,
    settings: &Settings,
    actor: &Actor,
    url: &str,
    types: &[EventType],
    secret: &str,
) -> Result<Subscription, ApiError> {
    check_url(url, settings).await?;
    Ok(store::create(db, actor, url, types, secret).await?)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &str) -> Result<Subscription, ApiError> {
    store::get(db, insurer, id).await?.ok_or_else(not_found)
}

pub async fn list(db: &DatabaseConnection, insurer: &str, page: &PageRequest) -> Result<Page<Subscription>, ApiError> {
    Ok(store::list(db, insurer, page).await?)
}

/// What a PATCH may change.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub url: Option<String>,
    pub types: Option<Vec<EventType>>,
    pub secret: Option<String>,
    /// Reactivating clears the reason it was disabled; its pending deliveries go out again.
    pub active: Option<bool>,
}

pub async fn update(
    db: &DatabaseConnection,
    settings: &Settings,
    actor: &Actor,
    id: &str,
    change: Change,
) -> Result<Subscription, ApiError> {
    let current = get(db, &actor.insurer, id).await?;
    if let Some(url) = &change.url {
        check_url(url, settings).await?;
    }
    let mut next = current.clone();
    if let Some(url) = change.url {
        next.url = url;
    }
    if let Some(types) = change.types {
        next.types = types;
    }
    if let Some(secret) = change.secret {
        next.secret = secret;
    }
    if let Some(active) = change.active {
        next.active = active;
        if active {
            next.disabled_reason = None;
        }
    }
    store::update(db, actor, &current, next, "webhook_subscription.updated")
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: ErrorCode::WebhookSubscriptionChanged,
            detail: "the subscription changed meanwhile; read it again".into(),
        })
}

pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: &str) -> Result<(), ApiError> {
    if store::delete(db, actor, id).await? {
        Ok(())
    } else {
        Err(not_found())
    }
}

pub async fn deliveries(
    db: &DatabaseConnection,
    insurer: &str,
    id: &str,
    page: &PageRequest,
) -> Result<Page<Delivery>, ApiError> {
    get(db, insurer, id).await?;
    Ok(store::deliveries(db, insurer, id, page).await?)
}

/// Makes rustls on ring the process's TLS provider (HTTPS for deliveries; any HTTP client of
/// the process needs it). Idempotent.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The client deliveries go out with: rustls on ring, no redirects (a redirect could lead past
/// the SSRF guard), ten seconds a try.
pub fn client() -> Result<reqwest::Client, String> {
    install_tls();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .user_agent("hokensha-webhooks")
        .build()
        .map_err(|e| e.to_string())
}

/// One attempt at one delivery.
async fn send(
    client: &reqwest::Client,
    settings: &Settings,
    s: &Subscription,
    e: &Event,
    render: Render,
    now: DateTime<Utc>,
) -> (Option<i32>, Option<String>) {
    // Checked again at each send: a name may resolve elsewhere since the subscription was made.
    if let Err(e) = check_url(&s.url, settings).await {
        return (None, Some(e.to_string()));
    }
    let body = render(e);
    let ts = now.timestamp();
    let res = client
        .post(&s.url)
        .header("content-type", "application/json")
        .header("webhook-id", &e.id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", rules::signature(&s.secret, &e.id, ts, &body))
        .body(body)
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => (Some(i32::from(r.status().as_u16())), None),
        Ok(r) => (
            Some(i32::from(r.status().as_u16())),
            Some(format!("answered {}", r.status())),
        ),
        Err(e) => (None, Some(e.to_string())),
    }
}

/// One round of the worker: queues every active subscription's new events and sends each one's
/// due deliveries in order, stopping at the first that fails. Gives how many attempts it made.
pub async fn deliver_once(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    settings: &Settings,
    render: Render,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut attempts = 0;
    let mut numbered: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for s in store::active(db).await? {
        let last = match numbered.get(&s.insurer) {
            Some(l) => *l,
            None => {
                let l = events::sequence(db, &s.insurer).await?;
                numbered.insert(s.insurer.clone(), l);
                l
            }
        };
        store::enqueue(db, &s, last, 1_000, now).await?;
        while let Some(d) = store::head(db, &s).await? {
            if d.next_attempt_at > now {
                break;
            }
            attempts += 1;
            let Some(event) = events::get(db, &s.insurer, &d.event_id).await? else {
                // Past retention before it could be sent: nothing left to send.
                let a = Attempt {
                    status_code: None,
                    error: Some("the event is past retention".into()),
                    outcome: DeliveryStatus::Failed,
                    next_attempt_at: now,
                };
                store::record_attempt(db, &s.insurer, &d, &a).await?;
                continue;
            };
            let (status_code, error) = send(client, settings, &s, &event, render, now).await;
            if error.is_none() {
                let a = Attempt {
                    status_code,
                    error,
                    outcome: DeliveryStatus::Delivered,
                    next_attempt_at: now,
                };
                store::record_attempt(db, &s.insurer, &d, &a).await?;
                continue;
            }
            let give_up = now - d.created_at >= GIVE_UP_AFTER;
            let tries = u32::try_from(d.attempts).unwrap_or(0) + 1;
            let a = Attempt {
                status_code,
                error: error.clone(),
                outcome: if give_up {
                    DeliveryStatus::Failed
                } else {
                    DeliveryStatus::Pending
                },
                next_attempt_at: now + rules::retry_delay(settings.retry_base_seconds, tries, rand::random()),
            };
            store::record_attempt(db, &s.insurer, &d, &a).await?;
            if give_up {
                let actor = Actor {
                    insurer: s.insurer.clone(),
                    sub: "webhooks".into(),
                    request_id: format!("delivery-{}", d.id),
                };
                let next = Subscription {
                    active: false,
                    disabled_reason: Some(format!(
                        "deliveries failed for {} hours; last: {}",
                        GIVE_UP_AFTER.num_hours(),
                        error.unwrap_or_default()
                    )),
                    ..s.clone()
                };
                store::update(db, &actor, &s, next, "webhook_subscription.disabled").await?;
            }
            break;
        }
    }
    Ok(attempts)
}

/// [`deliver_once`] every second, for as long as the server runs.
pub async fn keep_delivering(db: DatabaseConnection, settings: Settings, render: Render) {
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for webhooks; deliveries are not sent");
            return;
        }
    };
    loop {
        if let Err(e) = deliver_once(&db, &client, &settings, render, Utc::now()).await {
            tracing::warn!(error = %e, "a webhook delivery round failed; retried in a second");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
