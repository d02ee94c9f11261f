//! Registrations for automatic payment of the high-cost benefit (高額療養費支給申請手続簡素化申出):
//! the one-time application, its changes and its end. A household has at most one registration
//! that is not cancelled; every transition is recorded with its reason.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use super::check_version;
use crate::domain::Violations;
use crate::domain::ids::Actor;
use crate::domain::ids::RegistrationId;
use crate::domain::member::Relationship;
use crate::domain::page::{Page, PageRequest};
use crate::domain::payment::{
    self as rules, AccountFields, EndReason, PauseCause, Registration, RegistrationEvent, RegistrationStatus,
};
use crate::domain::zengin::BankAccount;
use crate::error::{ApiError, ErrorCode};
pub use crate::store::registrations::Filter;
use crate::store::registrations::{self as store, Change};
use crate::store::{households, is_unique_violation, members, new_id, now};

/// A registration with its transitions, oldest first.
#[derive(Debug, Clone)]
pub struct RegistrationRecord {
    pub registration: Registration,
    pub events: Vec<RegistrationEvent>,
}

/// An application, its account already parsed.
#[derive(Debug, Clone)]
pub struct Application {
    pub household_id: String,
    pub applicant_member_id: String,
    pub applied_on: NaiveDate,
    /// The account, or what is wrong with it (reported together with the applicant's faults).
    pub account: Result<BankAccount, Violations>,
    pub offset_consent: bool,
    pub repayment_consent: bool,
}

/// Changes asked for; absent ones stay.
#[derive(Debug, Clone)]
pub struct Amendment {
    pub account: Option<BankAccount>,
    pub offset_consent: Option<bool>,
    pub repayment_consent: Option<bool>,
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::RegistrationNotFound)
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::RegistrationChanged,
        detail: "the registration changed while it was being written; read it again".into(),
    }
}

fn fields(a: &BankAccount) -> AccountFields {
    AccountFields {
        bank_code: a.bank_code().as_str().to_string(),
        branch_code: a.branch_code().as_str().to_string(),
        account_type: a.account_type().as_str().to_string(),
        account_number: a.account_number().as_str().to_string(),
        holder_kana: a.holder().as_str().to_string(),
    }
}

async fn arrears_of(db: &impl ConnectionTrait, insurer: &str, household_id: &str) -> Result<i64, ApiError> {
    Ok(households::tax_arrears_of(db, insurer, &[household_id])
        .await?
        .first()
        .map_or(0, |a| a.amount))
}

async fn record(db: &impl ConnectionTrait, insurer: &str, r: Registration) -> Result<RegistrationRecord, ApiError> {
    let events = store::events(db, insurer, &r.id).await?;
    Ok(RegistrationRecord {
        registration: r,
        events,
    })
}

/// Checks an application against the household and its head: the applicant must be the head,
/// still insured on the day of the application. Every fault is named at once.
pub async fn check(db: &impl ConnectionTrait, insurer: &str, a: &Application) -> Result<(BankAccount, i64), ApiError> {
    let household = households::get(db, insurer, &a.household_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::HouseholdNotFound))?;
    let mut v = Violations::new();
    if let Err(e) = &a.account {
        v.absorb("", e.clone());
    }
    let fault = match members::get(db, insurer, &a.applicant_member_id).await? {
        Some(m) if m.household_id != household.id => Some("is not a member of this household"),
        Some(m) if m.data.relationship != Relationship::Head => Some("must be the household head (世帯主)"),
        Some(m) if m.data.died_on.is_some() || m.data.lost_on.is_some_and(|l| l <= a.applied_on) => {
            Some("the head is no longer insured (died or lost eligibility)")
        }
        Some(_) => None,
        None => Some("no such member"),
    };
    if let Some(f) = fault {
        v.push("applicant_member_id", f);
    }
    let account = v
        .finish(a.account.clone())?
        .map_err(|_| ApiError::Internal("account".into()))?;
    Ok((account, arrears_of(db, insurer, &household.id).await?))
}

