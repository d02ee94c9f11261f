//! What payment runs left: the run with the forms it issued, its payments, and the transfer file.

use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::domain::disbursement::{IssuedForm, Payment, PaymentRun};
use crate::domain::ids::Actor;
use crate::domain::ids::{PaymentId, PaymentRunId};
use crate::domain::page::{Page, PageRequest};
use crate::domain::run::RunStatus;
use crate::domain::zengin::RemitterSettings;
use crate::error::{ApiError, ErrorCode};
use crate::store::payments as store;

/// A run with every form it issued.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub run: PaymentRun,
    pub forms: Vec<IssuedForm>,
}

fn run_not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::PaymentRunNotFound)
}

async fn run_row(db: &DatabaseConnection, insurer: &str, id: &str) -> Result<PaymentRun, ApiError> {
    store::get_run(db, insurer, id).await?.ok_or_else(run_not_found)
}

async fn record(db: &DatabaseConnection, r: PaymentRun) -> Result<RunRecord, ApiError> {
    let mut forms: Vec<IssuedForm> = Vec::new();
    loop {
        let page = PageRequest {
            after: forms.last().map(|f| f.id.clone()),
            limit: 500,
        };
        let rows = store::run_forms(db, &r.insurer, &r.id, &page).await?;
        forms.extend(rows.items);
        if rows.next_cursor.is_none() {
            break;
        }
    }
    Ok(RunRecord { run: r, forms })
}

/// Pays a month: runs to its end before answering.
pub async fn pay_month(
    db: &DatabaseConnection,
    clock: &Clock,
    actor: &Actor,
    month: &str,
    transfer_date: chrono::NaiveDate,
) -> Result<RunRecord, ApiError> {
    let running = |id: &str| ApiError::Conflict {
        code: ErrorCode::RunInProgress,
        detail: format!("payment run {id} of {month} is still running"),
    };
    if let Some(r) = store::running_run(db, &actor.insurer, month).await? {
        return Err(running(&r.id));
    }
    // Two starts that pass the check together meet the database's one-running-run index.
    let r = super::start(db, clock, actor, month, transfer_date)
        .await
        .map_err(|e| {
            if crate::store::is_unique_violation(&e) {
                running("started at the same moment")
            } else {
                e.into()
            }
        })?;
    record(db, r).await
}

/// The tenant's payment runs, oldest first, by service month, status and last change when given.
pub async fn list_runs(
    db: &DatabaseConnection,
    insurer: &str,
    month: Option<&str>,
    status: Option<RunStatus>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<PaymentRun>, ApiError> {
    Ok(store::list_runs(db, insurer, month, status, updated_since, page).await?)
}

pub async fn get_run(db: &DatabaseConnection, insurer: &str, id: &PaymentRunId) -> Result<RunRecord, ApiError> {
    let id = id.as_str();
    let r = run_row(db, insurer, id).await?;
    record(db, r).await
}

/// A page of a run's payments, in transfer-file order.
pub async fn payments(
    db: &DatabaseConnection,
    insurer: &str,
    run_id: &PaymentRunId,
    page: &PageRequest,
) -> Result<Page<Payment>, ApiError> {
    let run_id = run_id.as_str();
    let r = run_row(db, insurer, run_id).await?;
    let filter = store::PaymentFilter {
        run_id: Some(&r.id),
        ..Default::default()
    };
    Ok(store::payments(db, insurer, filter, page).await?)
}

/// A page of the forms a run issued.
pub async fn forms(
    db: &DatabaseConnection,
    insurer: &str,
    run_id: &PaymentRunId,
    page: &PageRequest,
) -> Result<Page<IssuedForm>, ApiError> {
    let run_id = run_id.as_str();
    let r = run_row(db, insurer, run_id).await?;
    Ok(store::run_forms(db, insurer, &r.id, page).await?)
}

/// The tenant's payments, by household and service month when given.
pub async fn all_payments(
    db: &DatabaseConnection,
    insurer: &str,
    household_id: Option<&str>,
    service_month: Option<crate::domain::calendar::YearMonth>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<Payment>, ApiError> {
    let month = service_month.map(|m| m.to_string());
    let filter = store::PaymentFilter {
        household_id,
        service_month: month.as_deref(),
        updated_since,
        ..Default::default()
    };
    Ok(store::payments(db, insurer, filter, page).await?)
}

pub async fn payment(db: &DatabaseConnection, insurer: &str, id: &PaymentId) -> Result<Payment, ApiError> {
    let id = id.as_str();
    store::get_payment(db, insurer, id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::PaymentNotFound))
}

/// The 全銀 総合振込 file of a completed run, with the run. The remitter (the insurer as the bank
/// knows it) is the scheme settings', else `startup` (`HOKENSHA_REMITTERS`).
pub async fn transfer_file(
    db: &DatabaseConnection,
    insurer: &str,
    run_id: &PaymentRunId,
    startup: Option<&RemitterSettings>,
) -> Result<(PaymentRun, Vec<u8>), ApiError> {
    let run_id = run_id.as_str();
    let r = run_row(db, insurer, run_id).await?;
    if r.status != RunStatus::Completed {
        return Err(ApiError::Conflict {
            code: ErrorCode::PaymentRunNotCompleted,
            detail: format!("the run is {}", r.status.as_str()),
        });
    }
    let scheme = crate::service::schemes::current(db, insurer, startup).await?;
    let remitter = scheme
        .remitter
        .as_ref()
        .ok_or_else(|| ApiError::Conflict {
            code: ErrorCode::RemitterNotConfigured,
            detail: format!("no remitter is configured for insurer {insurer} (PUT /v1/settings/benefit-scheme)"),
        })
        .and_then(|r| {
            crate::service::schemes::parse_remitter(r)
                .map_err(|v| ApiError::Internal(format!("stored remitter: {v:?}")))
        })?;
    let bytes = super::transfer_file(db, &r, &remitter).await.map_err(|e| match e {
        super::FileError::Db(e) => e.into(),
        super::FileError::NoTransfers => ApiError::Conflict {
            code: ErrorCode::NoTransfers,
            detail: "the run made no payment with a bank part".into(),
        },
        super::FileError::Invalid(e) => ApiError::Unprocessable {
            code: ErrorCode::TransferFileInvalid,
            detail: e.to_string(),
        },
        super::FileError::Corrupt(e) => ApiError::Internal(e),
    })?;
    Ok((r, bytes))
}
