//! `/v1/payment-registrations`: the one-time application for automatic payment of the high-cost
//! benefit (高額療養費支給申請手続簡素化申出). A household has at most one registration that is not
//! cancelled; its transitions are recorded with their reasons, and the changes of members and tax
//! arrears that end or pause it act on it without anyone calling these endpoints.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, if_match, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use crate::domain::member::Relationship;
use crate::domain::payment::{self, EndReason, PauseCause, RegistrationStatus};
use crate::domain::zengin::BankAccount;
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{PaymentsRead, PaymentsWrite};
use crate::service::check_version;
use crate::state::AppState;
use crate::store::entity::{payment_registration as reg, registration_event as event};
use crate::store::registrations::{self as store, Change, Filter};
use crate::store::{households as household_store, is_unique_violation, members as member_store, new_id, now};

/// The account benefits are paid to. `holder_kana` is taken in full-width or half-width katakana
/// and answered as the bank file carries it (half-width, small kana made full size).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountBody {
    /// 金融機関コード, 4 digits.
    pub bank_code: String,
    /// 支店コード, 3 digits.
    pub branch_code: String,
    /// `ordinary` (普通), `current` (当座), `savings` (貯蓄).
    pub account_type: String,
    /// 口座番号, 7 digits.
    pub account_number: String,
    /// 口座名義カナ.
    pub holder_kana: String,
}

/// A one-time application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    pub household_id: String,
    /// The household head (世帯主) who applies and holds the account.
    pub applicant_member_id: String,
    pub applied_on: NaiveDate,
    pub bank_account: BankAccountBody,
    /// Consent to offset (充当) the benefit against unpaid NHI tax.
    pub offset_consent: bool,
    /// Consent to repay, or net against later payments, what a re-examination takes back.
    #[serde(default)]
    pub repayment_consent: bool,
}

/// A change of account (口座変更届) or of the offset consent. Clears a pause for a failed transfer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    pub bank_account: Option<BankAccountBody>,
    pub offset_consent: Option<bool>,
    pub repayment_consent: Option<bool>,
}

/// Ends a registration (解除): a new application is needed afterwards.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRegistration {
    pub reason: EndReason,
    pub ended_on: NaiveDate,
}

/// One transition.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationEvent {
    pub from_status: Option<RegistrationStatus>,
    pub to_status: RegistrationStatus,
    /// `applied`, a pause cause (`tax_arrears`, `transfer_failed`), its clearing
    /// (`tax_arrears_cleared`, `account_changed`) or an end reason.
    pub reason: String,
    pub effective_on: NaiveDate,
    pub at: DateTime<Utc>,
}

/// A registration for automatic payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub id: String,
    pub household_id: String,
    pub applicant_member_id: String,
    pub applied_on: NaiveDate,
    pub bank_account: BankAccountBody,
    pub offset_consent: bool,
    pub repayment_consent: bool,
    pub status: RegistrationStatus,
    /// What holds a `paused` registration; it resumes by itself when none is left.
    pub pause_reasons: Vec<PauseCause>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    /// Transitions, oldest first (in the single-registration answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<RegistrationEvent>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn status_of(s: &str) -> Result<RegistrationStatus, ApiError> {
    RegistrationStatus::parse(s).ok_or_else(|| ApiError::Internal(format!("stored registration status {s}")))
}

