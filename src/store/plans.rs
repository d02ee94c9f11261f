//! The counterparty registry (保険者間調整に参加する保険者) and yearly plans, both upserted whole.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::entity::{counterparty, plan};
use super::{Actor, Page, PageRequest, all_set, audit, new_id, now};
use crate::domain::plan::{Counterparty, MonthPlan, Plan};

fn counterparty_of(c: counterparty::Model) -> Counterparty {
    Counterparty {
        number: c.number,
        name: c.name,
        participates: c.participates,
        note: c.note,
        version: c.version,
        updated_at: c.updated_at,
    }
}

fn plan_of(p: plan::Model) -> Result<Plan, DbErr> {
    Ok(Plan {
        fiscal_year: p.fiscal_year,
        months: serde_json::from_str(&p.months).map_err(|e| DbErr::Custom(format!("stored plan: {e}")))?,
        version: p.version,
        updated_at: p.updated_at,
    })
}

pub async fn counterparty(
    conn: &impl ConnectionTrait,
    insurer: &str,
    number: &str,
) -> Result<Option<Counterparty>, DbErr> {
    Ok(counterparty_row(conn, insurer, number).await?.map(counterparty_of))
}

async fn counterparty_row(
    conn: &impl ConnectionTrait,
    insurer: &str,
    number: &str,
) -> Result<Option<counterparty::Model>, DbErr> {
    counterparty::Entity::find()
        .filter(counterparty::Column::Insurer.eq(insurer))
        .filter(counterparty::Column::Number.eq(number))
        .one(conn)
        .await
}

/// Creates or replaces a counterparty; gives back the stored row.
pub async fn put_counterparty(
    conn: &impl TransactionTrait,
    actor: &Actor,
    number: &str,
    name: &str,
    participates: bool,
    note: Option<String>,
) -> Result<Counterparty, DbErr> {
    let txn = conn.begin().await?;
    let current = counterparty_row(&txn, &actor.insurer, number).await?;
    let row = counterparty::Model {
        id: current.as_ref().map_or_else(new_id, |c| c.id.clone()),
        insurer: actor.insurer.clone(),
        number: number.to_string(),
        name: name.to_string(),
        participates,
        note,
        version: current.as_ref().map_or(1, |c| c.version + 1),
        updated_at: now(),
    };
    counterparty::Entity::insert(all_set::<counterparty::ActiveModel>(row.clone()))
        .on_conflict(
            OnConflict::columns([counterparty::Column::Insurer, counterparty::Column::Number])
                .update_columns([
                    counterparty::Column::Name,
                    counterparty::Column::Participates,
                    counterparty::Column::Note,
                    counterparty::Column::Version,
                    counterparty::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "counterparty.put", "counterparty", &row.id).await?;
    txn.commit().await?;
    Ok(counterparty_of(row))
}

pub async fn counterparties(
    conn: &impl ConnectionTrait,
    insurer: &str,
    page: &PageRequest,
) -> Result<Page<Counterparty>, DbErr> {
    let mut q = counterparty::Entity::find().filter(counterparty::Column::Insurer.eq(insurer));
    if let Some(after) = &page.after {
        q = q.filter(counterparty::Column::Id.gt(after.as_str()));
    }
    let rows = q
        .order_by_asc(counterparty::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_rows(rows, page.limit, |r| &r.id).map(counterparty_of))
}

pub async fn plan(conn: &impl ConnectionTrait, insurer: &str, fiscal_year: i32) -> Result<Option<Plan>, DbErr> {
    plan_row(conn, insurer, fiscal_year).await?.map(plan_of).transpose()
}

async fn plan_row(conn: &impl ConnectionTrait, insurer: &str, fiscal_year: i32) -> Result<Option<plan::Model>, DbErr> {
    plan::Entity::find()
        .filter(plan::Column::Insurer.eq(insurer))
        .filter(plan::Column::FiscalYear.eq(fiscal_year))
        .one(conn)
        .await
}

/// Creates or replaces a year's plan.
pub async fn put_plan(
    conn: &impl TransactionTrait,
    actor: &Actor,
    fiscal_year: i32,
    months: &[MonthPlan],
) -> Result<Plan, DbErr> {
    let months = serde_json::to_string(months).map_err(|e| DbErr::Custom(e.to_string()))?;
    let txn = conn.begin().await?;
    let current = plan_row(&txn, &actor.insurer, fiscal_year).await?;
    let row = plan::Model {
        id: current.as_ref().map_or_else(new_id, |c| c.id.clone()),
        insurer: actor.insurer.clone(),
        fiscal_year,
        months,
        version: current.as_ref().map_or(1, |c| c.version + 1),
        updated_at: now(),
    };
    plan::Entity::insert(all_set::<plan::ActiveModel>(row.clone()))
        .on_conflict(
            OnConflict::columns([plan::Column::Insurer, plan::Column::FiscalYear])
                .update_columns([plan::Column::Months, plan::Column::Version, plan::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "plan.put", "plan", &row.id).await?;
    txn.commit().await?;
    plan_of(row)
}
