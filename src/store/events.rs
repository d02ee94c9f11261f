//! The outbox (イベント). Events are written by [`follow_audit`] in the transaction of the audited
//! write they follow, without a number; [`sequence`] numbers the committed ones of an insurer in
//! id order, one sequencer at a time per insurer, so that numbers appear in commit order and a
//! reader going by number never skips one that committed late. Every statement names the insurer.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::entity::event::{self, Column, Entity};
use super::statement;
use crate::domain::event::{Becomes, Event, EventType, FROM_AUDIT};

/// The table of each resource kind that has events, and where its household, agency and status
/// are: (kind, table, household, agency, status), as expressions over the row `t`.
const SOURCES: &[(&str, &str, &str, &str, &str)] = &[
    ("claim", "claims", "t.household_id", "NULL", "NULL"),
    ("household", "households", "t.id", "NULL", "NULL"),
    ("member", "members", "t.household_id", "NULL", "NULL"),
    (
        "benefit_determination",
        "benefit_determinations",
        "t.household_id",
        "NULL",
        "NULL",
    ),
    ("payment", "payments", "t.household_id", "NULL", "NULL"),
    (
        "benefit_application",
        "benefit_applications",
        "t.household_id",
        "NULL",
        "t.status",
    ),
    (
        "payment_registration",
        "payment_registrations",
        "t.household_id",
        "NULL",
        "t.status",
    ),
    ("receivable", "receivables", "t.household_id", "NULL", "t.status"),
    (
        "adjustment_request",
        "adjustment_requests",
        "NULL",
        "t.agency",
        "t.status",
    ),
    ("webhook_subscription", "webhook_subscriptions", "NULL", "NULL", "NULL"),
];

/// What an event says of its resource besides its id: the household, agency and status the write
/// left it with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub household_id: Option<String>,
    pub agency: Option<String>,
    pub status: Option<String>,
}

impl Facts {
    /// A resource of a household, with no agency and no status its events depend on.
    pub fn household(household_id: &str) -> Self {
        Self {
            household_id: Some(household_id.to_string()),
            ..Self::default()
        }
    }
}

/// An audit row just written, as the outbox needs it.
#[derive(Debug, Clone, Copy)]
pub struct Audited<'a> {
    /// The audit row's id, which the event takes.
    pub id: &'a str,
    pub action: &'a str,
    pub resource_kind: &'a str,
    pub resource_id: &'a str,
    pub at: DateTime<Utc>,
    /// The resource's facts when the write has them at hand (a bulk write does); `None`: the
    /// outbox reads them from the resource's row.
    pub facts: Option<&'a Facts>,
}

/// What an audited action of `kind` becomes, if anything.
fn becomes(kind: &str, action: &str) -> Option<Becomes> {
    FROM_AUDIT
        .iter()
        .find(|(k, a, _)| *k == kind && *a == action)
        .map(|(_, _, b)| *b)
}

/// The facts of each resource of `kind` among `ids`, as the write left it.
async fn facts(
    conn: &impl ConnectionTrait,
    insurer: &str,
    kind: &str,
    ids: &[&str],
) -> Result<HashMap<String, Facts>, DbErr> {
    let mut out = HashMap::new();
    let Some((_, table, household, agency, status)) = SOURCES.iter().find(|(k, ..)| *k == kind) else {
        return Ok(out);
    };
    let backend = conn.get_database_backend();
    // SQLite, without statistics, takes an equality on an indexed column for about ten rows and
    // would walk the tenant's whole `insurer` index for every batch; the unary `+` keeps the
    // condition but leaves the choice of index to the ids.
    let tenant = match backend {
        sea_orm::DbBackend::Sqlite => "+t.insurer = ?",
        _ => "t.insurer = ?",
    };
    for chunk in super::byte_chunks(backend, ids, 500, |id| id.len() + 8) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT t.id AS id, {household} AS household_id, {agency} AS agency, {status} AS status \
             FROM {table} t WHERE {tenant} AND t.id IN ({marks})"
        );
        let mut values: Vec<sea_orm::Value> = vec![insurer.into()];
        values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
        for r in conn.query_all_raw(statement(backend, &sql, values)).await? {
            out.insert(
                r.try_get::<String>("", "id")?,
                Facts {
                    household_id: r.try_get("", "household_id")?,
                    agency: r.try_get("", "agency")?,
                    status: r.try_get("", "status")?,
                },
            );
        }
    }
    Ok(out)
}

