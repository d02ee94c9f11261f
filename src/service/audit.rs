//! Reading the audit trail (監査証跡).

use sea_orm::DatabaseConnection;

use crate::domain::audit::AuditEvent;
use crate::domain::page::{Page, PageRequest};
use crate::error::ApiError;
use crate::store;

/// The tenant's events, optionally of one resource, oldest first.
pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    resource_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    Ok(store::audit::list(db, insurer, resource_id, page).await?)
}
