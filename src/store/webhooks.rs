//! Webhook subscriptions and deliveries. A subscription's deliveries are queued from the event
//! feed in sequence order and sent one at a time, so that a receiver gets them in order.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::entity::event as ev;
use super::entity::webhook_delivery as del;
use super::entity::webhook_subscription::{self as sub, Column, Entity};
use super::{Actor, Page, PageRequest, all_set, audit, new_id, now};
use crate::domain::event::EventType;
use crate::domain::webhook::{Delivery, DeliveryStatus, Subscription};

fn subscription_of(m: sub::Model) -> Result<Subscription, DbErr> {
    let names: Vec<String> = serde_json::from_str(&m.event_types)
        .map_err(|e| DbErr::Custom(format!("subscription {}: event types: {e}", m.id)))?;
    let types = names
        .iter()
        .map(|n| EventType::parse(n).map_err(|e| DbErr::Custom(format!("subscription {}: {e}", m.id))))
        .collect::<Result<_, _>>()?;
    Ok(Subscription {
        id: m.id,
        insurer: m.insurer,
        url: m.url,
        types,
        secret: m.secret,
        active: m.active,
        last_sequence: m.last_sequence,
        disabled_reason: m.disabled_reason,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn row_of(s: &Subscription) -> sub::Model {
    sub::Model {
        insurer: s.insurer.clone(),
        id: s.id.clone(),
        url: s.url.clone(),
        event_types: serde_json::to_string(&s.types.iter().map(|t| t.as_str()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into()),
        secret: s.secret.clone(),
        active: s.active,
        last_sequence: s.last_sequence,
        disabled_reason: s.disabled_reason.clone(),
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

fn delivery_of(m: del::Model) -> Result<Delivery, DbErr> {
    Ok(Delivery {
        status: DeliveryStatus::parse(&m.status)
            .ok_or_else(|| DbErr::Custom(format!("delivery {}: unknown status", m.id)))?,
        id: m.id,
        subscription_id: m.subscription_id,
        event_id: m.event_id,
        sequence: m.sequence,
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        last_status_code: m.last_status_code,
        last_error: m.last_error,
        delivered_at: m.delivered_at,
        created_at: m.created_at,
    })
}

/// A new subscription, starting after the insurer's last numbered event.
pub async fn create(
    db: &impl TransactionTrait,
    actor: &Actor,
    url: &str,
    types: &[EventType],
    secret: &str,
) -> Result<Subscription, DbErr> {
    let last = super::events::sequence(db, &actor.insurer).await?;
    let at = now();
    let s = Subscription {
        id: new_id(),
        insurer: actor.insurer.clone(),
        url: url.to_string(),
        types: types.to_vec(),
        secret: secret.to_string(),
        active: true,
        last_sequence: last,
        disabled_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let txn = db.begin().await?;
    Entity::insert(all_set::<sub::ActiveModel>(row_of(&s)))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        "webhook_subscription.created",
        "webhook_subscription",
        &s.id,
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Subscription>, DbErr> {
    Entity::find_by_id((insurer.to_string(), id.to_string()))
        .one(conn)
        .await?
        .map(subscription_of)
        .transpose()
}

pub async fn list(conn: &impl ConnectionTrait, insurer: &str, page: &PageRequest) -> Result<Page<Subscription>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(subscription_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Writes `next` over `current` if nobody changed it meanwhile (`Ok(None)` otherwise), with the
/// audit `action`.
pub async fn update(
    db: &impl TransactionTrait,
    actor: &Actor,
    current: &Subscription,
    next: Subscription,
    action: &str,
) -> Result<Option<Subscription>, DbErr> {
    let next = Subscription {
        version: current.version + 1,
        updated_at: now(),
        ..next
    };
    let txn = db.begin().await?;
    let res = Entity::update_many()
        .set(all_set::<sub::ActiveModel>(row_of(&next)))
        .filter(Column::Insurer.eq(current.insurer.as_str()))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    audit::record(&txn, actor, action, "webhook_subscription", &current.id).await?;
    txn.commit().await?;
    Ok(Some(next))
}

/// Deletes a subscription and its deliveries.
pub async fn delete(db: &impl TransactionTrait, actor: &Actor, id: &str) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let gone = Entity::delete_many()
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Id.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    if gone == 0 {
        return Ok(false);
    }
    del::Entity::delete_many()
        .filter(del::Column::Insurer.eq(actor.insurer.as_str()))
        .filter(del::Column::SubscriptionId.eq(id))
        .exec(&txn)
        .await?;
    audit::record(&txn, actor, "webhook_subscription.deleted", "webhook_subscription", id).await?;
    txn.commit().await?;
    Ok(true)
}

/// Every active subscription, of every insurer (the delivery worker's round).
pub async fn active(conn: &impl ConnectionTrait) -> Result<Vec<Subscription>, DbErr> {
    Entity::find()
        .filter(Column::Active.eq(true))
        .order_by_asc(Column::Insurer)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(subscription_of)
        .collect()
}

/// Queues the subscription's deliveries of the events numbered after its last, up to `through`
/// and at most `limit`, due at `due`, in one transaction with its new position.
pub async fn enqueue<C>(db: &C, s: &Subscription, through: i64, limit: u64, due: DateTime<Utc>) -> Result<usize, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    if through <= s.last_sequence {
        return Ok(0);
    }
    let events = ev::Entity::find()
        .filter(ev::Column::Insurer.eq(s.insurer.as_str()))
        .filter(ev::Column::Sequence.gt(s.last_sequence))
        .filter(ev::Column::Sequence.lte(through))
        .order_by_asc(ev::Column::Sequence)
        .limit(limit)
        .all(db)
        .await?;
    let Some(last) = events.last().and_then(|e| e.sequence) else {
        return Ok(0);
    };
    let at = due;
    let rows: Vec<del::ActiveModel> = events
        .iter()
        .filter(|e| s.types.is_empty() || s.types.iter().any(|t| t.as_str() == e.event_type))
        .filter_map(|e| {
            Some(all_set::<del::ActiveModel>(del::Model {
                insurer: s.insurer.clone(),
                id: new_id(),
                subscription_id: s.id.clone(),
                event_id: e.id.clone(),
                sequence: e.sequence?,
                status: DeliveryStatus::Pending.as_str().into(),
                attempts: 0,
                next_attempt_at: at,
                last_status_code: None,
                last_error: None,
                delivered_at: None,
                created_at: at,
                updated_at: at,
            }))
        })
        .collect();
    let queued = rows.len();
    let txn = db.begin().await?;
    for chunk in rows.chunks(200) {
        del::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    Entity::update_many()
        .col_expr(Column::LastSequence, Expr::value(last))
        .filter(Column::Insurer.eq(s.insurer.as_str()))
        .filter(Column::Id.eq(s.id.as_str()))
        .filter(Column::LastSequence.eq(s.last_sequence))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(queued)
}

/// The subscription's next pending delivery (the lowest sequence): later ones wait for it.
pub async fn head(conn: &impl ConnectionTrait, s: &Subscription) -> Result<Option<Delivery>, DbErr> {
    del::Entity::find()
        .filter(del::Column::Insurer.eq(s.insurer.as_str()))
        .filter(del::Column::SubscriptionId.eq(s.id.as_str()))
        .filter(del::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .order_by_asc(del::Column::Sequence)
        .one(conn)
        .await?
        .map(delivery_of)
        .transpose()
}

/// What an attempt gave.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    /// `Delivered`, `Pending` (to retry at `next_attempt_at`) or `Failed` (given up).
    pub outcome: DeliveryStatus,
    pub next_attempt_at: DateTime<Utc>,
}

/// Records an attempt's outcome.
pub async fn record_attempt(
    conn: &impl ConnectionTrait,
    insurer: &str,
    d: &Delivery,
    a: &Attempt,
) -> Result<(), DbErr> {
    let at = now();
    del::Entity::update_many()
        .col_expr(del::Column::Status, Expr::value(a.outcome.as_str()))
        .col_expr(del::Column::Attempts, Expr::col(del::Column::Attempts).add(1))
        .col_expr(del::Column::NextAttemptAt, Expr::value(a.next_attempt_at))
        .col_expr(del::Column::LastStatusCode, Expr::value(a.status_code))
        .col_expr(del::Column::LastError, Expr::value(a.error.clone()))
        .col_expr(
            del::Column::DeliveredAt,
            Expr::value((a.outcome == DeliveryStatus::Delivered).then_some(at)),
        )
        .col_expr(del::Column::UpdatedAt, Expr::value(at))
        .filter(del::Column::Insurer.eq(insurer))
        .filter(del::Column::Id.eq(d.id.as_str()))
        .exec(conn)
        .await?;
    Ok(())
}

/// A subscription's deliveries, newest first.
pub async fn deliveries(
    conn: &impl ConnectionTrait,
    insurer: &str,
    subscription_id: &str,
    page: &PageRequest,
) -> Result<Page<Delivery>, DbErr> {
    let mut q = del::Entity::find()
        .filter(del::Column::Insurer.eq(insurer))
        .filter(del::Column::SubscriptionId.eq(subscription_id));
    if let Some(after) = &page.after {
        q = q.filter(del::Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(del::Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(delivery_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}
