//! Installment plans (分割納付) and payment orders (支払督促) of a receivable.

use crate::http::idempotency::{Answer, idempotent};
use actix_web::{HttpRequest, HttpResponse, post, web};

use super::dto::{LegalEvent, NewInstallmentPlan, NewLegalAction, Receivable, created, full_view};
use crate::domain::ids::{LegalActionId, ReceivableId};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::ReceivablesWrite;
use crate::http::extract::Body;
use crate::http::extract::path_id;
use crate::service::receivables::cases::{self as service, Pledge};
use crate::state::AppState;

/// Agree an installment plan over the balance (分割納付). The pledge renews the limitation; while
/// the plan is kept the worklist leaves the receivable alone; two missed instalments default it.
#[utoipa::path(
    tag = "receivables",
    request_body = NewInstallmentPlan,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Receivable id", format = Uuid)),
    responses(
        (status = 201, description = "The receivable with its plans", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to divide, or a plan is still active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Instalments out of range, dates out of order", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/installment-plans")]
pub async fn create_installment_plan(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<NewInstallmentPlan>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let p = Pledge {
        pledged_on: b.pledged_on,
        instalments: b.instalments,
        first_due_on: b.first_due_on,
    };
    let today = state.clock.today();
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::pledge(
            &state.db,
            &auth.actor(),
            today,
            &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
            p,
        )
        .await?;
        Ok(created(f, today))
    })
    .await
}

/// File a payment order (支払督促): the receivable becomes `in_legal` and the limitation is
/// suspended while it is pending.
#[utoipa::path(
    tag = "receivables",
    request_body = NewLegalAction,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Receivable id", format = Uuid)),
    responses(
        (status = 201, description = "The receivable with its legal actions", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Collected or written off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Filed before the assessment", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/legal-actions")]
pub async fn file_legal_action(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<NewLegalAction>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::file_legal_action(
            &state.db,
            &auth.actor(),
            &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
            b.filed_on,
            b.court.clone(),
            b.note.clone(),
        )
        .await?;
        Ok(created(f, state.clock.today()))
    })
    .await
}

/// Record the progress of a payment order.
#[utoipa::path(
    tag = "receivables",
    request_body = LegalEvent,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), 
        ("id" = String, Path, description = "Receivable id", format = Uuid),
        ("legal_id" = String, Path, description = "Legal action id", format = Uuid),
    ),
    responses(
        (status = 200, description = "The receivable with its legal actions", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable or legal action for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already concluded, or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, a date before the filing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/legal-actions/{legal_id}/events")]
pub async fn record_legal_event(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Body<LegalEvent>,
) -> Result<HttpResponse, ApiError> {
    let (id, legal_id) = path.into_inner();
    let b = &body.value;
    let id = path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?;
    let legal_id = path_id::<LegalActionId>(&legal_id, ErrorCode::LegalActionNotFound)?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::record_legal_event(&state.db, &auth.actor(), &id, &legal_id, &b.kind, b.on).await?;
        let version = f.receivable.version;
        Ok(Answer::with_version(full_view(f, state.clock.today()), version))
    })
    .await
}
