//! The audit trail: who changed what, in which request.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// One write: who (the token's `sub`), which tenant, what, on which resource, in which request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub insurer: String,
    pub actor: String,
    /// e.g. `household.created`, `claim.updated`, `claim.voided`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub request_id: String,
    pub at: DateTime<Utc>,
}
