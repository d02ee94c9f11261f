//! Assessing receivables (調定), reading them, collections (収納), write-offs (不納欠損) and the
//! late charge (延滞金).

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{
    AsOfQuery, LateChargeView, NewCollection, NewReceivable, NewWriteOff, Receivable, ReceivableQuery, created,
    full_view, late_charge_view, view,
};
use crate::domain::Violations;
use crate::domain::calendar::FiscalYear;
use crate::domain::ids::ReceivableId;
use crate::domain::receivable::ledger::{CollectionChannel, WriteOffReason};
use crate::domain::receivable::record::Debtor;
use crate::domain::receivable::{DebtorKind, ReceivableKind, ReceivableStatus, RefundReason};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{ReceivablesRead, ReceivablesWrite};
use crate::http::extract::path_id;
use crate::http::extract::{Body, page_request};
use crate::http::idempotency::{idempotent, with_etag};
use crate::http::paging::ListPage;
use crate::service::receivables::cases::{self as service, Assessment, Filter};
use crate::state::AppState;

/// Assess a receivable (調定).
#[utoipa::path(
    tag = "receivables",
    request_body = NewReceivable,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "Assessed", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, reason or debtor kind; amount not above zero; due before assessment; unknown member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables")]
pub async fn create_receivable(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewReceivable>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    // The fields were checked as the body was read; these parse what was checked.
    let mut v = Violations::new();
    let kind = v.check("kind", ReceivableKind::parse(&b.kind));
    let reason = match &b.reason {
        Some(r) => v.check("reason", RefundReason::parse(r)),
        None => None,
    };
    let debtor_kind = v.check("debtor.kind", DebtorKind::parse(&b.debtor.kind));
    for i in service::unknown_claims(&state.db, auth.insurer(), &b.source_claim_ids).await? {
        v.push(format!("source_claim_ids[{i}]"), "no such claim of this insurer");
    }
    if !service::check_debtor(&state.db, auth.insurer(), b.debtor.member_id.as_deref()).await? {
        v.push("debtor.member_id", "no such member");
    }
    let (Some(kind), Some(debtor_kind)) = (kind, debtor_kind) else {
        return Err(v.into());
    };
    let a = v.finish(Assessment {
        kind,
        reason,
        debtor: Debtor {
            kind: debtor_kind,
            name: b.debtor.name.trim().to_string(),
            member_id: b.debtor.member_id.clone(),
            phone: b.debtor.phone.clone(),
            workplace: b.debtor.workplace.clone(),
        },
        assessed_on: b.assessed_on,
        amount: b.amount,
        due_on: b.due_on,
        source_claim_ids: b.source_claim_ids.clone(),
        note: b.note.clone(),
    })?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::assess(&state.db, &auth.actor(), a).await?;
        Ok(created(f, state.clock.today()))
    })
    .await
}

/// List receivables.
#[utoipa::path(
    tag = "receivables",
    params(ReceivableQuery),
    responses(
        (status = 200, description = "A page of receivables", body = ListPage<Receivable>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind or status, bad fiscal year, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/receivables")]
pub async fn list_receivables(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    q: web::Query<ReceivableQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let kind = match &q.kind {
        Some(k) => Some(ReceivableKind::parse(k).map_err(|e| ApiError::validation("kind", e.to_string()))?),
        None => None,
    };
    let status = match &q.status {
        Some(s) => Some(ReceivableStatus::parse(s).map_err(|e| ApiError::validation("status", e.to_string()))?),
        None => None,
    };
    let assessed = match q.fiscal_year {
        Some(y) => {
            let fy = FiscalYear::new(y).map_err(|e| ApiError::validation("fiscal_year", e.to_string()))?;
            Some((fy.first_day(), fy.last_day()))
        }
        None => None,
    };
    // A fiscal year and a date range together: the days in both.
    let assessed = match (assessed, q.assessed_from, q.assessed_to) {
        (None, None, None) => None,
        (fy, from, to) => {
            // Bounds every stored date lies within, written the same way on both databases.
            let open = (
                chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
                chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
            );
            let (fy_from, fy_to) = fy.unwrap_or(open);
            Some((
                from.map_or(fy_from, |d| d.max(fy_from)),
                to.map_or(fy_to, |d| d.min(fy_to)),
            ))
        }
    };
    let q = q.into_inner();
    let filter = Filter {
        kind,
        status,
        assessed,
        household_id: q.household_id,
        member_id: q.member_id,
        debtor_name: q.debtor_name.filter(|n| !n.is_empty()),
        updated_since: q.updated_since,
    };
    let today = state.clock.today();
    let page = service::list(&state.db, auth.insurer(), &filter, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::<Receivable>::from(page.map(|r| view(r, None, today)))))
}

/// Read a receivable with its ledger, actions and collections.
#[utoipa::path(
    tag = "receivables",
    params(("id" = String, Path, description = "Receivable id", format = Uuid)),
    responses(
        (status = 200, description = "The receivable", body = Receivable),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/receivables/{id}")]
pub async fn get_receivable(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let f = service::get(
        &state.db,
        auth.insurer(),
        &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
    )
    .await?;
    let version = f.receivable.version;
    Ok(with_etag(&full_view(f, state.clock.today()), version))
}

/// Record a collection (収納), partial or full, by any channel (`insurer_adjustment` included).
/// Never more than the balance.
#[utoipa::path(
    tag = "receivables",
    request_body = NewCollection,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Receivable id", format = Uuid)),
    responses(
        (status = 201, description = "Recorded; the receivable as it now stands", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Amount not above zero or above the balance, unknown channel, dated before the last entry, written off", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/collections")]
pub async fn record_collection(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<NewCollection>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let channel = CollectionChannel::parse(&b.channel).map_err(|e| ApiError::validation("channel", e.to_string()))?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::collect(
            &state.db,
            &auth.actor(),
            &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
            b.amount,
            b.received_on,
            channel,
        )
        .await?;
        Ok(created(f, state.clock.today()))
    })
    .await
}

/// Write off the remaining balance (不納欠損).
#[utoipa::path(
    tag = "receivables",
    request_body = NewWriteOff,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Receivable id", format = Uuid)),
    responses(
        (status = 201, description = "Written off; the receivable as it now stands", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reason, nothing left to write off, dated before the last entry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/write-off")]
pub async fn write_off(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<NewWriteOff>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let reason = WriteOffReason::parse(&b.reason).map_err(|e| ApiError::validation("reason", e.to_string()))?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let f = service::write_off(
            &state.db,
            &auth.actor(),
            &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
            b.on,
            reason,
        )
        .await?;
        Ok(created(f, state.clock.today()))
    })
    .await
}

/// Compute the late charge (延滞金) as of a day: base truncated to 1,000 yen, result to 100 yen,
/// nothing under the thresholds, the special rates by calendar year.
#[utoipa::path(
    tag = "receivables",
    params(("id" = String, Path, description = "Receivable id", format = Uuid), AsOfQuery),
    responses(
        (status = 200, description = "The charge and how it was reached", body = LateChargeView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No rate is held for a year of the period", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/receivables/{id}/late-charge")]
pub async fn get_late_charge(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| state.clock.today());
    let charge = service::late_charge_on(
        &state.db,
        auth.insurer(),
        &path_id::<ReceivableId>(&id, ErrorCode::ReceivableNotFound)?,
        as_of,
    )
    .await?;
    Ok(HttpResponse::Ok().json(late_charge_view(id.into_inner(), as_of, charge)))
}
