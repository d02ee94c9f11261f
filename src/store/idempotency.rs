//! Saved first answers of creating POSTs that carried `Idempotency-Key` (kept 24 hours).
//! A key is reserved before the work starts, so two concurrent requests with one key never both
//! create: the second is told the first is still in progress.

use chrono::Duration;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::entity::idempotency_key::{self, Column, Entity};
use super::now;
pub use crate::domain::idempotency::Reservation;

/// How long a key replays its first answer.
pub const RETENTION_HOURS: i64 = 24;

/// `status` of a reserved key whose request has not finished.
const PENDING: i32 = 0;

fn classify(m: idempotency_key::Model, fingerprint: &str) -> Reservation {
    if m.fingerprint != fingerprint {
        Reservation::Mismatch
    } else if m.status == PENDING {
        Reservation::InProgress
    } else {
        Reservation::Replay {
            status: u16::try_from(m.status).unwrap_or(200),
            body: m.body,
        }
    }
}

async fn find_live(
    conn: &impl ConnectionTrait,
    insurer: &str,
    key: &str,
) -> Result<Option<idempotency_key::Model>, DbErr> {
    let found = Entity::find_by_id((insurer.to_string(), key.to_string()))
        .one(conn)
        .await?;
    Ok(found.filter(|m| m.created_at > now() - Duration::hours(RETENTION_HOURS)))
}

/// Reserves `key` for a request with `fingerprint`, or says why not.
pub async fn reserve(
    conn: &impl ConnectionTrait,
    insurer: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Reservation, DbErr> {
    if let Some(m) = find_live(conn, insurer, key).await? {
        return Ok(classify(m, fingerprint));
    }
    Entity::delete_many()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Key.eq(key))
        .exec(conn)
        .await?;
    let row = idempotency_key::ActiveModel {
        insurer: Set(insurer.to_string()),
        key: Set(key.to_string()),
        fingerprint: Set(fingerprint.to_string()),
        status: Set(PENDING),
        body: Set(String::new()),
        created_at: Set(now()),
    };
    match Entity::insert(row).exec_without_returning(conn).await {
        Ok(_) => Ok(Reservation::Fresh),
        Err(e) if super::is_unique_violation(&e) => match find_live(conn, insurer, key).await? {
            Some(m) => Ok(classify(m, fingerprint)),
            None => Ok(Reservation::InProgress),
        },
        Err(e) => Err(e),
    }
}

/// Saves the answer of a reserved key.
pub async fn complete(
    conn: &impl ConnectionTrait,
    insurer: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, i32::from(status).into())
        .col_expr(Column::Body, body.into())
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Key.eq(key))
        .exec(conn)
        .await?;
    Ok(())
}

/// Frees a reserved key whose request failed, so that it can be retried.
pub async fn release(conn: &impl ConnectionTrait, insurer: &str, key: &str) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Key.eq(key))
        .filter(Column::Status.eq(PENDING))
        .exec(conn)
        .await?;
    Ok(())
}
