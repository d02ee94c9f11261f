//! Dunning (催告): actions taken on a receivable, the day's worklist, and the detection of care
//! after a loss of eligibility that assesses refunds by itself.

use crate::http::idempotency::{Answer, idempotent};
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{DetectionRequest, NewAction, Receivable, Worklist, WorklistQuery, created, work_item};
use crate::domain::calendar::YearMonth;
use crate::domain::ids::ReceivableId;
use crate::domain::receivable::{ActionKind, ActionOutcome};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{ReceivablesRead, ReceivablesWrite};
use crate::http::extract::path_id;
use crate::http::extract::{Body, page_request};
use crate::service::receivables::cases::{self as service, Taken};
use crate::service::receivables::worklist;
use crate::state::AppState;

/// Record an action (催告, call, visit, 督促, 支払督促 filed, 承認, ...). A 督促 is for statutory
/// kinds only; a filed payment order puts the receivable `in_legal`.
#[utoipa::path(
    tag = "receivables",
    request_body = NewAction,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Receivable id", format = Uuid)),
    responses(
        (status = 201, description = "Recorded; the receivable as it now stands", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Collected or written off: nothing to act on", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind or outcome, a date before the assessment, a 督促 on a civil claim", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/actions")]
pub async fn record_action(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<NewAction>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let kind = ActionKind::parse(&b.kind).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    let outcome = match &b.outcome {
        Some(o) => Some(ActionOutcome::parse(o).map_err(|e| ApiError::validation("outcome", e.to_string()))?),
        None => None,
    };
    let t = Taken {
        kind,
        on: b.on,
        outcome,
        note: b.note.clone(),
    };
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::record_action(
            &state.db,
            &auth.actor(),
            &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
            t,
        )
        .await?;
        Ok(created(f, state.clock.today()))
    })
    .await
}

/// Detect care after loss of eligibility (資格喪失後受診) in a month's claims: one
/// `overpayment_refund` / `ineligible_visit` receivable per member and month for the insurer's
/// share (`total_cost - copayment`, plus a high-cost benefit already paid for those claims), the
/// household head as debtor. Running it again creates nothing new; a voided or corrected claim
/// reduces (調定減) or raises the receivable.
#[utoipa::path(
    tag = "receivables",
    request_body = DetectionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 200, description = "What was assessed, raised, reduced or left", body = crate::service::detection::DetectionReport),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another request, or its first request still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/detect-ineligible-visits")]
pub async fn detect_ineligible_visits(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<DetectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = YearMonth::parse(&body.value.service_month)
        .map_err(|e| ApiError::validation("service_month", e.to_string()))?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let report =
            crate::service::detection::detect_ineligible_visits(&state.db, &auth.actor(), m, state.clock.today())
                .await?;
        Ok(Answer::ok(report))
    })
    .await
}

/// The actions the dunning rules call due on a day, each with its rule: the call before the slip
/// for 100,000 yen or more with a known phone, written dunning after the due date, the second and
/// final notices, legal action (支払督促) within 6 months of assessment for debtors who have not
/// responded, prior-year receivables in 3 groups one group a month (to the workplace when known),
/// and limitation 90 days ahead. Paged by receivable: a page holds the items of whole receivables.
#[utoipa::path(
    tag = "receivables",
    params(WorklistQuery),
    responses(
        (status = 200, description = "The items due", body = Worklist),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad date, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/dunning/worklist")]
pub async fn dunning_worklist(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    q: web::Query<WorklistQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let on = q.on.unwrap_or_else(|| state.clock.today());
    let w = worklist::worklist(&state.db, auth.insurer(), on, &page).await?;
    Ok(HttpResponse::Ok().json(Worklist {
        on: w.on,
        items: w.items.into_iter().map(work_item).collect(),
        next_cursor: w.next_cursor,
    }))
}
