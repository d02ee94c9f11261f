//! `/v1/payment-runs` and `/v1/payments`: monthly payment runs of decided high-cost benefits
//! (自動償還), their 全銀 総合振込 transfer file, transfer results, the payment notice (支給決定
//! 通知書) and the pre-filled application form (turnaround form) of households not registered.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, page_request};
use super::households::Address;
use super::idempotency::with_etag;
use super::paging::ListPage;
use crate::domain::calendar::YearMonth;
use crate::domain::household::Household;
use crate::domain::kogaku::StepRecord;
use crate::domain::member::Member;
use crate::domain::payment::{self as rules, PauseCause, RegistrationStatus, TransferFailure};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{PaymentsRead, PaymentsWrite};
use crate::service::payments as job;
use crate::state::AppState;
use crate::store::entity::{application_form as form, payment, payment_run as run};
use crate::store::members as member_store;
use crate::store::payments as store;
use crate::store::registrations::{self as reg_store, Change};
use crate::store::{benefits as benefit_store, claims as claim_store, households as household_store};

/// `running`, `completed`, `failed`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentRunStatus {
    Running,
    Completed,
    Failed,
}

/// Progress of a run: determinations looked at, of those decided when it started.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunProgress {
    pub done: i32,
    pub total: i32,
}

/// A payment run of one service month.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRun {
    pub id: String,
    pub service_month: String,
    /// 振込指定日.
    pub transfer_date: NaiveDate,
    pub status: PaymentRunStatus,
    pub progress: RunProgress,
    /// Payments made by this run.
    pub payment_count: i32,
    /// Their benefit, offsets included (yen).
    pub total_amount: i64,
    /// What of it went to unpaid NHI tax (充当).
    pub offset_total: i64,
    /// The pre-filled forms this run issued to households not registered (or paused, or
    /// cancelled) instead of a payment (also paged at `GET /v1/payment-runs/{id}/application-forms`).
    pub application_forms: Vec<ApplicationFormRecord>,
    /// How many forms.
    pub application_form_count: i32,
    /// Refund receivables assessed because a paid benefit was lowered.
    pub refunds: i32,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

async fn run_view(state: &AppState, r: run::Model) -> Result<PaymentRun, ApiError> {
    let mut forms = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = crate::domain::page::PageRequest {
            after: after.clone(),
            limit: 500,
        };
        let rows = store::run_forms(&state.db, &r.insurer, &r.id, &page).await?;
        forms.extend(rows.items.into_iter().map(form_view));
        match rows.next_cursor {
            Some(_) => after = forms.last().map(|f: &ApplicationFormRecord| f.id.clone()),
            None => break,
        }
    }
    Ok(PaymentRun {
        status: match r.status.as_str() {
            store::RUNNING => PaymentRunStatus::Running,
            store::COMPLETED => PaymentRunStatus::Completed,
            _ => PaymentRunStatus::Failed,
        },
        progress: RunProgress {
            done: r.done,
            total: r.total,
        },
        id: r.id,
        service_month: r.service_month,
        transfer_date: r.transfer_date,
        payment_count: r.payment_count,
        total_amount: r.total_amount,
        offset_total: r.offset_total,
        application_forms: forms,
        application_form_count: r.application_forms,
        refunds: r.refunds,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    })
}

/// `regular`, or `supplementary` (追加支給: the benefit was raised after it had been paid).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Regular,
    Supplementary,
}

/// `scheduled` (in the transfer file) or `failed` (returned by the bank).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Scheduled,
    Failed,
}

/// An account as notices show it: the number masked but its last three digits.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaskedAccount {
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number_masked: String,
    pub holder_kana: String,
}

/// One payment of a determination.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    pub registration_id: String,
    pub service_month: String,
    pub kind: PaymentKind,
    /// The benefit this payment settles.
    pub gross_amount: i64,
    /// Applied to unpaid NHI tax (充当).
    pub offset_amount: i64,
    /// Transferred to the account.
    pub net_amount: i64,
    pub account: MaskedAccount,
    pub transfer_date: NaiveDate,
    pub status: PaymentStatus,
    pub failure_reason: Option<TransferFailure>,
    pub failed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

fn masked(bank: &str, branch: &str, kind: &str, number: &str, holder: &str) -> MaskedAccount {
    MaskedAccount {
        bank_code: bank.to_string(),
        branch_code: branch.to_string(),
        account_type: kind.to_string(),
        account_number_masked: rules::mask_account(number),
        holder_kana: holder.to_string(),
    }
}

