//! `/v1/payment-registrations`: the one-time application for automatic payment of the high-cost
//! benefit (高額療養費支給申請手続簡素化申出). A household has at most one registration that is not
//! cancelled; its transitions are recorded with their reasons, and the changes of members and tax
//! arrears that end or pause it act on it without anyone calling these endpoints.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, if_match, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use crate::domain::Violations;
use crate::domain::ids::RegistrationId;
use crate::domain::payment::{self as rules, EndReason, PauseCause, RegistrationStatus};
use crate::domain::zengin::{AccountType, BankAccount};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{PaymentsRead, PaymentsWrite};
use crate::http::extract::path_id;
use crate::service::registrations::{self as service, Amendment, Application, Filter, RegistrationRecord};
use crate::state::AppState;

/// The account benefits are paid to. `holder_kana` is taken in full-width or half-width katakana
/// and answered as the bank file carries it (half-width, small kana made full size).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountBody {
    /// 金融機関コード, 4 digits.
    #[schema(pattern = r"^[0-9]{4}$")]
    pub bank_code: String,
    /// 支店コード, 3 digits.
    #[schema(pattern = r"^[0-9]{3}$")]
    pub branch_code: String,
    /// `ordinary` (普通), `current` (当座), `savings` (貯蓄).
    #[schema(value_type = AccountType)]
    pub account_type: String,
    /// 口座番号, 7 digits.
    #[schema(pattern = r"^[0-9]{7}$")]
    pub account_number: String,
    /// 口座名義カナ: katakana (full-width or half-width, `ヲ` excepted), Latin letters, digits,
    /// spaces and `( ) - .` (full-width forms too), not all spaces; at most 30 characters once
    /// converted to half-width kana (a voiced kana counts two) and stripped of outer spaces.
    #[schema(
        min_length = 1,
        pattern = r"^[ \u3000]*[-A-Za-z0-9().\u3099-\u309C\u30A1-\u30F1\u30F3-\u30F6\u30FC\u2010\u2212\uFF08\uFF09\uFF0D\uFF0E\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF67-\uFF9F][-A-Za-z0-9().\u3099-\u309C\u30A1-\u30F1\u30F3-\u30F6\u30FC\u2010\u2212\uFF08\uFF09\uFF0D\uFF0E\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF67-\uFF9F \u3000]*$"
    )]
    pub holder_kana: String,
}

/// A one-time application.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    #[schema(format = Uuid)]
    pub household_id: String,
    /// The household head (世帯主) who applies and holds the account.
    #[schema(format = Uuid)]
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
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    pub bank_account: Option<BankAccountBody>,
    pub offset_consent: Option<bool>,
    pub repayment_consent: Option<bool>,
}

/// Ends a registration (解除): a new application is needed afterwards.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EndRegistration {
    pub reason: EndReason,
    pub ended_on: NaiveDate,
}

/// Why a registration moved; mirrors the server's list of the reasons a transition is recorded
/// with: `applied`, a pause cause (`tax_arrears`, `transfer_failed`), its clearing
/// (`tax_arrears_cleared`, `account_changed`, `offset_consent_given`), `changed` (another change
/// of the consents that paused it), or an end reason (`head_changed`, `head_died`, `left_nhi`,
/// `withdrawn`, `improper`, `other`).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationEventReason {
    Applied,
    TaxArrears,
    TransferFailed,
    TaxArrearsCleared,
    AccountChanged,
    OffsetConsentGiven,
    Changed,
    HeadChanged,
    HeadDied,
    LeftNhi,
    Withdrawn,
    Improper,
    Other,
}

/// One transition.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationEvent {
    pub from_status: Option<RegistrationStatus>,
    pub to_status: RegistrationStatus,
    /// `applied`, a pause cause (`tax_arrears`, `transfer_failed`), its clearing
    /// (`tax_arrears_cleared`, `account_changed`, `offset_consent_given`), `changed`, or an end
    /// reason.
    #[schema(value_type = RegistrationEventReason)]
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

fn event_view(e: rules::RegistrationEvent) -> RegistrationEvent {
    RegistrationEvent {
        from_status: e.from_status,
        to_status: e.to_status,
        reason: e.reason,
        effective_on: e.effective_on,
        at: e.at,
    }
}

