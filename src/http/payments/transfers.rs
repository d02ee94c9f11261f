//! The bank's returns of a run's transfers, and one payment.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{Payment, TransferResults, TransferResultsOutcome, payment_view};
use crate::domain::calendar::YearMonth;
use crate::domain::ids::{PaymentId, PaymentRunId};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{PaymentsRead, PaymentsWrite};
use crate::http::extract::path_id;
use crate::http::extract::{Body, page_request};
use crate::http::idempotency::{Answer, idempotent, with_etag};
use crate::http::paging::ListPage;
use crate::service::payments::records;
use crate::service::payments::results::{self as service, Returned};
use crate::state::AppState;

/// Record transfers that failed (account closed, name mismatch): each payment is marked failed,
/// its determination waits for a later run again, and the registration is paused until its account
/// is changed. All or nothing.
#[utoipa::path(
    tag = "payments",
    request_body = TransferResults,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Run id", format = Uuid)),
    responses(
        (status = 200, description = "Recorded", body = TransferResultsOutcome),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Written concurrently; send again", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A payment that is not this run's, or with no bank part", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/payment-runs/{id}/results")]
pub async fn record_transfer_results(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<TransferResults>,
) -> Result<HttpResponse, ApiError> {
    let returned: Vec<Returned> = body
        .value
        .failures
        .iter()
        .map(|f| Returned {
            payment_id: f.payment_id.clone(),
            reason: f.reason,
            failed_on: f.failed_on,
        })
        .collect();
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let out = service::record(
            &state.db,
            &auth.actor(),
            &path_id::<PaymentRunId>(&id, ErrorCode::PaymentRunNotFound)?,
            &returned,
        )
        .await?;
        Ok(Answer::ok(TransferResultsOutcome::from(out)))
    })
    .await
}

/// Which payments to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub household_id: Option<String>,
    /// `YYYY-MM`
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: Option<String>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List payments, oldest first, of a household and a service month when given.
#[utoipa::path(
    tag = "payments",
    params(PaymentQuery),
    responses(
        (status = 200, description = "A page of payments", body = ListPage<Payment>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payments")]
pub async fn list_payments(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    q: web::Query<PaymentQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let month = q
        .service_month
        .as_deref()
        .map(|m| YearMonth::parse(m).map_err(|e| ApiError::validation("service_month", e.to_string())))
        .transpose()?;
    let page = records::all_payments(
        &state.db,
        auth.insurer(),
        q.household_id.as_deref(),
        month,
        q.updated_since,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::<Payment>::from(page.map(payment_view))))
}

/// Read a payment.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Payment id", format = Uuid)),
    responses(
        (status = 200, description = "The payment", body = Payment),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such payment for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payments/{id}")]
pub async fn get_payment(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = records::payment(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentId>(&id, ErrorCode::PaymentNotFound)?,
    )
    .await?;
    let version = p.version;
    Ok(with_etag::<Payment>(&payment_view(p), version))
}
