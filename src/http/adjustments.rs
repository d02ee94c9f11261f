//! `/v1/adjustment-requests`: 保険者間調整 of refund receivables (receivables.md §3). The
//! insurer opens a request with the debtor's consent; the request moves requested -> submitted ->
//! accepted | rejected -> settled | cancelled. A token with an `agency` claim sees and moves only
//! its agency's requests and can never settle; settling posts what the new insurer paid as an
//! `insurer_adjustment` collection, a shortfall staying on the debtor and an excess recorded as
//! owed to the insured.

use crate::http::idempotency::{Answer, idempotent};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, page_request};
use super::idempotency::with_etag;
use super::paging::ListPage;
use crate::domain::ids::AdjustmentRequestId;
use crate::domain::receivable::adjustment::{self as rules, Status};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{AdjustmentsRead, AdjustmentsWrite};
use crate::http::extract::path_id;
use crate::service::adjustments::{self as service, Move, NewRequest, RequestView};
use crate::state::AppState;

/// A request's status: `requested`, `submitted`, `accepted`, `rejected`, `settled`,
/// `cancelled`. Mirrors the server's `adjustment::Status` and what its `parse` reads.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentStatus {
    Requested,
    Submitted,
    Accepted,
    Rejected,
    Settled,
    Cancelled,
}

/// The insurer the debtor joined.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewInsurer {
    /// 保険者番号, 6 or 8 digits.
    #[validate(custom(function = "crate::http::extract::insurer_number", message = "must be 6 or 8 digits"))]
    #[schema(pattern = r"^([0-9]{6}|[0-9]{8})$")]
    pub number: String,
    /// Not all spaces.
    #[validate(custom(function = "crate::http::extract::not_blank", message = "must not be empty"))]
    #[schema(
        min_length = 1,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub name: String,
}

/// A new request.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewAdjustment {
    /// An `overpayment_refund` receivable with a balance.
    #[schema(format = Uuid)]
    pub receivable_id: String,
    #[validate(nested)]
    pub new_insurer: NewInsurer,
    /// The debtor's consent (受領委任 form date).
    pub consent_on: NaiveDate,
    /// The outsourced agency that will work it.
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub agency: Option<String>,
}

/// A move.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// `submitted`, `accepted`, `rejected`, `settled`, `cancelled`. (`requested` is read too, but no
    /// request moves back to it: 409.)
    #[schema(value_type = AdjustmentStatus)]
    pub to: String,
    pub on: NaiveDate,
    /// For `settled`: what the new insurer paid (yen).
    pub amount: Option<i64>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub note: Option<String>,
}

/// One claim of the refund, as the new insurer needs it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimSummary {
    pub claim_id: String,
    pub service_month: String,
    pub provider_name: String,
    pub first_service_on: Option<NaiveDate>,
    pub total_cost: i64,
    pub copayment: i64,
    /// The last day the insured's own claim (療養費) at the new insurer is in time.
    pub claim_lapses_on: NaiveDate,
}

/// One move made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    #[schema(value_type = AdjustmentStatus)]
    pub from: String,
    #[schema(value_type = AdjustmentStatus)]
    pub to: String,
    pub on: NaiveDate,
    pub amount: Option<i64>,
    pub note: Option<String>,
    /// Token `sub`, and the agency when an agent moved it.
    pub by: String,
}

