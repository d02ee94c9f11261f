//! `GET /v1/events`: the feed of what changed, by cursor (イベント).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::event::{Event, EventType};
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::EventsRead;
use crate::service::events::{self as service, FeedQuery};
use crate::state::AppState;

/// Which events to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The `next_cursor` of the last page read; without it, the feed starts at the oldest event
    /// still kept.
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub after: Option<String>,
    /// Comma-separated event types (all when absent), e.g. `claim.updated,benefit.superseded`.
    pub types: Option<String>,
    /// 1..500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Seconds an empty page may wait for new events (0..30, default 0).
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u64>,
}

/// The resource an event is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResource {
    /// `claim`, `household`, `member`, `benefit_determination`, `payment`,
    /// `payment_registration`, `receivable`, `adjustment_request`.
    pub kind: String,
    #[schema(format = Uuid)]
    pub id: String,
}

/// What an event carries besides its resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventData {
    /// The household the resource belongs to, where there is one.
    pub household_id: Option<String>,
    /// The outsourced agency, for an adjustment request's events.
    pub agency: Option<String>,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    /// The insurer's order of events: increasing by one, in commit order.
    pub sequence: i64,
    #[serde(rename = "type")]
    #[schema(value_type = EventType)]
    pub event_type: String,
    pub resource: EventResource,
    pub occurred_at: DateTime<Utc>,
    pub data: EventData,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `after` for the next read; never null (an empty page gives back where to wait).
    pub next_cursor: String,
}

fn view(e: Event) -> EventView {
    EventView {
        id: e.id,
        sequence: e.sequence,
        event_type: e.event_type.as_str().to_string(),
        resource: EventResource {
            kind: e.resource_kind,
            id: e.resource_id,
        },
        occurred_at: e.occurred_at,
        data: EventData {
            household_id: e.household_id,
            agency: e.agency,
        },
    }
}

/// Read the events after a cursor, in order. Every change an integrator may care about is an
/// event, written in the transaction of the change: a rolled-back write leaves none. A token with
/// `agency` sees only the events of its agency's adjustment requests.
#[utoipa::path(
    tag = "events",
    params(EventQuery),
    responses(
        (status = 200, description = "A page of events", body = EventPage),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope events:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The cursor points into events past retention (`cursor_expired`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad cursor, type, limit or wait", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["events:read"]))
)]
#[get("/events")]
pub async fn list_events(
    auth: Auth<EventsRead>,
    state: web::Data<AppState>,
    q: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = q
        .after
        .as_deref()
        .map(|a| {
            a.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0 && a.len() <= 18)
                .ok_or_else(|| ApiError::validation("after", "must be a cursor this feed gave"))
        })
        .transpose()?;
    let types = match q.types.as_deref() {
        None | Some("") => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|t| EventType::parse(t.trim()).map_err(|e| ApiError::validation("types", e.to_string())))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "must be 1 to 500"));
    }
    let wait = q.wait.unwrap_or(0);
    if wait > service::MAX_WAIT.as_secs() {
        return Err(ApiError::validation("wait", "must be 0 to 30 seconds"));
    }
    let page = service::feed(
        &state.db,
        auth.insurer(),
        auth.principal.agency.as_deref(),
        FeedQuery {
            after,
            types,
            limit,
            wait: std::time::Duration::from_secs(wait),
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(EventPage {
        items: page.items.into_iter().map(view).collect(),
        next_cursor: page.next_cursor.to_string(),
    }))
}

/// The body of a webhook delivery: the event as the feed shows it.
pub fn payload(e: &Event) -> Vec<u8> {
    serde_json::to_vec(&view(e.clone())).unwrap_or_default()
}
