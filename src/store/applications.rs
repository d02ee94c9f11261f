//! Applications for the benefit (支給申請), the determinations each answers and the moves of their
//! review. A determination is answered by at most one application that is not withdrawn (a
//! partial unique index holds this whatever races); every move writes an `application_events`
//! row and an audit row in the transaction of the move.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use super::entity::application_determination as link;
use super::entity::application_event as event;
use super::entity::benefit_application::{self as app, Column, Entity};
use super::{Actor, Page, PageRequest, all_set, audit, new_id, now};
use crate::domain::application::{
    Application, ApplicationEvent, ApplicationStatus, AppliedMonth, Channel, ReturnReason,
};
use crate::domain::payment::AccountFields;

fn reasons_json(r: &[ReturnReason]) -> String {
    serde_json::to_string(&r.iter().map(|x| x.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

fn reasons_of(id: &str, json: &str) -> Result<Vec<ReturnReason>, DbErr> {
    serde_json::from_str::<Vec<String>>(json)
        .map_err(|e| DbErr::Custom(format!("application {id}: stored reasons: {e}")))?
        .iter()
        .map(|s| ReturnReason::parse(s).map_err(|e| DbErr::Custom(format!("application {id}: {e:?}"))))
        .collect()
}

fn status_of(id: &str, s: &str) -> Result<ApplicationStatus, DbErr> {
    ApplicationStatus::parse(s).map_err(|e| DbErr::Custom(format!("application {id}: {e:?}")))
}

/// The one place a stored row becomes an application (its months read separately).
fn application_of(r: app::Model, months: Vec<AppliedMonth>) -> Result<Application, DbErr> {
    Ok(Application {
        status: status_of(&r.id, &r.status)?,
        channel: Channel::parse(&r.channel).map_err(|e| DbErr::Custom(format!("application {}: {e:?}", r.id)))?,
        return_reasons: reasons_of(&r.id, &r.return_reasons)?,
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
        received_on: r.received_on,
        offset_requested: r.offset_requested,
        register_for_automatic_payment: r.register_for_automatic_payment,
        note: r.note,
        months,
        registration_id: r.registration_id,
        registration_problem: r.registration_problem,
        paid_run_id: r.paid_run_id,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// ... and the one place an application becomes a row.
fn row_of(insurer: &str, a: &Application) -> app::Model {
    app::Model {
        insurer: insurer.to_string(),
        id: a.id.clone(),
        household_id: a.household_id.clone(),
        applicant_member_id: a.applicant_member_id.clone(),
        received_on: a.received_on,
        channel: a.channel.as_str().to_string(),
        bank_code: a.account.bank_code.clone(),
        branch_code: a.account.branch_code.clone(),
        account_type: a.account.account_type.clone(),
        account_number: a.account.account_number.clone(),
        holder_kana: a.account.holder_kana.clone(),
        offset_requested: a.offset_requested,
        register_for_automatic_payment: a.register_for_automatic_payment,
        status: a.status.as_str().to_string(),
        return_reasons: reasons_json(&a.return_reasons),
        note: a.note.clone(),
        registration_id: a.registration_id.clone(),
        registration_problem: a.registration_problem.clone(),
        paid_run_id: a.paid_run_id.clone(),
        version: a.version,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// A move to record with the application's new state.
pub struct Move<'a> {
    pub reasons: &'a [ReturnReason],
    pub note: Option<&'a str>,
    pub on: NaiveDate,
}

fn event_row(actor: &Actor, a: &Application, from: Option<ApplicationStatus>, m: &Move<'_>) -> event::ActiveModel {
    all_set(event::Model {
        insurer: actor.insurer.clone(),
        id: new_id(),
        application_id: a.id.clone(),
        from_status: from.map(|s| s.as_str().to_string()),
        to_status: a.status.as_str().to_string(),
        reasons: reasons_json(m.reasons),
        note: m.note.map(str::to_string),
        effective_on: m.on,
        actor: actor.sub.clone(),
        at: now(),
    })
}

/// Stores a received application, its months and its first event. Run it in a transaction: a
/// unique violation means one of the determinations is already answered by a live application.
pub async fn create(conn: &impl ConnectionTrait, actor: &Actor, a: &Application) -> Result<(), DbErr> {
    Entity::insert(all_set::<app::ActiveModel>(row_of(&actor.insurer, a)))
        .exec_without_returning(conn)
        .await?;
    link::Entity::insert_many(a.months.iter().map(|m| {
        all_set::<link::ActiveModel>(link::Model {
            insurer: actor.insurer.clone(),
            application_id: a.id.clone(),
            determination_id: m.determination_id.clone(),
            household_id: a.household_id.clone(),
            service_month: m.service_month.clone(),
            live: true,
        })
    }))
    .exec_without_returning(conn)
    .await?;
    let first = Move {
        reasons: &[],
        note: a.note.as_deref(),
        on: a.received_on,
    };
    event::Entity::insert(event_row(actor, a, None, &first))
        .exec_without_returning(conn)
        .await?;
    audit::record(
        conn,
        actor,
        "benefit_application.received",
        "benefit_application",
        &a.id,
    )
    .await
}

async fn months_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    ids: &[&str],
) -> Result<HashMap<String, Vec<AppliedMonth>>, DbErr> {
    let mut out: HashMap<String, Vec<AppliedMonth>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = link::Entity::find()
        .filter(link::Column::Insurer.eq(insurer))
        .filter(link::Column::ApplicationId.is_in(ids.iter().copied()))
        .order_by_asc(link::Column::ServiceMonth)
        .order_by_asc(link::Column::DeterminationId)
        .all(conn)
        .await?;
    for r in rows {
        out.entry(r.application_id).or_default().push(AppliedMonth {
            determination_id: r.determination_id,
            service_month: r.service_month,
        });
    }
    Ok(out)
}

async fn with_months(
    conn: &impl ConnectionTrait,
    insurer: &str,
    rows: Vec<app::Model>,
) -> Result<Vec<Application>, DbErr> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut months = months_of(conn, insurer, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let m = months.remove(&r.id).unwrap_or_default();
            application_of(r, m)
        })
        .collect()
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Application>, DbErr> {
    let Some(row) = Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Id.eq(id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(with_months(conn, insurer, vec![row]).await?.pop())
}

/// Filters of the application list; every filter given applies.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub household_id: Option<String>,
    pub status: Option<ApplicationStatus>,
    /// Written at or after this instant.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Application>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(h) = &filter.household_id {
        q = q.filter(Column::HouseholdId.eq(h.as_str()));
    }
    if let Some(s) = filter.status {
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
        items: with_months(conn, insurer, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

/// The moves of an application, oldest first.
pub async fn events(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<ApplicationEvent>, DbErr> {
    event::Entity::find()
        .filter(event::Column::Insurer.eq(insurer))
        .filter(event::Column::ApplicationId.eq(id))
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| {
            Ok(ApplicationEvent {
                from_status: e.from_status.as_deref().map(|s| status_of(id, s)).transpose()?,
                to_status: status_of(id, &e.to_status)?,
                reasons: reasons_of(id, &e.reasons)?,
                note: e.note,
                effective_on: e.effective_on,
                actor: e.actor,
                at: e.at,
            })
        })
        .collect()
}

/// Writes `next` if the stored version is still `current.version` (`Ok(None)` otherwise), with an
/// event for the move and an audit row (`benefit_application.moved`, or `.paid` for a run's
/// payment). A withdrawn application stops answering its determinations.
pub async fn save_move(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    current: &Application,
    next: Application,
    m: &Move<'_>,
) -> Result<Option<Application>, DbErr> {
    let next = Application {
        version: current.version + 1,
        updated_at: now(),
        ..next
    };
    let res = Entity::update_many()
        .set(all_set::<app::ActiveModel>(row_of(&actor.insurer, &next)))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    if next.status == ApplicationStatus::Withdrawn {
        link::Entity::update_many()
            .col_expr(link::Column::Live, Expr::value(false))
            .filter(link::Column::Insurer.eq(actor.insurer.as_str()))
            .filter(link::Column::ApplicationId.eq(current.id.as_str()))
            .exec(conn)
            .await?;
    }
    event::Entity::insert(event_row(actor, &next, Some(current.status), m))
        .exec_without_returning(conn)
        .await?;
    let action = if next.status == ApplicationStatus::Paid {
        "benefit_application.paid"
    } else {
        "benefit_application.moved"
    };
    audit::record(conn, actor, action, "benefit_application", &current.id).await?;
    Ok(Some(next))
}

/// The live applications answering any of `determination_ids`: determination id -> (application
/// id, status, received on).
pub async fn live_for(
    conn: &impl ConnectionTrait,
    insurer: &str,
    determination_ids: &[&str],
) -> Result<HashMap<String, (String, ApplicationStatus, NaiveDate)>, DbErr> {
    let mut out = HashMap::new();
    for chunk in determination_ids.chunks(500) {
        let links: Vec<(String, String)> = link::Entity::find()
            .select_only()
            .columns([link::Column::DeterminationId, link::Column::ApplicationId])
            .filter(link::Column::Insurer.eq(insurer))
            .filter(link::Column::Live.eq(true))
            .filter(link::Column::DeterminationId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        let app_ids: Vec<&str> = links.iter().map(|(_, a)| a.as_str()).collect();
        let apps: HashMap<String, (String, NaiveDate)> = Entity::find()
            .select_only()
            .columns([Column::Id, Column::Status, Column::ReceivedOn])
            .filter(Column::Insurer.eq(insurer))
            .filter(Column::Id.is_in(app_ids))
            .into_tuple::<(String, String, NaiveDate)>()
            .all(conn)
            .await?
            .into_iter()
            .map(|(id, s, r)| (id, (s, r)))
            .collect();
        for (det, app_id) in links {
            if let Some((s, r)) = apps.get(&app_id) {
                out.insert(det, (app_id.clone(), status_of(&app_id, s)?, *r));
            }
        }
    }
    Ok(out)
}

/// Approved applications no run has paid yet, after `after`, in id order.
pub async fn approved_unpaid(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Application>, DbErr> {
    let mut q = Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Status.eq(ApplicationStatus::Approved.as_str()))
        .filter(Column::PaidRunId.is_null());
    if let Some(a) = after {
        q = q.filter(Column::Id.gt(a));
    }
    let rows = q.order_by_asc(Column::Id).limit(limit).all(conn).await?;
    with_months(conn, insurer, rows).await
}

/// How many times applications were returned for defects (不備返送) on days `from..=to`.
pub async fn returns_between(
    conn: &impl ConnectionTrait,
    insurer: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, DbErr> {
    Ok(event::Entity::find()
        .select_only()
        .column_as(Expr::col(event::Column::Id).count(), "n")
        .filter(event::Column::Insurer.eq(insurer))
        .filter(event::Column::ToStatus.eq(ApplicationStatus::Returned.as_str()))
        .filter(event::Column::EffectiveOn.between(from, to))
        .into_tuple::<i64>()
        .one(conn)
        .await?
        .unwrap_or(0))
}
