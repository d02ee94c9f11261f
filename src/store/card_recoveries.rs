//! Certificate recovery cases (資格確認書の回収).

use chrono::NaiveDate;
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

/// Cases of one category that stood alike on a day: returned by then, a 回収不能届 by then, the
/// certificate's validity over.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct CaseGroup {
    pub category: String,
    pub returned: i64,
    pub unrecoverable: i64,
    pub expired: i64,
    pub n: i64,
}

/// The cases whose holder lost eligibility in `from..=to`, grouped by how they stood on `as_of`.
pub async fn lost_between(
    conn: &impl ConnectionTrait,
    insurer: &str,
    (from, to): (NaiveDate, NaiveDate),
    as_of: NaiveDate,
) -> Result<Vec<CaseGroup>, DbErr> {
    use sea_orm::FromQueryResult;
    let sql = "SELECT category, \
        CAST(CASE WHEN returned_on IS NOT NULL AND returned_on <= ? THEN 1 ELSE 0 END AS BIGINT) AS returned, \
        CAST(CASE WHEN unrecoverable_on IS NOT NULL AND unrecoverable_on <= ? THEN 1 ELSE 0 END AS BIGINT) AS unrecoverable, \
        CAST(CASE WHEN valid_until < ? THEN 1 ELSE 0 END AS BIGINT) AS expired, \
        CAST(COUNT(*) AS BIGINT) AS n \
        FROM card_recoveries WHERE insurer = ? AND lost_on >= ? AND lost_on <= ? GROUP BY 1, 2, 3, 4";
    let values: Vec<sea_orm::Value> = vec![
        as_of.into(),
        as_of.into(),
        as_of.into(),
        insurer.into(),
        from.into(),
        to.into(),
    ];
    CaseGroup::find_by_statement(super::statement(conn.get_database_backend(), sql, values))
        .all(conn)
        .await
}

/// Steps recorded in `from..=to` by category (`kind`) and day: `column` is one of the step
/// dates (`first_notice_on`, `second_notice_on`, `employer_contacted_on`).
pub async fn steps_by_day(
    conn: &impl ConnectionTrait,
    insurer: &str,
    column: &'static str,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<super::DayCount>, DbErr> {
    use sea_orm::FromQueryResult;
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT {column} AS day, category AS kind, CAST(COUNT(*) AS BIGINT) AS n FROM card_recoveries \
         WHERE insurer = ? AND {column} >= ? AND {column} <= ? GROUP BY {column}, category"
    );
    super::DayCount::find_by_statement(super::statement(
        backend,
        &sql,
        vec![insurer.into(), from.into(), to.into()],
    ))
    .all(conn)
    .await
}
