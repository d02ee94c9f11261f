//! `/v1/benefit-calculations` and `/v1/benefit-runs`: stored high-cost benefit determinations
//! (高額療養費の支給決定), computed from the stored household, members, claims and the household's
//! own earlier determinations, and the monthly run that computes a whole month.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use crate::domain::calendar::YearMonth;
use crate::domain::kogaku::{self, StepRecord};
use crate::error::{ApiError, ErrorCode, Problem, kogaku_error};
use crate::http::auth::Auth;
use crate::http::auth::scope::{BenefitsRead, BenefitsWrite};
use crate::service::benefits::{StoredExclusion, StoredMemberBenefit};
use crate::state::AppState;
use crate::store::benefits::{self as store, DeterminationFilter};
use crate::store::entity::{benefit_determination as det, benefit_run};
use crate::store::households as household_store;

/// `calculated` -> `decided` -> `paid`; any of them may become `superseded` when its claims change.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeterminationStatus {
    Calculated,
    Decided,
    Paid,
    Superseded,
}

impl DeterminationStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Calculated => store::CALCULATED,
            Self::Decided => store::DECIDED,
            Self::Paid => store::PAID,
            Self::Superseded => store::SUPERSEDED,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Calculated, Self::Decided, Self::Paid, Self::Superseded]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A stored determination of one household-month.
#[derive(Debug, Serialize, ToSchema)]
pub struct Determination {
    pub id: String,
    pub household_id: String,
    pub service_month: String,
    pub status: DeterminationStatus,
    pub rule_set: String,
    pub total_benefit: i64,
    pub members: Vec<StoredMemberBenefit>,
    pub steps: Vec<StepRecord>,
    pub multiple_applied: bool,
    pub counts_toward_multiple: bool,
    pub excluded_claims: Vec<StoredExclusion>,
    pub review: Vec<String>,
    /// The determination this one replaced (its claims changed).
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    /// `total_benefit` minus the total of the determination it replaced.
    pub difference: Option<i64>,
    /// The last day the right to the benefit is in time (時効, 2 years, R15).
    pub lapses_on: NaiveDate,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, ApiError> {
    serde_json::from_str(s).map_err(|e| ApiError::Internal(format!("stored {what}: {e}")))
}

pub(crate) fn determination_view(m: det::Model) -> Result<Determination, ApiError> {
    Ok(Determination {
        status: DeterminationStatus::parse(&m.status).ok_or_else(|| ApiError::Internal("status".into()))?,
        members: parse_json(&m.members, "members")?,
        steps: parse_json(&m.steps, "steps")?,
        excluded_claims: parse_json(&m.excluded_claims, "excluded_claims")?,
        review: parse_json(&m.review, "review")?,
        id: m.id,
        household_id: m.household_id,
        service_month: m.service_month,
        rule_set: m.rule_set,
        total_benefit: m.total_benefit,
        multiple_applied: m.multiple_applied,
        counts_toward_multiple: m.counts_toward_multiple,
        supersedes: m.supersedes_id,
        superseded_by: m.superseded_by_id,
        difference: m.difference,
        lapses_on: m.lapses_on,
        version: m.version,
        created_at: m.created_at,
        decided_at: m.decided_at,
    })
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::DeterminationNotFound)
}

fn month(s: &str, field: &str) -> Result<YearMonth, ApiError> {
    YearMonth::parse(s).map_err(|e| ApiError::validation(field, e.to_string()))
}

/// 422 when no rule table covers the month, before any work is done.
fn ensure_rule_table(m: YearMonth) -> Result<(), ApiError> {
    kogaku::rule_set_for(m)
        .map(|_| ())
        .map_err(|e| kogaku_error(e, "claims"))
}

/// Which household-month to calculate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculationRequest {
    pub household_id: String,
    /// `YYYY-MM`
    pub service_month: String,
}

/// Calculate (or recalculate) one household-month from the stored data.
#[utoipa::path(
    tag = "benefits",
    request_body = CalculationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h")),
    responses(
        (status = 201, description = "A new determination (superseding the old one when the data changed)", body = Determination),
        (status = 200, description = "Nothing changed: the current determination", body = Determination),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused, or a concurrent calculation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, no rule table, or no income category for the month", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:write"]))
)]
#[post("/benefit-calculations")]
pub async fn create_benefit_calculation(
    auth: Auth<BenefitsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<CalculationRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = month(&body.value.service_month, "service_month")?;
    ensure_rule_table(m)?;
    let household = household_store::get(&state.db, auth.insurer(), &body.value.household_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::HouseholdNotFound))?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let (mut done, _) = crate::service::benefits::calculate_households(
            &state.db,
            &auth.actor(),
            m,
            std::slice::from_ref(&household.id),
            true,
        )
        .await
        .map_err(ApiError::from)?;
        let c = done
            .pop()
            .ok_or_else(|| ApiError::Internal("no determination".into()))?;
        let row = store::get(&state.db, auth.insurer(), &c.id)
            .await?
            .ok_or_else(not_found)?;
        let version = row.version;
        let status = if c.changed { StatusCode::CREATED } else { StatusCode::OK };
        Ok(Answer {
            status,
            body: determination_view(row)?,
            version: Some(version),
        })
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeterminationQuery {
    pub household_id: Option<String>,
    /// `YYYY-MM`
    pub service_month: Option<String>,
    pub status: Option<DeterminationStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List determinations.
#[utoipa::path(
    tag = "benefits",
    params(DeterminationQuery),
    responses(
        (status = 200, description = "A page of determinations", body = ListPage<Determination>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:read"]))
)]
#[get("/benefit-calculations")]
pub async fn list_benefit_calculations(
    auth: Auth<BenefitsRead>,
    state: web::Data<AppState>,
    q: web::Query<DeterminationQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    if let Some(m) = &q.service_month {
        month(m, "service_month")?;
    }
    let q = q.into_inner();
    let filter = DeterminationFilter {
        household_id: q.household_id,
        service_month: q.service_month,
        status: q.status.map(|s| s.as_str().to_string()),
    };
    let rows = store::list(&state.db, auth.insurer(), &filter, &page).await?;
    let next_cursor = rows.next_cursor.clone();
    let items = rows
        .items
        .into_iter()
        .map(determination_view)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ListPage { items, next_cursor }))
}

