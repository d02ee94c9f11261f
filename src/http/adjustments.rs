//! `/v1/adjustment-requests`: 保険者間調整 of refund receivables (receivables.md §3). The
//! insurer opens a request with the debtor's consent; the request moves requested -> submitted ->
//! accepted | rejected -> settled | cancelled. A token with an `agency` claim sees and moves only
//! its agency's requests and can never settle; settling posts what the new insurer paid as an
//! `insurer_adjustment` collection, a shortfall staying on the debtor and an excess recorded as
//! owed to the insured.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, page_request};
use super::idempotency::with_etag;
use super::paging::ListPage;
use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;
use crate::domain::receivable::adjustment::{self as rules, MoveError, Status};
use crate::domain::receivable::ledger::{CollectionChannel, status_of};
use crate::domain::receivable::{Ledger, LedgerEntry, ReceivableStatus};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::scope::{AdjustmentsRead, AdjustmentsWrite};
use crate::http::auth::{Auth, is_insurer_number};
use crate::state::AppState;
use crate::store::entity::{adjustment_request as req, receivable as rec};
use crate::store::{adjustments as store, claims as claim_store, new_id, now, receivables as rec_store};

/// The insurer the debtor joined.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInsurer {
    /// 保険者番号, 6 or 8 digits.
    pub number: String,
    pub name: String,
}

/// A new request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdjustment {
    /// An `overpayment_refund` receivable with a balance.
    pub receivable_id: String,
    pub new_insurer: NewInsurer,
    /// The debtor's consent (受領委任 form date).
    pub consent_on: NaiveDate,
    /// The outsourced agency that will work it.
    pub agency: Option<String>,
}

/// A move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// `submitted`, `accepted`, `rejected`, `settled`, `cancelled`.
    pub to: String,
    pub on: NaiveDate,
    /// For `settled`: what the new insurer paid (yen).
    pub amount: Option<i64>,
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
    pub from: String,
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

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::AdjustmentRequestNotFound)
}

async fn view(state: &AppState, r: req::Model) -> Result<AdjustmentRequest, ApiError> {
    let receivable = rec_store::get(&state.db, &r.insurer, &r.receivable_id)
        .await?
        .ok_or_else(|| ApiError::Internal("request without receivable".into()))?;
    let ids: Vec<String> = serde_json::from_str(&receivable.source_claim_ids).unwrap_or_default();
    let today = state.clock.today();
    let mut claims = Vec::new();
    let mut warnings = Vec::new();
    for id in ids {
        let Some(c) = claim_store::get(&state.db, &r.insurer, &id).await? else {
            continue;
        };
        let care_on = c
            .first_service_on
            .or_else(|| YearMonth::parse(&c.service_month).ok().map(YearMonth::last_day))
            .unwrap_or(today);
        let lapses = rules::claim_lapses_on(care_on);
        let open = matches!(r.status.as_str(), "requested" | "submitted" | "accepted");
        if open && lapses < today {
            warnings.push(format!(
                "claim {} ({}): the insured's claim at the new insurer lapsed on {lapses}",
                c.claim_number, c.service_month
            ));
        } else if open && lapses <= today + chrono::Duration::days(90) {
            warnings.push(format!(
                "claim {} ({}): the insured's claim at the new insurer lapses on {lapses}",
                c.claim_number, c.service_month
            ));
        }
        claims.push(ClaimSummary {
            claim_id: c.id,
            service_month: c.service_month,
            provider_name: c.provider_name,
            first_service_on: c.first_service_on,
            total_cost: c.total_cost,
            copayment: c.copayment,
            claim_lapses_on: lapses,
        });
    }
    Ok(AdjustmentRequest {
        history: serde_json::from_str(&r.history).unwrap_or_default(),
        new_insurer: NewInsurer {
            number: r.new_insurer_number,
            name: r.new_insurer_name,
        },
        debtor_name: receivable.debtor_name,
        debtor_phone: receivable.debtor_phone,
        claims,
        warnings,
        id: r.id,
        receivable_id: r.receivable_id,
        status: r.status,
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
    })
}