/// Stores an application checked by `check`: paused from the start when the household has tax
/// arrears and no offset consent.
pub async fn apply<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    a: &Application,
    (account, arrears): (BankAccount, i64),
) -> Result<RegistrationRecord, ApiError> {
    let causes: Vec<PauseCause> = rules::arrears_cause(arrears, a.offset_consent).into_iter().collect();
    let at = now();
    let r = Registration {
        id: new_id(),
        household_id: a.household_id.clone(),
        applicant_member_id: a.applicant_member_id.clone(),
        applied_on: a.applied_on,
        account: fields(&account),
        offset_consent: a.offset_consent,
        repayment_consent: a.repayment_consent,
        status: rules::status_with(&causes),
        pause_reasons: causes,
        ended_on: None,
        end_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let r = store::create(db, actor, r).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict {
                code: ErrorCode::RegistrationExists,
                detail: "the household already has a registration that is not cancelled".into(),
            }
        } else {
            e.into()
        }
    })?;
    record(db, &actor.insurer, r).await
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Registration>, ApiError> {
    Ok(store::list(db, insurer, filter, page).await?)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &RegistrationId) -> Result<RegistrationRecord, ApiError> {
    let id = id.as_str();
    let r = store::get(db, insurer, id).await?.ok_or_else(not_found)?;
    record(db, insurer, r).await
}

async fn live(db: &DatabaseConnection, insurer: &str, id: &str, what: &str) -> Result<Registration, ApiError> {
    let r = store::get(db, insurer, id).await?.ok_or_else(not_found)?;
    if r.status == RegistrationStatus::Cancelled {
        return Err(ApiError::Conflict {
            code: ErrorCode::RegistrationCancelled,
            detail: what.into(),
        });
    }
    Ok(r)
}

/// Changes the account or the consents. A new account lifts a pause for a failed transfer;
/// offset consent given lifts a pause for tax arrears (and withdrawn, sets it again).
pub async fn amend(
    db: &DatabaseConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &RegistrationId,
    expected: Option<i32>,
    a: Amendment,
) -> Result<RegistrationRecord, ApiError> {
    let id = id.as_str();
    let current = store::get(db, &actor.insurer, id).await?.ok_or_else(not_found)?;
    check_version(expected, current.version)?;
    if current.status == RegistrationStatus::Cancelled {
        return Err(ApiError::Conflict {
            code: ErrorCode::RegistrationCancelled,
            detail: "a cancelled registration cannot change; a new application is needed".into(),
        });
    }
    let mut next = current.clone();
    let mut reason = "changed";
    if let Some(account) = &a.account {
        next = Registration {
            account: fields(account),
            ..next.with_pause(PauseCause::TransferFailed, false)
        };
        reason = "account_changed";
    }
    if let Some(c) = a.repayment_consent {
        next.repayment_consent = c;
    }
    if let Some(c) = a.offset_consent {
        next.offset_consent = c;
        let arrears = arrears_of(db, &actor.insurer, &current.household_id).await?;
        let add = rules::arrears_cause(arrears, c).is_some();
        next = next.with_pause(PauseCause::TaxArrears, add);
        if !add && current.pause_reasons.contains(&PauseCause::TaxArrears) {
            reason = "offset_consent_given";
        }
    }
    let change = Change {
        next,
        reason,
        on: today,
    };
    let r = store::apply(db, actor, &current, change)
        .await?
        .ok_or_else(changed_meanwhile)?;
    record(db, &actor.insurer, r).await
}

/// Ends a registration (the household withdrew, the head died, ...) from `ended_on`.
pub async fn end(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &RegistrationId,
    reason: EndReason,
    ended_on: NaiveDate,
) -> Result<RegistrationRecord, ApiError> {
    let id = id.as_str();
    let current = live(db, &actor.insurer, id, "the registration is already cancelled").await?;
    if ended_on < current.applied_on {
        return Err(ApiError::validation("ended_on", "must not be before applied_on"));
    }
    let change = Change {
        next: current.cancelled(reason, ended_on),
        reason: reason.as_str(),
        on: ended_on,
    };
    let r = store::apply(db, actor, &current, change)
        .await?
        .ok_or_else(changed_meanwhile)?;
    record(db, &actor.insurer, r).await
}