/// Read a determination with its trace.
#[utoipa::path(
    tag = "benefits",
    params(("id" = String, Path, description = "Determination id")),
    responses(
        (status = 200, description = "The determination", body = Determination),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such determination for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:read"]))
)]
#[get("/benefit-calculations/{id}")]
pub async fn get_benefit_calculation(
    auth: Auth<BenefitsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let version = row.version;
    Ok(with_etag(&determination_view(row)?, version))
}

/// Decide a calculated determination (支給決定). Deciding a decided one again changes nothing.
#[utoipa::path(
    tag = "benefits",
    params(("id" = String, Path, description = "Determination id")),
    responses(
        (status = 200, description = "The decided determination", body = Determination),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such determination for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded or paid: cannot be decided", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:write"]))
)]
#[post("/benefit-calculations/{id}/decide")]
pub async fn decide_benefit_calculation(
    auth: Auth<BenefitsWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    if row.status == store::DECIDED {
        let version = row.version;
        return Ok(with_etag(&determination_view(row)?, version));
    }
    if row.status != store::CALCULATED {
        return Err(ApiError::Conflict {
            code: ErrorCode::DeterminationNotCalculated,
            detail: format!("a {} determination cannot be decided", row.status),
        });
    }
    let decided = store::decide(&state.db, &auth.actor(), &row)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: ErrorCode::DeterminationChanged,
            detail: "the determination changed while it was being decided".into(),
        })?;
    let version = decided.version;
    Ok(with_etag(&determination_view(decided)?, version))
}

/// Progress of a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    pub done: i32,
    pub total: i32,
}

/// `running`, `completed`, `failed`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
}

/// A monthly benefit run.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitRun {
    pub id: String,
    pub service_month: String,
    pub status: RunStatus,
    pub progress: Progress,
    /// Household-months (re)calculated because their data changed.
    pub calculated: i32,
    /// Household-months whose current determination was still right.
    pub unchanged: i32,
    /// Household-months that could not be calculated (see `failures`).
    pub failed: i32,
    /// The first 100 failures: `{household_id, code, detail}`.
    #[schema(value_type = Vec<Object>)]
    pub failures: serde_json::Value,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn run_view(r: benefit_run::Model) -> BenefitRun {
    BenefitRun {
        status: match r.status.as_str() {
            store::RUNNING => RunStatus::Running,
            store::COMPLETED => RunStatus::Completed,
            _ => RunStatus::Failed,
        },
        progress: Progress {
            done: r.done,
            total: r.total,
        },
        failures: serde_json::from_str(&r.failures).unwrap_or(serde_json::Value::Array(Vec::new())),
        id: r.id,
        service_month: r.service_month,
        calculated: r.calculated,
        unchanged: r.unchanged,
        failed: r.failed,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    }
}

/// Which month to run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitRunRequest {
    /// `YYYY-MM`
    pub service_month: String,
}

/// Start the monthly benefit run: every household with claims in the month is calculated in the
/// background; a household-month whose data did not change keeps its determination.
#[utoipa::path(
    tag = "benefits",
    request_body = BenefitRunRequest,
    responses(
        (status = 202, description = "Started; poll GET /v1/benefit-runs/{id}", body = BenefitRun),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A run of this month is still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, or no rule table for it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:write"]))
)]
#[post("/benefit-runs")]
pub async fn create_benefit_run(
    auth: Auth<BenefitsWrite>,
    state: web::Data<AppState>,
    body: Body<BenefitRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = month(&body.value.service_month, "service_month")?;
    ensure_rule_table(m)?;
    let ms = m.to_string();
    if let Some(r) = store::running_run(&state.db, auth.insurer(), &ms).await? {
        return Err(ApiError::Conflict {
            code: ErrorCode::RunInProgress,
            detail: format!("run {} of {ms} is still running", r.id),
        });
    }
    let total = store::count_households_with_claims(&state.db, auth.insurer(), &ms).await?;
    let run = store::create_run(&state.db, &auth.actor(), &ms, total).await?;
    actix_web::rt::spawn(crate::service::benefits::run_benefit_run(state.db.clone(), run.clone()));
    Ok(HttpResponse::Accepted().json(run_view(run)))
}

/// Read a run and its progress.
#[utoipa::path(
    tag = "benefits",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "The run", body = BenefitRun),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:read"]))
)]
#[get("/benefit-runs/{id}")]
pub async fn get_benefit_run(
    auth: Auth<BenefitsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get_run(&state.db, auth.insurer(), &id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::BenefitRunNotFound))?;
    Ok(HttpResponse::Ok().json(run_view(r)))
}
