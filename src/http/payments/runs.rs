//! Payment runs: start one, read it, its payments and forms, and its transfer file.

use crate::http::idempotency::{Answer, idempotent};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Datelike, Weekday};

use super::dto::{
    ApplicationFormRecord, PageQuery, Payment, PaymentRun, PaymentRunRequest, PaymentRunStatus, RunProgress, RunView,
    form_view, payment_view, run_state, run_view,
};
use crate::domain::calendar::YearMonth;
use crate::domain::ids::PaymentRunId;
use crate::domain::run::RunStatus;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{PaymentsRead, PaymentsWrite};
use crate::http::extract::path_id;
use crate::http::extract::{Body, page_request};
use crate::http::paging::ListPage;
use crate::service::payments::records as service;
use crate::state::AppState;

/// Run the payments of a month: every decided determination not yet settled is paid to the
/// household's active registration (net of consented offsets), or gets a pre-filled form when the
/// household is not registered. Runs to its end before answering; a determination is paid at most
/// once, whatever is retried or run twice.
#[utoipa::path(
    tag = "payments",
    request_body = PaymentRunRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "The run, completed (or failed, with `error`)", body = PaymentRun),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A run of the month is still running (`run_in_progress`), or the Idempotency-Key was reused with another request or its first request is still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, or a transfer date on a weekend", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/payment-runs")]
pub async fn create_payment_run(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<PaymentRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let m = YearMonth::parse(&b.service_month).map_err(|e| ApiError::validation("service_month", e.to_string()))?;
    if matches!(b.transfer_date.weekday(), Weekday::Sat | Weekday::Sun) {
        return Err(ApiError::validation(
            "transfer_date",
            "must be a bank business day, not a Saturday or Sunday",
        ));
    }
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let r = service::pay_month(&state.db, &state.clock, &auth.actor(), &m.to_string(), b.transfer_date).await?;
        Ok(Answer::new(actix_web::http::StatusCode::CREATED, run_view(r)))
    })
    .await
}

/// Which runs to list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PaymentRunQuery {
    /// Runs of this service month (`YYYY-MM`).
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: Option<String>,
    pub status: Option<PaymentRunStatus>,
    /// Runs changed at or after this instant (RFC 3339).
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A payment run as lists show it: the run without its forms (read the run, or page its forms,
/// for those).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PaymentRunSummary {
    pub id: String,
    pub service_month: String,
    /// 振込指定日.
    pub transfer_date: chrono::NaiveDate,
    pub status: PaymentRunStatus,
    pub progress: RunProgress,
    pub payment_count: i32,
    pub total_amount: i64,
    pub offset_total: i64,
    pub application_form_count: i32,
    pub refunds: i32,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn summary_view(r: crate::domain::disbursement::PaymentRun) -> PaymentRunSummary {
    let RunView { status, progress } = run_state(&r);
    PaymentRunSummary {
        status,
        progress,
        id: r.id,
        service_month: r.service_month,
        transfer_date: r.transfer_date,
        payment_count: r.payment_count,
        total_amount: r.total_amount,
        offset_total: r.offset_total,
        application_form_count: r.application_forms,
        refunds: r.refunds,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    }
}

/// List payment runs, oldest first: a run whose start answer was lost is found here.
#[utoipa::path(
    tag = "payments",
    params(PaymentRunQuery),
    responses(
        (status = 200, description = "A page of runs", body = ListPage<PaymentRunSummary>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs")]
pub async fn list_payment_runs(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    q: web::Query<PaymentRunQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let month = q
        .service_month
        .as_deref()
        .map(|s| YearMonth::parse(s).map_err(|e| ApiError::validation("service_month", e.to_string())))
        .transpose()?
        .map(|m| m.to_string());
    let status = q.status.map(|s| match s {
        PaymentRunStatus::Running => RunStatus::Running,
        PaymentRunStatus::Completed => RunStatus::Completed,
        PaymentRunStatus::Failed => RunStatus::Failed,
    });
    let page = service::list_runs(
        &state.db,
        auth.insurer(),
        month.as_deref(),
        status,
        q.updated_since,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(summary_view))))
}

/// Read a payment run.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id", format = Uuid)),
    responses(
        (status = 200, description = "The run", body = PaymentRun),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}")]
pub async fn get_payment_run(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = service::get_run(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentRunId>(&id, ErrorCode::PaymentRunNotFound)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(run_view(r)))
}

/// The payments of a run, in transfer-file order.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id", format = Uuid), PageQuery),
    responses(
        (status = 200, description = "A page of payments", body = ListPage<Payment>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}/payments")]
pub async fn list_run_payments(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = service::payments(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentRunId>(&id, ErrorCode::PaymentRunNotFound)?,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::<Payment>::from(page.map(payment_view))))
}

/// The application forms a run issued (households paid by application, not automatically).
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id", format = Uuid), PageQuery),
    responses(
        (status = 200, description = "A page of forms", body = ListPage<ApplicationFormRecord>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}/application-forms")]
pub async fn list_run_forms(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = service::forms(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentRunId>(&id, ErrorCode::PaymentRunNotFound)?,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::<ApplicationFormRecord>::from(page.map(form_view))))
}

/// The run's 全銀 総合振込 file: header, one data record per payment with a bank part, trailer and
/// end record, each 120 bytes of Shift_JIS followed by CR LF. The remitter is the insurer's, from
/// its scheme settings (`PUT /v1/settings/benefit-scheme`), else from start-up configuration
/// (`HOKENSHA_REMITTERS`).
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id", format = Uuid)),
    responses(
        (status = 200, description = "The transfer file: bytes of Shift_JIS text, as the bank takes them (`application/octet-stream`, so that clients keep the bytes rather than decode them as text)", body = inline(crate::http::schema::Binary), content_type = "application/octet-stream"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The run is not completed, has no transfers, or no remitter is configured for the insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}/transfer-file")]
pub async fn get_transfer_file(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (r, bytes) = service::transfer_file(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentRunId>(&id, ErrorCode::PaymentRunNotFound)?,
        state.config.remitters.get(auth.insurer()),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"sogo-furikomi-{}-{}.txt\"",
                r.service_month, r.id
            ),
        ))
        .body(bytes))
}