/// A request, with what an agent needs and nothing more (no accounts, no other members).
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentRequest {
    pub id: String,
    pub receivable_id: String,
    /// `requested`, `submitted`, `accepted`, `rejected`, `settled`, `cancelled`.
    #[schema(value_type = AdjustmentStatus)]
    pub status: String,
    /// The refund's balance when requested.
    pub amount: i64,
    pub new_insurer: NewInsurer,
    pub consent_on: NaiveDate,
    pub agency: Option<String>,
    pub debtor_name: String,
    pub debtor_phone: Option<String>,
    pub claims: Vec<ClaimSummary>,
    pub settled_amount: Option<i64>,
    /// Paid above the balance: owed to the insured.
    pub excess_owed: i64,
    pub submitted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub history: Vec<HistoryEntry>,
    /// E.g. the insured's claim at the new insurer lapsing (2 years from the care).
    pub warnings: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

fn history_entry(h: rules::HistoryEntry) -> HistoryEntry {
    HistoryEntry {
        from: h.from,
        to: h.to,
        on: h.on,
        amount: h.amount,
        note: h.note,
        by: h.by,
    }
}

fn view(v: RequestView) -> AdjustmentRequest {
    let r = v.request;
    AdjustmentRequest {
        history: r.history.into_iter().map(history_entry).collect(),
        new_insurer: NewInsurer {
            number: r.new_insurer_number,
            name: r.new_insurer_name,
        },
        debtor_name: v.debtor_name,
        debtor_phone: v.debtor_phone,
        claims: v
            .claims
            .into_iter()
            .map(|c| ClaimSummary {
                claim_id: c.claim_id,
                service_month: c.service_month,
                provider_name: c.provider_name,
                first_service_on: c.first_service_on,
                total_cost: c.total_cost,
                copayment: c.copayment,
                claim_lapses_on: c.claim_lapses_on,
            })
            .collect(),
        warnings: v.warnings,
        id: r.id,
        receivable_id: r.receivable_id,
        status: r.status.as_str().to_string(),
        amount: r.amount,
        consent_on: r.consent_on,
        agency: r.agency,
        settled_amount: r.settled_amount,
        excess_owed: r.excess_owed,
        submitted_on: r.submitted_on,
        decided_on: r.decided_on,
        settled_on: r.settled_on,
        cancelled_on: r.cancelled_on,
        version: r.version,
        created_at: r.created_at,
    }
}

/// Open a request for a refund receivable (insurer-side tokens only).
#[utoipa::path(
    tag = "adjustments",
    request_body = NewAdjustment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "Requested", body = AdjustmentRequest),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope adjustments:write missing, or an agent's token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing left to adjust, or a request is still open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a refund receivable, bad insurer number or name", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["adjustments:write"]))
)]
#[post("/adjustment-requests")]
pub async fn create_adjustment_request(
    auth: Auth<AdjustmentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewAdjustment>,
) -> Result<HttpResponse, ApiError> {
    let digest = body.digest.clone();
    let b = body.value;
    let new = NewRequest {
        receivable_id: b.receivable_id,
        new_insurer_number: b.new_insurer.number,
        new_insurer_name: b.new_insurer.name.trim().to_string(),
        consent_on: b.consent_on,
        agency: b.agency,
    };
    idempotent(&state, &req, auth.insurer(), &digest, || async {
        let v = service::open(&state.db, state.clock.today(), &auth.caller(), new).await?;
        let version = v.request.version;
        Ok(Answer::created(view(v), version))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdjustmentQuery {
    #[param(value_type = Option<AdjustmentStatus>)]
    pub status: Option<String>,
    /// Insurer-side tokens only; an agent always sees its own agency.
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub agency: Option<String>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List requests (an agent sees only its agency's).
#[utoipa::path(
    tag = "adjustments",
    params(AdjustmentQuery),
    responses(
        (status = 200, description = "A page of requests", body = ListPage<AdjustmentRequest>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope adjustments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad status, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["adjustments:read"]))
)]
#[get("/adjustment-requests")]
pub async fn list_adjustment_requests(
    auth: Auth<AdjustmentsRead>,
    state: web::Data<AppState>,
    q: web::Query<AdjustmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let status = match &q.status {
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::validation(
                "status",
                "must be one of requested, submitted, accepted, rejected, settled, cancelled",
            )
        })?),
        None => None,
    };
    let page = service::list(
        &state.db,
        state.clock.today(),
        &auth.caller(),
        q.agency.as_deref(),
        status,
        q.updated_since,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(view))))
}

/// Read a request (an agent: only its agency's).
#[utoipa::path(
    tag = "adjustments",
    params(("id" = String, Path, description = "Request id", format = Uuid)),
    responses(
        (status = 200, description = "The request", body = AdjustmentRequest),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope adjustments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for this insurer (or agency)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["adjustments:read"]))
)]
#[get("/adjustment-requests/{id}")]
pub async fn get_adjustment_request(
    auth: Auth<AdjustmentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let v = service::get(
        &state.db,
        state.clock.today(),
        &auth.caller(),
        &path_id::<AdjustmentRequestId>(&id, ErrorCode::AdjustmentRequestNotFound)?,
    )
    .await?;
    let version = v.request.version;
    Ok(with_etag(&view(v), version))
}

/// Move a request. Settling (insurer side only) posts what the new insurer paid to the receivable
/// as an `insurer_adjustment` collection, in the same transaction.
#[utoipa::path(
    tag = "adjustments",
    request_body = Transition,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Request id", format = Uuid)),
    responses(
        (status = 200, description = "The request as moved", body = AdjustmentRequest),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope adjustments:write missing, or an agent settling", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for this insurer (or agency)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the current status, or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status, a settlement without an amount above zero, a date before the consent", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["adjustments:write"]))
)]
#[post("/adjustment-requests/{id}/transitions")]
pub async fn move_adjustment_request(
    auth: Auth<AdjustmentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<Transition>,
) -> Result<HttpResponse, ApiError> {
    let digest = body.digest.clone();
    let b = body.value;
    let to = Status::parse(&b.to).ok_or_else(|| {
        ApiError::validation("to", "must be one of submitted, accepted, rejected, settled, cancelled")
    })?;
    let m = Move {
        to,
        on: b.on,
        amount: b.amount,
        note: b.note,
    };
    idempotent(&state, &req, auth.insurer(), &digest, || async {
        let v = service::move_request(
            &state.db,
            state.clock.today(),
            &auth.caller(),
            &path_id::<AdjustmentRequestId>(&id, ErrorCode::AdjustmentRequestNotFound)?,
            m,
        )
        .await?;
        let version = v.request.version;
        Ok(Answer::with_version(view(v), version))
    })
    .await
}
