//! `/v1/counterparties` (insurers that do or do not take part in 保険者間調整) and
//! `/v1/plans/{fiscal_year}` (the monthly targets of the seed's tables).

use actix_web::{HttpResponse, get, put, web};
use chrono::DateTime;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, page_request};
use super::idempotency::with_etag;
use super::paging::ListPage;
use crate::domain::calendar::FiscalYear;
use crate::domain::plan as rules;
use crate::error::{ApiError, Problem};
use crate::http::auth::scope::{AdjustmentsRead, AdjustmentsWrite, ReceivablesWrite, StatisticsRead};
use crate::http::auth::{Auth, is_insurer_number};
use crate::service::plans as service;
use crate::state::AppState;

/// Whether another insurer takes part in adjustment.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CounterpartyBody {
    /// Not all spaces.
    #[validate(custom(function = "crate::http::extract::not_blank", message = "must not be empty"))]
    #[schema(
        min_length = 1,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub name: String,
    pub participates: bool,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub note: Option<String>,
}

/// A registered counterparty.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counterparty {
    /// 保険者番号.
    pub number: String,
    pub name: String,
    pub participates: bool,
    pub note: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

fn counterparty_view(c: rules::Counterparty) -> Counterparty {
    Counterparty {
        number: c.number,
        name: c.name,
        participates: c.participates,
        note: c.note,
        version: c.version,
        updated_at: c.updated_at,
    }
}

/// Register (or change) a counterparty. A request to one that does not take part is refused.
#[utoipa::path(
    tag = "adjustments",
    request_body = CounterpartyBody,
    params(("number" = String, Path, description = "保険者番号, 6 or 8 digits", pattern = r"^([0-9]{6}|[0-9]{8})$")),
    responses(
        (status = 200, description = "As stored", body = Counterparty),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope adjustments:write missing, or an agent's token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad number or empty name", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["adjustments:write"]))
)]
#[put("/counterparties/{number}")]
pub async fn put_counterparty(
    auth: Auth<AdjustmentsWrite>,
    state: web::Data<AppState>,
    number: web::Path<String>,
    body: Body<CounterpartyBody>,
) -> Result<HttpResponse, ApiError> {
    if !is_insurer_number(&number) {
        return Err(ApiError::validation("number", "must be 6 or 8 digits"));
    }
    let b = &body.value;
    let row = service::put_counterparty(
        &state.db,
        &auth.caller(),
        &number,
        b.name.trim(),
        b.participates,
        b.note.clone(),
    )
    .await?;
    let version = row.version;
    Ok(with_etag(&counterparty_view(row), version))
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

/// List the registry.
#[utoipa::path(
    tag = "adjustments",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of counterparties", body = ListPage<Counterparty>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope adjustments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["adjustments:read"]))
)]
#[get("/counterparties")]
pub async fn list_counterparties(
    auth: Auth<AdjustmentsRead>,
    state: web::Data<AppState>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = service::counterparties(&state.db, auth.insurer(), &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(counterparty_view))))
}

pub use crate::domain::plan::MonthPlan;

/// A year's plan.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The months of the year, each at most once.
    #[schema(max_items = 12)]
    pub months: Vec<MonthPlan>,
}

/// A stored plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    pub fiscal_year: i32,
    /// April to March.
    pub months: Vec<MonthPlan>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

fn plan_view(p: rules::Plan) -> Plan {
    Plan {
        fiscal_year: p.fiscal_year,
        months: p.months,
        version: p.version,
        updated_at: p.updated_at,
    }
}

/// Set the monthly targets of a fiscal year (replaces the year's plan).
#[utoipa::path(
    tag = "statistics",
    request_body = PlanBody,
    params(("fiscal_year" = i32, Path, description = "The fiscal year (April-March, named by its first year; 1900 to 9998)", minimum = 1900, maximum = 9998)),
    responses(
        (status = 200, description = "As stored", body = Plan),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A month outside the year or twice, a negative target", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[put("/plans/{fiscal_year}")]
pub async fn put_plan(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    fiscal_year: web::Path<i32>,
    body: Body<PlanBody>,
) -> Result<HttpResponse, ApiError> {
    let fy = FiscalYear::new(*fiscal_year).map_err(|e| ApiError::validation("fiscal_year", e.to_string()))?;
    let months = body.value.months;
    let p = service::put_plan(&state.db, &auth.actor(), fy, months).await?;
    let version = p.version;
    Ok(with_etag(&plan_view(p), version))
}

/// Read a year's plan.
#[utoipa::path(
    tag = "statistics",
    params(("fiscal_year" = i32, Path, description = "The fiscal year")),
    responses(
        (status = 200, description = "The plan", body = Plan),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No plan for that year", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/plans/{fiscal_year}")]
pub async fn get_plan(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    fiscal_year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let p = service::plan(&state.db, auth.insurer(), *fiscal_year).await?;
    let version = p.version;
    Ok(with_etag(&plan_view(p), version))
}
