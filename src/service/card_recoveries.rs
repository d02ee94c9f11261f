//! Recovery of eligibility certificates (資格確認書の回収, receivables.md §13): a case opens when
//! a member loses eligibility holding a certificate still valid, and records its notices,
//! employer contact and outcome.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use crate::domain::card_recovery::{self as rules, CardRecovery, Case, CaseEvent, EventRefused, InsuredCategory};
use crate::domain::ids::Actor;
use crate::domain::ids::CardRecoveryId;
use crate::domain::page::{Page, PageRequest};
use crate::error::{ApiError, ErrorCode};
use crate::store::{card_recoveries as store, is_unique_violation, members, new_id, now};

/// A new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub member_id: String,
    pub valid_until: NaiveDate,
    /// The day the loss was processed; today when absent.
    pub processed_on: Option<NaiveDate>,
    pub category: Option<InsuredCategory>,
    pub note: Option<String>,
}

pub async fn open(
    db: &DatabaseConnection,
    actor: &Actor,
    today: NaiveDate,
    new: NewCase,
) -> Result<CardRecovery, ApiError> {
    let m = members::get(db, &actor.insurer, &new.member_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::MemberNotFound))?;
    let Some(lost_on) = m.data.lost_on else {
        return Err(ApiError::validation("member_id", "the member has not lost eligibility"));
    };
    if !rules::opens(lost_on, new.valid_until) {
        return Err(ApiError::validation(
            "valid_until",
            "the certificate had expired by the loss of eligibility: nothing to recover",
        ));
    }
    let processed_on = new.processed_on.unwrap_or(today);
    if processed_on < lost_on {
        return Err(ApiError::validation(
            "processed_on",
            "must not be before the loss of eligibility",
        ));
    }
    let c = CardRecovery {
        id: new_id(),
        member_id: m.id,
        household_id: m.household_id,
        lost_on,
        category: new.category.unwrap_or(InsuredCategory::General),
        case: Case {
            processed_on,
            valid_until: new.valid_until,
            first_notice_on: None,
            second_notice_on: None,
            employer_contacted_on: None,
            returned_on: None,
            unrecoverable_on: None,
        },
        note: new.note,
        version: 1,
        created_at: now(),
    };
    store::create(db, actor, c).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict {
                code: ErrorCode::CardRecoveryExists,
                detail: "a case for this loss of eligibility exists".into(),
            }
        } else {
            e.into()
        }
    })
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    member_id: Option<&str>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<CardRecovery>, ApiError> {
    Ok(store::list(db, insurer, member_id, updated_since, page).await?)
}

/// Records what happened in a case on a day.
pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &CardRecoveryId,
    event: CaseEvent,
    on: NaiveDate,
) -> Result<CardRecovery, ApiError> {
    let id = id.as_str();
    let c = store::get(db, &actor.insurer, id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::CardRecoveryNotFound))?;
    let next = c.with_event(event, on).map_err(|e| match e {
        EventRefused::Closed => ApiError::Conflict {
            code: ErrorCode::CardRecoveryClosed,
            detail: e.to_string(),
        },
        EventRefused::BeforeLoss => ApiError::validation("on", e.to_string()),
        EventRefused::SecondBeforeFirst => ApiError::validation("kind", e.to_string()),
    })?;
    store::update(db, actor, &c, next).await?.ok_or(ApiError::Conflict {
        code: ErrorCode::CardRecoveryChanged,
        detail: "the case changed meanwhile; read it again".into(),
    })
}
