//! `/v1/card-recoveries`: recovery of eligibility certificates (資格確認書) that were still valid
//! when their holder lost eligibility (receivables.md §13): first and second notices on the
//! two-week schedule, employer contact, and the outcome.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, page_request};
use super::idempotency::with_etag;
use super::paging::ListPage;
use crate::domain::card_recovery::{self as rules, Case, CaseEvent, CaseStatus, InsuredCategory};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{ReceivablesRead, ReceivablesWrite};
use crate::state::AppState;
use crate::store::entity::card_recovery as case;
use crate::store::{card_recoveries as store, is_unique_violation, members as member_store, new_id, now};

/// The loss of a member who holds a certificate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub member_id: String,
    /// The last day the certificate is valid.
    pub valid_until: NaiveDate,
    /// When the loss was processed (default: today); the schedule runs from it.
    pub processed_on: Option<NaiveDate>,
    /// `general` (一般, the default) or `voluntary_continuation` (任意継続); the recovery
    /// statistics report them apart.
    pub category: Option<InsuredCategory>,
    pub note: Option<String>,
}

/// A recorded step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseEventBody {
    pub kind: CaseEvent,
    pub on: NaiveDate,
}

/// A recovery case and what is due next.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardRecovery {
    pub id: String,
    pub member_id: String,
    pub household_id: String,
    pub lost_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub processed_on: NaiveDate,
    pub category: InsuredCategory,
    pub first_notice_on: Option<NaiveDate>,
    pub second_notice_on: Option<NaiveDate>,
    pub employer_contacted_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    pub unrecoverable_on: Option<NaiveDate>,
    /// Today.
    pub status: CaseStatus,
    pub next_step: Option<CaseEvent>,
    pub next_step_due: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

fn facts(c: &case::Model) -> Case {
    Case {
        processed_on: c.processed_on,
        valid_until: c.valid_until,
        first_notice_on: c.first_notice_on,
        second_notice_on: c.second_notice_on,
        employer_contacted_on: c.employer_contacted_on,
        returned_on: c.returned_on,
        unrecoverable_on: c.unrecoverable_on,
    }
}

fn view(c: case::Model, today: NaiveDate) -> CardRecovery {
    let f = facts(&c);
    let next = rules::next_step(&f, today);
    CardRecovery {
        status: rules::status(&f, today),
        next_step: next.map(|n| n.0),
        next_step_due: next.map(|n| n.1),
        id: c.id,
        member_id: c.member_id,
        household_id: c.household_id,
        lost_on: c.lost_on,
        valid_until: c.valid_until,
        processed_on: c.processed_on,
        category: InsuredCategory::parse(&c.category).unwrap_or(InsuredCategory::General),
        first_notice_on: c.first_notice_on,
        second_notice_on: c.second_notice_on,
        employer_contacted_on: c.employer_contacted_on,
        returned_on: c.returned_on,
        unrecoverable_on: c.unrecoverable_on,
        note: c.note,
        version: c.version,
        created_at: c.created_at,
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::CardRecoveryNotFound)
}

/// Open a recovery case for a member who lost eligibility holding a certificate still valid on
/// the loss date.
#[utoipa::path(
    tag = "receivables",
    request_body = NewCase,
    responses(
        (status = 201, description = "Opened", body = CardRecovery),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A case for this loss exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The member has not lost eligibility, or the certificate had expired by then", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/card-recoveries")]
pub async fn open_card_recovery(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    body: Body<NewCase>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let m = member_store::get(&state.db, auth.insurer(), &b.member_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::MemberNotFound))?;
    let Some(lost_on) = m.lost_on else {
        return Err(ApiError::validation("member_id", "the member has not lost eligibility"));
    };
    if !rules::opens(lost_on, b.valid_until) {
        return Err(ApiError::validation(
            "valid_until",
            "the certificate had expired by the loss of eligibility: nothing to recover",
        ));
    }
    let processed_on = b.processed_on.unwrap_or_else(|| state.clock.today());
    if processed_on < lost_on {
        return Err(ApiError::validation(
            "processed_on",
            "must not be before the loss of eligibility",
        ));
    }
    let c = case::Model {
        id: new_id(),
        insurer: auth.insurer().to_string(),
        member_id: m.id.clone(),
        household_id: m.household_id.clone(),
        lost_on,
        valid_until: b.valid_until,
        processed_on,
        first_notice_on: None,
        second_notice_on: None,
        employer_contacted_on: None,
        returned_on: None,
        unrecoverable_on: None,
        note: b.note.clone(),
        category: b.category.unwrap_or(InsuredCategory::General).as_str().into(),
        version: 1,
        created_at: now(),
    };
    let c = store::create(&state.db, &auth.actor(), c).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict {
                code: ErrorCode::CardRecoveryExists,
                detail: "a case for this loss of eligibility exists".into(),
            }
        } else {
            e.into()
        }
    })?;
    let version = c.version;
    Ok(HttpResponse::Created()
        .insert_header(super::extract::etag(version))
        .json(view(c, state.clock.today())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub member_id: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List recovery cases with their next step.
#[utoipa::path(
    tag = "receivables",
    params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases", body = ListPage<CardRecovery>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/card-recoveries")]
pub async fn list_card_recoveries(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    q: web::Query<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let rows = store::list(&state.db, auth.insurer(), q.member_id.as_deref(), &page).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        next_cursor: rows.next_cursor.clone(),
        items: rows
            .items
            .into_iter()
            .map(|c| view(c, state.clock.today()))
            .collect::<Vec<_>>(),
    }))
}

/// Record a step: a notice sent, the employer contacted, the certificate returned, or a
/// 回収不能届 received.
#[utoipa::path(
    tag = "receivables",
    request_body = CaseEventBody,
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case as it now stands", body = CardRecovery),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed (returned or unrecoverable), or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date before the loss, a second notice before the first", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/card-recoveries/{id}/events")]
pub async fn record_card_recovery_event(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<CaseEventBody>,
) -> Result<HttpResponse, ApiError> {
    let c = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    if c.returned_on.is_some() || c.unrecoverable_on.is_some() {
        return Err(ApiError::Conflict {
            code: ErrorCode::CardRecoveryClosed,
            detail: "the case is closed".into(),
        });
    }
    if b.on < c.lost_on {
        return Err(ApiError::validation("on", "must not be before the loss of eligibility"));
    }
    let mut next = c.clone();
    match b.kind {
        CaseEvent::FirstNotice => next.first_notice_on = Some(b.on),
        CaseEvent::SecondNotice if c.first_notice_on.is_none_or(|f| b.on < f) => {
            return Err(ApiError::validation("kind", "a second notice follows the first"));
        }
        CaseEvent::SecondNotice => next.second_notice_on = Some(b.on),
        CaseEvent::EmployerContacted => next.employer_contacted_on = Some(b.on),
        CaseEvent::Returned => next.returned_on = Some(b.on),
        CaseEvent::UnrecoverableNotice => next.unrecoverable_on = Some(b.on),
    }
    let c = store::update(&state.db, &auth.actor(), &c, next)
        .await?
        .ok_or(ApiError::Conflict {
            code: ErrorCode::CardRecoveryChanged,
            detail: "the case changed meanwhile; read it again".into(),
        })?;
    let version = c.version;
    Ok(with_etag(&view(c, state.clock.today()), version))
}