fn payment_view(p: payment::Model) -> Payment {
    Payment {
        account: masked(
            &p.bank_code,
            &p.branch_code,
            &p.account_type,
            &p.account_number,
            &p.holder_kana,
        ),
        kind: if p.kind == "supplementary" {
            PaymentKind::Supplementary
        } else {
            PaymentKind::Regular
        },
        status: if p.status == store::PAYMENT_FAILED {
            PaymentStatus::Failed
        } else {
            PaymentStatus::Scheduled
        },
        failure_reason: p.failure_reason.as_deref().and_then(TransferFailure::parse),
        id: p.id,
        run_id: p.run_id,
        determination_id: p.determination_id,
        household_id: p.household_id,
        registration_id: p.registration_id,
        service_month: p.service_month,
        gross_amount: p.gross_amount,
        offset_amount: p.offset_amount,
        net_amount: p.net_amount,
        transfer_date: p.transfer_date,
        failed_on: p.failed_on,
        created_at: p.created_at,
    }
}

/// A pre-filled application form issued by a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationFormRecord {
    pub id: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    pub service_month: String,
    /// The benefit the form offers (yen).
    pub amount: i64,
    /// `not_registered`, `registration_paused`, `registration_cancelled`.
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

fn form_view(f: form::Model) -> ApplicationFormRecord {
    ApplicationFormRecord {
        id: f.id,
        run_id: f.run_id,
        determination_id: f.determination_id,
        household_id: f.household_id,
        service_month: f.service_month,
        amount: f.amount,
        reason: f.reason,
        created_at: f.created_at,
    }
}

fn run_not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::PaymentRunNotFound)
}

fn payment_not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::PaymentNotFound)
}

/// Which month to pay, and when the bank transfers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRunRequest {
    /// `YYYY-MM`
    pub service_month: String,
    /// 振込指定日: a weekday (public holidays are the insurer's to avoid).
    pub transfer_date: NaiveDate,
}

/// Run the payments of a month: every decided determination not yet settled is paid to the
/// household's active registration (net of consented offsets), or gets a pre-filled form when the
/// household is not registered. Runs to its end before answering; a determination is paid at most
/// once, whatever is retried or run twice.
#[utoipa::path(
    tag = "payments",
    request_body = PaymentRunRequest,
    responses(
        (status = 201, description = "The run, completed (or failed, with `error`)", body = PaymentRun),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, or a transfer date on a weekend", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/payment-runs")]
pub async fn create_payment_run(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    body: Body<PaymentRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let m = YearMonth::parse(&b.service_month).map_err(|e| ApiError::validation("service_month", e.to_string()))?;
    if matches!(b.transfer_date.weekday(), Weekday::Sat | Weekday::Sun) {
        return Err(ApiError::validation(
            "transfer_date",
            "must be a bank business day, not a Saturday or Sunday",
        ));
    }
    let r = job::start(&state.db, &state.clock, &auth.actor(), &m.to_string(), b.transfer_date).await?;
    Ok(HttpResponse::Created().json(run_view(&state, r).await?))
}