fn view(r: reg::Model, events: Option<Vec<event::Model>>) -> Result<Registration, ApiError> {
    let events = match events {
        Some(es) => Some(
            es.into_iter()
                .map(|e| {
                    Ok(RegistrationEvent {
                        from_status: e.from_status.as_deref().map(status_of).transpose()?,
                        to_status: status_of(&e.to_status)?,
                        reason: e.reason,
                        effective_on: e.effective_on,
                        at: e.at,
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()?,
        ),
        None => None,
    };
    Ok(Registration {
        pause_reasons: store::causes(&r),
        status: status_of(&r.status)?,
        end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
        bank_account: BankAccountBody {
            bank_code: r.bank_code,
            branch_code: r.branch_code,
            account_type: r.account_type,
            account_number: r.account_number,
            holder_kana: r.holder_kana,
        },
        id: r.id,
        household_id: r.household_id,
        applicant_member_id: r.applicant_member_id,
        applied_on: r.applied_on,
        offset_consent: r.offset_consent,
        repayment_consent: r.repayment_consent,
        ended_on: r.ended_on,
        events,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Validates an account, naming each bad field under `bank_account.`.
fn account(b: &BankAccountBody) -> Result<BankAccount, Vec<FieldError>> {
    BankAccount::parse(
        &b.bank_code,
        &b.branch_code,
        &b.account_type,
        &b.account_number,
        &b.holder_kana,
    )
    .map_err(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError {
                field: format!("bank_account.{}", e.field),
                message: e.message,
            })
            .collect()
    })
}

fn normalised(a: &BankAccount) -> BankAccountBody {
    BankAccountBody {
        bank_code: a.bank_code().as_str().to_string(),
        branch_code: a.branch_code().as_str().to_string(),
        account_type: a.account_type().as_str().to_string(),
        account_number: a.account_number().as_str().to_string(),
        holder_kana: a.holder().as_str().to_string(),
    }
}

pub(crate) fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::RegistrationNotFound)
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::RegistrationChanged,
        detail: "the registration changed while it was being written; read it again".into(),
    }
}

/// Register a household for automatic payment (one-time application).
#[utoipa::path(
    tag = "payments",
    request_body = NewRegistration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h")),
    responses(
        (status = 201, description = "Registered; `paused` at once when NHI tax arrears are reported and no offset consent was given", body = Registration),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The household already has a registration that is not cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid account (each field named), applicant not the living head of the household", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/payment-registrations")]
pub async fn create_registration(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewRegistration>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let household = household_store::get(&state.db, auth.insurer(), &b.household_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::HouseholdNotFound))?;
    let mut errors = Vec::new();
    let acct = account(&b.bank_account).map_err(|e| errors.extend(e)).ok();
    match member_store::get(&state.db, auth.insurer(), &b.applicant_member_id).await? {
        Some(m) if m.household_id != household.id => errors.push(FieldError {
            field: "applicant_member_id".into(),
            message: "is not a member of this household".into(),
        }),
        Some(m) if m.data.relationship != Relationship::Head => errors.push(FieldError {
            field: "applicant_member_id".into(),
            message: "must be the household head (世帯主)".into(),
        }),
        Some(m) if m.data.died_on.is_some() || m.data.lost_on.is_some_and(|l| l <= b.applied_on) => {
            errors.push(FieldError {
                field: "applicant_member_id".into(),
                message: "the head is no longer insured (died or lost eligibility)".into(),
            })
        }
        Some(_) => {}
        None => errors.push(FieldError {
            field: "applicant_member_id".into(),
            message: "no such member".into(),
        }),
    }
    let (Some(acct), true) = (acct, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let arrears = household_store::tax_arrears_of(&state.db, auth.insurer(), &[household.id.as_str()])
        .await?
        .first()
        .map_or(0, |a| a.amount);
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let causes: Vec<PauseCause> = payment::arrears_cause(arrears, b.offset_consent).into_iter().collect();
        let a = normalised(&acct);
        let at = now();
        let model = reg::Model {
            id: new_id(),
            insurer: auth.insurer().to_string(),
            household_id: household.id.clone(),
            applicant_member_id: b.applicant_member_id.clone(),
            applied_on: b.applied_on,
            bank_code: a.bank_code,
            branch_code: a.branch_code,
            account_type: a.account_type,
            account_number: a.account_number,
            holder_kana: a.holder_kana,
            offset_consent: b.offset_consent,
            repayment_consent: b.repayment_consent,
            status: payment::status_with(&causes).as_str().to_string(),
            pause_reasons: store::causes_json(&causes),
            ended_on: None,
            end_reason: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let row = store::create(&state.db, &auth.actor(), model).await.map_err(|e| {
            if is_unique_violation(&e) {
                ApiError::Conflict {
                    code: ErrorCode::RegistrationExists,
                    detail: "the household already has a registration that is not cancelled".into(),
                }
            } else {
                e.into()
            }
        })?;
        let events = store::events(&state.db, auth.insurer(), &row.id).await?;
        let version = row.version;
        Ok(Answer::created(view(row, Some(events))?, version))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    pub household_id: Option<String>,
    pub status: Option<RegistrationStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List registrations.
#[utoipa::path(
    tag = "payments",
    params(RegistrationQuery),
    responses(
        (status = 200, description = "A page of registrations", body = ListPage<Registration>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-registrations")]
pub async fn list_registrations(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    q: web::Query<RegistrationQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let q = q.into_inner();
    let filter = Filter {
        household_id: q.household_id,
        status: q.status.map(|s| s.as_str().to_string()),
    };
    let rows = store::list(&state.db, auth.insurer(), &filter, &page).await?;
    let next_cursor = rows.next_cursor.clone();
    let items = rows
        .items
        .into_iter()
        .map(|r| view(r, None))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ListPage { items, next_cursor }))
}

/// Read a registration with its transitions.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The registration", body = Registration),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-registrations/{id}")]
pub async fn get_registration(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let events = store::events(&state.db, auth.insurer(), &r.id).await?;
    let version = r.version;
    Ok(with_etag(&view(r, Some(events))?, version))
}

/// Change the account or the consents. A new account clears a pause for a failed transfer; giving
/// offset consent clears a pause for tax arrears.
#[utoipa::path(
    tag = "payments",
    request_body = RegistrationPatch,
    params(
        ("id" = String, Path, description = "Registration id"),
        ("If-Match" = Option<String>, Header, description = "The version read (ETag)"),
    ),
    responses(
        (status = 200, description = "The registration as changed", body = Registration),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled: a new application is needed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[patch("/payment-registrations/{id}")]
pub async fn update_registration(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<RegistrationPatch>,
) -> Result<HttpResponse, ApiError> {
    let current = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    check_version(if_match(&req)?, current.version)?;
    if current.status == RegistrationStatus::Cancelled.as_str() {
        return Err(ApiError::Conflict {
            code: ErrorCode::RegistrationCancelled,
            detail: "a cancelled registration cannot change; a new application is needed".into(),
        });
    }
    let p = &body.value;
    let mut next = current.clone();
    let mut reason = "changed";
    if let Some(b) = &p.bank_account {
        let a = normalised(&account(b).map_err(ApiError::Validation)?);
        next = reg::Model {
            bank_code: a.bank_code,
            branch_code: a.branch_code,
            account_type: a.account_type,
            account_number: a.account_number,
            holder_kana: a.holder_kana,
            ..store::with_pause(&next, PauseCause::TransferFailed, false)
        };
        reason = "account_changed";
    }
    if let Some(c) = p.repayment_consent {
        next.repayment_consent = c;
    }
    if let Some(c) = p.offset_consent {
        next.offset_consent = c;
        let arrears = household_store::tax_arrears_of(&state.db, auth.insurer(), &[current.household_id.as_str()])
            .await?
            .first()
            .map_or(0, |a| a.amount);
        let add = payment::arrears_cause(arrears, c).is_some();
        next = store::with_pause(&next, PauseCause::TaxArrears, add);
        if !add && store::causes(&current).contains(&PauseCause::TaxArrears) {
            reason = "offset_consent_given";
        }
    }
    let change = Change {
        next,
        reason,
        on: state.clock.today(),
    };
    let row = store::apply(&state.db, &auth.actor(), &current, change)
        .await?
        .ok_or_else(changed_meanwhile)?;
    let events = store::events(&state.db, auth.insurer(), &row.id).await?;
    let version = row.version;
    Ok(with_etag(&view(row, Some(events))?, version))
}

/// End a registration (解除) for a reason; afterwards the household gets application forms again.
#[utoipa::path(
    tag = "payments",
    request_body = EndRegistration,
    params(("id" = String, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The cancelled registration", body = Registration),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reason, or an end before the application", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/payment-registrations/{id}/end")]
pub async fn end_registration(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<EndRegistration>,
) -> Result<HttpResponse, ApiError> {
    let current = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    if current.status == RegistrationStatus::Cancelled.as_str() {
        return Err(ApiError::Conflict {
            code: ErrorCode::RegistrationCancelled,
            detail: "the registration is already cancelled".into(),
        });
    }
    let b = &body.value;
    if b.ended_on < current.applied_on {
        return Err(ApiError::validation("ended_on", "must not be before applied_on"));
    }
    let change = Change {
        next: store::cancelled(&current, b.reason, b.ended_on),
        reason: b.reason.as_str(),
        on: b.ended_on,
    };
    let row = store::apply(&state.db, &auth.actor(), &current, change)
        .await?
        .ok_or_else(changed_meanwhile)?;
    let events = store::events(&state.db, auth.insurer(), &row.id).await?;
    let version = row.version;
    Ok(with_etag(&view(row, Some(events))?, version))
}
