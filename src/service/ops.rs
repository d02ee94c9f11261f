//! The server's own state: is the database there.

use sea_orm::DatabaseConnection;

/// The database answers a trivial query.
pub async fn database_ready(db: &DatabaseConnection) -> bool {
    crate::store::ping(db).await
}