/// Read a payment run.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "The run", body = PaymentRun),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}")]
pub async fn get_payment_run(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get_run(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(run_not_found)?;
    Ok(HttpResponse::Ok().json(run_view(&state, r).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The payments of a run, in transfer-file order.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id"), PageQuery),
    responses(
        (status = 200, description = "A page of payments", body = ListPage<Payment>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}/payments")]
pub async fn list_run_payments(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let r = store::get_run(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(run_not_found)?;
    let rows = store::list_payments(&state.db, auth.insurer(), &r.id, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        next_cursor: rows.next_cursor.clone(),
        items: rows.items.into_iter().map(payment_view).collect::<Vec<_>>(),
    }))
}

/// The application forms a run issued (households paid by application, not automatically).
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id"), PageQuery),
    responses(
        (status = 200, description = "A page of forms", body = ListPage<ApplicationFormRecord>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}/application-forms")]
pub async fn list_run_forms(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let r = store::get_run(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(run_not_found)?;
    let rows = store::run_forms(&state.db, auth.insurer(), &r.id, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        next_cursor: rows.next_cursor.clone(),
        items: rows.items.into_iter().map(form_view).collect::<Vec<_>>(),
    }))
}

/// The run's 全銀 総合振込 file: header, one data record per payment with a bank part, trailer and
/// end record, each 120 bytes of Shift_JIS followed by CR LF. The remitter is the insurer's, from
/// configuration (`HOKENSHA_REMITTERS`).
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "The transfer file", body = Vec<u8>, content_type = "text/plain; charset=Shift_JIS"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The run is not completed, has no transfers, or no remitter is configured for the insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payment-runs/{id}/transfer-file")]
pub async fn get_transfer_file(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get_run(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(run_not_found)?;
    if r.status != store::COMPLETED {
        return Err(ApiError::Conflict {
            code: ErrorCode::PaymentRunNotCompleted,
            detail: format!("the run is {}", r.status),
        });
    }
    let remitter = state
        .config
        .remitters
        .get(auth.insurer())
        .ok_or_else(|| ApiError::Conflict {
            code: ErrorCode::RemitterNotConfigured,
            detail: format!("no remitter is configured for insurer {}", auth.insurer()),
        })?
        .remitter()
        .map_err(ApiError::Internal)?;
    let bytes = job::transfer_file(&state.db, &r, &remitter)
        .await
        .map_err(|e| match e {
            job::FileError::Db(e) => e.into(),
            job::FileError::NoTransfers => ApiError::Conflict {
                code: ErrorCode::NoTransfers,
                detail: "the run made no payment with a bank part".into(),
            },
            job::FileError::Invalid(e) => ApiError::Unprocessable {
                code: ErrorCode::TransferFileInvalid,
                detail: e.to_string(),
            },
            job::FileError::Corrupt(e) => ApiError::Internal(e),
        })?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=Shift_JIS")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"sogo-furikomi-{}-{}.txt\"",
                r.service_month, r.id
            ),
        ))
        .body(bytes))
}

/// One transfer the bank returned.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferFailureBody {
    pub payment_id: String,
    pub reason: TransferFailure,
    /// Defaults to the run's transfer date.
    pub failed_on: Option<NaiveDate>,
}

/// The bank's results of a run's transfers: only the failures are reported.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferResults {
    pub failures: Vec<TransferFailureBody>,
}

/// What recording the results changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferResultsOutcome {
    /// Payments newly marked failed.
    pub failed: usize,
    /// Payments that were already failed.
    pub unchanged: usize,
    /// Registrations paused by a failed transfer.
    pub paused_registrations: Vec<String>,
}

