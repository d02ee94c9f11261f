//! Applications for the benefit (支給申請), seed 004's form path: a household answers the forms
//! mailed to it (申請勧奨) with one application; it is checked twice, returned for defects
//! (不備返送) or approved; an approved application is paid by the next payment run to its own
//! account, and, where the insurer's scheme covers the household and the household asks,
//! approval registers it for automatic payment so that later months need no form.
//!
//! Decisions where the rules are silent:
//! - The applicant is a member of the household (the head, or another member: the member's
//!   relationship is the stated one). A registration made on approval follows the rules of
//!   `POST /v1/payment-registrations` (the applicant must be the living head, one live
//!   registration a household); when they refuse, the application is still approved and its
//!   `registration_problem` says why.
//! - A determination must be `decided`, of the household, claimed before its right lapsed (R15:
//!   `received_on` on or before `lapses_on`), and not already answered by a live application.

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::check_version;
use super::registrations as registration_service;
use crate::domain::Violations;
use crate::domain::application::{
    self as rules, Application, ApplicationEvent, ApplicationMove, ApplicationStatus, AppliedMonth, BenefitScheme,
    Channel, MoveError, ReturnReason,
};
use crate::domain::benefit::DeterminationStatus;
use crate::domain::calendar::YearMonth;
use crate::domain::ids::{Actor, ApplicationId};
use crate::domain::member::Relationship;
use crate::domain::page::{Page, PageRequest};
use crate::domain::payment::AccountFields;
use crate::domain::zengin::BankAccount;
use crate::error::{ApiError, ErrorCode};
pub use crate::store::applications::Filter;
use crate::store::applications::{self as store, Move};
use crate::store::{benefits, households, is_unique_violation, members, new_id, now, schemes};

/// An application as received, its account already parsed.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub household_id: String,
    pub determination_ids: Vec<String>,
    pub applicant_member_id: String,
    pub received_on: NaiveDate,
    pub channel: Channel,
    /// The account, or what is wrong with it (reported with the other faults).
    pub account: Result<BankAccount, Violations>,
    pub offset_requested: bool,
    /// `None`: yes where the scheme covers the household.
    pub register_for_automatic_payment: Option<bool>,
    pub note: Option<String>,
}

/// A move asked of an application.
#[derive(Debug, Clone)]
pub struct MoveRequest {
    pub to: ApplicationMove,
    pub on: NaiveDate,
    pub reasons: Vec<ReturnReason>,
    pub note: Option<String>,
}

/// An application with its moves, oldest first.
#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    pub application: Application,
    pub events: Vec<ApplicationEvent>,
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::ApplicationNotFound)
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::ApplicationChanged,
        detail: "the application changed while it was being written; read it again".into(),
    }
}

fn already_applied() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::DeterminationAlreadyApplied,
        detail: "a determination is already answered by an application that is not withdrawn".into(),
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

async fn scheme_of(db: &impl sea_orm::ConnectionTrait, insurer: &str) -> Result<BenefitScheme, ApiError> {
    Ok(schemes::get(db, insurer)
        .await?
        .unwrap_or_else(|| BenefitScheme::default_with(None)))
}

/// Whether the scheme covers the household in the month of `on`.
async fn covered(
    db: &impl sea_orm::ConnectionTrait,
    insurer: &str,
    household_id: &str,
    on: NaiveDate,
) -> Result<bool, ApiError> {
    let scheme = scheme_of(db, insurer).await?;
    let births: Vec<NaiveDate> = members::of_households(db, insurer, &[household_id])
        .await?
        .iter()
        .map(|m| m.data.birth_date)
        .collect();
    Ok(rules::scheme_covers(
        scheme.automatic_payment,
        YearMonth::of(on),
        &births,
    ))
}

async fn record(
    db: &impl sea_orm::ConnectionTrait,
    insurer: &str,
    a: Application,
) -> Result<ApplicationRecord, ApiError> {
    let events = store::events(db, insurer, &a.id).await?;
    Ok(ApplicationRecord { application: a, events })
}

