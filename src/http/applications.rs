//! `/v1/benefit-applications`: applications for the benefit (支給申請), seed 004's form path. A
//! household answers the forms mailed to it; the application is checked twice (一次・二次審査),
//! returned for defects (不備返送) or approved; the next payment run pays an approved one, once,
//! to its account.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, if_match, page_request, path_id};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use super::registrations::{BankAccountBody, bank_account};
use crate::domain::application::{self as rules, ApplicationMove, ApplicationStatus, Channel, ReturnReason};
use crate::domain::ids::ApplicationId;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{PaymentsRead, PaymentsWrite};
use crate::service::applications::{self as service, ApplicationRecord, Filter, MoveRequest, NewApplication};
use crate::state::AppState;

/// An application as received at the counter or by mail.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewApplicationBody {
    #[schema(format = Uuid)]
    pub household_id: String,
    /// The determinations (the forms) it answers: decided, of this household, not already
    /// answered by another application.
    #[validate(length(min = 1, max = 60, message = "must list 1 to 60 determinations"))]
    #[schema(min_items = 1, max_items = 60, value_type = Vec<String>, format = Uuid)]
    pub determination_ids: Vec<String>,
    /// The member who applies: the head, or another member of the household.
    #[schema(format = Uuid)]
    pub applicant_member_id: String,
    /// The day the application was received: the day the right is claimed (時効, R15).
    pub received_on: NaiveDate,
    /// `counter` (窓口) or `mail` (郵送).
    #[schema(value_type = Channel)]
    pub channel: String,
    pub bank_account: BankAccountBody,
    /// The household asks for the benefit to pay its unpaid NHI tax (充当).
    pub offset_requested: bool,
    /// Register the household for automatic payment on approval. Default: yes where the
    /// insurer's scheme covers the household.
    #[serde(default)]
    pub register_for_automatic_payment: Option<bool>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    #[serde(default)]
    pub note: Option<String>,
}

/// A move of the review.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// `first_check`, `second_check`, `approved`, `returned` (with reasons), `resubmitted` (a
    /// returned application came back: `received` again) or `withdrawn`.
    #[schema(value_type = ApplicationMove)]
    pub to: String,
    /// The day of the move.
    pub on: NaiveDate,
    /// Why it is returned (required with `returned`, refused otherwise).
    #[serde(default)]
    #[validate(length(max = 5, message = "must list at most 5 reasons"))]
    #[schema(value_type = Vec<ReturnReason>, max_items = 5)]
    pub reasons: Vec<String>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    #[serde(default)]
    pub note: Option<String>,
}

/// A determination an application answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedMonth {
    pub determination_id: String,
    pub service_month: String,
}

/// One move of the review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationEvent {
    pub from_status: Option<ApplicationStatus>,
    pub to_status: ApplicationStatus,
    pub reasons: Vec<ReturnReason>,
    pub note: Option<String>,
    pub on: NaiveDate,
    /// The subject of the token that made the move.
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// An application and where its review stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitApplication {
    pub id: String,
    pub household_id: String,
    pub applicant_member_id: String,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub determinations: Vec<AppliedMonth>,
    pub bank_account: BankAccountBody,
    pub offset_requested: bool,
    pub register_for_automatic_payment: bool,
    /// `received`, `first_check`, `second_check`, `approved`, `returned`, `withdrawn`, or `paid`
    /// (by a payment run).
    pub status: ApplicationStatus,
    /// The reasons of the last return.
    pub return_reasons: Vec<ReturnReason>,
    pub note: Option<String>,
    /// The registration its approval made.
    pub registration_id: Option<String>,
    /// Why its approval made no registration although one was asked for.
    pub registration_problem: Option<String>,
    /// The payment run that paid it.
    pub paid_run_id: Option<String>,
    /// Moves of the review, oldest first (in the single-application answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<ApplicationEvent>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(a: rules::Application, events: Option<Vec<rules::ApplicationEvent>>) -> BenefitApplication {
    let acc = a.account;
    BenefitApplication {
        id: a.id,
        household_id: a.household_id,
        applicant_member_id: a.applicant_member_id,
        received_on: a.received_on,
        channel: a.channel,
        determinations: a
            .months
            .into_iter()
            .map(|m| AppliedMonth {
                determination_id: m.determination_id,
                service_month: m.service_month,
            })
            .collect(),
        bank_account: BankAccountBody {
            bank_code: acc.bank_code,
            branch_code: acc.branch_code,
            account_type: acc.account_type,
            account_number: acc.account_number,
            holder_kana: acc.holder_kana,
        },
        offset_requested: a.offset_requested,
        register_for_automatic_payment: a.register_for_automatic_payment,
        status: a.status,
        return_reasons: a.return_reasons,
        note: a.note,
        registration_id: a.registration_id,
        registration_problem: a.registration_problem,
        paid_run_id: a.paid_run_id,
        events: events.map(|es| {
            es.into_iter()
                .map(|e| ApplicationEvent {
                    from_status: e.from_status,
                    to_status: e.to_status,
                    reasons: e.reasons,
                    note: e.note,
                    on: e.effective_on,
                    actor: e.actor,
                    at: e.at,
                })
                .collect()
        }),
        version: a.version,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

fn record_view(r: ApplicationRecord) -> BenefitApplication {
    view(r.application, Some(r.events))
}

/// Receive an application (支給申請の受付).
#[utoipa::path(
    tag = "payments",
    request_body = NewApplicationBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "Received", body = BenefitApplication),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A determination is already answered by an application that is not withdrawn", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid account, channel or applicant; a determination not decided, not of the household, or whose right lapsed before the application (each field named)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/benefit-applications")]
