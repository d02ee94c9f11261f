//! Certificate recovery cases (資格確認書の回収).

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::entity::card_recovery::{self as case, Column, Entity};
use super::{Actor, Page, PageRequest, all_set, audit};
use crate::domain::card_recovery::{CardRecovery, Case, InsuredCategory};

/// The one place a stored row becomes a case.
fn case_of(c: case::Model) -> Result<CardRecovery, DbErr> {
    Ok(CardRecovery {
        category: InsuredCategory::parse(&c.category)
            .ok_or_else(|| DbErr::Custom(format!("card recovery {}: unknown category", c.id)))?,
        case: Case {
            processed_on: c.processed_on,
            valid_until: c.valid_until,
            first_notice_on: c.first_notice_on,
            second_notice_on: c.second_notice_on,
            employer_contacted_on: c.employer_contacted_on,
            returned_on: c.returned_on,
            unrecoverable_on: c.unrecoverable_on,
        },
        id: c.id,
        member_id: c.member_id,
        household_id: c.household_id,
        lost_on: c.lost_on,
        note: c.note,
        version: c.version,
        created_at: c.created_at,
    })
}

/// ... and the one place a case becomes a row.
fn row_of(insurer: &str, c: &CardRecovery) -> case::Model {
    case::Model {
        id: c.id.clone(),
        insurer: insurer.to_string(),
        member_id: c.member_id.clone(),
        household_id: c.household_id.clone(),
        lost_on: c.lost_on,
        valid_until: c.case.valid_until,
        processed_on: c.case.processed_on,
        first_notice_on: c.case.first_notice_on,
        second_notice_on: c.case.second_notice_on,
        employer_contacted_on: c.case.employer_contacted_on,
        returned_on: c.case.returned_on,
        unrecoverable_on: c.case.unrecoverable_on,
        note: c.note.clone(),
        category: c.category.as_str().into(),
        version: c.version,
        created_at: c.created_at,
        updated_at: Some(super::now()),
    }
}

/// Stores a new case with its audit row. A unique violation: the member's loss already has one.
pub async fn create(conn: &impl TransactionTrait, actor: &Actor, c: CardRecovery) -> Result<CardRecovery, DbErr> {
    let txn = conn.begin().await?;
    Entity::insert(all_set::<case::ActiveModel>(row_of(&actor.insurer, &c)))
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "card_recovery.opened", "card_recovery", &c.id).await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<CardRecovery>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(case_of)
        .transpose()
}

/// Cases in id order, optionally of a member.
pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    member_id: Option<&str>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<CardRecovery>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(m) = member_id {
        q = q.filter(Column::MemberId.eq(m));
    }
    if let Some(t) = updated_since {
        q = q.filter(Column::UpdatedAt.gte(t));
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(case_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Writes a case's new state if it is still at `current.version`.
pub async fn update(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &CardRecovery,
    next: CardRecovery,
) -> Result<Option<CardRecovery>, DbErr> {
    let next = CardRecovery {
        version: current.version + 1,
        ..next
    };
    let txn = conn.begin().await?;
    let res = Entity::update_many()
        .set(all_set::<case::ActiveModel>(row_of(&actor.insurer, &next)))
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