/// Open a request for a refund receivable (insurer-side tokens only).
#[utoipa::path(
    tag = "adjustments",
    request_body = NewAdjustment,
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
    body: Body<NewAdjustment>,
) -> Result<HttpResponse, ApiError> {
    if auth.principal.agency.is_some() {
        return Err(ApiError::Forbidden("adjustments:write (insurer side)".into()));
    }
    let b = &body.value;
    let r = rec_store::get(&state.db, auth.insurer(), &b.receivable_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::ReceivableNotFound))?;
    if r.kind != "overpayment_refund" {
        return Err(ApiError::validation(
            "receivable_id",
            "only refund receivables (overpayment_refund) are adjusted between insurers",
        ));
    }
    if !is_insurer_number(&b.new_insurer.number) {
        return Err(ApiError::validation("new_insurer.number", "must be 6 or 8 digits"));
    }
    if b.new_insurer.name.trim().is_empty() {
        return Err(ApiError::validation("new_insurer.name", "must not be empty"));
    }
    if let Some(c) = crate::store::plans::counterparty(&state.db, auth.insurer(), &b.new_insurer.number).await?
        && !c.participates
    {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::CounterpartyNotParticipating,
            detail: format!("{} ({}) does not take part in adjustment", c.name, c.number),
        });
    }
    if r.balance <= 0 || matches!(r.status.as_str(), "collected" | "written_off") {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: "nothing is left to adjust".into(),
        });
    }
    if store::open_for(&state.db, auth.insurer(), &r.id).await? {
        return Err(ApiError::Conflict {
            code: ErrorCode::AdjustmentRequestOpen,
            detail: "the receivable has a request still open".into(),
        });
    }
    let model = req::Model {
        id: new_id(),
        insurer: auth.insurer().to_string(),
        receivable_id: r.id.clone(),
        new_insurer_number: b.new_insurer.number.clone(),
        new_insurer_name: b.new_insurer.name.trim().to_string(),
        consent_on: b.consent_on,
        agency: b.agency.clone().filter(|a| !a.is_empty()),
        status: Status::Requested.as_str().into(),
        amount: r.balance,
        settled_amount: None,
        excess_owed: 0,
        submitted_on: None,
        decided_on: None,
        settled_on: None,
        cancelled_on: None,
        history: "[]".into(),
        version: 1,
        created_at: now(),
    };
    let row = store::create(&state.db, &auth.actor(), model).await?;
    let version = row.version;
    Ok(HttpResponse::Created()
        .insert_header(super::extract::etag(version))
        .json(view(&state, row).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdjustmentQuery {
    pub status: Option<String>,
    /// Insurer-side tokens only; an agent always sees its own agency.
    pub agency: Option<String>,
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
    if let Some(s) = &q.status
        && Status::parse(s).is_none()
    {
        return Err(ApiError::validation(
            "status",
            "must be one of requested, submitted, accepted, rejected, settled, cancelled",
        ));
    }
    let agency = auth.principal.agency.clone().or_else(|| q.agency.clone());
    let rows = store::list(&state.db, auth.insurer(), agency.as_deref(), q.status.as_deref(), &page).await?;
    let next_cursor = rows.next_cursor.clone();
    let mut items = Vec::with_capacity(rows.items.len());
    for r in rows.items {
        items.push(view(&state, r).await?);
    }
    Ok(HttpResponse::Ok().json(ListPage { items, next_cursor }))
}

/// Read a request (an agent: only its agency's).
#[utoipa::path(
    tag = "adjustments",
    params(("id" = String, Path, description = "Request id")),
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
    let r = store::get(&state.db, auth.insurer(), auth.principal.agency.as_deref(), &id)
        .await?
        .ok_or_else(not_found)?;
    let version = r.version;
    Ok(with_etag(&view(&state, r).await?, version))
}

/// Move a request. Settling (insurer side only) posts what the new insurer paid to the receivable
/// as an `insurer_adjustment` collection, in the same transaction.
#[utoipa::path(
    tag = "adjustments",
    request_body = Transition,
    params(("id" = String, Path, description = "Request id")),
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
    id: web::Path<String>,
    body: Body<Transition>,
) -> Result<HttpResponse, ApiError> {
    let agency = auth.principal.agency.clone();
    let current = store::get(&state.db, auth.insurer(), agency.as_deref(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    let to = Status::parse(&b.to).ok_or_else(|| {
        ApiError::validation("to", "must be one of submitted, accepted, rejected, settled, cancelled")
    })?;
    let from = Status::parse(&current.status).ok_or_else(|| ApiError::Internal("stored status".into()))?;
    rules::check_move(from, to, agency.is_some()).map_err(|e| match e {
        MoveError::AgentCannotSettle => ApiError::Forbidden("adjustments:write (insurer side) to settle".into()),
        MoveError::NotAllowed { .. } => ApiError::Conflict {
            code: ErrorCode::TransitionNotAllowed,
            detail: e.to_string(),
        },
    })?;
    if b.on < current.consent_on {
        return Err(ApiError::validation("on", "must not be before the consent"));
    }
    let mut next = current.clone();
    next.status = to.as_str().into();
    let mut history: Vec<HistoryEntry> = serde_json::from_str(&current.history).unwrap_or_default();
    history.push(HistoryEntry {
        from: current.status.clone(),
        to: to.as_str().into(),
        on: b.on,
        amount: b.amount,
        note: b.note.clone(),
        by: match &agency {
            Some(a) => format!("{} ({a})", auth.principal.sub),
            None => auth.principal.sub.clone(),
        },
    });
    next.history = serde_json::to_string(&history).unwrap_or_else(|_| "[]".into());
    let actor = auth.actor();
    let mut collection: Option<(
        rec::Model,
        crate::store::entity::receivable_entry::Model,
        (Ledger, Ledger),
        String,
    )> = None;
    match to {
        Status::Submitted => next.submitted_on = Some(b.on),
        Status::Accepted | Status::Rejected => next.decided_on = Some(b.on),
        Status::Cancelled => next.cancelled_on = Some(b.on),
        Status::Requested => {}
        Status::Settled => {
            let paid = b
                .amount
                .filter(|a| *a > 0)
                .ok_or_else(|| ApiError::validation("amount", "what the new insurer paid, above zero"))?;
            let r = rec_store::get(&state.db, auth.insurer(), &current.receivable_id)
                .await?
                .ok_or_else(|| ApiError::Internal("request without receivable".into()))?;
            let entries = rec_store::entries(&state.db, auth.insurer(), &r.id).await?;
            let ledger = rec_store::ledger_of(&r.id, &entries)?;
            let split = rules::settle(paid, ledger.position().balance.as_i64());
            next.settled_on = Some(b.on);
            next.settled_amount = Some(paid);
            next.excess_owed = split.excess;
            if split.applied > 0 {
                let after = ledger
                    .clone()
                    .with(LedgerEntry::Collection {
                        on: b.on,
                        amount: Yen::new(split.applied),
                        channel: CollectionChannel::InsurerAdjustment,
                    })
                    .map_err(|e| ApiError::Unprocessable {
                        code: ErrorCode::LedgerRefused,
                        detail: e.to_string(),
                    })?;
                let status = status_of(
                    after.position(),
                    after.is_written_off(),
                    r.status == ReceivableStatus::InLegal.as_str(),
                );
                let e = crate::store::entity::receivable_entry::Model {
                    kind: rec_store::COLLECTION.into(),
                    channel: Some(CollectionChannel::InsurerAdjustment.as_str().into()),
                    note: Some(format!("保険者間調整 {}", current.id)),
                    ..rec_store::assessment(&actor, &r.id, split.applied, b.on)
                };
                collection = Some((r, e, (ledger, after), status.as_str().to_string()));
            }
        }
    }
    let row = store::apply(
        &state.db,
        &actor,
        &current,
        next,
        collection
            .as_ref()
            .map(|(r, e, ledgers, st)| (r, e.clone(), ledgers.clone(), st.as_str())),
    )
    .await?
    .ok_or(ApiError::Conflict {
        code: ErrorCode::AdjustmentRequestChanged,
        detail: "the request or its receivable changed meanwhile; read it again".into(),
    })?;
    let version = row.version;
    Ok(with_etag(&view(&state, row).await?, version))
}