/// Record transfers that failed (account closed, name mismatch): each payment is marked failed,
/// its determination waits for a later run again, and the registration is paused until its account
/// is changed. All or nothing.
#[utoipa::path(
    tag = "payments",
    request_body = TransferResults,
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "Recorded", body = TransferResultsOutcome),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Written concurrently; send again", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A payment that is not this run's, or with no bank part", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:write"]))
)]
#[post("/payment-runs/{id}/results")]
pub async fn record_transfer_results(
    auth: Auth<PaymentsWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<TransferResults>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get_run(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(run_not_found)?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in body.value.failures.iter().enumerate() {
        match store::get_payment(&state.db, auth.insurer(), &f.payment_id).await? {
            Some(p) if p.run_id == r.id && p.net_amount > 0 => found.push((p, f)),
            Some(p) if p.run_id == r.id => errors.push(FieldError {
                field: format!("failures[{i}].payment_id"),
                message: "this payment went wholly to NHI tax; nothing was transferred".into(),
            }),
            _ => errors.push(FieldError {
                field: format!("failures[{i}].payment_id"),
                message: "not a payment of this run".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let actor = auth.actor();
    let txn = state.db.begin().await?;
    let mut out = TransferResultsOutcome {
        failed: 0,
        unchanged: 0,
        paused_registrations: Vec::new(),
    };
    for (p, f) in &found {
        let on = f.failed_on.unwrap_or(r.transfer_date);
        if !store::fail_payment(&txn, &actor, p, f.reason.as_str(), on).await? {
            out.unchanged += 1;
            continue;
        }
        out.failed += 1;
        if let Some(reg) = reg_store::get(&txn, &actor.insurer, &p.registration_id).await?
            && reg.status != RegistrationStatus::Cancelled
            && !reg.pause_reasons.contains(&PauseCause::TransferFailed)
        {
            let change = Change {
                next: reg.with_pause(PauseCause::TransferFailed, true),
                reason: PauseCause::TransferFailed.as_str(),
                on,
            };
            reg_store::apply(&txn, &actor, &reg, change)
                .await?
                .ok_or_else(|| ApiError::Conflict {
                    code: ErrorCode::RegistrationChanged,
                    detail: "a registration changed meanwhile; send the results again".into(),
                })?;
            out.paused_registrations.push(reg.id.clone());
        }
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Read a payment.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The payment", body = Payment),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such payment for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payments/{id}")]
pub async fn get_payment(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = store::get_payment(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(payment_not_found)?;
    let version = p.version;
    Ok(with_etag(&payment_view(p), version))
}

/// A household as documents address it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Addressee {
    pub household_id: String,
    pub household_number: String,
    pub head_name: String,
    pub address: Address,
}

fn addressee(h: &Household) -> Addressee {
    let d = &h.data;
    Addressee {
        household_id: h.id.clone(),
        household_number: d.household_number.clone(),
        head_name: d.head_name.clone(),
        address: Address {
            postal_code: d.postal_code.clone(),
            prefecture: d.prefecture.clone(),
            city: d.city.clone(),
            line: d.address_line.clone(),
        },
    }
}

/// What a patient paid one provider in the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderAmount {
    pub provider_code: String,
    pub provider_name: String,
    /// 総医療費.
    pub total_cost: i64,
    /// 一部負担金 paid.
    pub copayment: i64,
}

/// One patient of the household-month.
#[derive(Debug, Serialize, ToSchema)]
pub struct Patient {
    pub member_id: String,
    /// 記号・番号・枝番, e.g. `B-1234-00`.
    pub insured_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub providers: Vec<ProviderAmount>,
    /// This patient's part of the benefit.
    pub benefit: i64,
}

/// The limit the calculation ended on.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitApplied {
    /// 自己負担限度額 (yen).
    pub limit: i64,
    pub rule: String,
    pub limit_kind: String,
    pub source: String,
}

/// Patients, providers and totals of a determination's household-month.
struct Facts {
    household: Household,
    patients: Vec<Patient>,
    total_cost: i64,
    total_copayment: i64,
    limit: Option<LimitApplied>,
}

async fn facts(
    state: &AppState,
    insurer: &str,
    d: &crate::store::entity::benefit_determination::Model,
) -> Result<Facts, ApiError> {
    let household = household_store::get(&state.db, insurer, &d.household_id)
        .await?
        .ok_or_else(|| ApiError::Internal("determination without household".into()))?;
    let members: HashMap<String, Member> = member_store::of_households(&state.db, insurer, &[d.household_id.as_str()])
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let claims = claim_store::active_of_household_month(&state.db, insurer, &d.household_id, &d.service_month).await?;
    let benefits: HashMap<String, i64> =
        serde_json::from_str::<Vec<crate::service::benefits::StoredMemberBenefit>>(&d.members)
            .map_err(|e| ApiError::Internal(format!("stored members: {e}")))?
            .into_iter()
            .map(|m| (m.member_id, m.benefit))
            .collect();
    let mut by_member: BTreeMap<String, BTreeMap<String, ProviderAmount>> = BTreeMap::new();
    let (mut total_cost, mut total_copayment) = (0, 0);
    for c in &claims {
        total_cost += c.total_cost;
        total_copayment += c.copayment;
        let p = by_member
            .entry(c.member_id.clone())
            .or_default()
            .entry(c.provider_code.clone())
            .or_insert_with(|| ProviderAmount {
                provider_code: c.provider_code.clone(),
                provider_name: c.provider_name.clone(),
                total_cost: 0,
                copayment: 0,
            });
        p.total_cost += c.total_cost;
        p.copayment += c.copayment;
    }
    let patients = by_member
        .into_iter()
        .filter_map(|(id, providers)| {
            let m = members.get(&id)?;
            Some(Patient {
                insured_number: m.data.insured_number.to_string(),
                name: m.data.name.clone(),
                birth_date: m.data.birth_date,
                benefit: benefits.get(&id).copied().unwrap_or(0),
                providers: providers.into_values().collect(),
                member_id: id,
            })
        })
        .collect();
    let steps: Vec<StepRecord> =
        serde_json::from_str(&d.steps).map_err(|e| ApiError::Internal(format!("stored steps: {e}")))?;
    let limit = crate::domain::kogaku::limit_on_notice(&steps).map(|s| LimitApplied {
        limit: s.limit,
        rule: s.rule.clone(),
        limit_kind: s.limit_kind.clone(),
        source: s.source.clone(),
    });
    Ok(Facts {
        household,
        patients,
        total_cost,
        total_copayment,
        limit,
    })
}

/// The offset of a payment, as the notice shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OffsetView {
    pub amount: i64,
    /// `consent`.
    pub basis: String,
    pub arrears_as_of: NaiveDate,
    pub arrears_before: i64,
}

/// 支給決定通知書: what was decided and paid, to whom, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentNotice {
    pub payment_id: String,
    pub determination_id: String,
    pub addressee: Addressee,
    pub service_month: String,
    /// The determination's benefit.
    pub total_benefit: i64,
    /// What this payment settles (the difference, for a supplementary payment).
    pub amount_paid: i64,
    pub kind: PaymentKind,
    pub patients: Vec<Patient>,
    pub total_cost: i64,
    pub total_copayment: i64,
    pub limit_applied: Option<LimitApplied>,
    pub offset: Option<OffsetView>,
    pub net_amount: i64,
    pub account: MaskedAccount,
    pub transfer_date: NaiveDate,
    pub status: PaymentStatus,
}

/// The payment notice (支給決定通知書) as data.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The notice", body = PaymentNotice),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such payment for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/payments/{id}/notice")]
pub async fn get_payment_notice(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = store::get_payment(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(payment_not_found)?;
    let d = benefit_store::get(&state.db, auth.insurer(), &p.determination_id)
        .await?
        .ok_or_else(|| ApiError::Internal("payment without determination".into()))?;
    let f = facts(&state, auth.insurer(), &d).await?;
    let offset = store::offset_of(&state.db, &p.id).await?.map(|o| OffsetView {
        amount: o.amount,
        basis: o.basis,
        arrears_as_of: o.arrears_as_of,
        arrears_before: o.arrears_before,
    });
    let amount_paid = p.gross_amount;
    let net_amount = p.net_amount;
    let transfer_date = p.transfer_date;
    let view = payment_view(p);
    Ok(HttpResponse::Ok().json(PaymentNotice {
        payment_id: view.id,
        determination_id: d.id,
        addressee: addressee(&f.household),
        service_month: d.service_month,
        total_benefit: d.total_benefit,
        amount_paid,
        kind: view.kind,
        patients: f.patients,
        total_cost: f.total_cost,
        total_copayment: f.total_copayment,
        limit_applied: f.limit,
        offset,
        net_amount,
        account: view.account,
        transfer_date,
        status: view.status,
    }))
}

/// The pre-filled application (turnaround) form: what seed 004 lists for the 申請書.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationForm {
    pub determination_id: String,
    /// The form record, when a run issued it.
    pub form_id: Option<String>,
    /// Why the household gets a form (`not_registered`, `registration_paused`,
    /// `registration_cancelled`), when a run issued it.
    pub reason: Option<String>,
    pub addressee: Addressee,
    /// 療養年月.
    pub service_month: String,
    pub patients: Vec<Patient>,
    /// 支給金額.
    pub benefit: i64,
    /// 費用額合計.
    pub total_cost: i64,
    /// 一部負担金合計.
    pub total_copayment: i64,
    /// 総自己負担限度額.
    pub total_limit: Option<i64>,
    /// The account of the household's latest registration, if any (masked).
    pub previous_account: Option<MaskedAccount>,
}

/// The pre-filled application form of a determination, as data.
#[utoipa::path(
    tag = "payments",
    params(("id" = String, Path, description = "Determination id")),
    responses(
        (status = 200, description = "The form", body = ApplicationForm),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope payments:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such determination for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded: the form of its successor applies", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["payments:read"]))
)]
#[get("/benefit-calculations/{id}/application-form")]
pub async fn get_application_form(
    auth: Auth<PaymentsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let d = benefit_store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::DeterminationNotFound))?;
    if d.status == benefit_store::SUPERSEDED {
        return Err(ApiError::Conflict {
            code: ErrorCode::DeterminationSuperseded,
            detail: format!("superseded by {}", d.superseded_by_id.clone().unwrap_or_default()),
        });
    }
    let f = facts(&state, auth.insurer(), &d).await?;
    let issued = store::form_of(&state.db, auth.insurer(), &d.id).await?;
    let previous = reg_store::latest_of(&state.db, auth.insurer(), &d.household_id).await?;
    Ok(HttpResponse::Ok().json(ApplicationForm {
        form_id: issued.as_ref().map(|x| x.id.clone()),
        reason: issued.map(|x| x.reason),
        addressee: addressee(&f.household),
        service_month: d.service_month,
        patients: f.patients,
        benefit: d.total_benefit,
        total_cost: f.total_cost,
        total_copayment: f.total_copayment,
        total_limit: f.limit.map(|l| l.limit),
        previous_account: previous.map(|r| {
            masked(
                &r.account.bank_code,
                &r.account.branch_code,
                &r.account.account_type,
                &r.account.account_number,
                &r.account.holder_kana,
            )
        }),
        determination_id: d.id,
    }))
}