/// Appends the events that the just-written audit rows call for. An audit that carries its
/// resource's [`Facts`] is followed as it is; for the others the resources are read by id, 500 of
/// a kind at a time. The events go in with one insert per 500 (on PostgreSQL, fewer when their
/// bound values would pass [`super::STATEMENT_BYTES`]).
pub async fn follow_audit(conn: &impl ConnectionTrait, insurer: &str, audits: &[Audited<'_>]) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    for (kind, ..) in SOURCES {
        let mine: Vec<(&Audited, Becomes)> = audits
            .iter()
            .filter(|a| a.resource_kind == *kind)
            .filter_map(|a| becomes(kind, a.action).map(|b| (a, b)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut unknown: Vec<&str> = mine
            .iter()
            .filter(|(a, _)| a.facts.is_none())
            .map(|(a, _)| a.resource_id)
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        let read = if unknown.is_empty() {
            HashMap::new()
        } else {
            facts(conn, insurer, kind, &unknown).await?
        };
        for (a, b) in mine {
            let facts = a.facts.or_else(|| read.get(a.resource_id)).cloned().unwrap_or_default();
            let event_type = match b {
                Becomes::Always(t) => t,
                Becomes::ByStatus(pairs, fallback) => pairs
                    .iter()
                    .find(|(s, _)| facts.status.as_deref() == Some(*s))
                    .map_or(fallback, |(_, t)| *t),
            };
            rows.push(event_row(insurer, a, event_type, facts));
        }
    }
    let size = |r: &event::Model| {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        r.insurer.len()
            + r.id.len()
            + r.event_type.len()
            + r.resource_kind.len()
            + r.resource_id.len()
            + text(&r.household_id)
            + text(&r.agency)
            + 64
    };
    for chunk in super::byte_chunks(conn.get_database_backend(), &rows, 500, size) {
        Entity::insert_many(chunk.iter().cloned().map(super::all_set::<event::ActiveModel>))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

fn event_row(insurer: &str, a: &Audited<'_>, event_type: EventType, facts: Facts) -> event::Model {
    event::Model {
        insurer: insurer.to_string(),
        id: a.id.to_string(),
        sequence: None,
        event_type: event_type.as_str().to_string(),
        resource_kind: a.resource_kind.to_string(),
        resource_id: a.resource_id.to_string(),
        household_id: facts.household_id,
        agency: facts.agency,
        occurred_at: a.at,
    }
}

/// Numbers the insurer's committed events that have no number yet, in id order, after the last
/// number given. Gives the last number given.
pub async fn sequence(db: &impl TransactionTrait, insurer: &str) -> Result<i64, DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    // A write first: the insurer's sequencer row, locked until commit (SQLite: the write lock).
    txn.execute_raw(statement(
        backend,
        "INSERT INTO event_sequences (insurer, last, purged_through) VALUES (?, 0, 0) \
         ON CONFLICT (insurer) DO UPDATE SET last = event_sequences.last",
        vec![insurer.into()],
    ))
    .await?;
    let last = txn
        .query_one_raw(statement(
            backend,
            "SELECT last FROM event_sequences WHERE insurer = ?",
            vec![insurer.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "last"))
        .transpose()?
        .unwrap_or(0);
    let numbered = txn
        .execute_raw(statement(
            backend,
            "UPDATE events SET sequence = ? + s.rn \
             FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM events \
                   WHERE insurer = ? AND sequence IS NULL) AS s \
             WHERE events.insurer = ? AND events.id = s.id",
            vec![last.into(), insurer.into(), insurer.into()],
        ))
        .await?
        .rows_affected();
    if numbered == 0 {
        txn.commit().await?;
        return Ok(last);
    }
    let last = last + i64::try_from(numbered).unwrap_or(i64::MAX);
    txn.execute_raw(statement(
        backend,
        "UPDATE event_sequences SET last = ? WHERE insurer = ?",
        vec![last.into(), insurer.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(last)
}

/// The insurers that have events.
pub async fn insurers(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    conn.query_all_raw(statement(
        conn.get_database_backend(),
        "SELECT insurer FROM event_sequences ORDER BY insurer",
        vec![],
    ))
    .await?
    .into_iter()
    .map(|r| r.try_get::<String>("", "insurer"))
    .collect()
}

/// Retention: deletes the insurer's numbered events that occurred before `before` and remembers
/// how far it went, so that a cursor into them is told so. Gives the last number deleted.
pub async fn purge(db: &impl TransactionTrait, insurer: &str, before: DateTime<Utc>) -> Result<Option<i64>, DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    let through = txn
        .query_one_raw(statement(
            backend,
            "SELECT MAX(sequence) AS through FROM events \
             WHERE insurer = ? AND sequence IS NOT NULL AND occurred_at < ?",
            vec![insurer.into(), before.into()],
        ))
        .await?
        .map(|r| r.try_get::<Option<i64>>("", "through"))
        .transpose()?
        .flatten();
    if let Some(through) = through {
        Entity::delete_many()
            .filter(Column::Insurer.eq(insurer))
            .filter(Column::Sequence.lte(through))
            .exec(&txn)
            .await?;
        txn.execute_raw(statement(
            backend,
            "UPDATE event_sequences SET purged_through = ? WHERE insurer = ? AND purged_through < ?",
            vec![through.into(), insurer.into(), through.into()],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(through)
}

/// How far retention has deleted the insurer's events (0: nothing yet).
pub async fn purged_through(conn: &impl ConnectionTrait, insurer: &str) -> Result<i64, DbErr> {
    Ok(conn
        .query_one_raw(statement(
            conn.get_database_backend(),
            "SELECT purged_through FROM event_sequences WHERE insurer = ?",
            vec![insurer.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "purged_through"))
        .transpose()?
        .unwrap_or(0))
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only these types (all when empty).
    pub types: Vec<EventType>,
    /// Only the events of this agency's adjustment requests.
    pub agency: Option<String>,
}

/// Numbered events after `after` and up to `through`, in order, at most `limit`.
pub async fn after(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: i64,
    through: i64,
    filter: &EventFilter,
    limit: u64,
) -> Result<Vec<Event>, DbErr> {
    let mut q = Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Sequence.gt(after))
        .filter(Column::Sequence.lte(through));
    if !filter.types.is_empty() {
        q = q.filter(Column::EventType.is_in(filter.types.iter().map(|t| t.as_str())));
    }
    if let Some(a) = &filter.agency {
        q = q.filter(Column::Agency.eq(a.as_str()));
    }
    q.order_by_asc(Column::Sequence)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(event_of)
        .collect()
}

/// The one place a stored event becomes an event.
fn event_of(m: event::Model) -> Result<Event, DbErr> {
    let corrupt = |what: &str| DbErr::Custom(format!("event {}: {what}", m.id));
    Ok(Event {
        sequence: m.sequence.ok_or_else(|| corrupt("not numbered"))?,
        event_type: EventType::parse(&m.event_type).map_err(|e| corrupt(&e.to_string()))?,
        id: m.id,
        resource_kind: m.resource_kind,
        resource_id: m.resource_id,
        household_id: m.household_id,
        agency: m.agency,
        occurred_at: m.occurred_at,
    })
}

/// One numbered event by id.
pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Event>, DbErr> {
    Entity::find_by_id((insurer.to_string(), id.to_string()))
        .filter(Column::Sequence.is_not_null())
        .one(conn)
        .await?
        .map(event_of)
        .transpose()
}
