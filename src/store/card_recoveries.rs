//! Certificate recovery cases (資格確認書の回収).

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::entity::card_recovery::{self as case, Column, Entity};
use super::{Actor, Page, PageRequest, all_set, audit};

/// Stores a new case with its audit row. A unique violation: the member's loss already has one.
pub async fn create(conn: &impl TransactionTrait, actor: &Actor, c: case::Model) -> Result<case::Model, DbErr> {
    let txn = conn.begin().await?;
    Entity::insert(all_set::<case::ActiveModel>(c.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "card_recovery.opened", "card_recovery", &c.id).await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<case::Model>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await
}

/// Cases in id order, optionally of a member.
pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    member_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<case::Model>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(m) = member_id {
        q = q.filter(Column::MemberId.eq(m));
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(Page::from_rows(rows, page.limit, |r| &r.id))
}

/// Writes a case's new state if it is still at `current.version`.
pub async fn update(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &case::Model,
    next: case::Model,
) -> Result<Option<case::Model>, DbErr> {
    let next = case::Model {
        version: current.version + 1,
        ..next
    };
    let txn = conn.begin().await?;
    let res = Entity::update_many()
        .set(all_set::<case::ActiveModel>(next.clone()))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    audit::record(&txn, actor, "card_recovery.updated", "card_recovery", &current.id).await?;
    txn.commit().await?;
    Ok(Some(next))
}
