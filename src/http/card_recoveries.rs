//! `/v1/card-recoveries`: recovery of eligibility certificates (資格確認書) that were still valid
//! when their holder lost eligibility (receivables.md §13): first and second notices on the
//! two-week schedule, employer contact, and the outcome.

use crate::http::idempotency::{Answer, idempotent};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, page_request};
use super::paging::ListPage;
use crate::domain::card_recovery::{self as rules, CaseEvent, CaseStatus, InsuredCategory};
use crate::domain::ids::CardRecoveryId;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{ReceivablesRead, ReceivablesWrite};
use crate::http::extract::path_id;
use crate::service::card_recoveries as service;
use crate::state::AppState;

/// The loss of a member who holds a certificate.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    #[schema(format = Uuid)]
    pub member_id: String,
    /// The last day the certificate is valid.
    pub valid_until: NaiveDate,
    /// When the loss was processed (default: today); the schedule runs from it.
    pub processed_on: Option<NaiveDate>,
    /// `general` (一般, the default) or `voluntary_continuation` (任意継続); the recovery
    /// statistics report them apart.
    pub category: Option<InsuredCategory>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub note: Option<String>,
}

/// A recorded step.
#[derive(Debug, Deserialize, ToSchema, Validate)]
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

fn view(c: rules::CardRecovery, today: NaiveDate) -> CardRecovery {
    let f = c.case;
    let next = rules::next_step(&f, today);
    CardRecovery {
        status: rules::status(&f, today),
        next_step: next.map(|n| n.0),
        next_step_due: next.map(|n| n.1),
        id: c.id,
        member_id: c.member_id,
        household_id: c.household_id,
        lost_on: c.lost_on,
        valid_until: f.valid_until,
        processed_on: f.processed_on,
        category: c.category,
        first_notice_on: f.first_notice_on,
        second_notice_on: f.second_notice_on,
        employer_contacted_on: f.employer_contacted_on,
        returned_on: f.returned_on,
        unrecoverable_on: f.unrecoverable_on,
        note: c.note,
        version: c.version,
        created_at: c.created_at,
    }
}

/// Open a recovery case for a member who lost eligibility holding a certificate still valid on
/// the loss date.
#[utoipa::path(
    tag = "receivables",
    request_body = NewCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
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
    req: HttpRequest,
    body: Body<NewCase>,
) -> Result<HttpResponse, ApiError> {
    let digest = body.digest.clone();
    let b = body.value;
    let new = service::NewCase {
        member_id: b.member_id,
        valid_until: b.valid_until,
        processed_on: b.processed_on,
        category: b.category,
        note: b.note,
    };
    let today = state.clock.today();
    idempotent(&state, &req, auth.insurer(), &digest, || async {
        let c = service::open(&state.db, &auth.actor(), today, new).await?;
        let version = c.version;
        Ok(Answer::created(view(c, today), version))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub member_id: Option<String>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
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
    let today = state.clock.today();
    let page = service::list(
        &state.db,
        auth.insurer(),
        q.member_id.as_deref(),
        q.updated_since,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(|c| view(c, today)))))
}

/// Record a step: a notice sent, the employer contacted, the certificate returned, or a
/// 回収不能届 received.
#[utoipa::path(
    tag = "receivables",
    request_body = CaseEventBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Case id", format = Uuid)),
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
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<CaseEventBody>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let c = service::record(
            &state.db,
            &auth.actor(),
            &path_id::<CardRecoveryId>(&id, ErrorCode::CardRecoveryNotFound)?,
            b.kind,
            b.on,
        )
        .await?;
        let version = c.version;
        Ok(Answer::with_version(view(c, state.clock.today()), version))
    })
    .await
}
