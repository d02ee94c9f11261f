//! 保険者間調整 requests.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::entity::adjustment_request::{self as req, Column, Entity};
use super::{Actor, Page, PageRequest, all_set, audit};
use crate::domain::receivable::Ledger;
use crate::domain::receivable::adjustment::{Request, Status};
use crate::domain::receivable::ledger::ReceivableStatus;
use crate::domain::receivable::record::{NewEntry, Receivable};

/// The statuses of a request still open, as stored.
fn open() -> [&'static str; 3] {
    Status::OPEN.map(Status::as_str)
}

/// The one place a stored row becomes a request.
fn request_of(m: req::Model) -> Result<Request, DbErr> {
    Ok(Request {
        status: Status::parse(&m.status)
            .ok_or_else(|| DbErr::Custom(format!("adjustment request {}: unknown status", m.id)))?,
        history: serde_json::from_str(&m.history).unwrap_or_default(),
        id: m.id,
        insurer: m.insurer,
        receivable_id: m.receivable_id,
        new_insurer_number: m.new_insurer_number,
        new_insurer_name: m.new_insurer_name,
        consent_on: m.consent_on,
        agency: m.agency,
        amount: m.amount,
        settled_amount: m.settled_amount,
        excess_owed: m.excess_owed,
        submitted_on: m.submitted_on,
        decided_on: m.decided_on,
        settled_on: m.settled_on,
        cancelled_on: m.cancelled_on,
        version: m.version,
        created_at: m.created_at,
    })
}

/// ... and the one place a request becomes a row.
fn row_of(r: &Request) -> req::Model {
    req::Model {
        id: r.id.clone(),
        insurer: r.insurer.clone(),
        receivable_id: r.receivable_id.clone(),
        new_insurer_number: r.new_insurer_number.clone(),
        new_insurer_name: r.new_insurer_name.clone(),
        consent_on: r.consent_on,
        agency: r.agency.clone(),
        status: r.status.as_str().to_string(),
        amount: r.amount,
        settled_amount: r.settled_amount,
        excess_owed: r.excess_owed,
        submitted_on: r.submitted_on,
        decided_on: r.decided_on,
        settled_on: r.settled_on,
        cancelled_on: r.cancelled_on,
        history: serde_json::to_string(&r.history).unwrap_or_else(|_| "[]".into()),
        version: r.version,
        created_at: r.created_at,
        updated_at: Some(super::now()),
    }
}

pub async fn create(conn: &impl TransactionTrait, actor: &Actor, r: Request) -> Result<Request, DbErr> {
    let txn = conn.begin().await?;
    Entity::insert(all_set::<req::ActiveModel>(row_of(&r)))
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "adjustment_request.created", "adjustment_request", &r.id).await?;
    txn.commit().await?;
    Ok(r)
}

/// A request of the tenant; with `agency`, only one of that agency's.
pub async fn get(
    conn: &impl ConnectionTrait,
    insurer: &str,
    agency: Option<&str>,
    id: &str,
) -> Result<Option<Request>, DbErr> {
    let mut q = Entity::find_by_id(id.to_string()).filter(Column::Insurer.eq(insurer));
    if let Some(a) = agency {
        q = q.filter(Column::Agency.eq(a));
    }
    q.one(conn).await?.map(request_of).transpose()
}

/// Requests in id order, filtered; an agency sees only its own.
pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    agency: Option<&str>,
    status: Option<Status>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<Request>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(a) = agency {
        q = q.filter(Column::Agency.eq(a));
    }
    if let Some(s) = status {
        q = q.filter(Column::Status.eq(s.as_str()));
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
        items: page.items.into_iter().map(request_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// A settlement's collection: the receivable as read, the entry, its ledger before and after,
/// and the status after.
pub type Collection = (Receivable, NewEntry, (Ledger, Ledger), ReceivableStatus);

/// Writes a move if the request is still at `current.version`; a settlement's collection entry,
/// with the receivable's new balance and status, goes in the same transaction.
pub async fn apply(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &Request,
    next: Request,
    collection: Option<Collection>,
) -> Result<Option<Request>, DbErr> {
    let next = Request {
        version: current.version + 1,
        ..next
    };
    let txn = conn.begin().await?;
    let res = Entity::update_many()
        .set(all_set::<req::ActiveModel>(row_of(&next)))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    if let Some((receivable, e, ledgers, status)) = collection
        && super::receivables::append_entry(&txn, actor, &receivable, e, ledgers, status)
            .await?
            .is_none()
    {
        return Ok(None);
    }
    audit::record(
        &txn,
        actor,
        "adjustment_request.moved",
        "adjustment_request",
        &current.id,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(next))
}

/// Whether the receivable has a request still open (requested, submitted or accepted).
pub async fn open_for(conn: &impl ConnectionTrait, insurer: &str, receivable_id: &str) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::ReceivableId.eq(receivable_id))
        .filter(Column::Status.is_in(open()))
        .one(conn)
        .await?
        .is_some())
}

/// The receivables in `(after, through]` (id order) with a request still open.
pub async fn open_in_range(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    through: &str,
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut q = Entity::find()
        .select_only()
        .column(Column::ReceivableId)
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::ReceivableId.lte(through))
        .filter(Column::Status.is_in(open()));
    if let Some(a) = after {
        q = q.filter(Column::ReceivableId.gt(a));
    }
    Ok(q.into_tuple::<String>().all(conn).await?.into_iter().collect())
}

/// What adjustment requests did on one day of a span.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct AdjustmentDay {
    pub day: chrono::NaiveDate,
    /// Requests settled (the new insurer paid).
    pub settled: i64,
    /// Applied to the receivables (回収分).
    pub collected: i64,
    /// Paid above the balance, owed on to the insured.
    pub excess: i64,
}

/// Requests settled in `from..=to`, by day.
pub async fn settled_by_day(
    conn: &impl ConnectionTrait,
    insurer: &str,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<AdjustmentDay>, DbErr> {
    use sea_orm::FromQueryResult;
    let backend = conn.get_database_backend();
    let sql = "SELECT settled_on AS day, CAST(COUNT(*) AS BIGINT) AS settled, \
         CAST(COALESCE(SUM(settled_amount - excess_owed), 0) AS BIGINT) AS collected, \
         CAST(COALESCE(SUM(excess_owed), 0) AS BIGINT) AS excess FROM adjustment_requests \
         WHERE insurer = ? AND status = 'settled' AND settled_on >= ? AND settled_on <= ? GROUP BY settled_on";
    AdjustmentDay::find_by_statement(super::statement(
        backend,
        sql,
        vec![insurer.into(), from.into(), to.into()],
    ))
    .all(conn)
    .await
}

/// Requests the new insurer accepted (支給決定) in `from..=to`, by day: decided and not
/// rejected, whatever became of them since.
pub async fn accepted_by_day(
    conn: &impl ConnectionTrait,
    insurer: &str,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<super::DayCount>, DbErr> {
    use sea_orm::FromQueryResult;
    let backend = conn.get_database_backend();
    let sql = "SELECT decided_on AS day, '' AS kind, CAST(COUNT(*) AS BIGINT) AS n FROM adjustment_requests \
         WHERE insurer = ? AND status <> 'rejected' AND decided_on >= ? AND decided_on <= ? GROUP BY decided_on";
    super::DayCount::find_by_statement(super::statement(
        backend,
        sql,
        vec![insurer.into(), from.into(), to.into()],
    ))
    .all(conn)
    .await
}
