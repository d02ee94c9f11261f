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
use crate::domain::payment::{self, EndReason, MemberFacts, PauseCause, RegistrationStatus};

/// The pause causes stored on a registration.
pub fn causes(r: &reg::Model) -> Vec<PauseCause> {
    serde_json::from_str::<Vec<String>>(&r.pause_reasons)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| PauseCause::parse(s))
        .collect()
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
pub async fn create(conn: &impl TransactionTrait, actor: &Actor, model: reg::Model) -> Result<reg::Model, DbErr> {
    let txn = conn.begin().await?;
    Entity::insert(all_set::<reg::ActiveModel>(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    let reason = match causes(&model).first() {
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
    Ok(model)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<reg::Model>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await
}

/// The household's registration that is not cancelled, if any.
pub async fn live_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_id: &str,
) -> Result<Option<reg::Model>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::HouseholdId.eq(household_id))
        .filter(Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
        .one(conn)
        .await
}

/// The household's most recent registration of any status (the "previous account" of a form).
pub async fn latest_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_id: &str,
) -> Result<Option<reg::Model>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::HouseholdId.eq(household_id))
        .order_by_desc(Column::Id)
        .one(conn)
        .await
}

/// Filters of the registration list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub household_id: Option<String>,
    pub status: Option<String>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<reg::Model>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(h) = &filter.household_id {
        q = q.filter(Column::HouseholdId.eq(h.as_str()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(Column::Status.eq(s.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(Page::from_rows(rows, page.limit, |r| &r.id))
}

/// The transitions of a registration, oldest first.
pub async fn events(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::Insurer.eq(insurer))
        .filter(event::Column::RegistrationId.eq(id))
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await
}

/// A change to write: the registration as it should be after, and the event's reason and day.
pub struct Change<'a> {
    pub next: reg::Model,
    pub reason: &'a str,
    pub on: NaiveDate,
}

/// Writes a change if the stored version is still `current.version` (`Ok(None)` otherwise), with
/// an event when the status moved, and an audit row.
pub async fn apply(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    current: &reg::Model,
    change: Change<'_>,
) -> Result<Option<reg::Model>, DbErr> {
    let next = reg::Model {
        version: current.version + 1,
        updated_at: now(),
        ..change.next
    };
    let res = Entity::update_many()
        .set(all_set::<reg::ActiveModel>(next.clone()))
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
            Some(&current.status),
            &next.status,
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

/// The registration with `cause` added (`add`) or removed, its status following (a cancelled one
/// stays cancelled).
pub fn with_pause(current: &reg::Model, cause: PauseCause, add: bool) -> reg::Model {
    let before = causes(current);
    let after = if add {
        payment::with_cause(&before, cause)
    } else {
        payment::without_cause(&before, cause)
    };
    let status = if current.status == RegistrationStatus::Cancelled.as_str() {
        RegistrationStatus::Cancelled
    } else {
        payment::status_with(&after)
    };
    reg::Model {
        pause_reasons: causes_json(&after),
        status: status.as_str().to_string(),
        ..current.clone()
    }
}

/// The registration cancelled for `reason` from `on`.
pub fn cancelled(current: &reg::Model, reason: EndReason, on: NaiveDate) -> reg::Model {
    reg::Model {
        status: RegistrationStatus::Cancelled.as_str().to_string(),
        ended_on: Some(on),
        end_reason: Some(reason.as_str().to_string()),
        ..current.clone()
    }
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
        let on = on.unwrap_or(today);
        let change = Change {
            next: cancelled(&r, reason, on),
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
    let next = with_pause(&r, PauseCause::TaxArrears, add);
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
