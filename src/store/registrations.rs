//! Payment registrations (自動償還の申出) and their transitions. Every status change writes a
//! `registration_events` row with its reason, in the same transaction; the triggers that follow
//! member and tax-arrears changes run inside the transaction of that change.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::entity::payment_registration::{self as reg, Column, Entity};
use super::entity::registration_event as event;
use super::{Actor, Page, PageRequest, all_set, audit, new_id, now};
use crate::domain::member::{Member, Relationship};
use crate::domain::payment::{
    self, AccountFields, EndReason, MemberFacts, PauseCause, Registration, RegistrationEvent, RegistrationStatus,
};

/// The pause causes stored on a registration.
fn causes(json: &str) -> Vec<PauseCause> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| PauseCause::parse(s))
        .collect()
}

fn status_of(id: &str, s: &str) -> Result<RegistrationStatus, DbErr> {
    RegistrationStatus::parse(s).ok_or_else(|| DbErr::Custom(format!("registration {id}: unknown status {s}")))
}

/// The one place a stored row becomes a registration.
pub fn registration_of(r: reg::Model) -> Result<Registration, DbErr> {
    Ok(Registration {
        status: status_of(&r.id, &r.status)?,
        pause_reasons: causes(&r.pause_reasons),
        end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
        account: AccountFields {
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
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// ... and the one place a registration becomes a row.
fn row_of(insurer: &str, r: &Registration) -> reg::Model {
    reg::Model {
        id: r.id.clone(),
        insurer: insurer.to_string(),
        household_id: r.household_id.clone(),
        applicant_member_id: r.applicant_member_id.clone(),
        applied_on: r.applied_on,
        bank_code: r.account.bank_code.clone(),
        branch_code: r.account.branch_code.clone(),
        account_type: r.account.account_type.clone(),
        account_number: r.account.account_number.clone(),
        holder_kana: r.account.holder_kana.clone(),
        offset_consent: r.offset_consent,
        repayment_consent: r.repayment_consent,
        status: r.status.as_str().to_string(),
        pause_reasons: causes_json(&r.pause_reasons),
        ended_on: r.ended_on,
        end_reason: r.end_reason.map(|e| e.as_str().to_string()),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Pause causes as stored.
pub fn causes_json(causes: &[PauseCause]) -> String {
    serde_json::to_string(&causes.iter().map(|c| c.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

fn event_row(
    actor: &Actor,
    registration_id: &str,
    from: Option<&str>,
    to: &str,
    reason: &str,
    on: NaiveDate,
) -> event::ActiveModel {
    all_set(event::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        registration_id: registration_id.to_string(),
        from_status: from.map(str::to_string),
        to_status: to.to_string(),
        reason: reason.to_string(),
        effective_on: on,
        actor: actor.sub.clone(),
        at: now(),
    })
}

/// Stores a new registration with its first event. A unique violation means the household already
/// has a live (not cancelled) registration.
pub async fn create(conn: &impl TransactionTrait, actor: &Actor, r: Registration) -> Result<Registration, DbErr> {
    let model = row_of(&actor.insurer, &r);
    let txn = conn.begin().await?;
    Entity::insert(all_set::<reg::ActiveModel>(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    let reason = match r.pause_reasons.first() {
        Some(c) => c.as_str(),
        None => "applied",
    };
    event::Entity::insert(event_row(
        actor,
        &model.id,
        None,
        &model.status,
        reason,
        model.applied_on,
    ))
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "payment_registration.created",
        "payment_registration",
        &model.id,
    )
    .await?;
    txn.commit().await?;
    Ok(r)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Registration>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(registration_of)
        .transpose()
}

/// The household's registration that is not cancelled, if any.
pub async fn live_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_id: &str,
) -> Result<Option<Registration>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::HouseholdId.eq(household_id))
        .filter(Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
        .one(conn)
        .await?
        .map(registration_of)
        .transpose()
}

/// The household's most recent registration of any status (the "previous account" of a form).
pub async fn latest_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_id: &str,
) -> Result<Option<Registration>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::HouseholdId.eq(household_id))
        .order_by_desc(Column::Id)
        .one(conn)
        .await?
        .map(registration_of)
        .transpose()
}

/// Filters of the registration list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub household_id: Option<String>,
    pub status: Option<RegistrationStatus>,
    /// Written at or after this instant.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Registration>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(h) = &filter.household_id {
        q = q.filter(Column::HouseholdId.eq(h.as_str()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(Column::Status.eq(s.as_str()));
    }
    if let Some(t) = filter.updated_since {
        q = q.filter(Column::UpdatedAt.gte(t));
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(registration_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// The transitions of a registration, oldest first.
pub async fn events(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<RegistrationEvent>, DbErr> {
    event::Entity::find()
        .filter(event::Column::Insurer.eq(insurer))
        .filter(event::Column::RegistrationId.eq(id))
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| {
            Ok(RegistrationEvent {
                from_status: e.from_status.as_deref().map(|s| status_of(id, s)).transpose()?,
                to_status: status_of(id, &e.to_status)?,
                reason: e.reason,
                effective_on: e.effective_on,
                at: e.at,
            })
        })
        .collect()
}

/// A change to write: the registration as it should be after, and the event's reason and day.
pub struct Change<'a> {
    pub next: Registration,
    pub reason: &'a str,
    pub on: NaiveDate,
}

/// Writes a change if the stored version is still `current.version` (`Ok(None)` otherwise), with
/// an event when the status moved, and an audit row.
pub async fn apply(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    current: &Registration,
    change: Change<'_>,
) -> Result<Option<Registration>, DbErr> {
    let next = Registration {
        version: current.version + 1,
        updated_at: now(),
        ..change.next
    };
    let res = Entity::update_many()
        .set(all_set::<reg::ActiveModel>(row_of(&actor.insurer, &next)))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    if next.status != current.status || next.pause_reasons != current.pause_reasons {
        event::Entity::insert(event_row(
            actor,
            &current.id,
            Some(current.status.as_str()),
            next.status.as_str(),
            change.reason,
            change.on,
        ))
        .exec_without_returning(conn)
        .await?;
    }
    audit::record(
        conn,
        actor,
        "payment_registration.updated",
        "payment_registration",
        &current.id,
    )
    .await?;
    Ok(Some(next))
}

/// Trigger: the applicant (head and account holder) changed. Cancels the live registration the
/// member applied for when the change is one that needs a new application. Runs inside the
/// member update's transaction.
pub async fn on_member_changed(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    before: &Member,
    after: &Member,
    today: NaiveDate,
) -> Result<(), DbErr> {
    let facts = |m: &Member| MemberFacts {
        is_head: m.data.relationship == Relationship::Head,
        died_on: m.data.died_on,
        lost_on: m.data.lost_on,
    };
    let Some((reason, on)) = payment::applicant_change(facts(before), facts(after)) else {
        return Ok(());
    };
    let live = Entity::find()
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::ApplicantMemberId.eq(after.id.as_str()))
        .filter(Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
        .all(conn)
        .await?;
    for r in live {
        let r = registration_of(r)?;
        let on = on.unwrap_or(today);
        let change = Change {
            next: r.cancelled(reason, on),
            reason: reason.as_str(),
            on,
        };
        if apply(conn, actor, &r, change).await?.is_none() {
            return Err(DbErr::RecordNotUpdated);
        }
    }
    Ok(())
}

/// Trigger: the tax system reported the household's arrears. Without offset consent, arrears
/// pause the registration and their clearing resumes it.
pub async fn on_tax_arrears(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    household_id: &str,
    amount: i64,
    as_of: NaiveDate,
) -> Result<(), DbErr> {
    let Some(r) = live_of(conn, &actor.insurer, household_id).await? else {
        return Ok(());
    };
    let add = payment::arrears_cause(amount, r.offset_consent).is_some();
    let next = r.with_pause(PauseCause::TaxArrears, add);
    if next.pause_reasons == r.pause_reasons {
        return Ok(());
    }
    let reason = if add { "tax_arrears" } else { "tax_arrears_cleared" };
    let change = Change {
        next,
        reason,
        on: as_of,
    };
    match apply(conn, actor, &r, change).await? {
        Some(_) => Ok(()),
        None => Err(DbErr::RecordNotUpdated),
    }
}
