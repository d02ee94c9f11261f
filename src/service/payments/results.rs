//! The bank's returns of a run's transfers (振込不能): each returned payment is marked failed, its
//! determination waits for a later run again, and the registration pauses until its account is
//! changed. All in one transaction.

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::domain::Violations;
use crate::domain::ids::Actor;
use crate::domain::ids::PaymentRunId;
use crate::domain::payment::{PauseCause, RegistrationStatus, TransferFailure};
use crate::error::{ApiError, ErrorCode};
use crate::store::payments as store;
use crate::store::registrations::{self as registrations, Change};

/// One transfer the bank returned.
#[derive(Debug, Clone)]
pub struct Returned {
    pub payment_id: String,
    pub reason: TransferFailure,
    /// Defaults to the run's transfer date.
    pub failed_on: Option<NaiveDate>,
}

/// What recording the returns changed.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Payments newly marked failed.
    pub failed: usize,
    /// Payments that were already failed.
    pub unchanged: usize,
    /// Registrations paused by a failed transfer.
    pub paused_registrations: Vec<String>,
}

pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    run_id: &PaymentRunId,
    returned: &[Returned],
) -> Result<Outcome, ApiError> {
    let run_id = run_id.as_str();
    let r = store::get_run(db, &actor.insurer, run_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::PaymentRunNotFound))?;
    let mut found = Vec::new();
    let mut v = Violations::new();
    for (i, f) in returned.iter().enumerate() {
        match store::get_payment(db, &actor.insurer, &f.payment_id).await? {
            Some(p) if p.run_id == r.id && p.net_amount > 0 => found.push((p, f)),
            Some(p) if p.run_id == r.id => v.push(
                format!("failures[{i}].payment_id"),
                "this payment went wholly to NHI tax; nothing was transferred",
            ),
            _ => v.push(format!("failures[{i}].payment_id"), "not a payment of this run"),
        }
    }
    v.finish(())?;
    let txn = db.begin().await?;
    let mut out = Outcome::default();
    for (p, f) in &found {
        let on = f.failed_on.unwrap_or(r.transfer_date);
        if !store::fail_payment(&txn, actor, p, f.reason.as_str(), on).await? {
            out.unchanged += 1;
            continue;
        }
        out.failed += 1;
        // A payment made on an application has no registration to pause: the household's next
        // benefit goes by form again, or by a registration made since.
        let Some(registration_id) = p.registration_id.as_deref() else {
            continue;
        };
        if let Some(reg) = registrations::get(&txn, &actor.insurer, registration_id).await?
            && reg.status != RegistrationStatus::Cancelled
            && !reg.pause_reasons.contains(&PauseCause::TransferFailed)
        {
            let change = Change {
                next: reg.with_pause(PauseCause::TransferFailed, true),
                reason: PauseCause::TransferFailed.as_str(),
                on,
            };
            registrations::apply(&txn, actor, &reg, change)
                .await?
                .ok_or_else(|| ApiError::Conflict {
                    code: ErrorCode::RegistrationChanged,
                    detail: "a registration changed meanwhile; send the results again".into(),
                })?;
            out.paused_registrations.push(reg.id.clone());
        }
    }
    txn.commit().await?;
    Ok(out)
}
