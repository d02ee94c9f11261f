//! `GET /v1/audit`: the audit trail (admin only).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::page_request;
use super::paging::ListPage;
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::Admin;
use crate::service::audit as service;
use crate::state::AppState;

/// One write: who (the token's `sub`), which tenant, what, on which resource, in which request.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub insurer: String,
    pub actor: String,
    /// e.g. `household.created`, `claim.updated`, `claim.voided`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub request_id: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only the events of this resource.
    pub resource_id: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Read the audit trail, oldest first.
#[utoipa::path(
    tag = "operations",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of events", body = ListPage<AuditEvent>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope admin missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["admin"]))
)]
#[get("/audit")]
pub async fn list_audit_events(
    auth: Auth<Admin>,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let rows = service::list(&state.db, auth.insurer(), q.resource_id.as_deref(), &page).await?;
    let page: ListPage<AuditEvent> = rows
        .map(|e| AuditEvent {
            id: e.id,
            insurer: e.insurer,
            actor: e.actor,
            action: e.action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            request_id: e.request_id,
            at: e.at,
        })
        .into();
    Ok(HttpResponse::Ok().json(page))
}
