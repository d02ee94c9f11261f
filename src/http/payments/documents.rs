//! The documents of a determination: a payment's decision notice and the pre-filled form.

use actix_web::{HttpResponse, get, web};

use super::dto::{ApplicationForm, PaymentNotice, form_document_view, notice_view};
use crate::domain::ids::{DeterminationId, PaymentId};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::PaymentsRead;
use crate::http::extract::path_id;
use crate::service::payments::documents as service;
use crate::state::AppState;

/// The payment notice (支給決定通知書) as data.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Payment id", format = Uuid)),
    responses(
        (status = 200, description = "The notice", body = PaymentNotice),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such payment for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payments/{id}/notice")]
pub async fn get_payment_notice(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let n = service::notice(
        &state.db,
        auth.insurer(),
        &path_id::<PaymentId>(&id, ErrorCode::PaymentNotFound)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(notice_view(n)))
}

/// The pre-filled application form of a determination, as data.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Determination id", format = Uuid)),
    responses(
        (status = 200, description = "The form", body = ApplicationForm),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such determination for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded: the form of its successor applies", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/benefit-calculations/{id}/application-form")]
pub async fn get_application_form(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let f = service::form(
        &state.db,
        auth.insurer(),
        &path_id::<DeterminationId>(&id, ErrorCode::DeterminationNotFound)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(form_document_view(f)))
}
