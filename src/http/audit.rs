//! `GET /v1/audit`: the audit trail (admin only).

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::page_request;
use super::paging::ListPage;
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::Admin;
use crate::service::audit as service;
use crate::state::AppState;

pub use crate::domain::audit::AuditEvent;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only the events of this resource.
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub resource_id: Option<String>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
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
    Ok(HttpResponse::Ok().json(ListPage::<AuditEvent>::from(rows)))
}