fn view(r: rules::Registration, events: Option<Vec<rules::RegistrationEvent>>) -> Registration {
    let a = r.account;
    Registration {
        pause_reasons: r.pause_reasons,
        status: r.status,
        end_reason: r.end_reason,
        bank_account: BankAccountBody {
            bank_code: a.bank_code,
            branch_code: a.branch_code,
            account_type: a.account_type,
            account_number: a.account_number,
            holder_kana: a.holder_kana,
        },
        id: r.id,
        household_id: r.household_id,
        applicant_member_id: r.applicant_member_id,
        applied_on: r.applied_on,
        offset_consent: r.offset_consent,
        repayment_consent: r.repayment_consent,
        ended_on: r.ended_on,
        events: events.map(|es| es.into_iter().map(event_view).collect()),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn record_view(r: RegistrationRecord) -> Registration {
    view(r.registration, Some(r.events))
}

/// Validates an account, naming each bad field under `bank_account.`.
pub(super) fn bank_account(b: &BankAccountBody) -> Result<BankAccount, Violations> {
    BankAccount::parse(
        &b.bank_code,
        &b.branch_code,
        &b.account_type,
        &b.account_number,
        &b.holder_kana,
    )
    .map_err(|errors| {
        let mut v = Violations::new();
        for e in errors {
            v.push(format!("bank_account.{}", e.field), e.message);
        }
        v
    })
}

/// Register a household for automatic payment (one-time application).
#[utoipa::path(
    tag = "payments",
    request_body = NewRegistration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
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
    let application = Application {
        household_id: b.household_id.clone(),
        applicant_member_id: b.applicant_member_id.clone(),
        applied_on: b.applied_on,
        account: bank_account(&b.bank_account),
        offset_consent: b.offset_consent,
        repayment_consent: b.repayment_consent,
    };
    let checked = service::check(&state.db, auth.insurer(), &application).await?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let r = service::apply(&state.db, &auth.actor(), &application, checked).await?;
        let version = r.registration.version;
        Ok(Answer::created(record_view(r), version))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub household_id: Option<String>,
    pub status: Option<RegistrationStatus>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
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
        status: q.status,
        updated_since: q.updated_since,
    };
    let page = service::list(&state.db, auth.insurer(), &filter, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(|r| view(r, None)))))
}

/// Read a registration with its transitions.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Registration id", format = Uuid)),
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
    let r = service::get(
        &state.db,
        auth.insurer(),
        &path_id::<RegistrationId>(&id, ErrorCode::RegistrationNotFound)?,
    )
    .await?;
    let version = r.registration.version;
    Ok(with_etag(&record_view(r), version))
}

/// Change the account or the consents. A new account clears a pause for a failed transfer; giving
/// offset consent clears a pause for tax arrears.
#[utoipa::path(
    tag = "payments",
    request_body = RegistrationPatch,
    params(
        ("id" = String, Path, description = "Registration id", format = Uuid),
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
    let p = &body.value;
    let amendment = Amendment {
        account: p.bank_account.as_ref().map(bank_account).transpose()?,
        offset_consent: p.offset_consent,
        repayment_consent: p.repayment_consent,
    };
    let r = service::amend(
        &state.db,
        &auth.actor(),
        state.clock.today(),
        &path_id::<RegistrationId>(&id, ErrorCode::RegistrationNotFound)?,
        if_match(&req)?,
        amendment,
    )
    .await?;
    let version = r.registration.version;
    Ok(with_etag(&record_view(r), version))
}

/// End a registration (解除) for a reason; afterwards the household gets application forms again.
#[utoipa::path(
    tag = "payments",
    request_body = EndRegistration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"), ("id" = String, Path, description = "Registration id", format = Uuid)),
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
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<EndRegistration>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let r = service::end(
            &state.db,
            &auth.actor(),
            &path_id::<RegistrationId>(&id, ErrorCode::RegistrationNotFound)?,
            b.reason,
            b.ended_on,
        )
        .await?;
        let version = r.registration.version;
        Ok(Answer::with_version(record_view(r), version))
    })
    .await
}
