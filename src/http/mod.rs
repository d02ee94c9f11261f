//! Thin HTTP handlers, one file per resource: parse, authorize (an `Auth<scope>` argument),
//! call the domain and the store, reply. Every failure is an `ApiError`.

pub mod adjustments;
pub mod audit;
pub mod auth;
pub mod benefits;
pub mod card_recoveries;
pub mod claims;
pub mod extract;
pub mod households;
pub mod import;
pub mod members;
pub mod ops;
pub mod payments;
pub mod plans;
pub mod receivables;
pub mod registrations;
pub mod simulate;
pub mod statistics;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ErrorCode};
use crate::store::{self, idempotency::Reservation};

/// Registers every `/v1` operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(households::create_household)
        .service(households::list_households)
        .service(households::get_household)
        .service(households::update_household)
        .service(households::put_tax_arrears)
        .service(members::create_member)
        .service(members::get_member)
        .service(members::update_member)
        .service(claims::create_claim)
        .service(import::import_claims)
        .service(claims::list_claims)
        .service(claims::get_claim)
        .service(claims::void_claim)
        .service(simulate::simulate_benefit)
        .service(simulate::simulate_annual_outpatient)
        .service(benefits::create_benefit_calculation)
        .service(benefits::list_benefit_calculations)
        .service(benefits::get_benefit_calculation)
        .service(benefits::decide_benefit_calculation)
        .service(benefits::create_benefit_run)
        .service(benefits::get_benefit_run)
        .service(registrations::create_registration)
        .service(registrations::list_registrations)
        .service(registrations::get_registration)
        .service(registrations::update_registration)
        .service(registrations::end_registration)
        .service(payments::create_payment_run)
        .service(payments::get_payment_run)
        .service(payments::list_run_payments)
        .service(payments::list_run_forms)
        .service(payments::get_transfer_file)
        .service(payments::record_transfer_results)
        .service(payments::get_payment)
        .service(payments::get_payment_notice)
        .service(payments::get_application_form)
        .service(receivables::detect_ineligible_visits)
        .service(receivables::create_receivable)
        .service(receivables::list_receivables)
        .service(receivables::get_receivable)
        .service(receivables::record_action)
        .service(receivables::record_collection)
        .service(receivables::write_off)
        .service(receivables::get_late_charge)
        .service(receivables::dunning_worklist)
        .service(receivables::create_installment_plan)
        .service(receivables::file_legal_action)
        .service(receivables::record_legal_event)
        .service(adjustments::create_adjustment_request)
        .service(adjustments::list_adjustment_requests)
        .service(adjustments::get_adjustment_request)
        .service(adjustments::move_adjustment_request)
        .service(plans::put_counterparty)
        .service(plans::list_counterparties)
        .service(plans::put_plan)
        .service(plans::get_plan)
        .service(card_recoveries::open_card_recovery)
        .service(card_recoveries::list_card_recoveries)
        .service(card_recoveries::record_card_recovery_event)
        .service(statistics::benefit_statistics)
        .service(statistics::recovery_statistics)
        .service(statistics::recovery_breakdown)
        .service(statistics::rebuild_recovery)
        .service(statistics::activity_statistics)
        .service(statistics::adjustment_statistics)
        .service(statistics::card_recovery_statistics)
        .service(audit::list_audit_events);
}

/// A created (or otherwise answered) resource with its version.
pub struct Answer<T> {
    pub status: StatusCode,
    pub body: T,
    pub version: Option<i32>,
}

impl<T> Answer<T> {
    pub fn created(body: T, version: i32) -> Self {
        Self {
            status: StatusCode::CREATED,
            body,
            version: Some(version),
        }
    }
}

fn respond(status: StatusCode, body: String, version: Option<i32>) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type("application/json");
    if let Some(v) = version {
        res.insert_header(extract::etag(v));
    }
    res.body(body)
}

fn version_of(body: &str) -> Option<i32> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("version").and_then(|v| v.as_i64()))
        .and_then(|v| i32::try_from(v).ok())
}

/// Runs a creating POST under its `Idempotency-Key`, if any: the same key with the same method,
/// path and body within 24 hours replays the first answer; the same key with another request is
/// 409; a key whose first request is still running is 409 too. Without a key it simply runs.
pub async fn idempotent<T, F, Fut>(
    state: &crate::state::AppState,
    req: &HttpRequest,
    insurer: &str,
    body_digest: &str,
    run: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Answer<T>, ApiError>>,
{
    let Some(key) = extract::idempotency_key(req)? else {
        let a = run().await?;
        let body = serde_json::to_string(&a.body).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(respond(a.status, body, a.version));
    };
    let fingerprint = hex::encode(Sha256::digest(format!(
        "{} {}\n{}",
        req.method(),
        req.path(),
        body_digest
    )));
    match store::idempotency::reserve(&state.db, insurer, &key, &fingerprint).await? {
        Reservation::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let version = version_of(&body);
            let mut res = respond(status, body, version);
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            Ok(res)
        }
        Reservation::Mismatch => Err(ApiError::Conflict {
            code: ErrorCode::IdempotencyKeyReused,
            detail: "this Idempotency-Key was used with another request".into(),
        }),
        Reservation::InProgress => Err(ApiError::Conflict {
            code: ErrorCode::IdempotencyKeyInProgress,
            detail: "the first request with this Idempotency-Key has not finished".into(),
        }),
        Reservation::Fresh => match run().await {
            Ok(a) => {
                let body = serde_json::to_string(&a.body).map_err(|e| ApiError::Internal(e.to_string()))?;
                store::idempotency::complete(&state.db, insurer, &key, a.status.as_u16(), &body).await?;
                Ok(respond(a.status, body, a.version))
            }
            Err(e) => {
                store::idempotency::release(&state.db, insurer, &key).await?;
                Err(e)
            }
        },
    }
}

/// A JSON answer with the resource's `ETag`.
pub fn with_etag<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header(extract::etag(version)).json(body)
}

/// A list page as the wire has it: `{items, next_cursor}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<store::Page<T>> for ListPage<T> {
    fn from(p: store::Page<T>) -> Self {
        Self {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}
