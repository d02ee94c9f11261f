//! Payment runs: start one, read it, its payments and forms, and its transfer file.

use crate::http::idempotency::{Answer, idempotent};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Datelike, Weekday};

use super::dto::{
    ApplicationFormRecord, PageQuery, Payment, PaymentRun, PaymentRunRequest, form_view, payment_view, run_view,
};
use crate::domain::calendar::YearMonth;
use crate::domain::ids::PaymentRunId;
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
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h")),
    responses(
        (status = 201, description = "The run, completed (or failed, with `error`)", body = PaymentRun),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another request, or its first request still running", body = Problem, content_type = "application/problem+json"),
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

/// Read a payment run.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id")),
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
    params(("id" = String, Path, description = "Run id"), PageQuery),
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
    params(("id" = String, Path, description = "Run id"), PageQuery),
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
/// configuration (`HOKENSHA_REMITTERS`).
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "The transfer file", body = Vec<u8>, content_type = "text/plain; charset=Shift_JIS"),
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
    let remitter = || {
        state
            .config
            .remitters
            .get(auth.insurer())
            .ok_or_else(|| ApiError::Conflict {
                code: ErrorCode::RemitterNotConfigured,
                detail: format!("no remitter is configured for insurer {}", auth.insurer()),
            })?
            .remitter()
            .map_err(ApiError::Internal)
    };
    let (r, bytes) = service::transfer_file(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentRunId>(&id, ErrorCode::PaymentRunNotFound)?,
        remitter,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=Shift_JIS")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"sogo-furikomi-{}-{}.txt\"",
                r.service_month, r.id
            ),
        ))
        .body(bytes))
}
