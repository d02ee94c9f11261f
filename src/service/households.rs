//! The roster: households (世帯), their members (被保険者) and reported tax arrears. A change that
//! matters to automatic payment (a head who died, left or stopped being head; arrears reported)
//! sets off its registration trigger in the same transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

use super::check_version;
use crate::domain::household::{Household, HouseholdData, TaxArrears};
use crate::domain::ids::Actor;
use crate::domain::ids::{HouseholdId, MemberId};
use crate::domain::member::{Member, MemberData, Relationship};
use crate::domain::page::{Page, PageRequest};
use crate::error::{ApiError, ErrorCode};
use crate::store::households::{self as store, Updated};
use crate::store::{members, registrations};

/// A household with what is shown beside it.
#[derive(Debug, Clone)]
pub struct HouseholdRecord {
    pub household: Household,
    pub members: Vec<Member>,
    pub tax_arrears: Option<TaxArrears>,
}

fn household_not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::HouseholdNotFound)
}

fn member_not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::MemberNotFound)
}

fn number_taken(e: DbErr) -> ApiError {
    if crate::store::is_unique_violation(&e) {
        ApiError::Conflict {
            code: ErrorCode::HouseholdNumberTaken,
            detail: "another household has this household_number".into(),
        }
    } else {
        e.into()
    }
}

fn insured_number_taken(e: DbErr) -> ApiError {
    if crate::store::is_unique_violation(&e) {
        ApiError::Conflict {
            code: ErrorCode::InsuredNumberTaken,
            detail: "another member has this insured_number".into(),
        }
    } else {
        e.into()
    }
}

fn stale<T>(u: Updated<T>) -> Result<T, ApiError> {
    match u {
        Updated::Done(x) => Ok(x),
        Updated::Stale { current } => Err(ApiError::PreconditionFailed { current }),
    }
}

/// Households with their members and tax arrears, read with two queries.
async fn records(
    db: &DatabaseConnection,
    insurer: &str,
    rows: Vec<Household>,
) -> Result<Vec<HouseholdRecord>, ApiError> {
    let ids: Vec<&str> = rows.iter().map(|h| h.id.as_str()).collect();
    let mut by_household: HashMap<String, Vec<Member>> = HashMap::new();
    for m in members::of_households(db, insurer, &ids).await? {
        by_household.entry(m.household_id.clone()).or_default().push(m);
    }
    let mut taxes: HashMap<String, TaxArrears> = store::tax_arrears_of(db, insurer, &ids)
        .await?
        .into_iter()
        .map(|t| (t.household_id.clone(), t))
        .collect();
    Ok(rows
        .into_iter()
        .map(|h| HouseholdRecord {
            members: by_household.remove(&h.id).unwrap_or_default(),
            tax_arrears: taxes.remove(&h.id),
            household: h,
        })
        .collect())
}

async fn record(db: &DatabaseConnection, insurer: &str, h: Household) -> Result<HouseholdRecord, ApiError> {
    records(db, insurer, vec![h])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("household record".into()))
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, data: &HouseholdData) -> Result<HouseholdRecord, ApiError> {
    let h = store::create(db, actor, data).await.map_err(number_taken)?;
    record(db, &actor.insurer, h).await
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    household_number: Option<&str>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<HouseholdRecord>, ApiError> {
    let rows = store::list(db, insurer, household_number, updated_since, page).await?;
    Ok(Page {
        items: records(db, insurer, rows.items).await?,
        next_cursor: rows.next_cursor,
    })
}

/// The household alone, 404 when the tenant has none of this id.
pub async fn household(db: &DatabaseConnection, insurer: &str, id: &HouseholdId) -> Result<Household, ApiError> {
    let id = id.as_str();
    store::get(db, insurer, id).await?.ok_or_else(household_not_found)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &HouseholdId) -> Result<HouseholdRecord, ApiError> {
    let h = household(db, insurer, id).await?;
    record(db, insurer, h).await
}

/// Replaces a household's data with `change(current data)`, provided its version is still
/// `expected` (when given) and nobody changed it meanwhile.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &HouseholdId,
    expected: Option<i32>,
    change: impl FnOnce(HouseholdData) -> Result<HouseholdData, ApiError>,
) -> Result<HouseholdRecord, ApiError> {
    let current = household(db, &actor.insurer, id).await?;
    check_version(expected, current.version)?;
    let data = change(current.data.clone())?;
    let h = stale(store::update(db, actor, &current, &data).await.map_err(number_taken)?)?;
    record(db, &actor.insurer, h).await
}

/// Records the household's unpaid NHI tax; without offset consent, arrears pause its automatic
/// payment and their clearing resumes it.
pub async fn report_tax_arrears(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &HouseholdId,
    amount: i64,
    as_of: NaiveDate,
) -> Result<TaxArrears, ApiError> {
    household(db, &actor.insurer, id).await?;
    Ok(store::put_tax_arrears(db, actor, id.as_str(), amount, as_of).await?)
}

/// A household has one head (世帯主).
async fn ensure_one_head(
    db: &DatabaseConnection,
    insurer: &str,
    household_id: &str,
    member_id: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(head) = members::head_of(db, insurer, household_id).await?
        && Some(head.id.as_str()) != member_id
    {
        return Err(ApiError::Conflict {
            code: ErrorCode::HouseholdHasHead,
            detail: format!("member {} is already the head of this household", head.id),
        });
    }
    Ok(())
}

pub async fn add_member(
    db: &DatabaseConnection,
    actor: &Actor,
    household_id: &HouseholdId,
    data: &MemberData,
) -> Result<Member, ApiError> {
    let household_id = household_id.as_str();
    if data.relationship == Relationship::Head {
        ensure_one_head(db, &actor.insurer, household_id, None).await?;
    }
    members::create(db, actor, household_id, data)
        .await
        .map_err(insured_number_taken)
}

/// The member with an insured number (記号・番号・枝番), none when the tenant has no such member.
pub async fn members_by_insured_number(
    db: &DatabaseConnection,
    insurer: &str,
    n: &crate::domain::member::InsuredNumber,
) -> Result<Vec<Member>, ApiError> {
    Ok(members::by_insured_number(db, insurer, n).await?.into_iter().collect())
}

pub async fn member(db: &DatabaseConnection, insurer: &str, id: &MemberId) -> Result<Member, ApiError> {
    let id = id.as_str();
    members::get(db, insurer, id).await?.ok_or_else(member_not_found)
}

/// Replaces a member's data with `change(current data)`; a head who died, left or stopped being
/// head cancels the automatic payment registration they applied for, in the same transaction.
pub async fn update_member(
    db: &DatabaseConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &MemberId,
    expected: Option<i32>,
    change: impl FnOnce(MemberData) -> Result<MemberData, ApiError>,
) -> Result<Member, ApiError> {
    let current = member(db, &actor.insurer, id).await?;
    check_version(expected, current.version)?;
    let data = change(current.data.clone())?;
    if data.relationship == Relationship::Head {
        ensure_one_head(db, &actor.insurer, &current.household_id, Some(&current.id)).await?;
    }
    let txn = db.begin().await?;
    let next = stale(
        members::update(&txn, actor, &current, &data)
            .await
            .map_err(insured_number_taken)?,
    )?;
    registrations::on_member_changed(&txn, actor, &current, &next, today).await?;
    txn.commit().await?;
    Ok(next)
}