pub async fn create_application(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewApplicationBody>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let channel = Channel::parse(&b.channel).map_err(|_| ApiError::validation("channel", "must be counter or mail"))?;
    let n = NewApplication {
        household_id: b.household_id.clone(),
        determination_ids: b.determination_ids.clone(),
        applicant_member_id: b.applicant_member_id.clone(),
        received_on: b.received_on,
        channel,
        account: bank_account(&b.bank_account),
        offset_requested: b.offset_requested,
        register_for_automatic_payment: b.register_for_automatic_payment,
        note: b.note.clone(),
    };
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let r = service::receive(&state.db, &auth.actor(), state.clock.today(), &n).await?;
        let version = r.application.version;
        Ok(Answer::created(record_view(r), version))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub household_id: Option<String>,
    pub status: Option<ApplicationStatus>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<DateTime<Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List applications.
#[utoipa::path(
    tag = "payments",
    params(ApplicationQuery),
    responses(
        (status = 200, description = "A page of applications", body = ListPage<BenefitApplication>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/benefit-applications")]
pub async fn list_applications(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    q: web::Query<ApplicationQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let q = q.into_inner();
    let filter = Filter {
        household_id: q.household_id,
        status: q.status,
        updated_since: q.updated_since,
    };
    let page = service::list(&state.db, auth.insurer(), &filter, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(|a| view(a, None)))))
}

/// Read an application with the moves of its review.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Application id", format = Uuid)),
    responses(
        (status = 200, description = "The application", body = BenefitApplication),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/benefit-applications/{id}")]
pub async fn get_application(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = service::get(
        &state.db,
        auth.insurer(),
        &path_id::<ApplicationId>(&id, ErrorCode::ApplicationNotFound)?,
    )
    .await?;
    let version = r.application.version;
    Ok(with_etag(&record_view(r), version))
}

/// Move an application in its review. Approval registers the household for automatic payment
/// where asked and where the scheme covers it; the next payment run pays it.
#[utoipa::path(
    tag = "payments",
    request_body = TransitionBody,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"),
        ("id" = String, Path, description = "Application id", format = Uuid),
        ("If-Match" = Option<String>, Header, description = "The version read (ETag)"),
    ),
    responses(
        (status = 200, description = "The application after the move", body = BenefitApplication),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The move does not start from the application's status, or it changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown move or reason, a return without reasons, reasons without a return, or a day before the receipt", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/benefit-applications/{id}/transitions")]
pub async fn transition_application(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<TransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let to = ApplicationMove::parse(&b.to).map_err(|_| {
        ApiError::validation(
            "to",
            "must be one of first_check, second_check, approved, returned, resubmitted, withdrawn",
        )
    })?;
    let mut reasons = Vec::with_capacity(b.reasons.len());
    for (i, r) in b.reasons.iter().enumerate() {
        reasons.push(ReturnReason::parse(r).map_err(|_| {
            ApiError::validation(
                format!("reasons[{i}]"),
                "must be one of receipt_missing, amount_differs, account_unreadable, applicant_not_entitled, other",
            )
        })?);
    }
    let m = MoveRequest {
        to,
        on: b.on,
        reasons,
        note: b.note.clone(),
    };
    let id = path_id::<ApplicationId>(&id, ErrorCode::ApplicationNotFound)?;
    let expected = if_match(&req)?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let r = service::transition(&state.db, &auth.actor(), &id, expected, &m).await?;
        let version = r.application.version;
        Ok(Answer::with_version(record_view(r), version))
    })
    .await
}
