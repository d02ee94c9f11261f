//! `/v1/webhook-subscriptions`: where to deliver which events, and the log of deliveries.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::idempotency::{Answer, idempotent};
use crate::domain::event::EventType;
use crate::domain::webhook::{Delivery, Subscription};
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{Admin, WebhooksWrite};
use crate::http::extract::{Body, page_request};
use crate::http::paging::ListPage;
use crate::service::webhooks::{self as service, Change, Settings};
use crate::state::AppState;

/// The settings the service needs, from the configuration.
pub fn settings(state: &AppState) -> Settings {
    Settings {
        allow_hosts: state.config.webhook_allow_hosts.clone(),
        retry_base_seconds: state.config.webhook_retry_base_seconds,
    }
}

fn types_of(names: &[String]) -> Result<Vec<EventType>, ApiError> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| EventType::parse(n).map_err(|e| ApiError::validation(format!("types[{i}]"), e.to_string())))
        .collect()
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// Where deliveries are POSTed: http or https; a host that resolves to a loopback, private or
    /// link-local address is refused unless named in `HOKENSHA_WEBHOOK_ALLOW_HOSTS`.
    #[validate(length(min = 1, max = 2048, message = "must be 1 to 2048 characters"))]
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = r"^[hH][tT][tT][pP][sS]?://[^\x00-\x20]+$"
    )]
    pub url: String,
    /// The event types to deliver; empty or absent: every type.
    #[serde(default)]
    #[schema(value_type = Vec<EventType>)]
    pub types: Vec<String>,
    /// Signs each delivery (HMAC-SHA256 keyed with its UTF-8 bytes); never shown again.
    #[validate(length(min = 16, max = 256, message = "must be 16 to 256 characters"))]
    #[schema(min_length = 16, max_length = 256)]
    pub secret: String,
}

/// A change to a subscription.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPatch {
    #[validate(length(min = 1, max = 2048, message = "must be 1 to 2048 characters"))]
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = r"^[hH][tT][tT][pP][sS]?://[^\x00-\x20]+$"
    )]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<EventType>>)]
    pub types: Option<Vec<String>>,
    #[validate(length(min = 16, max = 256, message = "must be 16 to 256 characters"))]
    #[schema(min_length = 16, max_length = 256)]
    pub secret: Option<String>,
    /// `true` reactivates a disabled subscription: its pending deliveries go out again.
    pub active: Option<bool>,
}

/// A subscription (its secret is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSubscription {
    pub id: String,
    pub url: String,
    #[schema(value_type = Vec<EventType>)]
    pub types: Vec<String>,
    pub active: bool,
    /// Why it was disabled (deliveries failing for a day), while it is.
    pub disabled_reason: Option<String>,
    /// The last event sequence queued for it.
    pub last_sequence: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(s: Subscription) -> WebhookSubscription {
    WebhookSubscription {
        id: s.id,
        url: s.url,
        types: s.types.iter().map(|t| t.as_str().to_string()).collect(),
        active: s.active,
        disabled_reason: s.disabled_reason,
        last_sequence: s.last_sequence,
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

/// Where a delivery stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Given up after a day of failures; the subscription was disabled.
    Failed,
}

/// One event's delivery to one subscription, with its last attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    pub event_id: String,
    pub sequence: i64,
    pub status: DeliveryState,
    pub attempts: i32,
    /// When it is tried next (pending) or was last tried.
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn delivery_view(d: Delivery) -> WebhookDelivery {
    use crate::domain::webhook::DeliveryStatus as S;
    WebhookDelivery {
        status: match d.status {
            S::Pending => DeliveryState::Pending,
            S::Delivered => DeliveryState::Delivered,
            S::Failed => DeliveryState::Failed,
        },
        id: d.id,
        event_id: d.event_id,
        sequence: d.sequence,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        delivered_at: d.delivered_at,
        created_at: d.created_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Subscribe a URL to events. Deliveries start with the next event.
#[utoipa::path(
    tag = "events",
    request_body = NewSubscription,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "Subscribed", body = WebhookSubscription),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope webhooks:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another request, or its first request still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad URL (or one that resolves to a private address), type or secret", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks:write"]))
)]
#[post("/webhook-subscriptions")]
pub async fn create_webhook_subscription(
    auth: Auth<WebhooksWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewSubscription>,
) -> Result<HttpResponse, ApiError> {
    let types = types_of(&body.value.types)?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let s = service::create(
            &state.db,
            &settings(&state),
            &auth.actor(),
            &body.value.url,
            &types,
            &body.value.secret,
        )
        .await?;
        let version = s.version;
        Ok(Answer::created(view(s), version))
    })
    .await
}

/// List the subscriptions (admin).
#[utoipa::path(
    tag = "events",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = ListPage<WebhookSubscription>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope admin missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["admin"]))
)]
#[get("/webhook-subscriptions")]
pub async fn list_webhook_subscriptions(
    auth: Auth<Admin>,
    state: web::Data<AppState>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = service::list(&state.db, auth.insurer(), &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(view))))
}

/// Read a subscription.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "Subscription id", format = Uuid)),
    responses(
        (status = 200, description = "The subscription", body = WebhookSubscription),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope webhooks:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks:write"]))
)]
#[get("/webhook-subscriptions/{id}")]
pub async fn get_webhook_subscription(
    auth: Auth<WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let s = service::get(&state.db, auth.insurer(), &id).await?;
    Ok(HttpResponse::Ok().json(view(s)))
}

/// Change a subscription: its URL, types or secret, or activate it again.
#[utoipa::path(
    tag = "events",
    request_body = SubscriptionPatch,
    params(("id" = String, Path, description = "Subscription id", format = Uuid)),
    responses(
        (status = 200, description = "The subscription as changed", body = WebhookSubscription),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope webhooks:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad URL, type or secret", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks:write"]))
)]
#[patch("/webhook-subscriptions/{id}")]
pub async fn update_webhook_subscription(
    auth: Auth<WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<SubscriptionPatch>,
) -> Result<HttpResponse, ApiError> {
    let b = body.value;
    let change = Change {
        types: b.types.as_deref().map(types_of).transpose()?,
        url: b.url,
        secret: b.secret,
        active: b.active,
    };
    let s = service::update(&state.db, &settings(&state), &auth.actor(), &id, change).await?;
    Ok(HttpResponse::Ok().json(view(s)))
}

/// Delete a subscription and its delivery log.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "Subscription id", format = Uuid)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope webhooks:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks:write"]))
)]
#[delete("/webhook-subscriptions/{id}")]
pub async fn delete_webhook_subscription(
    auth: Auth<WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    service::delete(&state.db, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The subscription's deliveries, oldest first, with each one's last attempt.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "Subscription id", format = Uuid), PageQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = ListPage<WebhookDelivery>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope webhooks:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks:write"]))
)]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    auth: Auth<WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = service::deliveries(&state.db, auth.insurer(), &id, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(delivery_view))))
}
