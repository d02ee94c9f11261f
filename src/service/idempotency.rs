//! Keys of retried creating POSTs (`Idempotency-Key`): reserved before the work, completed with
//! the first answer, released when the work failed so that a retry may run it again.

use sea_orm::DatabaseConnection;

pub use crate::domain::idempotency::Reservation;
use crate::error::ApiError;
use crate::store::idempotency as store;

/// Reserves `key` for a request with `fingerprint`, or says why not.
pub async fn reserve(
    db: &DatabaseConnection,
    insurer: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Reservation, ApiError> {
    Ok(store::reserve(db, insurer, key, fingerprint).await?)
}

/// Keeps the first answer under `key`.
pub async fn complete(
    db: &DatabaseConnection,
    insurer: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), ApiError> {
    Ok(store::complete(db, insurer, key, status, body).await?)
}

/// Frees `key` after the work failed.
pub async fn release(db: &DatabaseConnection, insurer: &str, key: &str) -> Result<(), ApiError> {
    Ok(store::release(db, insurer, key).await?)
}