/// Checks and stores a received application. Every fault is named at once.
pub async fn receive(
    db: &DatabaseConnection,
    actor: &Actor,
    today: NaiveDate,
    n: &NewApplication,
) -> Result<ApplicationRecord, ApiError> {
    let insurer = actor.insurer.as_str();
    let household = households::get(db, insurer, &n.household_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::HouseholdNotFound))?;
    let mut v = Violations::new();
    if let Err(e) = &n.account {
        v.absorb("", e.clone());
    }
    if n.received_on > today {
        v.push("received_on", format!("is after today ({today})"));
    }
    let fault = match members::get(db, insurer, &n.applicant_member_id).await? {
        Some(m) if m.household_id != household.id => Some("is not a member of this household"),
        Some(m) if m.data.died_on.is_some_and(|d| d <= n.received_on) => Some("died before the application"),
        Some(_) => None,
        None => Some("no such member"),
    };
    if let Some(f) = fault {
        v.push("applicant_member_id", f);
    }
    let mut months = Vec::new();
    for (i, id) in n.determination_ids.iter().enumerate() {
        let field = format!("determination_ids[{i}]");
        if n.determination_ids[..i].contains(id) {
            v.push(field, "is listed twice");
            continue;
        }
        let Some(d) = benefits::get(db, insurer, id).await? else {
            v.push(field, "no such determination");
            continue;
        };
        if d.household_id != household.id {
            v.push(field, "is not a determination of this household");
            continue;
        }
        match d.status {
            DeterminationStatus::Decided => {}
            DeterminationStatus::Calculated => v.push(field.clone(), "is not decided yet"),
            DeterminationStatus::Superseded => v.push(
                field.clone(),
                format!(
                    "was superseded by {}; apply for the current determination",
                    d.superseded_by.as_deref().unwrap_or("a newer one")
                ),
            ),
            DeterminationStatus::Paid => v.push(field.clone(), "is already paid"),
            DeterminationStatus::Lapsed => v.push(field.clone(), "lapsed (時効) and is never paid"),
        }
        if !rules::claimed_in_time(d.lapses_on, n.received_on) {
            v.push(
                field,
                format!(
                    "the right lapsed after {} (時効, R15), before the application was received",
                    d.lapses_on
                ),
            );
        }
        months.push(AppliedMonth {
            determination_id: d.id,
            service_month: d.service_month,
        });
    }
    let account = v
        .finish(n.account.clone())?
        .map_err(|_| ApiError::Internal("account".into()))?;
    let register = match n.register_for_automatic_payment {
        Some(r) => r,
        None => covered(db, insurer, &household.id, n.received_on).await?,
    };
    months.sort_by(|a, b| (&a.service_month, &a.determination_id).cmp(&(&b.service_month, &b.determination_id)));
    let at = now();
    let a = Application {
        id: new_id(),
        household_id: household.id,
        applicant_member_id: n.applicant_member_id.clone(),
        received_on: n.received_on,
        channel: n.channel,
        account: fields(&account),
        offset_requested: n.offset_requested,
        register_for_automatic_payment: register,
        status: ApplicationStatus::Received,
        return_reasons: Vec::new(),
        note: n.note.clone(),
        months,
        registration_id: None,
        registration_problem: None,
        paid_run_id: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let txn = db.begin().await?;
    store::create(&txn, actor, &a).await.map_err(|e| {
        if is_unique_violation(&e) {
            already_applied()
        } else {
            e.into()
        }
    })?;
    txn.commit().await.map_err(|e| {
        if is_unique_violation(&e) {
            already_applied()
        } else {
            e.into()
        }
    })?;
    record(db, insurer, a).await
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Application>, ApiError> {
    Ok(store::list(db, insurer, filter, page).await?)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &ApplicationId) -> Result<ApplicationRecord, ApiError> {
    let a = store::get(db, insurer, id.as_str()).await?.ok_or_else(not_found)?;
    record(db, insurer, a).await
}

/// The registration an approval makes, or why it makes none.
async fn register_on_approval(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    a: &Application,
) -> Result<Result<String, String>, ApiError> {
    if !covered(txn, &actor.insurer, &a.household_id, a.received_on).await? {
        return Ok(Err("the insurer's scheme does not cover this household".into()));
    }
    let Some(applicant) = members::get(txn, &actor.insurer, &a.applicant_member_id).await? else {
        return Ok(Err("the applicant is no longer on the roster".into()));
    };
    if applicant.data.relationship != Relationship::Head {
        return Ok(Err(
            "the applicant is not the household head (世帯主), who alone can register".into(),
        ));
    }
    let account = BankAccount::parse(
        &a.account.bank_code,
        &a.account.branch_code,
        &a.account.account_type,
        &a.account.account_number,
        &a.account.holder_kana,
    )
    .map_err(|_| ApiError::Internal(format!("application {}: stored account", a.id)))?;
    let application = registration_service::Application {
        household_id: a.household_id.clone(),
        applicant_member_id: a.applicant_member_id.clone(),
        applied_on: a.received_on,
        account: Ok(account),
        offset_consent: a.offset_requested,
        repayment_consent: false,
    };
    let checked = match registration_service::check(txn, &actor.insurer, &application).await {
        Ok(c) => c,
        Err(ApiError::Validation(errors)) => {
            let why: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            return Ok(Err(format!("the registration rules refuse it: {}", why.join("; "))));
        }
        Err(e) => return Err(e),
    };
    match registration_service::apply(txn, actor, &application, checked).await {
        Ok(r) => Ok(Ok(r.registration.id)),
        Err(ApiError::Conflict {
            code: ErrorCode::RegistrationExists,
            ..
        }) => Ok(Err(
            "the household already has a registration that is not cancelled".into()
        )),
        Err(e) => Err(e),
    }
}

/// Moves an application in its review. Approval registers the household for automatic payment
/// where it was asked for and the scheme covers it, in the same transaction.
pub async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &ApplicationId,
    expected_version: Option<i32>,
    m: &MoveRequest,
) -> Result<ApplicationRecord, ApiError> {
    let current = store::get(db, &actor.insurer, id.as_str())
        .await?
        .ok_or_else(not_found)?;
    check_version(expected_version, current.version)?;
    let status = rules::next_status(current.status, m.to, &m.reasons).map_err(|e| match e {
        MoveError::NotFrom(s) => ApiError::Conflict {
            code: ErrorCode::TransitionNotAllowed,
            detail: format!("an application that is {s} cannot move to {}", m.to),
        },
        MoveError::ReasonsRequired => ApiError::validation("reasons", "a return needs at least one reason"),
        MoveError::ReasonsNotExpected => ApiError::validation("reasons", "reasons are given with a return only"),
    })?;
    if m.on < current.received_on {
        return Err(ApiError::validation(
            "on",
            format!("is before the application was received ({})", current.received_on),
        ));
    }
    let txn = db.begin().await?;
    let mut next = Application {
        status,
        note: m.note.clone().or_else(|| current.note.clone()),
        ..current.clone()
    };
    if status == ApplicationStatus::Returned {
        next.return_reasons = m.reasons.clone();
    }
    if status == ApplicationStatus::Approved && current.register_for_automatic_payment {
        match register_on_approval(&txn, actor, &current).await? {
            Ok(reg) => next.registration_id = Some(reg),
            Err(problem) => next.registration_problem = Some(problem),
        }
    }
    let mv = Move {
        reasons: &m.reasons,
        note: m.note.as_deref(),
        on: m.on,
    };
    let saved = store::save_move(&txn, actor, &current, next, &mv)
        .await?
        .ok_or_else(changed_meanwhile)?;
    txn.commit().await?;
    record(db, &actor.insurer, saved).await
}
