//! `/v1/benefit-calculations` and `/v1/benefit-runs`: stored high-cost benefit determinations
//! (高額療養費の支給決定), computed from the stored household, members, claims and the household's
//! own earlier determinations, and the monthly run that computes a whole month.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
pub use crate::domain::benefit::DeterminationStatus;
use crate::domain::benefit::{self as rules, StoredExclusion, StoredMemberBenefit};
use crate::domain::calendar::YearMonth;
use crate::domain::ids::{BenefitRunId, DeterminationId, HouseholdId};
use crate::domain::kogaku::StepRecord;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{BenefitsRead, BenefitsWrite};
use crate::http::extract::path_id;
use crate::service::benefits::{self as service, DeterminationFilter};
use crate::state::AppState;

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
    #[schema(value_type = Vec<super::simulate::ReviewFlag>)]
    pub review: Vec<String>,
    /// The determination this one replaced (its claims changed).
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    /// `total_benefit` minus the total of the determination it replaced.
    pub difference: Option<i64>,
    /// The last day the right to the benefit is in time (時効, 2 years, R15).
    pub lapses_on: NaiveDate,
    /// Why the right lapsed unclaimed, when the status is `lapsed`: `form_unanswered` (the form
    /// mailed was never answered) or `not_claimed` (neither registered nor applied for in time).
    #[schema(value_type = Option<LapseReason>)]
    pub lapse_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Why a right lapsed: mirrors the server's list.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LapseReason {
    FormUnanswered,
    NotClaimed,
}

pub(crate) fn determination_view(d: rules::Determination) -> Determination {
    Determination {
        status: d.status,
        members: d.members,
        steps: d.steps,
        excluded_claims: d.excluded_claims,
        review: d.review,
        id: d.id,
        household_id: d.household_id,
        service_month: d.service_month,
        rule_set: d.rule_set,
        total_benefit: d.total_benefit,
        multiple_applied: d.multiple_applied,
        counts_toward_multiple: d.counts_toward_multiple,
        supersedes: d.supersedes,
        superseded_by: d.superseded_by,
        difference: d.difference,
        lapses_on: d.lapses_on,
        lapse_reason: d.lapse_reason,
        version: d.version,
        created_at: d.created_at,
        decided_at: d.decided_at,
    }
}

fn month(s: &str, field: &str) -> Result<YearMonth, ApiError> {
    YearMonth::parse(s).map_err(|e| ApiError::validation(field, e.to_string()))
}

/// Which household-month to calculate.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CalculationRequest {
    #[schema(format = Uuid)]
    pub household_id: String,
    /// `YYYY-MM`, a month the benefit's rule tables cover (2015-01 to 2027-07).
    #[schema(pattern = r"^(20(1[5-9]|2[0-6])-(0[1-9]|1[0-2])|2027-0[1-7])$")]
    pub service_month: String,
}

/// Calculate (or recalculate) one household-month from the stored data.
#[utoipa::path(
    tag = "benefits",
    request_body = CalculationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
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
    service::ensure_rule_table(m)?;
    let household_id = &body.value.household_id;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let (d, changed) = service::calculate_one(
            &state.db,
            &auth.actor(),
            &path_id::<HouseholdId>(household_id, ErrorCode::HouseholdNotFound)?,
            m,
        )
        .await?;
        let version = d.version;
        let status = if changed { StatusCode::CREATED } else { StatusCode::OK };
        Ok(Answer {
            status,
            body: determination_view(d),
            version: Some(version),
        })
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeterminationQuery {
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub household_id: Option<String>,
    /// `YYYY-MM`
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: Option<String>,
    pub status: Option<DeterminationStatus>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
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
        status: q.status,
        updated_since: q.updated_since,
    };
    let page = service::list(&state.db, auth.insurer(), &filter, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(determination_view))))
}

/// Read a determination with its trace.
#[utoipa::path(
    tag = "benefits",
    params(("id" = String, Path, description = "Determination id", format = Uuid)),
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
    let d = service::get(
        &state.db,
        auth.insurer(),
        &path_id::<DeterminationId>(&id, ErrorCode::DeterminationNotFound)?,
    )
    .await?;
    let version = d.version;
    Ok(with_etag(&determination_view(d), version))
}

/// Decide a calculated determination (支給決定). Deciding a decided one again changes nothing.
#[utoipa::path(
    tag = "benefits",
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Determination id", format = Uuid)),
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
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    idempotent(&state, &req, auth.insurer(), "", || async {
        let d = service::decide(
            &state.db,
            &auth.actor(),
            &path_id::<DeterminationId>(&id, ErrorCode::DeterminationNotFound)?,
        )
        .await?;
        let version = d.version;
        Ok(Answer::with_version(determination_view(d), version))
    })
    .await
}

/// Progress of a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    pub done: i32,
    pub total: i32,
}

/// `running`, `completed`, `failed`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
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

fn run_view(r: rules::BenefitRun) -> BenefitRun {
    BenefitRun {
        status: match r.status {
            rules::RunStatus::Running => RunStatus::Running,
            rules::RunStatus::Completed => RunStatus::Completed,
            rules::RunStatus::Failed => RunStatus::Failed,
        },
        progress: Progress {
            done: r.done,
            total: r.total,
        },
        failures: serde_json::to_value(&r.failures).unwrap_or(serde_json::Value::Array(Vec::new())),
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
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct BenefitRunRequest {
    /// `YYYY-MM`, a month the benefit's rule tables cover (2015-01 to 2027-07).
    #[schema(pattern = r"^(20(1[5-9]|2[0-6])-(0[1-9]|1[0-2])|2027-0[1-7])$")]
    pub service_month: String,
}

/// Start the monthly benefit run: every household with claims in the month is calculated in the
/// background; a household-month whose data did not change keeps its determination.
#[utoipa::path(
    tag = "benefits",
    request_body = BenefitRunRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
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
    req: HttpRequest,
    body: Body<BenefitRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = month(&body.value.service_month, "service_month")?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let run = service::start_run(&state.db, &auth.actor(), m).await?;
        Ok(Answer::new(StatusCode::ACCEPTED, run_view(run)))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BenefitRunQuery {
    /// Runs of this service month (`YYYY-MM`).
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: Option<String>,
    pub status: Option<RunStatus>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List benefit runs, oldest first: a run whose start answer was lost is found here.
#[utoipa::path(
    tag = "benefits",
    params(BenefitRunQuery),
    responses(
        (status = 200, description = "A page of runs", body = ListPage<BenefitRun>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:read"]))
)]
#[get("/benefit-runs")]
pub async fn list_benefit_runs(
    auth: Auth<BenefitsRead>,
    state: web::Data<AppState>,
    q: web::Query<BenefitRunQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let m = q
        .service_month
        .as_deref()
        .map(|s| month(s, "service_month"))
        .transpose()?;
    let status = q.status.map(|s| match s {
        RunStatus::Running => rules::RunStatus::Running,
        RunStatus::Completed => rules::RunStatus::Completed,
        RunStatus::Failed => rules::RunStatus::Failed,
    });
    let page = service::list_runs(&state.db, auth.insurer(), m, status, q.updated_since, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(run_view))))
}

/// Read a run and its progress.
#[utoipa::path(
    tag = "benefits",
    params(("id" = String, Path, description = "Run id", format = Uuid)),
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
    let r = service::get_run(
        &state.db,
        auth.insurer(),
        &path_id::<BenefitRunId>(&id, ErrorCode::BenefitRunNotFound)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(run_view(r)))
}
